/*
 * suppress.c - small-count suppression for the public form of a report.
 *
 * Primary suppression hides every count from 1 to k-1. Complementary
 * suppression then makes sure that no hidden count can be recovered by
 * subtraction from a total: in every line (a row with its row total, a
 * column with its column total, the row of column totals with the grand
 * total, the column of row totals with the grand total) there must be no
 * hidden count or at least two. A line with exactly one gets a second: the
 * smallest non-zero cell left in it, else the smallest non-zero total, else a
 * zero cell. Totals are shared between tables (the total of "sheriff"
 * requests is the same in every table whose rows are categories over all
 * requests; the totals by decision are shared by all tables over all
 * requests): a total hidden in one table is hidden in every table that shows
 * it. The steps repeat until nothing changes; each only hides more, so it
 * ends. This is the usual heuristic of statistical agencies for tables with
 * margins; docs/transparency.md says what it does not guarantee.
 */
#include "report/report_int.h"

#include <stdio.h>
#include <string.h>

/* One count of a table, by reference. */
struct elem {
    uint64_t v;
    uint8_t *st;
    int margin; /* id of a shared total, -1 for an inner cell */
    bool total;
};

struct margins {
    char (*key)[160];
    bool *hidden;
    size_t n, cap;
};

static int margin_id(struct margins *m, const char *scope, const char *dim, const char *label)
{
    char key[160];
    snprintf(key, sizeof(key), "%s|%s|%s", scope, dim, label);
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->key[i], key) == 0)
            return (int)i;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        void *k = dg_realloc(m->key, cap * sizeof(*m->key));
        if (!k)
            return DG_ENOMEM;
        m->key = k;
        void *h = dg_realloc(m->hidden, cap * sizeof(*m->hidden));
        if (!h)
            return DG_ENOMEM;
        m->hidden = h;
        m->cap = cap;
    }
    snprintf(m->key[m->n], sizeof(m->key[0]), "%s", key);
    m->hidden[m->n] = false;
    return (int)m->n++;
}

/* The elements of one table, and its lines as lists of element indexes. */
struct tview {
    struct dg_report_table *t;
    struct elem *e; /* cells, then row totals, then column totals, then the grand total */
    size_t ne;
};

static size_t cell_i(const struct tview *tv, size_t r, size_t c)
{
    return r * tv->t->ncols + c;
}
static size_t rowtot_i(const struct tview *tv, size_t r)
{
    return tv->t->nrows * tv->t->ncols + r;
}
static size_t coltot_i(const struct tview *tv, size_t c)
{
    return tv->t->nrows * tv->t->ncols + tv->t->nrows + c;
}
static size_t grand_i(const struct tview *tv)
{
    return tv->t->nrows * tv->t->ncols + tv->t->nrows + tv->t->ncols;
}

static int view_init(struct tview *tv, struct dg_report_table *t, struct margins *m)
{
    tv->t = t;
    tv->ne = t->nrows * t->ncols + t->nrows + t->ncols + 1;
    tv->e = dg_calloc(tv->ne, sizeof(*tv->e));
    if (!tv->e)
        return DG_ENOMEM;
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++)
            tv->e[cell_i(tv, r, c)] =
                (struct elem){t->v[r * t->ncols + c], &t->st[r * t->ncols + c], -1, false};
    for (size_t r = 0; r < t->nrows; r++) {
        int id = margin_id(m, t->scope, t->row_dim, t->row_label[r]);
        if (id < 0)
            return id;
        tv->e[rowtot_i(tv, r)] = (struct elem){t->row_total[r], &t->row_st[r], id, true};
    }
    for (size_t c = 0; c < t->ncols; c++) {
        int id = margin_id(m, t->scope, t->col_dim, t->col_label[c]);
        if (id < 0)
            return id;
        tv->e[coltot_i(tv, c)] = (struct elem){t->col_total[c], &t->col_st[c], id, true};
    }
    int id = margin_id(m, t->scope, "*", "*");
    if (id < 0)
        return id;
    tv->e[grand_i(tv)] = (struct elem){t->total, &t->total_st, id, true};
    return 0;
}

/* Hide a second element of a line that has exactly one hidden. Returns 1
 * when it hid something. */
