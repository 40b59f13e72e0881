/*
 * store.h - the DMV data store of a state node: drivers, vehicles, photos and
 * the agency directory, behind one interface with pluggable backends.
 *
 * The embedded default is SQLite (a file path, or "sqlite:PATH"); a PostgreSQL
 * backend ("postgresql://...", issue 10) sits behind the same interface. A
 * backend is a struct dg_store_ops (a table of function pointers, below); the
 * dg_store_* functions dispatch through it, so callers never see which one
 * they have.
 *
 * Thread safety: a struct dg_store is a connection. Use one from one thread at
 * a time; the node opens one per event-loop thread. Several stores (threads,
 * processes) may have the same database open: with SQLite in WAL mode readers
 * never block each other nor the (single) writer.
 *
 * Lookups fill caller-supplied fixed-size records (record.h) and allocate
 * nothing; the photo is fetched only when asked (dg_store_photo). Lookups
 * refuse keys longer than the record fields (DG_EINVAL), never truncate them.
 *
 * Return values: 0 (or a count) on success; DG_ENOTFOUND when a single-record
 * lookup matched nothing; DG_EINVAL for a malformed key; DG_ESTORE for a
 * database failure (err->msg carries the backend's message); DG_ENOMEM.
 * Every err may be NULL.
 *
 * Schema: the store's own tables are versioned with ordered migrations
 * (SQLite: PRAGMA user_version); other modules (review queue, notices,
 * counters, users) add their own tables to the same database with
 * dg_store_migrate() under their own module name.
 */
#ifndef DMVGATE_STORE_H
#define DMVGATE_STORE_H

#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/record.h>

#include <stddef.h>
#include <stdint.h>

struct dg_store;
struct sqlite3;
struct pg_conn;

/* dg_store_open flags. */
enum {
    DG_STORE_READONLY = 1u << 0, /* lookups only; the schema must already be current */
    DG_STORE_CREATE = 1u << 1,   /* create the database when it does not exist */
    DG_STORE_BULK = 1u << 2,     /* bulk loading (seed): no fsync, exclusive; see below */
};

/*
 * Open the store at uri: a file path or "sqlite:PATH" (SQLite; ":memory:" for
 * a private in-memory database), or a backend's own URI scheme. Unless
 * READONLY, the schema is created or migrated to the current version. On
 * success *out is a new store (close with dg_store_close). Errors: DG_ENOENT
 * (no such database and no CREATE), DG_EINVAL (unknown scheme, or a database
 * newer than this program), DG_ESTORE, DG_ENOMEM.
 *
 * BULK mode is for writing a fresh database fast: no fsync and an exclusive
 * lock for the life of the store; a crash while it is open may lose the data
 * written in it (never anything committed earlier in normal mode).
 */
int dg_store_open(const char *uri, unsigned flags, struct dg_store **out, struct dg_error *err);

/* Close s and free everything it holds; NULL is a no-op. An open
 * transaction is rolled back. */
void dg_store_close(struct dg_store *s);

/* The backend's name: "sqlite", "postgresql". */
const char *dg_store_backend(const struct dg_store *s);

/* ---- driver lookups ----------------------------------------------------------- */

/* Exact lookup by license number and issuing state (the DQ OLN/OLS key).
 * Returns 0 and fills *out, or DG_ENOTFOUND, DG_EINVAL, DG_ESTORE. */
int dg_store_driver_by_oln(struct dg_store *s, const char *oln, const char *ols,
                           struct dg_driver *out, struct dg_error *err);

/* Lookup by the store's own id (a vehicle's owner_id). */
int dg_store_driver_by_id(struct dg_store *s, int64_t id, struct dg_driver *out,
                          struct dg_error *err);

/* A name search (the DQ NAM/DOB/SEX key). last and dob are required; first,
 * middle and sex (0 for any) narrow and rank. */
struct dg_name_query {
    const char *last;
    const char *first;  /* NULL or "" for any */
    const char *middle; /* NULL or "" for any */
    const char *dob;    /* YYYY-MM-DD */
    char sex;           /* 'M', 'F', 'X', or 0 for any */
};

/*
 * NCIC-style phonetic name search: every driver born on q->dob whose last
 * name has the same Soundex code as q->last, scored (DG_MATCH_* in record.h)
 * and ranked best first (exact names first; equal scores by id). At most max
 * candidates are written to out, the best ones. Returns how many were
 * written (0 when nothing matched), or DG_EINVAL (no letters in the last name,
 * bad date, a part too long), DG_ESTORE.
 */
int dg_store_drivers_by_name(struct dg_store *s, const struct dg_name_query *q,
                             struct dg_candidate *out, size_t max, struct dg_error *err);

/*
 * The photo of driver id: its bytes are appended to out (whose maximum
 * bounds them: DG_ETOOBIG when the photo is larger) and its media type copied
 * to media_type (may be NULL). Returns 0, DG_ENOTFOUND (no such driver or no
 * photo), DG_ETOOBIG, DG_ENOMEM, DG_ESTORE.
 */
