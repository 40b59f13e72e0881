/*
 * test_msg.c - unit tests for lib/msg: every field rule, the header, the
 * element lexer, whole-message rules, both forms and their round trips, and
 * the response builder. (The corpus under tests/data/msg is walked by
 * test_msg_corpus.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/msg.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* A valid DQ body prefix and header, to vary one field at a time. */
#define HDR "DQ.AZ0070000.CO.TXT\n"

static int setup(void **state)
{
    (void)state;
    dg_msg_set_today(20260115);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_msg_set_today(0);
    return 0;
}

/* Parse s as a request; return the code, fill e. */
static int req(const char *s, struct dg_msg_req *r, struct dg_error *e)
{
    dg_error_clear(e);
    return dg_msg_req_parse_text(r, s, strlen(s), e);
}

/* Expect s to fail with code at field/offset. */
static void bad(const char *s, int code, const char *field, long off)
{
    struct dg_msg_req r;
    struct dg_error e;
    int rc = req(s, &r, &e);
    if (rc != code || strcmp(e.field, field) != 0 || e.offset != off)
        fail_msg("for %s\nexpected %s field '%s' offset %ld\ngot      %s field '%s' offset %ld: %s",
                 s, dg_errname(code), field, off, dg_errname(rc), e.field, e.offset, e.msg);
    assert_int_equal(e.code, code);
    assert_true(strlen(e.msg) > 10);
}

/* Expect s to be valid with canonical text form canon. */
static void good(const char *s, const char *canon)
{
    struct dg_msg_req r;
    struct dg_error e;
    int rc = req(s, &r, &e);
    if (rc)
        fail_msg("for %s\nexpected valid, got %s field '%s' offset %ld: %s", s, dg_errname(rc),
                 e.field, e.offset, e.msg);
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    assert_int_equal(dg_msg_req_to_text(&r, &b), 0);
    assert_string_equal(b.data, canon);
    dg_buf_release(&b);
}

static void text_request_basic(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    assert_int_equal(req(HDR "OLN/D12345678.OLS/CO.PUR/C.ATN/DET J RIVERA", &r, &e), 0);
    assert_int_equal(r.key, DG_KEY_DQ);
    assert_string_equal(r.ori, "AZ0070000");
    assert_int_equal(r.ndest, 1);
    assert_string_equal(r.dest[0], "CO");
    assert_string_equal(r.oln, "D12345678");
    assert_string_equal(r.ols, "CO");
    assert_int_equal(r.purpose, DG_PUR_CRIMINAL_JUSTICE);
    assert_string_equal(r.atn, "DET J RIVERA");
    assert_int_equal(r.idents, DG_ID_OLN);
    assert_false(r.photo);
    assert_false(r.has_case);
    assert_int_equal(r.leg, DG_LEG_NONE);
    assert_true(r.asked & DG_FIELD_ADDRESS);
    assert_false(r.asked & DG_FIELD_PHOTO);
    assert_true(dg_msg_req_is_for(&r, "CO"));
    assert_false(dg_msg_req_is_for(&r, "WI"));
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_OLN), "D12345678");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_CAS), "");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_MID), "");
}

static void text_request_errors(void **state)
{
    (void)state;
    bad("DX.AZ0070000.CO.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X", DG_EMSGKEY, "KEY", 0);
    bad(HDR "OLN/D1.OLS/CO.PUR/Q.ATN/X", DG_EMSGPURPOSE, "PUR", 38);
    bad(HDR "OLN/D1.OLS/CO.PUR/C", DG_EMSGMISSING, "ATN", 39);
    /* a response where a request is expected */
    bad("DR.AZ0070000.CO.TXT\nMID/1.STS/HELD", DG_EMSGKEYKIND, "KEY", 0);
    /* the offset of a bad byte after an escaped period is the byte's own */
    bad(HDR "OLN/D1.OLS/CO.PUR/C.ATN/A..B\x01", DG_EMSGCHAR, "ATN", 48);
    bad(HDR "OLN/D1.OLS/CO.PUR/C.ATN/A..B..C.CAS/1 2", DG_EMSGVALUE, "CAS", 57);
}

/* ---- every field rule, through the builder (no offsets) ---------------------- */

/* A request of key with the identifying fields it needs, plus tag=value. */
static int set_one(enum dg_key key, enum dg_msg_tag tag, const char *value, struct dg_error *e)
{
    struct dg_msg_req r;
    dg_error_clear(e);
    assert_int_equal(dg_msg_req_init(&r, key, "AZ0070000", e), 0);
    return dg_msg_req_set(&r, tag, value, e);
}

static void expect_set(enum dg_key key, enum dg_msg_tag tag, const char *value, int code)
{
    struct dg_error e;
    int rc = set_one(key, tag, value, &e);
    if (rc != code)
        fail_msg("%s %s/%s: expected %s, got %s: %s", dg_key_name(key), dg_msg_tag_name(tag), value,
                 dg_errname(code), dg_errname(rc), e.msg);
    if (code) {
        assert_string_equal(e.field, dg_msg_tag_name(tag));
        assert_int_equal(e.offset, -1);
    }
}

/* The same through the response builder, in a record of kind. */
static void expect_rec(enum dg_msg_rec kind, enum dg_msg_tag tag, const char *value, int code)
{
    struct dg_msg_resp *r;
    struct dg_error e;
    assert_int_equal(dg_msg_resp_begin(&r, kind == DG_REC_DRV ? DG_KEY_DR : DG_KEY_RR, "AZ0070000",
                                       "CO", "M1", DG_STS_FOUND, &e),
                     0);
    assert_int_equal(dg_msg_resp_add_record(r, kind, &e), 0);
    int rc = dg_msg_resp_add_field(r, tag, value, &e);
    if (rc != code)
        fail_msg("record %s/%s: expected %s, got %s: %s", dg_msg_tag_name(tag), value,
                 dg_errname(code), dg_errname(rc), e.msg);
    if (rc == 0)
        assert_string_equal(dg_msg_resp_get(r, 0, tag), value);
    dg_msg_resp_free(r);
}

static void rule_oln(void **state)
{
    (void)state;
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "D12345678", 0);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "WDL*AB12-3CD", 0);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "12345678901234567890", 0);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "123456789012345678901", DG_EMSGFIELDLEN);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "d1234", DG_EMSGOLN);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "D 1234", DG_EMSGOLN);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "D1.234", DG_EMSGOLN);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "*", DG_EMSGOLN);
    expect_set(DG_KEY_DQ, DG_TAG_OLN, "", DG_EMSGEMPTY);
    expect_set(DG_KEY_RQ, DG_TAG_OLN, "D1", DG_EMSGTAGKEY);
    expect_rec(DG_REC_DRV, DG_TAG_OLN, "D12345678", 0);
    expect_rec(DG_REC_DRV, DG_TAG_OLN, "d1", DG_EMSGOLN);
}

