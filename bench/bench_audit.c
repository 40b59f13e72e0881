/*
 * bench_audit.c - durable appends per second to the audit log, beside the raw
 * disk measured in the same run on the same file system.
 *
 * For 1, 4 and 32 concurrent writers (blocking appends) and for an
 * asynchronous pipeline (what a node's event loops do: many requests parked
 * while their batch syncs), the log's rate and mean batch size are set
 * beside two baselines on a file written beforehand (pure overwrites): a
 * raw loop of write + fdatasync per record, and per batch of the same size.
 * The ratio to the per-batch baseline is what group commit achieves against
 * the disk's own limit. The disk of a shared machine drifts, so each case
 * alternates short log and raw measurements five times and reports medians. Then full verification
 * (`audit verify`) of the log written, in entries per second, beside SHA-256 leaf hashing of the
 * same entries from memory.
 *
 * usage: bench_audit [--seconds S] [--dir DIR]   (DIR default $TMPDIR or /tmp)
 * BENCH_AUDIT_ROUNDS=1 in the environment prints every round on stderr.
 */
#include <dmvgate/audit.h>

#include "bench_row.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

static double seconds = 0.4;    /* per measurement; each case: 5 rounds of log, raw, raw */
static struct dg_buf pub, priv; /* one realistic entry, encoded */
static size_t framed;           /* its size in a segment */

static double now(void)
{
    return (double)dg_mono_ns() / 1e9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_audit: %s: %s\n", what, dg_strerror(rc));
    exit(1);
}

static void make_entry(void)
{
    struct dg_audit_entry e;
    dg_audit_entry_init(&e, DG_AUDIT_QUERY);
    snprintf(e.msg_id, sizeof(e.msg_id), "CO-20251125-000123456");
    snprintf(e.req.ori, sizeof(e.req.ori), "DCICE0100");
    e.req.level = DG_LEVEL_FEDERAL;
    e.req.category = DG_CAT_FEDERAL_LE;
    snprintf(e.req.department, sizeof(e.req.department), "DHS");
    snprintf(e.req.component, sizeof(e.req.component), "ICE-ERO");
    e.key = DG_KEY_DQ;
    snprintf(e.dest, sizeof(e.dest), "CO");
    e.fields_asked = DG_FIELD_NAME | DG_FIELD_DOB | DG_FIELD_ADDRESS | DG_FIELD_LICENSE;
    e.purpose = DG_PUR_CRIMINAL_JUSTICE;
    e.leg = DG_LEG_JUDICIAL_WARRANT;
    e.has_case = true;
    e.decision = DG_DECISION_ALLOW;
    snprintf(e.rule, sizeof(e.rule), "federal requests need a judicial warrant");
    e.redactions = DG_FIELD_ADDRESS;
    e.released = DG_FIELD_NAME | DG_FIELD_DOB | DG_FIELD_LICENSE;
    e.nids = 2;
    snprintf(e.ids[0].tag, 4, "OLN");
    snprintf(e.ids[0].value, sizeof(e.ids[0].value), "D12345678");
    snprintf(e.ids[1].tag, 4, "OLS");
    snprintf(e.ids[1].value, sizeof(e.ids[1].value), "CO");
    snprintf(e.leg_number, sizeof(e.leg_number), "25CR004411");
    snprintf(e.case_number, sizeof(e.case_number), "HSI-DEN-2025-0077");
    snprintf(e.atn, sizeof(e.atn), "SA J RIVERA");
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    struct dg_error err;
    int rc = dg_audit_entry_encode(&e, NULL, &pub, &priv, &err);
    if (rc)
        die("encode", rc);
    framed = 24 + pub.len + priv.len;
}

/* ---- the raw disk ------------------------------------------------------------------- */

#define RAW_FILE_BYTES (64u << 20)

struct raw {
    int fd;
    uint64_t off;
    char *buf;
};

