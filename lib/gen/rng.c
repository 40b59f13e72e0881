/*
 * rng.c - the generators' randomness and arithmetic: xoshiro256** seeded by
 * splitmix64, weighted choice, keyed permutations for unique identifiers,
 * and civil-date arithmetic.
 *
 * Written here rather than taken from libc (rand, random) because the output
 * must be the same on every machine and libc version: the same seed must
 * give the same database.
 */
#include "gen_int.h"

#include <string.h>

uint64_t dg_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void dg_rng_seed(struct dg_rng *r, uint64_t seed)
{
    uint64_t s = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = dg_splitmix64(&s);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t dg_rng_next(struct dg_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t dg_rng_below(struct dg_rng *r, uint64_t n)
{
    /* Rejection from the largest multiple of n below 2^64. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = dg_rng_next(r);
    while (x >= limit);
    return x % n;
}

double dg_rng_unit(struct dg_rng *r)
{
    return (double)(dg_rng_next(r) >> 11) * 0x1.0p-53;
}

int dg_rng_chance(struct dg_rng *r, unsigned per_mille)
{
    return dg_rng_below(r, 1000) < per_mille;
}

/* ---- weighted choice -------------------------------------------------------------------- */

int dg__wtable_init(struct dg__wtable *t, const struct dg__freq *items, size_t n,
                    unsigned (*mult)(uint8_t flags, const void *arg), const void *arg)
{
    t->items = items;
    t->n = n;
    t->total = 0;
    t->cum = dg_malloc(n * sizeof(*t->cum));
    if (!t->cum)
        return DG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint64_t w = items[i].weight;
        if (mult)
            w = w * mult(items[i].flags, arg) / 100;
        t->total += w ? w : 1;
        t->cum[i] = t->total;
    }
    return 0;
}

void dg__wtable_release(struct dg__wtable *t)
{
    dg_free(t->cum);
    t->cum = NULL;
}

size_t dg__wtable_pick(const struct dg__wtable *t, struct dg_rng *r)
{
    uint64_t x = dg_rng_below(r, t->total);
    size_t lo = 0, hi = t->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

size_t dg__pick_weights(struct dg_rng *r, const unsigned *w, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    uint64_t x = dg_rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---- keyed permutation -------------------------------------------------------------------- */

void dg__perm_init(struct dg__perm *p, uint64_t m, uint64_t key)
{
    int bits = 1;
    while (bits < 63 && (1ull << bits) < m)
        bits++;
    if (bits < 4)
        bits = 4;
    p->m = m;
    p->mask = (bits >= 64) ? UINT64_MAX : (1ull << bits) - 1;
    p->half = bits / 2;
    uint64_t s = key;
    for (int i = 0; i < 3; i++) {
        p->mul[i] = dg_splitmix64(&s) | 1; /* odd: invertible modulo 2^bits */
        p->add[i] = dg_splitmix64(&s);
    }
}

static uint64_t mix(const struct dg__perm *p, uint64_t x)
{
    for (int i = 0; i < 3; i++) {
        x = (x * p->mul[i] + p->add[i]) & p->mask;
        x ^= x >> p->half;
    }
    return x;
}

uint64_t dg__perm_at(const struct dg__perm *p, uint64_t i)
{
    /* A bijection on [0, 2^bits); walking its cycle from i until it lands
     * below m is a bijection on [0, m), and m > 2^(bits-1) keeps walks short. */
    uint64_t x = i;
    do
        x = mix(p, x);
    while (x >= p->m);
    return x;
}

/* ---- calendar (days from/to civil dates, proleptic Gregorian) ------------------------------- */

int64_t dg__gen_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void dg__gen_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t dg__gen_date_days(const char *s)
{
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    return dg__gen_days_from_civil(y, m, d);
}

void dg__gen_date_str(int64_t days, char out[DG_DATE_LEN + 1])
{
    int y, m, d;
    dg__gen_civil_from_days(days, &y, &m, &d);
    /* Written by hand: this runs several times per generated driver. */
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}
