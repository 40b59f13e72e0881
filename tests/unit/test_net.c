/*
 * test_net.c - tests for lib/net with real sockets: a server on a free
 * loopback port, TLS material made by tests/e2e/lib/certs.sh, and libcurl as
 * the client. Covers who-is-asking (agency certificate, hub, development
 * header), refused certificates (none, expired, revoked, untrusted CA),
 * routing errors, limits, parking and resuming from another thread, a handler
 * that forgets to answer, the access log, the connection cap and the graceful
 * stop with a parked request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/net.h>

#include <curl/curl.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char certdir[] = "/tmp/dg-test-net.XXXXXX";

struct srv {
    struct dg_server *s;
    pthread_t thread;
    char base[64];
    int logfd;
    char logpath[128];
};

/* ---- a worker thread that resumes parked requests, like the audit writer --- */

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcond = PTHREAD_COND_INITIALIZER;
static struct dg_req *wq[256];
static int wn;
static bool wstop;
static bool hold_parked; /* keep parked requests until released */

static void resumed(struct dg_req *r, void *arg)
{
    (void)arg;
    char body[64];
    int n = snprintf(body, sizeof(body), "resumed on loop %d", dg_req_loop(r));
    dg_req_reply(r, 200, "text/plain", body, (size_t)n);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wlock);
    for (;;) {
        while (!wstop && (wn == 0 || hold_parked))
            pthread_cond_wait(&wcond, &wlock);
        if (wn == 0 && wstop)
            break;
        struct dg_req *r = wq[--wn];
        pthread_mutex_unlock(&wlock);
        usleep(1000); /* a disk sync's worth of waiting, off the loop */
        dg_req_resume(r, resumed, NULL);
        pthread_mutex_lock(&wlock);
    }
    pthread_mutex_unlock(&wlock);
    return NULL;
}

/* ---- routes ----------------------------------------------------------------- */

static void h_whoami(struct dg_req *r, void *arg)
{
    (void)arg;
    char body[256];
    const char *ori = dg_req_ori(r), *cn = dg_req_peer_cn(r);
    int n = snprintf(body, sizeof(body), "ori=%s cn=%s hub=%d", ori ? ori : "-", cn ? cn : "-",
                     dg_req_via_hub(r));
    dg_req_note(r, "what", "whoami");
    dg_req_reply(r, 200, "text/plain", body, (size_t)n);
}

static void h_echo(struct dg_req *r, void *arg)
{
    (void)arg;
    size_t len;
    const char *b = dg_req_body(r, &len);
    assert_int_equal(b[len], '\0');
    dg_req_reply(r, 200, "application/octet-stream", b, len);
}

static void h_park(struct dg_req *r, void *arg)
{
    (void)arg;
    dg_req_park(r);
    pthread_mutex_lock(&wlock);
    assert_true(wn < 256);
    wq[wn++] = r;
    pthread_cond_signal(&wcond);
    pthread_mutex_unlock(&wlock);
}

static void h_noanswer(struct dg_req *r, void *arg)
{
    (void)r;
    (void)arg;
}

static void h_path(struct dg_req *r, void *arg)
{
    (void)arg;
    const char *idx = dg_req_query(r, "index");
    char body[600];
    int n = snprintf(body, sizeof(body), "%s index=%s", dg_req_path(r), idx ? idx : "-");
    dg_req_reply(r, 200, "text/plain", body, (size_t)n);
}

static void *run(void *arg)
{
    struct srv *v = arg;
    dg_server_run(v->s);
    return NULL;
}

