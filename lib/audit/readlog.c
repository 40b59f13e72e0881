/*
 * readlog.c - reading a log directory without opening the log: the entry
 * iterator (replay, dumps), the public files a node serves, and proofs made
 * from the tiles. None of these takes the writer's lock; they read files
 * that the writer only ever adds to or replaces by rename.
 */
#include "audit_int.h"

#include <stdio.h>
#include <string.h>

struct dg_audit_iter {
    struct dg__reader r;
};

int dg_audit_iter_open(const char *dir, uint64_t from, struct dg_audit_iter **out,
                       struct dg_error *err)
{
    struct dg_audit_iter *it = dg_calloc(1, sizeof(*it));
    if (!it)
        return DG_ENOMEM;
    int rc = dg__reader_open(&it->r, dir, from, UINT64_MAX, err);
    if (rc) {
        dg__reader_close(&it->r);
        dg_free(it);
        return rc;
    }
    *out = it;
    return 0;
}

int dg_audit_iter_next(struct dg_audit_iter *it, struct dg_audit_record *rec, struct dg_error *err)
{
    struct dg__rec r;
    int rc = dg__reader_next(&it->r, &r, err);
    if (rc != 1)
        return rc;
    rec->index = r.index;
    rec->pub = r.pub;
    rec->pub_len = r.pub_len;
    rec->priv = r.priv;
    rec->priv_len = r.priv_len;
    return 1;
}

void dg_audit_iter_free(struct dg_audit_iter *it)
{
    if (!it)
        return;
    dg__reader_close(&it->r);
    dg_free(it);
}

int dg_audit_public_read(const char *dir, const char *path, struct dg_buf *out,
                         struct dg_error *err)
{
    if (path[0] == '/')
        path++;
    size_t len = strlen(path);
    if (strcmp(path, "checkpoint") != 0) {
        int level;
        uint64_t n;
        unsigned w;
        char canon[DG_TILE_PATH_MAX + 1];
        /* Only the canonical spelling of a tile path, so that nothing else
         * under the directory can be named. */
        if (dg_tile_path_parse(path, len, &level, &n, &w) ||
            dg_tile_path(canon, sizeof(canon), level, n, w) || strcmp(canon, path) != 0)
            return dg_error_set(err, DG_EINVAL, NULL, -1, "not a log resource: '%s'", path);
    }
    int rc = dg_tlog_fetch_dir((void *)dir, path, out);
    if (rc == DG_ENOENT)
        return dg_error_set(err, rc, NULL, -1, "no such resource '%s'", path);
    return rc ? dg_error_set(err, rc, NULL, -1, "cannot read '%s'", path) : 0;
}

/* The size of the checkpoint published in dir (its signature is not
 * checked: a proof is only as good as the checkpoint its user verifies). */
static int published_size(const char *dir, uint64_t *size, struct dg_error *err)
{
    struct dg_buf b;
    dg_buf_init(&b, DG_NOTE_MAX_SIZE);
    int rc = dg_audit_public_read(dir, "checkpoint", &b, err);
    if (!rc) {
        const char *blank = strstr(b.data, "\n\n");
        struct dg_checkpoint c;
        rc = blank ? dg_checkpoint_parse(b.data, (size_t)(blank - b.data) + 1, &c, err)
                   : dg_error_set(err, DG_ECHECKPOINT, NULL, -1, "checkpoint has no signatures");
        if (!rc)
            *size = c.size;
    }
    dg_buf_release(&b);
    return rc;
}

int dg_audit_prove_json(const char *dir, uint64_t index, uint64_t size, struct dg_buf *out,
                        struct dg_error *err)
{
    uint64_t n;
    int rc = published_size(dir, &n, err);
    if (rc)
        return rc;
    if (size == 0)
        size = n;
    if (size > n || index >= size)
        return dg_error_set(
            err, DG_ERANGE, NULL, -1, "index %llu is not in a tree of size %llu (checkpoint: %llu)",
            (unsigned long long)index, (unsigned long long)size, (unsigned long long)n);
    struct dg_proof *p = dg_calloc(1, sizeof(*p));
    struct dg_tlog_reader *r = NULL;
    if (!p || dg_tlog_reader_new(dg_tlog_fetch_dir, (void *)dir, n, &r)) {
        dg_free(p);
        return DG_ENOMEM;
    }
    p->kind = DG_PROOF_INCLUSION;
    p->index = index;
    p->size = size;
    struct dg_merkle_nodes src = dg_tlog_reader_nodes(r);
    rc = dg_tlog_leaf(r, index, p->leaf, err);
    if (!rc)
        rc = dg_tlog_root(r, size, p->root, err);
    if (!rc && (rc = dg_merkle_prove_inclusion(&src, index, size, p->proof, DG_MERKLE_MAX_PROOF,
                                               &p->nproof)))
        dg_error_set(err, rc, NULL, (long)index, "cannot make the proof from the tiles");
    if (!rc)
        rc = dg_proof_format(p, out);
    dg_tlog_reader_free(r);
    dg_free(p);
    return rc;
}

int dg_audit_consistency_json(const char *dir, uint64_t from, uint64_t to, struct dg_buf *out,
                              struct dg_error *err)
{
    uint64_t n;
    int rc = published_size(dir, &n, err);
    if (rc)
        return rc;
    if (to == 0)
        to = n;
    if (to > n || from > to)
        return dg_error_set(
            err, DG_ERANGE, NULL, -1, "no consistency proof from %llu to %llu (checkpoint: %llu)",
            (unsigned long long)from, (unsigned long long)to, (unsigned long long)n);
    struct dg_proof *p = dg_calloc(1, sizeof(*p));
    struct dg_tlog_reader *r = NULL;
    if (!p || dg_tlog_reader_new(dg_tlog_fetch_dir, (void *)dir, n, &r)) {
        dg_free(p);
        return DG_ENOMEM;
    }
    p->kind = DG_PROOF_CONSISTENCY;
    p->size1 = from;
    p->size2 = to;
    struct dg_merkle_nodes src = dg_tlog_reader_nodes(r);
    rc = dg_tlog_root(r, from, p->root1, err);
    if (!rc)
        rc = dg_tlog_root(r, to, p->root2, err);
    if (!rc && (rc = dg_merkle_prove_consistency(&src, from, to, p->proof, DG_MERKLE_MAX_PROOF,
                                                 &p->nproof)))
        dg_error_set(err, rc, NULL, -1, "cannot make the proof from the tiles");
    if (!rc)
        rc = dg_proof_format(p, out);
    dg_tlog_reader_free(r);
    dg_free(p);
    return rc;
}
