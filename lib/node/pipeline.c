/*
 * pipeline.c - POST /v1/messages: every message through parse, identify,
 * decide, look up, audit and answer (the order and its reasons are in
 * node.h).
 *
 * The handler prepares the whole answer (body and status) and the audit entry
 * on the event loop, appends the entry asynchronously and parks the request.
 * The audit writer's completion (on its own thread) only records the result
 * and resumes the request on its loop, where the prepared answer goes out,
 * or, if the entry could not be made durable, a 503 with an ER FAILED in its
 * place. One fdatasync serves every request of a batch; no loop waits on it.
 */
#include "node_int.h"

#include <dmvgate/review.h>

#include <stdio.h>
#include <string.h>

/* Request objects are kept on a short free list per loop (they are made and
 * freed on the same loop), with their answer buffer, so that the common path
 * does not allocate them anew for every message. */
#define Q_CACHE 64

struct dg__q *dg__q_new(struct dg_node *n, struct dg_req *r)
{
    int loop = dg_req_loop(r);
    struct dg__node_loop *l = &n->loops[loop];
    struct dg__q *q = l->qcache;
    struct dg_buf keep;
    if (q) {
        l->qcache = q->next_free;
        l->nqcache--;
        keep = q->answer;
        dg_buf_reset(&keep);
        memset(q, 0, offsetof(struct dg__q, entry));
        q->answer = keep;
        q->held_written = false;
        q->audit_rc = 0;
    } else {
        q = dg_calloc(1, sizeof(*q));
        if (!q)
            return NULL;
        dg_buf_init(&q->answer, DG_MSG_MAX + 64);
    }
    q->node = n;
    q->req = r;
    q->loop = loop;
    q->key_idx = DG_KEY__COUNT;
    q->status = 500;
    dg__make_mid(n, q->loop, q->mid);
    return q;
}

void dg__q_free(struct dg__q *q)
{
    if (!q)
        return;
    if (q->pol)
        dg__policy_put(q->pol);
    q->pol = NULL;
    struct dg__node_loop *l = &q->node->loops[q->loop];
    if (l->nqcache < Q_CACHE && q->answer.cap <= 64 * 1024) {
        q->next_free = l->qcache;
        l->qcache = q;
        l->nqcache++;
        return;
    }
    dg_buf_release(&q->answer);
    dg_free(q);
}

void dg__q_cache_free(struct dg__node_loop *l)
{
    while (l->qcache) {
        struct dg__q *q = l->qcache;
        l->qcache = q->next_free;
        dg_buf_release(&q->answer);
        dg_free(q);
    }
    l->nqcache = 0;
}

static const char *answer_ori(struct dg__q *q)
{
    if (q->parsed)
        return q->m.ori;
    return dg_req_ori(q->req);
}

static void finish(struct dg__q *q)
{
    struct dg_req *r = q->req;
    dg_req_note(r, "mid", q->mid);
    if (q->key_idx < DG_KEY__COUNT)
        dg_req_note(r, "key", dg_key_name((enum dg_key)q->key_idx));
    dg_req_note(r, "outcome", dg__outcome_names[q->outcome]);
    dg__metrics_count(q->node, q->loop, q->key_idx, q->outcome, dg_req_start_ns(r));
    dg_req_reply(r, q->status, dg__content_type(q->form), q->answer.data ? q->answer.data : "",
                 q->answer.len);
    dg__q_free(q);
}

void dg__q_reply_now(struct dg__q *q)
{
    finish(q);
}

/* The audit log could not make the entry durable: nothing prepared may go
 * out. Answer 503 with the reason instead, and take back a held row. */
