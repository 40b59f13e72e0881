/*
 * test_gen.c - unit tests for lib/gen: the PRNG and keyed permutations,
 * determinism (same seed, same bytes), the per-state license and plate
 * formats, VIN check digits, uniqueness of keys, the shape of the generated
 * population, and seeding a store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "gen/gen_int.h"

#include <dmvgate/store.h>

#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rng_is_deterministic_and_bounded(void **state)
{
    (void)state;
    struct dg_rng a, b;
    dg_rng_seed(&a, 42);
    dg_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        assert_true(dg_rng_next(&a) == dg_rng_next(&b));
    dg_rng_seed(&b, 43);
    assert_true(dg_rng_next(&a) != dg_rng_next(&b));
    /* splitmix64's published first output for seed 0 */
    uint64_t s = 0;
    assert_true(dg_splitmix64(&s) == 0xe220a8397b1dcdafull);
    unsigned hist[10] = {0};
    for (int i = 0; i < 100000; i++) {
        uint64_t x = dg_rng_below(&a, 10);
        assert_true(x < 10);
        hist[x]++;
        double u = dg_rng_unit(&a);
        assert_true(u >= 0.0 && u < 1.0);
    }
    for (int i = 0; i < 10; i++)
        assert_in_range(hist[i], 9500, 10500);
}

static void permutation_is_a_bijection(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {1, 2, 10, 1000, 4096, 12167, 100000};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        uint64_t m = sizes[k];
        struct dg__perm p;
        dg__perm_init(&p, m, 7 + k);
        unsigned char *seen = calloc(m, 1);
        uint64_t same = 0;
        for (uint64_t i = 0; i < m; i++) {
            uint64_t x = dg__perm_at(&p, i);
            assert_true(x < m);
            assert_false(seen[x]);
            seen[x] = 1;
            same += x == i;
        }
        if (m >= 1000)
            assert_true(same < m / 100); /* scattered, not the identity */
        free(seen);
    }
}

static void dates_and_plates(void **state)
{
    (void)state;
    assert_int_equal(dg__gen_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(dg__gen_days_from_civil(2000, 3, 1), 11017);
    char s[11];
    for (int64_t d = -40000; d < 80000; d += 97) {
        dg__gen_date_str(d, s);
        assert_int_equal(dg_date_validate(s, 10), 0);
        assert_int_equal(dg__gen_date_days(s), d);
    }
    assert_int_equal(dg__plate_space("aaadddd"), 23 * 23 * 23 * 10000);
    char p[16];
    dg__plate_format("saaaddd", 0, p, sizeof(p));
    assert_string_equal(p, "5AAA000");
    dg__plate_format("saaaddd", dg__plate_space("saaaddd") - 1, p, sizeof(p));
    assert_string_equal(p, "9ZZZ999");
    dg__plate_format("ddddddM", 42, p, sizeof(p));
    assert_string_equal(p, "000042M");
}

/* ---- generated records ------------------------------------------------------------------ */

struct sample {
    struct dg_driver *d;
    struct dg_vehicle *v;
    size_t nd, nv;
    char **photos;
};

static void make_sample(struct sample *s, const char *st, uint64_t seed, size_t n)
{
    struct dg_gen_opts o = {.seed = seed};
    memcpy(o.state, st, 3);
    struct dg_gen *g;
    struct dg_error e;
    assert_int_equal(dg_gen_new(&o, &g, &e), 0);
    s->d = calloc(n, sizeof(*s->d));
    s->v = calloc(n * DG_GEN_MAX_VEHICLES, sizeof(*s->v));
    s->photos = calloc(n, sizeof(char *));
    s->nd = n;
    s->nv = 0;
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    for (size_t i = 0; i < n; i++) {
        dg_buf_reset(&b);
        int nv = dg_gen_next(g, &s->d[i], &b, &s->v[s->nv]);
        assert_true(nv >= 0 && nv <= DG_GEN_MAX_VEHICLES);
        s->photos[i] = strdup(b.data);
        s->nv += (size_t)nv;
    }
    dg_buf_release(&b);
    dg_gen_free(g);
}

static void free_sample(struct sample *s)
{
    for (size_t i = 0; i < s->nd; i++)
        free(s->photos[i]);
    free(s->photos);
    free(s->d);
    free(s->v);
}

static void same_seed_same_bytes(void **state)
{
    (void)state;
    struct sample a, b, c;
    make_sample(&a, "CO", 7, 3000);
    make_sample(&b, "CO", 7, 3000);
    make_sample(&c, "CO", 8, 3000);
    assert_int_equal(a.nv, b.nv);
    assert_memory_equal(a.d, b.d, a.nd * sizeof(*a.d));
    assert_memory_equal(a.v, b.v, a.nv * sizeof(*a.v));
    for (size_t i = 0; i < a.nd; i++)
        assert_string_equal(a.photos[i], b.photos[i]);
    assert_true(memcmp(a.d, c.d, a.nd * sizeof(*a.d)) != 0);
    free_sample(&a);
    free_sample(&b);
    free_sample(&c);
}

static int matches(const char *re, const char *s)
{
    regex_t r;
    assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
    int ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* No two of n strings at base + i * stride are equal. */
static void assert_unique(const void *base, size_t n, size_t stride)
{
    const char **v = malloc(n * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = (const char *)base + i * stride;
    qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1], v[i]) == 0)
            fail_msg("duplicate '%s'", v[i]);
    free(v);
}

