/*
 * test_audit_log.c - the log: durable appends (blocking and asynchronous,
 * from many threads), reopening, the never-go-back rule, torn-tail recovery,
 * write/sync/allocation failures injected through the test hook, tiles
 * rebuilt after damage, segment rolls, the iterator, and full verification
 * finding tampering at the right index.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_test_util.h"
#include "audit/audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>

static struct dg_note_signer *signer;
static struct dg_note_verifier *verifier;

static int setup(void **state)
{
    (void)state;
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 1024);
    dg_buf_init(&vk, 1024);
    struct dg_error err;
    if (dg_note_keygen("test.example/audit", &sk, &vk, &err) ||
        dg_note_signer_parse(sk.data, sk.len, &signer, &err) ||
        dg_note_verifier_parse(vk.data, vk.len, &verifier, &err))
        return -1;
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    dg_log_set_level(DG_LOG_OFF);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_note_signer_free(signer);
    dg_note_verifier_free(verifier);
    return 0;
}

static uint64_t segment_bytes = 1u << 20;

static struct dg_audit_log *open_log(const char *dir, unsigned ckpt_ms, int want)
{
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = dir;
    o.signer = signer;
    o.flags = DG_AUDIT_CREATE;
    o.checkpoint_ms = ckpt_ms;
    o.prealloc_bytes = 1u << 20;
    o.segment_bytes = segment_bytes;
    struct dg_audit_log *log = NULL;
    struct dg_error err;
    int rc = dg_audit_open(&o, &log, &err);
    if (rc != want)
        fail_msg("open '%s': got %s (%s), want %s", dir, dg_errname(rc), err.msg, dg_errname(want));
    return log;
}

static void verify_ok(const char *dir, uint64_t want_entries)
{
    struct dg_error err;
    uint64_t n = 0;
    int rc = dg_audit_verify_dir(dir, &verifier, 1, &n, &err);
    if (rc)
        fail_msg("verify: %s (index %ld)", err.msg, err.offset);
    assert_int_equal(n, want_entries);
}

static void entry_text(uint64_t i, char *out, size_t cap)
{
    snprintf(out, cap, "entry %llu %s", (unsigned long long)i,
             i % 7 == 0 ? "with a somewhat longer tail to vary the sizes of records" : "");
}

struct bulk {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t done, bad;
};

static void bulk_cb(void *arg, int status, uint64_t index)
{
    struct bulk *b = arg;
    (void)index;
    pthread_mutex_lock(&b->mu);
    if (status)
        b->bad++;
    b->done++;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* Append entries first..first+n-1: the first few one by one (blocking), the
 * rest asynchronously in bulk (group commit), then wait for all. */
static void append_n(struct dg_audit_log *log, uint64_t first, uint64_t n)
{
    struct bulk b = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    uint64_t queued = 0;
    for (uint64_t i = first; i < first + n; i++) {
        char t[128];
        entry_text(i, t, sizeof(t));
        if (i - first < 3) {
            uint64_t idx;
            assert_int_equal(dg_audit_append(log, t, strlen(t), "p", 1, &idx), 0);
            assert_int_equal(idx, i);
            continue;
        }
        int rc;
        while ((rc = dg_audit_append_async(log, t, strlen(t), "p", 1, bulk_cb, &b)) == DG_EAGAIN)
            usleep(1000);
        assert_int_equal(rc, 0);
        queued++;
    }
    pthread_mutex_lock(&b.mu);
    while (b.done < queued)
        pthread_cond_wait(&b.cv, &b.mu);
    pthread_mutex_unlock(&b.mu);
    assert_int_equal(b.bad, 0);
}

