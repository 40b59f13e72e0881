/*
 * cmd_config.c - `dmvgate config check FILE` and `dmvgate config options`.
 *
 * check prints the effective configuration (a valid configuration file, each
 * line saying where its value came from) on stdout and every problem as
 * FILE:LINE: error|warning: ... on stderr. options prints the option table.
 */
#include "cmd.h"

#include <dmvgate/config.h>

#include <stdio.h>
#include <string.h>

static const char check_help[] =
    "usage: dmvgate config check [--quiet] FILE\n"
    "       dmvgate config options [--markdown]\n"
    "\n"
    "check: read the configuration FILE of `dmvgate serve`, print the effective\n"
    "configuration (every option, its value, and where the value came from) on\n"
    "stdout, and every error and warning with its line on stderr as\n"
    "  FILE:LINE: error: MESSAGE\n"
    "Files the configuration names (store, policy, certificates, ...) must exist\n"
    "and be readable. Exit 0 when the configuration is usable (warnings allowed),\n"
    "1 when it has errors, 2 on bad usage.\n"
    "\n"
    "options: list every option with its type, bounds, default and meaning.\n"
    "\n"
    "  --quiet      check: print only the problems, not the effective configuration\n"
    "  --markdown   options: print the list as a Markdown table (as in docs/operations.md)\n"
    "  --help       this text\n";

static void print_diags(const char *file, const struct dg_config_report *r)
{
    for (int i = 0; i < r->n; i++) {
        const struct dg_config_diag *d = &r->diag[i];
        if (d->line > 0)
            fprintf(stderr, "%s:%d: %s: %s\n", file, d->line, d->warning ? "warning" : "error",
                    d->msg);
        else
            fprintf(stderr, "%s: %s: %s\n", file, d->warning ? "warning" : "error", d->msg);
    }
    if (r->dropped)
        fprintf(stderr, "%s: error: %d more problems not shown\n", file, r->dropped);
}

static int check(int argc, char **argv)
{
    bool quiet = false;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return dg_cmd_usage_error("config check: unknown option '%s'", argv[i]);
        else if (file)
            return dg_cmd_usage_error("config check: only one FILE");
        else
            file = argv[i];
    }
    if (!file)
        return dg_cmd_usage_error("config check: FILE is required");
    struct dg_config c;
    struct dg_config_report r;
    dg_config_report_init(&r);
    int rc = dg_config_load(&c, file, &r);
    if (rc == DG_ENOMEM) {
        fprintf(stderr, "dmvgate: out of memory\n");
        dg_config_release(&c);
        return 2;
    }
    bool unreadable = rc != 0 && rc != DG_ECONFIG;
    if (!quiet && !unreadable) {
        struct dg_buf b;
        dg_buf_init(&b, 1 << 20);
        if (dg_config_format(&c, &b) == 0)
            printf("# effective configuration of '%s'\n%s", file, b.data ? b.data : "");
        dg_buf_release(&b);
    }
    print_diags(file, &r);
    dg_config_release(&c);
    if (unreadable)
        return 2;
    return r.errors ? 1 : 0;
}

static void print_range(const struct dg_config_option *o, char *out, size_t n)
{
    switch (o->type) {
    case DG_CONFIG_INT:
    case DG_CONFIG_SIZE: snprintf(out, n, "%ld .. %ld", o->min, o->max); break;
    case DG_CONFIG_ENUM: snprintf(out, n, "%s", o->choices); break;
    case DG_CONFIG_BOOL: snprintf(out, n, "yes|no"); break;
    case DG_CONFIG_PATH: snprintf(out, n, "%s", o->choices ? o->choices : "-"); break;
    default: snprintf(out, n, "-"); break;
    }
}

static int options(int argc, char **argv)
{
    bool md = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0)
            md = true;
        else
            return dg_cmd_usage_error("config options: unknown argument '%s'", argv[i]);
    }
    if (md)
        printf("| option | type | bounds | default | meaning |\n|---|---|---|---|---|\n");
    const struct dg_config_option *o;
    for (size_t i = 0; (o = dg_config_option(i)); i++) {
        char range[96];
        print_range(o, range, sizeof(range));
        if (md) {
            /* A '|' inside a Markdown table cell must be escaped. */
            printf("| `%s` | %s | ", o->name, dg_config_type_name(o->type));
            for (const char *p = range; *p; p++)
                printf(*p == '|' ? "\\|" : "%c", *p);
            printf(" | %s | %s |\n", o->def[0] ? o->def : "(empty)", o->description);
        } else
            printf("%-20s %-8s %-24s %-15s %s\n", o->name, dg_config_type_name(o->type), range,
                   o->def[0] ? o->def : "\"\"", o->description);
    }
    return 0;
}

int dg_cmd_config(int argc, char **argv)
{
    if (argc < 2)
        return dg_cmd_usage_error("config: expected 'check FILE' or 'options' (see --help)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(check_help, stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0) {
            fputs(check_help, stdout);
            return 0;
        }
    if (strcmp(argv[1], "check") == 0)
        return check(argc - 1, argv + 1);
    if (strcmp(argv[1], "options") == 0)
        return options(argc - 1, argv + 1);
    return dg_cmd_usage_error("config: unknown subcommand '%s'", argv[1]);
}
