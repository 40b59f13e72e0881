/*
 * bench_policy.c - policy decisions per second on one core, each beside a
 * baseline measured in the same run: the same policy written by hand as a C
 * if-chain over the same request structs (what a programmer would write
 * without a policy language: the floor the engine can approach).
 *
 * Policies: the warrant-required example (policies/examples/), the
 * block-immigration example, and a policy with a 5,000-ORI list (baseline:
 * binary search in a sorted array of the same ORIs). Requesters come from
 * dmvgate's synthetic directory (dg_agencies_generate, seed 1: about 18,500
 * agencies), with the query shares of
 * bench/peers/README.md ("The request mix"): about 59 % municipal police,
 * 25 % sheriffs, 12 % state police, HSI 0.21 %, ICE-ERO 0.10 %, agencies of
 * unrecorded type 0.10 %, CBP, FBI, DEA, USMS, ATF 0.55 % together (other
 * federal components get no share). Before timing, every request
 * of the mix is decided both ways and the decisions compared: the bench
 * fails if a single one differs.
 *
 * Rates are per second of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
 * so that other processes on a shared machine do not count against either.
 *
 * usage: bench_policy [--requests N] [--rounds R] [--policy-dir DIR]
 */
#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/policy.h>

#include "bench_row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU time of this thread, in nanoseconds. The machine is shared: wall-clock
 * time would count the time other processes held the core; "per second on
 * one core" is per second of this thread running. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- a deterministic generator ----------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_u64(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(next_u64() >> 11) / 9007199254740992.0;
}

struct weight {
    int value;
    double w;
};

static int weighted(const struct weight *ws, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += ws[i].w;
    double x = uniform() * total;
    for (size_t i = 0; i < n; i++)
        if ((x -= ws[i].w) < 0)
            return ws[i].value;
    return ws[n - 1].value;
}

/* ---- the directory ----------------------------------------------------------------- */

enum group {
    G_MUNICIPAL,
    G_SHERIFF,
    G_STATE_POLICE,
    G_TRIBAL,
    G_OTHER_LOCAL,
    G_UNSPECIFIED,
    G_HSI,
    G_ICE,
    G_CBP,
    G_FBI,
    G_DEA,
    G_USMS,
    G_ATF,
    G__COUNT
};

static const struct dg_agency **agencies;
static int nagencies;
static int *members[G__COUNT];
static int nmembers[G__COUNT];

static int group_of(const struct dg_agency *a)
{
    static const struct {
        const char *comp;
        enum group g;
    } feds[] = {{"ICE-ERO", G_ICE}, {"HSI", G_HSI},   {"CBP", G_CBP}, {"FBI", G_FBI},
                {"DEA", G_DEA},     {"USMS", G_USMS}, {"ATF", G_ATF}};
    if (a->level == DG_LEVEL_FEDERAL) {
        for (size_t i = 0; i < DG_ARRAY_LEN(feds); i++)
            if (strcmp(a->component, feds[i].comp) == 0)
                return feds[i].g;
        return -1; /* other federal components: no share in the mix */
    }
    switch (a->category) {
    case DG_CAT_MUNICIPAL_POLICE: return G_MUNICIPAL;
    case DG_CAT_SHERIFF: return G_SHERIFF;
    case DG_CAT_STATE_POLICE: return G_STATE_POLICE;
    case DG_CAT_TRIBAL_POLICE: return G_TRIBAL;
    case DG_CAT_UNSPECIFIED: return G_UNSPECIFIED;
    default: return G_OTHER_LOCAL;
    }
}

/* dmvgate's synthetic directory (dg_agencies_generate, docs/agencies.md):
 * about 18,000 agencies shaped like the real population. */
static struct dg_directory *make_directory(void)
{
    struct dg_directory *d = dg_directory_new();
    struct dg_error e;
    if (!d || dg_agencies_generate(d, 1, &e) < 0) {
        fprintf(stderr, "bench_policy: cannot generate the directory\n");
        exit(2);
    }
    nagencies = (int)dg_directory_count(d);
    agencies = calloc((size_t)nagencies, sizeof(*agencies));
    for (int g = 0; g < G__COUNT; g++)
        members[g] = calloc((size_t)nagencies, sizeof(int));
    for (int i = 0; i < nagencies; i++) {
        agencies[i] = dg_directory_at(d, (size_t)i);
        int g = group_of(agencies[i]);
        if (g >= 0)
            members[g][nmembers[g]++] = i;
    }
    for (int g = 0; g < G__COUNT; g++)
        if (!nmembers[g]) {
            fprintf(stderr, "bench_policy: the directory has no agency of group %d\n", g);
            exit(2);
        }
    return d;
}

