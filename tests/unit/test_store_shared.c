/*
 * test_store_shared.c - the store as several handles share it (the node's
 * worker threads, several node processes on one PostgreSQL): writes seen
 * across handles only once committed, schema steps applied once when many
 * handles migrate at the same moment, ids that never collide, bulk loads
 * with photos and awkward bytes, and (PostgreSQL) a connection the server
 * dropped coming back by itself.
 *
 * dg-test-backends: sqlite postgresql
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmvgate/store.h>

#include "store_backend.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct dg_driver driver(const char *oln, const char *last, const char *first,
                               const char *dob)
{
    struct dg_driver d;
    memset(&d, 0, sizeof(d));
    snprintf(d.oln, sizeof(d.oln), "%s", oln);
    strcpy(d.ols, "CO");
    snprintf(d.last, sizeof(d.last), "%s", last);
    snprintf(d.first, sizeof(d.first), "%s", first);
    snprintf(d.dob, sizeof(d.dob), "%s", dob);
    d.sex = 'F';
    d.height_in = 64;
    strcpy(d.eyes, "GRN");
    strcpy(d.street, "12 ELM ST");
    strcpy(d.city, "PUEBLO");
    strcpy(d.addr_state, "CO");
    strcpy(d.zip, "81003");
    strcpy(d.license_class, "R");
    d.status = DG_STATUS_SUSPENDED;
    strcpy(d.issued, "2020-01-31");
    strcpy(d.expires, "2028-01-31");
    strcpy(d.restrictions, "B");
    return d;
}

static struct dg_vehicle vehicle(const char *plate, int64_t owner)
{
    struct dg_vehicle v;
    memset(&v, 0, sizeof(v));
    snprintf(v.plate, sizeof(v.plate), "%s", plate);
    strcpy(v.plate_state, "CO");
    strcpy(v.plate_type, "LT");
    v.model_year = 2012;
    memcpy(v.vin, "1FTEW1E50KF654321", DG_VIN_LEN + 1);
    v.vin[8] = dg_vin_check_digit(v.vin);
    strcpy(v.make, "FORD");
    strcpy(v.model, "F-150");
    strcpy(v.color, "RED");
    strcpy(v.reg_expires, "2026-09-30");
    v.owner_id = owner;
    return v;
}

static struct dg_store *open_store(const char *uri, unsigned flags)
{
    struct dg_store *s = NULL;
    struct dg_error e;
    int rc = dg_store_open(uri, flags, &s, &e);
    if (rc)
        fail_msg("open: %s", e.msg);
    return s;
}

/* ---- bulk loading ------------------------------------------------------------------------ */

static void bulk_photos_and_awkward_bytes(void **state)
{
    (void)state;
    char uri[1024];
    assert_int_equal(test_store_uri(uri, sizeof(uri)), 0);
    struct dg_store *s = open_store(uri, DG_STORE_CREATE | DG_STORE_BULK);
    struct dg_error e;
    /* Every byte value, the COPY text format's special ones included. */
    unsigned char photo[256];
    for (int i = 0; i < 256; i++)
        photo[i] = (unsigned char)i;
    assert_int_equal(dg_store_bulk_begin(s, &e), 0);
    for (int i = 0; i < 300; i++) {
        char oln[16];
        snprintf(oln, sizeof(oln), "K%05d", i);
        struct dg_driver d = driver(oln, i % 3 ? "O'BRIEN" : "DE LA CRUZ", "ANA", "1975-12-31");
        snprintf(d.street, sizeof(d.street), "%d BACK\\SLASH \"QUOTE\" ST", i);
        d.lawful_presence_flag = i % 2;
        strcpy(d.photo_type, "application/octet-stream");
        assert_int_equal(dg_store_put_driver(s, &d, photo, (size_t)(i % 2 ? 256 : 0), &e), 0);
        assert_int_equal(d.id, i + 1);
        char plate[16];
        snprintf(plate, sizeof(plate), "P%05d", i);
        struct dg_vehicle v = vehicle(plate, d.id);
        assert_int_equal(dg_store_put_vehicle(s, &v, &e), 0);
        assert_int_equal(v.id, i + 1);
    }
    assert_int_equal(dg_store_bulk_end(s, &e), 0);
    struct dg_store_stats st;
    assert_int_equal(dg_store_stats(s, &st, &e), 0);
    assert_int_equal(st.drivers, 300);
    assert_int_equal(st.photos, 300);
    assert_int_equal(st.vehicles, 300);
    struct dg_driver d;
    assert_int_equal(dg_store_driver_by_oln(s, "K00007", "CO", &d, &e), 0);
    assert_string_equal(d.street, "7 BACK\\SLASH \"QUOTE\" ST");
    assert_string_equal(d.last, "O'BRIEN");
    assert_true(d.lawful_presence_flag);
    assert_int_equal(d.status, DG_STATUS_SUSPENDED);
    assert_string_equal(d.restrictions, "B");
    assert_int_equal(d.photo_len, 256);
    struct dg_buf b;
    dg_buf_init(&b, 4096);
    char type[DG_MEDIA_TYPE_MAX + 1];
    assert_int_equal(dg_store_photo(s, d.id, &b, type, &e), 0);
    assert_int_equal(b.len, 256);
    assert_memory_equal(b.data, photo, 256);
    assert_string_equal(type, "application/octet-stream");
    dg_buf_reset(&b);
    assert_int_equal(dg_store_photo(s, 1, &b, type, &e), 0); /* an empty photo is a photo */
    assert_int_equal(b.len, 0);
    dg_buf_release(&b);
    struct dg_vehicle v[2];
    assert_int_equal(dg_store_vehicles_by_owner(s, d.id, v, 2, &e), 1);
    assert_string_equal(v[0].plate, "P00007");
    assert_string_equal(v[0].owner_oln, "K00007");
    assert_string_equal(v[0].model, "F-150");
    /* After the load, ids the store gives continue after the loaded ones. */
    struct dg_driver n = driver("K99999", "NEW", "ONE", "1999-09-09");
    assert_int_equal(dg_store_put_driver(s, &n, NULL, 0, &e), 0);
    assert_int_equal(n.id, 301);
    struct dg_vehicle nv = vehicle("NEW1", n.id);
    assert_int_equal(dg_store_put_vehicle(s, &nv, &e), 0);
    assert_int_equal(nv.id, 301);
    /* and the unique index is back: a duplicate is refused again */
    struct dg_driver dup = driver("K00001", "X", "Y", "1999-09-09");
    assert_int_equal(dg_store_put_driver(s, &dup, NULL, 0, &e), DG_EEXIST);
    dg_store_close(s);
}

