/* SPDX-License-Identifier: MIT */
/*
 * cmd_catalog.c - `anzen catalog list|show|diff|validate`: what the
 * catalog holds, where its wording comes from, and what changed between
 * editions.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方:\n"
              "  anzen catalog list [--format text|json]\n"
              "      収録している版 (チェックリスト・ガイドライン) と様式ごとの項目数\n"
              "  anzen catalog show ID|LABEL [--edition 版] [--form h|p|v] [--format text|json]\n"
              "      項目 (または版) の日本語・英語の文、表示番号、必須となる年度、\n"
              "      ガイドラインの参照先、出典、確からしさ\n"
              "  anzen catalog show --all --format json\n"
              "      収録しているすべての版のすべての項目\n"
              "  anzen catalog diff 版A 版B      (例: anzen catalog diff r6 r7)\n"
              "      版の間で変わった項目 (同じ/変更/統合/新規/削除)\n"
              "  anzen catalog validate\n"
              "      カタログを検査する (--catalog DIR と一緒に使う)\n"
              "  anzen catalog import FORM.xlsx [--dry-run] [--accept] [--map KEY=VALUE]\n"
              "      公式様式の xlsx から版を取り込む (anzen catalog import --help)\n",
              "usage:\n"
              "  anzen catalog list [--format text|json]\n"
              "      editions held (checklists, guideline) and item counts per form\n"
              "  anzen catalog show ID|LABEL [--edition ED] [--form h|p|v] [--format text|json]\n"
              "      an item's (or edition's) ja/en text, printed label, required-from year,\n"
              "      guideline references, source and confidence\n"
              "  anzen catalog show --all --format json\n"
              "      every item of every edition\n"
              "  anzen catalog diff EDITION_A EDITION_B   (e.g. anzen catalog diff r6 r7)\n"
              "      what changed between editions (same/changed/merged/new/removed)\n"
              "  anzen catalog validate\n"
              "      check the catalog files (use with --catalog DIR)\n"
              "  anzen catalog import FORM.xlsx [--dry-run] [--accept] [--map KEY=VALUE]\n"
              "      import an edition from the official form (anzen catalog import --help)\n"));
}

static int dump_json(struct cli *c, json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    int r;

    json_decref(j);
    if (!s) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    r = out_write(c, NULL, s, strlen(s));
    if (!r)
        r = out_write(c, NULL, "\n", 1);
    free(s);
    return r;
}

static const char *tx(struct cli *c, struct az_text t)
{
    return c->lang == AZ_LANG_EN ? t.en : t.ja;
}

static const struct {
    const char *tok, *ja, *en;
} volumes[] = {{"overview", "概説編", "Overview"},
               {"management", "経営管理編", "Governance (management)"},
               {"planning", "企画管理編", "Management (planning)"},
               {"operations", "システム運用編", "Control (operations)"},
               {"outsourced", "保守委託機関編", "Outsourced maintenance"}};

/* Whether a guideline entry is one 遵守事項 (its label names ①..⑳) rather
 * than a chapter or section. */
static bool is_requirement_level(const struct az_item *it)
{
    const unsigned char *p = (const unsigned char *)(it->label ? it->label : "");
    for (; *p; p++)
        if (p[0] == 0xE2 && p[1] == 0x91 && p[2] >= 0xA0 && p[2] <= 0xB3)
            return true;
    return false;
}

/* Per volume: entries at 遵守事項 level and at chapter/section level. */
static void volume_counts(const struct az_edition *ed, size_t v, size_t *req, size_t *chap)
{
    *req = *chap = 0;
    for (size_t i = 0; i < ed->nitems; i++) {
        const struct az_item *it = ed->items[i];
        if (!it->volume || strcmp(it->volume, volumes[v].tok) != 0)
            continue;
        if (is_requirement_level(it))
            (*req)++;
        else
            (*chap)++;
    }
}