static void check_entries(const char *dir, uint64_t n)
{
    struct dg_audit_iter *it;
    struct dg_error err;
    assert_int_equal(dg_audit_iter_open(dir, 0, &it, &err), 0);
    struct dg_audit_record r;
    uint64_t i = 0;
    int rc;
    while ((rc = dg_audit_iter_next(it, &r, &err)) == 1) {
        char t[128];
        entry_text(i, t, sizeof(t));
        assert_int_equal(r.index, i);
        assert_int_equal(r.pub_len, strlen(t));
        assert_memory_equal(r.pub, t, r.pub_len);
        i++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(i, n);
    dg_audit_iter_free(it);
}

static void append_reopen_verify(void **state)
{
    (void)state;
    char tmp[256], dir[300];
    tu_tmpdir(tmp);
    snprintf(dir, sizeof(dir), "%s/log", tmp);
    struct dg_audit_log *log = open_log(dir, 1000, 0);
    append_n(log, 0, 300);
    struct dg_error err;
    assert_int_equal(dg_audit_publish(log, &err), 0);
    struct dg_audit_stats st;
    dg_audit_stats(log, &st);
    assert_int_equal(st.size, 300);
    assert_int_equal(st.signed_size, 300);
    assert_true(st.batches >= 1);
    /* A second process (here: open) cannot take the log. */
    open_log(dir, 1000, DG_ELOCKED);
    assert_int_equal(dg_audit_close(log), 0);
    verify_ok(dir, 300);

    log = open_log(dir, 0, 0);
    append_n(log, 300, 400); /* crosses tile 1, adds a level-1 hash */
    assert_int_equal(dg_audit_close(log), 0);
    verify_ok(dir, 700);
    check_entries(dir, 700);

    /* The same entries appended in one go give the same tiles and root. */
    char dir2[300];
    snprintf(dir2, sizeof(dir2), "%s/log2", tmp);
    log = open_log(dir2, 60000, 0);
    append_n(log, 0, 700);
    assert_int_equal(dg_audit_close(log), 0);
    struct dg_buf a, b;
    char p[400];
    snprintf(p, sizeof(p), "%s/tile/1/000.p/2", dir);
    assert_int_equal(tu_read(p, &a), 0);
    snprintf(p, sizeof(p), "%s/tile/1/000.p/2", dir2);
    assert_int_equal(tu_read(p, &b), 0);
    assert_int_equal(a.len, 64);
    assert_memory_equal(a.data, b.data, 64);
    dg_buf_release(&a);
    dg_buf_release(&b);
    struct dg_checkpoint c1, c2;
    for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof(p), "%s/checkpoint", k ? dir2 : dir);
        assert_int_equal(tu_read(p, &a), 0);
        assert_int_equal(dg_checkpoint_open(a.data, a.len, &verifier, 1, k ? &c2 : &c1, &err), 0);
        dg_buf_release(&a);
    }
    assert_int_equal(c1.size, 700);
    assert_memory_equal(c1.root, c2.root, DG_HASH_SIZE);

    /* Proofs from the tiles. */
    struct dg_buf pj;
    dg_buf_init(&pj, 1 << 16);
    assert_int_equal(dg_audit_prove_json(dir, 513, 0, &pj, &err), 0);
    struct dg_proof pr;
    assert_int_equal(dg_proof_parse(pj.data, pj.len, &pr, &err), 0);
    assert_int_equal(dg_proof_verify(&pr), 0);
    assert_memory_equal(pr.root, c1.root, DG_HASH_SIZE);
    dg_buf_reset(&pj);
    assert_int_equal(dg_audit_consistency_json(dir, 300, 700, &pj, &err), 0);
    assert_int_equal(dg_proof_parse(pj.data, pj.len, &pr, &err), 0);
    assert_int_equal(dg_proof_verify(&pr), 0);
    dg_buf_reset(&pj);
    assert_int_equal(dg_audit_prove_json(dir, 700, 0, &pj, &err), DG_ERANGE);
    dg_buf_release(&pj);

    /* Public files: only the checkpoint and canonical tile paths. */
    struct dg_buf pub;
    dg_buf_init(&pub, 1 << 20);
    assert_int_equal(dg_audit_public_read(dir, "/checkpoint", &pub, &err), 0);
    dg_buf_reset(&pub);
    assert_int_equal(dg_audit_public_read(dir, "/tile/0/001", &pub, &err), 0);
    assert_int_equal(pub.len, 8192);
    assert_int_equal(dg_audit_public_read(dir, "/tile/0/009", &pub, &err), DG_ENOENT);
    assert_int_equal(dg_audit_public_read(dir, "/private/state", &pub, &err), DG_EINVAL);
    assert_int_equal(dg_audit_public_read(dir, "/tile/0/../../private/state", &pub, &err),
                     DG_EINVAL);
    assert_int_equal(dg_audit_public_read(dir, "/tile/0/1", &pub, &err), DG_EINVAL);
    dg_buf_release(&pub);
    tu_rmdir(tmp);
}

