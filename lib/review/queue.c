/*
 * queue.c - the review console's work on held requests (review.h, held.h):
 * the queue with its filters, opening a request (the only way the record is
 * shown, and an audit entry), approving and denying with a reason (two
 * approvers for rules that want them; never one's own agency), and the
 * history of decisions.
 */
#include "console_int.h"

#include <dmvgate/msg.h>
#include <dmvgate/record.h>

#include <event2/http.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX   500 /* items in one answer */
#define HISTORY_MAX 200
#define REASON_MAX  200

bool dg__rv_escalated(const struct dg_held *h, int64_t now_us)
{
    return h->state == DG_HELD_PENDING && h->expire_escalates && now_us >= h->deadline_us;
}

static void str(struct dg_buf *b, const char *key, const char *v)
{
    dg_buf_printf(b, "\"%s\":", key);
    dg_buf_add_json_str(b, v ? v : "", v ? strlen(v) : 0);
}

static void fields(struct dg_buf *b, const char *key, uint32_t bits)
{
    dg_buf_printf(b, "\"%s\":[", key);
    bool first = true;
    for (uint32_t bit = 1; bit && bit <= DG_FIELD_OWNER; bit <<= 1)
        if (bits & bit) {
            dg_buf_printf(b, "%s\"%s\"", first ? "" : ",", dg_field_name(bit));
            first = false;
        }
    dg_buf_addc(b, ']');
}

/* The state shown: the held state, refined for pending ones. */
static const char *shown_state(const struct dg_held *h, int napprovals, int64_t now_us)
{
    if (h->state != DG_HELD_PENDING)
        return dg_held_state_name(h->state);
    if (dg__rv_escalated(h, now_us))
        return "escalated";
    if (h->two_person && napprovals > 0)
        return "awaiting_second";
    return "pending";
}

static int count_names(const char *names)
{
    if (!*names)
        return 0;
    int n = 1;
    for (const char *p = names; *p; p++)
        n += *p == ',';
    return n;
}

void dg__rv_held_json(struct dg_review_console *c, struct dg_store *st, const struct dg_held *h,
                      int64_t now_us, struct dg_buf *b)
{
    struct dg_msg_req m;
    struct dg_error e;
    bool parsed = dg_msg_req_parse_text(&m, h->request, strlen(h->request), &e) == 0;
    char approvals[512] = "";
    if (h->two_person)
        dg__rv_approvals(st, h->mid, approvals, sizeof(approvals));
    dg_buf_addc(b, '{');
    str(b, "mid", h->mid);
    dg_buf_addc(b, ',');
    str(b, "state", shown_state(h, count_names(approvals), now_us));
    int64_t left = (h->deadline_us - now_us) / 1000000;
    dg_buf_printf(b, ",\"created_us\":%lld,\"deadline_us\":%lld,\"seconds_left\":%lld",
                  (long long)h->created_us, (long long)h->deadline_us,
                  (long long)(h->state == DG_HELD_PENDING ? left : 0));
    const struct dg_agency *a =
        c->o.dir ? dg_directory_find(c->o.dir, h->ori, strlen(h->ori)) : NULL;
    dg_buf_addstr(b, ",\"requester\":{");
    str(b, "ori", h->ori);
    dg_buf_addc(b, ',');
    str(b, "name", a ? a->name : "(not in the directory)");
    dg_buf_addc(b, ',');
    str(b, "level", a ? dg_level_name(a->level) : "");
    dg_buf_addc(b, ',');
    str(b, "category", a ? dg_category_name(a->category) : "");
    dg_buf_addc(b, ',');
    str(b, "department", a ? a->department : "");
    dg_buf_addc(b, ',');
    str(b, "component", a ? a->component : "");
    dg_buf_addstr(b, "},");
    if (parsed) {
        str(b, "key", dg_key_name(m.key));
        dg_buf_addc(b, ',');
        str(b, "purpose", dg_purpose_name(m.purpose));
        dg_buf_addstr(b, ",\"legal_process\":{");
        str(b, "kind", dg_leg_name(m.leg));
        dg_buf_addc(b, ',');
        str(b, "number", dg_msg_req_leg_number(&m));
        dg_buf_addstr(b, "},");
        str(b, "case", m.cas);
        dg_buf_addc(b, ',');
        str(b, "attention", m.atn);
        dg_buf_addc(b, ',');
        fields(b, "asked", m.asked);
        dg_buf_printf(b, ",\"photo\":%s,", m.photo ? "true" : "false");
    }
    str(b, "rule", h->rule);
    dg_buf_addc(b, ',');
    str(b, "reason", h->reason);
    dg_buf_addc(b, ',');
    fields(b, "redact", h->redact);
    dg_buf_printf(b, ",\"notify\":%s,\"two_person\":%s,\"escalates\":%s,",
                  h->notify ? "true" : "false", h->two_person ? "true" : "false",
                  h->expire_escalates ? "true" : "false");
    str(b, "approvals", approvals);
    if (h->state != DG_HELD_PENDING) {
        dg_buf_addc(b, ',');
        str(b, "reviewer", h->reviewer);
        dg_buf_addc(b, ',');
        str(b, "decision_reason", h->decision_reason);
        dg_buf_printf(b, ",\"decided_us\":%lld", (long long)h->decided_us);
    }
    dg_buf_addc(b, '}');
}

