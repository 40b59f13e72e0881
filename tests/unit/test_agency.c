/*
 * test_agency.c - unit tests for lib/agency: ORI and entry checks, the strict
 * CSV loader (good files, and bad rows with their exact line, column and
 * reason; nothing loaded from a bad file), the in-memory directory's lookups,
 * and the shape of the synthetic directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/agency.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define HDR DG_AGENCY_CSV_HEADER "\n"

static void ori_rules(void **state)
{
    (void)state;
    struct dg_error e;
    assert_int_equal(dg_ori_validate("CO0010000", 9, &e), 0);
    assert_int_equal(dg_ori_validate("DCFBIWA00", 9, &e), 0);
    assert_int_equal(dg_ori_validate("CO001000", 8, &e), DG_EBADAGENCY);
    assert_non_null(strstr(e.msg, "9 characters"));
    assert_int_equal(dg_ori_validate("co0010000", 9, &e), DG_EBADAGENCY);
    assert_int_equal(e.offset, 0);
    assert_int_equal(dg_ori_validate("CO001-000", 9, &e), DG_EBADAGENCY);
    assert_int_equal(e.offset, 5);
    assert_int_equal(dg_ori_validate("XX0010000", 9, &e), DG_EBADAGENCY);
    assert_non_null(strstr(e.msg, "state"));
}

static int parse(struct dg_directory *d, const char *csv, struct dg_error *e)
{
    return dg_directory_parse_csv(d, csv, strlen(csv), e);
}

static void csv_good_file(void **state)
{
    (void)state;
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    const char *csv = "\xEF\xBB\xBF" HDR
                      "CO0010000,ADAMS COUNTY SHERIFF'S OFFICE,CO,local,,,sheriff,287g-jail\r\n"
                      "AZICE0100,\"ICE ERO, PHOENIX FIELD OFFICE\",AZ,federal,DHS,ICE-ERO,"
                      "federal_le,\n"
                      "TX2270000,\"TRAVIS \"\"CENTRAL\"\" SO\",TX,local,,,sheriff,"
                      "287g-task-force;287g-warrant-service\n"
                      "WIU000001,\"MULTI\nLINE\",WI,unspecified,,,unspecified,";
    int n = parse(d, csv, &e);
    /* the last name holds a newline: refused as a control character, line 5 */
    assert_int_equal(n, DG_EBADAGENCY);
    assert_int_equal(e.line, 5);
    assert_string_equal(e.field, "name");
    assert_int_equal(dg_directory_count(d), 0);
    csv = "\xEF\xBB\xBF" HDR
          "CO0010000,ADAMS COUNTY SHERIFF'S OFFICE,CO,local,,,sheriff,287g-jail\r\n"
          "AZICE0100,\"ICE ERO, PHOENIX FIELD OFFICE\",AZ,federal,DHS,ICE-ERO,federal_le,\n"
          "TX2270000,\"TRAVIS \"\"CENTRAL\"\" SO\",TX,local,,,sheriff,"
          "287g-task-force;287g-warrant-service\n"
          "WIU000001,AGENCY \xC3\x89TOILE,WI,unspecified,,,unspecified,";
    n = parse(d, csv, &e);
    assert_int_equal(n, 4);
    assert_int_equal(dg_directory_count(d), 4);
    const struct dg_agency *a = dg_directory_find(d, "AZICE0100", 9);
    assert_non_null(a);
    assert_string_equal(a->name, "ICE ERO, PHOENIX FIELD OFFICE");
    assert_int_equal(a->level, DG_LEVEL_FEDERAL);
    assert_string_equal(a->department, "DHS");
    assert_string_equal(a->component, "ICE-ERO");
    assert_int_equal(a->category, DG_CAT_FEDERAL_LE);
    assert_int_equal(a->agreements, 0);
    a = dg_directory_find(d, "TX2270000", 9);
    assert_string_equal(a->name, "TRAVIS \"CENTRAL\" SO");
    assert_int_equal(a->agreements, DG_AGR_287G_TASK_FORCE | DG_AGR_287G_WARRANT_SERVICE);
    assert_int_equal(dg_directory_find(d, "CO0010000", 9)->agreements, DG_AGR_287G_JAIL);
    assert_null(dg_directory_find(d, "CO0020000", 9));
    assert_null(dg_directory_find(d, "CO001000", 8));
    assert_string_equal(dg_directory_at(d, 3)->ori, "WIU000001");
    assert_null(dg_directory_at(d, 4));
    /* the CSV form reads back to the same entries */
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    assert_int_equal(dg_directory_to_csv(d, &b), 0);
    struct dg_directory *d2 = dg_directory_new();
    assert_int_equal(dg_directory_parse_csv(d2, b.data, b.len, &e), 4);
    for (size_t i = 0; i < 4; i++)
        assert_memory_equal(dg_directory_at(d, i), dg_directory_at(d2, i),
                            sizeof(struct dg_agency));
    dg_buf_reset(&b);
    assert_int_equal(dg_agency_json(dg_directory_find(d, "TX2270000", 9), &b), 0);
    assert_string_equal(b.data, "{\"ori\":\"TX2270000\",\"name\":\"TRAVIS \\\"CENTRAL\\\" SO\","
                                "\"state\":\"TX\",\"level\":\"local\",\"department\":\"\","
                                "\"component\":\"\",\"category\":\"sheriff\",\"agreements\":"
                                "[\"287g-task-force\",\"287g-warrant-service\"]}");
    dg_buf_release(&b);
    dg_directory_free(d2);
    dg_directory_free(d);
}

