/*
 * sqlite.c - the SQLite backend of the store: connections, schema and
 * migrations, transactions, bulk loading and statistics. The record
 * operations are in sqlite_rec.c.
 *
 * A connection is opened in SQLite's multi-thread mode (no mutex of its
 * own) because the store's contract is one connection per thread; WAL
 * journaling lets every node thread read while another writes, and
 * memory-mapped I/O lets lookups on a warm database avoid read() calls.
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- schema ------------------------------------------------------------------------ */

/* The lookup indexes, one per kind of query (docs/data-model.md). Bulk
 * loading drops and rebuilds exactly these; a later schema step that changes
 * an index must change it here too. */
#define IDX_DRIVERS_OLN  "CREATE UNIQUE INDEX IF NOT EXISTS drivers_oln ON drivers(ols, oln)"
#define IDX_DRIVERS_NAME "CREATE INDEX IF NOT EXISTS drivers_name ON drivers(dob, last_sx)"
#define IDX_VEHICLES_PLATE                                                                         \
    "CREATE INDEX IF NOT EXISTS vehicles_plate ON vehicles(plate_state, plate)"
#define IDX_VEHICLES_VIN   "CREATE INDEX IF NOT EXISTS vehicles_vin ON vehicles(vin)"
#define IDX_VEHICLES_OWNER "CREATE INDEX IF NOT EXISTS vehicles_owner ON vehicles(owner_id)"

static const struct {
    const char *name, *create;
    int bulk_keep; /* keys arrive in order during bulk loads: cheaper to keep than rebuild */
} lookup_indexes[] = {
    {"drivers_oln", IDX_DRIVERS_OLN, 0},       {"drivers_name", IDX_DRIVERS_NAME, 0},
    {"vehicles_plate", IDX_VEHICLES_PLATE, 0}, {"vehicles_vin", IDX_VEHICLES_VIN, 0},
    {"vehicles_owner", IDX_VEHICLES_OWNER, 1},
};

static const char schema_v1[] =
    "CREATE TABLE drivers ("
    " id INTEGER PRIMARY KEY,"
    " oln TEXT NOT NULL, ols TEXT NOT NULL,"
    " last TEXT NOT NULL, first TEXT NOT NULL, middle TEXT NOT NULL DEFAULT '',"
    " last_sx TEXT NOT NULL,"
    " dob TEXT NOT NULL, sex TEXT NOT NULL CHECK (sex IN ('M','F','X')),"
    " height INTEGER NOT NULL, eyes TEXT NOT NULL,"
    " street TEXT NOT NULL, city TEXT NOT NULL, addr_state TEXT NOT NULL, zip TEXT NOT NULL,"
    " class TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('valid','suspended','revoked','expired')),"
    " issued TEXT NOT NULL, expires TEXT NOT NULL, restrictions TEXT NOT NULL DEFAULT '',"
    " lp_flag INTEGER NOT NULL DEFAULT 0,"
    " photo_type TEXT NOT NULL DEFAULT '', photo_len INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE photos (driver_id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TABLE vehicles ("
    " id INTEGER PRIMARY KEY,"
    " plate TEXT NOT NULL, plate_state TEXT NOT NULL, plate_type TEXT NOT NULL,"
    " model_year INTEGER NOT NULL, vin TEXT NOT NULL,"
    " make TEXT NOT NULL, model TEXT NOT NULL, color TEXT NOT NULL,"
    " reg_expires TEXT NOT NULL,"
    " owner_id INTEGER NOT NULL REFERENCES drivers(id));"
    "CREATE TABLE agencies ("
    " ori TEXT PRIMARY KEY, state TEXT NOT NULL, name TEXT NOT NULL,"
    " level TEXT NOT NULL, department TEXT NOT NULL DEFAULT '', component TEXT NOT NULL DEFAULT '',"
    " category TEXT NOT NULL, agreements TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
    "CREATE TABLE schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    " WITHOUT ROWID;" IDX_DRIVERS_OLN ";" IDX_DRIVERS_NAME ";" IDX_VEHICLES_PLATE
    ";" IDX_VEHICLES_VIN ";" IDX_VEHICLES_OWNER ";";

