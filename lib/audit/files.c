/*
 * files.c - the few file operations the log needs done carefully: bounded
 * whole-file reads, atomic replacement (temporary file, optional fsync,
 * rename, fsync of the directory) and mkdir -p. A reader never sees half a
 * tile or half a checkpoint: every published file appears by rename.
 */
#include "audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dg__read_file(const char *path, size_t max, struct dg_buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? DG_ENOENT : dg_error_from_errno(errno);
    int rc = 0;
    size_t got = 0;
    char tmp[65536];
    for (;;) {
        ssize_t r = read(fd, tmp, sizeof(tmp));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = dg_error_from_errno(errno);
            break;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got > max) {
            rc = DG_ETOOBIG;
            break;
        }
        if ((rc = dg_buf_add(out, tmp, (size_t)r)))
            break;
    }
    close(fd);
    return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return dg_error_from_errno(errno);
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int dg__fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return dg_error_from_errno(errno);
    int rc = fsync(fd) == 0 ? 0 : dg_error_from_errno(errno);
    close(fd);
    return rc;
}

int dg__write_file_atomic(const char *path, const void *p, size_t n, int mode, bool durable)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return DG_ETOOBIG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return dg_error_from_errno(errno);
    int rc = write_all(fd, p, n);
    if (!rc && durable && fdatasync(fd) != 0)
        rc = dg_error_from_errno(errno);
    if (close(fd) != 0 && !rc)
        rc = dg_error_from_errno(errno);
    if (!rc && rename(tmp, path) != 0)
        rc = dg_error_from_errno(errno);
    if (rc) {
        unlink(tmp);
        return rc;
    }
    if (durable) {
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir)
            *slash = '\0';
        else
            snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
        rc = dg__fsync_dir(dir);
    }
    return rc;
}

int dg__mkdirs_for(const char *path, int mode)
{
    char buf[4200];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return DG_ETOOBIG;
    char *last = strrchr(buf, '/');
    if (!last)
        return 0;
    *last = '\0';
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
            return dg_error_from_errno(errno);
        *p = '/';
    }
    if (buf[0] && mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
        return dg_error_from_errno(errno);
    return 0;
}
