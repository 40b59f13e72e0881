/*
 * config.c - the configuration file of `dmvgate serve`: the option table, the
 * line parser, the cross-option checks and the effective-configuration printer.
 *
 * One table describes every option (redis's config.c idea): adding an option
 * is adding a row here and a member to struct dg_config; the parser, the
 * checker, `config options` and docs/operations.md follow from the row. The
 * parser collects every problem with its line instead of stopping at the
 * first, because an operator fixing a file wants the whole list at once.
 */
#include <dmvgate/config.h>
#include <dmvgate/vocab.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OFF(field) offsetof(struct dg_config, field)

struct row {
    struct dg_config_option opt;
    size_t offset; /* of the member in struct dg_config */
};

/* The table. Keep it in the order an operator reads a file: role and identity,
 * files, TLS, audit batching, limits, development and logging. */
static const struct row table[] = {
    {{"role", DG_CONFIG_ENUM, 0, 0, "node|hub", "node",
      "what this process is: a state's node, or the interstate hub"},
     OFF(role)},
    {{"state", DG_CONFIG_STATE, 0, 0, NULL, "",
      "the state or territory this node serves (2 letters, e.g. CO); required for a node"},
     OFF(state)},
    {{"listen", DG_CONFIG_ADDR, 0, 0, NULL, "127.0.0.1:8443",
      "address and port to accept connections on; port 0 picks a free port"},
     OFF(listen)},
    {{"threads", DG_CONFIG_INT, 0, 256, NULL, "0",
      "event loops (threads) serving connections; 0 means one per CPU core"},
     OFF(threads)},
    {{"store", DG_CONFIG_PATH, 0, 0, NULL, "",
      "the DMV store: an SQLite database file, or a postgresql:// URI (several node processes "
      "share one PostgreSQL database); required for a node. A hub keeps its routing counts "
      "in it (SQLite, created when absent; empty: in memory only)"},
     OFF(store)},
    {{"directory", DG_CONFIG_PATH, 0, 0, NULL, "",
      "the agency directory (who each ORI is); required for a node"},
     OFF(directory)},
    {{"policy", DG_CONFIG_PATH, 0, 0, NULL, "",
      "the state's policy file, reloaded on SIGHUP; required for a node"},
     OFF(policy)},
    {{"audit_dir", DG_CONFIG_PATH, 0, 0, NULL, "",
      "directory of the audit log (entries, tiles, checkpoint); required for a node and a hub"},
     OFF(audit_dir)},
    {{"audit_key", DG_CONFIG_PATH, 0, 0, NULL, "",
      "the audit log's signing key (signed-note private key file); required for a node and a hub"},
     OFF(audit_key)},
    {{"audit_sequencer", DG_CONFIG_STRING, 0, 0, NULL, "",
      "instead of audit_dir and audit_key: the audit sequencer that writes the state's one log "
      "for several node processes (dmvgate auditd), unix:PATH or a loopback HOST:PORT, several "
      "separated by commas (tried in order)"},
     OFF(audit_sequencer)},
    {{"tls_cert", DG_CONFIG_PATH, 0, 0, NULL, "",
      "server certificate chain, PEM; required unless dev_mode"},
     OFF(tls_cert)},
    {{"tls_key", DG_CONFIG_PATH, 0, 0, NULL, "",
      "server private key, PEM; required unless dev_mode"},
     OFF(tls_key)},
    {{"tls_client_ca", DG_CONFIG_PATH, 0, 0, NULL, "",
      "CA certificate(s) that issue agency and hub client certificates, PEM; required unless "
      "dev_mode"},
     OFF(tls_client_ca)},
    {{"tls_crl", DG_CONFIG_PATH, 0, 0, NULL, "",
      "certificate revocation list(s) of the client CA, PEM; empty for none"},
     OFF(tls_crl)},
    {{"hub_identity", DG_CONFIG_STRING, 0, 0, NULL, "",
      "subject CN of the hub's client certificate: only that peer may state another agency's "
      "ORI; empty accepts no hub"},
     OFF(hub_identity)},
    {{"routes", DG_CONFIG_STRING, 0, 0, NULL, "",
      "hub: each destination state's node, STATE=URL separated by commas (e.g. "
      "CO=https://co.example:8443,AZ=https://az.example:8443); required for a hub"},
     OFF(routes)},
    {{"hub_cert", DG_CONFIG_PATH, 0, 0, NULL, "",
      "hub: the client certificate (CN = the nodes' hub_identity) it presents to the nodes, "
      "PEM; required for a hub unless dev_mode"},
     OFF(hub_cert)},
    {{"hub_key", DG_CONFIG_PATH, 0, 0, NULL, "", "hub: the private key of hub_cert, PEM"},
     OFF(hub_key)},
    {{"hub_blocks", DG_CONFIG_PATH, 0, 0, NULL, "",
      "hub: network-level blocks file (see docs/hub.md), reloaded on SIGHUP; empty for none"},
     OFF(hub_blocks)},
    {{"hub_admins", DG_CONFIG_STRING, 0, 0, NULL, "",
      "hub: who may change a state's network-level blocks through the admin API (/v1/blocks): "
      "STATE=CN separated by commas, CN the subject CN of that state's admin client "
      "certificate; empty: no admin API, the hub_blocks file only"},
     OFF(hub_admins)},
    {{"upstream_timeout", DG_CONFIG_INT, 1, 300, NULL, "10",
      "hub: seconds a destination node may take to answer before the hub answers ER for it"},
     OFF(upstream_timeout)},
    {{"audit_batch_max", DG_CONFIG_INT, 1, 65536, NULL, "1024",
      "most audit entries made durable by one sync (group commit)"},
     OFF(audit_batch_max)},
    {{"audit_batch_wait_us", DG_CONFIG_INT, 0, 1000000, NULL, "0",
      "longest time, in microseconds, an audit batch waits for more entries before its sync; 0 "
      "syncs what is queued at once (batches then form by themselves under load)"},
     OFF(audit_batch_wait_us)},
    {{"max_body", DG_CONFIG_SIZE, 256, 16 * 1024 * 1024, NULL, "64k",
      "largest request body accepted, bytes (k and m suffixes: KiB, MiB)"},
     OFF(max_body)},
    {{"max_headers", DG_CONFIG_SIZE, 1024, 1024 * 1024, NULL, "16k",
      "largest request line plus headers accepted, bytes"},
     OFF(max_headers)},
    {{"max_connections", DG_CONFIG_INT, 1, 1000000, NULL, "4096",
      "most client connections open at once, divided evenly among the threads; more wait in "
      "the kernel's backlog"},
     OFF(max_connections)},
    {{"timeout", DG_CONFIG_INT, 1, 3600, NULL, "30",
      "seconds a connection may stay idle, or take to send a request or read an answer"},
     OFF(timeout)},
    {{"shutdown_grace", DG_CONFIG_INT, 0, 600, NULL, "10",
      "seconds SIGTERM waits for requests in flight before the process exits"},
     OFF(shutdown_grace)},
    {{"dev_mode", DG_CONFIG_BOOL, 0, 0, NULL, "no",
      "DEVELOPMENT ONLY: plain HTTP on a loopback address, the requester's ORI taken from the "
      "X-DG-ORI header instead of a client certificate"},
     OFF(dev_mode)},
    {{"access_log", DG_CONFIG_PATH, 0, 0, "stderr|off", "stderr",
      "where the JSON-lines access log goes: stderr, off, or a file (appended)"},
     OFF(access_log)},
    {{"log_level", DG_CONFIG_ENUM, 0, 0, "debug|info|warn|error", "info",
      "least important event logged on stderr"},
     OFF(log_level)},
};

