/*
 * req.c - requests (DQ, RQ, IQ): the fixed-size model, the rules that need
 * the whole message (required fields, identifying-field combinations), the
 * text-form parser and the writers of both forms.
 *
 * This is the node's hot path: parsing copies each value once, straight
 * from the input into its member of struct dg_msg_req (or, for a value with
 * an escaped period, through a small stack buffer), and allocates nothing.
 */
#include "msg_int.h"

#include <stddef.h>
#include <string.h>

/* Where each request tag's value lives in struct dg_msg_req. */
#define M(t, m) [DG_TAG_##t] = {offsetof(struct dg_msg_req, m), sizeof(((struct dg_msg_req *)0)->m)}
static const struct {
    unsigned short off, size;
} members[DG_TAG__COUNT] = {
    M(RSN, rsn), M(OLN, oln), M(OLS, ols), M(NAM, nam),      M(DOB, dob), M(SEX, sex),
    M(LIC, lic), M(LIS, lis), M(LIT, lit), M(LIY, liy),      M(VIN, vin), M(IMQ, imq),
    M(PUR, pur), M(ATN, atn), M(CAS, cas), M(LEG, leg_text),
};
#undef M

static unsigned key_where(enum dg_key k)
{
    switch (k) {
    case DG_KEY_DQ: return DG__W_DQ;
    case DG_KEY_RQ: return DG__W_RQ;
    case DG_KEY_IQ: return DG__W_IQ;
    default: return 0;
    }
}

int dg__is_request_key(int k)
{
    return k == DG_KEY_DQ || k == DG_KEY_RQ || k == DG_KEY_IQ;
}

#define BIT(t) ((uint64_t)1 << DG_TAG_##t)
_Static_assert(DG_TAG__COUNT <= 64, "struct dg_msg_req.tags has a bit per tag");

void dg__req_reset(struct dg_msg_req *r, enum dg_key key)
{
    memset(r, 0, sizeof(*r));
    r->key = key;
    r->leg = DG_LEG_NONE;
}

/* Set one tag's value (checked). tag_off is where the tag was written, for
 * errors about the tag itself; -1 when not from the text form. */
/* The tag may appear in this request and has not yet. */
static int placed(const struct dg_msg_req *r, enum dg_msg_tag tag, long tag_off,
                  struct dg_error *err)
{
    const char *tn = dg__tags[tag].name;
    if (!(dg__tags[tag].where & key_where(r->key))) {
        if (tag == DG_TAG_IMQ)
            return dg_error_set(err, DG_EMSGTAGKEY, tn, tag_off,
                                "IMQ asks for the photo with a DQ; %s %s %s", dg__article(r->key),
                                dg_key_name(r->key),
                                r->key == DG_KEY_IQ ? "always returns it" : "has no photo");
        return dg_error_set(err, DG_EMSGTAGKEY, tn, tag_off, "%s does not belong in %s %s", tn,
                            dg__article(r->key), dg_key_name(r->key));
    }
    if (r->tags & ((uint64_t)1 << tag))
        return dg_error_set(err, DG_EMSGDUPTAG, tn, tag_off, "%s is given twice", tn);
    return 0;
}

int dg__req_set(struct dg_msg_req *r, enum dg_msg_tag tag, const struct dg__val *v, long tag_off,
                struct dg_error *err)
{
    int rc = placed(r, tag, tag_off, err);
    if (rc)
        return rc;
    size_t len;
    char *out = (char *)r + members[tag].off;
    rc = dg__check_value(tag, v, out, members[tag].size, &len, err);
    if (rc)
        return rc;
    r->tags |= (uint64_t)1 << tag;
    if (tag == DG_TAG_PUR)
        r->purpose = (enum dg_purpose)dg_purpose_from_code(out[0]);
    else if (tag == DG_TAG_LEG)
        r->leg = (enum dg_leg)dg_leg_from_code(out, 2);
    return 0;
}

static int missing(const char *tag, long end, struct dg_error *err, const char *fmt,
                   const char *arg)
{
    return dg_error_set(err, DG_EMSGMISSING, tag, end, fmt, arg);
}

/* The checks that need the whole message; then compute the summary members.
 * toff: where each tag was written (text form) or NULL; end: the offset
 * reported for a missing field (the end of the message), or -1. */
