/*
 * test_config.c - unit tests for lib/config: the option table, the parser and
 * its exact diagnostics, cross-option checks, overrides and the effective
 * configuration printer (which must parse back to the same configuration).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/config.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(struct dg_config *c, const char *text, struct dg_config_report *r)
{
    dg_config_report_init(r);
    assert_int_equal(dg_config_init(c), 0);
    return dg_config_parse(c, text, strlen(text), "/etc/dg", r);
}

static void defaults_match_table(void **state)
{
    (void)state;
    struct dg_config c;
    assert_int_equal(dg_config_init(&c), 0);
    assert_int_equal(c.role, DG_ROLE_NODE);
    assert_string_equal(c.listen, "127.0.0.1:8443");
    assert_int_equal(c.threads, 0);
    assert_true(dg_config_threads(&c) >= 1);
    assert_int_equal(c.max_body, 64 * 1024);
    assert_int_equal(c.max_headers, 16 * 1024);
    assert_int_equal(c.audit_batch_max, 1024);
    assert_false(c.dev_mode);
    assert_string_equal(c.access_log, "stderr");
    assert_string_equal(c.store, "");
    assert_int_equal(c.log_level, DG_LOG_INFO);
    /* every row has a description and a default that parses (init did that) */
    const struct dg_config_option *o;
    size_t n = 0;
    for (; (o = dg_config_option(n)); n++) {
        assert_non_null(o->description);
        assert_true(strlen(o->description) > 10);
    }
    assert_true(n >= 20);
    dg_config_release(&c);
}

static void parses_values_comments_quotes(void **state)
{
    (void)state;
    struct dg_config c;
    struct dg_config_report r;
    const char *text = "# a node\n"
                       "\n"
                       "  role = node\r\n"
                       "state=CO\n"
                       "listen = [::1]:0   # ipv6 loopback\n"
                       "threads = 3\n"
                       "store = data/co.db\n"
                       "policy = \"my policy #1.txt\"  # quoted keeps ' #'\n"
                       "directory = /abs/agencies.csv\n"
                       "hub_identity = hub.dmvgate.test\n"
                       "max_body = 1m\n"
                       "max_headers = 8K\n"
                       "dev_mode = on\n"
                       "access_log = off\n"
                       "log_level = warn\n"
                       "tls_crl = \"a \\\"q\\\" \\\\ b\"";
    assert_int_equal(parse(&c, text, &r), 0);
    assert_int_equal(r.n, 0);
    assert_string_equal(c.state, "CO");
    assert_string_equal(c.listen, "[::1]:0");
    assert_int_equal(c.threads, 3);
    assert_int_equal(dg_config_threads(&c), 3);
    assert_string_equal(c.store, "/etc/dg/data/co.db");
    assert_string_equal(c.policy, "/etc/dg/my policy #1.txt");
    assert_string_equal(c.directory, "/abs/agencies.csv");
    assert_string_equal(c.hub_identity, "hub.dmvgate.test");
    assert_int_equal(c.max_body, 1024 * 1024);
    assert_int_equal(c.max_headers, 8192);
    assert_true(c.dev_mode);
    assert_string_equal(c.access_log, "off");
    assert_int_equal(c.log_level, DG_LOG_WARN);
    assert_string_equal(c.tls_crl, "/etc/dg/a \"q\" \\ b");
    assert_int_equal(c.source_line[0], 3); /* role */
    dg_config_release(&c);
}

/* Each bad line and the exact diagnostic it must give. */
static const struct {
    const char *text;
    int line;
    const char *msg;
} bad[] = {
    {"bogus = 1\n", 1, "unknown option 'bogus'"},
    {"role\n", 1, "expected '=' after option name 'role'"},
    {"= node\n", 1, "expected an option name (lowercase letters, digits, _)"},
    {"Role = node\n", 1, "expected an option name (lowercase letters, digits, _)"},
    {"role = mayor\n", 1, "role: expected one of node|hub, got 'mayor'"},
    {"state = XX\n", 1, "state: 'XX' is not a state or territory code (2 capital letters)"},
    {"state = co\n", 1, "state: 'co' is not a state or territory code (2 capital letters)"},
    {"threads = -1\n", 1, "threads: expected a whole number, got '-1'"},
    {"threads = 257\n", 1, "threads: '257' is out of range 0..256"},
    {"threads = 99999999999999999999\n", 1,
     "threads: '99999999999999999999' is out of range 0..256"},
    {"max_body = 17m\n", 1, "max_body: '17m' is out of range 256..16777216"},
    {"max_body = 12q\n", 1, "max_body: expected a size in bytes (e.g. 65536 or 64k), got '12q'"},
    {"max_body = k\n", 1, "max_body: expected a size in bytes (e.g. 65536 or 64k), got 'k'"},
    {"dev_mode = maybe\n", 1, "dev_mode: expected yes or no, got 'maybe'"},
    {"listen = 8443\n", 1, "listen: expected host:port or [ipv6]:port, got '8443'"},
    {"listen = ::1:80\n", 1, "listen: expected host:port or [ipv6]:port, got '::1:80'"},
    {"listen = h:99999\n", 1, "listen: expected host:port or [ipv6]:port, got 'h:99999'"},
    {"listen = [::1]80\n", 1, "listen: expected host:port or [ipv6]:port, got '[::1]80'"},
    {"policy = \"open\n", 1, "unterminated quoted value"},
    {"policy = \"a\" b\n", 1, "unexpected text after the quoted value"},
    {"policy = \"a\\n\"\n", 1, "only \\\" and \\\\ may follow a backslash"},
    {"\n# x\nstate = CO\nstate = AZ\n", 4, "option 'state' is already set on line 3"},
    {"policy = caf\xc3\xa9\n", 1,
     "policy: value has a byte that is not printable ASCII at column 4"},
    {"log_level = loud\n", 1, "log_level: expected one of debug|info|warn|error, got 'loud'"},
};

