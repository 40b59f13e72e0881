/*
 * test_simulate.c - unit tests for lib/simulate: an audit log recorded at
 * test time from known requests (decided under the status quo, "default
 * allow"), replayed under drafts whose effect is known: the transition table
 * overall, by category, level, key and rule, the local and state police
 * figures, the most affected agencies, date ranges, comparison with another
 * policy, rules that need the record, the requester's recent volume, and the
 * text and JSON forms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/audit.h>
#include <dmvgate/policy.h>
#include <dmvgate/simulate.h>

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 2026-11-25T08:00:00Z; the tests run in UTC. */
#define T0 1795593600

static const struct dg_agency sheriff = {.ori = "CO0010000",
                                         .state = "CO",
                                         .name = "S",
                                         .level = DG_LEVEL_LOCAL,
                                         .category = DG_CAT_SHERIFF};
static const struct dg_agency city = {.ori = "CO0020100",
                                      .state = "CO",
                                      .name = "C",
                                      .level = DG_LEVEL_LOCAL,
                                      .category = DG_CAT_MUNICIPAL_POLICE};
static const struct dg_agency trooper = {.ori = "CO0300000",
                                         .state = "CO",
                                         .name = "T",
                                         .level = DG_LEVEL_STATE,
                                         .category = DG_CAT_STATE_POLICE};
static const struct dg_agency ice = {.ori = "DCICE0100",
                                     .state = "DC",
                                     .name = "I",
                                     .level = DG_LEVEL_FEDERAL,
                                     .department = "DHS",
                                     .component = "ICE-ERO",
                                     .category = DG_CAT_FEDERAL_LE};
static const struct dg_agency fbi = {.ori = "DCFBI0100",
                                     .state = "DC",
                                     .name = "F",
                                     .level = DG_LEVEL_FEDERAL,
                                     .department = "DOJ",
                                     .component = "FBI",
                                     .category = DG_CAT_FEDERAL_LE};
static const struct dg_agency nobody = {.ori = "CO0990000",
                                        .state = "CO",
                                        .name = "N",
                                        .level = DG_LEVEL_UNSPECIFIED,
                                        .category = DG_CAT_UNSPECIFIED};

static char logdir[256];

static struct dg_policy *compile(const char *text)
{
    struct dg_policy *p = NULL;
    struct dg_error e;
    struct dg_policy_diags d;
    dg_policy_diags_init(&d);
    int rc = dg_policy_compile(text, strlen(text), NULL, &p, &d, &e);
    if (rc) {
        struct dg_buf b;
        dg_buf_init(&b, 1 << 16);
        dg_policy_diags_format(&d, &b);
        fail_msg("policy: %s\n%s", e.msg, b.data ? b.data : "");
    }
    dg_policy_diags_release(&d);
    return p;
}

static void append(struct dg_audit_log *log, const struct dg_policy *p, const struct dg_agency *a,
                   enum dg_key key, enum dg_purpose pur, enum dg_leg leg, int n, int64_t t)
{
    for (int i = 0; i < n; i++) {
        struct dg_policy_request req;
        dg_policy_request_init(&req, a);
        req.key = key;
        req.identified_by = key == DG_KEY_RQ ? DG_IDF_PLATE : DG_IDF_OLN;
        req.fields = dg_policy_fields_for_key(key, false);
        req.purpose = pur;
        req.legal_process = leg;
        memcpy(req.destination, "CO", 3);
        struct dg_policy_decision d;
        assert_int_equal(dg_policy_decide(p, &req, NULL, &d), 0);
        struct dg_audit_entry e;
        dg_sim_entry_from_request(&req, &d, (t + i) * 1000000, &e);
        snprintf(e.msg_id, sizeof(e.msg_id), "t-%s-%d", a->ori, i);
        uint64_t idx;
        struct dg_error err;
        assert_int_equal(dg_audit_append_entry(log, &e, &idx, &err), 0);
    }
}

