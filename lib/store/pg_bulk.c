/*
 * pg_bulk.c - bulk loading into PostgreSQL (`dmvgate seed --db
 * postgresql://...`): COPY instead of one INSERT a row, indexes and foreign
 * keys built once at the end.
 *
 * dg_store_bulk_begin opens a transaction, locks the record tables, drops
 * the lookup indexes and the foreign keys, and reads the largest ids so that
 * ids can be given here, without a round trip a row. Rows are then buffered
 * as COPY text, one buffer a table, and sent a few MB at a time (drivers
 * first, so that what refers to them follows). dg_store_bulk_end sends the
 * rest, builds each index in one sorted pass, checks the foreign keys in one
 * pass, moves the id sequences past the ids given, gathers the planner's
 * statistics of the key columns (photos are only ever fetched by key) and
 * commits. DDL is transactional in PostgreSQL, so a
 * rollback anywhere in between restores the tables, indexes and keys as they
 * were. A failure of a buffered row is reported by the call that sends it.
 */
#include "pg_int.h"

#include <stdio.h>
#include <string.h>

/* Send the buffers when they hold this much (bounded memory, big COPYs). */
#define FLUSH_AT (4u << 20)

static const char *const copy_sql[PGC__COUNT] = {
    [PGC_DRIVERS] = "COPY drivers (id, oln, ols, last, first, middle, last_sx, dob, sex, height,"
                    " eyes, street, city, addr_state, zip, class, status, issued, expires,"
                    " restrictions, lp_flag, photo_type, photo_len) FROM STDIN",
    [PGC_PHOTOS] = "COPY photos (driver_id, data) FROM STDIN",
    [PGC_VEHICLES] = "COPY vehicles (id, plate, plate_state, plate_type, model_year, vin, make,"
                     " model, color, reg_expires, owner_id) FROM STDIN",
};

static const struct {
    const char *name, *create;
} lookup_indexes[] = {
    {"drivers_oln", PG_IDX_DRIVERS_OLN},  {"drivers_name", PG_IDX_DRIVERS_NAME},
    {"vehicles_plate", PG_IDX_VEH_PLATE}, {"vehicles_vin", PG_IDX_VEH_VIN},
    {"vehicles_owner", PG_IDX_VEH_OWNER},
};

static const struct {
    const char *table, *name, *create;
} foreign_keys[] = {
    {"photos", "photos_driver_fk", PG_FK_PHOTOS_DRIVER},
    {"vehicles", "vehicles_owner_fk", PG_FK_VEH_OWNER},
};

/* ---- COPY text ------------------------------------------------------------------------ */

/* Append s as one COPY text field: backslash, tab, newline and CR escaped. */
static int field(struct dg_buf *b, const char *s, char sep)
{
    int rc = 0;
    for (const char *q = s; !rc && *q; q++) {
        switch (*q) {
        case '\\': rc = dg_buf_add(b, "\\\\", 2); break;
        case '\t': rc = dg_buf_add(b, "\\t", 2); break;
        case '\n': rc = dg_buf_add(b, "\\n", 2); break;
        case '\r': rc = dg_buf_add(b, "\\r", 2); break;
        default: rc = dg_buf_addc(b, *q);
        }
    }
    return rc ? rc : dg_buf_addc(b, sep);
}

static int field_int(struct dg_buf *b, int64_t v, char sep)
{
    return dg_buf_printf(b, "%lld%c", (long long)v, sep);
}

/* A bytea in COPY text: \x and hex digits, the backslash itself escaped. */
static int field_bytea(struct dg_buf *b, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = dg_buf_add(b, "\\\\x", 3);
    for (size_t i = 0; !rc && i < n; i++) {
        char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
        rc = dg_buf_add(b, two, 2);
    }
    return rc ? rc : dg_buf_addc(b, '\n');
}

