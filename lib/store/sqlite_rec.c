/*
 * sqlite_rec.c - the SQLite backend's record operations: driver, vehicle,
 * photo and agency lookups and inserts, each one prepared statement.
 *
 * Lookups copy columns straight into the caller's fixed-size records and
 * allocate nothing; the statements are prepared once per connection and
 * reset after each use, so a lookup is bind, step, copy, reset.
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <string.h>

#define DRIVER_COLS                                                                                \
    "id, oln, ols, last, first, middle, dob, sex, height, eyes, street, city, addr_state, zip,"    \
    " class, status, issued, expires, restrictions, lp_flag, photo_type, photo_len"
#define VEHICLE_COLS                                                                               \
    "v.id, v.plate, v.plate_state, v.plate_type, v.model_year, v.vin, v.make, v.model, v.color,"   \
    " v.reg_expires, v.owner_id, coalesce(d.oln, ''), coalesce(d.ols, '')"
#define VEHICLE_FROM " FROM vehicles v LEFT JOIN drivers d ON d.id = v.owner_id"
#define AGENCY_COLS  "ori, state, name, level, department, component, category, agreements"

static const char *const stmt_sql[SQ__COUNT] = {
    [SQ_DRIVER_OLN] = "SELECT " DRIVER_COLS " FROM drivers WHERE ols = ?1 AND oln = ?2",
    [SQ_DRIVER_ID] = "SELECT " DRIVER_COLS " FROM drivers WHERE id = ?1",
    [SQ_DRIVER_NAME] = "SELECT " DRIVER_COLS " FROM drivers WHERE dob = ?1 AND last_sx = ?2"
                       " ORDER BY id",
    [SQ_PHOTO] = "SELECT d.photo_type, p.data FROM drivers d JOIN photos p ON p.driver_id = d.id"
                 " WHERE d.id = ?1",
    [SQ_VEH_PLATE] =
        "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.plate_state = ?1 AND v.plate = ?2"
        " AND (?3 IS NULL OR v.plate_type = ?3) ORDER BY v.id LIMIT ?4",
    [SQ_VEH_VIN] = "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.vin = ?1 ORDER BY v.id LIMIT ?2",
    [SQ_VEH_OWNER] =
        "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.owner_id = ?1 ORDER BY v.id LIMIT ?2",
    [SQ_VEH_ID] = "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.id = ?1",
    [SQ_PUT_DRIVER] = "INSERT INTO drivers (id, oln, ols, last, first, middle, last_sx, dob, sex,"
                      " height, eyes, street, city, addr_state, zip, class, status, issued,"
                      " expires, restrictions, lp_flag, photo_type, photo_len) VALUES (?1, ?2, ?3,"
                      " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
                      " ?20, ?21, ?22, ?23)",
    [SQ_PUT_PHOTO] = "INSERT INTO photos (driver_id, data) VALUES (?1, ?2)",
    [SQ_PUT_VEHICLE] = "INSERT INTO vehicles (id, plate, plate_state, plate_type, model_year, vin,"
                       " make, model, color, reg_expires, owner_id) VALUES (?1, ?2, ?3, ?4, ?5,"
                       " ?6, ?7, ?8, ?9, ?10, ?11)",
    [SQ_PUT_AGENCY] = "INSERT OR REPLACE INTO agencies (" AGENCY_COLS ") VALUES (?1, ?2, ?3, ?4,"
                      " ?5, ?6, ?7, ?8)",
    [SQ_AGENCY_ORI] = "SELECT " AGENCY_COLS " FROM agencies WHERE ori = ?1",
    [SQ_AGENCY_EACH] = "SELECT " AGENCY_COLS " FROM agencies ORDER BY ori",
    [SQ_AGENCY_CLEAR] = "DELETE FROM agencies",
};

sqlite3_stmt *dg__sq_stmt(struct dg__sq *q, enum dg__sq_stmt id, struct dg_error *err)
{
    if (q->st[id])
        return q->st[id];
    int rc =
        sqlite3_prepare_v3(q->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &q->st[id], NULL);
    if (rc != SQLITE_OK) {
        dg__sq_fail(q, rc, "cannot prepare statement", err);
        q->st[id] = NULL;
    }
    return q->st[id];
}

/* Copy text column col into dst (cap bytes), cutting what would not fit. */
static void col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

