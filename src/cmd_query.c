/*
 * cmd_query.c - `dmvgate query`: the client a person types into. Checks the
 * message locally (lib/msg), sends it to the hub over mutual TLS with the
 * agency's certificate (lib/client), prints each destination's answer
 * readably, and with --wait asks again for answers held for a reviewer.
 */
#include "cmd.h"

#include <dmvgate/client.h>
#include <dmvgate/msg.h>

#include <sodium.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: dmvgate query [options] MESSAGE...\n"
    "       dmvgate query [options] --poll MID --state ST [--wait SECONDS]\n"
    "\n"
    "Send one query (DQ, RQ or IQ) to the hub over mutual TLS with your agency's\n"
    "certificate and print each destination state's answer. MESSAGE is the text\n"
    "form, e.g.\n"
    "    'DQ.AZ0070000.CO.TXT OLN/D12345678.OLS/CO.PUR/C.ATN/DET J RIVERA'\n"
    "(a space may stand for the line break after TXT; several arguments are joined\n"
    "with spaces), or the JSON form ('{\"key\":\"DQ\",...}'), or '-' to read it\n"
    "from stdin. The message is checked before it is sent: a malformed one is\n"
    "reported with its error code, field and offset, and not sent.\n"
    "\n"
    "options:\n"
    "  --hub URL           the hub (or a node), https://HOST:PORT; default $DMVGATE_HUB\n"
    "  --cert FILE         your agency's client certificate, PEM (its CN is your ORI);\n"
    "                      default $DMVGATE_CERT\n"
    "  --key FILE          the certificate's private key, PEM; default $DMVGATE_KEY,\n"
    "                      else FILE of --cert with .pem changed to .key when it\n"
    "                      exists, else the key inside --cert\n"
    "  --ca FILE           the CA certificate that issued the hub's server\n"
    "                      certificate; default $DMVGATE_CA, else the system's CAs\n"
    "  --json              send the JSON form (a text message is converted) and print\n"
    "                      each answer as JSON, one per line\n"
    "  --raw               print the answer exactly as the hub sent it\n"
    "  --wait SECONDS      when a state holds the query for a reviewer, ask again\n"
    "                      until every held answer is decided or SECONDS pass\n"
    "  --interval SECONDS  time between two polls with --wait (default 2)\n"
    "  --poll MID          do not send: ask for the answer to an earlier held query\n"
    "  --state ST          with --poll: the state that holds it (e.g. CO)\n"
    "  --photos DIR        save every photo in the answers as DIR/MID-N.EXT\n"
    "  --timeout SECONDS   limit for each HTTPS request (default 30)\n"
    "  -q, --quiet         print nothing on stdout; the exit status says how it went\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 every destination answered with records, or holds the query\n"
    "for a reviewer (its MID is printed; --wait waits for the decision);\n"
    "1 a destination said no: no record, refused by its policy or a reviewer, the\n"
    "message was refused as malformed or not yours (ORI/certificate mismatch), or\n"
    "the query is still held when --wait runs out;\n"
    "2 bad usage, the hub could not be reached (connection, TLS, timeout), a\n"
    "destination could not answer (ER FAILED: unreachable, timeout), or the answer\n"
    "was not a valid message.\n";

struct qopts {
    const char *hub, *cert, *key, *ca, *poll_mid, *poll_state, *photos;
    bool json, raw, quiet;
    long wait_s, interval_s, timeout_s;
};

/* The exit status of one response: 0 yes (or held), 1 no, 2 failed. */
static int status_exit(enum dg_msg_status st)
{
    switch (st) {
    case DG_STS_FOUND:
    case DG_STS_HELD: return 0;
    case DG_STS_FAILED: return 2;
    default: return 1;
    }
}

static int worst(int a, int b)
{
    return a > b ? a : b;
}

static long parse_seconds(const char *opt, const char *v, long lo, long hi, bool *ok)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) {
        dg_cmd_usage_error("query: %s wants a whole number of seconds from %ld to %ld, not '%s'",
                           opt, lo, hi, v);
        *ok = false;
    }
    return n;
}

/* Join the arguments with spaces; a run of blanks right after the header's
 * TXT becomes the line break the text form wants there. */
