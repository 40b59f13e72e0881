/*
 * test_auditd.c - unit tests for lib/auditd, the audit sequencer: the wire
 * format (round trips and every kind of malformed frame), addresses (only
 * unix sockets and loopback), and a sequencer in this process with several
 * clients and threads appending at once: every acknowledged entry is in the
 * log at its index, no index is given twice, the log verifies; stopping the
 * sequencer under load answers every append exactly once; a client fails
 * over to the next address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/auditd.h>

#include "audit_test_util.h"
#include "auditd/auditd_int.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- wire format ------------------------------------------------------------------------ */

static void request_round_trip(void **state)
{
    (void)state;
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    struct dg_auditd_request in = {.op = DG_AUDITD_APPEND,
                                   .id = 0x0102030405060708ull,
                                   .pub = (const uint8_t *)"public",
                                   .pub_len = 6,
                                   .priv = (const uint8_t *)"secret!",
                                   .priv_len = 7};
    assert_int_equal(dg_auditd_frame_request(&b, &in), 0);
    assert_int_equal(b.len, 4 + 9 + 4 + 6 + 7);
    struct dg_auditd_request r;
    struct dg_error e;
    assert_int_equal(dg_auditd_parse_request((uint8_t *)b.data + 4, b.len - 4, &r, &e), 0);
    assert_int_equal(r.op, DG_AUDITD_APPEND);
    assert_true(r.id == 0x0102030405060708ull);
    assert_memory_equal(r.pub, "public", 6);
    assert_int_equal(r.priv_len, 7);
    assert_memory_equal(r.priv, "secret!", 7);
    dg_buf_reset(&b);
    struct dg_auditd_request pr = {.op = DG_AUDITD_PROVE, .id = 9, .index = 41, .size = 1000};
    assert_int_equal(dg_auditd_frame_request(&b, &pr), 0);
    assert_int_equal(dg_auditd_parse_request((uint8_t *)b.data + 4, b.len - 4, &r, &e), 0);
    assert_true(r.index == 41 && r.size == 1000 && r.id == 9);
    dg_buf_reset(&b);
    assert_int_equal(dg_auditd_frame_response(&b, DG_AUDITD_APPEND, 77, 0, "\0\0\0\0\0\0\1\2", 8),
                     0);
    struct dg_auditd_response rr;
    assert_int_equal(dg_auditd_parse_response((uint8_t *)b.data + 4, b.len - 4, &rr, &e), 0);
    assert_true(rr.id == 77 && rr.status == 0 && rr.index == 258);
    dg_buf_reset(&b);
    assert_int_equal(dg_auditd_frame_response(&b, DG_AUDITD_APPEND, 78, DG_EIO, "disk", 4), 0);
    assert_int_equal(dg_auditd_parse_response((uint8_t *)b.data + 4, b.len - 4, &rr, &e), 0);
    assert_int_equal(rr.status, DG_EIO);
    assert_int_equal(rr.payload_len, 4);
    dg_buf_release(&b);
}

