/*
 * tables.c - the frequency tables the driver generator draws from: common US
 * surnames and given names with their approximate frequencies, a generated
 * long tail of surnames, street names, and vehicle makes and models.
 *
 * Surname weights are thousands of people, rounded from the US Census
 * Bureau's 2010 surname counts (public aggregate statistics, no person's
 * data); the 200 listed cover about a quarter of the population, and the rest
 * of a synthetic population is drawn from heads x tails below. Given-name
 * weights are thousands, rounded from Social Security Administration
 * baby-name totals, with a flag for the generation that mostly carries the
 * name so that a 75-year-old is more likely DOROTHY and a 20-year-old MADISON.
 */
#include "gen_int.h"

#define H DG__F_HISPANIC
#define A DG__F_ASIAN

const struct dg__freq dg__surnames[] = {
    {"SMITH", 2443, 0},     {"JOHNSON", 1933, 0},  {"WILLIAMS", 1625, 0},  {"BROWN", 1437, 0},
    {"JONES", 1425, 0},     {"GARCIA", 1166, H},   {"MILLER", 1161, 0},    {"DAVIS", 1116, 0},
    {"RODRIGUEZ", 1095, H}, {"MARTINEZ", 1060, H}, {"HERNANDEZ", 1043, H}, {"LOPEZ", 875, H},
    {"GONZALEZ", 841, H},   {"WILSON", 802, 0},    {"ANDERSON", 784, 0},   {"THOMAS", 756, 0},
    {"TAYLOR", 751, 0},     {"MOORE", 724, 0},     {"JACKSON", 708, 0},    {"MARTIN", 703, 0},
    {"LEE", 693, A},        {"PEREZ", 682, H},     {"THOMPSON", 665, 0},   {"WHITE", 660, 0},
    {"HARRIS", 624, 0},     {"SANCHEZ", 613, H},   {"CLARK", 563, 0},      {"RAMIREZ", 557, H},
    {"LEWIS", 532, 0},      {"ROBINSON", 530, 0},  {"WALKER", 523, 0},     {"YOUNG", 484, 0},
    {"ALLEN", 483, 0},      {"KING", 465, 0},      {"WRIGHT", 459, 0},     {"SCOTT", 440, 0},
    {"TORRES", 438, H},     {"NGUYEN", 438, A},    {"HILL", 435, 0},       {"FLORES", 434, H},
    {"GREEN", 430, 0},      {"ADAMS", 428, 0},     {"NELSON", 425, 0},     {"BAKER", 420, 0},
    {"RIVERA", 420, H},     {"HALL", 407, 0},      {"CAMPBELL", 372, 0},   {"MITCHELL", 367, 0},
    {"CARTER", 363, 0},     {"ROBERTS", 358, 0},   {"GOMEZ", 352, H},      {"PHILLIPS", 351, 0},
    {"EVANS", 342, 0},      {"TURNER", 336, 0},    {"DIAZ", 331, H},       {"PARKER", 329, 0},
    {"CRUZ", 316, H},       {"EDWARDS", 314, 0},   {"COLLINS", 312, 0},    {"REYES", 311, H},
    {"STEWART", 303, 0},    {"MORRIS", 298, 0},    {"MORALES", 296, H},    {"MURPHY", 289, 0},
    {"COOK", 281, 0},       {"ROGERS", 281, 0},    {"GUTIERREZ", 276, H},  {"ORTIZ", 273, H},
    {"MORGAN", 264, 0},     {"COOPER", 264, 0},    {"PETERSON", 263, 0},   {"BAILEY", 256, 0},
    {"REED", 253, 0},       {"KELLY", 245, 0},     {"HOWARD", 245, 0},     {"RAMOS", 242, H},
    {"KIM", 240, A},        {"COX", 237, 0},       {"WARD", 237, 0},       {"RICHARDSON", 236, 0},
    {"WATSON", 235, 0},     {"BROOKS", 234, 0},    {"CHAVEZ", 231, H},     {"WOOD", 230, 0},
    {"JAMES", 229, 0},      {"BENNETT", 228, 0},   {"GRAY", 227, 0},       {"MENDOZA", 226, H},
    {"RUIZ", 225, H},       {"HUGHES", 224, 0},    {"PRICE", 223, 0},      {"ALVAREZ", 222, H},
    {"CASTILLO", 221, H},   {"SANDERS", 220, 0},   {"PATEL", 217, A},      {"MYERS", 216, 0},
    {"LONG", 215, 0},       {"ROSS", 214, 0},      {"FOSTER", 213, 0},     {"JIMENEZ", 211, H},
    {"POWELL", 210, 0},     {"JENKINS", 209, 0},   {"PERRY", 208, 0},      {"RUSSELL", 207, 0},
    {"SULLIVAN", 205, 0},   {"BELL", 204, 0},      {"COLEMAN", 203, 0},    {"BUTLER", 202, 0},
    {"HENDERSON", 201, 0},  {"BARNES", 200, 0},    {"GONZALES", 199, H},   {"FISHER", 198, 0},
    {"VASQUEZ", 197, H},    {"SIMMONS", 196, 0},   {"ROMERO", 195, H},     {"JORDAN", 194, 0},
    {"PATTERSON", 193, 0},  {"ALEXANDER", 192, 0}, {"HAMILTON", 191, 0},   {"GRAHAM", 190, 0},
    {"REYNOLDS", 189, 0},   {"GRIFFIN", 188, 0},   {"WALLACE", 187, 0},    {"MORENO", 186, H},
    {"WEST", 185, 0},       {"COLE", 184, 0},      {"HAYES", 183, 0},      {"BRYANT", 182, 0},
    {"HERRERA", 181, H},    {"GIBSON", 180, 0},    {"ELLIS", 179, 0},      {"TRAN", 178, A},
    {"MEDINA", 177, H},     {"AGUILAR", 176, H},   {"STEVENS", 175, 0},    {"MURRAY", 174, 0},
    {"FORD", 173, 0},       {"CASTRO", 172, H},    {"MARSHALL", 171, 0},   {"OWENS", 170, 0},
    {"HARRISON", 169, 0},   {"FERNANDEZ", 168, H}, {"MCDONALD", 167, 0},   {"WOODS", 166, 0},
    {"WASHINGTON", 165, 0}, {"KENNEDY", 164, 0},   {"WELLS", 163, 0},      {"VARGAS", 162, H},
    {"HENRY", 161, 0},      {"CHEN", 160, A},      {"FREEMAN", 159, 0},    {"WEBB", 158, 0},
    {"TUCKER", 157, 0},     {"GUZMAN", 156, H},    {"BURNS", 155, 0},      {"CRAWFORD", 154, 0},
    {"OLSON", 153, 0},      {"SIMPSON", 152, 0},   {"PORTER", 151, 0},     {"HUNTER", 150, 0},
    {"GORDON", 149, 0},     {"MENDEZ", 148, H},    {"SILVA", 147, H},      {"SHAW", 146, 0},
    {"SNYDER", 145, 0},     {"MASON", 144, 0},     {"DIXON", 143, 0},      {"MUNOZ", 142, H},
    {"HUNT", 141, 0},       {"HICKS", 140, 0},     {"HOLMES", 139, 0},     {"PALMER", 138, 0},
    {"WAGNER", 137, 0},     {"BLACK", 136, 0},     {"ROBERTSON", 135, 0},  {"BOYD", 134, 0},
    {"ROSE", 133, 0},       {"STONE", 132, 0},     {"SALAZAR", 131, H},    {"FOX", 130, 0},
    {"WARREN", 129, 0},     {"MILLS", 128, 0},     {"MEYER", 127, 0},      {"RICE", 126, 0},
    {"SCHMIDT", 125, 0},    {"GARZA", 124, H},     {"DANIELS", 123, 0},    {"FERGUSON", 122, 0},
    {"NICHOLS", 121, 0},    {"STEPHENS", 120, 0},  {"SOTO", 119, H},       {"WEAVER", 118, 0},
    {"RYAN", 117, 0},       {"GARDNER", 116, 0},   {"PAYNE", 115, 0},      {"GRANT", 114, 0},
    {"DUNN", 113, 0},       {"KELLEY", 112, 0},    {"SPENCER", 111, 0},    {"HAWKINS", 110, 0},
    {"ARNOLD", 109, 0},     {"PIERCE", 108, 0},    {"VAZQUEZ", 107, H},    {"HANSEN", 106, 0},
    {"PETERS", 105, 0},     {"SANTOS", 104, H},    {"HART", 103, 0},       {"BRADLEY", 102, 0},
    {"KNIGHT", 101, 0},     {"ELLIOTT", 100, 0},   {"CUNNINGHAM", 99, 0},  {"DUNCAN", 98, 0},
    {"ARMSTRONG", 97, 0},   {"HUDSON", 96, 0},     {"CARROLL", 95, 0},     {"LANE", 94, 0},
    {"RILEY", 93, 0},       {"ANDREWS", 92, 0},    {"ALVARADO", 91, H},    {"RAY", 90, 0},
    {"DELGADO", 89, H},     {"BERRY", 88, 0},      {"PERKINS", 87, 0},     {"HOFFMAN", 86, 0},
    {"JOHNSTON", 85, 0},    {"MATTHEWS", 84, 0},   {"PENA", 83, H},        {"RICHARDS", 82, 0},
    {"CONTRERAS", 81, H},   {"WILLIS", 80, 0},     {"CARPENTER", 79, 0},   {"LAWRENCE", 78, 0},
    {"SANDOVAL", 77, H},    {"WONG", 76, A},       {"NAVARRO", 75, H},     {"O'BRIEN", 74, 0},
    {"DE LA CRUZ", 60, H},  {"SMITH-JONES", 2, 0}, {"PHAM", 70, A},        {"SINGH", 69, A},
};
const size_t dg__surnames_n = DG_ARRAY_LEN(dg__surnames);
const uint64_t dg__surname_population = 308746; /* 2010 census, thousands */

