/*
 * driver.c - the synthetic driver and vehicle generator (dg_gen_next).
 *
 * One struct dg_gen walks one state's synthetic population in order. Every
 * draw comes from one xoshiro256** stream seeded from (seed, state), so the
 * sequence is fixed by the options; identifiers that must be unique
 * (license numbers, plates, VINs) are images of a running counter under a
 * keyed permutation of their format's space, so they are unique by
 * construction without a lookup. Soundex-coded license numbers (WI, FL)
 * derive from the name and birth date and can collide; a set of the ones
 * issued resolves that with the format's overflow digits, as the states do.
 */
#include "gen_int.h"

#include <stdio.h>
#include <string.h>

struct dg_gen {
    const struct dg__state *st;
    struct dg_rng rng;
    struct dg__wtable surnames;
    struct dg__wtable male[3], female[3]; /* by generation: born <1960, 1960-84, 1985+ */
    uint64_t *city_cum;                   /* cumulative city weights, or NULL */
    uint64_t city_total;
    unsigned table_share_pm; /* per mille of surnames from the frequency table */
    struct dg__perm oln_perm, plate_perm[2], moto_perm, trailer_perm, comm_perm, vin_perm;
    uint64_t oln_space, plate_space[2];
    uint64_t drivers, vehicles, plates[2], motos, trailers, comms;
    int64_t as_of;
    int as_of_year;
    uint64_t *used; /* issued Soundex-coded OLNs (hashes; 0 = empty slot) */
    size_t used_n, used_cap;
};

static const char *const moto_pattern = "ddddddM";
static const char *const trailer_pattern = "ddddddT";
static const char *const comm_pattern = "ddddddC";
static const char vin_plants[] = "ABCDEFGHJKLMNPRSTUVWXYZ123456789"; /* 32 */

/* ---- set-up ---------------------------------------------------------------------------- */

static unsigned surname_mult(uint8_t flags, const void *arg)
{
    const struct dg__state *st = arg;
    if (flags & DG__F_HISPANIC)
        return st->hispanic_pct;
    if (flags & DG__F_ASIAN)
        return st->asian_pct;
    return 100;
}

static unsigned era_mult(uint8_t flags, const void *arg)
{
    /* percent multipliers [era][old, mid, young] */
    static const unsigned m[3][3] = {{250, 100, 10}, {60, 250, 40}, {15, 70, 300}};
    int era = *(const int *)arg;
    if (flags & DG__F_OLD)
        return m[era][0];
    if (flags & DG__F_MID)
        return m[era][1];
    if (flags & DG__F_YOUNG)
        return m[era][2];
    return 100;
}

static uint64_t key(uint64_t seed, const char *state, uint64_t what)
{
    uint64_t s = seed ^ ((uint64_t)(unsigned char)state[0] << 40) ^
                 ((uint64_t)(unsigned char)state[1] << 32) ^ (what * 0x9e3779b97f4a7c15ull);
    dg_splitmix64(&s);
    return dg_splitmix64(&s);
}

void dg_gen_free(struct dg_gen *g)
{
    if (!g)
        return;
    dg__wtable_release(&g->surnames);
    for (int i = 0; i < 3; i++) {
        dg__wtable_release(&g->male[i]);
        dg__wtable_release(&g->female[i]);
    }
    dg_free(g->city_cum);
    dg_free(g->used);
    dg_free(g);
}

