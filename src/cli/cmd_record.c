/* SPDX-License-Identifier: MIT */
/*
 * cmd_record.c - anzen record: record the recurring duties of the year
 * (records.h) and list them.
 *
 *   anzen record KIND [--date D] [--by WHO] [--note TEXT] [--file EVIDENCE]
 *                     [--result ok|failed] [--restore-time T] [-p profile.yaml]
 *   anzen record list [--kind KIND] [--format text|json]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/records.h"
#include "anzen/workspace.h"
#include "cli.h"

#define DATE_FORMS_JA "2026-05-01、2026/5/1、2026年5月1日、令和8年5月1日、R8.5.1"
#define DATE_FORMS_EN "2026-05-01, 2026/5/1, 2026年5月1日, 令和8年5月1日, R8.5.1"

static void help(struct cli *c)
{
    printf("%s",
           L(c,
             "使い方:\n"
             "  anzen record 種類 [--date 日付] [--by 実施した人] [--note 備考]\n"
             "               [--file 証跡のファイル] [--result 成功|失敗]\n"
             "               [--restore-time 時間] [-p profile.yaml]\n"
             "  anzen record list [--kind 種類] [--format text|json]\n\n"
             "一年を通して繰り返す対策を記録します。記録はワークスペース (anzen.db) に残り、\n"
             "重点事項 (anzen keypoints)、予定 (anzen calendar)、anzen status の「30 日以内」\n"
             "に使われ、関係する項目の証跡にもなります。\n\n"
             "種類:\n"
             "  bcp       サイバー攻撃を想定した BCP を作った・改訂した\n"
             "  backup    オフライン (変更できない) バックアップを取って確かめた (--result)\n"
             "  drill     バックアップから復元する訓練をした (--result、--restore-time)\n"
             "  contacts  インシデント時の連絡体制図を作った・改訂した\n"
             "  training  職員の研修をした (年度ごとに必要)\n"
             "  review    BCP と連絡体制図を見直した (12 か月ごとに必要)\n\n"
             "  --date D          実施日 (省略時は今日)。" DATE_FORMS_JA " のどれでも可\n"
             "  --by WHO          実施した人\n"
             "  --note TEXT       備考\n"
             "  --file FILE       証跡 (議事録、訓練の記録など)。SHA-256 を計算して\n"
             "                    evidence/ に写します\n"
             "  --result R        成功 / 失敗 (ok / failed)\n"
             "  --restore-time T  復元にかかった時間: 90、90分、1時間30分、1h30m\n",
             "usage:\n"
             "  anzen record KIND [--date DATE] [--by WHO] [--note TEXT]\n"
             "               [--file EVIDENCE] [--result ok|failed]\n"
             "               [--restore-time TIME] [-p profile.yaml]\n"
             "  anzen record list [--kind KIND] [--format text|json]\n\n"
             "Records the duties that recur through the year. Records are kept in the\n"
             "workspace (anzen.db), used by anzen keypoints, anzen calendar and the \"next 30\n"
             "days\" of anzen status, and attached as evidence to the related items.\n\n"
             "Kinds:\n"
             "  bcp       the cyber-attack BCP was made or revised\n"
             "  backup    an offline (immutable) backup was taken and checked (--result)\n"
             "  drill     a restore from backup was rehearsed (--result, --restore-time)\n"
             "  contacts  the incident contact chart was made or revised\n"
             "  training  staff training was held (needed each fiscal year)\n"
             "  review    the BCP and contact chart were reviewed (every 12 months)\n\n"
             "  --date D          when (default today): " DATE_FORMS_EN "\n"
             "  --by WHO          who did it\n"
             "  --note TEXT       a note\n"
             "  --file FILE       evidence (minutes, drill report); hashed with SHA-256 and\n"
             "                    copied to evidence/\n"
             "  --result R        ok / failed (成功 / 失敗)\n"
             "  --restore-time T  how long the restore took: 90, 90m, 1h30m, 1時間30分\n"));
}

static void bad_kind(struct cli *c, const char *k)
{
    cli_err(c, "記録の種類 \"%s\" は使えません。使えるもの: %s (一覧は list)",
            "unknown record kind \"%s\"; accepted: %s (or list)", k, AZ_REC_KINDS);
}

static int do_list(struct cli *c, struct az_workspace *ws, int kind, const char *format)
{
    struct az_records recs;
    json_t *arr;

    if (az_ws_records(ws, &c->ctx, &recs) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (!strcmp(format, "json")) {
        arr = json_array();
        for (size_t i = 0; i < recs.n; i++)
            if (kind < 0 || (int)recs.v[i].kind == kind)
                json_array_append_new(arr, az_record_json(&recs.v[i], c->lang));
        az_records_free(&recs);
        return out_json(c, NULL,
                        json_pack("{s:s, s:o}", "schema", "anzen-records/1", "records", arr));
    }
    {
        size_t shown = 0;
        for (size_t i = 0; i < recs.n; i++) {
            const struct az_record *x = &recs.v[i];
            char *t;
            if (kind >= 0 && (int)x->kind != kind)
                continue;
            t = az_record_text(x, c->lang);
            printf("#%lld %s\n", x->id, t ? t : "");
            free(t);
            if (x->file)
                printf("    %s: %s (SHA-256 %s)\n", L(c, "証跡", "evidence"), x->file,
                       x->sha256 ? x->sha256 : "?");
            printf("    %s: %s %s\n", L(c, "記録", "recorded"), x->recorded_at, x->recorded_by);
            shown++;
        }
        if (!shown)
            printf("%s\n", L(c, "記録はまだありません (anzen record --help)",
                             "nothing recorded yet (anzen record --help)"));
    }
    az_records_free(&recs);
    return 0;
}

int cmd_record(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"date", required_argument, NULL, 'd'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"note", required_argument, NULL, 'n'},
                                         {"file", required_argument, NULL, 'F'},
                                         {"result", required_argument, NULL, 'r'},
                                         {"restore-time", required_argument, NULL, 't'},
                                         {"kind", required_argument, NULL, 'k'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"profile", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct az_record rec = {.minutes = -1, .date = c->as_of};
    const char *verb, *file = NULL, *format = "text", *profile = NULL;
    struct az_ws_files wf = {0};
    struct az_workspace *ws = NULL;
    bool list, dup = false;
    int kind = -1, lkind = -1, o, r;
    long long id = 0;

    if (argc < 2) {
        help(c);
        return EXIT_USAGE;
    }
    verb = argv[1];
    if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
        help(c);
        return 0;
    }
    list = !strcmp(verb, "list");
    if (!list && (kind = az_rec_kind_parse(verb)) < 0) {
        bad_kind(c, verb);
        return EXIT_USAGE;
    }
    rec.kind = (enum az_rec_kind)(kind < 0 ? 0 : kind);
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc - 1, argv + 1, "p:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            if (az_date_parse(optarg, false, &rec.date) < 0) {
                cli_err(c, "--date \"%s\" は日付として読めません。使える書き方: " DATE_FORMS_JA,
                        "--date \"%s\" is not a date; accepted forms: " DATE_FORMS_EN, optarg);
                return EXIT_USAGE;
            }
            break;
        case 'b':
            rec.by = optarg;
            break;
        case 'n':
            rec.note = optarg;
            break;
        case 'F':
            file = optarg;
            break;
        case 'r': {
            int v = az_rec_result_parse(optarg);
            if (v <= 0) {
                cli_err(c, "--result \"%s\" は使えません。使えるもの: 成功, 失敗, ok, failed",
                        "--result \"%s\" is not accepted; use ok, failed, 成功 or 失敗", optarg);
                return EXIT_USAGE;
            }
            rec.result = (enum az_rec_result)v;
            break;
        }
        case 't':
            if ((rec.minutes = az_rec_minutes_parse(optarg)) < 0) {
                cli_err(c,
                        "--restore-time \"%s\" は時間として読めません。使える書き方: 90、90分、"
                        "1時間30分、1h30m",
                        "--restore-time \"%s\" is not a duration; accepted: 90, 90m, 1h30m, "
                        "1時間30分",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'k':
            if ((lkind = az_rec_kind_parse(optarg)) < 0) {
                bad_kind(c, optarg);
                return EXIT_USAGE;
            }
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'h':
            help(c);
            return 0;
        default:
            cli_err(c,
                    "不明なオプションまたは引数の不足: %s (使えるもの: --date --by --note --file "
                    "--result --restore-time --kind --format)",
                    "unknown option or missing argument: %s (accepted: --date --by --note --file "
                    "--result --restore-time --kind --format)",
                    argv[optind] ? argv[optind] : "");
            return EXIT_USAGE;
        }
    }
    if (optind + 1 < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (!list && (rec.result || rec.minutes >= 0) && kind != AZ_REC_DRILL &&
        kind != AZ_REC_BACKUP) {
        cli_err(c, "--result と --restore-time は backup と drill だけに使えます",
                "--result and --restore-time apply to backup and drill only");
        return EXIT_USAGE;
    }
    wf.profile = profile;
    if ((r = cli_ws(c, &wf, &ws)))
        return r;
    if (list) {
        r = do_list(c, ws, lkind, format);
        az_ws_close(ws);
        return r;
    }
    if (az_ws_record_add_ex(ws, &c->ctx, &rec, file, cli_who(), &id, &dup) < 0) {
        cli_liberr(c);
        az_ws_close(ws);
        return EXIT_ERROR;
    }
    {
        char *t = az_record_text(&rec, c->lang);
        if (dup)
            printf(L(c, "同じ記録が既にあります (#%lld: %s)。追加しませんでした\n",
                     "an identical record is already there (#%lld: %s); not added again\n"),
                   id, t ? t : "");
        else
            printf(L(c, "記録 #%lld: %s\n", "record #%lld: %s\n"), id, t ? t : "");
        free(t);
    }
    az_ws_close(ws);
    return 0;
}
