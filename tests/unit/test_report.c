/*
 * test_report.c - unit tests for lib/report: the tables built from known
 * traffic, the public form's small-count suppression (the rules on hand-made
 * tables, then invariants over many random ones), the three renderings, the
 * audit-entry mapping and date checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/audit.h>
#include <dmvgate/report.h>
#include <dmvgate/stats.h>
#include <dmvgate/store.h>

#include <cjson/cJSON.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 2026-11-25T08:00:00Z; the tests run in UTC. */
#define T0 1795593600

static const struct dg_agency sheriff = {.ori = "CO0010000",
                                         .state = "CO",
                                         .name = "ADAMS COUNTY SHERIFF",
                                         .level = DG_LEVEL_LOCAL,
                                         .category = DG_CAT_SHERIFF};
static const struct dg_agency ice = {.ori = "DCICE0100",
                                     .state = "DC",
                                     .name = "ICE ERO DENVER",
                                     .level = DG_LEVEL_FEDERAL,
                                     .department = "DHS",
                                     .component = "ICE-ERO",
                                     .category = DG_CAT_FEDERAL_LE};
static const struct dg_agency trooper = {.ori = "CO0300000",
                                         .state = "CO",
                                         .name = "COLORADO STATE PATROL",
                                         .level = DG_LEVEL_STATE,
                                         .category = DG_CAT_STATE_POLICE};
static const struct dg_agency nobody = {.ori = "CO0990000",
                                        .state = "CO",
                                        .name = "UNKNOWN UNIT",
                                        .level = DG_LEVEL_UNSPECIFIED,
                                        .category = DG_CAT_UNSPECIFIED};

static void count_n(struct dg_stats *s, const struct dg_agency *a, int n, enum dg_key key,
                    enum dg_stats_decision dec, const char *rule, bool name, bool photo)
{
    struct dg_stats_event ev;
    dg_stats_event_init(&ev, a);
    ev.key = key;
    ev.decision = dec;
    ev.rule = rule;
    ev.name_search = name;
    ev.photo = photo;
    ev.dest = "CO";
    if (a == &ice)
        ev.purpose = DG_PUR_IMMIGRATION, ev.leg = DG_LEG_ADMIN_WARRANT;
    for (int i = 0; i < n; i++)
        dg_stats_count(s, &ev);
}

/* Two days of known traffic in a fresh in-memory store. */
static struct dg_store *known_store(void)
{
    struct dg_store *st = NULL;
    struct dg_error e;
    assert_int_equal(dg_store_open(":memory:", DG_STORE_CREATE, &st, &e), 0);
    assert_int_equal(dg_store_put_agency(st, &sheriff, &e), 0);
    struct dg_stats_options o;
    dg_stats_options_init(&o);
    o.store = st;
    o.flush_ms = 0;
    struct dg_stats *s = NULL;
    assert_int_equal(dg_stats_open(&o, &s, &e), 0);
    /* day 1 */
    count_n(s, &sheriff, 400, DG_KEY_DQ, DG_STATS_ALLOW, "default", false, false);
    count_n(s, &sheriff, 40, DG_KEY_DQ, DG_STATS_ALLOW, "default", true, false);
    count_n(s, &trooper, 300, DG_KEY_RQ, DG_STATS_ALLOW, "default", false, false);
    count_n(s, &ice, 25, DG_KEY_IQ, DG_STATS_DENY, "ice <block>", false, true);
    count_n(s, &nobody, 3, DG_KEY_DQ, DG_STATS_REVIEW, "unidentified agency", false, false);
    assert_int_equal(dg_stats_flush_at(s, T0, &e), 0);
    /* day 2 */
    count_n(s, &sheriff, 200, DG_KEY_DQ, DG_STATS_ALLOW, "default", false, false);
    count_n(s, &ice, 4, DG_KEY_DQ, DG_STATS_DENY, "ice <block>", false, false);
    assert_int_equal(dg_stats_flush_at(s, T0 + 86400, &e), 0);
    assert_int_equal(dg_stats_close(s, &e), 0);
    return st;
}

static int row_of(const struct dg_report_table *t, const char *label)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(t->row_label[r], label) == 0)
            return (int)r;
    fail_msg("no row '%s' in %s", label, t->name);
    return -1;
}

static uint64_t cell(const struct dg_report_table *t, const char *row, const char *col)
{
    int r = row_of(t, row);
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->col_label[c], col) == 0)
            return t->v[(size_t)r * t->ncols + c];
    fail_msg("no column '%s' in %s", col, t->name);
    return 0;
}

