/*
 * schema.c - the stats tables in the node's store, and period labels.
 *
 * Four tables, each keyed by granularity ('h' hour, 'd' day, 'm' month) and
 * period label, so that one flush adds its counts to the hour, the day and
 * the month at once and a report over any range reads the coarsest rows
 * that cover it:
 *   stats_flow    category x key x purpose x legal process x decision x photo
 *                 x name search: the data-flow cube
 *   stats_dim     one dimension (level, dest, rule, component) x key x decision
 *   stats_agency  per requester ORI, with its directory attributes
 *   stats_alert   anomaly alerts, by hour, kind and ORI
 * Nothing in them is about a data subject. docs/transparency.md documents
 * every column.
 */
#include "stats/stats_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define FLOW_COLS                                                                                  \
    "gran TEXT NOT NULL, period TEXT NOT NULL, category TEXT NOT NULL, key TEXT NOT NULL,"         \
    " purpose TEXT NOT NULL, leg TEXT NOT NULL, decision TEXT NOT NULL,"                           \
    " photo INTEGER NOT NULL, name_search INTEGER NOT NULL, n INTEGER NOT NULL,"                   \
    " PRIMARY KEY (gran, period, category, key, purpose, leg, decision, photo, name_search))"
#define DIM_COLS                                                                                   \
    "gran TEXT NOT NULL, period TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,"            \
    " key TEXT NOT NULL, decision TEXT NOT NULL, n INTEGER NOT NULL,"                              \
    " PRIMARY KEY (gran, period, dim, value, key, decision))"
#define AGENCY_COLS                                                                                \
    "gran TEXT NOT NULL, period TEXT NOT NULL, ori TEXT NOT NULL, level TEXT NOT NULL,"            \
    " category TEXT NOT NULL, department TEXT NOT NULL, component TEXT NOT NULL,"                  \
    " dq INTEGER NOT NULL, rq INTEGER NOT NULL, iq INTEGER NOT NULL,"                              \
    " allow INTEGER NOT NULL, deny INTEGER NOT NULL, review INTEGER NOT NULL,"                     \
    " error INTEGER NOT NULL, name_search INTEGER NOT NULL, photo INTEGER NOT NULL,"               \
    " immigration INTEGER NOT NULL, PRIMARY KEY (gran, period, ori))"
#define ALERT_COLS                                                                                 \
    "period TEXT NOT NULL, kind TEXT NOT NULL, ori TEXT NOT NULL, level TEXT NOT NULL,"            \
    " category TEXT NOT NULL, count INTEGER NOT NULL, threshold REAL NOT NULL,"                    \
    " baseline REAL NOT NULL, first_s INTEGER NOT NULL, last_s INTEGER NOT NULL,"                  \
    " PRIMARY KEY (period, kind, ori))"

static const char v1_sqlite[] = "CREATE TABLE stats_flow (" FLOW_COLS " WITHOUT ROWID;"
                                "CREATE TABLE stats_dim (" DIM_COLS " WITHOUT ROWID;"
                                "CREATE TABLE stats_agency (" AGENCY_COLS " WITHOUT ROWID;"
                                "CREATE INDEX stats_agency_ori ON stats_agency (ori, gran, period);"
                                "CREATE TABLE stats_alert (" ALERT_COLS " WITHOUT ROWID;";

static const char v1_pg[] = "CREATE TABLE stats_flow (" FLOW_COLS ");"
                            "CREATE TABLE stats_dim (" DIM_COLS ");"
                            "CREATE TABLE stats_agency (" AGENCY_COLS ");"
                            "CREATE INDEX stats_agency_ori ON stats_agency (ori, gran, period);"
                            "CREATE TABLE stats_alert (" ALERT_COLS ");";

static const struct dg_migration stats_migrations[] = {
    {1, "stats_flow, stats_dim, stats_agency, stats_alert", v1_sqlite, v1_pg},
};

int dg_stats_migrate(struct dg_store *st, struct dg_error *err)
{
    return dg_store_migrate(st, "stats", stats_migrations, DG_ARRAY_LEN(stats_migrations), err);
}

void dg_stats_period(int64_t t_s, char gran, char out[16])
{
    time_t t = (time_t)t_s;
    struct tm tm;
    localtime_r(&t, &tm);
    const char *fmt = gran == 'h' ? "%Y-%m-%dT%H" : gran == 'd' ? "%Y-%m-%d" : "%Y-%m";
    if (strftime(out, 16, fmt, &tm) == 0)
        out[0] = '\0';
}

int64_t dg_stats_hour_start(int64_t t_s)
{
    time_t t = (time_t)t_s;
    struct tm tm;
    localtime_r(&t, &tm);
    return t_s - (int64_t)tm.tm_min * 60 - tm.tm_sec;
}

int64_t dg__stats_label_time(const char *label)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int y, mo, d, h = 0;
    char tail;
    int n = sscanf(label, "%4d-%2d-%2dT%2d%c", &y, &mo, &d, &h, &tail);
    if (n < 3 || n > 4)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t;
}

/* ---- small vocabulary of this module ----------------------------------------------------- */

static const char *const decision_names[] = {
#define DG__SD(e, n) n,
    DG_STATS_DECISION_MAP(DG__SD)
#undef DG__SD
};

const char *dg_stats_decision_name(enum dg_stats_decision d)
{
    return (unsigned)d < DG_STATS_DECISION__COUNT ? decision_names[d] : "?";
}

int dg_stats_decision_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_STATS_DECISION__COUNT; i++)
        if (strlen(decision_names[i]) == n && memcmp(s, decision_names[i], n) == 0)
            return i;
    return DG_EINVAL;
}

static const char *const alert_names[] = {
#define DG__AK(e, n, d) n,
    DG_STATS_ALERT_KIND_MAP(DG__AK)
#undef DG__AK
};
static const char *const alert_descs[] = {
#define DG__AK(e, n, d) d,
    DG_STATS_ALERT_KIND_MAP(DG__AK)
#undef DG__AK
};

const char *dg_stats_alert_kind_name(enum dg_stats_alert_kind k)
{
    return (unsigned)k < DG_ALERT__COUNT ? alert_names[k] : "?";
}

const char *dg_stats_alert_kind_description(enum dg_stats_alert_kind k)
{
    return (unsigned)k < DG_ALERT__COUNT ? alert_descs[k] : "?";
}
