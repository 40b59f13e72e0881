/*
 * audit.h - the tamper-evident audit log.
 *
 * Every query and decision a node makes is appended here, durably, before
 * anyone is answered. The log is an RFC 6962 / RFC 9162 Merkle tree published
 * in standard formats so that existing transparency-log tools and witnesses
 * can check it without trusting the state:
 *
 *   - the tree head is a C2SP tlog-checkpoint, signed as a C2SP signed note
 *     with Ed25519 (keys in the signed-note vkey/skey text formats);
 *   - the tree and the entries are C2SP tlog-tiles (tiles of 256 hashes,
 *     partial tiles .p/W, entry bundles) under DIR/tile/, the signed head is
 *     DIR/checkpoint; a node serves exactly these two paths;
 *   - each entry has a public part (what is published in the entry bundles:
 *     who asked, when, what kind of query, decision, rule, reviewer) and a
 *     private part (identifying values, case and warrant numbers, the person
 *     asking) that stays in DIR/private/ and is committed to by a salted hash
 *     in the public part.
 *
 * The sections below: Merkle hashing and proofs, signed notes and keys,
 * checkpoints, tiles, audit entries, the log itself (durable group-commit
 * appends, checkpoints), reading a log (iterator, proofs, public files) and
 * full verification. docs/audit.md describes every format byte by byte.
 */
#ifndef DMVGATE_AUDIT_H
#define DMVGATE_AUDIT_H

#include <dmvgate/agency.h>
#include <dmvgate/core.h>
#include <dmvgate/error.h>
#include <dmvgate/vocab.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DG_HASH_SIZE             32    /* SHA-256 */
#define DG_MERKLE_MAX_PROOF      128   /* longest proof for any tree of up to 2^64 leaves */
#define DG_AUDIT_ENTRY_MAX       65535 /* public part of an entry (uint16 length in bundles) */
#define DG_AUDIT_PRIVATE_MAX     65536 /* private part of an entry */
#define DG_TILE_WIDTH            256   /* hashes per full tile */
#define DG_NOTE_MAX_SIZE         (256 * 1024) /* a signed note, text and signatures */
#define DG_NOTE_MAX_SIGS         64  /* signature lines accepted (the spec asks for >= 16) */
#define DG_NOTE_NAME_MAX         255 /* bytes in a key name */
#define DG_CHECKPOINT_ORIGIN_MAX 255

/* ==== Merkle tree hashing (RFC 6962 section 2.1, RFC 9162 section 2.1) ==========
 * All functions are pure and thread-safe. */

/* SHA-256(0x00 || data). */
void dg_merkle_leaf_hash(const void *data, size_t n, uint8_t out[DG_HASH_SIZE]);
/* SHA-256(0x01 || left || right). */
void dg_merkle_node_hash(const uint8_t left[DG_HASH_SIZE], const uint8_t right[DG_HASH_SIZE],
                         uint8_t out[DG_HASH_SIZE]);
/* The root of the empty tree, SHA-256(""). */
void dg_merkle_empty_root(uint8_t out[DG_HASH_SIZE]);
/* The root of a tree whose n leaf hashes are given (n may be 0). */
void dg_merkle_root_of(const uint8_t (*leaves)[DG_HASH_SIZE], uint64_t n,
                       uint8_t out[DG_HASH_SIZE]);

/* Verify that leaf (a leaf hash) is at index in the tree of size with root.
 * Returns 0 when the proof verifies, DG_EPROOF when it does not (including an
 * index outside the tree or a proof of the wrong length). */
int dg_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[DG_HASH_SIZE],
                               const uint8_t (*proof)[DG_HASH_SIZE], size_t nproof,
                               const uint8_t root[DG_HASH_SIZE]);

/* Verify that the tree of size1 with root1 is a prefix of the tree of size2
 * with root2 (RFC 9162 section 2.1.4.2). size1 == size2 needs an empty proof
 * and equal roots; size1 == 0 needs an empty proof. 0 or DG_EPROOF. */
