/* SPDX-License-Identifier: MIT */
/*
 * eval.c - applicability and evaluation: which items apply to an
 * institution, what state each is in, scores per group and role, and which
 * gaps are overdue by the Japanese fiscal year.
 *
 * IMPLEMENTS: overdue rule of the checklist usage (いいえ needs a target
 * date within the fiscal year; items required since an earlier 年度 are
 * late once that 年度 has ended).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/assess.h"

const char *az_status_token(enum az_status s)
{
    static const char *t[] = {"satisfied", "gap", "unanswered", "na", "not-applicable", "gate"};
    return t[s];
}

const char *az_status_name(enum az_status s, enum az_lang lang)
{
    static const char *ja[] = {"対応済み", "未対応", "未回答", "対象外", "適用外", "前提"};
    static const char *en[] = {"satisfied", "gap", "unanswered", "n/a", "not applicable", "gate"};
    return lang == AZ_LANG_EN ? en[s] : ja[s];
}

const struct az_form *az_form_for_profile(const struct az_edition *ed, const struct az_profile *p)
{
    for (size_t i = 0; i < ed->nforms; i++)
        if (!ed->forms[i].vendor && (ed->forms[i].inst_types & p->type))
            return &ed->forms[i];
    return NULL;
}

const char *az_item_inapplicable(const struct az_item *it, unsigned conds)
{
    static const struct {
        enum az_cond c;
        const char *why;
    } all[] = {
        {AZ_COND_MEDICAL_SYSTEMS, "condition:medical-systems"},
        {AZ_COND_HAS_VENDOR, "condition:has-vendor"},
        {AZ_COND_REMOTE_MAINT, "condition:remote-maintenance"},
        {AZ_COND_ON_PREM, "condition:on-prem"},
        {AZ_COND_CLOUD, "condition:cloud"},
        {AZ_COND_OPS_STAFF, "condition:ops-staff"},
        {AZ_COND_NO_OPS_STAFF, "condition:no-ops-staff"},
        {AZ_COND_OUTSOURCED, "condition:outsourced-maintenance"},
        {AZ_COND_NOT_OUTSOURCED, "condition:not-outsourced-maintenance"},
    };

    if (it->gate)
        return NULL;
    if (it->edition->checklist && !(conds & AZ_COND_MEDICAL_SYSTEMS))
        return "gate";
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if ((it->conds & all[i].c) && !(conds & all[i].c))
            return all[i].why;
    return NULL;
}

int az_score_pct(const struct az_score *s)
{
    if (s->applicable <= 0)
        return -1;
    return (int)((s->satisfied * 100 + s->applicable / 2) / s->applicable);
}

void az_eval_free(struct az_eval *e)
{
    if (!e)
        return;
    free(e->results);
    free(e->group);
    free(e);
}

static void count(struct az_score *s, const struct az_item_result *r)
{
    switch (r->status) {
    case AZ_ST_SATISFIED:
        s->applicable++;
        s->satisfied++;
        break;
    case AZ_ST_GAP:
        s->applicable++;
        s->gaps++;
        break;
    case AZ_ST_UNANSWERED:
        s->applicable++;
        s->unanswered++;
        break;
    case AZ_ST_NA:
        s->na++;
        break;
    default:
        return;
    }
    if (r->overdue != AZ_OD_NONE)
        s->overdue++;
}

/* A requirement due at each system's renewal (2FA, guideline 7.0): from
 * the reference date, a system introduced on or after it must comply when
 * introduced; a system already running has until its next renewal on or
 * after the reference date (the profile's renewal date). When neither date
 * says, the item's due-by applies (else the reference date). The
 * institution's deadline is the earliest among its systems without the
 * measure (mfa not yes); a vendor form looks at its own system only. */
