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
 *
 * This file reads the statements (header, lists, rules and their options)
 * and holds the helpers both parts share; cond.c reads the conditions.
 */
#include "parse_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int dg__p_grow(void **arr, int *cap, int need, size_t elem)
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

void dg__p_next(struct parser *P)
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

const struct dg__tok *dg__p_peek(struct parser *P)
{
    if (!P->have_la) {
        dg__lex_next(&P->lx, &P->la);
        P->have_la = true;
    }
    return &P->la;
}

const char *dg__p_text(const struct parser *P, const struct dg__tok *t)
{
    return P->p->text + t->off;
}

bool dg__p_tok_is(const struct parser *P, const struct dg__tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->type == TK_WORD && t->len == n && memcmp(dg__p_text(P, t), w, n) == 0;
}

bool dg__p_is(const struct parser *P, const char *w)
{
    return dg__p_tok_is(P, &P->t, w);
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

int __attribute__((format(printf, 3, 4)))
dg__p_err_at(struct parser *P, const struct dg__tok *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(P, DG_POLICY_ERROR, t->line, t->col, fmt, ap);
    va_end(ap);
    return PERR;
}

int __attribute__((format(printf, 3, 4)))
dg__p_warn_at(struct parser *P, const struct dg__tok *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(P, DG_POLICY_WARNING, t->line, t->col, fmt, ap);
    va_end(ap);
    return 0;
}

/* Describe the current token for "expected X, found Y". */
const char *dg__p_found(struct parser *P, char *buf, size_t n)
{
    const struct dg__tok *t = &P->t;
    if (t->type == TK_ERROR)
        snprintf(buf, n, "%s", t->err);
    else if (t->type == TK_WORD || t->type == TK_NUMBER || t->type == TK_STRING)
        snprintf(buf, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), dg__p_text(P, t));
    else
        snprintf(buf, n, "%s", dg__tok_name(t->type));
    return buf;
}

int dg__p_expected(struct parser *P, const char *what)
{
    char b[128];
    if (P->t.type == TK_ERROR)
        return dg__p_err_at(P, &P->t, "%s", P->t.err);
    return dg__p_err_at(P, &P->t, "expected %s, found %s", what, dg__p_found(P, b, sizeof(b)));
}

/* Words that begin a statement; never labels or list names. */
static const char *const starters[] = {"allow",  "deny",    "review", "redact",
                                       "notify", "default", "list",   "policy"};

bool dg__p_starts_statement(struct parser *P)
{
    if (P->t.type != TK_WORD)
        return false;
    for (size_t i = 0; i < DG_ARRAY_LEN(starters); i++)
        if (dg__p_is(P, starters[i]))
            return true;
    return dg__p_peek(P)->type == TK_COLON; /* a label */
}

/* After an error: skip to a statement that starts a line. */
static void recover(struct parser *P)
{
    while (P->t.type != TK_EOF && !(P->t.bol && dg__p_starts_statement(P)))
        dg__p_next(P);
}

/* ---- strings and values ------------------------------------------------------------ */

/* The content of a string token without quotes and escapes, in a new allocation. */
static char *string_value(struct parser *P, const struct dg__tok *t)
{
    const char *s = dg__p_text(P, t) + 1;
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
        return dg__p_expected(P, what);
    if (P->t.len - 2 > DG_POLICY_MAX_STRING)
        return dg__p_err_at(P, &P->t, "%s is longer than %d bytes", what, DG_POLICY_MAX_STRING);
    if (P->t.len == 2)
        return dg__p_err_at(P, &P->t, "%s is empty", what);
    *out = string_value(P, &P->t);
    if (!*out)
        return DG_ENOMEM;
    dg__p_next(P);
    return 0;
}

/* A value token: a word, a number or a string (quotes removed into buf). */
int dg__p_value_text(struct parser *P, char *buf, size_t bufsz, size_t *n)
{
    const struct dg__tok *t = &P->t;
    if (t->type == TK_WORD || t->type == TK_NUMBER) {
        if (t->len >= bufsz)
            return dg__p_err_at(P, t, "value is too long");
        memcpy(buf, dg__p_text(P, t), t->len);
        *n = t->len;
    } else if (t->type == TK_STRING) {
        if (t->len - 2 >= bufsz)
            return dg__p_err_at(P, t, "value is too long");
        size_t k = 0;
        const char *s = dg__p_text(P, t) + 1;
        for (size_t i = 0; i < t->len - 2; i++) {
            if (s[i] == '\\')
                i++;
            buf[k++] = s[i];
        }
        *n = k;
    } else {
        return dg__p_expected(P, "a value");
    }
    buf[*n] = '\0';
    return 0;
}

/* ---- rules ------------------------------------------------------------------------- */

