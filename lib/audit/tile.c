/*
 * tile.c - C2SP tlog-tiles: tile and entry-bundle paths, bundle parsing, and
 * a reader that computes roots and proofs of a tiled log from its tiles
 * alone, the way a client or witness does (so `audit prove` works on any
 * copy of the public files, and a node answers proofs without its segments).
 */
#include "audit_int.h"

#include <stdio.h>
#include <string.h>

/* ---- paths ------------------------------------------------------------------------ */

int dg_tile_path(char *out, size_t outlen, int level, uint64_t n, unsigned width)
{
    if (level < DG_TILE_ENTRIES || level > 63 || width >= DG_TILE_WIDTH)
        return DG_EINVAL;
    char groups[8][5];
    int g = 0;
    do {
        snprintf(groups[g++], sizeof(groups[0]), "%03u", (unsigned)(n % 1000));
        n /= 1000;
    } while (n > 0);
    char npath[48];
    size_t p = 0;
    for (int i = g - 1; i >= 0; i--)
        p += (size_t)snprintf(npath + p, sizeof(npath) - p, "%s%s%s", i < g - 1 ? "/" : "",
                              i > 0 ? "x" : "", groups[i]);
    char lvl[8];
    if (level == DG_TILE_ENTRIES)
        snprintf(lvl, sizeof(lvl), "entries");
    else
        snprintf(lvl, sizeof(lvl), "%d", level);
    int w;
    if (width)
        w = snprintf(out, outlen, "tile/%s/%s.p/%u", lvl, npath, width);
    else
        w = snprintf(out, outlen, "tile/%s/%s", lvl, npath);
    return w < 0 || (size_t)w >= outlen ? DG_ETOOBIG : 0;
}

static bool digits3(const char *s, size_t n)
{
    return n == 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
           s[2] <= '9';
}