static void bad_lines_give_exact_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct dg_config c;
        struct dg_config_report r;
        int rc = parse(&c, bad[i].text, &r);
        if (rc != DG_ECONFIG || r.n != 1 || r.diag[0].line != bad[i].line ||
            strcmp(r.diag[0].msg, bad[i].msg) != 0)
            fail_msg("case %zu (%s): rc %d, %d diags, line %d, msg '%s'", i, bad[i].text, rc, r.n,
                     r.n ? r.diag[0].line : -1, r.n ? r.diag[0].msg : "");
        assert_false(r.diag[0].warning);
        dg_config_release(&c);
    }
}

static void every_error_is_reported(void **state)
{
    (void)state;
    struct dg_config c;
    struct dg_config_report r;
    assert_int_equal(parse(&c, "a = 1\nb = 2\nthreads = 2\nc = 3\nthreads = 4\n", &r), DG_ECONFIG);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.errors, 4);
    assert_int_equal(r.diag[0].line, 1);
    assert_int_equal(r.diag[1].line, 2);
    assert_int_equal(r.diag[2].line, 4);
    assert_int_equal(r.diag[3].line, 5);
    assert_int_equal(c.threads, 2); /* the good line took effect, the duplicate did not */
    dg_config_release(&c);

    /* more problems than the report holds: counted, not lost */
    struct dg_buf b;
    dg_buf_init(&b, 1 << 20);
    for (int i = 0; i < DG_CONFIG_MAX_DIAGS + 10; i++)
        assert_int_equal(dg_buf_printf(&b, "nope%d = 1\n", i), 0);
    assert_int_equal(parse(&c, b.data, &r), DG_ECONFIG);
    assert_int_equal(r.n, DG_CONFIG_MAX_DIAGS);
    assert_int_equal(r.dropped, 10);
    assert_int_equal(r.errors, DG_CONFIG_MAX_DIAGS + 10);
    dg_config_release(&c);
    dg_buf_release(&b);
}

static void limits_on_the_file(void **state)
{
    (void)state;
    struct dg_config c;
    struct dg_config_report r;
    char *line = malloc(DG_CONFIG_MAX_LINE + 20);
    memset(line, 'x', DG_CONFIG_MAX_LINE + 10);
    memcpy(line, "policy = ", 9);
    line[DG_CONFIG_MAX_LINE + 10] = '\0';
    assert_int_equal(parse(&c, line, &r), DG_ECONFIG);
    assert_string_equal(r.diag[0].msg, "line is longer than 4095 bytes");
    dg_config_release(&c);
    free(line);

    char *big = calloc(1, DG_CONFIG_MAX_FILE + 2);
    memset(big, '#', DG_CONFIG_MAX_FILE + 1);
    dg_config_report_init(&r);
    assert_int_equal(dg_config_init(&c), 0);
    assert_int_equal(dg_config_parse(&c, big, DG_CONFIG_MAX_FILE + 1, NULL, &r), DG_ETOOBIG);
    dg_config_release(&c);
    free(big);

    const char nul[] = "state = CO\nrole = no\0de\n";
    dg_config_report_init(&r);
    assert_int_equal(dg_config_init(&c), 0);
    assert_int_equal(dg_config_parse(&c, nul, sizeof(nul) - 1, NULL, &r), DG_ECONFIG);
    assert_int_equal(r.diag[0].line, 2);
    assert_string_equal(r.diag[0].msg, "line contains a NUL byte");
    dg_config_release(&c);
}

