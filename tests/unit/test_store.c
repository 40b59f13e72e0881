/*
 * test_store.c - unit tests for lib/store: Soundex and name handling, record
 * checks and JSON, and the SQLite backend (lookups of every kind, ranking,
 * photos, agencies, transactions, bulk loading, migrations, read-only opens).
 *
 * dg-test-backends: sqlite postgresql
 * The store cases run against each backend (tests/unit/store_backend.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/store.h>

#include "store_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- names ------------------------------------------------------------------------ */

static void soundex_known_codes(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Robert", "R163"},     {"Rupert", "R163"},     {"Rubin", "R150"},   {"Ashcraft", "A261"},
        {"Ashcroft", "A261"},   {"Tymczak", "T522"},    {"Pfister", "P236"}, {"Honeyman", "H555"},
        {"Lee", "L000"},        {"Gutierrez", "G362"},  {"Jackson", "J250"}, {"O'Brien", "O165"},
        {"SMITH", "S530"},      {"Smyth", "S530"},      {"Schmidt", "S530"}, {"a", "A000"},
        {"Washington", "W252"}, {"Van Deusen", "V532"},
    };
    char out[DG_SOUNDEX_LEN + 1];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(dg_soundex(cases[i][0], out), 0);
        assert_string_equal(out, cases[i][1]);
    }
    assert_int_equal(dg_soundex("", out), DG_EINVAL);
    assert_string_equal(out, "");
    assert_int_equal(dg_soundex("--- 123", out), DG_EINVAL);
}

static void name_split_and_normalize(void **state)
{
    (void)state;
    char l[DG_NAME_PART_MAX + 1], f[DG_NAME_PART_MAX + 1], m[DG_NAME_PART_MAX + 1];
    struct dg_error e;
    assert_int_equal(dg_name_split("Rivera,Jose Luis", l, f, m, &e), 0);
    assert_string_equal(l, "RIVERA");
    assert_string_equal(f, "JOSE");
    assert_string_equal(m, "LUIS");
    assert_int_equal(dg_name_split("O'BRIEN, MARY", l, f, m, &e), 0);
    assert_string_equal(l, "O'BRIEN");
    assert_string_equal(f, "MARY");
    assert_string_equal(m, "");
    assert_int_equal(dg_name_split("SMITH", l, f, m, &e), DG_EINVAL);
    assert_non_null(strstr(e.msg, "LAST,FIRST"));
    assert_int_equal(dg_name_split(",JOHN", l, f, m, &e), DG_EINVAL);
    assert_int_equal(dg_name_split("SM1TH,JOHN", l, f, m, &e), DG_EINVAL);
    char big[80];
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[5] = ',';
    assert_int_equal(dg_name_split(big, l, f, m, &e), DG_EINVAL);
    assert_non_null(strstr(e.msg, "longer"));
    char n[16];
    assert_int_equal(dg_name_normalize("o'Brien-Smith", n, sizeof(n)), 11);
    assert_string_equal(n, "OBRIENSMITH");
}

static void dates(void **state)
{
    (void)state;
    assert_int_equal(dg_date_validate("2000-02-29", 10), 0);
    assert_int_equal(dg_date_validate("1900-02-29", 10), DG_EINVAL);
    assert_int_equal(dg_date_validate("2023-04-31", 10), DG_EINVAL);
    assert_int_equal(dg_date_validate("2023-13-01", 10), DG_EINVAL);
    assert_int_equal(dg_date_validate("2023/01/01", 10), DG_EINVAL);
    assert_int_equal(dg_date_validate("20230101", 8), DG_EINVAL);
}

/* ---- fixtures ------------------------------------------------------------------------ */

static struct dg_driver driver(const char *oln, const char *last, const char *first,
                               const char *middle, const char *dob, char sex)
{
    struct dg_driver d;
    memset(&d, 0, sizeof(d));
    snprintf(d.oln, sizeof(d.oln), "%s", oln);
    strcpy(d.ols, "CO");
    snprintf(d.last, sizeof(d.last), "%s", last);
    snprintf(d.first, sizeof(d.first), "%s", first);
    snprintf(d.middle, sizeof(d.middle), "%s", middle);
    snprintf(d.dob, sizeof(d.dob), "%s", dob);
    d.sex = sex;
    d.height_in = 70;
    strcpy(d.eyes, "BRO");
    strcpy(d.street, "1200 N MAIN ST APT 4");
    strcpy(d.city, "DENVER");
    strcpy(d.addr_state, "CO");
    strcpy(d.zip, "80202");
    strcpy(d.license_class, "R");
    d.status = DG_STATUS_VALID;
    strcpy(d.issued, "2021-06-01");
    strcpy(d.expires, "2026-06-01");
    return d;
}

