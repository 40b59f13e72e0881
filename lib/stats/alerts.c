/*
 * alerts.c - per-agency baselines and anomaly alerts, and the readers' views
 * of lib/stats: the alert list, its JSON and the /metrics lines.
 *
 * Baselines come from the hourly agency rows in the store (reloaded at each
 * new hour); the checks run at every flush over the agencies counted in the
 * current hour (struct dg_stats_alert_rules says exactly what each checks).
 * An alert is a lead for a person to look at, not a finding: it names the
 * agency (an ORI, a public body), never a person or a record.
 */
#include "stats/stats_int.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define MAX_ALERTS 4096

/* ---- baselines ---------------------------------------------------------------------------- */

static int first_hour(struct dg_stats *s, const char *lo, const char *hi, char out[16])
{
    sqlite3_stmt *st;
    out[0] = '\0';
    if (sqlite3_prepare_v2(s->db,
                           "SELECT MIN(period) FROM stats_agency WHERE gran = 'h'"
                           " AND period >= ?1 AND period < ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        snprintf(out, 16, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : DG_ESTORE;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

int dg__stats_load_baselines(struct dg_stats *s, struct dg_error *err)
{
    memset(s->base, 0, s->lay.nagency * sizeof(*s->base));
    char lo[16], first[16];
    dg_stats_period(s->cur_hour - (int64_t)s->opt.alerts.baseline_days * 86400, 'h', lo);
    if (first_hour(s, lo, s->cur_label, first) != 0)
        return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot read the baselines: %s",
                            sqlite3_errmsg(s->db));
    if (!first[0])
        return 0;
    int64_t t0 = dg__stats_label_time(first);
    double hours = t0 < 0 ? 1 : (double)((s->cur_hour - t0) / 3600);
    if (hours < 1)
        hours = 1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT ori, level, category, department, component,"
                           " SUM(dq + rq + iq), SUM((dq + rq + iq) * (dq + rq + iq)), SUM(photo)"
                           " FROM stats_agency WHERE gran = 'h' AND period >= ?1 AND period < ?2"
                           " GROUP BY ori",
                           -1, &st, NULL) != SQLITE_OK)
        return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot read the baselines: %s",
                            sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->cur_label, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *lev = col_text(st, 1), *cat = col_text(st, 2);
        int level = dg_level_parse(lev, strlen(lev));
        int category = dg_category_parse(cat, strlen(cat));
        uint32_t ag = dg__oritab_id(&s->agencies, s, col_text(st, 0), level, category,
                                    col_text(st, 3), col_text(st, 4));
        if (ag == DG__AGENCY_OTHER)
            continue;
        double sum = sqlite3_column_double(st, 5), sq = sqlite3_column_double(st, 6);
        double mean = sum / hours, var = sq / hours - mean * mean;
        s->base[ag].mean = (float)mean;
        s->base[ag].sd = (float)sqrt(var > 0 ? var : 0);
        s->base[ag].photo_mean = (float)(sqlite3_column_double(st, 7) / hours);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot read the baselines: %s",
                            sqlite3_errmsg(s->db));
    return 0;
}

/* ---- raising ------------------------------------------------------------------------------- */

