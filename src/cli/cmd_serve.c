/* SPDX-License-Identifier: MIT */
/*
 * cmd_serve.c - `anzen serve`: the web UI over HTTPS for the workspace in
 * the current directory (src/web/). Prepares what the server needs (the
 * catalog, the page templates, the workspace, the sealing key, the TLS
 * certificate, the first-run setup code) and runs it until SIGINT/SIGTERM.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../web/web.h"
#include "anzen/store.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen serve [-w anzen.db] [--listen ADDR] [--port N] [--cert FILE --key FILE]\n"
          "                   [--max-connections N] [--per-ip N] [--threads N]\n\n"
          "このディレクトリのワークスペース (profile.yaml、answers.yaml、anzen.db) を、\n"
          "ブラウザで使える画面 (HTTPS) にします。最初の起動では管理者を登録するための\n"
          "「初回設定コード」を表示します。既定では このパソコンの中 (127.0.0.1) からだけ\n"
          "使えます。院内の LAN に公開するときだけ --listen に IP アドレスを指定します。\n"
          "  -w, --workspace DB       ワークスペース (既定: anzen.db。鍵は DB.key、0600)\n"
          "      --listen ADDR        待ち受けるアドレス (既定: 127.0.0.1)\n"
          "      --port N             ポート (既定: 8443。0 なら空いているもの)\n"
          "      --cert FILE --key FILE  自分の証明書と秘密鍵 (PEM)。省略すると自己署名の\n"
          "                           証明書を作り (anzen-tls.crt/.key)、指紋を表示します\n"
          "      --max-connections N  同時接続数の上限 (既定: 256)\n"
          "      --per-ip N           1 つのアドレスからの同時接続数の上限 (既定: 64)\n"
          "      --threads N          処理するスレッドの数 (既定: 4)\n"
          "      --timeout S          無通信で切断するまでの秒数 (既定: 30)\n"
          "      --header-time S      要求ヘッダを送り終えるまでの制限秒数 (既定: 10。本文は 6 "
          "倍)\n"
          "      --ready-file FILE    待ち受けを始めたらポート番号を書く (テスト用)\n"
          "Ctrl-C で停止します。\n",
          "usage: anzen serve [-w anzen.db] [--listen ADDR] [--port N] [--cert FILE --key FILE]\n"
          "                   [--max-connections N] [--per-ip N] [--threads N]\n\n"
          "Serves the workspace in this directory (profile.yaml, answers.yaml, anzen.db) as\n"
          "a web UI over HTTPS. The first start prints a setup code for creating the\n"
          "administrator. By default only this computer (127.0.0.1) can connect; give\n"
          "--listen an IP address only to open it to the LAN on purpose.\n"
          "  -w, --workspace DB       the workspace (default anzen.db; key in DB.key, 0600)\n"
          "      --listen ADDR        address to listen on (default 127.0.0.1)\n"
          "      --port N             port (default 8443; 0 for any free one)\n"
          "      --cert FILE --key FILE  your own certificate and key (PEM); without them a\n"
          "                           self-signed certificate is made (anzen-tls.crt/.key)\n"
          "                           and its fingerprint shown\n"
          "      --max-connections N  connections in total (default 256)\n"
          "      --per-ip N           connections from one address (default 64)\n"
          "      --threads N          worker threads (default 4)\n"
          "      --timeout S          seconds of silence before a connection is closed "
          "(default 30)\n"
          "      --header-time S      seconds a client has to send its request headers "
          "(default 10;\n"
          "                           six times that for the body)\n"
          "      --ready-file FILE    write the port here once listening (for tests)\n"
          "Stop with Ctrl-C.\n"));
}

static bool loopback(const char *a)
{
    return !strncmp(a, "127.", 4) || !strcmp(a, "::1");
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"workspace", required_argument, NULL, 'w'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"port", required_argument, NULL, 'P'},
                                         {"cert", required_argument, NULL, 'c'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"max-connections", required_argument, NULL, 'm'},
                                         {"per-ip", required_argument, NULL, 'i'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"ready-file", required_argument, NULL, 'R'},
                                         {"header-time", required_argument, NULL, 'H'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct web *w = calloc(1, sizeof(*w));
    char keypath[4200], dir[4096];
    const char *slash;
    int o, r = EXIT_ERROR;

    if (!w) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    w->o.listen = "127.0.0.1";
    w->o.port = 8443;
    w->o.db = "anzen.db";
    w->o.max_conn = 256;
    w->o.per_ip = 64;
    w->o.threads = 4;
    w->o.timeout = 30;
    w->o.header_time = 10;
    w->o.idle = 30 * 60;
    w->o.absolute = 12 * 3600;
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "w:h", opts, NULL)) != -1) {
        int e = 0;
        switch (o) {
        case 'w':
            w->o.db = optarg;
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
            help(c, stdout);
            free(w);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足: \"%s\"",
                    "unknown option or missing argument: \"%s\"", argv[optind - 1]);
            help(c, stderr);
            free(w);
            return EXIT_USAGE;
        }
        if (e) {
            free(w);
            return e;
        }
    }
    if (optind < argc || (!w->o.cert) != (!w->o.key)) {
        if (optind < argc)
            cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        else
            cli_err(c, "--cert と --key は一緒に指定します", "--cert and --key go together");
        free(w);
        return EXIT_USAGE;
    }
    w->o.lang = c->lang;
    w->o.catalog_dir = c->catalog_dir;
    w->o.as_of_given = c->as_of_given;
    w->o.as_of = c->as_of;
    if (getenv("ANZEN_TODAY")) { /* the tests' fixed date, as the CLI uses it */
        w->o.as_of_given = true;
        w->o.as_of = c->as_of;
    }
    if (sodium_init() < 0 || (r = cli_catalog(c))) {
        free(w);
        return EXIT_ERROR;
    }
    w->cat = c->cat;
    {
        const struct az_kev *k;
        if ((r = cli_kev(c, &k))) {
            free(w);
            return r;
        }
        w->kev = c->kev;
    }
    pthread_mutex_init(&w->lock, NULL);
    if (web_views_load(&c->ctx, w) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    if ((r = cli_open_store(c, w->o.db, &w->st)))
        goto out;
    r = EXIT_ERROR;
    snprintf(keypath, sizeof(keypath), "%s.key", w->o.db);
    if (az_seal_key_load(&c->ctx, keypath, w->seal_key) < 0) {
        cli_liberr(c);
        goto out;
    }
    randombytes_buf(w->form_key, sizeof(w->form_key));
    slash = strrchr(w->o.db, '/');
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - w->o.db) : 1, slash ? w->o.db : ".");
    if (cli_serve_start(c, w, dir, w->o.db) < 0)
        goto out;
    if (!loopback(w->o.listen))
        fprintf(stderr, "%s",
                L(c,
                  "anzen: 注意: ネットワークに公開しています。院内 LAN の外から届かないことを"
                  "確かめてください。\n",
                  "anzen: note: listening on the network. Make sure it cannot be reached from "
                  "outside the institution's LAN.\n"));
    if (az_ws_cache_new(&w->cache) < 0) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    r = web_run(w) ? EXIT_ERROR : 0;
out:
    az_ws_cache_free(w->cache);
    web_views_free(w);
    az_store_close(w->st);
    if (w->key_pem)
        sodium_memzero(w->key_pem, strlen(w->key_pem));
    free(w->key_pem);
    free(w->cert_pem);
    sodium_memzero(w, sizeof(*w));
    free(w);
    return r;
}
