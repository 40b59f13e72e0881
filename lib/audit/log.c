/*
 * log.c - opening, recovering, signing and closing an audit log.
 *
 * Open finds the durable end of the entries (cutting a torn tail), checks
 * them against the persisted signed state (the entries must reproduce the
 * root of the last signed checkpoint, or the log refuses to go on: it must
 * never sign a checkpoint inconsistent with one it signed before), rebuilds
 * the tiles past that checkpoint from the segments, signs a checkpoint for
 * everything durable, then starts the writer (writer.c) and publisher
 * (publish.c) threads.
 */
#include "audit_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void dg_audit_options_init(struct dg_audit_options *o)
{
    memset(o, 0, sizeof(*o));
    o->max_batch = 4096;
    o->max_wait_us = 0;
    o->max_pending = 262144;
    o->checkpoint_ms = 1000;
    o->segment_bytes = 64u << 20;
    o->prealloc_bytes = 4u << 20;
}

static int check_options(const struct dg_audit_options *o, struct dg_error *err)
{
    if (!o->dir || !o->dir[0] || strlen(o->dir) > 3000)
        return dg_error_set(err, DG_EINVAL, "dir", -1, "no audit directory");
    if (!(o->flags & DG_AUDIT_READONLY) && !o->signer)
        return dg_error_set(err, DG_EINVAL, "signer", -1, "a writable log needs a signer key");
    if (o->max_batch < 1 || o->max_batch > 65536)
        return dg_error_set(err, DG_ERANGE, "max_batch", -1, "max_batch must be 1..65536");
    if (o->max_wait_us > 1000000)
        return dg_error_set(err, DG_ERANGE, "max_wait_us", -1, "max_wait_us must be <= 1000000");
    if (o->max_pending < o->max_batch)
        return dg_error_set(err, DG_ERANGE, "max_pending", -1, "max_pending must be >= max_batch");
    if (o->segment_bytes < (1u << 20))
        return dg_error_set(err, DG_ERANGE, "segment_bytes", -1, "segment_bytes must be >= 1 MiB");
    if (o->prealloc_bytes < (64u << 10) || o->prealloc_bytes > o->segment_bytes)
        return dg_error_set(err, DG_ERANGE, "prealloc_bytes", -1,
                            "prealloc_bytes must be 64 KiB .. segment_bytes");
    if (o->checkpoint_ms > 3600000)
        return dg_error_set(err, DG_ERANGE, "checkpoint_ms", -1, "checkpoint_ms must be <= 1 hour");
    return 0;
}

static int mkdir_mode(const char *p, int mode)
{
    if (mkdir(p, (mode_t)mode) == 0 || errno == EEXIST)
        return 0;
    return dg_error_from_errno(errno);
}

/* The sizes a published checkpoint file claims, without checking its
 * signature: a floor that the log must not go under. */
static int public_checkpoint_size(const char *dir, uint64_t *size)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/checkpoint", dir);
    struct dg_buf b;
    dg_buf_init(&b, DG_NOTE_MAX_SIZE);
    int rc = dg__read_file(path, DG_NOTE_MAX_SIZE, &b);
    *size = 0;
    if (!rc) {
        const char *blank = b.len ? strstr(b.data, "\n\n") : NULL;
        struct dg_checkpoint c;
        if (blank && !dg_checkpoint_parse(b.data, (size_t)(blank - b.data) + 1, &c, NULL))
            *size = c.size;
    }
    dg_buf_release(&b);
    return rc == DG_ENOENT ? 0 : rc;
}

