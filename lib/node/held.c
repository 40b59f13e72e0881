/*
 * held.c - the held-request store (held.h): the node_held table in the node's
 * SQLite store, written when the policy holds a request for review and read
 * when the requester polls or a reviewer decides.
 *
 * Statements are prepared per call: this is the review path, a small fraction
 * of the traffic, and keeping no statements means nothing to finalize when a
 * store closes.
 */
#include "held_int.h"

#include <dmvgate/store.h>

#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

static const struct dg_migration migrations[] = {
    {1, "held requests",
     "CREATE TABLE node_held ("
     " mid TEXT PRIMARY KEY,"
     " ori TEXT NOT NULL,"
     " created_us INTEGER NOT NULL,"
     " deadline_us INTEGER NOT NULL,"
     " escalate INTEGER NOT NULL,"
     " two_person INTEGER NOT NULL,"
     " form INTEGER NOT NULL,"
     " request TEXT NOT NULL,"
     " rule TEXT NOT NULL,"
     " reason TEXT NOT NULL,"
     " redact INTEGER NOT NULL,"
     " notify INTEGER NOT NULL,"
     " state INTEGER NOT NULL,"
     " reviewer TEXT NOT NULL DEFAULT '',"
     " decision_reason TEXT NOT NULL DEFAULT '',"
     " decided_us INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX node_held_state ON node_held(state, created_us);",
     "CREATE TABLE node_held ("
     " mid text COLLATE \"C\" PRIMARY KEY,"
     " ori text NOT NULL,"
     " created_us bigint NOT NULL,"
     " deadline_us bigint NOT NULL,"
     " escalate integer NOT NULL,"
     " two_person integer NOT NULL,"
     " form integer NOT NULL,"
     " request text NOT NULL,"
     " rule text NOT NULL,"
     " reason text NOT NULL,"
     " redact bigint NOT NULL,"
     " notify integer NOT NULL,"
     " state integer NOT NULL,"
     " reviewer text NOT NULL DEFAULT '',"
     " decision_reason text NOT NULL DEFAULT '',"
     " decided_us bigint NOT NULL DEFAULT 0);"
     "CREATE INDEX node_held_state ON node_held (state, created_us);"},
};

const char *dg_held_state_name(enum dg_held_state s)
{
    switch (s) {
    case DG_HELD_PENDING: return "pending";
    case DG_HELD_APPROVED: return "approved";
    case DG_HELD_DENIED: return "denied";
    case DG_HELD_EXPIRED: return "expired";
    }
    return "?";
}

static sqlite3 *db_of(struct dg_store *s, struct dg_error *err)
{
    sqlite3 *db = dg_store_sqlite(s);
    if (!db)
        dg_error_set(err, DG_EINVAL, NULL, -1,
                     "held requests are kept in an SQLite or a PostgreSQL store");
    return db;
}

/* A PostgreSQL store: the node_held table in the shared database (held_pg.c). */
static bool is_pg(struct dg_store *s)
{
    return dg_store_pg(s) != NULL;
}

static int fail(sqlite3 *db, struct dg_error *err, const char *what)
{
    return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot %s held request: %s", what,
                        sqlite3_errmsg(db));
}

int dg_held_migrate(struct dg_store *s, struct dg_error *err)
{
    if (!is_pg(s) && !db_of(s, err))
        return DG_EINVAL;
    return dg_store_migrate(s, "held", migrations, DG_ARRAY_LEN(migrations), err);
}

