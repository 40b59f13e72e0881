/*
 * bench_simulate.c - how fast `dmvgate policy simulate` replays a recorded
 * audit log: one million synthetic queries (the synthetic ~18,000-agency
 * directory, 30 days of traffic to CO shaped by lib/stats' generator,
 * decided under the status quo) are written to a log in a temporary
 * directory, then replayed under a draft policy.
 *
 * Baseline, in the same run over the same log: reading and decoding every
 * entry with the audit iterator and nothing else (the floor for any replay).
 * Then dg_sim_run against the recorded decisions, and against a current
 * policy (two decisions per query). Figures are wall clock on a shared
 * 2-core machine: expect noise. BENCH_SIM_N overrides the count.
 */
#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/policy.h>
#include <dmvgate/simulate.h>
#include <dmvgate/stats.h>

#include "bench_row.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char draft_text[] =
    "policy \"draft: warrants, immigration, unidentified agencies, bulk\" state CO\n"
    "ice: deny \"civil immigration enforcement\"\n"
    "    when requester.component in [ICE-ERO] or purpose == immigration\n"
    "review \"federal requests need a judicial warrant\"\n"
    "    when requester.level == federal and legal_process != judicial_warrant\n"
    "review \"unidentified agency\" when requester.category == unspecified\n"
    "review \"bulk\" when requester.queries_last_hour > 300\n"
    "deny \"photos stay in state\" when query == IQ and requester.state != CO\n"
    "default allow\n";

static struct dg_policy *compile(const char *text)
{
    struct dg_policy *p = NULL;
    struct dg_error e;
    if (dg_policy_compile(text, strlen(text), NULL, &p, NULL, &e) != 0) {
        fprintf(stderr, "bench_simulate: policy: %s\n", e.msg);
        exit(1);
    }
    return p;
}

static _Atomic uint64_t failed;

static void done(void *arg, int status, uint64_t index)
{
    (void)arg, (void)index;
    if (status)
        atomic_fetch_add(&failed, 1);
}

static double write_log(const char *dir, uint64_t n, uint64_t *written)
{
    struct dg_error e;
    struct dg_directory *d = dg_directory_new();
    if (!d || dg_agencies_generate(d, 1, &e) < 0) {
        fprintf(stderr, "bench_simulate: directory\n");
        exit(1);
    }
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 4096);
    dg_buf_init(&vk, 4096);
    struct dg_note_signer *signer = NULL;
    if (dg_note_keygen("bench.sim/log", &sk, &vk, &e) ||
        dg_note_signer_parse(sk.data, sk.len, &signer, &e)) {
        fprintf(stderr, "bench_simulate: key: %s\n", e.msg);
        exit(1);
    }
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = dir;
    o.signer = signer;
    o.flags = DG_AUDIT_CREATE;
    o.checkpoint_ms = 10000;
    struct dg_audit_log *log = NULL;
    if (dg_audit_open(&o, &log, &e) != 0) {
        fprintf(stderr, "bench_simulate: log: %s\n", e.msg);
        exit(1);
    }
    struct dg_policy *quo = compile("policy \"status quo\" state CO\ndefault allow\n");
    struct dg_synth *g = NULL;
    int64_t start = 1793500000; /* early November 2026 */
    struct dg_synth_options so = {d, "CO", 7, start - start % 86400, 30, n, false};
    if (dg_synth_new(&so, &g, &e) != 0) {
        fprintf(stderr, "bench_simulate: synth: %s\n", e.msg);
        exit(1);
    }
    uint64_t t0 = dg_mono_ns(), k = 0;
    struct dg_synth_request r;
    struct dg_audit_entry *entry = dg_malloc(sizeof(*entry));
    while (dg_synth_next(g, &r) == 1) {
        struct dg_policy_request req;
        struct dg_policy_decision dec;
        dg_sim_request_from_synth(&r, &req);
        dg_policy_decide(quo, &req, NULL, &dec);
        dg_sim_entry_from_request(&req, &dec, r.time_us, entry);
        snprintf(entry->msg_id, sizeof(entry->msg_id), "b-%llu", (unsigned long long)k++);
        int rc = dg_audit_append_entry_async(log, entry, done, NULL, &e);
        if (rc == DG_EAGAIN) {
            uint64_t idx;
            rc = dg_audit_append_entry(log, entry, &idx, &e);
        }
        if (rc) {
            fprintf(stderr, "bench_simulate: append: %s\n", e.msg);
            exit(1);
        }
    }
    if (dg_audit_close(log) != 0 || atomic_load(&failed)) {
        fprintf(stderr, "bench_simulate: the log was not written\n");
        exit(1);
    }
    double s = (double)(dg_mono_ns() - t0) / 1e9;
    *written = k;
    dg_free(entry);
    dg_synth_free(g);
    dg_policy_free(quo);
    dg_note_signer_free(signer);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    dg_directory_free(d);
    return s;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor: read and decode every entry. */
