/*
 * simulate.h - what a draft policy would change: replay the queries recorded
 * in an audit log under the draft and compare each decision with the one
 * recorded (or with another policy's), by agency category, level and rule.
 *
 * A governor's office asks "what would this change do, and would it hinder
 * ordinary police work?". The answer is a transition table (how many queries
 * move from allow to deny or review, and every other way), broken down by
 * requester category and level and by the draft's deciding rule, with local
 * and state police singled out, and the agencies most affected.
 *
 * What a replay can and cannot know. The audit log's public part holds what a
 * decision is made on: the requester's directory attributes as they were,
 * the key, the identifying fields used (their tags, not their values), the
 * fields asked, purpose, legal process kind, whether there was a case
 * number, the destination and the time. The requester's volume in the last
 * hour is recomputed from the replayed traffic itself. A rule that looks at
 * the record found (record.lawful_presence_flag) cannot be replayed: the
 * record is not in the log; such queries are counted as "undecided".
 *
 * Speed: one pass over the log's segments; decoding an entry and deciding it
 * allocate nothing. bench/bench_simulate.c measures the rate.
 */
#ifndef DMVGATE_SIMULATE_H
#define DMVGATE_SIMULATE_H

#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/core.h>
#include <dmvgate/policy.h>

#include <stdbool.h>
#include <stdint.h>

/* Outcomes compared: the four of a recorded decision, and "undecided" (the
 * draft needs the record, see above). */
#define DG_SIM_OUTCOME_MAP(XX)                                                                     \
    XX(ALLOW, "allow")                                                                             \
    XX(DENY, "deny")                                                                               \
    XX(REVIEW, "review")                                                                           \
    XX(ERROR, "error")                                                                             \
    XX(UNDECIDED, "undecided")

enum dg_sim_outcome {
#define DG__SO(e, n) DG_SIM_##e,
    DG_SIM_OUTCOME_MAP(DG__SO)
#undef DG__SO
        DG_SIM__COUNT
};
const char *dg_sim_outcome_name(enum dg_sim_outcome o);

/* ---- one entry <-> one request -------------------------------------------------------- */

/*
 * The policy request an audit entry of kind query records: *agency gets the
 * requester's attributes from the entry (ORI, state from the ORI, level,
 * category, department, component, agreements; name empty) and
 * req->requester points at it. Hour and weekday come from the entry's time
 * in the process's local time zone; queries_last_hour is left 0 (the
 * replay sets it). Returns 0 or DG_EINVAL (not a query).
 */
int dg_sim_request_from_audit(const struct dg_audit_entry *e, struct dg_agency *agency,
                              struct dg_policy_request *req);

/* The recorded outcome of a query entry (DG_SIM_ERROR for "none"). */
enum dg_sim_outcome dg_sim_recorded(const struct dg_audit_entry *e);

/*
 * The audit entry (kind query) a node records for req decided as d at time
 * time_us, for tests, benchmarks and synthetic logs. Identifying fields get
 * placeholder values (their tags are what matters); msg_id is left for the
 * caller. An undecided decision is recorded as an error.
 */
void dg_sim_entry_from_request(const struct dg_policy_request *req,
                               const struct dg_policy_decision *d, int64_t time_us,
                               struct dg_audit_entry *e);

struct dg_synth_request;

/*
 * The policy request for a synthetic request (lib/stats' generator): the
 * identifying fields a query of its kind uses (a name search: name, date of
 * birth and, for half of them, sex; 5% of plate queries by VIN), the fields
 * its key returns (with the photo when asked), time from the request.
 * queries_last_hour is left 0. req->requester is r->agency.
 */
void dg_sim_request_from_synth(const struct dg_synth_request *r, struct dg_policy_request *req);

/* ---- the simulation --------------------------------------------------------------------- */

#define DG_SIM_MAX_RULES 512 /* recorded rule names told apart; more are "(other)" */
#define DG_SIM_TOP       20  /* agencies listed as most affected */

struct dg_sim_options {
    const char *audit_dir;
    const char *from, *to;           /* local days YYYY-MM-DD, inclusive; NULL: no bound */
    const struct dg_policy *draft;   /* required */
    const struct dg_policy *current; /* NULL: compare with the recorded decisions */
    /* Called every progress_every entries read (0: never), e.g. for a
     * progress line; a non-zero return stops the run with DG_ESIMULATE. */
    int (*progress)(void *arg, uint64_t read, uint64_t replayed);
    void *progress_arg;
    uint64_t progress_every;
};

struct dg_sim_counts {
    uint64_t n[DG_SIM__COUNT][DG_SIM__COUNT]; /* [before][after] */
};

struct dg_sim_agency {
    char ori[DG_ORI_LEN + 1];
    enum dg_level level;
    enum dg_category category;
    uint64_t queries, changed, restricted; /* restricted: allow -> deny or review */
};

struct dg_sim_result {
    uint64_t entries;  /* log entries read */
    uint64_t queries;  /* query entries in the range */
    uint64_t replayed; /* of which decided under the draft (all of them) */
    uint64_t changed;  /* whose outcome differs */
    struct dg_sim_counts all;
    struct dg_sim_counts by_category[DG_CAT__COUNT];
    struct dg_sim_counts by_level[DG_LEVEL__COUNT];
    struct dg_sim_counts by_key[DG_KEY__COUNT];
    /* By the draft's deciding rule (index as in dg_policy_rule_info; the
     * last slot is "no rule", e.g. undecided). */
    int nrules;
    struct dg_sim_counts *by_rule; /* nrules + 1 */
    /* By the rule recorded as deciding (or the current policy's rule). */
    int nbefore;
    char (*before_rule)[256];
    struct dg_sim_counts *by_before_rule;
    /* Local and state police (municipal police, sheriffs, state police). */
    uint64_t police, police_changed, police_restricted, police_relaxed;
    /* The agencies with the most changed outcomes, most first. */
    struct dg_sim_agency top[DG_SIM_TOP];
    int ntop;
    uint64_t agencies_affected; /* distinct agencies with a changed outcome */
    char first[16], last[16];   /* hours of the first and last query replayed */
    double seconds;             /* wall time of the run */
};

/*
 * Replay the log. On success *res is filled (release with
 * dg_sim_result_release) and 0 returned; otherwise DG_EINVAL (options),
 * the audit iterator's error (DG_ENOENT, DG_ELOGCORRUPT, ...), DG_ENOMEM,
 * DG_ESIMULATE (stopped by progress). Thread-safe for distinct results (the
 * policies are only read).
 */
int dg_sim_run(const struct dg_sim_options *o, struct dg_sim_result *res, struct dg_error *err);
void dg_sim_result_release(struct dg_sim_result *res);

/* Append the result for a person: totals, the transition table, police,
 * by category, by rule (names from draft and current), top agencies. */
int dg_sim_text(const struct dg_sim_result *r, const struct dg_policy *draft, struct dg_buf *out);
/* Append it as JSON (docs/transparency.md, "Simulation"): what the review
 * console's supervisor view reads from POST /v1/simulate. */
int dg_sim_json(const struct dg_sim_result *r, const struct dg_policy *draft, struct dg_buf *out);

#endif
