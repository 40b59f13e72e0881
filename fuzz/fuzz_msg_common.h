/*
 * fuzz_msg_common.h - the checks both message fuzz targets make on every
 * input (fuzz_msg_text.c, fuzz_msg_json.c): a rejection is well formed and
 * can be answered as an ER; an accepted message's canonical forms parse back
 * and convert into each other without change.
 */
#ifndef DG_FUZZ_MSG_COMMON_H
#define DG_FUZZ_MSG_COMMON_H

#include <dmvgate/msg.h>

#include <stdlib.h>
#include <string.h>

#define DG_FUZZ_CHECK(c)                                                                           \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* The canonical form of a parsed message in form; NULL if it cannot be
 * written (which is a finding). */
static char *fuzz_msg_write(const struct dg_msg *m, enum dg_msg_form form, size_t *n)
{
    struct dg_buf b;
    struct dg_error e;
    dg_buf_init(&b, 2 * (size_t)DG_MSG_MAX);
    int rc = dg_msg_write(m, form, &b, &e);
    DG_FUZZ_CHECK(rc == 0);
    return dg_buf_detach(&b, n);
}

static void fuzz_msg_rejected(int rc, const struct dg_error *e, size_t size)
{
    DG_FUZZ_CHECK(rc < 0 && e->code == rc);
    DG_FUZZ_CHECK(e->msg[0] != '\0');
    DG_FUZZ_CHECK(e->offset >= -1 && e->offset <= (long)size);
    if (rc == DG_ENOMEM)
        return;
    DG_FUZZ_CHECK(rc <= -300 && rc > -400);
    struct dg_msg_resp *r;
    struct dg_error e2;
    DG_FUZZ_CHECK(dg_msg_resp_begin(&r, DG_KEY_ER, "AZ0070000", "CO", "F1", DG_STS_INVALID, &e2) ==
                  0);
    DG_FUZZ_CHECK(dg_msg_resp_set_error_from(r, e, &e2) == 0);
    struct dg_buf b;
    dg_buf_init(&b, 8192);
    DG_FUZZ_CHECK(dg_msg_resp_to_text(r, &b, &e2) == 0);
    dg_buf_release(&b);
    dg_msg_resp_free(r);
}

/* Parse data in form; check what the module promises either way. */
static void fuzz_msg_one(const char *data, size_t size, enum dg_msg_form form)
{
    struct dg_msg m;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_msg_parse(&m, form, data, size, &e);
    if (rc) {
        fuzz_msg_rejected(rc, &e, size);
        return;
    }
    size_t tn, jn;
    char *t = fuzz_msg_write(&m, DG_MSG_TEXT, &tn), *j = fuzz_msg_write(&m, DG_MSG_JSON, &jn);
    dg_msg_release(&m);
    /* each canonical form is its own canonical form, and converts to the other */
    struct dg_msg m2;
    DG_FUZZ_CHECK(dg_msg_parse(&m2, DG_MSG_TEXT, t, tn, &e) == 0);
    size_t n2;
    char *t2 = fuzz_msg_write(&m2, DG_MSG_TEXT, &n2), *j2 = fuzz_msg_write(&m2, DG_MSG_JSON, NULL);
    DG_FUZZ_CHECK(n2 == tn && memcmp(t, t2, tn) == 0);
    DG_FUZZ_CHECK(strcmp(j, j2) == 0);
    dg_msg_release(&m2);
    DG_FUZZ_CHECK(dg_msg_parse(&m2, DG_MSG_JSON, j, jn, &e) == 0);
    char *t3 = fuzz_msg_write(&m2, DG_MSG_TEXT, NULL), *j3 = fuzz_msg_write(&m2, DG_MSG_JSON, NULL);
    DG_FUZZ_CHECK(strcmp(t, t3) == 0);
    DG_FUZZ_CHECK(strcmp(j, j3) == 0);
    dg_msg_release(&m2);
    dg_free(t);
    dg_free(j);
    dg_free(t2);
    dg_free(j2);
    dg_free(t3);
    dg_free(j3);
}

#endif
