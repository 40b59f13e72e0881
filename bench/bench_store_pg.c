/*
 * bench_store_pg.c - the PostgreSQL store beside the SQLite store, on the
 * same machine, in the same run, with the same data (dg_gen_seed, same state
 * and seed) and the same keys:
 *
 *   seeding   dg_gen_seed into each backend (COPY for PostgreSQL, a bulk
 *             transaction for SQLite; both build their indexes at the end);
 *   lookups   dg_store_* by OLN, name+DOB, plate and VIN, from one thread and
 *             from two (each thread its own store handle, as the node does);
 *   libpq     the driver-by-OLN statement through bare libpq with text and
 *             with binary results, and the driver-by-id statement with its
 *             integer parameter sent as text and as binary, to show what the
 *             formats cost (the backend uses text, binary only for photos).
 *
 * Every rate is the best of ROUNDS rounds that alternate between the two
 * sides (on a shared machine the best round is the one least disturbed by
 * others). The SQLite column is the baseline of every ratio. PostgreSQL is a local
 * server over its unix socket: each lookup is a round trip to another
 * process, where SQLite reads pages mapped into this one.
 *
 * usage: bench_store_pg [DRIVERS]   (default 200000). PostgreSQL: DG_PG_URI,
 * or a throwaway cluster (scripts/pg-tmp) for the run.
 */
#include <dmvgate/gen.h>
#include <dmvgate/store.h>

#include "bench_row.h"
#include "pg_cluster.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NKEYS   20000
#define THREADS 2
#define ROUNDS  3

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_store_pg: %s: %s\n", what, msg);
    exit(1);
}

static double secs_since(uint64_t t0)
{
    return (double)(dg_mono_ns() - t0) / 1e9;
}

/* The baseline of the row: the SQLite store, or for the libpq rows the text
 * format beside the binary one. */
static const char *row_peer = "the SQLite store, same data and keys";

static void row(const char *what, double pg, double sq, const char *unit)
{
    printf("%-34s %12.0f %12.0f %8.2f  %s\n", what, pg, sq, pg / sq, unit);
    char fig[96];
    snprintf(fig, sizeof(fig), "store_pg: %s %s",
             strstr(row_peer, "libpq") ? "libpq binary," : "PostgreSQL store,", what);
    bench_row("store_pg", fig, pg, row_peer, sq, unit, 1);
}

static struct dg_store *open_or_die(const char *uri, unsigned flags)
{
    struct dg_store *s;
    struct dg_error e;
    if (dg_store_open(uri, flags, &s, &e))
        die(uri, e.msg);
    return s;
}

static double seed(const char *uri, uint64_t n)
{
    struct dg_store *s = open_or_die(uri, DG_STORE_CREATE | DG_STORE_BULK);
    struct dg_gen_opts o = {.state = "CO", .seed = 1};
    struct dg_error e;
    uint64_t t0 = dg_mono_ns();
    if (dg_gen_seed(s, &o, n, NULL, &e))
        die("seed", e.msg);
    double t = secs_since(t0);
    dg_store_close(s);
    return (double)n / t;
}

/* ---- keys ------------------------------------------------------------------------------- */

struct keys {
    struct dg_driver d[NKEYS];
    struct dg_vehicle v[NKEYS];
};

static void pick_keys(const char *uri, struct keys *k)
{
    struct dg_store *s = open_or_die(uri, DG_STORE_READONLY);
    struct dg_store_stats st;
    struct dg_error e;
    if (dg_store_stats(s, &st, &e))
        die("stats", e.msg);
    struct dg_rng r;
    dg_rng_seed(&r, 7);
    for (size_t i = 0; i < NKEYS; i++) {
        int64_t id = 1 + (int64_t)dg_rng_below(&r, (uint64_t)st.max_driver_id);
        if (dg_store_driver_by_id(s, id, &k->d[i], &e))
            die("driver key", e.msg);
        id = 1 + (int64_t)dg_rng_below(&r, (uint64_t)st.max_vehicle_id);
        if (dg_store_vehicle_by_id(s, id, &k->v[i], &e))
            die("vehicle key", e.msg);
    }
    dg_store_close(s);
}