int dg__req_finish(struct dg_msg_req *r, const long *toff, long end, struct dg_error *err)
{
    uint64_t t = r->tags;
#define OFF(tag) (toff ? toff[DG_TAG_##tag] : -1)
    if (r->key == DG_KEY_DQ || r->key == DG_KEY_IQ) {
        int byoln = (t & (BIT(OLN) | BIT(OLS))) != 0;
        int byname = (t & (BIT(NAM) | BIT(DOB) | BIT(SEX))) != 0;
        if (byoln && byname) {
            enum dg_msg_tag second = t & BIT(NAM)   ? DG_TAG_NAM
                                     : t & BIT(DOB) ? DG_TAG_DOB
                                                    : DG_TAG_SEX;
            return dg_error_set(err, DG_EMSGIDENT, dg__tags[second].name, toff ? toff[second] : -1,
                                "identify the driver by OLN and OLS, or by NAM and DOB, not both");
        }
        if ((t & BIT(OLN)) && !(t & BIT(OLS)))
            return missing("OLS", end, err, "OLN needs OLS, the state that issued the license%s",
                           "");
        if ((t & BIT(OLS)) && !(t & BIT(OLN)))
            return missing("OLN", end, err, "OLS needs OLN, the license number%s", "");
        if (byname && !(t & BIT(NAM)))
            return missing("NAM", end, err, "%s needs NAM (LAST,FIRST MIDDLE) with it",
                           t & BIT(DOB) ? "DOB" : "SEX");
        if ((t & BIT(NAM)) && !(t & BIT(DOB)))
            return missing("DOB", end, err, "NAM needs DOB, the date of birth%s", "");
        if (!byoln && !byname)
            return missing("OLN", end, err,
                           "%s identifies the driver by OLN and OLS, or by NAM and DOB",
                           r->key == DG_KEY_DQ ? "a DQ" : "an IQ");
    } else {
        int byplate = (t & (BIT(LIC) | BIT(LIS) | BIT(LIT) | BIT(LIY))) != 0;
        if (byplate && (t & BIT(VIN)))
            return dg_error_set(err, DG_EMSGIDENT, "VIN", OFF(VIN),
                                "identify the vehicle by LIC and LIS, or by VIN, not both");
        if (byplate && !(t & BIT(LIC)))
            return missing("LIC", end, err, "%s needs LIC, the plate number",
                           t & BIT(LIS)   ? "LIS"
                           : t & BIT(LIT) ? "LIT"
                                          : "LIY");
        if ((t & BIT(LIC)) && !(t & BIT(LIS)))
            return missing("LIS", end, err, "LIC needs LIS, the state of the plate%s", "");
        if (!byplate && !(t & BIT(VIN)))
            return missing("LIC", end, err, "%s identifies the vehicle by LIC and LIS, or by VIN",
                           "an RQ");
    }
#undef OFF
    if (!(t & BIT(PUR)))
        return missing("PUR", end, err,
                       "every request needs PUR, its purpose (C, T, J, E, F, I or X)%s", "");
    if (!(t & BIT(ATN)))
        return missing("ATN", end, err, "every request needs ATN, the person asking%s", "");

    uint32_t id = 0;
    if (t & BIT(OLN))
        id |= DG_ID_OLN;
    if (t & BIT(NAM))
        id |= DG_ID_NAM;
    if (t & BIT(SEX))
        id |= DG_ID_SEX;
    if (t & BIT(LIC))
        id |= DG_ID_LIC;
    if (t & BIT(LIT))
        id |= DG_ID_LIT;
    if (t & BIT(LIY))
        id |= DG_ID_LIY;
    if (t & BIT(VIN))
        id |= DG_ID_VIN;
    r->idents = id;
    r->has_case = (t & BIT(CAS)) != 0;
    r->photo = r->key == DG_KEY_IQ || (r->key == DG_KEY_DQ && r->imq[0] == 'Y');
    switch (r->key) {
    case DG_KEY_DQ:
        r->asked = DG_FIELD_NAME | DG_FIELD_DOB | DG_FIELD_SEX | DG_FIELD_PHYSICAL |
                   DG_FIELD_ADDRESS | DG_FIELD_LICENSE | DG_FIELD_STATUS |
                   DG_FIELD_LAWFUL_PRESENCE | (r->photo ? DG_FIELD_PHOTO : 0);
        break;
    case DG_KEY_IQ:
        r->asked = DG_FIELD_NAME | DG_FIELD_DOB | DG_FIELD_SEX | DG_FIELD_LICENSE | DG_FIELD_PHOTO;
        break;
    default: r->asked = DG_FIELD_VEHICLES | DG_FIELD_OWNER; break;
    }
    return 0;
}

