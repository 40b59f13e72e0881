/*
 * record.h - the DMV records a state node holds: drivers and vehicles.
 *
 * Records are fixed-size structs (no pointers, no allocation) so that a
 * lookup can fill one on the caller's stack and a node can keep them in
 * per-thread scratch space. Text fields are NUL-terminated, upper-case ASCII
 * as DMV systems keep them; dates are ISO "YYYY-MM-DD" strings (10 characters).
 * A driver's photo is not part of the struct: only its media type and size
 * are; the bytes are fetched on demand with dg_store_photo() (store.h).
 *
 * This header also holds the name helpers that name searches use (Soundex,
 * normalisation) and JSON rendering of records with field redaction, shared
 * by the CLI, the node and the review console.
 */
#ifndef DMVGATE_RECORD_H
#define DMVGATE_RECORD_H

#include <dmvgate/core.h>
#include <dmvgate/vin.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Maximum lengths, without the NUL. Input longer than these is refused
 * (DG_EINVAL) by lookups and inserts, never truncated. */
#define DG_OLN_MAX        20 /* license number (Nlets OLN): up to 20 */
#define DG_NAME_PART_MAX  40 /* each of last, first, middle */
#define DG_DATE_LEN       10 /* YYYY-MM-DD */
#define DG_STREET_MAX     63
#define DG_CITY_MAX       39
#define DG_ZIP_MAX        10 /* 12345 or 12345-6789 */
#define DG_RESTR_MAX      15 /* restriction codes, e.g. "B" or "BE" */
#define DG_PLATE_MAX      10 /* Nlets LIC: up to 10 */
#define DG_MAKE_MAX       15
#define DG_MODEL_MAX      23
#define DG_MEDIA_TYPE_MAX 31
#define DG_SOUNDEX_LEN    4 /* letter + 3 digits */

/* License status. */
#define DG_STATUS_MAP(XX)                                                                          \
    XX(VALID, "valid")                                                                             \
    XX(SUSPENDED, "suspended")                                                                     \
    XX(REVOKED, "revoked")                                                                         \
    XX(EXPIRED, "expired")

enum dg_status {
#define DG__S(e, n) DG_STATUS_##e,
    DG_STATUS_MAP(DG__S)
#undef DG__S
        DG_STATUS__COUNT
};
const char *dg_status_name(enum dg_status s); /* "suspended", or "?" */
int dg_status_parse(const char *s, size_t n); /* the value or DG_EINVAL */

/* Plate types, the Nlets/NCIC LIT codes a registration query may carry. */
#define DG_PLATE_TYPE_MAP(XX)                                                                      \
    XX(PC, "passenger")                                                                            \
    XX(LT, "light truck")                                                                          \
    XX(CO, "commercial")                                                                           \
    XX(MC, "motorcycle")                                                                           \
    XX(TL, "trailer")                                                                              \
    XX(PS, "personalized")

/* 0 when s (n bytes) is one of the LIT codes above, else DG_EINVAL. */
int dg_plate_type_validate(const char *s, size_t n);
/* The description of a LIT code ("passenger"), or NULL for an unknown code. */
const char *dg_plate_type_desc(const char *code);

/*
 * A driver (license holder). Every member is always set; "" means not
 * recorded (middle name, restrictions). id is the store's stable key for the
 * record (1, 2, ...); it identifies a driver within one store only.
 */
struct dg_driver {
    int64_t id;
    char oln[DG_OLN_MAX + 1]; /* license number, e.g. "981234567" */
    char ols[3];              /* issuing state, e.g. "CO" */
    char last[DG_NAME_PART_MAX + 1];
    char first[DG_NAME_PART_MAX + 1];
    char middle[DG_NAME_PART_MAX + 1];
    char dob[DG_DATE_LEN + 1]; /* date of birth */
    char sex;                  /* 'M', 'F' or 'X' */
    uint8_t height_in;         /* height in inches */
    char eyes[4];              /* NCIC eye colour: BRO BLU HAZ GRN GRY BLK ... */
    char street[DG_STREET_MAX + 1];
    char city[DG_CITY_MAX + 1];
    char addr_state[3];
    char zip[DG_ZIP_MAX + 1];
    char license_class[4]; /* the state's class letter(s): "R", "C", "D", "A" ... */
    enum dg_status status;
    char issued[DG_DATE_LEN + 1];
    char expires[DG_DATE_LEN + 1];
    char restrictions[DG_RESTR_MAX + 1];
    /* True when the license was issued without proof of lawful presence (as
     * CO SB 13-251 or CA AB 60 licenses are): the most sensitive field. */
    bool lawful_presence_flag;
    char photo_type[DG_MEDIA_TYPE_MAX + 1]; /* "image/svg+xml"; "" when no photo */
    uint32_t photo_len;                     /* bytes; 0 when no photo */
};

/* A vehicle registration. owner_* identify the registered owner, a driver of
 * the same store (owner_id is that driver's id). */
