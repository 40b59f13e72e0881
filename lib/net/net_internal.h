/*
 * net_internal.h - what the files of lib/net share: the server, its loops,
 * connections and requests. Not a public header.
 *
 *   server.c  the server: sockets, loops, threads, routes, dispatch, stop
 *   tls.c     OpenSSL context, client-certificate checks, connection objects
 *   req.c     the request API, answers, parking and resuming, access log
 */
#ifndef DG_NET_INTERNAL_H
#define DG_NET_INTERNAL_H

#include <dmvgate/net.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>

#include <pthread.h>
#include <stdatomic.h>

#define DG__NET_MAX_ROUTES 64
#define DG__NET_MAX_NOTES  6

struct dg__loop;

/* One client connection (TLS or plain). Freed with its bufferevent. */
struct dg__conn {
    struct dg__loop *loop;
    SSL *ssl;        /* NULL in development mode */
    bool identified; /* cn/ori/hub computed from the certificate */
    bool hub;
    char cn[65];
    char ori[10];     /* 9 characters + NUL */
    char refusal[96]; /* why the handshake was refused, "" if it was not */
    /* The request deadline: evhttp's timeout restarts on every byte read, so
     * a client dribbling a request would hold the connection for ever. This
     * timer runs from accept, and again from each answer sent, until a whole
     * request (headers and body) has arrived; when it fires the connection
     * is closed. */
    struct bufferevent *bev;
    struct event *deadline;
    bool busy;                    /* a request was dispatched, its answer is not sent */
    struct dg__conn *next, *prev; /* development mode: the loop's plain connections */
};

struct dg__note {
    char key[32];
    char value[64];
};

enum dg__req_state { DG__REQ_ACTIVE, DG__REQ_PARKED, DG__REQ_DONE };

struct dg_req {
    struct dg__loop *loop;
    struct evhttp_request *ev;
    enum dg__req_state state;
    enum dg_http_method method;
    uint64_t start_ns;
    const char *route; /* matched pattern, for the access log */
    char path[512];
    const char *query; /* into the URI, or NULL */
    bool query_parsed;
    struct evkeyvalq query_kv;
    size_t body_len;
    bool body_ready;
    bool hub;
    char cn[65];
    char ori[10];
    int nnotes;
    struct dg__note notes[DG__NET_MAX_NOTES];
    /* resume queue */
    dg_handler_fn resume_fn;
    void *resume_arg;
    struct dg_req *next;
};

struct dg__loop {
    struct dg_server *srv;
    int index;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    pthread_t thread;
    bool thread_started;

    int conns;     /* open now, on this loop */
    int max_conns; /* this loop's share of max_connections */
    bool paused;   /* listener disabled at max_conns */
    int inflight;  /* requests dispatched and not answered */
    int sending;   /* answers not yet written to their connection */
    bool draining;

    pthread_mutex_t qlock; /* the resume queue, filled from any thread */
    struct dg_req *qhead, *qtail;
    struct event *qev;
    struct event *stop_ev;
    struct event *grace_ev;
    struct event *flush_ev;
    struct event *adopt_ev; /* development mode: connections made this turn */
    struct {
        struct bufferevent *bev;
        struct dg__conn *conn;
    } adopt[64];
    int nadopt;
    struct dg__conn *plain; /* development mode: open connections, to find them by bufferevent */

    struct dg_req *pool; /* free request objects */
    struct dg_req *cur;  /* the request whose handler is running */
    bool cur_answered;

    struct dg_buf log; /* access-log lines not yet written */
    int64_t log_sec;
    char log_ts[40];

    _Atomic uint64_t st_connections, st_open, st_tls_failures, st_requests, st_parked,
        st_refused_busy, st_timeouts, st_status[6];
};

struct dg__route {
    unsigned methods;
    char path[64];
    size_t len;
    bool prefix;
    dg_handler_fn fn;
    void *arg;
};

struct dg__sig {
    int signo;
    void (*fn)(int, void *);
    void *arg;
    struct event *ev;
};

struct dg_server {
    struct dg_net_options o;
    char *listen, *hub_identity; /* owned copies */
    SSL_CTX *ssl;
    struct dg__loop *loops;
    int nloops;
    struct dg__route routes[DG__NET_MAX_ROUTES];
    int nroutes;
    dg_error_writer_fn errw;
    void *errw_arg;
    struct dg__sig sigs[8];
    int nsigs;
    char address[300];
    atomic_bool stopping;
};

#define DG__BUMP(x) atomic_fetch_add_explicit(&(x), 1, memory_order_relaxed)
#define DG__DROP(x) atomic_fetch_sub_explicit(&(x), 1, memory_order_relaxed)

/* tls.c */
int dg__tls_ctx_new(struct dg_server *s, struct dg_error *err);
struct bufferevent *dg__bev_new(struct event_base *base, void *loop);
void dg__conn_identify(struct dg__conn *c);
struct dg__conn *dg__conn_of(struct evhttp_request *ev);
void dg__adopt_cb(evutil_socket_t fd, short what, void *loop);
struct dg__conn *dg__conn_find(struct dg__loop *l, struct evhttp_request *ev);
void dg__conn_request_done(struct dg__conn *c, bool done);

/* req.c */
void dg__req_dispatch(struct evhttp_request *ev, void *loop);
void dg__resume_drain(evutil_socket_t fd, short what, void *loop);
void dg__log_flush(struct dg__loop *l);
void dg__log_flush_cb(evutil_socket_t fd, short what, void *loop);
void dg__req_pool_free(struct dg__loop *l);

/* server.c */
void dg__loop_conn_closed(struct dg__loop *l);
void dg__loop_maybe_exit(struct dg__loop *l);

#endif
