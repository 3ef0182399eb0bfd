/* SPDX-License-Identifier: MIT */
/*
 * cmd_hub_serve.c - `anzen hub serve` (the hub's web UI and bundle
 * endpoint) and `anzen hub user` (its accounts and scopes), split from
 * cmd_hub.c; the rest of `anzen hub` is there (docs/hub.md).
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

#include "anzen/hint.h"
#include "anzen/hub.h"
#include "../hubweb/hubweb.h"
#include "cli.h"
#include "cmd_hub.h"

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

int cli_hub_serve(struct cli *c, int argc, char **argv)
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
    char *acc = NULL, *keypath = NULL;
    int o, r = EXIT_ERROR;

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
            e = cli_serve_num(c, "--port", optarg, 0, 65535, &w->o.port);
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
            e = cli_serve_num(c, "--rate", optarg, 0, 100000, &hw->rate);
            break;
        case 'm':
            e = cli_serve_num(c, "--max-connections", optarg, 1, 100000, &w->o.max_conn);
            break;
        case 'i':
            e = cli_serve_num(c, "--per-ip", optarg, 1, 100000, &w->o.per_ip);
            break;
        case 't':
            e = cli_serve_num(c, "--threads", optarg, 1, 64, &w->o.threads);
            break;
        case 'T':
            e = cli_serve_num(c, "--timeout", optarg, 1, 3600, &w->o.timeout);
            break;
        case 'R':
            w->o.ready_file = optarg;
            break;
        case 'H':
            e = cli_serve_num(c, "--header-time", optarg, 1, 600, &w->o.header_time);
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
    if (cli_serve_start(c, w, state, acc) < 0)
        goto out;
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
          "  association 名前 --clear        医師会の会員をすべて外す\n"
          "  scopes                          利用者の範囲と医師会の一覧\n"
          "  list | reset-password | unlock | reset-mfa | disable | enable  (anzen user と同じ)\n"
          "範囲: all (ハブ管理者と同じく全部), group:グループ, prefecture:都道府県,\n"
          "      association:医師会\n",
          "usage: anzen hub user <action> [name] --state DIR [options]\n"
          "  add NAME --scope SCOPE [--display NAME] [--admin] [--password-stdin|--temporary]\n"
          "  scope NAME SCOPE                change what the user sees\n"
          "  association NAME ID...          set the member institutions of an association\n"
          "  association NAME --clear        remove all its members\n"
          "  scopes                          the users' scopes and the associations\n"
          "  list | reset-password | unlock | reset-mfa | disable | enable  (as anzen user)\n"
          "scopes: all (everything, as a hub administrator), group:NAME, prefecture:P,\n"
          "        association:NAME\n"));
}

/* The hub database for hub user's checks, or NULL (with the error told). */
static PGconn *user_db(struct cli *c, const char *db, const char *why_ja, const char *why_en)
{
    PGconn *pg;

    if (!db) {
        cli_err(c, "%sため、データベースを --db か ANZEN_HUB_DB で指定してください",
                "give the database with --db or ANZEN_HUB_DB %s", L(c, why_ja, why_en));
        return NULL;
    }
    if (!(pg = PQconnectdb(db)) || PQstatus(pg) != CONNECTION_OK) {
        /* the words of az_hub_open, then libpq's detail on one line */
        const char *m = pg ? PQerrorMessage(pg) : "?";
        int l = (int)strlen(m);
        while (l > 0 && (m[l - 1] == '\n' || m[l - 1] == ' '))
            l--;
        cli_err(c, "ハブのデータベースに接続できません: %.*s",
                "cannot reach the hub database: %.*s", l, m);
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* An association's members must be enrolled institutions: the unknown
 * ids are named, and nothing is changed. */
static int assoc_check(struct cli *c, const char *db, char *const *ids, int n)
{
    PGconn *pg = user_db(c, db, "会員の機関 ID を確かめる", "to check the member ids");
    PGresult *res = NULL;
    struct az_buf b;
    char *lit = NULL;
    int r = EXIT_ERROR;

    if (!pg)
        return EXIT_USAGE;
    az_buf_init(&b, 16u << 20);
    az_buf_puts(&b, "{");
    for (int i = 0; i < n; i++) {
        az_buf_puts(&b, i ? ",\"" : "\"");
        for (const char *p = ids[i]; *p; p++) {
            char ch[3] = {'\\', *p, 0};
            az_buf_puts(&b, (*p == '"' || *p == '\\') ? ch : ch + 1);
        }
        az_buf_puts(&b, "\"");
    }
    az_buf_puts(&b, "}");
    if (!(lit = az_buf_take(&b))) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    {
        const char *v[1] = {lit};
        res = PQexecParams(pg,
                           "SELECT string_agg(x, ', ' ORDER BY x) FROM unnest($1::text[]) x"
                           " WHERE NOT EXISTS (SELECT 1 FROM institution i WHERE i.id = x)",
                           1, NULL, v, NULL, NULL, 0);
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        cli_err(c, "機関の一覧を読めません: %s", "cannot read the institutions: %s",
                PQerrorMessage(pg));
        goto out;
    }
    if (!PQgetisnull(res, 0, 0)) {
        cli_err(c, "登録されていない機関 ID: %s (hub enrol で登録してから会員にしてください)",
                "institution ids not enrolled: %s (enrol them with hub enrol first)",
                PQgetvalue(res, 0, 0));
        r = EXIT_USAGE;
        goto out;
    }
    r = 0;
out:
    PQclear(res);
    PQfinish(pg);
    free(lit);
    return r;
}

/* A scope that shows nothing today (a group no institution is in, an
 * association without members) is allowed, as they may come later, but
 * said. */
static void scope_warn(struct cli *c, const char *db, struct sqlite3 *sq, const char *text)
{
    struct hub_scope s;

    if (hub_scope_parse(&c->ctx, text, &s) < 0)
        return;
    if (s.kind == HS_ASSOC) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(sq, "SELECT count(*) FROM hub_assoc WHERE assoc = ?", -1, &st,
                               NULL) == SQLITE_OK &&
            sqlite3_bind_text(st, 1, s.value, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)
            fprintf(stderr,
                    L(c,
                      "anzen: 注意: 医師会 \"%s\" には会員の機関がまだありません (hub user "
                      "association で決めるまで何も見えません)\n",
                      "anzen: note: association \"%s\" has no member institutions yet (nothing "
                      "is visible until hub user association sets them)\n"),
                    s.value);
        sqlite3_finalize(st);
    } else if (s.kind == HS_GROUP && db) {
        const char *v[1] = {s.value};
        PGconn *pg = PQconnectdb(db);
        PGresult *res;
        if (!pg || PQstatus(pg) != CONNECTION_OK) {
            PQfinish(pg);
            return;
        }
        res = PQexecParams(pg, "SELECT count(*) FROM institution WHERE grp = $1", 1, NULL, v, NULL,
                           NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(res, 0, 0), "0"))
            fprintf(stderr,
                    L(c,
                      "anzen: 注意: グループ \"%s\" の機関はまだ登録されていません (登録される"
                      "まで何も見えません)\n",
                      "anzen: note: no institution is enrolled in group \"%s\" yet (nothing is "
                      "visible until one is)\n"),
                    s.value);
        PQclear(res);
        PQfinish(pg);
    }
}

