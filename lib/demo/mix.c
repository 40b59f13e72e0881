/*
 * mix.c - what the demo's traffic asks and who asks it (include/dmvgate/demo.h).
 *
 * The shares follow the public figures of DESIGN.md: of about 290 million DMV
 * queries a year, about 600,000 came from HSI and about 290,000 from agencies
 * whose type was never recorded; local police ask most of the rest. No public
 * figure for ICE-ERO is given there: the demo assumes as many as from
 * unrecorded agencies (docs/demo.md says so). Queries are mostly single-state
 * driver and plate checks; a few ask for the photo and a few go to several
 * states at once (a name and date of birth when the state is not known).
 */
#include <dmvgate/demo.h>
#include <dmvgate/gen.h>
#include <dmvgate/msg.h>
#include <dmvgate/record.h>

#include <stdio.h>
#include <string.h>

const struct dg_traffic_share dg_traffic_mix[DG_TK__COUNT] = {
    {DG_TK_MUNICIPAL, "city police", 540000, "local police ask most (assumed share of the rest)"},
    {DG_TK_SHERIFF, "sheriffs", 270000, "assumed share of the rest"},
    {DG_TK_STATE, "state police", 130000, "assumed share of the rest"},
    {DG_TK_OTHER_LOCAL, "courts, corrections, other", 37931, "assumed share of the rest"},
    {DG_TK_FEDERAL, "other federal", 18000, "assumed (FBI, CBP, DEA, USMS, ...)"},
    {DG_TK_HSI, "HSI", 2069, "600,000 of 290 million a year (DESIGN.md)"},
    {DG_TK_ICE_ERO, "ICE-ERO", 1000, "assumed: no public figure; as many as unrecorded"},
    {DG_TK_UNSPECIFIED, "unrecorded type", 1000, "290,000 of 290 million a year (DESIGN.md)"},
};

int dg_traffic_kind_of(const struct dg_agency *a)
{
    if (a->category == DG_CAT_UNSPECIFIED || a->level == DG_LEVEL_UNSPECIFIED)
        return DG_TK_UNSPECIFIED;
    if (strcmp(a->component, "HSI") == 0)
        return DG_TK_HSI;
    if (strcmp(a->component, "ICE-ERO") == 0)
        return DG_TK_ICE_ERO;
    if (a->level == DG_LEVEL_FEDERAL)
        return DG_TK_FEDERAL;
    switch (a->category) {
    case DG_CAT_MUNICIPAL_POLICE: return DG_TK_MUNICIPAL;
    case DG_CAT_SHERIFF: return DG_TK_SHERIFF;
    case DG_CAT_STATE_POLICE: return DG_TK_STATE;
    default: return DG_TK_OTHER_LOCAL;
    }
}

/* ---- keys ---------------------------------------------------------------------- */

static void strip_dashes(const char *in, char *out, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; in[i] && j + 1 < n; i++)
        if (in[i] != '-')
            out[j++] = in[i];
    out[j] = '\0';
}