static void rule_states(void **state)
{
    (void)state;
    const char *ok[] = {"CO", "WI", "DC", "PR", "GU", "VI", "AS", "MP", "WY"};
    for (size_t i = 0; i < DG_ARRAY_LEN(ok); i++) {
        expect_set(DG_KEY_DQ, DG_TAG_OLS, ok[i], 0);
        expect_set(DG_KEY_RQ, DG_TAG_LIS, ok[i], 0);
    }
    const char *no[] = {"XX", "co", "C", "COL", "NL", "ON", "12"};
    for (size_t i = 0; i < DG_ARRAY_LEN(no); i++) {
        struct dg_error e;
        int rc = set_one(DG_KEY_DQ, DG_TAG_OLS, no[i], &e);
        assert_true(rc == DG_EMSGSTATE || rc == DG_EMSGFIELDLEN);
    }
    expect_set(DG_KEY_RQ, DG_TAG_LIS, "QQ", DG_EMSGSTATE);
}

static void rule_plate(void **state)
{
    (void)state;
    expect_set(DG_KEY_RQ, DG_TAG_LIC, "ABC123", 0);
    expect_set(DG_KEY_RQ, DG_TAG_LIC, "A", 0);
    expect_set(DG_KEY_RQ, DG_TAG_LIC, "ABCDEFGHIJ", 0);
    expect_set(DG_KEY_RQ, DG_TAG_LIC, "ABCDEFGHIJK", DG_EMSGFIELDLEN);
    expect_set(DG_KEY_RQ, DG_TAG_LIC, "ABC-123", DG_EMSGPLATE);
    expect_set(DG_KEY_RQ, DG_TAG_LIC, "ABC 123", DG_EMSGPLATE);
    expect_set(DG_KEY_RQ, DG_TAG_LIC, "abc123", DG_EMSGPLATE);
    expect_set(DG_KEY_DQ, DG_TAG_LIC, "ABC123", DG_EMSGTAGKEY);
    expect_set(DG_KEY_RQ, DG_TAG_LIT, "PC", 0);
    expect_set(DG_KEY_RQ, DG_TAG_LIT, "P", DG_EMSGVALUE);
    expect_set(DG_KEY_RQ, DG_TAG_LIT, "pc", DG_EMSGVALUE);
    expect_set(DG_KEY_RQ, DG_TAG_LIY, "2027", 0);
    expect_set(DG_KEY_RQ, DG_TAG_LIY, "1900", 0);
    expect_set(DG_KEY_RQ, DG_TAG_LIY, "2199", 0);
    expect_set(DG_KEY_RQ, DG_TAG_LIY, "2200", DG_EMSGDATE);
    expect_set(DG_KEY_RQ, DG_TAG_LIY, "1899", DG_EMSGDATE);
    expect_set(DG_KEY_RQ, DG_TAG_LIY, "27", DG_EMSGDATE);
    expect_rec(DG_REC_VEH, DG_TAG_LIC, "ABC123", 0);
    expect_rec(DG_REC_VEH, DG_TAG_LIC, "AB.1", DG_EMSGPLATE);
    expect_rec(DG_REC_DRV, DG_TAG_LIC, "ABC123", DG_EMSGTAGKEY);
}

static void rule_vin(void **state)
{
    (void)state;
    expect_set(DG_KEY_RQ, DG_TAG_VIN, "1M8GDM9AXKP042788", 0);
    expect_set(DG_KEY_RQ, DG_TAG_VIN, "1HGCM82633A004352", 0);
    expect_set(DG_KEY_RQ, DG_TAG_VIN, "1M8GDM9A1KP042788", DG_EMSGVIN);
    expect_set(DG_KEY_RQ, DG_TAG_VIN, "1M8GDM9AXKP04278", DG_EMSGVIN);
    expect_set(DG_KEY_RQ, DG_TAG_VIN, "1M8GDM9AXKP0427888", DG_EMSGFIELDLEN);
    expect_set(DG_KEY_RQ, DG_TAG_VIN, "1M8GDM9AXKPO42788", DG_EMSGVIN);
    expect_set(DG_KEY_RQ, DG_TAG_VIN, "1m8GDM9AXKP042788", DG_EMSGVIN);
    expect_set(DG_KEY_DQ, DG_TAG_VIN, "1M8GDM9AXKP042788", DG_EMSGTAGKEY);
    struct dg_error e;
    assert_int_equal(set_one(DG_KEY_RQ, DG_TAG_VIN, "1M8GDM9A1KP042788", &e), DG_EMSGVIN);
    assert_non_null(strstr(e.msg, "check digit"));
}

static void rule_name(void **state)
{
    (void)state;
    const char *ok[] = {"RIVERA,ANA",
                        "RIVERA,ANA MARIA",
                        "O'BRIEN-SMITH,MARY ANNE K",
                        "DE LA CRUZ,JOSE",
                        "X,Y",
                        "ABCDEFGHIJKLMNOPQRSTUVWXY,ABCDEFGHIJKLMNOPQRSTUVWX"};
    for (size_t i = 0; i < DG_ARRAY_LEN(ok); i++)
        expect_set(DG_KEY_DQ, DG_TAG_NAM, ok[i], 0);
    const char *no[] = {"RIVERA ANA",    "RIVERA,ANA,MARIA", "RIVERA, ANA",  "RIVERA ,ANA",
                        "Rivera,Ana",    "RIVERA,ANA 2",     ",ANA",         "RIVERA,",
                        "RIVERA,ANA  M", "RIVERA,ANA ",      " RIVERA,ANA",  "-RIVERA,ANA",
                        "RIVERA-,ANA",   "RIVERA,ANA-",      "ST. JOHN,ANA", "RIVERA,'ANA"};
    for (size_t i = 0; i < DG_ARRAY_LEN(no); i++)
        expect_set(DG_KEY_DQ, DG_TAG_NAM, no[i], DG_EMSGNAME);
    expect_set(DG_KEY_DQ, DG_TAG_NAM, "ABCDEFGHIJKLMNOPQRSTUVWXYZ,ABCDEFGHIJKLMNOPQRSTUVWX",
               DG_EMSGFIELDLEN);
    expect_set(DG_KEY_RQ, DG_TAG_NAM, "RIVERA,ANA", DG_EMSGTAGKEY);
    expect_set(DG_KEY_IQ, DG_TAG_NAM, "RIVERA,ANA", 0);

    struct dg_msg_name nm;
    assert_int_equal(dg_msg_name_split("RIVERA,ANA MARIA JO", &nm), 0);
    assert_int_equal(nm.last_off, 0);
    assert_int_equal(nm.last_len, 6);
    assert_int_equal(nm.first_off, 7);
    assert_int_equal(nm.first_len, 3);
    assert_int_equal(nm.middle_off, 11);
    assert_int_equal(nm.middle_len, 8);
    assert_int_equal(dg_msg_name_split("KIM,JIN", &nm), 0);
    assert_int_equal(nm.first_len, 3);
    assert_int_equal(nm.middle_len, 0);
    assert_int_equal(dg_msg_name_split("KIM JIN", &nm), DG_EMSGNAME);
}

