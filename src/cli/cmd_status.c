/* SPDX-License-Identifier: MIT */
/*
 * cmd_status.c - `anzen status` (where the institution stands) and
 * `anzen applicable` (what applies to whom), plus the shared loading and
 * rendering of an evaluation in text, Markdown and JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/store.h"
#include "anzen/vendor.h"
#include "cli.h"

int eval_with(struct cli *c, const struct az_profile *p, const char *answers_path,
              const char *edition, const char *vendor_system, struct az_answers **ret_a,
              struct az_eval **ret_e)
{
    struct az_answers *a = NULL;
    struct az_eval *e = NULL;
    const struct az_edition *ed;
    const struct az_system *sys = NULL;

    if (vendor_system) {
        for (size_t i = 0; i < p->nsystems; i++)
            if (!strcmp(p->systems[i].id, vendor_system))
                sys = &p->systems[i];
        if (!sys || !sys->vendor) {
            cli_err(c, "%s: 事業者のいるシステム \"%s\" はありません",
                    "%s: no system \"%s\" with a vendor", p->file, vendor_system);
            return EXIT_ERROR;
        }
    }
    if (answers_path && access(answers_path, F_OK) == 0) {
        if (az_answers_load_file(&c->ctx, c->cat, answers_path, &a) < 0) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        if (sys && (!a->form->vendor || !a->system || strcmp(a->system, sys->id) != 0)) {
            cli_err(c, "%s: システム \"%s\" の事業者確認用の回答ではありません",
                    "%s: not the vendor-form answers of system \"%s\"", answers_path, sys->id);
            az_answers_free(a);
            return EXIT_ERROR;
        }
        if (!sys && a->form->vendor) {
            cli_err(c, "%s: 事業者確認用の回答です (--vendor SYSTEM を付けてください)",
                    "%s: these are vendor-form answers (add --vendor SYSTEM)", answers_path);
            az_answers_free(a);
            return EXIT_ERROR;
        }
    }
    if (edition)
        ed = cli_edition(c, edition);
    else if (a && a->edition->status == AZ_ED_CURRENT)
        ed = a->edition;
    else
        ed = cli_edition(c, NULL);
    if (!ed) {
        az_answers_free(a);
        return EXIT_ERROR;
    }
    if (a && a->edition != ed) {
        struct az_answers *m;
        if (az_answers_migrate(&c->ctx, a, ed, &m) < 0) {
            cli_liberr(c);
            az_answers_free(a);
            return EXIT_ERROR;
        }
        fprintf(
            stderr,
            L(c,
              "anzen: %s の回答 %zu 件のうち %zu 件を %s に引き継ぎました (残りは再確認が必要)\n",
              "anzen: %s answers: %zu, of which %zu carried over to %s (the rest need a new "
              "check)\n"),
            a->edition->version, a->n, m->n, ed->version);
        if (m->n && m->v[0].item->confidence == AZ_CONF_IMPORTED)
            fprintf(stderr, "%s\n",
                    L(c,
                      "anzen: 取り込んだ公式様式の版です。引き継いだ回答は様式の文で確認し直して"
                      "ください",
                      "anzen: this edition was imported from the official form; confirm each "
                      "carried answer again against its wording"));
        az_answers_free(a);
        a = m;
    }
    if (!a && sys) {
        const struct az_form *vf = NULL;
        for (size_t f = 0; f < ed->nforms; f++)
            if (ed->forms[f].vendor)
                vf = &ed->forms[f];
        if (!vf) {
            cli_err(c, "%s には事業者確認用がありません", "%s has no vendor form", ed->version);
            return EXIT_ERROR;
        }
        a = az_answers_new(ed, vf);
        if (!a || !(a->system = strdup(sys->id))) {
            az_answers_free(a);
            cli_err(c, "メモリ不足", "out of memory");
            return EXIT_ERROR;
        }
    }
    if (az_evaluate(&c->ctx, c->cat, p, a, ed, c->as_of, &e) < 0) {
        cli_liberr(c);
        az_answers_free(a);
        return EXIT_ERROR;
    }
    *ret_a = a;
    *ret_e = e;
    return 0;
}

int load_and_eval(struct cli *c, const char *profile_path, const char *answers_path,
                  const char *edition, const char *vendor_system, struct az_profile **ret_p,
                  struct az_answers **ret_a, struct az_eval **ret_e)
{
    struct az_profile *p = NULL;
    int r;

    if ((r = cli_catalog(c)))
        return r;
    if (az_profile_load_file(&c->ctx, profile_path, &p) < 0) {
        cli_liberr(c);
        if (access(profile_path, F_OK) != 0)
            fprintf(stderr, "%s",
                    L(c, "  ヒント: 先に anzen init でプロファイルを作ってください\n",
                      "  hint: create a profile first with anzen init\n"));
        return EXIT_ERROR;
    }
    r = eval_with(c, p, answers_path, edition, vendor_system, ret_a, ret_e);
    if (r) {
        az_profile_free(p);
        return r;
    }
    *ret_p = p;
    return 0;
}

void vendor_path(const char *answers_path, const char *system, char *buf, size_t n)
{
    const char *slash = answers_path ? strrchr(answers_path, '/') : NULL;

    if (slash)
        snprintf(buf, n, "%.*s/vendor-%s.yaml", (int)(slash - answers_path), answers_path, system);
    else
        snprintf(buf, n, "vendor-%s.yaml", system);
}

void vendor_sums_free(struct vendor_sum *vs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        az_eval_free(vs[i].e);
        az_answers_free(vs[i].a);
    }
    free(vs);
}

int vendor_sums(struct cli *c, const struct az_profile *p, const char *answers_path,
                const char *edition, struct vendor_sum **ret, size_t *ret_n)
{
    struct vendor_sum *vs = calloc(p->nsystems + 1, sizeof(*vs));
    size_t n = 0;

    if (!vs) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        if (!s->vendor)
            continue;
        vs[n].sys = s;
        vendor_path(answers_path, s->id, vs[n].path, sizeof(vs[n].path));
        if (access(vs[n].path, F_OK) == 0) {
            int r = eval_with(c, p, vs[n].path, edition, s->id, &vs[n].a, &vs[n].e);
            if (r) {
                vendor_sums_free(vs, n + 1);
                return r;
            }
        }
        n++;
    }
    *ret = vs;
    *ret_n = n;
    return 0;
}

json_t *vendor_check_held(const struct az_vendors *reg, const struct az_profile *p,
                          struct az_date as_of, const struct vendor_sum *vs, size_t n)
{
    struct az_vendor_form_held *held = calloc(n + 1, sizeof(*held));
    size_t nh = 0;
    json_t *res;

    if (!held)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!vs[i].a)
            continue;
        held[nh].system = vs[i].sys->id;
        for (size_t k = 0; k < vs[i].a->n; k++)
            if (vs[i].a->v[k].has_checked &&
                (!held[nh].dated || az_date_cmp(vs[i].a->v[k].checked, held[nh].received) > 0)) {
                held[nh].received = vs[i].a->v[k].checked;
                held[nh].dated = true;
            }
        nh++;
    }
    res = az_vendors_check_forms(reg, p, as_of, held, nh);
    free(held);
    return res;
}

static const char *tx(struct cli *c, struct az_text t)
{
    return c->lang == AZ_LANG_EN ? t.en : t.ja;
}

static void score_line(struct cli *c, struct az_buf *b, const char *name, const struct az_score *s,
                       bool md)
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

static void item_line(struct cli *c, struct az_buf *b, const struct az_item_result *r, bool md)
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
    } else if (a && a->has_target) {
        az_date_iso(a->target, d, sizeof(d));
        snprintf(why, sizeof(why), L(c, "目標日 %s", "target %s"), d);
    } else if (r->has_deadline) {
        az_date_iso(r->deadline, d, sizeof(d));
        snprintf(why, sizeof(why), L(c, "期限 %s", "deadline %s"), d);
    }
    if (md) {
        az_buf_printf(b, "| %s | %s | %s | %s | `%s` |\n", r->item->label, tx(c, r->item->title),
                      az_status_name(r->status, c->lang), why, r->item->id);
        return;
    }
    az_buf_printf(b, "  %s", r->item->label);
    for (size_t w = az_utf8_width(r->item->label); w < 8; w++)
        az_buf_puts(b, " ");
    az_buf_printf(b, "%s  [%s]", tx(c, r->item->title), az_status_name(r->status, c->lang));
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

static json_t *vendor_json(const struct vendor_sum *vs, size_t nvs)
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

static void vendor_section(struct cli *c, struct az_buf *b, const struct vendor_sum *vs, size_t nvs,
                           bool md)
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

char *render_status(struct cli *c, const struct az_eval *e, const char *fmt,
                    const struct vendor_sum *vs, size_t nvs)
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
        char name[256];
        const struct az_score *gs = &e->group[g];
        if (gs->applicable == 0 && gs->na == 0)
            continue; /* e.g. the gate's own group */
        snprintf(name, sizeof(name), "%s %s", e->edition->groups[g].id,
                 tx(c, e->edition->groups[g].title));
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