int dg_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[DG_HASH_SIZE],
                                 const uint8_t root2[DG_HASH_SIZE],
                                 const uint8_t (*proof)[DG_HASH_SIZE], size_t nproof);

/* A source of node hashes for proof generation. get() is asked only for
 * nodes that are complete in the tree being proved: the node at height
 * `level` (0 = leaf hashes) and position `index` covers the leaves
 * [index << level, (index + 1) << level). It returns 0 or a negative error. */
struct dg_merkle_nodes {
    int (*get)(void *arg, unsigned level, uint64_t index, uint8_t out[DG_HASH_SIZE]);
    void *arg;
};

/* The hash of the leaves [begin, end) of a tree (RFC 6962 MTH of that range;
 * begin must be 0 or the range must be a subtree of the tree structure). */
int dg_merkle_range_root(const struct dg_merkle_nodes *src, uint64_t begin, uint64_t end,
                         uint8_t out[DG_HASH_SIZE]);
/* Inclusion proof for index in the tree of size: writes at most cap hashes
 * to proof and their count to *n. DG_ERANGE for index >= size. */
int dg_merkle_prove_inclusion(const struct dg_merkle_nodes *src, uint64_t index, uint64_t size,
                              uint8_t (*proof)[DG_HASH_SIZE], size_t cap, size_t *n);
/* Consistency proof from size1 to size2 (0 <= size1 <= size2). */
int dg_merkle_prove_consistency(const struct dg_merkle_nodes *src, uint64_t size1, uint64_t size2,
                                uint8_t (*proof)[DG_HASH_SIZE], size_t cap, size_t *n);

/* ==== Proofs in the JSON format of transparency-dev/merkle's testdata ===========
 * Inclusion: {"leafIdx","treeSize","root","leafHash","proof":[...]};
 * consistency: {"size1","size2","root1","root2","proof":[...]}; base64 hashes.
 * Input is limited to 64 KiB and DG_MERKLE_MAX_PROOF proof elements. */
enum dg_proof_kind { DG_PROOF_INCLUSION = 1, DG_PROOF_CONSISTENCY = 2 };

struct dg_proof {
    enum dg_proof_kind kind;
    uint64_t index, size;  /* inclusion */
    uint64_t size1, size2; /* consistency */
    uint8_t leaf[DG_HASH_SIZE], root[DG_HASH_SIZE], root1[DG_HASH_SIZE], root2[DG_HASH_SIZE];
    uint8_t proof[DG_MERKLE_MAX_PROOF][DG_HASH_SIZE];
    size_t nproof;
    bool bad_hash; /* some hash was valid base64 but not 32 bytes: never verifies */
    int want_err;  /* the "wantErr" member: 1 true, 0 false, -1 absent */
};

/* Parse a proof. The kind is chosen by the members present. DG_EPARSE when it
 * is not a proof (not JSON, missing or mistyped members, bad base64). */
int dg_proof_parse(const char *json, size_t n, struct dg_proof *out, struct dg_error *err);
/* Verify a parsed proof: 0 or DG_EPROOF. */
int dg_proof_verify(const struct dg_proof *p);
/* Format as JSON (the same format; no desc/wantErr), appending to out. */
int dg_proof_format(const struct dg_proof *p, struct dg_buf *out);

/* ==== Signed notes (c2sp.org/signed-note) and keys, Ed25519 only =================
 * Key text formats (those of golang.org/x/mod/sumdb/note):
 *   verifier key  <name>+<hash>+<base64(0x01 || 32-byte public key)>
 *   signer key    PRIVATE+KEY+<name>+<hash>+<base64(0x01 || 32-byte seed)>
 * where <hash> is the key ID, 8 lowercase hex digits: the first 4 bytes of
 * SHA-256(name || 0x0A || 0x01 || public key). Key objects are immutable
 * once made and may be shared between threads. */
struct dg_note_signer;
struct dg_note_verifier;

