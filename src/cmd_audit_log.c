/*
 * cmd_audit_log.c - the `dmvgate audit` subcommands that work on a log
 * directory: verify (recompute everything), prove and consistency (proofs
 * from the tiles), append (durable appends from standard input, with
 * several writer threads for load tests) and dump (entries as JSON lines).
 */
#include "cmd.h"
#include "cmd_audit.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_BYTES (64 * 1024)

/* ---- verify ----------------------------------------------------------------------- */

static const char verify_help[] =
    "usage: dmvgate audit verify DIR [--key VKEY ...]\n"
    "\n"
    "Recompute the whole log in DIR from its entries and compare with everything on\n"
    "disk: segment framing and checksums, entry indices, each entry's encoding and\n"
    "the commitment to its private part, every tile and entry bundle (full, and\n"
    "every partial one present), the root of the published checkpoint and of the\n"
    "signed state. Without DIR/private (a mirror of the public files, as a witness\n"
    "has), the entries are read from the entry bundles instead.\n"
    "\n"
    "  --key VKEY  also check the checkpoint's signature with this verifier key (or\n"
    "              key file); repeat for several\n"
    "  --help      this text\n"
    "\n"
    "Exit status: 0 consistent; 1 an inconsistency, printed as 'index N: reason' for\n"
    "the first one; 2 the log cannot be read.\n";

int dg__audit_verify(int argc, char **argv)
{
    const char *dir = NULL;
    struct dg_note_verifier *keys[16];
    size_t nkeys = 0;
    int ret = 0;
    for (int i = 1; i < argc && !ret; i++) {
        if (dg__audit_is_help(argv[i])) {
            fputs(verify_help, stdout);
            goto out;
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            if (nkeys == DG_ARRAY_LEN(keys))
                ret = dg_cmd_usage_error("audit verify: at most 16 keys");
            else if (dg__audit_load_verifier(argv[++i], &keys[nkeys]))
                ret = 2;
            else
                nkeys++;
        } else if (argv[i][0] == '-') {
            ret = dg_cmd_usage_error("audit verify: unknown option '%s'", argv[i]);
        } else if (!dir) {
            dir = argv[i];
        } else {
            ret = dg_cmd_usage_error("audit verify: more than one DIR");
        }
    }
    if (!ret && !dir)
        ret = dg_cmd_usage_error("audit verify: DIR is required");
    if (ret)
        goto out;
    struct dg_error err;
    dg_error_clear(&err);
    uint64_t n = 0;
    uint64_t t0 = dg_mono_ns();
    int rc = dg_audit_verify_dir(dir, keys, nkeys, &n, &err);
    double secs = (double)(dg_mono_ns() - t0) / 1e9;
    if (rc == DG_ELOGCORRUPT || rc == DG_ESIG) {
        if (err.offset >= 0)
            fprintf(stderr, "dmvgate: audit verify: index %ld: %s\n", err.offset, err.msg);
        else
            fprintf(stderr, "dmvgate: audit verify: %s\n", err.msg);
        ret = 1;
    } else if (rc) {
        fprintf(stderr, "dmvgate: audit verify: %s\n", err.msg[0] ? err.msg : dg_strerror(rc));
        ret = 2;
    } else {
        printf("ok: %llu entries consistent with the tiles and the checkpoint%s (%.2f s)\n",
               (unsigned long long)n, nkeys ? ", signature verified" : "", secs);
    }
out:
    for (size_t i = 0; i < nkeys; i++)
        dg_note_verifier_free(keys[i]);
    return ret;
}

/* ---- prove and consistency -------------------------------------------------------- */

static const char prove_help[] =
    "usage: dmvgate audit prove DIR --index N [--size M]\n"
    "\n"
    "Print, as one line of JSON, the inclusion proof of entry N in the tree of size M,\n"
    "computed from the public tiles of the log in DIR (as any client could):\n"
    "{\"leafIdx\",\"treeSize\",\"root\",\"leafHash\",\"proof\"}. Check it with\n"
    "'dmvgate audit verify-proof' against the root of a checkpoint you verified.\n"
    "\n"
    "  --index N  the entry (0-based)\n"
    "  --size M   the tree size; default the latest checkpoint's size\n"
    "  --help     this text\n"
    "\n"
    "Exit status: 0 printed, 1 no such entry in that tree, 2 the log cannot be read.\n";

