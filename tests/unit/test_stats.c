/*
 * test_stats.c - unit tests for lib/stats: counts against known traffic in
 * every table and granularity, hour attribution (and the slack after a
 * boundary), persistence across a reopen, exact totals from several counting
 * threads beside a flushing one, overflow of the name tables, the anomaly
 * alerts (and baselines that keep them quiet), /metrics lines, and
 * allocation failures while opening.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/msg.h>
#include <dmvgate/stats.h>
#include <dmvgate/store.h>

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* 2026-11-25T08:00:00Z; the tests run in UTC. */
#define T0 1795593600

static struct dg_store *open_store(const char *uri)
{
    struct dg_store *st = NULL;
    struct dg_error e;
    int rc = dg_store_open(uri, DG_STORE_CREATE, &st, &e);
    if (rc)
        fail_msg("open store: %s", e.msg);
    return st;
}

static struct dg_stats *open_stats(struct dg_store *st, void (*tweak)(struct dg_stats_options *))
{
    struct dg_stats_options o;
    dg_stats_options_init(&o);
    o.store = st;
    o.flush_ms = 0;
    if (tweak)
        tweak(&o);
    struct dg_stats *s = NULL;
    struct dg_error e;
    int rc = dg_stats_open(&o, &s, &e);
    if (rc)
        fail_msg("open stats: %s", e.msg);
    return s;
}

static int64_t q_int(struct dg_store *st, const char *sql)
{
    sqlite3_stmt *q;
    sqlite3 *db = dg_store_sqlite(st);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("prepare '%s': %s", sql, sqlite3_errmsg(db));
    int64_t v = -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_type(q, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static const struct dg_agency sheriff = {.ori = "CO0010000",
                                         .state = "CO",
                                         .name = "Adams County Sheriff",
                                         .level = DG_LEVEL_LOCAL,
                                         .category = DG_CAT_SHERIFF};
static const struct dg_agency ice = {.ori = "DCICE0100",
                                     .state = "DC",
                                     .name = "ICE ERO Denver",
                                     .level = DG_LEVEL_FEDERAL,
                                     .department = "DHS",
                                     .component = "ICE-ERO",
                                     .category = DG_CAT_FEDERAL_LE};
static const struct dg_agency trooper = {.ori = "CO0300000",
                                         .state = "CO",
                                         .name = "Colorado State Patrol",
                                         .level = DG_LEVEL_STATE,
                                         .category = DG_CAT_STATE_POLICE};

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
        ev.purpose = DG_PUR_IMMIGRATION;
    for (int i = 0; i < n; i++)
        dg_stats_count(s, &ev);
}

/* Known traffic: 30 sheriff DQ allowed, 5 of them by name; 12 trooper RQ
 * allowed; 7 ICE IQ denied; 3 ICE DQ held for review. 52 in all. */
static void known_traffic(struct dg_stats *s)
{
    count_n(s, &sheriff, 25, DG_KEY_DQ, DG_STATS_ALLOW, "default", false, false);
    count_n(s, &sheriff, 5, DG_KEY_DQ, DG_STATS_ALLOW, "default", true, false);
    count_n(s, &trooper, 12, DG_KEY_RQ, DG_STATS_ALLOW, "default", false, false);
    count_n(s, &ice, 7, DG_KEY_IQ, DG_STATS_DENY, "civil immigration enforcement", false, true);
    count_n(s, &ice, 3, DG_KEY_DQ, DG_STATS_REVIEW, "federal requests need a judicial warrant",
            false, false);
}

static void counts_match_known_traffic(void **state)
{
    (void)state;
    struct dg_store *st = open_store(":memory:");
    struct dg_stats *s = open_stats(st, NULL);
    known_traffic(s);
    struct dg_error e;
    assert_int_equal(dg_stats_flush_at(s, T0 + 600, &e), 0);

    for (const char *g = "hdm"; *g; g++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT SUM(n) FROM stats_flow WHERE gran = '%c'", *g);
        assert_int_equal(q_int(st, sql), 52);
    }
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='h' AND"
                               " period='2026-11-25T08' AND category='sheriff'"),
                     30);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='d' AND"
                               " period='2026-11-25' AND name_search=1"),
                     5);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='m' AND"
                               " period='2026-11' AND photo=1 AND key='IQ' AND decision='deny'"
                               " AND purpose='immigration' AND category='federal_le'"),
                     7);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='h' AND key='RQ'"
                               " AND leg='none' AND purpose='criminal_justice'"),
                     12);
    /* agencies */
    assert_int_equal(q_int(st, "SELECT dq FROM stats_agency WHERE gran='h' AND ori='CO0010000'"),
                     30);
    assert_int_equal(q_int(st, "SELECT name_search FROM stats_agency WHERE gran='d'"
                               " AND ori='CO0010000'"),
                     5);
    assert_int_equal(q_int(st, "SELECT iq + deny * 100 + review * 10000 + immigration * 1000000"
                               " FROM stats_agency WHERE gran='m' AND ori='DCICE0100'"),
                     7 + 700 + 30000 + 10000000);
    assert_int_equal(q_int(st, "SELECT COUNT(*) FROM stats_agency WHERE ori='DCICE0100'"
                               " AND department='DHS' AND component='ICE-ERO'"
                               " AND level='federal' AND category='federal_le'"),
                     3);
    /* dimensions */
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='rule'"
                               " AND value='civil immigration enforcement' AND decision='deny'"),
                     7);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='rule'"
                               " AND value='default'"),
                     42);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='dest'"
                               " AND value='CO'"),
                     52);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='level'"
                               " AND value='federal'"),
                     10);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='component'"
                               " AND value='DHS/ICE-ERO' AND key='DQ' AND decision='review'"),
                     3);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='component'"
                               " AND value='(none)'"),
                     42);

    struct dg_stats_info info;
    dg_stats_info(s, &info);
    assert_int_equal(info.counted, 52);
    assert_int_equal(info.agencies, 3);
    assert_int_equal(info.rules, 3);
    assert_int_equal(info.invalid, 0);

    /* A flush with nothing new writes nothing new. */
    assert_int_equal(dg_stats_flush_at(s, T0 + 700, &e), 0);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='h'"), 52);
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);
}

