/*
 * build.c - building a report from the stats tables of a store: the data-flow
 * cube, the single dimensions, the agencies, the time series and the alerts
 * of a range of days, turned into tables (report.h says which).
 *
 * Day rows are summed for the tables (they are kept for ever; hour rows only
 * for some weeks); hour rows make the time series of a range of up to two
 * days. Everything is read with GROUP BY in SQLite and arranged here.
 */
#include "report/report_int.h"

#include <dmvgate/store.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCAT DG_CAT__COUNT
#define NPUR DG_PUR__COUNT
#define NLEG DG_LEG__COUNT
#define NDEC DG_STATS_DECISION__COUNT
#define NKEY DG_STATS_NKEYS

void dg_report_options_init(struct dg_report_options *o)
{
    memset(o, 0, sizeof(*o));
    o->threshold = DG_REPORT_THRESHOLD;
    o->top = DG_REPORT_TOP;
}

int dg_report_parse_day(const char *s, int64_t *t_s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return DG_EINVAL;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return DG_EINVAL;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return DG_EINVAL;
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    /* mktime normalises 2026-02-31 into March: refuse what is not a date. */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1)
        return DG_EINVAL;
    *t_s = (int64_t)t;
    return 0;
}

static const char *const dec_cols[NDEC] = {"allow", "deny", "review", "error"};

static int key_index(const char *k)
{
    return strcmp(k, "DQ") == 0 ? 0 : strcmp(k, "RQ") == 0 ? 1 : strcmp(k, "IQ") == 0 ? 2 : -1;
}

static const char *text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int sql_error(sqlite3 *db, struct dg_error *err)
{
    return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot read the stats: %s", sqlite3_errmsg(db));
}

/* ---- the data-flow cube ----------------------------------------------------------------- */

struct cube {
    uint64_t n[NCAT][NKEY][NPUR][NLEG][NDEC][4]; /* flags: 1 photo, 2 name search */
};

static int load_cube(sqlite3 *db, const char *from, const char *to, struct cube *c,
                     struct dg_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT category, key, purpose, leg, decision, photo, name_search,"
                           " SUM(n) FROM stats_flow WHERE gran = 'd' AND period BETWEEN ?1 AND ?2"
                           " GROUP BY 1, 2, 3, 4, 5, 6, 7",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_error(db, err);
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cs = text(st, 0), *ps = text(st, 2), *ls = text(st, 3), *ds = text(st, 4);
        int cat = dg_category_parse(cs, strlen(cs)), key = key_index(text(st, 1));
        int pur = dg_purpose_parse(ps, strlen(ps)), leg = dg_leg_parse(ls, strlen(ls));
        int dec = dg_stats_decision_parse(ds, strlen(ds));
        int flags = (sqlite3_column_int(st, 5) ? 1 : 0) | (sqlite3_column_int(st, 6) ? 2 : 0);
        if (cat < 0 || key < 0 || pur < 0 || leg < 0 || dec < 0)
            continue; /* a value this program does not know: left out */
        c->n[cat][key][pur][leg][dec][flags] += (uint64_t)sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_error(db, err);
}

/* Sum of the cube over everything but the dimensions fixed by the callback. */
typedef void (*cube_fn)(struct dg_report_table *t, int cat, int key, int pur, int leg, int dec,
                        int flags, uint64_t n, void *arg);

static int cube_each(const struct cube *c, struct dg_report_table *t, cube_fn fn, void *arg)
{
    for (int a = 0; a < NCAT; a++)
        for (int k = 0; k < NKEY; k++)
            for (int p = 0; p < NPUR; p++)
                for (int l = 0; l < NLEG; l++)
                    for (int d = 0; d < NDEC; d++)
                        for (int f = 0; f < 4; f++)
                            if (c->n[a][k][p][l][d][f])
                                fn(t, a, k, p, l, d, f, c->n[a][k][p][l][d][f], arg);
    return 0;
}

/* Rows are made beforehand in vocabulary order; the callbacks only add. */
static void by_cat(struct dg_report_table *t, int cat, int key, int pur, int leg, int dec,
                   int flags, uint64_t n, void *arg)
{
    (void)key, (void)pur, (void)leg;
    int need = arg ? *(const int *)arg : 0;
    if ((flags & need) == need)
        dg__table_add(t, (size_t)cat, (size_t)dec, n);
}

