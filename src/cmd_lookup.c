/*
 * cmd_lookup.c - `dmvgate lookup`: look records up in a store by one key
 * (OLN + state, name + DOB, plate + plate state, or VIN) and print them as
 * JSON. The operator's tool for checking data; the node answers queries
 * through the same store functions.
 */
#include "cmd.h"

#include <dmvgate/store.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char lookup_usage[] =
    "usage: dmvgate lookup --db FILE (--oln OLN --state ST | --name \"LAST,FIRST [MIDDLE]\"\n"
    "                      --dob YYYY-MM-DD [--sex M|F|X] | --plate P --plate-state ST\n"
    "                      [--plate-type LIT] | --vin VIN) [--photo] [--max N] [--compact]\n"
    "\n"
    "Print the records matching one key as JSON:\n"
    "  {\"query\":{...},\"matches\":[...]}\n"
    "A driver match is {\"driver\":{...},\"vehicles\":[...]} (name searches add a \"score\",\n"
    "100 for the exact name, best first); a vehicle match is {\"vehicle\":{...},\"owner\":{...}}.\n"
    "Field names are in docs/data-model.md.\n"
    "\n"
    "  --db FILE           the store (opened read-only)\n"
    "  --oln OLN           license number, with --state ST, its issuing state\n"
    "  --name LAST,FIRST   a phonetic (Soundex) name search, with --dob, the date of birth;\n"
    "                      --sex narrows it\n"
    "  --plate P           plate number (spaces and dashes ignored), with --plate-state ST;\n"
    "                      --plate-type narrows it (PC, LT, CO, MC, TL, PS)\n"
    "  --vin VIN           vehicle identification number (17 characters with a valid check\n"
    "                      digit, or fewer for vehicles made before 1981)\n"
    "  --photo             include each driver's photo, base64-encoded (left out by default;\n"
    "                      its media type and size are always shown)\n"
    "  --max N             at most N matches (default 10, at most 100)\n"
    "  --compact           one line of JSON instead of indented\n"
    "  --help              this text\n"
    "\n"
    "Exit status: 0 something matched, 1 nothing matched, 2 bad arguments or an error.\n";

#define MAX_MATCHES 100

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

struct opts {
    const char *db, *oln, *state, *name, *dob, *sex, *plate, *plate_state, *plate_type, *vin;
    int photo, compact;
    unsigned max;
};

/* A driver object with its vehicles, into b. */
static int add_driver(struct dg_store *s, const struct opts *o, const struct dg_driver *d,
                      struct dg_buf *b, struct dg_buf *photo, struct dg_error *e)
{
    const void *ph = NULL;
    size_t phlen = 0;
    if (o->photo && d->photo_len) {
        dg_buf_reset(photo);
        if (dg_store_photo(s, d->id, photo, NULL, e) == 0)
            ph = photo->data, phlen = photo->len;
    }
    int rc = dg_buf_addstr(b, "\"driver\":");
    if (!rc)
        rc = dg_driver_json(d, 0, ph, phlen, b);
    if (!rc)
        rc = dg_buf_addstr(b, ",\"vehicles\":[");
    struct dg_vehicle v[16];
    int n = rc ? 0 : dg_store_vehicles_by_owner(s, d->id, v, 16, e);
    for (int i = 0; !rc && i < n; i++) {
        if (i)
            rc = dg_buf_addc(b, ',');
        if (!rc)
            rc = dg_vehicle_json(&v[i], DG_FIELD_OWNER, b);
    }
    return rc ? rc : n < 0 ? n : dg_buf_addc(b, ']');
}

static int print_json(const struct opts *o, struct dg_buf *b)
{
    if (o->compact) {
        puts(b->data);
        return 0;
    }
    cJSON *j = cJSON_ParseWithLength(b->data, b->len);
    char *txt = j ? cJSON_Print(j) : NULL;
    if (!txt) {
        cJSON_Delete(j);
        return dg_cmd_usage_error("lookup: cannot format the result");
    }
    puts(txt);
    cJSON_free(txt);
    cJSON_Delete(j);
    return 0;
}

