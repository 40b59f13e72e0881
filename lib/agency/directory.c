/*
 * directory.c - struct dg_directory, the in-memory agency directory.
 *
 * Entries live in one array in the order added; an open-addressing hash
 * table (linear probing, power-of-two size, at most half full) maps an ORI to
 * its index, so a lookup is one hash of 9 bytes and, almost always, one
 * comparison. The hub and the node look up the sender of every message here,
 * so find() allocates nothing and takes no lock: a directory is built once
 * and then only read (replace it whole to change it).
 */
#include "csv.h"

#include <dmvgate/agency.h>
#include <dmvgate/store.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct dg_directory {
    struct dg_agency *items;
    size_t count, cap;
    uint32_t *slots; /* 0 empty, else index + 1 */
    size_t nslots;   /* power of two, 0 before the first add */
};

struct dg_directory *dg_directory_new(void)
{
    return dg_calloc(1, sizeof(struct dg_directory));
}

void dg_directory_free(struct dg_directory *d)
{
    if (!d)
        return;
    dg_free(d->items);
    dg_free(d->slots);
    dg_free(d);
}

/* FNV-1a over the 9 ORI bytes, then a final mix so that the low bits (the
 * ones the table uses) depend on every byte. */
static uint32_t ori_hash(const char *ori)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < DG_ORI_LEN; i++) {
        h ^= (unsigned char)ori[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

static void insert_slot(uint32_t *slots, size_t nslots, const struct dg_agency *items, size_t i)
{
    size_t mask = nslots - 1;
    size_t s = ori_hash(items[i].ori) & mask;
    while (slots[s])
        s = (s + 1) & mask;
    slots[s] = (uint32_t)(i + 1);
}

/* Make the table fit want entries at half load, rehashing what is there. */
static int reserve_slots(struct dg_directory *d, size_t want)
{
    if (want * 2 <= d->nslots)
        return 0;
    size_t n = d->nslots ? d->nslots : 64;
    while (n < want * 2)
        n *= 2;
    uint32_t *slots = dg_calloc(n, sizeof(*slots));
    if (!slots)
        return DG_ENOMEM;
    for (size_t i = 0; i < d->count; i++)
        insert_slot(slots, n, d->items, i);
    dg_free(d->slots);
    d->slots = slots;
    d->nslots = n;
    return 0;
}

const struct dg_agency *dg_directory_find(const struct dg_directory *d, const char *ori, size_t n)
{
    if (n != DG_ORI_LEN || !d->nslots)
        return NULL;
    size_t mask = d->nslots - 1;
    for (size_t s = ori_hash(ori) & mask;; s = (s + 1) & mask) {
        uint32_t v = d->slots[s];
        if (!v)
            return NULL;
        const struct dg_agency *a = &d->items[v - 1];
        if (memcmp(a->ori, ori, DG_ORI_LEN) == 0)
            return a;
    }
}

size_t dg_directory_count(const struct dg_directory *d)
{
    return d->count;
}

const struct dg_agency *dg_directory_at(const struct dg_directory *d, size_t i)
{
    return i < d->count ? &d->items[i] : NULL;
}

int dg_directory_add(struct dg_directory *d, const struct dg_agency *a, struct dg_error *err)
{
    int rc = dg_agency_validate(a, err);
    if (rc)
        return rc;
    if (dg_directory_find(d, a->ori, DG_ORI_LEN))
        return dg_error_set(err, DG_EEXIST, "ori", -1, "ORI '%s' is already in the directory",
                            a->ori);
    if (d->count >= UINT32_MAX - 1)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "directory full");
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        struct dg_agency *items = dg_realloc(d->items, cap * sizeof(*items));
        if (!items)
            return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        d->items = items;
        d->cap = cap;
    }
    if (reserve_slots(d, d->count + 1))
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    d->items[d->count] = *a;
    insert_slot(d->slots, d->nslots, d->items, d->count);
    d->count++;
    return 0;
}

/* Forget entries from index keep on (an all-or-nothing load failed). */
static void truncate_to(struct dg_directory *d, size_t keep)
{
    if (keep >= d->count)
        return;
    d->count = keep;
    memset(d->slots, 0, d->nslots * sizeof(*d->slots));
    for (size_t i = 0; i < d->count; i++)
        insert_slot(d->slots, d->nslots, d->items, i);
}