static struct dg_vehicle vehicle(const char *plate, const char *vin, int64_t owner)
{
    struct dg_vehicle v;
    memset(&v, 0, sizeof(v));
    snprintf(v.plate, sizeof(v.plate), "%s", plate);
    strcpy(v.plate_state, "CO");
    strcpy(v.plate_type, "PC");
    v.model_year = 2019;
    snprintf(v.vin, sizeof(v.vin), "%s", vin);
    strcpy(v.make, "SUBARU");
    strcpy(v.model, "OUTBACK");
    strcpy(v.color, "BLU");
    strcpy(v.reg_expires, "2026-03-31");
    v.owner_id = owner;
    return v;
}

/* A VIN with a correct check digit, from a 17-character template. */
static const char *make_vin(const char *tmpl, char out[DG_VIN_LEN + 1])
{
    memcpy(out, tmpl, DG_VIN_LEN + 1);
    out[8] = dg_vin_check_digit(out);
    return out;
}

static const char photo_bytes[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";

static int setup_store(void **state)
{
    struct dg_store *s;
    struct dg_error e;
    char uri[1024];
    if (test_store_uri(uri, sizeof(uri)))
        return -1;
    int rc = dg_store_open(uri, DG_STORE_CREATE, &s, &e);
    if (rc) {
        fprintf(stderr, "open: %s\n", e.msg);
        return -1;
    }
    struct dg_driver ds[] = {
        driver("981234567", "RIVERA", "JOSE", "LUIS", "1980-04-02", 'M'),
        driver("981234568", "RIVERO", "JOSE", "", "1980-04-02", 'M'),
        driver("981234569", "RIVERA", "JOSEPH", "", "1980-04-02", 'M'),
        driver("981234570", "RIVERA", "MARIA", "", "1980-04-02", 'F'),
        driver("981234571", "REEVER", "JOSE", "", "1980-04-02", 'M'),
        driver("981234572", "RIVERA", "JOSE", "LUIS", "1981-04-02", 'M'),
        driver("981234573", "SMITH", "JOSE", "", "1980-04-02", 'M'),
        driver("981234574", "RIVERA", "JOSE", "ANTONIO", "1980-04-02", 'M'),
    };
    for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
        strcpy(ds[i].photo_type, "image/svg+xml");
        if ((rc = dg_store_put_driver(s, &ds[i], i == 0 ? photo_bytes : NULL,
                                      i == 0 ? strlen(photo_bytes) : 0, &e))) {
            fprintf(stderr, "put %zu: %s\n", i, e.msg);
            return -1;
        }
    }
    char vin[18];
    struct dg_vehicle v1 = vehicle("ABC123", make_vin("JF2BS9DC0HG123456", vin), 1);
    struct dg_vehicle v2 = vehicle("ABCD12", make_vin("1FTEW1E50KF654321", vin), 1);
    struct dg_vehicle v3 = vehicle("ABC123", make_vin("1HGCM82630A004352", vin), 2);
    strcpy(v3.plate_type, "MC");
    if (dg_store_put_vehicle(s, &v1, &e) || dg_store_put_vehicle(s, &v2, &e) ||
        dg_store_put_vehicle(s, &v3, &e)) {
        fprintf(stderr, "put vehicle: %s\n", e.msg);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown_store(void **state)
{
    dg_store_close(*state);
    return 0;
}

/* ---- lookups ------------------------------------------------------------------------ */

static void lookup_by_oln(void **state)
{
    struct dg_store *s = *state;
    struct dg_driver d;
    struct dg_error e;
    assert_int_equal(dg_store_driver_by_oln(s, "981234567", "CO", &d, &e), 0);
    assert_string_equal(d.last, "RIVERA");
    assert_string_equal(d.middle, "LUIS");
    assert_string_equal(d.dob, "1980-04-02");
    assert_int_equal(d.sex, 'M');
    assert_int_equal(d.height_in, 70);
    assert_string_equal(d.zip, "80202");
    assert_int_equal(d.status, DG_STATUS_VALID);
    assert_string_equal(d.photo_type, "image/svg+xml");
    assert_int_equal(d.photo_len, strlen(photo_bytes));
    assert_int_equal(d.id, 1);
    /* lower case keys are the same key */
    assert_int_equal(dg_store_driver_by_oln(s, "981234567", "co", &d, &e), 0);
    assert_int_equal(dg_store_driver_by_oln(s, "981234567", "AZ", &d, &e), DG_ENOTFOUND);
    assert_int_equal(dg_store_driver_by_oln(s, "000000000", "CO", &d, &e), DG_ENOTFOUND);
    assert_int_equal(dg_store_driver_by_oln(s, "98123-4567", "CO", &d, &e), DG_EINVAL);
    assert_string_equal(e.field, "oln");
    assert_int_equal(dg_store_driver_by_oln(s, "123456789012345678901", "CO", &d, &e), DG_EINVAL);
    assert_int_equal(dg_store_driver_by_oln(s, "981234567", "ZZ", &d, &e), DG_EINVAL);
    assert_string_equal(e.field, "ols");
    assert_int_equal(dg_store_driver_by_id(s, 2, &d, &e), 0);
    assert_string_equal(d.oln, "981234568");
    assert_int_equal(dg_store_driver_by_id(s, 999, &d, &e), DG_ENOTFOUND);
}

static void name_search_ranks(void **state)
{
    struct dg_store *s = *state;
    struct dg_candidate c[10];
    struct dg_error e;
    struct dg_name_query q = {"Rivera", "Jose", "Luis", "1980-04-02", 0};
    int n = dg_store_drivers_by_name(s, &q, c, 10, &e);
    /* Same DOB and a Soundex match on R160: RIVERA x4 (JOSE LUIS, JOSEPH,
     * MARIA, JOSE ANTONIO), RIVERO, REEVER; SMITH and the 1981 RIVERA are out. */
    assert_int_equal(n, 6);
    assert_string_equal(c[0].driver.oln, "981234567");
    assert_int_equal(c[0].score, DG_MATCH_EXACT);
    assert_string_equal(c[1].driver.oln, "981234574"); /* middle differs */
    assert_int_equal(c[1].score, DG_MATCH_EXACT_LF);
    /* JOSE is J200 and JOSEPH J210: not alike, so the JOSEPH has only the initial */
    assert_string_equal(c[2].driver.oln, "981234568"); /* RIVERO JOSE */
    assert_string_equal(c[3].driver.oln, "981234571"); /* REEVER JOSE, same score, later id */
    assert_string_equal(c[4].driver.oln, "981234569"); /* RIVERA JOSEPH */
    assert_int_equal(c[4].score, DG_MATCH_LAST_INITIAL);
    for (int i = 1; i < n; i++)
        assert_true(c[i - 1].score >= c[i].score);
    int saw_rivero = 0, saw_maria = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(c[i].driver.last, "RIVERO") == 0) {
            saw_rivero = 1;
            assert_int_equal(c[i].score, DG_MATCH_SX_FIRST);
        }
        if (strcmp(c[i].driver.first, "MARIA") == 0) {
            saw_maria = 1;
            assert_int_equal(c[i].score, DG_MATCH_LAST_ONLY);
        }
    }
    assert_true(saw_rivero && saw_maria);
    /* max keeps the best */
    assert_int_equal(dg_store_drivers_by_name(s, &q, c, 2, &e), 2);
    assert_int_equal(c[0].score, DG_MATCH_EXACT);
    assert_int_equal(c[1].score, DG_MATCH_EXACT_LF);
    /* the sex filter */
    q.sex = 'F';
    assert_int_equal(dg_store_drivers_by_name(s, &q, c, 10, &e), 1);
    assert_string_equal(c[0].driver.first, "MARIA");
    /* no match, bad input */
    struct dg_name_query none = {"Nobody", "Jose", NULL, "1980-04-02", 0};
    assert_int_equal(dg_store_drivers_by_name(s, &none, c, 10, &e), 0);
    struct dg_name_query bad = {"Rivera", "Jose", NULL, "1980-02-30", 0};
    assert_int_equal(dg_store_drivers_by_name(s, &bad, c, 10, &e), DG_EINVAL);
    assert_string_equal(e.field, "DOB");
    struct dg_name_query noletters = {"123", "Jose", NULL, "1980-04-02", 0};
    assert_int_equal(dg_store_drivers_by_name(s, &noletters, c, 10, &e), DG_EINVAL);
}

