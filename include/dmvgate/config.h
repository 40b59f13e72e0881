/*
 * config.h - the configuration file of `dmvgate serve` (node and hub roles).
 *
 * The format is a list of `key = value` lines (docs/operations.md has the full
 * reference):
 *
 *     # a comment: from '#' at the start of a line, or after whitespace
 *     role    = node
 *     state   = CO
 *     listen  = 127.0.0.1:8443
 *     policy  = "policies/co policy.txt"   # quotes keep spaces and '#'
 *
 * Every option is a row of one table (the redis config.c idea): its name,
 * type, bounds, default and a one-line description. The parser, the checker,
 * `dmvgate config check`, `dmvgate config options` and the documentation all
 * come from that table. Relative paths are resolved against the directory of
 * the configuration file, so a configuration does not depend on the working
 * directory of whoever starts the node.
 *
 * Parsing never stops at the first problem: every error (and warning) is
 * collected with its line in a struct dg_config_report, so that an operator
 * fixes a file in one pass.
 */
#ifndef DMVGATE_CONFIG_H
#define DMVGATE_CONFIG_H

#include <dmvgate/core.h>

#include <stdbool.h>
#include <stddef.h>

/* Hard limits on the file itself: a configuration is a few dozen lines. */
#define DG_CONFIG_MAX_FILE  (256 * 1024)
#define DG_CONFIG_MAX_LINE  4096
#define DG_CONFIG_MAX_DIAGS 64

enum dg_role { DG_ROLE_NODE, DG_ROLE_HUB };

/* The effective configuration. Strings are owned by the struct (allocated with
 * dg_malloc), never NULL after dg_config_init (an unset path is ""). Paths are
 * absolute or resolved against the configuration file's directory. */
struct dg_config {
    enum dg_role role;
    char state[3]; /* the node's state code ("CO"); "" when unset */
    char *listen;  /* "host:port" or "[v6]:port"; port 0 = any free port */
    long threads;  /* event loops; 0 = one per core (see dg_config_threads) */

    char *store;           /* DMV store (SQLite file, or a postgresql:// URI) */
    char *directory;       /* agency directory */
    char *policy;          /* the state's policy file */
    char *audit_dir;       /* audit log directory */
    char *audit_key;       /* audit signing key (C2SP signed-note skey file) */
    char *audit_sequencer; /* "" or the audit sequencer's address(es): no local log */

    char *tls_cert;      /* server certificate chain (PEM) */
    char *tls_key;       /* server private key (PEM) */
    char *tls_client_ca; /* CA(s) that issue agency and hub client certificates (PEM) */
    char *tls_crl;       /* certificate revocation list(s) (PEM); "" = none */
    char *hub_identity;  /* subject CN of the hub's client certificate; "" = no hub */

    /* The hub role (lib/hub). */
    char *routes;          /* "CO=https://host:port,AZ=..." destination nodes */
    char *hub_cert;        /* the hub's client certificate towards the nodes (PEM) */
    char *hub_key;         /* its private key (PEM) */
    char *hub_blocks;      /* network-level blocks file, reloaded on SIGHUP; "" = none */
    char *hub_admins;      /* "CO=CN,AZ=CN": who may change a state's blocks; "" = none */
    long upstream_timeout; /* seconds a destination node may take to answer */

    long audit_batch_max;     /* entries per group commit */
    long audit_batch_wait_us; /* longest wait to fill a batch, microseconds */

    long max_body;        /* bytes of a request body */
    long max_headers;     /* bytes of a request's header block */
    long max_connections; /* open client connections, all loops together */
    long timeout;         /* seconds a connection may be idle or slow */
    long shutdown_grace;  /* seconds SIGTERM waits for in-flight requests */

    bool dev_mode;    /* plain HTTP on loopback, ORI from a header: demo only */
    char *access_log; /* "stderr", "off" or a file path */
    enum dg_log_level log_level;

    /* Where each option's value came from: its line in the file, 0 for the
     * default, -1 for an override (dg_config_set). Indexed like the table. */
    int source_line[48];
};

