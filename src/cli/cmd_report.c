/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - `anzen report`: the reports people hand over (HTML with
 * charts, the official checklist form as XLSX, Markdown, and the
 * anzen-report/1 JSON), and a PDF through headless Chromium. Also the
 * loading of everything a report shows (report_load), shared with
 * `anzen demo` and `anzen vendor pack`.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "anzen/keypoints.h"
#include "anzen/ledger.h"
#include "anzen/plan.h"
#include "anzen/report.h"
#include "anzen/store.h"
#include "anzen/vendor.h"
#include "anzen/xlsx.h"
#include "cli.h"
#include "report_load.h"

int report_path_option(struct cli *c, int o, const char *arg, struct report_paths *rp)
{
    switch (o) {
    case 'p':
        rp->profile = arg;
        return 0;
    case 'a':
        rp->answers = arg;
        return cli_given_file(c, "-a", arg) ? EXIT_ERROR : 0;
    case 'w':
        rp->workspace = arg;
        return cli_given_file(c, "-w", arg) ? EXIT_ERROR : 0;
    case 'L':
        rp->ledger = arg;
        return 0;
    case 'V':
        rp->vendors = arg;
        return 0;
    case 'S':
        rp->scan = arg;
        return 0;
    case 'e':
        rp->edition = arg;
        return 0;
    default:
        return -1;
    }
}

int report_load(struct cli *c, const struct report_paths *rp, struct az_ws_view **ret)
{
    return report_load_with(c, rp, NULL, 0, ret);
}

int report_load_with(struct cli *c, const struct report_paths *rp,
                     const struct az_plan_state *states, size_t nstates, struct az_ws_view **ret)
{
    struct az_ws_files f = {.profile = rp->profile,
                            .answers = rp->answers,
                            .db = rp->workspace,
                            .ledger = rp->ledger,
                            .vendors = rp->vendors,
                            .scan = rp->scan};
    struct az_workspace *ws;
    int r;

    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if ((states ? az_ws_load_with(ws, &c->ctx, rp->edition, states, nstates, ret)
                : az_ws_load(ws, &c->ctx, rp->edition, ret)) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    } else if ((*ret)->notice)
        fprintf(stderr, "anzen: %s\n", (*ret)->notice);
    az_ws_close(ws);
    return r;
}

/* ---- PDF through headless Chromium ---- */

/* The Chromium to use: $ANZEN_CHROMIUM, else the first of the usual
 * names on PATH. Returns false when none is found. */
static bool find_chromium(char *buf, size_t n)
{
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome",
                                        "google-chrome-stable"};
    const char *env = getenv("ANZEN_CHROMIUM"), *path = getenv("PATH");

    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return access(buf, X_OK) == 0;
    }
    if (!path)
        path = "/usr/bin:/bin";
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *p = path;
        while (*p) {
            const char *colon = strchr(p, ':');
            size_t l = colon ? (size_t)(colon - p) : strlen(p);
            if (l) {
                snprintf(buf, n, "%.*s/%s", (int)l, p, names[i]);
                if (access(buf, X_OK) == 0)
                    return true;
            }
            p += l + (colon ? 1 : 0);
        }
    }
    return false;
}