static void print_coverage(struct cli *c, const struct az_edition *ed)
{
    for (size_t v = 0; v < sizeof(volumes) / sizeof(volumes[0]); v++) {
        size_t req, chap;
        volume_counts(ed, v, &req, &chap);
        if (!req && !chap)
            continue;
        printf("      ");
        out_pad(stdout, L(c, volumes[v].ja, volumes[v].en), c->lang == AZ_LANG_EN ? 24 : 16);
        printf(L(c, " 遵守事項 %zu 件、章・節単位 %zu 件\n",
                 " %zu at requirement (遵守事項) level, %zu at chapter/section level\n"),
               req, chap);
    }
}

static json_t *coverage_json(const struct az_edition *ed)
{
    json_t *o = json_object();
    for (size_t v = 0; v < sizeof(volumes) / sizeof(volumes[0]); v++) {
        size_t req, chap;
        volume_counts(ed, v, &req, &chap);
        if (req || chap)
            json_object_set_new(
                o, volumes[v].tok,
                json_pack("{s:i, s:i}", "requirements", (int)req, "chapters", (int)chap));
    }
    return o;
}

static int do_list(struct cli *c, const char *format)
{
    size_t n = az_catalog_neditions(c->cat);
    const struct az_edition *def = az_catalog_default_checklist(c->cat);

    if (!strcmp(format, "json")) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct az_edition *ed = az_catalog_edition_at(c->cat, i);
            json_t *e = az_edition_to_json(ed, false);
            if (!ed->checklist)
                json_object_set_new(e, "coverage", coverage_json(ed));
            json_array_append_new(a, e);
        }
        return dump_json(c, json_pack("{s:s, s:o, s:s}", "schema", "anzen-catalog-list/1",
                                      "editions", a, "default_checklist", def ? def->id : ""));
    }
    for (size_t i = 0; i < n; i++) {
        const struct az_edition *ed = az_catalog_edition_at(c->cat, i);
        const char *st = ed->status == AZ_ED_CURRENT      ? L(c, "現行", "current")
                         : ed->status == AZ_ED_SUPERSEDED ? L(c, "旧版", "superseded")
                                                          : L(c, "項目未収録", "metadata only");
        printf("%s  %s %s  [%s%s] (%s %s, %s %s)\n", ed->id, tx(c, ed->title), ed->version, st,
               ed == def ? L(c, "・評価の既定", ", default for assessment") : "",
               L(c, "公表", "published"), ed->published, L(c, "確からしさ:", "confidence:"),
               az_conf_name(ed->confidence, c->lang));
        for (size_t f = 0; f < ed->nforms; f++) {
            printf("    %-4s %s  %zu %s\n", ed->forms[f].id, tx(c, ed->forms[f].title),
                   ed->forms[f].nitems, L(c, "項目", "items"));
            if (ed->forms[f].doc_title.ja)
                printf("         %s %s\n", L(c, "様式の表題:", "form title:"),
                       tx(c, ed->forms[f].doc_title));
            if (ed->forms[f].legal_basis.ja)
                printf("         %s %s\n", L(c, "根拠:", "legal basis:"),
                       tx(c, ed->forms[f].legal_basis));
        }
        if (!ed->checklist) {
            printf("    %zu %s\n", ed->nitems, L(c, "要件", "requirements"));
            print_coverage(c, ed);
        }
        if (ed->status == AZ_ED_METADATA_ONLY)
            printf("    %s\n", L(c, "※ 項目一覧は未確認のため収録していません",
                                 "note: item list not verified, so not encoded"));
    }
    return 0;
}

static void print_list(const char *head, const char **v, size_t n)
{
    if (!n)
        return;
    printf("  %s\n", head);
    for (size_t i = 0; i < n; i++)
        printf("    - %s\n", v[i]);
}