int dg_gen_new(const struct dg_gen_opts *o, struct dg_gen **out, struct dg_error *err)
{
    const struct dg__state *st = dg__state_profile(o->state);
    if (!st)
        return dg_error_set(err, DG_EINVAL, "state", -1, "unknown state '%.2s'", o->state);
    const char *as_of = o->as_of[0] ? o->as_of : DG_GEN_DEFAULT_AS_OF;
    if (dg_date_validate(as_of, strlen(as_of)) || as_of[0] < '2' || as_of[0] > '2')
        return dg_error_set(err, DG_EINVAL, "as_of", -1,
                            "reference date '%s' is not a date YYYY-MM-DD in 2000-2999", as_of);
    struct dg_gen *g = dg_calloc(1, sizeof(*g));
    if (!g)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    g->st = st;
    dg_rng_seed(&g->rng, key(o->seed, st->code, 0));
    g->as_of = dg__gen_date_days(as_of);
    int m, d;
    dg__gen_civil_from_days(g->as_of, &g->as_of_year, &m, &d);
    int rc = dg__wtable_init(&g->surnames, dg__surnames, dg__surnames_n, surname_mult, st);
    for (int era = 0; era < 3 && !rc; era++) {
        rc = dg__wtable_init(&g->male[era], dg__male_names, dg__male_names_n, era_mult, &era);
        if (!rc)
            rc = dg__wtable_init(&g->female[era], dg__female_names, dg__female_names_n, era_mult,
                                 &era);
    }
    if (!rc && st->ncities) {
        g->city_cum = dg_malloc(st->ncities * sizeof(*g->city_cum));
        if (!g->city_cum)
            rc = DG_ENOMEM;
        for (size_t i = 0; !rc && i < st->ncities; i++)
            g->city_cum[i] = (g->city_total += st->cities[i].weight);
    }
    if (rc) {
        dg_gen_free(g);
        return dg_error_set(err, rc, NULL, -1, NULL);
    }
    uint64_t table_total = 0;
    for (size_t i = 0; i < dg__surnames_n; i++)
        table_total += dg__surnames[i].weight;
    g->table_share_pm = (unsigned)(table_total * 1000 / dg__surname_population);
    switch (st->oln) {
    case DG__OLN_L8: g->oln_space = 2600000000ull; break;
    case DG__OLN_L7: g->oln_space = 260000000ull; break;
    case DG__OLN_D9: g->oln_space = 1000000000ull; break;
    case DG__OLN_D8: g->oln_space = 100000000ull; break;
    default: g->oln_space = 0; break;
    }
    if (g->oln_space)
        dg__perm_init(&g->oln_perm, g->oln_space, key(o->seed, st->code, 1));
    for (int i = 0; i < 2; i++) {
        g->plate_space[i] = st->plate[i] ? dg__plate_space(st->plate[i]) : 0;
        if (g->plate_space[i])
            dg__perm_init(&g->plate_perm[i], g->plate_space[i], key(o->seed, st->code, 2 + i));
    }
    dg__perm_init(&g->moto_perm, dg__plate_space(moto_pattern), key(o->seed, st->code, 4));
    dg__perm_init(&g->trailer_perm, dg__plate_space(trailer_pattern), key(o->seed, st->code, 5));
    dg__perm_init(&g->comm_perm, dg__plate_space(comm_pattern), key(o->seed, st->code, 6));
    dg__perm_init(&g->vin_perm, 32 * 1000000ull, key(o->seed, st->code, 7));
    *out = g;
    return 0;
}

/* ---- people ---------------------------------------------------------------------------- */

/* Share of licensed drivers by age band (per ten thousand, after FHWA tables). */
static const struct {
    uint8_t lo, hi;
    unsigned w;
} age_bands[] = {
    {16, 19, 400}, {20, 24, 750}, {25, 29, 850}, {30, 34, 880}, {35, 39, 870},
    {40, 44, 830}, {45, 49, 820}, {50, 54, 830}, {55, 59, 860}, {60, 64, 840},
    {65, 69, 720}, {70, 74, 580}, {75, 79, 390}, {80, 84, 230}, {85, 95, 150},
};

static int draw_age(struct dg_rng *r)
{
    unsigned w[DG_ARRAY_LEN(age_bands)];
    for (size_t i = 0; i < DG_ARRAY_LEN(age_bands); i++)
        w[i] = age_bands[i].w;
    size_t b = dg__pick_weights(r, w, DG_ARRAY_LEN(age_bands));
    return age_bands[b].lo + (int)dg_rng_below(r, age_bands[b].hi - age_bands[b].lo + 1u);
}

