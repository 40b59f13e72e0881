/*
 * bench_policy_peers.c - dmvgate's policy engine against two peers, Cedar and
 * Casbin, on the same policy, directory and request mix (issue 11).
 *
 * It generates the synthetic 18,000-agency directory (dg_agencies_generate),
 * draws a request mix shaped like the national figures (bench/peers/README.md,
 * "The request mix"), decides every request with dmvgate's engine on
 * policies/examples/warrant-required, writes the mix as JSON lines with those
 * decisions as "expect", times dmvgate's decisions on one core, runs the Node
 * drivers in bench/peers/policy (Cedar twice: isAuthorized and the stateful
 * call; Casbin once), reads their decisions back, counts disagreements with
 * dmvgate's, and prints one table: figure, dmvgate, peer, ratio. Exit 0 when
 * every peer ran and agreed on every request, 1 otherwise, 2 on bad usage.
 *
 * Run it with bench/policy-peers.sh (which installs the peers) or make bench.
 */
#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/policy.h>
#include <dmvgate/vocab.h>

#include "bench_row.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- options --------------------------------------------------------------------- */

struct opts {
    long requests;     /* requests in the mix */
    uint64_t seed;     /* directory and mix */
    long n;            /* dmvgate's timed decisions */
    long peer_n;       /* each peer's timed decisions; 0: one pass over the mix */
    long peer_warmup;  /* each peer's untimed decisions first */
    long rounds;       /* timed rounds, the best reported */
    const char *peers; /* bench/peers/policy */
    const char *policy;
    const char *work; /* where the mix and the decision files go */
    const char *json; /* write the table as JSON here, or NULL */
    bool no_peers;
};

static void usage(FILE *out)
{
    fputs("usage: bench_policy_peers [options]\n"
          "\n"
          "dmvgate's policy engine against Cedar (@cedar-policy/cedar-wasm) and Casbin\n"
          "(casbin), both in Node, on policies/examples/warrant-required, the synthetic\n"
          "18,000-agency directory and one request mix: decisions per second each, the\n"
          "ratios, and the count of requests on which the engines disagree (must be 0).\n"
          "\n"
          "  --requests N     requests in the mix (default 50000)\n"
          "  --seed S         seed of the directory and the mix (default 1)\n"
          "  --n N            dmvgate's timed decisions, cycling the mix (default 5000000)\n"
          "  --peer-n N       each peer's timed decisions (default 0: one pass over the mix)\n"
          "  --peer-warmup N  each peer's untimed decisions before timing (default 5000)\n"
          "  --rounds R       split each engine's timed decisions into R rounds and report\n"
          "                   the best round, wall clock and CPU time apart (default 5)\n"
          "  --peers DIR      the Node drivers (default: bench/peers/policy beside the build)\n"
          "  --policy FILE    the dmvgate policy (default: policies/examples/warrant-required)\n"
          "  --work DIR       where the mix and decision files go (default: bench-peers in\n"
          "                   the build directory)\n"
          "  --json FILE      also write the table as JSON to FILE\n"
          "  --no-peers       measure dmvgate and write the mix, but run no peer\n"
          "  --help           this text\n"
          "\n"
          "Exit status: 0 all engines ran and agreed, 1 a peer failed or disagreed, 2 usage.\n",
          out);
}

static long num_arg(const char *name, const char *s, long min)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min) {
        fprintf(stderr, "bench_policy_peers: bad %s '%s'\n", name, s);
        exit(2);
    }
    return v;
}

/* dir + "/" + name into out (PATH_MAX bytes); a path too long for it stops the
 * program, since every path here comes from the command line or the build. */
static void path_join(char *out, const char *dir, const char *name)
{
    int k = snprintf(out, PATH_MAX, "%s/%s", dir, name);
    if (k < 0 || k >= PATH_MAX) {
        fprintf(stderr, "bench_policy_peers: path too long: '%s/%s'\n", dir, name);
        exit(2);
    }
}

/* ---- the request mix ------------------------------------------------------------- */

struct req {
    const struct dg_agency *a;
    enum dg_key key;
    enum dg_purpose purpose;
    enum dg_leg leg;
    bool has_case;
    int dest; /* state index */
};

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    /* splitmix64: small and the same everywhere for a seed. */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

struct share {
    int value;
    double weight;
};

static int draw(const struct share *s, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += s[i].weight;
    double x = rng_unit() * total;
    for (size_t i = 0; i < n; i++)
        if ((x -= s[i].weight) < 0)
            return s[i].value;
    return s[n - 1].value;
}