static void raw_open(struct raw *r, const char *dir)
{
    char p[4200];
    snprintf(p, sizeof(p), "%s/raw.bin", dir);
    r->fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (r->fd < 0)
        die("raw file", DG_EIO);
    /* Written once with real data: the baseline overwrites blocks that are
     * allocated and initialised, the cheapest durable write the file system
     * offers (the log's segments are allocated ahead with fallocate). */
    static char zeros[1 << 20];
    for (uint64_t off = 0; off < RAW_FILE_BYTES; off += sizeof(zeros))
        if (pwrite(r->fd, zeros, sizeof(zeros), (off_t)off) != (ssize_t)sizeof(zeros))
            die("raw file", DG_EIO);
    if (fdatasync(r->fd) != 0)
        die("raw file", DG_EIO);
    r->off = 0;
    r->buf = malloc(framed * 4096);
    memset(r->buf, 'r', framed * 4096);
}

/* Records per second writing `batch` records per write + fdatasync. */
static double raw_rate(struct raw *r, size_t batch)
{
    size_t len = batch * framed;
    uint64_t n = 0;
    double t0 = now(), t;
    do {
        if (r->off + len > RAW_FILE_BYTES)
            r->off = 0; /* overwrite allocated blocks, as the log does */
        if (pwrite(r->fd, r->buf, len, (off_t)r->off) != (ssize_t)len || fdatasync(r->fd) != 0)
            die("raw write", DG_EIO);
        r->off += len;
        n += batch;
        t = now();
    } while (t - t0 < seconds);
    return (double)n / (t - t0);
}

/* ---- the log ------------------------------------------------------------------------ */

struct run {
    struct dg_audit_log *log;
    double t_end;
    uint64_t count;
    double *lat; /* microseconds, per append */
    size_t nlat, cap;
    /* async */
    sem_t slots;
    pthread_mutex_t mu;
};

static void add_lat(struct run *r, double us)
{
    if (r->nlat < r->cap)
        r->lat[r->nlat++] = us;
}

static void *writer(void *arg)
{
    struct run *r = arg;
    uint64_t n = 0;
    double *lat = malloc(sizeof(double) * 1000000);
    size_t nl = 0;
    while (now() < r->t_end) {
        double t0 = now();
        int rc = dg_audit_append(r->log, pub.data, pub.len, priv.data, priv.len, NULL);
        if (rc)
            die("append", rc);
        if (nl < 1000000)
            lat[nl++] = (now() - t0) * 1e6;
        n++;
    }
    pthread_mutex_lock(&r->mu);
    r->count += n;
    for (size_t i = 0; i < nl; i++)
        add_lat(r, lat[i]);
    pthread_mutex_unlock(&r->mu);
    free(lat);
    return NULL;
}

struct token {
    struct run *r;
    double t0;
};

static void async_done(void *arg, int status, uint64_t index)
{
    (void)index;
    struct token *t = arg;
    struct run *r = t->r;
    if (status)
        die("async append", status);
    double us = (now() - t->t0) * 1e6;
    pthread_mutex_lock(&r->mu);
    r->count++;
    add_lat(r, us);
    pthread_mutex_unlock(&r->mu);
    free(t);
    sem_post(&r->slots);
}