/* Every bad file: the code, line, column, field and a piece of the reason. */
static void csv_bad_rows(void **state)
{
    (void)state;
    static const struct {
        const char *csv;
        int code, line, col;
        const char *field, *reason;
    } cases[] = {
        {"", DG_ECSV, 1, 1, "", "no header"},
        {"ori,name\n", DG_ECSV, 1, 1, "", "header line must be"},
        {HDR "CO0010000,A,CO,local,,,sheriff\n", DG_ECSV, 2, 1, "", "expected 8 fields, found 7"},
        {HDR "CO0010000,A,CO,local,,,sheriff,,\n", DG_ECSV, 2, 1, "", "found 9"},
        {HDR "CO0010000,A,CO,local,,,sheriff,\n\nCO0020000,B,CO,local,,,sheriff,\n", DG_ECSV, 3, 1,
         "", "empty line"},
        {HDR "CO0010000,A\"B,CO,local,,,sheriff,\n", DG_ECSV, 2, 12, "", "quote inside"},
        {HDR "CO0010000,\"AB\"C,CO,local,,,sheriff,\n", DG_ECSV, 2, 15, "",
         "after a closing quote"},
        {HDR "CO0010000,\"AB,CO,local,,,sheriff,\n", DG_ECSV, 2, 11, "", "not terminated"},
        {HDR "CO0010000,AB,CO,local,,,sheriff,\rX", DG_ECSV, 2, 33, "", "carriage return"},
        {HDR "CO0010000,A,CO,local,,,sheriff,\nCO001000,B,CO,local,,,sheriff,\n", DG_EBADAGENCY, 3,
         1, "ori", "9 characters"},
        {HDR "ZZ0010000,A,ZZ,local,,,sheriff,\n", DG_EBADAGENCY, 2, 1, "ori", "state"},
        {HDR "CO0010000,A,AZ,local,,,sheriff,\n", DG_EBADAGENCY, 2, 13, "state", "first two"},
        {HDR "CO0010000,,CO,local,,,sheriff,\n", DG_EBADAGENCY, 2, 11, "name", "empty"},
        {HDR "CO0010000,A,CO,county,,,sheriff,\n", DG_EBADAGENCY, 2, 16, "level",
         "unknown level 'county'"},
        {HDR "CO0010000,A,CO,local,,,sherif,\n", DG_EBADAGENCY, 2, 24, "category",
         "unknown category 'sherif'"},
        {HDR "CO0010000,A,CO,local,,,sheriff,287g\n", DG_EBADAGENCY, 2, 32, "agreements",
         "unknown agreement '287g'"},
        {HDR "CO0010000,A,CO,local,,,sheriff,287g-jail;287g-jail\n", DG_EBADAGENCY, 2, 32,
         "agreements", "listed twice"},
        {HDR "CO0010000,A,CO,local,,,sheriff,287g-jail;\n", DG_EBADAGENCY, 2, 32, "agreements",
         "empty agreement"},
        {HDR "CO0010000,A,CO,federal,dhs,,federal_le,\n", DG_EBADAGENCY, 2, 24, "department",
         "character"},
        {HDR "CO0010000,A,CO,federal,,HSI,federal_le,\n", DG_EBADAGENCY, 2, 25, "component",
         "without a department"},
        {HDR "CO0010000,A,CO,federal,DEPARTMENTOFJUSTICE,,federal_le,\n", DG_EBADAGENCY, 2, 24,
         "department", "longer than 15"},
        {HDR "CO0010000,A\xC3,CO,local,,,sheriff,\n", DG_EBADAGENCY, 2, 11, "name", "UTF-8"},
        {HDR "CO0010000,A,CO,local,,,sheriff,\nCO0020000,B,CO,local,,,sheriff,\n"
             "CO0010000,C,CO,local,,,sheriff,\n",
         DG_EEXIST, 4, 1, "ori", "more than once"},
        {HDR "CO0010000,\"A\nB\",CO,local,,,sheriff,\nCO0010000,C,CO,local,,,sheriff,\n",
         DG_EBADAGENCY, 2, 11, "name", "control character"},
        {HDR "CO0010000,A,CO,local,,,sheriff,\nCO0020000,\"x\ny\",CO,local,,,sheriff,\n"
             "CO003000,C,CO,local,,,sheriff,\n",
         DG_EBADAGENCY, 3, 11, "name", "control"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dg_directory *d = dg_directory_new();
        struct dg_error e;
        dg_error_clear(&e);
        int rc = parse(d, cases[i].csv, &e);
        if (rc != cases[i].code || e.line != cases[i].line || e.col != cases[i].col ||
            strcmp(e.field, cases[i].field) != 0 || !strstr(e.msg, cases[i].reason))
            print_error("case %zu: got %s line %d col %d field '%s' msg '%s'\n", i, dg_errname(rc),
                        e.line, e.col, e.field, e.msg),
                bad++;
        assert_int_equal(dg_directory_count(d), 0);
        dg_directory_free(d);
    }
    assert_int_equal(bad, 0);
}

static void csv_line_numbers_count_quoted_newlines(void **state)
{
    (void)state;
    /* a record spanning lines 2-3 (a quoted newline in a field the agency
     * layer never sees as a name: it is the department, refused) */
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    const char *csv = HDR "CO0010000,\"A,B\",CO,local,,,sheriff,\n"
                          "CO0020000,B,CO,local,,,sheriff,\n"
                          "CO0030000,C,CO,local,\"\n\",,sheriff,\n"
                          "CO0040000,D,CO,local,,,sheriff,\n"
                          "CO004000,E,CO,local,,,sheriff,\n";
    assert_int_equal(parse(d, csv, &e), DG_EBADAGENCY);
    assert_int_equal(e.line, 4);
    assert_string_equal(e.field, "department");
    assert_int_equal(dg_directory_count(d), 0);
    /* nothing from a bad file, and what was there stays */
    assert_int_equal(parse(d, HDR "CO0010000,A,CO,local,,,sheriff,\n", &e), 1);
    assert_int_equal(parse(d,
                           HDR "CO0020000,B,CO,local,,,sheriff,\nCO0010000,A,CO,local,,,"
                               "sheriff,\n",
                           &e),
                     DG_EEXIST);
    assert_int_equal(e.line, 3);
    assert_int_equal(dg_directory_count(d), 1);
    assert_null(dg_directory_find(d, "CO0020000", 9));
    assert_non_null(dg_directory_find(d, "CO0010000", 9));
    dg_directory_free(d);
}

static void csv_limits(void **state)
{
    (void)state;
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    char line[2000];
    memset(line, 'A', sizeof(line));
    int n = snprintf(line, sizeof(line), HDR "CO0010000,");
    memset(line + n, 'N', 1100);
    strcpy(line + n + 1100, ",CO,local,,,sheriff,\n");
    assert_int_equal(parse(d, line, &e), DG_ETOOBIG);
    assert_int_equal(e.line, 2);
    char many[256] = HDR;
    for (int i = 0; i < 20; i++)
        strcat(many, "a,");
    strcat(many, "\n");
    assert_int_equal(parse(d, many, &e), DG_ECSV);
    assert_non_null(strstr(e.msg, "more than 16 fields"));
    assert_int_equal(dg_directory_parse_csv(d, "x", (size_t)DG_AGENCY_CSV_MAX_BYTES + 1, &e),
                     DG_ETOOBIG);
    assert_int_equal(dg_directory_load_csv(d, "/nonexistent/agencies.csv", &e), DG_ENOENT);
    assert_non_null(strstr(e.msg, "/nonexistent/agencies.csv"));
    dg_directory_free(d);
}

static void directory_many_entries(void **state)
{
    (void)state;
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    struct dg_agency a;
    for (int i = 0; i < 5000; i++) {
        memset(&a, 0, sizeof(a));
        snprintf(a.ori, sizeof(a.ori), "TX%07d", i * 7);
        strcpy(a.state, "TX");
        snprintf(a.name, sizeof(a.name), "AGENCY %d", i);
        a.category = DG_CAT_MUNICIPAL_POLICE;
        assert_int_equal(dg_directory_add(d, &a, &e), 0);
    }
    assert_int_equal(dg_directory_add(d, &a, &e), DG_EEXIST);
    for (int i = 0; i < 5000; i++) {
        char ori[10];
        snprintf(ori, sizeof(ori), "TX%07d", i * 7);
        const struct dg_agency *f = dg_directory_find(d, ori, 9);
        assert_non_null(f);
        assert_string_equal(f->ori, ori);
        snprintf(ori, sizeof(ori), "TX%07d", i * 7 + 1);
        assert_null(dg_directory_find(d, ori, 9));
    }
    memset(&a, 0, sizeof(a));
    strcpy(a.ori, "TX0000001");
    strcpy(a.state, "TX");
    assert_int_equal(dg_directory_add(d, &a, &e), DG_EBADAGENCY); /* empty name */
    assert_int_equal(dg_directory_count(d), 5000);
    dg_directory_free(d);
}

static void generated_directory_shape(void **state)
{
    (void)state;
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    int n = dg_agencies_generate(d, 1, &e);
    assert_in_range(n, 17000, 19500);
    assert_int_equal((size_t)n, dg_directory_count(d));
    size_t cats[DG_CAT__COUNT] = {0}, levels[DG_LEVEL__COUNT] = {0};
    size_t states_with_police[DG_STATE_COUNT] = {0}, sheriffs_287g = 0, fl_sheriffs = 0,
           fl_287g = 0, co_287g = 0, ca_287g = 0;
    int comps = 0;
    static const char *const want[][2] = {{"DHS", "ICE-ERO"}, {"DHS", "HSI"}, {"DHS", "CBP"},
                                          {"DOJ", "FBI"},     {"DOJ", "DEA"}, {"DOJ", "USMS"},
                                          {"DOJ", "ATF"}};
    int seen[7] = {0};
    for (size_t i = 0; i < dg_directory_count(d); i++) {
        const struct dg_agency *a = dg_directory_at(d, i);
        assert_int_equal(dg_agency_validate(a, &e), 0);
        assert_memory_equal(a->ori, a->state, 2);
        assert_true(dg_state_index(a->ori, 2) >= 0);
        if (i)
            assert_true(strcmp(dg_directory_at(d, i - 1)->ori, a->ori) < 0); /* sorted, unique */
        assert_ptr_equal(dg_directory_find(d, a->ori, 9), a);
        cats[a->category]++;
        levels[a->level]++;
        if (a->category == DG_CAT_MUNICIPAL_POLICE)
            states_with_police[dg_state_index(a->state, 2)]++;
        if (a->agreements) {
            assert_true(a->category == DG_CAT_SHERIFF || a->category == DG_CAT_MUNICIPAL_POLICE ||
                        a->category == DG_CAT_STATE_POLICE);
            co_287g += strcmp(a->state, "CO") == 0;
            ca_287g += strcmp(a->state, "CA") == 0;
        }
        if (a->category == DG_CAT_SHERIFF) {
            sheriffs_287g += a->agreements != 0;
            if (strcmp(a->state, "FL") == 0) {
                fl_sheriffs++;
                fl_287g += a->agreements != 0;
            }
        }
        if (a->level == DG_LEVEL_FEDERAL) {
            assert_true(a->department[0] && a->component[0]);
            for (int k = 0; k < 7; k++)
                if (!strcmp(a->department, want[k][0]) && !strcmp(a->component, want[k][1]))
                    seen[k] = 1;
        } else
            assert_string_equal(a->department, "");
        if (a->category == DG_CAT_UNSPECIFIED)
            assert_int_equal(a->level, DG_LEVEL_UNSPECIFIED);
    }
    for (int k = 0; k < 7; k++)
        comps += seen[k];
    assert_int_equal(comps, 7);
    /* the unspecified share is 1-2% */
    assert_in_range(cats[DG_CAT_UNSPECIFIED] * 1000 / (size_t)n, 10, 20);
    assert_in_range(cats[DG_CAT_MUNICIPAL_POLICE], 10000, 13000);
    assert_in_range(cats[DG_CAT_SHERIFF], 2800, 3300);
    assert_in_range(cats[DG_CAT_TRIBAL_POLICE], 150, 350);
    assert_in_range(levels[DG_LEVEL_FEDERAL], 800, 2500);
    assert_in_range(cats[DG_CAT_STATE_POLICE], 300, 900);
    for (int st = 0; st < DG_STATE_COUNT; st++)
        assert_true(states_with_police[st] > 0);
    assert_in_range(sheriffs_287g * 100 / cats[DG_CAT_SHERIFF], 10, 40);
    assert_int_equal(fl_287g, fl_sheriffs);
    assert_int_equal(co_287g, 0);
    assert_int_equal(ca_287g, 0);
    /* same seed, same file; another seed, another file */
    struct dg_buf a, b;
    dg_buf_init(&a, DG_AGENCY_CSV_MAX_BYTES);
    dg_buf_init(&b, DG_AGENCY_CSV_MAX_BYTES);
    assert_int_equal(dg_directory_to_csv(d, &a), 0);
    struct dg_directory *d2 = dg_directory_new();
    assert_int_equal(dg_agencies_generate(d2, 1, &e), n);
    assert_int_equal(dg_directory_to_csv(d2, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* and the CSV loads back to the same directory */
    struct dg_directory *d3 = dg_directory_new();
    assert_int_equal(dg_directory_parse_csv(d3, a.data, a.len, &e), n);
    dg_directory_free(d3);
    dg_directory_free(d2);
    d2 = dg_directory_new();
    dg_agencies_generate(d2, 2, &e);
    dg_buf_reset(&b);
    assert_int_equal(dg_directory_to_csv(d2, &b), 0);
    assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
    dg_buf_release(&a);
    dg_buf_release(&b);
    dg_directory_free(d2);
    dg_directory_free(d);
}

/* Every allocation of a load fails in turn: the error is DG_ENOMEM, the
 * directory is unchanged, nothing leaks (ASan checks the last part). */
static void csv_allocation_failures(void **state)
{
    (void)state;
    const char *csv = HDR "CO0010000,A,CO,local,,,sheriff,287g-jail\n"
                          "CO0020000,\"B, C\",CO,local,,,sheriff,\n"
                          "AZICE0100,ICE,AZ,federal,DHS,ICE-ERO,federal_le,\n";
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    dg_alloc_fail_at(ULONG_MAX);
    assert_int_equal(parse(d, csv, &e), 3);
    unsigned long count = dg_alloc_fail_at(0);
    dg_directory_free(d);
    assert_true(count > 0);
    for (unsigned long n = 1; n <= count; n++) {
        d = dg_directory_new();
        assert_non_null(d);
        dg_alloc_fail_at(n);
        int rc = parse(d, csv, &e);
        dg_alloc_fail_at(0);
        assert_int_equal(rc, DG_ENOMEM);
        assert_int_equal(dg_directory_count(d), 0);
        dg_directory_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ori_rules),
        cmocka_unit_test(csv_good_file),
        cmocka_unit_test(csv_bad_rows),
        cmocka_unit_test(csv_line_numbers_count_quoted_newlines),
        cmocka_unit_test(csv_limits),
        cmocka_unit_test(directory_many_entries),
        cmocka_unit_test(generated_directory_shape),
        cmocka_unit_test(csv_allocation_failures),
        /* one test per line */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
