/*
 * fuzz_cookie.c - fuzz the review console's Cookie-header parser
 * (dg_cookie_get): any bytes, as a header value, looking for the session
 * cookie and for a one-letter name.
 */
#include "fuzz.h"

#include <dmvgate/review.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1);
    if (!h)
        return 0;
    memcpy(h, data, size);
    h[size] = '\0';
    char v[DG_SESSION_TOKEN_LEN + 1], small[4];
    dg_cookie_get(h, DG_SESSION_COOKIE, v, sizeof(v));
    dg_cookie_get(h, "a", small, sizeof(small));
    free(h);
    return 0;
}
