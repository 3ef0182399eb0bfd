/* SPDX-License-Identifier: MIT */
/*
 * cmd_hub.c - `anzen hub`: the aggregation hub of a hospital group, a
 * medical association or a prefecture, on PostgreSQL (docs/hub.md):
 * keygen | init | enrol | ingest | report | query.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "anzen/csv.h"
#include "anzen/hub.h"
#include "cli.h"

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
          "  enrol --csv FILE                     一括登録 (id,name,type,prefecture,beds,\n"
          "                                       group,hq,key の列)\n"
          "  ingest [--hub-key hub.key] FILE|DIR...  束を検証して取り込む\n"
          "  report [--prefecture P] [--group G] [--fiscal-year Y] [--format html|xlsx|json]\n"
          "         -o FILE                       集計の報告書\n"
          "  query NAME [--prefecture P] [--group G] [--fiscal-year Y]   集計 1 つを JSON で\n"
          "  serve                                (未実装)\n\n"
          "ingest の終了コード: 0 すべて取り込み, 2 拒否した束あり, 1 エラー\n",
          "usage: anzen hub <subcommand> [--db CONNINFO] ...\n\n"
          "Collect the bundles of institutions in PostgreSQL and aggregate them, for a\n"
          "hospital group, a medical association or a prefecture. The database is a\n"
          "postgres:// URI or a conninfo (host=/tmp dbname=hub); without --db, ANZEN_HUB_DB.\n\n"
          "  keygen -o DIR                        make the sealing keys DIR/hub.key, hub.pub\n"
          "  init                                 create or migrate the tables\n"
          "  enrol --id ID --name NAME --type TYPE --prefecture P --key PUBKEY\n"
          "        [--beds BAND] [--group GROUP] [--hq HQ-ID]\n"
          "  enrol --csv FILE                     many at once (columns id,name,type,\n"
          "                                       prefecture,beds,group,hq,key)\n"
          "  ingest [--hub-key hub.key] FILE|DIR...  verify and ingest bundles\n"
          "  report [--prefecture P] [--group G] [--fiscal-year Y] [--format html|xlsx|json]\n"
          "         -o FILE                       the aggregated report\n"
          "  query NAME [--prefecture P] [--group G] [--fiscal-year Y]   one query as JSON\n"
          "  serve                                (not implemented)\n\n"
          "ingest exits 0 when all were ingested, 2 when some were refused, 1 on error\n"));
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
    {NULL, 0, NULL, 0},
};

struct hub_args {
    const char *db, *out, *id, *name, *type, *pref, *beds, *group, *hq, *key, *csv, *hub_key,
        *format;
    int fy;
    bool quiet;
};

static const char *const types[] = {"hospital",  "clinic",       "dental", "pharmacy",
                                    "midwifery", "headquarters", NULL};

static bool type_ok(const char *t)
{
    for (int i = 0; types[i]; i++)
        if (!strcmp(t, types[i]))
            return true;
    return false;
}

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

static int enrol_csv(struct cli *c, struct az_hub *h, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    struct az_csv *t = NULL;
    struct az_hub_inst *v = NULL;
    size_t n = 0;
    int r = EXIT_ERROR;

    if (cli_read_binary(c, path, &data, &len))
        return EXIT_ERROR;
    if (az_csv_parse(&c->ctx, path, data, len, AZ_CSV_AUTO, &t) < 0) {
        cli_liberr(c);
        goto out;
    }
    v = calloc(t->nrows ? t->nrows : 1, sizeof(*v));
    if (!v) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < t->nrows; i++) {
        struct az_csv_row *row = &t->rows[i];
        struct az_hub_inst *x = &v[n];
        if (row->n == 0 || (row->n == 1 && !row->f[0][0]))
            continue;
        if (i == 0 && !strcmp(row->f[0], "id"))
            continue; /* the header */
        if (row->n != 8) {
            cli_err(c, "%s: %zu 行: 列は 8 つです (id,name,type,prefecture,beds,group,hq,key)",
                    "%s: line %zu: 8 columns expected (id,name,type,prefecture,beds,group,hq,key)",
                    path, row->line);
            goto out;
        }
        x->id = row->f[0];
        x->name = row->f[1];
        x->type = row->f[2];
        x->prefecture = az_pref_code(row->f[3]);
        x->bed_band = row->f[4];
        x->group = row->f[5];
        x->parent = row->f[6];
        if (!type_ok(x->type)) {
            cli_err(c, "%s: %zu 行 3 列: 種別 \"%s\" が正しくありません",
                    "%s: line %zu column 3: bad type \"%s\"", path, row->line, x->type);
            goto out;
        }
        if (!x->prefecture) {
            cli_err(c, "%s: %zu 行 4 列: 都道府県 \"%s\" が分かりません",
                    "%s: line %zu column 4: unknown prefecture \"%s\"", path, row->line, row->f[3]);
            goto out;
        }
        if (row->f[7][0]) {
            if (az_pub_key_load(&c->ctx, row->f[7], NULL, x->key) < 0) {
                cli_err(c, "%s: %zu 行 8 列: 公開鍵が読めません", "%s: line %zu column 8: bad key",
                        path, row->line);
                goto out;
            }
            x->has_key = true;
        }
        n++;
    }
    if (az_hub_enrol_many(&c->ctx, h, v, n) < 0) {
        cli_liberr(c);
        goto out;
    }
    printf(L(c, "%zu 機関を登録しました\n", "enrolled %zu institutions\n"), n);
    r = 0;
