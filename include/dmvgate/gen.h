/*
 * gen.h - deterministic synthetic DMV data: a small PRNG, a generator of
 * drivers (with photos) and their vehicles for one state, and seeding a store.
 *
 * No real person's data is anywhere: names are drawn from public frequency
 * tables of common US surnames and given names (and a generated long tail),
 * everything else is made up with realistic distributions. The same options
 * (state, seed, reference date) give the same records in the same order, so
 * the same seed gives the same database content (docs/data-model.md says how
 * each field is drawn).
 */
#ifndef DMVGATE_GEN_H
#define DMVGATE_GEN_H

#include <dmvgate/core.h>
#include <dmvgate/record.h>

#include <stddef.h>
#include <stdint.h>

struct dg_store;

/* ---- PRNG: xoshiro256** seeded through splitmix64 --------------------------------
 * Not for secrets. Not thread-safe: one per thread. */
struct dg_rng {
    uint64_t s[4];
};

/* splitmix64: advance *state and return the next output. */
uint64_t dg_splitmix64(uint64_t *state);
/* Seed r from one 64-bit value (any value, 0 included). */
void dg_rng_seed(struct dg_rng *r, uint64_t seed);
uint64_t dg_rng_next(struct dg_rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t dg_rng_below(struct dg_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double dg_rng_unit(struct dg_rng *r);
/* True with probability per_mille / 1000. */
int dg_rng_chance(struct dg_rng *r, unsigned per_mille);

/* ---- the driver and vehicle generator -------------------------------------------- */

#define DG_GEN_DEFAULT_SEED  1
#define DG_GEN_DEFAULT_AS_OF "2025-11-12"
#define DG_GEN_MAX_VEHICLES  6 /* per driver */

struct dg_gen_opts {
    char state[3];               /* issuing state, e.g. "CO" */
    uint64_t seed;               /* any value */
    char as_of[DG_DATE_LEN + 1]; /* reference "today"; "" for DG_GEN_DEFAULT_AS_OF */
};

struct dg_gen;

/* A generator for opts->state. Returns 0, DG_EINVAL (unknown state, bad
 * date; err says which), DG_ENOMEM. Free with dg_gen_free. Not thread-safe. */
int dg_gen_new(const struct dg_gen_opts *opts, struct dg_gen **out, struct dg_error *err);
void dg_gen_free(struct dg_gen *g);

/*
 * The next driver of the sequence, with ids 1, 2, 3 ... in d->id, its photo
 * appended to photo (an SVG of a few hundred bytes; d->photo_type and
 * d->photo_len set), and its registered vehicles (0 to DG_GEN_MAX_VEHICLES,
 * 1.2 a driver on average) written to veh with owner_id = d->id and vehicle
 * ids continuing the sequence. Returns the number of vehicles, or DG_ENOMEM /
 * DG_ETOOBIG from the photo buffer (give it at least 1 KiB), or DG_ERANGE when
 * the state's license-number or plate space is used up.
 */
int dg_gen_next(struct dg_gen *g, struct dg_driver *d, struct dg_buf *photo,
                struct dg_vehicle veh[DG_GEN_MAX_VEHICLES]);

/* ---- seeding a store ---------------------------------------------------------------- */

struct dg_seed_stats {
    uint64_t drivers, vehicles, photo_bytes;
    uint64_t insert_ns; /* generating and inserting the rows */
    uint64_t index_ns;  /* building the lookup indexes afterwards */
};

/*
 * Write n drivers of opts->state and their vehicles into s, which must hold
 * no drivers yet (DG_EEXIST otherwise): one bulk transaction, indexes built at
 * the end (dg_store_bulk_begin/end); nothing is kept on failure. Open s with
 * DG_STORE_BULK for speed. stats may be NULL. Returns 0 or the first error.
 */
int dg_gen_seed(struct dg_store *s, const struct dg_gen_opts *opts, uint64_t n,
                struct dg_seed_stats *stats, struct dg_error *err);

/* Whether the generator knows the state's real license-number and plate
 * formats (AZ, CA, CO, FL, NY, TX, WI) rather than the default ones. */
int dg_gen_state_has_formats(const char *state);

#endif
