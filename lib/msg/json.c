/*
 * json.c - the JSON form of messages, for the HTTP API.
 *
 *   {"key":"DQ","ori":"AZ0070000","dest":["CO"],"ctl":"R42",
 *    "fields":{"OLN":"D12345678","OLS":"CO","PUR":"C","ATN":"DET J RIVERA"}}
 *   {"key":"DR","ori":"AZ0070000","src":"CO","ctl":"R42",
 *    "fields":{"MID":"...","STS":"FOUND"},"records":[{"REC":"DRV","NAM":"..."}]}
 *
 * cJSON does the parsing (STYLE.md: use the well-kept library); around it we
 * do what it does not: a size limit, a UTF-8 check of the whole input before
 * parsing (cJSON passes bad UTF-8 through), a ban on \u0000 (cJSON would cut
 * the string there, silently), duplicate members (cJSON keeps both), and the
 * exact shape: every member known, every value a string where one is meant.
 * The values then go through the same checks as the text form's.
 */
#include "msg_int.h"

#include <cjson/cJSON.h>

#include <string.h>

/* Check that s is UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF) and has no \u0000 escape inside a string. */
static int prescan(const char *s, size_t n, struct dg_error *err)
{
    const unsigned char *p = (const unsigned char *)s;
    int in_str = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c == '"')
                in_str = !in_str;
            else if (c == '\\' && in_str) {
                if (i + 5 < n && p[i + 1] == 'u' && memcmp(p + i + 2, "0000", 4) == 0)
                    return dg_error_set(err, DG_EMSGCHAR, "", (long)i,
                                        "\\u0000 at offset %zu: a NUL character is not allowed", i);
                i += 2; /* the escaped character is ASCII or the parser rejects it */
                continue;
            }
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0)
                lo = 0xa0;
            else if (c == 0xed)
                hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0)
                lo = 0x90;
            else if (c == 0xf4)
                hi = 0x8f;
        } else {
            return dg_error_set(err, DG_EMSGUTF8, "", (long)i,
                                "byte 0x%02x at offset %zu cannot start a UTF-8 character", c, i);
        }
        for (size_t k = 1; k < len; k++) {
            unsigned char lim_lo = k == 1 ? lo : 0x80, lim_hi = k == 1 ? hi : 0xbf;
            if (i + k >= n || p[i + k] < lim_lo || p[i + k] > lim_hi)
                return dg_error_set(err, DG_EMSGUTF8, "", (long)i,
                                    "bad UTF-8 sequence starting at offset %zu", i);
        }
        i += len;
    }
    return 0;
}

static int parse_doc(const char *s, size_t n, size_t limit, cJSON **out, struct dg_error *err)
{
    if (n > limit)
        return dg_error_set(err, DG_EMSGTOOLONG, "", (long)limit,
                            "the message is longer than the limit of %zu bytes", limit);
    int rc = prescan(s, n, err);
    if (rc)
        return rc;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(s, n, &end, 0);
    if (!doc) {
        /* cJSON's position is where it stopped, at or just after the fault. */
        long off = end && end >= s && end <= s + n ? (long)(end - s) : -1;
        if (n == 0)
            return dg_error_set(err, DG_EMSGJSON, "", 0, "the message is empty");
        return dg_error_set(err, DG_EMSGJSON, "", off, "malformed JSON near offset %ld", off);
    }
    for (const char *p = end; p < s + n; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            cJSON_Delete(doc);
            return dg_error_set(err, DG_EMSGJSON, "", (long)(p - s),
                                "text after the end of the JSON message at offset %ld",
                                (long)(p - s));
        }
    }
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return dg_error_set(err, DG_EMSGJSONTYPE, "", 0, "a message in JSON is an object {...}");
    }
    *out = doc;
    return 0;
}

/* The members of a message object that the caller knows, by name. */
enum { J_KEY, J_ORI, J_DEST, J_SRC, J_CTL, J_FIELDS, J_RECORDS, J__COUNT };
static const char *const jnames[J__COUNT] = {"key", "ori",    "dest",   "src",
                                             "ctl", "fields", "records"};
