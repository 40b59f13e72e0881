/*
 * console.c - the review console's routes (review.h): the pages read from
 * web/ when the node starts and served from memory by role, the session
 * guard (dg_review_check / dg_review_require) that every page and API goes
 * through, login and logout, and the replies that wait for their audit entry.
 */
#include "console_int.h"

#include <cjson/cJSON.h>
#include <event2/http.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *path, *file, *type;
    unsigned roles;
} page_table[DG__RV_PAGES] = {
    {"/console/", "console-login.html", "text/html; charset=utf-8", 0},
    {"/console/console.css", "console.css", "text/css; charset=utf-8", 0},
    {"/console/console.js", "console.js", "text/javascript; charset=utf-8", 0},
    {"/console/queue", "console-queue.html", "text/html; charset=utf-8", DG_ROLES_READ},
    {"/console/request", "console-request.html", "text/html; charset=utf-8", DG_ROLES_READ},
    {"/console/history", "console-history.html", "text/html; charset=utf-8", DG_ROLES_READ},
    {"/console/notices", "console-notices.html", "text/html; charset=utf-8", DG_ROLES_SUPERVISE},
    {"/console/admin", "console-admin.html", "text/html; charset=utf-8", DG_ROLES_ADMIN},
    {"/console/alerts", "console-alerts.html", "text/html; charset=utf-8", DG_ROLES_READ},
    {"/console/whatif", "console-whatif.html", "text/html; charset=utf-8",
     DG_ROLE_BIT(DG_ROLE_SUPERVISOR)},
};

/* The one console of the process, for dg_review_check. */
static _Atomic(struct dg_review_console *) the_console;

/* ---- replies ------------------------------------------------------------------------- */

static void common_headers(struct dg_req *r)
{
    dg_req_set_header(r, "Cache-Control", "no-store");
    dg_req_set_header(r, "X-Content-Type-Options", "nosniff");
    dg_req_set_header(r, "X-Frame-Options", "DENY");
    dg_req_set_header(r, "Referrer-Policy", "no-referrer");
}

void dg__rv_reply_json(struct dg_req *r, int status, const struct dg_buf *b)
{
    common_headers(r);
    dg_req_reply(r, status, "application/json", b->data ? b->data : "{}", b->data ? b->len : 2);
}

void dg__rv_error(struct dg_req *r, int status, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    dg_buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"number\":%d,\"message\":", dg_errname(code),
                  -code);
    dg_buf_add_json_str(&b, msg, strlen(msg));
    dg_buf_addstr(&b, "}}\n");
    dg__rv_reply_json(r, status, &b);
    dg_buf_release(&b);
}

/* A JSON object of string (or number, or true/false) members, as a form. The
 * body is bounded by the server's max_body; cJSON parses it. */
static int json_form(const char *body, size_t len, struct evkeyvalq *kv)
{
    cJSON *o = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return DG_EINVAL;
    }
    int rc = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, o)
    {
        char num[32];
        const char *v = NULL;
        if (cJSON_IsString(m))
            v = m->valuestring;
        else if (cJSON_IsNumber(m) && snprintf(num, sizeof(num), "%.0f", m->valuedouble) > 0)
            v = num;
        else if (cJSON_IsBool(m))
            v = cJSON_IsTrue(m) ? "yes" : "no";
        if (!v || !m->string || evhttp_add_header(kv, m->string, v) != 0) {
            rc = DG_EINVAL;
            break;
        }
    }
    cJSON_Delete(o);
    return rc;
}

int dg__rv_form(struct dg_req *r, struct evkeyvalq *kv)
{
    TAILQ_INIT(kv);
    const char *ct = dg_req_header(r, "Content-Type");
    size_t len;
    const char *body = dg_req_body(r, &len);
    if (len == 0)
        return 0;
    if (ct && strncmp(ct, "application/json", 16) == 0)
        return json_form(body, len, kv);
    if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return DG_EINVAL;
    return evhttp_parse_query_str(body, kv) == 0 ? 0 : DG_EINVAL;
}

