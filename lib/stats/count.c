/*
 * count.c - the hot path of lib/stats: per-thread shards of counters and
 * dg_stats_count().
 *
 * Each counting thread gets its own shard, a flat array of 32-bit cells in
 * the layout of stats_int.h. Only the owning thread writes a shard, so an
 * increment is a relaxed atomic load and a relaxed atomic store of the same
 * cell: plain moves on the usual machines, no locked instruction, no cache
 * line shared with another writer. The flusher reads the cells with relaxed
 * loads and works with differences from its previous reading, so the cells
 * may wrap around (32 bits are plenty between two flushes).
 *
 * A thread finds its shard through a thread-local cache keyed by the stats
 * instance's generation number. When a shard cannot be made (max_threads
 * reached, or no memory), the thread counts into the one shared shard with
 * atomic additions: slower, still correct.
 */
#include "stats/stats_int.h"

#include <string.h>

size_t dg__stats_cube_index(int cat, int key, int pur, int leg, int dec, int flags)
{
    return (((((size_t)cat * DG__NKEY + (size_t)key) * DG__NPUR + (size_t)pur) * DG__NLEG +
             (size_t)leg) *
                DG__NDEC +
            (size_t)dec) *
               DG__NFLAG +
           (size_t)flags;
}

void dg__stats_cube_decode(size_t i, int *cat, int *key, int *pur, int *leg, int *dec, int *flags)
{
    *flags = (int)(i % DG__NFLAG);
    i /= DG__NFLAG;
    *dec = (int)(i % DG__NDEC);
    i /= DG__NDEC;
    *leg = (int)(i % DG__NLEG);
    i /= DG__NLEG;
    *pur = (int)(i % DG__NPUR);
    i /= DG__NPUR;
    *key = (int)(i % DG__NKEY);
    *cat = (int)(i / DG__NKEY);
}

static void shard_release(struct dg__stats_shard *sh)
{
    dg_free(sh->cell_mem);
    dg_free(sh->prev);
    sh->cell_mem = NULL;
    sh->cell = NULL;
    sh->prev = NULL;
}

static int shard_init(struct dg_stats *s, struct dg__stats_shard *sh)
{
    /* Aligned to a cache line so that an agency's cells are one line. */
    sh->cell_mem = dg_calloc(s->lay.ncells * sizeof(*sh->cell) + 64, 1);
    sh->prev = dg_calloc(s->lay.ncells, sizeof(*sh->prev));
    if (!sh->cell_mem || !sh->prev) {
        shard_release(sh);
        return DG_ENOMEM;
    }
    uintptr_t p = ((uintptr_t)sh->cell_mem + 63) & ~(uintptr_t)63;
    sh->cell = (_Atomic uint32_t *)p;
    return 0;
}

int dg__stats_shards_init(struct dg_stats *s)
{
    s->shards = dg_calloc(s->opt.max_threads + 1, sizeof(*s->shards));
    if (!s->shards)
        return DG_ENOMEM;
    pthread_mutex_init(&s->shard_mu, NULL);
    /* The shared shard, last in the array, always exists. */
    struct dg__stats_shard *shared = &s->shards[s->opt.max_threads];
    shared->shared = true;
    return shard_init(s, shared);
}

void dg__stats_shards_release(struct dg_stats *s)
{
    if (!s->shards)
        return;
    for (unsigned i = 0; i <= s->opt.max_threads; i++)
        shard_release(&s->shards[i]);
    dg_free(s->shards);
    s->shards = NULL;
    pthread_mutex_destroy(&s->shard_mu);
}

static _Thread_local struct {
    uint64_t gen;
    struct dg__stats_shard *shard;
} tl_shard;

static struct dg__stats_shard *shard_slow(struct dg_stats *s)
{
    pthread_t me = pthread_self();
    pthread_mutex_lock(&s->shard_mu);
    struct dg__stats_shard *sh = NULL;
    unsigned n = atomic_load_explicit(&s->nshards, memory_order_relaxed);
    for (unsigned i = 0; i < n && !sh; i++)
        if (pthread_equal(s->shards[i].owner, me))
            sh = &s->shards[i];
    if (!sh && n < s->opt.max_threads && shard_init(s, &s->shards[n]) == 0) {
        sh = &s->shards[n];
        sh->owner = me;
        atomic_store_explicit(&s->nshards, n + 1, memory_order_release);
    }
    if (!sh)
        sh = &s->shards[s->opt.max_threads];
    pthread_mutex_unlock(&s->shard_mu);
    tl_shard.gen = s->gen;
    tl_shard.shard = sh;
    return sh;
}