static void hours_days_and_slack(void **state)
{
    (void)state;
    struct dg_store *st = open_store(":memory:");
    struct dg_stats *s = open_stats(st, NULL);
    struct dg_error e;
    count_n(s, &sheriff, 4, DG_KEY_DQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush(s, T0 + 10, &e), 0);
    /* Counted late in the 08 hour, flushed one second into the 09 hour:
     * still the 08 hour. */
    count_n(s, &sheriff, 3, DG_KEY_DQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush(s, T0 + 3600 + 1, &e), 0);
    /* Then the 09 hour proper. */
    count_n(s, &sheriff, 2, DG_KEY_DQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush(s, T0 + 3600 + 30, &e), 0);
    /* And the next day. */
    count_n(s, &sheriff, 1, DG_KEY_DQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush(s, T0 + 86400, &e), 0);

    assert_int_equal(q_int(st, "SELECT n FROM stats_flow WHERE gran='h'"
                               " AND period='2026-11-25T08'"),
                     7);
    assert_int_equal(q_int(st, "SELECT n FROM stats_flow WHERE gran='h'"
                               " AND period='2026-11-25T09'"),
                     2);
    assert_int_equal(q_int(st, "SELECT n FROM stats_flow WHERE gran='d' AND period='2026-11-25'"),
                     9);
    assert_int_equal(q_int(st, "SELECT n FROM stats_flow WHERE gran='d' AND period='2026-11-26'"),
                     1);
    assert_int_equal(q_int(st, "SELECT n FROM stats_flow WHERE gran='m' AND period='2026-11'"), 10);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='m' AND dim='rule'"
                               " AND value='(none)'"),
                     10);
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);
}

static void hourly_rows_are_pruned(void **state)
{
    (void)state;
    struct dg_store *st = open_store(":memory:");
    struct dg_stats *s = open_stats(st, NULL);
    struct dg_error e;
    count_n(s, &sheriff, 4, DG_KEY_DQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush_at(s, T0, &e), 0);
    count_n(s, &sheriff, 1, DG_KEY_DQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush_at(s, T0 + 40 * 86400, &e), 0);
    assert_int_equal(q_int(st, "SELECT COUNT(*) FROM stats_flow WHERE gran='h'"), 1);
    assert_int_equal(q_int(st, "SELECT COUNT(*) FROM stats_flow WHERE gran='d'"), 2);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='m'"), 5);
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);
}

