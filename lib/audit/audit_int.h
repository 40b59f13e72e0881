/*
 * audit_int.h - what the files of lib/audit share and nothing else sees:
 * byte codecs, the segment format, the tile builder and the log's inside.
 * Tests and fuzzers include it for the hooks marked "for tests".
 */
#ifndef DG_AUDIT_INT_H
#define DG_AUDIT_INT_H

#include <dmvgate/audit.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- codec.c: base64 (RFC 4648 section 4, strict), CRC-32C, helpers ------------ */
/* Length of the base64 encoding of n bytes. */
#define DG__B64_LEN(n) ((((n) + 2) / 3) * 4)
/* Append the base64 of p to out. */
int dg__b64_encode(const uint8_t *p, size_t n, struct dg_buf *out);
/* Decode s (n chars) strictly: padding required, no whitespace, canonical
 * final bits. Writes at most cap bytes and the count to *outlen.
 * DG_EPARSE when malformed, DG_ETOOBIG when it would not fit. */
int dg__b64_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outlen);
uint32_t dg__crc32c(uint32_t crc, const void *p, size_t n);
/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
bool dg__utf8_valid(const char *s, size_t n);
/* If s[i..n) begins with a Unicode space character, its length in bytes, else 0. */
size_t dg__unicode_space_at(const char *s, size_t n, size_t i);
/* Parse a decimal uint64 with no sign and no leading zeroes. DG_EPARSE. */
int dg__parse_u64(const char *s, size_t n, uint64_t *out);
void dg__sha256(const void *p, size_t n, uint8_t out[DG_HASH_SIZE]);
/* SHA-256 of a || b, and of a || b || c. */
void dg__sha256_2(const void *a, size_t an, const void *b, size_t bn, uint8_t out[DG_HASH_SIZE]);
void dg__sha256_3(const void *a, size_t an, const void *b, size_t bn, const void *c, size_t cn,
                  uint8_t out[DG_HASH_SIZE]);

static inline void dg__put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void dg__put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void dg__put_be64(uint8_t *p, uint64_t v)
{
    dg__put_be32(p, (uint32_t)(v >> 32));
    dg__put_be32(p + 4, (uint32_t)v);
}
static inline uint16_t dg__get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t dg__get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t dg__get_be64(const uint8_t *p)
{
    return ((uint64_t)dg__get_be32(p) << 32) | dg__get_be32(p + 4);
}

/* ---- files.c: small durable-file helpers ------------------------------------------ */
/* Read a whole file of at most max bytes into out (appending). DG_ENOENT,
 * DG_ETOOBIG, DG_EIO. */
int dg__read_file(const char *path, size_t max, struct dg_buf *out);
/* Write a file atomically: a temporary beside it, written (and fsync'd when
 * durable), renamed over path (and the directory fsync'd when durable). */
int dg__write_file_atomic(const char *path, const void *p, size_t n, int mode, bool durable);
/* mkdir -p for the directories of path's parent (not the last component). */
int dg__mkdirs_for(const char *path, int mode);
int dg__fsync_dir(const char *dir);

/* ---- segment.c: the segment format ------------------------------------------------
 * Segment header (32 bytes): "DGAUDSG1", first index (u64 BE), version (u32
 * BE, 1), zero (u32), CRC-32C of bytes 0..23 (u32 BE), zero (u32).
 * Record: magic "DGAR", CRC-32C (u32 BE), index (u64 BE), public length (u32
 * BE), private length (u32 BE), public bytes, private bytes. The CRC covers
 * the two lengths, the bytes, then the index (so the index can be filled in
 * last). All-zero bytes where a record would start end the segment. */
#define DG__SEG_MAGIC       "DGAUDSG1"
#define DG__SEG_HDR         32
#define DG__REC_MAGIC       0x44474152u /* "DGAR" */
#define DG__REC_HDR         24
#define DG__SEG_NAME_DIGITS 20

enum dg__rec_status {
    DG__REC_OK = 1,     /* a whole valid record */
    DG__REC_END = 0,    /* zeros: no more records in this segment */
    DG__REC_SHORT = -1, /* more bytes are needed to decide */
    DG__REC_BAD = -2    /* not a valid record (torn or corrupt) */
};

struct dg__rec {
    uint64_t index;
    const uint8_t *pub;
    uint32_t pub_len;
    const uint8_t *priv;
    uint32_t priv_len;
    size_t size; /* header + payload */
};

/* Encode a segment header for first. */
void dg__seg_header(uint8_t out[DG__SEG_HDR], uint64_t first);
/* Parse one; 0 or DG_ELOGCORRUPT. */
int dg__seg_header_parse(const uint8_t *p, size_t n, uint64_t *first);
/* Parse the record at p (avail bytes). eof: no bytes exist past avail (a
 * short record is then BAD). Returns a dg__rec_status. */
