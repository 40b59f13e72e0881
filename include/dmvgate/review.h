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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dg_store;

/* Roles, from least to most: each is a set of rights, not a rank. */
enum dg_user_role {
    DG_ROLE_REVIEWER = 1,   /* sees the queue, opens, approves and denies */
    DG_ROLE_SUPERVISOR = 2, /* as reviewer, and sees all decisions and notices */
    DG_ROLE_AUDITOR = 3,    /* reads queue, history and notices; decides nothing */
    DG_ROLE_ADMIN = 4,      /* manages accounts; does not decide */
};

/* "reviewer", "supervisor", "auditor", "admin"; "?" for anything else. */
const char *dg_role_name(enum dg_user_role r);
/* 0 and *out for one of the names above, or DG_EINVAL. */
int dg_role_parse(const char *name, enum dg_user_role *out);

/* Limits of account names and passwords. A name is 1..DG_USER_NAME_MAX of
 * [a-z0-9._-], starting with a letter or digit. */
#define DG_USER_NAME_MAX     64
#define DG_USER_PASSWORD_MIN 10
#define DG_USER_PASSWORD_MAX 1024

/* An account as the console sees it (never the password hash). */
struct dg_user {
    char name[DG_USER_NAME_MAX + 1];
    enum dg_user_role role;
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
int dg_user_add(struct dg_store *s, const char *name, enum dg_user_role role, const char *ori,
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

/* Unlock account name (failures to 0, no lock), or remove it. 0, or
 * DG_ENOTFOUND, DG_ESTORE. Sessions of a removed account end at their next
 * use only when the console checks the account again (it does not): remove
 * an account, then restart the node or wait for the session's idle end. */
int dg_user_unlock(struct dg_store *s, const char *name, struct dg_error *err);
int dg_user_remove(struct dg_store *s, const char *name, struct dg_error *err);

/* Call fn for every account in name order; stops when fn returns non-zero
 * and returns that value; otherwise the number of accounts. */
int dg_user_each(struct dg_store *s, int (*fn)(void *arg, const struct dg_user *u), void *arg,
                 struct dg_error *err);

/* ---- console sessions (lib/review/session.c) ---------------------------------------
 * Sessions live in memory in the node process (a restart logs everyone out).
 * A session id and its CSRF token are 32 random bytes each, hex-encoded.
 * All functions on a struct dg_sessions are thread safe (one mutex).
 */
#define DG_SESSION_TOKEN_LEN 64 /* hex characters */
#define DG_SESSION_COOKIE    "dg_session"
#define DG_SESSIONS_MAX      1024 /* live sessions; the least recently used goes first */

struct dg_sessions;

struct dg_session {
    char id[DG_SESSION_TOKEN_LEN + 1];
    char csrf[DG_SESSION_TOKEN_LEN + 1];
    struct dg_user user;
    int64_t last_us; /* last use */
};

/* A new session table whose sessions end after idle_us without use.
 * 0 and *out, or DG_ENOMEM / DG_EREVIEW (libsodium). Free with dg_sessions_free. */
int dg_sessions_new(int64_t idle_us, struct dg_sessions **out, struct dg_error *err);
void dg_sessions_free(struct dg_sessions *t);

/* Start a session for u at now_us; *out receives it (id and CSRF token). */
int dg_session_start(struct dg_sessions *t, const struct dg_user *u, int64_t now_us,
                     struct dg_session *out, struct dg_error *err);

/* 0 and *out (a copy) when id names a live session at now_us (its idle time
 * restarts), else DG_ENOTFOUND. id may be NULL or any outside string. */
int dg_session_find(struct dg_sessions *t, const char *id, int64_t now_us, struct dg_session *out);

/* End session id (logout); no error when it does not exist. */
void dg_session_end(struct dg_sessions *t, const char *id);

/* true when token equals the session's CSRF token (constant time). */
bool dg_session_csrf_ok(const struct dg_session *s, const char *token);

/* The Set-Cookie value for session id (HttpOnly, Secure, SameSite=Strict,
 * Path=/, so that other modules' routes can be guarded by dg_review_require);
 * id NULL gives the clearing cookie. out holds 256 bytes. */
void dg_session_cookie(const char *id, char out[256]);

/*
 * Find cookie name in a Cookie header value (outside input, at most
 * DG_COOKIE_HEADER_MAX bytes looked at) and copy its value to out (size
 * bytes with the NUL). 0, or DG_ENOTFOUND (absent, or the value does not fit),
 * DG_ETOOBIG (header too long).
 */
#define DG_COOKIE_HEADER_MAX 8192
int dg_cookie_get(const char *header, const char *name, char *out, size_t size);

/* ---- login rate limit ---------------------------------------------------------------
 * At most DG_LOGIN_PER_MINUTE (failed) login attempts per client address per minute
 * (a sliding one-minute window kept for the DG_LOGIN_ADDRS most recent
 * addresses). Thread safe. */
#define DG_LOGIN_PER_MINUTE 10
#define DG_LOGIN_ADDRS      512
struct dg_login_limit;
int dg_login_limit_new(struct dg_login_limit **out, struct dg_error *err);
void dg_login_limit_free(struct dg_login_limit *l);
/* true (and the attempt counted) when addr may try to log in at now_us. */
bool dg_login_allow(struct dg_login_limit *l, const char *addr, int64_t now_us);
/* true when addr used up its attempts of the last minute (nothing counted).
 * The console counts only failed logins: it asks this first, and calls
 * dg_login_allow after a failure. */
bool dg_login_limited(struct dg_login_limit *l, const char *addr, int64_t now_us);

/* ==== The console served by the node (lib/review/console.c) ======================
 *
 *   GET  /console/                 the login page (web/console-login.html)
 *   GET  /console/queue, /request, /history, /notices, /admin   pages, by role
 *   GET  /console/console.css, /console/console.js              their files
 *   /console/api/...               the JSON API (docs/api.md, "Review console")
 *
 * Every page and API but the login page, its files and POST /console/api/login
 * needs a session of the right role; every POST also its CSRF token. Every
 * reviewer action (login, logout, open, approve, deny, export) is an audit
 * entry of kind review; refusals for a missing CSRF token or a role are
 * security entries. The console also runs the deadline sweeper: a thread that
 * every second denies (or, for "then escalate", hands to supervisors) the held
 * requests past their deadline, so that nothing waits for a poll.
 */

/* Roles as bit sets for the checks below: a check names every role allowed. */
#define DG_ROLE_BIT(r)     (1u << (unsigned)(r))
#define DG_ROLES_DECIDE    (DG_ROLE_BIT(DG_ROLE_REVIEWER) | DG_ROLE_BIT(DG_ROLE_SUPERVISOR))
#define DG_ROLES_READ      (DG_ROLES_DECIDE | DG_ROLE_BIT(DG_ROLE_AUDITOR))
#define DG_ROLES_SUPERVISE (DG_ROLE_BIT(DG_ROLE_SUPERVISOR) | DG_ROLE_BIT(DG_ROLE_AUDITOR))
#define DG_ROLES_ADMIN     DG_ROLE_BIT(DG_ROLE_ADMIN)
#define DG_ROLES_ANY       (DG_ROLES_READ | DG_ROLES_ADMIN)

struct dg_audit_entry;
struct dg_directory;
struct dg_req;
struct dg_server;

/* The node's audit log, as the console uses it: queue entry e (copied before
 * the call returns) and call done(done_arg, status) once it is durable
 * (status 0) or failed (< 0), from any thread. Returns 0 when queued, else an
 * error and done is not called. */
typedef int (*dg_review_audit_fn)(void *arg, const struct dg_audit_entry *e,
                                  void (*done)(void *done_arg, int status), void *done_arg);

struct dg_review_console_options {
    const char *web_dir;            /* the pages; NULL: dg_net_web_dir() */
    const char *store;              /* URI of the node's store: accounts, held requests, records */
    const struct dg_directory *dir; /* the agency directory (borrowed; outlives the console) */
    const char *policy_file;        /* the policy in force, shown to supervisors; NULL: none */
    dg_review_audit_fn audit;       /* required */
    void *audit_arg;
    int64_t session_idle_us; /* 0: 30 minutes */
    int sweep_ms;            /* the deadline sweeper's period; 0: 1000; < 0: no sweeper */
};

struct dg_review_console;

/*
 * Read the pages, add the console's routes to srv (before dg_server_run), and
 * start the deadline sweeper. One console per process: it becomes the one
 * dg_review_require() checks against. On a store other than SQLite the
 * accounts are unavailable: the routes answer 503 and only the sweeper runs.
 * Returns 0 and *out (free with dg_review_console_free after the server
 * stopped running), DG_ENOMEM, DG_EEXIST (a console already exists), or
 * dg_server_route's error.
 */
int dg_review_console_add(struct dg_server *srv, const struct dg_review_console_options *o,
                          struct dg_review_console **out, struct dg_error *err);

/*
 * Record a data-subject notice for e when it is a durable query entry that
 * released fields with notify set (an allow, or a reviewed request released
 * at its poll); anything else is ignored. The node calls this for every
 * durable query entry, on its loop `loop` (the console's store connection of
 * that loop is used). c may be NULL. Failures are logged, not returned.
 */
void dg_review_notice_entry(struct dg_review_console *c, int loop, const struct dg_audit_entry *e);

/* Stop the sweeper, close the stores, end every session, free c. NULL: no-op. */
void dg_review_console_free(struct dg_review_console *c);

/*
 * The guard for console routes, also for other modules' own (for example a
 * supervisors' page): is request r made in a live console session whose role
 * is in roles (DG_ROLE_BIT / DG_ROLES_*)? For a POST, the session's CSRF
 * token must also come in the X-CSRF-Token header or as the form field
 * "csrf" of an application/x-www-form-urlencoded body.
 *
 * dg_review_check only answers the question: 0 and *out (a copy of the
 * session; may be NULL), or DG_ENOSESSION (no console, no cookie, or no
 * live session), DG_EROLE, DG_ECSRF. Nothing is sent or audited.
 *
 * dg_review_require does the same and, on a refusal, answers r itself (401
 * ENOSESSION; 403 EROLE or ECSRF, as JSON {"error":{...}}) and records a
 * security entry (event csrf or forbidden) for the last two; the caller must
 * then return without touching r. Returns what dg_review_check returns.
 *
 * Thread safety: callable from any handler on any loop.
 */
int dg_review_check(struct dg_req *r, unsigned roles, struct dg_session *out);
int dg_review_require(struct dg_req *r, unsigned roles, struct dg_session *out);

#endif
