/*
 * stats.h - transparency counters: who asks for which data and what they get.
 *
 * A node (and the hub) counts every request it decides: by the requester's
 * category, level, department/component and ORI, by destination, key (driver,
 * registration, photo), purpose, legal-process kind, decision and deciding
 * rule, and whether the photo was asked and whether a driver was searched by
 * name alone. The counts are rolled up by hour, day and month and kept in the
 * node's store (module "stats", tables stats_flow, stats_dim, stats_agency and
 * stats_alert; docs/transparency.md describes them), so they survive restarts
 * and feed `dmvgate report`, the dashboard and /metrics.
 *
 * Counting is cheap enough for every request at full traffic: each thread
 * counts into its own fixed-shape array of counters (made the first time the
 * thread counts, then never allocated again), written with relaxed atomic
 * stores that only that thread makes, so the hot path takes no lock, makes no
 * read-modify-write on a shared cache line and allocates nothing. A flusher
 * (a background thread every flush_ms, or the caller through dg_stats_flush)
 * adds up what every thread counted since the last flush, attributes it to an
 * hour, writes it to the store and checks the anomaly rules.
 *
 * No personal data is ever counted: an event carries the requester's
 * directory attributes, the kind of query and the decision, never an
 * identifying value, so the tables and everything made from them are free of
 * data-subject information by construction.
 *
 * Anomaly alerts (per-agency baselines): an agency's hourly volume far above
 * its baseline; runs of name-only searches; bursts in off hours; many photo
 * requests. Each alert names the agency, the hour, the count and the
 * threshold it crossed; see struct dg_stats_alert_rules for the exact tests.
 *
 * Time. Periods are labelled in the process's local time zone (set TZ to the
 * state's zone, as for the policy engine): hours "2026-11-25T08", days
 * "2026-11-25", months "2026-11". A count lands in the hour in which it is
 * flushed; the flusher wakes right after each hour boundary, and a flush less
 * than DG_STATS_SLACK_S seconds into an hour is attributed to the hour before,
 * so counts straddle a boundary by at most that much. In the fall-back hour
 * of daylight saving time two local hours share one label. The audit log is
 * the exact record; `dmvgate report --audit` counts from it by entry time.
 */
#ifndef DMVGATE_STATS_H
#define DMVGATE_STATS_H

#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/error.h>
#include <dmvgate/vocab.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dg_store;

/* ---- decisions as counted ----------------------------------------------------- */
#define DG_STATS_DECISION_MAP(XX)                                                                  \
    XX(ALLOW, "allow")                                                                             \
    XX(DENY, "deny")                                                                               \
    XX(REVIEW, "review")                                                                           \
    XX(ERROR, "error")

enum dg_stats_decision {
#define DG__SD(e, n) DG_STATS_##e,
    DG_STATS_DECISION_MAP(DG__SD)
#undef DG__SD
        DG_STATS_DECISION__COUNT
};
const char *dg_stats_decision_name(enum dg_stats_decision d); /* "allow" */
int dg_stats_decision_parse(const char *s, size_t n);         /* value or DG_EINVAL */

/* The counted keys are the three queries: DG_KEY_DQ, DG_KEY_RQ, DG_KEY_IQ. */
#define DG_STATS_NKEYS 3

/* ---- one counted request --------------------------------------------------------- */
struct dg_stats_event {
    const char *ori; /* the verified requester ORI, 9 characters; anything else
                        is counted under the agency "(other)" */
    enum dg_level level;
    enum dg_category category;
    const char *department; /* NULL or "" when none */
    const char *component;  /* NULL or "" when none */
    enum dg_key key;        /* DG_KEY_DQ, DG_KEY_RQ or DG_KEY_IQ */
    const char *dest;       /* destination state code; NULL, "" or unknown: "other" */
    enum dg_purpose purpose;
    enum dg_leg leg;
    enum dg_stats_decision decision;
    const char *rule; /* name of the deciding rule; NULL or "" when none */
    int rule_id;      /* >= 0: an id from dg_stats_rule_id(), used instead of rule
                         (saves hashing the name); -1 otherwise */
    bool photo;       /* the photo was asked: an IQ, or a DQ with IMQ/Y */
    bool name_search; /* a driver query by name and date of birth, not by OLN */
};

