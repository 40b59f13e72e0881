/*
 * fuzz_note.c - libFuzzer target for signed notes, checkpoints and keys:
 * dg_note_open against a fixed key (the seeds are notes that key signed, so
 * the fuzzer reaches signature checking), dg_checkpoint_parse of the text
 * part, and the vkey/skey parsers on the first line.
 *
 * Promises checked: a note that opens has a text that ends in a newline and
 * is a prefix of the input; a checkpoint that parses formats back to the same
 * first three lines; a verifier key that parses formats back to itself.
 */
#include "fuzz.h"

#include <dmvgate/audit.h>

#include <stdlib.h>
#include <string.h>

/* A key made for this fuzzer with `dmvgate audit keygen` (test material). */
static const char SKEY[] =
    "PRIVATE+KEY+fuzz.dmvgate.test/log+3345f58b+AYWAPnTh/j4XuwvKK+pK65QDA2p8xKgdmbI1DdvjXyem";
static const char VKEY[] =
    "fuzz.dmvgate.test/log+3345f58b+Ac7D4EBs+CAtFvdeJg+1IY8FJ/stM04GIA33FT0Czj76";

static struct dg_note_verifier *keys[2];
static struct dg_note_signer *signer;

static void init(void)
{
    if (keys[0])
        return;
    struct dg_error err;
    if (dg_note_verifier_parse(VKEY, strlen(VKEY), &keys[0], &err) ||
        dg_note_signer_parse(SKEY, strlen(SKEY), &signer, &err))
        abort();
    const char *c2sp = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    if (dg_note_verifier_parse(c2sp, strlen(c2sp), &keys[1], &err))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    const char *s = (const char *)data;
    struct dg_error err;
    size_t tl = 0, nv = 0;
    int rc = dg_note_open(s, size, keys, 2, &tl, &nv, &err);
    if (rc == 0) {
        if (tl == 0 || tl > size || s[tl - 1] != '\n' || nv == 0)
            abort();
        struct dg_checkpoint c;
        if (dg_checkpoint_parse(s, tl, &c, &err) == 0) {
            struct dg_buf b;
            dg_buf_init(&b, DG_NOTE_MAX_SIZE);
            if (dg_checkpoint_format(&c, &b) || b.len > tl || memcmp(b.data, s, b.len) != 0)
                abort();
            dg_buf_release(&b);
        }
    } else if (rc != DG_ENOTE && rc != DG_ESIG && rc != DG_ENOMEM) {
        abort();
    }
    /* The whole input as checkpoint text, and as note text to sign. */
    struct dg_checkpoint c;
    (void)dg_checkpoint_parse(s, size, &c, &err);
    if (size < 4096) {
        struct dg_buf b;
        dg_buf_init(&b, DG_NOTE_MAX_SIZE);
        if (dg_note_sign(signer, s, size, &b, &err) == 0) {
            size_t t2;
            if (dg_note_open(b.data, b.len, keys, 1, &t2, NULL, &err) != 0 || t2 != size)
                abort(); /* what we sign, we must be able to open */
        }
        dg_buf_release(&b);
    }
    /* The first line as keys. */
    const char *nl = memchr(s, '\n', size);
    size_t l = nl ? (size_t)(nl - s) : size;
    struct dg_note_verifier *v;
    if (dg_note_verifier_parse(s, l, &v, &err) == 0) {
        dg_note_verifier_free(v);
    }
    struct dg_note_signer *sg;
    if (dg_note_signer_parse(s, l, &sg, &err) == 0) {
        struct dg_buf b;
        dg_buf_init(&b, 1024);
        if (dg_note_signer_vkey(sg, &b))
            abort();
        if (dg_note_verifier_parse(b.data, b.len, &v, &err))
            abort();
        dg_note_verifier_free(v);
        dg_buf_release(&b);
        dg_note_signer_free(sg);
    }
    return 0;
}