static void malformed_frames(void **state)
{
    (void)state;
    struct dg_auditd_request r;
    struct dg_auditd_response rr;
    struct dg_error e;
    static const uint8_t short_hdr[] = {2, 0, 0, 0};
    assert_int_equal(dg_auditd_parse_request(short_hdr, sizeof(short_hdr), &r, &e), DG_EPARSE);
    uint8_t bad_op[9] = {99};
    assert_int_equal(dg_auditd_parse_request(bad_op, 9, &r, &e), DG_EPARSE);
    assert_non_null(strstr(e.msg, "unknown request op"));
    /* an append whose stated length runs past the frame */
    uint8_t over[9 + 4 + 2] = {DG_AUDITD_APPEND, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 'a', 'b'};
    assert_int_equal(dg_auditd_parse_request(over, sizeof(over), &r, &e), DG_EPARSE);
    assert_string_equal(e.field, "pub");
    /* an append with an empty public part */
    uint8_t empty[9 + 4] = {DG_AUDITD_APPEND};
    assert_int_equal(dg_auditd_parse_request(empty, sizeof(empty), &r, &e), DG_EPARSE);
    /* a private part over its limit */
    size_t big = 9 + 4 + 1 + DG_AUDIT_PRIVATE_MAX + 1;
    uint8_t *p = calloc(1, big);
    p[0] = DG_AUDITD_APPEND;
    p[12] = 1;
    assert_int_equal(dg_auditd_parse_request(p, big, &r, &e), DG_ETOOBIG);
    assert_int_equal(dg_auditd_parse_request(p, DG_AUDITD_REQUEST_MAX + 1, &r, &e), DG_ETOOBIG);
    free(p);
    /* a path with a control byte, a prove of the wrong size, a publish with payload */
    uint8_t path[9 + 3] = {DG_AUDITD_READ, 0, 0, 0, 0, 0, 0, 0, 0, 't', '\n', 'x'};
    assert_int_equal(dg_auditd_parse_request(path, sizeof(path), &r, &e), DG_EPARSE);
    uint8_t prove[9 + 15] = {DG_AUDITD_PROVE};
    assert_int_equal(dg_auditd_parse_request(prove, sizeof(prove), &r, &e), DG_EPARSE);
    uint8_t pub[10] = {DG_AUDITD_PUBLISH};
    assert_int_equal(dg_auditd_parse_request(pub, sizeof(pub), &r, &e), DG_EPARSE);
    /* responses: a positive status, an append answer without its index */
    uint8_t pos[13] = {DG_AUDITD_APPEND, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5};
    assert_int_equal(dg_auditd_parse_response(pos, sizeof(pos), &rr, &e), DG_EPARSE);
    assert_string_equal(e.field, "status");
    uint8_t noidx[13] = {DG_AUDITD_APPEND};
    assert_int_equal(dg_auditd_parse_response(noidx, sizeof(noidx), &rr, &e), DG_EPARSE);
    assert_int_equal(dg_auditd_parse_response(noidx, 12, &rr, &e), DG_EPARSE);
}

static void addresses(void **state)
{
    (void)state;
    struct dg__auditd_addr a;
    struct dg_error e;
    assert_int_equal(dg__auditd_addr_parse("unix:/run/dg.sock", 17, &a, &e), 0);
    assert_string_equal(a.unix_path, "/run/dg.sock");
    assert_int_equal(dg__auditd_addr_parse("127.0.0.1:0", 11, &a, &e), 0);
    assert_int_equal(dg__auditd_addr_parse("localhost:7000", 14, &a, &e), 0);
    assert_int_equal(dg__auditd_addr_parse("[::1]:7000", 10, &a, &e), 0);
    assert_int_equal(dg__auditd_addr_parse("10.0.0.5:7000", 13, &a, &e), DG_ECONFIG);
    assert_non_null(strstr(e.msg, "loopback"));
    assert_int_equal(dg__auditd_addr_parse("0.0.0.0:7000", 12, &a, &e), DG_ECONFIG);
    assert_int_equal(dg__auditd_addr_parse("127.0.0.1", 9, &a, &e), DG_ECONFIG);
    assert_int_equal(dg__auditd_addr_parse("127.0.0.1:99999", 15, &a, &e), DG_ECONFIG);
    assert_int_equal(dg__auditd_addr_parse("unix:", 5, &a, &e), DG_ECONFIG);
}

/* ---- a sequencer in this process ------------------------------------------------------------ */

struct fixture {
    char dir[256], logdir[300], sock[300];
    struct dg_note_signer *signer;
    struct dg_note_verifier *verifier;
    struct dg_auditd *d;
    pthread_t loop;
};

static void *loop_main(void *arg)
{
    dg_auditd_run(arg);
    return NULL;
}

static void start(struct fixture *f)
{
    struct dg_auditd_options o;
    dg_auditd_options_init(&o);
    o.log.dir = f->logdir;
    o.log.signer = f->signer;
    o.log.flags = DG_AUDIT_CREATE;
    o.log.checkpoint_ms = 50;
    o.listen = f->sock;
    struct dg_error e;
    if (dg_auditd_new(&o, &f->d, &e))
        fail_msg("auditd: %s", e.msg);
    assert_int_equal(pthread_create(&f->loop, NULL, loop_main, f->d), 0);
}

static void stop(struct fixture *f)
{
    dg_auditd_stop(f->d);
    pthread_join(f->loop, NULL);
    assert_int_equal(dg_auditd_free(f->d), 0);
    f->d = NULL;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    tu_tmpdir(f->dir);
    snprintf(f->logdir, sizeof(f->logdir), "%s/log", f->dir);
    snprintf(f->sock, sizeof(f->sock), "unix:%s/seq.sock", f->dir);
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 4096);
    dg_buf_init(&vk, 4096);
    struct dg_error e;
    if (dg_note_keygen("test.example/audit", &sk, &vk, &e) ||
        dg_note_signer_parse(sk.data, sk.len, &f->signer, &e) ||
        dg_note_verifier_parse(vk.data, vk.len, &f->verifier, &e))
        return -1;
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    start(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->d)
        stop(f);
    dg_note_signer_free(f->signer);
    dg_note_verifier_free(f->verifier);
    tu_rmdir(f->dir);
    free(f);
    return 0;
}

