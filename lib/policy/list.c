/*
 * list.c - named ORI lists: their files and their hash sets.
 *
 * A policy can name a list of ORIs kept in a file of its own
 * (`list partners = file "lists/287g-partners.txt"`), one ORI a line, so that
 * thousands of agencies can be treated alike without writing them into the
 * policy. Membership is tested on every decision, so each list becomes an
 * open-addressing hash set of ORIs packed into 16 bytes: a lookup is one hash
 * and, at the load factor kept here (at most one half), about one probe.
 */
#include "policy_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint32_t key_hash(const struct dg__key *k)
{
    uint64_t h = k->w[0] * 0x9e3779b97f4a7c15ull;
    h ^= (k->w[1] + 0x632be59bd9b4e019ull) * 0xc2b2ae3d27d4eb4full;
    h ^= h >> 29;
    return (uint32_t)(h ^ (h >> 32));
}

static bool key_zero(const struct dg__key *k)
{
    return (k->w[0] | k->w[1]) == 0;
}

int dg__orilist_init(struct dg__orilist *l, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2)
        cap *= 2;
    l->slots = dg_calloc(cap, sizeof(*l->slots));
    if (!l->slots)
        return DG_ENOMEM;
    l->mask = (uint32_t)(cap - 1);
    l->count = 0;
    return 0;
}

static void put(struct dg__key *slots, uint32_t mask, const struct dg__key *k)
{
    uint32_t i = key_hash(k) & mask;
    while (!key_zero(&slots[i]))
        i = (i + 1) & mask;
    slots[i] = *k;
}

int dg__orilist_add(struct dg__orilist *l, const char *ori)
{
    struct dg__key k;
    dg__key_pack(&k, ori, DG_ORI_LEN);
    if (dg__orilist_has(l, &k))
        return 0;
    if ((size_t)(l->count + 1) * 2 > (size_t)l->mask + 1) {
        uint32_t cap = (l->mask + 1) * 2;
        struct dg__key *s = dg_calloc(cap, sizeof(*s));
        if (!s)
            return DG_ENOMEM;
        for (uint32_t i = 0; i <= l->mask; i++)
            if (!key_zero(&l->slots[i]))
                put(s, cap - 1, &l->slots[i]);
        dg_free(l->slots);
        l->slots = s;
        l->mask = cap - 1;
    }
    put(l->slots, l->mask, &k);
    l->count++;
    return 1;
}

bool dg__orilist_has(const struct dg__orilist *l, const struct dg__key *k)
{
    uint32_t i = key_hash(k) & l->mask;
    for (;;) {
        const struct dg__key *s = &l->slots[i];
        if (s->w[0] == k->w[0] && s->w[1] == k->w[1])
            return true;
        if (key_zero(s))
            return false;
        i = (i + 1) & l->mask;
    }
}

void dg__orilist_release(struct dg__orilist *l)
{
    dg_free(l->name);
    dg_free(l->file);
    dg_free(l->slots);
    memset(l, 0, sizeof(*l));
}

int dg__ori_check(const char *s, size_t n, char *msg, size_t msglen)
{
    int shown = (int)(n > 40 ? 40 : n);
    if (n != DG_ORI_LEN) {
        snprintf(msg, msglen, "'%.*s' is not an ORI: an ORI has 9 characters", shown, s);
        return DG_EINVAL;
    }
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))) {
            snprintf(msg, msglen, "'%.*s' is not an ORI: only A-Z and 0-9", shown, s);
            return DG_EINVAL;
        }
    if (dg_state_index(s, 2) < 0) {
        snprintf(msg, msglen, "'%.*s' is not an ORI: '%.2s' is not a state code", shown, s, s);
        return DG_EINVAL;
    }
    return 0;
}

