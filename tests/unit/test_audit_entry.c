/*
 * test_audit_entry.c - the canonical entry encoding: round trips of every
 * kind with and without the private part, the salt hiding the private
 * part, strict rejection of anything but the canonical bytes, validation,
 * the JSON form, entries through a log and its iterator (replay), and
 * allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_test_util.h"

#include <limits.h>

static const uint8_t SALT[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void query(struct dg_audit_entry *e)
{
    dg_audit_entry_init(e, DG_AUDIT_QUERY);
    e->time_us = 1764057600123456;
    snprintf(e->msg_id, sizeof(e->msg_id), "CO-000123");
    snprintf(e->req.ori, sizeof(e->req.ori), "DCICE0100");
    e->req.level = DG_LEVEL_FEDERAL;
    e->req.category = DG_CAT_FEDERAL_LE;
    snprintf(e->req.department, sizeof(e->req.department), "DHS");
    snprintf(e->req.component, sizeof(e->req.component), "ICE-ERO");
    e->req.agreements = DG_AGR_287G_TASK_FORCE;
    e->key = DG_KEY_DQ;
    snprintf(e->dest, sizeof(e->dest), "CO");
    e->fields_asked = DG_FIELD_NAME | DG_FIELD_ADDRESS | DG_FIELD_LAWFUL_PRESENCE;
    e->purpose = DG_PUR_IMMIGRATION;
    e->leg = DG_LEG_ADMIN_WARRANT;
    e->has_case = true;
    e->decision = DG_DECISION_DENY;
    snprintf(e->rule, sizeof(e->rule), "civil immigration enforcement (C.R.S. 24-74-103)");
    e->redactions = DG_FIELD_ADDRESS;
    e->notify = true;
    e->released = 0;
    e->nids = 2;
    snprintf(e->ids[0].tag, 4, "NAM");
    snprintf(e->ids[0].value, sizeof(e->ids[0].value), "DOE,JANE Q");
    snprintf(e->ids[1].tag, 4, "DOB");
    snprintf(e->ids[1].value, sizeof(e->ids[1].value), "19800101");
    snprintf(e->leg_number, sizeof(e->leg_number), "I-200 2025-4411");
    snprintf(e->case_number, sizeof(e->case_number), "ERO-DEN-77");
    snprintf(e->atn, sizeof(e->atn), "SA R ROE");
}

static void review(struct dg_audit_entry *e)
{
    dg_audit_entry_init(e, DG_AUDIT_REVIEW);
    e->time_us = 1764057700000000;
    snprintf(e->msg_id, sizeof(e->msg_id), "CO-000124");
    e->action = DG_ACTION_APPROVE;
    snprintf(e->reviewer, sizeof(e->reviewer), "reviewer-17");
    e->released = DG_FIELD_NAME | DG_FIELD_DOB;
    snprintf(e->reason, sizeof(e->reason), "judicial warrant 25CR1 checked by phone");
}

static void security(struct dg_audit_entry *e)
{
    dg_audit_entry_init(e, DG_AUDIT_SECURITY);
    e->time_us = 1764057800000000;
    snprintf(e->req.ori, sizeof(e->req.ori), "AZ0070000");
    e->req.level = DG_LEVEL_LOCAL;
    e->req.category = DG_CAT_MUNICIPAL_POLICE;
    e->event = DG_EVENT_ORI_MISMATCH;
    snprintf(e->claimed_ori, sizeof(e->claimed_ori), "CO0010000");
    snprintf(e->detail, sizeof(e->detail), "certificate ORI differs from the message ORI");
}

/* Compare what the public part carries, and the private part when asked. */
static void assert_same(const struct dg_audit_entry *a, const struct dg_audit_entry *b, bool priv)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->time_us, b->time_us);
    assert_string_equal(a->msg_id, b->msg_id);
    assert_string_equal(a->req.ori, b->req.ori);
    assert_int_equal(a->req.level, b->req.level);
    assert_int_equal(a->req.category, b->req.category);
    assert_string_equal(a->req.department, b->req.department);
    assert_string_equal(a->req.component, b->req.component);
    assert_int_equal(a->req.agreements, b->req.agreements);
    assert_int_equal(a->key, b->key);
    assert_string_equal(a->dest, b->dest);
    assert_int_equal(a->fields_asked, b->fields_asked);
    assert_int_equal(a->purpose, b->purpose);
    assert_int_equal(a->leg, b->leg);
    assert_int_equal(a->has_case, b->has_case);
    assert_int_equal(a->decision, b->decision);
    assert_string_equal(a->rule, b->rule);
    assert_int_equal(a->redactions, b->redactions);
    assert_int_equal(a->notify, b->notify);
    assert_int_equal(a->released, b->released);
    assert_int_equal(a->nids, b->nids);
    for (unsigned i = 0; i < a->nids; i++) {
        assert_string_equal(a->ids[i].tag, b->ids[i].tag);
        if (priv)
            assert_string_equal(a->ids[i].value, b->ids[i].value);
    }
    assert_int_equal(a->action, b->action);
    assert_string_equal(a->reviewer, b->reviewer);
    assert_int_equal(a->event, b->event);
    assert_string_equal(a->claimed_ori, b->claimed_ori);
    assert_string_equal(a->detail, b->detail);
    if (priv) {
        assert_string_equal(a->leg_number, b->leg_number);
        assert_string_equal(a->case_number, b->case_number);
        assert_string_equal(a->atn, b->atn);
        assert_string_equal(a->reason, b->reason);
    }
}