/* A reply waiting for its audit entry. */
struct pending {
    struct dg_req *r;
    int status;
    int audit_rc;
    char cookie[256];
    const char *ctype; /* a literal; NULL: JSON */
    struct dg_buf body;
};

static void pending_finish(struct dg_req *r, void *arg)
{
    struct pending *p = arg;
    if (p->audit_rc != 0) {
        dg_log(DG_LOG_ERROR, "review_audit_failed", "code", dg_errname(p->audit_rc), NULL);
        dg__rv_error(r, 503, DG_EAUDIT, "the audit log cannot record this action; try again");
    } else {
        if (p->cookie[0])
            dg_req_set_header(r, "Set-Cookie", p->cookie);
        if (p->ctype) {
            common_headers(r);
            dg_req_reply(r, p->status, p->ctype, p->body.data ? p->body.data : "", p->body.len);
        } else {
            dg__rv_reply_json(r, p->status, &p->body);
        }
    }
    dg_buf_release(&p->body);
    dg_free(p);
}

static void pending_done(void *arg, int status)
{
    struct pending *p = arg;
    p->audit_rc = status;
    dg_req_resume(p->r, pending_finish, p);
}

void dg__rv_audited_reply(struct dg_review_console *c, struct dg_req *r,
                          const struct dg_audit_entry *e, int status, const struct dg_buf *b,
                          const char *set_cookie, const char *ctype)
{
    struct pending *p = dg_calloc(1, sizeof(*p));
    if (!p) {
        dg__rv_error(r, 503, DG_ENOMEM, "out of memory");
        return;
    }
    p->r = r;
    p->status = status;
    snprintf(p->cookie, sizeof(p->cookie), "%s", set_cookie ? set_cookie : "");
    p->ctype = ctype;
    dg_buf_init(&p->body, b->len + 1);
    if (dg_buf_add(&p->body, b->data ? b->data : "", b->len) != 0) {
        dg_free(p);
        dg__rv_error(r, 503, DG_ENOMEM, "out of memory");
        return;
    }
    dg_req_park(r);
    int rc = c->o.audit(c->o.audit_arg, e, pending_done, p);
    if (rc != 0) {
        p->audit_rc = rc;
        pending_finish(r, p);
    }
}

static void nowait_done(void *arg, int status)
{
    (void)arg;
    if (status != 0)
        dg_log(DG_LOG_ERROR, "review_audit_failed", "code", dg_errname(status), NULL);
}

void dg__rv_audit_nowait(struct dg_review_console *c, const struct dg_audit_entry *e)
{
    int rc = c->o.audit(c->o.audit_arg, e, nowait_done, NULL);
    if (rc != 0)
        dg_log(DG_LOG_ERROR, "review_audit_failed", "code", dg_errname(rc), NULL);
}

