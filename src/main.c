/*
 * main.c - the dmvgate binary: find the subcommand and run it.
 *
 * One binary, several roles (DESIGN.md, Components): `dmvgate serve` runs a
 * node or the hub, the other subcommands are the tools around them. To add a
 * subcommand, write src/cmd_<name>.c, declare it in cmd.h and add a row here.
 */
#include "cmd.h"

#include <dmvgate/core.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const struct dg_cmd dg_cmds[] = {
    {"version", "print the version", dg_cmd_version},
    {"seed", "write synthetic DMV data into a store, or list sample keys", dg_cmd_seed},
    {"lookup", "look records up in a store by OLN, name+DOB, plate or VIN", dg_cmd_lookup},
    {"agencies", "generate, load and show the agency directory", dg_cmd_agencies},
    {"policy", "check, test and explain a state's policy", dg_cmd_policy},
    {"msg", "check a message or convert it between text and JSON", dg_cmd_msg},
    {"audit", "the tamper-evident audit log: keys, appends, proofs, verification", dg_cmd_audit},
    {"auditd", "the audit sequencer: one log for several node processes", dg_cmd_auditd},
    {"config", "check a serve configuration file, list the options", dg_cmd_config},
    {"report", "transparency report for a range of days (CSV, JSON, HTML; public form)",
     dg_cmd_report},
    {"stats", "transparency counters: synthetic traffic, anomaly alerts", dg_cmd_stats},
    {"user", "review-console accounts: add one with a role, list them", dg_cmd_user},
    {"query", "send a query to the hub as an agency and print each state's answer", dg_cmd_query},
    {"demo", "run the demo network: CA, four state nodes, the hub and traffic, on loopback",
     dg_cmd_demo},
    {"serve", "run a state node (the HTTPS API, policy, review queue, audit log)", dg_cmd_serve},
    {NULL, NULL, NULL},
};

int dg_cmd_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmvgate: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

int dg_cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("dmvgate %s\n", DG_VERSION);
    return 0;
}

static void usage(FILE *out)
{
    fputs("usage: dmvgate <command> [options]\n"
          "\n"
          "dmvgate is an interstate DMV query network: a hub, state nodes with a policy\n"
          "engine, review queue and tamper-evident audit log, and the tools around them.\n"
          "\n"
          "commands:\n",
          out);
    for (const struct dg_cmd *c = dg_cmds; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fputs("\nRun 'dmvgate <command> --help' for a command's options.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return dg_cmd_version(argc - 1, argv + 1);
    for (const struct dg_cmd *c = dg_cmds; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "dmvgate: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