static void photo_on_demand(void **state)
{
    struct dg_store *s = *state;
    struct dg_buf b;
    struct dg_error e;
    char type[DG_MEDIA_TYPE_MAX + 1];
    dg_buf_init(&b, 4096);
    assert_int_equal(dg_store_photo(s, 1, &b, type, &e), 0);
    assert_int_equal(b.len, strlen(photo_bytes));
    assert_memory_equal(b.data, photo_bytes, b.len);
    assert_string_equal(type, "image/svg+xml");
    dg_buf_reset(&b);
    assert_int_equal(dg_store_photo(s, 2, &b, type, &e), DG_ENOTFOUND);
    dg_buf_release(&b);
    dg_buf_init(&b, 8);
    assert_int_equal(dg_store_photo(s, 1, &b, NULL, &e), DG_ETOOBIG);
    dg_buf_release(&b);
    struct dg_driver d;
    assert_int_equal(dg_store_driver_by_id(s, 2, &d, &e), 0);
    assert_string_equal(d.photo_type, "");
    assert_int_equal(d.photo_len, 0);
}

static void vehicle_lookups(void **state)
{
    struct dg_store *s = *state;
    struct dg_vehicle v[4];
    struct dg_error e;
    int n = dg_store_vehicles_by_plate(s, "abc-123", "CO", NULL, v, 4, &e);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].plate_type, "PC");
    assert_string_equal(v[0].owner_oln, "981234567");
    assert_string_equal(v[0].owner_ols, "CO");
    assert_string_equal(v[0].make, "SUBARU");
    assert_int_equal(v[0].model_year, 2019);
    assert_string_equal(v[1].plate_type, "MC");
    assert_int_equal(v[1].owner_id, 2);
    assert_int_equal(dg_store_vehicles_by_plate(s, "ABC 123", "CO", "MC", v, 4, &e), 1);
    assert_string_equal(v[0].plate_type, "MC");
    assert_int_equal(dg_store_vehicles_by_plate(s, "ABC123", "CO", NULL, v, 1, &e), 1);
    assert_int_equal(dg_store_vehicles_by_plate(s, "ABC123", "WY", NULL, v, 4, &e), 0);
    assert_int_equal(dg_store_vehicles_by_plate(s, "ABC123", "CO", "ZZ", v, 4, &e), DG_EINVAL);
    assert_int_equal(dg_store_vehicles_by_plate(s, "ABC1234567X", "CO", NULL, v, 4, &e), DG_EINVAL);
    char vin[18];
    make_vin("1FTEW1E50KF654321", vin);
    assert_int_equal(dg_store_vehicles_by_vin(s, vin, v, 4, &e), 1);
    assert_string_equal(v[0].plate, "ABCD12");
    assert_int_equal(dg_store_vehicles_by_vin(s, "1FTEW1E50KF000000", v, 4, &e), 0);
    assert_int_equal(dg_store_vehicles_by_owner(s, 1, v, 4, &e), 2);
    assert_int_equal(dg_store_vehicle_by_id(s, 3, v, &e), 0);
    assert_string_equal(v[0].plate_type, "MC");
    assert_int_equal(dg_store_vehicle_by_id(s, 30, v, &e), DG_ENOTFOUND);
}

