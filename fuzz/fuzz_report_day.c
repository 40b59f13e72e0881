/*
 * fuzz_report_day.c - libFuzzer target for the dates of `dmvgate report`,
 * GET /v1/stats and POST /v1/simulate (the only outside input lib/report
 * parses itself): dg_report_parse_day must accept exactly the real dates
 * written YYYY-MM-DD, and what it accepts must print back to the same text.
 * Inputs longer than 64 bytes are cut (a date has 10).
 */
#include "fuzz.h"

#include <dmvgate/report.h>
#include <dmvgate/stats.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[65];
    size_t n = size < 64 ? size : 64;
    memcpy(s, data, n);
    s[n] = '\0';
    int64_t t;
    if (dg_report_parse_day(s, &t) == 0) {
        if (strlen(s) != 10)
            abort();
        char back[16];
        dg_stats_period(t, 'd', back);
        if (strcmp(back, s) != 0)
            abort(); /* accepted but not that day */
    }
    return 0;
}