static double read_only(const char *dir, uint64_t *n)
{
    struct dg_error e;
    struct dg_audit_iter *it = NULL;
    if (dg_audit_iter_open(dir, 0, &it, &e) != 0) {
        fprintf(stderr, "bench_simulate: iter: %s\n", e.msg);
        exit(1);
    }
    struct dg_audit_entry *entry = dg_malloc(sizeof(*entry));
    struct dg_audit_record rec;
    uint64_t t0 = dg_mono_ns(), k = 0;
    while (dg_audit_iter_next(it, &rec, &e) == 1)
        k += dg_audit_entry_decode(rec.pub, rec.pub_len, NULL, 0, entry, NULL) == 0;
    double s = (double)(dg_mono_ns() - t0) / 1e9;
    dg_audit_iter_free(it);
    dg_free(entry);
    *n = k;
    return s;
}

int main(void)
{
    setenv("TZ", "America/Denver", 1);
    dg_log_set_level(DG_LOG_ERROR);
    uint64_t n = 1000000;
    const char *env = getenv("BENCH_SIM_N");
    if (env && atoll(env) > 0)
        n = (uint64_t)atoll(env);
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/dg-bench-sim-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    uint64_t written;
    double wsec = write_log(dir, n, &written);
    printf("bench_simulate: %llu recorded queries (30 days of synthetic traffic to CO), log "
           "written in %.1f s\n",
           (unsigned long long)written, wsec);

    uint64_t decoded;
    double c0 = cpu_s();
    double base = read_only(dir, &decoded);
    double base_cpu = cpu_s() - c0;
    struct dg_policy *draft = compile(draft_text);
    struct dg_policy *current = compile("policy \"status quo\" state CO\ndefault allow\n");
    struct dg_sim_options o = {.audit_dir = dir, .draft = draft};
    struct dg_sim_result r1, r2;
    struct dg_error e;
    c0 = cpu_s();
    if (dg_sim_run(&o, &r1, &e) != 0) {
        fprintf(stderr, "bench_simulate: %s\n", e.msg);
        return 1;
    }
    double cpu1 = cpu_s() - c0;
    o.current = current;
    c0 = cpu_s();
    if (dg_sim_run(&o, &r2, &e) != 0) {
        fprintf(stderr, "bench_simulate: %s\n", e.msg);
        return 1;
    }
    double cpu2 = cpu_s() - c0;
    printf("(wall: elapsed seconds; cpu: CPU seconds of the process, the work itself on a\n"
           " machine shared with others; ratio of wall times to the baseline)\n");
    printf("%-44s %10s %8s %8s %12s %12s %6s\n", "what", "queries", "wall s", "cpu s", "queries/s",
           "per cpu s", "ratio");
    printf("%-44s %10llu %8.2f %8.2f %12.0f %12.0f %6.2f\n",
           "baseline: read and decode every entry", (unsigned long long)decoded, base, base_cpu,
           (double)decoded / base, (double)decoded / base_cpu, 1.0);
    printf("%-44s %10llu %8.2f %8.2f %12.0f %12.0f %6.2f\n", "simulate vs recorded decisions",
           (unsigned long long)r1.replayed, r1.seconds, cpu1, (double)r1.replayed / r1.seconds,
           (double)r1.replayed / cpu1, r1.seconds / base);
    printf("%-44s %10llu %8.2f %8.2f %12.0f %12.0f %6.2f\n",
           "simulate vs a current policy (2 decisions)", (unsigned long long)r2.replayed,
           r2.seconds, cpu2, (double)r2.replayed / r2.seconds, (double)r2.replayed / cpu2,
           r2.seconds / base);
    bench_row("simulate", "simulate: replay vs recorded decisions, queries/s",
              (double)r1.replayed / r1.seconds, "read and decode every entry",
              (double)decoded / base, "queries/s", 1);
    bench_row("simulate", "simulate: replay vs a current policy, queries/s",
              (double)r2.replayed / r2.seconds, "read and decode every entry",
              (double)decoded / base, "queries/s", 1);
    printf("the draft would change %llu of %llu outcomes (%llu local and state police queries "
           "of %llu)\n",
           (unsigned long long)r1.changed, (unsigned long long)r1.replayed,
           (unsigned long long)r1.police_changed, (unsigned long long)r1.police);
    dg_sim_result_release(&r1);
    dg_sim_result_release(&r2);
    dg_policy_free(draft);
    dg_policy_free(current);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