static void persist(struct dg_stats *s, const struct dg_stats_alert *a)
{
    sqlite3_stmt *st = s->st[DG__ST_ALERT];
    sqlite3_bind_text(st, 1, a->period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dg_stats_alert_kind_name(a->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->ori, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, dg_level_name(a->level), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, dg_category_name(a->category), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)a->count);
    sqlite3_bind_double(st, 7, a->threshold);
    sqlite3_bind_double(st, 8, a->baseline);
    sqlite3_bind_int64(st, 9, a->first_s);
    sqlite3_bind_int64(st, 10, a->last_s);
    if (sqlite3_step(st) != SQLITE_DONE)
        dg_logf(DG_LOG_WARN, "stats_alert_write", "%s", sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static void add_locked(struct dg_stats *s, const struct dg_stats_alert *a)
{
    if (s->nalerts == s->alerts_cap) {
        if (s->alerts_cap < MAX_ALERTS) {
            size_t cap = s->alerts_cap ? s->alerts_cap * 2 : 16;
            struct dg_stats_alert *v = dg_realloc(s->alerts, cap * sizeof(*v));
            if (v) {
                s->alerts = v;
                s->alerts_cap = cap;
            }
        }
        if (s->nalerts == s->alerts_cap) {
            if (!s->nalerts)
                return;
            memmove(s->alerts, s->alerts + 1, (s->nalerts - 1) * sizeof(*s->alerts));
            s->nalerts--;
        }
    }
    s->alerts[s->nalerts++] = *a;
}

static void raise_alert(struct dg_stats *s, enum dg_stats_alert_kind kind, uint32_t ag,
                        uint64_t count, double threshold, double baseline, int64_t now_s)
{
    const struct dg__agency_attr *at = &s->agencies.attr[ag];
    struct dg_stats_alert a, *found = NULL;
    pthread_mutex_lock(&s->view_mu);
    for (size_t i = s->nalerts; i-- > 0 && !found;)
        if (s->alerts[i].kind == kind && strcmp(s->alerts[i].ori, at->ori) == 0 &&
            strcmp(s->alerts[i].period, s->cur_label) == 0)
            found = &s->alerts[i];
    bool fresh = !found;
    if (found) {
        found->count = count;
        found->threshold = threshold;
        found->baseline = baseline;
        found->last_s = now_s;
        a = *found;
    } else {
        memset(&a, 0, sizeof(a));
        a.kind = kind;
        snprintf(a.ori, sizeof(a.ori), "%s", at->ori);
        a.level = (enum dg_level)at->level;
        a.category = (enum dg_category)at->category;
        snprintf(a.period, sizeof(a.period), "%s", s->cur_label);
        a.count = count;
        a.threshold = threshold;
        a.baseline = baseline;
        a.first_s = a.last_s = now_s;
        add_locked(s, &a);
        s->info.alerts_raised++;
    }
    pthread_mutex_unlock(&s->view_mu);
    if (fresh) {
        char cnt[24];
        snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)count);
        dg_log(DG_LOG_WARN, "stats_alert", "kind", dg_stats_alert_kind_name(kind), "ori", a.ori,
               "period", a.period, "count", cnt, NULL);
    }
    if (s->db)
        persist(s, &a);
}

static bool off_hours(const struct dg_stats_alert_rules *r, int hour)
{
    unsigned h = (unsigned)hour;
    if (r->offhours_start == r->offhours_end)
        return false;
    if (r->offhours_start < r->offhours_end)
        return h >= r->offhours_start && h < r->offhours_end;
    return h >= r->offhours_start || h < r->offhours_end;
}

static double max3(double a, double b, double c)
{
    double m = a > b ? a : b;
    return m > c ? m : c;
}

void dg__stats_check_alerts(struct dg_stats *s, int64_t now_s)
{
    const struct dg_stats_alert_rules *r = &s->opt.alerts;
    int hour = 0;
    sscanf(s->cur_label + 11, "%2d", &hour);
    bool off = off_hours(r, hour);
    for (unsigned i = 0; i < s->ntouched; i++) {
        uint32_t ag = s->touched[i];
        if (ag == DG__AGENCY_OTHER)
            continue;
        const struct dg__stats_hour *h = &s->hour[ag];
        const struct dg__stats_baseline *b = &s->base[ag];
        double n = h->total, mean = b->mean;
        if (n >= r->volume_min && n > r->volume_factor * mean &&
            n > mean + r->volume_sigmas * b->sd)
            raise_alert(
                s, DG_ALERT_VOLUME, ag, h->total,
                max3(r->volume_min, r->volume_factor * mean, mean + r->volume_sigmas * b->sd), mean,
                now_s);
        if (h->name >= r->name_min && h->name >= r->name_share * h->dq)
            raise_alert(s, DG_ALERT_NAME_ONLY, ag, h->name,
                        max3(r->name_min, r->name_share * h->dq, 0), mean, now_s);
        if (off && n >= r->offhours_min && n > r->offhours_factor * mean)
            raise_alert(s, DG_ALERT_OFF_HOURS, ag, h->total,
                        max3(r->offhours_min, r->offhours_factor * mean, 0), mean, now_s);
        if (h->photo >= r->photo_min && h->photo > r->photo_factor * b->photo_mean)
            raise_alert(s, DG_ALERT_PHOTOS, ag, h->photo,
                        max3(r->photo_min, r->photo_factor * b->photo_mean, 0), b->photo_mean,
                        now_s);
    }
    dg__stats_prune_alerts(s, now_s);
}

