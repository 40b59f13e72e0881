/*
 * bench_national.c - a year of national DMV traffic through a node's pipeline
 * without HTTP: how long would 290 million queries take on this machine?
 *
 * Made before the clock starts: the synthetic ~18,500-agency directory
 * (dg_agencies_generate), keys of every state's first drivers (lib/gen, as
 * `dmvgate seed` writes them), and N queries (default 2,000,000) shaped like
 * the national mix of lib/demo (dg_traffic_make_query: local police ask most,
 * HSI about 600,000 and agencies of unrecorded type about 290,000 of 290
 * million, 3 % photo requests, 5 % name searches sent to several states),
 * each from a random agency of the directory of the kind and state the
 * generator chose, written out as message text.
 *
 * Timed: T threads (default 2) each take every T-th message and, as the node
 * does for each, parse it (lib/msg), find the requester in the directory,
 * and for each destination state build the policy request (the query's time
 * runs through one year as the index grows), count its volume (dg_volume),
 * decide (lib/policy, default policies/examples/warrant-required), build the
 * query's audit entry, encode it and append it asynchronously to a durable
 * audit log (lib/audit, group commit, in a temporary directory), at most K
 * (default 4096) appends in flight per thread, as a node's event loops park
 * requests until their batch is synced. The clock stops when the last entry
 * is durable. Not included: HTTP, TLS, the hub, the store lookup and the
 * answer (bench_http and bench_store measure those).
 *
 * Baseline, same run, same disk: the same number of records of the same mean
 * size written with pwrite + fdatasync in batches of the log's mean batch
 * size (so the same number of fdatasyncs): the disk's floor for the same
 * durable work. The ratio is the pipeline's rate over the disk's.
 *
 * usage: bench_national [--queries N] [--threads T] [--inflight K] [--seed S]
 *                       [--policy FILE] [--dir DIR] [--year Q]
 * DG_BENCH_NATIONAL_QUERIES sets N too (the flag wins).
 */
#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/demo.h>
#include <dmvgate/gen.h>
#include <dmvgate/msg.h>
#include <dmvgate/policy.h>
#include <dmvgate/simulate.h>
#include <dmvgate/vocab.h>

#include "bench_row.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS   16
#define KEYS_PER_ST   300
#define POOL_PER_KIND 64
#define REC_HDR       24         /* a record's frame in a segment (lib/audit) */
#define YEAR_START    1767225600 /* 2026-01-01 00:00 UTC */
#define YEAR_SECONDS  (365 * 86400LL)
#define RAW_RING      (64ull << 20) /* the baseline overwrites this much, as bench_audit */

static struct {
    long queries;
    int threads, inflight;
    uint64_t seed;
    const char *policy, *dir;
    double year;
} opt = {2000000, 2,    4096, 1, DG_SOURCE_DIR "/policies/examples/warrant-required.policy",
         NULL,    290e6};

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_national: %s: %s\n", what, msg);
    exit(1);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double secs(uint64_t t0)
{
    return (double)(dg_mono_ns() - t0) / 1e9;
}

/* ---- the traffic ------------------------------------------------------------------- */

static struct dg_directory *dir;
/* Every agency of the directory by (kind, state), to spread the senders over
 * all of them (the generator picks from a small pool). */
static int *bucket[DG_TK__COUNT][DG_STATE_COUNT];
static int nbucket[DG_TK__COUNT][DG_STATE_COUNT];
static int *bykind[DG_TK__COUNT];
static int nbykind[DG_TK__COUNT];

static struct dg_traffic_options traffic;
/* Every state's keys, twice over: a query's destinations are drawn from a
 * window of DG_MSG_MAX_DEST consecutive states (the generator sends a
 * multi-state query to states of its window, at most DG_MSG_MAX_DEST). */
static struct dg_traffic_keys keys[2 * DG_STATE_COUNT];

