/*
 * fuzz_audit_entry.c - libFuzzer target for audit entries: the binary
 * decoder (public part, and private part checked against its commitment)
 * and the JSON reader.
 *
 * Input: two bytes giving the length of the public part, the public part,
 * the private part. Promises checked: an entry that decodes encodes back to
 * the same bytes (the encoding is canonical); an entry read from JSON that
 * encodes decodes back to itself.
 */
#include "fuzz.h"

#include <dmvgate/audit.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dg_audit_entry *e = malloc(sizeof(*e)), *d = malloc(sizeof(*d));
    if (!e || !d)
        abort();
    struct dg_error err;
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    if (size >= 2) {
        size_t pl = (size_t)data[0] << 8 | data[1];
        if (pl > size - 2)
            pl = size - 2;
        const uint8_t *p = data + 2, *q = data + 2 + pl;
        size_t ql = size - 2 - pl;
        if (dg_audit_entry_decode(p, pl, ql ? q : NULL, ql, e, &err) == 0) {
            if (e->has_private) {
                if (dg_audit_entry_encode(e, e->salt, &pub, &priv, &err) || pub.len != pl ||
                    memcmp(pub.data, p, pl) != 0 || priv.len != ql || memcmp(priv.data, q, ql) != 0)
                    abort();
            }
            struct dg_buf j;
            dg_buf_init(&j, 1 << 20);
            if (dg_audit_entry_to_json(e, true, &j))
                abort();
            dg_buf_release(&j);
        }
    }
    dg_buf_reset(&pub);
    dg_buf_reset(&priv);
    if (dg_audit_entry_from_json((const char *)data, size, e, &err) == 0 &&
        dg_audit_entry_encode(e, e->salt, &pub, &priv, &err) == 0) {
        if (dg_audit_entry_decode((const uint8_t *)pub.data, pub.len, (const uint8_t *)priv.data,
                                  priv.len, d, &err))
            abort();
    }
    dg_buf_release(&pub);
    dg_buf_release(&priv);
    free(e);
    free(d);
    return 0;
}
