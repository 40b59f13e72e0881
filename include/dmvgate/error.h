/*
 * error.h - the one error table of dmvgate.
 *
 * Every function that can fail returns 0 (or a count) on success and a negative
 * DG_E... code on failure. The codes, their stable names and their messages
 * come from the table below (the libuv UV_ERRNO_MAP pattern), which also drives
 * dg_strerror() and dg_errname(). Numbers are stable: they appear in ER
 * messages, logs and docs, so a code is never renumbered or reused.
 *
 * Detail that the code alone cannot carry (the offending field, a byte offset,
 * a line and column, a sentence for a person) goes in an optional
 * struct dg_error supplied by the caller.
 *
 * Each module owns one numeric range and one block of the table:
 *   core 1-99, store 100-199, agency 200-299, msg 300-399, policy 400-499,
 *   audit 500-599, net/config 600-699, node 700-799, review 800-899,
 *   hub 900-999, report 1000-1099.
 */
#ifndef DMVGATE_ERROR_H
#define DMVGATE_ERROR_H

#include <stddef.h>

/* XX(NAME, number, "message") */
#define DG_ERRMAP_CORE(XX)                                                                         \
    XX(EINVAL, 1, "invalid argument")                                                              \
    XX(ENOMEM, 2, "out of memory")                                                                 \
    XX(EIO, 3, "input/output error")                                                               \
    XX(ENOENT, 4, "no such file or record")                                                        \
    XX(ETOOBIG, 5, "input too large")                                                              \
    XX(ERANGE, 6, "value out of range")                                                            \
    XX(EEXIST, 7, "already exists")                                                                \
    XX(EPERM, 8, "operation not permitted")                                                        \
    XX(EUSAGE, 9, "bad command-line usage")                                                        \
    XX(EINTERNAL, 10, "internal error")                                                            \
    XX(EAGAIN, 11, "resource temporarily unavailable")                                             \
    XX(ENOSPC, 12, "no space left on device")                                                      \
    XX(EPARSE, 13, "malformed input")

#define DG_ERRMAP_STORE(XX)                                                                        \
    XX(ESTORE, 100, "database error")                                                              \
    XX(ENOTFOUND, 101, "no matching record")

#define DG_ERRMAP_AGENCY(XX)                                                                       \
    XX(ECSV, 200, "malformed CSV row")                                                             \
    XX(EBADAGENCY, 201, "invalid agency entry")

#define DG_ERRMAP_MSG(XX)                                                                          \
    XX(EMSG, 300, "malformed message")                                                             \
    XX(EMSGKEY, 301, "unknown message key")                                                        \
    XX(EMSGKEYKIND, 302, "wrong kind of message")                                                  \
    XX(EMSGHEADER, 303, "missing or malformed header part")                                        \
    XX(EMSGORI, 304, "bad originating agency identifier (ORI)")                                    \
    XX(EMSGDEST, 305, "unknown destination")                                                       \
    XX(EMSGDESTMAX, 306, "too many destinations")                                                  \
    XX(EMSGDESTDUP, 307, "destination given twice")                                                \
    XX(EMSGCTL, 308, "bad control field")                                                          \
    XX(EMSGSYNTAX, 309, "field not written as TAG/value")                                          \
    XX(EMSGTAG, 310, "unknown tag")                                                                \
    XX(EMSGTAGKEY, 311, "tag not allowed in this message")                                         \
    XX(EMSGDUPTAG, 312, "tag given twice")                                                         \
    XX(EMSGEMPTY, 313, "empty field")                                                              \
    XX(EMSGMISSING, 314, "required field missing")                                                 \
    XX(EMSGIDENT, 315, "conflicting identifying fields")                                           \
    XX(EMSGDATE, 316, "bad date")                                                                  \
    XX(EMSGVIN, 317, "bad vehicle identification number (VIN)")                                    \
    XX(EMSGPLATE, 318, "bad license plate")                                                        \
    XX(EMSGOLN, 319, "bad license number")                                                         \
    XX(EMSGNAME, 320, "bad name")                                                                  \
    XX(EMSGPURPOSE, 321, "unknown purpose code")                                                   \
    XX(EMSGLEG, 322, "bad legal process")                                                          \
    XX(EMSGSTATE, 323, "unknown state code")                                                       \
    XX(EMSGVALUE, 324, "bad field value")                                                          \
    XX(EMSGTOOLONG, 325, "message too long")                                                       \
    XX(EMSGFIELDLEN, 326, "field too long")                                                        \
    XX(EMSGCHAR, 327, "byte that is not printable ASCII")                                          \
    XX(EMSGPERIOD, 328, "message ends with a period")                                              \
    XX(EMSGUTF8, 329, "bad UTF-8 in JSON")                                                         \
    XX(EMSGJSON, 330, "malformed JSON")                                                            \
    XX(EMSGJSONTYPE, 331, "JSON value of the wrong type")                                          \
    XX(EMSGJSONDUP, 332, "JSON member given twice")                                                \
    XX(EMSGJSONKEY, 333, "unknown JSON member")                                                    \
    XX(EMSGRECORD, 334, "bad record")                                                              \
    XX(EMSGPHOTO, 335, "bad photo")                                                                \
    XX(EMSGSTATUS, 336, "status not allowed for this message key")

