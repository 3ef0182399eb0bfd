/* SPDX-License-Identifier: MIT */
/*
 * cmd_audit.c - anzen audit: the host audit (include/anzen/audit.h).
 *
 *   anzen audit [run] [--root DIR] [--save] [-o FILE] [--format json]
 *   anzen audit import PC-01.json... [--save] [-o FILE] [--format json]
 *   anzen audit windows-script -o anzen-collect.ps1
 *   anzen audit list [--platform linux|windows] [--format json]
 *   anzen audit show RULE
 *
 *   anzen audit verify|log ...   the web UI's audit log (cmd_auditlog.c)
 *
 * The subcommands "verify" and "log" belong to the web audit log
 * (cmd_auditlog); this dispatcher hands them over.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "anzen/audit.h"
#include "anzen/finding.h"
#include "anzen/ledger.h"
#include "anzen/plan.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fputs(
        L(c,
          "使い方: anzen audit [run] [--root DIR] [--save] [-o FILE] [--format json]\n"
          "        anzen audit import PC-01.json... [--save] [-o FILE] [--format json]\n"
          "        anzen audit windows-script [-o anzen-collect.ps1]\n"
          "        anzen audit list [--platform linux|windows] [--format json]\n"
          "        anzen audit show 規則ID\n"
          "        anzen audit verify|log ...  (Web 画面の監査ログ: anzen audit verify --help)\n\n"
          "端末・サーバの設定を読み取りだけで点検します (何も変更しません)。\n"
          "  run              この Linux マシンを点検する (既定)。root "
          "でないと読めないものは「未確認」\n"
          "  --root DIR       用意したルートディレクトリを点検する (コマンドは実行しない)\n"
          "  import FILE      Windows の収集スクリプトの結果 (JSON) を同じ規則で点検する\n"
          "  windows-script   Windows 用の読み取り専用の収集スクリプト (PowerShell) を書き出す\n"
          "  --save           ワークスペースの audit/端末名.json に保存する (report と plan "
          "が読む)\n"
          "  -o FILE          結果の JSON をファイルに書く\n"
          "終了コード: 0 不適合なし / 2 不適合あり / 1 エラー / 64 使い方の誤り\n",
          "usage: anzen audit [run] [--root DIR] [--save] [-o FILE] [--format json]\n"
          "       anzen audit import PC-01.json... [--save] [-o FILE] [--format json]\n"
          "       anzen audit windows-script [-o anzen-collect.ps1]\n"
          "       anzen audit list [--platform linux|windows] [--format json]\n"
          "       anzen audit show RULE\n"
          "       anzen audit verify|log ...  (the web UI's audit log: anzen audit verify "
          "--help)\n\n"
          "Audit what is configured on a host, read-only (nothing is changed).\n"
          "  run              audit this Linux machine (default); what needs root is 'unknown'\n"
          "  --root DIR       audit a prepared root directory (commands are not run)\n"
          "  import FILE      evaluate the Windows collector's JSON with the same rules\n"
          "  windows-script   write the read-only Windows collector (PowerShell)\n"
          "  --save           store in the workspace as audit/HOST.json (read by report, plan)\n"
          "  -o FILE          write the result JSON to FILE\n"
          "Exit status: 0 no failures / 2 failures / 1 error / 64 usage\n"),
        f);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *mark(const char *res)
{
    if (!strcmp(res, "pass"))
        return "✓";
    if (!strcmp(res, "fail"))
        return "✗";
    if (!strcmp(res, "excepted"))
        return "E";
    if (!strcmp(res, "n/a"))
        return "-";
    return "?";
}

/* The checklist labels of topics in the current edition ("2-④ 2-⑤"). */
static char *labels(struct cli *c, const json_t *topics)
{
    struct az_buf b;
    const struct az_edition *ed = c->cat ? cli_edition(c, NULL) : NULL;
    const json_t *t;
    size_t i;

    az_buf_init(&b, 4096);
    az_buf_puts(&b, "");
    json_array_foreach(topics, i, t)
    {
        const struct az_item *items[8];
        size_t n = ed ? az_topic_items(c->cat, ed, NULL, json_string_value(t), items, 8) : 0;
        for (size_t k = 0; k < n; k++)
            az_buf_printf(&b, "%s%s", b.len ? " " : "",
                          items[k]->label ? items[k]->label : items[k]->id);
        if (!n)
            az_buf_printf(&b, "%s%s", b.len ? " " : "", json_string_value(t));
    }
    return az_buf_take(&b);
}

