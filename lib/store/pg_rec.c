/*
 * pg_rec.c - the PostgreSQL backend's record operations: driver, vehicle,
 * photo and agency lookups and inserts, each one prepared statement and one
 * round trip.
 *
 * Lookups copy the text columns of the result straight into the caller's
 * fixed-size records. An insert of a driver and its photo is one statement
 * (a data-modifying WITH), so it is atomic without a transaction of its own
 * and costs one round trip; it checks for the license number first so that
 * a refused duplicate does not use up an id.
 */
#include "pg_int.h"

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

/* After an insert with an id of the caller's choosing, move the id sequence
 * past it so that later inserts without one do not collide. */
#define BUMP_SEQ(seq)                                                                              \
    "CASE WHEN $1::bigint IS NOT NULL THEN setval('" seq "', greatest($1::bigint,"                 \
    " (SELECT last_value FROM " seq "))) END"

const char *const dg__pg_stmt_sql[PG__COUNT] = {
    [PG_DRIVER_OLN] = "SELECT " DRIVER_COLS " FROM drivers WHERE ols = $1 AND oln = $2",
    [PG_DRIVER_ID] = "SELECT " DRIVER_COLS " FROM drivers WHERE id = $1",
    [PG_DRIVER_NAME] = "SELECT " DRIVER_COLS " FROM drivers WHERE dob = $1::date AND last_sx = $2"
                       " ORDER BY id",
    [PG_PHOTO] = "SELECT d.photo_type, p.data FROM drivers d JOIN photos p ON p.driver_id = d.id"
                 " WHERE d.id = $1",
    [PG_VEH_PLATE] =
        "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.plate_state = $1 AND v.plate = $2"
        " AND ($3::text IS NULL OR v.plate_type = $3::text) ORDER BY v.id LIMIT $4",
    [PG_VEH_VIN] = "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.vin = $1 ORDER BY v.id LIMIT $2",
    [PG_VEH_OWNER] =
        "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.owner_id = $1 ORDER BY v.id LIMIT $2",
    [PG_VEH_ID] = "SELECT " VEHICLE_COLS VEHICLE_FROM " WHERE v.id = $1",
    [PG_PUT_DRIVER] =
        "WITH d AS (INSERT INTO drivers (id, oln, ols, last, first, middle, last_sx, dob, sex,"
        " height, eyes, street, city, addr_state, zip, class, status, issued, expires,"
        " restrictions, lp_flag, photo_type, photo_len)"
        " SELECT coalesce($1::bigint, nextval('drivers_id_seq')), $2::text, $3::text, $4::text,"
        " $5::text, $6::text, $7::text, $8::date, $9::text, $10::smallint, $11::text, $12::text,"
        " $13::text, $14::text, $15::text, $16::text, $17::text, $18::date, $19::date, $20::text,"
        " $21::boolean, $22::text, $23::integer"
        " WHERE NOT EXISTS (SELECT 1 FROM drivers WHERE ols = $3::text AND oln = $2::text)"
        " RETURNING id),"
        " p AS (INSERT INTO photos (driver_id, data) SELECT id, $24::bytea FROM d"
        " WHERE $24::bytea IS NOT NULL)"
        " SELECT id, " BUMP_SEQ("drivers_id_seq") " FROM d",
    [PG_PUT_VEHICLE] =
        "WITH v AS (INSERT INTO vehicles (id, plate, plate_state, plate_type, model_year, vin,"
        " make, model, color, reg_expires, owner_id)"
        " VALUES (coalesce($1::bigint, nextval('vehicles_id_seq')), $2, $3, $4, $5, $6, $7, $8,"
        " $9, $10, $11) RETURNING id)"
        " SELECT id, " BUMP_SEQ("vehicles_id_seq") " FROM v",
    [PG_PUT_AGENCY] = "INSERT INTO agencies (" AGENCY_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7,"
                      " $8) ON CONFLICT (ori) DO UPDATE SET state = excluded.state,"
                      " name = excluded.name, level = excluded.level,"
                      " department = excluded.department, component = excluded.component,"
                      " category = excluded.category, agreements = excluded.agreements",
    [PG_AGENCY_ORI] = "SELECT " AGENCY_COLS " FROM agencies WHERE ori = $1",
    [PG_AGENCY_EACH] = "SELECT " AGENCY_COLS " FROM agencies ORDER BY ori",
    [PG_AGENCY_CLEAR] = "DELETE FROM agencies",
};

