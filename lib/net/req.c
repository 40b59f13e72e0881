/*
 * req.c - requests in lib/net: dispatch through the route table, the request
 * API handlers use, answers, parking and resuming from other threads, and the
 * JSON-lines access log.
 *
 * Request objects come from a per-loop free list so that the common path
 * allocates nothing of ours. A parked request stays valid until it is
 * answered even if its client goes away meanwhile: libevent then detaches the
 * evhttp_request from the dead connection and frees it when we answer. Who the
 * requester is gets copied into the request at dispatch for the same reason:
 * the connection may be gone by the time a parked request resumes.
 */
#include "net_internal.h"

#include <event2/buffer.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- pool ------------------------------------------------------------------- */

static struct dg_req *req_get(struct dg__loop *l)
{
    struct dg_req *r = l->pool;
    if (r) {
        l->pool = r->next;
    } else {
        r = dg_malloc(sizeof(*r));
        if (!r)
            return NULL;
    }
    memset(r, 0, offsetof(struct dg_req, notes));
    r->next = NULL;
    r->loop = l;
    return r;
}

static void req_put(struct dg_req *r)
{
    struct dg__loop *l = r->loop;
    if (r->query_parsed)
        evhttp_clear_headers(&r->query_kv);
    r->state = DG__REQ_DONE;
    r->ev = NULL;
    r->next = l->pool;
    l->pool = r;
}

void dg__req_pool_free(struct dg__loop *l)
{
    /* Queued requests belong to evhttp_requests that evhttp_free() already
     * released: free only our objects. Requests parked and never queued are
     * owned by whoever parked them and were abandoned with the server. */
    struct dg_req *q = l->qhead;
    while (q) {
        struct dg_req *n = q->next;
        if (q->query_parsed)
            evhttp_clear_headers(&q->query_kv);
        dg_free(q);
        q = n;
    }
    l->qhead = l->qtail = NULL;
    while (l->pool) {
        struct dg_req *n = l->pool->next;
        dg_free(l->pool);
        l->pool = n;
    }
}

/* ---- access log ----------------------------------------------------------------- */

void dg__log_flush(struct dg__loop *l)
{
    int fd = l->srv->o.access_log_fd;
    size_t off = 0;
    while (fd >= 0 && off < l->log.len) {
        ssize_t w = write(fd, l->log.data + off, l->log.len - off);
        if (w <= 0)
            break; /* the access log must never stop the server */
        off += (size_t)w;
    }
    dg_buf_reset(&l->log);
}

void dg__log_flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    dg__log_flush(arg);
}

static const char *method_name(enum dg_http_method m)
{
    return m == DG_HTTP_POST ? "POST" : m == DG_HTTP_HEAD ? "HEAD" : "GET";
}

static void access_log(struct dg_req *r, int status, size_t out_bytes)
{
    struct dg__loop *l = r->loop;
    if (l->srv->o.access_log_fd < 0 || dg_log_get_level() > DG_LOG_INFO)
        return;
    int64_t now = dg_now_us();
    if (now / 1000000 != l->log_sec) { /* one gmtime per second and loop */
        l->log_sec = now / 1000000;
        dg_time_iso(l->log_sec * 1000000, l->log_ts, sizeof(l->log_ts));
    }
    struct dg_buf *b = &l->log;
    size_t mark = b->len;
    uint64_t us = (dg_mono_ns() - r->start_ns) / 1000;
    /* The cached timestamp ends in ".000000Z": splice in the microseconds. */
    int rc = dg_buf_printf(b, "{\"ts\":\"%.20s%06ldZ\",\"level\":\"info\",\"event\":\"access\"",
                           l->log_ts, (long)(now % 1000000));
    if (rc == 0)
        rc = dg_buf_printf(b,
                           ",\"loop\":%d,\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,"
                           "\"in\":%zu,\"out\":%zu,\"us\":%llu",
                           l->index, method_name(r->method), r->route ? r->route : "-", status,
                           r->body_len, out_bytes, (unsigned long long)us);
    if (rc == 0 && r->ori[0])
        rc = dg_buf_printf(b, ",\"ori\":\"%s\"", r->ori);
    if (rc == 0 && r->hub)
        rc = dg_buf_addstr(b, ",\"via\":\"hub\"");
    for (int i = 0; rc == 0 && i < r->nnotes; i++) {
        rc = dg_buf_addc(b, ',');
        if (rc == 0)
            rc = dg_buf_add_json_str(b, r->notes[i].key, strlen(r->notes[i].key));
        if (rc == 0)
            rc = dg_buf_addc(b, ':');
        if (rc == 0)
            rc = dg_buf_add_json_str(b, r->notes[i].value, strlen(r->notes[i].value));
    }
    if (rc == 0)
        rc = dg_buf_addstr(b, "}\n");
    if (rc != 0) { /* full: write what is there and drop this line */
        b->len = mark;
        if (b->data)
            b->data[mark] = '\0';
        dg__log_flush(l);
        return;
    }
    if (b->len >= 32 * 1024)
        dg__log_flush(l);
}