enum dg_config_type {
    DG_CONFIG_BOOL,   /* yes|no|true|false|on|off */
    DG_CONFIG_INT,    /* decimal integer within [min, max] */
    DG_CONFIG_SIZE,   /* integer bytes with optional k or m suffix (KiB, MiB) */
    DG_CONFIG_STRING, /* any printable text */
    DG_CONFIG_PATH,   /* a file or directory path */
    DG_CONFIG_ENUM,   /* one word of a fixed list */
    DG_CONFIG_STATE,  /* a 2-letter state or territory code */
    DG_CONFIG_ADDR,   /* host:port */
};

/* One row of the option table. */
struct dg_config_option {
    const char *name;
    enum dg_config_type type;
    long min, max;           /* INT and SIZE bounds */
    const char *choices;     /* ENUM: words separated by '|' */
    const char *def;         /* the default, as written in a file */
    const char *description; /* one line for `config options` and the docs */
};

/* The i-th row of the table (file order, from 0), or NULL past the last row.
 * Static storage; thread-safe. */
const struct dg_config_option *dg_config_option(size_t i);

/* The name of a type ("size", "path", ...), for listings. */
const char *dg_config_type_name(enum dg_config_type t);

/* One problem found in a configuration. line is 0 when the problem is not on
 * one line (a required option missing), key "" when it is not about one key. */
struct dg_config_diag {
    int line;
    bool warning; /* false: an error, the configuration is refused */
    char key[32];
    char msg[224];
};

/* Every problem found, in file order, then the cross-option checks. At most
 * DG_CONFIG_MAX_DIAGS are kept; `dropped` counts the rest. */
struct dg_config_report {
    struct dg_config_diag diag[DG_CONFIG_MAX_DIAGS];
    int n;
    int errors; /* diagnostics that are errors (including dropped ones) */
    int dropped;
};

void dg_config_report_init(struct dg_config_report *r);

/* Set every option to its default. Returns 0 or DG_ENOMEM (then c is released). */
int dg_config_init(struct dg_config *c);

/* Free the strings; c may be initialised again. */
void dg_config_release(struct dg_config *c);

/*
 * Parse text (len bytes, at most DG_CONFIG_MAX_FILE) over c, which must have
 * been initialised. Relative paths are resolved against base_dir (NULL or ""
 * leaves them as written). Every problem goes into r (may be NULL). Options
 * that fail keep their previous value. Returns 0, DG_ECONFIG when r got an
 * error, DG_ETOOBIG for an over-long text or DG_ENOMEM. Not thread-safe on c.
 */
int dg_config_parse(struct dg_config *c, const char *text, size_t len, const char *base_dir,
                    struct dg_config_report *r);

/*
 * The checks that involve several options (a node needs its state, store and
 * policy; production needs TLS files; development mode only on loopback;
 * named files exist and are readable). Adds to r. Returns 0 or DG_ECONFIG.
 */
int dg_config_validate(const struct dg_config *c, struct dg_config_report *r);

/*
 * Initialise c and load the file at path: read it (refusing more than
 * DG_CONFIG_MAX_FILE bytes), parse it and validate it. On success returns 0;
 * otherwise DG_ECONFIG (problems in r), DG_ENOENT/DG_EPERM/DG_EIO (unreadable
 * file: one diagnostic in r) or DG_ENOMEM. c is initialised in every case and
 * must be released.
 */
int dg_config_load(struct dg_config *c, const char *path, struct dg_config_report *r);

/*
 * Set one option from text, as if it were a line of the file (for command-line
 * overrides such as `serve --set listen=127.0.0.1:0`). Returns 0, DG_ECONFIG
 * with err filled for an unknown key or a bad value, or DG_ENOMEM.
 */
int dg_config_set(struct dg_config *c, const char *key, const char *value, const char *base_dir,
                  struct dg_error *err);

/* Event loops to run: threads, or the number of online cores when 0. */
int dg_config_threads(const struct dg_config *c);

/*
 * Append the effective configuration to out as a valid configuration file,
 * one line per option in table order, each with a comment saying where the
 * value came from. Returns 0, DG_ETOOBIG or DG_ENOMEM.
 */
int dg_config_format(const struct dg_config *c, struct dg_buf *out);

/* Parse "host:port" or "[v6]:port" into host (without brackets) and port.
 * Returns 0 or DG_EINVAL. */
int dg_config_split_addr(const char *addr, char *host, size_t hostlen, int *port);

/* True when host (as split by dg_config_split_addr) is a loopback address:
 * 127.0.0.0/8, ::1 or "localhost". */
bool dg_config_host_is_loopback(const char *host);

#endif
