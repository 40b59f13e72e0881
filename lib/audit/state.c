/*
 * state.c - the log's persisted signed state, DIR/private/state: the origin,
 * the size and root of the latest signed checkpoint, and that checkpoint.
 *
 * It is written durably (fsync, rename, fsync of the directory) before a
 * checkpoint is published, and read on open: the log never signs a size
 * smaller than the one recorded here, and refuses to open when its entries
 * do not reproduce the recorded root. Text, so an operator can read it:
 *
 *   dmvgate-audit-state 1
 *   <origin>
 *   <size>
 *   <base64 root>
 *   <the signed checkpoint note, to the end of the file>
 */
#include "audit_int.h"

#include <stdio.h>
#include <string.h>

static const char MAGIC[] = "dmvgate-audit-state 1\n";

int dg__state_read(const char *dir, struct dg__state *st, struct dg_error *err)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/private/state", dir);
    struct dg_buf b;
    dg_buf_init(&b, 2 * DG_NOTE_MAX_SIZE);
    int rc = dg__read_file(path, 2 * DG_NOTE_MAX_SIZE, &b);
    if (rc) {
        dg_buf_release(&b);
        if (rc == DG_ENOENT)
            return rc;
        return dg_error_set(err, rc, NULL, -1, "cannot read '%s'", path);
    }
    const char *s = b.data, *end = b.data + b.len;
    const char *lines[4];
    size_t lens[4];
    if (b.len < sizeof(MAGIC) - 1 || memcmp(s, MAGIC, sizeof(MAGIC) - 1) != 0)
        goto bad;
    s += sizeof(MAGIC) - 1;
    for (int i = 0; i < 3; i++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            goto bad;
        lines[i] = s;
        lens[i] = (size_t)(nl - s);
        s = nl + 1;
    }
    lines[3] = s;
    lens[3] = (size_t)(end - s);
    if (lens[0] == 0 || lens[0] > DG_CHECKPOINT_ORIGIN_MAX)
        goto bad;
    memcpy(st->origin, lines[0], lens[0]);
    st->origin[lens[0]] = '\0';
    size_t hl;
    if (dg__parse_u64(lines[1], lens[1], &st->size) ||
        dg__b64_decode(lines[2], lens[2], st->root, DG_HASH_SIZE, &hl) || hl != DG_HASH_SIZE)
        goto bad;
    dg_buf_reset(&st->note);
    rc = dg_buf_add(&st->note, lines[3], lens[3]);
    dg_buf_release(&b);
    return rc;
bad:
    dg_buf_release(&b);
    return dg_error_set(err, DG_ELOGCORRUPT, NULL, -1, "'%s' is malformed", path);
}

int dg__state_write(const char *dir, const struct dg__state *st, struct dg_error *err)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/private/state", dir);
    struct dg_buf b;
    dg_buf_init(&b, 2 * DG_NOTE_MAX_SIZE);
    int rc = dg_buf_printf(&b, "%s%s\n%llu\n", MAGIC, st->origin, (unsigned long long)st->size);
    if (!rc)
        rc = dg__b64_encode(st->root, DG_HASH_SIZE, &b);
    if (!rc)
        rc = dg_buf_addc(&b, '\n');
    if (!rc)
        rc = dg_buf_add(&b, st->note.data, st->note.len);
    if (!rc)
        rc = dg__write_file_atomic(path, b.data, b.len, 0600, true);
    dg_buf_release(&b);
    return rc ? dg_error_set(err, rc, NULL, -1, "cannot write '%s'", path) : 0;
}
