/*
 * cond.c - conditions: the tests after "when" and the "and", "or", "not"
 * and parentheses that join them (the grammar's condition, conjunction,
 * negation and test; docs/policy.md).
 *
 * Each test is checked as it is read: the attribute must exist (with a "did
 * you mean" when it does not), the operator must fit its kind, and each value
 * must be one the attribute can take. It is then compiled on the spot into
 * one node of the form eval.c runs: enum values become a bit mask over the
 * attribute's values, counts an interval, names and ORIs packed keys, set
 * tests a bit mask. "and" and "or" chains become one n-ary node each, so only
 * parentheses and "not" add depth (at most DG_POLICY_MAX_DEPTH).
 */
#include "parse_int.h"

#include <stdio.h>
#include <string.h>

/* ---- nodes ------------------------------------------------------------------------- */

static int32_t new_node(struct parser *P, enum node_op op, int attr, const struct dg__tok *at)
{
    struct dg_policy *p = P->p;
    if (p->nnodes >= DG_POLICY_MAX_NODES) {
        dg__p_err_at(P, at, "the policy has more than %d tests and operators", DG_POLICY_MAX_NODES);
        return PERR;
    }
    if (dg__p_grow((void **)&p->nodes, &P->cap_nodes, p->nnodes + 1, sizeof(*p->nodes))) {
        P->nomem = DG_ENOMEM;
        return DG_ENOMEM;
    }
    struct dg__node *nd = &p->nodes[p->nnodes];
    memset(nd, 0, sizeof(*nd));
    nd->op = (uint8_t)op;
    nd->attr = (uint8_t)attr;
    nd->off = at->off;
    nd->line = at->line;
    nd->col = at->col;
    return p->nnodes++;
}

static void node_end(struct parser *P, int32_t n)
{
    P->p->nodes[n].len = P->last_end - P->p->nodes[n].off;
}

static int add_key(struct parser *P, const struct dg__key *k)
{
    struct dg_policy *p = P->p;
    if (dg__p_grow((void **)&p->keys, &P->cap_keys, p->nkeys + 1, sizeof(*p->keys)))
        return P->nomem = DG_ENOMEM;
    p->keys[p->nkeys++] = *k;
    return 0;
}

static uint64_t full_mask(int domain)
{
    return domain >= 64 ? ~0ull : (1ull << domain) - 1;
}

/* ---- tests ------------------------------------------------------------------------- */

/* Parse one value of attribute a (the current token) into *v. */
int dg__p_attr_value(struct parser *P, enum attr_id a, uint64_t *v)
{
    char buf[64], msg[256];
    size_t n;
    if (dg__p_value_text(P, buf, sizeof(buf), &n))
        return PERR;
    if (dg__attr_value(a, buf, n, v, msg, sizeof(msg)))
        return dg__p_err_at(P, &P->t, "%s", msg);
    dg__p_next(P);
    return 0;
}

/* A name value (department, component) or an ORI, packed; "none" is "". */
static int key_value(struct parser *P, enum attr_id a, struct dg__key *k)
{
    char buf[64], msg[160];
    size_t n;
    if (dg__p_value_text(P, buf, sizeof(buf), &n))
        return PERR;
    if (a == AT_REQ_ORI) {
        if (dg__ori_check(buf, n, msg, sizeof(msg)))
            return dg__p_err_at(P, &P->t, "%s", msg);
    } else {
        if (P->t.type != TK_STRING && n == 4 && memcmp(buf, "none", 4) == 0)
            n = 0;
        if (n > 15)
            return dg__p_err_at(P, &P->t, "'%s' is longer than %s can be (15 characters)", buf,
                                dg__attrs[a].name);
        for (size_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z') {
                dg__p_warn_at(
                    P, &P->t,
                    "'%s' has lower-case letters: the directory writes %ss in upper case, "
                    "so this never matches",
                    buf, dg__attrs[a].what + 2);
                break;
            }
    }
    dg__key_pack(k, buf, n);
    dg__p_next(P);
    return 0;
}

/* "[" VALUE { "," VALUE } "]" for a mask or set attribute: OR of the values. */
static int value_list(struct parser *P, enum attr_id a, uint64_t *m, bool all_single)
{
    if (P->t.type != TK_LBRACK)
        return dg__p_expected(P, "'[' and a list of values");
    dg__p_next(P);
    *m = 0;
    for (;;) {
        uint64_t v;
        const struct dg__tok vt = P->t;
        if (dg__p_attr_value(P, a, &v))
            return PERR;
        if (dg__attrs[a].kind == AK_SET) {
            if (all_single && (v & (v - 1)))
                return dg__p_err_at(P, &vt,
                                    "'287g' means any 287(g) model: with 'has all' name "
                                    "the models");
            *m |= v;
        } else {
            *m |= 1ull << v;
        }
        if (P->t.type == TK_COMMA) {
            dg__p_next(P);
            continue;
        }
        if (P->t.type == TK_RBRACK) {
            dg__p_next(P);
            return 0;
        }
        return dg__p_expected(P, "',' or ']'");
    }
}

