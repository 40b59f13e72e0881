/*
 * msg_int.h - what the files of lib/msg share and nobody else sees: the tag
 * table with each tag's rule and where it may appear, the value checker, the
 * text-form header and element lexers, and the response's inside.
 */
#ifndef DG_MSG_INT_H
#define DG_MSG_INT_H

#include <dmvgate/msg.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a tag may appear (struct dg__tag_info.where). */
enum {
    DG__W_DQ = 1u << 0,  /* DQ body */
    DG__W_RQ = 1u << 1,  /* RQ body */
    DG__W_IQ = 1u << 2,  /* IQ body */
    DG__W_RSP = 1u << 3, /* response level of DR, RR, IR and ER */
    DG__W_ER = 1u << 4,  /* response level of ER only */
    DG__W_DRV = 1u << 5, /* DRV record */
    DG__W_VEH = 1u << 6, /* VEH record */
};

/* The rule a value must pass (field.c). */
enum dg__rule {
    DG__R_RSN,
    DG__R_OLN,
    DG__R_STATE,
    DG__R_NAME,
    DG__R_DOB,
    DG__R_SEX,
    DG__R_PLATE,
    DG__R_LIT,
    DG__R_YEAR,
    DG__R_VIN,
    DG__R_YN,
    DG__R_PUR,
    DG__R_TEXT,
    DG__R_CASE,
    DG__R_LEG,
    DG__R_MID,
    DG__R_STS,
    DG__R_NUM,
    DG__R_FIELDNAME,
    DG__R_REC,
    DG__R_HGT,
    DG__R_EYE,
    DG__R_CLS,
    DG__R_LSTATUS,
    DG__R_DATE,
    DG__R_PHOTO,
    DG__R_PMT,
    DG__R_CODE, /* VMA, VMO: A-Z 0-9 space hyphen */
    DG__R_VCO,
};

struct dg__tag_info {
    char name[4];
    uint32_t max;   /* longest value, in bytes */
    uint16_t where; /* DG__W_* */
    uint8_t rule;   /* enum dg__rule */
    uint32_t field; /* DG_FIELD_* for record data, else 0 */
};
extern const struct dg__tag_info dg__tags[DG_TAG__COUNT];

/*
 * A value to check. s/n is the value as meant (a text-form "..", an escaped
 * period, already made "."). off is the byte offset of the value in the
 * input, or -1 (JSON, built in code); raw/rawn is the value as written in the
 * text form, so that an error at position i of s can be mapped back to the
 * input's byte offset (dg__val_off).
 */
struct dg__val {
    const char *s;
    size_t n;
    long off;
    const char *raw;
    size_t rawn;
};
long dg__val_off(const struct dg__val *v, size_t i);

/*
 * Check v against tag's rule and write the canonical value (NUL-terminated)
 * to out, which has room for outsz bytes (at least max(v->n, 8) + 1). *outlen
 * gets its length. Returns 0 or a DG_EMSG... code with err filled (field =
 * the tag). Does not check where the tag may appear.
 */
int dg__check_value(enum dg_msg_tag tag, const struct dg__val *v, char *out, size_t outsz,
                    size_t *outlen, struct dg_error *err);

/* Same rule used by the header: 9-character ORI with a state prefix. */
int dg__check_ori(const char *s, size_t n, long off, struct dg_error *err);
/* The Nlets control field, 1-10 of A-Z 0-9 (without its '*'). */
int dg__check_ctl(const char *s, size_t n, long off, struct dg_error *err);
/* MID: 1-40 of A-Z a-z 0-9 _ - */
int dg__check_mid(const char *s, size_t n, long off, struct dg_error *err);

/* Today as days since 1970-01-01 (UTC), or the dg_msg_set_today override. */
long dg__today_days(void);
long dg__days_from_civil(int y, int m, int d);

/* ---- text form ------------------------------------------------------------- */

/* The header of a text message. */
struct dg__hdr {
    int key; /* enum dg_key */
    char ori[10];
    int ndest;
    char dest[DG_MSG_MAX_DEST][3];
    long dest_off; /* offset of the first destination part */
    char ctl[11];
    size_t body; /* offset where the body starts */
};

/* Strip one trailing LF or CRLF and check the length against limit.
 * Returns the new length (>= 0) or DG_EMSGTOOLONG / DG_EMSGHEADER (empty).
 * The lexers below check each byte where they know which field it is in. */
long dg__text_prepare(const char *s, size_t n, size_t limit, struct dg_error *err);

/* Parse the header of s (already prepared): key, ORI, up to DG_MSG_MAX_DEST
 * destinations (state codes, or NL alone, no repeats), control field, TXT.
 * Callers check the key's kind and (responses) that there is one source. */