static int show_item(struct cli *c, const struct az_item *it, const char *format)
{
    char d[16], fy[32];

    if (!strcmp(format, "json"))
        return dump_json(c, az_item_to_json(it));
    printf("%s\n", it->id);
    printf("  %s %s %s%s%s\n", L(c, "版:", "edition:"), it->edition->id, it->edition->version,
           it->form ? " / " : "", it->form ? tx(c, it->form->title) : "");
    if (it->form && it->form->doc_title.ja)
        printf("  %s %s\n", L(c, "様式の表題:", "form title:"), tx(c, it->form->doc_title));
    printf("  %s %s\n", L(c, "表示番号:", "label:"), it->label);
    printf("  %s %s\n", L(c, "項目名:", "title:"), it->title.ja);
    printf("  %s %s\n", "title (en):", it->title.en);
    printf("  %s\n    %s\n", L(c, "内容 (ja):", "text (ja):"), it->text.ja);
    printf("  %s\n    %s\n", L(c, "内容 (en):", "text (en):"), it->text.en);
    if (it->guidance.ja)
        printf("  %s\n    %s\n", L(c, "解説:", "guidance:"), tx(c, it->guidance));
    if (it->interim.ja)
        printf("  %s\n    %s\n", L(c, "暫定対策の例:", "interim mitigation:"), tx(c, it->interim));
    if (it->permanent.ja)
        printf("  %s\n    %s\n", L(c, "本対策の例:", "permanent fix:"), tx(c, it->permanent));
    printf("  %s", L(c, "役割:", "roles:"));
    for (int k = 0; k < AZ_NROLES; k++)
        if (it->roles & (1u << k))
            printf(" %s", az_role_name((enum az_role)(1u << k), c->lang));
    printf("\n");
    if (it->volume)
        printf("  %s %s\n", L(c, "編:", "volume:"), it->volume);
    if (it->required_from) {
        az_fy_format(it->required_from, c->lang, fy, sizeof(fy));
        printf("  %s %s (%d)\n", L(c, "必須となる年度:", "required from:"), fy, it->required_from);
    }
    if (it->has_due_by) {
        az_date_iso(it->due_by, d, sizeof(d));
        printf("  %s %s\n", L(c, "期限:", "due by:"), d);
    }
    if (it->has_due_at_renewal) {
        az_date_iso(it->due_at_renewal, d, sizeof(d));
        printf(L(c,
                 "  基準日 %s: これ以降に導入・更新するシステムは導入・更新時に、稼働中のシステムは"
                 "次の更新時までに (プロファイルの renewal)\n",
                 "  reference date %s: systems introduced or renewed from then comply at once; "
                 "running systems by their next renewal (the profile's renewal)\n"),
               d);
    }
    if (it->conds) {
        printf("  %s", L(c, "適用条件:", "applies if:"));
        for (unsigned b = 1; b <= AZ_COND_NOT_OUTSOURCED; b <<= 1)
            if (it->conds & b)
                printf(" %s", az_cond_token((enum az_cond)b));
        printf("\n");
    }
    if (it->nrefs || it->nref_labels) {
        printf("  %s\n", L(c, "ガイドライン参照:", "guideline references:"));
        for (size_t i = 0; i < it->nref_labels; i++)
            printf("    %s\n", it->ref_labels[i]);
        for (size_t i = 0; i < it->nrefs; i++)
            if (it->refs[i])
                printf("    -> %s (%s %s)\n", it->refs[i]->id, it->refs[i]->label,
                       tx(c, it->refs[i]->title));
    }
    if (it->xwalk) {
        printf("  %s %s:", L(c, "前の版から:", "carries from:"), az_xrel_token(it->xwalk->rel));
        for (size_t i = 0; i < it->xwalk->nfrom; i++)
            printf(" %s", it->xwalk->from[i]->id);
        printf("\n");
    }
    printf("  %s %s\n", L(c, "確からしさ:", "confidence:"), az_conf_name(it->confidence, c->lang));
    if (it->confidence == AZ_CONF_DRAFT)
        printf("    %s\n",
               L(c, "※ この文言は草案 (案) の資料に基づきます。確定版で確認してください",
                 "note: this wording comes from a draft; check the final edition"));
    else if (it->confidence == AZ_CONF_SECONDARY)
        printf("    %s\n",
               L(c,
                 "※ この版の確定版の文書では確認できず、第三者の資料などに基づきます。"
                 "お手元の公式様式で番号と文言を確認してください",
                 "note: not confirmed in a final text of this edition; it rests on "
                 "third-party accounts. Check number and wording on the official form"));
    else if (it->confidence == AZ_CONF_IMPORTED)
        printf("    %s\n", L(c, "※ 番号と文言はお手元の公式様式から取り込んだものです",
                             "note: number and wording were imported from the official form you "
                             "provided"));
    else if (it->confidence == AZ_CONF_UNVERIFIED)
        printf("    %s\n", L(c, "※ 一次資料で確認できていない内容を含みます",
                             "note: not verified against the primary source"));
    if (it->basis != AZ_SRC_NONE)
        printf("  %s %s\n", L(c, "最も強い出典の種類:", "strongest source kind:"),
               az_src_kind_token(it->basis));
    if (it->note.ja)
        printf("  %s %s\n", L(c, "注記:", "note:"), tx(c, it->note));
    print_list(L(c, "出典:", "sources:"), it->sources, it->nsources);
    return 0;
}

