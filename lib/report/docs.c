/* SPDX-License-Identifier: MIT */
/*
 * docs.c - the documents anzen drafts (docs.h): a cyber-attack BCP, the
 * contact chart, a tabletop drill with its record sheet, and the
 * inspection pack. Each is a model (anzen-docs/1) built from the
 * workspace view; html rendering is here, the workbook in xlsx.c.
 *
 * The wording is anzen's own. The five stages follow MHLW's 2024-06 BCP
 * material as described by secondary sources (the originals were not
 * compared line by line: the documents say so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/plan.h"
#include "anzen/doc.h"
#include "anzen/docs.h"
#include "anzen/finding.h"
#include "anzen/util.h"
#include "anzen/xlsx.h"

extern const struct az_file_blob az_embedded_docs[];
extern const size_t az_embedded_docs_n;

/* The language of the document being built, and whether it is a
 * pharmacy's (its own words for the institution and its roles). */
struct b {
    enum az_lang l;
    bool ph;
    const struct az_docs_input *di;
    const struct az_eval *e;
    const struct az_profile *p;
};

#define T(b, ja, en) ((b)->l == AZ_LANG_EN ? (en) : (ja))

static const char *tr(enum az_lang l, struct az_text t)
{
    if (l == AZ_LANG_EN && t.en)
        return t.en;
    return t.ja ? t.ja : "";
}

static const char *self(const struct b *b)
{
    return b->ph ? T(b, "当薬局", "the pharmacy") : T(b, "当院", "the clinic");
}

/* The role names a pharmacy and a clinic/hospital use. */
static const char *role_label(const struct b *b, enum az_role r)
{
    switch (r) {
    case AZ_ROLE_MANAGEMENT:
        return b->ph ? T(b, "開設者 (経営層)", "Owner (management)")
                     : T(b, "経営層 (院長・理事長)", "Management (director)");
    case AZ_ROLE_PLANNING:
        return b->ph ? T(b, "管理薬剤師 (企画管理者)", "Pharmacy manager (planning)")
                     : T(b, "企画管理者", "Planning manager");
    default:
        return T(b, "システム運用担当者", "Systems operator");
    }
}

static json_t *jstr(const char *s)
{
    return json_string(s ? s : "");
}

/* ---- building blocks of the model ---- */

static json_t *section(json_t *m, const char *id, const char *title, const char *sheet)
{
    json_t *s = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "id", id, "title", title, "sheet", sheet,
                          "paragraphs", "blocks");
    json_array_append_new(json_object_get(m, "sections"), s);
    return s;
}

static void para(json_t *s, const char *text)
{
    json_array_append_new(json_object_get(s, "paragraphs"), jstr(text));
}

static void paraf(json_t *s, char *owned)
{
    if (owned)
        json_array_append_new(json_object_get(s, "paragraphs"), json_string(owned));
    free(owned);
}

static json_t *fields(json_t *s, const char *caption)
{
    json_t *f = json_array();
    json_array_append_new(json_object_get(s, "blocks"),
                          json_pack("{s:s, s:o}", "caption", caption ? caption : "", "fields", f));
    return f;
}

static void field(json_t *f, const char *key, const char *label, const char *value)
{
    json_array_append_new(
        f, json_pack("{s:s, s:s, s:o}", "key", key, "label", label, "value", jstr(value)));
}

/* A table; returns its rows array. head is a NULL-terminated list. */
static json_t *table(json_t *s, const char *caption, const char *const *head)
{
    json_t *h = json_array(), *rows = json_array();
    for (size_t i = 0; head[i]; i++)
        json_array_append_new(h, json_string(head[i]));
    json_array_append_new(json_object_get(s, "blocks"),
                          json_pack("{s:s, s:{s:o, s:o}}", "caption", caption ? caption : "",
                                    "table", "head", h, "rows", rows));
    return rows;
}

/* Append a row of n strings (NULL: blank). */
static void row(json_t *rows, size_t n, const char *const *cells)
{
    json_t *r = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(r, jstr(cells[i]));
    json_array_append_new(rows, r);
}

static json_t *model_new(struct b *b, const char *kind, const char *title, const char *subtitle)
{
    char asof[32];
    const struct az_form *f = b->e->form;
    json_t *m;

    az_date_iso(b->e->as_of, asof, sizeof(asof));
    m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:[], s:[]}", "schema",
                  AZ_DOCS_SCHEMA, "kind", kind, "lang", b->l == AZ_LANG_EN ? "en" : "ja", "title",
                  title, "subtitle", subtitle, "institution", b->p->name, "inst_label",
                  b->ph ? T(b, "薬局名", "Pharmacy") : T(b, "医療機関名", "Institution"),
                  "pharmacy", b->ph, "as_of", asof, "anzen_version", AZ_VERSION, "notes",
                  "sections");
    if (m && f && f->legal_basis.ja)
        json_object_set_new(m, "legal_basis", json_string(tr(b->l, f->legal_basis)));
    if (m && f)
        json_object_set_new(m, "form_title", json_string(tr(b->l, az_form_doc_title(f))));
    return m;
}

static void note(json_t *m, const char *text)
{
    json_array_append_new(json_object_get(m, "notes"), jstr(text));
}

/* ---- what the workspace knows ---- */

/* Distinct plan owners of role r joined with "、" (new string, may be ""). */
static char *owners_of(const struct b *b, enum az_role r)
{
    const struct az_plan *pl = b->di->in->plan;
    struct az_buf o;
    az_buf_init(&o, 1u << 20);
    if (r == AZ_ROLE_PLANNING && b->p->person && *b->p->person)
        az_buf_puts(&o, b->p->person);
    for (size_t i = 0; pl && i < pl->n; i++)
        for (int k = 0; k < 2; k++) {
            const struct az_plan_track *t = &pl->v[i].track[k];
            if (t->owner_role != (unsigned)r || !t->owner || !*t->owner)
                continue;
            if (o.data && o.len && strstr(o.data, t->owner))
                continue;
            if (o.len)
                az_buf_puts(&o, T(b, "、", ", "));
            az_buf_puts(&o, t->owner);
        }
    {
        char *s = az_buf_take(&o);
        return s ? s : strdup("");
    }
}

/* The ledger findings about asset `name` whose rule starts with prefix
 * (NULL: any gap or attention), joined (new string, "" when none). */
static char *asset_findings(const struct b *b, const char *name, const char *prefix)
{
    const json_t *fs = json_object_get(b->di->in->ledger_check, "findings"), *f;
    struct az_buf o;
    size_t i;
    char *s;

    az_buf_init(&o, 1u << 20);
    json_array_foreach(fs, i, f)
    {
        const char *a = json_string_value(json_object_get(f, "asset"));
        const char *rule = json_string_value(json_object_get(f, "rule"));
        const char *text = json_string_value(json_object_get(f, b->l == AZ_LANG_EN ? "en" : "ja"));
        if (!a || strcmp(a, name) || !rule || !text)
            continue;
        if (prefix && strncmp(rule, prefix, strlen(prefix)))
            continue;
        if (o.len)
            az_buf_puts(&o, "\n");
        /* the asset's name leads every message: leave it out here */
        if (!strncmp(text, name, strlen(name)) && !strncmp(text + strlen(name), ": ", 2))
            text += strlen(name) + 2;
        az_buf_puts(&o, text);
    }
    s = az_buf_take(&o);
    return s ? s : strdup("");
}

/* The antivirus cell of an asset, from an extra column whose header says
 * so, or NULL. */
static const char *antivirus(const struct az_ledger *l, const struct az_asset *a)
{
    static const char *const words[] = {
        "ウイルス", "ウィルス", "セキュリティソフト", "EDR", "antivirus", "Antivirus", "AV", NULL};
    for (size_t k = 0; a->extra && k < l->nextra; k++)
        for (size_t w = 0; words[w]; w++)
            if (strstr(l->extra_head[k], words[w]))
                return a->extra[k];
    return NULL;
}

/* The vendor registry entry supplying system id, or NULL. */
static const struct az_vendor *vendor_of(const struct b *b, const char *system)
{
    const struct az_vendors *vs = b->di->in->vendors;
    for (size_t i = 0; vs && system && i < vs->n; i++)
        for (size_t k = 0; k < vs->v[i].nsystems; k++)
            if (!strcmp(vs->v[i].systems[k], system))
                return &vs->v[i];
    return NULL;
}

static const struct az_system *system_of(const struct b *b, const char *id)
{
    for (size_t i = 0; id && i < b->p->nsystems; i++)
        if (!strcmp(b->p->systems[i].id, id))
            return &b->p->systems[i];
    return NULL;
}

