/*
 * core.h - small shared utilities every module uses: allocation (with a
 * fault-injection hook for allocation-failure tests), a bounded growable
 * buffer, JSON-lines logging, and time helpers.
 */
#ifndef DMVGATE_CORE_H
#define DMVGATE_CORE_H

#include <dmvgate/error.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define DG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation ------------------------------------------------------------
 * All library allocations go through these so that tests can fail the Nth one
 * (dg_alloc_fail_at). They behave like the libc functions; dg_free(NULL) is a
 * no-op. Thread-safe. */
void *dg_malloc(size_t n);
void *dg_calloc(size_t count, size_t size);
void *dg_realloc(void *p, size_t n);
char *dg_strdup(const char *s);
char *dg_strndup(const char *s, size_t n);
void dg_free(void *p);

/* Make the nth allocation from now (1-based) and every later one fail; 0
 * turns failure (and counting) off; ULONG_MAX counts without failing. Returns
 * the number of allocations counted since the previous call, so a test can
 * count a run with ULONG_MAX and then loop n = 1..count. For tests only. */
unsigned long dg_alloc_fail_at(unsigned long n);

/* ---- bounded buffer (curl's dynbuf idea) ------------------------------------
 * A growable byte buffer with a hard maximum set when it is made; data is
 * always NUL-terminated once anything was added. Appends return 0,
 * DG_ETOOBIG past max, or DG_ENOMEM. Not thread-safe. */
struct dg_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

void dg_buf_init(struct dg_buf *b, size_t max);
int dg_buf_add(struct dg_buf *b, const void *p, size_t n);
int dg_buf_addstr(struct dg_buf *b, const char *s);
int dg_buf_addc(struct dg_buf *b, char c);
int dg_buf_printf(struct dg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dg_buf_vprintf(struct dg_buf *b, const char *fmt, va_list ap);
/* Append s (n bytes) as a quoted JSON string, escaping as RFC 8259 requires. */
int dg_buf_add_json_str(struct dg_buf *b, const char *s, size_t n);
/* Empty the buffer, keep its memory. */
void dg_buf_reset(struct dg_buf *b);
/* Free the memory; the buffer can be used again (as after init). */
void dg_buf_release(struct dg_buf *b);
/* Hand the memory to the caller (free with dg_free); the buffer is emptied.
 * Returns an empty allocated string when nothing was added, NULL on ENOMEM. */
char *dg_buf_detach(struct dg_buf *b, size_t *len);

/* Append the whole file at path to b (whose max bounds it). Returns 0, or
 * the errno's code (DG_ENOENT, DG_EPERM, DG_EIO, ...), DG_ETOOBIG (the file
 * is larger than b's max), DG_ENOMEM, with err's sentence naming the path. */
int dg_buf_read_file(struct dg_buf *b, const char *path, struct dg_error *err);

/* ---- logging ---------------------------------------------------------------
 * One JSON object per line on stderr (or the fd set), written with a single
 * write() so that lines from several threads never interleave:
 *   {"ts":"2026-11-25T08:00:00.123Z","level":"info","event":"listen","addr":"127.0.0.1:8443"}
 * Personal data (names, dates of birth, license numbers, addresses) never goes
 * into a log line: log ORIs, message ids, codes and counts only.
 * The level comes from DG_LOG_LEVEL (debug|info|warn|error|off), default info. */
enum dg_log_level { DG_LOG_DEBUG, DG_LOG_INFO, DG_LOG_WARN, DG_LOG_ERROR, DG_LOG_OFF };

void dg_log_set_level(enum dg_log_level level);
enum dg_log_level dg_log_get_level(void);
void dg_log_set_fd(int fd);
/* Key/value string pairs ending with NULL: dg_log(DG_LOG_INFO, "listen", "addr", a, NULL). */
void dg_log(enum dg_log_level level, const char *event, ...);
/* A formatted free-text "msg" field. */
void dg_logf(enum dg_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- time ------------------------------------------------------------------ */
/* Wall clock in microseconds since the Unix epoch. */
int64_t dg_now_us(void);
/* Monotonic clock in nanoseconds, for measuring durations. */
uint64_t dg_mono_ns(void);
/* Format t (microseconds since the epoch, UTC) as 2026-11-25T08:00:00.123456Z into
 * out (at least 28 bytes). */
void dg_time_iso(int64_t t, char *out, size_t outlen);

#endif
