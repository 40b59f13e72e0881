/*
 * format.c - a simulation's result for a person (text) and for the review
 * console (JSON).
 */
#include <dmvgate/simulate.h>

#include <stdio.h>
#include <string.h>

static uint64_t total(const struct dg_sim_counts *c)
{
    uint64_t t = 0;
    for (int i = 0; i < DG_SIM__COUNT; i++)
        for (int j = 0; j < DG_SIM__COUNT; j++)
            t += c->n[i][j];
    return t;
}

static uint64_t changed(const struct dg_sim_counts *c)
{
    uint64_t t = 0;
    for (int i = 0; i < DG_SIM__COUNT; i++)
        for (int j = 0; j < DG_SIM__COUNT; j++)
            t += i != j ? c->n[i][j] : 0;
    return t;
}

static uint64_t restricted(const struct dg_sim_counts *c)
{
    return c->n[DG_SIM_ALLOW][DG_SIM_DENY] + c->n[DG_SIM_ALLOW][DG_SIM_REVIEW];
}

static uint64_t relaxed(const struct dg_sim_counts *c)
{
    return c->n[DG_SIM_DENY][DG_SIM_ALLOW] + c->n[DG_SIM_REVIEW][DG_SIM_ALLOW];
}

/* 1234567 -> "1,234,567" */
static const char *num(uint64_t v, char *buf, size_t n)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;
    for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *action_name(enum dg_policy_action a)
{
    static const char *const n[] = {"allow", "deny", "review", "redact", "notify"};
    return (unsigned)a < 5 ? n[a] : "?";
}

static int text_matrix(struct dg_buf *b, const struct dg_sim_counts *c)
{
    char x[32];
    int rc = dg_buf_printf(b, "  %-16s", "recorded \\ draft");
    for (int j = 0; j < DG_SIM__COUNT && !rc; j++)
        rc = dg_buf_printf(b, " %11s", dg_sim_outcome_name((enum dg_sim_outcome)j));
    rc = rc ? rc : dg_buf_addc(b, '\n');
    for (int i = 0; i < DG_SIM_UNDECIDED && !rc; i++) {
        rc = dg_buf_printf(b, "  %-16s", dg_sim_outcome_name((enum dg_sim_outcome)i));
        for (int j = 0; j < DG_SIM__COUNT && !rc; j++)
            rc = dg_buf_printf(b, " %11s", num(c->n[i][j], x, sizeof(x)));
        rc = rc ? rc : dg_buf_addc(b, '\n');
    }
    return rc;
}