/* ---- answering ---------------------------------------------------------------------- */

static void finish(struct dg_req *r, int status, size_t out_bytes)
{
    struct dg__loop *l = r->loop;
    int cls = status / 100;
    DG__BUMP(l->st_status[cls >= 1 && cls <= 5 ? cls : 0]);
    access_log(r, status, out_bytes);
    if (r->state == DG__REQ_PARKED)
        DG__DROP(l->st_parked);
    if (l->cur == r)
        l->cur_answered = true;
    req_put(r);
    l->inflight--;
    dg__loop_maybe_exit(l);
}

static void sent(struct evhttp_request *ev, void *arg)
{
    struct dg__loop *l = arg;
    l->sending--;
    /* The next request on this connection has timeout seconds from now. */
    dg__conn_request_done(dg__conn_find(l, ev), true);
    dg__loop_maybe_exit(l);
}

void dg_req_reply(struct dg_req *r, int status, const char *content_type, const void *body,
                  size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    if (content_type)
        evhttp_add_header(h, "Content-Type", content_type);
    if (r->loop->draining)
        evhttp_add_header(h, "Connection", "close");
    struct evbuffer *out = evhttp_request_get_output_buffer(r->ev);
    if (len)
        evbuffer_add(out, body, len);
    /* A stopping loop must not leave before the answer is on the wire: count
     * the answer until libevent reports it written. Without a connection
     * (the client left while the request was parked) there is nothing to
     * write and libevent frees the request at once. */
    if (evhttp_request_get_connection(r->ev)) {
        r->loop->sending++;
        evhttp_request_set_on_complete_cb(r->ev, sent, r->loop);
    }
    evhttp_send_reply(r->ev, status, NULL, NULL);
    finish(r, status, len);
}

static void default_error_writer(struct dg_req *r, int status, int code, const char *msg,
                                 struct dg_buf *out, void *arg)
{
    (void)status;
    (void)arg;
    dg_req_set_header(r, "Content-Type", "application/json");
    dg_buf_printf(out, "{\"error\":{\"code\":\"%s\",\"message\":", dg_errname(code));
    dg_buf_add_json_str(out, msg, strlen(msg));
    dg_buf_addstr(out, "}}\n");
}

void dg_req_error(struct dg_req *r, int status, int code, const char *msg)
{
    struct dg_buf b;
    dg_buf_init(&b, 16 * 1024);
    struct dg_server *s = r->loop->srv;
    if (s->errw)
        s->errw(r, status, code, msg, &b, s->errw_arg);
    else
        default_error_writer(r, status, code, msg, &b, NULL);
    dg_req_reply(r, status, NULL, b.data ? b.data : "", b.len);
    dg_buf_release(&b);
}

void dg_req_set_header(struct dg_req *r, const char *name, const char *value)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    evhttp_remove_header(h, name);
    evhttp_add_header(h, name, value);
}

