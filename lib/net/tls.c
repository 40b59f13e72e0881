/*
 * tls.c - TLS for lib/net: the OpenSSL 3 server context (client certificates
 * required, checked against the client CA and, when given, its CRL), the
 * per-connection object, and who a connection's certificate says it is.
 *
 * A connection object (struct dg__conn) is made for every accepted connection
 * by the bufferevent callback and hangs off the SSL object as ex_data, so that
 * OpenSSL's ex_data free hook tells us exactly when the connection is gone:
 * that is how a loop counts its open connections against its share of
 * max_connections. In development mode there is no SSL object; a pass-through
 * filter bufferevent carries the connection object and its free hook instead.
 */
#include "net_internal.h"

#include <dmvgate/vocab.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <string.h>

static int conn_idx = -1;
static pthread_once_t conn_idx_once = PTHREAD_ONCE_INIT;

bool dg_net_ori_valid(const char *s, size_t n)
{
    if (!s || n != 9 || dg_state_index(s, 2) < 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static void conn_gone(struct dg__conn *c)
{
    struct dg__loop *l = c->loop;
    if (c->deadline)
        event_free(c->deadline);
    if (!l->srv->ssl) {
        if (c->prev)
            c->prev->next = c->next;
        else if (l->plain == c)
            l->plain = c->next;
        if (c->next)
            c->next->prev = c->prev;
    }
    if (c->refusal[0]) {
        DG__BUMP(l->st_tls_failures);
        /* The CN of an agency certificate is its ORI: not personal data. */
        dg_log(DG_LOG_WARN, "tls_refused", "reason", c->refusal, "cn", c->cn[0] ? c->cn : "-",
               NULL);
    }
    dg_free(c);
    dg__loop_conn_closed(l);
}

static void conn_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                         void *argp)
{
    (void)parent;
    (void)ad;
    (void)idx;
    (void)argl;
    (void)argp;
    if (ptr)
        conn_gone(ptr);
}

static void make_conn_idx(void)
{
    conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_ex_free);
}

static struct dg__conn *conn_of_ssl(const SSL *ssl)
{
    return ssl ? SSL_get_ex_data(ssl, conn_idx) : NULL;
}

/* Copy the single subject CN of cert into out; "" when it has none, several,
 * or one that is not short printable ASCII. */
static void subject_cn(X509 *cert, char *out, size_t outlen)
{
    out[0] = '\0';
    X509_NAME *name = cert ? X509_get_subject_name(cert) : NULL;
    if (!name)
        return;
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (i < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0)
        return;
    const ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    int n = ASN1_STRING_length(d);
    const unsigned char *p = ASN1_STRING_get0_data(d);
    if (n <= 0 || (size_t)n >= outlen)
        return;
    for (int k = 0; k < n; k++)
        if (p[k] < 0x20 || p[k] >= 0x7f)
            return;
    memcpy(out, p, (size_t)n);
    out[n] = '\0';
}

/* Record why a certificate was refused (for the log line when the connection
 * goes); OpenSSL's own verdict stands. */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct dg__conn *c = conn_of_ssl(ssl);
    if (c && X509_STORE_CTX_get_error_depth(x) == 0 && !c->cn[0])
        subject_cn(X509_STORE_CTX_get_current_cert(x), c->cn, sizeof(c->cn));
    if (!ok && c && !c->refusal[0])
        snprintf(c->refusal, sizeof(c->refusal), "%s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
    return ok;
}

/* A fatal alert sent during the handshake says why it failed when the
 * certificate check did not (no certificate at all, protocol mismatch). */
static void info_cb(const SSL *ssl, int where, int ret)
{
    if (!(where & SSL_CB_WRITE_ALERT) || SSL_is_init_finished(ssl))
        return;
    struct dg__conn *c = conn_of_ssl(ssl);
    if (c && !c->refusal[0] && (ret >> 8) == SSL3_AL_FATAL)
        snprintf(c->refusal, sizeof(c->refusal), "%s",
                 (ret & 0xff) == TLS13_AD_CERTIFICATE_REQUIRED ? "certificate required"
                                                               : SSL_alert_desc_string_long(ret));
}

static int tls_fail(struct dg_error *err, const char *what, const char *path)
{
    char ossl[160] = "";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, ossl, sizeof(ossl));
    ERR_clear_error();
    return dg_error_set(err, DG_ETLS, what, -1, "cannot load %s '%s'%s%s", what, path,
                        ossl[0] ? ": " : "", ossl);
}

