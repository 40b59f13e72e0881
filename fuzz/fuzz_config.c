/*
 * fuzz_config.c - libFuzzer target for the configuration parser (lib/config).
 *
 * Feeds arbitrary bytes to dg_config_parse, then checks a property: when the
 * input parsed without error, the effective configuration printed by
 * dg_config_format parses back without error to a configuration that prints
 * the same (ignoring the "where from" comments, which name lines).
 */
#include "fuzz.h"

#include <dmvgate/config.h>

#include <stdlib.h>
#include <string.h>

/* Drop each line's trailing "  # ..." comment (the last one on the line: the
 * printer puts it there, and its text never holds another) so that two
 * printings compare. */
static void strip_comments(struct dg_buf *b)
{
    if (!b->data)
        return;
    char *w = b->data;
    for (char *p = b->data; *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t keep = n;
        for (size_t i = 0; i + 3 <= n; i++)
            if (memcmp(p + i, "  #", 3) == 0)
                keep = i;
        memmove(w, p, keep);
        w += keep;
        *w++ = '\n';
        p = nl ? nl + 1 : p + n;
    }
    *w = '\0';
    b->len = (size_t)(w - b->data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dg_config c, c2;
    struct dg_config_report r;
    dg_config_report_init(&r);
    if (dg_config_init(&c) != 0)
        return 0;
    int rc = dg_config_parse(&c, (const char *)data, size, "/base", &r);
    if (rc == 0) {
        struct dg_buf b1, b2;
        dg_buf_init(&b1, 1 << 20);
        dg_buf_init(&b2, 1 << 20);
        if (dg_config_format(&c, &b1) != 0 || dg_config_init(&c2) != 0)
            abort();
        dg_config_report_init(&r);
        if (dg_config_parse(&c2, b1.data, b1.len, "/base", &r) != 0)
            abort(); /* what we print must parse */
        if (dg_config_format(&c2, &b2) != 0)
            abort();
        strip_comments(&b1);
        strip_comments(&b2);
        if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
            abort(); /* and mean the same */
        dg_config_release(&c2);
        dg_buf_release(&b1);
        dg_buf_release(&b2);
    }
    dg_config_validate(&c, &r);
    dg_config_release(&c);
    return 0;
}
