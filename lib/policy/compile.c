/*
 * compile.c - the policy compiler's front door and the compiled policy's
 * accessors.
 *
 * dg_policy_compile() runs the passes in order (parse.c, then check.c), keeps
 * the policy only if no pass reported an error, and finishes the compiled
 * form: the rules split into the deciding ones (checked in order until one
 * decides) and the modifiers (redact / notify, all checked), and the state-code
 * table that turns "CO" into its index without a search.
 */
#include "policy_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void dg_policy_free(struct dg_policy *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nrules; i++) {
        dg_free(p->rules[i].label);
        dg_free(p->rules[i].reason);
        dg_free(p->rules[i].cond_text);
    }
    for (int i = 0; i < p->nlists; i++)
        dg__orilist_release(&p->lists[i]);
    dg_free(p->rules);
    dg_free(p->lists);
    dg_free(p->deciding);
    dg_free(p->modifiers);
    dg_free(p->nodes);
    dg_free(p->kids);
    dg_free(p->keys);
    dg_free(p->text);
    dg_free(p->filename);
    dg_free(p->name);
    dg_free(p);
}

static int finish(struct dg_policy *p)
{
    p->deciding = dg_calloc((size_t)p->nrules + 1, sizeof(int));
    p->modifiers = dg_calloc((size_t)p->nrules + 1, sizeof(int));
    if (!p->deciding || !p->modifiers)
        return DG_ENOMEM;
    for (int n = 0; n < p->nnodes; n++)
        if (p->nodes[n].op != PN_AND && p->nodes[n].op != PN_OR && p->nodes[n].op != PN_NOT)
            p->uses |= 1u << p->nodes[n].attr;
    for (int i = 0; i < p->nrules; i++) {
        struct dg__rule *r = &p->rules[i];
        r->cond_text = dg_strndup(p->text + r->cond_off, r->cond < 0 ? 0 : r->cond_len);
        if (!r->cond_text)
            return DG_ENOMEM;
        if (r->action == DG_POLICY_ACT_REDACT || r->action == DG_POLICY_ACT_NOTIFY) {
            p->modifiers[p->nmodifiers++] = i;
            p->record_modifiers = p->record_modifiers || r->uses_record;
        } else {
            p->deciding[p->ndeciding++] = i;
        }
    }
    return 0;
}

int dg_policy_compile(const char *text, size_t len, const struct dg_policy_options *opt,
                      struct dg_policy **out, struct dg_policy_diags *diags, struct dg_error *err)
{
    struct dg_policy_diags local;
    dg_policy_diags_init(&local);
    struct dg__compile c = {
        .opt = opt,
        .filename = opt && opt->filename ? opt->filename : "<policy>",
        .diags = diags ? diags : &local,
    };
    int rc = 0;
    if (len > DG_POLICY_MAX_TEXT) {
        rc = dg_error_set(err, DG_ETOOBIG, NULL, -1, "policy '%s' is larger than %u bytes",
                          c.filename, DG_POLICY_MAX_TEXT);
        dg__diag_add(c.diags, DG_POLICY_ERROR, c.filename, NULL, 0, 0, 0, "%s",
                     "policy is larger than the limit (1 MiB)");
        goto done;
    }
    struct dg_policy *p = dg_calloc(1, sizeof(*p));
    if (!p || !(p->text = dg_malloc(len + 1)) || !(p->filename = dg_strdup(c.filename))) {
        dg_policy_free(p);
        rc = dg_error_set(err, DG_ENOMEM, NULL, -1, NULL);
        goto done;
    }
    memcpy(p->text, text, len);
    p->text[len] = '\0';
    p->len = len;
    memset(p->state_ix, DG__STATE_UNKNOWN, sizeof(p->state_ix));
    for (int i = 0; i < DG_STATE_COUNT; i++) {
        const char *s = dg_state_code(i);
        p->state_ix[(s[0] - 'A') * 26 + (s[1] - 'A')] = (uint8_t)i;
    }
    c.pol = p;
    rc = dg__parse(&c);
    if (rc == 0 && c.errors == 0)
        rc = dg__check(&c);
    if (rc == 0 && c.errors == 0)
        rc = finish(p);
    if (rc == 0 && c.errors > 0) {
        /* Report the first error in err too. */
        const struct dg_policy_diag *g = NULL;
        for (size_t i = 0; i < c.diags->n && !g; i++)
            if (c.diags->v[i].severity == DG_POLICY_ERROR)
                g = &c.diags->v[i];
        rc = DG_EPOLICY;
        if (err) {
            dg_error_setpos(err, rc, g ? g->line : -1, g ? g->col : -1, "%s: %s",
                            g ? g->file : c.filename, g ? g->msg : "policy has errors");
        }
    } else if (rc) {
        dg_error_set(err, rc, NULL, -1, NULL);
    }
    if (rc) {
        dg_policy_free(p);
        goto done;
    }
    *out = p;
done:
    dg_policy_diags_release(&local);
    return rc;
}