/* ---- CSV ----------------------------------------------------------------------- */

static const char *const columns[] = {"ori",        "name",      "state",    "level",
                                      "department", "component", "category", "agreements"};
enum { NCOLS = 8 };

/* Report a bad field of the current record: line of the record, column of
 * the field, the field's column name. */
static int row_error(struct dg_error *err, int code, const struct dg__csv *c, int col,
                     const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int row_error(struct dg_error *err, int code, const struct dg__csv *c, int col,
                     const char *field, const char *fmt, ...)
{
    if (!err)
        return code;
    char msg[sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    dg_error_setpos(err, code, c->rec_line, c->col[col], "%s", msg);
    snprintf(err->field, sizeof(err->field), "%s", field);
    return code;
}

static int copy_field(const struct dg__csv *c, int col, char *dst, size_t cap, struct dg_error *err)
{
    if (c->len[col] >= cap)
        return row_error(err, DG_EBADAGENCY, c, col, columns[col], "%s longer than %zu bytes",
                         columns[col], cap - 1);
    memcpy(dst, c->field[col], c->len[col] + 1);
    return 0;
}

static int parse_agreements(const struct dg__csv *c, uint32_t *out, struct dg_error *err)
{
    const int col = 7;
    const char *s = c->field[col], *end = s + c->len[col];
    uint32_t bits = 0;
    while (s < end) {
        const char *semi = memchr(s, ';', (size_t)(end - s));
        const char *stop = semi ? semi : end;
        int bit = dg_agreement_parse(s, (size_t)(stop - s));
        if (bit < 0) {
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(stop - s < 40 ? stop - s : 40), s);
            return row_error(err, DG_EBADAGENCY, c, col, "agreements", "unknown agreement '%s'",
                             name);
        }
        if (bits & (uint32_t)bit)
            return row_error(err, DG_EBADAGENCY, c, col, "agreements",
                             "agreement '%s' listed twice", dg_agreement_name((uint32_t)bit));
        bits |= (uint32_t)bit;
        if (!semi)
            break;
        s = semi + 1;
        if (s == end)
            return row_error(err, DG_EBADAGENCY, c, col, "agreements",
                             "empty agreement name after ';'");
    }
    *out = bits;
    return 0;
}

static int parse_row(const struct dg__csv *c, struct dg_agency *a, struct dg_error *err)
{
    memset(a, 0, sizeof(*a));
    int rc;
    if ((rc = copy_field(c, 0, a->ori, sizeof(a->ori), err)) ||
        (rc = copy_field(c, 1, a->name, sizeof(a->name), err)) ||
        (rc = copy_field(c, 2, a->state, sizeof(a->state), err)) ||
        (rc = copy_field(c, 4, a->department, sizeof(a->department), err)) ||
        (rc = copy_field(c, 5, a->component, sizeof(a->component), err)))
        return rc;
    int v = dg_level_parse(c->field[3], c->len[3]);
    if (v < 0)
        return row_error(err, DG_EBADAGENCY, c, 3, "level", "unknown level '%s'", c->field[3]);
    a->level = (enum dg_level)v;
    v = dg_category_parse(c->field[6], c->len[6]);
    if (v < 0)
        return row_error(err, DG_EBADAGENCY, c, 6, "category", "unknown category '%s'",
                         c->field[6]);
    a->category = (enum dg_category)v;
    if ((rc = parse_agreements(c, &a->agreements, err)))
        return rc;
    struct dg_error e;
    dg_error_clear(&e);
    rc = dg_agency_validate(a, &e);
    if (rc) {
        int col = 0;
        for (int i = 0; i < NCOLS; i++)
            if (strcmp(e.field, columns[i]) == 0)
                col = i;
        return row_error(err, rc, c, col, e.field, "%s", e.msg);
    }
    return 0;
}

int dg_directory_parse_csv(struct dg_directory *d, const char *data, size_t len,
                           struct dg_error *err)
{
    if (len > DG_AGENCY_CSV_MAX_BYTES)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "CSV file larger than %u bytes",
                            DG_AGENCY_CSV_MAX_BYTES);
    struct dg__csv *c = dg_malloc(sizeof(*c));
    if (!c)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    dg__csv_init(c, data, len);
    size_t keep = d->count;
    int rows = 0;
    int rc = dg__csv_next(c, err);
    if (rc == 0)
        rc = dg_error_setpos(err, DG_ECSV, 1, 1, "empty file: no header line");
    if (rc < 0)
        goto out;
    int header_ok = c->nfields == NCOLS;
    for (int i = 0; header_ok && i < NCOLS; i++)
        header_ok = strcmp(c->field[i], columns[i]) == 0;
    if (!header_ok) {
        rc = dg_error_setpos(err, DG_ECSV, c->rec_line, 1,
                             "the header line must be '" DG_AGENCY_CSV_HEADER "'");
        goto out;
    }
    while ((rc = dg__csv_next(c, err)) == 1) {
        if (c->nfields == 1 && c->len[0] == 0) {
            rc = dg_error_setpos(err, DG_ECSV, c->rec_line, 1, "empty line");
            goto out;
        }
        if (c->nfields != NCOLS) {
            dg_error_setpos(err, DG_ECSV, c->rec_line, 1, "expected %d fields, found %d", NCOLS,
                            c->nfields);
            rc = DG_ECSV;
            goto out;
        }
        if (++rows > DG_AGENCY_CSV_MAX_ROWS) {
            rc = dg_error_setpos(err, DG_ETOOBIG, c->rec_line, 1, "more than %d agencies",
                                 DG_AGENCY_CSV_MAX_ROWS);
            goto out;
        }
        struct dg_agency a;
        if ((rc = parse_row(c, &a, err)))
            goto out;
        struct dg_error e;
        dg_error_clear(&e);
        if ((rc = dg_directory_add(d, &a, &e))) {
            if (rc == DG_EEXIST)
                row_error(err, rc, c, 0, "ori", "ORI '%s' appears more than once", a.ori);
            else
                row_error(err, rc, c, 0, e.field, "%s", e.msg);
            goto out;
        }
    }
out:
    if (rc < 0)
        truncate_to(d, keep);
    dg_free(c);
    return rc < 0 ? rc : rows;
}

