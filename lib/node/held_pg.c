/*
 * held_pg.c - the held-request store (held.h) on the PostgreSQL backend:
 * the node_held table in the shared database, so that a request held by one
 * node process is seen, decided and answered through any other.
 *
 * held.c dispatches here when the store is a PostgreSQL one. The decision is
 * one conditional UPDATE (state must still be pending), so two reviewers on
 * two node processes cannot both decide a request: the second gets DG_EPERM.
 * Statements are run with parameters per call (PQexecParams), as held.c
 * does for SQLite: the review path is a small part of the traffic.
 */
#include "held_int.h"

#include <dmvgate/store.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS                                                                                    \
    "mid, ori, created_us, deadline_us, escalate, two_person, form, request, rule, reason,"        \
    " redact, notify, state, reviewer, decision_reason, decided_us"

static int fail(PGconn *c, const PGresult *r, const char *what, struct dg_error *err)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[200];
    snprintf(line, sizeof(line), "%s", m ? m : PQerrorMessage(c));
    line[strcspn(line, "\n")] = '\0';
    return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot %s held request: %s", what, line);
}

static PGresult *run(PGconn *c, const char *sql, int n, const char *const *val, ExecStatusType want,
                     const char *what, struct dg_error *err, int *rc)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, val, NULL, NULL, 0);
    if (r && PQresultStatus(r) == want) {
        *rc = 0;
        return r;
    }
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    *rc = state && strcmp(state, "23505") == 0 ? DG_EEXIST : fail(c, r, what, err);
    PQclear(r);
    return NULL;
}

int dg__held_pg_put(struct dg_store *s, const struct dg_held *h, struct dg_error *err)
{
    PGconn *c = (PGconn *)dg_store_pg(s);
    char created[24], deadline[24], form[8], redact[16], state[8];
    snprintf(created, sizeof(created), "%lld", (long long)h->created_us);
    snprintf(deadline, sizeof(deadline), "%lld", (long long)h->deadline_us);
    snprintf(form, sizeof(form), "%d", (int)h->form);
    snprintf(redact, sizeof(redact), "%u", h->redact);
    snprintf(state, sizeof(state), "%d", (int)h->state);
    const char *val[13] = {h->mid,
                           h->ori,
                           created,
                           deadline,
                           h->expire_escalates ? "1" : "0",
                           h->two_person ? "1" : "0",
                           form,
                           h->request,
                           h->rule,
                           h->reason,
                           redact,
                           h->notify ? "1" : "0",
                           state};
    int rc;
    PGresult *r = run(c,
                      "INSERT INTO node_held (mid, ori, created_us, deadline_us, escalate,"
                      " two_person, form, request, rule, reason, redact, notify, state)"
                      " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
                      13, val, PGRES_COMMAND_OK, "store", err, &rc);
    PQclear(r);
    if (rc == DG_EEXIST)
        return dg_error_set(err, DG_EEXIST, "MID", -1, "held request '%s' already exists", h->mid);
    return rc;
}

static void copy_text(const PGresult *r, int row, int col, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static int64_t num(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static void read_row(const PGresult *r, int row, struct dg_held *h)
{
    memset(h, 0, sizeof(*h));
    copy_text(r, row, 0, h->mid, sizeof(h->mid));
    copy_text(r, row, 1, h->ori, sizeof(h->ori));
    h->created_us = num(r, row, 2);
    h->deadline_us = num(r, row, 3);
    h->expire_escalates = num(r, row, 4) != 0;
    h->two_person = num(r, row, 5) != 0;
    h->form = num(r, row, 6) == DG_MSG_JSON ? DG_MSG_JSON : DG_MSG_TEXT;
    copy_text(r, row, 7, h->request, sizeof(h->request));
    copy_text(r, row, 8, h->rule, sizeof(h->rule));
    copy_text(r, row, 9, h->reason, sizeof(h->reason));
    h->redact = (uint32_t)num(r, row, 10);
    h->notify = num(r, row, 11) != 0;
    int64_t state = num(r, row, 12);
    h->state = state >= DG_HELD_PENDING && state <= DG_HELD_EXPIRED ? (enum dg_held_state)state
                                                                    : DG_HELD_DENIED;
    copy_text(r, row, 13, h->reviewer, sizeof(h->reviewer));
    copy_text(r, row, 14, h->decision_reason, sizeof(h->decision_reason));
    h->decided_us = num(r, row, 15);
}

int dg__held_pg_get(struct dg_store *s, const char *mid, struct dg_held *out, struct dg_error *err)
{
    PGconn *c = (PGconn *)dg_store_pg(s);
    const char *val[1] = {mid};
    int rc;
    PGresult *r = run(c, "SELECT " COLUMNS " FROM node_held WHERE mid = $1", 1, val,
                      PGRES_TUPLES_OK, "read", err, &rc);
    if (!r)
        return rc;
    int n = PQntuples(r);
    if (n)
        read_row(r, 0, out);
    PQclear(r);
    return n ? 0 : dg_error_set(err, DG_ENOTFOUND, "MID", -1, "no held request '%s'", mid);
}

int dg__held_pg_decide(struct dg_store *s, const char *mid, enum dg_held_state to,
                       const char *reviewer, const char *reason, int64_t now_us,
                       struct dg_error *err)
{
    PGconn *c = (PGconn *)dg_store_pg(s);
    char st[8], now[24];
    snprintf(st, sizeof(st), "%d", (int)to);
    snprintf(now, sizeof(now), "%lld", (long long)now_us);
    const char *val[5] = {mid, st, reviewer ? reviewer : "", reason ? reason : "", now};
    int rc;
    PGresult *r = run(c,
                      "UPDATE node_held SET state = $2, reviewer = $3, decision_reason = $4,"
                      " decided_us = $5 WHERE mid = $1 AND state = 0",
                      5, val, PGRES_COMMAND_OK, "decide", err, &rc);
    if (!r)
        return rc;
    int changed = atoi(PQcmdTuples(r));
    PQclear(r);
    if (changed == 1)
        return 0;
    struct dg_held h;
    if ((rc = dg__held_pg_get(s, mid, &h, err)))
        return rc;
    return dg_error_set(err, DG_EPERM, "MID", -1, "held request '%s' was already %s", mid,
                        dg_held_state_name(h.state));
}

int dg__held_pg_delete(struct dg_store *s, const char *mid, struct dg_error *err)
{
    const char *val[1] = {mid};
    int rc;
    PQclear(run((PGconn *)dg_store_pg(s), "DELETE FROM node_held WHERE mid = $1", 1, val,
                PGRES_COMMAND_OK, "delete", err, &rc));
    return rc;
}

int dg__held_pg_each(struct dg_store *s, enum dg_held_state state,
                     int (*fn)(void *arg, const struct dg_held *h), void *arg, struct dg_error *err)
{
    char st[8];
    snprintf(st, sizeof(st), "%d", (int)state);
    const char *val[1] = {st};
    int rc;
    /* The whole list in one result, so fn may use the store meanwhile. */
    PGresult *r = run((PGconn *)dg_store_pg(s),
                      "SELECT " COLUMNS " FROM node_held WHERE state = $1"
                      " ORDER BY created_us, mid",
                      1, val, PGRES_TUPLES_OK, "list", err, &rc);
    if (!r)
        return rc;
    int n = 0, stop = 0;
    struct dg_held h;
    for (int i = 0; i < PQntuples(r) && !stop; i++) {
        read_row(r, i, &h);
        n++;
        stop = fn(arg, &h);
    }
    PQclear(r);
    return stop ? stop : n;
}
