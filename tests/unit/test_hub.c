/*
 * test_hub.c - unit tests for the hub's network-level blocks (lib/hub/blocks.c):
 * the block list's strict parser (good lists; bad lines refused with their
 * line, field and reason; limits), which requesters a block refuses for
 * which destination, the admin API's copy-on-write edits and JSON body, and
 * clean failure when any allocation fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/hub.h>

#include <stdio.h>
#include <string.h>

static const char LIST[] = "# comment\n"
                           "\n"
                           "CO component ICE-ERO Colorado refuses ICE-ERO  \n"
                           "  AZ ori CO0010000\r\n"
                           "WI category unspecified\tno recorded type\n"
                           "CO level federal\n"
                           "AZ department DHS";

static struct dg_agency agency(const char *ori, enum dg_level lv, const char *dep, const char *comp,
                               enum dg_category cat)
{
    struct dg_agency a;
    memset(&a, 0, sizeof(a));
    snprintf(a.ori, sizeof(a.ori), "%s", ori);
    memcpy(a.state, ori, 2);
    snprintf(a.name, sizeof(a.name), "TEST AGENCY");
    a.level = lv;
    snprintf(a.department, sizeof(a.department), "%s", dep);
    snprintf(a.component, sizeof(a.component), "%s", comp);
    a.category = cat;
    return a;
}

static void parses_and_matches(void **state)
{
    (void)state;
    struct dg_hub_blocks *b = NULL;
    struct dg_error e;
    assert_int_equal(dg_hub_blocks_parse(LIST, strlen(LIST), &b, &e), 0);
    assert_int_equal(dg_hub_blocks_count(b), 5);
    struct dg_agency ice =
        agency("DCICE0100", DG_LEVEL_FEDERAL, "DHS", "ICE-ERO", DG_CAT_FEDERAL_LE);
    struct dg_agency sheriff = agency("CO0010000", DG_LEVEL_LOCAL, "", "", DG_CAT_SHERIFF);
    struct dg_agency police = agency("AZ0070000", DG_LEVEL_LOCAL, "", "", DG_CAT_MUNICIPAL_POLICE);
    struct dg_agency unk = agency("WI0000000", DG_LEVEL_UNSPECIFIED, "", "", DG_CAT_UNSPECIFIED);

    const struct dg_hub_block *m = dg_hub_blocks_match(b, "CO", &ice);
    assert_non_null(m); /* the first of CO's blocks in file order */
    assert_int_equal(m->kind, DG_BLOCK_COMPONENT);
    assert_string_equal(m->reason, "Colorado refuses ICE-ERO");
    assert_int_equal(m->line, 3);
    assert_non_null(dg_hub_blocks_match(b, "AZ", &ice)); /* department DHS */
    assert_null(dg_hub_blocks_match(b, "WI", &ice));
    assert_null(dg_hub_blocks_match(b, "CO", &sheriff));
    m = dg_hub_blocks_match(b, "AZ", &sheriff);
    assert_non_null(m);
    assert_int_equal(m->kind, DG_BLOCK_ORI);
    assert_string_equal(m->reason, "");
    assert_null(dg_hub_blocks_match(b, "AZ", &police));
    assert_non_null(dg_hub_blocks_match(b, "WI", &unk));
    assert_null(dg_hub_blocks_match(b, "CO", &unk));
    assert_null(dg_hub_blocks_match(b, "NL", &unk));
    assert_null(dg_hub_blocks_match(NULL, "CO", &ice));
    /* federal level: CO refuses the FBI too */
    struct dg_agency fbi = agency("DCFBI0100", DG_LEVEL_FEDERAL, "DOJ", "FBI", DG_CAT_FEDERAL_LE);
    m = dg_hub_blocks_match(b, "CO", &fbi);
    assert_non_null(m);
    assert_int_equal(m->kind, DG_BLOCK_LEVEL);

    /* the text form parses back to the same blocks */
    struct dg_buf t;
    dg_buf_init(&t, 1 << 20);
    assert_int_equal(dg_hub_blocks_to_text(b, &t), 0);
    struct dg_hub_blocks *b2 = NULL;
    assert_int_equal(dg_hub_blocks_parse(t.data, t.len, &b2, &e), 0);
    assert_int_equal(dg_hub_blocks_count(b2), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(dg_hub_blocks_at(b, i)->value, dg_hub_blocks_at(b2, i)->value);
        assert_string_equal(dg_hub_blocks_at(b, i)->reason, dg_hub_blocks_at(b2, i)->reason);
    }
    dg_buf_reset(&t);
    assert_int_equal(dg_hub_blocks_to_json(b, NULL, NULL, &t), 0);
    assert_non_null(strstr(t.data, "{\"state\":\"AZ\",\"kind\":\"ori\",\"value\":\"CO0010000\","
                                   "\"reason\":\"\",\"line\":4}"));
    dg_buf_release(&t);
    dg_hub_blocks_free(b2);
    dg_hub_blocks_free(b);

    /* an empty list is valid */
    assert_int_equal(dg_hub_blocks_parse("# none\n", 7, &b, &e), 0);
    assert_int_equal(dg_hub_blocks_count(b), 0);
    assert_null(dg_hub_blocks_match(b, "CO", &ice));
    dg_hub_blocks_free(b);
}

