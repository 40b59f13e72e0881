/*
 * dashboard_int.h - what the files of lib/dashboard share. Not a public header.
 *   dashboard.c     the page files and the routes
 *   stats_api.c     GET /v1/stats and /v1/stats/alerts
 *   simulate_api.c  POST /v1/simulate on a worker thread
 */
#ifndef DG_DASHBOARD_INT_H
#define DG_DASHBOARD_INT_H

#include <dmvgate/dashboard.h>
#include <dmvgate/store.h>

#include <pthread.h>
#include <stdatomic.h>

struct dg__page {
    const char *path; /* URL path */
    const char *file; /* under web_dir */
    const char *type; /* content type */
    struct dg_buf body;
};

struct dg__sim_job;

struct dg_dashboard {
    struct dg_dashboard_options o;
    char *web_dir, *store, *audit_dir, *title;
    struct dg__page pages[4];
    int nloops;
    struct dg_store **stores; /* one per loop, opened on first use */
    /* the simulation worker */
    pthread_mutex_t sim_mu;
    bool sim_running;
    pthread_t sim_thread;
    atomic_bool sim_done; /* the worker has finished with the request */
    atomic_bool stopping;
};

/* True when r may have right (authorize, or development mode without one). */
bool dg__dash_allowed(struct dg_dashboard *d, struct dg_req *r, enum dg_dashboard_right right);
/* Answer r with {"error":{"code":..,"message":..}} and status. */
void dg__dash_error(struct dg_req *r, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void dg__handle_stats(struct dg_req *r, void *arg);
void dg__handle_alerts(struct dg_req *r, void *arg);
void dg__handle_simulate(struct dg_req *r, void *arg);
/* Wait for a running simulation to end (after setting stopping). */
void dg__simulate_join(struct dg_dashboard *d);

#endif
