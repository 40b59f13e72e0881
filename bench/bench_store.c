/*
 * bench_store.c - speed of the DMV store and the agency directory, each
 * figure beside a baseline measured in the same run on the same machine:
 *
 *   seeding    dg_gen_seed (generate, check and insert N drivers, about 1.2 N
 *              vehicles and N photos, then build the indexes) against a bare
 *              SQLite loop inserting the same number of rows of the same shape
 *              (every column bound, photos of the same mean size, no checks)
 *              with prepared statements and building the same indexes;
 *   lookups    dg_store_* lookups by OLN, name+DOB, plate and VIN on the
 *              seeded database against a bare sqlite3_step loop running the
 *              same SQL with the same keys on the same file (binding, stepping,
 *              no column decoding: what the store adds is copying the row into
 *              a record, the Soundex and the ranking);
 *   directory  dg_directory_find on the generated ~18,000 agencies against
 *              bsearch over the sorted ORIs and a SQLite primary-key lookup.
 *
 * Rates are per second of the process's CPU time: the machines this runs on
 * are shared, and the wall clock would count other people's work (it is
 * printed too, for seeding). Lookup rounds alternate between the store and
 * the baseline for the same reason.
 *
 * usage: bench_store [DRIVERS]   (default 1000000, or DG_BENCH_STORE_DRIVERS; the database lives
 * under /tmp and is deleted at the end)
 */
#include <dmvgate/agency.h>
#include <dmvgate/gen.h>
#include <dmvgate/store.h>

#include "bench_row.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NKEYS 100000

static double secs_since(uint64_t t0)
{
    return (double)(dg_mono_ns() - t0) / 1e9;
}

/* CPU seconds used by this process: the machine is shared, and the wall clock
 * would count other people's work. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_store: %s: %s\n", what, msg);
    exit(1);
}

static void row(const char *what, double ours, double base, const char *unit, const char *basis)
{
    printf("%-30s %14.0f %14.0f %7.2f  %s (%s)\n", what, ours, base, ours / base, unit, basis);
    char fig[96];
    snprintf(fig, sizeof(fig), "store: %s (per CPU-s)", what);
    bench_row("store", fig, ours, basis, base, unit, 1);
}

static void rm_db(const char *path)
{
    char p[512];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-journal", path);
    unlink(p);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die(sql, msg ? msg : "?");
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(db));
    return st;
}

/* ---- the seeding baseline: the same rows, no generator, no store layer ------------------- */

