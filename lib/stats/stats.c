/*
 * stats.c - opening and closing lib/stats, its options, the background
 * flusher thread and dg_stats_flush().
 *
 * The flusher wakes every flush_ms and also just after each hour boundary
 * (so that an hour's counts are written under that hour), flushes, and goes
 * back to sleep on a condition variable that dg_stats_close() signals.
 */
#include "stats/stats_int.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

static _Atomic uint64_t next_gen = 1;

void dg_stats_options_init(struct dg_stats_options *o)
{
    memset(o, 0, sizeof(*o));
    o->max_agencies = 32768;
    o->max_rules = 1024;
    o->max_groups = 256;
    o->max_threads = 64;
    o->flush_ms = 5000;
    o->keep_hourly_days = 35;
    struct dg_stats_alert_rules *r = &o->alerts;
    r->baseline_days = 14;
    r->volume_min = 100;
    r->volume_factor = 5;
    r->volume_sigmas = 4;
    r->name_min = 25;
    r->name_share = 0.8;
    r->offhours_start = 22;
    r->offhours_end = 6;
    r->offhours_min = 30;
    r->offhours_factor = 3;
    r->photo_min = 20;
    r->photo_factor = 5;
}

static int check_options(const struct dg_stats_options *o, struct dg_error *err)
{
    const struct dg_stats_alert_rules *r = &o->alerts;
#define BAD(field, cond)                                                                           \
    if (cond)                                                                                      \
    return dg_error_set(err, DG_EINVAL, field, -1, "stats option '%s' out of range", field)
    BAD("max_agencies", o->max_agencies < 1 || o->max_agencies > DG__MAX_AGENCY);
    BAD("max_rules", o->max_rules < 1 || o->max_rules > 65536);
    BAD("max_groups", o->max_groups < 1 || o->max_groups > DG__NGROUP_MAX);
    BAD("max_threads", o->max_threads < 1 || o->max_threads > 1024);
    BAD("flush_ms", o->flush_ms > 3600 * 1000);
    BAD("keep_hourly_days", o->keep_hourly_days < 1 || o->keep_hourly_days > 3660);
    BAD("baseline_days", r->baseline_days > 366);
    BAD("volume_factor", !(r->volume_factor >= 0));
    BAD("volume_sigmas", !(r->volume_sigmas >= 0));
    BAD("name_share", !(r->name_share >= 0 && r->name_share <= 1));
    BAD("offhours_start", r->offhours_start > 23);
    BAD("offhours_end", r->offhours_end > 23);
    BAD("offhours_factor", !(r->offhours_factor >= 0));
    BAD("photo_factor", !(r->photo_factor >= 0));
#undef BAD
    return 0;
}

static void layout(struct dg__stats_layout *L, const struct dg_stats_options *o)
{
    L->nagency = o->max_agencies + 1;
    L->nrule = o->max_rules + 2;
    size_t at = 0;
    L->cube = at;
    at += DG__CUBE;
    L->agency = at;
    at += (size_t)L->nagency * DG__AG_STRIDE;
    L->dest = at;
    at += (size_t)DG__NDEST * DG__KD;
    L->rule = at;
    at += (size_t)L->nrule * DG__KD;
    L->ncells = at;
}

static void *flusher(void *arg)
{
    struct dg_stats *s = arg;
    pthread_mutex_lock(&s->stop_mu);
    while (!s->stop) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t next_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + s->opt.flush_ms;
        int64_t boundary_ms = (dg_stats_hour_start(now.tv_sec) + 3600) * 1000 + 200;
        if (boundary_ms < next_ms)
            next_ms = boundary_ms;
        struct timespec until = {.tv_sec = (time_t)(next_ms / 1000),
                                 .tv_nsec = (long)(next_ms % 1000) * 1000000};
        while (!s->stop && pthread_cond_timedwait(&s->stop_cv, &s->stop_mu, &until) != ETIMEDOUT)
            ;
        if (s->stop)
            break;
        pthread_mutex_unlock(&s->stop_mu);
        struct dg_error err;
        dg_error_clear(&err);
        if (dg_stats_flush(s, (int64_t)time(NULL), &err) != 0)
            dg_logf(DG_LOG_WARN, "stats_flush", "%s", err.msg);
        pthread_mutex_lock(&s->stop_mu);
    }
    pthread_mutex_unlock(&s->stop_mu);
    return NULL;
}

static void stats_free(struct dg_stats *s)
{
    dg__stats_finalize(s);
    dg__stats_shards_release(s);
    dg__oritab_release(&s->agencies);
    dg__strtab_release(&s->rules);
    dg__strtab_release(&s->groups);
    dg_free(s->pend);
    dg_free(s->hour);
    dg_free(s->touched);
    dg_free(s->touched_bit);
    dg_free(s->base);
    dg_free(s->group_sums);
    dg_free(s->alerts);
    pthread_mutex_destroy(&s->flush_mu);
    pthread_mutex_destroy(&s->view_mu);
    pthread_mutex_destroy(&s->stop_mu);
    pthread_cond_destroy(&s->stop_cv);
    dg_free(s);
}

