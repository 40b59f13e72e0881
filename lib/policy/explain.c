/*
 * explain.c - a decision told for a person: `dmvgate policy explain`.
 *
 * It evaluates every rule (not only up to the one that decides) and every
 * test in each condition (no short cut), and prints each test with the
 * request's value of its attribute, so that a reader can see why a rule did or
 * did not match. The final decision is dg_policy_decide()'s own, so the
 * explanation cannot drift from what the node does.
 */
#include "policy_int.h"

#include <string.h>

static const char *tv(int k)
{
    return k == DG__T ? "true" : k == DG__F ? "false" : "unknown";
}

static int key_str(const struct dg__key *k, struct dg_buf *out)
{
    char s[17];
    memcpy(s, k->w, 16);
    s[16] = '\0';
    return dg_buf_addstr(out, *s ? s : "none");
}

static int set_str(enum attr_id a, uint32_t bits, struct dg_buf *out)
{
    if (!bits)
        return dg_buf_addstr(out, "none");
    int rc = 0;
    bool first = true;
    for (int b = 0; b < 32 && rc == 0; b++)
        if (bits & (1u << b)) {
            if (!first)
                rc = dg_buf_addc(out, ',');
            if (rc == 0)
                rc = dg__attr_value_name(a, 1u << b, out);
            first = false;
        }
    return rc;
}

/* The request's value of attribute a, as the policy would write it. */
static int value_str(const struct dg__facts *f, enum attr_id a, struct dg_buf *out)
{
    if (dg__attrs[a].record && !f->rec_known)
        return dg_buf_addstr(out, "not known before the lookup");
    switch (dg__attrs[a].kind) {
    case AK_ORI: return key_str(&f->ori, out);
    case AK_STR: return key_str(a == AT_REQ_DEPARTMENT ? &f->dept : &f->comp, out);
    case AK_SET: return set_str(a, f->v[a], out);
    case AK_INT: return dg_buf_printf(out, "%u", f->v[a]);
    default: return dg__attr_value_name(a, f->v[a], out);
    }
}

static int explain_leaves(const struct dg_policy *p, const struct dg__facts *f, int32_t n,
                          struct dg_buf *out)
{
    const struct dg__node *nd = &p->nodes[n];
    int rc = 0;
    if (nd->op == PN_AND || nd->op == PN_OR || nd->op == PN_NOT) {
        for (int32_t i = 0; i < nd->b && rc == 0; i++)
            rc = explain_leaves(p, f, p->kids[nd->a + i], out);
        return rc;
    }
    int k = dg__eval_leaf(p, f, nd);
    rc = dg_buf_printf(out, "      %.*s: %s (%s is ", (int)nd->len, p->text + nd->off, tv(k),
                       dg__attrs[nd->attr].name);
    if (rc == 0)
        rc = value_str(f, (enum attr_id)nd->attr, out);
    if (rc == 0 && nd->op == PN_LIST)
        rc = dg_buf_printf(out, ", %sin list %s",
                           dg__orilist_has(&p->lists[nd->a], &f->ori) ? "" : "not ",
                           p->lists[nd->a].name);
    return rc ? rc : dg_buf_addstr(out, ")\n");
}

/* The rule's own text, each line indented. */
static int rule_text(const struct dg_policy *p, const struct dg__rule *r, struct dg_buf *out)
{
    int rc = dg_buf_addstr(out, "    ");
    for (uint32_t i = r->off; i < r->end && rc == 0; i++) {
        char c = p->text[i];
        if (c == '\n') {
            rc = dg_buf_addstr(out, "\n    ");
            /* Skip the next line's indentation; ours replaces it. */
            while (i + 1 < r->end && (p->text[i + 1] == ' ' || p->text[i + 1] == '\t'))
                i++;
            if (rc == 0)
                rc = dg_buf_addstr(out, "  ");
        } else if (c != '\r') {
            rc = dg_buf_addc(out, c);
        }
    }
    return rc ? rc : dg_buf_addc(out, '\n');
}