/* The long tail: a head and a tail make a surname (ASHFORD, LINDQUIST ...). */
const char *const dg__surname_heads[] = {
    "ASH",  "BAR",   "BEL",  "BLACK", "BRAD",  "BRIDGE", "BROOK", "CALD", "CAR",   "CHAT",
    "CLAY", "CRAN",  "DAL",  "DEN",   "DRAKE", "EL",     "FAIR",  "FAR",  "FOR",   "GAR",
    "GOLD", "GREEN", "HAL",  "HAR",   "HART",  "HAW",    "HOL",   "KEN",  "KING",  "LANG",
    "LIND", "MAR",   "MID",  "MOR",   "NEW",   "NOR",    "OAK",   "PEM",  "RAD",   "RAN",
    "RED",  "ROCK",  "ROTH", "SAL",   "SHER",  "STAN",   "STOCK", "SUT",  "THORN", "WAL",
    "WAR",  "WEST",  "WHIT", "WIN",   "WOOD",  "YAR",    "BECK",  "KIRK", "LOCK",  "VAL",
    "KOW",  "NOV",   "PETR", "ZAL",   "OKON",  "ABR",    "BERN",  "DOM",  "FERR",  "QUIN",
};
const size_t dg__surname_heads_n = DG_ARRAY_LEN(dg__surname_heads);
const char *const dg__surname_tails[] = {
    "BY",     "TON",   "FORD",  "LEY",   "WOOD", "WELL", "FIELD", "HAM",  "MAN",  "SON",
    "RIDGE",  "WORTH", "MORE",  "STEIN", "BERG", "DALE", "LAND",  "BURN", "COTT", "HURST",
    "INGTON", "ER",    "AN",    "ELL",   "INS",  "OW",   "ERS",   "AWAY", "OCK",  "BROOK",
    "STROM",  "QUIST", "OWSKI", "ENKO",  "ETTI", "ELLI", "EZ",    "ERO",  "ICH",  "OVA",
};
const size_t dg__surname_tails_n = DG_ARRAY_LEN(dg__surname_tails);