static void dob_is(const char *in, const char *want)
{
    struct dg_msg_req r;
    struct dg_error e;
    assert_int_equal(dg_msg_req_init(&r, DG_KEY_DQ, "AZ0070000", &e), 0);
    int rc = dg_msg_req_set(&r, DG_TAG_DOB, in, &e);
    if (!want) {
        if (rc != DG_EMSGDATE)
            fail_msg("DOB %s: expected EMSGDATE, got %s (%s)", in, dg_errname(rc), r.dob);
        return;
    }
    if (rc)
        fail_msg("DOB %s: %s", in, e.msg);
    assert_string_equal(r.dob, want);
}

static void rule_dates(void **state)
{
    (void)state;
    /* today is 2026-01-15 (setup) */
    dob_is("19850214", "19850214");
    dob_is("021485", "19850214");
    dob_is("123199", "19991231");
    dob_is("010100", "20000101");
    dob_is("011526", "20260115"); /* today itself */
    dob_is("011626", "19260116"); /* tomorrow in 2026, so 1926 */
    dob_is("20260115", "20260115");
    dob_is("20260116", NULL); /* the future */
    dob_is("20000229", "20000229");
    dob_is("19960229", "19960229");
    dob_is("022996", "19960229");
    dob_is("19000229", NULL); /* 1900 was not a leap year */
    dob_is("19000101", "19000101");
    dob_is("18991231", NULL);
    dob_is("19850431", NULL);
    dob_is("19851301", NULL);
    dob_is("19850001", NULL);
    dob_is("19850100", NULL);
    dob_is("1985021", NULL);
    dob_is("1985-2-1", NULL);
    dob_is("02141985", NULL); /* mmddccyy is not a format */
    dg_msg_set_today(20990601);
    dob_is("010199", "20990101"); /* the rule moves with today */
    dob_is("070199", "19990701");
    dg_msg_set_today(20260115);

    expect_rec(DG_REC_DRV, DG_TAG_ISS, "20210301", 0);
    expect_rec(DG_REC_DRV, DG_TAG_EXP, "20290214", 0);
    expect_rec(DG_REC_DRV, DG_TAG_EXP, "21991231", 0);
    expect_rec(DG_REC_DRV, DG_TAG_EXP, "22000101", DG_EMSGDATE);
    expect_rec(DG_REC_DRV, DG_TAG_ISS, "20210229", DG_EMSGDATE);
    expect_rec(DG_REC_DRV, DG_TAG_ISS, "030121", DG_EMSGDATE); /* only ccyymmdd */
    expect_rec(DG_REC_VEH, DG_TAG_REX, "20270131", 0);
    expect_rec(DG_REC_VEH, DG_TAG_REX, "20270132", DG_EMSGDATE);
    expect_rec(DG_REC_VEH, DG_TAG_VYR, "2019", 0);
    expect_rec(DG_REC_VEH, DG_TAG_VYR, "19", DG_EMSGDATE);
}

static void rule_codes(void **state)
{
    (void)state;
    const char *rsn = "NFVTSHI";
    for (const char *p = rsn; *p; p++) {
        char v[2] = {*p, 0};
        expect_set(DG_KEY_DQ, DG_TAG_RSN, v, 0);
    }
    expect_set(DG_KEY_RQ, DG_TAG_RSN, "V", 0);
    expect_set(DG_KEY_DQ, DG_TAG_RSN, "Z", DG_EMSGVALUE);
    expect_set(DG_KEY_DQ, DG_TAG_SEX, "M", 0);
    expect_set(DG_KEY_DQ, DG_TAG_SEX, "F", 0);
    expect_set(DG_KEY_DQ, DG_TAG_SEX, "X", 0);
    expect_set(DG_KEY_DQ, DG_TAG_SEX, "U", 0);
    expect_set(DG_KEY_DQ, DG_TAG_SEX, "m", DG_EMSGVALUE);
    expect_set(DG_KEY_DQ, DG_TAG_IMQ, "Y", 0);
    expect_set(DG_KEY_DQ, DG_TAG_IMQ, "N", 0);
    expect_set(DG_KEY_DQ, DG_TAG_IMQ, "y", DG_EMSGVALUE);
    expect_set(DG_KEY_IQ, DG_TAG_IMQ, "Y", DG_EMSGTAGKEY);
    expect_set(DG_KEY_RQ, DG_TAG_IMQ, "Y", DG_EMSGTAGKEY);
    /* every purpose of vocab.h, and nothing else */
    for (int p = 0; p < DG_PUR__COUNT; p++) {
        char v[2] = {dg_purpose_code((enum dg_purpose)p), 0};
        expect_set(DG_KEY_DQ, DG_TAG_PUR, v, 0);
    }
    for (int c = 0x21; c < 0x7f; c++) {
        if (dg_purpose_from_code((char)c) >= 0)
            continue;
        char v[2] = {(char)c, 0};
        expect_set(DG_KEY_DQ, DG_TAG_PUR, v, c == '.' ? DG_EMSGPURPOSE : DG_EMSGPURPOSE);
    }
    expect_set(DG_KEY_DQ, DG_TAG_PUR, "CI", DG_EMSGFIELDLEN);
    expect_rec(DG_REC_DRV, DG_TAG_LPF, "Y", 0);
    expect_rec(DG_REC_DRV, DG_TAG_LPF, "N", 0);
    expect_rec(DG_REC_DRV, DG_TAG_LPF, "U", DG_EMSGVALUE);
    expect_rec(DG_REC_DRV, DG_TAG_HGT, "510", 0);
    expect_rec(DG_REC_DRV, DG_TAG_HGT, "411", 0);
    expect_rec(DG_REC_DRV, DG_TAG_HGT, "512", DG_EMSGVALUE);
    expect_rec(DG_REC_DRV, DG_TAG_HGT, "010", DG_EMSGVALUE);
    expect_rec(DG_REC_DRV, DG_TAG_HGT, "5-10", DG_EMSGFIELDLEN);
    expect_rec(DG_REC_DRV, DG_TAG_EYE, "BRO", 0);
    expect_rec(DG_REC_DRV, DG_TAG_EYE, "HAZ", 0);
    expect_rec(DG_REC_DRV, DG_TAG_EYE, "BROWN", DG_EMSGFIELDLEN);
    expect_rec(DG_REC_DRV, DG_TAG_EYE, "RED", DG_EMSGVALUE);
    expect_rec(DG_REC_DRV, DG_TAG_STA, "VALID", 0);
    expect_rec(DG_REC_DRV, DG_TAG_STA, "DISQUALIFIED", 0);
    expect_rec(DG_REC_DRV, DG_TAG_STA, "valid", DG_EMSGVALUE);
    expect_rec(DG_REC_DRV, DG_TAG_CLS, "C", 0);
    expect_rec(DG_REC_DRV, DG_TAG_CLS, "CDL", 0);
    expect_rec(DG_REC_DRV, DG_TAG_CLS, "C-1", DG_EMSGVALUE);
    expect_rec(DG_REC_VEH, DG_TAG_VCO, "BLK", 0);
    expect_rec(DG_REC_VEH, DG_TAG_VCO, "BLK/WHI", 0);
    expect_rec(DG_REC_VEH, DG_TAG_VCO, "BLK/WH", DG_EMSGVALUE);
    expect_rec(DG_REC_VEH, DG_TAG_VCO, "BLK-WHI", DG_EMSGVALUE);
    expect_rec(DG_REC_VEH, DG_TAG_VMA, "TOYT", 0);
    expect_rec(DG_REC_VEH, DG_TAG_VMA, "MERCEDES-BENZ", DG_EMSGFIELDLEN);
    expect_rec(DG_REC_VEH, DG_TAG_VMO, "F-150 XLT", 0);
    expect_rec(DG_REC_VEH, DG_TAG_VMO, "F150 ", DG_EMSGVALUE);
    expect_rec(DG_REC_DRV, DG_TAG_PMT, "image/jpeg", 0);
    expect_rec(DG_REC_DRV, DG_TAG_PMT, "image/gif", DG_EMSGPHOTO);
    expect_rec(DG_REC_DRV, DG_TAG_PHO, "QUJD", 0);
    expect_rec(DG_REC_DRV, DG_TAG_PHO, "QUI=", 0);
    expect_rec(DG_REC_DRV, DG_TAG_PHO, "QQ==", 0);
    expect_rec(DG_REC_DRV, DG_TAG_PHO, "Q===", DG_EMSGPHOTO);
    expect_rec(DG_REC_DRV, DG_TAG_PHO, "QQ=A", DG_EMSGPHOTO);
    expect_rec(DG_REC_DRV, DG_TAG_PHO, "QUJ", DG_EMSGPHOTO);
    expect_rec(DG_REC_DRV, DG_TAG_PHO, "QU-D", DG_EMSGPHOTO);
}

