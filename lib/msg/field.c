/*
 * field.c - the tags of dmvgate messages and the rule every value must pass.
 *
 * One table says, for each tag, where it may appear (which request keys,
 * response level, which record kind), its longest value, its rule and the
 * record field (vocab.h DG_FIELD_*) it belongs to. dg__check_value applies a
 * tag's rule to a value and writes its canonical form; both parsers and the
 * builders go through it, so the two forms and code-built messages obey the
 * same rules. docs/messages.md is the reader's copy of these rules: change
 * both together.
 */
#include "msg_int.h"

#include <dmvgate/vin.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define REQ (DG__W_DQ | DG__W_RQ | DG__W_IQ)
#define DIQ (DG__W_DQ | DG__W_IQ)

/* clang-format off */
const struct dg__tag_info dg__tags[DG_TAG__COUNT] = {
    [DG_TAG_RSN] = {"RSN", 1, REQ, DG__R_RSN, 0},
    [DG_TAG_OLN] = {"OLN", 20, DIQ | DG__W_DRV, DG__R_OLN, DG_FIELD_LICENSE},
    [DG_TAG_OLS] = {"OLS", 2, DIQ | DG__W_DRV, DG__R_STATE, DG_FIELD_LICENSE},
    [DG_TAG_NAM] = {"NAM", 50, DIQ | DG__W_DRV, DG__R_NAME, DG_FIELD_NAME},
    [DG_TAG_DOB] = {"DOB", 8, DIQ | DG__W_DRV, DG__R_DOB, DG_FIELD_DOB},
    [DG_TAG_SEX] = {"SEX", 1, DIQ | DG__W_DRV, DG__R_SEX, DG_FIELD_SEX},
    [DG_TAG_LIC] = {"LIC", 10, DG__W_RQ | DG__W_VEH, DG__R_PLATE, DG_FIELD_VEHICLES},
    [DG_TAG_LIS] = {"LIS", 2, DG__W_RQ | DG__W_VEH, DG__R_STATE, DG_FIELD_VEHICLES},
    [DG_TAG_LIT] = {"LIT", 2, DG__W_RQ | DG__W_VEH, DG__R_LIT, DG_FIELD_VEHICLES},
    [DG_TAG_LIY] = {"LIY", 4, DG__W_RQ | DG__W_VEH, DG__R_YEAR, DG_FIELD_VEHICLES},
    [DG_TAG_VIN] = {"VIN", 17, DG__W_RQ | DG__W_VEH, DG__R_VIN, DG_FIELD_VEHICLES},
    [DG_TAG_IMQ] = {"IMQ", 1, DG__W_DQ, DG__R_YN, 0},
    [DG_TAG_PUR] = {"PUR", 1, REQ, DG__R_PUR, 0},
    [DG_TAG_ATN] = {"ATN", 40, REQ, DG__R_TEXT, 0},
    [DG_TAG_CAS] = {"CAS", 24, REQ, DG__R_CASE, 0},
    [DG_TAG_LEG] = {"LEG", 27, REQ, DG__R_LEG, 0},
    [DG_TAG_MID] = {"MID", 40, DG__W_RSP | DG__W_ER, DG__R_MID, 0},
    [DG_TAG_STS] = {"STS", 8, DG__W_RSP | DG__W_ER, DG__R_STS, 0},
    [DG_TAG_ERC] = {"ERC", 4, DG__W_ER, DG__R_NUM, 0},
    [DG_TAG_ERF] = {"ERF", 16, DG__W_ER, DG__R_FIELDNAME, 0},
    [DG_TAG_ERO] = {"ERO", 10, DG__W_ER, DG__R_NUM, 0},
    [DG_TAG_ERT] = {"ERT", 255, DG__W_ER, DG__R_TEXT, 0},
    [DG_TAG_RUL] = {"RUL", 200, DG__W_ER, DG__R_TEXT, 0},
    [DG_TAG_REC] = {"REC", 3, 0, DG__R_REC, 0},
    [DG_TAG_HGT] = {"HGT", 3, DG__W_DRV, DG__R_HGT, DG_FIELD_PHYSICAL},
    [DG_TAG_EYE] = {"EYE", 3, DG__W_DRV, DG__R_EYE, DG_FIELD_PHYSICAL},
    [DG_TAG_ADR] = {"ADR", 120, DG__W_DRV, DG__R_TEXT, DG_FIELD_ADDRESS},
    [DG_TAG_CLS] = {"CLS", 3, DG__W_DRV, DG__R_CLS, DG_FIELD_LICENSE},
    [DG_TAG_STA] = {"STA", 12, DG__W_DRV, DG__R_LSTATUS, DG_FIELD_STATUS},
    [DG_TAG_ISS] = {"ISS", 8, DG__W_DRV, DG__R_DATE, DG_FIELD_LICENSE},
    [DG_TAG_EXP] = {"EXP", 8, DG__W_DRV, DG__R_DATE, DG_FIELD_LICENSE},
    [DG_TAG_RST] = {"RST", 60, DG__W_DRV, DG__R_TEXT, DG_FIELD_LICENSE},
    [DG_TAG_LPF] = {"LPF", 1, DG__W_DRV, DG__R_YN, DG_FIELD_LAWFUL_PRESENCE},
    [DG_TAG_PHO] = {"PHO", DG_MSG_PHOTO_MAX, DG__W_DRV, DG__R_PHOTO, DG_FIELD_PHOTO},
    [DG_TAG_PMT] = {"PMT", 13, DG__W_DRV, DG__R_PMT, DG_FIELD_PHOTO},
    [DG_TAG_VYR] = {"VYR", 4, DG__W_VEH, DG__R_YEAR, DG_FIELD_VEHICLES},
    [DG_TAG_VMA] = {"VMA", 12, DG__W_VEH, DG__R_CODE, DG_FIELD_VEHICLES},
    [DG_TAG_VMO] = {"VMO", 16, DG__W_VEH, DG__R_CODE, DG_FIELD_VEHICLES},
    [DG_TAG_VCO] = {"VCO", 7, DG__W_VEH, DG__R_VCO, DG_FIELD_VEHICLES},
    [DG_TAG_REX] = {"REX", 8, DG__W_VEH, DG__R_DATE, DG_FIELD_VEHICLES},
    [DG_TAG_OWN] = {"OWN", 60, DG__W_VEH, DG__R_TEXT, DG_FIELD_OWNER},
    [DG_TAG_OAD] = {"OAD", 120, DG__W_VEH, DG__R_TEXT, DG_FIELD_OWNER},
};
/* clang-format on */

