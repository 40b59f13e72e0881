/*
 * net.h - the HTTPS server under the node (and later the hub and the review
 * console): libevent 2.1 evhttp, one event loop per thread, TLS through
 * bufferevent_openssl with OpenSSL 3, client certificates required.
 *
 * Threads. dg_server_run() runs N event loops, each with its own event_base
 * and evhttp on its own SO_REUSEPORT listening socket on the same port, so the
 * kernel spreads connections over the loops and no lock is taken per request.
 * A request and its connection live on one loop for their whole life.
 *
 * Who is asking. In production every client presents a certificate issued by
 * tls_client_ca (checked for expiry and, with tls_crl, revocation, during the
 * handshake). The subject commonName of an agency's certificate is its ORI
 * (exactly 9 characters, e.g. CN=CO0010000): dg_req_ori() returns it. The hub
 * (the one peer whose certificate CN equals hub_identity) forwards requests of
 * other agencies and states their ORI in the X-DG-Origin-ORI header; only for
 * the hub is that header believed. In development mode (plain HTTP, loopback
 * only) the ORI is read from the X-DG-ORI header: anyone can claim anything,
 * which is why the server says so loudly when it starts.
 *
 * Parking. A handler may return without answering after dg_req_park(); any
 * thread (for example the audit writer, once an entry is durable) later calls
 * dg_req_resume(), which queues the request back onto its own loop and wakes
 * that loop; the continuation runs there. The loops never wait on a disk sync.
 *
 * Limits. Body size, header size, connections per loop, and per-connection
 * timeouts are set from struct dg_net_options. Bodies between max_body and
 * twice max_body are read and refused with 413 through the error writer (an ER
 * in the request's form, when the node installs its writer); longer ones are
 * cut off by libevent with a bare 413 before being read.
 *
 * Access log. One JSON line per request: time, loop, method, the matched route
 * pattern (never the raw path: a path is client input), status, bytes in and
 * out, microseconds, requester ORI and the notes a handler adds with
 * dg_req_note(). No body, no query string, no personal data.
 */
#ifndef DMVGATE_NET_H
#define DMVGATE_NET_H

#include <dmvgate/core.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dg_config;
struct dg_server;
struct dg_req;

struct dg_net_options {
    const char *listen;   /* "host:port" / "[v6]:port"; port 0 = a free port */
    int threads;          /* event loops, >= 1 */
    bool dev_mode;        /* plain HTTP, loopback only, ORI from X-DG-ORI */
    const char *tls_cert; /* PEM chain; production only */
    const char *tls_key;
    const char *tls_client_ca;
    const char *tls_crl;      /* "" or NULL: no revocation list */
    const char *hub_identity; /* "" or NULL: no hub */
    size_t max_body;
    size_t max_headers;
    int max_connections; /* all loops together; each loop gets its share */
    int timeout_s;
    int shutdown_grace_s;
    int access_log_fd; /* -1: no access log. Not closed by the server */
};

/* Fill o from a loaded configuration (strings point into c; c must outlive o).
 * access_log_fd is left -1: opening the log is the caller's business. */
void dg_net_options_from_config(struct dg_net_options *o, const struct dg_config *c);

enum dg_http_method { DG_HTTP_GET = 1, DG_HTTP_POST = 2, DG_HTTP_HEAD = 4 };

typedef void (*dg_handler_fn)(struct dg_req *req, void *arg);

/*
 * Writes the body of an error the server itself answers (400, 404, 405, 413,
 * 500, 503) into out, and sets its content type with dg_req_set_header. code
 * is a DG_E... code, msg a sentence. The default writes
 * {"error":{"code":"ENOTFOUND","message":"..."}} as application/json.
 */
typedef void (*dg_error_writer_fn)(struct dg_req *req, int status, int code, const char *msg,
                                   struct dg_buf *out, void *arg);

/* ---- the server ------------------------------------------------------------ */

/*
 * Make a server: load the TLS material (production), open and bind the
 * listening sockets (so that "address in use" and a bad certificate are
 * reported here, before anything runs) and make the event loops. Nothing is
 * served until dg_server_run(). Returns 0 and *out, or DG_ECONFIG (bad
 * options), DG_ETLS (certificate, key, CA or CRL), DG_EBIND (cannot listen),
 * DG_ENOMEM, with detail in err.
 */
int dg_server_new(struct dg_server **out, const struct dg_net_options *o, struct dg_error *err);

/*
 * Add a route: methods is a mask of DG_HTTP_*, path an exact path
 * ("/healthz") or a prefix: a path ending in '*', such as /tile/ + '*'. Routes are tried in the
 * order added; the first whose path matches decides (405 when its methods do
 * not). HEAD is routed like GET. At most 64 routes; only before
 * dg_server_run(). Returns 0, DG_EINVAL or DG_ETOOBIG. fn runs on the
 * request's loop; arg is shared by every loop.
 */
int dg_server_route(struct dg_server *s, unsigned methods, const char *path, dg_handler_fn fn,
                    void *arg);

/* Replace the writer of the server's own error bodies (before run). */
void dg_server_set_error_writer(struct dg_server *s, dg_error_writer_fn fn, void *arg);

/*
 * Call fn(signo, arg) on loop 0's thread when signal signo arrives (SIGHUP,
 * SIGTERM, ...). Before dg_server_run(); the other loops' threads block every
 * signal, so the handler always runs in loop 0. Returns 0 or DG_ENOMEM.
 */
