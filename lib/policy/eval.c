/*
 * eval.c - decisions: a compiled policy applied to a request.
 *
 * This is the hot path of every node (every query is decided here), so it
 * allocates nothing, takes no lock and writes only to the caller's memory. A
 * request is first turned into "facts": one small integer per attribute (an
 * enum index, a bit set, a count) and three packed 16-byte keys (ORI,
 * department, component). Each test is then one operation on a fact: a bit of
 * a mask, a range, a pair of word compares, or one hash probe for an ORI list.
 *
 * Conditions are evaluated with three values (false, true, unknown) so that
 * the same code serves both phases: before the lookup every record attribute
 * is unknown, "and" and "or" propagate unknown as Kleene's logic does, and a
 * deciding rule whose condition is unknown stops the decision (UNDECIDED).
 * Since known values never change between the phases, phase 2 can only turn
 * unknowns into answers: it never changes a decision phase 1 made.
 */
#include "policy_int.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

_Static_assert(offsetof(struct dg_agency, ori) + 16 <= sizeof(struct dg_agency) &&
                   offsetof(struct dg_agency, department) + 16 <= sizeof(struct dg_agency) &&
                   offsetof(struct dg_agency, component) + 16 <= sizeof(struct dg_agency),
               "pack_field reads 16 bytes from each name of struct dg_agency");

/* The first zero byte of w (little-endian byte order), or 8 when none. */
static unsigned zero_byte(uint64_t w)
{
    uint64_t t = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
    return t ? (unsigned)__builtin_ctzll(t) / 8 : 8;
}

/* Keep the bytes of w below byte n (n <= 8). */
static uint64_t keep(uint64_t w, unsigned n)
{
    return n >= 8 ? w : w & ((1ull << (n * 8)) - 1);
}

/* Pack the NUL-terminated name at s into k, as dg__key_pack does, without a
 * strlen: two 8-byte loads and a zero-byte search. s must have 16 readable
 * bytes (every caller passes a member of struct dg_agency with at least 16
 * bytes of the struct from it); a name of 16 or more bytes keeps 15, as
 * dg__key_pack would refuse it and so it can match nothing in a policy. */
static void pack_field(struct dg__key *k, const char *s)
{
    uint64_t w0, w1;
    memcpy(&w0, s, 8);
    memcpy(&w1, s + 8, 8);
    unsigned z = zero_byte(w0);
    if (z < 8) {
        k->w[0] = keep(w0, z);
        k->w[1] = 0;
    } else {
        k->w[0] = w0;
        k->w[1] = keep(w1, zero_byte(w1)) & 0x00ffffffffffffffull;
    }
}

#define USES(a) (uses & (1u << (a)))

static int fill(const struct dg_policy *p, const struct dg_policy_request *req,
                const struct dg_policy_record *rec, struct dg__facts *f, uint32_t uses)
{
    const struct dg_agency *a = req->requester;
    if (!a || (unsigned)req->key >= DG_KEY__COUNT || (unsigned)req->purpose >= DG_PUR__COUNT ||
        (unsigned)req->legal_process >= DG_LEG__COUNT || req->hour > 23 || req->weekday > 6)
        return DG_EINVAL;
    uint32_t *v = f->v;
    /* The request's own members: one struct, already in cache. */
    v[AT_REQ_VOLUME] = req->queries_last_hour;
    v[AT_QUERY_KEY] = (uint32_t)req->key;
    v[AT_QUERY_IDBY] = req->identified_by;
    v[AT_QUERY_FIELDS] = req->fields;
    v[AT_PURPOSE] = (uint32_t)req->purpose;
    v[AT_LEGAL_PROCESS] = (uint32_t)req->legal_process;
    v[AT_HAS_CASE] = req->has_case_number ? 1 : 0;
    v[AT_DESTINATION] = USES(AT_DESTINATION) ? dg__state_ix(p, req->destination) : 0;
    v[AT_TIME_HOUR] = req->hour;
    v[AT_TIME_WEEKDAY] = req->weekday;
    v[AT_REC_LAWFUL_PRESENCE] = rec && rec->lawful_presence_flag ? 1 : 0;
    f->rec_known = rec != NULL;
    /* The directory entry: one of thousands, likely not in cache; read only
     * the members the policy tests. */
    if (USES(AT_REQ_LEVEL)) {
        if ((unsigned)a->level >= DG_LEVEL__COUNT)
            return DG_EINVAL;
        v[AT_REQ_LEVEL] = (uint32_t)a->level;
    }
    if (USES(AT_REQ_CATEGORY)) {
        if ((unsigned)a->category >= DG_CAT__COUNT)
            return DG_EINVAL;
        v[AT_REQ_CATEGORY] = (uint32_t)a->category;
    }
    if (USES(AT_REQ_STATE))
        v[AT_REQ_STATE] = dg__state_ix(p, a->state);
    if (USES(AT_REQ_AGREEMENTS))
        v[AT_REQ_AGREEMENTS] = a->agreements;
    if (USES(AT_REQ_ORI))
        pack_field(&f->ori, a->ori);
    if (USES(AT_REQ_DEPARTMENT))
        pack_field(&f->dept, a->department);
    if (USES(AT_REQ_COMPONENT))
        pack_field(&f->comp, a->component);
    return 0;
}