#define CLIENTS 3
#define THREADS 4
#define PER     150
#define ENTRIES (CLIENTS * THREADS * PER)

struct acked {
    _Atomic int count;
    uint64_t index[ENTRIES];
    char text[ENTRIES][32];
};

struct worker {
    struct dg_auditd_client *c;
    struct acked *a;
    int client, thread;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER; i++) {
        char text[32];
        int n = snprintf(text, sizeof(text), "c%d-t%d-e%d", w->client, w->thread, i);
        uint64_t idx;
        struct dg_error e;
        if (dg_auditd_append(w->c, text, (size_t)n, "private", 7, &idx, &e))
            continue; /* not acknowledged: must not be counted */
        int k = atomic_fetch_add(&w->a->count, 1);
        w->a->index[k] = idx;
        memcpy(w->a->text[k], text, (size_t)n + 1);
    }
    return NULL;
}

/* Every acknowledged entry is in the log at its index with its bytes. */
static void check_acked(const char *logdir, const struct acked *a, uint64_t *size)
{
    struct dg_audit_iter *it;
    struct dg_error e;
    assert_int_equal(dg_audit_iter_open(logdir, 0, &it, &e), 0);
    char(*at)[32] = calloc(ENTRIES + 64, 32);
    struct dg_audit_record rec;
    uint64_t n = 0;
    int rc;
    while ((rc = dg_audit_iter_next(it, &rec, &e)) == 1) {
        assert_true(rec.index == n);
        if (n < ENTRIES + 64 && rec.pub_len < 32)
            memcpy(at[n], rec.pub, rec.pub_len);
        n++;
    }
    assert_int_equal(rc, 0);
    dg_audit_iter_free(it);
    for (int k = 0; k < a->count; k++) {
        assert_true(a->index[k] < n);
        assert_string_equal(at[a->index[k]], a->text[k]);
        for (int j = 0; j < k; j++)
            assert_true(a->index[j] != a->index[k]); /* never one index twice */
    }
    free(at);
    *size = n;
}

