/*
 * generate.c - the synthetic agency directory (dg_agencies_generate,
 * `dmvgate agencies generate`): about 18,000 agencies shaped like the real
 * population that queries DMV records through the interstate switch.
 *
 * Per state: a sheriff in every county (none where the office does not
 * exist: AK, CT, DC, HI, RI and the territories), municipal police in numbers
 * close to the Bureau of Justice Statistics census of agencies, the state
 * police with its troops, the state investigative bureau, corrections,
 * attorney general and wildlife officers, county courts, prosecutors, jails
 * and special-jurisdiction police (campus, transit, airport, parks), and
 * tribal police where reservations are. Federal field offices of DHS (ICE-ERO,
 * HSI, CBP, USSS, ...), DOJ (FBI, DEA, USMS, ATF, BOP, ...) and other
 * departments are spread over the states by population. 287(g) agreements go
 * to a share of sheriffs that follows each state's law and practice (none
 * where state law forbids them, all in Florida), and about 1.5% of entries
 * are "unspecified": an agency whose type was never recorded.
 *
 * ORIs follow the NCIC shape: the state, a three-digit county and an agency
 * number, with a trailing letter for courts (J), prosecutors (A), jails (C)
 * and special jurisdictions (S); state agencies ST + two letters + digits;
 * federal offices ST + a three-letter component code + four digits. Names are
 * generated (towns, counties); none is meant to be a real agency.
 */
#include "../gen/gen_int.h"

#include <dmvgate/agency.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct st_info {
    const char *code, *name, *city; /* the state's largest city, for federal offices */
    uint16_t counties, munis;
    uint16_t g287_pm; /* per mille of sheriffs with a 287(g) agreement */
    uint8_t tribal, troops;
    uint16_t pop; /* population, hundred thousands (for spreading federal offices) */
};

