/*
 * entry_json.c - the JSON form of audit entries: what `dmvgate audit dump`
 * prints (the public view for anyone, the private view for the state's own
 * auditors) and what `dmvgate audit append --format json` and tests read.
 * The binary encoding (entry.c) is what is hashed; this form is for people
 * and tools, with vocabulary names instead of numbers.
 */
#include "audit_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define JSON_MAX (64 * 1024)

static int add_str(struct dg_buf *b, const char *key, const char *v, bool *first)
{
    int rc = dg_buf_printf(b, "%s\"%s\":", *first ? "" : ",", key);
    *first = false;
    return rc ? rc : dg_buf_add_json_str(b, v, strlen(v));
}

static int add_raw(struct dg_buf *b, const char *key, const char *v, bool *first)
{
    int rc = dg_buf_printf(b, "%s\"%s\":%s", *first ? "" : ",", key, v);
    *first = false;
    return rc;
}

static int add_bits(struct dg_buf *b, const char *key, uint32_t bits, const char *(*name)(uint32_t),
                    bool *first)
{
    int rc = dg_buf_printf(b, "%s\"%s\":[", *first ? "" : ",", key);
    *first = false;
    bool f = true;
    for (int i = 0; !rc && i < 32; i++) {
        if (!(bits & (1u << i)) || !name(1u << i))
            continue;
        rc = dg_buf_printf(b, "%s\"%s\"", f ? "" : ",", name(1u << i));
        f = false;
    }
    return rc ? rc : dg_buf_addc(b, ']');
}

static int add_b64(struct dg_buf *b, const char *key, const uint8_t *p, size_t n, bool *first)
{
    int rc = dg_buf_printf(b, "%s\"%s\":\"", *first ? "" : ",", key);
    *first = false;
    rc = rc ? rc : dg__b64_encode(p, n, b);
    return rc ? rc : dg_buf_addc(b, '"');
}

static int requester_json(struct dg_buf *b, const struct dg_audit_requester *r, bool *first)
{
    int rc = dg_buf_printf(b, "%s\"requester\":{", *first ? "" : ",");
    *first = false;
    bool f = true;
    rc = rc ? rc : add_str(b, "ori", r->ori, &f);
    rc = rc ? rc : add_str(b, "level", dg_level_name(r->level), &f);
    rc = rc ? rc : add_str(b, "category", dg_category_name(r->category), &f);
    if (!rc && r->department[0])
        rc = add_str(b, "department", r->department, &f);
    if (!rc && r->component[0])
        rc = add_str(b, "component", r->component, &f);
    rc = rc ? rc : add_bits(b, "agreements", r->agreements, dg_agreement_name, &f);
    return rc ? rc : dg_buf_addc(b, '}');
}

