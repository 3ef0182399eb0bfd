/* SPDX-License-Identifier: MIT */
/*
 * status.c - the status of an evaluation as text, Markdown or the
 * anzen-status/1 JSON, as `anzen status` prints it and the web UI serves
 * it (workspace.h: az_ws_status_render).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/util.h"
#include "anzen/workspace.h"

/* the language, as the rendering code below reads it */
struct lc {
    enum az_lang lang;
};
#define L(c, ja, en) ((c)->lang == AZ_LANG_EN ? (en) : (ja))

static const char *tx(const struct lc *c, struct az_text t)
{
    return c->lang == AZ_LANG_EN ? t.en : t.ja;
}

static void score_line(const struct lc *c, struct az_buf *b, const char *name,
                       const struct az_score *s, bool md)
{
    int pct = az_score_pct(s);
    size_t w = az_utf8_width(name);

    if (md) {
        if (pct < 0)
            az_buf_printf(b, "| %s | – | – | – | – | – |\n", name);
        else
            az_buf_printf(b, "| %s | %d/%d | %d%% | %d | %d | %d |\n", name, s->satisfied,
                          s->applicable, pct, s->gaps, s->unanswered, s->overdue);
        return;
    }
    az_buf_printf(b, "  %s", name);
    do
        az_buf_puts(b, " ");
    while (++w < 30);
    if (pct < 0) {
        az_buf_printf(b, "%s\n", L(c, "該当なし", "none apply"));
        return;
    }
    az_buf_printf(b, "%3d/%-3d %3d%%  ", s->satisfied, s->applicable, pct);
    for (int i = 0; i < 20; i++)
        az_buf_puts(b, i < (pct * 20 + 50) / 100 ? "#" : ".");
    az_buf_printf(b, "  %s %d  %s %d  %s %d\n", L(c, "未対応", "gaps"), s->gaps,
                  L(c, "未回答", "unanswered"), s->unanswered, L(c, "期限超過", "overdue"),
                  s->overdue);
}

static void item_line(const struct lc *c, struct az_buf *b, const struct az_item_result *r, bool md)
{
    char d[16], why[96] = "";
    const struct az_answer *a = r->answer;

    if (r->overdue == AZ_OD_FISCAL_YEAR) {
        char fy[32];
        az_fy_format(r->item->required_from, c->lang, fy, sizeof(fy));
        az_date_iso(r->deadline, d, sizeof(d));
        snprintf(why, sizeof(why), L(c, "%sから必須 (期限 %s)", "required since %s (deadline %s)"),
                 fy, d);
    } else if (r->overdue == AZ_OD_DUE_BY) {
        az_date_iso(r->deadline, d, sizeof(d));
        snprintf(why, sizeof(why), L(c, "期限 %s を過ぎています", "deadline %s has passed"), d);
    } else if (r->overdue == AZ_OD_TARGET) {
        az_date_iso(a->target, d, sizeof(d));
        snprintf(why, sizeof(why), L(c, "目標日 %s を過ぎています", "target date %s has passed"),
                 d);
    } else if (a && a->has_target && a->stale) {
        az_date_iso(a->target, d, sizeof(d));
        snprintf(
            why, sizeof(why),
            L(c, "前年度の目標日 %s: 新しい目標日が必要", "last year's target %s: set a new one"),
            d);
    } else if (a && a->has_target) {
        az_date_iso(a->target, d, sizeof(d));
        snprintf(why, sizeof(why), L(c, "目標日 %s", "target %s"), d);
    } else if (r->has_deadline) {
        az_date_iso(r->deadline, d, sizeof(d));
        snprintf(why, sizeof(why), L(c, "期限 %s", "deadline %s"), d);
    }
    if (md) {
        az_buf_printf(b, "| %s | %s | %s%s | %s | `%s` |\n", r->item->label, tx(c, r->item->title),
                      az_status_name(r->status, c->lang),
                      a && a->reconfirm ? L(c, " (要再確認)", " (to re-check)") : "", why,
                      r->item->id);
        return;
    }
    az_buf_printf(b, "  %s", r->item->label);
    for (size_t w = az_utf8_width(r->item->label); w < 8; w++)
        az_buf_puts(b, " ");
    az_buf_printf(b, "%s  [%s%s]", tx(c, r->item->title), az_status_name(r->status, c->lang),
                  a && a->reconfirm ? L(c, "・要再確認", ", to re-check") : "");
    if (why[0])
        az_buf_printf(b, "  %s", why);
    if (r->item->confidence != AZ_CONF_VERIFIED)
        az_buf_printf(b, "  (%s)", az_conf_name(r->item->confidence, c->lang));
    az_buf_puts(b, "\n");
}