static void print_result(struct cli *c, const json_t *doc)
{
    const json_t *h = json_object_get(doc, "host"), *x, *counts = json_object_get(doc, "counts");
    bool en = c->lang == AZ_LANG_EN;
    size_t i;

    printf("%s: %s (%s%s%s)\n", en ? "Host" : "端末", str(h, "name"),
           str(h, "os") ? str(h, "os") : str(doc, "platform"), str(doc, "root") ? ", root " : "",
           str(doc, "root") ? str(doc, "root") : "");
    if (str(doc, "asset"))
        printf("%s: %s\n", en ? "Ledger asset" : "台帳の名称", str(doc, "asset"));
    json_array_foreach(json_object_get(doc, "results"), i, x)
    {
        const char *res = str(x, "result");
        char *lb = labels(c, json_object_get(x, "topics"));
        printf("%s %-24s %s [%s]", mark(res), str(x, "id"),
               str(json_object_get(x, "title"), en ? "en" : "ja"), lb ? lb : "");
        free(lb);
        if (!strcmp(res, "unknown"))
            fputs(en ? " (could not check)" : " (確認できませんでした)", stdout);
        if (!strcmp(res, "excepted"))
            printf(en ? " (exception: %s, %s, until %s)" : " (例外: %s、%s、%s まで)",
                   str(json_object_get(x, "exception"), "reason"),
                   str(json_object_get(x, "exception"), "owner"),
                   str(json_object_get(x, "exception"), "expires"));
        if (str(x, en ? "note_en" : "note_ja"))
            printf(" %s", str(x, en ? "note_en" : "note_ja"));
        putchar('\n');
    }
    printf(en ? "pass %lld / fail %lld / unknown %lld / excepted %lld / n/a %lld\n"
              : "合格 %lld / 不適合 %lld / 未確認 %lld / 例外 %lld / 対象外 %lld\n",
           json_integer_value(json_object_get(counts, "pass")),
           json_integer_value(json_object_get(counts, "fail")),
           json_integer_value(json_object_get(counts, "unknown")),
           json_integer_value(json_object_get(counts, "excepted")),
           json_integer_value(json_object_get(counts, "n/a")));
    if (json_integer_value(json_object_get(counts, "unknown")) > 0 && !str(doc, "root") &&
        !strcmp(str(doc, "platform"), "linux") && geteuid() != 0)
        fputs(en ? "Some checks need root (run with sudo to check them).\n"
                 : "一部の点検には root 権限が必要です (sudo で実行すると確認できます)。\n",
              stdout);
}

/* A host name safe as a file name. */
static char *file_name(const char *host)
{
    char *s = az_fmt("audit/%s.json", host && *host ? host : "host");
    if (!s)
        return NULL;
    for (char *p = s + 6; *p && strcmp(p, ".json"); p++)
        if (*p == '/' || *p == '\\' || *p == ':' || (unsigned char)*p < 0x20 || *p == '.')
            *p = '_';
    return s;
}

static int finish(struct cli *c, json_t *doc, const char *out, const char *format, bool save)
{
    json_t *exc = NULL;
    struct stat st;
    int fails;

    if (save) {
        char *fn = file_name(str(json_object_get(doc, "host"), "name"));
        if (!fn || (mkdir("audit", 0755) < 0 && errno != EEXIST)) {
            cli_err(c, "audit/ を作れません: %s", "cannot create audit/: %s",
                    az_errno_text(c->lang, errno));
            free(fn);
            return EXIT_ERROR;
        }
        if (out_json(c, fn, json_incref(doc)) < 0) {
            free(fn);
            return EXIT_ERROR;
        }
        fprintf(stderr, c->lang == AZ_LANG_EN ? "anzen: saved %s\n" : "anzen: %s に保存しました\n",
                fn);
        free(fn);
    }
    if (out && out_json(c, out, json_incref(doc)) < 0)
        return EXIT_ERROR;
    /* exceptions of the workspace are shown, never silently passing */
    if (stat("audit-exceptions.yaml", &st) == 0) {
        if (az_audit_exceptions_load(&c->ctx, "audit-exceptions.yaml", &exc) < 0 ||
            az_audit_apply_exceptions(&c->ctx, doc, exc, c->as_of) < 0) {
            json_decref(exc);
            cli_liberr(c);
            return EXIT_ERROR;
        }
        json_decref(exc);
    }
    fails = (int)json_integer_value(json_object_get(json_object_get(doc, "counts"), "fail"));
    if (!strcmp(format, "json")) {
        if (!out && out_json(c, NULL, json_incref(doc)) < 0)
            return EXIT_ERROR;
    } else {
        print_result(c, doc);
    }
    return fails ? EXIT_GAPS : 0;
}

static long long now_for(struct cli *c)
{
    if (c->as_of_given)
        return (long long)az_date_to_days(c->as_of) * 86400 + 43200;
    return (long long)time(NULL);
}