int dg__log_recover_tiles(struct dg_audit_log *log, uint64_t durable, struct dg_error *err)
{
    if (log->rd_open)
        dg__reader_close(&log->rd);
    log->rd_open = false;
    uint64_t S = log->signed_size;
    int rc = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        dg__tilebuild_release(&log->tb);
        if ((rc = dg__tilebuild_init(&log->tb, log->dir, false)))
            return rc;
        uint64_t restart = 0;
        if (attempt == 0 && S > 0) {
            struct dg_error e2;
            if (dg__tilebuild_resume(&log->tb, S, &restart, &e2)) {
                dg_logf(DG_LOG_WARN, "audit_tiles_rebuild", "rebuilding all tiles: %s", e2.msg);
                attempt = 1;
                restart = 0;
                dg__tilebuild_release(&log->tb);
                if ((rc = dg__tilebuild_init(&log->tb, log->dir, false)))
                    return rc;
            }
        }
        if ((rc = dg__reader_open(&log->rd, log->dir, restart, durable, err)))
            goto fail;
        log->rd_open = true;
        bool mismatch = false;
        for (;;) {
            if (log->tb.size == S) {
                uint8_t root[DG_HASH_SIZE];
                dg__tilebuild_root(&log->tb, root);
                if (memcmp(root, log->signed_root, DG_HASH_SIZE) != 0) {
                    mismatch = true;
                    break;
                }
                /* Whatever was lost of the signed size's partial tiles is
                 * written again (they must be served for it). */
                if ((rc = dg__tilebuild_partials(&log->tb, err)))
                    goto fail;
            }
            if (log->tb.size >= durable)
                break;
            struct dg__rec rec;
            rc = dg__reader_next(&log->rd, &rec, err);
            if (rc == 0)
                rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)log->tb.size,
                                  "entry %llu is missing", (unsigned long long)log->tb.size);
            if (rc < 0)
                goto fail;
            if ((rc = dg__tilebuild_add(&log->tb, rec.pub, rec.pub_len, err)))
                goto fail;
        }
        if (!mismatch)
            return 0;
        dg__reader_close(&log->rd);
        log->rd_open = false;
        if (restart == 0)
            break;
        dg_logf(DG_LOG_WARN, "audit_tiles_rebuild",
                "tiles do not reproduce the root of checkpoint %llu: rebuilding all tiles",
                (unsigned long long)S);
    }
    return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)S,
                        "the entries do not reproduce the root of the signed checkpoint of size "
                        "%llu",
                        (unsigned long long)S);
fail:
    if (log->rd_open)
        dg__reader_close(&log->rd);
    log->rd_open = false;
    return rc;
}

int dg__log_sign(struct dg_audit_log *log, struct dg_error *err)
{
    uint64_t T = log->tb.size;
    pthread_mutex_lock(&log->mu);
    uint64_t S = log->signed_size;
    bool have = log->signed_note.len > 0;
    pthread_mutex_unlock(&log->mu);
    if (T < S)
        return dg_error_set(err, DG_EROLLBACK, NULL, (long)T,
                            "refusing to sign size %llu after size %llu", (unsigned long long)T,
                            (unsigned long long)S);
    if (T == S && have)
        return 0;
    int e = dg__audit_fault(log, DG__FAULT_PUBLISH);
    if (e)
        return dg_error_set(err, dg_error_from_errno(e), NULL, -1, "injected failure");
    int rc = dg__tilebuild_partials(&log->tb, err);
    if (rc)
        return rc;
    struct dg__state st;
    memset(&st, 0, sizeof(st));
    dg_buf_init(&st.note, DG_NOTE_MAX_SIZE);
    snprintf(st.origin, sizeof(st.origin), "%s", log->origin);
    st.size = T;
    dg__tilebuild_root(&log->tb, st.root);
    struct dg_checkpoint c;
    memset(&c, 0, sizeof(c));
    snprintf(c.origin, sizeof(c.origin), "%s", log->origin);
    c.size = T;
    memcpy(c.root, st.root, DG_HASH_SIZE);
    struct dg_buf text;
    dg_buf_init(&text, DG_NOTE_MAX_SIZE);
    /* The tiles of this size must be on disk before the state says it was
     * signed: after a crash, tiles up to the signed size are trusted. */
    int fd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) != 0)
        rc = dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot sync '%s'", log->dir);
    if (fd >= 0)
        close(fd);
    if (!rc)
        rc = dg_checkpoint_format(&c, &text);
    if (!rc)
        rc = dg_note_sign(log->o.signer, text.data, text.len, &st.note, err);
    if (!rc)
        rc = dg__state_write(log->dir, &st, err);
    if (!rc) {
        char path[4400];
        snprintf(path, sizeof(path), "%s/checkpoint", log->dir);
        rc = dg__write_file_atomic(path, st.note.data, st.note.len, 0644, false);
        if (rc)
            dg_error_set(err, rc, NULL, -1, "cannot write '%s'", path);
    }
    if (!rc) {
        pthread_mutex_lock(&log->mu);
        log->signed_size = T;
        memcpy(log->signed_root, st.root, DG_HASH_SIZE);
        dg_buf_reset(&log->signed_note);
        rc = dg_buf_add(&log->signed_note, st.note.data, st.note.len);
        log->st.signed_size = T;
        log->st.checkpoints++;
        pthread_cond_broadcast(&log->signed_);
        pthread_mutex_unlock(&log->mu);
    }
    dg_buf_release(&text);
    dg_buf_release(&st.note);
    return rc;
}