void dg__stats_prune_alerts(struct dg_stats *s, int64_t now_s)
{
    char oldest[16];
    dg_stats_period(now_s - 86400, 'h', oldest);
    pthread_mutex_lock(&s->view_mu);
    size_t keep = 0;
    for (size_t i = 0; i < s->nalerts; i++)
        if (strcmp(s->alerts[i].period, oldest) > 0)
            s->alerts[keep++] = s->alerts[i];
    s->nalerts = keep;
    pthread_mutex_unlock(&s->view_mu);
}

int dg__stats_load_alerts(struct dg_stats *s, int64_t now_s, struct dg_error *err)
{
    char oldest[16];
    dg_stats_period(now_s - 86400, 'h', oldest);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT period, kind, ori, level, category, count, threshold, baseline,"
                           " first_s, last_s FROM stats_alert WHERE period > ?1"
                           " ORDER BY period, first_s",
                           -1, &st, NULL) != SQLITE_OK)
        return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot read the alerts: %s",
                            sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, oldest, -1, SQLITE_STATIC);
    int rc;
    pthread_mutex_lock(&s->view_mu);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct dg_stats_alert a;
        memset(&a, 0, sizeof(a));
        snprintf(a.period, sizeof(a.period), "%s", col_text(st, 0));
        const char *kind = col_text(st, 1), *lev = col_text(st, 3), *cat = col_text(st, 4);
        int k = -1;
        for (int i = 0; i < DG_ALERT__COUNT; i++)
            if (strcmp(kind, dg_stats_alert_kind_name((enum dg_stats_alert_kind)i)) == 0)
                k = i;
        int level = dg_level_parse(lev, strlen(lev));
        int category = dg_category_parse(cat, strlen(cat));
        if (k < 0 || level < 0 || category < 0)
            continue;
        a.kind = (enum dg_stats_alert_kind)k;
        snprintf(a.ori, sizeof(a.ori), "%s", col_text(st, 2));
        a.level = (enum dg_level)level;
        a.category = (enum dg_category)category;
        a.count = (uint64_t)sqlite3_column_int64(st, 5);
        a.threshold = sqlite3_column_double(st, 6);
        a.baseline = sqlite3_column_double(st, 7);
        a.first_s = sqlite3_column_int64(st, 8);
        a.last_s = sqlite3_column_int64(st, 9);
        add_locked(s, &a);
    }
    pthread_mutex_unlock(&s->view_mu);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot read the alerts: %s",
                            sqlite3_errmsg(s->db));
    return 0;
}

/* ---- views ------------------------------------------------------------------------------------
 */

size_t dg_stats_alerts(struct dg_stats *s, struct dg_stats_alert *out, size_t max)
{
    pthread_mutex_lock(&s->view_mu);
    size_t n = s->nalerts;
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = s->alerts[n - 1 - i];
    pthread_mutex_unlock(&s->view_mu);
    return n;
}

int dg_stats_alert_json(const struct dg_stats_alert *a, struct dg_buf *out)
{
    char first[32], last[32];
    dg_time_iso(a->first_s * 1000000, first, sizeof(first));
    dg_time_iso(a->last_s * 1000000, last, sizeof(last));
    return dg_buf_printf(out,
                         "{\"kind\":\"%s\",\"description\":\"%s\",\"ori\":\"%s\",\"level\":\"%s\","
                         "\"category\":\"%s\",\"period\":\"%s\",\"count\":%llu,"
                         "\"threshold\":%.1f,\"baseline\":%.2f,\"first\":\"%s\",\"last\":\"%s\"}",
                         dg_stats_alert_kind_name(a->kind),
                         dg_stats_alert_kind_description(a->kind), a->ori, dg_level_name(a->level),
                         dg_category_name(a->category), a->period, (unsigned long long)a->count,
                         a->threshold, a->baseline, first, last);
}

