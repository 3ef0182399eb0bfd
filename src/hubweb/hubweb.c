/* SPDX-License-Identifier: MIT */
/*
 * hubweb.c - the hub's site on the workspace's web server: its route
 * table (the account pages of src/web/auth.c and the hub's pages), the
 * labels of its pages, what every page adds (the hub's navigation and the
 * user's scope), and the user's scope for each request.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "anzen/catalog.h"
#include "anzen/util.h"
#include "hubweb.h"

/* The labels of the hub's pages ({{h.KEY}}), Japanese and English. */
static const struct {
    const char *key, *ja, *en;
} labels[] = {
    {"nav.overview", "概要", "Overview"},
    {"nav.institutions", "機関", "Institutions"},
    {"overview.title", "ハブの概要", "Hub overview"},
    {"overview.fy", "年度", "Fiscal year"},
    {"overview.years", "ほかの年度 (提出した機関の数)", "Other years (institutions that sent)"},
    {"overview.download", "報告書をダウンロード", "Download the report"},
    {"overview.empty", "この範囲にはまだ束がありません。", "No bundles in this scope yet."},
    {"overview.submitted", "提出", "Submitted"},
    {"overview.inst_unit", "機関", "institutions"},
    {"overview.missing", "未提出", "not submitted"},
    {"overview.none", "(なし)", "(none)"},
    {"overview.filter", "絞り込む", "Filter"},
    {"overview.filtered", "絞り込み", "narrowed to"},
    {"overview.all_prefs", "すべての都道府県", "all prefectures"},
    {"scope.label", "見える範囲", "Scope"},
    {"scope.all", "すべて (ハブ管理者)", "everything (hub administrator)"},
    {"scope.group", "グループ", "group"},
    {"scope.pref", "都道府県", "prefecture"},
    {"scope.assoc", "医師会", "association"},
    {"inst.title", "機関", "Institutions"},
    {"inst.id", "機関 ID", "Institution ID"},
    {"inst.name", "名称", "Name"},
    {"inst.type", "種別", "Type"},
    {"inst.pref", "都道府県", "Prefecture"},
    {"inst.beds", "病床規模", "Bed band"},
    {"inst.group", "グループ", "Group"},
    {"inst.parent", "本部", "Headquarters"},
    {"inst.last", "最新の束", "Latest bundle"},
    {"inst.sequence", "通し番号", "Sequence"},
    {"inst.completion", "対応率 (%)", "Completion (%)"},
    {"inst.overdue", "期限超過", "Overdue"},
    {"inst.search", "ID・名称で検索", "Search by ID or name"},
    {"inst.overdue_only", "期限超過のある機関だけ", "only those with overdue items"},
    {"inst.any_type", "すべての種別", "all types"},
    {"inst.count", "件", "institutions"},
    {"inst.prev", "前へ", "Previous"},
    {"inst.next", "次へ", "Next"},
    {"inst.page", "ページ", "page"},
    {"inst.none", "該当する機関はありません。", "No institutions match."},
    {"inst.never", "未提出", "none yet"},
    {"one.summary", "最新の束の要約", "Latest bundle summary"},
    {"one.no_bundle", "この機関からはまだ束が届いていません。",
     "No bundle from this institution yet."},
    {"one.applicable", "該当する項目", "Applicable items"},
    {"one.satisfied", "対応済み", "Satisfied"},
    {"one.gaps", "未対応", "Gaps"},
    {"one.unanswered", "未回答", "Unanswered"},
    {"one.indicators", "指標", "Indicators"},
    {"one.bcp", "サイバー攻撃を想定した BCP", "Cyber BCP"},
    {"one.mfa", "二要素認証", "Two-factor authentication"},
    {"one.mfa2027", "令和9年度の二要素認証への備え", "Ready for 2FA (FY2027)"},
    {"one.patching", "定期的な更新", "Regular patching"},
    {"one.usb", "USB の制限", "USB restricted"},
    {"one.contract", "契約での役割分担", "Roles in the vendor contract"},
    {"one.yes", "あり", "yes"},
    {"one.no", "なし", "no"},
    {"one.items", "項目ごとの状態", "Status by item"},
    {"one.topic", "項目", "Item"},
    {"one.status", "状態", "Status"},
    {"one.kev", "KEV に載る脆弱性のある VPN 装置", "VPN devices exposed to KEV"},
    {"one.product", "製品", "Product"},
    {"one.version", "版", "Version"},
    {"one.findings", "指摘の件数 (種類ごと)", "Findings by kind"},
    {"one.rule", "種類", "Kind"},
    {"one.count", "件数", "Count"},
    {"one.created", "作成日時", "Created"},
    {"nav.scopes", "見える範囲", "Scopes"},
    {"scopes.title", "利用者の見える範囲", "What each user sees"},
    {"scopes.hint", "管理者はすべてを見ます。範囲のない利用者は何も見られません。",
     "Administrators see everything. A user without a scope sees nothing."},
    {"scopes.none", "範囲なし", "no scope"},
    {"scopes.set", "範囲を決める", "Set a scope"},
    {"scopes.syntax", "all / group:グループ / prefecture:都道府県 / association:医師会",
     "all / group:NAME / prefecture:P / association:NAME"},
    {"scopes.save", "保存", "Save"},
    {"scopes.assocs", "医師会と会員", "Associations and their members"},
    {"scopes.members", "会員の機関 ID (空白・改行・カンマ区切り。置き換え)",
     "Member institution IDs (spaces, lines or commas; replaces the list)"},
    {"scopes.clear", "会員をすべて外す (ID は空のまま)",
     "Remove all members (leave the IDs empty)"},
};

