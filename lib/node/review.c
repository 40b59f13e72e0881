/*
 * review.c - the node's side of the review console (issue 7, lib/review): it
 * adds the console's routes and deadline sweeper to the node, and lends it
 * the node's audit log (its own, or the sequencer) for the reviewers'
 * entries. Kept apart from the pipeline so that the pipeline only calls in.
 */
#include "node_int.h"

#include <dmvgate/review.h>

struct console_append {
    void (*done)(void *arg, int status);
    void *arg;
};

static void append_done(void *arg, int status, uint64_t index)
{
    (void)index;
    struct console_append *a = arg;
    a->done(a->arg, status);
    dg_free(a);
}

static int console_audit(void *arg, const struct dg_audit_entry *e, void (*done)(void *, int),
                         void *done_arg)
{
    struct dg_node *n = arg;
    if (n->test_audit_fail)
        return DG_EIO;
    struct console_append *a = dg_malloc(sizeof(*a));
    if (!a)
        return DG_ENOMEM;
    a->done = done;
    a->arg = done_arg;
    struct dg_error err;
    int rc = n->seq     ? dg_auditd_append_entry_async(n->seq, e, append_done, a, &err)
             : n->audit ? dg_audit_append_entry_async(n->audit, e, append_done, a, &err)
                        : DG_ELOGCLOSED;
    if (rc != 0) {
        dg_log(DG_LOG_ERROR, "review_audit_refused", "code", dg_errname(rc), NULL);
        dg_free(a);
    }
    return rc;
}

int dg__review_open(struct dg_node *n, struct dg_error *err)
{
    struct dg_review_console_options o = {
        .store = n->cfg->store,
        .dir = n->dir,
        .policy_file = n->cfg->policy,
        .audit = console_audit,
        .audit_arg = n,
    };
    return dg_review_console_add(n->srv, &o, &n->review, err);
}

void dg__review_close(struct dg_node *n)
{
    dg_review_console_free(n->review);
    n->review = NULL;
}
