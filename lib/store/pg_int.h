/*
 * pg_int.h - the PostgreSQL backend's connection struct, its statement table
 * and the helpers its files share (library-internal: pg.c, pg_rec.c,
 * pg_bulk.c).
 */
#ifndef DG_LIB_STORE_PG_INT_H
#define DG_LIB_STORE_PG_INT_H

#include "store_int.h"

#include <libpq-fe.h>

/* Every statement the backend runs more than once: prepared on the
 * connection at first use (server-side, named "dg<N>") and kept for its life. */
enum dg__pg_stmt {
    PG_DRIVER_OLN,
    PG_DRIVER_ID,
    PG_DRIVER_NAME,
    PG_PHOTO,
    PG_VEH_PLATE,
    PG_VEH_VIN,
    PG_VEH_OWNER,
    PG_VEH_ID,
    PG_PUT_DRIVER,
    PG_PUT_VEHICLE,
    PG_PUT_AGENCY,
    PG_AGENCY_ORI,
    PG_AGENCY_EACH,
    PG_AGENCY_CLEAR,
    PG__COUNT
};

/* The lookup indexes (one per kind of query, as in the SQLite backend) and
 * the foreign keys: schema step 1 creates them, bulk loading drops them and
 * builds them again in one pass each. A later schema step that changes one
 * must change it here too. */
#define PG_IDX_DRIVERS_OLN  "CREATE UNIQUE INDEX drivers_oln ON drivers (ols, oln)"
#define PG_IDX_DRIVERS_NAME "CREATE INDEX drivers_name ON drivers (dob, last_sx)"
#define PG_IDX_VEH_PLATE    "CREATE INDEX vehicles_plate ON vehicles (plate_state, plate)"
#define PG_IDX_VEH_VIN      "CREATE INDEX vehicles_vin ON vehicles (vin)"
#define PG_IDX_VEH_OWNER    "CREATE INDEX vehicles_owner ON vehicles (owner_id)"
#define PG_FK_PHOTOS_DRIVER                                                                        \
    "ALTER TABLE photos ADD CONSTRAINT photos_driver_fk FOREIGN KEY (driver_id)"                   \
    " REFERENCES drivers (id)"
#define PG_FK_VEH_OWNER                                                                            \
    "ALTER TABLE vehicles ADD CONSTRAINT vehicles_owner_fk FOREIGN KEY (owner_id)"                 \
    " REFERENCES drivers (id)"

/* The COPY streams of bulk loading (pg_bulk.c), in the order they are
 * flushed: owners before what refers to them. */
enum dg__pg_copy { PGC_DRIVERS, PGC_PHOTOS, PGC_VEHICLES, PGC__COUNT };

struct dg__pg {
    struct dg_store base;
    PGconn *conn;
    unsigned flags;
    char prepared[PG__COUNT]; /* 1 once the statement exists on this connection */
    /* Bulk loading: between bulk_begin and bulk_end (or rollback), rows are
     * buffered as COPY text and sent table by table; ids are given here. */
    int bulk;
    int64_t next_driver_id, next_vehicle_id;
    struct dg_buf copy[PGC__COUNT];
};

extern const struct dg_store_ops dg__store_pg_ops;

/* The parameters of one statement run: values (NULL for SQL NULL), and for
 * binary parameters their lengths and format 1. */
struct dg__pg_params {
    int n;
    const char *val[24];
    int len[24];
    int fmt[24];
};

/*
 * Run prepared statement id with params p, asking for results in
 * result_format (0 text, 1 binary). Returns the result (status
 * PGRES_TUPLES_OK or PGRES_COMMAND_OK; the caller PQclear()s it) or NULL with
 * err set. Buffered bulk rows are sent first. A lost connection is reset
 * before the statement runs; a read-only statement that fails because the
 * connection dropped under it is run once more on the new connection.
 */
PGresult *dg__pg_exec(struct dg__pg *p, enum dg__pg_stmt id, const struct dg__pg_params *prm,
                      int result_format, const char *what, struct dg_error *err);

