/*
 * notice.c - the review console's own tables (created by dg_review_migrate):
 * approvals of two-person rules, data-subject notices (listed, exported as
 * CSV for mailing, marked sent by a supervisor) and the record of which
 * requests a deadline escalated; and the admins' account pages.
 */
#include "console_int.h"

#include <dmvgate/msg.h>

#include <event2/http.h>
#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

static sqlite3_stmt *prep(struct dg_store *s, const char *sql)
{
    sqlite3 *db = s ? dg_store_sqlite(s) : NULL;
    sqlite3_stmt *st = NULL;
    if (!db || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    return st;
}

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* ---- approvals ------------------------------------------------------------------------- */

int dg__rv_approvals(struct dg_store *s, const char *mid, char *names, size_t size)
{
    names[0] = '\0';
    sqlite3_stmt *st = prep(s, "SELECT name FROM review_approvals WHERE mid = ?1 ORDER BY at_us");
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
    size_t len = 0;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int w = snprintf(names + len, size - len, "%s%s", n ? "," : "", col(st, 0));
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

int dg__rv_approval_add(struct dg_store *s, const char *mid, const char *user, int64_t now_us)
{
    sqlite3_stmt *st =
        prep(s, "INSERT OR IGNORE INTO review_approvals (mid, name, at_us) VALUES (?1,?2,?3)");
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_us);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : DG_ESTORE;
}

int dg__rv_escalation_mark(struct dg_store *s, const char *mid, int64_t now_us)
{
    sqlite3_stmt *st =
        prep(s, "INSERT OR IGNORE INTO review_escalations (mid, at_us) VALUES (?1,?2)");
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_us);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    sqlite3 *db = dg_store_sqlite(s);
    return rc != SQLITE_DONE ? DG_ESTORE : sqlite3_changes(db) == 1 ? 1 : 0;
}

/* ---- notices --------------------------------------------------------------------------- */

