/*
 * check.c - what a policy means as a whole: conditions that can never be true,
 * rules that can never fire, and outcomes that would leak a record attribute.
 *
 * Reachability. Every test constrains one "variable": an attribute whose
 * values are few (a level, a state, a bit of a set, membership of one list)
 * is a bit mask over its values, a count is an interval, a name or an ORI is
 * a set (or the complement of a set) of the names the policy mentions. A
 * condition is rewritten in disjunctive normal form: a list of cubes, each a
 * conjunction of one constraint per variable. A rule can never fire when the
 * cubes of its condition, minus the cubes of every deciding rule above it, are
 * empty; cube subtraction splits a cube variable by variable, the classic
 * algorithm for sums of products. The analysis is sound: it reports a rule
 * only when no request can reach it. It treats different attributes as
 * independent (an ORI's first two letters and requester.state, a list and
 * an ORI named in the policy), so it may miss an unreachable rule that only
 * such a link makes unreachable; and it gives up, silently, on conditions
 * whose normal form would exceed a few hundred cubes.
 *
 * Leaks. A rule that looks at the record found (record.*) and whose outcome
 * the requester can see (a decision, a redaction) tells the requester the
 * record's attribute: if "deny when record.lawful_presence_flag" exists, a
 * denial means the license was issued without proof of lawful presence. The
 * checker warns at each such rule; docs/policy.md explains the safe forms.
 */
#include "policy_int.h"

#include <stdio.h>
#include <string.h>

#define MAX_DNF      256  /* cubes in one condition's normal form */
#define MAX_RESIDUAL 1024 /* cubes while subtracting earlier rules */
#define MAX_STRS     256  /* distinct names of one attribute the analysis tracks */
/* Constraint operations the whole analysis may spend. A policy written by a
 * person needs a few thousand; an adversarial one (thousands of rules of
 * wide "or"s) could need billions. Past the budget the analysis stops and
 * reports nothing more, which is sound: it only ever reports what it proved. */
#define BUDGET 20000000L

enum var_kind { V_MASK, V_STR, V_INT };

struct var {
    enum var_kind kind;
    int attr;
    int sub; /* the bit of a set attribute, or the list index of a list; -1 */
    uint64_t full;
};

/* A constraint on one variable: the values it may take. */
struct cons {
    uint64_t m;      /* V_MASK */
    uint64_t s[4];   /* V_STR: ids of names */
    bool neg;        /* V_STR: the complement of s */
    uint32_t lo, hi; /* V_INT */
};

struct cubes {
    struct cons *c; /* n cubes of nv constraints each */
    int n, cap, nv;
    bool overflow;
};

struct an {
    struct dg__compile *c;
    struct dg_policy *p;
    struct var *vars;
    int nv, capv;
    int set_var[AT__COUNT][32]; /* var of each bit of a set attribute, -1 */
    int attr_var[AT__COUNT];    /* var of a mask / str / int attribute, -1 */
    int *list_var;              /* var of each list */
    bool str_overflow[AT__COUNT];
    int *key_id; /* id of each p->keys entry within its attribute, -1 if untracked */
    long budget; /* constraint operations left */
    int nomem;
};

/* ---- constraints ---------------------------------------------------------------- */

static void cons_full(const struct var *v, struct cons *c)
{
    memset(c, 0, sizeof(*c));
    c->m = v->full;
    c->neg = true;
    c->lo = 0;
    c->hi = UINT32_MAX;
}

static bool cons_empty(const struct var *v, const struct cons *c)
{
    switch (v->kind) {
    case V_MASK: return c->m == 0;
    case V_STR: return !c->neg && !(c->s[0] | c->s[1] | c->s[2] | c->s[3]);
    default: return c->lo > c->hi;
    }
}

static bool cons_is_full(const struct var *v, const struct cons *c)
{
    switch (v->kind) {
    case V_MASK: return c->m == v->full;
    case V_STR: return c->neg && !(c->s[0] | c->s[1] | c->s[2] | c->s[3]);
    default: return c->lo == 0 && c->hi == UINT32_MAX;
    }
}