#define NOPT DG_ARRAY_LEN(table)

_Static_assert(DG_ARRAY_LEN(table) <= DG_ARRAY_LEN(((struct dg_config *)0)->source_line),
               "struct dg_config.source_line is too small for the option table");
_Static_assert(sizeof(enum dg_role) == sizeof(int) && sizeof(enum dg_log_level) == sizeof(int),
               "enum options are stored as int");

const struct dg_config_option *dg_config_option(size_t i)
{
    return i < NOPT ? &table[i].opt : NULL;
}

const char *dg_config_type_name(enum dg_config_type t)
{
    switch (t) {
    case DG_CONFIG_BOOL: return "bool";
    case DG_CONFIG_INT: return "integer";
    case DG_CONFIG_SIZE: return "size";
    case DG_CONFIG_STRING: return "string";
    case DG_CONFIG_PATH: return "path";
    case DG_CONFIG_ENUM: return "enum";
    case DG_CONFIG_STATE: return "state";
    case DG_CONFIG_ADDR: return "address";
    }
    return "?";
}

/* ---- diagnostics ------------------------------------------------------------ */

void dg_config_report_init(struct dg_config_report *r)
{
    memset(r, 0, sizeof(*r));
}

__attribute__((format(printf, 5, 6))) static void
diag(struct dg_config_report *r, int line, bool warning, const char *key, const char *fmt, ...)
{
    if (!r)
        return;
    if (!warning)
        r->errors++;
    if (r->n >= DG_CONFIG_MAX_DIAGS) {
        r->dropped++;
        return;
    }
    struct dg_config_diag *d = &r->diag[r->n++];
    d->line = line;
    d->warning = warning;
    snprintf(d->key, sizeof(d->key), "%s", key ? key : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

/* ---- values ------------------------------------------------------------------ */

static int find(const char *key, size_t n)
{
    for (size_t i = 0; i < NOPT; i++)
        if (strlen(table[i].opt.name) == n && memcmp(table[i].opt.name, key, n) == 0)
            return (int)i;
    return -1;
}

static int word_in(const char *choices, const char *s, size_t n)
{
    int idx = 0;
    for (const char *p = choices; p && *p; idx++) {
        const char *bar = strchr(p, '|');
        size_t wl = bar ? (size_t)(bar - p) : strlen(p);
        if (wl == n && memcmp(p, s, n) == 0)
            return idx;
        p = bar ? bar + 1 : NULL;
    }
    return -1;
}

static int parse_long(const char *s, size_t n, bool size_suffix, long *out)
{
    if (n == 0 || n > 20)
        return DG_EINVAL;
    long mult = 1;
    if (size_suffix && (s[n - 1] == 'k' || s[n - 1] == 'K')) {
        mult = 1024;
        n--;
    } else if (size_suffix && (s[n - 1] == 'm' || s[n - 1] == 'M')) {
        mult = 1024 * 1024;
        n--;
    }
    if (n == 0)
        return DG_EINVAL;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return DG_EINVAL;
        if (v > (1L << 40))
            return DG_ERANGE;
        v = v * 10 + (s[i] - '0');
    }
    if (v > (1L << 40) / mult)
        return DG_ERANGE;
    *out = v * mult;
    return 0;
}

int dg_config_split_addr(const char *addr, char *host, size_t hostlen, int *port)
{
    const char *colon;
    const char *h = addr;
    size_t hl;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':')
            return DG_EINVAL;
        h = addr + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon)
            return DG_EINVAL;
        hl = (size_t)(colon - addr);
        if (memchr(addr, ':', hl)) /* a bare IPv6 address needs brackets */
            return DG_EINVAL;
    }
    if (hl == 0 || hl >= hostlen)
        return DG_EINVAL;
    for (size_t i = 0; i < hl; i++) {
        char ch = h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '-' || ch == ':'))
            return DG_EINVAL;
    }
    const char *p = colon + 1;
    long v;
    if (parse_long(p, strlen(p), false, &v) != 0 || v > 65535)
        return DG_EINVAL;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)v;
    return 0;
}

