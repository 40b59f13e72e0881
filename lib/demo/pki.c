/*
 * pki.c - the demo's throwaway certificate authority (include/dmvgate/demo.h),
 * with OpenSSL 3: an EC P-256 CA that issues the nodes' and the hub's server
 * certificate, a client certificate per agency (CN = its ORI, which is where
 * the hub and the nodes read who is asking), the hub's own client
 * certificate, and a PKCS#12 bundle a browser can import. Everything lives
 * for the demo only: nothing is reused, nothing is checked in.
 */
#include <dmvgate/demo.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct dg_pki {
    EVP_PKEY *key;
    X509 *cert;
    int days;
};

static int ossl_error(struct dg_error *err, const char *what)
{
    char detail[160] = "";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, detail, sizeof(detail));
    ERR_clear_error();
    return dg_error_set(err, DG_ETLS, NULL, -1, "cannot %s%s%s", what, detail[0] ? ": " : "",
                        detail);
}

static EVP_PKEY *new_key(void)
{
    return EVP_EC_gen("P-256");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* A certificate for key with subject CN=cn, signed by (issuer_cert,
 * issuer_key); issuer_cert NULL makes it self-signed. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer_cert, EVP_PKEY *issuer_key,
                       int days)
{
    X509 *c = X509_new();
    if (!c)
        return NULL;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    ASN1_INTEGER *sn = NULL;
    X509_NAME *name = X509_NAME_new();
    bool ok = name && RAND_bytes(serial, sizeof(serial)) == 1;
    if (ok) {
        serial[0] &= 0x7f; /* positive */
        ok = (bn = BN_bin2bn(serial, sizeof(serial), NULL)) &&
             (sn = BN_to_ASN1_INTEGER(bn, NULL)) && X509_set_version(c, 2) &&
             X509_set_serialNumber(c, sn) && X509_gmtime_adj(X509_getm_notBefore(c), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(c), (long)days * 86400) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                        0) &&
             X509_set_subject_name(c, name) &&
             X509_set_issuer_name(c, issuer_cert ? X509_get_subject_name(issuer_cert) : name) &&
             X509_set_pubkey(c, key);
    }
    if (ok && !issuer_cert)
        ok = add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
             add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") == 0 &&
             add_ext(c, c, NID_subject_key_identifier, "hash") == 0;
    if (ok && issuer_cert)
        ok = add_ext(c, issuer_cert, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
             add_ext(c, issuer_cert, NID_key_usage, "critical,digitalSignature") == 0 &&
             add_ext(c, issuer_cert, NID_authority_key_identifier, "keyid") == 0;
    if (ok)
        ok = X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    BN_free(bn);
    ASN1_INTEGER_free(sn);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(c);
        return NULL;
    }
    return c;
}

int dg_pki_new(struct dg_pki **out, const char *cn, int days, struct dg_error *err)
{
    struct dg_pki *p = dg_calloc(1, sizeof(*p));
    if (!p)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    p->days = days;
    if (!(p->key = new_key()) || !(p->cert = make_cert(p->key, cn, NULL, NULL, days))) {
        dg_pki_free(p);
        return ossl_error(err, "make the demo CA");
    }
    *out = p;
    return 0;
}

void dg_pki_free(struct dg_pki *p)
{
    if (!p)
        return;
    EVP_PKEY_free(p->key);
    X509_free(p->cert);
    dg_free(p);
}

static FILE *open_out(const char *path, int mode, struct dg_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        dg_error_set(err, DG_EIO, NULL, -1, "cannot write '%s'", path);
    }
    return f;
}

static int write_cert(X509 *c, const char *path, struct dg_error *err)
{
    FILE *f = open_out(path, 0644, err);
    if (!f)
        return DG_EIO;
    bool ok = PEM_write_X509(f, c) == 1;
    if (fclose(f) != 0 || !ok)
        return dg_error_set(err, DG_EIO, NULL, -1, "cannot write '%s'", path);
    return 0;
}

int dg_pki_write_ca(const struct dg_pki *p, const char *path, struct dg_error *err)
{
    return write_cert(p->cert, path, err);
}

/* A new key and a certificate for cn with the extensions of its use. */
static int issue(struct dg_pki *p, const char *cn, enum dg_pki_use use, EVP_PKEY **key_out,
                 X509 **cert_out, struct dg_error *err)
{
    EVP_PKEY *key = new_key();
    X509 *c = key ? make_cert(key, cn, p->cert, p->key, p->days) : NULL;
    bool ok = c != NULL;
    if (ok && use == DG_PKI_SERVER)
        ok = add_ext(c, p->cert, NID_ext_key_usage, "serverAuth") == 0 &&
             add_ext(c, p->cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") == 0;
    else if (ok)
        ok = add_ext(c, p->cert, NID_ext_key_usage, "clientAuth") == 0;
    /* The extensions were added after make_cert signed: sign again. */
    if (ok)
        ok = X509_sign(c, p->key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(c);
        EVP_PKEY_free(key);
        return ossl_error(err, "issue a demo certificate");
    }
    *key_out = key;
    *cert_out = c;
    return 0;
}

int dg_pki_issue(struct dg_pki *p, const char *cn, enum dg_pki_use use, const char *cert_path,
                 const char *key_path, struct dg_error *err)
{
    EVP_PKEY *key;
    X509 *c;
    int rc = issue(p, cn, use, &key, &c, err);
    if (rc != 0)
        return rc;
    rc = write_cert(c, cert_path, err);
    if (rc == 0) {
        FILE *f = open_out(key_path, 0600, err);
        if (!f) {
            rc = DG_EIO;
        } else {
            bool ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
            if (fclose(f) != 0 || !ok)
                rc = dg_error_set(err, DG_EIO, NULL, -1, "cannot write '%s'", key_path);
        }
    }
    X509_free(c);
    EVP_PKEY_free(key);
    return rc;
}

int dg_pki_issue_p12(struct dg_pki *p, const char *cn, const char *password, const char *path,
                     struct dg_error *err)
{
    EVP_PKEY *key;
    X509 *c;
    int rc = issue(p, cn, DG_PKI_CLIENT, &key, &c, err);
    if (rc != 0)
        return rc;
    STACK_OF(X509) *ca = sk_X509_new_null();
    PKCS12 *p12 = NULL;
    if (ca && sk_X509_push(ca, p->cert))
        p12 = PKCS12_create(password, cn, key, c, ca, 0, 0, 0, 0, 0);
    if (!p12) {
        rc = ossl_error(err, "make the browser's PKCS#12 file");
    } else {
        FILE *f = open_out(path, 0600, err);
        if (!f) {
            rc = DG_EIO;
        } else {
            bool ok = i2d_PKCS12_fp(f, p12) == 1;
            if (fclose(f) != 0 || !ok)
                rc = dg_error_set(err, DG_EIO, NULL, -1, "cannot write '%s'", path);
        }
    }
    PKCS12_free(p12);
    sk_X509_free(ca); /* p->cert stays the CA's */
    X509_free(c);
    EVP_PKEY_free(key);
    return rc;
}
