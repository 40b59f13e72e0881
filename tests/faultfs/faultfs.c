/*
 * faultfs.c - an LD_PRELOAD shim that makes a disk fail, for tests only
 * (tests/e2e/node_disk_fault.sh; docs/reliability.md, "Disk faults").
 *
 * It wraps the calls that put bytes on a disk or make them durable (write,
 * pwrite, writev, pwritev, fallocate, posix_fallocate, fsync, fdatasync,
 * syncfs, sync_file_range) and fails them, as a failing or full disk
 * would, for files under one directory while a control file exists, so
 * that a test can switch the fault on and off while the process runs:
 *
 *   DG_FAULTFS_DIR=/abs/dir         files under it (and it) fail
 *   DG_FAULTFS_CONTROL=/abs/file    faults are on while this file exists
 *   DG_FAULTFS_LOG=/abs/file        optional: one line per injected failure
 *
 * The control file holds words: the errno to fail with (EIO, the default,
 * or ENOSPC), which calls fail ("write", "sync", or both when neither is
 * named), and "torn": a write of two bytes or more then first puts half of
 * its bytes on the disk and returns that short count, as a disk filling up
 * mid-write does, so the caller's retry of the rest is what fails. The
 * descriptor's path comes from /proc/self/fd, and only while the control
 * file exists: with the fault off, each call costs one stat.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define KIND_WRITE 1
#define KIND_SYNC  2

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_fallocate)(int, int, off_t, off_t);
static int (*real_posix_fallocate)(int, off_t, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_syncfs)(int);
static int (*real_sync_file_range)(int, off_t, off_t, unsigned int);

static char dir[PATH_MAX];
static size_t dir_len;
static const char *control;
static const char *logpath;

static void *next_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        fprintf(stderr, "faultfs: no symbol '%s'\n", name);
        abort();
    }
    return p;
}

__attribute__((constructor)) static void faultfs_init(void)
{
    real_write = next_sym("write");
    real_pwrite = next_sym("pwrite");
    real_pwrite64 = next_sym("pwrite64");
    real_writev = next_sym("writev");
    real_pwritev = next_sym("pwritev");
    real_fallocate = next_sym("fallocate");
    real_posix_fallocate = next_sym("posix_fallocate");
    real_fsync = next_sym("fsync");
    real_fdatasync = next_sym("fdatasync");
    real_syncfs = next_sym("syncfs");
    real_sync_file_range = next_sym("sync_file_range");
    const char *d = getenv("DG_FAULTFS_DIR");
    control = getenv("DG_FAULTFS_CONTROL");
    logpath = getenv("DG_FAULTFS_LOG");
    /* The directory may not exist yet: compare with the path as given,
     * without a trailing slash (it must be absolute, as /proc gives them). */
    if (d && d[0] == '/' && strlen(d) < sizeof(dir)) {
        snprintf(dir, sizeof(dir), "%s", d);
        dir_len = strlen(dir);
        while (dir_len > 1 && dir[dir_len - 1] == '/')
            dir[--dir_len] = '\0';
    }
}

/* What the control file asks for, read anew on every call (the test edits
 * it while the process runs). */
struct fault {
    int err;
    int kinds;
    int torn;
};

static int fault_wanted(struct fault *f)
{
    struct stat sb;
    if (!control || !dir_len || stat(control, &sb) != 0)
        return 0;
    char buf[256] = {0};
    int fd = open(control, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    f->err = strstr(buf, "ENOSPC") ? ENOSPC : EIO;
    f->kinds = (strstr(buf, "write") ? KIND_WRITE : 0) | (strstr(buf, "sync") ? KIND_SYNC : 0);
    if (!f->kinds)
        f->kinds = KIND_WRITE | KIND_SYNC;
    f->torn = strstr(buf, "torn") != NULL;
    return 1;
}

static int fd_in_dir(int fd, char *path, size_t cap)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, cap - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    return (size_t)n >= dir_len && memcmp(path, dir, dir_len) == 0 &&
           (path[dir_len] == '\0' || path[dir_len] == '/');
}

static void note(const char *call, int err, const char *path)
{
    if (!logpath)
        return;
    int fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    char line[PATH_MAX + 64];
    int n =
        snprintf(line, sizeof(line), "%s %s %s\n", call, err == ENOSPC ? "ENOSPC" : "EIO", path);
    if (n > 0)
        real_write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    close(fd);
}

/* 0: let the call through; 1: fail it with *err; 2: a torn write (half). */
static int decide(int fd, int kind, size_t count, const char *call, int *err)
{
    struct fault f;
    if (!fault_wanted(&f) || !(f.kinds & kind))
        return 0;
    char path[PATH_MAX];
    if (!fd_in_dir(fd, path, sizeof(path)))
        return 0;
    if (kind == KIND_WRITE && f.torn && count >= 2) {
        note(call, f.err, path); /* the short write that precedes the failure */
        return 2;
    }
    note(call, f.err, path);
    *err = f.err;
    return 1;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    int e = 0, d = decide(fd, KIND_WRITE, count, "write", &e);
    if (d == 1) {
        errno = e;
        return -1;
    }
    return real_write(fd, buf, d == 2 ? count / 2 : count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
    int e = 0, d = decide(fd, KIND_WRITE, count, "pwrite", &e);
    if (d == 1) {
        errno = e;
        return -1;
    }
    return real_pwrite(fd, buf, d == 2 ? count / 2 : count, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
{
    int e = 0, d = decide(fd, KIND_WRITE, count, "pwrite64", &e);
    if (d == 1) {
        errno = e;
        return -1;
    }
    return real_pwrite64(fd, buf, d == 2 ? count / 2 : count, off);
}

/* Vectored writes fail whole (a torn one would need the vector cut). */
ssize_t writev(int fd, const struct iovec *iov, int n)
{
    int e = 0;
    if (decide(fd, KIND_WRITE, 0, "writev", &e) == 1) {
        errno = e;
        return -1;
    }
    return real_writev(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
    int e = 0;
    if (decide(fd, KIND_WRITE, 0, "pwritev", &e) == 1) {
        errno = e;
        return -1;
    }
    return real_pwritev(fd, iov, n, off);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
    int e = 0;
    if (decide(fd, KIND_WRITE, 0, "fallocate", &e) == 1) {
        errno = e;
        return -1;
    }
    return real_fallocate(fd, mode, off, len);
}

/* posix_fallocate returns the error instead of setting errno. */
int posix_fallocate(int fd, off_t off, off_t len)
{
    int e = 0;
    if (decide(fd, KIND_WRITE, 0, "posix_fallocate", &e) == 1)
        return e;
    return real_posix_fallocate(fd, off, len);
}

int fsync(int fd)
{
    int e = 0;
    if (decide(fd, KIND_SYNC, 0, "fsync", &e) == 1) {
        errno = e;
        return -1;
    }
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    int e = 0;
    if (decide(fd, KIND_SYNC, 0, "fdatasync", &e) == 1) {
        errno = e;
        return -1;
    }
    return real_fdatasync(fd);
}

int syncfs(int fd)
{
    int e = 0;
    if (decide(fd, KIND_SYNC, 0, "syncfs", &e) == 1) {
        errno = e;
        return -1;
    }
    return real_syncfs(fd);
}

int sync_file_range(int fd, off_t off, off_t n, unsigned int flags)
{
    int e = 0;
    if (decide(fd, KIND_SYNC, 0, "sync_file_range", &e) == 1) {
        errno = e;
        return -1;
    }
    return real_sync_file_range(fd, off, n, flags);
}