static void cons_and(const struct var *v, struct cons *a, const struct cons *b)
{
    switch (v->kind) {
    case V_MASK: a->m &= b->m; break;
    case V_STR:
        for (int i = 0; i < 4; i++) {
            if (!a->neg && !b->neg)
                a->s[i] &= b->s[i];
            else if (!a->neg)
                a->s[i] &= ~b->s[i];
            else if (!b->neg)
                a->s[i] = b->s[i] & ~a->s[i];
            else
                a->s[i] |= b->s[i];
        }
        a->neg = a->neg && b->neg;
        break;
    default:
        if (b->lo > a->lo)
            a->lo = b->lo;
        if (b->hi < a->hi)
            a->hi = b->hi;
    }
}

/* The complement of c as up to two constraints; returns how many. */
static int cons_not(const struct var *v, const struct cons *c, struct cons out[2])
{
    cons_full(v, &out[0]);
    switch (v->kind) {
    case V_MASK: out[0].m = v->full & ~c->m; return 1;
    case V_STR:
        memcpy(out[0].s, c->s, sizeof(c->s));
        out[0].neg = !c->neg;
        return 1;
    default: {
        if (c->lo > c->hi)
            return 1; /* not(nothing) = everything */
        int n = 0;
        if (c->lo > 0) {
            cons_full(v, &out[n]);
            out[n++].hi = c->lo - 1;
        }
        if (c->hi < UINT32_MAX) {
            cons_full(v, &out[n]);
            out[n++].lo = c->hi + 1;
        }
        if (n == 0) { /* not(everything) = nothing */
            out[0].lo = 1;
            out[0].hi = 0;
            n = 1;
        }
        return n;
    }
    }
}

/* ---- cube lists ----------------------------------------------------------------- */

static struct cons *cube(struct cubes *l, int i)
{
    return l->c + (size_t)i * (size_t)l->nv;
}

static void cubes_init(struct cubes *l, int nv)
{
    memset(l, 0, sizeof(*l));
    l->nv = nv;
}

static void cubes_release(struct cubes *l)
{
    dg_free(l->c);
    l->c = NULL;
    l->n = l->cap = 0;
}

/* Append a copy of cube src (nv constraints); a new full cube when src is NULL. */
static struct cons *cubes_push(struct an *A, struct cubes *l, const struct cons *src, int limit)
{
    A->budget -= l->nv + 1;
    if (l->n >= limit || A->budget < 0) {
        l->overflow = true;
        return NULL;
    }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        struct cons *c = dg_realloc(l->c, (size_t)cap * (size_t)(l->nv ? l->nv : 1) * sizeof(*c));
        if (!c) {
            A->nomem = DG_ENOMEM;
            l->overflow = true;
            return NULL;
        }
        l->c = c;
        l->cap = cap;
    }
    struct cons *d = cube(l, l->n++);
    if (src)
        memcpy(d, src, (size_t)l->nv * sizeof(*d));
    else
        for (int v = 0; v < l->nv; v++)
            cons_full(&A->vars[v], &d[v]);
    return d;
}

static bool cube_empty(const struct an *A, const struct cons *c, int nv)
{
    for (int v = 0; v < nv; v++)
        if (cons_empty(&A->vars[v], &c[v]))
            return true;
    return false;
}

/* ---- variables -------------------------------------------------------------------- */

static int new_var(struct an *A, enum var_kind k, int attr, int sub, uint64_t full)
{
    if (A->nv == A->capv) {
        int cap = A->capv ? A->capv * 2 : 16;
        struct var *v = dg_realloc(A->vars, (size_t)cap * sizeof(*v));
        if (!v)
            return A->nomem = DG_ENOMEM;
        A->vars = v;
        A->capv = cap;
    }
    A->vars[A->nv] = (struct var){k, attr, sub, full};
    return A->nv++;
}

/* The bits a set attribute can have (its vocabulary). */
static uint32_t set_universe(int attr)
{
    uint32_t u = 0;
    for (int b = 0; b < 32; b++) {
        uint32_t bit = 1u << b;
        if ((attr == AT_REQ_AGREEMENTS && dg_agreement_name(bit)) ||
            (attr == AT_QUERY_FIELDS && dg_field_name(bit)) ||
            (attr == AT_QUERY_IDBY && dg_idfield_name(bit)))
            u |= bit;
    }
    return u;
}

