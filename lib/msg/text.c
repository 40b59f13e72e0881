/*
 * text.c - the lexer and writer of the Nlets-style text form, shared by
 * requests (req.c) and responses (resp.c).
 *
 *   KEY.ORI.DEST[,DEST...][.DEST...][.*CTL].TXT<LF>
 *   TAG/value.TAG/value. ... .TAG/value
 *
 * A period separates elements; ".." inside a value stands for one literal
 * period. A line break (LF or CRLF) may follow the header's TXT and any
 * separator; the body may also follow TXT directly, as in Nlets. Every other
 * byte must be printable ASCII. The lexer checks bytes where it knows the
 * field they belong to, so every error names a field and a byte offset.
 */
#include "msg_int.h"

#include <string.h>

static int printable(unsigned char c)
{
    return c >= 0x20 && c <= 0x7e;
}

static int bad_byte(const char *s, size_t i, const char *field, struct dg_error *err)
{
    unsigned char c = (unsigned char)s[i];
    if (c == '\n' || c == '\r')
        return dg_error_set(err, DG_EMSGCHAR, field, (long)i,
                            "a line break at offset %zu where %s was expected to continue; line "
                            "breaks may only follow TXT or a period",
                            i, field[0] ? field : "the message");
    return dg_error_set(err, DG_EMSGCHAR, field, (long)i,
                        "byte 0x%02x at offset %zu is not printable ASCII", c, i);
}

long dg__text_prepare(const char *s, size_t n, size_t limit, struct dg_error *err)
{
    if (n > 0 && s[n - 1] == '\n') {
        n--;
        if (n > 0 && s[n - 1] == '\r')
            n--;
    }
    if (n > limit)
        return dg_error_set(err, DG_EMSGTOOLONG, "", (long)limit,
                            "the message is longer than the limit of %zu bytes", limit);
    if (n == 0)
        return dg_error_set(err, DG_EMSGHEADER, "KEY", 0, "the message is empty");
    return (long)n;
}

/* The end of the header part starting at i: the next '.', line break or end.
 * Fails on a byte that is not printable. */
static int part_end(const char *s, size_t n, size_t i, const char *field, size_t *end,
                    struct dg_error *err)
{
    while (i < n && s[i] != '.') {
        if (s[i] == '\n' || s[i] == '\r')
            break;
        if (!printable((unsigned char)s[i]))
            return bad_byte(s, i, field, err);
        i++;
    }
    *end = i;
    return 0;
}

int dg__dest_add(struct dg__hdr *h, const char *d, size_t n, long off, struct dg_error *err)
{
    if (n == 0)
        return dg_error_set(err, DG_EMSGDEST, "DEST", off,
                            "a destination is missing: write state codes separated by commas");
    int nl = n == 2 && d[0] == 'N' && d[1] == 'L';
    if (!nl && !dg__is_state(d, n)) {
        char shown[9];
        dg__tag_for_error(d, n, shown, sizeof(shown));
        return dg_error_set(err, DG_EMSGDEST, "DEST", off,
                            "'%s' is not a destination: use a state or territory code, or NL for "
                            "every state",
                            shown);
    }
    if (h->ndest == DG_MSG_MAX_DEST)
        return dg_error_set(err, DG_EMSGDESTMAX, "DEST", off,
                            "a message goes to at most %d destinations", DG_MSG_MAX_DEST);
    for (int k = 0; k < h->ndest; k++) {
        if (h->dest[k][0] == d[0] && h->dest[k][1] == d[1])
            return dg_error_set(err, DG_EMSGDESTDUP, "DEST", off, "destination %c%c is given twice",
                                d[0], d[1]);
        if (nl || (h->dest[k][0] == 'N' && h->dest[k][1] == 'L'))
            return dg_error_set(err, DG_EMSGDESTDUP, "DEST", off,
                                "NL already means every state: it cannot be combined with other "
                                "destinations");
    }
    h->dest[h->ndest][0] = d[0];
    h->dest[h->ndest][1] = d[1];
    h->dest[h->ndest][2] = '\0';
    h->ndest++;
    return 0;
}

