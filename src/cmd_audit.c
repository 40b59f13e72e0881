/*
 * cmd_audit.c - `dmvgate audit`: the tools around the audit log. This file
 * dispatches the subcommands and holds those that work on keys, notes and
 * single proofs (keygen, note-verify, verify-proof, checkpoint); those that
 * work on a log directory are in cmd_audit_log.c. All the work is done by
 * lib/audit (include/dmvgate/audit.h).
 */
#include "cmd.h"
#include "cmd_audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sub {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct sub subs[] = {
    {"keygen", "make an Ed25519 key pair for signing checkpoints", dg__audit_keygen},
    {"append", "append entries read from standard input, print each index once durable",
     dg__audit_append},
    {"checkpoint", "print the latest signed checkpoint of a log", dg__audit_checkpoint},
    {"verify", "recompute a whole log and check its tiles and signed checkpoint", dg__audit_verify},
    {"prove", "print an inclusion proof for an entry", dg__audit_prove},
    {"consistency", "print a consistency proof between two tree sizes", dg__audit_consistency},
    {"verify-proof", "check an inclusion or consistency proof given as JSON",
     dg__audit_verify_proof},
    {"note-verify", "check a signed note (such as a checkpoint) against known keys",
     dg__audit_note_verify},
    {"dump", "print a log's entries as JSON lines", dg__audit_dump},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fputs("usage: dmvgate audit <subcommand> [options]\n"
          "\n"
          "The tamper-evident audit log: an RFC 6962 Merkle tree stored as C2SP tlog-tiles\n"
          "and published as C2SP checkpoints signed with Ed25519 (docs/audit.md).\n"
          "\n"
          "subcommands:\n",
          out);
    for (const struct sub *s = subs; s->name; s++)
        fprintf(out, "  %-13s %s\n", s->name, s->summary);
    fputs("\nRun 'dmvgate audit <subcommand> --help' for its options.\n", out);
}

int dg_cmd_audit(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (dg__audit_is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    for (const struct sub *s = subs; s->name; s++)
        if (strcmp(argv[1], s->name) == 0)
            return s->run(argc - 1, argv + 1);
    return dg_cmd_usage_error("unknown audit subcommand '%s' (see 'dmvgate audit --help')",
                              argv[1]);
}

/* ---- helpers ---------------------------------------------------------------------- */

bool dg__audit_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

bool dg__audit_parse_u64(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-' || *s == '+') {
        dg_cmd_usage_error("%s needs a non-negative number", opt);
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) {
        dg_cmd_usage_error("%s needs a non-negative number, not '%s'", opt, s);
        return false;
    }
    *out = v;
    return true;
}

int dg__audit_read_input(const char *path, size_t max, struct dg_buf *b)
{
    dg_buf_init(b, max);
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "dmvgate: cannot open '%s': %s\n", path, strerror(errno));
        return DG_ENOENT;
    }
    char tmp[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        rc = dg_buf_add(b, tmp, n);
    if (!rc && ferror(f))
        rc = DG_EIO;
    if (!rc && !b->data)
        rc = dg_buf_add(b, "", 0);
    if (f != stdin)
        fclose(f);
    if (rc)
        fprintf(stderr, "dmvgate: cannot read '%s': %s\n", path, dg_strerror(rc));
    return rc;
}

int dg__audit_load_verifier(const char *arg, struct dg_note_verifier **out)
{
    struct dg_buf b;
    struct stat st;
    int rc;
    if (stat(arg, &st) == 0) {
        if ((rc = dg__audit_read_input(arg, 4096, &b)))
            return rc;
    } else {
        dg_buf_init(&b, 4096);
        if ((rc = dg_buf_addstr(&b, arg)))
            return rc;
    }
    struct dg_error err;
    rc = dg_note_verifier_parse(b.data, b.len, out, &err);
    if (rc)
        fprintf(stderr, "dmvgate: bad verifier key '%s': %s\n", arg, err.msg);
    dg_buf_release(&b);
    return rc;
}

int dg__audit_load_signer(const char *path, struct dg_note_signer **out)
{
    struct dg_buf b;
    int rc = dg__audit_read_input(path, 4096, &b);
    if (rc)
        return rc;
    struct dg_error err;
    rc = dg_note_signer_parse(b.data, b.len, out, &err);
    if (rc)
        fprintf(stderr, "dmvgate: bad signer key in '%s': %s\n", path, err.msg);
    memset(b.data, 0, b.len);
    dg_buf_release(&b);
    return rc;
}

/* ---- keygen ----------------------------------------------------------------------- */