bool dg_config_host_is_loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "localhost") == 0;
}

static int set_string(char **slot, const char *s, size_t n, const char *base_dir, bool is_path)
{
    /* A URI ("postgresql://...") is not a path: it is kept as written. */
    bool uri = is_path && n > 3 && memmem(s, n, "://", 3) != NULL;
    bool resolve = is_path && !uri && n > 0 && s[0] != '/' && base_dir && base_dir[0];
    size_t bl = resolve ? strlen(base_dir) : 0;
    char *v = dg_malloc(bl + 1 + n + 1);
    if (!v)
        return DG_ENOMEM;
    size_t at = 0;
    if (resolve) {
        memcpy(v, base_dir, bl);
        at = bl;
        if (bl && base_dir[bl - 1] != '/')
            v[at++] = '/';
    }
    memcpy(v + at, s, n);
    v[at + n] = '\0';
    dg_free(*slot);
    *slot = v;
    return 0;
}

/* Set option i from the value text s (n bytes, already unquoted). On a bad
 * value returns DG_ECONFIG with the reason in why. */
static int set_value(struct dg_config *c, size_t i, const char *s, size_t n, const char *base_dir,
                     char *why, size_t whylen)
{
    const struct dg_config_option *o = &table[i].opt;
    void *slot = (char *)c + table[i].offset;
    long v;
    int rc, idx;

    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)s[k];
        if (ch < 0x20 || ch >= 0x7f) {
            snprintf(why, whylen, "value has a byte that is not printable ASCII at column %zu",
                     k + 1);
            return DG_ECONFIG;
        }
    }
    switch (o->type) {
    case DG_CONFIG_BOOL:
        idx = word_in("no|yes|false|true|off|on", s, n);
        if (idx < 0) {
            snprintf(why, whylen, "expected yes or no, got '%.*s'", (int)(n > 40 ? 40 : n), s);
            return DG_ECONFIG;
        }
        *(bool *)slot = idx % 2 == 1;
        return 0;
    case DG_CONFIG_INT:
    case DG_CONFIG_SIZE:
        rc = parse_long(s, n, o->type == DG_CONFIG_SIZE, &v);
        if (rc == DG_EINVAL) {
            snprintf(why, whylen, "expected %s, got '%.*s'",
                     o->type == DG_CONFIG_SIZE ? "a size in bytes (e.g. 65536 or 64k)"
                                               : "a whole number",
                     (int)(n > 40 ? 40 : n), s);
            return DG_ECONFIG;
        }
        if (rc != 0 || v < o->min || v > o->max) {
            snprintf(why, whylen, "'%.*s' is out of range %ld..%ld", (int)(n > 40 ? 40 : n), s,
                     o->min, o->max);
            return DG_ECONFIG;
        }
        *(long *)slot = v;
        return 0;
    case DG_CONFIG_ENUM:
        idx = word_in(o->choices, s, n);
        if (idx < 0) {
            snprintf(why, whylen, "expected one of %s, got '%.*s'", o->choices,
                     (int)(n > 40 ? 40 : n), s);
            return DG_ECONFIG;
        }
        memcpy(slot, &idx, sizeof(int));
        return 0;
    case DG_CONFIG_STATE:
        if (n == 0) {
            ((char *)slot)[0] = '\0';
            return 0;
        }
        if (n != 2 || dg_state_index(s, 2) < 0) {
            snprintf(why, whylen, "'%.*s' is not a state or territory code (2 capital letters)",
                     (int)(n > 40 ? 40 : n), s);
            return DG_ECONFIG;
        }
        memcpy(slot, s, 2);
        ((char *)slot)[2] = '\0';
        return 0;
    case DG_CONFIG_ADDR: {
        char host[256], tmp[300];
        int port;
        if (n >= sizeof(tmp)) {
            snprintf(why, whylen, "address is too long");
            return DG_ECONFIG;
        }
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (dg_config_split_addr(tmp, host, sizeof(host), &port) != 0) {
            snprintf(why, whylen, "expected host:port or [ipv6]:port, got '%.*s'",
                     (int)(n > 60 ? 60 : n), s);
            return DG_ECONFIG;
        }
        return set_string(slot, s, n, NULL, false);
    }
    case DG_CONFIG_STRING:
        if (n > 255) {
            snprintf(why, whylen, "value is longer than 255 bytes");
            return DG_ECONFIG;
        }
        return set_string(slot, s, n, NULL, false);
    case DG_CONFIG_PATH:
        if (n > 4000) {
            snprintf(why, whylen, "path is longer than 4000 bytes");
            return DG_ECONFIG;
        }
        /* Special words (access_log's stderr and off) are kept as written. */
        return set_string(slot, s, n, word_in(o->choices, s, n) >= 0 ? NULL : base_dir, true);
    }
    snprintf(why, whylen, "internal: unknown option type");
    return DG_ECONFIG;
}