static void counts_survive_reopen(void **state)
{
    (void)state;
    char path[] = "/tmp/dg-test-stats-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct dg_store *st = open_store(path);
    struct dg_stats *s = open_stats(st, NULL);
    known_traffic(s);
    struct dg_error e;
    /* close flushes what is left, at the current time */
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);

    st = open_store(path);
    s = open_stats(st, NULL);
    known_traffic(s);
    assert_int_equal(dg_stats_close(s, &e), 0);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='m'"), 104);
    assert_int_equal(q_int(st, "SELECT SUM(dq) FROM stats_agency WHERE gran='m'"
                               " AND ori='CO0010000'"),
                     60);
    dg_store_close(st);
    unlink(path);
    char wal[64];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", path);
    unlink(wal);
}

/* ---- threads ------------------------------------------------------------------------ */

struct thread_arg {
    struct dg_stats *s;
    int n;
    const struct dg_agency *a;
};

static void *counter_thread(void *p)
{
    struct thread_arg *t = p;
    struct dg_stats_event ev;
    dg_stats_event_init(&ev, t->a);
    ev.rule = "default";
    for (int i = 0; i < t->n; i++) {
        ev.key = i % 3 == 0 ? DG_KEY_IQ : DG_KEY_DQ;
        ev.photo = ev.key == DG_KEY_IQ;
        dg_stats_count(t->s, &ev);
    }
    return NULL;
}

static _Atomic int stop_flushing;

static void *flusher_thread(void *p)
{
    struct dg_stats *s = p;
    struct dg_error e;
    while (!stop_flushing)
        dg_stats_flush_at(s, T0 + 60, &e);
    return NULL;
}

static void threads_count_exactly(void **state)
{
    (void)state;
    struct dg_store *st = open_store(":memory:");
    struct dg_stats *s = open_stats(st, NULL);
    enum { NT = 4, PER = 50000 };
    pthread_t th[NT], fl;
    struct thread_arg args[NT];
    const struct dg_agency *who[NT] = {&sheriff, &ice, &trooper, &sheriff};
    stop_flushing = 0;
    assert_int_equal(pthread_create(&fl, NULL, flusher_thread, s), 0);
    for (int i = 0; i < NT; i++) {
        args[i] = (struct thread_arg){s, PER, who[i]};
        assert_int_equal(pthread_create(&th[i], NULL, counter_thread, &args[i]), 0);
    }
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    stop_flushing = 1;
    pthread_join(fl, NULL);
    struct dg_error e;
    assert_int_equal(dg_stats_flush_at(s, T0 + 60, &e), 0);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='h'"), NT * PER);
    assert_int_equal(q_int(st, "SELECT SUM(dq + rq + iq) FROM stats_agency WHERE gran='h'"
                               " AND ori='CO0010000'"),
                     2 * PER);
    assert_int_equal(q_int(st, "SELECT SUM(photo) FROM stats_agency WHERE gran='d'"),
                     NT * ((PER + 2) / 3));
    struct dg_stats_info info;
    dg_stats_info(s, &info);
    assert_int_equal(info.counted, NT * PER);
    assert_true(info.threads >= NT);
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);
}

static void one_thread_max(struct dg_stats_options *o)
{
    o->max_threads = 1;
}

static void shared_shard_when_threads_exhausted(void **state)
{
    (void)state;
    struct dg_stats *s = open_stats(NULL, one_thread_max);
    enum { NT = 3, PER = 20000 };
    pthread_t th[NT];
    struct thread_arg args[NT];
    for (int i = 0; i < NT; i++) {
        args[i] = (struct thread_arg){s, PER, &trooper};
        assert_int_equal(pthread_create(&th[i], NULL, counter_thread, &args[i]), 0);
    }
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    struct dg_error e;
    assert_int_equal(dg_stats_flush_at(s, T0, &e), 0);
    struct dg_stats_info info;
    dg_stats_info(s, &info);
    assert_int_equal(info.counted, NT * PER);
    assert_int_equal(info.threads, 1);
    assert_int_equal(dg_stats_close(s, &e), 0);
}

/* ---- overflow and bad values -------------------------------------------------------- */

static void tiny_tables(struct dg_stats_options *o)
{
    o->max_agencies = 2;
    o->max_rules = 1;
}