/* ---- the queue ------------------------------------------------------------------------- */

struct queue_walk {
    struct dg_review_console *c;
    struct dg_store *st;
    struct dg_buf *b;
    const char *want; /* shown state wanted, or NULL for any pending */
    int category;     /* -1: any */
    const char *rule; /* NULL: any */
    int64_t now;
    int n;
};

static bool matches(struct queue_walk *w, const struct dg_held *h)
{
    if (w->rule && strcmp(w->rule, h->rule) != 0)
        return false;
    if (w->category >= 0) {
        const struct dg_agency *a =
            w->c->o.dir ? dg_directory_find(w->c->o.dir, h->ori, strlen(h->ori)) : NULL;
        if (!a || (int)a->category != w->category)
            return false;
    }
    if (w->want) {
        char approvals[512] = "";
        if (h->two_person)
            dg__rv_approvals(w->st, h->mid, approvals, sizeof(approvals));
        if (strcmp(w->want, shown_state(h, count_names(approvals), w->now)) != 0)
            return false;
    }
    return true;
}

static int queue_one(void *arg, const struct dg_held *h)
{
    struct queue_walk *w = arg;
    if (!matches(w, h))
        return 0;
    if (w->n == QUEUE_MAX)
        return 1;
    if (w->n++)
        dg_buf_addc(w->b, ',');
    dg__rv_held_json(w->c, w->st, h, w->now, w->b);
    return 0;
}