static bool renewal_deadline(const struct az_item *it, const struct az_profile *p,
                             const char *system, struct az_date *ret)
{
    struct az_date ref = it->due_at_renewal;
    struct az_date fallback = it->has_due_by ? it->due_by : ref;
    bool any = false;

    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        struct az_date d = fallback;
        if (system && strcmp(system, s->id) != 0)
            continue;
        if (s->mfa == 1)
            continue;
        if (s->has_introduced && az_date_cmp(s->introduced, ref) >= 0)
            d = s->introduced;
        else if (s->has_renewal && az_date_cmp(s->renewal, ref) >= 0)
            d = s->renewal;
        if (!any || az_date_cmp(d, *ret) < 0)
            *ret = d;
        any = true;
    }
    if (!any)
        *ret = fallback;
    return true;
}

int az_evaluate(struct az_ctx *ctx, const struct az_catalog *cat, const struct az_profile *p,
                const struct az_answers *answers, const struct az_edition *ed, struct az_date as_of,
                struct az_eval **ret)
{
    struct az_eval *e;
    const struct az_form *form;
    unsigned conds;
    const struct az_item *gate = NULL;

    if (answers && answers->edition != ed)
        return az_fail(ctx, AZ_EINVAL, "回答の版 %s と評価する版 %s が違います",
                       "answers are for edition %s, not %s", answers->edition->id, ed->id);
    form = answers ? answers->form : az_form_for_profile(ed, p);
    if (!form)
        return az_fail(ctx, AZ_ENOTFOUND, "版 %s には %s 向けの様式がありません",
                       "edition %s has no form for a %s", ed->id, az_inst_name(p->type, ctx->lang));
    if (!form->vendor && !(form->inst_types & p->type))
        return az_fail(ctx, AZ_EINVAL, "様式 %s (%s) は %s 向けではありません",
                       "form %s (%s) is not meant for a %s", form->id,
                       ctx->lang == AZ_LANG_EN ? form->title.en : form->title.ja,
                       az_inst_name(p->type, ctx->lang));
    e = calloc(1, sizeof(*e));
    if (!e || !(e->results = calloc(ed->nitems + 1, sizeof(*e->results))) ||
        !(e->group = calloc(ed->ngroups + 1, sizeof(*e->group)))) {
        az_eval_free(e);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    e->edition = ed;
    e->form = form;
    e->profile = p;
    e->system = answers ? answers->system : NULL;
    e->as_of = as_of;
    e->as_of_fy = az_fiscal_year(as_of);
    e->guideline = az_catalog_newest_guideline(cat);
    {
        const struct az_edition *n = az_catalog_newest_checklist(cat);
        e->newer = (n && n->fiscal_year > ed->fiscal_year) ? n : NULL;
    }

    conds = az_profile_conds(p);
    /* The gate: the profile says whether medical systems exist; an explicit
     * いいえ on the gate item closes it too. */
    for (size_t i = 0; i < ed->nitems; i++)
        if (ed->items[i]->form == form && ed->items[i]->gate)
            gate = ed->items[i];
    if (gate) {
        const struct az_answer *ga = az_answers_get(answers, gate);
        if (ga && ga->ans == AZ_ANS_NO && (p->medical_systems || p->nsystems))
            e->gate_conflict = true; /* the profile's word stands */
        else if (ga && ga->ans == AZ_ANS_NO)
            conds &= ~(unsigned)AZ_COND_MEDICAL_SYSTEMS;
        if (ga && ga->ans == AZ_ANS_YES && !p->medical_systems) {
            az_eval_free(e);
            return az_fail(ctx, AZ_EINVAL,
                           "%s: プロファイルは医療情報システムなしですが、回答は前提項目 %s に"
                           "「はい」と答えています",
                           "%s: the profile says no medical systems but the answers say yes to "
                           "the gate item %s",
                           p->file ? p->file : "profile", gate->label);
        }
    }
    e->gate_closed = !(conds & AZ_COND_MEDICAL_SYSTEMS);

    for (size_t i = 0; i < ed->nitems; i++) {
        const struct az_item *it = ed->items[i];
        struct az_item_result *r;
        const char *why;

        if (it->form != form)
            continue;
        r = &e->results[e->nresults++];
        r->item = it;
        r->answer = az_answers_get(answers, it);
        if (it->gate) {
            r->status = AZ_ST_GATE;
            continue;
        }
        why = az_item_inapplicable(it, conds);
        if (why) {
            if (r->answer && r->answer->ans != AZ_ANS_NA && !e->gate_closed) {
                az_fail(ctx, AZ_EINVAL,
                        "項目 %s (%s) はこの医療機関には適用されません (%s) が、回答があります。"
                        "回答を削除するか「対象外」にしてください",
                        "item %s (%s) does not apply to this institution (%s) but has an "
                        "answer; remove it or answer na",
                        it->id, it->label, why);
                az_eval_free(e);
                return AZ_EINVAL;
            }
            r->status = AZ_ST_NOT_APPLICABLE;
            r->na_reason = why;
            continue;
        }
        if (!r->answer || r->answer->ans == AZ_ANS_NONE ||
            (r->answer->stale && r->answer->ans != AZ_ANS_NO))
            r->status = AZ_ST_UNANSWERED; /* a はい/対象外 of an earlier FY: check again */
        else if (r->answer->ans == AZ_ANS_YES)
            r->status = AZ_ST_SATISFIED;
        else if (r->answer->ans == AZ_ANS_NO)
            r->status = AZ_ST_GAP;
        else
            r->status = AZ_ST_NA;

        /* Deadline: a per-system renewal rule (due-at-renewal) first, then
         * a fixed due-by; otherwise the end of the fiscal year from which
         * the item is required. */
        if (it->has_due_at_renewal) {
            r->has_deadline = renewal_deadline(it, p, e->system, &r->deadline);
        } else if (it->has_due_by) {
            r->deadline = it->due_by;
            r->has_deadline = true;
        } else if (it->required_from) {
            r->deadline = az_fy_end(it->required_from);
            r->has_deadline = true;
        }
        /* a stale はい/対象外 is to re-check, not a missed deadline */
        if ((r->status == AZ_ST_GAP || r->status == AZ_ST_UNANSWERED) &&
            !(r->answer && r->answer->stale && r->answer->ans != AZ_ANS_NO)) {
            if (r->has_deadline && az_date_cmp(as_of, r->deadline) > 0)
                r->overdue =
                    it->has_due_by || it->has_due_at_renewal ? AZ_OD_DUE_BY : AZ_OD_FISCAL_YEAR;
            else if (r->answer && r->answer->has_target && !r->answer->stale &&
                     az_date_cmp(as_of, r->answer->target) > 0)
                r->overdue = AZ_OD_TARGET;
        }
    }

    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        count(&e->total, r);
        for (int k = 0; k < AZ_NROLES; k++)
            if (r->item->roles & (1u << k))
                count(&e->role[k], r);
        for (size_t g = 0; g < ed->ngroups; g++)
            if (r->item->group == &ed->groups[g])
                count(&e->group[g], r);
    }
    if (e->gate_conflict)
        e->total.unanswered++; /* the gate's answer must be put right */
    *ret = e;
    return 0;
}

