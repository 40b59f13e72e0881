/*
 * agency.h - the agency directory: who an ORI is.
 *
 * An entry says what an originating agency identifier (ORI) stands for: name,
 * state, level, department and component (federal / DHS / ICE-ERO), category
 * and agreements such as 287(g). The hub stamps the entry onto every message
 * and the policy engine decides on it.
 *
 * struct dg_directory is the in-memory directory: loaded once from a CSV file
 * or from the store, then looked up by ORI in O(1) (an open-addressing hash
 * table) by the hub, the node and the policy engine. The CSV format is
 * documented in docs/agencies.md; the parser is strict (RFC 4180 quoting,
 * size limits, every field checked) and all-or-nothing.
 *
 * Thread safety: a directory that is no longer being changed (add, parse,
 * load) can be read (find, at, count) from any number of threads at once.
 * To replace a live directory, build a new one and swap the pointer.
 */
#ifndef DMVGATE_AGENCY_H
#define DMVGATE_AGENCY_H

#include <dmvgate/core.h>
#include <dmvgate/error.h>
#include <dmvgate/vocab.h>

#include <stddef.h>
#include <stdint.h>

#define DG_ORI_LEN 9

struct dg_agency {
    char ori[DG_ORI_LEN + 1]; /* 9 characters, the first two a state code */
    char state[3];            /* the state the agency sits in (ORI prefix) */
    char name[96];
    enum dg_level level;
    char department[16]; /* "DHS", "DOJ", ... ; "" when none (most local agencies) */
    char component[16];  /* "ICE-ERO", "HSI", "CBP", "FBI", ... ; "" when none */
    enum dg_category category;
    uint32_t agreements; /* DG_AGR_* bits */
};

/* ---- single entries ----------------------------------------------------------- */

/* 0 when s (n bytes) is a well-formed ORI: 9 characters A-Z or 0-9 whose
 * first two are a state code of vocab.h; else DG_EBADAGENCY with err->msg. */
int dg_ori_validate(const char *s, size_t n, struct dg_error *err);

/*
 * Check every field of a: the ORI (dg_ori_validate), state equal to the ORI's
 * first two characters, a non-empty name of printable characters (UTF-8
 * allowed, no control characters, at most 95 bytes), level and category in
 * range, department and component each "" or up to 15 of A-Z 0-9 '-', a
 * component only with a department, agreements only known DG_AGR_* bits.
 * Returns 0 or DG_EBADAGENCY with err->field ("ori", "name", ...) and err->msg.
 */
int dg_agency_validate(const struct dg_agency *a, struct dg_error *err);

/* Append a as a JSON object ({"ori":..,"name":..,"state":..,"level":..,
 * "department":..,"component":..,"category":..,"agreements":[..]}). */
int dg_agency_json(const struct dg_agency *a, struct dg_buf *out);

/* ---- CSV ---------------------------------------------------------------------
 * A header line, exactly DG_AGENCY_CSV_HEADER, then one agency a line:
 *   ori,name,state,level,department,component,category,agreements
 * level, category: the vocab.h names; agreements: agreement names separated by
 * ';' (e.g. "287g-jail;287g-task-force"), empty for none. Fields are quoted
 * as RFC 4180 says (a field containing , " CR or LF in "..." with "" for a
 * quote); lines end in LF or CRLF. Limits: DG_AGENCY_CSV_MAX_BYTES per file,
 * DG_AGENCY_CSV_MAX_LINE bytes per record, DG_AGENCY_CSV_MAX_ROWS rows. */
#define DG_AGENCY_CSV_HEADER    "ori,name,state,level,department,component,category,agreements"
#define DG_AGENCY_CSV_MAX_BYTES (32u << 20)
#define DG_AGENCY_CSV_MAX_LINE  1024
#define DG_AGENCY_CSV_MAX_ROWS  200000

/* Append a as one CSV line (with its LF), quoting where needed. */
int dg_agency_csv_row(const struct dg_agency *a, struct dg_buf *out);

/* ---- the in-memory directory ----------------------------------------------------- */

struct dg_directory;
struct dg_store;

/* A new, empty directory, or NULL on ENOMEM. Free with dg_directory_free. */
struct dg_directory *dg_directory_new(void);

/* Free d and its entries; NULL is a no-op. Pointers from find/at die with it. */
void dg_directory_free(struct dg_directory *d);

/* Add a copy of a after dg_agency_validate. Returns 0, DG_EBADAGENCY,
 * DG_EEXIST (the ORI is already there; err->field "ori"), DG_ENOMEM. */
int dg_directory_add(struct dg_directory *d, const struct dg_agency *a, struct dg_error *err);

/* The entry for ori (n bytes; anything but 9 characters finds nothing), or
 * NULL. O(1), no allocation. The pointer stays valid until d is freed or
 * changed. */
const struct dg_agency *dg_directory_find(const struct dg_directory *d, const char *ori, size_t n);

/* Number of entries, and the i-th (0 <= i < count) in the order added. */
size_t dg_directory_count(const struct dg_directory *d);
const struct dg_agency *dg_directory_at(const struct dg_directory *d, size_t i);

/*
 * Add every agency of a CSV document (data, len bytes) to d. All or nothing:
 * on any error d is left exactly as it was. Errors: DG_ETOOBIG (file, line
 * or row count over the limits), DG_ECSV (bad header, quoting, field count,
 * empty line), DG_EBADAGENCY (a field's value), DG_EEXIST (an ORI twice or
 * already in d), DG_ENOMEM. err->line is the 1-based line where the bad
 * record starts, err->col the column (1-based byte) when known, err->field
 * the column's name, err->msg the reason.
 */
int dg_directory_parse_csv(struct dg_directory *d, const char *data, size_t len,
                           struct dg_error *err);

/* The same for a file (DG_ENOENT / DG_EIO when it cannot be read). */
int dg_directory_load_csv(struct dg_directory *d, const char *path, struct dg_error *err);

/* Add every agency kept in store s (all or nothing, as above). */
int dg_directory_load_store(struct dg_directory *d, struct dg_store *s, struct dg_error *err);

/* Append the whole directory as CSV (header first) to out. */
int dg_directory_to_csv(const struct dg_directory *d, struct dg_buf *out);

/* ---- the synthetic directory --------------------------------------------------- */

/*
 * Fill d (which should be empty) with about 18,000 synthetic agencies shaped
 * like the real population (docs/agencies.md): municipal police and sheriffs
 * in every state, state police, tribal police, courts, prosecutors,
 * corrections, special-jurisdiction agencies, federal components (DHS ICE-ERO,
 * HSI, CBP; DOJ FBI, DEA, USMS, ATF; others), 287(g) agreements on a share of
 * sheriffs and 1-2% "unspecified". Deterministic: the same seed gives the
 * same entries in the same order (sorted by ORI). Returns the number added,
 * or DG_ENOMEM (d may then hold part of the entries: free it).
 */
int dg_agencies_generate(struct dg_directory *d, uint64_t seed, struct dg_error *err);

#endif