/* Fill ev from the requester's directory entry a (may be NULL: "(other)",
 * unspecified) with neutral values for the rest: DQ by OLN, destination
 * NULL, criminal justice, no legal process, allow, no rule (rule_id -1). The
 * strings of a are borrowed: a must outlive every use of ev. */
void dg_stats_event_init(struct dg_stats_event *ev, const struct dg_agency *a);

struct dg_msg_req;
/*
 * Fill ev for a parsed query m (DQ, RQ or IQ) from requester a (may be NULL:
 * the message's ORI, unspecified) to destination dest, decided as decision
 * by rule (may be NULL): for a process that counts what it routes, such as
 * the hub, which sees each destination's answer but not its policy. The
 * strings of ev point into a, m and dest. Returns 0 or DG_EINVAL (not a query).
 */
int dg_stats_event_from_msg(struct dg_stats_event *ev, const struct dg_agency *a,
                            const struct dg_msg_req *m, const char *dest,
                            enum dg_stats_decision decision, const char *rule);

/* The decision a node's answer status shows (docs/api.md): 200 allow, 202
 * review (held), 403 deny, anything else error. */
enum dg_stats_decision dg_stats_decision_of_status(int http_status);

/* ---- anomaly rules ----------------------------------------------------------------
 * An agency's baseline is its mean (and standard deviation) of queries per
 * hour over the last baseline_days days of hourly rows, hours without a row
 * counting as zero (over fewer days when the store is younger), and its mean
 * photo requests per hour. The checks run on each agency's counts in the
 * current hour at every flush:
 *   volume:    n >= volume_min and n > volume_factor * mean
 *              and n > mean + volume_sigmas * sd
 *   name_only: name-only driver searches >= name_min and at least name_share
 *              of the agency's driver queries in the hour
 *   off_hours: the hour starts in [offhours_start, offhours_end) local time
 *              (wrapping past midnight), n >= offhours_min and
 *              n > offhours_factor * mean
 *   photos:    photo requests >= photo_min and > photo_factor * photo mean
 * An alert is raised once per (kind, agency, hour) and its count updated as
 * the hour goes on. */
struct dg_stats_alert_rules {
    unsigned baseline_days;                /* 14; 1..366 */
    unsigned volume_min;                   /* 100 */
    double volume_factor;                  /* 5 */
    double volume_sigmas;                  /* 4 */
    unsigned name_min;                     /* 25 */
    double name_share;                     /* 0.8 */
    unsigned offhours_start, offhours_end; /* 22, 6 (0..23) */
    unsigned offhours_min;                 /* 30 */
    double offhours_factor;                /* 3 */
    unsigned photo_min;                    /* 20 */
    double photo_factor;                   /* 5 */
};

#define DG_STATS_ALERT_KIND_MAP(XX)                                                                \
    XX(VOLUME, "volume", "queries in an hour far above the agency's baseline")                     \
    XX(NAME_ONLY, "name_only", "a run of name-only driver searches")                               \
    XX(OFF_HOURS, "off_hours", "a burst of queries in off hours")                                  \
    XX(PHOTOS, "photos", "many photo requests")

enum dg_stats_alert_kind {
#define DG__AK(e, n, d) DG_ALERT_##e,
    DG_STATS_ALERT_KIND_MAP(DG__AK)
#undef DG__AK
        DG_ALERT__COUNT
};
const char *dg_stats_alert_kind_name(enum dg_stats_alert_kind k);        /* "volume" */
const char *dg_stats_alert_kind_description(enum dg_stats_alert_kind k); /* a sentence */

struct dg_stats_alert {
    enum dg_stats_alert_kind kind;
    char ori[DG_ORI_LEN + 1];
    enum dg_level level;
    enum dg_category category;
    char period[16];         /* the hour, "2026-11-25T03" */
    uint64_t count;          /* what was counted (queries, name searches or photos) */
    double threshold;        /* the figure count went above */
    double baseline;         /* the agency's mean per hour (queries or photos) */
    int64_t first_s, last_s; /* when the alert was first raised and last updated */
};