/* ---- the BCP ---- */

static void bcp_heiji(struct b *b, json_t *m)
{
    const struct az_ledger *l = b->di->in->ledger;
    json_t *s = section(m, "heiji", T(b, "1. 平時の備え", "1. In normal times"),
                        T(b, "1 平時", "1 Normal times"));
    static const char *hja[] = {"名称",
                                "種別",
                                "OS・版",
                                "IPアドレス",
                                "ネットワーク区分",
                                "所属システム",
                                "脆弱性・更新の状態",
                                "ウイルス対策",
                                NULL};
    static const char *hen[] = {"Name",    "Kind",   "OS / version",          "IP address",
                                "Segment", "System", "Vulnerability / patch", "Antivirus",
                                NULL};
    json_t *rows;

    paraf(s,
          az_fmt(
              T(b,
                "攻撃を受けたときに何を止め、何を守るかをすぐ決められるよう、%sのサーバとパソコン、"
                "ネットワークの区分、事業者がリモート保守に使う入口を平時に一覧にしておきます。"
                "下の表は機器台帳と事業者の登録から anzen が記入しました。変わったら台帳を"
                "直して作り直してください。",
                "So that %s can decide quickly what to stop and what to protect, list the "
                "servers and PCs, the network segments and the vendors' remote-maintenance "
                "entry points in advance. anzen filled the tables below from the asset ledger "
                "and the vendor registry; when they change, update the ledger and make this "
                "again."),
              self(b)));
    rows =
        table(s, T(b, "サーバとパソコンの一覧", "Servers and PCs"), b->l == AZ_LANG_EN ? hen : hja);
    for (size_t i = 0; l && i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        AZ_AUTOFREE char *os = NULL; /* the ledger's cells whole, however long */
        char *vul;
        const char *av;
        if (a->kind != AZ_ASSET_SERVER && a->kind != AZ_ASSET_TERMINAL)
            continue;
        os = az_fmt("%s%s%s", a->col[AZ_COL_OS], *a->col[AZ_COL_VERSION] ? " " : "",
                    a->col[AZ_COL_VERSION]);
        vul = asset_findings(b, a->col[AZ_COL_NAME], NULL);
        if (!*vul) {
            char lp[32] = "";
            free(vul);
            if (a->has_last_patch)
                az_date_iso(a->last_patch, lp, sizeof(lp));
            vul = a->has_last_patch
                      ? az_fmt(T(b, "指摘なし (最終更新 %s)", "no finding (patched %s)"), lp)
                      : az_fmt("%s",
                               T(b, "最終更新日が台帳にありません", "no patch date in the ledger"));
        }
        av = antivirus(l, a);
        {
            const char *cells[] = {a->col[AZ_COL_NAME],
                                   a->kind_label ? a->kind_label
                                                 : az_asset_kind_name(a->kind, b->l),
                                   os,
                                   a->col[AZ_COL_IP],
                                   a->col[AZ_COL_SEGMENT],
                                   a->col[AZ_COL_SYSTEM],
                                   vul,
                                   av && *av ? av : ""};
            row(rows, 8, cells);
        }
        free(vul);
    }
    if (!l)
        para(s, T(b,
                  "機器台帳 (ledger.csv) がないため、一覧は空です。anzen ledger import で台帳を"
                  "取り込むと記入されます。",
                  "There is no asset ledger (ledger.csv), so the list is empty; import one with "
                  "anzen ledger import."));
    {
        /* the network segments and what is in them */
        static const char *sja[] = {"ネットワーク区分", "機器", "外部から接続可能な機器", NULL};
        static const char *sen[] = {"Segment", "Devices", "Reachable from outside", NULL};
        json_t *srows = table(s, T(b, "ネットワークの区分", "Network segments"),
                              b->l == AZ_LANG_EN ? sen : sja);
        for (size_t i = 0; l && i < l->n; i++) {
            const char *seg = l->v[i].col[AZ_COL_SEGMENT];
            bool seen = false;
            struct az_buf dev, ext;
            for (size_t k = 0; k < i; k++)
                if (!strcmp(l->v[k].col[AZ_COL_SEGMENT], seg))
                    seen = true;
            if (seen)
                continue;
            az_buf_init(&dev, 1u << 20);
            az_buf_init(&ext, 1u << 20);
            for (size_t k = i; k < l->n; k++) {
                if (strcmp(l->v[k].col[AZ_COL_SEGMENT], seg))
                    continue;
                az_buf_printf(&dev, "%s%s", dev.len ? T(b, "、", ", ") : "",
                              l->v[k].col[AZ_COL_NAME]);
                if (l->v[k].external == 1)
                    az_buf_printf(&ext, "%s%s", ext.len ? T(b, "、", ", ") : "",
                                  l->v[k].col[AZ_COL_NAME]);
            }
            {
                const char *cells[] = {*seg ? seg : T(b, "(区分の記入なし)", "(no segment)"),
                                       dev.data ? dev.data : "", ext.data ? ext.data : ""};
                row(srows, 3, cells);
            }
            az_buf_done(&dev);
            az_buf_done(&ext);
        }
    }
    {
        /* the vendors' remote-maintenance entry points */
        static const char *vja[] = {"装置",   "OS・版", "IPアドレス", "所属システム",
                                    "管理者", "事業者", "接続の方法", "既知の脆弱性 (KEV) と更新",
                                    NULL};
        static const char *ven[] = {"Device",
                                    "OS / version",
                                    "IP address",
                                    "System",
                                    "Administrator",
                                    "Vendor",
                                    "How it connects",
                                    "Known exploited (KEV) / patch",
                                    NULL};
        json_t *vrows = table(s,
                              T(b, "事業者のリモート保守の入口 (VPN 装置など)",
                                "Vendors' remote-maintenance entry points (VPN devices)"),
                              b->l == AZ_LANG_EN ? ven : vja);
        const struct az_vendors *vs = b->di->in->vendors;
        for (size_t i = 0; l && i < l->n; i++) {
            const struct az_asset *a = &l->v[i];
            const struct az_vendor *v;
            const struct az_system *sy;
            AZ_AUTOFREE char *os = NULL; /* the ledger's cells whole */
            char *kev;
            if (a->kind != AZ_ASSET_VPN)
                continue;
            v = vendor_of(b, a->col[AZ_COL_SYSTEM]);
            sy = system_of(b, a->col[AZ_COL_SYSTEM]);
            os = az_fmt("%s%s%s", a->col[AZ_COL_OS], *a->col[AZ_COL_VERSION] ? " " : "",
                        a->col[AZ_COL_VERSION]);
            kev = asset_findings(b, a->col[AZ_COL_NAME], NULL);
            {
                const char *cells[] = {
                    a->col[AZ_COL_NAME],
                    os,
                    a->col[AZ_COL_IP],
                    sy ? sy->name : a->col[AZ_COL_SYSTEM],
                    *a->col[AZ_COL_ADMIN]
                        ? a->col[AZ_COL_ADMIN]
                        : T(b, "(管理者なし: 決めてください)", "(nobody: decide who)"),
                    v                            ? v->name
                    : *a->col[AZ_COL_BROUGHT_BY] ? a->col[AZ_COL_BROUGHT_BY]
                                                 : (sy && sy->vendor ? sy->vendor : ""),
                    v && v->rm_method ? v->rm_method : "",
                    *kev ? kev : T(b, "指摘なし", "no finding")};
                row(vrows, 8, cells);
            }
            free(kev);
        }
        /* remote maintenance on record without a device in the ledger */
        for (size_t i = 0; vs && i < vs->n; i++) {
            const struct az_vendor *v = &vs->v[i];
            bool found = false;
            if (!v->rm_method && !v->rm_device)
                continue;
            for (size_t k = 0; l && k < l->n && !found; k++)
                for (size_t y = 0; y < v->nsystems; y++)
                    if (l->v[k].kind == AZ_ASSET_VPN &&
                        !strcmp(l->v[k].col[AZ_COL_SYSTEM], v->systems[y]))
                        found = true;
            if (found)
                continue;
            {
                const struct az_system *sy = v->nsystems ? system_of(b, v->systems[0]) : NULL;
                const char *cells[] = {
                    v->rm_device ? v->rm_device : T(b, "(台帳に記載なし)", "(not in the ledger)"),
                    "",
                    "",
                    sy ? sy->name : "",
                    "",
                    v->name,
                    v->rm_method ? v->rm_method : "",
                    T(b, "台帳に載せて版を確認してください",
                      "add it to the ledger and check its version")};
                row(vrows, 8, cells);
            }
        }
    }
    {
        json_t *f = fields(s, T(b, "平時に決めておくこと", "To decide in advance"));
        field(f, "diagram",
              T(b, "ネットワーク構成図の保管場所", "Where the network diagram is kept"), NULL);
        field(f, "backup",
              T(b, "バックアップの保管場所 (ネットワークから切り離した複製の有無)",
                "Where backups are kept (an offline copy?)"),
              b->p->backup_offline
                  ? T(b, "オフラインの複製あり (プロファイル)", "offline copy (profile)")
                  : NULL);
        field(f, "paper",
              T(b, "紙で運用するときの様式の保管場所", "Where the paper forms are kept"), NULL);
        field(f, "review",
              T(b, "この計画を見直す時期と担当", "When and by whom this plan is reviewed"), NULL);
    }
}

