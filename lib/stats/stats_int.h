/*
 * stats_int.h - internals of lib/stats shared by its files: the shape of a
 * set of counters, the name tables, the per-thread shards and the flusher's
 * state.
 *
 * A set of counters is one flat array of cells. Its regions (offsets in
 * struct dg__stats_layout) are fixed when the stats are opened:
 *   cube    category x key x purpose x legal process x decision x flags
 *           (flags: bit 0 photo asked, bit 1 name search)
 *   agency  per ORI slot, DG__AG_STRIDE cells, one 64-byte line: key x
 *           decision, name searches, photos, immigration purpose
 *   dest    per destination (the states, then "other") x key x decision
 *   rule    per rule id x key x decision
 * The counts by level and by department/component are not counted apart:
 * the flusher derives them from the agency cells and each agency's
 * attributes. Every thread's shard, the flusher's previous snapshot of it
 * and the pending sums all use this one layout, so adding up is one loop
 * over cells. An event touches five cache lines: the ORI's slot, its agency
 * line, one cube cell, one destination and one rule cell.
 */
#ifndef DG_STATS_INT_H
#define DG_STATS_INT_H

#include <dmvgate/stats.h>
#include <dmvgate/store.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define DG__NCAT   DG_CAT__COUNT
#define DG__NPUR   DG_PUR__COUNT
#define DG__NLEG   DG_LEG__COUNT
#define DG__NDEC   DG_STATS_DECISION__COUNT
#define DG__NKEY   DG_STATS_NKEYS
#define DG__NFLAG  4
#define DG__NDEST  (DG_STATE_COUNT + 1) /* the last: "other" */
#define DG__NLEVEL DG_LEVEL__COUNT
#define DG__CUBE   (DG__NCAT * DG__NKEY * DG__NPUR * DG__NLEG * DG__NDEC * DG__NFLAG)
#define DG__KD     (DG__NKEY * DG__NDEC) /* cells per dimension value */

#define DG__FLAG_PHOTO 1
#define DG__FLAG_NAME  2

/* The cells of one agency slot: key x decision first (DG__KD cells). */
enum {
    DG__AG_NAME = DG__KD,
    DG__AG_PHOTO,
    DG__AG_IMMIGRATION,
    DG__AG__COUNT,
    DG__AG_STRIDE = 16 /* one 64-byte line per agency */
};
/* Slot 0's spare cell counts the events with a value out of range. */
#define DG__AG_INVALID DG__AG__COUNT

/* Reserved ids of the name tables. */
#define DG__AGENCY_OTHER 0 /* agency slot 0: a bad ORI, or the table full */
#define DG__RULE_NONE    0
#define DG__RULE_OTHER   1
#define DG__GROUP_NONE   0
#define DG__GROUP_OTHER  1
#define DG__STR_MAX      256 /* bytes of a rule or group name, NUL included */
#define DG__NGROUP_MAX   4096

struct dg__stats_layout {
    size_t cube, agency, dest, rule, ncells;
    unsigned nagency, nrule;
};

size_t dg__stats_cube_index(int cat, int key, int pur, int leg, int dec, int flags);
void dg__stats_cube_decode(size_t i, int *cat, int *key, int *pur, int *leg, int *dec, int *flags);

/* ---- name tables (intern.c) -----------------------------------------------------
 * Lookups read without a lock (acquire loads of the slots); inserts take the
 * table's mutex, fill the entry, then publish its slot with a release store.
 * Entries are never removed. */
struct dg__strtab {
    unsigned max, mask, reserved;
    _Atomic uint32_t *slots; /* dense id + 1; 0 empty */
    uint64_t *hash;          /* by dense id */
    char (*str)[DG__STR_MAX];
    _Atomic uint32_t n;
    pthread_mutex_t mu;
};

int dg__strtab_init(struct dg__strtab *t, unsigned max, const char *const *reserved,
                    unsigned nreserved);
void dg__strtab_release(struct dg__strtab *t);
/* The id of s (inserted when new), or -1 when the table is full. */
int dg__strtab_id(struct dg__strtab *t, const char *s);
/* The id of s, or -1 when absent. */
int dg__strtab_find(struct dg__strtab *t, const char *s);
uint64_t dg__hash_str(const char *s);

struct dg__agency_attr {
    char ori[DG_ORI_LEN + 1];
    uint8_t level, category;
    uint16_t group;
};

/* A slot holds the packed ORI (47 bits) and its dense id above it, so that
 * one load finds both. */
#define DG__ORI_BITS   47
#define DG__ORI_MASK   ((UINT64_C(1) << DG__ORI_BITS) - 1)
#define DG__MAX_AGENCY ((1u << (64 - DG__ORI_BITS)) - 2)