void dg_req_note(struct dg_req *r, const char *key, const char *value)
{
    if (r->nnotes >= DG__NET_MAX_NOTES)
        return;
    struct dg__note *n = &r->notes[r->nnotes++];
    snprintf(n->key, sizeof(n->key), "%s", key);
    snprintf(n->value, sizeof(n->value), "%s", value ? value : "");
}

/* ---- parking ---------------------------------------------------------------------- */

void dg_req_park(struct dg_req *r)
{
    if (r->state != DG__REQ_PARKED)
        DG__BUMP(r->loop->st_parked);
    r->state = DG__REQ_PARKED;
    if (r->loop->cur == r)
        r->loop->cur_answered = true;
}

void dg_req_resume(struct dg_req *r, dg_handler_fn fn, void *arg)
{
    struct dg__loop *l = r->loop;
    r->resume_fn = fn;
    r->resume_arg = arg;
    r->next = NULL;
    pthread_mutex_lock(&l->qlock);
    if (l->qtail)
        l->qtail->next = r;
    else
        l->qhead = r;
    l->qtail = r;
    pthread_mutex_unlock(&l->qlock);
    event_active(l->qev, EV_READ, 0);
}

static void run_handler(struct dg_req *r, dg_handler_fn fn, void *arg)
{
    struct dg__loop *l = r->loop;
    l->cur = r;
    l->cur_answered = false;
    fn(r, arg);
    if (!l->cur_answered) {
        dg_log(DG_LOG_ERROR, "handler_no_answer", "route", r->route ? r->route : "-", NULL);
        dg_req_error(r, 500, DG_EINTERNAL, "the server did not produce an answer");
    }
    l->cur = NULL;
}

void dg__resume_drain(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dg__loop *l = arg;
    pthread_mutex_lock(&l->qlock);
    struct dg_req *q = l->qhead;
    l->qhead = l->qtail = NULL;
    pthread_mutex_unlock(&l->qlock);
    while (q) {
        struct dg_req *n = q->next;
        q->next = NULL;
        run_handler(q, q->resume_fn, q->resume_arg);
        q = n;
    }
}

/* ---- dispatch ------------------------------------------------------------------ */

static bool path_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '.' || c == '_' || c == '~' || c == '-';
}

static void identify(struct dg_req *r)
{
    struct dg_server *s = r->loop->srv;
    const char *h;
    if (s->o.dev_mode) {
        h = dg_req_header(r, "X-DG-ORI");
        if (h && dg_net_ori_valid(h, strlen(h)))
            memcpy(r->ori, h, 10);
        return;
    }
    struct dg__conn *c = dg__conn_of(r->ev);
    if (!c)
        return;
    dg__conn_identify(c);
    memcpy(r->cn, c->cn, sizeof(r->cn));
    r->hub = c->hub;
    if (c->hub) {
        h = dg_req_header(r, "X-DG-Origin-ORI");
        if (h && dg_net_ori_valid(h, strlen(h)))
            memcpy(r->ori, h, 10);
    } else {
        memcpy(r->ori, c->ori, sizeof(r->ori));
    }
}