int dg__text_header(const char *s, size_t n, struct dg__hdr *h, struct dg_error *err);

/* Add destination d (n bytes) to h: a state code or NL, no repeats, NL
 * alone, at most DG_MSG_MAX_DEST. off is reported on error. */
int dg__dest_add(struct dg__hdr *h, const char *d, size_t n, long off, struct dg_error *err);

/* One body element, as the lexer finds it. */
struct dg__elem {
    int tag;        /* enum dg_msg_tag */
    size_t tag_off; /* where the tag starts */
    size_t val_off; /* where the value starts (after '/') */
    size_t val_end; /* where the value ends (its separator or the end) */
    bool escaped;   /* the value contains ".." */
};

/* Find the next element at *pos (< n) and advance *pos past its separator
 * (and a line break after it). Returns 0, or DG_EMSGSYNTAX, DG_EMSGTAG,
 * DG_EMSGPERIOD. */
int dg__text_next(const char *s, size_t n, size_t *pos, struct dg__elem *e, struct dg_error *err);

/* Copy the value of e into out (room for outsz bytes), turning ".." into
 * ".", and fill v. Returns 0 or DG_EMSGFIELDLEN when the value is longer than
 * max. */
int dg__text_value(const char *s, const struct dg__elem *e, uint32_t max, char *out, size_t outsz,
                   struct dg__val *v, struct dg_error *err);

/* Append value (n bytes) to out in the text form: "." written "..". */
int dg__text_add_value(struct dg_buf *out, const char *v, size_t n);

/* Append the header "KEY.ORI.DEST[,DEST...][.*CTL].TXT" and a LF. */
int dg__text_add_header(struct dg_buf *out, int key, const char *ori, int ndest,
                        const char (*dest)[3], const char *ctl);

/* ---- requests (req.c) ------------------------------------------------------ */
int dg__is_request_key(int key);
void dg__req_reset(struct dg_msg_req *r, enum dg_key key);
/* Set one tag (checked: allowed for the key, not yet given, value rule).
 * tag_off: where the tag was written, or -1. */
int dg__req_set(struct dg_msg_req *r, enum dg_msg_tag tag, const struct dg__val *v, long tag_off,
                struct dg_error *err);
/* Whole-message checks, then idents, asked, photo, has_case. toff: where
 * each tag was written (text form) or NULL; end: offset for a missing field. */
int dg__req_finish(struct dg_msg_req *r, const long *toff, long end, struct dg_error *err);

/* ---- responses ------------------------------------------------------------- */
struct dg__rec {
    int kind; /* enum dg_msg_rec */
    char *val[DG_TAG__COUNT];
};

struct dg_msg_resp {
    enum dg_key key;
    enum dg_msg_status status;
    char ori[10];
    char src[3];
    char ctl[11];
    char *val[DG_TAG__COUNT]; /* response-level values */
    int nrec;
    struct dg__rec rec[DG_MSG_MAX_RECORDS];
    uint32_t redact;   /* DG_FIELD_* bits */
    size_t values_len; /* bytes of all values, against DG_MSG_VALUES_MAX */
};

/* A new, empty response: key (a response key), ORI and source checked. */
int dg__resp_new(struct dg_msg_resp **out, enum dg_key key, const char *ori, size_t orilen,
                 const char *src, size_t srclen, struct dg_error *err);
/* Start a record (kind allowed for the key, not too many); tag_off as below. */
int dg__resp_add_record(struct dg_msg_resp *r, enum dg_msg_rec kind, long tag_off,
                        struct dg_error *err);
/* Set a value, checked: response level (MID, STS, ERC, ...) when the tag is
 * one, else in the current record. tag_off: where the tag was written (text
 * form) or -1; used for errors about the tag itself. A record field of a
 * redacted category is dropped. */
int dg__resp_set(struct dg_msg_resp *r, enum dg_msg_tag tag, const struct dg__val *v, long tag_off,
                 struct dg_error *err);
/* dg_msg_resp_check, with end as the offset reported for a missing field. */
int dg__resp_check(const struct dg_msg_resp *r, long end, struct dg_error *err);

/* dg_msg_parse for the JSON form (json.c). */
int dg__json_parse_any(struct dg_msg *m, const char *s, size_t n, struct dg_error *err);

/* 1 when s (n bytes) is a state or territory code (vocab.h), else 0; O(1). */
int dg__is_state(const char *s, size_t n);

/* "a" or "an", to go before a key's name in a sentence ("an RQ", "a DQ"). */
const char *dg__article(int key);

/* A tag name for error messages: printable, at most 8 characters. */
void dg__tag_for_error(const char *s, size_t n, char *out, size_t outsz);

#endif
