/*
 * sweep.c - the deadline sweeper (review.h): a thread of the node that every
 * sweep_ms looks for held requests past their deadline and, without waiting
 * for the requester's next poll, denies them (state expired, a review entry
 * "deny" by "(deadline)") or, for rules that say "then escalate", records
 * once that they now wait for a supervisor (a review entry "escalate").
 */
#include "console_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define SWEEP_BATCH 256

struct due {
    char mid[41];
    bool escalate;
};

struct collect {
    struct due v[SWEEP_BATCH];
    int n;
    int64_t now;
};

static int collect_one(void *arg, const struct dg_held *h)
{
    struct collect *w = arg;
    if (h->deadline_us > w->now)
        return 0;
    memcpy(w->v[w->n].mid, h->mid, sizeof(h->mid));
    w->v[w->n].escalate = h->expire_escalates;
    return ++w->n == SWEEP_BATCH;
}

static void sweep_once(struct dg_review_console *c)
{
    struct dg_error e;
    if (!c->sweep_store && dg_store_open(c->store_uri, 0, &c->sweep_store, &e) != 0) {
        c->sweep_store = NULL;
        return;
    }
    struct collect *w = dg_calloc(1, sizeof(*w));
    if (!w)
        return;
    w->now = dg_now_us();
    if (dg_held_each(c->sweep_store, DG_HELD_PENDING, collect_one, w, &e) < 0) {
        dg_log(DG_LOG_ERROR, "review_sweep", "msg", e.msg, NULL);
        dg_free(w);
        return;
    }
    for (int i = 0; i < w->n; i++) {
        struct dg_audit_entry en;
        if (w->v[i].escalate) {
            if (!c->accounts || dg__rv_escalation_mark(c->sweep_store, w->v[i].mid, w->now) != 1)
                continue;
            dg__rv_entry_review(&en, DG_ACTION_ESCALATE, "(deadline)", w->v[i].mid,
                                "review deadline passed: waits for a supervisor");
        } else {
            int rc = dg_held_decide(c->sweep_store, w->v[i].mid, DG_HELD_EXPIRED, "(deadline)",
                                    "review deadline passed", w->now, &e);
            if (rc != 0) /* decided meanwhile (a reviewer, or a poll) */
                continue;
            dg__rv_entry_review(&en, DG_ACTION_DENY, "(deadline)", w->v[i].mid,
                                "review deadline passed");
        }
        dg_log(DG_LOG_INFO, "review_deadline", "mid", w->v[i].mid, "action",
               w->v[i].escalate ? "escalate" : "deny", NULL);
        dg__rv_audit_nowait(c, &en);
    }
    dg_free(w);
}

static void *sweeper(void *arg)
{
    struct dg_review_console *c = arg;
    int ms = c->o.sweep_ms > 0 ? c->o.sweep_ms : 1000;
    pthread_mutex_lock(&c->sweep_mu);
    while (!c->stopping) {
        pthread_mutex_unlock(&c->sweep_mu);
        sweep_once(c);
        pthread_mutex_lock(&c->sweep_mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!c->stopping && pthread_cond_timedwait(&c->sweep_cv, &c->sweep_mu, &ts) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&c->sweep_mu);
    return NULL;
}

int dg__rv_sweeper_start(struct dg_review_console *c, struct dg_error *err)
{
    if (pthread_create(&c->sweeper, NULL, sweeper, c) != 0)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "cannot start the deadline sweeper");
    c->sweeper_started = true;
    return 0;
}

void dg__rv_sweeper_stop(struct dg_review_console *c)
{
    if (c->sweeper_started) {
        pthread_mutex_lock(&c->sweep_mu);
        c->stopping = true;
        pthread_cond_signal(&c->sweep_cv);
        pthread_mutex_unlock(&c->sweep_mu);
        pthread_join(c->sweeper, NULL);
        c->sweeper_started = false;
    }
    dg_store_close(c->sweep_store);
    c->sweep_store = NULL;
}
