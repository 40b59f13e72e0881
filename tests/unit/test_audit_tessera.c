/*
 * test_audit_tessera.c - interoperability with transparency-dev/tessera:
 * appending the 15 leaves of ../shared/testdata/tlog-tessera with its key
 * must reproduce every checkpoint, tile and entry bundle there byte for
 * byte, and our verifier must accept their log as it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_test_util.h"

#include <dirent.h>

static const char *const LEAVES[] = {"one",    "two",   "three",    "four",    "five",
                                     "six",    "seven", "eit",      "nain",    "ten",
                                     "ileven", "twelf", "threeten", "fourten", "fivten"};

static void assert_same_file(const char *ours, const char *theirs)
{
    struct dg_buf a, b;
    assert_int_equal(tu_read(theirs, &b), 0);
    int rc = tu_read(ours, &a);
    if (rc)
        fail_msg("missing %s", ours);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        fail_msg("%s differs from %s", ours, theirs);
    dg_buf_release(&a);
    dg_buf_release(&b);
}

/* Every file under theirs/rel exists, identical, under ours/rel, and ours
 * has no file that theirs lacks. Returns the number of files compared. */
static int compare_tree(const char *ours, const char *theirs, const char *rel)
{
    char a[1024], b[1024];
    snprintf(a, sizeof(a), "%s/%s", ours, rel);
    snprintf(b, sizeof(b), "%s/%s", theirs, rel);
    struct stat st;
    assert_int_equal(stat(b, &st), 0);
    if (!S_ISDIR(st.st_mode)) {
        assert_same_file(a, b);
        return 1;
    }
    int n = 0;
    DIR *d = opendir(b);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024];
        snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
        n += compare_tree(ours, theirs, sub);
    }
    closedir(d);
    /* and nothing extra on our side */
    d = opendir(a);
    assert_non_null(d);
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char other[1400];
        snprintf(other, sizeof(other), "%s/%s", b, e->d_name);
        if (stat(other, &st) != 0)
            fail_msg("%s/%s has no counterpart in the tessera log", a, e->d_name);
    }
    closedir(d);
    return n;
}

