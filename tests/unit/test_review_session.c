/*
 * test_review_session.c - unit tests for the review console's sessions
 * (lib/review/session.c): random ids and CSRF tokens, idle expiry, logout,
 * the cookie attributes, the Cookie-header parser and the login rate limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/review.h>

#include <string.h>

#define T0  1800000000000000LL
#define SEC 1000000LL

static void sessions(void **state)
{
    (void)state;
    struct dg_sessions *t = NULL;
    struct dg_error e;
    assert_int_equal(dg_sessions_new(600 * SEC, &t, &e), 0);
    struct dg_user u = {.name = "ana", .role = DG_ROLE_REVIEWER};
    struct dg_session a, b, f;
    assert_int_equal(dg_session_start(t, &u, T0, &a, &e), 0);
    assert_int_equal(dg_session_start(t, &u, T0, &b, &e), 0);
    assert_int_equal(strlen(a.id), DG_SESSION_TOKEN_LEN);
    assert_int_equal(strlen(a.csrf), DG_SESSION_TOKEN_LEN);
    assert_string_not_equal(a.id, b.id);
    assert_string_not_equal(a.id, a.csrf);

    assert_int_equal(dg_session_find(t, a.id, T0 + 10 * SEC, &f), 0);
    assert_string_equal(f.user.name, "ana");
    assert_int_equal(f.user.role, DG_ROLE_REVIEWER);
    assert_true(dg_session_csrf_ok(&f, a.csrf));
    assert_false(dg_session_csrf_ok(&f, b.csrf));
    assert_false(dg_session_csrf_ok(&f, ""));
    assert_false(dg_session_csrf_ok(&f, NULL));
    assert_int_equal(dg_session_find(t, NULL, T0, &f), DG_ENOTFOUND);
    assert_int_equal(dg_session_find(t, "abc", T0, &f), DG_ENOTFOUND);
    /* the csrf token is not a session id */
    assert_int_equal(dg_session_find(t, a.csrf, T0, &f), DG_ENOTFOUND);

    /* use keeps a session alive; idleness ends it */
    assert_int_equal(dg_session_find(t, a.id, T0 + 500 * SEC, &f), 0);
    assert_int_equal(dg_session_find(t, a.id, T0 + 1000 * SEC, &f), 0);
    assert_int_equal(dg_session_find(t, b.id, T0 + 1000 * SEC, &f), DG_ENOTFOUND);

    dg_session_end(t, a.id);
    assert_int_equal(dg_session_find(t, a.id, T0 + 1001 * SEC, &f), DG_ENOTFOUND);
    dg_session_end(t, "nothing");
    dg_sessions_free(t);
}

static void cookie_attributes(void **state)
{
    (void)state;
    char c[256];
    dg_session_cookie("abcd", c);
    assert_non_null(strstr(c, "dg_session=abcd;"));
    assert_non_null(strstr(c, "HttpOnly"));
    assert_non_null(strstr(c, "Secure"));
    assert_non_null(strstr(c, "SameSite=Strict"));
    dg_session_cookie(NULL, c);
    assert_non_null(strstr(c, "Max-Age=0"));
}

static void cookie_parse(void **state)
{
    (void)state;
    char v[80];
    assert_int_equal(dg_cookie_get("a=1; dg_session=xyz; b=2", "dg_session", v, sizeof(v)), 0);
    assert_string_equal(v, "xyz");
    assert_int_equal(dg_cookie_get("dg_session=first", "dg_session", v, sizeof(v)), 0);
    assert_string_equal(v, "first");
    assert_int_equal(
        dg_cookie_get("x_dg_session=no; dg_session = yes ", "dg_session", v, sizeof(v)), 0);
    assert_string_equal(v, "yes");
    assert_int_equal(dg_cookie_get("other=1", "dg_session", v, sizeof(v)), DG_ENOTFOUND);
    assert_int_equal(dg_cookie_get("dg_session", "dg_session", v, sizeof(v)), DG_ENOTFOUND);
    assert_int_equal(dg_cookie_get(";;;", "dg_session", v, sizeof(v)), DG_ENOTFOUND);
    assert_int_equal(dg_cookie_get(NULL, "dg_session", v, sizeof(v)), DG_ENOTFOUND);
    assert_int_equal(dg_cookie_get("dg_session=0123456789", "dg_session", v, 5), DG_ENOTFOUND);
    static char big[DG_COOKIE_HEADER_MAX + 10];
    memset(big, 'a', sizeof(big) - 1);
    assert_int_equal(dg_cookie_get(big, "dg_session", v, sizeof(v)), DG_ETOOBIG);
}

static void login_limit(void **state)
{
    (void)state;
    struct dg_login_limit *l = NULL;
    struct dg_error e;
    assert_int_equal(dg_login_limit_new(&l, &e), 0);
    for (int i = 0; i < DG_LOGIN_PER_MINUTE; i++)
        assert_true(dg_login_allow(l, "10.0.0.1", T0 + i * SEC));
    assert_true(dg_login_limited(l, "10.0.0.1", T0 + 30 * SEC)); /* asks, counts nothing */
    assert_false(dg_login_limited(l, "10.0.0.9", T0 + 30 * SEC));
    assert_false(dg_login_allow(l, "10.0.0.1", T0 + 30 * SEC));
    assert_true(dg_login_allow(l, "10.0.0.2", T0 + 30 * SEC)); /* another address */
    assert_true(dg_login_allow(l, "10.0.0.1", T0 + 61 * SEC)); /* the window moved */
    dg_login_limit_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sessions),
        cmocka_unit_test(cookie_attributes),
        cmocka_unit_test(cookie_parse),
        cmocka_unit_test(login_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
