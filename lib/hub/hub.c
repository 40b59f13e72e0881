/*
 * hub.c - the interstate hub: checks who is asking, fans a message out to the
 * destination states' nodes over mutual TLS and gathers their answers. The
 * event loops parse and check; one forwarding thread runs every transfer on
 * a libcurl multi handle and resumes each request when its last leg is done.
 */
#include "hub_int.h"

#include <dmvgate/stats.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ANSWER_MAX (1024 * 1024)

/* A message id for an answer the hub itself makes: HUB-<start>-<n>, the
 * start time (hex seconds) keeping ids apart across restarts. */
void dg__hub_mid(struct dg_hub *h, char *out, size_t n)
{
    snprintf(out, n, "%s-%llu", h->mid_prefix,
             (unsigned long long)atomic_fetch_add(&h->mid_seq, 1) + 1);
}

/* ---- routes ---------------------------------------------------------------- */

static int parse_routes(struct dg_hub *h, const char *s, struct dg_error *err)
{
    while (*s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        while (n && *s == ' ')
            s++, n--;
        const char *eq = memchr(s, '=', n);
        if (!eq || eq - s != 2 || n - 3 >= sizeof(h->routes[0].url) ||
            h->nroutes == DG_HUB_MAX_ROUTES) {
            dg_error_set(err, DG_ECONFIG, "routes", -1, "bad route '%.*s' (want STATE=URL)", (int)n,
                         s);
            return DG_ECONFIG;
        }
        struct route *r = &h->routes[h->nroutes++];
        memcpy(r->state, s, 2);
        r->state[2] = '\0';
        snprintf(r->url, sizeof(r->url), "%.*s", (int)(n - 3), eq + 1);
        size_t ul = strlen(r->url);
        while (ul && (r->url[ul - 1] == '/' || r->url[ul - 1] == ' '))
            r->url[--ul] = '\0';
        s += n;
        if (*s == ',')
            s++;
    }
    return h->nroutes ? 0 : DG_ECONFIG;
}

int dg__hub_route_index(const struct dg_hub *h, const char *state)
{
    for (int i = 0; i < h->nroutes; i++)
        if (strcmp(h->routes[i].state, state) == 0)
            return i;
    return -1;
}

static void set_leg(struct dg_hub *h, struct job *j, const char *dest)
{
    struct leg *l = &j->legs[j->nlegs++];
    memcpy(l->dest, dest, 3);
    l->route = dg__hub_route_index(h, dest);
    l->url = l->route >= 0 ? h->routes[l->route].url : NULL;
    l->job = j;
}

/* ---- answers --------------------------------------------------------------- */

/* An ER FAILED for one destination, in the request's form. */
static void leg_error(const struct job *j, const struct leg *l, int code, struct dg_buf *out)
{
    struct dg_msg_resp *r = NULL;
    struct dg_error e;
    dg_error_clear(&e);
    char mid[32];
    dg__hub_mid(j->hub, mid, sizeof(mid));
    bool denied = code == DG_ENETBLOCKED;
    int rc = dg_msg_resp_begin_for(&r, &j->msg, l->dest, mid,
                                   denied ? DG_STS_DENIED : DG_STS_FAILED, &e);
    if (rc == 0)
        rc = dg_msg_resp_set_error(r, code, NULL, -1, denied ? l->block_reason : dg_strerror(code),
                                   &e);
    if (rc == 0 && denied)
        rc = dg_msg_resp_set_rule(r, l->block_rule, &e);
    if (rc == 0)
        rc = j->json ? dg_msg_resp_to_json(r, out, &e) : dg_msg_resp_to_text(r, out, &e);
    if (rc != 0)
        dg_log(DG_LOG_ERROR, "hub_er_failed", "code", dg_errname(rc), "msg", e.msg, NULL);
    dg_msg_resp_free(r);
}

static int leg_code(const struct leg *l)
{
    if (l->blocked)
        return l->audit_rc ? DG_EAUDITDOWN : DG_ENETBLOCKED;
    if (!l->url)
        return DG_ENOSTATEROUTE;
    if (l->cc == CURLE_OPERATION_TIMEDOUT)
        return DG_EUPTIMEOUT;
    if (l->cc != CURLE_OK || l->status == 0)
        return DG_EUNREACHABLE;
    return 0;
}

static void job_free(struct job *j)
{
    for (int i = 0; i < j->nlegs; i++) {
        dg_buf_release(&j->legs[i].body);
        curl_slist_free_all(j->legs[i].headers);
    }
    dg_free(j->body);
    dg_free(j);
}

