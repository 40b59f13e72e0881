/*
 * run.c - the replay: read every entry of an audit log in order, keep the
 * queries of the range, decide each under the draft (and the current policy
 * when one is given), and count what changes.
 *
 * One pass, one thread: reading and decoding an entry and deciding it
 * allocate nothing, so the rate is bound by decoding (bench/bench_simulate.c).
 * The requester's volume in the last hour, which a policy may test, is
 * recomputed with lib/policy's sliding-window counter over the replayed
 * queries themselves, as the node computed it when they came.
 */
#include <dmvgate/report.h>
#include <dmvgate/simulate.h>
#include <dmvgate/stats.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AGENCY_SLOTS (1u << 16) /* agencies told apart when ranking; more are not ranked */

struct agency_map {
    struct dg_sim_agency *v;
    uint32_t *slot; /* index + 1 */
    size_t n;
};

static uint32_t ori_hash(const char *ori)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < DG_ORI_LEN && ori[i]; i++)
        h = (h ^ (unsigned char)ori[i]) * 16777619u;
    return h;
}

static struct dg_sim_agency *agency_get(struct agency_map *m, const struct dg_agency *a)
{
    uint32_t i = ori_hash(a->ori) & (AGENCY_SLOTS - 1);
    for (unsigned probes = 0; probes < AGENCY_SLOTS; probes++, i = (i + 1) & (AGENCY_SLOTS - 1)) {
        uint32_t s = m->slot[i];
        if (!s) {
            if (m->n >= AGENCY_SLOTS / 2)
                return NULL;
            struct dg_sim_agency *x = &m->v[m->n];
            memcpy(x->ori, a->ori, sizeof(x->ori));
            x->level = a->level;
            x->category = a->category;
            m->slot[i] = (uint32_t)++m->n;
            return x;
        }
        if (strcmp(m->v[s - 1].ori, a->ori) == 0)
            return &m->v[s - 1];
    }
    return NULL;
}

static enum dg_sim_outcome outcome_of(const struct dg_policy_decision *d)
{
    switch (d->outcome) {
    case DG_POLICY_ALLOW: return DG_SIM_ALLOW;
    case DG_POLICY_DENY: return DG_SIM_DENY;
    case DG_POLICY_REVIEW: return DG_SIM_REVIEW;
    default: return DG_SIM_UNDECIDED;
    }
}

/* The slot of a recorded rule name, entered when new. */
static int before_slot(struct dg_sim_result *r, const char *name)
{
    for (int i = 0; i < r->nbefore; i++)
        if (strcmp(r->before_rule[i], name) == 0)
            return i;
    if (r->nbefore < DG_SIM_MAX_RULES - 1) {
        snprintf(r->before_rule[r->nbefore], sizeof(r->before_rule[0]), "%s", name);
        return r->nbefore++;
    }
    int i = DG_SIM_MAX_RULES - 1;
    snprintf(r->before_rule[i], sizeof(r->before_rule[0]), "(other)");
    r->nbefore = DG_SIM_MAX_RULES;
    return i;
}

static int by_changed(const void *a, const void *b)
{
    const struct dg_sim_agency *x = a, *y = b;
    if (x->changed != y->changed)
        return x->changed > y->changed ? -1 : 1;
    if (x->queries != y->queries)
        return x->queries > y->queries ? -1 : 1;
    return strcmp(x->ori, y->ori);
}

static int day_bound(const char *day, bool end, int64_t *t, struct dg_error *err)
{
    if (!day) {
        *t = end ? INT64_MAX : INT64_MIN;
        return 0;
    }
    int64_t start;
    if (dg_report_parse_day(day, &start) != 0)
        return dg_error_set(err, DG_EINVAL, end ? "to" : "from", -1,
                            "bad date '%s': want YYYY-MM-DD", day);
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d + (end ? 1 : 0); /* the end is the next day's midnight */
    tm.tm_isdst = -1;
    time_t v = mktime(&tm);
    if (v == (time_t)-1 || m < 1 || m > 12 || d < 1 || d > 31)
        return dg_error_set(err, DG_EINVAL, end ? "to" : "from", -1, "bad date '%s'", day);
    *t = (int64_t)v;
    return 0;
}

void dg_sim_result_release(struct dg_sim_result *res)
{
    dg_free(res->by_rule);
    dg_free(res->before_rule);
    dg_free(res->by_before_rule);
    memset(res, 0, sizeof(*res));
}

