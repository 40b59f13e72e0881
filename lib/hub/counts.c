/*
 * counts.c - the network-level view: what the hub routes, by the requester's
 * category and department/component, the key (driver, registration, photo),
 * the destination and how each destination answered, and what the states'
 * blocks refused. Two forms: in-memory counters since the hub started (for
 * GET /metrics and GET /v1/hub/counts, one relaxed atomic add per leg), and
 * the transparency counters of lib/stats kept by hour, day and month in the
 * hub's store, which feed the hub's dashboard and `dmvgate report`.
 */
#include "hub_int.h"

#include <dmvgate/dashboard.h>
#include <dmvgate/stats.h>
#include <dmvgate/store.h>

#include <stdio.h>
#include <string.h>

#define NKEYS 3 /* DQ, RQ, IQ */
#define NDEC  DG_STATS_DECISION__COUNT

static int key_index(enum dg_key k)
{
    return k == DG_KEY_RQ ? 1 : k == DG_KEY_IQ ? 2 : 0;
}

static const enum dg_key keys[NKEYS] = {DG_KEY_DQ, DG_KEY_RQ, DG_KEY_IQ};

/* The department/component pairs of the directory, in directory order, as
 * far as DG__HUB_MAX_COMPONENTS; index ncomp is "none", ncomp + 1 "(other)". */
static void collect_components(struct dg__hub_counts *c, const struct dg_directory *d)
{
    for (size_t i = 0; i < dg_directory_count(d); i++) {
        const struct dg_agency *a = dg_directory_at(d, i);
        if (!a->department[0] && !a->component[0])
            continue;
        int k = 0;
        while (k < c->ncomp && !(strcmp(c->comp[k][0], a->department) == 0 &&
                                 strcmp(c->comp[k][1], a->component) == 0))
            k++;
        if (k == c->ncomp && c->ncomp < DG__HUB_MAX_COMPONENTS) {
            memcpy(c->comp[k][0], a->department, sizeof(c->comp[k][0]));
            memcpy(c->comp[k][1], a->component, sizeof(c->comp[k][1]));
            c->ncomp++;
        }
    }
}

static int comp_index(const struct dg__hub_counts *c, const struct dg_agency *a)
{
    if (!a->department[0] && !a->component[0])
        return c->ncomp;
    for (int k = 0; k < c->ncomp; k++)
        if (strcmp(c->comp[k][0], a->department) == 0 && strcmp(c->comp[k][1], a->component) == 0)
            return k;
    return c->ncomp + 1;
}

int dg__hub_counts_open(struct dg_hub *h, struct dg_error *err)
{
    struct dg__hub_counts *c = &h->counts;
    size_t nd = (size_t)h->nroutes + 1;
    collect_components(c, h->dir);
    c->by_category = dg_calloc((size_t)DG_CAT__COUNT * NKEYS * nd * NDEC, sizeof(atomic_ullong));
    c->by_component = dg_calloc((size_t)(c->ncomp + 2) * NKEYS * nd, sizeof(atomic_ullong));
    c->blocked = dg_calloc(nd * DG_BLOCK__COUNT, sizeof(atomic_ullong));
    if (!c->by_category || !c->by_component || !c->blocked)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "out of memory for the routing counts");

    const struct dg_config *cfg = h->cfg;
    if (cfg->store[0]) {
        int rc = dg_store_open(cfg->store, DG_STORE_CREATE, &h->stats_store, err);
        if (rc == 0) {
            struct dg_stats_options so;
            dg_stats_options_init(&so);
            so.store = h->stats_store;
            rc = dg_stats_open(&so, &h->stats, err);
        }
        if (rc != 0) {
            if (err)
                snprintf(err->field, sizeof(err->field), "store");
            return rc;
        }
    }
    struct dg_dashboard_options d = {
        .store = h->stats ? cfg->store : NULL,
        .title = "Interstate hub: routed queries",
        .stats = h->stats,
        .dev_mode = cfg->dev_mode,
    };
    return dg_dashboard_add(h->srv, &d, &h->dash, err);
}

void dg__hub_counts_close(struct dg_hub *h)
{
    dg_dashboard_free(h->dash);
    h->dash = NULL;
    if (h->stats) {
        struct dg_error e;
        if (dg_stats_close(h->stats, &e) != 0)
            dg_log(DG_LOG_ERROR, "stats_close_failed", "msg", e.msg, NULL);
        h->stats = NULL;
    }
    dg_store_close(h->stats_store);
    h->stats_store = NULL;
    dg_free(h->counts.by_category);
    dg_free(h->counts.by_component);
    dg_free(h->counts.blocked);
    memset(&h->counts, 0, sizeof(h->counts));
}