/* Give every variable the policy's tests use an index; intern names. */
static int make_vars(struct an *A)
{
    struct dg_policy *p = A->p;
    memset(A->set_var, -1, sizeof(A->set_var));
    memset(A->attr_var, -1, sizeof(A->attr_var));
    A->list_var = dg_malloc(sizeof(int) * (size_t)(p->nlists + 1));
    A->key_id = dg_malloc(sizeof(int) * (size_t)(p->nkeys + 1));
    if (!A->list_var || !A->key_id)
        return A->nomem = DG_ENOMEM;
    for (int i = 0; i < p->nlists; i++)
        A->list_var[i] = -1;
    for (int i = 0; i < p->nkeys; i++)
        A->key_id[i] = -1;
    int nstr[AT__COUNT] = {0};
    int32_t first_key[AT__COUNT][MAX_STRS]; /* a key with each id, per attribute */
    for (int n = 0; n < p->nnodes && !A->nomem; n++) {
        const struct dg__node *nd = &p->nodes[n];
        int a = nd->attr;
        switch (nd->op) {
        case PN_MASK:
            if (A->attr_var[a] < 0)
                A->attr_var[a] = new_var(A, V_MASK, a, -1, (1ull << dg__attrs[a].domain) - 1);
            break;
        case PN_RANGE:
            if (A->attr_var[a] < 0)
                A->attr_var[a] = new_var(A, V_INT, a, -1, 0);
            break;
        case PN_ANY:
        case PN_ALL:
        case PN_NONE:
            if (A->set_var[a][0] == -1 && A->set_var[a][1] == -1) {
                uint32_t u = set_universe(a);
                for (int b = 0; b < 32; b++)
                    A->set_var[a][b] = u & (1u << b) ? new_var(A, V_MASK, a, b, 3) : -2;
            }
            break;
        case PN_LIST:
            if (A->list_var[nd->a] < 0)
                A->list_var[nd->a] = new_var(A, V_MASK, a, nd->a, 3);
            break;
        case PN_STR:
            if (A->attr_var[a] < 0)
                A->attr_var[a] = new_var(A, V_STR, a, -1, 0);
            for (int32_t k = nd->a; k < nd->a + nd->b && !A->str_overflow[a]; k++) {
                /* The same name written twice gets the same id: search the
                 * attribute's distinct names so far (at most MAX_STRS). */
                A->key_id[k] = -1;
                for (int j = 0; j < nstr[a] && A->key_id[k] < 0; j++) {
                    const struct dg__key *d = &p->keys[first_key[a][j]];
                    if (d->w[0] == p->keys[k].w[0] && d->w[1] == p->keys[k].w[1])
                        A->key_id[k] = a << 16 | j;
                }
                if (A->key_id[k] < 0) {
                    if (nstr[a] >= MAX_STRS) {
                        A->str_overflow[a] = true;
                    } else {
                        first_key[a][nstr[a]] = k;
                        A->key_id[k] = a << 16 | nstr[a]++;
                    }
                }
            }
            break;
        default: break;
        }
    }
    return A->nomem;
}

/* ---- normal form ---------------------------------------------------------------------- */

static int dnf(struct an *A, int32_t n, bool negated, struct cubes *out);

/* out = one cube with variable v constrained to c (a literal). */
static void literal(struct an *A, struct cubes *out, int v, const struct cons *c)
{
    struct cons *q = cubes_push(A, out, NULL, MAX_DNF);
    if (q) {
        cons_and(&A->vars[v], &q[v], c);
        if (cons_empty(&A->vars[v], &q[v]))
            out->n--; /* a literal that nothing satisfies: false, no cube */
    }
}

/* out = the literal and its complement (two cubes when an interval splits). */
static void literal_maybe_not(struct an *A, struct cubes *out, int v, const struct cons *c,
                              bool negated)
{
    if (!negated) {
        literal(A, out, v, c);
        return;
    }
    struct cons nc[2];
    int k = cons_not(&A->vars[v], c, nc);
    for (int i = 0; i < k; i++)
        literal(A, out, v, &nc[i]);
}

