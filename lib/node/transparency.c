/*
 * transparency.c - the node's transparency parts (issue 9), kept apart from
 * the pipeline so that the pipeline only calls in: the counters (lib/stats,
 * counted from each query's audit entry once it is durable), the dashboard
 * and statistics routes with the policy what-if (lib/dashboard) guarded by
 * the review console's sessions, and their lines in /metrics.
 *
 * The counters keep their own store connection (used by their flusher thread
 * only). A store that is not SQLite (PostgreSQL, issue 10) has no counters
 * yet: the node logs that and serves without them.
 */
#include "node_int.h"

#include <dmvgate/dashboard.h>
#include <dmvgate/report.h>
#include <dmvgate/review.h>
#include <dmvgate/stats.h>

#include <stdio.h>

/* Who may see the internal views and simulate: a live review-console
 * session (with its CSRF token on a POST) of a state official: reviewers,
 * supervisors and auditors see the internal figures and alerts, supervisors
 * alone run simulations. Development mode keeps them open, as without a
 * console. */
static bool authorize(struct dg_req *r, enum dg_dashboard_right right, void *arg)
{
    const struct dg_node *n = arg;
    if (n->cfg->dev_mode)
        return true;
    unsigned roles = right == DG_DASH_SIMULATE ? DG_ROLE_BIT(DG_ROLE_SUPERVISOR) : DG_ROLES_READ;
    return dg_review_check(r, roles, NULL) == 0;
}

int dg__transparency_open(struct dg_node *n, struct dg_error *err)
{
    const struct dg_config *c = n->cfg;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_store_open(c->store, 0, &n->stats_store, &e);
    if (rc == 0) {
        struct dg_stats_options so;
        dg_stats_options_init(&so);
        so.store = n->stats_store;
        rc = dg_stats_open(&so, &n->stats, &e);
    }
    if (rc != 0) {
        dg_log(DG_LOG_WARN, "stats_off", "msg", e.msg, NULL);
        dg_store_close(n->stats_store);
        n->stats_store = NULL;
        n->stats = NULL;
    }
    char title[64];
    snprintf(title, sizeof(title), "%s DMV queries", n->state);
    struct dg_dashboard_options d = {
        .store = n->stats ? c->store : NULL,
        .audit_dir = c->audit_sequencer && c->audit_sequencer[0] ? NULL : c->audit_dir,
        .title = title,
        .stats = n->stats,
        .dev_mode = c->dev_mode,
        .authorize = authorize,
        .authorize_arg = n,
    };
    return dg_dashboard_add(n->srv, &d, &n->dash, err);
}

void dg__transparency_count(struct dg_node *n, const struct dg_audit_entry *e)
{
    struct dg_stats_event ev;
    if (n->stats && e->kind == DG_AUDIT_QUERY && dg_report_event_from_audit(e, &ev) == 0)
        dg_stats_count(n->stats, &ev);
}

void dg__transparency_metrics(struct dg_node *n, struct dg_buf *out)
{
    if (n->stats)
        dg_stats_metrics(n->stats, out);
}

void dg__transparency_close(struct dg_node *n)
{
    dg_dashboard_free(n->dash);
    n->dash = NULL;
    if (n->stats) {
        struct dg_error e;
        if (dg_stats_close(n->stats, &e) != 0)
            dg_log(DG_LOG_ERROR, "stats_close_failed", "msg", e.msg, NULL);
        n->stats = NULL;
    }
    dg_store_close(n->stats_store);
    n->stats_store = NULL;
}
