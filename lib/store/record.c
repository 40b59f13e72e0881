/*
 * record.c - driver and vehicle records: vocabulary (status, plate types),
 * field checks, and the JSON form with redaction that the CLI, the node and
 * the review console print.
 *
 * The JSON is written straight into a struct dg_buf (no intermediate tree):
 * the node renders one record per answered query, so this is a hot path.
 */
#include <dmvgate/record.h>
#include <dmvgate/vocab.h>

#include <string.h>

static const char *const status_names[] = {
#define DG__S(e, n) n,
    DG_STATUS_MAP(DG__S)
#undef DG__S
};

const char *dg_status_name(enum dg_status s)
{
    return (unsigned)s < DG_STATUS__COUNT ? status_names[s] : "?";
}

int dg_status_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_STATUS__COUNT; i++)
        if (strlen(status_names[i]) == n && memcmp(s, status_names[i], n) == 0)
            return i;
    return DG_EINVAL;
}

static const struct {
    const char *code, *desc;
} plate_types[] = {
#define DG__PT(c, d) {#c, d},
    DG_PLATE_TYPE_MAP(DG__PT)
#undef DG__PT
};

int dg_plate_type_validate(const char *s, size_t n)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(plate_types); i++)
        if (n == 2 && memcmp(s, plate_types[i].code, 2) == 0)
            return 0;
    return DG_EINVAL;
}

const char *dg_plate_type_desc(const char *code)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(plate_types); i++)
        if (strcmp(code, plate_types[i].code) == 0)
            return plate_types[i].desc;
    return NULL;
}

/* ---- checks ---------------------------------------------------------------------- */

enum cls { UPPER = 1, DIGIT = 2, SPACE = 4, NAMEP = 8, PRINT = 16 };

static int char_ok(char c, int cls)
{
    if ((cls & UPPER) && c >= 'A' && c <= 'Z')
        return 1;
    if ((cls & DIGIT) && c >= '0' && c <= '9')
        return 1;
    if ((cls & SPACE) && c == ' ')
        return 1;
    if ((cls & NAMEP) && (c == '-' || c == '\''))
        return 1;
    return (cls & PRINT) && c >= 0x20 && c < 0x7F;
}

/* The string in arr (cap bytes) is NUL-terminated, between min and max
 * characters, all of class cls. */
static int check_str(const char *arr, size_t cap, size_t min, int cls, const char *field,
                     struct dg_error *err)
{
    size_t n = strnlen(arr, cap);
    if (n == cap)
        return dg_error_set(err, DG_EINVAL, field, -1, "%s is not terminated", field);
    if (n < min)
        return dg_error_set(err, DG_EINVAL, field, -1, "%s is empty or too short", field);
    for (size_t i = 0; i < n; i++)
        if (!char_ok(arr[i], cls))
            return dg_error_set(err, DG_EINVAL, field, (long)i,
                                "%s has a character that is not allowed at %zu", field, i + 1);
    return 0;
}

static int check_state(const char *s, const char *field, struct dg_error *err)
{
    if (strnlen(s, 3) != 2 || dg_state_index(s, 2) < 0)
        return dg_error_set(err, DG_EINVAL, field, -1, "%s is not a state code", field);
    return 0;
}

static int check_date(const char *s, const char *field, struct dg_error *err)
{
    if (dg_date_validate(s, strnlen(s, DG_DATE_LEN + 1)))
        return dg_error_set(err, DG_EINVAL, field, -1, "%s is not a date YYYY-MM-DD", field);
    return 0;
}

static int check_zip(const char *z, struct dg_error *err)
{
    size_t n = strnlen(z, DG_ZIP_MAX + 1);
    int ok = n == 5 || (n == 10 && z[5] == '-');
    for (size_t i = 0; ok && i < n; i++)
        ok = i == 5 && n == 10 ? 1 : z[i] >= '0' && z[i] <= '9';
    return ok ? 0 : dg_error_set(err, DG_EINVAL, "zip", -1, "zip is not 12345 or 12345-6789");
}

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)