/* A set test is a formula over its bit variables: any = OR, all / none = AND. */
static void set_test(struct an *A, const struct dg__node *nd, bool negated, struct cubes *out)
{
    uint64_t bits = nd->op == PN_NONE ? set_universe(nd->attr) : nd->m & set_universe(nd->attr);
    bool conj = nd->op != PN_ANY; /* ALL: every bit true; NONE: every bit false */
    bool want = nd->op != PN_NONE;
    if (negated) { /* De Morgan */
        conj = !conj;
        want = !want;
    }
    struct cons c;
    if (conj) {
        struct cons *q = cubes_push(A, out, NULL, MAX_DNF);
        for (int b = 0; q && b < 32; b++)
            if (bits & (1ull << b)) {
                int v = A->set_var[nd->attr][b];
                cons_full(&A->vars[v], &c);
                c.m = want ? 2 : 1;
                cons_and(&A->vars[v], &q[v], &c);
            }
        return;
    }
    for (int b = 0; b < 32; b++)
        if (bits & (1ull << b)) {
            int v = A->set_var[nd->attr][b];
            cons_full(&A->vars[v], &c);
            c.m = want ? 2 : 1;
            literal(A, out, v, &c);
        }
    /* An OR of no bits is false: no cube at all, which is what out already is. */
}

/* out = product of out and b (the AND of two normal forms). */
static void product(struct an *A, struct cubes *out, struct cubes *b)
{
    struct cubes r;
    cubes_init(&r, out->nv);
    for (int i = 0; i < out->n && !r.overflow; i++)
        for (int j = 0; j < b->n && !r.overflow; j++) {
            struct cons *q = cubes_push(A, &r, cube(out, i), MAX_DNF);
            if (!q)
                break;
            for (int v = 0; v < r.nv; v++)
                cons_and(&A->vars[v], &q[v], &cube(b, j)[v]);
            if (cube_empty(A, q, r.nv))
                r.n--;
        }
    r.overflow = r.overflow || out->overflow || b->overflow;
    cubes_release(out);
    *out = r;
}

static int dnf(struct an *A, int32_t n, bool negated, struct cubes *out)
{
    const struct dg_policy *p = A->p;
    const struct dg__node *nd = &p->nodes[n];
    struct cons c;
    switch (nd->op) {
    case PN_NOT: return dnf(A, p->kids[nd->a], !negated, out);
    case PN_AND:
    case PN_OR: {
        bool conj = (nd->op == PN_AND) != negated;
        if (conj)
            cubes_push(A, out, NULL, MAX_DNF); /* the empty conjunction: true */
        for (int32_t i = 0; i < nd->b && !out->overflow; i++) {
            struct cubes k;
            cubes_init(&k, out->nv);
            dnf(A, p->kids[nd->a + i], negated, &k);
            if (conj) {
                product(A, out, &k);
            } else {
                for (int j = 0; j < k.n && !out->overflow; j++)
                    cubes_push(A, out, cube(&k, j), MAX_DNF);
                out->overflow = out->overflow || k.overflow;
            }
            cubes_release(&k);
        }
        return 0;
    }
    case PN_MASK: {
        int v = A->attr_var[nd->attr];
        cons_full(&A->vars[v], &c);
        c.m = nd->m & A->vars[v].full;
        literal_maybe_not(A, out, v, &c, negated);
        return 0;
    }
    case PN_RANGE: {
        int v = A->attr_var[nd->attr];
        cons_full(&A->vars[v], &c);
        c.lo = (uint32_t)nd->m;
        c.hi = (uint32_t)(nd->m >> 32);
        literal_maybe_not(A, out, v, &c, negated != (bool)nd->neg);
        return 0;
    }
    case PN_ANY:
    case PN_ALL:
    case PN_NONE: set_test(A, nd, negated, out); return 0;
    case PN_LIST: {
        int v = A->list_var[nd->a];
        cons_full(&A->vars[v], &c);
        c.m = 2; /* in the list */
        literal_maybe_not(A, out, v, &c, negated != (bool)nd->neg);
        return 0;
    }
    case PN_STR: {
        if (A->str_overflow[nd->attr]) {
            out->overflow = true;
            return 0;
        }
        int v = A->attr_var[nd->attr];
        memset(&c, 0, sizeof(c));
        for (int32_t k = nd->a; k < nd->a + nd->b; k++) {
            int id = A->key_id[k] & 0xffff;
            c.s[id >> 6] |= 1ull << (id & 63);
        }
        c.neg = false;
        literal_maybe_not(A, out, v, &c, negated != (bool)nd->neg);
        return 0;
    }
    default: out->overflow = true; return 0;
    }
}

/* The normal form of rule r's condition (one full cube when it has none). */
static void rule_dnf(struct an *A, const struct dg__rule *r, struct cubes *out)
{
    cubes_init(out, A->nv);
    if (r->cond < 0)
        cubes_push(A, out, NULL, MAX_DNF);
    else
        dnf(A, r->cond, false, out);
}

