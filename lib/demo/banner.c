/*
 * banner.c - what the demo tells the person who started it
 * (include/dmvgate/demo.h): where each node, its dashboard and review console
 * and the hub's metrics are, the logins made for the demo, ready-to-paste
 * `dmvgate query` commands that show each state's policy at work (built from
 * agencies and records that really are in this demo), and a running line of
 * traffic figures.
 */
#include "demo/demo_int.h"

#include <dmvgate/msg.h>

#include <stdio.h>
#include <string.h>

static const struct dg_traffic_agency *find(const struct dg_demo *d, int kind, const char *state,
                                            const char *component)
{
    for (int i = 0; i < d->npool; i++) {
        const struct dg_traffic_agency *a = &d->pool[i];
        if (a->kind == kind && (!state || strcmp(a->a.state, state) == 0) &&
            (!component || strcmp(a->a.component, component) == 0))
            return a;
    }
    return NULL;
}

static int state_index(const char *st)
{
    for (int i = 0; i < DG__DEMO_NSTATES; i++)
        if (strcmp(dg__demo_states[i].st, st) == 0)
            return i;
    return 0;
}

/* Print one example: a comment, then the command. The message is built and
 * checked with lib/msg, so a printed example is always a valid message. */
static void example(const struct dg_demo *d, FILE *out, const char *comment,
                    const struct dg_traffic_agency *a, enum dg_key key, const char *dests,
                    const char *const fields[][2], const char *extra_opts)
{
    if (!a)
        return;
    struct dg_msg_req req;
    int rc = dg_msg_req_init(&req, key, a->a.ori, NULL);
    char dl[32];
    snprintf(dl, sizeof(dl), "%s", dests);
    for (char *tok = strtok(dl, ","); rc == 0 && tok; tok = strtok(NULL, ","))
        rc = dg_msg_req_add_dest(&req, tok, NULL);
    for (int i = 0; rc == 0 && fields[i][0]; i++)
        rc = dg_msg_req_set(&req, (enum dg_msg_tag)dg_msg_tag_parse(fields[i][0], 3), fields[i][1],
                            NULL);
    if (rc == 0)
        rc = dg_msg_req_finish(&req, NULL);
    struct dg_buf text;
    dg_buf_init(&text, 4096);
    if (rc == 0)
        rc = dg_msg_req_to_text(&req, &text);
    if (rc != 0 || !text.data) {
        dg_buf_release(&text);
        return;
    }
    fprintf(out, "  # %s\n  %s query --hub %s --cert %s --ca %s/certs/ca.pem%s%s '", comment,
            d->o.exe, d->hub_url, a->cert, d->dir, extra_opts ? " " : "",
            extra_opts ? extra_opts : "");
    bool header = true;
    for (size_t i = 0; i < text.len; i++) {
        char c = text.data[i];
        if (c == '\n') {
            if (header)
                fputc(' ', out);
            header = false;
        } else if (c == '\'') {
            fputs("'\\''", out);
        } else {
            fputc(c, out);
        }
    }
    fputs("'\n\n", out);
    dg_buf_release(&text);
}

