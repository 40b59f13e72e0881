/*
 * session.c - the review console's sessions, cookies and login rate limit
 * (review.h): an in-memory table of sessions with random ids and CSRF tokens,
 * the Set-Cookie value, a bounded Cookie-header parser, and a per-address
 * sliding-window limit on login attempts.
 */
#include <dmvgate/review.h>

#include <sodium.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct dg_sessions {
    pthread_mutex_t lock;
    int64_t idle_us;
    size_t n;
    struct dg_session s[DG_SESSIONS_MAX];
};

int dg_sessions_new(int64_t idle_us, struct dg_sessions **out, struct dg_error *err)
{
    if (sodium_init() < 0)
        return dg_error_set(err, DG_EREVIEW, NULL, -1, "cannot initialize libsodium");
    struct dg_sessions *t = dg_calloc(1, sizeof(*t));
    if (!t)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "cannot allocate the session table");
    pthread_mutex_init(&t->lock, NULL);
    t->idle_us = idle_us;
    *out = t;
    return 0;
}

void dg_sessions_free(struct dg_sessions *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    sodium_memzero(t->s, sizeof(t->s));
    dg_free(t);
}

static void random_hex(char out[DG_SESSION_TOKEN_LEN + 1])
{
    unsigned char raw[DG_SESSION_TOKEN_LEN / 2];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(out, DG_SESSION_TOKEN_LEN + 1, raw, sizeof(raw));
}

/* Drop expired sessions; caller holds the lock. */
static void sweep(struct dg_sessions *t, int64_t now_us)
{
    size_t j = 0;
    for (size_t i = 0; i < t->n; i++)
        if (now_us - t->s[i].last_us < t->idle_us)
            t->s[j++] = t->s[i];
    sodium_memzero(&t->s[j], (t->n - j) * sizeof(t->s[0]));
    t->n = j;
}

int dg_session_start(struct dg_sessions *t, const struct dg_user *u, int64_t now_us,
                     struct dg_session *out, struct dg_error *err)
{
    (void)err;
    pthread_mutex_lock(&t->lock);
    sweep(t, now_us);
    if (t->n == DG_SESSIONS_MAX) { /* full: the least recently used goes */
        size_t old = 0;
        for (size_t i = 1; i < t->n; i++)
            if (t->s[i].last_us < t->s[old].last_us)
                old = i;
        t->s[old] = t->s[--t->n];
    }
    struct dg_session *s = &t->s[t->n++];
    memset(s, 0, sizeof(*s));
    random_hex(s->id);
    random_hex(s->csrf);
    s->user = *u;
    s->last_us = now_us;
    *out = *s;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

static bool token_eq(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != DG_SESSION_TOKEN_LEN || strlen(b) != DG_SESSION_TOKEN_LEN)
        return false;
    return sodium_memcmp(a, b, DG_SESSION_TOKEN_LEN) == 0;
}

