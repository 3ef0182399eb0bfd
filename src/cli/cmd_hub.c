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

#include "anzen/csv.h"
#include "anzen/hub.h"
#include "../hubweb/hubweb.h"
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
          "  enrol --csv FILE                     many at once (columns id,name,type,\n"
          "                                       prefecture,beds,group,hq,key)\n"
          "  ingest [--hub-key hub.key] FILE|DIR...  verify and ingest bundles\n"
          "  report [--prefecture P] [--group G] [--fiscal-year Y] [--format html|xlsx|json]\n"
          "         -o FILE                       the aggregated report\n"
          "  query NAME [--prefecture P] [--group G] [--fiscal-year Y]   one query as JSON\n"
          "  serve --state DIR [--listen ADDR] [--port N]   web UI and bundle endpoint (HTTPS)\n"
          "  user <action> --state DIR ...        the UI's users and their scopes (hub user "
          "--help)\n\n"
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

/* ---- hub serve, hub user ---- */

static void serve_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen hub serve --db 接続先 --state DIR [--listen ADDR] [--port N]\n"
          "                       [--cert FILE --key FILE] [--hub-key hub.key] [--rate N]\n\n"
          "ハブの画面 (HTTPS) と、束を受け取る口 (POST /api/v1/bundles) を開きます。\n"
          "利用者・セッション・監査ログは DIR/" HUB_ACCOUNTS " (SQLite、0600) に置き、\n"
          "利用者ごとの見える範囲 (グループ・都道府県・医師会) は anzen hub user で決めます。\n"
          "最初の起動では管理者を登録する「初回設定コード」を表示します。\n"
          "  --db 接続先            PostgreSQL (postgres://... か conninfo。既定: ANZEN_HUB_DB)\n"
          "  --state DIR            利用者・証明書・受信中の束を置くディレクトリ (0700 で作成)\n"
          "  --listen ADDR          待ち受けるアドレス (既定: 127.0.0.1)\n"
          "  --port N               ポート (既定: 8444。0 なら空いているもの)\n"
          "  --cert FILE --key FILE 証明書と秘密鍵 (PEM)。省略すると DIR "
          "に自己署名のものを作ります\n"
          "  --hub-key hub.key      封をされた束を開ける鍵 (hub keygen で作ったもの)\n"
          "  --rate N               1 つのアドレスから 1 分に受け取る束の数 (既定: 60)\n"
          "  --max-connections N --per-ip N --threads N --timeout S --header-time S\n"
          "  --ready-file FILE      待ち受けを始めたらポート番号を書く (テスト用)\n",
          "usage: anzen hub serve --db CONNINFO --state DIR [--listen ADDR] [--port N]\n"
          "                       [--cert FILE --key FILE] [--hub-key hub.key] [--rate N]\n\n"
          "Serves the hub's web UI over HTTPS and receives bundles (POST /api/v1/bundles).\n"
          "Users, sessions and the audit log live in DIR/" HUB_ACCOUNTS " (SQLite, 0600);\n"
          "what each user sees (a group, a prefecture, an association) is set with\n"
          "anzen hub user. The first start prints a setup code for the administrator.\n"
          "  --db CONNINFO          PostgreSQL (postgres://... or conninfo; default ANZEN_HUB_DB)\n"
          "  --state DIR            users, certificate, incoming bundles (made 0700)\n"
          "  --listen ADDR          address to listen on (default 127.0.0.1)\n"
          "  --port N               port (default 8444; 0 for any free one)\n"
          "  --cert FILE --key FILE certificate and key (PEM); else a self-signed one in DIR\n"
          "  --hub-key hub.key      the key that opens sealed bundles (from hub keygen)\n"
          "  --rate N               bundles accepted per minute from one address (default 60)\n"
          "  --max-connections N --per-ip N --threads N --timeout S --header-time S\n"
          "  --ready-file FILE      write the port here once listening (for tests)\n"));
}

