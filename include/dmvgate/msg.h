/*
 * msg.h - dmvgate messages: the model, the Nlets-style text form, the JSON
 * form, and their strict validation (docs/messages.md is the user reference).
 *
 * Two kinds of message:
 *
 *   requests  DQ (driver), RQ (registration), IQ (license photo). Parsed into
 *             struct dg_msg_req, a fixed-size, self-contained struct: parsing
 *             the text form allocates nothing, copies every value into the
 *             struct, and leaves nothing pointing into the input. The node
 *             parses every request, so this path is the fast one.
 *   responses DR, RR, IR and ER. They carry records (several candidates for a
 *             name search, a vehicle with its owner, a photo of up to
 *             DG_MSG_PHOTO_MAX bytes), so they live in an allocated
 *             struct dg_msg_resp, made with the builder (dg_msg_resp_begin,
 *             dg_msg_resp_add_record, dg_msg_resp_add_field) or by parsing.
 *
 * Both kinds have a text form and a JSON form; each converts to the other
 * without loss, and the writers always produce the canonical form
 * (docs/messages.md, "Canonical form"): text -> JSON -> text gives back the
 * same bytes for a canonical message, and JSON -> text -> JSON the same
 * document.
 *
 * Every rejection is one specific DG_EMSG... code (include/dmvgate/error.h,
 * 300-399) with struct dg_error filled in: field (a tag such as "DOB", or a
 * header part KEY, ORI, DEST, CTL, TXT), offset (byte offset in the input;
 * -1 for JSON errors other than syntax and UTF-8) and msg (a sentence a
 * dispatcher understands). Nothing is guessed or silently fixed; the only
 * rewriting is the documented canonical form (e.g. a mmddyy date of birth is
 * written ccyymmdd).
 *
 * Thread safety: every function works only on the objects passed to it, so
 * different threads may use different objects freely; the only shared state is
 * the date override of dg_msg_set_today() (atomic, for tests).
 */
#ifndef DMVGATE_MSG_H
#define DMVGATE_MSG_H

#include <dmvgate/core.h>
#include <dmvgate/error.h>
#include <dmvgate/vocab.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ---------------------------------------------------------------- */
#define DG_MSG_REQ_MAX      1024    /* bytes of a request, text form */
#define DG_MSG_REQ_JSON_MAX 4096    /* bytes of a request, JSON form */
#define DG_MSG_MAX          4194304 /* bytes of any message (responses), either form */
#define DG_MSG_VALUES_MAX   1048576 /* bytes of all values of one response together */
#define DG_MSG_MAX_DEST     5       /* destinations of one request (as Nlets) */
#define DG_MSG_MAX_RECORDS  20      /* records of one response */
#define DG_MSG_PHOTO_MAX    349528  /* characters of PHO: base64 of 256 KiB */

/* ---- tags -----------------------------------------------------------------
 * XX(TAG, maximum value length, what it is). The order of this table is the
 * canonical order of the tags in a message (docs/messages.md lists who may
 * carry which tag and the rule of each value). */
