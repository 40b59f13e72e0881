/*
 * user.c - the review console's accounts (review.h): the review_users table,
 * Argon2id password hashes through libsodium, login checks with a lockout
 * after repeated failures.
 */
#include <dmvgate/review.h>
#include <dmvgate/store.h>

#include <sodium.h>
#include <sqlite3.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct dg_migration migrations[] = {
    {1, "review accounts",
     "CREATE TABLE review_users ("
     " name TEXT PRIMARY KEY,"
     " role INTEGER NOT NULL,"
     " ori TEXT NOT NULL DEFAULT '',"
     " hash TEXT NOT NULL,"
     " created_us INTEGER NOT NULL,"
     " failures INTEGER NOT NULL DEFAULT 0,"
     " locked_until_us INTEGER NOT NULL DEFAULT 0);",
     "CREATE TABLE review_users ("
     " name text COLLATE \"C\" PRIMARY KEY,"
     " role integer NOT NULL,"
     " ori text NOT NULL DEFAULT '',"
     " hash text NOT NULL,"
     " created_us bigint NOT NULL,"
     " failures integer NOT NULL DEFAULT 0,"
     " locked_until_us bigint NOT NULL DEFAULT 0);"},
    {2, "review approvals, notices and escalations",
     "CREATE TABLE review_approvals ("
     " mid TEXT NOT NULL, name TEXT NOT NULL, at_us INTEGER NOT NULL, PRIMARY KEY (mid, name));"
     "CREATE TABLE review_notices ("
     " mid TEXT PRIMARY KEY, ori TEXT NOT NULL, agency TEXT NOT NULL,"
     " asked_us INTEGER NOT NULL, released_us INTEGER NOT NULL, purpose TEXT NOT NULL,"
     " legal_process TEXT NOT NULL, legal_number TEXT NOT NULL, case_number TEXT NOT NULL,"
     " subject TEXT NOT NULL, fields TEXT NOT NULL,"
     " sent_us INTEGER NOT NULL DEFAULT 0, sent_by TEXT NOT NULL DEFAULT '');"
     "CREATE TABLE review_escalations (mid TEXT PRIMARY KEY, at_us INTEGER NOT NULL);",
     "CREATE TABLE review_approvals ("
     " mid text NOT NULL, name text NOT NULL, at_us bigint NOT NULL, PRIMARY KEY (mid, name));"
     "CREATE TABLE review_notices ("
     " mid text PRIMARY KEY, ori text NOT NULL, agency text NOT NULL,"
     " asked_us bigint NOT NULL, released_us bigint NOT NULL, purpose text NOT NULL,"
     " legal_process text NOT NULL, legal_number text NOT NULL, case_number text NOT NULL,"
     " subject text NOT NULL, fields text NOT NULL,"
     " sent_us bigint NOT NULL DEFAULT 0, sent_by text NOT NULL DEFAULT '');"
     "CREATE TABLE review_escalations (mid text PRIMARY KEY, at_us bigint NOT NULL);"},
};

static const char *const role_names[] = {NULL, "reviewer", "supervisor", "auditor", "admin"};

const char *dg_role_name(enum dg_user_role r)
{
    if ((int)r < DG_ROLE_REVIEWER || (int)r > DG_ROLE_ADMIN)
        return "?";
    return role_names[r];
}

int dg_role_parse(const char *name, enum dg_user_role *out)
{
    for (int r = DG_ROLE_REVIEWER; r <= DG_ROLE_ADMIN; r++)
        if (name && strcmp(name, role_names[r]) == 0) {
            *out = (enum dg_user_role)r;
            return 0;
        }
    return DG_EINVAL;
}

static sqlite3 *db_of(struct dg_store *s, struct dg_error *err)
{
    sqlite3 *db = dg_store_sqlite(s);
    if (!db)
        dg_error_set(err, DG_EINVAL, NULL, -1, "review accounts are kept in an SQLite store only");
    return db;
}

