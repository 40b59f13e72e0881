/*
 * fuzz_policy.c - libFuzzer target for the policy compiler (lexer, parser,
 * list files, checker) and, for every policy that compiles, the evaluator and
 * explain.
 *
 * Input: policy text, optionally followed by a line "--- list" and the
 * content that every list file the policy names will read as. A policy that
 * compiles is run on a fixed set of requests in both phases; the checks
 * below are the engine's promises (a decision always names a rule; phase 2
 * never changes a decision phase 1 made; explain agrees with decide).
 */
#include "fuzz.h"

#include <dmvgate/core.h>
#include <dmvgate/policy.h>

#include <stdlib.h>
#include <string.h>

struct listdata {
    const char *p;
    size_t n;
};

static int reader(void *ctx, const char *name, struct dg_buf *out, struct dg_error *err)
{
    const struct listdata *l = ctx;
    if (strcmp(name, "missing") == 0)
        return dg_error_set(err, DG_ENOENT, NULL, -1, "no list file 'missing'");
    return dg_buf_add(out, l->p, l->n);
}

static struct dg_agency mk(const char *ori, enum dg_level lv, const char *dept, const char *comp,
                           enum dg_category cat, uint32_t agr)
{
    struct dg_agency a;
    memset(&a, 0, sizeof(a));
    memcpy(a.ori, ori, 9);
    memcpy(a.state, ori, 2);
    a.level = lv;
    strcpy(a.department, dept);
    strcpy(a.component, comp);
    a.category = cat;
    a.agreements = agr;
    return a;
}

static void exercise(const struct dg_policy *p)
{
    struct dg_agency who[] = {
        mk("CO0010100", DG_LEVEL_LOCAL, "", "", DG_CAT_MUNICIPAL_POLICE, 0),
        mk("DCICE0100", DG_LEVEL_FEDERAL, "DHS", "ICE-ERO", DG_CAT_FEDERAL_LE, 0),
        mk("AZ0070000", DG_LEVEL_UNSPECIFIED, "", "", DG_CAT_UNSPECIFIED, DG_AGR_287G_JAIL),
    };
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    for (unsigned i = 0; i < 12; i++) {
        struct dg_policy_request r;
        dg_policy_request_init(&r, &who[i % 3]);
        r.key = (enum dg_key[]){DG_KEY_DQ, DG_KEY_RQ, DG_KEY_IQ}[i % 3];
        r.purpose = (enum dg_purpose)(i % DG_PUR__COUNT);
        r.legal_process = (enum dg_leg)(i % DG_LEG__COUNT);
        r.has_case_number = i & 1;
        memcpy(r.destination, i & 2 ? "CO" : "WI", 3);
        r.hour = (uint8_t)(i * 5 % 24);
        r.weekday = (uint8_t)(i % 7);
        r.queries_last_hour = i * 97;
        r.identified_by = 1u << (i % 6);
        struct dg_policy_decision d1, d2;
        struct dg_policy_record rec = {.lawful_presence_flag = i & 4};
        if (dg_policy_decide(p, &r, NULL, &d1) != 0 || dg_policy_decide(p, &r, &rec, &d2) != 0)
            abort();
        if (d2.outcome == DG_POLICY_UNDECIDED || d2.rule < 0 || d2.needs_record)
            abort(); /* with the record, every request is decided */
        if (d1.outcome != DG_POLICY_UNDECIDED && (d1.rule != d2.rule || d1.outcome != d2.outcome))
            abort(); /* phase 2 refines, never changes */
        dg_buf_reset(&b);
        if (dg_policy_explain(p, &r, &rec, &b) == 0) {
            dg_buf_reset(&b);
            dg_policy_decision_format(&d2, &b);
        }
    }
    for (int i = 0; i < dg_policy_rule_count(p); i++) {
        struct dg_policy_rule_info ri;
        if (dg_policy_rule_info(p, i, &ri) != 0 || dg_policy_rule_find(p, ri.name) != i)
            abort(); /* names are unique */
    }
    dg_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t n = size;
    struct listdata l = {"", 0};
    static const char mark[] = "\n--- list\n";
    for (size_t i = 0; i + sizeof(mark) - 1 <= size; i++)
        if (memcmp(data + i, mark, sizeof(mark) - 1) == 0) {
            n = i + 1;
            l.p = text + i + sizeof(mark) - 1;
            l.n = size - i - (sizeof(mark) - 1);
            break;
        }
    struct dg_policy_options opt = {"fuzz.policy", NULL, reader, &l};
    struct dg_policy_diags d;
    dg_policy_diags_init(&d);
    struct dg_policy *p = NULL;
    struct dg_error e;
    int rc = dg_policy_compile(text, n, &opt, &p, &d, &e);
    struct dg_buf b;
    dg_buf_init(&b, 1 << 22);
    dg_policy_diags_format(&d, &b);
    dg_buf_release(&b);
    if (rc == 0) {
        if (d.errors)
            abort(); /* compiled despite an error */
        exercise(p);
        dg_policy_free(p);
    } else if (rc == DG_EPOLICY && d.errors == 0) {
        abort(); /* refused without saying why */
    }
    dg_policy_diags_release(&d);
    return 0;
}
