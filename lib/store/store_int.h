/*
 * store_int.h - what the store's generic layer shares with its backends
 * (library-internal): name scoring for phonetic searches, and helpers for
 * keeping the best candidates.
 */
#ifndef DG_LIB_STORE_INT_H
#define DG_LIB_STORE_INT_H

#include <dmvgate/record.h>
#include <dmvgate/store.h>

/* A name query in compared form: each part normalised (dg_name_normalize),
 * with its Soundex code ("" when the part is empty). */
struct dg__name_key {
    char last[DG_NAME_PART_MAX + 1], first[DG_NAME_PART_MAX + 1], middle[DG_NAME_PART_MAX + 1];
    char last_sx[DG_SOUNDEX_LEN + 1], first_sx[DG_SOUNDEX_LEN + 1];
    char sex;
};

void dg__name_key_init(struct dg__name_key *k, const struct dg_name_query *q);

/* The DG_MATCH_* score of a record's names against k (0 when the sex filter
 * excludes it). The record's last name must already share k's Soundex code. */
int dg__name_score(const struct dg__name_key *k, const char *last, const char *first,
                   const char *middle, char sex);

/*
 * Where a candidate of score would go in out[0..*n) (sorted best first,
 * equal scores in arrival order), or -1 when it does not make the best max.
 * When it does, room is made there (the last is dropped when full) and *n
 * updated; the caller fills out[pos].
 */
int dg__candidate_slot(struct dg_candidate *out, size_t *n, size_t max, int score);

#endif