/* ---- lookups ------------------------------------------------------------------------------ */

enum kind { OLN, NAME, PLATE, VIN, KINDS };
static const char *const kind_name[KINDS] = {"driver by OLN", "drivers by name+DOB",
                                             "vehicles by plate", "vehicles by VIN"};

struct run {
    const char *uri;
    const struct keys *k;
    enum kind kind;
    size_t from, count;
    double secs;
};

static void *lookups(void *arg)
{
    struct run *r = arg;
    struct dg_store *s = open_or_die(r->uri, DG_STORE_READONLY);
    struct dg_error e;
    static __thread struct dg_candidate c[16];
    struct dg_vehicle v[8];
    struct dg_driver d;
    uint64_t t0 = dg_mono_ns();
    for (size_t j = 0; j < r->count; j++) {
        size_t i = (r->from + j) % NKEYS;
        const struct dg_driver *kd = &r->k->d[i];
        const struct dg_vehicle *kv = &r->k->v[i];
        int rc = 0;
        switch (r->kind) {
        case OLN: rc = dg_store_driver_by_oln(s, kd->oln, kd->ols, &d, &e); break;
        case NAME: {
            struct dg_name_query q = {kd->last, kd->first, kd->middle, kd->dob, 0};
            rc = dg_store_drivers_by_name(s, &q, c, 16, &e);
            rc = rc > 0 ? 0 : rc == 0 ? DG_ENOTFOUND : rc;
            break;
        }
        case PLATE:
            rc = dg_store_vehicles_by_plate(s, kv->plate, kv->plate_state, NULL, v, 8, &e);
            rc = rc > 0 ? 0 : rc == 0 ? DG_ENOTFOUND : rc;
            break;
        case VIN:
            rc = dg_store_vehicles_by_vin(s, kv->vin, v, 8, &e);
            rc = rc > 0 ? 0 : rc == 0 ? DG_ENOTFOUND : rc;
            break;
        default: break;
        }
        if (rc)
            die(kind_name[r->kind], rc == DG_ENOTFOUND ? "a key was not found" : e.msg);
    }
    r->secs = secs_since(t0);
    dg_store_close(s);
    return NULL;
}

