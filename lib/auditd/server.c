/*
 * server.c - the audit sequencer (`dmvgate auditd`): one libevent loop that
 * reads the nodes' requests and hands their appends to the audit log.
 *
 * The loop never waits on a disk sync: an append is queued on the log with
 * dg_audit_append_async, whose completion (on the log's writer thread, after
 * the batch's fdatasync) is put on a list and wakes the loop, which sends the
 * answer. Appends from all the nodes therefore share the log's group commit.
 * A connection is kept alive (reference counted) until every append it sent
 * is answered or failed, so a completion never touches freed memory; a node
 * that disconnects simply does not get its answers.
 */
#include "auditd_int.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct conn {
    struct dg_auditd *d;
    struct bufferevent *bev;
    int refs; /* 1 while open, +1 per append not yet completed */
    int open, hello;
    struct conn *prev, *next;
};

/* One append in flight: filled by the log's writer thread, sent by the loop. */
struct pending {
    struct conn *c;
    uint64_t id;
    int status;
    uint64_t index;
    struct pending *next;
};

struct dg_auditd {
    struct dg_auditd_options o;
    char addr[160];
    char origin[DG_CHECKPOINT_ORIGIN_MAX + 1];
    char unix_path[108];
    struct dg_audit_log *log;
    struct event_base *base;
    struct evconnlistener *lis;
    struct event *wake, *stop_ev, *grace;
    pthread_mutex_t mu; /* done list */
    struct pending *done_head, *done_tail;
    struct conn *conns;
    int nconns, stopping;
    struct dg_auditd_stats st;
    pthread_mutex_t st_mu;
};

void dg_auditd_options_init(struct dg_auditd_options *o)
{
    memset(o, 0, sizeof(*o));
    dg_audit_options_init(&o->log);
    o->max_connections = 256;
}

static pthread_once_t evthread_once = PTHREAD_ONCE_INIT;
static int evthread_rc;

static void init_evthread(void)
{
    evthread_rc = evthread_use_pthreads();
}

/* ---- connections -------------------------------------------------------------------- */

static void conn_unref(struct conn *c)
{
    if (--c->refs > 0)
        return;
    dg_free(c);
}

static void conn_close(struct conn *c)
{
    if (!c->open)
        return;
    struct dg_auditd *d = c->d;
    c->open = 0;
    bufferevent_free(c->bev);
    c->bev = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        d->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    d->nconns--;
    pthread_mutex_lock(&d->st_mu);
    d->st.open = (uint64_t)d->nconns;
    pthread_mutex_unlock(&d->st_mu);
    conn_unref(c);
    if (d->stopping && d->nconns == 0)
        event_base_loopexit(d->base, NULL);
}

static void respond(struct conn *c, enum dg_auditd_op op, uint64_t id, int status,
                    const void *payload, size_t n)
{
    if (!c->open)
        return;
    struct dg_buf b;
    dg_buf_init(&b, DG_AUDITD_RESPONSE_MAX + 4);
    if (dg_auditd_frame_response(&b, op, id, status, payload, n) == 0)
        bufferevent_write(c->bev, b.data, b.len);
    else
        conn_close(c); /* out of memory: the node sees a broken connection */
    dg_buf_release(&b);
}

static void respond_error(struct conn *c, enum dg_auditd_op op, uint64_t id, int status,
                          const struct dg_error *e)
{
    const char *msg = e && e->msg[0] ? e->msg : dg_strerror(status);
    size_t n = strlen(msg);
    respond(c, op, id, status, msg, n > DG_AUDITD_MSG_MAX ? DG_AUDITD_MSG_MAX : n);
}

/* The log's writer thread: the append is durable (or failed). */
static void append_done(void *arg, int status, uint64_t index)
{
    struct pending *p = arg;
    struct dg_auditd *d = p->c->d;
    p->status = status;
    p->index = index;
    p->next = NULL;
    pthread_mutex_lock(&d->mu);
    if (d->done_tail)
        d->done_tail->next = p;
    else
        d->done_head = p;
    d->done_tail = p;
    pthread_mutex_unlock(&d->mu);
    event_active(d->wake, EV_READ, 0);
}