/* Parse a signer (private) key; one trailing newline is allowed. The result
 * is freed with dg_note_signer_free. DG_ENOTEKEY when malformed (including a
 * hash that does not match the key). */
int dg_note_signer_parse(const char *text, size_t n, struct dg_note_signer **out,
                         struct dg_error *err);
void dg_note_signer_free(struct dg_note_signer *s);
const char *dg_note_signer_name(const struct dg_note_signer *s);
uint32_t dg_note_signer_id(const struct dg_note_signer *s);
/* Append the signer's verifier key text (no newline) to out. */
int dg_note_signer_vkey(const struct dg_note_signer *s, struct dg_buf *out);

int dg_note_verifier_parse(const char *text, size_t n, struct dg_note_verifier **out,
                           struct dg_error *err);
void dg_note_verifier_free(struct dg_note_verifier *v);
const char *dg_note_verifier_name(const struct dg_note_verifier *v);
uint32_t dg_note_verifier_id(const struct dg_note_verifier *v);

/* Make a new key pair for name (random seed from OpenSSL's RAND_bytes):
 * appends the signer key text to skey and the verifier key text to vkey. */
int dg_note_keygen(const char *name, struct dg_buf *skey, struct dg_buf *vkey,
                   struct dg_error *err);

/* Sign text (non-empty, ending in a newline, valid note text) and append the
 * whole signed note (text, blank line, one signature line) to out. */
int dg_note_sign(const struct dg_note_signer *s, const char *text, size_t n, struct dg_buf *out,
                 struct dg_error *err);

/* Open a signed note: parse it strictly (size, UTF-8, no control characters,
 * signature line syntax, at most DG_NOTE_MAX_SIGS lines), ignore signatures
 * of unknown keys (a key is known when both name and ID match one of keys),
 * verify those of known keys. Returns 0 when at least one known key's
 * signature verifies and none fails, and sets *text_len to the length of the
 * note text (which begins the input); DG_ESIG when no known key verified or a
 * known key's signature failed; DG_ENOTE when malformed. *verified (may be
 * NULL) gets the number of known signatures that verified. */
int dg_note_open(const char *note, size_t n, struct dg_note_verifier *const *keys, size_t nkeys,
                 size_t *text_len, size_t *verified, struct dg_error *err);

/* ==== Checkpoints (c2sp.org/tlog-checkpoint) ====================================
 * The note text: origin line, decimal tree size, base64 root hash, then
 * optional non-empty extension lines (dmvgate writes none). */
struct dg_checkpoint {
    char origin[DG_CHECKPOINT_ORIGIN_MAX + 1];
    uint64_t size;
    uint8_t root[DG_HASH_SIZE];
    size_t extensions; /* number of extension lines (ignored) */
};

/* Parse checkpoint note text (without signatures). DG_ECHECKPOINT if malformed. */
int dg_checkpoint_parse(const char *text, size_t n, struct dg_checkpoint *out,
                        struct dg_error *err);
/* Append the note text of c (three lines) to out. */
int dg_checkpoint_format(const struct dg_checkpoint *c, struct dg_buf *out);
/* dg_note_open + dg_checkpoint_parse of the text. */
int dg_checkpoint_open(const char *note, size_t n, struct dg_note_verifier *const *keys,
                       size_t nkeys, struct dg_checkpoint *out, struct dg_error *err);

/* ==== Tiles (c2sp.org/tlog-tiles) ===============================================
 * Paths are relative to the log's prefix, without a leading slash:
 *   tile/<L>/<N>[.p/<W>]  and  tile/entries/<N>[.p/<W>]
 * <N> in 3-digit groups, all but the last prefixed with x: 1234067 is
 * x001/x234/067. Level DG_TILE_ENTRIES names entry bundles. */
#define DG_TILE_ENTRIES  (-1)
#define DG_TILE_PATH_MAX 96

