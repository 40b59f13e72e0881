/*
 * report_int.h - internals of lib/report shared by its files: building a
 * table row by row.
 */
#ifndef DG_REPORT_INT_H
#define DG_REPORT_INT_H

#include <dmvgate/report.h>

/* Start table t (zeroed) with ncols columns named cols. 0 or DG_ENOMEM. */
int dg__table_init(struct dg_report_table *t, const char *name, const char *title,
                   const char *row_dim, const char *col_dim, const char *scope, size_t ncols,
                   const char *const *cols);
/* The row labelled label (appended, with note, when new), or DG_ENOMEM /
 * DG_ETOOBIG past DG_REPORT_MAX_ROWS. */
int dg__table_row(struct dg_report_table *t, const char *label, const char *note);
/* Add n to a cell. */
void dg__table_add(struct dg_report_table *t, size_t row, size_t col, uint64_t n);
/* Compute the totals (and set every state to shown). */
void dg__table_totals(struct dg_report_table *t);
/* Sort the rows by total, largest first (ties by label), keeping the last
 * `pinned` rows last. */
void dg__table_sort(struct dg_report_table *t, size_t pinned);
void dg__table_release(struct dg_report_table *t);

/* A new table at the end of r's list (zeroed), or NULL on ENOMEM. */
struct dg_report_table *dg__report_add_table(struct dg_report *r);

/* The text a count is shown as: the number, "<K" or "x". */
void dg__cell_text(const struct dg_report *r, uint64_t v, uint8_t st, char out[24]);

/* Display names. */
const char *dg__key_label(int key); /* "driver (DQ)" */

#endif
