/* SPDX-License-Identifier: MIT */
/*
 * answers.c - the answers file: load with validation, write as YAML, and
 * carry answers across editions through the catalog's crosswalks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/assess.h"

#define MAX_ANSWERS  10000
#define MAX_EVIDENCE 100

enum az_ans az_ans_parse(const char *s)
{
    if (!strcmp(s, "はい") || !strcmp(s, "yes") || !strcmp(s, "Yes") || !strcmp(s, "YES") ||
        !strcmp(s, "y"))
        return AZ_ANS_YES;
    if (!strcmp(s, "いいえ") || !strcmp(s, "no") || !strcmp(s, "No") || !strcmp(s, "NO") ||
        !strcmp(s, "n"))
        return AZ_ANS_NO;
    if (!strcmp(s, "対象外") || !strcmp(s, "na") || !strcmp(s, "n/a") || !strcmp(s, "N/A") ||
        !strcmp(s, "NA"))
        return AZ_ANS_NA;
    return AZ_ANS_NONE;
}

const char *az_ans_name(enum az_ans a, enum az_lang lang)
{
    switch (a) {
    case AZ_ANS_YES:
        return lang == AZ_LANG_EN ? "yes" : "はい";
    case AZ_ANS_NO:
        return lang == AZ_LANG_EN ? "no" : "いいえ";
    case AZ_ANS_NA:
        return lang == AZ_LANG_EN ? "n/a" : "対象外";
    default:
        return lang == AZ_LANG_EN ? "unanswered" : "未回答";
    }
}

struct az_answers *az_answers_new(const struct az_edition *ed, const struct az_form *form)
{
    struct az_answers *a = calloc(1, sizeof(*a));

    if (!a)
        return NULL;
    a->edition = ed;
    a->form = form;
    return a;
}

static void answer_done(struct az_answer *x)
{
    free(x->note);
    for (size_t i = 0; i < x->nevidence; i++)
        free(x->evidence[i]);
    free(x->evidence);
}

void az_answers_free(struct az_answers *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        answer_done(&a->v[i]);
    free(a->v);
    free(a->system);
    free(a);
}

const struct az_answer *az_answers_get(const struct az_answers *a, const struct az_item *it)
{
    if (!a)
        return NULL;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].item == it)
            return &a->v[i];
    return NULL;
}

int az_answers_set(struct az_answers *a, const struct az_answer *ans)
{
    struct az_answer copy = *ans;
    struct az_answer *slot = NULL;

    copy.note = NULL;
    copy.evidence = NULL;
    copy.nevidence = 0;
    if (ans->note && !(copy.note = strdup(ans->note)))
        return AZ_ENOMEM;
    if (ans->nevidence) {
        copy.evidence = calloc(ans->nevidence, sizeof(char *));
        if (!copy.evidence) {
            answer_done(&copy);
            return AZ_ENOMEM;
        }
        for (size_t i = 0; i < ans->nevidence; i++) {
            if (!(copy.evidence[i] = strdup(ans->evidence[i]))) {
                answer_done(&copy);
                return AZ_ENOMEM;
            }
            copy.nevidence++;
        }
    }
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].item == ans->item)
            slot = &a->v[i];
    if (slot) {
        answer_done(slot);
        *slot = copy;
        return 0;
    }
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 32;
        struct az_answer *nv = realloc(a->v, nc * sizeof(*nv));
        if (!nv) {
            answer_done(&copy);
            return AZ_ENOMEM;
        }
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = copy;
    return 0;
}

static const char *const top_keys[] = {"anzen-answers", "edition", "form",
                                       "system",        "answers", NULL};
static const char *const ans_keys[] = {"item",     "answer",    "checked",      "target", "note",
                                       "evidence", "reconfirm", "carried-from", NULL};

int az_answers_load(struct az_ctx *ctx, const struct az_catalog *cat, const char *name,
                    const char *data, size_t len, struct az_answers **ret)
{
    struct az_doc *doc;
    struct az_answers *a = NULL;
    const struct az_edition *ed = NULL;
    const struct az_form *form = NULL;
    const json_t *root, *l;
    const char *s;
    struct av v;
    int r;

    r = az_doc_load(ctx, name, data, len, &doc);
    if (r < 0)
        return r;
    root = az_doc_root(doc);
    av_init(&v, ctx, doc, 10);
    if (!av_header(&v, root, top_keys, "answers file", "anzen-answers"))
        goto done;
    if ((s = av_str(&v, root, "edition", true))) {
        ed = az_catalog_edition(cat, s);
        if (!ed || !ed->checklist)
            av_err(&v, root, "edition", "チェックリストの版 \"%s\" はカタログにありません",
                   "checklist edition \"%s\" is not in the catalog", s);
        else if (!ed->nitems)
            av_err(&v, root, "edition",
                   "版 \"%s\" は項目が未収録のため回答できません (metadata-only)",
                   "edition \"%s\" has no items in the catalog (metadata-only)", s);
    }
    if ((s = av_str(&v, root, "form", true)) && ed) {
        form = az_edition_form(ed, s);
        if (!form)
            av_err(&v, root, "form", "版 %s に様式 \"%s\" はありません",
                   "edition %s has no form \"%s\"", ed->id, s);
    }
    if (!ed || !form || !ed->nitems)
        goto done;
    a = az_answers_new(ed, form);
    if (!a) {
        av_finish(&v);
        az_doc_free(doc);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    if ((s = av_str(&v, root, "system", false))) {
        if (!form->vendor)
            av_err(&v, root, "system", "system は事業者確認用の回答でのみ使います",
                   "system is only used in answers to a vendor form");
        a->system = strdup(s);
    }
    l = av_list(&v, root, "answers", true);
    if (l && json_array_size(l) > MAX_ANSWERS)
        av_err(&v, l, NULL, "回答が多すぎます (上限 %d)", "too many answers (limit %d)",
               MAX_ANSWERS);
    for (size_t i = 0; l && i < json_array_size(l) && i < MAX_ANSWERS; i++) {
        const json_t *o = json_array_get(l, i), *ev;
        struct az_answer x;
        const char *id;

        memset(&x, 0, sizeof(x));
        if (!av_object(&v, o, ans_keys, "answer"))
            continue;
        if (!(id = av_str(&v, o, "item", true)))
            continue;
        x.item = az_catalog_item(cat, id);
        if (!x.item)
            x.item = az_edition_item_by_label(ed, form, id);
        if (!x.item) {
            av_err(&v, o, "item", "未知の項目 ID \"%s\" (版 %s, 様式 %s)",
                   "unknown item id \"%s\" (edition %s, form %s)", id, ed->id, form->id);
            continue;
        }
        if (x.item->edition != ed || x.item->form != form) {
            av_err(&v, o, "item", "項目 \"%s\" は %s の様式 %s のものではありません",
                   "item \"%s\" does not belong to edition %s form %s", id, ed->id, form->id);
            continue;
        }
        if (az_answers_get(a, x.item)) {
            av_err(&v, o, "item", "項目 \"%s\" への回答が重複しています",
                   "more than one answer for item \"%s\"", id);
            continue;
        }
        if ((s = av_str(&v, o, "answer", true))) {
            x.ans = az_ans_parse(s);
            if (!x.ans)
                av_err(&v, o, "answer", "回答 \"%s\" は はい / いいえ / 対象外 のいずれかです",
                       "answer \"%s\" must be はい/yes, いいえ/no or 対象外/na", s);
        }
        if (json_object_get(o, "checked"))
            x.has_checked = av_date(&v, o, "checked", true, &x.checked);
        else if (x.ans == AZ_ANS_YES || x.ans == AZ_ANS_NO)
            av_err(&v, o, NULL, "項目 \"%s\" に確認日 (checked) がありません",
                   "item \"%s\" has no date checked (checked)", id);
        if (json_object_get(o, "target"))
            x.has_target = av_date(&v, o, "target", true, &x.target);
        else if (x.ans == AZ_ANS_NO && !x.item->gate)
            av_err(&v, o, NULL, "項目 \"%s\" は「いいえ」なので目標日 (target) が必要です",
                   "item \"%s\" is answered no, so it needs a target date (target)", id);
        if (x.has_target && x.has_checked && az_date_cmp(x.target, x.checked) < 0)
            av_err(&v, o, "target", "項目 \"%s\" の目標日が確認日より前です",
                   "item \"%s\": target date is before the date checked", id);
        x.reconfirm = av_bool(&v, o, "reconfirm", false);
        if ((s = av_str(&v, o, "carried-from", false))) {
            x.carried_from = az_catalog_item(cat, s);
            if (!x.carried_from)
                av_err(&v, o, "carried-from", "引き継ぎ元の項目 \"%s\" はカタログにありません",
                       "carried-from item \"%s\" is not in the catalog", s);
        }
        if ((s = av_str(&v, o, "note", false))) {
            if (strlen(s) > AZ_NOTE_MAX)
                av_err(&v, o, "note", "備考が長すぎます (上限 %d バイト)",
                       "note too long (limit %d bytes)", AZ_NOTE_MAX);
            x.note = (char *)s;
        }
        if ((ev = json_object_get(o, "evidence"))) {
            size_t n;
            const char **e = av_strlist(&v, o, "evidence", false, &n);
            if (n > MAX_EVIDENCE)
                av_err(&v, o, "evidence", "証跡が多すぎます", "too many evidence entries");
            x.evidence = (char **)e;
            x.nevidence = n > MAX_EVIDENCE ? MAX_EVIDENCE : n;
            r = az_answers_set(a, &x);
            free(e);
        } else {
            r = az_answers_set(a, &x);
        }
        if (r < 0) {
            av_finish(&v);
            az_answers_free(a);
            az_doc_free(doc);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
    }
done:
    r = av_finish(&v);
    az_doc_free(doc);
    if (r < 0) {
        az_answers_free(a);
        return r;
    }
    *ret = a;
    return 0;
}

int az_answers_load_file(struct az_ctx *ctx, const struct az_catalog *cat, const char *path,
                         struct az_answers **ret)
{
    char *data;
    size_t len;
    int r = az_read_text_file(ctx, path, &data, &len);

    if (r < 0)
        return r;
    r = az_answers_load(ctx, cat, path, data, len, ret);
    free(data);
    return r;
}

char *az_answers_to_yaml(const struct az_answers *a, enum az_lang lang)
{
    struct az_buf b;
    char d[16];

    az_buf_init(&b, 64u * 1024 * 1024);
    az_buf_puts(&b, "# anzen answers (docs/answers-format.md)\nanzen-answers: 1\n");
    az_buf_printf(&b, "edition: %s\nform: %s\n", a->edition->id, a->form->id);
    if (a->system) {
        az_buf_puts(&b, "system: ");
        az_yaml_quote(&b, a->system);
        az_buf_puts(&b, "\n");
    }
    az_buf_puts(&b, a->n ? "answers:\n" : "answers: []\n");
    /* catalog order, so diffs of the file stay readable */
    for (size_t k = 0; k < a->edition->nitems; k++) {
        const struct az_answer *x = az_answers_get(a, a->edition->items[k]);
        if (!x)
            continue;
        az_buf_printf(&b, "  - item: %s  # %s\n", x->item->id, x->item->label);
        az_buf_printf(&b, "    answer: %s\n", az_ans_name(x->ans, AZ_LANG_JA));
        if (x->has_checked) {
            az_date_iso(x->checked, d, sizeof(d));
            az_buf_printf(&b, "    checked: %s\n", d);
        }
        if (x->has_target) {
            az_date_iso(x->target, d, sizeof(d));
            az_buf_printf(&b, "    target: %s\n", d);
        }
        if (x->note) {
            az_buf_puts(&b, "    note: ");
            az_yaml_quote(&b, x->note);
            az_buf_puts(&b, "\n");
        }
        if (x->carried_from)
            az_buf_printf(&b, "    carried-from: %s  # %s\n", x->carried_from->id,
                          lang == AZ_LANG_EN ? "carried over from" : "引き継ぎ元");
        if (x->reconfirm)
            az_buf_printf(&b, "    reconfirm: true  # %s\n",
                          x->stale && !x->carried_from
                              ? (lang == AZ_LANG_EN
                                     ? "to re-check: checked in an earlier fiscal year"
                                     : "要再確認 (前年度以前の確認。今年度確認し直す)")
                          : lang == AZ_LANG_EN ? "to re-check on this edition's wording"
                                               : "要再確認 (この版の文で確認し直す)");
        if (x->nevidence) {
            az_buf_puts(&b, "    evidence:\n");
            for (size_t i = 0; i < x->nevidence; i++) {
                az_buf_puts(&b, "      - ");
                az_yaml_quote(&b, x->evidence[i]);
                az_buf_puts(&b, "\n");
            }
        }
    }
    if (b.len >= b.max) {
        az_buf_done(&b);
        return NULL;
    }
    return az_buf_take(&b);
}

