/*
 * console_int.h - what the files of the review console share (not public):
 *
 *   console.c  routes, pages, the session guard, login and logout, replies
 *   queue.c    the queue, opening a request, approve and deny, history
 *   notice.c   notices (list, CSV export, marked sent) and account admin
 *   sweep.c    the deadline sweeper thread
 */
#ifndef DG_LIB_REVIEW_CONSOLE_INT_H
#define DG_LIB_REVIEW_CONSOLE_INT_H

#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/held.h>
#include <dmvgate/net.h>
#include <dmvgate/review.h>
#include <dmvgate/store.h>

#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

#include <pthread.h>
#include <stdatomic.h>

#define DG__RV_PAGES 10

struct dg__rv_page {
    const char *path, *file, *type;
    unsigned roles; /* 0: public */
    struct dg_buf body;
};

struct dg_review_console {
    struct dg_review_console_options o;
    char *web_dir, *store_uri;
    bool accounts; /* the store keeps accounts (SQLite) */
    struct dg_sessions *sessions;
    struct dg_login_limit *limit;
    int nloops;
    struct dg_store **stores; /* one per loop, opened on first use */
    struct dg__rv_page pages[DG__RV_PAGES];
    /* sweep.c */
    pthread_t sweeper;
    bool sweeper_started;
    pthread_mutex_t sweep_mu;
    pthread_cond_t sweep_cv;
    bool stopping;
    struct dg_store *sweep_store;
};

/* console.c */
struct dg_store *dg__rv_store(struct dg_review_console *c, struct dg_req *r);
struct dg_store *dg__rv_loop_store(struct dg_review_console *c, int loop);
void dg__rv_reply_json(struct dg_req *r, int status, const struct dg_buf *b);
void dg__rv_error(struct dg_req *r, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Parse the urlencoded body of r into kv (evhttp_clear_headers it after). */
int dg__rv_form(struct dg_req *r, struct evkeyvalq *kv);
/* Record e (durable), then answer status with body b (of type ctype, a
 * literal; NULL for JSON) or, on an audit failure, 503. b is copied;
 * set_cookie (may be NULL) goes out with the answer. */
void dg__rv_audited_reply(struct dg_review_console *c, struct dg_req *r,
                          const struct dg_audit_entry *e, int status, const struct dg_buf *b,
                          const char *set_cookie, const char *ctype);
/* Record e without waiting (refusals, the sweeper). */
void dg__rv_audit_nowait(struct dg_review_console *c, const struct dg_audit_entry *e);
void dg__rv_entry_review(struct dg_audit_entry *e, enum dg_audit_action a, const char *user,
                         const char *mid, const char *reason);

/* queue.c */
void dg__rv_api_queue(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
void dg__rv_api_request(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
void dg__rv_api_open(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
void dg__rv_api_decide(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
void dg__rv_api_history(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
/* JSON object of held request h for the queue (no record values). */
void dg__rv_held_json(struct dg_review_console *c, struct dg_store *st, const struct dg_held *h,
                      int64_t now_us, struct dg_buf *b);
/* True when h waits past its deadline for a supervisor ("then escalate"). */
bool dg__rv_escalated(const struct dg_held *h, int64_t now_us);

/* notice.c: the console's own tables (user.c's migration step 2) */
int dg__rv_approvals(struct dg_store *s, const char *mid, char *names, size_t size);
int dg__rv_approval_add(struct dg_store *s, const char *mid, const char *user, int64_t now_us);
int dg__rv_notice_add(struct dg_store *s, const struct dg_held *h, int64_t now_us);
int dg__rv_escalation_mark(struct dg_store *s, const char *mid, int64_t now_us);
void dg__rv_api_notices(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
void dg__rv_api_notices_csv(struct dg_review_console *c, struct dg_req *r,
                            const struct dg_session *s);
void dg__rv_api_notices_sent(struct dg_review_console *c, struct dg_req *r,
                             const struct dg_session *s);
void dg__rv_api_users(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
void dg__rv_api_user_change(struct dg_review_console *c, struct dg_req *r,
                            const struct dg_session *s);
void dg__rv_api_user_add(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);

/* sweep.c */
int dg__rv_sweeper_start(struct dg_review_console *c, struct dg_error *err);
void dg__rv_sweeper_stop(struct dg_review_console *c);

#endif
