/*
 * poll.c - GET /v1/messages/{MID}: the answer to a held request, once a
 * reviewer decided it (held.h says how the queue works).
 *
 * Only the agency that sent the request may poll it; to anyone else the MID
 * does not exist (404), so that MIDs reveal nothing. Still pending: 202 with
 * the HELD response again. Approved: the records are looked up now, with the
 * redactions the policy set when it held the request, and released after a
 * query entry (decision allow, the rule prefixed "approved on review: ") is
 * durable. Denied by a reviewer, or past the deadline: an ER DENIED. A
 * deadline that passes is recorded once, as a review entry by "(deadline)".
 */
#include "node_int.h"

#include <stdio.h>
#include <string.h>

static bool mid_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

static void held_again(struct dg__q *q)
{
    struct dg_msg_resp *resp = NULL;
    struct dg_error e;
    int rc = dg_msg_resp_begin_for(&resp, &q->m, q->node->state, q->mid, DG_STS_HELD, &e);
    if (rc == 0)
        rc = dg__resp_write(q, resp);
    dg_msg_resp_free(resp);
    q->outcome = DG__OUT_REVIEW;
    q->status = 202;
    dg__q_reply_now(q);
}

static void denied(struct dg__q *q, const struct dg_held *h, bool deadline)
{
    q->outcome = DG__OUT_DENY;
    q->status = 403;
    char sentence[300];
    if (deadline)
        snprintf(sentence, sizeof(sentence),
                 "no state reviewer decided the request before its deadline (%.150s)", h->reason);
    else
        snprintf(sentence, sizeof(sentence), "a state reviewer refused the request (%.150s)",
                 h->reason);
    dg__er(q, q->m.ori, DG_STS_DENIED, deadline ? DG_EDEADLINE : DG_EREVIEWDENIED, NULL, -1,
           sentence, h->rule);
}

void dg__handle_poll(struct dg_req *r, void *arg)
{
    struct dg_node *n = arg;
    const char *mid = dg_req_path(r) + strlen("/v1/messages/");
    const char *vori = dg_req_ori(r);
    if (!vori) {
        dg_req_error(r, 403, DG_ENOIDENT, "the connection does not identify an agency");
        return;
    }
    struct dg_held h;
    struct dg_error e;
    int rc = mid_ok(mid) ? dg_held_get(n->loops[dg_req_loop(r)].store, mid, &h, &e) : DG_ENOTFOUND;
    if (rc == 0 && strcmp(h.ori, vori) != 0)
        rc = DG_ENOTFOUND; /* someone else's: it does not exist for this requester */
    if (rc != 0) {
        if (rc != DG_ENOTFOUND)
            dg_log(DG_LOG_ERROR, "held_unreadable", "code", dg_errname(rc), NULL);
        dg_req_error(r, rc == DG_ENOTFOUND ? 404 : 503, rc == DG_ENOTFOUND ? DG_ENOTFOUND : rc,
                     rc == DG_ENOTFOUND ? "no such message" : "the review queue cannot be read");
        return;
    }
    struct dg__q *q = dg__q_new(n, r);
    if (!q) {
        dg_req_error(r, 503, DG_ENOMEM, "out of memory");
        return;
    }
    memcpy(q->mid, h.mid, sizeof(q->mid)); /* answers carry the request's MID */
    q->form = h.form;
    q->agency = dg_directory_find(n->dir, vori, strlen(vori));
    rc = dg_msg_req_parse_text(&q->m, h.request, strlen(h.request), &e);
    if (rc != 0) {
        dg_log(DG_LOG_ERROR, "held_request_unreadable", "mid", h.mid, NULL);
        q->outcome = DG__OUT_FAILED;
        q->status = 503;
        dg__er(q, vori, DG_STS_FAILED, DG_ENODE, NULL, -1, "the held request cannot be read", NULL);
        dg__q_reply_now(q);
        return;
    }
    q->parsed = true;
    q->key_idx = q->m.key;
    int64_t now = dg_now_us();

    if (h.state == DG_HELD_PENDING && now >= h.deadline_us && !h.expire_escalates) {
        rc = dg_held_decide(n->loops[q->loop].store, h.mid, DG_HELD_EXPIRED, "(deadline)",
                            "review deadline passed", now, &e);
        if (rc == 0) {
            /* Record the expiry once, then answer. */
            denied(q, &h, true);
            struct dg_audit_entry *en = &q->entry;
            dg_audit_entry_init(en, DG_AUDIT_REVIEW);
            snprintf(en->msg_id, sizeof(en->msg_id), "%s", h.mid);
            en->action = DG_ACTION_DENY;
            snprintf(en->reviewer, sizeof(en->reviewer), "(deadline)");
            snprintf(en->reason, sizeof(en->reason), "review deadline passed");
            dg__q_commit(q);
            return;
        }
        if (dg_held_get(n->loops[q->loop].store, h.mid, &h, &e) != 0) { /* raced: re-read */
            dg__q_free(q);
            dg_req_error(r, 503, DG_ESTORE, "the review queue cannot be read");
            return;
        }
    }
    switch (h.state) {
    case DG_HELD_PENDING: held_again(q); return;
    case DG_HELD_DENIED:
    case DG_HELD_EXPIRED:
        denied(q, &h, h.state == DG_HELD_EXPIRED);
        dg__q_reply_now(q);
        return;
    case DG_HELD_APPROVED: break;
    }
    /* Approved: look up now, release after the audit record. */
    q->d.outcome = DG_POLICY_ALLOW;
    q->d.redact = h.redact;
    q->d.notify = h.notify;
    q->d.rule_name = h.rule;
    q->d.reason = "";
    int found = 0;
    rc = dg__lookup_answer(q, h.redact, &found);
    char rule[256];
    snprintf(rule, sizeof(rule), "approved on review: %s", h.rule);
    if (rc != 0) {
        q->outcome = DG__OUT_FAILED;
        q->status = 503;
        dg__er(q, q->m.ori, DG_STS_FAILED, DG_ELOOKUP, NULL, -1,
               "the state's records could not be read; try again later", NULL);
        dg__entry_query(q, DG_DECISION_ERROR, rule, 0);
    } else {
        q->outcome = DG__OUT_ALLOW;
        q->status = 200;
        dg__entry_query(q, DG_DECISION_ALLOW, rule, found ? q->m.asked & ~h.redact : 0);
    }
    dg__q_commit(q);
}