/* ---- init, release ------------------------------------------------------------- */

void dg_config_release(struct dg_config *c)
{
    for (size_t i = 0; i < NOPT; i++) {
        enum dg_config_type t = table[i].opt.type;
        if (t == DG_CONFIG_STRING || t == DG_CONFIG_PATH || t == DG_CONFIG_ADDR) {
            char **slot = (char **)((char *)c + table[i].offset);
            dg_free(*slot);
            *slot = NULL;
        }
    }
}

int dg_config_init(struct dg_config *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NOPT; i++) {
        char why[128];
        const char *d = table[i].opt.def;
        int rc = set_value(c, i, d, strlen(d), NULL, why, sizeof(why));
        if (rc != 0) {
            dg_config_release(c);
            return rc == DG_ENOMEM ? DG_ENOMEM : DG_EINTERNAL;
        }
    }
    return 0;
}

int dg_config_threads(const struct dg_config *c)
{
    if (c->threads > 0)
        return (int)c->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* ---- the parser ------------------------------------------------------------------ */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool is_key_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* Parse one line (no newline). Returns 0, DG_ECONFIG (reported) or DG_ENOMEM. */
static int parse_line(struct dg_config *c, const char *p, size_t n, int lineno,
                      const char *base_dir, struct dg_config_report *r)
{
    size_t i = 0;
    while (i < n && is_space(p[i]))
        i++;
    if (i == n || p[i] == '#')
        return 0;
    size_t k0 = i;
    while (i < n && is_key_char(p[i]))
        i++;
    size_t klen = i - k0;
    if (klen == 0 || klen >= 32) {
        diag(r, lineno, false, NULL, "expected an option name (lowercase letters, digits, _)");
        return DG_ECONFIG;
    }
    char key[32];
    memcpy(key, p + k0, klen);
    key[klen] = '\0';
    while (i < n && is_space(p[i]))
        i++;
    if (i == n || p[i] != '=') {
        diag(r, lineno, false, key, "expected '=' after option name '%s'", key);
        return DG_ECONFIG;
    }
    i++;
    while (i < n && is_space(p[i]))
        i++;

    /* The value: "quoted" (with \" and \\) or bare up to a comment. */
    char val[DG_CONFIG_MAX_LINE];
    size_t vlen = 0;
    if (i < n && p[i] == '"') {
        i++;
        bool closed = false;
        while (i < n) {
            char ch = p[i++];
            if (ch == '"') {
                closed = true;
                break;
            }
            if (ch == '\\') {
                if (i == n || (p[i] != '"' && p[i] != '\\')) {
                    diag(r, lineno, false, key, "only \\\" and \\\\ may follow a backslash");
                    return DG_ECONFIG;
                }
                ch = p[i++];
            }
            val[vlen++] = ch;
        }
        if (!closed) {
            diag(r, lineno, false, key, "unterminated quoted value");
            return DG_ECONFIG;
        }
        while (i < n && is_space(p[i]))
            i++;
        if (i < n && p[i] != '#') {
            diag(r, lineno, false, key, "unexpected text after the quoted value");
            return DG_ECONFIG;
        }
    } else {
        size_t v0 = i, end = n;
        for (size_t j = i; j < n; j++)
            if (p[j] == '#' && j > v0 && is_space(p[j - 1])) {
                end = j;
                break;
            }
        while (end > v0 && is_space(p[end - 1]))
            end--;
        vlen = end - v0;
        memcpy(val, p + v0, vlen);
    }
    val[vlen] = '\0';

    int idx = find(key, klen);
    if (idx < 0) {
        diag(r, lineno, false, key, "unknown option '%s'", key);
        return DG_ECONFIG;
    }
    if (c->source_line[idx] > 0) {
        diag(r, lineno, false, key, "option '%s' is already set on line %d", key,
             c->source_line[idx]);
        return DG_ECONFIG;
    }
    char why[200];
    int rc = set_value(c, (size_t)idx, val, vlen, base_dir, why, sizeof(why));
    if (rc == DG_ENOMEM)
        return rc;
    if (rc != 0) {
        diag(r, lineno, false, key, "%s: %s", key, why);
        return DG_ECONFIG;
    }
    c->source_line[idx] = lineno;
    return 0;
}

int dg_config_parse(struct dg_config *c, const char *text, size_t len, const char *base_dir,
                    struct dg_config_report *r)
{
    if (len > DG_CONFIG_MAX_FILE) {
        diag(r, 0, false, NULL, "configuration is larger than %d bytes", DG_CONFIG_MAX_FILE);
        return DG_ETOOBIG;
    }
    int bad = 0;
    int lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *line = text + pos;
        pos += n + (nl ? 1 : 0);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n >= DG_CONFIG_MAX_LINE) {
            diag(r, lineno, false, NULL, "line is longer than %d bytes", DG_CONFIG_MAX_LINE - 1);
            bad = 1;
            continue;
        }
        if (memchr(line, '\0', n)) {
            diag(r, lineno, false, NULL, "line contains a NUL byte");
            bad = 1;
            continue;
        }
        int rc = parse_line(c, line, n, lineno, base_dir, r);
        if (rc == DG_ENOMEM)
            return rc;
        if (rc != 0)
            bad = 1;
    }
    return bad ? DG_ECONFIG : 0;
}

