/*
 * agency.h - the agency directory: who an ORI is.
 *
 * An entry says what an originating agency identifier (ORI) stands for: name,
 * state, level, department and component (federal / DHS / ICE-ERO), category
 * and agreements such as 287(g). The hub stamps the entry onto every message
 * and the policy engine decides on it.
 *
 * (Declared by the foundation; the directory functions are added by the
 * agency module in lib/agency/.)
 */
#ifndef DMVGATE_AGENCY_H
#define DMVGATE_AGENCY_H

#include <dmvgate/error.h>
#include <dmvgate/vocab.h>

#include <stdint.h>

#define DG_ORI_LEN 9

struct dg_agency {
    char ori[DG_ORI_LEN + 1]; /* 9 characters, the first two a state code */
    char state[3];            /* the state the agency sits in (ORI prefix) */
    char name[96];
    enum dg_level level;
    char department[16]; /* "DHS", "DOJ", ... ; "" when none (most local agencies) */
    char component[16];  /* "ICE-ERO", "HSI", "CBP", "FBI", ... ; "" when none */
    enum dg_category category;
    uint32_t agreements; /* DG_AGR_* bits */
};

#endif