/* The store's own schema steps, in order; PRAGMA user_version records the
 * last one applied. Append only. */
static const struct dg_migration store_migrations[] = {
    {1, "drivers, photos, vehicles, agencies, schema_versions", schema_v1, NULL},
};

_Static_assert(DG_ARRAY_LEN(store_migrations) == DG_STORE_SCHEMA_VERSION,
               "DG_STORE_SCHEMA_VERSION must be the number of store migrations");

/* ---- helpers ------------------------------------------------------------------------ */

int dg__sq_fail(struct dg__sq *q, int rc, const char *what, struct dg_error *err)
{
    int code = DG_ESTORE;
    if (rc == SQLITE_NOMEM)
        code = DG_ENOMEM;
    else if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = DG_EEXIST;
    else if ((rc & 0xff) == SQLITE_FULL)
        code = DG_ENOSPC;
    return dg_error_set(err, code, NULL, -1, "%s: %s", what,
                        q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
}

int dg__sq_exec(struct dg__sq *q, const char *sql, struct dg_error *err)
{
    int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : dg__sq_fail(q, rc, "cannot run SQL", err);
}

static int query_int(struct dg__sq *q, const char *sql, const char *text, int64_t *out,
                     struct dg_error *err)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dg__sq_fail(q, rc, "cannot prepare query", err);
    if (text)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : dg__sq_fail(q, rc, "cannot query", err);
}

/* ---- migrations --------------------------------------------------------------------- */

static int is_store_module(const char *module)
{
    return strcmp(module, "store") == 0;
}

static int sq_schema_version(struct dg_store *s, const char *module, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    int64_t v = 0;
    int rc;
    if (is_store_module(module))
        rc = query_int(q, "PRAGMA user_version", NULL, &v, err);
    else {
        int64_t has = 0;
        rc = query_int(q,
                       "SELECT count(*) FROM sqlite_master WHERE type='table'"
                       " AND name='schema_versions'",
                       NULL, &has, err);
        if (!rc && has)
            rc = query_int(q, "SELECT version FROM schema_versions WHERE module=?1", module, &v,
                           err);
    }
    return rc ? rc : (int)v;
}

static int record_version(struct dg__sq *q, const char *module, int version, struct dg_error *err)
{
    if (is_store_module(module)) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", version);
        return dg__sq_exec(q, sql, err);
    }
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(q->db,
                                "INSERT INTO schema_versions(module, version) VALUES(?1, ?2)"
                                " ON CONFLICT(module) DO UPDATE SET version=excluded.version",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dg__sq_fail(q, rc, "cannot record schema version", err);
    sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, version);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : dg__sq_fail(q, rc, "cannot record schema version", err);
}

static int sq_migrate(struct dg_store *s, const char *module, const struct dg_migration *m,
                      size_t n, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    int cur = sq_schema_version(s, module, err);
    if (cur < 0)
        return cur;
    int newest = n ? m[n - 1].version : 0;
    if (cur > newest)
        return dg_error_set(err, DG_EINVAL, "version", -1,
                            "schema '%s' of '%s' is version %d, newer than this program's %d",
                            module, q->path, cur, newest);
    int applied = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].version <= cur)
            continue;
        int rc = dg__sq_exec(q, "BEGIN IMMEDIATE", err);
        /* Another connection may have applied it while this one waited. */
        int now = rc ? rc : sq_schema_version(s, module, err);
        if (now < 0)
            rc = now;
        else if (now >= m[i].version) {
            if ((rc = dg__sq_exec(q, "COMMIT", err)))
                return rc;
            continue;
        }
        if (!rc && m[i].sqlite_sql)
            rc = dg__sq_exec(q, m[i].sqlite_sql, err);
        if (!rc)
            rc = record_version(q, module, m[i].version, err);
        if (!rc)
            rc = dg__sq_exec(q, "COMMIT", err);
        if (rc) {
            char why[256];
            snprintf(why, sizeof(why), "%s", err ? err->msg : "");
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            return dg_error_set(err, rc, "version", -1, "schema '%s' step %d (%s) failed: %s",
                                module, m[i].version, m[i].what ? m[i].what : "", why);
        }
        applied++;
    }
    return applied;
}

