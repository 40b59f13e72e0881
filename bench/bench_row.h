/*
 * bench_row.h - the one machine-readable row format of every benchmark.
 *
 * Each benchmark prints its own table for people and, beside it, one line per
 * headline figure on stdout:
 *
 *   BENCH_ROW {"bench":"audit","figure":"...","dmvgate":123.0,"peer":"...",
 *              "peer_value":45.0,"ratio":2.73,"unit":"appends/s",
 *              "higher_is_better":true}
 *
 * ratio is always dmvgate / peer_value (null when there is no peer value);
 * higher_is_better says how to read it (for latencies and hours it is false:
 * a ratio above 1 is then dmvgate being slower). scripts/bench collects these
 * lines from every benchmark (C programs and the bench shell scripts alike), prints one
 * table and writes bench/results/bench.json; docs/performance.md documents it.
 */
#ifndef DG_BENCH_ROW_H
#define DG_BENCH_ROW_H

#include <math.h>
#include <stdio.h>

/* A JSON string of s (the figures are ours: only quotes, backslashes and
 * control characters need care). */
static inline void bench_row_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static inline void bench_row_num(double v)
{
    if (isfinite(v))
        printf("%.10g", v);
    else
        fputs("null", stdout);
}

/* One row. peer_value NAN when there is no peer figure (ratio null then). */
static inline void bench_row(const char *bench, const char *figure, double dmvgate,
                             const char *peer, double peer_value, const char *unit,
                             int higher_is_better)
{
    fflush(stdout);
    fputs("BENCH_ROW {\"bench\":", stdout);
    bench_row_str(bench);
    fputs(",\"figure\":", stdout);
    bench_row_str(figure);
    fputs(",\"dmvgate\":", stdout);
    bench_row_num(dmvgate);
    fputs(",\"peer\":", stdout);
    bench_row_str(peer);
    fputs(",\"peer_value\":", stdout);
    bench_row_num(peer_value);
    fputs(",\"ratio\":", stdout);
    bench_row_num(isfinite(peer_value) && peer_value != 0 ? dmvgate / peer_value : NAN);
    fputs(",\"unit\":", stdout);
    bench_row_str(unit);
    printf(",\"higher_is_better\":%s}\n", higher_is_better ? "true" : "false");
    fflush(stdout);
}

#endif