#define COL_TEXT(st, col, field) col_text(st, col, field, sizeof(field))

/* Records are zeroed first so that no stale bytes follow the strings: a
 * record can be compared, hashed or copied whole. */
static void row_driver(sqlite3_stmt *st, struct dg_driver *d)
{
    memset(d, 0, sizeof(*d));
    d->id = sqlite3_column_int64(st, 0);
    COL_TEXT(st, 1, d->oln);
    COL_TEXT(st, 2, d->ols);
    COL_TEXT(st, 3, d->last);
    COL_TEXT(st, 4, d->first);
    COL_TEXT(st, 5, d->middle);
    COL_TEXT(st, 6, d->dob);
    const unsigned char *sex = sqlite3_column_text(st, 7);
    d->sex = sex && *sex ? (char)*sex : 'X';
    int h = sqlite3_column_int(st, 8);
    d->height_in = (uint8_t)(h < 0 ? 0 : h > 255 ? 255 : h);
    COL_TEXT(st, 9, d->eyes);
    COL_TEXT(st, 10, d->street);
    COL_TEXT(st, 11, d->city);
    COL_TEXT(st, 12, d->addr_state);
    COL_TEXT(st, 13, d->zip);
    COL_TEXT(st, 14, d->license_class);
    const char *status = (const char *)sqlite3_column_text(st, 15);
    int sv = status ? dg_status_parse(status, (size_t)sqlite3_column_bytes(st, 15)) : DG_EINVAL;
    d->status = sv < 0 ? DG_STATUS_VALID : (enum dg_status)sv;
    COL_TEXT(st, 16, d->issued);
    COL_TEXT(st, 17, d->expires);
    COL_TEXT(st, 18, d->restrictions);
    d->lawful_presence_flag = sqlite3_column_int(st, 19) != 0;
    COL_TEXT(st, 20, d->photo_type);
    d->photo_len = (uint32_t)sqlite3_column_int64(st, 21);
}

static void row_vehicle(sqlite3_stmt *st, struct dg_vehicle *v)
{
    memset(v, 0, sizeof(*v));
    v->id = sqlite3_column_int64(st, 0);
    COL_TEXT(st, 1, v->plate);
    COL_TEXT(st, 2, v->plate_state);
    COL_TEXT(st, 3, v->plate_type);
    v->model_year = (uint16_t)sqlite3_column_int(st, 4);
    COL_TEXT(st, 5, v->vin);
    COL_TEXT(st, 6, v->make);
    COL_TEXT(st, 7, v->model);
    COL_TEXT(st, 8, v->color);
    COL_TEXT(st, 9, v->reg_expires);
    v->owner_id = sqlite3_column_int64(st, 10);
    COL_TEXT(st, 11, v->owner_oln);
    COL_TEXT(st, 12, v->owner_ols);
}

/* Step a single-row driver statement already bound. */
static int one_driver(struct dg__sq *q, sqlite3_stmt *st, struct dg_driver *out,
                      struct dg_error *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        row_driver(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return dg_error_set(err, DG_ENOTFOUND, NULL, -1, "no matching driver");
    return dg__sq_fail(q, rc, "driver lookup failed", err);
}

int dg__sq_driver_by_oln(struct dg_store *s, const char *oln, const char *ols,
                         struct dg_driver *out, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_DRIVER_OLN, err);
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, ols, 2, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, oln, -1, SQLITE_STATIC);
    return one_driver(q, st, out, err);
}

int dg__sq_driver_by_id(struct dg_store *s, int64_t id, struct dg_driver *out, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_DRIVER_ID, err);
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    return one_driver(q, st, out, err);
}

