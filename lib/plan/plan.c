/* SPDX-License-Identifier: MIT */
/*
 * plan.c - build the remediation plan from an evaluation and the user's
 * decisions, in the documented priority order (plan.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/plan.h"

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

void az_plan_free(struct az_plan *p)
{
    if (!p)
        return;
    free(p->v);
    free(p);
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
        if (!strcmp(st[i].item, id))
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
            t->owner = "";
            if (!s)
                continue;
            if (s->track[k].status >= 0)
                t->status = (enum az_plan_status)s->track[k].status;
            if (s->track[k].owner_role)
                t->owner_role = s->track[k].owner_role;
            t->owner = s->track[k].owner;
            if (s->track[k].has_due)
                t->due = s->track[k].due;
        }
        if (s && s->priority > 0) {
            pi->tier = 0;
            pi->priority = s->priority;
            pi->override_reason = s->reason;
            pi->sort_date = far;
            snprintf(pi->reason_ja, sizeof(pi->reason_ja), "優先度 %d に変更: %s", s->priority,
                     s->reason);
            snprintf(pi->reason_en, sizeof(pi->reason_en), "moved to priority %d: %s", s->priority,
                     s->reason);
        } else if (r->overdue != AZ_OD_NONE) {
            char fy[32];
            pi->tier = 1;
            pi->sort_date = r->overdue == AZ_OD_TARGET ? r->answer->target : r->deadline;
            az_date_iso(pi->sort_date, d, sizeof(d));
            if (r->overdue == AZ_OD_FISCAL_YEAR) {
                az_fy_format(it->required_from, AZ_LANG_JA, fy, sizeof(fy));
                snprintf(pi->reason_ja, sizeof(pi->reason_ja), "期限超過: %sから必須 (期限 %s)", fy,
                         d);
                az_fy_format(it->required_from, AZ_LANG_EN, fy, sizeof(fy));
                snprintf(pi->reason_en, sizeof(pi->reason_en),
                         "overdue: required since %s (deadline %s)", fy, d);
            } else {
                snprintf(pi->reason_ja, sizeof(pi->reason_ja), "期限超過: 期限 %s を過ぎています",
                         d);
                snprintf(pi->reason_en, sizeof(pi->reason_en), "overdue: deadline %s passed", d);
            }
        } else if (has_tag(it, hot)) {
            pi->tier = 2;
            pi->sort_date = r->answer && r->answer->has_target ? r->answer->target : far;
            snprintf(
                pi->reason_ja, sizeof(pi->reason_ja),
                "ランサムウェア・リモート接続に関わる (VPN、リモート保守、パッチ、バックアップ)");
            snprintf(pi->reason_en, sizeof(pi->reason_en),
                     "ransomware / remote access (VPN, remote maintenance, patches, backups)");
        } else {
            pi->tier = 3;
            pi->sort_date = r->answer && r->answer->has_target ? r->answer->target : far;
            az_date_iso(pi->sort_date, d, sizeof(d));
            snprintf(pi->reason_ja, sizeof(pi->reason_ja), "目標日順 (%s)",
                     pi->sort_date.y == 9999 ? "目標日なし" : d);
            snprintf(pi->reason_en, sizeof(pi->reason_en), "by target date (%s)",
                     pi->sort_date.y == 9999 ? "none" : d);
        }
    }
    qsort(p->v, p->n, sizeof(*p->v), cmp_items);
    *ret = p;
    return 0;
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

/* The item's topic: the part of its id after "<edition>.<form>.", so a
 * finding about cl-r7.h.patches also reaches cl-r7.p.patches. */
static const char *topic_of(const char *id)
{
    const char *a = strchr(id, '.');
    const char *b = a ? strchr(a + 1, '.') : NULL;
    return b ? b + 1 : id;
}

int az_plan_add_finding(struct az_ctx *ctx, struct az_plan *p, const char *item_id, const char *ja,
                        const char *en)
{
    return az_plan_add_finding_from(ctx, p, "台帳", "ledger", item_id, ja, en);
}

int az_plan_add_finding_from(struct az_ctx *ctx, struct az_plan *p, const char *src_ja,
                             const char *src_en, const char *item_id, const char *ja,
                             const char *en)
{
    const struct az_eval *e = p->eval;
    const struct az_item_result *r = NULL;
    struct az_plan_item *pi = NULL;

    for (size_t i = 0; i < e->nresults; i++)
        if (!strcmp(topic_of(e->results[i].item->id), topic_of(item_id)))
            r = &e->results[i];
    if (!r || r->status == AZ_ST_GATE || r->status == AZ_ST_NOT_APPLICABLE)
        return 0; /* nothing in this form to attach it to */
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].result == r)
            pi = &p->v[i];
    if (pi) {
        size_t lj = strlen(pi->reason_ja), le = strlen(pi->reason_en);
        if (!strstr(pi->reason_ja, ja))
            snprintf(pi->reason_ja + lj, sizeof(pi->reason_ja) - lj, " / %s: %s", src_ja, ja);
        if (!strstr(pi->reason_en, en))
            snprintf(pi->reason_en + le, sizeof(pi->reason_en) - le, " / %s: %s", src_en, en);
        return 0;
    }
    if (p->n >= e->nresults)
        return az_fail(ctx, AZ_EINVAL, "計画の項目が多すぎます", "too many plan items");
    /* the answer says はい (or nothing) but the ledger shows a gap */
    pi = &p->v[p->n++];
    memset(pi, 0, sizeof(*pi));
    pi->result = r;
    for (int k = 0; k < 2; k++) {
        pi->track[k].status = AZ_PLAN_OPEN;
        pi->track[k].owner_role = default_role(r->item);
        pi->track[k].owner = "";
        pi->track[k].text = k == AZ_TRACK_INTERIM ? r->item->interim : r->item->permanent;
    }
    pi->track[AZ_TRACK_INTERIM].due = az_date_add_days(e->as_of, 30);
    pi->track[AZ_TRACK_PERMANENT].due = az_fy_end(e->as_of_fy);
    pi->tier = 1;
    pi->sort_date = e->as_of;
    snprintf(pi->reason_ja, sizeof(pi->reason_ja), "%sの点検で指摘 (回答は「%s」): %s", src_ja,
             az_ans_name(r->answer ? r->answer->ans : AZ_ANS_NONE, AZ_LANG_JA), ja);
    snprintf(pi->reason_en, sizeof(pi->reason_en), "found by the %s check (answered %s): %s",
             src_en, az_ans_name(r->answer ? r->answer->ans : AZ_ANS_NONE, AZ_LANG_EN), en);
    qsort(p->v, p->n, sizeof(*p->v), cmp_items);
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
        json_array_append_new(
            items,
            json_pack("{s:i, s:s, s:s, s:s, s:i, s:{s:s, s:s}, s:o, s:o}", "rank", (int)i + 1, "id",
                      pi->result->item->id, "label", pi->result->item->label, "title",
                      pi->result->item->title.ja, "tier", pi->tier, "reason", "ja", pi->reason_ja,
                      "en", pi->reason_en, "interim", track_json(&pi->track[AZ_TRACK_INTERIM]),
                      "permanent", track_json(&pi->track[AZ_TRACK_PERMANENT])));
    }
    json_object_set_new(o, "items", items);
    return o;
}