/* "[" KEY { "," KEY } "]" for names and ORIs: keys appended to p->keys. */
static int key_list(struct parser *P, enum attr_id a, int32_t *first, int32_t *count)
{
    if (P->t.type != TK_LBRACK)
        return dg__p_expected(P, "'[' and a list of values");
    dg__p_next(P);
    *first = P->p->nkeys;
    *count = 0;
    for (;;) {
        struct dg__key k;
        if (key_value(P, a, &k) || add_key(P, &k))
            return PERR;
        ++*count;
        if (P->t.type == TK_COMMA) {
            dg__p_next(P);
            continue;
        }
        if (P->t.type == TK_RBRACK) {
            dg__p_next(P);
            return 0;
        }
        return dg__p_expected(P, "',' or ']'");
    }
}

static bool is_cmp(enum tok_type t)
{
    return t == TK_EQ || t == TK_NE || t == TK_LT || t == TK_LE || t == TK_GT || t == TK_GE;
}

/* The operators each kind takes, for messages. */
static const char *kind_ops(enum attr_kind k)
{
    switch (k) {
    case AK_ENUM: return "==, != or in";
    case AK_ORDERED: return "==, !=, <, <=, >, >= or in";
    case AK_BOOL: return "nothing: write it alone, or with 'not'";
    case AK_SET: return "has, has any, has all, == none or != none";
    case AK_STR: return "==, != or in";
    case AK_ORI: return "==, != or in (a list or a list's name)";
    case AK_INT: return "==, !=, <, <=, > or >=";
    }
    return "?";
}

static int32_t test_mask(struct parser *P, enum attr_id a, const struct dg__tok *at)
{
    const struct dg__attr *A = &dg__attrs[a];
    uint64_t full = full_mask(A->domain), m = 0;
    struct dg__tok op = P->t;
    bool neg = false;
    if (dg__p_is(P, "not") && dg__p_tok_is(P, dg__p_peek(P), "in")) {
        neg = true;
        dg__p_next(P);
    }
    if (dg__p_is(P, "in")) {
        dg__p_next(P);
        if (value_list(P, a, &m, false))
            return PERR;
        if (neg)
            m = full & ~m;
    } else if (is_cmp(op.type)) {
        if (A->kind != AK_ORDERED && op.type != TK_EQ && op.type != TK_NE)
            return dg__p_err_at(P, &op, "%s takes %s, not %.*s", A->name, kind_ops(A->kind),
                                (int)op.len, dg__p_text(P, &op));
        dg__p_next(P);
        uint64_t v;
        if (dg__p_attr_value(P, a, &v))
            return PERR;
        uint64_t bit = 1ull << v, below = bit - 1; /* values < v */
        switch (op.type) {
        case TK_EQ: m = bit; break;
        case TK_NE: m = full & ~bit; break;
        case TK_LT: m = below; break;
        case TK_LE: m = below | bit; break;
        case TK_GT: m = full & ~(below | bit); break;
        default: m = full & ~below; break;
        }
    } else {
        return dg__p_expected(P, "a comparison (==, != or in)");
    }
    int32_t n = new_node(P, PN_MASK, a, at);
    if (n >= 0)
        P->p->nodes[n].m = m;
    return n;
}

static int32_t test_set(struct parser *P, enum attr_id a, const struct dg__tok *at)
{
    const struct dg__attr *A = &dg__attrs[a];
    enum node_op op = PN_ANY;
    uint64_t m = 0;
    if (P->t.type == TK_EQ || P->t.type == TK_NE) {
        bool eq = P->t.type == TK_EQ;
        dg__p_next(P);
        if (!dg__p_is(P, "none"))
            return dg__p_expected(P, "'none' (to test for values, use 'has')");
        dg__p_next(P);
        op = eq ? PN_NONE : PN_ANY;
        m = eq ? 0 : ~0ull;
    } else if (dg__p_is(P, "has")) {
        dg__p_next(P);
        if (dg__p_is(P, "any") && dg__p_peek(P)->type == TK_LBRACK) {
            dg__p_next(P);
            if (value_list(P, a, &m, false))
                return PERR;
        } else if (dg__p_is(P, "all") && dg__p_peek(P)->type == TK_LBRACK) {
            dg__p_next(P);
            op = PN_ALL;
            if (value_list(P, a, &m, true))
                return PERR;
        } else if (dg__p_attr_value(P, a, &m)) {
            return PERR;
        }
    } else {
        char b[128];
        return dg__p_err_at(P, &P->t, "%s takes %s; found %s", A->name, kind_ops(A->kind),
                            dg__p_found(P, b, sizeof(b)));
    }
    int32_t n = new_node(P, op, a, at);
    if (n >= 0)
        P->p->nodes[n].m = m;
    return n;
}

