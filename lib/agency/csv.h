/*
 * csv.h - a strict RFC 4180 record reader (library-internal).
 *
 * The agency directory's CSV loader uses it; it knows nothing of agencies.
 * It reads a complete document held in memory, one record at a time, with a
 * hard limit on a record's size and its number of fields, and reports the
 * 1-based line and column of anything wrong.
 */
#ifndef DG_LIB_AGENCY_CSV_H
#define DG_LIB_AGENCY_CSV_H

#include <dmvgate/error.h>

#include <stddef.h>

#define DG__CSV_MAX_FIELDS 16
#define DG__CSV_MAX_RECORD 1024

struct dg__csv {
    const char *p, *end;
    int line; /* line where the next record starts */
    /* the record just read */
    int rec_line;
    int nfields;
    const char *field[DG__CSV_MAX_FIELDS]; /* unquoted contents, NUL-terminated, in scratch */
    size_t len[DG__CSV_MAX_FIELDS];
    int col[DG__CSV_MAX_FIELDS]; /* 1-based column where the field starts */
    char scratch[DG__CSV_MAX_RECORD + DG__CSV_MAX_FIELDS];
};

/* Start reading data (len bytes). A UTF-8 byte order mark at the start is skipped. */
void dg__csv_init(struct dg__csv *c, const char *data, size_t len);

/*
 * Read the next record. Returns 1 with the record in c->field/len/col, 0 at
 * the end of the data, or DG_ECSV (bad quoting, bare CR, NUL byte, more than
 * DG__CSV_MAX_FIELDS fields) / DG_ETOOBIG (record over DG__CSV_MAX_RECORD
 * bytes) with err's line and column set. An empty line is a record of one
 * empty field; a final line without its line end is a record.
 */
int dg__csv_next(struct dg__csv *c, struct dg_error *err);

#endif