/* ---- the request mix ------------------------------------------------------------------ */

static struct dg_policy_request *make_mix(int n)
{
    /* Shares of queries by requesting group: HSI and ICE-ERO from the public
     * Nlets figures (605,116 and 292,114 of about 290 million), unrecorded
     * type from DESIGN.md (290,000); the rest are the assumptions written in
     * bench/peers/README.md. */
    const double total = 290e6;
    struct weight groups[] = {
        {G_HSI, 605116 / total}, {G_ICE, 292114 / total}, {G_UNSPECIFIED, 290000 / total},
        {G_CBP, 0.0015},         {G_FBI, 0.002},          {G_DEA, 0.0008},
        {G_USMS, 0.0008},        {G_ATF, 0.0004},         {G_STATE_POLICE, 0.12},
        {G_SHERIFF, 0.25},       {G_TRIBAL, 0.005},       {G_OTHER_LOCAL, 0.02},
        {G_MUNICIPAL, 0},
    };
    double rest = 1;
    for (size_t i = 0; i + 1 < DG_ARRAY_LEN(groups); i++)
        rest -= groups[i].w;
    groups[DG_ARRAY_LEN(groups) - 1].w = rest;
    static const struct weight keys[] = {{DG_KEY_DQ, .55}, {DG_KEY_RQ, .40}, {DG_KEY_IQ, .05}};
    static const struct weight leg_local[] = {{DG_LEG_NONE, .93},
                                              {DG_LEG_JUDICIAL_WARRANT, .03},
                                              {DG_LEG_COURT_ORDER, .02},
                                              {DG_LEG_GRAND_JURY_SUBPOENA, .01},
                                              {DG_LEG_ADMIN_SUBPOENA, .01}};
    static const struct weight leg_fed[] = {
        {DG_LEG_NONE, .55},          {DG_LEG_JUDICIAL_WARRANT, .12},
        {DG_LEG_ADMIN_WARRANT, .12}, {DG_LEG_ADMIN_SUBPOENA, .08},
        {DG_LEG_COURT_ORDER, .07},   {DG_LEG_GRAND_JURY_SUBPOENA, .06}};
    static const struct weight leg_ice[] = {{DG_LEG_NONE, .5},
                                            {DG_LEG_ADMIN_WARRANT, .3},
                                            {DG_LEG_JUDICIAL_WARRANT, .08},
                                            {DG_LEG_ADMIN_SUBPOENA, .08},
                                            {DG_LEG_COURT_ORDER, .04}};
    static const struct weight pur_local[] = {
        {DG_PUR_CRIMINAL_JUSTICE, .55}, {DG_PUR_TRAFFIC, .35},  {DG_PUR_JUDICIAL, .03},
        {DG_PUR_EMPLOYMENT, .03},       {DG_PUR_FIREARMS, .02}, {DG_PUR_OTHER, .02}};
    static const struct weight pur_fed[] = {{DG_PUR_CRIMINAL_JUSTICE, .8},
                                            {DG_PUR_IMMIGRATION, .1},
                                            {DG_PUR_EMPLOYMENT, .05},
                                            {DG_PUR_OTHER, .05}};
    static const struct weight pur_ice[] = {{DG_PUR_IMMIGRATION, .7},
                                            {DG_PUR_CRIMINAL_JUSTICE, .3}};
    struct dg_policy_request *mix = calloc((size_t)n, sizeof(*mix));
    for (int i = 0; i < n; i++) {
        int g = weighted(groups, DG_ARRAY_LEN(groups));
        const struct dg_agency *a = agencies[members[g][next_u64() % (uint64_t)nmembers[g]]];
        bool ice = g == G_ICE, fed = a->level == DG_LEVEL_FEDERAL;
        struct dg_policy_request *r = &mix[i];
        dg_policy_request_init(r, a);
        r->key = (enum dg_key)weighted(keys, 3);
        r->identified_by = r->key == DG_KEY_RQ ? DG_IDF_PLATE : DG_IDF_OLN;
        r->fields = dg_policy_fields_for_key(r->key, false);
        r->purpose = (enum dg_purpose)(ice   ? weighted(pur_ice, DG_ARRAY_LEN(pur_ice))
                                       : fed ? weighted(pur_fed, DG_ARRAY_LEN(pur_fed))
                                             : weighted(pur_local, DG_ARRAY_LEN(pur_local)));
        r->legal_process = (enum dg_leg)(ice   ? weighted(leg_ice, DG_ARRAY_LEN(leg_ice))
                                         : fed ? weighted(leg_fed, DG_ARRAY_LEN(leg_fed))
                                               : weighted(leg_local, DG_ARRAY_LEN(leg_local)));
        r->has_case_number = uniform() < (fed ? 0.9 : 0.6);
        const char *dest =
            !fed && uniform() < 0.8 ? a->state : dg_state_code((int)(next_u64() % DG_STATE_COUNT));
        memcpy(r->destination, dest, 3);
        r->hour = (uint8_t)(next_u64() % 24);
        r->weekday = (uint8_t)(next_u64() % 7);
    }
    return mix;
}