/* ---- connection ----------------------------------------------------------------------- */

static int sq_accepts(const char *uri)
{
    return strncmp(uri, "sqlite:", 7) == 0 || strstr(uri, "://") == NULL;
}

static void sq_close(struct dg_store *s)
{
    struct dg__sq *q = (struct dg__sq *)s;
    for (int i = 0; i < SQ__COUNT; i++)
        sqlite3_finalize(q->st[i]);
    if (q->db) {
        if (!sqlite3_get_autocommit(q->db))
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
        /* A bulk connection wrote with a rollback journal; leave the file in
         * WAL mode for the node's readers and writers. */
        if ((q->flags & DG_STORE_BULK) && !(q->flags & DG_STORE_READONLY))
            sqlite3_exec(q->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        sqlite3_close_v2(q->db);
    }
    dg_free(q->path);
    dg_free(q);
}

static const char *path_of(const char *uri)
{
    if (strncmp(uri, "sqlite:", 7) == 0) {
        uri += 7;
        if (strncmp(uri, "//", 2) == 0)
            uri += 2;
    }
    return uri;
}

static int check_readonly_schema(struct dg__sq *q, struct dg_error *err)
{
    int v = sq_schema_version(&q->base, "store", err);
    if (v < 0)
        return v;
    if (v == 0)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "'%s' is not a dmvgate store", q->path);
    if (v > DG_STORE_SCHEMA_VERSION)
        return dg_error_set(err, DG_EINVAL, NULL, -1,
                            "store '%s' has schema version %d, newer than this program's %d",
                            q->path, v, DG_STORE_SCHEMA_VERSION);
    if (v < DG_STORE_SCHEMA_VERSION)
        return dg_error_set(err, DG_EINVAL, NULL, -1,
                            "store '%s' has schema version %d; open it read-write once to migrate",
                            q->path, v);
    return 0;
}

static int sq_open(const char *uri, unsigned flags, struct dg_store **out, struct dg_error *err)
{
    const char *path = path_of(uri);
    if (!*path)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "no database path in '%s'", uri);
    int memory = strcmp(path, ":memory:") == 0;
    if (!memory && !(flags & DG_STORE_CREATE) && access(path, F_OK) != 0)
        return dg_error_set(err, DG_ENOENT, NULL, -1, "no database '%s'", path);
    struct dg__sq *q = dg_calloc(1, sizeof(*q));
    if (!q || !(q->path = dg_strdup(path))) {
        dg_free(q);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    q->flags = flags;
    int of = SQLITE_OPEN_NOMUTEX;
    if (flags & DG_STORE_READONLY)
        of |= SQLITE_OPEN_READONLY;
    else
        of |= SQLITE_OPEN_READWRITE | ((flags & DG_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &q->db, of, NULL);
    if (rc != SQLITE_OK) {
        dg_error_set(err, rc == SQLITE_NOMEM ? DG_ENOMEM : DG_ESTORE, NULL, -1,
                     "cannot open database '%s': %s", path,
                     q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
        rc = err ? err->code : DG_ESTORE;
        sq_close(&q->base);
        return rc;
    }
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, 5000);
    const char *pragmas;
    if (flags & DG_STORE_READONLY)
        pragmas = "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-16384";
    else if (flags & DG_STORE_BULK)
        pragmas = "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=DELETE;"
                  " PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY";
    else
        pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                  " PRAGMA mmap_size=1073741824; PRAGMA cache_size=-16384";
    /* Changing the journal mode does not wait through the busy handler:
     * connections opening a new database at the same moment retry it. */
    for (int tries = 0;
         (rc = sqlite3_exec(q->db, pragmas, NULL, NULL, NULL)) == SQLITE_BUSY && tries < 500;
         tries++)
        usleep(10000);
    rc = rc == SQLITE_OK ? 0 : dg__sq_fail(q, rc, "cannot set up the connection", err);
    if (!rc && (flags & DG_STORE_READONLY))
        rc = check_readonly_schema(q, err);
    else if (!rc) {
        rc = sq_migrate(&q->base, "store", store_migrations, DG_ARRAY_LEN(store_migrations), err);
        rc = rc > 0 ? 0 : rc;
    }
    if (rc) {
        sq_close(&q->base);
        return rc;
    }
    *out = &q->base;
    return 0;
}

/* ---- transactions and bulk loading --------------------------------------------------- */

static int sq_begin(struct dg_store *s, struct dg_error *err)
{
    return dg__sq_exec((struct dg__sq *)s, "BEGIN IMMEDIATE", err);
}

static int sq_commit(struct dg_store *s, struct dg_error *err)
{
    return dg__sq_exec((struct dg__sq *)s, "COMMIT", err);
}

static int sq_rollback(struct dg_store *s, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    if (sqlite3_get_autocommit(q->db))
        return 0;
    return dg__sq_exec(q, "ROLLBACK", err);
}

static int sq_bulk_begin(struct dg_store *s, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    int rc = dg__sq_exec(q, "BEGIN IMMEDIATE", err);
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(lookup_indexes); i++) {
        if (lookup_indexes[i].bulk_keep)
            continue;
        char sql[96];
        snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS %s", lookup_indexes[i].name);
        rc = dg__sq_exec(q, sql, err);
    }
    if (rc)
        sq_rollback(s, NULL);
    return rc;
}

