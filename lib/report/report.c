/* SPDX-License-Identifier: MIT */
/*
 * report.c - the report model (anzen-report/1, docs/report-json.md)
 * assembled from the evaluation, the plan, the key points, the ledger and
 * vendor checks; and its Markdown form. The HTML form is in html.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/keypoints.h"
#include "anzen/report.h"
#include "anzen/util.h"

#define EN(l) ((l) == AZ_LANG_EN)

static const char *tr(enum az_lang l, struct az_text t)
{
    if (EN(l) && t.en)
        return t.en;
    return t.ja ? t.ja : "";
}

static const char *lj(enum az_lang l, const char *ja, const char *en)
{
    return EN(l) ? en : ja;
}

/* A value from a {ja, en} object of the other modules' JSON. */
static const char *jtext(const json_t *o, enum az_lang l)
{
    const char *s = json_string_value(json_object_get(o, EN(l) ? "en" : "ja"));
    return s ? s : "";
}

static json_t *jdate(bool has, struct az_date d)
{
    char b[16];

    if (!has)
        return json_null();
    az_date_iso(d, b, sizeof(b));
    return json_string(b);
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *score_json(const struct az_score *s)
{
    int pct = az_score_pct(s);

    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o}", "applicable", s->applicable,
                     "satisfied", s->satisfied, "gaps", s->gaps, "unanswered", s->unanswered, "na",
                     s->na, "overdue", s->overdue, "percent",
                     pct < 0 ? json_null() : json_integer(pct));
}

/* Why an open item is late or when it is due (the words of `status`). */
static void why(const struct az_item_result *r, enum az_lang l, char *buf, size_t n)
{
    char d[16], fy[32];
    const struct az_answer *a = r->answer;

    buf[0] = '\0';
    if (r->overdue == AZ_OD_FISCAL_YEAR) {
        az_fy_format(r->item->required_from, l, fy, sizeof(fy));
        az_date_iso(r->deadline, d, sizeof(d));
        snprintf(buf, n, lj(l, "%sから必須 (期限 %s)", "required since %s (deadline %s)"), fy, d);
    } else if (r->overdue == AZ_OD_DUE_BY) {
        az_date_iso(r->deadline, d, sizeof(d));
        snprintf(buf, n, lj(l, "期限 %s を過ぎています", "deadline %s has passed"), d);
    } else if (r->overdue == AZ_OD_TARGET) {
        az_date_iso(a->target, d, sizeof(d));
        snprintf(buf, n, lj(l, "目標日 %s を過ぎています", "target date %s has passed"), d);
    } else if (a && a->has_target && (r->status == AZ_ST_GAP || r->status == AZ_ST_UNANSWERED)) {
        az_date_iso(a->target, d, sizeof(d));
        snprintf(buf, n, lj(l, "目標日 %s", "target %s"), d);
    } else if (r->has_deadline && r->status != AZ_ST_SATISFIED) {
        az_date_iso(r->deadline, d, sizeof(d));
        snprintf(buf, n, lj(l, "期限 %s", "deadline %s"), d);
    }
}

static json_t *roles_json(unsigned roles, enum az_lang l, json_t **names)
{
    json_t *a = json_array();
    struct az_buf b;

    az_buf_init(&b, 1024);
    for (int k = 0; k < AZ_NROLES; k++)
        if (roles & (1u << k)) {
            json_array_append_new(a, json_string(az_role_token((enum az_role)(1u << k))));
            if (b.len)
                az_buf_puts(&b, lj(l, "・", ", "));
            az_buf_puts(&b, az_role_name((enum az_role)(1u << k), l));
        }
    *names = json_string(b.data ? b.data : "");
    az_buf_done(&b);
    return a;
}

static json_t *item_json(const struct az_item_result *r, enum az_lang l)
{
    const struct az_answer *a = r->answer;
    char w[160];
    json_t *names, *roles = roles_json(r->item->roles, l, &names);
    json_t *o;

    why(r, l, w, sizeof(w));
    o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o}", "id", r->item->id, "label",
        r->item->label, "title", tr(l, r->item->title), "text", tr(l, r->item->text), "group",
        r->item->group ? r->item->group->id : "", "roles", roles, "role_names", names, "status",
        az_status_token(r->status), "status_name", az_status_name(r->status, l), "answer",
        a && a->ans != AZ_ANS_NONE ? json_string(az_ans_name(a->ans, AZ_LANG_EN)) : json_null(),
        "answer_name",
        a && a->ans != AZ_ANS_NONE ? json_string(az_ans_name(a->ans, AZ_LANG_JA)) : json_null());
    if (!o)
        return NULL;
    json_object_set_new(o, "checked",
                        jdate(a && a->has_checked, a ? a->checked : (struct az_date){0}));
    json_object_set_new(o, "target",
                        jdate(a && a->has_target, a ? a->target : (struct az_date){0}));
    json_object_set_new(o, "deadline", jdate(r->has_deadline, r->deadline));
    json_object_set_new(o, "overdue", json_boolean(r->overdue != AZ_OD_NONE));
    json_object_set_new(o, "why", json_string(w));
    json_object_set_new(o, "note", jstr(a && a->note && *a->note ? a->note : NULL));
    json_object_set_new(o, "confidence", json_string(az_conf_token(r->item->confidence)));
    json_object_set_new(o, "confidence_name",
                        r->item->confidence == AZ_CONF_VERIFIED
                            ? json_null()
                            : json_string(az_conf_name(r->item->confidence, l)));
    json_object_set_new(o, "carried_from", jstr(a && a->carried_from ? a->carried_from->id : NULL));
    json_object_set_new(o, "reconfirm", json_boolean(a && a->reconfirm));
    json_object_set_new(o, "stale", json_boolean(a && a->stale));
    json_object_set_new(o, "reconfirm_name",
                        a && a->reconfirm ? json_string(lj(l, "要再確認", "to re-check"))
                                          : json_null());
    return o;
}