static struct dg_report *build(struct dg_store *st, const char *from, const char *to, bool pub)
{
    struct dg_report_options o;
    dg_report_options_init(&o);
    o.from = from;
    o.to = to;
    o.public_form = pub;
    o.title = "Colorado <test>";
    struct dg_report *r = NULL;
    struct dg_error e;
    int rc = dg_report_build(st, &o, &r, &e);
    if (rc)
        fail_msg("build: %s", e.msg);
    return r;
}

static void tables_from_known_traffic(void **state)
{
    (void)state;
    struct dg_store *st = known_store();
    struct dg_report *r = build(st, "2026-11-25", "2026-11-26", false);
    const struct dg_report_table *t = dg_report_table(r, "by_category");
    assert_non_null(t);
    assert_int_equal(t->total, 972);
    assert_int_equal(cell(t, "sheriff", "allow"), 640);
    assert_int_equal(cell(t, "federal_le", "deny"), 29);
    assert_int_equal(cell(t, "unspecified", "review"), 3);
    assert_int_equal(cell(t, "court", "allow"), 0);
    assert_int_equal(t->nrows, DG_CAT__COUNT);

    t = dg_report_table(r, "by_key");
    assert_int_equal(cell(t, "photo (IQ)", "deny"), 25);
    assert_int_equal(cell(t, "driver (DQ)", "allow"), 640);
    t = dg_report_table(r, "category_key");
    assert_int_equal(cell(t, "state_police", "registration (RQ)"), 300);
    t = dg_report_table(r, "by_purpose");
    assert_int_equal(cell(t, "immigration", "deny"), 29);
    t = dg_report_table(r, "by_legal_process");
    assert_int_equal(cell(t, "administrative_warrant", "deny"), 29);
    t = dg_report_table(r, "photo_by_category");
    assert_int_equal(t->total, 25);
    t = dg_report_table(r, "name_search_by_category");
    assert_int_equal(cell(t, "sheriff", "allow"), 40);
    assert_int_equal(t->total, 40);
    t = dg_report_table(r, "by_level");
    assert_int_equal(cell(t, "federal", "deny"), 29);
    assert_int_equal(cell(t, "state", "allow"), 300);
    t = dg_report_table(r, "by_component");
    assert_int_equal(cell(t, "DHS/ICE-ERO", "deny"), 29);
    assert_int_equal(row_of(t, "(none)"), 0); /* sorted, largest first */
    t = dg_report_table(r, "by_rule");
    assert_int_equal(cell(t, "ice <block>", "deny"), 29);
    assert_int_equal(cell(t, "default", "allow"), 940);
    t = dg_report_table(r, "by_destination");
    assert_int_equal(cell(t, "CO", "allow"), 940);
    t = dg_report_table(r, "top_agencies");
    assert_int_equal(row_of(t, "CO0010000"), 0);
    assert_string_equal(t->row_note[0], "ADAMS COUNTY SHERIFF (sheriff, local)");
    assert_int_equal(cell(t, "CO0990000", "review"), 3);
    assert_int_equal(t->total, 972);
    t = dg_report_table(r, "series");
    assert_int_equal(r->series_gran, 'h');
    assert_int_equal(t->nrows, 48);
    assert_int_equal(cell(t, "2026-11-25T08", "allow"), 740);
    assert_int_equal(cell(t, "2026-11-26T08", "deny"), 4);
    assert_int_equal(cell(t, "2026-11-26T09", "deny"), 0);
    /* alerts: the sheriff's 440 and the trooper's 300 in an hour, 25 photos */
    assert_true(r->nalerts >= 3);
    assert_true(r->alerts_by_kind[DG_ALERT_VOLUME] >= 2);
    assert_int_equal(r->alerts_by_kind[DG_ALERT_PHOTOS], 1);
    dg_report_free(r);

    /* a single day; a week gives a daily series */
    r = build(st, "2026-11-26", "2026-11-26", false);
    assert_int_equal(dg_report_table(r, "by_category")->total, 204);
    dg_report_free(r);
    r = build(st, "2026-11-20", "2026-11-26", false);
    t = dg_report_table(r, "series");
    assert_int_equal(r->series_gran, 'd');
    assert_int_equal(t->nrows, 7);
    assert_int_equal(cell(t, "2026-11-25", "allow"), 740);
    assert_int_equal(cell(t, "2026-11-20", "allow"), 0);
    dg_report_free(r);
    dg_store_close(st);
}

