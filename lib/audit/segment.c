/*
 * segment.c - the segment files that hold a log's entries durably, and the
 * sequential reader over them.
 *
 * Segments are the log's source of truth: tiles, bundles and checkpoints are
 * all recomputed from them. Each record is framed with its length, its index
 * and a CRC-32C, so that on open a torn tail (a batch cut short by a crash)
 * is told from whole records, and the reader never hands out a damaged one.
 * Segment files are preallocated and zero-filled ahead of the writer (an
 * overwrite needs no metadata journal commit on fdatasync); zeros where a
 * record would begin end the records of a segment.
 */
#include "audit_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (64u << 10) /* small: a live reader re-reads after every wake */
#define REC_MAX    (DG__REC_HDR + DG_AUDIT_ENTRY_MAX + DG_AUDIT_PRIVATE_MAX)
#define BUF_CAP    (READ_CHUNK + REC_MAX)

void dg__seg_header(uint8_t out[DG__SEG_HDR], uint64_t first)
{
    memset(out, 0, DG__SEG_HDR);
    memcpy(out, DG__SEG_MAGIC, 8);
    dg__put_be64(out + 8, first);
    dg__put_be32(out + 16, 1);
    dg__put_be32(out + 24, dg__crc32c(0, out, 24));
}

int dg__seg_header_parse(const uint8_t *p, size_t n, uint64_t *first)
{
    if (n < DG__SEG_HDR || memcmp(p, DG__SEG_MAGIC, 8) != 0 || dg__get_be32(p + 16) != 1 ||
        dg__get_be32(p + 20) != 0 || dg__get_be32(p + 24) != dg__crc32c(0, p, 24) ||
        dg__get_be32(p + 28) != 0)
        return DG_ELOGCORRUPT;
    *first = dg__get_be64(p + 8);
    return 0;
}

uint32_t dg__rec_crc_payload(const void *pub, size_t pub_len, const void *priv, size_t priv_len)
{
    uint8_t lens[8];
    dg__put_be32(lens, (uint32_t)pub_len);
    dg__put_be32(lens + 4, (uint32_t)priv_len);
    uint32_t c = dg__crc32c(0, lens, 8);
    c = dg__crc32c(c, pub, pub_len);
    return priv_len ? dg__crc32c(c, priv, priv_len) : c;
}

void dg__rec_header(uint8_t out[DG__REC_HDR], uint64_t index, uint32_t crc_payload,
                    uint32_t pub_len, uint32_t priv_len)
{
    dg__put_be32(out, DG__REC_MAGIC);
    dg__put_be64(out + 8, index);
    dg__put_be32(out + 16, pub_len);
    dg__put_be32(out + 20, priv_len);
    dg__put_be32(out + 4, dg__crc32c(crc_payload, out + 8, 8));
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int dg__rec_parse(const uint8_t *p, size_t avail, bool eof, struct dg__rec *out)
{
    if (avail < 4) {
        if (!eof)
            return DG__REC_SHORT;
        return all_zero(p, avail) ? DG__REC_END : DG__REC_BAD;
    }
    uint32_t magic = dg__get_be32(p);
    if (magic == 0)
        return DG__REC_END;
    if (magic != DG__REC_MAGIC)
        return DG__REC_BAD;
    if (avail < DG__REC_HDR)
        return eof ? DG__REC_BAD : DG__REC_SHORT;
    uint32_t pl = dg__get_be32(p + 16), vl = dg__get_be32(p + 20);
    if (pl == 0 || pl > DG_AUDIT_ENTRY_MAX || vl > DG_AUDIT_PRIVATE_MAX)
        return DG__REC_BAD;
    size_t size = DG__REC_HDR + (size_t)pl + vl;
    if (avail < size)
        return eof ? DG__REC_BAD : DG__REC_SHORT;
    uint32_t c = dg__crc32c(0, p + 16, 8 + (size_t)pl + vl);
    if (dg__crc32c(c, p + 8, 8) != dg__get_be32(p + 4))
        return DG__REC_BAD;
    out->index = dg__get_be64(p + 8);
    out->pub = p + DG__REC_HDR;
    out->pub_len = pl;
    out->priv = p + DG__REC_HDR + pl;
    out->priv_len = vl;
    out->size = size;
    return DG__REC_OK;
}

/* ---- the list of segments --------------------------------------------------------- */

void dg__seg_path(char *out, size_t outlen, const char *segdir, uint64_t first)
{
    snprintf(out, outlen, "%s/%020llu.seg", segdir, (unsigned long long)first);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int dg__segs_list(const char *segdir, struct dg__segs *out, struct dg_error *err)
{
    out->n = 0;
    DIR *d = opendir(segdir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1,
                            "cannot read segment directory '%s'", segdir);
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        size_t len = strlen(nm);
        if (len != DG__SEG_NAME_DIGITS + 4 || strcmp(nm + DG__SEG_NAME_DIGITS, ".seg") != 0)
            continue;
        uint64_t first = 0;
        bool ok = true;
        for (int i = 0; i < DG__SEG_NAME_DIGITS; i++) {
            if (nm[i] < '0' || nm[i] > '9' || first > (UINT64_MAX - 9) / 10) {
                ok = false;
                break;
            }
            first = first * 10 + (uint64_t)(nm[i] - '0');
        }
        if (!ok)
            continue;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 16;
            uint64_t *f = dg_realloc(out->first, cap * sizeof(*f));
            if (!f) {
                rc = DG_ENOMEM;
                break;
            }
            out->first = f;
            out->cap = cap;
        }
        out->first[out->n++] = first;
    }
    closedir(d);
    if (!rc && out->n > 1)
        qsort(out->first, out->n, sizeof(*out->first), cmp_u64);
    return rc;
}

