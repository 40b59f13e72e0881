/*
 * fuzz_agency_csv.c - libFuzzer target for the agency directory's CSV loader
 * (dg_directory_parse_csv): any bytes must either load or be refused with an
 * error and leave the directory empty, without a crash, a leak or undefined
 * behaviour; what loads must print back to CSV that loads the same.
 */
#include "fuzz.h"

#include <dmvgate/agency.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dg_directory *d = dg_directory_new();
    if (!d)
        return 0;
    struct dg_error e;
    int n = dg_directory_parse_csv(d, (const char *)data, size, &e);
    if (n < 0 && dg_directory_count(d) != 0)
        abort(); /* all or nothing */
    if (n >= 0) {
        if ((size_t)n != dg_directory_count(d))
            abort();
        struct dg_buf b;
        dg_buf_init(&b, DG_AGENCY_CSV_MAX_BYTES);
        struct dg_directory *d2 = dg_directory_new();
        if (d2 && dg_directory_to_csv(d, &b) == 0) {
            if (dg_directory_parse_csv(d2, b.data, b.len, &e) != n)
                abort();
            for (size_t i = 0; i < (size_t)n; i++)
                if (memcmp(dg_directory_at(d, i), dg_directory_at(d2, i),
                           sizeof(struct dg_agency)) != 0)
                    abort();
        }
        dg_directory_free(d2);
        dg_buf_release(&b);
    }
    dg_directory_free(d);
    return 0;
}
