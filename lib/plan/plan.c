/* SPDX-License-Identifier: MIT */
/*
 * plan.c - build the remediation plan from an evaluation and the user's
 * decisions, in the documented priority order (plan.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/plan.h"
#include "anzen/util.h"

const char *az_plan_status_token(enum az_plan_status s)
{
    static const char *t[] = {"open", "in-progress", "done", "verified"};
    return t[s];
}

const char *az_plan_status_name(enum az_plan_status s, enum az_lang lang)
{
    static const char *ja[] = {"未着手", "対応中", "完了", "確認済み"};
    static const char *en[] = {"open", "in progress", "done", "verified"};
    return lang == AZ_LANG_EN ? en[s] : ja[s];
}

int az_plan_status_parse(const char *s)
{
    static const char *ja[] = {"未着手", "対応中", "完了", "確認済み"};
    for (int i = AZ_PLAN_OPEN; i <= AZ_PLAN_VERIFIED; i++)
        if (!strcmp(s, az_plan_status_token((enum az_plan_status)i)) || !strcmp(s, ja[i]))
            return i;
    return -1;
}

unsigned az_plan_owner_parse(const char *s)
{
    if (!strcmp(s, "vendor") || !strcmp(s, "事業者"))
        return AZ_ROLE_VENDOR;
    return az_role_parse(s);
}

/* The one distinct vendor among p's systems (on-premises ones only when
 * onprem), or NULL when none or several. */
static const char *sole_vendor(const struct az_profile *p, bool onprem)
{
    const char *v = NULL;

    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        if (!s->vendor || !*s->vendor || (onprem && s->cloud))
            continue;
        if (v && strcmp(v, s->vendor))
            return NULL;
        v = s->vendor;
    }
    return v;
}

unsigned az_plan_ops_substitute(const struct az_profile *p, const char **ret_vendor)
{
    const char *v;

    *ret_vendor = NULL;
    if (!p || p->ops_staff)
        return AZ_ROLE_OPERATIONS;
    if (!(v = sole_vendor(p, true)))
        v = sole_vendor(p, false);
    *ret_vendor = v;
    return v ? AZ_ROLE_VENDOR : AZ_ROLE_PLANNING;
}

/* Give the item's tracks that would default to operations to the
 * substitute, with the note that says so. false on ENOMEM. */
static bool substitute_owner(struct az_plan_item *pi, const struct az_profile *p,
                             const bool user_role[2])
{
    const char *v;
    unsigned sub = az_plan_ops_substitute(p, &v);
    bool changed = false;

    if (sub == AZ_ROLE_OPERATIONS)
        return true;
    for (int k = 0; k < 2; k++) {
        struct az_plan_track *t = &pi->track[k];
        if (user_role[k] || t->owner_role != AZ_ROLE_OPERATIONS)
            continue;
        t->owner_role = sub;
        if (v && (!t->owner || !*t->owner)) {
            char *n = strdup(v);
            if (!n)
                return false;
            free(t->owner);
            t->owner = n;
        }
        changed = true;
    }
    if (!changed)
        return true;
    if (v) {
        pi->owner_note_ja = az_fmt("運用担当者がいないため、事業者「%s」に割り当てました "
                                   "(保守契約で引き受けているか確かめてください)",
                                   v);
        pi->owner_note_en = az_fmt("no IT operations staff: assigned to the vendor %s (check "
                                   "that the maintenance contract covers it)",
                                   v);
    } else {
        pi->owner_note_ja = az_fmt("運用担当者がいないため、企画管理者に割り当てました "
                                   "(事業者に任せるときは --owner 事業者:名前)");
        pi->owner_note_en = az_fmt("no IT operations staff: assigned to the planning manager "
                                   "(to give it to a vendor: --owner vendor:NAME)");
    }
    return pi->owner_note_ja && pi->owner_note_en;
}

static void item_free(struct az_plan_item *pi)
{
    for (int k = 0; k < 2; k++)
        free(pi->track[k].owner);
    free(pi->override_reason);
    free(pi->owner_note_ja);
    free(pi->owner_note_en);
    free(pi->reason_ja);
    free(pi->reason_en);
}

