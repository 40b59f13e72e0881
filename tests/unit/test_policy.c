/*
 * test_policy.c - unit tests for lib/policy: the lexer, the parser and its
 * error messages, the checker (unreachable rules, never-true conditions,
 * missing default, list files, record leaks), the evaluator (both phases),
 * explain, the volume counter and allocation failure during compilation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/core.h>
#include <dmvgate/msg.h>
#include <dmvgate/policy.h>

#include "policy/policy_int.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------------------- */

/* An in-memory list-file reader: "partners.txt" and "big.txt" exist. */
static int mem_reader(void *ctx, const char *name, struct dg_buf *out, struct dg_error *err)
{
    (void)ctx;
    if (strcmp(name, "partners.txt") == 0)
        return dg_buf_addstr(out, "# 287(g) partners\nAZ0070000\n  TX1230000  # a comment\n\n"
                                  "CO0010000\r\n");
    if (strcmp(name, "bad.txt") == 0)
        return dg_buf_addstr(out, "AZ0070000\nXX1234567\nAZ00700\n");
    if (strcmp(name, "big.txt") == 0) {
        int rc = 0;
        for (int i = 0; i < 5000 && rc == 0; i++)
            rc = dg_buf_printf(out, "WI%07d\n", i * 3);
        return rc;
    }
    return dg_error_set(err, DG_ENOENT, NULL, -1, "cannot open list file '%s'", name);
}

static const struct dg_policy_options mem_opt = {"t.policy", NULL, mem_reader, NULL};

/* Compile text; on failure keep the diagnostics in *d (released by the caller). */
static int compile(const char *text, struct dg_policy **p, struct dg_policy_diags *d)
{
    dg_policy_diags_init(d);
    *p = NULL;
    return dg_policy_compile(text, strlen(text), &mem_opt, p, d, NULL);
}

/* Compile text that must compile; fails the test otherwise. */
static struct dg_policy *ok(const char *text)
{
    struct dg_policy *p;
    struct dg_policy_diags d;
    int rc = compile(text, &p, &d);
    if (rc) {
        struct dg_buf b;
        dg_buf_init(&b, 1 << 16);
        dg_policy_diags_format(&d, &b);
        print_error("%s", b.data ? b.data : "");
        dg_buf_release(&b);
    }
    assert_int_equal(rc, 0);
    dg_policy_diags_release(&d);
    return p;
}

/* Compile text that must fail with a diagnostic at line:col whose message
 * contains want. */