static const char consistency_help[] =
    "usage: dmvgate audit consistency DIR --from N [--to M]\n"
    "\n"
    "Print, as one line of JSON, the consistency proof that the tree of size N is a\n"
    "prefix of the tree of size M, from the public tiles of the log in DIR:\n"
    "{\"size1\",\"size2\",\"root1\",\"root2\",\"proof\"}. A witness that saw checkpoint N\n"
    "checks it with 'dmvgate audit verify-proof' before accepting checkpoint M.\n"
    "\n"
    "  --from N  the older tree size\n"
    "  --to M    the newer tree size; default the latest checkpoint's size\n"
    "  --help    this text\n"
    "\n"
    "Exit status: 0 printed, 1 no such sizes, 2 the log cannot be read.\n";

static int proof_cmd(int argc, char **argv, bool inclusion)
{
    const char *dir = NULL, *name = inclusion ? "prove" : "consistency";
    const char *o1 = inclusion ? "--index" : "--from", *o2 = inclusion ? "--size" : "--to";
    uint64_t a = 0, b = 0;
    bool have_a = false;
    for (int i = 1; i < argc; i++) {
        if (dg__audit_is_help(argv[i])) {
            fputs(inclusion ? prove_help : consistency_help, stdout);
            return 0;
        } else if (strcmp(argv[i], o1) == 0 && i + 1 < argc) {
            if (!dg__audit_parse_u64(o1, argv[++i], &a))
                return 2;
            have_a = true;
        } else if (strcmp(argv[i], o2) == 0 && i + 1 < argc) {
            if (!dg__audit_parse_u64(o2, argv[++i], &b))
                return 2;
            if (b == 0)
                return dg_cmd_usage_error("audit %s: %s must be at least 1", name, o2);
        } else if (argv[i][0] == '-') {
            return dg_cmd_usage_error("audit %s: unknown option '%s'", name, argv[i]);
        } else if (!dir) {
            dir = argv[i];
        } else {
            return dg_cmd_usage_error("audit %s: more than one DIR", name);
        }
    }
    if (!dir || !have_a)
        return dg_cmd_usage_error("audit %s: DIR and %s are required", name, o1);
    struct dg_buf out;
    dg_buf_init(&out, 1 << 20);
    struct dg_error err;
    int rc = inclusion ? dg_audit_prove_json(dir, a, b, &out, &err)
                       : dg_audit_consistency_json(dir, a, b, &out, &err);
    if (!rc)
        printf("%s\n", out.data);
    else
        fprintf(stderr, "dmvgate: audit %s: %s\n", name, err.msg);
    dg_buf_release(&out);
    return rc == 0 ? 0 : rc == DG_ERANGE ? 1 : 2;
}

int dg__audit_prove(int argc, char **argv)
{
    return proof_cmd(argc, argv, true);
}

int dg__audit_consistency(int argc, char **argv)
{
    return proof_cmd(argc, argv, false);
}

/* ---- append ----------------------------------------------------------------------- */

static const char append_help[] =
    "usage: dmvgate audit append DIR --key SKEY [options] < LINES\n"
    "\n"
    "Append one entry per line of standard input to the log in DIR (created if\n"
    "absent), and print 'INDEX<TAB>LINE' for each once it is durable (written and\n"
    "fdatasync'd). For tests, load and demos; a node appends through the library.\n"
    "\n"
    "  --key SKEY          the signer key file (from 'dmvgate audit keygen')\n"
    "  --format raw|json   raw: the line's bytes are the entry (default); json: the\n"
    "                      line is an audit entry in JSON (docs/audit.md), encoded with\n"
    "                      a fresh random salt\n"
    "  --writers N         N threads append concurrently (group commit), 1..256 (1)\n"
    "  --origin ORIGIN     checkpoint origin when the log is created (the key's name)\n"
    "  --checkpoint-ms MS  sign a checkpoint at most every MS ms, 0 after every batch\n"
    "                      (1000)\n"
    "  --max-batch N       entries per group commit (4096)\n"
    "  --max-wait-us N     wait up to N microseconds for a batch to fill (0)\n"
    "  --segment-bytes N   start a new segment file past N bytes, >= 1048576 (64 MiB)\n"
    "  --help              this text\n"
    "\n"
    "Empty lines are skipped. A final checkpoint is signed at end of input.\n"
    "Exit status: 0 every line appended, 1 some append failed, 2 the log could not be\n"
    "opened or closed cleanly.\n";

struct appender {
    struct dg_audit_log *log;
    bool json;
    pthread_mutex_t in_mu, out_mu;
    FILE *in;
    int failed;
};