static int run(struct dg_store *s, const struct opts *o, struct dg_buf *b, struct dg_error *e)
{
    struct dg_buf photo;
    dg_buf_init(&photo, 1 << 24);
    int rc = 0, n = 0;
    rc = dg_buf_addstr(b, "{\"query\":{");
    if (o->oln) {
        struct dg_driver d;
        rc = rc ? rc : dg_buf_printf(b, "\"kind\":\"oln\",\"oln\":");
        rc = rc ? rc : dg_buf_add_json_str(b, o->oln, strlen(o->oln));
        rc = rc ? rc : dg_buf_printf(b, ",\"state\":\"%s\"},\"matches\":[", o->state);
        int f = rc ? rc : dg_store_driver_by_oln(s, o->oln, o->state, &d, e);
        if (f == 0) {
            n = 1;
            rc = dg_buf_addc(b, '{');
            rc = rc ? rc : add_driver(s, o, &d, b, &photo, e);
            rc = rc ? rc : dg_buf_addc(b, '}');
        } else if (f != DG_ENOTFOUND)
            rc = f;
    } else if (o->name) {
        char last[DG_NAME_PART_MAX + 1], first[DG_NAME_PART_MAX + 1], mid[DG_NAME_PART_MAX + 1];
        if ((rc = dg_name_split(o->name, last, first, mid, e)))
            goto out;
        struct dg_name_query q = {last, first, mid, o->dob, o->sex ? o->sex[0] : 0};
        static struct dg_candidate c[MAX_MATCHES];
        rc = dg_buf_addstr(b, "\"kind\":\"name\",\"name\":");
        rc = rc ? rc : dg_buf_add_json_str(b, o->name, strlen(o->name));
        rc = rc ? rc : dg_buf_printf(b, ",\"dob\":\"%s\"", o->dob);
        if (!rc && o->sex)
            rc = dg_buf_printf(b, ",\"sex\":\"%c\"", o->sex[0]);
        rc = rc ? rc : dg_buf_addstr(b, "},\"matches\":[");
        n = rc ? 0 : dg_store_drivers_by_name(s, &q, c, o->max, e);
        if (n < 0)
            rc = n;
        for (int i = 0; !rc && i < n; i++) {
            rc = dg_buf_printf(b, "%s{\"score\":%d,", i ? "," : "", c[i].score);
            rc = rc ? rc : add_driver(s, o, &c[i].driver, b, &photo, e);
            rc = rc ? rc : dg_buf_addc(b, '}');
        }
    } else {
        static struct dg_vehicle v[MAX_MATCHES];
        if (o->plate) {
            rc = dg_buf_addstr(b, "\"kind\":\"plate\",\"plate\":");
            rc = rc ? rc : dg_buf_add_json_str(b, o->plate, strlen(o->plate));
            rc = rc ? rc : dg_buf_printf(b, ",\"plate_state\":\"%s\"", o->plate_state);
            if (!rc && o->plate_type)
                rc = dg_buf_printf(b, ",\"plate_type\":\"%s\"", o->plate_type);
            n = rc ? 0
                   : dg_store_vehicles_by_plate(s, o->plate, o->plate_state, o->plate_type, v,
                                                o->max, e);
        } else {
            rc = dg_buf_addstr(b, "\"kind\":\"vin\",\"vin\":");
            rc = rc ? rc : dg_buf_add_json_str(b, o->vin, strlen(o->vin));
            n = rc ? 0 : dg_store_vehicles_by_vin(s, o->vin, v, o->max, e);
        }
        rc = rc ? rc : dg_buf_addstr(b, "},\"matches\":[");
        if (n < 0)
            rc = n;
        for (int i = 0; !rc && i < n; i++) {
            struct dg_driver owner;
            rc = dg_buf_printf(b, "%s{\"vehicle\":", i ? "," : "");
            rc = rc ? rc : dg_vehicle_json(&v[i], 0, b);
            if (!rc && dg_store_driver_by_id(s, v[i].owner_id, &owner, e) == 0) {
                rc = dg_buf_addstr(b, ",\"owner\":");
                rc = rc ? rc : dg_driver_json(&owner, DG_FIELD_PHOTO, NULL, 0, b);
            }
            rc = rc ? rc : dg_buf_addc(b, '}');
        }
    }
    rc = rc ? rc : dg_buf_addstr(b, "]}");
out:
    dg_buf_release(&photo);
    return rc ? rc : n;
}

static int check_state(const char *opt, const char *v)
{
    if (strlen(v) != 2 || dg_state_index(v, 2) < 0)
        return dg_cmd_usage_error("lookup: %s '%s' is not a state code", opt, v);
    return 0;
}