/* A header part of comma-separated destinations, s[a..b). */
static int dest_part(const char *s, size_t a, size_t b, struct dg__hdr *h, struct dg_error *err)
{
    size_t i = a;
    for (;;) {
        size_t j = i;
        while (j < b && s[j] != ',')
            j++;
        int rc = dg__dest_add(h, s + i, j - i, (long)i, err);
        if (rc || j == b)
            return rc;
        i = j + 1;
    }
}

int dg__text_header(const char *s, size_t n, struct dg__hdr *h, struct dg_error *err)
{
    size_t e = 0;
    int rc;
    memset(h, 0, sizeof(*h)); /* unused destinations are copied out: keep them zero */
    h->dest_off = -1;

    /* KEY */
    if ((rc = part_end(s, n, 0, "KEY", &e, err)))
        return rc;
    if (e == 0)
        return dg_error_set(err, DG_EMSGHEADER, "KEY", 0,
                            "the message must start with its key (DQ, RQ, IQ, DR, RR, IR, ER)");
    h->key = dg_key_parse(s, e);
    if (h->key < 0) {
        char shown[9];
        dg__tag_for_error(s, e, shown, sizeof(shown));
        return dg_error_set(err, DG_EMSGKEY, "KEY", 0,
                            "'%s' is not a message key: DQ, RQ, IQ, DR, RR, IR or ER", shown);
    }
    if (e == n || s[e] != '.')
        return dg_error_set(err, DG_EMSGHEADER, "ORI", (long)e,
                            "the header is KEY.ORI.DEST.TXT and the ORI is missing");

    /* ORI */
    size_t i = e + 1;
    if ((rc = part_end(s, n, i, "ORI", &e, err)))
        return rc;
    if (e == i)
        return dg_error_set(err, DG_EMSGHEADER, "ORI", (long)i,
                            "the header is KEY.ORI.DEST.TXT and the ORI is missing");
    if ((rc = dg__check_ori(s + i, e - i, (long)i, err)))
        return rc;
    memcpy(h->ori, s + i, 9);
    h->ori[9] = '\0';
    if (e == n || s[e] != '.')
        return dg_error_set(err, DG_EMSGHEADER, "DEST", (long)e,
                            "the header is KEY.ORI.DEST.TXT and the destination is missing");

    /* destinations, control field, TXT */
    for (;;) {
        i = e + 1;
        if (n - i >= 3 && memcmp(s + i, "TXT", 3) == 0) {
            if (h->ndest == 0)
                return dg_error_set(err, DG_EMSGHEADER, "DEST", (long)i,
                                    "the header is KEY.ORI.DEST.TXT and the destination is "
                                    "missing");
            i += 3;
            if (i < n && s[i] == '\r') {
                if (i + 1 >= n || s[i + 1] != '\n')
                    return bad_byte(s, i, "TXT", err);
                i += 2;
            } else if (i < n && s[i] == '\n') {
                i++;
            }
            h->body = i;
            return 0;
        }
        const char *field = i < n && s[i] == '*' ? "CTL" : "DEST";
        if ((rc = part_end(s, n, i, field, &e, err)))
            return rc;
        if (e == i)
            return dg_error_set(err, DG_EMSGHEADER, h->ndest ? "TXT" : "DEST", (long)i,
                                "an empty part in the header: it is KEY.ORI.DEST.TXT");
        if (h->ctl[0])
            return dg_error_set(err, DG_EMSGHEADER, "CTL", (long)i,
                                "the control field comes last in the header, just before TXT");
        if (s[i] == '*') {
            if (h->ndest == 0)
                return dg_error_set(err, DG_EMSGHEADER, "DEST", (long)i,
                                    "the destinations come before the control field");
            if ((rc = dg__check_ctl(s + i + 1, e - i - 1, (long)i + 1, err)))
                return rc;
            memcpy(h->ctl, s + i + 1, e - i - 1);
            h->ctl[e - i - 1] = '\0';
        } else {
            if (h->dest_off < 0)
                h->dest_off = (long)i;
            if ((rc = dest_part(s, i, e, h, err)))
                return rc;
        }
        if (e == n || s[e] != '.')
            return dg_error_set(err, DG_EMSGHEADER, "TXT", (long)e,
                                "the header must end with .TXT");
    }
}

