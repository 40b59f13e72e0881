/*
 * table.c - the table of a report: rows of counts with row and column totals,
 * built row by row, sorted, and released.
 */
#include "report/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dg__table_init(struct dg_report_table *t, const char *name, const char *title,
                   const char *row_dim, const char *col_dim, const char *scope, size_t ncols,
                   const char *const *cols)
{
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(t->title, sizeof(t->title), "%s", title);
    snprintf(t->row_dim, sizeof(t->row_dim), "%s", row_dim);
    snprintf(t->col_dim, sizeof(t->col_dim), "%s", col_dim);
    snprintf(t->scope, sizeof(t->scope), "%s", scope);
    t->ncols = ncols;
    t->col_label = dg_calloc(ncols, sizeof(*t->col_label));
    t->col_total = dg_calloc(ncols, sizeof(*t->col_total));
    t->col_st = dg_calloc(ncols, 1);
    if (!t->col_label || !t->col_total || !t->col_st)
        return DG_ENOMEM;
    for (size_t c = 0; c < ncols; c++)
        snprintf(t->col_label[c], sizeof(t->col_label[c]), "%s", cols[c]);
    return 0;
}

static int grow(struct dg_report_table *t)
{
    size_t cap = t->cap_rows ? t->cap_rows * 2 : 16, nc = t->ncols;
#define RE(p, n)                                                                                   \
    do {                                                                                           \
        void *q = dg_realloc(p, (n) * sizeof(*(p)));                                               \
        if (!q)                                                                                    \
            return DG_ENOMEM;                                                                      \
        p = q;                                                                                     \
    } while (0)
    RE(t->row_label, cap);
    RE(t->row_note, cap);
    RE(t->v, cap * nc);
    RE(t->st, cap * nc);
    RE(t->row_total, cap);
    RE(t->row_st, cap);
#undef RE
    t->cap_rows = cap;
    return 0;
}

int dg__table_row(struct dg_report_table *t, const char *label, const char *note)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(t->row_label[r], label) == 0)
            return (int)r;
    if (t->nrows >= DG_REPORT_MAX_ROWS)
        return DG_ETOOBIG;
    if (t->nrows == t->cap_rows) {
        int rc = grow(t);
        if (rc)
            return rc;
    }
    size_t r = t->nrows++;
    snprintf(t->row_label[r], sizeof(t->row_label[r]), "%s", label);
    snprintf(t->row_note[r], sizeof(t->row_note[r]), "%s", note ? note : "");
    memset(&t->v[r * t->ncols], 0, t->ncols * sizeof(*t->v));
    memset(&t->st[r * t->ncols], 0, t->ncols);
    t->row_total[r] = 0;
    t->row_st[r] = 0;
    return (int)r;
}

void dg__table_add(struct dg_report_table *t, size_t row, size_t col, uint64_t n)
{
    t->v[row * t->ncols + col] += n;
}

void dg__table_totals(struct dg_report_table *t)
{
    t->total = 0;
    memset(t->col_total, 0, t->ncols * sizeof(*t->col_total));
    for (size_t r = 0; r < t->nrows; r++) {
        uint64_t sum = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            sum += t->v[r * t->ncols + c];
            t->col_total[c] += t->v[r * t->ncols + c];
            t->st[r * t->ncols + c] = DG_CELL_SHOWN;
        }
        t->row_total[r] = sum;
        t->row_st[r] = DG_CELL_SHOWN;
        t->total += sum;
    }
    memset(t->col_st, DG_CELL_SHOWN, t->ncols);
    t->total_st = DG_CELL_SHOWN;
}

static const struct dg_report_table *sort_table;

static int by_total(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const struct dg_report_table *t = sort_table;
    if (t->row_total[i] != t->row_total[j])
        return t->row_total[i] > t->row_total[j] ? -1 : 1;
    return strcmp(t->row_label[i], t->row_label[j]);
}

void dg__table_sort(struct dg_report_table *t, size_t pinned)
{
    size_t n = t->nrows > pinned ? t->nrows - pinned : 0;
    if (n < 2)
        return;
    size_t *idx = dg_malloc(n * sizeof(*idx));
    char(*label)[64] = dg_malloc(n * sizeof(*label));
    char(*note)[160] = dg_malloc(n * sizeof(*note));
    uint64_t *v = dg_malloc(n * t->ncols * sizeof(*v));
    uint64_t *tot = dg_malloc(n * sizeof(*tot));
    if (idx && label && note && v && tot) {
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        sort_table = t; /* qsort has no context argument; reports are built on one thread */
        qsort(idx, n, sizeof(*idx), by_total);
        sort_table = NULL;
        /* Permute through copies of the rows. */
        for (size_t i = 0; i < n; i++) {
            memcpy(label[i], t->row_label[idx[i]], sizeof(label[i]));
            memcpy(note[i], t->row_note[idx[i]], sizeof(note[i]));
            memcpy(&v[i * t->ncols], &t->v[idx[i] * t->ncols], t->ncols * sizeof(*v));
            tot[i] = t->row_total[idx[i]];
        }
        memcpy(t->row_label, label, n * sizeof(*label));
        memcpy(t->row_note, note, n * sizeof(*note));
        memcpy(t->v, v, n * t->ncols * sizeof(*v));
        memcpy(t->row_total, tot, n * sizeof(*tot));
    } /* else unsorted: still a correct table */
    dg_free(label);
    dg_free(note);
    dg_free(v);
    dg_free(tot);
    dg_free(idx);
}

void dg__table_release(struct dg_report_table *t)
{
    dg_free(t->row_label);
    dg_free(t->row_note);
    dg_free(t->col_label);
    dg_free(t->v);
    dg_free(t->st);
    dg_free(t->row_total);
    dg_free(t->col_total);
    dg_free(t->row_st);
    dg_free(t->col_st);
    memset(t, 0, sizeof(*t));
}

struct dg_report_table *dg__report_add_table(struct dg_report *r)
{
    struct dg_report_table *v = dg_realloc(r->tables, (r->ntables + 1) * sizeof(*v));
    if (!v)
        return NULL;
    r->tables = v;
    memset(&v[r->ntables], 0, sizeof(v[0]));
    return &v[r->ntables++];
}

const struct dg_report_table *dg_report_table(const struct dg_report *r, const char *name)
{
    for (size_t i = 0; i < r->ntables; i++)
        if (strcmp(r->tables[i].name, name) == 0)
            return &r->tables[i];
    return NULL;
}

void dg__cell_text(const struct dg_report *r, uint64_t v, uint8_t st, char out[24])
{
    if (st == DG_CELL_SMALL)
        snprintf(out, 24, "<%u", r->threshold);
    else if (st == DG_CELL_HIDDEN)
        snprintf(out, 24, "x");
    else
        snprintf(out, 24, "%llu", (unsigned long long)v);
}

const char *dg__key_label(int key)
{
    static const char *const k[] = {"driver (DQ)", "registration (RQ)", "photo (IQ)"};
    return key >= 0 && key < 3 ? k[key] : "?";
}
