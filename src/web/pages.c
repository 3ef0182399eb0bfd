/* SPDX-License-Identifier: MIT */
/*
 * pages.c - the workspace screens of the web UI: dashboard, profile
 * wizard, questionnaire, plan board, vendor forms, reports (the ledger
 * is in pages_ledger.c).
 *
 * The numbers are never recomputed here: the dashboard reads the same
 * status JSON `anzen status --format json` prints (load_and_eval and
 * render_status of src/cli/cmd_status.c), the plan is az_plan_build with
 * the workspace's decisions, and every change is written to the same
 * files the CLI uses (profile.yaml, answers.yaml, vendor-SYSTEM.yaml,
 * ledger.csv; atomically) and to the change log with the user's name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/ledger.h"
#include "anzen/oscal.h"
#include "anzen/plan.h"
#include "anzen/profile.h"
#include "anzen/store.h"
#include "anzen/workspace.h"
#include "anzen/report.h"
#include "anzen/xlsx.h"
#include "web.h"
#include "pages_impl.h"

static const char *tx(struct req *q, struct az_text t)
{
    return q->lang == AZ_LANG_EN ? t.en : t.ja;
}

void pages_ws_done(struct ws *s)
{
    az_eval_free(s->e);
    az_answers_free(s->a);
    az_profile_free(s->p);
    az_ws_close(s->w);
    memset(s, 0, sizeof(*s));
}

/* Open the workspace (no evaluation yet). 0 or an error in s->ctx. */
int pages_ws_open(struct req *q, struct ws *s)
{
    static const struct az_ws_files files = {.profile = WEB_PROFILE, .answers = WEB_ANSWERS};

    memset(s, 0, sizeof(*s));
    az_ctx_init(&s->ctx, q->lang);
    if (q->w->o.as_of_given)
        s->as_of = q->w->o.as_of;
    else if (az_today(secure_getenv("ANZEN_TODAY"), &s->as_of) < 0)
        s->as_of = (struct az_date){2025, 4, 1};
    return az_ws_open(&s->ctx, &files, q->w->cat, q->w->kev, s->as_of, &s->w);
}

/* Load profile + answers (the institution form, or a system's vendor
 * form) and evaluate, as `anzen status` does. Returns 0, or 1 when there
 * is no profile yet, or -1 on an error (message in s->ctx). */
static int ws_load(struct req *q, struct ws *s, const char *vendor_system)
{
    if (pages_ws_open(q, s) < 0)
        return -1;
    if (access(s->w->profile, F_OK) != 0)
        return 1;
    if (az_ws_load_eval(s->w, &s->ctx, NULL, vendor_system, &s->p, &s->a, &s->e, NULL) < 0)
        return -1;
    return 0;
}

/* The plan decisions in the server's open store (az_ws_states_fn). */
static int store_states(void *arg, struct az_ctx *ctx, struct az_plan_state **ret, size_t *ret_n)
{
    struct web *w = arg;
    int r;

    web_lock(w);
    r = az_store_plan_states(w->st, ctx, ret, ret_n);
    web_unlock(w);
    return r;
}

/* The whole view (plan with every check's findings, vendor forms, report
 * input), shared between requests and rebuilt only when a workspace file
 * or the store changed (az_ws_cache). Give it back with pages_view_done.
 * Returns 0, 1 when there is no profile yet, or -1 (message in s->ctx). */
int pages_ws_view(struct req *q, struct ws *s, struct az_ws_view **ret)
{
    uint64_t version = 0;
    int r;

    *ret = NULL;
    if (pages_ws_open(q, s) < 0)
        return -1;
    if (access(s->w->profile, F_OK) != 0)
        return 1;
    web_lock(q->w);
    r = az_store_version(q->w->st, &s->ctx, &version);
    web_unlock(q->w);
    if (r == 0)
        r = az_ws_cache_get(q->w->cache, s->w, &s->ctx, version, store_states, q->w, ret);
    return r < 0 ? -1 : 0;
}

void pages_view_done(struct req *q, struct az_ws_view *v)
{
    az_ws_cache_put(q->w->cache, v);
}

void pages_load_error(struct req *q, struct ws *s)
{
    json_t *v = json_object();

    v_bool(v, "workspace", true);
    v_str(v, "message", az_errmsg(&s->ctx));
    web_page(q, 500, "error.html", v, NULL);
}

/* ---- dashboard ---- */

/* A row of a score table (score-row.html). */
static void score_row(json_t *rows, const char *name, const struct az_score *s, const char *id)
{
    int app = s->applicable, sat = s->satisfied;
    int pct = app ? (sat * 100 + app / 2) / app : -1;
    json_t *r = v_push(rows);

    v_str(r, "id", id);
    v_str(r, "name", name);
    v_int(r, "satisfied", sat);
    v_int(r, "applicable", app);
    v_int(r, "gaps", s->gaps);
    v_int(r, "unanswered", s->unanswered);
    v_int(r, "overdue", s->overdue);
    v_bool(r, "bar", pct >= 0);
    v_int(r, "pct", pct < 0 ? 0 : pct);
}

