/*
 * client.c - a node process's connection to the audit sequencer.
 *
 * One connection, shared by every thread of the node: a sender writes its
 * whole frame under the client's mutex (frames never interleave) and records
 * a waiter under the request's id; one reader thread per connection reads
 * the answers and completes the waiters, in whatever order the sequencer
 * sends them. When the connection breaks, every waiter still open is failed
 * with DG_EIO (not acknowledged: the node refuses to answer its requester),
 * and the next request connects again, trying the addresses in order (an
 * active sequencer first, then its standbys).
 */
#include "auditd_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BUCKETS    256
#define MAX_ADDRS  8
#define HELLO_SECS 5

/* Someone waiting for an answer: an async append (done) or a blocking call. */
struct waiter {
    uint64_t id;
    dg_audit_done_fn done; /* async appends */
    void *arg;
    /* blocking calls */
    pthread_cond_t *cv;
    int finished, status;
    uint64_t index;
    struct dg_buf *out;
    char msg[DG_AUDITD_MSG_MAX + 1];
    struct waiter *next;
};

struct dg_auditd_client {
    struct dg__auditd_addr addrs[MAX_ADDRS];
    char addr_text[MAX_ADDRS][128];
    int naddrs;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* blocking calls wait here */
    int fd;            /* -1 when not connected */
    int readers;       /* reader threads still running (detached) */
    uint64_t next_id;
    struct waiter *buckets[BUCKETS];
    char origin[DG_CHECKPOINT_ORIGIN_MAX + 1];
};

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *q = p;
    while (n) {
        ssize_t w = send(fd, q, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return DG_EIO;
        q += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    char *q = p;
    while (n) {
        ssize_t r = recv(fd, q, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return DG_EIO;
        q += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Read one response frame into b (its old content dropped). */
static int read_frame(int fd, struct dg_buf *b, struct dg_auditd_response *r, struct dg_error *err)
{
    uint8_t hdr[4];
    if (read_all(fd, hdr, 4))
        return dg_error_set(err, DG_EIO, NULL, -1, "the sequencer closed the connection");
    uint32_t n = get32(hdr);
    if (n > DG_AUDITD_RESPONSE_MAX || n >= b->max)
        return dg_error_set(err, DG_EPARSE, NULL, -1, "answer of %u bytes is over the limit", n);
    dg_buf_reset(b);
    if (b->cap < (size_t)n + 1) { /* read straight into the buffer's memory */
        char *p = dg_realloc(b->data, (size_t)n + 1);
        if (!p)
            return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        b->data = p;
        b->cap = (size_t)n + 1;
    }
    if (read_all(fd, b->data, n))
        return dg_error_set(err, DG_EIO, NULL, -1, "the sequencer closed the connection");
    b->len = n;
    b->data[n] = '\0';
    return dg_auditd_parse_response((const uint8_t *)b->data, n, r, err);
}

/* ---- waiters ---------------------------------------------------------------------------- */

static void waiter_add(struct dg_auditd_client *c, struct waiter *w)
{
    struct waiter **b = &c->buckets[w->id % BUCKETS];
    w->next = *b;
    *b = w;
}

static struct waiter *waiter_take(struct dg_auditd_client *c, uint64_t id)
{
    for (struct waiter **p = &c->buckets[id % BUCKETS]; *p; p = &(*p)->next)
        if ((*p)->id == id) {
            struct waiter *w = *p;
            *p = w->next;
            return w;
        }
    return NULL;
}

/* Finish w with a result. Called without the mutex for async waiters. */
static void complete(struct dg_auditd_client *c, struct waiter *w, int status, uint64_t index,
                     const uint8_t *payload, size_t n)
{
    if (w->done) {
        w->done(w->arg, status, index);
        dg_free(w);
        return;
    }
    pthread_mutex_lock(&c->mu);
    w->status = status;
    w->index = index;
    if (status == 0 && w->out && n) {
        int rc = dg_buf_add(w->out, payload, n);
        if (rc)
            w->status = rc;
    } else if (status && n) {
        size_t m = n > DG_AUDITD_MSG_MAX ? DG_AUDITD_MSG_MAX : n;
        memcpy(w->msg, payload, m);
        w->msg[m] = '\0';
    }
    w->finished = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* ---- the reader thread -------------------------------------------------------------------- */

struct reader_arg {
    struct dg_auditd_client *c;
    int fd;
};

static void *reader_main(void *arg)
{
    struct reader_arg ra = *(struct reader_arg *)arg;
    dg_free(arg);
    struct dg_auditd_client *c = ra.c;
    struct dg_buf b;
    dg_buf_init(&b, DG_AUDITD_RESPONSE_MAX + 1);
    for (;;) {
        struct dg_auditd_response r;
        struct dg_error e;
        if (read_frame(ra.fd, &b, &r, &e))
            break;
        pthread_mutex_lock(&c->mu);
        struct waiter *w = waiter_take(c, r.id);
        pthread_mutex_unlock(&c->mu);
        if (w)
            complete(c, w, r.status, r.index, r.payload, r.payload_len);
    }
    dg_buf_release(&b);
    /* The connection is gone: nobody will answer what is still waiting. */
    pthread_mutex_lock(&c->mu);
    if (c->fd == ra.fd)
        c->fd = -1;
    struct waiter *all = NULL;
    for (int i = 0; i < BUCKETS; i++)
        while (c->buckets[i]) {
            struct waiter *w = c->buckets[i];
            c->buckets[i] = w->next;
            w->next = all;
            all = w;
        }
    pthread_mutex_unlock(&c->mu);
    close(ra.fd);
    static const char lost[] = "connection to the audit sequencer lost";
    while (all) {
        struct waiter *next = all->next;
        complete(c, all, DG_EIO, 0, (const uint8_t *)lost, sizeof(lost) - 1);
        all = next;
    }
    pthread_mutex_lock(&c->mu); /* the last touch of c: free waits for it */
    c->readers--;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ---- connecting ---------------------------------------------------------------------------- */

/* Connect to a, say HELLO and read the answer (with a timeout). */
static int dial(struct dg_auditd_client *c, const struct dg__auditd_addr *a, int *out,
                struct dg_error *err)
{
    int fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, NULL, -1, "cannot make a socket: %s", strerror(errno));
    struct timeval tv = {HELLO_SECS, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (const struct sockaddr *)&a->sa, a->len) != 0) {
        int e = errno;
        close(fd);
        return dg_error_set(err, DG_EIO, NULL, -1, "cannot connect: %s", strerror(e));
    }
    struct dg_buf b;
    dg_buf_init(&b, DG_AUDITD_RESPONSE_MAX + 1);
    struct dg_auditd_request hello = {.op = DG_AUDITD_HELLO_OP,
                                      .id = 0,
                                      .hello = (const uint8_t *)DG_AUDITD_HELLO,
                                      .hello_len = strlen(DG_AUDITD_HELLO)};
    struct dg_auditd_response r;
    int rc = dg_auditd_frame_request(&b, &hello);
    if (!rc)
        rc = write_all(fd, b.data, b.len) ? dg_error_set(err, DG_EIO, NULL, -1, "cannot send")
                                          : read_frame(fd, &b, &r, err);
    if (!rc && (r.op != DG_AUDITD_HELLO_OP || r.status))
        rc = dg_error_set(err, r.status ? r.status : DG_EPARSE, NULL, -1,
                          "the sequencer refused the hello: %.*s", (int)r.payload_len, r.payload);
    if (!rc) {
        size_t n =
            r.payload_len > DG_CHECKPOINT_ORIGIN_MAX ? DG_CHECKPOINT_ORIGIN_MAX : r.payload_len;
        memcpy(c->origin, r.payload, n);
        c->origin[n] = '\0';
        struct timeval none = {0, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
    }
    dg_buf_release(&b);
    if (rc) {
        close(fd);
        return rc;
    }
    *out = fd;
    return 0;
}

/* With c->mu held: make sure there is a connection and a reader for it. */
static int ensure_connected(struct dg_auditd_client *c, struct dg_error *err)
{
    if (c->fd >= 0)
        return 0;
    struct dg_error last;
    dg_error_clear(&last);
    for (int i = 0; i < c->naddrs; i++) {
        int fd = -1;
        if (dial(c, &c->addrs[i], &fd, &last))
            continue;
        struct reader_arg *ra = dg_malloc(sizeof(*ra));
        if (!ra) {
            close(fd);
            return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        }
        ra->c = c;
        ra->fd = fd;
        pthread_t t;
        if (pthread_create(&t, NULL, reader_main, ra)) {
            dg_free(ra);
            close(fd);
            return dg_error_set(err, DG_EINTERNAL, NULL, -1, "cannot start a thread");
        }
        pthread_detach(t);
        c->fd = fd;
        c->readers++;
        if (i > 0)
            dg_log(DG_LOG_WARN, "auditd_failover", "addr", c->addr_text[i], NULL);
        return 0;
    }
    return dg_error_set(err, DG_EIO, NULL, -1, "no audit sequencer answers (last: %s)",
                        last.msg[0] ? last.msg : "?");
}

int dg_auditd_client_new(const char *addrs, struct dg_auditd_client **out, char *origin,
                         struct dg_error *err)
{
    struct dg_auditd_client *c = dg_calloc(1, sizeof(*c));
    if (!c)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    c->fd = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    int rc = 0;
    for (const char *p = addrs ? addrs : ""; !rc && *p;) {
        size_t n = strcspn(p, ",");
        if (c->naddrs == MAX_ADDRS)
            rc = dg_error_set(err, DG_ECONFIG, "audit", -1, "more than %d sequencer addresses",
                              MAX_ADDRS);
        else if (!(rc = dg__auditd_addr_parse(p, n, &c->addrs[c->naddrs], err))) {
            snprintf(c->addr_text[c->naddrs], sizeof(c->addr_text[0]), "%.*s",
                     (int)(n > 127 ? 127 : n), p);
            c->naddrs++;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (!rc && c->naddrs == 0)
        rc = dg_error_set(err, DG_ECONFIG, "audit", -1, "no sequencer address");
    if (!rc) {
        pthread_mutex_lock(&c->mu);
        rc = ensure_connected(c, err);
        pthread_mutex_unlock(&c->mu);
    }
    if (rc) {
        dg_auditd_client_free(c);
        return rc;
    }
    if (origin)
        snprintf(origin, DG_CHECKPOINT_ORIGIN_MAX + 1, "%s", c->origin);
    *out = c;
    return 0;
}

void dg_auditd_client_free(struct dg_auditd_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    if (c->fd >= 0)
        shutdown(c->fd, SHUT_RDWR); /* the reader sees the end, fails waiters, closes */
    while (c->readers > 0)
        pthread_cond_wait(&c->cv, &c->mu);
    pthread_mutex_unlock(&c->mu);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    dg_free(c);
}

/* ---- requests ---------------------------------------------------------------------------- */

/* Send request r for waiter w (its id is set here). On failure w is not
 * registered and the caller still owns it. */
static int send_request(struct dg_auditd_client *c, struct dg_auditd_request *r, struct waiter *w,
                        struct dg_error *err)
{
    struct dg_buf b;
    dg_buf_init(&b, DG_AUDITD_REQUEST_MAX + 4);
    pthread_mutex_lock(&c->mu);
    int rc = ensure_connected(c, err);
    if (!rc) {
        r->id = w->id = ++c->next_id;
        rc = dg_auditd_frame_request(&b, r);
        if (rc)
            dg_error_set(err, rc, NULL, -1, NULL);
    }
    if (!rc) {
        waiter_add(c, w);
        if (write_all(c->fd, b.data, b.len)) {
            waiter_take(c, w->id);
            shutdown(c->fd, SHUT_RDWR); /* the reader fails the others and closes */
            /* The next request dials again rather than writing to this dead
             * socket before the reader has seen its end. */
            c->fd = -1;
            rc = dg_error_set(err, DG_EIO, NULL, -1, "cannot send to the audit sequencer");
        }
    }
    pthread_mutex_unlock(&c->mu);
    dg_buf_release(&b);
    return rc;
}

int dg_auditd_append_async(struct dg_auditd_client *c, const void *pub, size_t pub_len,
                           const void *priv, size_t priv_len, dg_audit_done_fn done, void *arg)
{
    if (!pub || pub_len == 0 || !done)
        return DG_EINVAL;
    if (pub_len > DG_AUDIT_ENTRY_MAX || priv_len > DG_AUDIT_PRIVATE_MAX)
        return DG_ETOOBIG;
    struct waiter *w = dg_calloc(1, sizeof(*w));
    if (!w)
        return DG_ENOMEM;
    w->done = done;
    w->arg = arg;
    struct dg_auditd_request r = {.op = DG_AUDITD_APPEND,
                                  .pub = pub,
                                  .pub_len = pub_len,
                                  .priv = priv,
                                  .priv_len = priv ? priv_len : 0};
    int rc = send_request(c, &r, w, NULL);
    if (rc)
        dg_free(w);
    return rc;
}

/* Send r and wait for its answer (payload appended to out when given). */
static int call(struct dg_auditd_client *c, struct dg_auditd_request *r, struct dg_buf *out,
                uint64_t *index, struct dg_error *err)
{
    struct waiter w;
    memset(&w, 0, sizeof(w));
    w.cv = &c->cv;
    w.out = out;
    int rc = send_request(c, r, &w, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->mu);
    while (!w.finished)
        pthread_cond_wait(&c->cv, &c->mu);
    pthread_mutex_unlock(&c->mu);
    if (w.status)
        return dg_error_set(err, w.status, NULL, -1, "%s",
                            w.msg[0] ? w.msg : dg_strerror(w.status));
    if (index)
        *index = w.index;
    return 0;
}

int dg_auditd_append(struct dg_auditd_client *c, const void *pub, size_t pub_len, const void *priv,
                     size_t priv_len, uint64_t *index, struct dg_error *err)
{
    if (!pub || pub_len == 0)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "an entry needs a public part");
    if (pub_len > DG_AUDIT_ENTRY_MAX || priv_len > DG_AUDIT_PRIVATE_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "entry over the size limit");
    struct dg_auditd_request r = {.op = DG_AUDITD_APPEND,
                                  .pub = pub,
                                  .pub_len = pub_len,
                                  .priv = priv,
                                  .priv_len = priv ? priv_len : 0};
    return call(c, &r, NULL, index, err);
}

int dg_auditd_append_entry_async(struct dg_auditd_client *c, const struct dg_audit_entry *e,
                                 dg_audit_done_fn done, void *arg, struct dg_error *err)
{
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    int rc = dg_audit_entry_encode(e, NULL, &pub, &priv, err);
    if (!rc && (rc = dg_auditd_append_async(c, pub.data, pub.len, priv.data, priv.len, done, arg)))
        dg_error_set(err, rc, NULL, -1, "cannot send the entry to the audit sequencer");
    dg_buf_release(&pub);
    dg_buf_release(&priv);
    return rc;
}

int dg_auditd_read(struct dg_auditd_client *c, const char *path, struct dg_buf *out,
                   struct dg_error *err)
{
    size_t n = path ? strlen(path) : 0;
    if (n == 0 || n > DG_AUDITD_PATH_MAX)
        return dg_error_set(err, DG_EINVAL, "path", -1, "bad path");
    struct dg_auditd_request r = {.op = DG_AUDITD_READ, .path = path, .path_len = n};
    return call(c, &r, out, NULL, err);
}

int dg_auditd_prove(struct dg_auditd_client *c, uint64_t index, uint64_t size, struct dg_buf *out,
                    struct dg_error *err)
{
    struct dg_auditd_request r = {.op = DG_AUDITD_PROVE, .index = index, .size = size};
    return call(c, &r, out, NULL, err);
}

int dg_auditd_publish(struct dg_auditd_client *c, struct dg_error *err)
{
    struct dg_auditd_request r = {.op = DG_AUDITD_PUBLISH};
    return call(c, &r, NULL, NULL, err);
}
