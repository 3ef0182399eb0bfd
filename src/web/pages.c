/* SPDX-License-Identifier: MIT */
/*
 * pages.c - the workspace screens of the web UI: dashboard, profile
 * wizard, questionnaire, plan board, ledger, vendor forms, reports.
 *
 * The numbers are never recomputed here: the dashboard reads the same
 * status JSON `anzen status --format json` prints (load_and_eval and
 * render_status of src/cli/cmd_status.c), the plan is az_plan_build with
 * the workspace's decisions, and every change is written to the same
 * files the CLI uses (profile.yaml, answers.yaml, vendor-SYSTEM.yaml,
 * ledger.csv; atomically) and to the change log with the user's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "anzen/ledger.h"
#include "anzen/oscal.h"
#include "anzen/plan.h"
#include "anzen/profile.h"
#include "web.h"

/* A struct cli for the shared CLI code, per request. */
static void cli_for(struct req *q, struct cli *c)
{
    memset(c, 0, sizeof(*c));
    c->lang = q->lang;
    az_ctx_init(&c->ctx, q->lang);
    c->catalog_dir = q->w->o.catalog_dir;
    c->cat = q->w->cat;
    c->as_of_given = q->w->o.as_of_given;
    if (q->w->o.as_of_given)
        c->as_of = q->w->o.as_of;
    else if (az_today(&c->as_of) < 0)
        c->as_of = (struct az_date){2025, 4, 1};
}

static const char *tx(struct req *q, struct az_text t)
{
    return q->lang == AZ_LANG_EN ? t.en : t.ja;
}

struct ws {
    struct cli c;
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
};

static void ws_done(struct ws *s)
{
    az_eval_free(s->e);
    az_answers_free(s->a);
    az_profile_free(s->p);
    memset(s, 0, sizeof(*s));
}

/* Load profile + answers (the institution form, or a system's vendor
 * form) and evaluate, as `anzen status` does. Returns 0, or 1 when there
 * is no profile yet, or -1 on an error (message in s->c.ctx). */
static int ws_load(struct req *q, struct ws *s, const char *vendor_system)
{
    char vpath[4096];
    const char *answers = WEB_ANSWERS;

    memset(s, 0, sizeof(*s));
    cli_for(q, &s->c);
    if (access(WEB_PROFILE, F_OK) != 0)
        return 1;
    if (vendor_system) {
        vendor_path(NULL, vendor_system, vpath, sizeof(vpath));
        answers = vpath;
    }
    if (load_and_eval(&s->c, WEB_PROFILE, answers, NULL, vendor_system, &s->p, &s->a, &s->e))
        return -1;
    return 0;
}

static void no_profile(struct req *q, struct az_buf *b)
{
    h_printf(b,
             "<section class=\"card\"><h1>%s</h1><p>%s</p><p><a class=\"button\" "
             "href=\"/wizard\">%s</a></p></section>",
             T(q, "はじめに", "Getting started"),
             T(q,
               "まず、医療機関のことを簡単な質問で教えてください。答えに合わせて、"
               "点検する項目が決まります。",
               "First, tell anzen about the institution with a few simple questions. The items "
               "to check follow from the answers."),
             T(q, "医療機関の情報を入力する", "Describe the institution"));
}

static void load_error(struct req *q, struct ws *s)
{
    struct az_buf b;

    az_buf_init(&b, 1u << 20);
    h_begin(q, &b, T(q, "エラー", "Error"));
    h_printf(&b, "<section class=\"card error\"><h1>%s</h1><pre>%s</pre></section>",
             T(q, "ワークスペースのファイルを読めません", "Cannot read the workspace files"),
             az_errmsg(&s->c.ctx));
    h_end(q, &b);
    q->r.status = 500;
}

/* ---- dashboard ---- */

static void bar(struct az_buf *b, int pct)
{
    /* an SVG bar: no style attribute, which the CSP would block */
    h_printf(b,
             "<svg class=\"bar\" viewBox=\"0 0 100 8\" preserveAspectRatio=\"none\" "
             "aria-hidden=\"true\"><rect width=\"100\" height=\"8\" fill=\"#e3e6ea\"/>"
             "<rect width=\"%d\" height=\"8\" fill=\"#2f8f74\"/></svg>",
             pct < 0 ? 0 : pct);
}

static void score_row(struct az_buf *b, const char *name, const json_t *s, const char *id)
{
    int app = (int)json_integer_value(json_object_get(s, "applicable"));
    int sat = (int)json_integer_value(json_object_get(s, "satisfied"));
    int pct = app ? (sat * 100 + app / 2) / app : -1;

    h_printf(b,
             "<tr id=\"%s\" data-satisfied=\"%d\" data-applicable=\"%d\" data-gaps=\"%d\" "
             "data-unanswered=\"%d\" data-overdue=\"%d\"><th>%s</th><td class=\"num\">%d/%d</td>"
             "<td>",
             id, sat, app, (int)json_integer_value(json_object_get(s, "gaps")),
             (int)json_integer_value(json_object_get(s, "unanswered")),
             (int)json_integer_value(json_object_get(s, "overdue")), name, sat, app);
    if (pct >= 0)
        bar(b, pct);
    h_printf(b,
             "</td><td class=\"num\">%d</td><td class=\"num\">%d</td><td class=\"num\">%d</td>"
             "</tr>",
             (int)json_integer_value(json_object_get(s, "gaps")),
             (int)json_integer_value(json_object_get(s, "unanswered")),
             (int)json_integer_value(json_object_get(s, "overdue")));
}

static struct az_plan *build_plan(struct req *q, struct ws *s)
{
    struct az_plan_state *states = NULL;
    size_t n = 0;
    struct az_plan *plan = NULL;

    web_lock(q->w);
    az_store_plan_states(q->w->st, &s->c.ctx, &states, &n);
    web_unlock(q->w);
    if (az_plan_build(&s->c.ctx, s->e, states, n, &plan) < 0)
        plan = NULL;
    else if (plan_add_ledger(&s->c, plan, s->p, s->e, WEB_LEDGER) != 0) {
        az_plan_free(plan);
        plan = NULL;
    }
    free(states);
    return plan;
}