/* On the request's loop: put the legs' answers together and reply. */
static void finish(struct dg_req *req, void *arg)
{
    struct job *j = arg;
    struct dg_buf out;
    dg_buf_init(&out, (size_t)DG_HUB_MAX_FANOUT * ANSWER_MAX + 4096);
    int status = 200;
    const char *ctype = j->json ? "application/json" : "text/plain";
    if (j->nlegs == 1) {
        struct leg *l = &j->legs[0];
        int code = leg_code(l);
        if (code) {
            leg_error(j, l, code, &out);
            status = code == DG_EUPTIMEOUT    ? 504
                     : code == DG_ENETBLOCKED ? 403
                     : code == DG_EAUDITDOWN  ? 503
                                              : 502;
            if (code == DG_EAUDITDOWN)
                dg_req_set_header(req, "Retry-After", "1");
        } else {
            dg_buf_add(&out, l->body.data ? l->body.data : "", l->body.len);
            status = (int)l->status;
            if (l->ctype[0])
                ctype = l->ctype;
        }
    } else {
        if (j->json)
            dg_buf_addstr(&out, "{\"answers\":[");
        for (int i = 0; i < j->nlegs; i++) {
            struct leg *l = &j->legs[i];
            if (i)
                dg_buf_addstr(&out, j->json ? "," : "\n");
            int code = leg_code(l);
            if (code)
                leg_error(j, l, code, &out);
            else
                dg_buf_add(&out, l->body.data ? l->body.data : "", l->body.len);
            while (!j->json && out.len && out.data[out.len - 1] == '\n')
                out.len--, out.data[out.len] = '\0';
            if (!j->json)
                dg_buf_addc(&out, '\n');
        }
        if (j->json)
            dg_buf_addstr(&out, "]}");
    }
    char n[8];
    snprintf(n, sizeof(n), "%d", j->nlegs);
    dg_req_note(req, "dests", n);
    if (!j->is_get)
        dg__hub_count_job(j->hub, j);
    dg_req_reply(req, status, ctype, out.data ? out.data : "", out.len);
    dg_buf_release(&out);
    job_free(j);
}

/* ---- the forwarding thread -------------------------------------------------- */

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    struct leg *l = arg;
    size_t n = size * nmemb;
    return dg_buf_add(&l->body, p, n) == 0 ? n : 0;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct leg *l = arg;
    size_t n = size * nmemb;
    if (n > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
        size_t i = 13;
        while (i < n && p[i] == ' ')
            i++;
        size_t e = n;
        while (e > i && (p[e - 1] == '\r' || p[e - 1] == '\n'))
            e--;
        snprintf(l->ctype, sizeof(l->ctype), "%.*s", (int)(e - i), p + i);
    }
    return n;
}

static void leg_done(struct dg_hub *h, struct leg *l)
{
    if (l->easy) {
        curl_easy_getinfo(l->easy, CURLINFO_RESPONSE_CODE, &l->status);
        curl_multi_remove_handle(h->multi, l->easy);
        curl_easy_cleanup(l->easy);
        l->easy = NULL;
    }
    if (!l->blocked && (l->cc != CURLE_OK || leg_code(l)))
        atomic_fetch_add(&h->failed_legs, 1);
    struct job *j = l->job;
    if (atomic_fetch_sub(&j->pending, 1) == 1)
        dg_req_resume(j->req, finish, j);
}

/* A blocked leg whose refusal is recorded (on the audit completion thread). */
static void blocked_done(struct leg *l)
{
    leg_done(l->job->hub, l);
}

static void start_leg(struct dg_hub *h, struct job *j, struct leg *l)
{
    const struct dg_config *c = h->cfg;
    dg_buf_init(&l->body, ANSWER_MAX);
    if (!l->url) {
        leg_done(h, l);
        return;
    }
    char url[512], hdr[128];
    snprintf(url, sizeof(url), "%s%s", l->url, j->path);
    CURL *e = curl_easy_init();
    if (!e) {
        l->cc = CURLE_OUT_OF_MEMORY;
        leg_done(h, l);
        return;
    }
    l->easy = e;
    snprintf(hdr, sizeof(hdr), "X-DG-Origin-ORI: %s", j->msg.ori);
    l->headers = curl_slist_append(l->headers, hdr);
    if (c->dev_mode) {
        snprintf(hdr, sizeof(hdr), "X-DG-ORI: %s", j->msg.ori);
        l->headers = curl_slist_append(l->headers, hdr);
    }
    l->headers = curl_slist_append(l->headers, "Expect:");
    if (!j->is_get) {
        snprintf(hdr, sizeof(hdr), "Content-Type: %s", j->ctype);
        l->headers = curl_slist_append(l->headers, hdr);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)j->len);
    }
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, l->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, l);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, l);
    curl_easy_setopt(e, CURLOPT_PRIVATE, l);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, c->upstream_timeout);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->upstream_timeout);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!c->dev_mode) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, c->hub_cert);
        curl_easy_setopt(e, CURLOPT_SSLKEY, c->hub_key);
        curl_easy_setopt(e, CURLOPT_CAINFO, c->tls_client_ca);
    }
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        l->cc = CURLE_FAILED_INIT;
        leg_done(h, l);
    }
}

