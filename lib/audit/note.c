/*
 * note.c - C2SP signed notes with Ed25519 (c2sp.org/signed-note), and the
 * vkey/skey text formats of their keys.
 *
 * A checkpoint is a signed note; witnesses add their own signature lines to
 * it, so a verifier accepts notes with many signatures and ignores those of
 * keys it does not know. Parsing is strict and bounded (DG_NOTE_MAX_SIZE,
 * DG_NOTE_MAX_SIGS): notes come from outside (a witness, a mirror, a file).
 * Ed25519 comes from OpenSSL's EVP interface.
 */
#include "audit_int.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#define ALG_ED25519     0x01
#define ED25519_LEN     32
#define ED25519_SIG     64
#define SIG_DECODED_MAX 8192 /* room for post-quantum signatures we ignore */
static const char EMDASH_SP[] = "\xe2\x80\x94 ";

struct dg_note_signer {
    char name[DG_NOTE_NAME_MAX + 1];
    uint32_t id;
    uint8_t pub[ED25519_LEN];
    EVP_PKEY *pkey;
};

struct dg_note_verifier {
    char name[DG_NOTE_NAME_MAX + 1];
    uint32_t id;
    EVP_PKEY *pkey;
};

bool dg__note_name_valid(const char *s, size_t n)
{
    if (n == 0 || n > DG_NOTE_NAME_MAX || !dg__utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
            dg__unicode_space_at(s, n, i))
            return false;
    }
    return true;
}

static uint32_t key_id(const char *name, size_t n, const uint8_t pub[ED25519_LEN])
{
    uint8_t tail[2 + ED25519_LEN];
    tail[0] = '\n';
    tail[1] = ALG_ED25519;
    memcpy(tail + 2, pub, ED25519_LEN);
    uint8_t h[DG_HASH_SIZE];
    dg__sha256_2(name, n, tail, sizeof(tail), h);
    return dg__get_be32(h);
}

static int parse_hex32(const char *s, size_t n, uint32_t *out)
{
    if (n != 8)
        return DG_EPARSE;
    uint32_t v = 0;
    for (size_t i = 0; i < 8; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return DG_EPARSE; /* lowercase only, as the reference writes it */
        v = (v << 4) | d;
    }
    *out = v;
    return 0;
}

/* Split "name+hash+base64" (the tail of both key formats) and decode it. */
static int parse_key_tail(const char *s, size_t n, char *name, uint32_t *id,
                          uint8_t key[ED25519_LEN], struct dg_error *err)
{
    /* Names have no '+', base64 may: the name ends at the first '+', the
     * hash is the next 8 characters. */
    const char *p1 = memchr(s, '+', n);
    const char *p2 = p1 && (size_t)(p1 - s) + 9 < n ? p1 + 9 : NULL;
    if (!p2 || *p2 != '+')
        return dg_error_set(err, DG_ENOTEKEY, NULL, -1, "key is not of the form name+hash+base64");
    size_t nlen = (size_t)(p1 - s);
    if (!dg__note_name_valid(s, nlen))
        return dg_error_set(err, DG_ENOTEKEY, NULL, 0, "invalid key name");
    memcpy(name, s, nlen);
    name[nlen] = '\0';
    if (parse_hex32(p1 + 1, (size_t)(p2 - p1 - 1), id))
        return dg_error_set(err, DG_ENOTEKEY, NULL, p1 + 1 - s,
                            "key hash is not 8 lowercase hex digits");
    uint8_t raw[1 + ED25519_LEN + 8];
    size_t rawlen;
    size_t blen = n - (size_t)(p2 + 1 - s);
    if (dg__b64_decode(p2 + 1, blen, raw, sizeof(raw), &rawlen) || rawlen != 1 + ED25519_LEN)
        return dg_error_set(err, DG_ENOTEKEY, NULL, p2 + 1 - s, "key is not base64 of 33 bytes");
    if (raw[0] != ALG_ED25519)
        return dg_error_set(err, DG_ENOTEKEY, NULL, p2 + 1 - s,
                            "key algorithm %u is not Ed25519 (1)", raw[0]);
    memcpy(key, raw + 1, ED25519_LEN);
    return 0;
}

static size_t trim_newline(const char *text, size_t n)
{
    return n > 0 && text[n - 1] == '\n' ? n - 1 : n;
}