struct gen_out {
    int t;
    struct dg_buf text;  /* this thread's messages, one after another */
    uint32_t *off, *len; /* of the i-th message of this thread */
    uint64_t by_kind[DG_TK__COUNT], photos, multi, dests;
};
static struct gen_out gen[MAX_THREADS];

static void make_buckets(void)
{
    size_t n = dg_directory_count(dir);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            const struct dg_agency *a = dg_directory_at(dir, i);
            int k = dg_traffic_kind_of(a), s = dg_state_index(a->state, 2);
            if (k < 0 || s < 0)
                continue;
            if (pass) {
                bucket[k][s][nbucket[k][s]++] = (int)i;
                bykind[k][nbykind[k]++] = (int)i;
            } else {
                nbucket[k][s]++;
                nbykind[k]++;
            }
        }
        if (pass)
            break;
        for (int k = 0; k < DG_TK__COUNT; k++) {
            for (int s = 0; s < DG_STATE_COUNT; s++) {
                bucket[k][s] = calloc((size_t)nbucket[k][s] + 1, sizeof(int));
                nbucket[k][s] = 0;
            }
            bykind[k] = calloc((size_t)nbykind[k] + 1, sizeof(int));
            nbykind[k] = 0;
        }
    }
}

/* The generator's pool: up to POOL_PER_KIND agencies of each kind, spread
 * over the directory (dg_traffic_make_query scans the pool per query). */
static void make_pool(void)
{
    static struct dg_traffic_agency pool[DG_TK__COUNT * POOL_PER_KIND];
    int np = 0;
    for (int k = 0; k < DG_TK__COUNT; k++) {
        int take = nbykind[k] < POOL_PER_KIND ? nbykind[k] : POOL_PER_KIND;
        for (int j = 0; j < take; j++) {
            struct dg_traffic_agency *t = &pool[np++];
            t->a = *dg_directory_at(
                dir, (size_t)bykind[k][(size_t)j * (size_t)nbykind[k] / (size_t)take]);
            t->kind = k;
        }
    }
    struct dg_error e;
    for (int s = 0; s < DG_STATE_COUNT; s++) {
        if (dg_traffic_keys_make(&keys[s], dg_state_code(s), 1, KEYS_PER_ST, &e))
            die("keys", e.msg);
        keys[s + DG_STATE_COUNT] = keys[s];
    }
    traffic.seed = opt.seed;
    traffic.agencies = pool;
    traffic.nagencies = np;
}

static uint64_t next(uint64_t *s)
{
    return dg_splitmix64(s);
}

/* Messages t, t + T, t + 2T, ... as text. */
static void *generate(void *arg)
{
    struct gen_out *g = arg;
    size_t mine = (size_t)(opt.queries - g->t + opt.threads - 1) / (size_t)opt.threads;
    g->off = malloc(mine * sizeof(uint32_t) + 1);
    g->len = malloc(mine * sizeof(uint32_t) + 1);
    dg_buf_init(&g->text, (size_t)UINT32_MAX);
    uint64_t rng = opt.seed * 7919 + (uint64_t)g->t;
    for (size_t i = 0; i < mine; i++) {
        struct dg_msg_req req;
        int ai;
        struct dg_traffic_options o = traffic;
        o.keys = &keys[next(&rng) % DG_STATE_COUNT];
        o.nstates = DG_MSG_MAX_DEST;
        int rc = dg_traffic_make_query(&o, &rng, &req, &ai);
        if (rc)
            die("generate", dg_strerror(rc));
        /* Another agency of the same kind in the same state as the pool's. */
        const struct dg_traffic_agency *p = &traffic.agencies[ai];
        int s = dg_state_index(p->a.state, 2);
        int n = nbucket[p->kind][s];
        const struct dg_agency *a =
            dg_directory_at(dir, (size_t)bucket[p->kind][s][next(&rng) % (uint64_t)n]);
        memcpy(req.ori, a->ori, sizeof(req.ori));
        g->by_kind[p->kind]++;
        g->photos += req.photo;
        g->multi += req.ndest > 1;
        g->dests += (uint64_t)req.ndest;
        g->off[i] = (uint32_t)g->text.len;
        if (dg_msg_req_to_text(&req, &g->text))
            die("generate", "out of memory (fewer --queries)");
        g->len[i] = (uint32_t)(g->text.len - g->off[i]);
    }
    return NULL;
}

