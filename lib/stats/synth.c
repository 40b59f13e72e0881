/*
 * synth.c - synthetic query traffic for demos, tests and benchmarks of the
 * transparency tools: who asks a state's node for what, when, and why,
 * shaped like the traffic DESIGN.md describes (mostly local police asking
 * for drivers and plates, a few percent federal, a sliver from agencies of
 * unrecorded type, more by day than by night), plus a few planted anomalies
 * so that the alerts and the dashboard have something to show.
 *
 * Deterministic: the same options give the same requests in the same order.
 * Requests come in time order except that an anomaly's requests are emitted
 * together when its hour is reached (all within that hour).
 */
#include "stats/stats_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Shares, in per mille of the base traffic, of requesters by category, for a
 * node's own state (out-of-state agencies are OUT_OF_STATE of the rest). */
static const unsigned cat_share[DG_CAT__COUNT] = {
    [DG_CAT_MUNICIPAL_POLICE] = 450,
    [DG_CAT_SHERIFF] = 250,
    [DG_CAT_STATE_POLICE] = 130,
    [DG_CAT_TRIBAL_POLICE] = 8,
    [DG_CAT_FEDERAL_LE] = 35,
    [DG_CAT_CORRECTIONS] = 25,
    [DG_CAT_COURT] = 30,
    [DG_CAT_PROSECUTOR] = 30,
    [DG_CAT_OTHER_LE] = 37,
    [DG_CAT_UNSPECIFIED] = 5,
};
#define OUT_OF_STATE 120 /* per mille of non-federal requests from other states */

struct episode {
    int64_t at;                /* start */
    unsigned n, emitted;       /* requests */
    const struct dg_agency *a; /* who */
    int kind;                  /* 0 name-only run, 1 photo burst, 2 volume spike */
};

struct dg_synth {
    struct dg_synth_options o;
    uint64_t rng;
    const struct dg_agency **in[DG_CAT__COUNT], **out[DG_CAT__COUNT];
    size_t nin[DG_CAT__COUNT], nout[DG_CAT__COUNT];
    uint64_t made;
    double t; /* time of the next base request, seconds */
    /* Arrival times: hour h of the range has weight w[h] (the diurnal
     * shape); request i comes at the point where the cumulative weight
     * reaches (i + u) / requests of the whole, so that exactly `requests`
     * fall in the range, in order, denser by day. */
    double *w, *cum; /* per hour; cum[h] = sum of w before hour h */
    unsigned hours, h;
    struct episode ep[3];
    int nep;
};