/* ---- concurrency ---------------------------------------------------------------------- */

struct conc {
    struct dg_audit_log *log;
    int id;
    uint64_t *seen; /* indices acknowledged, by value */
    pthread_mutex_t *mu;
    int async_done;
};

static void async_done(void *arg, int status, uint64_t index)
{
    struct conc *c = arg;
    pthread_mutex_lock(c->mu);
    assert_int_equal(status, 0);
    c->seen[index]++;
    c->async_done++;
    pthread_mutex_unlock(c->mu);
}

static void *conc_main(void *arg)
{
    struct conc *c = arg;
    for (int i = 0; i < 200; i++) {
        char t[64];
        int n = snprintf(t, sizeof(t), "writer %d entry %d", c->id, i);
        if (i % 2) {
            uint64_t idx;
            assert_int_equal(dg_audit_append(c->log, t, (size_t)n, NULL, 0, &idx), 0);
            pthread_mutex_lock(c->mu);
            c->seen[idx]++;
            pthread_mutex_unlock(c->mu);
        } else {
            int rc;
            while ((rc = dg_audit_append_async(c->log, t, (size_t)n, NULL, 0, async_done, c)) ==
                   DG_EAGAIN)
                usleep(100);
            assert_int_equal(rc, 0);
        }
    }
    return NULL;
}