static void puts_are_checked(void **state)
{
    struct dg_store *s = *state;
    struct dg_error e;
    struct dg_driver d = driver("981234567", "RIVERA", "JOSE", "", "1980-04-02", 'M');
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), DG_EEXIST);
    assert_string_equal(e.field, "oln");
    d = driver("X1", "RIVERA", "JOSE", "", "1980-02-30", 'M');
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), DG_EINVAL);
    assert_string_equal(e.field, "dob");
    d = driver("X1", "RIVERA", "JOSE", "", "1980-02-01", 'Q');
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), DG_EINVAL);
    assert_string_equal(e.field, "sex");
    d = driver("X1", "RIVERA", "JOSE", "", "1980-02-01", 'M');
    strcpy(d.zip, "8020");
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), DG_EINVAL);
    assert_string_equal(e.field, "zip");
    strcpy(d.zip, "80202-1234");
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), 0);
    assert_int_equal(d.id, 9);
    struct dg_vehicle v = vehicle("ZZZ999", "1FTEW1E50KF654321", 1);
    v.vin[8] = v.vin[8] == '1' ? '2' : '1'; /* a wrong check digit */
    assert_int_equal(dg_store_put_vehicle(s, &v, &e), DG_EINVAL);
    assert_string_equal(e.field, "VIN");
    v.model_year = 1975; /* before standard VINs: only the characters are checked */
    assert_int_equal(dg_store_put_vehicle(s, &v, &e), 0);
    v = vehicle("ZZZ 999", "1FTEW1E50KF654321", 1);
    assert_int_equal(dg_store_put_vehicle(s, &v, &e), DG_EINVAL);
    assert_string_equal(e.field, "plate");
}