int dg__text_next(const char *s, size_t n, size_t *pos, struct dg__elem *e, struct dg_error *err)
{
    size_t a = *pos, i = a;
    while (i < n && s[i] != '/' && s[i] != '.' && i - a < 8) {
        if (!printable((unsigned char)s[i]))
            return bad_byte(s, i, "", err);
        i++;
    }
    if (i == n || s[i] != '/') {
        /* Name the field by the letters it starts with, if any. */
        size_t k = a;
        while (k < i && ((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') ||
                         (s[k] >= '0' && s[k] <= '9')))
            k++;
        char shown[9];
        dg__tag_for_error(s + a, k - a, shown, sizeof(shown));
        return dg_error_set(err, DG_EMSGSYNTAX, shown, (long)a,
                            "expected a field written TAG/value at offset %zu", a);
    }
    int tag = dg_msg_tag_parse(s + a, i - a);
    if (tag < 0) {
        char shown[9];
        dg__tag_for_error(s + a, i - a, shown, sizeof(shown));
        return dg_error_set(err, DG_EMSGTAG, shown, (long)a, "'%s' is not a known tag", shown);
    }
    e->tag = tag;
    e->tag_off = a;
    e->val_off = i + 1;
    e->escaped = false;
    const char *tn = dg__tags[tag].name;
    size_t j = i + 1;
    for (;;) {
        /* Most bytes are neither a period nor out of range: skip them fast. */
        while (j < n && s[j] != '.' && printable((unsigned char)s[j]))
            j++;
        if (j == n)
            break;
        if (s[j] != '.')
            return bad_byte(s, j, tn, err);
        if (j + 1 < n && s[j + 1] == '.') {
            e->escaped = true;
            j += 2;
            continue;
        }
        break;
    }
    e->val_end = j;
    if (j < n) {
        j++; /* the separator */
        if (j < n && s[j] == '\r' && j + 1 < n && s[j + 1] == '\n')
            j += 2;
        else if (j < n && s[j] == '\n')
            j++;
        if (j == n)
            return dg_error_set(err, DG_EMSGPERIOD, tn, (long)e->val_end,
                                "the message ends with a period; the last field takes none (a "
                                "period in a value is written ..)");
    }
    *pos = j;
    return 0;
}

int dg__text_value(const char *s, const struct dg__elem *e, uint32_t max, char *out, size_t outsz,
                   struct dg__val *v, struct dg_error *err)
{
    const char *raw = s + e->val_off;
    size_t rawn = e->val_end - e->val_off;
    v->off = (long)e->val_off;
    v->raw = raw;
    v->rawn = rawn;
    if (!e->escaped) {
        v->s = raw;
        v->n = rawn;
        return 0;
    }
    size_t k = 0;
    for (size_t r = 0; r < rawn; r++) {
        if (k >= max || k + 1 >= outsz)
            return dg_error_set(err, DG_EMSGFIELDLEN, dg__tags[e->tag].name, v->off,
                                "%s is longer than its %u characters", dg__tags[e->tag].name,
                                (unsigned)max);
        out[k++] = raw[r];
        if (raw[r] == '.')
            r++; /* the lexer saw ".." */
    }
    out[k] = '\0';
    v->s = out;
    v->n = k;
    return 0;
}

int dg__text_add_value(struct dg_buf *out, const char *v, size_t n)
{
    const char *p = v, *end = v + n;
    while (p < end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        if (!dot)
            return dg_buf_add(out, p, (size_t)(end - p));
        int rc = dg_buf_add(out, p, (size_t)(dot - p) + 1);
        if (rc == 0)
            rc = dg_buf_addc(out, '.');
        if (rc)
            return rc;
        p = dot + 1;
    }
    return 0;
}

int dg__text_add_header(struct dg_buf *out, int key, const char *ori, int ndest,
                        const char (*dest)[3], const char *ctl)
{
    int rc = dg_buf_printf(out, "%s.%s.", dg_key_name((enum dg_key)key), ori);
    for (int i = 0; i < ndest && rc == 0; i++) {
        if (i)
            rc = dg_buf_addc(out, ',');
        if (rc == 0)
            rc = dg_buf_add(out, dest[i], 2);
    }
    if (rc == 0 && ctl && ctl[0])
        rc = dg_buf_printf(out, ".*%s", ctl);
    if (rc == 0)
        rc = dg_buf_add(out, ".TXT\n", 5);
    return rc;
}
