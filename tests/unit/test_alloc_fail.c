/*
 * test_alloc_fail.c - allocation-failure torture (issue 12): for each parser
 * of outside input that allocates, and for the audit writer, count the
 * allocations of one good run, then run it again failing the Nth allocation
 * for every N from 1 to that count. Each run must end with an error (or with
 * success, where an allocation was optional), never a crash; under the ASan
 * build (make check-asan) and valgrind (make check-valgrind) it must also
 * leak nothing. For the audit log, an append that failed is not counted as
 * acknowledged, and what was acknowledged is in the log afterwards, which
 * verifies. Modules with their own such test (policy, config, agency, audit
 * entries, reports, messages, stats, hub blocks) are not repeated here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_test_util.h"

#include <dmvgate/audit.h>
#include <dmvgate/client.h>
#include <dmvgate/msg.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Run fn(arg) once counting allocations, then once per N failing the Nth;
 * fn returns 0 on success or a negative error code. Returns the count. */
static unsigned long torture(const char *what, int (*fn)(void *arg), void *arg)
{
    dg_alloc_fail_at(ULONG_MAX);
    int rc = fn(arg);
    unsigned long count = dg_alloc_fail_at(0);
    if (rc != 0)
        fail_msg("%s: the good run failed: %s", what, dg_errname(rc));
    if (count == 0)
        fail_msg("%s: allocates nothing, nothing to torture", what);
    for (unsigned long n = 1; n <= count; n++) {
        dg_alloc_fail_at(n);
        rc = fn(arg);
        dg_alloc_fail_at(0);
        if (rc > 0)
            fail_msg("%s: allocation %lu failed: positive result %d", what, n, rc);
    }
    return count;
}

/* ---- parsers --------------------------------------------------------------------- */

static int msg_json(void *arg)
{
    (void)arg;
    static const char in[] = "{\"key\":\"DQ\",\"ori\":\"CO0010000\",\"dest\":[\"CO\",\"AZ\"],"
                             "\"fields\":{\"NAM\":\"RIVERA,JOSE\",\"DOB\":\"19800101\","
                             "\"PUR\":\"C\",\"ATN\":\"DET J RIVERA\"}}";
    struct dg_msg_req r;
    struct dg_error e;
    int rc = dg_msg_req_parse_json(&r, in, sizeof(in) - 1, &e);
    if (rc)
        return rc;
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    rc = dg_msg_req_to_json(&r, &b);
    dg_buf_release(&b);
    return rc;
}

static int resp_json(void *arg)
{
    (void)arg;
    static const char in[] =
        "{\"key\":\"ER\",\"ori\":\"CO0010000\",\"src\":\"AZ\",\"fields\":{\"MID\":\"HUB-1\","
        "\"STS\":\"DENIED\",\"ERC\":\"904\",\"ERT\":\"refused at the hub\",\"RUL\":\"hub block\"}}";
    struct dg_msg_resp *r = NULL;
    struct dg_error e;
    int rc = dg_msg_resp_parse_json(&r, in, sizeof(in) - 1, &e);
    if (rc)
        return rc;
    struct dg_buf b;
    dg_buf_init(&b, 1 << 16);
    rc = dg_msg_resp_to_text(r, &b, &e);
    dg_buf_release(&b);
    dg_msg_resp_free(r);
    return rc;
}

static int client_answers(void *arg)
{
    (void)arg;
    static const char in[] =
        "{\"answers\":[{\"key\":\"ER\",\"ori\":\"AZ0070000\",\"src\":\"WI\",\"fields\":"
        "{\"MID\":\"HUB-1\",\"STS\":\"FAILED\",\"ERC\":\"901\",\"ERT\":\"unreachable\"}},"
        "{\"key\":\"ER\",\"ori\":\"AZ0070000\",\"src\":\"CO\",\"fields\":{\"MID\":\"HUB-2\","
        "\"STS\":\"FAILED\",\"ERC\":\"902\",\"ERT\":\"timeout\"}}]}";
    struct dg_msg_resp *r[DG_CLIENT_MAX_ANSWERS];
    struct dg_error e;
    int n = dg_client_answers_parse(in, sizeof(in) - 1, r, DG_CLIENT_MAX_ANSWERS, &e);
    if (n < 0)
        return n;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        struct dg_buf b;
        dg_buf_init(&b, 1 << 16);
        if (rc == 0)
            rc = dg_client_render(r[i], &b);
        dg_buf_release(&b);
        dg_msg_resp_free(r[i]);
    }
    return rc;
}

