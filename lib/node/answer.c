/*
 * answer.c - the node's answers: message ids, the form of a request, ER
 * messages, and the records of the DMV store written as DR/RR/IR fields with
 * the policy's redactions applied (lib/msg drops a redacted field's tag
 * altogether, so an answer never shows what was taken out).
 *
 * Store records and message fields differ in shape (ISO dates against
 * ccyymmdd, height in inches against feet and inches, one address line): the
 * conversions live here. A field the message rules refuse (a store value
 * longer than the message allows) is left out and logged by tag only, never
 * with its value, rather than refusing the whole answer.
 */
#include "node_int.h"

#include <dmvgate/net.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

void dg__make_mid(struct dg_node *n, int loop, char out[41])
{
    uint64_t c = ++n->loops[loop].counter;
    snprintf(out, 41, "%s-%d-%llx", n->mid_prefix, loop, (unsigned long long)c);
}

enum dg_msg_form dg__form_of(struct dg_req *r, const char *body, size_t len, bool *bad_type)
{
    *bad_type = false;
    const char *ct = dg_req_header(r, "Content-Type");
    if (!ct || !ct[0])
        return dg_msg_sniff(body, len);
    size_t n = strcspn(ct, "; \t");
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return DG_MSG_JSON;
    if (n == 10 && strncasecmp(ct, "text/plain", 10) == 0)
        return DG_MSG_TEXT;
    *bad_type = true;
    return dg_msg_sniff(body, len);
}

const char *dg__content_type(enum dg_msg_form f)
{
    return f == DG_MSG_JSON ? "application/json" : "text/plain; charset=us-ascii";
}

int dg__resp_write(struct dg__q *q, struct dg_msg_resp *resp)
{
    struct dg_error e;
    dg_buf_reset(&q->answer);
    int rc = q->form == DG_MSG_JSON ? dg_msg_resp_to_json(resp, &q->answer, &e)
                                    : dg_msg_resp_to_text(resp, &q->answer, &e);
    if (rc == 0 && q->form == DG_MSG_TEXT)
        rc = dg_buf_addc(&q->answer, '\n');
    if (rc != 0)
        dg_log(DG_LOG_ERROR, "answer_unwritable", "mid", q->mid, "code", dg_errname(rc), "field",
               e.field, NULL);
    return rc;
}

int dg__er(struct dg__q *q, const char *ori, enum dg_msg_status sts, int code, const char *field,
           long offset, const char *sentence, const char *rule)
{
    struct dg_msg_resp *resp = NULL;
    struct dg_error e;
    int rc = -1;
    if (ori && dg_net_ori_valid(ori, strlen(ori)))
        rc = dg_msg_resp_begin(&resp, DG_KEY_ER, ori, q->node->state, q->mid, sts, &e);
    if (rc == 0 && q->parsed && q->m.ctl[0])
        rc = dg_msg_resp_set_ctl(resp, q->m.ctl, &e);
    if (rc == 0)
        rc = dg_msg_resp_set_error(resp, code, field && field[0] ? field : NULL, offset,
                                   sentence && sentence[0] ? sentence : dg_strerror(code), &e);
    if (rc == 0 && sts == DG_STS_DENIED)
        rc = dg_msg_resp_set_rule(resp, rule && rule[0] ? rule : "(no rule)", &e);
    if (rc == 0)
        rc = dg__resp_write(q, resp);
    dg_msg_resp_free(resp);
    if (rc == 0)
        return 0;
    /* No ORI to address an ER to (nobody identified, nothing parsed): a plain
     * JSON error says the same. */
    q->form = DG_MSG_JSON;
    dg_buf_reset(&q->answer);
    dg_buf_printf(&q->answer,
                  "{\"error\":{\"code\":\"%s\",\"number\":%d,\"message\":", dg_errname(code),
                  -code);
    dg_buf_add_json_str(&q->answer, sentence ? sentence : "", sentence ? strlen(sentence) : 0);
    dg_buf_printf(&q->answer, ",\"mid\":\"%s\"}}\n", q->mid);
    return 0;
}

/* ---- records to fields ----------------------------------------------------------- */

static void add(struct dg__q *q, struct dg_msg_resp *r, enum dg_msg_tag tag, const char *v)
{
    if (!v || !v[0])
        return;
    struct dg_error e;
    if (dg_msg_resp_add_field(r, tag, v, &e) != 0)
        dg_log(DG_LOG_WARN, "field_dropped", "mid", q->mid, "tag", dg_msg_tag_name(tag), "code",
               dg_errname(e.code), NULL);
}

