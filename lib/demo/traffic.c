/*
 * traffic.c - the demo's traffic generator (include/dmvgate/demo.h): one
 * thread that sends the queries of the mix (mix.c) to the hub at a steady
 * average rate (exponential gaps, as independent requesters make), each with
 * its agency's client certificate, over a libcurl multi handle so that a slow
 * answer never holds up the next query, and counts the answers by status.
 */
#include <dmvgate/client.h>
#include <dmvgate/demo.h>
#include <dmvgate/gen.h>
#include <dmvgate/msg.h>

#include <curl/curl.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct xfer {
    CURL *easy;
    struct curl_slist *hdrs;
    struct dg_buf msg, body;
    struct xfer *next;
};

struct dg_traffic {
    struct dg_traffic_options o;
    char url[512];
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t lock; /* guards st */
    struct dg_traffic_stats st;
    CURLM *multi;
    struct xfer *live;
    int inflight;
    uint64_t rng;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct xfer *x = arg;
    size_t n = size * nmemb;
    return dg_buf_add(&x->body, p, n) == 0 ? n : 0;
}

static void xfer_free(struct xfer *x)
{
    if (x->easy)
        curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    dg_buf_release(&x->msg);
    dg_buf_release(&x->body);
    dg_free(x);
}

/* Make and start one query. */
static void send_one(struct dg_traffic *t)
{
    struct xfer *x = dg_calloc(1, sizeof(*x));
    if (!x)
        return;
    dg_buf_init(&x->msg, DG_MSG_REQ_MAX + 16);
    dg_buf_init(&x->body, DG_CLIENT_ANSWER_MAX);
    int ai = -1;
    struct dg_msg_req req;
    if (dg_traffic_make_query(&t->o, &t->rng, &req, &ai) != 0 ||
        dg_msg_req_to_text(&req, &x->msg) != 0 || !(x->easy = curl_easy_init())) {
        xfer_free(x);
        return;
    }
    const struct dg_traffic_agency *ag = &t->o.agencies[ai];
    x->hdrs = curl_slist_append(NULL, "Content-Type: text/plain");
    x->hdrs = x->hdrs ? curl_slist_append(x->hdrs, "Expect:") : NULL;
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->msg.data);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)x->msg.len);
    curl_easy_setopt(e, CURLOPT_SSLCERT, ag->cert);
    curl_easy_setopt(e, CURLOPT_SSLKEY, ag->key);
    curl_easy_setopt(e, CURLOPT_CAINFO, t->o.ca);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    if (curl_multi_add_handle(t->multi, e) != CURLM_OK) {
        xfer_free(x);
        return;
    }
    x->next = t->live;
    t->live = x;
    t->inflight++;
    pthread_mutex_lock(&t->lock);
    t->st.sent++;
    t->st.by_kind[ag->kind]++;
    t->st.multi_state += req.ndest > 1;
    t->st.photos += req.photo;
    pthread_mutex_unlock(&t->lock);
}

static void unlink_xfer(struct dg_traffic *t, struct xfer *x)
{
    for (struct xfer **p = &t->live; *p; p = &(*p)->next)
        if (*p == x) {
            *p = x->next;
            break;
        }
    t->inflight--;
}

/* Count the answers of finished transfers. */
static void reap(struct dg_traffic *t)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(t->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct xfer *x = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        CURLcode cc = m->data.result;
        curl_multi_remove_handle(t->multi, m->easy_handle);
        struct dg_msg_resp *r[DG_CLIENT_MAX_ANSWERS];
        int n =
            cc == CURLE_OK && x->body.data
                ? dg_client_answers_parse(x->body.data, x->body.len, r, DG_CLIENT_MAX_ANSWERS, NULL)
                : -1;
        pthread_mutex_lock(&t->lock);
        if (n < 0) {
            t->st.transport_errors++;
        } else {
            t->st.answered++;
            for (int i = 0; i < n; i++) {
                enum dg_msg_status s = dg_msg_resp_status(r[i]);
                if ((unsigned)s < DG_ARRAY_LEN(t->st.by_status))
                    t->st.by_status[s]++;
            }
        }
        pthread_mutex_unlock(&t->lock);
        for (int i = 0; i < n; i++)
            dg_msg_resp_free(r[i]);
        unlink_xfer(t, x);
        xfer_free(x);
    }
}

static double now_s(void)
{
    return (double)dg_mono_ns() / 1e9;
}

static void *run(void *arg)
{
    struct dg_traffic *t = arg;
    int max = t->o.max_inflight > 0 ? t->o.max_inflight : 32;
    double due = now_s();
    while (!atomic_load(&t->stop)) {
        double now = now_s();
        while (due <= now && t->inflight < max) {
            send_one(t);
            /* exponential gap with mean 1/rate */
            double u = ((double)(dg_splitmix64(&t->rng) >> 11) + 1.0) / 9007199254740993.0;
            due += -log(u) / t->o.rate;
        }
        if (due < now - 5.0) /* far behind (a stall): do not burst to catch up */
            due = now;
        int running = 0;
        curl_multi_perform(t->multi, &running);
        reap(t);
        double wait = due - now_s();
        int ms = wait <= 0 ? 0 : wait > 0.1 ? 100 : (int)(wait * 1000.0) + 1;
        curl_multi_poll(t->multi, NULL, 0, ms, NULL);
    }
    return NULL;
}

int dg_traffic_start(struct dg_traffic **out, const struct dg_traffic_options *o,
                     struct dg_error *err)
{
    if (!(o->rate > 0) || o->nagencies <= 0 || o->nstates <= 0 || !o->url || !o->ca)
        return dg_error_set(err, DG_EINVAL, NULL, -1,
                            "the traffic needs a rate, agencies and keys");
    struct dg_client *probe = NULL;
    struct dg_client_options co = {.url = o->url};
    int rc = dg_client_new(&probe, &co, err); /* libcurl's global init, once */
    dg_client_free(probe);
    if (rc != 0)
        return rc;
    struct dg_traffic *t = dg_calloc(1, sizeof(*t));
    if (!t)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    t->o = *o;
    t->rng = o->seed ^ 0x7261666669630000ull;
    snprintf(t->url, sizeof(t->url), "%s/v1/messages", o->url);
    pthread_mutex_init(&t->lock, NULL);
    if (!(t->multi = curl_multi_init())) {
        dg_free(t);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, 64L);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&t->thread, NULL, run, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        curl_multi_cleanup(t->multi);
        dg_free(t);
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "cannot start the traffic thread");
    }
    *out = t;
    return 0;
}

void dg_traffic_stats(struct dg_traffic *t, struct dg_traffic_stats *out)
{
    pthread_mutex_lock(&t->lock);
    *out = t->st;
    pthread_mutex_unlock(&t->lock);
}

void dg_traffic_stop(struct dg_traffic *t)
{
    if (!t)
        return;
    atomic_store(&t->stop, true);
    curl_multi_wakeup(t->multi);
    pthread_join(t->thread, NULL);
    while (t->live) {
        struct xfer *x = t->live;
        t->live = x->next;
        curl_multi_remove_handle(t->multi, x->easy);
        xfer_free(x);
    }
    curl_multi_cleanup(t->multi);
    pthread_mutex_destroy(&t->lock);
    dg_free(t);
}