int dg_audit_entry_to_json(const struct dg_audit_entry *e, bool with_private, struct dg_buf *out)
{
    bool f = true;
    char num[32], iso[40];
    int rc = dg_buf_addc(out, '{');
    rc = rc ? rc : add_str(out, "kind", dg_audit_kind_name(e->kind), &f);
    snprintf(num, sizeof(num), "%lld", (long long)e->time_us);
    rc = rc ? rc : add_raw(out, "time_us", num, &f);
    dg_time_iso(e->time_us, iso, sizeof(iso));
    rc = rc ? rc : add_str(out, "time", iso, &f);
    if (!rc && e->msg_id[0])
        rc = add_str(out, "msg_id", e->msg_id, &f);
    if (!rc && (e->kind == DG_AUDIT_QUERY || (e->kind == DG_AUDIT_SECURITY && e->req.ori[0])))
        rc = requester_json(out, &e->req, &f);
    if (!rc && e->kind == DG_AUDIT_QUERY) {
        rc = rc ? rc : add_str(out, "key", dg_key_name(e->key), &f);
        rc = rc ? rc : add_str(out, "dest", e->dest, &f);
        rc = rc ? rc : dg_buf_addstr(out, ",\"id_fields\":[");
        for (unsigned i = 0; !rc && i < e->nids; i++)
            rc = dg_buf_printf(out, "%s\"%s\"", i ? "," : "", e->ids[i].tag);
        rc = rc ? rc : dg_buf_addc(out, ']');
        rc = rc ? rc : add_bits(out, "fields_asked", e->fields_asked, dg_field_name, &f);
        rc = rc ? rc : add_str(out, "purpose", dg_purpose_name(e->purpose), &f);
        rc = rc ? rc : add_str(out, "legal_process", dg_leg_name(e->leg), &f);
        rc = rc ? rc : add_raw(out, "has_case", e->has_case ? "true" : "false", &f);
        rc = rc ? rc : add_str(out, "decision", dg_audit_decision_name(e->decision), &f);
        if (!rc && e->rule[0])
            rc = add_str(out, "rule", e->rule, &f);
        rc = rc ? rc : add_bits(out, "redactions", e->redactions, dg_field_name, &f);
        rc = rc ? rc : add_raw(out, "notify", e->notify ? "true" : "false", &f);
        rc = rc ? rc : add_bits(out, "released", e->released, dg_field_name, &f);
    }
    if (!rc && e->kind == DG_AUDIT_REVIEW) {
        rc = rc ? rc : add_str(out, "action", dg_audit_action_name(e->action), &f);
        rc = rc ? rc : add_str(out, "reviewer", e->reviewer, &f);
        if (!rc && e->released)
            rc = add_bits(out, "released", e->released, dg_field_name, &f);
    }
    if (!rc && e->kind == DG_AUDIT_SECURITY) {
        rc = rc ? rc : add_str(out, "event", dg_audit_event_name(e->event), &f);
        if (!rc && e->claimed_ori[0])
            rc = add_str(out, "claimed_ori", e->claimed_ori, &f);
        if (!rc && e->detail[0])
            rc = add_str(out, "detail", e->detail, &f);
    }
    rc = rc ? rc : add_b64(out, "commitment", e->commitment, DG_HASH_SIZE, &f);
    if (!rc && with_private && e->has_private) {
        rc = dg_buf_addstr(out, ",\"private\":{");
        bool pf = true;
        rc = rc ? rc : add_b64(out, "salt", e->salt, sizeof(e->salt), &pf);
        if (!rc && e->nids) {
            rc = dg_buf_addstr(out, ",\"ids\":[");
            for (unsigned i = 0; !rc && i < e->nids; i++) {
                rc = dg_buf_printf(out, "%s[\"%s\",", i ? "," : "", e->ids[i].tag);
                rc = rc ? rc : dg_buf_add_json_str(out, e->ids[i].value, strlen(e->ids[i].value));
                rc = rc ? rc : dg_buf_addc(out, ']');
            }
            rc = rc ? rc : dg_buf_addc(out, ']');
        }
        if (!rc && e->leg_number[0])
            rc = add_str(out, "leg_number", e->leg_number, &pf);
        if (!rc && e->case_number[0])
            rc = add_str(out, "case_number", e->case_number, &pf);
        if (!rc && e->atn[0])
            rc = add_str(out, "atn", e->atn, &pf);
        if (!rc && e->reason[0])
            rc = add_str(out, "reason", e->reason, &pf);
        rc = rc ? rc : dg_buf_addc(out, '}');
    }
    return rc ? rc : dg_buf_addc(out, '}');
}

/* ---- from JSON -------------------------------------------------------------------- */

static int jbad(struct dg_error *err, const char *field, const char *why)
{
    return dg_error_set(err, DG_EENTRY, field, -1, "'%s': %s", field, why);
}

static int jstr(const cJSON *v, const char *field, char *dst, size_t cap, struct dg_error *err)
{
    if (!cJSON_IsString(v))
        return jbad(err, field, "not a string");
    size_t n = strlen(v->valuestring);
    if (n >= cap)
        return jbad(err, field, "too long");
    memcpy(dst, v->valuestring, n + 1);
    return 0;
}

static int jenum(const cJSON *v, const char *field, int (*parse)(const char *, size_t), int *dst,
                 struct dg_error *err)
{
    if (!cJSON_IsString(v))
        return jbad(err, field, "not a string");
    int x = parse(v->valuestring, strlen(v->valuestring));
    if (x < 0)
        return jbad(err, field, "unknown name");
    *dst = x;
    return 0;
}

static int jbool(const cJSON *v, const char *field, bool *dst, struct dg_error *err)
{
    if (!cJSON_IsBool(v))
        return jbad(err, field, "not a boolean");
    *dst = cJSON_IsTrue(v);
    return 0;
}

static int jbits(const cJSON *v, const char *field, int (*parse)(const char *, size_t),
                 uint32_t *dst, struct dg_error *err)
{
    if (!cJSON_IsArray(v))
        return jbad(err, field, "not an array");
    uint32_t bits = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, v)
    {
        if (!cJSON_IsString(x))
            return jbad(err, field, "not an array of names");
        int b = parse(x->valuestring, strlen(x->valuestring));
        if (b <= 0)
            return jbad(err, field, "unknown name");
        bits |= (uint32_t)b;
    }
    *dst = bits;
    return 0;
}