#define DG_MSG_TAG_MAP(XX)                                                                         \
    /* request body */                                                                             \
    XX(RSN, 1, "reason code (Nlets): N, F, V, T, S, H or I")                                       \
    XX(OLN, 20, "operator license number")                                                         \
    XX(OLS, 2, "operator license state")                                                           \
    XX(NAM, 50, "name, LAST,FIRST MIDDLE")                                                         \
    XX(DOB, 8, "date of birth, ccyymmdd (mmddyy accepted)")                                        \
    XX(SEX, 1, "sex: M, F, X or U")                                                                \
    XX(LIC, 10, "license plate number")                                                            \
    XX(LIS, 2, "license plate state")                                                              \
    XX(LIT, 2, "license plate type (NCIC code)")                                                   \
    XX(LIY, 4, "license plate expiry year, ccyy")                                                  \
    XX(VIN, 17, "vehicle identification number")                                                   \
    XX(IMQ, 1, "image requested with a DQ: Y or N")                                                \
    XX(PUR, 1, "purpose code")                                                                     \
    XX(ATN, 40, "attention: the person asking")                                                    \
    XX(CAS, 24, "case number")                                                                     \
    XX(LEG, 27, "legal process: kind code, then a space and its number")                           \
    /* response level */                                                                           \
    XX(MID, 40, "message id given by the node or hub")                                             \
    XX(STS, 8, "status")                                                                           \
    XX(ERC, 4, "error code number (error.h)")                                                      \
    XX(ERF, 16, "offending field of a rejected message")                                           \
    XX(ERO, 10, "byte offset of the error in the rejected message")                                \
    XX(ERT, 255, "the error or refusal, as a sentence")                                            \
    XX(RUL, 200, "the policy rule that refused")                                                   \
    /* record fields (REC starts a record) */                                                      \
    XX(REC, 3, "start of a record: DRV (driver) or VEH (vehicle)")                                 \
    XX(HGT, 3, "height, feet and inches: 510")                                                     \
    XX(EYE, 3, "eye colour (NCIC code)")                                                           \
    XX(ADR, 120, "residence address")                                                              \
    XX(CLS, 3, "license class")                                                                    \
    XX(STA, 12, "license status")                                                                  \
    XX(ISS, 8, "license issue date, ccyymmdd")                                                     \
    XX(EXP, 8, "license expiry date, ccyymmdd")                                                    \
    XX(RST, 60, "license restrictions")                                                            \
    XX(LPF, 1, "lawful presence: Y documented, N license issued without proof")                    \
    XX(PHO, DG_MSG_PHOTO_MAX, "photo, base64")                                                     \
    XX(PMT, 13, "photo media type: image/jpeg, image/png, image/jp2 or image/svg+xml")             \
    XX(VYR, 4, "vehicle model year, ccyy")                                                         \
    XX(VMA, 12, "vehicle make")                                                                    \
    XX(VMO, 16, "vehicle model")                                                                   \
    XX(VCO, 7, "vehicle colour (NCIC code, two-tone as BLK/WHI)")                                  \
    XX(REX, 8, "registration expiry date, ccyymmdd")                                               \
    XX(OWN, 60, "registered owner's name")                                                         \
    XX(OAD, 120, "registered owner's address")

enum dg_msg_tag {
#define DG__T(t, max, d) DG_TAG_##t,
    DG_MSG_TAG_MAP(DG__T)
#undef DG__T
        DG_TAG__COUNT
};

/* "OLN", or "?" for a value out of range. */
const char *dg_msg_tag_name(enum dg_msg_tag t);
/* The tag named by s (n bytes, e.g. "OLN"), or DG_EMSGTAG. */
int dg_msg_tag_parse(const char *s, size_t n);
/* The record field (vocab.h DG_FIELD_* bit) a tag's value belongs to, for
 * redaction; 0 for tags that are not record data (PUR, MID, REC, ...). */
uint32_t dg_msg_tag_field(enum dg_msg_tag t);

/* ---- forms ----------------------------------------------------------------- */
enum dg_msg_form { DG_MSG_TEXT, DG_MSG_JSON };

/* The form of s: JSON when its first byte that is not a space, tab, CR or LF
 * is '{', text otherwise. Never fails. */
enum dg_msg_form dg_msg_sniff(const char *s, size_t n);

/* ---- requests ---------------------------------------------------------------
 * Identifying fields used (the idents member), as bits. */
enum dg_msg_ident {
    DG_ID_OLN = 1u << 0, /* OLN + OLS */
    DG_ID_NAM = 1u << 1, /* NAM + DOB */
    DG_ID_SEX = 1u << 2, /* SEX, with NAM + DOB */
    DG_ID_LIC = 1u << 3, /* LIC + LIS */
    DG_ID_LIT = 1u << 4, /* LIT, with LIC */
    DG_ID_LIY = 1u << 5, /* LIY, with LIC */
    DG_ID_VIN = 1u << 6, /* VIN */
};

/*
 * A parsed, valid request. Fixed size, no pointers: copy it, keep it, free
 * nothing. The members are the accessors; treat them as read-only and change
 * a request only through dg_msg_req_set() and friends so it stays valid.
 */
struct dg_msg_req {
    enum dg_key key;               /* DG_KEY_DQ, DG_KEY_RQ or DG_KEY_IQ */
    char ori[10];                  /* originating agency, 9 characters */
    int ndest;                     /* 1..DG_MSG_MAX_DEST */
    char dest[DG_MSG_MAX_DEST][3]; /* state codes, or "NL" (alone) for every state */
    char ctl[11];                  /* Nlets control field (the requester's reference), or "" */