static int show_edition(struct cli *c, const struct az_edition *ed, const char *format)
{
    if (!strcmp(format, "json"))
        return dump_json(c, az_edition_to_json(ed, true));
    printf("%s  %s %s\n", ed->id, tx(c, ed->title), ed->version);
    printf("  %s %s   %s %s   %s %s\n", L(c, "公表:", "published:"), ed->published,
           L(c, "状態:", "status:"), az_ed_status_token(ed->status),
           L(c, "確からしさ:", "confidence:"), az_conf_name(ed->confidence, c->lang));
    if (ed->supersedes)
        printf("  %s %s\n", L(c, "前の版:", "supersedes:"), ed->supersedes->id);
    if (ed->note.ja)
        printf("  %s %s\n", L(c, "注記:", "note:"), tx(c, ed->note));
    print_list(L(c, "出典:", "sources:"), ed->sources, ed->nsources);
    for (size_t i = 0; i < ed->nitems; i++) {
        const struct az_item *it = ed->items[i];
        printf("  %-4s ", it->form ? it->form->id : "");
        out_pad(stdout, it->label, 16);
        printf(" %s  [%s] %s\n", tx(c, it->title), az_conf_token(it->confidence), it->id);
    }
    return 0;
}

static int show_label(struct cli *c, const char *label, const char *edname, const char *formname,
                      const char *format);

static int do_show(struct cli *c, const char *id, bool all, const char *edname,
                   const char *formname, const char *format)
{
    const struct az_item *it;
    const struct az_edition *ed;

    if (all) {
        json_t *a = json_array();
        if (strcmp(format, "json") != 0) {
            for (size_t i = 0; i < az_catalog_neditions(c->cat); i++)
                show_edition(c, az_catalog_edition_at(c->cat, i), "text");
            json_decref(a);
            return 0;
        }
        for (size_t i = 0; i < az_catalog_neditions(c->cat); i++)
            json_array_append_new(a, az_edition_to_json(az_catalog_edition_at(c->cat, i), true));
        return dump_json(c, json_pack("{s:s, s:s, s:o}", "schema", "anzen-catalog/1",
                                      "anzen_version", AZ_VERSION, "editions", a));
    }
    if ((it = az_catalog_item(c->cat, id)))
        return show_item(c, it, format);
    if (!edname && (ed = az_catalog_edition(c->cat, id)))
        return show_edition(c, ed, format);
    return show_label(c, id, edname, formname, format);
}

/* 2 when the printed label is `want` (or `want` followed by a device
 * class, as 令和5/6 print "2-(7) サーバ"), 1 when it matches once
 * normalised (2-6 = 2-(6) = 2-⑥), else 0. */
static int label_match(const char *have, const char *want)
{
    char a[128], b[128];
    size_t wl = strlen(want);
    const char *sp;

    if (!strcmp(have, want) || (!strncmp(have, want, wl) && have[wl] == ' '))
        return 2;
    az_label_normalise(want, b, sizeof(b));
    sp = strchr(have, ' ');
    if (sp) {
        char *h = strndup(have, (size_t)(sp - have));
        if (!h)
            return 0;
        az_label_normalise(h, a, sizeof(a));
        free(h);
        if (!strcmp(a, b))
            return 1;
    }
    az_label_normalise(have, a, sizeof(a));
    return strcmp(a, b) ? 0 : 1;
}