static void state_formats(void **state)
{
    (void)state;
    static const struct {
        const char *st, *oln, *plate;
    } cases[] = {
        {"AZ", "^[A-Z][0-9]{8}$", "^[A-HJ-NPR-Z]{3}[0-9]{4}$"},
        {"CA", "^[A-Z][0-9]{7}$", "^[5-9][A-HJ-NPR-Z]{3}[0-9]{3}$"},
        {"CO", "^[0-9]{9}$", "^([A-HJ-NPR-Z]{3}[0-9]{3}|[A-HJ-NPR-Z]{4}[0-9]{2})$"},
        {"WI", "^[A-Z][0-9]{13}$", "^[A-HJ-NPR-Z]{3}[0-9]{4}$"},
        {"FL", "^[A-Z][0-9]{12}$", "^[A-HJ-NPR-Z]{4}[0-9]{2}$"},
        {"TX", "^[0-9]{8}$", "^[A-HJ-NPR-Z]{3}[0-9]{4}$"},
        {"NY", "^[0-9]{9}$", "^[A-HJ-NPR-Z]{3}[0-9]{4}$"},
        {"KS", "^[A-Z][0-9]{8}$", "^[0-9]{3}[A-HJ-NPR-Z]{3}$"}, /* the default OLN */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct sample s;
        make_sample(&s, cases[k].st, 1, 4000);
        struct dg_error e;
        for (size_t i = 0; i < s.nd; i++) {
            const struct dg_driver *d = &s.d[i];
            if (!matches(cases[k].oln, d->oln))
                fail_msg("%s OLN '%s'", cases[k].st, d->oln);
            assert_string_equal(d->ols, cases[k].st);
            if (dg_driver_validate(d, &e))
                fail_msg("%s driver %zu: %s %s", cases[k].st, i, e.field, e.msg);
            if (strcmp(cases[k].st, "WI") == 0 || strcmp(cases[k].st, "FL") == 0) {
                char sx[5];
                dg_soundex(d->last, sx);
                assert_memory_equal(d->oln, sx, 4); /* Soundex-coded */
            }
        }
        for (size_t i = 0; i < s.nv; i++) {
            const struct dg_vehicle *v = &s.v[i];
            if (dg_vehicle_validate(v, &e))
                fail_msg("%s vehicle %zu: %s %s (%s)", cases[k].st, i, e.field, e.msg, v->vin);
            assert_int_equal(dg_vin_validate(v->vin, strlen(v->vin), &e), 0);
            const char *re = cases[k].plate;
            if (strcmp(v->plate_type, "MC") == 0)
                re = "^[0-9]{6}M$";
            else if (strcmp(v->plate_type, "TL") == 0)
                re = "^[0-9]{6}T$";
            else if (strcmp(v->plate_type, "CO") == 0)
                re = "^[0-9]{6}C$";
            if (!matches(re, v->plate))
                fail_msg("%s plate '%s' (%s)", cases[k].st, v->plate, v->plate_type);
        }
        assert_unique(s.d[0].oln, s.nd, sizeof(struct dg_driver));
        assert_unique(s.v[0].plate, s.nv, sizeof(struct dg_vehicle));
        assert_unique(s.v[0].vin, s.nv, sizeof(struct dg_vehicle));
        free_sample(&s);
    }
    assert_true(dg_gen_state_has_formats("WI"));
    assert_false(dg_gen_state_has_formats("KS"));
}

