/*
 * cmd_serve.c - `dmvgate serve --config FILE`: run a node or the hub (role). Loads and checks the
 * configuration, applies --set overrides, says loudly when development mode is on, and runs until
 * SIGTERM.
 */
#include "cmd.h"

#include <dmvgate/config.h>
#include <dmvgate/hub.h>
#include <dmvgate/node.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: dmvgate serve --config FILE [--set KEY=VALUE]... [--ready-file FILE]\n"
    "\n"
    "Run a state node (role = node) or the interstate hub (role = hub, see\n"
    "docs/hub.md). A node serves the HTTPS API (POST /v1/messages, GET\n"
    "/v1/messages/ID, /checkpoint, /tile/..., /v1/audit/proof, /healthz, /metrics)\n"
    "in front of the DMV store, with the policy, the review queue and the audit\n"
    "log. docs/operations.md describes the configuration and docs/api.md the API.\n"
    "\n"
    "  --config FILE       the configuration file (see `dmvgate config check`)\n"
    "  --set KEY=VALUE     override one option after the file (repeatable), e.g.\n"
    "                      --set listen=127.0.0.1:0 --set threads=1\n"
    "  --ready-file FILE   once listening, write the bound address (host:port) to FILE\n"
    "  --help              this text\n"
    "\n"
    "Signals: SIGHUP reloads the policy (a policy with errors is refused and the\n"
    "old one kept); SIGTERM or SIGINT stops accepting, finishes the requests in\n"
    "flight and flushes the audit log.\n"
    "Exit status: 0 after a clean stop, 1 when the audit log failed to close,\n"
    "2 on bad usage, a bad configuration or a failure to start.\n";

static void print_diags(const char *file, const struct dg_config_report *r)
{
    for (int i = 0; i < r->n; i++) {
        const struct dg_config_diag *d = &r->diag[i];
        if (d->line > 0)
            fprintf(stderr, "%s:%d: %s: %s\n", file, d->line, d->warning ? "warning" : "error",
                    d->msg);
        else
            fprintf(stderr, "%s: %s: %s\n", file, d->warning ? "warning" : "error", d->msg);
    }
}

static void write_ready(const char *ready, const char *addr)
{
    if (!ready)
        return;
    FILE *f = fopen(ready, "w");
    if (f) {
        fprintf(f, "%s\n", addr);
        fclose(f);
    } else {
        fprintf(stderr, "dmvgate: serve: cannot write '%s'\n", ready);
    }
}

static int serve_hub(struct dg_config *c, const char *ready)
{
    struct dg_hub *h = NULL;
    struct dg_error e;
    int rc = dg_hub_open(&h, c, &e);
    if (rc != 0) {
        fprintf(stderr, "dmvgate: serve: cannot start the hub: %s (%s)\n", e.msg, dg_errname(rc));
        dg_config_release(c);
        return 2;
    }
    write_ready(ready, dg_hub_address(h));
    rc = dg_hub_run(h);
    dg_hub_free(h);
    dg_config_release(c);
    return rc == 0 ? 0 : 1;
}

int dg_cmd_serve(int argc, char **argv)
{
    const char *file = NULL, *ready = NULL;
    const char *sets[32];
    int nsets = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            file = argv[++i];
        } else if (strcmp(argv[i], "--ready-file") == 0 && i + 1 < argc) {
            ready = argv[++i];
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (nsets == (int)(sizeof(sets) / sizeof(sets[0])))
                return dg_cmd_usage_error("serve: too many --set options");
            sets[nsets++] = argv[++i];
        } else {
            return dg_cmd_usage_error("serve: unknown or incomplete option '%s'", argv[i]);
        }
    }
    if (!file)
        return dg_cmd_usage_error("serve: --config FILE is required");

    struct dg_config c;
    struct dg_config_report r;
    dg_config_report_init(&r);
    int rc = dg_config_load(&c, file, &r);
    if (rc == 0 && nsets) {
        for (int i = 0; i < nsets && rc == 0; i++) {
            char key[64];
            const char *eq = strchr(sets[i], '=');
            if (!eq || eq == sets[i] || (size_t)(eq - sets[i]) >= sizeof(key)) {
                dg_config_release(&c);
                return dg_cmd_usage_error("serve: --set wants KEY=VALUE, not '%s'", sets[i]);
            }
            snprintf(key, sizeof(key), "%.*s", (int)(eq - sets[i]), sets[i]);
            struct dg_error e;
            rc = dg_config_set(&c, key, eq + 1, NULL, &e);
            if (rc != 0) {
                fprintf(stderr, "dmvgate: serve: --set %s\n", e.msg);
                dg_config_release(&c);
                return 2;
            }
        }
        dg_config_report_init(&r);
        rc = dg_config_validate(&c, &r);
    }
    print_diags(file, &r);
    if (rc != 0) {
        fprintf(stderr,
                "dmvgate: serve: the configuration '%s' has errors (dmvgate config check "
                "shows them all)\n",
                file);
        dg_config_release(&c);
        return 2;
    }
    dg_log_set_level(c.log_level);
    if (c.dev_mode) {
        fputs("\n"
              "************************************************************************\n"
              "*  DEVELOPMENT MODE: plain HTTP, NO client certificates.               *\n"
              "*  The requester's ORI is taken from the X-DG-ORI header: anyone who   *\n"
              "*  can reach this port can claim to be any agency.                     *\n"
              "*  Loopback only. Never use development mode with real data.           *\n"
              "************************************************************************\n"
              "\n",
              stderr);
        dg_log(DG_LOG_WARN, "dev_mode", "msg",
               "development mode: plain HTTP, ORI from the X-DG-ORI header, no client "
               "certificates",
               NULL);
    }
    struct dg_error e;
    if (c.role == DG_ROLE_HUB)
        return serve_hub(&c, ready);
    struct dg_node *n = NULL;
    rc = dg_node_open(&n, &c, &e);
    if (rc != 0) {
        fprintf(stderr, "dmvgate: serve: cannot start the node: %s (%s)\n", e.msg, dg_errname(rc));
        dg_config_release(&c);
        return 2;
    }
    write_ready(ready, dg_node_address(n));
    rc = dg_node_run(n);
    dg_node_free(n);
    dg_config_release(&c);
    return rc == 0 ? 0 : 1;
}