static void tables_overflow_to_other(void **state)
{
    (void)state;
    struct dg_store *st = open_store(":memory:");
    struct dg_stats *s = open_stats(st, tiny_tables);
    count_n(s, &sheriff, 1, DG_KEY_DQ, DG_STATS_ALLOW, "a", false, false);
    count_n(s, &trooper, 2, DG_KEY_DQ, DG_STATS_ALLOW, "b", false, false);
    count_n(s, &ice, 4, DG_KEY_DQ, DG_STATS_ALLOW, "c", false, false);
    struct dg_stats_event ev;
    dg_stats_event_init(&ev, NULL);
    ev.ori = "not-an-ori";
    ev.category = (enum dg_category)99;
    ev.key = DG_KEY_ER;
    dg_stats_count(s, &ev);
    assert_int_equal(dg_stats_rule_id(s, "a"), 2);
    assert_int_equal(dg_stats_rule_id(s, "zzz"), DG_ENOSPC);
    assert_int_equal(dg_stats_rule_id(s, ""), 0);
    ev.ori = sheriff.ori;
    ev.category = DG_CAT_SHERIFF;
    ev.key = DG_KEY_DQ;
    ev.rule_id = 2;
    dg_stats_count(s, &ev);
    struct dg_error e;
    assert_int_equal(dg_stats_flush_at(s, T0, &e), 0);
    assert_int_equal(q_int(st, "SELECT dq FROM stats_agency WHERE gran='h' AND ori='(other)'"), 5);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='rule'"
                               " AND value='(other)'"),
                     6);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_dim WHERE gran='h' AND dim='rule'"
                               " AND value='a'"),
                     2);
    assert_int_equal(q_int(st, "SELECT SUM(n) FROM stats_flow WHERE gran='h'"
                               " AND category='unspecified'"),
                     1);
    struct dg_stats_info info;
    dg_stats_info(s, &info);
    assert_int_equal(info.counted, 9);
    assert_int_equal(info.invalid, 1);
    assert_int_equal(info.other_agencies, 5);
    assert_int_equal(info.agencies, 2);
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);
}

static void bad_options_refused(void **state)
{
    (void)state;
    struct dg_stats_options o;
    dg_stats_options_init(&o);
    o.alerts.name_share = 1.5;
    struct dg_stats *s = NULL;
    struct dg_error e;
    assert_int_equal(dg_stats_open(&o, &s, &e), DG_EINVAL);
    assert_string_equal(e.field, "name_share");
    assert_null(s);
    dg_stats_options_init(&o);
    o.max_agencies = 0;
    assert_int_equal(dg_stats_open(&o, &s, &e), DG_EINVAL);
}

/* ---- alerts --------------------------------------------------------------------------- */

static size_t find_alert(struct dg_stats *s, enum dg_stats_alert_kind k, const char *ori,
                         struct dg_stats_alert *out)
{
    struct dg_stats_alert v[64];
    size_t n = dg_stats_alerts(s, v, 64), hits = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        if (v[i].kind == k && strcmp(v[i].ori, ori) == 0) {
            if (out && !hits)
                *out = v[i];
            hits++;
        }
    return hits;
}