/* Requester groups, with their shares of national queries (README: HSI and
 * ICE-ERO from the public Nlets figures, unspecified from DESIGN.md, the
 * rest assumptions). */
enum group {
    G_HSI,
    G_ICE,
    G_UNSPECIFIED,
    G_CBP,
    G_FBI,
    G_DEA,
    G_USMS,
    G_ATF,
    G_OTHER_FEDERAL,
    G_STATE_POLICE,
    G_SHERIFF,
    G_TRIBAL,
    G_OTHER,
    G_MUNICIPAL,
    G__COUNT
};

static const char *const group_names[G__COUNT] = {
    "HSI",
    "ICE-ERO",
    "unspecified",
    "CBP",
    "FBI",
    "DEA",
    "USMS",
    "ATF",
    "other federal",
    "state police",
    "sheriffs",
    "tribal",
    "courts and other",
    "municipal police",
};

#define NATIONAL 290e6
static const struct share group_shares[] = {
    {G_HSI, 605116 / NATIONAL},
    {G_ICE, 292114 / NATIONAL},
    {G_UNSPECIFIED, 290000 / NATIONAL},
    {G_CBP, 0.0015},
    {G_FBI, 0.002},
    {G_DEA, 0.0008},
    {G_USMS, 0.0008},
    {G_ATF, 0.0004},
    {G_OTHER_FEDERAL, 0.001},
    {G_STATE_POLICE, 0.12},
    {G_SHERIFF, 0.25},
    {G_TRIBAL, 0.005},
    {G_OTHER, 0.02},
    {G_MUNICIPAL,
     1.0 - 0.12 - 0.25 - 0.005 - 0.02 - 0.0055 - 0.001 - (605116 + 292114 + 290000) / NATIONAL},
};

static int group_of(const struct dg_agency *a)
{
    static const struct {
        const char *component;
        int group;
    } comps[] = {{"HSI", G_HSI}, {"ICE-ERO", G_ICE}, {"CBP", G_CBP}, {"FBI", G_FBI},
                 {"DEA", G_DEA}, {"USMS", G_USMS},   {"ATF", G_ATF}};
    for (size_t i = 0; i < DG_ARRAY_LEN(comps); i++)
        if (strcmp(a->component, comps[i].component) == 0)
            return comps[i].group;
    if (a->level == DG_LEVEL_FEDERAL)
        return G_OTHER_FEDERAL;
    switch (a->category) {
    case DG_CAT_UNSPECIFIED: return G_UNSPECIFIED;
    case DG_CAT_STATE_POLICE: return G_STATE_POLICE;
    case DG_CAT_SHERIFF: return G_SHERIFF;
    case DG_CAT_TRIBAL_POLICE: return G_TRIBAL;
    case DG_CAT_MUNICIPAL_POLICE: return G_MUNICIPAL;
    default: return G_OTHER; /* other federal components fall here too */
    }
}

static const struct share keys[] = {{DG_KEY_DQ, 0.55}, {DG_KEY_RQ, 0.40}, {DG_KEY_IQ, 0.05}};
static const struct share pur_local[] = {{DG_PUR_CRIMINAL_JUSTICE, 0.55}, {DG_PUR_TRAFFIC, 0.35},
                                         {DG_PUR_JUDICIAL, 0.03},         {DG_PUR_EMPLOYMENT, 0.03},
                                         {DG_PUR_FIREARMS, 0.02},         {DG_PUR_OTHER, 0.02}};
static const struct share pur_fed[] = {{DG_PUR_CRIMINAL_JUSTICE, 0.80},
                                       {DG_PUR_IMMIGRATION, 0.10},
                                       {DG_PUR_EMPLOYMENT, 0.05},
                                       {DG_PUR_OTHER, 0.05}};
static const struct share pur_ice[] = {{DG_PUR_IMMIGRATION, 0.70}, {DG_PUR_CRIMINAL_JUSTICE, 0.30}};
static const struct share leg_local[] = {{DG_LEG_NONE, 0.93},
                                         {DG_LEG_JUDICIAL_WARRANT, 0.03},
                                         {DG_LEG_COURT_ORDER, 0.02},
                                         {DG_LEG_GRAND_JURY_SUBPOENA, 0.01},
                                         {DG_LEG_ADMIN_SUBPOENA, 0.01}};