static void audit_failed(struct dg__q *q)
{
    struct dg_node *n = q->node;
    atomic_fetch_add_explicit(&n->audit_failures, 1, memory_order_relaxed);
    dg_log(DG_LOG_ERROR, "audit_failed", "mid", q->mid, "code", dg_errname(q->audit_rc), NULL);
    if (q->held_written) {
        struct dg_error e;
        if (dg_held_delete(n->loops[q->loop].store, q->mid, &e) != 0)
            dg_log(DG_LOG_ERROR, "held_not_removed", "mid", q->mid, "msg", e.msg, NULL);
    }
    bool busy = q->audit_rc == DG_EAGAIN;
    char sentence[200];
    snprintf(sentence, sizeof(sentence),
             busy ? "too many requests are waiting for the audit log; nothing was answered, try "
                    "again shortly"
                  : "the audit log cannot record this request (%s); nothing was answered, try "
                    "again later",
             dg_errname(q->audit_rc));
    q->outcome = DG__OUT_FAILED;
    q->status = 503;
    dg__er(q, answer_ori(q), DG_STS_FAILED, busy ? DG_EBUSY : DG_EAUDITDOWN, NULL, -1, sentence,
           NULL);
    dg_req_set_header(q->req, "Retry-After", "1");
}

static void resumed(struct dg_req *r, void *arg)
{
    (void)r;
    struct dg__q *q = arg;
    if (q->audit_rc < 0)
        audit_failed(q);
    else {
        dg__transparency_count(q->node, &q->entry);                  /* durable: count it */
        dg_review_notice_entry(q->node->review, q->loop, &q->entry); /* notify subject */
    }
    finish(q);
}

/* On the audit writer's thread: record and hand back to the loop. */
static void audit_done(void *arg, int status, uint64_t index)
{
    (void)index;
    struct dg__q *q = arg;
    q->audit_rc = status < 0 ? status : 0;
    dg_req_resume(q->req, resumed, q);
}

void dg__q_commit(struct dg__q *q)
{
    struct dg_node *n = q->node;
    dg_req_park(q->req);
    if (n->test_audit_fail) { /* DG_TEST_AUDIT_FAIL: as if the write failed */
        audit_done(q, DG_EIO, 0);
        return;
    }
    struct dg_error e;
    int rc = n->seq ? dg_auditd_append_entry_async(n->seq, &q->entry, audit_done, q, &e)
                    : dg_audit_append_entry_async(n->audit, &q->entry, audit_done, q, &e);
    if (rc != 0) {
        if (rc == DG_EENTRY)
            dg_log(DG_LOG_ERROR, "audit_entry_invalid", "mid", q->mid, "field", e.field, "msg",
                   e.msg, NULL);
        q->audit_rc = rc;
        audit_failed(q);
        finish(q);
    }
}

/* ---- audit entries ----------------------------------------------------------------- */

static void entry_security(struct dg__q *q, enum dg_audit_event ev, const char *claimed,
                           const char *detail)
{
    struct dg_audit_entry *e = &q->entry;
    dg_audit_entry_init(e, DG_AUDIT_SECURITY);
    snprintf(e->msg_id, sizeof(e->msg_id), "%s", q->mid);
    const char *ori = dg_req_ori(q->req);
    dg_audit_entry_requester(e, q->agency, ori);
    e->event = ev;
    if (claimed && dg_net_ori_valid(claimed, strlen(claimed)))
        snprintf(e->claimed_ori, sizeof(e->claimed_ori), "%s", claimed);
    snprintf(e->detail, sizeof(e->detail), "%s", detail);
}

void dg__entry_query(struct dg__q *q, enum dg_audit_decision decision, const char *rule,
                     uint32_t released)
{
    struct dg_audit_entry *e = &q->entry;
    dg_audit_entry_query(e, q->agency, &q->m, q->node->state, decision, rule);
    snprintf(e->msg_id, sizeof(e->msg_id), "%s", q->mid);
    if (decision != DG_DECISION_DENY && decision != DG_DECISION_ERROR) {
        e->redactions = q->d.redact;
        e->notify = q->d.notify;
    }
    e->released = released;
}

/* ---- the steps ------------------------------------------------------------------------ */