static void concurrent_writers(void **state)
{
    (void)state;
    char tmp[256];
    tu_tmpdir(tmp);
    struct dg_audit_log *log = open_log(tmp, 5, 0);
    enum { W = 8 };
    pthread_t th[W];
    struct conc c[W];
    uint64_t *seen = calloc(W * 200, sizeof(*seen));
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    for (int i = 0; i < W; i++) {
        c[i] = (struct conc){log, i, seen, &mu, 0};
        pthread_create(&th[i], NULL, conc_main, &c[i]);
    }
    for (int i = 0; i < W; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(dg_audit_close(log), 0); /* waits for the async ones */
    for (int i = 0; i < W; i++)
        assert_int_equal(c[i].async_done, 100);
    for (int i = 0; i < W * 200; i++)
        assert_int_equal(seen[i], 1);
    free(seen);
    verify_ok(tmp, W * 200);
    tu_rmdir(tmp);
}

/* ---- recovery ------------------------------------------------------------------------- */

static void seg_file(const char *dir, char *out, size_t cap)
{
    struct dg__segs s = {0};
    char segdir[400];
    snprintf(segdir, sizeof(segdir), "%s/private/seg", dir);
    assert_int_equal(dg__segs_list(segdir, &s, NULL), 0);
    assert_true(s.n > 0);
    dg__seg_path(out, cap, segdir, s.first[s.n - 1]);
    dg__segs_release(&s);
}

static void torn_tail_is_cut(void **state)
{
    (void)state;
    char tmp[256];
    tu_tmpdir(tmp);
    struct dg_audit_log *log = open_log(tmp, 60000, 0);
    append_n(log, 0, 50);
    assert_int_equal(dg_audit_close(log), 0); /* signs 50 */
    /* A crash in the middle of a batch: a whole record for index 50, then
     * half of one for 51, then debris. */
    char seg[512];
    seg_file(tmp, seg, sizeof(seg));
    int fd = open(seg, O_RDWR);
    assert_true(fd >= 0);
    off_t end = lseek(fd, 0, SEEK_END);
    char t[128];
    entry_text(50, t, sizeof(t));
    uint8_t rec[256];
    size_t tl = strlen(t);
    dg__rec_header(rec, 50, dg__rec_crc_payload(t, tl, NULL, 0), (uint32_t)tl, 0);
    memcpy(rec + DG__REC_HDR, t, tl);
    assert_int_equal(pwrite(fd, rec, DG__REC_HDR + tl, end), (ssize_t)(DG__REC_HDR + tl));
    end += (off_t)(DG__REC_HDR + tl);
    entry_text(51, t, sizeof(t));
    tl = strlen(t);
    dg__rec_header(rec, 51, dg__rec_crc_payload(t, tl, NULL, 0), (uint32_t)tl, 0);
    memcpy(rec + DG__REC_HDR, t, tl);
    assert_int_equal(pwrite(fd, rec, DG__REC_HDR + 5, end), DG__REC_HDR + 5);
    assert_int_equal(pwrite(fd, "\0\0\0\0debris", 10, end + 4096), 10);
    close(fd);

    /* The iterator stops at the torn record. */
    check_entries(tmp, 51);
    log = open_log(tmp, 60000, 0);
    struct dg_audit_stats st;
    dg_audit_stats(log, &st);
    assert_int_equal(st.size, 51); /* the whole record survives; the torn one is cut */
    append_n(log, 51, 20);
    assert_int_equal(dg_audit_close(log), 0);
    check_entries(tmp, 71);
    verify_ok(tmp, 71);
    tu_rmdir(tmp);
}

static void refuses_to_go_back(void **state)
{
    (void)state;
    char tmp[256];
    tu_tmpdir(tmp);
    struct dg_audit_log *log = open_log(tmp, 60000, 0);
    append_n(log, 0, 40);
    assert_int_equal(dg_audit_close(log), 0); /* signed 40 */
    char seg[512];
    seg_file(tmp, seg, sizeof(seg));
    struct stat sb;
    assert_int_equal(stat(seg, &sb), 0);

    /* A damaged byte inside a signed entry: the log must not cut it away. */
    int fd = open(seg, O_RDWR);
    char c;
    assert_int_equal(pread(fd, &c, 1, sb.st_size - 3), 1);
    c ^= 0x40;
    assert_int_equal(pwrite(fd, &c, 1, sb.st_size - 3), 1);
    open_log(tmp, 60000, DG_ELOGCORRUPT);
    struct dg_error err;
    assert_int_equal(dg_audit_verify_dir(tmp, &verifier, 1, NULL, &err), DG_ELOGCORRUPT);
    c ^= 0x40;
    assert_int_equal(pwrite(fd, &c, 1, sb.st_size - 3), 1);

    /* Entries cut short: refused. */
    assert_int_equal(ftruncate(fd, sb.st_size - 30), 0);
    close(fd);
    open_log(tmp, 60000, DG_ELOGCORRUPT);
    tu_rmdir(tmp);

    /* Segments gone, state kept: refused. */
    tu_tmpdir(tmp);
    log = open_log(tmp, 60000, 0);
    append_n(log, 0, 5);
    assert_int_equal(dg_audit_close(log), 0);
    seg_file(tmp, seg, sizeof(seg));
    unlink(seg);
    open_log(tmp, 60000, DG_ELOGCORRUPT);
    tu_rmdir(tmp);

    /* State gone but a checkpoint published: refused too. */
    tu_tmpdir(tmp);
    log = open_log(tmp, 60000, 0);
    append_n(log, 0, 5);
    assert_int_equal(dg_audit_close(log), 0);
    char p[400];
    snprintf(p, sizeof(p), "%s/private/state", tmp);
    unlink(p);
    open_log(tmp, 60000, DG_ELOGCORRUPT);
    tu_rmdir(tmp);
}

static void tiles_rebuilt_after_damage(void **state)
{
    (void)state;
    char tmp[256], p[400];
    tu_tmpdir(tmp);
    struct dg_audit_log *log = open_log(tmp, 60000, 0);
    append_n(log, 0, 600);
    assert_int_equal(dg_audit_close(log), 0);
    /* The level-1 partial tile of the signed size is lost: open rebuilds
     * every tile from the segments and checks the signed root. */
    snprintf(p, sizeof(p), "%s/tile/1/000.p/2", tmp);
    assert_int_equal(unlink(p), 0);
    snprintf(p, sizeof(p), "%s/tile/0/001", tmp);
    assert_int_equal(unlink(p), 0);
    struct dg_error err;
    assert_int_equal(dg_audit_verify_dir(tmp, &verifier, 1, NULL, &err), DG_ELOGCORRUPT);
    assert_int_equal(err.offset, 511); /* the last entry of tile 1 */
    log = open_log(tmp, 60000, 0);
    assert_int_equal(dg_audit_close(log), 0);
    verify_ok(tmp, 600);

    /* A tampered entry bundle and a tampered hash tile are found, with the
     * index of the first entry they disagree on. */
    snprintf(p, sizeof(p), "%s/tile/entries/000", tmp);
    struct dg_buf b;
    assert_int_equal(tu_read(p, &b), 0);
    b.data[100] ^= 1;
    tu_write(p, b.data, b.len);
    assert_int_equal(dg_audit_verify_dir(tmp, &verifier, 1, NULL, &err), DG_ELOGCORRUPT);
    assert_int_equal(err.offset, 255);
    assert_non_null(strstr(err.msg, "tile/entries/000"));
    b.data[100] ^= 1;
    tu_write(p, b.data, b.len);
    dg_buf_release(&b);
    verify_ok(tmp, 600);
    tu_rmdir(tmp);
}

/* ---- failures ------------------------------------------------------------------------- */

struct outcome {
    pthread_mutex_t mu;
    int ok, failed, last;
};

static void outcome_cb(void *arg, int status, uint64_t index)
{
    (void)index;
    struct outcome *o = arg;
    pthread_mutex_lock(&o->mu);
    if (status)
        o->failed++, o->last = status;
    else
        o->ok++;
    pthread_mutex_unlock(&o->mu);
}

static bool faults_pending(struct dg_audit_log *log, enum dg__fault_op op)
{
    pthread_mutex_lock(&log->mu);
    bool left = log->fault_count[op] > 0;
    pthread_mutex_unlock(&log->mu);
    return left;
}

static void write_failures(void **state)
{
    (void)state;
    char tmp[256];
    tu_tmpdir(tmp);
    segment_bytes = 16u << 20; /* so that allocation, not a new segment, is needed */
    struct dg_audit_log *log = open_log(tmp, 60000, 0);
    segment_bytes = 1u << 20;
    append_n(log, 0, 10);
    uint64_t idx = 0;
    const enum dg__fault_op ops[] = {DG__FAULT_SYNC, DG__FAULT_WRITE, DG__FAULT_SYNC};
    const int errs[] = {EIO, ENOSPC, ENOSPC};
    for (int k = 0; k < 3; k++) {
        dg__audit_inject_fault(log, ops[k], errs[k], 1);
        int rc = dg_audit_append(log, "lost", 4, NULL, 0, &idx);
        assert_int_equal(rc, errs[k] == EIO ? DG_EIO : DG_ENOSPC);
        /* The disk is back: the next append takes the index the failed one had. */
        append_n(log, 10 + (uint64_t)k, 1);
    }
    /* The repair itself fails once (the writer tries it as soon as it is
     * idle, or before the next batch), then succeeds. */
    dg__audit_inject_fault(log, DG__FAULT_SYNC, EIO, 2);
    assert_int_equal(dg_audit_append(log, "lost", 4, NULL, 0, &idx), DG_EIO);
    while (faults_pending(log, DG__FAULT_SYNC))
        usleep(1000);
    append_n(log, 13, 1);
    /* Allocation of segment space fails: nothing written, nothing acknowledged. */
    struct dg_audit_stats st;
    dg_audit_stats(log, &st);
    dg__audit_inject_fault(log, DG__FAULT_ALLOC, ENOSPC, 100);
    /* Fill up to the allocated end so that the next batch needs more. */
    int rc = 0;
    uint64_t n = 14;
    char big[60000];
    memset(big, 'x', sizeof(big));
    for (int i = 0; i < 40 && rc == 0; i++) {
        rc = dg_audit_append(log, big, sizeof(big), NULL, 0, &idx);
        if (!rc)
            n++;
    }
    assert_int_equal(rc, DG_ENOSPC);
    dg__audit_inject_fault(log, DG__FAULT_ALLOC, 0, 0);

    /* Many appends queued behind a failing batch all fail. */
    struct outcome o = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0};
    dg__audit_inject_fault(log, DG__FAULT_SYNC, EIO, 1);
    for (int i = 0; i < 2000; i++)
        assert_int_equal(dg_audit_append_async(log, "q", 1, NULL, 0, outcome_cb, &o), 0);
    struct dg_error err;
    assert_int_equal(dg_audit_publish(log, &err), 0);
    assert_int_equal(dg_audit_close(log), 0);
    assert_int_equal(o.ok + o.failed, 2000);
    assert_true(o.failed >= 1);
    assert_int_equal(o.last, DG_EIO);
    /* What is in the log: exactly the acknowledged appends. */
    struct dg_audit_iter *it;
    assert_int_equal(dg_audit_iter_open(tmp, 0, &it, &err), 0);
    struct dg_audit_record r;
    uint64_t count = 0;
    while (dg_audit_iter_next(it, &r, &err) == 1) {
        if (count < 14) {
            char t[128];
            entry_text(count, t, sizeof(t));
            assert_int_equal(r.pub_len, strlen(t));
        }
        assert_false(r.pub_len == 4 && memcmp(r.pub, "lost", 4) == 0);
        count++;
    }
    dg_audit_iter_free(it);
    assert_int_equal(count, n + (uint64_t)o.ok);
    verify_ok(tmp, count);
    tu_rmdir(tmp);
}