static void by_keydec(struct dg_report_table *t, int cat, int key, int pur, int leg, int dec,
                      int flags, uint64_t n, void *arg)
{
    (void)cat, (void)pur, (void)leg, (void)flags, (void)arg;
    dg__table_add(t, (size_t)key, (size_t)dec, n);
}

static void by_catkey(struct dg_report_table *t, int cat, int key, int pur, int leg, int dec,
                      int flags, uint64_t n, void *arg)
{
    (void)pur, (void)leg, (void)dec, (void)flags, (void)arg;
    dg__table_add(t, (size_t)cat, (size_t)key, n);
}

static void by_pur(struct dg_report_table *t, int cat, int key, int pur, int leg, int dec,
                   int flags, uint64_t n, void *arg)
{
    (void)cat, (void)key, (void)leg, (void)flags, (void)arg;
    dg__table_add(t, (size_t)pur, (size_t)dec, n);
}

static void by_leg(struct dg_report_table *t, int cat, int key, int pur, int leg, int dec,
                   int flags, uint64_t n, void *arg)
{
    (void)cat, (void)key, (void)pur, (void)flags, (void)arg;
    dg__table_add(t, (size_t)leg, (size_t)dec, n);
}

static int rows_from(struct dg_report_table *t, int n, const char *(*name)(int))
{
    for (int i = 0; i < n; i++)
        if (dg__table_row(t, name(i), NULL) < 0)
            return DG_ENOMEM;
    return 0;
}

static const char *cat_name(int i)
{
    return dg_category_name((enum dg_category)i);
}
static const char *pur_name(int i)
{
    return dg_purpose_name((enum dg_purpose)i);
}
static const char *leg_name(int i)
{
    return dg_leg_name((enum dg_leg)i);
}
static const char *key_name(int i)
{
    return dg__key_label(i);
}
static const char *level_name(int i)
{
    return dg_level_name((enum dg_level)i);
}

static struct dg_report_table *new_table(struct dg_report *r, const char *name, const char *title,
                                         const char *row_dim, const char *col_dim,
                                         const char *scope, size_t ncols, const char *const *cols)
{
    struct dg_report_table *t = dg__report_add_table(r);
    if (t && dg__table_init(t, name, title, row_dim, col_dim, scope, ncols, cols) != 0)
        return NULL;
    return t;
}

static int cube_tables(struct dg_report *r, const struct cube *c)
{
    static const int photo = 1, name = 2;
    const char *key_cols[NKEY] = {dg__key_label(0), dg__key_label(1), dg__key_label(2)};
    struct dg_report_table *t;

#define MAKE(var, nm, title, rdim, cdim, scope, ncols, cols, nrows, rname, fn, arg)                \
    do {                                                                                           \
        var = new_table(r, nm, title, rdim, cdim, scope, ncols, cols);                             \
        if (!var || rows_from(var, nrows, rname))                                                  \
            return DG_ENOMEM;                                                                      \
        cube_each(c, var, fn, (void *)(arg));                                                      \
        dg__table_totals(var);                                                                     \
    } while (0)

    MAKE(t, "by_category", "Requests by requester category and decision", "category", "decision",
         "all", NDEC, dec_cols, NCAT, cat_name, by_cat, NULL);
    MAKE(t, "category_key", "Data flow: requester category to the kind of data asked", "category",
         "key", "all", NKEY, key_cols, NCAT, cat_name, by_catkey, NULL);
    MAKE(t, "by_key", "Data flow: kind of data asked to decision", "key", "decision", "all", NDEC,
         dec_cols, NKEY, key_name, by_keydec, NULL);
    MAKE(t, "by_purpose", "Requests by stated purpose and decision", "purpose", "decision", "all",
         NDEC, dec_cols, NPUR, pur_name, by_pur, NULL);
    MAKE(t, "by_legal_process", "Requests by legal process and decision", "legal_process",
         "decision", "all", NDEC, dec_cols, NLEG, leg_name, by_leg, NULL);
    MAKE(t, "photo_by_category", "Photo requests (IQ, or a driver query with the photo)",
         "category", "decision", "photo", NDEC, dec_cols, NCAT, cat_name, by_cat, &photo);
    MAKE(t, "name_search_by_category", "Driver searches by name and date of birth only", "category",
         "decision", "name_search", NDEC, dec_cols, NCAT, cat_name, by_cat, &name);
#undef MAKE
    return 0;
}