static const char *const jfield[J__COUNT] = {"KEY", "ORI", "DEST", "SRC", "CTL", "", ""};

static int str_of(const cJSON *it, const char *field, const char **s, size_t *n,
                  struct dg_error *err)
{
    if (!cJSON_IsString(it) || !it->valuestring)
        return dg_error_set(err, DG_EMSGJSONTYPE, field, -1, "%s must be a JSON string", field);
    *s = it->valuestring;
    *n = strlen(it->valuestring);
    return 0;
}

/* Sort the top-level members into m[]; unknown or repeated members fail. */
static int top_members(const cJSON *doc, const cJSON *m[J__COUNT], struct dg_error *err)
{
    memset(m, 0, sizeof(*m) * J__COUNT);
    for (const cJSON *c = doc->child; c; c = c->next) {
        int k = 0;
        while (k < J__COUNT && strcmp(c->string, jnames[k]) != 0)
            k++;
        if (k == J__COUNT) {
            char shown[9];
            dg__tag_for_error(c->string, strlen(c->string), shown, sizeof(shown));
            return dg_error_set(err, DG_EMSGJSONKEY, shown, -1,
                                "'%s' is not a member of a message: key, ori, dest or src, ctl, "
                                "fields, records",
                                shown);
        }
        if (m[k])
            return dg_error_set(err, DG_EMSGJSONDUP, jfield[k][0] ? jfield[k] : jnames[k], -1,
                                "\"%s\" is given twice", jnames[k]);
        m[k] = c;
    }
    return 0;
}

/* key and ori, common to requests and responses. */
static int head(const cJSON *m[J__COUNT], int *key, const char **ori, struct dg_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    if (!m[J_KEY])
        return dg_error_set(err, DG_EMSGHEADER, "KEY", -1, "the message has no \"key\"");
    int rc = str_of(m[J_KEY], "KEY", &s, &n, err);
    if (rc)
        return rc;
    *key = dg_key_parse(s, n);
    if (*key < 0) {
        char shown[9];
        dg__tag_for_error(s, n, shown, sizeof(shown));
        return dg_error_set(err, DG_EMSGKEY, "KEY", -1,
                            "'%s' is not a message key: DQ, RQ, IQ, DR, RR, IR or ER", shown);
    }
    if (!m[J_ORI])
        return dg_error_set(err, DG_EMSGHEADER, "ORI", -1, "the message has no \"ori\"");
    if ((rc = str_of(m[J_ORI], "ORI", &s, &n, err)))
        return rc;
    if ((rc = dg__check_ori(s, n, -1, err)))
        return rc;
    *ori = s;
    return 0;
}

static int ctl_of(const cJSON *it, char ctl[11], struct dg_error *err)
{
    ctl[0] = '\0';
    if (!it)
        return 0;
    const char *s = NULL;
    size_t n = 0;
    int rc = str_of(it, "CTL", &s, &n, err);
    if (rc == 0)
        rc = dg__check_ctl(s, n, -1, err);
    if (rc == 0)
        memcpy(ctl, s, n + 1);
    return rc;
}

/* Each member of a "fields" or record object: a tag and a string. */
typedef int (*field_fn)(void *ctx, enum dg_msg_tag tag, const struct dg__val *v,
                        struct dg_error *err);

