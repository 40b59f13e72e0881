/*
 * fuzz_hub_blocks.c - libFuzzer target for the hub's network-level block list
 * (dg_hub_blocks_parse) and the admin API's JSON body (dg_hub_block_from_json):
 * any bytes must parse or be refused with an error, without a crash, a leak or
 * undefined behaviour. A list that parses prints back to text that parses to
 * the same blocks; a body that parses is a block the list accepts.
 */
#include "fuzz.h"

#include <dmvgate/hub.h>

#include <stdlib.h>
#include <string.h>

static void same_lists(const struct dg_hub_blocks *a, const struct dg_hub_blocks *b)
{
    if (dg_hub_blocks_count(a) != dg_hub_blocks_count(b))
        abort();
    for (size_t i = 0; i < dg_hub_blocks_count(a); i++) {
        const struct dg_hub_block *x = dg_hub_blocks_at(a, i), *y = dg_hub_blocks_at(b, i);
        if (strcmp(x->state, y->state) || x->kind != y->kind || strcmp(x->value, y->value) ||
            strcmp(x->reason, y->reason))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dg_error e;
    struct dg_hub_blocks *b = NULL;
    if (dg_hub_blocks_parse((const char *)data, size, &b, &e) == 0) {
        struct dg_buf t;
        dg_buf_init(&t, 4 * DG_HUB_BLOCKS_MAX_BYTES);
        struct dg_hub_blocks *b2 = NULL;
        if (dg_hub_blocks_to_text(b, &t) == 0 && dg_hub_blocks_parse(t.data, t.len, &b2, &e) == 0)
            same_lists(b, b2);
        else if (t.data)
            abort(); /* what was printed must parse */
        dg_hub_blocks_free(b2);
        dg_buf_release(&t);
    }
    struct dg_hub_block blk;
    if (dg_hub_block_from_json((const char *)data, size, &blk, &e) == 0) {
        /* what the API adds is a line the file form keeps as it is */
        struct dg_hub_blocks *b3 = NULL, *b4 = NULL;
        if (dg_hub_blocks_with(b, &blk, &b3) == 0) {
            if (dg_hub_blocks_count(b3) != dg_hub_blocks_count(b) + 1)
                abort();
            struct dg_buf t;
            dg_buf_init(&t, 4 * DG_HUB_BLOCKS_MAX_BYTES);
            if (dg_hub_blocks_to_text(b3, &t) == 0) {
                if (dg_hub_blocks_parse(t.data, t.len, &b4, &e) != 0)
                    abort();
                same_lists(b3, b4);
            }
            dg_hub_blocks_free(b4);
            dg_buf_release(&t);
            dg_hub_blocks_free(b3);
        }
    }
    dg_hub_blocks_free(b);
    return 0;
}
