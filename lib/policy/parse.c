/*
 * parse.c - the policy language's recursive-descent parser.
 *
 * One function per rule of the grammar in docs/policy.md. The parser checks
 * meaning as it goes, because each test names its attribute before its value:
 * an unknown attribute, an operator that does not fit the attribute's kind, or
 * a value the attribute cannot take is reported at its own line:column. Values
 * are interned on the spot (enum values become bits of a mask, names become
 * packed 16-byte keys), so what comes out is already the compiled form that
 * eval.c runs.
 *
 * On an error the parser reports it and skips to the next token that starts a
 * statement at the beginning of a line, so one run reports every independent
 * mistake (up to DG_POLICY_MAX_DIAGS), as a compiler does.
 */
#include "policy_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PERR DG_EPOLICY /* a syntax or meaning error was reported: recover */

struct listref {
    int32_t node;
    struct dg__tok tok;
};

struct parser {
    struct dg__compile *c;
    struct dg_policy *p;
    struct dg__lexer lx;
    struct dg__tok t;  /* the current token */
    struct dg__tok la; /* the one after it, when have_la */
    bool have_la;
    uint32_t last_end;   /* end offset of the last token consumed */
    struct dg__tok prev; /* the last token consumed */
    int depth;
    int nomem; /* DG_ENOMEM once an allocation failed: stop */
    bool seen_default;
    bool stop; /* too many errors */
    int cap_rules, cap_nodes, cap_kids, cap_keys, cap_lists, cap_refs;
    struct listref *refs;
    int nrefs;
};

static int grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = dg_realloc(*arr, (size_t)n * elem);
    if (!q)
        return DG_ENOMEM;
    *arr = q;
    *cap = n;
    return 0;
}

/* ---- tokens ---------------------------------------------------------------------- */

static void next(struct parser *P)
{
    P->last_end = P->t.off + P->t.len;
    P->prev = P->t;
    if (P->have_la) {
        P->t = P->la;
        P->have_la = false;
    } else {
        dg__lex_next(&P->lx, &P->t);
    }
}

static const struct dg__tok *peek(struct parser *P)
{
    if (!P->have_la) {
        dg__lex_next(&P->lx, &P->la);
        P->have_la = true;
    }
    return &P->la;
}

static const char *text(const struct parser *P, const struct dg__tok *t)
{
    return P->p->text + t->off;
}

static bool tok_is(const struct parser *P, const struct dg__tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->type == TK_WORD && t->len == n && memcmp(text(P, t), w, n) == 0;
}

static bool is(const struct parser *P, const char *w)
{
    return tok_is(P, &P->t, w);
}

/* ---- errors ---------------------------------------------------------------------- */

static int verr(struct parser *P, enum dg_policy_severity sev, int line, int col, const char *fmt,
                va_list ap)
{
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (P->stop)
        return PERR;
    if (sev == DG_POLICY_ERROR && ++P->c->errors >= DG_POLICY_MAX_DIAGS) {
        P->stop = true;
        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " (too many errors, stopping)");
    }
    if (dg__diag_add(P->c->diags, sev, P->c->filename, P->p->text, P->p->len, line, col, "%s", msg))
        P->nomem = DG_ENOMEM;
    return PERR;
}

static int __attribute__((format(printf, 3, 4)))
err_at(struct parser *P, const struct dg__tok *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(P, DG_POLICY_ERROR, t->line, t->col, fmt, ap);
    va_end(ap);
    return PERR;
}

static int __attribute__((format(printf, 3, 4)))
warn_at(struct parser *P, const struct dg__tok *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(P, DG_POLICY_WARNING, t->line, t->col, fmt, ap);
    va_end(ap);
    return 0;
}

/* Describe the current token for "expected X, found Y". */
static const char *found(struct parser *P, char *buf, size_t n)
{
    const struct dg__tok *t = &P->t;
    if (t->type == TK_ERROR)
        snprintf(buf, n, "%s", t->err);
    else if (t->type == TK_WORD || t->type == TK_NUMBER || t->type == TK_STRING)
        snprintf(buf, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), text(P, t));
    else
        snprintf(buf, n, "%s", dg__tok_name(t->type));
    return buf;
}