static void alerts_fire_on_anomalies(void **state)
{
    (void)state;
    struct dg_store *st = open_store(":memory:");
    struct dg_stats *s = open_stats(st, NULL);
    struct dg_error e;
    /* 10:00, working hours: the sheriff sends 145 queries (no baseline:
     * above the minimum is enough), 30 of its 35 DQ by name only... */
    count_n(s, &sheriff, 30, DG_KEY_DQ, DG_STATS_ALLOW, NULL, true, false);
    count_n(s, &sheriff, 5, DG_KEY_DQ, DG_STATS_ALLOW, NULL, false, false);
    count_n(s, &sheriff, 110, DG_KEY_RQ, DG_STATS_ALLOW, NULL, false, false);
    /* ...and ICE asks for 25 photos. */
    count_n(s, &ice, 25, DG_KEY_IQ, DG_STATS_DENY, "x", false, true);
    /* The trooper's 20 queries raise nothing. */
    count_n(s, &trooper, 20, DG_KEY_DQ, DG_STATS_ALLOW, NULL, true, false);
    assert_int_equal(dg_stats_flush_at(s, T0 + 2 * 3600 + 60, &e), 0);

    struct dg_stats_alert a;
    assert_int_equal(find_alert(s, DG_ALERT_VOLUME, "CO0010000", &a), 1);
    assert_int_equal(a.count, 145);
    assert_string_equal(a.period, "2026-11-25T10");
    assert_int_equal(a.category, DG_CAT_SHERIFF);
    assert_int_equal(find_alert(s, DG_ALERT_NAME_ONLY, "CO0010000", &a), 1);
    assert_int_equal(a.count, 30);
    assert_int_equal(find_alert(s, DG_ALERT_PHOTOS, "DCICE0100", &a), 1);
    assert_int_equal(a.count, 25);
    assert_int_equal(find_alert(s, DG_ALERT_OFF_HOURS, "CO0010000", NULL), 0);
    assert_int_equal(find_alert(s, DG_ALERT_NAME_ONLY, "CO0300000", NULL), 0);
    assert_int_equal(find_alert(s, DG_ALERT_VOLUME, "DCICE0100", NULL), 0);

    /* More in the same hour updates the alert, not a second one. */
    count_n(s, &sheriff, 50, DG_KEY_RQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush_at(s, T0 + 2 * 3600 + 120, &e), 0);
    assert_int_equal(find_alert(s, DG_ALERT_VOLUME, "CO0010000", &a), 1);
    assert_int_equal(a.count, 195);
    assert_int_equal(q_int(st, "SELECT count FROM stats_alert WHERE kind='volume'"
                               " AND ori='CO0010000'"),
                     195);

    /* 23:00 is off hours: 40 queries from the trooper. */
    count_n(s, &trooper, 40, DG_KEY_RQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush_at(s, T0 + 15 * 3600 + 10, &e), 0);
    assert_int_equal(find_alert(s, DG_ALERT_OFF_HOURS, "CO0300000", &a), 1);
    assert_string_equal(a.period, "2026-11-25T23");
    assert_int_equal(a.count, 40);

    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    assert_int_equal(dg_stats_alerts_json(s, &b), 0);
    assert_non_null(strstr(b.data, "\"kind\":\"off_hours\",\"description\":"));
    assert_non_null(strstr(b.data, "\"ori\":\"DCICE0100\""));
    dg_buf_reset(&b);
    assert_int_equal(dg_stats_metrics(s, &b), 0);
    assert_non_null(strstr(b.data, "dmvgate_stats_requests_total{category=\"sheriff\",key=\"RQ\","
                                   "decision=\"allow\"} 160\n"));
    assert_non_null(strstr(b.data, "dmvgate_stats_alerts{kind=\"volume\"} 1\n"));
    assert_non_null(strstr(b.data, "dmvgate_stats_alert{kind=\"photos\",ori=\"DCICE0100\","
                                   "category=\"federal_le\",period=\"2026-11-25T10\"} 25\n"));
    dg_buf_release(&b);
    assert_int_equal(dg_stats_close(s, &e), 0);

    /* Alerts of the last day come back with a reopen. */
    s = open_stats(st, NULL);
    struct dg_stats_info info;
    dg_stats_info(s, &info);
    /* (relative to the wall clock, so only check they were read back when
     * the test's day is recent; otherwise none) */
    assert_true(info.alerts == 0 || info.alerts == 4);
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);
}

static void baseline_keeps_alerts_quiet(void **state)
{
    (void)state;
    struct dg_store *st = open_store(":memory:");
    struct dg_stats *s = open_stats(st, NULL);
    struct dg_error e;
    /* A busy state patrol: 400 queries every hour for two days. */
    for (int h = 0; h < 48; h++) {
        count_n(s, &trooper, 400, DG_KEY_RQ, DG_STATS_ALLOW, NULL, false, false);
        assert_int_equal(dg_stats_flush_at(s, T0 + h * 3600 + 30, &e), 0);
    }
    /* Hours 0..47 raised volume alerts only while the baseline was being
     * built (the first hour); the third day at 500 raises none... */
    struct dg_stats_alert a;
    size_t before = find_alert(s, DG_ALERT_VOLUME, "CO0300000", NULL);
    assert_true(before <= 1);
    count_n(s, &trooper, 500, DG_KEY_RQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush_at(s, T0 + 48 * 3600 + 30, &e), 0);
    assert_int_equal(find_alert(s, DG_ALERT_VOLUME, "CO0300000", NULL), before);
    /* ...but 2,500 does: over 5 x 400. */
    count_n(s, &trooper, 2000, DG_KEY_RQ, DG_STATS_ALLOW, NULL, false, false);
    assert_int_equal(dg_stats_flush_at(s, T0 + 48 * 3600 + 90, &e), 0);
    assert_int_equal(find_alert(s, DG_ALERT_VOLUME, "CO0300000", &a), before + 1);
    assert_int_equal(a.count, 2500);
    assert_true(a.baseline > 399.0 && a.baseline < 401.0);
    assert_true(a.threshold >= 2000.0);
    assert_int_equal(dg_stats_close(s, &e), 0);
    dg_store_close(st);
}

