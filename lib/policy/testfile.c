/*
 * testfile.c - policy test files: `dmvgate policy test` and the request files
 * of `dmvgate policy explain`.
 *
 * A test file is line oriented: each line starts with a keyword (agency, test,
 * message, json, request, requester, time, volume, record, expect) followed
 * by words and key=value pairs, a value quoted when it has spaces. Message
 * text and JSON may continue on the following lines (every line until the
 * next keyword or a blank line). docs/policy.md, "Test files", is the
 * reference.
 *
 * The whole file is read first, so a malformed file runs nothing and says
 * where it is wrong; then each case is built (requester looked up, message
 * parsed through the caller's parser) and decided. A case that cannot be
 * built (an unknown ORI, a message that does not parse) is a failed case, not
 * a malformed file: a policy's tests should say so when the directory changes.
 */
#include "policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE  8192
#define MAX_WORDS 64
#define MAX_CASES 100000

enum src { SRC_NONE, SRC_MSG, SRC_JSON, SRC_REQ };

/* Bits of what a "request" or "requester" line set. */
enum {
    R_KEY = 1 << 0,
    R_DEST = 1 << 1,
    R_PURPOSE = 1 << 2,
    R_LEG = 1 << 3,
    R_CASE = 1 << 4,
    R_IDBY = 1 << 5,
    R_FIELDS = 1 << 6,
    R_PHOTO = 1 << 7,
    Q_LEVEL = 1 << 8,
    Q_CATEGORY = 1 << 9,
    Q_DEPT = 1 << 10,
    Q_COMP = 1 << 11,
    Q_AGR = 1 << 12,
    Q_STATE = 1 << 13,
    Q_NAME = 1 << 14,
};

struct tcase {
    int line;
    char name[DG_POLICY_MAX_STRING + 1];
    enum src src;
    int src_line;
    size_t msg_off, msg_len; /* in the pool */
    char ori[DG_ORI_LEN + 1];
    uint32_t set; /* R_* and Q_* bits */
    struct dg_policy_request req;
    struct dg_agency who; /* the "requester" line's fields */
    bool has_requester;
    bool has_time, has_volume, has_rec;
    uint8_t hour, weekday;
    uint32_t volume;
    struct dg_policy_record rec;
    /* expectations */
    bool has_expect;
    int expect_line;
    char expect_text[256];
    enum dg_policy_outcome outcome;
    char rule[DG_POLICY_MAX_STRING + 1];
    bool has_rule, has_redact;
    uint32_t redact;
    int notify, two_person, escalate; /* -1: not said */
    uint32_t deadline_s;              /* 0: not said */
};

struct tfile {
    const char *name;
    struct dg_buf pool; /* message and JSON texts */
    struct dg_agency *agencies;
    int nagencies, cap_agencies;
    struct tcase *cases;
    int ncases, cap_cases;
    struct dg_error *err;
    bool one; /* a request file: one case, "test" optional */
};

/* ---- words ------------------------------------------------------------------------ */

struct words {
    char buf[MAX_LINE];
    char *w[MAX_WORDS];
    int n;
};

/* Split a line into words; "..." quotes spaces (anywhere in a word, so that
 * rule="a b" is one word), \" and \\ escape inside quotes. */
static int split(const char *s, size_t n, struct words *W, const char **why)
{
    size_t k = 0, i = 0;
    W->n = 0;
    if (n >= MAX_LINE) {
        *why = "line is longer than 8191 bytes";
        return DG_EPOLICY;
    }
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
            i++;
        if (i >= n || s[i] == '#')
            break;
        if (W->n == MAX_WORDS) {
            *why = "too many words on one line";
            return DG_EPOLICY;
        }
        W->w[W->n++] = W->buf + k;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
            if (s[i] != '"') {
                W->buf[k++] = s[i++];
                continue;
            }
            for (i++;; i++) {
                if (i >= n) {
                    *why = "string is not closed before the end of the line";
                    return DG_EPOLICY;
                }
                if (s[i] == '"')
                    break;
                if (s[i] == '\\' && i + 1 < n)
                    i++;
                W->buf[k++] = s[i];
            }
            i++;
        }
        W->buf[k++] = '\0';
    }
    return 0;
}