static void *producer(void *arg)
{
    struct run *r = arg;
    while (now() < r->t_end) {
        sem_wait(&r->slots);
        struct token *t = malloc(sizeof(*t));
        t->r = r;
        t->t0 = now();
        int rc;
        while ((rc = dg_audit_append_async(r->log, pub.data, pub.len, priv.data, priv.len,
                                           async_done, t)) == DG_EAGAIN)
            usleep(50);
        if (rc)
            die("async append", rc);
    }
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct result {
    double rate, batch, p50, p99, cpu_us; /* cpu_us: process CPU time per append */
};

/* writers > 0: blocking appends from that many threads; writers < 0:
 * -writers producer threads with `inflight` asynchronous appends each. */
static struct result log_run(struct dg_audit_log *log, int writers, int inflight)
{
    struct run r;
    memset(&r, 0, sizeof(r));
    r.log = log;
    r.cap = 4000000;
    r.lat = malloc(sizeof(double) * r.cap);
    pthread_mutex_init(&r.mu, NULL);
    int threads = writers > 0 ? writers : -writers;
    sem_init(&r.slots, 0, (unsigned)(threads * inflight));
    struct dg_audit_stats s0, s1;
    dg_audit_stats(log, &s0);
    pthread_t th[64];
    double t0 = now(), c0 = cpu_now();
    r.t_end = t0 + seconds;
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, writers > 0 ? writer : producer, &r);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    if (writers < 0) /* wait for the last completions */
        for (int i = 0; i < threads * inflight; i++)
            sem_wait(&r.slots);
    double t1 = now(), c1 = cpu_now();
    dg_audit_stats(log, &s1);
    struct result res;
    pthread_mutex_lock(&r.mu);
    res.rate = (double)r.count / (t1 - t0);
    res.cpu_us = r.count ? (c1 - c0) * 1e6 / (double)r.count : 0;
    uint64_t batches = s1.batches - s0.batches;
    res.batch = batches ? (double)(s1.appends - s0.appends) / (double)batches : 0;
    qsort(r.lat, r.nlat, sizeof(double), cmp_d);
    res.p50 = r.nlat ? r.lat[r.nlat / 2] : 0;
    res.p99 = r.nlat ? r.lat[r.nlat * 99 / 100] : 0;
    pthread_mutex_unlock(&r.mu);
    free(r.lat);
    sem_destroy(&r.slots);
    return res;
}

#define ROUNDS 5

static double median(double v[ROUNDS])
{
    qsort(v, ROUNDS, sizeof(double), cmp_d);
    return v[ROUNDS / 2];
}

/* The round with the median rate. */
static struct result median_result(struct result r[ROUNDS])
{
    double rates[ROUNDS];
    for (int k = 0; k < ROUNDS; k++)
        rates[k] = r[k].rate;
    double m = median(rates);
    for (int k = 0; k < ROUNDS; k++)
        if (r[k].rate == m)
            return r[k];
    return r[0];
}