void page_dashboard(struct req *q)
{
    struct ws s;
    struct az_buf b;
    struct vendor_sum *vs = NULL;
    size_t nvs = 0, i;
    char *js;
    json_t *st;
    struct az_plan *plan;
    int r = ws_load(q, &s, NULL), pct, shown = 0;

    az_buf_init(&b, 8u << 20);
    if (r < 0) {
        load_error(q, &s);
        ws_done(&s);
        return;
    }
    h_begin(q, &b, T(q, "ダッシュボード", "Dashboard"));
    if (!q->user.totp[0])
        h_printf(&b, "<p class=\"notice\">%s <a href=\"/mfa\">%s</a></p>",
                 T(q, "二要素認証がまだ設定されていません。", "Two-factor authentication is off."),
                 T(q, "設定する (おすすめ)", "Turn it on (recommended)"));
    if (r == 1) {
        no_profile(q, &b);
        h_end(q, &b);
        ws_done(&s);
        return;
    }
    if (vendor_sums(&s.c, s.p, WEB_ANSWERS, s.e->edition->id, &vs, &nvs)) {
        vs = NULL;
        nvs = 0;
    }
    /* the very JSON anzen status --format json prints */
    js = render_status(&s.c, s.e, "json", vs, nvs);
    st = js ? json_loads(js, 0, NULL) : NULL;
    free(js);
    pct = az_score_pct(&s.e->total);
    h_printf(&b,
             "<section class=\"card\"><h1>%s</h1><p class=\"sub\">%s — %s %s (%s)</p>"
             "<div class=\"big\" id=\"total\" data-satisfied=\"%d\" data-applicable=\"%d\" "
             "data-gaps=\"%d\" data-unanswered=\"%d\" data-overdue=\"%d\" data-na=\"%d\">"
             "<span class=\"pct\">%d%%</span><span>%s %d/%d</span>",
             s.p->name, T(q, "現在の状況", "Where you stand"), tx(q, s.e->edition->title),
             s.e->edition->version, tx(q, s.e->form->title), s.e->total.satisfied,
             s.e->total.applicable, s.e->total.gaps, s.e->total.unanswered, s.e->total.overdue,
             s.e->total.na, pct < 0 ? 0 : pct, T(q, "対応済み", "satisfied"), s.e->total.satisfied,
             s.e->total.applicable);
    bar(&b, pct);
    h_printf(&b,
             "</div><ul class=\"counts\"><li>%s <b>%d</b></li><li>%s <b>%d</b></li>"
             "<li class=\"%S\">%s <b>%d</b></li></ul>",
             T(q, "未対応", "Gaps"), s.e->total.gaps, T(q, "未回答", "Unanswered"),
             s.e->total.unanswered, s.e->total.overdue ? "warn" : "", T(q, "期限超過", "Overdue"),
             s.e->total.overdue);
    if (s.e->total.unanswered)
        h_printf(&b, "<p><a class=\"button\" href=\"/assess\">%s</a></p>",
                 T(q, "続きから回答する", "Continue answering"));
    az_buf_puts(&b, "</section>");

    /* per role and per group, from the status JSON */
    h_printf(&b,
             "<section class=\"card\"><h2>%s</h2><table class=\"scores\" id=\"roles\"><thead>"
             "<tr><th></th><th>%s</th><th></th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
             "<tbody>",
             T(q, "役割別の状況", "By role"), T(q, "対応", "Done"), T(q, "未対応", "Gaps"),
             T(q, "未回答", "Open"), T(q, "期限超過", "Overdue"));
    for (int k = 0; k < AZ_NROLES; k++) {
        enum az_role role = (enum az_role)(1u << k);
        char id[64];
        snprintf(id, sizeof(id), "role-%s", az_role_token(role));
        score_row(&b, az_role_name(role, q->lang),
                  json_object_get(json_object_get(st, "roles"), az_role_token(role)), id);
    }
    h_printf(&b, "</tbody></table><h2>%s</h2><table class=\"scores\" id=\"groups\"><tbody>",
             T(q, "区分別", "By group"));
    for (size_t g = 0; g < s.e->edition->ngroups; g++) {
        char id[64], name[300];
        const json_t *sc =
            json_object_get(json_object_get(st, "groups"), s.e->edition->groups[g].id);
        if (!json_integer_value(json_object_get(sc, "applicable")))
            continue;
        snprintf(id, sizeof(id), "group-%s", s.e->edition->groups[g].id);
        snprintf(name, sizeof(name), "%s %s", s.e->edition->groups[g].id,
                 tx(q, s.e->edition->groups[g].title));
        score_row(&b, name, sc, id);
    }
    az_buf_puts(&b, "</tbody></table></section>");

    /* overdue items and the next actions with deadlines */
    h_printf(&b, "<section class=\"card\"><h2>%s</h2><ul class=\"items\" id=\"overdue\">",
             T(q, "期限を過ぎている項目", "Overdue items"));
    for (i = 0; i < s.e->nresults; i++) {
        const struct az_item_result *ir = &s.e->results[i];
        char d[16];
        if (ir->overdue == AZ_OD_NONE ||
            (ir->status != AZ_ST_GAP && ir->status != AZ_ST_UNANSWERED))
            continue;
        az_date_iso(ir->deadline, d, sizeof(d));
        h_printf(&b,
                 "<li><a href=\"/assess?item=%s\">%s %s</a> <span class=\"due\">%s %s</span>"
                 "</li>",
                 ir->item->id, ir->item->label, tx(q, ir->item->title), T(q, "期限", "deadline"),
                 ir->overdue == AZ_OD_TARGET && ir->answer ? "" : d);
        shown++;
    }
    if (!shown)
        h_printf(&b, "<li class=\"none\">%s</li>", T(q, "ありません", "None"));
    h_printf(&b, "</ul><h2>%s</h2><ol class=\"items\" id=\"next\">",
             T(q, "次にやること", "Next actions"));
    plan = build_plan(q, &s);
    for (i = 0; plan && i < plan->n && i < 5; i++) {
        const struct az_plan_item *pi = &plan->v[i];
        char d1[16], d2[16];
        az_date_iso(pi->track[AZ_TRACK_INTERIM].due, d1, sizeof(d1));
        az_date_iso(pi->track[AZ_TRACK_PERMANENT].due, d2, sizeof(d2));
        h_printf(
            &b, "<li><b>%s %s</b><br>%s: %s (%s %s)<br>%s: %s (%s %s)<br><small>%s</small></li>",
            pi->result->item->label, tx(q, pi->result->item->title), T(q, "暫定対策", "Interim"),
            pi->track[0].text.ja ? tx(q, pi->track[0].text) : "", T(q, "期限", "due"), d1,
            T(q, "本対策", "Permanent"), pi->track[1].text.ja ? tx(q, pi->track[1].text) : "",
            T(q, "期限", "due"), d2, q->lang == AZ_LANG_EN ? pi->reason_en : pi->reason_ja);
    }
    if (!plan || !plan->n)
        h_printf(&b, "<li class=\"none\">%s</li>",
                 T(q, "「いいえ」の項目はありません", "No item is answered no"));
    az_buf_puts(&b, "</ol>");
    /* fixed deadlines from the catalog, such as 2FA by the end of FY2026 */
    {
        bool head = false;
        for (i = 0; i < s.e->nresults; i++) {
            const struct az_item_result *ir = &s.e->results[i];
            char d[16];
            if (!ir->item->has_due_by || ir->status == AZ_ST_NOT_APPLICABLE)
                continue;
            if (!head)
                h_printf(&b, "<h2>%s</h2><ul class=\"items\" id=\"deadlines\">",
                         T(q, "決められた期限", "Fixed deadlines"));
            head = true;
            az_date_iso(ir->item->due_by, d, sizeof(d));
            h_printf(&b, "<li>%s %s: %s %s <span class=\"tag\">%s</span></li>", ir->item->label,
                     tx(q, ir->item->title), d,
                     T(q, "(令和9年度から新しいシステムは二要素認証が前提)",
                       "(from FY2027 new systems are expected to use 2FA)"),
                     az_status_name(ir->status, q->lang));
        }
        if (head)
            az_buf_puts(&b, "</ul>");
    }
    az_buf_puts(&b, "</section>");
    if (nvs) {
        h_printf(&b, "<section class=\"card\"><h2>%s</h2><ul class=\"items\" id=\"vendor-forms\">",
                 T(q, "事業者確認用", "Vendor forms"));
        for (i = 0; i < nvs; i++) {
            if (vs[i].e)
                h_printf(&b, "<li>%s (%s): %d/%d %s</li>", vs[i].sys->name, vs[i].sys->vendor,
                         vs[i].e->total.satisfied, vs[i].e->total.applicable, T(q, "はい", "yes"));
            else
                h_printf(&b, "<li>%s (%s): %s</li>", vs[i].sys->name, vs[i].sys->vendor,
                         T(q, "未受領", "not received"));
        }
        az_buf_puts(&b, "</ul></section>");
    }
    az_plan_free(plan);
    json_decref(st);
    vendor_sums_free(vs, nvs);
    ws_done(&s);
    h_end(q, &b);
}