static json_t *track_json(const struct az_plan_track *t, enum az_lang l)
{
    char d[16];

    az_date_iso(t->due, d, sizeof(d));
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "text", tr(l, t->text), "status",
        az_plan_status_token(t->status), "status_name", az_plan_status_name(t->status, l),
        "owner_role", az_role_token((enum az_role)t->owner_role), "owner_role_name",
        az_role_name((enum az_role)t->owner_role, l), "owner", t->owner ? t->owner : "", "due", d);
}

static json_t *plan_item_json(const struct az_plan *p, size_t i, enum az_lang l)
{
    const struct az_plan_item *pi = &p->v[i];
    const char *reason = EN(l) ? pi->reason_en : pi->reason_ja, *cut = strstr(reason, " / ");
    json_t *o;

    o = json_pack("{s:i, s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:b}", "rank", (int)i + 1, "id",
                  pi->result->item->id, "label", pi->result->item->label, "title",
                  tr(l, pi->result->item->title), "tier", pi->tier, "reason",
                  EN(l) ? pi->reason_en : pi->reason_ja, "interim",
                  track_json(&pi->track[AZ_TRACK_INTERIM], l), "permanent",
                  track_json(&pi->track[AZ_TRACK_PERMANENT], l), "overdue",
                  pi->result->overdue != AZ_OD_NONE);
    /* the first reason alone, for the one-page summary: whole, however
     * long the reason typed with plan set --reason */
    if (o)
        json_object_set_new(o, "reason_summary",
                            json_stringn(reason, cut ? (size_t)(cut - reason) : strlen(reason)));
    if (o)
        json_object_set_new(o, "owner_note",
                            pi->owner_note_ja
                                ? json_string(EN(l) ? pi->owner_note_en : pi->owner_note_ja)
                                : json_null());
    return o;
}

static const struct az_system *find_system(const struct az_profile *p, const char *id)
{
    for (size_t i = 0; id && i < p->nsystems; i++)
        if (!strcmp(p->systems[i].id, id))
            return &p->systems[i];
    return NULL;
}

struct dl {
    struct az_date date;
    bool overdue;
    const char *kind;
    char *text; /* whole: item titles and system names of any length */
};

static int dl_cmp(const void *a, const void *b)
{
    const struct dl *x = a, *y = b;
    int c = az_date_cmp(x->date, y->date);
    return c ? c : strcmp(x->text ? x->text : "", y->text ? y->text : "");
}

/* The deadlines ahead: open items with a target or deadline that has not
 * passed, the FY2027 MFA rule and each system it catches. */
static json_t *deadlines_json(const struct az_report_input *in, enum az_lang l)
{
    const struct az_eval *e = in->eval;
    struct dl *v = calloc(e->nresults + 2 * e->profile->nsystems + 4, sizeof(*v));
    size_t n = 0;
    json_t *arr = json_array();

    if (!v || !arr) {
        free(v);
        json_decref(arr);
        return NULL;
    }
    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        const struct az_answer *a = r->answer;
        if (r->status != AZ_ST_GAP && r->status != AZ_ST_UNANSWERED)
            continue;
        if (r->overdue != AZ_OD_NONE)
            continue; /* in overdue_summary */
        if (a && a->has_target) {
            v[n].date = a->target;
            v[n].kind = "target";
        } else if (r->has_deadline) {
            v[n].date = r->deadline;
            v[n].kind = "deadline";
        } else {
            continue;
        }
        v[n].text = az_fmt("%s %s (%s)", r->item->label, tr(l, r->item->title),
                           !strcmp(v[n].kind, "target") ? lj(l, "目標日", "target date")
                                                        : lj(l, "期限", "deadline"));
        n++;
    }
    if (az_date_cmp(e->as_of, AZ_MFA_REFERENCE) < 0) {
        v[n].date = AZ_MFA_REFERENCE;
        v[n].kind = "mfa-rule";
        v[n].text = az_fmt(
            "%s", lj(l, "令和9年度から: この日以降に導入・更新するシステムは二要素認証が必須",
                     "From FY2027: systems introduced or renewed from this day on "
                     "must use two-factor authentication"));
        n++;
    }
    {
        const json_t *tr_, *f;
        size_t i, k;
        json_array_foreach(json_object_get(in->keypoints, "tracks"), i, tr_)
        {
            if (strcmp(json_string_value(json_object_get(tr_, "id")) ?: "", "mfa"))
                continue;
            json_array_foreach(json_object_get(tr_, "findings"), k, f)
            {
                const struct az_system *s =
                    find_system(e->profile, json_string_value(json_object_get(f, "subject")));
                if (!strcmp(json_string_value(json_object_get(f, "level")) ?: "ok", "ok") || !s ||
                    n >= e->nresults + 2 * e->profile->nsystems + 3)
                    continue;
                v[n].date = s->has_renewal ? s->renewal : AZ_MFA_REFERENCE;
                v[n].kind = "mfa-system";
                v[n].text = az_fmt("%s", jtext(f, l));
                n++;
            }
        }
    }
    qsort(v, n, sizeof(*v), dl_cmp);
    for (size_t i = 0; i < n; i++) {
        char d[16], w[64];
        az_date_iso(v[i].date, d, sizeof(d));
        az_date_wareki(v[i].date, w, sizeof(w));
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:b, s:s, s:s}", "date", d, "wareki", w,
                                        "overdue", az_date_cmp(v[i].date, e->as_of) < 0, "kind",
                                        v[i].kind, "text", v[i].text ? v[i].text : ""));
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
    return arr;
}