int dg_config_set(struct dg_config *c, const char *key, const char *value, const char *base_dir,
                  struct dg_error *err)
{
    int idx = find(key, strlen(key));
    if (idx < 0)
        return dg_error_set(err, DG_ECONFIG, key, -1, "unknown option '%s'", key);
    char why[200];
    int rc = set_value(c, (size_t)idx, value, strlen(value), base_dir, why, sizeof(why));
    if (rc == DG_ENOMEM)
        return rc;
    if (rc != 0)
        return dg_error_set(err, DG_ECONFIG, key, -1, "%s: %s", key, why);
    c->source_line[idx] = -1;
    return 0;
}

/* ---- cross-option checks -------------------------------------------------------- */

static int line_of(const struct dg_config *c, const char *name)
{
    int idx = find(name, strlen(name));
    return idx >= 0 && c->source_line[idx] > 0 ? c->source_line[idx] : 0;
}

static void need(struct dg_config_report *r, const char *name, const char *value, const char *why)
{
    if (!value[0])
        diag(r, 0, false, name, "option '%s' is required %s", name, why);
}

/* A named file must exist and be readable, so that a typo shows up in
 * `config check`, not at three in the morning on the first request. */
static void readable(const struct dg_config *c, struct dg_config_report *r, const char *name,
                     const char *path)
{
    if (!path[0])
        return;
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        diag(r, line_of(c, name), false, name, "cannot read %s '%s': %s", name, path,
             strerror(errno));
    else if (!S_ISREG(st.st_mode))
        diag(r, line_of(c, name), false, name, "%s '%s' is not a regular file", name, path);
}