int dg__facts_fill(const struct dg_policy *p, const struct dg_policy_request *req,
                   const struct dg_policy_record *rec, struct dg__facts *f)
{
    return fill(p, req, rec, f, p->uses);
}

int dg__facts_fill_all(const struct dg_policy *p, const struct dg_policy_request *req,
                       const struct dg_policy_record *rec, struct dg__facts *f)
{
    return fill(p, req, rec, f, ~0u);
}

int dg__eval_leaf(const struct dg_policy *p, const struct dg__facts *f, const struct dg__node *nd)
{
    if (dg__attrs[nd->attr].record && !f->rec_known)
        return DG__U;
    uint32_t x = f->v[nd->attr];
    switch (nd->op) {
    case PN_MASK: return (int)((nd->m >> x) & 1);
    case PN_RANGE: {
        uint32_t lo = (uint32_t)nd->m, hi = (uint32_t)(nd->m >> 32);
        return (x >= lo && x <= hi) ^ nd->neg;
    }
    case PN_ANY: return (x & nd->m) != 0;
    case PN_ALL: return (x & nd->m) == nd->m;
    case PN_NONE: return x == 0;
    case PN_STR: {
        const struct dg__key *k = nd->attr == AT_REQ_ORI          ? &f->ori
                                  : nd->attr == AT_REQ_DEPARTMENT ? &f->dept
                                                                  : &f->comp;
        const struct dg__key *s = p->keys + nd->a;
        for (int32_t i = 0; i < nd->b; i++)
            if (s[i].w[0] == k->w[0] && s[i].w[1] == k->w[1])
                return !nd->neg;
        return nd->neg;
    }
    case PN_LIST: return dg__orilist_has(&p->lists[nd->a], &f->ori) ^ nd->neg;
    default: return DG__U;
    }
}

int dg__eval_node(const struct dg_policy *p, const struct dg__facts *f, int32_t n)
{
    const struct dg__node *nd = &p->nodes[n];
    switch (nd->op) {
    case PN_AND: {
        int r = DG__T;
        for (int32_t i = 0; i < nd->b; i++) {
            int k = dg__eval_node(p, f, p->kids[nd->a + i]);
            if (k == DG__F)
                return DG__F;
            if (k == DG__U)
                r = DG__U;
        }
        return r;
    }
    case PN_OR: {
        int r = DG__F;
        for (int32_t i = 0; i < nd->b; i++) {
            int k = dg__eval_node(p, f, p->kids[nd->a + i]);
            if (k == DG__T)
                return DG__T;
            if (k == DG__U)
                r = DG__U;
        }
        return r;
    }
    case PN_NOT: {
        int k = dg__eval_node(p, f, p->kids[nd->a]);
        return k == DG__U ? DG__U : !k;
    }
    default: return dg__eval_leaf(p, f, nd);
    }
}

static int rule_cond(const struct dg_policy *p, const struct dg__facts *f, const struct dg__rule *r)
{
    return r->cond < 0 ? DG__T : dg__eval_node(p, f, r->cond);
}

static void apply(struct dg_policy_decision *d, const struct dg__rule *r, int ix)
{
    d->redact |= r->redact;
    d->notify = d->notify || r->notify;
    if (d->n_applied < DG_POLICY_MAX_APPLIED)
        d->applied[d->n_applied] = ix;
    d->n_applied++;
}