static void *forwarder(void *arg)
{
    struct dg_hub *h = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    while (!atomic_load(&h->stop)) {
        pthread_mutex_lock(&h->mu);
        struct job *q = h->queue;
        h->queue = NULL;
        pthread_mutex_unlock(&h->mu);
        while (q) {
            struct job *j = q;
            q = q->next;
            /* j may be gone once its last leg is done: pick the legs to
             * start before starting any. */
            struct leg *todo[DG_HUB_MAX_FANOUT];
            int n = 0;
            for (int i = 0; i < j->nlegs; i++)
                if (!j->legs[i].blocked)
                    todo[n++] = &j->legs[i];
            for (int i = 0; i < n; i++)
                start_leg(h, j, todo[i]);
        }
        int running = 0;
        curl_multi_perform(h->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(h->multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            struct leg *l = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&l);
            l->cc = m->data.result;
            leg_done(h, l);
        }
        curl_multi_poll(h->multi, NULL, 0, 1000, NULL);
    }
    return NULL;
}

static void enqueue(struct dg_hub *h, struct job *j)
{
    pthread_mutex_lock(&h->mu);
    j->next = h->queue;
    h->queue = j;
    pthread_mutex_unlock(&h->mu);
    curl_multi_wakeup(h->multi);
}

/* ---- handlers ---------------------------------------------------------------- */

/* Refuse a message before routing it: an ER for the requester, recorded in
 * the hub's audit log as a security event before it is sent. */
static void refuse(struct dg_req *req, struct dg_hub *h, const struct dg_msg_req *m, bool json,
                   int status, int code, const char *why, enum dg_audit_event ev,
                   const struct dg_agency *a)
{
    atomic_fetch_add(&h->refused, 1);
    dg_req_note(req, "refused", dg_errname(code));
    struct dg_msg_resp *r = NULL;
    struct dg_error e;
    struct dg_buf out;
    dg_buf_init(&out, 64 * 1024);
    char mid[32];
    dg__hub_mid(h, mid, sizeof(mid));
    const char *ctype = json ? "application/json" : "text/plain";
    if (!(dg_msg_resp_begin_for(&r, m, "NL", mid, DG_STS_INVALID, &e) == 0 &&
          dg_msg_resp_set_error(r, code, NULL, -1, why, &e) == 0 &&
          (json ? dg_msg_resp_to_json(r, &out, &e) : dg_msg_resp_to_text(r, &out, &e)) == 0)) {
        dg_buf_reset(&out);
        dg_buf_printf(&out, "{\"error\":{\"code\":%d,\"name\":\"%s\",\"message\":\"%s\"}}\n", -code,
                      dg_errname(code), why);
        ctype = "application/json";
    }
    dg_msg_resp_free(r);
    char detail[128];
    snprintf(detail, sizeof(detail), "hub: %s", dg_strerror(code));
    dg__hub_refuse_recorded(h, req, ev, a, dg_req_ori(req), m->ori, detail, status, ctype, &out);
}

