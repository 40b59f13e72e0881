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

#include <dmvgate/config.h>
#include <dmvgate/core.h>

#define DG_HUB_MAX_FANOUT 8 /* destinations of one "NL" message */
#define DG_HUB_MAX_ROUTES 64

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
