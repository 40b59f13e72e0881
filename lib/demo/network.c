/*
 * network.c - the demo network (include/dmvgate/demo.h, docs/demo.md): in one
 * throwaway directory, a CA and certificates (pki.c), the synthetic agency
 * directory, four states' DMV data seeded by `dmvgate seed` child processes
 * in parallel, an example policy, an audit key and review accounts per state;
 * then each state's node and the hub as real `dmvgate serve` processes on
 * loopback, and the traffic generator (traffic.c). Children run in their own
 * process group (a terminal's Ctrl-C reaches only the demo, which stops them
 * in order: traffic, hub, nodes) and die with the demo if it is killed
 * (PR_SET_PDEATHSIG).
 */
#include "demo/demo_int.h"

#include <dmvgate/audit.h>
#include <dmvgate/client.h>
#include <dmvgate/demo.h>
#include <dmvgate/msg.h>
#include <dmvgate/review.h>
#include <dmvgate/store.h>

#include <openssl/rand.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The four states the lawmakers wrote to, each with its example policy. */
const struct dg__demo_state dg__demo_states[DG__DEMO_NSTATES] = {
    {"AZ", "status-quo.policy"},
    {"CA", "warrant-required.policy"},
    {"CO", "block-immigration.policy"},
    {"WI", "review-unspecified.policy"},
};

static void say(const struct dg_demo *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const struct dg_demo *d, const char *fmt, ...)
{
    if (!d->o.progress)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(d->o.progress, "[%5.1f s] ", (double)(dg_mono_ns() - d->t0_ns) / 1e9);
    vfprintf(d->o.progress, fmt, ap);
    va_end(ap);
    fflush(d->o.progress);
}

/* ---- files ------------------------------------------------------------------------ */

static int write_file(const char *path, const char *data, size_t n, int mode, struct dg_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, NULL, -1, "cannot write '%s': %s", path, strerror(errno));
    bool ok = write(fd, data, n) == (ssize_t)n;
    if (close(fd) != 0 || !ok)
        return dg_error_set(err, DG_EIO, NULL, -1, "cannot write '%s'", path);
    return 0;
}

static int read_file(const char *path, struct dg_buf *out, struct dg_error *err)
{
    int rc = dg_buf_read_file(out, path, err);
    if (rc == 0 && !out->data)
        rc = dg_buf_addstr(out, "");
    return rc;
}