static int labels_build(struct hubweb *hw)
{
    for (int l = 0; l < 2; l++) {
        json_t *root = json_object();
        if (!root)
            return AZ_ENOMEM;
        for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
            const char *dot = strchr(labels[i].key, '.');
            char grp[32];
            json_t *g;
            snprintf(grp, sizeof(grp), "%.*s", (int)(dot - labels[i].key), labels[i].key);
            if (!(g = json_object_get(root, grp))) {
                g = json_object();
                json_object_set_new(root, grp, g);
            }
            json_object_set_new(g, dot + 1, json_string(l ? labels[i].en : labels[i].ja));
        }
        hw->labels[l] = root;
    }
    return 0;
}

/* The scope as people read it. */
static void scope_view(struct req *q, const struct hub_scope *s, json_t *v)
{
    char buf[300];

    switch (s->kind) {
    case HS_ALL:
        snprintf(buf, sizeof(buf), "%s",
                 T(q, "すべて (ハブ管理者)", "everything (hub administrator)"));
        break;
    case HS_GROUP:
        snprintf(buf, sizeof(buf), "%s %s", T(q, "グループ", "group"), s->value);
        break;
    case HS_PREF:
        snprintf(buf, sizeof(buf), "%s", az_pref_name(s->pref, q->lang));
        break;
    case HS_ASSOC:
        snprintf(buf, sizeof(buf), "%s %s (%d)", T(q, "医師会", "association"), s->value,
                 s->nmembers);
        break;
    default:
        snprintf(buf, sizeof(buf), "%s", T(q, "なし", "none"));
    }
    v_str(v, "scope_name", buf);
}

static void page_vars(struct req *q, json_t *vars)
{
    struct hubweb *hw = HW(q);

    v_bool(vars, "hub", true);
    json_object_set(vars, "h", hw->labels[q->lang == AZ_LANG_EN]);
    if (json_object_get(vars, "roles")) {
        /* the hub has no workspace roles (経営層, 事業者 ...): the first
         * user is the hub's administrator, the others read what their
         * scope shows */
        bool setup = !strcmp(q->url, "/setup");
        json_t *list = json_array(), *x = json_object();
        v_str(x, "value", setup ? "planning" : "viewer");
        v_bool(x, "selected", true);
        v_str(x, "name",
              setup ? T(q, "ハブ管理者", "hub administrator")
                    : T(q, "ハブの利用者 (見るだけ。見える範囲は「見える範囲」で決めます)",
                        "hub user (reads only; the scope is set under Scopes)"));
        json_array_append_new(list, x);
        json_object_set_new(vars, "roles", list);
        json_object_set_new(vars, "vendors", json_array());
    }
    if (json_is_array(json_object_get(vars, "users"))) {
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(vars, "users"), i, u) if (json_object_get(u, "role"))
            v_str(u, "role", T(q, "ハブの利用者", "hub user"));
    }
}

