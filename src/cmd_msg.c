/*
 * cmd_msg.c - `dmvgate msg check` and `dmvgate msg convert`: validate a
 * message and print its canonical form, or convert it between the text and
 * JSON forms (lib/msg, docs/messages.md).
 */
#include "cmd.h"

#include <dmvgate/msg.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char msg_usage[] =
    "usage: dmvgate msg check [FILE|-]\n"
    "       dmvgate msg convert --to json|text [FILE|-]\n"
    "\n"
    "Validate a dmvgate message (a request DQ, RQ, IQ or a response DR, RR, IR, ER),\n"
    "in the Nlets-style text form or the JSON form; the form is recognised by the\n"
    "first character ('{' is JSON). FILE is read whole; '-' or no FILE reads stdin.\n"
    "See docs/messages.md for the formats, tags and error codes.\n"
    "\n"
    "  check         print the message's canonical form, in the form it came in,\n"
    "                and exit 0; or print one line\n"
    "                  error: CODE: field TAG at offset N: sentence\n"
    "                on stderr and exit 1 (field and offset are left out when\n"
    "                they do not apply; JSON errors have no offset except for\n"
    "                UTF-8 and syntax errors)\n"
    "  convert       check the message, then print it in the other form, or in\n"
    "                the form given by --to; errors as for check\n"
    "  --to FORM     convert: json or text\n"
    "  -h, --help    print this help and exit\n"
    "\n"
    "Exit status: 0 valid, 1 invalid message, 2 bad usage or unreadable input.\n";

/* Read FILE (or stdin for NULL or "-") whole, up to a little more than the
 * largest message so that the parser reports "too long" itself. */
static int read_input(const char *path, struct dg_buf *b)
{
    FILE *f = stdin;
    if (path && strcmp(path, "-") != 0) {
        f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "dmvgate: cannot open '%s': %s\n", path, strerror(errno));
            return 2;
        }
    }
    char chunk[65536];
    size_t got;
    int rc = 0;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        size_t room = b->max - b->len;
        if (dg_buf_add(b, chunk, got < room ? got : room) != 0) {
            rc = 2;
            fprintf(stderr, "dmvgate: out of memory reading the message\n");
            break;
        }
        if (got > room)
            break;
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "dmvgate: cannot read '%s'\n", path ? path : "-");
        rc = 2;
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

static int print_error(const struct dg_error *e)
{
    struct dg_buf line;
    dg_buf_init(&line, 4096);
    dg_msg_error_line(e, &line);
    fprintf(stderr, "error: %s\n", line.data ? line.data : "");
    dg_buf_release(&line);
    return 1;
}

int dg_cmd_msg(int argc, char **argv)
{
    if (argc < 2)
        return dg_cmd_usage_error("msg: expected 'check' or 'convert' (see --help)");
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
        fputs(msg_usage, stdout);
        return 0;
    }
    int convert = strcmp(sub, "convert") == 0;
    if (!convert && strcmp(sub, "check") != 0)
        return dg_cmd_usage_error("msg: unknown subcommand '%s' (check or convert)", sub);
    const char *path = NULL, *to = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(msg_usage, stdout);
            return 0;
        } else if (strcmp(a, "--to") == 0 || strncmp(a, "--to=", 5) == 0) {
            if (!convert)
                return dg_cmd_usage_error("msg check: --to belongs to 'msg convert'");
            if (a[4] == '=')
                to = a + 5;
            else if (i + 1 < argc)
                to = argv[++i];
            else
                return dg_cmd_usage_error("msg convert: --to needs json or text");
        } else if (a[0] == '-' && a[1] != '\0') {
            return dg_cmd_usage_error("msg %s: unknown option '%s'", sub, a);
        } else if (path) {
            return dg_cmd_usage_error("msg %s: one FILE at most", sub);
        } else {
            path = a;
        }
    }
    enum dg_msg_form out_form = DG_MSG_TEXT;
    if (convert) {
        if (!to)
            return dg_cmd_usage_error("msg convert: --to json|text is required");
        if (strcmp(to, "json") == 0)
            out_form = DG_MSG_JSON;
        else if (strcmp(to, "text") != 0)
            return dg_cmd_usage_error("msg convert: --to takes json or text, not '%s'", to);
    }

    struct dg_buf in;
    dg_buf_init(&in, DG_MSG_MAX + 3);
    int rc = read_input(path, &in);
    if (rc) {
        dg_buf_release(&in);
        return rc;
    }
    const char *s = in.data ? in.data : "";
    enum dg_msg_form in_form = dg_msg_sniff(s, in.len);
    if (!convert)
        out_form = in_form;

    struct dg_msg m;
    struct dg_error e;
    dg_error_clear(&e);
    rc = dg_msg_parse(&m, in_form, s, in.len, &e);
    dg_buf_release(&in);
    if (rc == DG_ENOMEM) {
        fprintf(stderr, "dmvgate: out of memory\n");
        return 2;
    }
    if (rc)
        return print_error(&e);
    struct dg_buf out;
    dg_buf_init(&out, 2 * (size_t)DG_MSG_MAX);
    rc = dg_msg_write(&m, out_form, &out, &e);
    dg_msg_release(&m);
    if (rc == 0) {
        fwrite(out.data, 1, out.len, stdout);
        fputc('\n', stdout);
    } else if (rc == DG_ENOMEM || rc == DG_ETOOBIG) {
        fprintf(stderr, "dmvgate: cannot write the message: %s\n", dg_strerror(rc));
        rc = 2;
    } else {
        rc = print_error(&e);
    }
    dg_buf_release(&out);
    return rc == 0 ? 0 : rc;
}
