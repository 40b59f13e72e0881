/*
 * demo.h - the demo network (`dmvgate demo`, docs/demo.md): a throwaway
 * certificate authority, four state nodes and the hub as child processes on
 * loopback, and a traffic generator whose mix follows the public figures.
 *
 * Three parts:
 *   pki      a throwaway CA (EC P-256, OpenSSL 3) that issues the servers',
 *            the hub's and each agency's certificates, and a PKCS#12 bundle
 *            for a browser;
 *   traffic  a thread that sends queries to the hub at a given rate from a
 *            pool of agencies with certificates, mixed by the public figures
 *            (dg_traffic_mix), and counts the answers;
 *   network  the whole demo: directory, data, configurations, processes,
 *            the banner, and a clean stop that reaps every process.
 *
 * Thread safety: a struct dg_demo and a struct dg_pki belong to one thread;
 * dg_traffic_stats may be called from any thread while the generator runs.
 */
#ifndef DMVGATE_DEMO_H
#define DMVGATE_DEMO_H

#include <dmvgate/agency.h>
#include <dmvgate/core.h>

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ---- pki ------------------------------------------------------------------- */

struct dg_pki;

enum dg_pki_use { DG_PKI_SERVER, DG_PKI_CLIENT };

/* A new CA with subject CN=cn, valid for days. Returns 0 and *out, or
 * DG_ETLS (OpenSSL failed; err says where) or DG_ENOMEM. */
int dg_pki_new(struct dg_pki **out, const char *cn, int days, struct dg_error *err);
void dg_pki_free(struct dg_pki *p);

/* Write the CA certificate (PEM) to path. DG_EIO when it cannot. */
int dg_pki_write_ca(const struct dg_pki *p, const char *path, struct dg_error *err);

/*
 * Issue a certificate for cn and write it and its new key (PEM; the key file
 * mode 0600). A server certificate is for localhost, 127.0.0.1 and ::1; a
 * client certificate names the agency's ORI (or the hub) in its CN, which is
 * where dmvgate reads it. Returns 0, DG_ETLS, DG_EIO or DG_ENOMEM.
 */
int dg_pki_issue(struct dg_pki *p, const char *cn, enum dg_pki_use use, const char *cert_path,
                 const char *key_path, struct dg_error *err);

/* Issue a client certificate for cn and write it with its key and the CA as
 * a PKCS#12 file protected by password (for importing into a browser). */
int dg_pki_issue_p12(struct dg_pki *p, const char *cn, const char *password, const char *path,
                     struct dg_error *err);

/* ---- traffic ------------------------------------------------------------------ */

/* Who sends the queries: the buckets of the mix. */
enum dg_traffic_kind {
    DG_TK_MUNICIPAL,   /* city and town police */
    DG_TK_SHERIFF,     /* county sheriffs (some with 287(g) agreements) */
    DG_TK_STATE,       /* state police and patrols */
    DG_TK_OTHER_LOCAL, /* courts, prosecutors, corrections, tribal, other */
    DG_TK_FEDERAL,     /* federal agencies other than HSI and ICE-ERO */
    DG_TK_HSI,         /* DHS Homeland Security Investigations */
    DG_TK_ICE_ERO,     /* DHS ICE Enforcement and Removal Operations */
    DG_TK_UNSPECIFIED, /* agencies whose type was never recorded */
    DG_TK__COUNT
};

/* The share of each kind, in queries per million, and where it comes from. */
struct dg_traffic_share {
    enum dg_traffic_kind kind;
    const char *name; /* "HSI" */
    unsigned per_million;
    const char *source; /* "600,000 of 290 million (DESIGN.md)" */
};
extern const struct dg_traffic_share dg_traffic_mix[DG_TK__COUNT];

/* The kind of an agency of the directory, or -1 when the demo does not
 * send from it. */
int dg_traffic_kind_of(const struct dg_agency *a);

/* An agency of the pool: its entry and its certificate. */
struct dg_traffic_agency {
    struct dg_agency a;
    int kind; /* enum dg_traffic_kind */
    char cert[512], key[512];
};

/* Keys that exist in a state's store (from the same generator and seed). */
struct dg_traffic_keys {
    char state[3];
    int n;
    struct dg_traffic_key {
        char oln[21], nam[51], dob[9], sex[2], plate[11], vin[18];
    } * k; /* n entries, owned by the caller */
};

