/*
 * names.c - name handling for DMV searches: Soundex, normalisation,
 * splitting the Nlets "LAST,FIRST MIDDLE" form, date checks, and the scores
 * that rank a phonetic name search's candidates.
 *
 * Name searches in NCIC-style systems key on the Soundex code of the last
 * name plus the date of birth, then rank what comes back; the store indexes
 * (dob, soundex of last name) and this file decides the ranking, the same
 * for every backend.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

/* Soundex digit for each letter A..Z; 0 for vowels and Y, '-' for H and W
 * (which do not separate two letters of the same code). */
static const char sx_code[26] = {
    0,   '1', '2', '3', 0,   '1', '2', '-', 0,   '2', '2', '4', '5', /* A..M */
    '5', 0,   '1', '2', '6', '2', '3', 0,   '1', '-', '2', 0,   '2', /* N..Z */
};

static int upper_letter(char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 'A';
    return c >= 'A' && c <= 'Z' ? c : 0;
}

int dg_soundex(const char *name, char out[DG_SOUNDEX_LEN + 1])
{
    const char *p = name;
    int first = 0;
    while (*p && !(first = upper_letter(*p)))
        p++;
    if (!first) {
        out[0] = '\0';
        return DG_EINVAL;
    }
    int n = 0;
    out[n++] = (char)first;
    char prev = sx_code[first - 'A']; /* the first letter's code counts as "previous" */
    for (p++; *p && n < DG_SOUNDEX_LEN; p++) {
        int c = upper_letter(*p);
        if (!c)
            continue;
        char code = sx_code[c - 'A'];
        if (code == '-')
            continue; /* H, W: transparent */
        if (code == 0) {
            prev = 0; /* a vowel separates equal codes */
            continue;
        }
        if (code != prev)
            out[n++] = code;
        prev = code;
    }
    while (n < DG_SOUNDEX_LEN)
        out[n++] = '0';
    out[n] = '\0';
    return 0;
}

size_t dg_name_normalize(const char *in, char *out, size_t outlen)
{
    size_t n = 0;
    if (!outlen)
        return 0;
    for (const char *p = in; *p && n + 1 < outlen; p++) {
        int c = upper_letter(*p);
        if (c)
            out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

/* Copy [s, e) upper-cased, trimming spaces; DG_EINVAL when too long. */
static int name_part(const char *s, const char *e, char *out, const char *what,
                     struct dg_error *err)
{
    while (s < e && *s == ' ')
        s++;
    while (e > s && e[-1] == ' ')
        e--;
    if (e - s > DG_NAME_PART_MAX)
        return dg_error_set(err, DG_EINVAL, "NAM", -1, "%s name longer than %d characters", what,
                            DG_NAME_PART_MAX);
    size_t n = 0;
    for (; s < e; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || c == ' ' || c == '-' || c == '\''))
            return dg_error_set(err, DG_EINVAL, "NAM", -1,
                                "%s name has a character other than letters, space, '-' and '''",
                                what);
        out[n++] = c;
    }
    out[n] = '\0';
    return 0;
}

int dg_name_split(const char *nam, char last[DG_NAME_PART_MAX + 1],
                  char first[DG_NAME_PART_MAX + 1], char middle[DG_NAME_PART_MAX + 1],
                  struct dg_error *err)
{
    const char *comma = strchr(nam, ',');
    if (!comma)
        return dg_error_set(err, DG_EINVAL, "NAM", -1, "name must be 'LAST,FIRST MIDDLE'");
    int rc = name_part(nam, comma, last, "last", err);
    if (rc)
        return rc;
    if (!last[0])
        return dg_error_set(err, DG_EINVAL, "NAM", 0, "last name is empty");
    const char *rest = comma + 1;
    while (*rest == ' ')
        rest++;
    const char *end = rest + strlen(rest);
    const char *sp = strchr(rest, ' ');
    if ((rc = name_part(rest, sp ? sp : end, first, "first", err)))
        return rc;
    if ((rc = name_part(sp ? sp + 1 : end, end, middle, "middle", err)))
        return rc;
    if (strchr(first, ',') || strchr(middle, ','))
        return dg_error_set(err, DG_EINVAL, "NAM", -1, "name has more than one comma");
    return 0;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int dg_date_validate(const char *s, size_t n)
{
    if (n != DG_DATE_LEN || s[4] != '-' || s[7] != '-')
        return DG_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return DG_EINVAL;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1)
        return DG_EINVAL;
    int max = mdays[m - 1] + (m == 2 && leap(y));
    return d <= max ? 0 : DG_EINVAL;
}

/* ---- ranking ---------------------------------------------------------------------- */

void dg__name_key_init(struct dg__name_key *k, const struct dg_name_query *q)
{
    dg_name_normalize(q->last, k->last, sizeof(k->last));
    dg_name_normalize(q->first ? q->first : "", k->first, sizeof(k->first));
    dg_name_normalize(q->middle ? q->middle : "", k->middle, sizeof(k->middle));
    if (dg_soundex(k->last, k->last_sx))
        k->last_sx[0] = '\0';
    if (dg_soundex(k->first, k->first_sx))
        k->first_sx[0] = '\0';
    k->sex = q->sex;
}

/* Middle names agree when either is absent, they are equal, or one is the
 * other's initial. */
static int middle_agrees(const char *q, const char *r)
{
    if (!q[0] || !r[0])
        return 1;
    if (strcmp(q, r) == 0)
        return 1;
    return (q[1] == '\0' || r[1] == '\0') && q[0] == r[0];
}

int dg__name_score(const struct dg__name_key *k, const char *last, const char *first,
                   const char *middle, char sex)
{
    if (k->sex && sex != k->sex)
        return 0;
    char l[DG_NAME_PART_MAX + 1], f[DG_NAME_PART_MAX + 1], m[DG_NAME_PART_MAX + 1];
    dg_name_normalize(last, l, sizeof(l));
    int last_eq = strcmp(l, k->last) == 0;
    if (!k->first[0])
        return last_eq ? DG_MATCH_EXACT : DG_MATCH_SX_ONLY;
    dg_name_normalize(first, f, sizeof(f));
    if (strcmp(f, k->first) == 0) {
        if (!last_eq)
            return DG_MATCH_SX_FIRST;
        dg_name_normalize(middle, m, sizeof(m));
        return middle_agrees(k->middle, m) ? DG_MATCH_EXACT : DG_MATCH_EXACT_LF;
    }
    char fsx[DG_SOUNDEX_LEN + 1];
    int first_sx =
        f[0] && k->first_sx[0] && dg_soundex(f, fsx) == 0 && strcmp(fsx, k->first_sx) == 0;
    int initial = f[0] && f[0] == k->first[0];
    if (last_eq)
        return first_sx  ? DG_MATCH_LAST_FIRST_SX
               : initial ? DG_MATCH_LAST_INITIAL
                         : DG_MATCH_LAST_ONLY;
    return first_sx ? DG_MATCH_SX_SX : initial ? DG_MATCH_SX_INITIAL : DG_MATCH_SX_ONLY;
}

int dg__candidate_slot(struct dg_candidate *out, size_t *n, size_t max, int score)
{
    if (max == 0)
        return -1;
    size_t pos = *n;
    while (pos > 0 && out[pos - 1].score < score)
        pos--;
    if (pos >= max)
        return -1;
    size_t keep = *n < max ? *n : max - 1; /* entries that stay */
    if (keep > pos)
        memmove(&out[pos + 1], &out[pos], (keep - pos) * sizeof(*out));
    if (*n < max)
        (*n)++;
    return (int)pos;
}