void page_dashboard(struct req *q)
{
    struct ws s;
    struct az_ws_view *view = NULL;
    struct az_ws_vendor_form *vs;
    size_t nvs, i;
    json_t *v, *x, *list;
    struct az_plan *plan;
    int r = pages_ws_view(q, &s, &view), pct;

    if (r < 0) {
        pages_load_error(q, &s);
        pages_ws_done(&s);
        return;
    }
    v = json_object();
    v_bool(v, "mfa_off", !q->user.totp[0]);
    if (r == 1) {
        v_bool(v, "no_profile", true);
        pages_ws_done(&s);
        web_page(q, 200, "dashboard.html", v, NULL);
        return;
    }
    s.p = view->p;
    s.e = view->e;
    vs = view->vs;
    nvs = view->nvs;
    plan = view->plan;
    pct = az_score_pct(&s.e->total);
    v_str(v, "name", s.p->name);
    x = v_obj(v, "edition");
    v_str(x, "title", tx(q, az_form_doc_title(s.e->form)));
    v_str(x, "version", s.e->edition->version);
    v_str(x, "form", tx(q, s.e->form->title));
    if (s.e->newer) {
        /* as anzen status says it */
        x = v_obj(v, "newer");
        v_str(x, "title", tx(q, s.e->newer->title));
        v_str(x, "version", s.e->newer->version);
        v_str(x, "published", s.e->newer->published);
        v_bool(x, "verified", s.e->newer->nitems > 0);
    }
    x = v_obj(v, "total");
    v_int(x, "satisfied", s.e->total.satisfied);
    v_int(x, "applicable", s.e->total.applicable);
    v_int(x, "gaps", s.e->total.gaps);
    v_int(x, "unanswered", s.e->total.unanswered);
    v_int(x, "overdue", s.e->total.overdue);
    v_int(x, "na", s.e->total.na);
    v_int(x, "pct", pct < 0 ? 0 : pct);

    /* per role and per group, the scores anzen status prints */
    list = v_arr(v, "roles");
    for (int k = 0; k < AZ_NROLES; k++) {
        enum az_role role = (enum az_role)(1u << k);
        char id[64];
        snprintf(id, sizeof(id), "role-%s", az_role_token(role));
        score_row(list, az_role_name(role, q->lang), &s.e->role[k], id);
    }
    list = v_arr(v, "groups");
    for (size_t g = 0; g < s.e->edition->ngroups; g++) {
        char id[64], name[300];
        const struct az_score *sc = &s.e->group[g];
        if (!sc->applicable)
            continue;
        snprintf(id, sizeof(id), "group-%s", s.e->edition->groups[g].id);
        snprintf(name, sizeof(name), "%s %s", s.e->edition->groups[g].id,
                 tx(q, s.e->edition->groups[g].title));
        score_row(list, name, sc, id);
    }

    /* answers carried over from an older edition, not checked again yet */
    {
        int n = 0, carried = 0;
        for (i = 0; i < s.e->nresults; i++) {
            const struct az_answer *a = s.e->results[i].answer;
            if (!a || !a->reconfirm || s.e->results[i].status == AZ_ST_NOT_APPLICABLE)
                continue;
            n++;
            carried += a->carried_from || !a->stale;
        }
        v_int(v, "reconfirm", n);
        v_bool(v, "has_reconfirm", n > 0);
        v_bool(v, "reconfirm_fy", n > 0 && !carried); /* all of an earlier fiscal year */
    }
    /* overdue items and the next actions with deadlines */
    list = v_arr(v, "overdue_items");
    for (i = 0; i < s.e->nresults; i++) {
        const struct az_item_result *ir = &s.e->results[i];
        char d[16];
        if (ir->overdue == AZ_OD_NONE ||
            (ir->status != AZ_ST_GAP && ir->status != AZ_ST_UNANSWERED))
            continue;
        az_date_iso(ir->deadline, d, sizeof(d));
        x = v_push(list);
        v_str(x, "id", ir->item->id);
        v_str(x, "label", ir->item->label);
        v_str(x, "title", tx(q, ir->item->title));
        v_str(x, "date", ir->overdue == AZ_OD_TARGET && ir->answer ? "" : d);
    }
    list = v_arr(v, "next");
    for (i = 0; plan && i < plan->n && i < 5; i++) {
        const struct az_plan_item *pi = &plan->v[i];
        char d1[16], d2[16];
        az_date_iso(pi->track[AZ_TRACK_INTERIM].due, d1, sizeof(d1));
        az_date_iso(pi->track[AZ_TRACK_PERMANENT].due, d2, sizeof(d2));
        x = v_push(list);
        v_str(x, "label", pi->result->item->label);
        v_str(x, "title", tx(q, pi->result->item->title));
        v_str(x, "interim", pi->track[0].text.ja ? tx(q, pi->track[0].text) : "");
        v_str(x, "interim_due", d1);
        v_str(x, "permanent", pi->track[1].text.ja ? tx(q, pi->track[1].text) : "");
        v_str(x, "permanent_due", d2);
        v_str(x, "reason", q->lang == AZ_LANG_EN ? pi->reason_en : pi->reason_ja);
    }
    /* what falls due within 30 days (due.h: the same list as anzen status) */
    {
        json_t *due = az_dues_json(&view->dues, s.as_of, 30), *o;
        list = v_arr(v, "due_soon");
        json_array_foreach(due, i, o)
        {
            x = v_push(list);
            v_str(x, "date", json_string_value(json_object_get(o, "date")));
            v_str(x, "kind", json_string_value(json_object_get(o, "kind")));
            v_str(x, "text",
                  json_string_value(json_object_get(o, q->lang == AZ_LANG_EN ? "en" : "ja")));
            v_bool(x, "overdue", json_is_true(json_object_get(o, "overdue")));
        }
        json_decref(due);
    }
    /* fixed deadlines from the catalog, such as 2FA by the end of FY2026 */
    list = v_arr(v, "deadlines");
    for (i = 0; i < s.e->nresults; i++) {
        const struct az_item_result *ir = &s.e->results[i];
        char d[16];
        if (!ir->item->has_due_by || ir->status == AZ_ST_NOT_APPLICABLE)
            continue;
        az_date_iso(ir->item->due_by, d, sizeof(d));
        x = v_push(list);
        v_str(x, "label", ir->item->label);
        v_str(x, "title", tx(q, ir->item->title));
        v_str(x, "date", d);
        v_str(x, "status", az_status_name(ir->status, q->lang));
    }
    list = v_arr(v, "vendor_forms");
    for (i = 0; i < nvs; i++) {
        x = v_push(list);
        v_str(x, "name", vs[i].sys->name);
        v_str(x, "vendor", vs[i].sys->vendor);
        v_bool(x, "received", vs[i].e != NULL);
        v_int(x, "satisfied", vs[i].e ? vs[i].e->total.satisfied : 0);
        v_int(x, "applicable", vs[i].e ? vs[i].e->total.applicable : 0);
    }
    s.p = NULL;
    s.e = NULL;
    pages_view_done(q, view);
    pages_ws_done(&s);
    web_page(q, 200, "dashboard.html", v, NULL);
}

