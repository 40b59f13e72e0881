/*
 * policy_int.h - what the files of lib/policy share: tokens, the attribute
 * table, the compiled form of a policy and the helpers that build it.
 *
 * The pipeline is lex.c (characters -> tokens) -> parse.c (tokens -> rules
 * and condition nodes, checking names and values as it goes, with attr.c
 * saying what each attribute is) -> check.c (whole-policy meaning: rules that
 * can never fire, conditions that are never true, record leaks) -> eval.c
 * (decisions) and explain.c (decisions for a person). list.c holds the ORI
 * hash sets, diag.c the diagnostics, volume.c the per-ORI counter.
 */
#ifndef DG_POLICY_INT_H
#define DG_POLICY_INT_H

#include <dmvgate/policy.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- tokens (lex.c) ------------------------------------------------------------- */
enum tok_type {
    TK_EOF,
    TK_WORD,   /* [A-Za-z0-9_][A-Za-z0-9_.-]*: names, keywords, values */
    TK_NUMBER, /* a word of digits only */
    TK_STRING, /* "..." (the token spans the quotes) */
    TK_LBRACK,
    TK_RBRACK,
    TK_LPAREN,
    TK_RPAREN,
    TK_COMMA,
    TK_COLON,
    TK_ASSIGN, /* = */
    TK_EQ,     /* == */
    TK_NE,     /* != */
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_ERROR, /* a character or string the language has no use for */
};

struct dg__tok {
    enum tok_type type;
    uint32_t off, len; /* bytes of the source */
    int line, col;     /* 1-based; col counts bytes */
    bool bol;          /* first token on its line */
    const char *err;   /* TK_ERROR: what is wrong */
};

struct dg__lexer {
    const char *src;
    size_t len, pos;
    int line;
    size_t line_start; /* offset of the current line's first byte */
    bool at_bol;
};

void dg__lex_init(struct dg__lexer *lx, const char *src, size_t len);
void dg__lex_next(struct dg__lexer *lx, struct dg__tok *t);
const char *dg__tok_name(enum tok_type t); /* "'=='", "a string", ... */

/* ---- attributes (attr.c) ----------------------------------------------------------- */
enum attr_id {
    AT_REQ_ORI,
    AT_REQ_STATE,
    AT_REQ_LEVEL,
    AT_REQ_DEPARTMENT,
    AT_REQ_COMPONENT,
    AT_REQ_CATEGORY,
    AT_REQ_AGREEMENTS,
    AT_REQ_VOLUME,
    AT_QUERY_KEY,
    AT_QUERY_IDBY,
    AT_QUERY_FIELDS,
    AT_PURPOSE,
    AT_LEGAL_PROCESS,
    AT_HAS_CASE,
    AT_DESTINATION,
    AT_TIME_HOUR,
    AT_TIME_WEEKDAY,
    AT_REC_LAWFUL_PRESENCE,
    AT__COUNT
};

enum attr_kind {
    AK_ENUM,    /* one of a few values (<= 64): ==, !=, in */
    AK_ORDERED, /* the same, with an order: also <, <=, >, >= */
    AK_BOOL,    /* true or false: used bare */
    AK_SET,     /* a bit set: has, has any, has all, == none */
    AK_STR,     /* a short upper-case name: ==, !=, in */
    AK_ORI,     /* an ORI: ==, !=, in [..], in LIST */
    AK_INT,     /* a count: ==, !=, <, <=, >, >= */
};

struct dg__attr {
    const char *name;
    enum attr_kind kind;
    int domain;       /* AK_ENUM/ORDERED/BOOL: number of values */
    bool record;      /* known only after the lookup (phase 2) */
    const char *what; /* "a level", for messages */
};

extern const struct dg__attr dg__attrs[AT__COUNT];

/* The attribute called name (n bytes), aliases included, or -1. */
int dg__attr_find(const char *name, size_t n);
/* The closest attribute name to name (for "did you mean"), or NULL. */
const char *dg__attr_suggest(const char *name, size_t n);
/*
 * Parse a value of attribute a: an enum index, a set's bits (for "287g"
 * every 287(g) bit), an int. Returns 0 and *v, or DG_EINVAL with a message
 * in msg (msglen bytes) saying what the attribute takes.
 */
int dg__attr_value(enum attr_id a, const char *s, size_t n, uint64_t *v, char *msg, size_t msglen);
/* Append the name of value v of attribute a (an enum index, one set bit). */
int dg__attr_value_name(enum attr_id a, uint64_t v, struct dg_buf *out);

#define DG__STATE_UNKNOWN DG_STATE_COUNT /* the state index of an unknown code */

/* ---- the compiled form ---------------------------------------------------------------- */

/* A short name or an ORI packed into 16 bytes (NUL padded) so that
 * comparisons are two word compares. */
struct dg__key {
    uint64_t w[2];
};
/* Pack s (n bytes, n <= 15); false when n is too long. */
bool dg__key_pack(struct dg__key *k, const char *s, size_t n);

enum node_op {
    PN_AND,   /* kids[a .. a+b) all true */
    PN_OR,    /* kids[a .. a+b) any true */
    PN_NOT,   /* kids[a] */
    PN_MASK,  /* (m >> value) & 1: enums, ordered, bools */
    PN_RANGE, /* lo <= value <= hi (lo = m & 0xffffffff, hi = m >> 32), xor neg */
    PN_ANY,   /* (set & m) != 0 */
    PN_ALL,   /* (set & m) == m */
    PN_NONE,  /* set == 0 */
    PN_STR,   /* value is one of keys[a .. a+b), xor neg */
    PN_LIST,  /* ORI is in lists[a], xor neg */
};