int dg_session_find(struct dg_sessions *t, const char *id, int64_t now_us, struct dg_session *out)
{
    int rc = DG_ENOTFOUND;
    pthread_mutex_lock(&t->lock);
    sweep(t, now_us);
    for (size_t i = 0; i < t->n; i++)
        if (token_eq(t->s[i].id, id)) {
            t->s[i].last_us = now_us;
            *out = t->s[i];
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void dg_session_end(struct dg_sessions *t, const char *id)
{
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n; i++)
        if (token_eq(t->s[i].id, id)) {
            t->s[i] = t->s[--t->n];
            sodium_memzero(&t->s[t->n], sizeof(t->s[0]));
            break;
        }
    pthread_mutex_unlock(&t->lock);
}

bool dg_session_csrf_ok(const struct dg_session *s, const char *token)
{
    return token_eq(s->csrf, token);
}

void dg_session_cookie(const char *id, char out[256])
{
    if (id)
        snprintf(out, 256, DG_SESSION_COOKIE "=%s; Path=/; HttpOnly; Secure; SameSite=Strict", id);
    else
        snprintf(out, 256,
                 DG_SESSION_COOKIE "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
}

int dg_cookie_get(const char *header, const char *name, char *out, size_t size)
{
    if (!header || !name || !out || size == 0)
        return DG_ENOTFOUND;
    size_t hlen = strnlen(header, DG_COOKIE_HEADER_MAX + 1);
    if (hlen > DG_COOKIE_HEADER_MAX)
        return DG_ETOOBIG;
    size_t nlen = strlen(name);
    const char *p = header, *end = header + hlen;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
            p++;
        const char *pair = p;
        while (p < end && *p != ';')
            p++;
        const char *eq = memchr(pair, '=', (size_t)(p - pair));
        if (!eq)
            continue;
        size_t klen = (size_t)(eq - pair);
        while (klen && (pair[klen - 1] == ' ' || pair[klen - 1] == '\t'))
            klen--;
        if (klen != nlen || memcmp(pair, name, nlen) != 0)
            continue;
        const char *v = eq + 1, *ve = p;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        if ((size_t)(ve - v) >= size)
            return DG_ENOTFOUND;
        memcpy(out, v, (size_t)(ve - v));
        out[ve - v] = '\0';
        return 0;
    }
    return DG_ENOTFOUND;
}

struct addr_slot {
    char addr[64];
    int64_t t[DG_LOGIN_PER_MINUTE]; /* times of the last attempts, a ring */
    unsigned next;
    int64_t last_us;
};

struct dg_login_limit {
    pthread_mutex_t lock;
    struct addr_slot a[DG_LOGIN_ADDRS];
};

int dg_login_limit_new(struct dg_login_limit **out, struct dg_error *err)
{
    struct dg_login_limit *l = dg_calloc(1, sizeof(*l));
    if (!l)
        return dg_error_set(err, DG_ENOMEM, NULL, -1, "cannot allocate the login limit");
    pthread_mutex_init(&l->lock, NULL);
    *out = l;
    return 0;
}

void dg_login_limit_free(struct dg_login_limit *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    dg_free(l);
}

bool dg_login_allow(struct dg_login_limit *l, const char *addr, int64_t now_us)
{
    char key[64];
    snprintf(key, sizeof(key), "%s", addr ? addr : "");
    pthread_mutex_lock(&l->lock);
    struct addr_slot *s = NULL, *old = &l->a[0];
    for (size_t i = 0; i < DG_LOGIN_ADDRS; i++) {
        if (l->a[i].last_us && strcmp(l->a[i].addr, key) == 0) {
            s = &l->a[i];
            break;
        }
        if (l->a[i].last_us < old->last_us)
            old = &l->a[i];
    }
    if (!s) { /* a new address takes the least recently seen slot */
        s = old;
        memset(s, 0, sizeof(*s));
        snprintf(s->addr, sizeof(s->addr), "%s", key);
    }
    s->last_us = now_us ? now_us : 1;
    /* the oldest of the last DG_LOGIN_PER_MINUTE attempts is in the ring's next slot */
    int64_t oldest = s->t[s->next % DG_LOGIN_PER_MINUTE];
    bool ok = oldest == 0 || now_us - oldest >= 60 * 1000000LL;
    if (ok) {
        s->t[s->next % DG_LOGIN_PER_MINUTE] = now_us ? now_us : 1;
        s->next++;
    }
    pthread_mutex_unlock(&l->lock);
    return ok;
}

bool dg_login_limited(struct dg_login_limit *l, const char *addr, int64_t now_us)
{
    char key[64];
    snprintf(key, sizeof(key), "%s", addr ? addr : "");
    bool limited = false;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < DG_LOGIN_ADDRS; i++)
        if (l->a[i].last_us && strcmp(l->a[i].addr, key) == 0) {
            const struct addr_slot *s = &l->a[i];
            int64_t oldest = s->t[s->next % DG_LOGIN_PER_MINUTE];
            limited = oldest != 0 && now_us - oldest < 60 * 1000000LL;
            break;
        }
    pthread_mutex_unlock(&l->lock);
    return limited;
}
