/*
 * cmd_report.c - `dmvgate report`: a transparency report for a range of
 * days, from the counters a node keeps in its store (--db) or counted from
 * an audit log (--audit), in CSV, JSON or HTML, internal or public (small
 * counts suppressed). The work is in lib/report; this file parses options.
 */
#include "cmd.h"

#include <dmvgate/agency.h>
#include <dmvgate/report.h>
#include <dmvgate/stats.h>
#include <dmvgate/store.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
    "usage: dmvgate report --from DATE --to DATE (--db FILE | --audit DIR) [options]\n"
    "\n"
    "Write a transparency report: who asked for which data, for what purpose, and\n"
    "what they got, for the days DATE..DATE (YYYY-MM-DD, inclusive, local time: set\n"
    "TZ to the state's zone). The report holds counts only, never data about the\n"
    "people whose records were asked for. docs/transparency.md describes every table.\n"
    "\n"
    "  --from DATE       first day of the report\n"
    "  --to DATE         last day of the report\n"
    "  --db FILE         the node's store (SQLite file or sqlite:PATH) with the counts\n"
    "                    the node keeps (lib/stats); agency names come from its\n"
    "                    agencies table\n"
    "  --audit DIR       count the query entries of the audit log in DIR instead\n"
    "                    (only their public part is read)\n"
    "  --format FMT      csv (default), json or html\n"
    "  --public          the public form: counts from 1 to K-1 shown as \"<K\", further\n"
    "                    counts hidden (\"x\") where a total would reveal them, and\n"
    "                    agencies listed by name only with at least K requests\n"
    "  --threshold K     the K of --public (2..1000, default 10)\n"
    "  --top N           agencies listed one by one (1..1000, default 25)\n"
    "  --directory CSV   agency directory (docs/agencies.md) for agency names\n"
    "  --title TEXT      the report's heading (default \"DMV queries\")\n"
    "  --out FILE        write the report to FILE instead of standard output\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 written, 1 no statistics in the store, 2 bad usage or an error.\n";

static int opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    if (strcmp(argv[*i], name) != 0)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *out = argv[++*i];
    return 1;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int write_out(const char *path, const struct dg_buf *b)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "dmvgate: cannot open '%s': %s\n", path, strerror(errno));
        return 2;
    }
    size_t n = b->len ? fwrite(b->data, 1, b->len, f) : 0;
    int bad = n != b->len || fflush(f) != 0;
    if (path && fclose(f) != 0)
        bad = 1;
    if (bad) {
        fprintf(stderr, "dmvgate: cannot write '%s'\n", path ? path : "-");
        return 2;
    }
    return 0;
}