static void ids_of_callers_choice(void **state)
{
    (void)state;
    char uri[1024];
    assert_int_equal(test_store_uri(uri, sizeof(uri)), 0);
    struct dg_store *s = open_store(uri, DG_STORE_CREATE);
    struct dg_error e;
    struct dg_driver a = driver("ID1000", "CHOSEN", "ID", "1980-01-01");
    a.id = 1000;
    assert_int_equal(dg_store_put_driver(s, &a, NULL, 0, &e), 0);
    assert_int_equal(a.id, 1000);
    struct dg_driver b = driver("ID1001", "GIVEN", "ID", "1980-01-01");
    assert_int_equal(dg_store_put_driver(s, &b, NULL, 0, &e), 0);
    assert_int_equal(b.id, 1001);
    struct dg_driver c = driver("ID0005", "LOWER", "ID", "1980-01-01");
    c.id = 5;
    assert_int_equal(dg_store_put_driver(s, &c, NULL, 0, &e), 0);
    struct dg_driver d = driver("ID1002", "NEXT", "ID", "1980-01-01");
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), 0);
    assert_int_equal(d.id, 1002);
    dg_store_close(s);
}

/* ---- several handles --------------------------------------------------------------------- */

static void handles_see_committed_writes(void **state)
{
    (void)state;
    char uri[1024];
    assert_int_equal(test_store_shared_uri(uri, sizeof(uri)), 0);
    struct dg_store *a = open_store(uri, DG_STORE_CREATE);
    struct dg_store *b = open_store(uri, 0);
    struct dg_error e;
    struct dg_driver d = driver("S1", "SHARED", "ONE", "1970-01-01");
    assert_int_equal(dg_store_begin(a, &e), 0);
    assert_int_equal(dg_store_put_driver(a, &d, NULL, 0, &e), 0);
    struct dg_driver got;
    assert_int_equal(dg_store_driver_by_oln(b, "S1", "CO", &got, &e), DG_ENOTFOUND);
    assert_int_equal(dg_store_commit(a, &e), 0);
    assert_int_equal(dg_store_driver_by_oln(b, "S1", "CO", &got, &e), 0);
    assert_int_equal(got.id, d.id);
    /* the other handle's insert gets the next id, not a colliding one */
    struct dg_driver d2 = driver("S2", "SHARED", "TWO", "1970-01-01");
    assert_int_equal(dg_store_put_driver(b, &d2, NULL, 0, &e), 0);
    assert_int_equal(d2.id, d.id + 1);
    struct dg_agency ag;
    memset(&ag, 0, sizeof(ag));
    strcpy(ag.ori, "CO0010000");
    strcpy(ag.state, "CO");
    strcpy(ag.name, "ADAMS COUNTY SHERIFF'S OFFICE");
    ag.level = DG_LEVEL_LOCAL;
    ag.category = DG_CAT_SHERIFF;
    assert_int_equal(dg_store_put_agency(b, &ag, &e), 0);
    strcpy(ag.name, "ADAMS COUNTY SHERIFF");
    assert_int_equal(dg_store_put_agency(a, &ag, &e), 0); /* insert or replace */
    struct dg_agency g;
    assert_int_equal(dg_store_agency_by_ori(b, "CO0010000", &g, &e), 0);
    assert_string_equal(g.name, "ADAMS COUNTY SHERIFF");
    dg_store_close(a);
    dg_store_close(b);
}