#define DG_ERRMAP_POLICY(XX) XX(EPOLICY, 400, "policy error")

#define DG_ERRMAP_AUDIT(XX)                                                                        \
    XX(EAUDIT, 500, "audit log error")                                                             \
    XX(EPROOF, 501, "merkle proof does not verify")                                                \
    XX(ENOTE, 502, "malformed signed note")                                                        \
    XX(ESIG, 503, "no trusted signature verifies")                                                 \
    XX(ENOTEKEY, 504, "malformed note key")                                                        \
    XX(ECHECKPOINT, 505, "malformed checkpoint")                                                   \
    XX(ELOGCORRUPT, 506, "audit log is inconsistent")                                              \
    XX(EROLLBACK, 507, "refusing to sign a checkpoint older than one already signed")              \
    XX(ELOGCLOSED, 508, "audit log is closed")                                                     \
    XX(ETILE, 509, "malformed tile or entry bundle")                                               \
    XX(EENTRY, 510, "malformed audit entry")                                                       \
    XX(ELOCKED, 511, "audit log is in use by another process")

#define DG_ERRMAP_NET(XX)                                                                          \
    XX(ECONFIG, 600, "configuration error")                                                        \
    XX(ETLS, 601, "TLS error")                                                                     \
    XX(EBIND, 602, "cannot listen on the address")                                                 \
    XX(ENOROUTE, 603, "no such resource")                                                          \
    XX(EMETHOD, 604, "method not allowed")                                                         \
    XX(ESTOPPING, 605, "server is stopping")                                                       \
    XX(EBADREQ, 606, "malformed HTTP request")

#define DG_ERRMAP_NODE(XX)                                                                         \
    XX(ENODE, 700, "node error")                                                                   \
    XX(EORIMISMATCH, 701, "the message's ORI is not the requester's")                              \
    XX(ENOIDENT, 702, "the requester is not identified")                                           \
    XX(EUNKNOWNAGENCY, 703, "the requester is not in the agency directory")                        \
    XX(ENOTFORSTATE, 704, "the message is not addressed to this state")                            \
    XX(EDENIED, 705, "refused by the state's policy")                                              \
    XX(EAUDITDOWN, 706, "the audit log cannot record the request")                                 \
    XX(EDEADLINE, 707, "the review deadline passed")                                               \
    XX(EREVIEWDENIED, 708, "refused by a state reviewer")                                          \
    XX(EMEDIATYPE, 709, "unsupported media type")                                                  \
    XX(EBUSY, 710, "too many requests waiting for the audit log")                                  \
    XX(ELOOKUP, 711, "the DMV store could not be read")