/* Day 1 (2026-11-25): 50 sheriff DQ, 30 city RQ, 20 trooper DQ, 10 ICE DQ for
 * immigration with an administrative warrant, 5 FBI DQ with a judge's
 * warrant, 5 FBI DQ without, 3 IQ from an unspecified agency: 123 allowed.
 * Day 2: 7 more ICE DQ. A review entry too (not a query). */
static int setup(void **state)
{
    (void)state;
    snprintf(logdir, sizeof(logdir), "%s/dg-sim-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(logdir));
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 4096);
    dg_buf_init(&vk, 4096);
    struct dg_error e;
    assert_int_equal(dg_note_keygen("sim.test/log", &sk, &vk, &e), 0);
    struct dg_note_signer *signer = NULL;
    assert_int_equal(dg_note_signer_parse(sk.data, sk.len, &signer, &e), 0);
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = logdir;
    o.signer = signer;
    o.flags = DG_AUDIT_CREATE;
    struct dg_audit_log *log = NULL;
    assert_int_equal(dg_audit_open(&o, &log, &e), 0);
    struct dg_policy *quo = compile("policy \"status quo\" state CO\ndefault allow\n");
    int64_t t = T0 + 600;
    append(log, quo, &sheriff, DG_KEY_DQ, DG_PUR_CRIMINAL_JUSTICE, DG_LEG_NONE, 50, t);
    append(log, quo, &city, DG_KEY_RQ, DG_PUR_TRAFFIC, DG_LEG_NONE, 30, t + 100);
    append(log, quo, &trooper, DG_KEY_DQ, DG_PUR_TRAFFIC, DG_LEG_NONE, 20, t + 200);
    append(log, quo, &ice, DG_KEY_DQ, DG_PUR_IMMIGRATION, DG_LEG_ADMIN_WARRANT, 10, t + 300);
    append(log, quo, &fbi, DG_KEY_DQ, DG_PUR_CRIMINAL_JUSTICE, DG_LEG_JUDICIAL_WARRANT, 5, t + 400);
    append(log, quo, &fbi, DG_KEY_DQ, DG_PUR_CRIMINAL_JUSTICE, DG_LEG_NONE, 5, t + 500);
    append(log, quo, &nobody, DG_KEY_IQ, DG_PUR_CRIMINAL_JUSTICE, DG_LEG_NONE, 3, t + 600);
    struct dg_audit_entry rv;
    dg_audit_entry_init(&rv, DG_AUDIT_REVIEW);
    rv.action = DG_ACTION_LOGIN;
    snprintf(rv.reviewer, sizeof(rv.reviewer), "reviewer1");
    uint64_t idx;
    assert_int_equal(dg_audit_append_entry(log, &rv, &idx, &e), 0);
    append(log, quo, &ice, DG_KEY_DQ, DG_PUR_IMMIGRATION, DG_LEG_ADMIN_WARRANT, 7, t + 86400);
    assert_int_equal(dg_audit_close(log), 0);
    dg_policy_free(quo);
    dg_note_signer_free(signer);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", logdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char draft_text[] =
    "policy \"draft\" state CO\n"
    "ice: deny \"civil immigration enforcement\"\n"
    "    when requester.component in [ICE-ERO] or purpose == immigration\n"
    "review \"federal requests need a judicial warrant\"\n"
    "    when requester.level == federal and legal_process != judicial_warrant\n"
    "review \"unidentified agency\" when requester.category == unspecified\n"
    "default allow\n";

static void run(const char *from, const char *to, const struct dg_policy *draft,
                const struct dg_policy *current, struct dg_sim_result *r)
{
    struct dg_sim_options o = {
        .audit_dir = logdir, .from = from, .to = to, .draft = draft, .current = current};
    struct dg_error e;
    int rc = dg_sim_run(&o, r, &e);
    if (rc)
        fail_msg("simulate: %s", e.msg);
}

static void draft_changes_only_what_it_should(void **state)
{
    (void)state;
    struct dg_policy *draft = compile(draft_text);
    struct dg_sim_result r;
    run(NULL, NULL, draft, NULL, &r);
    assert_int_equal(r.entries, 131); /* 130 queries and one review entry */
    assert_int_equal(r.queries, 130);
    assert_int_equal(r.replayed, 130);
    assert_int_equal(r.all.n[DG_SIM_ALLOW][DG_SIM_ALLOW], 105);
    assert_int_equal(r.all.n[DG_SIM_ALLOW][DG_SIM_DENY], 17);
    assert_int_equal(r.all.n[DG_SIM_ALLOW][DG_SIM_REVIEW], 8);
    assert_int_equal(r.changed, 25);
    /* not one local or state police query is touched */
    assert_int_equal(r.police, 100);
    assert_int_equal(r.police_changed, 0);
    assert_int_equal(r.police_restricted, 0);
    assert_int_equal(r.by_category[DG_CAT_SHERIFF].n[DG_SIM_ALLOW][DG_SIM_ALLOW], 50);
    assert_int_equal(r.by_category[DG_CAT_FEDERAL_LE].n[DG_SIM_ALLOW][DG_SIM_DENY], 17);
    assert_int_equal(r.by_category[DG_CAT_FEDERAL_LE].n[DG_SIM_ALLOW][DG_SIM_REVIEW], 5);
    assert_int_equal(r.by_category[DG_CAT_FEDERAL_LE].n[DG_SIM_ALLOW][DG_SIM_ALLOW], 5);
    assert_int_equal(r.by_category[DG_CAT_UNSPECIFIED].n[DG_SIM_ALLOW][DG_SIM_REVIEW], 3);
    assert_int_equal(r.by_level[DG_LEVEL_STATE].n[DG_SIM_ALLOW][DG_SIM_ALLOW], 20);
    assert_int_equal(r.by_key[DG_KEY_IQ].n[DG_SIM_ALLOW][DG_SIM_REVIEW], 3);
    assert_int_equal(r.by_key[DG_KEY_RQ].n[DG_SIM_ALLOW][DG_SIM_ALLOW], 30);
    /* by the draft's rule: 0 ice, 1 warrant, 2 unidentified, 3 default */
    assert_int_equal(r.nrules, 4);
    assert_int_equal(r.by_rule[0].n[DG_SIM_ALLOW][DG_SIM_DENY], 17);
    assert_int_equal(r.by_rule[1].n[DG_SIM_ALLOW][DG_SIM_REVIEW], 5);
    assert_int_equal(r.by_rule[2].n[DG_SIM_ALLOW][DG_SIM_REVIEW], 3);
    assert_int_equal(r.by_rule[3].n[DG_SIM_ALLOW][DG_SIM_ALLOW], 105);
    /* by the rule recorded: everything was the status quo's default */
    assert_int_equal(r.nbefore, 1);
    assert_string_equal(r.before_rule[0], "default");
    /* the most affected agencies */
    assert_true(r.ntop >= 3);
    assert_string_equal(r.top[0].ori, "DCICE0100");
    assert_int_equal(r.top[0].changed, 17);
    assert_int_equal(r.top[0].restricted, 17);
    assert_string_equal(r.top[1].ori, "DCFBI0100");
    assert_int_equal(r.top[1].queries, 10);
    assert_int_equal(r.top[1].changed, 5);
    assert_int_equal(r.agencies_affected, 3);
    assert_string_equal(r.first, "2026-11-25T08");
    assert_string_equal(r.last, "2026-11-26T08");

    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    assert_int_equal(dg_sim_text(&r, draft, &b), 0);
    assert_non_null(strstr(b.data, "outcome would change for 25 queries"));
    assert_non_null(strstr(b.data, "100 queries, 0 would change"));
    assert_non_null(strstr(b.data, "DCICE0100"));
    dg_buf_reset(&b);
    assert_int_equal(dg_sim_json(&r, draft, &b), 0);
    cJSON *j = cJSON_Parse(b.data);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(j, "changed")->valueint, 25);
    cJSON *police = cJSON_GetObjectItem(j, "police");
    assert_int_equal(cJSON_GetObjectItem(police, "queries")->valueint, 100);
    cJSON *all = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "all"), "transitions");
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(all, 0), 1)->valueint, 17);
    cJSON *rules = cJSON_GetObjectItem(j, "by_rule");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 0), "name")->valuestring,
                        "ice");
    cJSON_Delete(j);
    dg_buf_release(&b);
    dg_sim_result_release(&r);
    dg_policy_free(draft);
}

