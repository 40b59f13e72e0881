/*
 * dashboard.h - the transparency routes a node (and later the hub) serves:
 *
 *   GET  /dashboard/              the dashboard page (web/dashboard.html) and,
 *   GET  /dashboard/FILE          its script, style sheet and Chart.js
 *                                 (web/node_modules/chart.js/dist/chart.umd.js)
 *   GET  /v1/stats?from=&to=&public=   a report as JSON (report.h): what the
 *                                 dashboard draws
 *   GET  /v1/stats/alerts         the anomaly alerts of the last 24 hours
 *   POST /v1/simulate?from=&to=   replay the node's audit log under the draft
 *                                 policy in the body (simulate.h), as JSON:
 *                                 the supervisors' what-if view in the review
 *                                 console
 *
 * Who may see what. The public form of /v1/stats (small counts suppressed)
 * is for anyone. The internal form, the alert list and simulations are for
 * state officials: they are answered only when authorize() says so (a node
 * installs the review console's session check there: the internal views for
 * reviewers, supervisors and auditors, simulations for supervisors) or,
 * without one, in development mode; otherwise 403. docs/transparency.md describes the JSON.
 *
 * Threads. Handlers run on the server's loops; each loop reads the store
 * through its own read-only connection, opened on first use. A simulation
 * runs on a worker thread (one at a time; a second is refused with 503) and
 * its request is parked until it is done.
 */
#ifndef DMVGATE_DASHBOARD_H
#define DMVGATE_DASHBOARD_H

#include <dmvgate/core.h>
#include <dmvgate/net.h>
#include <dmvgate/stats.h>

#include <stdbool.h>

#define DG_DASHBOARD_MAX_FILE (4u << 20) /* bytes of one served file */

/* What a request asks for beyond the public report. */
enum dg_dashboard_right {
    DG_DASH_INTERNAL, /* the internal form of /v1/stats, and /v1/stats/alerts */
    DG_DASH_SIMULATE, /* POST /v1/simulate */
};

struct dg_dashboard_options {
    const char *web_dir;    /* the pages; NULL: dg_net_web_dir() */
    const char *store;      /* URI of the store holding the stats tables */
    const char *audit_dir;  /* the node's audit log, for simulations; NULL: none */
    const char *title;      /* reports' heading, e.g. "Colorado DMV queries" */
    struct dg_stats *stats; /* live counters, for /v1/stats/alerts; may be NULL */
    bool dev_mode;          /* without authorize: the internal views are open */
    /* Return true when the request may have right (the internal form of
     * /v1/stats and the alerts; or a simulation). May be NULL. */
    bool (*authorize)(struct dg_req *r, enum dg_dashboard_right right, void *arg);
    void *authorize_arg;
};

struct dg_dashboard;

/*
 * Read the page files (a missing web_dir or file is logged, and its route
 * answers 404) and add the routes above to srv (before dg_server_run).
 * Returns 0 and *out (free with dg_dashboard_free after the server stopped
 * running and before it is freed), or DG_ENOMEM, or dg_server_route's error.
 */
int dg_dashboard_add(struct dg_server *srv, const struct dg_dashboard_options *o,
                     struct dg_dashboard **out, struct dg_error *err);

/* Stop a running simulation (its parked request is abandoned), close the
 * store connections, free d. NULL is a no-op. */
void dg_dashboard_free(struct dg_dashboard *d);

#endif