static const char *overdue_token(enum az_overdue o)
{
    static const char *t[] = {NULL, "fiscal-year", "due-by", "target"};
    return t[o];
}

static json_t *score_json(const struct az_score *s)
{
    int pct = az_score_pct(s);
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o}", "applicable", s->applicable,
                     "satisfied", s->satisfied, "gaps", s->gaps, "unanswered", s->unanswered, "na",
                     s->na, "overdue", s->overdue, "percent",
                     pct < 0 ? json_null() : json_integer(pct));
}

static json_t *date_json(bool has, struct az_date d)
{
    char b[16];
    if (!has)
        return json_null();
    az_date_iso(d, b, sizeof(b));
    return json_string(b);
}

json_t *az_eval_to_json(const struct az_eval *e)
{
    json_t *o = json_object(), *items = json_array(), *roles = json_object(),
           *groups = json_object(), *overdue = json_array(), *ed, *inst;
    const struct az_profile *p = e->profile;
    char fy[32];

    json_object_set_new(o, "schema", json_string(AZ_STATUS_SCHEMA));
    json_object_set_new(o, "anzen_version", json_string(AZ_VERSION));
    json_object_set_new(o, "as_of", date_json(true, e->as_of));
    az_fy_format(e->as_of_fy, AZ_LANG_JA, fy, sizeof(fy));
    json_object_set_new(o, "fiscal_year", json_pack("{s:i, s:s}", "year", e->as_of_fy, "ja", fy));
    ed = json_pack("{s:s, s:s, s:i, s:s, s:s}", "id", e->edition->id, "version",
                   e->edition->version, "fiscal_year", e->edition->fiscal_year, "form", e->form->id,
                   "form_title", e->form->title.ja);
    json_object_set_new(o, "edition", ed);
    json_object_set_new(o, "system", e->system ? json_string(e->system) : json_null());
    if (e->newer)
        json_object_set_new(o, "newer_edition",
                            json_pack("{s:s, s:s, s:s, s:b}", "id", e->newer->id, "version",
                                      e->newer->version, "status",
                                      az_ed_status_token(e->newer->status), "has_items",
                                      e->newer->nitems > 0));
    else
        json_object_set_new(o, "newer_edition", json_null());
    if (e->guideline)
        json_object_set_new(
            o, "guideline",
            json_pack("{s:s, s:s}", "id", e->guideline->id, "version", e->guideline->version));
    inst = json_pack("{s:s, s:s, s:b, s:b}", "name", p->name ? p->name : "", "type",
                     az_inst_token(p->type), "medical_systems", p->medical_systems, "ops_staff",
                     p->ops_staff);
    json_object_set_new(o, "institution", inst);
    json_object_set_new(o, "gate_closed", json_boolean(e->gate_closed));
    json_object_set_new(o, "gate_conflict", json_boolean(e->gate_conflict));
    json_object_set_new(o, "total", score_json(&e->total));
    for (int k = 0; k < AZ_NROLES; k++)
        json_object_set_new(roles, az_role_token((enum az_role)(1u << k)), score_json(&e->role[k]));
    json_object_set_new(o, "roles", roles);
    for (size_t g = 0; g < e->edition->ngroups; g++)
        json_object_set_new(groups, e->edition->groups[g].id, score_json(&e->group[g]));
    json_object_set_new(o, "groups", groups);
    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        const struct az_answer *a = r->answer;
        json_t *x = json_pack("{s:s, s:s, s:s, s:s}", "id", r->item->id, "label", r->item->label,
                              "title", r->item->title.ja, "status", az_status_token(r->status));
        json_object_set_new(
            x, "answer", a && a->ans ? json_string(az_ans_name(a->ans, AZ_LANG_EN)) : json_null());
        json_object_set_new(x, "checked",
                            date_json(a && a->has_checked, a ? a->checked : (struct az_date){0}));
        json_object_set_new(x, "target",
                            date_json(a && a->has_target, a ? a->target : (struct az_date){0}));
        json_object_set_new(x, "deadline", date_json(r->has_deadline, r->deadline));
        json_object_set_new(x, "overdue",
                            r->overdue ? json_string(overdue_token(r->overdue)) : json_null());
        json_object_set_new(x, "not_applicable_reason",
                            r->na_reason ? json_string(r->na_reason) : json_null());
        json_object_set_new(x, "carried_from",
                            a && a->carried_from ? json_string(a->carried_from->id) : json_null());
        json_object_set_new(x, "reconfirm", json_boolean(a && a->reconfirm));
        json_object_set_new(x, "stale", json_boolean(a && a->stale));
        json_object_set_new(x, "confidence", json_string(az_conf_token(r->item->confidence)));
        json_array_append_new(items, x);
        if (r->overdue)
            json_array_append_new(overdue, json_string(r->item->id));
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "overdue", overdue);
    return o;
}