static const struct st_info states[] = {
    {"AL", "ALABAMA", "BIRMINGHAM", 67, 360, 350, 1, 8, 50},
    {"AK", "ALASKA", "ANCHORAGE", 0, 45, 0, 10, 5, 7},
    {"AZ", "ARIZONA", "PHOENIX", 15, 95, 200, 25, 12, 73},
    {"AR", "ARKANSAS", "LITTLE ROCK", 75, 240, 250, 0, 12, 30},
    {"CA", "CALIFORNIA", "LOS ANGELES", 58, 330, 0, 20, 8, 390},
    {"CO", "COLORADO", "DENVER", 64, 210, 0, 2, 6, 58},
    {"CT", "CONNECTICUT", "HARTFORD", 0, 95, 0, 2, 11, 36},
    {"DE", "DELAWARE", "WILMINGTON", 3, 45, 0, 0, 5, 10},
    {"DC", "DISTRICT OF COLUMBIA", "WASHINGTON", 0, 1, 0, 0, 0, 7},
    {"FL", "FLORIDA", "MIAMI", 67, 270, 1000, 2, 10, 220},
    {"GA", "GEORGIA", "ATLANTA", 159, 390, 300, 0, 9, 108},
    {"HI", "HAWAII", "HONOLULU", 0, 4, 0, 0, 0, 14},
    {"ID", "IDAHO", "BOISE", 44, 75, 200, 4, 6, 19},
    {"IL", "ILLINOIS", "CHICAGO", 102, 780, 0, 0, 21, 126},
    {"IN", "INDIANA", "INDIANAPOLIS", 92, 400, 150, 0, 14, 68},
    {"IA", "IOWA", "DES MOINES", 99, 330, 100, 1, 16, 32},
    {"KS", "KANSAS", "WICHITA", 105, 300, 150, 3, 7, 29},
    {"KY", "KENTUCKY", "LOUISVILLE", 120, 330, 150, 0, 16, 45},
    {"LA", "LOUISIANA", "NEW ORLEANS", 64, 290, 300, 1, 9, 46},
    {"ME", "MAINE", "PORTLAND", 16, 110, 50, 3, 7, 14},
    {"MD", "MARYLAND", "BALTIMORE", 24, 100, 100, 0, 23, 62},
    {"MA", "MASSACHUSETTS", "BOSTON", 14, 350, 10, 1, 6, 70},
    {"MI", "MICHIGAN", "DETROIT", 83, 450, 50, 8, 7, 101},
    {"MN", "MINNESOTA", "MINNEAPOLIS", 87, 300, 30, 12, 11, 57},
    {"MS", "MISSISSIPPI", "JACKSON", 82, 260, 250, 1, 9, 29},
    {"MO", "MISSOURI", "KANSAS CITY", 115, 500, 150, 0, 9, 62},
    {"MT", "MONTANA", "BILLINGS", 56, 55, 150, 8, 8, 11},
    {"NE", "NEBRASKA", "OMAHA", 93, 140, 200, 4, 6, 20},
    {"NV", "NEVADA", "LAS VEGAS", 17, 25, 150, 10, 4, 32},
    {"NH", "NEW HAMPSHIRE", "MANCHESTER", 10, 200, 100, 0, 10, 14},
    {"NJ", "NEW JERSEY", "NEWARK", 21, 470, 0, 0, 5, 93},
    {"NM", "NEW MEXICO", "ALBUQUERQUE", 33, 80, 0, 24, 12, 21},
    {"NY", "NEW YORK", "NEW YORK", 62, 400, 0, 4, 11, 197},
    {"NC", "NORTH CAROLINA", "CHARLOTTE", 100, 380, 250, 1, 8, 108},
    {"ND", "NORTH DAKOTA", "FARGO", 53, 70, 150, 5, 4, 8},
    {"OH", "OHIO", "COLUMBUS", 88, 760, 100, 0, 10, 118},
    {"OK", "OKLAHOMA", "OKLAHOMA CITY", 77, 360, 300, 30, 13, 40},
    {"OR", "OREGON", "PORTLAND", 36, 130, 0, 6, 5, 42},
    {"PA", "PENNSYLVANIA", "PHILADELPHIA", 67, 960, 50, 0, 16, 130},
    {"RI", "RHODE ISLAND", "PROVIDENCE", 0, 40, 0, 1, 5, 11},
    {"SC", "SOUTH CAROLINA", "COLUMBIA", 46, 210, 350, 1, 7, 53},
    {"SD", "SOUTH DAKOTA", "SIOUX FALLS", 66, 75, 150, 10, 6, 9},
    {"TN", "TENNESSEE", "NASHVILLE", 95, 280, 300, 0, 8, 70},
    {"TX", "TEXAS", "HOUSTON", 254, 870, 450, 3, 20, 300},
    {"UT", "UTAH", "SALT LAKE CITY", 29, 100, 150, 4, 13, 34},
    {"VT", "VERMONT", "BURLINGTON", 14, 50, 0, 0, 10, 6},
    {"VA", "VIRGINIA", "VIRGINIA BEACH", 123, 200, 200, 0, 7, 87},
    {"WA", "WASHINGTON", "SEATTLE", 39, 200, 0, 25, 8, 78},
    {"WV", "WEST VIRGINIA", "CHARLESTON", 55, 190, 200, 0, 7, 18},
    {"WI", "WISCONSIN", "MILWAUKEE", 72, 430, 80, 10, 5, 59},
    {"WY", "WYOMING", "CHEYENNE", 23, 45, 200, 2, 5, 6},
    {"PR", "PUERTO RICO", "SAN JUAN", 0, 78, 0, 0, 13, 32},
    {"GU", "GUAM", "HAGATNA", 0, 1, 0, 0, 0, 2},
    {"VI", "VIRGIN ISLANDS", "CHARLOTTE AMALIE", 0, 1, 0, 0, 0, 1},
    {"AS", "AMERICAN SAMOA", "PAGO PAGO", 0, 1, 0, 0, 0, 1},
    {"MP", "NORTHERN MARIANA ISLANDS", "SAIPAN", 0, 1, 0, 0, 0, 1},
};
_Static_assert(DG_ARRAY_LEN(states) == DG_STATE_COUNT, "every state code");