/* Labels are per edition: 2-(6) is the access log in 令和5/6 but 2-⑥ is
 * the patch item in 令和7. Exact printed matches win over normalised ones
 * (2-6 = 2-(6) = 2-⑥); when they span editions, say so and name each. */
static int show_label(struct cli *c, const char *label, const char *edname, const char *formname,
                      const char *format)
{
    const struct az_edition *only = NULL;
    const struct az_item **hits = NULL, **exact = NULL;
    size_t nh = 0, ne = 0, neds = 0, cap = 0;
    int r = 0;

    if (edname && !(only = az_catalog_edition(c->cat, edname))) {
        cli_err(c, "版 \"%s\" はありません (anzen catalog list で確認できます)",
                "no edition \"%s\" (see anzen catalog list)", edname);
        return EXIT_ERROR;
    }
    for (size_t e = 0; e < az_catalog_neditions(c->cat); e++)
        cap += az_catalog_edition_at(c->cat, e)->nitems;
    hits = calloc(cap + 1, sizeof(*hits));
    exact = calloc(cap + 1, sizeof(*exact));
    if (!hits || !exact) {
        free(hits);
        free(exact);
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    for (size_t e = 0; e < az_catalog_neditions(c->cat); e++) {
        const struct az_edition *ed = az_catalog_edition_at(c->cat, e);
        if (only && ed != only)
            continue;
        for (size_t i = 0; i < ed->nitems; i++) {
            const struct az_item *it = ed->items[i];
            int m;
            if (formname && (!it->form || strcmp(it->form->id, formname) != 0))
                continue;
            if (!(m = label_match(it->label, label)))
                continue;
            hits[nh++] = it;
            if (m == 2)
                exact[ne++] = it;
        }
    }
    if (ne) { /* the label as printed: those editions only */
        const struct az_item **t = hits;
        hits = exact;
        exact = t;
        nh = ne;
    }
    for (size_t i = 0; i < nh; i++)
        if (!i || hits[i]->edition != hits[i - 1]->edition)
            neds++;
    if (!nh) {
        if (only)
            cli_err(c, "%s (%s) に表示番号 \"%s\" の項目はありません",
                    "%s (%s) has no item labelled \"%s\"", only->id, only->version, label);
        else
            cli_err(c, "項目または版 \"%s\" はカタログにありません",
                    "no item or edition \"%s\" in the catalog", label);
        r = EXIT_ERROR;
        goto out;
    }
    if (!strcmp(format, "json")) {
        json_t *items = json_array(), *eds = json_array();
        for (size_t i = 0; i < nh; i++) {
            json_array_append_new(items, az_item_to_json(hits[i]));
            if (!i || hits[i]->edition != hits[i - 1]->edition)
                json_array_append_new(eds, json_string(hits[i]->edition->id));
        }
        r = dump_json(c, json_pack("{s:s, s:s, s:o, s:b, s:o}", "schema", "anzen-catalog-label/1",
                                   "label", label, "editions", eds, "one_edition", neds == 1,
                                   "items", items));
        goto out;
    }
    if (neds > 1) {
        printf(L(c,
                 "表示番号 \"%s\" は %zu つの版にあります。版ごとに指す項目が違うことがあるため、"
                 "--edition で版を指定してください:\n",
                 "the label \"%s\" exists in %zu editions; it may mean a different item in each, "
                 "so name one with --edition:\n"),
               label, neds);
        for (size_t i = 0; i < nh; i++) {
            printf("  %-7s %-14s %-4s ", hits[i]->edition->id, hits[i]->edition->version,
                   hits[i]->form ? hits[i]->form->id : "");
            out_pad(stdout, hits[i]->label, 10);
            printf(" %s  %s\n", tx(c, hits[i]->title), hits[i]->id);
        }
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        if (i)
            printf("\n");
        show_item(c, hits[i], format);
    }
out:
    free(hits);
    free(exact);
    return r;
}

/* What became of each item of `a` in `b`, and where each item of `b` came
 * from. Follows crosswalk chains, so diff r5 r7 works too. */
static bool reaches(const struct az_item *to, const struct az_item *src, enum az_xrel *rel)
{
    const struct az_xwalk *xw = to->xwalk;

    if (to == src)
        return true;
    if (!xw)
        return false;
    for (size_t i = 0; i < xw->nfrom; i++)
        if (reaches(xw->from[i], src, rel)) {
            if (xw->rel > *rel)
                *rel = xw->rel;
            return true;
        }
    return false;
}

/* Items of two editions compare when their forms answer for the same
 * people: the same id, or (令和8's combined 医療機関・薬局確認用) institution
 * forms whose institution types overlap, or both vendor forms. */
static bool forms_match(const struct az_form *x, const struct az_form *y)
{
    if (!strcmp(x->id, y->id))
        return true;
    if (x->vendor || y->vendor)
        return x->vendor && y->vendor;
    return (x->inst_types & y->inst_types) != 0;
}

static int do_diff(struct cli *c, const char *an, const char *bn, const char *format)
{
    const struct az_edition *a = az_catalog_edition(c->cat, an);
    const struct az_edition *b = az_catalog_edition(c->cat, bn);
    json_t *out = json_array();
    int counts[7] = {0};
    static const char *kinds[] = {"same", "merged",  "changed",    "split",
                                  "new",  "removed", "not-encoded"};
    const char *kja[] = {"同じ", "統合", "変更", "分割", "新規", "削除", "未収録"};
    /* an edition without items (metadata-only) is not empty, only not
     * encoded: nothing is "removed" into it or "new" out of it */
    bool a_none, b_none;

    if (!a || !b) {
        json_decref(out);
        cli_err(c, "版 \"%s\" はありません", "no edition \"%s\"", !a ? an : bn);
        return EXIT_ERROR;
    }
    a_none = a->status == AZ_ED_METADATA_ONLY || !a->nitems || a->partial;
    b_none = b->status == AZ_ED_METADATA_ONLY || !b->nitems || b->partial;
    for (size_t i = 0; i < b->nitems; i++) {
        const struct az_item *it = b->items[i];
        json_t *from = json_array();
        enum az_xrel rel = AZ_XREL_SAME;
        int kind = 4;
        for (size_t k = 0; k < a->nitems; k++)
            if (((!a->items[k]->form && !it->form) ||
                 (a->items[k]->form && it->form && forms_match(a->items[k]->form, it->form))) &&
                reaches(it, a->items[k], &rel)) {
                json_array_append_new(from, json_string(a->items[k]->id));
                kind = (int)rel;
            }
        if (json_array_size(from) > 1 && kind == AZ_XREL_SAME)
            kind = AZ_XREL_MERGED;
        if (kind == 4 && a_none)
            kind = 6;
        counts[kind]++;
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o, s:s}", "change", kinds[kind],
                                             "id", it->id, "label", it->label, "from", from,
                                             "title", it->title.ja));
    }
    for (size_t k = 0; k < a->nitems; k++) {
        bool found = false;
        enum az_xrel rel = AZ_XREL_SAME;
        for (size_t i = 0; i < b->nitems && !found; i++)
            found = reaches(b->items[i], a->items[k], &rel);
        if (!found) {
            counts[b_none ? 6 : 5]++;
            json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:[], s:s}", "change",
                                                 b_none ? "not-encoded" : "removed", "id",
                                                 a->items[k]->id, "label", a->items[k]->label,
                                                 "from", "title", a->items[k]->title.ja));
        }
    }
    if (!strcmp(format, "json")) {
        json_t *ne = json_array();
        if (a_none)
            json_array_append_new(ne, json_string(a->id));
        if (b_none)
            json_array_append_new(ne, json_string(b->id));
        return dump_json(c,
                         json_pack("{s:s, s:s, s:s, s:o, s:o}", "schema", "anzen-catalog-diff/1",
                                   "from", a->id, "to", b->id, "not_encoded", ne, "changes", out));
    }
    printf("%s %s -> %s %s\n", a->id, a->version, b->id, b->version);
    if (a_none || b_none) {
        const struct az_edition *x = b_none ? b : a;
        if (x->nitems)
            printf(L(c,
                     "  ※ %s %s は anzen に一部の項目だけを収録しています。対応の見つからない項目は"
                     "「未収録」と示し、削除や新規とはみなしません。\n",
                     "  note: anzen encodes only part of %s %s; items without a counterpart are "
                     "shown as \"not-encoded\", not as removed or new.\n"),
                   x->id, x->version);
        else
            printf(L(c,
                     "  ※ %s %s の項目一覧は anzen に未収録です (metadata-only)。"
                     "項目の増減は分かりません。「未収録」は削除や新規を意味しません。\n",
                     "  note: the item list of %s %s is not encoded in anzen (metadata-only), so "
                     "what was added or removed is unknown; \"not-encoded\" means neither.\n"),
                   x->id, x->version);
    }
    for (size_t i = 0; i < json_array_size(out); i++) {
        json_t *x = json_array_get(out, i);
        const char *ch = json_string_value(json_object_get(x, "change"));
        int kind = 0;
        if (!strcmp(ch, "same"))
            continue; /* only what changed */
        for (int k = 0; k < 7; k++)
            if (!strcmp(ch, kinds[k]))
                kind = k;
        printf("  %-8s ", c->lang == AZ_LANG_EN ? kinds[kind] : kja[kind]);
        out_pad(stdout, json_string_value(json_object_get(x, "label")), 14);
        printf(" %s  %s", json_string_value(json_object_get(x, "title")),
               json_string_value(json_object_get(x, "id")));
        for (size_t k = 0; k < json_array_size(json_object_get(x, "from")); k++)
            printf("%s%s", k ? ", " : " <- ",
                   json_string_value(json_array_get(json_object_get(x, "from"), k)));
        printf("\n");
    }
    printf("%s", L(c, "  集計:", "  summary:"));
    for (int k = 0; k < 7; k++)
        if (k < 6 || counts[k])
            printf(" %s %d", c->lang == AZ_LANG_EN ? kinds[k] : kja[k], counts[k]);
    printf("\n");
    json_decref(out);
    return 0;
}