/* ---- single dimensions ----------------------------------------------------------------------- */

static int dim_table(struct dg_report *r, sqlite3 *db, const char *from, const char *to,
                     const char *dim, const char *name, const char *title, const char *row_dim,
                     bool vocab_levels, struct dg_error *err)
{
    struct dg_report_table *t =
        new_table(r, name, title, row_dim, "decision", "all", NDEC, dec_cols);
    if (!t || (vocab_levels && rows_from(t, DG_LEVEL__COUNT, level_name)))
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT value, decision, SUM(n) FROM stats_dim WHERE gran = 'd'"
                           " AND period BETWEEN ?1 AND ?2 AND dim = ?3 GROUP BY 1, 2",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_error(db, err);
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, dim, -1, SQLITE_STATIC);
    int rc, bad = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ds = text(st, 1);
        int dec = dg_stats_decision_parse(ds, strlen(ds));
        if (dec < 0)
            continue;
        const char *v = text(st, 0);
        const char *note = strcmp(v, "(none)") == 0 && strcmp(dim, "component") == 0
                               ? "agencies with no department (most state and local agencies)"
                           : strcmp(v, "(none)") == 0 ? "no rule decided (e.g. a malformed request)"
                                                      : NULL;
        int row = dg__table_row(t, v, note);
        if (row == DG_ETOOBIG)
            row = dg__table_row(t, "(other)", NULL);
        if (row < 0) {
            bad = row;
            break;
        }
        dg__table_add(t, (size_t)row, (size_t)dec, (uint64_t)sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
    if (bad)
        return dg_error_set(err, bad, NULL, -1, NULL);
    if (rc != SQLITE_DONE)
        return sql_error(db, err);
    dg__table_totals(t);
    if (!vocab_levels)
        dg__table_sort(t, 0);
    return 0;
}

/* ---- agencies ----------------------------------------------------------------------------- */

/* "Adams County Sheriff (sheriff, local)", "(federal_le, federal, DHS/HSI)". */
static void agency_note(const struct dg_report_options *o, struct dg_store *st, const char *ori,
                        const char *level, const char *cat, const char *dept, const char *comp,
                        char *out, size_t n)
{
    char name[100] = "";
    const struct dg_agency *a =
        o->directory ? dg_directory_find(o->directory, ori, strlen(ori)) : NULL;
    struct dg_agency found;
    if (a)
        snprintf(name, sizeof(name), "%s ", a->name);
    else if (!o->directory && dg_store_agency_by_ori(st, ori, &found, NULL) == 0)
        snprintf(name, sizeof(name), "%s ", found.name);
    snprintf(out, n, "%s(%s, %s%s%s%s%s)", name, cat, level, *dept ? ", " : "", dept,
             *comp ? "/" : "", comp);
}

