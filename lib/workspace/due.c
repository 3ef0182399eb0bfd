/* SPDX-License-Identifier: MIT */
/*
 * due.c - what falls due and when (due.h), and the same as iCalendar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/due.h"
#include "anzen/keypoints.h"

struct acc {
    struct az_dues *d;
    size_t cap;
    struct az_date as_of;
    bool oom;
};

static void push(struct acc *a, struct az_date date, const char *kind, const char *subject,
                 char *ja, char *en)
{
    struct az_due *x;
    char iso[16];

    if (a->oom || !ja || !en)
        goto oom;
    if (a->d->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 32;
        struct az_due *nv = realloc(a->d->v, nc * sizeof(*nv));
        if (!nv)
            goto oom;
        a->d->v = nv;
        a->cap = nc;
    }
    x = &a->d->v[a->d->n];
    az_date_iso(date, iso, sizeof(iso));
    x->date = date;
    x->kind = kind;
    x->subject = strdup(subject);
    x->ja = ja;
    x->en = en;
    x->uid = az_fmt("%s-%s-%s@anzen", kind, subject, iso);
    x->overdue = az_date_cmp(date, a->as_of) < 0;
    a->d->n++;
    if (!x->subject || !x->uid)
        a->oom = true;
    return;
oom:
    free(ja);
    free(en);
    a->oom = true;
}

/* The next cycle of a duty done every 12 months: 12 months after the
 * newest record of kind a or b, or as_of when there is none. */
static void cycle(struct acc *a, const struct az_records *recs, int ka, int kb, bool has_fallback,
                  struct az_date fallback, const char *kind, const char *ja, const char *en)
{
    const struct az_record *x = az_records_last(recs, (enum az_rec_kind)ka, a->as_of);
    const struct az_record *y =
        kb >= 0 ? az_records_last(recs, (enum az_rec_kind)kb, a->as_of) : NULL;
    char d[16];

    if (!x || (y && az_date_cmp(y->date, x->date) > 0))
        x = y;
    if (!x && has_fallback) {
        /* the profile's date (readiness), when nothing is recorded */
        az_date_iso(fallback, d, sizeof(d));
        push(a, az_date_add_year(fallback), kind, "institution",
             az_fmt("%s (前回 %s、プロファイル)", ja, d), az_fmt("%s (last %s, profile)", en, d));
        return;
    }
    if (!x) {
        push(a, a->as_of, kind, "institution", az_fmt("%s (記録なし: 今すぐ)", ja),
             az_fmt("%s (never recorded: now)", en));
        return;
    }
    az_date_iso(x->date, d, sizeof(d));
    if (x->result == AZ_RES_FAILED) {
        /* a failed drill (or backup check) is redone soon, not in a year:
         * due AZ_DUE_REDO_DAYS after the failure (overdue once past) */
        push(a, az_date_add_days(x->date, AZ_DUE_REDO_DAYS), kind, "institution",
             az_fmt("%s (前回 %s は失敗: やり直し)", ja, d),
             az_fmt("%s (last %s failed: redo)", en, d));
        return;
    }
    if (x->by && *x->by)
        push(a, az_date_add_year(x->date), kind, "institution",
             az_fmt("%s (前回 %s、実施: %s)", ja, d, x->by),
             az_fmt("%s (last %s, by %s)", en, d, x->by));
    else
        push(a, az_date_add_year(x->date), kind, "institution", az_fmt("%s (前回 %s)", ja, d),
             az_fmt("%s (last %s)", en, d));
}

/* Every applicable item (and the gate) answered, none carried from an
 * earlier fiscal year. */
static bool checklist_done(const struct az_eval *e)
{
    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        if (r->status == AZ_ST_NOT_APPLICABLE)
            continue;
        if (!r->answer || r->answer->ans == AZ_ANS_NONE || r->answer->stale)
            return false;
    }
    return true;
}

static int cmp(const void *pa, const void *pb)
{
    const struct az_due *a = pa, *b = pb;
    int c = az_date_cmp(a->date, b->date);

    if (c)
        return c;
    if ((c = strcmp(a->kind, b->kind)))
        return c;
    return strcmp(a->subject, b->subject);
}

int az_due_compute(struct az_ctx *ctx, const struct az_profile *p, const struct az_plan *plan,
                   const struct az_records *recs, struct az_date as_of, struct az_dues *ret)
{
    return az_due_compute_held(ctx, p, plan, recs, as_of, NULL, 0, ret);
}

/* Was system's vendor form received in fiscal year fy? */
static bool held_in(const struct az_vendor_form_held *held, size_t n, const char *system, int fy)
{
    for (size_t i = 0; held && i < n; i++)
        if (held[i].system && !strcmp(held[i].system, system) && held[i].dated &&
            az_fiscal_year(held[i].received) == fy)
            return true;
    return false;
}