    uint64_t tags;           /* bit (1 << DG_TAG_x) for every tag present */
    uint32_t idents;         /* DG_ID_* bits: which identifying fields were used */
    uint32_t asked;          /* DG_FIELD_* bits: which record fields the request asks for */
    enum dg_purpose purpose; /* PUR, always present */
    enum dg_leg leg;         /* LEG kind; DG_LEG_NONE when LEG is absent or LEG/NO */
    bool has_case;           /* CAS present */
    bool photo;              /* asks for the photo: an IQ, or a DQ with IMQ/Y */

    /* The values, as in the canonical form; "" when absent. */
    char rsn[2];
    char oln[21];
    char ols[3];
    char nam[51]; /* LAST,FIRST MIDDLE; see dg_msg_name_split() */
    char dob[9];  /* ccyymmdd (a mmddyy input is stored with its century) */
    char sex[2];
    char lic[11];
    char lis[3];
    char lit[3];
    char liy[5];
    char vin[18];
    char imq[2];
    char pur[2];
    char atn[41];
    char cas[25];
    char leg_text[28]; /* the LEG value: "JW 2026-CR-0412", "NO", or "" when absent */
};

/*
 * Parse and validate a request in the text form (s, n bytes; need not be
 * NUL-terminated). At most DG_MSG_REQ_MAX bytes (one trailing LF or CRLF is
 * allowed and not counted as content). On success fills *req and returns 0;
 * on failure returns a DG_EMSG... code, fills err (may be NULL) with field,
 * byte offset and sentence, and leaves *req in an unspecified state.
 * Allocates nothing. A response key (DR, RR, IR, ER) is DG_EMSGKEYKIND.
 */
int dg_msg_req_parse_text(struct dg_msg_req *req, const char *s, size_t n, struct dg_error *err);

/* The same for the JSON form (at most DG_MSG_REQ_JSON_MAX bytes). Uses cJSON,
 * which allocates; frees everything before returning. err->offset is set for
 * UTF-8 and syntax errors and -1 for the rest. Also DG_ENOMEM. */
int dg_msg_req_parse_json(struct dg_msg_req *req, const char *s, size_t n, struct dg_error *err);

/* Either form, chosen with dg_msg_sniff(). */
int dg_msg_req_parse(struct dg_msg_req *req, const char *s, size_t n, struct dg_error *err);

/*
 * Building a request in code (tests, the traffic generator, the client):
 * dg_msg_req_init(), then dg_msg_req_add_dest() and dg_msg_req_set() for each
 * field (each validates its value like the parser does), then
 * dg_msg_req_finish(), which checks what needs the whole message (required
 * fields, identifying-field combinations) and computes idents, asked, photo.
 * Every one returns 0 or a DG_EMSG... code with err filled (offset -1).
 */
int dg_msg_req_init(struct dg_msg_req *req, enum dg_key key, const char *ori, struct dg_error *err);
int dg_msg_req_add_dest(struct dg_msg_req *req, const char *dest, struct dg_error *err);
int dg_msg_req_set_ctl(struct dg_msg_req *req, const char *ctl, struct dg_error *err);
int dg_msg_req_set(struct dg_msg_req *req, enum dg_msg_tag tag, const char *value,
                   struct dg_error *err);
int dg_msg_req_finish(struct dg_msg_req *req, struct dg_error *err);

/* Append the canonical text or JSON form of a valid request to out. Returns 0,
 * DG_ETOOBIG (out's maximum) or DG_ENOMEM. */
int dg_msg_req_to_text(const struct dg_msg_req *req, struct dg_buf *out);
int dg_msg_req_to_json(const struct dg_msg_req *req, struct dg_buf *out);

/* The value of a tag in a request as a string ("" when absent or not a
 * request tag): for the policy engine and tools that look fields up by tag.
 * Never NULL; the string lives in req. */
const char *dg_msg_req_get(const struct dg_msg_req *req, enum dg_msg_tag tag);

/* The number of the legal process (LEG's value after the kind and space),
 * or "" for LEG/NO and when LEG is absent. Never NULL; lives in req. */
const char *dg_msg_req_leg_number(const struct dg_msg_req *req);

/* True when the request goes to state (a 2-letter code): it names it or NL. */
bool dg_msg_req_is_for(const struct dg_msg_req *req, const char *state);

/* Split a valid NAM value ("RIVERA,ANA MARIA") into its parts, as offsets
 * and lengths into nam: last (before the comma), first (the word after it),
 * middle (the rest, possibly empty). Returns 0 or DG_EMSGNAME. */
struct dg_msg_name {
    size_t last_off, last_len, first_off, first_len, middle_off, middle_len;
};
int dg_msg_name_split(const char *nam, struct dg_msg_name *out);

