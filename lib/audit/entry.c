/*
 * entry.c - the canonical binary encoding of audit entries (docs/audit.md,
 * "Entries"), split into a public part and a private part.
 *
 * The public part is the log entry itself: it is hashed into the Merkle
 * tree and served in entry bundles, so it holds only what may be published
 * (who asked, as an agency; when; what kind of query; the decision and the
 * rule; the reviewer) and ends with a commitment to the private part. The
 * private part (identifying values, warrant and case numbers, the person
 * asking, a reviewer's reason) starts with 32 random bytes, so the
 * commitment cannot be tested against guesses.
 *
 * Both parts are tag-length-value fields in increasing tag order. An entry
 * has exactly one encoding: the decoder re-encodes what it decoded and
 * accepts the input only if the bytes are the same.
 */
#include "audit_int.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#define PUB_FORMAT   0xDA
#define PUB_VERSION  0x01
#define PRIV_VERSION 0x81
static const char COMMIT_DOMAIN[] = "dmvgate audit private v1\n";

enum {
    T_TIME = 1,
    T_MSG_ID,
    T_ORI,
    T_LEVEL,
    T_CATEGORY,
    T_DEPARTMENT,
    T_COMPONENT,
    T_AGREEMENTS,
    T_KEY,
    T_DEST,
    T_ID_TAGS,
    T_FIELDS_ASKED,
    T_PURPOSE,
    T_LEG,
    T_HAS_CASE,
    T_DECISION,
    T_RULE,
    T_REDACTIONS,
    T_NOTIFY,
    T_RELEASED,
    T_ACTION,
    T_REVIEWER,
    T_EVENT,
    T_CLAIMED_ORI,
    T_DETAIL,
    T_COMMITMENT = 127
};
enum { P_ID = 1, P_LEG_NUMBER, P_CASE_NUMBER, P_ATN, P_REASON };

#define FIELD_BITS ((1u << 11) - 1)
#define AGR_BITS   ((uint32_t)DG_AGR_287G)

/* ---- names ------------------------------------------------------------------------ */

#define NAME_FN(fn, MAP, type)                                                                     \
    const char *fn##_name(type v)                                                                  \
    {                                                                                              \
        switch ((int)v) {                                                                          \
            MAP(CASE_NAME)                                                                         \
        }                                                                                          \
        return "unknown";                                                                          \
    }                                                                                              \
    int fn##_parse(const char *s, size_t n)                                                        \
    {                                                                                              \
        MAP(CMP_NAME)                                                                              \
        return DG_EINVAL;                                                                          \
    }
#define CASE_NAME(e, v, n, ...)                                                                    \
    case v:                                                                                        \
        return n;
#define CMP_NAME(e, v, nm, ...)                                                                    \
    if (strlen(nm) == n && memcmp(s, nm, n) == 0)                                                  \
        return v;
NAME_FN(dg_audit_kind, DG_AUDIT_KIND_MAP, enum dg_audit_kind)
NAME_FN(dg_audit_decision, DG_AUDIT_DECISION_MAP, enum dg_audit_decision)
NAME_FN(dg_audit_action, DG_AUDIT_ACTION_MAP, enum dg_audit_action)
NAME_FN(dg_audit_event, DG_AUDIT_EVENT_MAP, enum dg_audit_event)
#undef CASE_NAME
#undef CMP_NAME
#undef NAME_FN

void dg_audit_entry_init(struct dg_audit_entry *e, enum dg_audit_kind kind)
{
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->time_us = dg_now_us();
}

/* ---- validation ------------------------------------------------------------------- */

static bool text_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap || !dg__utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool tag_ok(const char *t)
{
    size_t n = strnlen(t, 4);
    if (n == 0 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++)
        if (t[i] < 'A' || t[i] > 'Z')
            return false;
    return true;
}

