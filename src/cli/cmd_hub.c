/* SPDX-License-Identifier: MIT */
/*
 * cmd_hub.c - `anzen hub`: the aggregation hub of a hospital group, a
 * medical association or a prefecture, on PostgreSQL (docs/hub.md):
 * keygen | init | enrol | ingest | report | query | serve | user.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "anzen/csv.h"
#include "anzen/hint.h"
#include "anzen/hub.h"
#include "../hubweb/hubweb.h"
#include "cli.h"
#include "cmd_hub.h"

static void hub_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen hub <サブコマンド> [--db 接続先] ...\n\n"
          "病院グループ・医師会・都道府県が、各機関の束を PostgreSQL に集めて集計します。\n"
          "接続先は postgres://... か conninfo (host=/tmp dbname=hub)。--db がなければ\n"
          "環境変数 ANZEN_HUB_DB を使います。\n\n"
          "  keygen -o DIR                        封を開ける鍵 (DIR/hub.key, hub.pub) を作る\n"
          "  init                                 表を作る・新しい版へ移行する\n"
          "  enrol --id ID --name 名称 --type 種別 --prefecture 都道府県 --key 公開鍵\n"
          "        [--beds 病床規模] [--group グループ] [--hq 本部ID]\n"
          "        種別: " TYPES_JA "\n"
          "        病床規模: " BANDS_JA "\n"
          "  enrol --csv FILE                     一括登録 (列: 機関ID,名称,種別,都道府県,\n"
          "                                       病床規模,グループ,本部ID,公開鍵。見出しは\n"
          "                                       日本語か英語 id,name,type,prefecture,beds,\n"
          "                                       group,hq,key。公開鍵は anzen-sign.pub の\n"
          "                                       中身・base64・ファイルの場所)\n"
          "  ingest [--hub-key hub.key] FILE|DIR...  束を検証して取り込む\n"
          "  report [--prefecture P] [--group G] [--fiscal-year Y] [--format html|xlsx|json]\n"
          "         -o FILE                       集計の報告書\n"
          "  query NAME [--prefecture P] [--group G] [--fiscal-year Y]   集計 1 つを JSON で\n"
          "  serve --state DIR [--listen ADDR] [--port N]   画面と束の受け口 (HTTPS)\n"
          "  user <操作> --state DIR ...          画面の利用者と見える範囲 (hub user --help)\n\n"
          "ingest の終了コード: 0 すべて取り込み, 2 拒否した束あり, 1 エラー\n",
          "usage: anzen hub <subcommand> [--db CONNINFO] ...\n\n"
          "Collect the bundles of institutions in PostgreSQL and aggregate them, for a\n"
          "hospital group, a medical association or a prefecture. The database is a\n"
          "postgres:// URI or a conninfo (host=/tmp dbname=hub); without --db, ANZEN_HUB_DB.\n\n"
          "  keygen -o DIR                        make the sealing keys DIR/hub.key, hub.pub\n"
          "  init                                 create or migrate the tables\n"
          "  enrol --id ID --name NAME --type TYPE --prefecture P --key PUBKEY\n"
          "        [--beds BAND] [--group GROUP] [--hq HQ-ID]\n"
          "        TYPE: " TYPES_EN "\n"
          "        BAND: " BANDS_EN "\n"
          "  enrol --csv FILE                     many at once (columns id,name,type,\n"
          "                                       prefecture,beds,group,hq,key, headings in\n"
          "                                       English or Japanese; key: the text of\n"
          "                                       anzen-sign.pub, its base64, or its path)\n"
          "  ingest [--hub-key hub.key] FILE|DIR...  verify and ingest bundles\n"
          "  report [--prefecture P] [--group G] [--fiscal-year Y] [--format html|xlsx|json]\n"
          "         -o FILE                       the aggregated report\n"
          "  query NAME [--prefecture P] [--group G] [--fiscal-year Y]   one query as JSON\n"
          "  serve --state DIR [--listen ADDR] [--port N]   web UI and bundle endpoint (HTTPS)\n"
          "  user <action> --state DIR ...        the UI's users and their scopes (hub user "
          "--help)\n\n"
          "ingest exits 0 when all were ingested, 2 when some were refused, 1 on error\n"));
}

/* Each subcommand's own usage (hub SUB --help). */
static const struct {
    const char *sub, *ja, *en;
} sub_helps[] = {
    {"keygen",
     "使い方: anzen hub keygen -o DIR\n\n"
     "封を開ける鍵 DIR/hub.key (0600) と、機関に配る公開鍵 DIR/hub.pub を作ります。\n"
     "すでにあれば上書きしません。DIR は先に作っておいてください。\n",
     "usage: anzen hub keygen -o DIR\n\n"
     "Make the sealing key DIR/hub.key (0600) and the public key DIR/hub.pub to hand to\n"
     "the institutions. Existing keys are not overwritten. DIR must exist.\n"},
    {"init",
     "使い方: anzen hub init [--db 接続先]\n\n"
     "ハブの表を作り、新しい版へ移行します (何度実行しても同じ)。\n",
     "usage: anzen hub init [--db CONNINFO]\n\n"
     "Create the hub's tables or migrate them (running it again changes nothing).\n"},
    {"enrol",
     "使い方: anzen hub enrol [--db 接続先] --id ID --name 名称 --type 種別 --prefecture 都道府県\n"
     "                        --key 公開鍵 [--beds 病床規模] [--group グループ] [--hq 本部ID]\n"
     "       anzen hub enrol [--db 接続先] --csv FILE\n\n"
     "  種別: " TYPES_JA "\n"
     "  病床規模: " BANDS_JA "\n"
     "  公開鍵: 機関の anzen-sign.pub (ファイルの場所、中身、base64)\n"
     "  ID: 英数字と . _ - の 1〜64 文字 (anzen submit --id と同じ。全角は半角に)\n"
     "  CSV の列: 機関ID,名称,種別,都道府県,病床規模,グループ,本部ID,公開鍵 (見出しは日本語か\n"
     "  英語 id,name,type,prefecture,beds,group,hq,key。医療機関コード、施設名、区分、\n"
     "  所在地、許可病床数、所属医師会なども可。見出しの上の表題の行、No. や備考など\n"
     "  ほかの列は読みません。見出しがなければこの順)\n"
     "表示される鍵の指紋が、機関から別の経路で伝えられたものと同じか確かめてください。\n"
     "登録済みの ID: 指定しない項目はそのまま。鍵を替えるには --replace-key が必要です。\n",
     "usage: anzen hub enrol [--db CONNINFO] --id ID --name NAME --type TYPE --prefecture P\n"
     "                        --key PUBKEY [--beds BAND] [--group GROUP] [--hq HQ-ID]\n"
     "       anzen hub enrol [--db CONNINFO] --csv FILE\n\n"
     "  TYPE: " TYPES_EN "\n"
     "  BAND: " BANDS_EN "\n"
     "  PUBKEY: the institution's anzen-sign.pub (its path, its text, or the base64)\n"
     "  ID: 1 to 64 of ASCII letters, digits, . _ - (as anzen submit --id; full-width folded)\n"
     "  CSV columns: id,name,type,prefecture,beds,group,hq,key (headings in English or\n"
     "  Japanese, also 医療機関コード, 施設名, 区分, 所在地, 許可病床数, 所属医師会...; a title\n"
     "  row above the headings and other columns (No., 備考) are not read; without\n"
     "  headings, in this order)\n"
     "Check that the key fingerprints shown match the ones the institutions gave you.\n"
     "An enrolled id keeps what is not given; a new key needs --replace-key.\n"},
    {"ingest",
     "使い方: anzen hub ingest [--db 接続先] [--hub-key hub.key] [--quiet] FILE|DIR...\n\n"
     "束を検証して取り込みます。終了コード: 0 すべて取り込み, 2 拒否した束あり, 1 エラー\n",
     "usage: anzen hub ingest [--db CONNINFO] [--hub-key hub.key] [--quiet] FILE|DIR...\n\n"
     "Verify and ingest bundles. Exits 0 when all were ingested, 2 when some were\n"
     "refused, 1 on error.\n"},
    {"report",
     "使い方: anzen hub report [--db 接続先] [--prefecture P] [--group G] [--fiscal-year Y]\n"
     "                         [--format html|xlsx|json] -o FILE\n\n"
     "範囲 (都道府県・グループ・年度) の集計の報告書を書き出します。\n",
     "usage: anzen hub report [--db CONNINFO] [--prefecture P] [--group G] [--fiscal-year Y]\n"
     "                         [--format html|xlsx|json] -o FILE\n\n"
     "Write the aggregated report of a scope (prefecture, group, fiscal year).\n"},
    {"query",
     "使い方: anzen hub query NAME [--db 接続先] [--prefecture P] [--group G] [--fiscal-year Y]\n\n"
     "集計 1 つを JSON で出します。NAME:\n",
     "usage: anzen hub query NAME [--db CONNINFO] [--prefecture P] [--group G] [--fiscal-year "
     "Y]\n\n"
     "Print one aggregate as JSON. NAME:\n"},
};