/* The public table's maxima must be the ones enforced here. */
#define DG__CHECKMAX(t, max, d) _Static_assert((max) > 0, "tag " #t " has a maximum length");
DG_MSG_TAG_MAP(DG__CHECKMAX)
#undef DG__CHECKMAX

const char *dg__article(int key)
{
    return key == DG_KEY_DQ || key == DG_KEY_DR ? "a" : "an";
}

const char *dg_msg_tag_name(enum dg_msg_tag t)
{
    return (unsigned)t < DG_TAG__COUNT ? dg__tags[t].name : "?";
}

/* Tags are three capital letters: a table over all 26^3 of them finds a tag
 * with one load; state codes are two, and a 26^2 table tells whether a pair
 * is one. Both are filled once, on first use (the flag keeps pthread_once off
 * the hot path). */
static int8_t tag_index[26 * 26 * 26];
static uint8_t state_pair[26 * 26];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static atomic_bool tables_ready;

static void tables_fill(void)
{
    memset(tag_index, -1, sizeof(tag_index));
    for (int t = 0; t < DG_TAG__COUNT; t++) {
        const char *nm = dg__tags[t].name;
        tag_index[(nm[0] - 'A') * 676 + (nm[1] - 'A') * 26 + (nm[2] - 'A')] = (int8_t)t;
    }
    for (int i = 0; i < DG_STATE_COUNT; i++) {
        const char *st = dg_state_code(i);
        state_pair[(st[0] - 'A') * 26 + (st[1] - 'A')] = 1;
    }
    atomic_store_explicit(&tables_ready, true, memory_order_release);
}

static void tables(void)
{
    if (!atomic_load_explicit(&tables_ready, memory_order_acquire))
        pthread_once(&tables_once, tables_fill);
}

int dg__is_state(const char *s, size_t n)
{
    if (n != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
        return 0;
    tables();
    return state_pair[(s[0] - 'A') * 26 + (s[1] - 'A')];
}

int dg_msg_tag_parse(const char *s, size_t n)
{
    if (n != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2] < 'A' || s[2] > 'Z')
        return DG_EMSGTAG;
    tables();
    int t = tag_index[(s[0] - 'A') * 676 + (s[1] - 'A') * 26 + (s[2] - 'A')];
    return t >= 0 ? t : DG_EMSGTAG;
}

