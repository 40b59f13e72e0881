/*
 * store.c - the store's generic layer: choose a backend by URI, check the
 * arguments every backend would otherwise check, and dispatch through the
 * backend's struct dg_store_ops.
 *
 * Keys are normalised here (upper case; plates without spaces and dashes) so
 * that backends only ever see well-formed keys and match them exactly.
 */
#include "store_int.h"

#include <string.h>

extern const struct dg_store_ops dg__store_sqlite_ops;
extern const struct dg_store_ops dg__store_pg_ops;

/* Built-in backends, asked in order whether they take a URI. */
static const struct dg_store_ops *const backends[] = {
    &dg__store_sqlite_ops,
    &dg__store_pg_ops,
};

int dg_store_open_with(const struct dg_store_ops *ops, const char *uri, unsigned flags,
                       struct dg_store **out, struct dg_error *err)
{
    if (!ops || !uri || !out)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "no store URI");
    struct dg_store *s = NULL;
    int rc = ops->open(uri, flags, &s, err);
    if (rc)
        return rc;
    s->ops = ops;
    s->flags = flags;
    *out = s;
    return 0;
}

int dg_store_open(const char *uri, unsigned flags, struct dg_store **out, struct dg_error *err)
{
    if (!uri || !*uri || !out)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "no store URI");
    for (size_t i = 0; i < DG_ARRAY_LEN(backends); i++)
        if (backends[i]->accepts(uri))
            return dg_store_open_with(backends[i], uri, flags, out, err);
    const char *colon = strstr(uri, "://");
    return dg_error_set(err, DG_EINVAL, NULL, -1, "no store backend for '%.*s' in this build",
                        colon ? (int)(colon - uri) : (int)strlen(uri), uri);
}

void dg_store_close(struct dg_store *s)
{
    if (s)
        s->ops->close(s);
}

const char *dg_store_backend(const struct dg_store *s)
{
    return s->ops->name;
}

/* Copy key upper-cased into out (cap bytes) after checking its length;
 * drop spaces and dashes when squeeze is set. */
static int norm_key(const char *key, char *out, size_t cap, size_t min, int squeeze,
                    const char *field, struct dg_error *err)
{
    if (!key)
        return dg_error_set(err, DG_EINVAL, field, -1, "no %s given", field);
    size_t n = 0;
    for (const char *p = key; *p; p++) {
        char c = *p;
        if (squeeze && (c == ' ' || c == '-'))
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return dg_error_set(err, DG_EINVAL, field, p - key,
                                "%s has a character other than A-Z and 0-9", field);
        if (n + 1 >= cap)
            return dg_error_set(err, DG_EINVAL, field, -1, "%s longer than %zu characters", field,
                                cap - 1);
        out[n++] = c;
    }
    out[n] = '\0';
    if (n < min)
        return dg_error_set(err, DG_EINVAL, field, -1, "%s is too short", field);
    return 0;
}

static int state_key(const char *st, char out[3], const char *field, struct dg_error *err)
{
    int rc = norm_key(st, out, 3, 2, 0, field, err);
    if (!rc && dg_state_index(out, 2) < 0)
        rc = dg_error_set(err, DG_EINVAL, field, -1, "'%s' is not a state code", out);
    return rc;
}

int dg_store_driver_by_oln(struct dg_store *s, const char *oln, const char *ols,
                           struct dg_driver *out, struct dg_error *err)
{
    char o[DG_OLN_MAX + 1], st[3];
    int rc;
    if ((rc = norm_key(oln, o, sizeof(o), 1, 0, "oln", err)) ||
        (rc = state_key(ols, st, "ols", err)))
        return rc;
    return s->ops->driver_by_oln(s, o, st, out, err);
}

int dg_store_driver_by_id(struct dg_store *s, int64_t id, struct dg_driver *out,
                          struct dg_error *err)
{
    return s->ops->driver_by_id(s, id, out, err);
}

int dg_store_drivers_by_name(struct dg_store *s, const struct dg_name_query *q,
                             struct dg_candidate *out, size_t max, struct dg_error *err)
{
    if (!q || !q->last || !q->dob)
        return dg_error_set(err, DG_EINVAL, "NAM", -1, "a name search needs a last name and a DOB");
    const char *parts[3] = {q->last, q->first, q->middle};
    for (int i = 0; i < 3; i++)
        if (parts[i] && strlen(parts[i]) > DG_NAME_PART_MAX)
            return dg_error_set(err, DG_EINVAL, "NAM", -1, "name part longer than %d characters",
                                DG_NAME_PART_MAX);
    char sx[DG_SOUNDEX_LEN + 1];
    if (dg_soundex(q->last, sx))
        return dg_error_set(err, DG_EINVAL, "NAM", -1, "last name has no letters");
    if (dg_date_validate(q->dob, strlen(q->dob)))
        return dg_error_set(err, DG_EINVAL, "DOB", -1, "date of birth '%.16s' is not YYYY-MM-DD",
                            q->dob);
    if (q->sex && q->sex != 'M' && q->sex != 'F' && q->sex != 'X')
        return dg_error_set(err, DG_EINVAL, "SEX", -1, "sex is not M, F or X");
    return s->ops->drivers_by_name(s, q, sx, out, max, err);
}

int dg_store_photo(struct dg_store *s, int64_t driver_id, struct dg_buf *out,
                   char media_type[DG_MEDIA_TYPE_MAX + 1], struct dg_error *err)
{
    return s->ops->photo(s, driver_id, out, media_type, err);
}

