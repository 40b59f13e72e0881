/*
 * render.c - a report as CSV (long: one line per count), JSON (what the
 * dashboard reads) and a standalone HTML page. Suppressed counts are written
 * "<K" or "x" in every form.
 */
#include "report/report_int.h"

#include <stdio.h>
#include <string.h>

/* ---- CSV -------------------------------------------------------------------------------- */

static int csv_field(struct dg_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        return dg_buf_addstr(b, s);
    int rc = dg_buf_addc(b, '"');
    for (; *s && !rc; s++)
        rc = *s == '"' ? dg_buf_addstr(b, "\"\"") : dg_buf_addc(b, *s);
    return rc ? rc : dg_buf_addc(b, '"');
}

static int csv_line(struct dg_buf *b, const char *const f[6])
{
    int rc = 0;
    for (int i = 0; i < 6 && !rc; i++) {
        if (i)
            rc = dg_buf_addc(b, ',');
        if (!rc)
            rc = csv_field(b, f[i]);
    }
    return rc ? rc : dg_buf_addc(b, '\n');
}

int dg_report_csv(const struct dg_report *r, struct dg_buf *out)
{
    char num[24], thr[24];
    snprintf(thr, sizeof(thr), "%u", r->threshold);
    int rc = dg_buf_addstr(out, "table,row_dim,row,col_dim,column,value\n");
    const char *meta[][2] = {{"title", r->title},
                             {"source", r->source},
                             {"from", r->from},
                             {"to", r->to},
                             {"generated", r->generated},
                             {"form", r->public_form ? "public" : "internal"},
                             {"threshold", r->public_form ? thr : ""}};
    for (size_t i = 0; i < DG_ARRAY_LEN(meta) && !rc; i++) {
        const char *f[6] = {"meta", "", meta[i][0], "", "", meta[i][1]};
        rc = csv_line(out, f);
    }
    for (size_t i = 0; i < r->ntables && !rc; i++) {
        const struct dg_report_table *t = &r->tables[i];
        for (size_t row = 0; row <= t->nrows && !rc; row++) {
            const char *rl = row < t->nrows ? t->row_label[row] : "TOTAL";
            for (size_t c = 0; c <= t->ncols && !rc; c++) {
                const char *cl = c < t->ncols ? t->col_label[c] : "TOTAL";
                uint64_t v;
                uint8_t st;
                if (row < t->nrows && c < t->ncols)
                    v = t->v[row * t->ncols + c], st = t->st[row * t->ncols + c];
                else if (row < t->nrows)
                    v = t->row_total[row], st = t->row_st[row];
                else if (c < t->ncols)
                    v = t->col_total[c], st = t->col_st[c];
                else
                    v = t->total, st = t->total_st;
                dg__cell_text(r, v, st, num);
                const char *f[6] = {t->name, t->row_dim, rl, t->col_dim, cl, num};
                rc = csv_line(out, f);
            }
        }
    }
    for (int k = 0; k < DG_ALERT__COUNT && !rc; k++) {
        snprintf(num, sizeof(num), "%u", r->alerts_by_kind[k]);
        const char *f[6] = {
            "alerts", "kind",  dg_stats_alert_kind_name((enum dg_stats_alert_kind)k),
            "",       "count", num};
        rc = csv_line(out, f);
    }
    return rc;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static int json_str(struct dg_buf *b, const char *s)
{
    return dg_buf_add_json_str(b, s, strlen(s));
}

static int json_count(struct dg_buf *b, const struct dg_report *r, uint64_t v, uint8_t st)
{
    char t[24];
    dg__cell_text(r, v, st, t);
    return st == DG_CELL_SHOWN ? dg_buf_addstr(b, t) : json_str(b, t);
}

static int json_table(struct dg_buf *b, const struct dg_report *r, const struct dg_report_table *t)
{
    int rc = dg_buf_addstr(b, "{\"name\":");
    rc = rc ? rc : json_str(b, t->name);
    rc = rc ? rc : dg_buf_addstr(b, ",\"title\":");
    rc = rc ? rc : json_str(b, t->title);
    rc = rc ? rc : dg_buf_addstr(b, ",\"row_dim\":");
    rc = rc ? rc : json_str(b, t->row_dim);
    rc = rc ? rc : dg_buf_addstr(b, ",\"col_dim\":");
    rc = rc ? rc : json_str(b, t->col_dim);
    rc = rc ? rc : dg_buf_addstr(b, ",\"scope\":");
    rc = rc ? rc : json_str(b, t->scope);
    rc = rc ? rc : dg_buf_addstr(b, ",\"columns\":[");
    for (size_t c = 0; c < t->ncols && !rc; c++) {
        rc = c ? dg_buf_addc(b, ',') : 0;
        rc = rc ? rc : json_str(b, t->col_label[c]);
    }
    rc = rc ? rc : dg_buf_addstr(b, "],\"rows\":[");
    for (size_t row = 0; row < t->nrows && !rc; row++) {
        rc = dg_buf_addstr(b, row ? ",{\"label\":" : "{\"label\":");
        rc = rc ? rc : json_str(b, t->row_label[row]);
        if (!rc && t->row_note[row][0]) {
            rc = dg_buf_addstr(b, ",\"note\":");
            rc = rc ? rc : json_str(b, t->row_note[row]);
        }
        rc = rc ? rc : dg_buf_addstr(b, ",\"cells\":[");
        for (size_t c = 0; c < t->ncols && !rc; c++) {
            rc = c ? dg_buf_addc(b, ',') : 0;
            rc = rc ? rc : json_count(b, r, t->v[row * t->ncols + c], t->st[row * t->ncols + c]);
        }
        rc = rc ? rc : dg_buf_addstr(b, "],\"total\":");
        rc = rc ? rc : json_count(b, r, t->row_total[row], t->row_st[row]);
        rc = rc ? rc : dg_buf_addc(b, '}');
    }
    rc = rc ? rc : dg_buf_addstr(b, "],\"totals\":{\"cells\":[");
    for (size_t c = 0; c < t->ncols && !rc; c++) {
        rc = c ? dg_buf_addc(b, ',') : 0;
        rc = rc ? rc : json_count(b, r, t->col_total[c], t->col_st[c]);
    }
    rc = rc ? rc : dg_buf_addstr(b, "],\"total\":");
    rc = rc ? rc : json_count(b, r, t->total, t->total_st);
    return rc ? rc : dg_buf_addstr(b, "}}");
}

/* The share of requests from agencies of unspecified type, when both counts are shown. */
static double unspecified_share(const struct dg_report *r)
{
    const struct dg_report_table *t = dg_report_table(r, "by_category");
    if (!t || !t->total || t->total_st != DG_CELL_SHOWN)
        return -1;
    for (size_t row = 0; row < t->nrows; row++)
        if (strcmp(t->row_label[row], "unspecified") == 0)
            return t->row_st[row] == DG_CELL_SHOWN ? (double)t->row_total[row] / (double)t->total
                                                   : -1;
    return -1;
}

int dg_report_json(const struct dg_report *r, struct dg_buf *out)
{
    int rc = dg_buf_addstr(out, "{\"meta\":{\"title\":");
    rc = rc ? rc : json_str(out, r->title);
    rc = rc ? rc : dg_buf_addstr(out, ",\"source\":");
    rc = rc ? rc : json_str(out, r->source);
    rc = rc ? rc
            : dg_buf_printf(out,
                            ",\"from\":\"%s\",\"to\":\"%s\",\"generated\":\"%s\",\"public\":%s,"
                            "\"threshold\":%u,\"series\":\"%s\",\"suppressed\":{\"small\":%llu,"
                            "\"hidden\":%llu}",
                            r->from, r->to, r->generated, r->public_form ? "true" : "false",
                            r->threshold, r->series_gran == 'h' ? "hour" : "day",
                            (unsigned long long)r->suppressed_small,
                            (unsigned long long)r->suppressed_hidden);
    double share = unspecified_share(r);
    rc = rc          ? rc
         : share < 0 ? dg_buf_addstr(out, ",\"unspecified_share\":null")
                     : dg_buf_printf(out, ",\"unspecified_share\":%.6f", share);
    rc = rc ? rc : dg_buf_addstr(out, "},\"tables\":[");
    for (size_t i = 0; i < r->ntables && !rc; i++) {
        rc = i ? dg_buf_addc(out, ',') : 0;
        rc = rc ? rc : json_table(out, r, &r->tables[i]);
    }
    rc = rc ? rc : dg_buf_addstr(out, "],\"alerts_by_kind\":{");
    for (int k = 0; k < DG_ALERT__COUNT && !rc; k++)
        rc = dg_buf_printf(out, "%s\"%s\":%u", k ? "," : "",
                           dg_stats_alert_kind_name((enum dg_stats_alert_kind)k),
                           r->alerts_by_kind[k]);
    rc = rc ? rc : dg_buf_addstr(out, "}");
    if (!r->public_form) {
        rc = rc ? rc : dg_buf_addstr(out, ",\"alerts\":[");
        for (size_t i = 0; i < r->nalerts && !rc; i++) {
            rc = i ? dg_buf_addc(out, ',') : 0;
            rc = rc ? rc : dg_stats_alert_json(&r->alerts[i], out);
        }
        rc = rc ? rc : dg_buf_addc(out, ']');
    }
    return rc ? rc : dg_buf_addstr(out, "}\n");
}

/* ---- HTML ---------------------------------------------------------------------------------- */

static int html_text(struct dg_buf *b, const char *s)
{
    int rc = 0;
    for (; *s && !rc; s++)
        switch (*s) {
        case '<': rc = dg_buf_addstr(b, "&lt;"); break;
        case '>': rc = dg_buf_addstr(b, "&gt;"); break;
        case '&': rc = dg_buf_addstr(b, "&amp;"); break;
        case '"': rc = dg_buf_addstr(b, "&quot;"); break;
        default: rc = dg_buf_addc(b, *s);
        }
    return rc;
}

static int html_count(struct dg_buf *b, const struct dg_report *r, uint64_t v, uint8_t st,
                      bool total)
{
    char t[24];
    dg__cell_text(r, v, st, t);
    const char *cls = st == DG_CELL_SMALL    ? " class=\"small\""
                      : st == DG_CELL_HIDDEN ? " class=\"hidden\""
                                             : "";
    int rc = dg_buf_printf(b, "<td%s>%s", cls, total ? "<b>" : "");
    rc = rc ? rc : html_text(b, t);
    return rc ? rc : dg_buf_printf(b, "%s</td>", total ? "</b>" : "");
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
static const char html_style[] =
    "</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;"
    "color:#1b1f24}\n"
    "h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}\n"
    "th,td{border:1px solid #c9ced6;padding:.25rem .6rem;text-align:right}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    "thead th{background:#eef1f5}tr.total td{background:#f6f7f9}\n"
    "td.small,td.hidden{color:#8a5a00;background:#fff7e6}\n"
    ".note{color:#59636e;font-size:.85em}.meta{color:#59636e}\n"
    "</style>\n</head>\n<body>\n";

int dg_report_html(const struct dg_report *r, struct dg_buf *out)
{
    int rc = dg_buf_addstr(out, html_head);
    rc = rc ? rc : html_text(out, r->title);
    rc = rc ? rc : dg_buf_addstr(out, html_style);
    rc = rc ? rc : dg_buf_addstr(out, "<h1>");
    rc = rc ? rc : html_text(out, r->title);
    rc = rc ? rc
            : dg_buf_printf(out,
                            "</h1>\n<p class=\"meta\">Requests from %s to %s (inclusive, local "
                            "time). %s report, generated %s.",
                            r->from, r->to, r->public_form ? "Public" : "Internal", r->generated);
    if (!rc && r->source[0]) {
        rc = dg_buf_addstr(out, " Source: ");
        rc = rc ? rc : html_text(out, r->source);
        rc = rc ? rc : dg_buf_addc(out, '.');
    }
    rc = rc ? rc : dg_buf_addstr(out, "</p>\n");
    if (!rc && r->public_form)
        rc = dg_buf_printf(
            out,
            "<p>This report holds counts only: no names, dates of birth, license numbers or "
            "anything else about the people whose records were asked for. So that no one is "
            "singled out, counts from 1 to %u are shown as <b>&lt;%u</b>, and further counts "
            "are hidden (<b>x</b>) where a total would otherwise reveal them. Agencies are "
            "public bodies and are named by their ORI when they made at least %u requests.</p>\n",
            r->threshold - 1, r->threshold, r->threshold);
    for (size_t i = 0; i < r->ntables && !rc; i++) {
        const struct dg_report_table *t = &r->tables[i];
        rc = dg_buf_addstr(out, "<h2>");
        rc = rc ? rc : html_text(out, t->title);
        rc = rc ? rc : dg_buf_addstr(out, "</h2>\n<table>\n<thead><tr><th>");
        rc = rc ? rc : html_text(out, t->row_dim);
        for (size_t c = 0; c < t->ncols && !rc; c++) {
            rc = dg_buf_addstr(out, "</th><th>");
            rc = rc ? rc : html_text(out, t->col_label[c]);
        }
        rc = rc ? rc : dg_buf_addstr(out, "</th><th>total</th></tr></thead>\n<tbody>\n");
        for (size_t row = 0; row < t->nrows && !rc; row++) {
            rc = dg_buf_addstr(out, "<tr><td>");
            rc = rc ? rc : html_text(out, t->row_label[row]);
            if (!rc && t->row_note[row][0]) {
                rc = dg_buf_addstr(out, " <span class=\"note\">");
                rc = rc ? rc : html_text(out, t->row_note[row]);
                rc = rc ? rc : dg_buf_addstr(out, "</span>");
            }
            rc = rc ? rc : dg_buf_addstr(out, "</td>");
            for (size_t c = 0; c < t->ncols && !rc; c++)
                rc = html_count(out, r, t->v[row * t->ncols + c], t->st[row * t->ncols + c], false);
            rc = rc ? rc : html_count(out, r, t->row_total[row], t->row_st[row], true);
            rc = rc ? rc : dg_buf_addstr(out, "</tr>\n");
        }
        rc = rc ? rc : dg_buf_addstr(out, "<tr class=\"total\"><td><b>total</b></td>");
        for (size_t c = 0; c < t->ncols && !rc; c++)
            rc = html_count(out, r, t->col_total[c], t->col_st[c], true);
        rc = rc ? rc : html_count(out, r, t->total, t->total_st, true);
        rc = rc ? rc : dg_buf_addstr(out, "</tr>\n</tbody>\n</table>\n");
    }
    rc = rc ? rc : dg_buf_addstr(out, "<h2>Anomaly alerts</h2>\n<p>");
    for (int k = 0; k < DG_ALERT__COUNT && !rc; k++)
        rc = dg_buf_printf(out, "%s%s: %u", k ? "; " : "",
                           dg_stats_alert_kind_description((enum dg_stats_alert_kind)k),
                           r->alerts_by_kind[k]);
    rc = rc ? rc : dg_buf_addstr(out, ".</p>\n");
    if (!rc && !r->public_form && r->nalerts) {
        rc = dg_buf_addstr(out, "<table>\n<thead><tr><th>hour</th><th>kind</th><th>agency</th>"
                                "<th>category</th><th>count</th><th>threshold</th>"
                                "<th>baseline</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < r->nalerts && !rc; i++) {
            const struct dg_stats_alert *a = &r->alerts[i];
            rc = dg_buf_printf(out,
                               "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%llu</td>"
                               "<td>%.0f</td><td>%.1f</td></tr>\n",
                               a->period, dg_stats_alert_kind_name(a->kind), a->ori,
                               dg_category_name(a->category), (unsigned long long)a->count,
                               a->threshold, a->baseline);
        }
        rc = rc ? rc : dg_buf_addstr(out, "</tbody>\n</table>\n");
    }
    return rc ? rc : dg_buf_addstr(out, "</body>\n</html>\n");
}
