/*
 * admin.c - the network-level blocks in force at the hub, and how a state
 * changes them: the hub_blocks file, reloaded on SIGHUP, and the admin API
 * (GET /v1/blocks, POST /v1/blocks, POST /v1/blocks/remove) open to the
 * client certificates hub_admins names, each for its own state only. An
 * edit through the API is written to the file (atomically: a new file,
 * fsync, rename) before it takes effect, so a restart keeps it.
 */
#include "hub_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- the blocks in force --------------------------------------------------------- */

static void install(struct dg_hub *h, struct dg_hub_blocks *b)
{
    pthread_rwlock_wrlock(&h->blocks_lock);
    struct dg_hub_blocks *old = h->blocks;
    h->blocks = b;
    pthread_rwlock_unlock(&h->blocks_lock);
    dg_hub_blocks_free(old);
}

void dg__hub_blocks_reload(struct dg_hub *h)
{
    const char *path = h->cfg->hub_blocks;
    if (!path[0])
        return;
    pthread_mutex_lock(&h->edit_mu);
    struct dg_hub_blocks *b = NULL;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_hub_blocks_load(path, &b, &e);
    if (rc == 0) {
        char n[16];
        snprintf(n, sizeof(n), "%zu", dg_hub_blocks_count(b));
        install(h, b);
        atomic_fetch_add(&h->blocks_reloads, 1);
        dg_log(DG_LOG_INFO, "hub_blocks_loaded", "file", path, "blocks", n, NULL);
    } else {
        char line[16];
        snprintf(line, sizeof(line), "%d", e.line);
        dg_log(DG_LOG_ERROR, "hub_blocks_rejected", "file", path, "line", line, "code",
               dg_errname(rc), "msg", e.msg, "kept", "the blocks in force", NULL);
    }
    pthread_mutex_unlock(&h->edit_mu);
}

int dg__hub_blocks_apply(struct dg_hub *h, struct job *j)
{
    int n = 0;
    pthread_rwlock_rdlock(&h->blocks_lock);
    for (int i = 0; i < j->nlegs; i++) {
        struct leg *l = &j->legs[i];
        const struct dg_hub_block *b = dg_hub_blocks_match(h->blocks, l->dest, j->agency);
        if (!b)
            continue;
        l->blocked = true;
        snprintf(l->block_rule, sizeof(l->block_rule), "hub block %s %s %s", b->state,
                 dg_hub_block_kind_name(b->kind), b->value);
        if (b->reason[0])
            snprintf(l->block_reason, sizeof(l->block_reason), "%s", b->reason);
        else
            snprintf(l->block_reason, sizeof(l->block_reason),
                     "%s refuses this requester at the hub (%s %s)", b->state,
                     dg_hub_block_kind_name(b->kind), b->value);
        int k = l->route >= 0 ? l->route : h->nroutes;
        atomic_fetch_add(&h->counts.blocked[k * DG_BLOCK__COUNT + (int)b->kind], 1);
        atomic_fetch_add(&h->blocked_legs, 1);
        n++;
    }
    pthread_rwlock_unlock(&h->blocks_lock);
    return n;
}

/* ---- who may edit ------------------------------------------------------------------ */

static int parse_admins(struct dg_hub *h, const char *s, struct dg_error *err)
{
    while (*s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        while (n && *s == ' ')
            s++, n--;
        while (n && s[n - 1] == ' ')
            n--;
        const char *eq = memchr(s, '=', n);
        if (!eq || eq - s != 2 || n - 3 == 0 || n - 3 >= sizeof(h->admins[0].cn) ||
            h->nadmins == DG_HUB_MAX_ROUTES || dg_state_index(s, 2) < 0)
            return dg_error_set(err, DG_ECONFIG, "hub_admins", -1,
                                "bad entry '%.*s' (want STATE=CN)", (int)n, s);
        memcpy(h->admins[h->nadmins].state, s, 2);
        snprintf(h->admins[h->nadmins].cn, sizeof(h->admins[0].cn), "%.*s", (int)(n - 3), eq + 1);
        h->nadmins++;
        s += n;
        while (*s == ' ')
            s++;
        if (*s == ',')
            s++;
    }
    return 0;
}