int dg_policy_load(const char *path, struct dg_policy **out, struct dg_policy_diags *diags,
                   struct dg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_set(err, errno == ENOENT ? DG_ENOENT : DG_EIO, NULL, -1,
                            "cannot open policy '%s': %s", path, strerror(errno));
    struct dg_buf b;
    dg_buf_init(&b, DG_POLICY_MAX_TEXT);
    int rc = 0;
    char chunk[8192];
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = dg_buf_add(&b, chunk, n);
    if (rc == 0 && ferror(f))
        rc = DG_EIO;
    fclose(f);
    if (rc) {
        dg_buf_release(&b);
        if (rc == DG_ETOOBIG)
            return dg_error_set(err, rc, NULL, -1, "policy '%s' is larger than %u bytes", path,
                                DG_POLICY_MAX_TEXT);
        return dg_error_set(err, rc, NULL, -1, "cannot read policy '%s'", path);
    }
    /* List files are relative to the policy's folder. */
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    struct dg_policy_options opt = {.filename = path, .base_dir = dir};
    rc = dg_policy_compile(b.data ? b.data : "", b.len, &opt, out, diags, err);
    dg_buf_release(&b);
    return rc;
}

/* ---- accessors ------------------------------------------------------------------ */

const char *dg_policy_name(const struct dg_policy *p)
{
    return p->name ? p->name : "";
}

const char *dg_policy_state(const struct dg_policy *p)
{
    return p->state;
}

int dg_policy_rule_count(const struct dg_policy *p)
{
    return p->nrules;
}

int dg_policy_rule_info(const struct dg_policy *p, int i, struct dg_policy_rule_info *info)
{
    if (i < 0 || i >= p->nrules)
        return DG_EINVAL;
    const struct dg__rule *r = &p->rules[i];
    memset(info, 0, sizeof(*info));
    info->action = r->action;
    info->is_default = r->is_default;
    info->line = r->line;
    info->name = r->name;
    info->reason = r->reason ? r->reason : "";
    info->redact = r->redact;
    info->notify = r->notify;
    info->uses_record = r->uses_record;
    info->condition = r->cond_text ? r->cond_text : "";
    info->deadline_s = r->action == DG_POLICY_ACT_REVIEW ? r->deadline_s : 0;
    info->expiry = r->expiry;
    info->two_person = r->two_person;
    return 0;
}

int dg_policy_rule_find(const struct dg_policy *p, const char *name)
{
    for (int i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].name, name) == 0 || strcmp(p->rules[i].line_name, name) == 0)
            return i;
    return DG_ENOENT;
}

int dg_policy_fields_format(uint32_t mask, struct dg_buf *out)
{
    if (!mask)
        return dg_buf_addstr(out, "none");
    int rc = 0;
    bool first = true;
    for (int b = 0; b < 32 && rc == 0; b++) {
        const char *nm = mask & (1u << b) ? dg_field_name(1u << b) : NULL;
        if (nm) {
            rc = dg_buf_printf(out, "%s%s", first ? "" : ",", nm);
            first = false;
        }
    }
    return rc;
}

static int duration_format(uint32_t s, struct dg_buf *out)
{
    if (s % 86400 == 0 && s >= 7 * 86400)
        return dg_buf_printf(out, "%ud", s / 86400);
    if (s % 3600 == 0)
        return dg_buf_printf(out, "%uh", s / 3600);
    return dg_buf_printf(out, "%um", s / 60);
}

int dg_policy_decision_format(const struct dg_policy_decision *d, struct dg_buf *out)
{
    int rc = dg_buf_addstr(out, dg_policy_outcome_name(d->outcome));
    if (d->outcome == DG_POLICY_UNDECIDED)
        return rc ? rc
                  : dg_buf_addstr(out, ": depends on the record; decide again after the lookup");
    if (rc == 0)
        rc = dg_buf_printf(out, " by rule '%s' (line %d)", d->rule_name, d->line);
    if (rc == 0 && *d->reason)
        rc = dg_buf_printf(out, ": %s", d->reason);
    if (rc == 0 && d->outcome == DG_POLICY_REVIEW) {
        rc = dg_buf_addstr(out, "; within ");
        if (rc == 0)
            rc = duration_format(d->deadline_s, out);
        if (rc == 0)
            rc = dg_buf_addstr(out, d->expiry == DG_POLICY_EXPIRE_ESCALATE ? " then escalate"
                                                                           : " then deny");
        if (rc == 0 && d->two_person)
            rc = dg_buf_addstr(out, ", by two reviewers");
    }
    if (rc == 0 && d->redact) {
        rc = dg_buf_addstr(out, "; redact ");
        if (rc == 0)
            rc = dg_policy_fields_format(d->redact, out);
    }
    if (rc == 0 && d->notify)
        rc = dg_buf_addstr(out, "; notify subject");
    if (rc == 0 && d->needs_record)
        rc = dg_buf_addstr(out, "; needs the record");
    return rc;
}
