/*
 * proofjson.c - Merkle proofs as JSON, in the format of transparency-dev's
 * merkle test vectors (which ../shared/testdata/merkle holds): what
 * `dmvgate audit verify-proof` reads and `audit prove` / `audit consistency`
 * and a node's /v1/audit/proof print, so that a proof can be carried around
 * and checked by anyone.
 */
#include "audit_int.h"

#include <string.h>

#define PROOF_JSON_MAX (64 * 1024)
#define JSON_DEPTH_MAX 16

/* A small strict JSON reader for this one object shape. Not cJSON: tree
 * sizes and indices are uint64 (the vectors use 2^64 - 1), and JSON numbers
 * in cJSON are doubles. */
struct jp {
    const char *s;
    size_t n, pos;
    struct dg_error *err;
};

static int jerr(struct jp *j, const char *field, const char *why)
{
    return dg_error_set(j->err, DG_EPARSE, field, (long)j->pos, "%s", why);
}

static void ws(struct jp *j)
{
    while (j->pos < j->n && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' || j->s[j->pos] == '\n' ||
                             j->s[j->pos] == '\r'))
        j->pos++;
}

static bool lit(struct jp *j, const char *w)
{
    size_t n = strlen(w);
    if (j->n - j->pos >= n && memcmp(j->s + j->pos, w, n) == 0) {
        j->pos += n;
        return true;
    }
    return false;
}

/* A string into out (cap bytes, NUL-terminated; longer strings are cut and
 * *toolong set). Escapes are checked; \u is kept only for ASCII. */
static int jstring(struct jp *j, char *out, size_t cap, bool *toolong)
{
    if (j->pos >= j->n || j->s[j->pos] != '"')
        return jerr(j, NULL, "expected a string");
    j->pos++;
    size_t o = 0;
    *toolong = false;
    while (j->pos < j->n) {
        unsigned char c = (unsigned char)j->s[j->pos++];
        if (c == '"') {
            out[o] = '\0';
            return 0;
        }
        if (c < 0x20)
            return jerr(j, NULL, "control character in a string");
        if (c == '\\') {
            if (j->pos >= j->n)
                break;
            char e = j->s[j->pos++];
            switch (e) {
            case '"':
            case '\\':
            case '/': c = (unsigned char)e; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                unsigned v = 0;
                for (int k = 0; k < 4; k++) {
                    char h = j->pos < j->n ? j->s[j->pos++] : 0;
                    int d = h >= '0' && h <= '9'   ? h - '0'
                            : h >= 'a' && h <= 'f' ? h - 'a' + 10
                            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                   : -1;
                    if (d < 0)
                        return jerr(j, NULL, "bad \\u escape");
                    v = v * 16 + (unsigned)d;
                }
                c = v < 0x80 ? (unsigned char)v : '?';
                break;
            }
            default: return jerr(j, NULL, "bad escape");
            }
        }
        if (o + 1 < cap)
            out[o++] = (char)c;
        else
            *toolong = true;
    }
    return jerr(j, NULL, "unterminated string");
}

static int skip_value(struct jp *j, int depth);