/* ---- periods and failures --------------------------------------------------------------- */

static void period_labels(void **state)
{
    (void)state;
    char out[16];
    dg_stats_period(T0 + 3599, 'h', out);
    assert_string_equal(out, "2026-11-25T08");
    dg_stats_period(T0, 'd', out);
    assert_string_equal(out, "2026-11-25");
    dg_stats_period(T0, 'm', out);
    assert_string_equal(out, "2026-11");
    assert_int_equal(dg_stats_hour_start(T0 + 1234), T0);
    assert_string_equal(dg_stats_decision_name(DG_STATS_REVIEW), "review");
    assert_int_equal(dg_stats_decision_parse("deny", 4), DG_STATS_DENY);
    assert_int_equal(dg_stats_decision_parse("maybe", 5), DG_EINVAL);
    assert_string_equal(dg_stats_alert_kind_name(DG_ALERT_NAME_ONLY), "name_only");
}

static void event_from_message(void **state)
{
    (void)state;
    struct dg_msg_req m;
    struct dg_error e;
    const char txt[] = "DQ.DCICE0100.CO.TXT\nNAM/RIVERA,ANA.DOB/19800101.PUR/I.ATN/AGENT X."
                       "LEG/AW 2026-77";
    if (dg_msg_req_parse_text(&m, txt, sizeof(txt) - 1, &e) != 0)
        fail_msg("parse: %s", e.msg);
    struct dg_stats_event ev;
    assert_int_equal(dg_stats_event_from_msg(&ev, &ice, &m, "CO", DG_STATS_DENY, "ice"), 0);
    assert_string_equal(ev.ori, "DCICE0100");
    assert_string_equal(ev.component, "ICE-ERO");
    assert_int_equal(ev.key, DG_KEY_DQ);
    assert_int_equal(ev.purpose, DG_PUR_IMMIGRATION);
    assert_int_equal(ev.leg, DG_LEG_ADMIN_WARRANT);
    assert_true(ev.name_search);
    assert_false(ev.photo);
    assert_string_equal(ev.dest, "CO");
    assert_int_equal(dg_stats_decision_of_status(202), DG_STATS_REVIEW);
    assert_int_equal(dg_stats_decision_of_status(403), DG_STATS_DENY);
    assert_int_equal(dg_stats_decision_of_status(502), DG_STATS_ERROR);
    assert_int_equal(dg_stats_decision_of_status(200), DG_STATS_ALLOW);
}

static void open_survives_allocation_failures(void **state)
{
    (void)state;
    struct dg_stats_options o;
    dg_stats_options_init(&o);
    o.flush_ms = 0;
    o.max_agencies = 64;
    dg_alloc_fail_at(ULONG_MAX);
    struct dg_stats *s = NULL;
    struct dg_error e;
    assert_int_equal(dg_stats_open(&o, &s, &e), 0);
    count_n(s, &sheriff, 1, DG_KEY_DQ, DG_STATS_ALLOW, "r", false, false);
    dg_stats_close(s, &e);
    unsigned long n = dg_alloc_fail_at(0);
    assert_true(n > 5);
    for (unsigned long i = 1; i <= n; i++) {
        dg_alloc_fail_at(i);
        s = NULL;
        int rc = dg_stats_open(&o, &s, &e);
        if (rc == 0) {
            count_n(s, &sheriff, 1, DG_KEY_DQ, DG_STATS_ALLOW, "r", false, false);
            dg_stats_close(s, &e);
        } else {
            assert_int_equal(rc, DG_ENOMEM);
            assert_null(s);
        }
        dg_alloc_fail_at(0);
    }
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    dg_log_set_level(DG_LOG_ERROR);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_match_known_traffic),
        cmocka_unit_test(hours_days_and_slack),
        cmocka_unit_test(hourly_rows_are_pruned),
        cmocka_unit_test(counts_survive_reopen),
        cmocka_unit_test(threads_count_exactly),
        cmocka_unit_test(shared_shard_when_threads_exhausted),
        cmocka_unit_test(tables_overflow_to_other),
        cmocka_unit_test(bad_options_refused),
        cmocka_unit_test(alerts_fire_on_anomalies),
        cmocka_unit_test(baseline_keeps_alerts_quiet),
        cmocka_unit_test(period_labels),
        cmocka_unit_test(event_from_message),
        cmocka_unit_test(open_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
