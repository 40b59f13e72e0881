/*
 * node.h - a state's node: the query pipeline behind the HTTPS API
 * (docs/api.md is the API reference, docs/operations.md how to run one).
 *
 * For every POST /v1/messages:
 *
 *   parse and validate (lib/msg)
 *   -> identify the requester: the verified ORI of the connection (lib/net:
 *      client-certificate CN, or the hub's X-DG-Origin-ORI) must equal the
 *      message's ORI, and must be in the agency directory (lib/agency)
 *   -> policy decision (lib/policy; phase 2 with the record when a rule
 *      looks at it)
 *   -> allow: look up (lib/store), build DR/RR/IR with the redactions
 *      review: store the request (held.h), answer HELD with its MID
 *      deny: ER with the reason and the rule
 *   -> append the audit entry (lib/audit) and park the request; the audit
 *      writer's completion resumes it on its loop once the entry is durable
 *   -> answer. Nothing is answered before its audit record is durable; when
 *      the log cannot write, the answer is 503 with an ER FAILED instead.
 *
 * Refusals before the policy (malformed message, ORI mismatch, unknown
 * agency, wrong state) are audited too, as security events. The lookup
 * happens before the audit append (it only reads) so that the entry records
 * exactly which fields were released; no byte of it leaves before the entry
 * is durable.
 *
 * Threads: the server's event loops (one per `threads`), each with its own
 * store connection; the audit log's writer and publisher threads. The policy
 * is shared and swapped on SIGHUP (reference counted: a request keeps the
 * policy that decided it until it is answered).
 */
#ifndef DMVGATE_NODE_H
#define DMVGATE_NODE_H

#include <dmvgate/config.h>
#include <dmvgate/core.h>
#include <dmvgate/net.h>

struct dg_node;

/*
 * Make a node from a loaded, valid configuration in the node role: load the
 * agency directory (a CSV file, or a store holding agencies), compile the
 * policy (its state must be the configuration's), open the audit log (created
 * if absent) with its signing key, open one store connection per event loop
 * (and migrate the held-request table), make the server and its routes. c
 * must outlive the node. Returns 0 and *out, or an error with err filled:
 * DG_ECONFIG, DG_EPOLICY, DG_ETLS, DG_EBIND, a store or audit error, ...
 */
int dg_node_open(struct dg_node **out, const struct dg_config *c, struct dg_error *err);

/* The server, to add routes before dg_node_run (the review console does). */
struct dg_server *dg_node_server(struct dg_node *n);

/* The bound address ("127.0.0.1:8443"). */
const char *dg_node_address(const struct dg_node *n);

/*
 * Serve until SIGTERM or SIGINT (or dg_node_stop): then stop accepting,
 * finish the requests in flight (within shutdown_grace), flush and close the
 * audit log. SIGHUP reloads the policy (dg_node_reload_policy). Returns 0, or
 * the audit log's error on close.
 */
int dg_node_run(struct dg_node *n);

/* Begin a graceful stop (thread-safe). */
void dg_node_stop(struct dg_node *n);

/*
 * Compile the configured policy file again and, when it compiles, is for the
 * node's state and has no errors, use it for every later decision; requests
 * already decided keep the policy that decided them. On any problem the old
 * policy stays and the error is returned (and logged). Thread-safe.
 */
int dg_node_reload_policy(struct dg_node *n, struct dg_error *err);

/* Free the node (after dg_node_run returned, or instead of running it). */
void dg_node_free(struct dg_node *n);

#endif