/* Federal components: department, component, ORI code, category, offices
 * nationwide, and the states that get extra offices (border and ports). */
static const struct {
    const char *dept, *comp, *code, *office;
    enum dg_category cat;
    uint16_t offices;
    const char *extra; /* states with more offices than their population suggests */
} federal[] = {
    {"DHS", "ICE-ERO", "ICE", "ICE ERO %s FIELD OFFICE", DG_CAT_FEDERAL_LE, 150, "TX AZ CA FL"},
    {"DHS", "HSI", "HSI", "HSI %s", DG_CAT_FEDERAL_LE, 230, "TX AZ CA FL NY"},
    {"DHS", "CBP", "CBP", "CBP %s STATION", DG_CAT_FEDERAL_LE, 170, "TX AZ CA NM WA MI NY"},
    {"DHS", "USSS", "USS", "SECRET SERVICE %s FIELD OFFICE", DG_CAT_FEDERAL_LE, 80, ""},
    {"DHS", "TSA", "TSA", "FEDERAL AIR MARSHALS %s", DG_CAT_FEDERAL_LE, 20, ""},
    {"DHS", "FPS", "FPS", "FEDERAL PROTECTIVE SERVICE %s", DG_CAT_FEDERAL_LE, 30, "DC"},
    {"DHS", "CGIS", "CGI", "COAST GUARD INVESTIGATIVE SERVICE %s", DG_CAT_FEDERAL_LE, 25, "FL"},
    {"DOJ", "FBI", "FBI", "FBI %s FIELD OFFICE", DG_CAT_FEDERAL_LE, 110, ""},
    {"DOJ", "DEA", "DEA", "DEA %s DISTRICT OFFICE", DG_CAT_FEDERAL_LE, 90, "TX AZ CA"},
    {"DOJ", "USMS", "USM", "US MARSHALS SERVICE %s", DG_CAT_FEDERAL_LE, 110, ""},
    {"DOJ", "ATF", "ATF", "ATF %s FIELD OFFICE", DG_CAT_FEDERAL_LE, 70, ""},
    {"DOJ", "BOP", "BOP", "FEDERAL CORRECTIONAL INSTITUTION %s", DG_CAT_CORRECTIONS, 60, ""},
    {"DOJ", "OIG", "DJO", "DOJ OFFICE OF THE INSPECTOR GENERAL %s", DG_CAT_FEDERAL_LE, 12, ""},
    {"TREASURY", "IRS-CI", "IRS", "IRS CRIMINAL INVESTIGATION %s", DG_CAT_FEDERAL_LE, 40, ""},
    {"DOI", "BIA", "BIA", "BIA OFFICE OF JUSTICE SERVICES %s", DG_CAT_FEDERAL_LE, 20,
     "AZ NM OK SD MT"},
    {"DOI", "NPS", "NPS", "NATIONAL PARK SERVICE RANGERS %s", DG_CAT_FEDERAL_LE, 40, "UT WY AZ"},
    {"DOI", "FWS", "FWS", "FISH AND WILDLIFE SERVICE %s", DG_CAT_FEDERAL_LE, 15, ""},
    {"USDA", "USFS", "USF", "FOREST SERVICE LAW ENFORCEMENT %s", DG_CAT_FEDERAL_LE, 20, "OR CO"},
    {"DOD", "ARMY-CID", "CID", "ARMY CID %s", DG_CAT_FEDERAL_LE, 25, ""},
    {"DOD", "NCIS", "NCS", "NCIS %s", DG_CAT_FEDERAL_LE, 15, "VA CA"},
    {"DOD", "AFOSI", "OSI", "AIR FORCE OSI %s", DG_CAT_FEDERAL_LE, 20, ""},
    {"USPS", "USPIS", "USP", "POSTAL INSPECTION SERVICE %s", DG_CAT_FEDERAL_LE, 30, ""},
    {"DOS", "DSS", "DSS", "DIPLOMATIC SECURITY SERVICE %s", DG_CAT_FEDERAL_LE, 15, ""},
    {"HHS", "OIG", "HHO", "HHS OFFICE OF THE INSPECTOR GENERAL %s", DG_CAT_FEDERAL_LE, 15, ""},
    {"SSA", "OIG", "SSO", "SSA OFFICE OF THE INSPECTOR GENERAL %s", DG_CAT_FEDERAL_LE, 12, ""},
    {"VA", "VA-POLICE", "VAP", "VA POLICE %s MEDICAL CENTER", DG_CAT_FEDERAL_LE, 60, ""},
};

