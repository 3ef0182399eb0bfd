/* SPDX-License-Identifier: MIT */
/*
 * cmd_plan.c - `anzen plan` (the remediation plan, in priority order with
 * reasons) and `anzen plan set ITEM ...` (status, owner, due date, priority
 * override), kept in the workspace with a change-log entry per change.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/keypoints.h"
#include "anzen/ledger.h"
#include "anzen/plan.h"
#include "anzen/store.h"
#include "anzen/vendor.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方:\n"
          "  anzen plan [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
          "             [--role 役割] [--status 状態] [--format text|json]\n"
          "      「いいえ」の項目ごとの対応計画 (暫定対策と本対策、担当、期限、状態) を\n"
          "      優先順に、その理由とともに表示する。優先順: 利用者が変更したもの →\n"
          "      期限超過 → ランサムウェア・リモート接続に関わるもの → 目標日順。\n"
          "      台帳 (ledger.csv、--ledger FILE) の点検で見つかった問題も加える\n"
          "      ネットワークの点検 (anzen scan -o scan.json、--scan FILE) の問題も加える\n"
          "  anzen plan set 項目 --track interim|permanent|both [--status 状態]\n"
          "             [--owner 役割[:名前]] [--due 日付 [--allow-past]]\n"
          "             [--priority N --reason 理由]\n"
          "      計画を更新してワークスペースに記録する (変更履歴に残る)。状態・担当・期限を\n"
          "      変えるときは、どちらの対策か (--track) を指定する (端末では尋ねる)\n"
          "  状態: open (未着手) / in-progress (対応中) / done (完了) / verified (確認済み)\n"
          "  役割: management (経営層) / planning (企画管理者) / operations "
          "(システム運用担当者)\n"
          "        / vendor (事業者: vendors.yaml に登録した事業者の ID か名前。例 "
          "--owner 事業者:midori)\n"
          "  日付: 2026-03-31、2026/3/31、令和8年3月31日、R8.3.31 (今日より前は --allow-past)\n",
          "usage:\n"
          "  anzen plan [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
          "             [--role ROLE] [--status STATUS] [--format text|json]\n"
          "      the plan for every item answered no (interim mitigation and permanent\n"
          "      fix, owner, due date, status), in priority order with the reason:\n"
          "      user overrides, then overdue, then ransomware/remote access, then by\n"
          "      target date; gaps found in ledger.csv (--ledger FILE) are added\n"
          "      and so are those of the network check (anzen scan -o scan.json, --scan FILE)\n"
          "  anzen plan set ITEM --track interim|permanent|both [--status STATUS]\n"
          "             [--owner ROLE[:NAME]] [--due DATE [--allow-past]]\n"
          "             [--priority N --reason TEXT]\n"
          "      update the plan in the workspace (recorded in the change log); a change\n"
          "      of status, owner or due date names the track (asked on a terminal)\n"
          "  STATUS: open / in-progress / done / verified\n"
          "  ROLE: management / planning / operations / vendor (a vendor registered in\n"
          "        vendors.yaml, by ID or name, e.g. --owner vendor:midori)\n"
          "  DATE: 2026-03-31, 2026/3/31, 令和8年3月31日, R8.3.31 (past dates need "
          "--allow-past)\n"));
}

static const char *tx(struct cli *c, struct az_text t)
{
    return c->lang == AZ_LANG_EN ? t.en : t.ja;
}

static int load_states(struct cli *c, const char *db, struct az_plan_state **ret, size_t *ret_n)
{
    struct az_ws_files f = {.db = db};
    struct az_workspace *ws;
    int r;

    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if (az_ws_plan_states(ws, &c->ctx, ret, ret_n) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    az_ws_close(ws);
    return r;
}

static void print_track(struct cli *c, const char *head, const struct az_plan_track *t)
{
    char d[16];

    az_date_iso(t->due, d, sizeof(d));
    printf("     %s [%s] %s %s%s%s, %s %s\n", head, az_plan_status_name(t->status, c->lang),
           L(c, "担当", "owner"), az_role_name((enum az_role)t->owner_role, c->lang),
           t->owner && *t->owner ? " " : "", t->owner ? t->owner : "", L(c, "期限", "due"), d);
    if (t->text.ja)
        printf("       %s\n", tx(c, t->text));
}

/* Gaps found in the ledger (default ledger.csv, when present), checked
 * with the vendor registry beside it and KEV, feed the plan. */
