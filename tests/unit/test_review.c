/*
 * test_review.c - unit tests for the review console's accounts
 * (lib/review/user.c): the migration, roles, adding accounts, name, agency
 * and password checks, logins with Argon2id hashes, lockout after repeated
 * failures and its expiry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/review.h>
#include <dmvgate/store.h>

#include <string.h>

#define PW "correct horse battery"
#define T0 1800000000000000LL

static struct dg_store *open_mem(void)
{
    struct dg_store *s = NULL;
    struct dg_error e;
    if (dg_store_open(":memory:", DG_STORE_CREATE, &s, &e) != 0)
        fail_msg("store: %s", e.msg);
    assert_int_equal(dg_review_migrate(s, &e), 2); /* accounts; approvals, notices */
    assert_int_equal(dg_review_migrate(s, &e), 0); /* already current */
    return s;
}

static void roles(void **state)
{
    (void)state;
    enum dg_user_role r;
    assert_int_equal(dg_role_parse("supervisor", &r), 0);
    assert_int_equal(r, DG_ROLE_SUPERVISOR);
    assert_string_equal(dg_role_name(DG_ROLE_ADMIN), "admin");
    assert_int_equal(dg_role_parse("root", &r), DG_EINVAL);
    assert_int_equal(dg_role_parse(NULL, &r), DG_EINVAL);
    assert_string_equal(dg_role_name((enum dg_user_role)9), "?");
}