static int age_at(const char *dob, const char *as_of)
{
    int y1 = atoi(dob), y2 = atoi(as_of);
    int age = y2 - y1;
    if (strcmp(dob + 5, as_of + 5) > 0)
        age--;
    return age;
}

static void population_shape(void **state)
{
    (void)state;
    struct sample s;
    size_t n = 20000;
    make_sample(&s, "CO", 1, n);
    size_t lp = 0, susp = 0, revoked = 0, expired = 0, female = 0, x = 0, middle = 0, smith = 0,
           young = 0, old = 0, lenses = 0, photo_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dg_driver *d = &s.d[i];
        int age = age_at(d->dob, DG_GEN_DEFAULT_AS_OF);
        assert_in_range(age, 16, 95);
        young += age < 25;
        old += age >= 65;
        lp += d->lawful_presence_flag;
        susp += d->status == DG_STATUS_SUSPENDED;
        revoked += d->status == DG_STATUS_REVOKED;
        if (d->status == DG_STATUS_EXPIRED) {
            expired++;
            assert_true(strcmp(d->expires, DG_GEN_DEFAULT_AS_OF) < 0);
        } else
            assert_true(strcmp(d->expires, DG_GEN_DEFAULT_AS_OF) >= 0);
        assert_true(strcmp(d->issued, d->expires) < 0);
        female += d->sex == 'F';
        x += d->sex == 'X';
        middle += d->middle[0] != 0;
        smith += strcmp(d->last, "SMITH") == 0;
        lenses += strcmp(d->restrictions, "B") == 0;
        assert_in_range(d->height_in, 54, 84);
        assert_string_equal(d->photo_type, "image/svg+xml");
        assert_int_equal(d->photo_len, strlen(s.photos[i]));
        assert_true(strncmp(s.photos[i], "<svg ", 5) == 0);
        assert_non_null(strstr(s.photos[i], "</svg>"));
        photo_bytes += d->photo_len;
        assert_int_equal(d->id, (int64_t)i + 1);
    }
    /* A few percent flagged (CO issues such licenses), some suspended. */
    assert_in_range(lp * 1000 / n, 15, 35);
    assert_in_range(susp * 1000 / n, 25, 55);
    assert_in_range(revoked * 1000 / n, 2, 12);
    assert_in_range(expired * 1000 / n, 15, 45);
    assert_in_range(female * 1000 / n, 480, 540);
    assert_in_range(x, 10, 80); /* 0.2% X markers */
    assert_in_range(middle * 1000 / n, 700, 800);
    assert_in_range(smith * 10000 / n, 50, 130); /* about 0.8% of people */
    assert_in_range(young * 1000 / n, 80, 160);
    assert_in_range(old * 1000 / n, 150, 260);
    assert_in_range(lenses * 1000 / n, 250, 500);
    assert_in_range(photo_bytes / n, 250, 600);
    assert_in_range(s.nv * 100 / n, 110, 135); /* about 1.2 vehicles a driver */
    for (size_t i = 0; i < s.nv; i++) {
        assert_in_range(s.v[i].owner_id, 1, (int64_t)n);
        assert_in_range(s.v[i].model_year, 1981, 2026);
        assert_int_equal(s.v[i].id, (int64_t)i + 1);
    }
    free_sample(&s);
    /* Arizona issues no licenses without proof of lawful presence. */
    make_sample(&s, "AZ", 1, 5000);
    for (size_t i = 0; i < s.nd; i++)
        assert_false(s.d[i].lawful_presence_flag);
    free_sample(&s);
}

static void bad_options(void **state)
{
    (void)state;
    struct dg_gen *g;
    struct dg_error e;
    struct dg_gen_opts o = {.state = "ZZ"};
    assert_int_equal(dg_gen_new(&o, &g, &e), DG_EINVAL);
    assert_string_equal(e.field, "state");
    struct dg_gen_opts o2 = {.state = "CO", .as_of = "2025-02-30"};
    assert_int_equal(dg_gen_new(&o2, &g, &e), DG_EINVAL);
    assert_string_equal(e.field, "as_of");
}