static const char *const keywords[] = {"agency",    "test", "message", "json",   "request",
                                       "requester", "time", "volume",  "record", "expect"};

static bool is_keyword(const char *s, size_t n)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(keywords); i++)
        if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0)
            return true;
    return false;
}

/* ---- values ----------------------------------------------------------------------- */

static int bad(struct tfile *F, int line, const char *fmt, const char *arg)
{
    return dg_error_setpos(F->err, DG_EPOLICY, line, 1, fmt, arg);
}

static int yes_no(const char *v, bool *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true"))
        *out = true;
    else if (!strcmp(v, "no") || !strcmp(v, "false"))
        *out = false;
    else
        return DG_EINVAL;
    return 0;
}

/* A comma-separated list of names through parse (a vocab.h bit parser); "none" is 0. */
static int bits(const char *v, int (*parse)(const char *, size_t), uint32_t *out)
{
    *out = 0;
    if (!strcmp(v, "none"))
        return 0;
    for (const char *p = v; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int b = parse(p, n);
        if (b <= 0)
            return DG_EINVAL;
        *out |= (uint32_t)b;
        p += n + (e ? 1 : 0);
    }
    return 0;
}

static int name16(const char *v, char out[16])
{
    size_t n = strlen(v);
    if (!strcmp(v, "none"))
        n = 0;
    if (n > 15)
        return DG_EINVAL;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

/* One key=value of a "request", "requester" or "agency" line into c / a. */
static int attr(struct tfile *F, int line, const char *kv, struct tcase *c, struct dg_agency *a,
                bool agency_only)
{
    const char *eq = strchr(kv, '=');
    if (!eq)
        return bad(F, line, "expected key=value, found '%s'", kv);
    size_t kn = (size_t)(eq - kv);
    const char *v = eq + 1;
    int x = 0;
    bool b;
#define KEY(s) (kn == strlen(s) && memcmp(kv, s, kn) == 0)
    if (KEY("ori")) {
        char msg[160];
        if (dg__ori_check(v, strlen(v), msg, sizeof(msg)))
            return dg_error_setpos(F->err, DG_EPOLICY, line, 1, "%s", msg);
        if (c)
            memcpy(c->ori, v, DG_ORI_LEN + 1);
        if (a) {
            memcpy(a->ori, v, DG_ORI_LEN + 1);
            if (!(c && (c->set & Q_STATE)))
                memcpy(a->state, v, 2);
        }
        return 0;
    }
    if (a && (KEY("level") || KEY("category") || KEY("department") || KEY("component") ||
              KEY("agreements") || KEY("state") || KEY("name"))) {
        uint32_t set = 0;
        if (KEY("level") && (x = dg_level_parse(v, strlen(v))) >= 0)
            a->level = (enum dg_level)x, set = Q_LEVEL;
        else if (KEY("category") && (x = dg_category_parse(v, strlen(v))) >= 0)
            a->category = (enum dg_category)x, set = Q_CATEGORY;
        else if (KEY("department") && name16(v, a->department) == 0)
            set = Q_DEPT;
        else if (KEY("component") && name16(v, a->component) == 0)
            set = Q_COMP;
        else if (KEY("agreements") && bits(v, dg_agreement_parse, &a->agreements) == 0)
            set = Q_AGR;
        else if (KEY("state") && dg_state_index(v, strlen(v)) >= 0)
            memcpy(a->state, v, 3), set = Q_STATE;
        else if (KEY("name") && strlen(v) < sizeof(a->name))
            snprintf(a->name, sizeof(a->name), "%s", v), set = Q_NAME;
        if (!set)
            return bad(F, line, "bad value in '%s'", kv);
        if (c)
            c->set |= set;
        return 0;
    }
    if (agency_only || !c)
        return bad(F, line, "unknown attribute in '%s'", kv);
    struct dg_policy_request *r = &c->req;
    uint32_t set = 0;
    if (KEY("key")) {
        x = dg_key_parse(v, strlen(v));
        if (x == DG_KEY_DQ || x == DG_KEY_RQ || x == DG_KEY_IQ)
            r->key = (enum dg_key)x, set = R_KEY;
    } else if (KEY("dest") || KEY("destination")) {
        if (dg_state_index(v, strlen(v)) >= 0)
            memcpy(r->destination, v, 3), set = R_DEST;
    } else if (KEY("purpose")) {
        x = dg_purpose_parse(v, strlen(v));
        if (x < 0 && strlen(v) == 1)
            x = dg_purpose_from_code(v[0]);
        if (x >= 0)
            r->purpose = (enum dg_purpose)x, set = R_PURPOSE;
    } else if (KEY("legal_process") || KEY("leg")) {
        x = dg_leg_parse(v, strlen(v));
        if (x < 0)
            x = dg_leg_from_code(v, strlen(v));
        if (x >= 0)
            r->legal_process = (enum dg_leg)x, set = R_LEG;
    } else if (KEY("case") || KEY("has_case_number")) {
        if (yes_no(v, &b) == 0)
            r->has_case_number = b, set = R_CASE;
    } else if (KEY("identified_by")) {
        if (bits(v, dg_idfield_parse, &r->identified_by) == 0)
            set = R_IDBY;
    } else if (KEY("fields")) {
        if (bits(v, dg_field_parse, &r->fields) == 0)
            set = R_FIELDS;
    } else if (KEY("photo")) {
        if (yes_no(v, &b) == 0 && b)
            set = R_PHOTO;
        else if (yes_no(v, &b) == 0)
            return 0;
    } else {
        return bad(F, line, "unknown request attribute in '%s'", kv);
    }
#undef KEY
    if (!set)
        return bad(F, line, "bad value in '%s'", kv);
    c->set |= set;
    return 0;
}

static int duration(const char *v, uint32_t *secs)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    uint32_t unit = !strcmp(end, "m")   ? 60
                    : !strcmp(end, "h") ? 3600
                    : !strcmp(end, "d") ? 86400
                                        : 0;
    if (end == v || !unit || n == 0 || n > 100000)
        return DG_EINVAL;
    *secs = (uint32_t)n * unit;
    return 0;
}