static json_t *findings_json(const json_t *src, enum az_lang l, const char *key, const char *val)
{
    json_t *arr = json_array();
    const json_t *f;
    size_t i;

    json_array_foreach(json_object_get(src, "findings"), i, f)
    {
        const char *lv = json_string_value(json_object_get(f, "level"));
        if (key && strcmp(json_string_value(json_object_get(f, key)) ?: "", val))
            continue;
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s}", "level", lv ? lv : "attention", "level_name",
                           !lv || !strcmp(lv, "attention") ? lj(l, "要確認", "attention")
                           : !strcmp(lv, "gap")            ? lj(l, "要対応", "gap")
                           : !strcmp(lv, "unrecorded")     ? lj(l, "未記録", "not recorded")
                                                           : lj(l, "問題なし", "ok"),
                           "text", jtext(f, l)));
    }
    return arr;
}

static json_t *vendors_json(const struct az_report_input *in, enum az_lang l)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < in->nvforms; i++) {
        const struct az_report_vendor *rv = &in->vforms[i];
        const struct az_vendor *vg = rv->reg;
        json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "system", rv->sys->id, "system_name",
                              rv->sys->name, "vendor", rv->sys->vendor ? rv->sys->vendor : "",
                              "vendor_id", jstr(vg ? vg->id : NULL));
        json_t *form = json_object();
        if (vg) {
            char d[16];
            json_object_set_new(o, "registered", json_true());
            json_object_set_new(o, "role_split",
                                json_string(vg->role_split == 2   ? lj(l, "合意済み", "agreed")
                                            : vg->role_split == 1 ? lj(l, "案", "draft")
                                                                  : lj(l, "なし", "none")));
            if (vg->has_mds) {
                az_date_iso(vg->mds_received, d, sizeof(d));
                json_object_set_new(o, "mds_sds",
                                    json_pack("{s:s, s:s}", "version",
                                              vg->mds_version ? vg->mds_version : "", "received",
                                              d));
            } else {
                json_object_set_new(o, "mds_sds", json_null());
            }
            json_object_set_new(o, "checklist_received",
                                jdate(vg->has_checklist, vg->checklist_received));
            json_object_set_new(o, "remote_maintenance", jstr(vg->rm_method));
            json_object_set_new(o, "remote_device", jstr(vg->rm_device));
            json_object_set_new(o, "findings",
                                findings_json(in->vendor_check, l, "vendor", vg->id));
        } else {
            json_object_set_new(o, "registered", json_false());
            json_object_set_new(o, "findings", json_array());
        }
        json_object_set_new(form, "received", json_boolean(rv->eval != NULL));
        json_object_set_new(form, "expected", jstr(rv->expected));
        if (rv->eval) {
            json_t *gaps = json_array();
            json_object_set_new(form, "edition", json_string(rv->eval->edition->version));
            json_object_set_new(form, "score", score_json(&rv->eval->total));
            for (size_t k = 0; k < rv->eval->nresults; k++) {
                const struct az_item_result *r = &rv->eval->results[k];
                if (r->status == AZ_ST_GAP || r->status == AZ_ST_UNANSWERED)
                    json_array_append_new(gaps, item_json(r, l));
            }
            json_object_set_new(form, "open_items", gaps);
        }
        json_object_set_new(o, "form", form);
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *ledger_json(const struct az_report_input *in, enum az_lang l)
{
    json_t *o, *kinds = json_array();
    size_t cnt[AZ_ASSET_OTHER + 1] = {0};

    for (size_t i = 0; i < in->ledger->n; i++)
        cnt[in->ledger->v[i].kind]++;
    for (int k = 0; k <= AZ_ASSET_OTHER; k++)
        if (cnt[k])
            json_array_append_new(kinds,
                                  json_pack("{s:s, s:s, s:i}", "kind",
                                            az_asset_kind_token((enum az_asset_kind)k), "name",
                                            az_asset_kind_name((enum az_asset_kind)k, l), "count",
                                            (int)cnt[k]));
    o = json_pack("{s:i, s:o}", "assets", (int)in->ledger->n, "by_kind", kinds);
    json_object_set_new(o, "findings", findings_json(in->ledger_check, l, NULL, NULL));
    return o;
}

static json_t *keypoints_json(const json_t *kp, enum az_lang l)
{
    json_t *o = json_object(), *tracks = json_array();
    const json_t *t;
    size_t i;

    json_array_foreach(json_object_get(kp, "tracks"), i, t)
    {
        const char *lv = json_string_value(json_object_get(t, "level"));
        json_t *x = json_pack(
            "{s:s, s:s, s:s, s:s}", "id", json_string_value(json_object_get(t, "id")) ?: "",
            "title", jtext(json_object_get(t, "title"), l), "level", lv ? lv : "ok", "level_name",
            !lv || !strcmp(lv, "ok")    ? lj(l, "問題なし", "ok")
            : !strcmp(lv, "unrecorded") ? lj(l, "未記録", "not recorded")
            : !strcmp(lv, "attention")  ? lj(l, "要確認", "attention")
                                        : lj(l, "要対応", "gap"));
        json_object_set_new(x, "findings", findings_json(t, l, NULL, NULL));
        json_array_append_new(tracks, x);
    }
    json_object_set_new(o, "tracks", tracks);
    json_object_set_new(o, "gaps", json_integer(json_integer_value(json_object_get(kp, "gaps"))));
    return o;
}