static void status_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen status [-p profile.yaml] [-a answers.yaml] [--edition 版]\n"
          "                     [--vendor SYSTEM] [--format text|json|md] [-o FILE]\n\n"
          "プロファイルと回答から、適用される項目の状況、役割別・区分別の点数、\n"
          "期限を過ぎた項目 (必須となった年度の末日、または目標日を過ぎた「いいえ」) "
          "を表示します。\n"
          "  -p, --profile FILE   プロファイル (既定: profile.yaml)\n"
          "  -a, --answers FILE   回答 (既定: answers.yaml。無ければすべて未回答)\n"
          "      --edition ED     評価する版 (既定: 収録している現行の版)\n"
          "      --vendor SYSTEM  そのシステムの事業者確認用 (既定 vendor-SYSTEM.yaml) を評価する\n"
          "  -f, --format FMT     text (既定), json (docs/status-json.md), md\n"
          "  -o, --output FILE    ファイルに書く (一時ファイル経由で安全に置き換え)\n"
          "      --save           この評価を日付つきでワークスペースに記録する\n"
          "  -w, --workspace DB   ワークスペース (既定: anzen.db)\n"
          "終了コード: 0 すべて対応済み, 2 未対応・未回答あり, 1 エラー, 64 使い方の誤り\n",
          "usage: anzen status [-p profile.yaml] [-a answers.yaml] [--edition ED]\n"
          "                    [--vendor SYSTEM] [--format text|json|md] [-o FILE]\n\n"
          "Shows the state of every applicable item, scores per role and group, and the\n"
          "overdue items (past the end of the fiscal year they became required in, or\n"
          "past their own target date). Vendor-form answers found next to the answers\n"
          "file (vendor-SYSTEM.yaml) are summarised too.\n"
          "  -p, --profile FILE   profile (default profile.yaml)\n"
          "  -a, --answers FILE   answers (default answers.yaml; none = all unanswered)\n"
          "      --edition ED     edition to assess against (default: current)\n"
          "      --vendor SYSTEM  evaluate that system's vendor form (vendor-SYSTEM.yaml)\n"
          "  -f, --format FMT     text (default), json (docs/status-json.md), md\n"
          "  -o, --output FILE    write to FILE (replaced atomically)\n"
          "      --save           record this assessment, dated, in the workspace\n"
          "  -w, --workspace DB   the workspace (default anzen.db)\n"
          "Exit codes: 0 all satisfied, 2 gaps or unanswered items, 1 error, 64 usage\n"));
}