/* `anzen hub user`: the account file's users through `anzen user`, plus
 * the hub roles (scopes) and the associations' members. */
int cli_hub_user(struct cli *c, int argc, char **argv)
{
    const char *state = NULL, *scope = NULL, *sub, *db = getenv("ANZEN_HUB_DB");
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
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            db = argv[++i];
        } else if (!strncmp(argv[i], "--db=", 5)) {
            db = argv[i] + 5;
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
            if (nops > 2 && !strcmp(sub, "scope"))
                cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", av[4]);
            else if (nops > 0 && !strcmp(sub, "scopes"))
                cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", av[2]);
            else
                cli_err(c, "引数が足りません", "missing arguments");
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
            {
                /* as stored (one form however it was typed), and in words */
                struct hub_scope hs;
                char canon[200] = "", words[200] = "";
                if (hub_scope_parse(&c->ctx, av[3], &hs) == 0) {
                    hub_scope_text(&hs, canon, sizeof(canon));
                    hub_scope_words(&hs, c->lang, words, sizeof(words));
                }
                printf(L(c, "%s の範囲: %s (%s)\n", "%s: scope %s (%s)\n"), u.name, words, canon);
            }
            scope_warn(c, db, sq, av[3]);
        } else if (!strcmp(sub, "association")) {
            /* no ids would leave the association without members: only
             * when asked for with --clear */
            bool clear = false;
            int k = 3;
            for (int i = 3; i < ac; i++) {
                if (!strcmp(av[i], "--clear"))
                    clear = true;
                else
                    av[k++] = av[i];
            }
            ac = k;
            if (clear && ac > 3) {
                cli_err(c, "--clear と機関 ID は一緒に指定できません",
                        "--clear cannot be given with institution ids");
                r = EXIT_USAGE;
                goto out;
            }
            if (!clear && ac == 3) {
                cli_err(c,
                        "医師会 %s の会員の機関 ID を指定してください (会員をすべて外すには "
                        "--clear)",
                        "give the member institution ids of association %s (--clear removes "
                        "all its members)",
                        av[2]);
                r = EXIT_USAGE;
                goto out;
            }
            if (clear) {
                if (hub_assoc_set(&c->ctx, sq, av[2], av + 3, 0) < 0) {
                    cli_liberr(c);
                    r = EXIT_USAGE;
                    goto out;
                }
                printf(L(c, "医師会 %s の会員をすべて外しました (医師会の一覧から消えます)\n",
                         "association %s: all members removed (it leaves the list)\n"),
                       av[2]);
                r = 0;
                goto out;
            }
            if ((r = assoc_check(c, db, av + 3, ac - 3)))
                goto out;
            r = EXIT_ERROR;
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
            /* each user's scope in words too, for the office reading it */
            json_t *w = json_object();
            const char *k;
            json_t *val;
            json_object_foreach(u, k, val)
            {
                struct hub_scope hs;
                struct az_ctx quiet;
                char words[200];
                az_ctx_init(&quiet, AZ_LANG_EN);
                if (hub_scope_parse(&quiet, json_string_value(val), &hs) == 0) {
                    hub_scope_words(&hs, c->lang, words, sizeof(words));
                    json_object_set_new(w, k, json_string(words));
                }
            }
            r = out_json(c, NULL,
                         json_pack("{s:o,s:o,s:o}", "users", u, "in_words", w, "associations", a));
            goto out;
        }
        r = 0;
        goto out;
    }
    {
        /* the operands are checked here, so that errors show the hub
         * user usage and name the stray argument (cmd_user would print
         * the workspace's) */
        static const char *const one[] = {"add",       "reset-password", "unlock",
                                          "reset-mfa", "disable",        "enable"};
        static const char *const with_val[] = {"-w",     "--workspace", "-f",       "--format",
                                               "--role", "--display",   "--vendor", NULL};
        int want = -1, got = 0;
        const char *stray = NULL;
        for (size_t k = 0; k < sizeof(one) / sizeof(one[0]); k++)
            if (!strcmp(sub, one[k]))
                want = 1;
        if (!strcmp(sub, "list"))
            want = 0;
        if (want < 0) {
            cli_err(c, "未知の操作 \"%s\"", "unknown action \"%s\"", sub);
            user_help(c, stderr);
            r = EXIT_USAGE;
            goto out;
        }
        static const char *const flags[] = {"--password-stdin", "--temporary", "--admin",
                                            "--help",           "-h",          NULL};
        for (int i = 2; i < ac; i++) {
            bool takes = false, known = false;
            if (av[i][0] == '-') {
                for (int k = 0; with_val[k]; k++) {
                    size_t l = strlen(with_val[k]);
                    takes |= !strcmp(av[i], with_val[k]);
                    known |= !strncmp(av[i], with_val[k], l) && av[i][l] == '=' && l > 2;
                }
                for (int k = 0; flags[k]; k++)
                    known |= !strcmp(av[i], flags[k]);
                if (!takes && !known) {
                    cli_err(c, "不明なオプション \"%s\"", "unknown option \"%s\"", av[i]);
                    user_help(c, stderr);
                    r = EXIT_USAGE;
                    goto out;
                }
                i += takes;
                continue;
            }
            if (++got > want && !stray)
                stray = av[i];
        }
        if (stray || got < want) {
            if (stray)
                cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", stray);
            else
                cli_err(c, "利用者の名前を指定してください", "give the user's name");
            user_help(c, stderr);
            r = EXIT_USAGE;
            goto out;
        }
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
            } else {
                scope_warn(c, db, sq, scope);
            }
        }
    }
out:
    hub_scope_close(sq);
    free(acc);
    free(av);
    return r;
}