struct dg_traffic_options {
    const char *url;  /* the hub */
    const char *ca;   /* CA certificate file */
    double rate;      /* queries a second (> 0) */
    uint64_t seed;    /* any; the same seed gives the same sequence */
    int max_inflight; /* requests in flight at once; 0 for 32 */
    const struct dg_traffic_agency *agencies;
    int nagencies;
    const struct dg_traffic_keys *keys; /* one per destination state */
    int nstates;
};

struct dg_traffic_stats {
    uint64_t sent, answered, transport_errors;
    uint64_t by_status[6];          /* enum dg_msg_status */
    uint64_t by_kind[DG_TK__COUNT]; /* queries sent, by requester kind */
    uint64_t photos, multi_state;
};

struct dg_traffic;

/* Make n keys of the state's first drivers as `dmvgate seed --seed seed`
 * writes them. Returns 0 or DG_EINVAL / DG_ENOMEM. Release with
 * dg_traffic_keys_release. */
int dg_traffic_keys_make(struct dg_traffic_keys *out, const char *state, uint64_t seed, int n,
                         struct dg_error *err);
void dg_traffic_keys_release(struct dg_traffic_keys *k);

/* Build one valid query of the mix, as the generator does, and say whose it
 * is (*agency: index into o->agencies). rng is the generator's state.
 * Returns 0 or DG_EINVAL (no agency or key to use) or a DG_EMSG... code. */
struct dg_msg_req;
int dg_traffic_make_query(const struct dg_traffic_options *o, uint64_t *rng, struct dg_msg_req *out,
                          int *agency);

/* Start the generator thread (it blocks every signal). o and what it points
 * to must outlive the generator. Returns 0, DG_EINVAL, DG_ENOMEM. */
int dg_traffic_start(struct dg_traffic **out, const struct dg_traffic_options *o,
                     struct dg_error *err);
void dg_traffic_stats(struct dg_traffic *t, struct dg_traffic_stats *out);
/* Stop the thread (requests in flight are abandoned) and free. NULL is a no-op. */
void dg_traffic_stop(struct dg_traffic *t);

/* ---- the demo network ------------------------------------------------------------- */

struct dg_demo_options {
    const char *exe;      /* this binary: children are `exe serve --config ...` */
    const char *dir;      /* where to build it (created, must be empty); NULL for a temp dir */
    const char *policies; /* folder of the example policies (policies/examples) */
    uint64_t drivers;     /* per state */
    double rate;          /* queries a second; 0 for no traffic */
    uint64_t seed;
    int hub_port;   /* 0 for any free port */
    bool keep;      /* keep dir at the end (always when dir was given) */
    FILE *progress; /* where to say what is happening; NULL for nowhere */
};

struct dg_demo;

/*
 * Bring the network up: directory, certificates, data (seeded by child
 * processes in parallel), accounts, the nodes, the hub, the traffic. Checks
 * *stop (set by a signal handler) while it waits and gives up cleanly when it
 * is set (DG_EAGAIN). On failure everything started is stopped and reaped and
 * *out is NULL. Errors: DG_EINVAL, DG_EIO, DG_ETLS, DG_EINTERNAL (a process
 * did not start: err names its log), DG_EAGAIN, DG_ENOMEM.
 */
int dg_demo_up(struct dg_demo **out, const struct dg_demo_options *o, volatile sig_atomic_t *stop,
               struct dg_error *err);

/* Print where to look, the logins and ready-to-paste queries. */
void dg_demo_banner(struct dg_demo *d, FILE *out);

/* One line of traffic figures (no newline). */
void dg_demo_traffic_line(struct dg_demo *d, char *buf, size_t n);

/* 0 while every process runs; otherwise DG_EINTERNAL with err naming the
 * process that stopped and its log (it is reaped). */
int dg_demo_check(struct dg_demo *d, struct dg_error *err);

/* Stop the traffic, the hub, then the nodes (SIGTERM, then SIGKILL after a
 * grace period), reap every process, remove the directory unless kept, free.
 * Returns 0 when every process exited 0. */
int dg_demo_down(struct dg_demo *d, FILE *progress);

/* The demo's directory (valid until dg_demo_down). */
const char *dg_demo_dir(const struct dg_demo *d);

#endif