static const char keygen_help[] =
    "usage: dmvgate audit keygen NAME [--out PREFIX]\n"
    "\n"
    "Make an Ed25519 key pair for the audit log's checkpoints. NAME is the key name\n"
    "(no spaces or '+'), normally the log's origin, e.g. audit.co.example/dmv.\n"
    "\n"
    "  --out PREFIX  write the signer (private) key to PREFIX.key, mode 0600, and the\n"
    "                verifier (public) key to PREFIX.pub; default: NAME with '/' turned\n"
    "                into '_'. Existing files are never overwritten.\n"
    "  --help        this text\n"
    "\n"
    "The verifier key is also printed. Give it to witnesses and auditors; keep the\n"
    "signer key for the node only (signed-note skey format: PRIVATE+KEY+name+hash+base64).\n";

static int write_new(const char *path, const char *data, size_t n, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "dmvgate: cannot create '%s': %s\n", path, strerror(errno));
        return 2;
    }
    bool ok = write(fd, data, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "dmvgate: cannot write '%s': %s\n", path, strerror(errno));
        unlink(path);
        return 2;
    }
    return 0;
}

int dg__audit_keygen(int argc, char **argv)
{
    const char *name = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (dg__audit_is_help(argv[i])) {
            fputs(keygen_help, stdout);
            return 0;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-') {
            return dg_cmd_usage_error("audit keygen: unknown option '%s'", argv[i]);
        } else if (!name) {
            name = argv[i];
        } else {
            return dg_cmd_usage_error("audit keygen: more than one NAME");
        }
    }
    if (!name)
        return dg_cmd_usage_error("audit keygen: NAME is required");
    char prefix[1024];
    if (out) {
        snprintf(prefix, sizeof(prefix), "%s", out);
    } else {
        snprintf(prefix, sizeof(prefix), "%s", name);
        for (char *p = prefix; *p; p++)
            if (*p == '/')
                *p = '_';
    }
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 1024);
    dg_buf_init(&vk, 1024);
    struct dg_error err;
    int rc = dg_note_keygen(name, &sk, &vk, &err);
    if (rc) {
        dg_buf_release(&sk);
        dg_buf_release(&vk);
        return dg_cmd_usage_error("audit keygen: %s", err.msg);
    }
    char kp[1100], pp[1100];
    snprintf(kp, sizeof(kp), "%s.key", prefix);
    snprintf(pp, sizeof(pp), "%s.pub", prefix);
    int ret = write_new(kp, sk.data, sk.len, 0600);
    if (!ret) {
        ret = write_new(pp, vk.data, vk.len, 0644);
        if (ret)
            unlink(kp);
    }
    if (!ret)
        printf("%s\n", vk.data);
    memset(sk.data, 0, sk.len);
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    return ret;
}

/* ---- verify-proof ----------------------------------------------------------------- */

static const char verify_proof_help[] =
    "usage: dmvgate audit verify-proof FILE.json\n"
    "\n"
    "Check one Merkle proof (RFC 9162 verification). The JSON is that of\n"
    "transparency-dev/merkle's test vectors and of 'dmvgate audit prove':\n"
    "  inclusion:   {\"leafIdx\", \"treeSize\", \"root\", \"leafHash\", \"proof\": [...]}\n"
    "  consistency: {\"size1\", \"size2\", \"root1\", \"root2\", \"proof\": [...]}\n"
    "with base64 hashes; the kind is chosen by the members present. FILE may be '-'\n"
    "for standard input.\n"
    "\n"
    "Exit status: 0 the proof is valid, 1 it is not, 2 the file cannot be read or is\n"
    "not a proof.\n";

int dg__audit_verify_proof(int argc, char **argv)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (dg__audit_is_help(argv[i])) {
            fputs(verify_proof_help, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return dg_cmd_usage_error("audit verify-proof: unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return dg_cmd_usage_error("audit verify-proof: more than one FILE");
        }
    }
    if (!file)
        return dg_cmd_usage_error("audit verify-proof: FILE is required");
    struct dg_buf b;
    if (dg__audit_read_input(file, 64 * 1024, &b))
        return 2;
    struct dg_proof *p = dg_malloc(sizeof(*p));
    struct dg_error err;
    int rc = p ? dg_proof_parse(b.data, b.len, p, &err) : DG_ENOMEM;
    dg_buf_release(&b);
    if (rc) {
        fprintf(stderr, "dmvgate: '%s' is not a proof: %s\n", file,
                rc == DG_ENOMEM ? "out of memory" : err.msg);
        dg_free(p);
        return 2;
    }
    rc = dg_proof_verify(p);
    const char *kind = p->kind == DG_PROOF_INCLUSION ? "inclusion" : "consistency";
    if (rc)
        printf("invalid %s proof\n", kind);
    else
        printf("valid %s proof\n", kind);
    dg_free(p);
    return rc ? 1 : 0;
}