static const struct share leg_fed[] = {
    {DG_LEG_NONE, 0.55},          {DG_LEG_JUDICIAL_WARRANT, 0.12},
    {DG_LEG_ADMIN_WARRANT, 0.12}, {DG_LEG_ADMIN_SUBPOENA, 0.08},
    {DG_LEG_COURT_ORDER, 0.07},   {DG_LEG_GRAND_JURY_SUBPOENA, 0.06}};
static const struct share leg_ice[] = {{DG_LEG_NONE, 0.50},
                                       {DG_LEG_ADMIN_WARRANT, 0.30},
                                       {DG_LEG_JUDICIAL_WARRANT, 0.08},
                                       {DG_LEG_ADMIN_SUBPOENA, 0.08},
                                       {DG_LEG_COURT_ORDER, 0.04}};

struct groups {
    const struct dg_agency **members[G__COUNT];
    size_t count[G__COUNT];
};

static int make_groups(const struct dg_directory *d, struct groups *g)
{
    size_t n = dg_directory_count(d);
    memset(g, 0, sizeof *g);
    for (int k = 0; k < G__COUNT; k++) {
        g->members[k] = dg_calloc(n, sizeof *g->members[k]);
        if (!g->members[k])
            return DG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const struct dg_agency *a = dg_directory_at(d, i);
        int k = group_of(a);
        g->members[k][g->count[k]++] = a;
    }
    return 0;
}

#define ARR(a) (a), DG_ARRAY_LEN(a)

static void draw_request(const struct groups *g, struct req *r)
{
    int k;
    do
        k = draw(ARR(group_shares));
    while (g->count[k] == 0);
    const struct dg_agency *a = g->members[k][rng_next() % g->count[k]];
    bool fed = a->level == DG_LEVEL_FEDERAL, ice = k == G_ICE;
    r->a = a;
    r->key = (enum dg_key)draw(ARR(keys));
    r->purpose = (enum dg_purpose)(ice   ? draw(ARR(pur_ice))
                                   : fed ? draw(ARR(pur_fed))
                                         : draw(ARR(pur_local)));
    r->leg = (enum dg_leg)(ice   ? draw(ARR(leg_ice))
                           : fed ? draw(ARR(leg_fed))
                                 : draw(ARR(leg_local)));
    r->has_case = rng_unit() < (fed ? 0.9 : 0.6);
    if (!fed && rng_unit() < 0.8)
        r->dest = dg_state_index(a->state, 2);
    else
        r->dest = (int)(rng_next() % DG_STATE_COUNT);
}

/* ---- decisions ------------------------------------------------------------------- */

/* What every engine says about one request (bench/peers/README.md, "Decisions"). */
struct verdict {
    char decision[8]; /* allow | review | deny */
    char rule[256];   /* the deciding rule's name, "" when none */
    bool notify;      /* the data subject is notified */
};

/* Decisions per second by the wall clock and per second of CPU time. On a
 * machine shared with other work the CPU time is the steadier figure. */
struct rate {
    double wall, cpu;
};

static bool verdict_eq(const struct verdict *a, const struct verdict *b)
{
    return strcmp(a->decision, b->decision) == 0 && strcmp(a->rule, b->rule) == 0 &&
           a->notify == b->notify;
}

static int add_verdict_json(struct dg_buf *b, const struct verdict *v)
{
    int rc = dg_buf_printf(b, "{\"decision\":\"%s\",\"rule\":", v->decision);
    if (!rc)
        rc = dg_buf_add_json_str(b, v->rule, strlen(v->rule));
    if (!rc)
        rc = dg_buf_printf(b, ",\"notify\":%s}", v->notify ? "true" : "false");
    return rc;
}

static int add_request_json(struct dg_buf *b, size_t i, const struct req *r,
                            const struct verdict *expect)
{
    const struct dg_agency *a = r->a;
    int rc = dg_buf_printf(b,
                           "{\"i\":%zu,\"requester\":{\"ori\":\"%s\",\"state\":\"%s\","
                           "\"level\":\"%s\",\"department\":",
                           i, a->ori, a->state, dg_level_name(a->level));
    if (!rc)
        rc = dg_buf_add_json_str(b, a->department, strlen(a->department));
    if (!rc)
        rc = dg_buf_addstr(b, ",\"component\":");
    if (!rc)
        rc = dg_buf_add_json_str(b, a->component, strlen(a->component));
    if (!rc)
        rc = dg_buf_printf(b, ",\"category\":\"%s\",\"agreements\":[",
                           dg_category_name(a->category));
    bool first = true;
    for (uint32_t bit = 1; !rc && bit && bit <= a->agreements; bit <<= 1) {
        if (!(a->agreements & bit) || !dg_agreement_name(bit))
            continue;
        rc = dg_buf_printf(b, "%s\"%s\"", first ? "" : ",", dg_agreement_name(bit));
        first = false;
    }
    if (!rc)
        rc = dg_buf_printf(b,
                           "]},\"key\":\"%s\",\"purpose\":\"%s\",\"legal_process\":\"%s\","
                           "\"has_case\":%s,\"destination\":\"%s\",\"expect\":",
                           dg_key_name(r->key), dg_purpose_name(r->purpose), dg_leg_name(r->leg),
                           r->has_case ? "true" : "false", dg_state_code(r->dest));
    if (!rc)
        rc = add_verdict_json(b, expect);
    if (!rc)
        rc = dg_buf_addstr(b, "}\n");
    return rc;
}