static void start(struct srv *v, bool dev, int threads, int max_conns, const char *crl)
{
    char p[4][256];
    snprintf(p[0], sizeof(p[0]), "%s/server.pem", certdir);
    snprintf(p[1], sizeof(p[1]), "%s/server.key", certdir);
    snprintf(p[2], sizeof(p[2]), "%s/ca.pem", certdir);
    snprintf(p[3], sizeof(p[3]), "%s/ca.crl", certdir);
    snprintf(v->logpath, sizeof(v->logpath), "%s/access.log", certdir);
    v->logfd = open(v->logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    assert_true(v->logfd >= 0);
    struct dg_net_options o = {
        .listen = "127.0.0.1:0",
        .threads = threads,
        .dev_mode = dev,
        .tls_cert = p[0],
        .tls_key = p[1],
        .tls_client_ca = p[2],
        .tls_crl = crl ? p[3] : NULL,
        .hub_identity = "hub.dmvgate.test",
        .max_body = 1000,
        .max_headers = 4096,
        .max_connections = max_conns,
        /* The request deadline runs from accept, handshake included: under
         * valgrind, forty handshakes at once queue for more than 5 s. */
        .timeout_s = 60,
        .shutdown_grace_s = 5,
        .access_log_fd = v->logfd,
    };
    struct dg_error e;
    int rc = dg_server_new(&v->s, &o, &e);
    if (rc != 0)
        fail_msg("dg_server_new: %s", e.msg);
    assert_int_equal(dg_server_route(v->s, DG_HTTP_GET, "/whoami", h_whoami, NULL), 0);
    assert_int_equal(dg_server_route(v->s, DG_HTTP_POST, "/echo", h_echo, NULL), 0);
    assert_int_equal(dg_server_route(v->s, DG_HTTP_POST, "/park", h_park, NULL), 0);
    assert_int_equal(dg_server_route(v->s, DG_HTTP_GET, "/noanswer", h_noanswer, NULL), 0);
    assert_int_equal(dg_server_route(v->s, DG_HTTP_GET, "/tile/*", h_path, NULL), 0);
    assert_int_equal(dg_server_route(v->s, DG_HTTP_GET, "nope", h_path, NULL), DG_EINVAL);
    snprintf(v->base, sizeof(v->base), "%s://%s", dev ? "http" : "https", dg_server_address(v->s));
    wstop = false;
    wn = 0;
    pthread_t wt;
    assert_int_equal(pthread_create(&wt, NULL, worker, NULL), 0);
    pthread_detach(wt);
    assert_int_equal(pthread_create(&v->thread, NULL, run, v), 0);
}

static void stop(struct srv *v)
{
    dg_server_stop(v->s);
    pthread_join(v->thread, NULL);
    pthread_mutex_lock(&wlock);
    wstop = true;
    hold_parked = false;
    pthread_cond_broadcast(&wcond);
    pthread_mutex_unlock(&wlock);
    usleep(20000); /* let the worker leave before the next test reuses it */
    dg_server_free(v->s);
    close(v->logfd);
}

/* ---- a client ------------------------------------------------------------- */

struct resp {
    long status;
    CURLcode cc;
    char body[4096];
    size_t len;
    char headers[2048];
    size_t hlen;
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t k = sz * n;
    size_t room = sizeof(r->body) - 1 - r->len;
    memcpy(r->body + r->len, p, k < room ? k : room);
    r->len += k < room ? k : room;
    r->body[r->len] = '\0';
    return k;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t k = sz * n;
    size_t room = sizeof(r->headers) - 1 - r->hlen;
    memcpy(r->headers + r->hlen, p, k < room ? k : room);
    r->hlen += k < room ? k : room;
    r->headers[r->hlen] = '\0';
    return k;
}

static CURL *easy(struct srv *v, const char *path, const char *cert, struct curl_slist *hdrs,
                  const char *body, long bodylen, struct resp *out)
{
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    char url[512], crt[256], key[256], ca[256];
    snprintf(url, sizeof(url), "%s%s", v->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    snprintf(ca, sizeof(ca), "%s/ca.pem", certdir);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    if (cert) {
        snprintf(crt, sizeof(crt), "%s/%s.pem", certdir, cert);
        snprintf(key, sizeof(key), "%s/%s.key", certdir, cert);
        curl_easy_setopt(c, CURLOPT_SSLCERT, crt);
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
    }
    if (hdrs)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, bodylen);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    return c;
}

static void get(struct srv *v, const char *path, const char *cert, struct curl_slist *hdrs,
                const char *body, long bodylen, struct resp *out)
{
    CURL *c = easy(v, path, cert, hdrs, body, bodylen, out);
    out->cc = curl_easy_perform(c);
    if (out->cc != CURLE_OK && getenv("DG_TEST_VERBOSE"))
        fprintf(stderr, "curl: %s %s\n", path, curl_easy_strerror(out->cc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_cleanup(c);
}

/* ---- tests ------------------------------------------------------------------ */

static void tls_identifies_agency_and_hub(void **state)
{
    (void)state;
    struct srv v;
    struct resp r;
    start(&v, false, 2, 100, "crl");
    get(&v, "/whoami", "CO0010000", NULL, NULL, 0, &r);
    assert_int_equal(r.cc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ori=CO0010000 cn=CO0010000 hub=0");

    /* an agency cannot state another's ORI; the hub can */
    struct curl_slist *h = curl_slist_append(NULL, "X-DG-Origin-ORI: AZ0070000");
    get(&v, "/whoami", "CO0010000", h, NULL, 0, &r);
    assert_string_equal(r.body, "ori=CO0010000 cn=CO0010000 hub=0");
    get(&v, "/whoami", "hub", h, NULL, 0, &r);
    assert_string_equal(r.body, "ori=AZ0070000 cn=hub.dmvgate.test hub=1");
    curl_slist_free_all(h);
    h = curl_slist_append(NULL, "X-DG-Origin-ORI: XX123");
    get(&v, "/whoami", "hub", h, NULL, 0, &r);
    assert_string_equal(r.body, "ori=- cn=hub.dmvgate.test hub=1");
    curl_slist_free_all(h);
    /* a valid certificate that names no ORI identifies nobody */
    get(&v, "/whoami", "noori", NULL, NULL, 0, &r);
    assert_string_equal(r.body, "ori=- cn=not an ori hub=0");
    stop(&v);
}

static void tls_refuses_bad_certificates(void **state)
{
    (void)state;
    struct srv v;
    struct resp r;
    start(&v, false, 1, 100, "crl");
    const char *bad[] = {NULL, "expired", "revoked", "rogue"};
    for (size_t i = 0; i < 4; i++) {
        get(&v, "/whoami", bad[i], NULL, NULL, 0, &r);
        if (r.cc == CURLE_OK)
            fail_msg("certificate '%s' was accepted", bad[i] ? bad[i] : "(none)");
        assert_int_equal(r.status, 0);
    }
    get(&v, "/whoami", "AZ0070000", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    struct dg_net_stats st;
    for (int i = 0; i < 200; i++) {
        dg_server_stats(v.s, &st);
        if (st.open == 0)
            break;
        usleep(10000);
    }
    assert_int_equal(st.open, 0);
    assert_int_equal(st.connections, 5);
    assert_int_equal(st.tls_failures, 4);
    stop(&v);
    /* without the CRL the revoked certificate passes: the CRL did the work */
    start(&v, false, 1, 100, NULL);
    get(&v, "/whoami", "revoked", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    stop(&v);
}

static bool has_header(const struct resp *r, const char *h)
{
    return strcasestr(r->headers, h) != NULL;
}

static void routing_errors_and_limits(void **state)
{
    (void)state;
    struct srv v;
    struct resp r;
    start(&v, false, 1, 100, NULL);
    get(&v, "/nothing", "CO0010000", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body,
                        "{\"error\":{\"code\":\"ENOROUTE\",\"message\":\"no such resource\"}}\n");
    get(&v, "/echo", "CO0010000", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 405);
    assert_true(has_header(&r, "Allow: POST"));
    get(&v, "/whoami", "CO0010000", NULL, "x", 1, &r);
    assert_int_equal(r.status, 405);
    assert_true(has_header(&r, "Allow: GET, HEAD"));
    get(&v, "/tile/../etc%2fpasswd", "CO0010000", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "EBADREQ"));
    get(&v, "/tile/8/0/x001.p/5?index=42", "CO0010000", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "/tile/8/0/x001.p/5 index=42");

    char big[5000];
    memset(big, 'a', sizeof(big));
    get(&v, "/echo", "CO0010000", NULL, big, 1000, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 1000);
    get(&v, "/echo", "CO0010000", NULL, big, 1001, &r); /* read, refused by us */
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "larger than 1000 bytes"));
    get(&v, "/echo", "CO0010000", NULL, big, 5000, &r); /* refused unread by libevent */
    assert_int_equal(r.status, 413);

    struct curl_slist *h = NULL;
    char hv[5000];
    memset(hv, 'b', sizeof(hv));
    memcpy(hv, "X-Big: ", 7);
    hv[sizeof(hv) - 1] = '\0';
    h = curl_slist_append(h, hv);
    get(&v, "/whoami", "CO0010000", h, NULL, 0, &r);
    assert_true(r.status == 413 || r.status == 400 || r.cc != CURLE_OK);
    curl_slist_free_all(h);

    get(&v, "/noanswer", "CO0010000", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 500);
    /* the server is still fine */
    get(&v, "/whoami", "CO0010000", NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    stop(&v);
}

static void parked_requests_resume_from_another_thread(void **state)
{
    (void)state;
    struct srv v;
    start(&v, false, 2, 100, NULL);
    enum { N = 40 };
    CURLM *m = curl_multi_init();
    CURL *e[N];
    static struct resp rs[N];
    for (int i = 0; i < N; i++) {
        e[i] = easy(&v, "/park", i % 2 ? "CO0010000" : "AZ0070000", NULL, "q", 1, &rs[i]);
        curl_multi_add_handle(m, e[i]);
    }
    int running = 1;
    while (running) {
        curl_multi_perform(m, &running);
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < N; i++) {
        long st = 0;
        curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &st);
        assert_int_equal(st, 200);
        assert_non_null(strstr(rs[i].body, "resumed on loop "));
        curl_multi_remove_handle(m, e[i]);
        curl_easy_cleanup(e[i]);
    }
    curl_multi_cleanup(m);
    struct dg_net_stats st;
    dg_server_stats(v.s, &st);
    assert_int_equal(st.parked, 0);
    assert_true(st.status_class[2] >= N);
    stop(&v);
}

static void access_log_lines_carry_no_request_data(void **state)
{
    (void)state;
    struct srv v;
    struct resp r;
    start(&v, false, 1, 100, NULL);
    get(&v, "/whoami", "CO0010000", NULL, NULL, 0, &r);
    get(&v, "/tile/SECRETPATH?index=SECRETQUERY", "CO0010000", NULL, NULL, 0, &r);
    get(&v, "/echo", "CO0010000", NULL, "SECRETBODY", 10, &r);
    stop(&v);
    FILE *f = fopen(v.logpath, "r");
    assert_non_null(f);
    char all[8192];
    size_t n = fread(all, 1, sizeof(all) - 1, f);
    all[n] = '\0';
    fclose(f);
    assert_null(strstr(all, "SECRET"));
    assert_non_null(strstr(all, "\"event\":\"access\""));
    assert_non_null(strstr(all, "\"route\":\"/whoami\",\"status\":200"));
    assert_non_null(strstr(all, "\"route\":\"/tile/*\""));
    assert_non_null(strstr(all, "\"ori\":\"CO0010000\""));
    assert_non_null(strstr(all, "\"what\":\"whoami\""));
    int lines = 0;
    for (char *p = all; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 3);
}

static void dev_mode_takes_ori_from_header(void **state)
{
    (void)state;
    struct srv v;
    struct resp r;
    start(&v, true, 1, 100, NULL);
    struct curl_slist *h = curl_slist_append(NULL, "X-DG-ORI: NM0010000");
    get(&v, "/whoami", NULL, h, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ori=NM0010000 cn=- hub=0");
    curl_slist_free_all(h);
    get(&v, "/whoami", NULL, NULL, NULL, 0, &r);
    assert_string_equal(r.body, "ori=- cn=- hub=0");
    stop(&v);

    /* development mode refuses to listen beyond loopback */
    struct dg_net_options o = {.listen = "0.0.0.0:0",
                               .threads = 1,
                               .dev_mode = true,
                               .max_body = 100,
                               .max_headers = 1024,
                               .max_connections = 1,
                               .timeout_s = 1,
                               .access_log_fd = -1};
    struct dg_server *s = NULL;
    struct dg_error e;
    assert_int_equal(dg_server_new(&s, &o, &e), DG_ECONFIG);
    assert_null(s);
    /* production refuses to start without its TLS files */
    o.listen = "127.0.0.1:0";
    o.dev_mode = false;
    assert_int_equal(dg_server_new(&s, &o, &e), DG_ECONFIG);
    o.tls_cert = "/nonexistent.pem";
    o.tls_key = "/nonexistent.key";
    o.tls_client_ca = "/nonexistent-ca.pem";
    assert_int_equal(dg_server_new(&s, &o, &e), DG_ETLS);
    assert_string_equal(e.field, "tls_cert");
}

static int raw_connect(const char *addr)
{
    int port = atoi(strrchr(addr, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static void connection_cap_pauses_accepting(void **state)
{
    (void)state;
    struct srv v;
    struct resp r;
    start(&v, true, 1, 2, NULL);
    int a = raw_connect(dg_server_address(v.s));
    int b = raw_connect(dg_server_address(v.s));
    struct dg_net_stats st;
    for (int i = 0; i < 200; i++) { /* wait until the loop has accepted both */
        dg_server_stats(v.s, &st);
        if (st.open == 2)
            break;
        usleep(10000);
    }
    assert_int_equal(st.open, 2);
    assert_true(st.refused_busy >= 1);
    close(a);
    close(b);
    get(&v, "/whoami", NULL, NULL, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    for (int i = 0; i < 200; i++) { /* every close is counted */
        dg_server_stats(v.s, &st);
        if (st.open == 0)
            break;
        usleep(10000);
    }
    assert_int_equal(st.open, 0);
    assert_int_equal(st.connections, 3);
    stop(&v);
}

static void graceful_stop_answers_parked(void **state)
{
    (void)state;
    struct srv v;
    hold_parked = true;
    start(&v, false, 1, 100, NULL);
    hold_parked = true;
    struct resp r;
    CURLM *m = curl_multi_init();
    CURL *e = easy(&v, "/park", "CO0010000", NULL, "q", 1, &r);
    curl_multi_add_handle(m, e);
    int running = 1;
    struct dg_net_stats st = {0};
    for (int i = 0; i < 400 && st.parked == 0; i++) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 10, NULL);
        dg_server_stats(v.s, &st);
    }
    assert_int_equal(st.parked, 1);
    dg_server_stop(v.s); /* the loop must wait for the parked request */
    usleep(50000);
    pthread_mutex_lock(&wlock);
    hold_parked = false;
    pthread_cond_broadcast(&wcond);
    pthread_mutex_unlock(&wlock);
    while (running) {
        curl_multi_perform(m, &running);
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    assert_true(has_header(&r, "Connection: close"));
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    curl_multi_cleanup(m);
    stop(&v);
}

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("DG_SOURCE_DIR");
    if (!src)
        src = "..";
    if (!mkdtemp(certdir))
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "bash '%s/tests/e2e/lib/certs.sh' '%s' CO0010000 AZ0070000", src,
             certdir);
    if (system(cmd) != 0)
        return -1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
    curl_global_cleanup();
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls_identifies_agency_and_hub),
        cmocka_unit_test(tls_refuses_bad_certificates),
        cmocka_unit_test(routing_errors_and_limits),
        cmocka_unit_test(parked_requests_resume_from_another_thread),
        cmocka_unit_test(access_log_lines_carry_no_request_data),
        cmocka_unit_test(dev_mode_takes_ori_from_header),
        cmocka_unit_test(connection_cap_pauses_accepting),
        cmocka_unit_test(graceful_stop_answers_parked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