static int requester_from(const cJSON *o, struct dg_audit_requester *r, struct dg_error *err)
{
    if (!cJSON_IsObject(o))
        return jbad(err, "requester", "not an object");
    const cJSON *v;
    int rc = 0, x;
    cJSON_ArrayForEach(v, o)
    {
        const char *k = v->string;
        if (!strcmp(k, "ori"))
            rc = jstr(v, k, r->ori, sizeof(r->ori), err);
        else if (!strcmp(k, "level"))
            rc = jenum(v, k, dg_level_parse, &x, err), r->level = x;
        else if (!strcmp(k, "category"))
            rc = jenum(v, k, dg_category_parse, &x, err), r->category = x;
        else if (!strcmp(k, "department"))
            rc = jstr(v, k, r->department, sizeof(r->department), err);
        else if (!strcmp(k, "component"))
            rc = jstr(v, k, r->component, sizeof(r->component), err);
        else if (!strcmp(k, "agreements"))
            rc = jbits(v, k, dg_agreement_parse, &r->agreements, err);
        else
            rc = jbad(err, k, "unknown member");
        if (rc)
            return rc;
    }
    return 0;
}

static int private_from(const cJSON *o, struct dg_audit_entry *e, struct dg_error *err)
{
    if (!cJSON_IsObject(o))
        return jbad(err, "private", "not an object");
    const cJSON *v;
    int rc = 0;
    cJSON_ArrayForEach(v, o)
    {
        const char *k = v->string;
        if (!strcmp(k, "salt")) {
            size_t n;
            if (!cJSON_IsString(v) ||
                dg__b64_decode(v->valuestring, strlen(v->valuestring), e->salt, sizeof(e->salt),
                               &n) ||
                n != sizeof(e->salt))
                rc = jbad(err, k, "not base64 of 32 bytes");
        } else if (!strcmp(k, "ids")) {
            const cJSON *pair;
            e->nids = 0;
            if (!cJSON_IsArray(v))
                return jbad(err, k, "not an array");
            cJSON_ArrayForEach(pair, v)
            {
                if (e->nids >= DG_AUDIT_MAX_IDS || !cJSON_IsArray(pair) ||
                    cJSON_GetArraySize(pair) != 2)
                    return jbad(err, k, "not an array of [tag, value] pairs");
                struct dg_audit_id *id = &e->ids[e->nids++];
                if ((rc = jstr(cJSON_GetArrayItem(pair, 0), k, id->tag, sizeof(id->tag), err)) ||
                    (rc = jstr(cJSON_GetArrayItem(pair, 1), k, id->value, sizeof(id->value), err)))
                    return rc;
            }
        } else if (!strcmp(k, "leg_number")) {
            rc = jstr(v, k, e->leg_number, sizeof(e->leg_number), err);
        } else if (!strcmp(k, "case_number")) {
            rc = jstr(v, k, e->case_number, sizeof(e->case_number), err);
        } else if (!strcmp(k, "atn")) {
            rc = jstr(v, k, e->atn, sizeof(e->atn), err);
        } else if (!strcmp(k, "reason")) {
            rc = jstr(v, k, e->reason, sizeof(e->reason), err);
        } else {
            rc = jbad(err, k, "unknown member");
        }
        if (rc)
            return rc;
    }
    e->has_private = true;
    return 0;
}

