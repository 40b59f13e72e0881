/*
 * log.c - JSON-lines logging with levels.
 *
 * Each call builds its whole line in a stack buffer and writes it with one
 * write(2), so lines from concurrent threads never interleave. Logging must
 * never fail the caller: a line too long is cut, a write error is ignored.
 */
#include <dmvgate/core.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static atomic_int log_level = -1; /* -1: not yet read from DG_LOG_LEVEL */
static atomic_int log_fd = 2;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

enum dg_log_level dg_log_get_level(void)
{
    int l = atomic_load(&log_level);
    if (l >= 0)
        return (enum dg_log_level)l;
    l = DG_LOG_INFO;
    const char *env = getenv("DG_LOG_LEVEL");
    for (int i = 0; env && i < (int)DG_ARRAY_LEN(level_names); i++)
        if (strcasecmp(env, level_names[i]) == 0)
            l = i;
    atomic_store(&log_level, l);
    return (enum dg_log_level)l;
}

void dg_log_set_level(enum dg_log_level level)
{
    atomic_store(&log_level, (int)level);
}

void dg_log_set_fd(int fd)
{
    atomic_store(&log_fd, fd);
}

int64_t dg_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t dg_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void dg_time_iso(int64_t t, char *out, size_t outlen)
{
    time_t secs = (time_t)(t / 1000000);
    long usec = (long)(t % 1000000);
    if (usec < 0) {
        usec += 1000000;
        secs -= 1;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

/* A fixed stack buffer: a log line is cut at 4 KiB rather than allocate. */
struct line {
    char buf[4096];
    size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
    size_t room = sizeof(l->buf) - 2 - l->len; /* keep space for "}\n" */
    if (n > room)
        n = room;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_json(struct line *l, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(l, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(l, e, 2);
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(l, e, 6);
        } else {
            put(l, (const char *)&c, 1);
        }
    }
    put(l, "\"", 1);
}

static void begin(struct line *l, enum dg_log_level level, const char *event)
{
    char ts[40];
    dg_time_iso(dg_now_us(), ts, sizeof(ts));
    l->len = 0;
    put(l, "{\"ts\":", 6);
    put_json(l, ts);
    put(l, ",\"level\":", 9);
    put_json(l, level_names[level]);
    put(l, ",\"event\":", 9);
    put_json(l, event);
}

static void field(struct line *l, const char *k, const char *v)
{
    put(l, ",", 1);
    put_json(l, k);
    put(l, ":", 1);
    put_json(l, v ? v : "");
}

static void finish(struct line *l)
{
    l->buf[l->len++] = '}';
    l->buf[l->len++] = '\n';
    ssize_t w = write(atomic_load(&log_fd), l->buf, l->len);
    (void)w;
}

void dg_log(enum dg_log_level level, const char *event, ...)
{
    if (level < dg_log_get_level() || level >= DG_LOG_OFF)
        return;
    struct line l;
    begin(&l, level, event);
    va_list ap;
    va_start(ap, event);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        field(&l, k, va_arg(ap, const char *));
    }
    va_end(ap);
    finish(&l);
}

void dg_logf(enum dg_log_level level, const char *event, const char *fmt, ...)
{
    if (level < dg_log_get_level() || level >= DG_LOG_OFF)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct line l;
    begin(&l, level, event);
    field(&l, "msg", msg);
    finish(&l);
}
