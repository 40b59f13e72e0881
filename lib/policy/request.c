/*
 * request.c - from a parsed message and a directory entry to the attributes
 * a policy decides on.
 *
 * The node parses a request (lib/msg), finds its requester (lib/agency) and
 * calls dg_policy_request_from_msg(); `dmvgate policy test` does the same
 * for the messages in a test file through dg_policy_msg_parser(). Keeping
 * the mapping here, in one place, means the tests of a policy see requests
 * exactly as the node will.
 */
#include "policy_int.h"

#include <dmvgate/msg.h>

#include <string.h>

static uint32_t identified_by(uint32_t idents)
{
    uint32_t b = 0;
    if (idents & DG_ID_OLN)
        b |= DG_IDF_OLN;
    if (idents & DG_ID_NAM)
        b |= DG_IDF_NAME | DG_IDF_DOB; /* NAM always comes with DOB */
    if (idents & DG_ID_SEX)
        b |= DG_IDF_SEX;
    if (idents & (DG_ID_LIC | DG_ID_LIT | DG_ID_LIY))
        b |= DG_IDF_PLATE;
    if (idents & DG_ID_VIN)
        b |= DG_IDF_VIN;
    return b;
}

int dg_policy_request_from_msg(struct dg_policy_request *r, const struct dg_msg_req *m,
                               const struct dg_agency *a, const char *state, int64_t now_s)
{
    dg_policy_request_init(r, a);
    r->key = m->key;
    r->purpose = m->purpose;
    r->legal_process = m->leg;
    r->has_case_number = m->has_case;
    r->identified_by = identified_by(m->idents);
    r->fields = m->asked ? m->asked : dg_policy_fields_for_key(m->key, m->photo);
    dg_policy_request_set_time(r, now_s);
    if (!state) {
        /* No deciding state given: the first destination ("" for NL, every state). */
        if (m->ndest > 0 && strcmp(m->dest[0], "NL") != 0)
            memcpy(r->destination, m->dest[0], 3);
        return 0;
    }
    if (!dg_msg_req_is_for(m, state))
        return DG_EINVAL;
    memcpy(r->destination, state, 2);
    r->destination[2] = '\0';
    return 0;
}

int dg_policy_msg_parser(void *ctx, const char *msg, size_t n, bool json,
                         struct dg_policy_request *req, char ori[DG_ORI_LEN + 1],
                         struct dg_error *err)
{
    (void)ctx;
    struct dg_msg_req m;
    int rc = json ? dg_msg_req_parse_json(&m, msg, n, err) : dg_msg_req_parse_text(&m, msg, n, err);
    if (rc)
        return rc;
    dg_policy_request_from_msg(req, &m, NULL, NULL, 0);
    memcpy(ori, m.ori, DG_ORI_LEN);
    ori[DG_ORI_LEN] = '\0';
    return 0;
}