/* ---- the baselines: each policy by hand ------------------------------------------------ */

struct small {
    enum dg_policy_outcome outcome;
    int rule;
    uint32_t redact;
    bool notify;
};

/* warrant-required.policy: rule 0 review + notify, rule 1 default allow. */
static struct small by_hand_warrant(const struct dg_policy_request *r)
{
    if (r->requester->level == DG_LEVEL_FEDERAL && r->legal_process != DG_LEG_JUDICIAL_WARRANT)
        return (struct small){DG_POLICY_REVIEW, 0, 0, true};
    return (struct small){DG_POLICY_ALLOW, 1, 0, false};
}

/* block-immigration.policy: rule 0 deny; rule 1 redact for federal; rule 2 default allow. */
static struct small by_hand_block(const struct dg_policy_request *r)
{
    if (strcmp(r->requester->component, "ICE-ERO") == 0 || r->purpose == DG_PUR_IMMIGRATION)
        return (struct small){DG_POLICY_DENY, 0, 0, false};
    uint32_t redact = r->requester->level == DG_LEVEL_FEDERAL ? DG_FIELD_LAWFUL_PRESENCE : 0;
    return (struct small){DG_POLICY_ALLOW, 2, redact, false};
}

/* The list policy: review members of a 5,000-ORI list (binary search). */
static char (*sorted)[DG_ORI_LEN + 1];
static int nsorted;

static int cmp_ori(const void *a, const void *b)
{
    return memcmp(a, b, DG_ORI_LEN);
}

static struct small by_hand_list(const struct dg_policy_request *r)
{
    if (bsearch(r->requester->ori, sorted, (size_t)nsorted, sizeof(*sorted), cmp_ori))
        return (struct small){DG_POLICY_REVIEW, 0, 0, false};
    return (struct small){DG_POLICY_ALLOW, 1, 0, false};
}

/* ---- timing -------------------------------------------------------------------------- */

static int nreq = 200000, rounds = 5;
static struct dg_policy_request *mix;

static double rate_engine(const struct dg_policy *p, uint64_t *sink)
{
    struct dg_policy_decision d;
    uint64_t t0 = cpu_ns();
    for (int k = 0; k < rounds; k++)
        for (int i = 0; i < nreq; i++) {
            dg_policy_decide(p, &mix[i], NULL, &d);
            *sink += (uint64_t)d.outcome + (uint64_t)d.rule + d.redact + d.notify;
        }
    return (double)nreq * rounds / ((double)(cpu_ns() - t0) / 1e9);
}

static double rate_hand(struct small (*f)(const struct dg_policy_request *), uint64_t *sink)
{
    uint64_t t0 = cpu_ns();
    for (int k = 0; k < rounds; k++)
        for (int i = 0; i < nreq; i++) {
            struct small s = f(&mix[i]);
            *sink += (uint64_t)s.outcome + (uint64_t)s.rule + s.redact + s.notify;
        }
    return (double)nreq * rounds / ((double)(cpu_ns() - t0) / 1e9);
}

static int compare(const struct dg_policy *p, struct small (*f)(const struct dg_policy_request *))
{
    int diff = 0;
    for (int i = 0; i < nreq; i++) {
        struct dg_policy_decision d;
        dg_policy_decide(p, &mix[i], NULL, &d);
        struct small s = f(&mix[i]);
        diff += d.outcome != s.outcome || d.rule != s.rule || d.redact != s.redact ||
                d.notify != s.notify;
    }
    return diff;
}

static struct dg_policy *load(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct dg_policy *p = NULL;
    struct dg_error e;
    if (dg_policy_load(path, &p, NULL, &e)) {
        fprintf(stderr, "bench_policy: %s\n", e.msg);
        exit(2);
    }
    return p;
}