/* Add every CRL in a PEM file to store. Returns the count, or -1. */
static int load_crls(X509_STORE *store, const char *path)
{
    BIO *b = BIO_new_file(path, "r");
    if (!b)
        return -1;
    int n = 0;
    X509_CRL *crl;
    while ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL))) {
        if (X509_STORE_add_crl(store, crl) != 1) {
            X509_CRL_free(crl);
            BIO_free(b);
            return -1;
        }
        X509_CRL_free(crl);
        n++;
    }
    BIO_free(b);
    ERR_clear_error(); /* the read that ended the loop */
    return n > 0 ? n : -1;
}

int dg__tls_ctx_new(struct dg_server *s, struct dg_error *err)
{
    pthread_once(&conn_idx_once, make_conn_idx);
    if (conn_idx < 0)
        return dg_error_set(err, DG_ETLS, NULL, -1, "cannot register TLS connection data");
    if (s->o.dev_mode)
        return 0;
    const struct dg_net_options *o = &s->o;
    if (!o->tls_cert || !o->tls_cert[0] || !o->tls_key || !o->tls_key[0] || !o->tls_client_ca ||
        !o->tls_client_ca[0])
        return dg_error_set(err, DG_ECONFIG, "tls_cert", -1,
                            "tls_cert, tls_key and tls_client_ca are required outside dev_mode");
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "cannot make a TLS context");
    int rc = 0;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert) != 1) {
        rc = tls_fail(err, "tls_cert", o->tls_cert);
        goto out;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, o->tls_key, SSL_FILETYPE_PEM) != 1) {
        rc = tls_fail(err, "tls_key", o->tls_key);
        goto out;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        rc = tls_fail(err, "tls_key", o->tls_key);
        goto out;
    }
    if (SSL_CTX_load_verify_locations(ctx, o->tls_client_ca, NULL) != 1) {
        rc = tls_fail(err, "tls_client_ca", o->tls_client_ca);
        goto out;
    }
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(o->tls_client_ca);
    if (!names) {
        rc = tls_fail(err, "tls_client_ca", o->tls_client_ca);
        goto out;
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    if (o->tls_crl && o->tls_crl[0]) {
        X509_STORE *store = SSL_CTX_get_cert_store(ctx);
        if (load_crls(store, o->tls_crl) < 0) {
            rc = tls_fail(err, "tls_crl", o->tls_crl);
            goto out;
        }
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
    SSL_CTX_set_verify_depth(ctx, 4);
    SSL_CTX_set_info_callback(ctx, info_cb);
    static const unsigned char sid[] = "dmvgate";
    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
out:
    if (rc != 0) {
        SSL_CTX_free(ctx);
        return rc;
    }
    s->ssl = ctx;
    return 0;
}

/* Development mode has no SSL object to hang the connection on, so the
 * connection is adopted just after evhttp made it: its bufferevent's callback
 * argument is then the evhttp_connection, whose close callback tells us when
 * it goes. The extra reference keeps the bufferevent readable until then; if
 * evhttp already freed it (its callbacks are cleared), the connection is gone. */
static void plain_closed(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    conn_gone(arg);
}

void dg__adopt_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dg__loop *l = arg;
    for (int i = 0; i < l->nadopt; i++) {
        bufferevent_data_cb readcb = NULL;
        void *evcon = NULL;
        bufferevent_getcb(l->adopt[i].bev, &readcb, NULL, NULL, &evcon);
        if (readcb && evcon)
            evhttp_connection_set_closecb(evcon, plain_closed, l->adopt[i].conn);
        else
            conn_gone(l->adopt[i].conn);
        bufferevent_decref(l->adopt[i].bev);
    }
    l->nadopt = 0;
}

/* The request deadline passed with no whole request read: close. The
 * bufferevent's callback argument is its evhttp_connection; freeing that
 * frees the bufferevent and, through it, c and this timer. */
static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct dg__conn *c = arg;
    if (c->busy)
        return;
    bufferevent_data_cb readcb = NULL;
    void *evcon = NULL;
    bufferevent_getcb(c->bev, &readcb, NULL, NULL, &evcon);
    if (!evcon)
        return;
    DG__BUMP(c->loop->st_timeouts);
    char s[16];
    snprintf(s, sizeof(s), "%d", c->loop->srv->o.timeout_s);
    dg_log(DG_LOG_WARN, "request_timeout", "seconds", s, "cn", c->cn[0] ? c->cn : "-", NULL);
    evhttp_connection_free(evcon);
}