static void fails(const char *text, int line, int col, const char *want)
{
    struct dg_policy *p;
    struct dg_policy_diags d;
    int rc = compile(text, &p, &d);
    if (rc != DG_EPOLICY)
        print_error("compiled, but should not have:\n%s", text);
    assert_int_equal(rc, DG_EPOLICY);
    assert_null(p);
    bool found = false;
    for (size_t i = 0; i < d.n; i++)
        if (d.v[i].severity == DG_POLICY_ERROR && d.v[i].line == line && d.v[i].col == col &&
            strstr(d.v[i].msg, want))
            found = true;
    if (!found)
        for (size_t i = 0; i < d.n; i++)
            print_error("got %d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
    assert_true(found);
    dg_policy_diags_release(&d);
}

/* Compile text that must compile with a warning at line:col containing want. */
static void warns(const char *text, int line, int col, const char *want)
{
    struct dg_policy *p;
    struct dg_policy_diags d;
    assert_int_equal(compile(text, &p, &d), 0);
    bool found = false;
    for (size_t i = 0; i < d.n; i++)
        if (d.v[i].severity == DG_POLICY_WARNING && d.v[i].line == line && d.v[i].col == col &&
            strstr(d.v[i].msg, want))
            found = true;
    if (!found)
        for (size_t i = 0; i < d.n; i++)
            print_error("got %d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
    assert_true(found);
    dg_policy_diags_release(&d);
    dg_policy_free(p);
}

static struct dg_agency agency(const char *ori, enum dg_level level, const char *dept,
                               const char *comp, enum dg_category cat, uint32_t agr)
{
    struct dg_agency a;
    memset(&a, 0, sizeof(a));
    snprintf(a.ori, sizeof(a.ori), "%s", ori);
    memcpy(a.state, ori, 2);
    snprintf(a.name, sizeof(a.name), "test agency %s", ori);
    a.level = level;
    snprintf(a.department, sizeof(a.department), "%s", dept);
    snprintf(a.component, sizeof(a.component), "%s", comp);
    a.category = cat;
    a.agreements = agr;
    return a;
}

static struct dg_agency local_pd, ice, hsi, fbi, unspec, sheriff287;

static int setup_agencies(void **state)
{
    (void)state;
    local_pd = agency("CO0010100", DG_LEVEL_LOCAL, "", "", DG_CAT_MUNICIPAL_POLICE, 0);
    ice = agency("DCICE0100", DG_LEVEL_FEDERAL, "DHS", "ICE-ERO", DG_CAT_FEDERAL_LE, 0);
    hsi = agency("DCHSI0100", DG_LEVEL_FEDERAL, "DHS", "HSI", DG_CAT_FEDERAL_LE, 0);
    fbi = agency("DCFBI0100", DG_LEVEL_FEDERAL, "DOJ", "FBI", DG_CAT_FEDERAL_LE, 0);
    unspec = agency("AZ0990000", DG_LEVEL_UNSPECIFIED, "", "", DG_CAT_UNSPECIFIED, 0);
    sheriff287 =
        agency("TX1230000", DG_LEVEL_LOCAL, "", "", DG_CAT_SHERIFF, DG_AGR_287G_TASK_FORCE);
    return 0;
}

static struct dg_policy_request req_for(const struct dg_agency *a)
{
    struct dg_policy_request r;
    dg_policy_request_init(&r, a);
    memcpy(r.destination, "CO", 3);
    r.hour = 10;
    r.weekday = 2;
    return r;
}

/* ---- lexer ------------------------------------------------------------------------- */

static void lex_tokens_and_positions(void **state)
{
    (void)state;
    const char *src = "policy \"A \\\"b\\\"\" # comment § here\n"
                      "  x.y == 287g-jail != <= >= < > = ( ) [ ] , : 48 48h\n"
                      "\tz";
    struct dg__lexer lx;
    struct dg__tok t;
    dg__lex_init(&lx, src, strlen(src));
    static const struct {
        enum tok_type type;
        int line, col;
        const char *text;
        bool bol;
    } want[] = {
        {TK_WORD, 1, 1, "policy", true},
        {TK_STRING, 1, 8, "\"A \\\"b\\\"\"", false},
        {TK_WORD, 2, 3, "x.y", true},
        {TK_EQ, 2, 7, "==", false},
        {TK_WORD, 2, 10, "287g-jail", false},
        {TK_NE, 2, 20, "!=", false},
        {TK_LE, 2, 23, "<=", false},
        {TK_GE, 2, 26, ">=", false},
        {TK_LT, 2, 29, "<", false},
        {TK_GT, 2, 31, ">", false},
        {TK_ASSIGN, 2, 33, "=", false},
        {TK_LPAREN, 2, 35, "(", false},
        {TK_RPAREN, 2, 37, ")", false},
        {TK_LBRACK, 2, 39, "[", false},
        {TK_RBRACK, 2, 41, "]", false},
        {TK_COMMA, 2, 43, ",", false},
        {TK_COLON, 2, 45, ":", false},
        {TK_NUMBER, 2, 47, "48", false},
        {TK_WORD, 2, 50, "48h", false},
        {TK_WORD, 3, 2, "z", true},
        {TK_EOF, 3, 3, "", false},
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(want); i++) {
        dg__lex_next(&lx, &t);
        assert_int_equal(t.type, want[i].type);
        assert_int_equal(t.line, want[i].line);
        assert_int_equal(t.col, want[i].col);
        assert_int_equal(t.len, strlen(want[i].text));
        assert_memory_equal(src + t.off, want[i].text, t.len);
        assert_int_equal(t.bol, want[i].bol);
    }
}

static void lex_errors(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        const char *err;
    } cases[] = {
        {"!x", "'!' must be followed by '='"},
        {"\"open", "not closed"},
        {"\"a\\nb\"", "unknown escape"},
        {"\"caf\xc3\xa9\"", "printable ASCII"},
        {"\xc3\xa9", "non-ASCII"},
        {"-x", "cannot start with"},
        {"$", "unexpected character"},
        {"\x01", "control character"},
        {"# c\0x", "NUL byte"},
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(cases); i++) {
        struct dg__lexer lx;
        struct dg__tok t;
        size_t n = i == DG_ARRAY_LEN(cases) - 1 ? 5 : strlen(cases[i].src);
        dg__lex_init(&lx, cases[i].src, n);
        dg__lex_next(&lx, &t);
        assert_int_equal(t.type, TK_ERROR);
        assert_non_null(strstr(t.err, cases[i].err));
    }
}

/* ---- parser: what compiles ------------------------------------------------------------- */

static const char colorado[] =
    "policy \"Colorado\" state CO\n"
    "deny   \"civil immigration enforcement (C.R.S. 24-74-103)\"\n"
    "       when requester.component in [ICE-ERO] or purpose == immigration\n"
    "warrant: review \"federal requests need a judicial warrant\" within 2d then escalate,\n"
    "       notify subject\n"
    "       when requester.level == federal and not legal_process == judicial_warrant\n"
    "review \"unidentified agency\" when requester.category == unspecified\n"
    "photos: deny \"photos stay in state\" when query == IQ and requester.state != CO\n"
    "redact [lawful_presence, address] when requester.level == federal\n"
    "notify subject when requester.department == DHS\n"
    "default allow\n";

static void parse_design_example(void **state)
{
    (void)state;
    struct dg_policy *p = ok(colorado);
    assert_string_equal(dg_policy_name(p), "Colorado");
    assert_string_equal(dg_policy_state(p), "CO");
    assert_int_equal(dg_policy_rule_count(p), 7);
    struct dg_policy_rule_info ri;
    assert_int_equal(dg_policy_rule_info(p, 0, &ri), 0);
    assert_int_equal(ri.action, DG_POLICY_ACT_DENY);
    assert_int_equal(ri.line, 2);
    assert_string_equal(ri.name, "civil immigration enforcement (C.R.S. 24-74-103)");
    assert_string_equal(ri.condition, "requester.component in [ICE-ERO] or purpose == immigration");
    assert_int_equal(dg_policy_rule_info(p, 1, &ri), 0);
    assert_string_equal(ri.name, "warrant");
    assert_string_equal(ri.reason, "federal requests need a judicial warrant");
    assert_int_equal(ri.deadline_s, 2 * 86400);
    assert_int_equal(ri.expiry, DG_POLICY_EXPIRE_ESCALATE);
    assert_true(ri.notify);
    assert_int_equal(dg_policy_rule_info(p, 4, &ri), 0);
    assert_int_equal(ri.action, DG_POLICY_ACT_REDACT);
    assert_int_equal(ri.redact, DG_FIELD_LAWFUL_PRESENCE | DG_FIELD_ADDRESS);
    assert_string_equal(ri.name, "line 9");
    assert_int_equal(dg_policy_rule_info(p, 6, &ri), 0);
    assert_true(ri.is_default);
    assert_string_equal(ri.name, "default");
    assert_string_equal(ri.condition, "");
    assert_int_equal(dg_policy_rule_info(p, 7, &ri), DG_EINVAL);
    assert_int_equal(dg_policy_rule_find(p, "photos"), 3);
    assert_int_equal(dg_policy_rule_find(p, "line 9"), 4);
    assert_int_equal(dg_policy_rule_find(p, "default"), 6);
    assert_int_equal(dg_policy_rule_find(p, "nope"), DG_ENOENT);
    dg_policy_free(p);
}

static void parse_every_kind_of_test(void **state)
{
    (void)state;
    struct dg_policy *p =
        ok("policy \"All\" state WI\n"
           "list partners = file \"partners.txt\"\n"
           "list inline = [WI0010000, WI0020000]\n"
           "deny \"a\" when requester.ori == WI0030000 or requester.ori in [WI0040000, WI0050000]\n"
           "deny \"b\" when requester.ori in partners and not requester.ori not in inline\n"
           "deny \"c\" when requester.state in [MN, IA] and requester.level != tribal\n"
           "deny \"d\" when requester.department == \"DOJ\" and requester.component not in [FBI, "
           "DEA]\n"
           "deny \"e\" when requester.category == prosecutor and requester.agreements has 287g\n"
           "deny \"f\" when requester.agreements has any [287g-jail, 287g-task-force]\n"
           "deny \"g\" when requester.agreements has all [287g-warrant-service]\n"
           "deny \"h\" when requester.agreements == none and requester.department == none\n"
           "deny \"i\" when requester.queries_last_hour >= 1000 and query.key == RQ\n"
           "deny \"j\" when query.identified_by has name and not query.identified_by has oln\n"
           "deny \"k\" when query.fields has photo and purpose in [employment, other]\n"
           "deny \"l\" when legal_process in [administrative_warrant, administrative_subpoena]\n"
           "deny \"m\" when not has_case_number and destination != WI\n"
           "deny \"n\" when (time.hour >= 22 or time.hour < 6) and time.weekday in [sat, sunday]\n"
           "deny \"o\" when time.weekday > fri and requester.queries_last_hour != 0\n"
           "review \"p\" within 90 minutes by two reviewers, redact photo when query == IQ\n"
           "allow \"q\", redact [address], notify subject when query.fields != none\n"
           "default review \"the rest\" within 1h\n");
    assert_int_equal(dg_policy_rule_count(p), 18);
    struct dg_policy_rule_info ri;
    dg_policy_rule_info(p, 15, &ri);
    assert_int_equal(ri.deadline_s, 90 * 60);
    assert_true(ri.two_person);
    assert_int_equal(ri.redact, DG_FIELD_PHOTO);
    dg_policy_rule_info(p, 17, &ri);
    assert_int_equal(ri.action, DG_POLICY_ACT_REVIEW);
    assert_int_equal(ri.deadline_s, 3600);
    assert_int_equal(ri.expiry, DG_POLICY_EXPIRE_DENY);
    dg_policy_free(p);
}

/* ---- parser: errors, each at its line:column ----------------------------------------- */

#define HDR "policy \"T\" state CO\n"

static void parse_errors(void **state)
{
    (void)state;
    fails("deny \"x\"\ndefault allow\n", 1, 1, "expected the header");
    fails("policy T state CO\ndefault allow\n", 1, 8, "the policy's name");
    fails("policy \"T\" state ZZ\ndefault allow\n", 1, 18, "a state code");
    fails(HDR "deny \"x\" when requester.levle == federal\ndefault allow\n", 2, 15,
          "unknown attribute 'requester.levle' (did you mean 'requester.level'?)");
    fails(HDR "deny \"x\" when level == federal\ndefault allow\n", 2, 15,
          "did you mean 'requester.level'");
    fails(HDR "deny \"x\" when requester.level == federl\ndefault allow\n", 2, 34,
          "'federl' is not an agency level: one of local, state, tribal, federal, unspecified");
    fails(HDR "deny \"x\" when requester.level > local\ndefault allow\n", 2, 31,
          "requester.level takes ==, != or in, not >");
    fails(HDR "deny \"x\" when purpose == I\ndefault allow\n", 2, 26,
          "'I' is the message code; in a policy write 'immigration'");
    fails(HDR "deny \"x\" when legal_process == JW\ndefault allow\n", 2, 32,
          "in a policy write 'judicial_warrant'");
    fails(HDR "deny \"x\" when requester.ori == AZ007\ndefault allow\n", 2, 32,
          "'AZ007' is not an ORI");
    fails(HDR "deny \"x\" when requester.ori == ZZ0070000\ndefault allow\n", 2, 32,
          "'ZZ' is not a state code");
    fails(HDR "deny \"x\" when requester.agreements == 287g\ndefault allow\n", 2, 39,
          "expected 'none'");
    fails(HDR "deny \"x\" when requester.agreements has 287h\ndefault allow\n", 2, 40,
          "'287h' is not an agreement: one of 287g (any model), 287g-jail");
    fails(HDR "deny \"x\" when requester.agreements has all [287g]\ndefault allow\n", 2, 45,
          "name the models");
    fails(HDR "deny \"x\" when has_case_number == true\ndefault allow\n", 2, 31,
          "has_case_number is true or false");
    fails(HDR "deny \"x\" when time.hour > 24\ndefault allow\n", 2, 27, "not an hour");
    fails(HDR "deny \"x\" when query == DR\ndefault allow\n", 2, 24, "one of DQ, RQ, IQ");
    fails(HDR "deny \"x\" when requester.queries_last_hour > lots\ndefault allow\n", 2, 45,
          "not a count");
    fails(HDR "deny \"x\" when requester.queries_last_hour in [1]\ndefault allow\n", 2, 43,
          "requester.queries_last_hour takes ==, !=, <, <=, > or >=");
    fails(HDR "deny \"x\" when requester.component == ABCDEFGHIJKLMNOPQ\ndefault allow\n", 2, 38,
          "longer than");
    fails(HDR "deny when purpose == other\ndefault allow\n", 2, 6, "the reason for the denial");
    fails(HDR "deny \"x\", notify subject\ndefault allow\n", 2, 9, "a deny releases nothing");
    fails(HDR "review \"x\" within 31d\ndefault allow\n", 2, 19, "between 1 minute and 30 days");
    fails(HDR "review \"x\" within 3 weeks\ndefault allow\n", 2, 21, "not a unit of time");
    fails(HDR "review \"x\" then later\ndefault allow\n", 2, 17, "'deny' or 'escalate'");
    fails(HDR "redact [addres] when purpose == other\ndefault allow\n", 2, 9,
          "'addres' is not a record field");
    fails(HDR "notify everyone\ndefault allow\n", 2, 8, "expected 'subject'");
    fails(HDR "allow when purpose == other and\ndefault allow\n", 3, 1, "expected a test");
    fails(HDR "allow when (purpose == other\ndefault allow\n", 3, 1, "expected ')'");
    fails(HDR "allow purpose == other\ndefault allow\n", 2, 7, "expected 'when' or a new rule");
    fails(HDR "permit when purpose == other\ndefault allow\n", 2, 1,
          "expected a rule (allow, deny, review, redact, notify or default)");
    fails(HDR "default allow when purpose == other\n", 2, 15, "the default has no condition");
    fails(HDR "default allow\ndeny \"x\" when purpose == other\n", 3, 1, "rule after the default");
    fails(HDR "deny \"x\" when purpose == other\n", 2, 26, "the policy has no default");
    fails(HDR "deny: allow\ndefault allow\n", 2, 1, "'deny' is a keyword and cannot name a rule");
    fails(HDR "deny \"x\" when purpose == other\nb: deny \"x\" when purpose == traffic\n"
              "deny \"x\" when purpose == judicial\ndefault allow\n",
          4, 1, "two rules are called 'x' (lines 2 and 4)");
    fails(HDR "a: deny \"x\" when purpose == other\na: deny \"y\" when purpose == traffic\n"
              "default allow\n",
          3, 1, "two rules are called 'a'");
    fails(HDR "policy \"again\" state CO\ndefault allow\n", 2, 1, "one header");
    fails(HDR "deny \"\" when purpose == other\ndefault allow\n", 2, 6, "is empty");
    fails(HDR "list x = file \"missing.txt\"\ndeny \"a\" when requester.ori in x\n"
              "default allow\n",
          2, 15, "cannot open list file 'missing.txt'");
    fails(HDR "list x = [CO001]\ndefault allow\n", 2, 11, "'CO001' is not an ORI");
    fails(HDR "list partners = [CO0010000]\nlist partners = [CO0010000]\ndefault allow\n", 3, 6,
          "already declared on line 2");
    fails(HDR "deny \"a\" when requester.ori in nolist\ndefault allow\n", 2, 32,
          "unknown list 'nolist'");
}

static void parse_list_file_errors_name_the_list_file(void **state)
{
    (void)state;
    struct dg_policy *p;
    struct dg_policy_diags d;
    int rc = compile(HDR "list x = file \"bad.txt\"\ndeny \"a\" when requester.ori in x\n"
                         "default allow\n",
                     &p, &d);
    assert_int_equal(rc, DG_EPOLICY);
    assert_int_equal(d.errors, 2);
    assert_string_equal(d.v[0].file, "bad.txt");
    assert_int_equal(d.v[0].line, 2);
    assert_non_null(strstr(d.v[0].msg, "'XX' is not a state code"));
    assert_string_equal(d.v[0].src, "XX1234567");
    assert_int_equal(d.v[1].line, 3);
    dg_policy_diags_release(&d);
}

static void parse_recovers_and_reports_every_error(void **state)
{
    (void)state;
    struct dg_policy *p;
    struct dg_policy_diags d;
    int rc = compile(HDR "deny \"a\" when requester.levle == federal\n"
                         "deny \"b\" when purpose == immigratio\n"
                         "allow \"c\" when destination == XX\n"
                         "default allow\n",
                     &p, &d);
    assert_int_equal(rc, DG_EPOLICY);
    assert_int_equal(d.errors, 3);
    assert_int_equal(d.v[0].line, 2);
    assert_int_equal(d.v[1].line, 3);
    assert_int_equal(d.v[2].line, 4);
    /* The printed form: FILE:LINE:COL: error: MSG, the line, a caret under the column. */
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    assert_int_equal(dg_policy_diags_format(&d, &b), 0);
    assert_non_null(strstr(b.data, "t.policy:3:26: error: 'immigratio' is not a purpose"));
    assert_non_null(strstr(b.data, "\n    deny \"b\" when purpose == immigratio\n"
                                   "                             ^\n"));
    dg_buf_release(&b);
    dg_policy_diags_release(&d);
}

static void parse_caret_keeps_tabs(void **state)
{
    (void)state;
    struct dg_policy *p;
    struct dg_policy_diags d;
    assert_int_equal(compile(HDR "\tdeny \"a\" when\tpurpose == x\ndefault allow\n", &p, &d),
                     DG_EPOLICY);
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    dg_policy_diags_format(&d, &b);
    assert_non_null(strstr(b.data, "t.policy:2:27: error:"));
    assert_non_null(strstr(b.data, "\n    \tdeny \"a\" when\tpurpose == x\n"
                                   "    \t             \t           ^\n"));
    dg_buf_release(&b);
    dg_policy_diags_release(&d);
}

static void parse_limits(void **state)
{
    (void)state;
    /* Nesting deeper than DG_POLICY_MAX_DEPTH. */
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    dg_buf_addstr(&b, HDR "deny \"x\" when ");
    for (int i = 0; i < DG_POLICY_MAX_DEPTH + 5; i++)
        dg_buf_addstr(&b, "not ");
    dg_buf_addstr(&b, "has_case_number\ndefault allow\n");
    fails(b.data, 2, 15 + 4 * DG_POLICY_MAX_DEPTH, "nested deeper than 64");
    dg_buf_reset(&b);
    /* A long chain of "and" is one node, not a deep tree: no depth limit. */
    dg_buf_addstr(&b, HDR "deny \"x\" when has_case_number");
    for (int i = 0; i < 2000; i++)
        dg_buf_addstr(&b, " and has_case_number");
    dg_buf_addstr(&b, "\ndefault allow\n");
    struct dg_policy *p = ok(b.data);
    dg_policy_free(p);
    dg_buf_release(&b);
    /* Text over the limit. */
    char *big = dg_malloc(DG_POLICY_MAX_TEXT + 2);
    memset(big, '#', DG_POLICY_MAX_TEXT + 1);
    struct dg_error e;
    struct dg_policy_diags d;
    dg_policy_diags_init(&d);
    assert_int_equal(dg_policy_compile(big, DG_POLICY_MAX_TEXT + 1, NULL, &p, &d, &e), DG_ETOOBIG);
    assert_non_null(strstr(e.msg, "larger than"));
    dg_policy_diags_release(&d);
    dg_free(big);
}

/* ---- checker ---------------------------------------------------------------------- */

static void check_unreachable_rules(void **state)
{
    (void)state;
    fails(HDR "deny \"fed\" when requester.level == federal\n"
              "review \"fed imm\" when requester.level == federal and purpose == immigration\n"
              "default allow\n",
          3, 1, "this rule can never fire: the rule on line 2 decides every request");
    /* Covered by two rules together, neither alone. */
    fails(HDR "deny \"a\" when purpose == traffic and requester.level != federal\n"
              "deny \"b\" when requester.level == federal\n"
              "allow \"c\" when purpose == traffic\n"
              "default allow\n",
          4, 1, "the rules on lines 2 and 3 decide");
    /* An unconditional rule hides everything after it. */
    fails(HDR "deny \"all\"\nallow \"x\" when purpose == other\ndefault allow\n", 3, 1,
          "can never fire");
    /* Sets, lists, counts and names are analysed too. */
    fails(HDR "deny \"a\" when query.fields has any [photo, address]\n"
              "deny \"b\" when query.fields has photo\ndefault allow\n",
          3, 1, "can never fire");
    fails(HDR "list l = [CO0010000]\ndeny \"a\" when requester.ori in l\n"
              "deny \"b\" when requester.ori in l and purpose == other\ndefault allow\n",
          4, 1, "can never fire");
    fails(HDR "deny \"a\" when requester.queries_last_hour > 100\n"
              "review \"b\" when requester.queries_last_hour >= 500\ndefault allow\n",
          3, 1, "can never fire");
    fails(HDR "deny \"a\" when requester.component != HSI\n"
              "review \"b\" when requester.component in [ICE-ERO, CBP]\ndefault allow\n",
          3, 1, "can never fire");
    fails(HDR "deny \"a\" when requester.agreements has 287g\n"
              "review \"b\" when requester.agreements has 287g-jail\ndefault allow\n",
          3, 1, "can never fire");
    /* Reachable ones are not reported: the analysis is exact on these. */
    struct dg_policy *p = ok(HDR "deny \"a\" when requester.queries_last_hour > 500\n"
                                 "review \"b\" when requester.queries_last_hour >= 100\n"
                                 "deny \"c\" when requester.component != HSI and purpose == other\n"
                                 "review \"d\" when requester.component in [HSI, CBP]\n"
                                 "deny \"e\" when requester.agreements has 287g-jail\n"
                                 "review \"f\" when requester.agreements has 287g\n"
                                 "allow \"g\" when not (purpose == other or purpose == traffic)\n"
                                 "deny \"h\" when purpose == traffic\n"
                                 "default allow\n");
    dg_policy_free(p);
}

static void check_never_true_and_default(void **state)
{
    (void)state;
    fails(HDR "deny \"a\" when time.hour > 5 and time.hour < 3\ndefault allow\n", 2, 1,
          "can never be true");
    fails(HDR "redact photo when purpose == other and purpose == traffic\ndefault allow\n", 2, 1,
          "can never be true");
    fails(HDR "deny \"a\" when requester.queries_last_hour < 0\ndefault allow\n", 2, 1,
          "can never be true");
    fails(HDR "deny \"a\" when requester.department == DHS and requester.department == DOJ\n"
              "default allow\n",
          2, 1, "can never be true");
    warns(HDR "deny \"a\" when purpose == other\nallow \"b\" when purpose != other\n"
              "default deny \"nothing else\"\n",
          4, 1, "the default is never reached: the rules on lines 2 and 3 decide");
}

static void check_record_leaks(void **state)
{
    (void)state;
    warns(HDR "deny \"flagged\" when record.lawful_presence_flag and requester.level == federal\n"
              "default allow\n",
          2, 21, "this rule decides on record.lawful_presence_flag");
    warns(HDR "redact address when record.lawful_presence_flag\ndefault allow\n", 2, 21,
          "this redaction depends on record.lawful_presence_flag");
    /* A notice is invisible to the requester: no warning. */
    struct dg_policy *p;
    struct dg_policy_diags d;
    assert_int_equal(
        compile(HDR "notify subject when record.lawful_presence_flag\n"
                    "redact lawful_presence when requester.level == federal\ndefault allow\n",
                &p, &d),
        0);
    assert_int_equal(d.warnings, 0);
    dg_policy_diags_release(&d);
    struct dg_policy_rule_info ri;
    dg_policy_rule_info(p, 0, &ri);
    assert_true(ri.uses_record);
    dg_policy_rule_info(p, 1, &ri);
    assert_false(ri.uses_record);
    dg_policy_free(p);
}

static void check_lowercase_and_unused_list(void **state)
{
    (void)state;
    warns(HDR "deny \"a\" when requester.department == dhs\ndefault allow\n", 2, 39,
          "has lower-case letters");
    warns(HDR "list spare = [CO0010000]\ndefault allow\n", 2, 6, "list 'spare' is never used");
}

/* ---- evaluator ------------------------------------------------------------------------- */

static void decide(const struct dg_policy *p, const struct dg_policy_request *r,
                   const struct dg_policy_record *rec, struct dg_policy_decision *d)
{
    assert_int_equal(dg_policy_decide(p, r, rec, d), 0);
}

static void eval_colorado(void **state)
{
    (void)state;
    struct dg_policy *p = ok(colorado);
    struct dg_policy_decision d;

    struct dg_policy_request r = req_for(&local_pd);
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);
    assert_string_equal(d.rule_name, "default");
    assert_int_equal(d.line, 11);
    assert_int_equal(d.redact, 0);
    assert_false(d.notify);
    assert_false(d.needs_record);

    r = req_for(&ice); /* ICE-ERO: denied, and a deny carries no redactions or notice */
    r.legal_process = DG_LEG_JUDICIAL_WARRANT;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_DENY);
    assert_int_equal(d.rule, 0);
    assert_string_equal(d.reason, "civil immigration enforcement (C.R.S. 24-74-103)");
    assert_int_equal(d.redact, 0);
    assert_false(d.notify);

    r = req_for(&local_pd); /* anyone asking for immigration enforcement */
    r.purpose = DG_PUR_IMMIGRATION;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_DENY);
    assert_int_equal(d.rule, 0);

    r = req_for(&fbi); /* federal, no warrant: review, and every matching modifier applies */
    r.legal_process = DG_LEG_ADMIN_WARRANT;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_REVIEW);
    assert_string_equal(d.rule_name, "warrant");
    assert_int_equal(d.deadline_s, 2 * 86400);
    assert_int_equal(d.expiry, DG_POLICY_EXPIRE_ESCALATE);
    assert_true(d.notify); /* the review rule's own notice */
    assert_int_equal(d.redact, DG_FIELD_LAWFUL_PRESENCE | DG_FIELD_ADDRESS);
    assert_int_equal(d.n_applied, 1);
    assert_int_equal(d.applied[0], 4);

    r.legal_process = DG_LEG_JUDICIAL_WARRANT; /* with a judge's warrant: allowed, redacted */
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);
    assert_int_equal(d.redact, DG_FIELD_LAWFUL_PRESENCE | DG_FIELD_ADDRESS);
    assert_false(d.notify);

    r = req_for(&hsi); /* DHS with a warrant: allowed, redacted, subject notified */
    r.legal_process = DG_LEG_JUDICIAL_WARRANT;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);
    assert_true(d.notify);
    assert_int_equal(d.n_applied, 2);

    r = req_for(&unspec);
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_REVIEW);
    assert_string_equal(d.reason, "unidentified agency");
    assert_int_equal(d.deadline_s, DG_POLICY_DEFAULT_DEADLINE);
    assert_int_equal(d.expiry, DG_POLICY_EXPIRE_DENY);

    r = req_for(&sheriff287); /* photos stay in state */
    r.key = DG_KEY_IQ;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_DENY);
    assert_string_equal(d.rule_name, "photos");
    r = req_for(&local_pd);
    r.key = DG_KEY_IQ;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);

    struct dg_buf b;
    dg_buf_init(&b, 4096);
    r = req_for(&fbi);
    decide(p, &r, NULL, &d);
    dg_policy_decision_format(&d, &b);
    assert_string_equal(b.data, "review by rule 'warrant' (line 4): federal requests need a "
                                "judicial warrant; within 48h then escalate; redact "
                                "address,lawful_presence; notify subject");
    dg_buf_release(&b);
    dg_policy_free(p);
}