int main(int argc, char **argv)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            base = argv[++i];
        else {
            fprintf(stderr, "usage: bench_audit [--seconds S] [--dir DIR]\n");
            return 2;
        }
    }
    dg_log_set_level(DG_LOG_WARN);
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/bench-audit-XXXXXX", base);
    if (!mkdtemp(dir))
        die("mkdtemp", DG_EIO);
    make_entry();
    struct statfs sf;
    statfs(dir, &sf);
    printf("audit log: durable appends per second (entry: %zu B public + %zu B private, %zu B "
           "in a segment)\n",
           pub.len, priv.len, framed);
    printf("disk: %s (file system type 0x%lx), %.1f s per measurement, CPUs: %ld\n\n", dir,
           (unsigned long)sf.f_type, seconds, sysconf(_SC_NPROCESSORS_ONLN));

    struct raw raw;
    raw_open(&raw, dir);
    double raw1 = raw_rate(&raw, 1);

    struct dg_buf sk, vk;
    dg_buf_init(&sk, 1024);
    dg_buf_init(&vk, 1024);
    struct dg_error err;
    struct dg_note_signer *signer = NULL;
    if (dg_note_keygen("bench.dmvgate.test/log", &sk, &vk, &err) ||
        dg_note_signer_parse(sk.data, sk.len, &signer, &err))
        die("key", DG_EINTERNAL);
    char logdir[4200];
    snprintf(logdir, sizeof(logdir), "%s/log", dir);
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = logdir;
    o.signer = signer;
    o.flags = DG_AUDIT_CREATE;
    struct dg_audit_log *log;
    int rc = dg_audit_open(&o, &log, &err);
    if (rc)
        die(err.msg, rc);

    printf("%-28s %11s %8s %8s %9s | %-26s %11s %7s\n", "case", "appends/s", "batch", "p50 us",
           "p99 us", "baseline (same run)", "records/s", "ratio");
    printf("%-28s %11s %8s %8s %9s | %-26s %11.0f %7s\n", "raw write+fdatasync/record", "-", "1",
           "-", "-", "-", raw1, "-");
    struct {
        const char *name;
        int writers, inflight;
    } cases[] = {
        {"group commit, 1 writer", 1, 0},
        {"group commit, 4 writers", 4, 0},
        {"group commit, 32 writers", 32, 0},
        {"async, 4 loops x 4096", -4, 4096},
    };
    /* The disk of a shared machine drifts: each case alternates log and raw
     * measurements ROUNDS times and reports the medians. */
    for (size_t i = 0; i < DG_ARRAY_LEN(cases); i++) {
        struct result res[ROUNDS];
        double rb[ROUNDS], r1[ROUNDS];
        size_t b = 1;
        for (int k = 0; k < ROUNDS; k++) {
            res[k] = log_run(log, cases[i].writers, cases[i].inflight);
            b = res[k].batch < 1 ? 1 : (size_t)(res[k].batch + 0.5);
            if (b > 4096)
                b = 4096;
            rb[k] = raw_rate(&raw, b);
            r1[k] = raw_rate(&raw, 1);
            if (getenv("BENCH_AUDIT_ROUNDS"))
                fprintf(
                    stderr,
                    "  round %d: log %.0f/s (batch %.1f), raw batch %.0f/s, raw record %.0f/s\n", k,
                    res[k].rate, res[k].batch, rb[k], r1[k]);
        }
        struct result m = median_result(res);
        double mrb = median(rb), mr1 = median(r1);
        b = m.batch < 1 ? 1 : (size_t)(m.batch + 0.5);
        char bl[64];
        snprintf(bl, sizeof(bl), "raw per batch of ~%zu", b);
        printf("%-28s %11.0f %8.1f %8.0f %9.0f | %-26s %11.0f %7.2f\n", cases[i].name, m.rate,
               m.batch, m.p50, m.p99, bl, mrb, m.rate / mrb);
        char cpu[32];
        snprintf(cpu, sizeof(cpu), "%.1f us CPU", m.cpu_us);
        printf("%-28s %11s %8s %18s | %-26s %11.0f %7.2f\n", "", "", "", cpu, "raw per record", mr1,
               m.rate / mr1);
        char fig[96], peer[96];
        snprintf(fig, sizeof(fig), "audit: durable appends/s, %s", cases[i].name);
        snprintf(peer, sizeof(peer), "raw write+fdatasync per batch of %zu", b);
        bench_row("audit", fig, m.rate, peer, mrb, "appends/s", 1);
    }
    struct dg_audit_stats st;
    dg_audit_stats(log, &st);
    rc = dg_audit_close(log);
    if (rc)
        die("close", rc);

    /* Verification of everything written, beside hashing alone. */
    double t0 = now(), c0 = cpu_now();
    uint64_t n = 0;
    rc = dg_audit_verify_dir(logdir, NULL, 0, &n, &err);
    double tv = now() - t0, cv = cpu_now() - c0;
    if (rc)
        die(err.msg, rc);
    uint8_t h[DG_HASH_SIZE];
    t0 = now();
    for (uint64_t i = 0; i < n; i++)
        dg_merkle_leaf_hash(pub.data, pub.len, h);
    double th = now() - t0;
    printf("\n%-28s %11.0f entries/s (%llu entries, %.2f s; %.0f entries per CPU second) | "
           "SHA-256 leaf hashing alone %.0f /s, ratio %.2f\n",
           "full verification", (double)n / tv, (unsigned long long)n, tv, (double)n / cv,
           (double)n / th, ((double)n / tv) / ((double)n / th));
    bench_row("audit", "audit: full verification, entries/s", (double)n / tv,
              "SHA-256 leaf hashing alone", (double)n / th, "entries/s", 1);
    printf("checkpoints signed during the runs: %llu; appends: %llu in %llu batches\n",
           (unsigned long long)st.checkpoints, (unsigned long long)st.appends,
           (unsigned long long)st.batches);

    close(raw.fd);
    char cmd[4300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_audit: cannot remove %s\n", dir);
    dg_note_signer_free(signer);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    return 0;
}