uint32_t dg_msg_tag_field(enum dg_msg_tag t)
{
    return (unsigned)t < DG_TAG__COUNT ? dg__tags[t].field : 0;
}

void dg__tag_for_error(const char *s, size_t n, char *out, size_t outsz)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < outsz && j < 8; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        out[j++] = ok ? (char)c : '?';
    }
    out[j] = '\0';
}

long dg__val_off(const struct dg__val *v, size_t i)
{
    if (v->off < 0)
        return -1;
    if (!v->raw || v->rawn == v->n)
        return v->off + (long)i;
    /* The raw value has ".." for each "."; walk it to the i-th meant byte. */
    size_t r = 0;
    for (size_t k = 0; k < i && r < v->rawn; k++)
        r += v->raw[r] == '.' ? 2 : 1;
    return v->off + (long)r;
}

/* ---- dates ------------------------------------------------------------------ */

static atomic_int today_override;

void dg_msg_set_today(int ccyymmdd)
{
    atomic_store(&today_override, ccyymmdd);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
long dg__days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

long dg__today_days(void)
{
    int o = atomic_load_explicit(&today_override, memory_order_relaxed);
    if (o > 0)
        return dg__days_from_civil(o / 10000, o / 100 % 100, o % 100);
    return (long)(time(NULL) / 86400);
}

/* The year of a day count since 1970-01-01 (the inverse of the above, year only). */
static int year_of_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long m = mp < 10 ? mp + 3 : mp - 9;
    return (int)(yoe + era * 400 + (m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static void put_digits(char *o, int v, int w)
{
    for (int i = w - 1; i >= 0; i--, v /= 10)
        o[i] = (char)('0' + v % 10);
}

static int check_ymd(enum dg_msg_tag tag, const struct dg__val *v, int y, int m, int d,
                     struct dg_error *err)
{
    const char *tn = dg__tags[tag].name;
    if (m < 1 || m > 12)
        return dg_error_set(err, DG_EMSGDATE, tn, v->off, "%s has month %02d, which does not exist",
                            tn, m);
    if (d < 1 || d > days_in_month(y, m))
        return dg_error_set(err, DG_EMSGDATE, tn, v->off,
                            "%s has day %02d, which %04d-%02d has not", tn, d, y, m);
    return 0;
}

/* DOB: ccyymmdd, or mmddyy with the century that puts it in the 100 years
 * ending today. Not in the future, not before 1900. */
static int check_dob(const struct dg__val *v, char *out, struct dg_error *err)
{
    int y, m, d;
    if ((v->n != 8 && v->n != 6) || digits(v->s, v->n) < 0)
        return dg_error_set(err, DG_EMSGDATE, "DOB", v->off,
                            "a date of birth is written ccyymmdd (19850214) or mmddyy (021485)");
    long today = dg__today_days();
    if (v->n == 8) {
        y = digits(v->s, 4);
        m = digits(v->s + 4, 2);
        d = digits(v->s + 6, 2);
    } else {
        m = digits(v->s, 2);
        d = digits(v->s + 2, 2);
        int yy = digits(v->s + 4, 2);
        /* today's century first; if that is still to come, the one before */
        y = year_of_days(today) / 100 * 100 + yy;
        if (m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m) &&
            dg__days_from_civil(y, m, d) > today)
            y -= 100;
    }
    int rc = check_ymd(DG_TAG_DOB, v, y, m, d, err);
    if (rc)
        return rc;
    if (y < 1900)
        return dg_error_set(err, DG_EMSGDATE, "DOB", v->off, "a date of birth before 1900 (%04d)",
                            y);
    if (dg__days_from_civil(y, m, d) > today)
        return dg_error_set(err, DG_EMSGDATE, "DOB", v->off,
                            "the date of birth %04d-%02d-%02d is in the future", y, m, d);
    put_digits(out, y, 4);
    put_digits(out + 4, m, 2);
    put_digits(out + 6, d, 2);
    out[8] = '\0';
    return 0;
}

static int check_date(enum dg_msg_tag tag, const struct dg__val *v, struct dg_error *err)
{
    const char *tn = dg__tags[tag].name;
    if (v->n != 8 || digits(v->s, 8) < 0)
        return dg_error_set(err, DG_EMSGDATE, tn, v->off,
                            "%s is a date written ccyymmdd (20290214)", tn);
    int y = digits(v->s, 4), m = digits(v->s + 4, 2), d = digits(v->s + 6, 2);
    if (y < 1900 || y > 2199)
        return dg_error_set(err, DG_EMSGDATE, tn, v->off, "%s has year %04d, outside 1900-2199", tn,
                            y);
    return check_ymd(tag, v, y, m, d, err);
}

static int check_year(enum dg_msg_tag tag, const struct dg__val *v, struct dg_error *err)
{
    const char *tn = dg__tags[tag].name;
    int y = v->n == 4 ? digits(v->s, 4) : -1;
    if (y < 1900 || y > 2199)
        return dg_error_set(err, DG_EMSGDATE, tn, v->off,
                            "%s is a year written ccyy, from 1900 to 2199", tn);
    return 0;
}

/* ---- character classes ---------------------------------------------------- */

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_upper(c) || is_digit(c);
}

/* Index of the first byte of s not accepted by ok, or n. */
static size_t first_bad(const char *s, size_t n, int (*ok)(char))
{
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i]))
            return i;
    return n;
}

