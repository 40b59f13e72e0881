/*
 * auditd.h - the audit sequencer: one process owns a state's audit log and
 * appends to it for every node process of the state (`dmvgate auditd`).
 *
 * Why. Several `dmvgate serve` processes on one PostgreSQL database still
 * make one state, and the state publishes one log: one Merkle tree, one
 * checkpoint, one key, verified by `dmvgate audit verify` as before. The log
 * (lib/audit) has exactly one writer, which its lock file enforces; the
 * sequencer is that writer, and the nodes hand it their entries over a
 * socket. An append is acknowledged to a node only once the log made it
 * durable (fdatasync) and gave it its index, so no acknowledged entry can be
 * lost and no index can be given twice. A node answers its requester only
 * after the acknowledgement; when the sequencer cannot be reached it refuses
 * (503) as it would when its own log could not write. docs/audit.md, section
 * "Several node processes", gives the reasons and the failure cases.
 *
 * Protocol. Frames on a stream socket (a unix socket, or TCP on a loopback
 * address: the protocol has no authentication of its own, so the socket's
 * file permissions are the access control), integers big-endian:
 *
 *   frame     u32 length | body[length]
 *   request   u8 op | u64 id | payload
 *   response  u8 op | u64 id | i32 status | payload
 *
 *   op  request payload                      response payload (status 0)
 *   1   HELLO   "dmvgate-auditd 1"           the log's checkpoint origin
 *   2   APPEND  u32 n | public[n] | private  u64 index of the durable entry
 *   3   READ    path ("checkpoint", "tile/...")  the public resource's bytes
 *   4   PROVE   u64 index | u64 size         inclusion proof (JSON, dg_proof)
 *   5   PUBLISH (none)                       (none): a checkpoint was signed
 *
 * A response carries its request's op and id; status is 0 or a DG_E code
 * (negative), and then the payload is a message (at most 255 bytes). The
 * client numbers its requests; responses to appends come back as the log
 * makes them durable, so not necessarily in request order. The first
 * request on a connection must be HELLO. Limits: a request body at most
 * DG_AUDITD_REQUEST_MAX bytes, a response body DG_AUDITD_RESPONSE_MAX; the
 * public part of an entry 1..DG_AUDIT_ENTRY_MAX bytes, the private part at
 * most DG_AUDIT_PRIVATE_MAX; a path 1..255 bytes. A peer that breaks them is
 * disconnected.
 */
#ifndef DMVGATE_AUDITD_H
#define DMVGATE_AUDITD_H

#include <dmvgate/audit.h>
#include <dmvgate/core.h>

#include <stddef.h>
#include <stdint.h>

#define DG_AUDITD_HELLO        "dmvgate-auditd 1"
#define DG_AUDITD_REQUEST_MAX  (1 + 8 + 4 + DG_AUDIT_ENTRY_MAX + DG_AUDIT_PRIVATE_MAX)
#define DG_AUDITD_RESPONSE_MAX (17u << 20) /* an entry bundle of 256 largest entries */
#define DG_AUDITD_PATH_MAX     255
#define DG_AUDITD_MSG_MAX      255

enum dg_auditd_op {
    DG_AUDITD_HELLO_OP = 1,
    DG_AUDITD_APPEND = 2,
    DG_AUDITD_READ = 3,
    DG_AUDITD_PROVE = 4,
    DG_AUDITD_PUBLISH = 5,
};

/* ---- frames (pure functions; thread-safe) ------------------------------------------ */

/* A parsed request body. Pointers point into the parsed bytes. */
struct dg_auditd_request {
    enum dg_auditd_op op;
    uint64_t id;
    const uint8_t *pub, *priv; /* APPEND */
    size_t pub_len, priv_len;
    const char *path; /* READ: not NUL-terminated */
    size_t path_len;
    uint64_t index, size; /* PROVE */
    const uint8_t *hello; /* HELLO */
    size_t hello_len;
};

/* A parsed response body. */
struct dg_auditd_response {
    enum dg_auditd_op op;
    uint64_t id;
    int status;
    uint64_t index;         /* APPEND, status 0 */
    const uint8_t *payload; /* everything after the status */
    size_t payload_len;
};

/*
 * Parse a request body (the bytes after the frame's length) of n bytes.
 * Returns 0, or DG_EPARSE (unknown op, short or over-long fields, an append
 * without a public part, a status out of range) or DG_ETOOBIG (over the
 * limits above) with err->offset at the offending byte.
 */
int dg_auditd_parse_request(const uint8_t *body, size_t n, struct dg_auditd_request *out,
                            struct dg_error *err);
int dg_auditd_parse_response(const uint8_t *body, size_t n, struct dg_auditd_response *out,
                             struct dg_error *err);

/* Append a whole request frame (length included) to out. The payload parts
 * not used by op are ignored. Returns 0 or the dg_buf error. */
int dg_auditd_frame_request(struct dg_buf *out, const struct dg_auditd_request *r);
/* Append a whole response frame: op, id, status, then payload (n bytes). */
int dg_auditd_frame_response(struct dg_buf *out, enum dg_auditd_op op, uint64_t id, int status,
                             const void *payload, size_t n);