/* How a destination answered one leg, as counted. */
static enum dg_stats_decision leg_decision(const struct leg *l)
{
    if (l->blocked)
        return l->audit_rc ? DG_STATS_ERROR : DG_STATS_DENY;
    if (!l->url || l->cc != CURLE_OK || l->status == 0)
        return DG_STATS_ERROR;
    return dg_stats_decision_of_status((int)l->status);
}

void dg__hub_count_job(struct dg_hub *h, const struct job *j)
{
    struct dg__hub_counts *c = &h->counts;
    if (!c->by_category || !j->agency)
        return;
    size_t nd = (size_t)h->nroutes + 1;
    int cat = (int)j->agency->category, key = key_index(j->msg.key);
    int comp = comp_index(c, j->agency);
    for (int i = 0; i < j->nlegs; i++) {
        const struct leg *l = &j->legs[i];
        size_t dest = l->route >= 0 ? (size_t)l->route : nd - 1;
        enum dg_stats_decision d = leg_decision(l);
        atomic_fetch_add_explicit(&c->by_category[((cat * NKEYS + key) * nd + dest) * NDEC + d], 1,
                                  memory_order_relaxed);
        atomic_fetch_add_explicit(&c->by_component[(comp * NKEYS + key) * nd + dest], 1,
                                  memory_order_relaxed);
        if (h->stats) {
            struct dg_stats_event ev;
            if (dg_stats_event_from_msg(&ev, j->agency, &j->msg, l->dest, d,
                                        l->blocked ? l->block_rule : NULL) == 0)
                dg_stats_count(h->stats, &ev);
        }
    }
}

/* ---- the two views ------------------------------------------------------------------ */

static const char *dest_name(const struct dg_hub *h, size_t i)
{
    return i < (size_t)h->nroutes ? h->routes[i].state : "other";
}

static void comp_names(const struct dg__hub_counts *c, int k, const char **dep, const char **cmp)
{
    if (k < c->ncomp) {
        *dep = c->comp[k][0];
        *cmp = c->comp[k][1];
    } else {
        *dep = "";
        *cmp = k == c->ncomp ? "" : "(other)";
    }
}