/* Write the path of tile n at level (0..63 or DG_TILE_ENTRIES), width 0 for
 * a full tile or 1..255 for a partial one. DG_EINVAL for out-of-range input. */
int dg_tile_path(char *out, size_t outlen, int level, uint64_t n, unsigned width);
/* Parse such a path (strict: no leading zeroes, no other form). DG_EINVAL. */
int dg_tile_path_parse(const char *path, size_t len, int *level, uint64_t *n, unsigned *width);
/* Split an entry bundle into entries: calls fn(arg, entry, len) for each, in
 * order; stops at the first non-zero return and returns it. DG_ETILE when the
 * bundle is truncated or holds more than max entries. Returns 0 or the
 * number of entries when fn is NULL. */
int dg_bundle_parse(const uint8_t *data, size_t n, unsigned max,
                    int (*fn)(void *arg, const uint8_t *entry, size_t len), void *arg);

/* A reader of a tiled log at one tree size, for roots and proofs. Resources
 * come from fetch(arg, path, out), which appends the resource's bytes to out
 * and returns 0, DG_ENOENT when absent, or an error; dg_tlog_fetch_dir reads
 * them from a local directory (arg: the directory, a const char *). Not
 * thread-safe (it caches tiles); use one reader per thread. */
typedef int (*dg_tlog_fetch_fn)(void *arg, const char *path, struct dg_buf *out);
int dg_tlog_fetch_dir(void *dir, const char *path, struct dg_buf *out);

struct dg_tlog_reader;
int dg_tlog_reader_new(dg_tlog_fetch_fn fetch, void *arg, uint64_t size,
                       struct dg_tlog_reader **out);
void dg_tlog_reader_free(struct dg_tlog_reader *r);
/* Node hashes of the tree, for dg_merkle_prove_* and dg_merkle_range_root. */
struct dg_merkle_nodes dg_tlog_reader_nodes(struct dg_tlog_reader *r);
/* Root of the tree at size (<= the reader's size). */
int dg_tlog_root(struct dg_tlog_reader *r, uint64_t size, uint8_t out[DG_HASH_SIZE],
                 struct dg_error *err);
/* Leaf hash at index (< the reader's size). */
int dg_tlog_leaf(struct dg_tlog_reader *r, uint64_t index, uint8_t out[DG_HASH_SIZE],
                 struct dg_error *err);

/* ==== Audit entries ==============================================================
 * An entry is one event: a query and the node's decision on it, a reviewer's
 * action, or a security event. Its canonical binary encoding (docs/audit.md)
 * has a public part, which is the log entry (the Merkle leaf, served in entry
 * bundles), and a private part kept beside the log and never served. The
 * public part ends with SHA-256("dmvgate audit private v1\n" || private part),
 * and the private part begins with 32 random bytes (the salt), so that
 * neither a leaf hash nor the commitment reveals the private values. */
#define DG_AUDIT_KIND_MAP(XX)                                                                      \
    XX(QUERY, 1, "query", "a request and the node's decision on it")                               \
    XX(REVIEW, 2, "review", "a reviewer's action in the review console")                           \
    XX(SECURITY, 3, "security", "a security event, such as an ORI mismatch")

enum dg_audit_kind {
#define DG__AK(e, v, n, d) DG_AUDIT_##e = v,
    DG_AUDIT_KIND_MAP(DG__AK)
#undef DG__AK
};

#define DG_AUDIT_DECISION_MAP(XX)                                                                  \
    XX(NONE, 0, "none")                                                                            \
    XX(ALLOW, 1, "allow")                                                                          \
    XX(DENY, 2, "deny")                                                                            \
    XX(REVIEW, 3, "review")                                                                        \
    XX(ERROR, 4, "error")

enum dg_audit_decision {
#define DG__AD(e, v, n) DG_DECISION_##e = v,
    DG_AUDIT_DECISION_MAP(DG__AD)
#undef DG__AD
};

