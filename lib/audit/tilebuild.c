/*
 * tilebuild.c - builds the C2SP tiles and entry bundles of a log from its
 * entries, one at a time, keeping only the right edge of the tree in memory
 * (one partial tile per level, 8 x 8 KiB, and the partial bundle).
 *
 * The publisher thread uses it to write tiles; `audit verify` uses the same
 * code in compare mode, so what is checked is exactly what was written.
 * Full tiles are written once, when they fill; partial tiles (.p/W) are
 * written for the size of each signed checkpoint. Files appear by rename and
 * are not fsync'd one by one: the log syncs the file system before it
 * persists a checkpoint (see log.c), and rebuilds tiles past the last
 * checkpoint from the segments after a crash.
 */
#include "audit_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BUNDLE_MAX ((size_t)DG_TILE_WIDTH * (2 + DG_AUDIT_ENTRY_MAX))

int dg__tilebuild_init(struct dg__tilebuild *t, const char *dir, bool verify)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "%s", dir);
    t->verify = verify;
    t->hashes = dg_calloc(DG__TILE_LEVELS, sizeof(*t->hashes));
    if (!t->hashes)
        return DG_ENOMEM;
    dg_buf_init(&t->bundle, BUNDLE_MAX);
    return 0;
}

void dg__tilebuild_release(struct dg__tilebuild *t)
{
    dg_free(t->hashes);
    t->hashes = NULL;
    dg_buf_release(&t->bundle);
}

/* Verify mode: every partial version present of the tile at rel (the
 * files rel.p/W) must be a prefix of data, the tile's content with `have`
 * hashes or entries. */
static int check_partials(const struct dg__tilebuild *t, const char *rel, bool bundle,
                          const void *data, size_t len, unsigned have, struct dg_error *err)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s.p", t->dir, rel);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int rc = 0;
    struct dg_buf b;
    dg_buf_init(&b, BUNDLE_MAX);
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        uint64_t w;
        if (de->d_name[0] == '.' || dg__parse_u64(de->d_name, strlen(de->d_name), &w) || w == 0 ||
            w >= DG_TILE_WIDTH)
            continue;
        char file[4800];
        snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
        dg_buf_reset(&b);
        if ((rc = dg__read_file(file, BUNDLE_MAX, &b))) {
            rc = dg_error_set(err, rc, NULL, -1, "cannot read %s.p/%s", rel, de->d_name);
            break;
        }
        bool ok = w <= have && b.len <= len && memcmp(b.data, data, b.len) == 0;
        if (ok && bundle)
            ok = dg_bundle_parse((const uint8_t *)b.data, b.len, DG_TILE_WIDTH, NULL, NULL) ==
                 (int)w;
        else if (ok)
            ok = b.len == w * DG_HASH_SIZE;
        if (!ok)
            rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, -1, "%s.p/%s does not match the entries",
                              rel, de->d_name);
    }
    dg_buf_release(&b);
    closedir(d);
    return rc;
}

int dg__tilebuild_check_right_edge(struct dg__tilebuild *t, struct dg_error *err)
{
    for (int level = 0; level < DG__TILE_LEVELS; level++) {
        uint64_t m = t->size >> (8 * level);
        unsigned w = (unsigned)(m % DG_TILE_WIDTH);
        char rel[DG_TILE_PATH_MAX + 1];
        dg_tile_path(rel, sizeof(rel), level, m / DG_TILE_WIDTH, 0);
        int rc = check_partials(t, rel, false, t->hashes[level], (size_t)w * DG_HASH_SIZE, w, err);
        if (!rc && level == 0) {
            dg_tile_path(rel, sizeof(rel), DG_TILE_ENTRIES, m / DG_TILE_WIDTH, 0);
            rc = check_partials(t, rel, true, t->bundle.data, t->bundle.len, w, err);
        }
        if (rc)
            return rc;
        if (m == 0)
            break;
    }
    return 0;
}

/* Write data as the tile at path, or in verify mode check that the file
 * holds exactly data. */
static int emit(struct dg__tilebuild *t, int level, uint64_t n, unsigned width, const void *data,
                size_t len, struct dg_error *err)
{
    char rel[DG_TILE_PATH_MAX + 1], path[4400];
    int rc = dg_tile_path(rel, sizeof(rel), level, n, width);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
    t->files++;
    if (t->verify) {
        struct dg_buf b;
        dg_buf_init(&b, BUNDLE_MAX);
        rc = dg__read_file(path, BUNDLE_MAX, &b);
        bool same = !rc && b.len == len && memcmp(b.data, data, len) == 0;
        dg_buf_release(&b);
        if (rc == DG_ENOENT)
            return dg_error_set(err, DG_ELOGCORRUPT, NULL, -1, "%s is missing", rel);
        if (rc)
            return dg_error_set(err, rc, NULL, -1, "cannot read %s", rel);
        if (!same)
            return dg_error_set(err, DG_ELOGCORRUPT, NULL, -1, "%s does not match the entries",
                                rel);
        if (width == 0)
            return check_partials(t, rel, level == DG_TILE_ENTRIES, data, len, DG_TILE_WIDTH, err);
        return 0;
    }
    rc = dg__write_file_atomic(path, data, len, 0644, false);
    if (rc == DG_ENOENT) {
        rc = dg__mkdirs_for(path, 0755);
        if (!rc)
            rc = dg__write_file_atomic(path, data, len, 0644, false);
    }
    if (rc)
        return dg_error_set(err, rc, NULL, -1, "cannot write %s", rel);
    return 0;
}

