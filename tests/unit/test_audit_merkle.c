/*
 * test_audit_merkle.c - RFC 6962 / RFC 9162 hashing and proofs: every vector
 * of ../shared/testdata/merkle (read in place: happy paths verify, every
 * wantErr case is rejected), the classic 8-leaf tree, generated proofs for
 * every index and size pair of small trees (and that a flipped bit or a
 * missing or extra element breaks them), the proof JSON format, and tile
 * paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_test_util.h"

#include <dirent.h>

/* ---- the transparency-dev vectors ---------------------------------------------------- */

struct tally {
    int files, happy, rejected;
};

static void run_vector(const char *path, struct tally *t)
{
    struct dg_buf b;
    assert_int_equal(tu_read(path, &b), 0);
    struct dg_proof *p = calloc(1, sizeof(*p));
    struct dg_error err;
    int rc = dg_proof_parse(b.data, b.len, p, &err);
    if (rc)
        fail_msg("%s: cannot parse: %s", path, err.msg);
    assert_true(p->want_err == 0 || p->want_err == 1);
    int v = dg_proof_verify(p);
    if (p->want_err) {
        if (v == 0)
            fail_msg("%s: wantErr case verified", path);
        assert_int_equal(v, DG_EPROOF);
        t->rejected++;
    } else {
        if (v != 0)
            fail_msg("%s: happy path rejected", path);
        t->happy++;
    }
    t->files++;
    free(p);
    dg_buf_release(&b);
}

static void walk(const char *dir, struct tally *t)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[2048];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        if (S_ISDIR(st.st_mode))
            walk(p, t);
        else if (strstr(e->d_name, ".json"))
            run_vector(p, t);
    }
    closedir(d);
}

static void transparency_dev_vectors(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/testdata/merkle", tu_shared());
    struct tally t = {0};
    walk(dir, &t);
    /* 96 files: 7 happy paths, 89 mutations. */
    assert_int_equal(t.files, 96);
    assert_int_equal(t.happy, 7);
    assert_int_equal(t.rejected, 89);
}

/* ---- the classic RFC 6962 tree --------------------------------------------------------- */

static const char *const CLASSIC_HEX[] = {"",
                                          "00",
                                          "10",
                                          "2021",
                                          "3031",
                                          "40414243",
                                          "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"};

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static uint8_t leaves[1024][DG_HASH_SIZE];

static void classic_leaves(void)
{
    for (int i = 0; i < 8; i++) {
        uint8_t d[32];
        size_t n = unhex(CLASSIC_HEX[i], d);
        dg_merkle_leaf_hash(d, n, leaves[i]);
    }
}

static void b64(const uint8_t *h, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int o = 0;
    for (int i = 0; i < 32; i += 3) {
        uint32_t v = (uint32_t)h[i] << 16 | (i + 1 < 32 ? (uint32_t)h[i + 1] << 8 : 0) |
                     (i + 2 < 32 ? h[i + 2] : 0);
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < 32 ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < 32 ? a[v & 63] : '=';
    }
    out[o] = '\0';
}

static void classic_roots(void **state)
{
    (void)state;
    classic_leaves();
    uint8_t root[DG_HASH_SIZE];
    char s[64];
    dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])leaves, 8, root);
    b64(root, s);
    assert_string_equal(s, "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=");
    dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])leaves, 6, root);
    b64(root, s);
    assert_string_equal(s, "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=");
    dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])leaves, 1, root);
    b64(root, s);
    assert_string_equal(s, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=");
    dg_merkle_empty_root(root);
    b64(root, s);
    assert_string_equal(s, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

/* A node source over the in-memory leaves: computes each node from them. */
static int mem_node(void *arg, unsigned level, uint64_t index, uint8_t out[DG_HASH_SIZE])
{
    (void)arg;
    uint64_t n = (uint64_t)1 << level;
    dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])leaves[index * n], n, out);
    return 0;
}