static int join_message(int argc, char **argv, struct dg_buf *out)
{
    for (int i = 0; i < argc; i++)
        if ((i && dg_buf_addc(out, ' ') != 0) || dg_buf_addstr(out, argv[i]) != 0)
            return DG_ETOOBIG;
    if (!out->data || dg_msg_sniff(out->data, out->len) == DG_MSG_JSON)
        return 0;
    char *txt = strstr(out->data, ".TXT");
    if (!txt)
        return 0;
    char *p = txt + 4, *q = p;
    while (*q == ' ' || *q == '\t')
        q++;
    if (q > p && *q && *q != '\n' && *q != '\r') {
        *p = '\n';
        memmove(p + 1, q, strlen(q) + 1);
        out->len = strlen(out->data);
    }
    return 0;
}

static int read_stdin(struct dg_buf *out)
{
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
        if (dg_buf_add(out, chunk, n) != 0)
            return DG_ETOOBIG;
    while (out->len && (out->data[out->len - 1] == '\n' || out->data[out->len - 1] == '\r'))
        out->data[--out->len] = '\0';
    return ferror(stdin) ? DG_EIO : 0;
}

static const char *photo_ext(const char *pmt)
{
    if (!pmt)
        return "bin";
    if (strcmp(pmt, "image/jpeg") == 0)
        return "jpg";
    if (strcmp(pmt, "image/png") == 0)
        return "png";
    if (strcmp(pmt, "image/jp2") == 0)
        return "jp2";
    if (strcmp(pmt, "image/svg+xml") == 0)
        return "svg";
    return "bin";
}

static void save_photos(const struct qopts *o, const struct dg_msg_resp *r)
{
    const char *mid = dg_msg_resp_get(r, -1, DG_TAG_MID);
    for (int i = 0; i < dg_msg_resp_nrecords(r); i++) {
        const char *b64 = dg_msg_resp_get(r, i, DG_TAG_PHO);
        if (!b64)
            continue;
        size_t n = strlen(b64), len = 0;
        unsigned char *bin = dg_malloc(n / 4 * 3 + 3);
        if (!bin)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s-%d.%s", o->photos, mid ? mid : "photo", i + 1,
                 photo_ext(dg_msg_resp_get(r, i, DG_TAG_PMT)));
        if (sodium_base642bin(bin, n / 4 * 3 + 3, b64, n, NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0) {
            FILE *f = fopen(path, "wb");
            if (f && fwrite(bin, 1, len, f) == len && fclose(f) == 0) {
                if (!o->quiet)
                    printf("  photo saved: %s\n", path);
            } else {
                if (f)
                    fclose(f);
                fprintf(stderr, "dmvgate: query: cannot write '%s': %s\n", path, strerror(errno));
            }
        }
        dg_free(bin);
    }
}

/* Print one response as the options say. */
static void show(const struct qopts *o, const struct dg_msg_resp *r)
{
    struct dg_buf b;
    dg_buf_init(&b, DG_CLIENT_ANSWER_MAX);
    struct dg_error e;
    int rc = o->json ? dg_msg_resp_to_json(r, &b, &e) : dg_client_render(r, &b);
    if (!o->quiet && rc == 0 && b.data)
        printf("%s%s", b.data, o->json ? "\n" : "");
    dg_buf_release(&b);
    if (o->photos)
        save_photos(o, r);
}

/* Parse a reply into responses (printing the raw body when asked); returns
 * how many, or -1 when the answer is not a valid message (reported). */
static int take_reply(const struct qopts *o, const struct dg_client_reply *rep,
                      struct dg_msg_resp **resp, int max)
{
    if (o->raw && !o->quiet) {
        fputs(rep->body.data, stdout);
        if (rep->body.len && rep->body.data[rep->body.len - 1] != '\n')
            fputc('\n', stdout);
    }
    struct dg_error e;
    dg_error_clear(&e);
    int n = dg_client_answers_parse(rep->body.data, rep->body.len, resp, max, &e);
    if (n < 0) {
        fprintf(stderr, "dmvgate: query: HTTP %ld and an answer that is not a message (%s: %s)",
                rep->status, dg_errname(n), e.msg);
        if (!o->raw)
            fprintf(stderr, ": %.300s", rep->body.data);
        fputc('\n', stderr);
        return -1;
    }
    return n;
}

