/*
 * cmd_demo.c - `dmvgate demo` (run by `make demo`): bring up the demo network
 * (lib/demo: CA, four state nodes, the hub, traffic) on loopback, print where
 * to look, show the traffic figures now and then, and on Ctrl-C (or after
 * --duration) stop and reap every process.
 */
#include "cmd.h"

#include <dmvgate/demo.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: dmvgate demo [options]\n"
    "\n"
    "Run the whole network on this machine, loopback only, in a throwaway directory:\n"
    "a certificate authority and certificates, the synthetic agency directory, four\n"
    "state nodes (AZ, CA, CO, WI) with synthetic DMV data and an example policy each\n"
    "(AZ status quo, CA warrant required, CO block immigration enforcement, WI\n"
    "review federal and unrecorded agencies), the hub, and traffic mixed as the\n"
    "public figures. It prints where to look, the review logins and queries to\n"
    "paste, then runs until Ctrl-C (SIGINT) or SIGTERM, which stops and reaps every\n"
    "process and removes the directory. docs/demo.md walks through it.\n"
    "\n"
    "options:\n"
    "  --drivers N       synthetic drivers per state (default 50000; 10 .. 10000000)\n"
    "  --rate R          queries a second sent through the hub (default 10; 0 for no\n"
    "                    traffic; at most 1000)\n"
    "  --duration S      stop by itself after S seconds of running (default: until\n"
    "                    Ctrl-C)\n"
    "  --dir DIR         build the demo in DIR (created; must not hold a demo) and\n"
    "                    keep it afterwards\n"
    "  --keep            keep the temporary directory at the end\n"
    "  --seed S          seed of the synthetic data and traffic (default 1)\n"
    "  --hub-port P      the hub's port on 127.0.0.1 (default 0: any free port)\n"
    "  --policies DIR    the example policies (default: policies/examples of the\n"
    "                    source tree, found from $DG_SOURCE_DIR or the binary)\n"
    "  --status-every S  print the traffic figures every S seconds (default 10;\n"
    "                    0 never)\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 after a clean stop, 1 when a process of the demo stopped on its\n"
    "own or did not exit cleanly, 2 bad usage or the demo could not start.\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static bool parse_num(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double n = strtod(v, &end);
    if (errno || end == v || *end || !(n >= lo && n <= hi)) {
        dg_cmd_usage_error("demo: %s wants a number from %g to %g, not '%s'", opt, lo, hi, v);
        return false;
    }
    *out = n;
    return true;
}

static bool is_dir(const char *p)
{
    char f[PATH_MAX + 32];
    if (snprintf(f, sizeof(f), "%s/status-quo.policy", p) >= (int)sizeof(f))
        return false;
    return access(f, R_OK) == 0;
}

/* The example policies: --policies, $DG_SOURCE_DIR, beside the binary's
 * build folder, or the working directory. */
static const char *find_policies(const char *exe, char *buf, size_t n)
{
    const char *src = getenv("DG_SOURCE_DIR");
    if (src && src[0]) {
        snprintf(buf, n, "%s/policies/examples", src);
        if (is_dir(buf))
            return buf;
    }
    const char *slash = strrchr(exe, '/');
    if (slash) {
        snprintf(buf, n, "%.*s/../policies/examples", (int)(slash - exe), exe);
        if (is_dir(buf))
            return buf;
    }
    snprintf(buf, n, "policies/examples");
    return is_dir(buf) ? buf : NULL;
}

int dg_cmd_demo(int argc, char **argv)
{
    double drivers = 50000, rate = 10, duration = 0, seed = 1, port = 0, every = 10;
    const char *dir = NULL, *policies = NULL;
    bool keep = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        bool ok = true;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(help, stdout);
            return 0;
        } else if (!strcmp(a, "--keep")) {
            keep = true;
        } else if (!strcmp(a, "--drivers") && has) {
            ok = parse_num(a, argv[++i], 10, 10000000, &drivers);
        } else if (!strcmp(a, "--rate") && has) {
            ok = parse_num(a, argv[++i], 0, 1000, &rate);
        } else if (!strcmp(a, "--duration") && has) {
            ok = parse_num(a, argv[++i], 1, 31536000, &duration);
        } else if (!strcmp(a, "--seed") && has) {
            ok = parse_num(a, argv[++i], 0, 1e15, &seed);
        } else if (!strcmp(a, "--hub-port") && has) {
            ok = parse_num(a, argv[++i], 0, 65535, &port);
        } else if (!strcmp(a, "--status-every") && has) {
            ok = parse_num(a, argv[++i], 0, 86400, &every);
        } else if (!strcmp(a, "--dir") && has) {
            dir = argv[++i];
        } else if (!strcmp(a, "--policies") && has) {
            policies = argv[++i];
        } else {
            return dg_cmd_usage_error("demo: unknown or incomplete option '%s'", a);
        }
        if (!ok)
            return 2;
    }
    char exe[PATH_MAX], pol[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        fprintf(stderr, "dmvgate: demo: cannot find its own binary\n");
        return 2;
    }
    exe[n] = '\0';
    if (!policies && !(policies = find_policies(exe, pol, sizeof(pol))))
        return dg_cmd_usage_error("demo: cannot find policies/examples; give --policies DIR");
    if (!is_dir(policies))
        return dg_cmd_usage_error("demo: '%s' does not hold the example policies", policies);

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct dg_demo_options o = {.exe = exe,
                                .dir = dir,
                                .policies = policies,
                                .drivers = (uint64_t)drivers,
                                .rate = rate,
                                .seed = (uint64_t)seed,
                                .hub_port = (int)port,
                                .keep = keep,
                                .progress = stderr};
    struct dg_demo *d = NULL;
    struct dg_error e;
    dg_error_clear(&e);
    int rc = dg_demo_up(&d, &o, &stop_flag, &e);
    if (rc == DG_EAGAIN) {
        fprintf(stderr, "demo: stopped before it was up; nothing left running\n");
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "dmvgate: demo: %s (%s); nothing left running\n", e.msg, dg_errname(rc));
        return 2;
    }
    dg_demo_banner(d, stdout);

    int ret = 0;
    time_t start = time(NULL), last = start;
    char line[512];
    while (!stop_flag) {
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
        if (dg_demo_check(d, &e) != 0) {
            fprintf(stderr, "dmvgate: demo: %s\n", e.msg);
            ret = 1;
            break;
        }
        time_t now = time(NULL);
        if (every > 0 && now - last >= (time_t)every) {
            last = now;
            dg_demo_traffic_line(d, line, sizeof(line));
            printf("%s\n", line);
            fflush(stdout);
        }
        if (duration > 0 && now - start >= (time_t)duration)
            break;
    }
    dg_demo_traffic_line(d, line, sizeof(line));
    printf("%s\n", line);
    fflush(stdout);
    if (dg_demo_down(d, stderr) != 0)
        ret = 1;
    return ret;
}