/* Normal deviate by the Irwin-Hall sum of twelve uniforms: no libm, so the
 * same on every machine. */
static double normal(struct dg_rng *r)
{
    double s = 0;
    for (int i = 0; i < 12; i++)
        s += dg_rng_unit(r);
    return s - 6.0;
}

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void draw_surname(struct dg_gen *g, char *out, size_t cap)
{
    struct dg_rng *r = &g->rng;
    if (dg_rng_chance(r, g->table_share_pm)) {
        copy(out, cap, dg__surnames[dg__wtable_pick(&g->surnames, r)].name);
        return;
    }
    /* The long tail, skewed towards the first heads and tails (u^2). */
    double u = dg_rng_unit(r), v = dg_rng_unit(r);
    const char *head = dg__surname_heads[(size_t)(u * u * (double)dg__surname_heads_n)];
    const char *tail = dg__surname_tails[(size_t)(v * v * (double)dg__surname_tails_n)];
    snprintf(out, cap, "%s%s", head, tail);
}

static const char *draw_given(struct dg_gen *g, char sex, int era)
{
    int female = sex == 'F' || (sex == 'X' && dg_rng_chance(&g->rng, 500));
    const struct dg__wtable *t = female ? &g->female[era] : &g->male[era];
    return t->items[dg__wtable_pick(t, &g->rng)].name;
}

