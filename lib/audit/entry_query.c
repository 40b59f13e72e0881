/*
 * entry_query.c - fill an audit entry from a parsed query and its requester's
 * directory entry: what a node and the hub both record for a query they
 * decide (the node by its policy, the hub by a network-level block). The
 * identifying values go to the private part; only their tags are public.
 */
#include <dmvgate/agency.h>
#include <dmvgate/audit.h>
#include <dmvgate/msg.h>

#include <stdio.h>
#include <string.h>

void dg_audit_entry_requester(struct dg_audit_entry *e, const struct dg_agency *a, const char *ori)
{
    if (a) {
        memcpy(e->req.ori, a->ori, sizeof(e->req.ori));
        e->req.level = a->level;
        e->req.category = a->category;
        memcpy(e->req.department, a->department, sizeof(e->req.department));
        memcpy(e->req.component, a->component, sizeof(e->req.component));
        e->req.agreements = a->agreements;
    } else if (ori) {
        snprintf(e->req.ori, sizeof(e->req.ori), "%s", ori);
        e->req.level = DG_LEVEL_UNSPECIFIED;
        e->req.category = DG_CAT_UNSPECIFIED;
    }
}

static const enum dg_msg_tag id_tags[] = {DG_TAG_OLN, DG_TAG_OLS, DG_TAG_NAM, DG_TAG_DOB,
                                          DG_TAG_SEX, DG_TAG_LIC, DG_TAG_LIS, DG_TAG_LIT,
                                          DG_TAG_LIY, DG_TAG_VIN};

void dg_audit_entry_query(struct dg_audit_entry *e, const struct dg_agency *a,
                          const struct dg_msg_req *m, const char *dest,
                          enum dg_audit_decision decision, const char *rule)
{
    dg_audit_entry_init(e, DG_AUDIT_QUERY);
    dg_audit_entry_requester(e, a, m->ori);
    e->key = m->key;
    snprintf(e->dest, sizeof(e->dest), "%s", dest);
    e->fields_asked = m->asked;
    e->purpose = m->purpose;
    e->leg = m->leg;
    e->has_case = m->has_case;
    e->decision = decision;
    snprintf(e->rule, sizeof(e->rule), "%s", rule ? rule : "");
    for (size_t i = 0; i < DG_ARRAY_LEN(id_tags) && e->nids < DG_AUDIT_MAX_IDS; i++) {
        const char *v = dg_msg_req_get(m, id_tags[i]);
        if (!v[0])
            continue;
        snprintf(e->ids[e->nids].tag, sizeof(e->ids[0].tag), "%s", dg_msg_tag_name(id_tags[i]));
        snprintf(e->ids[e->nids].value, sizeof(e->ids[0].value), "%s", v);
        e->nids++;
    }
    snprintf(e->leg_number, sizeof(e->leg_number), "%s", dg_msg_req_leg_number(m));
    snprintf(e->case_number, sizeof(e->case_number), "%s", m->cas);
    snprintf(e->atn, sizeof(e->atn), "%s", m->atn);
}