/* Returns the CPU seconds; *wall gets the wall-clock seconds. */
static double baseline_seed(const char *path, uint64_t n, uint64_t nveh, uint64_t photo_bytes,
                            double *wall)
{
    rm_db(path);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, "cannot open");
    uint64_t t0 = dg_mono_ns();
    double c0 = cpu_now();
    exec(db, "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;"
             " PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
             "CREATE TABLE drivers (id INTEGER PRIMARY KEY, oln TEXT, ols TEXT, last TEXT,"
             " first TEXT, middle TEXT, last_sx TEXT, dob TEXT, sex TEXT, height INTEGER, eyes"
             " TEXT, street TEXT, city TEXT, addr_state TEXT, zip TEXT, class TEXT, status TEXT,"
             " issued TEXT, expires TEXT, restrictions TEXT, lp_flag INTEGER, photo_type TEXT,"
             " photo_len INTEGER);"
             "CREATE TABLE photos (driver_id INTEGER PRIMARY KEY, data BLOB);"
             "CREATE TABLE vehicles (id INTEGER PRIMARY KEY, plate TEXT, plate_state TEXT,"
             " plate_type TEXT, model_year INTEGER, vin TEXT, make TEXT, model TEXT, color TEXT,"
             " reg_expires TEXT, owner_id INTEGER);"
             "CREATE INDEX vehicles_owner ON vehicles(owner_id);"
             "BEGIN");
    /* every column bound, as the store binds them */
    sqlite3_stmt *d = prep(db, "INSERT INTO drivers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                               " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
                               " ?23)");
    sqlite3_stmt *p = prep(db, "INSERT INTO photos VALUES (?1, ?2)");
    sqlite3_stmt *v = prep(db, "INSERT INTO vehicles VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                               " ?10, ?11)");
    static const char *const dcols[] = {
        NULL,           NULL, "CO",    NULL,         "JENNIFER",        "MARIE",  NULL,
        NULL,           "F",  NULL,    "BRO",        "1234 N MAPLE ST", "DENVER", "CO",
        "80202",        "R",  "valid", "2021-06-01", "2026-06-01",      "B",      NULL,
        "image/svg+xml"};
    static const char *const vcols[] = {NULL, NULL,     "CO",    "PC",  NULL,
                                        NULL, "TOYOTA", "CAMRY", "WHI", "2026-03-31"};
    size_t plen = (size_t)(photo_bytes / (n ? n : 1));
    char *photo = calloc(1, plen + 1);
    memset(photo, 'x', plen);
    char oln[16], last[16], sx[8], dob[16], plate[16], vin[24];
    uint64_t vid = 0;
    for (uint64_t i = 0; i < n; i++) {
        /* keys scattered like the generator's (an odd multiplier modulo 10^9) */
        snprintf(oln, sizeof(oln), "%09llu", (unsigned long long)((i * 2654435761u) % 1000000000));
        snprintf(last, sizeof(last), "NAME%llu", (unsigned long long)(i % 5000));
        snprintf(sx, sizeof(sx), "N%03llu", (unsigned long long)(i % 1000));
        snprintf(dob, sizeof(dob), "19%02llu-%02llu-%02llu", (unsigned long long)(i % 80 + 20),
                 (unsigned long long)(i % 12 + 1), (unsigned long long)(i % 28 + 1));
        for (int c = 0; c < (int)DG_ARRAY_LEN(dcols); c++)
            if (dcols[c])
                sqlite3_bind_text(d, c + 1, dcols[c], -1, SQLITE_STATIC);
        sqlite3_bind_int64(d, 1, (int64_t)i + 1);
        sqlite3_bind_text(d, 2, oln, -1, SQLITE_STATIC);
        sqlite3_bind_text(d, 4, last, -1, SQLITE_STATIC);
        sqlite3_bind_text(d, 7, sx, -1, SQLITE_STATIC);
        sqlite3_bind_text(d, 8, dob, -1, SQLITE_STATIC);
        sqlite3_bind_int(d, 10, 64);
        sqlite3_bind_int(d, 21, 0);
        sqlite3_bind_int(d, 23, (int)plen);
        if (sqlite3_step(d) != SQLITE_DONE)
            die("baseline insert", sqlite3_errmsg(db));
        sqlite3_reset(d);
        sqlite3_bind_int64(p, 1, (int64_t)i + 1);
        sqlite3_bind_blob(p, 2, photo, (int)plen, SQLITE_STATIC);
        if (sqlite3_step(p) != SQLITE_DONE)
            die("baseline photo", sqlite3_errmsg(db));
        sqlite3_reset(p);
        /* the same number of vehicles, spread evenly over the drivers */
        uint64_t want = (i + 1) * nveh / n;
        for (; vid < want; vid++) {
            uint64_t k = (vid * 2654435761u) % 100000000;
            snprintf(plate, sizeof(plate), "%c%c%c%04llu", 'A' + (int)(k % 23),
                     'A' + (int)(k / 23 % 23), 'A' + (int)(k / 529 % 23),
                     (unsigned long long)(k / 12167 % 10000));
            snprintf(vin, sizeof(vin), "4T1BF1FK5EU%06llu", (unsigned long long)(k % 1000000));
            for (int c = 0; c < (int)DG_ARRAY_LEN(vcols); c++)
                if (vcols[c])
                    sqlite3_bind_text(v, c + 1, vcols[c], -1, SQLITE_STATIC);
            sqlite3_bind_int64(v, 1, (int64_t)vid + 1);
            sqlite3_bind_text(v, 2, plate, -1, SQLITE_STATIC);
            sqlite3_bind_int(v, 5, 2015);
            sqlite3_bind_text(v, 6, vin, -1, SQLITE_STATIC);
            sqlite3_bind_int64(v, 11, (int64_t)i + 1);
            if (sqlite3_step(v) != SQLITE_DONE)
                die("baseline vehicle", sqlite3_errmsg(db));
            sqlite3_reset(v);
        }
    }
    sqlite3_finalize(d);
    sqlite3_finalize(p);
    sqlite3_finalize(v);
    exec(db, "CREATE INDEX drivers_oln ON drivers(ols, oln);"
             "CREATE INDEX drivers_name ON drivers(dob, last_sx);"
             "CREATE INDEX vehicles_plate ON vehicles(plate_state, plate);"
             "CREATE INDEX vehicles_vin ON vehicles(vin); COMMIT");
    *wall = secs_since(t0);
    double cpu = cpu_now() - c0;
    sqlite3_close(db);
    free(photo);
    rm_db(path);
    return cpu;
}