static int skip_number(struct jp *j)
{
    size_t p0 = j->pos;
    if (j->pos < j->n && j->s[j->pos] == '-')
        j->pos++;
    size_t d0 = j->pos;
    while (j->pos < j->n && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
        j->pos++;
    if (j->pos == d0 || (j->s[d0] == '0' && j->pos - d0 > 1))
        return jerr(j, NULL, "bad number");
    if (j->pos < j->n && j->s[j->pos] == '.') {
        size_t f0 = ++j->pos;
        while (j->pos < j->n && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
            j->pos++;
        if (j->pos == f0)
            return jerr(j, NULL, "bad number");
    }
    if (j->pos < j->n && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
        j->pos++;
        if (j->pos < j->n && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
            j->pos++;
        size_t e0 = j->pos;
        while (j->pos < j->n && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
            j->pos++;
        if (j->pos == e0)
            return jerr(j, NULL, "bad number");
    }
    return j->pos > p0 ? 0 : jerr(j, NULL, "bad number");
}

static int skip_value(struct jp *j, int depth)
{
    if (depth > JSON_DEPTH_MAX)
        return jerr(j, NULL, "nested too deep");
    ws(j);
    if (j->pos >= j->n)
        return jerr(j, NULL, "unexpected end");
    char c = j->s[j->pos];
    char tmp[2];
    bool tl;
    if (c == '"')
        return jstring(j, tmp, sizeof(tmp), &tl);
    if (lit(j, "true") || lit(j, "false") || lit(j, "null"))
        return 0;
    if (c == '-' || (c >= '0' && c <= '9'))
        return skip_number(j);
    if (c != '{' && c != '[')
        return jerr(j, NULL, "unexpected character");
    char close = c == '{' ? '}' : ']';
    j->pos++;
    ws(j);
    if (j->pos < j->n && j->s[j->pos] == close) {
        j->pos++;
        return 0;
    }
    for (;;) {
        int rc;
        if (close == '}') {
            ws(j);
            if ((rc = jstring(j, tmp, sizeof(tmp), &tl)))
                return rc;
            ws(j);
            if (!lit(j, ":"))
                return jerr(j, NULL, "expected ':'");
        }
        if ((rc = skip_value(j, depth + 1)))
            return rc;
        ws(j);
        if (lit(j, ","))
            continue;
        if (j->pos < j->n && j->s[j->pos] == close) {
            j->pos++;
            return 0;
        }
        return jerr(j, NULL, "expected ',' or a close");
    }
}

static int ju64(struct jp *j, const char *name, uint64_t *out)
{
    ws(j);
    size_t p0 = j->pos;
    int rc = skip_number(j);
    if (rc || dg__parse_u64(j->s + p0, j->pos - p0, out))
        return dg_error_set(j->err, DG_EPARSE, name, (long)p0, "'%s' is not a tree index or size",
                            name);
    return 0;
}

/* A base64 hash; valid base64 of the wrong length sets *bad (it parses, it
 * can never verify). */
static int jhash(struct jp *j, const char *name, uint8_t out[DG_HASH_SIZE], bool *bad)
{
    char s[200];
    bool toolong;
    ws(j);
    int rc = jstring(j, s, sizeof(s), &toolong);
    if (rc)
        return dg_error_set(j->err, DG_EPARSE, name, (long)j->pos, "'%s' is not a string", name);
    uint8_t tmp[150];
    size_t n;
    memset(out, 0, DG_HASH_SIZE);
    if (toolong) {
        *bad = true;
        return 0;
    }
    if (dg__b64_decode(s, strlen(s), tmp, sizeof(tmp), &n))
        return dg_error_set(j->err, DG_EPARSE, name, (long)j->pos, "'%s' is not base64", name);
    if (n != DG_HASH_SIZE)
        *bad = true;
    else
        memcpy(out, tmp, DG_HASH_SIZE);
    return 0;
}

static int jproof(struct jp *j, struct dg_proof *out)
{
    ws(j);
    if (lit(j, "null"))
        return 0;
    if (!lit(j, "["))
        return jerr(j, "proof", "'proof' is not an array");
    ws(j);
    if (lit(j, "]"))
        return 0;
    for (;;) {
        if (out->nproof >= DG_MERKLE_MAX_PROOF)
            return dg_error_set(j->err, DG_ETOOBIG, "proof", (long)j->pos,
                                "more than %d proof hashes", DG_MERKLE_MAX_PROOF);
        int rc = jhash(j, "proof", out->proof[out->nproof], &out->bad_hash);
        if (rc)
            return rc;
        out->nproof++;
        ws(j);
        if (lit(j, ","))
            continue;
        if (lit(j, "]"))
            return 0;
        return jerr(j, "proof", "expected ',' or ']' in 'proof'");
    }
}

enum {
    M_LEAFIDX,
    M_TREESIZE,
    M_ROOT,
    M_LEAFHASH,
    M_SIZE1,
    M_SIZE2,
    M_ROOT1,
    M_ROOT2,
    M_PROOF,
    M_WANTERR,
    M__COUNT
};
static const char *const MEMBERS[M__COUNT] = {"leafIdx", "treeSize", "root",  "leafHash",
                                              "size1",   "size2",    "root1", "root2",
                                              "proof",   "wantErr"};

int dg_proof_parse(const char *json, size_t n, struct dg_proof *out, struct dg_error *err)
{
    if (n > PROOF_JSON_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "proof larger than %d bytes",
                            PROOF_JSON_MAX);
    struct jp j = {json, n, 0, err};
    memset(out, 0, sizeof(*out));
    out->want_err = -1;
    bool seen[M__COUNT] = {false};
    ws(&j);
    if (!lit(&j, "{"))
        return jerr(&j, NULL, "not a JSON object");
    ws(&j);
    bool empty = lit(&j, "}");
    while (!empty) {
        char key[32];
        bool toolong;
        ws(&j);
        int rc = jstring(&j, key, sizeof(key), &toolong);
        if (rc)
            return rc;
        ws(&j);
        if (!lit(&j, ":"))
            return jerr(&j, NULL, "expected ':'");
        int m = M__COUNT;
        for (int i = 0; !toolong && i < M__COUNT; i++)
            if (strcmp(key, MEMBERS[i]) == 0)
                m = i;
        if (m < M__COUNT && seen[m])
            return dg_error_set(err, DG_EPARSE, key, (long)j.pos, "'%s' appears twice", key);
        if (m < M__COUNT)
            seen[m] = true;
        switch (m) {
        case M_LEAFIDX: rc = ju64(&j, key, &out->index); break;
        case M_TREESIZE: rc = ju64(&j, key, &out->size); break;
        case M_SIZE1: rc = ju64(&j, key, &out->size1); break;
        case M_SIZE2: rc = ju64(&j, key, &out->size2); break;
        case M_ROOT: rc = jhash(&j, key, out->root, &out->bad_hash); break;
        case M_LEAFHASH: rc = jhash(&j, key, out->leaf, &out->bad_hash); break;
        case M_ROOT1: rc = jhash(&j, key, out->root1, &out->bad_hash); break;
        case M_ROOT2: rc = jhash(&j, key, out->root2, &out->bad_hash); break;
        case M_PROOF: rc = jproof(&j, out); break;
        case M_WANTERR:
            ws(&j);
            if (lit(&j, "true"))
                out->want_err = 1;
            else if (lit(&j, "false"))
                out->want_err = 0;
            else
                rc = jerr(&j, key, "'wantErr' is not a boolean");
            break;
        default: rc = skip_value(&j, 1); break; /* "desc" and anything else */
        }
        if (rc)
            return rc;
        ws(&j);
        if (lit(&j, ","))
            continue;
        if (lit(&j, "}"))
            break;
        return jerr(&j, NULL, "expected ',' or '}'");
    }
    ws(&j);
    if (j.pos != j.n)
        return jerr(&j, NULL, "text after the JSON object");
    bool inc = seen[M_LEAFIDX] || seen[M_TREESIZE] || seen[M_ROOT] || seen[M_LEAFHASH];
    bool con = seen[M_SIZE1] || seen[M_SIZE2] || seen[M_ROOT1] || seen[M_ROOT2];
    if (inc == con)
        return jerr(&j, NULL, "neither an inclusion (leafIdx) nor a consistency (size1) proof");
    const int need_inc[] = {M_LEAFIDX, M_TREESIZE, M_ROOT, M_LEAFHASH};
    const int need_con[] = {M_SIZE1, M_SIZE2, M_ROOT1, M_ROOT2};
    for (int i = 0; i < 4; i++) {
        int m = inc ? need_inc[i] : need_con[i];
        if (!seen[m])
            return dg_error_set(err, DG_EPARSE, MEMBERS[m], -1, "'%s' is missing", MEMBERS[m]);
    }
    out->kind = inc ? DG_PROOF_INCLUSION : DG_PROOF_CONSISTENCY;
    return 0;
}

int dg_proof_verify(const struct dg_proof *p)
{
    if (p->bad_hash)
        return DG_EPROOF;
    if (p->kind == DG_PROOF_INCLUSION)
        return dg_merkle_verify_inclusion(p->index, p->size, p->leaf,
                                          (const uint8_t(*)[DG_HASH_SIZE])p->proof, p->nproof,
                                          p->root);
    if (p->kind == DG_PROOF_CONSISTENCY)
        return dg_merkle_verify_consistency(p->size1, p->size2, p->root1, p->root2,
                                            (const uint8_t(*)[DG_HASH_SIZE])p->proof, p->nproof);
    return DG_EPROOF;
}

static int add_hash(struct dg_buf *out, const char *name, const uint8_t *h)
{
    int rc = dg_buf_printf(out, "\"%s\":\"", name);
    if (!rc)
        rc = dg__b64_encode(h, DG_HASH_SIZE, out);
    return rc ? rc : dg_buf_addstr(out, "\",");
}

int dg_proof_format(const struct dg_proof *p, struct dg_buf *out)
{
    int rc;
    if (p->kind == DG_PROOF_INCLUSION) {
        rc = dg_buf_printf(out, "{\"leafIdx\":%llu,\"treeSize\":%llu,",
                           (unsigned long long)p->index, (unsigned long long)p->size);
        if (!rc)
            rc = add_hash(out, "root", p->root);
        if (!rc)
            rc = add_hash(out, "leafHash", p->leaf);
    } else {
        rc = dg_buf_printf(out, "{\"size1\":%llu,\"size2\":%llu,", (unsigned long long)p->size1,
                           (unsigned long long)p->size2);
        if (!rc)
            rc = add_hash(out, "root1", p->root1);
        if (!rc)
            rc = add_hash(out, "root2", p->root2);
    }
    if (!rc)
        rc = dg_buf_addstr(out, "\"proof\":[");
    for (size_t i = 0; !rc && i < p->nproof; i++) {
        rc = dg_buf_addstr(out, i ? ",\"" : "\"");
        if (!rc)
            rc = dg__b64_encode(p->proof[i], DG_HASH_SIZE, out);
        if (!rc)
            rc = dg_buf_addc(out, '"');
    }
    return rc ? rc : dg_buf_addstr(out, "]}");
}