static void transactions_roll_back(void **state)
{
    struct dg_store *s = *state;
    struct dg_error e;
    struct dg_store_stats st;
    assert_int_equal(dg_store_stats(s, &st, &e), 0);
    int64_t before = st.drivers;
    assert_int_equal(dg_store_begin(s, &e), 0);
    struct dg_driver d = driver("T1", "TEMP", "ONE", "", "1990-01-01", 'F');
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), 0);
    assert_int_equal(dg_store_rollback(s, &e), 0);
    assert_int_equal(dg_store_stats(s, &st, &e), 0);
    assert_int_equal(st.drivers, before);
    assert_int_equal(dg_store_driver_by_oln(s, "T1", "CO", &d, &e), DG_ENOTFOUND);
}

static void bulk_load_rebuilds_indexes(void **state)
{
    (void)state;
    struct dg_store *s;
    struct dg_error e;
    char uri[1024];
    assert_int_equal(test_store_uri(uri, sizeof(uri)), 0);
    assert_int_equal(dg_store_open(uri, DG_STORE_CREATE | DG_STORE_BULK, &s, &e), 0);
    assert_int_equal(dg_store_bulk_begin(s, &e), 0);
    for (int i = 0; i < 100; i++) {
        char oln[16];
        snprintf(oln, sizeof(oln), "B%05d", i);
        struct dg_driver d = driver(oln, i % 2 ? "JONES" : "JONAS", "ANN", "", "1970-07-07", 'F');
        assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), 0);
    }
    assert_int_equal(dg_store_bulk_end(s, &e), 0);
    struct dg_driver d;
    assert_int_equal(dg_store_driver_by_oln(s, "B00042", "CO", &d, &e), 0);
    assert_int_equal(d.id, 43);
    struct dg_candidate c[200];
    struct dg_name_query q = {"JONES", "ANN", NULL, "1970-07-07", 0};
    assert_int_equal(dg_store_drivers_by_name(s, &q, c, 200, &e), 100);
    assert_int_equal(c[0].score, DG_MATCH_EXACT);
    assert_int_equal(c[50].score, DG_MATCH_SX_FIRST);
    assert_int_equal(c[0].driver.id, 2); /* equal scores in id order */
    /* duplicates slip past the dropped unique index, and bulk_end refuses them */
    assert_int_equal(dg_store_bulk_begin(s, &e), 0);
    struct dg_driver dup = driver("B00042", "X", "Y", "", "1970-07-07", 'F');
    assert_int_equal(dg_store_put_driver(s, &dup, NULL, 0, &e), 0);
    assert_int_equal(dg_store_bulk_end(s, &e), DG_EEXIST);
    assert_int_equal(dg_store_rollback(s, &e), 0);
    struct dg_store_stats st;
    assert_int_equal(dg_store_stats(s, &st, &e), 0);
    assert_int_equal(st.drivers, 100);
    assert_int_equal(dg_store_driver_by_oln(s, "B00042", "CO", &d, &e), 0);
    dg_store_close(s);
}