int plan_add_ledger(struct cli *c, struct az_plan *plan, const struct az_profile *p,
                    const struct az_eval *e, const char *ledger)
{
    struct az_ws_files f = {.profile = p->file, .ledger = ledger};
    struct az_workspace *ws;
    struct az_ledger *l = NULL;
    json_t *res = NULL;
    int r;

    (void)e;
    if (!ledger || access(ledger, F_OK) != 0)
        return 0;
    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if (az_ws_ledger(ws, &c->ctx, &l) < 0 ||
        az_ws_ledger_check(ws, &c->ctx, l, p, plan->eval->edition, &res) < 0 ||
        az_plan_add_findings(&c->ctx, plan, c->cat, "台帳", "ledger",
                             json_object_get(res, "findings")) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    json_decref(res);
    az_ledger_free(l);
    az_ws_close(ws);
    return r;
}

static int do_list(struct cli *c, const char *profile, const char *answers, const char *db,
                   unsigned role, int status, const char *format, const char *ledger,
                   const char *scan)
{
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    struct az_plan *plan = NULL;
    struct az_plan_state *states = NULL;
    size_t nstates = 0, shown = 0;
    int r;

    if ((r = load_and_eval(c, profile, answers, NULL, NULL, &p, &a, &e)))
        return r;
    if ((r = load_states(c, db, &states, &nstates)))
        goto out;
    if (az_plan_build(&c->ctx, e, states, nstates, &plan) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    if ((r = plan_add_ledger(c, plan, p, e, ledger)))
        goto out;
    if ((r = plan_add_scan(c, plan, scan)))
        goto out;
    if ((r = plan_add_audit(c, plan, p, ledger)))
        goto out;
    if (!strcmp(format, "json")) {
        json_t *j = az_plan_to_json(plan);
        char *s = json_dumps(j, JSON_INDENT(2));
        json_decref(j);
        r = s ? out_write(c, NULL, s, strlen(s)) : EXIT_ERROR;
        if (!r)
            r = out_write(c, NULL, "\n", 1);
        free(s);
        goto out;
    }
    printf("%s — %s %s (%s)\n", L(c, "対応計画", "Remediation plan"), p->name, e->edition->version,
           tx(c, e->form->title));
    for (size_t i = 0; i < plan->n; i++) {
        const struct az_plan_item *pi = &plan->v[i];
        bool role_ok = !role || pi->track[0].owner_role == role || pi->track[1].owner_role == role;
        bool status_ok =
            status < 0 || (int)pi->track[0].status == status || (int)pi->track[1].status == status;
        if (!role_ok || !status_ok)
            continue;
        shown++;
        printf("\n%2zu. %s  %s  (%s)\n", i + 1, pi->result->item->label,
               tx(c, pi->result->item->title), pi->result->item->id);
        printf("     %s %s\n", L(c, "理由:", "why:"),
               c->lang == AZ_LANG_EN ? pi->reason_en : pi->reason_ja);
        print_track(c, L(c, "暫定対策", "interim  "), &pi->track[AZ_TRACK_INTERIM]);
        print_track(c, L(c, "本対策  ", "permanent"), &pi->track[AZ_TRACK_PERMANENT]);
        if (pi->owner_note_ja)
            printf("     ※ %s\n", c->lang == AZ_LANG_EN ? pi->owner_note_en : pi->owner_note_ja);
    }
    if (!shown)
        printf("\n%s\n", L(c, "該当する計画項目はありません。", "No plan items match."));
    if (plan->unanswered)
        printf("\n%s %d\n",
               L(c, "※ 未回答の項目 (先に回答してください):",
                 "Note: unanswered items (answer them first):"),
               plan->unanswered);
    if (plan->n) {
        char *ja = az_fmt("anzen plan set %s --track interim --status in-progress --owner "
                          "planning:名前 --due 日付 (担当と期限を決める)、anzen report --role "
                          "management (経営層への報告)",
                          plan->v[0].result->item->label);
        char *en = az_fmt("anzen plan set %s --track interim --status in-progress --owner "
                          "planning:NAME --due DATE (decide owners and dates), anzen report "
                          "--role management (report to management)",
                          plan->v[0].result->item->label);
        if (ja && en)
            cli_next(c, ja, en);
        free(ja);
        free(en);
    } else if (plan->unanswered) {
        cli_next(c, "anzen assess (未回答の項目に回答する)", "anzen assess (answer the rest)");
    } else {
        cli_next(c, "anzen report (報告書を作る)", "anzen report (write the report)");
    }
    r = 0;
out:
    az_plan_free(plan);
    az_plan_states_free(states, nstates);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}

/* The registered vendors (vendors.yaml), or the profile's system vendors
 * when there is no registry, as "ID (name)" lines for messages. */
static char *vendor_list(const struct az_vendors *vs, const struct az_profile *p)
{
    struct az_buf b;

    az_buf_init(&b, 64 * 1024);
    for (size_t i = 0; vs && i < vs->n; i++)
        az_buf_printf(&b, "%s%s (%s)", i ? "、" : "", vs->v[i].id, vs->v[i].name);
    for (size_t i = 0; !vs && p && i < p->nsystems; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = p->systems[j].vendor && p->systems[i].vendor &&
                   !strcmp(p->systems[j].vendor, p->systems[i].vendor);
        if (p->systems[i].vendor && !seen)
            az_buf_printf(&b, "%s%s", b.len ? "、" : "", p->systems[i].vendor);
    }
    if (!b.len)
        az_buf_puts(&b, "-");
    return b.data;
}

/* Find the vendor NAME names in the registry (ID, name, or a part of one
 * name), or among the profile's system vendors; the display name, or NULL
 * after printing the error with the vendors that can be given. */
static char *resolve_vendor(struct cli *c, const char *name, const char *profile,
                            const char *vendors)
{
    struct az_profile *p = NULL;
    struct az_vendors *vs = NULL;
    char *data = NULL, *res = NULL, *list;
    const char *hit = NULL;
    size_t len, nhit = 0;

    if (access(profile, F_OK) == 0 && az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return NULL;
    }
    if (access(vendors, F_OK) == 0 && (az_read_text_file(&c->ctx, vendors, &data, &len) < 0 ||
                                       az_vendors_load(&c->ctx, vendors, data, len, p, &vs) < 0)) {
        cli_liberr(c);
        goto out;
    }
    for (size_t i = 0; vs && i < vs->n && !hit; i++)
        if (!strcmp(vs->v[i].id, name) || !strcmp(vs->v[i].name, name))
            hit = vs->v[i].name, nhit = 1;
    for (size_t i = 0; vs && i < vs->n && !hit; i++)
        if (*name && strstr(vs->v[i].name, name) && nhit++ == 0)
            res = (char *)vs->v[i].name;
    if (!hit && nhit == 1)
        hit = res;
    res = NULL;
    if (!vs)
        for (size_t i = 0; p && i < p->nsystems && !hit; i++)
            if (p->systems[i].vendor && *name && strstr(p->systems[i].vendor, name))
                hit = p->systems[i].vendor;
    if (hit) {
        res = strdup(hit);
        goto out;
    }
    list = vendor_list(vs, p);
    if (!vs && !strcmp(list, "-"))
        cli_err(c,
                "事業者「%s」は登録されていません。先に anzen vendor add ID --name 名前 --systems "
                "システムID で登録してください",
                "vendor \"%s\" is not registered; register it first with anzen vendor add ID "
                "--name NAME --systems SYSTEM",
                name);
    else
        cli_err(c, "事業者「%s」は %s にありません (%s: %s)", "vendor \"%s\" is not in %s (%s: %s)",
                name, vs ? vendors : L(c, "プロファイルの事業者", "the profile's vendors"),
                nhit > 1 ? L(c, "複数に当てはまります。ID で指定してください",
                             "several match; give the ID")
                         : L(c, "指定できる事業者", "registered vendors"),
                list ? list : "");
    free(list);
out:
    az_vendors_free(vs);
    az_profile_free(p);
    free(data);
    return res;
}

/* Ask which track to change on a terminal: AZ_TRACK_*, -1 for both, -2
 * when the answer never came. */
static int ask_track(struct cli *c, const char *label)
{
    char buf[64];

    for (;;) {
        printf(L(c, "%s のどちらの対策を変えますか (1 暫定対策 / 2 本対策 / 3 両方) > ",
                 "Which track of %s (1 interim / 2 permanent / 3 both) > "),
               label);
        fflush(stdout);
        if (!cli_readline(c, buf, sizeof(buf)))
            return -2;
        if (!strcmp(buf, "1") || !strcmp(buf, "interim") || !strcmp(buf, "暫定対策"))
            return AZ_TRACK_INTERIM;
        if (!strcmp(buf, "2") || !strcmp(buf, "permanent") || !strcmp(buf, "本対策"))
            return AZ_TRACK_PERMANENT;
        if (!strcmp(buf, "3") || !strcmp(buf, "both") || !strcmp(buf, "両方"))
            return -1;
    }
}

static const char *track_name(struct cli *c, int track)
{
    return track == AZ_TRACK_INTERIM     ? L(c, "暫定対策", "interim mitigation")
           : track == AZ_TRACK_PERMANENT ? L(c, "本対策", "permanent fix")
                                         : L(c, "暫定対策と本対策", "interim and permanent tracks");
}

struct set_args {
    const char *db, *profile, *vendors, *item;
    int track; /* AZ_TRACK_*, -1 both, -3 not given */
    int status;
    const char *owner, *due;
    bool allow_past;
    long prio;
    const char *reason, *who;
};

/* Read the item back: success is only reported for what the store holds. */
static bool stored(struct cli *c, struct az_workspace *ws, const char *item,
                   const struct az_plan_patch *patch)
{
    struct az_plan_state *v = NULL;
    size_t n = 0;
    bool ok = false;

    if (az_ws_plan_states(ws, &c->ctx, &v, &n) < 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].item, item))
            continue;
        ok = true;
        for (int t = 0; t < 2; t++) {
            const struct az_plan_track_state *ts = &v[i].track[t];
            if (patch->track >= 0 && patch->track != t)
                continue;
            if (patch->status >= 0 && ts->status != patch->status)
                ok = false;
            if (patch->owner_role &&
                (ts->owner_role != patch->owner_role ||
                 strcmp(ts->owner ? ts->owner : "", patch->owner ? patch->owner : "")))
                ok = false;
            if (patch->has_due && (!ts->has_due || az_date_cmp(ts->due, patch->due)))
                ok = false;
        }
    }
    az_plan_states_free(v, n);
    return ok;
}