int dg_stats_alerts_json(struct dg_stats *s, struct dg_buf *out)
{
    size_t n = dg_stats_alerts(s, NULL, 0);
    struct dg_stats_alert *v = dg_calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return DG_ENOMEM;
    n = dg_stats_alerts(s, v, n);
    int rc = dg_buf_addc(out, '[');
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = dg_buf_addc(out, ',');
        if (!rc)
            rc = dg_stats_alert_json(&v[i], out);
    }
    if (!rc)
        rc = dg_buf_addc(out, ']');
    dg_free(v);
    return rc;
}

int dg_stats_metrics(struct dg_stats *s, struct dg_buf *out)
{
    static const char *const keys[DG__NKEY] = {"DQ", "RQ", "IQ"};
    struct dg_stats_info info;
    dg_stats_info(s, &info);
    int rc = dg_buf_addstr(out, "# HELP dmvgate_stats_requests_total Requests decided since start,"
                                " by requester category, key and decision (as flushed).\n"
                                "# TYPE dmvgate_stats_requests_total counter\n");
    pthread_mutex_lock(&s->view_mu);
    for (int c = 0; c < DG__NCAT && !rc; c++)
        for (int k = 0; k < DG__NKEY && !rc; k++)
            for (int d = 0; d < DG__NDEC && !rc; d++)
                if (s->totals[c][k][d])
                    rc = dg_buf_printf(out,
                                       "dmvgate_stats_requests_total{category=\"%s\",key=\"%s\","
                                       "decision=\"%s\"} %llu\n",
                                       dg_category_name((enum dg_category)c), keys[k],
                                       dg_stats_decision_name((enum dg_stats_decision)d),
                                       (unsigned long long)s->totals[c][k][d]);
    unsigned by_kind[DG_ALERT__COUNT] = {0};
    for (size_t i = 0; i < s->nalerts; i++)
        by_kind[s->alerts[i].kind]++;
    if (!rc)
        rc = dg_buf_printf(
            out,
            "# HELP dmvgate_stats_invalid_total Requests counted with a value out of range.\n"
            "# TYPE dmvgate_stats_invalid_total counter\n"
            "dmvgate_stats_invalid_total %llu\n"
            "# HELP dmvgate_stats_other_agency_total Requests counted under agency (other).\n"
            "# TYPE dmvgate_stats_other_agency_total counter\n"
            "dmvgate_stats_other_agency_total %llu\n"
            "# HELP dmvgate_stats_flushes_total Flushes of the counters to the store.\n"
            "# TYPE dmvgate_stats_flushes_total counter\n"
            "dmvgate_stats_flushes_total %llu\n"
            "# HELP dmvgate_stats_flush_errors_total Flushes that could not write the store.\n"
            "# TYPE dmvgate_stats_flush_errors_total counter\n"
            "dmvgate_stats_flush_errors_total %llu\n"
            "# HELP dmvgate_stats_agencies Agencies in the counters' table.\n"
            "# TYPE dmvgate_stats_agencies gauge\n"
            "dmvgate_stats_agencies %u\n"
            "# HELP dmvgate_stats_alerts Anomaly alerts of the last 24 hours, by kind.\n"
            "# TYPE dmvgate_stats_alerts gauge\n",
            (unsigned long long)info.invalid, (unsigned long long)info.other_agencies,
            (unsigned long long)info.flushes, (unsigned long long)info.flush_errors, info.agencies);
    for (int k = 0; k < DG_ALERT__COUNT && !rc; k++)
        rc = dg_buf_printf(out, "dmvgate_stats_alerts{kind=\"%s\"} %u\n",
                           dg_stats_alert_kind_name((enum dg_stats_alert_kind)k), by_kind[k]);
    if (!rc)
        rc = dg_buf_addstr(out, "# HELP dmvgate_stats_alert One line per alert: the count that"
                                " crossed its threshold.\n"
                                "# TYPE dmvgate_stats_alert gauge\n");
    for (size_t i = s->nalerts; i-- > 0 && !rc;) {
        const struct dg_stats_alert *a = &s->alerts[i];
        rc = dg_buf_printf(out,
                           "dmvgate_stats_alert{kind=\"%s\",ori=\"%s\",category=\"%s\","
                           "period=\"%s\"} %llu\n",
                           dg_stats_alert_kind_name(a->kind), a->ori, dg_category_name(a->category),
                           a->period, (unsigned long long)a->count);
    }
    pthread_mutex_unlock(&s->view_mu);
    return rc;
}