out:
    free(v);
    az_csv_free(t);
    free(data);
    return r;
}

static int hub_enrol(struct cli *c, struct az_hub *h, const struct hub_args *a)
{
    struct az_hub_inst in = {0};
    char *fp;

    if (a->csv)
        return enrol_csv(c, h, a->csv);
    if (!a->id || !a->name || !a->type || !a->pref) {
        cli_err(c, "--id, --name, --type, --prefecture を指定してください",
                "give --id, --name, --type and --prefecture");
        return EXIT_USAGE;
    }
    if (!type_ok(a->type)) {
        cli_err(c,
                "--type: \"%s\" は hospital, clinic, dental, pharmacy, midwifery, headquarters "
                "のどれかです",
                "--type: \"%s\" is one of hospital, clinic, dental, pharmacy, midwifery, "
                "headquarters",
                a->type);
        return EXIT_USAGE;
    }
    in.id = a->id;
    in.name = a->name;
    in.type = a->type;
    in.bed_band = a->beds;
    in.group = a->group;
    in.parent = a->hq;
    if (!(in.prefecture = az_pref_code(a->pref))) {
        cli_err(c, "--prefecture: \"%s\" が分かりません (番号 1〜47 か 東京都 / Tokyo)",
                "--prefecture: unknown \"%s\" (a code 1-47, or 東京都 / Tokyo)", a->pref);
        return EXIT_USAGE;
    }
    if (!a->key && !a->hq) {
        cli_err(c,
                "--key (機関の公開鍵) を指定してください (本部がまとめて出す支店は --hq のみで可)",
                "give --key (the institution's public key; a branch covered by --hq may omit it)");
        return EXIT_USAGE;
    }
    if (a->key) {
        if (az_pub_key_load(&c->ctx, a->key, NULL, in.key) < 0) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        in.has_key = true;
    }
    if (az_hub_enrol(&c->ctx, h, &in) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    fp = in.has_key ? az_key_fingerprint(in.key) : NULL;
    printf(L(c, "%s を登録しました%s%s%s\n", "enrolled %s%s%s%s\n"), a->id,
           fp ? L(c, " (鍵の指紋 ", " (key fingerprint ") : "", fp ? fp : "", fp ? ")" : "");
    if (fp)
        printf("%s", L(c, "指紋が機関から別の経路で伝えられたものと同じか確かめてください\n",
                       "check that the fingerprint matches the one the institution gave you\n"));
    free(fp);
    return 0;
}

static void note(void *arg, const char *name, enum az_hub_outcome o, const char *msg)
{
    struct cli *c = arg;
    (void)name;
    (void)o;
    fprintf(stderr, L(c, "anzen: 拒否: %s\n", "anzen: refused: %s\n"), msg);
}

static int hub_ingest(struct cli *c, struct az_hub *h, const struct hub_args *a, int n,
                      char **paths)
{
    unsigned char pk[32], sk[32];
    struct az_hub_stats st;
    struct timespec t0, t1;
    int r;

    if (n < 1) {
        cli_err(c, "取り込む束のファイルかディレクトリを指定してください",
                "give the bundle files or directories to ingest");
        return EXIT_USAGE;
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
            hub_help(c, stdout);
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
    if (!strcmp(sub, "serve")) {
        cli_err(c, "hub serve はまだありません (hub report と hub query を使ってください)",
                "hub serve is not implemented yet (use hub report and hub query)");
        return EXIT_ERROR;
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