static int do_set(struct cli *c, const struct set_args *sa)
{
    const struct az_edition *ed;
    const struct az_item *it;
    struct az_ws_files f = {.db = sa->db};
    struct az_workspace *ws;
    struct az_plan_patch patch = {
        .track = -1, .status = sa->status, .priority = (int)sa->prio, .reason = sa->reason};
    char *role = NULL, *vname = NULL, d[16];
    bool per_track = sa->status >= 0 || sa->owner || sa->due;
    int r, track = sa->track;

    if ((r = cli_catalog(c)))
        return r;
    ed = az_catalog_default_checklist(c->cat);
    it = az_catalog_item(c->cat, sa->item);
    if (!it && ed)
        for (size_t k = 0; k < ed->nforms && !it; k++)
            if (!ed->forms[k].vendor)
                it = az_edition_item_by_label(ed, &ed->forms[k], sa->item);
    if (!it || !it->edition->checklist) {
        /* the labels of the institution forms when they are few enough to read */
        struct az_buf b;
        az_buf_init(&b, 64 * 1024);
        for (size_t k = 0; ed && k < ed->nitems && ed->nitems <= 80; k++) {
            const struct az_item *x = ed->items[k];
            if (!x->form || x->form->vendor || x->gate || !x->label)
                continue;
            if (strstr(b.data ? b.data : "", x->label))
                continue; /* the same label in another form */
            az_buf_printf(&b, "%s%s", b.len ? " " : "", x->label);
        }
        cli_err(c,
                "チェックリストの項目 \"%s\" はありません (表示番号 2-⑥ か ID で指定。一覧: anzen "
                "plan、anzen catalog show --all)",
                "no checklist item \"%s\" (give a label such as 2-⑥ or an ID; see anzen plan or "
                "anzen catalog show --all)",
                sa->item);
        if (b.len)
            fprintf(stderr, L(c, "  項目: %s\n", "  items: %s\n"), b.data);
        az_buf_done(&b);
        return EXIT_ERROR;
    }
    if (per_track && track == -3) {
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
            if ((track = ask_track(c, it->label)) == -2) {
                cli_err(c, "入力が途中で終わりました", "input ended early");
                return EXIT_ERROR;
            }
        } else {
            cli_err(
                c,
                "%s には暫定対策と本対策があります。どちらを変えるか --track で指定してください "
                "(--track interim = 暫定対策 / --track permanent = 本対策 / --track both = 両方)",
                "%s has an interim and a permanent track: say which with --track "
                "(--track interim / --track permanent / --track both)",
                it->label);
            return EXIT_USAGE;
        }
    }
    patch.track = track < 0 ? -1 : track;
    if (sa->owner) {
        const char *colon = strchr(sa->owner, ':');
        role = strndup(sa->owner, colon ? (size_t)(colon - sa->owner) : strlen(sa->owner));
        patch.owner_role = role ? az_plan_owner_parse(role) : 0;
        patch.owner = colon ? colon + 1 : "";
        free(role);
        if (patch.owner_role == AZ_ROLE_VENDOR) {
            if (!*patch.owner) {
                cli_err(c, "事業者を担当にするときは名前か ID を書いてください (--owner 事業者:ID)",
                        "a vendor owner needs its name or ID (--owner vendor:ID)");
                return EXIT_USAGE;
            }
            if (!(vname = resolve_vendor(c, patch.owner, sa->profile, sa->vendors)))
                return EXIT_USAGE;
            patch.owner = vname;
        }
    }
    if (sa->due) {
        az_date_parse(sa->due, false, &patch.due);
        patch.has_due = true;
        if (!sa->allow_past && az_date_cmp(patch.due, c->as_of) < 0) {
            char t[16];
            az_date_iso(patch.due, d, sizeof(d));
            az_date_iso(c->as_of, t, sizeof(t));
            cli_err(c,
                    "期限 %s は今日 (%s) より前です。過去の日付にするときは --allow-past "
                    "を付けてください (受け付ける形式: %s)",
                    "due date %s is before today (%s); add --allow-past to set a past date "
                    "(accepted forms: %s)",
                    d, t, cli_date_forms(c));
            free(vname);
            return EXIT_USAGE;
        }
    }
    if ((r = cli_ws(c, &f, &ws))) {
        free(vname);
        return r;
    }
    if (az_ws_plan_set(ws, &c->ctx, it->id, &patch, sa->who) < 0) {
        cli_liberr(c);
        az_ws_close(ws);
        free(vname);
        return EXIT_ERROR;
    }
    if (!stored(c, ws, it->id, &patch)) {
        cli_err(c, "%s の変更を保存できませんでした (読み戻した内容が違います)",
                "the change to %s was not stored (reading it back differs)", it->label);
        az_ws_close(ws);
        free(vname);
        return EXIT_ERROR;
    }
    az_ws_close(ws);
    if (per_track)
        printf(L(c, "%s (%s) の%sを更新しました", "updated the %3$s of %1$s (%2$s)"), it->label,
               it->id, track_name(c, patch.track));
    else
        printf(L(c, "%s (%s) の計画を更新しました", "updated the plan of %s (%s)"), it->label,
               it->id);
    if (sa->status >= 0)
        printf(L(c, "。状態 %s", "; status %s"),
               az_plan_status_name((enum az_plan_status)sa->status, c->lang));
    if (patch.owner_role)
        printf(L(c, "。担当 %s%s%s", "; owner %s%s%s"),
               az_role_name((enum az_role)patch.owner_role, c->lang), *patch.owner ? " " : "",
               patch.owner);
    if (patch.has_due) {
        az_date_iso(patch.due, d, sizeof(d));
        printf(L(c, "。期限 %s", "; due %s"), d);
    }
    if (sa->prio >= 0)
        printf(L(c, "。優先度 %ld", "; priority %ld"), sa->prio);
    printf("\n");
    free(vname);
    cli_next(c, "anzen plan (計画全体を確かめる)", "anzen plan (review the whole plan)");
    return 0;
}