/* A crash while a segment was being made leaves its temporary file. */
static void remove_temporaries(const char *segdir)
{
    DIR *d = opendir(segdir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 8 && strcmp(e->d_name + n - 8, ".seg.tmp") == 0) {
            char p[4400];
            snprintf(p, sizeof(p), "%s/%s", segdir, e->d_name);
            unlink(p);
        }
    }
    closedir(d);
}

/* Find the durable end of the last segment and cut whatever follows it. */
static int recover_segments(struct dg_audit_log *log, uint64_t *durable, struct dg_error *err)
{
    remove_temporaries(log->segdir);
    struct dg__segs segs = {0};
    int rc = dg__segs_list(log->segdir, &segs, err);
    if (rc)
        return rc;
    if (segs.n == 0) {
        dg__segs_release(&segs);
        *durable = 0;
        return 1; /* no segment yet */
    }
    uint64_t first = segs.first[segs.n - 1], count, end, garbage;
    if (segs.first[0] != 0)
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, 0, "the first segment does not start at 0");
    dg__segs_release(&segs);
    if (rc)
        return rc;
    char path[4400];
    dg__seg_path(path, sizeof(path), log->segdir, first);
    if ((rc = dg__seg_scan(path, first, &count, &end, &garbage, err)))
        return rc;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot open '%s'", path);
    struct stat sb;
    if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size > end) {
        /* Zeros or the debris of a torn batch: never acknowledged. */
        if (ftruncate(fd, (off_t)end) != 0 || (garbage && fsync(fd) != 0)) {
            rc = dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot cut '%s'", path);
            close(fd);
            return rc;
        }
        if (garbage)
            dg_logf(DG_LOG_WARN, "audit_torn_tail",
                    "cut %llu bytes of a torn write after entry %llu",
                    (unsigned long long)(garbage - end), (unsigned long long)(first + count));
    }
    log->segfd = fd;
    log->seg_first = first;
    log->seg_off = end;
    log->seg_alloc = end;
    *durable = first + count;
    return 0;
}

static void log_free(struct dg_audit_log *log)
{
    if (log->rd_open)
        dg__reader_close(&log->rd);
    dg__tilebuild_release(&log->tb);
    dg_buf_release(&log->signed_note);
    if (log->segfd >= 0)
        close(log->segfd);
    if (log->lockfd >= 0)
        close(log->lockfd);
    while (log->free_batches) {
        struct dg__batch *b = log->free_batches;
        log->free_batches = b->next;
        dg_free(b->buf);
        dg_free(b->pend);
        dg_free(b);
    }
    pthread_mutex_destroy(&log->mu);
    pthread_cond_destroy(&log->work);
    pthread_cond_destroy(&log->space);
    pthread_cond_destroy(&log->pub);
    pthread_cond_destroy(&log->signed_);
    pthread_cond_destroy(&log->done_cv);
    dg_free(log);
}

