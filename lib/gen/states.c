/*
 * states.c - what differs between states in the synthetic data: license
 * number and plate formats, the regular license class and term, the share of
 * licenses issued without proof of lawful presence, the X sex marker, the
 * population's surname mix, ZIP prefixes and the larger cities.
 *
 * Seven states have their real formats (AZ, CA, CO, FL, NY, TX, WI); the
 * others get a plausible default (one letter and eight digits; plates of
 * three letters and four digits) with their real ZIP prefixes.
 *
 * Licenses without proof of lawful presence exist only in the states (and
 * DC) that issue them by law; elsewhere the flag is never set. The shares
 * are rough: e.g. California had issued about 1 million AB 60 licenses to a
 * population of 27 million drivers.
 */
#include "gen_int.h"

#include <string.h>

/* Plate patterns: 'a' letter (no I, O, Q), 'd' digit, 'n' 1-9, 's' 5-9, other characters literal.
 */

#define CITIES(a) a, DG_ARRAY_LEN(a)

static const struct dg__city co_cities[] = {
    {"DENVER", 715, 802},       {"COLORADO SPRINGS", 480, 809}, {"AURORA", 390, 800},
    {"FORT COLLINS", 170, 805}, {"LAKEWOOD", 155, 802},         {"THORNTON", 140, 802},
    {"ARVADA", 120, 800},       {"WESTMINSTER", 115, 800},      {"PUEBLO", 110, 810},
    {"GREELEY", 108, 806},      {"BOULDER", 105, 803},          {"LONGMONT", 98, 805},
    {"LOVELAND", 76, 805},      {"GRAND JUNCTION", 65, 815},    {"DURANGO", 19, 813},
    {"ALAMOSA", 10, 811},       {"STEAMBOAT SPRINGS", 13, 804}, {"STERLING", 14, 807},
};
static const struct dg__city az_cities[] = {
    {"PHOENIX", 1600, 850},   {"TUCSON", 540, 857},  {"MESA", 500, 852},
    {"CHANDLER", 275, 852},   {"GILBERT", 267, 852}, {"GLENDALE", 250, 853},
    {"SCOTTSDALE", 240, 852}, {"PEORIA", 190, 853},  {"TEMPE", 180, 852},
    {"SURPRISE", 143, 853},   {"YUMA", 95, 853},     {"FLAGSTAFF", 76, 860},
    {"PRESCOTT", 45, 863},    {"NOGALES", 20, 856},
};
static const struct dg__city ca_cities[] = {
    {"LOS ANGELES", 3900, 900},  {"SAN DIEGO", 1380, 921},     {"SAN JOSE", 1010, 951},
    {"SAN FRANCISCO", 870, 941}, {"FRESNO", 540, 937},         {"SACRAMENTO", 520, 958},
    {"LONG BEACH", 466, 908},    {"OAKLAND", 440, 946},        {"BAKERSFIELD", 400, 933},
    {"ANAHEIM", 346, 928},       {"SANTA ANA", 310, 927},      {"RIVERSIDE", 314, 925},
    {"STOCKTON", 320, 952},      {"IRVINE", 300, 926},         {"CHULA VISTA", 275, 919},
    {"FREMONT", 230, 945},       {"SAN BERNARDINO", 222, 924}, {"MODESTO", 218, 953},
    {"SALINAS", 163, 939},       {"EUREKA", 27, 955},
};
static const struct dg__city wi_cities[] = {
    {"MILWAUKEE", 577, 532}, {"MADISON", 270, 537},   {"GREEN BAY", 107, 543},
    {"KENOSHA", 99, 531},    {"RACINE", 77, 534},     {"APPLETON", 75, 549},
    {"WAUKESHA", 71, 531},   {"EAU CLAIRE", 69, 547}, {"OSHKOSH", 67, 549},
    {"JANESVILLE", 65, 535}, {"LA CROSSE", 52, 546},  {"WAUSAU", 39, 544},
    {"SUPERIOR", 27, 548},
};
static const struct dg__city tx_cities[] = {
    {"HOUSTON", 2300, 770},    {"SAN ANTONIO", 1430, 782},   {"DALLAS", 1300, 752},
    {"AUSTIN", 960, 787},      {"FORT WORTH", 920, 761},     {"EL PASO", 680, 799},
    {"ARLINGTON", 395, 760},   {"CORPUS CHRISTI", 317, 784}, {"PLANO", 285, 750},
    {"LAREDO", 255, 780},      {"LUBBOCK", 258, 794},        {"AMARILLO", 200, 791},
    {"BROWNSVILLE", 186, 785}, {"MIDLAND", 132, 797},
};
static const struct dg__city ny_cities[] = {
    {"BROOKLYN", 2700, 112},     {"NEW YORK", 1600, 100}, {"BRONX", 1400, 104},
    {"STATEN ISLAND", 495, 103}, {"FLUSHING", 250, 113},  {"JAMAICA", 200, 114},
    {"ASTORIA", 150, 111},       {"BUFFALO", 278, 142},   {"ROCHESTER", 211, 146},
    {"YONKERS", 211, 107},       {"SYRACUSE", 148, 132},  {"ALBANY", 99, 122},
    {"HEMPSTEAD", 60, 115},      {"ITHACA", 32, 148},     {"PLATTSBURGH", 20, 129},
};
static const struct dg__city fl_cities[] = {
    {"JACKSONVILLE", 950, 322}, {"MIAMI", 440, 331},           {"TAMPA", 385, 336},
    {"ORLANDO", 307, 328},      {"ST PETERSBURG", 258, 337},   {"HIALEAH", 223, 330},
    {"TALLAHASSEE", 196, 323},  {"FORT LAUDERDALE", 182, 333}, {"PORT ST LUCIE", 204, 349},
    {"CAPE CORAL", 194, 339},   {"PENSACOLA", 54, 325},        {"GAINESVILLE", 141, 326},
};

