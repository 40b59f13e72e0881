/*
 * cmd_simulate.c - `dmvgate policy simulate`: replay the queries recorded in
 * an audit log under a draft policy and report what would change (lib/simulate).
 * Reached from `dmvgate policy` (src/cmd_policy.c dispatches "simulate" here).
 */
#include "cmd.h"

#include <dmvgate/policy.h>
#include <dmvgate/simulate.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char simulate_usage[] =
    "usage: dmvgate policy simulate DRAFT --audit DIR [options]\n"
    "\n"
    "Replay every query recorded in the audit log in DIR under the draft policy DRAFT\n"
    "and report what would change: how many queries would move from allow to deny or\n"
    "review (and every other way), by requester category and level, by key, by the\n"
    "draft's deciding rule and the rule that decided before, how many local and state\n"
    "police queries would be affected, and the agencies most affected. Only the\n"
    "public part of each entry is read. A rule that looks at the record found cannot\n"
    "be replayed (the record is not in the log): such queries count as 'undecided'.\n"
    "\n"
    "  --audit DIR       the audit log (dmvgate audit, docs/audit.md)\n"
    "  --from DATE       replay queries from this day on (YYYY-MM-DD, local time)\n"
    "  --to DATE         ... up to and including this day\n"
    "  --current FILE    compare with this policy's decisions instead of the recorded\n"
    "                    ones (e.g. the policy in force, when the log spans a change)\n"
    "  --format FMT      text (default) or json (what the review console reads)\n"
    "  --out FILE        write to FILE instead of standard output\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 done, 1 the draft (or --current) has errors, 2 bad usage or an\n"
    "unreadable log.\n";

static int load(const char *path, struct dg_policy **out)
{
    struct dg_policy_diags d;
    dg_policy_diags_init(&d);
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_policy_load(path, out, &d, &e);
    if (rc) {
        struct dg_buf b;
        dg_buf_init(&b, 1 << 20);
        dg_policy_diags_format(&d, &b);
        if (b.len)
            fputs(b.data, stderr);
        dg_buf_release(&b);
        if (rc != DG_EPOLICY)
            fprintf(stderr, "dmvgate: %s\n", e.msg[0] ? e.msg : dg_strerror(rc));
    }
    dg_policy_diags_release(&d);
    return rc;
}

int dg_cmd_policy_simulate(int argc, char **argv)
{
    const char *draft_path = NULL, *audit = NULL, *from = NULL, *to = NULL, *current_path = NULL;
    const char *format = "text", *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char **dst = NULL;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(simulate_usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--audit") == 0)
            dst = &audit;
        else if (strcmp(argv[i], "--from") == 0)
            dst = &from;
        else if (strcmp(argv[i], "--to") == 0)
            dst = &to;
        else if (strcmp(argv[i], "--current") == 0)
            dst = &current_path;
        else if (strcmp(argv[i], "--format") == 0)
            dst = &format;
        else if (strcmp(argv[i], "--out") == 0)
            dst = &out;
        else if (argv[i][0] == '-')
            return dg_cmd_usage_error("policy simulate: unknown option '%s'", argv[i]);
        else if (draft_path)
            return dg_cmd_usage_error("policy simulate: more than one DRAFT");
        else {
            draft_path = argv[i];
            continue;
        }
        if (i + 1 >= argc)
            return dg_cmd_usage_error("policy simulate: option '%s' needs a value", argv[i]);
        *dst = argv[++i];
    }
    if (!draft_path || !audit)
        return dg_cmd_usage_error("policy simulate: DRAFT and --audit DIR are required");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return dg_cmd_usage_error("policy simulate: --format wants text or json");

    struct dg_policy *draft = NULL, *current = NULL;
    if (load(draft_path, &draft) != 0)
        return 1;
    if (current_path && load(current_path, &current) != 0) {
        dg_policy_free(draft);
        return 1;
    }
    struct dg_sim_options o = {
        .audit_dir = audit, .from = from, .to = to, .draft = draft, .current = current};
    struct dg_sim_result r;
    struct dg_error e;
    dg_error_clear(&e);
    int status = 2;
    int rc = dg_sim_run(&o, &r, &e);
    if (rc == DG_EINVAL && e.field[0]) {
        status = dg_cmd_usage_error("policy simulate: %s", e.msg);
    } else if (rc) {
        fprintf(stderr, "dmvgate: cannot replay '%s': %s\n", audit,
                e.msg[0] ? e.msg : dg_strerror(rc));
    } else {
        struct dg_buf b;
        dg_buf_init(&b, 16u << 20);
        rc = format[0] == 'j' ? dg_sim_json(&r, draft, &b) : dg_sim_text(&r, draft, &b);
        FILE *f = out ? fopen(out, "wb") : stdout;
        if (rc)
            fprintf(stderr, "dmvgate: cannot format the result: %s\n", dg_strerror(rc));
        else if (!f)
            fprintf(stderr, "dmvgate: cannot open '%s': %s\n", out, strerror(errno));
        else if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0)
            fprintf(stderr, "dmvgate: cannot write the result\n");
        else
            status = 0;
        if (f && f != stdout)
            fclose(f);
        dg_buf_release(&b);
        dg_sim_result_release(&r);
    }
    dg_policy_free(draft);
    dg_policy_free(current);
    return status;
}