/* A batch whose sync failed was answered as failed: its records must not
 * stay in the segment, where a crash would make them look durable, even if
 * nothing is appended after it. The idle writer zeroes them. */
static void failed_batch_zeroed_when_idle(void **state)
{
    (void)state;
    char tmp[256], seg[600];
    tu_tmpdir(tmp);
    struct dg_audit_log *log = open_log(tmp, 60000, 0);
    append_n(log, 0, 5);
    dg__audit_inject_fault(log, DG__FAULT_SYNC, EIO, 1);
    uint64_t idx, count = 0, end = 0, garbage = 1;
    assert_int_equal(dg_audit_append(log, "lost", 4, NULL, 0, &idx), DG_EIO);
    seg_file(tmp, seg, sizeof(seg));
    /* Poll (no timing assumption): the repair runs on the writer's thread;
     * until then the failed record reads as a sixth whole record. */
    for (int i = 0; i < 10000 && (garbage || count != 5); i++) {
        assert_int_equal(dg__seg_scan(seg, 0, &count, &end, &garbage, NULL), 0);
        if (garbage || count != 5)
            usleep(1000);
    }
    assert_int_equal(garbage, 0);
    assert_int_equal(count, 5);
    struct dg_audit_stats st;
    dg_audit_stats(log, &st);
    assert_int_equal(st.last_error, DG_EIO);
    /* The disk works: the next append is durable and the error is over. */
    append_n(log, 5, 1);
    dg_audit_stats(log, &st);
    assert_int_equal(st.last_error, 0);
    assert_int_equal(dg_audit_close(log), 0);
    verify_ok(tmp, 6);
    tu_rmdir(tmp);
}

