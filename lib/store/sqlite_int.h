/*
 * sqlite_int.h - the SQLite backend's connection struct and its statement
 * table (library-internal, shared by sqlite.c and sqlite_rec.c).
 */
#ifndef DG_LIB_STORE_SQLITE_INT_H
#define DG_LIB_STORE_SQLITE_INT_H

#include "store_int.h"

#include <sqlite3.h>

/* Every statement the backend runs more than once; prepared on first use
 * and kept for the life of the connection. */
enum dg__sq_stmt {
    SQ_DRIVER_OLN,
    SQ_DRIVER_ID,
    SQ_DRIVER_NAME,
    SQ_PHOTO,
    SQ_VEH_PLATE,
    SQ_VEH_VIN,
    SQ_VEH_OWNER,
    SQ_VEH_ID,
    SQ_PUT_DRIVER,
    SQ_PUT_PHOTO,
    SQ_PUT_VEHICLE,
    SQ_PUT_AGENCY,
    SQ_AGENCY_ORI,
    SQ_AGENCY_EACH,
    SQ_AGENCY_CLEAR,
    SQ__COUNT
};

struct dg__sq {
    struct dg_store base;
    sqlite3 *db;
    char *path;
    unsigned flags;
    sqlite3_stmt *st[SQ__COUNT];
};

extern const struct dg_store_ops dg__store_sqlite_ops;

/* The statement for id, prepared if needed (NULL on failure, err set). */
sqlite3_stmt *dg__sq_stmt(struct dg__sq *q, enum dg__sq_stmt id, struct dg_error *err);

/* Turn SQLite result rc into a DG_E code with the connection's message in
 * err (DG_EEXIST for a uniqueness violation, DG_ESTORE otherwise). */
int dg__sq_fail(struct dg__sq *q, int rc, const char *what, struct dg_error *err);

/* Run SQL text (one or more statements, no results). */
int dg__sq_exec(struct dg__sq *q, const char *sql, struct dg_error *err);

/* Record operations (sqlite_rec.c). */
int dg__sq_driver_by_oln(struct dg_store *s, const char *oln, const char *ols,
                         struct dg_driver *out, struct dg_error *err);
int dg__sq_driver_by_id(struct dg_store *s, int64_t id, struct dg_driver *out,
                        struct dg_error *err);
int dg__sq_drivers_by_name(struct dg_store *s, const struct dg_name_query *q, const char *last_sx,
                           struct dg_candidate *out, size_t max, struct dg_error *err);
int dg__sq_photo(struct dg_store *s, int64_t driver_id, struct dg_buf *out, char *media_type,
                 struct dg_error *err);
int dg__sq_vehicles_by_plate(struct dg_store *s, const char *plate, const char *plate_state,
                             const char *plate_type, struct dg_vehicle *out, size_t max,
                             struct dg_error *err);
int dg__sq_vehicles_by_vin(struct dg_store *s, const char *vin, struct dg_vehicle *out, size_t max,
                           struct dg_error *err);
int dg__sq_vehicles_by_owner(struct dg_store *s, int64_t owner_id, struct dg_vehicle *out,
                             size_t max, struct dg_error *err);
int dg__sq_vehicle_by_id(struct dg_store *s, int64_t id, struct dg_vehicle *out,
                         struct dg_error *err);
int dg__sq_put_driver(struct dg_store *s, struct dg_driver *d, const char *last_sx,
                      const void *photo, size_t photo_len, struct dg_error *err);
int dg__sq_put_vehicle(struct dg_store *s, struct dg_vehicle *v, struct dg_error *err);
int dg__sq_put_agency(struct dg_store *s, const struct dg_agency *a, struct dg_error *err);
int dg__sq_agency_by_ori(struct dg_store *s, const char *ori, struct dg_agency *out,
                         struct dg_error *err);
int dg__sq_agencies_clear(struct dg_store *s, struct dg_error *err);
int dg__sq_agencies_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_agency *a),
                         void *arg, struct dg_error *err);

#endif