/* The items, gaps and plan items of one role. */
static json_t *role_part(const struct az_report_input *in, unsigned role, enum az_lang l)
{
    const struct az_eval *e = in->eval;
    json_t *items = json_array(), *gaps = json_array(), *plan = json_array();

    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        if (!(r->item->roles & role) || r->status == AZ_ST_NOT_APPLICABLE ||
            r->status == AZ_ST_GATE)
            continue;
        json_array_append_new(items, item_json(r, l));
        if (r->status == AZ_ST_GAP || r->status == AZ_ST_UNANSWERED)
            json_array_append_new(gaps, item_json(r, l));
    }
    for (size_t i = 0; in->plan && i < in->plan->n; i++) {
        const struct az_plan_item *pi = &in->plan->v[i];
        bool mine = pi->track[0].owner_role == role || pi->track[1].owner_role == role;
        /* a vendor takes operations work on the institution's behalf */
        if (role == AZ_ROLE_OPERATIONS)
            mine = mine || pi->track[0].owner_role == AZ_ROLE_VENDOR ||
                   pi->track[1].owner_role == AZ_ROLE_VENDOR;
        if (mine)
            json_array_append_new(plan, plan_item_json(in->plan, i, l));
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", az_role_token((enum az_role)role), "name",
                     az_role_name((enum az_role)role, l), "items", items, "gaps", gaps, "plan",
                     plan);
}

/* Cut s for display to at most max bytes on a UTF-8 character boundary,
 * ending with "…" when cut. A new string. */
static char *shorten(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return strdup(s);
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return az_fmt("%.*s…", (int)max, s);
}

/* The management page's overdue table: the first five, and how many more. */
static json_t *overdue_top(const json_t *m)
{
    const json_t *all = json_object_get(m, "overdue");
    json_t *o = json_object(), *v = json_array();
    size_t n = json_array_size(all);

    for (size_t i = 0; i < n && i < 5; i++)
        json_array_append(v, json_array_get(all, i));
    json_object_set_new(o, "items", v);
    json_object_set_new(o, "more", n > 5 ? json_integer((json_int_t)(n - 5)) : json_null());
    return o;
}

/* Exactly the five most important actions when there are five things to
 * do: the plan's first five, filled up from the key points that need
 * action (backups, BCP, 2FA, ...) when the plan has fewer. Each has a
 * short reason and, from the plan, the owners (role and name) and the
 * due dates the user set. */
static json_t *actions_json(const struct az_report_input *in, enum az_lang l)
{
    json_t *x = json_array();
    const json_t *t;
    size_t i;

    for (i = 0; in->plan && i < in->plan->n && json_array_size(x) < 5; i++) {
        json_t *a = plan_item_json(in->plan, i, l);
        const char *rs = json_string_value(json_object_get(a, "reason_summary"));
        char *s = shorten(rs ? rs : "", 150);
        json_object_set_new(a, "reason_summary", jstr(s));
        json_object_set_new(a, "source", json_string("plan"));
        free(s);
        json_array_append_new(x, a);
    }
    json_array_foreach(json_object_get(in->keypoints, "tracks"), i, t)
    {
        const char *lv = json_string_value(json_object_get(t, "level"));
        const json_t *f;
        size_t k;
        char *why = NULL;
        if (json_array_size(x) >= 5)
            break;
        if (!lv || strcmp(lv, "gap"))
            continue;
        json_array_foreach(json_object_get(t, "findings"), k, f)
        {
            const char *fl = json_string_value(json_object_get(f, "level"));
            if (fl && !strcmp(fl, "gap")) {
                why = shorten(jtext(f, l), 150);
                break;
            }
        }
        json_array_append_new(
            x, json_pack("{s:i, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:b, s:o}", "rank",
                         (int)json_array_size(x) + 1, "id",
                         json_string_value(json_object_get(t, "id")) ?: "", "label",
                         lj(l, "重点", "Key"), "title", jtext(json_object_get(t, "title"), l),
                         "reason_summary", jstr(why), "source", "keypoints", "interim", json_null(),
                         "permanent", json_null(), "overdue", false, "owner_note", json_null()));
        free(why);
    }
    return x;
}

/* Findings that cannot wait for the plan's order: a device of the ledger
 * whose firmware is in the KEV catalog (known exploited, often by
 * ransomware), named on the management page. */
static json_t *urgent_json(const struct az_report_input *in, enum az_lang l)
{
    json_t *x = json_array();
    const json_t *f;
    size_t i;

    json_array_foreach(json_object_get(in->ledger_check, "findings"), i, f)
    {
        const char *rule = json_string_value(json_object_get(f, "rule"));
        const char *lv = json_string_value(json_object_get(f, "level"));
        if (!rule || strcmp(rule, "kev") || !lv || strcmp(lv, "gap"))
            continue;
        json_array_append_new(x, json_pack("{s:s, s:s}", "asset",
                                           json_string_value(json_object_get(f, "asset")) ?: "",
                                           "text", jtext(f, l)));
    }
    return x;
}