int dg_directory_load_csv(struct dg_directory *d, const char *path, struct dg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_set(err, dg_error_from_errno(errno), NULL, -1, "cannot open '%s': %s", path,
                            strerror(errno));
    struct dg_buf b;
    dg_buf_init(&b, DG_AGENCY_CSV_MAX_BYTES);
    char chunk[65536];
    int rc = 0;
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if ((rc = dg_buf_add(&b, chunk, n)))
            break;
    if (!rc && ferror(f))
        rc = dg_error_set(err, DG_EIO, NULL, -1, "cannot read '%s'", path);
    else if (rc == DG_ETOOBIG)
        dg_error_set(err, rc, NULL, -1, "'%s' is larger than %u bytes", path,
                     DG_AGENCY_CSV_MAX_BYTES);
    else if (rc)
        dg_error_set(err, rc, NULL, -1, NULL);
    fclose(f);
    if (!rc)
        rc = dg_directory_parse_csv(d, b.data ? b.data : "", b.len, err);
    dg_buf_release(&b);
    return rc;
}

struct load_ctx {
    struct dg_directory *d;
    struct dg_error *err;
};

static int load_one(void *arg, const struct dg_agency *a)
{
    struct load_ctx *x = arg;
    return dg_directory_add(x->d, a, x->err);
}

int dg_directory_load_store(struct dg_directory *d, struct dg_store *s, struct dg_error *err)
{
    size_t keep = d->count;
    struct load_ctx x = {d, err};
    int rc = dg_store_agencies_each(s, load_one, &x, err);
    if (rc < 0)
        truncate_to(d, keep);
    return rc;
}

int dg_directory_to_csv(const struct dg_directory *d, struct dg_buf *out)
{
    int rc = dg_buf_addstr(out, DG_AGENCY_CSV_HEADER "\n");
    for (size_t i = 0; !rc && i < d->count; i++)
        rc = dg_agency_csv_row(&d->items[i], out);
    return rc;
}