static int sq_bulk_end(struct dg_store *s, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    int rc = 0;
    for (size_t i = 0; !rc && i < DG_ARRAY_LEN(lookup_indexes); i++) {
        rc = dg__sq_exec(q, lookup_indexes[i].create, err);
        if (rc == DG_EEXIST)
            dg_error_set(err, rc, NULL, -1, "duplicate keys in the data for index '%s'",
                         lookup_indexes[i].name);
    }
    if (!rc)
        rc = dg__sq_exec(q, "COMMIT", err);
    return rc;
}

static int sq_stats(struct dg_store *s, struct dg_store_stats *out, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(q->db,
                                "SELECT (SELECT count(*) FROM drivers),"
                                " (SELECT count(*) FROM vehicles), (SELECT count(*) FROM photos),"
                                " (SELECT count(*) FROM agencies),"
                                " (SELECT coalesce(max(id), 0) FROM drivers),"
                                " (SELECT coalesce(max(id), 0) FROM vehicles)",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dg__sq_fail(q, rc, "cannot prepare statistics", err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->drivers = sqlite3_column_int64(st, 0);
        out->vehicles = sqlite3_column_int64(st, 1);
        out->photos = sqlite3_column_int64(st, 2);
        out->agencies = sqlite3_column_int64(st, 3);
        out->max_driver_id = sqlite3_column_int64(st, 4);
        out->max_vehicle_id = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : dg__sq_fail(q, rc, "cannot read statistics", err);
}

struct sqlite3 *dg_store_sqlite(struct dg_store *s)
{
    return s && s->ops == &dg__store_sqlite_ops ? ((struct dg__sq *)s)->db : NULL;
}

const struct dg_store_ops dg__store_sqlite_ops = {
    .name = "sqlite",
    .accepts = sq_accepts,
    .open = sq_open,
    .close = sq_close,
    .driver_by_oln = dg__sq_driver_by_oln,
    .driver_by_id = dg__sq_driver_by_id,
    .drivers_by_name = dg__sq_drivers_by_name,
    .photo = dg__sq_photo,
    .vehicles_by_plate = dg__sq_vehicles_by_plate,
    .vehicles_by_vin = dg__sq_vehicles_by_vin,
    .vehicles_by_owner = dg__sq_vehicles_by_owner,
    .vehicle_by_id = dg__sq_vehicle_by_id,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .put_driver = dg__sq_put_driver,
    .put_vehicle = dg__sq_put_vehicle,
    .bulk_begin = sq_bulk_begin,
    .bulk_end = sq_bulk_end,
    .stats = sq_stats,
    .put_agency = dg__sq_put_agency,
    .agency_by_ori = dg__sq_agency_by_ori,
    .agencies_clear = dg__sq_agencies_clear,
    .agencies_each = dg__sq_agencies_each,
    .migrate = sq_migrate,
    .schema_version = sq_schema_version,
};