#define NTHREADS 4

static const struct dg_migration review_steps[] = {
    {1, "queue", "CREATE TABLE q (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
     "CREATE TABLE q (id bigint PRIMARY KEY, body text NOT NULL)"},
    {2, "reviewer", "ALTER TABLE q ADD COLUMN reviewer TEXT",
     "ALTER TABLE q ADD COLUMN reviewer text"},
    {3, "index", "CREATE INDEX q_reviewer ON q(reviewer)",
     "CREATE INDEX q_reviewer ON q (reviewer)"},
};

struct migrator {
    const char *uri;
    pthread_barrier_t *go;
    int opened, applied;
    char msg[300];
};

static void *migrate_thread(void *arg)
{
    struct migrator *m = arg;
    struct dg_store *s = NULL;
    struct dg_error e;
    pthread_barrier_wait(m->go);
    /* Opening a new database migrates the store's own schema too. */
    m->opened = dg_store_open(m->uri, DG_STORE_CREATE, &s, &e);
    if (m->opened) {
        snprintf(m->msg, sizeof(m->msg), "open: %s", e.msg);
        return NULL;
    }
    m->applied = dg_store_migrate(s, "review", review_steps, 3, &e);
    if (m->applied < 0)
        snprintf(m->msg, sizeof(m->msg), "migrate: %s", e.msg);
    dg_store_close(s);
    return NULL;
}

static void concurrent_migrations_apply_once(void **state)
{
    (void)state;
    char uri[1024];
    assert_int_equal(test_store_shared_uri(uri, sizeof(uri)), 0);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NTHREADS);
    struct migrator m[NTHREADS];
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        m[i] = (struct migrator){.uri = uri, .go = &go};
        assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &m[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        if (m[i].opened || m[i].applied < 0)
            fail_msg("thread %d: %s", i, m[i].msg);
        total += m[i].applied;
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(total, 3);
    struct dg_store *s = open_store(uri, 0);
    struct dg_error e;
    assert_int_equal(dg_store_schema_version(s, "review", &e), 3);
    assert_int_equal(dg_store_schema_version(s, "store", &e), DG_STORE_SCHEMA_VERSION);
    dg_store_close(s);
}

/* ---- PostgreSQL: a dropped connection ------------------------------------------------------- */

static void pg_reconnects(void **state)
{
    (void)state;
    if (!test_backend_is_pg())
        skip(); /* an SQLite store has no connection to lose */
    char uri[1024];
    assert_int_equal(test_store_uri(uri, sizeof(uri)), 0);
    struct dg_store *s = open_store(uri, DG_STORE_CREATE);
    struct dg_error e;
    struct dg_driver d = driver("R1", "RECONNECT", "ONE", "1960-06-06");
    assert_int_equal(dg_store_put_driver(s, &d, NULL, 0, &e), 0);
    struct dg_driver got;
    assert_int_equal(dg_store_driver_by_oln(s, "R1", "CO", &got, &e), 0);
    /* The server ends the session (a restart, an administrator, a proxy). */
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)",
             PQbackendPID((PGconn *)dg_store_pg(s)));
    assert_int_equal(test_pg_admin(sql), 0);
    /* A lookup notices, reconnects, prepares again and answers. */
    assert_int_equal(dg_store_driver_by_oln(s, "R1", "CO", &got, &e), 0);
    assert_int_equal(got.id, d.id);
    /* A write after a reconnect works too. */
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)",
             PQbackendPID((PGconn *)dg_store_pg(s)));
    assert_int_equal(test_pg_admin(sql), 0);
    struct dg_driver d2 = driver("R2", "RECONNECT", "TWO", "1960-06-06");
    int rc = dg_store_put_driver(s, &d2, NULL, 0, &e);
    /* A write is never retried blindly (it may have been applied): it fails
     * once, and the next call finds a new connection. */
    if (rc) {
        assert_int_equal(rc, DG_ESTORE);
        assert_int_equal(dg_store_put_driver(s, &d2, NULL, 0, &e), 0);
    }
    assert_int_equal(dg_store_driver_by_oln(s, "R2", "CO", &got, &e), 0);
    dg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bulk_photos_and_awkward_bytes),
        cmocka_unit_test(ids_of_callers_choice),
        cmocka_unit_test(handles_see_committed_writes),
        cmocka_unit_test(concurrent_migrations_apply_once),
        cmocka_unit_test(pg_reconnects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