void az_plan_free(struct az_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        item_free(&p->v[i]);
    free(p->v);
    free(p);
}

void az_plan_states_free(struct az_plan_state *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].item);
        free(v[i].reason);
        for (int k = 0; k < 2; k++)
            free(v[i].track[k].owner);
    }
    free(v);
}

/* Replace *dst by a copy of src (NULL stays NULL). false on ENOMEM. */
static bool set_str(char **dst, const char *src)
{
    char *c = src ? strdup(src) : NULL;
    if (src && !c)
        return false;
    free(*dst);
    *dst = c;
    return true;
}

int az_plan_state_apply(struct az_plan_state *ps, const struct az_plan_patch *patch)
{
    for (int k = 0; k < 2; k++) {
        struct az_plan_track_state *t = &ps->track[k];
        if (patch->track >= 0 && k != patch->track)
            continue;
        if (patch->status >= 0)
            t->status = patch->status;
        if (patch->owner_role)
            t->owner_role = patch->owner_role;
        if ((patch->owner_role || patch->owner) &&
            !set_str(&t->owner, patch->owner ? patch->owner : ""))
            return AZ_ENOMEM;
        if (patch->has_due) {
            t->due = patch->due;
            t->has_due = true;
        }
    }
    if (patch->priority >= 0) {
        ps->priority = patch->priority;
        if (!set_str(&ps->reason, patch->priority ? patch->reason : NULL))
            return AZ_ENOMEM;
    }
    return 0;
}

static bool has_tag(const struct az_item *it, const char *const *tags)
{
    for (size_t i = 0; i < it->ntags; i++)
        for (size_t k = 0; tags[k]; k++)
            if (!strcmp(it->tags[i], tags[k]))
                return true;
    return false;
}

/* The default owner: operations if the item names it, else planning, else
 * management. */
static unsigned default_role(const struct az_item *it)
{
    if (it->roles & AZ_ROLE_OPERATIONS)
        return AZ_ROLE_OPERATIONS;
    if (it->roles & AZ_ROLE_PLANNING)
        return AZ_ROLE_PLANNING;
    return AZ_ROLE_MANAGEMENT;
}

static const struct az_plan_state *find_state(const struct az_plan_state *st, size_t n,
                                              const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (st[i].item && !strcmp(st[i].item, id))
            return &st[i];
    return NULL;
}

static int cmp_items(const void *pa, const void *pb)
{
    const struct az_plan_item *a = pa, *b = pb;
    int c;
    bool ad = a->track[AZ_TRACK_PERMANENT].status >= AZ_PLAN_DONE;
    bool bd = b->track[AZ_TRACK_PERMANENT].status >= AZ_PLAN_DONE;

    if (a->tier != b->tier)
        return a->tier - b->tier;
    if (a->tier == 0 && a->priority != b->priority)
        return a->priority - b->priority;
    if (ad != bd)
        return ad ? 1 : -1;
    c = az_date_cmp(a->sort_date, b->sort_date);
    if (c)
        return c;
    return a->result->item->order - b->result->item->order;
}