int dg_stats_open(const struct dg_stats_options *o, struct dg_stats **out, struct dg_error *err)
{
    int rc = check_options(o, err);
    if (rc)
        return rc;
    struct dg_stats *s = dg_calloc(1, sizeof(*s));
    if (!s)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    s->opt = *o;
    s->gen = atomic_fetch_add(&next_gen, 1);
    pthread_mutex_init(&s->flush_mu, NULL);
    pthread_mutex_init(&s->view_mu, NULL);
    pthread_mutex_init(&s->stop_mu, NULL);
    pthread_cond_init(&s->stop_cv, NULL);
    layout(&s->lay, o);
    static const char *const reserved[] = {"(none)", "(other)"};
    /* Each table is made (and its mutex initialised) whatever happened to
     * the others, so that stats_free can release them all. */
    int r1 = dg__oritab_init(&s->agencies, o->max_agencies);
    int r2 = dg__strtab_init(&s->rules, o->max_rules, reserved, 2);
    int r3 = dg__strtab_init(&s->groups, o->max_groups, reserved, 2);
    rc = r1 ? r1 : r2 ? r2 : r3;
    if (!rc)
        rc = dg__stats_shards_init(s);
    if (!rc) {
        unsigned na = s->lay.nagency;
        s->pend = dg_calloc(s->lay.ncells, sizeof(*s->pend));
        s->hour = dg_calloc(na, sizeof(*s->hour));
        s->touched = dg_calloc(na, sizeof(*s->touched));
        s->touched_bit = dg_calloc(na, 1);
        s->base = dg_calloc(na, sizeof(*s->base));
        s->group_sums = dg_calloc((size_t)o->max_groups + 2, DG__KD * sizeof(*s->group_sums));
        if (!s->pend || !s->hour || !s->touched || !s->touched_bit || !s->base || !s->group_sums)
            rc = DG_ENOMEM;
    }
    if (rc == DG_ENOMEM)
        dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    if (!rc && o->store) {
        s->db = dg_store_sqlite(o->store);
        if (!s->db)
            rc = dg_error_set(err, DG_EINVAL, NULL, -1,
                              "statistics need the sqlite store backend, not '%s'",
                              dg_store_backend(o->store));
        if (!rc) {
            rc = dg_stats_migrate(o->store, err);
            rc = rc > 0 ? 0 : rc;
        }
        if (!rc)
            rc = dg__stats_prepare(s, err);
        if (!rc)
            rc = dg__stats_load_alerts(s, (int64_t)time(NULL), err);
    }
    if (!rc && o->flush_ms) {
        if (pthread_create(&s->thread, NULL, flusher, s) != 0)
            rc = dg_error_set(err, DG_EINTERNAL, NULL, -1, "cannot start the stats flusher");
        else
            s->thread_running = true;
    }
    if (rc) {
        stats_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int dg_stats_close(struct dg_stats *s, struct dg_error *err)
{
    if (!s)
        return 0;
    if (s->thread_running) {
        pthread_mutex_lock(&s->stop_mu);
        s->stop = true;
        pthread_cond_signal(&s->stop_cv);
        pthread_mutex_unlock(&s->stop_mu);
        pthread_join(s->thread, NULL);
    }
    int rc = dg_stats_flush(s, (int64_t)time(NULL), err);
    if (rc)
        dg_logf(DG_LOG_ERROR, "stats_close", "counts lost: %s", err ? err->msg : dg_strerror(rc));
    stats_free(s);
    return rc;
}

int dg_stats_flush(struct dg_stats *s, int64_t now_s, struct dg_error *err)
{
    pthread_mutex_lock(&s->flush_mu);
    int64_t t = now_s, hs = dg_stats_hour_start(now_s);
    /* Just past a boundary, what was counted since the previous flush
     * belongs to the hour before (see DG_STATS_SLACK_S in stats.h). */
    if (now_s - hs < DG_STATS_SLACK_S && s->cur_hour && s->cur_hour < hs)
        t = hs - 1;
    int rc = dg__stats_flush(s, t, err);
    pthread_mutex_unlock(&s->flush_mu);
    return rc;
}

int dg_stats_flush_at(struct dg_stats *s, int64_t t_s, struct dg_error *err)
{
    pthread_mutex_lock(&s->flush_mu);
    int rc = dg__stats_flush(s, t_s, err);
    pthread_mutex_unlock(&s->flush_mu);
    return rc;
}

void dg_stats_info(struct dg_stats *s, struct dg_stats_info *out)
{
    pthread_mutex_lock(&s->view_mu);
    *out = s->info;
    out->alerts = (unsigned)s->nalerts;
    pthread_mutex_unlock(&s->view_mu);
    out->agencies = atomic_load(&s->agencies.n) - 1;
    out->rules = atomic_load(&s->rules.n) - 2;
    out->groups = atomic_load(&s->groups.n) - 2;
    out->threads = atomic_load(&s->nshards);
}
