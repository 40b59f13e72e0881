/*
 * attr.c - the attributes a policy can test, their kinds and their values.
 *
 * This is the one table that says what "requester.level" is: an enum of the
 * agency levels of vocab.h, known before the lookup. The parser uses it to
 * check each test (operator fits the kind, value is one the attribute can
 * take) and to intern values as small integers or bits; the evaluator reads
 * the request's value of each attribute by the same index. Value names are
 * those of include/dmvgate/vocab.h, so policies, messages, the audit log and
 * reports say the same words.
 */
#include "policy_int.h"

#include <stdio.h>
#include <string.h>

const struct dg__attr dg__attrs[AT__COUNT] = {
    [AT_REQ_ORI] = {"requester.ori", AK_ORI, 0, false, "an ORI"},
    [AT_REQ_STATE] = {"requester.state", AK_ENUM, DG_STATE_COUNT + 1, false, "a state code"},
    [AT_REQ_LEVEL] = {"requester.level", AK_ENUM, DG_LEVEL__COUNT, false, "an agency level"},
    [AT_REQ_DEPARTMENT] = {"requester.department", AK_STR, 0, false, "a department"},
    [AT_REQ_COMPONENT] = {"requester.component", AK_STR, 0, false, "a component"},
    [AT_REQ_CATEGORY] = {"requester.category", AK_ENUM, DG_CAT__COUNT, false, "an agency category"},
    [AT_REQ_AGREEMENTS] = {"requester.agreements", AK_SET, 0, false, "an agreement"},
    [AT_REQ_VOLUME] = {"requester.queries_last_hour", AK_INT, 0, false, "a count"},
    [AT_QUERY_KEY] = {"query.key", AK_ENUM, DG_KEY__COUNT, false, "a query key"},
    [AT_QUERY_IDBY] = {"query.identified_by", AK_SET, 0, false, "an identifying field"},
    [AT_QUERY_FIELDS] = {"query.fields", AK_SET, 0, false, "a record field"},
    [AT_PURPOSE] = {"purpose", AK_ENUM, DG_PUR__COUNT, false, "a purpose"},
    [AT_LEGAL_PROCESS] = {"legal_process", AK_ENUM, DG_LEG__COUNT, false, "a legal-process kind"},
    [AT_HAS_CASE] = {"has_case_number", AK_BOOL, 2, false, "true or false"},
    [AT_DESTINATION] = {"destination", AK_ENUM, DG_STATE_COUNT + 1, false, "a state code"},
    [AT_TIME_HOUR] = {"time.hour", AK_ORDERED, 24, false, "an hour, 0 to 23"},
    [AT_TIME_WEEKDAY] = {"time.weekday", AK_ORDERED, 7, false, "a weekday"},
    [AT_REC_LAWFUL_PRESENCE] = {"record.lawful_presence_flag", AK_BOOL, 2, true, "true or false"},
};

/* Other spellings of an attribute. DESIGN.md's sketch writes "query == IQ". */
static const struct {
    const char *alias;
    enum attr_id id;
} aliases[] = {
    {"query", AT_QUERY_KEY},
};

static const char *const weekdays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const weekdays_long[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                             "friday", "saturday", "sunday"};

static bool eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

int dg__attr_find(const char *name, size_t n)
{
    for (int i = 0; i < AT__COUNT; i++)
        if (eq(name, n, dg__attrs[i].name))
            return i;
    for (size_t i = 0; i < DG_ARRAY_LEN(aliases); i++)
        if (eq(name, n, aliases[i].alias))
            return (int)aliases[i].id;
    return -1;
}

