/*
 * pg_cluster.h - a PostgreSQL server for a benchmark (header-only): the one
 * named by DG_PG_URI, or a throwaway cluster started with scripts/pg-tmp
 * (durable settings: fsync on) and stopped when the benchmark exits; and
 * small helpers to give a benchmark a schema of its own on it.
 */
#ifndef DG_BENCH_PG_CLUSTER_H
#define DG_BENCH_PG_CLUSTER_H

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DG_SOURCE_DIR
#define DG_SOURCE_DIR "."
#endif

static char bench_pg_uri[1024];
static int bench_pg_ours;

static void bench_pg_stop(void)
{
    if (!bench_pg_ours)
        return;
    const char *dir = strstr(bench_pg_uri, "host=");
    if (!dir)
        return;
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "bash '%s/scripts/pg-tmp' stop '%.*s'", DG_SOURCE_DIR,
             (int)strcspn(dir + 5, "&"), dir + 5);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not stop the PostgreSQL cluster\n");
    bench_pg_ours = 0;
}

/* The server's URI (exits when none can be had). */
static const char *bench_pg_start(int max_conn)
{
    const char *env = getenv("DG_PG_URI");
    if (env && *env) {
        snprintf(bench_pg_uri, sizeof(bench_pg_uri), "%s", env);
        return bench_pg_uri;
    }
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "bash '%s/scripts/pg-tmp' start --max-conn %d", DG_SOURCE_DIR,
             max_conn);
    FILE *f = popen(cmd, "r");
    if (!f || !fgets(bench_pg_uri, sizeof(bench_pg_uri), f) || pclose(f) != 0) {
        fprintf(stderr, "bench: cannot start a PostgreSQL cluster (%s)\n", cmd);
        exit(1);
    }
    bench_pg_uri[strcspn(bench_pg_uri, "\n")] = '\0';
    bench_pg_ours = 1;
    atexit(bench_pg_stop);
    return bench_pg_uri;
}

/* Run one SQL command (printf-style) on uri; exits on failure. */
static __attribute__((format(printf, 2, 3))) void bench_pg_sql(const char *uri, const char *fmt,
                                                               ...)
{
    char sql[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    PGconn *c = PQconnectdb(uri);
    PQclear(PQexec(c, "SET client_min_messages TO warning"));
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    if (!r || (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)) {
        fprintf(stderr, "bench: %s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
    PQfinish(c);
}

/* The server's URI with the connection's search_path set to schema. */
static void bench_pg_with_schema(char *out, size_t cap, const char *schema)
{
    snprintf(out, cap, "%s%coptions=-csearch_path%%3D%s", bench_pg_uri,
             strchr(bench_pg_uri, '?') ? '&' : '?', schema);
}

#endif
