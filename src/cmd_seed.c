/*
 * cmd_seed.c - `dmvgate seed`: fill a new store with a state's synthetic
 * drivers and vehicles (lib/gen), or list a few real keys from a store so a
 * person can try lookups.
 */
#include "cmd.h"

#include <dmvgate/gen.h>
#include <dmvgate/store.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char seed_usage[] =
    "usage: dmvgate seed --state ST --drivers N --db FILE [--seed S] [--as-of YYYY-MM-DD]\n"
    "       dmvgate seed --list-sample --db FILE [--count K]\n"
    "\n"
    "Write N synthetic drivers of state ST (about 1.2 N vehicles, a small photo each)\n"
    "into a new SQLite store FILE, or list sample keys from an existing store.\n"
    "The same --state, --seed and --as-of always give the same records.\n"
    "\n"
    "  --state ST       issuing state (two letters; AZ, CA, CO, FL, NY, TX and WI have\n"
    "                   their real license and plate formats, others a default)\n"
    "  --drivers N      number of drivers, 1 to 100000000\n"
    "  --db FILE        the store (created; it must not hold drivers yet)\n"
    "  --seed S         generator seed, any unsigned 64-bit number (default 1)\n"
    "  --as-of DATE     the generator's 'today' for ages, issue and expiry dates\n"
    "                   (default " DG_GEN_DEFAULT_AS_OF ")\n"
    "  --list-sample    print sample keys (OLN, name+DOB, plate, VIN) of FILE as\n"
    "                   options ready for 'dmvgate lookup --db FILE ...'\n"
    "  --count K        how many of each kind with --list-sample (default 3, at most 100)\n"
    "  --help           this text\n"
    "\n"
    "Exit status: 0 done, 2 bad usage or an error (message on stderr).\n";

/* Parse an unsigned decimal number; 0 on success. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* The value of option argv[*i] ("--x V" or "--x=V"); NULL when missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int list_sample(const char *db, uint64_t count)
{
    struct dg_store *s;
    struct dg_error e;
    dg_error_clear(&e);
    if (dg_store_open(db, DG_STORE_READONLY, &s, &e))
        return dg_cmd_usage_error("%s", e.msg);
    struct dg_store_stats st;
    int rc = dg_store_stats(s, &st, &e);
    if (rc) {
        dg_store_close(s);
        return dg_cmd_usage_error("%s", e.msg);
    }
    printf("# %" PRId64 " drivers, %" PRId64 " vehicles, %" PRId64 " agencies in %s\n", st.drivers,
           st.vehicles, st.agencies, db);
    printf("# try: dmvgate lookup --db %s <one line below>\n", db);
    /* Evenly spread ids, so the sample covers the whole file. */
    for (uint64_t k = 0; k < count && st.max_driver_id > 0; k++) {
        int64_t id = (int64_t)((2 * k + 1) * (uint64_t)st.max_driver_id / (2 * count)) + 1;
        struct dg_driver d;
        if (dg_store_driver_by_id(s, id, &d, &e))
            continue;
        printf("--oln %s --state %s\n", d.oln, d.ols);
        printf("--name \"%s,%s\" --dob %s\n", d.last, d.first, d.dob);
    }
    for (uint64_t k = 0; k < count && st.max_vehicle_id > 0; k++) {
        int64_t id = (int64_t)((2 * k + 1) * (uint64_t)st.max_vehicle_id / (2 * count)) + 1;
        struct dg_vehicle v;
        if (dg_store_vehicle_by_id(s, id, &v, &e))
            continue;
        printf("--plate %s --plate-state %s\n", v.plate, v.plate_state);
        printf("--vin %s\n", v.vin);
    }
    dg_store_close(s);
    return 0;
}

