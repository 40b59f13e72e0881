/*
 * test_client.c - unit tests for lib/client's reading side: splitting the
 * hub's answer into one response per destination (text and JSON), the
 * refusals, and the readable rendering `dmvgate query` prints. The transport
 * is tested whole-process (tests/e2e/query.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/client.h>

#include <string.h>

static const char two_text[] =
    "DR.AZ0070000.CO.TXT\n"
    "MID/CO-1.STS/FOUND.\n"
    "REC/DRV.OLN/123456789.OLS/CO.NAM/DOE,JANE.DOB/19800101.SEX/F.HGT/507.LPF/N\n"
    "ER.AZ0070000.WI.TXT\n"
    "MID/HUB-1.STS/FAILED.ERC/901.ERT/the destination state's node cannot be reached\n";

static void splits_text_answers(void **state)
{
    (void)state;
    struct dg_msg_resp *r[4] = {0};
    struct dg_error e;
    int n = dg_client_answers_parse(two_text, strlen(two_text), r, 4, &e);
    assert_int_equal(n, 2);
    assert_string_equal(dg_msg_resp_src(r[0]), "CO");
    assert_int_equal(dg_msg_resp_status(r[0]), DG_STS_FOUND);
    assert_int_equal(dg_msg_resp_nrecords(r[0]), 1);
    assert_string_equal(dg_msg_resp_get(r[0], 0, DG_TAG_OLN), "123456789");
    assert_string_equal(dg_msg_resp_src(r[1]), "WI");
    assert_int_equal(dg_msg_resp_status(r[1]), DG_STS_FAILED);
    assert_string_equal(dg_msg_resp_get(r[1], -1, DG_TAG_ERC), "901");
    for (int i = 0; i < n; i++)
        dg_msg_resp_free(r[i]);
}

static void splits_json_answers(void **state)
{
    (void)state;
    static const char j[] =
        "{\"answers\":[{\"key\":\"DR\",\"ori\":\"AZ0070000\",\"src\":\"AZ\",\"fields\":{\"MID\":"
        "\"AZ-1\",\"STS\":\"NOTFOUND\"},\"records\":[]},{\"key\":\"DR\",\"ori\":\"AZ0070000\","
        "\"src\":\"CO\",\"fields\":{\"MID\":\"CO-1\",\"STS\":\"HELD\"},\"records\":[]}]}";
    struct dg_msg_resp *r[4] = {0};
    int n = dg_client_answers_parse(j, strlen(j), r, 4, NULL);
    assert_int_equal(n, 2);
    assert_int_equal(dg_msg_resp_status(r[0]), DG_STS_NOTFOUND);
    assert_string_equal(dg_msg_resp_src(r[1]), "CO");
    assert_int_equal(dg_msg_resp_status(r[1]), DG_STS_HELD);
    dg_msg_resp_free(r[0]);
    dg_msg_resp_free(r[1]);
    /* a single JSON response, not wrapped */
    static const char one[] = "{\"key\":\"DR\",\"ori\":\"AZ0070000\",\"src\":\"AZ\",\"fields\":{"
                              "\"MID\":\"AZ-1\",\"STS\":\"NOTFOUND\"},\"records\":[]}";
    assert_int_equal(dg_client_answers_parse(one, strlen(one), r, 4, NULL), 1);
    dg_msg_resp_free(r[0]);
}

static void refuses_what_is_not_a_message(void **state)
{
    (void)state;
    struct dg_msg_resp *r[2] = {0};
    struct dg_error e;
    assert_int_equal(dg_client_answers_parse("", 0, r, 2, &e), DG_EMSGEMPTY);
    assert_true(e.msg[0] != '\0');
    static const char err[] = "{\"error\":{\"code\":\"ENOROUTE\",\"number\":603}}";
    assert_true(dg_client_answers_parse(err, strlen(err), r, 2, &e) < 0);
    static const char none[] = "{\"answers\":[]}";
    assert_int_equal(dg_client_answers_parse(none, strlen(none), r, 2, &e), DG_EMSGEMPTY);
    assert_true(dg_client_answers_parse("{", 1, r, 2, &e) < 0);
    /* more responses than room: refused, nothing left allocated */
    assert_int_equal(dg_client_answers_parse(two_text, strlen(two_text), r, 1, &e), DG_ETOOBIG);
    assert_null(r[0]);
    /* a second response that is malformed: the whole answer is refused, and
     * the offset points into the second response */
    static const char bad[] = "DR.AZ0070000.CO.TXT\nMID/CO-1.STS/HELD\nDR.AZ0070000.WI.TXT\n"
                              "MID/WI-1.STS/BOGUS";
    int rc = dg_client_answers_parse(bad, strlen(bad), r, 2, &e);
    assert_true(rc < 0);
    assert_true(e.offset > 36);
}

