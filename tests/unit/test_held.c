/*
 * test_held.c - unit tests for the held-request store (lib/node/held.c): the
 * table's migration, storing and reading a held request, the conditional
 * decision (two reviewers cannot both decide), listing by state, deletion.
 *
 * dg-test-backends: sqlite postgresql
 * (tests/unit/store_backend.h: the same cases on a PostgreSQL store)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/held.h>
#include <dmvgate/store.h>

#include "store_backend.h"

#include <stdio.h>
#include <string.h>

static struct dg_store *open_mem(void)
{
    struct dg_store *s = NULL;
    struct dg_error e;
    char uri[1024];
    if (test_store_uri(uri, sizeof(uri)))
        fail_msg("no test store");
    int rc = dg_store_open(uri, DG_STORE_CREATE, &s, &e);
    if (rc != 0)
        fail_msg("store: %s", e.msg);
    assert_true(dg_held_migrate(s, &e) >= 0);
    assert_int_equal(dg_held_migrate(s, &e), 0); /* already current */
    return s;
}

static void fill(struct dg_held *h, const char *mid, int64_t created)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->mid, sizeof(h->mid), "%s", mid);
    snprintf(h->ori, sizeof(h->ori), "DCFBI0100");
    h->created_us = created;
    h->deadline_us = created + 48LL * 3600 * 1000000;
    h->form = DG_MSG_JSON;
    snprintf(h->request, sizeof(h->request), "DQ.DCFBI0100.CO.TXT\nOLN/123.OLS/CO.PUR/C.ATN/X");
    snprintf(h->rule, sizeof(h->rule), "federal requests need a judicial warrant");
    snprintf(h->reason, sizeof(h->reason), "federal requests need a judicial warrant");
    h->redact = 1u << 7;
    h->notify = true;
    h->two_person = true;
    h->state = DG_HELD_PENDING;
}

static void put_get_roundtrip(void **state)
{
    (void)state;
    struct dg_store *s = open_mem();
    struct dg_held h, g;
    struct dg_error e;
    fill(&h, "CO-1-0-1", 1000);
    assert_int_equal(dg_held_put(s, &h, &e), 0);
    assert_int_equal(dg_held_put(s, &h, &e), DG_EEXIST);
    assert_int_equal(dg_held_get(s, "CO-1-0-1", &g, &e), 0);
    assert_string_equal(g.mid, h.mid);
    assert_string_equal(g.ori, "DCFBI0100");
    assert_int_equal(g.created_us, 1000);
    assert_int_equal(g.deadline_us, h.deadline_us);
    assert_int_equal(g.form, DG_MSG_JSON);
    assert_string_equal(g.request, h.request);
    assert_string_equal(g.rule, h.rule);
    assert_int_equal(g.redact, 1u << 7);
    assert_true(g.notify);
    assert_true(g.two_person);
    assert_false(g.expire_escalates);
    assert_int_equal(g.state, DG_HELD_PENDING);
    assert_string_equal(g.reviewer, "");
    assert_int_equal(dg_held_get(s, "nope", &g, &e), DG_ENOTFOUND);
    dg_store_close(s);
}

static void decide_once(void **state)
{
    (void)state;
    struct dg_store *s = open_mem();
    struct dg_held h, g;
    struct dg_error e;
    fill(&h, "A", 1);
    assert_int_equal(dg_held_put(s, &h, &e), 0);
    assert_int_equal(dg_held_decide(s, "A", DG_HELD_PENDING, "r", "", 5, &e), DG_EINVAL);
    assert_int_equal(dg_held_decide(s, "A", DG_HELD_APPROVED, "reviewer1", "warrant seen", 5, &e),
                     0);
    assert_int_equal(dg_held_decide(s, "A", DG_HELD_DENIED, "reviewer2", "no", 6, &e), DG_EPERM);
    assert_non_null(strstr(e.msg, "already approved"));
    assert_int_equal(dg_held_get(s, "A", &g, &e), 0);
    assert_int_equal(g.state, DG_HELD_APPROVED);
    assert_string_equal(g.reviewer, "reviewer1");
    assert_string_equal(g.decision_reason, "warrant seen");
    assert_int_equal(g.decided_us, 5);
    assert_int_equal(dg_held_decide(s, "B", DG_HELD_DENIED, "r", "", 6, &e), DG_ENOTFOUND);
    dg_store_close(s);
}

static int count_cb(void *arg, const struct dg_held *h)
{
    char *seen = arg;
    strcat(seen, h->mid);
    return 0;
}

static int stop_cb(void *arg, const struct dg_held *h)
{
    (void)arg;
    (void)h;
    return 7;
}

static void list_and_delete(void **state)
{
    (void)state;
    struct dg_store *s = open_mem();
    struct dg_held h;
    struct dg_error e;
    fill(&h, "C", 30);
    assert_int_equal(dg_held_put(s, &h, &e), 0);
    fill(&h, "A", 10);
    assert_int_equal(dg_held_put(s, &h, &e), 0);
    fill(&h, "B", 20);
    assert_int_equal(dg_held_put(s, &h, &e), 0);
    assert_int_equal(dg_held_decide(s, "B", DG_HELD_DENIED, "r", "", 40, &e), 0);
    char seen[16] = "";
    assert_int_equal(dg_held_each(s, DG_HELD_PENDING, count_cb, seen, &e), 2);
    assert_string_equal(seen, "AC"); /* oldest first */
    assert_int_equal(dg_held_each(s, DG_HELD_PENDING, stop_cb, NULL, &e), 7);
    seen[0] = '\0';
    assert_int_equal(dg_held_each(s, DG_HELD_DENIED, count_cb, seen, &e), 1);
    assert_string_equal(seen, "B");
    assert_int_equal(dg_held_delete(s, "A", &e), 0);
    assert_int_equal(dg_held_get(s, "A", &h, &e), DG_ENOTFOUND);
    assert_string_equal(dg_held_state_name(DG_HELD_EXPIRED), "expired");
    dg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_get_roundtrip),
        cmocka_unit_test(decide_once),
        cmocka_unit_test(list_and_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
