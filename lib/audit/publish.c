/*
 * publish.c - the publisher thread: turns durable entries into tiles and
 * entry bundles, and signs checkpoints.
 *
 * It reads the entries back from the segments (not from the writer's
 * memory), so its work is bounded by the disk, it never slows the writer,
 * and recovery after a crash is the same code as normal operation. It signs
 * a checkpoint when there are new entries and checkpoint_ms has passed (at
 * once with checkpoint_ms 0, or when dg_audit_publish asks). When it fails
 * (a full disk, say) the entries stay durable; it reports the error, waits,
 * reloads its state from the last signed checkpoint and tries again.
 */
#include "audit_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define RETRY_MS 1000

static void deadline_in(struct timespec *ts, uint64_t ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    uint64_t ns = (uint64_t)ts->tv_nsec + ms * 1000000u;
    ts->tv_sec += (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

/* Under mu: is a checkpoint due for tb_size entries? */
static bool checkpoint_due(struct dg_audit_log *log, uint64_t tb_size, uint64_t *wait_ms)
{
    *wait_ms = 0;
    if (tb_size <= log->signed_size)
        return false;
    if (log->o.checkpoint_ms == 0 || log->closing || log->publish_want > log->signed_size)
        return true;
    uint64_t elapsed = (dg_mono_ns() - (uint64_t)log->last_ckpt_ns) / 1000000u;
    if (elapsed >= log->o.checkpoint_ms)
        return true;
    *wait_ms = log->o.checkpoint_ms - elapsed;
    return false;
}

static int ingest(struct dg_audit_log *log, uint64_t target, struct dg_error *err)
{
    dg__reader_set_limit(&log->rd, target);
    while (log->tb.size < target) {
        struct dg__rec rec;
        int rc = dg__reader_next(&log->rd, &rec, err);
        if (rc == 0)
            rc = dg_error_set(err, DG_EIO, NULL, (long)log->tb.size, "entry %llu not readable",
                              (unsigned long long)log->tb.size);
        if (rc < 0)
            return rc;
        if ((rc = dg__tilebuild_add(&log->tb, rec.pub, rec.pub_len, err)))
            return rc;
    }
    return 0;
}

static void *publisher_main(void *arg)
{
    struct dg_audit_log *log = arg;
    pthread_mutex_lock(&log->mu);
    for (;;) {
        uint64_t wait_ms;
        /* Work when a checkpoint is due for what is durable, or a full
         * tile's worth of entries waits (tiles are written as they fill,
         * not one batch at a time). */
        bool due = checkpoint_due(log, log->durable, &wait_ms);
        bool behind = log->durable - log->tb.size >= DG_TILE_WIDTH ||
                      (log->closing && log->durable > log->tb.size);
        if (!due && !behind && !log->pub_broken) {
            if (log->closing)
                break;
            if (wait_ms) {
                struct timespec ts;
                deadline_in(&ts, wait_ms);
                pthread_cond_timedwait(&log->pub, &log->mu, &ts);
            } else {
                pthread_cond_wait(&log->pub, &log->mu);
            }
            continue;
        }
        uint64_t target = log->durable;
        bool broken = log->pub_broken;
        pthread_mutex_unlock(&log->mu);

        struct dg_error err;
        dg_error_clear(&err);
        int rc = 0;
        if (broken)
            rc = dg__log_recover_tiles(log, target, &err);
        if (!rc)
            rc = ingest(log, target, &err);
        pthread_mutex_lock(&log->mu);
        due = !rc && checkpoint_due(log, log->tb.size, &wait_ms);
        pthread_mutex_unlock(&log->mu);
        if (due) {
            rc = dg__log_sign(log, &err);
            log->last_ckpt_ns = (int64_t)dg_mono_ns();
        }

        pthread_mutex_lock(&log->mu);
        if (rc) {
            log->pub_error = rc;
            log->pub_failures++;
            log->pub_broken = true;
            log->st.last_error = rc;
            pthread_cond_broadcast(&log->signed_);
            pthread_mutex_unlock(&log->mu);
            dg_logf(DG_LOG_ERROR, "audit_publish_failed", "%s (retrying)", err.msg);
            pthread_mutex_lock(&log->mu);
            if (log->closing)
                break;
            struct timespec ts;
            deadline_in(&ts, RETRY_MS);
            pthread_cond_timedwait(&log->pub, &log->mu, &ts);
        } else {
            log->pub_broken = false;
            log->pub_error = 0;
            log->st.last_error = log->write_error;
        }
    }
    log->pub_exited = true;
    pthread_cond_broadcast(&log->signed_);
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

int dg__publisher_start(struct dg_audit_log *log)
{
    return pthread_create(&log->publisher, NULL, publisher_main, log) == 0 ? 0 : DG_EAGAIN;
}

void dg__publisher_stop(struct dg_audit_log *log)
{
    /* The writer has stopped: closing is set and durable is final. The
     * publisher catches up, signs, and leaves. */
    pthread_mutex_lock(&log->mu);
    log->closing = true;
    pthread_cond_broadcast(&log->pub);
    pthread_mutex_unlock(&log->mu);
    pthread_join(log->publisher, NULL);
}

int dg_audit_publish(struct dg_audit_log *log, struct dg_error *err)
{
    if (log->readonly)
        return dg_error_set(err, DG_EPERM, NULL, -1, "the log is read-only");
    pthread_mutex_lock(&log->mu);
    uint64_t want = log->durable;
    int rc = 0;
    if (want > log->signed_size) {
        if (want > log->publish_want)
            log->publish_want = want;
        pthread_cond_signal(&log->pub);
        uint64_t failures = log->pub_failures;
        while (log->signed_size < want) {
            if (log->pub_failures != failures) {
                rc = log->pub_error ? log->pub_error : DG_EIO;
                break;
            }
            if (log->pub_exited) {
                rc = DG_ELOGCLOSED;
                break;
            }
            pthread_cond_wait(&log->signed_, &log->mu);
        }
    }
    pthread_mutex_unlock(&log->mu);
    if (rc)
        return dg_error_set(err, rc, NULL, -1, "cannot sign a checkpoint: %s", dg_strerror(rc));
    return 0;
}