/* ---- the pipeline ------------------------------------------------------------------- */

static struct dg_policy *policy;
static struct dg_volume *volume;
static struct dg_audit_log *alog;

struct worker {
    int t;
    sem_t slots;
    uint64_t entries, bytes, by_outcome[4];
    _Atomic uint64_t durable;
    _Atomic int failed;
};
static struct worker work[MAX_THREADS];

static void done(void *arg, int status, uint64_t index)
{
    (void)index;
    struct worker *w = arg;
    if (status)
        atomic_store(&w->failed, status);
    atomic_fetch_add_explicit(&w->durable, 1, memory_order_relaxed);
    sem_post(&w->slots);
}

/* The query's entry as the node writes it: the public part as lib/simulate
 * makes it from the policy request, then what the node adds from the message
 * (the real identifiers, legal-process and case numbers, the person asking). */
static void fill_entry(struct dg_audit_entry *e, const struct dg_msg_req *m,
                       const struct dg_policy_request *pr, const struct dg_policy_decision *d,
                       size_t i)
{
    dg_sim_entry_from_request(pr, d, dg_now_us(), e);
    snprintf(e->msg_id, sizeof(e->msg_id), "%s-%010zu", pr->destination, i);
    /* Redactions and the notice go with a review too (the node keeps them
     * for the release); no store lookup here: an allowed query is found. */
    if (d->outcome == DG_POLICY_REVIEW) {
        e->redactions = d->redact;
        e->notify = d->notify;
    }
    const char *const vals[] = {m->oln, m->ols, m->nam, m->dob, m->sex,
                                m->lic, m->lis, m->lit, m->liy, m->vin};
    static const char tags[][4] = {"OLN", "OLS", "NAM", "DOB", "SEX",
                                   "LIC", "LIS", "LIT", "LIY", "VIN"};
    e->nids = 0;
    for (size_t k = 0; k < DG_ARRAY_LEN(vals) && e->nids < DG_AUDIT_MAX_IDS; k++)
        if (vals[k][0]) {
            struct dg_audit_id *id = &e->ids[e->nids++];
            memcpy(id->tag, tags[k], sizeof(id->tag));
            snprintf(id->value, sizeof(id->value), "%s", vals[k]);
        }
    snprintf(e->leg_number, sizeof(e->leg_number), "%s", dg_msg_req_leg_number(m));
    snprintf(e->case_number, sizeof(e->case_number), "%s", m->cas);
    snprintf(e->atn, sizeof(e->atn), "%s", m->atn);
}