/* ---- agencies ----------------------------------------------------------------------- */

static struct dg_agency agency(const char *ori, const char *name, enum dg_category cat)
{
    struct dg_agency a;
    memset(&a, 0, sizeof(a));
    snprintf(a.ori, sizeof(a.ori), "%s", ori);
    memcpy(a.state, ori, 2);
    snprintf(a.name, sizeof(a.name), "%s", name);
    a.level = DG_LEVEL_LOCAL;
    a.category = cat;
    return a;
}

static int count_cb(void *arg, const struct dg_agency *a)
{
    (void)a;
    ++*(int *)arg;
    return 0;
}

static void agencies_in_store(void **state)
{
    struct dg_store *s = *state;
    struct dg_error e;
    struct dg_agency a = agency("CO0010000", "ADAMS COUNTY SHERIFF'S OFFICE", DG_CAT_SHERIFF);
    a.agreements = DG_AGR_287G_JAIL | DG_AGR_287G_WARRANT_SERVICE;
    assert_int_equal(dg_store_put_agency(s, &a, &e), 0);
    struct dg_agency b = agency("AZICE0100", "ICE ERO PHOENIX", DG_CAT_FEDERAL_LE);
    b.level = DG_LEVEL_FEDERAL;
    strcpy(b.department, "DHS");
    strcpy(b.component, "ICE-ERO");
    assert_int_equal(dg_store_put_agency(s, &b, &e), 0);
    struct dg_agency got;
    assert_int_equal(dg_store_agency_by_ori(s, "CO0010000", &got, &e), 0);
    assert_memory_equal(&got, &a, sizeof(a));
    assert_int_equal(dg_store_agency_by_ori(s, "azice0100", &got, &e), 0);
    assert_memory_equal(&got, &b, sizeof(b));
    assert_int_equal(dg_store_agency_by_ori(s, "CO0020000", &got, &e), DG_ENOTFOUND);
    assert_int_equal(dg_store_agency_by_ori(s, "CO00", &got, &e), DG_EINVAL);
    struct dg_agency bad = agency("XX0010000", "NOWHERE", DG_CAT_SHERIFF);
    assert_int_equal(dg_store_put_agency(s, &bad, &e), DG_EBADAGENCY);
    int n = 0;
    assert_int_equal(dg_store_agencies_each(s, count_cb, &n, &e), 2);
    assert_int_equal(n, 2);
    struct dg_directory *d = dg_directory_new();
    assert_int_equal(dg_directory_load_store(d, s, &e), 2);
    assert_non_null(dg_directory_find(d, "AZICE0100", 9));
    assert_string_equal(dg_directory_at(d, 0)->ori, "AZICE0100"); /* ORI order */
    dg_directory_free(d);
    assert_int_equal(dg_store_agencies_clear(s, &e), 0);
    n = 0;
    assert_int_equal(dg_store_agencies_each(s, count_cb, &n, &e), 0);
}

/* ---- schema and files --------------------------------------------------------------- */