static void eval_lists_volume_time_sets(void **state)
{
    (void)state;
    struct dg_policy *p = ok(HDR "list partners = file \"partners.txt\"\n"
                                 "list big = file \"big.txt\"\n"
                                 "review \"287(g) partner\" when requester.ori in partners or "
                                 "requester.agreements has 287g\n"
                                 "deny \"big\" when requester.ori in big\n"
                                 "review \"bulk\" when requester.queries_last_hour > 500\n"
                                 "review \"night name search\" by two reviewers when (time.hour "
                                 ">= 22 or time.hour < 6) and query.identified_by has name\n"
                                 "deny \"weekend photos\" when time.weekday in [sat, sun] and "
                                 "query.fields has photo\n"
                                 "default allow\n");
    struct dg_policy_decision d;
    struct dg_agency az = agency("AZ0070000", DG_LEVEL_LOCAL, "", "", DG_CAT_SHERIFF, 0);
    struct dg_agency wi = agency("WI0014997", DG_LEVEL_LOCAL, "", "", DG_CAT_SHERIFF, 0);
    struct dg_agency wi2 = agency("WI0014998", DG_LEVEL_LOCAL, "", "", DG_CAT_SHERIFF, 0);
    struct dg_policy_request r = req_for(&az);
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "287(g) partner");
    r = req_for(&sheriff287); /* in the list and with an agreement */
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "287(g) partner");
    r = req_for(&wi); /* 4999 * 3 = 14997 is in big.txt */
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "big");
    r = req_for(&wi2);
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "default");
    r.queries_last_hour = 500;
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "default");
    r.queries_last_hour = 501;
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "bulk");
    r = req_for(&wi2);
    r.identified_by = DG_IDF_NAME | DG_IDF_DOB;
    r.hour = 23;
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "night name search");
    assert_true(d.two_person);
    r.hour = 6;
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "default");
    r.fields |= DG_FIELD_PHOTO;
    r.weekday = 6;
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "weekend photos");
    r.weekday = 4;
    decide(p, &r, NULL, &d);
    assert_string_equal(d.rule_name, "default");
    dg_policy_free(p);
}