void dg__rv_api_queue(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    (void)s;
    struct dg_store *st = dg__rv_store(c, r);
    if (!st) {
        dg__rv_error(r, 503, DG_ESTORE, "the review queue cannot be read");
        return;
    }
    const char *state = dg_req_query(r, "state");
    const char *cat = dg_req_query(r, "category");
    const char *rule = dg_req_query(r, "rule");
    struct queue_walk w = {.c = c, .st = st, .category = -1, .now = dg_now_us()};
    w.rule = rule && *rule ? rule : NULL;
    if (cat && *cat) {
        int v = dg_category_parse(cat, strlen(cat));
        if (v < 0) {
            dg__rv_error(r, 400, DG_EINVAL, "unknown agency category '%.40s'", cat);
            return;
        }
        w.category = v;
    }
    enum dg_held_state held = DG_HELD_PENDING;
    if (state && *state && strcmp(state, "open") != 0) {
        if (!strcmp(state, "pending") || !strcmp(state, "escalated") ||
            !strcmp(state, "awaiting_second"))
            w.want = state;
        else if (!strcmp(state, "approved"))
            held = DG_HELD_APPROVED;
        else if (!strcmp(state, "denied"))
            held = DG_HELD_DENIED;
        else if (!strcmp(state, "expired"))
            held = DG_HELD_EXPIRED;
        else {
            dg__rv_error(r, 400, DG_EINVAL,
                         "state is open, pending, escalated, awaiting_second, approved, "
                         "denied or expired");
            return;
        }
    }
    struct dg_buf b;
    dg_buf_init(&b, 8u << 20);
    dg_buf_printf(&b, "{\"now_us\":%lld,\"items\":[", (long long)w.now);
    w.b = &b;
    struct dg_error e;
    int rc = dg_held_each(st, held, queue_one, &w, &e);
    if (rc < 0) {
        dg_buf_release(&b);
        dg__rv_error(r, 503, rc, "the review queue cannot be read");
        return;
    }
    dg_buf_printf(&b, "],\"truncated\":%s}\n", rc == 1 ? "true" : "false");
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
}

/* ---- one request: read the form, find it -------------------------------------------------- */

static bool mid_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

/* Read the form of r and the held request it names; on failure r is answered. */
static int form_held(struct dg_review_console *c, struct dg_req *r, struct evkeyvalq *kv,
                     struct dg_store **st, struct dg_held *h)
{
    if (dg__rv_form(r, kv) != 0) {
        dg__rv_error(r, 400, DG_EINVAL, "send a form (application/x-www-form-urlencoded)");
        return DG_EINVAL;
    }
    const char *mid = evhttp_find_header(kv, "mid");
    if (!mid_ok(mid)) {
        dg__rv_error(r, 400, DG_EINVAL, "mid is missing or malformed");
        return DG_EINVAL;
    }
    *st = dg__rv_store(c, r);
    struct dg_error e;
    int rc = *st ? dg_held_get(*st, mid, h, &e) : DG_ESTORE;
    if (rc == DG_ENOTFOUND)
        dg__rv_error(r, 404, rc, "no held request '%s'", mid);
    else if (rc)
        dg__rv_error(r, 503, rc, "the review queue cannot be read");
    return rc;
}

void dg__rv_api_request(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    (void)s;
    const char *mid = dg_req_query(r, "mid");
    struct dg_store *st = dg__rv_store(c, r);
    struct dg_held h;
    struct dg_error e;
    int rc = !mid_ok(mid) ? DG_EINVAL : !st ? DG_ESTORE : dg_held_get(st, mid, &h, &e);
    if (rc) {
        dg__rv_error(r,
                     rc == DG_EINVAL      ? 400
                     : rc == DG_ENOTFOUND ? 404
                                          : 503,
                     rc, rc == DG_EINVAL ? "mid is missing or malformed" : "no such held request");
        return;
    }
    struct dg_buf b;
    dg_buf_init(&b, 1u << 20);
    dg__rv_held_json(c, st, &h, dg_now_us(), &b);
    dg_buf_addc(&b, '\n');
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
}

/* ---- opening: the record, once, audited ------------------------------------------------------ */