static void migrations_for_modules(void **state)
{
    struct dg_store *s = *state;
    struct dg_error e;
    assert_int_equal(dg_store_schema_version(s, "store", &e), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(dg_store_schema_version(s, "review", &e), 0);
    static const struct dg_migration m[] = {
        {1, "queue", "CREATE TABLE review_queue (id INTEGER PRIMARY KEY, msg TEXT)",
         "CREATE TABLE review_queue (id bigint PRIMARY KEY, msg text)"},
        {2, "reviewer", "ALTER TABLE review_queue ADD COLUMN reviewer TEXT",
         "ALTER TABLE review_queue ADD COLUMN reviewer text"},
    };
    assert_int_equal(dg_store_migrate(s, "review", m, 1, &e), 1);
    assert_int_equal(dg_store_schema_version(s, "review", &e), 1);
    assert_int_equal(dg_store_migrate(s, "review", m, 2, &e), 1);
    assert_int_equal(dg_store_migrate(s, "review", m, 2, &e), 0);
    assert_int_equal(dg_store_schema_version(s, "review", &e), 2);
    /* the database is newer than the steps this program knows */
    assert_int_equal(dg_store_migrate(s, "review", m, 1, &e), DG_EINVAL);
    assert_non_null(strstr(e.msg, "newer"));
    /* a failing step changes nothing and says which step */
    static const struct dg_migration bad[] = {
        {1, "t", "CREATE TABLE t1 (a)", "CREATE TABLE t1 (a integer)"},
        {2, "broken", "CREATE TABLE t2 (a); THIS IS NOT SQL",
         "CREATE TABLE t2 (a integer); THIS IS NOT SQL"},
    };
    assert_int_equal(dg_store_migrate(s, "other", bad, 2, &e), DG_ESTORE);
    assert_non_null(strstr(e.msg, "step 2"));
    assert_int_equal(dg_store_schema_version(s, "other", &e), 1);
    static const struct dg_migration unordered[] = {{2, "a", NULL, NULL}, {1, "b", NULL, NULL}};
    assert_int_equal(dg_store_migrate(s, "x", unordered, 2, &e), DG_EINVAL);
    /* a step for the other dialect only is recorded, not run */
    static const struct dg_migration one_dialect[] = {{1, "only", NULL, NULL}};
    assert_int_equal(dg_store_migrate(s, "y", one_dialect, 1, &e), 1);
    assert_int_equal(dg_store_schema_version(s, "y", &e), 1);
    if (test_backend_is_pg()) {
        assert_null(dg_store_sqlite(s));
        assert_non_null(dg_store_pg(s));
        assert_string_equal(dg_store_backend(s), "postgresql");
    } else {
        assert_non_null(dg_store_sqlite(s));
        assert_null(dg_store_pg(s));
        assert_string_equal(dg_store_backend(s), "sqlite");
    }
}

static void files_and_readonly(void **state)
{
    (void)state;
    if (test_backend_is_pg())
        skip(); /* SQLite files; pg_databases_and_readonly is the PostgreSQL case */
    char path[] = "/tmp/dg-test-store-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct dg_store *s;
    struct dg_error e;
    assert_int_equal(dg_store_open(path, 0, &s, &e), DG_ENOENT);
    assert_non_null(strstr(e.msg, path));
    assert_int_equal(dg_store_open(path, DG_STORE_READONLY, &s, &e), DG_ENOENT);
    char uri[64];
    snprintf(uri, sizeof(uri), "sqlite:%s", path);
    assert_int_equal(dg_store_open(uri, DG_STORE_CREATE, &s, &e), 0);
    struct dg_driver d = driver("F1", "FILE", "ONE", "", "1990-01-01", 'X');
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), 0);
    dg_store_close(s);
    assert_int_equal(dg_store_open(path, DG_STORE_READONLY, &s, &e), 0);
    assert_int_equal(dg_store_driver_by_oln(s, "F1", "CO", &d, &e), 0);
    assert_int_equal(d.sex, 'X');
    d.id = 0;
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), DG_EPERM);
    dg_store_close(s);
    assert_int_equal(dg_store_open("mysql://localhost/dmv", 0, &s, &e), DG_EINVAL);
    assert_non_null(strstr(e.msg, "mysql"));
    /* a file that is not a store */
    FILE *f = fopen(path, "w");
    fputs("not a database at all, not even close to one; sqlite will say so", f);
    fclose(f);
    assert_int_equal(dg_store_open(path, DG_STORE_READONLY, &s, &e), DG_ESTORE);
    char side[80];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