int dg_policy_decide(const struct dg_policy *p, const struct dg_policy_request *req,
                     const struct dg_policy_record *rec, struct dg_policy_decision *out)
{
    struct dg__facts f;
    memset(out, 0, sizeof(*out));
    out->rule = -1;
    out->rule_name = "";
    out->reason = "";
    if (dg__facts_fill(p, req, rec, &f)) {
        out->outcome = DG_POLICY_DENY;
        out->reason = "invalid request";
        return DG_EINVAL;
    }
    int ix = -1;
    for (int i = 0; i < p->ndeciding; i++) {
        int k = rule_cond(p, &f, &p->rules[p->deciding[i]]);
        if (k == DG__F)
            continue;
        if (k == DG__U) {
            out->outcome = DG_POLICY_UNDECIDED;
            out->needs_record = true;
            return 0;
        }
        ix = p->deciding[i];
        break;
    }
    if (ix < 0) { /* cannot happen: the compiler insists on a default */
        out->outcome = DG_POLICY_DENY;
        out->reason = "no rule decided";
        return DG_EINTERNAL;
    }
    const struct dg__rule *r = &p->rules[ix];
    out->rule = ix;
    out->line = r->line;
    out->rule_name = r->name;
    out->reason = r->reason ? r->reason : "";
    switch (r->action) {
    case DG_POLICY_ACT_DENY: out->outcome = DG_POLICY_DENY; return 0;
    case DG_POLICY_ACT_REVIEW:
        out->outcome = DG_POLICY_REVIEW;
        out->deadline_s = r->deadline_s;
        out->expiry = r->expiry;
        out->two_person = r->two_person;
        break;
    default: out->outcome = DG_POLICY_ALLOW; break;
    }
    out->redact = r->redact;
    out->notify = r->notify;
    for (int i = 0; i < p->nmodifiers; i++) {
        int m = p->modifiers[i];
        int k = rule_cond(p, &f, &p->rules[m]);
        if (k == DG__T)
            apply(out, &p->rules[m], m);
        else if (k == DG__U)
            out->needs_record = true;
    }
    return 0;
}

const char *dg_policy_outcome_name(enum dg_policy_outcome o)
{
    switch (o) {
    case DG_POLICY_ALLOW: return "allow";
    case DG_POLICY_DENY: return "deny";
    case DG_POLICY_REVIEW: return "review";
    case DG_POLICY_UNDECIDED: return "undecided";
    }
    return "?";
}

/* ---- requests ------------------------------------------------------------------- */

uint32_t dg_policy_fields_for_key(enum dg_key k, bool photo)
{
    const uint32_t driver = DG_FIELD_NAME | DG_FIELD_DOB | DG_FIELD_SEX | DG_FIELD_PHYSICAL |
                            DG_FIELD_ADDRESS | DG_FIELD_LICENSE | DG_FIELD_STATUS |
                            DG_FIELD_LAWFUL_PRESENCE;
    switch (k) {
    case DG_KEY_DQ: return driver | (photo ? DG_FIELD_PHOTO : 0);
    case DG_KEY_RQ: return DG_FIELD_VEHICLES | DG_FIELD_OWNER;
    case DG_KEY_IQ:
        return DG_FIELD_PHOTO | DG_FIELD_NAME | DG_FIELD_DOB | DG_FIELD_SEX | DG_FIELD_LICENSE;
    default: return 0;
    }
}

void dg_policy_request_init(struct dg_policy_request *r, const struct dg_agency *a)
{
    memset(r, 0, sizeof(*r));
    r->requester = a;
    r->key = DG_KEY_DQ;
    r->identified_by = DG_IDF_OLN;
    r->fields = dg_policy_fields_for_key(DG_KEY_DQ, false);
    r->purpose = DG_PUR_CRIMINAL_JUSTICE;
    r->legal_process = DG_LEG_NONE;
}

void dg_policy_request_set_time(struct dg_policy_request *r, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return;
    r->hour = (uint8_t)tm.tm_hour;
    r->weekday = (uint8_t)((tm.tm_wday + 6) % 7); /* tm: 0 is Sunday; here 0 is Monday */
}