int dg_msg_req_parse_text(struct dg_msg_req *req, const char *s, size_t n, struct dg_error *err)
{
    long len = dg__text_prepare(s, n, DG_MSG_REQ_MAX, err);
    if (len < 0)
        return (int)len;
    n = (size_t)len;
    struct dg__hdr h;
    int rc = dg__text_header(s, n, &h, err);
    if (rc)
        return rc;
    if (!dg__is_request_key(h.key))
        return dg_error_set(err, DG_EMSGKEYKIND, "KEY", 0,
                            "%s is a response; a request is DQ, RQ or IQ",
                            dg_key_name((enum dg_key)h.key));
    dg__req_reset(req, (enum dg_key)h.key);
    memcpy(req->ori, h.ori, sizeof(req->ori));
    req->ndest = h.ndest;
    memcpy(req->dest, h.dest, sizeof(req->dest));
    memcpy(req->ctl, h.ctl, sizeof(req->ctl));

    long toff[DG_TAG__COUNT];
    size_t pos = h.body;
    char scratch[64];
    while (pos < n) {
        struct dg__elem e;
        struct dg__val v;
        if ((rc = dg__text_next(s, n, &pos, &e, err)))
            return rc;
        /* placement first: only request tags (at most 50 bytes) reach the scratch */
        if ((rc = placed(req, (enum dg_msg_tag)e.tag, (long)e.tag_off, err)))
            return rc;
        if ((rc = dg__text_value(s, &e, dg__tags[e.tag].max, scratch, sizeof(scratch), &v, err)))
            return rc;
        if ((rc = dg__req_set(req, (enum dg_msg_tag)e.tag, &v, (long)e.tag_off, err)))
            return rc;
        toff[e.tag] = (long)e.tag_off;
    }
    return dg__req_finish(req, toff, (long)n, err);
}

int dg_msg_req_parse(struct dg_msg_req *req, const char *s, size_t n, struct dg_error *err)
{
    if (dg_msg_sniff(s, n) == DG_MSG_JSON)
        return dg_msg_req_parse_json(req, s, n, err);
    return dg_msg_req_parse_text(req, s, n, err);
}

/* ---- building in code ------------------------------------------------------- */

int dg_msg_req_init(struct dg_msg_req *req, enum dg_key key, const char *ori, struct dg_error *err)
{
    if (!dg__is_request_key((int)key))
        return dg_error_set(err, DG_EMSGKEYKIND, "KEY", -1, "a request is DQ, RQ or IQ, not %s",
                            dg_key_name(key));
    int rc = dg__check_ori(ori, strlen(ori), -1, err);
    if (rc)
        return rc;
    dg__req_reset(req, key);
    memcpy(req->ori, ori, 9);
    return 0;
}

int dg_msg_req_add_dest(struct dg_msg_req *req, const char *dest, struct dg_error *err)
{
    struct dg__hdr h;
    h.ndest = req->ndest;
    memcpy(h.dest, req->dest, sizeof(h.dest));
    int rc = 0;
    size_t n = strlen(dest);
    if (n == 0 || memchr(dest, ',', n))
        rc = dg_error_set(err, DG_EMSGDEST, "DEST", -1, "give one destination at a time");
    else
        rc = dg__dest_add(&h, dest, n, -1, err);
    if (rc)
        return rc;
    req->ndest = h.ndest;
    memcpy(req->dest, h.dest, sizeof(req->dest));
    return 0;
}

int dg_msg_req_set_ctl(struct dg_msg_req *req, const char *ctl, struct dg_error *err)
{
    size_t n = strlen(ctl);
    int rc = dg__check_ctl(ctl, n, -1, err);
    if (rc)
        return rc;
    memcpy(req->ctl, ctl, n + 1);
    return 0;
}

int dg_msg_req_set(struct dg_msg_req *req, enum dg_msg_tag tag, const char *value,
                   struct dg_error *err)
{
    if ((unsigned)tag >= DG_TAG__COUNT)
        return dg_error_set(err, DG_EMSGTAG, "", -1, "no such tag");
    struct dg__val v = {value, strlen(value), -1, NULL, 0};
    return dg__req_set(req, tag, &v, -1, err);
}

