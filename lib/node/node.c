/*
 * node.c - a node's life: load the directory and the policy, open the audit
 * log and one store connection per event loop, make the server and its
 * routes, serve until told to stop, and close everything in the right order
 * (the loops drain, then the audit log flushes, then the rest goes).
 *
 * The policy is shared by every loop and replaced on SIGHUP. A request takes a
 * reference on the policy that decides it and drops it when answered, because
 * its decision points into that policy (rule names, reasons) and it may wait
 * parked for its audit record while a reload happens.
 */
#include "node_int.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the policy ------------------------------------------------------------------ */

struct dg__policy_ref *dg__policy_get(struct dg_node *n)
{
    pthread_mutex_lock(&n->policy_lock);
    struct dg__policy_ref *r = n->policy;
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&n->policy_lock);
    return r;
}

void dg__policy_put(struct dg__policy_ref *r)
{
    if (r && atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1) {
        dg_policy_free(r->p);
        dg_free(r);
    }
}

/* Compile the configured policy; it must be for the node's state. */
static int load_policy(struct dg_node *n, struct dg__policy_ref **out, struct dg_error *err)
{
    struct dg_policy_diags diags;
    dg_policy_diags_init(&diags);
    struct dg_policy *p = NULL;
    int rc = dg_policy_load(n->cfg->policy, &p, &diags, err);
    if (rc != 0 && diags.n > 0) {
        struct dg_buf b;
        dg_buf_init(&b, 64 * 1024);
        dg_policy_diags_format(&diags, &b);
        dg_logf(DG_LOG_ERROR, "policy_errors", "%s", b.data ? b.data : "");
        dg_buf_release(&b);
    }
    dg_policy_diags_release(&diags);
    if (rc != 0)
        return rc;
    if (strcmp(dg_policy_state(p), n->state) != 0) {
        rc = dg_error_set(err, DG_EPOLICY, "policy", -1,
                          "policy '%s' is for state %s, this node serves %s", n->cfg->policy,
                          dg_policy_state(p), n->state);
        dg_policy_free(p);
        return rc;
    }
    struct dg__policy_ref *r = dg_calloc(1, sizeof(*r));
    if (!r) {
        dg_policy_free(p);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    r->p = p;
    atomic_store(&r->refs, 1);
    *out = r;
    return 0;
}

int dg_node_reload_policy(struct dg_node *n, struct dg_error *err)
{
    struct dg__policy_ref *r = NULL;
    struct dg_error e;
    if (!err)
        err = &e;
    int rc = load_policy(n, &r, err);
    if (rc != 0) {
        atomic_fetch_add(&n->reloads_failed, 1);
        dg_log(DG_LOG_ERROR, "policy_reload_refused", "file", n->cfg->policy, "code",
               dg_errname(rc), "msg", err->msg, "kept", "previous policy", NULL);
        return rc;
    }
    pthread_mutex_lock(&n->policy_lock);
    struct dg__policy_ref *old = n->policy;
    n->policy = r;
    pthread_mutex_unlock(&n->policy_lock);
    dg__policy_put(old);
    atomic_fetch_add(&n->reloads_ok, 1);
    char rules[16];
    snprintf(rules, sizeof(rules), "%d", dg_policy_rule_count(r->p));
    dg_log(DG_LOG_INFO, "policy_reloaded", "file", n->cfg->policy, "name", dg_policy_name(r->p),
           "rules", rules, NULL);
    return 0;
}

/* ---- opening ------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int load_directory(struct dg_node *n, struct dg_error *err)
{
    n->dir = dg_directory_new();
    if (!n->dir)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    const char *path = n->cfg->directory;
    int rc;
    if (ends_with(path, ".csv")) {
        rc = dg_directory_load_csv(n->dir, path, err);
    } else {
        struct dg_store *s = NULL;
        rc = dg_store_open(path, DG_STORE_READONLY, &s, err);
        if (rc == 0)
            rc = dg_directory_load_store(n->dir, s, err);
        dg_store_close(s);
    }
    return rc < 0 ? rc : 0; /* the loaders may return how many they added */
}

static int load_signer(struct dg_node *n, struct dg_error *err)
{
    FILE *f = fopen(n->cfg->audit_key, "rb");
    if (!f)
        return dg_error_set(err, DG_ENOENT, "audit_key", -1, "cannot open audit key '%s'",
                            n->cfg->audit_key);
    char text[4096];
    size_t len = fread(text, 1, sizeof(text), f);
    fclose(f);
    if (len == sizeof(text))
        return dg_error_set(err, DG_ETOOBIG, "audit_key", -1, "audit key '%s' is too long",
                            n->cfg->audit_key);
    int rc = dg_note_signer_parse(text, len, &n->signer, err);
    memset(text, 0, sizeof(text));
    return rc;
}