int dg_config_validate(const struct dg_config *c, struct dg_config_report *r)
{
    int before = r ? r->errors : 0;
    struct dg_config_report scratch;
    if (!r) {
        dg_config_report_init(&scratch);
        r = &scratch;
    }
    if (c->role == DG_ROLE_NODE) {
        const char *why = "for a node";
        need(r, "state", c->state, why);
        need(r, "store", c->store, why);
        need(r, "directory", c->directory, why);
        need(r, "policy", c->policy, why);
        if (c->audit_sequencer[0]) {
            /* The sequencer owns the log: a node that also had one would write a second. */
            if (c->audit_dir[0] || c->audit_key[0])
                diag(r, line_of(c, "audit_sequencer"), false, "audit_sequencer",
                     "with audit_sequencer the sequencer writes the log: leave audit_dir and "
                     "audit_key out");
        } else {
            need(r, "audit_dir", c->audit_dir, "for a node (or audit_sequencer)");
            need(r, "audit_key", c->audit_key, "for a node (or audit_sequencer)");
        }
        if (!strstr(c->store, "://"))
            readable(c, r, "store", c->store);
        readable(c, r, "directory", c->directory);
        readable(c, r, "policy", c->policy);
        readable(c, r, "audit_key", c->audit_key);
        struct stat st;
        if (c->audit_dir[0] && stat(c->audit_dir, &st) == 0 && !S_ISDIR(st.st_mode))
            diag(r, line_of(c, "audit_dir"), false, "audit_dir",
                 "audit_dir '%s' exists and is not a directory", c->audit_dir);
    }
    if (c->role == DG_ROLE_HUB) {
        need(r, "routes", c->routes, "for a hub");
        need(r, "directory", c->directory, "for a hub");
        need(r, "audit_dir", c->audit_dir, "for a hub (it records the requests it refuses)");
        need(r, "audit_key", c->audit_key, "for a hub (it records the requests it refuses)");
        readable(c, r, "directory", c->directory);
        readable(c, r, "hub_blocks", c->hub_blocks);
        readable(c, r, "audit_key", c->audit_key);
        if (c->hub_admins[0] && !c->hub_blocks[0])
            diag(r, line_of(c, "hub_admins"), false, "hub_admins",
                 "hub_admins needs hub_blocks: the file the admin API keeps the blocks in");
        if (!c->dev_mode) {
            need(r, "hub_cert", c->hub_cert, "for a hub unless dev_mode");
            need(r, "hub_key", c->hub_key, "for a hub unless dev_mode");
            readable(c, r, "hub_cert", c->hub_cert);
            readable(c, r, "hub_key", c->hub_key);
        }
    }
    char host[256];
    int port;
    if (dg_config_split_addr(c->listen, host, sizeof(host), &port) == 0 && c->dev_mode &&
        !dg_config_host_is_loopback(host))
        diag(r, line_of(c, "listen"), false, "listen",
             "dev_mode serves plain HTTP and trusts a header for the ORI, so it may only listen "
             "on a loopback address, not '%s'",
             host);
    if (c->dev_mode) {
        diag(r, line_of(c, "dev_mode"), true, "dev_mode",
             "development mode: plain HTTP without client certificates, never for production");
        if (c->tls_cert[0] || c->tls_key[0] || c->tls_client_ca[0] || c->tls_crl[0])
            diag(r, line_of(c, "dev_mode"), true, "dev_mode",
                 "the tls_* options are ignored in development mode");
    } else {
        const char *why = "unless dev_mode is on (client certificates identify agencies)";
        need(r, "tls_cert", c->tls_cert, why);
        need(r, "tls_key", c->tls_key, why);
        need(r, "tls_client_ca", c->tls_client_ca, why);
        readable(c, r, "tls_cert", c->tls_cert);
        readable(c, r, "tls_key", c->tls_key);
        readable(c, r, "tls_client_ca", c->tls_client_ca);
        readable(c, r, "tls_crl", c->tls_crl);
    }
    if (strcmp(c->access_log, "stderr") != 0 && strcmp(c->access_log, "off") != 0) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", c->access_log);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir)
            *slash = '\0';
        else if (slash)
            dir[1] = '\0';
        else
            snprintf(dir, sizeof(dir), ".");
        if (access(dir, W_OK) != 0)
            diag(r, line_of(c, "access_log"), false, "access_log",
                 "cannot write the access log in '%s': %s", dir, strerror(errno));
    }
    return r->errors > before ? DG_ECONFIG : 0;
}