static int expect(struct tfile *F, int line, struct words *W, struct tcase *c, const char *raw,
                  size_t rawn)
{
    if (c->has_expect)
        return bad(F, line, "%s", "a case has one 'expect' line");
    c->has_expect = true;
    c->expect_line = line;
    c->notify = c->two_person = c->escalate = -1;
    snprintf(c->expect_text, sizeof(c->expect_text), "%.*s", (int)rawn, raw);
    if (W->n < 2)
        return bad(F, line, "%s", "expect what? allow, deny, review or undecided");
    static const char *const outs[] = {"allow", "deny", "review", "undecided"};
    int o = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(W->w[1], outs[i]))
            o = i;
    if (o < 0)
        return bad(F, line, "'%s' is not an outcome: allow, deny, review or undecided", W->w[1]);
    c->outcome = (enum dg_policy_outcome)o;
    for (int i = 2; i < W->n; i++) {
        const char *w = W->w[i];
        if (!strncmp(w, "rule=", 5) && strlen(w + 5) <= DG_POLICY_MAX_STRING) {
            c->has_rule = true;
            snprintf(c->rule, sizeof(c->rule), "%s", w + 5);
        } else if (!strncmp(w, "line=", 5)) {
            c->has_rule = true;
            snprintf(c->rule, sizeof(c->rule), "line %d", atoi(w + 5));
        } else if (!strncmp(w, "redact=", 7)) {
            c->has_redact = true;
            if (bits(w + 7, dg_field_parse, &c->redact))
                return bad(F, line, "bad field list in '%s'", w);
        } else if (!strcmp(w, "notify")) {
            c->notify = 1;
        } else if (!strcmp(w, "no-notify")) {
            c->notify = 0;
        } else if (!strcmp(w, "two-person")) {
            c->two_person = 1;
        } else if (!strcmp(w, "one-person")) {
            c->two_person = 0;
        } else if (!strcmp(w, "escalate")) {
            c->escalate = 1;
        } else if (!strncmp(w, "within=", 7)) {
            if (duration(w + 7, &c->deadline_s))
                return bad(F, line, "bad duration in '%s' (as 48h, 30m, 2d)", w);
        } else {
            return bad(F, line, "unknown expectation '%s'", w);
        }
    }
    return 0;
}

/* ---- the file ------------------------------------------------------------------------- */

