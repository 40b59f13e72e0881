/*
 * cmd_agencies.c - `dmvgate agencies`: generate the synthetic agency
 * directory as CSV, load a directory CSV into a store (all or nothing), and
 * show one agency of a store.
 */
#include "cmd.h"

#include <dmvgate/agency.h>
#include <dmvgate/store.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char agencies_usage[] =
    "usage: dmvgate agencies generate --out FILE.csv [--seed S]\n"
    "       dmvgate agencies load --csv FILE.csv --db FILE\n"
    "       dmvgate agencies show ORI --db FILE [--compact]\n"
    "\n"
    "The agency directory: who each originating agency identifier (ORI) is.\n"
    "The CSV format is in docs/agencies.md.\n"
    "\n"
    "  generate   write a synthetic directory of about 18,000 agencies shaped like the\n"
    "             real population (the same --seed always gives the same file)\n"
    "    --out FILE.csv   where to write it ('-' for standard output)\n"
    "    --seed S         generator seed, an unsigned 64-bit number (default 1)\n"
    "  load       check every row of a directory CSV and, only when all are good,\n"
    "             replace the store's directory with it in one transaction; a bad\n"
    "             row is reported with its line number and reason and nothing is loaded\n"
    "    --csv FILE.csv   the directory\n"
    "    --db FILE        the store (created if missing)\n"
    "  show       print one agency of the store as JSON\n"
    "    ORI              the agency's 9-character ORI\n"
    "    --db FILE        the store\n"
    "    --compact        one line of JSON instead of indented\n"
    "  --help     this text\n"
    "\n"
    "Exit status: 0 done or found; 1 a rejected CSV (load) or no such agency (show);\n"
    "2 bad usage or an error.\n";

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

