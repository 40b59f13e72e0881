/*
 * test_demo.c - unit tests for lib/demo: the traffic mix (shares that add up,
 * HSI and unrecorded agencies in the proportions of the public figures,
 * photos and multi-state queries, every query valid), the keys taken from the
 * generator, and the throwaway CA (certificates that verify, with the CN and
 * the uses dmvgate relies on).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/demo.h>
#include <dmvgate/msg.h>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void mix_adds_up_to_the_figures(void **state)
{
    (void)state;
    unsigned long total = 0;
    for (int k = 0; k < DG_TK__COUNT; k++) {
        assert_int_equal(dg_traffic_mix[k].kind, k);
        total += dg_traffic_mix[k].per_million;
    }
    assert_int_equal(total, 1000000);
    /* 600,000 of 290 million and 290,000 of 290 million */
    assert_int_equal(dg_traffic_mix[DG_TK_HSI].per_million, 2069);
    assert_int_equal(dg_traffic_mix[DG_TK_UNSPECIFIED].per_million, 1000);
    /* local agencies ask most */
    assert_true(dg_traffic_mix[DG_TK_MUNICIPAL].per_million > 500000);
}

static void kinds_of_agencies(void **state)
{
    (void)state;
    struct dg_agency a = {.level = DG_LEVEL_FEDERAL, .category = DG_CAT_FEDERAL_LE};
    strcpy(a.component, "HSI");
    assert_int_equal(dg_traffic_kind_of(&a), DG_TK_HSI);
    strcpy(a.component, "ICE-ERO");
    assert_int_equal(dg_traffic_kind_of(&a), DG_TK_ICE_ERO);
    strcpy(a.component, "FBI");
    assert_int_equal(dg_traffic_kind_of(&a), DG_TK_FEDERAL);
    struct dg_agency l = {.level = DG_LEVEL_LOCAL, .category = DG_CAT_SHERIFF};
    assert_int_equal(dg_traffic_kind_of(&l), DG_TK_SHERIFF);
    l.category = DG_CAT_COURT;
    assert_int_equal(dg_traffic_kind_of(&l), DG_TK_OTHER_LOCAL);
    l.category = DG_CAT_UNSPECIFIED;
    assert_int_equal(dg_traffic_kind_of(&l), DG_TK_UNSPECIFIED);
}

static void query_mix_follows_the_shares(void **state)
{
    (void)state;
    static const char *const states[] = {"AZ", "CA", "CO", "WI"};
    struct dg_traffic_keys keys[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(dg_traffic_keys_make(&keys[i], states[i], 1, 50, NULL), 0);
    assert_int_equal(keys[0].n, 50);
    assert_true(keys[2].k[0].oln[0] && keys[2].k[0].nam[0] && strlen(keys[2].k[0].dob) == 8);
    /* one agency of every kind, in CO */
    struct dg_traffic_agency ag[DG_TK__COUNT];
    memset(ag, 0, sizeof(ag));
    for (int k = 0; k < DG_TK__COUNT; k++) {
        snprintf(ag[k].a.ori, sizeof(ag[k].a.ori), "CO00%d0000", k);
        strcpy(ag[k].a.state, "CO");
        ag[k].kind = k;
    }
    struct dg_traffic_options o = {
        .agencies = ag, .nagencies = DG_TK__COUNT, .keys = keys, .nstates = 4};
    uint64_t rng = 7, by_kind[DG_TK__COUNT] = {0}, photos = 0, multi = 0, to_ca = 0;
    const int n = 400000;
    for (int i = 0; i < n; i++) {
        struct dg_msg_req r;
        int who = -1;
        assert_int_equal(dg_traffic_make_query(&o, &rng, &r, &who), 0);
        by_kind[ag[who].kind]++;
        photos += r.photo;
        multi += r.ndest > 1;
        to_ca += strcmp(r.dest[0], "CA") == 0;
        assert_string_equal(r.ori, ag[who].a.ori);
    }
    /* HSI 0.2069%: 828 expected of 400,000; a 20% band is far past chance */
    assert_in_range(by_kind[DG_TK_HSI], 662, 993);
    assert_in_range(by_kind[DG_TK_UNSPECIFIED], 320, 480);
    assert_in_range(by_kind[DG_TK_ICE_ERO], 320, 480);
    assert_true(by_kind[DG_TK_MUNICIPAL] > by_kind[DG_TK_SHERIFF]);
    assert_true(by_kind[DG_TK_SHERIFF] > by_kind[DG_TK_FEDERAL]);
    /* some photos (about 5%), some multi-state (about 5%), CA asked most */
    assert_in_range(photos, n / 40, n / 10);
    assert_in_range(multi, n / 40, n / 10);
    assert_true(to_ca > (uint64_t)n / 2);
    for (int i = 0; i < 4; i++)
        dg_traffic_keys_release(&keys[i]);
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    X509 *c = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(c);
    return c;
}

static void pki_issues_certificates_that_verify(void **state)
{
    (void)state;
    char dir[] = "/tmp/dg-test-pki.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ca_path[256], cert[256], key[256], p12[256];
    snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", dir);
    snprintf(cert, sizeof(cert), "%s/CO0010000.pem", dir);
    snprintf(key, sizeof(key), "%s/CO0010000.key", dir);
    snprintf(p12, sizeof(p12), "%s/browser.p12", dir);
    struct dg_pki *p = NULL;
    assert_int_equal(dg_pki_new(&p, "test CA", 1, NULL), 0);
    assert_int_equal(dg_pki_write_ca(p, ca_path, NULL), 0);
    assert_int_equal(dg_pki_issue(p, "CO0010000", DG_PKI_CLIENT, cert, key, NULL), 0);
    assert_int_equal(dg_pki_issue_p12(p, "browser", "secret-pw", p12, NULL), 0);
    struct dg_error e;
    assert_int_equal(
        dg_pki_issue(p, "x", DG_PKI_SERVER, "/nonexistent/dir/x.pem", "/nonexistent/dir/x.key", &e),
        DG_EIO);
    dg_pki_free(p);

    X509 *ca = load_cert(ca_path), *c = load_cert(cert);
    X509_STORE *st = X509_STORE_new();
    X509_STORE_add_cert(st, ca);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, st, c, NULL);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
    assert_int_equal(X509_verify_cert(ctx), 1);
    char cn[64];
    X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof(cn));
    assert_string_equal(cn, "CO0010000");
    /* a client certificate is not a server's */
    X509_STORE_CTX_cleanup(ctx);
    X509_STORE_CTX_init(ctx, st, c, NULL);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    assert_int_not_equal(X509_verify_cert(ctx), 1);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(st);
    X509_free(ca);
    X509_free(c);

    /* the key file is private, the PKCS#12 opens with its password */
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    FILE *f = fopen(p12, "rb");
    assert_non_null(f);
    PKCS12 *pk = d2i_PKCS12_fp(f, NULL);
    fclose(f);
    assert_non_null(pk);
    assert_int_equal(PKCS12_verify_mac(pk, "secret-pw", -1), 1);
    assert_int_equal(PKCS12_verify_mac(pk, "wrong", -1), 0);
    PKCS12_free(pk);
    unlink(ca_path);
    unlink(cert);
    unlink(key);
    unlink(p12);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mix_adds_up_to_the_figures),
        cmocka_unit_test(kinds_of_agencies),
        cmocka_unit_test(query_mix_follows_the_shares),
        cmocka_unit_test(pki_issues_certificates_that_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
