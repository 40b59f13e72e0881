/*
 * intern.c - the name tables of lib/stats: ORIs, rule names and
 * department/component pairs turned into small dense ids, so that a counter
 * can be a cell in a fixed array.
 *
 * The tables are open-addressing hash tables of fixed capacity (twice the
 * maximum number of entries, rounded up to a power of two), made when the
 * stats are opened. The hot path only reads them: a slot is published with
 * a release store after its entry is filled, and read with an acquire load,
 * so a reader that sees the slot sees the entry. A miss takes the table's
 * mutex, looks again and inserts: that happens once per new name.
 */
#include "stats/stats_int.h"

#include <stdio.h>
#include <string.h>

uint64_t dg__hash_str(const char *s)
{
    /* FNV-1a, then a final mix so that the low bits (the slot) depend on every byte. */
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return h | 1; /* never 0 */
}

static unsigned pow2_above(unsigned n)
{
    unsigned c = 16;
    while (c < 2 * n)
        c <<= 1;
    return c;
}

/* ---- strings ------------------------------------------------------------------------- */

static int strtab_insert_locked(struct dg__strtab *t, const char *s, uint64_t h)
{
    unsigned i = (unsigned)h & t->mask;
    for (;;) {
        uint32_t v = atomic_load_explicit(&t->slots[i], memory_order_acquire);
        if (v == 0)
            break;
        if (t->hash[v - 1] == h && strcmp(t->str[v - 1], s) == 0)
            return (int)(v - 1);
        i = (i + 1) & t->mask;
    }
    uint32_t id = atomic_load_explicit(&t->n, memory_order_relaxed);
    if (id >= t->max)
        return -1;
    t->hash[id] = h;
    size_t len = strlen(s);
    if (len >= DG__STR_MAX)
        len = DG__STR_MAX - 1;
    memcpy(t->str[id], s, len);
    t->str[id][len] = '\0';
    atomic_store_explicit(&t->n, id + 1, memory_order_release);
    atomic_store_explicit(&t->slots[i], id + 1, memory_order_release);
    return (int)id;
}

int dg__strtab_init(struct dg__strtab *t, unsigned max, const char *const *reserved,
                    unsigned nreserved)
{
    memset(t, 0, sizeof(*t));
    t->max = max + nreserved;
    unsigned cap = pow2_above(t->max);
    t->mask = cap - 1;
    t->reserved = nreserved;
    t->slots = dg_calloc(cap, sizeof(*t->slots));
    t->hash = dg_calloc(t->max, sizeof(*t->hash));
    t->str = dg_calloc(t->max, sizeof(*t->str));
    pthread_mutex_init(&t->mu, NULL);
    if (!t->slots || !t->hash || !t->str)
        return DG_ENOMEM;
    /* Reserved names ("(none)", "(other)") take the first ids. Names that
     * are never looked up ("" is never hashed into the table) simply sit
     * there so that the flusher can print them. */
    for (unsigned i = 0; i < nreserved; i++) {
        size_t len = strlen(reserved[i]);
        memcpy(t->str[i], reserved[i], len < DG__STR_MAX ? len + 1 : DG__STR_MAX);
        t->str[i][DG__STR_MAX - 1] = '\0';
        t->hash[i] = 0;
    }
    atomic_store(&t->n, nreserved);
    return 0;
}

void dg__strtab_release(struct dg__strtab *t)
{
    dg_free((void *)t->slots);
    dg_free(t->hash);
    dg_free(t->str);
    pthread_mutex_destroy(&t->mu);
    memset(t, 0, sizeof(*t));
}

int dg__strtab_find(struct dg__strtab *t, const char *s)
{
    uint64_t h = dg__hash_str(s);
    unsigned i = (unsigned)h & t->mask;
    for (;;) {
        uint32_t v = atomic_load_explicit(&t->slots[i], memory_order_acquire);
        if (v == 0)
            return -1;
        if (t->hash[v - 1] == h && strcmp(t->str[v - 1], s) == 0)
            return (int)(v - 1);
        i = (i + 1) & t->mask;
    }
}

int dg__strtab_id(struct dg__strtab *t, const char *s)
{
    int id = dg__strtab_find(t, s);
    if (id >= 0)
        return id;
    pthread_mutex_lock(&t->mu);
    id = strtab_insert_locked(t, s, dg__hash_str(s));
    pthread_mutex_unlock(&t->mu);
    return id;
}

/* ---- ORIs ---------------------------------------------------------------------------- */

/* Base-37 digit of an ORI character: A-Z 1..26, 0-9 27..36, else 0. */
static const uint8_t ori_digit[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['0'] = 27, ['1'] = 28, ['2'] = 29, ['3'] = 30, ['4'] = 31, ['5'] = 32,
    ['6'] = 33, ['7'] = 34, ['8'] = 35, ['9'] = 36,
};