static void *append_main(void *arg)
{
    struct appender *a = arg;
    char *line = malloc(LINE_MAX_BYTES + 2);
    struct dg_audit_entry *e = malloc(sizeof(*e));
    char *out = malloc(LINE_MAX_BYTES + 64);
    if (!line || !e || !out) {
        free(line);
        free(e);
        free(out);
        a->failed = 1;
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&a->in_mu);
        char *got = fgets(line, LINE_MAX_BYTES + 2, a->in);
        pthread_mutex_unlock(&a->in_mu);
        if (!got)
            break;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n == 0)
            continue;
        uint64_t idx = 0;
        int rc;
        struct dg_error err;
        dg_error_clear(&err);
        if (a->json) {
            rc = dg_audit_entry_from_json(line, n, e, &err);
            if (!rc)
                rc = dg_audit_append_entry(a->log, e, &idx, &err);
        } else {
            rc = dg_audit_append(a->log, line, n, NULL, 0, &idx);
        }
        if (rc) {
            pthread_mutex_lock(&a->out_mu);
            fprintf(stderr, "dmvgate: append failed: %s\n", err.msg[0] ? err.msg : dg_strerror(rc));
            a->failed = 1;
            pthread_mutex_unlock(&a->out_mu);
            continue;
        }
        /* One write per acknowledged entry, so that a reader of the output
         * (the crash test) sees whole lines only. */
        int len = snprintf(out, LINE_MAX_BYTES + 64, "%llu\t%s\n", (unsigned long long)idx, line);
        pthread_mutex_lock(&a->out_mu);
        if (write(STDOUT_FILENO, out, (size_t)len) != len)
            a->failed = 1;
        pthread_mutex_unlock(&a->out_mu);
    }
    free(line);
    free(e);
    free(out);
    return NULL;
}

int dg__audit_append(int argc, char **argv)
{
    const char *dir = NULL, *key = NULL, *origin = NULL, *format = "raw";
    uint64_t writers = 1, ckpt = 1000, max_batch = 4096, max_wait = 0, seg = 64u << 20;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        bool more = i + 1 < argc;
        if (dg__audit_is_help(o)) {
            fputs(append_help, stdout);
            return 0;
        } else if (!strcmp(o, "--key") && more) {
            key = argv[++i];
        } else if (!strcmp(o, "--format") && more) {
            format = argv[++i];
        } else if (!strcmp(o, "--origin") && more) {
            origin = argv[++i];
        } else if (!strcmp(o, "--writers") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &writers))
                return 2;
        } else if (!strcmp(o, "--checkpoint-ms") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &ckpt))
                return 2;
        } else if (!strcmp(o, "--max-batch") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &max_batch))
                return 2;
        } else if (!strcmp(o, "--segment-bytes") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &seg))
                return 2;
        } else if (!strcmp(o, "--max-wait-us") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &max_wait))
                return 2;
        } else if (o[0] == '-') {
            return dg_cmd_usage_error("audit append: unknown option or missing value '%s'", o);
        } else if (!dir) {
            dir = o;
        } else {
            return dg_cmd_usage_error("audit append: more than one DIR");
        }
    }
    if (!dir || !key)
        return dg_cmd_usage_error("audit append: DIR and --key are required");
    if (strcmp(format, "raw") != 0 && strcmp(format, "json") != 0)
        return dg_cmd_usage_error("audit append: --format must be raw or json");
    if (writers < 1 || writers > 256)
        return dg_cmd_usage_error("audit append: --writers must be 1..256");
    struct dg_note_signer *signer;
    if (dg__audit_load_signer(key, &signer))
        return 2;
    struct dg_audit_options o;
    dg_audit_options_init(&o);
    o.dir = dir;
    o.origin = origin;
    o.signer = signer;
    o.flags = DG_AUDIT_CREATE;
    o.checkpoint_ms = (unsigned)(ckpt > 3600000 ? 3600001 : ckpt);
    o.max_batch = (unsigned)(max_batch > 65536 ? 65537 : max_batch);
    o.max_wait_us = (unsigned)(max_wait > 1000000 ? 1000001 : max_wait);
    if (o.max_pending < o.max_batch)
        o.max_pending = o.max_batch;
    o.segment_bytes = seg;
    if (o.prealloc_bytes > seg)
        o.prealloc_bytes = seg;
    struct dg_audit_log *log;
    struct dg_error err;
    int rc = dg_audit_open(&o, &log, &err);
    if (rc) {
        fprintf(stderr, "dmvgate: audit append: %s\n", err.msg);
        dg_note_signer_free(signer);
        return 2;
    }
    struct appender a = {log,
                         strcmp(format, "json") == 0,
                         PTHREAD_MUTEX_INITIALIZER,
                         PTHREAD_MUTEX_INITIALIZER,
                         stdin,
                         0};
    pthread_t th[256];
    size_t started = 0;
    for (; started < writers; started++)
        if (pthread_create(&th[started], NULL, append_main, &a) != 0)
            break;
    if (started == 0)
        append_main(&a);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    rc = dg_audit_close(log);
    dg_note_signer_free(signer);
    if (rc) {
        fprintf(stderr, "dmvgate: audit append: final checkpoint: %s\n", dg_strerror(rc));
        return 2;
    }
    return a.failed ? 1 : 0;
}

