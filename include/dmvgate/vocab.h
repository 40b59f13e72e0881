/*
 * vocab.h - the shared vocabulary of dmvgate: message keys, purpose codes,
 * legal-process kinds, agency levels and categories, agreements, state codes,
 * and the record fields that a policy can redact.
 *
 * Messages, policies, the store, the audit log and reports all speak these
 * names, so they are defined once, here. Each list is an X-macro table
 * (value, code or name, description) and each has a name function and a parse
 * function. Parse functions take a length so they work on unterminated slices,
 * and return the value (>= 0) or DG_EINVAL for an unknown name.
 */
#ifndef DMVGATE_VOCAB_H
#define DMVGATE_VOCAB_H

#include <dmvgate/error.h>

#include <stddef.h>
#include <stdint.h>

/* Message keys (DESIGN.md, Messages). */
#define DG_KEY_MAP(XX)                                                                             \
    XX(DQ, "driver query")                                                                         \
    XX(DR, "driver response")                                                                      \
    XX(RQ, "registration query")                                                                   \
    XX(RR, "registration response")                                                                \
    XX(IQ, "image (license photo) request")                                                        \
    XX(IR, "image response")                                                                       \
    XX(ER, "error or refusal")

enum dg_key {
#define DG__K(k, d) DG_KEY_##k,
    DG_KEY_MAP(DG__K)
#undef DG__K
        DG_KEY__COUNT
};
const char *dg_key_name(enum dg_key k); /* "DQ" */
int dg_key_parse(const char *s, size_t n);

/* Purpose codes (the PUR field): one letter in messages, a word in policies. */
#define DG_PURPOSE_MAP(XX)                                                                         \
    XX(CRIMINAL_JUSTICE, 'C', "criminal_justice", "criminal investigation or enforcement")         \
    XX(TRAFFIC, 'T', "traffic", "traffic enforcement or a traffic stop")                           \
    XX(JUDICIAL, 'J', "judicial", "court proceedings")                                             \
    XX(EMPLOYMENT, 'E', "employment", "criminal justice employment or licensing background check") \
    XX(FIREARMS, 'F', "firearms", "firearms permit or transfer check")                             \
    XX(IMMIGRATION, 'I', "immigration", "civil immigration enforcement")                           \
    XX(OTHER, 'X', "other", "any other purpose, explained in the case number or attention line")

enum dg_purpose {
#define DG__P(e, c, n, d) DG_PUR_##e,
    DG_PURPOSE_MAP(DG__P)
#undef DG__P
        DG_PUR__COUNT
};
char dg_purpose_code(enum dg_purpose p);        /* 'C' */
const char *dg_purpose_name(enum dg_purpose p); /* "criminal_justice" */
int dg_purpose_from_code(char c);
int dg_purpose_parse(const char *s, size_t n); /* by name */

/* Legal-process kinds (the LEG field). A judge's warrant and an agency's own
 * administrative warrant are different things under state law: keep them apart. */
#define DG_LEG_MAP(XX)                                                                             \
    XX(NONE, "NO", "none", "no legal process")                                                     \
    XX(JUDICIAL_WARRANT, "JW", "judicial_warrant", "warrant signed by a judge")                    \
    XX(COURT_ORDER, "CO", "court_order", "order of a court")                                       \
    XX(GRAND_JURY_SUBPOENA, "GJ", "grand_jury_subpoena", "grand jury subpoena")                    \
    XX(ADMIN_WARRANT, "AW", "administrative_warrant",                                              \
       "administrative warrant issued by an agency (e.g. DHS I-200/I-205), not a judge")           \
    XX(ADMIN_SUBPOENA, "AS", "administrative_subpoena",                                            \
       "administrative subpoena issued by an agency")

enum dg_leg {
#define DG__L(e, c, n, d) DG_LEG_##e,
    DG_LEG_MAP(DG__L)
#undef DG__L
        DG_LEG__COUNT
};
const char *dg_leg_code(enum dg_leg l); /* "JW" */
const char *dg_leg_name(enum dg_leg l); /* "judicial_warrant" */
int dg_leg_from_code(const char *s, size_t n);
int dg_leg_parse(const char *s, size_t n); /* by name */

/* Agency level. */
#define DG_LEVEL_MAP(XX)                                                                           \
    XX(LOCAL, "local")                                                                             \
    XX(STATE, "state")                                                                             \
    XX(TRIBAL, "tribal")                                                                           \
    XX(FEDERAL, "federal")                                                                         \
    XX(UNSPECIFIED, "unspecified")

enum dg_level {
#define DG__V(e, n) DG_LEVEL_##e,
    DG_LEVEL_MAP(DG__V)
#undef DG__V
        DG_LEVEL__COUNT
};
const char *dg_level_name(enum dg_level l);
int dg_level_parse(const char *s, size_t n);