int az_due_compute_held(struct az_ctx *ctx, const struct az_profile *p, const struct az_plan *plan,
                        const struct az_records *recs, struct az_date as_of,
                        const struct az_vendor_form_held *held, size_t nheld, struct az_dues *ret)
{
    struct acc a = {.d = ret, .as_of = as_of};
    int fy = az_fiscal_year(as_of);
    char fyj[32], fye[32];
    bool need_mfa = !p || !p->nsystems;

    ret->v = NULL;
    ret->n = 0;

    /* the plan: each open track's due date */
    for (size_t i = 0; plan && i < plan->n; i++) {
        const struct az_plan_item *pi = &plan->v[i];
        const struct az_item *it = pi->result->item;
        for (int k = 0; k < 2; k++) {
            const struct az_plan_track *t = &pi->track[k];
            AZ_AUTOFREE char *subj = NULL;
            if (t->status == AZ_PLAN_DONE || t->status == AZ_PLAN_VERIFIED ||
                !az_date_valid(t->due))
                continue;
            if (!(subj = az_fmt("%s-%s", it->label ? it->label : it->id,
                                k == AZ_TRACK_INTERIM ? "interim" : "permanent"))) {
                a.oom = true;
                continue;
            }
            push(&a, t->due, "plan", subj,
                 az_fmt("対応計画 %s %s の%s", it->label ? it->label : "", it->title.ja,
                        k == AZ_TRACK_INTERIM ? "暫定対策" : "本対策"),
                 az_fmt("plan %s %s: %s", it->label ? it->label : "", it->title.en,
                        k == AZ_TRACK_INTERIM ? "interim mitigation" : "permanent fix"));
        }
    }

    /* the recurring duties */
    cycle(&a, recs, AZ_REC_DRILL, -1, p && p->has_restore_drill, p ? p->restore_drill : as_of,
          "drill", "バックアップからの復元訓練", "restore drill from backup");
    {
        /* a failed offline-backup check: check again soon */
        const struct az_record *b = az_records_last(recs, AZ_REC_BACKUP, as_of);
        if (b && b->result == AZ_RES_FAILED)
            cycle(&a, recs, AZ_REC_BACKUP, -1, false, as_of, "backup",
                  "オフラインのバックアップの確認", "offline backup check");
    }
    cycle(&a, recs, AZ_REC_BCP, AZ_REC_REVIEW, p && p->cyber_bcp.has_reviewed,
          p ? p->cyber_bcp.reviewed : as_of, "bcp", "サイバー攻撃を想定した BCP の見直し",
          "review of the cyber-attack BCP");
    cycle(&a, recs, AZ_REC_CONTACTS, AZ_REC_REVIEW, p && p->incident_contacts.has_reviewed,
          p ? p->incident_contacts.reviewed : as_of, "contacts",
          "インシデント時の連絡体制図の見直し", "review of the incident contact chart");
    {
        const struct az_record *t = az_records_last(recs, AZ_REC_TRAINING, as_of);
        int tfy = t && az_fiscal_year(t->date) == fy ? fy + 1 : fy;
        az_fy_format(tfy, AZ_LANG_JA, fyj, sizeof(fyj));
        az_fy_format(tfy, AZ_LANG_EN, fye, sizeof(fye));
        push(&a, az_fy_end(tfy), "training", "institution", az_fmt("%sの職員研修", fyj),
             az_fmt("staff security training of %s", fye));
    }

    /* two-factor authentication from FY2027 on */
    for (size_t i = 0; p && i < p->nsystems; i++)
        if (p->systems[i].mfa != 1)
            need_mfa = true;
    if (need_mfa && az_date_cmp(as_of, AZ_MFA_REFERENCE) <= 0)
        push(&a, AZ_MFA_REFERENCE, "mfa", "institution",
             az_fmt("令和9年度: これから導入・更新するシステムには二要素認証が必要"),
             az_fmt("FY2027: systems introduced or renewed from now on need two-factor "
                    "authentication"));

    /* each vendor's form, once in each fiscal year: this year's until it is
     * received, and next year's */
    az_fy_format(fy, AZ_LANG_JA, fyj, sizeof(fyj));
    az_fy_format(fy, AZ_LANG_EN, fye, sizeof(fye));
    for (size_t i = 0; p && i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        if (!s->vendor || held_in(held, nheld, s->id, fy))
            continue;
        push(&a, az_fy_start(fy), "vendor-form", s->id,
             az_fmt("%sの事業者確認用を %s (%s) に依頼", fyj, s->vendor, s->name),
             az_fmt("ask %s for the %s vendor form (%s)", s->vendor, fye, s->name));
    }
    az_fy_format(fy + 1, AZ_LANG_JA, fyj, sizeof(fyj));
    az_fy_format(fy + 1, AZ_LANG_EN, fye, sizeof(fye));
    for (size_t i = 0; p && i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        if (!s->vendor)
            continue;
        push(&a, az_fy_start(fy + 1), "vendor-form", s->id,
             az_fmt("%sの事業者確認用を %s (%s) に依頼", fyj, s->vendor, s->name),
             az_fmt("ask %s for the %s vendor form (%s)", s->vendor, fye, s->name));
    }

    /* this fiscal year's checklist, until every applicable item has an
     * answer checked in this fiscal year (due from April 1st, overdue after) */
    if (plan && plan->eval && !checklist_done(plan->eval)) {
        az_fy_format(fy, AZ_LANG_JA, fyj, sizeof(fyj));
        az_fy_format(fy, AZ_LANG_EN, fye, sizeof(fye));
        push(&a, az_fy_start(fy), "checklist", "institution",
             az_fmt("%sのチェックリストで自己点検", fyj),
             az_fmt("self-assessment with the %s checklist", fye));
        az_fy_format(fy + 1, AZ_LANG_JA, fyj, sizeof(fyj));
        az_fy_format(fy + 1, AZ_LANG_EN, fye, sizeof(fye));
    }

    /* the next fiscal year's checklist */
    push(&a, az_fy_start(fy + 1), "checklist", "institution",
         az_fmt("%sのチェックリストで自己点検", fyj),
         az_fmt("self-assessment with the %s checklist", fye));

    if (a.oom) {
        az_dues_free(ret);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    if (ret->n)
        qsort(ret->v, ret->n, sizeof(*ret->v), cmp);
    return 0;
}

void az_dues_free(struct az_dues *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].subject);
        free(d->v[i].ja);
        free(d->v[i].en);
        free(d->v[i].uid);
    }
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

