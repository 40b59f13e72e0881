/*
 * server.c - the server of lib/net: listening sockets, one event loop per
 * thread, the route table, signals, graceful stop and counters.
 *
 * Each loop has its own event_base, evhttp and SO_REUSEPORT listening socket
 * bound to the same address, so the kernel spreads new connections over the
 * loops and nothing is shared per request except the read-only route table
 * and TLS context. What crosses threads is small and explicit: the resume
 * queue of each loop (see req.c), the stop signal, and relaxed counters.
 */
#include "net_internal.h"

#include <dmvgate/config.h>

#include <event2/listener.h>
#include <event2/thread.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void dg_net_options_from_config(struct dg_net_options *o, const struct dg_config *c)
{
    memset(o, 0, sizeof(*o));
    o->listen = c->listen;
    o->threads = dg_config_threads(c);
    o->dev_mode = c->dev_mode;
    o->tls_cert = c->tls_cert;
    o->tls_key = c->tls_key;
    o->tls_client_ca = c->tls_client_ca;
    o->tls_crl = c->tls_crl;
    o->hub_identity = c->hub_identity;
    o->max_body = (size_t)c->max_body;
    o->max_headers = (size_t)c->max_headers;
    o->max_connections = (int)c->max_connections;
    o->timeout_s = (int)c->timeout;
    o->shutdown_grace_s = (int)c->shutdown_grace;
    o->access_log_fd = -1;
}

static pthread_once_t evthread_once = PTHREAD_ONCE_INIT;
static int evthread_rc;

static void init_evthread(void)
{
    evthread_rc = evthread_use_pthreads();
}

/* ---- sockets ---------------------------------------------------------------- */

static int open_socket(const struct addrinfo *ai, struct dg_error *err, const char *addr)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return dg_error_set(err, DG_EBIND, "listen", -1, "cannot make a socket for '%s': %s", addr,
                            strerror(errno));
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        return dg_error_set(err, DG_EBIND, "listen", -1, "cannot listen on '%s': %s", addr,
                            strerror(e));
    }
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

/* ---- loops ------------------------------------------------------------------- */

static void grace_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dg__loop *l = arg;
    char n[16];
    snprintf(n, sizeof(n), "%d", l->inflight);
    dg_log(DG_LOG_WARN, "shutdown_grace_expired", "inflight", n, NULL);
    dg__log_flush(l);
    event_base_loopexit(l->base, NULL);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dg__loop *l = arg;
    if (l->draining)
        return;
    l->draining = true;
    if (l->bound) {
        evhttp_del_accept_socket(l->http, l->bound);
        l->bound = NULL;
    }
    struct timeval tv = {l->srv->o.shutdown_grace_s, 0};
    event_add(l->grace_ev, &tv);
    dg__loop_maybe_exit(l);
}

void dg__loop_maybe_exit(struct dg__loop *l)
{
    if (l->draining && l->inflight == 0 && l->sending == 0) {
        dg__log_flush(l);
        event_base_loopexit(l->base, NULL);
    }
}

void dg__loop_conn_closed(struct dg__loop *l)
{
    l->conns--;
    DG__DROP(l->st_open);
    if (l->paused && l->conns < l->max_conns && l->bound) {
        evconnlistener_enable(evhttp_bound_socket_get_listener(l->bound));
        l->paused = false;
    }
}

static int loop_init(struct dg_server *s, struct dg__loop *l, int index, int fd,
                     struct dg_error *err)
{
    l->srv = s;
    l->index = index;
    pthread_mutex_init(&l->qlock, NULL);
    dg_buf_init(&l->log, 1 << 20);
    int share = (s->o.max_connections + s->nloops - 1) / s->nloops;
    l->max_conns = share < 1 ? 1 : share;
    l->base = event_base_new();
    l->http = l->base ? evhttp_new(l->base) : NULL;
    if (!l->http) {
        close(fd);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "cannot make an event loop");
    }
    evhttp_set_gencb(l->http, dg__req_dispatch, l);
    evhttp_set_bevcb(l->http, dg__bev_new, l);
    /* Up to twice max_body is read so that a modest excess gets a proper
     * refusal from the error writer; beyond that libevent refuses unread. */
    evhttp_set_max_body_size(l->http, (ev_ssize_t)(2 * s->o.max_body));
    evhttp_set_max_headers_size(l->http, (ev_ssize_t)s->o.max_headers);
    evhttp_set_timeout(l->http, s->o.timeout_s);
    evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
    evhttp_set_default_content_type(l->http, "application/json");
    l->bound = evhttp_accept_socket_with_handle(l->http, fd);
    if (!l->bound) {
        close(fd);
        return dg_error_set(err, DG_EBIND, "listen", -1, "cannot accept on '%s'", s->listen);
    }
    l->qev = event_new(l->base, -1, 0, dg__resume_drain, l);
    l->stop_ev = event_new(l->base, -1, 0, stop_cb, l);
    l->grace_ev = evtimer_new(l->base, grace_cb, l);
    l->flush_ev = event_new(l->base, -1, EV_PERSIST, dg__log_flush_cb, l);
    l->adopt_ev = event_new(l->base, -1, 0, dg__adopt_cb, l);
    if (!l->qev || !l->stop_ev || !l->grace_ev || !l->flush_ev || !l->adopt_ev)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "cannot make loop events");
    return 0;
}