static bool has_diag(const struct dg_config_report *r, const char *key, const char *needle)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->diag[i].key, key) == 0 && strstr(r->diag[i].msg, needle))
            return true;
    return false;
}

static void validate_cross_checks(void **state)
{
    (void)state;
    struct dg_config c;
    struct dg_config_report r;
    /* a node with nothing set: each required option named */
    assert_int_equal(parse(&c, "role = node\n", &r), 0);
    assert_int_equal(dg_config_validate(&c, &r), DG_ECONFIG);
    assert_true(has_diag(&r, "state", "option 'state' is required for a node"));
    assert_true(has_diag(&r, "store", "required"));
    assert_true(has_diag(&r, "policy", "required"));
    assert_true(has_diag(&r, "audit_key", "required"));
    assert_true(has_diag(&r, "tls_cert", "required unless dev_mode"));
    assert_true(has_diag(&r, "tls_client_ca", "required unless dev_mode"));
    dg_config_release(&c);

    /* dev mode off loopback is refused, on loopback warned about */
    assert_int_equal(parse(&c, "role = hub\ndev_mode = yes\nlisten = 0.0.0.0:80\n", &r), 0);
    assert_int_equal(dg_config_validate(&c, &r), DG_ECONFIG);
    assert_true(has_diag(&r, "listen", "only listen on a loopback address, not '0.0.0.0'"));
    assert_true(has_diag(&r, "dev_mode", "development mode"));
    dg_config_release(&c);
    assert_int_equal(parse(&c, "role = hub\ndev_mode = yes\nlisten = 127.0.0.1:0\n", &r), 0);
    assert_int_equal(dg_config_validate(&c, &r), DG_ECONFIG);
    assert_true(has_diag(&r, "routes", "required for a hub"));
    assert_true(has_diag(&r, "audit_dir", "required for a hub"));
    assert_true(has_diag(&r, "audit_key", "required for a hub"));
    dg_config_release(&c);
    /* hub_admins edits the hub_blocks file: not without one */
    assert_int_equal(parse(&c, "role = hub\nhub_admins = CO=co-admin\n", &r), 0);
    assert_int_equal(dg_config_validate(&c, &r), DG_ECONFIG);
    assert_true(has_diag(&r, "hub_admins", "needs hub_blocks"));
    dg_config_release(&c);
    assert_int_equal(parse(&c,
                           "role = hub\ndev_mode = yes\nlisten = 127.0.0.1:0\n"
                           "routes = CO=http://127.0.0.1:1\ndirectory = /etc/passwd\n"
                           "audit_dir = /tmp/hub-audit\naudit_key = /etc/passwd\n",
                           &r),
                     0);
    assert_int_equal(dg_config_validate(&c, &r), 0);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.n, 1);
    assert_true(r.diag[0].warning);
    assert_int_equal(r.diag[0].line, 2);
    dg_config_release(&c);

    /* a named file that does not exist is an error with the option's line */
    assert_int_equal(parse(&c, "role = hub\n\ntls_cert = /nonexistent/cert.pem\n", &r), 0);
    assert_int_equal(dg_config_validate(&c, &r), DG_ECONFIG);
    bool found = false;
    for (int i = 0; i < r.n; i++)
        if (strcmp(r.diag[i].key, "tls_cert") == 0 && r.diag[i].line == 3 &&
            strstr(r.diag[i].msg, "cannot read tls_cert '/nonexistent/cert.pem'"))
            found = true;
    assert_true(found);
    dg_config_release(&c);
}