int dg_tile_path_parse(const char *path, size_t len, int *level, uint64_t *n, unsigned *width)
{
    if (len < 5 || len > DG_TILE_PATH_MAX || memcmp(path, "tile/", 5) != 0)
        return DG_EINVAL;
    const char *s = path + 5, *end = path + len;
    const char *slash = memchr(s, '/', (size_t)(end - s));
    if (!slash)
        return DG_EINVAL;
    int lv;
    if ((size_t)(slash - s) == 7 && memcmp(s, "entries", 7) == 0) {
        lv = DG_TILE_ENTRIES;
    } else {
        uint64_t v;
        if (dg__parse_u64(s, (size_t)(slash - s), &v) || v > 63)
            return DG_EINVAL;
        lv = (int)v;
    }
    s = slash + 1;
    uint64_t idx = 0;
    unsigned w = 0;
    int groups = 0;
    for (;;) {
        slash = memchr(s, '/', (size_t)(end - s));
        const char *cend = slash ? slash : end;
        size_t clen = (size_t)(cend - s);
        if (++groups > 7)
            return DG_EINVAL;
        if (clen == 4 && s[0] == 'x' && digits3(s + 1, 3)) {
            /* an inner group: never a leading zero group */
            unsigned v = (unsigned)((s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
            if (groups == 1 && v == 0)
                return DG_EINVAL;
            idx = idx * 1000 + v;
            if (!slash)
                return DG_EINVAL;
            s = slash + 1;
            continue;
        }
        bool partial = clen == 5 && memcmp(s + 3, ".p", 2) == 0;
        if (!(clen == 3 || partial) || !digits3(s, 3))
            return DG_EINVAL;
        unsigned v = (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
        if (idx > UINT64_MAX / 1000 || (idx == UINT64_MAX / 1000 && v > UINT64_MAX % 1000))
            return DG_EINVAL;
        idx = idx * 1000 + v;
        if (partial) {
            if (!slash)
                return DG_EINVAL;
            uint64_t wv;
            if (dg__parse_u64(slash + 1, (size_t)(end - slash - 1), &wv) || wv == 0 ||
                wv >= DG_TILE_WIDTH)
                return DG_EINVAL;
            w = (unsigned)wv;
        } else if (slash) {
            return DG_EINVAL;
        }
        break;
    }
    *level = lv;
    *n = idx;
    *width = w;
    return 0;
}

int dg_bundle_parse(const uint8_t *data, size_t n, unsigned max,
                    int (*fn)(void *arg, const uint8_t *entry, size_t len), void *arg)
{
    size_t p = 0;
    unsigned count = 0;
    while (p < n) {
        if (n - p < 2)
            return DG_ETILE;
        size_t len = dg__get_be16(data + p);
        p += 2;
        if (len > n - p || ++count > max)
            return DG_ETILE;
        if (fn) {
            int rc = fn(arg, data + p, len);
            if (rc)
                return rc;
        }
        p += len;
    }
    return fn ? 0 : (int)count;
}

/* ---- reading a tiled log ---------------------------------------------------------- */

#define BUNDLE_MAX ((size_t)DG_TILE_WIDTH * (2 + DG_AUDIT_ENTRY_MAX))

int dg_tlog_fetch_dir(void *dir, const char *path, struct dg_buf *out)
{
    char full[4400];
    if (snprintf(full, sizeof(full), "%s/%s", (const char *)dir, path) >= (int)sizeof(full))
        return DG_ETOOBIG;
    return dg__read_file(full, BUNDLE_MAX, out);
}

#define CACHE_SLOTS 24

struct cached_tile {
    bool used;
    int level;
    uint64_t n;
    unsigned w; /* hashes in it */
    uint8_t h[DG_TILE_WIDTH][DG_HASH_SIZE];
};

struct dg_tlog_reader {
    dg_tlog_fetch_fn fetch;
    void *arg;
    uint64_t size;
    struct cached_tile cache[CACHE_SLOTS];
    unsigned next_slot;
    struct dg_buf buf;
};

int dg_tlog_reader_new(dg_tlog_fetch_fn fetch, void *arg, uint64_t size,
                       struct dg_tlog_reader **out)
{
    struct dg_tlog_reader *r = dg_calloc(1, sizeof(*r));
    if (!r)
        return DG_ENOMEM;
    r->fetch = fetch;
    r->arg = arg;
    r->size = size;
    dg_buf_init(&r->buf, DG_TILE_WIDTH * DG_HASH_SIZE);
    *out = r;
    return 0;
}

void dg_tlog_reader_free(struct dg_tlog_reader *r)
{
    if (!r)
        return;
    dg_buf_release(&r->buf);
    dg_free(r);
}

/* Fetch path and accept it when it holds at least need hashes (exactly
 * `exact` bytes when exact != 0). 0, DG_ENOENT or an error. */
static int fetch_tile(struct dg_tlog_reader *r, int level, uint64_t n, unsigned w_file,
                      struct cached_tile *slot)
{
    char path[DG_TILE_PATH_MAX + 1];
    int rc = dg_tile_path(path, sizeof(path), level, n, w_file == DG_TILE_WIDTH ? 0 : w_file);
    if (rc)
        return rc;
    dg_buf_reset(&r->buf);
    rc = r->fetch(r->arg, path, &r->buf);
    if (rc == DG_ETOOBIG)
        return DG_ETILE;
    if (rc)
        return rc;
    if (r->buf.len != (size_t)w_file * DG_HASH_SIZE)
        return DG_ETILE;
    memcpy(slot->h, r->buf.data, r->buf.len);
    return 0;
}

/* The hashes of tile n at level (0..7) as far as they exist at r->size. */
static int get_tile(struct dg_tlog_reader *r, int level, uint64_t n, struct cached_tile **out)
{
    uint64_t m = level * 8 >= 64 ? 0 : r->size >> (8 * level); /* nodes at this level */
    if (n >= (m + DG_TILE_WIDTH - 1) / DG_TILE_WIDTH)
        return DG_ERANGE;
    unsigned w =
        m - n * DG_TILE_WIDTH >= DG_TILE_WIDTH ? DG_TILE_WIDTH : (unsigned)(m - n * DG_TILE_WIDTH);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cached_tile *c = &r->cache[i];
        if (c->used && c->level == level && c->n == n && c->w >= w) {
            *out = c;
            return 0;
        }
    }
    struct cached_tile *slot = &r->cache[r->next_slot];
    r->next_slot = (r->next_slot + 1) % CACHE_SLOTS;
    slot->used = false;
    /* The partial tile of exactly this width; or the full tile; or a wider
     * partial one (a later checkpoint's), whose first w hashes are the same. */
    int rc = fetch_tile(r, level, n, w, slot);
    if (rc == DG_ENOENT && w < DG_TILE_WIDTH) {
        rc = fetch_tile(r, level, n, DG_TILE_WIDTH, slot);
        for (unsigned w2 = w + 1; rc == DG_ENOENT && w2 < DG_TILE_WIDTH; w2++)
            rc = fetch_tile(r, level, n, w2, slot);
    }
    if (rc)
        return rc;
    slot->used = true;
    slot->level = level;
    slot->n = n;
    slot->w = w;
    *out = slot;
    return 0;
}

static int reader_node(void *arg, unsigned level, uint64_t index, uint8_t out[DG_HASH_SIZE])
{
    struct dg_tlog_reader *r = arg;
    unsigned tl = level / 8, sub = level % 8;
    if (tl >= DG__TILE_LEVELS)
        return DG_ERANGE;
    uint64_t first = index << sub, count = (uint64_t)1 << sub;
    struct cached_tile *t;
    int rc = get_tile(r, (int)tl, first / DG_TILE_WIDTH, &t);
    if (rc)
        return rc;
    unsigned off = (unsigned)(first % DG_TILE_WIDTH);
    if (off + count > t->w)
        return DG_ERANGE;
    dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])t->h[off], count, out);
    return 0;
}

struct dg_merkle_nodes dg_tlog_reader_nodes(struct dg_tlog_reader *r)
{
    struct dg_merkle_nodes s = {reader_node, r};
    return s;
}

static int tile_err(int rc, struct dg_error *err, const char *what, uint64_t at)
{
    if (rc == DG_ENOENT)
        return dg_error_set(err, rc, NULL, (long)at, "a tile needed for %s is missing", what);
    if (rc == DG_ETILE)
        return dg_error_set(err, rc, NULL, (long)at, "a tile needed for %s has the wrong size",
                            what);
    return dg_error_set(err, rc, NULL, (long)at, "cannot read the tiles for %s", what);
}

int dg_tlog_root(struct dg_tlog_reader *r, uint64_t size, uint8_t out[DG_HASH_SIZE],
                 struct dg_error *err)
{
    if (size > r->size)
        return dg_error_set(err, DG_ERANGE, NULL, -1, "size %llu is past the tree size %llu",
                            (unsigned long long)size, (unsigned long long)r->size);
    struct dg_merkle_nodes src = dg_tlog_reader_nodes(r);
    int rc = dg_merkle_range_root(&src, 0, size, out);
    return rc ? tile_err(rc, err, "the root", size) : 0;
}

int dg_tlog_leaf(struct dg_tlog_reader *r, uint64_t index, uint8_t out[DG_HASH_SIZE],
                 struct dg_error *err)
{
    if (index >= r->size)
        return dg_error_set(err, DG_ERANGE, NULL, -1, "index %llu is past the tree size %llu",
                            (unsigned long long)index, (unsigned long long)r->size);
    int rc = reader_node(r, 0, index, out);
    return rc ? tile_err(rc, err, "the leaf", index) : 0;
}