static int request_str(const struct dg__facts *f, const struct dg_policy_request *req,
                       const struct dg_policy_record *rec, struct dg_buf *out)
{
    static const enum attr_id order[] = {
        AT_REQ_ORI,        AT_REQ_STATE,     AT_REQ_LEVEL,
        AT_REQ_DEPARTMENT, AT_REQ_COMPONENT, AT_REQ_CATEGORY,
        AT_REQ_AGREEMENTS, AT_REQ_VOLUME,    AT_QUERY_KEY,
        AT_QUERY_IDBY,     AT_QUERY_FIELDS,  AT_PURPOSE,
        AT_LEGAL_PROCESS,  AT_HAS_CASE,      AT_DESTINATION,
        AT_TIME_HOUR,      AT_TIME_WEEKDAY,  AT_REC_LAWFUL_PRESENCE,
    };
    (void)req;
    (void)rec;
    int rc = dg_buf_addstr(out, "request:\n");
    for (size_t i = 0; i < DG_ARRAY_LEN(order) && rc == 0; i++) {
        rc = dg_buf_printf(out, "    %-28s ", dg__attrs[order[i]].name);
        if (rc == 0)
            rc = value_str(f, order[i], out);
        if (rc == 0)
            rc = dg_buf_addc(out, '\n');
    }
    return rc;
}

int dg_policy_explain(const struct dg_policy *p, const struct dg_policy_request *req,
                      const struct dg_policy_record *rec, struct dg_buf *out)
{
    struct dg_policy_decision d;
    int rc = dg_policy_decide(p, req, rec, &d);
    if (rc)
        return rc;
    struct dg__facts f;
    dg__facts_fill_all(p, req, rec, &f);
    rc = dg_buf_printf(out, "policy \"%s\" (state %s, %s): %d rules\n", dg_policy_name(p), p->state,
                       p->filename, p->nrules);
    if (rc == 0)
        rc = request_str(&f, req, rec, out);
    if (rc == 0)
        rc = dg_buf_addc(out, '\n');
    /* Whether a deciding rule above matched (1) or waits for the record (2). */
    int above = 0;
    for (int i = 0; i < p->nrules && rc == 0; i++) {
        const struct dg__rule *r = &p->rules[i];
        bool deciding = r->action != DG_POLICY_ACT_REDACT && r->action != DG_POLICY_ACT_NOTIFY;
        int k = r->cond < 0 ? DG__T : dg__eval_node(p, &f, r->cond);
        rc = dg_buf_printf(out, "rule %d, line %d, '%s':\n", i + 1, r->line, r->name);
        if (rc == 0)
            rc = rule_text(p, r, out);
        const char *verdict;
        if (deciding && above) {
            static const char *const later[2][3] = {
                {"does not match (an earlier rule already decided)",
                 "matches, but an earlier rule already decided",
                 "unknown until the lookup (an earlier rule already decided)"},
                {"does not match (an earlier rule waits for the record)",
                 "matches, but an earlier rule waits for the record",
                 "unknown until the lookup (an earlier rule waits for the record)"},
            };
            verdict = later[above - 1][k];
        } else if (deciding) {
            verdict = k == DG__T   ? "MATCHES: this rule decides"
                      : k == DG__F ? "does not match"
                                   : "unknown until the lookup: the decision waits for the record";
            above = k == DG__T ? 1 : k == DG__U ? 2 : 0;
        } else if (k == DG__T) {
            verdict = d.outcome == DG_POLICY_DENY ? "matches, but a deny releases nothing"
                      : d.outcome == DG_POLICY_UNDECIDED
                          ? "matches: applies if the data is released"
                          : "MATCHES: applies";
        } else {
            verdict = k == DG__F ? "does not match"
                                 : "unknown until the lookup: applied in phase 2 if it matches";
        }
        if (rc == 0)
            rc = dg_buf_printf(out, "  -> %s\n", verdict);
        if (rc == 0 && r->cond >= 0)
            rc = explain_leaves(p, &f, r->cond, out);
        if (rc == 0 && r->cond < 0 && !r->is_default)
            rc = dg_buf_addstr(out, "      (no condition: always matches)\n");
    }
    if (rc == 0)
        rc = dg_buf_addstr(out, "\ndecision: ");
    if (rc == 0)
        rc = dg_policy_decision_format(&d, out);
    if (rc == 0)
        rc = dg_buf_addc(out, '\n');
    return rc;
}
