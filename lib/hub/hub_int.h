/*
 * hub_int.h - what the hub's files share: the hub itself, a message's job and
 * its legs (one per destination), the network-level blocks holder
 * (admin.c), the routing counts (counts.c) and the audit of refusals
 * (record.c). Not installed; lib/hub only.
 */
#ifndef DMVGATE_HUB_INT_H
#define DMVGATE_HUB_INT_H

#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/hub.h>
#include <dmvgate/msg.h>
#include <dmvgate/net.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#define DG__HUB_MAX_COMPONENTS 64 /* department/component pairs counted apart */

struct route {
    char state[3];
    char url[256];
};

struct job;

struct leg {
    struct job *job;
    char dest[3];
    int route;       /* index in routes, -1 when there is no route */
    const char *url; /* base URL of the node, NULL when there is no route */
    CURL *easy;
    struct curl_slist *headers;
    struct dg_buf body;
    long status;
    char ctype[64];
    CURLcode cc;
    /* A network-level block of dest refused the requester: the hub answers
     * for this leg once the refusal's audit entry is durable. */
    bool blocked;
    int audit_rc; /* the refusal's audit append: 0 or an error */
    char block_rule[64];
    char block_reason[DG_HUB_BLOCK_REASON_MAX];
};

struct job {
    struct dg_hub *hub;
    struct dg_req *req;
    struct dg_msg_req msg;
    const struct dg_agency *agency; /* the requester (directory entries outlive the hub's jobs) */
    bool is_get;                    /* a poll: GET path on one node */
    bool json;                      /* the request's form */
    char path[160];                 /* the node path to call */
    char ctype[64];                 /* the request's content type */
    char *body;                     /* the request body (owned) */
    size_t len;
    int nlegs;
    atomic_int pending; /* legs not done; the last one done resumes the request */
    struct leg legs[DG_HUB_MAX_FANOUT];
    struct job *next;
};

/* The routing counts since the hub started (counts.c). */
struct dg__hub_counts {
    /* [category][key DQ/RQ/IQ][route, or nroutes: no route][decision] */
    atomic_ullong *by_category;
    /* [component pair][key][route or nroutes] */
    atomic_ullong *by_component;
    /* [route or nroutes][block kind] */
    atomic_ullong *blocked;
    int ncomp; /* pairs in comp; index ncomp: "(other)" */
    char comp[DG__HUB_MAX_COMPONENTS][2][16];
};

struct dg_hub {
    const struct dg_config *cfg;
    struct dg_server *srv;
    struct dg_directory *dir;
    struct route routes[DG_HUB_MAX_ROUTES];
    int nroutes;
    char mid_prefix[24];

    CURLM *multi;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;
    struct job *queue; /* jobs waiting for the forwarding thread */
    atomic_bool stop;

    /* Network-level blocks (admin.c): read under the read lock by the
     * loops, replaced whole under the write lock by a reload or an edit. */
    pthread_rwlock_t blocks_lock;
    struct dg_hub_blocks *blocks;
    pthread_mutex_t edit_mu; /* one edit of the file at a time */
    int nadmins;
    struct {
        char state[3];
        char cn[64];
    } admins[DG_HUB_MAX_ROUTES];

    /* The hub's own audit log: refusals (security events and blocks). */
    struct dg_note_signer *signer;
    struct dg_audit_log *audit;

    /* Counts (counts.c). */
    struct dg_store *stats_store;
    struct dg_stats *stats;
    struct dg_dashboard *dash;
    struct dg__hub_counts counts;
    atomic_ullong forwarded, refused, failed_legs, blocked_legs, blocks_reloads;
    atomic_ullong mid_seq; /* the hub's own message ids, for the answers it makes */
};

/* hub.c */
void dg__hub_mid(struct dg_hub *h, char *out, size_t n);
int dg__hub_route_index(const struct dg_hub *h, const char *state);

/* admin.c: load the blocks file (when configured), parse hub_admins, add
 * the /v1/blocks routes. */
int dg__hub_admin_open(struct dg_hub *h, struct dg_error *err);
/* Reload hub_blocks (SIGHUP): on an error the blocks in force stay. */
void dg__hub_blocks_reload(struct dg_hub *h);
/* Mark the legs of j that a block refuses (under the read lock). Returns
 * how many. */
int dg__hub_blocks_apply(struct dg_hub *h, struct job *j);
void dg__hub_admin_close(struct dg_hub *h);

/* record.c: the hub's audit log. */
int dg__hub_audit_open(struct dg_hub *h, struct dg_error *err);
void dg__hub_audit_close(struct dg_hub *h);
/* Append the refusal of blocked leg l; the leg is done (leg_done) when the
 * entry is durable or the append failed (l->audit_rc). */
void dg__hub_record_block(struct dg_hub *h, struct leg *l, void (*done)(struct leg *l));
/* Refuse a request before routing it: record a security entry, then answer
 * status with body (owned by the call) once it is durable; 503 when it
 * cannot be recorded. ori: the certificate's ORI or NULL; claimed: the
 * message's. */
void dg__hub_refuse_recorded(struct dg_hub *h, struct dg_req *req, enum dg_audit_event ev,
                             const struct dg_agency *a, const char *ori, const char *claimed,
                             const char *detail, int status, const char *ctype,
                             struct dg_buf *body);

/* counts.c */
int dg__hub_counts_open(struct dg_hub *h, struct dg_error *err);
void dg__hub_counts_close(struct dg_hub *h);
/* Count every leg of a finished message job (on its loop). */
void dg__hub_count_job(struct dg_hub *h, const struct job *j);
void dg__hub_metrics(struct dg_req *req, void *arg);
void dg__hub_counts_json(struct dg_req *req, void *arg);

#endif