static void generated_match_vectors(void **state)
{
    (void)state;
    classic_leaves();
    struct dg_merkle_nodes src = {mem_node, NULL};
    uint8_t proof[DG_MERKLE_MAX_PROOF][DG_HASH_SIZE];
    size_t n;
    char s[64];
    assert_int_equal(dg_merkle_prove_inclusion(&src, 5, 8, proof, DG_MERKLE_MAX_PROOF, &n), 0);
    assert_int_equal(n, 3);
    b64(proof[0], s);
    assert_string_equal(s, "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=");
    b64(proof[2], s);
    assert_string_equal(s, "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=");
    assert_int_equal(dg_merkle_prove_consistency(&src, 6, 8, proof, DG_MERKLE_MAX_PROOF, &n), 0);
    assert_int_equal(n, 3);
    b64(proof[0], s);
    assert_string_equal(s, "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=");
    assert_int_equal(dg_merkle_prove_inclusion(&src, 8, 8, proof, DG_MERKLE_MAX_PROOF, &n),
                     DG_ERANGE);
}

static void generated_proofs_all_sizes(void **state)
{
    (void)state;
    const uint64_t N = 70;
    for (uint64_t i = 0; i < N; i++) {
        uint8_t d[8];
        memcpy(d, &i, 8);
        dg_merkle_leaf_hash(d, 8, leaves[i]);
    }
    struct dg_merkle_nodes src = {mem_node, NULL};
    uint8_t roots[71][DG_HASH_SIZE];
    for (uint64_t s = 0; s <= N; s++) {
        dg_merkle_root_of((const uint8_t(*)[DG_HASH_SIZE])leaves, s, roots[s]);
        uint8_t r2[DG_HASH_SIZE];
        assert_int_equal(dg_merkle_range_root(&src, 0, s, r2), 0);
        assert_memory_equal(r2, roots[s], DG_HASH_SIZE);
    }
    uint8_t proof[DG_MERKLE_MAX_PROOF + 1][DG_HASH_SIZE];
    size_t n;
    for (uint64_t s = 1; s <= N; s++) {
        for (uint64_t i = 0; i < s; i++) {
            assert_int_equal(dg_merkle_prove_inclusion(&src, i, s, proof, DG_MERKLE_MAX_PROOF, &n),
                             0);
            const uint8_t(*pp)[DG_HASH_SIZE] = (const uint8_t(*)[DG_HASH_SIZE])proof;
            assert_int_equal(dg_merkle_verify_inclusion(i, s, leaves[i], pp, n, roots[s]), 0);
            /* wrong index, size, leaf; flipped bit; missing or extra element */
            if (s < N)
                assert_int_not_equal(
                    dg_merkle_verify_inclusion(i, s + 1, leaves[i], pp, n, roots[s + 1]), 0);
            if (s > 1) {
                assert_int_not_equal(
                    dg_merkle_verify_inclusion((i + 1) % s, s, leaves[i], pp, n, roots[s]), 0);
                assert_int_not_equal(
                    dg_merkle_verify_inclusion(i, s, leaves[(i + 1) % s], pp, n, roots[s]), 0);
                proof[n / 2][7] ^= 0x10;
                assert_int_not_equal(dg_merkle_verify_inclusion(i, s, leaves[i], pp, n, roots[s]),
                                     0);
                proof[n / 2][7] ^= 0x10;
                assert_int_not_equal(
                    dg_merkle_verify_inclusion(i, s, leaves[i], pp, n - 1, roots[s]), 0);
            }
            memcpy(proof[n], leaves[0], DG_HASH_SIZE);
            assert_int_not_equal(dg_merkle_verify_inclusion(i, s, leaves[i], pp, n + 1, roots[s]),
                                 0);
        }
    }
    for (uint64_t s2 = 0; s2 <= N; s2++) {
        for (uint64_t s1 = 0; s1 <= s2; s1++) {
            assert_int_equal(
                dg_merkle_prove_consistency(&src, s1, s2, proof, DG_MERKLE_MAX_PROOF, &n), 0);
            const uint8_t(*pp)[DG_HASH_SIZE] = (const uint8_t(*)[DG_HASH_SIZE])proof;
            assert_int_equal(dg_merkle_verify_consistency(s1, s2, roots[s1], roots[s2], pp, n), 0);
            if (s1 > 0 && s1 < s2) {
                assert_int_not_equal(
                    dg_merkle_verify_consistency(s1, s2, roots[s2], roots[s1], pp, n), 0);
                proof[0][0] ^= 1;
                assert_int_not_equal(
                    dg_merkle_verify_consistency(s1, s2, roots[s1], roots[s2], pp, n), 0);
                proof[0][0] ^= 1;
                assert_int_not_equal(
                    dg_merkle_verify_consistency(s1, s2, roots[s1], roots[s2], pp, n - 1), 0);
                memcpy(proof[n], roots[0], DG_HASH_SIZE);
                assert_int_not_equal(
                    dg_merkle_verify_consistency(s1, s2, roots[s1], roots[s2], pp, n + 1), 0);
                if (s1 + 1 < s2)
                    assert_int_not_equal(
                        dg_merkle_verify_consistency(s1 + 1, s2, roots[s1 + 1], roots[s2], pp, n),
                        0);
            }
        }
    }
}