/* ---- the counters ------------------------------------------------------------------- */
struct dg_stats_options {
    /* The store the counters are kept in, or NULL to keep nothing (counts,
     * totals and alerts in memory only). Borrowed: it must outlive the
     * stats, and while they are open only the stats' flusher may use it
     * (with flush_ms > 0 from the flusher's own thread). The stats tables
     * are created or migrated by dg_stats_open. SQLite backend only. */
    struct dg_store *store;
    unsigned max_agencies;     /* distinct ORIs counted, 32768 (at most 131070);
                                  more go to "(other)" */
    unsigned max_rules;        /* distinct rule names, 1024; more go to "(other)" */
    unsigned max_groups;       /* distinct department/component pairs, 256 */
    unsigned max_threads;      /* threads with their own counters, 64; more share one */
    unsigned flush_ms;         /* background flush period, 5000; 0: no thread */
    unsigned keep_hourly_days; /* hourly rows older than this are deleted, 35 */
    struct dg_stats_alert_rules alerts;
};

/* Fill o with the defaults above (store NULL). */
void dg_stats_options_init(struct dg_stats_options *o);

struct dg_stats;

/*
 * Make the counters. Creates or migrates the stats tables in o->store,
 * loads the agencies' baselines and the last day's alerts from it, and
 * starts the flusher thread when o->flush_ms > 0. Returns 0 and *out, or
 * DG_EINVAL (an option out of range, or a store that is not SQLite),
 * DG_ESTORE, DG_ENOMEM, DG_EINTERNAL (the thread could not start).
 */
int dg_stats_open(const struct dg_stats_options *o, struct dg_stats **out, struct dg_error *err);

/*
 * Stop the flusher, flush what is left (dg_stats_flush at the current time)
 * and free s; NULL is a no-op. No thread may be counting any more. Returns 0
 * or the final flush's error (s is freed anyway; the unwritten counts are
 * lost and logged).
 */
int dg_stats_close(struct dg_stats *s, struct dg_error *err);

/*
 * Count one request. The hot path: thread-safe, lock-free, no allocation
 * after a thread's first call (which allocates its counters; when that fails
 * or max_threads threads already have theirs, the thread counts into a shared
 * set with atomic additions). The first request of a new ORI, rule name or
 * department/component pair takes a mutex once to enter it in a table.
 * Values out of range are counted as "(other)" ORI, key DQ, etc. and in
 * dg_stats_info's invalid count.
 */
void dg_stats_count(struct dg_stats *s, const struct dg_stats_event *ev);

/* The id of rule name (entered in the table when new), for ev->rule_id, or
 * DG_ENOSPC when max_rules names are already there. Thread-safe. */
int dg_stats_rule_id(struct dg_stats *s, const char *rule);

/*
 * Add up what every thread counted since the last flush, attribute it to the
 * hour containing now_s (seconds since the epoch; a time less than
 * DG_STATS_SLACK_S seconds into an hour that follows the previous flush's
 * hour counts for that earlier hour), write it to the store (hour, day and
 * month rows, one transaction), delete hourly rows past keep_hourly_days and
 * check the anomaly rules. On a new hour the baselines are reloaded.
 * Thread-safe (flushes are serialised) and safe beside counting threads.
 * Returns 0, DG_ESTORE (the counts are kept and written by the next flush),
 * DG_ENOMEM.
 */
int dg_stats_flush(struct dg_stats *s, int64_t now_s, struct dg_error *err);
#define DG_STATS_SLACK_S 2

/*
 * The same, attributing everything to the hour containing t_s exactly (no
 * slack): for counting recorded traffic, such as replaying an audit log,
 * where the caller flushes whenever the entries' hour changes.
 */
int dg_stats_flush_at(struct dg_stats *s, int64_t t_s, struct dg_error *err);

/* Figures about the counters themselves. Thread-safe. */
struct dg_stats_info {
    uint64_t counted;        /* requests flushed so far (since open) */
    uint64_t invalid;        /* of which had a value out of range */
    uint64_t other_agencies; /* of which went to "(other)": bad ORI or the table full */
    uint64_t flushes, flush_errors;
    unsigned agencies, rules, groups, threads; /* table entries in use */
    unsigned alerts;                           /* alerts held (last 24 hours) */
    uint64_t alerts_raised;                    /* distinct alerts raised since open */
};
void dg_stats_info(struct dg_stats *s, struct dg_stats_info *out);