/* ---- profile wizard ---- */

#define WIZ_SYSTEMS 8

static bool yes(const char *v)
{
    return v && (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"));
}

static void wizard_form(struct req *q, const struct az_profile *p, const char *err)
{
    static const char *const types[] = {"hospital", "clinic", "dental", "pharmacy", "midwifery"};
    json_t *v = json_object(), *list, *x;

    if (err)
        v_str(v, "error", err);
    v_str(v, "name", p ? p->name : "");
    list = v_arr(v, "types");
    for (int i = 0; i < 5; i++) {
        unsigned t = az_inst_parse(types[i]);
        x = v_push(list);
        v_str(x, "value", types[i]);
        v_bool(x, "selected", p ? p->type == t : i == 1);
        v_str(x, "label", az_inst_name(t, q->lang));
    }
    v_int(v, "beds", p && p->beds >= 0 ? p->beds : 0);
    v_bool(v, "medical_systems", p ? p->medical_systems : true);
    v_bool(v, "ops_staff", p ? p->ops_staff : false);
    v_bool(v, "outsourced", p ? p->outsourced : false);
    list = v_arr(v, "systems");
    for (int i = 0; i < WIZ_SYSTEMS; i++) {
        const struct az_system *sy = p && (size_t)i < p->nsystems ? &p->systems[i] : NULL;
        char d[16] = "";
        if (sy && sy->has_introduced)
            az_date_iso(sy->introduced, d, sizeof(d));
        x = v_push(list);
        v_int(x, "i", i);
        v_str(x, "name", sy ? sy->name : "");
        v_bool(x, "cloud", sy && sy->cloud);
        v_str(x, "vendor", sy ? sy->vendor : "");
        v_str(x, "introduced", d);
        v_bool(x, "remote", sy && sy->remote_maintenance);
        v_bool(x, "mfa", sy && sy->mfa == 1);
    }
    wizard_duties_view(q, p, v);
    web_page(q, 200, "wizard.html", v, NULL);
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
    {
        /* the yearly duties (records.c) */
        char *err = wizard_duties_apply(q, &np);
        if (err) {
            wizard_form(q, old, err);
            q->r.status = 400;
            free(err);
            az_profile_free(old);
            return;
        }
    }
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
    {
        char *err = wizard_duties_record(q);
        if (err) {
            web_error(q, 500, err, err);
            free(err);
            return;
        }
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

/* The card of item idx (assess.html's card). */
static void question_card(struct req *q, json_t *v, struct ws *s, size_t idx)
{
    static const struct {
        const char *v;
        enum az_ans a;
    } opts[] = {{"yes", AZ_ANS_YES}, {"no", AZ_ANS_NO}, {"na", AZ_ANS_NA}};
    const struct az_item_result *ir = &s->e->results[idx];
    const struct az_item *it = ir->item;
    const struct az_answer *a = ir->answer;
    char d1[16] = "", d2[16] = "", today[16];
    size_t next = idx + 1;
    struct az_buf ev;
    json_t *c = v_obj(v, "card"), *list, *x;

    az_date_iso(s->as_of, today, sizeof(today));
    if (a && a->has_checked)
        az_date_iso(a->checked, d1, sizeof(d1));
    if (a && a->has_target)
        az_date_iso(a->target, d2, sizeof(d2));
    v_str(c, "id", it->id);
    v_str(c, "label", it->label);
    v_str(c, "title", tx(q, it->title));
    v_str(c, "text", tx(q, it->text));
    v_str(c, "guidance", it->guidance.ja ? tx(q, it->guidance) : "");
    v_str(c, "evidence", evidence_hint(q, it));
    list = v_arr(c, "options");
    for (int k = 0; k < 3; k++) {
        x = v_push(list);
        v_str(x, "value", opts[k].v);
        v_bool(x, "checked", a && a->ans == opts[k].a);
        v_str(x, "name", az_ans_name(opts[k].a, q->lang));
    }
    for (int k = 0; k < 3; k++)
        if (a && a->ans == opts[k].a)
            v_str(c, "answer", opts[k].v);
    v_bool(c, "reconfirm", a && a->reconfirm);
    v_bool(c, "stale", a && a->stale && !a->carried_from);
    v_str(c, "checked", d1[0] ? d1 : today);
    v_str(c, "target", d2);
    v_str(c, "note", a && a->note ? a->note : "");
    az_buf_init(&ev, 1u << 20);
    for (size_t k = 0; a && k < a->nevidence; k++)
        az_buf_printf(&ev, "%s%s", k ? ", " : "", a->evidence[k]);
    v_str(c, "evidence_list", ev.data);
    az_buf_done(&ev);
    for (; next < s->e->nresults; next++) {
        enum az_status st = s->e->results[next].status;
        if (st != AZ_ST_NOT_APPLICABLE && st != AZ_ST_GATE)
            break;
    }
    v_str(c, "next", next < s->e->nresults ? s->e->results[next].item->id : "");
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
/* The fields of the answer form this user changed: the form carries what
 * the page showed (was_*), so only those are written and a change made
 * meanwhile to another field (another browser, anzen assess) is kept. A
 * form without them (an older page) counts as changing everything. */
static unsigned changed_fields(struct req *q)
{
    static const struct {
        const char *name, *was;
        unsigned bit;
    } f[] = {{"answer", "was_answer", AZ_AF_ANSWER},
             {"checked", "was_checked", AZ_AF_CHECKED},
             {"target", "was_target", AZ_AF_TARGET},
             {"note", "was_note", AZ_AF_NOTE},
             {"evidence", "was_evidence", AZ_AF_EVIDENCE}};
    unsigned mask = 0;

    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        const char *now = web_field(q, f[i].name), *was = web_field(q, f[i].was);
        if (!was || strcmp(was, now ? now : "") != 0)
            mask |= f[i].bit;
    }
    return mask;
}

static int save_answer(struct req *q, struct ws *s, const char *path)
{
    const char *item = web_field(q, "item"), *ans = web_field(q, "answer"),
               *checked = web_field(q, "checked"), *target = web_field(q, "target"),
               *note = web_field(q, "note"), *evidence = web_field(q, "evidence");
    const struct az_item *it = NULL;
    struct az_answer x;
    char *ev[100], *evcopy = NULL;
    size_t nev = 0;
    int r;

    for (size_t i = 0; item && i < s->e->nresults; i++)
        if (!strcmp(s->e->results[i].item->id, item) &&
            s->e->results[i].status != AZ_ST_NOT_APPLICABLE)
            it = s->e->results[i].item;
    if (!it)
        return az_fail(&s->ctx, AZ_ENOTFOUND, "この様式にない項目です", "not an item of this form");
    memset(&x, 0, sizeof(x));
    x.item = it;
    x.ans = ans ? az_ans_parse(ans) : AZ_ANS_NONE;
    if (x.ans == AZ_ANS_NONE)
        return az_fail(&s->ctx, AZ_EINVAL, "はい・いいえ・対象外のどれかを選んでください",
                       "choose yes, no or not applicable");
    if (checked && *checked) {
        if (az_date_parse(checked, false, &x.checked) < 0)
            return az_fail(&s->ctx, AZ_EINVAL, "確認した日が日付ではありません",
                           "the date checked is not a date");
        x.has_checked = true;
    }
    if (target && *target && x.ans == AZ_ANS_NO) {
        if (az_date_parse(target, false, &x.target) < 0)
            return az_fail(&s->ctx, AZ_EINVAL, "目標日が日付ではありません",
                           "the target date is not a date");
        x.has_target = true;
    }
    if (note && strlen(note) > 8192)
        return az_fail(&s->ctx, AZ_ERANGE, "メモが長すぎます", "the note is too long");
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
    {
        /* read again, change and write under the workspace lock, so an
         * answer saved meanwhile (another browser, anzen assess) is kept */
        struct az_answers *saved = NULL;
        /* saving a carried answer (要再確認) confirms it, changed or not */
        const struct az_answer *cur = s->a ? az_answers_get(s->a, it) : NULL;
        unsigned fields = changed_fields(q) | (cur && cur->reconfirm ? AZ_AF_ANSWER : 0);
        r = az_ws_answer_set(s->w, &s->ctx, path, s->e->edition, s->e->form, s->e->system, &x,
                             fields, web_who(q), &saved);
        free(evcopy);
        if (r < 0)
            return r;
        az_answers_free(s->a);
        s->a = saved;
    }
    return r;
}

/* The questionnaire for the institution (system NULL) or one system's
 * vendor form, at base (/assess or /vendors). */
static void questionnaire(struct req *q, const char *system, const char *base)
{
    struct ws s;
    json_t *v, *list, *x;
    char path[4096];
    const char *want = web_arg(q, "item");
    size_t answered = 0, total = 0, pick = (size_t)-1, first_open = (size_t)-1;
    int r = ws_load(q, &s, system);

    if (r != 0) {
        if (r < 0)
            pages_load_error(q, &s);
        else
            web_redirect(q, "/wizard");
        pages_ws_done(&s);
        return;
    }
    if (system) {
        char *vp = az_ws_vendor_path(s.w, system);
        snprintf(path, sizeof(path), "%s", vp ? vp : "");
        free(vp);
    } else
        snprintf(path, sizeof(path), "%s", WEB_ANSWERS);
    if (q->post) {
        if ((r = save_answer(q, &s, path)) < 0) {
            struct ws s2;
            char msg[AZ_ERRMSG_MAX];
            snprintf(msg, sizeof(msg), "%s", az_errmsg(&s.ctx));
            pages_ws_done(&s);
            web_error(q, 400, msg, msg);
            (void)s2;
            return;
        }
        /* re-evaluate and go to the next open item */
        pages_ws_done(&s);
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
    v = json_object();
    v_str(v, "base", base);
    v_bool(v, "can_edit", q->user.role != AZ_UR_VIEWER || q->user.admin);
    if (system)
        v_str(v, "system", system);
    v_int(v, "answered", (long long)answered);
    v_int(v, "total", (long long)total);
    if (!system) {
        list = v_arr(v, "roles");
        for (int k = 0; k < AZ_NROLES; k++) {
            enum az_role role = (enum az_role)(1u << k);
            x = v_push(list);
            v_str(x, "token", az_role_token(role));
            v_str(x, "name", az_role_name(role, q->lang));
        }
    }
    if (pick != (size_t)-1)
        question_card(q, v, &s, pick);
    /* the whole list, to jump to any item */
    list = v_arr(v, "items");
    for (size_t i = 0; i < s.e->nresults; i++) {
        const struct az_item_result *ir = &s.e->results[i];
        if (ir->status == AZ_ST_NOT_APPLICABLE || ir->status == AZ_ST_GATE ||
            !role_match(q, ir->item))
            continue;
        x = v_push(list);
        v_str(x, "status", az_status_token(ir->status));
        v_str(x, "status_name", az_status_name(ir->status, q->lang));
        v_bool(x, "reconfirm", ir->answer && ir->answer->reconfirm);
        v_str(x, "id", ir->item->id);
        v_str(x, "label", ir->item->label);
        v_str(x, "title", tx(q, ir->item->title));
    }
    pages_ws_done(&s);
    web_page(q, 200, "assess.html", v, NULL);
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
    const struct az_system *sys = NULL;
    json_t *v, *list, *x;

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
    v = json_object();
    list = v_arr(v, "systems");
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        char path[4096];
        if (!vendor_may(q, s))
            continue;
        {
            char *vp = az_ws_vendor_path_for(WEB_ANSWERS, s->id);
            snprintf(path, sizeof(path), "%s", vp ? vp : "");
            free(vp);
        }
        x = v_push(list);
        v_str(x, "id", s->id);
        v_str(x, "name", s->name);
        v_str(x, "vendor", s->vendor);
        v_bool(x, "answered", access(path, F_OK) == 0);
    }
    az_profile_free(p);
    web_page(q, 200, "vendors.html", v, NULL);
}

/* ---- plan board ---- */

/* The column a card sits in. Done and verified are the permanent fix's
 * (an interim measure does not finish an item); before that, the card is
 * in progress as soon as either track is under way (an interim measure in
 * progress or in place counts), else open. Sets *interim when the interim
 * track alone put it in progress. */
static enum az_plan_status card_column(const struct az_plan_item *pi, bool *interim)
{
    enum az_plan_status p = pi->track[AZ_TRACK_PERMANENT].status,
                        t = pi->track[AZ_TRACK_INTERIM].status;

    *interim = false;
    if (p >= AZ_PLAN_DONE || p == AZ_PLAN_IN_PROGRESS)
        return p;
    if (pi->track[AZ_TRACK_INTERIM].text.ja && t >= AZ_PLAN_IN_PROGRESS) {
        *interim = true;
        return AZ_PLAN_IN_PROGRESS;
    }
    return AZ_PLAN_OPEN;
}

/* Does plan item pi pass the board's filters (status: its column; role:
 * a track's owner role or the item's roles; owner: text in a track's
 * owner)? */
static bool plan_match(const struct az_plan_item *pi, const char *status, const char *role,
                       const char *owner)
{
    bool interim;

    if (status && *status && strcmp(az_plan_status_token(card_column(pi, &interim)), status) != 0)
        return false;
    if (role && *role && strcmp(role, "all") != 0) {
        unsigned want = 0;
        for (int k = 0; k < AZ_NROLES; k++)
            if (!strcmp(role, az_role_token((enum az_role)(1u << k))))
                want = 1u << k;
        if (!want ||
            !((pi->result->item->roles | pi->track[0].owner_role | pi->track[1].owner_role) & want))
            return false;
    }
    if (owner && *owner && !strstr(pi->track[0].owner, owner) && !strstr(pi->track[1].owner, owner))
        return false;
    return true;
}

/* The board: the cards that pass the filters, a page at a time, each in
 * the column of the track being worked on (card_column). Viewers see the
 * cards without the forms. */
static void plan_board(struct req *q, const struct az_plan *plan)
{
    static const char *const keep[] = {"status", "role", "owner", NULL};
    const char *status = web_arg(q, "status"), *role = web_arg(q, "role"),
               *owner = web_arg(q, "owner");
    bool can_edit = q->user.role != AZ_UR_VIEWER || q->user.admin;
    json_t *v = json_object(), *cols, *flt, *list;
    size_t *hit = plan ? malloc((plan->n + 1) * sizeof(*hit)) : NULL, nhit = 0, first = 0;

    v_bool(v, "can_edit", can_edit);
    flt = v_obj(v, "filter");
    v_str(flt, "owner", owner);
    list = v_arr(v, "statuses");
    for (int st = AZ_PLAN_OPEN; st <= AZ_PLAN_VERIFIED; st++) {
        json_t *o = v_push(list);
        v_str(o, "value", az_plan_status_token((enum az_plan_status)st));
        v_str(o, "name", az_plan_status_name((enum az_plan_status)st, q->lang));
        v_bool(o, "selected",
               status && !strcmp(status, az_plan_status_token((enum az_plan_status)st)));
    }
    list = v_arr(v, "roles");
    for (int k = 0; k < AZ_NROLES; k++) {
        enum az_role rl = (enum az_role)(1u << k);
        json_t *o = v_push(list);
        v_str(o, "value", az_role_token(rl));
        v_str(o, "name", az_role_name(rl, q->lang));
        v_bool(o, "selected", role && !strcmp(role, az_role_token(rl)));
    }
    for (size_t i = 0; hit && i < plan->n; i++)
        if (plan_match(&plan->v[i], status, role, owner))
            hit[nhit++] = i;
    pages_pager(q, v, nhit, &first, keep, "/plan");
    cols = v_arr(v, "columns");
    for (int col = AZ_PLAN_OPEN; col <= AZ_PLAN_VERIFIED; col++) {
        json_t *c = v_push(cols), *cards = NULL;
        v_str(c, "status", az_plan_status_token((enum az_plan_status)col));
        v_str(c, "name", az_plan_status_name((enum az_plan_status)col, q->lang));
        cards = v_arr(c, "cards");
        for (size_t h = first; h < nhit && h < first + WEB_PER_PAGE; h++) {
            size_t i = hit[h];
            const struct az_plan_item *pi = &plan->v[i];
            json_t *card, *tracks;
            bool interim;
            if ((int)card_column(pi, &interim) != col)
                continue;
            card = v_push(cards);
            v_bool(card, "by_interim", interim);
            v_bool(card, "can_edit", can_edit);
            v_str(card, "id", pi->result->item->id);
            v_int(card, "number", (long long)i + 1);
            v_str(card, "label", pi->result->item->label);
            v_str(card, "title", tx(q, pi->result->item->title));
            v_str(card, "reason", q->lang == AZ_LANG_EN ? pi->reason_en : pi->reason_ja);
            tracks = v_arr(card, "tracks");
            for (int k = 0; k < 2; k++) {
                const struct az_plan_track *t = &pi->track[k];
                json_t *tr = v_push(tracks), *sts;
                char d[16];
                az_date_iso(t->due, d, sizeof(d));
                v_str(tr, "track", k ? "permanent" : "interim");
                v_bool(tr, "permanent", k == 1);
                v_str(tr, "text", t->text.ja ? tx(q, t->text) : "");
                v_str(tr, "owner", t->owner);
                v_str(tr, "due", d);
                v_str(tr, "status", az_plan_status_token(t->status));
                v_str(tr, "status_name", az_plan_status_name(t->status, q->lang));
                sts = v_arr(tr, "statuses");
                for (int st = AZ_PLAN_OPEN; st <= AZ_PLAN_VERIFIED; st++) {
                    json_t *o = v_push(sts);
                    v_str(o, "value", az_plan_status_token((enum az_plan_status)st));
                    v_bool(o, "selected", (int)t->status == st);
                    v_str(o, "name", az_plan_status_name((enum az_plan_status)st, q->lang));
                }
            }
        }
    }
    free(hit);
    web_page(q, 200, "plan.html", v, NULL);
}

void page_plan(struct req *q)
{
    struct ws s;
    struct az_ws_view *view = NULL;
    int r;

    if (!q->post) {
        if ((r = pages_ws_view(q, &s, &view)) != 0) {
            if (r < 0)
                pages_load_error(q, &s);
            else
                web_redirect(q, "/wizard");
            pages_ws_done(&s);
            return;
        }
        plan_board(q, view->plan);
        pages_view_done(q, view);
        pages_ws_done(&s);
        return;
    }
    if ((r = ws_load(q, &s, NULL)) != 0) {
        if (r < 0)
            pages_load_error(q, &s);
        else
            web_redirect(q, "/wizard");
        pages_ws_done(&s);
        return;
    }
    if (q->post) {
        const char *item = web_field(q, "item"), *track = web_field(q, "track"),
                   *status = web_field(q, "status"), *owner = web_field(q, "owner"),
                   *due = web_field(q, "due");
        struct az_plan_patch patch;
        int k = track && !strcmp(track, "interim") ? 0 : 1,
            stv = status ? az_plan_status_parse(status) : -1;
        bool known = false;
        for (size_t i = 0; item && i < s.e->nresults; i++)
            known |= !strcmp(s.e->results[i].item->id, item);
        if (!known || stv < 0) {
            pages_ws_done(&s);
            web_error(q, 400, "計画の項目か状態が不正です。", "Unknown plan item or status.");
            return;
        }
        /* apply only the fields this user changed (the form carries what
         * the page showed): two people changing different fields of the
         * same card at once both keep their change */
        const char *was_status = web_field(q, "was_status"), *was_owner = web_field(q, "was_owner"),
                   *was_due = web_field(q, "was_due");
        memset(&patch, 0, sizeof(patch));
        patch.track = k;
        patch.status = was_status && !strcmp(was_status, status) ? -1 : stv;
        patch.owner = was_owner && owner && !strcmp(was_owner, owner) ? NULL : owner;
        patch.priority = -1;
        if (due && *due && (!was_due || strcmp(was_due, due) != 0) &&
            az_date_parse(due, false, &patch.due) == 0)
            patch.has_due = true;
        /* read, change and write in one transaction: a save made meanwhile
         * (another browser, anzen plan set) is kept */
        web_lock(q->w);
        r = az_store_plan_update(q->w->st, &s.ctx, item, &patch, web_who(q));
        web_unlock(q->w);
        pages_ws_done(&s);
        if (r < 0)
            web_error(q, 500, "保存できませんでした。", "Could not save.");
        else
            web_redirect(q, "/plan");
        return;
    }
}

/* ---- reports ---- */

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* What /reports offers. A dated file is named stem-YYYY-MM-DD.ext (the
 * reference date), in Japanese when the page is. */
static const struct report_kind {
    const char *kind, *file, *file_ja, *ext, *ctype, *ja, *en;
} report_kinds[] = {
    {"report-html", "anzen-report", "報告書", ".html", "text/html; charset=utf-8",
     "報告書 (HTML、印刷用: 経営層向けの 1 ページと、担当ごとの項目・計画)",
     "Report (HTML, printable: one page for management, then each role's items and plan)"},
    {"checklist-xlsx", "anzen-checklist", "チェックリスト", ".xlsx", XLSX_TYPE,
     "チェックリストの様式 (XLSX、厚生労働省の様式のとおり。対応計画・機器台帳のシート付き)",
     "The checklist form (XLSX, laid out like the MHLW form, with plan and ledger sheets)"},
    {"status-json", "anzen-status.json", NULL, NULL, "application/json",
     "現状 (JSON。コマンドで表示する「現状」と同じ内容)",
     "Status (JSON, as anzen status --format json)"},
    {"status-md", "anzen-status.md", NULL, NULL, "text/markdown; charset=utf-8", "現状 (Markdown)",
     "Status (Markdown)"},
    {"oscal-ar", "oscal-assessment-results.json", NULL, NULL, "application/json",
     "OSCAL 1.0.4 assessment-results", "OSCAL 1.0.4 assessment-results"},
    {"oscal-poam", "oscal-poam.json", NULL, NULL, "application/json",
     "OSCAL 1.0.4 POA&M (対応計画)", "OSCAL 1.0.4 POA&M (the plan)"},
};

void page_reports(struct req *q)
{
    json_t *v = json_object(), *list = v_arr(v, "reports");

    for (size_t i = 0; i < sizeof(report_kinds) / sizeof(report_kinds[0]); i++) {
        json_t *x = v_push(list);
        v_str(x, "kind", report_kinds[i].kind);
        v_str(x, "label", T(q, report_kinds[i].ja, report_kinds[i].en));
    }
    web_page(q, 200, "reports.html", v, NULL);
}

/* The error page for an export that failed, with the library's message. */
static void export_error(struct req *q, struct az_ctx *ctx)
{
    json_t *v = json_object();

    v_bool(v, "workspace", true);
    v_str(v, "message",
          *az_errmsg(ctx) ? az_errmsg(ctx) : T(q, "書き出せませんでした。", "Could not export."));
    web_page(q, 500, "error.html", v, NULL);
}

/*
 * The XLSX writers (lib/report/xlsx.c) write files; a download is made in
 * a private temporary directory and read back. write is called with the
 * path to write; returns 0 and the bytes, or negative (message in ctx).
 */
struct xlsx_job {
    int (*write)(struct az_ctx *ctx, const struct xlsx_job *job, const char *path);
    const struct az_report_input *in; /* checklist */
    const struct az_edition *ed;      /* vendor form */
    const struct az_profile *p;       /* vendor form */
    const struct az_system *sys;      /* vendor form */
    const struct az_answers *prev;    /* vendor form: its answers so far, or NULL */
    struct az_date as_of;             /* vendor form */
};

static int xlsx_checklist(struct az_ctx *ctx, const struct xlsx_job *j, const char *path)
{
    return az_xlsx_checklist(ctx, j->in, path);
}

static int xlsx_vendor_form(struct az_ctx *ctx, const struct xlsx_job *j, const char *path)
{
    return az_xlsx_vendor_form(ctx, j->ed, j->p, j->sys, j->prev, j->as_of, path);
}

static int xlsx_bytes(struct az_ctx *ctx, const struct xlsx_job *job, char **ret, size_t *ret_len)
{
    const char *tmp = getenv("TMPDIR");
    char dir[1024], path[1100];
    struct az_buf b;
    FILE *f;
    int r;

    snprintf(dir, sizeof(dir), "%s/anzen-web.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return az_fail(ctx, AZ_EIO, "一時ディレクトリを作れません: %s",
                       "cannot create a temporary directory: %s", az_errno_text(ctx->lang, errno));
    snprintf(path, sizeof(path), "%s/form.xlsx", dir);
    az_buf_init(&b, 64u << 20);
    if ((r = job->write(ctx, job, path)) == 0) {
        char chunk[65536];
        size_t n;
        if (!(f = fopen(path, "rb"))) {
            r = az_fail(ctx, AZ_EIO, "%s を読めません: %s", "cannot read %s: %s", path,
                        az_errno_text(ctx->lang, errno));
        } else {
            while (r == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                r = az_buf_add(&b, chunk, n);
            if (r == 0 && ferror(f))
                r = az_fail(ctx, AZ_EIO, "%s を読めません", "cannot read %s", path);
            else if (r < 0)
                r = az_fail(ctx, r, "XLSX が大きすぎます", "the XLSX is too large");
            fclose(f);
        }
        unlink(path);
    }
    if (rmdir(dir) < 0)
        fprintf(stderr, "anzen serve: cannot remove %s: %s\n", dir, strerror(errno));
    if (r < 0) {
        az_buf_done(&b);
        return r;
    }
    *ret_len = b.len;
    *ret = az_buf_take(&b);
    return 0;
}

/* The HTML report or the checklist workbook, loaded as `anzen report`
 * loads them (report_load_with), with the plan decisions of the open
 * store. */
static int report_doc(struct req *q, struct ws *s, const char *kind, char **ret, size_t *ret_len)
{
    struct az_ws_view *view = NULL;
    struct az_report_input in;
    json_t *check = NULL;
    int r;

    if (pages_ws_view(q, s, &view) != 0)
        return AZ_EINVAL;
    /* the cached view keeps the ledger findings compact: JSON for the
     * report again */
    in = view->in;
    if (view->compact && (check = az_ws_view_check_json(view)))
        in.ledger_check = check;
    if (!strcmp(kind, "report-html")) {
        struct az_buf b;
        az_buf_init(&b, 64u << 20);
        if ((r = az_report_html(&s->ctx, &in, 0, &b)) == 0) {
            *ret_len = b.len;
            *ret = az_buf_take(&b);
        }
        az_buf_done(&b);
    } else {
        struct xlsx_job job = {.write = xlsx_checklist, .in = &in};
        r = xlsx_bytes(&s->ctx, &job, ret, ret_len);
    }
    json_decref(check);
    pages_view_done(q, view);
    return r;
}

void page_report_file(struct req *q)
{
    const char *kind = web_arg(q, "kind");
    const struct report_kind *rk = NULL;
    struct ws s;
    struct az_ws_vendor_form *vs = NULL;
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
    if (rk->ext) {
        char day[16], ascii[200], name[300];
        size_t len = 0;
        if (access(WEB_PROFILE, F_OK) != 0) {
            web_redirect(q, "/wizard");
            return;
        }
        if (report_doc(q, &s, rk->kind, &out, &len) < 0) {
            export_error(q, &s.ctx);
            pages_ws_done(&s);
            return;
        }
        az_date_iso(s.as_of, day, sizeof(day));
        pages_ws_done(&s);
        snprintf(ascii, sizeof(ascii), "%s-%s%s", rk->file, day, rk->ext);
        snprintf(name, sizeof(name), "%s-%s%s", q->lang == AZ_LANG_EN ? rk->file : rk->file_ja, day,
                 rk->ext);
        web_download(q, rk->ctype, ascii, name, out, len);
        return;
    }
    if ((r = ws_load(q, &s, NULL)) != 0) {
        if (r < 0)
            pages_load_error(q, &s);
        else
            web_redirect(q, "/wizard");
        pages_ws_done(&s);
        return;
    }
    if (!strncmp(rk->kind, "status", 6)) {
        if (az_ws_vendor_forms(s.w, &s.ctx, s.p, s.e->edition->id, &vs, &nvs) < 0) {
            vs = NULL;
            nvs = 0;
        }
        out = az_ws_status_render(q->lang, s.e, !strcmp(rk->kind, "status-json") ? "json" : "md",
                                  vs, nvs);
        az_ws_vendor_forms_free(vs, nvs);
    } else if (!strcmp(rk->kind, "oscal-ar")) {
        doc = az_oscal_assessment_results(s.e);
    } else {
        struct az_ws_view *view = NULL;
        struct ws s2;
        if (pages_ws_view(q, &s2, &view) == 0)
            doc = az_oscal_poam(view->plan);
        pages_view_done(q, view);
        pages_ws_done(&s2);
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
    pages_ws_done(&s);
    if (!out) {
        web_error(q, 500, "書き出せませんでした。", "Could not export.");
        return;
    }
    web_download(q, rk->ctype, rk->file, NULL, out, strlen(out));
}

/* /vendors/form?system=ID: the system's 事業者確認用 as XLSX, as `anzen
 * vendor pack --prefill` writes it (with the answers given so far), for
 * the vendor to fill in offline and send back (anzen vendor import). */
void page_vendor_form(struct req *q)
{
    const char *system = web_arg(q, "system");
    struct xlsx_job job = {.write = xlsx_vendor_form};
    char ascii[200], name[300], *out = NULL;
    struct az_profile *p = NULL;
    struct az_ctx ctx;
    bool may = false;
    size_t len = 0;
    struct ws s;
    int r;

    /* as on /vendors: another vendor's system is "not found" */
    az_ctx_init(&ctx, q->lang);
    if (system && az_profile_load_file(&ctx, WEB_PROFILE, &p) == 0)
        for (size_t i = 0; i < p->nsystems; i++)
            may |= !strcmp(p->systems[i].id, system) && vendor_may(q, &p->systems[i]);
    az_profile_free(p);
    if (!may) {
        web_error(q, 404, "その様式はありません。", "No such form.");
        return;
    }
    /* the vendor's answers, evaluated as the vendor screen shows them */
    if ((r = ws_load(q, &s, system)) != 0) {
        if (r < 0)
            pages_load_error(q, &s);
        else
            web_error(q, 404, "その様式はありません。", "No such form.");
        pages_ws_done(&s);
        return;
    }
    for (size_t i = 0; i < s.p->nsystems; i++)
        if (!strcmp(s.p->systems[i].id, system))
            job.sys = &s.p->systems[i];
    job.ed = s.e->edition;
    job.p = s.p;
    job.prev = s.a;
    job.as_of = s.as_of;
    if (!job.sys || xlsx_bytes(&s.ctx, &job, &out, &len) < 0) {
        export_error(q, &s.ctx);
        pages_ws_done(&s);
        return;
    }
    /* system IDs are letters, digits and . _ - (profile.c) */
    snprintf(ascii, sizeof(ascii), "vendor-form-%s.xlsx", job.sys->id);
    snprintf(name, sizeof(name), "%s-%s.xlsx", T(q, "事業者確認用", "vendor-form"), job.sys->id);
    pages_ws_done(&s);
    web_download(q, XLSX_TYPE, ascii, name, out, len);
}