int dg_store_photo(struct dg_store *s, int64_t driver_id, struct dg_buf *out,
                   char media_type[DG_MEDIA_TYPE_MAX + 1], struct dg_error *err);

/* ---- vehicle lookups ------------------------------------------------------------
 * Each writes at most max records to out (ordered by id) and returns how many,
 * 0 when nothing matched. */

/* By plate and plate state (the RQ LIC/LIS key); plate_type (LIT) NULL or ""
 * for any type. The plate is compared without spaces and dashes. */
int dg_store_vehicles_by_plate(struct dg_store *s, const char *plate, const char *plate_state,
                               const char *plate_type, struct dg_vehicle *out, size_t max,
                               struct dg_error *err);

/* By VIN (the RQ VIN key); the VIN is not checked here, only matched. */
int dg_store_vehicles_by_vin(struct dg_store *s, const char *vin, struct dg_vehicle *out,
                             size_t max, struct dg_error *err);

/* The vehicles registered to a driver. */
int dg_store_vehicles_by_owner(struct dg_store *s, int64_t owner_id, struct dg_vehicle *out,
                               size_t max, struct dg_error *err);

/* By the store's own id (0 or DG_ENOTFOUND). */
int dg_store_vehicle_by_id(struct dg_store *s, int64_t id, struct dg_vehicle *out,
                           struct dg_error *err);

/* ---- writing ------------------------------------------------------------------------
 * Writes outside a transaction are each their own transaction; bulk writers
 * wrap them in dg_store_begin/commit. */

int dg_store_begin(struct dg_store *s, struct dg_error *err);
int dg_store_commit(struct dg_store *s, struct dg_error *err);
int dg_store_rollback(struct dg_store *s, struct dg_error *err);

/*
 * Insert driver d with its photo (photo_len bytes of media type
 * d->photo_type; photo NULL for none). d->id 0 lets the store assign the id,
 * which is written back to d->id; d->photo_len is set to photo_len. The
 * fields are checked (lengths, dates, status, sex): DG_EINVAL with err->field
 * naming the bad one; DG_EEXIST when the OLN is already in the store (only
 * reported when the lookup indexes exist, i.e. outside bulk loading).
 */
int dg_store_put_driver(struct dg_store *s, struct dg_driver *d, const void *photo,
                        size_t photo_len, struct dg_error *err);

/* Insert vehicle v (owner_id must be a driver's id; owner_oln/ols are
 * ignored, lookups fill them from the owner). v->id as for drivers. */
int dg_store_put_vehicle(struct dg_store *s, struct dg_vehicle *v, struct dg_error *err);

/*
 * Bulk loading: dg_store_bulk_begin drops the lookup indexes and opens a
 * transaction; dg_store_bulk_end rebuilds the indexes (one sorted pass each,
 * far faster than maintaining them row by row) and commits. On failure in
 * between, dg_store_rollback restores the database as it was.
 */
int dg_store_bulk_begin(struct dg_store *s, struct dg_error *err);
int dg_store_bulk_end(struct dg_store *s, struct dg_error *err);

/* Sizes of the store: record counts and the largest ids (ids run 1..max,
 * possibly with gaps). */
struct dg_store_stats {
    int64_t drivers, vehicles, photos, agencies;
    int64_t max_driver_id, max_vehicle_id;
};
int dg_store_stats(struct dg_store *s, struct dg_store_stats *out, struct dg_error *err);

/* ---- agencies (the directory's persistent copy; see agency.h) -------------------- */

/* Insert or replace the agency with a->ori (validated: DG_EBADAGENCY). */
int dg_store_put_agency(struct dg_store *s, const struct dg_agency *a, struct dg_error *err);
/* 0 and *out, or DG_ENOTFOUND, DG_EINVAL (not a 9-character ORI). */
int dg_store_agency_by_ori(struct dg_store *s, const char *ori, struct dg_agency *out,
                           struct dg_error *err);
/* Delete every agency (inside the caller's transaction when one is open). */
int dg_store_agencies_clear(struct dg_store *s, struct dg_error *err);
/* Call fn for every agency in ORI order; stops when fn returns non-zero and
 * returns that value; otherwise returns the number of agencies visited. */
int dg_store_agencies_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_agency *a),
                           void *arg, struct dg_error *err);

/* ---- schema ---------------------------------------------------------------------- */

/* One schema step of a module: applied once, in version order, in its own
 * transaction. A backend runs the SQL of its own dialect (NULL: the step does
 * not apply to that backend and is only recorded). */
struct dg_migration {
    int version; /* 1, 2, 3 ... ; never renumbered once released */
    const char *what;
    const char *sqlite_sql; /* one or more statements */
    const char *pg_sql;
};

/*
 * Bring module's tables up to date: apply, in order, every step of m[0..n)
 * whose version is above the module's recorded version, each in its own
 * transaction with the new version recorded in it. module is a short name
 * ("review", "notices"); "store" is the store's own schema (applied by
 * dg_store_open). Returns the number of steps applied, or DG_EINVAL (steps
 * not in increasing order, or the database is newer than m), DG_EPERM
 * (READONLY store), DG_ESTORE (err says which version failed).
 */