static int send_copy(struct dg__pg *p, enum dg__pg_copy which, struct dg_error *err)
{
    struct dg_buf *b = &p->copy[which];
    if (!b->len)
        return 0;
    PGresult *res = PQexec(p->conn, copy_sql[which]);
    int rc = 0;
    if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
        rc = dg__pg_fail(p, res, "cannot start COPY", err);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    if (PQputCopyData(p->conn, b->data, (int)b->len) != 1 || PQputCopyEnd(p->conn, NULL) != 1)
        rc = dg__pg_fail(p, NULL, "cannot send COPY data", err);
    /* Read every result: the COPY's own, then the end of the command. */
    while ((res = PQgetResult(p->conn)) != NULL) {
        if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = dg__pg_fail(p, res, "bulk load failed", err);
        PQclear(res);
    }
    dg_buf_reset(b);
    return rc;
}

int dg__pg_bulk_flush(struct dg__pg *p, struct dg_error *err)
{
    int rc = 0;
    for (int i = 0; !rc && i < PGC__COUNT; i++)
        rc = send_copy(p, (enum dg__pg_copy)i, err);
    return rc;
}

void dg__pg_bulk_discard(struct dg__pg *p)
{
    for (int i = 0; i < PGC__COUNT; i++)
        dg_buf_release(&p->copy[i]);
    p->bulk = 0;
}

static int maybe_flush(struct dg__pg *p, struct dg_error *err)
{
    size_t total = 0;
    for (int i = 0; i < PGC__COUNT; i++)
        total += p->copy[i].len;
    return total >= FLUSH_AT ? dg__pg_bulk_flush(p, err) : 0;
}

static int buffer_full(int rc, struct dg_error *err)
{
    return dg_error_set(err, rc, NULL, -1, "cannot buffer a row for bulk loading");
}

int dg__pg_bulk_driver(struct dg__pg *p, struct dg_driver *d, const char *last_sx,
                       const void *photo, size_t photo_len, struct dg_error *err)
{
    int64_t id = d->id > 0 ? d->id : p->next_driver_id;
    struct dg_buf *b = &p->copy[PGC_DRIVERS];
    size_t mark = b->len;
    char sex[2] = {d->sex, '\0'};
    int rc = field_int(b, id, '\t');
    const char *text[] = {d->oln, d->ols, d->last, d->first, d->middle, last_sx, d->dob, sex};
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(text); i++)
        rc = field(b, text[i], '\t');
    if (!rc)
        rc = field_int(b, d->height_in, '\t');
    const char *text2[] = {d->eyes,
                           d->street,
                           d->city,
                           d->addr_state,
                           d->zip,
                           d->license_class,
                           dg_status_name(d->status),
                           d->issued,
                           d->expires,
                           d->restrictions,
                           d->lawful_presence_flag ? "t" : "f",
                           photo ? d->photo_type : ""};
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(text2); i++)
        rc = field(b, text2[i], '\t');
    if (!rc)
        rc = field_int(b, (int64_t)photo_len, '\n');
    struct dg_buf *pb = &p->copy[PGC_PHOTOS];
    size_t pmark = pb->len;
    if (!rc && photo && !(rc = field_int(pb, id, '\t')))
        rc = field_bytea(pb, photo, photo_len);
    if (rc) {
        b->len = mark; /* leave no half row behind */
        pb->len = pmark;
        return buffer_full(rc, err);
    }
    d->id = id;
    if (id >= p->next_driver_id)
        p->next_driver_id = id + 1;
    d->photo_len = (uint32_t)photo_len;
    if (!photo)
        d->photo_type[0] = '\0';
    return maybe_flush(p, err);
}