/* The workspace's wording that does not fit the hub (its example names,
 * MFA as a recommendation), replaced in the labels the pages share. */
static void labels_for_hub(struct web *w)
{
    static const struct {
        const char *grp, *key, *ja, *en;
    } t[] = {
        {"setup", "intro",
         "この画面は最初の 1 回だけ表示されます。anzen hub serve を起動した端末に表示された"
         "「初回設定コード」を入力し、ハブの管理者のアカウントを作ってください。次の画面で"
         "二要素認証 (スマートフォンの認証アプリ) を設定します。",
         "This page appears only once. Enter the setup code that anzen hub serve printed in the "
         "terminal and create the hub administrator's account. The next page sets up "
         "two-factor authentication with an authenticator app."},
        {"setup", "display", "表示名 (例: 医療政策課 佐藤)",
         "Display name (e.g. Health Policy, Sato)"},
        {"mfa", "recommended", "ハブでは全員が二要素認証を使います (必須)。",
         "On the hub everyone must use two-factor authentication."},
        {"account", "mfa_off", "未設定 (必須です)", "off (required)"},
        {"users", "vendor", "(ハブでは使いません)", "(not used on the hub)"},
        {"base", "footer",
         "医療機関のサイバーセキュリティ対策チェックリスト: 各機関の点検結果の集計",
         "Aggregated results of institutions' self-assessments against the MHLW "
         "medical cybersecurity checklist"},
    };

    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
            json_t *g = json_object_get(w->labels[l], t[i].grp);
            if (g && json_object_get(g, t[i].key))
                json_object_set_new(g, t[i].key, json_string(l ? t[i].en : t[i].ja));
        }
}

const char *hub_topic_title(struct req *q, const char *topic)
{
    const struct az_catalog *cat = HW(q)->cat;
    size_t tl = strlen(topic), ne = cat ? az_catalog_neditions(cat) : 0;

    /* the newest edition that has the item */
    for (size_t e = ne; e-- > 0;) {
        const struct az_edition *ed = az_catalog_edition_at(cat, e);
        for (size_t i = 0; ed->checklist && i < ed->nitems; i++) {
            const char *id = ed->items[i]->id;
            size_t il = strlen(id);
            if (il > tl && id[il - tl - 1] == '.' && !strcmp(id + il - tl, topic)) {
                const struct az_text *t = &ed->items[i]->title;
                const char *s = q->lang == AZ_LANG_EN && t->en ? t->en : t->ja;
                return s ? s : topic;
            }
        }
    }
    return topic;
}

bool hub_user_scope(struct req *q, struct hub_scope *s)
{
    struct hubweb *hw = HW(q);
    int r;

    memset(s, 0, sizeof(*s));
    if (q->user.admin) {
        s->kind = HS_ALL;
        return true;
    }
    pthread_mutex_lock(&hw->lock);
    r = hub_scope_get(&q->ctx, hw->sq, q->user.name, s);
    pthread_mutex_unlock(&hw->lock);
    if (r < 0) {
        fprintf(stderr, "anzen hub serve: %s\n", az_errmsg(&q->ctx));
        web_error(q, 500, "内部エラー", "internal error");
        return false;
    }
    if (s->kind == HS_NONE) {
        web_audit_denied(q, "permission-denied");
        web_error(q, 403,
                  "あなたの利用者には、見える範囲 (グループ・都道府県・医師会) がまだ"
                  "決められていません。ハブの管理者に依頼してください。",
                  "Your account has no hub scope (group, prefecture or association) yet. Ask "
                  "the hub's administrator.");
        return false;
    }
    return true;
}

void hub_scope_vars(struct req *q, const struct hub_scope *s, json_t *v);
void hub_scope_vars(struct req *q, const struct hub_scope *s, json_t *v)
{
    scope_view(q, s, v);
}

