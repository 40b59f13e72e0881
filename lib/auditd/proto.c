/*
 * proto.c - the audit sequencer's wire format (auditd.h): building and
 * strictly parsing request and response bodies. Both ends parse what the
 * other sent, so both parsers check every length against what is left and
 * against the limits before looking at a byte (fuzz/fuzz_auditd_frame.c).
 */
#include <dmvgate/auditd.h>

#include <string.h>

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int put64(struct dg_buf *b, uint64_t v)
{
    uint8_t p[8];
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
    return dg_buf_add(b, p, 8);
}

static int put32(struct dg_buf *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return dg_buf_add(b, p, 4);
}

static int known_op(unsigned op)
{
    return op >= DG_AUDITD_HELLO_OP && op <= DG_AUDITD_PUBLISH;
}

int dg_auditd_parse_request(const uint8_t *body, size_t n, struct dg_auditd_request *out,
                            struct dg_error *err)
{
    memset(out, 0, sizeof(*out));
    if (n > DG_AUDITD_REQUEST_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, 0, "request of %zu bytes is over the limit", n);
    if (n < 9)
        return dg_error_set(err, DG_EPARSE, NULL, (long)n, "request shorter than its header");
    if (!known_op(body[0]))
        return dg_error_set(err, DG_EPARSE, "op", 0, "unknown request op %u", body[0]);
    out->op = (enum dg_auditd_op)body[0];
    out->id = get64(body + 1);
    const uint8_t *p = body + 9;
    size_t left = n - 9;
    switch (out->op) {
    case DG_AUDITD_HELLO_OP:
        if (left == 0 || left > 64)
            return dg_error_set(err, DG_EPARSE, "hello", 9, "hello of %zu bytes", left);
        out->hello = p;
        out->hello_len = left;
        return 0;
    case DG_AUDITD_APPEND: {
        if (left < 4)
            return dg_error_set(err, DG_EPARSE, "pub", 9, "append without its length");
        uint32_t pn = get32(p);
        if (pn == 0 || pn > DG_AUDIT_ENTRY_MAX || pn > left - 4)
            return dg_error_set(err, DG_EPARSE, "pub", 9,
                                "public part of %u bytes (1..%d, %zu left)", pn, DG_AUDIT_ENTRY_MAX,
                                left - 4);
        size_t vn = left - 4 - pn;
        if (vn > DG_AUDIT_PRIVATE_MAX)
            return dg_error_set(err, DG_ETOOBIG, "priv", (long)(13 + pn),
                                "private part of %zu bytes is over the limit", vn);
        out->pub = p + 4;
        out->pub_len = pn;
        out->priv = vn ? p + 4 + pn : NULL;
        out->priv_len = vn;
        return 0;
    }
    case DG_AUDITD_READ:
        if (left == 0 || left > DG_AUDITD_PATH_MAX)
            return dg_error_set(err, DG_EPARSE, "path", 9, "path of %zu bytes", left);
        for (size_t i = 0; i < left; i++)
            if (p[i] < 0x21 || p[i] > 0x7e)
                return dg_error_set(err, DG_EPARSE, "path", (long)(9 + i),
                                    "path has a byte outside printable ASCII");
        out->path = (const char *)p;
        out->path_len = left;
        return 0;
    case DG_AUDITD_PROVE:
        if (left != 16)
            return dg_error_set(err, DG_EPARSE, "index", 9, "prove needs 16 bytes, not %zu", left);
        out->index = get64(p);
        out->size = get64(p + 8);
        return 0;
    case DG_AUDITD_PUBLISH:
        if (left)
            return dg_error_set(err, DG_EPARSE, NULL, 9, "publish takes no payload");
        return 0;
    }
    return dg_error_set(err, DG_EPARSE, "op", 0, "unknown request op");
}

int dg_auditd_parse_response(const uint8_t *body, size_t n, struct dg_auditd_response *out,
                             struct dg_error *err)
{
    memset(out, 0, sizeof(*out));
    if (n > DG_AUDITD_RESPONSE_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, 0, "response of %zu bytes is over the limit", n);
    if (n < 13)
        return dg_error_set(err, DG_EPARSE, NULL, (long)n, "response shorter than its header");
    if (!known_op(body[0]))
        return dg_error_set(err, DG_EPARSE, "op", 0, "unknown response op %u", body[0]);
    out->op = (enum dg_auditd_op)body[0];
    out->id = get64(body + 1);
    int32_t st = (int32_t)get32(body + 9);
    if (st > 0 || st < -100000)
        return dg_error_set(err, DG_EPARSE, "status", 9, "status %d out of range", (int)st);
    out->status = st;
    out->payload = body + 13;
    out->payload_len = n - 13;
    if (st != 0 && out->payload_len > DG_AUDITD_MSG_MAX)
        return dg_error_set(err, DG_EPARSE, "msg", 13, "error message of %zu bytes",
                            out->payload_len);
    if (st == 0 && out->op == DG_AUDITD_APPEND) {
        if (out->payload_len != 8)
            return dg_error_set(err, DG_EPARSE, "index", 13, "append answer without its index");
        out->index = get64(out->payload);
    }
    return 0;
}

int dg_auditd_frame_request(struct dg_buf *out, const struct dg_auditd_request *r)
{
    size_t n = 9;
    switch (r->op) {
    case DG_AUDITD_HELLO_OP: n += r->hello_len; break;
    case DG_AUDITD_APPEND: n += 4 + r->pub_len + r->priv_len; break;
    case DG_AUDITD_READ: n += r->path_len; break;
    case DG_AUDITD_PROVE: n += 16; break;
    case DG_AUDITD_PUBLISH: break;
    }
    int rc = put32(out, (uint32_t)n);
    if (!rc)
        rc = dg_buf_addc(out, (char)r->op);
    if (!rc)
        rc = put64(out, r->id);
    if (rc)
        return rc;
    switch (r->op) {
    case DG_AUDITD_HELLO_OP: return dg_buf_add(out, r->hello, r->hello_len);
    case DG_AUDITD_APPEND:
        if ((rc = put32(out, (uint32_t)r->pub_len)) || (rc = dg_buf_add(out, r->pub, r->pub_len)))
            return rc;
        return r->priv_len ? dg_buf_add(out, r->priv, r->priv_len) : 0;
    case DG_AUDITD_READ: return dg_buf_add(out, r->path, r->path_len);
    case DG_AUDITD_PROVE: return (rc = put64(out, r->index)) ? rc : put64(out, r->size);
    case DG_AUDITD_PUBLISH: return 0;
    }
    return 0;
}

int dg_auditd_frame_response(struct dg_buf *out, enum dg_auditd_op op, uint64_t id, int status,
                             const void *payload, size_t n)
{
    int rc = put32(out, (uint32_t)(13 + n));
    if (!rc)
        rc = dg_buf_addc(out, (char)op);
    if (!rc)
        rc = put64(out, id);
    if (!rc)
        rc = put32(out, (uint32_t)(int32_t)status);
    if (!rc && n)
        rc = dg_buf_add(out, payload, n);
    return rc;
}