static void publish_failures(void **state)
{
    (void)state;
    char tmp[256];
    tu_tmpdir(tmp);
    struct dg_audit_log *log = open_log(tmp, 60000, 0);
    append_n(log, 0, 10);
    struct dg_error err;
    assert_int_equal(dg_audit_publish(log, &err), 0);
    dg__audit_inject_fault(log, DG__FAULT_PUBLISH, ENOSPC, 1);
    append_n(log, 10, 5); /* appends stay durable while publishing fails */
    assert_int_equal(dg_audit_publish(log, &err), DG_ENOSPC);
    struct dg_audit_stats st;
    dg_audit_stats(log, &st);
    assert_int_equal(st.size, 15);
    assert_int_equal(st.signed_size, 10);
    assert_int_equal(st.last_error, DG_ENOSPC);
    /* The publisher retries from the last signed checkpoint. */
    assert_int_equal(dg_audit_publish(log, &err), 0);
    dg_audit_stats(log, &st);
    assert_int_equal(st.signed_size, 15);
    assert_int_equal(dg_audit_close(log), 0);
    verify_ok(tmp, 15);
    tu_rmdir(tmp);
}

static void segments_roll(void **state)
{
    (void)state;
    char tmp[256];
    tu_tmpdir(tmp);
    struct dg_audit_log *log = open_log(tmp, 60000, 0);
    char big[50000];
    memset(big, 'y', sizeof(big));
    uint64_t idx;
    for (int i = 0; i < 60; i++) {
        big[0] = (char)('A' + i % 26);
        assert_int_equal(dg_audit_append(log, big, sizeof(big), "priv", 4, &idx), 0);
    }
    assert_int_equal(dg_audit_close(log), 0);
    struct dg__segs s = {0};
    char segdir[400];
    snprintf(segdir, sizeof(segdir), "%s/private/seg", tmp);
    assert_int_equal(dg__segs_list(segdir, &s, NULL), 0);
    assert_true(s.n >= 3);
    dg__segs_release(&s);
    verify_ok(tmp, 60);
    /* The iterator from the middle, across segments. */
    struct dg_audit_iter *it;
    struct dg_error err;
    assert_int_equal(dg_audit_iter_open(tmp, 37, &it, &err), 0);
    struct dg_audit_record r;
    uint64_t i = 37;
    while (dg_audit_iter_next(it, &r, &err) == 1) {
        assert_int_equal(r.index, i);
        assert_int_equal(r.pub[0], 'A' + i % 26);
        assert_int_equal(r.priv_len, 4);
        i++;
    }
    assert_int_equal(i, 60);
    dg_audit_iter_free(it);
    assert_int_equal(dg_audit_iter_open(tmp, 61, &it, &err), DG_ERANGE);
    tu_rmdir(tmp);
}