static void decision_rows(struct b *b, json_t *s, const char *caption, const char *const *what,
                          size_t n)
{
    static const char *hja[] = {"判断・行動", "判断する人", "不在のときの代わり", "記入欄", NULL};
    static const char *hen[] = {"Decision / action", "Who decides", "Deputy", "Notes", NULL};
    json_t *rows = table(s, caption, b->l == AZ_LANG_EN ? hen : hja);
    for (size_t i = 0; i < n; i++) {
        const char *cells[] = {what[i], "", "", ""};
        row(rows, 4, cells);
    }
}

static void bcp_model(struct b *b, json_t *m)
{
    json_t *s, *f;

    note(m, T(b,
              "構成は厚生労働省が 2024年6月に示したサイバー攻撃を想定した BCP の確認表・手引き・"
              "ひな形の 5 段階に沿っています。文言は anzen 独自のもので、構成は二次資料で確かめた"
              "ものです (原本との突き合わせは未確認)。",
              "The structure follows the five stages of MHLW's cyber-attack BCP check sheet, "
              "guide and template (June 2024). The wording is anzen's own; the structure was "
              "checked against secondary sources only (not verified against the originals)."));
    bcp_heiji(b, m);

    s = section(m, "kenchi", T(b, "2. 検知 (異常に気付いたとき)", "2. Detection"),
                T(b, "2 検知", "2 Detection"));
    para(s, T(b,
              "次のようなときは攻撃を疑います: 画面に身代金を求める文が出る、ファイルが開けない・"
              "名前や拡張子が変わった、動作が急に遅い、事業者・警察・他の機関から連絡があった。",
              "Suspect an attack when a ransom note appears, files cannot be opened or their "
              "names change, systems slow down suddenly, or a vendor, the police or another body "
              "calls."));
    para(s,
         T(b,
           "気付いた人は電源を切らずに (記録が消えるため)、その端末のネットワークケーブルを"
           "抜き、無線を切って、すぐ下の担当者に知らせます。時刻と画面の様子 (写真) を記録します。",
           "Whoever notices does not switch the device off (records would be lost), unplugs "
           "its network cable or turns off Wi-Fi, and tells the person below at once, noting "
           "the time and the screen (a photo)."));
    f = fields(s, T(b, "最初の連絡", "First report"));
    field(f, "first_contact", T(b, "異常を最初に知らせる相手", "Who is told first"), NULL);
    field(f, "first_means", T(b, "その連絡手段 (内線・携帯)", "How (extension, mobile)"), NULL);
    field(f, "recorder", T(b, "時刻と状況を記録する人", "Who keeps the time log"), NULL);
    field(f, "vendor_first", T(b, "事業者に第一報を入れる人", "Who alerts the vendor"), NULL);

    s = section(m, "shodou", T(b, "3. 初動 (被害を広げない)", "3. First response"),
                T(b, "3 初動", "3 First response"));
    paraf(s, az_fmt(T(b,
                      "最初にバックアップの系統を切り離して守り、次に外部との接続 (インターネット、"
                      "事業者の VPN) を止め、区分ごとに分けて広がりを確かめ、%sに報告します。"
                      "判断する人と、不在のときの代わりを決めておきます。",
                      "First cut the backup network off to protect it, then stop outside "
                      "connections (internet, vendors' VPN), separate the segments to see how far "
                      "it spread, and report to the %s. Name who decides and a deputy."),
                    b->ph ? T(b, "開設者", "owner") : T(b, "経営層", "management")));
    {
        const char *ja[] = {"バックアップの系統の切り離し",
                            "外部との接続 (インターネット・事業者の VPN) の遮断",
                            "ネットワークの区分ごとの切り離し",
                            "経営層への報告と対策本部の立ち上げ",
                            "紙での運用への切り替え (受付・記録・会計)",
                            "患者の受け入れの制限、他の医療機関への依頼",
                            "警察・行政・支援窓口への連絡 (連絡体制図)",
                            "患者・職員・報道への説明"};
        const char *ph[] = {"バックアップの系統の切り離し",
                            "外部との接続 (インターネット・事業者の VPN) の遮断",
                            "ネットワークの区分ごとの切り離し",
                            "開設者への報告と対策本部の立ち上げ",
                            "紙での運用への切り替え (受付・調剤録・会計)",
                            "調剤の継続の判断、近隣の薬局・処方元への連絡",
                            "警察・行政・支援窓口への連絡 (連絡体制図)",
                            "患者・職員への説明"};
        const char *en[] = {"Cut off the backup network",
                            "Stop outside connections (internet, vendors' VPN)",
                            "Separate the network segments",
                            "Report to management, set up the response team",
                            "Switch to paper (reception, records, billing)",
                            "Limit new patients, ask other institutions for help",
                            "Call the police, authorities and support desks (contact chart)",
                            "Inform patients, staff and the press"};
        decision_rows(b, s, T(b, "初動の判断", "First-response decisions"),
                      b->l == AZ_LANG_EN ? en
                      : b->ph            ? ph
                                         : ja,
                      8);
    }
    f = fields(s, T(b, "手順の保管場所", "Where the procedures are"));
    field(f, "disconnect_howto", T(b, "切り離しの手順書", "Disconnection procedure"), NULL);
    field(f, "paper_howto", T(b, "紙運用の手順と様式", "Paper-operation procedure and forms"),
          NULL);

    s = section(m, "fukkyu", T(b, "4. 復旧 (優先順に戻す)", "4. Recovery"),
                T(b, "4 復旧", "4 Recovery"));
    para(s, T(b,
              b->ph ? "侵入の入口 (VPN 装置など) を塞ぎ、パスワードを変えてから、感染していないこと"
                      "を確かめたバックアップで、優先順の高いシステムから戻します。順位は業務への"
                      "影響で決め、見直して記入してください (薬局内のサーバを先、クラウドは事業者"
                      "と確認)。"
                    : "侵入の入口 (VPN 装置など) を塞ぎ、パスワードを変えてから、感染していないこと"
                      "を確かめたバックアップで、優先順の高いシステムから戻します。順位は業務への"
                      "影響で決め、見直して記入してください (院内のサーバを先、クラウドは事業者"
                      "と確認)。",
              "Close the way in (the VPN device, ...) and change passwords first; then restore "
              "from a backup known to be clean, highest priority first. Rank by impact on care "
              "and review the order below (on-site servers first; cloud services with their "
              "provider)."));
    {
        static const char *hja[] = {"順位",           "システム",       "形態",       "事業者",
                                    "事業者の連絡先", "復旧の目標時間", "確認する人", NULL};
        static const char *hen[] = {"Rank",           "System", "Hosting",      "Vendor",
                                    "Vendor contact", "Target", "Who confirms", NULL};
        json_t *rows =
            table(s, T(b, "復旧の順序", "Restore order"), b->l == AZ_LANG_EN ? hen : hja);
        int rank = 1;
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < b->p->nsystems; i++) {
                const struct az_system *sy = &b->p->systems[i];
                const struct az_vendor *v = vendor_of(b, sy->id);
                char num[16];
                if (sy->cloud != (pass == 1))
                    continue;
                snprintf(num, sizeof(num), "%d", rank++);
                {
                    const char *cells[] = {num,
                                           sy->name,
                                           sy->cloud ? T(b, "クラウド", "cloud")
                                                     : T(b, "院内サーバ", "on-site"),
                                           v            ? v->name
                                           : sy->vendor ? sy->vendor
                                                        : "",
                                           v && v->contact ? v->contact : "",
                                           "",
                                           ""};
                    if (b->ph && !sy->cloud)
                        cells[2] = T(b, "薬局内のサーバ", "on-site");
                    row(rows, 7, cells);
                }
            }
    }
    f = fields(s, T(b, "復旧の判断", "Recovery decisions"));
    field(f, "restore_done", T(b, "復旧の完了を確かめる人", "Who confirms the restore"), NULL);
    field(f, "back_to_normal",
          T(b, "通常の運用に戻す判断をする人", "Who decides to return to normal"), NULL);

    s = section(m, "jigo", T(b, "5. 事後 (再発を防ぐ)", "5. Afterwards"),
                T(b, "5 事後", "5 Afterwards"));
    para(s, T(b,
              "原因と対応の経過を報告書にまとめ、チェックリストと対応計画を見直し、台帳と事業者"
              "との役割分担を直します。記録は保存し、この計画で年に 1 回以上訓練します "
              "(anzen docs drill)。",
              "Write up the cause and the course of events, review the checklist and the plan, "
              "fix the ledger and the split of roles with vendors. Keep the records and drill "
              "this plan at least once a year (anzen docs drill)."));
    f = fields(s, T(b, "事後の担当", "Afterwards"));
    field(f, "report_by", T(b, "報告書をまとめる人と期限", "Who writes the report, by when"), NULL);
    field(f, "prevent_by", T(b, "再発防止策の責任者", "Who owns the prevention measures"), NULL);
    field(f, "next_drill", T(b, "次の訓練の予定日", "Next drill"), NULL);
}