static void rule_text_fields(void **state)
{
    (void)state;
    expect_set(DG_KEY_DQ, DG_TAG_ATN, "DET J. RIVERA, BADGE #114 / UNIT 3", 0);
    expect_set(DG_KEY_DQ, DG_TAG_ATN, "1234567890123456789012345678901234567890", 0);
    expect_set(DG_KEY_DQ, DG_TAG_ATN, "12345678901234567890123456789012345678901", DG_EMSGFIELDLEN);
    expect_set(DG_KEY_DQ, DG_TAG_ATN, " DET", DG_EMSGVALUE);
    expect_set(DG_KEY_DQ, DG_TAG_ATN, "DET ", DG_EMSGVALUE);
    expect_set(DG_KEY_DQ, DG_TAG_ATN, "DET\tJ", DG_EMSGCHAR);
    expect_set(DG_KEY_DQ, DG_TAG_ATN, "D\xc3\x89T", DG_EMSGCHAR);
    expect_set(DG_KEY_DQ, DG_TAG_CAS, "2026-CR-0412", 0);
    expect_set(DG_KEY_DQ, DG_TAG_CAS, "26/4471", 0);
    expect_set(DG_KEY_DQ, DG_TAG_CAS, "26 4471", DG_EMSGVALUE);
    expect_set(DG_KEY_DQ, DG_TAG_CAS, "26.4471", DG_EMSGVALUE);
    expect_rec(DG_REC_DRV, DG_TAG_ADR, "1200 LARIMER ST. APT 4, DENVER, CO 80204", 0);
    expect_rec(DG_REC_DRV, DG_TAG_RST, "B,F", 0);
    expect_rec(DG_REC_VEH, DG_TAG_OWN, "ACME RENTAL LLC", 0);
    expect_rec(DG_REC_VEH, DG_TAG_OAD, "PO BOX 12, MESA, AZ 85201", 0);
    expect_rec(DG_REC_VEH, DG_TAG_OAD, "", DG_EMSGEMPTY);
}

static void rule_leg(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    static const struct {
        const char *v;
        enum dg_leg kind;
        const char *num;
    } ok[] = {
        {"NO", DG_LEG_NONE, ""},
        {"JW 2026-CR-0412", DG_LEG_JUDICIAL_WARRANT, "2026-CR-0412"},
        {"CO 1", DG_LEG_COURT_ORDER, "1"},
        {"GJ GJ/2026/14", DG_LEG_GRAND_JURY_SUBPOENA, "GJ/2026/14"},
        {"AW I-200", DG_LEG_ADMIN_WARRANT, "I-200"},
        {"AS 2026-0093", DG_LEG_ADMIN_SUBPOENA, "2026-0093"},
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(ok); i++) {
        assert_int_equal(dg_msg_req_init(&r, DG_KEY_DQ, "AZ0070000", &e), 0);
        assert_int_equal(dg_msg_req_set(&r, DG_TAG_LEG, ok[i].v, &e), 0);
        assert_int_equal(r.leg, ok[i].kind);
        assert_string_equal(dg_msg_req_leg_number(&r), ok[i].num);
        assert_string_equal(r.leg_text, ok[i].v);
    }
    const char *no[] = {"JW", "JW ", "JW2026", "XX 1", "jw 1", "NO 1", "N", "JW 1 2", "AW 1.2"};
    for (size_t i = 0; i < DG_ARRAY_LEN(no); i++)
        expect_set(DG_KEY_DQ, DG_TAG_LEG, no[i], DG_EMSGLEG);
    /* no LEG at all: kind none, no number */
    assert_int_equal(req(HDR "OLN/D1.OLS/CO.PUR/C.ATN/X", &r, &e), 0);
    assert_int_equal(r.leg, DG_LEG_NONE);
    assert_string_equal(r.leg_text, "");
    assert_string_equal(dg_msg_req_leg_number(&r), "");
}

/* ---- whole requests ------------------------------------------------------------ */