/* The loop: answer every completed append. */
static void drain_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dg_auditd *d = arg;
    pthread_mutex_lock(&d->mu);
    struct pending *p = d->done_head;
    d->done_head = d->done_tail = NULL;
    pthread_mutex_unlock(&d->mu);
    while (p) {
        struct pending *next = p->next;
        if (p->status == 0) {
            uint8_t ix[8];
            for (int i = 7; i >= 0; i--)
                ix[i] = (uint8_t)(p->index >> (8 * (7 - i)));
            respond(p->c, DG_AUDITD_APPEND, p->id, 0, ix, 8);
        } else
            respond_error(p->c, DG_AUDITD_APPEND, p->id, p->status, NULL);
        conn_unref(p->c);
        dg_free(p);
        p = next;
    }
}

static void handle(struct conn *c, const struct dg_auditd_request *r)
{
    struct dg_auditd *d = c->d;
    struct dg_error e;
    dg_error_clear(&e);
    pthread_mutex_lock(&d->st_mu);
    d->st.requests++;
    pthread_mutex_unlock(&d->st_mu);
    if (!c->hello && r->op != DG_AUDITD_HELLO_OP) {
        respond_error(c, r->op, r->id, DG_EPERM, NULL);
        conn_close(c);
        return;
    }
    switch (r->op) {
    case DG_AUDITD_HELLO_OP:
        if (r->hello_len != strlen(DG_AUDITD_HELLO) ||
            memcmp(r->hello, DG_AUDITD_HELLO, r->hello_len) != 0) {
            dg_error_set(&e, DG_EINVAL, NULL, -1, "this sequencer speaks '%s'", DG_AUDITD_HELLO);
            respond_error(c, r->op, r->id, DG_EINVAL, &e);
            conn_close(c);
            return;
        }
        c->hello = 1;
        respond(c, r->op, r->id, 0, d->origin, strlen(d->origin));
        return;
    case DG_AUDITD_APPEND: {
        if (d->stopping) {
            respond_error(c, r->op, r->id, DG_ELOGCLOSED, NULL);
            return;
        }
        struct pending *p = dg_calloc(1, sizeof(*p));
        if (!p) {
            respond_error(c, r->op, r->id, DG_ENOMEM, NULL);
            return;
        }
        p->c = c;
        p->id = r->id;
        c->refs++;
        int rc =
            dg_audit_append_async(d->log, r->pub, r->pub_len, r->priv, r->priv_len, append_done, p);
        if (rc) {
            c->refs--;
            dg_free(p);
            pthread_mutex_lock(&d->st_mu);
            d->st.refused++;
            pthread_mutex_unlock(&d->st_mu);
            respond_error(c, r->op, r->id, rc, NULL);
            return;
        }
        pthread_mutex_lock(&d->st_mu);
        d->st.appends++;
        pthread_mutex_unlock(&d->st_mu);
        return;
    }
    case DG_AUDITD_READ:
    case DG_AUDITD_PROVE: {
        struct dg_buf b;
        dg_buf_init(&b, DG_AUDITD_RESPONSE_MAX - 13);
        int rc;
        if (r->op == DG_AUDITD_READ) {
            char path[DG_AUDITD_PATH_MAX + 1];
            memcpy(path, r->path, r->path_len);
            path[r->path_len] = '\0';
            rc = dg_audit_public_read(d->o.log.dir, path, &b, &e);
        } else
            rc = dg_audit_prove_json(d->o.log.dir, r->index, r->size, &b, &e);
        if (rc < 0)
            respond_error(c, r->op, r->id, rc, &e);
        else
            respond(c, r->op, r->id, 0, b.data ? b.data : "", b.len);
        dg_buf_release(&b);
        return;
    }
    case DG_AUDITD_PUBLISH: {
        int rc = d->stopping ? DG_ELOGCLOSED : dg_audit_publish(d->log, &e);
        if (rc < 0)
            respond_error(c, r->op, r->id, rc, &e);
        else
            respond(c, r->op, r->id, 0, NULL, 0);
        return;
    }
    }
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    c->refs++; /* handle() may close c: keep it until this function is done */
    while (c->open) {
        size_t have = evbuffer_get_length(in);
        uint8_t hdr[4];
        if (have < 4 || evbuffer_copyout(in, hdr, 4) != 4)
            break;
        uint32_t n = get32(hdr);
        if (n > DG_AUDITD_REQUEST_MAX) {
            dg_log(DG_LOG_WARN, "auditd_protocol", "reason", "request too large", NULL);
            conn_close(c);
            break;
        }
        if (have < 4 + (size_t)n)
            break;
        const uint8_t *frame = evbuffer_pullup(in, 4 + (ssize_t)n);
        struct dg_auditd_request r;
        struct dg_error e;
        if (!frame || dg_auditd_parse_request(frame + 4, n, &r, &e)) {
            dg_log(DG_LOG_WARN, "auditd_protocol", "reason", frame ? e.msg : "no memory", NULL);
            conn_close(c);
            break;
        }
        handle(c, &r); /* the log copies what it keeps before this returns */
        if (c->open)
            evbuffer_drain(in, 4 + (size_t)n);
    }
    conn_unref(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        conn_close(arg);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    /* While stopping, a connection whose answers are all out is done. */
    if (c->d->stopping && c->refs == 1 && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_close(c);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int len,
                      void *arg)
{
    (void)lis;
    (void)sa;
    (void)len;
    struct dg_auditd *d = arg;
    if (d->stopping || d->nconns >= d->o.max_connections) {
        dg_log(DG_LOG_WARN, "auditd_refused", "reason", "too many connections", NULL);
        evutil_closesocket(fd);
        return;
    }
    struct conn *c = dg_calloc(1, sizeof(*c));
    struct bufferevent *bev = c ? bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE) : NULL;
    if (!bev) {
        dg_free(c);
        evutil_closesocket(fd);
        return;
    }
    c->d = d;
    c->bev = bev;
    c->refs = 1;
    c->open = 1;
    c->next = d->conns;
    if (d->conns)
        d->conns->prev = c;
    d->conns = c;
    d->nconns++;
    pthread_mutex_lock(&d->st_mu);
    d->st.connections++;
    d->st.open = (uint64_t)d->nconns;
    pthread_mutex_unlock(&d->st_mu);
    bufferevent_setcb(bev, on_read, on_write, on_event, c);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* ---- stopping ------------------------------------------------------------------------- */

static void grace_over(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopexit(((struct dg_auditd *)arg)->base, NULL);
}

static void do_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dg_auditd *d = arg;
    if (d->stopping)
        return;
    d->stopping = 1;
    evconnlistener_disable(d->lis);
    /* Every queued append is made durable (or failed) and completed before
     * the log closes; answer them all, then let connections drain. */
    if (d->log) {
        int rc = dg_audit_close(d->log);
        d->log = NULL;
        if (rc)
            dg_logf(DG_LOG_ERROR, "auditd_close", "closing the log: %s", dg_strerror(rc));
    }
    drain_done(-1, 0, d);
    for (struct conn *c = d->conns, *next; c; c = next) {
        next = c->next;
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
            conn_close(c);
    }
    if (d->nconns == 0)
        event_base_loopexit(d->base, NULL);
    struct timeval tv = {2, 0};
    event_add(d->grace, &tv);
}

void dg_auditd_stop(struct dg_auditd *d)
{
    event_active(d->stop_ev, EV_READ, 0);
}

/* ---- setup ---------------------------------------------------------------------------- */

static int listen_on(struct dg_auditd *d, struct dg_error *err)
{
    struct dg__auditd_addr a;
    int rc = dg__auditd_addr_parse(d->o.listen, strlen(d->o.listen), &a, err);
    if (rc)
        return rc;
    int fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, "listen", -1, "cannot make a socket: %s", strerror(errno));
    int one = 1;
    if (a.family != AF_UNIX)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    else {
        /* A socket file left by a sequencer that died is replaced; anything
         * else at that path is not. */
        struct stat sb;
        if (lstat(a.unix_path, &sb) == 0 && S_ISSOCK(sb.st_mode))
            unlink(a.unix_path);
    }
    if (bind(fd, (struct sockaddr *)&a.sa, a.len) != 0 || listen(fd, 512) != 0) {
        int e = errno;
        close(fd);
        return dg_error_set(err, DG_EIO, "listen", -1, "cannot listen on '%s': %s", d->o.listen,
                            strerror(e));
    }
    if (a.family == AF_UNIX) {
        chmod(a.unix_path, 0660);
        snprintf(d->unix_path, sizeof(d->unix_path), "%s", a.unix_path);
        snprintf(d->addr, sizeof(d->addr), "unix:%s", a.unix_path);
    } else {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &sl);
        dg__auditd_addr_format((struct sockaddr *)&ss, sl, d->addr, sizeof(d->addr));
    }
    d->lis = evconnlistener_new(d->base, on_accept, d, LEV_OPT_CLOSE_ON_FREE, -1, fd);
    if (!d->lis) {
        close(fd);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    return 0;
}