static int fail(sqlite3 *db, struct dg_error *err, const char *what)
{
    return dg_error_set(err, DG_ESTORE, NULL, -1, "cannot %s account: %s", what,
                        sqlite3_errmsg(db));
}

static int sodium_ready(struct dg_error *err)
{
    if (sodium_init() < 0)
        return dg_error_set(err, DG_EREVIEW, NULL, -1, "cannot initialize libsodium");
    return 0;
}

int dg_review_migrate(struct dg_store *s, struct dg_error *err)
{
    if (!db_of(s, err))
        return DG_EINVAL;
    return dg_store_migrate(s, "review", migrations, DG_ARRAY_LEN(migrations), err);
}

int dg_user_name_check(const char *name, struct dg_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > DG_USER_NAME_MAX)
        return dg_error_set(err, DG_EINVAL, "name", -1, "account name must be 1 to %d characters",
                            DG_USER_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok)
            return dg_error_set(err, DG_EINVAL, "name", (long)i,
                                "account name '%s' may hold only a-z, 0-9, '.', '_', '-'", name);
    }
    return 0;
}

static int ori_check(const char *ori, struct dg_error *err)
{
    if (!ori || !*ori)
        return 0;
    if (strlen(ori) != 9)
        return dg_error_set(err, DG_EINVAL, "ORI", -1, "agency '%s' is not a 9-character ORI", ori);
    for (const char *p = ori; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return dg_error_set(err, DG_EINVAL, "ORI", p - ori,
                                "agency '%s' is not a 9-character ORI", ori);
    return 0;
}

static int pw_check(const char *pw, size_t len, struct dg_error *err)
{
    if (!pw || len < DG_USER_PASSWORD_MIN || len > DG_USER_PASSWORD_MAX)
        return dg_error_set(err, DG_EINVAL, "password", -1, "password must be %d to %d bytes",
                            DG_USER_PASSWORD_MIN, DG_USER_PASSWORD_MAX);
    if (memchr(pw, '\0', len))
        return dg_error_set(err, DG_EINVAL, "password", -1, "password must not hold a NUL byte");
    return 0;
}

int dg_user_add(struct dg_store *s, const char *name, enum dg_user_role role, const char *ori,
                const char *pw, size_t len, int64_t now_us, struct dg_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    int rc = dg_user_name_check(name, err);
    if (rc)
        return rc;
    if ((int)role < DG_ROLE_REVIEWER || (int)role > DG_ROLE_ADMIN)
        return dg_error_set(err, DG_EINVAL, "role", -1, "unknown role %d", (int)role);
    if ((rc = ori_check(ori, err)) || (rc = pw_check(pw, len, err)) || (rc = sodium_ready(err)))
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "cannot hash the password");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO review_users (name, role, ori, hash, created_us)"
                           " VALUES (?1,?2,?3,?4,?5)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "add");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)role);
    sqlite3_bind_text(st, 3, ori ? ori : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_us);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    sodium_memzero(hash, sizeof(hash));
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return dg_error_set(err, DG_EEXIST, "name", -1, "account '%s' already exists", name);
    return rc == SQLITE_DONE ? 0 : fail(db, err, "add");
}

#define USER_COLS "name, role, ori, created_us, failures, locked_until_us"

static void row_user(sqlite3_stmt *st, struct dg_user *u)
{
    memset(u, 0, sizeof(*u));
    snprintf(u->name, sizeof(u->name), "%s", (const char *)sqlite3_column_text(st, 0));
    u->role = (enum dg_user_role)sqlite3_column_int(st, 1);
    snprintf(u->ori, sizeof(u->ori), "%s", (const char *)sqlite3_column_text(st, 2));
    u->created_us = sqlite3_column_int64(st, 3);
    u->failures = sqlite3_column_int(st, 4);
    u->locked_until_us = sqlite3_column_int64(st, 5);
}

