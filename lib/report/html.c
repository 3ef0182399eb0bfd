/* SPDX-License-Identifier: MIT */
/*
 * html.c - the printable HTML report: the report model (report.c) plus
 * the labels of the chosen language, rendered with the embedded templates
 * (data/templates/report*.html). Charts are SVG made here in C and passed
 * as trusted raw markup; everything from the model is escaped by the
 * template renderer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/keypoints.h"
#include "anzen/report.h"

extern const struct az_file_blob az_embedded_templates[];
extern const size_t az_embedded_templates_n;

int az_report_templates(struct az_ctx *ctx, struct az_tmpl_set **ret)
{
    struct az_tmpl_set *set;
    int r;

    if ((r = az_tmpl_set_new(ctx, &set)) < 0)
        return r;
    if ((r = az_tmpl_add_blobs(ctx, set, az_embedded_templates, az_embedded_templates_n, ".html")) <
            0 ||
        (r = az_tmpl_check(ctx, set)) < 0) {
        az_tmpl_set_free(set);
        return r;
    }
    *ret = set;
    return 0;
}

/* The report's labels: key, Japanese, English. */
static const char *const labels[][3] = {
    {"title", "サイバーセキュリティ対策 報告書", "Cybersecurity report"},
    {"as_of", "基準日", "As of"},
    {"person", "担当者", "Person in charge"},
    {"overdue", "期限を過ぎた項目", "Overdue items"},
    {"no", "番号", "No."},
    {"item", "項目", "Item"},
    {"status", "状態", "Status"},
    {"why", "期限・理由", "Deadline / reason"},
    {"actions", "最も重要な対策 (上位 5 件)", "The five most important actions"},
    {"interim", "暫定対策", "Interim"},
    {"permanent", "本対策", "Permanent"},
    {"due", "期限", "due"},
    {"deadlines", "迫っている期限", "Deadlines ahead"},
    {"urgent", "すぐに対処が必要: 悪用が確認されている脆弱性 (KEV)",
     "Act now: known exploited vulnerabilities (KEV)"},
    {"more", "ほか", "and"},
    {"more_items", "件 (全体は報告書の詳細と anzen status)",
     "more (see the full report and anzen status)"},
    {"owner_unset", "担当者名は未定", "no name yet"},
    {"newer", "※ より新しい版があります:", "Note: a newer edition exists:"},
    {"newer_no_items", "(項目一覧が未確認のため、上の版で評価しています)",
     "(its item list is not verified yet, so the edition above was used)"},
    {"none_overdue", "期限を過ぎた項目はありません。", "Nothing is overdue."},
    {"details", "詳細: 区分・事業者・重点事項・台帳",
     "Details: groups, vendors, key points, ledger"},
    {"by_group", "区分別の対応状況", "By group"},
    {"vendors", "事業者 (システムごと)", "Vendors (per system)"},
    {"system", "システム", "System"},
    {"vendor", "事業者", "Vendor"},
    {"vendor_form", "事業者確認用", "Vendor form"},
    {"role_split", "役割分担の確認表", "Role-split table"},
    {"findings", "指摘", "Findings"},
    {"yes", "はい", "yes"},
    {"open", "未対応・未回答", "open"},
    {"not_received", "未受領", "not received"},
    {"unregistered", "事業者の登録 (vendors.yaml) がありません", "not in the vendor registry"},
    {"keypoints", "重点事項", "Key points"},
    {"area", "分野", "Area"},
    {"level", "判定", "Level"},
    {"ledger", "機器台帳の点検", "Asset ledger check"},
    {"assets", "登録されている機器", "Devices on record"},
    {"all_items", "すべての項目 (チェックリストの回答)", "Every item (checklist answers)"},
    {"answer", "回答", "Answer"},
    {"basis", "根拠:", "Legal basis:"},
    {"checked", "確認日", "Checked"},
    {"target", "目標日", "Target"},
    {"note", "備考", "Note"},
    {"generated", "作成:", "Made with"},
    {"role_title", "担当の項目と対応計画", "items and remediation plan"},
    {"your_gaps", "未対応・未回答の項目", "Open items"},
    {"no_gaps", "未対応・未回答の項目はありません。", "No open items."},
    {"your_plan", "担当する対応計画 (暫定対策と本対策)",
     "Plan items owned (interim and permanent)"},
    {"your_items", "担当するすべての項目", "All items of this role"},
};

static json_t *labels_json(enum az_lang l)
{
    json_t *t = json_object();

    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        json_object_set_new(t, labels[i][0], json_string(labels[i][l == AZ_LANG_EN ? 2 : 1]));
    return t;
}

static int take_svg(json_t *charts, const char *key, struct az_buf *b, int r)
{
    if (r == 0 && b->data)
        json_object_set_new(charts, key, json_string(b->data));
    az_buf_done(b);
    return r;
}