static int generate(const char *out, uint64_t seed)
{
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    dg_error_clear(&e);
    struct dg_buf b;
    dg_buf_init(&b, DG_AGENCY_CSV_MAX_BYTES);
    int n = d ? dg_agencies_generate(d, seed, &e) : DG_ENOMEM;
    int rc = n < 0 ? n : dg_directory_to_csv(d, &b);
    if (rc) {
        dg_directory_free(d);
        dg_buf_release(&b);
        return dg_cmd_usage_error("agencies generate: %s", e.code ? e.msg : dg_strerror(rc));
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
    int status = 0;
    if (!f)
        status =
            dg_cmd_usage_error("agencies generate: cannot create '%s': %s", out, strerror(errno));
    else if (fwrite(b.data, 1, b.len, f) != b.len || (f != stdout ? fclose(f) : fflush(f)) != 0)
        status =
            dg_cmd_usage_error("agencies generate: cannot write '%s': %s", out, strerror(errno));
    if (!status && f != stdout) {
        size_t counts[DG_CAT__COUNT] = {0};
        for (size_t i = 0; i < dg_directory_count(d); i++)
            counts[dg_directory_at(d, i)->category]++;
        printf("wrote %d agencies to %s (", n, out);
        for (int c = 0; c < DG_CAT__COUNT; c++)
            printf("%s%s %zu", c ? ", " : "", dg_category_name((enum dg_category)c), counts[c]);
        printf(")\n");
    }
    dg_directory_free(d);
    dg_buf_release(&b);
    return status;
}

static int load(const char *csv, const char *db)
{
    struct dg_directory *d = dg_directory_new();
    if (!d)
        return dg_cmd_usage_error("agencies load: out of memory");
    struct dg_error e;
    dg_error_clear(&e);
    int n = dg_directory_load_csv(d, csv, &e);
    if (n < 0) {
        dg_directory_free(d);
        if (n == DG_ENOENT || n == DG_EIO || n == DG_ENOMEM || e.line < 0)
            return dg_cmd_usage_error("agencies load: %s", e.msg);
        /* A rejected file: exit 1, nothing loaded. */
        fprintf(stderr, "dmvgate: agencies load: '%s' line %d%s%s: %s; nothing loaded\n", csv,
                e.line, e.field[0] ? ", field " : "", e.field, e.msg);
        return 1;
    }
    struct dg_store *s;
    if (dg_store_open(db, DG_STORE_CREATE, &s, &e)) {
        dg_directory_free(d);
        return dg_cmd_usage_error("agencies load: %s", e.msg);
    }
    int rc = dg_store_begin(s, &e);
    if (!rc)
        rc = dg_store_agencies_clear(s, &e);
    for (size_t i = 0; !rc && i < dg_directory_count(d); i++)
        rc = dg_store_put_agency(s, dg_directory_at(d, i), &e);
    if (!rc)
        rc = dg_store_commit(s, &e);
    if (rc)
        dg_store_rollback(s, NULL);
    dg_store_close(s);
    dg_directory_free(d);
    if (rc)
        return dg_cmd_usage_error("agencies load: %s; nothing loaded", e.msg);
    char count[24];
    snprintf(count, sizeof(count), "%d", n);
    dg_log(DG_LOG_INFO, "agencies_load", "count", count, NULL);
    printf("loaded %d agencies from %s into %s\n", n, csv, db);
    return 0;
}

static int show(const char *ori, const char *db, int compact)
{
    struct dg_error e;
    dg_error_clear(&e);
    if (dg_ori_validate(ori, strlen(ori), &e))
        return dg_cmd_usage_error("agencies show: %s", e.msg);
    struct dg_store *s;
    if (dg_store_open(db, DG_STORE_READONLY, &s, &e))
        return dg_cmd_usage_error("agencies show: %s", e.msg);
    struct dg_agency a;
    int rc = dg_store_agency_by_ori(s, ori, &a, &e);
    dg_store_close(s);
    if (rc == DG_ENOTFOUND) {
        fprintf(stderr, "dmvgate: agencies show: no agency '%s' in %s\n", ori, db);
        return 1;
    }
    if (rc)
        return dg_cmd_usage_error("agencies show: %s", e.msg);
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    rc = dg_agency_json(&a, &b);
    cJSON *j = !rc && !compact ? cJSON_ParseWithLength(b.data, b.len) : NULL;
    char *txt = j ? cJSON_Print(j) : NULL;
    puts(txt ? txt : b.data);
    cJSON_free(txt);
    cJSON_Delete(j);
    dg_buf_release(&b);
    return 0;
}

int dg_cmd_agencies(int argc, char **argv)
{
    if (argc < 2)
        return dg_cmd_usage_error("agencies: give generate, load or show (see --help)");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(agencies_usage, stdout);
        return 0;
    }
    const char *out = NULL, *csv = NULL, *db = NULL, *ori = NULL;
    uint64_t seed = 1;
    int compact = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(agencies_usage, stdout);
            return 0;
        } else if (is_opt(a, "--out")) {
            if (!(out = opt_value(argc, argv, &i, "--out")))
                return dg_cmd_usage_error("agencies: --out needs a value");
        } else if (is_opt(a, "--csv")) {
            if (!(csv = opt_value(argc, argv, &i, "--csv")))
                return dg_cmd_usage_error("agencies: --csv needs a value");
        } else if (is_opt(a, "--db")) {
            if (!(db = opt_value(argc, argv, &i, "--db")))
                return dg_cmd_usage_error("agencies: --db needs a value");
        } else if (is_opt(a, "--seed")) {
            const char *v = opt_value(argc, argv, &i, "--seed");
            char *end;
            errno = 0;
            unsigned long long x = v && *v && *v != '-' ? strtoull(v, &end, 10) : 0;
            if (!v || !*v || *v == '-' || errno || *end)
                return dg_cmd_usage_error("agencies: --seed must be an unsigned number");
            seed = x;
        } else if (strcmp(a, "--compact") == 0) {
            compact = 1;
        } else if (a[0] != '-' && !ori && strcmp(sub, "show") == 0) {
            ori = a;
        } else {
            return dg_cmd_usage_error("agencies %s: unexpected argument '%s'", sub, a);
        }
    }
    if (strcmp(sub, "generate") == 0) {
        if (!out)
            return dg_cmd_usage_error("agencies generate: --out FILE.csv is required");
        if (csv || db || compact)
            return dg_cmd_usage_error("agencies generate: takes only --out and --seed");
        return generate(out, seed);
    }
    if (strcmp(sub, "load") == 0) {
        if (!csv || !db)
            return dg_cmd_usage_error("agencies load: --csv FILE and --db FILE are required");
        if (out || compact)
            return dg_cmd_usage_error("agencies load: takes only --csv and --db");
        return load(csv, db);
    }
    if (strcmp(sub, "show") == 0) {
        if (!ori || !db)
            return dg_cmd_usage_error("agencies show: ORI and --db FILE are required");
        return show(ori, db, compact);
    }
    return dg_cmd_usage_error("agencies: unknown subcommand '%s' (generate, load or show)", sub);
}