static int open_dirs(struct dg_audit_log *log, struct dg_error *err)
{
    struct stat sb;
    if (!(log->o.flags & DG_AUDIT_CREATE) || log->readonly) {
        if (stat(log->privdir, &sb) != 0)
            return dg_error_set(err, DG_ENOENT, NULL, -1, "no audit log in '%s'", log->dir);
        return 0;
    }
    char tiledir[4400];
    snprintf(tiledir, sizeof(tiledir), "%s/tile", log->dir);
    int rc;
    if ((rc = mkdir_mode(log->dir, 0755)) || (rc = mkdir_mode(tiledir, 0755)) ||
        (rc = mkdir_mode(log->privdir, 0700)) || (rc = mkdir_mode(log->segdir, 0700)))
        return dg_error_set(err, rc, NULL, -1, "cannot create the audit log in '%s'", log->dir);
    return 0;
}

static int take_lock(struct dg_audit_log *log, struct dg_error *err)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/lock", log->privdir);
    log->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (log->lockfd < 0)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot open '%s'", path);
    if (flock(log->lockfd, LOCK_EX | LOCK_NB) != 0)
        return dg_error_set(err, errno == EWOULDBLOCK ? DG_ELOCKED : dg_error_from_errno(errno),
                            NULL, -1, "audit log '%s' is open in another process", log->dir);
    return 0;
}

static int load_state(struct dg_audit_log *log, bool *has_state, struct dg_error *err)
{
    struct dg__state st;
    memset(&st, 0, sizeof(st));
    dg_buf_init(&st.note, DG_NOTE_MAX_SIZE);
    int rc = dg__state_read(log->dir, &st, err);
    *has_state = rc == 0;
    if (rc == DG_ENOENT) {
        rc = 0;
        dg_merkle_empty_root(log->signed_root);
        log->signed_size = 0;
    } else if (!rc) {
        if (strcmp(st.origin, log->origin) != 0)
            rc = dg_error_set(err, DG_EINVAL, "origin", -1, "the log's origin is '%s', not '%s'",
                              st.origin, log->origin);
        log->signed_size = st.size;
        memcpy(log->signed_root, st.root, DG_HASH_SIZE);
        if (!rc)
            rc = dg_buf_add(&log->signed_note, st.note.data, st.note.len);
    }
    dg_buf_release(&st.note);
    uint64_t pub = 0;
    if (!rc && (rc = public_checkpoint_size(log->dir, &pub)) != 0)
        rc = dg_error_set(err, rc, NULL, -1, "cannot read the published checkpoint");
    if (!rc && pub > log->signed_size)
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, -1,
                          "a checkpoint of size %llu was published but the state records %llu",
                          (unsigned long long)pub, (unsigned long long)log->signed_size);
    return rc;
}