static int oln_char(char c)
{
    return is_alnum(c) || c == '*' || c == '-';
}

static int oln_punct(char c)
{
    return c == '*' || c == '-';
}

static int case_char(char c)
{
    return is_alnum(c) || c == '-' || c == '/';
}

static int name_char(char c)
{
    return is_upper(c) || c == ' ' || c == '-' || c == '\'' || c == ',';
}

static int mid_char(char c)
{
    return is_alnum(c) || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

static int code_char(char c)
{
    return is_alnum(c) || c == ' ' || c == '-';
}

static int b64_char(char c)
{
    return is_alnum(c) || (c >= 'a' && c <= 'z') || c == '+' || c == '/';
}

static int bad_char(int code, enum dg_msg_tag tag, const struct dg__val *v, size_t i,
                    const char *what, struct dg_error *err)
{
    const char *tn = dg__tags[tag].name;
    return dg_error_set(err, code, tn, dg__val_off(v, i),
                        "character '%c' at position %zu of %s is not allowed (%s)", v->s[i], i + 1,
                        tn, what);
}

static int one_of(const char *s, size_t n, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return 1;
    return 0;
}

/* ---- rules ------------------------------------------------------------------ */

static int check_name(const struct dg__val *v, struct dg_error *err)
{
    size_t bad = first_bad(v->s, v->n, name_char);
    if (bad < v->n)
        return bad_char(DG_EMSGNAME, DG_TAG_NAM, v, bad,
                        "capital letters, space, hyphen and apostrophe only", err);
    const char *comma = memchr(v->s, ',', v->n);
    if (!comma)
        return dg_error_set(err, DG_EMSGNAME, "NAM", v->off,
                            "write the name as LAST,FIRST MIDDLE: there is no comma");
    size_t c = (size_t)(comma - v->s);
    if (memchr(comma + 1, ',', v->n - c - 1))
        return dg_error_set(
            err, DG_EMSGNAME, "NAM",
            dg__val_off(v, (size_t)((const char *)memchr(comma + 1, ',', v->n - c - 1) - v->s)),
            "write the name as LAST,FIRST MIDDLE: there is more than one comma");
    if (c == 0)
        return dg_error_set(err, DG_EMSGNAME, "NAM", v->off,
                            "write the name as LAST,FIRST MIDDLE: the last name is missing");
    if (c + 1 == v->n)
        return dg_error_set(err, DG_EMSGNAME, "NAM", dg__val_off(v, c),
                            "write the name as LAST,FIRST MIDDLE: the first name is missing");
    if (v->s[c + 1] == ' ' || v->s[c - 1] == ' ')
        return dg_error_set(err, DG_EMSGNAME, "NAM", dg__val_off(v, c),
                            "write the name as LAST,FIRST MIDDLE, with no space around the comma");
    for (size_t i = 0; i < v->n; i++) {
        int sep = v->s[i] == ' ' || v->s[i] == '-' || v->s[i] == '\'' || v->s[i] == ',';
        int edge = i == 0 || i + 1 == v->n;
        int after_sep = i > 0 && (v->s[i - 1] == ' ' || v->s[i - 1] == '-' || v->s[i - 1] == '\'' ||
                                  v->s[i - 1] == ',');
        if (sep && (edge || after_sep))
            return dg_error_set(err, DG_EMSGNAME, "NAM", dg__val_off(v, i),
                                "'%c' at position %zu of the name must stand between letters",
                                v->s[i], i + 1);
    }
    return 0;
}

static int check_leg(const struct dg__val *v, struct dg_error *err)
{
    if (v->n < 2 || dg_leg_from_code(v->s, 2) < 0 || (v->n > 2 && v->s[2] != ' '))
        return dg_error_set(err, DG_EMSGLEG, "LEG", v->off,
                            "the legal process starts with its kind: NO (none), JW (judicial "
                            "warrant), CO (court order), GJ (grand jury subpoena), AW "
                            "(administrative warrant) or AS (administrative subpoena)");
    int kind = dg_leg_from_code(v->s, 2);
    if (kind == DG_LEG_NONE) {
        if (v->n != 2)
            return dg_error_set(err, DG_EMSGLEG, "LEG", dg__val_off(v, 2),
                                "LEG/NO (no legal process) takes no number");
        return 0;
    }
    if (v->n < 4) {
        char what[32];
        snprintf(what, sizeof(what), "%s", dg_leg_name((enum dg_leg)kind));
        for (char *p = what; *p; p++)
            if (*p == '_')
                *p = ' ';
        return dg_error_set(err, DG_EMSGLEG, "LEG", v->off,
                            "a%s %s needs its number after a space, e.g. LEG/%s 2026-CR-0412",
                            what[0] == 'a' ? "n" : "", what, dg_leg_code((enum dg_leg)kind));
    }
    for (size_t i = 3; i < v->n; i++)
        if (!case_char(v->s[i]))
            return bad_char(DG_EMSGLEG, DG_TAG_LEG, v, i,
                            "the number has A-Z, 0-9, hyphen and slash only", err);
    return 0;
}

static int check_photo(const struct dg__val *v, struct dg_error *err)
{
    if (v->n % 4 != 0)
        return dg_error_set(err, DG_EMSGPHOTO, "PHO", v->off,
                            "the photo is base64 with padding: its length (%zu) must be a "
                            "multiple of 4",
                            v->n);
    size_t pad = 0;
    if (v->n >= 1 && v->s[v->n - 1] == '=')
        pad = v->n >= 2 && v->s[v->n - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < v->n - pad; i++)
        if (!b64_char(v->s[i]))
            return bad_char(DG_EMSGPHOTO, DG_TAG_PHO, v, i,
                            "base64: A-Z a-z 0-9 + / and = at the end", err);
    return 0;
}

static int check_text(enum dg_msg_tag tag, const struct dg__val *v, struct dg_error *err)
{
    const char *tn = dg__tags[tag].name;
    if (v->s[0] == ' ' || v->s[v->n - 1] == ' ')
        return dg_error_set(err, DG_EMSGVALUE, tn,
                            v->s[0] == ' ' ? v->off : dg__val_off(v, v->n - 1),
                            "%s must not begin or end with a space", tn);
    return 0;
}

static const char *const eye_codes[] = {"BLK", "BLU", "BRO", "GRN", "GRY", "HAZ",
                                        "MAR", "MUL", "PNK", "XXX", NULL};
static const char *const lic_status[] = {"VALID",     "EXPIRED",      "SUSPENDED", "REVOKED",
                                         "CANCELLED", "DISQUALIFIED", NULL};
/* image/svg+xml is what the synthetic-data generator draws (lib/gen); a
 * console shows photos through <img>, where an SVG runs no script. */
static const char *const media_types[] = {"image/jpeg", "image/png", "image/jp2", "image/svg+xml",
                                          NULL};

int dg__check_value(enum dg_msg_tag tag, const struct dg__val *v, char *out, size_t outsz,
                    size_t *outlen, struct dg_error *err)
{
    const struct dg__tag_info *ti = &dg__tags[tag];
    const char *tn = ti->name;
    if (v->n == 0)
        return dg_error_set(err, DG_EMSGEMPTY, tn, v->off, "%s is empty", tn);
    if (v->n > ti->max)
        return dg_error_set(err, DG_EMSGFIELDLEN, tn, v->off,
                            "%s is %zu characters long, more than its %u", tn, v->n,
                            (unsigned)ti->max);
    for (size_t i = 0; i < v->n; i++) {
        unsigned char c = (unsigned char)v->s[i];
        if (c < 0x20 || c > 0x7e)
            return dg_error_set(err, DG_EMSGCHAR, tn, dg__val_off(v, i),
                                "byte 0x%02x at position %zu of %s is not printable ASCII", c,
                                i + 1, tn);
    }
    int rc = 0;
    size_t bad;
    const char *s = v->s;
    size_t n = v->n;
    switch ((enum dg__rule)ti->rule) {
    case DG__R_RSN:
        if (n != 1 || !strchr("NFVTSHI", s[0]))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "the reason code is one of N, F, V, T, S, H, I");
        break;
    case DG__R_OLN:
        bad = first_bad(s, n, oln_char);
        if (bad < n)
            rc = bad_char(DG_EMSGOLN, tag, v, bad, "A-Z, 0-9, * and - only", err);
        else if (first_bad(s, n, oln_punct) == n)
            rc = dg_error_set(err, DG_EMSGOLN, tn, v->off,
                              "a license number has at least one letter or digit");
        break;
    case DG__R_STATE:
        if (!dg__is_state(s, n)) {
            char shown[9];
            dg__tag_for_error(s, n, shown, sizeof(shown));
            rc = dg_error_set(err, DG_EMSGSTATE, tn, v->off,
                              "%s '%s' is not a state or territory code", tn, shown);
        }
        break;
    case DG__R_NAME: rc = check_name(v, err); break;
    case DG__R_DOB:
        if (outsz < 9)
            return dg_error_set(err, DG_EINTERNAL, tn, v->off, "no room for the date");
        rc = check_dob(v, out, err);
        if (rc == 0) {
            *outlen = 8;
            return 0;
        }
        break;
    case DG__R_SEX:
        if (n != 1 || !strchr("MFXU", s[0]))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off, "sex is one of M, F, X, U");
        break;
    case DG__R_PLATE:
        bad = first_bad(s, n, is_alnum);
        if (bad < n)
            rc = bad_char(DG_EMSGPLATE, tag, v, bad, "A-Z and 0-9 only, no spaces or hyphens", err);
        break;
    case DG__R_LIT:
        if (n != 2 || !is_upper(s[0]) || !is_upper(s[1]))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "the plate type is a two-letter NCIC code such as PC");
        break;
    case DG__R_YEAR: rc = check_year(tag, v, err); break;
    case DG__R_VIN: {
        struct dg_error ve;
        if (dg_vin_validate(s, n, &ve) < 0)
            rc = dg_error_set(err, DG_EMSGVIN, tn,
                              ve.offset >= 0 ? dg__val_off(v, (size_t)ve.offset) : v->off, "%s",
                              ve.msg);
        break;
    }
    case DG__R_YN:
        if (n != 1 || (s[0] != 'Y' && s[0] != 'N'))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off, "%s is Y or N", tn);
        break;
    case DG__R_PUR:
        if (n != 1 || dg_purpose_from_code(s[0]) < 0)
            rc = dg_error_set(err, DG_EMSGPURPOSE, tn, v->off,
                              "the purpose is one of C (criminal justice), T (traffic), J "
                              "(judicial), E (employment), F (firearms), I (immigration), X "
                              "(other)");
        break;
    case DG__R_TEXT: rc = check_text(tag, v, err); break;
    case DG__R_CASE:
        bad = first_bad(s, n, case_char);
        if (bad < n)
            rc = bad_char(DG_EMSGVALUE, tag, v, bad, "A-Z, 0-9, hyphen and slash only", err);
        break;
    case DG__R_LEG: rc = check_leg(v, err); break;
    case DG__R_MID: rc = dg__check_mid(s, n, v->off, err); break;
    case DG__R_STS:
        if (dg_msg_status_parse(s, n) < 0)
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "the status is one of FOUND, NOTFOUND, HELD, INVALID, DENIED, "
                              "FAILED");
        break;
    case DG__R_NUM:
        bad = first_bad(s, n, is_digit);
        if (bad < n || (n > 1 && s[0] == '0') || (tag == DG_TAG_ERC && s[0] == '0'))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "%s is a number without leading zeros%s", tn,
                              tag == DG_TAG_ERC ? ", from 1 to 9999" : "");
        break;
    case DG__R_FIELDNAME:
        for (size_t i = 0; i < n && rc == 0; i++)
            if (!mid_char(s[i]) || s[i] == '-')
                rc = bad_char(DG_EMSGVALUE, tag, v, i, "A-Z, a-z, 0-9 and _ only", err);
        break;
    case DG__R_REC:
        if (!(n == 3 && (memcmp(s, "DRV", 3) == 0 || memcmp(s, "VEH", 3) == 0)))
            rc = dg_error_set(err, DG_EMSGRECORD, tn, v->off,
                              "a record is DRV (driver) or VEH (vehicle)");
        break;
    case DG__R_HGT:
        if (n != 3 || digits(s, 3) < 0 || s[0] < '1' || s[0] > '8' || digits(s + 1, 2) > 11)
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "height is feet then two digits of inches, e.g. 510 for 5 ft 10 in");
        break;
    case DG__R_EYE:
        if (!one_of(s, n, eye_codes))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "eye colour is one of BLK BLU BRO GRN GRY HAZ MAR MUL PNK XXX");
        break;
    case DG__R_CLS:
        bad = first_bad(s, n, is_alnum);
        if (bad < n)
            rc = bad_char(DG_EMSGVALUE, tag, v, bad, "A-Z and 0-9 only", err);
        break;
    case DG__R_LSTATUS:
        if (!one_of(s, n, lic_status))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "license status is one of VALID EXPIRED SUSPENDED REVOKED "
                              "CANCELLED DISQUALIFIED");
        break;
    case DG__R_DATE: rc = check_date(tag, v, err); break;
    case DG__R_PHOTO: rc = check_photo(v, err); break;
    case DG__R_PMT:
        if (!one_of(s, n, media_types))
            rc = dg_error_set(err, DG_EMSGPHOTO, tn, v->off,
                              "the photo's media type is image/jpeg, image/png, image/jp2 or "
                              "image/svg+xml");
        break;
    case DG__R_CODE:
        bad = first_bad(s, n, code_char);
        if (bad < n)
            rc = bad_char(DG_EMSGVALUE, tag, v, bad, "A-Z, 0-9, space and hyphen only", err);
        else
            rc = check_text(tag, v, err);
        break;
    case DG__R_VCO:
        if (!((n == 3 ||
               (n == 7 && s[3] == '/' && is_upper(s[4]) && is_upper(s[5]) && is_upper(s[6]))) &&
              is_upper(s[0]) && is_upper(s[1]) && is_upper(s[2])))
            rc = dg_error_set(err, DG_EMSGVALUE, tn, v->off,
                              "colour is a three-letter NCIC code, two-tone as BLK/WHI");
        break;
    }
    if (rc)
        return rc;
    if (n + 1 > outsz)
        return dg_error_set(err, DG_EINTERNAL, tn, v->off, "no room for %s", tn);
    memcpy(out, s, n);
    out[n] = '\0';
    *outlen = n;
    return 0;
}