void dg__rv_entry_review(struct dg_audit_entry *e, enum dg_audit_action a, const char *user,
                         const char *mid, const char *reason)
{
    dg_audit_entry_init(e, DG_AUDIT_REVIEW);
    e->action = a;
    snprintf(e->reviewer, sizeof(e->reviewer), "%.63s", user && *user ? user : "(unknown)");
    if (mid)
        snprintf(e->msg_id, sizeof(e->msg_id), "%s", mid);
    if (reason)
        snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

struct dg_store *dg__rv_store(struct dg_review_console *c, struct dg_req *r)
{
    return dg__rv_loop_store(c, dg_req_loop(r));
}

struct dg_store *dg__rv_loop_store(struct dg_review_console *c, int i)
{
    if (i < 0 || i >= c->nloops)
        return NULL;
    if (!c->stores[i]) {
        struct dg_error e;
        if (dg_store_open(c->store_uri, 0, &c->stores[i], &e) != 0) {
            dg_log(DG_LOG_ERROR, "review_store", "msg", e.msg, NULL);
            c->stores[i] = NULL;
        }
    }
    return c->stores[i];
}

/* ---- the guard ------------------------------------------------------------------------- */

static int check(struct dg_review_console *c, struct dg_req *r, unsigned roles,
                 struct dg_session *out)
{
    if (!c || !c->accounts)
        return DG_ENOSESSION;
    char id[DG_SESSION_TOKEN_LEN + 1];
    if (dg_cookie_get(dg_req_header(r, "Cookie"), DG_SESSION_COOKIE, id, sizeof(id)) != 0)
        return DG_ENOSESSION;
    struct dg_session s;
    if (dg_session_find(c->sessions, id, dg_now_us(), &s) != 0)
        return DG_ENOSESSION;
    if (out)
        *out = s;
    if (!(roles & DG_ROLE_BIT(s.user.role)))
        return DG_EROLE;
    if (dg_req_method(r) == DG_HTTP_POST) {
        const char *tok = dg_req_header(r, "X-CSRF-Token");
        struct evkeyvalq kv;
        bool ok = tok && dg_session_csrf_ok(&s, tok);
        if (!ok && dg__rv_form(r, &kv) == 0) {
            ok = dg_session_csrf_ok(&s, evhttp_find_header(&kv, "csrf"));
            evhttp_clear_headers(&kv);
        }
        if (!ok)
            return DG_ECSRF;
    }
    return 0;
}

int dg_review_check(struct dg_req *r, unsigned roles, struct dg_session *out)
{
    return check(atomic_load(&the_console), r, roles, out);
}

static void refusal_entry(struct dg_review_console *c, struct dg_req *r, int rc,
                          const struct dg_session *s)
{
    struct dg_audit_entry e;
    dg_audit_entry_init(&e, DG_AUDIT_SECURITY);
    e.event = rc == DG_ECSRF ? DG_EVENT_CSRF : DG_EVENT_FORBIDDEN;
    /* the path is client input: only characters the server lets through, cut short */
    snprintf(e.detail, sizeof(e.detail), "console user '%.64s' (%s): %s on %s %.120s", s->user.name,
             dg_role_name(s->user.role),
             rc == DG_ECSRF ? "no valid CSRF token" : "outside the role",
             dg_req_method(r) == DG_HTTP_POST ? "POST" : "GET", dg_req_path(r));
    dg__rv_audit_nowait(c, &e);
}

int dg_review_require(struct dg_req *r, unsigned roles, struct dg_session *out)
{
    struct dg_review_console *c = atomic_load(&the_console);
    struct dg_session s;
    memset(&s, 0, sizeof(s));
    int rc = check(c, r, roles, &s);
    if (rc == 0) {
        if (out)
            *out = s;
        return 0;
    }
    dg_req_note(r, "refused", dg_errname(rc));
    if (rc == DG_ENOSESSION) {
        if (c && !c->accounts)
            dg__rv_error(r, 503, DG_ENOSESSION,
                         "the review console needs an SQLite store for its accounts");
        else
            dg__rv_error(r, 401, DG_ENOSESSION, "log in to the review console first");
        return rc;
    }
    refusal_entry(c, r, rc, &s);
    if (rc == DG_ECSRF)
        dg__rv_error(r, 403, DG_ECSRF, "the request lacks this session's CSRF token");
    else
        dg__rv_error(r, 403, DG_EROLE, "a %s may not do this", dg_role_name(s.user.role));
    return rc;
}

/* ---- login, logout, who am I ------------------------------------------------------------ */

static void session_json(const struct dg_session *s, struct dg_buf *b)
{
    dg_buf_addstr(b, "{\"name\":");
    dg_buf_add_json_str(b, s->user.name, strlen(s->user.name));
    dg_buf_printf(b, ",\"role\":\"%s\",\"agency\":", dg_role_name(s->user.role));
    dg_buf_add_json_str(b, s->user.ori, strlen(s->user.ori));
    dg_buf_printf(b, ",\"csrf\":\"%s\"}\n", s->csrf);
}

static void api_login(struct dg_review_console *c, struct dg_req *r)
{
    char addr[64];
    dg_req_peer_addr(r, addr);
    int64_t now = dg_now_us();
    if (dg_login_limited(c->limit, addr, now)) {
        dg_req_set_header(r, "Retry-After", "60");
        dg__rv_error(r, 429, DG_ELOGINRATE, "too many login attempts from this address");
        return;
    }
    struct evkeyvalq kv;
    if (dg__rv_form(r, &kv) != 0) {
        evhttp_clear_headers(&kv);
        dg__rv_error(r, 400, DG_EINVAL, "send name and password as a form");
        return;
    }
    const char *name = evhttp_find_header(&kv, "name");
    const char *pw = evhttp_find_header(&kv, "password");
    struct dg_user u;
    struct dg_error e;
    struct dg_store *st = dg__rv_store(c, r);
    int rc = !st ? DG_ESTORE : dg_user_login(st, name, pw, pw ? strlen(pw) : 0, now, &u, &e);
    struct dg_audit_entry en;
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    if (rc == 0) {
        struct dg_session s;
        dg_session_start(c->sessions, &u, now, &s, &e);
        char cookie[256];
        dg_session_cookie(s.id, cookie);
        session_json(&s, &b);
        dg__rv_entry_review(&en, DG_ACTION_LOGIN, u.name, NULL, NULL);
        dg__rv_audited_reply(c, r, &en, 200, &b, cookie, NULL);
    } else if (rc == DG_EBADLOGIN || rc == DG_ELOCKEDOUT) {
        dg_login_allow(c->limit, addr, now); /* counts the failure */
        /* the account name tried (only a valid one, else a placeholder) */
        bool valid = name && dg_user_name_check(name, NULL) == 0;
        dg__rv_entry_review(&en, DG_ACTION_LOGIN_FAILED, valid ? name : "(invalid name)", NULL,
                            rc == DG_ELOCKEDOUT ? "account locked" : "wrong name or password");
        dg_buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"number\":%d,\"message\":\"%s\"}}\n",
                      dg_errname(rc), -rc,
                      rc == DG_ELOCKEDOUT ? "the account is locked after failed logins; "
                                            "try again later or ask an administrator"
                                          : "wrong account name or password");
        dg__rv_audited_reply(c, r, &en, rc == DG_ELOCKEDOUT ? 403 : 401, &b, NULL, NULL);
    } else {
        dg__rv_error(r, 503, rc, "the accounts cannot be read");
    }
    dg_buf_release(&b);
    evhttp_clear_headers(&kv);
}