static void on_post(struct dg_req *req, void *arg)
{
    struct dg_hub *h = arg;
    size_t len;
    const char *body = dg_req_body(req, &len);
    bool json = dg_msg_sniff(body, len) == DG_MSG_JSON;
    struct job *j = dg_calloc(1, sizeof(*j));
    if (!j) {
        dg_req_error(req, 503, DG_ENOMEM, "out of memory");
        return;
    }
    struct dg_error e;
    int rc = dg_msg_req_parse(&j->msg, body, len, &e);
    if (rc != 0) {
        dg_free(j);
        atomic_fetch_add(&h->refused, 1);
        dg_req_error(req, 400, rc, e.msg);
        return;
    }
    const char *ori = dg_req_ori(req);
    if (!ori) {
        refuse(req, h, &j->msg, json, 401, DG_ENOIDENT, "the requester is not identified",
               DG_EVENT_BAD_CERTIFICATE, NULL);
        dg_free(j);
        return;
    }
    const struct dg_agency *a = dg_directory_find(h->dir, ori, strlen(ori));
    if (strcmp(ori, j->msg.ori) != 0) {
        refuse(req, h, &j->msg, json, 403, DG_EORIMISMATCH,
               "the message's ORI is not the one of the requester's certificate",
               DG_EVENT_ORI_MISMATCH, a);
        dg_free(j);
        return;
    }
    if (!a) {
        refuse(req, h, &j->msg, json, 403, DG_EUNKNOWNAGENCY,
               "the requester is not in the agency directory", DG_EVENT_UNKNOWN_AGENCY, NULL);
        dg_free(j);
        return;
    }
    j->hub = h;
    j->req = req;
    j->json = json;
    j->agency = a;
    snprintf(j->path, sizeof(j->path), "/v1/messages");
    const char *ct = dg_req_header(req, "Content-Type");
    snprintf(j->ctype, sizeof(j->ctype), "%s",
             ct ? ct : (json ? "application/json" : "text/plain"));
    j->body = dg_malloc(len + 1);
    if (!j->body) {
        dg_free(j);
        dg_req_error(req, 503, DG_ENOMEM, "out of memory");
        return;
    }
    memcpy(j->body, body, len + 1);
    j->len = len;
    if (j->msg.ndest == 1 && strcmp(j->msg.dest[0], "NL") == 0) {
        for (int i = 0; i < h->nroutes && j->nlegs < DG_HUB_MAX_FANOUT; i++)
            set_leg(h, j, h->routes[i].state);
    } else {
        for (int i = 0; i < j->msg.ndest && j->nlegs < DG_HUB_MAX_FANOUT; i++)
            set_leg(h, j, j->msg.dest[i]);
    }
    int nblocked = dg__hub_blocks_apply(h, j);
    atomic_init(&j->pending, j->nlegs);
    atomic_fetch_add(&h->forwarded, 1);
    dg_req_park(req);
    /* Record the blocked legs before queueing the others: while an
     * unblocked leg is not queued the job cannot finish, so j stays valid
     * here; once it is queued, j may be freed as soon as the answers are in.
     * Pick the blocked legs first, for the same reason. */
    struct leg *blocked[DG_HUB_MAX_FANOUT];
    int nb = 0;
    for (int i = 0; i < j->nlegs; i++)
        if (j->legs[i].blocked)
            blocked[nb++] = &j->legs[i];
    bool forward = nblocked < j->nlegs;
    for (int i = 0; i < nb; i++)
        dg__hub_record_block(h, blocked[i], blocked_done);
    if (forward)
        enqueue(h, j);
}

/* GET /v1/messages/MID?state=XX: the requester polls a held answer through the
 * hub; the hub asks state XX's node on the requester's behalf. */
static void on_poll(struct dg_req *req, void *arg)
{
    struct dg_hub *h = arg;
    const char *ori = dg_req_ori(req);
    const char *state = dg_req_query(req, "state");
    if (!ori) {
        dg_req_error(req, 401, DG_ENOIDENT, "the requester is not identified");
        return;
    }
    if (!state || strlen(state) != 2) {
        dg_req_error(req, 400, DG_EINVAL, "a poll through the hub needs ?state=XX");
        return;
    }
    const char *path = dg_req_path(req);
    struct job *j = dg_calloc(1, sizeof(*j));
    if (!j || strlen(path) >= sizeof(j->path)) {
        dg_free(j);
        dg_req_error(req, 400, DG_ETOOBIG, "path too long");
        return;
    }
    struct dg_error e;
    if (dg_msg_req_init(&j->msg, DG_KEY_DQ, ori, &e) != 0) {
        dg_free(j);
        dg_req_error(req, 403, DG_ENOIDENT, "the requester's ORI is not valid");
        return;
    }
    j->hub = h;
    j->req = req;
    j->is_get = true;
    snprintf(j->path, sizeof(j->path), "%s", path);
    char dest[3] = {state[0], state[1], '\0'};
    set_leg(h, j, dest);
    atomic_init(&j->pending, 1);
    dg_req_park(req);
    enqueue(h, j);
}

static void on_health(struct dg_req *req, void *arg)
{
    (void)arg;
    dg_req_reply(req, 200, "text/plain", "ok\n", 3);
}

/* ---- life ---------------------------------------------------------------------- */