#undef H
#undef A
#define O DG__F_OLD
#define M DG__F_MID
#define Y DG__F_YOUNG

const struct dg__freq dg__male_names[] = {
    {"JAMES", 4800, M},    {"JOHN", 4500, O},    {"ROBERT", 4400, O},      {"MICHAEL", 4300, M},
    {"WILLIAM", 3600, O},  {"DAVID", 3600, M},   {"RICHARD", 2500, O},     {"JOSEPH", 2400, M},
    {"THOMAS", 2100, O},   {"CHARLES", 2100, O}, {"CHRISTOPHER", 2000, M}, {"DANIEL", 1900, M},
    {"MATTHEW", 1600, M},  {"ANTHONY", 1400, M}, {"MARK", 1300, M},        {"DONALD", 1300, O},
    {"STEVEN", 1300, M},   {"PAUL", 1200, O},    {"ANDREW", 1200, M},      {"JOSHUA", 1200, M},
    {"KENNETH", 1100, O},  {"KEVIN", 1100, M},   {"BRIAN", 1100, M},       {"GEORGE", 1100, O},
    {"TIMOTHY", 1100, M},  {"RONALD", 1100, O},  {"EDWARD", 1000, O},      {"JASON", 1000, M},
    {"JEFFREY", 970, M},   {"RYAN", 940, Y},     {"JACOB", 920, Y},        {"GARY", 900, O},
    {"NICHOLAS", 900, M},  {"ERIC", 870, M},     {"JONATHAN", 820, M},     {"STEPHEN", 840, M},
    {"LARRY", 800, O},     {"JUSTIN", 780, M},   {"SCOTT", 780, M},        {"BRANDON", 760, Y},
    {"BENJAMIN", 740, Y},  {"SAMUEL", 700, Y},   {"GREGORY", 690, M},      {"ALEXANDER", 690, Y},
    {"FRANK", 680, O},     {"PATRICK", 680, M},  {"RAYMOND", 680, O},      {"JACK", 640, O},
    {"DENNIS", 610, O},    {"JERRY", 600, O},    {"TYLER", 590, Y},        {"AARON", 570, M},
    {"JOSE", 560, 0},      {"ADAM", 560, M},     {"NATHAN", 550, Y},       {"HENRY", 550, O},
    {"DOUGLAS", 540, M},   {"ZACHARY", 530, Y},  {"PETER", 530, O},        {"KYLE", 520, Y},
    {"ETHAN", 510, Y},     {"WALTER", 500, O},   {"NOAH", 500, Y},         {"JEREMY", 500, M},
    {"CHRISTIAN", 490, Y}, {"KEITH", 480, M},    {"ROGER", 470, O},        {"TERRY", 470, O},
    {"GERALD", 460, O},    {"HAROLD", 460, O},   {"SEAN", 460, M},         {"AUSTIN", 450, Y},
    {"CARL", 440, O},      {"ARTHUR", 440, O},   {"LAWRENCE", 430, O},     {"DYLAN", 420, Y},
    {"JESSE", 420, M},     {"JORDAN", 420, Y},   {"BRYAN", 410, M},        {"BILLY", 410, O},
    {"JOE", 400, O},       {"BRUCE", 400, O},    {"GABRIEL", 400, Y},      {"LOGAN", 390, Y},
    {"ALBERT", 390, O},    {"WILLIE", 380, O},   {"ALAN", 380, M},         {"JUAN", 380, 0},
    {"WAYNE", 370, O},     {"ELIJAH", 370, Y},   {"RANDY", 370, M},        {"ROY", 360, O},
    {"VINCENT", 360, M},   {"RALPH", 360, O},    {"EUGENE", 350, O},       {"RUSSELL", 350, O},
    {"BOBBY", 350, O},     {"MASON", 340, Y},    {"PHILIP", 340, M},       {"LOUIS", 340, O},
    {"CARLOS", 330, 0},    {"LUIS", 300, 0},     {"MIGUEL", 250, Y},       {"JESUS", 200, 0},
    {"DEVON", 150, Y},     {"MARCUS", 210, M},   {"LIAM", 300, Y},         {"AIDEN", 250, Y},
    {"MINH", 40, 0},       {"WEI", 40, 0},       {"RAJ", 30, 0},           {"OMAR", 90, Y},
};
const size_t dg__male_names_n = DG_ARRAY_LEN(dg__male_names);

