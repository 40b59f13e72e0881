/*
 * node_int.h - what the files of lib/node share. Not a public header.
 *
 *   node.c      lifecycle: directory, policy (reference counted, SIGHUP),
 *               audit log, per-loop stores, routes, signals
 *   pipeline.c  POST /v1/messages: parse, identify, decide, look up, audit, answer
 *   answer.c    records to DR/RR/IR fields, ER building, message ids
 *   poll.c      GET /v1/messages/{id}: held requests answered once decided
 *   public.c    /checkpoint, /tile/..., /v1/audit/proof, /healthz, /metrics
 *   held.c      the held-request store (held.h)
 *   review.c    the review console (lib/review) and its deadline sweeper
 */
#ifndef DG_NODE_INT_H
#define DG_NODE_INT_H

#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/auditd.h>
#include <dmvgate/held.h>
#include <dmvgate/msg.h>
#include <dmvgate/node.h>
#include <dmvgate/policy.h>
#include <dmvgate/record.h>
#include <dmvgate/store.h>

#include <pthread.h>
#include <stdatomic.h>

/* Answers counted by /metrics: the decision column. */
enum dg__outcome {
    DG__OUT_ALLOW,
    DG__OUT_DENY,
    DG__OUT_REVIEW,
    DG__OUT_INVALID, /* malformed, wrong state */
    DG__OUT_REFUSED, /* identity: mismatch, unknown agency, no identity */
    DG__OUT_FAILED,  /* audit log or store could not do its part */
    DG__OUT__COUNT
};
extern const char *const dg__outcome_names[DG__OUT__COUNT];

/* Latency histogram buckets (seconds), Prometheus style (cumulative at scrape). */
#define DG__LAT_BUCKETS 12
extern const double dg__lat_bounds[DG__LAT_BUCKETS];

struct dg__loop_metrics {
    _Atomic uint64_t answers[DG_KEY__COUNT + 1][DG__OUT__COUNT]; /* [DG_KEY__COUNT]: no key */
    _Atomic uint64_t lat[DG__LAT_BUCKETS + 1];                   /* last: +Inf */
    _Atomic uint64_t lat_sum_us;
    _Atomic uint64_t store_errors;
};

struct dg__q;

struct dg__node_loop {
    struct dg_store *store;
    uint64_t counter;     /* message ids */
    struct dg__q *qcache; /* free request objects (pipeline.c) */
    int nqcache;
    struct dg__loop_metrics m;
};

/* A compiled policy and the number of requests (plus the node) using it. */
struct dg__policy_ref {
    struct dg_policy *p;
    atomic_int refs;
};

struct dg_node {
    const struct dg_config *cfg;
    struct dg_server *srv;
    struct dg_directory *dir;
    pthread_mutex_t policy_lock;
    struct dg__policy_ref *policy;
    struct dg_note_signer *signer;
    struct dg_audit_log *audit;   /* the node's own log, or NULL ... */
    struct dg_auditd_client *seq; /* ... the audit sequencer (audit_sequencer) */
    struct dg_volume *volume;
    struct dg__node_loop *loops;
    int nloops;
    char state[3];
    char mid_prefix[24];
    bool test_audit_fail; /* DG_TEST_AUDIT_FAIL: every append fails (tests only) */
    int access_fd;        /* -1 off, 2 stderr, or a file we close */
    _Atomic uint64_t reloads_ok, reloads_failed, audit_failures;
    /* transparency.c (issue 9): counters, dashboard and statistics routes */
    struct dg_stats *stats;
    struct dg_store *stats_store;
    struct dg_dashboard *dash;
    struct dg_review_console *review; /* review.c (issue 7) */
};

/* node.c */
struct dg__policy_ref *dg__policy_get(struct dg_node *n);
void dg__policy_put(struct dg__policy_ref *r);

/* One request on its way through the pipeline. */
struct dg__q {
    struct dg_node *node;
    struct dg_req *req;
    int loop;
    enum dg_msg_form form;
    bool parsed;
    struct dg_msg_req m;
    const struct dg_agency *agency;
    struct dg__policy_ref *pol;
    struct dg_policy_request pr;
    struct dg_policy_decision d;
    char mid[41];
    int key_idx;
    enum dg__outcome outcome;
    int status;           /* HTTP status of the prepared answer */
    struct dg_buf answer; /* the prepared answer; kept when the object is reused */
    struct dg__q *next_free;
    /* From here on: set before use, not cleared when the object is reused. */
    struct dg_audit_entry entry;
    bool held_written; /* a held row to remove if the audit fails */
    int audit_rc;      /* set by the audit completion */
};

/* node.c: the audit log's figures (zeros when a sequencer keeps the log). */
void dg__audit_stats(struct dg_node *n, struct dg_audit_stats *out);

/* pipeline.c */
void dg__handle_post(struct dg_req *r, void *arg);
struct dg__q *dg__q_new(struct dg_node *n, struct dg_req *r);
void dg__q_free(struct dg__q *q);
void dg__q_cache_free(struct dg__node_loop *l);
/* Append q->entry and park; the answer goes out when it is durable. */
void dg__q_commit(struct dg__q *q);
/* Answer now without an audit record (only for what needs none). */
void dg__q_reply_now(struct dg__q *q);
/* Fill q->entry as a query entry for q->m with this decision. */
void dg__entry_query(struct dg__q *q, enum dg_audit_decision decision, const char *rule,
                     uint32_t released);

/* answer.c */
void dg__make_mid(struct dg_node *n, int loop, char out[41]);
enum dg_msg_form dg__form_of(struct dg_req *r, const char *body, size_t len, bool *bad_type);
const char *dg__content_type(enum dg_msg_form f);
/* Write an ER into q->answer (form q->form), addressed to ori. */
int dg__er(struct dg__q *q, const char *ori, enum dg_msg_status sts, int code, const char *field,
           long offset, const char *sentence, const char *rule);
/* Look the records of q->m up and write the response (redact applied) into
 * q->answer; *found gets the number of records. When the decision needs the
 * record (phase 2) the policy decides again here and may change q->d: when
 * it is then no longer an allow, nothing is written and the caller denies or
 * holds. Returns 0 or an error (a store failure: the caller answers FAILED). */
int dg__lookup_answer(struct dg__q *q, uint32_t redact, int *found);
/* Write resp into q->answer in q->form. */
int dg__resp_write(struct dg__q *q, struct dg_msg_resp *resp);

/* poll.c */
void dg__handle_poll(struct dg_req *r, void *arg);

/* transparency.c */
int dg__transparency_open(struct dg_node *n, struct dg_error *err);
void dg__transparency_count(struct dg_node *n, const struct dg_audit_entry *e);
void dg__transparency_metrics(struct dg_node *n, struct dg_buf *out);
void dg__transparency_close(struct dg_node *n);

/* review.c: the review console's routes and deadline sweeper */
int dg__review_open(struct dg_node *n, struct dg_error *err);
void dg__review_close(struct dg_node *n);

/* public.c */
void dg__handle_checkpoint(struct dg_req *r, void *arg);
void dg__handle_tile(struct dg_req *r, void *arg);
void dg__handle_proof(struct dg_req *r, void *arg);
void dg__handle_health(struct dg_req *r, void *arg);
void dg__handle_metrics(struct dg_req *r, void *arg);
void dg__metrics_count(struct dg_node *n, int loop, int key_idx, enum dg__outcome o,
                       uint64_t start_ns);

#endif
