/*
 * test_core.c - unit tests for lib/core: the error table, dg_buf, logging
 * helpers, the allocation fault switch and the shared vocabulary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/core.h>
#include <dmvgate/vocab.h>
#include <dmvgate/vin.h>

#include <limits.h>
#include <string.h>

static void error_table_names_and_messages(void **state)
{
    (void)state;
    assert_string_equal(dg_errname(DG_EINVAL), "EINVAL");
    assert_string_equal(dg_strerror(DG_ENOMEM), "out of memory");
    assert_int_equal(DG_ESTORE, -100);
    assert_string_equal(dg_errname(-99999), "EUNKNOWN");
    assert_string_equal(dg_strerror(-99999), "unknown error");
}

static void error_set_fills_detail(void **state)
{
    (void)state;
    struct dg_error e;
    int rc = dg_error_set(&e, DG_EINVAL, "OLN", 17, "bad %s", "license number");
    assert_int_equal(rc, DG_EINVAL);
    assert_int_equal(e.code, DG_EINVAL);
    assert_string_equal(e.field, "OLN");
    assert_int_equal(e.offset, 17);
    assert_string_equal(e.msg, "bad license number");
    assert_int_equal(dg_error_setpos(&e, DG_EPARSE, 3, 9, NULL), DG_EPARSE);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 9);
    assert_string_equal(e.field, "");
    assert_string_equal(e.msg, "malformed input");
    assert_int_equal(dg_error_set(NULL, DG_EIO, NULL, -1, NULL), DG_EIO);
}

static void buf_respects_max(void **state)
{
    (void)state;
    struct dg_buf b;
    dg_buf_init(&b, 10);
    assert_int_equal(dg_buf_addstr(&b, "hello"), 0);
    assert_int_equal(dg_buf_printf(&b, "%d", 1234), 0);
    assert_string_equal(b.data, "hello1234");
    assert_int_equal(dg_buf_addstr(&b, "xy"), DG_ETOOBIG);
    assert_string_equal(b.data, "hello1234");
    assert_int_equal(dg_buf_addc(&b, '!'), 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(dg_buf_addc(&b, '!'), DG_ETOOBIG);
    dg_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    dg_buf_release(&b);
}

static void buf_printf_long(void **state)
{
    (void)state;
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    char big[1000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(dg_buf_printf(&b, "<%s>", big), 0);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[1000], '>');
    size_t len;
    char *p = dg_buf_detach(&b, &len);
    assert_int_equal(len, 1001);
    assert_null(b.data);
    dg_free(p);
}

static void buf_json_escapes(void **state)
{
    (void)state;
    struct dg_buf b;
    dg_buf_init(&b, 100);
    const char in[] = "a\"b\\c\nd\x01";
    assert_int_equal(dg_buf_add_json_str(&b, in, sizeof(in) - 1), 0);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\u0001\"");
    dg_buf_release(&b);
}

static void alloc_fail_switch(void **state)
{
    (void)state;
    dg_alloc_fail_at(ULONG_MAX);
    void *a = dg_malloc(8), *b = dg_malloc(8);
    assert_int_equal(dg_alloc_fail_at(2), 2);
    void *c = dg_malloc(8);
    void *d = dg_malloc(8);
    assert_non_null(c);
    assert_null(d);
    dg_alloc_fail_at(0);
    void *e = dg_malloc(8);
    assert_non_null(e);
    dg_free(a);
    dg_free(b);
    dg_free(c);
    dg_free(e);
}

static void vocab_round_trips(void **state)
{
    (void)state;
    assert_int_equal(dg_key_parse("IQ", 2), DG_KEY_IQ);
    assert_int_equal(dg_key_parse("ZZ", 2), DG_EINVAL);
    assert_string_equal(dg_key_name(DG_KEY_RR), "RR");
    assert_int_equal(dg_purpose_from_code('I'), DG_PUR_IMMIGRATION);
    assert_string_equal(dg_purpose_name(DG_PUR_IMMIGRATION), "immigration");
    assert_int_equal(dg_purpose_from_code('Q'), DG_EINVAL);
    assert_int_equal(dg_leg_from_code("AW", 2), DG_LEG_ADMIN_WARRANT);
    assert_string_equal(dg_leg_name(DG_LEG_JUDICIAL_WARRANT), "judicial_warrant");
    assert_int_equal(dg_leg_parse("court_order", 11), DG_LEG_COURT_ORDER);
    assert_int_equal(dg_category_parse("unspecified", 11), DG_CAT_UNSPECIFIED);
    assert_int_equal(dg_level_parse("federal", 7), DG_LEVEL_FEDERAL);
    assert_int_equal(dg_agreement_parse("287g-jail", 9), DG_AGR_287G_JAIL);
    assert_true(DG_AGR_287G_TASK_FORCE & DG_AGR_287G);
    assert_int_equal(dg_state_index("CO", 2), 5);
    assert_string_equal(dg_state_code(dg_state_index("WI", 2)), "WI");
    assert_int_equal(dg_state_index("XX", 2), DG_EINVAL);
    assert_int_equal(dg_state_index("C", 1), DG_EINVAL);
    assert_int_equal(dg_field_parse("lawful_presence", 15), DG_FIELD_LAWFUL_PRESENCE);
    assert_string_equal(dg_field_name(DG_FIELD_PHOTO), "photo");
}

static void time_iso_format(void **state)
{
    (void)state;
    char out[40];
    dg_time_iso(1764057600123456LL, out, sizeof(out)); /* 2025-11-25T08:00:00.123456Z */
    assert_string_equal(out, "2025-11-25T08:00:00.123456Z");
}

static void vin_check_digit(void **state)
{
    (void)state;
    /* The worked example of 49 CFR 565 style: 1M8GDM9AXKP042788 has check digit X. */
    assert_int_equal(dg_vin_check_digit("1M8GDM9AXKP042788"), 'X');
    assert_int_equal(dg_vin_validate("1M8GDM9AXKP042788", 17, NULL), 0);
    assert_int_equal(dg_vin_validate("11111111111111111", 17, NULL), 0);
    struct dg_error e;
    assert_int_equal(dg_vin_validate("1M8GDM9A1KP042788", 17, &e), DG_EINVAL);
    assert_int_equal(e.offset, 8);
    assert_int_equal(dg_vin_validate("1M8GDM9AXKP04278", 16, &e), DG_EINVAL);
    assert_int_equal(dg_vin_validate("1M8GDM9AXKP0427O8", 17, &e), DG_EINVAL);
    assert_int_equal(e.offset, 15);
    assert_int_equal(dg_vin_check_digit("1M8GDM9AXKP0427I8"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(error_table_names_and_messages),
        cmocka_unit_test(error_set_fills_detail),
        cmocka_unit_test(buf_respects_max),
        cmocka_unit_test(buf_printf_long),
        cmocka_unit_test(buf_json_escapes),
        cmocka_unit_test(alloc_fail_switch),
        cmocka_unit_test(vocab_round_trips),
        cmocka_unit_test(time_iso_format),
        cmocka_unit_test(vin_check_digit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
