/*
 * simulate_api.c - POST /v1/simulate?from=&to=: the policy what-if for
 * supervisors. The body is the draft policy's text; it is compiled with list
 * files refused (a request must not make the node read its files), the
 * node's audit log is replayed under it on a worker thread (one at a time),
 * and the result (dg_sim_json) answers the parked request. A draft that does
 * not compile is answered 422 with the compiler's diagnostics.
 */
#include "dashboard/dashboard_int.h"

#include <dmvgate/policy.h>
#include <dmvgate/report.h>
#include <dmvgate/simulate.h>

#include <stdio.h>
#include <string.h>

struct dg__sim_job {
    struct dg_dashboard *d;
    struct dg_req *req;
    struct dg_policy *draft;
    char from[11], to[11];
    int status;
    struct dg_buf out;
};

static int no_lists(void *ctx, const char *name, struct dg_buf *out, struct dg_error *err)
{
    (void)ctx, (void)out;
    return dg_error_set(err, DG_EPERM, NULL, -1,
                        "list file '%s' cannot be read in a simulation: inline the ORIs", name);
}

static int stop_check(void *arg, uint64_t read, uint64_t replayed)
{
    (void)read, (void)replayed;
    struct dg_dashboard *d = arg;
    return atomic_load(&d->stopping) ? 1 : 0;
}

static void job_free(struct dg__sim_job *j)
{
    dg_policy_free(j->draft);
    dg_buf_release(&j->out);
    dg_free(j);
}

/* Back on the request's loop. */
static void job_answer(struct dg_req *r, void *arg)
{
    struct dg__sim_job *j = arg;
    dg_req_set_header(r, "Cache-Control", "no-store");
    dg_req_reply(r, j->status, "application/json", j->out.data ? j->out.data : "", j->out.len);
    job_free(j);
}

static void *job_run(void *arg)
{
    struct dg__sim_job *j = arg;
    struct dg_dashboard *d = j->d;
    struct dg_sim_options o = {.audit_dir = d->audit_dir,
                               .from = j->from[0] ? j->from : NULL,
                               .to = j->to[0] ? j->to : NULL,
                               .draft = j->draft,
                               .progress = stop_check,
                               .progress_arg = d,
                               .progress_every = 65536};
    struct dg_sim_result res;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_sim_run(&o, &res, &e);
    if (rc == 0) {
        rc = dg_sim_json(&res, j->draft, &j->out);
        dg_sim_result_release(&res);
        j->status = rc ? 500 : 200;
    } else {
        j->status = rc == DG_EINVAL ? 400 : 500;
        dg_buf_printf(
            &j->out, "{\"error\":{\"code\":\"%s\",\"number\":%d,\"message\":", dg_errname(rc), -rc);
        dg_buf_add_json_str(&j->out, e.msg, strlen(e.msg));
        dg_buf_addstr(&j->out, "}}\n");
    }
    if (atomic_load(&d->stopping)) {
        job_free(j); /* the server is going: the parked request is abandoned */
    } else {
        dg_log(DG_LOG_INFO, "simulate_done", "status", j->status == 200 ? "ok" : "error", NULL);
        dg_req_resume(j->req, job_answer, j);
    }
    atomic_store(&d->sim_done, true); /* the last touch: the next request may join */
    return NULL;
}

void dg__simulate_join(struct dg_dashboard *d)
{
    pthread_mutex_lock(&d->sim_mu);
    bool running = d->sim_running;
    pthread_t t = d->sim_thread;
    d->sim_running = false;
    pthread_mutex_unlock(&d->sim_mu);
    if (running)
        pthread_join(t, NULL);
}

void dg__handle_simulate(struct dg_req *r, void *arg)
{
    struct dg_dashboard *d = arg;
    if (!dg__dash_allowed(d, r, DG_DASH_SIMULATE)) {
        dg__dash_error(r, 403, DG_EPERM,
                       "simulations are for supervisors (a console session with its CSRF token)");
        return;
    }
    if (!d->audit_dir) {
        dg__dash_error(r, 404, DG_ENOENT, "this server keeps no audit log to replay");
        return;
    }
    const char *from = dg_req_query(r, "from"), *to = dg_req_query(r, "to");
    int64_t t;
    if (from && dg_report_parse_day(from, &t) != 0) {
        dg__dash_error(r, 400, DG_EINVAL, "bad from: want YYYY-MM-DD");
        return;
    }
    if (to && dg_report_parse_day(to, &t) != 0) {
        dg__dash_error(r, 400, DG_EINVAL, "bad to: want YYYY-MM-DD");
        return;
    }
    size_t len;
    const char *body = dg_req_body(r, &len);
    if (!len) {
        dg__dash_error(r, 400, DG_EINVAL, "the body must be the draft policy's text");
        return;
    }

    struct dg__sim_job *j = dg_calloc(1, sizeof(*j));
    if (!j) {
        dg__dash_error(r, 500, DG_ENOMEM, "out of memory");
        return;
    }
    j->d = d;
    j->req = r;
    dg_buf_init(&j->out, 16u << 20);
    snprintf(j->from, sizeof(j->from), "%s", from ? from : "");
    snprintf(j->to, sizeof(j->to), "%s", to ? to : "");
    struct dg_policy_options po = {.filename = "draft", .read_list = no_lists};
    struct dg_policy_diags diags;
    dg_policy_diags_init(&diags);
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_policy_compile(body, len, &po, &j->draft, &diags, &e);
    if (rc) {
        struct dg_buf txt;
        dg_buf_init(&txt, 1 << 20);
        dg_policy_diags_format(&diags, &txt);
        dg_policy_diags_release(&diags);
        job_free(j);
        struct dg_buf b;
        dg_buf_init(&b, 2 << 20);
        dg_buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"number\":%d,\"message\":", dg_errname(rc),
                      -rc);
        dg_buf_add_json_str(&b, e.msg, strlen(e.msg));
        dg_buf_addstr(&b, ",\"diagnostics\":");
        dg_buf_add_json_str(&b, txt.data ? txt.data : "", txt.len);
        dg_buf_addstr(&b, "}}\n");
        dg_req_reply(r, rc == DG_EPOLICY ? 422 : 400, "application/json", b.data, b.len);
        dg_buf_release(&b);
        dg_buf_release(&txt);
        return;
    }
    dg_policy_diags_release(&diags);

    pthread_mutex_lock(&d->sim_mu);
    if (d->sim_running && atomic_load(&d->sim_done)) {
        /* the previous one is done (or returning): reap it */
        pthread_join(d->sim_thread, NULL);
        d->sim_running = false;
    }
    if (d->sim_running) {
        pthread_mutex_unlock(&d->sim_mu);
        job_free(j);
        dg_req_set_header(r, "Retry-After", "5");
        {
            dg__dash_error(r, 503, DG_EAGAIN, "a simulation is already running");
            return;
        }
    }
    dg_req_park(r);
    atomic_store(&d->sim_done, false);
    if (pthread_create(&d->sim_thread, NULL, job_run, j) != 0) {
        pthread_mutex_unlock(&d->sim_mu);
        j->status = 500;
        dg_buf_addstr(&j->out, "{\"error\":{\"code\":\"EINTERNAL\",\"number\":10,"
                               "\"message\":\"cannot start the simulation\"}}\n");
        dg_req_resume(r, job_answer, j);
        return;
    }
    d->sim_running = true;
    pthread_mutex_unlock(&d->sim_mu);
    dg_req_note(r, "simulate", "started");
}