static int write_mix(const char *path, const struct req *reqs, const struct verdict *expect,
                     size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_policy_peers: cannot write '%s': %s\n", path, strerror(errno));
        return DG_EIO;
    }
    struct dg_buf b;
    dg_buf_init(&b, 1u << 16);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        dg_buf_reset(&b);
        rc = add_request_json(&b, i, &reqs[i], &expect[i]);
        if (!rc && fwrite(b.data, 1, b.len, f) != b.len)
            rc = DG_EIO;
    }
    dg_buf_release(&b);
    if (fclose(f) != 0 && !rc)
        rc = DG_EIO;
    if (rc)
        fprintf(stderr, "bench_policy_peers: writing '%s': %s\n", path, dg_strerror(rc));
    return rc;
}

/* Read a peer's decision file: one JSON object a line, "i" in order. */
static int read_decisions(const char *path, struct verdict *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_policy_peers: cannot read '%s': %s\n", path, strerror(errno));
        return DG_EIO;
    }
    char line[1024];
    size_t i = 0;
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        cJSON *j = cJSON_Parse(line);
        const cJSON *ji = cJSON_GetObjectItemCaseSensitive(j, "i");
        const cJSON *jd = cJSON_GetObjectItemCaseSensitive(j, "decision");
        const cJSON *jr = cJSON_GetObjectItemCaseSensitive(j, "rule");
        const cJSON *jn = cJSON_GetObjectItemCaseSensitive(j, "notify");
        if (i >= n || !cJSON_IsNumber(ji) || ji->valuedouble != (double)i || !cJSON_IsString(jd) ||
            !cJSON_IsString(jr) || !cJSON_IsBool(jn) ||
            strlen(jd->valuestring) >= sizeof out->decision ||
            strlen(jr->valuestring) >= sizeof out->rule) {
            fprintf(stderr, "bench_policy_peers: %s:%zu: not a decision line\n", path, i + 1);
            rc = DG_EPARSE;
        } else {
            strcpy(out[i].decision, jd->valuestring);
            strcpy(out[i].rule, jr->valuestring);
            out[i].notify = cJSON_IsTrue(jn);
            i++;
        }
        cJSON_Delete(j);
    }
    fclose(f);
    if (!rc && i != n) {
        fprintf(stderr, "bench_policy_peers: %s: %zu decisions for %zu requests\n", path, i, n);
        rc = DG_EPARSE;
    }
    return rc;
}

/* ---- running a peer -------------------------------------------------------------- */

/* Run argv (argv[0] looked up in PATH) in dir, with its stdout in out (at most
 * 64 KiB); stderr passes through. Returns the exit status, or -1 when it could
 * not be run or did not exit normally. */
