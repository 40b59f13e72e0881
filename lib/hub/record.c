/*
 * record.c - the hub's audit log: what the hub itself refuses. A node records
 * every query it decides; the hub decides only refusals (a certificate that
 * does not match the message, a requester not in the directory, a state's
 * network-level block), and records each in its own log, in the same entry
 * format (docs/audit.md), before the refusal is answered.
 */
#include "hub_int.h"

#include <stdio.h>
#include <string.h>

int dg__hub_audit_open(struct dg_hub *h, struct dg_error *err)
{
    const struct dg_config *c = h->cfg;
    struct dg_buf key;
    dg_buf_init(&key, 4096);
    int rc = dg_buf_read_file(&key, c->audit_key, err);
    if (rc == 0)
        rc = dg_note_signer_parse(key.data ? key.data : "", key.len, &h->signer, err);
    if (key.data)
        memset(key.data, 0, key.len);
    dg_buf_release(&key);
    if (rc != 0) {
        if (err)
            snprintf(err->field, sizeof(err->field), "audit_key");
        return rc;
    }
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = c->audit_dir;
    o.signer = h->signer;
    o.flags = DG_AUDIT_CREATE;
    o.max_batch = (unsigned)c->audit_batch_max;
    o.max_wait_us = (unsigned)c->audit_batch_wait_us;
    if (o.max_pending < o.max_batch)
        o.max_pending = o.max_batch;
    return dg_audit_open(&o, &h->audit, err);
}

void dg__hub_audit_close(struct dg_hub *h)
{
    if (h->audit) {
        int rc = dg_audit_close(h->audit);
        if (rc != 0)
            dg_log(DG_LOG_ERROR, "audit_close_failed", "code", dg_errname(rc), NULL);
        h->audit = NULL;
    }
    dg_note_signer_free(h->signer);
    h->signer = NULL;
}

/* ---- a blocked leg ----------------------------------------------------------- */

struct block_rec {
    struct leg *leg;
    void (*done)(struct leg *l);
};

static void block_recorded(void *arg, int status, uint64_t index)
{
    (void)index;
    struct block_rec *b = arg;
    struct leg *l = b->leg;
    void (*done)(struct leg *) = b->done;
    dg_free(b);
    l->audit_rc = status < 0 ? status : 0;
    if (status < 0)
        dg_log(DG_LOG_ERROR, "hub_audit_failed", "code", dg_errname(status), NULL);
    done(l);
}

void dg__hub_record_block(struct dg_hub *h, struct leg *l, void (*done)(struct leg *l))
{
    struct job *j = l->job;
    struct dg_audit_entry *e = dg_malloc(sizeof(*e));
    struct block_rec *b = dg_malloc(sizeof(*b));
    int rc = e && b ? 0 : DG_ENOMEM;
    struct dg_error err;
    dg_error_clear(&err);
    if (rc == 0) {
        dg_audit_entry_query(e, j->agency, &j->msg, l->dest, DG_DECISION_DENY, l->block_rule);
        dg__hub_mid(h, e->msg_id, sizeof(e->msg_id));
        b->leg = l;
        b->done = done;
        rc = dg_audit_append_entry_async(h->audit, e, block_recorded, b, &err);
    }
    dg_free(e);
    if (rc != 0) {
        dg_free(b);
        dg_log(DG_LOG_ERROR, "hub_audit_failed", "code", dg_errname(rc), "msg", err.msg, NULL);
        l->audit_rc = rc;
        done(l);
    }
}

/* ---- a refusal before routing ------------------------------------------------- */

struct refusal {
    struct dg_hub *hub;
    struct dg_req *req;
    int status, audit_rc;
    char ctype[32];
    struct dg_buf body;
};

static void refusal_reply(struct dg_req *req, void *arg)
{
    struct refusal *r = arg;
    if (r->audit_rc == 0)
        dg_req_reply(req, r->status, r->ctype, r->body.data ? r->body.data : "", r->body.len);
    else {
        dg_req_set_header(req, "Retry-After", "1");
        dg_req_error(req, 503, DG_EAUDITDOWN,
                     "the hub's audit log cannot record the refusal; nothing was forwarded");
    }
    dg_buf_release(&r->body);
    dg_free(r);
}

static void refusal_recorded(void *arg, int status, uint64_t index)
{
    (void)index;
    struct refusal *r = arg;
    r->audit_rc = status < 0 ? status : 0;
    if (status < 0)
        dg_log(DG_LOG_ERROR, "hub_audit_failed", "code", dg_errname(status), NULL);
    dg_req_resume(r->req, refusal_reply, r);
}

void dg__hub_refuse_recorded(struct dg_hub *h, struct dg_req *req, enum dg_audit_event ev,
                             const struct dg_agency *a, const char *ori, const char *claimed,
                             const char *detail, int status, const char *ctype, struct dg_buf *body)
{
    struct refusal *r = dg_calloc(1, sizeof(*r));
    struct dg_audit_entry *e = dg_malloc(sizeof(*e));
    if (!r || !e) {
        dg_free(r);
        dg_free(e);
        dg_buf_release(body);
        dg_req_error(req, 503, DG_ENOMEM, "out of memory");
        return;
    }
    r->hub = h;
    r->req = req;
    r->status = status;
    snprintf(r->ctype, sizeof(r->ctype), "%s", ctype);
    r->body = *body; /* takes the buffer */
    dg_buf_init(body, body->max);

    dg_audit_entry_init(e, DG_AUDIT_SECURITY);
    dg__hub_mid(h, e->msg_id, sizeof(e->msg_id));
    dg_audit_entry_requester(e, a, ori);
    e->event = ev;
    if (claimed && dg_net_ori_valid(claimed, strlen(claimed)))
        snprintf(e->claimed_ori, sizeof(e->claimed_ori), "%s", claimed);
    snprintf(e->detail, sizeof(e->detail), "%s", detail);
    struct dg_error err;
    dg_error_clear(&err);
    dg_req_park(req);
    int rc = dg_audit_append_entry_async(h->audit, e, refusal_recorded, r, &err);
    dg_free(e);
    if (rc != 0) {
        dg_log(DG_LOG_ERROR, "hub_audit_failed", "code", dg_errname(rc), "msg", err.msg, NULL);
        r->audit_rc = rc;
        refusal_reply(req, r); /* on this loop, as a parked request may be */
    }
}