/* Best of three runs of each, alternating, so a noisy neighbour hurts both alike. */
static void row(const char *what, const struct dg_policy *p,
                struct small (*f)(const struct dg_policy_request *), int *failed)
{
    uint64_t sink = 0;
    int diff = compare(p, f);
    double e = 0, h = 0;
    for (int k = 0; k < 3; k++) {
        double x = rate_engine(p, &sink), y = rate_hand(f, &sink);
        e = x > e ? x : e;
        h = y > h ? y : h;
    }
    printf("| %-38s | %14.0f | %14.0f | %5.2f | %11d |\n", what, e, h, e / h, diff);
    char fig[96];
    snprintf(fig, sizeof(fig), "policy: %s decisions per CPU-s", what);
    bench_row("policy", fig, e, "the same policy as C by hand", h, "decisions/s", 1);
    if (sink == 42)
        printf(" ");
    *failed += diff != 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--requests") && i + 1 < argc)
            nreq = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--policy-dir") && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench_policy [--requests N] [--rounds R] [--policy-dir DIR]\n");
            return 2;
        }
    }
    if (nreq < 1 || rounds < 1)
        return 2;
    static const char *const dirs[] = {"policies/examples", "../policies/examples",
                                       "../../policies/examples"};
    for (size_t i = 0; !dir && i < DG_ARRAY_LEN(dirs); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/warrant-required.policy", dirs[i]);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            dir = dirs[i];
        }
    }
    if (!dir) {
        fprintf(stderr, "bench_policy: cannot find policies/examples (use --policy-dir)\n");
        return 2;
    }
    struct dg_directory *dir_agencies = make_directory();
    mix = make_mix(nreq);

    /* A policy with 5,000 ORIs in a list: every 18th agency of the directory. */
    sorted = calloc(5000, sizeof(*sorted));
    struct dg_buf text;
    dg_buf_init(&text, 1 << 20);
    dg_buf_addstr(&text, "policy \"list\" state CO\nlist l = [");
    for (int i = 0; i < 5000; i++) {
        memcpy(sorted[i], agencies[i * 3]->ori, DG_ORI_LEN + 1);
        dg_buf_printf(&text, "%s%s", i ? ", " : "", sorted[i]);
    }
    nsorted = 5000;
    qsort(sorted, (size_t)nsorted, sizeof(*sorted), cmp_ori);
    dg_buf_addstr(&text, "]\nreview \"listed\" when requester.ori in l\ndefault allow\n");
    struct dg_policy *plist = NULL;
    if (dg_policy_compile(text.data, text.len, NULL, &plist, NULL, NULL)) {
        fprintf(stderr, "bench_policy: list policy does not compile\n");
        return 2;
    }
    dg_buf_release(&text);

    struct dg_policy *pw = load(dir, "warrant-required.policy");
    struct dg_policy *pb = load(dir, "block-immigration.policy");
    int fed = 0;
    for (int i = 0; i < nreq; i++)
        fed += mix[i].requester->level == DG_LEVEL_FEDERAL;
    printf("policy decisions per second of CPU time, one core: %d agencies, %d requests (%.2f%% "
           "federal) x %d rounds, best of 3\n\n",
           nagencies, nreq, 100.0 * fed / nreq, rounds);
    printf("| %-38s | %14s | %14s | %5s | %11s |\n", "policy", "dmvgate /s", "C by hand /s",
           "ratio", "disagreeing");
    printf("|%s|%s|%s|%s|%s|\n", "----------------------------------------", "----------------",
           "----------------", "-------", "-------------");
    int failed = 0;
    row("warrant-required (CA)", pw, by_hand_warrant, &failed);
    row("block-immigration (CO)", pb, by_hand_block, &failed);
    row("5,000-ORI list (hash set vs bsearch)", plist, by_hand_list, &failed);
    printf("\nratio = dmvgate / C by hand; disagreeing = requests whose decision (outcome, rule, "
           "redactions, notice) differs\n");
    dg_policy_free(pw);
    dg_policy_free(pb);
    dg_policy_free(plist);
    free(mix);
    free(sorted);
    for (int g = 0; g < G__COUNT; g++)
        free(members[g]);
    free(agencies);
    dg_directory_free(dir_agencies);
    if (failed)
        fprintf(stderr, "bench_policy: the engine and the hand-written policy disagree\n");
    return failed ? 1 : 0;
}