static uint64_t next_u64(struct dg_synth *g)
{
    /* splitmix64: small, fast, and good enough for synthetic traffic */
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static unsigned below(struct dg_synth *g, unsigned n)
{
    return (unsigned)(next_u64(g) % n);
}

static double uniform(struct dg_synth *g)
{
    return (double)(next_u64(g) >> 11) / 9007199254740992.0;
}

/* Busy agencies ask far more than quiet ones: a skewed pick. */
static const struct dg_agency *pick_in(struct dg_synth *g, const struct dg_agency **v, size_t n)
{
    size_t i = (size_t)((double)n * pow(uniform(g), 1.8));
    return v[i < n ? i : n - 1];
}

static const struct dg_agency *pick(struct dg_synth *g, int cat, bool out_of_state)
{
    if (out_of_state && g->nout[cat])
        return pick_in(g, g->out[cat], g->nout[cat]);
    if (g->nin[cat])
        return pick_in(g, g->in[cat], g->nin[cat]);
    if (g->nout[cat])
        return pick_in(g, g->out[cat], g->nout[cat]);
    return NULL;
}

/* Relative traffic by local hour: lowest around 2-3 am, highest mid-afternoon, mean 1. */
static double diurnal(int64_t t)
{
    char label[16];
    dg_stats_period(t, 'h', label);
    int h = (label[11] - '0') * 10 + (label[12] - '0');
    return 1.0 + 0.75 * cos((h - 14) * (2 * M_PI / 24));
}

static void fill(struct dg_synth *g, struct dg_synth_request *r, const struct dg_agency *a,
                 double t)
{
    memset(r, 0, sizeof(*r));
    r->agency = a;
    snprintf(r->dest, sizeof(r->dest), "%s", g->o.state);
    r->time_us = (int64_t)(t * 1e6);
    unsigned k = below(g, 1000);
    r->key = k < 620 ? DG_KEY_DQ : k < 970 ? DG_KEY_RQ : DG_KEY_IQ;
    r->name_search = r->key == DG_KEY_DQ && below(g, 100) < 12;
    r->photo = r->key == DG_KEY_IQ || (r->key == DG_KEY_DQ && below(g, 100) < 3);
    r->has_case = below(g, 100) < 40;
    unsigned p = below(g, 1000), l = below(g, 1000);
    bool ice = strcmp(a->component, "ICE-ERO") == 0, hsi = strcmp(a->component, "HSI") == 0;
    if (a->level == DG_LEVEL_FEDERAL) {
        r->purpose = ice   ? (p < 600 ? DG_PUR_IMMIGRATION : DG_PUR_CRIMINAL_JUSTICE)
                     : hsi ? (p < 200   ? DG_PUR_IMMIGRATION
                              : p < 900 ? DG_PUR_CRIMINAL_JUSTICE
                                        : DG_PUR_OTHER)
                           : (p < 900 ? DG_PUR_CRIMINAL_JUSTICE : DG_PUR_OTHER);
        r->leg = l < (ice ? 450u : 150u)   ? DG_LEG_ADMIN_WARRANT
                 : l < (ice ? 550u : 300u) ? DG_LEG_JUDICIAL_WARRANT
                 : l < 350                 ? DG_LEG_ADMIN_SUBPOENA
                                           : DG_LEG_NONE;
    } else {
        bool g287 = (a->agreements & DG_AGR_287G) != 0;
        r->purpose = g287 && p < 50 ? DG_PUR_IMMIGRATION
                     : p < 420      ? DG_PUR_TRAFFIC
                     : p < 900      ? DG_PUR_CRIMINAL_JUSTICE
                     : p < 930      ? DG_PUR_JUDICIAL
                     : p < 950      ? DG_PUR_EMPLOYMENT
                     : p < 970      ? DG_PUR_FIREARMS
                                    : DG_PUR_OTHER;
        if (a->category == DG_CAT_COURT)
            r->purpose = DG_PUR_JUDICIAL;
        r->leg = l < 20   ? DG_LEG_JUDICIAL_WARRANT
                 : l < 30 ? DG_LEG_COURT_ORDER
                 : l < 35 ? DG_LEG_GRAND_JURY_SUBPOENA
                          : DG_LEG_NONE;
    }
}

/* The time of base request number g->made (see struct dg_synth). */
static void next_time(struct dg_synth *g)
{
    double target = ((double)g->made + uniform(g)) / (double)g->o.requests * g->cum[g->hours];
    while (g->h + 1 < g->hours && g->cum[g->h + 1] <= target)
        g->h++;
    double frac = (target - g->cum[g->h]) / g->w[g->h];
    if (frac >= 1)
        frac = 0.999999;
    double t = (double)g->o.start_s + ((double)g->h + frac) * 3600.0;
    g->t = t > g->t ? t : g->t;
}

/* Local time h:05 on day d of the range (days counted in calendar days, so
 * that a daylight-saving change does not move the hour). */
static int64_t local_at(int64_t start, unsigned d, int h)
{
    time_t t = (time_t)start;
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_mday += (int)d;
    tm.tm_hour = h;
    tm.tm_min = 5;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

int dg_synth_new(const struct dg_synth_options *o, struct dg_synth **out, struct dg_error *err)
{
    if (!o->dir || !o->state || dg__dest_index(o->state) == DG_STATE_COUNT || !o->days ||
        o->days > 3660 || !o->requests)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "bad synthetic traffic options");
    struct dg_synth *g = dg_calloc(1, sizeof(*g));
    if (!g)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    g->o = *o;
    g->rng = o->seed ^ 0x5eed5eed5eedu;
    size_t n = dg_directory_count(o->dir);
    for (int c = 0; c < DG_CAT__COUNT; c++) {
        g->in[c] = dg_calloc(n ? n : 1, sizeof(*g->in[c]));
        g->out[c] = dg_calloc(n ? n : 1, sizeof(*g->out[c]));
        if (!g->in[c] || !g->out[c]) {
            dg_synth_free(g);
            return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct dg_agency *a = dg_directory_at(o->dir, i);
        int c = a->category;
        if (strcmp(a->state, o->state) == 0)
            g->in[c][g->nin[c]++] = a;
        else
            g->out[c][g->nout[c]++] = a;
    }
    if (!g->nin[DG_CAT_MUNICIPAL_POLICE] && !g->nout[DG_CAT_MUNICIPAL_POLICE]) {
        dg_synth_free(g);
        return dg_error_set(err, DG_EINVAL, NULL, -1, "the directory has no municipal police");
    }
    int64_t end = local_at(o->start_s, o->days, 0) - 300; /* local midnight after the range */
    g->hours = (unsigned)((end - o->start_s) / 3600);
    g->w = dg_calloc(g->hours ? g->hours : 1, sizeof(*g->w));
    g->cum = dg_calloc(g->hours + 1, sizeof(*g->cum));
    if (!g->hours || !g->w || !g->cum) {
        dg_synth_free(g);
        return dg_error_set(err, g->hours ? DG_ENOMEM : DG_EINVAL, NULL, -1,
                            "cannot lay out the traffic");
    }
    for (unsigned h = 0; h < g->hours; h++) {
        g->w[h] = diurnal(o->start_s + (int64_t)h * 3600);
        g->cum[h + 1] = g->cum[h] + g->w[h];
    }
    g->t = (double)o->start_s;
    next_time(g);
    if (o->anomalies) {
        /* One of each, in the first, middle and last day of the range. */
        const struct dg_agency *sheriff = pick(g, DG_CAT_SHERIFF, false);
        const struct dg_agency *fed = NULL;
        for (size_t i = 0; i < g->nin[DG_CAT_FEDERAL_LE] + g->nout[DG_CAT_FEDERAL_LE] && !fed;
             i++) {
            const struct dg_agency *a =
                i < g->nin[DG_CAT_FEDERAL_LE]
                    ? g->in[DG_CAT_FEDERAL_LE][i]
                    : g->out[DG_CAT_FEDERAL_LE][i - g->nin[DG_CAT_FEDERAL_LE]];
            if (strcmp(a->component, "HSI") == 0)
                fed = a;
        }
        const struct dg_agency *city = pick(g, DG_CAT_MUNICIPAL_POLICE, false);
        if (sheriff)
            g->ep[g->nep++] =
                (struct episode){local_at(o->start_s, o->days / 2, 2), 60, 0, sheriff, 0};
        if (fed)
            g->ep[g->nep++] =
                (struct episode){local_at(o->start_s, o->days - 1, 10), 45, 0, fed, 1};
        if (city)
            g->ep[g->nep++] = (struct episode){local_at(o->start_s, 0, 15), 400, 0, city, 2};
    }
    *out = g;
    return 0;
}

void dg_synth_free(struct dg_synth *g)
{
    if (!g)
        return;
    for (int c = 0; c < DG_CAT__COUNT; c++) {
        dg_free((void *)g->in[c]);
        dg_free((void *)g->out[c]);
    }
    dg_free(g->w);
    dg_free(g->cum);
    dg_free(g);
}

int dg_synth_next(struct dg_synth *g, struct dg_synth_request *r)
{
    /* An anomaly whose time has come goes first. */
    for (int i = 0; i < g->nep; i++) {
        struct episode *e = &g->ep[i];
        if (e->emitted < e->n && g->t >= (double)e->at && g->made < g->o.requests) {
            double t = (double)e->at + 3000.0 * e->emitted / e->n;
            fill(g, r, e->a, t);
            if (e->kind == 0) {
                r->key = DG_KEY_DQ;
                r->name_search = true;
                r->photo = false;
            } else if (e->kind == 1) {
                r->key = DG_KEY_IQ;
                r->photo = true;
                r->name_search = false;
            }
            e->emitted++;
            return 1;
        }
    }
    if (g->made >= g->o.requests)
        return 0;
    /* Who: a category by share, from this state or another. */
    unsigned x = below(g, 1000), acc = 0;
    int cat = DG_CAT_MUNICIPAL_POLICE;
    for (int c = 0; c < DG_CAT__COUNT; c++) {
        acc += cat_share[c];
        if (x < acc) {
            cat = c;
            break;
        }
    }
    bool away = cat != DG_CAT_FEDERAL_LE && below(g, 1000) < OUT_OF_STATE;
    const struct dg_agency *a = pick(g, cat, away);
    if (!a)
        a = pick(g, DG_CAT_MUNICIPAL_POLICE, away);
    fill(g, r, a, g->t);
    g->made++;
    if (g->made < g->o.requests)
        next_time(g);
    return 1;
}

void dg_synth_event(const struct dg_synth_request *r, enum dg_stats_decision d, const char *rule,
                    struct dg_stats_event *ev)
{
    dg_stats_event_init(ev, r->agency);
    ev->key = r->key;
    ev->dest = r->dest;
    ev->purpose = r->purpose;
    ev->leg = r->leg;
    ev->decision = d;
    ev->rule = rule;
    ev->photo = r->photo;
    ev->name_search = r->name_search;
}
