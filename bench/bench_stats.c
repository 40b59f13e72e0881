/*
 * bench_stats.c - the cost of counting one request with dg_stats_count, and
 * of a flush.
 *
 * A deterministic mix of 4096 events (requesters drawn uniformly from the
 * synthetic ~18,000-agency directory, keys, purposes, decisions, rules) is made once
 * and counted over and over. Beside each figure, baselines measured in the
 * same run over the same events:
 *   floor:  one relaxed load/store increment of a thread-owned cell per
 *           event (what any counter costs at the least);
 *   mutex:  the same dg_stats_count inside one global pthread mutex: the
 *           obvious design with a lock on the hot path (what the
 *           per-thread shards save, alone and with two threads);
 *   atomic: atomic_fetch_add on shared cells from every thread.
 * With two threads the figures are per event, wall clock over both threads
 * (the machine has 2 cores shared with other work: expect noise). The
 * "hot caches" case counts the same 8 events over and over: the difference
 * from the 4096-event mix is the cost of cache misses (the requester's slot
 * in the ORI table, its agency line, the cube, destination and rule cells),
 * which a node pays too when its traffic comes from thousands of agencies.
 * Each event's ORI string is a copy beside the event, as a node has it in
 * the audit entry it has just written.
 */
#include <dmvgate/agency.h>
#include <dmvgate/stats.h>
#include <dmvgate/store.h>

#include "bench_row.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NEV   4096
#define ITERS 20000000ull

static struct dg_stats_event ev[NEV];
/* Each event's ORI, copied next to the others as the node has it in the
 * audit entry it has just written (hot), not read from the directory. */
static char ev_ori[NEV][DG_ORI_LEN + 1];
static unsigned ev_cell[NEV]; /* a cell index per event, for the baselines */

static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const rules[] = {"default", "civil immigration enforcement (C.R.S. 24-74-103)",
                                    "federal requests need a judicial warrant",
                                    "unidentified agency", "photos stay in state"};

static void make_events(const struct dg_directory *d)
{
    size_t na = dg_directory_count(d);
    for (int i = 0; i < NEV; i++) {
        const struct dg_agency *a = dg_directory_at(d, rnd((unsigned)na));
        struct dg_stats_event *e = &ev[i];
        dg_stats_event_init(e, a);
        memcpy(ev_ori[i], a->ori, sizeof(ev_ori[i]));
        e->ori = ev_ori[i];
        unsigned k = rnd(100);
        e->key = k < 70 ? DG_KEY_DQ : k < 97 ? DG_KEY_RQ : DG_KEY_IQ;
        e->photo = e->key == DG_KEY_IQ;
        e->name_search = e->key == DG_KEY_DQ && rnd(5) == 0;
        e->dest = "CO";
        e->purpose = (enum dg_purpose)rnd(DG_PUR__COUNT);
        e->leg = rnd(10) == 0 ? DG_LEG_JUDICIAL_WARRANT : DG_LEG_NONE;
        unsigned dd = rnd(100);
        e->decision = dd < 90 ? DG_STATS_ALLOW : dd < 96 ? DG_STATS_DENY : DG_STATS_REVIEW;
        e->rule = rules[e->decision == DG_STATS_ALLOW ? 0 : 1 + rnd(4)];
        ev_cell[i] = (unsigned)(e->category * 12 +
                                (e->key == DG_KEY_DQ   ? 0
                                 : e->key == DG_KEY_RQ ? 1
                                                       : 2) *
                                    4 +
                                e->decision);
    }
}

struct run {
    struct dg_stats *s;
    int mode;
    unsigned long long n;
    uint64_t cpu_ns; /* the thread's CPU time */
};

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static _Atomic uint32_t shared_cells[256];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t sink;

enum { M_STATS, M_FLOOR, M_MUTEX, M_ATOMIC, M_HOT };

static void *runner(void *p)
{
    struct run *r = p;
    uint64_t c0 = thread_cpu_ns();
    _Atomic uint32_t own[256];
    memset(own, 0, sizeof(own));
    for (unsigned long long i = 0; i < r->n; i++) {
        unsigned j = (unsigned)(i & (NEV - 1));
        switch (r->mode) {
        case M_STATS: dg_stats_count(r->s, &ev[j]); break;
        case M_HOT: dg_stats_count(r->s, &ev[j & 7]); break;
        case M_FLOOR: {
            _Atomic uint32_t *c = &own[ev_cell[j] & 255];
            atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                                  memory_order_relaxed);
            break;
        }
        case M_MUTEX:
            pthread_mutex_lock(&mu);
            dg_stats_count(r->s, &ev[j]);
            pthread_mutex_unlock(&mu);
            break;
        case M_ATOMIC:
            atomic_fetch_add_explicit(&shared_cells[ev_cell[j] & 255], 1, memory_order_relaxed);
            break;
        }
    }
    uint64_t t = 0;
    for (int i = 0; i < 256; i++)
        t += own[i];
    atomic_fetch_add(&sink, t);
    r->cpu_ns = thread_cpu_ns() - c0;
    return NULL;
}

/* CPU ns per event over `threads` threads each counting n events. CPU
 * time, not wall time: the machine is shared, and a thread that waits for
 * the CPU is not counting slower. *wall (may be NULL) gets the wall-clock
 * ns per event over all threads. */