static void reproduces_tessera_log(void **state)
{
    (void)state;
    char skey[256], vkey[256];
    assert_int_equal(tu_readme_key("signer key:", skey, sizeof(skey)), 0);
    assert_int_equal(tu_readme_key("verifier key:", vkey, sizeof(vkey)), 0);
    struct dg_note_signer *signer;
    struct dg_error err;
    assert_int_equal(dg_note_signer_parse(skey, strlen(skey), &signer, &err), 0);
    struct dg_buf vk;
    dg_buf_init(&vk, 1024);
    assert_int_equal(dg_note_signer_vkey(signer, &vk), 0);
    assert_string_equal(vk.data, vkey);
    dg_buf_release(&vk);

    char tmp[256], dir[300], theirs[1024];
    tu_tmpdir(tmp);
    snprintf(dir, sizeof(dir), "%s/log", tmp);
    snprintf(theirs, sizeof(theirs), "%s/testdata/tlog-tessera", tu_shared());

    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = dir;
    o.signer = signer;
    o.flags = DG_AUDIT_CREATE;
    o.checkpoint_ms = 0;
    struct dg_audit_log *log;
    int rc = dg_audit_open(&o, &log, &err);
    if (rc)
        fail_msg("open: %s", err.msg);

    char ours_p[1100], theirs_p[1100];
    snprintf(ours_p, sizeof(ours_p), "%s/checkpoint", dir);
    snprintf(theirs_p, sizeof(theirs_p), "%s/checkpoint.0", theirs);
    assert_same_file(ours_p, theirs_p);

    for (unsigned i = 0; i < DG_ARRAY_LEN(LEAVES); i++) {
        uint64_t idx = 99;
        assert_int_equal(dg_audit_append(log, LEAVES[i], strlen(LEAVES[i]), NULL, 0, &idx), 0);
        assert_int_equal(idx, i);
        assert_int_equal(dg_audit_publish(log, &err), 0);
        snprintf(theirs_p, sizeof(theirs_p), "%s/checkpoint.%u", theirs, i + 1);
        assert_same_file(ours_p, theirs_p);
        char a[1100], b[1100];
        snprintf(a, sizeof(a), "%s/tile/0/000.p/%u", dir, i + 1);
        snprintf(b, sizeof(b), "%s/tile/0/000.p/%u", theirs, i + 1);
        assert_same_file(a, b);
        snprintf(a, sizeof(a), "%s/tile/entries/000.p/%u", dir, i + 1);
        snprintf(b, sizeof(b), "%s/tile/entries/000.p/%u", theirs, i + 1);
        assert_same_file(a, b);
    }
    struct dg_buf cp;
    dg_buf_init(&cp, DG_NOTE_MAX_SIZE);
    assert_int_equal(dg_audit_checkpoint(log, &cp), 0);
    struct dg_buf want;
    snprintf(theirs_p, sizeof(theirs_p), "%s/checkpoint", theirs);
    assert_int_equal(tu_read(theirs_p, &want), 0);
    assert_int_equal(cp.len, want.len);
    assert_memory_equal(cp.data, want.data, cp.len);
    dg_buf_release(&cp);
    dg_buf_release(&want);
    assert_int_equal(dg_audit_close(log), 0);

    /* The whole tile tree, file for file. */
    assert_int_equal(compare_tree(dir, theirs, "tile"), 30);
    assert_same_file(ours_p, theirs_p);

    /* Our verifier on our log and on theirs (no segments: tiles only). */
    struct dg_note_verifier *v;
    assert_int_equal(dg_note_verifier_parse(vkey, strlen(vkey), &v, &err), 0);
    uint64_t n = 0;
    rc = dg_audit_verify_dir(dir, &v, 1, &n, &err);
    if (rc)
        fail_msg("verify: %s", err.msg);
    assert_int_equal(n, 15);

    /* Proofs from their tiles verify against their checkpoint's root. */
    struct dg_buf pj;
    dg_buf_init(&pj, 1 << 16);
    for (uint64_t i = 0; i < 15; i++) {
        dg_buf_reset(&pj);
        assert_int_equal(dg_audit_prove_json(theirs, i, 0, &pj, &err), 0);
        struct dg_proof p;
        assert_int_equal(dg_proof_parse(pj.data, pj.len, &p, &err), 0);
        assert_int_equal(dg_proof_verify(&p), 0);
        uint8_t leaf[DG_HASH_SIZE];
        dg_merkle_leaf_hash(LEAVES[i], strlen(LEAVES[i]), leaf);
        assert_memory_equal(leaf, p.leaf, DG_HASH_SIZE);
    }
    for (uint64_t a = 0; a <= 15; a++) {
        dg_buf_reset(&pj);
        assert_int_equal(dg_audit_consistency_json(theirs, a, 15, &pj, &err), 0);
        struct dg_proof p;
        assert_int_equal(dg_proof_parse(pj.data, pj.len, &p, &err), 0);
        assert_int_equal(dg_proof_verify(&p), 0);
    }
    dg_buf_release(&pj);
    dg_note_verifier_free(v);
    dg_note_signer_free(signer);
    tu_rmdir(tmp);
}

/* Their checkpoints open with their verifier key, and every size's root
 * matches what our tile reader computes from their tiles. */
static void opens_tessera_checkpoints(void **state)
{
    (void)state;
    char vkey[256], theirs[1024];
    assert_int_equal(tu_readme_key("verifier key:", vkey, sizeof(vkey)), 0);
    snprintf(theirs, sizeof(theirs), "%s/testdata/tlog-tessera", tu_shared());
    struct dg_note_verifier *v;
    struct dg_error err;
    assert_int_equal(dg_note_verifier_parse(vkey, strlen(vkey), &v, &err), 0);
    struct dg_tlog_reader *r;
    assert_int_equal(dg_tlog_reader_new(dg_tlog_fetch_dir, theirs, 15, &r), 0);
    for (int i = 0; i <= 15; i++) {
        char p[1100];
        snprintf(p, sizeof(p), "%s/checkpoint.%d", theirs, i);
        struct dg_buf b;
        assert_int_equal(tu_read(p, &b), 0);
        struct dg_checkpoint c;
        int rc = dg_checkpoint_open(b.data, b.len, &v, 1, &c, &err);
        if (rc)
            fail_msg("checkpoint.%d: %s", i, err.msg);
        assert_string_equal(c.origin, "example.com/log/testdata");
        assert_int_equal(c.size, i);
        uint8_t root[DG_HASH_SIZE];
        assert_int_equal(dg_tlog_root(r, (uint64_t)i, root, &err), 0);
        assert_memory_equal(root, c.root, DG_HASH_SIZE);
        dg_buf_release(&b);
    }
    dg_tlog_reader_free(r);
    dg_note_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reproduces_tessera_log),
        cmocka_unit_test(opens_tessera_checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