static void query_names(FILE *f)
{
    for (int i = 0; az_hub_queries[i]; i++)
        fprintf(f, "%s%s", i ? ", " : "  ", az_hub_queries[i]);
    fputs(", survey\n", f);
}

static void sub_help(struct cli *c, const char *sub, FILE *f)
{
    for (size_t i = 0; i < sizeof(sub_helps) / sizeof(sub_helps[0]); i++)
        if (!strcmp(sub, sub_helps[i].sub)) {
            fputs(L(c, sub_helps[i].ja, sub_helps[i].en), f);
            if (!strcmp(sub, "query"))
                query_names(f);
            return;
        }
    hub_help(c, f);
}

static const struct option hub_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"output", required_argument, NULL, 'o'},
    {"id", required_argument, NULL, 'i'},
    {"name", required_argument, NULL, 'n'},
    {"type", required_argument, NULL, 't'},
    {"prefecture", required_argument, NULL, 'P'},
    {"beds", required_argument, NULL, 'B'},
    {"group", required_argument, NULL, 'g'},
    {"hq", required_argument, NULL, 'H'},
    {"key", required_argument, NULL, 'k'},
    {"csv", required_argument, NULL, 'c'},
    {"hub-key", required_argument, NULL, 'K'},
    {"fiscal-year", required_argument, NULL, 'y'},
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"replace-key", no_argument, NULL, 'X'},
    {NULL, 0, NULL, 0},
};

