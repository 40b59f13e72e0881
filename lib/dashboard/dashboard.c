/*
 * dashboard.c - the transparency routes of a node: the dashboard page and
 * its files, read once when the node starts and served from memory, and the
 * registration of every route of dashboard.h.
 */
#include "dashboard/dashboard_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *path, *file, *type;
} page_table[] = {
    {"/dashboard/", "dashboard.html", "text/html; charset=utf-8"},
    {"/dashboard/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"},
    {"/dashboard/dashboard.css", "dashboard.css", "text/css; charset=utf-8"},
    {"/dashboard/chart.umd.js", "node_modules/chart.js/dist/chart.umd.js",
     "text/javascript; charset=utf-8"},
};

static int read_file(const char *dir, const char *name, struct dg_buf *out)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return DG_ETOOBIG;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_from_errno(errno);
    char chunk[16384];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = dg_buf_add(out, chunk, n);
    if (!rc && ferror(f))
        rc = DG_EIO;
    fclose(f);
    return rc;
}

bool dg__dash_allowed(struct dg_dashboard *d, struct dg_req *r, enum dg_dashboard_right right)
{
    if (d->o.authorize)
        return d->o.authorize(r, right, d->o.authorize_arg);
    return d->o.dev_mode;
}

void dg__dash_error(struct dg_req *r, int status, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    dg_buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"number\":%d,\"message\":", dg_errname(code),
                  -code);
    dg_buf_add_json_str(&b, msg, strlen(msg));
    dg_buf_addstr(&b, "}}\n");
    dg_req_set_header(r, "Cache-Control", "no-store");
    dg_req_reply(r, status, "application/json", b.data ? b.data : "", b.len);
    dg_buf_release(&b);
}

static void handle_page(struct dg_req *r, void *arg)
{
    struct dg_dashboard *d = arg;
    const char *path = dg_req_path(r);
    for (size_t i = 0; i < DG_ARRAY_LEN(page_table); i++) {
        struct dg__page *p = &d->pages[i];
        if (strcmp(path, p->path) != 0)
            continue;
        if (!p->body.len)
            break;
        dg_req_set_header(r, "Cache-Control", "no-cache");
        dg_req_set_header(r, "X-Content-Type-Options", "nosniff");
        dg_req_set_header(r, "Content-Security-Policy",
                          "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                          "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        dg_req_reply(r, 200, p->type, p->body.data, p->body.len);
        return;
    }
    dg__dash_error(r, 404, DG_ENOENT, "no page '%s'", path);
}

static void handle_redirect(struct dg_req *r, void *arg)
{
    (void)arg;
    dg_req_set_header(r, "Location", "/dashboard/");
    dg_req_reply(r, 301, "text/plain; charset=utf-8", "see /dashboard/\n", 16);
}

static char *dup_or_null(const char *s)
{
    return s ? dg_strdup(s) : NULL;
}

int dg_dashboard_add(struct dg_server *srv, const struct dg_dashboard_options *o,
                     struct dg_dashboard **out, struct dg_error *err)
{
    struct dg_dashboard *d = dg_calloc(1, sizeof(*d));
    if (!d)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    d->o = *o;
    pthread_mutex_init(&d->sim_mu, NULL);
    d->web_dir = dg_strdup(dg_net_web_dir(o->web_dir));
    d->store = dup_or_null(o->store);
    d->audit_dir = dup_or_null(o->audit_dir);
    d->title = dg_strdup(o->title ? o->title : "DMV queries");
    d->nloops = dg_server_threads(srv);
    d->stores = dg_calloc((size_t)d->nloops, sizeof(*d->stores));
    if (!d->web_dir || !d->title || !d->stores || (o->store && !d->store) ||
        (o->audit_dir && !d->audit_dir)) {
        dg_dashboard_free(d);
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    }
    /* Point the options' strings at our copies: the caller's may go. */
    d->o.web_dir = d->web_dir;
    d->o.store = d->store;
    d->o.audit_dir = d->audit_dir;
    d->o.title = d->title;
    for (size_t i = 0; i < DG_ARRAY_LEN(page_table); i++) {
        struct dg__page *p = &d->pages[i];
        p->path = page_table[i].path;
        p->file = page_table[i].file;
        p->type = page_table[i].type;
        dg_buf_init(&p->body, DG_DASHBOARD_MAX_FILE);
        int rc = read_file(d->web_dir, p->file, &p->body);
        if (rc) {
            dg_buf_release(&p->body);
            dg_log(DG_LOG_WARN, "dashboard_file_missing", "dir", d->web_dir, "file", p->file,
                   "code", dg_errname(rc), NULL);
        }
    }
    int rc = dg_server_route(srv, DG_HTTP_GET, "/dashboard", handle_redirect, d);
    if (!rc)
        rc = dg_server_route(srv, DG_HTTP_GET, "/dashboard/*", handle_page, d);
    if (!rc)
        rc = dg_server_route(srv, DG_HTTP_GET, "/v1/stats", dg__handle_stats, d);
    if (!rc)
        rc = dg_server_route(srv, DG_HTTP_GET, "/v1/stats/alerts", dg__handle_alerts, d);
    if (!rc)
        rc = dg_server_route(srv, DG_HTTP_POST, "/v1/simulate", dg__handle_simulate, d);
    if (rc) {
        dg_dashboard_free(d);
        return dg_error_set(err, rc, NULL, -1, "cannot add the dashboard's routes");
    }
    *out = d;
    return 0;
}

void dg_dashboard_free(struct dg_dashboard *d)
{
    if (!d)
        return;
    atomic_store(&d->stopping, true);
    dg__simulate_join(d);
    for (int i = 0; d->stores && i < d->nloops; i++)
        dg_store_close(d->stores[i]);
    for (size_t i = 0; i < DG_ARRAY_LEN(page_table); i++)
        dg_buf_release(&d->pages[i].body);
    dg_free(d->stores);
    dg_free(d->web_dir);
    dg_free(d->store);
    dg_free(d->audit_dir);
    dg_free(d->title);
    pthread_mutex_destroy(&d->sim_mu);
    dg_free(d);
}
