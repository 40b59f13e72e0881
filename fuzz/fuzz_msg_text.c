/*
 * fuzz_msg_text.c - libFuzzer target for the text form of messages: the
 * request parser the node runs on every message (dg_msg_req_parse_text) and
 * the general parser (requests and responses), with the checks of
 * fuzz_msg_common.h on every input. Seeds: fuzz/corpus/msg_text/.
 */
#include "fuzz.h"
#include "fuzz_msg_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct dg_msg_req r;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_msg_req_parse_text(&r, s, size, &e);
    if (rc == 0) {
        struct dg_buf b;
        dg_buf_init(&b, 8192);
        DG_FUZZ_CHECK(dg_msg_req_to_text(&r, &b) == 0);
        struct dg_msg_req again;
        DG_FUZZ_CHECK(dg_msg_req_parse_text(&again, b.data, b.len, &e) == 0);
        DG_FUZZ_CHECK(memcmp(&again, &r, sizeof(r)) == 0);
        dg_buf_release(&b);
    } else {
        DG_FUZZ_CHECK(e.code == rc && e.msg[0]);
    }
    fuzz_msg_one(s, size, DG_MSG_TEXT);
    return 0;
}