static void chromium_hint(struct cli *c)
{
    fprintf(stderr, "%s",
            L(c,
              "  PDF を作るには Chromium が必要です。次のどれかで用意してください:\n"
              "    sudo apt-get install chromium        (Debian / Ubuntu)\n"
              "    または環境変数 ANZEN_CHROMIUM に Chromium / Chrome の実行ファイルを指定\n"
              "  Chromium がなくても、同じコマンドを PDF の指定 (--pdf / --format pdf) なしで\n"
              "  実行して HTML を作り、ブラウザで開いて「印刷」→「PDF に保存」(用紙 A4・縦)\n"
              "  で同じ PDF が作れます。\n",
              "  Making a PDF needs Chromium. Either:\n"
              "    sudo apt-get install chromium        (Debian / Ubuntu)\n"
              "    or set ANZEN_CHROMIUM to a Chromium / Chrome executable\n"
              "  Without it, run the same command without --pdf / --format pdf to get the\n"
              "  HTML, open it in a browser and use Print -> Save as PDF (A4, portrait).\n"));
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Remove the temporary directory we made (and the profile Chromium left
 * in it), not following symbolic links. */
static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Print html to pdf_path with Chromium (atomic: temp file then rename). */
int report_pdf(struct cli *c, const char *html, size_t len, const char *pdf_path)
{
    char chromium[PATH_MAX], tmpl[1024], page[PATH_MAX], out[PATH_MAX], prof[PATH_MAX],
        arg_out[PATH_MAX + 32], arg_prof[PATH_MAX + 32], url[PATH_MAX + 16];
    pid_t pid;
    int st = 0, r = EXIT_ERROR, fd;
    struct stat sb;
    time_t start;

    {
        const char *td = getenv("TMPDIR");
        snprintf(tmpl, sizeof(tmpl), "%s/anzen-pdf.XXXXXX", td && *td ? td : "/tmp");
    }
    if (!find_chromium(chromium, sizeof(chromium))) {
        cli_err(c, "Chromium が見つかりません (PATH または ANZEN_CHROMIUM)",
                "Chromium not found (PATH or ANZEN_CHROMIUM)");
        chromium_hint(c);
        return EXIT_ERROR;
    }
    if (!mkdtemp(tmpl)) {
        cli_err(c, "一時ディレクトリを作れません: %s", "cannot create a temporary directory: %s",
                az_errno_text(c->lang, errno));
        return EXIT_ERROR;
    }
    snprintf(page, sizeof(page), "%s/report.html", tmpl);
    snprintf(out, sizeof(out), "%s/report.pdf", tmpl);
    snprintf(prof, sizeof(prof), "%s/profile", tmpl);
    if (az_write_file_atomic(&c->ctx, page, html, len) < 0) {
        cli_liberr(c);
        rm_tree(tmpl);
        return EXIT_ERROR;
    }
    snprintf(arg_out, sizeof(arg_out), "--print-to-pdf=%s", out);
    snprintf(arg_prof, sizeof(arg_prof), "--user-data-dir=%s", prof);
    snprintf(url, sizeof(url), "file://%s", page);
    fprintf(stderr, L(c, "anzen: Chromium で PDF を作っています...\n",
                      "anzen: making the PDF with Chromium...\n"));
    pid = fork();
    if (pid == 0) {
        const char *argv[16];
        int n = 0;
        argv[n++] = chromium;
        argv[n++] = "--headless";
        if (geteuid() == 0)
            argv[n++] = "--no-sandbox"; /* Chromium refuses to run as root otherwise */
        argv[n++] = "--disable-gpu";
        argv[n++] = "--disable-background-networking";
        argv[n++] = "--disable-component-update";
        argv[n++] = "--disable-sync";
        argv[n++] = "--no-first-run";
        argv[n++] = "--no-pdf-header-footer";
        argv[n++] = arg_prof;
        argv[n++] = arg_out;
        argv[n++] = url;
        argv[n] = NULL;
        fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(chromium, (char *const *)argv);
        _exit(127);
    }
    if (pid < 0) {
        cli_err(c, "Chromium を起動できません: %s", "cannot start Chromium: %s",
                az_errno_text(c->lang, errno));
        rm_tree(tmpl);
        return EXIT_ERROR;
    }
    start = time(NULL);
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            break;
        if (time(NULL) - start > 120) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            cli_err(c, "Chromium が 120 秒以内に終わりませんでした",
                    "Chromium did not finish in 120 s");
            rm_tree(tmpl);
            return EXIT_ERROR;
        }
        usleep(50000);
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || stat(out, &sb) < 0 || sb.st_size < 100) {
        cli_err(c, "Chromium が PDF を作れませんでした (%s)", "Chromium did not produce a PDF (%s)",
                chromium);
        chromium_hint(c);
    } else {
        char *pdf = NULL;
        size_t plen = 0;
        FILE *f = fopen(out, "rb");
        if (f) {
            pdf = malloc((size_t)sb.st_size);
            if (pdf)
                plen = fread(pdf, 1, (size_t)sb.st_size, f);
            fclose(f);
        }
        if (pdf && plen == (size_t)sb.st_size)
            r = out_write(c, pdf_path, pdf, plen);
        else
            cli_err(c, "%s を読めません", "cannot read %s", out);
        free(pdf);
    }
    rm_tree(tmpl);
    return r;
}