/* Pieces of generated place names. */
static const char *const town_heads[] = {
    "GREEN",    "OAK",     "FAIR",      "SPRING",  "MAPLE",  "CEDAR",    "RIVER",   "LAKE",
    "PINE",     "ELM",     "ASH",       "BROOK",   "CLEAR",  "MILL",     "STONE",   "WEST",
    "EAST",     "NORTH",   "SOUTH",     "MIDDLE",  "NEW",    "HIGH",     "WOOD",    "GLEN",
    "ROCK",     "SAND",    "RED",       "WHITE",   "SILVER", "GOLD",     "BEL",     "MOUNT",
    "PLEASANT", "HAZEL",   "BIRCH",     "CHERRY",  "WALNUT", "WILLOW",   "SUMMIT",  "CROSS",
    "BRIDGE",   "HARBOR",  "PORT",      "LIBERTY", "UNION",  "FRANKLIN", "MARION",  "HAMILTON",
    "CLINTON",  "MADISON", "JEFFERSON", "LINCOLN", "WARREN", "MONROE",   "JACKSON", "GRANT",
};
static const char *const town_tails[] = {
    "VILLE", "TON",     "FIELD",  "DALE",      "WOOD",     " HEIGHTS", " PARK",
    " CITY", "BURG",    "PORT",   " FALLS",    " SPRINGS", " GROVE",   " HILLS",
    "FORD",  " VALLEY", " RIDGE", " JUNCTION", "MONT",     " CREEK",   "LAND",
    " LAKE", " CENTER", "BORO",   "HAVEN",     " MILLS",   " POINT",   " BLUFF",
};
static const char *const county_names[] = {
    "WASHINGTON", "JEFFERSON", "FRANKLIN", "JACKSON", "LINCOLN",    "MADISON",  "MONTGOMERY",
    "CLAY",       "UNION",     "MARION",   "MONROE",  "GREENE",     "WARREN",   "WAYNE",
    "GRANT",      "CARROLL",   "HANCOCK",  "ADAMS",   "LAWRENCE",   "JOHNSON",  "MARSHALL",
    "CLARK",      "POLK",      "BENTON",   "DOUGLAS", "LAKE",       "HAMILTON", "CRAWFORD",
    "LOGAN",      "CLINTON",   "SCOTT",    "LEE",     "MORGAN",     "PIKE",     "RANDOLPH",
    "FAYETTE",    "HOWARD",    "MARION",   "PERRY",   "BOONE",      "CALHOUN",  "HARRISON",
    "SHELBY",     "COLUMBIA",  "DELAWARE", "KNOX",    "LIVINGSTON", "MERCER",   "MILLER",
    "PUTNAM",     "SULLIVAN",  "WEBSTER",  "BROWN",   "CASS",       "DALLAS",   "ELK",
    "GARFIELD",   "HOUSTON",   "JASPER",   "LYON",    "MASON",      "NEWTON",   "OTTAWA",
    "RUSSELL",    "SALINE",    "TAYLOR",   "WHITE",   "YORK",       "ALLEN",    "BOULDER",
};
static const char *const university_words[] = {"STATE",   "A AND M",  "TECH",
                                               "CENTRAL", "NORTHERN", "SOUTHERN",
                                               "EASTERN", "WESTERN",  "COMMUNITY"};

