/*
 * audit_test_util.h - helpers shared by the audit tests: temporary
 * directories, whole-file reads, the shared test data (read in place from
 * $DG_SHARED_DIR) and the tessera key from its README.
 */
#ifndef DG_AUDIT_TEST_UTIL_H
#define DG_AUDIT_TEST_UTIL_H

#include <dmvgate/audit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline const char *tu_shared(void)
{
    const char *s = getenv("DG_SHARED_DIR");
    return s && s[0] ? s : "../shared";
}

/* Read a whole file into b (initialised here); 0 or an error. */
static inline int tu_read(const char *path, struct dg_buf *b)
{
    dg_buf_init(b, 64u << 20);
    FILE *f = fopen(path, "rb");
    if (!f)
        return DG_ENOENT;
    char tmp[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        rc = dg_buf_add(b, tmp, n);
    fclose(f);
    if (!rc && !b->data)
        rc = dg_buf_add(b, "", 0);
    return rc;
}

static inline void tu_write(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

/* A fresh temporary directory (removed by tu_rmdir). */
static inline void tu_tmpdir(char out[256])
{
    snprintf(out, 256, "%s/dg-audit-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(out))
        abort();
}

static inline void tu_rmdir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* The key on the line of ../shared/testdata/README.md that starts with
 * `prefix` (e.g. "signer key:"), into out. */
static inline int tu_readme_key(const char *prefix, char *out, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/testdata/README.md", tu_shared());
    FILE *f = fopen(path, "r");
    if (!f)
        return DG_ENOENT;
    char line[1024];
    int rc = DG_ENOENT;
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        while (*p == ' ')
            p++;
        if (strncmp(p, prefix, strlen(prefix)) != 0)
            continue;
        p += strlen(prefix);
        while (*p == ' ')
            p++;
        p[strcspn(p, " \r\n")] = '\0';
        snprintf(out, cap, "%s", p);
        rc = 0;
        break;
    }
    fclose(f);
    return rc;
}

#endif