int dg__sq_drivers_by_name(struct dg_store *s, const struct dg_name_query *nq, const char *last_sx,
                           struct dg_candidate *out, size_t max, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_DRIVER_NAME, err);
    if (!st)
        return DG_ESTORE;
    struct dg__name_key key;
    dg__name_key_init(&key, nq);
    sqlite3_bind_text(st, 1, nq->dob, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, last_sx, -1, SQLITE_STATIC);
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *sex = (const char *)sqlite3_column_text(st, 7);
        int score = dg__name_score(&key, (const char *)sqlite3_column_text(st, 3),
                                   (const char *)sqlite3_column_text(st, 4),
                                   (const char *)sqlite3_column_text(st, 5), sex ? sex[0] : 0);
        if (score <= 0)
            continue;
        int pos = dg__candidate_slot(out, &n, max, score);
        if (pos < 0)
            continue;
        row_driver(st, &out[pos].driver);
        out[pos].score = score;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? (int)n : dg__sq_fail(q, rc, "name search failed", err);
}

int dg__sq_photo(struct dg_store *s, int64_t driver_id, struct dg_buf *out, char *media_type,
                 struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_PHOTO, err);
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_int64(st, 1, driver_id);
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc == SQLITE_ROW) {
        if (media_type)
            col_text(st, 0, media_type, DG_MEDIA_TYPE_MAX + 1);
        const void *p = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        ret = dg_buf_add(out, p ? p : "", (size_t)n);
        if (ret)
            dg_error_set(err, ret, "photo", -1, "photo of %d bytes does not fit", n);
    } else if (rc == SQLITE_DONE)
        ret = dg_error_set(err, DG_ENOTFOUND, "photo", -1, "no photo for that driver");
    else
        ret = dg__sq_fail(q, rc, "photo lookup failed", err);
    sqlite3_reset(st);
    return ret;
}

/* Step a bound vehicle statement into out[0..max). */
static int vehicles(struct dg__sq *q, sqlite3_stmt *st, struct dg_vehicle *out, size_t max,
                    struct dg_error *err)
{
    size_t n = 0;
    int rc;
    while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        row_vehicle(st, &out[n++]);
    if (n == max)
        rc = SQLITE_DONE;
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? (int)n : dg__sq_fail(q, rc, "vehicle lookup failed", err);
}

static int64_t limit_of(size_t max)
{
    return max > INT32_MAX ? INT32_MAX : (int64_t)max;
}

int dg__sq_vehicles_by_plate(struct dg_store *s, const char *plate, const char *plate_state,
                             const char *plate_type, struct dg_vehicle *out, size_t max,
                             struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_VEH_PLATE, err);
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, plate_state, 2, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, plate, -1, SQLITE_STATIC);
    if (plate_type)
        sqlite3_bind_text(st, 3, plate_type, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, limit_of(max));
    return vehicles(q, st, out, max, err);
}

int dg__sq_vehicles_by_vin(struct dg_store *s, const char *vin, struct dg_vehicle *out, size_t max,
                           struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_VEH_VIN, err);
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, vin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit_of(max));
    return vehicles(q, st, out, max, err);
}

int dg__sq_vehicles_by_owner(struct dg_store *s, int64_t owner_id, struct dg_vehicle *out,
                             size_t max, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_VEH_OWNER, err);
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_int64(st, 1, owner_id);
    sqlite3_bind_int64(st, 2, limit_of(max));
    return vehicles(q, st, out, max, err);
}

int dg__sq_vehicle_by_id(struct dg_store *s, int64_t id, struct dg_vehicle *out,
                         struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_VEH_ID, err);
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    int n = vehicles(q, st, out, 1, err);
    if (n == 0)
        return dg_error_set(err, DG_ENOTFOUND, NULL, -1, "no matching vehicle");
    return n < 0 ? n : 0;
}

/* ---- inserts ------------------------------------------------------------------------- */

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