/* ---- subtraction ---------------------------------------------------------------------- */

/* res = res minus cube d. Returns true when d overlapped some cube of res. */
static bool subtract(struct an *A, struct cubes *res, const struct cons *d)
{
    struct cubes r;
    cubes_init(&r, res->nv);
    bool touched = false;
    struct cons *tmp = dg_malloc((size_t)(res->nv ? res->nv : 1) * sizeof(*tmp));
    if (!tmp) {
        A->nomem = DG_ENOMEM;
        res->overflow = true;
        return false;
    }
    for (int i = 0; i < res->n && !r.overflow; i++) {
        struct cons *c = cube(res, i);
        A->budget -= res->nv;
        if (A->budget < 0) {
            r.overflow = true;
            break;
        }
        /* Does d meet c at all? */
        memcpy(tmp, c, (size_t)res->nv * sizeof(*tmp));
        for (int v = 0; v < res->nv; v++)
            cons_and(&A->vars[v], &tmp[v], &d[v]);
        if (cube_empty(A, tmp, res->nv)) {
            cubes_push(A, &r, c, MAX_RESIDUAL);
            continue;
        }
        touched = true;
        /* Split c on each variable d constrains: the part outside d on that
         * variable stays; the rest goes on to the next variable. */
        memcpy(tmp, c, (size_t)res->nv * sizeof(*tmp));
        for (int v = 0; v < res->nv && !r.overflow; v++) {
            if (cons_is_full(&A->vars[v], &d[v]))
                continue;
            struct cons nd[2];
            int k = cons_not(&A->vars[v], &d[v], nd);
            for (int j = 0; j < k; j++) {
                struct cons piece = tmp[v];
                cons_and(&A->vars[v], &piece, &nd[j]);
                if (cons_empty(&A->vars[v], &piece))
                    continue;
                struct cons *q = cubes_push(A, &r, tmp, MAX_RESIDUAL);
                if (q)
                    q[v] = piece;
            }
            cons_and(&A->vars[v], &tmp[v], &d[v]);
        }
    }
    dg_free(tmp);
    r.overflow = r.overflow || res->overflow;
    cubes_release(res);
    *res = r;
    return touched;
}

/* ---- the checks ---------------------------------------------------------------------- */

static void report(struct an *A, enum dg_policy_severity sev, int line, int col, const char *msg)
{
    struct dg__compile *c = A->c;
    if (c->errors >= DG_POLICY_MAX_DIAGS)
        return; /* the parser stops at the same count */
    if (sev == DG_POLICY_ERROR && ++c->errors == DG_POLICY_MAX_DIAGS) {
        if (dg__diag_add(c->diags, sev, c->filename, c->pol->text, c->pol->len, line, col,
                         "%s (too many errors, stopping)", msg))
            A->nomem = DG_ENOMEM;
        return;
    }
    if (dg__diag_add(c->diags, sev, c->filename, c->pol->text, c->pol->len, line, col, "%s", msg))
        A->nomem = DG_ENOMEM;
}

static const struct dg__node *find_record(const struct dg_policy *p, int32_t n)
{
    const struct dg__node *nd = &p->nodes[n];
    if (nd->op == PN_AND || nd->op == PN_OR || nd->op == PN_NOT) {
        for (int32_t i = 0; i < nd->b; i++) {
            const struct dg__node *r = find_record(p, p->kids[nd->a + i]);
            if (r)
                return r;
        }
        return NULL;
    }
    return dg__attrs[nd->attr].record ? nd : NULL;
}

static void check_leak(struct an *A, struct dg__rule *r)
{
    struct dg_policy *p = A->p;
    {
        const struct dg__node *rec = r->cond >= 0 ? find_record(p, r->cond) : NULL;
        if (!rec)
            return;
        r->uses_record = true;
        r->rec_line = rec->line;
        r->rec_col = rec->col;
        char msg[256];
        const char *attr = dg__attrs[rec->attr].name;
        if (r->action == DG_POLICY_ACT_NOTIFY)
            return; /* the requester never sees a notice */
        if (r->action == DG_POLICY_ACT_REDACT)
            snprintf(msg, sizeof(msg),
                     "this redaction depends on %s: a requester who sees the fields missing "
                     "learns it; redact them for every record instead",
                     attr);
        else
            snprintf(msg, sizeof(msg),
                     "this rule decides on %s: the requester sees the decision and so learns "
                     "%s (the answer must not depend on it)",
                     attr, attr);
        report(A, DG_POLICY_WARNING, rec->line, rec->col, msg);
    }
}

