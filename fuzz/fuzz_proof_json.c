/*
 * fuzz_proof_json.c - libFuzzer target for Merkle proofs in JSON (the format
 * `dmvgate audit verify-proof` reads): parse, verify, and check that a proof
 * that parses formats to JSON that parses to the same proof and verdict.
 */
#include "fuzz.h"

#include <dmvgate/audit.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dg_proof *p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
    if (!p || !q)
        abort();
    struct dg_error err;
    int rc = dg_proof_parse((const char *)data, size, p, &err);
    if (rc == 0) {
        int v = dg_proof_verify(p);
        if (v != 0 && v != DG_EPROOF)
            abort();
        if (!p->bad_hash) {
            struct dg_buf b;
            dg_buf_init(&b, 1 << 20);
            if (dg_proof_format(p, &b) || dg_proof_parse(b.data, b.len, q, &err) ||
                q->kind != p->kind || q->nproof != p->nproof ||
                memcmp(q->proof, p->proof, p->nproof * DG_HASH_SIZE) != 0 ||
                dg_proof_verify(q) != v)
                abort();
            dg_buf_release(&b);
        }
    } else if (rc != DG_EPARSE && rc != DG_ETOOBIG) {
        abort();
    }
    free(p);
    free(q);
    return 0;
}