/* The default reader: name relative to base_dir, at most DG_POLICY_MAX_LIST_FILE. */
static int read_file(const char *base, const char *name, struct dg_buf *out, struct dg_error *err)
{
    char path[4096];
    if (name[0] == '/' || !base || !*base)
        snprintf(path, sizeof(path), "%s", name);
    else
        snprintf(path, sizeof(path), "%s/%s", base, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_set(err, errno == ENOENT ? DG_ENOENT : DG_EIO, NULL, -1,
                            "cannot open list file '%s': %s", name, strerror(errno));
    int rc = 0;
    char chunk[8192];
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = dg_buf_add(out, chunk, n);
    if (rc == 0 && ferror(f))
        rc = DG_EIO;
    fclose(f);
    if (rc == DG_ETOOBIG)
        return dg_error_set(err, rc, NULL, -1, "list file '%s' is larger than %u bytes", name,
                            DG_POLICY_MAX_LIST_FILE);
    if (rc)
        return dg_error_set(err, rc, NULL, -1, "cannot read list file '%s'", name);
    return 0;
}

int dg__load_list_file(struct dg__compile *c, struct dg__orilist *l, int line, int col)
{
    const struct dg_policy_options *o = c->opt;
    const char *base = o && o->base_dir ? o->base_dir : ".";
    struct dg_buf b;
    dg_buf_init(&b, DG_POLICY_MAX_LIST_FILE);
    struct dg_error e;
    dg_error_clear(&e);
    int rc = o && o->read_list ? o->read_list(o->read_ctx, l->file, &b, &e)
                               : read_file(base, l->file, &b, &e);
    if (rc == DG_ENOMEM) {
        dg_buf_release(&b);
        return DG_ENOMEM;
    }
    if (rc) {
        c->errors++;
        rc = dg__diag_add(c->diags, DG_POLICY_ERROR, c->filename, c->pol->text, c->pol->len, line,
                          col, "%s", e.msg[0] ? e.msg : "cannot read list file");
        dg_buf_release(&b);
        return rc;
    }
    /* Name the list file in its own diagnostics as the reader saw it. */
    char shown[300];
    if (l->file[0] == '/' || (o && o->read_list) || strcmp(base, ".") == 0)
        snprintf(shown, sizeof(shown), "%s", l->file);
    else
        snprintf(shown, sizeof(shown), "%s/%s", base, l->file);

    const char *s = b.data ? b.data : "";
    size_t len = b.len, i = 0;
    int lineno = 0, bad = 0;
    rc = dg__orilist_init(l, len / 10 + 1);
    while (rc == 0 && i < len) {
        lineno++;
        size_t ls = i, e0 = i;
        while (e0 < len && s[e0] != '\n')
            e0++;
        size_t a = i, z = e0;
        i = e0 + 1;
        /* Strip a comment, then spaces and a CR at either end. */
        const char *hash = memchr(s + a, '#', z - a);
        if (hash)
            z = (size_t)(hash - s);
        while (a < z && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\t' || s[z - 1] == '\r'))
            z--;
        if (a == z)
            continue;
        char msg[160];
        if (dg__ori_check(s + a, z - a, msg, sizeof(msg)) != 0) {
            c->errors++;
            rc = dg__diag_add(c->diags, DG_POLICY_ERROR, shown, s, len, lineno, (int)(a - ls + 1),
                              "%s", msg);
            if (rc == 0 && ++bad >= 10)
                break; /* ten bad lines say enough about a file */
            continue;
        }
        if (c->total_oris >= DG_POLICY_MAX_LIST_ORIS) {
            c->errors++;
            rc = dg__diag_add(c->diags, DG_POLICY_ERROR, shown, s, len, lineno, 1,
                              "more than %d ORIs in the policy's lists", DG_POLICY_MAX_LIST_ORIS);
            break;
        }
        int added = dg__orilist_add(l, s + a);
        if (added < 0)
            rc = added;
        else
            c->total_oris += (size_t)added;
    }
    dg_buf_release(&b);
    return rc;
}
