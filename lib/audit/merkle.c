/*
 * merkle.c - RFC 6962 / RFC 9162 Merkle tree hashing, and inclusion and
 * consistency proofs: generation (from any source of node hashes, such as
 * the tiles of a log) and verification (RFC 9162 sections 2.1.3.2 and
 * 2.1.4.2, the algorithms every transparency-log client implements).
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1 /* SHA256_Init: see codec.c */
#include "audit_int.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

void dg_merkle_leaf_hash(const void *data, size_t n, uint8_t out[DG_HASH_SIZE])
{
    static const uint8_t zero = 0x00;
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, &zero, 1);
    SHA256_Update(&c, data, n);
    SHA256_Final(out, &c);
}

void dg_merkle_node_hash(const uint8_t left[DG_HASH_SIZE], const uint8_t right[DG_HASH_SIZE],
                         uint8_t out[DG_HASH_SIZE])
{
    uint8_t buf[1 + 2 * DG_HASH_SIZE];
    buf[0] = 0x01;
    memcpy(buf + 1, left, DG_HASH_SIZE);
    memcpy(buf + 1 + DG_HASH_SIZE, right, DG_HASH_SIZE);
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, buf, sizeof(buf));
    SHA256_Final(out, &c);
}

void dg_merkle_empty_root(uint8_t out[DG_HASH_SIZE])
{
    dg__sha256("", 0, out);
}