int az_plan_build(struct az_ctx *ctx, const struct az_eval *e, const struct az_plan_state *states,
                  size_t nstates, struct az_plan **ret)
{
    static const char *const hot[] = {"ransomware", "remote-access", "patch", "backup", NULL};
    static const struct az_date far = {9999, 12, 31};
    struct az_plan *p = calloc(1, sizeof(*p));

    if (!p || !(p->v = calloc(e->nresults + 1, sizeof(*p->v)))) {
        az_plan_free(p);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    p->eval = e;
    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        const struct az_item *it = r->item;
        const struct az_plan_state *s;
        struct az_plan_item *pi;
        struct az_date target;
        char d[16];

        if (r->status == AZ_ST_UNANSWERED)
            p->unanswered++;
        if (r->status != AZ_ST_GAP)
            continue;
        pi = &p->v[p->n++];
        pi->result = r;
        s = find_state(states, nstates, it->id);
        target = r->answer && r->answer->has_target ? r->answer->target : az_fy_end(e->as_of_fy);
        /* defaults: interim within 30 days (or by the target if sooner),
         * permanent by the answer's target date */
        pi->track[AZ_TRACK_INTERIM].due = az_date_add_days(e->as_of, 30);
        if (az_date_cmp(target, pi->track[AZ_TRACK_INTERIM].due) < 0 &&
            az_date_cmp(target, e->as_of) >= 0)
            pi->track[AZ_TRACK_INTERIM].due = target;
        pi->track[AZ_TRACK_PERMANENT].due =
            az_date_cmp(target, e->as_of) >= 0 ? target : az_fy_end(e->as_of_fy);
        pi->track[AZ_TRACK_INTERIM].text = it->interim;
        pi->track[AZ_TRACK_PERMANENT].text = it->permanent;
        for (int k = 0; k < 2; k++) {
            struct az_plan_track *t = &pi->track[k];
            t->status = AZ_PLAN_OPEN;
            t->owner_role = default_role(it);
            if (s && s->track[k].status >= 0)
                t->status = (enum az_plan_status)s->track[k].status;
            if (s && s->track[k].owner_role)
                t->owner_role = s->track[k].owner_role;
            if (s && s->track[k].has_due)
                t->due = s->track[k].due;
            t->owner = strdup(s && s->track[k].owner ? s->track[k].owner : "");
            if (!t->owner)
                goto enomem;
        }
        {
            bool user_role[2] = {s && s->track[0].owner_role, s && s->track[1].owner_role};
            if (!substitute_owner(pi, e->profile, user_role))
                goto enomem;
        }
        if (s && s->priority > 0) {
            pi->tier = 0;
            pi->priority = s->priority;
            pi->override_reason = strdup(s->reason ? s->reason : "");
            pi->sort_date = far;
            pi->reason_ja = az_fmt("優先度 %d に変更: %s", s->priority, s->reason ? s->reason : "");
            pi->reason_en =
                az_fmt("moved to priority %d: %s", s->priority, s->reason ? s->reason : "");
        } else if (r->overdue != AZ_OD_NONE) {
            char fy[32];
            pi->tier = 1;
            pi->sort_date = r->overdue == AZ_OD_TARGET ? r->answer->target : r->deadline;
            az_date_iso(pi->sort_date, d, sizeof(d));
            if (r->overdue == AZ_OD_FISCAL_YEAR) {
                az_fy_format(it->required_from, AZ_LANG_JA, fy, sizeof(fy));
                pi->reason_ja = az_fmt("期限超過: %sから必須 (期限 %s)", fy, d);
                az_fy_format(it->required_from, AZ_LANG_EN, fy, sizeof(fy));
                pi->reason_en = az_fmt("overdue: required since %s (deadline %s)", fy, d);
            } else {
                pi->reason_ja = az_fmt("期限超過: 期限 %s を過ぎています", d);
                pi->reason_en = az_fmt("overdue: deadline %s passed", d);
            }
        } else if (has_tag(it, hot)) {
            pi->tier = 2;
            pi->sort_date = r->answer && r->answer->has_target ? r->answer->target : far;
            pi->reason_ja = az_fmt(
                "ランサムウェア・リモート接続に関わる (VPN、リモート保守、パッチ、バックアップ)");
            pi->reason_en =
                az_fmt("ransomware / remote access (VPN, remote maintenance, patches, backups)");
        } else {
            pi->tier = 3;
            pi->sort_date = r->answer && r->answer->has_target ? r->answer->target : far;
            az_date_iso(pi->sort_date, d, sizeof(d));
            pi->reason_ja = az_fmt("目標日順 (%s)", pi->sort_date.y == 9999 ? "目標日なし" : d);
            pi->reason_en = az_fmt("by target date (%s)", pi->sort_date.y == 9999 ? "none" : d);
        }
        if (!pi->reason_ja || !pi->reason_en || (s && s->priority > 0 && !pi->override_reason))
            goto enomem;
        pi->base_ja = strlen(pi->reason_ja);
        pi->base_en = strlen(pi->reason_en);
    }
    qsort(p->v, p->n, sizeof(*p->v), cmp_items);
    *ret = p;
    return 0;
enomem:
    az_plan_free(p);
    return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
}