/* code, ZIP prefixes, OLN format, plates, class, term, lawful-presence per
 * mille, X marker, Hispanic and Asian surname re-weighting (percent), cities */
static const struct dg__state states[] = {
    {"AL", 350, 369, DG__OLN_L8, {"addaddd"}, "D", 4, 0, 0, 60, 50, NULL, 0, 0},
    {"AK", 995, 999, DG__OLN_L8, {"aaadddd"}, "D", 5, 0, 0, 80, 150, NULL, 0, 0},
    {"AZ", 850, 865, DG__OLN_L8, {"aaadddd"}, "D", 12, 0, 0, 200, 80, CITIES(az_cities), 1},
    {"AR", 716, 729, DG__OLN_L8, {"dddaaa"}, "D", 8, 0, 0, 70, 40, NULL, 0, 0},
    {"CA", 900, 961, DG__OLN_L7, {"saaaddd"}, "C", 5, 45, 1, 260, 260, CITIES(ca_cities), 1},
    {"CO",
     800,
     816,
     DG__OLN_D9,
     {"aaaddd", "aaaadd"},
     "R",
     5,
     25,
     1,
     150,
     70,
     CITIES(co_cities),
     1},
    {"CT", 60, 69, DG__OLN_L8, {"aadaaaa"}, "D", 6, 20, 1, 120, 100, NULL, 0, 0},
    {"DE", 197, 199, DG__OLN_L8, {"ddddddd"}, "D", 8, 10, 1, 80, 90, NULL, 0, 0},
    {"DC", 200, 205, DG__OLN_L8, {"aadddd"}, "D", 8, 20, 1, 90, 110, NULL, 0, 0},
    {"FL", 320, 349, DG__OLN_SX_FL, {"aaaadd"}, "E", 8, 0, 0, 170, 70, CITIES(fl_cities), 1},
    {"GA", 300, 319, DG__OLN_L8, {"aaadddd"}, "C", 8, 0, 0, 80, 100, NULL, 0, 0},
    {"HI", 967, 968, DG__OLN_L8, {"aaadddd"}, "3", 8, 10, 1, 90, 400, NULL, 0, 0},
    {"ID", 832, 838, DG__OLN_L8, {"daddddd"}, "D", 8, 0, 0, 100, 40, NULL, 0, 0},
    {"IL", 600, 629, DG__OLN_L8, {"aadddddd"}, "D", 4, 30, 1, 110, 120, NULL, 0, 0},
    {"IN", 460, 479, DG__OLN_L8, {"dddaaa"}, "D", 6, 0, 0, 70, 60, NULL, 0, 0},
    {"IA", 500, 528, DG__OLN_L8, {"aaadddd"}, "C", 8, 0, 0, 60, 60, NULL, 0, 0},
    {"KS", 660, 679, DG__OLN_L8, {"dddaaa"}, "C", 6, 0, 0, 90, 60, NULL, 0, 0},
    {"KY", 400, 427, DG__OLN_L8, {"dddaaa"}, "D", 8, 0, 0, 50, 40, NULL, 0, 0},
    {"LA", 700, 714, DG__OLN_L8, {"aaadddd"}, "E", 6, 0, 0, 60, 50, NULL, 0, 0},
    {"ME", 39, 49, DG__OLN_L8, {"ddddaa"}, "C", 6, 0, 1, 40, 40, NULL, 0, 0},
    {"MD", 206, 219, DG__OLN_L8, {"daadddd"}, "C", 8, 25, 1, 90, 130, NULL, 0, 0},
    {"MA", 10, 27, DG__OLN_L8, {"daadda"}, "D", 5, 15, 1, 100, 140, NULL, 0, 0},
    {"MI", 480, 499, DG__OLN_L8, {"aaadddd"}, "O", 4, 0, 0, 60, 70, NULL, 0, 0},
    {"MN", 550, 567, DG__OLN_L8, {"aaadddd"}, "D", 4, 10, 1, 60, 100, NULL, 0, 0},
    {"MS", 386, 397, DG__OLN_L8, {"aaaddd"}, "R", 8, 0, 0, 40, 30, NULL, 0, 0},
    {"MO", 630, 658, DG__OLN_L8, {"aadadda"}, "F", 6, 0, 0, 50, 50, NULL, 0, 0},
    {"MT", 590, 599, DG__OLN_L8, {"ddadddd"}, "D", 8, 0, 0, 50, 30, NULL, 0, 0},
    {"NE", 680, 693, DG__OLN_L8, {"aaaddd"}, "O", 5, 0, 0, 90, 50, NULL, 0, 0},
    {"NV", 889, 898, DG__OLN_L8, {"daaddd"}, "C", 8, 20, 1, 180, 190, NULL, 0, 0},
    {"NH", 30, 38, DG__OLN_L8, {"ddddddd"}, "D", 5, 0, 0, 40, 60, NULL, 0, 0},
    {"NJ", 70, 89, DG__OLN_L8, {"adddaa"}, "D", 4, 25, 1, 130, 170, NULL, 0, 0},
    {"NM", 870, 884, DG__OLN_L8, {"aaadddd"}, "D", 8, 30, 1, 300, 40, NULL, 0, 0},
    {"NY", 100, 149, DG__OLN_D9, {"aaadddd"}, "D", 8, 30, 1, 130, 150, CITIES(ny_cities), 1},
    {"NC", 270, 289, DG__OLN_L8, {"aaadddd"}, "C", 8, 0, 0, 80, 70, NULL, 0, 0},
    {"ND", 580, 588, DG__OLN_L8, {"dddaaa"}, "D", 6, 0, 0, 40, 40, NULL, 0, 0},
    {"OH", 430, 459, DG__OLN_L8, {"aaadddd"}, "D", 8, 0, 0, 50, 60, NULL, 0, 0},
    {"OK", 730, 749, DG__OLN_L8, {"aaadddd"}, "D", 8, 0, 0, 90, 50, NULL, 0, 0},
    {"OR", 970, 979, DG__OLN_L8, {"dddaaa"}, "C", 8, 15, 1, 110, 110, NULL, 0, 0},
    {"PA", 150, 196, DG__OLN_L8, {"aaadddd"}, "C", 4, 0, 1, 70, 90, NULL, 0, 0},
    {"RI", 28, 29, DG__OLN_L8, {"aadddd"}, "D", 8, 0, 1, 130, 80, NULL, 0, 0},
    {"SC", 290, 299, DG__OLN_L8, {"aaaddd"}, "D", 8, 0, 0, 60, 50, NULL, 0, 0},
    {"SD", 570, 577, DG__OLN_L8, {"daadddd"}, "1", 5, 0, 0, 40, 40, NULL, 0, 0},
    {"TN", 370, 385, DG__OLN_L8, {"adddaa"}, "D", 8, 0, 0, 60, 50, NULL, 0, 0},
    {"TX", 750, 799, DG__OLN_D8, {"aaadddd"}, "C", 8, 0, 0, 260, 100, CITIES(tx_cities), 1},
    {"UT", 840, 847, DG__OLN_L8, {"adddaa"}, "D", 8, 15, 0, 110, 80, NULL, 0, 0},
    {"VT", 50, 59, DG__OLN_L8, {"aaaddd"}, "D", 4, 10, 1, 30, 50, NULL, 0, 0},
    {"VA", 220, 246, DG__OLN_L8, {"aaadddd"}, "D", 8, 20, 1, 90, 140, NULL, 0, 0},
    {"WA", 980, 994, DG__OLN_L8, {"aaadddd"}, "D", 6, 25, 1, 120, 200, NULL, 0, 0},
    {"WV", 247, 268, DG__OLN_L8, {"daddddd"}, "E", 8, 0, 0, 20, 30, NULL, 0, 0},
    {"WI", 530, 549, DG__OLN_SX_WI, {"aaadddd"}, "D", 8, 0, 0, 70, 70, CITIES(wi_cities), 1},
    {"WY", 820, 831, DG__OLN_L8, {"ddadddd"}, "C", 8, 0, 0, 100, 30, NULL, 0, 0},
    {"PR", 6, 9, DG__OLN_L8, {"aaaddd"}, "3", 6, 0, 0, 900, 10, NULL, 0, 0},
    {"GU", 969, 969, DG__OLN_L8, {"aadddd"}, "C", 5, 0, 0, 50, 400, NULL, 0, 0},
    {"VI", 8, 8, DG__OLN_L8, {"aadddd"}, "D", 5, 0, 0, 200, 20, NULL, 0, 0},
    {"AS", 967, 967, DG__OLN_L8, {"aadddd"}, "C", 5, 0, 0, 20, 300, NULL, 0, 0},
    {"MP", 969, 969, DG__OLN_L8, {"aaadddd"}, "C", 5, 0, 0, 20, 400, NULL, 0, 0},
};
_Static_assert(DG_ARRAY_LEN(states) == DG_STATE_COUNT, "a profile for every state code");

