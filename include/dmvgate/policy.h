/*
 * policy.h - a state's policy: the language, its checker and the engine.
 *
 * A policy is a short text file (docs/policy.md is the full reference) that
 * says who gets which data for which purpose:
 *
 *     policy "Colorado" state CO
 *     deny "civil immigration enforcement (C.R.S. 24-74-103)"
 *         when requester.component in [ICE-ERO] or purpose == immigration
 *     review "federal requests need a judicial warrant" within 48h, notify subject
 *         when requester.level == federal and legal_process != judicial_warrant
 *     redact [lawful_presence] when requester.level == federal
 *     default allow
 *
 * dg_policy_compile() lexes, parses and checks the text and compiles it into
 * an immutable struct dg_policy: attributes interned to small integers,
 * value sets turned into bit masks, ORI lists into hash sets. Evaluation
 * (dg_policy_decide) then never allocates and only reads the policy, so one
 * compiled policy can be shared by any number of threads. Replacing a live
 * policy (SIGHUP) is: compile the new one, swap the pointer, free the old one
 * once no thread uses it.
 *
 * Evaluation has two phases, because some rules may look at the record found
 * (record.lawful_presence_flag) and the record is only known after the lookup:
 *   1. before the lookup: dg_policy_decide(p, req, NULL, &d). Deciding rules
 *      (allow / deny / review) are checked top to bottom; the first whose
 *      condition holds decides. Record attributes are "unknown" here.
 *   2. after the lookup, when d.needs_record is set: dg_policy_decide(p, req,
 *      &rec, &d) again. This gives the same deciding rule whenever phase 1
 *      already decided (a known condition stays known) and adds the redactions
 *      and notices that depend on the record.
 * If a deciding rule's condition depends on the record and no earlier rule
 * decided, phase 1 answers DG_POLICY_UNDECIDED: look the record up, answer
 * nothing yet, and decide with it. The checker warns about such rules (and
 * about redactions that depend on the record) because what the requester
 * then sees reveals the record attribute; docs/policy.md explains why.
 */
#ifndef DMVGATE_POLICY_H
#define DMVGATE_POLICY_H

#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/error.h>
#include <dmvgate/vocab.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ------------------------------------------------------------------
 * Policy text and list files come from outside the program: each has a hard
 * maximum, and so has everything the compiler builds from them. */
#define DG_POLICY_MAX_TEXT         (1u << 20) /* bytes of policy text */
#define DG_POLICY_MAX_RULES        4096
#define DG_POLICY_MAX_NODES        65536        /* condition tests and operators, all rules */
#define DG_POLICY_MAX_DEPTH        64           /* nesting of parentheses and not */
#define DG_POLICY_MAX_LISTS        64           /* named ORI lists */
#define DG_POLICY_MAX_LIST_FILE    (8u << 20)   /* bytes of one ORI list file */
#define DG_POLICY_MAX_LIST_ORIS    500000       /* ORIs in all lists together */
#define DG_POLICY_MAX_STRING       200          /* bytes of a reason or name */
#define DG_POLICY_MAX_DEADLINE     (30 * 86400) /* review deadline, seconds */
#define DG_POLICY_DEFAULT_DEADLINE (24 * 3600)
#define DG_POLICY_MAX_DIAGS        50 /* errors reported before the checker stops */
#define DG_POLICY_MAX_APPLIED      8  /* redact/notify rules named in a decision */

/* ---- the request: what a decision is made on ----------------------------------
 * The node fills one from the parsed message and the requester's directory
 * entry (dg_policy_request_from_msg does it); tests and benchmarks may fill it
 * by hand. Every member is read as is: the engine does no I/O. */