static int32_t test_key(struct parser *P, enum attr_id a, const struct dg__tok *at)
{
    const struct dg__attr *A = &dg__attrs[a];
    bool neg = false;
    int32_t first = 0, count = 0;
    if (dg__p_is(P, "not") && dg__p_tok_is(P, dg__p_peek(P), "in")) {
        neg = true;
        dg__p_next(P);
    }
    if (dg__p_is(P, "in")) {
        dg__p_next(P);
        if (a == AT_REQ_ORI && P->t.type == TK_WORD) {
            /* A named list, resolved once every list is declared. */
            int32_t n = new_node(P, PN_LIST, a, at);
            if (n < 0)
                return n;
            P->p->nodes[n].neg = neg;
            if (dg__p_grow((void **)&P->refs, &P->cap_refs, P->nrefs + 1, sizeof(*P->refs)))
                return P->nomem = DG_ENOMEM;
            P->refs[P->nrefs++] = (struct listref){n, P->t};
            dg__p_next(P);
            return n;
        }
        if (key_list(P, a, &first, &count))
            return PERR;
    } else if (P->t.type == TK_EQ || P->t.type == TK_NE) {
        neg = P->t.type == TK_NE;
        dg__p_next(P);
        struct dg__key k;
        first = P->p->nkeys;
        count = 1;
        if (key_value(P, a, &k) || add_key(P, &k))
            return PERR;
    } else {
        char b[128];
        return dg__p_err_at(P, &P->t, "%s takes %s; found %s", A->name, kind_ops(A->kind),
                            dg__p_found(P, b, sizeof(b)));
    }
    int32_t n = new_node(P, PN_STR, a, at);
    if (n >= 0) {
        P->p->nodes[n].a = first;
        P->p->nodes[n].b = count;
        P->p->nodes[n].neg = neg;
    }
    return n;
}

static int32_t test_int(struct parser *P, enum attr_id a, const struct dg__tok *at)
{
    const struct dg__attr *A = &dg__attrs[a];
    struct dg__tok op = P->t;
    if (!is_cmp(op.type)) {
        char b[128];
        return dg__p_err_at(P, &P->t, "%s takes %s; found %s", A->name, kind_ops(A->kind),
                            dg__p_found(P, b, sizeof(b)));
    }
    dg__p_next(P);
    uint64_t v;
    if (dg__p_attr_value(P, a, &v))
        return PERR;
    uint64_t lo = 0, hi = UINT32_MAX;
    bool neg = false;
    switch (op.type) {
    case TK_EQ: lo = hi = v; break;
    case TK_NE: lo = hi = v, neg = true; break;
    case TK_LT:
        if (v == 0)
            lo = 1, hi = 0; /* empty: never true (the checker says so) */
        else
            hi = v - 1;
        break;
    case TK_LE: hi = v; break;
    case TK_GT:
        if (v == UINT32_MAX)
            lo = 1, hi = 0;
        else
            lo = v + 1;
        break;
    default: lo = v; break;
    }
    int32_t n = new_node(P, PN_RANGE, a, at);
    if (n >= 0) {
        P->p->nodes[n].m = lo | hi << 32;
        P->p->nodes[n].neg = neg;
    }
    return n;
}