/* ---- the contact chart ---- */

static void contacts_model(struct b *b, json_t *m)
{
    json_t *s, *rows;
    const char *pref = b->p->prefecture && *b->p->prefecture ? b->p->prefecture : NULL;

    note(m, T(b,
              "電話番号は変わるため anzen は記入しません。各機関の公式の案内で確かめて記入し、"
              "確認した日を残してください。",
              "anzen does not fill in phone numbers, as they change: check each body's official "
              "page, fill them in and note the date checked."));
    s = section(m, "internal", T(b, "1. 院内の体制", "1. Internal roles"),
                T(b, "1 院内", "1 Internal"));
    if (b->ph) {
        json_object_set_new(s, "title", json_string(T(b, "1. 薬局内の体制", "1. Internal roles")));
        json_object_set_new(s, "sheet", json_string(T(b, "1 薬局内", "1 Internal")));
    }
    /* without IT staff (ops-staff: false) nobody holds the operations
     * role: the chain skips it, as the plan gives its tasks to the vendor
     * or the planning manager */
    const char *subst_vendor = NULL;
    unsigned subst = az_plan_ops_substitute(b->p, &subst_vendor);
    if (subst == AZ_ROLE_OPERATIONS)
        paraf(s, az_fmt(T(b,
                          "%sでは、異常に気付いた人 → システム運用担当者 → %s → %s の順に知らせ、"
                          "%sが事業者に、%sの判断で警察・行政に連絡します。",
                          "At %s, whoever notices tells the systems operator, who tells the %s, "
                          "who tells the %s; the %s calls the vendors and, on the %s's decision, "
                          "the police and the authorities."),
                        self(b), role_label(b, AZ_ROLE_PLANNING), role_label(b, AZ_ROLE_MANAGEMENT),
                        role_label(b, AZ_ROLE_PLANNING), role_label(b, AZ_ROLE_MANAGEMENT)));
    else
        paraf(s, az_fmt(T(b,
                          "%sでは、異常に気付いた人 → %s → %s の順に知らせ、%sが事業者%s%s%sに、"
                          "%sの判断で警察・行政に連絡します。システム運用担当者はいないため、その"
                          "仕事は%sが受け持ちます。",
                          "At %s, whoever notices tells the %s, who tells the %s; the %s calls "
                          "the vendors%s%s%s and, on the %s's decision, the police and the "
                          "authorities. There is no systems operator: %s takes that work."),
                        self(b), role_label(b, AZ_ROLE_PLANNING), role_label(b, AZ_ROLE_MANAGEMENT),
                        role_label(b, AZ_ROLE_PLANNING), subst_vendor ? T(b, " (", " (") : "",
                        subst_vendor ? subst_vendor : "", subst_vendor ? T(b, ")", ")") : "",
                        role_label(b, AZ_ROLE_MANAGEMENT),
                        subst_vendor ? subst_vendor : role_label(b, AZ_ROLE_PLANNING)));
    {
        static const char *hja[] = {
            "役割", "氏名", "連絡先 (勤務中)", "連絡先 (時間外)", "不在のときの代わり", NULL};
        static const char *hen[] = {
            "Role", "Name", "Contact (working hours)", "Contact (after hours)", "Deputy", NULL};
        enum az_role roles[] = {AZ_ROLE_MANAGEMENT, AZ_ROLE_PLANNING, AZ_ROLE_OPERATIONS};
        rows = table(s, NULL, b->l == AZ_LANG_EN ? hen : hja);
        for (int i = 0; i < 3; i++) {
            if (roles[i] == AZ_ROLE_OPERATIONS && subst != AZ_ROLE_OPERATIONS)
                continue; /* no such person: no empty row */
            char *who = owners_of(b, roles[i]);
            const char *cells[] = {role_label(b, roles[i]), who, "", "", ""};
            row(rows, 5, cells);
            free(who);
        }
    }
    s = section(m, "vendors", T(b, "2. 事業者", "2. Vendors"), T(b, "2 事業者", "2 Vendors"));
    {
        static const char *hja[] = {
            "事業者",         "システム", "連絡先 (登録)", "リモート保守", "時間外の連絡先",
            "契約・保守番号", NULL};
        static const char *hen[] = {
            "Vendor",       "Systems", "Contact (registry)", "Remote maintenance", "After hours",
            "Contract no.", NULL};
        const struct az_vendors *vs = b->di->in->vendors;
        rows = table(s, NULL, b->l == AZ_LANG_EN ? hen : hja);
        for (size_t i = 0; vs && i < vs->n; i++) {
            const struct az_vendor *v = &vs->v[i];
            struct az_buf sys;
            az_buf_init(&sys, 1u << 20);
            for (size_t k = 0; k < v->nsystems; k++) {
                const struct az_system *sy = system_of(b, v->systems[k]);
                az_buf_printf(&sys, "%s%s", k ? T(b, "、", ", ") : "",
                              sy ? sy->name : v->systems[k]);
            }
            {
                const char *cells[] = {v->name,
                                       sys.data ? sys.data : "",
                                       v->contact ? v->contact : "",
                                       v->rm_method ? v->rm_method : "",
                                       "",
                                       ""};
                row(rows, 6, cells);
            }
            az_buf_done(&sys);
        }
        if (!vs) /* without a registry the profile's system vendors */
            for (size_t i = 0; i < b->p->nsystems; i++) {
                const struct az_system *sy = &b->p->systems[i];
                if (!sy->vendor)
                    continue;
                {
                    const char *cells[] = {
                        sy->vendor, sy->name, "", sy->remote_maintenance ? T(b, "あり", "yes") : "",
                        "",         ""};
                    row(rows, 6, cells);
                }
            }
    }
    s = section(m, "public", T(b, "3. 外部の相談・届出先", "3. Public contacts"),
                T(b, "3 外部", "3 Public"));
    para(s, T(b,
              "「未確認」と書いた名称は anzen が一次資料で確かめられなかったものです。公式の案内で"
              "確かめてください。",
              "Names marked unverified could not be checked against primary sources by anzen; "
              "confirm them on the official pages."));
    {
        static const char *hja[] = {"相談・届出先", "用件", "電話・窓口",
                                    "確認した日",   "備考", NULL};
        static const char *hen[] = {"Body",       "What for", "Phone / desk",
                                    "Checked on", "Notes",    NULL};
        char *police =
            az_fmt(T(b, "%s警察 サイバー犯罪相談窓口", "%s prefectural police, cybercrime desk"),
                   pref ? pref : T(b, "都道府県", "The"));
        char *prefgov = az_fmt(b->ph ? T(b, "%s 薬務担当課 (薬局の許可・検査の担当)",
                                         "%s pharmaceutical affairs division (pharmacy licences)")
                                     : T(b, "%s 医療政策担当課 (立入検査の担当)",
                                         "%s medical policy division (inspections)"),
                               pref ? pref : T(b, "都道府県の", "Prefecture:"));
        const char *list[][3] = {
            {police, T(b, "被害の相談・届出", "report the crime"), ""},
            {T(b, "厚生労働省 医療機関向けセキュリティ教育支援ポータル (MIST) の初動対応支援",
               "MHLW security support portal for medical institutions (MIST): first-response "
               "support"),
             T(b, "専門家による初動の助言・派遣の相談", "advice and experts after an incident"),
             b->ph ? T(b, "名称は二次資料による (未確認)。薬局が対象かも未確認",
                       "name from secondary sources (unverified); whether pharmacies are covered "
                       "is unverified")
                   : T(b, "名称は二次資料による (未確認)",
                       "name from secondary sources (unverified)")},
            {prefgov, T(b, "被害の報告", "report the incident"), ""},
            {T(b, "管轄の保健所", "The local public health centre"),
             T(b, "被害の報告・診療や調剤への影響の相談", "report, and the impact on care"), ""},
            {T(b, "IPA (情報処理推進機構) の相談窓口",
               "IPA (Information-technology Promotion Agency) "
               "consultation desk"),
             T(b, "技術的な相談", "technical advice"),
             T(b, "窓口の名称は未確認", "desk name unverified")},
            {T(b, "個人情報保護委員会", "Personal Information Protection Commission"),
             T(b, "患者情報の漏えいのおそれがあるときの報告",
               "report a possible leak of patient data"),
             T(b, "報告の要否と期限は公式の案内で確認 (未確認)",
               "check whether and when to report (unverified)")},
            {T(b, "加入しているサイバー保険の窓口 (あれば)", "Cyber insurance desk (if any)"),
             T(b, "事故の連絡・調査会社の手配", "claim, forensic firm"), ""},
        };
        rows = table(s, NULL, b->l == AZ_LANG_EN ? hen : hja);
        for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
            const char *cells[] = {list[i][0], list[i][1], "", "", list[i][2]};
            row(rows, 5, cells);
        }
        if (!b->ph) {
            const char *cells[] = {
                T(b, "日本医師会 サイバーセキュリティ支援制度 (会員のみ)",
                  "Japan Medical Association cybersecurity support (members)"),
                T(b, "電話相談・調査会社の紹介", "hotline, referral to forensic firms"), "", "",
                T(b, "二次資料による (未確認)", "secondary sources (unverified)")};
            row(rows, 5, cells);
        }
        free(police);
        free(prefgov);
    }
}