int dg_traffic_keys_make(struct dg_traffic_keys *out, const char *state, uint64_t seed, int n,
                         struct dg_error *err)
{
    memset(out, 0, sizeof(*out));
    struct dg_gen_opts go = {.seed = seed};
    snprintf(go.state, sizeof(go.state), "%s", state);
    struct dg_gen *g = NULL;
    int rc = dg_gen_new(&go, &g, err);
    if (rc != 0)
        return rc;
    out->k = dg_calloc((size_t)n, sizeof(*out->k));
    struct dg_buf photo;
    dg_buf_init(&photo, 1u << 20);
    if (!out->k) {
        dg_gen_free(g);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    snprintf(out->state, sizeof(out->state), "%s", state);
    for (int i = 0; i < n; i++) {
        struct dg_driver d;
        struct dg_vehicle v[DG_GEN_MAX_VEHICLES];
        dg_buf_reset(&photo);
        int nv = dg_gen_next(g, &d, &photo, v);
        if (nv < 0) {
            rc = dg_error_set(err, nv, NULL, -1, "cannot generate the keys of %s", state);
            break;
        }
        struct dg_traffic_key *k = &out->k[out->n++];
        snprintf(k->oln, sizeof(k->oln), "%s", d.oln);
        /* NAM is at most 50 characters: leave the middle name out when it
         * would not fit. */
        struct dg_buf nam;
        dg_buf_init(&nam, sizeof(k->nam) - 1);
        dg_buf_printf(&nam, "%s,%s", d.last, d.first);
        size_t plain = nam.len;
        if (d.middle[0] && dg_buf_printf(&nam, " %s", d.middle) != 0)
            nam.len = plain;
        if (nam.data)
            memcpy(k->nam, nam.data, nam.len);
        k->nam[nam.len] = '\0';
        dg_buf_release(&nam);
        strip_dashes(d.dob, k->dob, sizeof(k->dob));
        k->sex[0] = d.sex == 'X' ? 'X' : d.sex;
        if (nv > 0) {
            snprintf(k->plate, sizeof(k->plate), "%s", v[0].plate);
            snprintf(k->vin, sizeof(k->vin), "%s", v[0].vin);
        }
    }
    dg_buf_release(&photo);
    dg_gen_free(g);
    if (rc != 0)
        dg_traffic_keys_release(out);
    return rc;
}

void dg_traffic_keys_release(struct dg_traffic_keys *k)
{
    dg_free(k->k);
    k->k = NULL;
    k->n = 0;
}

/* ---- one query ------------------------------------------------------------------- */

static uint64_t next(uint64_t *s)
{
    return dg_splitmix64(s);
}

static unsigned below(uint64_t *s, unsigned n)
{
    return (unsigned)(next(s) % n);
}

/* Destinations weighted by population (2024, millions): the big state asks and
 * is asked most. Unknown states weigh 5. */
static unsigned state_weight(const char *st)
{
    static const struct {
        const char *st;
        unsigned w;
    } pop[] = {{"CA", 390}, {"AZ", 74}, {"CO", 59}, {"WI", 59}, {"TX", 306}, {"FL", 227}};
    for (size_t i = 0; i < DG_ARRAY_LEN(pop); i++)
        if (strcmp(pop[i].st, st) == 0)
            return pop[i].w;
    return 50;
}

static int pick_state(const struct dg_traffic_options *o, uint64_t *rng)
{
    unsigned total = 0;
    for (int i = 0; i < o->nstates; i++)
        total += state_weight(o->keys[i].state);
    unsigned r = below(rng, total);
    for (int i = 0; i < o->nstates; i++) {
        unsigned w = state_weight(o->keys[i].state);
        if (r < w)
            return i;
        r -= w;
    }
    return 0;
}

static int pick_kind(uint64_t *rng)
{
    unsigned r = below(rng, 1000000);
    for (int k = 0; k < DG_TK__COUNT; k++) {
        if (r < dg_traffic_mix[k].per_million)
            return k;
        r -= dg_traffic_mix[k].per_million;
    }
    return DG_TK_MUNICIPAL;
}

/* An agency of kind; local ones mostly from the destination's own state. */
static int pick_agency(const struct dg_traffic_options *o, uint64_t *rng, int kind,
                       const char *dest)
{
    int same = 0, any = 0;
    for (int i = 0; i < o->nagencies; i++) {
        if (o->agencies[i].kind != kind)
            continue;
        any++;
        same += strcmp(o->agencies[i].a.state, dest) == 0;
    }
    if (!any)
        return -1;
    bool local = kind <= DG_TK_OTHER_LOCAL;
    bool home = local && same && below(rng, 100) < 85;
    int n = home ? same : any, want = (int)below(rng, (unsigned)n);
    for (int i = 0; i < o->nagencies; i++) {
        if (o->agencies[i].kind != kind || (home && strcmp(o->agencies[i].a.state, dest) != 0))
            continue;
        if (want-- == 0)
            return i;
    }
    return -1;
}

static const char *const officers[] = {"OFC K LEE",     "DEP M GARCIA", "DET J RIVERA",
                                       "SGT A NGUYEN",  "TPR D SMITH",  "SA R JONES",
                                       "CLERK P BROWN", "DISP T WHITE", "INV S PATEL"};

static char purpose_for(int kind, uint32_t agreements, uint64_t *rng)
{
    unsigned r = below(rng, 100);
    switch (kind) {
    case DG_TK_ICE_ERO: return r < 70 ? 'I' : 'C';
    case DG_TK_HSI: return r < 10 ? 'I' : 'C';
    case DG_TK_FEDERAL: return r < 95 ? 'C' : 'E';
    case DG_TK_UNSPECIFIED: return r < 80 ? 'C' : 'X';
    case DG_TK_OTHER_LOCAL: return r < 50 ? 'J' : 'C';
    default:
        /* 287(g) partners sometimes ask for ICE, and say so. */
        if ((agreements & DG_AGR_287G) && r < 10)
            return 'I';
        return r < 65 ? 'C' : r < 95 ? 'T' : r < 98 ? 'F' : 'E';
    }
}

int dg_traffic_make_query(const struct dg_traffic_options *o, uint64_t *rng, struct dg_msg_req *out,
                          int *agency)
{
    int si = pick_state(o, rng);
    const struct dg_traffic_keys *ks = &o->keys[si];
    int kind = pick_kind(rng);
    int ai = pick_agency(o, rng, kind, ks->state);
    if (ai < 0)
        ai = pick_agency(o, rng, DG_TK_MUNICIPAL, ks->state);
    if (ai < 0 || ks->n == 0)
        return DG_EINVAL;
    const struct dg_traffic_agency *ag = &o->agencies[ai];
    const struct dg_traffic_key *k = &ks->k[below(rng, (unsigned)ks->n)];

    /* What is asked: mostly a license or a plate, a few photos, and a few
     * name searches sent to several states at once. */
    unsigned what = below(rng, 1000);
    bool multi = what < 50 && o->nstates > 1;
    enum dg_key key = DG_KEY_DQ;
    if (!multi && what >= 620 && what < 900)
        key = DG_KEY_RQ;
    else if (!multi && what >= 900 && what < 930)
        key = DG_KEY_IQ;
    if (key == DG_KEY_RQ && !k->plate[0]) /* a driver without a vehicle */
        key = DG_KEY_DQ;
    struct dg_msg_req req;
    int rc = dg_msg_req_init(&req, key, ag->a.ori, NULL);
    if (rc == 0)
        rc = dg_msg_req_add_dest(&req, ks->state, NULL);
    if (rc == 0 && multi) {
        int extra = 1 + (int)below(rng, (unsigned)(o->nstates - 1));
        for (int i = 1; rc == 0 && i <= extra; i++)
            rc = dg_msg_req_add_dest(&req, o->keys[(si + i) % o->nstates].state, NULL);
    }
    if (rc == 0) {
        if (multi || (what >= 50 && what < 170)) {
            rc = dg_msg_req_set(&req, DG_TAG_NAM, k->nam, NULL);
            if (rc == 0)
                rc = dg_msg_req_set(&req, DG_TAG_DOB, k->dob, NULL);
        } else if (key == DG_KEY_RQ && what >= 870 && k->vin[0]) {
            rc = dg_msg_req_set(&req, DG_TAG_VIN, k->vin, NULL);
        } else if (key == DG_KEY_RQ) {
            rc = dg_msg_req_set(&req, DG_TAG_LIC, k->plate, NULL);
            if (rc == 0)
                rc = dg_msg_req_set(&req, DG_TAG_LIS, ks->state, NULL);
        } else {
            rc = dg_msg_req_set(&req, DG_TAG_OLN, k->oln, NULL);
            if (rc == 0)
                rc = dg_msg_req_set(&req, DG_TAG_OLS, ks->state, NULL);
            if (rc == 0 && key == DG_KEY_DQ && what >= 930 && what < 950)
                rc = dg_msg_req_set(&req, DG_TAG_IMQ, "Y", NULL);
        }
    }
    char pur[2] = {purpose_for(kind, ag->a.agreements, rng), '\0'};
    if (rc == 0)
        rc = dg_msg_req_set(&req, DG_TAG_PUR, pur, NULL);
    if (rc == 0)
        rc = dg_msg_req_set(&req, DG_TAG_ATN, officers[below(rng, DG_ARRAY_LEN(officers))], NULL);
    bool federal = kind == DG_TK_FEDERAL || kind == DG_TK_HSI || kind == DG_TK_ICE_ERO;
    char buf[32];
    if (rc == 0 && (federal || below(rng, 100) < 30)) {
        snprintf(buf, sizeof(buf), "2026-%05u", below(rng, 100000));
        rc = dg_msg_req_set(&req, DG_TAG_CAS, buf, NULL);
    }
    /* Legal process: a judge's warrant now and then; ICE's own
     * administrative warrants (I-200) more often. */
    if (rc == 0 && federal) {
        unsigned r = below(rng, 100);
        if (r < 15)
            snprintf(buf, sizeof(buf), "JW 2026-CR-%04u", below(rng, 10000));
        else if (kind == DG_TK_ICE_ERO && r < 55)
            snprintf(buf, sizeof(buf), "AW I200-%05u", below(rng, 100000));
        else
            buf[0] = '\0';
        if (buf[0])
            rc = dg_msg_req_set(&req, DG_TAG_LEG, buf, NULL);
    }
    if (rc == 0)
        rc = dg_msg_req_finish(&req, NULL);
    if (rc == 0) {
        *out = req;
        *agency = ai;
    }
    return rc;
}