static int snum(struct cli *c, const char *opt, const char *v, long min, long max, int *ret)
{
    long n;

    if (az_parse_long(v, min, max, &n) < 0) {
        cli_err(c, "%s は %ld〜%ld の整数です", "%s takes a whole number from %ld to %ld", opt, min,
                max);
        return EXIT_USAGE;
    }
    *ret = (int)n;
    return 0;
}

/* The state directory: made 0700 when missing; refused when others may
 * write to it. */
static int state_dir(struct cli *c, const char *dir)
{
    struct stat sb;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        cli_err(c, "%s: ディレクトリを作れません (%s)", "%s: cannot make the directory (%s)", dir,
                strerror(errno));
        return EXIT_ERROR;
    }
    if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        cli_err(c, "%s: ディレクトリではありません", "%s: not a directory", dir);
        return EXIT_ERROR;
    }
    if (sb.st_mode & 022) {
        cli_err(c, "%s: ほかの利用者が書き込めます (chmod 700 してください)",
                "%s: others can write to it (chmod 700 it)", dir);
        return EXIT_ERROR;
    }
    return 0;
}

static int hub_serve(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"state", required_argument, NULL, 's'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"port", required_argument, NULL, 'P'},
                                         {"cert", required_argument, NULL, 'c'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"hub-key", required_argument, NULL, 'K'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"max-connections", required_argument, NULL, 'm'},
                                         {"per-ip", required_argument, NULL, 'i'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"ready-file", required_argument, NULL, 'R'},
                                         {"header-time", required_argument, NULL, 'H'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct web *w = calloc(1, sizeof(*w));
    struct hubweb *hw = calloc(1, sizeof(*hw));
    const char *db = getenv("ANZEN_HUB_DB"), *state = NULL, *hub_key = NULL;
    char *acc = NULL, *keypath = NULL, *certp = NULL, *keyp = NULL;
    size_t len;
    int o, r = EXIT_ERROR, n = 0;

    if (!w || !hw) {
        free(w);
        free(hw);
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    w->o.listen = "127.0.0.1";
    w->o.port = 8444;
    w->o.max_conn = 256;
    w->o.per_ip = 64;
    w->o.threads = 4;
    w->o.timeout = 30;
    w->o.header_time = 10;
    w->o.idle = 30 * 60;
    w->o.absolute = 12 * 3600;
    hw->rate = 60;
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int e = 0;
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 's':
            state = optarg;
            break;
        case 'l':
            w->o.listen = optarg;
            break;
        case 'P':
            e = snum(c, "--port", optarg, 0, 65535, &w->o.port);
            break;
        case 'c':
            w->o.cert = optarg;
            break;
        case 'k':
            w->o.key = optarg;
            break;
        case 'K':
            hub_key = optarg;
            break;
        case 'r':
            e = snum(c, "--rate", optarg, 0, 100000, &hw->rate);
            break;
        case 'm':
            e = snum(c, "--max-connections", optarg, 1, 100000, &w->o.max_conn);
            break;
        case 'i':
            e = snum(c, "--per-ip", optarg, 1, 100000, &w->o.per_ip);
            break;
        case 't':
            e = snum(c, "--threads", optarg, 1, 64, &w->o.threads);
            break;
        case 'T':
            e = snum(c, "--timeout", optarg, 1, 3600, &w->o.timeout);
            break;
        case 'R':
            w->o.ready_file = optarg;
            break;
        case 'H':
            e = snum(c, "--header-time", optarg, 1, 600, &w->o.header_time);
            break;
        case 'h':
            serve_help(c, stdout);
            free(w);
            free(hw);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足: \"%s\"",
                    "unknown option or missing argument: \"%s\"", argv[optind - 1]);
            e = EXIT_USAGE;
        }
        if (e) {
            free(w);
            free(hw);
            return e;
        }
    }
    if (optind < argc || (!w->o.cert) != (!w->o.key) || !db || !state) {
        if (optind < argc)
            cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        else if (!db)
            cli_err(c, "データベースを --db で指定してください (または ANZEN_HUB_DB)",
                    "give the database with --db (or ANZEN_HUB_DB)");
        else if (!state)
            cli_err(c, "利用者などを置くディレクトリを --state で指定してください",
                    "give the directory for the users and keys with --state");
        else
            cli_err(c, "--cert と --key は一緒に指定します", "--cert and --key go together");
        free(w);
        free(hw);
        return EXIT_USAGE;
    }
    w->o.lang = c->lang;
    if (sodium_init() < 0 || (r = state_dir(c, state))) {
        free(w);
        free(hw);
        return r ? r : EXIT_ERROR;
    }
    r = EXIT_ERROR;
    pthread_mutex_init(&w->lock, NULL);
    acc = az_fmt("%s/%s", state, HUB_ACCOUNTS);
    keypath = az_fmt("%s/%s.key", state, HUB_ACCOUNTS);
    hw->state = strdup(state);
    hw->spool = az_fmt("%s/%s", state, HUB_SPOOL);
    if (!acc || !keypath || !hw->state || !hw->spool) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    if (mkdir(hw->spool, 0700) < 0 && errno != EEXIST) {
        cli_err(c, "%s: ディレクトリを作れません (%s)", "%s: cannot make the directory (%s)",
                hw->spool, strerror(errno));
        goto out;
    }
    if (hub_key) {
        if (az_box_key_load(&c->ctx, hub_key, hw->box_pk, hw->box_sk) < 0) {
            cli_liberr(c);
            goto out;
        }
        hw->have_box = true;
    }
    if (az_hub_open(&c->ctx, db, &hw->hub) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (!(hw->pg = PQconnectdb(db)) || PQstatus(hw->pg) != CONNECTION_OK) {
        cli_err(c, "データベースにつながりません: %s", "cannot connect to the database: %s",
                hw->pg ? PQerrorMessage(hw->pg) : "?");
        goto out;
    }
    if (web_views_load(&c->ctx, w) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (cli_open_store(c, acc, &w->st))
        goto out;
    if (hub_scope_open(&c->ctx, acc, &hw->sq) < 0 ||
        az_seal_key_load(&c->ctx, keypath, w->seal_key) < 0) {
        cli_liberr(c);
        goto out;
    }
    randombytes_buf(w->form_key, sizeof(w->form_key));
    if (w->o.cert) {
        certp = strdup(w->o.cert);
        keyp = strdup(w->o.key);
    } else {
        certp = az_fmt("%s/anzen-tls.crt", state);
        keyp = az_fmt("%s/anzen-tls.key", state);
        if (certp && keyp && (access(certp, F_OK) != 0 || access(keyp, F_OK) != 0)) {
            if (web_cert_generate(&c->ctx, certp, keyp, w->o.listen) < 0) {
                cli_liberr(c);
                goto out;
            }
            fprintf(stderr,
                    L(c, "anzen: 自己署名の証明書を作りました: %s\n",
                      "anzen: made a self-signed certificate: %s\n"),
                    certp);
        }
    }
    if (!certp || !keyp || az_read_text_file(&c->ctx, certp, &w->cert_pem, &len) < 0 ||
        az_read_text_file(&c->ctx, keyp, &w->key_pem, &len) < 0 ||
        web_cert_fingerprint(&c->ctx, w->cert_pem, w->fingerprint, sizeof(w->fingerprint)) < 0) {
        if (!certp || !keyp)
            cli_err(c, "メモリ不足", "out of memory");
        else
            cli_liberr(c);
        goto out;
    }
    web_check_secret_modes(c->lang, acc, keyp);
    fprintf(stderr,
            L(c,
              "anzen: 証明書の指紋 (SHA-256): %s\n"
              "       ブラウザの警告画面で、この指紋と同じであることを確かめてください。\n",
              "anzen: certificate fingerprint (SHA-256): %s\n"
              "       Check that the browser's warning shows the same fingerprint.\n"),
            w->fingerprint);
    if (az_store_user_count(w->st, &c->ctx, &n) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (n == 0) {
        uint32_t code = randombytes_uniform(100000000);
        snprintf(w->setup_code, sizeof(w->setup_code), "%08u", (unsigned)code);
        fprintf(stderr,
                L(c, "anzen: 初回設定コード: %s (ブラウザで管理者を登録するときに入力します)\n",
                  "anzen: setup code: %s (enter it in the browser to create the administrator)\n"),
                w->setup_code);
    }
    if (strncmp(w->o.listen, "127.", 4) && strcmp(w->o.listen, "::1"))
        fprintf(stderr, "%s",
                L(c,
                  "anzen: 注意: ネットワークに公開しています。ファイアウォールで届く範囲を"
                  "限ってください。\n",
                  "anzen: note: listening on the network. Limit who can reach it with a "
                  "firewall.\n"));
    if (hubweb_setup(&c->ctx, w, hw) < 0) {
        cli_liberr(c);
        goto out;
    }
    r = web_run(w) ? EXIT_ERROR : 0;
out:
    web_views_free(w);
    az_store_close(w->st);
    if (w->key_pem)
        sodium_memzero(w->key_pem, strlen(w->key_pem));
    free(w->key_pem);
    free(w->cert_pem);
    sodium_memzero(w, sizeof(*w));
    free(w);
    hubweb_free(hw);
    free(hw);
    free(acc);
    free(keypath);
    free(certp);
    free(keyp);
    return r;
}

static void user_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen hub user <操作> [名前] --state DIR [オプション]\n"
          "  add 名前 --scope 範囲 [--display 表示名] [--admin] [--password-stdin|--temporary]\n"
          "  scope 名前 範囲                 見える範囲を変える\n"
          "  association 名前 機関ID...      医師会の会員 (機関) を決める (置き換え)\n"
          "  scopes                          利用者の範囲と医師会の一覧\n"
          "  list | reset-password | unlock | reset-mfa | disable | enable  (anzen user と同じ)\n"
          "範囲: all (ハブ管理者と同じく全部), group:グループ, prefecture:都道府県,\n"
          "      association:医師会\n",
          "usage: anzen hub user <action> [name] --state DIR [options]\n"
          "  add NAME --scope SCOPE [--display NAME] [--admin] [--password-stdin|--temporary]\n"
          "  scope NAME SCOPE                change what the user sees\n"
          "  association NAME ID...          set the member institutions of an association\n"
          "  scopes                          the users' scopes and the associations\n"
          "  list | reset-password | unlock | reset-mfa | disable | enable  (as anzen user)\n"
          "scopes: all (everything, as a hub administrator), group:NAME, prefecture:P,\n"
          "        association:NAME\n"));
}

