/*
 * writer.c - durable appends with group commit.
 *
 * Appenders frame their entry (header, CRC-32C) and copy it into the batch
 * at the tail of a queue; that is all they do under the lock. One writer
 * thread takes the oldest batch, writes it with one pwrite and makes it
 * durable with one fdatasync, then hands it to a completion thread that
 * calls every completion of the batch with its index, while the writer
 * goes on with the next batch. While a batch syncs, the next one fills: the
 * more appenders wait, the larger the batches, and one sync serves them all.
 *
 * Segment space is allocated (fallocate, or zeros) ahead of the writer, so a
 * batch overwrites allocated blocks and fdatasync has no file size to
 * commit. When a write or sync fails, the batch and every batch queued
 * behind it fail (their indices assumed it succeeded), nothing of them is
 * acknowledged, and the failed region is overwritten with zeros and synced
 * (at once when the writer is idle, retried every second, and in any case
 * before the next batch is written): once the disk recovers, appends
 * succeed again, and the log never holds a hole or a stale record. The
 * writer never trusts a sync after a failed one: the failed region is
 * rewritten from memory (see repair), and its entries are never durable.
 */
#include "audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FREE_BATCHES_MAX 4
#define MAX_DONE_BATCHES 8
#define REPAIR_RETRY_S   1

void dg__audit_inject_fault(struct dg_audit_log *log, enum dg__fault_op op, int e, unsigned count)
{
    pthread_mutex_lock(&log->mu);
    log->faults[op] = e;
    log->fault_count[op] = count;
    pthread_mutex_unlock(&log->mu);
}

int dg__audit_fault(struct dg_audit_log *log, enum dg__fault_op op)
{
    int e = 0;
    pthread_mutex_lock(&log->mu);
    if (log->fault_count[op] > 0) {
        log->fault_count[op]--;
        e = log->faults[op];
    }
    pthread_mutex_unlock(&log->mu);
    return e;
}

/* ---- segment files (writer thread, or open before it starts) ---------------------- */

static int pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = pwrite(fd, c, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        c += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* Write zeros over [from, to). Returns an errno or 0. */
static int zero_write(int fd, uint64_t from, uint64_t to)
{
    static const char zeros[65536];
    for (uint64_t off = from; off < to;) {
        size_t n = to - off < sizeof(zeros) ? (size_t)(to - off) : sizeof(zeros);
        int e = pwrite_all(fd, zeros, n, off);
        if (e)
            return e;
        off += n;
    }
    return 0;
}

/* Make [from, to) of the file allocated and zero: fallocate, or write zeros
 * where the file system cannot. Returns an errno or 0. */
static int zero_extend(int fd, uint64_t from, uint64_t to)
{
    int e = posix_fallocate(fd, (off_t)from, (off_t)(to - from));
    if (e == EOPNOTSUPP || e == EINVAL)
        e = zero_write(fd, from, to);
    return e;
}

int dg__seg_create(struct dg_audit_log *log, uint64_t first, struct dg_error *err)
{
    char path[4400], tmp[4500];
    dg__seg_path(path, sizeof(path), log->segdir, first);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot create '%s'", tmp);
    uint8_t h[DG__SEG_HDR];
    dg__seg_header(h, first);
    int e = pwrite_all(fd, h, sizeof(h), 0);
    if (!e)
        e = dg__audit_fault(log, DG__FAULT_ALLOC);
    if (!e)
        e = zero_extend(fd, DG__SEG_HDR, log->o.prealloc_bytes);
    if (!e && fdatasync(fd) != 0)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        close(fd);
        unlink(tmp);
        return dg_error_set(err, dg_error_from_errno(e), NULL, -1, "cannot create '%s'", path);
    }
    int rc = dg__fsync_dir(log->segdir);
    if (rc) {
        close(fd);
        return dg_error_set(err, rc, NULL, -1, "cannot sync '%s'", log->segdir);
    }
    if (log->segfd >= 0) {
        /* The old segment ends at its last record; its zeros go. */
        if (ftruncate(log->segfd, (off_t)log->seg_off) != 0)
            dg_logf(DG_LOG_WARN, "audit_segment", "cannot trim the previous segment");
        close(log->segfd);
    }
    log->segfd = fd;
    log->seg_first = first;
    log->seg_off = DG__SEG_HDR;
    log->seg_alloc = log->o.prealloc_bytes;
    return 0;
}

/* Overwrite the region of a failed batch with zeros and sync it. After a
 * failed fdatasync the page cache cannot be trusted (the kernel may have
 * marked the pages clean without writing them, or dropped them), so the
 * region is written anew from memory rather than synced again; what precedes
 * seg_off was made durable by an earlier fdatasync that succeeded, and
 * stays. 0 or a DG_E code. */