static void eval_two_phases(void **state)
{
    (void)state;
    /* A record-dependent redaction: phase 1 decides and asks for phase 2. */
    struct dg_policy *p = ok(HDR "deny \"imm\" when purpose == immigration\n"
                                 "redact address when record.lawful_presence_flag\n"
                                 "notify subject when record.lawful_presence_flag and "
                                 "requester.level == federal\n"
                                 "default allow\n");
    struct dg_policy_decision d;
    struct dg_policy_request r = req_for(&fbi);
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);
    assert_true(d.needs_record);
    assert_int_equal(d.redact, 0);
    struct dg_policy_record flagged = {.lawful_presence_flag = true}, plain = {0};
    decide(p, &r, &flagged, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);
    assert_false(d.needs_record);
    assert_int_equal(d.redact, DG_FIELD_ADDRESS);
    assert_true(d.notify);
    decide(p, &r, &plain, &d);
    assert_int_equal(d.redact, 0);
    assert_false(d.notify);
    r = req_for(&local_pd); /* "and" with a known false side is known before the lookup */
    r.purpose = DG_PUR_IMMIGRATION;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_DENY);
    assert_false(d.needs_record);
    dg_policy_free(p);

    /* A record-dependent decision: UNDECIDED before the lookup, unless an
     * earlier rule decides or the rest of its condition is already false. */
    p = ok(HDR "deny \"imm\" when purpose == immigration\n"
               "review \"flagged federal\" when requester.level == federal and "
               "record.lawful_presence_flag\n"
               "default allow\n");
    r = req_for(&fbi);
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_UNDECIDED);
    assert_int_equal(d.rule, -1);
    assert_true(d.needs_record);
    decide(p, &r, &flagged, &d);
    assert_int_equal(d.outcome, DG_POLICY_REVIEW);
    decide(p, &r, &plain, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);
    r = req_for(&local_pd);
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_ALLOW);
    assert_false(d.needs_record);
    r = req_for(&fbi);
    r.purpose = DG_PUR_IMMIGRATION;
    decide(p, &r, NULL, &d);
    assert_int_equal(d.outcome, DG_POLICY_DENY);
    dg_policy_free(p);
}