/* ---- dump ------------------------------------------------------------------------- */

static const char dump_help[] =
    "usage: dmvgate audit dump DIR [--from N] [--count N] [--private | --text]\n"
    "\n"
    "Print the entries of the log in DIR as JSON lines, {\"index\": N, ...}: audit\n"
    "entries in their JSON form (docs/audit.md), other entries as {\"raw\": base64}.\n"
    "Reads the segments in DIR/private, so it needs the node's access rights.\n"
    "\n"
    "  --from N    start at entry N (0)\n"
    "  --count N   print at most N entries (all)\n"
    "  --private   include each entry's private part (identifying values, case and\n"
    "              warrant numbers, the person asking): personal data, handle as such\n"
    "  --text      print 'INDEX<TAB>ENTRY' with each entry's bytes as they are, the\n"
    "              way 'audit append' prints them (entries holding a newline are\n"
    "              printed as 'base64:' and their base64)\n"
    "  --help      this text\n";

static int add_b64(struct dg_buf *b, const uint8_t *p, size_t n)
{
    unsigned char *tmp = dg_malloc(4 * ((n + 2) / 3) + 1);
    if (!tmp)
        return DG_ENOMEM;
    int len = EVP_EncodeBlock(tmp, p, (int)n);
    int rc = dg_buf_add(b, tmp, (size_t)len);
    dg_free(tmp);
    return rc;
}

int dg__audit_dump(int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t from = 0, count = UINT64_MAX;
    bool priv = false, text = false;
    for (int i = 1; i < argc; i++) {
        if (dg__audit_is_help(argv[i])) {
            fputs(dump_help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--from") && i + 1 < argc) {
            if (!dg__audit_parse_u64("--from", argv[++i], &from))
                return 2;
        } else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            if (!dg__audit_parse_u64("--count", argv[++i], &count))
                return 2;
        } else if (!strcmp(argv[i], "--private")) {
            priv = true;
        } else if (!strcmp(argv[i], "--text")) {
            text = true;
        } else if (argv[i][0] == '-') {
            return dg_cmd_usage_error("audit dump: unknown option '%s'", argv[i]);
        } else if (!dir) {
            dir = argv[i];
        } else {
            return dg_cmd_usage_error("audit dump: more than one DIR");
        }
    }
    if (!dir)
        return dg_cmd_usage_error("audit dump: DIR is required");
    struct dg_audit_iter *it;
    struct dg_error err;
    int rc = dg_audit_iter_open(dir, from, &it, &err);
    if (rc) {
        fprintf(stderr, "dmvgate: audit dump: %s\n", err.msg);
        return 2;
    }
    struct dg_audit_entry *e = dg_malloc(sizeof(*e));
    struct dg_buf out;
    dg_buf_init(&out, 1 << 20);
    struct dg_audit_record r;
    int ret = 0;
    while (e && count-- > 0 && (rc = dg_audit_iter_next(it, &r, &err)) == 1) {
        dg_buf_reset(&out);
        if (text) {
            dg_buf_printf(&out, "%llu\t", (unsigned long long)r.index);
            if (memchr(r.pub, '\n', r.pub_len)) {
                dg_buf_addstr(&out, "base64:");
                add_b64(&out, r.pub, r.pub_len);
            } else {
                dg_buf_add(&out, r.pub, r.pub_len);
            }
            dg_buf_addc(&out, '\n');
            fwrite(out.data, 1, out.len, stdout);
            continue;
        }
        dg_buf_printf(&out, "{\"index\":%llu,", (unsigned long long)r.index);
        if (r.priv_len && dg_audit_entry_decode(r.pub, r.pub_len, priv ? r.priv : NULL,
                                                priv ? r.priv_len : 0, e, &err) == 0) {
            size_t at = out.len;
            dg_audit_entry_to_json(e, priv, &out);
            memmove(out.data + at, out.data + at + 1, out.len - at); /* drop its '{' */
            out.len--;
        } else {
            dg_buf_addstr(&out, "\"raw\":\"");
            add_b64(&out, r.pub, r.pub_len);
            dg_buf_addstr(&out, "\"}");
        }
        dg_buf_addc(&out, '\n');
        fwrite(out.data, 1, out.len, stdout);
    }
    if (rc < 0) {
        fprintf(stderr, "dmvgate: audit dump: index %ld: %s\n", err.offset, err.msg);
        ret = 1;
    }
    dg_buf_release(&out);
    dg_free(e);
    dg_audit_iter_free(it);
    return ret;
}
