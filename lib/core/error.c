/*
 * error.c - the error table's names and messages, and struct dg_error helpers.
 *
 * The table itself lives in include/dmvgate/error.h so that every module adds
 * its codes in one place; this file only turns codes into text.
 */
#include <dmvgate/error.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dg_errname(int code)
{
    switch (code) {
#define DG__ERRNAME(name, num, msg)                                                                \
    case -(num): return #name;
        DG_ERRNO_MAP(DG__ERRNAME)
#undef DG__ERRNAME
    }
    return "EUNKNOWN";
}

const char *dg_strerror(int code)
{
    switch (code) {
#define DG__ERRMSG(name, num, msg)                                                                 \
    case -(num): return msg;
        DG_ERRNO_MAP(DG__ERRMSG)
#undef DG__ERRMSG
    }
    return "unknown error";
}

void dg_error_clear(struct dg_error *e)
{
    if (!e)
        return;
    e->code = 0;
    e->field[0] = '\0';
    e->offset = -1;
    e->line = -1;
    e->col = -1;
    e->msg[0] = '\0';
}

static void set_msg(struct dg_error *e, int code, const char *fmt, va_list ap)
{
    if (fmt)
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    else
        snprintf(e->msg, sizeof(e->msg), "%s", dg_strerror(code));
}

int dg_error_set(struct dg_error *e, int code, const char *field, long offset, const char *fmt, ...)
{
    if (!e)
        return code;
    dg_error_clear(e);
    e->code = code;
    if (field)
        snprintf(e->field, sizeof(e->field), "%s", field);
    e->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    set_msg(e, code, fmt, ap);
    va_end(ap);
    return code;
}

int dg_error_setpos(struct dg_error *e, int code, int line, int col, const char *fmt, ...)
{
    if (!e)
        return code;
    dg_error_clear(e);
    e->code = code;
    e->line = line;
    e->col = col;
    va_list ap;
    va_start(ap, fmt);
    set_msg(e, code, fmt, ap);
    va_end(ap);
    return code;
}

int dg_error_from_errno(int errnum)
{
    switch (errnum) {
    case 0: return 0;
    case ENOMEM: return DG_ENOMEM;
    case ENOENT: return DG_ENOENT;
    case ENOSPC:
    case EDQUOT: return DG_ENOSPC;
    case EEXIST: return DG_EEXIST;
    case EACCES:
    case EPERM: return DG_EPERM;
    case EINVAL: return DG_EINVAL;
    case EAGAIN: return DG_EAGAIN;
    case ERANGE: return DG_ERANGE;
    case EFBIG: return DG_ETOOBIG;
    default: return DG_EIO;
    }
}
