/*
 * fuzz_policy_tests.c - libFuzzer target for policy test files and request
 * files (lib/policy/testfile.c): `dmvgate policy test` and `policy explain`
 * read them from disk, so they get the same treatment as the policy text.
 *
 * The input is run as a test file against a fixed policy that uses every
 * kind of attribute, with lib/msg's parser for message cases and a
 * two-agency directory, and then read as a request file and explained.
 */
#include "fuzz.h"

#include <dmvgate/core.h>
#include <dmvgate/policy.h>

#include <stdlib.h>
#include <string.h>

static const char policy[] =
    "policy \"F\" state CO\n"
    "list l = [CO0010100, DCICE0100]\n"
    "ice: deny \"ice\" when requester.component == ICE-ERO or purpose == immigration\n"
    "review \"fed\" within 48h then escalate by two reviewers, notify subject\n"
    "    when requester.level == federal and legal_process != judicial_warrant\n"
    "review \"bulk\" when requester.queries_last_hour > 100 or requester.ori in l and "
    "time.hour < 6\n"
    "deny \"photo\" when query.fields has photo and requester.state != CO\n"
    "review \"flagged\" when record.lawful_presence_flag and requester.agreements has 287g\n"
    "redact [address] when requester.level == federal\n"
    "default allow\n";

static struct dg_agency who[2];

static const struct dg_agency *find(void *ctx, const char *ori)
{
    (void)ctx;
    for (int i = 0; i < 2; i++)
        if (strcmp(who[i].ori, ori) == 0)
            return &who[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct dg_policy *p;
    if (!p) {
        if (dg_policy_compile(policy, sizeof(policy) - 1, NULL, &p, NULL, NULL))
            abort();
        strcpy(who[0].ori, "CO0010100");
        strcpy(who[0].state, "CO");
        who[0].level = DG_LEVEL_LOCAL;
        who[0].category = DG_CAT_SHERIFF;
        who[0].agreements = DG_AGR_287G_JAIL;
        strcpy(who[1].ori, "DCICE0100");
        strcpy(who[1].state, "DC");
        who[1].level = DG_LEVEL_FEDERAL;
        strcpy(who[1].department, "DHS");
        strcpy(who[1].component, "ICE-ERO");
        who[1].category = DG_CAT_FEDERAL_LE;
    }
    struct dg_policy_test_env env = {find, NULL, dg_policy_msg_parser, NULL};
    struct dg_buf b;
    dg_buf_init(&b, 1 << 22);
    struct dg_policy_test_result res;
    struct dg_error e;
    int rc = dg_policy_test_run(p, (const char *)data, size, "f.tests", &env, &b, &res, &e);
    if (rc == 0 && (res.passed < 0 || res.failed < 0))
        abort();
    dg_buf_reset(&b);
    struct dg_agency a;
    struct dg_policy_request r;
    struct dg_policy_record rec;
    bool has_rec = false;
    if (dg_policy_request_read((const char *)data, size, "f.req", "CO", &env, &a, &r, &rec,
                               &has_rec, &e) == 0) {
        if (r.requester != &a)
            abort();
        if (dg_policy_explain(p, &r, has_rec ? &rec : NULL, &b) != 0)
            abort(); /* a request that was read is a valid request */
    }
    dg_buf_release(&b);
    return 0;
}