static void request_summary(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    assert_int_equal(
        req(HDR "NAM/RIVERA,ANA.DOB/19850214.SEX/F.IMQ/Y.PUR/I.ATN/X.CAS/1.LEG/AW 9", &r, &e), 0);
    assert_int_equal(r.idents, DG_ID_NAM | DG_ID_SEX);
    assert_true(r.photo);
    assert_true(r.asked & DG_FIELD_PHOTO);
    assert_true(r.asked & DG_FIELD_LAWFUL_PRESENCE);
    assert_true(r.has_case);
    assert_int_equal(r.purpose, DG_PUR_IMMIGRATION);
    assert_int_equal(r.leg, DG_LEG_ADMIN_WARRANT);
    assert_true(r.tags & ((uint64_t)1 << DG_TAG_IMQ));

    assert_int_equal(req(HDR "OLN/D1.OLS/CO.IMQ/N.PUR/C.ATN/X", &r, &e), 0);
    assert_false(r.photo);
    assert_false(r.asked & DG_FIELD_PHOTO);

    assert_int_equal(req("IQ.AZ0070000.CO.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X", &r, &e), 0);
    assert_true(r.photo);
    assert_int_equal(r.asked, DG_FIELD_NAME | DG_FIELD_DOB | DG_FIELD_SEX | DG_FIELD_LICENSE |
                                  DG_FIELD_PHOTO);

    assert_int_equal(
        req("RQ.AZ0070000.CO.TXT\nLIC/ABC1.LIS/CO.LIT/PC.LIY/2027.PUR/T.ATN/X", &r, &e), 0);
    assert_int_equal(r.idents, DG_ID_LIC | DG_ID_LIT | DG_ID_LIY);
    assert_int_equal(r.asked, DG_FIELD_VEHICLES | DG_FIELD_OWNER);
    assert_false(r.photo);
    assert_int_equal(req("RQ.AZ0070000.CO.TXT\nVIN/1M8GDM9AXKP042788.PUR/T.ATN/X", &r, &e), 0);
    assert_int_equal(r.idents, DG_ID_VIN);
}

static void request_destinations(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    assert_int_equal(req("DQ.AZ0070000.CO,WI.CA.*REF9.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X", &r, &e), 0);
    assert_int_equal(r.ndest, 3);
    assert_string_equal(r.dest[2], "CA");
    assert_string_equal(r.ctl, "REF9");
    assert_true(dg_msg_req_is_for(&r, "WI"));
    assert_false(dg_msg_req_is_for(&r, "AZ"));
    assert_false(dg_msg_req_is_for(&r, "W"));
    assert_int_equal(req("DQ.AZ0070000.NL.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/X", &r, &e), 0);
    assert_true(dg_msg_req_is_for(&r, "AZ"));
    assert_true(dg_msg_req_is_for(&r, "GU"));

    /* built in code */
    assert_int_equal(dg_msg_req_init(&r, DG_KEY_DQ, "AZ0070000", &e), 0);
    assert_int_equal(dg_msg_req_add_dest(&r, "CO", &e), 0);
    assert_int_equal(dg_msg_req_add_dest(&r, "CO", &e), DG_EMSGDESTDUP);
    assert_int_equal(dg_msg_req_add_dest(&r, "NL", &e), DG_EMSGDESTDUP);
    assert_int_equal(dg_msg_req_add_dest(&r, "CO,WI", &e), DG_EMSGDEST);
    assert_int_equal(dg_msg_req_add_dest(&r, "XX", &e), DG_EMSGDEST);
    for (const char *const *s = (const char *const[]){"WI", "CA", "AZ", "NY", NULL}; *s; s++)
        assert_int_equal(dg_msg_req_add_dest(&r, *s, &e), 0);
    assert_int_equal(dg_msg_req_add_dest(&r, "TX", &e), DG_EMSGDESTMAX);
    assert_int_equal(r.ndest, 5);
    assert_int_equal(dg_msg_req_set_ctl(&r, "abc", &e), DG_EMSGCTL);
    assert_int_equal(dg_msg_req_set_ctl(&r, "ABC", &e), 0);
}

static void request_built_in_code(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    assert_int_equal(dg_msg_req_init(&r, DG_KEY_DR, "AZ0070000", &e), DG_EMSGKEYKIND);
    assert_int_equal(dg_msg_req_init(&r, DG_KEY_DQ, "AZ00700", &e), DG_EMSGORI);
    assert_int_equal(dg_msg_req_init(&r, DG_KEY_DQ, "AZ0070000", &e), 0);
    assert_int_equal(dg_msg_req_finish(&r, &e), DG_EMSGHEADER); /* no destination */
    assert_int_equal(dg_msg_req_add_dest(&r, "CO", &e), 0);
    assert_int_equal(dg_msg_req_finish(&r, &e), DG_EMSGMISSING);
    assert_string_equal(e.field, "OLN");
    assert_int_equal(dg_msg_req_set(&r, DG_TAG_OLN, "D12345678", &e), 0);
    assert_int_equal(dg_msg_req_set(&r, DG_TAG_OLN, "D12345678", &e), DG_EMSGDUPTAG);
    assert_int_equal(dg_msg_req_finish(&r, &e), DG_EMSGMISSING);
    assert_string_equal(e.field, "OLS");
    assert_int_equal(dg_msg_req_set(&r, DG_TAG_OLS, "CO", &e), 0);
    assert_int_equal(dg_msg_req_finish(&r, &e), DG_EMSGMISSING);
    assert_string_equal(e.field, "PUR");
    assert_int_equal(dg_msg_req_set(&r, DG_TAG_PUR, "C", &e), 0);
    assert_int_equal(dg_msg_req_finish(&r, &e), DG_EMSGMISSING);
    assert_string_equal(e.field, "ATN");
    assert_int_equal(dg_msg_req_set(&r, DG_TAG_ATN, "SGT R. LEE", &e), 0);
    assert_int_equal(dg_msg_req_set(&r, DG_TAG_MID, "1", &e), DG_EMSGTAGKEY);
    assert_int_equal(dg_msg_req_set(&r, DG_TAG__COUNT, "1", &e), DG_EMSGTAG);
    assert_int_equal(dg_msg_req_finish(&r, &e), 0);
    assert_int_equal(r.idents, DG_ID_OLN);

    struct dg_buf b;
    dg_buf_init(&b, 4096);
    assert_int_equal(dg_msg_req_to_text(&r, &b), 0);
    assert_string_equal(b.data, HDR "OLN/D12345678.OLS/CO.PUR/C.ATN/SGT R.. LEE");
    struct dg_msg_req back;
    assert_int_equal(dg_msg_req_parse_text(&back, b.data, b.len, &e), 0);
    assert_memory_equal(&back, &r, sizeof(r));
    dg_buf_reset(&b);
    assert_int_equal(dg_msg_req_to_json(&r, &b), 0);
    assert_string_equal(b.data,
                        "{\"key\":\"DQ\",\"ori\":\"AZ0070000\",\"dest\":[\"CO\"],\"fields\":{"
                        "\"OLN\":\"D12345678\",\"OLS\":\"CO\",\"PUR\":\"C\",\"ATN\":"
                        "\"SGT R. LEE\"}}");
    assert_int_equal(dg_msg_req_parse_json(&back, b.data, b.len, &e), 0);
    assert_memory_equal(&back, &r, sizeof(r));
    assert_int_equal(dg_msg_req_parse(&back, b.data, b.len, &e), 0);
    dg_buf_release(&b);
    /* identifying-field combinations */
    assert_int_equal(dg_msg_req_set(&r, DG_TAG_NAM, "RIVERA,ANA", &e), 0);
    assert_int_equal(dg_msg_req_finish(&r, &e), DG_EMSGIDENT);
}