/* ---- the sequencer (server) --------------------------------------------------------- */

struct dg_auditd;

struct dg_auditd_options {
    /* The log: directory, origin, signer, batching (see dg_audit_open). The
     * log is opened by dg_auditd_new and closed by dg_auditd_free. */
    struct dg_audit_options log;
    /* Where to listen: "unix:PATH" (a stale socket file is replaced; the
     * socket is made mode 0660) or "HOST:PORT" with a loopback HOST
     * (127.0.0.1, ::1, localhost); port 0 takes a free port. */
    const char *listen;
    int max_connections; /* at most this many nodes' connections at once (256) */
    /* Wait for the log's lock instead of failing when another sequencer
     * holds it (a standby that takes over when the active one exits). */
    int wait_for_lock;
};

void dg_auditd_options_init(struct dg_auditd_options *o);

/*
 * Open the log and bind the listening socket; nothing is served until
 * dg_auditd_run. Errors: those of dg_audit_open (DG_ELOCKED unless
 * wait_for_lock), DG_ECONFIG (bad listen address, not loopback), DG_EIO
 * (cannot bind), DG_ENOMEM.
 */
int dg_auditd_new(const struct dg_auditd_options *o, struct dg_auditd **out, struct dg_error *err);

/* The bound address in the listen syntax ("unix:/run/dg.sock",
 * "127.0.0.1:40123"). Valid until dg_auditd_free. */
const char *dg_auditd_address(const struct dg_auditd *d);

/* The log (for stats and tests); owned by d. */
struct dg_audit_log *dg_auditd_log(struct dg_auditd *d);

/* Serve until dg_auditd_stop. Returns 0. Call once, from one thread. */
int dg_auditd_run(struct dg_auditd *d);

/* Ask dg_auditd_run to return: stop accepting, answer what the log has
 * made durable, close connections (appends not yet durable are failed to
 * their nodes with DG_ELOGCLOSED). Thread-safe; not from a signal handler. */
void dg_auditd_stop(struct dg_auditd *d);

/* Close the log (a final checkpoint) and free d; after run returned. */
int dg_auditd_free(struct dg_auditd *d);

struct dg_auditd_stats {
    uint64_t connections, open, requests, appends, refused;
};
void dg_auditd_stats(struct dg_auditd *d, struct dg_auditd_stats *out);

/* ---- the client (in each node process) ---------------------------------------------- */

struct dg_auditd_client;

/*
 * A client of the sequencer at addrs: one address in the listen syntax or
 * several separated by commas, tried in order whenever a connection is
 * needed (an active sequencer and its standbys). Connects and says HELLO
 * before returning, so that a wrong address is reported at start: 0, or
 * DG_EIO (no address answered) / DG_ECONFIG (bad address) with err.
 * origin (may be NULL) gets the log's origin (up to DG_CHECKPOINT_ORIGIN_MAX
 * bytes and a NUL).
 */
int dg_auditd_client_new(const char *addrs, struct dg_auditd_client **out, char *origin,
                         struct dg_error *err);

/* Close the connection, fail appends still waiting (DG_EIO) and free c. */
void dg_auditd_client_free(struct dg_auditd_client *c);

/*
 * Send an append. Returns 0 when sent: done(arg, status, index) is then
 * called exactly once, from the client's reader thread, with status 0 and
 * the index once the entry is durable in the log, or an error and no index
 * (DG_EIO: the connection broke before the answer; the entry may or may not
 * be in the log, but it was not acknowledged). done must be quick and must
 * not call back into c. Returns an error when nothing was sent (done is not
 * called): DG_EIO (no sequencer reachable), DG_ETOOBIG, DG_EINVAL.
 * Thread-safe: every node thread may share one client.
 */
int dg_auditd_append_async(struct dg_auditd_client *c, const void *pub, size_t pub_len,
                           const void *priv, size_t priv_len, dg_audit_done_fn done, void *arg);

/* Send and wait: 0 and *index, or an error (nothing acknowledged). */
int dg_auditd_append(struct dg_auditd_client *c, const void *pub, size_t pub_len, const void *priv,
                     size_t priv_len, uint64_t *index, struct dg_error *err);

/* Encode e (random salt) and append it, as dg_audit_append_entry_async. */
int dg_auditd_append_entry_async(struct dg_auditd_client *c, const struct dg_audit_entry *e,
                                 dg_audit_done_fn done, void *arg, struct dg_error *err);

/* Blocking requests for a node's public face: a public resource of the log
 * (appended to out: DG_ENOENT when absent, DG_EINVAL for another path), an
 * inclusion proof as JSON (size 0: the latest checkpoint), a checkpoint now. */
int dg_auditd_read(struct dg_auditd_client *c, const char *path, struct dg_buf *out,
                   struct dg_error *err);
int dg_auditd_prove(struct dg_auditd_client *c, uint64_t index, uint64_t size, struct dg_buf *out,
                    struct dg_error *err);
int dg_auditd_publish(struct dg_auditd_client *c, struct dg_error *err);

#endif