static void pg_databases_and_readonly(void **state)
{
    (void)state;
    if (!test_backend_is_pg())
        skip(); /* files_and_readonly is the SQLite case */
    struct dg_store *s;
    struct dg_error e;
    char uri[1024], missing[1024];
    test_pg_uri_with_db(test_pg_base_uri(), "dg_no_such_database", missing, sizeof(missing));
    assert_int_equal(dg_store_open(missing, 0, &s, &e), DG_ENOENT);
    assert_non_null(strstr(e.msg, "dg_no_such_database"));
    assert_int_equal(test_store_uri(uri, sizeof(uri)), 0);
    /* an empty database is not a store until it is opened read-write once */
    assert_int_equal(dg_store_open(uri, DG_STORE_READONLY, &s, &e), DG_EINVAL);
    assert_non_null(strstr(e.msg, "not a dmvgate store"));
    assert_int_equal(dg_store_open(uri, 0, &s, &e), 0);
    struct dg_driver d = driver("F1", "FILE", "ONE", "", "1990-01-01", 'X');
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), 0);
    dg_store_close(s);
    assert_int_equal(dg_store_open(uri, DG_STORE_READONLY, &s, &e), 0);
    assert_int_equal(dg_store_driver_by_oln(s, "F1", "CO", &d, &e), 0);
    assert_int_equal(d.sex, 'X');
    d.id = 0;
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), DG_EPERM);
    dg_store_close(s);
    /* a vehicle must belong to a driver of the store */
    assert_int_equal(dg_store_open(uri, 0, &s, &e), 0);
    char vin[18];
    struct dg_vehicle v = vehicle("NOOWN1", make_vin("JF2BS9DC0HG123456", vin), 4242);
    assert_int_equal(dg_store_put_vehicle(s, &v, &e), DG_EINVAL);
    assert_string_equal(e.field, "owner_id");
    dg_store_close(s);
}

/* ---- JSON --------------------------------------------------------------------------- */

static void json_and_redaction(void **state)
{
    (void)state;
    struct dg_driver d = driver("981234567", "O\"BRIEN", "JOSE", "", "1980-04-02", 'M');
    d.lawful_presence_flag = true;
    strcpy(d.photo_type, "image/svg+xml");
    d.photo_len = 3;
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    assert_int_equal(dg_driver_json(&d, 0, "abc", 3, &b), 0);
    assert_non_null(strstr(b.data, "\"last\":\"O\\\"BRIEN\""));
    assert_non_null(strstr(b.data, "\"lawful_presence_flag\":true"));
    assert_non_null(strstr(b.data, "\"base64\":\"YWJj\""));
    assert_non_null(strstr(b.data, "\"street\":"));
    dg_buf_reset(&b);
    assert_int_equal(dg_driver_json(&d,
                                    DG_FIELD_ADDRESS | DG_FIELD_LAWFUL_PRESENCE | DG_FIELD_PHOTO,
                                    NULL, 0, &b),
                     0);
    assert_null(strstr(b.data, "street"));
    assert_null(strstr(b.data, "zip"));
    assert_null(strstr(b.data, "lawful_presence"));
    assert_null(strstr(b.data, "photo"));
    assert_non_null(strstr(b.data, "\"oln\":\"981234567\""));
    dg_buf_reset(&b);
    assert_int_equal(dg_buf_add_base64(&b, "ab", 2), 0);
    assert_string_equal(b.data, "\"YWI=\"");
    dg_buf_reset(&b);
    assert_int_equal(dg_buf_add_base64(&b, "a", 1), 0);
    assert_string_equal(b.data, "\"YQ==\"");
    dg_buf_reset(&b);
    struct dg_vehicle v = vehicle("ABC123", "JF2BS9DC0HG123456", 1);
    strcpy(v.owner_oln, "981234567");
    assert_int_equal(dg_vehicle_json(&v, DG_FIELD_OWNER, &b), 0);
    assert_null(strstr(b.data, "owner"));
    assert_non_null(strstr(b.data, "\"plate\":\"ABC123\""));
    dg_buf_reset(&b);
    assert_int_equal(dg_vehicle_json(&v, DG_FIELD_VEHICLES, &b), 0);
    assert_int_equal(b.len, 0);
    dg_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(soundex_known_codes),
        cmocka_unit_test(name_split_and_normalize),
        cmocka_unit_test(dates),
        cmocka_unit_test_setup_teardown(lookup_by_oln, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(name_search_ranks, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(photo_on_demand, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(vehicle_lookups, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(puts_are_checked, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(transactions_roll_back, setup_store, teardown_store),
        cmocka_unit_test(bulk_load_rebuilds_indexes),
        cmocka_unit_test_setup_teardown(agencies_in_store, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(migrations_for_modules, setup_store, teardown_store),
        cmocka_unit_test(files_and_readonly),
        cmocka_unit_test(pg_databases_and_readonly),
        cmocka_unit_test(json_and_redaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