static double measure(struct dg_stats *s, int mode, int threads, unsigned long long n, double *wall)
{
    pthread_t th[8];
    struct run r[8];
    uint64_t t0 = dg_mono_ns();
    for (int i = 0; i < threads; i++) {
        r[i] = (struct run){s, mode, n, 0};
        pthread_create(&th[i], NULL, runner, &r[i]);
    }
    uint64_t cpu = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        cpu += r[i].cpu_ns;
    }
    if (wall)
        *wall = (double)(dg_mono_ns() - t0) / ((double)n * threads);
    return (double)cpu / ((double)n * threads);
}

static void row(const char *what, int threads, double ns, double base)
{
    printf("%-44s %7d %10.1f %12.2f %10.1f %7.2f\n", what, threads, ns, 1e3 / ns, base, ns / base);
}

int main(void)
{
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    if (!d || dg_agencies_generate(d, 1, &e) < 0) {
        fprintf(stderr, "bench_stats: cannot make the directory\n");
        return 1;
    }
    make_events(d);

    struct dg_store *st = NULL;
    if (dg_store_open(":memory:", DG_STORE_CREATE, &st, &e) != 0) {
        fprintf(stderr, "bench_stats: %s\n", e.msg);
        return 1;
    }
    struct dg_stats_options o;
    dg_stats_options_init(&o);
    o.store = st;
    o.flush_ms = 0;
    o.alerts.baseline_days = 0;
    struct dg_stats *s = NULL;
    if (dg_stats_open(&o, &s, &e) != 0) {
        fprintf(stderr, "bench_stats: %s\n", e.msg);
        return 1;
    }
    /* warm up: enter every agency and rule once */
    measure(s, M_STATS, 1, NEV * 4, NULL);

    printf("bench_stats: %d distinct events from %zu agencies, %llu counted per thread per case\n",
           NEV, dg_directory_count(d), ITERS);
    printf("(ns/event: CPU time per event, summed over the threads; Mevents/s per core)\n");
    printf("%-44s %7s %10s %12s %10s %7s\n", "what", "threads", "ns/event", "Mevents/s", "base ns",
           "ratio");
    double floor1 = measure(s, M_FLOOR, 1, ITERS, NULL);
    double stats1 = measure(s, M_STATS, 1, ITERS, NULL);
    double mutex1 = measure(s, M_MUTEX, 1, ITERS, NULL);
    row("baseline floor: own-cell increment", 1, floor1, floor1);
    row("dg_stats_count, rule by name, vs floor", 1, stats1, floor1);

    /* rule by id: the node interns its rules at policy load */
    for (int i = 0; i < NEV; i++)
        ev[i].rule_id = dg_stats_rule_id(s, ev[i].rule);
    double stats1id = measure(s, M_STATS, 1, ITERS, NULL);
    double hot1 = measure(s, M_HOT, 1, ITERS, NULL);
    double mutex1id = measure(s, M_MUTEX, 1, ITERS, NULL);
    row("baseline mutex around dg_stats_count (name)", 1, mutex1, stats1);
    row("dg_stats_count, rule by id, vs floor", 1, stats1id, floor1);
    bench_row("stats", "stats: dg_stats_count ns/event, 1 thread", stats1id,
              "mutex around the same count", mutex1id, "ns/event", 0);
    row("baseline mutex around dg_stats_count (id)", 1, mutex1id, stats1id);
    row("dg_stats_count, 8 events (hot caches)", 1, hot1, floor1);

    double wall_m, wall_a, wall_s;
    double mutex2 = measure(s, M_MUTEX, 2, ITERS / 2, &wall_m);
    double atomic2 = measure(s, M_ATOMIC, 2, ITERS / 2, &wall_a);
    double stats2 = measure(s, M_STATS, 2, ITERS / 2, &wall_s);
    row("baseline atomic add on one shared cell", 2, atomic2, atomic2);
    row("baseline mutex around dg_stats_count (id)", 2, mutex2, atomic2);
    row("dg_stats_count, rule by id, vs mutex", 2, stats2, mutex2);
    bench_row("stats", "stats: dg_stats_count ns/event, 2 threads", stats2,
              "mutex around the same count", mutex2, "ns/event", 0);
    printf("wall clock per event, 2 threads: mutex %.1f ns, dg_stats_count %.1f ns (ratio %.2f)\n",
           wall_m, wall_s, wall_s / wall_m);

    /* A flush: add up every shard and write the rows. */
    uint64_t t0 = dg_mono_ns();
    if (dg_stats_flush_at(s, 1795593600, &e) != 0) {
        fprintf(stderr, "bench_stats: flush: %s\n", e.msg);
        return 1;
    }
    double flush_ms = (double)(dg_mono_ns() - t0) / 1e6;
    measure(s, M_STATS, 1, 100000, NULL);
    t0 = dg_mono_ns();
    dg_stats_flush_at(s, 1795593600, &e);
    double flush2_ms = (double)(dg_mono_ns() - t0) / 1e6;
    struct dg_stats_info info;
    dg_stats_info(s, &info);
    printf("flush after the runs: %.1f ms (%u shards, %u agencies); after 100,000 more: %.1f ms\n",
           flush_ms, info.threads, info.agencies, flush2_ms);
    printf("counted %llu events in all\n", (unsigned long long)info.counted);
    dg_stats_close(s, &e);
    dg_store_close(st);
    dg_directory_free(d);
    return 0;
}