static int open_audit(struct dg_node *n, struct dg_error *err)
{
    if (n->cfg->audit_sequencer[0]) {
        /* Several node processes, one log: the sequencer writes it
         * (docs/audit.md, "Several node processes"). */
        char origin[DG_CHECKPOINT_ORIGIN_MAX + 1];
        int rc = dg_auditd_client_new(n->cfg->audit_sequencer, &n->seq, origin, err);
        if (rc == 0)
            dg_log(DG_LOG_INFO, "audit_sequencer", "origin", origin, NULL);
        return rc;
    }
    int rc = load_signer(n, err);
    if (rc)
        return rc;
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = n->cfg->audit_dir;
    o.signer = n->signer;
    o.flags = DG_AUDIT_CREATE;
    o.max_batch = (unsigned)n->cfg->audit_batch_max;
    o.max_wait_us = (unsigned)n->cfg->audit_batch_wait_us;
    if (o.max_pending < o.max_batch)
        o.max_pending = o.max_batch;
    return dg_audit_open(&o, &n->audit, err);
}

static int open_access_log(const struct dg_config *c)
{
    if (strcmp(c->access_log, "off") == 0)
        return -1;
    if (strcmp(c->access_log, "stderr") == 0)
        return 2;
    return open(c->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

static void on_signal(int signo, void *arg)
{
    struct dg_node *n = arg;
    if (signo == SIGHUP) {
        dg_log(DG_LOG_INFO, "sighup", "action", "reload policy", NULL);
        dg_node_reload_policy(n, NULL);
        return;
    }
    dg_log(DG_LOG_INFO, "stopping", "signal", signo == SIGINT ? "SIGINT" : "SIGTERM", NULL);
    dg_node_stop(n);
}

/* The server's own errors on the message route come as an ER when the
 * requester is known, in the form the request used. */
static void error_writer(struct dg_req *r, int status, int code, const char *msg,
                         struct dg_buf *out, void *arg)
{
    struct dg_node *n = arg;
    const char *ori = dg_req_ori(r);
    struct dg_msg_resp *resp = NULL;
    struct dg_error e;
    bool er = strncmp(dg_req_path(r), "/v1/messages", 12) == 0 && ori;
    if (er) {
        size_t len;
        const char *body = dg_req_body(r, &len);
        bool bad;
        enum dg_msg_form form = dg__form_of(r, body, len, &bad);
        char mid[41];
        dg__make_mid(n, dg_req_loop(r), mid);
        int rc = dg_msg_resp_begin(&resp, DG_KEY_ER, ori, n->state, mid,
                                   status >= 500 ? DG_STS_FAILED : DG_STS_INVALID, &e);
        if (rc == 0)
            rc = dg_msg_resp_set_error(resp, code, NULL, -1, msg, &e);
        if (rc == 0)
            rc = form == DG_MSG_JSON ? dg_msg_resp_to_json(resp, out, &e)
                                     : dg_msg_resp_to_text(resp, out, &e);
        if (rc == 0 && form == DG_MSG_TEXT)
            dg_buf_addc(out, '\n');
        dg_msg_resp_free(resp);
        if (rc == 0) {
            dg_req_set_header(r, "Content-Type", dg__content_type(form));
            return;
        }
        dg_buf_reset(out);
    }
    dg_req_set_header(r, "Content-Type", "application/json");
    dg_buf_printf(out, "{\"error\":{\"code\":\"%s\",\"number\":%d,\"message\":", dg_errname(code),
                  -code);
    dg_buf_add_json_str(out, msg, strlen(msg));
    dg_buf_addstr(out, "}}\n");
}

/* Each loop's connection reads through a memory map and keeps a larger page
 * cache: lookups then copy no pages out of the kernel (the default reads
 * every page with pread). Only this connection is affected; a failure just
 * leaves SQLite's defaults. */
static void tune_sqlite(struct dg_store *s)
{
    sqlite3 *db = dg_store_sqlite(s);
    if (db)
        sqlite3_exec(db, "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536", NULL, NULL, NULL);
}

static int add_routes(struct dg_node *n)
{
    struct dg_server *s = n->srv;
    int rc = dg_server_route(s, DG_HTTP_POST, "/v1/messages", dg__handle_post, n);
    if (rc == 0)
        rc = dg_server_route(s, DG_HTTP_GET, "/v1/messages/*", dg__handle_poll, n);
    if (rc == 0)
        rc = dg_server_route(s, DG_HTTP_GET, "/checkpoint", dg__handle_checkpoint, n);
    if (rc == 0)
        rc = dg_server_route(s, DG_HTTP_GET, "/tile/*", dg__handle_tile, n);
    if (rc == 0)
        rc = dg_server_route(s, DG_HTTP_GET, "/v1/audit/proof", dg__handle_proof, n);
    if (rc == 0)
        rc = dg_server_route(s, DG_HTTP_GET, "/healthz", dg__handle_health, n);
    if (rc == 0)
        rc = dg_server_route(s, DG_HTTP_GET, "/metrics", dg__handle_metrics, n);
    return rc;
}

int dg_node_open(struct dg_node **out, const struct dg_config *c, struct dg_error *err)
{
    if (c->role != DG_ROLE_NODE)
        return dg_error_set(err, DG_ECONFIG, "role", -1, "the configuration is not for a node");
    struct dg_node *n = dg_calloc(1, sizeof(*n));
    if (!n)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    n->cfg = c;
    n->access_fd = -1;
    pthread_mutex_init(&n->policy_lock, NULL);
    memcpy(n->state, c->state, 3);
    snprintf(n->mid_prefix, sizeof(n->mid_prefix), "%s-%llx%04x", n->state,
             (unsigned long long)(dg_now_us() / 1000000) & 0xffffffffull,
             (unsigned)getpid() & 0xffff);
    const char *hook = getenv("DG_TEST_AUDIT_FAIL");
    n->test_audit_fail = hook && hook[0] && strcmp(hook, "0") != 0;

    int rc = load_directory(n, err);
    if (rc == 0)
        rc = load_policy(n, &n->policy, err);
    if (rc == 0)
        rc = open_audit(n, err);
    if (rc == 0 && !(n->volume = dg_volume_new(100000)))
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    if (rc != 0)
        goto fail;

    struct dg_net_options o;
    dg_net_options_from_config(&o, c);
    n->access_fd = open_access_log(c);
    if (n->access_fd < 0 && strcmp(c->access_log, "off") != 0) {
        rc = dg_error_set(err, DG_EIO, "access_log", -1, "cannot open the access log '%s'",
                          c->access_log);
        goto fail;
    }
    o.access_log_fd = n->access_fd;
    rc = dg_server_new(&n->srv, &o, err);
    if (rc != 0)
        goto fail;
    n->nloops = dg_server_threads(n->srv);
    n->loops = dg_calloc((size_t)n->nloops, sizeof(*n->loops));
    if (!n->loops) {
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        goto fail;
    }
    for (int i = 0; i < n->nloops; i++) {
        rc = dg_store_open(c->store, 0, &n->loops[i].store, err);
        if (rc == 0)
            tune_sqlite(n->loops[i].store);
        if (rc == 0 && i == 0) {
            int m = dg_held_migrate(n->loops[0].store, err);
            rc = m < 0 ? m : 0;
        }
        if (rc != 0)
            goto fail;
    }
    dg_server_set_error_writer(n->srv, error_writer, n);
    if ((rc = add_routes(n)) != 0 || (rc = dg_server_on_signal(n->srv, SIGHUP, on_signal, n)) ||
        (rc = dg_server_on_signal(n->srv, SIGTERM, on_signal, n)) ||
        (rc = dg_server_on_signal(n->srv, SIGINT, on_signal, n))) {
        dg_error_set(err, rc, NULL, -1, "cannot set up the server's routes and signals");
        goto fail;
    }
    if ((rc = dg__transparency_open(n, err)) != 0)
        goto fail;
    if (n->test_audit_fail)
        dg_log(DG_LOG_ERROR, "test_hook", "msg",
               "DG_TEST_AUDIT_FAIL is set: every audit append fails and every message is "
               "refused with 503 (tests only)",
               NULL);
    *out = n;
    return 0;
fail:
    dg_node_free(n);
    return rc;
}

void dg__audit_stats(struct dg_node *n, struct dg_audit_stats *out)
{
    if (n->audit)
        dg_audit_stats(n->audit, out);
    else
        memset(out, 0, sizeof(*out));
}

struct dg_server *dg_node_server(struct dg_node *n)
{
    return n->srv;
}

const char *dg_node_address(const struct dg_node *n)
{
    return dg_server_address(n->srv);
}

int dg_node_run(struct dg_node *n)
{
    signal(SIGPIPE, SIG_IGN);
    char threads[16];
    snprintf(threads, sizeof(threads), "%d", n->nloops);
    dg_log(DG_LOG_INFO, "listen", "addr", dg_node_address(n), "role", "node", "state", n->state,
           "threads", threads, "policy", dg_policy_name(n->policy->p), "tls",
           n->cfg->dev_mode ? "off (dev_mode)" : "client certificates required", NULL);
    int rc = dg_server_run(n->srv);
    /* Every loop has left: no request waits any more. Flush the log (a
     * sequencer answers every append before the loops can leave). */
    if (n->audit) {
        int arc = dg_audit_close(n->audit);
        n->audit = NULL;
        if (arc != 0)
            dg_log(DG_LOG_ERROR, "audit_close_failed", "code", dg_errname(arc), NULL);
        if (rc == 0)
            rc = arc;
    }
    dg_log(DG_LOG_INFO, "stopped", "role", "node", NULL);
    return rc;
}

void dg_node_stop(struct dg_node *n)
{
    dg_server_stop(n->srv);
}

void dg_node_free(struct dg_node *n)
{
    if (!n)
        return;
    if (n->audit)
        dg_audit_close(n->audit);
    dg_auditd_client_free(n->seq);
    dg__transparency_close(n); /* before the server: it may hold a parked request */
    dg_server_free(n->srv);
    for (int i = 0; n->loops && i < n->nloops; i++) {
        dg__q_cache_free(&n->loops[i]);
        dg_store_close(n->loops[i].store);
    }
    dg_free(n->loops);
    dg_volume_free(n->volume);
    dg_note_signer_free(n->signer);
    dg__policy_put(n->policy);
    dg_directory_free(n->dir);
    if (n->access_fd > 2)
        close(n->access_fd);
    pthread_mutex_destroy(&n->policy_lock);
    dg_free(n);
}