static int do_run(struct cli *c, const struct az_audit_rules *rules, const char *root,
                  const char *out, const char *format, bool save)
{
    struct az_audit_src src = {.root = root ? root : "/",
                               .commands = root == NULL,
                               .now = now_for(c),
                               .platform = "linux"};
    struct stat st;
    json_t *doc;
    int r;

    if (root && (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))) {
        cli_err(c, "%s: ディレクトリではありません", "%s: not a directory", root);
        return EXIT_ERROR;
    }
    if (az_audit_run(&c->ctx, rules, &src, c->as_of, &doc) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    r = finish(c, doc, out, format, save);
    json_decref(doc);
    return r;
}

static int do_import(struct cli *c, const struct az_audit_rules *rules, int argc, char **argv,
                     const char *out, const char *format, bool save)
{
    int worst = 0;

    if (out && argc > 1) {
        cli_err(c, "-o は 1 ファイルの取り込みのときだけ使えます (複数なら --save)",
                "-o takes one imported file only (use --save for several)");
        return EXIT_USAGE;
    }
    for (int i = 0; i < argc; i++) {
        char *data = NULL;
        size_t len;
        json_error_t je;
        json_t *facts, *doc;
        struct az_audit_src src = {.now = now_for(c), .platform = "windows"};
        int r;

        if (az_read_text_file(&c->ctx, argv[i], &data, &len) < 0) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        facts = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        free(data);
        if (!facts) {
            cli_err(c, "%s:%d:%d: JSON として読めません: %s", "%s:%d:%d: not valid JSON: %s",
                    argv[i], je.line, je.column, je.text);
            return EXIT_ERROR;
        }
        if (az_audit_facts_check(&c->ctx, argv[i], facts) < 0) {
            json_decref(facts);
            cli_liberr(c);
            return EXIT_ERROR;
        }
        src.facts = facts;
        r = az_audit_run(&c->ctx, rules, &src, c->as_of, &doc);
        if (r == 0) {
            json_object_set_new(doc, "source", json_string(argv[i]));
            if (json_array_size(json_object_get(facts, "errors")))
                json_object_set(doc, "collector_errors", json_object_get(facts, "errors"));
        }
        json_decref(facts);
        if (r < 0) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        r = finish(c, doc, out, format, save);
        json_decref(doc);
        if (r == EXIT_ERROR)
            return r;
        if (r > worst)
            worst = r;
    }
    return worst;
}

static int do_list(struct cli *c, const struct az_audit_rules *rules, const char *platform,
                   const char *format)
{
    bool en = c->lang == AZ_LANG_EN;
    json_t *arr = json_array();

    for (size_t i = 0; i < az_audit_rules_count(rules); i++) {
        const json_t *r = az_audit_rule_at(rules, i);
        if (platform && strcmp(str(r, "platform"), platform))
            continue;
        if (!strcmp(format, "json")) {
            json_array_append(arr, (json_t *)r);
            continue;
        }
        char *lb = labels(c, json_object_get(r, "topics"));
        printf("%-24s %-8s %s [%s]\n", str(r, "id"), str(r, "platform"),
               str(json_object_get(r, "title"), en ? "en" : "ja"), lb ? lb : "");
        free(lb);
    }
    if (!strcmp(format, "json"))
        return out_json(c, NULL, arr) < 0 ? EXIT_ERROR : 0;
    json_decref(arr);
    return 0;
}

static int do_show(struct cli *c, const struct az_audit_rules *rules, const char *id,
                   const char *format)
{
    const json_t *r = az_audit_rule_find(rules, id);
    const char *l = c->lang == AZ_LANG_EN ? "en" : "ja";
    char *lb, *check;

    if (!r) {
        cli_err(c, "規則 %s はありません (anzen audit list で一覧)",
                "no rule %s (see anzen audit list)", id);
        return EXIT_ERROR;
    }
    if (!strcmp(format, "json"))
        return out_json(c, NULL, json_incref((json_t *)r)) < 0 ? EXIT_ERROR : 0;
    lb = labels(c, json_object_get(r, "topics"));
    check = json_dumps(json_object_get(r, "check"), JSON_INDENT(2));
    printf("%s (%s)\n%s\n\n%s: %s\n%s: %s\n%s: %s\n%s:\n%s\n", str(r, "id"), str(r, "platform"),
           str(json_object_get(r, "title"), l), L(c, "理由", "Why"),
           str(json_object_get(r, "rationale"), l), L(c, "対処", "Fix"),
           str(json_object_get(r, "remediation"), l), L(c, "項目", "Items"), lb ? lb : "",
           L(c, "条件", "Check"), check ? check : "");
    free(lb);
    free(check);
    return 0;
}