static void many_nodes_one_log(void **state)
{
    struct fixture *f = *state;
    struct dg_auditd_client *c[CLIENTS];
    struct dg_error e;
    char origin[DG_CHECKPOINT_ORIGIN_MAX + 1];
    for (int i = 0; i < CLIENTS; i++) {
        if (dg_auditd_client_new(f->sock, &c[i], origin, &e))
            fail_msg("client: %s", e.msg);
        assert_string_equal(origin, "test.example/audit");
    }
    static struct acked a;
    memset(&a, 0, sizeof(a));
    struct worker w[CLIENTS * THREADS];
    pthread_t t[CLIENTS * THREADS];
    for (int i = 0; i < CLIENTS * THREADS; i++) {
        w[i] = (struct worker){c[i / THREADS], &a, i / THREADS, i % THREADS};
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < CLIENTS * THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(a.count, ENTRIES); /* nothing refused while the sequencer runs */
    /* The public face through any client: a checkpoint now, then proofs. */
    assert_int_equal(dg_auditd_publish(c[1], &e), 0);
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    assert_int_equal(dg_auditd_read(c[2], "checkpoint", &b, &e), 0);
    struct dg_checkpoint cp;
    assert_int_equal(dg_checkpoint_open(b.data, b.len, &f->verifier, 1, &cp, &e), 0);
    assert_int_equal(cp.size, ENTRIES);
    dg_buf_reset(&b);
    assert_int_equal(dg_auditd_prove(c[0], a.index[0], 0, &b, &e), 0);
    struct dg_proof pf;
    assert_int_equal(dg_proof_parse(b.data, b.len, &pf, &e), 0);
    assert_int_equal(dg_proof_verify(&pf), 0);
    assert_memory_equal(pf.root, cp.root, DG_HASH_SIZE);
    dg_buf_reset(&b);
    assert_int_equal(dg_auditd_read(c[0], "../private/state", &b, &e), DG_EINVAL);
    assert_int_equal(dg_auditd_read(c[0], "tile/0/x999/999", &b, &e), DG_ENOENT);
    dg_buf_release(&b);
    for (int i = 0; i < CLIENTS; i++)
        dg_auditd_client_free(c[i]);
    stop(f);
    uint64_t size;
    check_acked(f->logdir, &a, &size);
    assert_int_equal(size, ENTRIES);
    uint64_t checked;
    assert_int_equal(dg_audit_verify_dir(f->logdir, &f->verifier, 1, &checked, &e), 0);
    assert_int_equal(checked, ENTRIES);
}

/* Async appends in flight when the sequencer stops: each is answered exactly
 * once, and every acknowledged one is in the log. */
struct flight {
    _Atomic int calls, ok, failed;
    _Atomic int seen[2000];
};

static struct flight fl;

static void flight_done(void *arg, int status, uint64_t index)
{
    (void)index;
    int k = (int)(intptr_t)arg;
    atomic_fetch_add(&fl.seen[k], 1);
    atomic_fetch_add(&fl.calls, 1);
    atomic_fetch_add(status == 0 ? &fl.ok : &fl.failed, 1);
}

static void stop_under_load(void **state)
{
    struct fixture *f = *state;
    struct dg_auditd_client *c;
    struct dg_error e;
    if (dg_auditd_client_new(f->sock, &c, NULL, &e))
        fail_msg("client: %s", e.msg);
    memset(&fl, 0, sizeof(fl));
    int sent = 0;
    for (int k = 0; k < 2000; k++) {
        if (k == 1000)
            dg_auditd_stop(f->d); /* mid-stream */
        char text[16];
        int n = snprintf(text, sizeof(text), "load-%d", k);
        if (dg_auditd_append_async(c, text, (size_t)n, NULL, 0, flight_done, (void *)(intptr_t)k))
            break; /* the sequencer is gone: nothing sent, no callback */
        sent++;
    }
    pthread_join(f->loop, NULL);
    dg_auditd_client_free(c); /* fails whatever is still waiting */
    assert_int_equal(fl.calls, sent);
    for (int k = 0; k < sent; k++)
        assert_int_equal(fl.seen[k], 1);
    assert_true(fl.ok >= 1);
    assert_int_equal(dg_auditd_free(f->d), 0);
    f->d = NULL;
    /* The log holds at least every acknowledged entry, and verifies. */
    uint64_t n;
    int vrc = dg_audit_verify_dir(f->logdir, &f->verifier, 1, &n, &e);
    if (vrc)
        fail_msg("verify after a stop under load: %s (%s, at %ld)", dg_strerror(vrc), e.msg,
                 (long)e.offset);
    assert_true(n >= (uint64_t)fl.ok);
    assert_true(n <= (uint64_t)sent);
}

static void failover_to_next_address(void **state)
{
    struct fixture *f = *state;
    char addrs[700];
    snprintf(addrs, sizeof(addrs), "unix:%s/nobody-here.sock,%s", f->dir, f->sock);
    struct dg_auditd_client *c;
    struct dg_error e;
    if (dg_auditd_client_new(addrs, &c, NULL, &e))
        fail_msg("client: %s", e.msg);
    uint64_t idx;
    assert_int_equal(dg_auditd_append(c, "x", 1, NULL, 0, &idx, &e), 0);
    assert_true(idx == 0);
    /* The sequencer restarts: the client's next append reconnects. */
    stop(f);
    assert_int_equal(dg_auditd_append(c, "lost", 4, NULL, 0, &idx, &e), DG_EIO);
    start(f);
    assert_int_equal(dg_auditd_append(c, "y", 1, NULL, 0, &idx, &e), 0);
    assert_true(idx == 1);
    dg_auditd_client_free(c);
    /* No sequencer at any address. */
    snprintf(addrs, sizeof(addrs), "unix:%s/nobody-here.sock", f->dir);
    assert_int_equal(dg_auditd_client_new(addrs, &c, NULL, &e), DG_EIO);
    assert_int_equal(dg_auditd_client_new("10.1.2.3:5", &c, NULL, &e), DG_ECONFIG);
}

int main(void)
{
    dg_log_set_level(DG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_round_trip),
        cmocka_unit_test(malformed_frames),
        cmocka_unit_test(addresses),
        cmocka_unit_test_setup_teardown(many_nodes_one_log, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_under_load, setup, teardown),
        cmocka_unit_test_setup_teardown(failover_to_next_address, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
