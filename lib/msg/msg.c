/*
 * msg.c - what applies to every message: telling the forms apart, the status
 * vocabulary, and the one-line error format the CLI and logs print.
 */
#include "msg_int.h"

#include <string.h>

enum dg_msg_form dg_msg_sniff(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
            continue;
        return s[i] == '{' ? DG_MSG_JSON : DG_MSG_TEXT;
    }
    return DG_MSG_TEXT;
}

static const char *const status_names[DG_STS__COUNT] = {
#define DG__S(s, d) #s,
    DG_MSG_STATUS_MAP(DG__S)
#undef DG__S
};

const char *dg_msg_status_name(enum dg_msg_status s)
{
    return (unsigned)s < DG_STS__COUNT ? status_names[s] : "?";
}

int dg_msg_status_parse(const char *s, size_t n)
{
    for (int i = 0; i < DG_STS__COUNT; i++)
        if (strlen(status_names[i]) == n && memcmp(status_names[i], s, n) == 0)
            return i;
    return DG_EMSGVALUE;
}

int dg_msg_error_line(const struct dg_error *e, struct dg_buf *out)
{
    int rc = dg_buf_addstr(out, dg_errname(e->code));
    if (rc == 0 && e->field[0])
        rc = dg_buf_printf(out, ": field %s", e->field);
    if (rc == 0 && e->offset >= 0)
        rc = dg_buf_printf(out, "%s at offset %ld", e->field[0] ? "" : ":", e->offset);
    if (rc == 0)
        rc = dg_buf_printf(out, ": %s", e->msg[0] ? e->msg : dg_strerror(e->code));
    return rc;
}

int dg_msg_parse(struct dg_msg *m, enum dg_msg_form form, const char *s, size_t n,
                 struct dg_error *err)
{
    memset(m, 0, sizeof(*m));
    if (form == DG_MSG_JSON)
        return dg__json_parse_any(m, s, n, err);
    /* The key tells a request from a response; a bad key is the request
     * parser's to report. */
    size_t k = 0;
    while (k < n && k < 3 && s[k] != '.')
        k++;
    int key = dg_key_parse(s, k);
    int rc;
    if (key >= 0 && !dg__is_request_key(key)) {
        rc = dg_msg_resp_parse_text(&m->resp, s, n, err);
    } else {
        rc = dg_msg_req_parse_text(&m->req, s, n, err);
        key = m->req.key;
    }
    if (rc == 0)
        m->key = (enum dg_key)key;
    return rc;
}

int dg_msg_write(const struct dg_msg *m, enum dg_msg_form form, struct dg_buf *out,
                 struct dg_error *err)
{
    if (m->resp)
        return form == DG_MSG_JSON ? dg_msg_resp_to_json(m->resp, out, err)
                                   : dg_msg_resp_to_text(m->resp, out, err);
    return form == DG_MSG_JSON ? dg_msg_req_to_json(&m->req, out)
                               : dg_msg_req_to_text(&m->req, out);
}

void dg_msg_release(struct dg_msg *m)
{
    dg_msg_resp_free(m->resp);
    m->resp = NULL;
}