static int new_case(struct tfile *F, int line, struct tcase **out)
{
    if (F->ncases >= MAX_CASES)
        return dg_error_setpos(F->err, DG_EPOLICY, line, 1, "more than %d cases", MAX_CASES);
    if (F->ncases == F->cap_cases) {
        int cap = F->cap_cases ? F->cap_cases * 2 : 16;
        struct tcase *c = dg_realloc(F->cases, (size_t)cap * sizeof(*c));
        if (!c)
            return dg_error_set(F->err, DG_ENOMEM, NULL, -1, NULL);
        F->cases = c;
        F->cap_cases = cap;
    }
    struct tcase *c = &F->cases[F->ncases++];
    memset(c, 0, sizeof(*c));
    c->line = line;
    c->notify = c->two_person = c->escalate = -1;
    dg_policy_request_init(&c->req, NULL);
    *out = c;
    return 0;
}

static int read_file(struct tfile *F, const char *s, size_t len)
{
    if (len > DG_POLICY_MAX_TESTFILE)
        return dg_error_set(F->err, DG_ETOOBIG, NULL, -1, "'%s' is larger than %u bytes", F->name,
                            DG_POLICY_MAX_TESTFILE);
    struct words *W = dg_malloc(sizeof(*W));
    if (!W)
        return dg_error_set(F->err, DG_ENOMEM, NULL, -1, NULL);
    struct tcase *c = NULL;
    bool in_block = false; /* after message/json: more lines of it may follow */
    int rc = 0, line = 0;
    for (size_t i = 0; i < len && rc == 0;) {
        line++;
        size_t e = i;
        while (e < len && s[e] != '\n')
            e++;
        const char *ls = s + i;
        size_t ln = e - i;
        i = e + 1;
        if (memchr(ls, '\0', ln)) {
            rc = bad(F, line, "%s", "NUL byte in test file");
            break;
        }
        size_t a = 0;
        while (a < ln && (ls[a] == ' ' || ls[a] == '\t'))
            a++;
        size_t fw = a;
        while (fw < ln && ls[fw] != ' ' && ls[fw] != '\t' && ls[fw] != '\r')
            fw++;
        bool blank = a == ln || ls[a] == '\r' || ls[a] == '#';
        if (in_block && !blank && !is_keyword(ls + a, fw - a)) {
            /* Another line of the message: strip indentation and a CR. */
            size_t z = ln;
            while (z > a && (ls[z - 1] == '\r' || ls[z - 1] == ' '))
                z--;
            if (c->msg_len)
                rc = dg_buf_addc(&F->pool, '\n'), c->msg_len++;
            if (rc == 0)
                rc = dg_buf_add(&F->pool, ls + a, z - a);
            c->msg_len += z - a;
            if (rc)
                rc = dg_error_set(F->err, rc, NULL, -1, "test file's messages are too large");
            continue;
        }
        in_block = false;
        const char *why = NULL;
        if (blank)
            continue;
        if (split(ls, ln, W, &why)) {
            rc = bad(F, line, "%s", why);
            break;
        }
        const char *k = W->w[0];
        if (!strcmp(k, "agency")) {
            if (W->n < 2) {
                rc = bad(F, line, "%s", "agency ORI key=value ...");
                break;
            }
            if (F->nagencies == F->cap_agencies) {
                int cap = F->cap_agencies ? F->cap_agencies * 2 : 16;
                struct dg_agency *q = dg_realloc(F->agencies, (size_t)cap * sizeof(*q));
                if (!q) {
                    rc = dg_error_set(F->err, DG_ENOMEM, NULL, -1, NULL);
                    break;
                }
                F->agencies = q;
                F->cap_agencies = cap;
            }
            struct dg_agency *ag = &F->agencies[F->nagencies++];
            memset(ag, 0, sizeof(*ag));
            ag->level = DG_LEVEL_LOCAL;
            ag->category = DG_CAT_MUNICIPAL_POLICE;
            snprintf(ag->name, sizeof(ag->name), "test agency");
            char kv[32];
            snprintf(kv, sizeof(kv), "ori=%.20s", W->w[1]);
            rc = attr(F, line, kv, NULL, ag, true);
            for (int w = 2; w < W->n && rc == 0; w++)
                rc = attr(F, line, W->w[w], NULL, ag, true);
            continue;
        }
        if (!strcmp(k, "test")) {
            if (W->n != 2 || strlen(W->w[1]) > DG_POLICY_MAX_STRING)
                rc = bad(F, line, "%s", "test \"NAME\" (one name, quoted if it has spaces)");
            else
                rc = new_case(F, line, &c);
            if (rc == 0)
                snprintf(c->name, sizeof(c->name), "%s", W->w[1]);
            continue;
        }
        if (!is_keyword(k, strlen(k))) {
            rc = bad(F, line, "unknown keyword '%s'", k);
            break;
        }
        if (!c) {
            if (!F->one) {
                rc = bad(F, line, "'%s' outside a case: start one with: test \"NAME\"", k);
                break;
            }
            if ((rc = new_case(F, line, &c)) != 0)
                break;
        }
        if (!strcmp(k, "message") || !strcmp(k, "json") || !strcmp(k, "request")) {
            if (c->src != SRC_NONE) {
                rc = bad(F, line, "%s", "a case has one request (message, json or request)");
                break;
            }
            c->src_line = line;
            if (!strcmp(k, "request")) {
                c->src = SRC_REQ;
                for (int w = 1; w < W->n && rc == 0; w++)
                    rc = attr(F, line, W->w[w], c, NULL, false);
                continue;
            }
            c->src = !strcmp(k, "json") ? SRC_JSON : SRC_MSG;
            c->msg_off = F->pool.len;
            in_block = true;
            /* The rest of this line, raw, is the message's first line. */
            size_t r = fw;
            while (r < ln && (ls[r] == ' ' || ls[r] == '\t'))
                r++;
            size_t z = ln;
            while (z > r && (ls[z - 1] == '\r' || ls[z - 1] == ' '))
                z--;
            if (z > r && (rc = dg_buf_add(&F->pool, ls + r, z - r)) != 0)
                rc = dg_error_set(F->err, rc, NULL, -1, "test file's messages are too large");
            c->msg_len = z - r;
        } else if (!strcmp(k, "requester")) {
            c->has_requester = true;
            c->who.level = DG_LEVEL_LOCAL;
            c->who.category = DG_CAT_MUNICIPAL_POLICE;
            for (int w = 1; w < W->n && rc == 0; w++)
                rc = attr(F, line, W->w[w], c, &c->who, false);
        } else if (!strcmp(k, "time")) {
            static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
            int d = -1, hh = -1, mm = -1;
            for (int x = 0; W->n == 3 && x < 7; x++)
                if (!strcmp(W->w[1], days[x]))
                    d = x;
            char tail;
            if (d < 0 || sscanf(W->w[2], "%d:%d%c", &hh, &mm, &tail) != 2 || hh < 0 || hh > 23 ||
                mm < 0 || mm > 59)
                rc = bad(F, line, "%s", "time DAY HH:MM, as: time sat 23:30");
            c->has_time = true;
            c->weekday = (uint8_t)d;
            c->hour = (uint8_t)hh;
        } else if (!strcmp(k, "volume")) {
            char *end;
            unsigned long v = W->n == 2 ? strtoul(W->w[1], &end, 10) : 0;
            if (W->n != 2 || *end || v > UINT32_MAX || W->w[1][0] == '-')
                rc = bad(F, line, "%s", "volume N (the requester's queries in the last hour)");
            c->has_volume = true;
            c->volume = (uint32_t)v;
        } else if (!strcmp(k, "record")) {
            c->has_rec = true;
            for (int w = 1; w < W->n && rc == 0; w++) {
                const char *v = W->w[w];
                bool b = true;
                if (!strncmp(v, "lawful_presence_flag", 20) &&
                    (v[20] == '\0' || (v[20] == '=' && yes_no(v + 21, &b) == 0)))
                    c->rec.lawful_presence_flag = b;
                else
                    rc = bad(F, line, "unknown record attribute '%s' (lawful_presence_flag)", v);
            }
        } else { /* expect */
            rc = expect(F, line, W, c, ls + a, ln - a);
        }
    }
    dg_free(W);
    if (rc)
        return rc;
    for (int i = 0; i < F->ncases; i++)
        if (F->cases[i].src == SRC_NONE)
            return dg_error_setpos(F->err, DG_EPOLICY, F->cases[i].line, 1,
                                   "case has no request: add a message, json or request line");
        else if (!F->one && !F->cases[i].has_expect)
            return dg_error_setpos(F->err, DG_EPOLICY, F->cases[i].line, 1,
                                   "case has no 'expect' line");
    if (F->one && F->ncases == 0)
        return dg_error_setpos(F->err, DG_EPOLICY, line, 1, "no request in the file");
    return 0;
}