#define ALLSIGNED (WEB_R_FULL | WEB_R_VIEWER_POST)
static const struct web_route hub_routes[] = {
    {"/", hub_page_overview, WEB_R_FULL},
    {"/institutions", hub_page_institutions, WEB_R_FULL},
    {"/institution", hub_page_institution, WEB_R_FULL},
    {"/report", hub_page_report, WEB_R_FULL},
    {"/api/v1/bundles", hub_api_bundles, WEB_R_RAW},
    {"/setup", page_setup, WEB_R_ANON},
    {"/login", page_login, WEB_R_ANON},
    {"/login/mfa", page_login_mfa, WEB_R_PARTIAL},
    {"/logout", page_logout, WEB_R_PARTIAL | WEB_R_ENROL | ALLSIGNED},
    {"/mfa", page_mfa_enrol, WEB_R_ENROL | ALLSIGNED},
    {"/account", page_account, ALLSIGNED},
    {"/admin/users", page_users, WEB_R_FULL | WEB_R_ADMIN},
    {"/admin/audit", page_audit, WEB_R_FULL | WEB_R_ADMIN},
    {"/admin/scopes", hub_page_scopes, WEB_R_FULL | WEB_R_ADMIN},
    {"/lang", web_page_lang, WEB_R_ANON | WEB_R_PARTIAL | WEB_R_ENROL | WEB_R_FULL},
};

/* Every {{h.a.b}} (also as a section) in the hub's templates must name a
 * label: a missing one would print nothing. */
static int labels_check(struct az_ctx *ctx, const struct hubweb *hw)
{
    for (size_t i = 0; i < az_embedded_web_tmpl_n; i++) {
        const struct az_file_blob *b = &az_embedded_web_tmpl[i];
        const char *end = b->data + b->len;
        if (!strstr(b->name, ":hub-"))
            continue;
        for (const char *p = b->data; p + 4 < end; p++) {
            const char *n = p + 2, *e, *dot;
            json_t *g;
            if (p[0] != '{' || p[1] != '{')
                continue;
            if (*n == '#' || *n == '^' || *n == '/')
                n++;
            if (end - n < 3 || n[0] != 'h' || n[1] != '.')
                continue;
            for (e = n + 2; e < end && strchr("abcdefghijklmnopqrstuvwxyz0123456789_.", *e); e++)
                ;
            dot = memchr(n + 2, '.', (size_t)(e - n - 2));
            g = dot ? json_object_getn(hw->labels[0], n + 2, (size_t)(dot - n - 2)) : NULL;
            if (!g || !json_is_string(json_object_getn(g, dot + 1, (size_t)(e - dot - 1))))
                return az_fail(ctx, AZ_ENOTFOUND, "%s: ハブの画面のラベル \"%.*s\" がありません",
                               "%s: no hub label \"%.*s\"", b->name, (int)(e - n), n);
            p = e - 1;
        }
    }
    return 0;
}

/* Files left in the spool by a server that stopped mid-request. */
static void spool_clean(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d)))
        if (!strncmp(de->d_name, "in-", 3) || !strncmp(de->d_name, "report-", 7))
            unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
}

int hubweb_setup(struct az_ctx *ctx, struct web *w, struct hubweb *hw)
{
    if (labels_build(hw) < 0)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if (labels_check(ctx, hw) < 0)
        return ctx->err;
    spool_clean(hw->spool);
    labels_for_hub(w);
    if (az_catalog_load_embedded(ctx, &hw->cat) < 0)
        return ctx->err;
    pthread_mutex_init(&hw->lock, NULL);
    w->site = hub_routes;
    w->nsite = sizeof(hub_routes) / sizeof(hub_routes[0]);
    w->raw_path = "/api/v1/bundles";
    w->raw_max = AZ_BUNDLE_MAX;
    w->raw_chunk = hub_api_chunk;
    w->raw_too_big = hub_api_too_big;
    w->page_vars = page_vars;
    w->app = hw;
    /* every hub user sees many institutions' data: TOTP for all */
    w->mfa_all = true;
    return 0;
}

void hubweb_free(struct hubweb *hw)
{
    if (!hw)
        return;
    for (int l = 0; l < 2; l++)
        json_decref(hw->labels[l]);
    az_catalog_free(hw->cat);
    if (hw->pg)
        PQfinish(hw->pg);
    az_hub_close(hw->hub);
    hub_scope_close(hw->sq);
    sodium_memzero(hw->box_sk, sizeof(hw->box_sk));
    free(hw->state);
    free(hw->spool);
}