/* ---- suppression -------------------------------------------------------------------- */

/* Every line of every table has no suppressed count or at least two;
 * every count 1..k-1 is suppressed; returns the number suppressed. */
static size_t check_invariants(const struct dg_report *r, unsigned k)
{
    size_t hidden = 0;
    for (size_t i = 0; i < r->ntables; i++) {
        const struct dg_report_table *t = &r->tables[i];
        size_t nc = t->ncols;
        for (size_t row = 0; row < t->nrows; row++) {
            int n = t->row_st[row] != DG_CELL_SHOWN;
            for (size_t c = 0; c < nc; c++) {
                uint64_t v = t->v[row * nc + c];
                uint8_t s = t->st[row * nc + c];
                if (v > 0 && v < k)
                    assert_int_equal(s, DG_CELL_SMALL);
                n += s != DG_CELL_SHOWN;
                hidden += s != DG_CELL_SHOWN;
            }
            if (n == 1)
                fail_msg("%s row %s has one suppressed count", t->name, t->row_label[row]);
        }
        for (size_t c = 0; c < nc; c++) {
            int n = t->col_st[c] != DG_CELL_SHOWN;
            for (size_t row = 0; row < t->nrows; row++)
                n += t->st[row * nc + c] != DG_CELL_SHOWN;
            if (n == 1)
                fail_msg("%s column %s has one suppressed count", t->name, t->col_label[c]);
        }
        int n = t->total_st != DG_CELL_SHOWN;
        for (size_t c = 0; c < nc; c++)
            n += t->col_st[c] != DG_CELL_SHOWN;
        if (n == 1)
            fail_msg("%s: one suppressed among the column totals", t->name);
        n = t->total_st != DG_CELL_SHOWN;
        for (size_t row = 0; row < t->nrows; row++)
            n += t->row_st[row] != DG_CELL_SHOWN;
        if (n == 1)
            fail_msg("%s: one suppressed among the row totals", t->name);
    }
    return hidden;
}

static struct dg_report_table *add(struct dg_report *r, const char *name, const char *row_dim,
                                   const char *scope, size_t nrows, const char *const *rows,
                                   const uint64_t *v)
{
    static const char *const cols[] = {"allow", "deny", "review"};
    r->tables = dg_realloc(r->tables, (r->ntables + 1) * sizeof(*r->tables));
    assert_non_null(r->tables);
    struct dg_report_table *dst = &r->tables[r->ntables++];
    memset(dst, 0, sizeof(*dst));
    snprintf(dst->name, sizeof(dst->name), "%s", name);
    snprintf(dst->row_dim, sizeof(dst->row_dim), "%s", row_dim);
    snprintf(dst->col_dim, sizeof(dst->col_dim), "decision");
    snprintf(dst->scope, sizeof(dst->scope), "%s", scope);
    dst->nrows = nrows;
    dst->ncols = 3;
    dst->row_label = dg_calloc(nrows, sizeof(*dst->row_label));
    dst->row_note = dg_calloc(nrows, sizeof(*dst->row_note));
    dst->col_label = dg_calloc(3, sizeof(*dst->col_label));
    dst->v = dg_calloc(nrows * 3, sizeof(*dst->v));
    dst->st = dg_calloc(nrows * 3, 1);
    dst->row_total = dg_calloc(nrows, sizeof(*dst->row_total));
    dst->row_st = dg_calloc(nrows, 1);
    dst->col_total = dg_calloc(3, sizeof(*dst->col_total));
    dst->col_st = dg_calloc(3, 1);
    dst->cap_rows = nrows;
    for (size_t c = 0; c < 3; c++)
        snprintf(dst->col_label[c], sizeof(dst->col_label[c]), "%s", cols[c]);
    dst->total = 0;
    for (size_t i = 0; i < nrows; i++) {
        snprintf(dst->row_label[i], sizeof(dst->row_label[i]), "%s", rows[i]);
        for (size_t c = 0; c < 3; c++) {
            dst->v[i * 3 + c] = v[i * 3 + c];
            dst->row_total[i] += v[i * 3 + c];
            dst->col_total[c] += v[i * 3 + c];
            dst->total += v[i * 3 + c];
        }
    }
    return dst;
}

static struct dg_report *empty_report(void)
{
    struct dg_report *r = dg_calloc(1, sizeof(*r));
    assert_non_null(r);
    r->threshold = 10;
    r->public_form = true;
    return r;
}