/* Walk back from `to` through crosswalks until an item of from->edition.
 * Supports hops across several editions (r5 -> r6 -> r7). Fills srcs with
 * the items of the old edition and returns whether the chain carries
 * answers (same/merged only). */
static bool chain_sources(const struct az_item *to, const struct az_edition *old,
                          const struct az_item **srcs, size_t *nsrcs, size_t max, bool *merged)
{
    const struct az_xwalk *xw = to->xwalk;

    if (to->edition == old) {
        if (*nsrcs < max)
            srcs[(*nsrcs)++] = to;
        return true;
    }
    if (!xw || (xw->rel != AZ_XREL_SAME && xw->rel != AZ_XREL_MERGED))
        return false;
    if (xw->rel == AZ_XREL_MERGED)
        *merged = true;
    for (size_t i = 0; i < xw->nfrom; i++)
        if (!chain_sources(xw->from[i], old, srcs, nsrcs, max, merged))
            return false;
    return *nsrcs > 0;
}

int az_answers_migrate(struct az_ctx *ctx, const struct az_answers *from,
                       const struct az_edition *to, struct az_answers **ret)
{
    const struct az_form *form = az_edition_form(to, from->form->id);
    struct az_answers *a;

    /* no form of the same id (令和8 combines 医療機関 and 薬局 into one
     * form "hp"): the form of `to` for the same audience and institutions */
    for (size_t f = 0; !form && f < to->nforms; f++)
        if (to->forms[f].vendor == from->form->vendor &&
            (from->form->vendor || (to->forms[f].inst_types & from->form->inst_types)))
            form = &to->forms[f];
    if (!form)
        return az_fail(ctx, AZ_ENOTFOUND, "版 %s に様式 \"%s\" がないため回答を引き継げません",
                       "edition %s has no form \"%s\"; answers cannot carry over", to->id,
                       from->form->id);
    a = az_answers_new(to, form);
    if (!a || (from->system && !(a->system = strdup(from->system)))) {
        az_answers_free(a);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    for (size_t i = 0; i < to->nitems; i++) {
        const struct az_item *it = to->items[i], *srcs[16];
        const struct az_answer *first = NULL;
        size_t ns = 0;
        bool merged = false, agree = true;

        if (it->form != form)
            continue;
        if (!chain_sources(it, from->edition, srcs, &ns, 16, &merged))
            continue;
        for (size_t k = 0; k < ns; k++) {
            const struct az_answer *x;
            /* a merge of several forms' items (hp <- h, p): only the
             * answered form's items can have answers */
            if (srcs[k]->form != from->form)
                continue;
            x = az_answers_get(from, srcs[k]);
            if (!x) {
                agree = false;
                break;
            }
            if (!first)
                first = x;
            else if (x->ans != first->ans)
                agree = false;
        }
        if (!first || !agree)
            continue;
        {
            struct az_answer x = *first;
            x.item = it;
            x.carried_from = first->item;
            x.reconfirm = true;
            if (az_answers_set(a, &x) < 0) {
                az_answers_free(a);
                return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            }
        }
    }
    a->dropped = from->n > a->n ? from->n - a->n : 0;
    *ret = a;
    return 0;
}

size_t az_answers_mark_stale(struct az_answers *a, struct az_date as_of)
{
    size_t n = 0;
    int fy = az_fiscal_year(as_of);

    for (size_t i = 0; a && i < a->n; i++) {
        struct az_answer *x = &a->v[i];
        if (x->ans == AZ_ANS_NONE || !x->has_checked || az_fiscal_year(x->checked) >= fy)
            continue;
        x->stale = true;
        x->reconfirm = true;
        n++;
    }
    return n;
}