static void round_trip_one(const struct dg_audit_entry *e)
{
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    struct dg_error err;
    int rc = dg_audit_entry_encode(e, SALT, &pub, &priv, &err);
    if (rc)
        fail_msg("encode: %s", err.msg);
    assert_true(dg_audit_entry_is_entry((uint8_t *)pub.data, pub.len));
    struct dg_audit_entry d;
    rc = dg_audit_entry_decode((uint8_t *)pub.data, pub.len, (uint8_t *)priv.data, priv.len, &d,
                               &err);
    if (rc)
        fail_msg("decode: %s", err.msg);
    assert_true(d.has_private);
    assert_memory_equal(d.salt, SALT, 32);
    assert_same(e, &d, true);
    /* Public part alone: no private values. */
    assert_int_equal(dg_audit_entry_decode((uint8_t *)pub.data, pub.len, NULL, 0, &d, &err), 0);
    assert_false(d.has_private);
    assert_same(e, &d, false);
    for (unsigned i = 0; i < d.nids; i++)
        assert_string_equal(d.ids[i].value, "");
    assert_string_equal(d.atn, "");
    /* Nothing private is in the public bytes. */
    const char *secrets[] = {"DOE,JANE", "19800101", "I-200", "ERO-DEN", "SA R ROE", "by phone"};
    for (size_t i = 0; i < DG_ARRAY_LEN(secrets); i++)
        assert_null(memmem(pub.data, pub.len, secrets[i], strlen(secrets[i])));
    /* JSON and back gives the same bytes. */
    struct dg_buf j;
    dg_buf_init(&j, 1 << 16);
    struct dg_audit_entry full;
    assert_int_equal(dg_audit_entry_decode((uint8_t *)pub.data, pub.len, (uint8_t *)priv.data,
                                           priv.len, &full, &err),
                     0);
    assert_int_equal(dg_audit_entry_to_json(&full, true, &j), 0);
    struct dg_audit_entry fj;
    rc = dg_audit_entry_from_json(j.data, j.len, &fj, &err);
    if (rc)
        fail_msg("from_json %s: %s", j.data, err.msg);
    struct dg_buf pub2, priv2;
    dg_buf_init(&pub2, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv2, DG_AUDIT_PRIVATE_MAX);
    assert_int_equal(dg_audit_entry_encode(&fj, fj.salt, &pub2, &priv2, &err), 0);
    assert_int_equal(pub2.len, pub.len);
    assert_memory_equal(pub2.data, pub.data, pub.len);
    assert_int_equal(priv2.len, priv.len);
    assert_memory_equal(priv2.data, priv.data, priv.len);
    /* The public JSON has no private member. */
    dg_buf_reset(&j);
    assert_int_equal(dg_audit_entry_to_json(&full, false, &j), 0);
    assert_null(strstr(j.data, "private"));
    assert_null(strstr(j.data, "DOE"));
    dg_buf_release(&j);
    dg_buf_release(&pub);
    dg_buf_release(&priv);
    dg_buf_release(&pub2);
    dg_buf_release(&priv2);
}

static void round_trips(void **state)
{
    (void)state;
    struct dg_audit_entry e;
    query(&e);
    round_trip_one(&e);
    e.nids = 0;
    e.leg_number[0] = e.case_number[0] = e.atn[0] = '\0';
    e.req.department[0] = e.req.component[0] = '\0';
    e.req.agreements = 0;
    e.rule[0] = '\0';
    round_trip_one(&e);
    review(&e);
    round_trip_one(&e);
    security(&e);
    round_trip_one(&e);
    e.req.ori[0] = '\0'; /* a security event from an unidentified peer */
    e.req.level = 0;
    e.req.category = 0;
    round_trip_one(&e);
}