static void suppression_rules(void **state)
{
    (void)state;
    struct dg_report *r = empty_report();
    static const char *const cats[] = {"sheriff", "municipal_police", "federal_le"};
    /* federal_le deny 3: primary. Its row needs a second: review 20 is the
     * smallest non-zero cell left (not allow 500). The deny column then has
     * one (the 3) and gets the smallest non-zero of its others: 15. */
    const uint64_t v[] = {
        900, 15, 40, /* sheriff */
        700, 30, 0,  /* municipal_police */
        500, 3,  20, /* federal_le */
    };
    struct dg_report_table *t = add(r, "by_category", "category", "all", 3, cats, v);
    assert_int_equal(dg_report_suppress(r, 10), 0);
    assert_int_equal(t->st[2 * 3 + 1], DG_CELL_SMALL);
    assert_int_equal(t->st[2 * 3 + 2], DG_CELL_HIDDEN);
    assert_int_equal(t->st[0 * 3 + 1], DG_CELL_HIDDEN);
    assert_int_equal(t->st[2 * 3 + 0], DG_CELL_SHOWN);
    check_invariants(r, 10);
    /* nothing shown lets the 3 be worked out: the totals stay, the cells
     * around it are hidden in pairs */
    assert_int_equal(t->row_st[2], DG_CELL_SHOWN);
    dg_report_free(r);

    /* A total below the threshold is suppressed too, and a total hidden in
     * one table is hidden in another that shares it. */
    r = empty_report();
    static const char *const two[] = {"sheriff", "tribal_police"};
    const uint64_t a[] = {400, 10, 10, 4, 2, 0};
    const uint64_t b[] = {398, 12, 10, 6, 0, 0}; /* the same totals, split otherwise */
    add(r, "by_category", "category", "all", 2, two, a);
    add(r, "by_category_2", "category", "all", 2, two, b);
    /* (add reallocates the table list: take the pointers once both are in) */
    struct dg_report_table *ta = &r->tables[0], *tb = &r->tables[1];
    assert_int_equal(dg_report_suppress(r, 10), 0);
    assert_int_equal(ta->row_st[1], DG_CELL_SMALL); /* 6 */
    assert_int_equal(tb->row_st[1], DG_CELL_SMALL);
    assert_int_equal(tb->st[1 * 3 + 0], DG_CELL_SMALL);
    check_invariants(r, 10);
    /* the same label in another scope is another total */
    dg_report_free(r);

    /* The same labels over other requests (another scope) are other totals:
     * suppression in the photo table leaves the other alone. */
    r = empty_report();
    const uint64_t c1[] = {400, 10, 10, 50, 12, 0};
    const uint64_t c2[] = {40, 10, 10, 50, 3, 0};
    add(r, "t1", "category", "all", 2, two, c1);
    add(r, "t2", "category", "photo", 2, two, c2);
    ta = &r->tables[0];
    tb = &r->tables[1];
    assert_int_equal(dg_report_suppress(r, 10), 0);
    check_invariants(r, 10);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(ta->st[i], DG_CELL_SHOWN);
    assert_int_equal(tb->st[4], DG_CELL_SMALL);
    dg_report_free(r);
}