static int64_t add_years(int64_t days, int years)
{
    int y, m, d;
    dg__gen_civil_from_days(days, &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    return dg__gen_days_from_civil(y + years, m, d);
}

static void draw_address(struct dg_gen *g, struct dg_driver *d)
{
    struct dg_rng *r = &g->rng;
    static const unsigned nw[] = {10, 30, 45, 15};
    static const unsigned nmax[] = {100, 1000, 10000, 30000};
    unsigned number = 1 + (unsigned)dg_rng_below(r, nmax[dg__pick_weights(r, nw, 4)]);
    static const char *const dirs[] = {"N ", "S ", "E ", "W "};
    const char *dir = dg_rng_chance(r, 200) ? dirs[dg_rng_below(r, 4)] : "";
    static const char *const sfx[] = {"ST", "AVE", "DR",   "RD", "LN",
                                      "CT", "WAY", "BLVD", "PL", "CIR"};
    static const unsigned sw[] = {30, 20, 15, 10, 8, 6, 5, 3, 2, 1};
    const char *name = dg__street_names[dg_rng_below(r, dg__street_names_n)];
    const char *suffix = sfx[dg__pick_weights(r, sw, DG_ARRAY_LEN(sw))];
    if (dg_rng_chance(r, 150))
        snprintf(d->street, sizeof(d->street), "%u %s%s %s APT %u", number, dir, name, suffix,
                 1 + (unsigned)dg_rng_below(r, 40));
    else
        snprintf(d->street, sizeof(d->street), "%u %s%s %s", number, dir, name, suffix);
    unsigned zip3;
    if (g->city_cum) {
        uint64_t x = dg_rng_below(r, g->city_total);
        size_t i = 0;
        while (g->city_cum[i] <= x)
            i++;
        copy(d->city, sizeof(d->city), g->st->cities[i].name);
        zip3 = g->st->cities[i].zip3;
    } else {
        copy(d->city, sizeof(d->city), dg__generic_towns[dg_rng_below(r, dg__generic_towns_n)]);
        zip3 = g->st->zip_lo + (unsigned)dg_rng_below(r, g->st->zip_hi - g->st->zip_lo + 1u);
    }
    snprintf(d->zip, sizeof(d->zip), "%03u%02u", zip3 % 1000, (unsigned)dg_rng_below(r, 100));
    copy(d->addr_state, sizeof(d->addr_state), g->st->code);
}

/* ---- license numbers -------------------------------------------------------------------- */

static uint64_t fnv(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h ? h : 1;
}

/* Add h to the issued set; 0 when it was already there. */
static int used_add(struct dg_gen *g, uint64_t h)
{
    if (g->used_n * 2 >= g->used_cap) {
        size_t cap = g->used_cap ? g->used_cap * 2 : 4096;
        uint64_t *t = dg_calloc(cap, sizeof(*t));
        if (!t)
            return DG_ENOMEM;
        for (size_t i = 0; i < g->used_cap; i++) {
            if (!g->used[i])
                continue;
            size_t j = g->used[i] & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = g->used[i];
        }
        dg_free(g->used);
        g->used = t;
        g->used_cap = cap;
    }
    size_t j = h & (g->used_cap - 1);
    while (g->used[j]) {
        if (g->used[j] == h)
            return 0;
        j = (j + 1) & (g->used_cap - 1);
    }
    g->used[j] = h;
    g->used_n++;
    return 1;
}

/* Wisconsin and Florida style: Soundex of the last name, a code for the
 * first name and middle initial, the birth year, a month/day code with 500
 * added for women, and overflow digits that tell apart people who share all
 * of that. */
static int soundex_oln(struct dg_gen *g, struct dg_driver *d, int wi)
{
    char sx[DG_SOUNDEX_LEN + 1];
    dg_soundex(d->last, sx);
    char f0 = d->first[0] ? d->first[0] : 'A', f1 = d->first[1] ? d->first[1] : 'A';
    unsigned mid = d->middle[0] ? (unsigned)(d->middle[0] - 'A') % 20 : 0;
    unsigned fff = ((unsigned)(f0 - 'A') * 36 + (unsigned)(f1 - 'A') % 36 + mid) % 1000;
    int y, m, day;
    dg__gen_civil_from_days(dg__gen_date_days(d->dob), &y, &m, &day);
    unsigned ddd = (unsigned)((m - 1) * 40 + day + (d->sex == 'F' ? 500 : 0));
    unsigned limit = wi ? 100 : 10;
    for (unsigned over = 0; over < limit; over++) {
        char buf[64]; /* roomier than the field: the compiler cannot bound every value */
        if (wi)
            snprintf(buf, sizeof(buf), "%s%03u%02d%03u%02u", sx, fff, y % 100, ddd, over);
        else
            snprintf(buf, sizeof(buf), "%s%03u%02d%03u%u", sx, fff, y % 100, ddd, over);
        copy(d->oln, sizeof(d->oln), buf);
        int rc = used_add(g, fnv(d->oln));
        if (rc < 0)
            return rc;
        if (rc == 1)
            return 0;
    }
    return DG_ERANGE;
}

static int make_oln(struct dg_gen *g, struct dg_driver *d)
{
    if (g->st->oln == DG__OLN_SX_WI || g->st->oln == DG__OLN_SX_FL)
        return soundex_oln(g, d, g->st->oln == DG__OLN_SX_WI);
    if (g->drivers >= g->oln_space)
        return DG_ERANGE;
    uint64_t n = dg__perm_at(&g->oln_perm, g->drivers);
    switch (g->st->oln) {
    case DG__OLN_L8:
        snprintf(d->oln, sizeof(d->oln), "%c%08llu", 'A' + (int)(n / 100000000ull),
                 (unsigned long long)(n % 100000000ull));
        break;
    case DG__OLN_L7:
        snprintf(d->oln, sizeof(d->oln), "%c%07llu", 'A' + (int)(n / 10000000ull),
                 (unsigned long long)(n % 10000000ull));
        break;
    case DG__OLN_D9: snprintf(d->oln, sizeof(d->oln), "%09llu", (unsigned long long)n); break;
    default: snprintf(d->oln, sizeof(d->oln), "%08llu", (unsigned long long)n); break;
    }
    return 0;
}

/* ---- photos ------------------------------------------------------------------------------ */

/* A tiny portrait (SVG, a few hundred bytes): the state's backdrop, a face
 * with a skin tone, hair, the recorded eye colour, and a shirt. */
static int make_photo(struct dg_gen *g, const struct dg_driver *d, struct dg_buf *out)
{
    struct dg_rng *r = &g->rng;
    static const char *const skin[] = {"f1c27d", "e0ac69", "c68642", "8d5524", "ffdbac", "a1665e"};
    static const char *const hair[] = {"2c1b10", "4a3020", "7b5a3a", "b89778",
                                       "d6c4a8", "9a9a9a", "111111", "8e3b1f"};
    static const char *const shirt[] = {"345", "246", "533", "354", "444", "765", "225", "623"};
    const char *eye = "5b3a1a";
    if (strcmp(d->eyes, "BLU") == 0)
        eye = "3a6ea5";
    else if (strcmp(d->eyes, "GRN") == 0)
        eye = "4a7a3a";
    else if (strcmp(d->eyes, "HAZ") == 0)
        eye = "8e7618";
    else if (strcmp(d->eyes, "GRY") == 0)
        eye = "7a8590";
    else if (strcmp(d->eyes, "BLK") == 0)
        eye = "111111";
    const char *h = hair[dg_rng_below(r, DG_ARRAY_LEN(hair))];
    const char *hair_path = d->sex == 'F' ? "M15 36q0-28 15-28t15 28v14h-4v-20q-11-9-22 0v20h-4z"
                                          : "M16 30q14-24 28 0q-14-8-28 0";
    /* Drawn one after the other: the order of evaluation inside an
     * initializer list is unspecified, and the sequence must not depend on
     * the compiler. */
    const char *sh = shirt[dg_rng_below(r, DG_ARRAY_LEN(shirt))];
    const char *sk = skin[dg_rng_below(r, DG_ARRAY_LEN(skin))];
    /* Assembled from pieces rather than printf'd: this runs once per
     * generated driver and a printf of the whole would be half the
     * generator's time. */
    const char *parts[] = {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"75\">"
        "<rect width=\"60\" height=\"75\" fill=\"#b8c7d9\"/>"
        "<path d=\"M8 75q22-30 44 0\" fill=\"#",
        sh,
        "\"/><ellipse cx=\"30\" cy=\"34\" rx=\"14\" ry=\"18\" fill=\"#",
        sk,
        "\"/><path d=\"",
        hair_path,
        "\" fill=\"#",
        h,
        "\"/><circle cx=\"24\" cy=\"33\" r=\"2\" fill=\"#",
        eye,
        "\"/><circle cx=\"36\" cy=\"33\" r=\"2\" fill=\"#",
        eye,
        "\"/></svg>",
    };
    int rc = 0;
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(parts); i++)
        rc = dg_buf_addstr(out, parts[i]);
    return rc;
}

