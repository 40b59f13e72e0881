/*
 * cmd_auditd.c - `dmvgate auditd`: the audit sequencer that owns a state's
 * audit log when several node processes serve the state (serve), and a
 * client for tests and operators (append, checkpoint). The work is done by
 * lib/auditd (include/dmvgate/auditd.h).
 */
#include "cmd.h"
#include "cmd_audit.h"

#include <dmvgate/auditd.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_BYTES DG_AUDIT_ENTRY_MAX

static const char usage_text[] =
    "usage: dmvgate auditd serve DIR --key SKEY --listen ADDR [options]\n"
    "       dmvgate auditd append --to ADDRS [--format raw|json] [--writers N]\n"
    "       dmvgate auditd checkpoint --to ADDRS\n"
    "\n"
    "The audit sequencer: the one process that writes a state's audit log when\n"
    "several 'dmvgate serve' processes serve the state (docs/audit.md, section\n"
    "\"Several node processes\"; docs/operations.md). Nodes send their entries to it\n"
    "and answer their requesters only once it acknowledges them as durable.\n"
    "\n"
    "serve        open (or create) the log in DIR and append for every node\n"
    "  DIR                 the audit log directory (created when absent)\n"
    "  --key SKEY          the checkpoint signer key file ('dmvgate audit keygen')\n"
    "  --listen ADDR       unix:PATH (recommended; the socket is mode 0660) or\n"
    "                      HOST:PORT on a loopback address (port 0: a free one);\n"
    "                      the address is printed on standard output once listening\n"
    "  --origin ORIGIN     checkpoint origin when the log is created (the key's name)\n"
    "  --standby           wait for the log while another sequencer holds it, and\n"
    "                      take over when that one exits\n"
    "  --max-batch N       entries per group commit, 1..65536 (4096)\n"
    "  --max-wait-us N     wait up to N microseconds for a batch to fill (0)\n"
    "  --checkpoint-ms MS  sign a checkpoint at most every MS ms, 0 after every\n"
    "                      batch (1000)\n"
    "  --max-connections N nodes' connections at once, 1..65536 (256)\n"
    "  Stops on SIGTERM or SIGINT: what was queued is made durable and answered,\n"
    "  and a final checkpoint is signed.\n"
    "append       read entries from standard input, one a line, send each to the\n"
    "             sequencer and print 'INDEX<TAB>LINE' once it is durable\n"
    "  --to ADDRS          the sequencer's address, or several separated by commas\n"
    "                      (tried in order)\n"
    "  --format raw|json   raw: the line's bytes are the entry (default); json: an\n"
    "                      audit entry in JSON (docs/audit.md), encoded here with a\n"
    "                      fresh random salt\n"
    "  --writers N         N threads send concurrently, 1..256 (1)\n"
    "checkpoint   print the log's latest signed checkpoint\n"
    "  --to ADDRS          as above\n"
    "--help       this text\n"
    "\n"
    "Exit status: 0 done; 1 some append was not acknowledged; 2 bad usage or an\n"
    "error (message on standard error).\n";

static int bad(const char *fmt, const char *arg)
{
    return dg_cmd_usage_error(fmt, arg);
}

/* ---- serve --------------------------------------------------------------------------- */

static pthread_mutex_t serve_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dg_auditd *serving;

static void *signal_main(void *arg)
{
    sigset_t *set = arg;
    int sig;
    while (sigwait(set, &sig) != 0)
        ;
    pthread_mutex_lock(&serve_mu);
    if (!serving)
        _exit(0); /* still waiting for the log (standby): nothing to flush */
    dg_auditd_stop(serving);
    pthread_mutex_unlock(&serve_mu);
    return NULL;
}

