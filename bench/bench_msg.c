/*
 * bench_msg.c - parse + validate rate of messages, per form, on one core.
 *
 * A deterministic mix shaped like DMV traffic (most queries are a driver by
 * license number; then plates, name searches, VINs, a few photo requests;
 * some with case numbers and legal process) is made once in both forms. Each
 * figure is printed beside a baseline measured in the same run over the same
 * bytes: for text, one memchr pass for the separators plus strlen (the cost
 * of merely reading the message); for JSON, cJSON_Parse + cJSON_Delete alone
 * (what our JSON path builds on). The node's answer path (build a DR with
 * one record and write it) is measured too, beside a snprintf of the same
 * bytes. Rates are per second of thread CPU time (the machine is shared).
 *
 * usage: bench_msg [SECONDS]   (CPU seconds per figure, default 2)
 */
#include <dmvgate/msg.h>

#include "bench_row.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NMSG 4096

static char *text[NMSG], *json[NMSG];
static size_t text_len[NMSG], json_len[NMSG];

static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const states[] = {"AZ", "CA", "CO", "WI", "TX", "NY", "FL", "IL"};
static const char *const last[] = {"RIVERA", "SMITH", "NGUYEN", "O'BRIEN", "GARCIA-LOPEZ", "KIM"};
static const char *const first[] = {"ANA", "JOHN", "MAI", "SEAN", "MARIA", "JIN"};
static const char *const vins[] = {"1M8GDM9AXKP042788", "1HGCM82633A004352", "JH4KA7561PC008269"};

static void make_one(int i, struct dg_buf *b)
{
    const char *st = states[rnd(8)];
    unsigned kind = rnd(100);
    char ori[10];
    snprintf(ori, sizeof(ori), "%s%07u", states[rnd(8)], rnd(10000000));
    if (kind < 60)
        dg_buf_printf(b, "DQ.%s.%s.TXT\nOLN/%c%08u.OLS/%s", ori, st, 'A' + rnd(26), rnd(100000000),
                      st);
    else if (kind < 75)
        dg_buf_printf(b, "DQ.%s.%s.TXT\nNAM/%s,%s.DOB/19%02u%02u%02u.SEX/%c", ori, st, last[rnd(6)],
                      first[rnd(6)], 40 + rnd(60), 1 + rnd(12), 1 + rnd(28), rnd(2) ? 'M' : 'F');
    else if (kind < 95)
        dg_buf_printf(b, "RQ.%s.%s.TXT\nLIC/%c%c%c%04u.LIS/%s", ori, st, 'A' + rnd(26),
                      'A' + rnd(26), 'A' + rnd(26), rnd(10000), st);
    else if (kind < 98)
        dg_buf_printf(b, "RQ.%s.%s.TXT\nVIN/%s", ori, st, vins[rnd(3)]);
    else
        dg_buf_printf(b, "IQ.%s.%s.TXT\nOLN/%c%08u.OLS/%s", ori, st, 'A' + rnd(26), rnd(100000000),
                      st);
    dg_buf_printf(b, ".PUR/%c.ATN/OFC %s %u", "CCCCTTTJEFIX"[rnd(12)], last[rnd(6)], rnd(1000));
    if (rnd(4) == 0)
        dg_buf_printf(b, ".CAS/2026-%06u", rnd(1000000));
    if (rnd(10) == 0)
        dg_buf_printf(b, ".LEG/JW 2026-CR-%04u", rnd(10000));
    (void)i;
}

/* Thread CPU time: on a shared machine it counts only the time this thread
 * ran, which is what "messages per second on one core" means. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run fn over the whole mix again and again for about secs seconds; return
 * messages per second. */
static double rate(int (*fn)(int), double secs)
{
    double t0 = now(), t;
    long done = 0;
    do {
        for (int i = 0; i < NMSG; i++)
            if (fn(i) != 0) {
                fprintf(stderr, "bench: message %d failed\n", i);
                exit(1);
            }
        done += NMSG;
        t = now();
    } while (t - t0 < secs);
    return (double)done / (t - t0);
}

static volatile size_t sink;

static int text_baseline(int i)
{
    /* Touch every byte: find every separator, as any parser must. */
    const char *p = text[i], *end = p + text_len[i];
    size_t n = strlen(p);
    while ((p = memchr(p, '.', (size_t)(end - p))))
        p++, n++;
    sink += n;
    return 0;
}

static int text_parse(int i)
{
    struct dg_msg_req r;
    int rc = dg_msg_req_parse_text(&r, text[i], text_len[i], NULL);
    sink += (size_t)r.idents;
    return rc;
}

static int json_baseline(int i)
{
    cJSON *d = cJSON_ParseWithLength(json[i], json_len[i]);
    if (!d)
        return -1;
    cJSON_Delete(d);
    return 0;
}