int dg_driver_validate(const struct dg_driver *d, struct dg_error *err)
{
    CHECK(check_str(d->oln, sizeof(d->oln), 1, UPPER | DIGIT, "oln", err));
    CHECK(check_state(d->ols, "ols", err));
    CHECK(check_str(d->last, sizeof(d->last), 1, UPPER | SPACE | NAMEP, "last", err));
    CHECK(check_str(d->first, sizeof(d->first), 0, UPPER | SPACE | NAMEP, "first", err));
    CHECK(check_str(d->middle, sizeof(d->middle), 0, UPPER | SPACE | NAMEP, "middle", err));
    char sx[DG_SOUNDEX_LEN + 1];
    if (dg_soundex(d->last, sx))
        return dg_error_set(err, DG_EINVAL, "last", -1, "last name has no letters");
    CHECK(check_date(d->dob, "dob", err));
    if (d->sex != 'M' && d->sex != 'F' && d->sex != 'X')
        return dg_error_set(err, DG_EINVAL, "sex", -1, "sex is not M, F or X");
    if (d->height_in < 24 || d->height_in > 108)
        return dg_error_set(err, DG_EINVAL, "height", -1, "height %u inches out of range",
                            d->height_in);
    CHECK(check_str(d->eyes, sizeof(d->eyes), 3, UPPER, "eyes", err));
    CHECK(check_str(d->street, sizeof(d->street), 1, PRINT, "street", err));
    CHECK(check_str(d->city, sizeof(d->city), 1, UPPER | SPACE | NAMEP | PRINT, "city", err));
    CHECK(check_state(d->addr_state, "addr_state", err));
    CHECK(check_zip(d->zip, err));
    CHECK(check_str(d->license_class, sizeof(d->license_class), 1, UPPER | DIGIT, "class", err));
    if ((unsigned)d->status >= DG_STATUS__COUNT)
        return dg_error_set(err, DG_EINVAL, "status", -1, "status out of range");
    CHECK(check_date(d->issued, "issued", err));
    CHECK(check_date(d->expires, "expires", err));
    CHECK(
        check_str(d->restrictions, sizeof(d->restrictions), 0, UPPER | DIGIT, "restrictions", err));
    CHECK(check_str(d->photo_type, sizeof(d->photo_type), 0, PRINT, "photo_type", err));
    if (strchr(d->photo_type, ' '))
        return dg_error_set(err, DG_EINVAL, "photo_type", -1, "photo_type has a space");
    if (err)
        dg_error_clear(err);
    return 0;
}

int dg_vehicle_validate(const struct dg_vehicle *v, struct dg_error *err)
{
    CHECK(check_str(v->plate, sizeof(v->plate), 1, UPPER | DIGIT, "plate", err));
    CHECK(check_state(v->plate_state, "plate_state", err));
    if (dg_plate_type_validate(v->plate_type, strnlen(v->plate_type, 3)))
        return dg_error_set(err, DG_EINVAL, "plate_type", -1, "plate_type is not a LIT code");
    if (v->model_year < 1900 || v->model_year > 2100)
        return dg_error_set(err, DG_EINVAL, "model_year", -1, "model year %u out of range",
                            v->model_year);
    CHECK(check_str(v->vin, sizeof(v->vin), 1, UPPER | DIGIT, "vin", err));
    /* Standard 17-character VINs with a check digit began with model year 1981. */
    if (v->model_year >= 1981 && dg_vin_validate(v->vin, strlen(v->vin), err))
        return DG_EINVAL;
    CHECK(check_str(v->make, sizeof(v->make), 1, UPPER | DIGIT | SPACE | NAMEP, "make", err));
    CHECK(check_str(v->model, sizeof(v->model), 1, PRINT, "model", err));
    CHECK(check_str(v->color, sizeof(v->color), 3, UPPER, "color", err));
    CHECK(check_date(v->reg_expires, "reg_expires", err));
    if (v->owner_id <= 0)
        return dg_error_set(err, DG_EINVAL, "owner_id", -1, "vehicle has no owner");
    if (err)
        dg_error_clear(err);
    return 0;
}

/* ---- JSON ------------------------------------------------------------------------ */

static int key_str(struct dg_buf *b, const char *key, const char *val)
{
    int rc = dg_buf_printf(b, ",\"%s\":", key);
    return rc ? rc : dg_buf_add_json_str(b, val, strlen(val));
}

int dg_buf_add_base64(struct dg_buf *out, const void *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = p;
    int rc = dg_buf_addc(out, '"');
    char q[4];
    size_t i = 0;
    for (; !rc && i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        q[0] = tbl[v >> 18], q[1] = tbl[(v >> 12) & 63], q[2] = tbl[(v >> 6) & 63],
        q[3] = tbl[v & 63];
        rc = dg_buf_add(out, q, 4);
    }
    if (!rc && i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        q[0] = tbl[v >> 18], q[1] = tbl[(v >> 12) & 63];
        q[2] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        q[3] = '=';
        rc = dg_buf_add(out, q, 4);
    }
    return rc ? rc : dg_buf_addc(out, '"');
}

