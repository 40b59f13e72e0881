/*
 * fuzz_audit_segment.c - libFuzzer target for the audit log's segment
 * format: the header, then records parsed as recovery and the reader do,
 * and the entries inside them decoded.
 *
 * Promises checked: a record that parses lies inside the input; a whole
 * record cut short is "need more" while more may come, and "bad" at the end
 * of the file; records carry consecutive indices up to the first bad one.
 */
#include "fuzz.h"

#include "audit/audit_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t first = 0;
    size_t pos = 0;
    if (dg__seg_header_parse(data, size, &first) == 0)
        pos = DG__SEG_HDR;
    struct dg_audit_entry *e = malloc(sizeof(*e));
    if (!e)
        abort();
    uint64_t want = first;
    for (int n = 0; n < 100000; n++) {
        struct dg__rec r;
        int st = dg__rec_parse(data + pos, size - pos, true, &r);
        if (st != DG__REC_OK)
            break;
        if (r.size > size - pos || r.pub < data || r.priv + r.priv_len > data + size)
            abort();
        /* The same record cut short. */
        struct dg__rec r2;
        size_t cuts[] = {r.size - 1, r.size / 2, 3};
        for (size_t k = 0; k < 3; k++) {
            if (cuts[k] >= r.size)
                continue;
            if (dg__rec_parse(data + pos, cuts[k], false, &r2) != DG__REC_SHORT ||
                dg__rec_parse(data + pos, cuts[k], true, &r2) != DG__REC_BAD)
                abort();
        }
        if (r.index != want)
            break; /* the reader stops here with "index where another belongs" */
        struct dg_error err;
        if (dg_audit_entry_is_entry(r.pub, r.pub_len))
            (void)dg_audit_entry_decode(r.pub, r.pub_len, r.priv, r.priv_len, e, &err);
        want++;
        pos += r.size;
    }
    free(e);
    return 0;
}
