/*
 * volume.c - each requester's recent query volume: a per-ORI sliding window.
 *
 * A policy can brake bulk querying ("review when requester.queries_last_hour
 * > 500"); the node counts each ORI's queries here and puts the count in the
 * request. Each ORI has a ring of 60 one-minute buckets; a hit first clears
 * the buckets of the minutes that passed since its last hit, then counts in
 * the current minute, so the sum of the ring is the count over the last 60
 * minutes (this minute included). Buckets are 16-bit and saturate: one ORI
 * sending more than 65,535 queries in a minute is counted as 65,535 for that
 * minute, which is far above any threshold a policy would set.
 *
 * Threads: the table is split into 64 stripes, each its own small
 * open-addressing table with its own mutex; an ORI always hashes to the same
 * stripe, so two threads wait for each other only on the same stripe. Memory
 * is fixed at creation (about 150 bytes per ORI slot, twice max_oris slots).
 */
#include "policy_int.h"

#include <pthread.h>
#include <string.h>

#define STRIPES 64
#define BUCKETS 60

struct slot {
    struct dg__key key; /* all zero when empty */
    int64_t last_min;   /* the minute of the last hit */
    uint16_t count[BUCKETS];
};

struct stripe {
    pthread_mutex_t mu;
    struct slot *slots;
    uint32_t mask;
    uint32_t used;
} __attribute__((aligned(64)));

struct dg_volume {
    struct stripe stripes[STRIPES];
};

static uint32_t hash(const struct dg__key *k)
{
    uint64_t h = (k->w[0] ^ (k->w[1] * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

struct dg_volume *dg_volume_new(size_t max_oris)
{
    if (max_oris < 16)
        max_oris = 16;
    size_t per = 8;
    while (per < max_oris * 2 / STRIPES)
        per *= 2;
    struct dg_volume *v = dg_calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    for (int i = 0; i < STRIPES; i++) {
        struct stripe *s = &v->stripes[i];
        s->slots = dg_calloc(per, sizeof(*s->slots));
        s->mask = (uint32_t)(per - 1);
        pthread_mutex_init(&s->mu, NULL);
        if (!s->slots) {
            dg_volume_free(v);
            return NULL;
        }
    }
    return v;
}

void dg_volume_free(struct dg_volume *v)
{
    if (!v)
        return;
    for (int i = 0; i < STRIPES; i++) {
        pthread_mutex_destroy(&v->stripes[i].mu);
        dg_free(v->stripes[i].slots);
    }
    dg_free(v);
}

/* The ORI's slot in its stripe (locked by the caller); NULL when absent and
 * create is false, or when the stripe is full. */
static struct slot *find(struct stripe *s, const struct dg__key *k, uint32_t h, bool create)
{
    uint32_t i = (h >> 6) & s->mask;
    for (uint32_t n = 0; n <= s->mask; n++, i = (i + 1) & s->mask) {
        struct slot *sl = &s->slots[i];
        if (sl->key.w[0] == k->w[0] && sl->key.w[1] == k->w[1])
            return sl;
        if ((sl->key.w[0] | sl->key.w[1]) == 0) {
            /* Keep the stripe at most three quarters full so probes stay short. */
            if (!create || (s->used + 1) * 4 > (s->mask + 1) * 3)
                return NULL;
            memset(sl, 0, sizeof(*sl));
            sl->key = *k;
            s->used++;
            return sl;
        }
    }
    return NULL;
}

/* Move the slot's ring forward to minute now (clearing the minutes passed). */
static int64_t advance(struct slot *sl, int64_t now)
{
    if (now <= sl->last_min)
        return sl->last_min; /* time went backwards: count in the latest minute */
    int64_t gap = now - sl->last_min;
    if (gap >= BUCKETS || sl->last_min == 0) {
        memset(sl->count, 0, sizeof(sl->count));
    } else {
        for (int64_t m = sl->last_min + 1; m <= now; m++)
            sl->count[m % BUCKETS] = 0;
    }
    sl->last_min = now;
    return now;
}

static uint32_t sum(const struct slot *sl)
{
    uint32_t t = 0;
    for (int i = 0; i < BUCKETS; i++)
        t += sl->count[i];
    return t;
}

static int key_of(const char *ori, struct dg__key *k)
{
    if (!ori || strnlen(ori, DG_ORI_LEN + 1) != DG_ORI_LEN)
        return DG_EINVAL;
    dg__key_pack(k, ori, DG_ORI_LEN);
    return 0;
}

int dg_volume_hit(struct dg_volume *v, const char *ori, int64_t now_s, uint32_t *count)
{
    struct dg__key k;
    *count = 0;
    if (key_of(ori, &k))
        return DG_EINVAL;
    if (now_s < 0)
        now_s = 0;
    uint32_t h = hash(&k);
    struct stripe *s = &v->stripes[h & (STRIPES - 1)];
    pthread_mutex_lock(&s->mu);
    struct slot *sl = find(s, &k, h, true);
    int rc = DG_ENOSPC;
    if (sl) {
        int64_t m = advance(sl, now_s / 60);
        uint16_t *c = &sl->count[m % BUCKETS];
        if (*c < UINT16_MAX)
            (*c)++;
        *count = sum(sl);
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

uint32_t dg_volume_count(struct dg_volume *v, const char *ori, int64_t now_s)
{
    struct dg__key k;
    if (key_of(ori, &k))
        return 0;
    if (now_s < 0)
        now_s = 0;
    uint32_t h = hash(&k);
    struct stripe *s = &v->stripes[h & (STRIPES - 1)];
    pthread_mutex_lock(&s->mu);
    struct slot *sl = find(s, &k, h, false);
    uint32_t n = 0;
    if (sl) {
        advance(sl, now_s / 60);
        n = sum(sl);
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}