json_t *az_report_model(const struct az_report_input *in, enum az_lang l)
{
    const struct az_eval *e = in->eval;
    const struct az_profile *p = e->profile;
    json_t *m = json_object(), *x;
    char d[16], w[64], fy[32], head[512];

    if (!m)
        return NULL;
    az_date_iso(e->as_of, d, sizeof(d));
    az_date_wareki(e->as_of, w, sizeof(w));
    az_fy_format(e->as_of_fy, l, fy, sizeof(fy));
    json_object_set_new(m, "schema", json_string(AZ_REPORT_SCHEMA));
    json_object_set_new(m, "anzen_version", json_string(AZ_VERSION));
    json_object_set_new(m, "lang", json_string(EN(l) ? "en" : "ja"));
    json_object_set_new(m, "as_of", json_string(d));
    json_object_set_new(m, "as_of_wareki", json_string(w));
    json_object_set_new(m, "fiscal_year", json_pack("{s:i, s:s}", "year", e->as_of_fy, "name", fy));
    x = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "name", p->name, "type", az_inst_token(p->type),
                  "type_name", az_inst_name(p->type, l), "beds",
                  p->beds >= 0 ? json_integer(p->beds) : json_null(), "prefecture",
                  jstr(p->prefecture), "person_in_charge", jstr(p->person));
    json_object_set_new(m, "institution", x);
    json_object_set_new(m, "edition",
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "id", e->edition->id,
                                  "version", e->edition->version, "title",
                                  tr(l, az_form_doc_title(e->form)), "form", e->form->id,
                                  "form_title", tr(l, e->form->title), "legal_basis",
                                  e->form->legal_basis.ja ? tr(l, e->form->legal_basis) : NULL));
    if (e->form->legal_basis.ja) {
        /* the rule itself, without how it is inspected: its first sentence
         * ("…施行規則 (薬局の管理者の義務)") fits the management page */
        const char *lb = tr(l, e->form->legal_basis);
        const char *end = EN(l) ? strstr(lb, "; ") : strstr(lb, "。");
        char *sh = strndup(lb, end ? (size_t)(end - lb) : strlen(lb));
        json_object_set_new(json_object_get(m, "edition"), "basis_short", jstr(sh));
        free(sh);
    }
    json_object_set_new(m, "newer_edition",
                        e->newer
                            ? json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", e->newer->id, "version",
                                        e->newer->version, "title", tr(l, e->newer->title),
                                        "published", e->newer->published ? e->newer->published : "",
                                        "has_items", e->newer->nitems > 0)
                            : json_null());
    json_object_set_new(m, "guideline",
                        e->guideline
                            ? json_pack("{s:s, s:s, s:s}", "id", e->guideline->id, "version",
                                        e->guideline->version, "title", tr(l, e->guideline->title))
                            : json_null());
    json_object_set_new(m, "gate_closed", json_boolean(e->gate_closed));
    json_object_set_new(m, "gate_conflict", json_boolean(e->gate_conflict));

    /* the overall position in one sentence */
    {
        const char *level;
        if (e->gate_conflict) {
            level = "gaps";
            snprintf(head, sizeof(head), "%s",
                     lj(l,
                        "前提項目「医療情報システムの有無」の「いいえ」がプロファイル (医療情報"
                        "システムあり) と食い違っています。回答かプロファイルを直してください。",
                        "The gate answer (no medical information system) contradicts the profile, "
                        "which lists medical systems. Correct the answer or the profile."));
        } else if (e->gate_closed) {
            level = "none";
            snprintf(head, sizeof(head), "%s",
                     lj(l, "医療情報システムがないため、ほかの項目は対象外です。",
                        "No medical information system is in use, so no other item applies."));
        } else if (e->total.overdue) {
            level = "overdue";
            snprintf(head, sizeof(head),
                     lj(l,
                        "期限を過ぎた項目が %d 件あります。立入検査で指摘を受ける状態です。"
                        "下の対策を優先してください。",
                        "%d items are past their deadline: an on-site inspection would find "
                        "them. Start with the actions below."),
                     e->total.overdue);
        } else if (e->total.gaps + e->total.unanswered) {
            level = "gaps";
            snprintf(head, sizeof(head),
                     lj(l, "未対応・未回答の項目が %d 件あります (期限内)。",
                        "%d items are open (none overdue yet)."),
                     e->total.gaps + e->total.unanswered);
        } else {
            level = "ok";
            snprintf(head, sizeof(head), "%s",
                     lj(l, "適用されるすべての項目に対応済みです。",
                        "Every applicable item is satisfied."));
        }
        json_object_set_new(m, "position",
                            json_pack("{s:s, s:s}", "level", level, "headline", head));
    }
    json_object_set_new(m, "total", score_json(&e->total));
    x = json_array();
    for (int k = 0; k < AZ_NROLES; k++)
        json_array_append_new(x, json_pack("{s:s, s:s, s:o}", "id",
                                           az_role_token((enum az_role)(1u << k)), "name",
                                           az_role_name((enum az_role)(1u << k), l), "score",
                                           score_json(&e->role[k])));
    json_object_set_new(m, "roles", x);
    x = json_array();
    for (size_t g = 0; g < e->edition->ngroups; g++) {
        if (e->group[g].applicable == 0 && e->group[g].na == 0)
            continue;
        json_array_append_new(x, json_pack("{s:s, s:s, s:o}", "id", e->edition->groups[g].id,
                                           "title", tr(l, e->edition->groups[g].title), "score",
                                           score_json(&e->group[g])));
    }
    json_object_set_new(m, "groups", x);

    x = json_array();
    for (size_t i = 0; i < e->nresults; i++)
        if (e->results[i].overdue != AZ_OD_NONE &&
            (e->results[i].status == AZ_ST_GAP || e->results[i].status == AZ_ST_UNANSWERED))
            json_array_append_new(x, item_json(&e->results[i], l));
    json_object_set_new(m, "overdue", x);
    {
        /* one line for everything already late: how many, since when */
        struct az_date oldest = {0, 0, 0};
        int od = 0;
        for (size_t i = 0; i < e->nresults; i++) {
            const struct az_item_result *r = &e->results[i];
            struct az_date dd;
            if (r->overdue == AZ_OD_NONE ||
                (r->status != AZ_ST_GAP && r->status != AZ_ST_UNANSWERED))
                continue;
            dd = r->overdue == AZ_OD_TARGET ? r->answer->target : r->deadline;
            if (!od++ || az_date_cmp(dd, oldest) < 0)
                oldest = dd;
        }
        if (od) {
            char t[256], od_d[16];
            az_date_iso(oldest, od_d, sizeof(od_d));
            snprintf(t, sizeof(t),
                     lj(l, "期限を過ぎた項目 %d 件 (最も古い期限 %s)",
                        "%d items overdue (oldest deadline %s)"),
                     od, od_d);
            json_object_set_new(
                m, "overdue_summary",
                json_pack("{s:i, s:s, s:s}", "count", od, "oldest", od_d, "text", t));
        } else {
            json_object_set_new(m, "overdue_summary", json_null());
        }
    }

    json_object_set_new(m, "overdue_top", overdue_top(m));
    json_object_set_new(m, "actions", actions_json(in, l));
    {
        /* one note for the page when the plan gave the operations work
         * to a vendor or the planning manager (no IT staff) */
        const json_t *a;
        size_t i;
        json_t *note = json_null();
        json_array_foreach(json_object_get(m, "actions"), i,
                           a) if (json_is_string(json_object_get(a, "owner_note")))
        {
            json_decref(note);
            note = json_copy(json_object_get(a, "owner_note"));
            break;
        }
        json_object_set_new(m, "actions_owner_note", note);
    }
    json_object_set_new(m, "urgent", urgent_json(in, l));
    json_object_set_new(m, "deadlines", deadlines_json(in, l));
    {
        /* the management page lists the next five, shortened */
        json_t *top = json_array();
        for (size_t i = 0; i < json_array_size(json_object_get(m, "deadlines")) && i < 5; i++) {
            json_t *dd = json_copy(json_array_get(json_object_get(m, "deadlines"), i));
            char *s = shorten(json_string_value(json_object_get(dd, "text")) ?: "", 75);
            json_object_set_new(dd, "text", jstr(s));
            free(s);
            json_array_append_new(top, dd);
        }
        json_object_set_new(m, "deadlines_top", top);
    }

    x = json_array();
    for (size_t i = 0; i < e->nresults; i++)
        json_array_append_new(x, item_json(&e->results[i], l));
    json_object_set_new(m, "items", x);

    if (in->plan) {
        json_t *pl = json_array();
        for (size_t i = 0; i < in->plan->n; i++)
            json_array_append_new(pl, plan_item_json(in->plan, i, l));
        json_object_set_new(
            m, "plan", json_pack("{s:i, s:o}", "unanswered", in->plan->unanswered, "items", pl));
    } else {
        json_object_set_new(m, "plan", json_null());
    }
    json_object_set_new(m, "by_role",
                        json_pack("{s:o, s:o, s:o}", "management",
                                  role_part(in, AZ_ROLE_MANAGEMENT, l), "planning",
                                  role_part(in, AZ_ROLE_PLANNING, l), "operations",
                                  role_part(in, AZ_ROLE_OPERATIONS, l)));
    json_object_set_new(m, "keypoints",
                        in->keypoints ? keypoints_json(in->keypoints, l) : json_null());
    json_object_set_new(m, "vendors", vendors_json(in, l));
    json_object_set_new(m, "ledger", in->ledger ? ledger_json(in, l) : json_null());
    json_object_set_new(m, "extra_sections",
                        json_is_array(in->extra) ? json_deep_copy(in->extra) : json_array());
    return m;
}