/* ---- the command ---- */

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen report [--format html|xlsx|json|md] [--role 役割] [-o FILE] [--pdf]\n"
          "                    [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
          "                    [--ledger ledger.csv] [--vendors vendors.yaml] [--scan scan.json]\n"
          "                    [--edition 版]\n\n"
          "経営層・立入検査・事業者に渡す報告書を作ります。\n"
          "  html  印刷できる報告書 (1 ファイル、グラフ入り、外部への通信なし)。既定。\n"
          "        --role management で経営層向けの 1 ページ、planning / operations で\n"
          "        その担当の項目・未対応・計画 (暫定対策と本対策)。指定なしは全体。\n"
          "  xlsx  厚生労働省のチェックリストの様式 (はい/いいえ、確認日、目標日、備考)、\n"
          "        対応計画と機器台帳のシート付き\n"
          "  json  報告書の内容 (anzen-report/1、docs/report-json.md)\n"
          "  md    Markdown\n"
          "  --inspection   立入検査の準備資料 (項目ごとの証跡、不足している文書、\n"
          "                 いいえの暫定対策と目標日。html / xlsx、--pdf も可)\n"
          "  --pdf          HTML を Chromium で PDF にする (既定の出力 report.pdf)\n"
          "  -o, --output   出力先 (既定: report.html / checklist.xlsx、json と md は標準出力。\n"
          "                 - で標準出力)\n"
          "  ワークスペース (anzen.db) があれば計画の担当・状態・期限を使い、\n"
          "  プロファイルと同じ場所の ledger.csv と vendors.yaml、回答と同じ場所の\n"
          "  vendor-SYSTEM.yaml (事業者確認用の回答)、ネットワークの点検の結果 scan.json\n"
          "  (anzen scan -o scan.json) も載せます。\n",
          "usage: anzen report [--format html|xlsx|json|md] [--role ROLE] [-o FILE] [--pdf]\n"
          "                    [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
          "                    [--ledger ledger.csv] [--vendors vendors.yaml] [--scan scan.json]\n"
          "                    [--edition ED]\n\n"
          "Writes the reports handed to management, the inspector and the vendors.\n"
          "  html  printable report (one file, charts inline, no network access); default.\n"
          "        --role management: the one page for management; planning / operations:\n"
          "        that role's items, gaps and plan (interim and permanent). Default: all.\n"
          "  xlsx  the MHLW checklist form (yes/no, date checked, target date, notes),\n"
          "        with remediation-plan and asset-ledger sheets\n"
          "  json  the report's content (anzen-report/1, docs/report-json.md)\n"
          "  md    Markdown\n"
          "  --inspection   the inspection pack (evidence per item, missing documents,\n"
          "                 interim measures and dates for いいえ; html / xlsx, or --pdf)\n"
          "  --pdf          print the HTML to PDF with Chromium (default output report.pdf)\n"
          "  -o, --output   where to write (default report.html / checklist.xlsx; json and\n"
          "                 md to standard output; - for standard output)\n"
          "  The workspace (anzen.db), when present, gives the plan's owners, states and\n"
          "  dates; ledger.csv and vendors.yaml next to the profile, the vendors'\n"
          "  answers (vendor-SYSTEM.yaml) next to the answers, and the network check\n"
          "  scan.json (anzen scan -o scan.json) are included.\n"));
}