struct gen {
    struct dg_rng rng;
    struct dg_agency *v;
    size_t n, cap;
    int failed;
    /* names used in the current state, to keep them unique */
    char (*names)[48];
    size_t nnames;
};

static void add(struct gen *g, const char *ori, const char *st, const char *name,
                enum dg_level level, enum dg_category cat, const char *dept, const char *comp,
                uint32_t agr)
{
    if (g->failed)
        return;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4096;
        struct dg_agency *v = dg_realloc(g->v, cap * sizeof(*v));
        if (!v) {
            g->failed = 1;
            return;
        }
        g->v = v;
        g->cap = cap;
    }
    struct dg_agency *a = &g->v[g->n++];
    memset(a, 0, sizeof(*a));
    snprintf(a->ori, sizeof(a->ori), "%s", ori);
    memcpy(a->state, st, 2);
    snprintf(a->name, sizeof(a->name), "%s", name);
    a->level = level;
    a->category = cat;
    snprintf(a->department, sizeof(a->department), "%s", dept);
    snprintf(a->component, sizeof(a->component), "%s", comp);
    a->agreements = agr;
}

static int name_used(struct gen *g, const char *s)
{
    for (size_t i = 0; i < g->nnames; i++)
        if (strcmp(g->names[i], s) == 0)
            return 1;
    return 0;
}

static void remember(struct gen *g, const char *s)
{
    if (g->nnames < 4096)
        snprintf(g->names[g->nnames++], sizeof(g->names[0]), "%s", s);
}

/* A place name not used yet in this state. */
static void town(struct gen *g, char *out, size_t cap)
{
    for (int tries = 0;; tries++) {
        const char *h = town_heads[dg_rng_below(&g->rng, DG_ARRAY_LEN(town_heads))];
        const char *t = town_tails[dg_rng_below(&g->rng, DG_ARRAY_LEN(town_tails))];
        if (tries < 20)
            snprintf(out, cap, "%s%s", h, t);
        else
            snprintf(out, cap, "%s %s%s", tries % 2 ? "NEW" : "EAST", h, t);
        if (!name_used(g, out) || tries > 40) {
            remember(g, out);
            return;
        }
    }
}

static void county(struct gen *g, int i, char *out, size_t cap)
{
    if ((size_t)i < DG_ARRAY_LEN(county_names) && !name_used(g, county_names[i])) {
        snprintf(out, cap, "%s", county_names[i]);
        remember(g, out);
    } else
        town(g, out, cap);
}

static uint32_t agreements_287g(struct gen *g)
{
    uint32_t a = 0;
    while (!a) {
        if (dg_rng_chance(&g->rng, 450))
            a |= DG_AGR_287G_JAIL;
        if (dg_rng_chance(&g->rng, 400))
            a |= DG_AGR_287G_TASK_FORCE;
        if (dg_rng_chance(&g->rng, 450))
            a |= DG_AGR_287G_WARRANT_SERVICE;
    }
    return a;
}

/* Two-character agency number within a county: 01-99, then A0-Z9. */
static void seq2(unsigned k, char out[3])
{
    if (k < 100)
        snprintf(out, 3, "%02u", k);
    else {
        k -= 100;
        out[0] = (char)('A' + (k / 10) % 26);
        out[1] = (char)('0' + k % 10);
        out[2] = '\0';
    }
}