/* Lookups per second of kind with nthreads threads, count lookups each. */
static double rate(const char *uri, const struct keys *k, enum kind kind, int nthreads,
                   size_t count)
{
    struct run r[THREADS];
    pthread_t t[THREADS];
    uint64_t t0 = dg_mono_ns();
    for (int i = 0; i < nthreads; i++) {
        r[i] = (struct run){uri, k, kind, (size_t)i * (NKEYS / THREADS), count, 0};
        if (pthread_create(&t[i], NULL, lookups, &r[i]))
            die("thread", "cannot start");
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return (double)count * nthreads / secs_since(t0);
}

/* ---- libpq result formats ----------------------------------------------------------------- */

/* Bare libpq: the driver row by OLN (format: result format), or by id
 * (by_id: the id parameter as text, or binary with format 1). */
static double libpq_rate(const char *uri, const struct keys *k, int format, int by_id)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        die("libpq", PQerrorMessage(c));
    static const Oid int8[1] = {20};
    PGresult *res = PQprepare(c, "q",
                              by_id ? "SELECT id, oln, ols, last, first, middle, dob, sex, height,"
                                      " eyes, street, city, addr_state, zip, class, status, issued,"
                                      " expires, restrictions, lp_flag, photo_type, photo_len"
                                      " FROM drivers WHERE id = $1"
                                    : "SELECT id, oln, ols, last, first, middle, dob, sex, height,"
                                      " eyes, street, city, addr_state, zip, class, status, issued,"
                                      " expires, restrictions, lp_flag, photo_type, photo_len"
                                      " FROM drivers WHERE ols = $1 AND oln = $2",
                              by_id ? 1 : 2, by_id ? int8 : NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        die("prepare", PQerrorMessage(c));
    PQclear(res);
    uint64_t t0 = dg_mono_ns();
    size_t bytes = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        if (by_id) {
            char text[24];
            unsigned char bin[8];
            uint64_t id = (uint64_t)k->d[i].id;
            for (int b = 7; b >= 0; b--, id >>= 8)
                bin[b] = (unsigned char)id;
            snprintf(text, sizeof(text), "%lld", (long long)k->d[i].id);
            const char *val[1] = {format ? (const char *)bin : text};
            const int len[1] = {8};
            const int fmt[1] = {format};
            res = PQexecPrepared(c, "q", 1, val, len, fmt, 0);
        } else {
            const char *val[2] = {k->d[i].ols, k->d[i].oln};
            res = PQexecPrepared(c, "q", 2, val, NULL, NULL, format);
        }
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
            die("libpq lookup", PQerrorMessage(c));
        for (int col = 0; col < PQnfields(res); col++)
            bytes += (size_t)PQgetlength(res, 0, col);
        PQclear(res);
    }
    double r = NKEYS / secs_since(t0);
    PQfinish(c);
    return bytes ? r : 0;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
    if (n < 1000)
        die("usage", "bench_store_pg [DRIVERS >= 1000]");
    dg_log_set_level(DG_LOG_WARN);
    char sq[64];
    snprintf(sq, sizeof(sq), "/tmp/dg-bench-store-pg-%ld.db", (long)getpid());
    /* A schema of its own on the server, so that any server will do. */
    char schema[40], pg[1400];
    snprintf(schema, sizeof(schema), "dg_bench_%ld", (long)getpid());
    bench_pg_sql(bench_pg_start(50), "CREATE SCHEMA %s", schema);
    bench_pg_with_schema(pg, sizeof(pg), schema);

    static struct keys k;
    printf("store: PostgreSQL beside SQLite, %llu drivers of CO (seed 1), %d keys per kind\n",
           (unsigned long long)n, NKEYS);
    printf("%-34s %12s %12s %8s  %s\n", "", "postgresql", "sqlite", "pg/sq", "unit");
    double seed_pg = seed(pg, n);
    double seed_sq = seed(sq, n);
    row("seed (generate + load + index)", seed_pg, seed_sq, "drivers/s");
    pick_keys(sq, &k);
    for (int kind = 0; kind <= KINDS; kind++) {
        /* the last pass: driver by OLN from THREADS threads */
        enum kind kd = kind == KINDS ? OLN : (enum kind)kind;
        int nt = kind == KINDS ? THREADS : 1;
        rate(pg, &k, kd, 1, NKEYS / 10); /* warm both */
        rate(sq, &k, kd, 1, NKEYS / 10);
        double best_pg = 0, best_sq = 0;
        for (int r = 0; r < ROUNDS; r++) {
            double a = rate(pg, &k, kd, nt, NKEYS), b = rate(sq, &k, kd, nt, NKEYS);
            best_pg = a > best_pg ? a : best_pg;
            best_sq = b > best_sq ? b : best_sq;
        }
        char what[64];
        snprintf(what, sizeof(what), "%s, %d thread%s", kind_name[kd], nt, nt > 1 ? "s" : "");
        row(what, best_pg, best_sq, "lookups/s");
    }
    printf("\nlibpq formats (bare PQexecPrepared, 1 thread)\n");
    printf("%-34s %12s %12s %8s  %s\n", "", "binary", "text", "bin/text", "unit");
    libpq_rate(pg, &k, 0, 0); /* warm */
    row_peer = "bare libpq, text format";
    for (int by_id = 0; by_id < 2; by_id++) {
        double text = 0, bin = 0;
        for (int r = 0; r < ROUNDS; r++) {
            double t = libpq_rate(pg, &k, 0, by_id), b = libpq_rate(pg, &k, 1, by_id);
            text = t > text ? t : text;
            bin = b > bin ? b : bin;
        }
        row(by_id ? "driver by id: id parameter format" : "driver by OLN: result format", bin, text,
            "lookups/s");
    }

    bench_pg_sql(bench_pg_uri, "DROP SCHEMA %s CASCADE", schema);
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        char p[96];
        snprintf(p, sizeof(p), "%s%s", sq, sfx[i]);
        unlink(p);
    }
    return 0;
}
