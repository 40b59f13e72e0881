/*
 * diag.c - diagnostics of the policy compiler: collecting and printing them.
 *
 * A diagnostic keeps a copy of its source line so that a report can be
 * printed after the policy text is gone (the node logs a refused reload; the
 * CLI prints after compiling). The printed form is the one compilers use, so
 * editors can jump to it:
 *
 *     co.policy:4:30: error: 'federl' is not an agency level: one of local, ...
 *         when requester.level == federl
 *                                 ^
 */
#include "policy_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void dg_policy_diags_init(struct dg_policy_diags *d)
{
    memset(d, 0, sizeof(*d));
}

void dg_policy_diags_release(struct dg_policy_diags *d)
{
    dg_free(d->v);
    memset(d, 0, sizeof(*d));
}

int dg__diag_add(struct dg_policy_diags *d, enum dg_policy_severity sev, const char *file,
                 const char *src, size_t len, int line, int col, const char *fmt, ...)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        struct dg_policy_diag *v = dg_realloc(d->v, cap * sizeof(*v));
        if (!v)
            return DG_ENOMEM;
        d->v = v;
        d->cap = cap;
    }
    struct dg_policy_diag *g = &d->v[d->n++];
    g->severity = sev;
    snprintf(g->file, sizeof(g->file), "%s", file ? file : "<policy>");
    g->line = line;
    g->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->msg, sizeof(g->msg), fmt, ap);
    va_end(ap);
    g->src[0] = '\0';
    if (src && line > 0) {
        /* Find the line: walk from the start (diagnostics are few). */
        size_t i = 0;
        for (int l = 1; l < line && i < len; i++)
            if (src[i] == '\n')
                l++;
        size_t e = i;
        while (e < len && src[e] != '\n' && src[e] != '\r' && src[e] != '\0')
            e++;
        size_t n = e - i;
        if (n >= sizeof(g->src))
            n = sizeof(g->src) - 1;
        memcpy(g->src, src + i, n);
        g->src[n] = '\0';
    }
    if (sev == DG_POLICY_ERROR)
        d->errors++;
    else
        d->warnings++;
    return 0;
}

int dg_policy_diags_format(const struct dg_policy_diags *d, struct dg_buf *out)
{
    int rc = 0;
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        const struct dg_policy_diag *g = &d->v[i];
        const char *sev = g->severity == DG_POLICY_ERROR ? "error" : "warning";
        if (g->line > 0)
            rc = dg_buf_printf(out, "%s:%d:%d: %s: %s\n", g->file, g->line, g->col, sev, g->msg);
        else
            rc = dg_buf_printf(out, "%s: %s: %s\n", g->file, sev, g->msg);
        if (rc || g->line <= 0)
            continue;
        /* The source line, indented, with anything unprintable (a byte the
         * lexer refused) shown as '?', then the caret under the column. The
         * caret line copies the tabs of the source line so both line up. */
        size_t n = strlen(g->src);
        rc = dg_buf_addstr(out, "    ");
        for (size_t j = 0; j < n && rc == 0; j++) {
            unsigned char c = (unsigned char)g->src[j];
            rc = dg_buf_addc(out, (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?');
        }
        if (rc == 0)
            rc = dg_buf_addstr(out, "\n    ");
        for (int j = 0; j + 1 < g->col && rc == 0; j++)
            rc = dg_buf_addc(out, (size_t)j < n && g->src[j] == '\t' ? '\t' : ' ');
        if (rc == 0)
            rc = dg_buf_addstr(out, "^\n");
    }
    return rc;
}
