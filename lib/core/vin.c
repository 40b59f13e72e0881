/*
 * vin.c - VIN check digit (49 CFR 565.15): transliterate letters to numbers,
 * weight each position, sum modulo 11; a remainder of 10 is written 'X'.
 */
#include <dmvgate/vin.h>

static int translit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    switch (c) {
    case 'A':
    case 'J': return 1;
    case 'B':
    case 'K':
    case 'S': return 2;
    case 'C':
    case 'L':
    case 'T': return 3;
    case 'D':
    case 'M':
    case 'U': return 4;
    case 'E':
    case 'N':
    case 'V': return 5;
    case 'F':
    case 'W': return 6;
    case 'G':
    case 'P':
    case 'X': return 7;
    case 'H':
    case 'Y': return 8;
    case 'R':
    case 'Z': return 9;
    default: return -1; /* I, O, Q, lowercase and everything else */
    }
}

static const int weights[DG_VIN_LEN] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};

char dg_vin_check_digit(const char *vin)
{
    int sum = 0;
    for (int i = 0; i < DG_VIN_LEN; i++) {
        int v = translit(vin[i]);
        if (v < 0 && i != 8)
            return 0;
        if (i != 8)
            sum += v * weights[i];
    }
    int r = sum % 11;
    return r == 10 ? 'X' : (char)('0' + r);
}

int dg_vin_validate(const char *vin, size_t n, struct dg_error *err)
{
    if (n != DG_VIN_LEN)
        return dg_error_set(err, DG_EINVAL, "VIN", -1, "a VIN has 17 characters, not %zu", n);
    for (size_t i = 0; i < n; i++) {
        if (translit(vin[i]) < 0 && !(i == 8 && vin[i] == 'X'))
            return dg_error_set(
                err, DG_EINVAL, "VIN", (long)i,
                "character %zu of the VIN is not allowed (0-9, A-Z without I, O, Q)", i + 1);
    }
    char want = dg_vin_check_digit(vin);
    if (vin[8] != want)
        return dg_error_set(err, DG_EINVAL, "VIN", 8,
                            "the VIN's check digit is '%c', expected '%c'", vin[8], want);
    return 0;
}