/* ---- note-verify ------------------------------------------------------------------ */

static const char note_verify_help[] =
    "usage: dmvgate audit note-verify --key VKEY [--key VKEY ...] FILE\n"
    "\n"
    "Check a C2SP signed note, such as a checkpoint, possibly with witness\n"
    "co-signatures. Signatures by keys not given are ignored.\n"
    "\n"
    "  --key VKEY  a verifier key (name+hash+base64), or a file holding one; repeat\n"
    "              for several known keys\n"
    "  --help      this text\n"
    "\n"
    "FILE may be '-' for standard input. On success the note's text is printed.\n"
    "Exit status: 0 a known key's signature verifies (and none fails), 1 not (no known\n"
    "signature, a bad one, or a malformed note), 2 the file or a key cannot be read.\n";

int dg__audit_note_verify(int argc, char **argv)
{
    const char *file = NULL;
    struct dg_note_verifier *keys[16];
    size_t nkeys = 0;
    int ret = 0;
    for (int i = 1; i < argc && !ret; i++) {
        if (dg__audit_is_help(argv[i])) {
            fputs(note_verify_help, stdout);
            goto out;
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            if (nkeys == DG_ARRAY_LEN(keys))
                ret = dg_cmd_usage_error("audit note-verify: at most 16 keys");
            else if (dg__audit_load_verifier(argv[++i], &keys[nkeys]))
                ret = 2;
            else
                nkeys++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            ret = dg_cmd_usage_error("audit note-verify: unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            ret = dg_cmd_usage_error("audit note-verify: more than one FILE");
        }
    }
    if (!ret && (!file || !nkeys))
        ret = dg_cmd_usage_error("audit note-verify: --key and FILE are required");
    if (ret)
        goto out;
    struct dg_buf b;
    if (dg__audit_read_input(file, DG_NOTE_MAX_SIZE + 1, &b)) {
        ret = 2;
        goto out;
    }
    size_t tl, nv;
    struct dg_error err;
    int rc = dg_note_open(b.data, b.len, keys, nkeys, &tl, &nv, &err);
    if (rc) {
        fprintf(stderr, "dmvgate: note not verified: %s\n", err.msg);
        ret = 1;
    } else {
        fwrite(b.data, 1, tl, stdout);
    }
    dg_buf_release(&b);
out:
    for (size_t i = 0; i < nkeys; i++)
        dg_note_verifier_free(keys[i]);
    return ret;
}

/* ---- checkpoint ------------------------------------------------------------------- */

static const char checkpoint_help[] =
    "usage: dmvgate audit checkpoint DIR [--key VKEY]\n"
    "\n"
    "Print the latest signed checkpoint of the log in DIR (the file a node serves at\n"
    "/checkpoint): origin, tree size, root hash, then the signature lines.\n"
    "\n"
    "  --key VKEY  also check its signature with this verifier key (or key file);\n"
    "              exit 1 if it does not verify\n"
    "  --help      this text\n";

int dg__audit_checkpoint(int argc, char **argv)
{
    const char *dir = NULL, *key = NULL;
    for (int i = 1; i < argc; i++) {
        if (dg__audit_is_help(argv[i])) {
            fputs(checkpoint_help, stdout);
            return 0;
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            key = argv[++i];
        } else if (argv[i][0] == '-') {
            return dg_cmd_usage_error("audit checkpoint: unknown option '%s'", argv[i]);
        } else if (!dir) {
            dir = argv[i];
        } else {
            return dg_cmd_usage_error("audit checkpoint: more than one DIR");
        }
    }
    if (!dir)
        return dg_cmd_usage_error("audit checkpoint: DIR is required");
    struct dg_buf b;
    struct dg_error err;
    dg_buf_init(&b, DG_NOTE_MAX_SIZE);
    int rc = dg_audit_public_read(dir, "checkpoint", &b, &err);
    if (rc) {
        fprintf(stderr, "dmvgate: %s\n", err.msg);
        dg_buf_release(&b);
        return 2;
    }
    int ret = 0;
    if (key) {
        struct dg_note_verifier *v;
        if (dg__audit_load_verifier(key, &v)) {
            dg_buf_release(&b);
            return 2;
        }
        struct dg_checkpoint c;
        if (dg_checkpoint_open(b.data, b.len, &v, 1, &c, &err)) {
            fprintf(stderr, "dmvgate: checkpoint not verified: %s\n", err.msg);
            ret = 1;
        }
        dg_note_verifier_free(v);
    }
    fwrite(b.data, 1, b.len, stdout);
    dg_buf_release(&b);
    return ret;
}
