/*
 * store_backend.h - for unit tests that run the same cases against every
 * store backend (header-only; include it from one test file).
 *
 * A test file that holds the line "dg-test-backends: sqlite postgresql" is
 * registered by CMakeLists.txt once per backend named: unit_<name> with
 * SQLite, unit_<name>_pg with PostgreSQL under the ctest fixture that starts
 * a throwaway cluster (scripts/pg-tmp). The PostgreSQL run has
 * DG_TEST_BACKEND=postgresql and the cluster's URI in the file
 * DG_TEST_PG_URI_FILE; to run against another server, set DG_TEST_BACKEND
 * and DG_TEST_PG_URI (a database in which the user may create schemas).
 *
 * test_store_uri() gives a fresh, empty store for each call: ":memory:" for
 * SQLite, a new schema for PostgreSQL (dropped when the test ends).
 * test_store_shared_uri() gives one that several handles (threads) can open
 * at once: a new SQLite file (deleted when the test ends), or as above.
 */
#ifndef DG_TESTS_STORE_BACKEND_H
#define DG_TESTS_STORE_BACKEND_H

#include <dmvgate/store.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static __attribute__((unused)) int test_backend_is_pg(void)
{
    const char *b = getenv("DG_TEST_BACKEND");
    return b && strcmp(b, "postgresql") == 0;
}

/* The URI of the PostgreSQL server's maintenance database (exits when the
 * test run says postgresql but names no server: that is a setup error). */
static const char *test_pg_base_uri(void)
{
    static char uri[1024];
    if (uri[0])
        return uri;
    const char *u = getenv("DG_TEST_PG_URI");
    const char *file = getenv("DG_TEST_PG_URI_FILE");
    if (u && *u)
        snprintf(uri, sizeof(uri), "%s", u);
    else if (file && *file) {
        FILE *f = fopen(file, "r");
        if (!f || !fgets(uri, sizeof(uri), f)) {
            fprintf(stderr, "store tests: cannot read the PostgreSQL URI from '%s'\n", file);
            exit(1);
        }
        fclose(f);
        uri[strcspn(uri, "\r\n")] = '\0';
    }
    if (!uri[0]) {
        fprintf(stderr, "store tests: DG_TEST_BACKEND=postgresql needs DG_TEST_PG_URI or"
                        " DG_TEST_PG_URI_FILE\n");
        exit(1);
    }
    return uri;
}

/* base with its database name replaced by db. */
static __attribute__((unused)) void test_pg_uri_with_db(const char *base, const char *db, char *out,
                                                        size_t cap)
{
    const char *auth = strstr(base, "://");
    auth = auth ? auth + 3 : base;
    const char *slash = strchr(auth, '/');
    const char *q = strchr(auth, '?');
    if (slash && q && slash > q)
        slash = NULL;
    size_t head = slash ? (size_t)(slash - base) : q ? (size_t)(q - base) : strlen(base);
    const char *tail = q ? q : "";
    snprintf(out, cap, "%.*s/%s%s", (int)head, base, db, tail);
}

static __attribute__((unused)) int test_pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(test_pg_base_uri());
    int rc = 0;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "store tests: cannot connect: %s", PQerrorMessage(c));
        rc = -1;
    } else {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "store tests: %s: %s", sql, PQerrorMessage(c));
            rc = -1;
        }
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

/* Each fresh store is a schema of its own in the server's database (a
 * schema costs a millisecond, a database hundreds): the URI sets the
 * connection's search_path to it. */
static char test_pg_schemas[64][40];
static int test_pg_nschemas;

static __attribute__((unused)) void test_pg_drop_all(void)
{
    for (int i = 0; i < test_pg_nschemas; i++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %.39s CASCADE", test_pg_schemas[i]);
        test_pg_admin(sql);
    }
    test_pg_nschemas = 0;
}

/* A fresh empty schema on the test server; a URI that uses it in out. */
static __attribute__((unused)) int test_pg_new_schema(char *out, size_t cap)
{
    if (test_pg_nschemas == (int)(sizeof(test_pg_schemas) / sizeof(test_pg_schemas[0])))
        return -1;
    if (test_pg_nschemas == 0)
        atexit(test_pg_drop_all);
    char *name = test_pg_schemas[test_pg_nschemas];
    snprintf(name, sizeof(test_pg_schemas[0]), "dgt_%ld_%d", (long)getpid(), test_pg_nschemas);
    char sql[96];
    snprintf(sql, sizeof(sql), "CREATE SCHEMA %.39s", name);
    if (test_pg_admin(sql))
        return -1;
    test_pg_nschemas++;
    const char *base = test_pg_base_uri();
    int n = snprintf(out, cap, "%.900s%coptions=-csearch_path%%3D%.39s", base,
                     strchr(base, '?') ? '&' : '?', name);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* The URI of a fresh, empty store of the backend under test. */
static __attribute__((unused)) int test_store_uri(char *out, size_t cap)
{
    if (!test_backend_is_pg()) {
        snprintf(out, cap, ":memory:");
        return 0;
    }
    return test_pg_new_schema(out, cap);
}

static char test_sq_files[16][64];
static int test_sq_nfiles;

static __attribute__((unused)) void test_sq_unlink_all(void)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < test_sq_nfiles; i++)
        for (int k = 0; k < 4; k++) {
            char p[96];
            snprintf(p, sizeof(p), "%.63s%s", test_sq_files[i], sfx[k]);
            unlink(p);
        }
}

static __attribute__((unused)) int test_store_shared_uri(char *out, size_t cap)
{
    if (test_backend_is_pg())
        return test_pg_new_schema(out, cap);
    if (test_sq_nfiles == (int)(sizeof(test_sq_files) / sizeof(test_sq_files[0])))
        return -1;
    if (test_sq_nfiles == 0)
        atexit(test_sq_unlink_all);
    char *path = test_sq_files[test_sq_nfiles++];
    snprintf(path, sizeof(test_sq_files[0]), "/tmp/dg-test-store-%ld-%d.db", (long)getpid(),
             test_sq_nfiles);
    unlink(path);
    snprintf(out, cap, "%s", path);
    return 0;
}

#endif