uint64_t dg__ori_pack(const char *ori)
{
    if (!ori)
        return 0;
    /* Two independent halves, so that the multiply-adds overlap. */
    const unsigned char *o = (const unsigned char *)ori;
    uint8_t d[DG_ORI_LEN];
    unsigned ok = 1;
    for (int i = 0; i < DG_ORI_LEN; i++) {
        d[i] = ori_digit[o[i]];
        ok &= d[i] != 0;
        if (!o[i])
            return 0; /* shorter than an ORI: do not read past its end */
    }
    if (!ok || o[DG_ORI_LEN] != '\0')
        return 0;
    uint64_t hi = (((uint64_t)d[0] * 37 + d[1]) * 37 + d[2]) * 37 + d[3];
    uint64_t lo = ((((uint64_t)d[4] * 37 + d[5]) * 37 + d[6]) * 37 + d[7]) * 37 + d[8];
    return hi * (37u * 37 * 37 * 37 * 37) + lo;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x9e3779b97f4a7c15u;
    x ^= x >> 29;
    return x;
}

int dg__oritab_init(struct dg__oritab *t, unsigned max)
{
    memset(t, 0, sizeof(*t));
    t->max = max + 1; /* slot 0 is "(other)" */
    unsigned cap = pow2_above(t->max);
    t->mask = cap - 1;
    t->slots = dg_calloc(cap, sizeof(*t->slots));
    t->attr = dg_calloc(t->max, sizeof(*t->attr));
    pthread_mutex_init(&t->mu, NULL);
    if (!t->slots || !t->attr)
        return DG_ENOMEM;
    strcpy(t->attr[0].ori, "(other)");
    t->attr[0].level = DG_LEVEL_UNSPECIFIED;
    t->attr[0].category = DG_CAT_UNSPECIFIED;
    atomic_store(&t->n, 1);
    return 0;
}

void dg__oritab_release(struct dg__oritab *t)
{
    dg_free((void *)t->slots);
    dg_free(t->attr);
    pthread_mutex_destroy(&t->mu);
    memset(t, 0, sizeof(*t));
}

static int group_id(struct dg_stats *s, const char *dept, const char *comp)
{
    if (!dept || !*dept)
        return DG__GROUP_NONE;
    char name[40];
    if (comp && *comp)
        snprintf(name, sizeof(name), "%.15s/%.15s", dept, comp);
    else
        snprintf(name, sizeof(name), "%.15s", dept);
    int g = dg__strtab_id(&s->groups, name);
    return g < 0 ? DG__GROUP_OTHER : g;
}

uint32_t dg__oritab_id(struct dg__oritab *t, struct dg_stats *s, const char *ori, int level,
                       int category, const char *dept, const char *comp)
{
    uint64_t key = dg__ori_pack(ori);
    if (!key)
        return DG__AGENCY_OTHER;
    unsigned i = (unsigned)mix64(key) & t->mask;
    for (;;) {
        uint64_t v = atomic_load_explicit(&t->slots[i], memory_order_acquire);
        if ((v & DG__ORI_MASK) == key)
            return (uint32_t)(v >> DG__ORI_BITS);
        if (v == 0)
            break;
        i = (i + 1) & t->mask;
    }
    /* The group is looked up before taking this table's lock so that the two
     * tables' mutexes are never held together. */
    int g = group_id(s, dept, comp);
    pthread_mutex_lock(&t->mu);
    uint32_t id = DG__AGENCY_OTHER;
    i = (unsigned)mix64(key) & t->mask;
    for (;;) {
        uint64_t v = atomic_load_explicit(&t->slots[i], memory_order_relaxed);
        if ((v & DG__ORI_MASK) == key) {
            id = (uint32_t)(v >> DG__ORI_BITS);
            goto out;
        }
        if (v == 0)
            break;
        i = (i + 1) & t->mask;
    }
    id = atomic_load_explicit(&t->n, memory_order_relaxed);
    if (id >= t->max) {
        id = DG__AGENCY_OTHER;
        goto out;
    }
    struct dg__agency_attr *a = &t->attr[id];
    memcpy(a->ori, ori, DG_ORI_LEN);
    a->ori[DG_ORI_LEN] = '\0';
    a->level = (unsigned)level < DG_LEVEL__COUNT ? (uint8_t)level : DG_LEVEL_UNSPECIFIED;
    a->category = (unsigned)category < DG_CAT__COUNT ? (uint8_t)category : DG_CAT_UNSPECIFIED;
    a->group = (uint16_t)g;
    atomic_store_explicit(&t->n, id + 1, memory_order_release);
    atomic_store_explicit(&t->slots[i], key | (uint64_t)id << DG__ORI_BITS, memory_order_release);
out:
    pthread_mutex_unlock(&t->mu);
    return id;
}

/* ---- destinations ------------------------------------------------------------------------ */

static int8_t dest_table[26][26];
static pthread_once_t dest_once = PTHREAD_ONCE_INIT;

static void dest_init(void)
{
    memset(dest_table, -1, sizeof(dest_table));
    for (int i = 0; i < DG_STATE_COUNT; i++) {
        const char *c = dg_state_code(i);
        dest_table[c[0] - 'A'][c[1] - 'A'] = (int8_t)i;
    }
}

int dg__dest_index(const char *d)
{
    pthread_once(&dest_once, dest_init);
    if (!d || d[0] < 'A' || d[0] > 'Z' || d[1] < 'A' || d[1] > 'Z' || d[2] != '\0')
        return DG_STATE_COUNT;
    int i = dest_table[d[0] - 'A'][d[1] - 'A'];
    return i < 0 ? DG_STATE_COUNT : i;
}