const struct dg__state *dg__state_profile(const char *code)
{
    for (size_t i = 0; i < DG_ARRAY_LEN(states); i++)
        if (strcmp(states[i].code, code) == 0)
            return &states[i];
    return NULL;
}

int dg_gen_state_has_formats(const char *state)
{
    const struct dg__state *p = state ? dg__state_profile(state) : NULL;
    return p && p->known_formats;
}

/* ---- plates ------------------------------------------------------------------------- */

static const char letters23[] = "ABCDEFGHJKLMNPRSTUVWXYZ";

static uint64_t class_size(char c)
{
    switch (c) {
    case 'a': return 23;
    case 'd': return 10;
    case 'n': return 9;
    case 's': return 5;
    default: return 1;
    }
}

uint64_t dg__plate_space(const char *pattern)
{
    uint64_t n = 1;
    for (const char *p = pattern; *p; p++)
        n *= class_size(*p);
    return n;
}

void dg__plate_format(const char *pattern, uint64_t n, char *out, size_t cap)
{
    size_t len = strlen(pattern);
    if (len >= cap)
        len = cap - 1;
    /* Mixed radix, the last position least significant. */
    for (size_t i = len; i-- > 0;) {
        char c = pattern[i];
        uint64_t k = class_size(c);
        uint64_t v = n % k;
        n /= k;
        switch (c) {
        case 'a': out[i] = letters23[v]; break;
        case 'd': out[i] = (char)('0' + v); break;
        case 'n': out[i] = (char)('1' + v); break;
        case 's': out[i] = (char)('5' + v); break;
        default: out[i] = c;
        }
    }
    out[len] = '\0';
}
