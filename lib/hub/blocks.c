/*
 * blocks.c - the hub's network-level blocks: a state's list of requesters
 * (by ORI, category, level, department or component) whose messages the hub
 * refuses before they reach that state's node. The strict parser of the list
 * file, the lookup the hub makes for every leg of every message, and the
 * copy-on-write edits of the admin API and its JSON body. A list is immutable once made, so
 * the hub's loops can read one while a reload or an edit makes the next.
 */
#include <dmvgate/hub.h>
#include <dmvgate/vocab.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 511
#define BODY_MAX       4096 /* bytes of one admin API body */

struct dg_hub_blocks {
    size_t n;
    struct dg_hub_block *b; /* sorted by state, then line */
    /* Per state index (vocab.h): the first block and how many. */
    unsigned first[DG_STATE_COUNT], count[DG_STATE_COUNT];
};

static const char *kind_names[] = {
#define DG__BK(e, n) n,
    DG_HUB_BLOCK_KIND_MAP(DG__BK)
#undef DG__BK
};

const char *dg_hub_block_kind_name(enum dg_hub_block_kind k)
{
    return (unsigned)k < DG_BLOCK__COUNT ? kind_names[k] : "?";
}

static int kind_parse(const char *s, size_t n)
{
    for (int k = 0; k < DG_BLOCK__COUNT; k++)
        if (strlen(kind_names[k]) == n && memcmp(kind_names[k], s, n) == 0)
            return k;
    return -1;
}