int dg_held_put(struct dg_store *s, const struct dg_held *h, struct dg_error *err)
{
    if (is_pg(s))
        return dg__held_pg_put(s, h, err);
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO node_held (mid, ori, created_us, deadline_us, escalate,"
                           " two_person, form, request, rule, reason, redact, notify, state)"
                           " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "store");
    sqlite3_bind_text(st, 1, h->mid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, h->ori, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, h->created_us);
    sqlite3_bind_int64(st, 4, h->deadline_us);
    sqlite3_bind_int(st, 5, h->expire_escalates);
    sqlite3_bind_int(st, 6, h->two_person);
    sqlite3_bind_int(st, 7, (int)h->form);
    sqlite3_bind_text(st, 8, h->request, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, h->rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, h->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, h->redact);
    sqlite3_bind_int(st, 12, h->notify);
    sqlite3_bind_int(st, 13, (int)h->state);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return dg_error_set(err, DG_EEXIST, "MID", -1, "held request '%s' already exists", h->mid);
    return rc == SQLITE_DONE ? 0 : fail(db, err, "store");
}

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *st, struct dg_held *h)
{
    memset(h, 0, sizeof(*h));
    copy_text(st, 0, h->mid, sizeof(h->mid));
    copy_text(st, 1, h->ori, sizeof(h->ori));
    h->created_us = sqlite3_column_int64(st, 2);
    h->deadline_us = sqlite3_column_int64(st, 3);
    h->expire_escalates = sqlite3_column_int(st, 4) != 0;
    h->two_person = sqlite3_column_int(st, 5) != 0;
    h->form = sqlite3_column_int(st, 6) == DG_MSG_JSON ? DG_MSG_JSON : DG_MSG_TEXT;
    copy_text(st, 7, h->request, sizeof(h->request));
    copy_text(st, 8, h->rule, sizeof(h->rule));
    copy_text(st, 9, h->reason, sizeof(h->reason));
    h->redact = (uint32_t)sqlite3_column_int64(st, 10);
    h->notify = sqlite3_column_int(st, 11) != 0;
    int state = sqlite3_column_int(st, 12);
    h->state = state >= DG_HELD_PENDING && state <= DG_HELD_EXPIRED ? (enum dg_held_state)state
                                                                    : DG_HELD_DENIED;
    copy_text(st, 13, h->reviewer, sizeof(h->reviewer));
    copy_text(st, 14, h->decision_reason, sizeof(h->decision_reason));
    h->decided_us = sqlite3_column_int64(st, 15);
}

#define COLUMNS                                                                                    \
    "mid, ori, created_us, deadline_us, escalate, two_person, form, request, rule, reason,"        \
    " redact, notify, state, reviewer, decision_reason, decided_us"

int dg_held_get(struct dg_store *s, const char *mid, struct dg_held *out, struct dg_error *err)
{
    if (is_pg(s))
        return dg__held_pg_get(s, mid, out, err);
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT " COLUMNS " FROM node_held WHERE mid = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return fail(db, err, "read");
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "MID", -1, "no held request '%s'", mid);
    return fail(db, err, "read");
}

int dg_held_decide(struct dg_store *s, const char *mid, enum dg_held_state to, const char *reviewer,
                   const char *reason, int64_t now_us, struct dg_error *err)
{
    if (to != DG_HELD_APPROVED && to != DG_HELD_DENIED && to != DG_HELD_EXPIRED)
        return dg_error_set(err, DG_EINVAL, NULL, -1,
                            "a held request is decided to approved, "
                            "denied or expired");
    if (is_pg(s))
        return dg__held_pg_decide(s, mid, to, reviewer, reason, now_us, err);
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "UPDATE node_held SET state = ?2, reviewer = ?3, decision_reason = ?4,"
                           " decided_us = ?5 WHERE mid = ?1 AND state = 0",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "decide");
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)to);
    sqlite3_bind_text(st, 3, reviewer ? reviewer : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, reason ? reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_us);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, err, "decide");
    if (sqlite3_changes(db) == 1)
        return 0;
    struct dg_held h;
    rc = dg_held_get(s, mid, &h, err);
    if (rc != 0)
        return rc;
    return dg_error_set(err, DG_EPERM, "MID", -1, "held request '%s' was already %s", mid,
                        dg_held_state_name(h.state));
}

int dg_held_delete(struct dg_store *s, const char *mid, struct dg_error *err)
{
    if (is_pg(s))
        return dg__held_pg_delete(s, mid, err);
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "DELETE FROM node_held WHERE mid = ?1", -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "delete");
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(db, err, "delete");
}

int dg_held_each(struct dg_store *s, enum dg_held_state state,
                 int (*fn)(void *arg, const struct dg_held *h), void *arg, struct dg_error *err)
{
    if (is_pg(s))
        return dg__held_pg_each(s, state, fn, arg, err);
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT " COLUMNS " FROM node_held WHERE state = ?1"
                           " ORDER BY created_us, mid",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "list");
    sqlite3_bind_int(st, 1, (int)state);
    int n = 0, rc;
    struct dg_held h;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &h);
        n++;
        int stop = fn(arg, &h);
        if (stop) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : fail(db, err, "list");
}