void dg__segs_release(struct dg__segs *s)
{
    dg_free(s->first);
    s->first = NULL;
    s->n = s->cap = 0;
}

/* ---- the sequential reader -------------------------------------------------------- */

static int open_seg(struct dg__reader *r, size_t i, struct dg_error *err)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    r->seg = i;
    char path[4400];
    dg__seg_path(path, sizeof(path), r->segdir, r->segs.first[i]);
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot open segment '%s'",
                            path);
    uint8_t h[DG__SEG_HDR];
    ssize_t got = pread(r->fd, h, sizeof(h), 0);
    uint64_t first;
    if (got != (ssize_t)sizeof(h) || dg__seg_header_parse(h, sizeof(h), &first) ||
        first != r->segs.first[i])
        return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)r->segs.first[i],
                            "segment '%s' has a bad header", path);
    r->off = DG__SEG_HDR;
    r->len = r->pos = 0;
    r->eof = false;
    return 0;
}

/* Read more bytes after buf[len]; keeps buf[pos..len). */
static int refill(struct dg__reader *r, struct dg_error *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->off += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    size_t want = r->cap - r->len;
    if (want > READ_CHUNK)
        want = READ_CHUNK;
    ssize_t got;
    do {
        got = pread(r->fd, r->buf + r->len, want, (off_t)(r->off + r->len));
    } while (got < 0 && errno == EINTR);
    if (got < 0)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, (long)r->next,
                            "cannot read segment");
    if (got == 0)
        r->eof = true;
    r->len += (size_t)got;
    return 0;
}

static int reader_open(struct dg__reader *r, const char *dir, uint64_t from, uint64_t limit,
                       struct dg_error *err)
{
    memset(r, 0, sizeof(*r));
    r->fd = -1;
    r->limit = limit;
    snprintf(r->segdir, sizeof(r->segdir), "%s/private/seg", dir);
    r->buf = dg_malloc(BUF_CAP);
    if (!r->buf)
        return DG_ENOMEM;
    r->cap = BUF_CAP;
    int rc = dg__segs_list(r->segdir, &r->segs, err);
    if (rc)
        return rc;
    r->next = from;
    if (r->segs.n == 0)
        return 0;
    if (r->segs.first[0] != 0)
        return dg_error_set(err, DG_ELOGCORRUPT, NULL, 0, "the first segment does not start at 0");
    size_t i = 0;
    while (i + 1 < r->segs.n && r->segs.first[i + 1] <= from)
        i++;
    if ((rc = open_seg(r, i, err)))
        return rc;
    r->next = r->segs.first[i];
    /* Skip to `from`. */
    uint64_t lim = r->limit;
    r->limit = UINT64_MAX;
    struct dg__rec rec;
    while (r->next < from) {
        rc = dg__reader_next(r, &rec, err);
        if (rc <= 0) {
            r->limit = lim;
            return rc < 0
                       ? rc
                       : dg_error_set(err, DG_ERANGE, NULL, (long)from,
                                      "the log has only %llu entries", (unsigned long long)r->next);
        }
    }
    r->limit = lim;
    return 0;
}

/* On an error nothing stays open or allocated (a caller that failed to open
 * a reader does not close it). */
int dg__reader_open(struct dg__reader *r, const char *dir, uint64_t from, uint64_t limit,
                    struct dg_error *err)
{
    int rc = reader_open(r, dir, from, limit, err);
    if (rc < 0)
        dg__reader_close(r);
    return rc;
}

void dg__reader_close(struct dg__reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    dg_free(r->buf);
    r->buf = NULL;
    dg__segs_release(&r->segs);
}

/* Move to the segment after the current one if it exists (re-listing when
 * the writer may have made one): 1 moved, 0 none. */
