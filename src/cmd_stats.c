/*
 * cmd_stats.c - `dmvgate stats`: the transparency counters outside a running
 * node. `stats synth` makes synthetic traffic, decides it under a policy and
 * counts it into a store (and optionally records it in an audit log), for
 * demos, tests, the sample report and the simulation benchmark; `stats
 * alerts` lists the anomaly alerts a store holds.
 */
#include "cmd.h"

#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/policy.h>
#include <dmvgate/report.h>
#include <dmvgate/simulate.h>
#include <dmvgate/stats.h>
#include <dmvgate/store.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char stats_usage[] =
    "usage: dmvgate stats synth --db FILE --policy FILE [options]\n"
    "       dmvgate stats alerts --db FILE [--json]\n"
    "\n"
    "  synth     make synthetic traffic to one state's node (docs/transparency.md says\n"
    "            how it is shaped), decide every request under the policy, count it\n"
    "            into the store's stats tables hour by hour as a node would, and\n"
    "            optionally record each query in an audit log; prints one summary line\n"
    "  alerts    list the anomaly alerts kept in the store, newest first\n"
    "\n"
    "options of synth:\n"
    "  --db FILE          the store to count into (created when absent); the\n"
    "                     directory's agencies are written to it too, for names\n"
    "  --policy FILE      the policy that decides (its state is the destination)\n"
    "  --directory CSV    requesting agencies (default: the synthetic directory)\n"
    "  --agency-seed N    seed of the synthetic directory (default 1)\n"
    "  --seed N           seed of the traffic (default 1)\n"
    "  --from DATE        first day, YYYY-MM-DD local time (default 2026-11-01)\n"
    "  --days N           days of traffic (default 7)\n"
    "  --requests N       base requests over the days (default 20000)\n"
    "  --no-anomalies     leave out the three planted anomalies\n"
    "  --no-stats         do not count (with --audit: only write the log)\n"
    "  --audit DIR        also append every query to the audit log in DIR (created)\n"
    "  --key FILE         signer key (dmvgate audit keygen) for the log's checkpoints;\n"
    "                     without it a throwaway key signs them\n"
    "options of alerts:\n"
    "  --db FILE          the store\n"
    "  --json             print a JSON array instead of one line per alert\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 done, 2 bad usage or an error.\n";