static int32_t parse_test(struct parser *P)
{
    struct dg__tok at = P->t;
    if (at.type != TK_WORD || dg__p_starts_statement(P))
        return dg__p_expected(P, "a test such as 'requester.level == federal'");
    int a = dg__attr_find(dg__p_text(P, &at), at.len);
    if (a < 0) {
        const char *s = dg__attr_suggest(dg__p_text(P, &at), at.len);
        if (s)
            return dg__p_err_at(P, &at, "unknown attribute '%.*s' (did you mean '%s'?)",
                                (int)at.len, dg__p_text(P, &at), s);
        return dg__p_err_at(P, &at, "unknown attribute '%.*s'", (int)at.len, dg__p_text(P, &at));
    }
    dg__p_next(P);
    int32_t n;
    switch (dg__attrs[a].kind) {
    case AK_BOOL:
        if (is_cmp(P->t.type) || dg__p_is(P, "in") || dg__p_is(P, "has"))
            return dg__p_err_at(P, &P->t, "%s is true or false: write '%s' or 'not %s'",
                                dg__attrs[a].name, dg__attrs[a].name, dg__attrs[a].name);
        n = new_node(P, PN_MASK, a, &at);
        if (n >= 0)
            P->p->nodes[n].m = 2; /* value 1 (true) */
        break;
    case AK_ENUM:
    case AK_ORDERED: n = test_mask(P, (enum attr_id)a, &at); break;
    case AK_SET: n = test_set(P, (enum attr_id)a, &at); break;
    case AK_STR:
    case AK_ORI: n = test_key(P, (enum attr_id)a, &at); break;
    default: n = test_int(P, (enum attr_id)a, &at); break;
    }
    if (n >= 0)
        node_end(P, n);
    return n;
}

/* ---- conditions ----------------------------------------------------------------------- */

int32_t dg__p_condition(struct parser *P); /* recursion: conditions in parentheses */

static int32_t parse_not(struct parser *P)
{
    if (dg__p_is(P, "not") || P->t.type == TK_LPAREN) {
        struct dg__tok at = P->t;
        if (++P->depth > DG_POLICY_MAX_DEPTH) {
            P->depth--;
            return dg__p_err_at(P, &at, "condition nested deeper than %d levels",
                                DG_POLICY_MAX_DEPTH);
        }
        int32_t n;
        if (at.type == TK_LPAREN) {
            dg__p_next(P);
            n = dg__p_condition(P);
            if (n >= 0 && P->t.type != TK_RPAREN)
                n = dg__p_expected(P, "')'");
            if (n >= 0)
                dg__p_next(P);
        } else {
            dg__p_next(P);
            int32_t kid = parse_not(P);
            n = kid < 0 ? kid : new_node(P, PN_NOT, 0, &at);
            if (n >= 0) {
                P->p->nodes[n].a = P->p->nkids;
                P->p->nodes[n].b = 1;
                if (dg__p_grow((void **)&P->p->kids, &P->cap_kids, P->p->nkids + 1,
                               sizeof(int32_t)))
                    n = P->nomem = DG_ENOMEM;
                else
                    P->p->kids[P->p->nkids++] = kid;
            }
            if (n >= 0)
                node_end(P, n);
        }
        P->depth--;
        return n;
    }
    return parse_test(P);
}

/* One level of "and" or "or": operands collected first, then stored together
 * as the node's contiguous slice of kids (n-ary, so a long chain of "and"s is
 * one node, not a deep tree). */
static int32_t parse_chain(struct parser *P, const char *word, enum node_op op,
                           int32_t (*operand)(struct parser *))
{
    struct dg__tok at = P->t;
    int32_t first = operand(P);
    if (first < 0 || !dg__p_is(P, word))
        return first;
    int32_t small[16], *ops = small, nops = 0, cap = 16;
    ops[nops++] = first;
    int32_t rc = 0;
    while (dg__p_is(P, word)) {
        dg__p_next(P);
        int32_t k = operand(P);
        if (k < 0) {
            rc = k;
            break;
        }
        if (nops == cap) {
            int32_t *q = dg_malloc((size_t)cap * 2 * sizeof(*q));
            if (!q) {
                rc = P->nomem = DG_ENOMEM;
                break;
            }
            memcpy(q, ops, (size_t)nops * sizeof(*q));
            if (ops != small)
                dg_free(ops);
            ops = q;
            cap *= 2;
        }
        ops[nops++] = k;
    }
    if (rc == 0) {
        rc = new_node(P, op, 0, &at);
        if (rc >= 0 &&
            dg__p_grow((void **)&P->p->kids, &P->cap_kids, P->p->nkids + nops, sizeof(int32_t)))
            rc = P->nomem = DG_ENOMEM;
        if (rc >= 0) {
            struct dg__node *nd = &P->p->nodes[rc];
            nd->a = P->p->nkids;
            nd->b = nops;
            memcpy(P->p->kids + P->p->nkids, ops, (size_t)nops * sizeof(int32_t));
            P->p->nkids += nops;
            node_end(P, rc);
        }
    }
    if (ops != small)
        dg_free(ops);
    return rc;
}

static int32_t parse_and(struct parser *P)
{
    return parse_chain(P, "and", PN_AND, parse_not);
}

int32_t dg__p_condition(struct parser *P)
{
    return parse_chain(P, "or", PN_OR, parse_and);
}