static void gen_state(struct gen *g, const struct st_info *s)
{
    char ori[16], name[160], place[48], sq[3];
    const char *st = s->code;
    g->nnames = 0;
    unsigned ncounties = s->counties ? s->counties : 1;
    unsigned *next = dg_calloc(ncounties, sizeof(unsigned)); /* next agency number per county */
    char(*cnames)[48] = dg_calloc(ncounties, sizeof(*cnames));
    if (!next || !cnames) {
        g->failed = 1;
        goto out;
    }
    for (unsigned c = 0; c < ncounties; c++) {
        county(g, (int)c, cnames[c], sizeof(cnames[c]));
        next[c] = 1;
        if (!s->counties)
            continue;
        snprintf(ori, sizeof(ori), "%s%03u0000", st, c + 1);
        snprintf(name, sizeof(name), "%s %s SHERIFF'S OFFICE", cnames[c],
                 strcmp(st, "LA") == 0 ? "PARISH" : "COUNTY");
        uint32_t agr = dg_rng_chance(&g->rng, s->g287_pm) ? agreements_287g(g) : 0;
        add(g, ori, st, name, DG_LEVEL_LOCAL, DG_CAT_SHERIFF, "", "", agr);
    }
    /* Municipal police: 85% of the census counts, spread over the counties. */
    unsigned munis = s->munis > 1 ? s->munis * 85 / 100 : s->munis;
    for (unsigned i = 0; i < munis; i++) {
        unsigned c = (unsigned)dg_rng_below(&g->rng, ncounties);
        seq2(next[c]++, sq);
        snprintf(ori, sizeof(ori), "%s%03u%s00", st, c + 1, sq);
        if (strcmp(st, "DC") == 0)
            snprintf(place, sizeof(place), "METROPOLITAN");
        else
            town(g, place, sizeof(place));
        if (dg_rng_chance(&g->rng, 30))
            snprintf(name, sizeof(name), "POLICE DEPARTMENT, CITY OF %s", place);
        else
            snprintf(name, sizeof(name), "%s POLICE DEPARTMENT", place);
        uint32_t agr = 0;
        /* A few police departments have task-force agreements too, many in
         * Florida; none where the state forbids 287(g) (g287_pm 0). */
        if (s->g287_pm && dg_rng_chance(&g->rng, strcmp(st, "FL") == 0 ? 300 : 5))
            agr = DG_AGR_287G_TASK_FORCE;
        add(g, ori, st, name, DG_LEVEL_LOCAL, DG_CAT_MUNICIPAL_POLICE, "", "", agr);
    }
    /* County courts, prosecutors, jails, special jurisdictions. */
    static const struct {
        enum dg_category cat;
        char suffix;
        unsigned per_mille; /* per county */
    } county_kinds[] = {
        {DG_CAT_COURT, 'J', 120},
        {DG_CAT_PROSECUTOR, 'A', 100},
        {DG_CAT_CORRECTIONS, 'C', 60},
        {DG_CAT_OTHER_LE, 'S', 110},
    };
    for (size_t k = 0; k < DG_ARRAY_LEN(county_kinds); k++) {
        unsigned count = (ncounties * county_kinds[k].per_mille + 500) / 1000;
        for (unsigned i = 0; i < count; i++) {
            unsigned c = (unsigned)dg_rng_below(&g->rng, ncounties);
            snprintf(ori, sizeof(ori), "%s%03u%03u%c", st, c + 1, 10 + i, county_kinds[k].suffix);
            switch (county_kinds[k].cat) {
            case DG_CAT_COURT:
                snprintf(name, sizeof(name), "%s COUNTY DISTRICT COURT", cnames[c]);
                break;
            case DG_CAT_PROSECUTOR:
                snprintf(name, sizeof(name), "%s COUNTY DISTRICT ATTORNEY'S OFFICE", cnames[c]);
                break;
            case DG_CAT_CORRECTIONS:
                snprintf(name, sizeof(name), "%s COUNTY DETENTION CENTER", cnames[c]);
                break;
            default: {
                static const char *const kinds[] = {"UNIVERSITY POLICE", "TRANSIT POLICE",
                                                    "AIRPORT POLICE", "PARK RANGERS",
                                                    "SCHOOL DISTRICT POLICE"};
                size_t w = dg_rng_below(&g->rng, DG_ARRAY_LEN(kinds));
                if (w == 0)
                    snprintf(
                        name, sizeof(name), "%s %s UNIVERSITY POLICE", cnames[c],
                        university_words[dg_rng_below(&g->rng, DG_ARRAY_LEN(university_words))]);
                else
                    snprintf(name, sizeof(name), "%s COUNTY %s", cnames[c], kinds[w]);
            }
            }
            add(g, ori, st, name, DG_LEVEL_LOCAL, county_kinds[k].cat, "", "", 0);
        }
    }
    /* State agencies. */
    if (s->troops) {
        const char *sp = strcmp(st, "CO") == 0 || strcmp(st, "WA") == 0 ? "STATE PATROL"
                         : strcmp(st, "CA") == 0 || strcmp(st, "FL") == 0 || strcmp(st, "AZ") == 0
                             ? "HIGHWAY PATROL"
                             : "STATE POLICE";
        uint32_t agr = strcmp(st, "FL") == 0 || strcmp(st, "TX") == 0 ? DG_AGR_287G_TASK_FORCE : 0;
        for (unsigned t = 0; t <= s->troops; t++) {
            snprintf(ori, sizeof(ori), "%sSP%03u00", st, t);
            if (t == 0)
                snprintf(name, sizeof(name), "%s %s HEADQUARTERS", s->name, sp);
            else
                snprintf(name, sizeof(name), "%s %s TROOP %c", s->name, sp, 'A' + (t - 1) % 26);
            add(g, ori, st, name, DG_LEVEL_STATE, DG_CAT_STATE_POLICE, "", "", agr);
        }
        static const struct {
            const char *code, *fmt;
            enum dg_category cat;
        } state_kinds[] = {
            {"BI", "%s BUREAU OF INVESTIGATION", DG_CAT_STATE_POLICE},
            {"DC", "%s DEPARTMENT OF CORRECTIONS", DG_CAT_CORRECTIONS},
            {"AG", "%s ATTORNEY GENERAL'S OFFICE", DG_CAT_PROSECUTOR},
            {"FW", "%s DIVISION OF WILDLIFE OFFICERS", DG_CAT_OTHER_LE},
            {"MV", "%s MOTOR VEHICLE INVESTIGATIONS UNIT", DG_CAT_OTHER_LE},
        };
        for (size_t k = 0; k < DG_ARRAY_LEN(state_kinds); k++) {
            snprintf(ori, sizeof(ori), "%s%s00000", st, state_kinds[k].code);
            snprintf(name, sizeof(name), state_kinds[k].fmt, s->name);
            add(g, ori, st, name, DG_LEVEL_STATE, state_kinds[k].cat, "", "", 0);
        }
    }
    for (unsigned t = 0; t < s->tribal; t++) {
        town(g, place, sizeof(place));
        unsigned c = (unsigned)dg_rng_below(&g->rng, ncounties);
        snprintf(ori, sizeof(ori), "%s%03u%03uT", st, c + 1, 10 + t);
        snprintf(name, sizeof(name), "%s TRIBAL POLICE DEPARTMENT", place);
        add(g, ori, st, name, DG_LEVEL_TRIBAL, DG_CAT_TRIBAL_POLICE, "", "", 0);
    }
out:
    dg_free(next);
    dg_free(cnames);
}

