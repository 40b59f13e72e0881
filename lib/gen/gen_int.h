/*
 * gen_int.h - what the synthetic-data generators share (library-internal):
 * weighted choice tables, keyed bijections for unique identifiers, calendar
 * arithmetic, and the frequency and format tables of lib/gen/tables.c and
 * lib/gen/states.c. lib/agency's directory generator uses them too.
 */
#ifndef DG_LIB_GEN_INT_H
#define DG_LIB_GEN_INT_H

#include <dmvgate/gen.h>
#include <dmvgate/vocab.h>

#include <stddef.h>
#include <stdint.h>

/* ---- weighted choice ------------------------------------------------------------- */

/* An entry of a frequency table: a name, its weight (e.g. people per
 * thousand), and flags that let a state re-weight it. */
struct dg__freq {
    const char *name;
    uint32_t weight;
    uint8_t flags;
};

enum {
    DG__F_HISPANIC = 1, /* surname more common where the Hispanic population is larger */
    DG__F_ASIAN = 2,    /* surname more common where the Asian population is larger */
    DG__F_OLD = 4,      /* given name mostly of people born before 1960 */
    DG__F_MID = 8,      /* given name mostly of people born 1955-1985 */
    DG__F_YOUNG = 16,   /* given name mostly of people born after 1985 */
};

/* Cumulative weights over a table, for O(log n) draws. */
struct dg__wtable {
    const struct dg__freq *items;
    uint64_t *cum; /* cum[i] = sum of weights 0..i */
    size_t n;
    uint64_t total;
};

/* Build t over items[0..n) with each weight multiplied by mult(flags)/100
 * (mult NULL: as is). Returns 0 or DG_ENOMEM. */
int dg__wtable_init(struct dg__wtable *t, const struct dg__freq *items, size_t n,
                    unsigned (*mult)(uint8_t flags, const void *arg), const void *arg);
void dg__wtable_release(struct dg__wtable *t);
/* Index of a weighted random entry. */
size_t dg__wtable_pick(const struct dg__wtable *t, struct dg_rng *r);

/* Draw from small inline weight arrays: index i with probability w[i]/sum. */
size_t dg__pick_weights(struct dg_rng *r, const unsigned *w, size_t n);

/* ---- keyed bijection on [0, m) ------------------------------------------------------
 * Unique identifiers (license numbers, plates, VIN serials) are the images of
 * 0, 1, 2, ... under a seed-keyed permutation of the identifier space: unique
 * by construction, scattered so that consecutive records do not look
 * consecutive. A few rounds of invertible mixing on the smallest power-of-two
 * domain, cycle-walking back into [0, m). */
struct dg__perm {
    uint64_t m, mask;
    int half;
    uint64_t mul[3], add[3];
};

void dg__perm_init(struct dg__perm *p, uint64_t m, uint64_t key);
uint64_t dg__perm_at(const struct dg__perm *p, uint64_t i);

/* ---- calendar --------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t dg__gen_days_from_civil(int y, int m, int d);
void dg__gen_civil_from_days(int64_t z, int *y, int *m, int *d);
/* Parse "YYYY-MM-DD" (already validated) to days; format days into out (11 bytes). */
int64_t dg__gen_date_days(const char *s);
void dg__gen_date_str(int64_t days, char out[DG_DATE_LEN + 1]);

/* ---- tables (tables.c) --------------------------------------------------------------- */

extern const struct dg__freq dg__surnames[];
extern const size_t dg__surnames_n;
extern const uint64_t dg__surname_population; /* the US population the weights are out of */
extern const char *const dg__surname_heads[];
extern const size_t dg__surname_heads_n;
extern const char *const dg__surname_tails[];
extern const size_t dg__surname_tails_n;
extern const struct dg__freq dg__male_names[];
extern const size_t dg__male_names_n;
extern const struct dg__freq dg__female_names[];
extern const size_t dg__female_names_n;
extern const char *const dg__street_names[];
extern const size_t dg__street_names_n;
extern const char *const dg__generic_towns[];
extern const size_t dg__generic_towns_n;

struct dg__model {
    const char *model;
    const char *lit; /* plate type: "PC", "LT", "MC", "TL", "CO" */
    uint16_t since;  /* first model year */
    const char *vds; /* a plausible vehicle descriptor section, 5 characters */
};

struct dg__make {
    const char *make;
    const char *wmi; /* world manufacturer identifier */
    uint32_t weight; /* share within its vehicle class */
    const struct dg__model *models;
    size_t nmodels;
};

/* Makes by vehicle class: cars and light trucks, motorcycles, trailers, commercial. */
extern const struct dg__make dg__makes_auto[], dg__makes_moto[], dg__makes_trailer[],
    dg__makes_commercial[];
extern const size_t dg__makes_auto_n, dg__makes_moto_n, dg__makes_trailer_n, dg__makes_commercial_n;

/* ---- state profiles (states.c) -------------------------------------------------------- */

struct dg__city {
    const char *name;
    uint32_t weight; /* thousands of residents */
    uint16_t zip3;   /* first three ZIP digits */
};

enum dg__oln_fmt {
    DG__OLN_L8,    /* one letter, eight digits (AZ; the default) */
    DG__OLN_L7,    /* one letter, seven digits (CA) */
    DG__OLN_D9,    /* nine digits (CO, NY) */
    DG__OLN_D8,    /* eight digits (TX) */
    DG__OLN_SX_WI, /* Soundex-coded, letter + 13 digits (WI) */
    DG__OLN_SX_FL, /* Soundex-coded, letter + 12 digits (FL) */
};

struct dg__state {
    const char *code;
    uint16_t zip_lo, zip_hi; /* ZIP prefix range (three digits) */
    enum dg__oln_fmt oln;
    const char *plate[2];        /* passenger plate patterns (see states.c), second may be NULL */
    const char *license_class;   /* the regular (non-commercial) class */
    uint8_t term_years;          /* license term */
    uint16_t lawful_presence_pm; /* per mille of licenses issued without proof of lawful presence */
    uint8_t sex_x;               /* the state issues an X sex marker */
    uint16_t hispanic_pct, asian_pct; /* re-weighting of flagged surnames, percent */
    const struct dg__city *cities;
    size_t ncities;
    uint8_t known_formats; /* OLN and plate formats are the state's real ones */
};

/* The profile of a state (defaults filled in for states without their own). */
const struct dg__state *dg__state_profile(const char *code);

/* Format plate number n (< dg__plate_space(pattern)) by pattern: 'a' a letter
 * without I, O, Q; 'd' a digit; 'n' 1-9; 's' 5-9; anything else itself. */
uint64_t dg__plate_space(const char *pattern);
void dg__plate_format(const char *pattern, uint64_t n, char *out, size_t cap);

#endif