static void seed_a_store(void **state)
{
    (void)state;
    struct dg_store *s;
    struct dg_error e;
    assert_int_equal(dg_store_open(":memory:", DG_STORE_CREATE | DG_STORE_BULK, &s, &e), 0);
    struct dg_gen_opts o = {.state = "WI", .seed = 5};
    struct dg_seed_stats st;
    assert_int_equal(dg_gen_seed(s, &o, 3000, &st, &e), 0);
    assert_int_equal(st.drivers, 3000);
    struct dg_store_stats ss;
    assert_int_equal(dg_store_stats(s, &ss, &e), 0);
    assert_int_equal(ss.drivers, 3000);
    assert_int_equal(ss.photos, 3000);
    assert_int_equal((uint64_t)ss.vehicles, st.vehicles);
    /* every kind of key from the generator finds its record */
    struct sample smp;
    make_sample(&smp, "WI", 5, 50);
    for (size_t i = 0; i < smp.nd; i++) {
        struct dg_driver d;
        assert_int_equal(dg_store_driver_by_oln(s, smp.d[i].oln, "WI", &d, &e), 0);
        assert_memory_equal(&d, &smp.d[i], sizeof(d));
        struct dg_candidate c[20];
        struct dg_name_query q = {smp.d[i].last, smp.d[i].first, NULL, smp.d[i].dob, 0};
        int n = dg_store_drivers_by_name(s, &q, c, 20, &e);
        assert_true(n >= 1);
        assert_int_equal(c[0].score, DG_MATCH_EXACT);
        int found = 0;
        for (int k = 0; k < n; k++)
            found |= c[k].driver.id == smp.d[i].id;
        assert_true(found);
    }
    for (size_t i = 0; i < smp.nv; i++) {
        struct dg_vehicle v[4];
        assert_int_equal(dg_store_vehicles_by_vin(s, smp.v[i].vin, v, 4, &e), 1);
        assert_string_equal(v[0].plate, smp.v[i].plate);
        assert_int_equal(dg_store_vehicles_by_plate(s, smp.v[i].plate, "WI", NULL, v, 4, &e), 1);
        assert_int_equal(v[0].owner_id, smp.v[i].owner_id);
    }
    free_sample(&smp);
    /* a second seed into the same store is refused */
    assert_int_equal(dg_gen_seed(s, &o, 10, NULL, &e), DG_EEXIST);
    dg_store_close(s);
}

static void allocation_failures(void **state)
{
    (void)state;
    struct dg_gen_opts o = {.state = "WI", .seed = 3};
    struct dg_gen *g;
    struct dg_error e;
    struct dg_driver d;
    struct dg_vehicle v[DG_GEN_MAX_VEHICLES];
    struct dg_buf b;
    dg_alloc_fail_at(ULONG_MAX);
    assert_int_equal(dg_gen_new(&o, &g, &e), 0);
    dg_buf_init(&b, 4096);
    for (int i = 0; i < 50; i++) {
        dg_buf_reset(&b);
        assert_true(dg_gen_next(g, &d, &b, v) >= 0);
    }
    dg_buf_release(&b);
    dg_gen_free(g);
    unsigned long count = dg_alloc_fail_at(0);
    for (unsigned long n = 1; n <= count; n++) {
        dg_alloc_fail_at(n);
        int rc = dg_gen_new(&o, &g, &e);
        if (rc == 0) {
            dg_buf_init(&b, 4096);
            for (int i = 0; i < 50 && rc >= 0; i++) {
                dg_buf_reset(&b);
                rc = dg_gen_next(g, &d, &b, v);
            }
            dg_buf_release(&b);
            dg_gen_free(g);
        }
        dg_alloc_fail_at(0);
        assert_int_equal(rc, DG_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rng_is_deterministic_and_bounded),
        cmocka_unit_test(permutation_is_a_bijection),
        cmocka_unit_test(dates_and_plates),
        cmocka_unit_test(same_seed_same_bytes),
        cmocka_unit_test(state_formats),
        cmocka_unit_test(population_shape),
        cmocka_unit_test(bad_options),
        cmocka_unit_test(seed_a_store),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