/* ---- the tabletop drill ---- */

/* The first VPN device of the ledger, or NULL. */
static const struct az_asset *first_vpn(const struct b *b)
{
    const struct az_ledger *l = b->di->in->ledger;
    for (size_t i = 0; l && i < l->n; i++)
        if (l->v[i].kind == AZ_ASSET_VPN)
            return &l->v[i];
    return NULL;
}

static void drill_model(struct b *b, json_t *m)
{
    const struct az_asset *vpn = first_vpn(b);
    const struct az_system *emr = NULL;
    json_t *s, *rows, *f;
    char *kev = NULL;
    const char *sysname;

    for (size_t i = 0; i < b->p->nsystems && !emr; i++)
        if (!b->p->systems[i].cloud)
            emr = &b->p->systems[i];
    if (!emr && b->p->nsystems)
        emr = &b->p->systems[0];
    sysname = emr     ? emr->name
              : b->ph ? T(b, "レセプトコンピュータ", "the pharmacy system")
                      : T(b, "電子カルテ", "the EMR");
    s = section(m, "scenario", T(b, "1. 想定する攻撃", "1. The scenario"),
                T(b, "1 シナリオ", "1 Scenario"));
    para(s, T(b,
              "公表された病院の調査報告書 (つるぎ町立半田病院 2022年、大阪急性期・総合医療センター "
              "2023年) に共通する型を使います: 事業者が保守用に置いた VPN 装置が更新されないまま"
              "既知の脆弱性が残り、そこから認証情報が盗まれ、侵入者が院内のサーバに広がって、"
              "電子カルテのサーバと端末のデータを暗号化しました。",
              "The pattern common to published hospital investigation reports (Handa Hospital "
              "2022, Osaka General Medical Center 2023): a VPN device a vendor installed for "
              "maintenance was never updated, a known vulnerability let attackers steal "
              "credentials, they spread to the servers and encrypted the EMR servers and "
              "terminals."));
    if (vpn) {
        kev = asset_findings(b, vpn->col[AZ_COL_NAME], "kev");
        paraf(s,
              az_fmt(T(b, "%sでは、台帳の「%s」(%s %s、%s) がこの入口にあたります。%s%s",
                       "At %s the ledger's \"%s\" (%s %s, %s) is this entry point. %s%s"),
                     self(b), vpn->col[AZ_COL_NAME], vpn->col[AZ_COL_OS], vpn->col[AZ_COL_VERSION],
                     sysname, *kev ? T(b, "anzen の点検: ", "anzen's check: ") : "", kev));
    } else {
        paraf(s,
              az_fmt(T(b,
                       "%sの台帳には VPN 装置がありません。事業者がリモート保守に使う入口を確かめ、"
                       "それを入口として進めてください。",
                       "%s's ledger has no VPN device: find the entry the vendors use for remote "
                       "maintenance and play it as the way in."),
                     self(b)));
    }
    para(s, T(b,
              "進め方: 関係者が机を囲み、進行役が下の状況を順に読み上げ、参加者はその場で誰が何を"
              "決めるかを話し合います。実機は操作しません。所要 60〜90 分。記録係は記録用紙に"
              "時刻と判断を書き、終わったら anzen docs drill --import で取り込みます。",
              "How: the people involved sit together, the facilitator reads each situation "
              "below, and the participants decide who does what. No system is touched. 60 to 90 "
              "minutes. The recorder fills the record sheet, then imports it with anzen docs "
              "drill --import."));
    {
        static const char *hja[] = {"段階", "時刻の目安", "状況 (読み上げる)", "考える問い", NULL};
        static const char *hen[] = {"Stage", "Time", "Situation (read out)", "Questions", NULL};
        char *i0 =
            az_fmt(T(b, "事業者から「%s」の更新の案内が半年前に届いていたが、誰も対応していない。",
                     "Six months ago the vendor sent an update notice for \"%s\"; nobody "
                     "acted on it."),
                   vpn ? vpn->col[AZ_COL_NAME] : T(b, "VPN 装置", "the VPN device"));
        char *i1 = az_fmt(T(b, "朝、受付の端末で%sが開けず、画面に身代金を求める英文が出ている。",
                            "In the morning %s will not open at reception; a ransom note in "
                            "English is on the screen."),
                          sysname);
        const char *inj[][4] = {
            {T(b, "平時", "Normal times"), T(b, "訓練の前", "before"), i0,
             T(b, "この装置の管理者は誰か。更新は誰の役割か (台帳・役割分担)",
               "Who administers this device? Whose job is the update?")},
            {T(b, "検知", "Detection"), "08:30", i1,
             T(b, "最初に誰に知らせるか。電源はどうするか。何を記録するか",
               "Who is told first? Power off or not? What is recorded?")},
            {T(b, "初動", "First response"), "08:45",
             T(b, "ほかの端末も次々に同じ状態になる。事業者の窓口は営業時間前でつながらない。",
               "More terminals show the same. The vendor's desk is not open yet."),
             T(b,
               "誰がネットワークの切り離しを決めるか。バックアップは守れているか。紙での運用に"
               "切り替えるか",
               "Who decides to disconnect? Is the backup safe? Switch to paper?")},
            {T(b, "初動", "First response"), "10:00",
             T(b, "患者が待合に増え、報道機関から問い合わせの電話が入る。",
               "Patients wait; a newspaper calls."),
             T(b,
               "受け入れをどうするか。誰が外部に説明するか。警察・行政・支援窓口に誰が連絡するか",
               "What about new patients? Who speaks to the outside? Who calls the police, the "
               "authorities, the support desk?")},
            {T(b, "復旧", "Recovery"), T(b, "2 日目", "day 2"),
             T(b,
               "事業者から、ネットワークにつながっていたバックアップも暗号化されていたと報告がある"
               "。",
               "The vendor reports that the backup on the network was encrypted too."),
             T(b, "ネットワークから切り離した複製はあるか。どのシステムから戻すか。入口は塞いだか",
               "Is there an offline copy? Which system first? Is the way in closed?")},
            {T(b, "事後", "Afterwards"), T(b, "2 週目", "week 2"),
             T(b, "調査で、入口は更新されていなかった VPN 装置と分かった。",
               "The investigation finds the unpatched VPN device was the way in."),
             T(b, "台帳・役割分担・パスワードをどう直すか。次の訓練はいつか",
               "How do the ledger, the role split and the passwords change? When is the next "
               "drill?")},
        };
        s = section(m, "injects", T(b, "2. 状況の進行 (インジェクト)", "2. Injects"),
                    T(b, "2 進行", "2 Injects"));
        rows = table(s, NULL, b->l == AZ_LANG_EN ? hen : hja);
        for (size_t i = 0; i < sizeof(inj) / sizeof(inj[0]); i++)
            row(rows, 4, inj[i]);
        free(i0);
        free(i1);
    }
    s = section(m, "record", T(b, "3. 訓練の記録", "3. Drill record"), T(b, "訓練記録", "Record"));
    para(s, T(b,
              "この用紙に記入して保存し、anzen docs drill --import ファイル で取り込むと、"
              "BCP の項目の証跡として記録されます。",
              "Fill in and save this sheet; anzen docs drill --import FILE records it as "
              "evidence for the BCP item."));
    f = fields(s, NULL);
    field(f, "date", T(b, "実施日", "Date"), NULL);
    field(f, "facilitator", T(b, "進行役", "Facilitator"), NULL);
    field(f, "participants", T(b, "参加者 (役割・氏名)", "Participants (role, name)"), NULL);
    {
        char *sc =
            az_fmt(T(b, "保守用 VPN 装置の未更新 → 認証情報の窃取 → ランサムウェアによる%sの暗号化",
                     "unpatched vendor VPN device → stolen credentials → ransomware encrypts "
                     "%s"),
                   sysname);
        field(f, "scenario", T(b, "シナリオ", "Scenario"), sc);
        free(sc);
    }
    field(f, "decisions", T(b, "主な判断 (誰が・何を)", "Main decisions (who, what)"), NULL);
    field(f, "lessons", T(b, "気付いた点・教訓", "Lessons"), NULL);
    field(f, "followup", T(b, "改善すること (担当・期限)", "Follow-up (owner, due)"), NULL);
    field(f, "recorder", T(b, "記録者", "Recorded by"), NULL);
    {
        static const char *hja[] = {"段階",       "開始時刻", "所要時間 (分)",
                                    "判断・対応", "担当",     NULL};
        static const char *hen[] = {"Step", "Start", "Minutes", "Decision / action", "Who", NULL};
        const char *steps[] = {
            T(b, "検知: 異常の報告まで", "Detection: until reported"),
            T(b, "初動: 切り離しの判断まで", "First response: until disconnect"),
            b->ph ? T(b, "初動: 開設者への報告まで", "First response: until the owner is told")
                  : T(b, "初動: 経営層への報告まで", "First response: until management told"),
            T(b, "初動: 紙運用の開始まで", "First response: until paper in use"),
            T(b, "復旧: 復旧順序の決定まで", "Recovery: until restore order set"),
            T(b, "事後: 振り返り", "Afterwards: review")};
        rows =
            table(s, T(b, "各段階までの時間", "Time to each step"), b->l == AZ_LANG_EN ? hen : hja);
        for (size_t i = 0; i < 6; i++) {
            const char *cells[] = {steps[i], "", "", "", ""};
            row(rows, 5, cells);
        }
        json_object_set_new(json_array_get(json_object_get(s, "blocks"), 1), "input", json_true());
    }
    free(kev);
}

