/*
 * cmd_user.c - `dmvgate user`: the review console's accounts in a node's
 * store. `user add` creates an account with a role and a password read from
 * the terminal (twice, without echo) or from the first line of stdin;
 * `user list` shows the accounts (never their hashes).
 */
#include "cmd.h"

#include <dmvgate/review.h>
#include <dmvgate/store.h>

#include <sodium.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char user_usage[] =
    "usage: dmvgate user add NAME --role ROLE --db STORE [--agency ORI]\n"
    "       dmvgate user list --db STORE\n"
    "\n"
    "  add       create a review-console account. The password is read from the\n"
    "            terminal (asked twice, not echoed) or, when stdin is not a terminal,\n"
    "            from the first line of stdin; it must be 10 to 1024 bytes and is\n"
    "            stored only as an Argon2id hash (libsodium)\n"
    "  list      one line per account: name, role, agency, failed logins, locked\n"
    "\n"
    "options:\n"
    "  --role ROLE     reviewer (decides held requests), supervisor (also sees all\n"
    "                  decisions and notices), auditor (reads only) or admin\n"
    "                  (manages accounts)\n"
    "  --db STORE      the node's store (path, sqlite:PATH); created when absent\n"
    "  --agency ORI    the account holder's own agency: a reviewer cannot approve\n"
    "                  requests from it\n"
    "  -h, --help      this text\n"
    "\n"
    "Exit status: 0 done, 1 the account exists or the password was refused,\n"
    "2 bad usage or an error.\n";

/* Read one line into buf (without its newline); echo off on a terminal. */
static int read_line(const char *prompt, char *buf, size_t size, size_t *len)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            tty = false;
        }
    }
    char *r = fgets(buf, (int)size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!r)
        return -1;
    size_t n = strlen(buf);
    if (n + 1 == size && buf[n - 1] != '\n')
        return -1; /* too long */
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    *len = n;
    return 0;
}

static int user_add(int argc, char **argv)
{
    const char *name = NULL, *role_s = NULL, *db = NULL, *ori = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--role") || !strcmp(a, "--db") || !strcmp(a, "--agency")) {
            if (i + 1 >= argc)
                return dg_cmd_usage_error("user add: %s needs a value", a);
            const char **dst = a[2] == 'r' ? &role_s : a[2] == 'd' ? &db : &ori;
            *dst = argv[++i];
        } else if (a[0] == '-') {
            return dg_cmd_usage_error("user add: unknown option '%s'", a);
        } else if (!name) {
            name = a;
        } else {
            return dg_cmd_usage_error("user add: one NAME only");
        }
    }
    if (!name || !role_s || !db)
        return dg_cmd_usage_error("user add: NAME, --role and --db are required");
    enum dg_role role;
    if (dg_role_parse(role_s, &role))
        return dg_cmd_usage_error("user add: unknown role '%s'", role_s);
    struct dg_error e;
    if (dg_user_name_check(name, &e))
        return dg_cmd_usage_error("user add: %s", e.msg);

    static char pw[DG_USER_PASSWORD_MAX + 2], again[DG_USER_PASSWORD_MAX + 2];
    size_t len = 0, len2 = 0;
    if (read_line("password: ", pw, sizeof(pw), &len)) {
        fprintf(stderr, "dmvgate: user add: no password read (or longer than %d bytes)\n",
                DG_USER_PASSWORD_MAX);
        return 1;
    }
    if (isatty(STDIN_FILENO)) {
        if (read_line("again: ", again, sizeof(again), &len2) || len2 != len ||
            memcmp(pw, again, len) != 0) {
            sodium_memzero(pw, sizeof(pw));
            sodium_memzero(again, sizeof(again));
            fputs("dmvgate: user add: the passwords differ\n", stderr);
            return 1;
        }
        sodium_memzero(again, sizeof(again));
    }
    struct dg_store *s = NULL;
    if (dg_store_open(db, DG_STORE_CREATE, &s, &e)) {
        sodium_memzero(pw, sizeof(pw));
        fprintf(stderr, "dmvgate: user add: %s\n", e.msg);
        return 2;
    }
    int rc = dg_review_migrate(s, &e);
    if (rc >= 0)
        rc = dg_user_add(s, name, role, ori, pw, len, dg_now_us(), &e);
    sodium_memzero(pw, sizeof(pw));
    dg_store_close(s);
    if (rc) {
        fprintf(stderr, "dmvgate: user add: %s\n", e.msg);
        return rc == DG_EEXIST || rc == DG_EINVAL ? 1 : 2;
    }
    printf("added %s (%s)\n", name, dg_role_name(role));
    return 0;
}

static int print_user(void *arg, const struct dg_user *u)
{
    int64_t now = *(const int64_t *)arg;
    printf("%s\t%s\t%s\t%d\t%s\n", u->name, dg_role_name(u->role), u->ori[0] ? u->ori : "-",
           u->failures, u->locked_until_us > now ? "locked" : "-");
    return 0;
}

static int user_list(int argc, char **argv)
{
    const char *db = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else
            return dg_cmd_usage_error("user list: unknown option '%s'", argv[i]);
    }
    if (!db)
        return dg_cmd_usage_error("user list: --db is required");
    struct dg_store *s = NULL;
    struct dg_error e;
    if (dg_store_open(db, 0, &s, &e)) {
        fprintf(stderr, "dmvgate: user list: %s\n", e.msg);
        return 2;
    }
    int64_t now = dg_now_us();
    int rc = dg_review_migrate(s, &e);
    if (rc >= 0)
        rc = dg_user_each(s, print_user, &now, &e);
    dg_store_close(s);
    if (rc < 0) {
        fprintf(stderr, "dmvgate: user list: %s\n", e.msg);
        return 2;
    }
    return 0;
}

int dg_cmd_user(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(user_usage, stdout);
            return 0;
        }
    if (argc < 2)
        return dg_cmd_usage_error("user: add or list expected (see dmvgate user --help)");
    if (!strcmp(argv[1], "add"))
        return user_add(argc, argv);
    if (!strcmp(argv[1], "list"))
        return user_list(argc, argv);
    return dg_cmd_usage_error("user: unknown subcommand '%s'", argv[1]);
}
