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
    "  dmvgate policy simulate DRAFT --audit DIR [--from DATE] [--to DATE] ...\n"
    "      Replay the queries recorded in an audit log under a draft policy and report\n"
    "      what would change (see 'dmvgate policy simulate --help').\n"
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

/* Read a whole file of at most max bytes into b. */
static int slurp(const char *path, size_t max, struct dg_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dmvgate: cannot open '%s'\n", path);
        return DG_ENOENT;
    }
    dg_buf_init(b, max);
    int rc = 0;
    char chunk[8192];
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = dg_buf_add(b, chunk, n);
    if (rc == 0 && ferror(f))
        rc = DG_EIO;
    fclose(f);
    if (rc)
        fprintf(stderr, "dmvgate: cannot read '%s': %s\n", path, dg_strerror(rc));
    return rc;
}

/* What test and explain use to find requesters and read messages. */
struct env {
    struct dg_policy_test_env env;
    struct dg_directory *dir;
};

static const struct dg_agency *find_agency(void *ctx, const char *ori)
{
    return dg_directory_find(ctx, ori, strlen(ori));
}

static int env_init(struct env *E, const char *directory)
{
    memset(E, 0, sizeof(*E));
    E->env.parse_message = dg_policy_msg_parser;
    if (!directory)
        return 0;
    struct dg_error e;
    dg_error_clear(&e);
    E->dir = dg_directory_new();
    int rc = E->dir ? dg_directory_load_csv(E->dir, directory, &e) : DG_ENOMEM;
    if (rc < 0) { /* >= 0: the number of agencies loaded */
        if (e.line > 0)
            fprintf(stderr, "%s:%d: error: %s\n", directory, e.line, e.msg);
        else
            fprintf(stderr, "dmvgate: cannot load directory '%s': %s\n", directory,
                    e.msg[0] ? e.msg : dg_strerror(rc));
        return rc;
    }
    E->env.find_agency = find_agency;
    E->env.find_ctx = E->dir;
    return 0;
}

static void env_release(struct env *E)
{
    dg_directory_free(E->dir);
}

static int test(int argc, char **argv)
{
    const char *file = NULL, *tests = NULL, *directory = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--directory") == 0) {
            if (++i == argc)
                return dg_cmd_usage_error("policy test: --directory needs a file");
            directory = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return dg_cmd_usage_error("policy test: unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else if (!tests) {
            tests = argv[i];
        } else {
            return dg_cmd_usage_error("policy test: too many arguments");
        }
    }
    if (!file || !tests)
        return dg_cmd_usage_error("policy test: usage: dmvgate policy test FILE TESTS");
    struct dg_policy *p = NULL;
    int rc = load(file, &p);
    if (rc)
        return rc == DG_EPOLICY ? 1 : 2;
    struct env E;
    struct dg_buf t, report;
    dg_buf_init(&report, 64u << 20);
    int status = 2;
    if (env_init(&E, directory) == 0 && slurp(tests, DG_POLICY_MAX_TESTFILE, &t) == 0) {
        struct dg_policy_test_result res;
        struct dg_error e;
        dg_error_clear(&e);
        rc = dg_policy_test_run(p, t.data ? t.data : "", t.len, tests, &E.env, &report, &res, &e);
        if (rc == 0) {
            fputs(report.data, stdout);
            status = res.failed ? 1 : 0;
        } else if (e.line > 0) {
            fprintf(stderr, "%s:%d: error: %s\n", tests, e.line, e.msg);
        } else {
            fprintf(stderr, "dmvgate: %s\n", e.msg[0] ? e.msg : dg_strerror(rc));
        }
        dg_buf_release(&t);
    }
    env_release(&E);
    dg_buf_release(&report);
    dg_policy_free(p);
    return status;
}

static int explain(int argc, char **argv)
{
    const char *file = NULL, *request = NULL, *directory = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--directory") == 0 || strcmp(argv[i], "--request") == 0) {
            if (i + 1 == argc)
                return dg_cmd_usage_error("policy explain: %s needs a file", argv[i]);
            *(argv[i][2] == 'd' ? &directory : &request) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return dg_cmd_usage_error("policy explain: unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return dg_cmd_usage_error("policy explain: too many arguments");
        }
    }
    if (!file || !request)
        return dg_cmd_usage_error(
            "policy explain: usage: dmvgate policy explain FILE --request REQ [--directory CSV]");
    struct dg_policy *p = NULL;
    int rc = load(file, &p);
    if (rc)
        return rc == DG_EPOLICY ? 1 : 2;
    struct env E;
    struct dg_buf t, out;
    dg_buf_init(&out, 16u << 20);
    int status = 2;
    if (env_init(&E, directory) == 0 && slurp(request, DG_POLICY_MAX_TESTFILE, &t) == 0) {
        struct dg_agency who;
        struct dg_policy_request req;
        struct dg_policy_record rec;
        bool has_rec = false;
        struct dg_error e;
        dg_error_clear(&e);
        rc = dg_policy_request_read(t.data ? t.data : "", t.len, request, dg_policy_state(p),
                                    &E.env, &who, &req, &rec, &has_rec, &e);
        if (rc == 0)
            rc = dg_policy_explain(p, &req, has_rec ? &rec : NULL, &out);
        if (rc == 0) {
            fputs(out.data, stdout);
            status = 0;
        } else if (e.line > 0) {
            fprintf(stderr, "%s:%d: error: %s\n", request, e.line, e.msg);
        } else {
            fprintf(stderr, "dmvgate: %s\n", e.msg[0] ? e.msg : dg_strerror(rc));
        }
        dg_buf_release(&t);
    }
    env_release(&E);
    dg_buf_release(&out);
    dg_policy_free(p);
    return status;
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
    if (strcmp(argv[1], "simulate") == 0) /* src/cmd_simulate.c, issue 9 */
        return dg_cmd_policy_simulate(argc - 1, argv + 1);
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(policy_usage, stdout);
            return 0;
        }
    if (strcmp(argv[1], "check") == 0)
        return check(argc - 1, argv + 1);
    if (strcmp(argv[1], "test") == 0)
        return test(argc - 1, argv + 1);
    if (strcmp(argv[1], "explain") == 0)
        return explain(argc - 1, argv + 1);
    return dg_cmd_usage_error("policy: unknown subcommand '%s' (check, test, explain or simulate)",
                              argv[1]);
}
