/*
 * held.h - requests held for a state reviewer: the review queue's storage.
 *
 * When the policy says "review", the node stores the request here, answers
 * the requester 202 with the message id (MID), and the requester polls
 * GET /v1/messages/{MID}. A reviewer (the review console, issue 7) decides it
 * with dg_held_decide(); the node answers the next poll accordingly: an
 * approved request is looked up then (with the redactions the policy set) and
 * released after its audit record is durable; a denied one is an ER. A
 * request nobody decided by its deadline is denied at the next poll (or stays
 * held, for the policy's "then escalate").
 *
 * The rows live in the node's DMV store (table node_held, module "held" in
 * dg_store_migrate), so a restart keeps the queue. With a PostgreSQL store
 * the table is in the shared database: a request held by one node process is
 * polled, decided and answered through any other (the decision is one
 * conditional update, so two reviewers on two processes cannot both decide).
 *
 * Thread safety: as the store: one struct dg_store per thread. Every function
 * returns 0 (or a count) or a negative DG_E... code with err filled.
 */
#ifndef DMVGATE_HELD_H
#define DMVGATE_HELD_H

#include <dmvgate/core.h>
#include <dmvgate/msg.h>

#include <stdbool.h>
#include <stdint.h>

struct dg_store;

enum dg_held_state {
    DG_HELD_PENDING,  /* waiting for a reviewer */
    DG_HELD_APPROVED, /* a reviewer approved: the next poll gets the records */
    DG_HELD_DENIED,   /* a reviewer denied: the next poll gets an ER */
    DG_HELD_EXPIRED,  /* nobody decided by the deadline (policy: then deny) */
};
const char *dg_held_state_name(enum dg_held_state s); /* "pending", ... */

struct dg_held {
    char mid[41]; /* the message id the requester was given */
    char ori[10]; /* the verified requester: only it may poll */
    int64_t created_us;
    int64_t deadline_us;              /* when the policy's review deadline ends */
    bool expire_escalates;            /* at the deadline: true stays held, false denies */
    bool two_person;                  /* the policy wants two different approvers */
    enum dg_msg_form form;            /* the form the requester used, answers come in it */
    char request[DG_MSG_REQ_MAX + 1]; /* the request, canonical text form */
    char rule[201];                   /* the policy rule that held it */
    char reason[201];                 /* its reason */
    uint32_t redact;                  /* DG_FIELD_* bits to redact when released */
    bool notify;                      /* notify the subject when released */
    enum dg_held_state state;
    char reviewer[64];         /* who decided; "" while pending */
    char decision_reason[512]; /* the reviewer's reason (private: not in the answer) */
    int64_t decided_us;        /* 0 while pending */
};

/* Create or update the node_held table in s. Returns the number of steps
 * applied (0 when current) or an error. */
int dg_held_migrate(struct dg_store *s, struct dg_error *err);

/* Store a new held request (h->state should be PENDING). DG_EEXIST when the
 * MID is already there. */
int dg_held_put(struct dg_store *s, const struct dg_held *h, struct dg_error *err);

/* Read the held request mid into *out: 0, or DG_ENOTFOUND. */
int dg_held_get(struct dg_store *s, const char *mid, struct dg_held *out, struct dg_error *err);

/*
 * Decide a pending request: to is APPROVED, DENIED or EXPIRED; reviewer and
 * reason are recorded with now_us. Only a PENDING request changes (the update
 * is conditional, so two reviewers cannot both decide it): DG_EPERM when it
 * was already decided, DG_ENOTFOUND when there is no such MID, DG_EINVAL for
 * a bad target state.
 */
int dg_held_decide(struct dg_store *s, const char *mid, enum dg_held_state to, const char *reviewer,
                   const char *reason, int64_t now_us, struct dg_error *err);

/* Remove a held request (the node does this when the audit record of the hold
 * could not be written, so that nothing unaudited stays queued). */
int dg_held_delete(struct dg_store *s, const char *mid, struct dg_error *err);

/* Call fn for every held request in state, oldest first; stops when fn
 * returns non-zero and returns that; otherwise returns how many were visited. */
int dg_held_each(struct dg_store *s, enum dg_held_state state,
                 int (*fn)(void *arg, const struct dg_held *h), void *arg, struct dg_error *err);

#endif