static int next_seg(struct dg__reader *r, struct dg_error *err)
{
    if (r->seg + 1 >= r->segs.n) {
        uint64_t cur = r->segs.n ? r->segs.first[r->seg] : 0;
        int rc = dg__segs_list(r->segdir, &r->segs, err);
        if (rc)
            return rc;
        size_t i = 0;
        while (i < r->segs.n && r->segs.first[i] != cur)
            i++;
        if (i == r->segs.n)
            return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)cur, "segment %llu vanished",
                                (unsigned long long)cur);
        r->seg = i;
        if (r->seg + 1 >= r->segs.n)
            return 0;
    }
    if (r->segs.first[r->seg + 1] != r->next)
        return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)r->next,
                            "segment %llu follows a segment that ends at %llu",
                            (unsigned long long)r->segs.first[r->seg + 1],
                            (unsigned long long)r->next);
    int rc = open_seg(r, r->seg + 1, err);
    return rc ? rc : 1;
}

int dg__reader_next(struct dg__reader *r, struct dg__rec *rec, struct dg_error *err)
{
    if (r->next >= r->limit)
        return 0;
    bool live = r->limit != UINT64_MAX, reread = false;
    if (r->fd < 0) {
        /* No segment yet: one may have appeared. */
        if (!live)
            return 0;
        int rc = dg__segs_list(r->segdir, &r->segs, err);
        if (rc)
            return rc;
        if (r->segs.n == 0 || r->segs.first[0] != 0)
            return dg_error_set(err, DG_EIO, NULL, (long)r->next, "entry %llu not found",
                                (unsigned long long)r->next);
        if ((rc = open_seg(r, 0, err)))
            return rc;
    }
    for (;;) {
        int st = dg__rec_parse(r->buf + r->pos, r->len - r->pos, r->eof, rec);
        if (st == DG__REC_SHORT) {
            int rc = refill(r, err);
            if (rc)
                return rc;
            continue;
        }
        if (st == DG__REC_OK) {
            if (rec->index != r->next)
                return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)r->next,
                                    "record for index %llu where %llu belongs",
                                    (unsigned long long)rec->index, (unsigned long long)r->next);
            r->pos += rec->size;
            r->next++;
            return 1;
        }
        if (live && !reread) {
            /* The buffer may hold bytes read before the writer wrote them. */
            r->len = r->pos;
            r->eof = false;
            reread = true;
            continue;
        }
        if (st == DG__REC_END) {
            int rc = next_seg(r, err);
            if (rc < 0)
                return rc;
            if (rc == 1) {
                reread = false;
                continue;
            }
            if (live)
                return dg_error_set(err, DG_EIO, NULL, (long)r->next, "entry %llu not found",
                                    (unsigned long long)r->next);
            return 0;
        }
        /* A bad record: a torn tail if this is the last segment. */
        if (r->seg + 1 < r->segs.n || live)
            return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)r->next,
                                "entry %llu is damaged (bad frame or checksum)",
                                (unsigned long long)r->next);
        r->torn = true;
        r->torn_off = r->off + r->pos;
        return 0;
    }
}

/* Drop buffered bytes past the last record returned and read up to limit. */
void dg__reader_set_limit(struct dg__reader *r, uint64_t limit)
{
    r->limit = limit;
    r->len = r->pos;
    r->eof = false;
}

int dg__seg_scan(const char *path, uint64_t first, uint64_t *count, uint64_t *end,
                 uint64_t *garbage_end, struct dg_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot open '%s'", path);
    uint8_t *buf = dg_malloc(BUF_CAP);
    if (!buf) {
        close(fd);
        return DG_ENOMEM;
    }
    int rc = 0;
    uint64_t off = DG__SEG_HDR, n = 0, hdr_first;
    size_t len = 0, pos = 0;
    bool eof = false;
    ssize_t got = pread(fd, buf, DG__SEG_HDR, 0);
    if (got != DG__SEG_HDR || dg__seg_header_parse(buf, DG__SEG_HDR, &hdr_first) ||
        hdr_first != first) {
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)first, "segment '%s' has a bad header",
                          path);
        goto out;
    }
    for (;;) {
        struct dg__rec rec;
        int st = dg__rec_parse(buf + pos, len - pos, eof, &rec);
        if (st == DG__REC_SHORT) {
            memmove(buf, buf + pos, len - pos);
            off += pos;
            len -= pos;
            pos = 0;
            got = pread(fd, buf + len, READ_CHUNK, (off_t)(off + len));
            if (got < 0) {
                rc = dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot read '%s'",
                                  path);
                goto out;
            }
            eof = got == 0;
            len += (size_t)got;
            continue;
        }
        if (st != DG__REC_OK || rec.index != first + n)
            break;
        pos += rec.size;
        n++;
    }
    *count = n;
    *end = off + pos;
    /* Anything but zeros after the end is the debris of a torn batch. */
    uint64_t g = 0, p = *end;
    for (;;) {
        got = pread(fd, buf, READ_CHUNK, (off_t)p);
        if (got < 0) {
            rc = dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot read '%s'", path);
            goto out;
        }
        if (got == 0)
            break;
        for (ssize_t i = got; i > 0; i--)
            if (buf[i - 1]) {
                g = p + (uint64_t)i;
                break;
            }
        p += (uint64_t)got;
    }
    *garbage_end = g;
out:
    dg_free(buf);
    close(fd);
    return rc;
}