static uint64_t rng = 0x1234567u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void suppression_invariants_random(void **state)
{
    (void)state;
    static const char *const rows[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    size_t total_hidden = 0;
    for (int round = 0; round < 300; round++) {
        struct dg_report *r = empty_report();
        int ntables = 1 + (int)(next() % 3);
        for (int k = 0; k < ntables; k++) {
            size_t nrows = 1 + next() % 8;
            uint64_t v[8 * 3];
            for (size_t i = 0; i < nrows * 3; i++) {
                unsigned x = (unsigned)(next() % 10);
                v[i] = x < 3 ? 0 : x < 6 ? 1 + next() % 9 : 10 + next() % 500;
            }
            char name[16];
            snprintf(name, sizeof(name), "t%d", k);
            /* tables 0 and 1 share a scope and a row dimension: shared totals */
            add(r, name, "category", k < 2 ? "all" : "other", nrows, rows, v);
        }
        unsigned thr = 2 + (unsigned)(next() % 15);
        assert_int_equal(dg_report_suppress(r, thr), 0);
        total_hidden += check_invariants(r, thr);
        /* shared totals agree: a row label in both t0 and t1 is hidden in both or neither */
        if (r->ntables >= 2)
            for (size_t i = 0; i < r->tables[0].nrows && i < r->tables[1].nrows; i++)
                assert_int_equal(r->tables[0].row_st[i] != DG_CELL_SHOWN,
                                 r->tables[1].row_st[i] != DG_CELL_SHOWN);
        dg_report_free(r);
    }
    assert_true(total_hidden > 100);
}

static void public_report_suppresses(void **state)
{
    (void)state;
    struct dg_store *st = known_store();
    struct dg_report *r = build(st, "2026-11-25", "2026-11-26", true);
    check_invariants(r, 10);
    const struct dg_report_table *t = dg_report_table(r, "by_category");
    int u = row_of(t, "unspecified");
    assert_int_equal(t->row_st[u], DG_CELL_SMALL); /* 3 reviews */
    /* agencies below the threshold are not listed one by one */
    t = dg_report_table(r, "top_agencies");
    for (size_t i = 0; i < t->nrows; i++)
        assert_string_not_equal(t->row_label[i], "CO0990000");
    assert_non_null(strstr(t->row_label[t->nrows - 1], "all other agencies (1)"));
    assert_true(r->suppressed_small > 0);
    assert_int_equal(r->nalerts, 0); /* only their number by kind */
    assert_true(r->alerts_by_kind[DG_ALERT_VOLUME] >= 2);

    struct dg_buf b;
    dg_buf_init(&b, 1 << 24);
    assert_int_equal(dg_report_csv(r, &b), 0);
    assert_non_null(strstr(b.data, "table,row_dim,row,col_dim,column,value\n"));
    assert_non_null(strstr(b.data, "by_category,category,unspecified,decision,review,<10\n"));
    assert_non_null(strstr(b.data, "meta,,form,,,public\n"));
    /* no count from 1 to 9 anywhere */
    for (char *line = strtok(b.data, "\n"); line; line = strtok(NULL, "\n")) {
        const char *val = strrchr(line, ',') + 1;
        if (strncmp(line, "meta,", 5) == 0 || strncmp(line, "alerts,", 7) == 0)
            continue;
        if (val[0] >= '1' && val[0] <= '9' && val[1] == '\0')
            fail_msg("a small count shows: %s", line);
    }
    dg_buf_reset(&b);
    assert_int_equal(dg_report_json(r, &b), 0);
    cJSON *j = cJSON_Parse(b.data);
    assert_non_null(j);
    cJSON *meta = cJSON_GetObjectItem(j, "meta");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(meta, "public")));
    assert_int_equal(cJSON_GetObjectItem(meta, "threshold")->valueint, 10);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(meta, "unspecified_share")));
    assert_null(cJSON_GetObjectItem(j, "alerts"));
    cJSON *tables = cJSON_GetObjectItem(j, "tables");
    assert_int_equal(cJSON_GetArraySize(tables), (int)r->ntables);
    cJSON_Delete(j);
    dg_buf_reset(&b);
    assert_int_equal(dg_report_html(r, &b), 0);
    assert_non_null(strstr(b.data, "<title>Colorado &lt;test&gt;</title>"));
    assert_non_null(strstr(b.data, "ice &lt;block&gt;"));
    assert_null(strstr(b.data, "<script"));
    dg_buf_release(&b);
    dg_report_free(r);

    /* internal form: exact counts, the alerts listed, the share computed */
    r = build(st, "2026-11-25", "2026-11-26", false);
    dg_buf_init(&b, 1 << 24);
    assert_int_equal(dg_report_json(r, &b), 0);
    j = cJSON_Parse(b.data);
    assert_non_null(j);
    meta = cJSON_GetObjectItem(j, "meta");
    double share = cJSON_GetObjectItem(meta, "unspecified_share")->valuedouble;
    assert_true(share > 0.0030 && share < 0.0032); /* 3 / 972 */
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "alerts")) >= 3);
    cJSON_Delete(j);
    dg_buf_release(&b);
    dg_report_free(r);
    dg_store_close(st);
}

