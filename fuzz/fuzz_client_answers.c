/*
 * fuzz_client_answers.c - libFuzzer target for what `dmvgate query` and the
 * demo's traffic read back from the hub: dg_client_answers_parse (the split
 * into one response per destination, text or JSON) and dg_client_render on
 * every response it accepts. Seeds: fuzz/corpus/client_answers/.
 */
#include "fuzz.h"

#include <dmvgate/client.h>

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dg_msg_resp *r[DG_CLIENT_MAX_ANSWERS];
    struct dg_error e;
    dg_error_clear(&e);
    int n = dg_client_answers_parse((const char *)data, size, r, DG_CLIENT_MAX_ANSWERS, &e);
    if (n < 0 && (e.code != n || !e.msg[0]))
        abort(); /* every refusal says why */
    if (n > DG_CLIENT_MAX_ANSWERS)
        abort();
    for (int i = 0; i < n; i++) {
        struct dg_buf b;
        dg_buf_init(&b, DG_CLIENT_ANSWER_MAX);
        if (dg_client_render(r[i], &b) != 0 || !b.data || !b.len)
            abort();
        dg_buf_release(&b);
        dg_msg_resp_free(r[i]);
    }
    return 0;
}
