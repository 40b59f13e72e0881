/*
 * audit.c - counting recorded traffic: the query entries of an audit log,
 * read with the log's iterator, turned into stats events and counted under
 * the hour each was recorded in. Only the public part of each entry is read
 * (the requester's attributes, the kind of query and the decision), so a
 * report made this way can never hold more than the log publishes.
 */
#include "report/report_int.h"

#include <dmvgate/audit.h>

#include <string.h>

int dg_report_event_from_audit(const struct dg_audit_entry *e, struct dg_stats_event *ev)
{
    if (e->kind != DG_AUDIT_QUERY)
        return DG_EINVAL;
    enum dg_stats_decision d;
    switch (e->decision) {
    case DG_DECISION_ALLOW: d = DG_STATS_ALLOW; break;
    case DG_DECISION_DENY: d = DG_STATS_DENY; break;
    case DG_DECISION_REVIEW: d = DG_STATS_REVIEW; break;
    case DG_DECISION_ERROR: d = DG_STATS_ERROR; break;
    default: return DG_EINVAL;
    }
    memset(ev, 0, sizeof(*ev));
    ev->ori = e->req.ori;
    ev->level = e->req.level;
    ev->category = e->req.category;
    ev->department = e->req.department;
    ev->component = e->req.component;
    ev->key = e->key;
    ev->dest = e->dest;
    ev->purpose = e->purpose;
    ev->leg = e->leg;
    ev->decision = d;
    ev->rule = e->rule;
    ev->rule_id = -1;
    ev->photo = e->key == DG_KEY_IQ || (e->fields_asked & DG_FIELD_PHOTO) != 0;
    bool by_name = false, by_oln = false;
    for (unsigned i = 0; i < e->nids && i < DG_AUDIT_MAX_IDS; i++) {
        by_name |= strcmp(e->ids[i].tag, "NAM") == 0;
        by_oln |= strcmp(e->ids[i].tag, "OLN") == 0;
    }
    ev->name_search = e->key == DG_KEY_DQ && by_name && !by_oln;
    return 0;
}

int dg_report_count_audit(struct dg_stats *s, const char *dir, const char *from, const char *to,
                          uint64_t *counted, struct dg_error *err)
{
    int64_t t_from, t_to;
    if (dg_report_parse_day(from, &t_from) != 0)
        return dg_error_set(err, DG_EINVAL, "from", -1, "bad date '%s': want YYYY-MM-DD",
                            from ? from : "");
    if (dg_report_parse_day(to, &t_to) != 0)
        return dg_error_set(err, DG_EINVAL, "to", -1, "bad date '%s': want YYYY-MM-DD",
                            to ? to : "");
    /* The end is the start of the day after `to` (a local day may be 23 or
     * 25 hours long). */
    char to_label[16], next[16];
    int64_t t_end = t_to + 86400;
    dg_stats_period(t_to, 'd', to_label);
    dg_stats_period(t_end, 'd', next);
    if (strcmp(next, to_label) == 0)
        t_end += 3600;
    else {
        dg_stats_period(t_end - 3600, 'd', next);
        if (strcmp(next, to_label) != 0)
            t_end -= 3600;
    }

    struct dg_buf cp;
    dg_buf_init(&cp, 1 << 16);
    int rc = dg_audit_public_read(dir, "checkpoint", &cp, err);
    dg_buf_release(&cp);
    if (rc)
        return dg_error_set(err, rc, NULL, -1, "no audit log in '%s'", dir);
    struct dg_audit_iter *it = NULL;
    rc = dg_audit_iter_open(dir, 0, &it, err);
    if (rc)
        return rc;
    struct dg_audit_entry *e = dg_malloc(sizeof(*e));
    if (!e) {
        dg_audit_iter_free(it);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    uint64_t n = 0;
    int64_t hour = -1;
    struct dg_audit_record rec;
    while ((rc = dg_audit_iter_next(it, &rec, err)) == 1) {
        if (dg_audit_entry_decode(rec.pub, rec.pub_len, NULL, 0, e, NULL) != 0)
            continue; /* not an entry of ours, or of a newer format */
        int64_t t = e->time_us / 1000000;
        if (t < t_from || t >= t_end)
            continue;
        struct dg_stats_event ev;
        if (dg_report_event_from_audit(e, &ev) != 0)
            continue;
        int64_t h = dg_stats_hour_start(t);
        if (h != hour) {
            if (hour >= 0 && (rc = dg_stats_flush_at(s, hour, err)) != 0)
                break;
            hour = h;
        }
        dg_stats_count(s, &ev);
        n++;
    }
    if (rc == 0 && hour >= 0)
        rc = dg_stats_flush_at(s, hour, err);
    dg_free(e);
    dg_audit_iter_free(it);
    if (rc < 0)
        return rc;
    if (counted)
        *counted = n;
    return 0;
}