json_t *az_dues_json(const struct az_dues *d, struct az_date as_of, int days)
{
    json_t *arr = json_array();
    struct az_date until = az_date_add_days(as_of, days);

    for (size_t i = 0; arr && i < d->n; i++) {
        const struct az_due *x = &d->v[i];
        char iso[16];
        if (az_date_cmp(x->date, until) > 0)
            continue;
        az_date_iso(x->date, iso, sizeof(iso));
        if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "date", iso,
                                                 "kind", x->kind, "subject", x->subject, "ja",
                                                 x->ja, "en", x->en, "overdue", x->overdue)) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static int prop(struct az_buf *b, const char *name, const char *text)
{
    struct az_buf l;
    int r;

    az_buf_init(&l, 1u << 20);
    if ((r = az_buf_puts(&l, name)) < 0 || (r = az_buf_puts(&l, ":")) < 0 ||
        (r = az_ics_escape(&l, text)) < 0 || (r = az_ics_line(b, l.data)) < 0) {
        az_buf_done(&l);
        return r;
    }
    az_buf_done(&l);
    return 0;
}

char *az_dues_ics(const struct az_dues *d, struct az_date as_of, enum az_lang lang)
{
    struct az_buf b;
    char stamp[32];
    bool en = lang == AZ_LANG_EN;

    snprintf(stamp, sizeof(stamp), "DTSTAMP:%04d%02d%02dT000000Z", as_of.y, as_of.m, as_of.d);
    az_buf_init(&b, 64u << 20);
    if (az_ics_line(&b, "BEGIN:VCALENDAR") < 0 || az_ics_line(&b, "VERSION:2.0") < 0 ||
        az_ics_line(&b, "PRODID:-//anzen//anzen " AZ_VERSION "//JA") < 0 ||
        az_ics_line(&b, "CALSCALE:GREGORIAN") < 0 ||
        prop(&b, "X-WR-CALNAME", en ? "anzen: security duties" : "anzen: 安全管理の予定") < 0)
        goto nomem;
    for (size_t i = 0; i < d->n; i++) {
        const struct az_due *x = &d->v[i];
        struct az_date end = az_date_add_days(x->date, 1);
        char ds[64], de[64];
        AZ_AUTOFREE char *desc = NULL;
        snprintf(ds, sizeof(ds), "DTSTART;VALUE=DATE:%04d%02d%02d", x->date.y, x->date.m,
                 x->date.d);
        snprintf(de, sizeof(de), "DTEND;VALUE=DATE:%04d%02d%02d", end.y, end.m, end.d);
        desc = az_fmt("%s\n%s: %s", en ? x->en : x->ja, en ? "kind" : "種類", x->kind);
        if (!desc || az_ics_line(&b, "BEGIN:VEVENT") < 0 || prop(&b, "UID", x->uid) < 0 ||
            az_ics_line(&b, stamp) < 0 || az_ics_line(&b, ds) < 0 || az_ics_line(&b, de) < 0 ||
            prop(&b, "SUMMARY", en ? x->en : x->ja) < 0 || prop(&b, "DESCRIPTION", desc) < 0 ||
            prop(&b, "CATEGORIES", x->kind) < 0 || az_ics_line(&b, "TRANSP:TRANSPARENT") < 0 ||
            az_ics_line(&b, "END:VEVENT") < 0)
            goto nomem;
    }
    if (az_ics_line(&b, "END:VCALENDAR") < 0)
        goto nomem;
    return az_buf_take(&b);
nomem:
    az_buf_done(&b);
    return NULL;
}