/* ---- lookups ------------------------------------------------------------------------- */

struct keys {
    struct dg_driver *d; /* for OLN and name+DOB */
    char (*sx)[DG_SOUNDEX_LEN + 1];
    struct dg_vehicle *v; /* for plate and VIN */
    size_t n;
};

static void pick_keys(struct dg_store *s, struct keys *k)
{
    struct dg_store_stats st;
    struct dg_error e;
    if (dg_store_stats(s, &st, &e))
        die("stats", e.msg);
    k->n = NKEYS;
    k->d = calloc(k->n, sizeof(*k->d));
    k->sx = calloc(k->n, sizeof(*k->sx));
    k->v = calloc(k->n, sizeof(*k->v));
    struct dg_rng r;
    dg_rng_seed(&r, 99);
    for (size_t i = 0; i < k->n; i++) {
        int64_t id = 1 + (int64_t)dg_rng_below(&r, (uint64_t)st.max_driver_id);
        if (dg_store_driver_by_id(s, id, &k->d[i], &e))
            die("driver key", e.msg);
        dg_soundex(k->d[i].last, k->sx[i]);
        id = 1 + (int64_t)dg_rng_below(&r, (uint64_t)st.max_vehicle_id);
        if (dg_store_vehicle_by_id(s, id, &k->v[i], &e))
            die("vehicle key", e.msg);
    }
}

/* The SQL the SQLite backend runs for each lookup (lib/store/sqlite_rec.c). */
#define DRIVER_COLS                                                                                \
    "id, oln, ols, last, first, middle, dob, sex, height, eyes, street, city, addr_state, zip,"    \
    " class, status, issued, expires, restrictions, lp_flag, photo_type, photo_len"
#define VEHICLE_SQL                                                                                \
    "SELECT v.id, v.plate, v.plate_state, v.plate_type, v.model_year, v.vin, v.make, v.model,"     \
    " v.color, v.reg_expires, v.owner_id, coalesce(d.oln, ''), coalesce(d.ols, '')"                \
    " FROM vehicles v LEFT JOIN drivers d ON d.id = v.owner_id"

enum kind { K_OLN, K_NAME, K_PLATE, K_VIN };

static double ours(struct dg_store *s, const struct keys *k, enum kind kind, size_t from, size_t to)
{
    struct dg_error e;
    struct dg_driver d;
    static struct dg_candidate c[10];
    struct dg_vehicle v[10];
    size_t found = 0;
    double t0 = cpu_now();
    for (size_t i = from; i < to; i++) {
        int rc = 0;
        switch (kind) {
        case K_OLN: rc = dg_store_driver_by_oln(s, k->d[i].oln, k->d[i].ols, &d, &e) == 0; break;
        case K_NAME: {
            struct dg_name_query q = {k->d[i].last, k->d[i].first, NULL, k->d[i].dob, 0};
            rc = dg_store_drivers_by_name(s, &q, c, 10, &e);
            break;
        }
        case K_PLATE:
            rc = dg_store_vehicles_by_plate(s, k->v[i].plate, k->v[i].plate_state, NULL, v, 10, &e);
            break;
        case K_VIN: rc = dg_store_vehicles_by_vin(s, k->v[i].vin, v, 10, &e); break;
        }
        found += rc > 0;
    }
    double t = cpu_now() - t0;
    if (found != to - from)
        die("lookup", "a key was not found");
    return t;
}