int dg_note_signer_parse(const char *text, size_t n, struct dg_note_signer **out,
                         struct dg_error *err)
{
    n = trim_newline(text, n);
    static const char pfx[] = "PRIVATE+KEY+";
    if (n < sizeof(pfx) - 1 || memcmp(text, pfx, sizeof(pfx) - 1) != 0)
        return dg_error_set(err, DG_ENOTEKEY, NULL, 0, "signer key does not begin 'PRIVATE+KEY+'");
    struct dg_note_signer *s = dg_calloc(1, sizeof(*s));
    if (!s)
        return DG_ENOMEM;
    uint8_t seed[ED25519_LEN];
    uint32_t id;
    int rc = parse_key_tail(text + sizeof(pfx) - 1, n - (sizeof(pfx) - 1), s->name, &id, seed, err);
    if (rc)
        goto fail;
    s->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, ED25519_LEN);
    OPENSSL_cleanse(seed, sizeof(seed));
    size_t plen = ED25519_LEN;
    if (!s->pkey || EVP_PKEY_get_raw_public_key(s->pkey, s->pub, &plen) != 1 ||
        plen != ED25519_LEN) {
        rc = dg_error_set(err, DG_ENOTEKEY, NULL, -1, "cannot make an Ed25519 key");
        goto fail;
    }
    s->id = key_id(s->name, strlen(s->name), s->pub);
    if (s->id != id) {
        rc = dg_error_set(err, DG_ENOTEKEY, NULL, -1, "key hash %08x does not match the key (%08x)",
                          id, s->id);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    dg_note_signer_free(s);
    return rc;
}

void dg_note_signer_free(struct dg_note_signer *s)
{
    if (!s)
        return;
    EVP_PKEY_free(s->pkey);
    OPENSSL_cleanse(s, sizeof(*s));
    dg_free(s);
}

const char *dg_note_signer_name(const struct dg_note_signer *s)
{
    return s->name;
}

uint32_t dg_note_signer_id(const struct dg_note_signer *s)
{
    return s->id;
}

static int format_key(struct dg_buf *out, const char *prefix, const char *name, uint32_t id,
                      const uint8_t key[ED25519_LEN])
{
    uint8_t raw[1 + ED25519_LEN];
    raw[0] = ALG_ED25519;
    memcpy(raw + 1, key, ED25519_LEN);
    int rc = dg_buf_printf(out, "%s%s+%08x+", prefix, name, id);
    if (!rc)
        rc = dg__b64_encode(raw, sizeof(raw), out);
    OPENSSL_cleanse(raw, sizeof(raw));
    return rc;
}

int dg_note_signer_vkey(const struct dg_note_signer *s, struct dg_buf *out)
{
    return format_key(out, "", s->name, s->id, s->pub);
}

int dg_note_verifier_parse(const char *text, size_t n, struct dg_note_verifier **out,
                           struct dg_error *err)
{
    n = trim_newline(text, n);
    struct dg_note_verifier *v = dg_calloc(1, sizeof(*v));
    if (!v)
        return DG_ENOMEM;
    uint8_t pub[ED25519_LEN];
    uint32_t id;
    int rc = parse_key_tail(text, n, v->name, &id, pub, err);
    if (rc)
        goto fail;
    v->id = key_id(v->name, strlen(v->name), pub);
    if (v->id != id) {
        rc = dg_error_set(err, DG_ENOTEKEY, NULL, -1, "key hash %08x does not match the key (%08x)",
                          id, v->id);
        goto fail;
    }
    v->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, ED25519_LEN);
    if (!v->pkey) {
        rc = dg_error_set(err, DG_ENOTEKEY, NULL, -1, "cannot make an Ed25519 key");
        goto fail;
    }
    *out = v;
    return 0;
fail:
    dg_note_verifier_free(v);
    return rc;
}

void dg_note_verifier_free(struct dg_note_verifier *v)
{
    if (!v)
        return;
    EVP_PKEY_free(v->pkey);
    dg_free(v);
}

const char *dg_note_verifier_name(const struct dg_note_verifier *v)
{
    return v->name;
}

uint32_t dg_note_verifier_id(const struct dg_note_verifier *v)
{
    return v->id;
}

int dg_note_keygen(const char *name, struct dg_buf *skey, struct dg_buf *vkey, struct dg_error *err)
{
    size_t nlen = strlen(name);
    if (!dg__note_name_valid(name, nlen))
        return dg_error_set(err, DG_EINVAL, NULL, -1,
                            "invalid key name '%s' (no spaces or '+', at most %d bytes)", name,
                            DG_NOTE_NAME_MAX);
    uint8_t seed[ED25519_LEN], pub[ED25519_LEN];
    if (RAND_bytes(seed, sizeof(seed)) != 1)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "no randomness for a key");
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, ED25519_LEN);
    size_t plen = ED25519_LEN;
    int rc = 0;
    if (!k || EVP_PKEY_get_raw_public_key(k, pub, &plen) != 1) {
        rc = dg_error_set(err, DG_EINTERNAL, NULL, -1, "cannot make an Ed25519 key");
        goto out;
    }
    uint32_t id = key_id(name, nlen, pub);
    rc = format_key(skey, "PRIVATE+KEY+", name, id, seed);
    if (!rc)
        rc = format_key(vkey, "", name, id, pub);
out:
    OPENSSL_cleanse(seed, sizeof(seed));
    EVP_PKEY_free(k);
    return rc;
}

/* Note text and notes: UTF-8, no control characters but newline. */
static long bad_char_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return (long)i;
    }
    return dg__utf8_valid(s, n) ? -1 : 0;
}