/*
 * Copy the alerts of the last 24 hours (by hour label), newest first, at most
 * max of them, into out; returns how many there are in all (which may be
 * more than max). Thread-safe.
 */
size_t dg_stats_alerts(struct dg_stats *s, struct dg_stats_alert *out, size_t max);

/* Append the alerts as a JSON array of objects {"kind","ori","level",
 * "category","period","count","threshold","baseline","first","last"}. */
int dg_stats_alerts_json(struct dg_stats *s, struct dg_buf *out);
/* Append one alert as such a JSON object. */
int dg_stats_alert_json(const struct dg_stats_alert *a, struct dg_buf *out);

/*
 * Append Prometheus text-format lines: dmvgate_stats_requests_total by
 * category, key and decision (since open, as flushed), dmvgate_stats_*
 * figures of dg_stats_info, dmvgate_stats_alerts by kind and one
 * dmvgate_stats_alert line per alert held. For a node's /metrics.
 */
int dg_stats_metrics(struct dg_stats *s, struct dg_buf *out);

/* ---- the stored tables ---------------------------------------------------------------- */

/* Create or migrate the stats tables in st (dg_store_migrate, module
 * "stats"). Returns the number of steps applied or a negative error. */
int dg_stats_migrate(struct dg_store *st, struct dg_error *err);

/* The label of the period of granularity gran ('h', 'd' or 'm') containing
 * t_s, in local time: "2026-11-25T08", "2026-11-25", "2026-11". out has room
 * for 16 bytes. */
void dg_stats_period(int64_t t_s, char gran, char out[16]);

/* The start of the local hour containing t_s. */
int64_t dg_stats_hour_start(int64_t t_s);

/* ---- synthetic traffic ---------------------------------------------------------------
 * Requests to one state's node shaped like real traffic, for demos, tests and
 * benchmarks of the transparency tools (`dmvgate stats synth`): requesters
 * drawn by category (about 45% municipal police, 25% sheriffs, 13% state
 * police, 3.5% federal, 0.5% unspecified, the rest courts, prosecutors,
 * corrections and others; 12% of non-federal ones from other states; busy
 * agencies far busier than quiet ones), 62% driver queries (12% of them by
 * name only), 35% plates, 3% photos, purposes and legal process by kind of
 * agency (ICE-ERO mostly immigration with administrative warrants), more
 * traffic by day than by night. With anomalies, three planted episodes: a
 * run of 60 name-only searches by a sheriff at 02:05 on the middle day, 45
 * photo requests by an HSI office at 10:05 on the last day, 400 queries by a
 * city police department at 15:05 on the first day (on top of `requests`).
 * Deterministic for given options. */
struct dg_synth_options {
    const struct dg_directory *dir; /* requesters (e.g. dg_agencies_generate) */
    const char *state;              /* the node's state: the destination, "CO" */
    uint64_t seed;
    int64_t start_s;   /* the first day's start (local midnight) */
    unsigned days;     /* 1..3660 */
    uint64_t requests; /* base requests, spread over the days */
    bool anomalies;
};

struct dg_synth_request {
    const struct dg_agency *agency; /* points into the directory */
    enum dg_key key;                /* DQ, RQ or IQ */
    bool name_search, photo, has_case;
    enum dg_purpose purpose;
    enum dg_leg leg;
    char dest[3];
    int64_t time_us;
};

struct dg_synth;
/* 0 and *out, DG_EINVAL (bad options, or no municipal police in the
 * directory), DG_ENOMEM. The directory must outlive the generator. */
int dg_synth_new(const struct dg_synth_options *o, struct dg_synth **out, struct dg_error *err);
/* The next request: 1, or 0 when all were made. */
int dg_synth_next(struct dg_synth *g, struct dg_synth_request *r);
void dg_synth_free(struct dg_synth *g);

/* The stats event for a synthetic request, decided as given (rule may be NULL). */
void dg_synth_event(const struct dg_synth_request *r, enum dg_stats_decision d, const char *rule,
                    struct dg_stats_event *ev);

#endif