#define DG_ERRMAP_REVIEW(XX)                                                                       \
    XX(EREVIEW, 800, "review error")                                                               \
    XX(EBADLOGIN, 801, "wrong account name or password")                                           \
    XX(ELOCKEDOUT, 802, "the account is locked after failed logins")                               \
    XX(ENOSESSION, 803, "not logged in to the review console")                                     \
    XX(EROLE, 804, "the account's role may not do this")                                           \
    XX(ECSRF, 805, "missing or wrong CSRF token")                                                  \
    XX(ELOGINRATE, 806, "too many login attempts; wait a minute")                                  \
    XX(EOWNAGENCY, 807, "a reviewer may not approve a request of their own agency")                \
    XX(ESAMEREVIEWER, 808, "the second approval must come from another reviewer")

#define DG_ERRMAP_HUB(XX)                                                                          \
    XX(EHUB, 900, "hub error")                                                                     \
    XX(EUNREACHABLE, 901, "the destination state's node cannot be reached")                        \
    XX(EUPTIMEOUT, 902, "the destination state's node did not answer in time")                     \
    XX(ENOSTATEROUTE, 903, "the hub has no route to the destination state")                        \
    XX(ENETBLOCKED, 904, "refused by a network-level block")                                       \
    XX(EBLOCKSFILE, 905, "malformed network-block list")

#define DG_ERRMAP_REPORT(XX)                                                                       \
    XX(EREPORT, 1000, "report error")                                                              \
    XX(ENOSTATS, 1001, "no statistics in this store")                                              \
    XX(ESIMULATE, 1002, "policy simulation error")

#define DG_ERRNO_MAP(XX)                                                                           \
    DG_ERRMAP_CORE(XX)                                                                             \
    DG_ERRMAP_STORE(XX)                                                                            \
    DG_ERRMAP_AGENCY(XX)                                                                           \
    DG_ERRMAP_MSG(XX)                                                                              \
    DG_ERRMAP_POLICY(XX)                                                                           \
    DG_ERRMAP_AUDIT(XX)                                                                            \
    DG_ERRMAP_NET(XX)                                                                              \
    DG_ERRMAP_NODE(XX)                                                                             \
    DG_ERRMAP_REVIEW(XX)                                                                           \
    DG_ERRMAP_HUB(XX)                                                                              \
    DG_ERRMAP_REPORT(XX)

enum dg_errno {
#define DG__ERRENUM(name, num, msg) DG_##name = -(num),
    DG_ERRNO_MAP(DG__ERRENUM)
#undef DG__ERRENUM
};

/* Detail for a failure. Every member is optional: field "" when no field
 * applies, offset/line/col -1 when unknown. */
struct dg_error {
    int code;       /* the DG_E... code, negative; 0 when no error */
    char field[32]; /* the offending field, tag or option, "" if none */
    long offset;    /* byte offset in the input, -1 if none */
    int line, col;  /* 1-based position in a text file, -1 if none */
    char msg[256];  /* one sentence for a person, no final period */
};

/* Name without the DG_ prefix ("EINVAL"), or "EUNKNOWN" for a code not in the table. */
const char *dg_errname(int code);

/* The table's message for code ("invalid argument"), or "unknown error". */
const char *dg_strerror(int code);

/* Reset e (may be NULL) to "no error". */
void dg_error_clear(struct dg_error *e);

/*
 * Record a failure in e (may be NULL) and return code, so that a caller can
 * write `return dg_error_set(err, DG_EINVAL, "OLN", off, "...", ...);`.
 * field may be NULL. fmt may be NULL (then the table's message is used).
 */
int dg_error_set(struct dg_error *e, int code, const char *field, long offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Same, for a position in a text file (line and column, 1-based). */
int dg_error_setpos(struct dg_error *e, int code, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Map an errno value (EIO, ENOSPC, ENOMEM, ...) to a DG_E... code. */
int dg_error_from_errno(int errnum);

#endif