/* May the request's certificate edit state's blocks? (state NULL: any) */
static bool admin_of(const struct dg_hub *h, struct dg_req *req, const char *state)
{
    const char *cn = dg_req_peer_cn(req);
    if (!cn || !cn[0])
        return false;
    for (int i = 0; i < h->nadmins; i++)
        if (strcmp(h->admins[i].cn, cn) == 0 && (!state || strcmp(h->admins[i].state, state) == 0))
            return true;
    return false;
}

/* ---- the file ---------------------------------------------------------------------- */

/* Write b to the blocks file: a new file beside it, synced, renamed over it,
 * and the directory synced, so that the file is the old list or the new one. */
static int write_file(const char *path, const struct dg_hub_blocks *b, struct dg_error *err)
{
    struct dg_buf t;
    dg_buf_init(&t, 2 * DG_HUB_BLOCKS_MAX_BYTES);
    int rc = dg_hub_blocks_to_text(b, &t);
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    int fd = rc ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (rc == 0 && fd < 0)
        rc = dg_error_from_errno(errno);
    size_t off = 0;
    while (rc == 0 && off < t.len) {
        ssize_t w = write(fd, t.data + off, t.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = dg_error_from_errno(w < 0 ? errno : EIO);
        else
            off += (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = dg_error_from_errno(errno);
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = dg_error_from_errno(errno);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = dg_error_from_errno(errno);
    if (rc == 0) {
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        else
            snprintf(dir, sizeof(dir), ".");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    } else {
        unlink(tmp);
        dg_error_set(err, rc, "hub_blocks", -1, "cannot write '%s': %s", path, dg_strerror(rc));
    }
    dg_buf_release(&t);
    return rc;
}

/* ---- the API ----------------------------------------------------------------------- */

static void reply_json(struct dg_req *req, int status, struct dg_buf *b)
{
    dg_req_reply(req, status, "application/json", b->data ? b->data : "{}", b->len);
    dg_buf_release(b);
}

struct list_ctx {
    const struct dg_hub *h;
    struct dg_req *req;
};

static bool mine(const struct dg_hub_block *b, void *arg)
{
    struct list_ctx *c = arg;
    return admin_of(c->h, c->req, b->state);
}

static void on_list(struct dg_req *req, void *arg)
{
    struct dg_hub *h = arg;
    if (!admin_of(h, req, NULL)) {
        dg_req_error(req, 403, DG_EPERM, "only a state's hub admin certificate may see blocks");
        return;
    }
    struct dg_buf out;
    dg_buf_init(&out, 4 * DG_HUB_BLOCKS_MAX_BYTES);
    struct list_ctx ctx = {h, req};
    int rc = dg_buf_addstr(&out, "{\"blocks\":");
    pthread_rwlock_rdlock(&h->blocks_lock); /* only the states this certificate administers */
    if (rc == 0)
        rc = dg_hub_blocks_to_json(h->blocks, mine, &ctx, &out);
    pthread_rwlock_unlock(&h->blocks_lock);
    if (rc == 0)
        rc = dg_buf_addstr(&out, "}\n");
    if (rc != 0) {
        dg_buf_release(&out);
        dg_req_error(req, 503, rc, "cannot list the blocks");
        return;
    }
    reply_json(req, 200, &out);
}

static void edit(struct dg_req *req, struct dg_hub *h, bool add)
{
    size_t len;
    const char *body = dg_req_body(req, &len);
    struct dg_hub_block blk;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_hub_block_from_json(body, len, &blk, &e);
    if (rc != 0) {
        dg_req_error(req, rc == DG_ETOOBIG ? 413 : 400, rc, e.msg);
        return;
    }
    if (!admin_of(h, req, blk.state)) {
        dg_log(DG_LOG_WARN, "hub_blocks_forbidden", "cn", dg_req_peer_cn(req), "state", blk.state,
               NULL);
        dg_req_error(req, 403, DG_EPERM, "this certificate may not change that state's blocks");
        return;
    }
    pthread_mutex_lock(&h->edit_mu);
    struct dg_hub_blocks *next = NULL;
    pthread_rwlock_rdlock(&h->blocks_lock);
    rc = add ? dg_hub_blocks_with(h->blocks, &blk, &next)
             : dg_hub_blocks_without(h->blocks, blk.state, blk.kind, blk.value, &next);
    pthread_rwlock_unlock(&h->blocks_lock);
    if (rc == 0)
        rc = write_file(h->cfg->hub_blocks, next, &e);
    if (rc == 0) {
        install(h, next);
        next = NULL;
    }
    pthread_mutex_unlock(&h->edit_mu);
    dg_hub_blocks_free(next);
    if (rc == DG_EEXIST || rc == DG_ENOENT || rc == DG_ENOSPC) {
        dg_req_error(req, rc == DG_ENOENT ? 404 : 409, rc,
                     rc == DG_EEXIST   ? "that block is already in force"
                     : rc == DG_ENOENT ? "no such block"
                                       : "the block list is full");
        return;
    }
    if (rc != 0) {
        dg_log(DG_LOG_ERROR, "hub_blocks_write_failed", "msg", e.msg, NULL);
        dg_req_error(req, 503, rc, "the block list could not be saved; nothing changed");
        return;
    }
    dg_log(DG_LOG_INFO, add ? "hub_block_added" : "hub_block_removed", "cn", dg_req_peer_cn(req),
           "state", blk.state, "kind", dg_hub_block_kind_name(blk.kind), "value", blk.value, NULL);
    struct dg_buf out;
    dg_buf_init(&out, 1024);
    dg_buf_printf(&out,
                  "{\"%s\":{\"state\":\"%s\",\"kind\":\"%s\",\"value\":", add ? "added" : "removed",
                  blk.state, dg_hub_block_kind_name(blk.kind));
    dg_buf_add_json_str(&out, blk.value, strlen(blk.value));
    dg_buf_addstr(&out, "}}\n");
    reply_json(req, add ? 201 : 200, &out);
}

/* /v1/blocks: GET lists, POST adds (one route: the first matching path decides). */
static void on_blocks(struct dg_req *req, void *arg)
{
    if (dg_req_method(req) == DG_HTTP_POST)
        edit(req, arg, true);
    else
        on_list(req, arg);
}

static void on_remove(struct dg_req *req, void *arg)
{
    edit(req, arg, false);
}

int dg__hub_admin_open(struct dg_hub *h, struct dg_error *err)
{
    const struct dg_config *c = h->cfg;
    int rc = parse_admins(h, c->hub_admins, err);
    if (rc != 0)
        return rc;
    if (c->hub_blocks[0]) {
        struct dg_hub_blocks *b = NULL;
        if ((rc = dg_hub_blocks_load(c->hub_blocks, &b, err)) != 0) {
            if (err)
                snprintf(err->field, sizeof(err->field), "hub_blocks");
            return rc;
        }
        char n[16];
        snprintf(n, sizeof(n), "%zu", dg_hub_blocks_count(b));
        dg_log(DG_LOG_INFO, "hub_blocks_loaded", "file", c->hub_blocks, "blocks", n, NULL);
        install(h, b);
    }
    if (h->nadmins == 0)
        return 0;
    if ((rc = dg_server_route(h->srv, DG_HTTP_GET | DG_HTTP_POST, "/v1/blocks", on_blocks, h)) ||
        (rc = dg_server_route(h->srv, DG_HTTP_POST, "/v1/blocks/remove", on_remove, h)))
        return dg_error_set(err, rc, NULL, -1, "cannot add the admin routes");
    return 0;
}

void dg__hub_admin_close(struct dg_hub *h)
{
    dg_hub_blocks_free(h->blocks);
    h->blocks = NULL;
}