int dg__check_ori(const char *s, size_t n, long off, struct dg_error *err)
{
    if (n != 9)
        return dg_error_set(err, DG_EMSGORI, "ORI", off,
                            "an ORI has 9 characters, this one has %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]))
            return dg_error_set(err, DG_EMSGORI, "ORI", off + (long)i,
                                "character %zu of the ORI is not A-Z or 0-9", i + 1);
    if (!dg__is_state(s, 2))
        return dg_error_set(err, DG_EMSGORI, "ORI", off,
                            "an ORI starts with a state or territory code, not '%c%c'", s[0], s[1]);
    return 0;
}

int dg__check_ctl(const char *s, size_t n, long off, struct dg_error *err)
{
    if (n == 0 || n > 10)
        return dg_error_set(err, DG_EMSGCTL, "CTL", off,
                            "the control field is '*' then 1 to 10 of A-Z and 0-9");
    size_t bad = first_bad(s, n, is_alnum);
    if (bad < n)
        return dg_error_set(err, DG_EMSGCTL, "CTL", off < 0 ? -1 : off + (long)bad,
                            "character %zu of the control field is not A-Z or 0-9", bad + 1);
    return 0;
}

int dg__check_mid(const char *s, size_t n, long off, struct dg_error *err)
{
    if (n == 0 || n > 40)
        return dg_error_set(err, DG_EMSGVALUE, "MID", off,
                            "the message id has 1 to 40 of A-Z, a-z, 0-9, _ and -");
    size_t bad = first_bad(s, n, mid_char);
    if (bad < n)
        return dg_error_set(err, DG_EMSGVALUE, "MID", off < 0 ? -1 : off + (long)bad,
                            "character %zu of the message id is not A-Z, a-z, 0-9, _ or -",
                            bad + 1);
    return 0;
}