void dg_demo_banner(struct dg_demo *d, FILE *out)
{
    fprintf(out,
            "\n"
            "================================================================================\n"
            " dmvgate demo: a hub and four state nodes on this machine (loopback only)\n"
            "================================================================================\n"
            " directory   %s   (logs: */serve.log)\n"
            " hub         %s   metrics: %s/metrics\n"
            "             routing counts %s/v1/hub/counts   dashboard %s/dashboard/\n"
            "             network-level blocks %s/hub/blocks (kill -HUP the hub to reload)\n",
            d->dir, d->hub_url, d->hub_url, d->hub_url, d->hub_url, d->dir);
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        const char *st = dg__demo_states[i].st;
        fprintf(out, " %s node     https://%s   policy \"%s\" (%s/%s/%s.policy)\n", st,
                d->node[i].addr, d->policy_name[i], d->dir, st, st);
        if (d->dashboard[i])
            fprintf(out, "             dashboard      https://%s/dashboard/\n", d->node[i].addr);
        if (d->console[i])
            fprintf(out, "             review console https://%s/console/\n", d->node[i].addr);
    }
    bool any_console = false;
    for (int i = 0; i < DG__DEMO_NSTATES; i++)
        any_console |= d->console[i];
    fprintf(out,
            "\n"
            " Logins for the review console of every node: reviewer / %s,\n"
            "   supervisor / %s%s\n"
            " Browser: every page wants a client certificate. Import\n"
            "   %s/certs/browser.p12 (password %s) into the browser's certificates,\n"
            "   and trust %s/certs/ca.pem (or accept the warning once).\n"
            " Who is who: %s/agencies-with-certificates.txt (certs/ORI.pem, ORI.key)\n",
            d->reviewer_pw, d->supervisor_pw,
            any_console ? ""
                        : "\n   (this build has no review console yet: held requests wait in each\n"
                          "   node's store, table node_held)",
            d->dir, d->p12_pw, d->dir, d->dir);
    if (d->traffic) {
        fprintf(out,
                "\n Traffic: %.1f queries a second from %d agencies, mixed as the public figures\n"
                "   (local police most; HSI 0.21%%, ICE-ERO 0.1%%, unrecorded type 0.1%%; a few\n"
                "   photos and multi-state queries; docs/demo.md)\n",
                d->o.rate, d->npool);
    }

    fputs("\n Try (each line is ready to paste):\n\n", out);
    const struct dg_traffic_key *co = &d->keys[state_index("CO")].k[0];
    const struct dg_traffic_key *ca = &d->keys[state_index("CA")].k[1];
    const struct dg_traffic_key *az = &d->keys[state_index("AZ")].k[2];
    const struct dg_traffic_key *wi = &d->keys[state_index("WI")].k[3];
    char photos[PATH_MAX];
    snprintf(photos, sizeof(photos), "--photos %s", d->dir);
    {
        const char *f[][2] = {
            {"OLN", co->oln}, {"OLS", "CO"}, {"PUR", "C"}, {"ATN", "OFC K LEE"}, {NULL, NULL}};
        example(d, out, "an Arizona police officer asks Colorado for a driver: answered",
                find(d, DG_TK_MUNICIPAL, "AZ", NULL), DG_KEY_DQ, "CO", f, NULL);
    }
    {
        const char *f[][2] = {
            {"OLN", co->oln}, {"OLS", "CO"}, {"PUR", "C"}, {"ATN", "DO R SMITH"}, {NULL, NULL}};
        example(d, out,
                "ICE ERO asks Colorado: refused by Colorado's policy, with the rule (exit 1)",
                find(d, DG_TK_ICE_ERO, NULL, NULL), DG_KEY_DQ, "CO", f, NULL);
    }
    {
        const char *f[][2] = {{"OLN", ca->oln},      {"OLS", "CA"},         {"PUR", "C"},
                              {"ATN", "SA R JONES"}, {"CAS", "2026-00042"}, {NULL, NULL}};
        example(d, out,
                "the FBI asks California without a judge's warrant: held for a reviewer;\n"
                "  # --wait keeps asking until a reviewer decides",
                find(d, DG_TK_FEDERAL, NULL, "FBI"), DG_KEY_DQ, "CA", f, "--wait 600");
    }
    {
        const char *f[][2] = {{"OLN", ca->oln},      {"OLS", "CA"},
                              {"PUR", "C"},          {"ATN", "SA R JONES"},
                              {"CAS", "2026-00042"}, {"LEG", "JW 2026-CR-0412"},
                              {NULL, NULL}};
        example(d, out, "the same with a judicial warrant (LEG/JW ...): answered at once",
                find(d, DG_TK_FEDERAL, NULL, "FBI"), DG_KEY_DQ, "CA", f, NULL);
    }
    {
        const char *f[][2] = {
            {"OLN", wi->oln}, {"OLS", "WI"}, {"PUR", "C"}, {"ATN", "OFC J DOE"}, {NULL, NULL}};
        example(d, out, "an agency whose type was never recorded asks Wisconsin: held for review",
                find(d, DG_TK_UNSPECIFIED, NULL, NULL), DG_KEY_DQ, "WI", f, NULL);
    }
    {
        const char *f[][2] = {
            {"OLN", az->oln}, {"OLS", "AZ"}, {"PUR", "C"}, {"ATN", "DET M GARCIA"}, {NULL, NULL}};
        example(d, out, "a license photo from Arizona (IQ), saved in the demo's directory",
                find(d, DG_TK_MUNICIPAL, "AZ", NULL), DG_KEY_IQ, "AZ", f, photos);
    }
    {
        const char *f[][2] = {{"NAM", wi->nam},
                              {"DOB", wi->dob},
                              {"PUR", "C"},
                              {"ATN", "DEP A NGUYEN"},
                              {NULL, NULL}};
        example(d, out, "one question to all four states by name and date of birth",
                find(d, DG_TK_SHERIFF, "CO", NULL), DG_KEY_DQ, "AZ,CA,CO,WI", f, NULL);
    }
    {
        const char *f[][2] = {{"OLN", wi->oln},      {"OLS", "WI"},         {"PUR", "C"},
                              {"ATN", "SA T WHITE"}, {"CAS", "2026-00777"}, {NULL, NULL}};
        example(d, out, "HSI asks Wisconsin and California: each state answers on its own",
                find(d, DG_TK_HSI, NULL, NULL), DG_KEY_DQ, "WI,CA", f, NULL);
    }
    fprintf(
        out,
        "  # Colorado tells the hub to refuse ICE-ERO before it reaches Colorado's node\n"
        "  # (a network-level block, through the hub's admin API; /v1/blocks/remove undoes it)\n"
        "  curl --cert %s/certs/co-admin.pem --key %s/certs/co-admin.key --cacert %s/certs/ca.pem "
        "-H 'Content-Type: application/json' -d "
        "'{\"state\":\"CO\",\"kind\":\"component\",\"value\":\"ICE-ERO\",\"reason\":"
        "\"Colorado refuses ICE-ERO at the hub\"}' %s/v1/blocks\n\n",
        d->dir, d->dir, d->dir, d->hub_url);
    fputs(" Press Ctrl-C to stop everything.\n"
          "================================================================================\n\n",
          out);
    fflush(out);
}