/* ---- profile wizard ---- */

#define WIZ_SYSTEMS 8

static bool yes(const char *v)
{
    return v && (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"));
}

static void yn_radio(struct req *q, struct az_buf *b, const char *name, const char *question,
                     const char *hint, int value)
{
    h_printf(b,
             "<fieldset class=\"q\"><legend>%s</legend>%S%s%S<label class=\"choice\"><input "
             "type=\"radio\" name=\"%s\" value=\"yes\"%S> %s</label><label class=\"choice\"><input "
             "type=\"radio\" name=\"%s\" value=\"no\"%S> %s</label></fieldset>",
             question, hint ? "<p class=\"hint\">" : "", hint ? hint : "", hint ? "</p>" : "", name,
             value == 1 ? " checked" : "", T(q, "はい", "Yes"), name, value == 0 ? " checked" : "",
             T(q, "いいえ", "No"));
}

static void wizard_form(struct req *q, const struct az_profile *p, const char *err)
{
    struct az_buf b;
    static const char *const types[] = {"hospital", "clinic", "dental", "pharmacy", "midwifery"};

    az_buf_init(&b, 4u << 20);
    h_begin(q, &b, T(q, "医療機関の情報", "About the institution"));
    h_printf(&b, "<section class=\"card\"><h1>%s</h1><p>%s</p>",
             T(q, "医療機関の情報", "About the institution"),
             T(q, "専門用語は使いません。わかる範囲で答えてください。あとから何度でも直せます。",
               "No jargon. Answer what you know; you can change it at any time."));
    if (err)
        h_printf(&b, "<pre class=\"alert\" role=\"alert\">%s</pre>", err);
    h_printf(&b, "<form method=\"post\" action=\"/wizard\" class=\"stack wizard\" id=\"wizard\">");
    h_csrf(q, &b);
    h_printf(&b,
             "<fieldset class=\"step\"><legend>%s</legend><label>%s<input name=\"name\" required "
             "maxlength=\"200\" value=\"%s\"></label><label>%s<select name=\"type\">",
             T(q, "1. 施設について", "1. The institution"),
             T(q, "医療機関の名前", "Name of the institution"), p ? p->name : "",
             T(q, "種類", "Type"));
    for (int i = 0; i < 5; i++) {
        unsigned t = az_inst_parse(types[i]);
        h_printf(&b, "<option value=\"%s\"%S>%s</option>", types[i],
                 (p ? p->type == t : i == 1) ? " selected" : "", az_inst_name(t, q->lang));
    }
    h_printf(&b,
             "</select></label><label>%s<input name=\"beds\" type=\"number\" min=\"0\" "
             "max=\"100000\" value=\"%d\"></label></fieldset>",
             T(q, "入院用のベッドの数 (なければ 0)", "Number of inpatient beds (0 if none)"),
             p && p->beds >= 0 ? p->beds : 0);
    h_printf(&b, "<fieldset class=\"step\"><legend>%s</legend>",
             T(q, "2. パソコンとシステム", "2. Computers and systems"));
    yn_radio(q, &b, "medical_systems",
             T(q,
               "電子カルテやレセコン (会計のコンピュータ) など、患者さんの情報を扱うシステムを"
               "使っていますか?",
               "Do you use any system that holds patient information, such as an electronic "
               "medical record or a billing computer?"),
             NULL, p ? p->medical_systems : 1);
    yn_radio(q, &b, "ops_staff",
             T(q, "IT システムの運用を仕事として担当する職員はいますか?",
               "Do you have staff whose job is running the IT systems?"),
             T(q, "「パソコンに詳しい職員が頼まれて見ている」場合は「いいえ」です。",
               "Someone who helps out because they know computers does not count."),
             p ? p->ops_staff : 0);
    yn_radio(q, &b, "outsourced",
             T(q,
               "すべてのサーバの更新作業 (セキュリティの修正) を事業者が行うと、契約書などに"
               "書いてありますか?",
               "Does a contract say in writing that the vendor applies the security updates of "
               "all servers?"),
             NULL, p ? p->outsourced : 0);
    h_printf(&b,
             "</fieldset><fieldset class=\"step\"><legend>%s</legend><p class=\"hint\">%s</p>"
             "<table class=\"systems\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s"
             "</th><th>%s</th><th>%s</th></tr></thead><tbody>",
             T(q, "3. 使っているシステム", "3. Your systems"),
             T(q, "使っていない行は空欄のままにします。", "Leave unused rows empty."),
             T(q, "名前 (例: 電子カルテ)", "Name (e.g. EMR)"), T(q, "置き場所", "Where it runs"),
             T(q, "事業者 (自前なら空欄)", "Vendor (empty if in-house)"),
             T(q, "導入日", "Introduced"), T(q, "事業者が遠隔で保守", "Remote maintenance"),
             T(q, "二要素認証", "2FA"));
    for (int i = 0; i < WIZ_SYSTEMS; i++) {
        const struct az_system *sy = p && (size_t)i < p->nsystems ? &p->systems[i] : NULL;
        char d[16] = "";
        if (sy && sy->has_introduced)
            az_date_iso(sy->introduced, d, sizeof(d));
        h_printf(&b,
                 "<tr><td><input name=\"sys%d_name\" maxlength=\"200\" value=\"%s\"></td>"
                 "<td><select name=\"sys%d_hosting\"><option value=\"on-prem\">%s</option>"
                 "<option value=\"cloud\"%S>%s</option></select></td>"
                 "<td><input name=\"sys%d_vendor\" maxlength=\"200\" value=\"%s\"></td>"
                 "<td><input name=\"sys%d_introduced\" type=\"date\" value=\"%s\"></td>"
                 "<td><input type=\"checkbox\" name=\"sys%d_remote\" value=\"1\"%S></td>"
                 "<td><input type=\"checkbox\" name=\"sys%d_mfa\" value=\"1\"%S></td></tr>",
                 i, sy ? sy->name : "", i, T(q, "院内", "on site"),
                 sy && sy->cloud ? " selected" : "", T(q, "クラウド", "cloud"), i,
                 sy && sy->vendor ? sy->vendor : "", i, d, i,
                 sy && sy->remote_maintenance ? " checked" : "", i,
                 sy && sy->mfa == 1 ? " checked" : "");
    }
    h_printf(&b, "</tbody></table></fieldset><button type=\"submit\">%s</button></form></section>",
             T(q, "保存する", "Save"));
    h_end(q, &b);
}

void page_wizard(struct req *q)
{
    struct az_ctx ctx;
    struct az_profile *old = NULL, np, *check = NULL;
    struct az_system sys[WIZ_SYSTEMS + 1000];
    char ids[WIZ_SYSTEMS][32];
    const char *v;
    char *yaml = NULL;
    long beds = 0;
    size_t n = 0;
    int r;

    az_ctx_init(&ctx, q->lang);
    if (access(WEB_PROFILE, F_OK) == 0 && az_profile_load_file(&ctx, WEB_PROFILE, &old) < 0) {
        wizard_form(q, NULL, az_errmsg(&ctx));
        return;
    }
    if (!q->post) {
        wizard_form(q, old, NULL);
        az_profile_free(old);
        return;
    }
    if (q->user.role == AZ_UR_OPERATIONS && !q->user.admin) {
        az_profile_free(old);
        web_error(q, 403, "医療機関の情報は経営層・企画管理者・管理者が変更します。",
                  "Management, planning managers and administrators change the profile.");
        return;
    }
    memset(&np, 0, sizeof(np));
    if (old)
        np = *old;
    np.name = web_field(q, "name");
    np.type = az_inst_parse(web_field(q, "type") ? web_field(q, "type") : "");
    if (!np.name || !*np.name || !np.type ||
        az_parse_long(web_field(q, "beds") ? web_field(q, "beds") : "0", 0, 100000, &beds) < 0) {
        wizard_form(q, old,
                    T(q, "名前・種類・ベッドの数を確かめてください。",
                      "Check the name, type and number of beds."));
        q->r.status = 400;
        az_profile_free(old);
        return;
    }
    np.beds = (int)beds;
    np.medical_systems = yes(web_field(q, "medical_systems"));
    np.ops_staff = yes(web_field(q, "ops_staff"));
    np.outsourced = yes(web_field(q, "outsourced"));
    memset(sys, 0, sizeof(sys));
    for (int i = 0; i < WIZ_SYSTEMS; i++) {
        char k[32];
        const char *name;
        struct az_system *s = &sys[n];
        snprintf(k, sizeof(k), "sys%d_name", i);
        name = web_field(q, k);
        if (!name || !*name)
            continue;
        /* keep what the wizard does not ask (renewal, role split, id) */
        if (old && (size_t)i < old->nsystems)
            *s = old->systems[i];
        else {
            snprintf(ids[i], sizeof(ids[i]), "system-%d", i + 1);
            s->id = ids[i];
            s->mfa = -1;
        }
        s->name = name;
        snprintf(k, sizeof(k), "sys%d_hosting", i);
        s->cloud = (v = web_field(q, k)) && !strcmp(v, "cloud");
        snprintf(k, sizeof(k), "sys%d_vendor", i);
        s->vendor = (v = web_field(q, k)) && *v ? v : NULL;
        snprintf(k, sizeof(k), "sys%d_introduced", i);
        s->has_introduced =
            (v = web_field(q, k)) && *v && az_date_parse(v, false, &s->introduced) == 0;
        snprintf(k, sizeof(k), "sys%d_remote", i);
        s->remote_maintenance = s->vendor && yes(web_field(q, k));
        snprintf(k, sizeof(k), "sys%d_mfa", i);
        s->mfa = yes(web_field(q, k)) ? 1 : (s->mfa == 1 ? 0 : s->mfa);
        n++;
    }
    /* systems beyond the wizard's rows stay as they were */
    for (size_t i = WIZ_SYSTEMS; old && i < old->nsystems && n < sizeof(sys) / sizeof(sys[0]); i++)
        sys[n++] = old->systems[i];
    np.systems = sys;
    np.nsystems = np.medical_systems ? n : 0;
    yaml = az_profile_to_yaml(&np);
    /* the file the CLI would accept, or nothing is written */
    r = yaml ? az_profile_load(&ctx, WEB_PROFILE, yaml, strlen(yaml), &check) : AZ_ENOMEM;
    az_profile_free(check);
    if (r < 0) {
        wizard_form(q, old, az_errmsg(&ctx));
        q->r.status = 400;
        free(yaml);
        az_profile_free(old);
        return;
    }
    web_lock(q->w);
    r = az_write_file_atomic(&ctx, WEB_PROFILE, yaml, strlen(yaml));
    if (r == 0)
        r = az_store_put_profile(q->w->st, &ctx, yaml, web_who(q));
    web_unlock(q->w);
    free(yaml);
    az_profile_free(old);
    if (r < 0) {
        web_error(q, 500, "保存できませんでした。", "Could not save.");
        return;
    }
    web_redirect(q, "/assess");
}

/* ---- questionnaire (institution and vendor forms) ---- */

/* What counts as evidence, by the item's tags (own wording). */
static const char *evidence_hint(struct req *q, const struct az_item *it)
{
    static const struct {
        const char *tag, *ja, *en;
    } t[] = {
        {"ledger", "機器の台帳 (anzen の台帳画面で取り込めます)",
         "the asset ledger (it can be imported on the ledger page)"},
        {"patch", "更新した日付と版の記録、事業者の作業報告書",
         "records of update dates and versions, the vendor's work reports"},
        {"media", "外部媒体の利用規則と、許可した記録",
         "the rules for external media, permissions given"},
        {"vendor", "契約書、MDS/SDS、役割分担の確認表",
         "the contract, MDS/SDS, the role-split table"},
        {"governance", "規程、任命の記録、会議の議事録",
         "rules, appointment records, meeting minutes"},
        {"rules", "規程 (制定・改定の日付入り)",
         "the written rules (with dates of adoption and review)"},
        {"device", "機器の台帳 (anzen の台帳画面で取り込めます)",
         "the asset ledger (it can be imported on the ledger page)"},
        {"password", "パスワードの規則を書いた規程、システムの設定画面の写真",
         "the written password rules, a photo of the system's settings"},
        {"mfa", "ログイン画面の写真、二要素認証の設定記録",
         "a photo of the login, the 2FA settings"},
        {"log", "ログの保存先と期間の記録、確認した日の記録",
         "where logs are kept and for how long, dates they were reviewed"},
        {"backup", "バックアップの記録、復元の訓練をした日の記録",
         "backup records, the date of a restore drill"},
        {"remote-access", "リモート接続の一覧と契約書、接続の記録",
         "the list of remote connections, contracts, connection records"},
        {"access", "利用者と権限の一覧、申請の記録", "the list of users and rights, requests"},
        {"network", "ネットワーク構成図、機器の設定の記録", "the network diagram, device settings"},
        {"bcp", "BCP・連絡体制図 (見直した日付入り)",
         "the BCP and contact chart (with review date)"},
    };

    /* the table's order decides when an item has several tags */
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        for (size_t k = 0; k < it->ntags; k++)
            if (!strcmp(it->tags[k], t[i].tag))
                return T(q, t[i].ja, t[i].en);
    return T(q, "規程・記録・設定画面の写真など、そう言える資料",
             "rules, records or screenshots that show it");
}

static void question_card(struct req *q, struct az_buf *b, struct ws *s, size_t idx,
                          const char *action, const char *system, size_t answered, size_t total)
{
    const struct az_item_result *ir = &s->e->results[idx];
    const struct az_item *it = ir->item;
    const struct az_answer *a = ir->answer;
    char d1[16] = "", d2[16] = "", today[16];
    size_t next = idx + 1;

    az_date_iso(s->c.as_of, today, sizeof(today));
    if (a && a->has_checked)
        az_date_iso(a->checked, d1, sizeof(d1));
    if (a && a->has_target)
        az_date_iso(a->target, d2, sizeof(d2));
    h_printf(b,
             "<section class=\"card question\" id=\"q-%s\" data-item=\"%s\"><p class=\"progress\">"
             "%s %zu / %zu<progress max=\"%zu\" value=\"%zu\"></progress></p>"
             "<h1><span class=\"label\">%s</span> %s</h1><p class=\"text\">%s</p>",
             it->id, it->id, T(q, "回答済み", "Answered"), answered, total, total, answered,
             it->label, tx(q, it->title), tx(q, it->text));
    if (it->guidance.ja)
        h_printf(b, "<h2>%s</h2><p>%s</p>", T(q, "なぜ大切か", "Why it matters"),
                 tx(q, it->guidance));
    h_printf(b, "<h2>%s</h2><p>%s</p>", T(q, "確認に使える資料", "What counts as evidence"),
             evidence_hint(q, it));
    h_printf(b, "<form method=\"post\" action=\"%s\" class=\"stack answer\">", action);
    h_csrf(q, b);
    h_printf(b, "<input type=\"hidden\" name=\"item\" value=\"%s\">", it->id);
    if (system)
        h_printf(b, "<input type=\"hidden\" name=\"system\" value=\"%s\">", system);
    h_printf(b, "<fieldset class=\"q\"><legend>%s</legend>", T(q, "回答", "Answer"));
    static const struct {
        const char *v;
        enum az_ans a;
    } opts[] = {{"yes", AZ_ANS_YES}, {"no", AZ_ANS_NO}, {"na", AZ_ANS_NA}};
    for (int k = 0; k < 3; k++)
        h_printf(b,
                 "<label class=\"choice\"><input type=\"radio\" name=\"answer\" value=\"%s\" "
                 "required%S> %s</label>",
                 opts[k].v, a && a->ans == opts[k].a ? " checked" : "",
                 az_ans_name(opts[k].a, q->lang));
    h_printf(
        b,
        "</fieldset><label>%s<input type=\"date\" name=\"checked\" value=\"%s\"></label>"
        "<label class=\"target\">%s<input type=\"date\" name=\"target\" value=\"%s\"></label>"
        "<label>%s<textarea name=\"note\" maxlength=\"8000\" rows=\"2\">%s</textarea></label>"
        "<label>%s<input name=\"evidence\" maxlength=\"2000\" value=\"",
        T(q, "確認した日", "Date checked"), d1[0] ? d1 : today,
        T(q, "「いいえ」のとき: 対応する目標日", "If no: target date to fix it"), d2,
        T(q, "メモ", "Note"), a && a->note ? a->note : "",
        T(q, "資料 (ファイル名などをカンマで区切って)", "Evidence (file names, comma-separated)"));
    for (size_t k = 0; a && k < a->nevidence; k++)
        h_printf(b, "%s%s", k ? ", " : "", a->evidence[k]);
    h_printf(b, "\"></label><div class=\"row\"><button type=\"submit\">%s</button>",
             T(q, "保存して次へ", "Save and next"));
    for (; next < s->e->nresults; next++) {
        enum az_status st = s->e->results[next].status;
        if (st != AZ_ST_NOT_APPLICABLE && st != AZ_ST_GATE)
            break;
    }
    if (next < s->e->nresults)
        h_printf(b, "<a href=\"%s?%S%s%Sitem=%s\" class=\"secondary\">%s</a>", action,
                 system ? "system=" : "", system ? system : "", system ? "&amp;" : "",
                 s->e->results[next].item->id, T(q, "とばす", "Skip"));
    az_buf_puts(b, "</div></form></section>");
}

static bool role_match(const struct req *q, const struct az_item *it)
{
    static const unsigned map[] = {AZ_ROLE_MANAGEMENT, AZ_ROLE_PLANNING, AZ_ROLE_OPERATIONS};
    const char *r = web_arg(q, "role");

    if (!r || !*r || !strcmp(r, "all"))
        return true;
    for (int k = 0; k < 3; k++)
        if (!strcmp(r, az_role_token((enum az_role)map[k])))
            return (it->roles & map[k]) != 0;
    return true;
}

/* Save one answer into s->a and the file, and log it. */
static int save_answer(struct req *q, struct ws *s, const char *path)
{
    const char *item = web_field(q, "item"), *ans = web_field(q, "answer"),
               *checked = web_field(q, "checked"), *target = web_field(q, "target"),
               *note = web_field(q, "note"), *evidence = web_field(q, "evidence");
    const struct az_item *it = NULL;
    struct az_answer x;
    char *yaml, *ev[100], *evcopy = NULL;
    size_t nev = 0;
    int r;

    for (size_t i = 0; item && i < s->e->nresults; i++)
        if (!strcmp(s->e->results[i].item->id, item) &&
            s->e->results[i].status != AZ_ST_NOT_APPLICABLE)
            it = s->e->results[i].item;
    if (!it)
        return az_fail(&s->c.ctx, AZ_ENOTFOUND, "この様式にない項目です",
                       "not an item of this form");
    memset(&x, 0, sizeof(x));
    x.item = it;
    x.ans = ans ? az_ans_parse(ans) : AZ_ANS_NONE;
    if (x.ans == AZ_ANS_NONE)
        return az_fail(&s->c.ctx, AZ_EINVAL, "はい・いいえ・対象外のどれかを選んでください",
                       "choose yes, no or not applicable");
    if (checked && *checked) {
        if (az_date_parse(checked, false, &x.checked) < 0)
            return az_fail(&s->c.ctx, AZ_EINVAL, "確認した日が日付ではありません",
                           "the date checked is not a date");
        x.has_checked = true;
    }
    if (target && *target && x.ans == AZ_ANS_NO) {
        if (az_date_parse(target, false, &x.target) < 0)
            return az_fail(&s->c.ctx, AZ_EINVAL, "目標日が日付ではありません",
                           "the target date is not a date");
        x.has_target = true;
    }
    if (note && strlen(note) > 8192)
        return az_fail(&s->c.ctx, AZ_ERANGE, "メモが長すぎます", "the note is too long");
    x.note = note && *note ? (char *)note : NULL;
    if (evidence && *evidence && (evcopy = strdup(evidence))) {
        char *save = NULL;
        for (char *t = strtok_r(evcopy, ",", &save); t && nev < 100;
             t = strtok_r(NULL, ",", &save)) {
            while (*t == ' ')
                t++;
            size_t l = strlen(t);
            while (l && t[l - 1] == ' ')
                t[--l] = '\0';
            if (*t)
                ev[nev++] = t;
        }
    }
    x.evidence = ev;
    x.nevidence = nev;
    if (!s->a) {
        s->a = az_answers_new(s->e->edition, s->e->form);
        if (s->a && s->e->system)
            s->a->system = strdup(s->e->system);
    }
    if (!s->a) {
        free(evcopy);
        return az_fail(&s->c.ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    r = az_answers_set(s->a, &x);
    free(evcopy);
    if (r < 0)
        return az_fail(&s->c.ctx, r, "回答を保存できません", "cannot store the answer");
    yaml = az_answers_to_yaml(s->a, q->lang);
    if (!yaml)
        return az_fail(&s->c.ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    web_lock(q->w);
    r = az_write_file_atomic(&s->c.ctx, path, yaml, strlen(yaml));
    if (r == 0)
        r = az_store_put_answers(q->w->st, &s->c.ctx, s->a, web_who(q));
    web_unlock(q->w);
    free(yaml);
    return r;
}

/* The questionnaire for the institution (system NULL) or one system's
 * vendor form, at base (/assess or /vendors). */
static void questionnaire(struct req *q, const char *system, const char *base)
{
    struct ws s;
    struct az_buf b;
    char path[4096];
    const char *want = web_arg(q, "item");
    size_t answered = 0, total = 0, pick = (size_t)-1, first_open = (size_t)-1;
    int r = ws_load(q, &s, system);

    if (r != 0) {
        if (r < 0)
            load_error(q, &s);
        else
            web_redirect(q, "/wizard");
        ws_done(&s);
        return;
    }
    if (system)
        vendor_path(NULL, system, path, sizeof(path));
    else
        snprintf(path, sizeof(path), "%s", WEB_ANSWERS);
    if (q->post) {
        if ((r = save_answer(q, &s, path)) < 0) {
            struct ws s2;
            char msg[AZ_ERRMSG_MAX];
            snprintf(msg, sizeof(msg), "%s", az_errmsg(&s.c.ctx));
            ws_done(&s);
            web_error(q, 400, msg, msg);
            (void)s2;
            return;
        }
        /* re-evaluate and go to the next open item */
        ws_done(&s);
        {
            char loc[300];
            snprintf(loc, sizeof(loc), "%s%s%s", base, system ? "?system=" : "",
                     system ? system : "");
            web_redirect(q, loc);
        }
        return;
    }
    for (size_t i = 0; i < s.e->nresults; i++) {
        const struct az_item_result *ir = &s.e->results[i];
        if (ir->status == AZ_ST_NOT_APPLICABLE || ir->status == AZ_ST_GATE)
            continue;
        total++;
        if (ir->status != AZ_ST_UNANSWERED)
            answered++;
        if (want && !strcmp(ir->item->id, want))
            pick = i;
        if (first_open == (size_t)-1 && ir->status == AZ_ST_UNANSWERED && role_match(q, ir->item))
            first_open = i;
    }
    if (pick == (size_t)-1)
        pick = first_open;
    az_buf_init(&b, 4u << 20);
    h_begin(q, &b, T(q, "自己点検", "Checklist"));
    if (!system) {
        h_printf(&b, "<nav class=\"roles\">%s: ", T(q, "役割で絞り込む", "Filter by role"));
        h_printf(&b, "<a href=\"/assess\">%s</a>", T(q, "すべて", "All"));
        for (int k = 0; k < AZ_NROLES; k++) {
            enum az_role role = (enum az_role)(1u << k);
            h_printf(&b, " <a href=\"/assess?role=%s\">%s</a>", az_role_token(role),
                     az_role_name(role, q->lang));
        }
        az_buf_puts(&b, "</nav>");
    }
    if (pick != (size_t)-1) {
        question_card(q, &b, &s, pick, base, system, answered, total);
    } else {
        h_printf(&b,
                 "<section class=\"card\"><h1>%s</h1><p>%s %zu / %zu</p><p><a class=\"button\" "
                 "href=\"%S\">%s</a></p></section>",
                 T(q, "回答はすべて済みました", "Every item is answered"),
                 T(q, "回答済み", "Answered"), answered, total, system ? "/vendors" : "/",
                 T(q, "結果を見る", "See the results"));
    }
    /* the whole list, to jump to any item */
    h_printf(&b, "<section class=\"card\"><h2>%s</h2><ol class=\"items\" id=\"item-list\">",
             T(q, "項目の一覧", "All items"));
    for (size_t i = 0; i < s.e->nresults; i++) {
        const struct az_item_result *ir = &s.e->results[i];
        if (ir->status == AZ_ST_NOT_APPLICABLE || ir->status == AZ_ST_GATE ||
            !role_match(q, ir->item))
            continue;
        h_printf(&b,
                 "<li class=\"st-%s\"><a href=\"%s?%S%s%Sitem=%s\">%s %s</a> <span class=\"tag\">"
                 "%s</span></li>",
                 az_status_token(ir->status), base, system ? "system=" : "", system ? system : "",
                 system ? "&amp;" : "", ir->item->id, ir->item->label, tx(q, ir->item->title),
                 az_status_name(ir->status, q->lang));
    }
    az_buf_puts(&b, "</ol></section>");
    ws_done(&s);
    h_end(q, &b);
}

void page_assess(struct req *q)
{
    questionnaire(q, NULL, "/assess");
}

/* ---- vendors ---- */

/* May this user see system sys's vendor form? */
static bool vendor_may(const struct req *q, const struct az_system *sys)
{
    if (!sys->vendor)
        return false;
    if (q->user.role != AZ_UR_VENDOR)
        return true;
    return !strcmp(sys->vendor, q->user.vendor);
}

void page_vendors(struct req *q)
{
    const char *system = q->post ? web_field(q, "system") : web_arg(q, "system");
    struct az_ctx ctx;
    struct az_profile *p = NULL;
    struct az_buf b;
    const struct az_system *sys = NULL;
    int shown = 0;

    az_ctx_init(&ctx, q->lang);
    if (az_profile_load_file(&ctx, WEB_PROFILE, &p) < 0) {
        if (q->user.role == AZ_UR_VENDOR) {
            web_error(q, 404, "確認する様式はまだありません。", "No form to answer yet.");
            return;
        }
        web_redirect(q, "/wizard");
        return;
    }
    for (size_t i = 0; system && i < p->nsystems; i++)
        if (!strcmp(p->systems[i].id, system))
            sys = &p->systems[i];
    if (system) {
        /* another vendor's system is "not found", not "forbidden": a vendor
         * learns nothing about the others */
        if (!sys || !vendor_may(q, sys)) {
            az_profile_free(p);
            web_error(q, 404, "その様式はありません。", "No such form.");
            return;
        }
        if (q->post && q->user.role == AZ_UR_VIEWER && !q->user.admin) {
            az_profile_free(p);
            web_error(q, 403, "閲覧者は変更できません。", "Viewers cannot make changes.");
            return;
        }
        {
            char id[128];
            snprintf(id, sizeof(id), "%s", sys->id);
            az_profile_free(p);
            questionnaire(q, id, "/vendors");
        }
        return;
    }
    az_buf_init(&b, 2u << 20);
    h_begin(q, &b, T(q, "事業者確認用", "Vendor forms"));
    h_printf(&b,
             "<section class=\"card\"><h1>%s</h1><p>%s</p><ul class=\"items\" "
             "id=\"vendor-list\">",
             T(q, "事業者確認用", "Vendor forms"),
             q->user.role == AZ_UR_VENDOR
                 ? T(q, "貴社が提供・保守しているシステムの確認用の様式です。",
                     "The forms of the systems your company supplies or maintains.")
                 : T(q, "事業者のいるシステムごとに、事業者に回答してもらう様式です。",
                     "One form per system with a vendor, answered by the vendor."));
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        char path[4096];
        if (!vendor_may(q, s))
            continue;
        vendor_path(NULL, s->id, path, sizeof(path));
        h_printf(&b,
                 "<li><a href=\"/vendors?system=%s\">%s</a> (%s) <span class=\"tag\">%s</span>"
                 "</li>",
                 s->id, s->name, s->vendor,
                 access(path, F_OK) == 0 ? T(q, "回答あり", "answered")
                                         : T(q, "未回答", "not answered"));
        shown++;
    }
    if (!shown)
        h_printf(&b, "<li class=\"none\">%s</li>", T(q, "ありません", "None"));
    az_buf_puts(&b, "</ul></section>");
    az_profile_free(p);
    h_end(q, &b);
}

/* ---- plan board ---- */

void page_plan(struct req *q)
{
    struct ws s;
    struct az_buf b;
    struct az_plan *plan;
    int r = ws_load(q, &s, NULL);

    if (r != 0) {
        if (r < 0)
            load_error(q, &s);
        else
            web_redirect(q, "/wizard");
        ws_done(&s);
        return;
    }
    if (q->post) {
        const char *item = web_field(q, "item"), *track = web_field(q, "track"),
                   *status = web_field(q, "status"), *owner = web_field(q, "owner"),
                   *due = web_field(q, "due");
        struct az_plan_state *states = NULL, ps;
        size_t n = 0;
        int k = track && !strcmp(track, "interim") ? 0 : 1,
            stv = status ? az_plan_status_parse(status) : -1;
        bool known = false;
        for (size_t i = 0; item && i < s.e->nresults; i++)
            known |= !strcmp(s.e->results[i].item->id, item);
        if (!known || stv < 0) {
            ws_done(&s);
            web_error(q, 400, "計画の項目か状態が不正です。", "Unknown plan item or status.");
            return;
        }
        memset(&ps, 0, sizeof(ps));
        snprintf(ps.item, sizeof(ps.item), "%s", item);
        ps.track[0].status = ps.track[1].status = -1;
        web_lock(q->w);
        az_store_plan_states(q->w->st, &s.c.ctx, &states, &n);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(states[i].item, item))
                ps = states[i];
        ps.track[k].status = stv;
        if (owner)
            snprintf(ps.track[k].owner, sizeof(ps.track[k].owner), "%s", owner);
        if (due && *due && az_date_parse(due, false, &ps.track[k].due) == 0)
            ps.track[k].has_due = true;
        r = az_store_plan_put(q->w->st, &s.c.ctx, &ps, web_who(q));
        web_unlock(q->w);
        free(states);
        ws_done(&s);
        if (r < 0)
            web_error(q, 500, "保存できませんでした。", "Could not save.");
        else
            web_redirect(q, "/plan");
        return;
    }
    plan = build_plan(q, &s);
    az_buf_init(&b, 8u << 20);
    h_begin(q, &b, T(q, "対応計画", "Plan"));
    h_printf(&b,
             "<section class=\"card\"><h1>%s</h1><p>%s</p></section><div class=\"board\" "
             "id=\"board\">",
             T(q, "対応計画", "Remediation plan"),
             T(q,
               "「いいえ」の項目ごとに、すぐできる暫定対策と、時間をかける本対策があります。"
               "上から順に取り組んでください。",
               "Each item answered no has a quick interim mitigation and a permanent fix. Work "
               "from the top."));
    for (int col = AZ_PLAN_OPEN; col <= AZ_PLAN_VERIFIED; col++) {
        h_printf(&b, "<section class=\"column\" data-status=\"%s\"><h2>%s</h2>",
                 az_plan_status_token((enum az_plan_status)col),
                 az_plan_status_name((enum az_plan_status)col, q->lang));
        for (size_t i = 0; plan && i < plan->n; i++) {
            const struct az_plan_item *pi = &plan->v[i];
            /* a card sits in the column of its permanent fix */
            if ((int)pi->track[AZ_TRACK_PERMANENT].status != col)
                continue;
            h_printf(&b,
                     "<article class=\"card plan\" data-item=\"%s\"><h3>%zu. %s %s</h3>"
                     "<p class=\"why\">%s</p>",
                     pi->result->item->id, i + 1, pi->result->item->label,
                     tx(q, pi->result->item->title),
                     q->lang == AZ_LANG_EN ? pi->reason_en : pi->reason_ja);
            for (int k = 0; k < 2; k++) {
                const struct az_plan_track *t = &pi->track[k];
                char d[16];
                az_date_iso(t->due, d, sizeof(d));
                h_printf(&b, "<form method=\"post\" action=\"/plan\" class=\"track\">");
                h_csrf(q, &b);
                h_printf(&b,
                         "<input type=\"hidden\" name=\"item\" value=\"%s\"><input type=\"hidden\" "
                         "name=\"track\" value=\"%s\"><p><b>%s</b> %s</p><div class=\"row\">"
                         "<select name=\"status\">",
                         pi->result->item->id, k ? "permanent" : "interim",
                         k ? T(q, "本対策", "Permanent fix") : T(q, "暫定対策", "Interim"),
                         t->text.ja ? tx(q, t->text) : "");
                for (int st = AZ_PLAN_OPEN; st <= AZ_PLAN_VERIFIED; st++)
                    h_printf(&b, "<option value=\"%s\"%S>%s</option>",
                             az_plan_status_token((enum az_plan_status)st),
                             (int)t->status == st ? " selected" : "",
                             az_plan_status_name((enum az_plan_status)st, q->lang));
                h_printf(&b,
                         "</select><input name=\"owner\" placeholder=\"%s\" value=\"%s\" "
                         "maxlength=\"120\"><input type=\"date\" name=\"due\" value=\"%s\">"
                         "<button type=\"submit\" class=\"small\">%s</button></div></form>",
                         T(q, "担当者", "Owner"), t->owner ? t->owner : "", d,
                         T(q, "更新", "Update"));
            }
            az_buf_puts(&b, "</article>");
        }
        az_buf_puts(&b, "</section>");
    }
    az_buf_puts(&b, "</div>");
    az_plan_free(plan);
    ws_done(&s);
    h_end(q, &b);
}

/* ---- ledger ---- */

void page_ledger(struct req *q)
{
    struct az_ctx ctx;
    struct az_ledger *l = NULL;
    struct az_profile *p = NULL;
    struct az_buf b;
    char *data = NULL, *msg = NULL;
    size_t len = 0;
    json_t *res = NULL, *x;
    size_t i;
    bool ok = false;
    struct cli c;

    cli_for(q, &c);
    az_ctx_init(&ctx, q->lang);
    if (q->post) {
        const struct field *f = NULL;
        for (int k = 0; k < q->nfields; k++)
            if (!strcmp(q->fields[k].name, "csv") && q->fields[k].filename)
                f = &q->fields[k];
        if (!f || !f->len) {
            msg = strdup(T(q, "CSV ファイルを選んでください。", "Choose a CSV file."));
        } else if (az_ledger_import(&ctx, f->filename[0] ? f->filename : "upload.csv", f->value,
                                    f->len, false, &l) < 0) {
            msg = strdup(az_errmsg(&ctx));
        } else {
            struct az_buf out;
            char detail[64];
            az_buf_init(&out, 64u << 20);
            if (az_ledger_write_csv(l, &out) == 0) {
                web_lock(q->w);
                if (az_write_file_atomic(&ctx, WEB_LEDGER, out.data, out.len) == 0)
                    ok = true;
                web_unlock(q->w);
            }
            az_buf_done(&out);
            snprintf(detail, sizeof(detail), "%zu assets", l->n);
            if (ok)
                web_audit(q, web_who(q), "import", "ledger", detail);
            msg = strdup(ok ? T(q, "台帳を取り込みました。", "The ledger was imported.")
                            : az_errmsg(&ctx));
            az_ledger_free(l);
            l = NULL;
        }
    }
    if (access(WEB_LEDGER, F_OK) == 0 && az_read_text_file(&ctx, WEB_LEDGER, &data, &len) == 0)
        az_ledger_import(&ctx, WEB_LEDGER, data, len, false, &l);
    if (l && az_profile_load_file(&ctx, WEB_PROFILE, &p) == 0)
        res = az_ledger_check(l, p, c.as_of, 180);
    az_buf_init(&b, 8u << 20);
    h_begin(q, &b, T(q, "機器の台帳", "Asset ledger"));
    h_printf(&b, "<section class=\"card\"><h1>%s</h1><p>%s</p>", T(q, "機器の台帳", "Asset ledger"),
             T(q,
               "Excel で作った台帳を CSV (UTF-8 または Shift_JIS/CP932) で保存して取り込みます。"
               "見出しは日本語でも英語でも構いません。",
               "Save the ledger from Excel as CSV (UTF-8 or CP932) and import it. Japanese or "
               "English headers."));
    if (msg)
        h_printf(&b, "<pre class=\"%S\" role=\"status\" id=\"ledger-msg\">%s</pre>",
                 ok ? "ok" : "alert", msg);
    h_printf(&b, "<form method=\"post\" action=\"/ledger\" enctype=\"multipart/form-data\" "
                 "class=\"row\">");
    h_csrf(q, &b);
    h_printf(&b,
             "<input type=\"file\" name=\"csv\" accept=\".csv,text/csv\" required>"
             "<button type=\"submit\">%s</button></form></section>",
             T(q, "取り込む", "Import"));
    if (res) {
        h_printf(&b, "<section class=\"card\"><h2>%s</h2><ul class=\"items\" id=\"findings\">",
                 T(q, "点検の結果", "Findings"));
        json_array_foreach(json_object_get(res, "findings"), i, x)
            h_printf(&b, "<li class=\"%s\">%s</li>", json_string_value(json_object_get(x, "level")),
                     json_string_value(json_object_get(x, q->lang == AZ_LANG_EN ? "en" : "ja")));
        if (!json_array_size(json_object_get(res, "findings")))
            h_printf(&b, "<li class=\"none\">%s</li>",
                     T(q, "問題は見つかりませんでした", "No findings"));
        az_buf_puts(&b, "</ul></section>");
    }
    if (l) {
        h_printf(&b,
                 "<section class=\"card\"><h2>%s (%zu)</h2><table class=\"list\" id=\"assets\">"
                 "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
                 "<tbody>",
                 T(q, "機器", "Assets"), l->n, T(q, "種類", "Kind"), T(q, "名前", "Name"),
                 T(q, "OS・版", "OS / version"), T(q, "管理者", "Administrator"),
                 T(q, "最終パッチ", "Last patch"));
        for (i = 0; i < l->n; i++) {
            const struct az_asset *a = &l->v[i];
            h_printf(&b, "<tr><td>%s</td><td>%s</td><td>%s %s</td><td>%s</td><td>%s</td></tr>",
                     az_asset_kind_name(a->kind, q->lang), a->col[AZ_COL_NAME], a->col[AZ_COL_OS],
                     a->col[AZ_COL_VERSION],
                     *a->col[AZ_COL_ADMIN] ? a->col[AZ_COL_ADMIN] : T(q, "(空欄)", "(blank)"),
                     a->col[AZ_COL_LAST_PATCH]);
        }
        az_buf_puts(&b, "</tbody></table></section>");
    }
    json_decref(res);
    az_profile_free(p);
    az_ledger_free(l);
    free(data);
    free(msg);
    h_end(q, &b);
}

/* ---- reports ---- */

static const struct report_kind {
    const char *kind, *file, *ctype, *ja, *en;
} report_kinds[] = {
    {"status-json", "anzen-status.json", "application/json",
     "現状 (JSON、anzen status --format json と同じ)",
     "Status (JSON, as anzen status --format json)"},
    {"status-md", "anzen-status.md", "text/markdown; charset=utf-8", "現状 (Markdown)",
     "Status (Markdown)"},
    {"oscal-ar", "oscal-assessment-results.json", "application/json",
     "OSCAL 1.0.4 assessment-results", "OSCAL 1.0.4 assessment-results"},
    {"oscal-poam", "oscal-poam.json", "application/json", "OSCAL 1.0.4 POA&M (対応計画)",
     "OSCAL 1.0.4 POA&M (the plan)"},
};

void page_reports(struct req *q)
{
    struct az_buf b;

    az_buf_init(&b, 1u << 20);
    h_begin(q, &b, T(q, "報告書", "Reports"));
    h_printf(&b, "<section class=\"card\"><h1>%s</h1><p>%s</p><ul class=\"items\" id=\"reports\">",
             T(q, "報告書", "Reports"),
             T(q, "立入検査や院内の報告に使える形式で書き出します。",
               "Export in forms for the on-site inspection and internal reporting."));
    for (size_t i = 0; i < sizeof(report_kinds) / sizeof(report_kinds[0]); i++)
        h_printf(&b, "<li><a href=\"/reports/file?kind=%s\" download>%s</a></li>",
                 report_kinds[i].kind, T(q, report_kinds[i].ja, report_kinds[i].en));
    az_buf_puts(&b, "</ul></section>");
    h_end(q, &b);
}

void page_report_file(struct req *q)
{
    const char *kind = web_arg(q, "kind");
    const struct report_kind *rk = NULL;
    struct ws s;
    struct vendor_sum *vs = NULL;
    size_t nvs = 0;
    char *out = NULL;
    json_t *doc = NULL;
    int r;

    for (size_t i = 0; kind && i < sizeof(report_kinds) / sizeof(report_kinds[0]); i++)
        if (!strcmp(report_kinds[i].kind, kind))
            rk = &report_kinds[i];
    if (!rk) {
        web_error(q, 404, "その形式はありません。", "No such report.");
        return;
    }
    if ((r = ws_load(q, &s, NULL)) != 0) {
        if (r < 0)
            load_error(q, &s);
        else
            web_redirect(q, "/wizard");
        ws_done(&s);
        return;
    }
    if (!strncmp(rk->kind, "status", 6)) {
        if (vendor_sums(&s.c, s.p, WEB_ANSWERS, s.e->edition->id, &vs, &nvs)) {
            vs = NULL;
            nvs = 0;
        }
        out = render_status(&s.c, s.e, !strcmp(rk->kind, "status-json") ? "json" : "md", vs, nvs);
        vendor_sums_free(vs, nvs);
    } else if (!strcmp(rk->kind, "oscal-ar")) {
        doc = az_oscal_assessment_results(s.e);
    } else {
        struct az_plan *plan = build_plan(q, &s);
        doc = plan ? az_oscal_poam(plan) : NULL;
        az_plan_free(plan);
    }
    if (doc) {
        char *t = json_dumps(doc, JSON_INDENT(2));
        json_decref(doc);
        if (t) {
            size_t n = strlen(t);
            out = realloc(t, n + 2);
            if (!out)
                free(t);
            else {
                out[n] = '\n';
                out[n + 1] = '\0';
            }
        }
    }
    ws_done(&s);
    if (!out) {
        web_error(q, 500, "書き出せませんでした。", "Could not export.");
        return;
    }
    web_download(q, rk->ctype, rk->file, out, strlen(out));
}