static int complete_line(struct elem *e, const size_t *idx, size_t n, bool *mhidden)
{
    size_t hidden = 0;
    for (size_t i = 0; i < n; i++)
        hidden += *e[idx[i]].st != DG_CELL_SHOWN;
    if (hidden != 1)
        return 0;
    /* rank: non-zero cell 0, non-zero total 1, zero cell 2, zero total 3 */
    size_t best = n;
    int best_rank = 4;
    uint64_t best_v = 0;
    for (size_t i = 0; i < n; i++) {
        const struct elem *x = &e[idx[i]];
        if (*x->st != DG_CELL_SHOWN)
            continue;
        int rank = (x->v == 0) * 2 + x->total;
        if (rank < best_rank || (rank == best_rank && x->v < best_v)) {
            best = i;
            best_rank = rank;
            best_v = x->v;
        }
    }
    if (best == n)
        return 0;
    struct elem *x = &e[idx[best]];
    *x->st = DG_CELL_HIDDEN;
    if (x->margin >= 0)
        mhidden[x->margin] = true;
    return 1;
}

static int pass(struct tview *tv, bool *mhidden, size_t *idx)
{
    const struct dg_report_table *t = tv->t;
    int changed = 0;
    size_t n;
    /* shared totals hidden elsewhere */
    for (size_t i = t->nrows * t->ncols; i < tv->ne; i++) {
        struct elem *x = &tv->e[i];
        if (x->margin >= 0 && mhidden[x->margin] && *x->st == DG_CELL_SHOWN) {
            *x->st = DG_CELL_HIDDEN;
            changed = 1;
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        n = 0;
        for (size_t c = 0; c < t->ncols; c++)
            idx[n++] = cell_i(tv, r, c);
        idx[n++] = rowtot_i(tv, r);
        changed |= complete_line(tv->e, idx, n, mhidden);
    }
    for (size_t c = 0; c < t->ncols; c++) {
        n = 0;
        for (size_t r = 0; r < t->nrows; r++)
            idx[n++] = cell_i(tv, r, c);
        idx[n++] = coltot_i(tv, c);
        changed |= complete_line(tv->e, idx, n, mhidden);
    }
    n = 0;
    for (size_t c = 0; c < t->ncols; c++)
        idx[n++] = coltot_i(tv, c);
    idx[n++] = grand_i(tv);
    changed |= complete_line(tv->e, idx, n, mhidden);
    n = 0;
    for (size_t r = 0; r < t->nrows; r++)
        idx[n++] = rowtot_i(tv, r);
    idx[n++] = grand_i(tv);
    changed |= complete_line(tv->e, idx, n, mhidden);
    return changed;
}

int dg_report_suppress(struct dg_report *r, unsigned k)
{
    struct margins m = {0};
    struct tview *tv = dg_calloc(r->ntables ? r->ntables : 1, sizeof(*tv));
    size_t maxline = 1;
    int rc = tv ? 0 : DG_ENOMEM;
    for (size_t i = 0; i < r->ntables && !rc; i++) {
        rc = view_init(&tv[i], &r->tables[i], &m);
        size_t line =
            (r->tables[i].nrows > r->tables[i].ncols ? r->tables[i].nrows : r->tables[i].ncols) + 1;
        if (line > maxline)
            maxline = line;
    }
    size_t *idx = rc ? NULL : dg_malloc(maxline * sizeof(*idx));
    if (!rc && !idx)
        rc = DG_ENOMEM;
    if (!rc) {
        r->threshold = k;
        /* primary */
        for (size_t i = 0; i < r->ntables; i++)
            for (size_t j = 0; j < tv[i].ne; j++) {
                struct elem *x = &tv[i].e[j];
                *x->st = x->v > 0 && x->v < k ? DG_CELL_SMALL : DG_CELL_SHOWN;
                if (*x->st && x->margin >= 0)
                    m.hidden[x->margin] = true;
            }
        /* complementary, to a fixed point */
        for (int changed = 1; changed;) {
            changed = 0;
            for (size_t i = 0; i < r->ntables; i++)
                changed |= pass(&tv[i], m.hidden, idx);
        }
        r->suppressed_small = r->suppressed_hidden = 0;
        for (size_t i = 0; i < r->ntables; i++)
            for (size_t j = 0; j < tv[i].ne; j++) {
                r->suppressed_small += *tv[i].e[j].st == DG_CELL_SMALL;
                r->suppressed_hidden += *tv[i].e[j].st == DG_CELL_HIDDEN;
            }
    }
    for (size_t i = 0; tv && i < r->ntables; i++)
        dg_free(tv[i].e);
    dg_free(tv);
    dg_free(idx);
    dg_free(m.key);
    dg_free(m.hidden);
    return rc;
}