struct dg__node {
    uint8_t op;
    uint8_t attr;
    uint8_t neg;
    int32_t a, b;
    uint64_t m;
    /* Where the test is written (the whole test, "requester.level == federal"),
     * for explain and for diagnostics. */
    uint32_t off, len;
    int line, col;
};

struct dg__orilist {
    char *name;
    int line, col;
    char *file;            /* NULL for an inline list */
    struct dg__key *slots; /* open addressing, power-of-two size, empty = all zero */
    uint32_t mask;         /* slots - 1 */
    uint32_t count;
    bool used;
};

struct dg__rule {
    enum dg_policy_action action;
    bool is_default;
    int line, col;
    uint32_t off, end; /* the rule's text, label to the end of its condition */
    char *label;       /* "" when none */
    char *reason;      /* "" when none */
    const char *name;  /* label, reason, "default" or line_name */
    char line_name[24];
    int32_t cond; /* root node, -1 when always */
    uint32_t cond_off, cond_len;
    char *cond_text; /* a copy of the condition's text, for dg_policy_rule_info */
    uint32_t redact;
    bool notify;
    uint32_t deadline_s;
    enum dg_policy_expiry expiry;
    bool two_person;
    bool uses_record;
    int rec_line, rec_col; /* the first record attribute it uses */
};

struct dg_policy {
    char *text;
    size_t len;
    char *filename;
    char *name;
    char state[3];
    struct dg__rule *rules;
    int nrules;
    int *deciding; /* indexes of allow/deny/review rules, in order */
    int ndeciding;
    int *modifiers; /* indexes of redact/notify rules, in order */
    int nmodifiers;
    struct dg__node *nodes;
    int nnodes;
    int32_t *kids;
    int nkids;
    struct dg__key *keys;
    int nkeys;
    struct dg__orilist *lists;
    int nlists;
    bool record_modifiers;     /* some redact/notify rule looks at the record */
    uint32_t uses;             /* bit (1 << attr) for every attribute a test looks at */
    uint8_t state_ix[26 * 26]; /* "CO" -> dg_state_index, or DG__STATE_UNKNOWN */
};

/* Index of a 2-letter state code through p's table, DG__STATE_UNKNOWN when not one. */
static inline unsigned dg__state_ix(const struct dg_policy *p, const char *s)
{
    unsigned a = (unsigned char)s[0] - 'A', b = (unsigned char)s[1] - 'A';
    if (a >= 26 || b >= 26 || s[2] != '\0')
        return DG__STATE_UNKNOWN;
    return p->state_ix[a * 26 + b];
}

/* ORI hash sets (list.c). */
int dg__orilist_init(struct dg__orilist *l, size_t expected);
/* Add a 9-character ORI; 1 when added, 0 when already there, DG_ENOMEM. */
int dg__orilist_add(struct dg__orilist *l, const char *ori);
bool dg__orilist_has(const struct dg__orilist *l, const struct dg__key *ori);
void dg__orilist_release(struct dg__orilist *l);
/* 0 when s (n bytes) is an ORI: 9 of A-Z 0-9, the first two a state code. */
int dg__ori_check(const char *s, size_t n, char *msg, size_t msglen);

/* ---- diagnostics (diag.c) ------------------------------------------------------------ */
/* Add a diagnostic at line:col of src (len bytes; the source line is copied).
 * Returns DG_ENOMEM when the list cannot grow, else 0. */
int dg__diag_add(struct dg_policy_diags *d, enum dg_policy_severity sev, const char *file,
                 const char *src, size_t len, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* ---- the passes ------------------------------------------------------------------------- */
struct dg__compile {
    const struct dg_policy_options *opt;
    const char *filename;
    struct dg_policy_diags *diags; /* never NULL inside the compiler */
    struct dg_policy *pol;
    int errors;
    size_t total_oris; /* in all lists, against DG_POLICY_MAX_LIST_ORIS */
};

/* Parse the whole text into c->pol (parse.c). Errors go to c->diags. */
int dg__parse(struct dg__compile *c);
/* Whole-policy checks (check.c): never-true conditions, rules that can never
 * fire, record leaks. */
int dg__check(struct dg__compile *c);
/* Load list files and fill ORI sets (list.c). */
int dg__load_list_file(struct dg__compile *c, struct dg__orilist *l, int line, int col);

/* Evaluate node n with three-valued logic (eval.c). */
enum { DG__F = 0, DG__T = 1, DG__U = 2 };
struct dg__facts {
    /* Enum index, set bits, count. Only the attributes the policy uses are
     * filled (p->uses): the directory entry is read only as far as needed,
     * which keeps a decision to about one cache line of it. */
    uint32_t v[AT__COUNT];
    struct dg__key dept, comp, ori;
    bool rec_known;
};
int dg__facts_fill(const struct dg_policy *p, const struct dg_policy_request *req,
                   const struct dg_policy_record *rec, struct dg__facts *f);
/* The same, filling every attribute (for explain). */
int dg__facts_fill_all(const struct dg_policy *p, const struct dg_policy_request *req,
                       const struct dg_policy_record *rec, struct dg__facts *f);
int dg__eval_node(const struct dg_policy *p, const struct dg__facts *f, int32_t n);
int dg__eval_leaf(const struct dg_policy *p, const struct dg__facts *f, const struct dg__node *nd);

#endif
