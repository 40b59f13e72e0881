/*
 * report.h - transparency reports: the counts lib/stats keeps, for a range of
 * days, as tables a person can read, in CSV, JSON or HTML.
 *
 * A report is a list of tables, each rows x columns of counts with row and
 * column totals: requests by requester category, level, department and
 * component, key (driver, registration, photo), purpose, legal process,
 * destination, deciding rule; category x key (the data flow); photo requests
 * and name-only searches by category; the top agencies; a time series. The
 * JSON form is also what the dashboard (web/dashboard.html) reads from
 * GET /v1/stats.
 *
 * The public form (public_form) is for anyone to read. The counts never hold
 * data-subject information (lib/stats counts none), and in the public form
 * small counts are suppressed so that no one is singled out:
 *   - primary suppression: every count from 1 to threshold - 1 (a cell or a
 *     total) is shown as "<K" (K the threshold, 10 by default);
 *   - complementary suppression: every row and every column (totals count as
 *     members of their line) that has a suppressed count gets at least two,
 *     the extra one being the smallest non-zero count in the line (a total
 *     only when no cell is left; a zero only when nothing else is), shown as
 *     "x", so that no suppressed count can be worked out by subtraction;
 *   - totals shared by several tables (the same category, key or decision
 *     over the same requests) are suppressed in all of them when in one,
 *     and the two steps repeat until nothing changes;
 *   - agencies are listed one by one only with at least threshold requests;
 *     the rest are one row, "all other agencies".
 * docs/transparency.md explains the method, its limits, and why agencies
 * are named by ORI.
 */
#ifndef DMVGATE_REPORT_H
#define DMVGATE_REPORT_H

#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/error.h>
#include <dmvgate/stats.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dg_store;

#define DG_REPORT_THRESHOLD 10   /* default: counts 1..9 are suppressed */
#define DG_REPORT_TOP       25   /* default: agencies listed one by one */
#define DG_REPORT_MAX_DAYS  3660 /* longest range */
#define DG_REPORT_MAX_ROWS  4096 /* rows of one table (more are summed into "other") */

struct dg_report_options {
    const char *from, *to; /* days "YYYY-MM-DD", inclusive, local time as the stats */
    bool public_form;
    unsigned threshold; /* 2..1000 (public form), DG_REPORT_THRESHOLD by default */
    unsigned top;       /* 1..1000 agencies, DG_REPORT_TOP by default */
    /* Agency names for the top-agencies table: this directory when not
     * NULL, else the store's agencies (dg_store_agency_by_ori), else none. */
    const struct dg_directory *directory;
    const char *title;  /* a heading, e.g. "Colorado DMV queries"; NULL for a default */
    const char *source; /* where the counts came from, shown in the report; may be NULL */
};

/* Fill o with the defaults (from and to NULL: both must be set). */
void dg_report_options_init(struct dg_report_options *o);

/* How a count is shown. */
enum dg_report_cell { DG_CELL_SHOWN, DG_CELL_SMALL /* primary: "<K" */, DG_CELL_HIDDEN /* "x" */ };

struct dg_report_table {
    char name[32];    /* "by_category" */
    char title[128];  /* "Requests by requester category and decision" */
    char row_dim[24]; /* "category" */
    char col_dim[24]; /* "decision" or "key" */
    char scope[24];   /* the requests it covers: "all", "photo", "name_search" */
    size_t nrows, ncols;
    char (*row_label)[64]; /* e.g. "sheriff", "CO0010000" */
    char (*row_note)[160]; /* e.g. the agency's name and category; "" if none */
    char (*col_label)[24]; /* e.g. "allow" */
    uint64_t *v;           /* nrows x ncols counts */
    uint8_t *st;           /* nrows x ncols enum dg_report_cell */
    uint64_t *row_total, *col_total, total;
    uint8_t *row_st, *col_st, total_st;
    size_t cap_rows; /* rows allocated (internal) */
};

struct dg_report {
    char title[128];
    char source[256];
    char from[11], to[11];
    char generated[32]; /* ISO time the report was made */
    bool public_form;
    unsigned threshold;
    char series_gran; /* 'h' or 'd': the time-series table's periods */
    size_t ntables;
    struct dg_report_table *tables;
    /* The alerts raised in the range (internal form only; the public form
     * has only their number by kind). */
    struct dg_stats_alert *alerts;
    size_t nalerts;
    unsigned alerts_by_kind[DG_ALERT__COUNT];
    uint64_t suppressed_small, suppressed_hidden; /* counts of cells, public form */
};

/*
 * Read the stats tables of st for the range and build the report (with
 * suppression in the public form). Day rows are read for the tables and,
 * for ranges of up to two days, hour rows for the time series. Returns 0 and
 * *out (free with dg_report_free), or DG_EINVAL (bad dates or options, with
 * err->field), DG_ENOSTATS (the store has no stats tables), DG_ESTORE,
 * DG_ENOMEM. st is only read; it need not be SQLite-writable.
 */
int dg_report_build(struct dg_store *st, const struct dg_report_options *o, struct dg_report **out,
                    struct dg_error *err);
void dg_report_free(struct dg_report *r);

/* The table called name, or NULL. */
const struct dg_report_table *dg_report_table(const struct dg_report *r, const char *name);

/*
 * Apply the suppression described at the top of this file to the report's
 * tables, with threshold k (dg_report_build does it in the public form;
 * exposed for tests). Sets every st field; returns 0.
 */
int dg_report_suppress(struct dg_report *r, unsigned k);

/* Renderings, appended to out. CSV is long: one line per count,
 *   table,row_dim,row,col_dim,column,value
 * with "TOTAL" for totals and a first table "meta" (title, range, form,
 * threshold). JSON is one object {"meta":{..},"tables":[..],"alerts":..}
 * (docs/transparency.md). HTML is a standalone page without scripts. A
 * suppressed count is written "<K" or "x" in every form (a JSON string). */
int dg_report_csv(const struct dg_report *r, struct dg_buf *out);
int dg_report_json(const struct dg_report *r, struct dg_buf *out);
int dg_report_html(const struct dg_report *r, struct dg_buf *out);

/* ---- counting an audit log (dmvgate report --audit) -------------------------------- */

struct dg_audit_entry;

/*
 * The stats event for an audit entry of kind query (the requester's ORI and
 * directory attributes, key, destination, purpose, legal process, decision,
 * rule, photo asked, name search), for counting recorded traffic. The
 * strings of ev point into e. Returns 0, or DG_EINVAL for an entry that is
 * not a query with a decision.
 */
int dg_report_event_from_audit(const struct dg_audit_entry *e, struct dg_stats_event *ev);

/*
 * Count every query entry of the audit log in dir whose time falls in the
 * local days [from, to] into s (opened with flush_ms 0), flushing each hour
 * under its own period (dg_stats_flush_at). *counted gets the number of
 * entries counted. Returns 0, DG_EINVAL (bad dates), or the audit
 * iterator's or the flush's error.
 */
int dg_report_count_audit(struct dg_stats *s, const char *dir, const char *from, const char *to,
                          uint64_t *counted, struct dg_error *err);

/* Parse "YYYY-MM-DD" (a real date) into the local time its day starts. 0 or DG_EINVAL. */
int dg_report_parse_day(const char *s, int64_t *t_s);

#endif
