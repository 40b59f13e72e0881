/*
 * fuzz_auditd_frame.c - libFuzzer target for the audit sequencer's wire
 * format (dg_auditd_parse_request / dg_auditd_parse_response): the first byte
 * says which side parses, the rest is a frame body. Any bytes must parse or be
 * refused without a crash or undefined behaviour; what parses as a request
 * must frame back to exactly the same bytes.
 */
#include "fuzz.h"

#include <dmvgate/auditd.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *body = data + 1;
    size_t n = size - 1;
    struct dg_error e;
    if (data[0] & 1) {
        struct dg_auditd_response r;
        if (dg_auditd_parse_response(body, n, &r, &e) == 0 &&
            (r.payload < body || r.payload + r.payload_len != body + n))
            abort();
        return 0;
    }
    struct dg_auditd_request r;
    if (dg_auditd_parse_request(body, n, &r, &e) != 0)
        return 0;
    struct dg_buf b;
    dg_buf_init(&b, DG_AUDITD_REQUEST_MAX + 4);
    if (dg_auditd_frame_request(&b, &r) == 0 &&
        (b.len != n + 4 || memcmp(b.data + 4, body, n) != 0))
        abort();
    dg_buf_release(&b);
    return 0;
}