#define DG_AUDIT_ACTION_MAP(XX)                                                                    \
    XX(NONE, 0, "none")                                                                            \
    XX(LOGIN, 1, "login")                                                                          \
    XX(LOGOUT, 2, "logout")                                                                        \
    XX(OPEN, 3, "open")                                                                            \
    XX(APPROVE, 4, "approve")                                                                      \
    XX(DENY, 5, "deny")                                                                            \
    XX(EXPORT, 6, "export")                                                                        \
    XX(LOGIN_FAILED, 7, "login_failed")                                                            \
    XX(ESCALATE, 8, "escalate")

enum dg_audit_action {
#define DG__AA(e, v, n) DG_ACTION_##e = v,
    DG_AUDIT_ACTION_MAP(DG__AA)
#undef DG__AA
};

#define DG_AUDIT_EVENT_MAP(XX)                                                                     \
    XX(NONE, 0, "none")                                                                            \
    XX(ORI_MISMATCH, 1, "ori_mismatch")                                                            \
    XX(UNKNOWN_AGENCY, 2, "unknown_agency")                                                        \
    XX(BAD_CERTIFICATE, 3, "bad_certificate")                                                      \
    XX(MALFORMED, 4, "malformed")                                                                  \
    XX(RATE_LIMITED, 5, "rate_limited")                                                            \
    XX(CSRF, 6, "csrf")                                                                            \
    XX(FORBIDDEN, 7, "forbidden")

enum dg_audit_event {
#define DG__AE(e, v, n) DG_EVENT_##e = v,
    DG_AUDIT_EVENT_MAP(DG__AE)
#undef DG__AE
};

const char *dg_audit_kind_name(enum dg_audit_kind k);
const char *dg_audit_decision_name(enum dg_audit_decision d);
const char *dg_audit_action_name(enum dg_audit_action a);
const char *dg_audit_event_name(enum dg_audit_event e);
/* By name; the value or DG_EINVAL. */
int dg_audit_kind_parse(const char *s, size_t n);
int dg_audit_decision_parse(const char *s, size_t n);
int dg_audit_action_parse(const char *s, size_t n);
int dg_audit_event_parse(const char *s, size_t n);

#define DG_AUDIT_MAX_IDS 8

/* One identifying field of a query: the message tag ("OLN", "NAM", "VIN", ...)
 * is public, the value is private. */
struct dg_audit_id {
    char tag[4];
    char value[96];
};

/* The requester as the node identified it: the verified ORI (from the client
 * certificate) and its directory attributes, all public. */
struct dg_audit_requester {
    char ori[DG_ORI_LEN + 1];
    enum dg_level level;
    enum dg_category category;
    char department[16];
    char component[16];
    uint32_t agreements; /* DG_AGR_* bits */
};

/* Every string is NUL-terminated UTF-8 without control characters; "" means
 * absent. Which members an entry of each kind carries is in docs/audit.md
 * (public part: tags 1-25; private part: the identifying values, leg_number,
 * case_number, atn, reason); public members that do not apply to its kind
 * are not encoded, and decode leaves them zero. */
struct dg_audit_entry {
    enum dg_audit_kind kind;
    int64_t time_us;               /* microseconds since the epoch, UTC */
    char msg_id[48];               /* the node's message id; ties reviews to their query */
    struct dg_audit_requester req; /* query; security (when known) */

    /* query (public) */
    enum dg_key key;       /* DQ, RQ or IQ */
    char dest[3];          /* destination state */
    uint32_t fields_asked; /* DG_FIELD_* bits */
    enum dg_purpose purpose;
    enum dg_leg leg; /* legal process kind */
    bool has_case;
    enum dg_audit_decision decision;
    char rule[256];      /* the policy rule that decided */
    uint32_t redactions; /* DG_FIELD_* bits redacted */
    bool notify;         /* the subject is to be notified */
    uint32_t released;   /* DG_FIELD_* bits released (query, review approve/export) */
    /* query: identifying fields; tags public, values private */
    unsigned nids;
    struct dg_audit_id ids[DG_AUDIT_MAX_IDS];