static bool ori_ok(const char *s)
{
    if (strnlen(s, DG_ORI_LEN + 1) != DG_ORI_LEN)
        return false;
    for (int i = 0; i < DG_ORI_LEN; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

#define TEXT_OK(f) text_ok(f, sizeof(f))

static int invalid(struct dg_error *err, const char *field, const char *why)
{
    return dg_error_set(err, DG_EENTRY, field, -1, "%s", why);
}

/* Check e; with_values: the identifying values must be there (not when
 * only the public part was decoded). */
static int validate(const struct dg_audit_entry *e, bool with_values, struct dg_error *err)
{
    if (e->kind < DG_AUDIT_QUERY || e->kind > DG_AUDIT_SECURITY)
        return invalid(err, "kind", "unknown entry kind");
    if (!TEXT_OK(e->msg_id))
        return invalid(err, "msg_id", "invalid message id");
    bool has_req = e->kind == DG_AUDIT_QUERY || (e->kind == DG_AUDIT_SECURITY && e->req.ori[0]);
    if (has_req) {
        if (!ori_ok(e->req.ori))
            return invalid(err, "ori", "the requester ORI is not 9 letters or digits");
        if ((unsigned)e->req.level >= DG_LEVEL__COUNT)
            return invalid(err, "level", "unknown level");
        if ((unsigned)e->req.category >= DG_CAT__COUNT)
            return invalid(err, "category", "unknown category");
        if (!TEXT_OK(e->req.department) || !TEXT_OK(e->req.component))
            return invalid(err, "department", "invalid department or component");
        if (e->req.agreements & ~AGR_BITS)
            return invalid(err, "agreements", "unknown agreement bits");
    }
    if (e->kind == DG_AUDIT_QUERY) {
        if ((unsigned)e->key >= DG_KEY__COUNT)
            return invalid(err, "key", "unknown message key");
        if (dg_state_index(e->dest, strnlen(e->dest, sizeof(e->dest))) < 0)
            return invalid(err, "dest", "the destination is not a state code");
        if ((unsigned)e->purpose >= DG_PUR__COUNT)
            return invalid(err, "purpose", "unknown purpose");
        if ((unsigned)e->leg >= DG_LEG__COUNT)
            return invalid(err, "leg", "unknown legal process kind");
        if ((unsigned)e->decision > DG_DECISION_ERROR)
            return invalid(err, "decision", "unknown decision");
        if (!TEXT_OK(e->rule))
            return invalid(err, "rule", "invalid rule text");
        if ((e->fields_asked | e->redactions | e->released) & ~FIELD_BITS)
            return invalid(err, "fields", "unknown field bits");
        if (e->nids > DG_AUDIT_MAX_IDS)
            return invalid(err, "ids", "too many identifying fields");
        for (unsigned i = 0; i < e->nids; i++)
            if (!tag_ok(e->ids[i].tag) || !TEXT_OK(e->ids[i].value) ||
                (with_values && !e->ids[i].value[0]))
                return invalid(err, "ids", "invalid identifying field");
    }
    if (e->kind == DG_AUDIT_REVIEW) {
        if (e->action <= DG_ACTION_NONE || e->action > DG_ACTION_LOGIN_FAILED)
            return invalid(err, "action", "unknown reviewer action");
        if (!e->reviewer[0] || !TEXT_OK(e->reviewer))
            return invalid(err, "reviewer", "missing or invalid reviewer");
        if (e->released & ~FIELD_BITS)
            return invalid(err, "released", "unknown field bits");
    }
    if (e->kind == DG_AUDIT_SECURITY) {
        if (e->event <= DG_EVENT_NONE || e->event > DG_EVENT_RATE_LIMITED)
            return invalid(err, "event", "unknown security event");
        if (e->claimed_ori[0] && !ori_ok(e->claimed_ori))
            return invalid(err, "claimed_ori", "the claimed ORI is not 9 letters or digits");
        if (!TEXT_OK(e->detail))
            return invalid(err, "detail", "invalid detail text");
    }
    if (!TEXT_OK(e->leg_number) || !TEXT_OK(e->case_number) || !TEXT_OK(e->atn) ||
        !TEXT_OK(e->reason))
        return invalid(err, "private", "invalid private text");
    return 0;
}

/* ---- writing ---------------------------------------------------------------------- */

/* Where an encoding goes: appended to a buffer, or compared with the bytes
 * being decoded (the canonical check, without allocating). */
struct sink {
    struct dg_buf *b;
    const uint8_t *cmp;
    size_t len, pos;
};

static int add(struct sink *k, const void *p, size_t n)
{
    if (k->b)
        return dg_buf_add(k->b, p, n);
    if (n > k->len - k->pos || memcmp(k->cmp + k->pos, p, n) != 0)
        return DG_EENTRY; /* not the canonical encoding */
    k->pos += n;
    return 0;
}

static int put(struct sink *b, unsigned tag, const void *v, size_t n)
{
    uint8_t h[3] = {(uint8_t)tag, (uint8_t)(n >> 8), (uint8_t)n};
    int rc = add(b, h, 3);
    return rc || !n ? rc : add(b, v, n);
}
static int put_u8(struct sink *b, unsigned tag, unsigned v)
{
    uint8_t x = (uint8_t)v;
    return put(b, tag, &x, 1);
}
static int put_u32(struct sink *b, unsigned tag, uint32_t v)
{
    uint8_t x[4];
    dg__put_be32(x, v);
    return put(b, tag, x, 4);
}
static int put_str(struct sink *b, unsigned tag, const char *s)
{
    return put(b, tag, s, strlen(s));
}
static int put_opt(struct sink *b, unsigned tag, const char *s)
{
    return s[0] ? put_str(b, tag, s) : 0;
}

static int put_requester(struct sink *b, const struct dg_audit_requester *r)
{
    int rc = 0;
    rc = rc ? rc : put_str(b, T_ORI, r->ori);
    rc = rc ? rc : put_u8(b, T_LEVEL, r->level);
    rc = rc ? rc : put_u8(b, T_CATEGORY, r->category);
    rc = rc ? rc : put_opt(b, T_DEPARTMENT, r->department);
    rc = rc ? rc : put_opt(b, T_COMPONENT, r->component);
    if (!rc && r->agreements)
        rc = put_u32(b, T_AGREEMENTS, r->agreements);
    return rc;
}

static int encode_public(const struct dg_audit_entry *e, const uint8_t commitment[DG_HASH_SIZE],
                         struct sink *b)
{
    uint8_t head[3] = {PUB_FORMAT, PUB_VERSION, (uint8_t)e->kind};
    uint8_t t[8];
    dg__put_be64(t, (uint64_t)e->time_us);
    int rc = add(b, head, 3);
    rc = rc ? rc : put(b, T_TIME, t, 8);
    rc = rc ? rc : put_opt(b, T_MSG_ID, e->msg_id);
    if (!rc && (e->kind == DG_AUDIT_QUERY || (e->kind == DG_AUDIT_SECURITY && e->req.ori[0])))
        rc = put_requester(b, &e->req);
    if (!rc && e->kind == DG_AUDIT_QUERY) {
        rc = rc ? rc : put_u8(b, T_KEY, e->key);
        rc = rc ? rc : put_str(b, T_DEST, e->dest);
        if (!rc && e->nids) {
            char tags[DG_AUDIT_MAX_IDS * 4];
            size_t p = 0;
            for (unsigned i = 0; i < e->nids; i++) {
                if (i)
                    tags[p++] = ',';
                size_t n = strlen(e->ids[i].tag);
                memcpy(tags + p, e->ids[i].tag, n);
                p += n;
            }
            rc = put(b, T_ID_TAGS, tags, p);
        }
        rc = rc ? rc : put_u32(b, T_FIELDS_ASKED, e->fields_asked);
        rc = rc ? rc : put_u8(b, T_PURPOSE, e->purpose);
        rc = rc ? rc : put_u8(b, T_LEG, e->leg);
        rc = rc ? rc : put_u8(b, T_HAS_CASE, e->has_case);
        rc = rc ? rc : put_u8(b, T_DECISION, e->decision);
        rc = rc ? rc : put_opt(b, T_RULE, e->rule);
        rc = rc ? rc : put_u32(b, T_REDACTIONS, e->redactions);
        rc = rc ? rc : put_u8(b, T_NOTIFY, e->notify);
        rc = rc ? rc : put_u32(b, T_RELEASED, e->released);
    }
    if (!rc && e->kind == DG_AUDIT_REVIEW) {
        if (e->released)
            rc = put_u32(b, T_RELEASED, e->released);
        rc = rc ? rc : put_u8(b, T_ACTION, e->action);
        rc = rc ? rc : put_str(b, T_REVIEWER, e->reviewer);
    }
    if (!rc && e->kind == DG_AUDIT_SECURITY) {
        rc = rc ? rc : put_u8(b, T_EVENT, e->event);
        rc = rc ? rc : put_opt(b, T_CLAIMED_ORI, e->claimed_ori);
        rc = rc ? rc : put_opt(b, T_DETAIL, e->detail);
    }
    return rc ? rc : put(b, T_COMMITMENT, commitment, DG_HASH_SIZE);
}

static int encode_private(const struct dg_audit_entry *e, const uint8_t salt[32], struct sink *b)
{
    uint8_t head[2] = {PUB_FORMAT, PRIV_VERSION};
    int rc = add(b, head, 2);
    rc = rc ? rc : add(b, salt, 32);
    for (unsigned i = 0; !rc && e->kind == DG_AUDIT_QUERY && i < e->nids; i++) {
        uint8_t v[1 + 3 + sizeof(e->ids[i].value)];
        size_t tl = strlen(e->ids[i].tag), vl = strlen(e->ids[i].value);
        v[0] = (uint8_t)tl;
        memcpy(v + 1, e->ids[i].tag, tl);
        memcpy(v + 1 + tl, e->ids[i].value, vl);
        rc = put(b, P_ID, v, 1 + tl + vl);
    }
    rc = rc ? rc : put_opt(b, P_LEG_NUMBER, e->leg_number);
    rc = rc ? rc : put_opt(b, P_CASE_NUMBER, e->case_number);
    rc = rc ? rc : put_opt(b, P_ATN, e->atn);
    rc = rc ? rc : put_opt(b, P_REASON, e->reason);
    return rc;
}

static void commit_hash(const uint8_t *priv, size_t n, uint8_t out[DG_HASH_SIZE])
{
    dg__sha256_2(COMMIT_DOMAIN, sizeof(COMMIT_DOMAIN) - 1, priv, n, out);
}

int dg_audit_entry_encode(const struct dg_audit_entry *e, const uint8_t *salt, struct dg_buf *pub,
                          struct dg_buf *priv, struct dg_error *err)
{
    int rc = validate(e, true, err);
    if (rc)
        return rc;
    uint8_t s[32];
    if (salt)
        memcpy(s, salt, 32);
    else if (RAND_bytes(s, sizeof(s)) != 1)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "no randomness for the salt");
    size_t priv0 = priv->len, pub0 = pub->len;
    struct sink sp = {priv, NULL, 0, 0}, su = {pub, NULL, 0, 0};
    rc = encode_private(e, s, &sp);
    OPENSSL_cleanse(s, sizeof(s));
    uint8_t c[DG_HASH_SIZE];
    if (!rc) {
        commit_hash((const uint8_t *)priv->data + priv0, priv->len - priv0, c);
        rc = encode_public(e, c, &su);
    }
    if (!rc && pub->len - pub0 > DG_AUDIT_ENTRY_MAX)
        rc = DG_ETOOBIG;
    if (rc)
        return dg_error_set(err, rc, NULL, -1, "cannot encode the entry: %s", dg_strerror(rc));
    return 0;
}

bool dg_audit_entry_is_entry(const uint8_t *pub, size_t pub_len)
{
    return pub_len >= 3 && pub[0] == PUB_FORMAT && pub[1] == PUB_VERSION;
}

/* ---- reading ---------------------------------------------------------------------- */

struct rd {
    const uint8_t *p;
    size_t n, pos;
    unsigned last;
};

/* Next field: 1 with tag/value, 0 at the end, DG_EENTRY when malformed. */
static int next_field(struct rd *r, unsigned *tag, const uint8_t **v, size_t *len, bool repeat_ok)
{
    if (r->pos == r->n)
        return 0;
    if (r->n - r->pos < 3)
        return DG_EENTRY;
    unsigned t = r->p[r->pos];
    size_t l = dg__get_be16(r->p + r->pos + 1);
    if (l > r->n - r->pos - 3 || t < r->last || (t == r->last && !repeat_ok) || t == 0)
        return DG_EENTRY;
    *tag = r->last = t;
    *v = r->p + r->pos + 3;
    *len = l;
    r->pos += 3 + l;
    return 1;
}

static int get_str(char *dst, size_t cap, const uint8_t *v, size_t len)
{
    if (len == 0 || len >= cap || memchr(v, 0, len))
        return DG_EENTRY;
    memcpy(dst, v, len);
    dst[len] = '\0';
    return 0;
}

static int get_u8(unsigned *dst, const uint8_t *v, size_t len)
{
    if (len != 1)
        return DG_EENTRY;
    *dst = v[0];
    return 0;
}

static int get_u32(uint32_t *dst, const uint8_t *v, size_t len)
{
    if (len != 4)
        return DG_EENTRY;
    *dst = dg__get_be32(v);
    return 0;
}

static int parse_id_tags(struct dg_audit_entry *e, const uint8_t *v, size_t len)
{
    char tags[DG_AUDIT_MAX_IDS * 4];
    if (get_str(tags, sizeof(tags), v, len))
        return DG_EENTRY;
    unsigned n = 0;
    for (char *s = tags, *comma;; s = comma + 1) {
        comma = strchr(s, ',');
        size_t l = comma ? (size_t)(comma - s) : strlen(s);
        if (n >= DG_AUDIT_MAX_IDS || l == 0 || l > 3)
            return DG_EENTRY;
        memcpy(e->ids[n].tag, s, l);
        e->ids[n].tag[l] = '\0';
        n++;
        if (!comma)
            break;
    }
    e->nids = n;
    return 0;
}

static int decode_public(const uint8_t *p, size_t n, struct dg_audit_entry *e)
{
    if (!dg_audit_entry_is_entry(p, n))
        return DG_EENTRY;
    e->kind = p[2];
    struct rd r = {p, n, 3, 0};
    unsigned tag, u8v = 0;
    const uint8_t *v;
    size_t len;
    int st, rc = 0;
    bool have_commit = false;
    while (!rc && (st = next_field(&r, &tag, &v, &len, false)) == 1) {
        if (have_commit)
            return DG_EENTRY;
        switch (tag) {
        case T_TIME:
            if (len != 8)
                return DG_EENTRY;
            e->time_us = (int64_t)dg__get_be64(v);
            break;
        case T_MSG_ID: rc = get_str(e->msg_id, sizeof(e->msg_id), v, len); break;
        case T_ORI: rc = get_str(e->req.ori, sizeof(e->req.ori), v, len); break;
        case T_LEVEL: rc = get_u8(&u8v, v, len), e->req.level = u8v; break;
        case T_CATEGORY: rc = get_u8(&u8v, v, len), e->req.category = u8v; break;
        case T_DEPARTMENT:
            rc = get_str(e->req.department, sizeof(e->req.department), v, len);
            break;
        case T_COMPONENT: rc = get_str(e->req.component, sizeof(e->req.component), v, len); break;
        case T_AGREEMENTS: rc = get_u32(&e->req.agreements, v, len); break;
        case T_KEY: rc = get_u8(&u8v, v, len), e->key = u8v; break;
        case T_DEST: rc = get_str(e->dest, sizeof(e->dest), v, len); break;
        case T_ID_TAGS: rc = parse_id_tags(e, v, len); break;
        case T_FIELDS_ASKED: rc = get_u32(&e->fields_asked, v, len); break;
        case T_PURPOSE: rc = get_u8(&u8v, v, len), e->purpose = u8v; break;
        case T_LEG: rc = get_u8(&u8v, v, len), e->leg = u8v; break;
        case T_HAS_CASE: rc = get_u8(&u8v, v, len), e->has_case = u8v != 0; break;
        case T_DECISION: rc = get_u8(&u8v, v, len), e->decision = u8v; break;
        case T_RULE: rc = get_str(e->rule, sizeof(e->rule), v, len); break;
        case T_REDACTIONS: rc = get_u32(&e->redactions, v, len); break;
        case T_NOTIFY: rc = get_u8(&u8v, v, len), e->notify = u8v != 0; break;
        case T_RELEASED: rc = get_u32(&e->released, v, len); break;
        case T_ACTION: rc = get_u8(&u8v, v, len), e->action = u8v; break;
        case T_REVIEWER: rc = get_str(e->reviewer, sizeof(e->reviewer), v, len); break;
        case T_EVENT: rc = get_u8(&u8v, v, len), e->event = u8v; break;
        case T_CLAIMED_ORI: rc = get_str(e->claimed_ori, sizeof(e->claimed_ori), v, len); break;
        case T_DETAIL: rc = get_str(e->detail, sizeof(e->detail), v, len); break;
        case T_COMMITMENT:
            if (len != DG_HASH_SIZE)
                return DG_EENTRY;
            memcpy(e->commitment, v, DG_HASH_SIZE);
            have_commit = true;
            break;
        default: return DG_EENTRY;
        }
    }
    if (rc || st < 0 || !have_commit)
        return DG_EENTRY;
    return 0;
}

static int decode_private(const uint8_t *p, size_t n, struct dg_audit_entry *e)
{
    if (n < 34 || p[0] != PUB_FORMAT || p[1] != PRIV_VERSION)
        return DG_EENTRY;
    memcpy(e->salt, p + 2, 32);
    struct rd r = {p, n, 34, 0};
    unsigned tag, nid = 0;
    const uint8_t *v;
    size_t len;
    int st, rc = 0;
    while (!rc && (st = next_field(&r, &tag, &v, &len, true)) == 1) {
        /* Only identifying fields may repeat; a repeated other field is
         * caught by the canonical re-encoding below. */
        switch (tag) {
        case P_ID: {
            if (nid >= e->nids || len < 2 || v[0] == 0 || v[0] > 3 || len - 1 - v[0] == 0)
                return DG_EENTRY;
            size_t tl = v[0];
            if (strlen(e->ids[nid].tag) != tl || memcmp(e->ids[nid].tag, v + 1, tl) != 0)
                return DG_EENTRY;
            rc = get_str(e->ids[nid].value, sizeof(e->ids[nid].value), v + 1 + tl, len - 1 - tl);
            nid++;
            break;
        }
        case P_LEG_NUMBER: rc = get_str(e->leg_number, sizeof(e->leg_number), v, len); break;
        case P_CASE_NUMBER: rc = get_str(e->case_number, sizeof(e->case_number), v, len); break;
        case P_ATN: rc = get_str(e->atn, sizeof(e->atn), v, len); break;
        case P_REASON: rc = get_str(e->reason, sizeof(e->reason), v, len); break;
        default: return DG_EENTRY;
        }
    }
    if (rc || st < 0 || nid != e->nids)
        return DG_EENTRY;
    return 0;
}

int dg_audit_entry_decode(const uint8_t *pub, size_t pub_len, const uint8_t *priv, size_t priv_len,
                          struct dg_audit_entry *out, struct dg_error *err)
{
    struct dg_audit_entry e;
    memset(&e, 0, sizeof(e));
    const char *why = "malformed public part";
    if (pub_len > DG_AUDIT_ENTRY_MAX || priv_len > DG_AUDIT_PRIVATE_MAX ||
        decode_public(pub, pub_len, &e))
        goto bad;
    if (priv && priv_len) {
        uint8_t c[DG_HASH_SIZE];
        commit_hash(priv, priv_len, c);
        why = "the private part does not match the commitment";
        if (CRYPTO_memcmp(c, e.commitment, DG_HASH_SIZE) != 0)
            goto bad;
        why = "malformed private part";
        if (decode_private(priv, priv_len, &e))
            goto bad;
        e.has_private = true;
    }
    /* Canonical: the bytes must be exactly what the encoder makes of it. */
    why = "invalid or non-canonical entry";
    struct sink k = {NULL, pub, pub_len, 0};
    if (validate(&e, e.has_private, NULL) || encode_public(&e, e.commitment, &k) ||
        k.pos != pub_len)
        goto bad;
    if (e.has_private) {
        struct sink kp = {NULL, priv, priv_len, 0};
        if (encode_private(&e, e.salt, &kp) || kp.pos != priv_len)
            goto bad;
    }
    *out = e;
    if (e.has_private)
        OPENSSL_cleanse(&e, sizeof(e));
    return 0;
bad:
    if (e.has_private || (priv && priv_len))
        OPENSSL_cleanse(&e, sizeof(e));
    return dg_error_set(err, DG_EENTRY, NULL, -1, "%s", why);
}