/* Refuse before the policy: an ER, a security entry, and the audit. */
static void refuse(struct dg__q *q, enum dg__outcome o, int status, enum dg_audit_event ev,
                   int code, const char *field, long offset, const char *sentence,
                   const char *detail)
{
    q->outcome = o;
    q->status = status;
    dg__er(q, dg_req_ori(q->req) ? dg_req_ori(q->req) : answer_ori(q), DG_STS_INVALID, code, field,
           offset, sentence, NULL);
    entry_security(q, ev, q->parsed ? q->m.ori : NULL, detail);
    dg__q_commit(q);
}

static void deny(struct dg__q *q)
{
    q->outcome = DG__OUT_DENY;
    q->status = 403;
    dg__er(q, q->m.ori, DG_STS_DENIED, DG_EDENIED, NULL, -1, q->d.reason, q->d.rule_name);
    dg__entry_query(q, DG_DECISION_DENY, q->d.rule_name, 0);
    dg__q_commit(q);
}

static void store_failure(struct dg__q *q, int rc)
{
    q->outcome = DG__OUT_FAILED;
    q->status = 503;
    if (rc == DG_ENODE)
        dg__er(q, q->m.ori, DG_STS_FAILED, DG_ENODE, NULL, -1,
               "the answer could not be built; the node's operator has been told", NULL);
    else
        dg__er(q, q->m.ori, DG_STS_FAILED, DG_ELOOKUP, NULL, -1,
               "the state's records could not be read; try again later", NULL);
    dg__entry_query(q, DG_DECISION_ERROR, dg_errname(rc), 0);
    dg__q_commit(q);
}

static void hold(struct dg__q *q)
{
    struct dg_node *n = q->node;
    struct dg_held h;
    memset(&h, 0, sizeof(h));
    memcpy(h.mid, q->mid, sizeof(h.mid));
    memcpy(h.ori, q->m.ori, sizeof(h.ori));
    h.created_us = dg_now_us();
    h.deadline_us = h.created_us + (int64_t)q->d.deadline_s * 1000000;
    h.expire_escalates = q->d.expiry == DG_POLICY_EXPIRE_ESCALATE;
    h.two_person = q->d.two_person;
    h.form = q->form;
    struct dg_buf text;
    dg_buf_init(&text, sizeof(h.request) - 1);
    int rc = dg_msg_req_to_text(&q->m, &text);
    if (rc == 0)
        memcpy(h.request, text.data, text.len + 1);
    dg_buf_release(&text);
    snprintf(h.rule, sizeof(h.rule), "%s", q->d.rule_name);
    snprintf(h.reason, sizeof(h.reason), "%s", q->d.reason);
    h.redact = q->d.redact;
    h.notify = q->d.notify;
    h.state = DG_HELD_PENDING;
    struct dg_error e;
    if (rc == 0)
        rc = dg_held_put(n->loops[q->loop].store, &h, &e);
    if (rc != 0) {
        atomic_fetch_add_explicit(&n->loops[q->loop].m.store_errors, 1, memory_order_relaxed);
        dg_log(DG_LOG_ERROR, "held_not_stored", "mid", q->mid, "code", dg_errname(rc), NULL);
        store_failure(q, rc);
        return;
    }
    q->held_written = true;
    struct dg_msg_resp *resp = NULL;
    rc = dg_msg_resp_begin_for(&resp, &q->m, n->state, q->mid, DG_STS_HELD, &e);
    if (rc == 0)
        rc = dg__resp_write(q, resp);
    dg_msg_resp_free(resp);
    q->outcome = DG__OUT_REVIEW;
    q->status = 202;
    char loc[80];
    snprintf(loc, sizeof(loc), "/v1/messages/%s", q->mid);
    dg_req_set_header(q->req, "Location", loc);
    dg__entry_query(q, DG_DECISION_REVIEW, q->d.rule_name, 0);
    dg__q_commit(q);
}

static void allow(struct dg__q *q)
{
    int found = 0;
    int rc = dg__lookup_answer(q, q->d.redact, &found);
    if (rc != 0) {
        store_failure(q, rc);
        return;
    }
    if (q->d.outcome == DG_POLICY_DENY) { /* phase 2, with the record */
        deny(q);
        return;
    }
    if (q->d.outcome == DG_POLICY_REVIEW) {
        hold(q);
        return;
    }
    q->outcome = DG__OUT_ALLOW;
    q->status = 200;
    dg__entry_query(q, DG_DECISION_ALLOW, q->d.rule_name, found ? q->m.asked & ~q->d.redact : 0);
    dg__q_commit(q);
}