static void salt_hides_private_part(void **state)
{
    (void)state;
    struct dg_audit_entry e;
    query(&e);
    struct dg_buf a, b, pa, pb;
    dg_buf_init(&a, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&b, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&pa, DG_AUDIT_PRIVATE_MAX);
    dg_buf_init(&pb, DG_AUDIT_PRIVATE_MAX);
    struct dg_error err;
    assert_int_equal(dg_audit_entry_encode(&e, NULL, &a, &pa, &err), 0);
    assert_int_equal(dg_audit_entry_encode(&e, NULL, &b, &pb, &err), 0);
    /* Same entry, fresh salts: the public parts (and leaf hashes) differ. */
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data, b.data, a.len);
    /* A private part that is not the committed one is refused. */
    struct dg_audit_entry d;
    assert_int_equal(
        dg_audit_entry_decode((uint8_t *)a.data, a.len, (uint8_t *)pb.data, pb.len, &d, &err),
        DG_EENTRY);
    assert_non_null(strstr(err.msg, "commitment"));
    dg_buf_release(&a);
    dg_buf_release(&b);
    dg_buf_release(&pa);
    dg_buf_release(&pb);
}

static void strict_decoding(void **state)
{
    (void)state;
    struct dg_audit_entry e, d;
    query(&e);
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    struct dg_error err;
    assert_int_equal(dg_audit_entry_encode(&e, SALT, &pub, &priv, &err), 0);
    uint8_t *p = (uint8_t *)pub.data;
    uint8_t buf[4096];
    /* Every truncation is rejected; a changed byte either is rejected or
     * (inside a value) decodes to another entry that is itself canonical:
     * the decoder re-encodes and compares. Changes of structure (format,
     * tags, lengths) are all rejected. */
    int rejected = 0;
    for (size_t i = 0; i < pub.len; i++) {
        memcpy(buf, p, pub.len);
        buf[i] ^= 0x80;
        rejected += dg_audit_entry_decode(buf, pub.len, NULL, 0, &d, &err) == DG_EENTRY;
        assert_int_equal(dg_audit_entry_decode(p, i, NULL, 0, &d, &err), DG_EENTRY);
    }
    assert_true(rejected > (int)pub.len / 4);
    for (size_t i = 0; i < 3; i++) {
        memcpy(buf, p, pub.len);
        buf[i] ^= 0x01;
        assert_int_equal(dg_audit_entry_decode(buf, pub.len, NULL, 0, &d, &err), DG_EENTRY);
    }
    /* trailing byte */
    memcpy(buf, p, pub.len);
    buf[pub.len] = 0;
    assert_int_equal(dg_audit_entry_decode(buf, pub.len + 1, NULL, 0, &d, &err), DG_EENTRY);
    /* fields out of order: swap the first two fields after the header */
    size_t f1 = 3, l1 = 3 + ((size_t)p[f1 + 1] << 8 | p[f1 + 2]);
    size_t f2 = f1 + l1, l2 = 3 + ((size_t)p[f2 + 1] << 8 | p[f2 + 2]);
    memcpy(buf, p, pub.len);
    memcpy(buf + f1, p + f2, l2);
    memcpy(buf + f1 + l2, p + f1, l1);
    assert_int_equal(dg_audit_entry_decode(buf, pub.len, NULL, 0, &d, &err), DG_EENTRY);
    /* an enum out of range: the level (tag 4) */
    uint8_t *lv = memchr(p + 3, 4, pub.len - 3);
    while (lv && !(lv[1] == 0 && lv[2] == 1))
        lv = memchr(lv + 1, 4, pub.len - (size_t)(lv + 1 - p));
    assert_non_null(lv);
    memcpy(buf, p, pub.len);
    buf[lv - p + 3] = 99;
    assert_int_equal(dg_audit_entry_decode(buf, pub.len, NULL, 0, &d, &err), DG_EENTRY);
    /* a member that does not belong to the kind: a query with a reviewer */
    e.kind = DG_AUDIT_QUERY;
    struct dg_audit_entry r;
    review(&r);
    dg_buf_reset(&pub);
    dg_buf_reset(&priv);
    assert_int_equal(dg_audit_entry_encode(&r, SALT, &pub, &priv, &err), 0);
    memcpy(buf, pub.data, pub.len);
    buf[2] = DG_AUDIT_QUERY;
    assert_int_equal(dg_audit_entry_decode(buf, pub.len, NULL, 0, &d, &err), DG_EENTRY);
    /* a private part with a repeated field */
    dg_buf_addstr(&priv, "");
    uint8_t pv[512];
    memcpy(pv, priv.data, priv.len);
    memcpy(pv + priv.len, pv + priv.len - (3 + strlen(r.reason)), 3 + strlen(r.reason));
    assert_int_equal(dg_audit_entry_decode((uint8_t *)pub.data, pub.len, pv,
                                           priv.len + 3 + strlen(r.reason), &d, &err),
                     DG_EENTRY);
    dg_buf_release(&pub);
    dg_buf_release(&priv);
}