/* ---- the inspection pack ---- */

struct expected {
    json_t *root; /* the parsed YAML (kinds, topics) */
};

int az_docs_expected(struct az_ctx *ctx, json_t **ret)
{
    struct az_doc *doc = NULL;
    int r;

    if (az_embedded_docs_n < 1)
        return az_fail(ctx, AZ_ENOTFOUND, "expected-documents.yaml がありません",
                       "expected-documents.yaml is missing");
    if ((r = az_doc_load(ctx, az_embedded_docs[0].name, az_embedded_docs[0].data,
                         az_embedded_docs[0].len, &doc)) < 0)
        return r;
    *ret = json_incref(az_doc_root(doc));
    az_doc_free(doc);
    if (!json_is_object(json_object_get(*ret, "kinds")) ||
        !json_is_object(json_object_get(*ret, "topics"))) {
        json_decref(*ret);
        return az_fail(ctx, AZ_ESCHEMA, "expected-documents.yaml: kinds と topics が必要です",
                       "expected-documents.yaml: needs kinds and topics");
    }
    return 0;
}

/* Does evidence record x count as document kind k? */
static bool evidence_is(const json_t *k, const json_t *x)
{
    const char *d = json_string_value(json_object_get(x, "description"));
    const char *src = json_string_value(json_object_get(x, "source"));
    const char *kind = json_string_value(json_object_get(x, "kind"));
    const json_t *w;
    size_t i;

    if (kind && (!strcmp(kind, "ledger") || !strcmp(kind, "scan")))
        return false; /* findings of a check are not a document */
    json_array_foreach(json_object_get(k, "match"), i, w)
    {
        const char *s = json_string_value(w);
        if (s && ((d && strstr(d, s)) || (src && strstr(src, s))))
            return true;
    }
    return false;
}