void dg_demo_traffic_line(struct dg_demo *d, char *buf, size_t n)
{
    if (!d->traffic) {
        snprintf(buf, n, "traffic: off (--rate 0)");
        return;
    }
    struct dg_traffic_stats s;
    dg_traffic_stats(d->traffic, &s);
    double secs = (double)(dg_mono_ns() - d->traffic_start_ns) / 1e9;
    snprintf(buf, n,
             "traffic: %llu queries (%.1f/s): %llu found, %llu not found, %llu held, "
             "%llu denied, %llu invalid, %llu failed, %llu unanswered; "
             "from HSI %llu, ICE-ERO %llu, unrecorded %llu, other federal %llu; "
             "%llu photo, %llu multi-state",
             (unsigned long long)s.sent, secs > 0 ? (double)s.sent / secs : 0.0,
             (unsigned long long)s.by_status[DG_STS_FOUND],
             (unsigned long long)s.by_status[DG_STS_NOTFOUND],
             (unsigned long long)s.by_status[DG_STS_HELD],
             (unsigned long long)s.by_status[DG_STS_DENIED],
             (unsigned long long)s.by_status[DG_STS_INVALID],
             (unsigned long long)s.by_status[DG_STS_FAILED], (unsigned long long)s.transport_errors,
             (unsigned long long)s.by_kind[DG_TK_HSI], (unsigned long long)s.by_kind[DG_TK_ICE_ERO],
             (unsigned long long)s.by_kind[DG_TK_UNSPECIFIED],
             (unsigned long long)s.by_kind[DG_TK_FEDERAL], (unsigned long long)s.photos,
             (unsigned long long)s.multi_state);
}