/* "2024-06-21" -> "20240621" */
static void date8(const char *iso, char out[9])
{
    out[0] = '\0';
    if (strlen(iso) == 10)
        snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

static void name_of(const struct dg_driver *d, char *out, size_t n)
{
    snprintf(out, n, "%s,%s%s%s", d->last, d->first, d->middle[0] ? " " : "", d->middle);
}

static void address_of(const struct dg_driver *d, char *out, size_t n)
{
    snprintf(out, n, "%s, %s, %s %s", d->street, d->city, d->addr_state, d->zip);
}

/* Copy at most max characters, without a trailing space. */
static void cut(const char *s, size_t max, char *out, size_t outlen)
{
    snprintf(out, outlen, "%.*s", (int)max, s);
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
}

static bool transmittable(const char *media_type)
{
    return strcmp(media_type, "image/jpeg") == 0 || strcmp(media_type, "image/png") == 0 ||
           strcmp(media_type, "image/jp2") == 0 || strcmp(media_type, "image/svg+xml") == 0;
}

static int add_driver(struct dg__q *q, struct dg_msg_resp *r, const struct dg_driver *d, bool photo)
{
    struct dg_error e;
    int rc = dg_msg_resp_add_record(r, DG_REC_DRV, &e);
    if (rc != 0)
        return rc;
    char buf[160], d8[9];
    add(q, r, DG_TAG_OLN, d->oln);
    add(q, r, DG_TAG_OLS, d->ols);
    name_of(d, buf, sizeof(buf));
    add(q, r, DG_TAG_NAM, buf);
    date8(d->dob, d8);
    add(q, r, DG_TAG_DOB, d8);
    char sex[2] = {d->sex, '\0'};
    add(q, r, DG_TAG_SEX, sex);
    if (d->height_in >= 12) {
        snprintf(buf, sizeof(buf), "%d%02d", d->height_in / 12, d->height_in % 12);
        add(q, r, DG_TAG_HGT, buf);
    }
    add(q, r, DG_TAG_EYE, d->eyes);
    address_of(d, buf, sizeof(buf));
    add(q, r, DG_TAG_ADR, buf);
    add(q, r, DG_TAG_CLS, d->license_class);
    snprintf(buf, sizeof(buf), "%s", dg_status_name(d->status));
    for (char *p = buf; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    add(q, r, DG_TAG_STA, buf);
    date8(d->issued, d8);
    add(q, r, DG_TAG_ISS, d8);
    date8(d->expires, d8);
    add(q, r, DG_TAG_EXP, d8);
    add(q, r, DG_TAG_RST, d->restrictions);
    /* LPF/N: a license issued without proof of lawful presence. */
    add(q, r, DG_TAG_LPF, d->lawful_presence_flag ? "N" : "Y");
    if (photo && d->photo_len > 0 && !transmittable(d->photo_type)) {
        /* The message format carries JPEG, PNG, JPEG 2000 and SVG only. */
        dg_log(DG_LOG_WARN, "photo_not_transmittable", "mid", q->mid, "media_type", d->photo_type,
               NULL);
    } else if (photo && d->photo_len > 0) {
        struct dg_buf img, b64;
        char media[DG_MEDIA_TYPE_MAX + 1];
        dg_buf_init(&img, 256 * 1024);
        dg_buf_init(&b64, DG_MSG_PHOTO_MAX + 8);
        rc = dg_store_photo(q->node->loops[q->loop].store, d->id, &img, media, &e);
        if (rc == 0)
            rc = dg_buf_add_base64(&b64, img.data, img.len);
        if (rc == 0 && b64.len >= 2) {
            b64.data[b64.len - 1] = '\0'; /* dg_buf_add_base64 writes a JSON string */
            add(q, r, DG_TAG_PHO, b64.data + 1);
            add(q, r, DG_TAG_PMT, media);
        } else if (rc != DG_ENOTFOUND) {
            dg_log(DG_LOG_WARN, "photo_unavailable", "mid", q->mid, "code", dg_errname(rc), NULL);
        }
        dg_buf_release(&img);
        dg_buf_release(&b64);
    }
    return 0;
}

static int add_vehicle(struct dg__q *q, struct dg_msg_resp *r, const struct dg_vehicle *v,
                       const struct dg_driver *owner)
{
    struct dg_error e;
    int rc = dg_msg_resp_add_record(r, DG_REC_VEH, &e);
    if (rc != 0)
        return rc;
    char buf[160], d8[9];
    add(q, r, DG_TAG_LIC, v->plate);
    add(q, r, DG_TAG_LIS, v->plate_state);
    add(q, r, DG_TAG_LIT, v->plate_type);
    add(q, r, DG_TAG_VIN, v->vin);
    if (v->model_year) {
        snprintf(buf, sizeof(buf), "%u", v->model_year);
        add(q, r, DG_TAG_VYR, buf);
    }
    cut(v->make, 12, buf, sizeof(buf));
    add(q, r, DG_TAG_VMA, buf);
    cut(v->model, 16, buf, sizeof(buf));
    add(q, r, DG_TAG_VMO, buf);
    add(q, r, DG_TAG_VCO, v->color);
    date8(v->reg_expires, d8);
    add(q, r, DG_TAG_REX, d8);
    if (owner) {
        name_of(owner, buf, sizeof(buf));
        add(q, r, DG_TAG_OWN, buf);
        address_of(owner, buf, sizeof(buf));
        add(q, r, DG_TAG_OAD, buf);
    }
    return 0;
}

/* ---- the lookup ------------------------------------------------------------------ */

static int store_failed(struct dg__q *q, int rc, const struct dg_error *e)
{
    atomic_fetch_add_explicit(&q->node->loops[q->loop].m.store_errors, 1, memory_order_relaxed);
    dg_log(DG_LOG_ERROR, "store_error", "mid", q->mid, "code", dg_errname(rc), "msg", e->msg, NULL);
    return rc;
}

int dg__lookup_answer(struct dg__q *q, uint32_t redact, int *found)
{
    struct dg_store *s = q->node->loops[q->loop].store;
    const struct dg_msg_req *m = &q->m;
    struct dg_error e;
    struct dg_candidate cand[DG_MSG_MAX_RECORDS];
    struct dg_vehicle veh[DG_MSG_MAX_RECORDS];
    struct dg_driver owner[DG_MSG_MAX_RECORDS];
    bool has_owner[DG_MSG_MAX_RECORDS] = {false};
    int n = 0, rc = 0;
    bool drivers = m->key != DG_KEY_RQ;

    if (drivers && (m->idents & DG_ID_OLN)) {
        rc = dg_store_driver_by_oln(s, m->oln, m->ols, &cand[0].driver, &e);
        if (rc == 0)
            n = 1;
        else if (rc != DG_ENOTFOUND && rc != DG_EINVAL)
            return store_failed(q, rc, &e);
    } else if (drivers) {
        struct dg_msg_name nm;
        char last[64], first[64], middle[64], dob[11];
        if (dg_msg_name_split(m->nam, &nm) == 0) {
            snprintf(last, sizeof(last), "%.*s", (int)nm.last_len, m->nam + nm.last_off);
            snprintf(first, sizeof(first), "%.*s", (int)nm.first_len, m->nam + nm.first_off);
            snprintf(middle, sizeof(middle), "%.*s", (int)nm.middle_len, m->nam + nm.middle_off);
            snprintf(dob, sizeof(dob), "%.4s-%.2s-%.2s", m->dob, m->dob + 4, m->dob + 6);
            struct dg_name_query nq = {.last = last,
                                       .first = first,
                                       .middle = middle,
                                       .dob = dob,
                                       .sex = m->sex[0] && m->sex[0] != 'U' ? m->sex[0] : 0};
            rc = dg_store_drivers_by_name(s, &nq, cand, DG_MSG_MAX_RECORDS, &e);
            if (rc >= 0)
                n = rc;
            else if (rc != DG_EINVAL)
                return store_failed(q, rc, &e);
        }
    } else {
        if (m->idents & DG_ID_VIN)
            rc = dg_store_vehicles_by_vin(s, m->vin, veh, DG_MSG_MAX_RECORDS, &e);
        else
            rc = dg_store_vehicles_by_plate(s, m->lic, m->lis, m->lit, veh, DG_MSG_MAX_RECORDS, &e);
        if (rc >= 0)
            n = rc;
        else if (rc != DG_EINVAL)
            return store_failed(q, rc, &e);
        for (int i = 0; i < n; i++) {
            rc = dg_store_driver_by_id(s, veh[i].owner_id, &owner[i], &e);
            if (rc == 0)
                has_owner[i] = true;
            else if (rc != DG_ENOTFOUND)
                return store_failed(q, rc, &e);
        }
    }
    *found = n;

    /* Phase 2 of the policy when a rule looks at the record: with several
     * records, a flag on any of them counts (the stricter reading). */
    if (n > 0 && (q->d.needs_record || q->d.outcome == DG_POLICY_UNDECIDED)) {
        struct dg_policy_record rec = {false};
        for (int i = 0; i < n; i++)
            rec.lawful_presence_flag |= drivers ? cand[i].driver.lawful_presence_flag
                                                : (has_owner[i] && owner[i].lawful_presence_flag);
        dg_policy_decide(q->pol->p, &q->pr, &rec, &q->d);
        redact |= q->d.redact;
        if (q->d.outcome != DG_POLICY_ALLOW)
            return 0; /* the caller denies or holds */
    } else if (q->d.outcome == DG_POLICY_UNDECIDED) {
        /* Nothing found: no record for the undecided rule to look at. */
        dg_policy_decide(q->pol->p, &q->pr, &(struct dg_policy_record){false}, &q->d);
        if (q->d.outcome != DG_POLICY_ALLOW)
            return 0;
    }

    struct dg_msg_resp *resp = NULL;
    rc = dg_msg_resp_begin_for(&resp, m, q->node->state, q->mid,
                               n > 0 ? DG_STS_FOUND : DG_STS_NOTFOUND, &e);
    if (rc != 0)
        return rc;
    dg_msg_resp_redact(resp, redact);
    for (int i = 0; i < n && rc == 0; i++)
        rc = drivers ? add_driver(q, resp, &cand[i].driver, m->photo)
                     : add_vehicle(q, resp, &veh[i], has_owner[i] ? &owner[i] : NULL);
    if (rc == 0 && dg__resp_write(q, resp) != 0)
        rc = DG_ENODE; /* logged by dg__resp_write */
    dg_msg_resp_free(resp);
    return rc;
}