struct dg_vehicle {
    int64_t id;
    char plate[DG_PLATE_MAX + 1]; /* as issued, without spaces or dashes */
    char plate_state[3];
    char plate_type[3]; /* LIT code, see DG_PLATE_TYPE_MAP */
    uint16_t model_year;
    char vin[DG_VIN_LEN + 1];
    char make[DG_MAKE_MAX + 1];
    char model[DG_MODEL_MAX + 1];
    char color[4];                     /* NCIC colour code: BLK WHI SIL GRY RED BLU ... */
    char reg_expires[DG_DATE_LEN + 1]; /* registration expiry */
    int64_t owner_id;
    char owner_oln[DG_OLN_MAX + 1];
    char owner_ols[3];
};

/* A name-search candidate: the driver and how well it matched (higher is
 * better; 100 is the exact last, first and middle name). */
struct dg_candidate {
    struct dg_driver driver;
    int score;
};

/* The score scale of name searches (see docs/data-model.md). */
enum {
    DG_MATCH_EXACT = 100,        /* last, first and middle equal (or middle not asked) */
    DG_MATCH_EXACT_LF = 90,      /* last and first equal, middle differs */
    DG_MATCH_LAST_FIRST_SX = 75, /* last equal, first sounds alike */
    DG_MATCH_SX_FIRST = 70,      /* last sounds alike, first equal */
    DG_MATCH_LAST_INITIAL = 60,  /* last equal, same first initial */
    DG_MATCH_SX_SX = 50,         /* last and first sound alike */
    DG_MATCH_SX_INITIAL = 40,    /* last sounds alike, same first initial */
    DG_MATCH_LAST_ONLY = 30,     /* last equal, first differs */
    DG_MATCH_SX_ONLY = 20,       /* only the last name sounds alike */
};

/* ---- names ------------------------------------------------------------------ */

/*
 * American Soundex (the NARA rules NCIC name searches use): the first letter,
 * then digits for the following consonant groups, H and W not separating
 * equal codes, vowels separating them, padded with '0' to 4 characters.
 * Non-letters are skipped; case does not matter. out gets 5 bytes
 * ("R163\0"); a name without letters gives "" and returns DG_EINVAL.
 * Thread-safe, no allocation.
 */
int dg_soundex(const char *name, char out[DG_SOUNDEX_LEN + 1]);

/*
 * Normalise a name part for comparison: upper-case ASCII letters only (the
 * apostrophe of O'BRIEN, hyphens and spaces dropped), at most outlen-1
 * characters. Returns the length. Thread-safe.
 */
size_t dg_name_normalize(const char *in, char *out, size_t outlen);

/*
 * Parse "LAST,FIRST MIDDLE" (the Nlets NAM form; spaces after the comma and
 * a missing middle name allowed) into its parts, each upper-cased and checked
 * against DG_NAME_PART_MAX. Returns 0, or DG_EINVAL with err->msg saying what
 * is wrong (no comma, empty last name, part too long).
 */
int dg_name_split(const char *nam, char last[DG_NAME_PART_MAX + 1],
                  char first[DG_NAME_PART_MAX + 1], char middle[DG_NAME_PART_MAX + 1],
                  struct dg_error *err);

/* 0 when s is a real calendar date "YYYY-MM-DD" (years 1850-2200), else DG_EINVAL. */
int dg_date_validate(const char *s, size_t n);

/* Check every field of a driver or a vehicle (lengths, character sets,
 * dates, status, sex, codes), as dg_store_put_* do. Returns 0 or DG_EINVAL
 * with err->field naming the first bad field. */
int dg_driver_validate(const struct dg_driver *d, struct dg_error *err);
int dg_vehicle_validate(const struct dg_vehicle *v, struct dg_error *err);

/* ---- JSON ------------------------------------------------------------------- */

/*
 * Append d as one JSON object to out. omit is a set of DG_FIELD_* bits
 * (vocab.h) whose fields are left out (redaction): NAME drops last/first/
 * middle, DOB, SEX, PHYSICAL drops height and eyes, ADDRESS, LICENSE drops
 * class/issued/expires/restrictions, STATUS, LAWFUL_PRESENCE, PHOTO drops the
 * photo's type and size. The OLN and issuing state are always present (they
 * are the query's own key). When photo is non-NULL and PHOTO is not omitted,
 * photo_len bytes of photo are added base64-encoded as "photo":{"media_type",
 * "base64"}. Keys are documented in docs/data-model.md. Returns 0 or the
 * dg_buf error (DG_ETOOBIG, DG_ENOMEM). Thread-safe for distinct buffers.
 */
int dg_driver_json(const struct dg_driver *d, uint32_t omit, const void *photo, size_t photo_len,
                   struct dg_buf *out);

/* The same for a vehicle. omit: OWNER drops the owner_* keys; VEHICLES
 * makes the call append nothing at all. */
int dg_vehicle_json(const struct dg_vehicle *v, uint32_t omit, struct dg_buf *out);

/* Append n bytes base64-encoded (RFC 4648, with padding) as a JSON string. */
int dg_buf_add_base64(struct dg_buf *out, const void *p, size_t n);

#endif