/* ---- responses ------------------------------------------------------------- */

/* STS values. FOUND, NOTFOUND and HELD go with DR, RR and IR; INVALID,
 * DENIED and FAILED with ER. */
#define DG_MSG_STATUS_MAP(XX)                                                                      \
    XX(FOUND, "records follow, best match first")                                                  \
    XX(NOTFOUND, "no record matches")                                                              \
    XX(HELD, "held for a state reviewer; ask again with the MID")                                  \
    XX(INVALID, "the request was malformed (ERC, ERT, ERF, ERO say how)")                          \
    XX(DENIED, "refused by a policy rule (RUL) or a reviewer, for the reason ERT")                 \
    XX(FAILED, "could not be answered: unreachable, timeout, audit log unavailable, ...")

enum dg_msg_status {
#define DG__S(s, d) DG_STS_##s,
    DG_MSG_STATUS_MAP(DG__S)
#undef DG__S
        DG_STS__COUNT
};
const char *dg_msg_status_name(enum dg_msg_status s); /* "FOUND" */
int dg_msg_status_parse(const char *s, size_t n);     /* or DG_EMSGVALUE */

/* Record kinds (the value of REC). */
enum dg_msg_rec { DG_REC_DRV, DG_REC_VEH, DG_REC__COUNT };

/* An allocated response. Not thread-safe: one thread at a time. */
struct dg_msg_resp;

/*
 * Start a response. key is DR, RR, IR or ER; ori is the ORI of the agency that
 * asked (the addressee; the node uses the verified ORI of the connection when
 * the request's own could not be read); src is the state that answers, or
 * "NL" for the hub; mid the message id the node or hub gave the request
 * (1-40 of A-Z a-z 0-9 _ -); status must suit the key. On success *out is a
 * new response (free with dg_msg_resp_free) and 0 is returned; otherwise
 * *out is NULL and a DG_EMSG... code or DG_ENOMEM is returned with err filled.
 */
int dg_msg_resp_begin(struct dg_msg_resp **out, enum dg_key key, const char *ori, const char *src,
                      const char *mid, enum dg_msg_status status, struct dg_error *err);

/* Same, answering req: the key is req's answer (DQ -> DR, RQ -> RR, IQ -> IR,
 * or ER when status is INVALID, DENIED or FAILED), the ORI and the control
 * field are req's. */
int dg_msg_resp_begin_for(struct dg_msg_resp **out, const struct dg_msg_req *req, const char *src,
                          const char *mid, enum dg_msg_status status, struct dg_error *err);

/* Echo the request's Nlets control field (1-10 of A-Z 0-9). */
int dg_msg_resp_set_ctl(struct dg_msg_resp *r, const char *ctl, struct dg_error *err);

/*
 * An ER's detail. code is the DG_E... code (negative, as returned by the
 * library; written as its positive number in ERC); sentence the ERT text.
 * field and offset (ERF, ERO) are optional: NULL/"" and -1 leave them out.
 * rule (RUL) is required with STS DENIED and refused otherwise (checked by
 * dg_msg_resp_check and the writers). Each returns 0 or DG_EMSGTAGKEY (not
 * an ER), DG_EMSGDUPTAG (set twice), DG_EMSGVALUE (code not a DG_E... code,
 * a sentence or rule that breaks the text rule: non-printable, leading or
 * trailing space, too long), DG_ENOMEM.
 * dg_msg_resp_set_error_from() takes code, field, offset and sentence from a
 * struct dg_error as the parsers fill it (a field the parser could only show
 * in part, with '?', is left out). A parser's sentence always passes.
 */
int dg_msg_resp_set_error(struct dg_msg_resp *r, int code, const char *field, long offset,
                          const char *sentence, struct dg_error *err);
int dg_msg_resp_set_error_from(struct dg_msg_resp *r, const struct dg_error *e,
                               struct dg_error *err);
int dg_msg_resp_set_rule(struct dg_msg_resp *r, const char *rule, struct dg_error *err);

/* Start a new record of the given kind; later dg_msg_resp_add_field calls
 * fill it. DR takes DRV and VEH records, RR VEH records, IR DRV records, ER
 * none. At most DG_MSG_MAX_RECORDS. */
int dg_msg_resp_add_record(struct dg_msg_resp *r, enum dg_msg_rec kind, struct dg_error *err);