const struct dg__freq dg__female_names[] = {
    {"MARY", 3200, O},      {"PATRICIA", 1600, O}, {"JENNIFER", 1500, M}, {"LINDA", 1450, O},
    {"ELIZABETH", 1600, 0}, {"BARBARA", 1400, O},  {"SUSAN", 1100, O},    {"JESSICA", 1050, M},
    {"SARAH", 1000, M},     {"KAREN", 1000, O},    {"LISA", 970, M},      {"NANCY", 1000, O},
    {"BETTY", 1000, O},     {"MARGARET", 1200, O}, {"SANDRA", 870, O},    {"ASHLEY", 850, Y},
    {"KIMBERLY", 840, M},   {"EMILY", 840, Y},     {"DONNA", 820, O},     {"MICHELLE", 810, M},
    {"CAROL", 810, O},      {"AMANDA", 770, M},    {"DOROTHY", 1100, O},  {"MELISSA", 750, M},
    {"DEBORAH", 740, O},    {"STEPHANIE", 730, M}, {"REBECCA", 700, M},   {"SHARON", 700, O},
    {"LAURA", 670, M},      {"CYNTHIA", 660, O},   {"KATHLEEN", 660, O},  {"AMY", 670, M},
    {"ANGELA", 660, M},     {"SHIRLEY", 640, O},   {"ANNA", 630, 0},      {"BRENDA", 600, O},
    {"PAMELA", 590, O},     {"EMMA", 590, Y},      {"NICOLE", 580, M},    {"HELEN", 560, O},
    {"SAMANTHA", 550, Y},   {"KATHERINE", 550, M}, {"CHRISTINE", 550, M}, {"DEBRA", 540, O},
    {"RACHEL", 520, M},     {"CAROLYN", 510, O},   {"JANET", 510, O},     {"CATHERINE", 500, O},
    {"MARIA", 500, 0},      {"HEATHER", 490, M},   {"DIANE", 480, O},     {"RUTH", 480, O},
    {"JULIE", 470, M},      {"OLIVIA", 460, Y},    {"JOYCE", 450, O},     {"VIRGINIA", 450, O},
    {"VICTORIA", 440, Y},   {"KELLY", 440, M},     {"LAUREN", 430, Y},    {"CHRISTINA", 430, M},
    {"JOAN", 430, O},       {"EVELYN", 420, O},    {"JUDITH", 420, O},    {"MEGAN", 410, Y},
    {"ANDREA", 410, M},     {"CHERYL", 410, O},    {"HANNAH", 400, Y},    {"JACQUELINE", 400, M},
    {"MARTHA", 400, O},     {"GLORIA", 390, O},    {"TERESA", 390, M},    {"ANN", 390, O},
    {"SARA", 380, M},       {"MADISON", 380, Y},   {"FRANCES", 370, O},   {"KATHRYN", 370, M},
    {"JANICE", 370, O},     {"JEAN", 360, O},      {"ABIGAIL", 360, Y},   {"ALICE", 360, O},
    {"JULIA", 350, Y},      {"JUDY", 350, O},      {"SOPHIA", 350, Y},    {"GRACE", 350, Y},
    {"DENISE", 340, M},     {"AMBER", 340, M},     {"DORIS", 340, O},     {"MARILYN", 330, O},
    {"DANIELLE", 330, M},   {"BEVERLY", 330, O},   {"ISABELLA", 320, Y},  {"THERESA", 320, M},
    {"DIANA", 320, M},      {"NATALIE", 310, Y},   {"BRITTANY", 310, Y},  {"CHARLOTTE", 310, Y},
    {"MARIE", 300, O},      {"KAYLA", 300, Y},     {"ALEXIS", 300, Y},    {"LORI", 300, M},
    {"GUADALUPE", 150, 0},  {"ROSA", 200, O},      {"ANA", 180, Y},       {"MAYA", 120, Y},
    {"MAI", 30, 0},         {"PRIYA", 30, Y},      {"FATIMA", 40, Y},     {"XIMENA", 40, Y},
};
const size_t dg__female_names_n = DG_ARRAY_LEN(dg__female_names);