void dg__req_dispatch(struct evhttp_request *ev, void *arg)
{
    struct dg__loop *l = arg;
    struct dg_req *r = req_get(l);
    if (!r) {
        evhttp_send_error(ev, 503, "Out Of Memory");
        return;
    }
    r->ev = ev;
    r->state = DG__REQ_ACTIVE;
    r->start_ns = dg_mono_ns();
    l->inflight++;
    DG__BUMP(l->st_requests);
    switch (evhttp_request_get_command(ev)) {
    case EVHTTP_REQ_POST: r->method = DG_HTTP_POST; break;
    case EVHTTP_REQ_HEAD: r->method = DG_HTTP_HEAD; break;
    default: r->method = DG_HTTP_GET; break;
    }
    r->body_len = evbuffer_get_length(evhttp_request_get_input_buffer(ev));
    identify(r);
    /* A whole request arrived: its handler, not the deadline, decides now. */
    dg__conn_request_done(dg__conn_find(l, ev), false);

    l->cur = r;
    l->cur_answered = false;
    const char *uri = evhttp_request_get_uri(ev);
    size_t plen = strcspn(uri, "?");
    bool ok = uri[0] == '/' && plen < sizeof(r->path);
    for (size_t i = 0; ok && i < plen; i++)
        ok = path_char_ok(uri[i]);
    if (!ok) {
        dg_req_error(r, 400, DG_EBADREQ, "the request path is malformed or too long");
        l->cur = NULL;
        return;
    }
    memcpy(r->path, uri, plen);
    r->path[plen] = '\0';
    r->query = uri[plen] == '?' ? uri + plen + 1 : NULL;
    if (r->body_len > l->srv->o.max_body) {
        char msg[96];
        snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes", l->srv->o.max_body);
        dg_req_error(r, 413, DG_ETOOBIG, msg);
        l->cur = NULL;
        return;
    }
    struct dg_server *s = l->srv;
    for (int i = 0; i < s->nroutes; i++) {
        struct dg__route *rt = &s->routes[i];
        if (rt->prefix ? strncmp(r->path, rt->path, rt->len) != 0 : strcmp(r->path, rt->path) != 0)
            continue;
        r->route = rt->path;
        if (!(rt->methods & r->method)) {
            char allow[32];
            snprintf(allow, sizeof(allow), "%s%s%s", (rt->methods & DG_HTTP_GET) ? "GET, HEAD" : "",
                     (rt->methods & DG_HTTP_GET) && (rt->methods & DG_HTTP_POST) ? ", " : "",
                     (rt->methods & DG_HTTP_POST) ? "POST" : "");
            dg_req_set_header(r, "Allow", allow);
            dg_req_error(r, 405, DG_EMETHOD, "this resource does not accept that method");
            l->cur = NULL;
            return;
        }
        run_handler(r, rt->fn, rt->arg);
        return;
    }
    dg_req_error(r, 404, DG_ENOROUTE, "no such resource");
    l->cur = NULL;
}

/* ---- the request API ----------------------------------------------------------- */

enum dg_http_method dg_req_method(const struct dg_req *r)
{
    return r->method;
}

const char *dg_req_path(const struct dg_req *r)
{
    return r->path;
}

const char *dg_req_query(struct dg_req *r, const char *name)
{
    if (!r->query)
        return NULL;
    if (!r->query_parsed) {
        /* evhttp_parse_query_str initialises query_kv itself. */
        if (evhttp_parse_query_str(r->query, &r->query_kv) != 0) {
            evhttp_clear_headers(&r->query_kv);
            return NULL;
        }
        r->query_parsed = true;
    }
    return evhttp_find_header(&r->query_kv, name);
}

const char *dg_req_header(const struct dg_req *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

const char *dg_req_body(struct dg_req *r, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    if (!r->body_ready) {
        evbuffer_add(in, "", 1); /* a NUL after the body, so parsers may rely on it */
        r->body_ready = true;
    }
    const char *p = (const char *)evbuffer_pullup(in, -1);
    *len = r->body_len;
    return p ? p : "";
}

const char *dg_req_ori(struct dg_req *r)
{
    return r->ori[0] ? r->ori : NULL;
}

const char *dg_req_peer_cn(struct dg_req *r)
{
    return r->cn[0] ? r->cn : NULL;
}

void dg_req_peer_addr(struct dg_req *r, char out[64])
{
    out[0] = '\0';
    struct evhttp_connection *c = r->ev ? evhttp_request_get_connection(r->ev) : NULL;
    char *host = NULL;
    ev_uint16_t port = 0;
    if (c)
        evhttp_connection_get_peer(c, &host, &port);
    if (host)
        snprintf(out, 64, "%s", host);
}

bool dg_req_via_hub(struct dg_req *r)
{
    return r->hub;
}

int dg_req_loop(const struct dg_req *r)
{
    return r->loop->index;
}

uint64_t dg_req_start_ns(const struct dg_req *r)
{
    return r->start_ns;
}