static json_t *track_json(const struct az_plan_track *t)
{
    char d[16];

    az_date_iso(t->due, d, sizeof(d));
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "status", az_plan_status_token(t->status),
                     "owner_role", az_role_token((enum az_role)t->owner_role), "owner",
                     t->owner ? t->owner : "", "due", d, "suggestion",
                     t->text.ja ? json_pack("{s:s, s:s}", "ja", t->text.ja, "en", t->text.en)
                                : json_null());
}

/* Append " / src: msg" to *reason (keeping *base, the length before the
 * "ほか N 件" count, up to date), or count it once AZ_PLAN_SHOWN are written
 * out. false on ENOMEM. */
static bool append_reason(char **reason, size_t *base, size_t shown, size_t hidden, const char *src,
                          const char *msg, bool ja)
{
    char *n;

    if (shown < AZ_PLAN_SHOWN) {
        if (strstr(*reason, msg))
            return true; /* the same message again */
        n = az_fmt("%.*s / %s: %s", (int)*base, *reason, src, msg);
        if (!n)
            return false;
        free(*reason);
        *reason = n;
        *base = strlen(n);
        return true;
    }
    /* shortened for people: the count, then "…" (the findings themselves
     * are in the ledger check and the workspace evidence) */
    n = ja ? az_fmt("%.*s / ほか %zu 件…", (int)*base, *reason, hidden)
           : az_fmt("%.*s / and %zu more…", (int)*base, *reason, hidden);
    if (!n)
        return false;
    free(*reason);
    *reason = n;
    return true;
}