static int do_script(struct cli *c, const char *out)
{
    size_t len;
    const char *data = az_audit_collector(&len);
    struct az_buf b;
    int r;

    if (!data) {
        cli_err(c, "収集スクリプトが組み込まれていません", "the collector is not embedded");
        return EXIT_ERROR;
    }
    /* Windows PowerShell 5.1 reads a script without a BOM as the ANSI code
     * page; the BOM makes it read the Japanese patterns as UTF-8 */
    az_buf_init(&b, len + 16);
    if (len < 3 || memcmp(data, "\xEF\xBB\xBF", 3))
        az_buf_add(&b, "\xEF\xBB\xBF", 3);
    /* CRLF line ends, as Windows editors expect */
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
            az_buf_add(&b, "\r", 1);
        az_buf_add(&b, data + i, 1);
    }
    r = out_write(c, out, b.data, b.len);
    az_buf_done(&b);
    if (r < 0)
        return EXIT_ERROR;
    if (out && strcmp(out, "-"))
        fprintf(stderr,
                c->lang == AZ_LANG_EN
                    ? "anzen: wrote %s (run on each PC: powershell -NoProfile -ExecutionPolicy "
                      "Bypass -File %s)\n"
                    : "anzen: %s を書き出しました (各 PC で: powershell -NoProfile "
                      "-ExecutionPolicy Bypass -File %s)\n",
                out, out);
    return 0;
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"root", required_argument, NULL, 'r'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"platform", required_argument, NULL, 'p'},
                                         {"save", no_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *sub = "run", *root = NULL, *out = NULL, *format = "text", *platform = NULL;
    bool save = false;
    struct az_audit_rules *rules = NULL;
    int o, r, shift = 0;

    if (argc >= 2 && (!strcmp(argv[1], "verify") || !strcmp(argv[1], "log")))
        return cmd_auditlog(c, argc, argv);
    if (argc >= 2 && argv[1][0] != '-') {
        sub = argv[1];
        shift = 1;
    }
    if (strcmp(sub, "run") && strcmp(sub, "import") && strcmp(sub, "windows-script") &&
        strcmp(sub, "list") && strcmp(sub, "show")) {
        cli_err(c, "audit に %s というサブコマンドはありません", "audit has no subcommand %s", sub);
        help(c, stderr);
        return EXIT_USAGE;
    }
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc - shift, argv + shift, "r:o:f:p:sh", opts, NULL)) != -1) {
        switch (o) {
        case 'r':
            root = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'p':
            platform = optarg;
            if (strcmp(platform, "linux") && strcmp(platform, "windows")) {
                cli_err(c, "--platform は linux か windows です", "--platform is linux or windows");
                return EXIT_USAGE;
            }
            break;
        case 's':
            save = true;
            break;
        default:
            return cli_opt_help(c, o, help);
        }
    }
    argc -= optind + shift;
    argv += optind + shift;
    if (!strcmp(sub, "windows-script")) {
        if (argc) {
            help(c, stderr);
            return EXIT_USAGE;
        }
        return do_script(c, out ? out : "anzen-collect.ps1");
    }
    if ((!strcmp(sub, "import") && argc < 1) || (!strcmp(sub, "show") && argc != 1) ||
        ((!strcmp(sub, "run") || !strcmp(sub, "list")) && argc != 0)) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    if (root && strcmp(sub, "run")) {
        cli_err(c, "--root は run にだけ使えます", "--root is only for run");
        return EXIT_USAGE;
    }
    if ((r = cli_catalog(c)))
        return r;
    if (az_audit_rules_builtin(&c->ctx, &rules) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (!strcmp(sub, "list"))
        r = do_list(c, rules, platform, format);
    else if (!strcmp(sub, "show"))
        r = do_show(c, rules, argv[0], format);
    else if (!strcmp(sub, "import"))
        r = do_import(c, rules, argc, argv, out, format, save);
    else
        r = do_run(c, rules, root, out, format, save);
    az_audit_rules_free(rules);
    return r;
}

/* The host audit's saved results (audit/HOST.json, exceptions applied,
 * joined to the ledger when there is one) feed the plan like the network
 * check's. */
int plan_add_audit(struct cli *c, struct az_plan *plan, const struct az_profile *p,
                   const char *ledger)
{
    struct az_ws_files f = {.profile = p->file, .ledger = ledger};
    struct az_workspace *ws = NULL;
    struct az_ledger *l = NULL;
    json_t *hosts = NULL, *fs = NULL;
    struct stat st;
    int r = 0;

    if (stat("audit", &st) != 0)
        return 0;
    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if ((ledger && access(ledger, F_OK) == 0 && az_ws_ledger(ws, &c->ctx, &l) < 0) ||
        az_audit_workspace(&c->ctx, ws->dir, l, c->as_of, &hosts) < 0 ||
        !(fs = az_audit_findings(hosts)) ||
        az_plan_add_findings(&c->ctx, plan, c->cat, "端末の点検", "host audit", fs) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    json_decref(fs);
    json_decref(hosts);
    az_ledger_free(l);
    az_ws_close(ws);
    return r;
}