/* ---- proof JSON ------------------------------------------------------------------------ */

static void proof_json_round_trip_and_errors(void **state)
{
    (void)state;
    struct dg_proof p, q;
    struct dg_error err;
    const char *in = "{\"leafIdx\":5,\"treeSize\":8,"
                     "\"root\":\"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\","
                     "\"leafHash\":\"QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=\","
                     "\"proof\":[\"vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=\","
                     "\"yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=\","
                     "\"037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=\"]}";
    assert_int_equal(dg_proof_parse(in, strlen(in), &p, &err), 0);
    assert_int_equal(p.want_err, -1);
    assert_int_equal(dg_proof_verify(&p), 0);
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    assert_int_equal(dg_proof_format(&p, &b), 0);
    assert_string_equal(b.data, in);
    assert_int_equal(dg_proof_parse(b.data, b.len, &q, &err), 0);
    assert_int_equal(dg_proof_verify(&q), 0);
    dg_buf_release(&b);

    const char *bad[] = {
        "",
        "[]",
        "{}",
        "{\"leafIdx\":1,\"size1\":2}",
        "{\"leafIdx\":-1,\"treeSize\":1,\"root\":\"\","
        "\"leafHash\":\"\"}",
        "{\"leafIdx\":0.5,\"treeSize\":1,\"root\":\"\",\"leafHash\":\"\"}",
        "{\"leafIdx\":0,\"treeSize\":1,\"root\":\"!!!!\",\"leafHash\":\"\"}",
        "{\"leafIdx\":0,\"treeSize\":1,\"root\":\"\",\"leafHash\":\"\",\"proof\":{}}",
        "{\"leafIdx\":0,\"treeSize\":1,\"root\":\"\",\"leafHash\":\"\",\"proof\":[1]}",
        "{\"leafIdx\":0,\"treeSize\":1,\"root\":\"\",\"leafHash\":\"\",\"wantErr\":1}",
        "{\"size1\":0,\"size2\":1,\"root1\":\"AA=\",\"root2\":\"\"}",
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++)
        assert_int_equal(dg_proof_parse(bad[i], strlen(bad[i]), &p, &err), DG_EPARSE);
    /* Valid base64 of the wrong length parses but never verifies. */
    const char *shorthash = "{\"size1\":1,\"size2\":1,\"root1\":\"AAAA\",\"root2\":\"AAAA\"}";
    assert_int_equal(dg_proof_parse(shorthash, strlen(shorthash), &p, &err), 0);
    assert_true(p.bad_hash);
    assert_int_equal(dg_proof_verify(&p), DG_EPROOF);
}