/* Attach one gap to the result r of the plan's evaluation. */
static int attach(struct az_ctx *ctx, struct az_plan *p, const struct az_item_result *r,
                  const char *src_ja, const char *src_en, const char *ja, const char *en)
{
    const struct az_eval *e = p->eval;
    struct az_plan_item *pi = NULL;
    size_t shown;

    if (r->status == AZ_ST_GATE || r->status == AZ_ST_NOT_APPLICABLE)
        return 0; /* nothing in this form to attach it to */
    for (size_t i = 0; i < p->n && !pi; i++)
        if (p->v[i].result == r)
            pi = &p->v[i];
    if (pi) {
        shown = pi->nfindings < AZ_PLAN_SHOWN ? pi->nfindings : AZ_PLAN_SHOWN;
        if (!append_reason(&pi->reason_ja, &pi->base_ja, shown, pi->nfindings + 1 - shown, src_ja,
                           ja, true) ||
            !append_reason(&pi->reason_en, &pi->base_en, shown, pi->nfindings + 1 - shown, src_en,
                           en, false))
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        pi->nfindings++;
        return 0;
    }
    if (p->n >= e->nresults)
        return az_fail(ctx, AZ_EINVAL, "計画の項目が多すぎます", "too many plan items");
    /* the answer says はい (or nothing) but the check shows a gap */
    pi = &p->v[p->n];
    memset(pi, 0, sizeof(*pi));
    pi->result = r;
    for (int k = 0; k < 2; k++) {
        pi->track[k].status = AZ_PLAN_OPEN;
        pi->track[k].owner_role = default_role(r->item);
        pi->track[k].owner = strdup("");
        pi->track[k].text = k == AZ_TRACK_INTERIM ? r->item->interim : r->item->permanent;
    }
    pi->track[AZ_TRACK_INTERIM].due = az_date_add_days(e->as_of, 30);
    pi->track[AZ_TRACK_PERMANENT].due = az_fy_end(e->as_of_fy);
    pi->tier = 1;
    pi->sort_date = e->as_of;
    {
        static const bool none[2] = {false, false};
        if (!substitute_owner(pi, e->profile, none)) {
            item_free(pi);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
    }
    pi->reason_ja = az_fmt("%sの点検で指摘 (回答は「%s」)", src_ja,
                           az_ans_name(r->answer ? r->answer->ans : AZ_ANS_NONE, AZ_LANG_JA));
    pi->reason_en = az_fmt("found by the %s check (answered %s)", src_en,
                           az_ans_name(r->answer ? r->answer->ans : AZ_ANS_NONE, AZ_LANG_EN));
    if (!pi->reason_ja || !pi->reason_en || !pi->track[0].owner || !pi->track[1].owner) {
        item_free(pi);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    pi->base_ja = strlen(pi->reason_ja);
    pi->base_en = strlen(pi->reason_en);
    if (!append_reason(&pi->reason_ja, &pi->base_ja, 0, 0, "", ja, true) ||
        !append_reason(&pi->reason_en, &pi->base_en, 0, 0, "", en, false)) {
        item_free(pi);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    /* "…(回答は「はい」) / : msg" reads better as "…(回答は「はい」): msg" */
    for (char **rs = &pi->reason_ja; rs; rs = rs == &pi->reason_ja ? &pi->reason_en : NULL) {
        char *sep = strstr(*rs, " / : ");
        if (sep)
            memmove(sep, sep + 3, strlen(sep + 3) + 1);
    }
    pi->base_ja = strlen(pi->reason_ja);
    pi->base_en = strlen(pi->reason_en);
    pi->nfindings = 1;
    p->n++;
    qsort(p->v, p->n, sizeof(*p->v), cmp_items);
    return 0;
}

int az_plan_add_finding(struct az_ctx *ctx, struct az_plan *p, const struct az_catalog *cat,
                        const char *src_ja, const char *src_en, const struct az_finding *f)
{
    const struct az_eval *e = p->eval;

    if (f->level != AZ_LEVEL_GAP)
        return 0;
    for (size_t t = 0; t < f->ntopics; t++) {
        const struct az_item *items[16];
        size_t n = az_topic_items(cat, e->edition, e->form->id, f->topics[t], items, 16);
        for (size_t k = 0; k < n; k++) {
            const struct az_item_result *r = NULL;
            int rc;
            for (size_t i = 0; i < e->nresults && !r; i++)
                if (e->results[i].item == items[k])
                    r = &e->results[i];
            if (r && (rc = attach(ctx, p, r, src_ja, src_en, f->ja, f->en)) < 0)
                return rc;
        }
    }
    return 0;
}

int az_plan_add_findings(struct az_ctx *ctx, struct az_plan *p, const struct az_catalog *cat,
                         const char *src_ja, const char *src_en, const json_t *findings)
{
    size_t i;
    const json_t *o;

    json_array_foreach(findings, i, o)
    {
        const char *topics[16];
        struct az_finding f;
        int r;
        if (az_finding_read(o, &f, topics, 16) < 0)
            continue;
        if ((r = az_plan_add_finding(ctx, p, cat, src_ja, src_en, &f)) < 0)
            return r;
    }
    return 0;
}

json_t *az_plan_to_json(const struct az_plan *p)
{
    json_t *o = json_object(), *items = json_array();

    json_object_set_new(o, "schema", json_string("anzen-plan/1"));
    json_object_set_new(o, "edition", json_string(p->eval->edition->id));
    json_object_set_new(o, "form", json_string(p->eval->form->id));
    json_object_set_new(o, "unanswered", json_integer(p->unanswered));
    for (size_t i = 0; i < p->n; i++) {
        const struct az_plan_item *pi = &p->v[i];
        json_t *x =
            json_pack("{s:i, s:s, s:s, s:s, s:i, s:{s:s, s:s}, s:o, s:o}", "rank", (int)i + 1, "id",
                      pi->result->item->id, "label", pi->result->item->label, "title",
                      pi->result->item->title.ja, "tier", pi->tier, "reason", "ja", pi->reason_ja,
                      "en", pi->reason_en, "interim", track_json(&pi->track[AZ_TRACK_INTERIM]),
                      "permanent", track_json(&pi->track[AZ_TRACK_PERMANENT]));
        if (x && pi->owner_note_ja)
            json_object_set_new(
                x, "owner_note",
                json_pack("{s:s, s:s}", "ja", pi->owner_note_ja, "en", pi->owner_note_en));
        json_array_append_new(items, x);
    }
    json_object_set_new(o, "items", items);
    return o;
}
