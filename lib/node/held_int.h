/*
 * held_int.h - the held-request store's backends (library-internal): held.c
 * keeps the SQLite one and dispatches to held_pg.c for a PostgreSQL store.
 */
#ifndef DG_LIB_NODE_HELD_INT_H
#define DG_LIB_NODE_HELD_INT_H

#include <dmvgate/held.h>

int dg__held_pg_put(struct dg_store *s, const struct dg_held *h, struct dg_error *err);
int dg__held_pg_get(struct dg_store *s, const char *mid, struct dg_held *out, struct dg_error *err);
int dg__held_pg_decide(struct dg_store *s, const char *mid, enum dg_held_state to,
                       const char *reviewer, const char *reason, int64_t now_us,
                       struct dg_error *err);
int dg__held_pg_delete(struct dg_store *s, const char *mid, struct dg_error *err);
int dg__held_pg_each(struct dg_store *s, enum dg_held_state state,
                     int (*fn)(void *arg, const struct dg_held *h), void *arg,
                     struct dg_error *err);

#endif