/* Levenshtein distance, for suggestions; names are short (< 40 bytes). */
static size_t distance(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    if (n > 63 || m > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

const char *dg__attr_suggest(const char *name, size_t n)
{
    const char *best = NULL;
    size_t bestd = 4; /* suggest only close names */
    for (int i = 0; i < AT__COUNT; i++) {
        const char *full = dg__attrs[i].name;
        size_t d = distance(name, n, full);
        /* "level" should find "requester.level": also try without the prefix. */
        const char *dot = strchr(full, '.');
        if (dot && memchr(name, '.', n) == NULL) {
            size_t d2 = distance(name, n, dot + 1);
            if (d2 < d)
                d = d2;
        }
        if (d < bestd) {
            bestd = d;
            best = full;
        }
    }
    return best;
}

/* Parse an enum through a vocab.h parser, listing the names on failure. */
static int enum_value(int v, const char *(*namef)(int), int count, const char *what, const char *s,
                      size_t n, uint64_t *out, char *msg, size_t msglen)
{
    if (v >= 0) {
        *out = (uint64_t)v;
        return 0;
    }
    int k = snprintf(msg, msglen, "'%.*s' is not %s: one of ", (int)(n > 40 ? 40 : n), s, what);
    for (int i = 0; i < count && k > 0 && (size_t)k < msglen; i++)
        k += snprintf(msg + k, msglen - (size_t)k, "%s%s", i ? ", " : "", namef(i));
    return DG_EINVAL;
}

static const char *level_name(int i)
{
    return dg_level_name((enum dg_level)i);
}
static const char *cat_name(int i)
{
    return dg_category_name((enum dg_category)i);
}
static const char *pur_name(int i)
{
    return dg_purpose_name((enum dg_purpose)i);
}
static const char *leg_name(int i)
{
    return dg_leg_name((enum dg_leg)i);
}
static const char *weekday_name(int i)
{
    return weekdays[i];
}
static const char *query_key_name(int i)
{
    static const char *const q[] = {"DQ", "RQ", "IQ"};
    return q[i];
}

/* Names of the bits of a vocab.h bit set, listed on failure. */
static int bit_value(int v, const char *(*namef)(uint32_t), const char *what, const char *extra,
                     const char *s, size_t n, uint64_t *out, char *msg, size_t msglen)
{
    if (v > 0) {
        *out = (uint64_t)v;
        return 0;
    }
    int k = snprintf(msg, msglen, "'%.*s' is not %s: one of %s", (int)(n > 40 ? 40 : n), s, what,
                     extra);
    for (int b = 0; b < 32 && k > 0 && (size_t)k < msglen; b++) {
        const char *nm = namef(1u << b);
        if (nm)
            k += snprintf(msg + k, msglen - (size_t)k, "%s%s", *extra || b ? ", " : "", nm);
    }
    return DG_EINVAL;
}

int dg__attr_value(enum attr_id a, const char *s, size_t n, uint64_t *v, char *msg, size_t msglen)
{
    const char *what = dg__attrs[a].what;
    msg[0] = '\0';
    switch (a) {
    case AT_REQ_STATE:
    case AT_DESTINATION: {
        int i = dg_state_index(s, n);
        if (i >= 0) {
            *v = (uint64_t)i;
            return 0;
        }
        snprintf(msg, msglen, "'%.*s' is not a state code (two capital letters, as 'CO')",
                 (int)(n > 40 ? 40 : n), s);
        return DG_EINVAL;
    }
    case AT_REQ_LEVEL:
        return enum_value(dg_level_parse(s, n), level_name, DG_LEVEL__COUNT, what, s, n, v, msg,
                          msglen);
    case AT_REQ_CATEGORY:
        return enum_value(dg_category_parse(s, n), cat_name, DG_CAT__COUNT, what, s, n, v, msg,
                          msglen);
    case AT_PURPOSE: {
        int rc =
            enum_value(dg_purpose_parse(s, n), pur_name, DG_PUR__COUNT, what, s, n, v, msg, msglen);
        /* A one-letter message code ("I") is a common slip: name the word. */
        int code = n == 1 ? dg_purpose_from_code(s[0]) : -1;
        if (rc && code >= 0)
            snprintf(msg, msglen, "'%c' is the message code; in a policy write '%s'", s[0],
                     dg_purpose_name((enum dg_purpose)code));
        return rc;
    }
    case AT_LEGAL_PROCESS: {
        int rc =
            enum_value(dg_leg_parse(s, n), leg_name, DG_LEG__COUNT, what, s, n, v, msg, msglen);
        int code = dg_leg_from_code(s, n);
        if (rc && code >= 0)
            snprintf(msg, msglen, "'%.*s' is the message code; in a policy write '%s'", (int)n, s,
                     dg_leg_name((enum dg_leg)code));
        return rc;
    }
    case AT_QUERY_KEY: {
        int k = dg_key_parse(s, n);
        if (k == DG_KEY_DQ || k == DG_KEY_RQ || k == DG_KEY_IQ) {
            *v = (uint64_t)k;
            return 0;
        }
        return enum_value(-1, query_key_name, 3, what, s, n, v, msg, msglen);
    }
    case AT_TIME_WEEKDAY:
        for (int i = 0; i < 7; i++)
            if (eq(s, n, weekdays[i]) || eq(s, n, weekdays_long[i])) {
                *v = (uint64_t)i;
                return 0;
            }
        return enum_value(-1, weekday_name, 7, what, s, n, v, msg, msglen);
    case AT_TIME_HOUR:
    case AT_REQ_VOLUME: {
        uint64_t x = 0;
        bool ok = n > 0 && n <= 10;
        for (size_t i = 0; ok && i < n; i++) {
            ok = s[i] >= '0' && s[i] <= '9';
            x = x * 10 + (uint64_t)(s[i] - '0');
        }
        uint64_t max = a == AT_TIME_HOUR ? 23 : UINT32_MAX;
        if (ok && x <= max) {
            *v = x;
            return 0;
        }
        snprintf(msg, msglen, "'%.*s' is not %s%s", (int)(n > 40 ? 40 : n), s, what,
                 a == AT_REQ_VOLUME ? " (a whole number)" : "");
        return DG_EINVAL;
    }
    case AT_REQ_AGREEMENTS:
        /* "287g" is any 287(g) model: the agencies that query on ICE's behalf. */
        if (eq(s, n, "287g")) {
            *v = DG_AGR_287G;
            return 0;
        }
        return bit_value(dg_agreement_parse(s, n), dg_agreement_name, what, "287g (any model)", s,
                         n, v, msg, msglen);
    case AT_QUERY_FIELDS:
        return bit_value(dg_field_parse(s, n), dg_field_name, what, "", s, n, v, msg, msglen);
    case AT_QUERY_IDBY:
        return bit_value(dg_idfield_parse(s, n), dg_idfield_name, what, "", s, n, v, msg, msglen);
    default: break;
    }
    snprintf(msg, msglen, "%s takes no value here", dg__attrs[a].name);
    return DG_EINVAL;
}

int dg__attr_value_name(enum attr_id a, uint64_t v, struct dg_buf *out)
{
    switch (a) {
    case AT_REQ_STATE:
    case AT_DESTINATION:
        return dg_buf_addstr(out, v < DG_STATE_COUNT ? dg_state_code((int)v) : "unknown");
    case AT_REQ_LEVEL: return dg_buf_addstr(out, dg_level_name((enum dg_level)v));
    case AT_REQ_CATEGORY: return dg_buf_addstr(out, dg_category_name((enum dg_category)v));
    case AT_PURPOSE: return dg_buf_addstr(out, dg_purpose_name((enum dg_purpose)v));
    case AT_LEGAL_PROCESS: return dg_buf_addstr(out, dg_leg_name((enum dg_leg)v));
    case AT_QUERY_KEY: return dg_buf_addstr(out, dg_key_name((enum dg_key)v));
    case AT_TIME_WEEKDAY: return dg_buf_addstr(out, v < 7 ? weekdays[v] : "?");
    case AT_HAS_CASE:
    case AT_REC_LAWFUL_PRESENCE: return dg_buf_addstr(out, v ? "true" : "false");
    case AT_REQ_AGREEMENTS: {
        const char *nm = dg_agreement_name((uint32_t)v);
        return dg_buf_addstr(out, nm ? nm : "?");
    }
    case AT_QUERY_FIELDS: {
        const char *nm = dg_field_name((uint32_t)v);
        return dg_buf_addstr(out, nm ? nm : "?");
    }
    case AT_QUERY_IDBY: {
        const char *nm = dg_idfield_name((uint32_t)v);
        return dg_buf_addstr(out, nm ? nm : "?");
    }
    default: return dg_buf_printf(out, "%llu", (unsigned long long)v);
    }
}

bool dg__key_pack(struct dg__key *k, const char *s, size_t n)
{
    if (n > 15)
        return false;
    char b[16] = {0};
    memcpy(b, s, n);
    memcpy(k->w, b, 16);
    return true;
}