static void record_json(struct dg_store *st, const struct dg_held *h, struct dg_buf *b)
{
    struct dg_msg_req m;
    struct dg_error e;
    dg_buf_addstr(b, "\"subject\":{");
    if (dg_msg_req_parse_text(&m, h->request, strlen(h->request), &e) != 0) {
        dg_buf_addstr(b, "},\"records\":[]");
        return;
    }
    bool first = true;
    static const enum dg_msg_tag id_tags[] = {DG_TAG_OLN, DG_TAG_OLS, DG_TAG_NAM, DG_TAG_DOB,
                                              DG_TAG_SEX, DG_TAG_LIC, DG_TAG_LIS, DG_TAG_LIT,
                                              DG_TAG_LIY, DG_TAG_VIN};
    for (size_t i = 0; i < DG_ARRAY_LEN(id_tags); i++) {
        const char *v = dg_msg_req_get(&m, id_tags[i]);
        if (!*v)
            continue;
        dg_buf_printf(b, "%s\"%s\":", first ? "" : ",", dg_msg_tag_name(id_tags[i]));
        dg_buf_add_json_str(b, v, strlen(v));
        first = false;
    }
    dg_buf_addstr(b, "},\"records\":[");
    int n = 0;
    if (m.oln[0]) {
        struct dg_driver d;
        if (dg_store_driver_by_oln(st, m.oln, m.ols[0] ? m.ols : NULL, &d, &e) == 0 &&
            dg_driver_json(&d, h->redact, NULL, 0, b) == 0)
            n++;
    } else if (m.nam[0] && m.dob[0]) {
        struct dg_msg_name nm;
        char dob[11], last[51], fst[51], middle[51];
        snprintf(dob, sizeof(dob), "%.4s-%.2s-%.2s", m.dob, m.dob + 4, m.dob + 6);
        if (dg_msg_name_split(m.nam, &nm) == 0) {
            snprintf(last, sizeof(last), "%.*s", (int)nm.last_len, m.nam + nm.last_off);
            snprintf(fst, sizeof(fst), "%.*s", (int)nm.first_len, m.nam + nm.first_off);
            snprintf(middle, sizeof(middle), "%.*s", (int)nm.middle_len, m.nam + nm.middle_off);
            struct dg_name_query q = {
                .last = last, .first = fst, .middle = middle, .dob = dob, .sex = m.sex[0]};
            struct dg_candidate cand[5];
            int k = dg_store_drivers_by_name(st, &q, cand, DG_ARRAY_LEN(cand), &e);
            for (int i = 0; i < k; i++) {
                if (n++)
                    dg_buf_addc(b, ',');
                dg_driver_json(&cand[i].driver, h->redact, NULL, 0, b);
            }
        }
    } else if (m.lic[0] || m.vin[0]) {
        struct dg_vehicle v[5];
        int k = m.vin[0]
                    ? dg_store_vehicles_by_vin(st, m.vin, v, DG_ARRAY_LEN(v), &e)
                    : dg_store_vehicles_by_plate(st, m.lic, m.lis, m.lit, v, DG_ARRAY_LEN(v), &e);
        for (int i = 0; i < k; i++) {
            if (n++)
                dg_buf_addc(b, ',');
            dg_vehicle_json(&v[i], h->redact, b);
        }
    }
    dg_buf_addc(b, ']');
}

void dg__rv_api_open(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    struct evkeyvalq kv;
    struct dg_store *st = NULL;
    struct dg_held h;
    if (form_held(c, r, &kv, &st, &h) == 0) {
        struct dg_buf b;
        dg_buf_init(&b, 1u << 20);
        dg_buf_addstr(&b, "{\"request\":");
        dg__rv_held_json(c, st, &h, dg_now_us(), &b);
        dg_buf_addc(&b, ',');
        record_json(st, &h, &b);
        dg_buf_addstr(&b, "}\n");
        struct dg_audit_entry en;
        dg__rv_entry_review(&en, DG_ACTION_OPEN, s->user.name, h.mid, NULL);
        dg__rv_audited_reply(c, r, &en, 200, &b, NULL, NULL);
        dg_buf_release(&b);
    }
    evhttp_clear_headers(&kv);
}

/* ---- approve, deny --------------------------------------------------------------------- */