int cmd_plan(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"answers", required_argument, NULL, 'a'},
                                         {"workspace", required_argument, NULL, 'w'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"status", required_argument, NULL, 's'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"track", required_argument, NULL, 't'},
                                         {"owner", required_argument, NULL, 'O'},
                                         {"due", required_argument, NULL, 'd'},
                                         {"priority", required_argument, NULL, 'P'},
                                         {"reason", required_argument, NULL, 'R'},
                                         {"who", required_argument, NULL, 'W'},
                                         {"ledger", required_argument, NULL, 'L'},
                                         {"scan", required_argument, NULL, 'S'},
                                         {"vendors", required_argument, NULL, 'V'},
                                         {"allow-past", no_argument, NULL, 'A'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *answers = "answers.yaml", *db = "anzen.db";
    const char *format = "text", *owner = NULL, *due = NULL, *reason = NULL;
    const char *ledger = "ledger.csv", *scan = "scan.json", *vendors = "vendors.yaml";
    const char *who = getenv("USER");
    unsigned role = 0;
    int status = -1, track = -3, o;
    bool allow_past = false;
    long prio = -1;
    struct az_date tmp;
    bool set = argc > 1 && !strcmp(argv[1], "set");

    if (!who || !*who)
        who = "anzen";
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc - set, argv + set, "p:a:w:r:s:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            if (cli_given_file(c, "-a", optarg))
                return EXIT_ERROR;
            break;
        case 'w':
            db = optarg;
            if (cli_given_file(c, "-w", optarg))
                return EXIT_ERROR;
            break;
        case 'r':
            if (!(role = az_plan_owner_parse(optarg))) {
                cli_err(c,
                        "役割 \"%s\" は不明です (management = 経営層 / planning = 企画管理者 / "
                        "operations = システム運用担当者 / vendor = 事業者)",
                        "unknown role \"%s\" (management / planning / operations / vendor)",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 's':
            if ((status = az_plan_status_parse(optarg)) < 0) {
                cli_err(c,
                        "状態 \"%s\" は不明です (open = 未着手 / in-progress = 対応中 / done = "
                        "完了 / verified = 確認済み)",
                        "unknown status \"%s\" (open / in-progress / done / verified)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 't':
            if (!strcmp(optarg, "interim") || !strcmp(optarg, "暫定対策"))
                track = AZ_TRACK_INTERIM;
            else if (!strcmp(optarg, "permanent") || !strcmp(optarg, "本対策"))
                track = AZ_TRACK_PERMANENT;
            else if (!strcmp(optarg, "both") || !strcmp(optarg, "両方"))
                track = -1;
            else {
                cli_err(c,
                        "--track \"%s\" は不明です (interim = 暫定対策 / permanent = 本対策 / "
                        "both = 両方)",
                        "unknown --track \"%s\" (interim / permanent / both)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'O': {
            char rl[64];
            const char *colon = strchr(optarg, ':');
            snprintf(rl, sizeof(rl), "%.*s", colon ? (int)(colon - optarg) : (int)strlen(optarg),
                     optarg);
            if (!az_plan_owner_parse(rl)) {
                cli_err(c,
                        "--owner の役割 \"%s\" は不明です (management = 経営層 / planning = "
                        "企画管理者 / operations = システム運用担当者 / vendor = 事業者。"
                        "例: --owner planning:山田、--owner 事業者:midori)",
                        "unknown role \"%s\" in --owner (management / planning / operations / "
                        "vendor; e.g. --owner planning:Yamada, --owner vendor:midori)",
                        rl);
                return EXIT_USAGE;
            }
            owner = optarg;
            break;
        }
        case 'd':
            if (az_date_parse(optarg, false, &tmp) < 0) {
                cli_err(c, "--due の日付 \"%s\" が読めません (受け付ける形式: %s)",
                        "cannot read the --due date \"%s\" (accepted forms: %s)", optarg,
                        cli_date_forms(c));
                return EXIT_USAGE;
            }
            due = optarg;
            break;
        case 'P':
            if (az_parse_long(optarg, 0, 10000, &prio) < 0) {
                cli_err(c, "--priority は 0 以上の整数です (0 で解除)",
                        "--priority takes a number (0 clears it)");
                return EXIT_USAGE;
            }
            break;
        case 'R':
            reason = optarg;
            break;
        case 'W':
            who = optarg;
            break;
        case 'L':
            ledger = optarg;
            break;
        case 'S':
            scan = optarg;
            break;
        case 'V':
            vendors = optarg;
            break;
        case 'A':
            allow_past = true;
            break;
        default:
            return cli_opt_help(c, o, help);
        }
    }
    if (!set) {
        if (optind < argc) {
            help(c, stderr);
            return EXIT_USAGE;
        }
        return do_list(c, profile, answers, db, role, status, format, ledger, scan);
    }
    if (optind + 1 != argc - set) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    if (prio > 0 && (!reason || !*reason)) {
        cli_err(c, "優先度を変えるときは --reason で理由を書いてください",
                "changing the priority needs a --reason");
        return EXIT_USAGE;
    }
    if (status < 0 && !owner && !due && prio < 0) {
        cli_err(c, "変更する内容がありません (--status / --owner / --due / --priority)",
                "nothing to change (--status / --owner / --due / --priority)");
        return EXIT_USAGE;
    }
    {
        struct set_args sa = {.db = db,
                              .profile = profile,
                              .vendors = vendors,
                              .item = argv[set + optind],
                              .track = track,
                              .status = status,
                              .owner = owner,
                              .due = due,
                              .allow_past = allow_past,
                              .prio = prio,
                              .reason = reason,
                              .who = who};
        return do_set(c, &sa);
    }
}

int cmd_keypoints(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *format = "text";
    struct az_profile *p;
    json_t *kp, *t, *f;
    size_t i, k;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'h':
            printf("%s",
                   L(c,
                     "使い方: anzen keypoints [-p profile.yaml] [--format text|json]\n\n"
                     "ガイドラインの重点事項をプロファイルから点検する: システムごとの二要素認証\n"
                     "(令和9年度)、連絡体制と BCP の 12 か月以内の見直し、オフライン/変更できない\n"
                     "バックアップと 12 か月以内の復元訓練、事業者との役割分担、システム間連携の\n"
                     "暗号化と認証、電子署名の証明書の有効期限。\n"
                     "終了コード: 0 問題なし, 2 対応が必要な点あり, 1 エラー\n",
                     "usage: anzen keypoints [-p profile.yaml] [--format text|json]\n\n"
                     "Checks the guideline's key points from the profile: two-factor "
                     "authentication per\nsystem (FY2027), contact chart and BCP reviewed within "
                     "12 months, offline/immutable\nbackup with a restore drill within 12 months, "
                     "vendor role split, encryption and\nauthentication of connections between "
                     "systems, signing certificate expiry.\nExit codes: 0 nothing to do, 2 gaps, 1 "
                     "error\n"));
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    {
        /* the workspace's records win over the profile's readiness values */
        struct az_ws_files wf = {.profile = profile};
        struct az_workspace *ws = NULL;
        struct az_records recs = {0};
        if ((r = cli_ws(c, &wf, &ws))) {
            az_profile_free(p);
            return r;
        }
        if (az_ws_records(ws, &c->ctx, &recs) < 0) {
            cli_liberr(c);
            az_ws_close(ws);
            az_profile_free(p);
            return EXIT_ERROR;
        }
        az_ws_close(ws);
        kp = az_keypoints_rec(p, &recs, c->as_of);
        az_records_free(&recs);
    }
    if (!kp) {
        az_profile_free(p);
        return EXIT_ERROR;
    }
    if (!strcmp(format, "json")) {
        r = out_json(c, NULL, json_incref(kp));
    } else {
        printf("%s — %s\n", L(c, "重点事項", "Key points"), p->name);
        json_array_foreach(json_object_get(kp, "tracks"), i, t)
        {
            const char *lv = json_string_value(json_object_get(t, "level"));
            printf("\n[%s] %s\n",
                   !strcmp(lv, "ok")           ? L(c, "良好", "ok")
                   : !strcmp(lv, "unrecorded") ? L(c, "未記録", "not recorded")
                   : !strcmp(lv, "attention")  ? L(c, "要確認", "attention")
                                               : L(c, "要対応", "gap"),
                   json_string_value(json_object_get(json_object_get(t, "title"),
                                                     c->lang == AZ_LANG_EN ? "en" : "ja")));
            json_array_foreach(json_object_get(t, "findings"), k, f)
            {
                const char *fl = json_string_value(json_object_get(f, "level"));
                printf("  %s %s\n",
                       !strcmp(fl, "ok")           ? "✓"
                       : !strcmp(fl, "gap")        ? "✗"
                       : !strcmp(fl, "unrecorded") ? "?"
                                                   : "!",
                       json_string_value(json_object_get(f, c->lang == AZ_LANG_EN ? "en" : "ja")));
            }
        }
        r = 0;
    }
    if (!r && (json_integer_value(json_object_get(kp, "gaps")) > 0 ||
               json_integer_value(json_object_get(kp, "unrecorded")) > 0))
        r = EXIT_GAPS;
    json_decref(kp);
    az_profile_free(p);
    return r;
}