int dg_cmd_report(int argc, char **argv)
{
    const char *from = NULL, *to = NULL, *db = NULL, *audit = NULL, *format = "csv";
    const char *directory = NULL, *title = NULL, *out = NULL, *v;
    struct dg_report_options o;
    dg_report_options_init(&o);
    for (int i = 1; i < argc; i++) {
        int m;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(report_usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--public") == 0) {
            o.public_form = true;
            continue;
        }
        if ((m = opt_value(argc, argv, &i, "--from", &from)) ||
            (m = opt_value(argc, argv, &i, "--to", &to)) ||
            (m = opt_value(argc, argv, &i, "--db", &db)) ||
            (m = opt_value(argc, argv, &i, "--audit", &audit)) ||
            (m = opt_value(argc, argv, &i, "--format", &format)) ||
            (m = opt_value(argc, argv, &i, "--directory", &directory)) ||
            (m = opt_value(argc, argv, &i, "--title", &title)) ||
            (m = opt_value(argc, argv, &i, "--out", &out))) {
            if (m < 0)
                return dg_cmd_usage_error("option '%s' needs a value", argv[i]);
            continue;
        }
        if ((m = opt_value(argc, argv, &i, "--threshold", &v))) {
            if (m < 0 || parse_uint(v, 2, 1000, &o.threshold) != 0)
                return dg_cmd_usage_error("--threshold wants a number from 2 to 1000");
            continue;
        }
        if ((m = opt_value(argc, argv, &i, "--top", &v))) {
            if (m < 0 || parse_uint(v, 1, 1000, &o.top) != 0)
                return dg_cmd_usage_error("--top wants a number from 1 to 1000");
            continue;
        }
        return dg_cmd_usage_error("unknown option '%s' (see dmvgate report --help)", argv[i]);
    }
    int64_t t;
    if (!from || !to)
        return dg_cmd_usage_error("report needs --from DATE and --to DATE");
    if (dg_report_parse_day(from, &t) != 0)
        return dg_cmd_usage_error("bad --from '%s': want YYYY-MM-DD", from);
    if (dg_report_parse_day(to, &t) != 0)
        return dg_cmd_usage_error("bad --to '%s': want YYYY-MM-DD", to);
    if (!db == !audit)
        return dg_cmd_usage_error("report needs one of --db FILE and --audit DIR");
    if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0 && strcmp(format, "html") != 0)
        return dg_cmd_usage_error("--format wants csv, json or html, not '%s'", format);

    struct dg_error e;
    dg_error_clear(&e);
    struct dg_directory *dir = NULL;
    if (directory) {
        dir = dg_directory_new();
        int rc = dir ? dg_directory_load_csv(dir, directory, &e) : DG_ENOMEM;
        if (rc < 0) {
            fprintf(stderr, "dmvgate: cannot load directory '%s': %s\n", directory,
                    e.msg[0] ? e.msg : dg_strerror(rc));
            dg_directory_free(dir);
            return 2;
        }
    }
    o.from = from;
    o.to = to;
    o.directory = dir;
    o.title = title;
    char source[300];
    snprintf(source, sizeof(source), "%s %s", db ? "counters in" : "audit log", db ? db : audit);
    o.source = source;

    struct dg_store *st = NULL;
    struct dg_report *r = NULL;
    int status = 2, rc;
    if (db) {
        rc = dg_store_open(db, DG_STORE_READONLY, &st, &e);
    } else {
        /* Count the log into a private in-memory store, then report from it. */
        rc = dg_store_open(":memory:", DG_STORE_CREATE, &st, &e);
        struct dg_stats *s = NULL;
        if (!rc) {
            struct dg_stats_options so;
            dg_stats_options_init(&so);
            so.store = st;
            so.flush_ms = 0;
            so.alerts.baseline_days = 0;
            so.keep_hourly_days = 3660; /* keep the log's hours, however old */
            rc = dg_stats_open(&so, &s, &e);
        }
        uint64_t n = 0;
        if (!rc)
            rc = dg_report_count_audit(s, audit, from, to, &n, &e);
        if (s) {
            /* Nothing is left to flush: count_audit flushed every hour. */
            struct dg_error ce;
            int crc = dg_stats_close(s, &ce);
            if (!rc && crc)
                rc = crc, e = ce;
        }
        if (!rc)
            snprintf(source, sizeof(source), "audit log %s (%llu query entries in the range)",
                     audit, (unsigned long long)n);
    }
    if (!rc)
        rc = dg_report_build(st, &o, &r, &e);
    if (rc) {
        fprintf(stderr, "dmvgate: %s\n", e.msg[0] ? e.msg : dg_strerror(rc));
        status = rc == DG_ENOSTATS ? 1 : 2;
    } else {
        struct dg_buf b;
        dg_buf_init(&b, 256u << 20);
        rc = format[0] == 'c'   ? dg_report_csv(r, &b)
             : format[0] == 'j' ? dg_report_json(r, &b)
                                : dg_report_html(r, &b);
        if (rc)
            fprintf(stderr, "dmvgate: cannot format the report: %s\n", dg_strerror(rc));
        else
            status = write_out(out, &b);
        dg_buf_release(&b);
    }
    dg_report_free(r);
    dg_store_close(st);
    dg_directory_free(dir);
    return status;
}