static int agency_table(struct dg_report *r, sqlite3 *db, struct dg_store *store,
                        const struct dg_report_options *o, struct dg_error *err)
{
    struct dg_report_table *t =
        new_table(r, "top_agencies", "Requesting agencies with the most requests", "agency",
                  "decision", "all", NDEC, dec_cols);
    if (!t)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT ori, MAX(level), MAX(category), MAX(department), MAX(component),"
                           " SUM(allow), SUM(deny), SUM(review), SUM(error),"
                           " SUM(allow + deny + review + error) AS total"
                           " FROM stats_agency WHERE gran = 'd' AND period BETWEEN ?1 AND ?2"
                           " GROUP BY ori ORDER BY total DESC, ori",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_error(db, err);
    sqlite3_bind_text(st, 1, r->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->to, -1, SQLITE_STATIC);
    unsigned listed = 0;
    uint64_t other[NDEC] = {0}, others = 0;
    uint64_t min_total = o->public_form ? o->threshold : 1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t total = (uint64_t)sqlite3_column_int64(st, 9);
        const char *ori = text(st, 0);
        if (listed < o->top && total >= min_total && strcmp(ori, "(other)") != 0) {
            char note[160];
            agency_note(o, store, ori, text(st, 1), text(st, 2), text(st, 3), text(st, 4), note,
                        sizeof(note));
            int row = dg__table_row(t, ori, note);
            if (row < 0) {
                sqlite3_finalize(st);
                return dg_error_set(err, row, NULL, -1, NULL);
            }
            for (int d = 0; d < NDEC; d++)
                dg__table_add(t, (size_t)row, (size_t)d, (uint64_t)sqlite3_column_int64(st, 5 + d));
            listed++;
        } else {
            for (int d = 0; d < NDEC; d++)
                other[d] += (uint64_t)sqlite3_column_int64(st, 5 + d);
            others++;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_error(db, err);
    if (others) {
        char label[64];
        snprintf(label, sizeof(label), "all other agencies (%llu)", (unsigned long long)others);
        int row = dg__table_row(t, label, "agencies below the listing threshold or rank");
        if (row < 0)
            return dg_error_set(err, row, NULL, -1, NULL);
        for (int d = 0; d < NDEC; d++)
            dg__table_add(t, (size_t)row, (size_t)d, other[d]);
    }
    dg__table_totals(t);
    return 0;
}

/* ---- time series ----------------------------------------------------------------------------- */

static int series_table(struct dg_report *r, sqlite3 *db, int64_t t_from, int64_t t_to,
                        struct dg_error *err)
{
    int64_t days = (t_to - t_from) / 86400 + 1;
    char gran = days <= 2 ? 'h' : 'd';
    r->series_gran = gran;
    struct dg_report_table *t =
        new_table(r, "series", gran == 'h' ? "Requests by hour" : "Requests by day",
                  gran == 'h' ? "hour" : "day", "decision", "all", NDEC, dec_cols);
    if (!t)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    /* Every period of the range, so that quiet ones show as zero. Hours
     * step by 3600 s and days by 86400 s from noon, so that a 23- or 25-hour
     * day (daylight saving time) neither skips nor repeats a label. */
    for (int64_t i = 0;; i++) {
        char label[16];
        int64_t at = gran == 'h' ? t_from + i * 3600 : t_from + 43200 + i * 86400;
        dg_stats_period(at, gran, label);
        if (strncmp(label, r->to, 10) > 0)
            break;
        if (dg__table_row(t, label, NULL) < 0)
            return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    char lo[16], hi[16];
    snprintf(lo, sizeof(lo), "%s%s", r->from, gran == 'h' ? "T00" : "");
    snprintf(hi, sizeof(hi), "%s%s", r->to, gran == 'h' ? "T23" : "");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT period, decision, SUM(n) FROM stats_flow WHERE gran = ?1"
                           " AND period BETWEEN ?2 AND ?3 GROUP BY 1, 2",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_error(db, err);
    char g[2] = {gran, 0};
    sqlite3_bind_text(st, 1, g, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ds = text(st, 1);
        int dec = dg_stats_decision_parse(ds, strlen(ds));
        int row = dg__table_row(t, text(st, 0), NULL);
        if (dec >= 0 && row >= 0)
            dg__table_add(t, (size_t)row, (size_t)dec, (uint64_t)sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_error(db, err);
    dg__table_totals(t);
    return 0;
}

/* ---- alerts
 * -------------------------------------------------------------------------------------- */

static int load_alerts(struct dg_report *r, sqlite3 *db, struct dg_error *err)
{
    char lo[16], hi[16];
    snprintf(lo, sizeof(lo), "%sT00", r->from);
    snprintf(hi, sizeof(hi), "%sT23", r->to);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT period, kind, ori, level, category, count, threshold, baseline,"
                           " first_s, last_s FROM stats_alert WHERE period BETWEEN ?1 AND ?2"
                           " ORDER BY period DESC, first_s DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_error(db, err);
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct dg_stats_alert a;
        memset(&a, 0, sizeof(a));
        const char *kind = text(st, 1), *lev = text(st, 3), *cat = text(st, 4);
        int k = -1;
        for (int i = 0; i < DG_ALERT__COUNT; i++)
            if (strcmp(kind, dg_stats_alert_kind_name((enum dg_stats_alert_kind)i)) == 0)
                k = i;
        int level = dg_level_parse(lev, strlen(lev)),
            category = dg_category_parse(cat, strlen(cat));
        if (k < 0 || level < 0 || category < 0)
            continue;
        r->alerts_by_kind[k]++;
        if (r->public_form)
            continue;
        a.kind = (enum dg_stats_alert_kind)k;
        snprintf(a.period, sizeof(a.period), "%s", text(st, 0));
        snprintf(a.ori, sizeof(a.ori), "%s", text(st, 2));
        a.level = (enum dg_level)level;
        a.category = (enum dg_category)category;
        a.count = (uint64_t)sqlite3_column_int64(st, 5);
        a.threshold = sqlite3_column_double(st, 6);
        a.baseline = sqlite3_column_double(st, 7);
        a.first_s = sqlite3_column_int64(st, 8);
        a.last_s = sqlite3_column_int64(st, 9);
        if (r->nalerts == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct dg_stats_alert *v = dg_realloc(r->alerts, nc * sizeof(*v));
            if (!v) {
                sqlite3_finalize(st);
                return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
            }
            r->alerts = v;
            cap = nc;
        }
        r->alerts[r->nalerts++] = a;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_error(db, err);
}

/* ---- the report -------------------------------------------------------------------------------
 */

void dg_report_free(struct dg_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntables; i++)
        dg__table_release(&r->tables[i]);
    dg_free(r->tables);
    dg_free(r->alerts);
    dg_free(r);
}

int dg_report_build(struct dg_store *st, const struct dg_report_options *o, struct dg_report **out,
                    struct dg_error *err)
{
    int64_t t_from, t_to;
    if (dg_report_parse_day(o->from, &t_from) != 0)
        return dg_error_set(err, DG_EINVAL, "from", -1, "bad date '%s': want YYYY-MM-DD",
                            o->from ? o->from : "");
    if (dg_report_parse_day(o->to, &t_to) != 0)
        return dg_error_set(err, DG_EINVAL, "to", -1, "bad date '%s': want YYYY-MM-DD",
                            o->to ? o->to : "");
    if (t_to < t_from)
        return dg_error_set(err, DG_EINVAL, "to", -1, "the range ends before it begins");
    if ((t_to - t_from) / 86400 + 1 > DG_REPORT_MAX_DAYS)
        return dg_error_set(err, DG_EINVAL, "to", -1, "a range of more than %d days",
                            DG_REPORT_MAX_DAYS);
    if (o->public_form && (o->threshold < 2 || o->threshold > 1000))
        return dg_error_set(err, DG_EINVAL, "threshold", -1, "threshold %u out of 2..1000",
                            o->threshold);
    if (o->top < 1 || o->top > 1000)
        return dg_error_set(err, DG_EINVAL, "top", -1, "top %u out of 1..1000", o->top);
    sqlite3 *db = dg_store_sqlite(st);
    if (!db)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "reports need the sqlite store backend");
    int v = dg_store_schema_version(st, "stats", err);
    if (v < 0)
        return v;
    if (v == 0)
        return dg_error_set(err, DG_ENOSTATS, NULL, -1, "no statistics in this store");

    struct dg_report *r = dg_calloc(1, sizeof(*r));
    struct cube *c = dg_calloc(1, sizeof(*c));
    int rc = 0;
    if (!r || !c) {
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        goto out;
    }
    snprintf(r->title, sizeof(r->title), "%s", o->title ? o->title : "DMV queries");
    snprintf(r->source, sizeof(r->source), "%s", o->source ? o->source : "");
    snprintf(r->from, sizeof(r->from), "%s", o->from);
    snprintf(r->to, sizeof(r->to), "%s", o->to);
    dg_time_iso(dg_now_us(), r->generated, sizeof(r->generated));
    r->generated[19] = 'Z'; /* whole seconds */
    r->generated[20] = '\0';
    r->public_form = o->public_form;
    r->threshold = o->threshold;

    rc = load_cube(db, r->from, r->to, c, err);
    if (!rc && cube_tables(r, c) != 0)
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    if (!rc)
        rc = dim_table(r, db, r->from, r->to, "level", "by_level",
                       "Requests by requester level and decision", "level", true, err);
    if (!rc)
        rc = dim_table(r, db, r->from, r->to, "component", "by_component",
                       "Requests by requester department and component", "component", false, err);
    if (!rc)
        rc = dim_table(r, db, r->from, r->to, "dest", "by_destination",
                       "Requests by destination state", "destination", false, err);
    if (!rc)
        rc = dim_table(r, db, r->from, r->to, "rule", "by_rule",
                       "Requests by the policy rule that decided", "rule", false, err);
    if (!rc)
        rc = agency_table(r, db, st, o, err);
    if (!rc)
        rc = series_table(r, db, t_from, t_to, err);
    if (!rc)
        rc = load_alerts(r, db, err);
    if (!rc && o->public_form)
        rc = dg_report_suppress(r, o->threshold);
out:
    dg_free(c);
    if (rc) {
        dg_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