static int open_hub(struct cli *c, const struct hub_args *a, struct az_hub **h)
{
    const char *db = a->db ? a->db : getenv("ANZEN_HUB_DB");

    if (!db) {
        cli_err(c, "データベースを --db で指定してください (または ANZEN_HUB_DB)",
                "give the database with --db (or ANZEN_HUB_DB)");
        return EXIT_USAGE;
    }
    if (az_hub_open(&c->ctx, db, h) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

static void note(void *arg, const char *name, enum az_hub_outcome o, const char *msg)
{
    struct cli *c = arg;
    (void)name;
    if (o == AZ_HUB_SKIPPED)
        fprintf(stderr, L(c, "anzen: 注意: %s\n", "anzen: note: %s\n"), msg);
    else
        fprintf(stderr, L(c, "anzen: 拒否: %s\n", "anzen: refused: %s\n"), msg);
}

static int hub_ingest(struct cli *c, struct az_hub *h, const struct hub_args *a, int n,
                      char **paths)
{
    unsigned char pk[32], sk[32];
    struct az_hub_stats st;
    struct timespec t0, t1;
    const char *e;
    int r;

    if (n < 1) {
        cli_err(c, "取り込む束のファイルかディレクトリを指定してください",
                "give the bundle files or directories to ingest");
        return EXIT_USAGE;
    }
    if ((e = secure_getenv("ANZEN_HUB_BATCH")) && *e) { /* tests only: small batches */
        char *end;
        unsigned long v = strtoul(e, &end, 10);
        if (*end || v < 1 || v > 1000000) {
            cli_err(c, "ANZEN_HUB_BATCH は 1 から 1000000 の整数です",
                    "ANZEN_HUB_BATCH is an integer from 1 to 1000000");
            return EXIT_USAGE;
        }
        az_hub_set_ingest_batch(h, v);
    }
    if (a->hub_key && az_box_key_load(&c->ctx, a->hub_key, pk, sk) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = az_hub_ingest(&c->ctx, h, (const char *const *)paths, (size_t)n, a->hub_key ? pk : NULL,
                      a->hub_key ? sk : NULL, a->quiet ? NULL : note, c, &st);
    sodium_memzero(sk, sizeof(sk));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    printf(L(c,
             "束 %zu 件: 取り込み %zu (機関 %zu)、再送 %zu、古い束 %zu、署名の不正 %zu、"
             "鍵の不一致 %zu、未登録 %zu (%.2f 秒)\n",
             "%zu bundles: %zu ingested (%zu institutions), %zu replays, %zu older, %zu bad, "
             "%zu wrong key, %zu unknown (%.2f s)\n"),
           st.seen, st.ingested, st.rows, st.replay, st.older, st.bad, st.wrongkey, st.unknown,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (st.future)
        printf(L(c, "年度が作成時刻より後の束 %zu 件を拒否しました (--as-of で作った束)\n",
                 "%zu bundles refused: fiscal year later than their creation (--as-of)\n"),
               st.future);
    if (st.skipped)
        printf(L(c, "束でないファイル・フォルダ %zu 件を飛ばしました\n",
                 "%zu files or folders that are no bundles skipped\n"),
               st.skipped);
    if (st.sealed)
        printf(L(c,
                 "封をした束 %zu 件は開けませんでした (--hub-key でハブの鍵を指定してください)\n",
                 "%zu sealed bundles could not be opened (give the hub's key with --hub-key)\n"),
               st.sealed);
    return st.ingested == st.seen ? 0 : EXIT_GAPS;
}

static int scope_of(struct cli *c, const struct hub_args *a, struct az_hub_scope *s)
{
    memset(s, 0, sizeof(*s));
    if (a->pref && !(s->prefecture = az_pref_code(a->pref))) {
        cli_err(c, "--prefecture: \"%s\" が分かりません", "--prefecture: unknown \"%s\"", a->pref);
        return EXIT_USAGE;
    }
    s->group = a->group;
    s->fiscal_year = a->fy;
    return 0;
}

static int hub_report(struct cli *c, struct az_hub *h, const struct hub_args *a)
{
    struct az_hub_scope s;
    const char *fmt = a->format ? a->format : "html", *sy;
    size_t sl;
    json_t *rep = NULL;
    int r;

    if ((r = scope_of(c, a, &s)))
        return r;
    if (strcmp(fmt, "html") && strcmp(fmt, "xlsx") && strcmp(fmt, "json")) {
        cli_err(c, "--format は html, xlsx, json のどれかです", "--format is html, xlsx or json");
        return EXIT_USAGE;
    }
    if (!a->out) {
        cli_err(c, "出力先を -o で指定してください", "give the output with -o");
        return EXIT_USAGE;
    }
    if (az_hub_survey_embedded(&sy, &sl) < 0)
        sy = NULL;
    if (az_hub_report(&c->ctx, h, &s, sy, sl, &rep) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (!strcmp(fmt, "json")) {
        r = out_json(c, a->out, rep);
        rep = NULL;
    } else if (!strcmp(fmt, "xlsx")) {
        r = az_hub_report_xlsx(&c->ctx, rep, a->out) < 0 ? (cli_liberr(c), EXIT_ERROR) : 0;
    } else {
        char *html = NULL;
        size_t len = 0;
        r = az_hub_report_html(&c->ctx, rep, &html, &len) < 0 ? (cli_liberr(c), EXIT_ERROR)
                                                              : out_write(c, a->out, html, len);
        free(html);
    }
    json_decref(rep);
    return r;
}

static int hub_query(struct cli *c, struct az_hub *h, const struct hub_args *a, int n, char **names)
{
    struct az_hub_scope s;
    json_t *j;
    int r;

    if (n != 1) {
        cli_err(c, "集計の名前を 1 つ指定してください", "give one query name");
        return EXIT_USAGE;
    }
    if ((r = scope_of(c, a, &s)))
        return r;
    if (!strcmp(names[0], "survey")) {
        /* the comparison with the MHLW survey, from the indicators of the
         * same scope and year (the report's survey section) */
        const char *sy = NULL;
        size_t sl = 0;
        json_t *ind = NULL;
        if ((!s.fiscal_year && az_hub_default_fy(&c->ctx, h, &s.fiscal_year) < 0) ||
            az_hub_query(&c->ctx, h, "indicators", &s, &ind) < 0 ||
            az_hub_survey_embedded(&sy, &sl) < 0 ||
            az_hub_survey_section(&c->ctx, sy, sl, ind, s.fiscal_year, &j) < 0) {
            json_decref(ind);
            cli_liberr(c);
            return EXIT_ERROR;
        }
        json_decref(ind);
        return out_json(c, NULL, j);
    }
    if (az_hub_query(&c->ctx, h, names[0], &s, &j) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return out_json(c, NULL, j);
}

int cmd_hub(struct cli *c, int argc, char **argv)
{
    struct hub_args a;
    struct az_hub *h = NULL;
    const char *sub;
    int o, r;
    long fy;

    memset(&a, 0, sizeof(a));
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        hub_help(c, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    sub = argv[1];
    if (!strcmp(sub, "serve"))
        return cli_hub_serve(c, argc - 1, argv + 1);
    if (!strcmp(sub, "user"))
        return cli_hub_user(c, argc - 1, argv + 1);
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "d:o:f:qh", hub_opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            a.db = optarg;
            break;
        case 'o':
            a.out = optarg;
            break;
        case 'i':
            a.id = optarg;
            break;
        case 'n':
            a.name = optarg;
            break;
        case 't':
            a.type = optarg;
            break;
        case 'P':
            a.pref = optarg;
            break;
        case 'B':
            a.beds = optarg;
            break;
        case 'g':
            a.group = optarg;
            break;
        case 'H':
            a.hq = optarg;
            break;
        case 'k':
            a.key = optarg;
            break;
        case 'c':
            a.csv = optarg;
            break;
        case 'X':
            a.replace_key = true;
            break;
        case 'K':
            a.hub_key = optarg;
            break;
        case 'f':
            a.format = optarg;
            break;
        case 'q':
            a.quiet = true;
            break;
        case 'y':
            if (az_parse_long(optarg, 2000, 2200, &fy) < 0) {
                cli_err(c, "--fiscal-year: \"%s\" は西暦の年度です",
                        "--fiscal-year: \"%s\" is a year", optarg);
                return EXIT_USAGE;
            }
            a.fy = (int)fy;
            break;
        case 'h':
            sub_help(c, sub, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    /* getopt_long ran on argv + 1, so the operands start at optind + 1 */
    argc -= optind + 1;
    argv += optind + 1;
    if (!strcmp(sub, "keygen")) {
        char *k, *p;
        if (!a.out) {
            cli_err(c, "鍵を置くディレクトリを -o で指定してください",
                    "give the directory for the keys with -o");
            return EXIT_USAGE;
        }
        {
            /* made 0700 when missing, as serve --state does */
            struct stat st;
            if (mkdir(a.out, 0700) < 0 && errno != EEXIST) {
                cli_err(c, "%s: 鍵を置くディレクトリを作れません: %s",
                        "%s: cannot make the directory for the keys: %s", a.out,
                        az_errno_text(c->lang, errno));
                return EXIT_ERROR;
            }
            if (stat(a.out, &st) != 0 || !S_ISDIR(st.st_mode)) {
                cli_err(c, "%s: ディレクトリではありません", "%s: not a directory", a.out);
                return EXIT_ERROR;
            }
        }
        k = az_fmt("%s/hub.key", a.out);
        p = az_fmt("%s/hub.pub", a.out);
        r = k && p && az_box_keys_create(&c->ctx, k, p) == 0 ? 0 : EXIT_ERROR;
        if (r)
            cli_liberr(c);
        else {
            unsigned char pk[32], sk[32];
            char *fp = NULL;
            if (az_box_key_load(&c->ctx, k, pk, sk) == 0)
                fp = az_key_fingerprint(pk);
            sodium_memzero(sk, sizeof(sk));
            printf(L(c, "封を開ける鍵: %s (0600)\n配る公開鍵: %s\n指紋: %s\n",
                     "sealing key: %s (0600)\npublic key to hand out: %s\nfingerprint: %s\n"),
                   k, p, fp ? fp : "?");
            free(fp);
        }
        free(k);
        free(p);
        return r;
    }
    if (strcmp(sub, "init") && strcmp(sub, "enrol") && strcmp(sub, "ingest") &&
        strcmp(sub, "report") && strcmp(sub, "query")) {
        cli_err(c, "未知のサブコマンド \"%s\"", "unknown subcommand \"%s\"", sub);
        hub_help(c, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(sub, "ingest") && strcmp(sub, "query") && argc > 0) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[0]);
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "query") && argc == 1) {
        bool known = !strcmp(argv[0], "survey");
        for (int i = 0; az_hub_queries[i]; i++)
            known |= !strcmp(argv[0], az_hub_queries[i]);
        if (!known) {
            cli_err(c,
                    "未知の集計 \"%s\"。次のどれかです:", "unknown query \"%s\"; one of:", argv[0]);
            query_names(stderr);
            return EXIT_USAGE;
        }
    }
    if ((r = open_hub(c, &a, &h)))
        return r;
    if (!strcmp(sub, "init")) {
        int v = 0;
        if (az_hub_init(&c->ctx, h, &v) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else {
            printf(L(c, "ハブのデータベースを用意しました (版 %d)\n",
                     "hub database ready (schema version %d)\n"),
                   v);
        }
    } else if (!strcmp(sub, "enrol")) {
        r = hub_enrol(c, h, &a);
    } else if (!strcmp(sub, "ingest")) {
        r = hub_ingest(c, h, &a, argc, argv);
    } else if (!strcmp(sub, "report")) {
        r = hub_report(c, h, &a);
    } else {
        r = hub_query(c, h, &a, argc, argv);
    }
    az_hub_close(h);
    return r;
}