/* ---- rows ------------------------------------------------------------------------------ */

/* Copy text column col into dst (cap bytes), cutting what would not fit. */
static void col_text(const PGresult *res, int row, int col, char *dst, size_t cap)
{
    size_t n = PQgetisnull(res, row, col) ? 0 : (size_t)PQgetlength(res, row, col);
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, PQgetvalue(res, row, col), n);
    dst[n] = '\0';
}

#define COL_TEXT(res, row, col, field) col_text(res, row, col, field, sizeof(field))

static void row_driver(const PGresult *res, int r, struct dg_driver *d)
{
    d->id = dg__pg_int(res, r, 0);
    COL_TEXT(res, r, 1, d->oln);
    COL_TEXT(res, r, 2, d->ols);
    COL_TEXT(res, r, 3, d->last);
    COL_TEXT(res, r, 4, d->first);
    COL_TEXT(res, r, 5, d->middle);
    COL_TEXT(res, r, 6, d->dob);
    const char *sex = PQgetvalue(res, r, 7);
    d->sex = *sex ? *sex : 'X';
    int64_t h = dg__pg_int(res, r, 8);
    d->height_in = (uint8_t)(h < 0 ? 0 : h > 255 ? 255 : h);
    COL_TEXT(res, r, 9, d->eyes);
    COL_TEXT(res, r, 10, d->street);
    COL_TEXT(res, r, 11, d->city);
    COL_TEXT(res, r, 12, d->addr_state);
    COL_TEXT(res, r, 13, d->zip);
    COL_TEXT(res, r, 14, d->license_class);
    int sv = dg_status_parse(PQgetvalue(res, r, 15), (size_t)PQgetlength(res, r, 15));
    d->status = sv < 0 ? DG_STATUS_VALID : (enum dg_status)sv;
    COL_TEXT(res, r, 16, d->issued);
    COL_TEXT(res, r, 17, d->expires);
    COL_TEXT(res, r, 18, d->restrictions);
    d->lawful_presence_flag = PQgetvalue(res, r, 19)[0] == 't';
    COL_TEXT(res, r, 20, d->photo_type);
    d->photo_len = (uint32_t)dg__pg_int(res, r, 21);
}

static void row_vehicle(const PGresult *res, int r, struct dg_vehicle *v)
{
    v->id = dg__pg_int(res, r, 0);
    COL_TEXT(res, r, 1, v->plate);
    COL_TEXT(res, r, 2, v->plate_state);
    COL_TEXT(res, r, 3, v->plate_type);
    v->model_year = (uint16_t)dg__pg_int(res, r, 4);
    COL_TEXT(res, r, 5, v->vin);
    COL_TEXT(res, r, 6, v->make);
    COL_TEXT(res, r, 7, v->model);
    COL_TEXT(res, r, 8, v->color);
    COL_TEXT(res, r, 9, v->reg_expires);
    v->owner_id = dg__pg_int(res, r, 10);
    COL_TEXT(res, r, 11, v->owner_oln);
    COL_TEXT(res, r, 12, v->owner_ols);
}

static void param_str(struct dg__pg_params *prm, const char *s)
{
    prm->val[prm->n] = s;
    prm->len[prm->n] = 0;
    prm->fmt[prm->n] = 0;
    prm->n++;
}

/* ---- driver lookups --------------------------------------------------------------------- */

