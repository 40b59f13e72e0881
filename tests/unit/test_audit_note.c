/*
 * test_audit_note.c - C2SP signed notes, keys and checkpoints: the example
 * of the signed-note spec (key and signature read in place from
 * ../shared/testdata/README.md), sign and verify, unknown signers ignored,
 * many signature lines, strict rejection of malformed notes, keys and
 * checkpoint texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_test_util.h"

#define EMDASH "\xe2\x80\x94"

/* The backquoted string on the README line that contains `needle`. */
static void readme_quoted(const char *needle, char *out, size_t cap)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/testdata/README.md", tu_shared());
    struct dg_buf b;
    assert_int_equal(tu_read(path, &b), 0);
    char *p = strstr(b.data, needle);
    assert_non_null(p);
    while (p > b.data && p[-1] != '`')
        p--;
    char *end = strchr(p, '`');
    assert_non_null(end);
    snprintf(out, cap, "%.*s", (int)(end - p), p);
    dg_buf_release(&b);
}

static void c2sp_example(void **state)
{
    (void)state;
    char vkey[256], sigline[256];
    readme_quoted("example.com/foo+", vkey, sizeof(vkey));
    readme_quoted(EMDASH " example.com/foo ", sigline, sizeof(sigline));
    struct dg_note_verifier *v;
    struct dg_error err;
    assert_int_equal(dg_note_verifier_parse(vkey, strlen(vkey), &v, &err), 0);
    assert_string_equal(dg_note_verifier_name(v), "example.com/foo");
    assert_int_equal(dg_note_verifier_id(v), 0x530d903a);
    char note[512];
    snprintf(note, sizeof(note), "This is an example message.\n\n%s\n", sigline);
    size_t tl = 0, nv = 0;
    assert_int_equal(dg_note_open(note, strlen(note), &v, 1, &tl, &nv, &err), 0);
    assert_int_equal(tl, strlen("This is an example message.\n"));
    assert_int_equal(nv, 1);
    /* One changed byte of text: the known key's signature fails. */
    note[0] = 't';
    assert_int_equal(dg_note_open(note, strlen(note), &v, 1, &tl, &nv, &err), DG_ESIG);
    dg_note_verifier_free(v);
}

static void make_key(const char *name, struct dg_note_signer **s, struct dg_note_verifier **v)
{
    struct dg_buf sk, vk;
    struct dg_error err;
    dg_buf_init(&sk, 1024);
    dg_buf_init(&vk, 1024);
    assert_int_equal(dg_note_keygen(name, &sk, &vk, &err), 0);
    assert_int_equal(strncmp(sk.data, "PRIVATE+KEY+", 12), 0);
    assert_int_equal(dg_note_signer_parse(sk.data, sk.len, s, &err), 0);
    assert_int_equal(dg_note_verifier_parse(vk.data, vk.len, v, &err), 0);
    assert_int_equal(dg_note_signer_id(*s), dg_note_verifier_id(*v));
    struct dg_buf vk2;
    dg_buf_init(&vk2, 1024);
    assert_int_equal(dg_note_signer_vkey(*s, &vk2), 0);
    assert_string_equal(vk2.data, vk.data);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    dg_buf_release(&vk2);
}

static void sign_and_verify(void **state)
{
    (void)state;
    struct dg_note_signer *s, *s2;
    struct dg_note_verifier *v, *v2;
    make_key("dmvgate.example/co", &s, &v);
    make_key("dmvgate.example/co", &s2, &v2); /* same name, other key */
    struct dg_error err;
    struct dg_buf note;
    dg_buf_init(&note, DG_NOTE_MAX_SIZE);
    const char *text = "dmvgate.example/co\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    assert_int_equal(dg_note_sign(s, text, strlen(text), &note, &err), 0);
    size_t tl, nv;
    assert_int_equal(dg_note_open(note.data, note.len, &v, 1, &tl, &nv, &err), 0);
    assert_int_equal(tl, strlen(text));
    /* The other key with the same name: its ID differs, so it is unknown. */
    assert_int_equal(dg_note_open(note.data, note.len, &v2, 1, &tl, &nv, &err), DG_ESIG);
    /* Ed25519 is deterministic. */
    struct dg_buf again;
    dg_buf_init(&again, DG_NOTE_MAX_SIZE);
    assert_int_equal(dg_note_sign(s, text, strlen(text), &again, &err), 0);
    assert_string_equal(again.data, note.data);
    /* Text that is not note text cannot be signed. */
    assert_int_equal(dg_note_sign(s, "no newline", 10, &again, &err), DG_EINVAL);
    assert_int_equal(dg_note_sign(s, "tab\there\n", 9, &again, &err), DG_EINVAL);
    dg_buf_release(&again);
    dg_buf_release(&note);
    dg_note_signer_free(s);
    dg_note_signer_free(s2);
    dg_note_verifier_free(v);
    dg_note_verifier_free(v2);
}