static int expected(struct parser *P, const char *what)
{
    char b[128];
    if (P->t.type == TK_ERROR)
        return err_at(P, &P->t, "%s", P->t.err);
    return err_at(P, &P->t, "expected %s, found %s", what, found(P, b, sizeof(b)));
}

/* Words that begin a statement; never labels or list names. */
static const char *const starters[] = {"allow",  "deny",    "review", "redact",
                                       "notify", "default", "list",   "policy"};

static bool starts_statement(struct parser *P)
{
    if (P->t.type != TK_WORD)
        return false;
    for (size_t i = 0; i < DG_ARRAY_LEN(starters); i++)
        if (is(P, starters[i]))
            return true;
    return peek(P)->type == TK_COLON; /* a label */
}

/* After an error: skip to a statement that starts a line. */
static void recover(struct parser *P)
{
    while (P->t.type != TK_EOF && !(P->t.bol && starts_statement(P)))
        next(P);
}

/* ---- strings and values ------------------------------------------------------------ */

/* The content of a string token without quotes and escapes, in a new allocation. */
static char *string_value(struct parser *P, const struct dg__tok *t)
{
    const char *s = text(P, t) + 1;
    size_t n = t->len - 2;
    char *out = dg_malloc(n + 1);
    if (!out) {
        P->nomem = DG_ENOMEM;
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        out[k++] = s[i];
    }
    out[k] = '\0';
    return out;
}

/* Expect a string (a reason or a name) of at most DG_POLICY_MAX_STRING bytes. */
static int parse_string(struct parser *P, const char *what, char **out)
{
    if (P->t.type != TK_STRING)
        return expected(P, what);
    if (P->t.len - 2 > DG_POLICY_MAX_STRING)
        return err_at(P, &P->t, "%s is longer than %d bytes", what, DG_POLICY_MAX_STRING);
    if (P->t.len == 2)
        return err_at(P, &P->t, "%s is empty", what);
    *out = string_value(P, &P->t);
    if (!*out)
        return DG_ENOMEM;
    next(P);
    return 0;
}

/* A value token: a word, a number or a string (quotes removed into buf). */
static int value_text(struct parser *P, char *buf, size_t bufsz, size_t *n)
{
    const struct dg__tok *t = &P->t;
    if (t->type == TK_WORD || t->type == TK_NUMBER) {
        if (t->len >= bufsz)
            return err_at(P, t, "value is too long");
        memcpy(buf, text(P, t), t->len);
        *n = t->len;
    } else if (t->type == TK_STRING) {
        if (t->len - 2 >= bufsz)
            return err_at(P, t, "value is too long");
        size_t k = 0;
        const char *s = text(P, t) + 1;
        for (size_t i = 0; i < t->len - 2; i++) {
            if (s[i] == '\\')
                i++;
            buf[k++] = s[i];
        }
        *n = k;
    } else {
        return expected(P, "a value");
    }
    buf[*n] = '\0';
    return 0;
}

/* ---- nodes ------------------------------------------------------------------------- */