#undef O
#undef M
#undef Y

const char *const dg__street_names[] = {
    "MAIN",       "OAK",      "PINE",     "MAPLE",     "CEDAR",    "ELM",       "WASHINGTON",
    "LAKE",       "HILL",     "PARK",     "WALNUT",    "SUNSET",   "LINCOLN",   "JACKSON",
    "RIVER",      "CHURCH",   "HIGHLAND", "MILL",      "FOREST",   "SPRING",    "RIDGE",
    "MEADOW",     "VALLEY",   "CHERRY",   "WILLOW",    "FRANKLIN", "JEFFERSON", "MADISON",
    "CENTER",     "ASPEN",    "BIRCH",    "COLUMBINE", "JUNIPER",  "MESA",      "CANYON",
    "VISTA",      "PRAIRIE",  "ORCHARD",  "COLLEGE",   "BROADWAY", "UNION",     "GRANT",
    "ADAMS",      "MONROE",   "HARRISON", "SHERIDAN",  "COLFAX",   "FEDERAL",   "ALAMEDA",
    "UNIVERSITY", "SPRUCE",   "LAUREL",   "HICKORY",   "POPLAR",   "SYCAMORE",  "DOGWOOD",
    "CHESTNUT",   "MAGNOLIA", "LOCUST",   "ROSEWOOD",  "FIRST",    "SECOND",    "THIRD",
    "FOURTH",     "FIFTH",    "SIXTH",    "SEVENTH",   "EIGHTH",   "NINTH",     "TENTH",
};
const size_t dg__street_names_n = DG_ARRAY_LEN(dg__street_names);