int cmd_report(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {REPORT_PATH_OPTIONS,
                                         {"scan", required_argument, NULL, 'S'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"pdf", no_argument, NULL, 'P'},
                                         {"inspection", no_argument, NULL, 'N'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct report_paths rp = REPORT_PATHS_DEFAULT;
    const char *format = "html", *output = NULL;
    unsigned roles = 0;
    bool pdf = false, inspection = false;
    struct az_ws_view *rd = NULL;
    json_t *evidence = NULL;
    struct az_buf b;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:w:e:f:r:o:h", opts, NULL)) != -1) {
        if ((r = report_path_option(c, o, optarg, &rp)) >= 0) {
            if (r)
                return r;
            continue;
        }
        switch (o) {
        case 'f':
            format = optarg;
            if (strcmp(format, "html") && strcmp(format, "xlsx") && strcmp(format, "json") &&
                strcmp(format, "md")) {
                cli_err(c, "--format は html / xlsx / json / md です",
                        "--format takes html, xlsx, json or md");
                return EXIT_USAGE;
            }
            break;
        case 'r':
            if (!strcmp(optarg, "all")) {
                roles = 0;
                break;
            }
            roles = az_role_parse(optarg);
            if (!roles) {
                cli_err(c,
                        "--role は management / planning / operations / all (経営層 / 企画管理者 "
                        "/ システム運用担当者) です",
                        "--role takes management, planning, operations or all");
                return EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'P':
            pdf = true;
            break;
        case 'N':
            inspection = true;
            break;
        case 'h':
            help(c, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足: \"%s\"",
                    "unknown option or missing argument: \"%s\"", argv[optind - 1]);
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (pdf && strcmp(format, "html")) {
        cli_err(c, "--pdf は --format html のときだけ使えます", "--pdf goes with --format html");
        return EXIT_USAGE;
    }
    if (inspection) {
        /* the inspection pack: html (default), xlsx, or pdf with --pdf */
        if (strcmp(format, "html") && strcmp(format, "xlsx")) {
            cli_err(c, "--inspection は --format html / xlsx です",
                    "--inspection takes --format html or xlsx");
            return EXIT_USAGE;
        }
        if ((r = cli_catalog(c)))
            return r;
        return docs_write(c, &rp, "inspection", pdf ? "pdf" : format,
                          output ? output
                          : pdf
                              ? "inspection.pdf"
                              : (!strcmp(format, "xlsx") ? "inspection.xlsx" : "inspection.html"));
    }
    if ((r = report_load(c, &rp, &rd)))
        return r;
    if (!strcmp(format, "xlsx")) {
        /* the evidence on file goes into each item's notes */
        if ((r = docs_evidence(c, rp.workspace, &evidence))) {
            az_ws_view_free(rd);
            return r;
        }
        rd->in.evidence = evidence;
    }
    az_buf_init(&b, 64u * 1024 * 1024);
    if (!strcmp(format, "json")) {
        json_t *m = az_report_model(&rd->in, c->lang);
        r = m ? out_json(c, output, m) : EXIT_ERROR;
    } else if (!strcmp(format, "xlsx")) {
        const char *path = output ? output : "checklist.xlsx";
        if (!strcmp(path, "-")) {
            cli_err(c, "XLSX は標準出力には書けません (-o FILE)",
                    "XLSX cannot go to standard output (use -o FILE)");
            r = EXIT_USAGE;
        } else if (az_xlsx_checklist(&c->ctx, &rd->in, path) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else {
            fprintf(stderr, L(c, "anzen: %s を書きました\n", "anzen: wrote %s\n"), path);
        }
    } else {
        int e = !strcmp(format, "md") ? az_report_md(&c->ctx, &rd->in, roles, &b)
                                      : az_report_html(&c->ctx, &rd->in, roles, &b);
        if (e < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else if (pdf) {
            const char *path = output ? output : "report.pdf";
            r = report_pdf(c, b.data, b.len, path);
            if (!r)
                fprintf(stderr, L(c, "anzen: %s を書きました\n", "anzen: wrote %s\n"), path);
        } else {
            const char *path = output ? output : !strcmp(format, "md") ? NULL : "report.html";
            r = out_write(c, path, b.data, b.len);
            if (!r && path && strcmp(path, "-"))
                fprintf(stderr, L(c, "anzen: %s を書きました\n", "anzen: wrote %s\n"), path);
        }
    }
    if (!r && strcmp(format, "json") && (!output || strcmp(output, "-"))) {
        /* not the command just run again */
        if (pdf && roles == AZ_ROLE_MANAGEMENT)
            cli_next(c,
                     "anzen report --format xlsx (立入検査用の様式)、anzen vendor pack "
                     "(事業者への依頼)",
                     "anzen report --format xlsx (the inspection form), anzen vendor pack "
                     "(requests to vendors)");
        else
            cli_next(c,
                     "anzen report --role management --pdf (経営層向け 1 ページを PDF で)、anzen "
                     "report --format xlsx (立入検査用の様式)、anzen vendor pack (事業者への依頼)",
                     "anzen report --role management --pdf (the page for management), anzen "
                     "report --format xlsx (the inspection form), anzen vendor pack (requests to "
                     "vendors)");
    }
    az_buf_done(&b);
    az_ws_view_free(rd);
    json_decref(evidence);
    return r;
}