static double baseline(sqlite3 *db, const struct keys *k, enum kind kind, size_t from, size_t to)
{
    static const char *const sql[] = {
        "SELECT " DRIVER_COLS " FROM drivers WHERE ols = ?1 AND oln = ?2",
        "SELECT " DRIVER_COLS " FROM drivers WHERE dob = ?1 AND last_sx = ?2 ORDER BY id",
        VEHICLE_SQL " WHERE v.plate_state = ?1 AND v.plate = ?2 AND (?3 IS NULL OR v.plate_type ="
                    " ?3) ORDER BY v.id LIMIT 10",
        VEHICLE_SQL " WHERE v.vin = ?1 ORDER BY v.id LIMIT 10",
    };
    sqlite3_stmt *st = prep(db, sql[kind]);
    size_t found = 0;
    double t0 = cpu_now();
    for (size_t i = from; i < to; i++) {
        switch (kind) {
        case K_OLN:
            sqlite3_bind_text(st, 1, k->d[i].ols, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, k->d[i].oln, -1, SQLITE_STATIC);
            break;
        case K_NAME:
            sqlite3_bind_text(st, 1, k->d[i].dob, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, k->sx[i], -1, SQLITE_STATIC);
            break;
        case K_PLATE:
            sqlite3_bind_text(st, 1, k->v[i].plate_state, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, k->v[i].plate, -1, SQLITE_STATIC);
            sqlite3_bind_null(st, 3);
            break;
        case K_VIN: sqlite3_bind_text(st, 1, k->v[i].vin, -1, SQLITE_STATIC); break;
        }
        int rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW)
            rows++;
        sqlite3_reset(st);
        found += rows > 0;
    }
    double t = cpu_now() - t0;
    sqlite3_finalize(st);
    if (found != to - from)
        die("baseline lookup", "a key was not found");
    return t;
}

/* ---- the directory ------------------------------------------------------------------------ */

static int cmp_ori(const void *a, const void *b)
{
    return memcmp(a, b, DG_ORI_LEN);
}

static void bench_directory(void)
{
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    int n = dg_agencies_generate(d, 1, &e);
    if (n <= 0)
        die("agencies", e.msg);
    enum { Q = 2000000 };
    char(*q)[DG_ORI_LEN + 1] = calloc(Q, sizeof(*q));
    char(*sorted)[DG_ORI_LEN + 1] = calloc((size_t)n, sizeof(*sorted));
    struct dg_rng r;
    dg_rng_seed(&r, 7);
    for (int i = 0; i < n; i++)
        memcpy(sorted[i], dg_directory_at(d, (size_t)i)->ori, DG_ORI_LEN + 1);
    qsort(sorted, (size_t)n, sizeof(*sorted), cmp_ori);
    for (size_t i = 0; i < Q; i++) {
        memcpy(q[i], dg_directory_at(d, dg_rng_below(&r, (uint64_t)n))->ori, DG_ORI_LEN + 1);
        if (i % 10 == 9)
            q[i][8] = q[i][8] == 'Z' ? 'Y' : 'Z'; /* one in ten misses (or hits a neighbour) */
    }
    size_t hits = 0;
    double t0 = cpu_now();
    for (size_t i = 0; i < Q; i++)
        hits += dg_directory_find(d, q[i], DG_ORI_LEN) != NULL;
    double ours_rate = Q / (cpu_now() - t0);
    size_t hits2 = 0;
    t0 = cpu_now();
    for (size_t i = 0; i < Q; i++)
        hits2 += bsearch(q[i], sorted, (size_t)n, sizeof(*sorted), cmp_ori) != NULL;
    double bs_rate = Q / (cpu_now() - t0);
    if (hits != hits2)
        die("directory", "find and bsearch disagree");
    struct dg_store *s;
    if (dg_store_open(":memory:", DG_STORE_CREATE, &s, &e))
        die("store", e.msg);
    dg_store_begin(s, &e);
    for (int i = 0; i < n; i++)
        dg_store_put_agency(s, dg_directory_at(d, (size_t)i), &e);
    dg_store_commit(s, &e);
    sqlite3_stmt *st = prep(dg_store_sqlite(s), "SELECT ori, state, name, level, department,"
                                                " component, category, agreements FROM"
                                                " agencies WHERE ori = ?1");
    enum { QS = 400000 };
    size_t hits3 = 0;
    t0 = cpu_now();
    for (size_t i = 0; i < QS; i++) {
        sqlite3_bind_text(st, 1, q[i], DG_ORI_LEN, SQLITE_STATIC);
        hits3 += sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
    }
    double sq_rate = QS / (cpu_now() - t0);
    /* The baseline must give the same answers: one key in ten is absent. */
    size_t want3 = 0;
    for (size_t i = 0; i < QS; i++)
        want3 += dg_directory_find(d, q[i], DG_ORI_LEN) != NULL;
    if (hits3 != want3) {
        fprintf(stderr, "bench_store: the SQLite baseline found %zu agencies, the directory %zu\n",
                hits3, want3);
        exit(1);
    }
    sqlite3_finalize(st);
    dg_store_close(s);
    char what[64];
    snprintf(what, sizeof(what), "directory find (%d agencies)", n);
    row(what, ours_rate, bs_rate, "lookups/s", "bsearch on sorted ORIs");
    row(what, ours_rate, sq_rate, "lookups/s", "SQLite primary key, in memory");
    free(q);
    free(sorted);
    dg_directory_free(d);
}