static int make_charts(const struct az_report_input *in, const json_t *model, enum az_lang l,
                       json_t *charts)
{
    const struct az_eval *e = in->eval;
    struct az_buf b;
    struct az_svg_bar rows[AZ_NROLES + 64];
    size_t n = 0;
    int r;

    az_buf_init(&b, 1u << 20);
    r = take_svg(charts, "ring", &b,
                 az_svg_ring(&b, &e->total, l == AZ_LANG_EN ? "overall" : "全体"));
    for (int k = 0; k < AZ_NROLES; k++) {
        rows[n].label = az_role_name((enum az_role)(1u << k), l);
        rows[n++].score = &e->role[k];
    }
    az_buf_init(&b, 1u << 20);
    r = r ? r : take_svg(charts, "roles", &b, az_svg_bars(&b, rows, n, l));
    {
        char *names[64]; /* the group titles whole, however long */
        n = 0;
        for (size_t g = 0; g < e->edition->ngroups && n < 64; g++) {
            if (e->group[g].applicable == 0 && e->group[g].na == 0)
                continue;
            names[n] = az_fmt("%s %s", e->edition->groups[g].id,
                              l == AZ_LANG_EN && e->edition->groups[g].title.en
                                  ? e->edition->groups[g].title.en
                                  : e->edition->groups[g].title.ja);
            if (!names[n])
                r = r ? r : AZ_ENOMEM;
            rows[n].label = names[n];
            rows[n].score = &e->group[g];
            n++;
        }
        az_buf_init(&b, 1u << 20);
        r = r ? r : take_svg(charts, "groups", &b, az_svg_bars(&b, rows, n, l));
        for (size_t i = 0; i < n; i++)
            free(names[i]);
    }
    {
        /* the deadlines ahead on a line from today to the end of FY2027 or later */
        const json_t *dl = json_object_get(model, "deadlines_top"), *x;
        struct az_svg_mark marks[12];
        struct az_date to = az_fy_end(2027);
        size_t i, m = 0;
        char nums[12][8];
        json_array_foreach(dl, i, x)
        {
            struct az_date d;
            if (m >= 12 ||
                az_date_parse(json_string_value(json_object_get(x, "date")), false, &d) < 0)
                continue;
            snprintf(nums[m], sizeof(nums[m]), "%zu", m + 1); /* the list's @number */
            marks[m].date = d;
            marks[m].label = nums[m];
            marks[m].overdue = false;
            if (az_date_cmp(d, to) > 0)
                to = az_fy_end(az_fiscal_year(d));
            m++;
        }
        if (m) {
            az_buf_init(&b, 1u << 20);
            r = r ? r
                  : take_svg(charts, "timeline", &b, az_svg_timeline(&b, e->as_of, to, marks, m));
        }
    }
    return r;
}

int az_report_html(struct az_ctx *ctx, const struct az_report_input *in, unsigned roles,
                   struct az_buf *out)
{
    enum az_lang l = ctx->lang;
    struct az_tmpl_set *set = NULL;
    json_t *m = az_report_model(in, l), *raw = json_object(), *charts = json_object();
    struct az_buf extra;
    int r;

    az_buf_init(&extra, out->max);
    if (!m || !raw || !charts) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto out;
    }
    if ((r = az_report_templates(ctx, &set)) < 0)
        goto out;
    json_object_set_new(m, "t", labels_json(l));
    json_object_set_new(m, "show",
                        json_pack("{s:b, s:b, s:b, s:b, s:b}", "management",
                                  !roles || (roles & AZ_ROLE_MANAGEMENT), "planning",
                                  !roles || (roles & AZ_ROLE_PLANNING), "operations",
                                  !roles || (roles & AZ_ROLE_OPERATIONS), "full", !roles,
                                  /* the one page for management carries the same
                                   * facts in its header: no footer to spill over */
                                  "footer", roles != AZ_ROLE_MANAGEMENT));
    if (make_charts(in, m, l, charts) < 0) {
        r = az_fail(ctx, AZ_ERANGE, "グラフを作れません (メモリ不足)", "cannot draw the charts");
        goto out;
    }
    /* extra sections: each rendered on its own with only its own SVG as raw */
    {
        const json_t *sec;
        size_t i;
        json_array_foreach(json_object_get(m, "extra_sections"), i, sec)
        {
            const char *id = json_string_value(json_object_get(sec, "id"));
            const json_t *svg = id ? json_object_get(in->extra_svg, id) : NULL;
            json_t *sraw = json_is_string(svg) ? json_pack("{s:O}", "svg", svg)
                                               : json_pack("{s:s}", "svg", "");
            r = az_tmpl_render(ctx, set, "report-extra.html", sec, sraw, &extra);
            json_decref(sraw);
            if (r < 0)
                goto out;
        }
    }
    json_object_set_new(raw, "charts", charts);
    charts = NULL;
    json_object_set_new(raw, "extra_html", json_string(extra.data ? extra.data : ""));
    r = az_tmpl_render(ctx, set, "report.html", m, raw, out);
out:
    az_buf_done(&extra);
    json_decref(charts);
    json_decref(raw);
    json_decref(m);
    az_tmpl_set_free(set);
    return r;
}
