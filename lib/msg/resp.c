/*
 * resp.c - responses (DR, RR, IR, ER): the builder the node and hub use to
 * answer, the rules a whole response must meet, the accessors, and the
 * text-form parser and writer.
 *
 * A response holds its values as separately allocated strings (a photo can
 * be a few hundred kilobytes; a name search returns several records), so it
 * is an allocated object, unlike the fixed-size request. Every value goes
 * through the same checker as request values (field.c).
 */
#include "msg_int.h"

#include <stdio.h>
#include <string.h>

static int is_response_key(int k)
{
    return k == DG_KEY_DR || k == DG_KEY_RR || k == DG_KEY_IR || k == DG_KEY_ER;
}

static int status_fits(enum dg_key key, int st)
{
    if (key == DG_KEY_ER)
        return st == DG_STS_INVALID || st == DG_STS_DENIED || st == DG_STS_FAILED;
    return st == DG_STS_FOUND || st == DG_STS_NOTFOUND || st == DG_STS_HELD;
}

static int response_level(enum dg_msg_tag t)
{
    return (dg__tags[t].where & (DG__W_RSP | DG__W_ER)) != 0;
}

static int record_fits(enum dg_key key, enum dg_msg_rec kind)
{
    switch (key) {
    case DG_KEY_DR: return 1;
    case DG_KEY_RR: return kind == DG_REC_VEH;
    case DG_KEY_IR: return kind == DG_REC_DRV;
    default: return 0;
    }
}

static const char *const rec_names[DG_REC__COUNT] = {"DRV", "VEH"};

int dg__resp_new(struct dg_msg_resp **out, enum dg_key key, const char *ori, size_t orilen,
                 const char *src, size_t srclen, struct dg_error *err)
{
    *out = NULL;
    if (!is_response_key((int)key))
        return dg_error_set(err, DG_EMSGKEYKIND, "KEY", -1,
                            "a response is DR, RR, IR or ER, not %s", dg_key_name(key));
    int rc = dg__check_ori(ori, orilen, -1, err);
    if (rc)
        return rc;
    if (!(srclen == 2 && ((src[0] == 'N' && src[1] == 'L') || dg__is_state(src, 2))))
        return dg_error_set(err, DG_EMSGDEST, "DEST", -1,
                            "the source of a response is the state that answers, or NL for the "
                            "hub");
    struct dg_msg_resp *r = dg_calloc(1, sizeof(*r));
    if (!r)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    r->key = key;
    r->status = DG_STS__COUNT; /* not given yet */
    memcpy(r->ori, ori, 9);
    memcpy(r->src, src, 2);
    *out = r;
    return 0;
}

int dg__resp_add_record(struct dg_msg_resp *r, enum dg_msg_rec kind, long tag_off,
                        struct dg_error *err)
{
    if ((unsigned)kind >= DG_REC__COUNT)
        return dg_error_set(err, DG_EMSGRECORD, "REC", tag_off, "a record is DRV or VEH");
    if (!record_fits(r->key, kind))
        return dg_error_set(err, DG_EMSGRECORD, "REC", tag_off, "%s %s carries no %s records",
                            dg__article(r->key), dg_key_name(r->key), rec_names[kind]);
    if (r->nrec == DG_MSG_MAX_RECORDS)
        return dg_error_set(err, DG_EMSGRECORD, "REC", tag_off,
                            "a response carries at most %d records", DG_MSG_MAX_RECORDS);
    r->rec[r->nrec].kind = kind;
    r->nrec++;
    return 0;
}

