/*
 * vin.h - vehicle identification numbers (49 CFR 565): 17 characters from
 * 0-9 and A-Z without I, O and Q, position 9 a check digit (0-9 or X).
 * Used by message validation and by the synthetic-data generator.
 */
#ifndef DMVGATE_VIN_H
#define DMVGATE_VIN_H

#include <dmvgate/error.h>

#include <stddef.h>

#define DG_VIN_LEN 17

/* The check digit ('0'..'9' or 'X') computed over vin's 17 characters (the
 * 9th is ignored), or 0 when a character is not allowed in a VIN. */
char dg_vin_check_digit(const char *vin);

/* 0 when vin (n bytes) is a well-formed VIN with the right check digit;
 * otherwise DG_EINVAL with err->msg saying which rule failed (length,
 * character at a position, check digit) and err->offset the bad position. */
int dg_vin_validate(const char *vin, size_t n, struct dg_error *err);

#endif