int cmd_status(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"profile", required_argument, NULL, 'p'}, {"answers", required_argument, NULL, 'a'},
        {"edition", required_argument, NULL, 'e'}, {"vendor", required_argument, NULL, 'v'},
        {"format", required_argument, NULL, 'f'},  {"output", required_argument, NULL, 'o'},
        {"save", no_argument, NULL, 'S'},          {"workspace", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *answers = NULL, *edition = NULL, *vendor = NULL;
    const char *format = "text", *output = NULL, *db = "anzen.db";
    bool save = false;
    char vpath[4096];
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    struct vendor_sum *vs = NULL;
    size_t nvs = 0;
    char *s;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:e:v:f:o:w:h", opts, NULL)) != -1) {
        switch (o) {
        case 'S':
            save = true;
            break;
        case 'w':
            db = optarg;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            break;
        case 'e':
            edition = optarg;
            break;
        case 'v':
            vendor = optarg;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, true))
                return EXIT_USAGE;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            status_help(c, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足: \"%s\"",
                    "unknown option or missing argument: \"%s\"", argv[optind - 1]);
            status_help(c, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (!answers && vendor) {
        vendor_path(NULL, vendor, vpath, sizeof(vpath));
        answers = vpath;
    } else if (!answers) {
        answers = "answers.yaml";
    }
    if ((r = load_and_eval(c, profile, answers, edition, vendor, &p, &a, &e)))
        return r;
    if (!vendor && (r = vendor_sums(c, p, answers, e->edition->id, &vs, &nvs))) {
        az_eval_free(e);
        az_answers_free(a);
        az_profile_free(p);
        return r;
    }
    if (save) {
        struct az_store *st;
        long long id;
        const char *who = getenv("USER");
        if ((r = cli_open_store(c, db, &st)) == 0) {
            if (az_store_snapshot(st, &c->ctx, e, a, who && *who ? who : "anzen", &id) < 0) {
                cli_liberr(c);
                r = EXIT_ERROR;
            } else {
                fprintf(stderr,
                        L(c, "anzen: 評価を %s に記録しました (#%lld)\n",
                          "anzen: assessment recorded in %s (#%lld)\n"),
                        db, id);
            }
            az_store_close(st);
        }
        if (r) {
            vendor_sums_free(vs, nvs);
            az_eval_free(e);
            az_answers_free(a);
            az_profile_free(p);
            return r;
        }
    }
    s = render_status(c, e, format, vs, nvs);
    if (!s) {
        cli_err(c, "メモリ不足", "out of memory");
        r = EXIT_ERROR;
    } else {
        r = out_write(c, output, s, strlen(s));
        if (!r)
            r = (e->total.gaps + e->total.unanswered) ? EXIT_GAPS : 0;
    }
    free(s);
    vendor_sums_free(vs, nvs);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}