const char *const dg__generic_towns[] = {
    "SPRINGFIELD", "FRANKLIN",  "CLINTON", "GREENVILLE",      "FAIRVIEW",   "MADISON",
    "GEORGETOWN",  "ARLINGTON", "SALEM",   "BRISTOL",         "CHESTER",    "RIVERSIDE",
    "MARION",      "OXFORD",    "JACKSON", "ASHLAND",         "BURLINGTON", "CLAYTON",
    "DOVER",       "FLORENCE",  "HUDSON",  "KINGSTON",        "LEBANON",    "MANCHESTER",
    "MILTON",      "NEWPORT",   "OAKLAND", "PLEASANT VALLEY", "QUINCY",     "WINCHESTER",
};
const size_t dg__generic_towns_n = DG_ARRAY_LEN(dg__generic_towns);

/* ---- vehicles -------------------------------------------------------------------------- */

#define MODELS(a) a, DG_ARRAY_LEN(a)

static const struct dg__model toyota[] = {
    {"CAMRY", "PC", 1983, "BF1FK"},      {"COROLLA", "PC", 1981, "BURHE"},
    {"RAV4", "PC", 1996, "BFREV"},       {"TACOMA", "LT", 1995, "AZ5CN"},
    {"HIGHLANDER", "PC", 2001, "ZMRFH"}, {"TUNDRA", "LT", 2000, "DY5F1"},
    {"PRIUS", "PC", 2001, "KN3DU"},
};
static const struct dg__model ford[] = {
    {"F-150", "LT", 1981, "FW1E5"},    {"ESCAPE", "PC", 2001, "CU0GD"},
    {"EXPLORER", "PC", 1991, "K8DH8"}, {"FUSION", "PC", 2006, "P0HD7"},
    {"MUSTANG", "PC", 1981, "P8CF4"},  {"RANGER", "LT", 1983, "ER4FH"},
};
static const struct dg__model chevrolet[] = {
    {"SILVERADO", "LT", 1999, "UKEC2"}, {"EQUINOX", "PC", 2005, "XSEV4"},
    {"MALIBU", "PC", 1997, "ZD5ST"},    {"TAHOE", "PC", 1995, "SKBKC"},
    {"IMPALA", "PC", 1994, "WB5SN"},    {"COLORADO", "LT", 2004, "TGTCN"},
};
static const struct dg__model honda[] = {
    {"CIVIC", "PC", 1981, "FC2F5"}, {"ACCORD", "PC", 1981, "CV1F1"},  {"CR-V", "PC", 1997, "RW2H5"},
    {"PILOT", "PC", 2003, "YF4H5"}, {"ODYSSEY", "PC", 1995, "RL6H7"},
};
static const struct dg__model nissan[] = {
    {"ALTIMA", "PC", 1993, "BL4AP"},     {"ROGUE", "PC", 2008, "AT2MT"},
    {"SENTRA", "PC", 1982, "BB7AP"},     {"FRONTIER", "LT", 1998, "ED0EE"},
    {"PATHFINDER", "PC", 1987, "AR6MM"},
};
static const struct dg__model jeep[] = {
    {"WRANGLER", "PC", 1987, "HJXDG"},
    {"GRAND CHEROKEE", "PC", 1993, "RJFAG"},
    {"CHEROKEE", "PC", 1984, "PJLCB"},
    {"COMPASS", "PC", 2007, "NJCBB"},
};
static const struct dg__model ram[] = {
    {"1500", "LT", 2011, "RR7LT"},
    {"2500", "LT", 2011, "R5FL6"},
};
static const struct dg__model gmc[] = {
    {"SIERRA", "LT", 1988, "UKEC3"},
    {"ACADIA", "PC", 2007, "KRKED"},
    {"TERRAIN", "PC", 2010, "LSDEV"},
    {"YUKON", "PC", 1992, "S2BKC"},
};
static const struct dg__model subaru[] = {
    {"OUTBACK", "PC", 1995, "BSANC"},
    {"FORESTER", "PC", 1998, "SJAEC"},
    {"CROSSTREK", "PC", 2013, "GPAEC"},
    {"IMPREZA", "PC", 1993, "GPABC"},
};
static const struct dg__model hyundai[] = {
    {"ELANTRA", "PC", 1991, "DH4AE"},
    {"SONATA", "PC", 1989, "EC4AB"},
    {"TUCSON", "PC", 2005, "J33AF"},
    {"SANTA FE", "PC", 2001, "SRDHF"},
};
static const struct dg__model kia[] = {
    {"SORENTO", "PC", 2003, "PGDAA"}, {"SOUL", "PC", 2010, "JX3A2"},
    {"OPTIMA", "PC", 2001, "GM4A7"},  {"SPORTAGE", "PC", 1995, "PGCA7"},
    {"FORTE", "PC", 2010, "FK4A2"},
};
static const struct dg__model volkswagen[] = {
    {"JETTA", "PC", 1981, "RB7AJ"},
    {"PASSAT", "PC", 1990, "AK7A3"},
    {"TIGUAN", "PC", 2009, "V27AX"},
    {"GOLF", "PC", 1985, "DX7AU"},
};
static const struct dg__model tesla[] = {
    {"MODEL S", "PC", 2012, "SA1E2"},
    {"MODEL 3", "PC", 2017, "3E1EA"},
    {"MODEL Y", "PC", 2020, "YGDEE"},
};
static const struct dg__model bmw[] = {
    {"3 SERIES", "PC", 1981, "8E9C5"},
    {"X5", "PC", 2000, "CR6C5"},
    {"X3", "PC", 2004, "TY9C5"},
    {"5 SERIES", "PC", 1981, "JA5C5"},
};
static const struct dg__model mercedes[] = {
    {"C-CLASS", "PC", 1994, "WF8EB"},
    {"E-CLASS", "PC", 1986, "ZF8DB"},
    {"GLE", "PC", 2016, "DA5GB"},
};
static const struct dg__model dodge[] = {
    {"CHARGER", "PC", 2006, "CDXBG"},
    {"GRAND CARAVAN", "PC", 1987, "RDGBG"},
    {"DURANGO", "PC", 1998, "RDJDG"},
    {"CHALLENGER", "PC", 2008, "DZAG3"},
};
static const struct dg__model mazda[] = {
    {"MAZDA3", "PC", 2004, "BM1U7"},
    {"CX-5", "PC", 2013, "KE2CY"},
    {"MAZDA6", "PC", 2003, "GJ1U5"},
};
static const struct dg__model lexus[] = {
    {"RX", "PC", 1999, "BK1BA"},
    {"ES", "PC", 1990, "BK1EB"},
};
static const struct dg__model audi[] = {
    {"A4", "PC", 1996, "ANAF4"},
    {"Q5", "PC", 2009, "CNAF7"},
};
static const struct dg__model buick[] = {
    {"ENCLAVE", "PC", 2008, "ERBKD"},
    {"ENCORE", "PC", 2013, "JASB2"},
    {"LACROSSE", "PC", 2005, "GB5EG"},
};