static void check_reach(struct an *A)
{
    struct dg_policy *p = A->p;
    /* Every cube of every analysable deciding rule so far, with the rule it
     * came from. Dropping cubes (past the cap) only makes the residual
     * bigger, so the analysis stays sound. */
    struct cubes covered;
    cubes_init(&covered, A->nv);
    int *owner = dg_malloc(sizeof(int) * 4 * MAX_RESIDUAL);
    if (!owner) {
        A->nomem = DG_ENOMEM;
        return;
    }
    for (int i = 0; i < p->nrules && !A->nomem; i++) {
        struct dg__rule *r = &p->rules[i];
        bool deciding = r->action != DG_POLICY_ACT_REDACT && r->action != DG_POLICY_ACT_NOTIFY;
        check_leak(A, r);
        struct cubes mine;
        rule_dnf(A, r, &mine);
        if (mine.overflow) {
            cubes_release(&mine);
            continue; /* too big to analyse: say nothing about it */
        }
        if (mine.n == 0) {
            report(A, DG_POLICY_ERROR, r->line, r->col,
                   "this rule's condition can never be true, so the rule never applies");
            cubes_release(&mine);
            continue;
        }
        if (deciding && covered.n > 0) {
            struct cubes res;
            cubes_init(&res, A->nv);
            for (int j = 0; j < mine.n; j++)
                cubes_push(A, &res, cube(&mine, j), MAX_RESIDUAL);
            int lines[3], nlines = 0;
            bool more = false;
            /* Nearest rules first: they are the likeliest to cover this one alone,
             * and then the message names just them. */
            for (int j = covered.n - 1; j >= 0 && res.n > 0 && !res.overflow; j--) {
                if (!subtract(A, &res, cube(&covered, j)))
                    continue;
                int ln = p->rules[owner[j]].line;
                bool seen = false;
                for (int k = 0; k < nlines; k++)
                    seen = seen || lines[k] == ln;
                if (!seen && nlines < 3)
                    lines[nlines++] = ln;
                else if (!seen)
                    more = true;
            }
            if (!res.overflow && res.n == 0 && !A->nomem) {
                for (int x = 1; x < nlines; x++)
                    for (int y = x; y > 0 && lines[y - 1] > lines[y]; y--) {
                        int t = lines[y];
                        lines[y] = lines[y - 1];
                        lines[y - 1] = t;
                    }
                char where[96];
                if (nlines == 1)
                    snprintf(where, sizeof(where), "the rule on line %d", lines[0]);
                else if (nlines == 2)
                    snprintf(where, sizeof(where), "the rules on lines %d and %d", lines[0],
                             lines[1]);
                else
                    snprintf(where, sizeof(where), "the rules on lines %d, %d, %d%s", lines[0],
                             lines[1], lines[2], more ? " and others" : "");
                char msg[256];
                if (r->is_default) {
                    snprintf(msg, sizeof(msg),
                             "the default is never reached: %s %s every request first", where,
                             nlines == 1 ? "decides" : "decide");
                    report(A, DG_POLICY_WARNING, r->line, r->col, msg);
                } else {
                    snprintf(msg, sizeof(msg),
                             "this rule can never fire: %s %s every request it matches first",
                             where, nlines == 1 ? "decides" : "decide");
                    report(A, DG_POLICY_ERROR, r->line, r->col, msg);
                }
            }
            cubes_release(&res);
        }
        if (deciding)
            for (int j = 0; j < mine.n; j++)
                if (cubes_push(A, &covered, cube(&mine, j), 4 * MAX_RESIDUAL))
                    owner[covered.n - 1] = i;
        cubes_release(&mine);
    }
    dg_free(owner);
    cubes_release(&covered);
}

int dg__check(struct dg__compile *c)
{
    struct an A;
    memset(&A, 0, sizeof(A));
    A.c = c;
    A.p = c->pol;
    A.budget = BUDGET;
    if (make_vars(&A) == 0) {
        check_reach(&A);
    }
    dg_free(A.vars);
    dg_free(A.list_var);
    dg_free(A.key_id);
    return A.nomem;
}