static void bad(const char *text, int line, const char *field, const char *msg)
{
    struct dg_hub_blocks *b = (struct dg_hub_blocks *)1;
    struct dg_error e;
    dg_error_clear(&e);
    assert_int_equal(dg_hub_blocks_parse(text, strlen(text), &b, &e), DG_EBLOCKSFILE);
    assert_null(b);
    assert_int_equal(e.line, line);
    if (field)
        assert_string_equal(e.field, field);
    if (!strstr(e.msg, msg))
        fail_msg("'%s' has no '%s'", e.msg, msg);
}

static void refuses_bad_lists(void **state)
{
    (void)state;
    bad("CO ori CO0010000\nXX ori CO0010000\n", 2, "state", "not a state code");
    bad("COL ori CO0010000\n", 1, "state", "2-letter state code");
    bad("CO colour red\n", 1, "kind", "'colour' is not one of");
    bad("CO ori\n", 1, "value", "needs a value");
    bad("CO ori CO001\n", 1, "value", "not an ORI");
    bad("CO category cops\n", 1, "value", "not an agency category");
    bad("CO level galactic\n", 1, "value", "not a level");
    bad("CO component ice-ero\n", 1, "value", "not a department or component");
    bad("CO component ABCDEFGHIJKLMNOPQ\n", 1, "value", "not a department or component");
    bad("CO ori CO0010000 a\x01z\n", 1, "reason", "control character");
    bad("\n\nCO ori CO0010000\n# x\nCO ori CO0010000 again\n", 5, "value", "duplicate");
    char reason[400];
    memset(reason, 'r', sizeof(reason) - 1);
    reason[sizeof(reason) - 1] = '\0';
    char line[512];
    snprintf(line, sizeof(line), "CO ori CO0010000 %s\n", reason);
    bad(line, 1, "reason", "longer than");
    char longline[700];
    memset(longline, 'x', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    bad(longline, 1, NULL, "longer than 511 bytes");
    const char nul[] = "CO ori CO0010000 a\0b\n";
    struct dg_hub_blocks *b = NULL;
    struct dg_error e;
    assert_int_equal(dg_hub_blocks_parse(nul, sizeof(nul) - 1, &b, &e), DG_EBLOCKSFILE);
    assert_string_equal(e.field, "reason");

    /* limits: bytes and blocks */
    struct dg_buf big;
    dg_buf_init(&big, 2u << 20);
    for (int i = 0; i <= DG_HUB_MAX_BLOCKS; i++)
        dg_buf_printf(&big, "CO ori CO%07d\n", i);
    assert_int_equal(dg_hub_blocks_parse(big.data, big.len, &b, &e), DG_EBLOCKSFILE);
    assert_non_null(strstr(e.msg, "more than 4096 blocks"));
    assert_int_equal(e.line, DG_HUB_MAX_BLOCKS + 1);
    assert_int_equal(dg_hub_blocks_parse(big.data, DG_HUB_BLOCKS_MAX_BYTES + 1, &b, &e),
                     DG_ETOOBIG);
    dg_buf_release(&big);
    assert_int_equal(dg_hub_blocks_load("/nonexistent/blocks", &b, &e), DG_ENOENT);
}

static void edits_and_json_bodies(void **state)
{
    (void)state;
    struct dg_hub_blocks *b = NULL, *b2 = NULL, *b3 = NULL;
    struct dg_error e;
    assert_int_equal(dg_hub_blocks_parse(LIST, strlen(LIST), &b, &e), 0);
    struct dg_hub_block blk;
    const char *body =
        "{\"state\":\"CO\",\"kind\":\"ori\",\"value\":\"AZ0070000\",\"reason\":\"test\"}";
    assert_int_equal(dg_hub_block_from_json(body, strlen(body), &blk, &e), 0);
    assert_int_equal(blk.kind, DG_BLOCK_ORI);
    assert_int_equal(dg_hub_blocks_with(b, &blk, &b2), 0);
    assert_int_equal(dg_hub_blocks_count(b), 5); /* b is unchanged */
    assert_int_equal(dg_hub_blocks_count(b2), 6);
    struct dg_agency police = agency("AZ0070000", DG_LEVEL_LOCAL, "", "", DG_CAT_MUNICIPAL_POLICE);
    assert_null(dg_hub_blocks_match(b, "CO", &police));
    assert_non_null(dg_hub_blocks_match(b2, "CO", &police));
    assert_int_equal(dg_hub_blocks_with(b2, &blk, &b3), DG_EEXIST);
    assert_int_equal(dg_hub_blocks_without(b2, "CO", DG_BLOCK_ORI, "AZ0070000", &b3), 0);
    assert_int_equal(dg_hub_blocks_count(b3), 5);
    assert_null(dg_hub_blocks_match(b3, "CO", &police));
    dg_hub_blocks_free(b3);
    assert_int_equal(dg_hub_blocks_without(b, "CO", DG_BLOCK_ORI, "AZ0070000", &b3), DG_ENOENT);
    assert_null(b3);
    assert_int_equal(dg_hub_blocks_with(NULL, &blk, &b3), 0); /* from nothing */
    assert_int_equal(dg_hub_blocks_count(b3), 1);
    dg_hub_blocks_free(b3);
    dg_hub_blocks_free(b2);
    dg_hub_blocks_free(b);

    static const struct {
        const char *body, *field;
    } bads[] = {
        {"", NULL},
        {"[1]", NULL},
        {"{\"state\":\"CO\",\"kind\":\"ori\"}", "value"},
        {"{\"state\":\"CO\",\"kind\":\"nope\",\"value\":\"x\"}", "kind"},
        {"{\"state\":7,\"kind\":\"ori\",\"value\":\"CO0010000\"}", "state"},
        {"{\"state\":\"CO\",\"kind\":\"ori\",\"value\":\"CO0010000\",\"reason\":\" x\"}", "reason"},
        {"{\"state\":\"ZZ\",\"kind\":\"ori\",\"value\":\"CO0010000\"}", "state"},
        {"{\"state\":\"CO\",\"kind\":\"ori\",\"value\":\"CO0010000CO0010000CO0010000\"}", "value"},
    };
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        dg_error_clear(&e);
        assert_int_equal(dg_hub_block_from_json(bads[i].body, strlen(bads[i].body), &blk, &e),
                         DG_EBLOCKSFILE);
        if (bads[i].field)
            assert_string_equal(e.field, bads[i].field);
    }
    char huge[5000];
    memset(huge, ' ', sizeof(huge));
    assert_int_equal(dg_hub_block_from_json(huge, sizeof(huge), &blk, &e), DG_ETOOBIG);
}

static void alloc_failures_are_clean(void **state)
{
    (void)state;
    for (unsigned long n = 1;; n++) {
        struct dg_hub_blocks *b = NULL;
        struct dg_error e;
        dg_alloc_fail_at(n);
        int rc = dg_hub_blocks_parse(LIST, strlen(LIST), &b, &e);
        dg_alloc_fail_at(0);
        if (rc == 0) {
            assert_int_equal(dg_hub_blocks_count(b), 5);
            dg_hub_blocks_free(b);
            break;
        }
        assert_int_equal(rc, DG_ENOMEM);
        assert_null(b);
        assert_true(n < 100);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_and_matches),
        cmocka_unit_test(refuses_bad_lists),
        cmocka_unit_test(edits_and_json_bodies),
        cmocka_unit_test(alloc_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