static int member(const cJSON *v, struct dg_audit_entry *e, const cJSON **id_fields,
                  struct dg_error *err)
{
    const char *k = v->string;
    int x = 0, rc;
    if (!strcmp(k, "kind"))
        return (rc = jenum(v, k, dg_audit_kind_parse, &x, err)) ? rc : (e->kind = x, 0);
    if (!strcmp(k, "time_us")) {
        if (!cJSON_IsNumber(v) || fabs(v->valuedouble) > 9007199254740992.0 ||
            floor(v->valuedouble) != v->valuedouble)
            return jbad(err, k, "not an integer");
        e->time_us = (int64_t)v->valuedouble;
        return 0;
    }
    if (!strcmp(k, "time") || !strcmp(k, "commitment") || !strcmp(k, "index"))
        return 0; /* derived, in dumps */
    if (!strcmp(k, "msg_id"))
        return jstr(v, k, e->msg_id, sizeof(e->msg_id), err);
    if (!strcmp(k, "requester"))
        return requester_from(v, &e->req, err);
    if (!strcmp(k, "key"))
        return (rc = jenum(v, k, dg_key_parse, &x, err)) ? rc : (e->key = x, 0);
    if (!strcmp(k, "dest"))
        return jstr(v, k, e->dest, sizeof(e->dest), err);
    if (!strcmp(k, "id_fields")) {
        *id_fields = v;
        return 0;
    }
    if (!strcmp(k, "fields_asked"))
        return jbits(v, k, dg_field_parse, &e->fields_asked, err);
    if (!strcmp(k, "purpose"))
        return (rc = jenum(v, k, dg_purpose_parse, &x, err)) ? rc : (e->purpose = x, 0);
    if (!strcmp(k, "legal_process"))
        return (rc = jenum(v, k, dg_leg_parse, &x, err)) ? rc : (e->leg = x, 0);
    if (!strcmp(k, "has_case"))
        return jbool(v, k, &e->has_case, err);
    if (!strcmp(k, "decision"))
        return (rc = jenum(v, k, dg_audit_decision_parse, &x, err)) ? rc : (e->decision = x, 0);
    if (!strcmp(k, "rule"))
        return jstr(v, k, e->rule, sizeof(e->rule), err);
    if (!strcmp(k, "redactions"))
        return jbits(v, k, dg_field_parse, &e->redactions, err);
    if (!strcmp(k, "notify"))
        return jbool(v, k, &e->notify, err);
    if (!strcmp(k, "released"))
        return jbits(v, k, dg_field_parse, &e->released, err);
    if (!strcmp(k, "action"))
        return (rc = jenum(v, k, dg_audit_action_parse, &x, err)) ? rc : (e->action = x, 0);
    if (!strcmp(k, "reviewer"))
        return jstr(v, k, e->reviewer, sizeof(e->reviewer), err);
    if (!strcmp(k, "event"))
        return (rc = jenum(v, k, dg_audit_event_parse, &x, err)) ? rc : (e->event = x, 0);
    if (!strcmp(k, "claimed_ori"))
        return jstr(v, k, e->claimed_ori, sizeof(e->claimed_ori), err);
    if (!strcmp(k, "detail"))
        return jstr(v, k, e->detail, sizeof(e->detail), err);
    if (!strcmp(k, "private"))
        return private_from(v, e, err);
    return jbad(err, k, "unknown member");
}

int dg_audit_entry_from_json(const char *json, size_t n, struct dg_audit_entry *out,
                             struct dg_error *err)
{
    if (n > JSON_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "entry larger than %d bytes", JSON_MAX);
    cJSON *o = cJSON_ParseWithLength(json, n);
    if (!o)
        return dg_error_set(err, DG_EENTRY, NULL, -1, "not JSON");
    int rc = 0;
    struct dg_audit_entry *e = dg_calloc(1, sizeof(*e));
    if (!e) {
        cJSON_Delete(o);
        return DG_ENOMEM;
    }
    const cJSON *v, *id_fields = NULL;
    if (!cJSON_IsObject(o)) {
        rc = dg_error_set(err, DG_EENTRY, NULL, -1, "not a JSON object");
        goto out;
    }
    if (!cJSON_GetObjectItemCaseSensitive(o, "kind")) {
        rc = jbad(err, "kind", "missing");
        goto out;
    }
    cJSON_ArrayForEach(v, o)
    {
        if ((rc = member(v, e, &id_fields, err)))
            goto out;
    }
    if (id_fields) {
        /* Tags without values (a public dump): keep them, values empty. */
        if (!cJSON_IsArray(id_fields)) {
            rc = jbad(err, "id_fields", "not an array");
            goto out;
        }
        unsigned i = 0;
        cJSON_ArrayForEach(v, id_fields)
        {
            char tag[4];
            if (i >= DG_AUDIT_MAX_IDS || (rc = jstr(v, "id_fields", tag, sizeof(tag), err))) {
                rc = rc ? rc : jbad(err, "id_fields", "too many");
                goto out;
            }
            if (e->has_private && e->nids) {
                if (i >= e->nids || strcmp(e->ids[i].tag, tag) != 0) {
                    rc = jbad(err, "id_fields", "does not match the private ids");
                    goto out;
                }
            } else {
                memcpy(e->ids[i].tag, tag, sizeof(tag));
            }
            i++;
        }
        if (!(e->has_private && e->nids))
            e->nids = i;
        else if (i != e->nids) {
            rc = jbad(err, "id_fields", "does not match the private ids");
            goto out;
        }
    }
    *out = *e;
out:
    dg_free(e);
    cJSON_Delete(o);
    return rc;
}