static int audit_entry_json(void *arg)
{
    (void)arg;
    struct dg_audit_entry e;
    dg_audit_entry_init(&e, DG_AUDIT_SECURITY);
    snprintf(e.msg_id, sizeof(e.msg_id), "HUB-1");
    e.event = DG_EVENT_ORI_MISMATCH;
    snprintf(e.detail, sizeof(e.detail), "hub: a test");
    struct dg_buf j;
    dg_buf_init(&j, 1 << 16);
    int rc = dg_audit_entry_to_json(&e, true, &j);
    struct dg_audit_entry back;
    struct dg_error err;
    if (rc == 0)
        rc = dg_audit_entry_from_json(j.data, j.len, &back, &err);
    dg_buf_release(&j);
    return rc;
}

struct keys {
    struct dg_note_signer *signer;
    struct dg_note_verifier *verifier;
    char note[1024];
};

static int note_open(void *arg)
{
    struct keys *k = arg;
    struct dg_note_verifier *const keys[] = {k->verifier};
    struct dg_error e;
    size_t text_len = 0, nv = 0;
    int rc = dg_note_open(k->note, strlen(k->note), keys, 1, &text_len, &nv, &e);
    return rc < 0 ? rc : 0;
}

static void parsers(void **state)
{
    (void)state;
    torture("JSON request", msg_json, NULL);
    torture("JSON response", resp_json, NULL);
    torture("hub answers", client_answers, NULL);
    torture("audit entry JSON", audit_entry_json, NULL);
}

/* ---- the audit writer -------------------------------------------------------------- */

struct writer {
    struct keys *k;
    char dir[256];
    uint64_t acked; /* appends acknowledged in all runs so far */
};

static int write_log(void *arg)
{
    struct writer *w = arg;
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = w->dir;
    o.signer = w->k->signer;
    o.flags = DG_AUDIT_CREATE;
    o.checkpoint_ms = 0;
    o.prealloc_bytes = 1u << 20;
    o.segment_bytes = 1u << 20;
    struct dg_audit_log *log = NULL;
    struct dg_error err;
    int rc = dg_audit_open(&o, &log, &err);
    if (rc)
        return rc;
    struct dg_audit_entry e;
    for (int i = 0; i < 4 && rc == 0; i++) {
        dg_audit_entry_init(&e, DG_AUDIT_SECURITY);
        snprintf(e.msg_id, sizeof(e.msg_id), "T-%d", i);
        e.event = DG_EVENT_MALFORMED;
        snprintf(e.detail, sizeof(e.detail), "allocation torture");
        uint64_t index;
        rc = dg_audit_append_entry(log, &e, &index, &err);
        if (rc == 0)
            w->acked++;
    }
    if (rc == 0)
        rc = dg_audit_publish(log, &err);
    int crc = dg_audit_close(log);
    return rc ? rc : crc;
}

static void audit_writer(void **state)
{
    (void)state;
    struct keys k;
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 1024);
    dg_buf_init(&vk, 1024);
    struct dg_error err;
    assert_int_equal(dg_note_keygen("torture.example/audit", &sk, &vk, &err), 0);
    assert_int_equal(dg_note_signer_parse(sk.data, sk.len, &k.signer, &err), 0);
    assert_int_equal(dg_note_verifier_parse(vk.data, vk.len, &k.verifier, &err), 0);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    dg_log_set_level(DG_LOG_OFF);

    /* signed notes: sign one checkpoint-like note, then open it under failures */
    struct dg_buf note;
    dg_buf_init(&note, 1024);
    static const char text[] = "torture.example/audit\n7\nAAAA\n";
    assert_int_equal(dg_note_sign(k.signer, text, sizeof(text) - 1, &note, &err), 0);
    snprintf(k.note, sizeof(k.note), "%.*s", (int)note.len, note.data);
    dg_buf_release(&note);
    torture("signed note", note_open, &k);

    struct writer w = {.k = &k};
    tu_tmpdir(w.dir);
    unsigned long n = torture("audit writer", write_log, &w);
    /* everything acknowledged in any run is in the log, and the log verifies */
    uint64_t entries = 0;
    int rc = dg_audit_verify_dir(w.dir, &k.verifier, 1, &entries, &err);
    if (rc)
        fail_msg("after %lu failing runs the log does not verify: %s", n, err.msg);
    if (entries < w.acked)
        fail_msg("%llu appends acknowledged, %llu entries in the log", (unsigned long long)w.acked,
                 (unsigned long long)entries);
    tu_rmdir(w.dir);
    dg_note_signer_free(k.signer);
    dg_note_verifier_free(k.verifier);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parsers),
        cmocka_unit_test(audit_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