static void bad_options(void **state)
{
    (void)state;
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    struct dg_audit_log *log;
    struct dg_error err;
    assert_int_equal(dg_audit_open(&o, &log, &err), DG_EINVAL); /* no dir */
    o.dir = "/nonexistent/dg-audit";
    assert_int_equal(dg_audit_open(&o, &log, &err), DG_EINVAL); /* no signer */
    o.signer = signer;
    assert_int_equal(dg_audit_open(&o, &log, &err), DG_ENOENT); /* no CREATE */
    o.max_batch = 0;
    assert_int_equal(dg_audit_open(&o, &log, &err), DG_ERANGE);
    o.max_batch = 10;
    o.max_pending = 5;
    assert_int_equal(dg_audit_open(&o, &log, &err), DG_ERANGE);
    /* An origin other than the one the log was made with. */
    char tmp[256];
    tu_tmpdir(tmp);
    log = open_log(tmp, 60000, 0);
    assert_int_equal(dg_audit_append(log, "x", 1, NULL, 0, NULL), 0);
    assert_int_equal(dg_audit_append(log, "", 0, NULL, 0, NULL), DG_ETOOBIG);
    assert_int_equal(dg_audit_close(log), 0);
    dg_audit_options_init(&o);
    o.dir = tmp;
    o.signer = signer;
    o.origin = "other.example/log";
    assert_int_equal(dg_audit_open(&o, &log, &err), DG_EINVAL);
    /* Read-only: the checkpoint, no appends. */
    o.origin = NULL;
    o.signer = NULL;
    o.flags = DG_AUDIT_READONLY;
    assert_int_equal(dg_audit_open(&o, &log, &err), 0);
    struct dg_buf cp;
    dg_buf_init(&cp, DG_NOTE_MAX_SIZE);
    assert_int_equal(dg_audit_checkpoint(log, &cp), 0);
    assert_non_null(strstr(cp.data, "\n1\n"));
    dg_buf_release(&cp);
    assert_int_equal(dg_audit_append(log, "x", 1, NULL, 0, NULL), DG_EPERM);
    assert_int_equal(dg_audit_close(log), 0);
    tu_rmdir(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_reopen_verify),
        cmocka_unit_test(concurrent_writers),
        cmocka_unit_test(torn_tail_is_cut),
        cmocka_unit_test(refuses_to_go_back),
        cmocka_unit_test(tiles_rebuilt_after_damage),
        cmocka_unit_test(write_failures),
        cmocka_unit_test(failed_batch_zeroed_when_idle),
        cmocka_unit_test(publish_failures),
        cmocka_unit_test(segments_roll),
        cmocka_unit_test(bad_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
