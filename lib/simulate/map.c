/*
 * map.c - between audit entries and policy requests: what a recorded query
 * was decided on, and the entry a node records for a decided request (for
 * synthetic logs in tests and benchmarks).
 */
#include <dmvgate/simulate.h>
#include <dmvgate/stats.h>

#include <stdio.h>
#include <string.h>

static const char *const outcome_names[] = {
#define DG__SO(e, n) n,
    DG_SIM_OUTCOME_MAP(DG__SO)
#undef DG__SO
};

const char *dg_sim_outcome_name(enum dg_sim_outcome o)
{
    return (unsigned)o < DG_SIM__COUNT ? outcome_names[o] : "?";
}

enum dg_sim_outcome dg_sim_recorded(const struct dg_audit_entry *e)
{
    switch (e->decision) {
    case DG_DECISION_ALLOW: return DG_SIM_ALLOW;
    case DG_DECISION_DENY: return DG_SIM_DENY;
    case DG_DECISION_REVIEW: return DG_SIM_REVIEW;
    default: return DG_SIM_ERROR;
    }
}

int dg_sim_request_from_audit(const struct dg_audit_entry *e, struct dg_agency *agency,
                              struct dg_policy_request *req)
{
    if (e->kind != DG_AUDIT_QUERY)
        return DG_EINVAL;
    memset(agency, 0, sizeof(*agency));
    memcpy(agency->ori, e->req.ori, sizeof(agency->ori));
    memcpy(agency->state, e->req.ori, 2);
    agency->level = e->req.level;
    agency->category = e->req.category;
    memcpy(agency->department, e->req.department, sizeof(agency->department));
    memcpy(agency->component, e->req.component, sizeof(agency->component));
    agency->agreements = e->req.agreements;
    dg_policy_request_init(req, agency);
    req->key = e->key;
    uint32_t idf = 0;
    for (unsigned i = 0; i < e->nids && i < DG_AUDIT_MAX_IDS; i++) {
        const char *t = e->ids[i].tag;
        if (strcmp(t, "OLN") == 0)
            idf |= DG_IDF_OLN;
        else if (strcmp(t, "NAM") == 0)
            idf |= DG_IDF_NAME | DG_IDF_DOB; /* NAM always comes with DOB */
        else if (strcmp(t, "SEX") == 0)
            idf |= DG_IDF_SEX;
        else if (strcmp(t, "LIC") == 0)
            idf |= DG_IDF_PLATE;
        else if (strcmp(t, "VIN") == 0)
            idf |= DG_IDF_VIN;
    }
    req->identified_by = idf;
    req->fields = e->fields_asked;
    req->purpose = e->purpose;
    req->legal_process = e->leg;
    req->has_case_number = e->has_case;
    memcpy(req->destination, e->dest, sizeof(req->destination));
    dg_policy_request_set_time(req, e->time_us / 1000000);
    req->queries_last_hour = 0;
    return 0;
}

void dg_sim_entry_from_request(const struct dg_policy_request *req,
                               const struct dg_policy_decision *d, int64_t time_us,
                               struct dg_audit_entry *e)
{
    const struct dg_agency *a = req->requester;
    dg_audit_entry_init(e, DG_AUDIT_QUERY);
    e->time_us = time_us;
    dg_audit_entry_requester(e, a, NULL);
    e->key = req->key;
    memcpy(e->dest, req->destination, sizeof(e->dest));
    e->fields_asked = req->fields;
    e->purpose = req->purpose;
    e->leg = req->legal_process;
    e->has_case = req->has_case_number;
    switch (d->outcome) {
    case DG_POLICY_ALLOW: e->decision = DG_DECISION_ALLOW; break;
    case DG_POLICY_DENY: e->decision = DG_DECISION_DENY; break;
    case DG_POLICY_REVIEW: e->decision = DG_DECISION_REVIEW; break;
    default: e->decision = DG_DECISION_ERROR;
    }
    snprintf(e->rule, sizeof(e->rule), "%s", d->rule_name ? d->rule_name : "");
    if (d->outcome == DG_POLICY_ALLOW) {
        e->redactions = d->redact & req->fields;
        e->notify = d->notify;
        e->released = req->fields & ~d->redact;
    }
    static const struct {
        uint32_t bit;
        const char *tag, *value;
    } ids[] = {
        {DG_IDF_OLN, "OLN", "S0000000"},  {DG_IDF_NAME, "NAM", "SYNTHETIC,PERSON"},
        {DG_IDF_DOB, "DOB", "19700101"},  {DG_IDF_SEX, "SEX", "X"},
        {DG_IDF_PLATE, "LIC", "SYN0000"}, {DG_IDF_VIN, "VIN", "1M8GDM9AXKP042788"},
    };
    for (size_t i = 0; i < DG_ARRAY_LEN(ids) && e->nids < DG_AUDIT_MAX_IDS; i++)
        if (req->identified_by & ids[i].bit) {
            snprintf(e->ids[e->nids].tag, sizeof(e->ids[0].tag), "%s", ids[i].tag);
            snprintf(e->ids[e->nids].value, sizeof(e->ids[0].value), "%s", ids[i].value);
            e->nids++;
        }
}

void dg_sim_request_from_synth(const struct dg_synth_request *r, struct dg_policy_request *req)
{
    dg_policy_request_init(req, r->agency);
    req->key = r->key;
    /* Which identifying fields: derived from the time so that the choice is
     * as deterministic as the request itself. */
    unsigned pick = (unsigned)(r->time_us % 100);
    if (r->key == DG_KEY_DQ && r->name_search)
        req->identified_by = DG_IDF_NAME | DG_IDF_DOB | (pick < 50 ? DG_IDF_SEX : 0);
    else if (r->key == DG_KEY_RQ)
        req->identified_by = pick < 5 ? DG_IDF_VIN : DG_IDF_PLATE;
    else
        req->identified_by = DG_IDF_OLN;
    req->fields = dg_policy_fields_for_key(r->key, r->photo);
    req->purpose = r->purpose;
    req->legal_process = r->leg;
    req->has_case_number = r->has_case;
    memcpy(req->destination, r->dest, sizeof(req->destination));
    dg_policy_request_set_time(req, r->time_us / 1000000);
}