static int run_child(const char *dir, char *const argv[], struct dg_buf *out)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (dir && chdir(dir) != 0)
            _exit(127);
        execvp(argv[0], argv);
        fprintf(stderr, "bench_policy_peers: cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char chunk[4096];
    ssize_t got;
    while ((got = read(fds[0], chunk, sizeof chunk)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0 && out)
            (void)dg_buf_add(out, chunk, (size_t)got);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* npm ci in the peers' folder when their node_modules is missing. */
static int install_peers(const char *peers)
{
    char marker[PATH_MAX];
    struct stat st;
    path_join(marker, peers, "node_modules/.package-lock.json");
    if (stat(marker, &st) == 0)
        return 0;
    fprintf(stderr, "bench_policy_peers: npm ci in %s\n", peers);
    char *const argv[] = {"npm", "ci", "--no-audit", "--no-fund", "--silent", NULL};
    return run_child(peers, argv, NULL) == 0 ? 0 : DG_EIO;
}

struct peer {
    const char *label;  /* in the table */
    const char *driver; /* cedar.mjs */
    const char *api;
    const char *out; /* decisions file name in the work dir */
    bool ran;
    struct rate rate;
    long disagreements;
    long vs_expect;
};

static int run_peer(const struct opts *o, struct peer *p, const char *mix, struct verdict *theirs,
                    const struct verdict *ours, size_t n)
{
    char driver[PATH_MAX], out[PATH_MAX], nbuf[32], wbuf[32], rbuf[32];
    path_join(driver, o->peers, p->driver);
    path_join(out, o->work, p->out);
    snprintf(nbuf, sizeof nbuf, "%ld", o->peer_n);
    snprintf(wbuf, sizeof wbuf, "%ld", o->peer_warmup);
    snprintf(rbuf, sizeof rbuf, "%ld", o->rounds);
    char *const argv[] = {"node",      driver,  "--api",    (char *)p->api, "--mix",
                          (char *)mix, "--out", out,        "--n",          nbuf,
                          "--warmup",  wbuf,    "--rounds", rbuf,           NULL};
    struct dg_buf sum;
    dg_buf_init(&sum, 1u << 16);
    fprintf(stderr, "bench_policy_peers: %s ...\n", p->label);
    int status = run_child(NULL, argv, &sum);
    int rc = DG_EIO;
    cJSON *j = status == 0 && sum.data ? cJSON_Parse(sum.data) : NULL;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, "per_second");
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(j, "per_cpu_second");
    const cJSON *ve = cJSON_GetObjectItemCaseSensitive(j, "vs_expect");
    if (!cJSON_IsNumber(ps) || !cJSON_IsNumber(pc)) {
        fprintf(stderr, "bench_policy_peers: %s failed (exit %d)\n", p->label, status);
        goto done;
    }
    p->rate = (struct rate){ps->valuedouble, pc->valuedouble};
    p->vs_expect = cJSON_IsNumber(ve) ? (long)ve->valuedouble : -1;
    rc = read_decisions(out, theirs, n);
    if (rc)
        goto done;
    p->ran = true;
    p->disagreements = 0;
    for (size_t i = 0; i < n; i++)
        if (!verdict_eq(&ours[i], &theirs[i]) && p->disagreements++ < 3)
            fprintf(stderr,
                    "bench_policy_peers: request %zu: dmvgate %s \"%s\"%s, %s %s \"%s\"%s\n", i,
                    ours[i].decision, ours[i].rule, ours[i].notify ? " notify" : "", p->label,
                    theirs[i].decision, theirs[i].rule, theirs[i].notify ? " notify" : "");
done:
    cJSON_Delete(j);
    dg_buf_release(&sum);
    return rc;
}

/* ---- dmvgate's engine ------------------------------------------------------------- */

/* The policy request for r, as the node would fill it from the parsed
 * message and the directory entry. */
static void policy_request(const struct req *r, struct dg_policy_request *pr)
{
    dg_policy_request_init(pr, r->a);
    pr->key = r->key;
    pr->identified_by = r->key == DG_KEY_RQ ? DG_IDF_PLATE : DG_IDF_OLN;
    pr->fields = dg_policy_fields_for_key(r->key, false);
    pr->purpose = r->purpose;
    pr->legal_process = r->leg;
    pr->has_case_number = r->has_case;
    memcpy(pr->destination, dg_state_code(r->dest), 3);
}

static void to_verdict(const struct dg_policy_decision *d, struct verdict *v)
{
    snprintf(v->decision, sizeof v->decision, "%s", dg_policy_outcome_name(d->outcome));
    snprintf(v->rule, sizeof v->rule, "%s", d->rule_name);
    v->notify = d->notify;
}

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Time n decisions cycling through the requests, after a warm-up pass, in
 * the given number of rounds; one thread, so one core. Returns the best round
 * by the wall clock and the best by CPU time: on a shared machine the best
 * round is the one least disturbed by other work. */
static struct rate time_dmvgate(const struct dg_policy *p, const struct dg_policy_request *prs,
                                size_t count, long n, long rounds)
{
    struct dg_policy_decision d;
    struct rate best = {0, 0};
    uint64_t sink = 0;
    for (size_t i = 0; i < count; i++) {
        dg_policy_decide(p, &prs[i], NULL, &d);
        sink += (uint64_t)d.rule;
    }
    size_t i = 0;
    for (long r = 0; r < rounds; r++) {
        long size = n / rounds + (r < n % rounds);
        uint64_t c0 = cpu_ns(), t0 = dg_mono_ns();
        for (long k = 0; k < size; k++) {
            dg_policy_decide(p, &prs[i], NULL, &d);
            sink += (uint64_t)d.rule + d.notify;
            if (++i == count)
                i = 0;
        }
        double wall = (double)size / ((double)(dg_mono_ns() - t0) / 1e9);
        double cpu = (double)size / ((double)(cpu_ns() - c0) / 1e9);
        best.wall = wall > best.wall ? wall : best.wall;
        best.cpu = cpu > best.cpu ? cpu : best.cpu;
    }
    /* Keep the work observable so the loop cannot be dropped. */
    if (sink == UINT64_MAX)
        fputc('\n', stderr);
    return best;
}

/* ---- the table -------------------------------------------------------------------- */

struct row {
    char figure[64];
    char dmvgate[32];
    char peer[32];
    char ratio[32];
};

static void fmt_rate(char *out, size_t n, double v)
{
    /* Whole numbers with thousands separators: 1,234,567. */
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static void add_row(struct row *r, const char *figure, const char *ours, const char *peer,
                    const char *ratio)
{
    snprintf(r->figure, sizeof r->figure, "%s", figure);
    snprintf(r->dmvgate, sizeof r->dmvgate, "%s", ours);
    snprintf(r->peer, sizeof r->peer, "%s", peer);
    snprintf(r->ratio, sizeof r->ratio, "%s", ratio);
}

static void print_table(const struct row *rows, size_t n, FILE *f)
{
    fprintf(f, "%-40s %14s %14s %10s\n", "figure", "dmvgate", "peer", "ratio");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%-40s %14s %14s %10s\n", rows[i].figure, rows[i].dmvgate, rows[i].peer,
                rows[i].ratio);
}

static int write_json(const char *path, const struct row *rows, size_t n, const char *about)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "rows");
    cJSON_AddStringToObject(root, "bench", "policy_peers");
    cJSON_AddStringToObject(root, "about", about);
    for (size_t i = 0; i < n; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "figure", rows[i].figure);
        cJSON_AddStringToObject(r, "dmvgate", rows[i].dmvgate);
        cJSON_AddStringToObject(r, "peer", rows[i].peer);
        cJSON_AddStringToObject(r, "ratio", rows[i].ratio);
        cJSON_AddItemToArray(arr, r);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *f = text ? fopen(path, "w") : NULL;
    int rc = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : DG_EIO;
    if (f && fclose(f) != 0)
        rc = DG_EIO;
    free(text);
    if (rc)
        fprintf(stderr, "bench_policy_peers: cannot write '%s'\n", path);
    return rc;
}