struct dg_policy_request {
    const struct dg_agency *requester; /* required; not copied, must outlive the call */
    enum dg_key key;                   /* DQ, RQ or IQ */
    uint32_t identified_by;            /* DG_IDF_* bits: the identifying fields used */
    uint32_t fields;                   /* DG_FIELD_* bits: the record fields asked for */
    enum dg_purpose purpose;
    enum dg_leg legal_process;
    bool has_case_number;
    char destination[3]; /* state code the query is addressed to, "CO" */
    uint8_t hour;        /* 0..23, the deciding state's local time */
    uint8_t weekday;     /* 0 Monday .. 6 Sunday, the deciding state's local time */
    /* The requester's queries in the last 60 minutes, this one included
     * (dg_volume_hit gives it); 0 when the node does not count. */
    uint32_t queries_last_hour;
};

/* What phase 2 knows about the record found. */
struct dg_policy_record {
    bool lawful_presence_flag; /* license issued without proof of lawful presence */
};

/* Set every member of r to a neutral value (DQ by license number, criminal
 * justice, no legal process, no case, asking the fields a DQ returns,
 * destination "", Monday 00:00, no volume) with requester a. */
void dg_policy_request_init(struct dg_policy_request *r, const struct dg_agency *a);

/* Set r->hour and r->weekday from t (seconds since the epoch) in the
 * process's local time zone (localtime_r: thread-safe; set TZ to the state's
 * zone, e.g. TZ=America/Denver, before starting threads). */
void dg_policy_request_set_time(struct dg_policy_request *r, int64_t t);

/* The record fields (DG_FIELD_* bits) a query of key k returns when it does
 * not ask for less: DQ every driver field but the photo (with the photo when
 * photo is true: Nlets IMQ/Y), RQ the vehicle and its owner, IQ the photo and
 * the fields that identify it (as lib/msg computes struct dg_msg_req's
 * asked). 0 for a key that is not a query. */
uint32_t dg_policy_fields_for_key(enum dg_key k, bool photo);

struct dg_msg_req;

/*
 * Fill r from a parsed, valid request m (msg.h) sent by agency a (its
 * directory entry; not copied, must outlive r): key, purpose, legal-process
 * kind, case number, the identifying fields used (OLN -> oln, NAM + DOB ->
 * name and dob, SEX -> sex, LIC/LIT/LIY -> plate, VIN -> vin), the fields
 * asked, the time from now_s (dg_policy_request_set_time) and the
 * destination: state (the deciding state, which m must be for: it names it
 * or NL), or m's first destination when state is NULL. queries_last_hour is
 * left 0 for the caller (dg_volume_hit). Returns 0, or DG_EINVAL when m is
 * not for state (r is then still filled, with destination "").
 */
int dg_policy_request_from_msg(struct dg_policy_request *r, const struct dg_msg_req *m,
                               const struct dg_agency *a, const char *state, int64_t now_s);

/* The env->parse_message of dg_policy_test_run for lib/msg's text and JSON
 * forms (ctx unused): what `dmvgate policy test` uses. */
int dg_policy_msg_parser(void *ctx, const char *msg, size_t n, bool json,
                         struct dg_policy_request *req, char ori[DG_ORI_LEN + 1],
                         struct dg_error *err);

/* ---- the decision -------------------------------------------------------------- */
enum dg_policy_outcome {
    DG_POLICY_ALLOW,
    DG_POLICY_DENY,
    DG_POLICY_REVIEW,
    DG_POLICY_UNDECIDED, /* phase 1 only: decide again with the record (see above) */
};
/* "allow", "deny", "review", "undecided". */
const char *dg_policy_outcome_name(enum dg_policy_outcome o);

/* What happens to a held request nobody decided by its deadline. */
enum dg_policy_expiry {
    DG_POLICY_EXPIRE_DENY,     /* it is denied (the default) */
    DG_POLICY_EXPIRE_ESCALATE, /* it goes to a supervisor and stays held */
};

/*
 * A decision. Strings point into the compiled policy: valid as long as the
 * policy is. redact and notify combine every redact/notify rule whose
 * condition holds (wherever it stands) with those of the deciding rule; a
 * deny carries none (nothing is looked up or released).
 */