static void api_logout(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    dg_session_end(c->sessions, s->id);
    char cookie[256];
    dg_session_cookie(NULL, cookie);
    struct dg_audit_entry en;
    dg__rv_entry_review(&en, DG_ACTION_LOGOUT, s->user.name, NULL, NULL);
    struct dg_buf b;
    dg_buf_init(&b, 64);
    dg_buf_addstr(&b, "{\"ok\":true}\n");
    dg__rv_audited_reply(c, r, &en, 200, &b, cookie, NULL);
    dg_buf_release(&b);
}

static void api_me(struct dg_req *r, const struct dg_session *s)
{
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    session_json(s, &b);
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
}

/* ---- dispatch -------------------------------------------------------------------------- */

struct api_route {
    const char *path;
    enum dg_http_method method;
    unsigned roles;
    void (*fn)(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s);
};

static void me(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    (void)c;
    api_me(r, s);
}

/* GET /console/api/policy: the policy in force, for the supervisors' what-if
 * editor to start from: {"file": its name, "text": the policy}. */
static void api_policy(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    (void)s;
    const char *path = c->o.policy_file;
    if (!path || !path[0]) {
        dg__rv_error(r, 404, DG_ENOENT, "this node names no policy file");
        return;
    }
    struct dg_buf text, b;
    dg_buf_init(&text, 1u << 20);
    dg_buf_init(&b, 3u << 20);
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_buf_read_file(&text, path, &e);
    if (rc != 0) {
        dg_buf_release(&text);
        dg__rv_error(r, 503, rc, "cannot read the policy in force");
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    dg_buf_addstr(&b, "{\"file\":");
    dg_buf_add_json_str(&b, base, strlen(base));
    dg_buf_addstr(&b, ",\"text\":");
    dg_buf_add_json_str(&b, text.data ? text.data : "", text.len);
    dg_buf_addstr(&b, "}\n");
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
    dg_buf_release(&text);
}

static const struct api_route api_routes[] = {
    {"/console/api/me", DG_HTTP_GET, DG_ROLES_ANY, me},
    {"/console/api/logout", DG_HTTP_POST, DG_ROLES_ANY, api_logout},
    {"/console/api/queue", DG_HTTP_GET, DG_ROLES_READ, dg__rv_api_queue},
    {"/console/api/request", DG_HTTP_GET, DG_ROLES_READ, dg__rv_api_request},
    {"/console/api/open", DG_HTTP_POST, DG_ROLES_DECIDE, dg__rv_api_open},
    {"/console/api/decide", DG_HTTP_POST, DG_ROLES_DECIDE, dg__rv_api_decide},
    {"/console/api/history", DG_HTTP_GET, DG_ROLES_READ, dg__rv_api_history},
    {"/console/api/notices", DG_HTTP_GET, DG_ROLES_SUPERVISE, dg__rv_api_notices},
    {"/console/api/notices.csv", DG_HTTP_GET, DG_ROLE_BIT(DG_ROLE_SUPERVISOR),
     dg__rv_api_notices_csv},
    {"/console/api/notices/sent", DG_HTTP_POST, DG_ROLE_BIT(DG_ROLE_SUPERVISOR),
     dg__rv_api_notices_sent},
    {"/console/api/policy", DG_HTTP_GET, DG_ROLE_BIT(DG_ROLE_SUPERVISOR), api_policy},
    {"/console/api/users", DG_HTTP_GET, DG_ROLES_ADMIN, dg__rv_api_users},
    {"/console/api/users", DG_HTTP_POST, DG_ROLES_ADMIN, dg__rv_api_user_add},
    {"/console/api/users/change", DG_HTTP_POST, DG_ROLES_ADMIN, dg__rv_api_user_change},
};

static void handle_api(struct dg_review_console *c, struct dg_req *r)
{
    const char *path = dg_req_path(r);
    enum dg_http_method m = dg_req_method(r) == DG_HTTP_POST ? DG_HTTP_POST : DG_HTTP_GET;
    if (strcmp(path, "/console/api/login") == 0) {
        if (m != DG_HTTP_POST)
            dg__rv_error(r, 405, DG_EINVAL, "log in with POST");
        else if (!c->accounts)
            dg__rv_error(r, 503, DG_ENOSESSION,
                         "the review console needs an SQLite store for its accounts");
        else
            api_login(c, r);
        return;
    }
    bool path_known = false;
    for (size_t i = 0; i < DG_ARRAY_LEN(api_routes); i++) {
        const struct api_route *a = &api_routes[i];
        if (strcmp(path, a->path) != 0)
            continue;
        path_known = true;
        if (a->method != m)
            continue;
        struct dg_session s;
        if (dg_review_require(r, a->roles, &s) != 0)
            return;
        dg_req_note(r, "user_role", dg_role_name(s.user.role));
        a->fn(c, r, &s);
        return;
    }
    if (path_known)
        dg__rv_error(r, 405, DG_EINVAL, "method not allowed on '%s'", path);
    else
        dg__rv_error(r, 404, DG_ENOTFOUND, "no console API '%s'", path);
}

static void serve_page(struct dg_req *r, const struct dg__rv_page *p)
{
    if (!p->body.len) {
        dg__rv_error(r, 404, DG_ENOENT, "page file '%s' is missing", p->file);
        return;
    }
    common_headers(r);
    dg_req_set_header(r, "Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                      "script-src 'self'; connect-src 'self'; form-action 'self'; "
                      "frame-ancestors 'none'");
    dg_req_reply(r, 200, p->type, p->body.data, p->body.len);
}

/* A page outside the account's role (or without the console): a short HTML
 * page instead of JSON; audited like any refusal. */
static void refuse_page(struct dg_review_console *c, struct dg_req *r, int rc,
                        const struct dg_session *s)
{
    if (rc != DG_EROLE) {
        dg__rv_error(r, 503, rc, "the review console needs an SQLite store for its accounts");
        return;
    }
    refusal_entry(c, r, rc, s);
    static const char body[] =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Not for your role - DMV review console</title>"
        "<link rel=\"stylesheet\" href=\"/console/console.css\"></head><body>"
        "<header><span class=\"title\">DMV review console</span></header><main>"
        "<h1>Not for your role</h1><p>Your account's role may not see this page.</p>"
        "<p><a href=\"/console/queue\">Queue</a> &middot; <a href=\"/console/\">Log in as "
        "someone else</a></p></main></body></html>\n";
    common_headers(r);
    dg_req_set_header(r, "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    dg_req_note(r, "refused", dg_errname(rc));
    dg_req_reply(r, 403, "text/html; charset=utf-8", body, sizeof(body) - 1);
}

static void handle_console(struct dg_req *r, void *arg)
{
    struct dg_review_console *c = arg;
    const char *path = dg_req_path(r);
    if (strncmp(path, "/console/api/", 13) == 0) {
        handle_api(c, r);
        return;
    }
    if (dg_req_method(r) == DG_HTTP_POST) {
        dg__rv_error(r, 405, DG_EINVAL, "pages are read with GET");
        return;
    }
    for (size_t i = 0; i < DG_ARRAY_LEN(page_table); i++) {
        const struct dg__rv_page *p = &c->pages[i];
        if (strcmp(path, p->path) != 0)
            continue;
        if (p->roles) {
            struct dg_session s;
            int rc = check(c, r, p->roles, &s);
            if (rc == DG_ENOSESSION && c->accounts) { /* to the login page, then back */
                char loc[600];
                snprintf(loc, sizeof(loc), "/console/?next=%s", path);
                dg_req_set_header(r, "Location", loc);
                common_headers(r);
                dg_req_reply(r, 303, "text/plain; charset=utf-8", "log in first\n", 13);
                return;
            }
            if (rc != 0) {
                refuse_page(c, r, rc, &s);
                return;
            }
        }
        serve_page(r, p);
        return;
    }
    dg__rv_error(r, 404, DG_ENOENT, "no console page '%s'", path);
}

static void handle_redirect(struct dg_req *r, void *arg)
{
    (void)arg;
    dg_req_set_header(r, "Location", "/console/");
    dg_req_reply(r, 301, "text/plain; charset=utf-8", "see /console/\n", 14);
}

/* ---- life ------------------------------------------------------------------------------ */

static int read_file(const char *dir, const char *name, struct dg_buf *out)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return DG_ETOOBIG;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_from_errno(errno);
    char chunk[16384];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = dg_buf_add(out, chunk, n);
    if (!rc && ferror(f))
        rc = DG_EIO;
    fclose(f);
    return rc;
}

static bool accounts_ready(struct dg_review_console *c)
{
    struct dg_store *s = NULL;
    struct dg_error e;
    bool ok = false;
    if (dg_store_open(c->store_uri, 0, &s, &e) == 0 && dg_store_sqlite(s)) {
        int m = dg_review_migrate(s, &e);
        ok = m >= 0;
        if (!ok)
            dg_log(DG_LOG_ERROR, "review_migrate", "msg", e.msg, NULL);
    }
    dg_store_close(s);
    return ok;
}

int dg_review_console_add(struct dg_server *srv, const struct dg_review_console_options *o,
                          struct dg_review_console **out, struct dg_error *err)
{
    if (atomic_load(&the_console))
        return dg_error_set(err, DG_EEXIST, NULL, -1, "a review console exists already");
    struct dg_review_console *c = dg_calloc(1, sizeof(*c));
    if (!c)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    c->o = *o;
    pthread_mutex_init(&c->sweep_mu, NULL);
    pthread_cond_init(&c->sweep_cv, NULL);
    c->web_dir = dg_strdup(dg_net_web_dir(o->web_dir));
    c->store_uri = dg_strdup(o->store ? o->store : "");
    c->nloops = dg_server_threads(srv);
    c->stores = dg_calloc((size_t)c->nloops, sizeof(*c->stores));
    int rc = 0;
    if (!c->web_dir || !c->store_uri || !c->stores)
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    if (!rc)
        rc = dg_sessions_new(o->session_idle_us > 0 ? o->session_idle_us : 30 * 60 * 1000000LL,
                             &c->sessions, err);
    if (!rc)
        rc = dg_login_limit_new(&c->limit, err);
    if (rc) {
        dg_review_console_free(c);
        return rc;
    }
    c->o.web_dir = c->web_dir;
    c->o.store = c->store_uri;
    c->accounts = accounts_ready(c);
    if (!c->accounts)
        dg_log(DG_LOG_WARN, "review_console_off", "msg",
               "the review console needs an SQLite store for its accounts; only the deadline "
               "sweeper runs",
               NULL);
    for (size_t i = 0; i < DG_ARRAY_LEN(page_table); i++) {
        struct dg__rv_page *p = &c->pages[i];
        p->path = page_table[i].path;
        p->file = page_table[i].file;
        p->type = page_table[i].type;
        p->roles = page_table[i].roles;
        dg_buf_init(&p->body, 1u << 20);
        int frc = read_file(c->web_dir, p->file, &p->body);
        if (frc) {
            dg_buf_release(&p->body);
            dg_log(DG_LOG_WARN, "console_file_missing", "dir", c->web_dir, "file", p->file, "code",
                   dg_errname(frc), NULL);
        }
    }
    rc = dg_server_route(srv, DG_HTTP_GET, "/console", handle_redirect, c);
    if (!rc)
        rc = dg_server_route(srv, DG_HTTP_GET | DG_HTTP_POST, "/console/*", handle_console, c);
    if (rc) {
        dg_review_console_free(c);
        return dg_error_set(err, rc, NULL, -1, "cannot add the review console's routes");
    }
    if (o->sweep_ms >= 0 && (rc = dg__rv_sweeper_start(c, err)) != 0) {
        dg_review_console_free(c);
        return rc;
    }
    atomic_store(&the_console, c);
    *out = c;
    return 0;
}

void dg_review_console_free(struct dg_review_console *c)
{
    if (!c)
        return;
    struct dg_review_console *expect = c;
    atomic_compare_exchange_strong(&the_console, &expect, NULL);
    dg__rv_sweeper_stop(c);
    for (int i = 0; c->stores && i < c->nloops; i++)
        dg_store_close(c->stores[i]);
    for (size_t i = 0; i < DG_ARRAY_LEN(page_table); i++)
        dg_buf_release(&c->pages[i].body);
    dg_sessions_free(c->sessions);
    dg_login_limit_free(c->limit);
    dg_free(c->stores);
    dg_free(c->web_dir);
    dg_free(c->store_uri);
    pthread_cond_destroy(&c->sweep_cv);
    pthread_mutex_destroy(&c->sweep_mu);
    dg_free(c);
}