/* 1-15 of A-Z 0-9 '-', as the directory's department and component. */
static bool ident_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int dg_hub_block_check(struct dg_hub_block *blk, struct dg_error *err)
{
    if (dg_state_index(blk->state, strlen(blk->state)) < 0 || strlen(blk->state) != 2)
        return dg_error_set(err, DG_EBLOCKSFILE, "state", -1, "'%s' is not a state code",
                            blk->state);
    if ((unsigned)blk->kind >= DG_BLOCK__COUNT)
        return dg_error_set(err, DG_EBLOCKSFILE, "kind", -1,
                            "the kind is not one of ori, category, level, department, component");
    const char *v = blk->value;
    size_t vn = strlen(v);
    blk->ivalue = -1;
    switch (blk->kind) {
    case DG_BLOCK_ORI:
        if (dg_ori_validate(v, vn, NULL) != 0)
            return dg_error_set(err, DG_EBLOCKSFILE, "value", -1, "'%s' is not an ORI", v);
        break;
    case DG_BLOCK_CATEGORY:
        if ((blk->ivalue = dg_category_parse(v, vn)) < 0)
            return dg_error_set(err, DG_EBLOCKSFILE, "value", -1,
                                "'%s' is not an agency category (docs/agencies.md)", v);
        break;
    case DG_BLOCK_LEVEL:
        if ((blk->ivalue = dg_level_parse(v, vn)) < 0)
            return dg_error_set(err, DG_EBLOCKSFILE, "value", -1,
                                "'%s' is not a level (local, state, tribal, federal, unspecified)",
                                v);
        break;
    default:
        if (!ident_ok(v))
            return dg_error_set(err, DG_EBLOCKSFILE, "value", -1,
                                "'%s' is not a department or component (1-15 of A-Z 0-9 -)", v);
    }
    size_t rn = strlen(blk->reason);
    if (rn && (blk->reason[0] == ' ' || blk->reason[rn - 1] == ' '))
        return dg_error_set(err, DG_EBLOCKSFILE, "reason", -1,
                            "the reason has a leading or trailing space");
    for (const unsigned char *p = (const unsigned char *)blk->reason; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return dg_error_set(err, DG_EBLOCKSFILE, "reason", -1,
                                "the reason has a control character");
    return 0;
}

static int cmp_block(const void *a, const void *b)
{
    const struct dg_hub_block *x = a, *y = b;
    int c = strcmp(x->state, y->state);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static bool same(const struct dg_hub_block *x, const char *state, enum dg_hub_block_kind kind,
                 const char *value)
{
    return x->kind == kind && strcmp(x->state, state) == 0 && strcmp(x->value, value) == 0;
}

/* Sort, index by state, refuse duplicates. Takes arr (n blocks). */
static int finish_list(struct dg_hub_block *arr, size_t n, struct dg_hub_blocks **out,
                       struct dg_error *err)
{
    struct dg_hub_blocks *b = dg_calloc(1, sizeof(*b));
    if (!b) {
        dg_free(arr);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "out of memory");
    }
    b->n = n;
    b->b = arr;
    if (n)
        qsort(arr, n, sizeof(*arr), cmp_block);
    for (size_t i = 0; i < n; i++) {
        int si = dg_state_index(arr[i].state, 2);
        if (b->count[si]++ == 0)
            b->first[si] = (unsigned)i;
        for (size_t j = b->first[si]; j < i; j++)
            if (same(&arr[j], arr[i].state, arr[i].kind, arr[i].value)) {
                int line = arr[i].line;
                dg_hub_blocks_free(b);
                dg_error_set(err, DG_EBLOCKSFILE, "value", -1, "a duplicate block");
                if (err)
                    err->line = line;
                return DG_EBLOCKSFILE;
            }
    }
    *out = b;
    return 0;
}

/* Next space-separated word of s (n bytes) at *pos, or an empty one. */
static size_t word(const char *s, size_t n, size_t *pos, const char **w)
{
    while (*pos < n && (s[*pos] == ' ' || s[*pos] == '\t'))
        (*pos)++;
    *w = s + *pos;
    size_t start = *pos;
    while (*pos < n && s[*pos] != ' ' && s[*pos] != '\t')
        (*pos)++;
    return *pos - start;
}

static int parse_line(const char *s, size_t n, int line, struct dg_hub_block *blk,
                      struct dg_error *err)
{
    memset(blk, 0, sizeof(*blk));
    blk->line = line;
    size_t pos = 0;
    const char *w;
    size_t wn = word(s, n, &pos, &w);
    if (wn != 2)
        return dg_error_set(err, DG_EBLOCKSFILE, "state", -1,
                            "a block begins with a 2-letter state code (STATE KIND VALUE)");
    memcpy(blk->state, w, 2);
    wn = word(s, n, &pos, &w);
    int k = kind_parse(w, wn);
    if (k < 0)
        return dg_error_set(err, DG_EBLOCKSFILE, "kind", -1,
                            "'%.*s' is not one of ori, category, level, department, component",
                            (int)(wn > 32 ? 32 : wn), w);
    blk->kind = (enum dg_hub_block_kind)k;
    wn = word(s, n, &pos, &w);
    if (wn == 0 || wn >= sizeof(blk->value))
        return dg_error_set(err, DG_EBLOCKSFILE, "value", -1,
                            "a block needs a value of 1-23 bytes");
    memcpy(blk->value, w, wn);
    while (pos < n && (s[pos] == ' ' || s[pos] == '\t'))
        pos++;
    size_t rn = n - pos;
    while (rn && (s[pos + rn - 1] == ' ' || s[pos + rn - 1] == '\t'))
        rn--;
    if (rn >= sizeof(blk->reason))
        return dg_error_set(err, DG_EBLOCKSFILE, "reason", -1, "the reason is longer than %d bytes",
                            DG_HUB_BLOCK_REASON_MAX - 1);
    memcpy(blk->reason, s + pos, rn);
    if (memchr(blk->reason, '\0', rn))
        return dg_error_set(err, DG_EBLOCKSFILE, "reason", -1, "the reason has a NUL byte");
    return dg_hub_block_check(blk, err);
}

int dg_hub_blocks_parse(const char *text, size_t len, struct dg_hub_blocks **out,
                        struct dg_error *err)
{
    *out = NULL;
    if (len > DG_HUB_BLOCKS_MAX_BYTES)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "the block list is larger than %u bytes",
                            DG_HUB_BLOCKS_MAX_BYTES);
    struct dg_hub_block *arr = NULL;
    size_t n = 0, cap = 0;
    int line = 0, rc = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t ln = nl ? (size_t)(nl - (text + at)) : len - at;
        const char *s = text + at;
        at += ln + (nl ? 1 : 0);
        line++;
        if (ln && s[ln - 1] == '\r')
            ln--;
        if (ln > LINE_MAX_BYTES) {
            rc = dg_error_set(err, DG_EBLOCKSFILE, NULL, -1, "a line is longer than %d bytes",
                              LINE_MAX_BYTES);
            break;
        }
        size_t i = 0;
        while (i < ln && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == ln || s[i] == '#')
            continue;
        if (n == DG_HUB_MAX_BLOCKS) {
            rc = dg_error_set(err, DG_EBLOCKSFILE, NULL, -1, "more than %d blocks",
                              DG_HUB_MAX_BLOCKS);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct dg_hub_block *na = dg_realloc(arr, nc * sizeof(*arr));
            if (!na) {
                rc = dg_error_set(err, DG_ENOMEM, NULL, -1, "out of memory");
                break;
            }
            arr = na;
            cap = nc;
        }
        if ((rc = parse_line(s + i, ln - i, line, &arr[n], err)) != 0)
            break;
        n++;
    }
    if (rc != 0) {
        if (err && rc == DG_EBLOCKSFILE)
            err->line = line;
        dg_free(arr);
        return rc;
    }
    return finish_list(arr, n, out, err);
}