int dg_sim_run(const struct dg_sim_options *o, struct dg_sim_result *res, struct dg_error *err)
{
    memset(res, 0, sizeof(*res));
    if (!o->audit_dir || !o->draft)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "a simulation needs a log and a draft");
    int64_t t_from, t_end;
    int rc = day_bound(o->from, false, &t_from, err);
    if (!rc)
        rc = day_bound(o->to, true, &t_end, err);
    if (rc)
        return rc;
    if (t_end <= t_from)
        return dg_error_set(err, DG_EINVAL, "to", -1, "the range ends before it begins");
    uint64_t t0 = dg_mono_ns();

    res->nrules = dg_policy_rule_count(o->draft);
    res->by_rule = dg_calloc((size_t)res->nrules + 1, sizeof(*res->by_rule));
    res->before_rule = dg_calloc(DG_SIM_MAX_RULES, sizeof(*res->before_rule));
    res->by_before_rule = dg_calloc(DG_SIM_MAX_RULES, sizeof(*res->by_before_rule));
    struct agency_map am = {dg_calloc(AGENCY_SLOTS / 2, sizeof(*am.v)),
                            dg_calloc(AGENCY_SLOTS, sizeof(*am.slot)), 0};
    struct dg_audit_entry *e = dg_malloc(sizeof(*e));
    struct dg_volume *vol = dg_volume_new(AGENCY_SLOTS);
    struct dg_audit_iter *it = NULL;
    if (!res->by_rule || !res->before_rule || !res->by_before_rule || !am.v || !am.slot || !e ||
        !vol) {
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        goto out;
    }
    /* A log always has a signed checkpoint: without one this is not a log
     * (a mistyped directory must not look like a log with no queries). */
    struct dg_buf cp;
    dg_buf_init(&cp, 1 << 16);
    rc = dg_audit_public_read(o->audit_dir, "checkpoint", &cp, err);
    dg_buf_release(&cp);
    if (rc) {
        rc = dg_error_set(err, rc, NULL, -1, "no audit log in '%s'", o->audit_dir);
        goto out;
    }
    rc = dg_audit_iter_open(o->audit_dir, 0, &it, err);
    if (rc)
        goto out;

    struct dg_audit_record rec;
    struct dg_agency agency;
    struct dg_policy_request req;
    struct dg_policy_decision d, cur;
    int64_t first = 0, last = 0;
    while ((rc = dg_audit_iter_next(it, &rec, err)) == 1) {
        res->entries++;
        if (o->progress && o->progress_every && res->entries % o->progress_every == 0 &&
            o->progress(o->progress_arg, res->entries, res->replayed)) {
            rc = dg_error_set(err, DG_ESIMULATE, NULL, -1, "simulation stopped");
            goto out;
        }
        if (dg_audit_entry_decode(rec.pub, rec.pub_len, NULL, 0, e, NULL) != 0 ||
            e->kind != DG_AUDIT_QUERY)
            continue;
        int64_t t = e->time_us / 1000000;
        if (t < t_from || t >= t_end)
            continue;
        res->queries++;
        if (dg_sim_request_from_audit(e, &agency, &req) != 0)
            continue;
        uint32_t n = 0;
        if (dg_volume_hit(vol, agency.ori, t, &n) == 0)
            req.queries_last_hour = n;

        enum dg_sim_outcome before, after;
        const char *before_name;
        if (o->current) {
            dg_policy_decide(o->current, &req, NULL, &cur);
            before = outcome_of(&cur);
            before_name = cur.rule_name;
        } else {
            before = dg_sim_recorded(e);
            before_name = e->rule;
        }
        dg_policy_decide(o->draft, &req, NULL, &d);
        after = outcome_of(&d);
        res->replayed++;
        if (!first || t < first)
            first = t;
        if (t > last)
            last = t;

        res->all.n[before][after]++;
        res->by_category[agency.category].n[before][after]++;
        res->by_level[agency.level].n[before][after]++;
        if ((unsigned)e->key < DG_KEY__COUNT)
            res->by_key[e->key].n[before][after]++;
        int ri = d.rule >= 0 && d.rule < res->nrules ? d.rule : res->nrules;
        res->by_rule[ri].n[before][after]++;
        res->by_before_rule[before_slot(res, before_name[0] ? before_name : "(none)")]
            .n[before][after]++;

        bool changed = before != after;
        bool restricted =
            before == DG_SIM_ALLOW && (after == DG_SIM_DENY || after == DG_SIM_REVIEW);
        bool relaxed = (before == DG_SIM_DENY || before == DG_SIM_REVIEW) && after == DG_SIM_ALLOW;
        res->changed += changed;
        if (agency.category == DG_CAT_MUNICIPAL_POLICE || agency.category == DG_CAT_SHERIFF ||
            agency.category == DG_CAT_STATE_POLICE) {
            res->police++;
            res->police_changed += changed;
            res->police_restricted += restricted;
            res->police_relaxed += relaxed;
        }
        struct dg_sim_agency *ag = agency_get(&am, &agency);
        if (ag) {
            ag->queries++;
            ag->changed += changed;
            ag->restricted += restricted;
        }
    }
    if (rc < 0)
        goto out;
    rc = 0;
    if (first) {
        dg_stats_period(first, 'h', res->first);
        dg_stats_period(last, 'h', res->last);
    }
    qsort(am.v, am.n, sizeof(*am.v), by_changed);
    for (size_t i = 0; i < am.n; i++)
        res->agencies_affected += am.v[i].changed > 0;
    for (size_t i = 0; i < am.n && i < DG_SIM_TOP && am.v[i].changed; i++)
        res->top[res->ntop++] = am.v[i];
    res->seconds = (double)(dg_mono_ns() - t0) / 1e9;
out:
    dg_audit_iter_free(it);
    dg_volume_free(vol);
    dg_free(e);
    dg_free(am.v);
    dg_free(am.slot);
    if (rc)
        dg_sim_result_release(res);
    return rc;
}