/* Witness co-signatures: unknown signers are ignored, at least 16 lines are
 * accepted, and a bad signature by a known key rejects the note. */
static void many_signers(void **state)
{
    (void)state;
    struct dg_note_signer *log, *w;
    struct dg_note_verifier *vlog, *vw;
    make_key("log.example/a", &log, &vlog);
    make_key("witness.example/w1", &w, &vw);
    struct dg_error err;
    const char *text = "log.example/a\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    struct dg_buf a, b;
    dg_buf_init(&a, DG_NOTE_MAX_SIZE);
    dg_buf_init(&b, DG_NOTE_MAX_SIZE);
    assert_int_equal(dg_note_sign(log, text, strlen(text), &a, &err), 0);
    assert_int_equal(dg_note_sign(w, text, strlen(text), &b, &err), 0);
    /* a's text, then 20 unknown signers, then the witness's line, then a's. */
    struct dg_buf n;
    dg_buf_init(&n, DG_NOTE_MAX_SIZE);
    assert_int_equal(dg_buf_add(&n, text, strlen(text)), 0);
    assert_int_equal(dg_buf_addc(&n, '\n'), 0);
    for (int i = 0; i < 20; i++)
        assert_int_equal(dg_buf_printf(&n, EMDASH " other.example/%d AAAAAAE=\n", i), 0);
    const char *wline = strstr(b.data, "\n\n") + 2, *aline = strstr(a.data, "\n\n") + 2;
    assert_int_equal(dg_buf_addstr(&n, wline), 0);
    assert_int_equal(dg_buf_addstr(&n, aline), 0);
    size_t tl, nv;
    struct dg_note_verifier *both[] = {vlog, vw};
    assert_int_equal(dg_note_open(n.data, n.len, both, 2, &tl, &nv, &err), 0);
    assert_int_equal(nv, 2);
    assert_int_equal(dg_note_open(n.data, n.len, &vlog, 1, &tl, &nv, &err), 0);
    assert_int_equal(nv, 1);
    struct dg_checkpoint c;
    assert_int_equal(dg_checkpoint_open(n.data, n.len, &vw, 1, &c, &err), 0);
    assert_int_equal(c.size, 3);
    /* A forged line under the log's name and ID: rejected. */
    struct dg_buf f;
    dg_buf_init(&f, DG_NOTE_MAX_SIZE);
    assert_int_equal(dg_buf_add(&f, n.data, n.len), 0);
    char *sig = strstr(f.data + strlen(text), "log.example/a ") + strlen("log.example/a ");
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    assert_int_equal(dg_note_open(f.data, f.len, both, 2, &tl, &nv, &err), DG_ESIG);
    dg_buf_release(&f);
    /* 64 lines accepted, 65 refused. */
    dg_buf_reset(&n);
    dg_buf_printf(&n, "%s\n", text);
    for (int i = 0; i < 63; i++)
        dg_buf_printf(&n, EMDASH " other.example/%d AAAAAAE=\n", i);
    dg_buf_addstr(&n, aline);
    assert_int_equal(dg_note_open(n.data, n.len, &vlog, 1, &tl, &nv, &err), 0);
    dg_buf_reset(&n);
    dg_buf_printf(&n, "%s\n", text);
    for (int i = 0; i < 64; i++)
        dg_buf_printf(&n, EMDASH " other.example/%d AAAAAAE=\n", i);
    dg_buf_addstr(&n, aline);
    assert_int_equal(dg_note_open(n.data, n.len, &vlog, 1, &tl, &nv, &err), DG_ENOTE);
    dg_buf_release(&n);
    dg_buf_release(&a);
    dg_buf_release(&b);
    dg_note_signer_free(log);
    dg_note_signer_free(w);
    dg_note_verifier_free(vlog);
    dg_note_verifier_free(vw);
}