static void *pipeline(void *arg)
{
    struct worker *w = arg;
    struct gen_out *g = &gen[w->t];
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    struct dg_audit_entry e;
    struct dg_error err;
    for (size_t j = 0, i = (size_t)w->t; i < (size_t)opt.queries; j++, i += (size_t)opt.threads) {
        struct dg_msg_req m;
        if (dg_msg_req_parse_text(&m, g->text.data + g->off[j], g->len[j], &err))
            die("parse", err.msg);
        const struct dg_agency *a = dg_directory_find(dir, m.ori, DG_ORI_LEN);
        if (!a)
            die("directory", "a generated ORI is not in the directory");
        /* The query's place in the year: 290 million spread over 365 days. */
        int64_t now_s = YEAR_START + (int64_t)((double)i * (double)YEAR_SECONDS / opt.year);
        for (int k = 0; k < m.ndest; k++) {
            struct dg_policy_request pr;
            struct dg_policy_decision d;
            if (dg_policy_request_from_msg(&pr, &m, a, m.dest[k], now_s))
                die("request", "not for its own destination");
            uint32_t count = 0;
            if (dg_volume_hit(volume, m.ori, now_s, &count) == 0)
                pr.queries_last_hour = count;
            dg_policy_decide(policy, &pr, NULL, &d);
            if (d.outcome == DG_POLICY_UNDECIDED) /* phase 2 as for a record without flags */
                dg_policy_decide(policy, &pr, &(struct dg_policy_record){false}, &d);
            w->by_outcome[d.outcome & 3]++;
            fill_entry(&e, &m, &pr, &d, i);
            dg_buf_reset(&pub);
            dg_buf_reset(&priv);
            if (dg_audit_entry_encode(&e, NULL, &pub, &priv, &err))
                die("encode", err.msg);
            w->bytes += REC_HDR + pub.len + priv.len;
            w->entries++;
            sem_wait(&w->slots);
            int rc;
            while ((rc = dg_audit_append_async(alog, pub.data, pub.len, priv.data, priv.len, done,
                                               w)) == DG_EAGAIN)
                usleep(50);
            if (rc)
                die("append", dg_strerror(rc));
        }
    }
    for (int k = 0; k < opt.inflight; k++) /* until every entry of this thread is durable */
        sem_wait(&w->slots);
    dg_buf_release(&pub);
    dg_buf_release(&priv);
    return NULL;
}

/* ---- the raw disk ------------------------------------------------------------------- */

/* Seconds to write `records` records of `size` bytes, `batch` per pwrite +
 * fdatasync, overwriting a ring of allocated blocks. */
static double raw_seconds(const char *path, uint64_t records, size_t size, size_t batch)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die(path, "cannot open");
    size_t len = batch * size;
    char *buf = malloc(len > (1u << 20) ? len : (1u << 20));
    memset(buf, 'r', len > (1u << 20) ? len : (1u << 20));
    for (uint64_t off = 0; off < RAW_RING; off += 1u << 20)
        if (pwrite(fd, buf, 1u << 20, (off_t)off) != (ssize_t)(1u << 20))
            die(path, "write");
    if (fdatasync(fd))
        die(path, "fdatasync");
    uint64_t off = 0, left = records, t0 = dg_mono_ns();
    while (left) {
        size_t b = left < batch ? (size_t)left : batch, n = b * size;
        if (off + n > RAW_RING)
            off = 0;
        if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n || fdatasync(fd))
            die(path, "raw write");
        off += n;
        left -= b;
    }
    double s = secs(t0);
    close(fd);
    unlink(path);
    free(buf);
    return s;
}