static void load_resolves_relative_to_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/dg-test-config.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    const char *files[] = {"co.db", "agencies.csv", "co.policy", "audit.skey"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/node.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("state = CO\nstore = co.db\ndirectory = agencies.csv\npolicy = co.policy\n"
          "audit_dir = audit\naudit_key = audit.skey\ndev_mode = yes\nlisten = 127.0.0.1:0\n",
          f);
    fclose(f);
    struct dg_config c;
    struct dg_config_report r;
    dg_config_report_init(&r);
    assert_int_equal(dg_config_load(&c, path, &r), 0);
    assert_int_equal(r.errors, 0);
    char want[PATH_MAX];
    snprintf(want, sizeof(want), "%s/co.db", dir);
    assert_string_equal(c.store, want);
    dg_config_release(&c);

    dg_config_report_init(&r);
    snprintf(path, sizeof(path), "%s/missing.conf", dir);
    assert_int_equal(dg_config_load(&c, path, &r), DG_ENOENT);
    assert_int_equal(r.n, 1);
    assert_non_null(strstr(r.diag[0].msg, "cannot open configuration"));
    dg_config_release(&c);

    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void set_overrides(void **state)
{
    (void)state;
    struct dg_config c;
    struct dg_error e;
    assert_int_equal(dg_config_init(&c), 0);
    assert_int_equal(dg_config_set(&c, "listen", "127.0.0.1:0", NULL, &e), 0);
    assert_string_equal(c.listen, "127.0.0.1:0");
    assert_int_equal(c.source_line[2], -1);
    assert_int_equal(dg_config_set(&c, "nope", "1", NULL, &e), DG_ECONFIG);
    assert_string_equal(e.msg, "unknown option 'nope'");
    assert_int_equal(dg_config_set(&c, "threads", "x", NULL, &e), DG_ECONFIG);
    assert_string_equal(e.field, "threads");
    assert_int_equal(dg_config_set(&c, "store", "rel.db", "/srv", &e), 0);
    assert_string_equal(c.store, "/srv/rel.db");
    dg_config_release(&c);
}

static void format_parses_back(void **state)
{
    (void)state;
    struct dg_config c, c2;
    struct dg_config_report r;
    assert_int_equal(parse(&c,
                           "state = NM\nthreads = 5\npolicy = \" lead space\"\n"
                           "hub_identity = a \"q\"\ndev_mode = yes\nmax_body = 2k\n",
                           &r),
                     0);
    struct dg_buf b, b2;
    dg_buf_init(&b, 1 << 20);
    dg_buf_init(&b2, 1 << 20);
    assert_int_equal(dg_config_format(&c, &b), 0);
    assert_non_null(strstr(b.data, "state = NM  # line 1\n"));
    assert_non_null(strstr(b.data, "max_body = 2048  # line 6\n"));
    assert_non_null(strstr(b.data, "role = node  # default\n"));
    assert_non_null(strstr(b.data, "policy = /etc/dg/ lead space  # line 3\n"));
    assert_non_null(strstr(b.data, "tls_cert = \"\"  # default\n"));
    assert_int_equal(parse(&c2, b.data, &r), 0);
    assert_int_equal(r.n, 0);
    assert_string_equal(c2.policy, c.policy);
    assert_string_equal(c2.hub_identity, "a \"q\"");
    assert_int_equal(c2.max_body, 2048);
    assert_int_equal(c2.threads, 5);
    assert_true(c2.dev_mode);
    dg_config_release(&c);
    dg_config_release(&c2);
    dg_buf_release(&b);
    dg_buf_release(&b2);
}

static void split_addr_and_loopback(void **state)
{
    (void)state;
    char host[64];
    int port;
    assert_int_equal(dg_config_split_addr("127.0.0.1:8443", host, sizeof(host), &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8443);
    assert_int_equal(dg_config_split_addr("[::1]:0", host, sizeof(host), &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 0);
    assert_int_equal(dg_config_split_addr(":80", host, sizeof(host), &port), DG_EINVAL);
    assert_int_equal(dg_config_split_addr("a b:80", host, sizeof(host), &port), DG_EINVAL);
    assert_true(dg_config_host_is_loopback("127.0.0.1"));
    assert_true(dg_config_host_is_loopback("127.9.9.9"));
    assert_true(dg_config_host_is_loopback("::1"));
    assert_true(dg_config_host_is_loopback("localhost"));
    assert_false(dg_config_host_is_loopback("0.0.0.0"));
    assert_false(dg_config_host_is_loopback("10.0.0.1"));
}

static void alloc_failures_are_clean(void **state)
{
    (void)state;
    const char *text = "state = CO\nstore = a.db\npolicy = p\nlisten = 127.0.0.1:1\n";
    unsigned long n = 1;
    for (;; n++) {
        struct dg_config c;
        struct dg_config_report r;
        dg_config_report_init(&r);
        dg_alloc_fail_at(n);
        int rc = dg_config_init(&c);
        if (rc == 0) {
            rc = dg_config_parse(&c, text, strlen(text), "/x", &r);
            dg_config_release(&c);
        }
        dg_alloc_fail_at(0);
        if (rc == 0)
            break;
        assert_int_equal(rc, DG_ENOMEM);
    }
    assert_true(n > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_table),
        cmocka_unit_test(parses_values_comments_quotes),
        cmocka_unit_test(bad_lines_give_exact_errors),
        cmocka_unit_test(every_error_is_reported),
        cmocka_unit_test(limits_on_the_file),
        cmocka_unit_test(validate_cross_checks),
        cmocka_unit_test(load_resolves_relative_to_file),
        cmocka_unit_test(set_overrides),
        cmocka_unit_test(format_parses_back),
        cmocka_unit_test(split_addr_and_loopback),
        cmocka_unit_test(alloc_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