int dg_sim_text(const struct dg_sim_result *r, const struct dg_policy *draft, struct dg_buf *out)
{
    char a[32], b2[32], c[32], d[32];
    double rate = r->seconds > 0 ? (double)r->replayed / r->seconds : 0;
    int rc = dg_buf_printf(out, "draft policy: %s\n", dg_policy_name(draft));
    rc = rc ? rc
            : dg_buf_printf(out,
                            "replayed %s queries (%s to %s) of %s log entries in %.2f s: %s "
                            "queries/s\n",
                            num(r->replayed, a, sizeof(a)), r->first[0] ? r->first : "-",
                            r->last[0] ? r->last : "-", num(r->entries, b2, sizeof(b2)), r->seconds,
                            num((uint64_t)rate, c, sizeof(c)));
    rc =
        rc ? rc
           : dg_buf_printf(out, "outcome would change for %s queries (%.2f%%) from %s agencies\n\n",
                           num(r->changed, a, sizeof(a)),
                           r->replayed ? 100.0 * (double)r->changed / (double)r->replayed : 0.0,
                           num(r->agencies_affected, b2, sizeof(b2)));
    rc = rc ? rc : text_matrix(out, &r->all);
    rc = rc ? rc
            : dg_buf_printf(out,
                            "\nlocal and state police (municipal police, sheriffs, state police): "
                            "%s queries, %s would change:\n"
                            "  %s from allow to deny or review, %s from deny or review to allow\n",
                            num(r->police, a, sizeof(a)), num(r->police_changed, b2, sizeof(b2)),
                            num(r->police_restricted, c, sizeof(c)),
                            num(r->police_relaxed, d, sizeof(d)));
    rc = rc ? rc
            : dg_buf_printf(out, "\nby requester category:\n  %-18s %12s %10s %12s %12s\n",
                            "category", "queries", "changed", "restricted", "relaxed");
    for (int k = 0; k < DG_CAT__COUNT && !rc; k++) {
        const struct dg_sim_counts *x = &r->by_category[k];
        if (!total(x))
            continue;
        char e[32];
        rc = dg_buf_printf(out, "  %-18s %12s %10s %12s %12s\n",
                           dg_category_name((enum dg_category)k), num(total(x), a, sizeof(a)),
                           num(changed(x), b2, sizeof(b2)), num(restricted(x), c, sizeof(c)),
                           num(relaxed(x), e, sizeof(e)));
    }
    rc = rc ? rc
            : dg_buf_printf(out, "\nby the draft's deciding rule:\n  %-50s %7s %12s %10s\n", "rule",
                            "action", "decided", "changed");
    for (int i = 0; i <= r->nrules && !rc; i++) {
        const struct dg_sim_counts *x = &r->by_rule[i];
        if (!total(x))
            continue;
        struct dg_policy_rule_info info;
        char name[64];
        const char *act = "-";
        if (i < r->nrules && dg_policy_rule_info(draft, i, &info) == 0) {
            snprintf(name, sizeof(name), "%.40s (line %d)", info.name, info.line);
            act = action_name(info.action);
        } else
            snprintf(name, sizeof(name), "(none: undecided)");
        rc = dg_buf_printf(out, "  %-50s %7s %12s %10s\n", name, act, num(total(x), a, sizeof(a)),
                           num(changed(x), b2, sizeof(b2)));
    }
    rc = rc ? rc
            : dg_buf_printf(out, "\nby the rule that decided before:\n  %-50s %12s %10s\n", "rule",
                            "queries", "changed");
    for (int i = 0; i < r->nbefore && !rc; i++) {
        const struct dg_sim_counts *x = &r->by_before_rule[i];
        rc = dg_buf_printf(out, "  %-50.50s %12s %10s\n", r->before_rule[i],
                           num(total(x), a, sizeof(a)), num(changed(x), b2, sizeof(b2)));
    }
    if (!rc && r->ntop) {
        rc = dg_buf_printf(out, "\nmost affected agencies:\n  %-10s %-18s %-12s %10s %10s %10s\n",
                           "ori", "category", "level", "queries", "changed", "restricted");
        for (int i = 0; i < r->ntop && !rc; i++) {
            const struct dg_sim_agency *g = &r->top[i];
            rc = dg_buf_printf(out, "  %-10s %-18s %-12s %10s %10s %10s\n", g->ori,
                               dg_category_name(g->category), dg_level_name(g->level),
                               num(g->queries, a, sizeof(a)), num(g->changed, b2, sizeof(b2)),
                               num(g->restricted, c, sizeof(c)));
        }
    }
    return rc;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static int json_counts(struct dg_buf *b, const struct dg_sim_counts *c)
{
    int rc = dg_buf_printf(b,
                           "\"queries\":%llu,\"changed\":%llu,\"restricted\":%llu,"
                           "\"relaxed\":%llu,\"transitions\":[",
                           (unsigned long long)total(c), (unsigned long long)changed(c),
                           (unsigned long long)restricted(c), (unsigned long long)relaxed(c));
    for (int i = 0; i < DG_SIM__COUNT && !rc; i++) {
        rc = dg_buf_addstr(b, i ? ",[" : "[");
        for (int j = 0; j < DG_SIM__COUNT && !rc; j++)
            rc = dg_buf_printf(b, "%s%llu", j ? "," : "", (unsigned long long)c->n[i][j]);
        rc = rc ? rc : dg_buf_addc(b, ']');
    }
    return rc ? rc : dg_buf_addc(b, ']');
}

static int json_str(struct dg_buf *b, const char *s)
{
    return dg_buf_add_json_str(b, s, strlen(s));
}

int dg_sim_json(const struct dg_sim_result *r, const struct dg_policy *draft, struct dg_buf *out)
{
    double rate = r->seconds > 0 ? (double)r->replayed / r->seconds : 0;
    int rc = dg_buf_addstr(out, "{\"draft\":");
    rc = rc ? rc : json_str(out, dg_policy_name(draft));
    rc = rc ? rc
            : dg_buf_printf(out,
                            ",\"entries\":%llu,\"queries\":%llu,\"replayed\":%llu,"
                            "\"changed\":%llu,\"agencies_affected\":%llu,\"first\":\"%s\","
                            "\"last\":\"%s\",\"seconds\":%.3f,\"rate\":%.0f,\"outcomes\":[",
                            (unsigned long long)r->entries, (unsigned long long)r->queries,
                            (unsigned long long)r->replayed, (unsigned long long)r->changed,
                            (unsigned long long)r->agencies_affected, r->first, r->last, r->seconds,
                            rate);
    for (int i = 0; i < DG_SIM__COUNT && !rc; i++)
        rc = dg_buf_printf(out, "%s\"%s\"", i ? "," : "",
                           dg_sim_outcome_name((enum dg_sim_outcome)i));
    rc = rc ? rc : dg_buf_addstr(out, "],\"all\":{");
    rc = rc ? rc : json_counts(out, &r->all);
    rc = rc ? rc
            : dg_buf_printf(out,
                            "},\"police\":{\"categories\":[\"municipal_police\",\"sheriff\","
                            "\"state_police\"],\"queries\":%llu,\"changed\":%llu,"
                            "\"restricted\":%llu,\"relaxed\":%llu},\"by_category\":[",
                            (unsigned long long)r->police, (unsigned long long)r->police_changed,
                            (unsigned long long)r->police_restricted,
                            (unsigned long long)r->police_relaxed);
    bool first = true;
    for (int k = 0; k < DG_CAT__COUNT && !rc; k++) {
        if (!total(&r->by_category[k]))
            continue;
        rc = dg_buf_printf(out, "%s{\"category\":\"%s\",", first ? "" : ",",
                           dg_category_name((enum dg_category)k));
        rc = rc ? rc : json_counts(out, &r->by_category[k]);
        rc = rc ? rc : dg_buf_addc(out, '}');
        first = false;
    }
    rc = rc ? rc : dg_buf_addstr(out, "],\"by_level\":[");
    first = true;
    for (int k = 0; k < DG_LEVEL__COUNT && !rc; k++) {
        if (!total(&r->by_level[k]))
            continue;
        rc = dg_buf_printf(out, "%s{\"level\":\"%s\",", first ? "" : ",",
                           dg_level_name((enum dg_level)k));
        rc = rc ? rc : json_counts(out, &r->by_level[k]);
        rc = rc ? rc : dg_buf_addc(out, '}');
        first = false;
    }
    rc = rc ? rc : dg_buf_addstr(out, "],\"by_key\":[");
    first = true;
    for (int k = 0; k < DG_KEY__COUNT && !rc; k++) {
        if (!total(&r->by_key[k]))
            continue;
        rc =
            dg_buf_printf(out, "%s{\"key\":\"%s\",", first ? "" : ",", dg_key_name((enum dg_key)k));
        rc = rc ? rc : json_counts(out, &r->by_key[k]);
        rc = rc ? rc : dg_buf_addc(out, '}');
        first = false;
    }
    rc = rc ? rc : dg_buf_addstr(out, "],\"by_rule\":[");
    first = true;
    for (int i = 0; i <= r->nrules && !rc; i++) {
        if (!total(&r->by_rule[i]))
            continue;
        struct dg_policy_rule_info info;
        rc = dg_buf_addstr(out, first ? "{" : ",{");
        if (i < r->nrules && dg_policy_rule_info(draft, i, &info) == 0) {
            rc = rc ? rc
                    : dg_buf_printf(out, "\"index\":%d,\"line\":%d,\"action\":\"%s\",\"name\":", i,
                                    info.line, action_name(info.action));
            rc = rc ? rc : json_str(out, info.name);
        } else
            rc = rc ? rc
                    : dg_buf_addstr(out, "\"index\":-1,\"line\":0,\"action\":\"\",\"name\":\"\"");
        rc = rc ? rc : dg_buf_addc(out, ',');
        rc = rc ? rc : json_counts(out, &r->by_rule[i]);
        rc = rc ? rc : dg_buf_addc(out, '}');
        first = false;
    }
    rc = rc ? rc : dg_buf_addstr(out, "],\"by_before_rule\":[");
    for (int i = 0; i < r->nbefore && !rc; i++) {
        rc = dg_buf_addstr(out, i ? ",{\"name\":" : "{\"name\":");
        rc = rc ? rc : json_str(out, r->before_rule[i]);
        rc = rc ? rc : dg_buf_addc(out, ',');
        rc = rc ? rc : json_counts(out, &r->by_before_rule[i]);
        rc = rc ? rc : dg_buf_addc(out, '}');
    }
    rc = rc ? rc : dg_buf_addstr(out, "],\"top_agencies\":[");
    for (int i = 0; i < r->ntop && !rc; i++) {
        const struct dg_sim_agency *g = &r->top[i];
        rc = dg_buf_printf(out,
                           "%s{\"ori\":\"%s\",\"category\":\"%s\",\"level\":\"%s\","
                           "\"queries\":%llu,\"changed\":%llu,\"restricted\":%llu}",
                           i ? "," : "", g->ori, dg_category_name(g->category),
                           dg_level_name(g->level), (unsigned long long)g->queries,
                           (unsigned long long)g->changed, (unsigned long long)g->restricted);
    }
    return rc ? rc : dg_buf_addstr(out, "]}\n");
}