/* ---- applicable ---- */

int cmd_applicable(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"profile", required_argument, NULL, 'p'}, {"edition", required_argument, NULL, 'e'},
        {"role", required_argument, NULL, 'r'},    {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *edition = NULL, *format = "text";
    unsigned roles = AZ_ROLE_MANAGEMENT | AZ_ROLE_PLANNING | AZ_ROLE_OPERATIONS;
    const struct az_edition *ed, *gl;
    const struct az_form *form;
    struct az_profile *p;
    unsigned conds;
    json_t *out;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:e:r:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'e':
            edition = optarg;
            break;
        case 'r':
            roles = az_role_parse(optarg);
            if (!roles) {
                cli_err(c,
                        "--role は management / planning / operations (経営層 / 企画管理者 / "
                        "システム運用担当者) です",
                        "--role takes management, planning or operations");
                return EXIT_USAGE;
            }
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'h':
            printf("%s", L(c,
                           "使い方: anzen applicable [-p profile.yaml] [--edition 版] [--role 役割]"
                           " [--format text|json]\n\n"
                           "プロファイルに適用されるチェックリストの項目 (様式ごと、事業者確認用は"
                           "システムごと) と\nガイドラインの要件を役割別に一覧します。\n",
                           "usage: anzen applicable [-p profile.yaml] [--edition ED] [--role ROLE]"
                           " [--format text|json]\n\n"
                           "Lists the checklist items that apply (per form; the vendor form once "
                           "per system)\nand the guideline requirements, by role.\n"));
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    if ((r = cli_catalog(c)))
        return r;
    if (!(ed = cli_edition(c, edition)))
        return EXIT_ERROR;
    if (az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    conds = az_profile_conds(p);
    form = az_form_for_profile(ed, p);
    gl = az_catalog_newest_guideline(c->cat);
    if (gl && !gl->nitems)
        gl = NULL;
    /* Prefer a guideline edition with items; 7.0 is partial, so list 6.0 as well. */
    out = json_object();
    json_object_set_new(out, "schema", json_string("anzen-applicable/1"));
    json_object_set_new(out, "edition", json_string(ed->id));
    for (int k = 0; k < AZ_NROLES; k++) {
        unsigned role = 1u << k;
        json_t *rl = json_object(), *items = json_array(), *vendor = json_array(),
               *reqs = json_array();
        if (!(roles & role)) {
            json_decref(rl);
            json_decref(items);
            json_decref(vendor);
            json_decref(reqs);
            continue;
        }
        for (size_t i = 0; form && i < ed->nitems; i++) {
            const struct az_item *it = ed->items[i];
            if (it->form == form && (it->roles & role) && !az_item_inapplicable(it, conds))
                json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "id", it->id, "label",
                                                       it->label, "title", tx(c, it->title)));
        }
        for (size_t s = 0; s < p->nsystems; s++) {
            const struct az_form *vf = NULL;
            if (!p->systems[s].vendor)
                continue;
            for (size_t f = 0; f < ed->nforms; f++)
                if (ed->forms[f].vendor)
                    vf = &ed->forms[f];
            if (vf && k == 1)
                json_array_append_new(vendor,
                                      json_pack("{s:s, s:s, s:s, s:i}", "system", p->systems[s].id,
                                                "vendor", p->systems[s].vendor, "form", vf->id,
                                                "items", (int)vf->nitems));
        }
        for (size_t e2 = 0; e2 < az_catalog_neditions(c->cat); e2++) {
            const struct az_edition *g = az_catalog_edition_at(c->cat, e2);
            if (g->checklist || !g->nitems)
                continue;
            for (size_t i = 0; i < g->nitems; i++) {
                const struct az_item *it = g->items[i];
                if ((it->roles & role) && !az_item_inapplicable(it, conds))
                    json_array_append_new(reqs,
                                          json_pack("{s:s, s:s, s:s, s:s}", "id", it->id, "label",
                                                    it->label, "title", tx(c, it->title),
                                                    "confidence", az_conf_token(it->confidence)));
            }
        }
        json_object_set_new(rl, "checklist_items", items);
        json_object_set_new(rl, "vendor_forms", vendor);
        json_object_set_new(rl, "guideline_requirements", reqs);
        json_object_set_new(out, az_role_token((enum az_role)role), rl);
    }
    if (!strcmp(format, "json")) {
        char *s = json_dumps(out, JSON_INDENT(2));
        json_decref(out);
        az_profile_free(p);
        if (!s)
            return EXIT_ERROR;
        r = out_write(c, NULL, s, strlen(s));
        free(s);
        return r ? r : (out_write(c, NULL, "\n", 1));
    }
    printf("%s %s %s (%s)\n", L(c, "適用される項目:", "Applicable items:"), p->name, ed->version,
           form ? tx(c, form->title) : "-");
    for (int k = 0; k < AZ_NROLES; k++) {
        json_t *rl = json_object_get(out, az_role_token((enum az_role)(1u << k)));
        json_t *x;
        size_t i;
        if (!rl)
            continue;
        printf("\n[%s]\n", az_role_name((enum az_role)(1u << k), c->lang));
        printf("  %s (%zu)\n", L(c, "チェックリスト", "Checklist"),
               json_array_size(json_object_get(rl, "checklist_items")));
        json_array_foreach(json_object_get(rl, "checklist_items"), i, x)
        {
            printf("    ");
            out_pad(stdout, json_string_value(json_object_get(x, "label")), 8);
            printf("%s\n", json_string_value(json_object_get(x, "title")));
        }
        json_array_foreach(json_object_get(rl, "vendor_forms"), i, x)
            printf("  %s %s (%s): %s\n", L(c, "事業者確認用を依頼:", "Send vendor form to:"),
                   json_string_value(json_object_get(x, "vendor")),
                   json_string_value(json_object_get(x, "system")),
                   json_string_value(json_object_get(x, "form")));
        printf("  %s (%zu)\n", L(c, "ガイドラインの要件", "Guideline requirements"),
               json_array_size(json_object_get(rl, "guideline_requirements")));
        json_array_foreach(json_object_get(rl, "guideline_requirements"), i, x)
        {
            printf("    ");
            out_pad(stdout, json_string_value(json_object_get(x, "label")), 24);
            printf("%s  %s\n", json_string_value(json_object_get(x, "title")),
                   json_string_value(json_object_get(x, "id")));
        }
    }
    json_decref(out);
    az_profile_free(p);
    return 0;
}