int dg__rec_parse(const uint8_t *p, size_t avail, bool eof, struct dg__rec *out);
/* CRC state over lengths and payload (the part that needs no index). */
uint32_t dg__rec_crc_payload(const void *pub, size_t pub_len, const void *priv, size_t priv_len);
/* Write the record header for a payload whose CRC state is crc_payload. */
void dg__rec_header(uint8_t out[DG__REC_HDR], uint64_t index, uint32_t crc_payload,
                    uint32_t pub_len, uint32_t priv_len);

/* The segments of a log: sorted first indices. */
struct dg__segs {
    uint64_t *first;
    size_t n, cap;
};
int dg__segs_list(const char *segdir, struct dg__segs *out, struct dg_error *err);
void dg__segs_release(struct dg__segs *s);
void dg__seg_path(char *out, size_t outlen, const char *segdir, uint64_t first);

/* Sequential reader over the segments (iterator, publisher, recovery,
 * verification). limit: never read records at or past this index
 * (UINT64_MAX: until the data ends). */
struct dg__reader {
    char segdir[4096];
    struct dg__segs segs;
    size_t seg; /* position in segs */
    int fd;
    uint64_t off; /* file offset of buf[0] */
    uint8_t *buf;
    size_t len, pos, cap;
    bool eof;      /* the file has no bytes past buf[len] */
    uint64_t next; /* index of the next record */
    uint64_t limit;
    bool torn;         /* set when the data ended on a bad record (last segment) */
    uint64_t torn_off; /* its file offset */
};
int dg__reader_open(struct dg__reader *r, const char *dir, uint64_t from, uint64_t limit,
                    struct dg_error *err);
/* 1 with rec, 0 at the end, or an error. */
int dg__reader_next(struct dg__reader *r, struct dg__rec *rec, struct dg_error *err);
void dg__reader_close(struct dg__reader *r);
/* For a live log: drop buffered bytes past the last record returned (they
 * may be stale) and allow reading up to limit. */
void dg__reader_set_limit(struct dg__reader *r, uint64_t limit);

/* Scan the last segment of a log for the durable end: *count = entries in
 * it, *end = byte offset after the last whole record, *garbage = offset of
 * the last non-zero byte + 1 past end (0 when only zeros follow). */
int dg__seg_scan(const char *path, uint64_t first, uint64_t *count, uint64_t *end,
                 uint64_t *garbage_end, struct dg_error *err);

/* ---- tilebuild.c: tiles from a stream of entries ----------------------------------- */
#define DG__TILE_LEVELS 8 /* 256^8 = 2^64 leaves */

struct dg__tilebuild {
    char dir[4096]; /* the log directory (tiles go to dir/tile/...) */
    bool verify;    /* compare with the files instead of writing them */
    uint64_t size;  /* entries taken */
    uint8_t (*hashes)[DG_TILE_WIDTH][DG_HASH_SIZE]; /* [DG__TILE_LEVELS] partial tiles */
    struct dg_buf bundle;                           /* the partial entry bundle */
    char lastdir[4096];                             /* last directory made, to skip mkdir calls */
    uint64_t files;                                 /* tiles and bundles written or compared */
};
int dg__tilebuild_init(struct dg__tilebuild *t, const char *dir, bool verify);
void dg__tilebuild_release(struct dg__tilebuild *t);
/* Resume at size: the level >= 1 partial tiles come from the tile files, the
 * level-0 ones must then be re-added with dg__tilebuild_add from index
 * size - size % 256 (the caller does this). Sets t->size to that index. */
int dg__tilebuild_resume(struct dg__tilebuild *t, uint64_t size, uint64_t *restart,
                         struct dg_error *err);
/* Add the entry at index t->size; writes (or checks) full tiles. */
int dg__tilebuild_add(struct dg__tilebuild *t, const uint8_t *entry, size_t len,
                      struct dg_error *err);
/* Root of the tree at t->size. */
void dg__tilebuild_root(const struct dg__tilebuild *t, uint8_t out[DG_HASH_SIZE]);
/* Write (or check) the partial tiles and bundle for t->size. */
int dg__tilebuild_partials(struct dg__tilebuild *t, struct dg_error *err);
/* Verify mode: the partial tiles present for the rightmost tiles must be
 * prefixes of what the entries give (full tiles are checked as they fill). */
int dg__tilebuild_check_right_edge(struct dg__tilebuild *t, struct dg_error *err);

/* ---- note.c ------------------------------------------------------------------------ */
/* True when name is a valid key name. */
bool dg__note_name_valid(const char *s, size_t n);