const struct dg__make dg__makes_auto[] = {
    {"TOYOTA", "4T1", 140, MODELS(toyota)},
    {"FORD", "1FT", 130, MODELS(ford)},
    {"CHEVROLET", "1GC", 120, MODELS(chevrolet)},
    {"HONDA", "1HG", 90, MODELS(honda)},
    {"NISSAN", "1N4", 70, MODELS(nissan)},
    {"JEEP", "1C4", 40, MODELS(jeep)},
    {"RAM", "1C6", 40, MODELS(ram)},
    {"GMC", "1GT", 35, MODELS(gmc)},
    {"SUBARU", "4S4", 40, MODELS(subaru)},
    {"HYUNDAI", "5NP", 45, MODELS(hyundai)},
    {"KIA", "KNA", 35, MODELS(kia)},
    {"VOLKSWAGEN", "3VW", 25, MODELS(volkswagen)},
    {"TESLA", "5YJ", 15, MODELS(tesla)},
    {"BMW", "WBA", 20, MODELS(bmw)},
    {"MERCEDES-BENZ", "WDD", 20, MODELS(mercedes)},
    {"DODGE", "2C3", 30, MODELS(dodge)},
    {"MAZDA", "JM1", 20, MODELS(mazda)},
    {"LEXUS", "JTH", 15, MODELS(lexus)},
    {"AUDI", "WAU", 10, MODELS(audi)},
    {"BUICK", "1G4", 12, MODELS(buick)},
};
const size_t dg__makes_auto_n = DG_ARRAY_LEN(dg__makes_auto);

