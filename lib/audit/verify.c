/*
 * verify.c - full verification of a log directory (`dmvgate audit verify`):
 * recompute everything from the entries and compare it with everything on
 * disk. The segments' framing, checksums and indices; each entry's encoding
 * and the commitment to its private part; every full tile and entry bundle
 * and every partial one present; the root of the published checkpoint and
 * of the persisted state; with keys, the checkpoint's signature. It stops at
 * the first inconsistency and says which entry and why.
 */
#include "audit_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct target {
    bool have;
    uint64_t size;
    uint8_t root[DG_HASH_SIZE];
    const char *what;
};

static int read_checkpoint(const char *dir, struct dg_note_verifier *const *keys, size_t nkeys,
                           struct dg_checkpoint *c, bool *have, struct dg_error *err)
{
    struct dg_buf b;
    dg_buf_init(&b, DG_NOTE_MAX_SIZE);
    char path[4400];
    snprintf(path, sizeof(path), "%s/checkpoint", dir);
    int rc = dg__read_file(path, DG_NOTE_MAX_SIZE, &b);
    *have = rc == 0;
    if (rc == DG_ENOENT) {
        rc = nkeys ? dg_error_set(err, DG_ELOGCORRUPT, NULL, -1, "no checkpoint in '%s'", dir) : 0;
    } else if (rc) {
        dg_error_set(err, rc, NULL, -1, "cannot read '%s'", path);
    } else if (nkeys) {
        struct dg_error e2;
        rc = dg_checkpoint_open(b.data, b.len, keys, nkeys, c, &e2);
        if (rc)
            rc = dg_error_set(err, rc == DG_ESIG ? DG_ESIG : DG_ELOGCORRUPT, NULL, -1,
                              "checkpoint: %s", e2.msg);
    } else {
        const char *blank = strstr(b.data, "\n\n");
        struct dg_error e2;
        rc = blank ? dg_checkpoint_parse(b.data, (size_t)(blank - b.data) + 1, c, &e2)
                   : dg_error_set(&e2, DG_ECHECKPOINT, NULL, -1, "no signature lines");
        if (rc)
            rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, -1, "checkpoint: %s", e2.msg);
    }
    dg_buf_release(&b);
    return rc;
}

/* Entries from the public entry bundles, for a mirror without segments:
 * what a witness or monitor has. */
struct bundles {
    const char *dir;
    uint64_t size, next;
    struct dg_buf b;
    size_t pos;
};

static int bundle_next(struct bundles *bs, const uint8_t **entry, size_t *len, struct dg_error *err)
{
    if (bs->next >= bs->size)
        return 0;
    if (bs->pos >= bs->b.len) {
        uint64_t n = bs->next / DG_TILE_WIDTH;
        unsigned w = (n + 1) * DG_TILE_WIDTH <= bs->size ? 0 : (unsigned)(bs->size % DG_TILE_WIDTH);
        char path[DG_TILE_PATH_MAX + 1];
        dg_tile_path(path, sizeof(path), DG_TILE_ENTRIES, n, w);
        dg_buf_reset(&bs->b);
        bs->pos = 0;
        int rc = dg_tlog_fetch_dir((void *)bs->dir, path, &bs->b);
        if (rc)
            return dg_error_set(err, rc == DG_ENOENT ? DG_ELOGCORRUPT : rc, NULL, (long)bs->next,
                                "cannot read %s", path);
    }
    const uint8_t *p = (const uint8_t *)bs->b.data + bs->pos;
    size_t left = bs->b.len - bs->pos;
    size_t l = left >= 2 ? dg__get_be16(p) : 0;
    if (left < 2 || l > left - 2)
        return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)bs->next,
                            "entry bundle truncated at entry %llu", (unsigned long long)bs->next);
    *entry = p + 2;
    *len = l;
    bs->pos += 2 + l;
    bs->next++;
    if (bs->next % DG_TILE_WIDTH == 0 && bs->pos != bs->b.len)
        return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)bs->next - 1,
                            "entry bundle holds more than %d entries", DG_TILE_WIDTH);
    if (bs->next == bs->size && bs->pos != bs->b.len)
        return dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)bs->next - 1,
                            "entry bundle holds more entries than the checkpoint");
    return 1;
}

static int check_target(struct dg__tilebuild *tb, const struct target *t, struct dg_error *err)
{
    if (!t->have || tb->size != t->size)
        return 0;
    uint8_t root[DG_HASH_SIZE];
    dg__tilebuild_root(tb, root);
    if (memcmp(root, t->root, DG_HASH_SIZE) != 0)
        return dg_error_set(err, DG_ELOGCORRUPT, NULL, t->size ? (long)t->size - 1 : -1,
                            "the entries do not reproduce the root of the %s (size %llu)", t->what,
                            (unsigned long long)t->size);
    return 0;
}

