/*
 * fuzz_msg_json.c - libFuzzer target for the JSON form of messages: the UTF-8
 * and \u0000 pre-scan, cJSON, the duplicate and shape checks and the value
 * rules, through dg_msg_req_parse_json and the general parser, with the checks
 * of fuzz_msg_common.h on every input. Seeds: fuzz/corpus/msg_json/.
 */
#include "fuzz.h"
#include "fuzz_msg_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct dg_msg_req r;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_msg_req_parse_json(&r, s, size, &e);
    if (rc == 0) {
        struct dg_buf b;
        dg_buf_init(&b, 16384);
        DG_FUZZ_CHECK(dg_msg_req_to_json(&r, &b) == 0);
        struct dg_msg_req again;
        DG_FUZZ_CHECK(dg_msg_req_parse_json(&again, b.data, b.len, &e) == 0);
        DG_FUZZ_CHECK(memcmp(&again, &r, sizeof(r)) == 0);
        dg_buf_release(&b);
    } else {
        DG_FUZZ_CHECK(e.code == rc && e.msg[0]);
    }
    fuzz_msg_one(s, size, DG_MSG_JSON);
    return 0;
}