static void gen_federal(struct gen *g)
{
    char ori[16], name[160], place[64];
    for (size_t f = 0; f < DG_ARRAY_LEN(federal); f++) {
        unsigned per_state[DG_ARRAY_LEN(states)] = {0};
        /* Every office goes to a state drawn by population, tripled for the
         * component's "extra" states; each component has at least one office
         * in DC (headquarters). */
        unsigned w[DG_ARRAY_LEN(states)];
        for (size_t i = 0; i < DG_ARRAY_LEN(states); i++) {
            w[i] = states[i].pop;
            if (strstr(federal[f].extra, states[i].code))
                w[i] *= 3;
        }
        for (unsigned k = 1; k < federal[f].offices; k++)
            per_state[dg__pick_weights(&g->rng, w, DG_ARRAY_LEN(states))]++;
        for (size_t i = 0; i < DG_ARRAY_LEN(states); i++) {
            unsigned n = per_state[i] + (strcmp(states[i].code, "DC") == 0);
            for (unsigned k = 0; k < n; k++) {
                snprintf(ori, sizeof(ori), "%s%s%04u", states[i].code, federal[f].code, k * 10);
                if (k == 0)
                    snprintf(place, sizeof(place), "%s", states[i].city);
                else
                    snprintf(place, sizeof(place), "%s RESIDENT OFFICE %u", states[i].city, k);
                if (strcmp(states[i].code, "DC") == 0 && k == 0)
                    snprintf(place, sizeof(place), "HEADQUARTERS");
                snprintf(name, sizeof(name), federal[f].office, place);
                add(g, ori, states[i].code, name, DG_LEVEL_FEDERAL, federal[f].cat, federal[f].dept,
                    federal[f].comp, 0);
            }
        }
    }
}