struct dg__oritab {
    unsigned max, mask;
    _Atomic uint64_t *slots; /* packed ORI | id << DG__ORI_BITS; 0 empty */
    struct dg__agency_attr *attr;
    _Atomic uint32_t n;
    pthread_mutex_t mu;
};

int dg__oritab_init(struct dg__oritab *t, unsigned max);
void dg__oritab_release(struct dg__oritab *t);
/* 9 characters [A-Z0-9] packed base 37 (never 0), or 0 when not an ORI. */
uint64_t dg__ori_pack(const char *ori);
/* The slot of ori, inserted with the given attributes when new; 0 (the
 * "(other)" slot) for a bad ORI or when the table is full. */
uint32_t dg__oritab_id(struct dg__oritab *t, struct dg_stats *s, const char *ori, int level,
                       int category, const char *dept, const char *comp);

/* Index of a two-letter destination, or DG_STATE_COUNT ("other"). */
int dg__dest_index(const char *d);

/* ---- shards (count.c) ------------------------------------------------------------- */
struct dg__stats_shard {
    _Atomic uint32_t *cell; /* layout.ncells, 64-byte aligned */
    void *cell_mem;         /* the allocation cell is in */
    uint32_t *prev;         /* the flusher's last reading */
    bool shared;            /* counted into with atomic additions */
    pthread_t owner;
};

/* The flusher's prepared statements, in st[] (flush.c). */
enum {
    DG__ST_FLOW,
    DG__ST_DIM,
    DG__ST_AGENCY,
    DG__ST_ALERT,
    DG__ST_PRUNE_FLOW,
    DG__ST_PRUNE_DIM,
    DG__ST_PRUNE_AGENCY,
    DG__ST__COUNT
};

/* ---- the whole thing ----------------------------------------------------------------- */
struct dg__stats_baseline {
    float mean, sd, photo_mean;
};

/* The current hour's counts per agency, for the anomaly checks. */
struct dg__stats_hour {
    uint32_t total, dq, name, photo;
};

struct dg_stats {
    struct dg_stats_options opt;
    uint64_t gen; /* unique per instance, for the thread-local shard cache */
    struct dg__stats_layout lay;
    struct dg__oritab agencies;
    struct dg__strtab rules;
    struct dg__strtab groups;

    /* shards: published with a release store of nshards */
    struct dg__stats_shard *shards; /* max_threads + 1; the last is the shared one */
    _Atomic unsigned nshards;
    pthread_mutex_t shard_mu;

    /* flusher state, under flush_mu */
    pthread_mutex_t flush_mu;
    uint64_t *pend;       /* counts not yet written */
    uint64_t *group_sums; /* by department/component x key x decision, while writing */
    bool pend_nonzero;    /* something to write */
    uint64_t pend_invalid_seen, pend_other_seen; /* of pend, already in info */
    unsigned pend_nag, pend_nrules;              /* agencies and rules gathered into pend */
    int64_t cur_hour;   /* start of the hour being counted into; 0 before the first flush */
    char cur_label[16]; /* its label */
    struct dg__stats_hour *hour;
    uint32_t *touched; /* agency slots with counts this hour */
    unsigned ntouched;
    uint8_t *touched_bit;
    struct dg__stats_baseline *base;
    struct sqlite3 *db;
    struct sqlite3_stmt *st[DG__ST__COUNT];

    /* what readers see, under view_mu */
    pthread_mutex_t view_mu;
    uint64_t totals[DG__NCAT][DG__NKEY][DG__NDEC];
    struct dg_stats_info info;
    struct dg_stats_alert *alerts;
    size_t nalerts, alerts_cap;

    /* background flusher */
    pthread_t thread;
    bool thread_running;
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
    bool stop;
};

/* flush.c */
int dg__stats_flush(struct dg_stats *s, int64_t t_attr, struct dg_error *err);
int dg__stats_prepare(struct dg_stats *s, struct dg_error *err);
void dg__stats_finalize(struct dg_stats *s);

/* alerts.c */
int dg__stats_load_baselines(struct dg_stats *s, struct dg_error *err);
int dg__stats_load_alerts(struct dg_stats *s, int64_t now_s, struct dg_error *err);
void dg__stats_check_alerts(struct dg_stats *s, int64_t now_s);
void dg__stats_prune_alerts(struct dg_stats *s, int64_t now_s);

/* count.c */
int dg__stats_shards_init(struct dg_stats *s);
void dg__stats_shards_release(struct dg_stats *s);

/* Parse an hour label back into the time its hour starts (local time), or -1. */
int64_t dg__stats_label_time(const char *label);

#endif