static void bad_options(void **state)
{
    (void)state;
    struct dg_store *st = NULL;
    struct dg_error e;
    assert_int_equal(dg_store_open(":memory:", DG_STORE_CREATE, &st, &e), 0);
    struct dg_report_options o;
    dg_report_options_init(&o);
    struct dg_report *r = NULL;
    o.from = "2026-11-31";
    o.to = "2026-12-01";
    assert_int_equal(dg_report_build(st, &o, &r, &e), DG_EINVAL);
    assert_string_equal(e.field, "from");
    o.from = "2026-12-02";
    assert_int_equal(dg_report_build(st, &o, &r, &e), DG_EINVAL);
    assert_string_equal(e.field, "to");
    o.from = "2026-12-01";
    assert_int_equal(dg_report_build(st, &o, &r, &e), DG_ENOSTATS);
    o.public_form = true;
    o.threshold = 1;
    assert_int_equal(dg_report_build(st, &o, &r, &e), DG_EINVAL);
    assert_null(r);
    int64_t t;
    assert_int_equal(dg_report_parse_day("2026-02-29", &t), DG_EINVAL);
    assert_int_equal(dg_report_parse_day("2028-02-29", &t), 0);
    assert_int_equal(dg_report_parse_day("2026-1-01", &t), DG_EINVAL);
    assert_int_equal(dg_report_parse_day("2026-11-25", &t), 0);
    assert_int_equal(t, T0 - 8 * 3600);
    dg_store_close(st);
}

static void event_from_audit_entry(void **state)
{
    (void)state;
    struct dg_audit_entry e;
    dg_audit_entry_init(&e, DG_AUDIT_QUERY);
    snprintf(e.req.ori, sizeof(e.req.ori), "DCICE0100");
    e.req.level = DG_LEVEL_FEDERAL;
    e.req.category = DG_CAT_FEDERAL_LE;
    snprintf(e.req.department, sizeof(e.req.department), "DHS");
    snprintf(e.req.component, sizeof(e.req.component), "ICE-ERO");
    e.key = DG_KEY_DQ;
    snprintf(e.dest, sizeof(e.dest), "CO");
    e.purpose = DG_PUR_IMMIGRATION;
    e.leg = DG_LEG_ADMIN_WARRANT;
    e.decision = DG_DECISION_REVIEW;
    snprintf(e.rule, sizeof(e.rule), "warrant");
    e.nids = 2;
    snprintf(e.ids[0].tag, sizeof(e.ids[0].tag), "NAM");
    snprintf(e.ids[1].tag, sizeof(e.ids[1].tag), "DOB");
    e.fields_asked = DG_FIELD_NAME | DG_FIELD_PHOTO;
    struct dg_stats_event ev;
    assert_int_equal(dg_report_event_from_audit(&e, &ev), 0);
    assert_string_equal(ev.ori, "DCICE0100");
    assert_string_equal(ev.component, "ICE-ERO");
    assert_int_equal(ev.decision, DG_STATS_REVIEW);
    assert_true(ev.name_search);
    assert_true(ev.photo);
    assert_string_equal(ev.rule, "warrant");
    snprintf(e.ids[1].tag, sizeof(e.ids[1].tag), "OLN");
    assert_int_equal(dg_report_event_from_audit(&e, &ev), 0);
    assert_false(ev.name_search);
    e.decision = DG_DECISION_NONE;
    assert_int_equal(dg_report_event_from_audit(&e, &ev), DG_EINVAL);
    e.kind = DG_AUDIT_REVIEW;
    e.decision = DG_DECISION_ALLOW;
    assert_int_equal(dg_report_event_from_audit(&e, &ev), DG_EINVAL);
}

static void build_survives_allocation_failures(void **state)
{
    (void)state;
    struct dg_store *st = known_store();
    struct dg_report_options o;
    dg_report_options_init(&o);
    o.from = "2026-11-25";
    o.to = "2026-11-26";
    o.public_form = true;
    struct dg_report *r = NULL;
    struct dg_error e;
    dg_alloc_fail_at(ULONG_MAX);
    assert_int_equal(dg_report_build(st, &o, &r, &e), 0);
    dg_report_free(r);
    unsigned long n = dg_alloc_fail_at(0);
    /* every allocation of lib/report itself; SQLite's own allocations do
     * not go through dg_malloc */
    for (unsigned long i = 1; i <= n; i += (n > 400 ? n / 400 : 1)) {
        r = NULL;
        dg_alloc_fail_at(i);
        int rc = dg_report_build(st, &o, &r, &e);
        dg_alloc_fail_at(0);
        if (rc == 0)
            dg_report_free(r);
        else
            assert_null(r);
    }
    dg_store_close(st);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    dg_log_set_level(DG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_from_known_traffic),
        cmocka_unit_test(suppression_rules),
        cmocka_unit_test(suppression_invariants_random),
        cmocka_unit_test(public_report_suppresses),
        cmocka_unit_test(bad_options),
        cmocka_unit_test(event_from_audit_entry),
        cmocka_unit_test(build_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