static int one_driver(struct dg__pg *p, enum dg__pg_stmt id, const struct dg__pg_params *prm,
                      struct dg_driver *out, struct dg_error *err)
{
    PGresult *res = dg__pg_exec(p, id, prm, 0, "driver lookup failed", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    int n = PQntuples(res);
    if (n > 0)
        row_driver(res, 0, out);
    PQclear(res);
    return n > 0 ? 0 : dg_error_set(err, DG_ENOTFOUND, NULL, -1, "no matching driver");
}

int dg__pg_driver_by_oln(struct dg_store *s, const char *oln, const char *ols,
                         struct dg_driver *out, struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    param_str(&prm, ols);
    param_str(&prm, oln);
    return one_driver((struct dg__pg *)s, PG_DRIVER_OLN, &prm, out, err);
}

int dg__pg_driver_by_id(struct dg_store *s, int64_t id, struct dg_driver *out, struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    char b[24];
    dg__pg_param_int(&prm, b, id);
    return one_driver((struct dg__pg *)s, PG_DRIVER_ID, &prm, out, err);
}

int dg__pg_drivers_by_name(struct dg_store *s, const struct dg_name_query *nq, const char *last_sx,
                           struct dg_candidate *out, size_t max, struct dg_error *err)
{
    struct dg__pg *p = (struct dg__pg *)s;
    struct dg__pg_params prm = {0};
    param_str(&prm, nq->dob);
    param_str(&prm, last_sx);
    PGresult *res = dg__pg_exec(p, PG_DRIVER_NAME, &prm, 0, "name search failed", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    struct dg__name_key key;
    dg__name_key_init(&key, nq);
    size_t n = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        int score = dg__name_score(&key, PQgetvalue(res, r, 3), PQgetvalue(res, r, 4),
                                   PQgetvalue(res, r, 5), PQgetvalue(res, r, 7)[0]);
        if (score <= 0)
            continue;
        int pos = dg__candidate_slot(out, &n, max, score);
        if (pos < 0)
            continue;
        row_driver(res, r, &out[pos].driver);
        out[pos].score = score;
    }
    PQclear(res);
    return (int)n;
}

int dg__pg_photo(struct dg_store *s, int64_t driver_id, struct dg_buf *out, char *media_type,
                 struct dg_error *err)
{
    struct dg__pg *p = (struct dg__pg *)s;
    struct dg__pg_params prm = {0};
    char b[24];
    dg__pg_param_int(&prm, b, driver_id);
    /* Binary results: the bytea arrives as its bytes, the text as is. */
    PGresult *res = dg__pg_exec(p, PG_PHOTO, &prm, 1, "photo lookup failed", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    int ret = 0;
    if (PQntuples(res) == 0)
        ret = dg_error_set(err, DG_ENOTFOUND, "photo", -1, "no photo for that driver");
    else {
        if (media_type)
            col_text(res, 0, 0, media_type, DG_MEDIA_TYPE_MAX + 1);
        int n = PQgetlength(res, 0, 1);
        ret = dg_buf_add(out, PQgetvalue(res, 0, 1), (size_t)n);
        if (ret)
            dg_error_set(err, ret, "photo", -1, "photo of %d bytes does not fit", n);
    }
    PQclear(res);
    return ret;
}

/* ---- vehicle lookups -------------------------------------------------------------------- */

static int vehicles(struct dg__pg *p, enum dg__pg_stmt id, const struct dg__pg_params *prm,
                    struct dg_vehicle *out, size_t max, struct dg_error *err)
{
    PGresult *res = dg__pg_exec(p, id, prm, 0, "vehicle lookup failed", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    size_t n = 0;
    for (int r = 0; r < PQntuples(res) && n < max; r++)
        row_vehicle(res, r, &out[n++]);
    PQclear(res);
    return (int)n;
}

static int64_t limit_of(size_t max)
{
    return max > INT32_MAX ? INT32_MAX : (int64_t)max;
}

int dg__pg_vehicles_by_plate(struct dg_store *s, const char *plate, const char *plate_state,
                             const char *plate_type, struct dg_vehicle *out, size_t max,
                             struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    char b[24];
    param_str(&prm, plate_state);
    param_str(&prm, plate);
    param_str(&prm, plate_type); /* NULL: any type */
    dg__pg_param_int(&prm, b, limit_of(max));
    return vehicles((struct dg__pg *)s, PG_VEH_PLATE, &prm, out, max, err);
}

int dg__pg_vehicles_by_vin(struct dg_store *s, const char *vin, struct dg_vehicle *out, size_t max,
                           struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    char b[24];
    param_str(&prm, vin);
    dg__pg_param_int(&prm, b, limit_of(max));
    return vehicles((struct dg__pg *)s, PG_VEH_VIN, &prm, out, max, err);
}

int dg__pg_vehicles_by_owner(struct dg_store *s, int64_t owner_id, struct dg_vehicle *out,
                             size_t max, struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    char b1[24], b2[24];
    dg__pg_param_int(&prm, b1, owner_id);
    dg__pg_param_int(&prm, b2, limit_of(max));
    return vehicles((struct dg__pg *)s, PG_VEH_OWNER, &prm, out, max, err);
}

int dg__pg_vehicle_by_id(struct dg_store *s, int64_t id, struct dg_vehicle *out,
                         struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    char b[24];
    dg__pg_param_int(&prm, b, id);
    int n = vehicles((struct dg__pg *)s, PG_VEH_ID, &prm, out, 1, err);
    if (n == 0)
        return dg_error_set(err, DG_ENOTFOUND, NULL, -1, "no matching vehicle");
    return n < 0 ? n : 0;
}

/* ---- inserts ---------------------------------------------------------------------------- */

int dg__pg_put_driver(struct dg_store *s, struct dg_driver *d, const char *last_sx,
                      const void *photo, size_t photo_len, struct dg_error *err)
{
    struct dg__pg *p = (struct dg__pg *)s;
    if (p->bulk)
        return dg__pg_bulk_driver(p, d, last_sx, photo, photo_len, err);
    struct dg__pg_params prm = {0};
    char id[24], height[24], plen[24];
    char sex[2] = {d->sex, '\0'};
    if (d->id > 0)
        dg__pg_param_int(&prm, id, d->id);
    else
        param_str(&prm, NULL);
    param_str(&prm, d->oln);
    param_str(&prm, d->ols);
    param_str(&prm, d->last);
    param_str(&prm, d->first);
    param_str(&prm, d->middle);
    param_str(&prm, last_sx);
    param_str(&prm, d->dob);
    param_str(&prm, sex);
    dg__pg_param_int(&prm, height, d->height_in);
    param_str(&prm, d->eyes);
    param_str(&prm, d->street);
    param_str(&prm, d->city);
    param_str(&prm, d->addr_state);
    param_str(&prm, d->zip);
    param_str(&prm, d->license_class);
    param_str(&prm, dg_status_name(d->status));
    param_str(&prm, d->issued);
    param_str(&prm, d->expires);
    param_str(&prm, d->restrictions);
    param_str(&prm, d->lawful_presence_flag ? "t" : "f");
    param_str(&prm, photo ? d->photo_type : "");
    dg__pg_param_int(&prm, plen, (int64_t)photo_len);
    prm.val[prm.n] = photo ? (photo_len ? photo : "") : NULL; /* bytea, binary */
    prm.len[prm.n] = (int)photo_len;
    prm.fmt[prm.n] = 1;
    prm.n++;
    PGresult *res = dg__pg_exec(p, PG_PUT_DRIVER, &prm, 0, "cannot insert driver", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    int n = PQntuples(res);
    int64_t newid = n ? dg__pg_int(res, 0, 0) : 0;
    PQclear(res);
    if (!n)
        return dg_error_set(err, DG_EEXIST, "oln", -1,
                            "license number '%s' of %s is already in the store", d->oln, d->ols);
    d->id = newid;
    d->photo_len = (uint32_t)photo_len;
    if (!photo)
        d->photo_type[0] = '\0';
    return 0;
}

int dg__pg_put_vehicle(struct dg_store *s, struct dg_vehicle *v, struct dg_error *err)
{
    struct dg__pg *p = (struct dg__pg *)s;
    if (p->bulk)
        return dg__pg_bulk_vehicle(p, v, err);
    struct dg__pg_params prm = {0};
    char id[24], year[24], owner[24];
    if (v->id > 0)
        dg__pg_param_int(&prm, id, v->id);
    else
        param_str(&prm, NULL);
    param_str(&prm, v->plate);
    param_str(&prm, v->plate_state);
    param_str(&prm, v->plate_type);
    dg__pg_param_int(&prm, year, v->model_year);
    param_str(&prm, v->vin);
    param_str(&prm, v->make);
    param_str(&prm, v->model);
    param_str(&prm, v->color);
    param_str(&prm, v->reg_expires);
    dg__pg_param_int(&prm, owner, v->owner_id);
    PGresult *res = dg__pg_exec(p, PG_PUT_VEHICLE, &prm, 0, "cannot insert vehicle", err);
    if (!res) {
        if (err && err->code == DG_EINVAL)
            snprintf(err->field, sizeof(err->field), "owner_id"); /* no such driver */
        return err ? err->code : DG_ESTORE;
    }
    v->id = dg__pg_int(res, 0, 0);
    PQclear(res);
    return 0;
}

/* ---- agencies ---------------------------------------------------------------------------- */

void dg__pg_agreements_text(const struct dg_agency *a, char out[96])
{
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t bit = 1; bit && bit <= a->agreements; bit <<= 1) {
        const char *name = (a->agreements & bit) ? dg_agreement_name(bit) : NULL;
        if (name && n + strlen(name) + 2 < 96)
            n += (size_t)snprintf(out + n, 96 - n, "%s%s", n ? ";" : "", name);
    }
}

int dg__pg_put_agency(struct dg_store *s, const struct dg_agency *a, struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    char agr[96];
    dg__pg_agreements_text(a, agr);
    param_str(&prm, a->ori);
    param_str(&prm, a->state);
    param_str(&prm, a->name);
    param_str(&prm, dg_level_name(a->level));
    param_str(&prm, a->department);
    param_str(&prm, a->component);
    param_str(&prm, dg_category_name(a->category));
    param_str(&prm, agr);
    PGresult *res =
        dg__pg_exec((struct dg__pg *)s, PG_PUT_AGENCY, &prm, 0, "cannot insert agency", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    PQclear(res);
    return 0;
}

static int row_agency(const PGresult *res, int r, struct dg_agency *a)
{
    memset(a, 0, sizeof(*a));
    COL_TEXT(res, r, 0, a->ori);
    COL_TEXT(res, r, 1, a->state);
    COL_TEXT(res, r, 2, a->name);
    int l = dg_level_parse(PQgetvalue(res, r, 3), (size_t)PQgetlength(res, r, 3));
    int c = dg_category_parse(PQgetvalue(res, r, 6), (size_t)PQgetlength(res, r, 6));
    if (l < 0 || c < 0)
        return DG_ESTORE;
    a->level = (enum dg_level)l;
    a->category = (enum dg_category)c;
    COL_TEXT(res, r, 4, a->department);
    COL_TEXT(res, r, 5, a->component);
    const char *q = PQgetvalue(res, r, 7);
    while (q && *q) {
        const char *semi = strchr(q, ';');
        size_t len = semi ? (size_t)(semi - q) : strlen(q);
        int bit = dg_agreement_parse(q, len);
        if (bit < 0)
            return DG_ESTORE;
        a->agreements |= (uint32_t)bit;
        q = semi ? semi + 1 : NULL;
    }
    return 0;
}

int dg__pg_agency_by_ori(struct dg_store *s, const char *ori, struct dg_agency *out,
                         struct dg_error *err)
{
    struct dg__pg_params prm = {0};
    param_str(&prm, ori);
    PGresult *res =
        dg__pg_exec((struct dg__pg *)s, PG_AGENCY_ORI, &prm, 0, "agency lookup failed", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    int ret;
    if (PQntuples(res) == 0)
        ret = dg_error_set(err, DG_ENOTFOUND, "ori", -1, "no agency '%s'", ori);
    else if (row_agency(res, 0, out))
        ret = dg_error_set(err, DG_ESTORE, NULL, -1, "agency '%s' in the store is malformed", ori);
    else
        ret = 0;
    PQclear(res);
    return ret;
}

int dg__pg_agencies_clear(struct dg_store *s, struct dg_error *err)
{
    PGresult *res =
        dg__pg_exec((struct dg__pg *)s, PG_AGENCY_CLEAR, NULL, 0, "cannot clear agencies", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    PQclear(res);
    return 0;
}

int dg__pg_agencies_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_agency *a),
                         void *arg, struct dg_error *err)
{
    /* The whole directory (some 18,000 rows, a few MB) comes in one result,
     * so fn may use this same store while it runs. */
    PGresult *res =
        dg__pg_exec((struct dg__pg *)s, PG_AGENCY_EACH, NULL, 0, "cannot list agencies", err);
    if (!res)
        return err ? err->code : DG_ESTORE;
    int count = 0, ret = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        struct dg_agency a;
        if (row_agency(res, r, &a)) {
            ret = dg_error_set(err, DG_ESTORE, NULL, -1, "agency '%s' in the store is malformed",
                               a.ori);
            break;
        }
        if ((ret = fn(arg, &a)) != 0)
            break;
        count++;
    }
    PQclear(res);
    return ret ? ret : count;
}