/* ---- main ---------------------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: bench_national [--queries N] [--threads T] [--inflight K] [--seed S]\n"
          "                      [--policy FILE] [--dir DIR] [--year Q]\n"
          "  N queries (default 2000000, or DG_BENCH_NATIONAL_QUERIES), T pipeline threads\n"
          "  (2), K appends in flight per thread (4096), Q queries in a year (290000000)\n",
          stderr);
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    const char *env = getenv("DG_BENCH_NATIONAL_QUERIES");
    if (env && *env)
        opt.queries = atol(env);
    opt.dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(argv[i], "--queries"))
            opt.queries = atol(v);
        else if (!strcmp(argv[i], "--threads"))
            opt.threads = atoi(v);
        else if (!strcmp(argv[i], "--inflight"))
            opt.inflight = atoi(v);
        else if (!strcmp(argv[i], "--seed"))
            opt.seed = strtoull(v, NULL, 10);
        else if (!strcmp(argv[i], "--policy"))
            opt.policy = v;
        else if (!strcmp(argv[i], "--dir"))
            opt.dir = v;
        else if (!strcmp(argv[i], "--year"))
            opt.year = atof(v);
        else
            usage();
        i++;
    }
    if (opt.queries < 1000 || opt.threads < 1 || opt.threads > MAX_THREADS || opt.inflight < 1 ||
        opt.year < 1)
        usage();
}

static struct dg_audit_log *open_log(const char *path, struct dg_note_signer **signer)
{
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 1024);
    dg_buf_init(&vk, 1024);
    struct dg_error e;
    if (dg_note_keygen("bench.dmvgate.test/national", &sk, &vk, &e) ||
        dg_note_signer_parse(sk.data, sk.len, signer, &e))
        die("key", e.msg);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = path;
    o.signer = *signer;
    o.flags = DG_AUDIT_CREATE;
    struct dg_audit_log *log;
    if (dg_audit_open(&o, &log, &e))
        die("audit log", e.msg);
    return log;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    dg_log_set_level(DG_LOG_WARN);
    double load[3] = {0};
    getloadavg(load, 3);
    struct dg_error e;
    struct dg_policy_diags diags;
    dg_policy_diags_init(&diags);
    if (dg_policy_load(opt.policy, &policy, &diags, &e))
        die(opt.policy, e.msg);
    dir = dg_directory_new();
    if (dg_agencies_generate(dir, 1, &e) <= 0)
        die("directory", e.msg);
    volume = dg_volume_new(dg_directory_count(dir) + 16);

    uint64_t t0 = dg_mono_ns();
    make_buckets();
    make_pool();
    pthread_t th[MAX_THREADS];
    for (int t = 0; t < opt.threads; t++) {
        gen[t].t = t;
        pthread_create(&th[t], NULL, generate, &gen[t]);
    }
    uint64_t by_kind[DG_TK__COUNT] = {0}, photos = 0, multi = 0, dests = 0, text = 0;
    for (int t = 0; t < opt.threads; t++) {
        pthread_join(th[t], NULL);
        for (int k = 0; k < DG_TK__COUNT; k++)
            by_kind[k] += gen[t].by_kind[k];
        photos += gen[t].photos;
        multi += gen[t].multi;
        dests += gen[t].dests;
        text += gen[t].text.len;
    }
    double gen_s = secs(t0);

    char tmp[4096], logdir[4200], rawpath[4200];
    snprintf(tmp, sizeof(tmp), "%s/dg-bench-national-XXXXXX", opt.dir);
    if (!mkdtemp(tmp))
        die(tmp, "mkdtemp");
    snprintf(logdir, sizeof(logdir), "%s/log", tmp);
    snprintf(rawpath, sizeof(rawpath), "%s/raw.bin", tmp);
    struct statfs sf;
    statfs(tmp, &sf);
    struct dg_note_signer *signer = NULL;
    alog = open_log(logdir, &signer);

    printf("national year replay: %ld queries (%.0f bytes of text each on average), %d "
           "thread(s), %d appends in flight each\n",
           opt.queries, (double)text / (double)opt.queries, opt.threads, opt.inflight);
    printf("policy '%s'; %zu agencies (seed 1); keys of %d drivers in each of %d states\n",
           dg_policy_name(policy), dg_directory_count(dir), KEYS_PER_ST, DG_STATE_COUNT);
    printf("mix:");
    for (int k = 0; k < DG_TK__COUNT; k++)
        printf(" %s %.4f%%%s", dg_traffic_mix[k].name,
               100.0 * (double)by_kind[k] / (double)opt.queries, k + 1 < DG_TK__COUNT ? "," : "\n");
    printf("     photo requests %.2f%%, multi-state %.2f%% (%.3f destinations per query)\n",
           100.0 * (double)photos / (double)opt.queries,
           100.0 * (double)multi / (double)opt.queries, (double)dests / (double)opt.queries);
    printf("audit log on %s (file system type 0x%lx); %ld CPUs; load average %.2f %.2f %.2f\n", tmp,
           (unsigned long)sf.f_type, sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
    printf("made the directory, keys and messages in %.1f s (not timed)\n\n", gen_s);
    fflush(stdout);

    struct dg_audit_stats s0, s1;
    dg_audit_stats(alog, &s0);
    double c0 = cpu_now();
    t0 = dg_mono_ns();
    for (int t = 0; t < opt.threads; t++) {
        work[t].t = t;
        sem_init(&work[t].slots, 0, (unsigned)opt.inflight);
        pthread_create(&th[t], NULL, pipeline, &work[t]);
    }
    uint64_t entries = 0, bytes = 0, outcomes[4] = {0};
    for (int t = 0; t < opt.threads; t++) {
        pthread_join(th[t], NULL);
        if (atomic_load(&work[t].failed))
            die("audit", dg_strerror(atomic_load(&work[t].failed)));
        entries += work[t].entries;
        bytes += work[t].bytes;
        for (int k = 0; k < 4; k++)
            outcomes[k] += work[t].by_outcome[k];
    }
    double pipe_s = secs(t0), pipe_cpu = cpu_now() - c0;
    dg_audit_stats(alog, &s1);
    t0 = dg_mono_ns();
    if (dg_audit_close(alog))
        die("audit", "close failed");
    double close_s = secs(t0);
    uint64_t appended = s1.appends - s0.appends, batches = s1.batches - s0.batches;
    if (appended != entries || s1.size < entries)
        die("audit", "the log does not hold every entry");

    size_t size = (size_t)(bytes / entries);
    size_t batch = batches ? (size_t)((double)appended / (double)batches + 0.5) : 1;
    if (batch < 1)
        batch = 1;
    double raw_s = raw_seconds(rawpath, entries, size, batch);

    double qps = (double)opt.queries / pipe_s, raw_qps = (double)opt.queries / raw_s;
    double hours = opt.year / qps / 3600, raw_hours = opt.year / raw_qps / 3600;
    printf("%-44s %14s %14s %8s\n", "figure", "dmvgate", "raw disk", "ratio");
    printf("%-44s %14.0f %14.0f %8.3f\n", "queries/s (parse, policy, durable audit)", qps, raw_qps,
           qps / raw_qps);
    printf("%-44s %14.0f %14.0f %8.3f\n", "audit entries/s", (double)entries / pipe_s,
           (double)entries / raw_s, raw_s / pipe_s);
    printf("%-44s %14.2f %14.2f %8.3f\n", "projected hours for a year (lower is better)", hours,
           raw_hours, hours / raw_hours);
    printf("\n%llu entries (%llu allow, %llu review, %llu deny), %zu bytes each in a segment on "
           "average;\n%llu group commits (%.1f entries each; %.2f s in write + fdatasync), %.2f s "
           "wall, %.2f s CPU (%.1f us CPU per query, all threads), close %.2f s\n",
           (unsigned long long)entries, (unsigned long long)outcomes[DG_POLICY_ALLOW],
           (unsigned long long)outcomes[DG_POLICY_REVIEW],
           (unsigned long long)outcomes[DG_POLICY_DENY], size, (unsigned long long)batches,
           (double)appended / (double)(batches ? batches : 1),
           (double)(s1.sync_ns_total - s0.sync_ns_total) / 1e9, pipe_s, pipe_cpu,
           pipe_cpu * 1e6 / (double)opt.queries, close_s);
    printf("raw disk: %llu records of %zu bytes, %zu per pwrite + fdatasync, %.2f s\n",
           (unsigned long long)entries, size, batch, raw_s);
    printf("aim (a year of %.0f million queries in under an hour): %s\n", opt.year / 1e6,
           hours < 1 ? "met" : "not met");
    const char *peer = "raw write+fdatasync, same records and batches";
    bench_row("national", "national replay: queries/s (parse, policy, durable audit)", qps, peer,
              raw_qps, "queries/s", 1);
    char fig[96];
    snprintf(fig, sizeof(fig), "national replay: hours for %.0fM queries", opt.year / 1e6);
    bench_row("national", fig, hours, peer, raw_hours, "hours", 0);

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_national: cannot remove %s\n", tmp);
    dg_note_signer_free(signer);
    dg_policy_free(policy);
    dg_volume_free(volume);
    dg_directory_free(dir);
    return 0;
}
