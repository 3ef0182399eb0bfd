/* SPDX-License-Identifier: MIT */
/*
 * cmd_auditlog.c - `anzen audit verify|log`: check the change log's hash
 * chain and signatures (auditlog.h), and list it with the web page's
 * filters as text, CSV (for Excel) or JSON.
 *
 * Self-contained: the host-audit command forwards its `verify` and `log`
 * subcommands here (argv[0] is "audit" or whatever called it, argv[1]
 * the subcommand).
 *
 * Exit codes: 0 the chain is intact / listed, 2 the chain is broken, 1
 * error, 64 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/auditlog.h"
#include "anzen/store.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fputs(
        L(c,
          "使い方: anzen audit verify [-w DB]\n"
          "        anzen audit log [-w DB] [--user 名前] [--event 種類] [--from 日付] [--to 日付]\n"
          "                        [-n 件数] [--format text|csv|json] [-o ファイル]\n"
          "  verify   監査ログ (変更履歴) のハッシュの連鎖と署名を確かめる。削除・挿入・\n"
          "           書き換えがあれば、最初の記録の番号を示して終了コード 2\n"
          "  log      監査ログを新しい順に表示する (日時は日本時間、日付は YYYY-MM-DD)\n"
          "           --event は login-failed のような種類 (末尾 * で前方一致)\n",
          "usage: anzen audit verify [-w DB]\n"
          "       anzen audit log [-w DB] [--user NAME] [--event EVENT] [--from DATE] [--to DATE]\n"
          "                       [-n COUNT] [--format text|csv|json] [-o FILE]\n"
          "  verify   check the audit log's (change log's) hash chain and signatures; a\n"
          "           deletion, insertion or edit names the first entry and exits 2\n"
          "  log      list the audit log, newest first (times in JST, dates YYYY-MM-DD)\n"
          "           --event is a token such as login-failed (a trailing * matches a prefix)\n"),
        f);
}

static int do_verify(struct cli *c, struct az_store *st)
{
    struct az_audit_verdict v;

    if (az_store_audit_verify(st, &c->ctx, &v) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (v.ok) {
        printf(L(c, "監査ログは改ざんされていません (%lld 件、連鎖と署名を確認)\n",
                 "the audit log is intact (%lld entries; chain and signatures checked)\n"),
               v.entries);
        az_audit_verdict_free(&v);
        return 0;
    }
    fprintf(stderr, "anzen: %s: %s\n", L(c, "監査ログの改ざんを検出しました", "audit log tampered"),
            L(c, v.problem_ja ? v.problem_ja : "?", v.problem_en ? v.problem_en : "?"));
    az_audit_verdict_free(&v);
    return EXIT_GAPS;
}

static int do_log(struct cli *c, struct az_store *st, const struct az_audit_filter *f,
                  const char *format, const char *out)
{
    json_t *list = NULL, *e;
    size_t i;
    int r = 0;

    if (az_store_audit_query(st, &c->ctx, f, &list) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (!strcmp(format, "csv")) {
        char *body = NULL;
        size_t len = 0;
        if (az_audit_csv(list, c->lang, &body, &len) < 0) {
            json_decref(list);
            cli_err(c, "メモリ不足", "out of memory");
            return EXIT_ERROR;
        }
        json_decref(list);
        r = out_write(c, out, body, len);
        free(body);
        return r ? EXIT_ERROR : 0;
    }
    if (!strcmp(format, "json")) {
        json_array_foreach(list, i, e)
        {
            char at[40];
            const char *label =
                az_audit_label(json_string_value(json_object_get(e, "what")), c->lang);
            az_audit_time_jst(json_string_value(json_object_get(e, "at")), at, sizeof(at));
            json_object_set_new(e, "at_jst", json_string(at));
            if (label)
                json_object_set_new(e, "label", json_string(label));
        }
        return out_json(c, out, list) ? EXIT_ERROR : 0;
    }
    {
        struct az_buf b;
        char *text;
        az_buf_init(&b, (size_t)256 << 20);
        json_array_foreach(list, i, e)
        {
            char at[40];
            const char *what = json_string_value(json_object_get(e, "what")),
                       *label = az_audit_label(what, c->lang),
                       *after = json_string_value(json_object_get(e, "after"));
            az_audit_time_jst(json_string_value(json_object_get(e, "at")), at, sizeof(at));
            az_buf_printf(&b, "%6lld  %s  %-12s %s (%s)  %s%s%s\n",
                          (long long)json_integer_value(json_object_get(e, "id")), at,
                          json_string_value(json_object_get(e, "who")), label ? label : what, what,
                          json_string_value(json_object_get(e, "object")), after ? "  " : "",
                          after && strlen(after) < 200 ? after : "");
        }
        json_decref(list);
        text = az_buf_take(&b);
        if (!text) {
            cli_err(c, "メモリ不足", "out of memory");
            return EXIT_ERROR;
        }
        r = out_write(c, out, text, strlen(text));
        free(text);
    }
    return r ? EXIT_ERROR : 0;
}

int cmd_auditlog(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"workspace", required_argument, NULL, 'w'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"user", required_argument, NULL, 'u'},
                                         {"event", required_argument, NULL, 'e'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    struct az_audit_filter f = {0};
    const char *db = "anzen.db", *format = "text", *out = NULL, *sub;
    struct az_store *st = NULL;
    long n = 0;
    int o, r;

    if ((r = cli_sub_start(c, argc, argv, help, &sub)) >= 0)
        return r;
    while ((o = getopt_long(argc - 1, argv + 1, "w:f:o:n:h", opts, NULL)) != -1) {
        switch (o) {
        case 'w':
            db = optarg;
            break;
        case 'f':
            format = optarg;
            if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json")) {
                cli_err(c, "--format は text、csv、json のどれかです",
                        "--format is text, csv or json");
                return EXIT_USAGE;
            }
            break;
        case 'o':
            out = optarg;
            break;
        case 'u':
            f.who = optarg;
            break;
        case 'e':
            f.what = optarg;
            break;
        case 'F':
            f.from = optarg;
            break;
        case 'T':
            f.to = optarg;
            break;
        case 'n':
            if (az_parse_long(optarg, 1, 1000000, &n) < 0) {
                cli_err(c, "-n は 1 から 1000000 の数です", "-n is a number from 1 to 1000000");
                return EXIT_USAGE;
            }
            break;
        default:
            return cli_opt_help(c, o, help);
        }
    }
    if (optind + 1 != argc || (strcmp(sub, "verify") && strcmp(sub, "log"))) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    f.limit = (int)n;
    if (access(db, F_OK) != 0) {
        cli_err(c, "%s: ワークスペースがありません", "%s: no such workspace", db);
        return EXIT_ERROR;
    }
    if (cli_open_store(c, db, &st))
        return EXIT_ERROR;
    r = !strcmp(sub, "verify") ? do_verify(c, st) : do_log(c, st, &f, format, out);
    az_store_close(st);
    return r;
}