/* FIELD | "[" FIELD { "," FIELD } "]" */
static int field_list(struct parser *P, uint32_t *mask)
{
    bool bracket = P->t.type == TK_LBRACK;
    if (bracket)
        dg__p_next(P);
    for (;;) {
        uint64_t v;
        if (dg__p_attr_value(P, AT_QUERY_FIELDS, &v))
            return PERR;
        *mask |= (uint32_t)v;
        if (!bracket)
            return 0;
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

/* DURATION: "48h", "30m", "2d", or a number and "minutes", "hours", "days". */
static int duration(struct parser *P, uint32_t *secs)
{
    const struct dg__tok at = P->t;
    const char *s = dg__p_text(P, &at);
    size_t n = at.len, i = 0;
    uint64_t v = 0;
    if (at.type != TK_WORD && at.type != TK_NUMBER)
        return dg__p_expected(P, "a duration such as 48h, 30m or 2d");
    while (i < n && s[i] >= '0' && s[i] <= '9' && v < 1000000)
        v = v * 10 + (uint64_t)(s[i++] - '0');
    const char *unit = s + i;
    size_t un = n - i;
    if (i == 0 || i == n) {
        if (at.type != TK_NUMBER)
            return dg__p_expected(P, "a duration such as 48h, 30m or 2d");
        dg__p_next(P);
        if (P->t.type != TK_WORD)
            return dg__p_expected(P, "a unit: minutes, hours or days");
        unit = dg__p_text(P, &P->t);
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
                return dg__p_err_at(P, &at, "a review deadline is between 1 minute and 30 days");
            *secs = (uint32_t)t;
            dg__p_next(P);
            return 0;
        }
    return dg__p_err_at(P, &P->t, "'%.*s' is not a unit of time: m, h or d (minutes, hours, days)",
                        (int)(un > 20 ? 20 : un), unit);
}

/* The options of a review: within DURATION, then deny|escalate, by two reviewers. */
static int review_options(struct parser *P, struct dg__rule *r)
{
    bool within = false, then = false, by = false;
    for (;;) {
        if (dg__p_is(P, "within") && !within) {
            within = true;
            dg__p_next(P);
            if (duration(P, &r->deadline_s))
                return PERR;
        } else if (dg__p_is(P, "then") && !then) {
            then = true;
            dg__p_next(P);
            if (dg__p_is(P, "deny"))
                r->expiry = DG_POLICY_EXPIRE_DENY;
            else if (dg__p_is(P, "escalate"))
                r->expiry = DG_POLICY_EXPIRE_ESCALATE;
            else
                return dg__p_expected(P, "'deny' or 'escalate' (what happens at the deadline)");
            dg__p_next(P);
        } else if (dg__p_is(P, "by") && !by) {
            by = true;
            dg__p_next(P);
            if (!dg__p_is(P, "two"))
                return dg__p_expected(P, "'two reviewers'");
            dg__p_next(P);
            if (!dg__p_is(P, "reviewers"))
                return dg__p_expected(P, "'reviewers'");
            dg__p_next(P);
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
        dg__p_next(P);
        if (dg__p_is(P, "redact")) {
            dg__p_next(P);
            if (field_list(P, &r->redact))
                return PERR;
        } else if (dg__p_is(P, "notify")) {
            dg__p_next(P);
            if (!dg__p_is(P, "subject"))
                return dg__p_expected(P, "'subject'");
            dg__p_next(P);
            r->notify = true;
        } else {
            return dg__p_expected(P, "'redact' or 'notify' after ','");
        }
    }
    return 0;
}

static bool reserved(const struct parser *P, const struct dg__tok *t)
{
    static const char *const more[] = {"when", "and", "or", "not", "in", "has"};
    for (size_t i = 0; i < DG_ARRAY_LEN(starters); i++)
        if (dg__p_tok_is(P, t, starters[i]))
            return true;
    for (size_t i = 0; i < DG_ARRAY_LEN(more); i++)
        if (dg__p_tok_is(P, t, more[i]))
            return true;
    return false;
}

static int parse_rule(struct parser *P)
{
    struct dg_policy *p = P->p;
    if (p->nrules >= DG_POLICY_MAX_RULES)
        return dg__p_err_at(P, &P->t, "more than %d rules", DG_POLICY_MAX_RULES);
    if (dg__p_grow((void **)&p->rules, &P->cap_rules, p->nrules + 1, sizeof(*p->rules)))
        return P->nomem = DG_ENOMEM;
    struct dg__rule *r = &p->rules[p->nrules];
    memset(r, 0, sizeof(*r));
    r->cond = -1;
    r->deadline_s = DG_POLICY_DEFAULT_DEADLINE;
    r->line = P->t.line;
    r->col = P->t.col;
    r->off = P->t.off;
    p->nrules++; /* owned by the policy from here on, even if the rule is bad */

    if (P->t.type == TK_WORD && dg__p_peek(P)->type == TK_COLON) {
        if (reserved(P, &P->t))
            return dg__p_err_at(P, &P->t, "'%.*s' is a keyword and cannot name a rule",
                                (int)P->t.len, dg__p_text(P, &P->t));
        if (P->t.len > 64)
            return dg__p_err_at(P, &P->t, "a rule's label is at most 64 characters");
        r->label = dg_strndup(dg__p_text(P, &P->t), P->t.len);
        if (!r->label)
            return P->nomem = DG_ENOMEM;
        dg__p_next(P);
        dg__p_next(P);
    }
    struct dg__tok start = P->t;
    if (P->seen_default)
        dg__p_err_at(P, &start, "rule after the default: the default must be the last rule");
    if (dg__p_is(P, "default")) {
        r->is_default = true;
        P->seen_default = true;
        dg__p_next(P);
        if (!dg__p_is(P, "allow") && !dg__p_is(P, "deny") && !dg__p_is(P, "review"))
            return dg__p_expected(P, "'allow', 'deny' or 'review' after 'default'");
    }
    if (dg__p_is(P, "allow")) {
        r->action = DG_POLICY_ACT_ALLOW;
        dg__p_next(P);
        if (P->t.type == TK_STRING && parse_string(P, "the reason", &r->reason))
            return PERR;
        if (modifiers(P, r))
            return PERR;
    } else if (dg__p_is(P, "deny")) {
        r->action = DG_POLICY_ACT_DENY;
        dg__p_next(P);
        if (parse_string(P, "the reason for the denial (a string)", &r->reason))
            return PERR;
        if (P->t.type == TK_COMMA)
            return dg__p_err_at(P, &P->t, "a deny releases nothing: it cannot redact or notify");
    } else if (dg__p_is(P, "review")) {
        r->action = DG_POLICY_ACT_REVIEW;
        dg__p_next(P);
        if (parse_string(P, "the reason for the review (a string)", &r->reason) ||
            review_options(P, r) || modifiers(P, r))
            return PERR;
    } else if (dg__p_is(P, "redact")) {
        r->action = DG_POLICY_ACT_REDACT;
        dg__p_next(P);
        if (field_list(P, &r->redact))
            return PERR;
    } else if (dg__p_is(P, "notify")) {
        r->action = DG_POLICY_ACT_NOTIFY;
        r->notify = true;
        dg__p_next(P);
        if (!dg__p_is(P, "subject"))
            return dg__p_expected(P, "'subject'");
        dg__p_next(P);
    } else {
        return dg__p_expected(P, "a rule (allow, deny, review, redact, notify or default)");
    }
    if (dg__p_is(P, "when")) {
        if (r->is_default)
            return dg__p_err_at(P, &P->t,
                                "the default has no condition: it decides whatever is left");
        dg__p_next(P);
        r->cond_off = P->t.off;
        int32_t c = dg__p_condition(P);
        if (c < 0)
            return c;
        r->cond = c;
        r->cond_len = P->last_end - r->cond_off;
    }
    r->end = P->last_end;
    if (P->t.type != TK_EOF && !dg__p_starts_statement(P)) {
        if (dg__p_is(P, "and") || dg__p_is(P, "or"))
            return dg__p_expected(P, "a new rule ('and' and 'or' join tests after 'when')");
        return dg__p_expected(P, r->cond < 0 && !r->is_default ? "'when' or a new rule"
                                                               : "a new rule");
    }
    return 0;
}

/* list NAME = file "PATH" | list NAME = [ ORI, ... ] */
static int parse_list(struct parser *P)
{
    struct dg_policy *p = P->p;
    dg__p_next(P);
    struct dg__tok nt = P->t;
    if (nt.type != TK_WORD)
        return dg__p_expected(P, "the list's name");
    if (reserved(P, &nt) || dg__attr_find(dg__p_text(P, &nt), nt.len) >= 0)
        return dg__p_err_at(P, &nt, "'%.*s' is a keyword or an attribute and cannot name a list",
                            (int)nt.len, dg__p_text(P, &nt));
    for (int i = 0; i < p->nlists; i++)
        if (strlen(p->lists[i].name) == nt.len &&
            !memcmp(p->lists[i].name, dg__p_text(P, &nt), nt.len))
            return dg__p_err_at(P, &nt, "list '%s' is already declared on line %d",
                                p->lists[i].name, p->lists[i].line);
    if (p->nlists >= DG_POLICY_MAX_LISTS)
        return dg__p_err_at(P, &nt, "more than %d lists", DG_POLICY_MAX_LISTS);
    if (dg__p_grow((void **)&p->lists, &P->cap_lists, p->nlists + 1, sizeof(*p->lists)))
        return P->nomem = DG_ENOMEM;
    struct dg__orilist *l = &p->lists[p->nlists];
    memset(l, 0, sizeof(*l));
    l->line = nt.line;
    l->col = nt.col;
    l->name = dg_strndup(dg__p_text(P, &nt), nt.len);
    if (!l->name)
        return P->nomem = DG_ENOMEM;
    p->nlists++;
    dg__p_next(P);
    if (P->t.type != TK_ASSIGN)
        return dg__p_expected(P, "'='");
    dg__p_next(P);
    if (dg__p_is(P, "file")) {
        dg__p_next(P);
        struct dg__tok ft = P->t;
        if (parse_string(P, "the list file's name (a string)", &l->file))
            return PERR;
        int rc = dg__load_list_file(P->c, l, ft.line, ft.col);
        if (rc == DG_ENOMEM)
            P->nomem = rc;
        return rc;
    }
    if (P->t.type != TK_LBRACK)
        return dg__p_expected(P, "'file \"NAME\"' or '[' and ORIs");
    if (dg__orilist_init(l, 16))
        return P->nomem = DG_ENOMEM;
    dg__p_next(P);
    for (;;) {
        char buf[64], msg[160];
        size_t n;
        if (dg__p_value_text(P, buf, sizeof(buf), &n))
            return PERR;
        if (dg__ori_check(buf, n, msg, sizeof(msg)))
            return dg__p_err_at(P, &P->t, "%s", msg);
        if (P->c->total_oris >= DG_POLICY_MAX_LIST_ORIS)
            return dg__p_err_at(P, &P->t, "more than %d ORIs in the policy's lists",
                                DG_POLICY_MAX_LIST_ORIS);
        int added = dg__orilist_add(l, buf);
        if (added < 0)
            return P->nomem = added;
        P->c->total_oris += (size_t)added;
        dg__p_next(P);
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

/* policy "NAME" state XX */
static int parse_header(struct parser *P)
{
    if (!dg__p_is(P, "policy"))
        return dg__p_expected(P, "the header 'policy \"NAME\" state XX' as the first line");
    dg__p_next(P);
    if (parse_string(P, "the policy's name (a string)", &P->p->name))
        return PERR;
    if (!dg__p_is(P, "state"))
        return dg__p_expected(P, "'state' and the state's code");
    dg__p_next(P);
    if (P->t.type != TK_WORD || P->t.len != 2 || dg_state_index(dg__p_text(P, &P->t), 2) < 0)
        return dg__p_expected(P, "a state code such as CO");
    memcpy(P->p->state, dg__p_text(P, &P->t), 2);
    P->p->state[2] = '\0';
    dg__p_next(P);
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
                memcmp(p->lists[k].name, dg__p_text(P, t), t->len) == 0)
                found_ix = k;
        if (found_ix < 0) {
            dg__p_err_at(P, t, "unknown list '%.*s' (declare it with: list %.*s = file \"FILE\")",
                         (int)t->len, dg__p_text(P, t), (int)t->len, dg__p_text(P, t));
            continue;
        }
        p->lists[found_ix].used = true;
        p->nodes[P->refs[i].node].a = found_ix;
    }
    for (int k = 0; k < p->nlists; k++)
        if (!p->lists[k].used) {
            struct dg__tok t = {.line = p->lists[k].line, .col = p->lists[k].col};
            dg__p_warn_at(P, &t, "list '%s' is never used", p->lists[k].name);
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
                dg__p_err_at(P, &t,
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
    dg__p_next(&P);
    if (parse_header(&P))
        recover(&P);
    while (P.t.type != TK_EOF && !P.stop && !P.nomem) {
        int rc;
        uint32_t start = P.t.off;
        if (dg__p_is(&P, "list"))
            rc = parse_list(&P);
        else if (dg__p_is(&P, "policy"))
            rc = dg__p_err_at(&P, &P.t, "a policy has one header, on its first line");
        else
            rc = parse_rule(&P);
        if (rc && !P.nomem) {
            if (P.t.off == start)
                dg__p_next(&P); /* make progress when the error is at the statement's first token */
            recover(&P);
        }
    }
    if (!P.nomem && !P.stop) {
        resolve_lists(&P);
        name_rules(&P);
        if (!P.seen_default) {
            struct dg__tok t = P.prev.line > 0 ? P.prev : P.t;
            dg__p_err_at(&P, &t,
                         "the policy has no default: end it with 'default allow', 'default deny "
                         "\"REASON\"' or 'default review \"REASON\"'");
        }
    }
    dg_free(P.refs);
    return P.nomem ? P.nomem : 0;
}