static void eval_rejects_bad_requests(void **state)
{
    (void)state;
    struct dg_policy *p = ok(HDR "default allow\n");
    struct dg_policy_decision d;
    struct dg_policy_request r = req_for(NULL);
    assert_int_equal(dg_policy_decide(p, &r, NULL, &d), DG_EINVAL);
    assert_int_equal(d.outcome, DG_POLICY_DENY);
    assert_int_equal(d.rule, -1);
    r = req_for(&local_pd);
    r.purpose = (enum dg_purpose)99;
    assert_int_equal(dg_policy_decide(p, &r, NULL, &d), DG_EINVAL);
    r = req_for(&local_pd);
    r.hour = 24;
    assert_int_equal(dg_policy_decide(p, &r, NULL, &d), DG_EINVAL);
    r = req_for(&local_pd);
    memcpy(r.destination, "Q", 2); /* an unknown destination is just not a state */
    assert_int_equal(dg_policy_decide(p, &r, NULL, &d), 0);
    dg_policy_free(p);
}

struct thread_arg {
    const struct dg_policy *p;
    int mismatches;
};

static void *decide_many(void *arg)
{
    struct thread_arg *t = arg;
    const struct dg_agency *who[] = {&local_pd, &ice, &hsi, &fbi, &unspec, &sheriff287};
    for (int i = 0; i < 20000; i++) {
        struct dg_policy_request r = req_for(who[i % 6]);
        r.legal_process = (enum dg_leg)(i % DG_LEG__COUNT);
        r.key = i % 7 == 0 ? DG_KEY_IQ : DG_KEY_DQ;
        struct dg_policy_decision d;
        dg_policy_decide(t->p, &r, NULL, &d);
        bool fed_no_jw = who[i % 6]->level == DG_LEVEL_FEDERAL &&
                         r.legal_process != DG_LEG_JUDICIAL_WARRANT &&
                         strcmp(who[i % 6]->component, "ICE-ERO") != 0;
        if (fed_no_jw != (d.outcome == DG_POLICY_REVIEW && d.rule == 1))
            t->mismatches++;
    }
    return NULL;
}