static void renders_for_a_person(void **state)
{
    (void)state;
    struct dg_msg_resp *r[4] = {0};
    assert_int_equal(dg_client_answers_parse(two_text, strlen(two_text), r, 4, NULL), 2);
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    assert_int_equal(dg_client_render(r[0], &b), 0);
    assert_non_null(strstr(b.data, "CO: FOUND (DR to AZ0070000, MID CO-1)\n"));
    assert_non_null(strstr(b.data, "  record 1: driver\n"));
    assert_non_null(strstr(b.data, "    license number        123456789\n"));
    assert_non_null(strstr(b.data, "    date of birth         1980-01-01\n"));
    assert_non_null(strstr(b.data, "    height                5'07\"\n"));
    assert_non_null(strstr(b.data, "lawful presence       N (license issued without proof)"));
    dg_buf_reset(&b);
    assert_int_equal(dg_client_render(r[1], &b), 0);
    assert_non_null(strstr(b.data, "WI: FAILED (ER to AZ0070000, MID HUB-1)\n"));
    assert_non_null(strstr(b.data, "  error 901 (EUNREACHABLE): the destination state's node"));
    dg_msg_resp_free(r[0]);
    dg_msg_resp_free(r[1]);

    static const char denied[] = "ER.CO0010000.CO.TXT\nMID/CO-9.STS/DENIED.ERC/705.ERT/civil "
                                 "immigration enforcement.RUL/ice";
    assert_int_equal(dg_client_answers_parse(denied, strlen(denied), r, 4, NULL), 1);
    dg_buf_reset(&b);
    assert_int_equal(dg_client_render(r[0], &b), 0);
    assert_non_null(strstr(b.data, "error 705 (EDENIED): civil immigration enforcement\n"));
    assert_non_null(strstr(b.data, "  rule: ice\n"));
    dg_msg_resp_free(r[0]);

    static const char held[] = "DR.AZ0070000.WI.TXT\nMID/WI-7.STS/HELD";
    assert_int_equal(dg_client_answers_parse(held, strlen(held), r, 4, NULL), 1);
    dg_buf_reset(&b);
    assert_int_equal(dg_client_render(r[0], &b), 0);
    assert_non_null(strstr(b.data, "--poll WI-7 --state WI"));
    dg_msg_resp_free(r[0]);
    dg_buf_release(&b);
}

static void client_refuses_bad_urls(void **state)
{
    (void)state;
    struct dg_client *c = NULL;
    struct dg_error e;
    struct dg_client_options o = {.url = "ftp://x"};
    assert_int_equal(dg_client_new(&c, &o, &e), DG_EINVAL);
    o.url = "https://127.0.0.1:1/";
    assert_int_equal(dg_client_new(&c, &o, &e), 0);
    struct dg_client_reply rep;
    assert_int_equal(dg_client_poll(c, "../etc", "CO", &rep, &e), DG_EINVAL);
    dg_client_reply_release(&rep);
    /* nothing listens on port 1 */
    assert_int_equal(dg_client_get(c, "/healthz", &rep, &e), DG_EUNREACHABLE);
    dg_client_reply_release(&rep);
    dg_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(splits_text_answers),           cmocka_unit_test(splits_json_answers),
        cmocka_unit_test(refuses_what_is_not_a_message), cmocka_unit_test(renders_for_a_person),
        cmocka_unit_test(client_refuses_bad_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