static const struct az_system *find_system(const struct az_profile *p, const char *id)
{
    for (size_t i = 0; id && i < p->nsystems; i++)
        if (!strcmp(p->systems[i].id, id))
            return &p->systems[i];
    return NULL;
}

static json_t *vendor_json(const struct az_ws_vendor_form *vs, size_t nvs)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < nvs; i++) {
        json_t *x =
            json_pack("{s:s, s:s, s:s, s:b}", "system", vs[i].sys->id, "name", vs[i].sys->name,
                      "vendor", vs[i].sys->vendor, "received", vs[i].e != NULL);
        if (vs[i].e) {
            const struct az_score *t = &vs[i].e->total;
            json_object_set_new(x, "total",
                                json_pack("{s:i, s:i, s:i, s:i}", "applicable", t->applicable,
                                          "satisfied", t->satisfied, "gaps", t->gaps, "unanswered",
                                          t->unanswered));
        }
        json_array_append_new(arr, x);
    }
    return arr;
}

static void vendor_section(const struct lc *c, struct az_buf *b, const struct az_ws_vendor_form *vs,
                           size_t nvs, bool md)
{
    if (!nvs)
        return;
    az_buf_printf(b, "\n%s%s\n%s", md ? "## " : "",
                  L(c, "事業者確認用 (システムごと)", "Vendor forms (per system)"), md ? "\n" : "");
    for (size_t i = 0; i < nvs; i++) {
        az_buf_printf(b, "%s%s (%s): ", md ? "- " : "  ", vs[i].sys->name, vs[i].sys->vendor);
        if (!vs[i].e) {
            az_buf_printf(b, L(c, "未受領 (%s を待っています)\n", "not received (expecting %s)\n"),
                          vs[i].path);
            continue;
        }
        az_buf_printf(
            b, L(c, "%d/%d はい、いいえ %d、未回答 %d\n", "%d/%d yes, %d no, %d unanswered\n"),
            vs[i].e->total.satisfied, vs[i].e->total.applicable, vs[i].e->total.gaps,
            vs[i].e->total.unanswered);
    }
}