static void eval_shared_by_threads(void **state)
{
    (void)state;
    struct dg_policy *p = ok(colorado);
    pthread_t th[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){p, 0};
        pthread_create(&th[i], NULL, decide_many, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].mismatches, 0);
    }
    dg_policy_free(p);
}

/* ---- explain --------------------------------------------------------------------------- */

static void explain_every_rule(void **state)
{
    (void)state;
    struct dg_policy *p = ok(colorado);
    struct dg_policy_request r = req_for(&fbi);
    r.legal_process = DG_LEG_ADMIN_WARRANT;
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    assert_int_equal(dg_policy_explain(p, &r, NULL, &b), 0);
    const char *want[] = {
        "policy \"Colorado\" (state CO, t.policy): 7 rules\n",
        "    requester.level              federal\n",
        "    legal_process                administrative_warrant\n",
        "    record.lawful_presence_flag  not known before the lookup\n",
        "rule 1, line 2, 'civil immigration enforcement (C.R.S. 24-74-103)':\n",
        "  -> does not match\n"
        "      requester.component in [ICE-ERO]: false (requester.component is FBI)\n"
        "      purpose == immigration: false (purpose is criminal_justice)\n",
        "rule 2, line 4, 'warrant':\n"
        "    warrant: review \"federal requests need a judicial warrant\" within 2d then "
        "escalate,\n      notify subject\n",
        "  -> MATCHES: this rule decides\n"
        "      requester.level == federal: true (requester.level is federal)\n"
        "      legal_process == judicial_warrant: false (legal_process is "
        "administrative_warrant)\n",
        "rule 3, line 7, 'unidentified agency':\n",
        "  -> does not match (an earlier rule already decided)\n",
        "rule 5, line 9, 'line 9':\n",
        "  -> MATCHES: applies\n",
        "rule 7, line 11, 'default':\n    default allow\n"
        "  -> matches, but an earlier rule already decided\n",
        "\ndecision: review by rule 'warrant' (line 4): federal requests need a judicial "
        "warrant; within 48h then escalate; redact address,lawful_presence; notify subject\n",
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(want); i++) {
        if (!strstr(b.data, want[i]))
            print_error("missing:\n%s\nin:\n%s\n", want[i], b.data);
        assert_non_null(strstr(b.data, want[i]));
    }
    dg_buf_release(&b);
    dg_policy_free(p);
}

static void explain_undecided(void **state)
{
    (void)state;
    struct dg_policy *p = ok(
        HDR "review \"flagged\" when requester.level == federal and record.lawful_presence_flag\n"
            "redact address when requester.level == federal\n"
            "default allow\n");
    struct dg_policy_request r = req_for(&fbi);
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    assert_int_equal(dg_policy_explain(p, &r, NULL, &b), 0);
    assert_non_null(strstr(b.data, "  -> unknown until the lookup: the decision waits for the "
                                   "record\n"
                                   "      requester.level == federal: true (requester.level is "
                                   "federal)\n"
                                   "      record.lawful_presence_flag: unknown "
                                   "(record.lawful_presence_flag is not known before the "
                                   "lookup)\n"));
    assert_non_null(strstr(b.data, "  -> matches: applies if the data is released\n"));
    assert_non_null(strstr(b.data, "  -> matches, but an earlier rule waits for the record\n"));
    assert_non_null(strstr(b.data, "\ndecision: undecided: depends on the record"));
    dg_buf_reset(&b);
    struct dg_policy_record rec = {.lawful_presence_flag = true};
    assert_int_equal(dg_policy_explain(p, &r, &rec, &b), 0);
    assert_non_null(strstr(b.data, "record.lawful_presence_flag: true (record.lawful_presence_flag "
                                   "is true)"));
    assert_non_null(strstr(b.data, "\ndecision: review by rule 'flagged' (line 2): flagged; "
                                   "within 24h then deny; redact address\n"));
    dg_buf_release(&b);
    dg_policy_free(p);
}