static unsigned long long get(atomic_ullong *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

/* One non-zero count with its labels, written as a Prometheus line
 * (metric{name="value",...} n) or as a JSON object ({"name":"value",...,
 * "count":n}, comma-separated after the first). */
struct emitter {
    struct dg_buf *b;
    bool json, first;
    const char *metric;
};

static int emit(struct emitter *em, const char *const *names, const char *const *vals, int nl,
                unsigned long long n)
{
    int rc = em->json ? dg_buf_addstr(em->b, em->first ? "{" : ",{")
                      : dg_buf_printf(em->b, "%s{", em->metric);
    for (int i = 0; rc == 0 && i < nl; i++)
        rc = dg_buf_printf(em->b, em->json ? "%s\"%s\":\"%s\"" : "%s%s=\"%s\"", i ? "," : "",
                           names[i], vals[i]);
    if (rc == 0)
        rc = em->json ? dg_buf_printf(em->b, ",\"count\":%llu}", n)
                      : dg_buf_printf(em->b, "} %llu\n", n);
    em->first = false;
    return rc;
}

static int walk_category(struct dg_hub *h, struct emitter *em)
{
    static const char *const names[] = {"category", "key", "dest", "decision"};
    size_t nd = (size_t)h->nroutes + 1;
    int rc = 0;
    for (int cat = 0; rc == 0 && cat < DG_CAT__COUNT; cat++)
        for (int k = 0; rc == 0 && k < NKEYS; k++)
            for (size_t d = 0; rc == 0 && d < nd; d++)
                for (int dec = 0; rc == 0 && dec < NDEC; dec++) {
                    unsigned long long n =
                        get(&h->counts.by_category[((cat * NKEYS + k) * nd + d) * NDEC + dec]);
                    const char *vals[] = {dg_category_name((enum dg_category)cat),
                                          dg_key_name(keys[k]), dest_name(h, d),
                                          dg_stats_decision_name((enum dg_stats_decision)dec)};
                    if (n)
                        rc = emit(em, names, vals, 4, n);
                }
    return rc;
}

static int walk_component(struct dg_hub *h, struct emitter *em)
{
    static const char *const names[] = {"department", "component", "key", "dest"};
    struct dg__hub_counts *c = &h->counts;
    size_t nd = (size_t)h->nroutes + 1;
    int rc = 0;
    for (int k = 0; rc == 0 && k < c->ncomp + 2; k++)
        for (int key = 0; rc == 0 && key < NKEYS; key++)
            for (size_t d = 0; rc == 0 && d < nd; d++) {
                unsigned long long n = get(&c->by_component[(k * NKEYS + key) * nd + d]);
                const char *vals[4];
                comp_names(c, k, &vals[0], &vals[1]);
                vals[2] = dg_key_name(keys[key]);
                vals[3] = dest_name(h, d);
                if (n)
                    rc = emit(em, names, vals, 4, n);
            }
    return rc;
}

static int walk_blocked(struct dg_hub *h, struct emitter *em)
{
    static const char *const names[] = {"dest", "kind"};
    size_t nd = (size_t)h->nroutes + 1;
    int rc = 0;
    for (size_t d = 0; rc == 0 && d < nd; d++)
        for (int k = 0; rc == 0 && k < DG_BLOCK__COUNT; k++) {
            unsigned long long n = get(&h->counts.blocked[d * DG_BLOCK__COUNT + (size_t)k]);
            const char *vals[] = {dest_name(h, d),
                                  dg_hub_block_kind_name((enum dg_hub_block_kind)k)};
            if (n)
                rc = emit(em, names, vals, 2, n);
        }
    return rc;
}

static void reply(struct dg_req *req, int rc, struct dg_buf *b, const char *ctype)
{
    if (rc != 0)
        dg_req_error(req, 503, rc, "cannot render the counts");
    else
        dg_req_reply(req, 200, ctype, b->data, b->len);
    dg_buf_release(b);
}

void dg__hub_metrics(struct dg_req *req, void *arg)
{
    struct dg_hub *h = arg;
    struct dg_buf b;
    dg_buf_init(&b, 8u << 20);
    pthread_rwlock_rdlock(&h->blocks_lock);
    size_t nblocks = dg_hub_blocks_count(h->blocks);
    pthread_rwlock_unlock(&h->blocks_lock);
    int rc = dg_buf_printf(
        &b,
        "# TYPE dmvgate_hub_forwarded_total counter\ndmvgate_hub_forwarded_total %llu\n"
        "# TYPE dmvgate_hub_refused_total counter\ndmvgate_hub_refused_total %llu\n"
        "# TYPE dmvgate_hub_failed_legs_total counter\ndmvgate_hub_failed_legs_total %llu\n"
        "# TYPE dmvgate_hub_blocked_legs_total counter\ndmvgate_hub_blocked_legs_total %llu\n"
        "# TYPE dmvgate_hub_blocks gauge\ndmvgate_hub_blocks %zu\n"
        "# TYPE dmvgate_hub_blocks_reloads_total counter\ndmvgate_hub_blocks_reloads_total %llu\n",
        get(&h->forwarded), get(&h->refused), get(&h->failed_legs), get(&h->blocked_legs), nblocks,
        get(&h->blocks_reloads));
    struct emitter em = {&b, false, true, "dmvgate_hub_routed_total"};
    if (rc == 0)
        rc = dg_buf_addstr(&b, "# HELP dmvgate_hub_routed_total Legs routed since start, by the "
                               "requester's category, key, destination and its answer.\n"
                               "# TYPE dmvgate_hub_routed_total counter\n");
    if (rc == 0)
        rc = walk_category(h, &em);
    em.metric = "dmvgate_hub_routed_component_total";
    if (rc == 0)
        rc = dg_buf_addstr(&b, "# HELP dmvgate_hub_routed_component_total Legs routed since "
                               "start, by the requester's department and component.\n"
                               "# TYPE dmvgate_hub_routed_component_total counter\n");
    if (rc == 0)
        rc = walk_component(h, &em);
    em.metric = "dmvgate_hub_blocked_total";
    if (rc == 0)
        rc = dg_buf_addstr(&b, "# TYPE dmvgate_hub_blocked_total counter\n");
    if (rc == 0)
        rc = walk_blocked(h, &em);
    if (rc == 0 && h->stats)
        rc = dg_stats_metrics(h->stats, &b);
    reply(req, rc, &b, "text/plain; version=0.0.4");
}

void dg__hub_counts_json(struct dg_req *req, void *arg)
{
    struct dg_hub *h = arg;
    struct dg_buf b;
    dg_buf_init(&b, 16u << 20);
    int rc = dg_buf_printf(&b,
                           "{\"forwarded\":%llu,\"refused\":%llu,\"failed_legs\":%llu,"
                           "\"blocked_legs\":%llu,\"by_category\":[",
                           get(&h->forwarded), get(&h->refused), get(&h->failed_legs),
                           get(&h->blocked_legs));
    struct emitter em = {&b, true, true, NULL};
    if (rc == 0)
        rc = walk_category(h, &em);
    em.first = true;
    if (rc == 0)
        rc = dg_buf_addstr(&b, "],\"by_component\":[");
    if (rc == 0)
        rc = walk_component(h, &em);
    em.first = true;
    if (rc == 0)
        rc = dg_buf_addstr(&b, "],\"blocked\":[");
    if (rc == 0)
        rc = walk_blocked(h, &em);
    if (rc == 0)
        rc = dg_buf_addstr(&b, "]}\n");
    reply(req, rc, &b, "application/json");
}
