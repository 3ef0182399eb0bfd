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
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方:\n"
              "  anzen plan [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
              "             [--role 役割] [--status 状態] [--format text|json]\n"
              "      「いいえ」の項目ごとの対応計画 (暫定対策と本対策、担当、期限、状態) を\n"
              "      優先順に、その理由とともに表示する。優先順: 利用者が変更したもの →\n"
              "      期限超過 → ランサムウェア・リモート接続に関わるもの → 目標日順。\n"
              "      台帳 (ledger.csv、--ledger FILE) の点検で見つかった問題も加える\n"
              "      ネットワークの点検 (anzen scan -o scan.json、--scan FILE) の問題も加える\n"
              "  anzen plan set 項目 [--track interim|permanent] [--status 状態]\n"
              "             [--owner 役割[:名前]] [--due 日付] [--priority N --reason 理由]\n"
              "      計画を更新してワークスペースに記録する (変更履歴に残る)\n"
              "  状態: open (未着手) / in-progress (対応中) / done (完了) / verified (確認済み)\n"
              "  役割: management (経営層) / planning (企画管理者) / operations "
              "(システム運用担当者)\n",
              "usage:\n"
              "  anzen plan [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
              "             [--role ROLE] [--status STATUS] [--format text|json]\n"
              "      the plan for every item answered no (interim mitigation and permanent\n"
              "      fix, owner, due date, status), in priority order with the reason:\n"
              "      user overrides, then overdue, then ransomware/remote access, then by\n"
              "      target date; gaps found in ledger.csv (--ledger FILE) are added\n"
              "      and so are those of the network check (anzen scan -o scan.json, --scan FILE)\n"
              "  anzen plan set ITEM [--track interim|permanent] [--status STATUS]\n"
              "             [--owner ROLE[:NAME]] [--due DATE] [--priority N --reason TEXT]\n"
              "      update the plan in the workspace (recorded in the change log)\n"
              "  STATUS: open / in-progress / done / verified\n"
              "  ROLE: management / planning / operations\n"));
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
    }
    if (!shown)
        printf("\n%s\n", L(c, "該当する計画項目はありません。", "No plan items match."));
    if (plan->unanswered)
        printf("\n%s %d\n",
               L(c, "※ 未回答の項目 (先に回答してください):",
                 "Note: unanswered items (answer them first):"),
               plan->unanswered);
    r = 0;
out:
    az_plan_free(plan);
    az_plan_states_free(states, nstates);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}

static int do_set(struct cli *c, const char *db, const char *item_arg, int track, int status,
                  const char *owner, const char *due, long prio, const char *reason,
                  const char *who)
{
    const struct az_edition *ed;
    const struct az_item *it;
    struct az_ws_files f = {.db = db};
    struct az_workspace *ws;
    struct az_plan_patch patch = {
        .track = track, .status = status, .priority = (int)prio, .reason = reason};
    char *role = NULL;
    int r;

    if ((r = cli_catalog(c)))
        return r;
    ed = az_catalog_default_checklist(c->cat);
    it = az_catalog_item(c->cat, item_arg);
    if (!it && ed)
        for (size_t k = 0; k < ed->nforms && !it; k++)
            if (!ed->forms[k].vendor)
                it = az_edition_item_by_label(ed, &ed->forms[k], item_arg);
    if (!it || !it->edition->checklist) {
        cli_err(c, "チェックリストの項目 \"%s\" はありません", "no checklist item \"%s\"",
                item_arg);
        return EXIT_ERROR;
    }
    if (owner) {
        const char *colon = strchr(owner, ':');
        role = strndup(owner, colon ? (size_t)(colon - owner) : strlen(owner));
        patch.owner_role = role ? az_role_parse(role) : 0;
        patch.owner = colon ? colon + 1 : "";
        free(role);
    }
    if (due) {
        az_date_parse(due, false, &patch.due);
        patch.has_due = true;
    }
    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if (az_ws_plan_set(ws, &c->ctx, it->id, &patch, who) < 0) {
        cli_liberr(c);
        az_ws_close(ws);
        return EXIT_ERROR;
    }
    az_ws_close(ws);
    printf(L(c, "%s (%s) の計画を更新しました\n", "updated the plan of %s (%s)\n"), it->label,
           it->id);
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
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *answers = "answers.yaml", *db = "anzen.db";
    const char *format = "text", *owner = NULL, *due = NULL, *reason = NULL;
    const char *ledger = "ledger.csv", *scan = "scan.json";
    const char *who = getenv("USER");
    unsigned role = 0;
    int status = -1, track = -1, o;
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
            break;
        case 'w':
            db = optarg;
            break;
        case 'r':
            if (!(role = az_role_parse(optarg))) {
                cli_err(c, "役割 \"%s\" は不明です", "unknown role \"%s\"", optarg);
                return EXIT_USAGE;
            }
            break;
        case 's':
            if ((status = az_plan_status_parse(optarg)) < 0) {
                cli_err(c, "状態 \"%s\" は不明です (open / in-progress / done / verified)",
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
            else {
                cli_err(c, "--track は interim か permanent です",
                        "--track takes interim or permanent");
                return EXIT_USAGE;
            }
            break;
        case 'O': {
            char rl[64];
            const char *colon = strchr(optarg, ':');
            snprintf(rl, sizeof(rl), "%.*s", colon ? (int)(colon - optarg) : (int)strlen(optarg),
                     optarg);
            if (!az_role_parse(rl)) {
                cli_err(c, "--owner の役割 \"%s\" は不明です", "unknown role \"%s\" in --owner",
                        rl);
                return EXIT_USAGE;
            }
            owner = optarg;
            break;
        }
        case 'd':
            if (az_date_parse(optarg, false, &tmp) < 0) {
                cli_err(c, "--due の日付 \"%s\" が不正です", "invalid --due date \"%s\"", optarg);
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
        case 'h':
            help(c, stdout);
            return 0;
        default:
            help(c, stderr);
            return EXIT_USAGE;
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
    return do_set(c, db, argv[set + optind], track, status, owner, due, prio, reason, who);
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
    kp = az_keypoints(p, c->as_of);
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
                   !strcmp(lv, "ok")          ? L(c, "良好", "ok")
                   : !strcmp(lv, "attention") ? L(c, "要確認", "attention")
                                              : L(c, "要対応", "gap"),
                   json_string_value(json_object_get(json_object_get(t, "title"),
                                                     c->lang == AZ_LANG_EN ? "en" : "ja")));
            json_array_foreach(json_object_get(t, "findings"), k, f)
            {
                const char *fl = json_string_value(json_object_get(f, "level"));
                printf("  %s %s\n",
                       !strcmp(fl, "ok")    ? "✓"
                       : !strcmp(fl, "gap") ? "✗"
                                            : "!",
                       json_string_value(json_object_get(f, c->lang == AZ_LANG_EN ? "en" : "ja")));
            }
        }
        r = 0;
    }
    if (!r && json_integer_value(json_object_get(kp, "gaps")) > 0)
        r = EXIT_GAPS;
    json_decref(kp);
    az_profile_free(p);
    return r;
}