int main(int argc, char **argv)
{
    const char *env = getenv("DG_BENCH_STORE_DRIVERS");
    uint64_t n = argc > 1      ? strtoull(argv[1], NULL, 10)
                 : env && *env ? strtoull(env, NULL, 10)
                               : 1000000;
    if (n < 1000)
        n = 1000;
    char path[128], base[128];
    snprintf(path, sizeof(path), "/tmp/dg-bench-store-%d.db", (int)getpid());
    snprintf(base, sizeof(base), "/tmp/dg-bench-base-%d.db", (int)getpid());
    rm_db(path);
    dg_log_set_level(DG_LOG_WARN);
    double load[1] = {0};
    getloadavg(load, 1);
    printf("bench_store: %llu drivers of CO (seed 1) in %s; load average %.2f on %ld CPUs\n",
           (unsigned long long)n, path, load[0], sysconf(_SC_NPROCESSORS_ONLN));
    printf("rates are per second of this process's CPU time (the machine is shared)\n");
    printf("%-30s %14s %14s %7s  %s\n", "figure", "dmvgate", "baseline", "ratio",
           "unit (baseline)");

    struct dg_store *s;
    struct dg_error e;
    if (dg_store_open(path, DG_STORE_CREATE | DG_STORE_BULK, &s, &e))
        die("open", e.msg);
    struct dg_gen_opts o = {.state = "CO", .seed = 1};
    struct dg_seed_stats st;
    uint64_t t0 = dg_mono_ns();
    double c0 = cpu_now();
    if (dg_gen_seed(s, &o, n, &st, &e))
        die("seed", e.msg);
    dg_store_close(s);
    double seed_cpu = cpu_now() - c0, seed_s = secs_since(t0), base_s;
    double base_cpu = baseline_seed(base, n, st.vehicles, st.photo_bytes, &base_s);
    char what[64];
    snprintf(what, sizeof(what), "seed %llu drivers", (unsigned long long)n);
    row(what, (double)n / seed_cpu, (double)n / base_cpu, "drivers/s",
        "bare SQLite inserts of the same rows");
    printf("%-30s %14.2f %14.2f %7s  s of CPU\n", "  seed time", seed_cpu, base_cpu, "");
    printf("%-30s %14.2f %14.2f %7s  s of wall clock (dmvgate: rows %.2f s, indexes %.2f s)\n", "",
           seed_s, base_s, "", (double)st.insert_ns / 1e9, (double)st.index_ns / 1e9);
    printf("%-30s %14llu %14llu\n", "  vehicles", (unsigned long long)st.vehicles,
           (unsigned long long)st.vehicles);

    if (dg_store_open(path, DG_STORE_READONLY, &s, &e))
        die("open", e.msg);
    struct keys k;
    pick_keys(s, &k);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die(path, "cannot open");
    exec(db, "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-16384");
    static const char *const names[] = {"lookup by OLN + state", "lookup by name + DOB",
                                        "lookup by plate + state", "lookup by VIN"};
    for (int kind = K_OLN; kind <= K_VIN; kind++) {
        /* Warm both paths, then alternate rounds so that neither gets the
         * quieter moments of a shared machine. */
        ours(s, &k, (enum kind)kind, 0, k.n / 10);
        baseline(db, &k, (enum kind)kind, 0, k.n / 10);
        double a = 0, b = 0;
        enum { ROUNDS = 5 };
        for (size_t r = 0; r < ROUNDS; r++) {
            size_t from = r * k.n / ROUNDS, to = (r + 1) * k.n / ROUNDS;
            a += ours(s, &k, (enum kind)kind, from, to);
            b += baseline(db, &k, (enum kind)kind, from, to);
        }
        row(names[kind], (double)k.n / a, (double)k.n / b, "lookups/s",
            "sqlite3_step, same SQL and keys");
    }
    sqlite3_close(db);
    dg_store_close(s);
    free(k.d);
    free(k.sx);
    free(k.v);
    rm_db(path);
    bench_directory();
    return 0;
}