int dg_driver_json(const struct dg_driver *d, uint32_t omit, const void *photo, size_t photo_len,
                   struct dg_buf *out)
{
    int rc = dg_buf_addstr(out, "{\"oln\":");
    if (!rc)
        rc = dg_buf_add_json_str(out, d->oln, strlen(d->oln));
    if (!rc)
        rc = key_str(out, "ols", d->ols);
    if (!rc && !(omit & DG_FIELD_NAME)) {
        rc = key_str(out, "last", d->last);
        if (!rc)
            rc = key_str(out, "first", d->first);
        if (!rc)
            rc = key_str(out, "middle", d->middle);
    }
    if (!rc && !(omit & DG_FIELD_DOB))
        rc = key_str(out, "dob", d->dob);
    if (!rc && !(omit & DG_FIELD_SEX))
        rc = dg_buf_printf(out, ",\"sex\":\"%c\"", d->sex);
    if (!rc && !(omit & DG_FIELD_PHYSICAL)) {
        rc = dg_buf_printf(out, ",\"height_in\":%u", d->height_in);
        if (!rc)
            rc = key_str(out, "eyes", d->eyes);
    }
    if (!rc && !(omit & DG_FIELD_ADDRESS)) {
        rc = key_str(out, "street", d->street);
        if (!rc)
            rc = key_str(out, "city", d->city);
        if (!rc)
            rc = key_str(out, "addr_state", d->addr_state);
        if (!rc)
            rc = key_str(out, "zip", d->zip);
    }
    if (!rc && !(omit & DG_FIELD_LICENSE)) {
        rc = key_str(out, "license_class", d->license_class);
        if (!rc)
            rc = key_str(out, "issued", d->issued);
        if (!rc)
            rc = key_str(out, "expires", d->expires);
        if (!rc)
            rc = key_str(out, "restrictions", d->restrictions);
    }
    if (!rc && !(omit & DG_FIELD_STATUS))
        rc = key_str(out, "status", dg_status_name(d->status));
    if (!rc && !(omit & DG_FIELD_LAWFUL_PRESENCE))
        rc = dg_buf_printf(out, ",\"lawful_presence_flag\":%s",
                           d->lawful_presence_flag ? "true" : "false");
    if (!rc && !(omit & DG_FIELD_PHOTO) && d->photo_type[0]) {
        rc = dg_buf_addstr(out, ",\"photo\":{\"media_type\":");
        if (!rc)
            rc = dg_buf_add_json_str(out, d->photo_type, strlen(d->photo_type));
        if (!rc)
            rc = dg_buf_printf(out, ",\"bytes\":%u", d->photo_len);
        if (!rc && photo) {
            rc = dg_buf_addstr(out, ",\"base64\":");
            if (!rc)
                rc = dg_buf_add_base64(out, photo, photo_len);
        }
        if (!rc)
            rc = dg_buf_addc(out, '}');
    }
    return rc ? rc : dg_buf_addc(out, '}');
}

int dg_vehicle_json(const struct dg_vehicle *v, uint32_t omit, struct dg_buf *out)
{
    if (omit & DG_FIELD_VEHICLES)
        return 0;
    int rc = dg_buf_addstr(out, "{\"plate\":");
    if (!rc)
        rc = dg_buf_add_json_str(out, v->plate, strlen(v->plate));
    if (!rc)
        rc = key_str(out, "plate_state", v->plate_state);
    if (!rc)
        rc = key_str(out, "plate_type", v->plate_type);
    if (!rc)
        rc = dg_buf_printf(out, ",\"model_year\":%u", v->model_year);
    if (!rc)
        rc = key_str(out, "vin", v->vin);
    if (!rc)
        rc = key_str(out, "make", v->make);
    if (!rc)
        rc = key_str(out, "model", v->model);
    if (!rc)
        rc = key_str(out, "color", v->color);
    if (!rc)
        rc = key_str(out, "reg_expires", v->reg_expires);
    if (!rc && !(omit & DG_FIELD_OWNER)) {
        rc = key_str(out, "owner_oln", v->owner_oln);
        if (!rc)
            rc = key_str(out, "owner_ols", v->owner_ols);
    }
    return rc ? rc : dg_buf_addc(out, '}');
}