int dg_note_sign(const struct dg_note_signer *s, const char *text, size_t n, struct dg_buf *out,
                 struct dg_error *err)
{
    if (n == 0 || text[n - 1] != '\n' || n > DG_NOTE_MAX_SIZE / 2)
        return dg_error_set(err, DG_EINVAL, NULL, -1, "note text must end with a newline");
    long bad = bad_char_at(text, n);
    if (bad >= 0)
        return dg_error_set(err, DG_EINVAL, NULL, bad,
                            "note text has a control character or bad UTF-8");
    uint8_t sig[4 + ED25519_SIG];
    size_t siglen = ED25519_SIG;
    dg__put_be32(sig, s->id);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->pkey) == 1 &&
             EVP_DigestSign(ctx, sig + 4, &siglen, (const unsigned char *)text, n) == 1 &&
             siglen == ED25519_SIG;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "Ed25519 signing failed");
    int rc = dg_buf_add(out, text, n);
    if (!rc)
        rc = dg_buf_printf(out, "\n%s%s ", EMDASH_SP, s->name);
    if (!rc)
        rc = dg__b64_encode(sig, sizeof(sig), out);
    return rc ? rc : dg_buf_addc(out, '\n');
}

static bool ed25519_verify(EVP_PKEY *k, const uint8_t *sig, size_t siglen, const char *msg,
                           size_t n)
{
    if (siglen != ED25519_SIG)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
              EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)msg, n) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

int dg_note_open(const char *note, size_t n, struct dg_note_verifier *const *keys, size_t nkeys,
                 size_t *text_len, size_t *verified, struct dg_error *err)
{
    if (n > DG_NOTE_MAX_SIZE)
        return dg_error_set(err, DG_ENOTE, NULL, -1, "note larger than %d bytes", DG_NOTE_MAX_SIZE);
    long bad = bad_char_at(note, n);
    if (bad >= 0)
        return dg_error_set(err, DG_ENOTE, NULL, bad, "control character or invalid UTF-8");
    if (n < 2 || note[n - 1] != '\n')
        return dg_error_set(err, DG_ENOTE, NULL, (long)n, "note does not end with a newline");
    /* The text ends at the last blank line. */
    size_t i = n - 1;
    while (i > 0 && !(note[i - 1] == '\n' && note[i] == '\n'))
        i--;
    if (i == 0)
        return dg_error_set(err, DG_ENOTE, NULL, -1, "no blank line before signatures");
    size_t tlen = i; /* note[0..i) ends with the text's final newline */
    size_t p = i + 1, lines = 0, good = 0;
    if (p >= n)
        return dg_error_set(err, DG_ENOTE, NULL, (long)p, "no signature lines");
    uint8_t *sig = dg_malloc(SIG_DECODED_MAX);
    if (!sig)
        return DG_ENOMEM;
    int rc = 0;
    while (p < n) {
        const char *line = note + p;
        const char *nl = memchr(line, '\n', n - p);
        size_t len = (size_t)(nl - line); /* the note ends with '\n', so nl is found */
        if (++lines > DG_NOTE_MAX_SIGS) {
            rc = dg_error_set(err, DG_ENOTE, NULL, (long)p, "more than %d signatures",
                              DG_NOTE_MAX_SIGS);
            goto out;
        }
        if (len < 4 || memcmp(line, EMDASH_SP, 4) != 0) {
            rc = dg_error_set(err, DG_ENOTE, NULL, (long)p,
                              "signature line does not begin with an em dash and a space");
            goto out;
        }
        const char *name = line + 4;
        const char *sp = memchr(name, ' ', len - 4);
        if (!sp) {
            rc = dg_error_set(err, DG_ENOTE, NULL, (long)p, "signature line has no signature");
            goto out;
        }
        size_t nlen = (size_t)(sp - name);
        if (!dg__note_name_valid(name, nlen)) {
            rc = dg_error_set(err, DG_ENOTE, NULL, (long)p, "invalid key name in signature line");
            goto out;
        }
        size_t blen = (size_t)(nl - sp - 1), slen;
        if (dg__b64_decode(sp + 1, blen, sig, SIG_DECODED_MAX, &slen) || slen < 5) {
            rc = dg_error_set(err, DG_ENOTE, NULL, (long)(sp + 1 - note),
                              "signature is not base64 of a key ID and a signature");
            goto out;
        }
        uint32_t id = dg__get_be32(sig);
        for (size_t k = 0; k < nkeys; k++) {
            const struct dg_note_verifier *v = keys[k];
            if (v->id != id || strlen(v->name) != nlen || memcmp(v->name, name, nlen) != 0)
                continue;
            if (!ed25519_verify(v->pkey, sig + 4, slen - 4, note, tlen)) {
                rc = dg_error_set(err, DG_ESIG, NULL, (long)p,
                                  "signature by known key '%s' does not verify", v->name);
                goto out;
            }
            good++;
        }
        p += len + 1;
    }
    if (good == 0) {
        rc = dg_error_set(err, DG_ESIG, NULL, -1, "no signature by a known key");
        goto out;
    }
    *text_len = tlen;
    if (verified)
        *verified = good;
out:
    dg_free(sig);
    return rc;
}