static void ranges_and_current_policy(void **state)
{
    (void)state;
    struct dg_policy *draft = compile(draft_text);
    struct dg_sim_result r;
    run("2026-11-26", "2026-11-26", draft, NULL, &r);
    assert_int_equal(r.queries, 7);
    assert_int_equal(r.all.n[DG_SIM_ALLOW][DG_SIM_DENY], 7);
    dg_sim_result_release(&r);
    run("2026-11-24", "2026-11-25", draft, NULL, &r);
    assert_int_equal(r.queries, 123);
    dg_sim_result_release(&r);
    run("2026-11-27", NULL, draft, NULL, &r);
    assert_int_equal(r.queries, 0);
    assert_int_equal(r.ntop, 0);
    dg_sim_result_release(&r);
    /* against itself nothing changes */
    run(NULL, NULL, draft, draft, &r);
    assert_int_equal(r.changed, 0);
    assert_int_equal(r.all.n[DG_SIM_DENY][DG_SIM_DENY], 17);
    assert_int_equal(r.nbefore, 4);
    dg_sim_result_release(&r);

    struct dg_sim_options o = {.audit_dir = logdir, .from = "2026-13-01", .draft = draft};
    struct dg_error e;
    assert_int_equal(dg_sim_run(&o, &r, &e), DG_EINVAL);
    assert_string_equal(e.field, "from");
    o.from = "2026-11-26";
    o.to = "2026-11-25";
    assert_int_equal(dg_sim_run(&o, &r, &e), DG_EINVAL);
    o.from = o.to = NULL;
    o.audit_dir = "/nonexistent/dmvgate-log";
    assert_true(dg_sim_run(&o, &r, &e) < 0);
    dg_policy_free(draft);
}