static int32_t new_node(struct parser *P, enum node_op op, int attr, const struct dg__tok *at)
{
    struct dg_policy *p = P->p;
    if (p->nnodes >= DG_POLICY_MAX_NODES) {
        err_at(P, at, "the policy has more than %d tests and operators", DG_POLICY_MAX_NODES);
        return PERR;
    }
    if (grow((void **)&p->nodes, &P->cap_nodes, p->nnodes + 1, sizeof(*p->nodes))) {
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
    if (grow((void **)&p->keys, &P->cap_keys, p->nkeys + 1, sizeof(*p->keys)))
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
static int attr_value(struct parser *P, enum attr_id a, uint64_t *v)
{
    char buf[64], msg[256];
    size_t n;
    if (value_text(P, buf, sizeof(buf), &n))
        return PERR;
    if (dg__attr_value(a, buf, n, v, msg, sizeof(msg)))
        return err_at(P, &P->t, "%s", msg);
    next(P);
    return 0;
}

/* A name value (department, component) or an ORI, packed; "none" is "". */
static int key_value(struct parser *P, enum attr_id a, struct dg__key *k)
{
    char buf[64], msg[160];
    size_t n;
    if (value_text(P, buf, sizeof(buf), &n))
        return PERR;
    if (a == AT_REQ_ORI) {
        if (dg__ori_check(buf, n, msg, sizeof(msg)))
            return err_at(P, &P->t, "%s", msg);
    } else {
        if (P->t.type != TK_STRING && n == 4 && memcmp(buf, "none", 4) == 0)
            n = 0;
        if (n > 15)
            return err_at(P, &P->t, "'%s' is longer than %s can be (15 characters)", buf,
                          dg__attrs[a].name);
        for (size_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z') {
                warn_at(P, &P->t,
                        "'%s' has lower-case letters: the directory writes %ss in upper case, "
                        "so this never matches",
                        buf, dg__attrs[a].what + 2);
                break;
            }
    }
    dg__key_pack(k, buf, n);
    next(P);
    return 0;
}

/* "[" VALUE { "," VALUE } "]" for a mask or set attribute: OR of the values. */
static int value_list(struct parser *P, enum attr_id a, uint64_t *m, bool all_single)
{
    if (P->t.type != TK_LBRACK)
        return expected(P, "'[' and a list of values");
    next(P);
    *m = 0;
    for (;;) {
        uint64_t v;
        const struct dg__tok vt = P->t;
        if (attr_value(P, a, &v))
            return PERR;
        if (dg__attrs[a].kind == AK_SET) {
            if (all_single && (v & (v - 1)))
                return err_at(P, &vt,
                              "'287g' means any 287(g) model: with 'has all' name "
                              "the models");
            *m |= v;
        } else {
            *m |= 1ull << v;
        }
        if (P->t.type == TK_COMMA) {
            next(P);
            continue;
        }
        if (P->t.type == TK_RBRACK) {
            next(P);
            return 0;
        }
        return expected(P, "',' or ']'");
    }
}

/* "[" KEY { "," KEY } "]" for names and ORIs: keys appended to p->keys. */
static int key_list(struct parser *P, enum attr_id a, int32_t *first, int32_t *count)
{
    if (P->t.type != TK_LBRACK)
        return expected(P, "'[' and a list of values");
    next(P);
    *first = P->p->nkeys;
    *count = 0;
    for (;;) {
        struct dg__key k;
        if (key_value(P, a, &k) || add_key(P, &k))
            return PERR;
        ++*count;
        if (P->t.type == TK_COMMA) {
            next(P);
            continue;
        }
        if (P->t.type == TK_RBRACK) {
            next(P);
            return 0;
        }
        return expected(P, "',' or ']'");
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
    if (is(P, "not") && tok_is(P, peek(P), "in")) {
        neg = true;
        next(P);
    }
    if (is(P, "in")) {
        next(P);
        if (value_list(P, a, &m, false))
            return PERR;
        if (neg)
            m = full & ~m;
    } else if (is_cmp(op.type)) {
        if (A->kind != AK_ORDERED && op.type != TK_EQ && op.type != TK_NE)
            return err_at(P, &op, "%s takes %s, not %.*s", A->name, kind_ops(A->kind), (int)op.len,
                          text(P, &op));
        next(P);
        uint64_t v;
        if (attr_value(P, a, &v))
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
        return expected(P, "a comparison (==, != or in)");
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
        next(P);
        if (!is(P, "none"))
            return expected(P, "'none' (to test for values, use 'has')");
        next(P);
        op = eq ? PN_NONE : PN_ANY;
        m = eq ? 0 : ~0ull;
    } else if (is(P, "has")) {
        next(P);
        if (is(P, "any") && peek(P)->type == TK_LBRACK) {
            next(P);
            if (value_list(P, a, &m, false))
                return PERR;
        } else if (is(P, "all") && peek(P)->type == TK_LBRACK) {
            next(P);
            op = PN_ALL;
            if (value_list(P, a, &m, true))
                return PERR;
        } else if (attr_value(P, a, &m)) {
            return PERR;
        }
    } else {
        char b[128];
        return err_at(P, &P->t, "%s takes %s; found %s", A->name, kind_ops(A->kind),
                      found(P, b, sizeof(b)));
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
    if (is(P, "not") && tok_is(P, peek(P), "in")) {
        neg = true;
        next(P);
    }
    if (is(P, "in")) {
        next(P);
        if (a == AT_REQ_ORI && P->t.type == TK_WORD) {
            /* A named list, resolved once every list is declared. */
            int32_t n = new_node(P, PN_LIST, a, at);
            if (n < 0)
                return n;
            P->p->nodes[n].neg = neg;
            if (grow((void **)&P->refs, &P->cap_refs, P->nrefs + 1, sizeof(*P->refs)))
                return P->nomem = DG_ENOMEM;
            P->refs[P->nrefs++] = (struct listref){n, P->t};
            next(P);
            return n;
        }
        if (key_list(P, a, &first, &count))
            return PERR;
    } else if (P->t.type == TK_EQ || P->t.type == TK_NE) {
        neg = P->t.type == TK_NE;
        next(P);
        struct dg__key k;
        first = P->p->nkeys;
        count = 1;
        if (key_value(P, a, &k) || add_key(P, &k))
            return PERR;
    } else {
        char b[128];
        return err_at(P, &P->t, "%s takes %s; found %s", A->name, kind_ops(A->kind),
                      found(P, b, sizeof(b)));
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
        return err_at(P, &P->t, "%s takes %s; found %s", A->name, kind_ops(A->kind),
                      found(P, b, sizeof(b)));
    }
    next(P);
    uint64_t v;
    if (attr_value(P, a, &v))
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
    if (at.type != TK_WORD || starts_statement(P))
        return expected(P, "a test such as 'requester.level == federal'");
    int a = dg__attr_find(text(P, &at), at.len);
    if (a < 0) {
        const char *s = dg__attr_suggest(text(P, &at), at.len);
        if (s)
            return err_at(P, &at, "unknown attribute '%.*s' (did you mean '%s'?)", (int)at.len,
                          text(P, &at), s);
        return err_at(P, &at, "unknown attribute '%.*s'", (int)at.len, text(P, &at));
    }
    next(P);
    int32_t n;
    switch (dg__attrs[a].kind) {
    case AK_BOOL:
        if (is_cmp(P->t.type) || is(P, "in") || is(P, "has"))
            return err_at(P, &P->t, "%s is true or false: write '%s' or 'not %s'",
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

static int32_t parse_or(struct parser *P);

static int32_t parse_not(struct parser *P)
{
    if (is(P, "not") || P->t.type == TK_LPAREN) {
        struct dg__tok at = P->t;
        if (++P->depth > DG_POLICY_MAX_DEPTH) {
            P->depth--;
            return err_at(P, &at, "condition nested deeper than %d levels", DG_POLICY_MAX_DEPTH);
        }
        int32_t n;
        if (at.type == TK_LPAREN) {
            next(P);
            n = parse_or(P);
            if (n >= 0 && P->t.type != TK_RPAREN)
                n = expected(P, "')'");
            if (n >= 0)
                next(P);
        } else {
            next(P);
            int32_t kid = parse_not(P);
            n = kid < 0 ? kid : new_node(P, PN_NOT, 0, &at);
            if (n >= 0) {
                P->p->nodes[n].a = P->p->nkids;
                P->p->nodes[n].b = 1;
                if (grow((void **)&P->p->kids, &P->cap_kids, P->p->nkids + 1, sizeof(int32_t)))
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
    if (first < 0 || !is(P, word))
        return first;
    int32_t small[16], *ops = small, nops = 0, cap = 16;
    ops[nops++] = first;
    int32_t rc = 0;
    while (is(P, word)) {
        next(P);
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
            grow((void **)&P->p->kids, &P->cap_kids, P->p->nkids + nops, sizeof(int32_t)))
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

static int32_t parse_or(struct parser *P)
{
    return parse_chain(P, "or", PN_OR, parse_and);
}

/* ---- rules ------------------------------------------------------------------------- */

/* FIELD | "[" FIELD { "," FIELD } "]" */
static int field_list(struct parser *P, uint32_t *mask)
{
    bool bracket = P->t.type == TK_LBRACK;
    if (bracket)
        next(P);
    for (;;) {
        uint64_t v;
        if (attr_value(P, AT_QUERY_FIELDS, &v))
            return PERR;
        *mask |= (uint32_t)v;
        if (!bracket)
            return 0;
        if (P->t.type == TK_COMMA) {
            next(P);
            continue;
        }
        if (P->t.type == TK_RBRACK) {
            next(P);
            return 0;
        }
        return expected(P, "',' or ']'");
    }
}

/* DURATION: "48h", "30m", "2d", or a number and "minutes", "hours", "days". */
static int duration(struct parser *P, uint32_t *secs)
{
    const struct dg__tok at = P->t;
    const char *s = text(P, &at);
    size_t n = at.len, i = 0;
    uint64_t v = 0;
    if (at.type != TK_WORD && at.type != TK_NUMBER)
        return expected(P, "a duration such as 48h, 30m or 2d");
    while (i < n && s[i] >= '0' && s[i] <= '9' && v < 1000000)
        v = v * 10 + (uint64_t)(s[i++] - '0');
    const char *unit = s + i;
    size_t un = n - i;
    if (i == 0 || i == n) {
        if (at.type != TK_NUMBER)
            return expected(P, "a duration such as 48h, 30m or 2d");
        next(P);
        if (P->t.type != TK_WORD)
            return expected(P, "a unit: minutes, hours or days");
        unit = text(P, &P->t);
        un = P->t.len;
    }
    static const struct {
        const char *name;
        uint32_t secs;
    } units[] = {{"m", 60},      {"min", 60},     {"minute", 60}, {"minutes", 60}, {"h", 3600},
                 {"hour", 3600}, {"hours", 3600}, {"d", 86400},   {"day", 86400},  {"days", 86400}};
    for (size_t k = 0; k < DG_ARRAY_LEN(units); k++)
        if (strlen(units[k].name) == un && memcmp(units[k].name, unit, un) == 0) {
            uint64_t t = v * units[k].secs;
            if (t == 0 || t > DG_POLICY_MAX_DEADLINE)
                return err_at(P, &at, "a review deadline is between 1 minute and 30 days");
            *secs = (uint32_t)t;
            next(P);
            return 0;
        }
    return err_at(P, &P->t, "'%.*s' is not a unit of time: m, h or d (minutes, hours, days)",
                  (int)(un > 20 ? 20 : un), unit);
}

/* The options of a review: within DURATION, then deny|escalate, by two reviewers. */
static int review_options(struct parser *P, struct dg__rule *r)
{
    bool within = false, then = false, by = false;
    for (;;) {
        if (is(P, "within") && !within) {
            within = true;
            next(P);
            if (duration(P, &r->deadline_s))
                return PERR;
        } else if (is(P, "then") && !then) {
            then = true;
            next(P);
            if (is(P, "deny"))
                r->expiry = DG_POLICY_EXPIRE_DENY;
            else if (is(P, "escalate"))
                r->expiry = DG_POLICY_EXPIRE_ESCALATE;
            else
                return expected(P, "'deny' or 'escalate' (what happens at the deadline)");
            next(P);
        } else if (is(P, "by") && !by) {
            by = true;
            next(P);
            if (!is(P, "two"))
                return expected(P, "'two reviewers'");
            next(P);
            if (!is(P, "reviewers"))
                return expected(P, "'reviewers'");
            next(P);
            r->two_person = true;
        } else {
            return 0;
        }
    }
}

/* { "," ( "redact" FIELDS | "notify" "subject" ) } after allow or review. */
static int modifiers(struct parser *P, struct dg__rule *r)
{
    while (P->t.type == TK_COMMA) {
        next(P);
        if (is(P, "redact")) {
            next(P);
            if (field_list(P, &r->redact))
                return PERR;
        } else if (is(P, "notify")) {
            next(P);
            if (!is(P, "subject"))
                return expected(P, "'subject'");
            next(P);
            r->notify = true;
        } else {
            return expected(P, "'redact' or 'notify' after ','");
        }
    }
    return 0;
}

static bool reserved(const struct parser *P, const struct dg__tok *t)
{
    static const char *const more[] = {"when", "and", "or", "not", "in", "has"};
    for (size_t i = 0; i < DG_ARRAY_LEN(starters); i++)
        if (tok_is(P, t, starters[i]))
            return true;
    for (size_t i = 0; i < DG_ARRAY_LEN(more); i++)
        if (tok_is(P, t, more[i]))
            return true;
    return false;
}

static int parse_rule(struct parser *P)
{
    struct dg_policy *p = P->p;
    if (p->nrules >= DG_POLICY_MAX_RULES)
        return err_at(P, &P->t, "more than %d rules", DG_POLICY_MAX_RULES);
    if (grow((void **)&p->rules, &P->cap_rules, p->nrules + 1, sizeof(*p->rules)))
        return P->nomem = DG_ENOMEM;
    struct dg__rule *r = &p->rules[p->nrules];
    memset(r, 0, sizeof(*r));
    r->cond = -1;
    r->deadline_s = DG_POLICY_DEFAULT_DEADLINE;
    r->line = P->t.line;
    r->col = P->t.col;
    r->off = P->t.off;
    p->nrules++; /* owned by the policy from here on, even if the rule is bad */

    if (P->t.type == TK_WORD && peek(P)->type == TK_COLON) {
        if (reserved(P, &P->t))
            return err_at(P, &P->t, "'%.*s' is a keyword and cannot name a rule", (int)P->t.len,
                          text(P, &P->t));
        if (P->t.len > 64)
            return err_at(P, &P->t, "a rule's label is at most 64 characters");
        r->label = dg_strndup(text(P, &P->t), P->t.len);
        if (!r->label)
            return P->nomem = DG_ENOMEM;
        next(P);
        next(P);
    }
    struct dg__tok start = P->t;
    if (P->seen_default)
        err_at(P, &start, "rule after the default: the default must be the last rule");
    if (is(P, "default")) {
        r->is_default = true;
        P->seen_default = true;
        next(P);
        if (!is(P, "allow") && !is(P, "deny") && !is(P, "review"))
            return expected(P, "'allow', 'deny' or 'review' after 'default'");
    }
    if (is(P, "allow")) {
        r->action = DG_POLICY_ACT_ALLOW;
        next(P);
        if (P->t.type == TK_STRING && parse_string(P, "the reason", &r->reason))
            return PERR;
        if (modifiers(P, r))
            return PERR;
    } else if (is(P, "deny")) {
        r->action = DG_POLICY_ACT_DENY;
        next(P);
        if (parse_string(P, "the reason for the denial (a string)", &r->reason))
            return PERR;
        if (P->t.type == TK_COMMA)
            return err_at(P, &P->t, "a deny releases nothing: it cannot redact or notify");
    } else if (is(P, "review")) {
        r->action = DG_POLICY_ACT_REVIEW;
        next(P);
        if (parse_string(P, "the reason for the review (a string)", &r->reason) ||
            review_options(P, r) || modifiers(P, r))
            return PERR;
    } else if (is(P, "redact")) {
        r->action = DG_POLICY_ACT_REDACT;
        next(P);
        if (field_list(P, &r->redact))
            return PERR;
    } else if (is(P, "notify")) {
        r->action = DG_POLICY_ACT_NOTIFY;
        r->notify = true;
        next(P);
        if (!is(P, "subject"))
            return expected(P, "'subject'");
        next(P);
    } else {
        return expected(P, "a rule (allow, deny, review, redact, notify or default)");
    }
    if (is(P, "when")) {
        if (r->is_default)
            return err_at(P, &P->t, "the default has no condition: it decides whatever is left");
        next(P);
        r->cond_off = P->t.off;
        int32_t c = parse_or(P);
        if (c < 0)
            return c;
        r->cond = c;
        r->cond_len = P->last_end - r->cond_off;
    }
    r->end = P->last_end;
    if (P->t.type != TK_EOF && !starts_statement(P)) {
        if (is(P, "and") || is(P, "or"))
            return expected(P, "a new rule ('and' and 'or' join tests after 'when')");
        return expected(P, r->cond < 0 && !r->is_default ? "'when' or a new rule" : "a new rule");
    }
    return 0;
}

/* list NAME = file "PATH" | list NAME = [ ORI, ... ] */
static int parse_list(struct parser *P)
{
    struct dg_policy *p = P->p;
    next(P);
    struct dg__tok nt = P->t;
    if (nt.type != TK_WORD)
        return expected(P, "the list's name");
    if (reserved(P, &nt) || dg__attr_find(text(P, &nt), nt.len) >= 0)
        return err_at(P, &nt, "'%.*s' is a keyword or an attribute and cannot name a list",
                      (int)nt.len, text(P, &nt));
    for (int i = 0; i < p->nlists; i++)
        if (strlen(p->lists[i].name) == nt.len && !memcmp(p->lists[i].name, text(P, &nt), nt.len))
            return err_at(P, &nt, "list '%s' is already declared on line %d", p->lists[i].name,
                          p->lists[i].line);
    if (p->nlists >= DG_POLICY_MAX_LISTS)
        return err_at(P, &nt, "more than %d lists", DG_POLICY_MAX_LISTS);
    if (grow((void **)&p->lists, &P->cap_lists, p->nlists + 1, sizeof(*p->lists)))
        return P->nomem = DG_ENOMEM;
    struct dg__orilist *l = &p->lists[p->nlists];
    memset(l, 0, sizeof(*l));
    l->line = nt.line;
    l->col = nt.col;
    l->name = dg_strndup(text(P, &nt), nt.len);
    if (!l->name)
        return P->nomem = DG_ENOMEM;
    p->nlists++;
    next(P);
    if (P->t.type != TK_ASSIGN)
        return expected(P, "'='");
    next(P);
    if (is(P, "file")) {
        next(P);
        struct dg__tok ft = P->t;
        if (parse_string(P, "the list file's name (a string)", &l->file))
            return PERR;
        int rc = dg__load_list_file(P->c, l, ft.line, ft.col);
        if (rc == DG_ENOMEM)
            P->nomem = rc;
        return rc;
    }
    if (P->t.type != TK_LBRACK)
        return expected(P, "'file \"NAME\"' or '[' and ORIs");
    if (dg__orilist_init(l, 16))
        return P->nomem = DG_ENOMEM;
    next(P);
    for (;;) {
        char buf[64], msg[160];
        size_t n;
        if (value_text(P, buf, sizeof(buf), &n))
            return PERR;
        if (dg__ori_check(buf, n, msg, sizeof(msg)))
            return err_at(P, &P->t, "%s", msg);
        if (P->c->total_oris >= DG_POLICY_MAX_LIST_ORIS)
            return err_at(P, &P->t, "more than %d ORIs in the policy's lists",
                          DG_POLICY_MAX_LIST_ORIS);
        int added = dg__orilist_add(l, buf);
        if (added < 0)
            return P->nomem = added;
        P->c->total_oris += (size_t)added;
        next(P);
        if (P->t.type == TK_COMMA) {
            next(P);
            continue;
        }
        if (P->t.type == TK_RBRACK) {
            next(P);
            return 0;
        }
        return expected(P, "',' or ']'");
    }
}

/* policy "NAME" state XX */
static int parse_header(struct parser *P)
{
    if (!is(P, "policy"))
        return expected(P, "the header 'policy \"NAME\" state XX' as the first line");
    next(P);
    if (parse_string(P, "the policy's name (a string)", &P->p->name))
        return PERR;
    if (!is(P, "state"))
        return expected(P, "'state' and the state's code");
    next(P);
    if (P->t.type != TK_WORD || P->t.len != 2 || dg_state_index(text(P, &P->t), 2) < 0)
        return expected(P, "a state code such as CO");
    memcpy(P->p->state, text(P, &P->t), 2);
    P->p->state[2] = '\0';
    next(P);
    return 0;
}

static int resolve_lists(struct parser *P)
{
    struct dg_policy *p = P->p;
    for (int i = 0; i < P->nrefs; i++) {
        const struct dg__tok *t = &P->refs[i].tok;
        int found_ix = -1;
        for (int k = 0; k < p->nlists; k++)
            if (strlen(p->lists[k].name) == t->len &&
                memcmp(p->lists[k].name, text(P, t), t->len) == 0)
                found_ix = k;
        if (found_ix < 0) {
            err_at(P, t, "unknown list '%.*s' (declare it with: list %.*s = file \"FILE\")",
                   (int)t->len, text(P, t), (int)t->len, text(P, t));
            continue;
        }
        p->lists[found_ix].used = true;
        p->nodes[P->refs[i].node].a = found_ix;
    }
    for (int k = 0; k < p->nlists; k++)
        if (!p->lists[k].used) {
            struct dg__tok t = {.line = p->lists[k].line, .col = p->lists[k].col};
            warn_at(P, &t, "list '%s' is never used", p->lists[k].name);
        }
    return 0;
}

/* Give every rule its stable name (policy.h, dg_policy_rule_info) and check
 * that no two rules share one. */
static void name_rules(struct parser *P)
{
    struct dg_policy *p = P->p;
    for (int i = 0; i < p->nrules; i++) {
        struct dg__rule *r = &p->rules[i];
        snprintf(r->line_name, sizeof(r->line_name), "line %d", r->line);
        if (r->label && *r->label)
            r->name = r->label;
        else if (r->is_default)
            r->name = "default";
        else if (r->reason && *r->reason)
            r->name = r->reason;
        else
            r->name = r->line_name;
        for (int k = 0; k < i; k++)
            if (strcmp(p->rules[k].name, r->name) == 0) {
                struct dg__tok t = {.line = r->line, .col = r->col};
                err_at(P, &t,
                       "two rules are called '%s' (lines %d and %d): decisions name the rule "
                       "that made them, so give one a label ('NAME: %s ...')",
                       r->name, p->rules[k].line, r->line,
                       r->action == DG_POLICY_ACT_DENY     ? "deny"
                       : r->action == DG_POLICY_ACT_REVIEW ? "review"
                                                           : "allow");
                break;
            }
    }
}

int dg__parse(struct dg__compile *c)
{
    struct parser P;
    memset(&P, 0, sizeof(P));
    P.c = c;
    P.p = c->pol;
    dg__lex_init(&P.lx, P.p->text, P.p->len);
    next(&P);
    if (parse_header(&P))
        recover(&P);
    while (P.t.type != TK_EOF && !P.stop && !P.nomem) {
        int rc;
        uint32_t start = P.t.off;
        if (is(&P, "list"))
            rc = parse_list(&P);
        else if (is(&P, "policy"))
            rc = err_at(&P, &P.t, "a policy has one header, on its first line");
        else
            rc = parse_rule(&P);
        if (rc && !P.nomem) {
            if (P.t.off == start)
                next(&P); /* make progress when the error is at the statement's first token */
            recover(&P);
        }
    }
    if (!P.nomem && !P.stop) {
        resolve_lists(&P);
        name_rules(&P);
        if (!P.seen_default) {
            struct dg__tok t = P.prev.line > 0 ? P.prev : P.t;
            err_at(&P, &t,
                   "the policy has no default: end it with 'default allow', 'default deny "
                   "\"REASON\"' or 'default review \"REASON\"'");
        }
    }
    dg_free(P.refs);
    return P.nomem ? P.nomem : 0;
}