static int repair(struct dg_audit_log *log)
{
    int e = dg__audit_fault(log, DG__FAULT_WRITE);
    if (!e)
        e = zero_write(log->segfd, log->seg_off, log->repair_end);
    if (!e)
        e = dg__audit_fault(log, DG__FAULT_SYNC);
    if (!e && fdatasync(log->segfd) != 0)
        e = errno;
    if (e)
        return dg_error_from_errno(e);
    log->need_repair = false;
    dg_log(DG_LOG_INFO, "audit_repaired", NULL);
    return 0;
}

/* Write batch b and make it durable. 0 or a DG_E code; on failure the
 * region it may have touched is marked for repair. */
static int commit(struct dg_audit_log *log, struct dg__batch *b)
{
    int e;
    if (log->need_repair && (e = repair(log)))
        return e;
    if (log->seg_off + b->len > log->o.segment_bytes && log->seg_off > DG__SEG_HDR) {
        struct dg_error err;
        int rc = dg__seg_create(log, b->first, &err);
        if (rc) {
            dg_logf(DG_LOG_ERROR, "audit_segment", "%s", err.msg);
            return rc;
        }
    }
    if (log->seg_off + b->len > log->seg_alloc) {
        uint64_t to = log->seg_off + b->len + log->o.prealloc_bytes;
        e = dg__audit_fault(log, DG__FAULT_ALLOC);
        if (!e)
            e = zero_extend(log->segfd, log->seg_alloc, to);
        if (e) {
            /* Zeros may have been written past seg_alloc; they are harmless. */
            return dg_error_from_errno(e);
        }
        log->seg_alloc = to;
    }
    e = dg__audit_fault(log, DG__FAULT_WRITE);
    if (!e)
        e = pwrite_all(log->segfd, b->buf, b->len, log->seg_off);
    if (!e)
        e = dg__audit_fault(log, DG__FAULT_SYNC);
    if (!e && fdatasync(log->segfd) != 0)
        e = errno;
    if (e) {
        log->need_repair = true;
        log->repair_end = log->seg_off + b->len;
        return dg_error_from_errno(e);
    }
    log->seg_off += b->len;
    return 0;
}

static void finish(struct dg__batch *b, int status)
{
    for (size_t i = 0; i < b->n; i++)
        b->pend[i].done(b->pend[i].arg, status, status ? 0 : b->first + i);
}

/* Under mu. */
static void recycle(struct dg_audit_log *log, struct dg__batch *b)
{
    size_t nfree = 0;
    for (struct dg__batch *f = log->free_batches; f; f = f->next)
        nfree++;
    if (nfree >= FREE_BATCHES_MAX) {
        dg_free(b->buf);
        dg_free(b->pend);
        dg_free(b);
        return;
    }
    b->n = b->len = 0;
    b->next = log->free_batches;
    log->free_batches = b;
}

/* Under mu: hand b to the completion thread. */
static void complete_later(struct dg_audit_log *log, struct dg__batch *b, int status)
{
    b->status = status;
    b->next = NULL;
    if (log->done_tail)
        log->done_tail->next = b;
    else
        log->done_head = b;
    log->done_tail = b;
    log->done_n++;
    pthread_cond_signal(&log->done_cv);
}