static void validation(void **state)
{
    (void)state;
    struct dg_audit_entry e;
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    struct dg_error err;
#define EXPECT_BAD(stmt, fieldname)                                                                \
    do {                                                                                           \
        query(&e);                                                                                 \
        stmt;                                                                                      \
        assert_int_equal(dg_audit_entry_encode(&e, SALT, &pub, &priv, &err), DG_EENTRY);           \
        assert_string_equal(err.field, fieldname);                                                 \
    } while (0)
    EXPECT_BAD(e.kind = 9, "kind");
    EXPECT_BAD(snprintf(e.req.ori, sizeof(e.req.ori), "CO001"), "ori");
    EXPECT_BAD(snprintf(e.req.ori, sizeof(e.req.ori), "co0010000"), "ori");
    EXPECT_BAD(e.req.level = DG_LEVEL__COUNT, "level");
    EXPECT_BAD(e.req.agreements = 1u << 20, "agreements");
    EXPECT_BAD(snprintf(e.dest, sizeof(e.dest), "XX"), "dest");
    EXPECT_BAD(e.purpose = DG_PUR__COUNT, "purpose");
    EXPECT_BAD(e.fields_asked = 1u << 30, "fields");
    EXPECT_BAD(snprintf(e.rule, sizeof(e.rule), "tab\there"), "rule");
    EXPECT_BAD(snprintf(e.ids[0].tag, 4, "n1"), "ids");
    EXPECT_BAD(e.ids[1].value[0] = '\0', "ids");
    EXPECT_BAD(e.nids = DG_AUDIT_MAX_IDS + 1, "ids");
    EXPECT_BAD(snprintf(e.atn, sizeof(e.atn), "bad \xff utf8"), "private");
    query(&e);
    memset(e.msg_id, 'x', sizeof(e.msg_id)); /* not NUL-terminated */
    assert_int_equal(dg_audit_entry_encode(&e, SALT, &pub, &priv, &err), DG_EENTRY);
    review(&e);
    e.reviewer[0] = '\0';
    assert_int_equal(dg_audit_entry_encode(&e, SALT, &pub, &priv, &err), DG_EENTRY);
    security(&e);
    e.event = DG_EVENT_NONE;
    assert_int_equal(dg_audit_entry_encode(&e, SALT, &pub, &priv, &err), DG_EENTRY);
    dg_buf_release(&pub);
    dg_buf_release(&priv);
}

static void json_errors(void **state)
{
    (void)state;
    struct dg_audit_entry e;
    struct dg_error err;
    const char *bad[] = {
        "",
        "[]",
        "{}",
        "{\"kind\":\"nope\"}",
        "{\"kind\":\"query\",\"extra\":1}",
        "{\"kind\":\"query\",\"purpose\":\"fishing\"}",
        "{\"kind\":\"query\",\"fields_asked\":[\"name\",\"soul\"]}",
        "{\"kind\":\"query\",\"requester\":{\"ori\":\"CO0010000\",\"rank\":1}}",
        "{\"kind\":\"query\",\"time_us\":1.5}",
        "{\"kind\":\"query\",\"has_case\":1}",
        "{\"kind\":\"query\",\"dest\":\"COLORADO\"}",
        "{\"kind\":\"query\",\"private\":{\"ids\":[[\"OLN\"]]}}",
        "{\"kind\":\"query\",\"private\":{\"salt\":\"AAAA\"}}",
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++)
        if (dg_audit_entry_from_json(bad[i], strlen(bad[i]), &e, &err) == 0)
            fail_msg("accepted bad JSON entry %zu", i);
    const char *ok = "{\"kind\":\"query\",\"time_us\":1,\"requester\":{\"ori\":\"CO0010000\","
                     "\"level\":\"local\",\"category\":\"sheriff\"},\"key\":\"RQ\",\"dest\":"
                     "\"CO\",\"id_fields\":[\"LIC\",\"LIS\"],\"purpose\":\"traffic\","
                     "\"legal_process\":\"none\",\"has_case\":false,\"decision\":\"allow\","
                     "\"private\":{\"ids\":[[\"LIC\",\"ABC123\"],[\"LIS\",\"CO\"]]}}";
    assert_int_equal(dg_audit_entry_from_json(ok, strlen(ok), &e, &err), 0);
    assert_int_equal(e.key, DG_KEY_RQ);
    assert_int_equal(e.nids, 2);
    assert_string_equal(e.ids[0].value, "ABC123");
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    assert_int_equal(dg_audit_entry_encode(&e, NULL, &pub, &priv, &err), 0);
    dg_buf_release(&pub);
    dg_buf_release(&priv);
}