/* ---- requests from messages, test files ---------------------------------------------- */

static void request_from_message(void **state)
{
    (void)state;
    struct dg_msg_req m;
    const char *text = "DQ.DCICE0100.CO,NM.TXT\nNAM/RIVERA,ANA.DOB/19800102.SEX/F.IMQ/Y.PUR/I."
                       "ATN/AGENT SMITH.CAS/25-1.LEG/AW 2025-114";
    assert_int_equal(dg_msg_req_parse_text(&m, text, strlen(text), NULL), 0);
    struct dg_policy_request r;
    assert_int_equal(dg_policy_request_from_msg(&r, &m, &ice, "NM", 1764057600), 0);
    assert_ptr_equal(r.requester, &ice);
    assert_int_equal(r.key, DG_KEY_DQ);
    assert_int_equal(r.purpose, DG_PUR_IMMIGRATION);
    assert_int_equal(r.legal_process, DG_LEG_ADMIN_WARRANT);
    assert_true(r.has_case_number);
    assert_int_equal(r.identified_by, DG_IDF_NAME | DG_IDF_DOB | DG_IDF_SEX);
    assert_true(r.fields & DG_FIELD_PHOTO);
    assert_string_equal(r.destination, "NM");
    assert_int_equal(dg_policy_request_from_msg(&r, &m, &ice, "AZ", 0), DG_EINVAL);
    assert_int_equal(dg_policy_request_from_msg(&r, &m, &ice, NULL, 0), 0);
    assert_string_equal(r.destination, "CO");
    text = "RQ.CO0010100.NL.TXT\nLIC/ABC123.LIS/CO.LIT/PC.PUR/T.ATN/OFC K";
    assert_int_equal(dg_msg_req_parse_text(&m, text, strlen(text), NULL), 0);
    assert_int_equal(dg_policy_request_from_msg(&r, &m, &local_pd, "WI", 0), 0);
    assert_int_equal(r.identified_by, DG_IDF_PLATE);
    assert_int_equal(r.fields, DG_FIELD_VEHICLES | DG_FIELD_OWNER);
    assert_string_equal(r.destination, "WI");
    assert_false(r.has_case_number);
}

static const struct dg_agency *find_fbi(void *ctx, const char *ori)
{
    (void)ctx;
    return strcmp(ori, fbi.ori) == 0 ? &fbi : NULL;
}

static void run_testfile(const struct dg_policy *p, const char *text, int rc_want, int passed,
                         int failed, const char *report_has)
{
    struct dg_policy_test_env env = {find_fbi, NULL, dg_policy_msg_parser, NULL};
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    struct dg_policy_test_result res = {-1, -1};
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_policy_test_run(p, text, strlen(text), "t.tests", &env, &b, &res, &e);
    if (rc != rc_want || (rc == 0 && (res.passed != passed || res.failed != failed)) ||
        (report_has && !strstr(rc ? e.msg : b.data, report_has)))
        print_error("rc %d, %d passed %d failed, report:\n%s\nerror %d: %s\n", rc, res.passed,
                    res.failed, b.data ? b.data : "", e.line, e.msg);
    assert_int_equal(rc, rc_want);
    if (rc == 0) {
        assert_int_equal(res.passed, passed);
        assert_int_equal(res.failed, failed);
    }
    if (report_has)
        assert_non_null(strstr(rc ? e.msg : b.data, report_has));
    dg_buf_release(&b);
}

static void test_files(void **state)
{
    (void)state;
    struct dg_policy *p = ok(colorado);
    /* Every way to give a request, and every expectation. */
    run_testfile(p,
                 "# a comment\n"
                 "agency DCICE0100 level=federal department=DHS component=ICE-ERO "
                 "category=federal_le\n"
                 "test \"message over two lines\"\n"
                 "message\n"
                 "    DQ.DCICE0100.CO.TXT\n"
                 "    OLN/123456789.OLS/CO.PUR/C.ATN/AGENT SMITH\n"
                 "expect deny rule=\"civil immigration enforcement (C.R.S. 24-74-103)\" "
                 "redact=none no-notify\n"
                 "\n"
                 "test fbi-json\n"
                 "json {\"key\":\"DQ\",\"ori\":\"DCFBI0100\",\"dest\":[\"CO\"],"
                 "\"fields\":{\"OLN\":\"123456789\",\"OLS\":\"CO\",\"PUR\":\"C\","
                 "\"ATN\":\"X\"}}\n"
                 "expect review rule=warrant notify redact=address,lawful_presence within=48h "
                 "escalate one-person\n"
                 "test attrs\n"
                 "request ori=DCFBI0100 key=DQ purpose=C leg=JW case=yes\n"
                 "time sat 23:59\n"
                 "volume 7\n"
                 "record lawful_presence_flag=no\n"
                 "expect allow line=11 redact=lawful_presence,address\n"
                 "test inline-requester\n"
                 "request ori=AZ0990000 key=IQ\n"
                 "requester level=unspecified category=unspecified\n"
                 "expect review rule=\"unidentified agency\"\n",
                 0, 4, 0, "4 passed, 0 failed\n");
    /* Failures are counted and reported one line each. */
    run_testfile(p,
                 "test \"wrong\"\nrequest ori=DCFBI0100\nexpect allow\n"
                 "test \"unknown ORI\"\nrequest ori=CO0990000\nexpect allow\n"
                 "test \"bad message\"\nmessage DQ.CO0010100.CO.TXT OLN/1.OLS/CO.PUR/Q.ATN/X\n"
                 "expect allow\n",
                 0, 0, 3, "t.tests:1: \"wrong\": expected 'expect allow', got: review by rule");
    /* Malformed files run nothing and say where. */
    run_testfile(p, "request ori=DCFBI0100\n", DG_EPOLICY, 0, 0, "outside a case");
    run_testfile(p, "test x\nrequest ori=DCFBI0100 color=red\nexpect allow\n", DG_EPOLICY, 0, 0,
                 "unknown request attribute");
    run_testfile(p, "test x\nrequest ori=DCFBI0100\n", DG_EPOLICY, 0, 0, "no 'expect' line");
    run_testfile(p, "test x\nexpect allow\n", DG_EPOLICY, 0, 0, "case has no request");
    run_testfile(p, "test x\nrequest ori=DCFBI0100\nexpect maybe\n", DG_EPOLICY, 0, 0,
                 "'maybe' is not an outcome");
    run_testfile(p, "test x\nrequest ori=DCFBI0100\ntime someday 10:00\nexpect allow\n", DG_EPOLICY,
                 0, 0, "time DAY HH:MM");
    run_testfile(p, "test \"open\nrequest ori=DCFBI0100\nexpect allow\n", DG_EPOLICY, 0, 0,
                 "not closed");
    run_testfile(p, "frobnicate\n", DG_EPOLICY, 0, 0, "unknown keyword 'frobnicate'");

    /* A request file: one case, "test" and "expect" optional. */
    const char *req = "message\n  DQ.DCFBI0100.NL.TXT\n  OLN/123456789.OLS/CO.PUR/C.ATN/X\n"
                      "record lawful_presence_flag\n";
    struct dg_policy_test_env env = {find_fbi, NULL, dg_policy_msg_parser, NULL};
    struct dg_agency who;
    struct dg_policy_request r;
    struct dg_policy_record rec;
    bool has_rec = false;
    assert_int_equal(
        dg_policy_request_read(req, strlen(req), "r", "CO", &env, &who, &r, &rec, &has_rec, NULL),
        0);
    assert_string_equal(who.component, "FBI");
    assert_ptr_equal(r.requester, &who);
    assert_string_equal(r.destination, "CO");
    assert_true(has_rec);
    assert_true(rec.lawful_presence_flag);
    struct dg_error e;
    req = "request ori=CO0990000\n";
    assert_int_equal(
        dg_policy_request_read(req, strlen(req), "r", "CO", &env, &who, &r, &rec, &has_rec, &e),
        DG_EPOLICY);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "unknown requester 'CO0990000'"));
    dg_policy_free(p);
}