void dg__conn_request_done(struct dg__conn *c, bool done)
{
    if (!c || !c->deadline)
        return;
    c->busy = !done;
    if (done) {
        struct timeval tv = {c->loop->srv->o.timeout_s, 0};
        evtimer_add(c->deadline, &tv);
    } else {
        evtimer_del(c->deadline);
    }
}

/* Start the deadline of a new connection; false when out of memory. */
static bool conn_arm(struct dg__conn *c, struct event_base *base, struct bufferevent *bev)
{
    c->bev = bev;
    c->deadline = evtimer_new(base, deadline_cb, c);
    if (!c->deadline)
        return false;
    dg__conn_request_done(c, true);
    return true;
}

/* evhttp's bufferevent callback: called for every accepted connection, on
 * its loop, before evhttp sets the socket on the bufferevent. */
struct bufferevent *dg__bev_new(struct event_base *base, void *arg)
{
    struct dg__loop *l = arg;
    struct dg__conn *c = dg_calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->loop = l;
    l->conns++;
    DG__BUMP(l->st_connections);
    DG__BUMP(l->st_open);
    if (l->conns >= l->max_conns && !l->paused && l->bound) {
        /* At this loop's share: stop accepting; more clients wait in the
         * kernel's backlog until a connection closes. */
        evconnlistener_disable(evhttp_bound_socket_get_listener(l->bound));
        l->paused = true;
        DG__BUMP(l->st_refused_busy);
    }
    struct bufferevent *bev;
    if (l->srv->ssl) {
        SSL *ssl = SSL_new(l->srv->ssl);
        if (!ssl) {
            conn_gone(c);
            return NULL;
        }
        SSL_set_ex_data(ssl, conn_idx, c);
        c->ssl = ssl;
        bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                             BEV_OPT_CLOSE_ON_FREE);
        if (!bev) {
            SSL_free(ssl); /* its ex_data hook releases c */
            return NULL;
        }
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
        if (!conn_arm(c, base, bev)) {
            bufferevent_free(bev); /* frees ssl, whose ex_data hook releases c */
            return NULL;
        }
        return bev;
    }
    if (l->nadopt >= (int)DG_ARRAY_LEN(l->adopt)) /* many accepts in one turn: adopt now */
        dg__adopt_cb(-1, 0, l);
    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev || !conn_arm(c, base, bev)) {
        if (bev)
            bufferevent_free(bev);
        conn_gone(c);
        return NULL;
    }
    c->next = l->plain;
    if (c->next)
        c->next->prev = c;
    l->plain = c;
    bufferevent_incref(bev);
    l->adopt[l->nadopt].bev = bev;
    l->adopt[l->nadopt].conn = c;
    l->nadopt++;
    event_active(l->adopt_ev, EV_READ, 0);
    return bev;
}

struct dg__conn *dg__conn_of(struct evhttp_request *ev)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    if (!bev)
        return NULL;
    return conn_of_ssl(bufferevent_openssl_get_ssl(bev));
}

struct dg__conn *dg__conn_find(struct dg__loop *l, struct evhttp_request *ev)
{
    if (l->srv->ssl)
        return dg__conn_of(ev);
    /* Development mode: a plain bufferevent has nowhere to hang c; the demo's
     * few connections are searched. */
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    for (struct dg__conn *c = l->plain; bev && c; c = c->next)
        if (c->bev == bev)
            return c;
    return NULL;
}

void dg__conn_identify(struct dg__conn *c)
{
    if (c->identified)
        return;
    c->identified = true;
    c->cn[0] = '\0';
    c->ori[0] = '\0';
    if (!c->ssl || SSL_get_verify_result(c->ssl) != X509_V_OK)
        return;
    subject_cn(SSL_get0_peer_certificate(c->ssl), c->cn, sizeof(c->cn));
    const char *hub = c->loop->srv->hub_identity;
    if (hub && hub[0] && strcmp(c->cn, hub) == 0)
        c->hub = true;
    else if (dg_net_ori_valid(c->cn, strlen(c->cn)))
        memcpy(c->ori, c->cn, 10);
}