/* The level tile that ends at t->size just filled: emit it, hash it into the
 * level above. */
static int complete(struct dg__tilebuild *t, int level, struct dg_error *err)
{
    uint64_t n = (t->size >> (8 * level)) / DG_TILE_WIDTH - 1;
    int rc = emit(t, level, n, 0, t->hashes[level], sizeof(t->hashes[level]), err);
    if (!rc && level == 0) {
        rc = emit(t, DG_TILE_ENTRIES, n, 0, t->bundle.data, t->bundle.len, err);
        dg_buf_reset(&t->bundle);
    }
    if (rc || level + 1 >= DG__TILE_LEVELS)
        return rc;
    uint64_t pos = (t->size >> (8 * (level + 1))) - 1;
    unsigned k = (unsigned)(pos % DG_TILE_WIDTH);
    dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])t->hashes[level], DG_TILE_WIDTH,
                      t->hashes[level + 1][k]);
    return k == DG_TILE_WIDTH - 1 ? complete(t, level + 1, err) : 0;
}

int dg__tilebuild_add(struct dg__tilebuild *t, const uint8_t *entry, size_t len,
                      struct dg_error *err)
{
    if (len > DG_AUDIT_ENTRY_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, (long)t->size, "entry too large for a bundle");
    unsigned k = (unsigned)(t->size % DG_TILE_WIDTH);
    dg_merkle_leaf_hash(entry, len, t->hashes[0][k]);
    uint8_t l[2];
    dg__put_be16(l, (uint16_t)len);
    int rc = dg_buf_add(&t->bundle, l, 2);
    if (!rc)
        rc = dg_buf_add(&t->bundle, entry, len);
    if (rc)
        return dg_error_set(err, rc, NULL, (long)t->size, "entry bundle");
    t->size++;
    return k == DG_TILE_WIDTH - 1 ? complete(t, 0, err) : 0;
}

int dg__tilebuild_partials(struct dg__tilebuild *t, struct dg_error *err)
{
    for (int level = 0; level < DG__TILE_LEVELS; level++) {
        uint64_t m = t->size >> (8 * level);
        if (m == 0)
            break;
        unsigned w = (unsigned)(m % DG_TILE_WIDTH);
        if (w == 0)
            continue;
        int rc =
            emit(t, level, m / DG_TILE_WIDTH, w, t->hashes[level], (size_t)w * DG_HASH_SIZE, err);
        if (!rc && level == 0)
            rc = emit(t, DG_TILE_ENTRIES, m / DG_TILE_WIDTH, w, t->bundle.data, t->bundle.len, err);
        if (rc)
            return rc;
    }
    return 0;
}

void dg__tilebuild_root(const struct dg__tilebuild *t, uint8_t out[DG_HASH_SIZE])
{
    /* The tree is the sequence of perfect subtrees given by the bits of the
     * size, largest first; each lies inside one level's partial tile. */
    uint8_t subs[64][DG_HASH_SIZE];
    int ns = 0;
    for (int level = DG__TILE_LEVELS - 1; level >= 0; level--) {
        unsigned c = (unsigned)((t->size >> (8 * level)) % DG_TILE_WIDTH);
        unsigned off = 0;
        for (int j = 7; j >= 0; j--) {
            unsigned k = 1u << j;
            if (!(c & k))
                continue;
            dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])t->hashes[level][off], k, subs[ns++]);
            off += k;
        }
    }
    if (ns == 0) {
        dg_merkle_empty_root(out);
        return;
    }
    uint8_t acc[DG_HASH_SIZE];
    memcpy(acc, subs[ns - 1], DG_HASH_SIZE);
    for (int i = ns - 2; i >= 0; i--)
        dg_merkle_node_hash(subs[i], acc, acc);
    memcpy(out, acc, DG_HASH_SIZE);
}

int dg__tilebuild_resume(struct dg__tilebuild *t, uint64_t size, uint64_t *restart,
                         struct dg_error *err)
{
    struct dg_tlog_reader *r;
    int rc = dg_tlog_reader_new(dg_tlog_fetch_dir, t->dir, size, &r);
    if (rc)
        return rc;
    struct dg_merkle_nodes src = dg_tlog_reader_nodes(r);
    for (int level = 1; level < DG__TILE_LEVELS && !rc; level++) {
        uint64_t m = size >> (8 * level);
        unsigned w = (unsigned)(m % DG_TILE_WIDTH);
        uint64_t base = m - w;
        for (unsigned i = 0; i < w && !rc; i++)
            rc = src.get(src.arg, (unsigned)(8 * level), base + i, t->hashes[level][i]);
        if (rc)
            dg_error_set(err, rc, NULL, -1, "cannot read the level-%d tile at size %llu", level,
                         (unsigned long long)size);
    }
    dg_tlog_reader_free(r);
    if (rc)
        return rc;
    dg_buf_reset(&t->bundle);
    t->size = size - size % DG_TILE_WIDTH;
    *restart = t->size;
    return 0;
}
