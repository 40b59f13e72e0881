/*
 * answers.c - reading what the hub sends back (include/dmvgate/client.h):
 * split an answer into one response per destination, and render a response
 * for a person at a terminal. The hub concatenates text answers and wraps
 * JSON ones in {"answers":[...]} (docs/hub.md); each piece is then parsed
 * strictly by lib/msg, so the client shows only what is a valid message.
 */
#include <dmvgate/client.h>

#include <cjson/cJSON.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- splitting -------------------------------------------------------------- */

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alnum_upper(char c)
{
    return is_upper(c) || (c >= '0' && c <= '9');
}

/* Whether the line at p (n bytes to the end of the input) starts with a
 * response header: DR|RR|IR|ER "." ORI(9) "." SRC(2) ["." "*" CTL] ".TXT".
 * A body line never does: it starts with a tag and '/' or with '.'. */
static bool response_header(const char *p, size_t n)
{
    if (n < 19)
        return false;
    if (!((p[0] == 'D' || p[0] == 'R' || p[0] == 'I' || p[0] == 'E') && p[1] == 'R' && p[2] == '.'))
        return false;
    for (int i = 3; i < 12; i++)
        if (!is_alnum_upper(p[i]))
            return false;
    if (p[12] != '.' || !is_upper(p[13]) || !is_upper(p[14]) || p[15] != '.')
        return false;
    size_t i = 16;
    if (p[i] == '*') {
        i++;
        size_t k = 0;
        while (i < n && is_alnum_upper(p[i]) && k < 10)
            i++, k++;
        if (k == 0 || i >= n || p[i] != '.')
            return false;
        i++;
    }
    return i + 3 <= n && memcmp(p + i, "TXT", 3) == 0;
}

static void free_all(struct dg_msg_resp **out, int n)
{
    for (int i = 0; i < n; i++) {
        dg_msg_resp_free(out[i]);
        out[i] = NULL;
    }
}

static int split_text(const char *s, size_t n, struct dg_msg_resp **out, int max,
                      struct dg_error *err)
{
    int count = 0;
    size_t start = 0;
    while (start < n && (s[start] == '\n' || s[start] == '\r'))
        start++;
    if (start == n)
        return dg_error_set(err, DG_EMSGEMPTY, NULL, 0, "the answer is empty");
    while (start < n) {
        /* The next response starts at the next line that is a header. */
        size_t end = start;
        for (;;) {
            const char *nl = memchr(s + end, '\n', n - end);
            if (!nl) {
                end = n;
                break;
            }
            end = (size_t)(nl - s) + 1;
            if (end < n && response_header(s + end, n - end))
                break;
        }
        size_t len = end - start;
        while (len && (s[start + len - 1] == '\n' || s[start + len - 1] == '\r'))
            len--;
        if (count == max) {
            free_all(out, count);
            return dg_error_set(err, DG_ETOOBIG, NULL, (long)start,
                                "the answer holds more than %d responses", max);
        }
        int rc = dg_msg_resp_parse_text(&out[count], s + start, len, err);
        if (rc != 0) {
            if (err && err->offset >= 0)
                err->offset += (long)start;
            free_all(out, count);
            return rc;
        }
        count++;
        start = end;
        while (start < n && (s[start] == '\n' || s[start] == '\r'))
            start++;
    }
    return count;
}

static int parse_json_item(const cJSON *item, struct dg_msg_resp **out, struct dg_error *err)
{
    char *text = cJSON_PrintUnformatted(item);
    if (!text)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    int rc = dg_msg_resp_parse_json(out, text, strlen(text), err);
    cJSON_free(text);
    return rc;
}

static int split_json(const char *s, size_t n, struct dg_msg_resp **out, int max,
                      struct dg_error *err)
{
    cJSON *doc = cJSON_ParseWithLength(s, n);
    if (!doc)
        return dg_error_set(err, DG_EMSGJSON, NULL, -1, "the answer is not valid JSON");
    int count = 0, rc = 0;
    const cJSON *answers = cJSON_GetObjectItemCaseSensitive(doc, "answers");
    if (cJSON_IsObject(doc) && cJSON_IsArray(answers)) {
        const cJSON *item;
        cJSON_ArrayForEach(item, answers)
        {
            if (count == max) {
                rc = dg_error_set(err, DG_ETOOBIG, NULL, -1,
                                  "the answer holds more than %d responses", max);
                break;
            }
            if ((rc = parse_json_item(item, &out[count], err)) != 0)
                break;
            count++;
        }
        if (rc == 0 && count == 0)
            rc = dg_error_set(err, DG_EMSGEMPTY, "answers", -1, "the answer lists no responses");
    } else if (max > 0) {
        rc = dg_msg_resp_parse_json(&out[0], s, n, err);
        count = rc == 0 ? 1 : 0;
    }
    cJSON_Delete(doc);
    if (rc != 0) {
        free_all(out, count);
        return rc;
    }
    return count;
}

int dg_client_answers_parse(const char *body, size_t n, struct dg_msg_resp **out, int max,
                            struct dg_error *err)
{
    if (n > DG_CLIENT_ANSWER_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "the answer is over %u bytes",
                            DG_CLIENT_ANSWER_MAX);
    if (dg_msg_sniff(body, n) == DG_MSG_JSON)
        return split_json(body, n, out, max, err);
    return split_text(body, n, out, max, err);
}

/* ---- rendering -------------------------------------------------------------- */

