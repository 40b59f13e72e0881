/*
 * cmd.h - the subcommands of the dmvgate binary.
 *
 * Each subcommand is a function in src/cmd_<name>.c that parses its own
 * options and calls into lib/. Exit codes: 0 success, 1 a negative answer
 * (not found, invalid input, check failed), 2 bad usage or an error that
 * stopped the command.
 */
#ifndef DMVGATE_CMD_H
#define DMVGATE_CMD_H

#include <stdio.h>

struct dg_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
};

/* The table, in src/main.c. */
extern const struct dg_cmd dg_cmds[];

/* Print "dmvgate: <message>" on stderr and return 2, for usage errors. */
int dg_cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One declaration per subcommand; keep in the order of the table. */
int dg_cmd_version(int argc, char **argv);
int dg_cmd_seed(int argc, char **argv);
int dg_cmd_lookup(int argc, char **argv);
int dg_cmd_agencies(int argc, char **argv);
int dg_cmd_policy(int argc, char **argv);
int dg_cmd_msg(int argc, char **argv);
int dg_cmd_audit(int argc, char **argv);
int dg_cmd_auditd(int argc, char **argv);
int dg_cmd_config(int argc, char **argv);
int dg_cmd_report(int argc, char **argv);
int dg_cmd_stats(int argc, char **argv);
/* `dmvgate policy simulate` (src/cmd_simulate.c), dispatched by dg_cmd_policy. */
int dg_cmd_policy_simulate(int argc, char **argv);
int dg_cmd_user(int argc, char **argv);
int dg_cmd_query(int argc, char **argv);
int dg_cmd_demo(int argc, char **argv);
int dg_cmd_serve(int argc, char **argv);

#endif