int dg_audit_open(const struct dg_audit_options *o, struct dg_audit_log **out, struct dg_error *err)
{
    int rc = check_options(o, err);
    if (rc)
        return rc;
    struct dg_audit_log *log = dg_calloc(1, sizeof(*log));
    if (!log)
        return DG_ENOMEM;
    log->o = *o;
    log->segfd = log->lockfd = -1;
    log->readonly = (o->flags & DG_AUDIT_READONLY) != 0;
    pthread_mutex_init(&log->mu, NULL);
    pthread_cond_init(&log->work, NULL);
    pthread_cond_init(&log->space, NULL);
    pthread_cond_init(&log->pub, NULL);
    pthread_cond_init(&log->signed_, NULL);
    pthread_cond_init(&log->done_cv, NULL);
    dg_buf_init(&log->signed_note, DG_NOTE_MAX_SIZE);
    snprintf(log->dir, sizeof(log->dir), "%s", o->dir);
    snprintf(log->privdir, sizeof(log->privdir), "%s/private", log->dir);
    snprintf(log->segdir, sizeof(log->segdir), "%s/seg", log->privdir);
    const char *origin = o->origin ? o->origin : o->signer ? dg_note_signer_name(o->signer) : "";
    if (!log->readonly &&
        (!origin[0] || strlen(origin) > DG_CHECKPOINT_ORIGIN_MAX || strchr(origin, '\n'))) {
        rc = dg_error_set(err, DG_EINVAL, "origin", -1, "invalid checkpoint origin");
        goto fail;
    }
    snprintf(log->origin, sizeof(log->origin), "%s", origin);
    if ((rc = open_dirs(log, err)))
        goto fail;
    if (log->readonly) {
        struct dg__state st;
        memset(&st, 0, sizeof(st));
        dg_buf_init(&st.note, DG_NOTE_MAX_SIZE);
        rc = dg__state_read(log->dir, &st, err);
        if (!rc) {
            log->signed_size = log->durable = log->st.size = log->st.signed_size = st.size;
            snprintf(log->origin, sizeof(log->origin), "%s", st.origin);
            rc = dg_buf_add(&log->signed_note, st.note.data, st.note.len);
        }
        dg_buf_release(&st.note);
        if (rc == DG_ENOENT)
            rc = dg_error_set(err, rc, NULL, -1, "no audit log state in '%s'", log->dir);
        if (rc)
            goto fail;
        *out = log;
        return 0;
    }
    bool has_state;
    if ((rc = take_lock(log, err)) || (rc = load_state(log, &has_state, err)))
        goto fail;
    uint64_t durable = 0;
    rc = recover_segments(log, &durable, err);
    if (rc < 0)
        goto fail;
    if (rc == 1 && has_state && log->signed_size > 0) {
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, -1,
                          "the segments are gone but a checkpoint of size %llu was signed",
                          (unsigned long long)log->signed_size);
        goto fail;
    }
    if (rc == 1 && (rc = dg__seg_create(log, 0, err)))
        goto fail;
    if (durable < log->signed_size) {
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)durable,
                          "the log holds %llu entries but a checkpoint of size %llu was signed",
                          (unsigned long long)durable, (unsigned long long)log->signed_size);
        goto fail;
    }
    if ((rc = dg__log_recover_tiles(log, durable, err)))
        goto fail;
    log->durable = log->next_index = durable;
    log->st.size = durable;
    log->st.signed_size = log->signed_size;
    if (log->tb.size > log->signed_size || !has_state) {
        if ((rc = dg__log_sign(log, err)))
            goto fail;
    } else {
        /* Republish the persisted checkpoint if the public copy is stale. */
        char path[4400];
        snprintf(path, sizeof(path), "%s/checkpoint", log->dir);
        struct dg_buf cur;
        dg_buf_init(&cur, DG_NOTE_MAX_SIZE);
        int r2 = dg__read_file(path, DG_NOTE_MAX_SIZE, &cur);
        if (r2 || cur.len != log->signed_note.len ||
            memcmp(cur.data, log->signed_note.data, cur.len) != 0)
            rc = dg__write_file_atomic(path, log->signed_note.data, log->signed_note.len, 0644,
                                       true);
        dg_buf_release(&cur);
        if (rc) {
            dg_error_set(err, rc, NULL, -1, "cannot write '%s'", path);
            goto fail;
        }
    }
    log->last_ckpt_ns = (int64_t)dg_mono_ns();
    if ((rc = dg__writer_start(log)))
        goto fail;
    if ((rc = dg__publisher_start(log))) {
        dg__writer_stop(log);
        goto fail;
    }
    *out = log;
    return 0;
fail:
    log_free(log);
    return rc;
}

int dg_audit_close(struct dg_audit_log *log)
{
    if (!log)
        return 0;
    int rc = 0;
    if (!log->readonly) {
        dg__writer_stop(log);
        dg__publisher_stop(log);
        rc = log->pub_error;
        /* Leave the segment tidy: no preallocated zeros after the records. */
        if (log->segfd >= 0 && ftruncate(log->segfd, (off_t)log->seg_off) == 0)
            fsync(log->segfd);
    }
    log_free(log);
    return rc;
}

int dg_audit_checkpoint(struct dg_audit_log *log, struct dg_buf *out)
{
    pthread_mutex_lock(&log->mu);
    int rc = dg_buf_add(out, log->signed_note.data, log->signed_note.len);
    pthread_mutex_unlock(&log->mu);
    return rc;
}

void dg_audit_stats(struct dg_audit_log *log, struct dg_audit_stats *out)
{
    pthread_mutex_lock(&log->mu);
    *out = log->st;
    out->size = log->durable;
    out->signed_size = log->signed_size;
    pthread_mutex_unlock(&log->mu);
}
