/*
 * buf.c - struct dg_buf, a growable byte buffer with a hard maximum.
 *
 * Every buffer fed from outside input is made with a maximum so that a
 * hostile peer cannot make us allocate without bound (curl's dynbuf idea).
 */
#include <dmvgate/core.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

void dg_buf_init(struct dg_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static int grow(struct dg_buf *b, size_t need)
{
    /* need counts the bytes of content; one more is kept for the NUL. */
    if (need > b->max)
        return DG_ETOOBIG;
    if (need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need + 1)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = dg_realloc(b->data, cap);
    if (!p)
        return DG_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int dg_buf_add(struct dg_buf *b, const void *p, size_t n)
{
    if (n > b->max - b->len)
        return DG_ETOOBIG;
    int rc = grow(b, b->len + n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int dg_buf_addstr(struct dg_buf *b, const char *s)
{
    return dg_buf_add(b, s, strlen(s));
}

int dg_buf_addc(struct dg_buf *b, char c)
{
    return dg_buf_add(b, &c, 1);
}

int dg_buf_vprintf(struct dg_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return DG_EINVAL;
    if ((size_t)n < sizeof(small))
        return dg_buf_add(b, small, (size_t)n);
    if ((size_t)n > b->max - b->len)
        return DG_ETOOBIG;
    int rc = grow(b, b->len + (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int dg_buf_printf(struct dg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = dg_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int dg_buf_add_json_str(struct dg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = dg_buf_addc(b, '"');
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = dg_buf_add(b, s + run, i - run);
        run = i + 1;
        if (rc)
            break;
        switch (c) {
        case '"': rc = dg_buf_add(b, "\\\"", 2); break;
        case '\\': rc = dg_buf_add(b, "\\\\", 2); break;
        case '\n': rc = dg_buf_add(b, "\\n", 2); break;
        case '\r': rc = dg_buf_add(b, "\\r", 2); break;
        case '\t': rc = dg_buf_add(b, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            rc = dg_buf_add(b, u, 6);
        }
        }
    }
    if (rc == 0)
        rc = dg_buf_add(b, s + run, n - run);
    if (rc == 0)
        rc = dg_buf_addc(b, '"');
    return rc;
}

void dg_buf_reset(struct dg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void dg_buf_release(struct dg_buf *b)
{
    dg_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

char *dg_buf_detach(struct dg_buf *b, size_t *len)
{
    char *p = b->data;
    if (!p)
        p = dg_strdup("");
    if (len)
        *len = p ? b->len : 0;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

int dg_buf_read_file(struct dg_buf *b, const char *path, struct dg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot open '%s': %s", path,
                            strerror(errno));
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = dg_buf_add(b, chunk, n);
    if (rc == 0 && ferror(f))
        rc = dg_error_set(err, DG_EIO, NULL, -1, "cannot read '%s'", path);
    else if (rc == DG_ETOOBIG)
        dg_error_set(err, rc, NULL, -1, "'%s' is larger than %zu bytes", path, b->max);
    else if (rc)
        dg_error_set(err, rc, NULL, -1, "out of memory reading '%s'", path);
    fclose(f);
    return rc;
}