/* ---- loading ------------------------------------------------------------------- */

int dg_config_load(struct dg_config *c, const char *path, struct dg_config_report *r)
{
    int rc = dg_config_init(c);
    if (rc != 0) {
        memset(c, 0, sizeof(*c));
        return rc;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        diag(r, 0, false, NULL, "cannot open configuration '%s': %s", path, strerror(e));
        return dg_error_from_errno(e);
    }
    char *text = dg_malloc(DG_CONFIG_MAX_FILE + 1);
    if (!text) {
        fclose(f);
        return DG_ENOMEM;
    }
    size_t len = fread(text, 1, DG_CONFIG_MAX_FILE + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        dg_free(text);
        diag(r, 0, false, NULL, "cannot read configuration '%s'", path);
        return DG_EIO;
    }
    char base[4096];
    snprintf(base, sizeof(base), "%s", path);
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(base, sizeof(base), ".");
    if (base[0] == '\0') /* "/node.conf" */
        snprintf(base, sizeof(base), "/");
    /* Resolve a relative base directory once, so that paths stay right if the
     * process later changes directory. */
    char absbase[4096];
    if (base[0] != '/' && realpath(base, absbase))
        snprintf(base, sizeof(base), "%s", absbase);
    rc = dg_config_parse(c, text, len, base, r);
    dg_free(text);
    if (rc == DG_ENOMEM || rc == DG_ETOOBIG)
        return rc == DG_ETOOBIG ? DG_ECONFIG : rc;
    int vrc = dg_config_validate(c, r);
    return rc ? rc : vrc;
}