int dg__resp_set(struct dg_msg_resp *r, enum dg_msg_tag tag, const struct dg__val *v, long tag_off,
                 struct dg_error *err)
{
    const char *tn = dg__tags[tag].name;
    char **slot;
    if (tag == DG_TAG_REC)
        return dg_error_set(err, DG_EINTERNAL, tn, tag_off, "REC starts a record");
    if (response_level(tag)) {
        if ((dg__tags[tag].where & DG__W_ER) && !(dg__tags[tag].where & DG__W_RSP) &&
            r->key != DG_KEY_ER)
            return dg_error_set(err, DG_EMSGTAGKEY, tn, tag_off, "%s belongs in an ER, not %s %s",
                                tn, dg__article(r->key), dg_key_name(r->key));
        if (r->nrec > 0)
            return dg_error_set(err, DG_EMSGTAGKEY, tn, tag_off,
                                "%s belongs before the first record", tn);
        slot = &r->val[tag];
    } else {
        unsigned w = dg__tags[tag].where & (DG__W_DRV | DG__W_VEH);
        if (!w)
            return dg_error_set(err, DG_EMSGTAGKEY, tn, tag_off,
                                "%s belongs in requests, not in %s %s", tn, dg__article(r->key),
                                dg_key_name(r->key));
        if (r->nrec == 0)
            return dg_error_set(err, DG_EMSGRECORD, tn, tag_off,
                                "%s is a record field: start a record (REC/DRV or REC/VEH) first",
                                tn);
        struct dg__rec *rec = &r->rec[r->nrec - 1];
        if (!(w & (rec->kind == DG_REC_DRV ? DG__W_DRV : DG__W_VEH)))
            return dg_error_set(err, DG_EMSGTAGKEY, tn, tag_off,
                                "%s does not belong in a %s record", tn, rec_names[rec->kind]);
        slot = &rec->val[tag];
    }
    if (*slot)
        return dg_error_set(err, DG_EMSGDUPTAG, tn, tag_off, "%s is given twice", tn);
    if (r->values_len + v->n > DG_MSG_VALUES_MAX)
        return dg_error_set(err, DG_EMSGTOOLONG, tn, v->off,
                            "the values of one response add up to more than %d bytes",
                            DG_MSG_VALUES_MAX);
    size_t sz = v->n + 9, len;
    char *out = dg_malloc(sz);
    if (!out)
        return dg_error_set(err, DG_ENOMEM, tn, -1, NULL);
    int rc = dg__check_value(tag, v, out, sz, &len, err);
    if (rc == 0 && tag == DG_TAG_STS) {
        int st = dg_msg_status_parse(out, len);
        if (!status_fits(r->key, st))
            rc = dg_error_set(err, DG_EMSGSTATUS, tn, v->off, "%s is not a status of %s %s%s", out,
                              dg__article(r->key), dg_key_name(r->key),
                              r->key == DG_KEY_ER ? " (INVALID, DENIED or FAILED)"
                                                  : " (FOUND, NOTFOUND or HELD)");
        else
            r->status = (enum dg_msg_status)st;
    }
    if (rc) {
        dg_free(out);
        return rc;
    }
    if (dg__tags[tag].field & r->redact) {
        dg_free(out); /* redacted: dropped, on purpose and without a trace */
        return 0;
    }
    *slot = out;
    r->values_len += len;
    return 0;
}

int dg__resp_check(const struct dg_msg_resp *r, long end, struct dg_error *err)
{
    if (!r->val[DG_TAG_MID])
        return dg_error_set(err, DG_EMSGMISSING, "MID", end,
                            "a response needs MID, its message id");
    if (!r->val[DG_TAG_STS])
        return dg_error_set(err, DG_EMSGMISSING, "STS", end, "a response needs STS, its status");
    if (r->status == DG_STS_FOUND && r->nrec == 0)
        return dg_error_set(err, DG_EMSGRECORD, "STS", end,
                            "STS/FOUND needs at least one record (REC/...)");
    if ((r->status == DG_STS_NOTFOUND || r->status == DG_STS_HELD) && r->nrec > 0)
        return dg_error_set(err, DG_EMSGRECORD, "REC", end, "STS/%s carries no records",
                            dg_msg_status_name(r->status));
    if (r->key == DG_KEY_ER) {
        if (!r->val[DG_TAG_ERC])
            return dg_error_set(err, DG_EMSGMISSING, "ERC", end, "an ER needs ERC, its error code");
        if (!r->val[DG_TAG_ERT])
            return dg_error_set(err, DG_EMSGMISSING, "ERT", end,
                                "an ER needs ERT, the reason as a sentence");
        if (r->status == DG_STS_DENIED && !r->val[DG_TAG_RUL])
            return dg_error_set(err, DG_EMSGMISSING, "RUL", end,
                                "a refusal (STS/DENIED) names the rule that refused in RUL");
        if (r->status != DG_STS_DENIED && r->val[DG_TAG_RUL])
            return dg_error_set(err, DG_EMSGTAGKEY, "RUL", end,
                                "RUL goes with STS/DENIED only, not STS/%s",
                                dg_msg_status_name(r->status));
    }
    for (int i = 0; i < r->nrec; i++) {
        const struct dg__rec *rec = &r->rec[i];
        if (!rec->val[DG_TAG_PHO] != !rec->val[DG_TAG_PMT])
            return dg_error_set(err, DG_EMSGMISSING, rec->val[DG_TAG_PHO] ? "PMT" : "PHO", end,
                                "record %d has %s without %s", i + 1,
                                rec->val[DG_TAG_PHO] ? "a photo (PHO)" : "a media type (PMT)",
                                rec->val[DG_TAG_PHO] ? "its media type (PMT)" : "a photo (PHO)");
    }
    return 0;
}