static char *render(const struct lc *c, const struct az_eval *e, const char *fmt,
                    const struct az_ws_vendor_form *vs, size_t nvs)
{
    const struct az_profile *p = e->profile;
    struct az_buf b;
    char d[16], wa[64], fy[32];
    bool md = !strcmp(fmt, "md");
    int n;

    if (!strcmp(fmt, "json")) {
        json_t *j = az_eval_to_json(e);
        json_object_set_new(j, "vendor_forms", vendor_json(vs, nvs));
        char *s = json_dumps(j, JSON_INDENT(2));
        json_decref(j);
        if (s) {
            size_t l = strlen(s);
            char *t = realloc(s, l + 2);
            if (!t) {
                free(s);
                return NULL;
            }
            t[l] = '\n';
            t[l + 1] = '\0';
            return t;
        }
        return NULL;
    }
    az_buf_init(&b, 16u * 1024 * 1024);
    az_date_iso(e->as_of, d, sizeof(d));
    az_date_wareki(e->as_of, wa, sizeof(wa));
    az_fy_format(e->as_of_fy, c->lang, fy, sizeof(fy));
    if (md)
        az_buf_printf(&b, "# %s — %s\n\n",
                      L(c, "サイバーセキュリティ対策の状況", "Cybersecurity status"), p->name);
    else
        az_buf_printf(&b, "%s — %s (%s)\n", L(c, "anzen 状況", "anzen status"), p->name,
                      az_inst_name(p->type, c->lang));
    az_buf_printf(&b, "%s%s %s %s (%s)\n", md ? "- " : "", L(c, "評価した版:", "Assessed against:"),
                  tx(c, az_form_doc_title(e->form)), e->edition->version, tx(c, e->form->title));
    if (e->form->vendor) {
        const struct az_system *sy = find_system(p, e->system);
        az_buf_printf(&b, "%s%s %s (%s)\n", md ? "- " : "", L(c, "対象システム:", "System:"),
                      sy ? sy->name : e->system, sy && sy->vendor ? sy->vendor : "");
    }
    az_buf_printf(&b, "%s%s %s (%s, %s)\n", md ? "- " : "", L(c, "基準日:", "As of:"), d, wa, fy);
    if (e->newer) {
        az_buf_printf(&b, "%s%s\n", md ? "- " : "",
                      e->newer->nitems
                          ? L(c, "※ より新しい版があります:", "Note: a newer edition exists:")
                          : L(c,
                              "※ より新しい版があります (項目一覧は未確認のため anzen には未収録。"
                              "上の版で評価しました):",
                              "Note: a newer edition exists (its item list is not yet verified, "
                              "so anzen assessed against the edition above):"));
        az_buf_printf(&b, "%s   %s %s (%s %s)\n", md ? "  " : "", tx(c, e->newer->title),
                      e->newer->version, L(c, "公表", "published"), e->newer->published);
    }
    if (e->guideline)
        az_buf_printf(&b, "%s%s %s %s\n", md ? "- " : "", L(c, "ガイドライン:", "Guideline:"),
                      tx(c, e->guideline->title), e->guideline->version);
    az_buf_puts(&b, "\n");
    if (e->gate_conflict) {
        const struct az_profile *pr = e->profile;
        az_buf_printf(&b, "%s", md ? "> **" : "");
        az_buf_printf(&b,
                      L(c,
                        "警告: 前提項目「医療情報システムの有無」に「いいえ」と回答していますが、"
                        "プロファイル (%s) には医療情報システムがあります",
                        "Warning: the gate item (medical information systems) is answered no, "
                        "but the profile (%s) says there are medical systems"),
                      pr && pr->file ? pr->file : "profile.yaml");
        for (size_t i = 0; pr && i < pr->nsystems; i++)
            az_buf_printf(&b, "%s%s", i ? L(c, "、", ", ") : L(c, " (", " ("),
                          pr->systems[i].name ? pr->systems[i].name : pr->systems[i].id);
        az_buf_printf(&b, "%s%s%s\n\n", pr && pr->nsystems ? L(c, ")", ")") : "",
                      L(c, "。回答かプロファイルを直してください (この食い違いは要対応です)。",
                        ". Correct the answer or the profile (this contradiction needs "
                        "attention)."),
                      md ? "**" : "");
    }
    if (e->gate_closed) {
        az_buf_printf(&b, "%s\n",
                      L(c, "医療情報システムを導入・運用していないため、ほかの項目は対象外です。",
                        "No medical information system is in use, so no other item applies."));
        goto out;
    }
    n = az_score_pct(&e->total);
    az_buf_printf(&b, "%s%s %d/%d %s (%d%%)  %s %d  %s %d  %s %d  %s %d\n\n", md ? "**" : "",
                  L(c, "全体:", "Overall:"), e->total.satisfied, e->total.applicable,
                  L(c, "対応済み", "satisfied"), n < 0 ? 0 : n, L(c, "未対応", "gaps"),
                  e->total.gaps, L(c, "未回答", "unanswered"), e->total.unanswered,
                  L(c, "期限超過", "overdue"), e->total.overdue, L(c, "対象外", "n/a"),
                  e->total.na);
    if (md)
        az_buf_printf(
            &b, "**\n\n## %s\n\n| %s | %s | %% | %s | %s | %s |\n|---|---|---|---|---|---|\n",
            L(c, "役割別", "By role"), L(c, "役割", "Role"), L(c, "対応", "Done"),
            L(c, "未対応", "Gaps"), L(c, "未回答", "Unanswered"), L(c, "期限超過", "Overdue"));
    else
        az_buf_printf(&b, "%s\n", L(c, "役割別", "By role"));
    for (int k = 0; k < AZ_NROLES; k++)
        score_line(c, &b, az_role_name((enum az_role)(1u << k), c->lang), &e->role[k], md);
    if (md)
        az_buf_printf(&b, "\n## %s\n\n| %s | %s | %% | %s | %s | %s |\n|---|---|---|---|---|---|\n",
                      L(c, "区分別", "By group"), L(c, "区分", "Group"), L(c, "対応", "Done"),
                      L(c, "未対応", "Gaps"), L(c, "未回答", "Unanswered"),
                      L(c, "期限超過", "Overdue"));
    else
        az_buf_printf(&b, "\n%s\n", L(c, "区分別", "By group"));
    for (size_t g = 0; g < e->edition->ngroups; g++) {
        AZ_AUTOFREE char *name = NULL; /* the title whole, however long */
        const struct az_score *gs = &e->group[g];
        if (gs->applicable == 0 && gs->na == 0)
            continue; /* e.g. the gate's own group */
        if (az_strf(&name, "%s %s", e->edition->groups[g].id, tx(c, e->edition->groups[g].title)) <
            0) {
            az_buf_done(&b);
            return NULL;
        }
        score_line(c, &b, name, gs, md);
    }
    /* overdue first, then the other open items */
    for (int pass = 0; pass < 2; pass++) {
        bool head = false;
        for (size_t i = 0; i < e->nresults; i++) {
            const struct az_item_result *r = &e->results[i];
            bool open = r->status == AZ_ST_GAP || r->status == AZ_ST_UNANSWERED;
            if (!open || (pass == 0) != (r->overdue != AZ_OD_NONE))
                continue;
            if (!head) {
                const char *h = pass == 0 ? L(c, "期限超過の項目", "Overdue items")
                                          : L(c, "未対応・未回答の項目", "Open items");
                if (md)
                    az_buf_printf(&b,
                                  "\n## %s\n\n| %s | %s | %s | %s | ID |\n|---|---|---|---|---|\n",
                                  h, L(c, "番号", "No."), L(c, "項目", "Item"),
                                  L(c, "状態", "Status"), L(c, "期限・理由", "Deadline / reason"));
                else
                    az_buf_printf(&b, "\n%s\n", h);
                head = true;
            }
            item_line(c, &b, r, md);
        }
    }
    /* answers carried over from an earlier edition and not answered
     * again: the form's 確認日 is the old one until they are re-checked */
    {
        bool head = false, carried = false;
        for (size_t i = 0; i < e->nresults; i++) {
            /* the edition's heading unless every one is of an earlier FY only */
            const struct az_answer *a = e->results[i].answer;
            carried = carried || (a && a->reconfirm && (a->carried_from || !a->stale));
        }
        for (size_t i = 0; i < e->nresults; i++) {
            const struct az_item_result *r = &e->results[i];
            const struct az_answer *a = r->answer;
            char cd[16] = "-";
            if (!a || !a->reconfirm || r->status == AZ_ST_NOT_APPLICABLE)
                continue;
            if (!head) {
                const char *h =
                    !carried ? L(c,
                                 "要再確認 (前年度以前に確認した回答。今年度あらためて確認して"
                                 "ください)",
                                 "To re-check (answers checked in an earlier fiscal year; check "
                                 "each again this fiscal year)")
                             : L(c,
                                 "要再確認 (前の版から引き継いだ回答。この版の文で確認し直して"
                                 "ください)",
                                 "To re-check (answers carried over from the previous edition; "
                                 "confirm each against this edition's wording)");
                if (md)
                    az_buf_printf(&b,
                                  "\n## %s\n\n| %s | %s | %s | %s | %s |\n|---|---|---|---|---|\n",
                                  h, L(c, "番号", "No."), L(c, "項目", "Item"),
                                  L(c, "引き継いだ回答", "Carried answer"),
                                  L(c, "前の確認日", "Earlier date checked"),
                                  L(c, "引き継ぎ元", "Carried from"));
                else
                    az_buf_printf(&b, "\n%s\n", h);
                head = true;
            }
            if (a->has_checked)
                az_date_iso(a->checked, cd, sizeof(cd));
            if (md) {
                az_buf_printf(&b, "| %s | %s | %s (%s) | %s | `%s` |\n", r->item->label,
                              tx(c, r->item->title), az_ans_name(a->ans, c->lang),
                              L(c, "要再確認", "to re-check"), cd,
                              a->carried_from ? a->carried_from->id : "-");
                continue;
            }
            az_buf_printf(&b, "  %s", r->item->label);
            for (size_t w = az_utf8_width(r->item->label); w < 8; w++)
                az_buf_puts(&b, " ");
            az_buf_printf(&b, "%s  [%s・%s]  %s %s", tx(c, r->item->title),
                          az_ans_name(a->ans, c->lang), L(c, "要再確認", "to re-check"),
                          L(c, "前の確認日", "earlier date checked"), cd);
            if (a->carried_from)
                az_buf_printf(&b, "  (%s %s)", L(c, "引き継ぎ元", "from"), a->carried_from->id);
            az_buf_puts(&b, "\n");
        }
    }
    vendor_section(c, &b, vs, nvs, md);
    if (e->total.gaps + e->total.unanswered == 0 && e->total.applicable > 0)
        az_buf_printf(
            &b, "\n%s\n",
            L(c, "適用されるすべての項目が対応済みです。", "Every applicable item is satisfied."));
out:
    if (b.len >= b.max) {
        az_buf_done(&b);
        return NULL;
    }
    return az_buf_take(&b);
}

char *az_ws_status_render(enum az_lang lang, const struct az_eval *e, const char *fmt,
                          const struct az_ws_vendor_form *vs, size_t nvs)
{
    struct lc c = {lang};
    return render(&c, e, fmt, vs, nvs);
}
