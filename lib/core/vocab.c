/*
 * vocab.c - names and parsers for the shared vocabulary in vocab.h.
 *
 * The lists are short (at most a few dozen entries), so lookups are linear
 * scans over the tables; hot paths (message parsing, policy evaluation) keep
 * their own interned forms.
 */
#include <dmvgate/core.h>
#include <dmvgate/vocab.h>

#include <string.h>

static int eq(const char *a, size_t n, const char *b)
{
    return strlen(b) == n && memcmp(a, b, n) == 0;
}

static const char *const key_names[] = {
#define DG__K(k, d) #k,
    DG_KEY_MAP(DG__K)
#undef DG__K
};

const char *dg_key_name(enum dg_key k)
{
    return (unsigned)k < DG_KEY__COUNT ? key_names[k] : "?";
}

int dg_key_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_KEY__COUNT; i++)
        if (eq(s, n, key_names[i]))
            return i;
    return DG_EINVAL;
}

static const char pur_codes[] = {
#define DG__P(e, c, n, d) c,
    DG_PURPOSE_MAP(DG__P)
#undef DG__P
};
static const char *const pur_names[] = {
#define DG__P(e, c, n, d) n,
    DG_PURPOSE_MAP(DG__P)
#undef DG__P
};

char dg_purpose_code(enum dg_purpose p)
{
    return (unsigned)p < DG_PUR__COUNT ? pur_codes[p] : '?';
}

const char *dg_purpose_name(enum dg_purpose p)
{
    return (unsigned)p < DG_PUR__COUNT ? pur_names[p] : "?";
}

int dg_purpose_from_code(char c)
{
    for (int i = 0; i < DG_PUR__COUNT; i++)
        if (pur_codes[i] == c)
            return i;
    return DG_EINVAL;
}

int dg_purpose_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_PUR__COUNT; i++)
        if (eq(s, n, pur_names[i]))
            return i;
    return DG_EINVAL;
}

static const char *const leg_codes[] = {
#define DG__L(e, c, n, d) c,
    DG_LEG_MAP(DG__L)
#undef DG__L
};
static const char *const leg_names[] = {
#define DG__L(e, c, n, d) n,
    DG_LEG_MAP(DG__L)
#undef DG__L
};

const char *dg_leg_code(enum dg_leg l)
{
    return (unsigned)l < DG_LEG__COUNT ? leg_codes[l] : "?";
}

const char *dg_leg_name(enum dg_leg l)
{
    return (unsigned)l < DG_LEG__COUNT ? leg_names[l] : "?";
}

int dg_leg_from_code(const char *s, size_t n)
{
    for (int i = 0; i < DG_LEG__COUNT; i++)
        if (eq(s, n, leg_codes[i]))
            return i;
    return DG_EINVAL;
}

int dg_leg_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_LEG__COUNT; i++)
        if (eq(s, n, leg_names[i]))
            return i;
    return DG_EINVAL;
}

static const char *const level_names[] = {
#define DG__V(e, n) n,
    DG_LEVEL_MAP(DG__V)
#undef DG__V
};

const char *dg_level_name(enum dg_level l)
{
    return (unsigned)l < DG_LEVEL__COUNT ? level_names[l] : "?";
}

int dg_level_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_LEVEL__COUNT; i++)
        if (eq(s, n, level_names[i]))
            return i;
    return DG_EINVAL;
}

static const char *const cat_names[] = {
#define DG__C(e, n) n,
    DG_CATEGORY_MAP(DG__C)
#undef DG__C
};

const char *dg_category_name(enum dg_category c)
{
    return (unsigned)c < DG_CAT__COUNT ? cat_names[c] : "?";
}

int dg_category_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_CAT__COUNT; i++)
        if (eq(s, n, cat_names[i]))
            return i;
    return DG_EINVAL;
}

static const struct {
    uint32_t bit;
    const char *name;
} agreements[] = {
#define DG__A(e, bit, n, d) {1u << (bit), n},
    DG_AGREEMENT_MAP(DG__A)
#undef DG__A
};

const char *dg_agreement_name(uint32_t bit)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(agreements); i++)
        if (agreements[i].bit == bit)
            return agreements[i].name;
    return NULL;
}

int dg_agreement_parse(const char *s, size_t n)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(agreements); i++)
        if (eq(s, n, agreements[i].name))
            return (int)agreements[i].bit;
    return DG_EINVAL;
}

static const char *const states[DG_STATE_COUNT] = {DG_STATE_CODES};

const char *dg_state_code(int i)
{
    return i >= 0 && i < DG_STATE_COUNT ? states[i] : "??";
}

int dg_state_index(const char *s, size_t n)
{
    if (n != 2)
        return DG_EINVAL;
    for (int i = 0; i < DG_STATE_COUNT; i++)
        if (states[i][0] == s[0] && states[i][1] == s[1])
            return i;
    return DG_EINVAL;
}

static const struct {
    uint32_t bit;
    const char *name;
} fields[] = {
#define DG__F(e, bit, n) {1u << (bit), n},
    DG_FIELD_MAP(DG__F)
#undef DG__F
};

const char *dg_field_name(uint32_t bit)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(fields); i++)
        if (fields[i].bit == bit)
            return fields[i].name;
    return NULL;
}

int dg_field_parse(const char *s, size_t n)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(fields); i++)
        if (eq(s, n, fields[i].name))
            return (int)fields[i].bit;
    return DG_EINVAL;
}

static const struct {
    uint32_t bit;
    const char *name;
} idfields[] = {
#define DG__I(e, bit, n, d) {1u << (bit), n},
    DG_IDFIELD_MAP(DG__I)
#undef DG__I
};

const char *dg_idfield_name(uint32_t bit)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(idfields); i++)
        if (idfields[i].bit == bit)
            return idfields[i].name;
    return NULL;
}

int dg_idfield_parse(const char *s, size_t n)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(idfields); i++)
        if (eq(s, n, idfields[i].name))
            return (int)idfields[i].bit;
    return DG_EINVAL;
}