/* ---- Markdown ---- */

/* A table cell: HTML-escaped (Markdown passes HTML through), pipes and
 * newlines neutralised. */
static void md_cell(struct az_buf *b, const char *s)
{
    struct az_buf t;

    az_buf_init(&t, b->max);
    az_html_escape(&t, s ? s : "", s ? strlen(s) : 0);
    for (size_t i = 0; i < t.len; i++) {
        if (t.data[i] == '|')
            az_buf_puts(b, "\\|");
        else if (t.data[i] == '\n' || t.data[i] == '\r')
            az_buf_puts(b, " ");
        else
            az_buf_add(b, &t.data[i], 1);
    }
    az_buf_done(&t);
}

static const char *js(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void md_score(struct az_buf *b, const char *name, const json_t *s)
{
    const json_t *pct = json_object_get(s, "percent");

    az_buf_puts(b, "| ");
    md_cell(b, name);
    if (json_is_null(pct))
        az_buf_puts(b, " | – | – | – | – | – |\n");
    else
        az_buf_printf(b, " | %lld/%lld | %lld%% | %lld | %lld | %lld |\n",
                      json_integer_value(json_object_get(s, "satisfied")),
                      json_integer_value(json_object_get(s, "applicable")), json_integer_value(pct),
                      json_integer_value(json_object_get(s, "gaps")),
                      json_integer_value(json_object_get(s, "unanswered")),
                      json_integer_value(json_object_get(s, "overdue")));
}

static void md_items(struct az_buf *b, const json_t *items, enum az_lang l)
{
    const json_t *it;
    size_t i;

    az_buf_printf(b, "| %s | %s | %s | %s |\n|---|---|---|---|\n", lj(l, "番号", "No."),
                  lj(l, "項目", "Item"), lj(l, "状態", "Status"),
                  lj(l, "期限・目標日", "Deadline / target"));
    json_array_foreach(items, i, it)
    {
        az_buf_puts(b, "| ");
        md_cell(b, js(it, "label"));
        az_buf_puts(b, " | ");
        md_cell(b, js(it, "title"));
        az_buf_puts(b, " | ");
        md_cell(b, js(it, "status_name"));
        if (json_is_true(json_object_get(it, "reconfirm"))) {
            az_buf_puts(b, " (");
            md_cell(b, js(it, "reconfirm_name"));
            az_buf_puts(b, ")");
        }
        az_buf_puts(b, " | ");
        md_cell(b, js(it, "why"));
        az_buf_puts(b, " |\n");
    }
}

static void md_plan(struct az_buf *b, const json_t *plan, enum az_lang l)
{
    const json_t *pi;
    size_t i;

    json_array_foreach(plan, i, pi)
    {
        const json_t *t0 = json_object_get(pi, "interim"), *t1 = json_object_get(pi, "permanent");
        az_buf_printf(b, "%lld. **", json_integer_value(json_object_get(pi, "rank")));
        md_cell(b, js(pi, "label"));
        az_buf_puts(b, " ");
        md_cell(b, js(pi, "title"));
        az_buf_puts(b, "** — ");
        md_cell(b, js(pi, "reason"));
        for (int k = 0; k < 2; k++) {
            const json_t *t = k ? t1 : t0;
            const char *who = js(t, "owner");
            az_buf_printf(b, "\n   - %s (%s",
                          k ? lj(l, "本対策", "Permanent") : lj(l, "暫定対策", "Interim"),
                          js(t, "owner_role_name"));
            if (who && *who) {
                az_buf_puts(b, " ");
                md_cell(b, who); /* the person the user named, whole */
            }
            az_buf_printf(b, ", %s %s): ", lj(l, "期限", "due"), js(t, "due"));
            if (k == 0)
                md_cell(b, js(t0, "text"));
        }
        md_cell(b, js(t1, "text"));
        az_buf_puts(b, "\n");
    }
}

int az_report_md(struct az_ctx *ctx, const struct az_report_input *in, unsigned roles,
                 struct az_buf *out)
{
    enum az_lang l = ctx->lang;
    json_t *m = az_report_model(in, l);
    const json_t *x, *inst;
    size_t i, mark = out->len;
    struct az_buf b;
    bool all = roles == 0;

    if (!m)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    az_buf_init(&b, out->max);
    inst = json_object_get(m, "institution");
    az_buf_puts(&b, "# ");
    md_cell(&b, lj(l, "サイバーセキュリティ対策 報告書", "Cybersecurity report"));
    az_buf_puts(&b, " — ");
    md_cell(&b, js(inst, "name"));
    az_buf_printf(&b, "\n\n- %s ", lj(l, "基準日:", "As of:"));
    md_cell(&b, js(m, "as_of"));
    az_buf_puts(&b, " (");
    md_cell(&b, js(m, "as_of_wareki"));
    az_buf_printf(&b, ")\n- %s ", lj(l, "評価した版:", "Assessed against:"));
    md_cell(&b, js(json_object_get(m, "edition"), "title"));
    az_buf_puts(&b, " ");
    md_cell(&b, js(json_object_get(m, "edition"), "version"));
    az_buf_puts(&b, " (");
    md_cell(&b, js(json_object_get(m, "edition"), "form_title"));
    az_buf_puts(&b, ")\n");
    if (*js(json_object_get(m, "edition"), "legal_basis")) {
        az_buf_printf(&b, "- %s ", lj(l, "根拠:", "Legal basis:"));
        md_cell(&b, js(json_object_get(m, "edition"), "legal_basis"));
        az_buf_puts(&b, "\n");
    }
    if (json_string_value(json_object_get(inst, "person_in_charge"))) {
        az_buf_printf(&b, "- %s ", lj(l, "担当者:", "Person in charge:"));
        md_cell(&b, js(inst, "person_in_charge"));
        az_buf_puts(&b, "\n");
    }
    {
        size_t nre = 0, nst = 0;
        json_array_foreach(json_object_get(m, "items"), i, x)
        {
            if (!json_is_true(json_object_get(x, "reconfirm")))
                continue;
            if (json_is_true(json_object_get(x, "stale")) &&
                json_is_null(json_object_get(x, "carried_from")))
                nst++;
            else
                nre++;
        }
        if (nst)
            az_buf_printf(&b,
                          lj(l,
                             "- 要再確認: %zu 件 (前年度以前に確認した回答。今年度あらためて確認"
                             "するまで対応済みに数えません)\n",
                             "- To re-check: %zu (answers checked in an earlier fiscal year; not "
                             "counted as done until checked again this fiscal year)\n"),
                          nst);
        if (nre)
            az_buf_printf(&b,
                          lj(l,
                             "- 要再確認: %zu 件 (前の版から引き継いだ回答。確認日は前の版のもの"
                             "で、この版の文で確認し直すまで残ります)\n",
                             "- To re-check: %zu (answers carried over from the previous "
                             "edition, with its dates checked, until confirmed again)\n"),
                          nre);
    }
    az_buf_puts(&b, "\n**");
    md_cell(&b, js(json_object_get(m, "position"), "headline"));
    az_buf_puts(&b, "**\n");
    if (all || (roles & AZ_ROLE_MANAGEMENT)) {
        az_buf_printf(&b, "\n## %s\n\n| %s | %s | %% | %s | %s | %s |\n|---|---|---|---|---|---|\n",
                      lj(l, "経営層向けの要約", "Summary for management"), lj(l, "区分", "Scope"),
                      lj(l, "対応", "Done"), lj(l, "未対応", "Gaps"), lj(l, "未回答", "Unanswered"),
                      lj(l, "期限超過", "Overdue"));
        md_score(&b, lj(l, "全体", "Overall"), json_object_get(m, "total"));
        json_array_foreach(json_object_get(m, "roles"), i, x)
            md_score(&b, js(x, "name"), json_object_get(x, "score"));
        if (json_array_size(json_object_get(m, "overdue"))) {
            az_buf_printf(&b, "\n### %s\n\n", lj(l, "期限超過の項目", "Overdue items"));
            md_items(&b, json_object_get(m, "overdue"), l);
        }
        if (json_array_size(json_object_get(m, "actions"))) {
            az_buf_printf(&b, "\n### %s\n\n",
                          lj(l, "最も重要な対策 (上位 5 件)", "The five most important actions"));
            md_plan(&b, json_object_get(m, "actions"), l);
        }
        if (json_array_size(json_object_get(m, "deadlines")) ||
            json_is_object(json_object_get(m, "overdue_summary"))) {
            az_buf_printf(&b, "\n### %s\n\n", lj(l, "迫っている期限", "Deadlines ahead"));
            if (json_is_object(json_object_get(m, "overdue_summary"))) {
                az_buf_puts(&b, "- **");
                md_cell(&b, js(json_object_get(m, "overdue_summary"), "text"));
                az_buf_puts(&b, "**\n");
            }
            json_array_foreach(json_object_get(m, "deadlines"), i, x)
            {
                az_buf_printf(&b, "- %s: ", js(x, "date"));
                md_cell(&b, js(x, "text"));
                az_buf_puts(&b, "\n");
            }
        }
    }
    for (int k = 1; k < AZ_NROLES; k++) {
        const json_t *part;
        unsigned role = 1u << k;
        if (!all && !(roles & role))
            continue;
        part = json_object_get(json_object_get(m, "by_role"), az_role_token((enum az_role)role));
        az_buf_printf(&b, "\n## %s: %s\n\n", js(part, "name"),
                      lj(l, "担当の項目と計画", "items and plan"));
        md_items(&b, json_object_get(part, "items"), l);
        if (json_array_size(json_object_get(part, "plan"))) {
            az_buf_printf(&b, "\n### %s\n\n", lj(l, "担当する計画", "Plan items owned"));
            md_plan(&b, json_object_get(part, "plan"), l);
        }
    }
    if (all && json_array_size(json_object_get(m, "vendors"))) {
        az_buf_printf(&b, "\n## %s\n\n", lj(l, "事業者 (システムごと)", "Vendors (per system)"));
        json_array_foreach(json_object_get(m, "vendors"), i, x)
        {
            const json_t *f = json_object_get(x, "form"), *fd;
            size_t k;
            az_buf_puts(&b, "- ");
            md_cell(&b, js(x, "system_name"));
            az_buf_puts(&b, " (");
            md_cell(&b, js(x, "vendor"));
            az_buf_puts(&b, "): ");
            if (json_is_true(json_object_get(f, "received"))) {
                const json_t *s = json_object_get(f, "score");
                az_buf_printf(&b, lj(l, "事業者確認用 %lld/%lld はい", "vendor form %lld/%lld yes"),
                              json_integer_value(json_object_get(s, "satisfied")),
                              json_integer_value(json_object_get(s, "applicable")));
            } else {
                az_buf_puts(&b, lj(l, "事業者確認用 未受領", "vendor form not received"));
            }
            az_buf_puts(&b, "\n");
            json_array_foreach(json_object_get(x, "findings"), k, fd)
            {
                az_buf_puts(&b, "  - ");
                md_cell(&b, js(fd, "text"));
                az_buf_puts(&b, "\n");
            }
        }
    }
    if (all && json_is_object(json_object_get(m, "keypoints"))) {
        az_buf_printf(&b, "\n## %s\n\n", lj(l, "重点事項", "Key points"));
        json_array_foreach(json_object_get(json_object_get(m, "keypoints"), "tracks"), i, x)
        {
            const json_t *fd;
            size_t k;
            az_buf_puts(&b, "- **");
            md_cell(&b, js(x, "title"));
            az_buf_puts(&b, "**: ");
            md_cell(&b, js(x, "level_name"));
            az_buf_puts(&b, "\n");
            json_array_foreach(json_object_get(x, "findings"), k, fd)
            {
                az_buf_puts(&b, "  - ");
                md_cell(&b, js(fd, "text"));
                az_buf_puts(&b, "\n");
            }
        }
    }
    if (all && json_is_object(json_object_get(m, "ledger"))) {
        az_buf_printf(&b, "\n## %s\n\n", lj(l, "機器台帳の点検", "Asset ledger check"));
        json_array_foreach(json_object_get(json_object_get(m, "ledger"), "findings"), i, x)
        {
            az_buf_puts(&b, "- ");
            md_cell(&b, js(x, "text"));
            az_buf_puts(&b, "\n");
        }
    }
    json_array_foreach(json_object_get(m, "extra_sections"), i, x)
    {
        const json_t *pg;
        size_t k;
        if (!all)
            break;
        az_buf_puts(&b, "\n## ");
        md_cell(&b, js(x, "title"));
        az_buf_puts(&b, "\n\n");
        json_array_foreach(json_object_get(x, "paragraphs"), k, pg)
        {
            md_cell(&b, json_string_value(pg));
            az_buf_puts(&b, "\n\n");
        }
        json_array_foreach(json_object_get(x, "findings"), k, pg)
        {
            az_buf_puts(&b, "- ");
            md_cell(&b, js(pg, "text"));
            az_buf_puts(&b, "\n");
        }
    }
    if (all) {
        az_buf_printf(&b, "\n## %s\n\n", lj(l, "すべての項目", "Every item"));
        md_items(&b, json_object_get(m, "items"), l);
    }
    json_decref(m);
    if (b.len >= b.max || !b.data || az_buf_add(out, b.data, b.len) < 0) {
        az_buf_done(&b);
        out->len = mark;
        return az_fail(ctx, AZ_ERANGE, "報告書が大きすぎます", "report too large");
    }
    az_buf_done(&b);
    return 0;
}
