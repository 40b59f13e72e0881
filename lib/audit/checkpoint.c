/*
 * checkpoint.c - C2SP tlog-checkpoint note text: the origin line, the tree
 * size and the base64 root hash, then optional extension lines. This is the
 * signed tree head a witness checks and co-signs.
 */
#include "audit_int.h"

#include <string.h>

int dg_checkpoint_parse(const char *text, size_t n, struct dg_checkpoint *out, struct dg_error *err)
{
    if (n == 0 || text[n - 1] != '\n')
        return dg_error_set(err, DG_ECHECKPOINT, NULL, -1,
                            "checkpoint text does not end with a newline");
    if (n > DG_NOTE_MAX_SIZE)
        return dg_error_set(err, DG_ECHECKPOINT, NULL, -1, "checkpoint text too large");
    struct dg_checkpoint c;
    memset(&c, 0, sizeof(c));
    size_t p = 0;
    for (int line = 1; p < n; line++) {
        const char *s = text + p;
        const char *nl = memchr(s, '\n', n - p);
        size_t len = (size_t)(nl - s);
        if (len == 0)
            return dg_error_setpos(err, DG_ECHECKPOINT, line, 1, "empty line in checkpoint");
        if (memchr(s, '\0', len))
            return dg_error_setpos(err, DG_ECHECKPOINT, line, 1, "NUL in checkpoint");
        if (line == 1) {
            if (len > DG_CHECKPOINT_ORIGIN_MAX)
                return dg_error_setpos(err, DG_ECHECKPOINT, 1, 1, "origin longer than %d bytes",
                                       DG_CHECKPOINT_ORIGIN_MAX);
            memcpy(c.origin, s, len);
        } else if (line == 2) {
            if (dg__parse_u64(s, len, &c.size))
                return dg_error_setpos(err, DG_ECHECKPOINT, 2, 1,
                                       "tree size is not a decimal number without leading zeroes");
        } else if (line == 3) {
            size_t hl;
            uint8_t h[DG_HASH_SIZE + 3];
            if (dg__b64_decode(s, len, h, sizeof(h), &hl) || hl != DG_HASH_SIZE)
                return dg_error_setpos(err, DG_ECHECKPOINT, 3, 1,
                                       "root hash is not base64 of 32 bytes");
            memcpy(c.root, h, DG_HASH_SIZE);
        } else {
            c.extensions++;
        }
        p += len + 1;
        if (p >= n && line < 3)
            return dg_error_setpos(err, DG_ECHECKPOINT, line + 1, 1,
                                   "checkpoint has fewer than three lines");
    }
    *out = c;
    return 0;
}

int dg_checkpoint_format(const struct dg_checkpoint *c, struct dg_buf *out)
{
    int rc = dg_buf_printf(out, "%s\n%llu\n", c->origin, (unsigned long long)c->size);
    if (!rc)
        rc = dg__b64_encode(c->root, DG_HASH_SIZE, out);
    return rc ? rc : dg_buf_addc(out, '\n');
}

int dg_checkpoint_open(const char *note, size_t n, struct dg_note_verifier *const *keys,
                       size_t nkeys, struct dg_checkpoint *out, struct dg_error *err)
{
    size_t tlen;
    int rc = dg_note_open(note, n, keys, nkeys, &tlen, NULL, err);
    return rc ? rc : dg_checkpoint_parse(note, tlen, out, err);
}