int dg_cmd_lookup(int argc, char **argv)
{
    struct opts o = {.max = 10};
    static const struct {
        const char *name;
        size_t off;
    } vals[] = {
        {"--db", offsetof(struct opts, db)},
        {"--oln", offsetof(struct opts, oln)},
        {"--state", offsetof(struct opts, state)},
        {"--name", offsetof(struct opts, name)},
        {"--dob", offsetof(struct opts, dob)},
        {"--sex", offsetof(struct opts, sex)},
        {"--plate-state", offsetof(struct opts, plate_state)},
        {"--plate-type", offsetof(struct opts, plate_type)},
        {"--plate", offsetof(struct opts, plate)},
        {"--vin", offsetof(struct opts, vin)},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(lookup_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--photo") == 0) {
            o.photo = 1;
            continue;
        }
        if (strcmp(a, "--compact") == 0) {
            o.compact = 1;
            continue;
        }
        if (is_opt(a, "--max")) {
            const char *v = opt_value(argc, argv, &i, "--max");
            char *end;
            errno = 0;
            long m = v ? strtol(v, &end, 10) : 0;
            if (!v || errno || *end || m < 1 || m > MAX_MATCHES)
                return dg_cmd_usage_error("lookup: --max must be a number from 1 to %d",
                                          MAX_MATCHES);
            o.max = (unsigned)m;
            continue;
        }
        size_t k = 0;
        while (k < DG_ARRAY_LEN(vals) && !is_opt(a, vals[k].name))
            k++;
        if (k == DG_ARRAY_LEN(vals))
            return dg_cmd_usage_error("lookup: unknown option '%s' (see dmvgate lookup --help)", a);
        const char *v = opt_value(argc, argv, &i, vals[k].name);
        if (!v || !*v)
            return dg_cmd_usage_error("lookup: %s needs a value", vals[k].name);
        *(const char **)((char *)&o + vals[k].off) = v;
    }
    if (!o.db)
        return dg_cmd_usage_error("lookup: --db FILE is required");
    int kinds = !!o.oln + !!o.name + !!o.plate + !!o.vin;
    if (kinds != 1)
        return dg_cmd_usage_error("lookup: give exactly one of --oln, --name, --plate, --vin");
    int rc;
    if (o.oln) {
        if (!o.state)
            return dg_cmd_usage_error("lookup: --oln needs --state ST");
        if ((rc = check_state("--state", o.state)))
            return rc;
    } else if (o.state)
        return dg_cmd_usage_error("lookup: --state goes with --oln (use --plate-state for plates)");
    if (o.name) {
        if (!o.dob)
            return dg_cmd_usage_error("lookup: --name needs --dob YYYY-MM-DD");
        if (dg_date_validate(o.dob, strlen(o.dob)))
            return dg_cmd_usage_error("lookup: --dob '%s' is not a date YYYY-MM-DD", o.dob);
        if (o.sex && (strlen(o.sex) != 1 || !strchr("MFX", o.sex[0])))
            return dg_cmd_usage_error("lookup: --sex must be M, F or X");
        struct dg_error e;
        char l[DG_NAME_PART_MAX + 1], f[DG_NAME_PART_MAX + 1], m[DG_NAME_PART_MAX + 1];
        if (dg_name_split(o.name, l, f, m, &e))
            return dg_cmd_usage_error("lookup: --name: %s", e.msg);
    } else if (o.dob || o.sex)
        return dg_cmd_usage_error("lookup: --dob and --sex go with --name");
    if (o.plate) {
        if (!o.plate_state)
            return dg_cmd_usage_error("lookup: --plate needs --plate-state ST");
        if ((rc = check_state("--plate-state", o.plate_state)))
            return rc;
        if (o.plate_type && dg_plate_type_validate(o.plate_type, strlen(o.plate_type)))
            return dg_cmd_usage_error("lookup: --plate-type '%s' is not PC, LT, CO, MC, TL or PS",
                                      o.plate_type);
    } else if (o.plate_state || o.plate_type)
        return dg_cmd_usage_error("lookup: --plate-state and --plate-type go with --plate");
    if (o.vin) {
        size_t n = strlen(o.vin);
        struct dg_error e;
        if (n == DG_VIN_LEN && dg_vin_validate(o.vin, n, &e))
            return dg_cmd_usage_error("lookup: --vin: %s", e.msg);
        if (n > DG_VIN_LEN)
            return dg_cmd_usage_error("lookup: --vin has %zu characters, at most 17", n);
    }

    struct dg_store *s;
    struct dg_error e;
    dg_error_clear(&e);
    if (dg_store_open(o.db, DG_STORE_READONLY, &s, &e))
        return dg_cmd_usage_error("lookup: %s", e.msg);
    struct dg_buf b;
    dg_buf_init(&b, 1 << 26);
    int n = run(s, &o, &b, &e);
    dg_store_close(s);
    int status;
    if (n == DG_EINVAL)
        status = dg_cmd_usage_error("lookup: %s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
    else if (n < 0)
        status = dg_cmd_usage_error("lookup: %s", e.code ? e.msg : dg_strerror(n));
    else {
        status = print_json(&o, &b);
        if (!status)
            status = n > 0 ? 0 : 1;
    }
    dg_buf_release(&b);
    return status;
}
