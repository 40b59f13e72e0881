/*
 * review.h - the review console's accounts: the people of the state who
 * decide held requests (reviewers), oversee them (supervisors), read them
 * (auditors) or manage the accounts (admins).
 *
 * Accounts live in the node's store (table review_users, created by
 * dg_review_migrate through dg_store_migrate under module "review").
 * Passwords are kept only as libsodium crypto_pwhash_str strings (Argon2id,
 * interactive limits: 64 MiB, a fraction of a second per check).
 *
 * Thread safety: as the store passed in (one thread per store handle).
 * Currently the SQLite backend only; on another backend every call returns
 * DG_EINVAL with err saying so.
 */
#ifndef DMVGATE_REVIEW_H
#define DMVGATE_REVIEW_H

#include <dmvgate/core.h>

#include <stddef.h>
#include <stdint.h>

struct dg_store;

/* Roles, from least to most: each is a set of rights, not a rank. */
enum dg_role {
    DG_ROLE_REVIEWER = 1,   /* sees the queue, opens, approves and denies */
    DG_ROLE_SUPERVISOR = 2, /* as reviewer, and sees all decisions and notices */
    DG_ROLE_AUDITOR = 3,    /* reads queue, history and notices; decides nothing */
    DG_ROLE_ADMIN = 4,      /* manages accounts; does not decide */
};

/* "reviewer", "supervisor", "auditor", "admin"; "?" for anything else. */
const char *dg_role_name(enum dg_role r);
/* 0 and *out for one of the names above, or DG_EINVAL. */
int dg_role_parse(const char *name, enum dg_role *out);

/* Limits of account names and passwords. A name is 1..DG_USER_NAME_MAX of
 * [a-z0-9._-], starting with a letter or digit. */
#define DG_USER_NAME_MAX     64
#define DG_USER_PASSWORD_MIN 10
#define DG_USER_PASSWORD_MAX 1024

/* An account as the console sees it (never the password hash). */
struct dg_user {
    char name[DG_USER_NAME_MAX + 1];
    enum dg_role role;
    char ori[10];       /* the reviewer's own agency ("" when none) */
    int64_t created_us; /* microseconds since the epoch */
    int failures;       /* consecutive failed logins */
    int64_t locked_until_us;
};

/* Create or update the review tables in s. Returns the number of schema
 * steps applied (0 when current), or a negative error (see dg_store_migrate). */
int dg_review_migrate(struct dg_store *s, struct dg_error *err);

/* 0 when name is a valid account name, else DG_EINVAL with err saying why. */
int dg_user_name_check(const char *name, struct dg_error *err);

/*
 * Add account name with role, own agency ori (NULL or "" for none; else a
 * 9-character ORI) and the password pw[0..len) (DG_USER_PASSWORD_MIN..MAX
 * bytes, no NUL). The password is hashed with Argon2id; pw is not kept.
 * Errors: DG_EINVAL (name, ori or password), DG_EEXIST (name taken),
 * DG_ENOMEM (hashing could not get its memory), DG_ESTORE.
 */
int dg_user_add(struct dg_store *s, const char *name, enum dg_role role, const char *ori,
                const char *pw, size_t len, int64_t now_us, struct dg_error *err);

/* 0 and *out for account name, or DG_ENOTFOUND, DG_ESTORE. */
int dg_user_get(struct dg_store *s, const char *name, struct dg_user *out, struct dg_error *err);

/*
 * Check a login: 0 and *out (may be NULL) when name exists, is not locked at
 * now_us and pw matches. A failed check counts against the account; after
 * DG_USER_LOCK_AFTER consecutive failures it is locked for
 * DG_USER_LOCK_SECONDS. Errors: DG_EBADLOGIN (unknown name or wrong
 * password, indistinguishable on purpose), DG_ELOCKEDOUT, DG_ESTORE.
 * An unknown name costs the same hashing time as a known one.
 */
#define DG_USER_LOCK_AFTER   5
#define DG_USER_LOCK_SECONDS 900
int dg_user_login(struct dg_store *s, const char *name, const char *pw, size_t len, int64_t now_us,
                  struct dg_user *out, struct dg_error *err);

/* Call fn for every account in name order; stops when fn returns non-zero
 * and returns that value; otherwise the number of accounts. */
int dg_user_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_user *u), void *arg,
                 struct dg_error *err);

#endif