/* `anzen hub user`: the account file's users through `anzen user`, plus
 * the hub roles (scopes) and the associations' members. */
static int hub_user(struct cli *c, int argc, char **argv)
{
    const char *state = NULL, *scope = NULL, *sub;
    char **av = calloc((size_t)argc + 6, sizeof(char *)), *acc = NULL;
    int ac = 0, r = EXIT_ERROR;
    bool has_role = false;
    struct sqlite3 *sq = NULL;

    if (!av) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        user_help(c, argc < 2 ? stderr : stdout);
        free(av);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    sub = argv[1];
    av[ac++] = "user";
    av[ac++] = (char *)sub;
    for (int i = 2; i < argc; i++) {
        if ((!strcmp(argv[i], "--state") || !strcmp(argv[i], "--scope")) && i + 1 < argc) {
            *(argv[i][3] == 't' ? &state : &scope) = argv[i + 1];
            i++;
        } else if (!strncmp(argv[i], "--state=", 8)) {
            state = argv[i] + 8;
        } else if (!strncmp(argv[i], "--scope=", 8)) {
            scope = argv[i] + 8;
        } else {
            if (!strcmp(argv[i], "--role") || !strncmp(argv[i], "--role=", 7))
                has_role = true;
            av[ac++] = argv[i];
        }
    }
    if (!state) {
        cli_err(c, "ハブのディレクトリを --state で指定してください",
                "give the hub's directory with --state");
        free(av);
        return EXIT_USAGE;
    }
    if (!(acc = az_fmt("%s/%s", state, HUB_ACCOUNTS))) {
        free(av);
        return EXIT_ERROR;
    }
    if (!strcmp(sub, "scope") || !strcmp(sub, "association") || !strcmp(sub, "scopes")) {
        int nops = ac - 2;
        if ((!strcmp(sub, "scope") && nops != 2) || (!strcmp(sub, "association") && nops < 1) ||
            (!strcmp(sub, "scopes") && nops != 0)) {
            user_help(c, stderr);
            r = EXIT_USAGE;
            goto out;
        }
        if (access(acc, F_OK) != 0) {
            cli_err(c, "%s がありません (先に hub serve を起動してください)",
                    "%s does not exist (start hub serve first)", acc);
            goto out;
        }
        if (hub_scope_open(&c->ctx, acc, &sq) < 0) {
            cli_liberr(c);
            goto out;
        }
        if (!strcmp(sub, "scope")) {
            struct az_store *st = NULL;
            struct az_user u;
            int e;
            if (cli_open_store(c, acc, &st))
                goto out;
            e = az_store_user_get(st, &c->ctx, av[2], &u);
            az_store_close(st);
            if (e < 0) {
                cli_err(c, "利用者 \"%s\" はいません", "no user \"%s\"", av[2]);
                goto out;
            }
            if (hub_scope_set(&c->ctx, sq, u.name, av[3]) < 0) {
                cli_liberr(c);
                r = EXIT_USAGE;
                goto out;
            }
            printf(L(c, "%s の範囲: %s\n", "%s: scope %s\n"), u.name, av[3]);
        } else if (!strcmp(sub, "association")) {
            if (hub_assoc_set(&c->ctx, sq, av[2], av + 3, ac - 3) < 0) {
                cli_liberr(c);
                r = EXIT_USAGE;
                goto out;
            }
            printf(L(c, "医師会 %s: 会員 %d 機関\n", "association %s: %d member institutions\n"),
                   av[2], ac - 3);
        } else {
            json_t *u = NULL, *a = NULL;
            if (hub_scope_list(&c->ctx, sq, &u, &a) < 0) {
                cli_liberr(c);
                goto out;
            }
            r = out_json(c, NULL, json_pack("{s:o,s:o}", "users", u, "associations", a));
            goto out;
        }
        r = 0;
        goto out;
    }
    if (!strcmp(sub, "add")) {
        struct hub_scope s;
        if (!scope) {
            cli_err(c,
                    "--scope で見える範囲を指定してください (all, group:G, prefecture:P, "
                    "association:A)",
                    "give the user's scope with --scope (all, group:G, prefecture:P, "
                    "association:A)");
            r = EXIT_USAGE;
            goto out;
        }
        if (hub_scope_parse(&c->ctx, scope, &s) < 0) {
            cli_liberr(c);
            r = EXIT_USAGE;
            goto out;
        }
        if (!has_role) {
            /* hub users only read: the viewer role of the account store */
            av[ac++] = "--role";
            av[ac++] = "viewer";
        }
        if (state_dir(c, state))
            goto out;
    }
    {
        /* the user's name: the operand after the action (getopt in
         * cmd_user reorders av, so it is found first) */
        const char *name = NULL;
        static const char *const with_arg[] = {"-w",     "--workspace", "-f",       "--format",
                                               "--role", "--display",   "--vendor", NULL};
        for (int i = 2; i < ac && !name; i++) {
            bool skip = false;
            if (av[i][0] == '-') {
                for (int k = 0; with_arg[k]; k++)
                    if (!strcmp(av[i], with_arg[k]))
                        skip = true;
                if (skip)
                    i++;
                continue;
            }
            name = av[i];
        }
        av[ac++] = "-w";
        av[ac++] = acc;
        av[ac] = NULL;
        r = cmd_user(c, ac, av);
        if (r == 0 && !strcmp(sub, "add")) {
            if (!name || hub_scope_open(&c->ctx, acc, &sq) < 0 ||
                hub_scope_set(&c->ctx, sq, name, scope) < 0) {
                cli_liberr(c);
                r = EXIT_ERROR;
            }
        }
    }
out:
    hub_scope_close(sq);
    free(acc);
    free(av);
    return r;
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
        return hub_serve(c, argc - 1, argv + 1);
    if (!strcmp(sub, "user"))
        return hub_user(c, argc - 1, argv + 1);
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
