/*
 * agency.c - single directory entries: ORI syntax, field checks, and the
 * entry's JSON and CSV forms.
 *
 * The checks here are the ones every way into the directory goes through
 * (CSV loading, the store, the generator), so a struct dg_agency that passed
 * dg_agency_validate can be printed, hashed and compared without more care.
 */
#include <dmvgate/agency.h>

#include <stdio.h>
#include <string.h>

static int is_upper_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int dg_ori_validate(const char *s, size_t n, struct dg_error *err)
{
    if (n != DG_ORI_LEN)
        return dg_error_set(err, DG_EBADAGENCY, "ori", -1, "an ORI has 9 characters, not %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!is_upper_alnum(s[i]))
            return dg_error_set(err, DG_EBADAGENCY, "ori", (long)i,
                                "character %zu of the ORI is not A-Z or 0-9", i + 1);
    if (dg_state_index(s, 2) < 0)
        return dg_error_set(err, DG_EBADAGENCY, "ori", 0, "ORI '%.9s' does not begin with a state",
                            s);
    return 0;
}

/* Length of the valid UTF-8 sequence starting at p (< end), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static int check_code(const char *s, size_t cap, const char *field, struct dg_error *err)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        return dg_error_set(err, DG_EBADAGENCY, field, -1, "%s longer than %zu characters", field,
                            cap - 1);
    for (size_t i = 0; i < n; i++)
        if (!is_upper_alnum(s[i]) && s[i] != '-')
            return dg_error_set(err, DG_EBADAGENCY, field, (long)i,
                                "%s '%s' has a character other than A-Z, 0-9 and '-'", field, s);
    return 0;
}

int dg_agency_validate(const struct dg_agency *a, struct dg_error *err)
{
    size_t n = strnlen(a->ori, sizeof(a->ori));
    int rc = dg_ori_validate(a->ori, n, err);
    if (rc)
        return rc;
    if (strnlen(a->state, sizeof(a->state)) != 2 || memcmp(a->state, a->ori, 2) != 0)
        return dg_error_set(err, DG_EBADAGENCY, "state", -1,
                            "state '%.2s' is not the ORI's first two characters", a->state);
    n = strnlen(a->name, sizeof(a->name));
    if (n == sizeof(a->name))
        return dg_error_set(err, DG_EBADAGENCY, "name", -1, "name longer than %zu bytes",
                            sizeof(a->name) - 1);
    if (n == 0)
        return dg_error_set(err, DG_EBADAGENCY, "name", -1, "name is empty");
    const unsigned char *p = (const unsigned char *)a->name, *end = p + n;
    while (p < end) {
        if (*p < 0x20 || *p == 0x7F)
            return dg_error_set(err, DG_EBADAGENCY, "name",
                                (long)(p - (const unsigned char *)a->name),
                                "name has a control character");
        size_t k = utf8_seq(p, end);
        if (!k)
            return dg_error_set(err, DG_EBADAGENCY, "name",
                                (long)(p - (const unsigned char *)a->name),
                                "name is not valid UTF-8");
        p += k;
    }
    if ((unsigned)a->level >= DG_LEVEL__COUNT)
        return dg_error_set(err, DG_EBADAGENCY, "level", -1, "level %d out of range",
                            (int)a->level);
    if ((unsigned)a->category >= DG_CAT__COUNT)
        return dg_error_set(err, DG_EBADAGENCY, "category", -1, "category %d out of range",
                            (int)a->category);
    if ((rc = check_code(a->department, sizeof(a->department), "department", err)) ||
        (rc = check_code(a->component, sizeof(a->component), "component", err)))
        return rc;
    if (a->component[0] && !a->department[0])
        return dg_error_set(err, DG_EBADAGENCY, "component", -1,
                            "component '%s' without a department", a->component);
    if (a->agreements & ~(uint32_t)DG_AGR_287G)
        return dg_error_set(err, DG_EBADAGENCY, "agreements", -1, "unknown agreement bits 0x%x",
                            (unsigned)(a->agreements & ~(uint32_t)DG_AGR_287G));
    return 0;
}

int dg_agency_json(const struct dg_agency *a, struct dg_buf *out)
{
    int rc = dg_buf_printf(out, "{\"ori\":\"%s\",\"name\":", a->ori);
    if (!rc)
        rc = dg_buf_add_json_str(out, a->name, strlen(a->name));
    if (!rc)
        rc = dg_buf_printf(out,
                           ",\"state\":\"%s\",\"level\":\"%s\",\"department\":\"%s\","
                           "\"component\":\"%s\",\"category\":\"%s\",\"agreements\":[",
                           a->state, dg_level_name(a->level), a->department, a->component,
                           dg_category_name(a->category));
    int first = 1;
    for (uint32_t bit = 1; !rc && bit && bit <= a->agreements; bit <<= 1) {
        if (!(a->agreements & bit) || !dg_agreement_name(bit))
            continue;
        rc = dg_buf_printf(out, "%s\"%s\"", first ? "" : ",", dg_agreement_name(bit));
        first = 0;
    }
    if (!rc)
        rc = dg_buf_addstr(out, "]}");
    return rc;
}

/* Append s as a CSV field, quoted when RFC 4180 requires it. */
static int csv_field(struct dg_buf *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        return dg_buf_addstr(out, s);
    int rc = dg_buf_addc(out, '"');
    for (const char *p = s; !rc && *p; p++)
        rc = *p == '"' ? dg_buf_add(out, "\"\"", 2) : dg_buf_addc(out, *p);
    return rc ? rc : dg_buf_addc(out, '"');
}

int dg_agency_csv_row(const struct dg_agency *a, struct dg_buf *out)
{
    int rc = dg_buf_printf(out, "%s,", a->ori);
    if (!rc)
        rc = csv_field(out, a->name);
    if (!rc)
        rc = dg_buf_printf(out, ",%s,%s,%s,%s,%s,", a->state, dg_level_name(a->level),
                           a->department, a->component, dg_category_name(a->category));
    int first = 1;
    for (uint32_t bit = 1; !rc && bit && bit <= a->agreements; bit <<= 1) {
        if (!(a->agreements & bit) || !dg_agreement_name(bit))
            continue;
        rc = dg_buf_printf(out, "%s%s", first ? "" : ";", dg_agreement_name(bit));
        first = 0;
    }
    return rc ? rc : dg_buf_addc(out, '\n');
}