static void request_getters(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    assert_int_equal(req(HDR "RSN/V.NAM/KIM,JIN.DOB/19700101.SEX/M.IMQ/Y.PUR/T.ATN/A B.CAS/C1."
                             "LEG/CO 7",
                         &r, &e),
                     0);
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_RSN), "V");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_NAM), "KIM,JIN");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_DOB), "19700101");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_SEX), "M");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_IMQ), "Y");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_PUR), "T");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_ATN), "A B");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_CAS), "C1");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_LEG), "CO 7");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_OLN), "");
    assert_string_equal(dg_msg_req_get(&r, DG_TAG_PHO), "");
    assert_string_equal(dg_msg_req_get(&r, (enum dg_msg_tag)999), "");
}

/* Parsing a text request allocates nothing: with every allocation failing
 * it still works. */
static void request_parse_allocates_nothing(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    dg_alloc_fail_at(1);
    int rc = req("DQ.AZ0070000.CO,WI.*R1.TXT\nNAM/RIVERA,ANA.DOB/021485.PUR/C.ATN/J.. R", &r, &e);
    int bad_rc = req(HDR "NAM/RIVERA ANA.DOB/021485.PUR/C.ATN/J", &r, &e);
    dg_alloc_fail_at(0);
    assert_int_equal(rc, 0);
    assert_int_equal(bad_rc, DG_EMSGNAME);
}

/* ---- tags, forms, errors ------------------------------------------------------- */

static void tags_and_forms(void **state)
{
    (void)state;
    for (int t = 0; t < DG_TAG__COUNT; t++) {
        const char *n = dg_msg_tag_name((enum dg_msg_tag)t);
        assert_int_equal(strlen(n), 3);
        assert_int_equal(dg_msg_tag_parse(n, 3), t);
    }
    assert_int_equal(dg_msg_tag_parse("XYZ", 3), DG_EMSGTAG);
    assert_int_equal(dg_msg_tag_parse("oln", 3), DG_EMSGTAG);
    assert_int_equal(dg_msg_tag_parse("OLNX", 4), DG_EMSGTAG);
    assert_string_equal(dg_msg_tag_name(DG_TAG__COUNT), "?");
    assert_int_equal(dg_msg_tag_field(DG_TAG_LPF), DG_FIELD_LAWFUL_PRESENCE);
    assert_int_equal(dg_msg_tag_field(DG_TAG_PHO), DG_FIELD_PHOTO);
    assert_int_equal(dg_msg_tag_field(DG_TAG_OAD), DG_FIELD_OWNER);
    assert_int_equal(dg_msg_tag_field(DG_TAG_ADR), DG_FIELD_ADDRESS);
    assert_int_equal(dg_msg_tag_field(DG_TAG_PUR), 0);
    assert_int_equal(dg_msg_sniff("  \n{\"key\"", 9), DG_MSG_JSON);
    assert_int_equal(dg_msg_sniff("DQ.", 3), DG_MSG_TEXT);
    assert_int_equal(dg_msg_sniff("", 0), DG_MSG_TEXT);
    assert_int_equal(dg_msg_status_parse("HELD", 4), DG_STS_HELD);
    assert_int_equal(dg_msg_status_parse("held", 4), DG_EMSGVALUE);
    assert_string_equal(dg_msg_status_name(DG_STS_DENIED), "DENIED");
    /* every msg error code is in 300-399 and has a name */
    assert_int_equal(DG_EMSG, -300);
    assert_int_equal(DG_EMSGSTATUS, -336);
    assert_string_equal(dg_errname(DG_EMSGDATE), "EMSGDATE");

    struct dg_error e;
    struct dg_buf b;
    dg_buf_init(&b, 1024);
    dg_error_set(&e, DG_EMSGDATE, "DOB", 37, "the date of birth is in the future");
    assert_int_equal(dg_msg_error_line(&e, &b), 0);
    assert_string_equal(b.data,
                        "EMSGDATE: field DOB at offset 37: the date of birth is in the future");
    dg_buf_reset(&b);
    dg_error_set(&e, DG_EMSGJSON, "", 4, "malformed JSON near offset 4");
    dg_msg_error_line(&e, &b);
    assert_string_equal(b.data, "EMSGJSON: at offset 4: malformed JSON near offset 4");
    dg_buf_reset(&b);
    dg_error_set(&e, DG_EMSGJSONTYPE, "OLN", -1, "OLN must be a JSON string");
    dg_msg_error_line(&e, &b);
    assert_string_equal(b.data, "EMSGJSONTYPE: field OLN: OLN must be a JSON string");
    dg_buf_release(&b);
}

/* ---- responses ------------------------------------------------------------------ */

static char *resp_text(const struct dg_msg_resp *r)
{
    struct dg_buf b;
    struct dg_error e;
    dg_buf_init(&b, DG_MSG_MAX);
    int rc = dg_msg_resp_to_text(r, &b, &e);
    if (rc)
        fail_msg("to_text: %s", e.msg);
    return dg_buf_detach(&b, NULL);
}

