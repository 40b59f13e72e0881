/*
 * test_msg_corpus.c - walk the message corpus in tests/data/msg/ (written by
 * its gen_corpus.py) and check every file:
 *
 *   invalid/  each message gives exactly the code, field and byte offset that
 *             invalid/EXPECTED lists for it, with a sentence, and that error
 *             can be answered as an ER in both forms;
 *   valid/    each message is valid, its canonical forms are the golden
 *             NAME.canon.txt and NAME.canon.json, and the round trips hold:
 *             text -> JSON -> text gives the same bytes, JSON -> text -> JSON
 *             the same document.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/msg.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[4096];

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open '%s'", path);
    struct dg_buf b;
    dg_buf_init(&b, (size_t)DG_MSG_MAX * 2);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        assert_int_equal(dg_buf_add(&b, chunk, got), 0);
    fclose(f);
    return dg_buf_detach(&b, n);
}

/* The canonical form of s in form, with the newline the golden files end with. */
static char *canon(const char *s, size_t n, enum dg_msg_form form, const char *what)
{
    struct dg_msg m;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_msg_parse(&m, dg_msg_sniff(s, n), s, n, &e);
    if (rc)
        fail_msg("%s: expected valid, got %s field '%s' offset %ld: %s", what, dg_errname(rc),
                 e.field, e.offset, e.msg);
    struct dg_buf b;
    dg_buf_init(&b, (size_t)DG_MSG_MAX * 2);
    rc = dg_msg_write(&m, form, &b, &e);
    if (rc)
        fail_msg("%s: cannot write: %s", what, e.msg);
    assert_int_equal(dg_buf_addc(&b, '\n'), 0);
    dg_msg_release(&m);
    return dg_buf_detach(&b, NULL);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void valid_corpus(void **state)
{
    (void)state;
    char path[8192];
    snprintf(path, sizeof(path), "%s/valid", dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *f = de->d_name;
        if (f[0] == '.' || ends_with(f, ".canon.txt") || ends_with(f, ".canon.json"))
            continue;
        char in[8192 + 512], ct[sizeof(in) + 16], cj[sizeof(in) + 16];
        snprintf(in, sizeof(in), "%s/%s", path, f);
        size_t base = strlen(in) - strlen(strrchr(in, '.'));
        snprintf(ct, sizeof(ct), "%.*s.canon.txt", (int)base, in);
        snprintf(cj, sizeof(cj), "%.*s.canon.json", (int)base, in);
        size_t n, nt, nj;
        char *msg = slurp(in, &n), *want_t = slurp(ct, &nt), *want_j = slurp(cj, &nj);

        char *t = canon(msg, n, DG_MSG_TEXT, in), *j = canon(msg, n, DG_MSG_JSON, in);
        if (strcmp(t, want_t) != 0)
            fail_msg("%s: canonical text differs:\n%s---\n%s", in, t, want_t);
        if (strcmp(j, want_j) != 0)
            fail_msg("%s: canonical JSON differs:\n%s---\n%s", in, j, want_j);
        /* text -> JSON -> text, and JSON -> text -> JSON */
        char *tj = canon(want_t, nt, DG_MSG_JSON, ct), *jt = canon(want_j, nj, DG_MSG_TEXT, cj);
        char *tjt = canon(tj, strlen(tj), DG_MSG_TEXT, ct);
        char *jtj = canon(jt, strlen(jt), DG_MSG_JSON, cj);
        assert_string_equal(tj, want_j);
        assert_string_equal(jt, want_t);
        assert_string_equal(tjt, want_t);
        assert_string_equal(jtj, want_j);
        /* a canonical message is its own canonical form */
        char *tt = canon(want_t, nt, DG_MSG_TEXT, ct), *jj = canon(want_j, nj, DG_MSG_JSON, cj);
        assert_string_equal(tt, want_t);
        assert_string_equal(jj, want_j);
        dg_free(tt);
        dg_free(jj);
        dg_free(tj);
        dg_free(jt);
        dg_free(tjt);
        dg_free(jtj);
        dg_free(t);
        dg_free(j);
        dg_free(msg);
        dg_free(want_t);
        dg_free(want_j);
        count++;
    }
    closedir(d);
    printf("valid corpus: %d messages\n", count);
    assert_true(count >= 50);
}

/* The ER a node would send for this rejection must itself be valid. */
static void answer_error(const struct dg_error *e, const char *what)
{
    struct dg_msg_resp *r;
    struct dg_error e2;
    assert_int_equal(dg_msg_resp_begin(&r, DG_KEY_ER, "AZ0070000", "CO", "T1", DG_STS_INVALID, &e2),
                     0);
    if (dg_msg_resp_set_error_from(r, e, &e2) != 0)
        fail_msg("%s: cannot make an ER of '%s': %s", what, e->msg, e2.msg);
    for (int form = 0; form < 2; form++) {
        struct dg_buf b;
        dg_buf_init(&b, 8192);
        assert_int_equal(form ? dg_msg_resp_to_json(r, &b, &e2) : dg_msg_resp_to_text(r, &b, &e2),
                         0);
        struct dg_msg_resp *back;
        if (form ? dg_msg_resp_parse_json(&back, b.data, b.len, &e2)
                 : dg_msg_resp_parse_text(&back, b.data, b.len, &e2))
            fail_msg("%s: the ER does not parse back: %s\n%s", what, e2.msg, b.data);
        assert_string_equal(dg_msg_resp_get(back, -1, DG_TAG_ERT), e->msg);
        dg_msg_resp_free(back);
        dg_buf_release(&b);
    }
    dg_msg_resp_free(r);
}

static void invalid_corpus(void **state)
{
    (void)state;
    char path[8192];
    snprintf(path, sizeof(path), "%s/invalid/EXPECTED", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    int count = 0, failed = 0;
    char listed[1024][64];
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char file[64], code[32], field[32];
        long off;
        assert_int_equal(sscanf(line, "%63s %31s %31s %ld", file, code, field, &off), 4);
        if (strcmp(field, "-") == 0)
            field[0] = '\0';
        snprintf(path, sizeof(path), "%s/invalid/%s", dir, file);
        size_t n;
        char *msg = slurp(path, &n);
        struct dg_msg m;
        struct dg_error e;
        dg_error_clear(&e);
        int rc = dg_msg_parse(&m, dg_msg_sniff(msg, n), msg, n, &e);
        if (rc == 0) {
            dg_msg_release(&m);
            printf("FAIL %s: valid, expected %s\n", file, code);
            failed++;
        } else if (strcmp(dg_errname(rc), code) != 0 || strcmp(e.field, field) != 0 ||
                   e.offset != off || e.code != rc || strlen(e.msg) < 10) {
            printf("FAIL %s: expected %s field '%s' offset %ld\n     got %s field '%s' offset "
                   "%ld: %s\n",
                   file, code, field, off, dg_errname(rc), e.field, e.offset, e.msg);
            failed++;
        } else {
            answer_error(&e, file);
        }
        assert_true(count < 1024);
        snprintf(listed[count], sizeof(listed[count]), "%s", file);
        count++;
        dg_free(msg);
    }
    fclose(f);
    /* Every file of the directory is listed. */
    snprintf(path, sizeof(path), "%s/invalid", dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "EXPECTED") == 0)
            continue;
        int found = 0;
        for (int i = 0; i < count && !found; i++)
            found = strcmp(listed[i], de->d_name) == 0;
        if (!found) {
            printf("FAIL %s is not in EXPECTED\n", de->d_name);
            failed++;
        }
    }
    closedir(d);
    printf("invalid corpus: %d messages, %d failed\n", count, failed);
    assert_int_equal(failed, 0);
    assert_true(count >= 150);
}

int main(void)
{
    const char *src = getenv("DG_SOURCE_DIR");
    snprintf(dir, sizeof(dir), "%s/tests/data/msg", src ? src : ".");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_corpus),
        cmocka_unit_test(invalid_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
