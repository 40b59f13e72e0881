/*
 * parse_int.h - what parse.c (statements) and cond.c (conditions) share: the
 * parser's state and its token, error and value helpers.
 */
#ifndef DG_POLICY_PARSE_INT_H
#define DG_POLICY_PARSE_INT_H

#include "policy_int.h"

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

/* Grow *arr (of elem-byte items, capacity *cap) to hold need items. */
int dg__p_grow(void **arr, int *cap, int need, size_t elem);

/* Tokens: consume the current one; look one ahead; a token's text; words. */
void dg__p_next(struct parser *P);
const struct dg__tok *dg__p_peek(struct parser *P);
const char *dg__p_text(const struct parser *P, const struct dg__tok *t);
bool dg__p_tok_is(const struct parser *P, const struct dg__tok *t, const char *w);
bool dg__p_is(const struct parser *P, const char *w); /* the current token is word w */
bool dg__p_starts_statement(struct parser *P);

/* Errors: report at a token and return PERR (so the caller can recover). */
int dg__p_err_at(struct parser *P, const struct dg__tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int dg__p_warn_at(struct parser *P, const struct dg__tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *dg__p_found(struct parser *P, char *buf, size_t n);
int dg__p_expected(struct parser *P, const char *what);

/* Values: a value token's text (quotes removed); one value of attribute a. */
int dg__p_value_text(struct parser *P, char *buf, size_t bufsz, size_t *n);
int dg__p_attr_value(struct parser *P, enum attr_id a, uint64_t *v);

/* A whole condition (cond.c): its root node, or a negative code. */
int32_t dg__p_condition(struct parser *P);

#endif