int cmd_catalog(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},  {"all", no_argument, NULL, 'a'},
        {"edition", required_argument, NULL, 'e'}, {"form", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *format = "text", *sub, *edname = NULL, *formname = NULL;
    bool all = false;
    int o, r;

    if ((r = cli_sub_start(c, argc, argv, help, &sub)) >= 0)
        return r;
    if (!strcmp(sub, "import"))
        return cmd_catalog_import(c, argc - 1, argv + 1);
    while ((o = getopt_long(argc - 1, argv + 1, "f:ahe:F:", opts, NULL)) != -1) {
        switch (o) {
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'a':
            all = true;
            break;
        case 'e':
            edname = optarg;
            break;
        case 'F':
            formname = optarg;
            break;
        case 'h':
            help(c, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプション \"%s\"", "unknown option \"%s\"", argv[optind]);
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    argc -= optind + 1;
    argv += optind + 1;
    if ((r = cli_catalog(c)))
        return r;
    if (!strcmp(sub, "list"))
        return argc ? (help(c, stderr), EXIT_USAGE) : do_list(c, format);
    if (!strcmp(sub, "validate")) {
        size_t items = 0;
        for (size_t i = 0; i < az_catalog_neditions(c->cat); i++)
            items += az_catalog_edition_at(c->cat, i)->nitems;
        printf(L(c, "OK: %zu 版、%zu 項目\n", "OK: %zu editions, %zu items\n"),
               az_catalog_neditions(c->cat), items);
        return 0;
    }
    if (!strcmp(sub, "show")) {
        if ((all && argc) || (!all && argc != 1)) {
            help(c, stderr);
            return EXIT_USAGE;
        }
        return do_show(c, all ? NULL : argv[0], all, edname, formname, format);
    }
    if (!strcmp(sub, "diff")) {
        if (argc != 2) {
            help(c, stderr);
            return EXIT_USAGE;
        }
        return do_diff(c, argv[0], argv[1], format);
    }
    cli_err(c, "catalog のサブコマンド \"%s\" は不明です", "unknown catalog subcommand \"%s\"",
            sub);
    help(c, stderr);
    return EXIT_USAGE;
}