static int json_parse(int i)
{
    struct dg_msg_req r;
    return dg_msg_req_parse_json(&r, json[i], json_len[i], NULL);
}

static struct dg_buf answer;

static int resp_build(int i)
{
    struct dg_msg_resp *r;
    int rc = dg_msg_resp_begin(&r, DG_KEY_DR, "AZ0070000", "CO", "01J7ZK3A9Q", DG_STS_FOUND, NULL);
    if (rc)
        return rc;
    rc = dg_msg_resp_add_record(r, DG_REC_DRV, NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_NAM, "RIVERA,ANA MARIA", NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_DOB, "19850214", NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_SEX, "F", NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_ADR, "1200 LARIMER ST, DENVER, CO 80204", NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_OLN, "D12345678", NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_OLS, "CO", NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_STA, "VALID", NULL);
    if (rc == 0)
        rc = dg_msg_resp_add_field(r, DG_TAG_EXP, "20290214", NULL);
    dg_buf_reset(&answer);
    if (rc == 0)
        rc = dg_msg_resp_to_text(r, &answer, NULL);
    dg_msg_resp_free(r);
    sink += answer.len + (size_t)i;
    return rc;
}

static int resp_baseline(int i)
{
    char out[512];
    int n =
        snprintf(out, sizeof(out),
                 "%s.%s.%s.TXT\nMID/%s.STS/%s.\nREC/DRV.NAM/%s.DOB/%s.SEX/%s.ADR/%s.OLN/%s.OLS/"
                 "%s.STA/%s.EXP/%s",
                 "DR", "AZ0070000", "CO", "01J7ZK3A9Q", "FOUND", "RIVERA,ANA MARIA", "19850214",
                 "F", "1200 LARIMER ST, DENVER, CO 80204", "D12345678", "CO", "VALID", "20290214");
    sink += (size_t)n + (size_t)i;
    return 0;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    size_t tbytes = 0, jbytes = 0;
    for (int i = 0; i < NMSG; i++) {
        struct dg_buf b;
        dg_buf_init(&b, 4096);
        make_one(i, &b);
        struct dg_msg_req r;
        struct dg_error e;
        if (dg_msg_req_parse_text(&r, b.data, b.len, &e) != 0) {
            fprintf(stderr, "bench: generated message %d is invalid: %s\n%s\n", i, e.msg, b.data);
            return 1;
        }
        text[i] = dg_buf_detach(&b, &text_len[i]);
        dg_buf_init(&b, 4096);
        dg_msg_req_to_json(&r, &b);
        json[i] = dg_buf_detach(&b, &json_len[i]);
        tbytes += text_len[i];
        jbytes += json_len[i];
    }
    dg_buf_init(&answer, 1 << 16);
    printf("bench_msg: %d distinct requests, mean %.0f bytes text, %.0f bytes JSON; %.1f s of "
           "thread CPU time per figure, one core\n\n",
           NMSG, (double)tbytes / NMSG, (double)jbytes / NMSG, secs);
    printf("%-36s %14s %14s %8s\n", "what", "messages/s", "baseline/s", "ratio");
    double tb = rate(text_baseline, secs), tp = rate(text_parse, secs);
    printf("%-36s %14.0f %14.0f %8.3f\n", "text request: parse + validate", tp, tb, tp / tb);
    bench_row("msg", "msg: text request: parse + validate per CPU-s", tp, "strlen + memchr '.'", tb,
              "messages/s", 1);
    printf("%-36s %14s %14s\n", "  (baseline: strlen + memchr '.')", "", "");
    double jb = rate(json_baseline, secs), jp = rate(json_parse, secs);
    printf("%-36s %14.0f %14.0f %8.3f\n", "JSON request: parse + validate", jp, jb, jp / jb);
    bench_row("msg", "msg: JSON request: parse + validate per CPU-s", jp, "cJSON_Parse + Delete",
              jb, "messages/s", 1);
    printf("%-36s %14s %14s\n", "  (baseline: cJSON_Parse + Delete)", "", "");
    double rb = rate(resp_baseline, secs), rp = rate(resp_build, secs);
    printf("%-36s %14.0f %14.0f %8.3f\n", "DR answer: build 1 record + text", rp, rb, rp / rb);
    bench_row("msg", "msg: DR answer: build 1 record + text per CPU-s", rp,
              "snprintf of the same bytes", rb, "messages/s", 1);
    printf("%-36s %14s %14s\n", "  (baseline: snprintf same bytes)", "", "");
    printf("\nratio = messages/s / baseline/s (1.0 would be as fast as the baseline)\n");
    for (int i = 0; i < NMSG; i++) {
        dg_free(text[i]);
        dg_free(json[i]);
    }
    dg_buf_release(&answer);
    return 0;
}