/* Add a field (value is a NUL-terminated string, copied). A response-level
 * tag (MID, STS, ERC, ERF, ERO, ERT, RUL) goes to the response, before any
 * record; any other tag to the current record, and must belong to its kind.
 * The tag must not be there yet and the value must pass the tag's rule
 * (docs/messages.md): DG_EMSGTAGKEY, DG_EMSGDUPTAG, DG_EMSGRECORD (no record
 * started) or the rule's code, with err filled; DG_EMSGTOOLONG past
 * DG_MSG_VALUES_MAX; DG_ENOMEM. A field of a category redacted with
 * dg_msg_resp_redact is dropped and 0 returned. */
int dg_msg_resp_add_field(struct dg_msg_resp *r, enum dg_msg_tag tag, const char *value,
                          struct dg_error *err);

/* Redact the DG_FIELD_* categories in fields: drop the fields already added
 * and those added later. The answer does not say what was redacted (a
 * redaction that depends on a record's content must not reveal it). */
void dg_msg_resp_redact(struct dg_msg_resp *r, uint32_t fields);

/* Check that the response is complete (FOUND has records, NOTFOUND and HELD
 * have none, an ER has ERC and ERT, DENIED has RUL, a photo has its media
 * type). The writers call it too. */
int dg_msg_resp_check(const struct dg_msg_resp *r, struct dg_error *err);

/* Append the canonical text or JSON form to out. Returns 0, a DG_EMSG...
 * code from dg_msg_resp_check, DG_ETOOBIG or DG_ENOMEM. */
int dg_msg_resp_to_text(const struct dg_msg_resp *r, struct dg_buf *out, struct dg_error *err);
int dg_msg_resp_to_json(const struct dg_msg_resp *r, struct dg_buf *out, struct dg_error *err);

/* Parse and validate a response (at most DG_MSG_MAX bytes). On success *out
 * is a new response; otherwise NULL, and the error as for requests. */
int dg_msg_resp_parse_text(struct dg_msg_resp **out, const char *s, size_t n, struct dg_error *err);
int dg_msg_resp_parse_json(struct dg_msg_resp **out, const char *s, size_t n, struct dg_error *err);

/* Reading a response. rec is a record index (0-based), or -1 for the
 * response-level tags (MID, STS, ERC, ...). dg_msg_resp_get returns the value
 * or NULL when absent; the string lives as long as r. */
enum dg_key dg_msg_resp_key(const struct dg_msg_resp *r);
enum dg_msg_status dg_msg_resp_status(const struct dg_msg_resp *r);
const char *dg_msg_resp_ori(const struct dg_msg_resp *r);
const char *dg_msg_resp_src(const struct dg_msg_resp *r);
const char *dg_msg_resp_ctl(const struct dg_msg_resp *r); /* "" when none */
int dg_msg_resp_nrecords(const struct dg_msg_resp *r);
int dg_msg_resp_record_kind(const struct dg_msg_resp *r, int rec); /* enum dg_msg_rec or -1 */
const char *dg_msg_resp_get(const struct dg_msg_resp *r, int rec, enum dg_msg_tag tag);

/* Free a response; NULL is a no-op. */
void dg_msg_resp_free(struct dg_msg_resp *r);

/* ---- any message (tools: msg check, msg convert) ---------------------------- */
struct dg_msg {
    enum dg_key key;
    struct dg_msg_req req;    /* when key is DQ, RQ or IQ */
    struct dg_msg_resp *resp; /* when key is DR, RR, IR or ER; owned */
};

/* Parse a request or a response in the given form. Release with
 * dg_msg_release(). */
int dg_msg_parse(struct dg_msg *m, enum dg_msg_form form, const char *s, size_t n,
                 struct dg_error *err);
/* Append m's canonical form to out. */
int dg_msg_write(const struct dg_msg *m, enum dg_msg_form form, struct dg_buf *out,
                 struct dg_error *err);
void dg_msg_release(struct dg_msg *m);

/* Format e as the one line the CLI prints (no newline):
 *   EMSGDATE: field DOB at offset 37: sentence
 * leaving out "field X" and "at offset N" when unknown. */
int dg_msg_error_line(const struct dg_error *e, struct dg_buf *out);

/* ---- dates ---------------------------------------------------------------- */
/* Dates of birth written mmddyy get the century that puts them within the
 * 100 years ending today (UTC). Tests fix "today" with dg_msg_set_today(
 * ccyymmdd); 0 goes back to the clock. */
void dg_msg_set_today(int ccyymmdd);

#endif