int dg_msg_resp_check(const struct dg_msg_resp *r, struct dg_error *err)
{
    return dg__resp_check(r, -1, err);
}

/* ---- the builder ------------------------------------------------------------ */

static int set_str(struct dg_msg_resp *r, enum dg_msg_tag tag, const char *s, struct dg_error *err)
{
    struct dg__val v = {s, strlen(s), -1, NULL, 0};
    return dg__resp_set(r, tag, &v, -1, err);
}

int dg_msg_resp_begin(struct dg_msg_resp **out, enum dg_key key, const char *ori, const char *src,
                      const char *mid, enum dg_msg_status status, struct dg_error *err)
{
    *out = NULL;
    if (!ori || !src || !mid)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "ori, src and mid are required");
    struct dg_msg_resp *r;
    int rc = dg__resp_new(&r, key, ori, strlen(ori), src, strlen(src), err);
    if (rc)
        return rc;
    if ((unsigned)status >= DG_STS__COUNT)
        rc = dg_error_set(err, DG_EMSGVALUE, "STS", -1, "no such status");
    if (rc == 0)
        rc = set_str(r, DG_TAG_MID, mid, err);
    if (rc == 0)
        rc = set_str(r, DG_TAG_STS, dg_msg_status_name(status), err);
    if (rc) {
        dg_msg_resp_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int dg_msg_resp_begin_for(struct dg_msg_resp **out, const struct dg_msg_req *req, const char *src,
                          const char *mid, enum dg_msg_status status, struct dg_error *err)
{
    enum dg_key key = DG_KEY_ER;
    if (status == DG_STS_FOUND || status == DG_STS_NOTFOUND || status == DG_STS_HELD)
        key = req->key == DG_KEY_DQ ? DG_KEY_DR : req->key == DG_KEY_RQ ? DG_KEY_RR : DG_KEY_IR;
    int rc = dg_msg_resp_begin(out, key, req->ori, src, mid, status, err);
    if (rc == 0 && req->ctl[0] && (rc = dg_msg_resp_set_ctl(*out, req->ctl, err))) {
        dg_msg_resp_free(*out);
        *out = NULL;
    }
    return rc;
}

int dg_msg_resp_set_ctl(struct dg_msg_resp *r, const char *ctl, struct dg_error *err)
{
    size_t n = strlen(ctl);
    int rc = dg__check_ctl(ctl, n, -1, err);
    if (rc == 0)
        memcpy(r->ctl, ctl, n + 1);
    return rc;
}

static int ok_field_name(const char *f)
{
    size_t n = strlen(f);
    if (n == 0 || n > 16)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((f[i] >= 'A' && f[i] <= 'Z') || (f[i] >= 'a' && f[i] <= 'z') ||
              (f[i] >= '0' && f[i] <= '9') || f[i] == '_'))
            return 0;
    return 1;
}