static int serve(int argc, char **argv)
{
    const char *dir = NULL, *key = NULL, *listen = NULL, *origin = NULL;
    uint64_t batch = 4096, wait_us = 0, ckpt = 1000, conns = 256;
    int standby = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int more = i + 1 < argc;
        if (dg__audit_is_help(o)) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(o, "--key") && more)
            key = argv[++i];
        else if (!strcmp(o, "--listen") && more)
            listen = argv[++i];
        else if (!strcmp(o, "--origin") && more)
            origin = argv[++i];
        else if (!strcmp(o, "--standby"))
            standby = 1;
        else if (!strcmp(o, "--max-batch") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &batch))
                return 2;
        } else if (!strcmp(o, "--max-wait-us") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &wait_us))
                return 2;
        } else if (!strcmp(o, "--checkpoint-ms") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &ckpt))
                return 2;
        } else if (!strcmp(o, "--max-connections") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &conns))
                return 2;
        } else if (o[0] == '-')
            return bad("auditd serve: unknown option or missing value '%s'", o);
        else if (!dir)
            dir = o;
        else
            return bad("auditd serve: more than one DIR ('%s')", o);
    }
    if (!dir || !key || !listen)
        return bad("auditd serve: DIR, --key and --listen are required%s", "");
    if (batch < 1 || batch > 65536 || wait_us > 1000000 || ckpt > 3600000 || conns < 1 ||
        conns > 65536)
        return bad("auditd serve: a number is out of range (see --help)%s", "");
    struct dg_note_signer *signer;
    if (dg__audit_load_signer(key, &signer))
        return 2;
    /* Signals go to one thread, which asks the loop to stop. */
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t sig_thread;
    pthread_create(&sig_thread, NULL, signal_main, &set);
    pthread_detach(sig_thread);

    struct dg_auditd_options o;
    dg_auditd_options_init(&o);
    o.log.dir = dir;
    o.log.origin = origin;
    o.log.signer = signer;
    o.log.flags = DG_AUDIT_CREATE;
    o.log.max_batch = (unsigned)batch;
    o.log.max_wait_us = (unsigned)wait_us;
    o.log.checkpoint_ms = (unsigned)ckpt;
    o.listen = listen;
    o.max_connections = (int)conns;
    o.wait_for_lock = standby;
    struct dg_auditd *d;
    struct dg_error err;
    int rc = dg_auditd_new(&o, &d, &err);
    if (rc) {
        fprintf(stderr, "dmvgate: auditd serve: %s\n", err.msg);
        dg_note_signer_free(signer);
        return 2;
    }
    pthread_mutex_lock(&serve_mu);
    serving = d;
    pthread_mutex_unlock(&serve_mu);
    printf("%s\n", dg_auditd_address(d));
    fflush(stdout);
    dg_auditd_run(d);
    struct dg_auditd_stats st;
    dg_auditd_stats(d, &st);
    char n[24];
    snprintf(n, sizeof(n), "%llu", (unsigned long long)st.appends);
    dg_log(DG_LOG_INFO, "auditd_stop", "appends", n, NULL);
    pthread_mutex_lock(&serve_mu);
    serving = NULL;
    rc = dg_auditd_free(d);
    pthread_mutex_unlock(&serve_mu);
    dg_note_signer_free(signer);
    return rc ? 2 : 0;
}

/* ---- append ----------------------------------------------------------------------------- */

struct sender {
    struct dg_auditd_client *c;
    int json;
    pthread_mutex_t in_mu, out_mu;
    int failed;
};