/* Entries through a real log and back with the iterator: what `policy
 * simulate` does to replay recorded requests. */
static void replay_through_log(void **state)
{
    (void)state;
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 1024);
    dg_buf_init(&vk, 1024);
    struct dg_error err;
    struct dg_note_signer *s;
    assert_int_equal(dg_note_keygen("test.example/entries", &sk, &vk, &err), 0);
    assert_int_equal(dg_note_signer_parse(sk.data, sk.len, &s, &err), 0);
    char tmp[256];
    tu_tmpdir(tmp);
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = tmp;
    o.signer = s;
    o.flags = DG_AUDIT_CREATE;
    struct dg_audit_log *log;
    assert_int_equal(dg_audit_open(&o, &log, &err), 0);
    struct dg_audit_entry e[3];
    query(&e[0]);
    review(&e[1]);
    security(&e[2]);
    for (int i = 0; i < 3; i++) {
        uint64_t idx;
        assert_int_equal(dg_audit_append_entry(log, &e[i], &idx, &err), 0);
        assert_int_equal(idx, (uint64_t)i);
    }
    e[0].kind = 42;
    assert_int_equal(dg_audit_append_entry(log, &e[0], NULL, &err), DG_EENTRY);
    query(&e[0]);
    assert_int_equal(dg_audit_close(log), 0);
    struct dg_audit_iter *it;
    assert_int_equal(dg_audit_iter_open(tmp, 0, &it, &err), 0);
    struct dg_audit_record r;
    int n = 0;
    while (dg_audit_iter_next(it, &r, &err) == 1) {
        struct dg_audit_entry d;
        assert_int_equal(dg_audit_entry_decode(r.pub, r.pub_len, r.priv, r.priv_len, &d, &err), 0);
        assert_same(&e[n], &d, true);
        n++;
    }
    assert_int_equal(n, 3);
    dg_audit_iter_free(it);
    struct dg_note_verifier *v;
    assert_int_equal(dg_note_verifier_parse(vk.data, vk.len, &v, &err), 0);
    assert_int_equal(dg_audit_verify_dir(tmp, &v, 1, NULL, &err), 0);
    dg_note_verifier_free(v);
    dg_note_signer_free(s);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    tu_rmdir(tmp);
}

static void allocation_failures(void **state)
{
    (void)state;
    struct dg_audit_entry e, d;
    query(&e);
    struct dg_buf pub, priv, j;
    struct dg_error err;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    dg_buf_init(&j, 1 << 16);
    dg_alloc_fail_at(ULONG_MAX);
    assert_int_equal(dg_audit_entry_encode(&e, SALT, &pub, &priv, &err), 0);
    assert_int_equal(dg_audit_entry_decode((uint8_t *)pub.data, pub.len, (uint8_t *)priv.data,
                                           priv.len, &d, &err),
                     0);
    assert_int_equal(dg_audit_entry_to_json(&d, true, &j), 0);
    unsigned long count = dg_alloc_fail_at(0);
    assert_true(count > 0);
    for (unsigned long k = 1; k <= count; k++) {
        dg_buf_release(&pub);
        dg_buf_release(&priv);
        dg_buf_release(&j);
        dg_alloc_fail_at(k);
        int rc = dg_audit_entry_encode(&e, SALT, &pub, &priv, &err);
        if (!rc)
            rc = dg_audit_entry_decode((uint8_t *)pub.data, pub.len, (uint8_t *)priv.data, priv.len,
                                       &d, &err);
        if (!rc)
            rc = dg_audit_entry_to_json(&d, true, &j);
        dg_alloc_fail_at(0);
        assert_true(rc == DG_ENOMEM || rc == DG_EENTRY);
    }
    dg_buf_release(&pub);
    dg_buf_release(&priv);
    dg_buf_release(&j);
}

int main(void)
{
    dg_log_set_level(DG_LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),         cmocka_unit_test(salt_hides_private_part),
        cmocka_unit_test(strict_decoding),     cmocka_unit_test(validation),
        cmocka_unit_test(json_errors),         cmocka_unit_test(replay_through_log),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