static void *writer_main(void *arg)
{
    struct dg_audit_log *log = arg;
    pthread_mutex_lock(&log->mu);
    for (;;) {
        /* Completions lagging far behind: let them catch up (bounds memory).
         * Idle after a failure: repair at once and then every second, not at
         * the next append, so that the records of the failed batch (answered
         * 503) do not stay in the segment, where a crash would leave them
         * looking durable. */
        while ((!log->head || log->done_n >= MAX_DONE_BATCHES) && !log->closing) {
            if (log->need_repair && !log->head) {
                pthread_mutex_unlock(&log->mu);
                int rc = repair(log);
                pthread_mutex_lock(&log->mu);
                if (!rc)
                    continue;
                struct timespec dl;
                clock_gettime(CLOCK_REALTIME, &dl);
                dl.tv_sec += REPAIR_RETRY_S;
                pthread_cond_timedwait(&log->work, &log->mu, &dl);
                continue;
            }
            pthread_cond_wait(&log->work, &log->mu);
        }
        if (!log->head)
            break;
        if (log->o.max_wait_us && log->head->n < log->o.max_batch && !log->closing) {
            struct timespec dl;
            clock_gettime(CLOCK_REALTIME, &dl);
            uint64_t ns = (uint64_t)dl.tv_nsec + (uint64_t)log->o.max_wait_us * 1000u;
            dl.tv_sec += (time_t)(ns / 1000000000u);
            dl.tv_nsec = (long)(ns % 1000000000u);
            while (log->head->n < log->o.max_batch && !log->closing)
                if (pthread_cond_timedwait(&log->work, &log->mu, &dl) == ETIMEDOUT)
                    break;
        }
        struct dg__batch *b = log->head;
        log->head = b->next;
        if (!log->head)
            log->tail = NULL;
        b->next = NULL;
        log->queued -= b->n;
        pthread_cond_broadcast(&log->space);
        pthread_mutex_unlock(&log->mu);

        uint64_t t0 = dg_mono_ns();
        int rc = commit(log, b);
        uint64_t t1 = dg_mono_ns();
        if (rc)
            dg_logf(DG_LOG_ERROR, "audit_write_failed", "%s: appends failed, none acknowledged",
                    dg_strerror(rc));

        pthread_mutex_lock(&log->mu);
        log->st.batches++;
        log->st.sync_ns_total += t1 - t0;
        if (!rc) {
            /* Wake the publisher when a checkpoint may be due: the first
             * entries after one, a full tile, every batch with
             * checkpoint_ms 0. */
            uint64_t before = log->durable;
            log->durable = b->first + b->n;
            if (log->o.checkpoint_ms == 0 || before == log->signed_size ||
                before / DG_TILE_WIDTH != log->durable / DG_TILE_WIDTH)
                pthread_cond_signal(&log->pub);
            /* The disk works again: the error is over (unless publishing fails). */
            log->write_error = 0;
            log->st.last_error = log->pub_error;
            log->st.appends += b->n;
            log->st.last_batch = b->n;
            if (b->n > log->st.max_batch_seen)
                log->st.max_batch_seen = b->n;
            complete_later(log, b, 0);
        } else {
            /* Everything queued behind b was numbered after it: fail it too. */
            struct dg__batch *failed = log->head;
            log->head = log->tail = NULL;
            log->queued = 0;
            log->next_index = log->durable;
            log->write_error = rc;
            log->st.last_error = rc;
            log->st.failed += b->n;
            complete_later(log, b, rc);
            while (failed) {
                struct dg__batch *next = failed->next;
                log->st.failed += failed->n;
                complete_later(log, failed, rc);
                failed = next;
            }
            pthread_cond_broadcast(&log->space);
        }
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

/* The completion thread: calls the appenders' callbacks, batch after batch
 * in order, while the writer already writes the next batch. */
static void *completer_main(void *arg)
{
    struct dg_audit_log *log = arg;
    pthread_mutex_lock(&log->mu);
    for (;;) {
        while (!log->done_head && !log->writer_done)
            pthread_cond_wait(&log->done_cv, &log->mu);
        struct dg__batch *b = log->done_head;
        if (!b)
            break;
        log->done_head = b->next;
        if (!log->done_head)
            log->done_tail = NULL;
        log->done_n--;
        pthread_cond_signal(&log->work);
        pthread_mutex_unlock(&log->mu);
        finish(b, b->status);
        pthread_mutex_lock(&log->mu);
        recycle(log, b);
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

int dg__writer_start(struct dg_audit_log *log)
{
    if (pthread_create(&log->completer, NULL, completer_main, log) != 0)
        return DG_EAGAIN;
    if (pthread_create(&log->writer, NULL, writer_main, log) != 0) {
        pthread_mutex_lock(&log->mu);
        log->writer_done = true;
        pthread_cond_broadcast(&log->done_cv);
        pthread_mutex_unlock(&log->mu);
        pthread_join(log->completer, NULL);
        return DG_EAGAIN;
    }
    return 0;
}

void dg__writer_stop(struct dg_audit_log *log)
{
    pthread_mutex_lock(&log->mu);
    log->closing = true;
    pthread_cond_broadcast(&log->work);
    pthread_cond_broadcast(&log->space);
    pthread_mutex_unlock(&log->mu);
    pthread_join(log->writer, NULL);
    pthread_mutex_lock(&log->mu);
    log->writer_done = true;
    pthread_cond_broadcast(&log->done_cv);
    pthread_mutex_unlock(&log->mu);
    pthread_join(log->completer, NULL);
}

/* ---- appends ---------------------------------------------------------------------- */

static int grow(struct dg__batch *b, size_t rec)
{
    if (b->len + rec > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + rec)
            cap *= 2;
        uint8_t *p = dg_realloc(b->buf, cap);
        if (!p)
            return DG_ENOMEM;
        b->buf = p;
        b->cap = cap;
    }
    if (b->n == b->pcap) {
        size_t pcap = b->pcap ? b->pcap * 2 : 256;
        struct dg__pend *p = dg_realloc(b->pend, pcap * sizeof(*p));
        if (!p)
            return DG_ENOMEM;
        b->pend = p;
        b->pcap = pcap;
    }
    return 0;
}

int dg_audit_append_async(struct dg_audit_log *log, const void *pub, size_t pub_len,
                          const void *priv, size_t priv_len, dg_audit_done_fn done, void *arg)
{
    if (!done || !pub || (priv_len && !priv))
        return DG_EINVAL;
    if (log->readonly)
        return DG_EPERM;
    if (pub_len == 0 || pub_len > DG_AUDIT_ENTRY_MAX || priv_len > DG_AUDIT_PRIVATE_MAX)
        return DG_ETOOBIG;
    uint32_t crc = dg__rec_crc_payload(pub, pub_len, priv, priv_len);
    size_t rec = DG__REC_HDR + pub_len + priv_len;
    pthread_mutex_lock(&log->mu);
    int rc = 0;
    if (log->closing) {
        rc = DG_ELOGCLOSED;
        goto out;
    }
    if (log->queued >= log->o.max_pending) {
        rc = DG_EAGAIN;
        goto out;
    }
    struct dg__batch *b = log->tail;
    if (!b || b->n >= log->o.max_batch) {
        b = log->free_batches;
        if (b) {
            log->free_batches = b->next;
        } else if (!(b = dg_calloc(1, sizeof(*b)))) {
            rc = DG_ENOMEM;
            goto out;
        }
        b->next = NULL;
        b->n = b->len = 0;
        b->first = log->next_index;
        if (log->tail)
            log->tail->next = b;
        else
            log->head = b;
        log->tail = b;
    }
    if ((rc = grow(b, rec)))
        goto out;
    uint8_t *p = b->buf + b->len;
    dg__rec_header(p, log->next_index, crc, (uint32_t)pub_len, (uint32_t)priv_len);
    memcpy(p + DG__REC_HDR, pub, pub_len);
    if (priv_len)
        memcpy(p + DG__REC_HDR + pub_len, priv, priv_len);
    b->len += rec;
    b->pend[b->n].done = done;
    b->pend[b->n].arg = arg;
    b->n++;
    log->next_index++;
    log->queued++;
    if ((b == log->head && b->n == 1) || b->n >= log->o.max_batch)
        pthread_cond_signal(&log->work);
out:
    pthread_mutex_unlock(&log->mu);
    return rc;
}

struct waiter {
    sem_t sem;
    int status;
    uint64_t index;
};

static void wake(void *arg, int status, uint64_t index)
{
    struct waiter *w = arg;
    w->status = status;
    w->index = index;
    sem_post(&w->sem);
}

int dg_audit_append(struct dg_audit_log *log, const void *pub, size_t pub_len, const void *priv,
                    size_t priv_len, uint64_t *index)
{
    struct waiter w;
    sem_init(&w.sem, 0, 0);
    int rc;
    for (;;) {
        rc = dg_audit_append_async(log, pub, pub_len, priv, priv_len, wake, &w);
        if (rc != DG_EAGAIN)
            break;
        pthread_mutex_lock(&log->mu);
        while (log->queued >= log->o.max_pending && !log->closing)
            pthread_cond_wait(&log->space, &log->mu);
        pthread_mutex_unlock(&log->mu);
    }
    if (!rc) {
        while (sem_wait(&w.sem) != 0 && errno == EINTR)
            ;
        rc = w.status;
        if (!rc && index)
            *index = w.index;
    }
    sem_destroy(&w.sem);
    return rc;
}

/* ---- entries ---------------------------------------------------------------------- */

static int encode_entry(const struct dg_audit_entry *e, struct dg_buf *pub, struct dg_buf *priv,
                        struct dg_error *err)
{
    dg_buf_init(pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(priv, DG_AUDIT_PRIVATE_MAX);
    return dg_audit_entry_encode(e, NULL, pub, priv, err);
}

static void release_entry(struct dg_buf *pub, struct dg_buf *priv)
{
    if (priv->data)
        memset(priv->data, 0, priv->len);
    dg_buf_release(pub);
    dg_buf_release(priv);
}

int dg_audit_append_entry(struct dg_audit_log *log, const struct dg_audit_entry *e, uint64_t *index,
                          struct dg_error *err)
{
    struct dg_buf pub, priv;
    int rc = encode_entry(e, &pub, &priv, err);
    if (!rc) {
        rc = dg_audit_append(log, pub.data, pub.len, priv.data, priv.len, index);
        if (rc)
            dg_error_set(err, rc, NULL, -1, "audit append failed: %s", dg_strerror(rc));
    }
    release_entry(&pub, &priv);
    return rc;
}

int dg_audit_append_entry_async(struct dg_audit_log *log, const struct dg_audit_entry *e,
                                dg_audit_done_fn done, void *arg, struct dg_error *err)
{
    struct dg_buf pub, priv;
    int rc = encode_entry(e, &pub, &priv, err);
    if (!rc) {
        rc = dg_audit_append_async(log, pub.data, pub.len, priv.data, priv.len, done, arg);
        if (rc)
            dg_error_set(err, rc, NULL, -1, "audit append failed: %s", dg_strerror(rc));
    }
    release_entry(&pub, &priv);
    return rc;
}
