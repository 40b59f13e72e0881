/*
 * client.h - the agency's side of the network: send a message to the hub
 * (or a node) over mutual TLS and read the answers (docs/demo.md, `dmvgate
 * query`).
 *
 * A client holds one libcurl easy handle configured with the agency's client
 * certificate and key and the CA that issued the server's certificate, so that
 * consecutive requests reuse one TLS connection. The hub answers a message
 * with one destination with that node's answer unchanged, and a message with
 * several destinations with every destination's answer (text: one after the
 * other; JSON: {"answers":[...]}); dg_client_answers_parse splits either into
 * one parsed response per destination.
 *
 * Thread safety: a client is used by one thread at a time; different clients
 * may be used from different threads at once (libcurl's global init is done
 * once, thread-safely, by dg_client_new).
 */
#ifndef DMVGATE_CLIENT_H
#define DMVGATE_CLIENT_H

#include <dmvgate/core.h>
#include <dmvgate/msg.h>

#include <stdbool.h>

#define DG_CLIENT_ANSWER_MAX  (8u << 20) /* bytes of one HTTP answer body */
#define DG_CLIENT_MAX_ANSWERS 16         /* responses in one hub answer */

struct dg_client_options {
    const char *url;  /* base URL of the hub or node: "https://127.0.0.1:9443" */
    const char *cert; /* the agency's client certificate, PEM (NULL: none) */
    const char *key;  /* its private key, PEM (NULL: the key is in cert) */
    const char *ca;   /* CA certificate(s) that issued the server's, PEM (NULL: system CAs) */
    long timeout_s;   /* whole-request limit in seconds; 0 for 30 */
};

/* One HTTP answer. body is NUL-terminated; location is the Location header
 * ("" when none). Release with dg_client_reply_release. */
struct dg_client_reply {
    long status;            /* HTTP status */
    char content_type[128]; /* "" when none */
    char location[256];
    struct dg_buf body;
};

struct dg_client;

/*
 * Make a client. The strings in o are copied. Returns 0 and *out, or
 * DG_EINVAL (no URL, or not http(s)://), DG_ENOMEM, DG_EINTERNAL (libcurl
 * could not start) with err filled. Free with dg_client_free.
 */
int dg_client_new(struct dg_client **out, const struct dg_client_options *o, struct dg_error *err);
void dg_client_free(struct dg_client *c);

/*
 * POST msg (n bytes, text or JSON form: the Content-Type follows
 * dg_msg_sniff) to URL/v1/messages and fill *out. Returns 0 whatever the HTTP
 * status, or DG_EUNREACHABLE (cannot connect), DG_EUPTIMEOUT (no answer in
 * time), DG_ETLS (handshake failed: certificate refused, unknown CA, bad key
 * file), DG_ETOOBIG (answer over DG_CLIENT_ANSWER_MAX), DG_ENOMEM, with
 * err->msg saying what libcurl said. *out must be released either way.
 */
int dg_client_send(struct dg_client *c, const char *msg, size_t n, struct dg_client_reply *out,
                   struct dg_error *err);

/* GET URL/v1/messages/MID?state=STATE (state may be NULL or "" when talking
 * to a node): the answer to a held query, in the form of the original
 * request. DG_EINVAL when mid is not a message id (1-40 of A-Z a-z 0-9 _ -);
 * other errors as for dg_client_send. */
int dg_client_poll(struct dg_client *c, const char *mid, const char *state,
                   struct dg_client_reply *out, struct dg_error *err);

/* GET URL + path (e.g. "/metrics"). Errors as for dg_client_send. */
int dg_client_get(struct dg_client *c, const char *path, struct dg_client_reply *out,
                  struct dg_error *err);

void dg_client_reply_release(struct dg_client_reply *r);

/*
 * Split an answer body (n bytes) into its responses, in destination order:
 * a JSON object with "answers" (each element one response), another JSON
 * object (one response), or the text form (each response starts on a line
 * that is a response header, DR/RR/IR/ER.ORI.SRC[.*CTL].TXT). Stores up to
 * max responses in out[] (the caller frees each with dg_msg_resp_free) and
 * returns how many, or DG_EMSG... / DG_ENOMEM with err filled (nothing is
 * left to free then). An empty body is DG_EMSGEMPTY.
 */
int dg_client_answers_parse(const char *body, size_t n, struct dg_msg_resp **out, int max,
                            struct dg_error *err);

/*
 * Append a readable rendering of r for a person at a terminal: one line with
 * the answering state, the status and the message id, then the refusal
 * (code, reason, rule) or each record's fields with their names. Photos are
 * not printed: their type and size are. Returns 0, DG_ETOOBIG or DG_ENOMEM.
 */
int dg_client_render(const struct dg_msg_resp *r, struct dg_buf *out);

#endif