int dg_server_on_signal(struct dg_server *s, int signo, void (*fn)(int signo, void *arg),
                        void *arg);

/* The bound address as "host:port" (the real port when 0 was asked). Valid
 * until dg_server_free(). */
const char *dg_server_address(const struct dg_server *s);

/* The directory of the pages a server serves (web/): dir when given and not
 * empty, else $DG_WEB_DIR, else the source tree's web/ this was built from.
 * Never NULL. */
const char *dg_net_web_dir(const char *dir);

/* Number of event loops. */
int dg_server_threads(const struct dg_server *s);

/*
 * Run every loop (loop 0 on the calling thread, the others on new threads)
 * until dg_server_stop() and the drain that follows finish. Returns 0 or
 * DG_EINTERNAL (a thread could not start). Call once.
 */
int dg_server_run(struct dg_server *s);

/*
 * Begin a graceful stop: stop accepting connections, answer requests already
 * in flight (parked ones included, with "Connection: close"), then leave the
 * loops; after shutdown_grace_s seconds the loops leave anyway. Thread-safe;
 * callable from a handler or a signal callback (not from a signal handler).
 */
void dg_server_stop(struct dg_server *s);

/*
 * Free the server after dg_server_run() returned (or without running it).
 * Requests still parked are abandoned: whoever holds them must have stopped
 * calling dg_req_resume() before this.
 */
void dg_server_free(struct dg_server *s);

/* Counters since start, summed over loops (read without locks; each value is
 * exact but they are not one snapshot). */
struct dg_net_stats {
    uint64_t connections;     /* accepted */
    uint64_t open;            /* open now */
    uint64_t tls_failures;    /* handshakes refused (bad, expired, revoked cert) */
    uint64_t requests;        /* dispatched to a route or answered with an error */
    uint64_t parked;          /* parked now */
    uint64_t refused_busy;    /* times a loop stopped accepting at its connection share */
    uint64_t timeouts;        /* connections closed because a request took longer than timeout */
    uint64_t status_class[6]; /* answers by status class: [2] = 2xx ... [5] = 5xx */
};
void dg_server_stats(const struct dg_server *s, struct dg_net_stats *out);

/* ---- a request (valid from the handler's call until its answer) ------------- */

enum dg_http_method dg_req_method(const struct dg_req *r);
/* The request path, without the query (raw, not percent-decoded: the server
 * refuses paths with '%' or characters outside [A-Za-z0-9/._~-] with 400). */
const char *dg_req_path(const struct dg_req *r);
/* The value of query parameter name, decoded, or NULL. Valid until the answer. */
const char *dg_req_query(struct dg_req *r, const char *name);
/* A request header (case-insensitive name) or NULL. */
const char *dg_req_header(const struct dg_req *r, const char *name);
/* The body (NUL-terminated, *len bytes without the NUL); "" for none. */
const char *dg_req_body(struct dg_req *r, size_t *len);
/*
 * The requester's verified ORI (see the top of this file): an agency's own
 * certificate CN; for the hub, the X-DG-Origin-ORI it states; in development
 * mode, X-DG-ORI. NULL when there is none or it is not a well-formed ORI.
 */
const char *dg_req_ori(struct dg_req *r);
/* The client certificate's subject CN, or NULL (development mode). */
const char *dg_req_peer_cn(struct dg_req *r);
/* The peer's IP address as text ("127.0.0.1"), copied to out (64 bytes);
 * "" when unknown. For per-client limits such as the console's login limit. */
void dg_req_peer_addr(struct dg_req *r, char out[64]);
/* True when the peer is the hub (its certificate CN equals hub_identity). */
bool dg_req_via_hub(struct dg_req *r);
/* The index of the loop the request lives on (0 .. threads-1), for per-loop
 * resources such as a store handle. */
int dg_req_loop(const struct dg_req *r);
/* Monotonic time (ns) the request reached its handler. */
uint64_t dg_req_start_ns(const struct dg_req *r);

/* Add a note to the request's access-log line (no personal data: codes, ids,
 * decisions). key and value are copied; at most 6 notes of 63 bytes. */
void dg_req_note(struct dg_req *r, const char *key, const char *value);

/* Set a response header (before the answer). */
void dg_req_set_header(struct dg_req *r, const char *name, const char *value);

/*
 * Answer and finish the request: status, content type (may be NULL if set
 * with dg_req_set_header) and body (copied). After this r is gone. Must be
 * called on the request's loop (a handler, or a resume continuation).
 */
void dg_req_reply(struct dg_req *r, int status, const char *content_type, const void *body,
                  size_t len);

/* Answer with the server's error writer (see dg_error_writer_fn). */
void dg_req_error(struct dg_req *r, int status, int code, const char *msg);

/*
 * Park the request: the handler returns without answering and someone calls
 * dg_req_resume() later. A handler that returns without answering or parking
 * gets a 500 answered for it (and a log line: a bug).
 */
void dg_req_park(struct dg_req *r);

/*
 * From any thread: run fn(r, arg) on r's loop, soon. fn must answer or park
 * again. Thread-safe; never blocks on anything but a short queue lock.
 */
void dg_req_resume(struct dg_req *r, dg_handler_fn fn, void *arg);

/* True when s names a well-formed ORI: 9 characters [A-Z0-9], the first two a
 * state or territory code. */
bool dg_net_ori_valid(const char *s, size_t n);

#endif