int dg_msg_resp_set_error(struct dg_msg_resp *r, int code, const char *field, long offset,
                          const char *sentence, struct dg_error *err)
{
    if (r->key != DG_KEY_ER)
        return dg_error_set(err, DG_EMSGTAGKEY, "ERC", -1, "error detail belongs in an ER");
    if (code >= 0 || code < -9999)
        return dg_error_set(err, DG_EMSGVALUE, "ERC", -1, "the error code is a DG_E... code");
    char num[24];
    snprintf(num, sizeof(num), "%d", -code);
    int rc = set_str(r, DG_TAG_ERC, num, err);
    if (rc == 0 && field && field[0])
        rc = set_str(r, DG_TAG_ERF, field, err);
    if (rc == 0 && offset >= 0) {
        snprintf(num, sizeof(num), "%ld", offset);
        rc = set_str(r, DG_TAG_ERO, num, err);
    }
    if (rc == 0)
        rc = set_str(r, DG_TAG_ERT, sentence && sentence[0] ? sentence : dg_strerror(code), err);
    return rc;
}

int dg_msg_resp_set_error_from(struct dg_msg_resp *r, const struct dg_error *e,
                               struct dg_error *err)
{
    /* A field name the parser could only show in part (an unknown tag with
     * odd bytes) is left out rather than written wrong. */
    const char *field = ok_field_name(e->field) ? e->field : NULL;
    return dg_msg_resp_set_error(r, e->code, field, e->offset, e->msg, err);
}

int dg_msg_resp_set_rule(struct dg_msg_resp *r, const char *rule, struct dg_error *err)
{
    return set_str(r, DG_TAG_RUL, rule, err);
}

int dg_msg_resp_add_record(struct dg_msg_resp *r, enum dg_msg_rec kind, struct dg_error *err)
{
    return dg__resp_add_record(r, kind, -1, err);
}

int dg_msg_resp_add_field(struct dg_msg_resp *r, enum dg_msg_tag tag, const char *value,
                          struct dg_error *err)
{
    if ((unsigned)tag >= DG_TAG__COUNT || tag == DG_TAG_REC)
        return dg_error_set(err, DG_EMSGTAG, "", -1,
                            "not a field tag (use dg_msg_resp_add_record for REC)");
    return set_str(r, tag, value, err);
}

void dg_msg_resp_redact(struct dg_msg_resp *r, uint32_t fields)
{
    r->redact |= fields;
    for (int i = 0; i < r->nrec; i++)
        for (int t = 0; t < DG_TAG__COUNT; t++)
            if (r->rec[i].val[t] && (dg__tags[t].field & fields)) {
                r->values_len -= strlen(r->rec[i].val[t]);
                dg_free(r->rec[i].val[t]);
                r->rec[i].val[t] = NULL;
            }
}

void dg_msg_resp_free(struct dg_msg_resp *r)
{
    if (!r)
        return;
    for (int t = 0; t < DG_TAG__COUNT; t++)
        dg_free(r->val[t]);
    for (int i = 0; i < r->nrec; i++)
        for (int t = 0; t < DG_TAG__COUNT; t++)
            dg_free(r->rec[i].val[t]);
    dg_free(r);
}

/* ---- reading ---------------------------------------------------------------- */

enum dg_key dg_msg_resp_key(const struct dg_msg_resp *r)
{
    return r->key;
}

enum dg_msg_status dg_msg_resp_status(const struct dg_msg_resp *r)
{
    return r->status;
}

const char *dg_msg_resp_ori(const struct dg_msg_resp *r)
{
    return r->ori;
}

const char *dg_msg_resp_src(const struct dg_msg_resp *r)
{
    return r->src;
}

const char *dg_msg_resp_ctl(const struct dg_msg_resp *r)
{
    return r->ctl;
}

int dg_msg_resp_nrecords(const struct dg_msg_resp *r)
{
    return r->nrec;
}

int dg_msg_resp_record_kind(const struct dg_msg_resp *r, int rec)
{
    return rec >= 0 && rec < r->nrec ? r->rec[rec].kind : -1;
}

const char *dg_msg_resp_get(const struct dg_msg_resp *r, int rec, enum dg_msg_tag tag)
{
    if ((unsigned)tag >= DG_TAG__COUNT)
        return NULL;
    if (rec == -1)
        return r->val[tag];
    if (rec < 0 || rec >= r->nrec)
        return NULL;
    if (tag == DG_TAG_REC)
        return rec_names[r->rec[rec].kind];
    return r->rec[rec].val[tag];
}

/* ---- text form ---------------------------------------------------------------- */