static int step_insert(struct dg__sq *q, sqlite3_stmt *st, const char *what, struct dg_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : dg__sq_fail(q, rc, what, err);
}

int dg__sq_put_driver(struct dg_store *s, struct dg_driver *d, const char *last_sx,
                      const void *photo, size_t photo_len, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_PUT_DRIVER, err);
    sqlite3_stmt *ph = photo ? dg__sq_stmt(q, SQ_PUT_PHOTO, err) : NULL;
    if (!st || (photo && !ph))
        return DG_ESTORE;
    char sex[2] = {d->sex, '\0'};
    bind_id(st, 1, d->id);
    bind_str(st, 2, d->oln);
    bind_str(st, 3, d->ols);
    bind_str(st, 4, d->last);
    bind_str(st, 5, d->first);
    bind_str(st, 6, d->middle);
    bind_str(st, 7, last_sx);
    bind_str(st, 8, d->dob);
    bind_str(st, 9, sex);
    sqlite3_bind_int(st, 10, d->height_in);
    bind_str(st, 11, d->eyes);
    bind_str(st, 12, d->street);
    bind_str(st, 13, d->city);
    bind_str(st, 14, d->addr_state);
    bind_str(st, 15, d->zip);
    bind_str(st, 16, d->license_class);
    bind_str(st, 17, dg_status_name(d->status));
    bind_str(st, 18, d->issued);
    bind_str(st, 19, d->expires);
    bind_str(st, 20, d->restrictions);
    sqlite3_bind_int(st, 21, d->lawful_presence_flag ? 1 : 0);
    bind_str(st, 22, photo ? d->photo_type : "");
    sqlite3_bind_int64(st, 23, (int64_t)photo_len);
    /* The driver and the photo go in together: a transaction of their own
     * unless the caller has one open. */
    int own = sqlite3_get_autocommit(q->db);
    int rc = own ? dg__sq_exec(q, "BEGIN IMMEDIATE", err) : 0;
    if (!rc)
        rc = step_insert(q, st, "cannot insert driver", err);
    int64_t id = rc ? 0 : sqlite3_last_insert_rowid(q->db);
    if (!rc && photo) {
        sqlite3_bind_int64(ph, 1, id);
        sqlite3_bind_blob(ph, 2, photo_len ? photo : "", (int)photo_len, SQLITE_STATIC);
        rc = step_insert(q, ph, "cannot insert photo", err);
    }
    if (own)
        rc = rc ? (sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL), rc)
                : dg__sq_exec(q, "COMMIT", err);
    if (rc == DG_EEXIST)
        dg_error_set(err, rc, "oln", -1, "license number '%s' of %s is already in the store",
                     d->oln, d->ols);
    if (!rc) {
        d->id = id;
        d->photo_len = (uint32_t)photo_len;
        if (!photo)
            d->photo_type[0] = '\0';
    }
    return rc;
}

int dg__sq_put_vehicle(struct dg_store *s, struct dg_vehicle *v, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_PUT_VEHICLE, err);
    if (!st)
        return DG_ESTORE;
    bind_id(st, 1, v->id);
    bind_str(st, 2, v->plate);
    bind_str(st, 3, v->plate_state);
    bind_str(st, 4, v->plate_type);
    sqlite3_bind_int(st, 5, v->model_year);
    bind_str(st, 6, v->vin);
    bind_str(st, 7, v->make);
    bind_str(st, 8, v->model);
    bind_str(st, 9, v->color);
    bind_str(st, 10, v->reg_expires);
    sqlite3_bind_int64(st, 11, v->owner_id);
    int rc = step_insert(q, st, "cannot insert vehicle", err);
    if (!rc)
        v->id = sqlite3_last_insert_rowid(q->db);
    return rc;
}

/* ---- agencies ------------------------------------------------------------------------- */