static int read_origin(struct dg_auditd *d, struct dg_error *err)
{
    struct dg_buf b;
    dg_buf_init(&b, DG_NOTE_MAX_SIZE);
    int rc = dg_audit_checkpoint(d->log, &b);
    if (!rc) {
        size_t n = strcspn(b.data, "\n");
        if (n > DG_CHECKPOINT_ORIGIN_MAX)
            n = DG_CHECKPOINT_ORIGIN_MAX;
        memcpy(d->origin, b.data, n);
        d->origin[n] = '\0';
    } else
        dg_error_set(err, rc, NULL, -1, "cannot read the log's checkpoint");
    dg_buf_release(&b);
    return rc;
}

int dg_auditd_new(const struct dg_auditd_options *o, struct dg_auditd **out, struct dg_error *err)
{
    if (!o || !o->listen || !o->log.dir)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "the sequencer needs a log and an address");
    pthread_once(&evthread_once, init_evthread);
    if (evthread_rc)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "libevent has no thread support");
    struct dg_auditd *d = dg_calloc(1, sizeof(*d));
    if (!d)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    d->o = *o;
    if (d->o.max_connections <= 0)
        d->o.max_connections = 256;
    pthread_mutex_init(&d->mu, NULL);
    pthread_mutex_init(&d->st_mu, NULL);
    int rc = 0, logged = 0;
    for (;;) {
        rc = dg_audit_open(&d->o.log, &d->log, err);
        if (rc != DG_ELOCKED || !o->wait_for_lock)
            break;
        if (!logged++)
            dg_log(DG_LOG_INFO, "auditd_standby", "reason", "another sequencer holds the log",
                   NULL);
        sleep(1);
    }
    if (!rc)
        rc = read_origin(d, err);
    if (!rc && !(d->base = event_base_new()))
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    if (!rc) {
        d->wake = event_new(d->base, -1, 0, drain_done, d);
        d->stop_ev = event_new(d->base, -1, 0, do_stop, d);
        d->grace = evtimer_new(d->base, grace_over, d);
        if (!d->wake || !d->stop_ev || !d->grace)
            rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    if (!rc)
        rc = listen_on(d, err);
    if (rc) {
        dg_auditd_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

const char *dg_auditd_address(const struct dg_auditd *d)
{
    return d->addr;
}

struct dg_audit_log *dg_auditd_log(struct dg_auditd *d)
{
    return d->log;
}

int dg_auditd_run(struct dg_auditd *d)
{
    dg_log(DG_LOG_INFO, "auditd_listen", "addr", d->addr, "origin", d->origin, NULL);
    event_base_dispatch(d->base);
    return 0;
}

int dg_auditd_free(struct dg_auditd *d)
{
    if (!d)
        return 0;
    int rc = 0;
    if (d->log) /* never ran, or run returned without a stop */
        rc = dg_audit_close(d->log);
    if (d->base)
        drain_done(-1, 0, d);
    while (d->conns)
        conn_close(d->conns);
    if (d->lis)
        evconnlistener_free(d->lis);
    if (d->unix_path[0])
        unlink(d->unix_path);
    if (d->wake)
        event_free(d->wake);
    if (d->stop_ev)
        event_free(d->stop_ev);
    if (d->grace)
        event_free(d->grace);
    if (d->base)
        event_base_free(d->base);
    pthread_mutex_destroy(&d->mu);
    pthread_mutex_destroy(&d->st_mu);
    dg_free(d);
    return rc;
}

void dg_auditd_stats(struct dg_auditd *d, struct dg_auditd_stats *out)
{
    pthread_mutex_lock(&d->st_mu);
    *out = d->st;
    pthread_mutex_unlock(&d->st_mu);
}