/* ---- vehicles ------------------------------------------------------------------------------ */

static const struct dg__make *pick_make(struct dg_rng *r, const struct dg__make *m, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += m[i].weight;
    uint64_t x = dg_rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < m[i].weight)
            return &m[i];
        x -= m[i].weight;
    }
    return &m[n - 1];
}

static int next_plate(struct dg__perm *p, uint64_t *count, const char *pattern, char *out,
                      size_t cap)
{
    if (*count >= p->m)
        return DG_ERANGE;
    dg__plate_format(pattern, dg__perm_at(p, (*count)++), out, cap);
    return 0;
}

static int make_vehicle(struct dg_gen *g, int64_t owner, struct dg_vehicle *v)
{
    struct dg_rng *r = &g->rng;
    memset(v, 0, sizeof(*v));
    v->id = (int64_t)++g->vehicles;
    v->owner_id = owner;
    copy(v->plate_state, sizeof(v->plate_state), g->st->code);
    static const unsigned cw[] = {940, 30, 20, 10}; /* auto, motorcycle, trailer, commercial */
    size_t cls = dg__pick_weights(r, cw, 4);
    const struct dg__make *mk;
    int rc;
    switch (cls) {
    case 1:
        mk = pick_make(r, dg__makes_moto, dg__makes_moto_n);
        rc = next_plate(&g->moto_perm, &g->motos, moto_pattern, v->plate, sizeof(v->plate));
        break;
    case 2:
        mk = pick_make(r, dg__makes_trailer, dg__makes_trailer_n);
        rc =
            next_plate(&g->trailer_perm, &g->trailers, trailer_pattern, v->plate, sizeof(v->plate));
        break;
    case 3:
        mk = pick_make(r, dg__makes_commercial, dg__makes_commercial_n);
        rc = next_plate(&g->comm_perm, &g->comms, comm_pattern, v->plate, sizeof(v->plate));
        break;
    default: {
        mk = pick_make(r, dg__makes_auto, dg__makes_auto_n);
        int k = g->st->plate[1] && dg_rng_chance(r, 500) ? 1 : 0;
        rc = next_plate(&g->plate_perm[k], &g->plates[k], g->st->plate[k], v->plate,
                        sizeof(v->plate));
    }
    }
    if (rc)
        return rc;
    const struct dg__model *mo = &mk->models[dg_rng_below(r, mk->nmodels)];
    copy(v->make, sizeof(v->make), mk->make);
    copy(v->model, sizeof(v->model), mo->model);
    copy(v->plate_type, sizeof(v->plate_type), mo->lit);
    /* Age: most vehicles under 16 years, a tail to 30 (mean about 12). */
    int age = dg_rng_chance(r, 700) ? (int)dg_rng_below(r, 16) : 16 + (int)dg_rng_below(r, 15);
    int year = g->as_of_year - age;
    if (year < mo->since)
        year = mo->since + (int)dg_rng_below(r, (uint64_t)(g->as_of_year - mo->since + 1));
    v->model_year = (uint16_t)year;
    /* VIN: maker, descriptor, check digit, model year, plant and serial; the
     * plant and serial are the vehicle's number under a keyed permutation. */
    static const char years[] = "ABCDEFGHJKLMNPRSTVWXY123456789";
    uint64_t n = dg__perm_at(&g->vin_perm, (g->vehicles - 1) % (32 * 1000000ull));
    snprintf(v->vin, sizeof(v->vin), "%.3s%.5s0%c%c%06llu", mk->wmi, mo->vds,
             years[(year - 1980) % 30], vin_plants[n / 1000000ull],
             (unsigned long long)(n % 1000000ull));
    v->vin[8] = dg_vin_check_digit(v->vin);
    static const char *const colors[] = {"WHI", "BLK", "GRY", "SIL", "BLU", "RED",
                                         "BRO", "GRN", "TAN", "YEL", "ONG", "MAR"};
    static const unsigned colw[] = {250, 200, 180, 120, 90, 90, 20, 20, 10, 8, 6, 6};
    copy(v->color, sizeof(v->color), colors[dg__pick_weights(r, colw, DG_ARRAY_LEN(colw))]);
    dg__gen_date_str(g->as_of - 30 + (int64_t)dg_rng_below(r, 365), v->reg_expires);
    return 0;
}