static void response_builder(void **state)
{
    (void)state;
    struct dg_msg_req q;
    struct dg_msg_resp *r;
    struct dg_error e;
    assert_int_equal(
        req("DQ.AZ0070000.CO.*R42.TXT\nNAM/RIVERA,ANA.DOB/19850214.PUR/C.ATN/X", &q, &e), 0);
    assert_int_equal(dg_msg_resp_begin_for(&r, &q, "CO", "01J7", DG_STS_FOUND, &e), 0);
    assert_int_equal(dg_msg_resp_key(r), DG_KEY_DR);
    assert_string_equal(dg_msg_resp_ctl(r), "R42");
    /* FOUND without a record is incomplete */
    assert_int_equal(dg_msg_resp_check(r, &e), DG_EMSGRECORD);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_NAM, "RIVERA,ANA", &e), DG_EMSGRECORD);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(dg_msg_resp_add_record(r, DG_REC_DRV, &e), 0);
        assert_int_equal(
            dg_msg_resp_add_field(r, DG_TAG_NAM, i ? "RIVERA,ANA M" : "RIVERA,ANA", &e), 0);
        assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_DOB, "19850214", &e), 0);
        assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_ADR, "1 MAIN ST. DENVER", &e), 0);
        assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_LPF, "N", &e), 0);
    }
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_DOB, "19850214", &e), DG_EMSGDUPTAG);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_VIN, "1M8GDM9AXKP042788", &e), DG_EMSGTAGKEY);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_ERC, "300", &e), DG_EMSGTAGKEY);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_PUR, "C", &e), DG_EMSGTAGKEY);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_REC, "DRV", &e), DG_EMSGTAG);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_PHO, "QUJD", &e), 0);
    assert_int_equal(dg_msg_resp_check(r, &e), DG_EMSGMISSING);
    assert_string_equal(e.field, "PMT");
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_PMT, "image/jpeg", &e), 0);
    assert_int_equal(dg_msg_resp_add_record(r, DG_REC_VEH, &e), 0);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_LIC, "ABC123", &e), 0);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_OWN, "RIVERA,ANA", &e), 0);
    assert_int_equal(dg_msg_resp_nrecords(r), 3);
    assert_int_equal(dg_msg_resp_record_kind(r, 2), DG_REC_VEH);
    assert_int_equal(dg_msg_resp_record_kind(r, 3), -1);
    assert_string_equal(dg_msg_resp_get(r, 1, DG_TAG_NAM), "RIVERA,ANA M");
    assert_string_equal(dg_msg_resp_get(r, 1, DG_TAG_REC), "DRV");
    assert_string_equal(dg_msg_resp_get(r, -1, DG_TAG_MID), "01J7");
    assert_null(dg_msg_resp_get(r, 0, DG_TAG_SEX));
    assert_null(dg_msg_resp_get(r, 7, DG_TAG_NAM));

    char *t = resp_text(r);
    assert_string_equal(t, "DR.AZ0070000.CO.*R42.TXT\nMID/01J7.STS/FOUND.\n"
                           "REC/DRV.NAM/RIVERA,ANA.DOB/19850214.ADR/1 MAIN ST.. DENVER.LPF/N.\n"
                           "REC/DRV.NAM/RIVERA,ANA M.DOB/19850214.ADR/1 MAIN ST.. DENVER.LPF/N."
                           "PHO/QUJD.PMT/image/jpeg.\n"
                           "REC/VEH.LIC/ABC123.OWN/RIVERA,ANA");
    /* it parses back to the same thing */
    struct dg_msg_resp *back;
    assert_int_equal(dg_msg_resp_parse_text(&back, t, strlen(t), &e), 0);
    char *t2 = resp_text(back);
    assert_string_equal(t, t2);
    assert_int_equal(dg_msg_resp_status(back), DG_STS_FOUND);
    assert_string_equal(dg_msg_resp_ori(back), "AZ0070000");
    assert_string_equal(dg_msg_resp_src(back), "CO");
    dg_free(t2);
    dg_msg_resp_free(back);
    dg_free(t);

    /* redaction drops the fields of a category, now and later, without a trace */
    dg_msg_resp_redact(r, DG_FIELD_ADDRESS | DG_FIELD_LAWFUL_PRESENCE | DG_FIELD_PHOTO);
    assert_null(dg_msg_resp_get(r, 0, DG_TAG_ADR));
    assert_null(dg_msg_resp_get(r, 1, DG_TAG_PHO));
    assert_int_equal(dg_msg_resp_add_record(r, DG_REC_DRV, &e), 0);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_ADR, "2 MAIN ST", &e), 0);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_ADR, "not checked twice", &e), 0);
    assert_int_equal(dg_msg_resp_add_field(r, DG_TAG_NAM, "KIM,JIN", &e), 0);
    assert_null(dg_msg_resp_get(r, 3, DG_TAG_ADR));
    t = resp_text(r);
    assert_null(strstr(t, "ADR/"));
    assert_null(strstr(t, "LPF/"));
    assert_null(strstr(t, "PHO/"));
    assert_non_null(strstr(t, "REC/DRV.NAM/KIM,JIN"));
    dg_free(t);
    dg_msg_resp_free(r);
}

static void response_errors_and_refusals(void **state)
{
    (void)state;
    struct dg_msg_req q;
    struct dg_msg_resp *r;
    struct dg_error e, pe;
    /* a validation error becomes an ER with code, field, offset, sentence */
    assert_int_equal(req(HDR "NAM/RIVERA,ANA.DOB/21500101.PUR/C.ATN/X", &q, &pe), DG_EMSGDATE);
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_ER, "AZ0070000", "CO", "M-1", DG_STS_INVALID, &e),
                     0);
    assert_int_equal(dg_msg_resp_set_error_from(r, &pe, &e), 0);
    assert_int_equal(dg_msg_resp_add_record(r, DG_REC_DRV, &e), DG_EMSGRECORD);
    char *t = resp_text(r);
    char want[512];
    snprintf(want, sizeof(want),
             "ER.AZ0070000.CO.TXT\nMID/M-1.STS/INVALID.ERC/316.ERF/DOB.ERO/39.ERT/%s", pe.msg);
    assert_string_equal(t, want);
    dg_free(t);
    dg_msg_resp_free(r);

    /* a refusal names its rule */
    assert_int_equal(req(HDR "OLN/D1.OLS/CO.PUR/I.ATN/X", &q, &e), 0);
    assert_int_equal(dg_msg_resp_begin_for(&r, &q, "CO", "M-2", DG_STS_DENIED, &e), 0);
    assert_int_equal(dg_msg_resp_key(r), DG_KEY_ER);
    assert_int_equal(dg_msg_resp_set_error(r, DG_EPOLICY, NULL, -1,
                                           "civil immigration enforcement (C.R.S. 24-74-103)", &e),
                     0);
    assert_int_equal(dg_msg_resp_check(r, &e), DG_EMSGMISSING);
    assert_string_equal(e.field, "RUL");
    assert_int_equal(dg_msg_resp_set_rule(r, "deny, line 2", &e), 0);
    t = resp_text(r);
    assert_string_equal(t, "ER.AZ0070000.CO.TXT\nMID/M-2.STS/DENIED.ERC/400.ERT/civil immigration "
                           "enforcement (C..R..S.. 24-74-103).RUL/deny, line 2");
    dg_free(t);
    dg_msg_resp_free(r);

    /* what begin refuses */
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_DQ, "AZ0070000", "CO", "1", DG_STS_FOUND, &e),
                     DG_EMSGKEYKIND);
    assert_null(r);
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_DR, "AZ0070000", "CO", "1", DG_STS_DENIED, &e),
                     DG_EMSGSTATUS);
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_ER, "AZ0070000", "CO", "1", DG_STS_HELD, &e),
                     DG_EMSGSTATUS);
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_DR, "AZ0070000", "XX", "1", DG_STS_HELD, &e),
                     DG_EMSGDEST);
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_DR, "AZ0070000", "CO", "a.b", DG_STS_HELD, &e),
                     DG_EMSGVALUE);
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_DR, "ZZ0070000", "NL", "1", DG_STS_HELD, &e),
                     DG_EMSGORI);
    /* an ER needs ERC and ERT; error detail belongs only in an ER */
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_ER, "AZ0070000", "NL", "1", DG_STS_FAILED, &e),
                     0);
    assert_int_equal(dg_msg_resp_check(r, &e), DG_EMSGMISSING);
    assert_string_equal(e.field, "ERC");
    assert_int_equal(dg_msg_resp_set_rule(r, "x", &e), 0);
    assert_int_equal(dg_msg_resp_set_error(r, DG_EHUB, NULL, -1, "WI did not answer", &e), 0);
    assert_int_equal(dg_msg_resp_check(r, &e), DG_EMSGTAGKEY); /* RUL on FAILED */
    dg_msg_resp_free(r);
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_DR, "AZ0070000", "CO", "1", DG_STS_HELD, &e), 0);
    assert_int_equal(dg_msg_resp_set_error(r, DG_EMSG, NULL, -1, "x", &e), DG_EMSGTAGKEY);
    assert_int_equal(dg_msg_resp_add_record(r, DG_REC_DRV, &e), 0);
    assert_int_equal(dg_msg_resp_check(r, &e), DG_EMSGRECORD); /* HELD carries none */
    dg_msg_resp_free(r);
    /* record kinds per key, and the record limit */
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_IR, "AZ0070000", "CO", "1", DG_STS_FOUND, &e), 0);
    assert_int_equal(dg_msg_resp_add_record(r, DG_REC_VEH, &e), DG_EMSGRECORD);
    for (int i = 0; i < DG_MSG_MAX_RECORDS; i++)
        assert_int_equal(dg_msg_resp_add_record(r, DG_REC_DRV, &e), 0);
    assert_int_equal(dg_msg_resp_add_record(r, DG_REC_DRV, &e), DG_EMSGRECORD);
    dg_msg_resp_free(r);
    dg_msg_resp_free(NULL);
}