/* ---- building and running cases ------------------------------------------------------------ */

static const struct dg_agency *find(const struct tfile *F, const struct dg_policy_test_env *env,
                                    const char *ori)
{
    for (int i = F->nagencies - 1; i >= 0; i--)
        if (!strcmp(F->agencies[i].ori, ori))
            return &F->agencies[i];
    return env && env->find_agency ? env->find_agency(env->find_ctx, ori) : NULL;
}

/* Build c's request in *r, its requester in *who. Returns 0 or a negative code
 * with why (a sentence) filled. */
static int build(const struct tfile *F, const struct dg_policy_test_env *env, const char *state,
                 struct tcase *c, struct dg_policy_request *r, struct dg_agency *who, char *why,
                 size_t whyn)
{
    char ori[DG_ORI_LEN + 1];
    snprintf(ori, sizeof(ori), "%s", c->ori);
    if (c->src == SRC_MSG || c->src == SRC_JSON) {
        if (!env || !env->parse_message) {
            snprintf(why, whyn, "no message parser to read the message with");
            return DG_EINVAL;
        }
        struct dg_error e;
        dg_error_clear(&e);
        dg_policy_request_init(r, NULL);
        /* The pool is NULL until some message has text ("json" alone has none). */
        const char *msg = F->pool.data ? F->pool.data + c->msg_off : "";
        int rc =
            env->parse_message(env->parse_ctx, msg, c->msg_len, c->src == SRC_JSON, r, ori, &e);
        if (rc) {
            snprintf(why, whyn, "the %s does not parse: %s%s%s: %s",
                     c->src == SRC_JSON ? "JSON message" : "message", dg_errname(rc),
                     e.field[0] ? " in " : "", e.field, e.msg[0] ? e.msg : dg_strerror(rc));
            return rc;
        }
        if (!r->destination[0]) /* NL (every state): this state */
            memcpy(r->destination, state, 3);
    } else {
        *r = c->req;
        if (!(c->set & R_DEST))
            memcpy(r->destination, state, 3);
        if (!(c->set & R_FIELDS))
            r->fields = dg_policy_fields_for_key(r->key, c->set & R_PHOTO);
        else if (c->set & R_PHOTO)
            r->fields |= DG_FIELD_PHOTO;
        if (!(c->set & R_IDBY))
            r->identified_by = r->key == DG_KEY_RQ ? DG_IDF_PLATE : DG_IDF_OLN;
    }
    if (!ori[0]) {
        snprintf(why, whyn, "no requester: give ori=ORI");
        return DG_EINVAL;
    }
    const struct dg_agency *a = find(F, env, ori);
    if (c->has_requester) {
        /* Start from the directory's entry when there is one; the case's
         * requester line overrides what it says. */
        struct dg_agency base;
        memset(&base, 0, sizeof(base));
        if (a)
            base = *a;
        else
            base = c->who, snprintf(base.name, sizeof(base.name), "test agency");
        memcpy(base.ori, ori, sizeof(base.ori));
        if (!a && !(c->set & Q_STATE))
            memcpy(base.state, ori, 2), base.state[2] = '\0';
        if (c->set & Q_LEVEL)
            base.level = c->who.level;
        if (c->set & Q_CATEGORY)
            base.category = c->who.category;
        if (c->set & Q_DEPT)
            memcpy(base.department, c->who.department, sizeof(base.department));
        if (c->set & Q_COMP)
            memcpy(base.component, c->who.component, sizeof(base.component));
        if (c->set & Q_AGR)
            base.agreements = c->who.agreements;
        if (c->set & Q_STATE)
            memcpy(base.state, c->who.state, sizeof(base.state));
        *who = base;
    } else if (a) {
        *who = *a;
    } else {
        snprintf(why, whyn,
                 "unknown requester '%s': add 'agency %s ...' or a 'requester' line, or give "
                 "--directory",
                 ori, ori);
        return DG_ENOENT;
    }
    r->requester = who;
    if (c->has_time) {
        r->hour = c->hour;
        r->weekday = c->weekday;
    } else {
        r->hour = 10; /* a weekday morning, unless the case says otherwise */
        r->weekday = 2;
    }
    if (c->has_volume)
        r->queries_last_hour = c->volume;
    return 0;
}

