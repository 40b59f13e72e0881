/*
 * public.c - the node's other resources: the audit log's public face
 * (GET /checkpoint and GET /tile/..., as C2SP tlog-tiles clients expect them,
 * and GET /v1/audit/proof?index=N), GET /healthz, and GET /metrics in the
 * Prometheus text format.
 *
 * The tile and checkpoint files are read through dg_audit_public_read, which
 * accepts only the checkpoint and well-formed tile paths: no other file of
 * the audit directory (the private part above all) can be named, and the
 * server has already refused any path with '%' or characters outside
 * [A-Za-z0-9/._~-].
 */
#include "node_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dg__outcome_names[DG__OUT__COUNT] = {"allow",   "deny",    "review",
                                                       "invalid", "refused", "failed"};
const double dg__lat_bounds[DG__LAT_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

void dg__metrics_count(struct dg_node *n, int loop, int key_idx, enum dg__outcome o,
                       uint64_t start_ns)
{
    struct dg__loop_metrics *m = &n->loops[loop].m;
    atomic_fetch_add_explicit(&m->answers[key_idx][o], 1, memory_order_relaxed);
    uint64_t us = (dg_mono_ns() - start_ns) / 1000;
    int b = 0;
    while (b < DG__LAT_BUCKETS && (double)us > dg__lat_bounds[b] * 1e6)
        b++;
    atomic_fetch_add_explicit(&m->lat[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->lat_sum_us, us, memory_order_relaxed);
}

static void audit_error(struct dg_req *r, int rc, const struct dg_error *e)
{
    if (rc == DG_ENOENT)
        dg_req_error(r, 404, DG_ENOENT, "no such resource");
    else if (rc == DG_EINVAL || rc == DG_ERANGE)
        dg_req_error(r, 400, rc, e->msg[0] ? e->msg : "bad request");
    else
        dg_req_error(r, 503, rc, "the audit log cannot be read");
}

/* A public file of the log: from its directory, or asked of the sequencer
 * (a round trip on a local socket, short enough to take on the loop). */
static int public_read(struct dg_node *n, const char *path, struct dg_buf *b, struct dg_error *e)
{
    return n->seq ? dg_auditd_read(n->seq, path, b, e)
                  : dg_audit_public_read(n->cfg->audit_dir, path, b, e);
}

void dg__handle_checkpoint(struct dg_req *r, void *arg)
{
    struct dg_node *n = arg;
    struct dg_buf b;
    struct dg_error e;
    dg_buf_init(&b, 64 * 1024);
    int rc = public_read(n, "checkpoint", &b, &e);
    if (rc == 0) {
        dg_req_set_header(r, "Cache-Control", "no-cache");
        dg_req_reply(r, 200, "text/plain; charset=utf-8", b.data ? b.data : "", b.len);
    } else {
        audit_error(r, rc, &e);
    }
    dg_buf_release(&b);
}

void dg__handle_tile(struct dg_req *r, void *arg)
{
    struct dg_node *n = arg;
    const char *path = dg_req_path(r);
    struct dg_buf b;
    struct dg_error e;
    dg_buf_init(&b, 1 << 20);
    int rc = public_read(n, path, &b, &e);
    if (rc == 0) {
        /* A full tile never changes; a partial one is replaced as the log grows. */
        dg_req_set_header(r, "Cache-Control",
                          strstr(path, ".p/") ? "no-cache" : "public, max-age=31536000, immutable");
        dg_req_reply(r, 200, "application/octet-stream", b.data ? b.data : "", b.len);
    } else {
        audit_error(r, rc == DG_EINVAL ? DG_ENOENT : rc, &e);
    }
    dg_buf_release(&b);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !s[0] || strlen(s) > 19)
        return DG_EINVAL;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return DG_EINVAL;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return 0;
}

void dg__handle_proof(struct dg_req *r, void *arg)
{
    struct dg_node *n = arg;
    uint64_t index = 0, size = 0;
    const char *s = dg_req_query(r, "size");
    if (parse_u64(dg_req_query(r, "index"), &index) != 0 || (s && parse_u64(s, &size) != 0)) {
        dg_req_error(r, 400, DG_EINVAL,
                     "give index=N (and optionally size=M), whole numbers, e.g. "
                     "/v1/audit/proof?index=0");
        return;
    }
    struct dg_buf b;
    struct dg_error e;
    dg_buf_init(&b, 64 * 1024);
    int rc = n->seq ? dg_auditd_prove(n->seq, index, size, &b, &e)
                    : dg_audit_prove_json(n->cfg->audit_dir, index, size, &b, &e);
    if (rc == 0)
        dg_req_reply(r, 200, "application/json", b.data, b.len);
    else if (rc == DG_ERANGE || rc == DG_EINVAL)
        dg_req_error(r, 404, DG_ERANGE, "no entry with that index in the signed tree");
    else
        audit_error(r, rc, &e);
    dg_buf_release(&b);
}

void dg__handle_health(struct dg_req *r, void *arg)
{
    struct dg_node *n = arg;
    struct dg_audit_stats st;
    dg__audit_stats(n, &st);
    bool ok = !n->test_audit_fail && st.last_error == 0;
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    struct dg__policy_ref *p = dg__policy_get(n);
    dg_buf_printf(&b, "{\"status\":\"%s\",\"role\":\"node\",\"state\":\"%s\",\"policy\":",
                  ok ? "ok" : "degraded", n->state);
    const char *pname = dg_policy_name(p->p);
    dg_buf_add_json_str(&b, pname, strlen(pname));
    dg__policy_put(p);
    dg_buf_printf(&b,
                  ",\"audit\":{\"size\":%llu,\"signed_size\":%llu,\"last_error\":\"%s\"},"
                  "\"dev_mode\":%s}\n",
                  (unsigned long long)st.size, (unsigned long long)st.signed_size,
                  st.last_error ? dg_errname(st.last_error) : "",
                  n->cfg->dev_mode ? "true" : "false");
    dg_req_reply(r, ok ? 200 : 503, "application/json", b.data, b.len);
    dg_buf_release(&b);
}

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

void dg__handle_metrics(struct dg_req *r, void *arg)
{
    struct dg_node *n = arg;
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    dg_buf_addstr(&b, "# HELP dmvgate_requests_total Messages answered, by key and decision.\n"
                      "# TYPE dmvgate_requests_total counter\n");
    for (int k = 0; k <= DG_KEY__COUNT; k++)
        for (int o = 0; o < DG__OUT__COUNT; o++) {
            uint64_t v = 0;
            for (int i = 0; i < n->nloops; i++)
                v += LOAD(n->loops[i].m.answers[k][o]);
            if (v || (k <= DG_KEY_IQ && k % 2 == 0 && o <= DG__OUT_REVIEW))
                dg_buf_printf(&b, "dmvgate_requests_total{key=\"%s\",decision=\"%s\"} %llu\n",
                              k == DG_KEY__COUNT ? "none" : dg_key_name((enum dg_key)k),
                              dg__outcome_names[o], (unsigned long long)v);
        }
    dg_buf_addstr(&b, "# HELP dmvgate_request_duration_seconds Time from a message's arrival "
                      "to its answer.\n"
                      "# TYPE dmvgate_request_duration_seconds histogram\n");
    uint64_t cum = 0, sum_us = 0;
    for (int bk = 0; bk <= DG__LAT_BUCKETS; bk++) {
        for (int i = 0; i < n->nloops; i++)
            cum += LOAD(n->loops[i].m.lat[bk]);
        if (bk < DG__LAT_BUCKETS)
            dg_buf_printf(&b, "dmvgate_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                          dg__lat_bounds[bk], (unsigned long long)cum);
        else
            dg_buf_printf(&b, "dmvgate_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                          (unsigned long long)cum);
    }
    uint64_t store_errors = 0;
    for (int i = 0; i < n->nloops; i++) {
        sum_us += LOAD(n->loops[i].m.lat_sum_us);
        store_errors += LOAD(n->loops[i].m.store_errors);
    }
    dg_buf_printf(&b,
                  "dmvgate_request_duration_seconds_sum %.6f\n"
                  "dmvgate_request_duration_seconds_count %llu\n",
                  (double)sum_us / 1e6, (unsigned long long)cum);

    struct dg_audit_stats st;
    dg__audit_stats(n, &st);
    dg_buf_printf(&b,
                  "# HELP dmvgate_audit_entries Durable entries in the audit log.\n"
                  "# TYPE dmvgate_audit_entries gauge\n"
                  "dmvgate_audit_entries %llu\n"
                  "# HELP dmvgate_audit_signed_entries Entries covered by the latest signed "
                  "checkpoint.\n"
                  "# TYPE dmvgate_audit_signed_entries gauge\n"
                  "dmvgate_audit_signed_entries %llu\n"
                  "# HELP dmvgate_audit_batches_total Group commits (one write and fdatasync "
                  "each).\n"
                  "# TYPE dmvgate_audit_batches_total counter\n"
                  "dmvgate_audit_batches_total %llu\n"
                  "# HELP dmvgate_audit_appends_total Entries made durable by this process.\n"
                  "# TYPE dmvgate_audit_appends_total counter\n"
                  "dmvgate_audit_appends_total %llu\n"
                  "# HELP dmvgate_audit_batch_size_last Entries in the last group commit.\n"
                  "# TYPE dmvgate_audit_batch_size_last gauge\n"
                  "dmvgate_audit_batch_size_last %llu\n"
                  "# HELP dmvgate_audit_batch_size_max Most entries in one group commit.\n"
                  "# TYPE dmvgate_audit_batch_size_max gauge\n"
                  "dmvgate_audit_batch_size_max %llu\n"
                  "# HELP dmvgate_audit_sync_seconds_total Time spent in write and fdatasync.\n"
                  "# TYPE dmvgate_audit_sync_seconds_total counter\n"
                  "dmvgate_audit_sync_seconds_total %.6f\n"
                  "# HELP dmvgate_audit_failures_total Answers refused because the audit log "
                  "could not write.\n"
                  "# TYPE dmvgate_audit_failures_total counter\n"
                  "dmvgate_audit_failures_total %llu\n"
                  "# HELP dmvgate_store_errors_total DMV store reads or writes that failed.\n"
                  "# TYPE dmvgate_store_errors_total counter\n"
                  "dmvgate_store_errors_total %llu\n"
                  "# HELP dmvgate_policy_reloads_total Policy reloads (SIGHUP), by result.\n"
                  "# TYPE dmvgate_policy_reloads_total counter\n"
                  "dmvgate_policy_reloads_total{result=\"ok\"} %llu\n"
                  "dmvgate_policy_reloads_total{result=\"refused\"} %llu\n",
                  (unsigned long long)st.size, (unsigned long long)st.signed_size,
                  (unsigned long long)st.batches, (unsigned long long)st.appends,
                  (unsigned long long)st.last_batch, (unsigned long long)st.max_batch_seen,
                  (double)st.sync_ns_total / 1e9, (unsigned long long)LOAD(n->audit_failures),
                  (unsigned long long)store_errors, (unsigned long long)LOAD(n->reloads_ok),
                  (unsigned long long)LOAD(n->reloads_failed));

    struct dg_net_stats ns;
    dg_server_stats(n->srv, &ns);
    dg_buf_printf(&b,
                  "# HELP dmvgate_connections_total Client connections accepted.\n"
                  "# TYPE dmvgate_connections_total counter\n"
                  "dmvgate_connections_total %llu\n"
                  "# HELP dmvgate_connections_open Client connections open now.\n"
                  "# TYPE dmvgate_connections_open gauge\n"
                  "dmvgate_connections_open %llu\n"
                  "# HELP dmvgate_tls_refused_total TLS handshakes refused (certificate missing, "
                  "expired, revoked, untrusted).\n"
                  "# TYPE dmvgate_tls_refused_total counter\n"
                  "dmvgate_tls_refused_total %llu\n"
                  "# HELP dmvgate_request_timeouts_total Connections closed because no whole "
                  "request arrived within timeout seconds.\n"
                  "# TYPE dmvgate_request_timeouts_total counter\n"
                  "dmvgate_request_timeouts_total %llu\n"
                  "# HELP dmvgate_http_responses_total HTTP answers by status class.\n"
                  "# TYPE dmvgate_http_responses_total counter\n",
                  (unsigned long long)ns.connections, (unsigned long long)ns.open,
                  (unsigned long long)ns.tls_failures, (unsigned long long)ns.timeouts);
    for (int c = 2; c <= 5; c++)
        dg_buf_printf(&b, "dmvgate_http_responses_total{class=\"%dxx\"} %llu\n", c,
                      (unsigned long long)ns.status_class[c]);
    dg_buf_printf(&b,
                  "# HELP dmvgate_requests_parked Requests waiting for their audit record.\n"
                  "# TYPE dmvgate_requests_parked gauge\n"
                  "dmvgate_requests_parked %llu\n",
                  (unsigned long long)ns.parked);
    dg__transparency_metrics(n, &b); /* transparency.c: counters and anomaly alerts */
    dg_req_reply(r, 200, "text/plain; version=0.0.4", b.data, b.len);
    dg_buf_release(&b);
}