/* Run SQL text (one or more statements; rows, if any, are dropped). */
int dg__pg_sql(struct dg__pg *p, const char *sql, struct dg_error *err);

/* Turn a failed result (or NULL: a connection failure) into a DG_E code with
 * the server's message in err: DG_EEXIST for a uniqueness violation,
 * DG_EINVAL for other integrity violations (a vehicle's unknown owner),
 * DG_ENOSPC, DG_ENOMEM, DG_EAGAIN (serialization failure or deadlock: retry),
 * DG_ESTORE otherwise. Does not clear res. */
int dg__pg_fail(struct dg__pg *p, const PGresult *res, const char *what, struct dg_error *err);

/* Add a 64-bit integer to params as text (buf holds the digits; 21 bytes). */
void dg__pg_param_int(struct dg__pg_params *prm, char buf[24], int64_t v);

/* A column value as a number (0 when NULL or not a number). */
int64_t dg__pg_int(const PGresult *res, int row, int col);

/* Record operations (pg_rec.c). */
int dg__pg_driver_by_oln(struct dg_store *s, const char *oln, const char *ols,
                         struct dg_driver *out, struct dg_error *err);
int dg__pg_driver_by_id(struct dg_store *s, int64_t id, struct dg_driver *out,
                        struct dg_error *err);
int dg__pg_drivers_by_name(struct dg_store *s, const struct dg_name_query *q, const char *last_sx,
                           struct dg_candidate *out, size_t max, struct dg_error *err);
int dg__pg_photo(struct dg_store *s, int64_t driver_id, struct dg_buf *out, char *media_type,
                 struct dg_error *err);
int dg__pg_vehicles_by_plate(struct dg_store *s, const char *plate, const char *plate_state,
                             const char *plate_type, struct dg_vehicle *out, size_t max,
                             struct dg_error *err);
int dg__pg_vehicles_by_vin(struct dg_store *s, const char *vin, struct dg_vehicle *out, size_t max,
                           struct dg_error *err);
int dg__pg_vehicles_by_owner(struct dg_store *s, int64_t owner_id, struct dg_vehicle *out,
                             size_t max, struct dg_error *err);
int dg__pg_vehicle_by_id(struct dg_store *s, int64_t id, struct dg_vehicle *out,
                         struct dg_error *err);
int dg__pg_put_driver(struct dg_store *s, struct dg_driver *d, const char *last_sx,
                      const void *photo, size_t photo_len, struct dg_error *err);
int dg__pg_put_vehicle(struct dg_store *s, struct dg_vehicle *v, struct dg_error *err);
int dg__pg_put_agency(struct dg_store *s, const struct dg_agency *a, struct dg_error *err);
int dg__pg_agency_by_ori(struct dg_store *s, const char *ori, struct dg_agency *out,
                         struct dg_error *err);
int dg__pg_agencies_clear(struct dg_store *s, struct dg_error *err);
int dg__pg_agencies_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_agency *a),
                         void *arg, struct dg_error *err);
/* The agreements of a as the stored text ("287g-jail;287g-task-force"). */
void dg__pg_agreements_text(const struct dg_agency *a, char out[96]);

/* Bulk loading (pg_bulk.c). */
int dg__pg_bulk_begin(struct dg_store *s, struct dg_error *err);
int dg__pg_bulk_end(struct dg_store *s, struct dg_error *err);
/* Send every buffered row (a no-op outside bulk loading). */
int dg__pg_bulk_flush(struct dg__pg *p, struct dg_error *err);
/* Forget buffered rows and leave bulk mode (on rollback and close). */
void dg__pg_bulk_discard(struct dg__pg *p);
int dg__pg_bulk_driver(struct dg__pg *p, struct dg_driver *d, const char *last_sx,
                       const void *photo, size_t photo_len, struct dg_error *err);
int dg__pg_bulk_vehicle(struct dg__pg *p, struct dg_vehicle *v, struct dg_error *err);

#endif