/* ---- main ------------------------------------------------------------------------- */

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void cpu_model(char *out, size_t n)
{
    snprintf(out, n, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        const char *c = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && c) {
            snprintf(out, n, "%s", c + 2);
            out[strcspn(out, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    struct opts o = {.requests = 50000, .seed = 1, .n = 5000000, .peer_warmup = 5000, .rounds = 5};
    static const struct option longopts[] = {{"requests", required_argument, NULL, 'r'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"n", required_argument, NULL, 'n'},
                                             {"peer-n", required_argument, NULL, 'N'},
                                             {"peer-warmup", required_argument, NULL, 'W'},
                                             {"rounds", required_argument, NULL, 'R'},
                                             {"peers", required_argument, NULL, 'p'},
                                             {"policy", required_argument, NULL, 'P'},
                                             {"work", required_argument, NULL, 'w'},
                                             {"json", required_argument, NULL, 'j'},
                                             {"no-peers", no_argument, NULL, 'x'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o.requests = num_arg("--requests", optarg, 1); break;
        case 's': o.seed = (uint64_t)num_arg("--seed", optarg, 0); break;
        case 'n': o.n = num_arg("--n", optarg, 1); break;
        case 'N': o.peer_n = num_arg("--peer-n", optarg, 0); break;
        case 'W': o.peer_warmup = num_arg("--peer-warmup", optarg, 0); break;
        case 'R': o.rounds = num_arg("--rounds", optarg, 1); break;
        case 'p': o.peers = optarg; break;
        case 'P': o.policy = optarg; break;
        case 'w': o.work = optarg; break;
        case 'j': o.json = optarg; break;
        case 'x': o.no_peers = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "bench_policy_peers: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }

    /* Paths default to the source tree beside the build directory
     * (build/bench_policy_peers -> bench/peers/policy). */
    char exe[PATH_MAX], top[PATH_MAX], peers[PATH_MAX], policy[PATH_MAX], work[PATH_MAX];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[el > 0 ? el : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    path_join(top, exe, "..");
    if (!o.peers) {
        path_join(peers, top, "bench/peers/policy");
        o.peers = peers;
    }
    if (!o.policy) {
        path_join(policy, top, "policies/examples/warrant-required.policy");
        o.policy = policy;
    }
    if (!o.work) {
        path_join(work, exe, "bench-peers");
        o.work = work;
    }
    if (!o.no_peers && !is_dir(o.peers)) {
        fprintf(stderr, "bench_policy_peers: no peers at '%s' (use --peers DIR)\n", o.peers);
        return 2;
    }
    if (!is_dir(o.work) && mkdir(o.work, 0777) != 0) {
        fprintf(stderr, "bench_policy_peers: cannot make '%s': %s\n", o.work, strerror(errno));
        return 2;
    }

    int status = 1;
    struct dg_error err;
    dg_error_clear(&err);
    struct dg_policy *pol = NULL;
    struct dg_policy_diags diags;
    dg_policy_diags_init(&diags);
    struct dg_directory *dir = dg_directory_new();
    struct groups g = {0};
    size_t n = (size_t)o.requests;
    struct req *reqs = dg_calloc(n, sizeof *reqs);
    struct dg_policy_request *prs = dg_calloc(n, sizeof *prs);
    struct verdict *ours = dg_calloc(n, sizeof *ours), *theirs = dg_calloc(n, sizeof *theirs);
    if (!dir || !reqs || !prs || !ours || !theirs) {
        fprintf(stderr, "bench_policy_peers: out of memory\n");
        goto out;
    }

    if (dg_policy_load(o.policy, &pol, &diags, &err) != 0) {
        struct dg_buf b;
        dg_buf_init(&b, 1u << 20);
        dg_policy_diags_format(&diags, &b);
        fprintf(stderr, "bench_policy_peers: cannot load policy '%s': %s\n%s", o.policy, err.msg,
                b.data ? b.data : "");
        dg_buf_release(&b);
        goto out;
    }
    int agencies = dg_agencies_generate(dir, o.seed, &err);
    if (agencies < 0 || make_groups(dir, &g) != 0) {
        fprintf(stderr, "bench_policy_peers: cannot generate the directory: %s\n", err.msg);
        goto out;
    }

    /* The mix, and dmvgate's decision on each request: the "expect" column. */
    rng_state = o.seed ^ 0x706f6c6963790000u;
    long allow = 0, review = 0, deny = 0, federal = 0, per_group[G__COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        struct dg_policy_decision d;
        draw_request(&g, &reqs[i]);
        policy_request(&reqs[i], &prs[i]);
        if (dg_policy_decide(pol, &prs[i], NULL, &d) != 0 || d.outcome == DG_POLICY_UNDECIDED) {
            fprintf(stderr, "bench_policy_peers: request %zu: no decision without the record\n", i);
            goto out;
        }
        to_verdict(&d, &ours[i]);
        allow += d.outcome == DG_POLICY_ALLOW;
        review += d.outcome == DG_POLICY_REVIEW;
        deny += d.outcome == DG_POLICY_DENY;
        federal += reqs[i].a->level == DG_LEVEL_FEDERAL;
        per_group[group_of(reqs[i].a)]++;
    }
    char mix[PATH_MAX];
    path_join(mix, o.work, "mix.jsonl");
    if (write_mix(mix, reqs, ours, n) != 0)
        goto out;

    char cpu[128], about[640];
    cpu_model(cpu, sizeof cpu);
    snprintf(about, sizeof about,
             "policy '%s' (%d rules); %d agencies (seed %" PRIu64 "); %zu requests: "
             "%ld federal, %ld allow, %ld review, %ld deny; %ld CPUs, %s",
             dg_policy_name(pol), dg_policy_rule_count(pol), agencies, o.seed, n, federal, allow,
             review, deny, sysconf(_SC_NPROCESSORS_ONLN), cpu);
    printf("policy engines: %s\n", about);
    printf("requests by requester:");
    for (int k = 0; k < G__COUNT; k++)
        printf("%s %s %ld", k ? "," : "", group_names[k], per_group[k]);
    printf("\n");
    fflush(stdout);

    struct rate ours_rate = time_dmvgate(pol, prs, n, o.n, o.rounds);

    struct peer peer_list[] = {
        {"Cedar isAuthorized", "cedar.mjs", "isAuthorized", "cedar.jsonl", false, {0, 0}, 0, 0},
        {"Cedar stateful", "cedar.mjs", "stateful", "cedar-stateful.jsonl", false, {0, 0}, 0, 0},
        {"Casbin enforceExSync",
         "casbin.mjs",
         "enforceExSync",
         "casbin.jsonl",
         false,
         {0, 0},
         0,
         0},
    };
    bool all_ok = true;
    if (!o.no_peers) {
        if (install_peers(o.peers) != 0) {
            fprintf(stderr, "bench_policy_peers: npm ci failed in '%s'\n", o.peers);
            all_ok = false;
        } else {
            for (size_t k = 0; k < DG_ARRAY_LEN(peer_list); k++)
                if (run_peer(&o, &peer_list[k], mix, theirs, ours, n) != 0 ||
                    peer_list[k].disagreements != 0)
                    all_ok = false;
        }
        /* dmvgate again, after the peers, so that its best round and theirs
         * come from the same stretch of the machine's load; the table takes
         * the better of the two, and both are printed. */
        struct rate again = time_dmvgate(pol, prs, n, o.n, o.rounds);
        printf("dmvgate, best round before the peers: %.0f/s, %.0f per CPU-s; after: %.0f/s, "
               "%.0f per CPU-s\n",
               ours_rate.wall, ours_rate.cpu, again.wall, again.cpu);
        ours_rate.wall = again.wall > ours_rate.wall ? again.wall : ours_rate.wall;
        ours_rate.cpu = again.cpu > ours_rate.cpu ? again.cpu : ours_rate.cpu;
    }

    struct row rows[3 * DG_ARRAY_LEN(peer_list) + 2];
    size_t nr = 0;
    char wall[32], cpu_rate[32];
    fmt_rate(wall, sizeof wall, ours_rate.wall);
    fmt_rate(cpu_rate, sizeof cpu_rate, ours_rate.cpu);
    if (o.no_peers) {
        add_row(&rows[nr++], "decisions/s, one core", wall, "-", "-");
        add_row(&rows[nr++], "decisions per CPU-second", cpu_rate, "-", "-");
    }
    for (int pass = 0; pass < 2 && !o.no_peers; pass++)
        for (size_t k = 0; k < DG_ARRAY_LEN(peer_list); k++) {
            const struct peer *p = &peer_list[k];
            double theirs_r = pass ? p->rate.cpu : p->rate.wall;
            double ours_r = pass ? ours_rate.cpu : ours_rate.wall;
            char figure[64], peer_s[32] = "failed", ratio[32] = "-";
            snprintf(figure, sizeof figure, "%s vs %s", pass ? "per CPU-s" : "decisions/s",
                     p->label);
            if (p->ran) {
                fmt_rate(peer_s, sizeof peer_s, theirs_r);
                snprintf(ratio, sizeof ratio, "%.1fx", ours_r / theirs_r);
                char fig[96];
                snprintf(fig, sizeof fig, "policy peers: %s vs %s",
                         pass ? "decisions per CPU-s" : "decisions/s", p->label);
                bench_row("policy_peers", fig, ours_r, p->label, theirs_r, "decisions/s", 1);
            }
            add_row(&rows[nr++], figure, pass ? cpu_rate : wall, peer_s, ratio);
        }
    for (size_t k = 0; k < DG_ARRAY_LEN(peer_list) && !o.no_peers; k++) {
        const struct peer *p = &peer_list[k];
        char figure[64], of[32], peer_s[32] = "failed";
        snprintf(figure, sizeof figure, "disagreements vs %s", p->label);
        snprintf(of, sizeof of, "of %zu", n);
        if (p->ran) {
            snprintf(peer_s, sizeof peer_s, "%ld", p->disagreements);
            char fig[96];
            snprintf(fig, sizeof fig, "policy peers: requests where %s differs (of %zu)", p->label,
                     n);
            bench_row("policy_peers", fig, NAN, p->label, (double)p->disagreements,
                      "requests (must be 0)", 0);
        }
        add_row(&rows[nr++], figure, of, peer_s, "-");
    }
    print_table(rows, nr, stdout);
    if (o.json && write_json(o.json, rows, nr, about) != 0)
        all_ok = false;
    status = all_ok ? 0 : 1;

out:
    for (int k = 0; k < G__COUNT; k++)
        dg_free(g.members[k]);
    dg_free(reqs);
    dg_free(prs);
    dg_free(ours);
    dg_free(theirs);
    dg_directory_free(dir);
    dg_policy_free(pol);
    dg_policy_diags_release(&diags);
    return status;
}