static int add_elem(struct dg_buf *out, enum dg_msg_tag t, const char *v, const char *sep)
{
    int rc = dg_buf_addstr(out, sep);
    if (rc == 0)
        rc = dg_buf_add(out, dg__tags[t].name, 3);
    if (rc == 0)
        rc = dg_buf_addc(out, '/');
    if (rc == 0)
        rc = dg__text_add_value(out, v, strlen(v));
    return rc;
}

int dg_msg_resp_to_text(const struct dg_msg_resp *r, struct dg_buf *out, struct dg_error *err)
{
    int rc = dg_msg_resp_check(r, err);
    if (rc)
        return rc;
    const char(*src)[3] = (const char(*)[3]) & r->src;
    rc = dg__text_add_header(out, r->key, r->ori, 1, src, r->ctl);
    const char *sep = "";
    for (int t = 0; t < DG_TAG__COUNT && rc == 0; t++)
        if (r->val[t]) {
            rc = add_elem(out, (enum dg_msg_tag)t, r->val[t], sep);
            sep = ".";
        }
    /* Each record on a line of its own. */
    for (int i = 0; i < r->nrec && rc == 0; i++) {
        rc = dg_buf_printf(out, ".\nREC/%s", rec_names[r->rec[i].kind]);
        for (int t = 0; t < DG_TAG__COUNT && rc == 0; t++)
            if (r->rec[i].val[t])
                rc = add_elem(out, (enum dg_msg_tag)t, r->rec[i].val[t], ".");
    }
    return rc;
}

int dg_msg_resp_parse_text(struct dg_msg_resp **out, const char *s, size_t n, struct dg_error *err)
{
    *out = NULL;
    long len = dg__text_prepare(s, n, DG_MSG_MAX, err);
    if (len < 0)
        return (int)len;
    n = (size_t)len;
    struct dg__hdr h;
    int rc = dg__text_header(s, n, &h, err);
    if (rc)
        return rc;
    if (!is_response_key(h.key))
        return dg_error_set(err, DG_EMSGKEYKIND, "KEY", 0,
                            "%s is a request; a response is DR, RR, IR or ER",
                            dg_key_name((enum dg_key)h.key));
    if (h.ndest != 1)
        return dg_error_set(err, DG_EMSGHEADER, "DEST", h.dest_off,
                            "a response names one source: the state that answers, or NL");
    struct dg_msg_resp *r;
    if ((rc = dg__resp_new(&r, (enum dg_key)h.key, h.ori, 9, h.dest[0], 2, err)))
        return rc;
    memcpy(r->ctl, h.ctl, sizeof(r->ctl));
    char small[512];
    char *scratch = small;
    size_t scratch_sz = sizeof(small);
    size_t pos = h.body;
    while (pos < n && rc == 0) {
        struct dg__elem e;
        struct dg__val v;
        uint32_t max = dg__tags[0].max;
        if ((rc = dg__text_next(s, n, &pos, &e, err)))
            break;
        max = dg__tags[e.tag].max;
        if (e.escaped && max + 1 > scratch_sz) {
            /* only a value with ".." is copied; grow for a long one */
            char *p = dg_malloc((size_t)max + 1);
            if (!p) {
                rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
                break;
            }
            if (scratch != small)
                dg_free(scratch);
            scratch = p;
            scratch_sz = (size_t)max + 1;
        }
        if ((rc = dg__text_value(s, &e, max, scratch, scratch_sz, &v, err)))
            break;
        if (e.tag == DG_TAG_REC) {
            size_t l;
            char kind[4];
            rc = dg__check_value(DG_TAG_REC, &v, kind, sizeof(kind), &l, err);
            if (rc == 0)
                rc = dg__resp_add_record(r, kind[0] == 'D' ? DG_REC_DRV : DG_REC_VEH,
                                         (long)e.tag_off, err);
        } else {
            rc = dg__resp_set(r, (enum dg_msg_tag)e.tag, &v, (long)e.tag_off, err);
        }
    }
    if (scratch != small)
        dg_free(scratch);
    if (rc == 0)
        rc = dg__resp_check(r, (long)n, err);
    if (rc) {
        dg_msg_resp_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