/* Agencies whose type was never recorded: about 1.5% of the directory. */
static void gen_unspecified(struct gen *g)
{
    size_t n = g->n * 15 / 985;
    static const char *const kinds[] = {"PUBLIC SAFETY",      "REGIONAL TASK FORCE",
                                        "INFORMATION CENTER", "CONSTABLE",
                                        "SECURITY DIVISION",  "INVESTIGATIONS UNIT"};
    char ori[16], name[160], place[48];
    for (size_t i = 0; i < n; i++) {
        size_t s = dg_rng_below(&g->rng, DG_ARRAY_LEN(states) - 5); /* not the territories */
        g->nnames = 0;
        town(g, place, sizeof(place));
        snprintf(ori, sizeof(ori), "%s%03u%02uU0", states[s].code,
                 (unsigned)dg_rng_below(&g->rng, 999) + 1, (unsigned)(i % 100));
        snprintf(name, sizeof(name), "%s %s", place,
                 kinds[dg_rng_below(&g->rng, DG_ARRAY_LEN(kinds))]);
        add(g, ori, states[s].code, name, DG_LEVEL_UNSPECIFIED, DG_CAT_UNSPECIFIED, "", "", 0);
    }
}

static int by_ori(const void *a, const void *b)
{
    return strcmp(((const struct dg_agency *)a)->ori, ((const struct dg_agency *)b)->ori);
}

int dg_agencies_generate(struct dg_directory *d, uint64_t seed, struct dg_error *err)
{
    struct gen g = {0};
    dg_rng_seed(&g.rng, seed ^ 0x6167656e63696573ull); /* "agencies" */
    g.names = dg_calloc(4096, sizeof(*g.names));
    if (!g.names)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    for (size_t i = 0; i < DG_ARRAY_LEN(states) && !g.failed; i++)
        gen_state(&g, &states[i]);
    gen_federal(&g);
    gen_unspecified(&g);
    int rc = 0;
    if (g.failed)
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    if (!rc) {
        qsort(g.v, g.n, sizeof(*g.v), by_ori);
        size_t added = 0;
        for (size_t i = 0; i < g.n && !rc; i++) {
            /* The rare duplicate ORI (an unspecified agency landing on a used
             * number) is skipped rather than renumbered, to keep the order. */
            if (i && strcmp(g.v[i].ori, g.v[i - 1].ori) == 0)
                continue;
            rc = dg_directory_add(d, &g.v[i], err);
            added++;
        }
        if (!rc)
            rc = (int)added;
    }
    dg_free(g.v);
    dg_free(g.names);
    return rc;
}