static int copy_file(const char *from, const char *to, struct dg_error *err)
{
    struct dg_buf b;
    dg_buf_init(&b, 1u << 20);
    int rc = read_file(from, &b, err);
    if (rc == 0)
        rc = write_file(to, b.data, b.len, 0644, err);
    dg_buf_release(&b);
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A password of n-1 letters and digits without look-alikes. */
static void make_password(char *out, size_t n)
{
    static const char set[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char r[64];
    if (n > sizeof(r))
        n = sizeof(r);
    if (RAND_bytes(r, (int)n) != 1)
        for (size_t i = 0; i < n; i++)
            r[i] = (unsigned char)(dg_mono_ns() >> (i % 8));
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = set[r[i] % (sizeof(set) - 1)];
    out[n - 1] = '\0';
}

/* ---- processes ----------------------------------------------------------------------- */

static int spawn(struct dg_demo *d, struct proc *p, const char *const argv[], struct dg_error *err)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return dg_error_set(err, DG_EINTERNAL, NULL, -1, "cannot start %s: %s", p->name,
                            strerror(errno));
    if (pid == 0) {
        /* Own process group: the terminal's Ctrl-C reaches the demo, which
         * stops the children in order. Die with the demo if it is killed. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || null < 0)
            _exit(126);
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(d->o.exe, (char *const *)argv);
        _exit(127);
    }
    p->pid = pid;
    return 0;
}

/* Reap p if it exited; true when it is gone. */
static bool reaped(struct proc *p)
{
    if (p->pid <= 0)
        return true;
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid || (r < 0 && errno == ECHILD)) {
        p->status = r == p->pid ? (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)) : 0;
        p->pid = 0;
        return true;
    }
    return false;
}

static void nap_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The last line of a log, for error messages. */
static void log_tail(const char *path, char *out, size_t n)
{
    struct dg_buf b;
    dg_buf_init(&b, 4u << 20);
    out[0] = '\0';
    if (read_file(path, &b, NULL) == 0 && b.len) {
        size_t e = b.len;
        while (e && (b.data[e - 1] == '\n' || b.data[e - 1] == '\r'))
            e--;
        size_t s = e;
        while (s && b.data[s - 1] != '\n')
            s--;
        snprintf(out, n, "%.*s", (int)(e - s), b.data + s);
    }
    dg_buf_release(&b);
}

static int died(struct proc *p, struct dg_error *err)
{
    char tail[200];
    log_tail(p->log, tail, sizeof(tail));
    return dg_error_set(err, DG_EINTERNAL, NULL, -1, "%s stopped (status %d; %s): %s", p->name,
                        p->status, p->log, tail);
}

/* Wait until p wrote its ready file (its address). */
static int wait_ready(struct proc *p, volatile sig_atomic_t *stop, struct dg_error *err)
{
    for (int i = 0; i < 1200; i++) { /* 60 s */
        if (*stop)
            return dg_error_set(err, DG_EAGAIN, NULL, -1, "stopped while starting");
        FILE *f = fopen(p->ready, "r");
        if (f) {
            bool got = fgets(p->addr, sizeof(p->addr), f) != NULL;
            fclose(f);
            p->addr[strcspn(p->addr, "\r\n")] = '\0';
            if (got && p->addr[0])
                return 0;
        }
        if (reaped(p))
            return died(p, err);
        nap_ms(50);
    }
    return dg_error_set(err, DG_EINTERNAL, NULL, -1, "%s did not start in 60 s (%s)", p->name,
                        p->log);
}

/* SIGTERM every process in ps, wait up to grace_ms, then SIGKILL. Returns
 * how many did not exit 0. */
static int stop_procs(struct proc *ps, int n, long grace_ms)
{
    for (int i = 0; i < n; i++)
        if (ps[i].pid > 0)
            kill(ps[i].pid, SIGTERM);
    for (long waited = 0;; waited += 50) {
        bool all = true;
        for (int i = 0; i < n; i++)
            all &= reaped(&ps[i]);
        if (all)
            break;
        if (waited >= grace_ms) {
            for (int i = 0; i < n; i++)
                if (ps[i].pid > 0) {
                    kill(ps[i].pid, SIGKILL);
                    int st;
                    waitpid(ps[i].pid, &st, 0);
                    ps[i].pid = 0;
                    ps[i].status = 137;
                }
            break;
        }
        nap_ms(50);
    }
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += ps[i].status != 0 && ps[i].log[0];
    return bad;
}

/* ---- building the network --------------------------------------------------------------- */

static void path_in(const struct dg_demo *d, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void path_in(const struct dg_demo *d, char *out, size_t n, const char *fmt, ...)
{
    int k = snprintf(out, n, "%s/", d->dir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + k, n - (size_t)k, fmt, ap);
    va_end(ap);
}

static int start_seeding(struct dg_demo *d, struct dg_error *err)
{
    char drivers[32], seed[32];
    snprintf(drivers, sizeof(drivers), "%llu", (unsigned long long)d->o.drivers);
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)d->o.seed);
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        char sub[PATH_MAX], db[PATH_MAX];
        path_in(d, sub, sizeof(sub), "%s", dg__demo_states[i].st);
        if (mkdir(sub, 0755) != 0)
            return dg_error_set(err, DG_EIO, NULL, -1, "cannot make '%s': %s", sub,
                                strerror(errno));
        struct proc *p = &d->seed[i];
        snprintf(p->name, sizeof(p->name), "seeding %s", dg__demo_states[i].st);
        path_in(d, p->log, sizeof(p->log), "%s/seed.log", dg__demo_states[i].st);
        path_in(d, db, sizeof(db), "%s/store.db", dg__demo_states[i].st);
        const char *argv[] = {d->o.exe,    "seed",  "--state", dg__demo_states[i].st,
                              "--drivers", drivers, "--db",    db,
                              "--seed",    seed,    NULL};
        int rc = spawn(d, p, argv, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int wait_seeding(struct dg_demo *d, volatile sig_atomic_t *stop, struct dg_error *err)
{
    for (;;) {
        bool all = true;
        for (int i = 0; i < DG__DEMO_NSTATES; i++) {
            if (!reaped(&d->seed[i])) {
                all = false;
                continue;
            }
            if (d->seed[i].status != 0 && d->seed[i].log[0])
                return died(&d->seed[i], err);
        }
        if (all)
            return 0;
        if (*stop)
            return dg_error_set(err, DG_EAGAIN, NULL, -1, "stopped while seeding");
        nap_ms(50);
    }
}

/* The agencies that send the demo's traffic: a few of each kind, local ones
 * from the four states and a few others, federal offices of several kinds. */
static int make_pool(struct dg_demo *d, const struct dg_directory *dir, struct dg_error *err)
{
    static const struct {
        int kind;
        const char *state; /* NULL: any state */
        const char *component;
        int n;
        uint32_t agreements;
    } want[] = {
        {DG_TK_MUNICIPAL, "AZ", NULL, 3, 0},
        {DG_TK_MUNICIPAL, "CA", NULL, 4, 0},
        {DG_TK_MUNICIPAL, "CO", NULL, 3, 0},
        {DG_TK_MUNICIPAL, "WI", NULL, 3, 0},
        {DG_TK_MUNICIPAL, "TX", NULL, 1, 0},
        {DG_TK_MUNICIPAL, "NV", NULL, 1, 0},
        {DG_TK_MUNICIPAL, "NM", NULL, 1, 0},
        {DG_TK_MUNICIPAL, "MN", NULL, 1, 0},
        {DG_TK_SHERIFF, "AZ", NULL, 2, 0},
        {DG_TK_SHERIFF, "CA", NULL, 2, 0},
        {DG_TK_SHERIFF, "CO", NULL, 2, 0},
        {DG_TK_SHERIFF, "WI", NULL, 2, 0},
        {DG_TK_SHERIFF, NULL, NULL, 1, DG_AGR_287G},
        {DG_TK_SHERIFF, "FL", NULL, 1, DG_AGR_287G},
        {DG_TK_STATE, "AZ", NULL, 1, 0},
        {DG_TK_STATE, "CA", NULL, 2, 0},
        {DG_TK_STATE, "CO", NULL, 1, 0},
        {DG_TK_STATE, "WI", NULL, 1, 0},
        {DG_TK_OTHER_LOCAL, "AZ", NULL, 1, 0},
        {DG_TK_OTHER_LOCAL, "CA", NULL, 1, 0},
        {DG_TK_OTHER_LOCAL, "CO", NULL, 1, 0},
        {DG_TK_OTHER_LOCAL, "WI", NULL, 1, 0},
        {DG_TK_FEDERAL, NULL, "FBI", 2, 0},
        {DG_TK_FEDERAL, NULL, "CBP", 2, 0},
        {DG_TK_FEDERAL, NULL, "DEA", 1, 0},
        {DG_TK_FEDERAL, NULL, "USMS", 1, 0},
        {DG_TK_HSI, "AZ", NULL, 1, 0},
        {DG_TK_HSI, "CA", NULL, 1, 0},
        {DG_TK_HSI, NULL, NULL, 1, 0},
        {DG_TK_ICE_ERO, "AZ", NULL, 1, 0},
        {DG_TK_ICE_ERO, "CO", NULL, 1, 0},
        {DG_TK_ICE_ERO, NULL, NULL, 1, 0},
        {DG_TK_UNSPECIFIED, "WI", NULL, 1, 0},
        {DG_TK_UNSPECIFIED, NULL, NULL, 2, 0},
    };
    d->pool = dg_calloc(64, sizeof(*d->pool));
    if (!d->pool)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    size_t n = dg_directory_count(dir);
    for (size_t w = 0; w < DG_ARRAY_LEN(want); w++) {
        int got = 0;
        for (size_t i = 0; i < n && got < want[w].n && d->npool < 64; i++) {
            const struct dg_agency *a = dg_directory_at(dir, i);
            if (dg_traffic_kind_of(a) != want[w].kind ||
                (want[w].state && strcmp(a->state, want[w].state) != 0) ||
                (want[w].component && strcmp(a->component, want[w].component) != 0) ||
                (want[w].agreements && !(a->agreements & want[w].agreements)))
                continue;
            bool dup = false;
            for (int k = 0; k < d->npool && !dup; k++)
                dup = strcmp(d->pool[k].a.ori, a->ori) == 0;
            if (dup)
                continue;
            struct dg_traffic_agency *t = &d->pool[d->npool++];
            t->a = *a;
            t->kind = want[w].kind;
            path_in(d, t->cert, sizeof(t->cert), "certs/%s.pem", a->ori);
            path_in(d, t->key, sizeof(t->key), "certs/%s.key", a->ori);
            got++;
        }
    }
    return 0;
}

static int make_directory_and_certs(struct dg_demo *d, struct dg_error *err)
{
    struct dg_directory *dir = dg_directory_new();
    if (!dir)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    struct dg_buf csv;
    dg_buf_init(&csv, 64u << 20);
    char path[PATH_MAX], key[PATH_MAX];
    int rc = dg_agencies_generate(dir, d->o.seed, err);
    if (rc > 0)
        rc = 0; /* the number of agencies */
    if (rc == 0 && (rc = dg_directory_to_csv(dir, &csv)) != 0)
        dg_error_set(err, rc, NULL, -1, "cannot write the agency directory");
    if (rc == 0) {
        path_in(d, path, sizeof(path), "agencies.csv");
        rc = write_file(path, csv.data, csv.len, 0644, err);
    }
    dg_buf_release(&csv);
    if (rc == 0)
        rc = make_pool(d, dir, err);
    dg_directory_free(dir);
    if (rc != 0)
        return rc;

    path_in(d, path, sizeof(path), "certs");
    if (mkdir(path, 0700) != 0)
        return dg_error_set(err, DG_EIO, NULL, -1, "cannot make '%s'", path);
    struct dg_pki *ca = NULL;
    if ((rc = dg_pki_new(&ca, "dmvgate demo CA (throwaway)", 30, err)) != 0)
        return rc;
    path_in(d, path, sizeof(path), "certs/ca.pem");
    rc = dg_pki_write_ca(ca, path, err);
    if (rc == 0) {
        path_in(d, path, sizeof(path), "certs/server.pem");
        path_in(d, key, sizeof(key), "certs/server.key");
        rc = dg_pki_issue(ca, "localhost", DG_PKI_SERVER, path, key, err);
    }
    if (rc == 0) {
        path_in(d, path, sizeof(path), "certs/hub.pem");
        path_in(d, key, sizeof(key), "certs/hub.key");
        rc = dg_pki_issue(ca, "hub.dmvgate.demo", DG_PKI_CLIENT, path, key, err);
    }
    if (rc == 0) { /* Colorado's admin of its network-level blocks at the hub */
        path_in(d, path, sizeof(path), "certs/co-admin.pem");
        path_in(d, key, sizeof(key), "certs/co-admin.key");
        rc = dg_pki_issue(ca, "co-admin.dmvgate.demo", DG_PKI_CLIENT, path, key, err);
    }
    for (int i = 0; rc == 0 && i < d->npool; i++)
        rc =
            dg_pki_issue(ca, d->pool[i].a.ori, DG_PKI_CLIENT, d->pool[i].cert, d->pool[i].key, err);
    if (rc == 0) {
        make_password(d->p12_pw, 13);
        path_in(d, path, sizeof(path), "certs/browser.p12");
        rc = dg_pki_issue_p12(ca, "demo browser", d->p12_pw, path, err);
    }
    dg_pki_free(ca);
    return rc;
}

static void policy_title(const char *text, char *out, size_t n)
{
    const char *p = strstr(text, "policy \"");
    out[0] = '\0';
    if (p) {
        p += 8;
        const char *e = strchr(p, '"');
        if (e)
            snprintf(out, n, "%.*s", (int)(e - p), p);
    }
}

/* An audit signing key pair in DIR/audit-key.key (0600) and .pub, named name. */
static int write_audit_key(struct dg_demo *d, const char *dir, const char *name,
                           struct dg_error *err)
{
    char to[PATH_MAX];
    struct dg_buf sk, vk;
    dg_buf_init(&sk, 4096);
    dg_buf_init(&vk, 4096);
    int rc = dg_note_keygen(name, &sk, &vk, err);
    if (rc == 0) {
        dg_buf_addc(&sk, '\n');
        dg_buf_addc(&vk, '\n');
        path_in(d, to, sizeof(to), "%s/audit-key.key", dir);
        rc = write_file(to, sk.data, sk.len, 0600, err);
    }
    if (rc == 0) {
        path_in(d, to, sizeof(to), "%s/audit-key.pub", dir);
        rc = write_file(to, vk.data, vk.len, 0644, err);
    }
    dg_buf_release(&sk);
    dg_buf_release(&vk);
    return rc;
}

/* Policy, its lists, audit key and configuration of each state's node. */
static int make_node_files(struct dg_demo *d, struct dg_error *err)
{
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        const char *st = dg__demo_states[i].st;
        char from[PATH_MAX], to[PATH_MAX];
        snprintf(from, sizeof(from), "%s/%s", d->o.policies, dg__demo_states[i].policy);
        path_in(d, to, sizeof(to), "%s/%s.policy", st, st);
        int rc = copy_file(from, to, err);
        if (rc != 0)
            return rc;
        struct dg_buf text;
        dg_buf_init(&text, 1u << 20);
        if (read_file(to, &text, NULL) == 0)
            policy_title(text.data, d->policy_name[i], sizeof(d->policy_name[i]));
        dg_buf_release(&text);
        /* The lists a policy names live beside it (lists/...). */
        path_in(d, to, sizeof(to), "%s/lists", st);
        mkdir(to, 0755);
        static const char *const lists[] = {"wi-287g-partners.txt"};
        for (size_t l = 0; l < DG_ARRAY_LEN(lists); l++) {
            snprintf(from, sizeof(from), "%s/lists/%s", d->o.policies, lists[l]);
            path_in(d, to, sizeof(to), "%s/lists/%s", st, lists[l]);
            if (access(from, R_OK) == 0 && (rc = copy_file(from, to, err)) != 0)
                return rc;
        }

        char name[64];
        snprintf(name, sizeof(name), "%c%c.demo.dmvgate/audit", st[0] - 'A' + 'a',
                 st[1] - 'A' + 'a');
        if ((rc = write_audit_key(d, st, name, err)) != 0)
            return rc;

        struct dg_buf c;
        dg_buf_init(&c, 8192);
        dg_buf_printf(&c,
                      "# The %s node of the dmvgate demo (made by dmvgate demo)\n"
                      "role = node\n"
                      "state = %s\n"
                      "listen = 127.0.0.1:0\n"
                      "threads = 1\n"
                      "store = store.db\n"
                      "directory = ../agencies.csv\n"
                      "policy = %s.policy\n"
                      "audit_dir = audit\n"
                      "audit_key = audit-key.key\n"
                      "tls_cert = ../certs/server.pem\n"
                      "tls_key = ../certs/server.key\n"
                      "tls_client_ca = ../certs/ca.pem\n"
                      "hub_identity = hub.dmvgate.demo\n"
                      "access_log = access.log\n"
                      "shutdown_grace = 3\n",
                      st, st, st);
        path_in(d, to, sizeof(to), "%s/node.conf", st);
        rc = c.data ? write_file(to, c.data, c.len, 0644, err) : DG_ENOMEM;
        dg_buf_release(&c);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int add_accounts(struct dg_demo *d, struct dg_error *err)
{
    make_password(d->reviewer_pw, 15);
    make_password(d->supervisor_pw, 15);
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        char db[PATH_MAX];
        path_in(d, db, sizeof(db), "%s/store.db", dg__demo_states[i].st);
        struct dg_store *s = NULL;
        int rc = dg_store_open(db, 0, &s, err);
        if (rc == 0 && (rc = dg_review_migrate(s, err)) > 0)
            rc = 0;
        if (rc == 0)
            rc = dg_user_add(s, "reviewer", DG_ROLE_REVIEWER, NULL, d->reviewer_pw,
                             strlen(d->reviewer_pw), dg_now_us(), err);
        if (rc == 0)
            rc = dg_user_add(s, "supervisor", DG_ROLE_SUPERVISOR, NULL, d->supervisor_pw,
                             strlen(d->supervisor_pw), dg_now_us(), err);
        dg_store_close(s);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int start_nodes(struct dg_demo *d, volatile sig_atomic_t *stop, struct dg_error *err)
{
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        struct proc *p = &d->node[i];
        char conf[PATH_MAX];
        snprintf(p->name, sizeof(p->name), "the %s node", dg__demo_states[i].st);
        path_in(d, p->log, sizeof(p->log), "%s/serve.log", dg__demo_states[i].st);
        path_in(d, p->ready, sizeof(p->ready), "%s/ready", dg__demo_states[i].st);
        path_in(d, conf, sizeof(conf), "%s/node.conf", dg__demo_states[i].st);
        const char *argv[] = {d->o.exe, "serve", "--config", conf, "--ready-file", p->ready, NULL};
        int rc = spawn(d, p, argv, err);
        if (rc != 0)
            return rc;
    }
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        int rc = wait_ready(&d->node[i], stop, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int start_hub(struct dg_demo *d, volatile sig_atomic_t *stop, struct dg_error *err)
{
    struct dg_buf c;
    dg_buf_init(&c, 8192);
    dg_buf_printf(&c,
                  "# The hub of the dmvgate demo (made by dmvgate demo)\n"
                  "role = hub\n"
                  "listen = 127.0.0.1:%d\n"
                  "threads = 1\n"
                  "directory = ../agencies.csv\n"
                  "routes = ",
                  d->o.hub_port);
    for (int i = 0; i < DG__DEMO_NSTATES; i++)
        dg_buf_printf(&c, "%s%s=https://%s", i ? "," : "", dg__demo_states[i].st, d->node[i].addr);
    dg_buf_printf(&c, "\n"
                      "tls_cert = ../certs/server.pem\n"
                      "tls_key = ../certs/server.key\n"
                      "tls_client_ca = ../certs/ca.pem\n"
                      "hub_cert = ../certs/hub.pem\n"
                      "hub_key = ../certs/hub.key\n"
                      "audit_dir = audit\n"
                      "audit_key = audit-key.key\n"
                      "store = hub.db\n"
                      "hub_blocks = blocks\n"
                      "hub_admins = CO=co-admin.dmvgate.demo\n"
                      "upstream_timeout = 10\n"
                      "access_log = access.log\n"
                      "shutdown_grace = 3\n");
    char path[PATH_MAX];
    path_in(d, path, sizeof(path), "hub");
    mkdir(path, 0755);
    static const char blocks[] =
        "# Network-level blocks at the hub (docs/hub.md): STATE KIND VALUE [REASON].\n"
        "# The hub refuses these requesters before their messages reach the state's\n"
        "# node. Edit and send SIGHUP to the hub, or use the admin API with\n"
        "# certs/co-admin.pem (Colorado's blocks only). For example:\n"
        "# CO component ICE-ERO Colorado refuses ICE-ERO at the hub\n"
        "# WI category unspecified Wisconsin refuses agencies of unrecorded type\n";
    path_in(d, path, sizeof(path), "hub/blocks");
    int rc = write_file(path, blocks, sizeof(blocks) - 1, 0644, err);
    if (rc == 0)
        rc = write_audit_key(d, "hub", "hub.demo.dmvgate/audit", err);
    path_in(d, path, sizeof(path), "hub/hub.conf");
    if (rc == 0)
        rc = c.data ? write_file(path, c.data, c.len, 0644, err) : DG_ENOMEM;
    dg_buf_release(&c);
    if (rc != 0)
        return rc;
    struct proc *p = &d->hub;
    snprintf(p->name, sizeof(p->name), "the hub");
    path_in(d, p->log, sizeof(p->log), "hub/serve.log");
    path_in(d, p->ready, sizeof(p->ready), "hub/ready");
    const char *argv[] = {d->o.exe, "serve", "--config", path, "--ready-file", p->ready, NULL};
    if ((rc = spawn(d, p, argv, err)) != 0 || (rc = wait_ready(p, stop, err)) != 0)
        return rc;
    snprintf(d->hub_url, sizeof(d->hub_url), "https://%s", p->addr);
    return 0;
}

/* Which pages the nodes serve (the review console lands separately). */
static void probe_pages(struct dg_demo *d)
{
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        char url[128];
        snprintf(url, sizeof(url), "https://%s", d->node[i].addr);
        char ca[PATH_MAX];
        path_in(d, ca, sizeof(ca), "certs/ca.pem");
        struct dg_client_options co = {
            .url = url, .cert = d->pool[0].cert, .key = d->pool[0].key, .ca = ca, .timeout_s = 5};
        struct dg_client *c = NULL;
        if (dg_client_new(&c, &co, NULL) != 0)
            continue;
        struct dg_client_reply r;
        if (dg_client_get(c, "/console/", &r, NULL) == 0)
            d->console[i] = r.status != 404 && r.status != 0;
        dg_client_reply_release(&r);
        if (dg_client_get(c, "/dashboard/", &r, NULL) == 0)
            d->dashboard[i] = r.status == 200;
        dg_client_reply_release(&r);
        dg_client_free(c);
    }
}

static int write_env(struct dg_demo *d, struct dg_error *err)
{
    struct dg_buf b;
    dg_buf_init(&b, 16384);
    dg_buf_printf(&b,
                  "# The dmvgate demo's addresses (sh syntax): . %s/demo.env\n"
                  "DMVGATE_HUB=%s\nDMVGATE_CA=%s/certs/ca.pem\n",
                  d->dir, d->hub_url, d->dir);
    for (int i = 0; i < DG__DEMO_NSTATES; i++)
        dg_buf_printf(&b, "DEMO_NODE_%s=https://%s\n", dg__demo_states[i].st, d->node[i].addr);
    dg_buf_printf(&b, "DEMO_REVIEWER_PASSWORD=%s\nDEMO_SUPERVISOR_PASSWORD=%s\n", d->reviewer_pw,
                  d->supervisor_pw);
    dg_buf_printf(&b, "DEMO_HUB_PID=%d\n", (int)d->hub.pid);
    for (int i = 0; i < DG__DEMO_NSTATES; i++)
        dg_buf_printf(&b, "DEMO_NODE_%s_PID=%d\n", dg__demo_states[i].st, (int)d->node[i].pid);
    dg_buf_addstr(&b, "export DMVGATE_HUB DMVGATE_CA\n");
    char path[PATH_MAX];
    path_in(d, path, sizeof(path), "demo.env");
    int rc = b.data ? write_file(path, b.data, b.len, 0600, err) : DG_ENOMEM;
    dg_buf_release(&b);
    if (rc != 0)
        return rc;
    /* Who is who among the agencies with certificates. */
    dg_buf_init(&b, 65536);
    dg_buf_addstr(&b, "# ORI, the kind of traffic it sends, the agency (certs/ORI.pem, .key)\n");
    for (int i = 0; i < d->npool; i++)
        dg_buf_printf(&b, "%s  %-26s  %s\n", d->pool[i].a.ori, dg_traffic_mix[d->pool[i].kind].name,
                      d->pool[i].a.name);
    path_in(d, path, sizeof(path), "agencies-with-certificates.txt");
    rc = b.data ? write_file(path, b.data, b.len, 0644, err) : DG_ENOMEM;
    dg_buf_release(&b);
    return rc;
}

static int start_traffic(struct dg_demo *d, struct dg_error *err)
{
    for (int i = 0; i < DG__DEMO_NSTATES; i++) {
        int n = d->o.drivers < 400 ? (int)d->o.drivers : 400;
        int rc = dg_traffic_keys_make(&d->keys[i], dg__demo_states[i].st, d->o.seed, n, err);
        if (rc != 0)
            return rc;
    }
    if (!(d->o.rate > 0))
        return 0;
    static char ca[PATH_MAX];
    path_in(d, ca, sizeof(ca), "certs/ca.pem");
    d->to = (struct dg_traffic_options){.url = d->hub_url,
                                        .ca = ca,
                                        .rate = d->o.rate,
                                        .seed = d->o.seed,
                                        .agencies = d->pool,
                                        .nagencies = d->npool,
                                        .keys = d->keys,
                                        .nstates = DG__DEMO_NSTATES};
    d->traffic_start_ns = dg_mono_ns();
    return dg_traffic_start(&d->traffic, &d->to, err);
}

int dg_demo_up(struct dg_demo **out, const struct dg_demo_options *o, volatile sig_atomic_t *stop,
               struct dg_error *err)
{
    *out = NULL;
    if (!o->exe || !o->policies || o->drivers == 0)
        return dg_error_set(err, DG_EINVAL, NULL, -1,
                            "the demo needs its binary, policies, drivers");
    struct dg_demo *d = dg_calloc(1, sizeof(*d));
    if (!d)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
    d->o = *o;
    int rc = 0;
    if (o->dir) {
        snprintf(d->dir, sizeof(d->dir), "%s", o->dir);
        if (mkdir(d->dir, 0700) != 0 && errno != EEXIST)
            rc = dg_error_set(err, DG_EIO, NULL, -1, "cannot make '%s': %s", d->dir,
                              strerror(errno));
        d->o.keep = true;
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(d->dir, sizeof(d->dir), "%s/dmvgate-demo.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(d->dir))
            rc = dg_error_set(err, DG_EIO, NULL, -1, "cannot make a directory in '%s'",
                              tmp && tmp[0] ? tmp : "/tmp");
        d->made_dir = rc == 0;
    }
    if (rc == 0) {
        char probe[PATH_MAX];
        path_in(d, probe, sizeof(probe), "agencies.csv");
        if (access(probe, F_OK) == 0)
            rc = dg_error_set(err, DG_EEXIST, NULL, -1, "'%s' already holds a demo", d->dir);
    }
    d->t0_ns = dg_mono_ns();
    if (rc == 0) {
        say(d, "demo: building in %s\n", d->dir);
        say(d, "demo: seeding %llu drivers a state for AZ, CA, CO and WI (in parallel)...\n",
            (unsigned long long)o->drivers);
        rc = start_seeding(d, err);
    }
    if (rc == 0) {
        say(d, "demo: agency directory, certificate authority and certificates...\n");
        rc = make_directory_and_certs(d, err);
    }
    if (rc == 0)
        rc = make_node_files(d, err);
    if (rc == 0)
        rc = wait_seeding(d, stop, err);
    if (rc == 0) {
        say(d, "demo: seeded; review accounts...\n");
        rc = add_accounts(d, err);
    }
    if (rc == 0) {
        say(d, "demo: starting the four nodes and the hub...\n");
        rc = start_nodes(d, stop, err);
    }
    if (rc == 0)
        rc = start_hub(d, stop, err);
    if (rc == 0) {
        probe_pages(d);
        rc = write_env(d, err);
    }
    if (rc == 0)
        rc = start_traffic(d, err);
    if (rc != 0) {
        dg_demo_down(d, NULL);
        return rc;
    }
    say(d, "demo: up\n");
    *out = d;
    return 0;
}

const char *dg_demo_dir(const struct dg_demo *d)
{
    return d->dir;
}

int dg_demo_check(struct dg_demo *d, struct dg_error *err)
{
    if (reaped(&d->hub))
        return died(&d->hub, err);
    for (int i = 0; i < DG__DEMO_NSTATES; i++)
        if (reaped(&d->node[i]))
            return died(&d->node[i], err);
    return 0;
}

int dg_demo_down(struct dg_demo *d, FILE *progress)
{
    if (!d)
        return 0;
    if (progress)
        fprintf(progress, "\ndemo: stopping the traffic, the hub and the nodes...\n");
    dg_traffic_stop(d->traffic);
    d->traffic = NULL;
    int bad = stop_procs(d->seed, DG__DEMO_NSTATES, 2000);
    bad += stop_procs(&d->hub, 1, 8000);
    bad += stop_procs(d->node, DG__DEMO_NSTATES, 8000);
    for (int i = 0; i < DG__DEMO_NSTATES; i++)
        dg_traffic_keys_release(&d->keys[i]);
    dg_free(d->pool);
    if (d->made_dir && !d->o.keep)
        remove_tree(d->dir);
    else if (progress)
        fprintf(progress, "demo: kept %s\n", d->dir);
    if (progress)
        fprintf(progress, "demo: stopped%s\n", bad ? " (a process did not exit cleanly)" : "");
    dg_free(d);
    return bad ? DG_EINTERNAL : 0;
}