/* ---- the driver ------------------------------------------------------------------------------ */

int dg_gen_next(struct dg_gen *g, struct dg_driver *d, struct dg_buf *photo,
                struct dg_vehicle veh[DG_GEN_MAX_VEHICLES])
{
    struct dg_rng *r = &g->rng;
    const struct dg__state *st = g->st;
    memset(d, 0, sizeof(*d));
    d->id = (int64_t)g->drivers + 1;
    copy(d->ols, sizeof(d->ols), st->code);

    int age = draw_age(r);
    int64_t dob = g->as_of - (int64_t)age * 365 - age / 4 - (int64_t)dg_rng_below(r, 365);
    if (dob > g->as_of - 5845)
        dob = g->as_of - 5845 - (int64_t)dg_rng_below(r, 30);
    dg__gen_date_str(dob, d->dob);
    int by, bm, bd;
    dg__gen_civil_from_days(dob, &by, &bm, &bd);
    int era = by < 1960 ? 0 : by < 1985 ? 1 : 2;

    if (st->sex_x && dg_rng_chance(r, 2))
        d->sex = 'X';
    else
        d->sex = dg_rng_chance(r, 510) ? 'F' : 'M';
    draw_surname(g, d->last, sizeof(d->last));
    copy(d->first, sizeof(d->first), draw_given(g, d->sex, era));
    if (dg_rng_chance(r, 750)) {
        const char *m = draw_given(g, d->sex, era);
        if (strcmp(m, d->first) == 0)
            m = draw_given(g, d->sex, era);
        copy(d->middle, sizeof(d->middle), m);
    }
    double mean = d->sex == 'F' ? 63.7 : d->sex == 'M' ? 69.1 : 66.4;
    double sd = d->sex == 'X' ? 3.5 : d->sex == 'F' ? 2.7 : 2.9;
    int h = (int)(mean + sd * normal(r) + 0.5);
    d->height_in = (uint8_t)(h < 54 ? 54 : h > 84 ? 84 : h);
    static const char *const eyes[] = {"BRO", "BLU", "HAZ", "GRN", "GRY", "BLK", "MUL", "MAR"};
    static const unsigned ew[] = {450, 270, 90, 90, 30, 60, 5, 5};
    copy(d->eyes, sizeof(d->eyes), eyes[dg__pick_weights(r, ew, DG_ARRAY_LEN(ew))]);
    draw_address(g, d);