/* ---- state.c: the persisted signed state ------------------------------------------- */
struct dg__state {
    char origin[DG_CHECKPOINT_ORIGIN_MAX + 1];
    uint64_t size;
    uint8_t root[DG_HASH_SIZE];
    struct dg_buf note; /* the signed checkpoint */
};
int dg__state_read(const char *dir, struct dg__state *st, struct dg_error *err);
int dg__state_write(const char *dir, const struct dg__state *st, struct dg_error *err);

/* ---- the log (log.c, writer.c, publish.c) ------------------------------------------ */
struct dg__pend {
    dg_audit_done_fn done;
    void *arg;
};

struct dg__batch {
    struct dg__batch *next;
    uint64_t first; /* index of the first entry */
    uint8_t *buf;   /* framed records */
    size_t len, cap;
    struct dg__pend *pend;
    size_t n, pcap;
    int status; /* for the completion thread: 0 durable, or the error */
};

/* Fault injection, for tests: the next `count` operations of kind op fail
 * with errno err (EIO, ENOSPC, ...). */
enum dg__fault_op {
    DG__FAULT_WRITE,   /* a segment write */
    DG__FAULT_SYNC,    /* a segment fdatasync */
    DG__FAULT_ALLOC,   /* allocating segment space */
    DG__FAULT_PUBLISH, /* signing and publishing a checkpoint */
    DG__FAULT__COUNT
};

struct dg_audit_log {
    struct dg_audit_options o;
    char dir[4096];
    char privdir[4200];
    char segdir[4300];
    char origin[DG_CHECKPOINT_ORIGIN_MAX + 1];
    int lockfd;
    bool readonly;

    pthread_mutex_t mu;
    pthread_cond_t work;    /* writer: a batch is waiting */
    pthread_cond_t space;   /* appenders: the queue has room */
    pthread_cond_t pub;     /* publisher: durable entries or a request */
    pthread_cond_t signed_; /* publish() waiters: a checkpoint was signed */

    /* queue (mu) */
    struct dg__batch *head, *tail, *free_batches;
    uint64_t next_index; /* index the next queued append gets */
    uint64_t queued;     /* entries queued, not yet taken by the writer */
    bool closing;

    /* writer (its thread; durable under mu) */
    pthread_t writer;
    pthread_t completer;                     /* calls the completions of written batches */
    pthread_cond_t done_cv;                  /* completer: a batch is done */
    struct dg__batch *done_head, *done_tail; /* (mu) */
    unsigned done_n;                         /* batches waiting for their completions (mu) */
    bool writer_done;                        /* (mu) */
    int segfd;
    uint64_t seg_first;
    uint64_t seg_off;   /* next write offset */
    uint64_t seg_alloc; /* allocated (zeroed) size of the file */
    uint64_t durable;   /* entries durable (mu) */
    int write_error;    /* error of the last batch, 0 once one is durable again (mu) */
    bool need_repair;   /* a failed write left bytes at [seg_off, repair_end) */
    uint64_t repair_end;
    int faults[DG__FAULT__COUNT];
    unsigned fault_count[DG__FAULT__COUNT];

    /* publisher (its thread; signed_size and signed note under mu) */
    pthread_t publisher;
    struct dg__tilebuild tb;
    struct dg__reader rd;
    bool rd_open;
    uint64_t signed_size;
    uint8_t signed_root[DG_HASH_SIZE];
    struct dg_buf signed_note;
    uint64_t publish_want; /* a publish() asked for a checkpoint of at least this size */
    int64_t last_ckpt_ns;
    int pub_error;         /* last publisher error, 0 when fine (mu) */
    uint64_t pub_failures; /* publisher attempts that failed (mu) */
    bool pub_exited;       /* the publisher thread has ended (mu) */
    bool pub_broken;       /* reload tiles from the signed state before going on */

    struct dg_audit_stats st; /* (mu) */
};

/* log.c */
int dg__log_recover_tiles(struct dg_audit_log *log, uint64_t durable, struct dg_error *err);
int dg__log_sign(struct dg_audit_log *log, struct dg_error *err);
/* writer.c */
int dg__writer_start(struct dg_audit_log *log);
void dg__writer_stop(struct dg_audit_log *log);
int dg__seg_create(struct dg_audit_log *log, uint64_t first, struct dg_error *err);
/* publish.c */
int dg__publisher_start(struct dg_audit_log *log);
void dg__publisher_stop(struct dg_audit_log *log);

/* For tests: make the next count operations of op fail with errno e. */
void dg__audit_inject_fault(struct dg_audit_log *log, enum dg__fault_op op, int e, unsigned count);
/* The injected failure for op, as an errno, or 0 (and counts it down). */
int dg__audit_fault(struct dg_audit_log *log, enum dg__fault_op op);

#endif
