/*
 * client.c - the agency's HTTPS client (include/dmvgate/client.h): one
 * libcurl easy handle per client, with the agency's certificate, so that a
 * person's `dmvgate query` and the demo's traffic generator talk to the hub
 * exactly as terminal software would. libcurl does the TLS and HTTP; this
 * file only sets it up, bounds what it reads, and maps its failures onto the
 * error table.
 */
#include <dmvgate/client.h>

#include <curl/curl.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct dg_client {
    CURL *easy;
    char *url, *cert, *key, *ca;
    long timeout_s;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void init_curl(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_opt(const char *s)
{
    return s && s[0] ? dg_strdup(s) : NULL;
}

void dg_client_free(struct dg_client *c)
{
    if (!c)
        return;
    if (c->easy)
        curl_easy_cleanup(c->easy);
    dg_free(c->url);
    dg_free(c->cert);
    dg_free(c->key);
    dg_free(c->ca);
    dg_free(c);
}

int dg_client_new(struct dg_client **out, const struct dg_client_options *o, struct dg_error *err)
{
    if (!o->url || (strncmp(o->url, "https://", 8) != 0 && strncmp(o->url, "http://", 7) != 0))
        return dg_error_set(err, DG_EINVAL, "url", -1, "the URL '%s' is not http:// or https://",
                            o->url ? o->url : "");
    pthread_once(&curl_once, init_curl);
    if (curl_init_rc != CURLE_OK)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "libcurl could not start");
    struct dg_client *c = dg_calloc(1, sizeof(*c));
    if (!c)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    c->url = dg_strdup(o->url);
    c->cert = dup_opt(o->cert);
    c->key = dup_opt(o->key);
    c->ca = dup_opt(o->ca);
    c->timeout_s = o->timeout_s > 0 ? o->timeout_s : 30;
    c->easy = curl_easy_init();
    if (!c->url || (o->cert && o->cert[0] && !c->cert) || (o->key && o->key[0] && !c->key) ||
        (o->ca && o->ca[0] && !c->ca) || !c->easy) {
        dg_client_free(c);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    /* A trailing slash would make "//v1/messages". */
    size_t n = strlen(c->url);
    while (n > 8 && c->url[n - 1] == '/')
        c->url[--n] = '\0';
    *out = c;
    return 0;
}

void dg_client_reply_release(struct dg_client_reply *r)
{
    dg_buf_release(&r->body);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct dg_client_reply *r = arg;
    size_t n = size * nmemb;
    return dg_buf_add(&r->body, p, n) == 0 ? n : 0;
}

/* Copy a header's value (trimmed) when the line is that header. */
static void header_value(const char *p, size_t n, const char *name, char *dst, size_t dstlen)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(p, name, k) != 0)
        return;
    size_t i = k;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    size_t e = n;
    while (e > i && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' '))
        e--;
    snprintf(dst, dstlen, "%.*s", (int)(e - i), p + i);
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct dg_client_reply *r = arg;
    size_t n = size * nmemb;
    header_value(p, n, "Content-Type:", r->content_type, sizeof(r->content_type));
    header_value(p, n, "Location:", r->location, sizeof(r->location));
    return n;
}

static int map_curl(CURLcode cc, const char *url, const char *detail, struct dg_error *err)
{
    int code;
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT: code = DG_EUPTIMEOUT; break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR: code = DG_EUNREACHABLE; break;
    case CURLE_WRITE_ERROR: code = DG_ETOOBIG; break;
    case CURLE_OUT_OF_MEMORY: code = DG_ENOMEM; break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CLIENTCERT: code = DG_ETLS; break;
    default: code = DG_EUNREACHABLE; break;
    }
    return dg_error_set(err, code, NULL, -1, "'%s': %s", url,
                        detail && detail[0] ? detail : curl_easy_strerror(cc));
}

static int perform(struct dg_client *c, const char *url, const char *body, size_t n,
                   const char *ctype, struct dg_client_reply *out, struct dg_error *err)
{
    memset(out, 0, sizeof(*out));
    dg_buf_init(&out->body, DG_CLIENT_ANSWER_MAX);
    CURL *e = c->easy;
    curl_easy_reset(e);
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL;
    char ct[96];
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, c->timeout_s);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->timeout_s < 10 ? c->timeout_s : 10L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, out);
    if (c->cert)
        curl_easy_setopt(e, CURLOPT_SSLCERT, c->cert);
    if (c->key)
        curl_easy_setopt(e, CURLOPT_SSLKEY, c->key);
    if (c->ca)
        curl_easy_setopt(e, CURLOPT_CAINFO, c->ca);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (body) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
        hdrs = curl_slist_append(hdrs, ct);
        hdrs = curl_slist_append(hdrs, "Expect:");
        if (!hdrs)
            return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)n);
    }
    CURLcode cc = curl_easy_perform(e);
    curl_slist_free_all(hdrs);
    if (cc != CURLE_OK)
        return map_curl(cc, url, errbuf, err);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->status);
    if (!out->body.data && dg_buf_addstr(&out->body, "") != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    return 0;
}

int dg_client_send(struct dg_client *c, const char *msg, size_t n, struct dg_client_reply *out,
                   struct dg_error *err)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s/v1/messages", c->url);
    const char *ctype = dg_msg_sniff(msg, n) == DG_MSG_JSON ? "application/json" : "text/plain";
    return perform(c, url, msg, n, ctype, out, err);
}

int dg_client_poll(struct dg_client *c, const char *mid, const char *state,
                   struct dg_client_reply *out, struct dg_error *err)
{
    char url[1024];
    /* A MID is 1-40 of A-Z a-z 0-9 _ -: nothing to escape; refuse anything else. */
    size_t n = strlen(mid);
    if (n == 0 || n > 40 ||
        strspn(mid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789_-") != n) {
        memset(out, 0, sizeof(*out));
        return dg_error_set(err, DG_EINVAL, "MID", -1, "'%s' is not a message id", mid);
    }
    if (state && state[0])
        snprintf(url, sizeof(url), "%s/v1/messages/%s?state=%.2s", c->url, mid, state);
    else
        snprintf(url, sizeof(url), "%s/v1/messages/%s", c->url, mid);
    return perform(c, url, NULL, 0, NULL, out, err);
}

int dg_client_get(struct dg_client *c, const char *path, struct dg_client_reply *out,
                  struct dg_error *err)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s%s", c->url, path);
    return perform(c, url, NULL, 0, NULL, out, err);
}