static void sleep_s(long s)
{
    struct timespec ts = {.tv_sec = s, .tv_nsec = 0};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Ask again for every held answer until decided or the time runs out. */
static int wait_held(const struct qopts *o, struct dg_client *c, struct dg_msg_resp **resp, int n)
{
    int held = 0;
    for (int i = 0; i < n; i++)
        held += dg_msg_resp_status(resp[i]) == DG_STS_HELD;
    if (!held || o->wait_s <= 0)
        return 0;
    if (!o->quiet)
        fprintf(stderr, "waiting up to %ld s for a reviewer's decision...\n", o->wait_s);
    time_t deadline = time(NULL) + o->wait_s;
    while (held && time(NULL) < deadline) {
        sleep_s(o->interval_s);
        held = 0;
        for (int i = 0; i < n; i++) {
            if (dg_msg_resp_status(resp[i]) != DG_STS_HELD)
                continue;
            const char *mid = dg_msg_resp_get(resp[i], -1, DG_TAG_MID);
            struct dg_client_reply rep;
            struct dg_error e;
            int rc = dg_client_poll(c, mid ? mid : "", dg_msg_resp_src(resp[i]), &rep, &e);
            if (rc != 0) {
                fprintf(stderr, "dmvgate: query: %s (%s)\n", e.msg, dg_errname(rc));
                dg_client_reply_release(&rep);
                return 2;
            }
            struct dg_msg_resp *got[1] = {NULL};
            int k = rep.status == 202 ? 0 : take_reply(o, &rep, got, 1);
            dg_client_reply_release(&rep);
            if (k < 0)
                return 2;
            if (k == 1) {
                dg_msg_resp_free(resp[i]);
                resp[i] = got[0];
                show(o, resp[i]);
            }
            held += dg_msg_resp_status(resp[i]) == DG_STS_HELD;
        }
    }
    if (held && !o->quiet)
        fprintf(stderr, "still held after %ld s\n", o->wait_s);
    return held ? 1 : 0;
}

static int run(const struct qopts *o, const char *msg, size_t len)
{
    struct dg_client_options co = {
        .url = o->hub, .cert = o->cert, .key = o->key, .ca = o->ca, .timeout_s = o->timeout_s};
    struct dg_client *c = NULL;
    struct dg_error e;
    int rc = dg_client_new(&c, &co, &e);
    if (rc != 0) {
        fprintf(stderr, "dmvgate: query: %s\n", e.msg);
        return 2;
    }
    struct dg_client_reply rep;
    rc = o->poll_mid ? dg_client_poll(c, o->poll_mid, o->poll_state, &rep, &e)
                     : dg_client_send(c, msg, len, &rep, &e);
    if (rc != 0) {
        fprintf(stderr, "dmvgate: query: cannot reach %s (%s)\n", e.msg, dg_errname(rc));
        dg_client_reply_release(&rep);
        dg_client_free(c);
        return 2;
    }
    struct dg_msg_resp *resp[DG_CLIENT_MAX_ANSWERS] = {NULL};
    int n = take_reply(o, &rep, resp, DG_CLIENT_MAX_ANSWERS);
    dg_client_reply_release(&rep);
    int ret = n < 0 ? 2 : 0;
    for (int i = 0; i < n; i++)
        if (!o->raw)
            show(o, resp[i]);
        else if (o->photos)
            save_photos(o, resp[i]);
    if (n > 0) {
        fflush(stdout);
        ret = worst(ret, wait_held(o, c, resp, n));
        for (int i = 0; i < n; i++) {
            enum dg_msg_status st = dg_msg_resp_status(resp[i]);
            /* Still held after waiting was counted by wait_held. */
            if (st != DG_STS_HELD)
                ret = worst(ret, status_exit(st));
            dg_msg_resp_free(resp[i]);
        }
    }
    dg_client_free(c);
    return ret;
}

static const char *env_or(const char *v, const char *name)
{
    if (v)
        return v;
    const char *s = getenv(name);
    return s && s[0] ? s : NULL;
}

int dg_cmd_query(int argc, char **argv)
{
    struct qopts o = {.interval_s = 2, .timeout_s = 30};
    int first_arg = argc;
    bool ok = true;
    for (int i = 1; i < argc && ok; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            o.json = true;
        } else if (!strcmp(a, "--raw")) {
            o.raw = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = true;
        } else if (!strcmp(a, "--hub") && has) {
            o.hub = argv[++i];
        } else if (!strcmp(a, "--cert") && has) {
            o.cert = argv[++i];
        } else if (!strcmp(a, "--key") && has) {
            o.key = argv[++i];
        } else if (!strcmp(a, "--ca") && has) {
            o.ca = argv[++i];
        } else if (!strcmp(a, "--poll") && has) {
            o.poll_mid = argv[++i];
        } else if (!strcmp(a, "--state") && has) {
            o.poll_state = argv[++i];
        } else if (!strcmp(a, "--photos") && has) {
            o.photos = argv[++i];
        } else if (!strcmp(a, "--wait") && has) {
            o.wait_s = parse_seconds(a, argv[++i], 0, 86400, &ok);
        } else if (!strcmp(a, "--interval") && has) {
            o.interval_s = parse_seconds(a, argv[++i], 1, 3600, &ok);
        } else if (!strcmp(a, "--timeout") && has) {
            o.timeout_s = parse_seconds(a, argv[++i], 1, 3600, &ok);
        } else if (!strcmp(a, "--")) {
            first_arg = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            return dg_cmd_usage_error("query: unknown or incomplete option '%s'", a);
        } else {
            first_arg = i;
            break;
        }
    }
    if (!ok)
        return 2;
    o.hub = env_or(o.hub, "DMVGATE_HUB");
    o.cert = env_or(o.cert, "DMVGATE_CERT");
    o.key = env_or(o.key, "DMVGATE_KEY");
    o.ca = env_or(o.ca, "DMVGATE_CA");
    if (!o.hub)
        return dg_cmd_usage_error("query: --hub URL is required (or DMVGATE_HUB)");
    if (!o.cert)
        return dg_cmd_usage_error("query: --cert FILE is required (or DMVGATE_CERT)");
    char keybuf[4096];
    size_t cl = strlen(o.cert);
    if (!o.key && cl > 4 && cl < sizeof(keybuf) && strcmp(o.cert + cl - 4, ".pem") == 0) {
        snprintf(keybuf, sizeof(keybuf), "%.*s.key", (int)(cl - 4), o.cert);
        if (access(keybuf, R_OK) == 0)
            o.key = keybuf;
    }
    const char *files[] = {o.cert, o.key, o.ca};
    for (size_t i = 0; i < DG_ARRAY_LEN(files); i++)
        if (files[i] && access(files[i], R_OK) != 0)
            return dg_cmd_usage_error("query: cannot read '%s': %s", files[i], strerror(errno));
    if (o.json && o.raw)
        return dg_cmd_usage_error("query: --json and --raw do not go together");
    if (o.poll_mid) {
        if (first_arg < argc)
            return dg_cmd_usage_error("query: --poll takes no MESSAGE");
        if (!o.poll_state || strlen(o.poll_state) != 2)
            return dg_cmd_usage_error("query: --poll MID needs --state ST (two letters)");
        return run(&o, NULL, 0);
    }
    if (o.poll_state)
        return dg_cmd_usage_error("query: --state goes with --poll");
    if (first_arg >= argc)
        return dg_cmd_usage_error("query: a MESSAGE is required (see --help)");

    struct dg_buf in, msg;
    dg_buf_init(&in, 64 * 1024);
    dg_buf_init(&msg, 64 * 1024);
    int rc = (first_arg + 1 == argc && !strcmp(argv[first_arg], "-"))
                 ? read_stdin(&in)
                 : join_message(argc - first_arg, argv + first_arg, &in);
    int ret = 2;
    if (rc != 0 || !in.data || !in.len) {
        dg_cmd_usage_error("query: the message is empty or too long");
        goto out;
    }
    struct dg_msg_req req;
    struct dg_error e;
    dg_error_clear(&e);
    rc = dg_msg_req_parse(&req, in.data, in.len, &e);
    if (rc != 0) {
        struct dg_buf line;
        dg_buf_init(&line, 4096);
        dg_msg_error_line(&e, &line);
        fprintf(stderr, "dmvgate: query: not sent: %s\n", line.data ? line.data : e.msg);
        dg_buf_release(&line);
        ret = 1;
        goto out;
    }
    /* Sent in the form it was typed in, or JSON with --json. */
    bool as_json = o.json || dg_msg_sniff(in.data, in.len) == DG_MSG_JSON;
    rc = as_json ? dg_msg_req_to_json(&req, &msg) : dg_msg_req_to_text(&req, &msg);
    if (rc != 0) {
        fprintf(stderr, "dmvgate: query: cannot write the message (%s)\n", dg_errname(rc));
        goto out;
    }
    ret = run(&o, msg.data, msg.len);
out:
    dg_buf_release(&in);
    dg_buf_release(&msg);
    return ret;
}
