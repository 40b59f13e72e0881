/*
 * hub.h - the interstate hub (`dmvgate serve` with role = hub; docs/hub.md).
 *
 * Agencies connect over HTTPS with client certificates naming their ORI. For
 * every POST /v1/messages the hub parses the message (lib/msg), checks that
 * its ORI is the certificate's CN and is in the agency directory, and
 * forwards the message unchanged to each destination state's node over mutual
 * TLS (libcurl, the hub's own client certificate hub_cert), stating the
 * verified origin in X-DG-Origin-ORI. A message names at most
 * DG_MSG_MAX_DEST (5) destinations ("NL" alone: every routed state, at most
 * DG_HUB_MAX_FANOUT). Each destination answers on its own: one that cannot be
 * reached or does not answer within upstream_timeout gets an ER FAILED built
 * by the hub (ERC 901 or 902) without holding up the others.
 *
 * Threads: the server's event loops parse and check, then park the request;
 * one forwarding thread owns a libcurl multi handle and all transfers, and
 * resumes each request on its loop when its last destination answered. No
 * event loop ever waits on a node.
 */
#ifndef DMVGATE_HUB_H
#define DMVGATE_HUB_H

#include <dmvgate/agency.h>
#include <dmvgate/config.h>
#include <dmvgate/core.h>

#include <stdbool.h>

#define DG_HUB_MAX_FANOUT 8 /* destinations of one "NL" message */
#define DG_HUB_MAX_ROUTES 64

/* ---- network-level blocks (docs/hub.md, "Network-level blocks") ----------------
 * A state tells the hub to refuse given requesters before their messages ever
 * reach its node. The list is text, one block per line:
 *
 *     # comment
 *     STATE KIND VALUE [REASON...]
 *
 * STATE is the destination the block protects (a state code of vocab.h);
 * KIND one of ori, category, level, department, component; VALUE an ORI, a
 * category or level name (vocab.h), or a department or component as in the
 * directory (1-15 of A-Z 0-9 '-'); REASON free text (printable, at most
 * DG_HUB_BLOCK_REASON_MAX - 1 bytes) that the refused requester is told. At
 * most DG_HUB_MAX_BLOCKS lines of blocks, DG_HUB_BLOCKS_MAX_BYTES bytes, each
 * line at most 511 bytes; a duplicate (STATE KIND VALUE) is an error. */
#define DG_HUB_MAX_BLOCKS       4096
#define DG_HUB_BLOCKS_MAX_BYTES (1u << 20)
#define DG_HUB_BLOCK_REASON_MAX 160

#define DG_HUB_BLOCK_KIND_MAP(XX)                                                                  \
    XX(ORI, "ori")                                                                                 \
    XX(CATEGORY, "category")                                                                       \
    XX(LEVEL, "level")                                                                             \
    XX(DEPARTMENT, "department")                                                                   \
    XX(COMPONENT, "component")

enum dg_hub_block_kind {
#define DG__BK(e, n) DG_BLOCK_##e,
    DG_HUB_BLOCK_KIND_MAP(DG__BK)
#undef DG__BK
        DG_BLOCK__COUNT
};
const char *dg_hub_block_kind_name(enum dg_hub_block_kind k);

struct dg_hub_block {
    char state[3];
    enum dg_hub_block_kind kind;
    char value[24]; /* as written: an ORI, a name or an identifier */
    int ivalue;     /* category or level: the enum value; else -1 */
    char reason[DG_HUB_BLOCK_REASON_MAX];
    int line; /* in the list, 1-based */
};

struct dg_hub_blocks;

/* Parse a block list (len bytes, need not be NUL-terminated). Returns 0 and
 * *out (free with dg_hub_blocks_free), or DG_EBLOCKSFILE with err's line,
 * field and sentence, DG_ETOOBIG, DG_ENOMEM. An empty list is valid. */
int dg_hub_blocks_parse(const char *text, size_t len, struct dg_hub_blocks **out,
                        struct dg_error *err);
/* Read and parse the file at path (DG_ENOENT, DG_EIO, as parse). */
int dg_hub_blocks_load(const char *path, struct dg_hub_blocks **out, struct dg_error *err);
void dg_hub_blocks_free(struct dg_hub_blocks *b);

size_t dg_hub_blocks_count(const struct dg_hub_blocks *b);
const struct dg_hub_block *dg_hub_blocks_at(const struct dg_hub_blocks *b, size_t i);

/* The first block of state dest that refuses requester a, or NULL. b may be
 * NULL (no blocks). */
const struct dg_hub_block *dg_hub_blocks_match(const struct dg_hub_blocks *b, const char *dest,
                                               const struct dg_agency *a);

/* Append the list in its text form (one line per block, reasons kept) or as
 * a JSON array of {"state","kind","value","reason","line"}, of the blocks
 * for which keep (when not NULL) returns true. */
int dg_hub_blocks_to_text(const struct dg_hub_blocks *b, struct dg_buf *out);
int dg_hub_blocks_to_json(const struct dg_hub_blocks *b,
                          bool (*keep)(const struct dg_hub_block *blk, void *arg), void *arg,
                          struct dg_buf *out);

/* Parse the admin API's body {"state","kind","value","reason"} (reason
 * optional; at most 4096 bytes) into blk and check it. 0, DG_ETOOBIG or
 * DG_EBLOCKSFILE with err's field. */
int dg_hub_block_from_json(const char *text, size_t len, struct dg_hub_block *blk,
                           struct dg_error *err);

/* A copy of b with blk added (DG_EEXIST when the same STATE KIND VALUE is
 * there, DG_ENOSPC when full) or the block STATE KIND VALUE removed
 * (DG_ENOENT when absent). b may be NULL (empty). */
int dg_hub_blocks_with(const struct dg_hub_blocks *b, const struct dg_hub_block *blk,
                       struct dg_hub_blocks **out);
int dg_hub_blocks_without(const struct dg_hub_blocks *b, const char *state,
                          enum dg_hub_block_kind kind, const char *value,
                          struct dg_hub_blocks **out);

/* Check one block's fields (state, kind, value, reason) as the parser does,
 * and fill ivalue. 0 or DG_EBLOCKSFILE with err. */
int dg_hub_block_check(struct dg_hub_block *blk, struct dg_error *err);

struct dg_hub;

/*
 * Make a hub from a loaded, valid configuration in the hub role: parse the
 * routes, load the directory, make the server and its routes, start the
 * forwarding thread's libcurl state. c must outlive the hub. Returns 0 and
 * *out, or DG_ECONFIG, DG_ETLS, DG_EBIND, DG_ENOMEM, ... with err filled.
 */
int dg_hub_open(struct dg_hub **out, const struct dg_config *c, struct dg_error *err);

/* The bound address ("127.0.0.1:9443"). Valid until dg_hub_free. */
const char *dg_hub_address(const struct dg_hub *h);

/* Serve until SIGTERM or SIGINT: stop accepting, finish the requests in
 * flight, stop the forwarding thread. Returns 0 or DG_EINTERNAL. */
int dg_hub_run(struct dg_hub *h);

/* Free the hub (after dg_hub_run returned, or instead of running it). */
void dg_hub_free(struct dg_hub *h);

#endif