int dg_hub_blocks_load(const char *path, struct dg_hub_blocks **out, struct dg_error *err)
{
    *out = NULL;
    struct dg_buf b;
    dg_buf_init(&b, DG_HUB_BLOCKS_MAX_BYTES);
    int rc = dg_buf_read_file(&b, path, err);
    if (rc == 0)
        rc = dg_hub_blocks_parse(b.data ? b.data : "", b.len, out, err);
    dg_buf_release(&b);
    return rc;
}

void dg_hub_blocks_free(struct dg_hub_blocks *b)
{
    if (!b)
        return;
    dg_free(b->b);
    dg_free(b);
}

size_t dg_hub_blocks_count(const struct dg_hub_blocks *b)
{
    return b ? b->n : 0;
}

const struct dg_hub_block *dg_hub_blocks_at(const struct dg_hub_blocks *b, size_t i)
{
    return b && i < b->n ? &b->b[i] : NULL;
}

static bool refuses(const struct dg_hub_block *x, const struct dg_agency *a)
{
    switch (x->kind) {
    case DG_BLOCK_ORI: return strcmp(x->value, a->ori) == 0;
    case DG_BLOCK_CATEGORY: return x->ivalue == (int)a->category;
    case DG_BLOCK_LEVEL: return x->ivalue == (int)a->level;
    case DG_BLOCK_DEPARTMENT: return strcmp(x->value, a->department) == 0;
    case DG_BLOCK_COMPONENT: return strcmp(x->value, a->component) == 0;
    default: return false;
    }
}

const struct dg_hub_block *dg_hub_blocks_match(const struct dg_hub_blocks *b, const char *dest,
                                               const struct dg_agency *a)
{
    if (!b || !a || !dest)
        return NULL;
    int si = dg_state_index(dest, strlen(dest));
    if (si < 0)
        return NULL;
    for (unsigned i = 0; i < b->count[si]; i++)
        if (refuses(&b->b[b->first[si] + i], a))
            return &b->b[b->first[si] + i];
    return NULL;
}

int dg_hub_blocks_to_text(const struct dg_hub_blocks *b, struct dg_buf *out)
{
    int rc =
        dg_buf_addstr(out, "# network-level blocks: STATE KIND VALUE [REASON] (docs/hub.md)\n");
    for (size_t i = 0; rc == 0 && i < dg_hub_blocks_count(b); i++) {
        const struct dg_hub_block *x = &b->b[i];
        rc = dg_buf_printf(out, "%s %s %s%s%s\n", x->state, kind_names[x->kind], x->value,
                           x->reason[0] ? " " : "", x->reason);
    }
    return rc;
}

int dg_hub_blocks_to_json(const struct dg_hub_blocks *b,
                          bool (*keep)(const struct dg_hub_block *blk, void *arg), void *arg,
                          struct dg_buf *out)
{
    int rc = dg_buf_addc(out, '[');
    bool first = true;
    for (size_t i = 0; rc == 0 && i < dg_hub_blocks_count(b); i++) {
        const struct dg_hub_block *x = &b->b[i];
        if (keep && !keep(x, arg))
            continue;
        rc = dg_buf_printf(out, "%s{\"state\":\"%s\",\"kind\":\"%s\",\"value\":", first ? "" : ",",
                           x->state, kind_names[x->kind]);
        if (!rc)
            rc = dg_buf_add_json_str(out, x->value, strlen(x->value));
        if (!rc)
            rc = dg_buf_addstr(out, ",\"reason\":");
        if (!rc)
            rc = dg_buf_add_json_str(out, x->reason, strlen(x->reason));
        if (!rc)
            rc = dg_buf_printf(out, ",\"line\":%d}", x->line);
        first = false;
    }
    return rc ? rc : dg_buf_addc(out, ']');
}