    if (dg_rng_chance(r, 25))
        copy(d->license_class, sizeof(d->license_class), dg_rng_chance(r, 600) ? "A" : "B");
    else
        copy(d->license_class, sizeof(d->license_class), st->license_class);
    unsigned lenses = age < 40 ? 250 : age < 60 ? 400 : 600;
    if (dg_rng_chance(r, lenses))
        copy(d->restrictions, sizeof(d->restrictions), "B");

    /* Issue and expiry: a renewal somewhere in the last term, or (3%) a term
     * that ran out; never before the 16th birthday. Arizona licenses run to
     * the 65th birthday (5 years past 60). */
    int term = st->term_years;
    int expired = dg_rng_chance(r, 30);
    int64_t issued = expired ? g->as_of - (int64_t)term * 365 - 1 - (int64_t)dg_rng_below(r, 730)
                             : g->as_of - (int64_t)dg_rng_below(r, (uint64_t)term * 365);
    int64_t sixteen = add_years(dob, 16);
    if (issued < sixteen)
        issued = sixteen + (int64_t)dg_rng_below(r, 30);
    if (issued > g->as_of)
        issued = g->as_of;
    int64_t expires = add_years(issued, term);
    if (strcmp(st->code, "AZ") == 0)
        expires = age < 60 ? add_years(dob, 65) : add_years(issued, 5);
    if (expires <= issued)
        expires = add_years(issued, 1);
    dg__gen_date_str(issued, d->issued);
    dg__gen_date_str(expires, d->expires);
    if (expires < g->as_of)
        d->status = DG_STATUS_EXPIRED;
    else if (dg_rng_chance(r, 40))
        d->status = DG_STATUS_SUSPENDED;
    else if (dg_rng_chance(r, 6))
        d->status = DG_STATUS_REVOKED;
    else
        d->status = DG_STATUS_VALID;
    d->lawful_presence_flag = st->lawful_presence_pm && dg_rng_chance(r, st->lawful_presence_pm);

    int rc = make_oln(g, d);
    if (rc)
        return rc;
    size_t before = photo->len;
    if ((rc = make_photo(g, d, photo)))
        return rc;
    copy(d->photo_type, sizeof(d->photo_type), "image/svg+xml");
    d->photo_len = (uint32_t)(photo->len - before);

    static const unsigned vw[] = {270, 380, 240, 80, 20, 10};
    int nveh = (int)dg__pick_weights(r, vw, DG_ARRAY_LEN(vw));
    for (int i = 0; i < nveh; i++)
        if ((rc = make_vehicle(g, d->id, &veh[i])))
            return rc;
    g->drivers++;
    return nveh;
}