    /* review (public) */
    enum dg_audit_action action;
    char reviewer[64];

    /* security (public) */
    enum dg_audit_event event;
    char claimed_ori[DG_ORI_LEN + 1]; /* the ORI the message claimed */
    char detail[256];                 /* no personal data */

    /* private */
    char leg_number[64]; /* warrant or order number */
    char case_number[64];
    char atn[64];     /* the person asking (ATN) */
    char reason[512]; /* a reviewer's reason */

    /* filled by decode: the salt and the commitment */
    uint8_t salt[32];
    uint8_t commitment[DG_HASH_SIZE];
    bool has_private; /* decode was given the private part */
};

/* Zero e and set its kind and time (dg_now_us()). */
void dg_audit_entry_init(struct dg_audit_entry *e, enum dg_audit_kind kind);

/* Set e's requester from directory entry a, or, when a is NULL, from ori
 * alone (level and category unspecified). */
void dg_audit_entry_requester(struct dg_audit_entry *e, const struct dg_agency *a, const char *ori);

struct dg_msg_req;
/* Make e a query entry (dg_audit_entry_init, time now) for query m from
 * requester a (NULL: m's ORI, unspecified) to destination dest, decided as
 * decision by rule (NULL: none): key, fields asked, purpose, legal process,
 * the identifying fields (tags public, values private), the legal-process
 * and case numbers and the ATN. Redactions, notify and released stay 0. */
void dg_audit_entry_query(struct dg_audit_entry *e, const struct dg_agency *a,
                          const struct dg_msg_req *m, const char *dest,
                          enum dg_audit_decision decision, const char *rule);

/* Encode e: the private part (with salt, or 32 random bytes when salt is
 * NULL) is appended to priv, the public part with the commitment to pub.
 * DG_EENTRY when e is invalid (bad enum, over-long or invalid string). */
int dg_audit_entry_encode(const struct dg_audit_entry *e, const uint8_t *salt, struct dg_buf *pub,
                          struct dg_buf *priv, struct dg_error *err);

/* Decode an entry. priv may be NULL (n 0): only the public members are then
 * filled; otherwise the private part must match the commitment. Strict:
 * only the canonical encoding of some entry is accepted. DG_EENTRY. */
int dg_audit_entry_decode(const uint8_t *pub, size_t pub_len, const uint8_t *priv, size_t priv_len,
                          struct dg_audit_entry *out, struct dg_error *err);

/* True when pub begins like an encoded entry (the format bytes). */
bool dg_audit_entry_is_entry(const uint8_t *pub, size_t pub_len);

/* JSON form (docs/audit.md), for dumps, tools and tests. with_private adds a
 * "private" object (only when the entry has its private part). */
int dg_audit_entry_to_json(const struct dg_audit_entry *e, bool with_private, struct dg_buf *out);
int dg_audit_entry_from_json(const char *json, size_t n, struct dg_audit_entry *out,
                             struct dg_error *err);

/* ==== The log ====================================================================
 * A directory:
 *   DIR/checkpoint          public: the latest signed checkpoint
 *   DIR/tile/...            public: tiles and entry bundles
 *   DIR/private/            mode 0700, never served:
 *     state                 the latest signed checkpoint, persisted before it
 *                           is published (never sign an older size)
 *     seg/<first index>.seg segments: entries framed with length and CRC-32C
 *     lock                  held (flock) by the one process that writes
 *
 * Appends are durable when acknowledged: the entry is written and
 * fdatasync'd, and its index assigned. A writer thread commits concurrent
 * appends in groups (one write and one fdatasync per batch); a completion
 * thread calls the appenders back; a publisher thread turns durable entries
 * into tiles and signs checkpoints every checkpoint_ms. All functions on an
 * open log are thread-safe. */
struct dg_audit_log;

#define DG_AUDIT_CREATE   0x1 /* create the directory and an empty log if absent */
#define DG_AUDIT_READONLY 0x2 /* recover nothing, append nothing (no signer needed) */