int dg_store_migrate(struct dg_store *s, const char *module, const struct dg_migration *m, size_t n,
                     struct dg_error *err);

/* The module's recorded schema version (0 when none), or a negative error. */
int dg_store_schema_version(struct dg_store *s, const char *module, struct dg_error *err);

/* The store's own schema version that this program writes. */
#define DG_STORE_SCHEMA_VERSION 1

/*
 * The SQLite connection behind s (for modules that keep their own tables in
 * the same database and prepare their own statements), or NULL when s is not
 * the SQLite backend. Owned by s; same thread rules as s.
 */
struct sqlite3 *dg_store_sqlite(struct dg_store *s);

/* The same for the PostgreSQL backend: its libpq connection (PGconn is
 * struct pg_conn), or NULL when s is not a PostgreSQL store. A module that
 * keeps its own tables prepares its own statements on it (names not starting
 * with "dg", which the store uses). Owned by s; same thread rules as s. */
struct pg_conn *dg_store_pg(struct dg_store *s);

/* ---- backends ----------------------------------------------------------------------
 * A backend implements every operation; the generic layer (lib/store/store.c)
 * checks arguments common to all backends before dispatching. A backend's
 * store struct begins with a struct dg_store whose ops point at its table.
 * Tests may register a fake backend with dg_store_open_with(). */
struct dg_store_ops {
    const char *name;
    /* 1 when this backend handles uri (by scheme or shape). */
    int (*accepts)(const char *uri);
    int (*open)(const char *uri, unsigned flags, struct dg_store **out, struct dg_error *err);
    void (*close)(struct dg_store *s);
    int (*driver_by_oln)(struct dg_store *s, const char *oln, const char *ols,
                         struct dg_driver *out, struct dg_error *err);
    int (*driver_by_id)(struct dg_store *s, int64_t id, struct dg_driver *out,
                        struct dg_error *err);
    /* q is checked; last_sx is the Soundex of q->last. */
    int (*drivers_by_name)(struct dg_store *s, const struct dg_name_query *q, const char *last_sx,
                           struct dg_candidate *out, size_t max, struct dg_error *err);
    int (*photo)(struct dg_store *s, int64_t driver_id, struct dg_buf *out, char *media_type,
                 struct dg_error *err);
    /* plate is already normalised (no spaces/dashes, upper case). */
    int (*vehicles_by_plate)(struct dg_store *s, const char *plate, const char *plate_state,
                             const char *plate_type, struct dg_vehicle *out, size_t max,
                             struct dg_error *err);
    int (*vehicles_by_vin)(struct dg_store *s, const char *vin, struct dg_vehicle *out, size_t max,
                           struct dg_error *err);
    int (*vehicles_by_owner)(struct dg_store *s, int64_t owner_id, struct dg_vehicle *out,
                             size_t max, struct dg_error *err);
    int (*vehicle_by_id)(struct dg_store *s, int64_t id, struct dg_vehicle *out,
                         struct dg_error *err);
    int (*begin)(struct dg_store *s, struct dg_error *err);
    int (*commit)(struct dg_store *s, struct dg_error *err);
    int (*rollback)(struct dg_store *s, struct dg_error *err);
    /* d and v are checked; last_sx is the Soundex of d->last. */
    int (*put_driver)(struct dg_store *s, struct dg_driver *d, const char *last_sx,
                      const void *photo, size_t photo_len, struct dg_error *err);
    int (*put_vehicle)(struct dg_store *s, struct dg_vehicle *v, struct dg_error *err);
    int (*bulk_begin)(struct dg_store *s, struct dg_error *err);
    int (*bulk_end)(struct dg_store *s, struct dg_error *err);
    int (*stats)(struct dg_store *s, struct dg_store_stats *out, struct dg_error *err);
    int (*put_agency)(struct dg_store *s, const struct dg_agency *a, struct dg_error *err);
    int (*agency_by_ori)(struct dg_store *s, const char *ori, struct dg_agency *out,
                         struct dg_error *err);
    int (*agencies_clear)(struct dg_store *s, struct dg_error *err);
    int (*agencies_each)(struct dg_store *s, int (*fn)(void *arg, const struct dg_agency *a),
                         void *arg, struct dg_error *err);
    int (*migrate)(struct dg_store *s, const char *module, const struct dg_migration *m, size_t n,
                   struct dg_error *err);
    int (*schema_version)(struct dg_store *s, const char *module, struct dg_error *err);
};

struct dg_store {
    const struct dg_store_ops *ops;
    unsigned flags;
};

/* Open uri with a given backend (tests, or a backend not in the built-in list). */
int dg_store_open_with(const struct dg_store_ops *ops, const char *uri, unsigned flags,
                       struct dg_store **out, struct dg_error *err);

#endif