int dg_cmd_seed(int argc, char **argv)
{
    const char *state = NULL, *db = NULL, *as_of = NULL, *v;
    uint64_t drivers = 0, seed = DG_GEN_DEFAULT_SEED, count = 3;
    int have_drivers = 0, sample = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(seed_usage, stdout);
            return 0;
        } else if (strcmp(a, "--list-sample") == 0) {
            sample = 1;
        } else if (is_opt(a, "--state")) {
            if (!(state = opt_value(argc, argv, &i, "--state")))
                return dg_cmd_usage_error("seed: --state needs a value");
        } else if (is_opt(a, "--db")) {
            if (!(db = opt_value(argc, argv, &i, "--db")))
                return dg_cmd_usage_error("seed: --db needs a value");
        } else if (is_opt(a, "--as-of")) {
            if (!(as_of = opt_value(argc, argv, &i, "--as-of")))
                return dg_cmd_usage_error("seed: --as-of needs a value");
        } else if (is_opt(a, "--drivers")) {
            v = opt_value(argc, argv, &i, "--drivers");
            if (parse_u64(v, &drivers) || drivers < 1 || drivers > 100000000)
                return dg_cmd_usage_error("seed: --drivers must be a number from 1 to 100000000");
            have_drivers = 1;
        } else if (is_opt(a, "--seed")) {
            v = opt_value(argc, argv, &i, "--seed");
            if (parse_u64(v, &seed))
                return dg_cmd_usage_error("seed: --seed must be an unsigned number");
        } else if (is_opt(a, "--count")) {
            v = opt_value(argc, argv, &i, "--count");
            if (parse_u64(v, &count) || count < 1 || count > 100)
                return dg_cmd_usage_error("seed: --count must be a number from 1 to 100");
        } else {
            return dg_cmd_usage_error("seed: unknown option '%s' (see dmvgate seed --help)", a);
        }
    }
    if (!db)
        return dg_cmd_usage_error("seed: --db FILE is required");
    if (sample) {
        if (state || have_drivers)
            return dg_cmd_usage_error("seed: --list-sample takes only --db and --count");
        return list_sample(db, count);
    }
    if (!state)
        return dg_cmd_usage_error("seed: --state ST is required");
    if (!have_drivers)
        return dg_cmd_usage_error("seed: --drivers N is required");
    char st[3] = {0};
    if (strlen(state) != 2 || dg_state_index(state, 2) < 0)
        return dg_cmd_usage_error("seed: --state '%s' is not a state code", state);
    memcpy(st, state, 2);
    struct dg_gen_opts o = {.seed = seed};
    memcpy(o.state, st, 3);
    if (as_of) {
        if (dg_date_validate(as_of, strlen(as_of)))
            return dg_cmd_usage_error("seed: --as-of '%s' is not a date YYYY-MM-DD", as_of);
        memcpy(o.as_of, as_of, DG_DATE_LEN + 1);
    }
    struct dg_error e;
    dg_error_clear(&e);
    struct dg_store *s;
    if (dg_store_open(db, DG_STORE_CREATE | DG_STORE_BULK, &s, &e))
        return dg_cmd_usage_error("seed: %s", e.msg);
    struct dg_seed_stats ss;
    uint64_t t0 = dg_mono_ns();
    int rc = dg_gen_seed(s, &o, drivers, &ss, &e);
    dg_store_close(s);
    double secs = (double)(dg_mono_ns() - t0) / 1e9;
    if (rc)
        return dg_cmd_usage_error("seed: %s", e.msg);
    char nd[24], nv[24], sd[24];
    snprintf(nd, sizeof(nd), "%" PRIu64, ss.drivers);
    snprintf(nv, sizeof(nv), "%" PRIu64, ss.vehicles);
    snprintf(sd, sizeof(sd), "%" PRIu64, seed);
    dg_log(DG_LOG_INFO, "seed", "state", st, "drivers", nd, "vehicles", nv, "seed", sd, NULL);
    printf("seeded %" PRIu64 " drivers and %" PRIu64 " vehicles of %s (seed %" PRIu64
           ") into %s in %.2f s: %.0f drivers/s (rows %.2f s, indexes %.2f s, photos %.1f MB)\n",
           ss.drivers, ss.vehicles, st, seed, db, secs, (double)ss.drivers / secs,
           (double)ss.insert_ns / 1e9, (double)ss.index_ns / 1e9, (double)ss.photo_bytes / 1e6);
    return 0;
}