int dg__pg_bulk_vehicle(struct dg__pg *p, struct dg_vehicle *v, struct dg_error *err)
{
    int64_t id = v->id > 0 ? v->id : p->next_vehicle_id;
    struct dg_buf *b = &p->copy[PGC_VEHICLES];
    size_t mark = b->len;
    int rc = field_int(b, id, '\t');
    const char *text[] = {v->plate, v->plate_state, v->plate_type};
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(text); i++)
        rc = field(b, text[i], '\t');
    if (!rc)
        rc = field_int(b, v->model_year, '\t');
    const char *text2[] = {v->vin, v->make, v->model, v->color, v->reg_expires};
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(text2); i++)
        rc = field(b, text2[i], '\t');
    if (!rc)
        rc = field_int(b, v->owner_id, '\n');
    if (rc) {
        b->len = mark;
        return buffer_full(rc, err);
    }
    v->id = id;
    if (id >= p->next_vehicle_id)
        p->next_vehicle_id = id + 1;
    return maybe_flush(p, err);
}

/* ---- begin and end ---------------------------------------------------------------------- */

static int next_id(struct dg__pg *p, const char *table, int64_t *out, struct dg_error *err)
{
    char sql[80];
    snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) + 1 FROM %s", table);
    PGresult *res = PQexec(p->conn, sql);
    int rc = 0;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        rc = dg__pg_fail(p, res, "cannot read the largest id", err);
    else
        *out = dg__pg_int(res, 0, 0);
    PQclear(res);
    return rc;
}

int dg__pg_bulk_begin(struct dg_store *s, struct dg_error *err)
{
    struct dg__pg *p = (struct dg__pg *)s;
    if (p->bulk)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "a bulk load is already open");
    /* Writers wait for the whole load; the DDL below also holds off readers. */
    int rc = dg__pg_sql(p, "BEGIN; LOCK TABLE drivers, photos, vehicles IN EXCLUSIVE MODE", err);
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(foreign_keys); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
                 foreign_keys[i].table, foreign_keys[i].name);
        rc = dg__pg_sql(p, sql, err);
    }
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(lookup_indexes); i++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS %s", lookup_indexes[i].name);
        rc = dg__pg_sql(p, sql, err);
    }
    if (!rc)
        rc = next_id(p, "drivers", &p->next_driver_id, err);
    if (!rc)
        rc = next_id(p, "vehicles", &p->next_vehicle_id, err);
    if (rc) {
        PQclear(PQexec(p->conn, "ROLLBACK"));
        return rc;
    }
    p->bulk = 1;
    return 0;
}

int dg__pg_bulk_end(struct dg_store *s, struct dg_error *err)
{
    struct dg__pg *p = (struct dg__pg *)s;
    if (!p->bulk)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "no bulk load is open");
    int rc = dg__pg_bulk_flush(p, err);
    p->bulk = 0;
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(lookup_indexes); i++) {
        rc = dg__pg_sql(p, lookup_indexes[i].create, err);
        if (rc == DG_EEXIST)
            dg_error_set(err, rc, NULL, -1, "duplicate keys in the data for index '%s'",
                         lookup_indexes[i].name);
    }
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(foreign_keys); i++) {
        rc = dg__pg_sql(p, foreign_keys[i].create, err);
        if (rc == DG_EINVAL)
            dg_error_set(err, rc, NULL, -1, "rows of '%s' refer to drivers not in the store",
                         foreign_keys[i].table);
    }
    if (!rc)
        rc = dg__pg_sql(p,
                        "SELECT setval('drivers_id_seq', m) FROM (SELECT max(id) AS m FROM drivers)"
                        " x WHERE m IS NOT NULL;"
                        "SELECT setval('vehicles_id_seq', m) FROM (SELECT max(id) AS m FROM"
                        " vehicles) x WHERE m IS NOT NULL;"
                        "ANALYZE drivers (id, ols, oln, dob, last_sx);"
                        "ANALYZE vehicles (id, plate_state, plate, vin, owner_id)",
                        err);
    if (!rc)
        rc = dg__pg_sql(p, "COMMIT", err);
    dg__pg_bulk_discard(p);
    return rc;
}