/* Compare d with c's expectations; on a mismatch say what differs in why. */
static bool matches(const struct dg_policy *p, const struct tcase *c,
                    const struct dg_policy_decision *d)
{
    if (d->outcome != c->outcome)
        return false;
    if (c->has_rule) {
        int want = dg_policy_rule_find(p, c->rule);
        if (want < 0 || want != d->rule)
            return false;
    }
    if (c->has_redact && d->redact != c->redact)
        return false;
    if (c->notify >= 0 && d->notify != (c->notify == 1))
        return false;
    if (c->two_person >= 0 && d->two_person != (c->two_person == 1))
        return false;
    if (c->escalate >= 0 && (d->expiry == DG_POLICY_EXPIRE_ESCALATE) != (c->escalate == 1))
        return false;
    if (c->deadline_s && d->deadline_s != c->deadline_s)
        return false;
    return true;
}

static void tfile_release(struct tfile *F)
{
    dg_buf_release(&F->pool);
    dg_free(F->agencies);
    dg_free(F->cases);
}

int dg_policy_test_run(const struct dg_policy *p, const char *text, size_t len,
                       const char *filename, const struct dg_policy_test_env *env,
                       struct dg_buf *report, struct dg_policy_test_result *res,
                       struct dg_error *err)
{
    struct tfile F = {.name = filename ? filename : "<tests>", .err = err};
    dg_buf_init(&F.pool, DG_POLICY_MAX_TESTFILE);
    res->passed = res->failed = 0;
    int rc = read_file(&F, text, len);
    if (rc) {
        tfile_release(&F);
        return rc;
    }
    for (int i = 0; i < F.ncases && rc == 0; i++) {
        struct tcase *c = &F.cases[i];
        struct dg_policy_request r;
        struct dg_agency who;
        char why[384];
        struct dg_policy_decision d;
        bool pass = false;
        if (build(&F, env, p->state, c, &r, &who, why, sizeof(why)) == 0) {
            int drc = dg_policy_decide(p, &r, c->has_rec ? &c->rec : NULL, &d);
            pass = drc == 0 && matches(p, c, &d);
            if (!pass) {
                struct dg_buf got;
                dg_buf_init(&got, 1024);
                dg_policy_decision_format(&d, &got);
                snprintf(why, sizeof(why), "expected '%s', got: %s", c->expect_text,
                         got.data ? got.data : "?");
                dg_buf_release(&got);
            }
        }
        if (pass) {
            res->passed++;
            continue;
        }
        res->failed++;
        rc = dg_buf_printf(report, "%s:%d: \"%s\": %s\n", F.name, c->line,
                           c->name[0] ? c->name : "(unnamed)", why);
    }
    if (rc == 0)
        rc = dg_buf_printf(report, "%d passed, %d failed\n", res->passed, res->failed);
    if (rc)
        dg_error_set(err, rc, NULL, -1, NULL);
    tfile_release(&F);
    return rc;
}

int dg_policy_request_read(const char *text, size_t len, const char *filename, const char *state,
                           const struct dg_policy_test_env *env, struct dg_agency *agency,
                           struct dg_policy_request *req, struct dg_policy_record *rec,
                           bool *has_rec, struct dg_error *err)
{
    struct tfile F = {.name = filename ? filename : "<request>", .err = err, .one = true};
    dg_buf_init(&F.pool, DG_POLICY_MAX_TESTFILE);
    int rc = read_file(&F, text, len);
    if (rc == 0) {
        struct tcase *c = &F.cases[0];
        char why[384];
        if (build(&F, env, state, c, req, agency, why, sizeof(why)) != 0) {
            rc = dg_error_setpos(err, DG_EPOLICY, c->src_line, 1, "%s", why);
        } else {
            *has_rec = c->has_rec;
            *rec = c->rec;
        }
    }
    tfile_release(&F);
    return rc;
}