int dg__rv_notice_add(struct dg_store *s, const struct dg_held *h, int64_t now_us)
{
    struct dg_msg_req m;
    struct dg_error e;
    if (dg_msg_req_parse_text(&m, h->request, strlen(h->request), &e) != 0)
        return DG_EINVAL;
    /* who the notice goes to: the identifiers the request named */
    char subject[256] = "", fields[256] = "";
    size_t len = 0;
    static const enum dg_msg_tag tags[] = {DG_TAG_NAM, DG_TAG_DOB, DG_TAG_OLN, DG_TAG_OLS,
                                           DG_TAG_LIC, DG_TAG_LIS, DG_TAG_VIN};
    for (size_t i = 0; i < DG_ARRAY_LEN(tags); i++) {
        const char *v = dg_msg_req_get(&m, tags[i]);
        if (!*v)
            continue;
        int w = snprintf(subject + len, sizeof(subject) - len, "%s%s/%s", len ? " " : "",
                         dg_msg_tag_name(tags[i]), v);
        if (w < 0 || (size_t)w >= sizeof(subject) - len)
            break;
        len += (size_t)w;
    }
    len = 0;
    uint32_t released = m.asked & ~h->redact;
    for (uint32_t bit = 1; bit && bit <= DG_FIELD_OWNER; bit <<= 1)
        if (released & bit) {
            int w = snprintf(fields + len, sizeof(fields) - len, "%s%s", len ? " " : "",
                             dg_field_name(bit));
            if (w < 0 || (size_t)w >= sizeof(fields) - len)
                break;
            len += (size_t)w;
        }
    sqlite3_stmt *st = prep(s, "INSERT OR IGNORE INTO review_notices (mid, ori, agency, asked_us,"
                               " released_us, purpose, legal_process, legal_number, case_number,"
                               " subject, fields) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    if (!st)
        return DG_ESTORE;
    sqlite3_bind_text(st, 1, h->mid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, h->ori, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, h->created_us);
    sqlite3_bind_int64(st, 5, now_us);
    sqlite3_bind_text(st, 6, dg_purpose_name(m.purpose), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, dg_leg_name(m.leg), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, dg_msg_req_leg_number(&m), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, m.cas, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, fields, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : DG_ESTORE;
}

void dg_review_notice_entry(struct dg_review_console *c, int loop, const struct dg_audit_entry *e)
{
    if (!c || !c->accounts || e->kind != DG_AUDIT_QUERY || e->decision != DG_DECISION_ALLOW ||
        !e->notify || !e->released || !e->msg_id[0])
        return;
    char subject[256] = "", fields[256] = "";
    size_t len = 0;
    for (unsigned i = 0; i < e->nids; i++) {
        int w = snprintf(subject + len, sizeof(subject) - len, "%s%s/%s", len ? " " : "",
                         e->ids[i].tag, e->ids[i].value);
        if (w < 0 || (size_t)w >= sizeof(subject) - len)
            break;
        len += (size_t)w;
    }
    len = 0;
    for (uint32_t bit = 1; bit && bit <= DG_FIELD_OWNER; bit <<= 1)
        if (e->released & bit) {
            int w = snprintf(fields + len, sizeof(fields) - len, "%s%s", len ? " " : "",
                             dg_field_name(bit));
            if (w < 0 || (size_t)w >= sizeof(fields) - len)
                break;
            len += (size_t)w;
        }
    sqlite3_stmt *st = prep(dg__rv_loop_store(c, loop),
                            "INSERT OR IGNORE INTO review_notices (mid, ori, agency, asked_us,"
                            " released_us, purpose, legal_process, legal_number, case_number,"
                            " subject, fields) VALUES (?1,?2,'',?3,?3,?4,?5,?6,?7,?8,?9)");
    if (!st) {
        dg_log(DG_LOG_ERROR, "review_notice_not_stored", "mid", e->msg_id, NULL);
        return;
    }
    sqlite3_bind_text(st, 1, e->msg_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->req.ori, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, e->time_us);
    sqlite3_bind_text(st, 4, dg_purpose_name(e->purpose), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, dg_leg_name(e->leg), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->leg_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, e->case_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, fields, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        dg_log(DG_LOG_ERROR, "review_notice_not_stored", "mid", e->msg_id, NULL);
    sqlite3_finalize(st);
}

#define NOTICE_COLS                                                                                \
    "mid, ori, asked_us, released_us, purpose, legal_process, legal_number, case_number,"          \
    " subject, fields, sent_us, sent_by"

static const char *agency_name(struct dg_review_console *c, const char *ori)
{
    const struct dg_agency *a = c->o.dir ? dg_directory_find(c->o.dir, ori, strlen(ori)) : NULL;
    return a ? a->name : "";
}

void dg__rv_api_notices(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    (void)s;
    const char *which = dg_req_query(r, "sent");
    bool unsent_only = which && !strcmp(which, "no");
    sqlite3_stmt *st =
        prep(dg__rv_store(c, r), unsent_only ? "SELECT " NOTICE_COLS " FROM review_notices WHERE "
                                               "sent_us = 0 ORDER BY released_us LIMIT 1000"
                                             : "SELECT " NOTICE_COLS " FROM review_notices"
                                               " ORDER BY released_us LIMIT 1000");
    if (!st) {
        dg__rv_error(r, 503, DG_ESTORE, "the notices cannot be read");
        return;
    }
    static const char *const keys[] = {"mid",     "ori",           "asked_us",     "released_us",
                                       "purpose", "legal_process", "legal_number", "case",
                                       "subject", "fields",        "sent_us",      "sent_by"};
    struct dg_buf b;
    dg_buf_init(&b, 8u << 20);
    dg_buf_addstr(&b, "{\"items\":[");
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        dg_buf_addstr(&b, n++ ? ",{" : "{");
        for (int i = 0; i < 12; i++) {
            dg_buf_printf(&b, "%s\"%s\":", i ? "," : "", keys[i]);
            if (i == 2 || i == 3 || i == 10)
                dg_buf_printf(&b, "%lld", (long long)sqlite3_column_int64(st, i));
            else
                dg_buf_add_json_str(&b, col(st, i), strlen(col(st, i)));
        }
        const char *an = agency_name(c, col(st, 1));
        dg_buf_addstr(&b, ",\"agency\":");
        dg_buf_add_json_str(&b, an, strlen(an));
        dg_buf_addc(&b, '}');
    }
    sqlite3_finalize(st);
    dg_buf_addstr(&b, "]}\n");
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line end;
 * a leading = + - @ is prefixed with ' so spreadsheets do not run it. */
static void csv(struct dg_buf *b, const char *v, bool last)
{
    bool quote = strpbrk(v, ",\"\r\n") != NULL;
    if (quote)
        dg_buf_addc(b, '"');
    if (*v == '=' || *v == '+' || *v == '-' || *v == '@')
        dg_buf_addc(b, '\'');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            dg_buf_addc(b, '"');
        dg_buf_addc(b, *p);
    }
    if (quote)
        dg_buf_addc(b, '"');
    dg_buf_addstr(b, last ? "\r\n" : ",");
}

static void iso(int64_t us, char out[32])
{
    if (!us) {
        out[0] = '\0';
        return;
    }
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void dg__rv_api_notices_csv(struct dg_review_console *c, struct dg_req *r,
                            const struct dg_session *s)
{
    const char *which = dg_req_query(r, "sent");
    bool unsent_only = !which || strcmp(which, "all") != 0;
    sqlite3_stmt *st =
        prep(dg__rv_store(c, r), unsent_only ? "SELECT " NOTICE_COLS " FROM review_notices WHERE "
                                               "sent_us = 0 ORDER BY released_us"
                                             : "SELECT " NOTICE_COLS " FROM review_notices"
                                               " ORDER BY released_us");
    if (!st) {
        dg__rv_error(r, 503, DG_ESTORE, "the notices cannot be read");
        return;
    }
    struct dg_buf b;
    dg_buf_init(&b, 32u << 20);
    dg_buf_addstr(&b, "mid,asked_at,released_at,requester_ori,requester,purpose,legal_process,"
                      "legal_process_number,case_number,subject,fields_released,sent_at,"
                      "sent_by\r\n");
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char t1[32], t2[32], t3[32];
        iso(sqlite3_column_int64(st, 2), t1);
        iso(sqlite3_column_int64(st, 3), t2);
        iso(sqlite3_column_int64(st, 10), t3);
        csv(&b, col(st, 0), false);
        csv(&b, t1, false);
        csv(&b, t2, false);
        csv(&b, col(st, 1), false);
        csv(&b, agency_name(c, col(st, 1)), false);
        for (int i = 4; i <= 9; i++)
            csv(&b, col(st, i), false);
        csv(&b, t3, false);
        csv(&b, col(st, 11), true);
        n++;
    }
    sqlite3_finalize(st);
    /* the export is an audited action; the file goes out once it is recorded */
    struct dg_audit_entry en;
    char detail[64];
    snprintf(detail, sizeof(detail), "%d notices exported as CSV", n);
    dg__rv_entry_review(&en, DG_ACTION_EXPORT, s->user.name, NULL, detail);
    dg_req_set_header(r, "Content-Disposition", "attachment; filename=\"notices.csv\"");
    dg__rv_audited_reply(c, r, &en, 200, &b, NULL, "text/csv; charset=utf-8");
    dg_buf_release(&b);
}

void dg__rv_api_notices_sent(struct dg_review_console *c, struct dg_req *r,
                             const struct dg_session *s)
{
    struct evkeyvalq kv;
    if (dg__rv_form(r, &kv) != 0) {
        evhttp_clear_headers(&kv);
        dg__rv_error(r, 400, DG_EINVAL, "send a form (application/x-www-form-urlencoded)");
        return;
    }
    /* mid=X (one notice) or all=yes (every unsent notice) */
    const char *mid = evhttp_find_header(&kv, "mid");
    const char *all = evhttp_find_header(&kv, "all");
    bool every = all && !strcmp(all, "yes");
    if (!every && (!mid || !*mid || strlen(mid) > 40)) {
        evhttp_clear_headers(&kv);
        dg__rv_error(r, 400, DG_EINVAL, "name a notice (mid) or all=yes");
        return;
    }
    sqlite3_stmt *st =
        prep(dg__rv_store(c, r), every ? "UPDATE review_notices SET sent_us = ?1, sent_by = ?2"
                                         " WHERE sent_us = 0"
                                       : "UPDATE review_notices SET sent_us = ?1, sent_by = ?2"
                                         " WHERE sent_us = 0 AND mid = ?3");
    if (!st) {
        evhttp_clear_headers(&kv);
        dg__rv_error(r, 503, DG_ESTORE, "the notices cannot be updated");
        return;
    }
    sqlite3_bind_int64(st, 1, dg_now_us());
    sqlite3_bind_text(st, 2, s->user.name, -1, SQLITE_TRANSIENT);
    if (!every)
        sqlite3_bind_text(st, 3, mid, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    evhttp_clear_headers(&kv);
    if (rc != SQLITE_DONE) {
        dg__rv_error(r, 503, DG_ESTORE, "the notices cannot be updated");
        return;
    }
    struct dg_buf b;
    dg_buf_init(&b, 64);
    dg_buf_printf(&b, "{\"marked\":%d}\n", sqlite3_changes(dg_store_sqlite(dg__rv_store(c, r))));
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
}

/* ---- accounts (admins) ----------------------------------------------------------------- */

static int user_one(void *arg, const struct dg_user *u)
{
    struct dg_buf *b = arg;
    if (b->len && b->data[b->len - 1] == '}')
        dg_buf_addc(b, ',');
    dg_buf_addstr(b, "{\"name\":");
    dg_buf_add_json_str(b, u->name, strlen(u->name));
    dg_buf_printf(b, ",\"role\":\"%s\",\"agency\":\"%s\",\"created_us\":%lld,\"locked\":%s}",
                  dg_role_name(u->role), u->ori, (long long)u->created_us,
                  u->locked_until_us > dg_now_us() ? "true" : "false");
    return 0;
}

void dg__rv_api_users(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    (void)s;
    struct dg_store *st = dg__rv_store(c, r);
    struct dg_buf b;
    dg_buf_init(&b, 4u << 20);
    dg_buf_addstr(&b, "{\"users\":[");
    struct dg_error e;
    if (!st || dg_user_each(st, user_one, &b, &e) < 0) {
        dg_buf_release(&b);
        dg__rv_error(r, 503, DG_ESTORE, "the accounts cannot be read");
        return;
    }
    dg_buf_addstr(&b, "]}\n");
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
}

void dg__rv_api_user_add(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    (void)s;
    struct evkeyvalq kv;
    if (dg__rv_form(r, &kv) != 0) {
        evhttp_clear_headers(&kv);
        dg__rv_error(r, 400, DG_EINVAL, "send a form (application/x-www-form-urlencoded)");
        return;
    }
    const char *name = evhttp_find_header(&kv, "name");
    const char *role_s = evhttp_find_header(&kv, "role");
    const char *ori = evhttp_find_header(&kv, "agency");
    const char *pw = evhttp_find_header(&kv, "password");
    enum dg_user_role role;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_role_parse(role_s, &role);
    if (rc) {
        dg__rv_error(r, 400, DG_EINVAL, "role is reviewer, supervisor, auditor or admin");
    } else {
        struct dg_store *st = dg__rv_store(c, r);
        rc = !st ? DG_ESTORE
                 : dg_user_add(st, name, role, ori, pw, pw ? strlen(pw) : 0, dg_now_us(), &e);
        if (rc == 0) {
            struct dg_buf b;
            dg_buf_init(&b, 64);
            dg_buf_addstr(&b, "{\"ok\":true}\n");
            dg__rv_reply_json(r, 201, &b);
            dg_buf_release(&b);
            dg_log(DG_LOG_INFO, "review_user_added", "role", dg_role_name(role), NULL);
        } else {
            dg__rv_error(r,
                         rc == DG_EEXIST   ? 409
                         : rc == DG_EINVAL ? 400
                                           : 503,
                         rc, "%s", e.msg[0] ? e.msg : dg_strerror(rc));
        }
    }
    evhttp_clear_headers(&kv);
}

void dg__rv_api_user_change(struct dg_review_console *c, struct dg_req *r,
                            const struct dg_session *s)
{
    struct evkeyvalq kv;
    if (dg__rv_form(r, &kv) != 0) {
        evhttp_clear_headers(&kv);
        dg__rv_error(r, 400, DG_EINVAL, "send a form (application/x-www-form-urlencoded)");
        return;
    }
    const char *name = evhttp_find_header(&kv, "name");
    const char *what = evhttp_find_header(&kv, "action");
    bool unlock = what && !strcmp(what, "unlock"), remove = what && !strcmp(what, "remove");
    struct dg_error e;
    dg_error_clear(&e);
    struct dg_store *st = dg__rv_store(c, r);
    int rc;
    if (!unlock && !remove)
        rc = dg_error_set(&e, DG_EINVAL, NULL, -1, "action is unlock or remove");
    else if (!name || dg_user_name_check(name, &e) != 0)
        rc = dg_error_set(&e, DG_EINVAL, NULL, -1, "name an account");
    else if (remove && !strcmp(name, s->user.name))
        rc = dg_error_set(&e, DG_EINVAL, NULL, -1, "an admin cannot remove their own account");
    else
        rc = !st ? DG_ESTORE : unlock ? dg_user_unlock(st, name, &e) : dg_user_remove(st, name, &e);
    if (rc == 0) {
        struct dg_buf b;
        dg_buf_init(&b, 64);
        dg_buf_addstr(&b, "{\"ok\":true}\n");
        dg__rv_reply_json(r, 200, &b);
        dg_buf_release(&b);
        dg_log(DG_LOG_INFO, unlock ? "review_user_unlocked" : "review_user_removed", NULL);
    } else {
        dg__rv_error(r,
                     rc == DG_ENOTFOUND ? 404
                     : rc == DG_EINVAL  ? 400
                                        : 503,
                     rc, "%s", e.msg[0] ? e.msg : dg_strerror(rc));
    }
    evhttp_clear_headers(&kv);
}