static const struct dg__model harley[] = {
    {"SPORTSTER", "MC", 1981, "LC11B"},
    {"ROAD KING", "MC", 1994, "FR41C"},
    {"STREET GLIDE", "MC", 2006, "KB41D"},
};
static const struct dg__model honda_mc[] = {
    {"GOLD WING", "MC", 1981, "SC79A"},
    {"REBEL", "MC", 1985, "PC56A"},
};
static const struct dg__model yamaha[] = {
    {"YZF-R1", "MC", 1998, "RN49Y"},
    {"V STAR", "MC", 1998, "VP02E"},
};
static const struct dg__model kawasaki[] = {
    {"NINJA", "MC", 1984, "EXCJD"},
    {"VULCAN", "MC", 1985, "VNDDF"},
};
const struct dg__make dg__makes_moto[] = {
    {"HARLEY-DAVIDSON", "1HD", 50, MODELS(harley)},
    {"HONDA", "JH2", 20, MODELS(honda_mc)},
    {"YAMAHA", "JYA", 15, MODELS(yamaha)},
    {"KAWASAKI", "JKA", 15, MODELS(kawasaki)},
};
const size_t dg__makes_moto_n = DG_ARRAY_LEN(dg__makes_moto);

static const struct dg__model bigtex[] = {{"UTILITY", "TL", 1985, "UBA14"}};
static const struct dg__model carryon[] = {{"UTILITY", "TL", 1990, "MK102"}};
static const struct dg__model forestriver[] = {{"TRAVEL TRAILER", "TL", 1996, "TR2B5"}};
const struct dg__make dg__makes_trailer[] = {
    {"BIG TEX", "16V", 40, MODELS(bigtex)},
    {"CARRY-ON", "4YM", 30, MODELS(carryon)},
    {"FOREST RIVER", "4X4", 30, MODELS(forestriver)},
};
const size_t dg__makes_trailer_n = DG_ARRAY_LEN(dg__makes_trailer);

static const struct dg__model freightliner[] = {{"CASCADIA", "CO", 2008, "ZGDDR"}};
static const struct dg__model international[] = {{"LT", "CO", 2017, "DZAPR"}};
static const struct dg__model peterbilt[] = {{"579", "CO", 2012, "DB9X4"}};
static const struct dg__model kenworth[] = {{"T680", "CO", 2013, "HD49X"}};
const struct dg__make dg__makes_commercial[] = {
    {"FREIGHTLINER", "1FU", 40, MODELS(freightliner)},
    {"INTERNATIONAL", "3HS", 25, MODELS(international)},
    {"PETERBILT", "1XP", 18, MODELS(peterbilt)},
    {"KENWORTH", "1XK", 17, MODELS(kenworth)},
};
const size_t dg__makes_commercial_n = DG_ARRAY_LEN(dg__makes_commercial);