/* What a person calls each field of a record. */
static const char *label(enum dg_msg_tag t)
{
    switch (t) {
    case DG_TAG_OLN: return "license number";
    case DG_TAG_OLS: return "license state";
    case DG_TAG_NAM: return "name";
    case DG_TAG_DOB: return "date of birth";
    case DG_TAG_SEX: return "sex";
    case DG_TAG_HGT: return "height";
    case DG_TAG_EYE: return "eyes";
    case DG_TAG_ADR: return "address";
    case DG_TAG_CLS: return "license class";
    case DG_TAG_STA: return "license status";
    case DG_TAG_ISS: return "issued";
    case DG_TAG_EXP: return "expires";
    case DG_TAG_RST: return "restrictions";
    case DG_TAG_LPF: return "lawful presence";
    case DG_TAG_PMT: return "photo type";
    case DG_TAG_LIC: return "plate";
    case DG_TAG_LIS: return "plate state";
    case DG_TAG_LIT: return "plate type";
    case DG_TAG_LIY: return "plate year";
    case DG_TAG_VIN: return "VIN";
    case DG_TAG_VYR: return "model year";
    case DG_TAG_VMA: return "make";
    case DG_TAG_VMO: return "model";
    case DG_TAG_VCO: return "colour";
    case DG_TAG_REX: return "registration expires";
    case DG_TAG_OWN: return "owner";
    case DG_TAG_OAD: return "owner's address";
    default: return NULL;
    }
}

static bool is_date_tag(enum dg_msg_tag t)
{
    return t == DG_TAG_DOB || t == DG_TAG_ISS || t == DG_TAG_EXP || t == DG_TAG_REX;
}

static int render_value(enum dg_msg_tag t, const char *v, struct dg_buf *out)
{
    if (is_date_tag(t) && strlen(v) == 8)
        return dg_buf_printf(out, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
    if (t == DG_TAG_HGT && strlen(v) == 3)
        return dg_buf_printf(out, "%c'%.2s\"", v[0], v + 1);
    if (t == DG_TAG_LPF)
        return dg_buf_addstr(out, v[0] == 'N' ? "N (license issued without proof)" : v);
    return dg_buf_addstr(out, v);
}

static int render_record(const struct dg_msg_resp *r, int rec, struct dg_buf *out)
{
    int kind = dg_msg_resp_record_kind(r, rec);
    int rc = dg_buf_printf(out, "  record %d: %s\n", rec + 1,
                           kind == DG_REC_DRV   ? "driver"
                           : kind == DG_REC_VEH ? "vehicle"
                                                : "record");
    for (int t = 0; rc == 0 && t < DG_TAG__COUNT; t++) {
        const char *v = dg_msg_resp_get(r, rec, (enum dg_msg_tag)t);
        if (!v)
            continue;
        if (t == DG_TAG_PHO) {
            /* base64: four characters carry three bytes */
            size_t n = strlen(v), pad = n >= 2 ? (v[n - 1] == '=') + (v[n - 2] == '=') : 0;
            rc = dg_buf_printf(out, "    %-21s %zu bytes (see --photos)\n", "photo",
                               n / 4 * 3 - pad);
            continue;
        }
        const char *l = label((enum dg_msg_tag)t);
        if (!l)
            continue;
        rc = dg_buf_printf(out, "    %-21s ", l);
        if (rc == 0)
            rc = render_value((enum dg_msg_tag)t, v, out);
        if (rc == 0)
            rc = dg_buf_addc(out, '\n');
    }
    return rc;
}

int dg_client_render(const struct dg_msg_resp *r, struct dg_buf *out)
{
    enum dg_msg_status st = dg_msg_resp_status(r);
    const char *mid = dg_msg_resp_get(r, -1, DG_TAG_MID);
    int rc = dg_buf_printf(out, "%s: %s (%s to %s%s%s)\n", dg_msg_resp_src(r),
                           dg_msg_status_name(st), dg_key_name(dg_msg_resp_key(r)),
                           dg_msg_resp_ori(r), mid ? ", MID " : "", mid ? mid : "");
    if (rc != 0)
        return rc;
    const char *erc = dg_msg_resp_get(r, -1, DG_TAG_ERC), *ert = dg_msg_resp_get(r, -1, DG_TAG_ERT);
    const char *erf = dg_msg_resp_get(r, -1, DG_TAG_ERF), *ero = dg_msg_resp_get(r, -1, DG_TAG_ERO);
    const char *rul = dg_msg_resp_get(r, -1, DG_TAG_RUL);
    if (erc || ert) {
        int code = erc ? -atoi(erc) : 0;
        rc = dg_buf_printf(out, "  error %s (%s): %s\n", erc ? erc : "?", dg_errname(code),
                           ert ? ert : dg_strerror(code));
    }
    if (rc == 0 && erf)
        rc = dg_buf_printf(out, "  field %s%s%s\n", erf, ero ? " at offset " : "", ero ? ero : "");
    if (rc == 0 && rul)
        rc = dg_buf_printf(out, "  rule: %s\n", rul);
    if (rc == 0 && st == DG_STS_HELD)
        rc = dg_buf_printf(out,
                           "  held for a state reviewer: ask again with --poll %s --state %s,"
                           " or wait with --wait SECONDS\n",
                           mid ? mid : "MID", dg_msg_resp_src(r));
    if (rc == 0 && st == DG_STS_NOTFOUND)
        rc = dg_buf_addstr(out, "  no record matches\n");
    for (int i = 0; rc == 0 && i < dg_msg_resp_nrecords(r); i++)
        rc = render_record(r, i, out);
    return rc;
}