/* ---- volume counter ------------------------------------------------------------------- */

static void volume_window(void **state)
{
    (void)state;
    struct dg_volume *v = dg_volume_new(100);
    assert_non_null(v);
    uint32_t n;
    int64_t t0 = 1764057600; /* a minute boundary */
    for (int i = 0; i < 10; i++)
        assert_int_equal(dg_volume_hit(v, "CO0010100", t0 + i * 30, &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(dg_volume_count(v, "CO0010100", t0 + 299), 10);
    assert_int_equal(dg_volume_count(v, "CO0020100", t0), 0);
    /* 60 minutes after the first minute, the first two hits (minute 0) drop out. */
    assert_int_equal(dg_volume_count(v, "CO0010100", t0 + 3600), 8);
    assert_int_equal(dg_volume_hit(v, "CO0010100", t0 + 3600, &n), 0);
    assert_int_equal(n, 9);
    /* Time going backwards counts in the latest minute. */
    assert_int_equal(dg_volume_hit(v, "CO0010100", t0, &n), 0);
    assert_int_equal(n, 10);
    /* Two hours later, nothing is left. */
    assert_int_equal(dg_volume_count(v, "CO0010100", t0 + 7200 + 3600), 0);
    assert_int_equal(dg_volume_hit(v, "CO001", t0, &n), DG_EINVAL);
    dg_volume_free(v);

    /* A full table says so. */
    v = dg_volume_new(16);
    int rc = 0, added = 0;
    char ori[10];
    for (int i = 0; i < 100000 && rc == 0; i++) {
        snprintf(ori, sizeof(ori), "CO%07d", i);
        rc = dg_volume_hit(v, ori, t0, &n);
        added += rc == 0;
    }
    assert_int_equal(rc, DG_ENOSPC);
    assert_true(added >= 16);
    dg_volume_free(v);
}

struct vol_arg {
    struct dg_volume *v;
    int id;
};

static void *hit_many(void *arg)
{
    struct vol_arg *a = arg;
    char ori[10];
    uint32_t n;
    for (int i = 0; i < 5000; i++) {
        snprintf(ori, sizeof(ori), "WI%07d", i % 50);
        dg_volume_hit(a->v, ori, 1764057600 + i / 100, &n);
    }
    return NULL;
}

static void volume_threads(void **state)
{
    (void)state;
    struct dg_volume *v = dg_volume_new(1000);
    pthread_t th[4];
    struct vol_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct vol_arg){v, i};
        pthread_create(&th[i], NULL, hit_many, &args[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    uint32_t total = 0;
    char ori[10];
    for (int i = 0; i < 50; i++) {
        snprintf(ori, sizeof(ori), "WI%07d", i);
        total += dg_volume_count(v, ori, 1764057600 + 50);
    }
    assert_int_equal(total, 4 * 5000);
    dg_volume_free(v);
}

/* ---- allocation failure ---------------------------------------------------------------- */

static void compile_survives_allocation_failure(void **state)
{
    (void)state;
    const char *text = HDR "list partners = file \"partners.txt\"\n"
                           "deny \"a\" when requester.ori in partners or requester.component in "
                           "[ICE-ERO, HSI]\n"
                           "review \"b\" when requester.level == federal and not "
                           "legal_process == judicial_warrant\n"
                           "redact [address] when record.lawful_presence_flag\n"
                           "default allow\n";
    struct dg_policy *p;
    struct dg_policy_diags d;
    dg_alloc_fail_at(ULONG_MAX);
    dg_policy_diags_init(&d);
    assert_int_equal(dg_policy_compile(text, strlen(text), &mem_opt, &p, &d, NULL), 0);
    unsigned long count = dg_alloc_fail_at(0);
    dg_policy_free(p);
    dg_policy_diags_release(&d);
    assert_true(count > 10);
    for (unsigned long n = 1; n <= count; n++) {
        dg_policy_diags_init(&d);
        p = NULL;
        dg_alloc_fail_at(n);
        int rc = dg_policy_compile(text, strlen(text), &mem_opt, &p, &d, NULL);
        dg_alloc_fail_at(0);
        assert_true(rc == DG_ENOMEM || rc == 0);
        if (rc == 0)
            dg_policy_free(p);
        else
            assert_null(p);
        dg_policy_diags_release(&d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lex_tokens_and_positions),
        cmocka_unit_test(lex_errors),
        cmocka_unit_test(parse_design_example),
        cmocka_unit_test(parse_every_kind_of_test),
        cmocka_unit_test(parse_errors),
        cmocka_unit_test(parse_list_file_errors_name_the_list_file),
        cmocka_unit_test(parse_recovers_and_reports_every_error),
        cmocka_unit_test(parse_caret_keeps_tabs),
        cmocka_unit_test(parse_limits),
        cmocka_unit_test(check_unreachable_rules),
        cmocka_unit_test(check_never_true_and_default),
        cmocka_unit_test(check_record_leaks),
        cmocka_unit_test(check_lowercase_and_unused_list),
        cmocka_unit_test(eval_colorado),
        cmocka_unit_test(eval_lists_volume_time_sets),
        cmocka_unit_test(eval_two_phases),
        cmocka_unit_test(eval_rejects_bad_requests),
        cmocka_unit_test(eval_shared_by_threads),
        cmocka_unit_test(explain_every_rule),
        cmocka_unit_test(explain_undecided),
        cmocka_unit_test(request_from_message),
        cmocka_unit_test(test_files),
        cmocka_unit_test(volume_window),
        cmocka_unit_test(volume_threads),
        cmocka_unit_test(compile_survives_allocation_failure),
    };
    return cmocka_run_group_tests(tests, setup_agencies, NULL);
}
