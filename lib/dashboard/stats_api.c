/*
 * stats_api.c - GET /v1/stats (a report of a range of days as JSON, the
 * dashboard's data) and GET /v1/stats/alerts (the live anomaly alerts).
 *
 * Query parameters are outside input: each is checked (dates with
 * dg_report_parse_day, the public switch as 0/1/true/false) and anything
 * else is refused with 400. Reports are built from the loop's own read-only
 * store connection.
 */
#include "dashboard/dashboard_int.h"

#include <dmvgate/report.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

static struct dg_store *loop_store(struct dg_dashboard *d, struct dg_req *r, struct dg_error *err)
{
    int i = dg_req_loop(r);
    if (i < 0 || i >= d->nloops || !d->store) {
        dg_error_set(err, DG_EINVAL, NULL, -1, "no store for statistics");
        return NULL;
    }
    if (!d->stores[i] && dg_store_open(d->store, DG_STORE_READONLY, &d->stores[i], err) != 0)
        return NULL;
    return d->stores[i];
}

static int parse_bool(const char *s, bool *out)
{
    if (!s || !*s)
        return 0;
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
        *out = true;
    else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
        *out = false;
    else
        return DG_EINVAL;
    return 0;
}

void dg__handle_stats(struct dg_req *r, void *arg)
{
    struct dg_dashboard *d = arg;
    const char *from = dg_req_query(r, "from"), *to = dg_req_query(r, "to");
    bool pub = true;
    if (parse_bool(dg_req_query(r, "public"), &pub) != 0) {
        dg__dash_error(r, 400, DG_EINVAL, "public wants 0 or 1");
        return;
    }
    if (!pub && !dg__dash_allowed(d, r, DG_DASH_INTERNAL)) {
        dg__dash_error(r, 403, DG_EPERM,
                       "the internal form is for state officials; ask with public=1");
        return;
    }
    /* Default range: the last seven days up to today. */
    char dfrom[16], dto[16];
    int64_t now = (int64_t)time(NULL), t;
    if (!to) {
        dg_stats_period(now, 'd', dto);
        to = dto;
    }
    if (!from) {
        if (dg_report_parse_day(to, &t) != 0) {
            dg__dash_error(r, 400, DG_EINVAL, "bad to '%s': want YYYY-MM-DD", to);
            return;
        }
        dg_stats_period(t + 12 * 3600 - 6 * 86400, 'd', dfrom);
        from = dfrom;
    }
    struct dg_report_options o;
    dg_report_options_init(&o);
    o.from = from;
    o.to = to;
    o.public_form = pub;
    o.title = d->title;
    o.source = "the node's counters";
    struct dg_error e;
    dg_error_clear(&e);
    struct dg_store *st = loop_store(d, r, &e);
    if (!st) {
        dg__dash_error(r, 503, DG_ENOSTATS, "%s", e.msg);
        return;
    }
    struct dg_report *rep = NULL;
    int rc = dg_report_build(st, &o, &rep, &e);
    if (rc == DG_EINVAL) {
        dg__dash_error(r, 400, rc, "%s", e.msg);
        return;
    }
    if (rc) {
        dg__dash_error(r, rc == DG_ENOSTATS ? 404 : 500, rc, "%s",
                       e.msg[0] ? e.msg : dg_strerror(rc));
        return;
    }
    struct dg_buf b;
    dg_buf_init(&b, 64u << 20);
    rc = dg_report_json(rep, &b);
    dg_report_free(rep);
    if (rc) {
        dg_buf_release(&b);
        {
            dg__dash_error(r, 500, rc, "cannot write the report");
            return;
        }
    }
    dg_req_note(r, "form", pub ? "public" : "internal");
    dg_req_set_header(r, "Cache-Control", "no-store");
    dg_req_reply(r, 200, "application/json", b.data, b.len);
    dg_buf_release(&b);
}

void dg__handle_alerts(struct dg_req *r, void *arg)
{
    struct dg_dashboard *d = arg;
    if (!dg__dash_allowed(d, r, DG_DASH_INTERNAL)) {
        dg__dash_error(r, 403, DG_EPERM, "the alerts are for state officials");
        return;
    }
    struct dg_buf b;
    dg_buf_init(&b, 16u << 20);
    int rc = d->o.stats ? dg_stats_alerts_json(d->o.stats, &b) : dg_buf_addstr(&b, "[]");
    if (!rc)
        rc = dg_buf_addc(&b, '\n');
    if (rc) {
        dg_buf_release(&b);
        {
            dg__dash_error(r, 500, rc, "cannot list the alerts");
            return;
        }
    }
    dg_req_set_header(r, "Cache-Control", "no-store");
    dg_req_reply(r, 200, "application/json", b.data, b.len);
    dg_buf_release(&b);
}