static void *send_main(void *arg)
{
    struct sender *s = arg;
    char *line = dg_malloc(LINE_MAX_BYTES + 2);
    char *out = dg_malloc(LINE_MAX_BYTES + 64);
    struct dg_audit_entry *e = dg_malloc(sizeof(*e));
    struct dg_buf pub, priv;
    dg_buf_init(&pub, DG_AUDIT_ENTRY_MAX);
    dg_buf_init(&priv, DG_AUDIT_PRIVATE_MAX);
    while (line && out && e) {
        pthread_mutex_lock(&s->in_mu);
        char *got = fgets(line, LINE_MAX_BYTES + 2, stdin);
        pthread_mutex_unlock(&s->in_mu);
        if (!got)
            break;
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        if (n == 0)
            continue;
        struct dg_error err;
        dg_error_clear(&err);
        uint64_t idx = 0;
        int rc;
        if (s->json) {
            dg_buf_reset(&pub);
            dg_buf_reset(&priv);
            rc = dg_audit_entry_from_json(line, n, e, &err);
            if (!rc)
                rc = dg_audit_entry_encode(e, NULL, &pub, &priv, &err);
            if (!rc)
                rc = dg_auditd_append(s->c, pub.data, pub.len, priv.data, priv.len, &idx, &err);
        } else
            rc = dg_auditd_append(s->c, line, n, NULL, 0, &idx, &err);
        pthread_mutex_lock(&s->out_mu);
        if (rc) {
            fprintf(stderr, "dmvgate: append failed: %s\n", err.msg[0] ? err.msg : dg_strerror(rc));
            s->failed = 1;
        } else {
            /* One write per acknowledged entry: a reader sees whole lines. */
            int len =
                snprintf(out, LINE_MAX_BYTES + 64, "%llu\t%s\n", (unsigned long long)idx, line);
            if (write(STDOUT_FILENO, out, (size_t)len) != len)
                s->failed = 1;
        }
        pthread_mutex_unlock(&s->out_mu);
    }
    if (!line || !out || !e)
        s->failed = 1;
    dg_buf_release(&pub);
    dg_buf_release(&priv);
    dg_free(line);
    dg_free(out);
    dg_free(e);
    return NULL;
}

static int client_cmd(int argc, char **argv, int append)
{
    const char *to = NULL, *format = "raw";
    uint64_t writers = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int more = i + 1 < argc;
        if (dg__audit_is_help(o)) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(o, "--to") && more)
            to = argv[++i];
        else if (append && !strcmp(o, "--format") && more)
            format = argv[++i];
        else if (append && !strcmp(o, "--writers") && more) {
            if (!dg__audit_parse_u64(o, argv[++i], &writers))
                return 2;
        } else
            return bad("auditd: unknown option or missing value '%s'", o);
    }
    if (!to)
        return bad("auditd: --to is required%s", "");
    if (strcmp(format, "raw") && strcmp(format, "json"))
        return bad("auditd append: --format must be raw or json, not '%s'", format);
    if (writers < 1 || writers > 256)
        return bad("auditd append: --writers must be 1..256%s", "");
    struct dg_auditd_client *c;
    struct dg_error err;
    if (dg_auditd_client_new(to, &c, NULL, &err)) {
        fprintf(stderr, "dmvgate: auditd: %s\n", err.msg);
        return 2;
    }
    int rc = 0;
    if (!append) {
        struct dg_buf b;
        dg_buf_init(&b, DG_NOTE_MAX_SIZE);
        if (dg_auditd_read(c, "checkpoint", &b, &err)) {
            fprintf(stderr, "dmvgate: auditd checkpoint: %s\n", err.msg);
            rc = 2;
        } else
            fwrite(b.data, 1, b.len, stdout);
        dg_buf_release(&b);
    } else {
        struct sender s = {c, !strcmp(format, "json"), PTHREAD_MUTEX_INITIALIZER,
                           PTHREAD_MUTEX_INITIALIZER, 0};
        pthread_t th[256];
        size_t started = 0;
        for (; started < writers; started++)
            if (pthread_create(&th[started], NULL, send_main, &s) != 0)
                break;
        if (started == 0)
            send_main(&s);
        for (size_t i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        rc = s.failed ? 1 : 0;
    }
    dg_auditd_client_free(c);
    return rc;
}

int dg_cmd_auditd(int argc, char **argv)
{
    if (argc < 2)
        return bad("auditd: a subcommand is required (see 'dmvgate auditd --help')%s", "");
    if (dg__audit_is_help(argv[1])) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "serve"))
        return serve(argc - 1, argv + 1);
    if (!strcmp(argv[1], "append"))
        return client_cmd(argc - 1, argv + 1, 1);
    if (!strcmp(argv[1], "checkpoint"))
        return client_cmd(argc - 1, argv + 1, 0);
    return bad("auditd: unknown subcommand '%s' (see 'dmvgate auditd --help')", argv[1]);
}