static void inspection_model(struct az_ctx *ctx, struct b *b, json_t *m, const json_t *exp)
{
    const struct az_eval *e = b->e;
    const json_t *kinds = json_object_get(exp, "kinds"), *topics = json_object_get(exp, "topics");
    const json_t *ev = b->di->evidence;
    json_t *s, *rows, *missing_all = json_object();
    int yes = 0, no = 0, open = 0, with_ev = 0;
    static const char *hja[] = {"番号",
                                "項目",
                                "回答",
                                "確認日",
                                "証跡 (文書・日付・記録者)",
                                "はいに必要で未登録の文書",
                                "暫定対策・本対策と目標日",
                                NULL};
    static const char *hen[] = {"No.",
                                "Item",
                                "Answer",
                                "Checked",
                                "Evidence (document, date, by)",
                                "Missing for はい",
                                "Interim / permanent and dates",
                                NULL};

    (void)ctx;
    note(m, T(b,
              "検査で求められる文書は anzen の助言です (data/docs/expected-documents.yaml)。"
              "チェックリストは措置の有無を問うもので、示す文書は検査する側が判断します。",
              "The documents listed as expected are anzen's advice "
              "(data/docs/expected-documents.yaml): the checklist asks whether a measure is in "
              "place; which paper shows it is the inspector's call."));
    s = section(m, "items", T(b, "項目ごとの回答と証跡", "Answers and evidence per item"),
                T(b, "項目と証跡", "Items"));
    rows = table(s, NULL, b->l == AZ_LANG_EN ? hen : hja);
    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *res = &e->results[i];
        const struct az_item *it = res->item;
        const struct az_answer *a = res->answer;
        const struct az_plan_item *pi = NULL;
        struct az_buf evs, miss, plan;
        char checked[32] = "", topic[256];
        const char *ans;
        const json_t *x, *kl, *kid;
        size_t k;

        if (res->status == AZ_ST_NOT_APPLICABLE)
            continue;
        az_buf_init(&evs, 1u << 20);
        az_buf_init(&miss, 1u << 20);
        az_buf_init(&plan, 1u << 20);
        if (a && a->has_checked)
            az_date_iso(a->checked, checked, sizeof(checked));
        ans = a && a->ans != AZ_ANS_NONE        ? az_ans_name(a->ans, b->l)
              : res->status == AZ_ST_UNANSWERED ? T(b, "未回答", "unanswered")
                                                : az_status_name(res->status, b->l);
        if (res->status == AZ_ST_SATISFIED)
            yes++;
        else if (res->status == AZ_ST_GAP)
            no++;
        else if (res->status == AZ_ST_UNANSWERED)
            open++;
        json_array_foreach(ev, k, x)
        {
            const char *item = json_string_value(json_object_get(x, "item"));
            const char *at = json_string_value(json_object_get(x, "collected_at"));
            const char *who = json_string_value(json_object_get(x, "who"));
            if (!item || strcmp(item, it->id))
                continue;
            az_buf_printf(&evs, "%s%s (%.10s, %s)", evs.len ? "\n" : "",
                          json_string_value(json_object_get(x, "description")), at ? at : "",
                          who ? who : "");
        }
        if (evs.len)
            with_ev++;
        /* the expected documents of the topic this item answers (in any
         * edition, through the crosswalks: 令和6's per-device patch items
         * are the patch topic too) */
        kl = NULL;
        {
            const char *key;
            const json_t *lst;
            json_object_foreach((json_t *)topics, key, lst)
            {
                const struct az_item *found[16];
                size_t nf;
                snprintf(topic, sizeof(topic), "h:%s", key);
                nf = az_topic_items(b->di->cat, e->edition, e->form->id, topic, found, 16);
                for (size_t q = 0; q < nf && !kl; q++)
                    if (found[q] == it)
                        kl = lst;
                if (kl)
                    break;
            }
        }
        json_array_foreach(kl, k, kid)
        {
            const json_t *kd = json_object_get(kinds, json_string_value(kid));
            const char *name =
                json_string_value(json_object_get(kd, b->l == AZ_LANG_EN ? "en" : "ja"));
            const char *onfile = json_string_value(json_object_get(kd, "on-file"));
            bool have = false;
            size_t j;
            const json_t *y;
            if (!kd || !name)
                continue;
            if (onfile && !strcmp(onfile, "ledger") && b->di->in->ledger)
                have = true;
            json_array_foreach(ev, j, y)
            {
                const char *item = json_string_value(json_object_get(y, "item"));
                if (!have && item && !strcmp(item, it->id) && evidence_is(kd, y))
                    have = true;
            }
            if (have)
                continue;
            az_buf_printf(&miss, "%s%s", miss.len ? "\n" : "", name);
            {
                json_t *lst = json_object_get(missing_all, name);
                if (!lst) {
                    lst = json_array();
                    json_object_set_new(missing_all, name, lst);
                }
                json_array_append_new(lst, json_string(it->label));
            }
        }
        for (size_t p = 0; b->di->in->plan && p < b->di->in->plan->n; p++)
            if (b->di->in->plan->v[p].result->item == it)
                pi = &b->di->in->plan->v[p];
        if (pi) {
            for (int t = 0; t < 2; t++) {
                char due[32];
                az_date_iso(pi->track[t].due, due, sizeof(due));
                az_buf_printf(&plan, "%s%s: %s (%s %s%s%s)", t ? "\n" : "",
                              t ? T(b, "本対策", "Permanent") : T(b, "暫定対策", "Interim"),
                              tr(b->l, pi->track[t].text), T(b, "期限", "due"), due,
                              *pi->track[t].owner ? ", " : "", pi->track[t].owner);
            }
        }
        if (a && a->has_target) {
            char tg[32];
            az_date_iso(a->target, tg, sizeof(tg));
            az_buf_printf(&plan, "%s%s %s", plan.len ? "\n" : "",
                          T(b, "回答の目標日:", "Target date in the answer:"), tg);
        }
        {
            const char *cells[] = {it->label,
                                   tr(b->l, it->title),
                                   ans,
                                   checked,
                                   evs.len ? evs.data : T(b, "(なし)", "(none)"),
                                   res->status == AZ_ST_NA ? ""
                                   : miss.len              ? miss.data
                                                           : "",
                                   plan.len ? plan.data : ""};
            row(rows, 7, cells);
        }
        az_buf_done(&evs);
        az_buf_done(&miss);
        az_buf_done(&plan);
    }
    {
        /* the summary goes first */
        json_t *sum = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "id", "summary", "title",
                                T(b, "概要", "Summary"), "sheet", T(b, "概要", "Summary"),
                                "paragraphs", "blocks");
        json_t *f = json_array();
        char n1[32], n2[32], n3[32], n4[32];
        snprintf(n1, sizeof(n1), "%d", yes);
        snprintf(n2, sizeof(n2), "%d", no);
        snprintf(n3, sizeof(n3), "%d", open);
        snprintf(n4, sizeof(n4), "%d", with_ev);
        json_array_append_new(json_object_get(sum, "blocks"),
                              json_pack("{s:s, s:o}", "caption", "", "fields", f));
        field(f, "form", T(b, "様式", "Form"), json_string_value(json_object_get(m, "form_title")));
        field(f, "edition", T(b, "版", "Edition"), e->edition->version);
        field(f, "yes", T(b, "はい", "Yes"), n1);
        field(f, "no", T(b, "いいえ", "No"), n2);
        field(f, "open", T(b, "未回答", "Unanswered"), n3);
        field(f, "with_evidence", T(b, "証跡のある項目", "Items with evidence"), n4);
        {
            static const char *hja2[] = {"用意する文書", "必要な項目", NULL};
            static const char *hen2[] = {"Document to prepare", "Items", NULL};
            json_t *h = json_array(), *mr = json_array();
            const char *name;
            json_t *lst;
            for (size_t i = 0; (b->l == AZ_LANG_EN ? hen2 : hja2)[i]; i++)
                json_array_append_new(h, json_string((b->l == AZ_LANG_EN ? hen2 : hja2)[i]));
            json_object_foreach(missing_all, name, lst)
            {
                struct az_buf it;
                size_t k;
                const json_t *x;
                az_buf_init(&it, 1u << 20);
                json_array_foreach(lst, k, x)
                    az_buf_printf(&it, "%s%s", k ? ", " : "", json_string_value(x));
                json_array_append_new(mr, json_pack("[s, s]", name, it.data ? it.data : ""));
                az_buf_done(&it);
            }
            json_array_append_new(json_object_get(sum, "blocks"),
                                  json_pack("{s:s, s:{s:o, s:o}}", "caption",
                                            T(b, "まだ証跡のない文書", "Documents not yet on file"),
                                            "table", "head", h, "rows", mr));
        }
        json_array_insert_new(json_object_get(m, "sections"), 0, sum);
    }
    json_decref(missing_all);
}

/* ---- entry points ---- */

bool az_docs_kind_ok(const char *kind)
{
    return kind && (!strcmp(kind, "bcp") || !strcmp(kind, "contacts") || !strcmp(kind, "drill") ||
                    !strcmp(kind, "inspection"));
}