int dg_store_vehicles_by_plate(struct dg_store *s, const char *plate, const char *plate_state,
                               const char *plate_type, struct dg_vehicle *out, size_t max,
                               struct dg_error *err)
{
    char p[DG_PLATE_MAX + 1], st[3], lit[3];
    int rc;
    if ((rc = norm_key(plate, p, sizeof(p), 1, 1, "plate", err)) ||
        (rc = state_key(plate_state, st, "plate_state", err)))
        return rc;
    if (plate_type && *plate_type) {
        if ((rc = norm_key(plate_type, lit, sizeof(lit), 2, 0, "plate_type", err)))
            return rc;
        if (dg_plate_type_validate(lit, 2))
            return dg_error_set(err, DG_EINVAL, "plate_type", -1, "'%s' is not a plate type", lit);
    }
    return s->ops->vehicles_by_plate(s, p, st, plate_type && *plate_type ? lit : NULL, out, max,
                                     err);
}

int dg_store_vehicles_by_vin(struct dg_store *s, const char *vin, struct dg_vehicle *out,
                             size_t max, struct dg_error *err)
{
    char v[DG_VIN_LEN + 1];
    int rc = norm_key(vin, v, sizeof(v), 1, 0, "vin", err);
    return rc ? rc : s->ops->vehicles_by_vin(s, v, out, max, err);
}

int dg_store_vehicles_by_owner(struct dg_store *s, int64_t owner_id, struct dg_vehicle *out,
                               size_t max, struct dg_error *err)
{
    return s->ops->vehicles_by_owner(s, owner_id, out, max, err);
}

int dg_store_vehicle_by_id(struct dg_store *s, int64_t id, struct dg_vehicle *out,
                           struct dg_error *err)
{
    return s->ops->vehicle_by_id(s, id, out, err);
}

static int writable(struct dg_store *s, struct dg_error *err)
{
    if (s->flags & DG_STORE_READONLY)
        return dg_error_set(err, DG_EPERM, NULL, -1, "store is open read-only");
    return 0;
}

int dg_store_begin(struct dg_store *s, struct dg_error *err)
{
    int rc = writable(s, err);
    return rc ? rc : s->ops->begin(s, err);
}

int dg_store_commit(struct dg_store *s, struct dg_error *err)
{
    return s->ops->commit(s, err);
}

int dg_store_rollback(struct dg_store *s, struct dg_error *err)
{
    return s->ops->rollback(s, err);
}

int dg_store_put_driver(struct dg_store *s, struct dg_driver *d, const void *photo,
                        size_t photo_len, struct dg_error *err)
{
    int rc = writable(s, err);
    if (rc || (rc = dg_driver_validate(d, err)))
        return rc;
    if (photo_len > UINT32_MAX || (photo && !d->photo_type[0]))
        return dg_error_set(err, DG_EINVAL, "photo", -1, "photo without a media type or too large");
    char sx[DG_SOUNDEX_LEN + 1];
    dg_soundex(d->last, sx);
    return s->ops->put_driver(s, d, sx, photo, photo ? photo_len : 0, err);
}

int dg_store_put_vehicle(struct dg_store *s, struct dg_vehicle *v, struct dg_error *err)
{
    int rc = writable(s, err);
    if (rc || (rc = dg_vehicle_validate(v, err)))
        return rc;
    return s->ops->put_vehicle(s, v, err);
}

int dg_store_bulk_begin(struct dg_store *s, struct dg_error *err)
{
    int rc = writable(s, err);
    return rc ? rc : s->ops->bulk_begin(s, err);
}

int dg_store_bulk_end(struct dg_store *s, struct dg_error *err)
{
    return s->ops->bulk_end(s, err);
}

int dg_store_stats(struct dg_store *s, struct dg_store_stats *out, struct dg_error *err)
{
    memset(out, 0, sizeof(*out));
    return s->ops->stats(s, out, err);
}

int dg_store_put_agency(struct dg_store *s, const struct dg_agency *a, struct dg_error *err)
{
    int rc = writable(s, err);
    if (rc || (rc = dg_agency_validate(a, err)))
        return rc;
    return s->ops->put_agency(s, a, err);
}

int dg_store_agency_by_ori(struct dg_store *s, const char *ori, struct dg_agency *out,
                           struct dg_error *err)
{
    char o[DG_ORI_LEN + 1];
    int rc = norm_key(ori, o, sizeof(o), DG_ORI_LEN, 0, "ori", err);
    return rc ? rc : s->ops->agency_by_ori(s, o, out, err);
}

int dg_store_agencies_clear(struct dg_store *s, struct dg_error *err)
{
    int rc = writable(s, err);
    return rc ? rc : s->ops->agencies_clear(s, err);
}

int dg_store_agencies_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_agency *a),
                           void *arg, struct dg_error *err)
{
    return s->ops->agencies_each(s, fn, arg, err);
}

int dg_store_migrate(struct dg_store *s, const char *module, const struct dg_migration *m, size_t n,
                     struct dg_error *err)
{
    int rc = writable(s, err);
    if (rc)
        return rc;
    if (!module || !*module || strlen(module) > 32)
        return dg_error_set(err, DG_EINVAL, "module", -1, "bad module name");
    for (size_t i = 0; i < n; i++)
        if (m[i].version <= (i ? m[i - 1].version : 0))
            return dg_error_set(err, DG_EINVAL, "version", -1,
                                "migrations of '%s' are not in increasing version order", module);
    return s->ops->migrate(s, module, m, n, err);
}

int dg_store_schema_version(struct dg_store *s, const char *module, struct dg_error *err)
{
    if (!module || !*module)
        return dg_error_set(err, DG_EINVAL, "module", -1, "bad module name");
    return s->ops->schema_version(s, module, err);
}