void dg__handle_post(struct dg_req *r, void *arg)
{
    struct dg_node *n = arg;
    struct dg__q *q = dg__q_new(n, r);
    if (!q) {
        dg_req_error(r, 503, DG_ENOMEM, "out of memory");
        return;
    }
    size_t len;
    const char *body = dg_req_body(r, &len);
    bool bad_type;
    q->form = dg__form_of(r, body, len, &bad_type);
    const char *vori = dg_req_ori(r);
    q->agency = vori ? dg_directory_find(n->dir, vori, strlen(vori)) : NULL;
    char detail[96];
    if (bad_type) {
        refuse(q, DG__OUT_INVALID, 415, DG_EVENT_MALFORMED, DG_EMEDIATYPE, NULL, -1,
               "send the message as text/plain or application/json", "unsupported media type");
        return;
    }
    struct dg_error e;
    dg_error_clear(&e);
    int rc = q->form == DG_MSG_JSON ? dg_msg_req_parse_json(&q->m, body, len, &e)
                                    : dg_msg_req_parse_text(&q->m, body, len, &e);
    if (rc != 0) {
        /* The detail is public: the code and field, never a value. */
        snprintf(detail, sizeof(detail), "%s%s%s", dg_errname(rc), e.field[0] ? " " : "", e.field);
        refuse(q, DG__OUT_INVALID, 400, DG_EVENT_MALFORMED, rc, e.field, e.offset, e.msg, detail);
        return;
    }
    q->parsed = true;
    q->key_idx = q->m.key;
    char sentence[160];
    if (!vori) {
        refuse(q, DG__OUT_REFUSED, 403, DG_EVENT_BAD_CERTIFICATE, DG_ENOIDENT, "ORI", -1,
               "the connection does not identify an agency (a client certificate whose CN is "
               "the ORI)",
               "no verified ORI");
        return;
    }
    if (strcmp(vori, q->m.ori) != 0) {
        snprintf(sentence, sizeof(sentence),
                 "the message's ORI %s is not the ORI %s of the requester's certificate", q->m.ori,
                 vori);
        refuse(q, DG__OUT_REFUSED, 403, DG_EVENT_ORI_MISMATCH, DG_EORIMISMATCH, "ORI", -1, sentence,
               "message ORI differs from the certificate's");
        return;
    }
    if (!q->agency) {
        snprintf(sentence, sizeof(sentence), "agency %s is not in the agency directory", vori);
        refuse(q, DG__OUT_REFUSED, 403, DG_EVENT_UNKNOWN_AGENCY, DG_EUNKNOWNAGENCY, "ORI", -1,
               sentence, "ORI not in the directory");
        return;
    }
    int64_t now_s = dg_now_us() / 1000000;
    if (dg_policy_request_from_msg(&q->pr, &q->m, q->agency, n->state, now_s) != 0) {
        snprintf(sentence, sizeof(sentence), "this is the %s node; the message is not for %s",
                 n->state, n->state);
        snprintf(detail, sizeof(detail), "not addressed to %s", n->state);
        refuse(q, DG__OUT_INVALID, 400, DG_EVENT_MALFORMED, DG_ENOTFORSTATE, "DEST", -1, sentence,
               detail);
        return;
    }
    uint32_t count = 0;
    if (n->volume && dg_volume_hit(n->volume, vori, now_s, &count) == 0)
        q->pr.queries_last_hour = count;
    q->pol = dg__policy_get(n);
    dg_policy_decide(q->pol->p, &q->pr, NULL, &q->d);
    switch (q->d.outcome) {
    case DG_POLICY_DENY: deny(q); break;
    case DG_POLICY_REVIEW: hold(q); break;
    default: allow(q); break;
    }
}
