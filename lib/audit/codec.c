/*
 * codec.c - the byte-level codecs the audit formats are made of: strict
 * base64 (signed notes, checkpoints, keys and proofs all use RFC 4648
 * section 4 with padding), CRC-32C (segment framing; the SSE4.2 instruction
 * when the CPU has it), UTF-8 and Unicode-space checks (signed-note text and
 * key names), strict decimal numbers, and SHA-256 through OpenSSL.
 *
 * SHA-256 uses OpenSSL's low-level SHA256_Init/Update/Final, deprecated in
 * OpenSSL 3: for the small inputs of a Merkle tree (33 to 65 bytes) they take
 * about 90 ns where the one-shot SHA256() (which fetches the algorithm on
 * every call) takes about 490 ns and a pre-fetched EVP_MD about 165 ns, and a
 * log hashes at least two of these per entry.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "audit_int.h"

#include <openssl/sha.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

/* ---- base64 ------------------------------------------------------------------ */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int dg__b64_encode(const uint8_t *p, size_t n, struct dg_buf *out)
{
    char tmp[256];
    size_t t = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        tmp[t++] = b64chars[(v >> 18) & 63];
        tmp[t++] = b64chars[(v >> 12) & 63];
        tmp[t++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        tmp[t++] = i + 2 < n ? b64chars[v & 63] : '=';
        if (t + 4 > sizeof(tmp)) {
            int rc = dg_buf_add(out, tmp, t);
            if (rc)
                return rc;
            t = 0;
        }
    }
    return t ? dg_buf_add(out, tmp, t) : 0;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int dg__b64_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    if (n % 4 != 0)
        return DG_EPARSE;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)s[i + j];
            if (c == '=' && i + 4 == n && j >= 2) {
                /* '=' only at the end, and "x=y=" is not padding. */
                if (j == 2 && s[i + 3] != '=')
                    return DG_EPARSE;
                v[j] = 0;
                pad++;
                continue;
            }
            if (pad)
                return DG_EPARSE;
            v[j] = b64val(c);
            if (v[j] < 0)
                return DG_EPARSE;
        }
        uint32_t w = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) |
                     (uint32_t)v[3];
        /* Canonical: the bits that padding drops must be zero. */
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
            return DG_EPARSE;
        size_t k = 3 - (size_t)pad;
        if (o + k > cap)
            return DG_ETOOBIG;
        out[o++] = (uint8_t)(w >> 16);
        if (k > 1)
            out[o++] = (uint8_t)(w >> 8);
        if (k > 2)
            out[o++] = (uint8_t)w;
    }
    *outlen = o;
    return 0;
}

/* ---- CRC-32C (Castagnoli), reflected polynomial 0x82F63B78 ----------------------- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static bool crc_hw;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[i] = c;
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_sse42(uint32_t c, const uint8_t *p, size_t n)
{
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c64 = _mm_crc32_u64(c64, v);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--)
        c = _mm_crc32_u8(c, *p++);
    return c;
}
#endif

uint32_t dg__crc32c(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const uint8_t *p = data;
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (crc_hw)
        return ~crc_sse42(c, p, n);
#endif
    while (n--)
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

/* ---- UTF-8 --------------------------------------------------------------------- */

/* Decode one code point at s[i..n); returns its length or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i + k] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

bool dg__utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_next(u, n, i, &cp);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

size_t dg__unicode_space_at(const char *s, size_t n, size_t i)
{
    uint32_t cp;
    size_t k = utf8_next((const unsigned char *)s, n, i, &cp);
    if (!k)
        return 0;
    /* The White_Space characters (Go's unicode.IsSpace, which the reference
     * note implementation uses). */
    switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000: return k;
    default: return cp >= 0x2000 && cp <= 0x200a ? k : 0;
    }
}

int dg__parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return DG_EPARSE;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return DG_EPARSE;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return DG_EPARSE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

void dg__sha256(const void *p, size_t n, uint8_t out[DG_HASH_SIZE])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, p, n);
    SHA256_Final(out, &c);
}

void dg__sha256_2(const void *a, size_t an, const void *b, size_t bn, uint8_t out[DG_HASH_SIZE])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, a, an);
    SHA256_Update(&c, b, bn);
    SHA256_Final(out, &c);
}

void dg__sha256_3(const void *a, size_t an, const void *b, size_t bn, const void *d, size_t dn,
                  uint8_t out[DG_HASH_SIZE])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, a, an);
    SHA256_Update(&c, b, bn);
    SHA256_Update(&c, d, dn);
    SHA256_Final(out, &c);
}