int dg_server_new(struct dg_server **out, const struct dg_net_options *o, struct dg_error *err)
{
    pthread_once(&evthread_once, init_evthread);
    if (evthread_rc != 0)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "libevent has no pthreads support");
    char host[256];
    int port;
    if (!o->listen || dg_config_split_addr(o->listen, host, sizeof(host), &port) != 0)
        return dg_error_set(err, DG_ECONFIG, "listen", -1, "bad listen address '%s'",
                            o->listen ? o->listen : "");
    if (o->threads < 1 || o->threads > 256 || o->max_body < 1 || o->max_headers < 256 ||
        o->max_connections < 1 || o->timeout_s < 1 || o->shutdown_grace_s < 0)
        return dg_error_set(err, DG_ECONFIG, NULL, -1, "server limits out of range");
    if (o->dev_mode && !dg_config_host_is_loopback(host))
        return dg_error_set(err, DG_ECONFIG, "listen", -1,
                            "development mode may only listen on loopback, not '%s'", host);

    struct dg_server *s = dg_calloc(1, sizeof(*s));
    if (!s)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    s->o = *o;
    s->listen = dg_strdup(o->listen);
    s->hub_identity = dg_strdup(o->hub_identity ? o->hub_identity : "");
    s->nloops = o->threads;
    s->loops = dg_calloc((size_t)s->nloops, sizeof(*s->loops));
    int rc = 0;
    struct addrinfo *res = NULL;
    if (!s->listen || !s->hub_identity || !s->loops) {
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        goto fail;
    }
    s->o.listen = s->listen;
    s->o.hub_identity = s->hub_identity;
    if ((rc = dg__tls_ctx_new(s, err)) != 0)
        goto fail;
    s->o.tls_cert = s->o.tls_key = s->o.tls_client_ca = s->o.tls_crl = NULL;

    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        rc = dg_error_set(err, DG_EBIND, "listen", -1, "cannot resolve '%s': %s", host,
                          gai_strerror(gai));
        goto fail;
    }
    for (int i = 0; i < s->nloops; i++) {
        int fd = open_socket(res, err, s->listen);
        if (fd < 0) {
            rc = fd;
            goto fail;
        }
        if (i == 0) {
            /* Port 0: every later socket joins the port the first one got. */
            int p = bound_port(fd);
            if (res->ai_family == AF_INET)
                ((struct sockaddr_in *)res->ai_addr)->sin_port = htons((uint16_t)p);
            else if (res->ai_family == AF_INET6)
                ((struct sockaddr_in6 *)res->ai_addr)->sin6_port = htons((uint16_t)p);
            snprintf(s->address, sizeof(s->address),
                     res->ai_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, p);
        }
        if ((rc = loop_init(s, &s->loops[i], i, fd, err)) != 0)
            goto fail;
    }
    freeaddrinfo(res);
    s->errw = NULL;
    *out = s;
    return 0;
fail:
    if (res)
        freeaddrinfo(res);
    dg_server_free(s);
    return rc;
}

int dg_server_route(struct dg_server *s, unsigned methods, const char *path, dg_handler_fn fn,
                    void *arg)
{
    size_t n = strlen(path);
    if (!fn || n == 0 || path[0] != '/' || !methods)
        return DG_EINVAL;
    if (s->nroutes >= DG__NET_MAX_ROUTES || n >= sizeof(s->routes[0].path))
        return DG_ETOOBIG;
    struct dg__route *r = &s->routes[s->nroutes++];
    r->methods = methods | ((methods & DG_HTTP_GET) ? DG_HTTP_HEAD : 0);
    memcpy(r->path, path, n + 1);
    r->prefix = path[n - 1] == '*';
    r->len = r->prefix ? n - 1 : n;
    r->fn = fn;
    r->arg = arg;
    return 0;
}