static void malformed_notes(void **state)
{
    (void)state;
    struct dg_note_signer *s;
    struct dg_note_verifier *v;
    make_key("k.example", &s, &v);
    struct dg_error err;
    const char *good_sig = EMDASH " k.example AAAAAAE=\n";
    const char *bad[] = {
        "",
        "text\n",
        "text\n\n",
        "text\n\n" EMDASH " k.example AAAAAAE=",           /* no final newline */
        "text\n\n- k.example AAAAAAE=\n",                  /* not an em dash */
        "text\n\n" EMDASH "k.example AAAAAAE=\n",          /* no space */
        "text\n\n" EMDASH " k.example\n",                  /* no signature */
        "text\n\n" EMDASH "  AAAAAAE=\n",                  /* empty name */
        "text\n\n" EMDASH " k+x AAAAAAE=\n",               /* '+' in name */
        "text\n\n" EMDASH " k.example AAAA\n",             /* too short */
        "text\n\n" EMDASH " k.example AAAAAAE\n",          /* bad base64 */
        "text\n\n" EMDASH " k.example AAAAAAE= \n",        /* trailing space */
        "te\txt\n\n" EMDASH " k.example AAAAAAE=\n",       /* control character */
        "te\xffxt\n\n" EMDASH " k.example AAAAAAE=\n",     /* bad UTF-8 */
        "te\xc0\xafxt\n\n" EMDASH " k.example AAAAAAE=\n", /* overlong */
        "text\n\n" EMDASH " k.example AAAAAAE=\n\n",       /* blank line after signatures */
        "text\n\n" EMDASH " k\xe2\x80\x83x AAAAAAE=\n",    /* Unicode space in name */
    };
    size_t tl;
    for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++) {
        int rc = dg_note_open(bad[i], strlen(bad[i]), &v, 1, &tl, NULL, &err);
        if (rc != DG_ENOTE)
            fail_msg("bad note %zu: got %d, want ENOTE", i, rc);
    }
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "text\n\n%s", good_sig);
    /* Well formed, but no known key: DG_ESIG. */
    assert_int_equal(dg_note_open(tmp, strlen(tmp), &v, 1, &tl, NULL, &err), DG_ESIG);
    char *big = malloc(DG_NOTE_MAX_SIZE + 2);
    memset(big, 'a', DG_NOTE_MAX_SIZE + 1);
    big[DG_NOTE_MAX_SIZE] = '\n';
    assert_int_equal(dg_note_open(big, DG_NOTE_MAX_SIZE + 1, &v, 1, &tl, NULL, &err), DG_ENOTE);
    free(big);
    dg_note_signer_free(s);
    dg_note_verifier_free(v);
}

static void malformed_keys(void **state)
{
    (void)state;
    struct dg_note_verifier *v;
    struct dg_note_signer *s;
    struct dg_error err;
    const char *good = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    assert_int_equal(dg_note_verifier_parse(good, strlen(good), &v, &err), 0);
    dg_note_verifier_free(v);
    const char *bad[] = {
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* wrong hash */
        "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* uppercase */
        "example.com/foo+530d903a+AkkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* alg 2 */
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U",   /* short */
        "example.com/foo+530d903a",
        "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "",
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++)
        if (dg_note_verifier_parse(bad[i], strlen(bad[i]), &v, &err) != DG_ENOTEKEY)
            fail_msg("accepted bad verifier key %zu", i);
    const char *sbad[] = {
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "PRIVATE+KEY+example.com/log/testdata+33d7b497+AeymY/"
        "SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg",
        "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3e",
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(sbad); i++)
        if (dg_note_signer_parse(sbad[i], strlen(sbad[i]), &s, &err) != DG_ENOTEKEY)
            fail_msg("accepted bad signer key %zu", i);
    struct dg_buf a, b;
    dg_buf_init(&a, 256);
    dg_buf_init(&b, 256);
    assert_int_equal(dg_note_keygen("bad name", &a, &b, &err), DG_EINVAL);
    assert_int_equal(dg_note_keygen("bad+name", &a, &b, &err), DG_EINVAL);
    assert_int_equal(dg_note_keygen("", &a, &b, &err), DG_EINVAL);
    dg_buf_release(&a);
    dg_buf_release(&b);
}

static void checkpoints(void **state)
{
    (void)state;
    struct dg_checkpoint c;
    struct dg_error err;
    const char *t = "example.com/behind-the-sofa\n20852163\n"
                    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next one\next two\n";
    assert_int_equal(dg_checkpoint_parse(t, strlen(t), &c, &err), 0);
    assert_string_equal(c.origin, "example.com/behind-the-sofa");
    assert_int_equal(c.size, 20852163);
    assert_int_equal(c.extensions, 2);
    struct dg_buf b;
    dg_buf_init(&b, 1024);
    c.extensions = 0;
    assert_int_equal(dg_checkpoint_format(&c, &b), 0);
    assert_int_equal(strncmp(b.data, t, b.len), 0);
    dg_buf_release(&b);
    const char *bad[] = {
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",    /* no final newline */
        "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", /* leading zero */
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",    /* empty origin */
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n",    /* 31 bytes */
        "o\n1\n",                                                 /* no root */
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n", /* empty extension */
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++)
        if (dg_checkpoint_parse(bad[i], strlen(bad[i]), &c, &err) != DG_ECHECKPOINT)
            fail_msg("accepted bad checkpoint %zu", i);
    const char *zero = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
    assert_int_equal(dg_checkpoint_parse(zero, strlen(zero), &c, &err), 0);
    assert_int_equal(c.size, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(c2sp_example),   cmocka_unit_test(sign_and_verify),
        cmocka_unit_test(many_signers),   cmocka_unit_test(malformed_notes),
        cmocka_unit_test(malformed_keys), cmocka_unit_test(checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