static void on_signal(int signo, void *arg)
{
    struct dg_hub *h = arg;
    if (signo == SIGHUP) {
        dg__hub_blocks_reload(h);
        return;
    }
    dg_log(DG_LOG_INFO, "stopping", "signal", signo == SIGINT ? "SIGINT" : "SIGTERM", NULL);
    dg_server_stop(h->srv);
}

int dg_hub_open(struct dg_hub **out, const struct dg_config *c, struct dg_error *err)
{
    *out = NULL;
    struct dg_hub *h = dg_calloc(1, sizeof(*h));
    if (!h)
        return DG_ENOMEM;
    h->cfg = c;
    pthread_mutex_init(&h->mu, NULL);
    pthread_mutex_init(&h->edit_mu, NULL);
    pthread_rwlock_init(&h->blocks_lock, NULL);
    snprintf(h->mid_prefix, sizeof(h->mid_prefix), "HUB-%llx",
             (unsigned long long)(dg_now_us() / 1000000));
    int rc = parse_routes(h, c->routes, err);
    if (rc != 0)
        goto fail;
    h->dir = dg_directory_new();
    if (!h->dir) {
        rc = DG_ENOMEM;
        goto fail;
    }
    if ((rc = dg_directory_load_csv(h->dir, c->directory, err)) < 0)
        goto fail;
    if ((rc = dg__hub_audit_open(h, err)) != 0)
        goto fail;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h->multi = curl_multi_init();
    if (!h->multi) {
        rc = DG_ENOMEM;
        goto fail;
    }
    rc = 0;
    struct dg_net_options o;
    dg_net_options_from_config(&o, c);
    if (strcmp(c->access_log, "stderr") == 0)
        o.access_log_fd = 2;
    if ((rc = dg_server_new(&h->srv, &o, err)) != 0)
        goto fail;
    if ((rc = dg_server_route(h->srv, DG_HTTP_POST, "/v1/messages", on_post, h)) ||
        (rc = dg_server_route(h->srv, DG_HTTP_GET, "/v1/messages/*", on_poll, h)) ||
        (rc = dg_server_route(h->srv, DG_HTTP_GET, "/healthz", on_health, h)) ||
        (rc = dg_server_route(h->srv, DG_HTTP_GET, "/metrics", dg__hub_metrics, h)) ||
        (rc = dg_server_route(h->srv, DG_HTTP_GET, "/v1/hub/counts", dg__hub_counts_json, h)) ||
        (rc = dg_server_on_signal(h->srv, SIGTERM, on_signal, h)) ||
        (rc = dg_server_on_signal(h->srv, SIGINT, on_signal, h)) ||
        (rc = dg_server_on_signal(h->srv, SIGHUP, on_signal, h))) {
        dg_error_set(err, rc, "", -1, "cannot set up the hub's routes");
        goto fail;
    }
    if ((rc = dg__hub_admin_open(h, err)) != 0 || (rc = dg__hub_counts_open(h, err)) != 0)
        goto fail;
    *out = h;
    return 0;
fail:
    dg_hub_free(h);
    return rc;
}

const char *dg_hub_address(const struct dg_hub *h)
{
    return dg_server_address(h->srv);
}

int dg_hub_run(struct dg_hub *h)
{
    if (pthread_create(&h->thread, NULL, forwarder, h) != 0)
        return DG_EINTERNAL;
    h->thread_started = true;
    dg_log(DG_LOG_INFO, "hub_listening", "addr", dg_server_address(h->srv), NULL);
    int rc = dg_server_run(h->srv);
    atomic_store(&h->stop, true);
    curl_multi_wakeup(h->multi);
    pthread_join(h->thread, NULL);
    h->thread_started = false;
    return rc;
}

void dg_hub_free(struct dg_hub *h)
{
    if (!h)
        return;
    if (h->thread_started) {
        atomic_store(&h->stop, true);
        curl_multi_wakeup(h->multi);
        pthread_join(h->thread, NULL);
    }
    /* Jobs never started or still in flight are abandoned with the server. */
    struct job *q = h->queue;
    while (q) {
        struct job *n = q->next;
        job_free(q);
        q = n;
    }
    dg__hub_counts_close(h);
    if (h->srv)
        dg_server_free(h->srv);
    dg__hub_audit_close(h); /* after the server: no refusal is recorded any more */
    dg__hub_admin_close(h);
    if (h->multi)
        curl_multi_cleanup(h->multi);
    if (h->dir)
        dg_directory_free(h->dir);
    pthread_rwlock_destroy(&h->blocks_lock);
    pthread_mutex_destroy(&h->edit_mu);
    pthread_mutex_destroy(&h->mu);
    dg_free(h);
}
