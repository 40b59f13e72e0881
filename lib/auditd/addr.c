/*
 * addr.c - addresses of the audit sequencer: "unix:PATH" or a loopback
 * "HOST:PORT". The protocol carries no credentials, so the sequencer only
 * ever listens where the operating system decides who may connect: a unix
 * socket (file permissions) or the loopback interface (this machine).
 */
#include "auditd_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

int dg__auditd_addr_parse(const char *text, size_t n, struct dg__auditd_addr *out,
                          struct dg_error *err)
{
    memset(out, 0, sizeof(*out));
    if (n >= 5 && memcmp(text, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&out->sa;
        size_t pl = n - 5;
        if (pl == 0 || pl >= sizeof(un->sun_path) || pl >= sizeof(out->unix_path))
            return dg_error_set(err, DG_ECONFIG, "listen", -1,
                                "unix socket path of %zu bytes (1..%zu)", pl,
                                sizeof(un->sun_path) - 1);
        if (memchr(text + 5, '\0', pl))
            return dg_error_set(err, DG_ECONFIG, "listen", -1, "unix socket path has a NUL");
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, text + 5, pl);
        memcpy(out->unix_path, text + 5, pl);
        out->len = (socklen_t)sizeof(*un);
        out->family = AF_UNIX;
        return 0;
    }
    char host[64], port[8];
    const char *colon = NULL;
    const char *h = text;
    size_t hl;
    if (n && text[0] == '[') {
        const char *close = memchr(text, ']', n);
        if (!close || close + 1 >= text + n || close[1] != ':')
            return dg_error_set(err, DG_ECONFIG, "listen", -1, "address '%.*s' is not [V6]:PORT",
                                (int)(n > 80 ? 80 : n), text);
        h = text + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        for (size_t i = n; i > 0; i--)
            if (text[i - 1] == ':') {
                colon = text + i - 1;
                break;
            }
        if (!colon)
            return dg_error_set(err, DG_ECONFIG, "listen", -1,
                                "address '%.*s' is neither unix:PATH nor HOST:PORT",
                                (int)(n > 80 ? 80 : n), text);
        hl = (size_t)(colon - text);
    }
    size_t pl = (size_t)(text + n - colon - 1);
    if (hl == 0 || hl >= sizeof(host) || pl == 0 || pl >= sizeof(port))
        return dg_error_set(err, DG_ECONFIG, "listen", -1, "bad host or port in '%.*s'",
                            (int)(n > 80 ? 80 : n), text);
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, pl);
    port[pl] = '\0';
    char *end;
    long pn = strtol(port, &end, 10);
    if (*end || pn < 0 || pn > 65535)
        return dg_error_set(err, DG_ECONFIG, "listen", -1, "bad port '%s'", port);
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    struct sockaddr_in *in4 = (struct sockaddr_in *)&out->sa;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->sa;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127)
            return dg_error_set(err, DG_ECONFIG, "listen", -1,
                                "'%s' is not a loopback address: the sequencer listens on a"
                                " unix socket or on loopback only",
                                host);
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)pn);
        out->len = sizeof(*in4);
        out->family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return dg_error_set(err, DG_ECONFIG, "listen", -1,
                                "'%s' is not a loopback address: the sequencer listens on a"
                                " unix socket or on loopback only",
                                host);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)pn);
        out->len = sizeof(*in6);
        out->family = AF_INET6;
        return 0;
    }
    return dg_error_set(err, DG_ECONFIG, "listen", -1, "'%s' is not a numeric address", host);
}

void dg__auditd_addr_format(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
    char h[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        size_t pl = len > offsetof(struct sockaddr_un, sun_path)
                        ? strnlen(un->sun_path, len - offsetof(struct sockaddr_un, sun_path))
                        : 0;
        snprintf(out, cap, "unix:%.*s", (int)pl, un->sun_path);
    } else if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, h, sizeof(h));
        snprintf(out, cap, "%s:%u", h, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in->sin6_addr, h, sizeof(h));
        snprintf(out, cap, "[%s]:%u", h, ntohs(in->sin6_port));
    } else
        snprintf(out, cap, "?");
}