/* The largest power of two smaller than n (n >= 2): the split point k. */
static uint64_t split(uint64_t n)
{
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static void root_of(const uint8_t (*l)[DG_HASH_SIZE], uint64_t n, uint8_t out[DG_HASH_SIZE])
{
    if (n == 1) {
        memcpy(out, l[0], DG_HASH_SIZE);
        return;
    }
    uint64_t k = split(n);
    uint8_t a[DG_HASH_SIZE], b[DG_HASH_SIZE];
    root_of(l, k, a);
    root_of(l + k, n - k, b);
    dg_merkle_node_hash(a, b, out);
}

void dg_merkle_root_of(const uint8_t (*leaves)[DG_HASH_SIZE], uint64_t n, uint8_t out[DG_HASH_SIZE])
{
    if (n == 0)
        dg_merkle_empty_root(out);
    else
        root_of(leaves, n, out);
}

static bool hash_eq(const uint8_t *a, const uint8_t *b)
{
    return CRYPTO_memcmp(a, b, DG_HASH_SIZE) == 0;
}

int dg_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[DG_HASH_SIZE],
                               const uint8_t (*proof)[DG_HASH_SIZE], size_t nproof,
                               const uint8_t root[DG_HASH_SIZE])
{
    if (index >= size || nproof > DG_MERKLE_MAX_PROOF)
        return DG_EPROOF;
    uint64_t fn = index, sn = size - 1;
    uint8_t r[DG_HASH_SIZE];
    memcpy(r, leaf, DG_HASH_SIZE);
    for (size_t i = 0; i < nproof; i++) {
        if (sn == 0)
            return DG_EPROOF;
        if ((fn & 1) || fn == sn) {
            dg_merkle_node_hash(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            dg_merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash_eq(r, root) ? 0 : DG_EPROOF;
}

int dg_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[DG_HASH_SIZE],
                                 const uint8_t root2[DG_HASH_SIZE],
                                 const uint8_t (*proof)[DG_HASH_SIZE], size_t nproof)
{
    if (size1 > size2 || nproof > DG_MERKLE_MAX_PROOF)
        return DG_EPROOF;
    if (size1 == size2)
        return nproof == 0 && hash_eq(root1, root2) ? 0 : DG_EPROOF;
    if (size1 == 0)
        return nproof == 0 ? 0 : DG_EPROOF;
    if (nproof == 0)
        return DG_EPROOF;
    /* When size1 is a power of two its root is the first node of the path
     * and the proof leaves it out. */
    bool pow2 = (size1 & (size1 - 1)) == 0;
    const uint8_t *first = pow2 ? root1 : proof[0];
    size_t start = pow2 ? 0 : 1;
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[DG_HASH_SIZE], sr[DG_HASH_SIZE];
    memcpy(fr, first, DG_HASH_SIZE);
    memcpy(sr, first, DG_HASH_SIZE);
    for (size_t i = start; i < nproof; i++) {
        if (sn == 0)
            return DG_EPROOF;
        if ((fn & 1) || fn == sn) {
            dg_merkle_node_hash(proof[i], fr, fr);
            dg_merkle_node_hash(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            dg_merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash_eq(fr, root1) && hash_eq(sr, root2) ? 0 : DG_EPROOF;
}

/* ---- generation ------------------------------------------------------------------- */

int dg_merkle_range_root(const struct dg_merkle_nodes *src, uint64_t begin, uint64_t end,
                         uint8_t out[DG_HASH_SIZE])
{
    if (end < begin)
        return DG_ERANGE;
    uint64_t n = end - begin;
    if (n == 0) {
        dg_merkle_empty_root(out);
        return 0;
    }
    if ((n & (n - 1)) == 0 && begin % n == 0) {
        unsigned level = (unsigned)__builtin_ctzll(n);
        return src->get(src->arg, level, begin >> level, out);
    }
    uint64_t k = split(n);
    uint8_t a[DG_HASH_SIZE], b[DG_HASH_SIZE];
    int rc = dg_merkle_range_root(src, begin, begin + k, a);
    if (!rc)
        rc = dg_merkle_range_root(src, begin + k, end, b);
    if (rc)
        return rc;
    dg_merkle_node_hash(a, b, out);
    return 0;
}

struct proofbuf {
    uint8_t (*p)[DG_HASH_SIZE];
    size_t cap, n;
};

static int push_range(const struct dg_merkle_nodes *src, struct proofbuf *pb, uint64_t a,
                      uint64_t b)
{
    if (pb->n >= pb->cap)
        return DG_ETOOBIG;
    int rc = dg_merkle_range_root(src, a, b, pb->p[pb->n]);
    if (!rc)
        pb->n++;
    return rc;
}

/* RFC 6962 PATH(m, D[a:b]), deepest sibling first. */
static int path(const struct dg_merkle_nodes *src, struct proofbuf *pb, uint64_t m, uint64_t a,
                uint64_t b)
{
    if (b - a == 1)
        return 0;
    uint64_t k = split(b - a);
    int rc;
    if (m < a + k) {
        rc = path(src, pb, m, a, a + k);
        return rc ? rc : push_range(src, pb, a + k, b);
    }
    rc = path(src, pb, m, a + k, b);
    return rc ? rc : push_range(src, pb, a, a + k);
}

int dg_merkle_prove_inclusion(const struct dg_merkle_nodes *src, uint64_t index, uint64_t size,
                              uint8_t (*proof)[DG_HASH_SIZE], size_t cap, size_t *n)
{
    if (index >= size)
        return DG_ERANGE;
    struct proofbuf pb = {proof, cap, 0};
    int rc = path(src, &pb, index, 0, size);
    if (!rc)
        *n = pb.n;
    return rc;
}

/* RFC 6962 SUBPROOF(m, D[a:b], b), m absolute. */
static int subproof(const struct dg_merkle_nodes *src, struct proofbuf *pb, uint64_t m, uint64_t a,
                    uint64_t b, bool whole)
{
    if (m == b) {
        return whole ? 0 : push_range(src, pb, a, b);
    }
    uint64_t k = split(b - a);
    int rc;
    if (m <= a + k) {
        rc = subproof(src, pb, m, a, a + k, whole);
        return rc ? rc : push_range(src, pb, a + k, b);
    }
    rc = subproof(src, pb, m, a + k, b, false);
    return rc ? rc : push_range(src, pb, a, a + k);
}

int dg_merkle_prove_consistency(const struct dg_merkle_nodes *src, uint64_t size1, uint64_t size2,
                                uint8_t (*proof)[DG_HASH_SIZE], size_t cap, size_t *n)
{
    if (size1 > size2)
        return DG_ERANGE;
    struct proofbuf pb = {proof, cap, 0};
    int rc = 0;
    if (size1 > 0 && size1 < size2)
        rc = subproof(src, &pb, size1, 0, size2, true);
    if (!rc)
        *n = pb.n;
    return rc;
}