int dg_msg_req_finish(struct dg_msg_req *req, struct dg_error *err)
{
    if (req->ndest == 0)
        return dg_error_set(err, DG_EMSGHEADER, "DEST", -1, "the request has no destination");
    return dg__req_finish(req, NULL, -1, err);
}

/* ---- reading ---------------------------------------------------------------- */

const char *dg_msg_req_get(const struct dg_msg_req *req, enum dg_msg_tag tag)
{
    if ((unsigned)tag >= DG_TAG__COUNT || members[tag].size == 0)
        return "";
    return (const char *)req + members[tag].off;
}

const char *dg_msg_req_leg_number(const struct dg_msg_req *req)
{
    return req->leg_text[0] && req->leg_text[2] == ' ' ? req->leg_text + 3 : "";
}

bool dg_msg_req_is_for(const struct dg_msg_req *req, const char *state)
{
    for (int i = 0; i < req->ndest; i++)
        if ((req->dest[i][0] == 'N' && req->dest[i][1] == 'L') ||
            (req->dest[i][0] == state[0] && req->dest[i][1] == state[1] && state[1] && !state[2]))
            return true;
    return false;
}

/* ---- writing ---------------------------------------------------------------- */

int dg_msg_req_to_text(const struct dg_msg_req *req, struct dg_buf *out)
{
    int rc = dg__text_add_header(out, req->key, req->ori, req->ndest, req->dest, req->ctl);
    int first = 1;
    for (int t = 0; t < DG_TAG__COUNT && rc == 0; t++) {
        if (!(req->tags & ((uint64_t)1 << t)))
            continue;
        const char *v = (const char *)req + members[t].off;
        char tag[5] = {dg__tags[t].name[0], dg__tags[t].name[1], dg__tags[t].name[2], '/', 0};
        if (!first)
            rc = dg_buf_addc(out, '.');
        if (rc == 0)
            rc = dg_buf_add(out, tag, 4);
        if (rc == 0)
            rc = dg__text_add_value(out, v, strlen(v));
        first = 0;
    }
    return rc;
}

int dg_msg_req_to_json(const struct dg_msg_req *req, struct dg_buf *out)
{
    int rc = dg_buf_printf(out, "{\"key\":\"%s\",\"ori\":\"%s\",\"dest\":[", dg_key_name(req->key),
                           req->ori);
    for (int i = 0; i < req->ndest && rc == 0; i++)
        rc = dg_buf_printf(out, "%s\"%s\"", i ? "," : "", req->dest[i]);
    if (rc == 0)
        rc = dg_buf_addc(out, ']');
    if (rc == 0 && req->ctl[0])
        rc = dg_buf_printf(out, ",\"ctl\":\"%s\"", req->ctl);
    if (rc == 0)
        rc = dg_buf_addstr(out, ",\"fields\":{");
    int first = 1;
    for (int t = 0; t < DG_TAG__COUNT && rc == 0; t++) {
        if (!(req->tags & ((uint64_t)1 << t)))
            continue;
        const char *v = (const char *)req + members[t].off;
        rc = dg_buf_printf(out, "%s\"%s\":", first ? "" : ",", dg__tags[t].name);
        if (rc == 0)
            rc = dg_buf_add_json_str(out, v, strlen(v));
        first = 0;
    }
    if (rc == 0)
        rc = dg_buf_addstr(out, "}}");
    return rc;
}

int dg_msg_name_split(const char *nam, struct dg_msg_name *out)
{
    struct dg__val v = {nam, strlen(nam), -1, NULL, 0};
    char buf[64];
    size_t len;
    if (dg__check_value(DG_TAG_NAM, &v, buf, sizeof(buf), &len, NULL) < 0)
        return DG_EMSGNAME;
    const char *comma = strchr(nam, ',');
    out->last_off = 0;
    out->last_len = (size_t)(comma - nam);
    out->first_off = out->last_len + 1;
    const char *sp = strchr(comma + 1, ' ');
    out->first_len = sp ? (size_t)(sp - comma - 1) : v.n - out->first_off;
    out->middle_off = sp ? (size_t)(sp - nam) + 1 : v.n;
    out->middle_len = v.n - out->middle_off;
    return 0;
}