int dg__sq_put_agency(struct dg_store *s, const struct dg_agency *a, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_PUT_AGENCY, err);
    if (!st)
        return DG_ESTORE;
    char agr[96] = "";
    size_t n = 0;
    for (uint32_t bit = 1; bit && bit <= a->agreements; bit <<= 1) {
        const char *name = (a->agreements & bit) ? dg_agreement_name(bit) : NULL;
        if (name && n + strlen(name) + 2 < sizeof(agr))
            n += (size_t)snprintf(agr + n, sizeof(agr) - n, "%s%s", n ? ";" : "", name);
    }
    bind_str(st, 1, a->ori);
    bind_str(st, 2, a->state);
    bind_str(st, 3, a->name);
    bind_str(st, 4, dg_level_name(a->level));
    bind_str(st, 5, a->department);
    bind_str(st, 6, a->component);
    bind_str(st, 7, dg_category_name(a->category));
    bind_str(st, 8, agr);
    return step_insert(q, st, "cannot insert agency", err);
}

static int row_agency(sqlite3_stmt *st, struct dg_agency *a)
{
    memset(a, 0, sizeof(*a));
    COL_TEXT(st, 0, a->ori);
    COL_TEXT(st, 1, a->state);
    COL_TEXT(st, 2, a->name);
    const char *lv = (const char *)sqlite3_column_text(st, 3);
    const char *cat = (const char *)sqlite3_column_text(st, 6);
    int l = lv ? dg_level_parse(lv, strlen(lv)) : DG_EINVAL;
    int c = cat ? dg_category_parse(cat, strlen(cat)) : DG_EINVAL;
    if (l < 0 || c < 0)
        return DG_ESTORE;
    a->level = (enum dg_level)l;
    a->category = (enum dg_category)c;
    COL_TEXT(st, 4, a->department);
    COL_TEXT(st, 5, a->component);
    const char *p = (const char *)sqlite3_column_text(st, 7);
    while (p && *p) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        int bit = dg_agreement_parse(p, len);
        if (bit < 0)
            return DG_ESTORE;
        a->agreements |= (uint32_t)bit;
        p = semi ? semi + 1 : NULL;
    }
    return 0;
}

int dg__sq_agency_by_ori(struct dg_store *s, const char *ori, struct dg_agency *out,
                         struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_AGENCY_ORI, err);
    if (!st)
        return DG_ESTORE;
    bind_str(st, 1, ori);
    int rc = sqlite3_step(st);
    int ret;
    if (rc == SQLITE_ROW)
        ret = row_agency(st, out) ? dg_error_set(err, DG_ESTORE, NULL, -1,
                                                 "agency '%s' in the store is malformed", ori)
                                  : 0;
    else if (rc == SQLITE_DONE)
        ret = dg_error_set(err, DG_ENOTFOUND, "ori", -1, "no agency '%s'", ori);
    else
        ret = dg__sq_fail(q, rc, "agency lookup failed", err);
    sqlite3_reset(st);
    return ret;
}

int dg__sq_agencies_clear(struct dg_store *s, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    sqlite3_stmt *st = dg__sq_stmt(q, SQ_AGENCY_CLEAR, err);
    return st ? step_insert(q, st, "cannot clear agencies", err) : DG_ESTORE;
}

int dg__sq_agencies_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_agency *a),
                         void *arg, struct dg_error *err)
{
    struct dg__sq *q = (struct dg__sq *)s;
    /* Not the cached statement: fn may look agencies up on this same store. */
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(q->db, stmt_sql[SQ_AGENCY_EACH], -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dg__sq_fail(q, rc, "cannot list agencies", err);
    int count = 0, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct dg_agency a;
        if (row_agency(st, &a)) {
            ret = dg_error_set(err, DG_ESTORE, NULL, -1, "agency '%s' in the store is malformed",
                               a.ori);
            break;
        }
        if ((ret = fn(arg, &a)) != 0)
            break;
        count++;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = dg__sq_fail(q, rc, "cannot list agencies", err);
    sqlite3_finalize(st);
    return ret ? ret : count;
}
