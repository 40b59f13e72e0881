/*
 * event.c - a stats event from a parsed message, for a process that counts
 * what it routes rather than what it decides (the hub): the requester's
 * directory entry, the message's key, purpose, legal process, photo and
 * identifying fields, one destination, and the decision the destination's
 * answer shows.
 */
#include <dmvgate/msg.h>
#include <dmvgate/stats.h>

int dg_stats_event_from_msg(struct dg_stats_event *ev, const struct dg_agency *a,
                            const struct dg_msg_req *m, const char *dest,
                            enum dg_stats_decision decision, const char *rule)
{
    if (m->key != DG_KEY_DQ && m->key != DG_KEY_RQ && m->key != DG_KEY_IQ)
        return DG_EINVAL;
    dg_stats_event_init(ev, a);
    if (!a)
        ev->ori = m->ori;
    ev->key = m->key;
    ev->dest = dest;
    ev->purpose = m->purpose;
    ev->leg = m->leg;
    ev->decision = decision;
    ev->rule = rule;
    ev->photo = m->photo;
    ev->name_search = m->key == DG_KEY_DQ && (m->idents & DG_ID_NAM) && !(m->idents & DG_ID_OLN);
    return 0;
}

enum dg_stats_decision dg_stats_decision_of_status(int http_status)
{
    switch (http_status) {
    case 200: return DG_STATS_ALLOW;
    case 202: return DG_STATS_REVIEW;
    case 403: return DG_STATS_DENY;
    default: return DG_STATS_ERROR;
    }
}
