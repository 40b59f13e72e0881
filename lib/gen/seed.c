/*
 * seed.c - fill a store with one state's synthetic population
 * (`dmvgate seed`): generate and insert in one bulk transaction, then build
 * the lookup indexes in one pass each.
 */
#include "gen_int.h"

#include <dmvgate/store.h>

int dg_gen_seed(struct dg_store *s, const struct dg_gen_opts *opts, uint64_t n,
                struct dg_seed_stats *stats, struct dg_error *err)
{
    struct dg_seed_stats st = {0};
    struct dg_store_stats have;
    int rc = dg_store_stats(s, &have, err);
    if (rc)
        return rc;
    if (have.drivers)
        return dg_error_set(err, DG_EEXIST, NULL, -1,
                            "the store already holds %lld drivers; seed a new database",
                            (long long)have.drivers);
    struct dg_gen *g;
    if ((rc = dg_gen_new(opts, &g, err)))
        return rc;
    struct dg_buf photo;
    dg_buf_init(&photo, 64 * 1024);
    uint64_t t0 = dg_mono_ns();
    if ((rc = dg_store_bulk_begin(s, err)))
        goto out;
    for (uint64_t i = 0; i < n; i++) {
        struct dg_driver d;
        struct dg_vehicle veh[DG_GEN_MAX_VEHICLES];
        dg_buf_reset(&photo);
        int nv = dg_gen_next(g, &d, &photo, veh);
        if (nv < 0) {
            rc = dg_error_set(err, nv, NULL, -1, "cannot generate driver %llu: %s",
                              (unsigned long long)i + 1, dg_strerror(nv));
            goto fail;
        }
        if ((rc = dg_store_put_driver(s, &d, photo.data, photo.len, err)))
            goto fail;
        st.photo_bytes += photo.len;
        for (int k = 0; k < nv; k++) {
            veh[k].owner_id = d.id;
            if ((rc = dg_store_put_vehicle(s, &veh[k], err)))
                goto fail;
        }
        st.drivers++;
        st.vehicles += (uint64_t)nv;
    }
    uint64_t t1 = dg_mono_ns();
    st.insert_ns = t1 - t0;
    if ((rc = dg_store_bulk_end(s, err)))
        goto fail;
    st.index_ns = dg_mono_ns() - t1;
    if (stats)
        *stats = st;
    goto out;
fail:
    dg_store_rollback(s, NULL);
out:
    dg_buf_release(&photo);
    dg_gen_free(g);
    return rc;
}