/* The reason, trimmed, into out; false when empty, too long or not printable. */
static bool reason_ok(const char *in, char out[REASON_MAX + 1])
{
    if (!in)
        return false;
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    size_t n = strlen(in);
    while (n && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' || in[n - 1] == '\n'))
        n--;
    if (n == 0 || n > REASON_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        out[i] = ch == '\t' || ch == '\r' || ch == '\n' ? ' ' : (char)ch;
        if (ch >= 0x7f || (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n'))
            return false;
    }
    out[n] = '\0';
    return true;
}

static bool in_names(const char *names, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = names; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

static void decided(struct dg_review_console *c, struct dg_req *r, struct dg_store *st,
                    const char *mid, enum dg_audit_action action, const char *user,
                    const char *reason, uint32_t released)
{
    struct dg_held h;
    struct dg_error e;
    struct dg_buf b;
    dg_buf_init(&b, 1u << 20);
    if (dg_held_get(st, mid, &h, &e) == 0)
        dg__rv_held_json(c, st, &h, dg_now_us(), &b);
    else
        dg_buf_addstr(&b, "{}");
    dg_buf_addc(&b, '\n');
    struct dg_audit_entry en;
    dg__rv_entry_review(&en, action, user, mid, reason);
    en.released = released;
    dg__rv_audited_reply(c, r, &en, 200, &b, NULL, NULL);
    dg_buf_release(&b);
}

static void refuse(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s,
                   int status, int code, const char *msg)
{
    if (code == DG_EOWNAGENCY || code == DG_EROLE) {
        struct dg_audit_entry e;
        dg_audit_entry_init(&e, DG_AUDIT_SECURITY);
        e.event = DG_EVENT_FORBIDDEN;
        snprintf(e.detail, sizeof(e.detail), "console user '%.64s' (%s): %s", s->user.name,
                 dg_role_name(s->user.role), msg);
        dg__rv_audit_nowait(c, &e);
    }
    dg__rv_error(r, status, code, "%s", msg);
}

static void decide(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s,
                   struct evkeyvalq *kv, struct dg_store *st, const struct dg_held *h)
{
    const char *action = evhttp_find_header(kv, "action");
    bool approve = action && !strcmp(action, "approve");
    if (!approve && !(action && !strcmp(action, "deny"))) {
        dg__rv_error(r, 400, DG_EINVAL, "action is approve or deny");
        return;
    }
    char reason[REASON_MAX + 1];
    if (!reason_ok(evhttp_find_header(kv, "reason"), reason)) {
        dg__rv_error(r, 400, DG_EINVAL,
                     "a reason is required: 1 to %d printable characters (ASCII)", REASON_MAX);
        return;
    }
    int64_t now = dg_now_us();
    if (h->state != DG_HELD_PENDING) {
        dg__rv_error(r, 409, DG_EPERM, "the request was already %s", dg_held_state_name(h->state));
        return;
    }
    if (dg__rv_escalated(h, now) && s->user.role != DG_ROLE_SUPERVISOR) {
        refuse(c, r, s, 403, DG_EROLE, "past its deadline the request waits for a supervisor");
        return;
    }
    if (approve && s->user.ori[0] && strcmp(s->user.ori, h->ori) == 0) {
        refuse(c, r, s, 403, DG_EOWNAGENCY,
               "a reviewer may not approve a request of their own agency");
        return;
    }
    struct dg_error e;
    int rc;
    uint32_t released = 0;
    if (approve) {
        struct dg_msg_req m;
        if (dg_msg_req_parse_text(&m, h->request, strlen(h->request), &e) == 0)
            released = m.asked & ~h->redact;
    }
    char who[64];
    snprintf(who, sizeof(who), "%.63s", s->user.name);
    if (approve && h->two_person) {
        char names[512] = "";
        dg__rv_approvals(st, h->mid, names, sizeof(names));
        if (in_names(names, s->user.name)) {
            dg__rv_error(r, 409, DG_ESAMEREVIEWER,
                         "you approved already: the second approval must come from another "
                         "reviewer");
            return;
        }
        if (dg__rv_approval_add(st, h->mid, s->user.name, now) != 0) {
            dg__rv_error(r, 503, DG_ESTORE, "the approval cannot be stored");
            return;
        }
        if (!names[0]) { /* the first of two: recorded, still pending */
            decided(c, r, st, h->mid, DG_ACTION_APPROVE, s->user.name, reason, 0);
            return;
        }
        snprintf(who, sizeof(who), "%.30s+%.30s", names, s->user.name);
    }
    rc = dg_held_decide(st, h->mid, approve ? DG_HELD_APPROVED : DG_HELD_DENIED, who, reason, now,
                        &e);
    if (rc == DG_EPERM) {
        dg__rv_error(r, 409, rc, "%s", e.msg);
        return;
    }
    if (rc) {
        dg__rv_error(r, 503, rc, "the decision cannot be stored");
        return;
    }
    if (approve && h->notify && dg__rv_notice_add(st, h, now) != 0)
        dg_log(DG_LOG_ERROR, "review_notice_not_stored", "mid", h->mid, NULL);
    decided(c, r, st, h->mid, approve ? DG_ACTION_APPROVE : DG_ACTION_DENY, s->user.name, reason,
            released);
}

void dg__rv_api_decide(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    struct evkeyvalq kv;
    struct dg_store *st = NULL;
    struct dg_held h;
    if (form_held(c, r, &kv, &st, &h) == 0)
        decide(c, r, s, &kv, st, &h);
    evhttp_clear_headers(&kv);
}

/* ---- history --------------------------------------------------------------------------- */

struct history {
    struct dg_held *v;
    size_t n, cap;
    const char *only; /* a reviewer sees their own decisions only */
};

static bool decided_by(const char *reviewer, const char *name)
{
    char names[65];
    snprintf(names, sizeof(names), "%.64s", reviewer);
    for (char *p = names; *p; p++)
        if (*p == '+')
            *p = ',';
    return in_names(names, name);
}

static int history_one(void *arg, const struct dg_held *h)
{
    struct history *w = arg;
    if (w->only && !decided_by(h->reviewer, w->only))
        return 0;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        if (cap > 4096)
            return 1;
        struct dg_held *v = dg_realloc(w->v, cap * sizeof(*v));
        if (!v)
            return 1;
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = *h;
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    const struct dg_held *x = a, *y = b;
    return x->decided_us < y->decided_us ? 1 : x->decided_us > y->decided_us ? -1 : 0;
}

void dg__rv_api_history(struct dg_review_console *c, struct dg_req *r, const struct dg_session *s)
{
    struct dg_store *st = dg__rv_store(c, r);
    if (!st) {
        dg__rv_error(r, 503, DG_ESTORE, "the review queue cannot be read");
        return;
    }
    struct history w = {.only = s->user.role == DG_ROLE_REVIEWER ? s->user.name : NULL};
    struct dg_error e;
    static const enum dg_held_state states[] = {DG_HELD_APPROVED, DG_HELD_DENIED, DG_HELD_EXPIRED};
    for (size_t i = 0; i < DG_ARRAY_LEN(states); i++)
        if (dg_held_each(st, states[i], history_one, &w, &e) < 0) {
            dg_free(w.v);
            dg__rv_error(r, 503, DG_ESTORE, "the review history cannot be read");
            return;
        }
    qsort(w.v, w.n, sizeof(*w.v), newest_first);
    struct dg_buf b;
    dg_buf_init(&b, 8u << 20);
    int64_t now = dg_now_us();
    dg_buf_printf(&b, "{\"now_us\":%lld,\"scope\":\"%s\",\"items\":[", (long long)now,
                  w.only ? "own" : "all");
    for (size_t i = 0; i < w.n && i < HISTORY_MAX; i++) {
        if (i)
            dg_buf_addc(&b, ',');
        dg__rv_held_json(c, st, &w.v[i], now, &b);
    }
    dg_buf_addstr(&b, "]}\n");
    dg_free(w.v);
    dg__rv_reply_json(r, 200, &b);
    dg_buf_release(&b);
}