int az_docs_model(struct az_ctx *ctx, const struct az_docs_input *in, const char *kind,
                  json_t **ret)
{
    struct b b = {ctx->lang, false, in, in->in->eval, in->in->eval->profile};
    json_t *m = NULL, *exp = NULL;
    int r;

    if (!az_docs_kind_ok(kind))
        return az_fail(
            ctx, AZ_EINVAL, "文書の種類 \"%s\" はありません (bcp / contacts / drill / inspection)",
            "no document kind \"%s\" (bcp, contacts, drill, inspection)", kind ? kind : "");
    b.ph = b.p->type == AZ_INST_PHARMACY;
    if (!strcmp(kind, "bcp"))
        m = model_new(&b, kind,
                      T(&b, "サイバー攻撃を想定した事業継続計画 (BCP)", "Cyber-attack BCP"),
                      T(&b, "平時・検知・初動・復旧・事後の 5 段階。空欄は記入してください",
                        "Five stages: normal times, detection, first response, recovery, "
                        "afterwards. Fill in the blanks"));
    else if (!strcmp(kind, "contacts"))
        m = model_new(
            &b, kind,
            T(&b, "連絡体制図 (サイバー攻撃を受けたとき)", "Contact chart (cyber attack)"),
            T(&b, "誰が誰に連絡するか。空欄は記入してください",
              "Who calls whom. Fill in the blanks"));
    else if (!strcmp(kind, "drill"))
        m = model_new(&b, kind,
                      T(&b, "机上訓練: 保守用 VPN 装置からのランサムウェア",
                        "Tabletop drill: ransomware through a vendor VPN device"),
                      T(&b, "シナリオ、状況の進行、記録用紙", "Scenario, injects, record sheet"));
    else {
        if ((r = az_docs_expected(ctx, &exp)) < 0)
            return r;
        m = model_new(&b, kind, T(&b, "立入検査の準備資料", "Inspection pack"),
                      T(&b, "チェックリストの項目ごとの回答・証跡・不足している文書・対応計画",
                        "Per checklist item: answer, evidence, missing documents, plan"));
    }
    if (!m) {
        json_decref(exp);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    if (!strcmp(kind, "bcp"))
        bcp_model(&b, m);
    else if (!strcmp(kind, "contacts"))
        contacts_model(&b, m);
    else if (!strcmp(kind, "drill"))
        drill_model(&b, m);
    else {
        /* a record of what is on file, not a form: nothing to fill in */
        json_object_set_new(m, "readonly", json_true());
        json_object_set_new(m, "landscape", json_true());
        inspection_model(ctx, &b, m, exp);
    }
    json_decref(exp);
    *ret = m;
    return 0;
}

int az_docs_html(struct az_ctx *ctx, const json_t *model, struct az_buf *out)
{
    struct az_tmpl_set *set = NULL;
    json_t *v = json_deep_copy(model), *t;
    bool en = ctx->lang == AZ_LANG_EN;
    int r;

    if (!v)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    t = json_pack("{s:s, s:s, s:s, s:s}", "as_of", en ? "As of" : "基準日", "basis",
                  en ? "Legal basis:" : "根拠:", "generated", en ? "Made with" : "作成:", "form",
                  en ? "Checklist" : "チェックリスト");
    json_object_set_new(v, "t", t);
    if ((r = az_report_templates(ctx, &set)) == 0)
        r = az_tmpl_render(ctx, set, "docs.html", v, NULL, out);
    az_tmpl_set_free(set);
    json_decref(v);
    return r;
}

/* ---- reading the drill record back ---- */

static void cellref(unsigned row, unsigned col, char *buf, size_t n)
{
    char letters[8];
    int k = 0;
    unsigned c = col + 1;
    while (c && k < 7) {
        letters[k++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    {
        char rev[8];
        for (int i = 0; i < k; i++)
            rev[i] = letters[k - 1 - i];
        rev[k] = 0;
        snprintf(buf, n, "%s%u", rev, row + 1);
    }
}

static char *trimmed(const char *s)
{
    size_t a = 0, z;
    if (!s)
        return strdup("");
    z = strlen(s);
    while (a < z && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n' || s[a] == '\r'))
        a++;
    while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\t' || s[z - 1] == '\n' || s[z - 1] == '\r'))
        z--;
    return az_fmt("%.*s", (int)(z - a), s + a);
}

int az_docs_drill_read(struct az_ctx *ctx, const char *name, const void *data, size_t len,
                       const char *institution, json_t **ret)
{
    struct az_xlsx *x = NULL;
    const struct az_xlsx_sheet *meta, *sh = NULL;
    const char *kind = NULL, *inst = NULL, *sheet = NULL;
    json_t *rec = NULL, *steps;
    unsigned date_row = 0, part_row = 0;
    bool has_date = false, has_part = false;
    int r;

    if ((r = az_xlsx_read(ctx, name, data, len, &x)) < 0)
        return r;
    meta = az_xlsx_sheet(x, "anzen");
    if (meta)
        for (size_t i = 0; i < meta->n; i++) {
            const struct az_xlsx_cell *c = &meta->cells[i];
            const char *v = az_xlsx_get(meta, c->row, 1);
            if (c->col != 0 || !v)
                continue;
            if (!strcmp(c->text, "schema") && strcmp(v, AZ_DOCS_SCHEMA))
                kind = NULL;
            else if (!strcmp(c->text, "kind"))
                kind = v;
            else if (!strcmp(c->text, "institution"))
                inst = v;
            else if (!strcmp(c->text, "record-sheet"))
                sheet = v;
        }
    if (!kind || strcmp(kind, "drill") || !sheet || !(sh = az_xlsx_sheet(x, sheet))) {
        az_xlsx_free(x);
        return az_fail(ctx, AZ_ESCHEMA,
                       "%s: anzen docs drill の記録用紙ではありません (非表示のシート anzen に "
                       "kind: drill と記録用紙のシートがありません)",
                       "%s: not an anzen docs drill record sheet (its hidden sheet anzen does not "
                       "name kind drill and the record sheet)",
                       name);
    }
    if (institution && inst && strcmp(inst, institution)) {
        r = az_fail(ctx, AZ_EINVAL, "%s: %s の訓練記録です (このプロファイルは %s)",
                    "%s: a drill record of %s (this profile is %s)", name, inst, institution);
        az_xlsx_free(x);
        return r;
    }
    rec = json_pack("{s:s, s:[]}", "institution", inst ? inst : "", "steps");
    steps = json_object_get(rec, "steps");
    for (size_t i = 0; i < sh->n; i++) {
        const struct az_xlsx_cell *c = &sh->cells[i];
        if (c->col != 0 || !c->text)
            continue;
        if (!strncmp(c->text, "step.", 5)) {
            char *cells[5];
            for (unsigned k = 0; k < 5; k++)
                cells[k] = trimmed(az_xlsx_get(sh, c->row, k + 1));
            json_array_append_new(steps, json_pack("{s:s, s:s, s:s, s:s, s:s}", "stage", cells[0],
                                                   "start", cells[1], "minutes", cells[2], "action",
                                                   cells[3], "who", cells[4]));
            if (*cells[2]) {
                long mins;
                if (az_parse_long(cells[2], 0, 100000, &mins) < 0) {
                    char ref[32];
                    cellref(c->row, 3, ref, sizeof(ref));
                    r = az_fail(
                        ctx, AZ_ESCHEMA, "%s: %s!%s: 所要時間 \"%s\" は分の数ではありません",
                        "%s: %s!%s: minutes \"%s\" is not a number", name, sh->name, ref, cells[2]);
                    for (unsigned k = 0; k < 5; k++)
                        free(cells[k]);
                    goto fail;
                }
            }
            for (unsigned k = 0; k < 5; k++)
                free(cells[k]);
            continue;
        }
        {
            static const char *const keys[] = {"date",     "facilitator", "participants",
                                               "scenario", "decisions",   "lessons",
                                               "followup", "recorder",    NULL};
            for (size_t k = 0; keys[k]; k++) {
                const struct az_xlsx_cell *vc = NULL;
                char *v;
                if (strcmp(c->text, keys[k]))
                    continue;
                for (size_t j = 0; j < sh->n; j++)
                    if (sh->cells[j].row == c->row && sh->cells[j].col == 2)
                        vc = &sh->cells[j];
                v = trimmed(vc ? vc->text : NULL);
                if (!strcmp(keys[k], "date")) {
                    struct az_date d;
                    char ref[32], iso[32];
                    has_date = true;
                    date_row = c->row;
                    cellref(c->row, 2, ref, sizeof(ref));
                    if (!*v) {
                        free(v);
                        continue;
                    }
                    if (az_date_parse(v, vc && vc->date, &d) < 0 &&
                        az_date_parse(v, true, &d) < 0) {
                        r = az_fail(ctx, AZ_ESCHEMA,
                                    "%s: %s!%s: 実施日 \"%s\" は日付ではありません",
                                    "%s: %s!%s: date \"%s\" is not a date", name, sh->name, ref, v);
                        free(v);
                        goto fail;
                    }
                    az_date_iso(d, iso, sizeof(iso));
                    free(v);
                    v = strdup(iso);
                }
                if (!strcmp(keys[k], "participants")) {
                    has_part = *v != 0;
                    part_row = c->row;
                }
                json_object_set_new(rec, keys[k], json_string(v ? v : ""));
                free(v);
            }
        }
    }
    if (!has_date || !json_string_length(json_object_get(rec, "date"))) {
        char ref[32];
        cellref(date_row, 2, ref, sizeof(ref));
        r = az_fail(ctx, AZ_ESCHEMA, "%s: %s!%s: 実施日が記入されていません",
                    "%s: %s!%s: the date is empty", name, sh->name, has_date ? ref : "C?");
        goto fail;
    }
    if (!has_part) {
        char ref[32];
        cellref(part_row, 2, ref, sizeof(ref));
        r = az_fail(ctx, AZ_ESCHEMA, "%s: %s!%s: 参加者が記入されていません",
                    "%s: %s!%s: no participants", name, sh->name, part_row ? ref : "C?");
        goto fail;
    }
    az_xlsx_free(x);
    *ret = rec;
    return 0;
fail:
    json_decref(rec);
    az_xlsx_free(x);
    return r;
}

char *az_docs_drill_text(const json_t *rec, enum az_lang lang)
{
    const char *d = json_string_value(json_object_get(rec, "date"));
    const char *p = json_string_value(json_object_get(rec, "participants"));
    const char *dec = json_string_value(json_object_get(rec, "decisions"));
    const char *les = json_string_value(json_object_get(rec, "lessons"));
    const char *fu = json_string_value(json_object_get(rec, "followup"));
    if (lang == AZ_LANG_EN)
        return az_fmt("Drill record (tabletop, ransomware via vendor VPN) on %s; participants: "
                      "%s%s%s%s%s%s%s",
                      d ? d : "", p ? p : "", dec && *dec ? "; decisions: " : "", dec ? dec : "",
                      les && *les ? "; lessons: " : "", les ? les : "",
                      fu && *fu ? "; follow-up: " : "", fu ? fu : "");
    return az_fmt("訓練記録 (机上訓練: 保守用 VPN 装置からのランサムウェア) 実施日 %s、参加者: "
                  "%s%s%s%s%s%s%s",
                  d ? d : "", p ? p : "", dec && *dec ? "、判断: " : "", dec ? dec : "",
                  les && *les ? "、教訓: " : "", les ? les : "", fu && *fu ? "、改善: " : "",
                  fu ? fu : "");
}