struct dg_audit_options {
    const char *dir;
    /* The checkpoint origin line; NULL for the signer's key name. Fixed
     * when the log is created; opening with another origin fails. */
    const char *origin;
    /* Signs checkpoints; required unless DG_AUDIT_READONLY. Borrowed: must
     * outlive the log. */
    const struct dg_note_signer *signer;
    unsigned flags;
    unsigned max_batch;      /* entries per group commit, 1..65536 (4096) */
    unsigned max_wait_us;    /* wait this long for a batch to fill, 0..1e6 (0) */
    unsigned max_pending;    /* entries queued before appends push back (262144) */
    unsigned checkpoint_ms;  /* sign at most this often; 0 = after every batch (1000) */
    uint64_t segment_bytes;  /* start a new segment past this size, >= 1 MiB (64 MiB) */
    uint64_t prealloc_bytes; /* allocate segment space this far ahead (4 MiB) */
};

/* Fill o with the defaults above (dir, origin and signer NULL). */
void dg_audit_options_init(struct dg_audit_options *o);

/* Open (and with DG_AUDIT_CREATE create) the log in o->dir. Recovery: a torn
 * tail in the last segment is cut back to the last whole entry (everything
 * acknowledged before a crash is whole); the tiles are rebuilt from the
 * entries since the last signed checkpoint and checked against its root;
 * a checkpoint is then signed for every durable entry. Errors: DG_ENOENT (no
 * log and no CREATE), DG_ELOCKED (another process has it open), DG_ELOGCORRUPT
 * (entries missing or not matching the signed checkpoint: the log refuses to
 * continue rather than sign an inconsistent checkpoint), DG_EIO, ... */
int dg_audit_open(const struct dg_audit_options *o, struct dg_audit_log **out,
                  struct dg_error *err);

/* Flush: wait for every queued append, sign a final checkpoint, stop the
 * threads, free the log. Appends racing with close fail with DG_ELOGCLOSED.
 * Returns 0 or the error of the final checkpoint (the log is freed anyway). */
int dg_audit_close(struct dg_audit_log *log);

/* Completion of an asynchronous append: status 0 and the entry's index once
 * it is durable, or a negative error (DG_EIO, DG_ENOSPC, ...) and then no
 * index and nothing was acknowledged. Called exactly once per queued append,
 * from the log's completion thread, after the batch's fdatasync, in index
 * order: it must be quick and thread-safe, and must not block or wait on the
 * log (no blocking append, no dg_audit_publish, no dg_audit_close). An event
 * loop typically records the result in the parked request and wakes itself
 * with event_active() or a write to a pipe. */
typedef void (*dg_audit_done_fn)(void *arg, int status, uint64_t index);

/* Queue an append of a raw log entry pub (1 byte .. DG_AUDIT_ENTRY_MAX; it is
 * the Merkle leaf and is published) with an optional private part (kept in
 * the segments, never published). The bytes are copied before the call
 * returns. Returns 0 when queued (done will be called), or an error and done
 * will not be called: DG_EAGAIN when max_pending appends are queued,
 * DG_ETOOBIG, DG_ELOGCLOSED, DG_EPERM (read-only log). Never blocks on I/O. */
int dg_audit_append_async(struct dg_audit_log *log, const void *pub, size_t pub_len,
                          const void *priv, size_t priv_len, dg_audit_done_fn done, void *arg);

/* Append and wait until durable: 0 and *index set, or an error (nothing was
 * acknowledged). Blocks while the queue is full. */
int dg_audit_append(struct dg_audit_log *log, const void *pub, size_t pub_len, const void *priv,
                    size_t priv_len, uint64_t *index);

/* Encode e (random salt) and append it, waiting or not as above. */
int dg_audit_append_entry(struct dg_audit_log *log, const struct dg_audit_entry *e, uint64_t *index,
                          struct dg_error *err);