/* Agency category: what kind of agency it is. "unspecified" is an agency whose
 * type was never recorded; policies must be able to treat it on purpose. */
#define DG_CATEGORY_MAP(XX)                                                                        \
    XX(MUNICIPAL_POLICE, "municipal_police")                                                       \
    XX(SHERIFF, "sheriff")                                                                         \
    XX(STATE_POLICE, "state_police")                                                               \
    XX(TRIBAL_POLICE, "tribal_police")                                                             \
    XX(FEDERAL_LE, "federal_le")                                                                   \
    XX(CORRECTIONS, "corrections")                                                                 \
    XX(COURT, "court")                                                                             \
    XX(PROSECUTOR, "prosecutor")                                                                   \
    XX(OTHER_LE, "other_le")                                                                       \
    XX(UNSPECIFIED, "unspecified")

enum dg_category {
#define DG__C(e, n) DG_CAT_##e,
    DG_CATEGORY_MAP(DG__C)
#undef DG__C
        DG_CAT__COUNT
};
const char *dg_category_name(enum dg_category c);
int dg_category_parse(const char *s, size_t n);

/* Agreements an agency has signed, as a bit set. The three 287(g) models are
 * kept apart; DG_AGR_287G is "any 287(g) agreement". */
#define DG_AGREEMENT_MAP(XX)                                                                       \
    XX(287G_JAIL, 0, "287g-jail", "287(g) jail enforcement model")                                 \
    XX(287G_TASK_FORCE, 1, "287g-task-force", "287(g) task force model")                           \
    XX(287G_WARRANT_SERVICE, 2, "287g-warrant-service", "287(g) warrant service officer model")

enum dg_agreement {
#define DG__A(e, bit, n, d) DG_AGR_##e = 1u << (bit),
    DG_AGREEMENT_MAP(DG__A)
#undef DG__A
};
#define DG_AGR_287G (DG_AGR_287G_JAIL | DG_AGR_287G_TASK_FORCE | DG_AGR_287G_WARRANT_SERVICE)
/* Name of a single agreement bit, or NULL. */
const char *dg_agreement_name(uint32_t bit);
/* Parse one agreement name ("287g-jail"); returns the bit (> 0) or DG_EINVAL. */
int dg_agreement_parse(const char *s, size_t n);

/* State and territory codes that may begin an ORI and be a destination. */
#define DG_STATE_CODES                                                                             \
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",      \
        "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",  \
        "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",  \
        "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP"
#define DG_STATE_COUNT 56
/* The i-th state code (0 <= i < DG_STATE_COUNT). */
const char *dg_state_code(int i);
/* Index of a 2-letter code, or DG_EINVAL. */
int dg_state_index(const char *s, size_t n);

/* Record fields a policy can redact (and a request can ask for), as a bit set. */
#define DG_FIELD_MAP(XX)                                                                           \
    XX(NAME, 0, "name")                                                                            \
    XX(DOB, 1, "dob")                                                                              \
    XX(SEX, 2, "sex")                                                                              \
    XX(PHYSICAL, 3, "physical")                                                                    \
    XX(ADDRESS, 4, "address")                                                                      \
    XX(LICENSE, 5, "license")                                                                      \
    XX(STATUS, 6, "status")                                                                        \
    XX(LAWFUL_PRESENCE, 7, "lawful_presence")                                                      \
    XX(PHOTO, 8, "photo")                                                                          \
    XX(VEHICLES, 9, "vehicles")                                                                    \
    XX(OWNER, 10, "owner")

enum dg_field {
#define DG__F(e, bit, n) DG_FIELD_##e = 1u << (bit),
    DG_FIELD_MAP(DG__F)
#undef DG__F
};
const char *dg_field_name(uint32_t bit);
int dg_field_parse(const char *s, size_t n); /* the bit (> 0) or DG_EINVAL */

/* Identifying fields a query uses to pick its record, as a bit set (the message
 * tags in brackets). Policies test them as query.identified_by. */
#define DG_IDFIELD_MAP(XX)                                                                         \
    XX(OLN, 0, "oln", "license number and issuing state (OLN, OLS)")                               \
    XX(NAME, 1, "name", "name (NAM)")                                                              \
    XX(DOB, 2, "dob", "date of birth (DOB)")                                                       \
    XX(SEX, 3, "sex", "sex (SEX)")                                                                 \
    XX(PLATE, 4, "plate", "plate number and plate state (LIC, LIS, LIT, LIY)")                     \
    XX(VIN, 5, "vin", "vehicle identification number (VIN)")

enum dg_idfield {
#define DG__I(e, bit, n, d) DG_IDF_##e = 1u << (bit),
    DG_IDFIELD_MAP(DG__I)
#undef DG__I
};
const char *dg_idfield_name(uint32_t bit);
int dg_idfield_parse(const char *s, size_t n); /* the bit (> 0) or DG_EINVAL */

#endif