static inline struct dg__stats_shard *my_shard(struct dg_stats *s)
{
    if (tl_shard.gen == s->gen)
        return tl_shard.shard;
    return shard_slow(s);
}

static inline void bump(const struct dg__stats_shard *sh, size_t i)
{
    _Atomic uint32_t *c = &sh->cell[i];
    if (sh->shared)
        atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
    else
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                              memory_order_relaxed);
}

int dg_stats_rule_id(struct dg_stats *s, const char *rule)
{
    if (!rule || !*rule)
        return DG__RULE_NONE;
    int id = dg__strtab_id(&s->rules, rule);
    return id < 0 ? DG_ENOSPC : id;
}

void dg_stats_count(struct dg_stats *s, const struct dg_stats_event *ev)
{
    struct dg__stats_shard *sh = my_shard(s);
    const struct dg__stats_layout *L = &s->lay;
    bool invalid = false;

    int cat = (int)ev->category, lev = (int)ev->level, pur = (int)ev->purpose;
    int leg = (int)ev->leg, dec = (int)ev->decision, key;
    if ((unsigned)cat >= DG__NCAT)
        cat = DG_CAT_UNSPECIFIED, invalid = true;
    if ((unsigned)lev >= DG__NLEVEL)
        lev = DG_LEVEL_UNSPECIFIED, invalid = true;
    if ((unsigned)pur >= DG__NPUR)
        pur = DG_PUR_OTHER, invalid = true;
    if ((unsigned)leg >= DG__NLEG)
        leg = DG_LEG_NONE, invalid = true;
    if ((unsigned)dec >= DG__NDEC)
        dec = DG_STATS_ERROR, invalid = true;
    switch (ev->key) {
    case DG_KEY_DQ: key = 0; break;
    case DG_KEY_RQ: key = 1; break;
    case DG_KEY_IQ: key = 2; break;
    default: key = 0, invalid = true;
    }
    int flags = (ev->photo ? DG__FLAG_PHOTO : 0) | (ev->name_search ? DG__FLAG_NAME : 0);

    uint32_t ag = dg__oritab_id(&s->agencies, s, ev->ori, lev, cat, ev->department, ev->component);
    int rule;
    if (ev->rule_id >= 0)
        rule = (unsigned)ev->rule_id < atomic_load_explicit(&s->rules.n, memory_order_acquire)
                   ? ev->rule_id
                   : DG__RULE_OTHER;
    else if (!ev->rule || !*ev->rule)
        rule = DG__RULE_NONE;
    else if ((rule = dg__strtab_id(&s->rules, ev->rule)) < 0)
        rule = DG__RULE_OTHER;
    int dest = dg__dest_index(ev->dest);
    size_t kd = (size_t)(key * DG__NDEC + dec);

    bump(sh, L->cube + dg__stats_cube_index(cat, key, pur, leg, dec, flags));
    size_t a = L->agency + (size_t)ag * DG__AG_STRIDE;
    bump(sh, a + kd);
    if (ev->name_search)
        bump(sh, a + DG__AG_NAME);
    if (ev->photo)
        bump(sh, a + DG__AG_PHOTO);
    if (pur == DG_PUR_IMMIGRATION)
        bump(sh, a + DG__AG_IMMIGRATION);
    if (invalid)
        bump(sh, L->agency + DG__AG_INVALID);
    bump(sh, L->dest + (size_t)dest * DG__KD + kd);
    bump(sh, L->rule + (size_t)rule * DG__KD + kd);
}

void dg_stats_event_init(struct dg_stats_event *ev, const struct dg_agency *a)
{
    memset(ev, 0, sizeof(*ev));
    ev->ori = a ? a->ori : NULL;
    ev->level = a ? a->level : DG_LEVEL_UNSPECIFIED;
    ev->category = a ? a->category : DG_CAT_UNSPECIFIED;
    ev->department = a ? a->department : NULL;
    ev->component = a ? a->component : NULL;
    ev->key = DG_KEY_DQ;
    ev->purpose = DG_PUR_CRIMINAL_JUSTICE;
    ev->leg = DG_LEG_NONE;
    ev->decision = DG_STATS_ALLOW;
    ev->rule_id = -1;
}