int dg_audit_append_entry_async(struct dg_audit_log *log, const struct dg_audit_entry *e,
                                dg_audit_done_fn done, void *arg, struct dg_error *err);

/* Sign a checkpoint now covering every entry durable at the time of the
 * call, and wait until it is persisted and published. 0 or an error. */
int dg_audit_publish(struct dg_audit_log *log, struct dg_error *err);

/* Append a copy of the latest signed checkpoint note to out. */
int dg_audit_checkpoint(struct dg_audit_log *log, struct dg_buf *out);

struct dg_audit_stats {
    uint64_t size;          /* durable entries */
    uint64_t signed_size;   /* size of the latest signed checkpoint */
    uint64_t batches;       /* group commits done */
    uint64_t appends;       /* entries made durable by this process */
    uint64_t failed;        /* appends failed with an I/O error */
    uint64_t sync_ns_total; /* time spent in write + fdatasync */
    uint64_t last_batch;    /* entries in the last batch */
    uint64_t max_batch_seen;
    uint64_t checkpoints; /* checkpoints signed by this process */
    int last_error;       /* current write/sync or publish error, 0 if none or recovered */
};
void dg_audit_stats(struct dg_audit_log *log, struct dg_audit_stats *out);

/* ==== Reading a log directory (no lock needed; safe beside a writer) ============ */

/* One stored record: the public part (the log entry) and the private part.
 * The pointers are valid until the next call on the iterator. */
struct dg_audit_record {
    uint64_t index;
    const uint8_t *pub;
    size_t pub_len;
    const uint8_t *priv;
    size_t priv_len;
};

/* Iterate over the entries of the log in dir from index `from`, in order,
 * reading the segments (for replay, e.g. `policy simulate`). next returns 1
 * with rec filled, 0 at the end of the durable entries, or an error
 * (DG_ELOGCORRUPT with err saying where). A torn tail ends the iteration. */
struct dg_audit_iter;
int dg_audit_iter_open(const char *dir, uint64_t from, struct dg_audit_iter **out,
                       struct dg_error *err);
int dg_audit_iter_next(struct dg_audit_iter *it, struct dg_audit_record *rec, struct dg_error *err);
void dg_audit_iter_free(struct dg_audit_iter *it);

/* Read a public resource of the log in dir by its URL path: "checkpoint" or
 * a tile path (a leading '/' is allowed). Appends the bytes to out. Any other
 * path is DG_EINVAL (nothing outside DIR/checkpoint and DIR/tile/ can be
 * read); DG_ENOENT when absent. For a node serving GET /checkpoint and
 * GET /tile/... (content types: text/plain; charset=utf-8 and
 * application/octet-stream). */
int dg_audit_public_read(const char *dir, const char *path, struct dg_buf *out,
                         struct dg_error *err);

/* Inclusion proof of index in the tree of size (0: the latest checkpoint's
 * size), from the public files of dir, as JSON in the dg_proof format. */
int dg_audit_prove_json(const char *dir, uint64_t index, uint64_t size, struct dg_buf *out,
                        struct dg_error *err);
/* Consistency proof between sizes from and to (0: the latest checkpoint). */
int dg_audit_consistency_json(const char *dir, uint64_t from, uint64_t to, struct dg_buf *out,
                              struct dg_error *err);

/* Recompute everything from the entries: framing and checksums, indices,
 * entry encodings and private commitments, every full tile and entry bundle
 * and every partial one present, the root at the signed checkpoint and the
 * persisted state; with keys, the checkpoint's signature. Returns 0 when
 * consistent, DG_ELOGCORRUPT (or DG_ESIG) with err->offset set to the first
 * inconsistent index (-1 when not about one entry) and err->msg the reason.
 * *entries (may be NULL) gets the number of entries checked. */
int dg_audit_verify_dir(const char *dir, struct dg_note_verifier *const *keys, size_t nkeys,
                        uint64_t *entries, struct dg_error *err);

#endif
