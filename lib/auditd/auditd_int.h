/*
 * auditd_int.h - what the audit sequencer's server and client share
 * (library-internal): socket addresses in the listen syntax.
 */
#ifndef DG_LIB_AUDITD_INT_H
#define DG_LIB_AUDITD_INT_H

#include <dmvgate/auditd.h>

#include <sys/socket.h>

/* A parsed address: "unix:PATH", or "HOST:PORT" / "[V6]:PORT" with a
 * loopback host (resolved numerically; "localhost" is 127.0.0.1). */
struct dg__auditd_addr {
    struct sockaddr_storage sa;
    socklen_t len;
    int family;
    char unix_path[108]; /* "" for TCP */
};

/* Parse text (n bytes). DG_ECONFIG with err when malformed, too long, or not
 * a loopback address. */
int dg__auditd_addr_parse(const char *text, size_t n, struct dg__auditd_addr *out,
                          struct dg_error *err);

/* Format a bound address back in the listen syntax. */
void dg__auditd_addr_format(const struct sockaddr *sa, socklen_t len, char *out, size_t cap);

#endif