static int each_field(const cJSON *obj, const char *what, void *ctx, field_fn fn,
                      struct dg_error *err)
{
    if (!cJSON_IsObject(obj))
        return dg_error_set(err, DG_EMSGJSONTYPE, "", -1, "\"%s\" must be a JSON object", what);
    for (const cJSON *c = obj->child; c; c = c->next) {
        int tag = dg_msg_tag_parse(c->string, strlen(c->string));
        char shown[9];
        dg__tag_for_error(c->string, strlen(c->string), shown, sizeof(shown));
        if (tag < 0)
            return dg_error_set(err, DG_EMSGTAG, shown, -1, "'%s' is not a known tag", shown);
        struct dg__val v = {NULL, 0, -1, NULL, 0};
        int rc = str_of(c, dg__tags[tag].name, &v.s, &v.n, err);
        if (rc == 0)
            rc = fn(ctx, (enum dg_msg_tag)tag, &v, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int req_field(void *ctx, enum dg_msg_tag tag, const struct dg__val *v, struct dg_error *err)
{
    return dg__req_set(ctx, tag, v, -1, err);
}

static int parse_req(struct dg_msg_req *req, const cJSON *doc, struct dg_error *err)
{
    const cJSON *m[J__COUNT];
    int key = 0, rc;
    const char *ori = NULL;
    if ((rc = top_members(doc, m, err)) || (rc = head(m, &key, &ori, err)))
        return rc;
    if (!dg__is_request_key(key))
        return dg_error_set(err, DG_EMSGKEYKIND, "KEY", -1,
                            "%s is a response; a request is DQ, RQ or IQ",
                            dg_key_name((enum dg_key)key));
    if (m[J_SRC] || m[J_RECORDS])
        return dg_error_set(err, DG_EMSGJSONKEY, m[J_SRC] ? "SRC" : "records", -1,
                            "\"%s\" belongs to responses, not requests",
                            m[J_SRC] ? "src" : "records");
    dg__req_reset(req, (enum dg_key)key);
    memcpy(req->ori, ori, 10);
    if (!m[J_DEST])
        return dg_error_set(err, DG_EMSGHEADER, "DEST", -1, "the request has no \"dest\"");
    if (!cJSON_IsArray(m[J_DEST]))
        return dg_error_set(err, DG_EMSGJSONTYPE, "DEST", -1,
                            "\"dest\" must be a JSON array of state codes");
    struct dg__hdr h;
    memset(&h, 0, sizeof(h));
    for (const cJSON *d = m[J_DEST]->child; d; d = d->next) {
        const char *s = NULL;
        size_t n = 0;
        if ((rc = str_of(d, "DEST", &s, &n, err)) || (rc = dg__dest_add(&h, s, n, -1, err)))
            return rc;
    }
    if (h.ndest == 0)
        return dg_error_set(err, DG_EMSGHEADER, "DEST", -1, "\"dest\" names no destination");
    req->ndest = h.ndest;
    memcpy(req->dest, h.dest, sizeof(req->dest));
    if ((rc = ctl_of(m[J_CTL], req->ctl, err)))
        return rc;
    if (m[J_FIELDS] && (rc = each_field(m[J_FIELDS], "fields", req, req_field, err)))
        return rc;
    return dg__req_finish(req, NULL, -1, err);
}

int dg_msg_req_parse_json(struct dg_msg_req *req, const char *s, size_t n, struct dg_error *err)
{
    cJSON *doc = NULL;
    int rc = parse_doc(s, n, DG_MSG_REQ_JSON_MAX, &doc, err);
    if (rc)
        return rc;
    rc = parse_req(req, doc, err);
    cJSON_Delete(doc);
    return rc;
}

/* ---- responses ---------------------------------------------------------------- */

static int resp_field(void *ctx, enum dg_msg_tag tag, const struct dg__val *v, struct dg_error *err)
{
    struct dg_msg_resp *r = ctx;
    if (tag == DG_TAG_REC)
        return dg_error_set(err, DG_EMSGRECORD, "REC", -1,
                            "REC belongs in a record of \"records\"");
    if (!(dg__tags[tag].where & (DG__W_RSP | DG__W_ER)) && r->nrec == 0)
        return dg_error_set(err, DG_EMSGTAGKEY, dg__tags[tag].name, -1,
                            "%s is not a response-level field: %s", dg__tags[tag].name,
                            dg__tags[tag].where & (DG__W_DRV | DG__W_VEH)
                                ? "record fields go in \"records\""
                                : "it belongs in requests");
    return dg__resp_set(r, tag, v, -1, err);
}

static int parse_record(struct dg_msg_resp *r, const cJSON *obj, struct dg_error *err)
{
    if (!cJSON_IsObject(obj))
        return dg_error_set(err, DG_EMSGJSONTYPE, "REC", -1,
                            "each of \"records\" is a JSON object");
    const cJSON *rec = NULL;
    for (const cJSON *c = obj->child; c; c = c->next)
        if (strcmp(c->string, "REC") == 0) {
            if (rec)
                return dg_error_set(err, DG_EMSGDUPTAG, "REC", -1, "REC is given twice");
            rec = c;
        }
    if (!rec)
        return dg_error_set(err, DG_EMSGMISSING, "REC", -1,
                            "each record names its kind: \"REC\":\"DRV\" or \"VEH\"");
    struct dg__val v = {NULL, 0, -1, NULL, 0};
    char kind[4];
    size_t l;
    int rc = str_of(rec, "REC", &v.s, &v.n, err);
    if (rc == 0)
        rc = dg__check_value(DG_TAG_REC, &v, kind, sizeof(kind), &l, err);
    if (rc == 0)
        rc = dg__resp_add_record(r, kind[0] == 'D' ? DG_REC_DRV : DG_REC_VEH, -1, err);
    for (const cJSON *c = obj->child; c && rc == 0; c = c->next) {
        if (c == rec)
            continue;
        int tag = dg_msg_tag_parse(c->string, strlen(c->string));
        char shown[9];
        dg__tag_for_error(c->string, strlen(c->string), shown, sizeof(shown));
        if (tag < 0)
            return dg_error_set(err, DG_EMSGTAG, shown, -1, "'%s' is not a known tag", shown);
        if (dg__tags[tag].where & (DG__W_RSP | DG__W_ER))
            return dg_error_set(err, DG_EMSGTAGKEY, shown, -1,
                                "%s belongs in \"fields\", not in a record", shown);
        rc = str_of(c, shown, &v.s, &v.n, err);
        if (rc == 0)
            rc = dg__resp_set(r, (enum dg_msg_tag)tag, &v, -1, err);
    }
    return rc;
}

static int parse_resp(struct dg_msg_resp **out, const cJSON *m[J__COUNT], int key, const char *ori,
                      struct dg_error *err)
{
    *out = NULL;
    if (m[J_DEST])
        return dg_error_set(err, DG_EMSGJSONKEY, "DEST", -1,
                            "\"dest\" belongs to requests; a response has \"src\"");
    if (!m[J_SRC])
        return dg_error_set(err, DG_EMSGHEADER, "SRC", -1, "the response has no \"src\"");
    const char *src = NULL;
    size_t srclen = 0;
    int rc = str_of(m[J_SRC], "SRC", &src, &srclen, err);
    struct dg_msg_resp *r = NULL;
    if (rc == 0)
        rc = dg__resp_new(&r, (enum dg_key)key, ori, strlen(ori), src, srclen, err);
    if (rc) {
        if (rc == DG_EMSGDEST && err)
            strcpy(err->field, "SRC");
        return rc;
    }
    rc = ctl_of(m[J_CTL], r->ctl, err);
    if (rc == 0 && m[J_FIELDS])
        rc = each_field(m[J_FIELDS], "fields", r, resp_field, err);
    if (rc == 0 && m[J_RECORDS]) {
        if (!cJSON_IsArray(m[J_RECORDS]))
            rc = dg_error_set(err, DG_EMSGJSONTYPE, "REC", -1, "\"records\" is a JSON array");
        else if (key == DG_KEY_ER && m[J_RECORDS]->child)
            rc = dg_error_set(err, DG_EMSGRECORD, "REC", -1, "an ER carries no records");
        for (const cJSON *c = m[J_RECORDS]->child; c && rc == 0; c = c->next)
            rc = parse_record(r, c, err);
    }
    if (rc == 0)
        rc = dg__resp_check(r, -1, err);
    if (rc) {
        dg_msg_resp_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int dg_msg_resp_parse_json(struct dg_msg_resp **out, const char *s, size_t n, struct dg_error *err)
{
    *out = NULL;
    cJSON *doc = NULL;
    int rc = parse_doc(s, n, DG_MSG_MAX, &doc, err);
    if (rc)
        return rc;
    const cJSON *m[J__COUNT];
    int key = 0;
    const char *ori = NULL;
    if ((rc = top_members(doc, m, err)) == 0 && (rc = head(m, &key, &ori, err)) == 0) {
        if (dg__is_request_key(key))
            rc = dg_error_set(err, DG_EMSGKEYKIND, "KEY", -1,
                              "%s is a request; a response is DR, RR, IR or ER",
                              dg_key_name((enum dg_key)key));
        else
            rc = parse_resp(out, m, key, ori, err);
    }
    cJSON_Delete(doc);
    return rc;
}

int dg__json_parse_any(struct dg_msg *msg, const char *s, size_t n, struct dg_error *err)
{
    cJSON *doc = NULL;
    int rc = parse_doc(s, n, DG_MSG_MAX, &doc, err);
    if (rc)
        return rc;
    const cJSON *m[J__COUNT];
    int key = 0;
    const char *ori = NULL;
    if ((rc = top_members(doc, m, err)) == 0 && (rc = head(m, &key, &ori, err)) == 0) {
        if (!dg__is_request_key(key))
            rc = parse_resp(&msg->resp, m, key, ori, err);
        else if (n > DG_MSG_REQ_JSON_MAX)
            rc = dg_error_set(err, DG_EMSGTOOLONG, "", DG_MSG_REQ_JSON_MAX,
                              "the request is longer than the limit of %d bytes",
                              DG_MSG_REQ_JSON_MAX);
        else
            rc = parse_req(&msg->req, doc, err);
        if (rc == 0)
            msg->key = (enum dg_key)key;
    }
    cJSON_Delete(doc);
    return rc;
}

int dg_msg_resp_to_json(const struct dg_msg_resp *r, struct dg_buf *out, struct dg_error *err)
{
    int rc = dg_msg_resp_check(r, err);
    if (rc)
        return rc;
    rc = dg_buf_printf(out, "{\"key\":\"%s\",\"ori\":\"%s\",\"src\":\"%s\"", dg_key_name(r->key),
                       r->ori, r->src);
    if (rc == 0 && r->ctl[0])
        rc = dg_buf_printf(out, ",\"ctl\":\"%s\"", r->ctl);
    if (rc == 0)
        rc = dg_buf_addstr(out, ",\"fields\":{");
    const char *sep = "";
    for (int t = 0; t < DG_TAG__COUNT && rc == 0; t++)
        if (r->val[t]) {
            rc = dg_buf_printf(out, "%s\"%s\":", sep, dg__tags[t].name);
            if (rc == 0)
                rc = dg_buf_add_json_str(out, r->val[t], strlen(r->val[t]));
            sep = ",";
        }
    if (rc == 0)
        rc = dg_buf_addc(out, '}');
    if (rc == 0 && r->key != DG_KEY_ER) {
        rc = dg_buf_addstr(out, ",\"records\":[");
        for (int i = 0; i < r->nrec && rc == 0; i++) {
            rc = dg_buf_printf(out, "%s{\"REC\":\"%s\"", i ? "," : "",
                               dg_msg_resp_get(r, i, DG_TAG_REC));
            for (int t = 0; t < DG_TAG__COUNT && rc == 0; t++)
                if (r->rec[i].val[t]) {
                    rc = dg_buf_printf(out, ",\"%s\":", dg__tags[t].name);
                    if (rc == 0)
                        rc = dg_buf_add_json_str(out, r->rec[i].val[t], strlen(r->rec[i].val[t]));
                }
            if (rc == 0)
                rc = dg_buf_addc(out, '}');
        }
        if (rc == 0)
            rc = dg_buf_addc(out, ']');
    }
    if (rc == 0)
        rc = dg_buf_addc(out, '}');
    return rc;
}