int dg_audit_verify_dir(const char *dir, struct dg_note_verifier *const *keys, size_t nkeys,
                        uint64_t *entries, struct dg_error *err)
{
    struct dg_checkpoint cp;
    bool have_cp;
    int rc = read_checkpoint(dir, keys, nkeys, &cp, &have_cp, err);
    if (rc)
        return rc;
    struct dg__state st;
    memset(&st, 0, sizeof(st));
    dg_buf_init(&st.note, DG_NOTE_MAX_SIZE);
    rc = dg__state_read(dir, &st, err);
    bool have_st = rc == 0;
    if (rc == DG_ENOENT)
        rc = 0;
    if (!rc && have_st && have_cp && strcmp(st.origin, cp.origin) != 0)
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, -1,
                          "the checkpoint's origin '%s' is not the log's ('%s')", cp.origin,
                          st.origin);
    if (!rc && have_st && have_cp && st.size < cp.size)
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, -1,
                          "a checkpoint of size %llu is published but only %llu was recorded",
                          (unsigned long long)cp.size, (unsigned long long)st.size);
    dg_buf_release(&st.note);
    if (rc)
        return rc;
    struct target tc = {have_cp, have_cp ? cp.size : 0, {0}, "published checkpoint"};
    struct target ts = {have_st, st.size, {0}, "signed state"};
    if (have_cp)
        memcpy(tc.root, cp.root, DG_HASH_SIZE);
    memcpy(ts.root, st.root, DG_HASH_SIZE);

    struct dg__tilebuild tb;
    struct dg__reader rd;
    struct dg_audit_entry *e = dg_malloc(sizeof(*e));
    memset(&rd, 0, sizeof(rd));
    rd.fd = -1;
    if (!e || (rc = dg__tilebuild_init(&tb, dir, true))) {
        dg_free(e);
        return DG_ENOMEM;
    }
    char segdir[4400];
    struct stat sb;
    snprintf(segdir, sizeof(segdir), "%s/private/seg", dir);
    bool mirror = stat(segdir, &sb) != 0;
    struct bundles bs = {dir, have_cp ? cp.size : 0, 0, {0}, 0};
    dg_buf_init(&bs.b, (size_t)DG_TILE_WIDTH * (2 + DG_AUDIT_ENTRY_MAX));
    if (mirror && !have_cp)
        rc = dg_error_set(err, DG_ENOENT, NULL, -1, "no audit log in '%s'", dir);
    else if (!mirror)
        rc = dg__reader_open(&rd, dir, 0, UINT64_MAX, err);
    while (!rc) {
        if ((rc = check_target(&tb, &tc, err)) || (rc = check_target(&tb, &ts, err)))
            break;
        struct dg_error e2;
        if (have_cp && tb.size == cp.size && (rc = dg__tilebuild_partials(&tb, &e2))) {
            rc = dg_error_set(err, rc, NULL, tb.size ? (long)tb.size - 1 : -1,
                              "at the checkpoint: %s", e2.msg);
            break;
        }
        struct dg__rec rec = {0};
        if (mirror) {
            size_t len = 0;
            rc = bundle_next(&bs, &rec.pub, &len, err);
            rec.pub_len = (uint32_t)len;
        } else {
            rc = dg__reader_next(&rd, &rec, err);
        }
        if (rc <= 0)
            break;
        rc = 0;
        uint64_t idx = tb.size;
        if (dg_audit_entry_is_entry(rec.pub, rec.pub_len)) {
            if (dg_audit_entry_decode(rec.pub, rec.pub_len, rec.priv, rec.priv_len, e, &e2)) {
                rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)idx, "%s", e2.msg);
                break;
            }
        }
        if ((rc = dg__tilebuild_add(&tb, rec.pub, rec.pub_len, err))) {
            if (err)
                err->offset = (long)idx;
            rc = DG_ELOGCORRUPT;
            break;
        }
    }
    if (!rc && !mirror && rd.torn &&
        ((have_cp && tb.size < cp.size) || (have_st && tb.size < st.size)))
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)tb.size,
                          "entry %llu is damaged (bad frame or checksum) but a signed checkpoint "
                          "covers it",
                          (unsigned long long)tb.size);
    if (!rc && have_cp && tb.size < cp.size)
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)tb.size,
                          "the checkpoint has size %llu but the log only %llu entries",
                          (unsigned long long)cp.size, (unsigned long long)tb.size);
    if (!rc && have_st && tb.size < st.size)
        rc = dg_error_set(err, DG_ELOGCORRUPT, NULL, (long)tb.size,
                          "the signed state has size %llu but the log only %llu entries",
                          (unsigned long long)st.size, (unsigned long long)tb.size);
    if (!rc && (rc = dg__tilebuild_check_right_edge(&tb, err)))
        rc = DG_ELOGCORRUPT;
    if (!rc && entries)
        *entries = tb.size;
    if (!mirror)
        dg__reader_close(&rd);
    dg_buf_release(&bs.b);
    dg__tilebuild_release(&tb);
    dg_free(e);
    return rc;
}