/* The account and its hash (hash may be NULL). */
static int get(sqlite3 *db, const char *name, struct dg_user *out, char *hash, size_t hash_size,
               struct dg_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT " USER_COLS ", hash FROM review_users WHERE name = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return fail(db, err, "read");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_user(st, out);
        if (hash)
            snprintf(hash, hash_size, "%s", (const char *)sqlite3_column_text(st, 6));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "name", -1, "no account '%s'", name);
    return rc == SQLITE_ROW ? 0 : fail(db, err, "read");
}

int dg_user_get(struct dg_store *s, const char *name, struct dg_user *out, struct dg_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    return get(db, name, out, NULL, 0, err);
}

static int set_failures(sqlite3 *db, const char *name, int failures, int64_t locked_until,
                        struct dg_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "UPDATE review_users SET failures = ?2, locked_until_us = ?3"
                           " WHERE name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "update");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, failures);
    sqlite3_bind_int64(st, 3, locked_until);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(db, err, "update");
}

int dg_user_login(struct dg_store *s, const char *name, const char *pw, size_t len, int64_t now_us,
                  struct dg_user *out, struct dg_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    struct dg_user u;
    char hash[crypto_pwhash_STRBYTES] = "";
    bool known = false;
    if (name && dg_user_name_check(name, NULL) == 0) {
        rc = get(db, name, &u, hash, sizeof(hash), err);
        if (rc && rc != DG_ENOTFOUND)
            return rc;
        known = rc == 0;
    }
    if (known && u.locked_until_us > now_us)
        return dg_error_set(err, DG_ELOCKEDOUT, "name", -1, "account '%s' is locked", name);
    bool ok = false;
    if (known && pw && len <= DG_USER_PASSWORD_MAX) {
        ok = crypto_pwhash_str_verify(hash, pw, len) == 0;
    } else {
        /* the same work for an unknown name, so timing does not tell names apart */
        static const char dummy_pw[] = "not a password";
        char dummy[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(dummy, dummy_pw, sizeof(dummy_pw) - 1,
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            return dg_error_set(err, DG_ENOMEM, NULL, -1, "cannot hash the password");
    }
    sodium_memzero(hash, sizeof(hash));
    if (!known)
        return dg_error_set(err, DG_EBADLOGIN, NULL, -1, "wrong account name or password");
    if (!ok) {
        int f = u.failures + 1;
        int64_t until = f >= DG_USER_LOCK_AFTER ? now_us + DG_USER_LOCK_SECONDS * 1000000LL : 0;
        if ((rc = set_failures(db, name, f >= DG_USER_LOCK_AFTER ? 0 : f, until, err)))
            return rc;
        return dg_error_set(err, DG_EBADLOGIN, NULL, -1, "wrong account name or password");
    }
    if ((u.failures || u.locked_until_us) && (rc = set_failures(db, name, 0, 0, err)))
        return rc;
    u.failures = 0;
    u.locked_until_us = 0;
    if (out)
        *out = u;
    return 0;
}

int dg_user_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_user *u), void *arg,
                 struct dg_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT " USER_COLS " FROM review_users ORDER BY name", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(db, err, "list");
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct dg_user u;
        row_user(st, &u);
        int r = fn(arg, &u);
        if (r) {
            sqlite3_finalize(st);
            return r;
        }
        n++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : fail(db, err, "list");
}

static int change(struct dg_store *s, const char *sql, const char *name, struct dg_error *err)
{
    sqlite3 *db = db_of(s, err);
    if (!db)
        return DG_EINVAL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(db, err, "change");
    sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, err, "change");
    if (sqlite3_changes(db) == 0)
        return dg_error_set(err, DG_ENOTFOUND, "name", -1, "no account '%.64s'", name ? name : "");
    return 0;
}

int dg_user_unlock(struct dg_store *s, const char *name, struct dg_error *err)
{
    return change(s, "UPDATE review_users SET failures = 0, locked_until_us = 0 WHERE name = ?1",
                  name, err);
}

int dg_user_remove(struct dg_store *s, const char *name, struct dg_error *err)
{
    return change(s, "DELETE FROM review_users WHERE name = ?1", name, err);
}