struct dg_policy_decision {
    enum dg_policy_outcome outcome;
    int rule;              /* 0-based index of the deciding rule; -1 when UNDECIDED */
    int line;              /* its line in the policy text */
    const char *rule_name; /* its stable name (dg_policy_rule_info); "" when UNDECIDED */
    const char *reason;    /* deny/review reason, or an allow's optional reason; "" if none */
    uint32_t redact;       /* DG_FIELD_* bits to remove from the answer */
    bool notify;           /* notify the data subject when data is released */
    bool needs_record;     /* the answer depends on the record: run phase 2 */
    /* review only: */
    uint32_t deadline_s;          /* seconds from the request to decide it */
    enum dg_policy_expiry expiry; /* what happens at the deadline */
    bool two_person;              /* two different reviewers must approve */
    /* The redact/notify rules that applied, by index, the first
     * DG_POLICY_MAX_APPLIED of them; n_applied counts them all. */
    int applied[DG_POLICY_MAX_APPLIED];
    int n_applied;
};

/* ---- diagnostics ------------------------------------------------------------------
 * The compiler reports every problem it finds (up to DG_POLICY_MAX_DIAGS
 * errors) with its file, line and column, and a copy of the source line so
 * that a report can be printed after the text is gone. */
enum dg_policy_severity { DG_POLICY_ERROR, DG_POLICY_WARNING };

struct dg_policy_diag {
    enum dg_policy_severity severity;
    char file[256]; /* the policy's or list file's name as given */
    int line, col;  /* 1-based; col counts bytes */
    char msg[256];  /* lowercase, no final period */
    char src[256];  /* the source line (truncated), "" when none */
};

struct dg_policy_diags {
    struct dg_policy_diag *v;
    size_t n, cap;
    int errors, warnings;
};

void dg_policy_diags_init(struct dg_policy_diags *d);
void dg_policy_diags_release(struct dg_policy_diags *d);
/* Append each diagnostic as
 *     FILE:LINE:COL: error: MESSAGE
 *       the source line
 *            ^
 * (tabs in the source line are kept so that the caret lines up). */
int dg_policy_diags_format(const struct dg_policy_diags *d, struct dg_buf *out);

/* ---- compiling -------------------------------------------------------------------- */
struct dg_policy;

/*
 * Read one ORI list file named name (as written in the policy) into out.
 * Return 0, or DG_ENOENT / DG_EIO / DG_ETOOBIG with err->msg. The default
 * reader opens name relative to base_dir.
 */
typedef int (*dg_policy_list_reader)(void *ctx, const char *name, struct dg_buf *out,
                                     struct dg_error *err);

struct dg_policy_options {
    const char *filename;            /* shown in diagnostics; "<policy>" when NULL */
    const char *base_dir;            /* list files are relative to it; "." when NULL */
    dg_policy_list_reader read_list; /* NULL: read files from base_dir */
    void *read_ctx;
};

/*
 * Lex, parse, check and compile the policy text (len bytes, need not be
 * NUL-terminated). On success *out is a new policy (free with
 * dg_policy_free) and diags (optional) holds the warnings. On failure *out
 * is untouched, diags holds every error found and err the first one.
 * opt may be NULL. Returns 0, DG_EPOLICY (errors in the text or its list
 * files), DG_ETOOBIG (over DG_POLICY_MAX_TEXT) or DG_ENOMEM.
 * Thread-safe (it touches no shared state).
 */
int dg_policy_compile(const char *text, size_t len, const struct dg_policy_options *opt,
                      struct dg_policy **out, struct dg_policy_diags *diags, struct dg_error *err);

/* Read the file at path and compile it, with list files relative to the
 * policy file's folder. Also DG_ENOENT / DG_EIO when the file cannot be read. */
int dg_policy_load(const char *path, struct dg_policy **out, struct dg_policy_diags *diags,
                   struct dg_error *err);

/* Free p; NULL is a no-op. Every string a decision pointed to dies with it. */
void dg_policy_free(struct dg_policy *p);