/* Every allocation of the builder, the writers and the response parser can
 * fail: the result is DG_ENOMEM (never a crash, never a leak, which ASan
 * checks). */
static int build_and_parse(void)
{
    struct dg_msg_resp *r = NULL, *back = NULL;
    struct dg_error e;
    struct dg_buf b;
    dg_buf_init(&b, DG_MSG_MAX);
    int rc = dg_msg_resp_begin(&r, DG_KEY_DR, "AZ0070000", "CO", "1", DG_STS_FOUND, &e);
    if (rc == 0)
        rc = dg_msg_resp_add_record(r, DG_REC_DRV, &e);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_NAM, "RIVERA,ANA", &e);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_ADR, "1 MAIN ST. DENVER", &e);
    if (rc == 0)
        rc = dg_msg_resp_to_text(r, &b, &e);
    if (rc == 0)
        rc = dg_msg_resp_parse_text(&back, b.data, b.len, &e);
    dg_msg_resp_free(r);
    dg_msg_resp_free(back);
    dg_buf_release(&b);
    return rc;
}

static void response_allocation_failures(void **state)
{
    (void)state;
    dg_alloc_fail_at(ULONG_MAX);
    assert_int_equal(build_and_parse(), 0);
    unsigned long n = dg_alloc_fail_at(0);
    assert_true(n > 3);
    for (unsigned long i = 1; i <= n; i++) {
        dg_alloc_fail_at(i);
        int rc = build_and_parse();
        dg_alloc_fail_at(0);
        if (rc != DG_ENOMEM)
            fail_msg("allocation %lu of %lu failing gave %s", i, n, dg_errname(rc));
    }
}

/* ---- JSON ---------------------------------------------------------------------- */

static void json_forms(void **state)
{
    (void)state;
    struct dg_msg_req r;
    struct dg_error e;
    const char *j = "{\"fields\":{\"ATN\":\"J. R\",\"PUR\":\"C\",\"OLS\":\"CO\",\"OLN\":\"D1\"},"
                    "\"dest\":[\"CO\",\"WI\"],\"ctl\":\"C1\",\"ori\":\"AZ0070000\",\"key\":\"DQ\"}";
    assert_int_equal(dg_msg_req_parse_json(&r, j, strlen(j), &e), 0);
    assert_string_equal(r.atn, "J. R");
    assert_int_equal(r.ndest, 2);
    assert_string_equal(r.ctl, "C1");
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    dg_msg_req_to_text(&r, &b);
    assert_string_equal(b.data, "DQ.AZ0070000.CO,WI.*C1.TXT\nOLN/D1.OLS/CO.PUR/C.ATN/J.. R");
    dg_buf_release(&b);
    /* not NUL-terminated: only n bytes are read */
    char buf[512];
    memcpy(buf, j, strlen(j));
    memset(buf + strlen(j), 'x', sizeof(buf) - strlen(j));
    assert_int_equal(dg_msg_req_parse_json(&r, buf, strlen(j), &e), 0);
    /* a response given to the request parser */
    const char *dr = "{\"key\":\"DR\",\"ori\":\"AZ0070000\",\"src\":\"CO\",\"fields\":{}}";
    assert_int_equal(dg_msg_req_parse_json(&r, dr, strlen(dr), &e), DG_EMSGKEYKIND);
    struct dg_msg_resp *resp;
    assert_int_equal(dg_msg_resp_parse_json(&resp, j, strlen(j), &e), DG_EMSGKEYKIND);
    assert_null(resp);
    /* size limit */
    char big[DG_MSG_REQ_JSON_MAX + 2];
    memset(big, ' ', sizeof(big));
    big[0] = '{';
    assert_int_equal(dg_msg_req_parse_json(&r, big, sizeof(big), &e), DG_EMSGTOOLONG);
    assert_int_equal(dg_msg_req_parse(&r, j, strlen(j), &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_request_basic),
        cmocka_unit_test(text_request_errors),
        cmocka_unit_test(rule_oln),
        cmocka_unit_test(rule_states),
        cmocka_unit_test(rule_plate),
        cmocka_unit_test(rule_vin),
        cmocka_unit_test(rule_name),
        cmocka_unit_test(rule_dates),
        cmocka_unit_test(rule_codes),
        cmocka_unit_test(rule_text_fields),
        cmocka_unit_test(rule_leg),
        cmocka_unit_test(request_summary),
        cmocka_unit_test(request_destinations),
        cmocka_unit_test(request_built_in_code),
        cmocka_unit_test(request_getters),
        cmocka_unit_test(request_parse_allocates_nothing),
        cmocka_unit_test(tags_and_forms),
        cmocka_unit_test(response_builder),
        cmocka_unit_test(response_errors_and_refusals),
        cmocka_unit_test(response_allocation_failures),
        cmocka_unit_test(json_forms),
    };
    (void)good;
    return cmocka_run_group_tests(tests, setup, teardown);
}
