/*
 * alloc.c - the library's allocation functions, with a fault-injection switch.
 *
 * Allocation-failure tests (issue "reliability") call dg_alloc_fail_at(n) to
 * make the nth allocation fail and then check that the code under test returns
 * DG_ENOMEM and leaks nothing. In normal runs the switch is off and the cost is
 * one relaxed atomic load per allocation. cJSON allocates through the same
 * functions (its hooks are set when the program starts), so that the JSON
 * parsers are tested under allocation failure too.
 */
#include <dmvgate/core.h>

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong alloc_count;
static atomic_ulong fail_at; /* 0 = never fail */

static int should_fail(void)
{
    unsigned long f = atomic_load_explicit(&fail_at, memory_order_relaxed);
    if (f == 0)
        return 0;
    unsigned long n = atomic_fetch_add(&alloc_count, 1) + 1;
    return n >= f;
}

unsigned long dg_alloc_fail_at(unsigned long n)
{
    unsigned long made = atomic_exchange(&alloc_count, 0);
    atomic_store(&fail_at, n);
    return made;
}

void *dg_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *dg_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *dg_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *dg_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = dg_malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *dg_strdup(const char *s)
{
    return dg_strndup(s, strlen(s));
}

void dg_free(void *p)
{
    free(p);
}

/* cJSON's allocations go through dg_malloc/dg_free from the start, before any
 * thread exists (cJSON_InitHooks is not thread-safe). */
__attribute__((constructor)) static void hook_cjson(void)
{
    cJSON_Hooks h = {.malloc_fn = dg_malloc, .free_fn = dg_free};
    cJSON_InitHooks(&h);
}