/* ---- the effective configuration -------------------------------------------------- */

static bool needs_quotes(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || is_space(s[0]) || is_space(s[n - 1]) || s[0] == '"')
        return true; /* "" shows an empty value as one, not as a missing one */
    for (size_t i = 1; i < n; i++)
        if (s[i] == '#' && is_space(s[i - 1]))
            return true;
    return false;
}

int dg_config_format(const struct dg_config *c, struct dg_buf *out)
{
    int rc = 0;
    for (size_t i = 0; i < NOPT && rc == 0; i++) {
        const struct dg_config_option *o = &table[i].opt;
        const void *slot = (const char *)c + table[i].offset;
        char num[32];
        const char *val = num;
        int e;
        switch (o->type) {
        case DG_CONFIG_BOOL: val = *(const bool *)slot ? "yes" : "no"; break;
        case DG_CONFIG_INT:
        case DG_CONFIG_SIZE:
            if (strcmp(o->name, "threads") == 0)
                snprintf(num, sizeof(num), "%d", dg_config_threads(c));
            else
                snprintf(num, sizeof(num), "%ld", *(const long *)slot);
            break;
        case DG_CONFIG_ENUM: {
            memcpy(&e, slot, sizeof(int));
            const char *p = o->choices;
            for (int k = 0; k < e && p; k++) {
                p = strchr(p, '|');
                p = p ? p + 1 : NULL;
            }
            size_t wl = p ? strcspn(p, "|") : 0;
            snprintf(num, sizeof(num), "%.*s", (int)wl, p ? p : "");
            break;
        }
        case DG_CONFIG_STATE: val = (const char *)slot; break;
        default: val = *(char *const *)slot; break;
        }
        rc = dg_buf_printf(out, "%s = ", o->name);
        if (rc == 0 && needs_quotes(val)) {
            rc = dg_buf_addc(out, '"');
            for (const char *p = val; rc == 0 && *p; p++) {
                if (*p == '"' || *p == '\\')
                    rc = dg_buf_addc(out, '\\');
                if (rc == 0)
                    rc = dg_buf_addc(out, *p);
            }
            if (rc == 0)
                rc = dg_buf_addc(out, '"');
        } else if (rc == 0) {
            rc = dg_buf_addstr(out, val);
        }
        int src = c->source_line[i];
        if (rc == 0 && src > 0)
            rc = dg_buf_printf(out, "  # line %d\n", src);
        else if (rc == 0 && src < 0)
            rc = dg_buf_addstr(out, "  # command line\n");
        else if (rc == 0)
            rc = dg_buf_printf(
                out, "  # default%s\n",
                strcmp(o->name, "threads") == 0 && c->threads == 0 ? " (0: one per core)" : "");
    }
    return rc;
}