static void names(void **state)
{
    (void)state;
    assert_int_equal(dg_user_name_check("ana.ruiz-2", NULL), 0);
    assert_int_equal(dg_user_name_check("", NULL), DG_EINVAL);
    assert_int_equal(dg_user_name_check(".hidden", NULL), DG_EINVAL);
    assert_int_equal(dg_user_name_check("Ana", NULL), DG_EINVAL);
    assert_int_equal(dg_user_name_check("a b", NULL), DG_EINVAL);
    char longname[DG_USER_NAME_MAX + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(dg_user_name_check(longname, NULL), DG_EINVAL);
}

static void add_and_login(void **state)
{
    (void)state;
    struct dg_store *s = open_mem();
    struct dg_error e;
    assert_int_equal(dg_user_add(s, "ana", DG_ROLE_REVIEWER, "CODMV0000", PW, strlen(PW), T0, &e),
                     0);
    assert_int_equal(dg_user_add(s, "ana", DG_ROLE_ADMIN, NULL, PW, strlen(PW), T0, &e), DG_EEXIST);
    struct dg_user u;
    assert_int_equal(dg_user_get(s, "ana", &u, &e), 0);
    assert_string_equal(u.name, "ana");
    assert_int_equal(u.role, DG_ROLE_REVIEWER);
    assert_string_equal(u.ori, "CODMV0000");
    assert_int_equal(u.created_us, T0);
    assert_int_equal(dg_user_get(s, "bob", &u, &e), DG_ENOTFOUND);

    memset(&u, 0, sizeof(u));
    assert_int_equal(dg_user_login(s, "ana", PW, strlen(PW), T0, &u, &e), 0);
    assert_int_equal(u.role, DG_ROLE_REVIEWER);
    assert_int_equal(dg_user_login(s, "ana", "wrong password", 14, T0, &u, &e), DG_EBADLOGIN);
    /* a prefix of the password is not the password */
    assert_int_equal(dg_user_login(s, "ana", PW, strlen(PW) - 1, T0, &u, &e), DG_EBADLOGIN);
    /* an unknown name gives the same answer as a wrong password */
    assert_int_equal(dg_user_login(s, "nobody", PW, strlen(PW), T0, &u, &e), DG_EBADLOGIN);
    assert_int_equal(dg_user_login(s, "Bad Name", PW, strlen(PW), T0, &u, &e), DG_EBADLOGIN);
    /* a good login clears the failures */
    assert_int_equal(dg_user_login(s, "ana", PW, strlen(PW), T0, &u, &e), 0);
    assert_int_equal(dg_user_get(s, "ana", &u, &e), 0);
    assert_int_equal(u.failures, 0);
    dg_store_close(s);
}

static void refused_input(void **state)
{
    (void)state;
    struct dg_store *s = open_mem();
    struct dg_error e;
    assert_int_equal(dg_user_add(s, "ana", DG_ROLE_REVIEWER, NULL, "short", 5, T0, &e), DG_EINVAL);
    assert_int_equal(dg_user_add(s, "ana", DG_ROLE_REVIEWER, NULL, "has\0a nul byte", 14, T0, &e),
                     DG_EINVAL);
    assert_int_equal(dg_user_add(s, "ana", DG_ROLE_REVIEWER, "CO", PW, strlen(PW), T0, &e),
                     DG_EINVAL);
    assert_int_equal(dg_user_add(s, "ana", DG_ROLE_REVIEWER, "codmv0000", PW, strlen(PW), T0, &e),
                     DG_EINVAL);
    assert_int_equal(dg_user_add(s, "ana", (enum dg_user_role)0, NULL, PW, strlen(PW), T0, &e),
                     DG_EINVAL);
    assert_int_equal(dg_user_add(s, "A", DG_ROLE_REVIEWER, NULL, PW, strlen(PW), T0, &e),
                     DG_EINVAL);
    assert_int_equal(dg_user_get(s, "ana", &(struct dg_user){0}, &e), DG_ENOTFOUND);
    dg_store_close(s);
}

static void lockout(void **state)
{
    (void)state;
    struct dg_store *s = open_mem();
    struct dg_error e;
    struct dg_user u;
    assert_int_equal(dg_user_add(s, "ana", DG_ROLE_SUPERVISOR, NULL, PW, strlen(PW), T0, &e), 0);
    for (int i = 0; i < DG_USER_LOCK_AFTER; i++)
        assert_int_equal(dg_user_login(s, "ana", "wrong password", 14, T0, NULL, &e), DG_EBADLOGIN);
    /* locked: even the right password is refused */
    assert_int_equal(dg_user_login(s, "ana", PW, strlen(PW), T0 + 1, &u, &e), DG_ELOCKEDOUT);
    assert_int_equal(dg_user_get(s, "ana", &u, &e), 0);
    assert_true(u.locked_until_us > T0);
    /* after the lock runs out the right password works again */
    int64_t later = T0 + DG_USER_LOCK_SECONDS * 1000000LL + 1;
    assert_int_equal(dg_user_login(s, "ana", PW, strlen(PW), later, &u, &e), 0);
    assert_int_equal(u.role, DG_ROLE_SUPERVISOR);
    /* an admin's unlock ends a lock at once; remove ends the account */
    for (int i = 0; i < DG_USER_LOCK_AFTER; i++)
        dg_user_login(s, "ana", "wrong password", 14, later, NULL, &e);
    assert_int_equal(dg_user_login(s, "ana", PW, strlen(PW), later, &u, &e), DG_ELOCKEDOUT);
    assert_int_equal(dg_user_unlock(s, "ana", &e), 0);
    assert_int_equal(dg_user_login(s, "ana", PW, strlen(PW), later, &u, &e), 0);
    assert_int_equal(dg_user_remove(s, "ana", &e), 0);
    assert_int_equal(dg_user_get(s, "ana", &u, &e), DG_ENOTFOUND);
    assert_int_equal(dg_user_remove(s, "ana", &e), DG_ENOTFOUND);
    assert_int_equal(dg_user_unlock(s, "nobody", &e), DG_ENOTFOUND);
    dg_store_close(s);
}

static int count(void *arg, const struct dg_user *u)
{
    (void)u;
    ++*(int *)arg;
    return 0;
}

static void listing(void **state)
{
    (void)state;
    struct dg_store *s = open_mem();
    struct dg_error e;
    assert_int_equal(dg_user_add(s, "zoe", DG_ROLE_AUDITOR, NULL, PW, strlen(PW), T0, &e), 0);
    assert_int_equal(dg_user_add(s, "adm", DG_ROLE_ADMIN, NULL, PW, strlen(PW), T0, &e), 0);
    int n = 0;
    assert_int_equal(dg_user_each(s, count, &n, &e), 2);
    assert_int_equal(n, 2);
    dg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles),         cmocka_unit_test(names),   cmocka_unit_test(add_and_login),
        cmocka_unit_test(refused_input), cmocka_unit_test(lockout), cmocka_unit_test(listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