static void record_rules_and_volume(void **state)
{
    (void)state;
    /* a rule on the record cannot be replayed: undecided */
    struct dg_policy *p = compile("policy \"record\" state CO\n"
                                  "deny \"flag\" when record.lawful_presence_flag and "
                                  "requester.level == federal\n"
                                  "default allow\n");
    struct dg_sim_result r;
    run(NULL, NULL, p, NULL, &r);
    assert_int_equal(r.all.n[DG_SIM_ALLOW][DG_SIM_UNDECIDED], 27);
    assert_int_equal(r.by_rule[r.nrules].n[DG_SIM_ALLOW][DG_SIM_UNDECIDED], 27);
    dg_sim_result_release(&r);
    dg_policy_free(p);
    /* the requester's volume is recomputed: the sheriff's 50 in ten minutes */
    p = compile("policy \"brake\" state CO\n"
                "review \"bulk\" when requester.queries_last_hour > 40\n"
                "default allow\n");
    run(NULL, NULL, p, NULL, &r);
    assert_int_equal(r.by_category[DG_CAT_SHERIFF].n[DG_SIM_ALLOW][DG_SIM_REVIEW], 10);
    assert_int_equal(r.police_restricted, 10);
    assert_int_equal(r.changed, 10);
    dg_sim_result_release(&r);
    dg_policy_free(p);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    dg_log_set_level(DG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(draft_changes_only_what_it_should),
        cmocka_unit_test(ranges_and_current_policy),
        cmocka_unit_test(record_rules_and_volume),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
