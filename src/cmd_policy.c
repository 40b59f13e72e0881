/*
 * cmd_policy.c - `dmvgate policy check|test|explain`: the tools a state
 * operator uses to write a policy, prove it does what they mean, and see why
 * a request got its decision. The work is in lib/policy; this file parses
 * options and prints.
 */
#include "cmd.h"

#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/policy.h>

#include <stdio.h>
#include <string.h>

static const char policy_usage[] =
    "usage: dmvgate policy <check|test|explain> ...\n"
    "\n"
    "  dmvgate policy check FILE\n"
    "      Check a policy: syntax, attribute names, values, list files, rules that can\n"
    "      never fire, a missing default; warn where an outcome would reveal a record\n"
    "      attribute. Prints FILE:LINE:COL: error: ... with the line and a caret.\n"
    "      Exit 0 when the policy has no errors (warnings allowed), 1 when it has.\n"
    "\n"
    "  dmvgate policy test FILE TESTS [--directory CSV]\n"
    "      Run the test cases in TESTS against the policy FILE. Prints one line per\n"
    "      failing case and a last line 'N passed, M failed'. Exit 1 if any failed.\n"
    "\n"
    "  dmvgate policy explain FILE --request REQ [--directory CSV]\n"
    "      Decide the one request in REQ (the test-file format, docs/policy.md) and print\n"
    "      every rule in order, whether it matched and why, and the decision.\n"
    "\n"
    "options:\n"
    "  --directory CSV  agency directory (docs/agencies.md) to look requesters up in;\n"
    "                   agencies in the test file itself come first\n"
    "  --request REQ    (explain) the file holding the request\n"
    "  --quiet          (check) print errors and warnings only, no summary line\n"
    "  -h, --help       this text\n"
    "\n"
    "The language, the test-file format and every attribute: docs/policy.md.\n";

static int load(const char *path, struct dg_policy **out)
{
    struct dg_policy_diags d;
    dg_policy_diags_init(&d);
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_policy_load(path, out, &d, &e);
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    dg_policy_diags_format(&d, &b);
    if (b.len)
        fputs(b.data, stderr);
    dg_buf_release(&b);
    if (rc && rc != DG_EPOLICY)
        fprintf(stderr, "dmvgate: %s\n", e.msg[0] ? e.msg : dg_strerror(rc));
    else if (rc)
        fprintf(stderr, "%s: %d error%s, %d warning%s\n", path, d.errors, d.errors == 1 ? "" : "s",
                d.warnings, d.warnings == 1 ? "" : "s");
    dg_policy_diags_release(&d);
    return rc;
}

static int check(int argc, char **argv)
{
    const char *file = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return dg_cmd_usage_error("policy check: unknown option '%s'", argv[i]);
        else if (!file)
            file = argv[i];
        else
            return dg_cmd_usage_error("policy check: one policy file at a time");
    }
    if (!file)
        return dg_cmd_usage_error("policy check: which policy? (dmvgate policy check FILE)");
    struct dg_policy *p = NULL;
    int rc = load(file, &p);
    if (rc)
        return rc == DG_EPOLICY ? 1 : 2;
    if (!quiet) {
        int n = dg_policy_rule_count(p);
        printf("%s: ok: policy \"%s\" for %s, %d rule%s\n", file, dg_policy_name(p),
               dg_policy_state(p), n, n == 1 ? "" : "s");
    }
    dg_policy_free(p);
    return 0;
}

int dg_cmd_policy(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(policy_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(policy_usage, stdout);
            return 0;
        }
    if (strcmp(argv[1], "check") == 0)
        return check(argc - 1, argv + 1);
    return dg_cmd_usage_error("policy: unknown subcommand '%s' (check, test or explain)",
                              argv[1]);
}