/* A copy of b's blocks with room for one more, renumbered 1..n in order. */
static struct dg_hub_block *copy_blocks(const struct dg_hub_blocks *b, size_t *n)
{
    *n = dg_hub_blocks_count(b);
    struct dg_hub_block *arr = dg_malloc((*n + 1) * sizeof(*arr));
    if (arr && *n)
        memcpy(arr, b->b, *n * sizeof(*arr));
    return arr;
}

int dg_hub_blocks_with(const struct dg_hub_blocks *b, const struct dg_hub_block *blk,
                       struct dg_hub_blocks **out)
{
    *out = NULL;
    size_t n = dg_hub_blocks_count(b);
    for (size_t i = 0; i < n; i++)
        if (same(&b->b[i], blk->state, blk->kind, blk->value))
            return DG_EEXIST;
    if (n == DG_HUB_MAX_BLOCKS)
        return DG_ENOSPC;
    struct dg_hub_block *arr = copy_blocks(b, &n);
    if (!arr)
        return DG_ENOMEM;
    int maxline = 0;
    for (size_t i = 0; i < n; i++)
        maxline = arr[i].line > maxline ? arr[i].line : maxline;
    arr[n] = *blk;
    arr[n].line = maxline + 1;
    return finish_list(arr, n + 1, out, NULL);
}

int dg_hub_blocks_without(const struct dg_hub_blocks *b, const char *state,
                          enum dg_hub_block_kind kind, const char *value,
                          struct dg_hub_blocks **out)
{
    *out = NULL;
    size_t n;
    struct dg_hub_block *arr = copy_blocks(b, &n);
    if (!arr)
        return DG_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!same(&arr[i], state, kind, value))
            arr[k++] = arr[i];
    if (k == n) {
        dg_free(arr);
        return DG_ENOENT;
    }
    return finish_list(arr, k, out, NULL);
}

/* The admin API's body: one block as JSON. */
int dg_hub_block_from_json(const char *text, size_t len, struct dg_hub_block *blk,
                           struct dg_error *err)
{
    memset(blk, 0, sizeof(*blk));
    if (len > BODY_MAX)
        return dg_error_set(err, DG_ETOOBIG, NULL, -1, "the body is larger than %d bytes",
                            BODY_MAX);
    cJSON *j = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return dg_error_set(err, DG_EBLOCKSFILE, NULL, -1,
                            "the body is not a JSON object {state, kind, value, reason}");
    }
    static const char *names[] = {"state", "kind", "value", "reason"};
    char *dst[] = {blk->state, NULL, blk->value, blk->reason};
    size_t cap[] = {sizeof(blk->state), 0, sizeof(blk->value), sizeof(blk->reason)};
    int rc = 0;
    for (int i = 0; rc == 0 && i < 4; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, names[i]);
        if (!v && i == 3)
            continue;
        if (!cJSON_IsString(v)) {
            rc = dg_error_set(err, DG_EBLOCKSFILE, names[i], -1, "'%s' must be a string", names[i]);
            break;
        }
        size_t n = strlen(v->valuestring);
        if (i == 1) {
            rc = DG_EBLOCKSFILE;
            for (int k = 0; k < DG_BLOCK__COUNT; k++)
                if (strcmp(v->valuestring, dg_hub_block_kind_name((enum dg_hub_block_kind)k)) ==
                    0) {
                    blk->kind = (enum dg_hub_block_kind)k;
                    rc = 0;
                }
            if (rc)
                dg_error_set(err, rc, "kind", -1,
                             "'kind' is not one of ori, category, level, department, component");
        } else if (n >= cap[i]) {
            rc = dg_error_set(err, DG_EBLOCKSFILE, names[i], -1, "'%s' is longer than %zu bytes",
                              names[i], cap[i] - 1);
        } else {
            memcpy(dst[i], v->valuestring, n + 1);
        }
    }
    cJSON_Delete(j);
    return rc ? rc : dg_hub_block_check(blk, err);
}