/* ---- what a compiled policy holds ------------------------------------------------------ */
enum dg_policy_action {
    DG_POLICY_ACT_ALLOW,
    DG_POLICY_ACT_DENY,
    DG_POLICY_ACT_REVIEW,
    DG_POLICY_ACT_REDACT, /* a redact rule: not deciding */
    DG_POLICY_ACT_NOTIFY, /* a notify rule: not deciding */
};

struct dg_policy_rule_info {
    enum dg_policy_action action;
    bool is_default;
    int line;
    /* The rule's stable name: its label ("ice-block: deny ...") if it has
     * one, else its reason, else "default" for the default, else "line N". */
    const char *name;
    const char *reason;    /* "" if none */
    uint32_t redact;       /* fields this rule redacts (its own or its ", redact") */
    bool notify;           /* it notifies the subject */
    bool uses_record;      /* its condition looks at the record */
    const char *condition; /* the condition's source text, "" when it has none */
    uint32_t deadline_s;
    enum dg_policy_expiry expiry;
    bool two_person;
};

const char *dg_policy_name(const struct dg_policy *p);  /* the header's name */
const char *dg_policy_state(const struct dg_policy *p); /* the header's state, "CO" */
int dg_policy_rule_count(const struct dg_policy *p);
/* Fill *info for rule i (0-based, in file order, the default last). Returns
 * 0 or DG_EINVAL when i is out of range. */
int dg_policy_rule_info(const struct dg_policy *p, int i, struct dg_policy_rule_info *info);
/* Index of the rule called name (a name as above, or "line N"), or DG_ENOENT. */
int dg_policy_rule_find(const struct dg_policy *p, const char *name);

/* ---- evaluating -------------------------------------------------------------------- */

/*
 * Decide req under p. rec is NULL in phase 1 and the record found in phase 2
 * (see the top of this file). Fills *out completely. Returns 0, or DG_EINVAL
 * when req->requester is NULL or an enum member is out of range (then *out
 * is a deny by no rule: rule -1, reason "invalid request").
 * No allocation, no locks, no I/O: safe to call from any number of threads
 * on one policy.
 */
int dg_policy_decide(const struct dg_policy *p, const struct dg_policy_request *req,
                     const struct dg_policy_record *rec, struct dg_policy_decision *out);

/*
 * Append to out, for a person: the request's attributes, every rule in order
 * with whether it matched and why (each test with the request's value), and
 * the final decision (the same dg_policy_decide gives). rec as for decide.
 * Returns 0, DG_EINVAL as decide, DG_ENOMEM or DG_ETOOBIG (out's maximum).
 */
int dg_policy_explain(const struct dg_policy *p, const struct dg_policy_request *req,
                      const struct dg_policy_record *rec, struct dg_buf *out);

/* Append a one-line summary of d: "review by rule 'NAME' (line 5): REASON;
 * notify subject; redact lawful_presence,address; within 48h then deny". */
int dg_policy_decision_format(const struct dg_policy_decision *d, struct dg_buf *out);

/* Append the names of the DG_FIELD_* bits in mask, comma-separated ("none" for 0). */
int dg_policy_fields_format(uint32_t mask, struct dg_buf *out);

/* ---- recent volume: a per-ORI sliding-window counter --------------------------------
 * The node counts each requester's queries so that a policy can say
 * "requester.queries_last_hour > 500". The window is the last 60 minutes in
 * one-minute buckets (so a count may include up to a minute more than exactly
 * 3600 seconds). Memory is fixed when made: max_oris slots of 60 counters.
 *
 * Thread safety: dg_volume_hit and dg_volume_count may be called from any
 * number of threads at once (the table is split into stripes, each with its
 * own mutex; two threads only wait for each other on the same stripe).
 * dg_volume_free must not race with them. Counts live in memory only: a
 * restarted node starts from zero. */
struct dg_volume;

/* A counter for up to max_oris distinct ORIs (at least 16), or NULL on ENOMEM. */
struct dg_volume *dg_volume_new(size_t max_oris);
void dg_volume_free(struct dg_volume *v);

