/*
 * flush.c - adding up the shards and writing the counts to the store.
 *
 * A flush reads every shard's cells, takes the difference from its previous
 * reading into the pending sums (64-bit), updates the current hour's
 * per-agency counts for the anomaly checks and the totals /metrics shows,
 * and writes the pending sums as upserts (n = n + new) of the hour, day and
 * month rows in one transaction. When the write fails the pending sums stay
 * and the next flush writes them (into its own hour). Flushes are
 * serialised by flush_mu; counting threads never wait for them.
 */
#include "stats/stats_int.h"

#include <sqlite3.h>
#include <string.h>

static const char *const st_sql[DG__ST__COUNT] = {
    [DG__ST_FLOW] = "INSERT INTO stats_flow (gran, period, category, key, purpose, leg, decision,"
                    " photo, name_search, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                    " ON CONFLICT (gran, period, category, key, purpose, leg, decision, photo,"
                    " name_search) DO UPDATE SET n = n + excluded.n",
    [DG__ST_DIM] = "INSERT INTO stats_dim (gran, period, dim, value, key, decision, n)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (gran, period, dim, value,"
                   " key, decision) DO UPDATE SET n = n + excluded.n",
    [DG__ST_AGENCY] =
        "INSERT INTO stats_agency (gran, period, ori, level, category, department, component,"
        " dq, rq, iq, allow, deny, review, error, name_search, photo, immigration)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        " ON CONFLICT (gran, period, ori) DO UPDATE SET level = excluded.level,"
        " category = excluded.category, department = excluded.department,"
        " component = excluded.component, dq = dq + excluded.dq, rq = rq + excluded.rq,"
        " iq = iq + excluded.iq, allow = allow + excluded.allow, deny = deny + excluded.deny,"
        " review = review + excluded.review, error = error + excluded.error,"
        " name_search = name_search + excluded.name_search, photo = photo + excluded.photo,"
        " immigration = immigration + excluded.immigration",
    [DG__ST_ALERT] =
        "INSERT INTO stats_alert (period, kind, ori, level, category, count, threshold,"
        " baseline, first_s, last_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " ON CONFLICT (period, kind, ori) DO UPDATE SET count = excluded.count,"
        " threshold = excluded.threshold, baseline = excluded.baseline,"
        " last_s = excluded.last_s",
    [DG__ST_PRUNE_FLOW] = "DELETE FROM stats_flow WHERE gran = 'h' AND period < ?1",
    [DG__ST_PRUNE_DIM] = "DELETE FROM stats_dim WHERE gran = 'h' AND period < ?1",
    [DG__ST_PRUNE_AGENCY] = "DELETE FROM stats_agency WHERE gran = 'h' AND period < ?1",
};

static const char *const key_names[DG__NKEY] = {"DQ", "RQ", "IQ"};

static int db_error(struct dg_stats *s, struct dg_error *err, const char *what)
{
    return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot %s: %s", what, sqlite3_errmsg(s->db));
}

int dg__stats_prepare(struct dg_stats *s, struct dg_error *err)
{
    for (int i = 0; i < DG__ST__COUNT; i++)
        if (sqlite3_prepare_v3(s->db, st_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) !=
            SQLITE_OK)
            return db_error(s, err, "prepare the stats statements");
    return 0;
}

void dg__stats_finalize(struct dg_stats *s)
{
    for (int i = 0; i < DG__ST__COUNT; i++) {
        sqlite3_finalize(s->st[i]);
        s->st[i] = NULL;
    }
}

/* Run a prepared statement to completion and reset it. */
static int step(struct dg_stats *s, sqlite3_stmt *st, struct dg_error *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : db_error(s, err, what);
}

/* ---- adding up ------------------------------------------------------------------------- */

static void touch(struct dg_stats *s, uint32_t ag)
{
    if (!s->touched_bit[ag]) {
        s->touched_bit[ag] = 1;
        s->touched[s->ntouched++] = ag;
    }
}

/* Add the cells [from, to) of a shard to the pending sums; returns true when
 * any changed. The callers handle what the cells mean. */
static inline uint32_t take(struct dg_stats *s, struct dg__stats_shard *sh, size_t c)
{
    uint32_t cur = atomic_load_explicit(&sh->cell[c], memory_order_relaxed);
    uint32_t d = cur - sh->prev[c];
    if (d) {
        sh->prev[c] = cur;
        s->pend[c] += d;
        s->pend_nonzero = true;
    }
    return d;
}

/* Only the regions in use are read: the agency and rule cells of entries
 * made so far (an entry made after these loads is read at the next flush;
 * the cells are cumulative, so nothing is lost). */
static void gather_shard(struct dg_stats *s, struct dg__stats_shard *sh, unsigned nag,
                         unsigned nrules, uint64_t totals[DG__NCAT][DG__NKEY][DG__NDEC],
                         uint64_t *counted)
{
    const struct dg__stats_layout *L = &s->lay;
    for (size_t i = 0; i < DG__CUBE; i++) {
        uint32_t d = take(s, sh, L->cube + i);
        if (d) {
            int cat, key, pur, leg, dec, flags;
            dg__stats_cube_decode(i, &cat, &key, &pur, &leg, &dec, &flags);
            totals[cat][key][dec] += d;
            *counted += d;
        }
    }
    for (uint32_t ag = 0; ag < nag; ag++) {
        size_t base = L->agency + (size_t)ag * DG__AG_STRIDE;
        struct dg__stats_hour *h = &s->hour[ag];
        for (size_t f = 0; f < DG__AG_STRIDE; f++) {
            uint32_t d = take(s, sh, base + f);
            if (!d)
                continue;
            if (f < DG__KD) {
                h->total += d;
                if (f < DG__NDEC) /* key DQ */
                    h->dq += d;
                touch(s, ag);
            } else if (f == DG__AG_NAME)
                h->name += d;
            else if (f == DG__AG_PHOTO)
                h->photo += d;
        }
    }
    for (size_t i = 0; i < (size_t)DG__NDEST * DG__KD; i++)
        take(s, sh, L->dest + i);
    for (size_t i = 0; i < (size_t)nrules * DG__KD; i++)
        take(s, sh, L->rule + i);
}

static void gather(struct dg_stats *s)
{
    static uint64_t zero[DG__NCAT][DG__NKEY][DG__NDEC];
    uint64_t totals[DG__NCAT][DG__NKEY][DG__NDEC];
    memcpy(totals, zero, sizeof(totals));
    uint64_t counted = 0;
    unsigned nag = atomic_load_explicit(&s->agencies.n, memory_order_acquire);
    unsigned nrules = atomic_load_explicit(&s->rules.n, memory_order_acquire);
    unsigned n = atomic_load_explicit(&s->nshards, memory_order_acquire);
    for (unsigned i = 0; i < n; i++)
        gather_shard(s, &s->shards[i], nag, nrules, totals, &counted);
    gather_shard(s, &s->shards[s->opt.max_threads], nag, nrules, totals, &counted);
    s->pend_nag = nag > s->pend_nag ? nag : s->pend_nag;
    s->pend_nrules = nrules > s->pend_nrules ? nrules : s->pend_nrules;

    const struct dg__stats_layout *L = &s->lay;
    uint64_t invalid = s->pend[L->agency + DG__AG_INVALID];
    uint64_t other = 0;
    for (int kd = 0; kd < DG__KD; kd++)
        other += s->pend[L->agency + (size_t)kd];

    pthread_mutex_lock(&s->view_mu);
    for (int c = 0; c < DG__NCAT; c++)
        for (int k = 0; k < DG__NKEY; k++)
            for (int d = 0; d < DG__NDEC; d++)
                s->totals[c][k][d] += totals[c][k][d];
    s->info.counted += counted;
    /* Slot 0 ("(other)") and the invalid cell are read from pend, which is
     * reset after each write: add what this flush brought. */
    s->info.invalid += invalid - s->pend_invalid_seen;
    s->info.other_agencies += other - s->pend_other_seen;
    pthread_mutex_unlock(&s->view_mu);
    s->pend_invalid_seen = invalid;
    s->pend_other_seen = other;
}

/* ---- writing --------------------------------------------------------------------------------- */

/* Write one dimension: cells holds nvalues x key x decision counts. */
static int write_dim(struct dg_stats *s, const char *const labels[3], const char *dim,
                     const uint64_t *cells, unsigned nvalues,
                     const char *(*name)(struct dg_stats *, unsigned), struct dg_error *err)
{
    sqlite3_stmt *st = s->st[DG__ST_DIM];
    for (unsigned v = 0; v < nvalues; v++)
        for (int kd = 0; kd < DG__KD; kd++) {
            uint64_t n = cells[(size_t)v * DG__KD + (size_t)kd];
            if (!n)
                continue;
            for (int g = 0; g < 3; g++) {
                sqlite3_bind_text(st, 1, &"hdm"[g], 1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, labels[g], -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 3, dim, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 4, name(s, v), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 5, key_names[kd / DG__NDEC], -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 6, dg_stats_decision_name(kd % DG__NDEC), -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 7, (sqlite3_int64)n);
                int rc = step(s, st, err, "write the stats");
                if (rc)
                    return rc;
            }
        }
    return 0;
}

static const char *level_value(struct dg_stats *s, unsigned v)
{
    (void)s;
    return dg_level_name((enum dg_level)v);
}

static const char *dest_value(struct dg_stats *s, unsigned v)
{
    (void)s;
    return v < DG_STATE_COUNT ? dg_state_code((int)v) : "other";
}

static const char *rule_value(struct dg_stats *s, unsigned v)
{
    return s->rules.str[v];
}

static const char *group_value(struct dg_stats *s, unsigned v)
{
    return s->groups.str[v];
}

static int write_flow(struct dg_stats *s, const char *const labels[3], struct dg_error *err)
{
    sqlite3_stmt *st = s->st[DG__ST_FLOW];
    for (size_t i = 0; i < DG__CUBE; i++) {
        uint64_t n = s->pend[s->lay.cube + i];
        if (!n)
            continue;
        int cat, key, pur, leg, dec, flags;
        dg__stats_cube_decode(i, &cat, &key, &pur, &leg, &dec, &flags);
        for (int g = 0; g < 3; g++) {
            sqlite3_bind_text(st, 1, &"hdm"[g], 1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, labels[g], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, dg_category_name((enum dg_category)cat), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, key_names[key], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, dg_purpose_name((enum dg_purpose)pur), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 6, dg_leg_name((enum dg_leg)leg), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 7, dg_stats_decision_name((enum dg_stats_decision)dec), -1,
                              SQLITE_STATIC);
            sqlite3_bind_int(st, 8, (flags & DG__FLAG_PHOTO) != 0);
            sqlite3_bind_int(st, 9, (flags & DG__FLAG_NAME) != 0);
            sqlite3_bind_int64(st, 10, (sqlite3_int64)n);
            int rc = step(s, st, err, "write the stats");
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int write_agencies(struct dg_stats *s, const char *const labels[3], struct dg_error *err)
{
    sqlite3_stmt *st = s->st[DG__ST_AGENCY];
    unsigned n = atomic_load_explicit(&s->agencies.n, memory_order_acquire);
    for (unsigned ag = 0; ag < n; ag++) {
        const uint64_t *c = &s->pend[s->lay.agency + (size_t)ag * DG__AG_STRIDE];
        uint64_t by_key[DG__NKEY] = {0}, by_dec[DG__NDEC] = {0};
        for (int kd = 0; kd < DG__KD; kd++) {
            by_key[kd / DG__NDEC] += c[kd];
            by_dec[kd % DG__NDEC] += c[kd];
        }
        if (!(by_key[0] | by_key[1] | by_key[2]))
            continue;
        const struct dg__agency_attr *a = &s->agencies.attr[ag];
        const char *grp = s->groups.str[a->group];
        const char *slash = strchr(grp, '/');
        size_t dlen = a->group == DG__GROUP_NONE ? 0 : slash ? (size_t)(slash - grp) : strlen(grp);
        const char *comp = a->group != DG__GROUP_NONE && slash ? slash + 1 : "";
        for (int g = 0; g < 3; g++) {
            sqlite3_bind_text(st, 1, &"hdm"[g], 1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, labels[g], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, a->ori, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, dg_level_name((enum dg_level)a->level), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, dg_category_name((enum dg_category)a->category), -1,
                              SQLITE_STATIC);
            sqlite3_bind_text(st, 6, grp, (int)dlen, SQLITE_STATIC);
            sqlite3_bind_text(st, 7, comp, -1, SQLITE_STATIC);
            int col = 8;
            for (int k = 0; k < DG__NKEY; k++)
                sqlite3_bind_int64(st, col++, (sqlite3_int64)by_key[k]);
            for (int d = 0; d < DG__NDEC; d++)
                sqlite3_bind_int64(st, col++, (sqlite3_int64)by_dec[d]);
            for (int k = DG__AG_NAME; k < DG__AG__COUNT; k++)
                sqlite3_bind_int64(st, col++, (sqlite3_int64)c[k]);
            int rc = step(s, st, err, "write the stats");
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int exec(struct dg_stats *s, const char *sql, struct dg_error *err)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_error(s, err, sql);
}

static int write_pending(struct dg_stats *s, int64_t hour, struct dg_error *err)
{
    char h[16], d[16], m[16];
    dg_stats_period(hour, 'h', h);
    dg_stats_period(hour, 'd', d);
    dg_stats_period(hour, 'm', m);
    const char *const labels[3] = {h, d, m};
    const struct dg__stats_layout *L = &s->lay;

    /* Levels and departments/components from the agencies' cells. */
    uint64_t level[DG__NLEVEL * DG__KD] = {0};
    unsigned ngroups = atomic_load_explicit(&s->groups.n, memory_order_acquire);
    memset(s->group_sums, 0, (size_t)ngroups * DG__KD * sizeof(*s->group_sums));
    unsigned nag = atomic_load_explicit(&s->agencies.n, memory_order_acquire);
    for (unsigned ag = 0; ag < nag; ag++) {
        const uint64_t *c = &s->pend[L->agency + (size_t)ag * DG__AG_STRIDE];
        const struct dg__agency_attr *a = &s->agencies.attr[ag];
        for (int kd = 0; kd < DG__KD; kd++) {
            level[a->level * DG__KD + kd] += c[kd];
            s->group_sums[(size_t)a->group * DG__KD + (size_t)kd] += c[kd];
        }
    }

    int rc = exec(s, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = write_flow(s, labels, err);
    if (!rc)
        rc = write_agencies(s, labels, err);
    if (!rc)
        rc = write_dim(s, labels, "level", level, DG__NLEVEL, level_value, err);
    if (!rc)
        rc = write_dim(s, labels, "dest", s->pend + L->dest, DG__NDEST, dest_value, err);
    if (!rc)
        rc = write_dim(s, labels, "rule", s->pend + L->rule,
                       atomic_load_explicit(&s->rules.n, memory_order_acquire), rule_value, err);
    if (!rc)
        rc = write_dim(s, labels, "component", s->group_sums, ngroups, group_value, err);
    if (!rc)
        rc = exec(s, "COMMIT", err);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int prune(struct dg_stats *s, int64_t hour, struct dg_error *err)
{
    char before[16];
    dg_stats_period(hour - (int64_t)s->opt.keep_hourly_days * 86400, 'h', before);
    for (int i = DG__ST_PRUNE_FLOW; i <= DG__ST_PRUNE_AGENCY; i++) {
        sqlite3_bind_text(s->st[i], 1, before, -1, SQLITE_STATIC);
        int rc = step(s, s->st[i], err, "delete old hourly stats");
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- one flush ---------------------------------------------------------------------------------
 */

static void new_hour(struct dg_stats *s, int64_t hour, struct dg_error *err)
{
    for (unsigned i = 0; i < s->ntouched; i++) {
        uint32_t ag = s->touched[i];
        s->touched_bit[ag] = 0;
        memset(&s->hour[ag], 0, sizeof(s->hour[ag]));
    }
    s->ntouched = 0;
    s->cur_hour = hour;
    dg_stats_period(hour, 'h', s->cur_label);
    if (s->db) {
        if (prune(s, hour, err) != 0)
            dg_logf(DG_LOG_WARN, "stats_prune", "%s", err ? err->msg : "failed");
        if (s->opt.alerts.baseline_days && dg__stats_load_baselines(s, err) != 0)
            dg_logf(DG_LOG_WARN, "stats_baseline", "%s", err ? err->msg : "failed");
    }
}

int dg__stats_flush(struct dg_stats *s, int64_t t_attr, struct dg_error *err)
{
    int64_t hour = dg_stats_hour_start(t_attr);
    if (hour != s->cur_hour)
        new_hour(s, hour, err);
    gather(s);
    int rc = 0;
    if (s->db && s->pend_nonzero) {
        rc = write_pending(s, hour, err);
    }
    if (rc == 0) {
        /* Zero what was gathered into: the cube, the agencies and rules in
         * use, the destinations (not the whole, mostly unused, array). */
        const struct dg__stats_layout *L = &s->lay;
        memset(s->pend + L->cube, 0, DG__CUBE * sizeof(*s->pend));
        memset(s->pend + L->agency, 0, (size_t)s->pend_nag * DG__AG_STRIDE * sizeof(*s->pend));
        memset(s->pend + L->dest, 0, (size_t)DG__NDEST * DG__KD * sizeof(*s->pend));
        memset(s->pend + L->rule, 0, (size_t)s->pend_nrules * DG__KD * sizeof(*s->pend));
        s->pend_nag = s->pend_nrules = 0;
        s->pend_nonzero = false;
        s->pend_invalid_seen = 0;
        s->pend_other_seen = 0;
    }
    if (s->opt.alerts.baseline_days)
        dg__stats_check_alerts(s, t_attr);
    pthread_mutex_lock(&s->view_mu);
    s->info.flushes++;
    if (rc)
        s->info.flush_errors++;
    pthread_mutex_unlock(&s->view_mu);
    return rc;
}