/* ---- tile paths ------------------------------------------------------------------------- */

static void tile_paths(void **state)
{
    (void)state;
    char p[DG_TILE_PATH_MAX + 1];
    assert_int_equal(dg_tile_path(p, sizeof(p), 0, 1234067, 0), 0);
    assert_string_equal(p, "tile/0/x001/x234/067");
    assert_int_equal(dg_tile_path(p, sizeof(p), 1, 5, 17), 0);
    assert_string_equal(p, "tile/1/005.p/17");
    assert_int_equal(dg_tile_path(p, sizeof(p), DG_TILE_ENTRIES, 1000, 0), 0);
    assert_string_equal(p, "tile/entries/x001/000");
    assert_int_equal(dg_tile_path(p, sizeof(p), 63, UINT64_MAX, 255), 0);
    assert_string_equal(p, "tile/63/x018/x446/x744/x073/x709/x551/615.p/255");
    assert_int_equal(dg_tile_path(p, sizeof(p), 0, 1, 256), DG_EINVAL);
    assert_int_equal(dg_tile_path(p, sizeof(p), 64, 1, 0), DG_EINVAL);

    int level;
    uint64_t n;
    unsigned w;
    const char *good = "tile/entries/x001/x234/067.p/8";
    assert_int_equal(dg_tile_path_parse(good, strlen(good), &level, &n, &w), 0);
    assert_int_equal(level, DG_TILE_ENTRIES);
    assert_int_equal(n, 1234067);
    assert_int_equal(w, 8);
    const char *max = "tile/63/x018/x446/x744/x073/x709/x551/615";
    assert_int_equal(dg_tile_path_parse(max, strlen(max), &level, &n, &w), 0);
    assert_true(n == UINT64_MAX);
    const char *bad[] = {
        "tile/0/1",         "tile/00/001",          "tile/64/001",
        "tile/0/x000/001",  "tile/0/001.p/0",       "tile/0/001.p/256",
        "tile/0/001.p/08",  "tile/0/001/",          "tile/0/x001",
        "tile/0/001.p",     "tile/x/001",           "tile/0/../001",
        "tile/0/0010",      "tiles/0/001",          "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/001.p/5/6", "tile/entries/001.q/5",
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++)
        if (dg_tile_path_parse(bad[i], strlen(bad[i]), &level, &n, &w) != DG_EINVAL)
            fail_msg("accepted bad tile path %s", bad[i]);
}

static int count_cb(void *arg, const uint8_t *e, size_t len)
{
    (void)e;
    *(size_t *)arg += len;
    return 0;
}

static void bundles(void **state)
{
    (void)state;
    const uint8_t b[] = {0, 3, 'o', 'n', 'e', 0, 0, 0, 2, 'h', 'i'};
    size_t total = 0;
    assert_int_equal(dg_bundle_parse(b, sizeof(b), 256, NULL, NULL), 3);
    assert_int_equal(dg_bundle_parse(b, sizeof(b), 256, count_cb, &total), 0);
    assert_int_equal(total, 5);
    assert_int_equal(dg_bundle_parse(b, sizeof(b) - 1, 256, NULL, NULL), DG_ETILE);
    assert_int_equal(dg_bundle_parse(b, 1, 256, NULL, NULL), DG_ETILE);
    assert_int_equal(dg_bundle_parse(b, sizeof(b), 2, NULL, NULL), DG_ETILE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(transparency_dev_vectors),
        cmocka_unit_test(classic_roots),
        cmocka_unit_test(generated_match_vectors),
        cmocka_unit_test(generated_proofs_all_sizes),
        cmocka_unit_test(proof_json_round_trip_and_errors),
        cmocka_unit_test(tile_paths),
        cmocka_unit_test(bundles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
