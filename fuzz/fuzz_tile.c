/*
 * fuzz_tile.c - libFuzzer target for C2SP tiles: tile paths, entry bundles,
 * and the tile reader that computes roots and proofs from tiles.
 *
 * Input: a first line (a tile path to parse, and the rest as an entry
 * bundle), then two bytes of tree size, one byte of flags (partial tiles
 * missing, tiles of the wrong size) and the bytes the leaf hashes are cut
 * from. Promises checked: a path that parses is canonical (formats back to
 * itself); in a consistent tiled tree, with full tiles standing in for
 * missing partial ones, an inclusion or consistency proof made from the
 * tiles verifies against the roots computed from the same tiles.
 */
#include "fuzz.h"

#include <dmvgate/audit.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TREE 4096 /* levels 0 and 1 only, and fast enough to fuzz */

struct src {
    const uint8_t *p;
    size_t n;
    uint8_t flags;
    bool have_l1;
    uint8_t l1[MAX_TREE / DG_TILE_WIDTH][DG_HASH_SIZE];
};

/* Leaf hash j: bytes cut from the input. */
static void leaf_hash(const struct src *s, uint64_t j, uint8_t out[DG_HASH_SIZE])
{
    for (size_t b = 0; b < DG_HASH_SIZE; b++)
        out[b] = s->n ? s->p[(j * DG_HASH_SIZE + b) % s->n] : (uint8_t)(j + b);
}

/* A consistent tiled tree: level-1 hashes are the roots of level-0 tiles. */
static void make_level1(struct src *s)
{
    static uint8_t leaves[DG_TILE_WIDTH][DG_HASH_SIZE];
    for (unsigned t = 0; t < MAX_TREE / DG_TILE_WIDTH; t++) {
        for (unsigned k = 0; k < DG_TILE_WIDTH; k++)
            leaf_hash(s, (uint64_t)t * DG_TILE_WIDTH + k, leaves[k]);
        dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])leaves, DG_TILE_WIDTH, s->l1[t]);
    }
    s->have_l1 = true;
}

static int fetch(void *arg, const char *path, struct dg_buf *out)
{
    struct src *s = arg;
    int level;
    uint64_t n;
    unsigned w;
    if (dg_tile_path_parse(path, strlen(path), &level, &n, &w) || level < 0 || level > 1 ||
        (level == 1 && n > 0))
        abort(); /* the reader asks only for valid paths of this tree */
    if ((s->flags & 1) && w)
        return DG_ENOENT; /* partial tiles gone: the full ones are used */
    unsigned count = w ? w : DG_TILE_WIDTH;
    if ((s->flags & 2) && n % 3 == 1)
        return dg_buf_add(out, "short", 5); /* a tile of the wrong size */
    if (level == 1 && !s->have_l1)
        make_level1(s);
    for (unsigned i = 0; i < count; i++) {
        uint8_t h[DG_HASH_SIZE];
        uint64_t j = n * DG_TILE_WIDTH + i;
        if (level == 0)
            leaf_hash(s, j, h);
        else if (j < MAX_TREE / DG_TILE_WIDTH)
            memcpy(h, s->l1[j], DG_HASH_SIZE);
        else
            memset(h, 0, DG_HASH_SIZE); /* past the tree: never used in a proof */
        if (dg_buf_add(out, h, sizeof(h)))
            return DG_ENOMEM;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t l = nl ? (size_t)(nl - s) : size;
    int level;
    uint64_t n;
    unsigned w;
    if (l <= DG_TILE_PATH_MAX && dg_tile_path_parse(s, l, &level, &n, &w) == 0) {
        char back[DG_TILE_PATH_MAX + 1];
        if (dg_tile_path(back, sizeof(back), level, n, w) || strlen(back) != l ||
            memcmp(back, s, l) != 0)
            abort();
    }
    if (!nl)
        return 0;
    const uint8_t *rest = data + l + 1;
    size_t rn = size - l - 1;
    (void)dg_bundle_parse(rest, rn, DG_TILE_WIDTH, NULL, NULL);
    if (rn < 3)
        return 0;
    uint64_t tree = ((uint64_t)rest[0] << 8 | rest[1]) % MAX_TREE;
    static struct src src;
    src.p = rest + 3;
    src.n = rn - 3;
    src.flags = rest[2];
    src.have_l1 = false;
    struct dg_tlog_reader *r;
    if (dg_tlog_reader_new(fetch, &src, tree, &r))
        abort();
    struct dg_merkle_nodes nodes = dg_tlog_reader_nodes(r);
    uint8_t root[DG_HASH_SIZE], root1[DG_HASH_SIZE], leaf[DG_HASH_SIZE];
    uint8_t proof[DG_MERKLE_MAX_PROOF][DG_HASH_SIZE];
    size_t np;
    struct dg_error err;
    if (tree > 0 && dg_tlog_root(r, tree, root, &err) == 0) {
        uint64_t idx = (rest[2] * 131u + rn) % tree;
        if (dg_tlog_leaf(r, idx, leaf, &err) == 0 &&
            dg_merkle_prove_inclusion(&nodes, idx, tree, proof, DG_MERKLE_MAX_PROOF, &np) == 0 &&
            dg_merkle_verify_inclusion(idx, tree, leaf, (const uint8_t(*)[DG_HASH_SIZE])proof, np,
                                       root) != 0)
            abort();
        uint64_t s1 = (rn * 17u) % (tree + 1);
        if (dg_tlog_root(r, s1, root1, &err) == 0 &&
            dg_merkle_prove_consistency(&nodes, s1, tree, proof, DG_MERKLE_MAX_PROOF, &np) == 0 &&
            dg_merkle_verify_consistency(s1, tree, root1, root,
                                         (const uint8_t(*)[DG_HASH_SIZE])proof, np) != 0)
            abort();
    }
    dg_tlog_reader_free(r);
    return 0;
}