static int value(int argc, char **argv, int *i, const char *name, const char **out)
{
    if (strcmp(argv[*i], name) != 0)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *out = argv[++*i];
    return 1;
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static char *slurp(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct dg_buf b;
    dg_buf_init(&b, max);
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = dg_buf_add(&b, chunk, n);
    fclose(f);
    if (rc) {
        dg_buf_release(&b);
        return NULL;
    }
    return dg_buf_detach(&b, NULL);
}

/* ---- synth ------------------------------------------------------------------------------ */

struct appender {
    _Atomic uint64_t done, failed;
};

static void appended(void *arg, int status, uint64_t index)
{
    struct appender *ap = arg;
    (void)index;
    if (status)
        atomic_fetch_add(&ap->failed, 1);
    atomic_fetch_add(&ap->done, 1);
}

static int open_log(const char *dir, const char *keyfile, struct dg_note_signer **signer,
                    struct dg_audit_log **log, struct dg_error *e)
{
    char *text = NULL;
    int rc;
    if (keyfile) {
        text = slurp(keyfile, 4096);
        if (!text)
            return dg_error_set(e, DG_ENOENT, NULL, -1, "cannot read key '%s'", keyfile);
        size_t n = strlen(text);
        while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
            text[--n] = '\0';
        rc = dg_note_signer_parse(text, n, signer, e);
    } else {
        struct dg_buf sk, vk;
        dg_buf_init(&sk, 4096);
        dg_buf_init(&vk, 4096);
        rc = dg_note_keygen("dmvgate-synthetic", &sk, &vk, e);
        if (!rc)
            rc = dg_note_signer_parse(sk.data, sk.len, signer, e);
        dg_buf_release(&sk);
        dg_buf_release(&vk);
    }
    dg_free(text);
    if (rc)
        return rc;
    struct dg_audit_options ao;
    dg_audit_options_init(&ao);
    ao.dir = dir;
    ao.signer = *signer;
    ao.flags = DG_AUDIT_CREATE;
    ao.checkpoint_ms = 5000;
    return dg_audit_open(&ao, log, e);
}

static int synth(int argc, char **argv)
{
    const char *db = NULL, *policy = NULL, *directory = NULL, *from = "2026-11-01", *audit = NULL;
    const char *keyfile = NULL, *v;
    uint64_t aseed = 1, seed = 1, days = 7, requests = 20000;
    bool anomalies = true, count = true;
    for (int i = 1; i < argc; i++) {
        int m;
        if (strcmp(argv[i], "--no-anomalies") == 0) {
            anomalies = false;
            continue;
        }
        if (strcmp(argv[i], "--no-stats") == 0) {
            count = false;
            continue;
        }
        if ((m = value(argc, argv, &i, "--db", &db)) ||
            (m = value(argc, argv, &i, "--policy", &policy)) ||
            (m = value(argc, argv, &i, "--directory", &directory)) ||
            (m = value(argc, argv, &i, "--from", &from)) ||
            (m = value(argc, argv, &i, "--audit", &audit)) ||
            (m = value(argc, argv, &i, "--key", &keyfile))) {
            if (m < 0)
                return dg_cmd_usage_error("stats synth: option '%s' needs a value", argv[i]);
            continue;
        }
        struct {
            const char *name;
            uint64_t *to, lo, hi;
        } nums[] = {{"--agency-seed", &aseed, 0, UINT64_MAX},
                    {"--seed", &seed, 0, UINT64_MAX},
                    {"--days", &days, 1, 3660},
                    {"--requests", &requests, 1, 100000000}};
        bool matched = false;
        for (size_t k = 0; k < DG_ARRAY_LEN(nums) && !matched; k++)
            if ((m = value(argc, argv, &i, nums[k].name, &v))) {
                if (m < 0 || parse_u64(v, nums[k].lo, nums[k].hi, nums[k].to) != 0)
                    return dg_cmd_usage_error("stats synth: bad value for %s", nums[k].name);
                matched = true;
            }
        if (!matched)
            return dg_cmd_usage_error("stats synth: unknown option '%s'", argv[i]);
    }
    if (!policy)
        return dg_cmd_usage_error("stats synth: --policy FILE is required");
    if (!db && count)
        return dg_cmd_usage_error("stats synth: --db FILE is required (or --no-stats --audit)");
    if (!count && !audit)
        return dg_cmd_usage_error("stats synth: --no-stats needs --audit DIR");
    int64_t start;
    if (dg_report_parse_day(from, &start) != 0)
        return dg_cmd_usage_error("stats synth: bad --from '%s': want YYYY-MM-DD", from);

    struct dg_error e;
    dg_error_clear(&e);
    int status = 2, rc;
    struct dg_policy *p = NULL;
    struct dg_directory *dir = dg_directory_new();
    struct dg_store *st = NULL;
    struct dg_stats *s = NULL;
    struct dg_synth *g = NULL;
    struct dg_volume *vol = dg_volume_new(65536);
    struct dg_note_signer *signer = NULL;
    struct dg_audit_log *log = NULL;
    struct appender ap = {0, 0};
    struct dg_audit_entry *entry = dg_malloc(sizeof(*entry));
    if (!dir || !vol || !entry) {
        fprintf(stderr, "dmvgate: out of memory\n");
        goto out;
    }
    struct dg_policy_diags diags;
    dg_policy_diags_init(&diags);
    rc = dg_policy_load(policy, &p, &diags, &e);
    dg_policy_diags_release(&diags);
    if (rc) {
        fprintf(stderr, "dmvgate: policy '%s' does not compile (dmvgate policy check %s)\n", policy,
                policy);
        goto out;
    }
    rc = directory ? dg_directory_load_csv(dir, directory, &e)
                   : dg_agencies_generate(dir, aseed, &e);
    if (rc < 0) {
        fprintf(stderr, "dmvgate: cannot make the directory: %s\n", e.msg);
        goto out;
    }
    if (count) {
        rc = dg_store_open(db, DG_STORE_CREATE, &st, &e);
        if (!rc) {
            rc = dg_store_begin(st, &e);
            for (size_t i = 0; !rc && i < dg_directory_count(dir); i++)
                rc = dg_store_put_agency(st, dg_directory_at(dir, i), &e);
            rc = rc ? rc : dg_store_commit(st, &e);
        }
        struct dg_stats_options so;
        dg_stats_options_init(&so);
        so.store = st;
        so.flush_ms = 0;
        so.keep_hourly_days = 3660;
        if (!rc)
            rc = dg_stats_open(&so, &s, &e);
        if (rc) {
            fprintf(stderr, "dmvgate: %s\n", e.msg);
            goto out;
        }
    }
    if (audit && (rc = open_log(audit, keyfile, &signer, &log, &e)) != 0) {
        fprintf(stderr, "dmvgate: cannot open the audit log '%s': %s\n", audit, e.msg);
        goto out;
    }
    struct dg_synth_options go = {dir,      dg_policy_state(p), seed, start, (unsigned)days,
                                  requests, anomalies};
    if ((rc = dg_synth_new(&go, &g, &e)) != 0) {
        fprintf(stderr, "dmvgate: %s\n", e.msg);
        goto out;
    }
    struct dg_synth_request r;
    uint64_t made = 0, by[4] = {0}, msg = 0;
    int64_t hour = -1;
    while (dg_synth_next(g, &r) == 1) {
        struct dg_policy_request req;
        struct dg_policy_decision d;
        dg_sim_request_from_synth(&r, &req);
        uint32_t n = 0;
        if (dg_volume_hit(vol, r.agency->ori, r.time_us / 1000000, &n) == 0)
            req.queries_last_hour = n;
        dg_policy_decide(p, &req, NULL, &d);
        if (d.outcome == DG_POLICY_UNDECIDED) {
            /* The record decides: about 5% of licenses carry the flag. */
            struct dg_policy_record rec = {(r.time_us / 7) % 20 == 0};
            dg_policy_decide(p, &req, &rec, &d);
        }
        enum dg_stats_decision sd = d.outcome == DG_POLICY_ALLOW    ? DG_STATS_ALLOW
                                    : d.outcome == DG_POLICY_DENY   ? DG_STATS_DENY
                                    : d.outcome == DG_POLICY_REVIEW ? DG_STATS_REVIEW
                                                                    : DG_STATS_ERROR;
        by[sd]++;
        made++;
        if (s) {
            int64_t h = dg_stats_hour_start(r.time_us / 1000000);
            if (h != hour) {
                if (hour >= 0 && (rc = dg_stats_flush_at(s, hour, &e)) != 0) {
                    fprintf(stderr, "dmvgate: %s\n", e.msg);
                    goto out;
                }
                hour = h;
            }
            struct dg_stats_event ev;
            dg_synth_event(&r, sd, d.rule_name, &ev);
            dg_stats_count(s, &ev);
        }
        if (log) {
            dg_sim_entry_from_request(&req, &d, r.time_us, entry);
            snprintf(entry->msg_id, sizeof(entry->msg_id), "synth-%llu", (unsigned long long)++msg);
            rc = dg_audit_append_entry_async(log, entry, appended, &ap, &e);
            if (rc == DG_EAGAIN) {
                uint64_t idx;
                rc = dg_audit_append_entry(log, entry, &idx, &e);
                atomic_fetch_add(&ap.done, 1);
            }
            if (rc) {
                fprintf(stderr, "dmvgate: cannot append to the audit log: %s\n", e.msg);
                goto out;
            }
        }
    }
    if (s && hour >= 0 && (rc = dg_stats_flush_at(s, hour, &e)) != 0) {
        fprintf(stderr, "dmvgate: %s\n", e.msg);
        goto out;
    }
    if (log) {
        rc = dg_audit_close(log);
        log = NULL;
        if (rc || atomic_load(&ap.failed)) {
            fprintf(stderr, "dmvgate: the audit log was not fully written\n");
            goto out;
        }
    }
    struct dg_stats_info info = {0};
    if (s)
        dg_stats_info(s, &info);
    printf("synth: %llu requests to %s (%llu allowed, %llu denied, %llu held for review, %llu "
           "errors)",
           (unsigned long long)made, dg_policy_state(p), (unsigned long long)by[0],
           (unsigned long long)by[1], (unsigned long long)by[2], (unsigned long long)by[3]);
    if (s)
        printf(" from %u agencies; %llu alerts", info.agencies,
               (unsigned long long)info.alerts_raised);
    if (audit)
        printf("; audit log %s", audit);
    putchar('\n');
    status = 0;
out:
    if (log)
        dg_audit_close(log);
    dg_note_signer_free(signer);
    if (s && dg_stats_close(s, &e) != 0 && status == 0) {
        fprintf(stderr, "dmvgate: %s\n", e.msg);
        status = 2;
    }
    dg_synth_free(g);
    dg_store_close(st);
    dg_volume_free(vol);
    dg_policy_free(p);
    dg_directory_free(dir);
    dg_free(entry);
    return status;
}

/* ---- alerts ------------------------------------------------------------------------------ */

static int alerts(int argc, char **argv)
{
    const char *db = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        int m;
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
            continue;
        }
        if ((m = value(argc, argv, &i, "--db", &db))) {
            if (m < 0)
                return dg_cmd_usage_error("stats alerts: --db needs a value");
            continue;
        }
        return dg_cmd_usage_error("stats alerts: unknown option '%s'", argv[i]);
    }
    if (!db)
        return dg_cmd_usage_error("stats alerts: --db FILE is required");
    struct dg_error e;
    dg_error_clear(&e);
    struct dg_store *st = NULL;
    if (dg_store_open(db, DG_STORE_READONLY, &st, &e) != 0) {
        fprintf(stderr, "dmvgate: %s\n", e.msg);
        return 2;
    }
    int status = 2;
    sqlite3 *sq = dg_store_sqlite(st);
    sqlite3_stmt *q = NULL;
    if (!sq || dg_store_schema_version(st, "stats", &e) <= 0 ||
        sqlite3_prepare_v2(sq,
                           "SELECT period, kind, ori, level, category, count, threshold, baseline"
                           " FROM stats_alert ORDER BY period DESC, kind, ori",
                           -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "dmvgate: no statistics in '%s'\n", db);
        goto out;
    }
    if (json)
        fputc('[', stdout);
    int n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *t[5];
        for (int k = 0; k < 5; k++)
            t[k] = (const char *)sqlite3_column_text(q, k);
        if (json)
            printf("%s{\"period\":\"%s\",\"kind\":\"%s\",\"ori\":\"%s\",\"level\":\"%s\","
                   "\"category\":\"%s\",\"count\":%lld,\"threshold\":%.1f,\"baseline\":%.2f}",
                   n ? "," : "", t[0], t[1], t[2], t[3], t[4], sqlite3_column_int64(q, 5),
                   sqlite3_column_double(q, 6), sqlite3_column_double(q, 7));
        else
            printf("%s  %-10s %s  %-18s count %lld above %.0f (baseline %.1f/hour)\n", t[0], t[1],
                   t[2], t[4], sqlite3_column_int64(q, 5), sqlite3_column_double(q, 6),
                   sqlite3_column_double(q, 7));
        n++;
    }
    if (json)
        fputs("]\n", stdout);
    status = 0;
out:
    sqlite3_finalize(q);
    dg_store_close(st);
    return status;
}

int dg_cmd_stats(int argc, char **argv)
{
    if (argc < 2) {
        fputs(stats_usage, stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(stats_usage, stdout);
            return 0;
        }
    if (strcmp(argv[1], "synth") == 0)
        return synth(argc - 1, argv + 1);
    if (strcmp(argv[1], "alerts") == 0)
        return alerts(argc - 1, argv + 1);
    return dg_cmd_usage_error("stats: unknown subcommand '%s' (synth or alerts)", argv[1]);
}
