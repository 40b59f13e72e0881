/*
 * csv.c - a strict RFC 4180 record reader for the agency directory loader.
 *
 * Strict on purpose: a directory decides who may see DMV records, so a file
 * that is not exactly what it claims to be is refused with the line and
 * column of the first problem rather than guessed at. Accepted: fields
 * separated by ',', records ended by LF or CRLF (the last one may lack it),
 * quoted fields ("...", with "" for a quote) that may hold ',', CR and LF.
 * Refused: a quote inside an unquoted field, anything but ',' or a line end
 * after a closing quote, an unterminated quote, a CR not followed by LF, a
 * NUL byte, too many fields, a record longer than DG__CSV_MAX_RECORD bytes.
 */
#include "csv.h"

#include <string.h>

void dg__csv_init(struct dg__csv *c, const char *data, size_t len)
{
    c->p = data;
    c->end = data + len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
    c->line = 1;
    c->rec_line = 0;
    c->nfields = 0;
}

/* Byte position within the current line, 1-based. */
static int column(const char *line_start, const char *at)
{
    return (int)(at - line_start) + 1;
}

int dg__csv_next(struct dg__csv *c, struct dg_error *err)
{
    if (c->p >= c->end)
        return 0;
    const char *p = c->p;
    const char *rec_start = p;
    const char *line_start = p;
    char *out = c->scratch;
    int line = c->line;
    c->rec_line = line;
    c->nfields = 0;

    for (;;) {
        if (c->nfields == DG__CSV_MAX_FIELDS)
            return dg_error_setpos(err, DG_ECSV, line, column(line_start, p), "more than %d fields",
                                   DG__CSV_MAX_FIELDS);
        int f = c->nfields++;
        c->field[f] = out;
        c->col[f] = column(line_start, p);
        if (p < c->end && *p == '"') {
            const char *quote = p++;
            int qline = line, qcol = column(line_start, quote);
            for (;;) {
                if (p >= c->end)
                    return dg_error_setpos(err, DG_ECSV, qline, qcol,
                                           "quoted field is not terminated");
                if ((size_t)(p - rec_start) >= DG__CSV_MAX_RECORD)
                    return dg_error_setpos(err, DG_ETOOBIG, c->rec_line, 1,
                                           "record longer than %d bytes", DG__CSV_MAX_RECORD);
                char ch = *p;
                if (ch == '\0')
                    return dg_error_setpos(err, DG_ECSV, line, column(line_start, p), "NUL byte");
                if (ch == '"') {
                    if (p + 1 < c->end && p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (ch == '\n') {
                    line++;
                    line_start = p + 1;
                }
                *out++ = ch;
                p++;
            }
            if (p < c->end && *p != ',' && *p != '\n' && *p != '\r')
                return dg_error_setpos(err, DG_ECSV, line, column(line_start, p),
                                       "unexpected character after a closing quote");
        } else {
            while (p < c->end && *p != ',' && *p != '\n' && *p != '\r') {
                if ((size_t)(p - rec_start) >= DG__CSV_MAX_RECORD)
                    return dg_error_setpos(err, DG_ETOOBIG, c->rec_line, 1,
                                           "record longer than %d bytes", DG__CSV_MAX_RECORD);
                if (*p == '"')
                    return dg_error_setpos(err, DG_ECSV, line, column(line_start, p),
                                           "quote inside an unquoted field");
                if (*p == '\0')
                    return dg_error_setpos(err, DG_ECSV, line, column(line_start, p), "NUL byte");
                *out++ = *p++;
            }
        }
        c->len[f] = (size_t)(out - c->field[f]);
        *out++ = '\0';
        if ((size_t)(p - rec_start) > DG__CSV_MAX_RECORD)
            return dg_error_setpos(err, DG_ETOOBIG, c->rec_line, 1, "record longer than %d bytes",
                                   DG__CSV_MAX_RECORD);
        if (p >= c->end)
            break;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '\r') {
            if (p + 1 >= c->end || p[1] != '\n')
                return dg_error_setpos(err, DG_ECSV, line, column(line_start, p),
                                       "carriage return not followed by a line feed");
            p++;
        }
        p++; /* the LF */
        line++;
        break;
    }
    c->p = p;
    c->line = line;
    return 1;
}