void dg_server_set_error_writer(struct dg_server *s, dg_error_writer_fn fn, void *arg)
{
    s->errw = fn;
    s->errw_arg = arg;
}

static void sig_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct dg__sig *g = arg;
    g->fn((int)fd, g->arg);
}

int dg_server_on_signal(struct dg_server *s, int signo, void (*fn)(int, void *), void *arg)
{
    if (s->nsigs >= (int)DG_ARRAY_LEN(s->sigs))
        return DG_ETOOBIG;
    struct dg__sig *g = &s->sigs[s->nsigs];
    g->signo = signo;
    g->fn = fn;
    g->arg = arg;
    g->ev = evsignal_new(s->loops[0].base, signo, sig_cb, g);
    if (!g->ev || event_add(g->ev, NULL) != 0) {
        if (g->ev)
            event_free(g->ev);
        g->ev = NULL;
        return DG_ENOMEM;
    }
    s->nsigs++;
    return 0;
}

const char *dg_server_address(const struct dg_server *s)
{
    return s->address;
}

int dg_server_threads(const struct dg_server *s)
{
    return s->nloops;
}

static void *loop_main(void *arg)
{
    struct dg__loop *l = arg;
    event_base_dispatch(l->base);
    return NULL;
}

int dg_server_run(struct dg_server *s)
{
    struct timeval flush = {0, 250000};
    for (int i = 0; i < s->nloops; i++)
        event_add(s->loops[i].flush_ev, &flush);
    /* Signals go to loop 0 only: the other threads start with all blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = 0;
    for (int i = 1; i < s->nloops; i++) {
        if (pthread_create(&s->loops[i].thread, NULL, loop_main, &s->loops[i]) != 0) {
            rc = DG_EINTERNAL;
            break;
        }
        s->loops[i].thread_started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        dg_server_stop(s);
    event_base_dispatch(s->loops[0].base);
    for (int i = 1; i < s->nloops; i++)
        if (s->loops[i].thread_started) {
            pthread_join(s->loops[i].thread, NULL);
            s->loops[i].thread_started = false;
        }
    for (int i = 0; i < s->nloops; i++)
        dg__log_flush(&s->loops[i]);
    return rc;
}

void dg_server_stop(struct dg_server *s)
{
    if (atomic_exchange(&s->stopping, true))
        return;
    for (int i = 0; i < s->nloops; i++)
        if (s->loops[i].stop_ev)
            event_active(s->loops[i].stop_ev, EV_READ, 0);
}

void dg_server_free(struct dg_server *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nsigs; i++)
        event_free(s->sigs[i].ev);
    for (int i = 0; s->loops && i < s->nloops; i++) {
        struct dg__loop *l = &s->loops[i];
        if (!l->srv)
            continue;
        l->bound = NULL; /* evhttp_free closes it; connections closing must not re-enable it */
        l->draining = true;
        dg__adopt_cb(-1, 0, l);
        if (l->http)
            evhttp_free(l->http);
        dg__log_flush(l);
        dg__req_pool_free(l);
        if (l->qev)
            event_free(l->qev);
        if (l->stop_ev)
            event_free(l->stop_ev);
        if (l->grace_ev)
            event_free(l->grace_ev);
        if (l->flush_ev)
            event_free(l->flush_ev);
        if (l->adopt_ev)
            event_free(l->adopt_ev);
        if (l->base)
            event_base_free(l->base);
        pthread_mutex_destroy(&l->qlock);
        dg_buf_release(&l->log);
    }
    if (s->ssl)
        SSL_CTX_free(s->ssl);
    dg_free(s->loops);
    dg_free(s->listen);
    dg_free(s->hub_identity);
    dg_free(s);
}

void dg_server_stats(const struct dg_server *s, struct dg_net_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < s->nloops; i++) {
        struct dg__loop *l = &s->loops[i];
#define GET(x) atomic_load_explicit(&l->x, memory_order_relaxed)
        out->connections += GET(st_connections);
        out->open += GET(st_open);
        out->tls_failures += GET(st_tls_failures);
        out->requests += GET(st_requests);
        out->parked += GET(st_parked);
        out->refused_busy += GET(st_refused_busy);
        out->timeouts += GET(st_timeouts);
        for (int k = 0; k < 6; k++)
            out->status_class[k] += GET(st_status[k]);
#undef GET
    }
}

const char *dg_net_web_dir(const char *dir)
{
    if (dir && dir[0])
        return dir;
    const char *env = getenv("DG_WEB_DIR");
    return env && env[0] ? env : DG_WEB_DIR_DEFAULT;
}