/*
 * Count one query from ori (DG_ORI_LEN characters) at now_s (seconds since
 * the epoch) and set *count to the ORI's queries in the window, this one
 * included. Returns 0, DG_EINVAL (ori not 9 characters) or DG_ENOSPC (max_oris
 * different ORIs already counted; *count is then 0). Time going backwards is
 * taken as now = the latest time seen for that ORI.
 */
int dg_volume_hit(struct dg_volume *v, const char *ori, int64_t now_s, uint32_t *count);

/* The ORI's queries in the window ending at now_s, without counting one. */
uint32_t dg_volume_count(struct dg_volume *v, const char *ori, int64_t now_s);

/* ---- test files: `dmvgate policy test` and `policy explain` ---------------------------
 * A test file lists cases, each a request and the decision it must get
 * (docs/policy.md, "Test files"):
 *
 *     agency DCICE0100 level=federal department=DHS component=ICE-ERO category=federal_le
 *     test "ICE without a judge's warrant is held"
 *     message
 *         DQ.DCICE0100.CA.TXT
 *         OLN/D1234567.OLS/CA.PUR/C.ATN/AGENT SMITH.LEG/AW 2025-114
 *     expect review rule="federal requests need a judicial warrant" notify
 *
 * A request is message text ("message"), its JSON form ("json") or plain
 * attributes ("request key=DQ ori=... purpose=..."). The requester is found by
 * ORI among the file's "agency" lines, then through env->find_agency (the
 * directory), or given in the case ("requester level=federal ..."). The
 * module needs no message parser of its own: env->parse_message turns message
 * text into a request (dg_policy_msg_parser, above). */
#define DG_POLICY_MAX_TESTFILE (4u << 20) /* bytes of a test or request file */

struct dg_policy_test_env {
    /* The directory entry for ori, or NULL when unknown. May be NULL. */
    const struct dg_agency *(*find_agency)(void *ctx, const char *ori);
    void *find_ctx;
    /*
     * Fill req (all but req->requester, which is set afterwards) and ori
     * (the message's originating ORI, 9 characters and a NUL) from message
     * text, or its JSON form when json is true. Return 0, or a negative code
     * with err->msg saying what is wrong. May be NULL: then message and json
     * cases fail with "no message parser".
     */
    int (*parse_message)(void *ctx, const char *msg, size_t n, bool json,
                         struct dg_policy_request *req, char ori[DG_ORI_LEN + 1],
                         struct dg_error *err);
    void *parse_ctx;
};

struct dg_policy_test_result {
    int passed, failed;
};

/*
 * Run every case of the test file (text, len bytes; filename for messages)
 * against p. Appends to report one line per failing case,
 *     FILE:LINE: "NAME": expected ..., got ...
 * and, last, "N passed, M failed". Returns 0 when the file could be read as
 * a test file (whatever the cases' results: see *res), DG_EPOLICY with
 * err->line and err->msg for a malformed file (nothing is run), DG_ETOOBIG,
 * DG_ENOMEM. Thread-safe for distinct reports.
 */
int dg_policy_test_run(const struct dg_policy *p, const char *text, size_t len,
                       const char *filename, const struct dg_policy_test_env *env,
                       struct dg_buf *report, struct dg_policy_test_result *res,
                       struct dg_error *err);

/*
 * Read the first case of a request file (the test-file format; "test" and
 * "expect" lines optional) into *req, with the requester copied into *agency
 * (req->requester points at it) and the record, if the case gives one, in
 * *rec with *has_rec set. state is the deciding state ("CO"), the default
 * destination. Returns 0, DG_EPOLICY (malformed file, or a request that
 * cannot be built: unknown ORI, bad message) with err, DG_ETOOBIG, DG_ENOMEM.
 */
int dg_policy_request_read(const char *text, size_t len, const char *filename, const char *state,
                           const struct dg_policy_test_env *env, struct dg_agency *agency,
                           struct dg_policy_request *req, struct dg_policy_record *rec,
                           bool *has_rec, struct dg_error *err);

#endif
