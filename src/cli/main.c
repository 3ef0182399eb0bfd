/* SPDX-License-Identifier: MIT */
/*
 * main.c - the anzen command: global options, the subcommand table and
 * dispatch (in the manner of git.c). Help is generated from the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/kev.h"
#include "cli.h"

static int cmd_help(struct cli *c, int argc, char **argv);
static int cmd_version(struct cli *c, int argc, char **argv);

/* The subcommands a command accepts, checked before it runs, with a
 * "did you mean" for a near miss (hint.c: cli_check_subcommand); the
 * completion reads the same words from each command's help, and t0057
 * checks that the two agree. */
static const char *const ledger_subs[] = {"import", "list", "check", "export", "template", NULL};
static const char *const vendor_subs[] = {"add", "list", "show", "check", "pack", "import", NULL};
static const char *const kev_subs[] = {"info", "check", "import", NULL};
static const char *const catalog_subs[] = {"list", "show", "diff", "validate", "import", NULL};
static const char *const workspace_subs[] = {"import",  "export",   "info",   "log",
                                             "history", "evidence", "backup", NULL};
static const char *const plan_subs[] = {"set", NULL};

static const struct command {
    const char *name;
    int (*fn)(struct cli *, int, char **);
    const char *summary_ja, *summary_en;
    const char *const *subs; /* NULL: not checked here */
} commands[] = {
    {"init", cmd_init, "医療機関のプロファイルを質問に答えて作る",
     "create the institution profile by answering questions", NULL},
    {"assess", cmd_assess, "適用される項目に回答する (対話式、または --answers で一括)",
     "answer the items that apply (interactive, or --answers in batch)", NULL},
    {"status", cmd_status, "現状を表示する: 役割別の点数と期限超過の項目",
     "show where the institution stands: per-role scores and overdue items", NULL},
    {"plan", cmd_plan, "対応計画 (暫定対策・本対策、担当、期限、優先順と理由): plan [set]",
     "remediation plan (interim and permanent fixes, owners, due dates, priority with "
     "reasons): plan [set]",
     plan_subs},
    {"keypoints", cmd_keypoints,
     "重点事項を点検する (二要素認証、BCP、バックアップ、役割分担、連携、電子署名)",
     "check the key points (2FA, BCP, backups, role split, connections, signatures)", NULL},
    {"diff", cmd_diff, "2 つの評価を比べる (改善・悪化・期限超過の増減)",
     "compare two assessments (improved, regressed, overdue changes)", NULL},
    {"export", cmd_export, "評価と計画を OSCAL 1.0.4 (assessment-results / POA&M) で書き出す",
     "export the assessment and plan as OSCAL 1.0.4 (assessment-results / POA&M)", NULL},
    {"ledger", cmd_ledger,
     "機器の台帳 (Excel の XLSX、CSV: UTF-8 / CP932) の取り込み・一覧・点検・書き出し: "
     "import|list|check|export",
     "the asset ledger (Excel XLSX, CSV: UTF-8 / CP932): import|list|check|export", ledger_subs},
    {"vendor", cmd_vendor,
     "事業者の登録・点検・事業者確認用の依頼と取り込み: add|list|show|check|pack|import",
     "the vendor registry, and the vendor checklist sent and read back: "
     "add|list|show|check|pack|import",
     vendor_subs},
    {"kev", cmd_kev,
     "VPN 装置などの既知の悪用された脆弱性 (CISA KEV) を調べる・更新する: info|check|import",
     "known exploited vulnerabilities of VPN and remote-access appliances (CISA KEV): "
     "info|check|import",
     kev_subs},
    {"report", cmd_report,
     "報告書を作る: 印刷用 HTML (経営層・担当者別)、様式の XLSX、PDF、JSON、Markdown",
     "write the reports: printable HTML (per role), the official form as XLSX, PDF, JSON, "
     "Markdown",
     NULL},
    {"procure", cmd_procure,
     "導入するシステムの入札仕様書・契約に書くセキュリティ要件 (HTML / XLSX)",
     "security requirements for the tender and contract of a new system (HTML / XLSX)", NULL},
    {"docs", cmd_docs,
     "文書の下書きを作る: BCP、連絡体制図、机上訓練と記録用紙 (HTML / XLSX / PDF): "
     "bcp|contacts|drill",
     "draft documents: BCP, contact chart, tabletop drill with record sheet (HTML / XLSX / "
     "PDF): bcp|contacts|drill",
     NULL},
    {"serve", cmd_serve, "ブラウザで使う画面 (HTTPS、アカウントと二要素認証つき) を起動する",
     "start the web UI (HTTPS, with accounts and two-factor authentication)", NULL},
    {"scan", cmd_scan,
     "院内 LAN を安全に調べる (VPN 装置、暗号化されていない通信、区分をまたぐ到達)",
     "check the LAN safely (VPN appliances, unencrypted traffic, cross-segment reach)", NULL},
    {"audit", cmd_audit,
     "端末・サーバの設定を読み取りで点検する (Linux、Windows の収集結果): "
     "run|import|windows-script|list|show、Web 画面の監査ログ: verify|log",
     "audit what is configured on hosts, read-only (Linux, Windows collector): "
     "run|import|windows-script|list|show; the web UI's audit log: verify|log",
     NULL},
    {"applicable", cmd_applicable, "このプロファイルに適用される項目を役割別に一覧する",
     "list the items that apply to this profile, by role", NULL},
    {"catalog", cmd_catalog,
     "カタログ (チェックリスト・ガイドライン) を見る: list|show|diff|validate",
     "browse the catalog (checklists, guideline): list|show|diff|validate", catalog_subs},
    {"workspace", cmd_workspace,
     "ワークスペース (anzen.db): import|export|info|log|history|evidence|backup",
     "the workspace (anzen.db): import|export|info|log|history|evidence|backup", workspace_subs},
    {"history", cmd_history, "記録した評価の一覧 (workspace history と同じ)",
     "list the recorded assessments (same as workspace history)", NULL},
    {"demo", cmd_demo, "架空の 19 床の診療所で一通りの流れを実行する",
     "run the whole loop on a fictional 19-bed clinic", NULL},
    {"record", cmd_record,
     "繰り返しの対策を記録する: bcp|backup|drill|contacts|training|review|list",
     "record the recurring duties: bcp|backup|drill|contacts|training|review|list", NULL},
    {"calendar", cmd_calendar, "期限と繰り返しの予定を iCalendar (.ics) に書き出す",
     "write deadlines and recurring duties as iCalendar (.ics)", NULL},
    {"completion", cmd_completion, "シェルの補完スクリプトを表示する: bash|zsh",
     "print the shell completion script: bash|zsh", NULL},
    {"user", cmd_user,
     "Web 画面の利用者の管理と復旧 (パスワード再設定、ロック解除、二要素認証の解除)",
     "manage and recover web UI users (reset password, unlock, reset 2FA)", NULL},
    {"submit", cmd_submit, "ハブ (病院グループ・医師会・都道府県) に出す署名つきの束を作る",
     "write the signed bundle shared with a hub (hospital group, association, prefecture)", NULL},
    {"hub", cmd_hub, "束を集めて集計するハブ (PostgreSQL): keygen|init|enrol|ingest|report|query",
     "the hub that collects and aggregates bundles (PostgreSQL): "
     "keygen|init|enrol|ingest|report|query",
     NULL},
    {"version", cmd_version, "版を表示する", "print the version", NULL},
    {"help", cmd_help, "使い方を表示する", "show help", NULL},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方: anzen [全体オプション] <コマンド> [オプション]\n\n"
              "医療機関のサイバーセキュリティ対策チェックリストの自己点検ツール\n\n"
              "コマンド:\n",
              "usage: anzen [global options] <command> [options]\n\n"
              "Self-assessment against the MHLW medical cybersecurity checklist\n\n"
              "Commands:\n"));
    for (size_t i = 0; i < NCOMMANDS; i++) {
        fputs("  ", f);
        out_pad(f, commands[i].name, 12);
        fprintf(f, "%s\n", L(c, commands[i].summary_ja, commands[i].summary_en));
    }
    fprintf(f, "%s",
            L(c,
              "\n全体オプション (どのコマンドの前後にも書けます):\n"
              "  --catalog DIR   組み込みカタログの代わりに DIR の YAML を使う\n"
              "  --lang ja|en    表示言語 (既定: 環境変数 ANZEN_LANG、なければロケール。\n"
              "                  ja_* と C/POSIX は ja、ほかの言語は en)\n"
              "  --as-of DATE    基準日 (既定: 今日。2025-04-01 や 令和7年4月1日)\n"
              "  -C DIR          DIR に移動してから実行する\n"
              "  -h, --help      使い方\n\n"
              "終了コード: 0 すべて対応済み/正常, 1 エラー, 2 未対応の項目あり, 64 使い方の誤り\n"
              "詳しくは: anzen help <コマンド>\n",
              "\nGlobal options (before or after the command):\n"
              "  --catalog DIR   use the YAML catalogs in DIR instead of the embedded ones\n"
              "  --lang ja|en    message language (default: ANZEN_LANG, else the locale:\n"
              "                  ja for ja_* and C/POSIX, en for any other language)\n"
              "  --as-of DATE    reference date (default today; 2025-04-01 or 令和7年4月1日)\n"
              "  -C DIR          change to DIR first\n"
              "  -h, --help      this help\n\n"
              "Exit codes: 0 ok/all satisfied, 1 error, 2 gaps found, 64 usage error\n"
              "More: anzen help <command>\n"));
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int cmd_help(struct cli *c, int argc, char **argv)
{
    const struct command *cmd;
    char *hv[] = {NULL, "--help", NULL};

    if (argc < 2) {
        usage(c, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--man"))
        return cli_help_man(c, argc - 2, argv + 2);
    cmd = find_command(argv[1]);
    if (!cmd) { /* an error with a suggestion, not the whole help */
        const char *names[NCOMMANDS];
        for (size_t i = 0; i < NCOMMANDS; i++)
            names[i] = commands[i].name;
        return cli_unknown_command(c, argv[1], names, NCOMMANDS);
    }
    if (cmd->fn == cmd_help) {
        usage(c, stdout);
        return 0;
    }
    hv[0] = argv[1];
    return cmd->fn(c, 2, hv);
}

static int cmd_version(struct cli *c, int argc, char **argv)
{
    (void)argv;
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("%s", L(c, "使い方: anzen version\n", "usage: anzen version\n"));
        return 0;
    }
    printf("anzen %s\n", AZ_VERSION);
    return 0;
}

/* ANZEN_LANG decides when set; otherwise the locale's language, the way
 * gettext reads it (LC_ALL, then LC_MESSAGES, then LANG; the first that is
 * set and not empty). A Japanese locale, or none at all (C, POSIX, C.UTF-8,
 * which is what many Japanese WSL and server shells carry), gives Japanese,
 * the tool's language; any other named language (en_US, de_DE...) gives
 * English, the only other one there is. */
static enum az_lang default_lang(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    const char *v = getenv("ANZEN_LANG");

    if (v && *v)
        return !strncmp(v, "en", 2) ? AZ_LANG_EN : AZ_LANG_JA;
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        if (!strncmp(v, "ja", 2) || !strcmp(v, "C") || !strncmp(v, "C.", 2) || !strcmp(v, "POSIX"))
            return AZ_LANG_JA;
        return AZ_LANG_EN;
    }
    return AZ_LANG_JA;
}

/* A command's output is only done once it has reached its file: flush and
 * close stdout and turn a failed write (a full disk, /dev/full, a closed
 * pipe) into exit 1 with a message, never a silent 0. */
static int finish_stdout(struct cli *c, int r)
{
    bool bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;

    if (fclose(stdout) != 0 && !bad) {
        bad = true;
        e = errno;
    }
    if (!bad)
        return r;
    if (e == EPIPE)
        return EXIT_ERROR; /* the reader went away (anzen ... | head) */
    cli_err(c, "出力を書き込めません: %s", "cannot write the output: %s",
            e == ENOSPC ? L(c, "ディスクがいっぱいです", "no space left on the device")
                        : az_errno_text(c->lang, e));
    return EXIT_ERROR;
}

/* Every argument must be UTF-8: a value typed in a CP932 terminal (or
 * pasted from an old file) would otherwise be stored as mojibake or fail
 * far away with a misleading error. Names the position and the option. */
static int check_argv_utf8(struct cli *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t len = strlen(argv[i]);
        const char *eq;
        bool sj;
        char *opt = NULL;

        if (az_utf8_invalid_at(argv[i], len) == (size_t)-1)
            continue;
        sj = az_looks_cp932(argv[i], len);
        eq = argv[i][0] == '-' ? strchr(argv[i], '=') : NULL;
        if (eq && az_utf8_invalid_at(argv[i], (size_t)(eq - argv[i])) == (size_t)-1)
            opt = strndup(argv[i], (size_t)(eq - argv[i]));
        else if (i > 1 && argv[i - 1][0] == '-' && argv[i - 1][1] &&
                 az_utf8_invalid_at(argv[i - 1], strlen(argv[i - 1])) == (size_t)-1)
            opt = strdup(argv[i - 1]);
        if (opt)
            cli_err(c,
                    "%d 番目の引数 (%s の値) が UTF-8 ではありません%s。UTF-8 で入力してください",
                    "argument %d (the value of %s) is not UTF-8%s; type it as UTF-8", i, opt,
                    sj ? (c->lang == AZ_LANG_EN ? " (it looks like Shift_JIS/CP932)"
                                                : " (Shift_JIS/CP932 のようです)")
                       : "");
        else
            cli_err(c, "%d 番目の引数が UTF-8 ではありません%s。UTF-8 で入力してください",
                    "argument %d is not UTF-8%s; type it as UTF-8", i,
                    sj ? (c->lang == AZ_LANG_EN ? " (it looks like Shift_JIS/CP932)"
                                                : " (Shift_JIS/CP932 のようです)")
                       : "");
        free(opt);
        return EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct cli c;
    char **rest;
    int nrest = 0, r;
    const struct command *cmd;

    memset(&c, 0, sizeof(c));
    opterr = 0; /* every command prints its own message, in the user's language */
    c.lang = default_lang();
    az_ctx_init(&c.ctx, c.lang);
    /* completion asks with the words as typed: no global option applies */
    if (argc > 1 && !strcmp(argv[1], "__complete")) {
        r = cli_complete(&c, argc - 1, argv + 1);
        az_catalog_free(c.cat);
        return finish_stdout(&c, r);
    }
    /* --lang is parsed below; peek at it so the UTF-8 error speaks it */
    for (int i = 1; i < argc; i++) {
        const char *v = !strncmp(argv[i], "--lang=", 7)              ? argv[i] + 7
                        : !strcmp(argv[i], "--lang") && i + 1 < argc ? argv[i + 1]
                                                                     : NULL;
        if (v && (!strcmp(v, "en") || !strcmp(v, "ja"))) {
            c.lang = !strcmp(v, "en") ? AZ_LANG_EN : AZ_LANG_JA;
            c.ctx.lang = c.lang;
        }
    }
    r = check_argv_utf8(&c, argc, argv);
    if (r)
        return r;
    rest = calloc((size_t)argc + 1, sizeof(*rest));
    if (!rest)
        return EXIT_ERROR;

    /* Pull the global options out of argv, wherever they are. Stop at "--". */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        size_t n;
        if (!strcmp(a, "--")) {
            while (i < argc)
                rest[nrest++] = argv[i++];
            break;
        }
#define GLOBAL_OPT(name)                                                                           \
    (n = strlen(name),                                                                             \
     !strncmp(a, name, n) && (a[n] == '\0' || a[n] == '=') &&                                      \
         ((val = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL)), 1))
        if (GLOBAL_OPT("--lang")) {
            if (!val || (strcmp(val, "ja") && strcmp(val, "en"))) {
                cli_err(&c, "--lang は ja か en です", "--lang takes ja or en");
                free(rest);
                return EXIT_USAGE;
            }
            c.lang = !strcmp(val, "en") ? AZ_LANG_EN : AZ_LANG_JA;
            c.ctx.lang = c.lang;
        } else if (GLOBAL_OPT("--catalog")) {
            if (!val) {
                cli_err(&c, "--catalog にはディレクトリが必要です", "--catalog needs a directory");
                free(rest);
                return EXIT_USAGE;
            }
            c.catalog_dir = val;
        } else if (GLOBAL_OPT("--as-of")) {
            if (!val || az_date_parse(val, false, &c.as_of) < 0) {
                cli_err(&c, "--as-of の日付 \"%s\" が読めません (受け付ける形式: %s)",
                        "cannot read the --as-of date \"%s\" (accepted forms: %s)", val ? val : "",
                        cli_date_forms(&c));
                free(rest);
                return EXIT_USAGE;
            }
            c.as_of_given = true;
        } else if (!strcmp(a, "-C")) {
            if (i + 1 >= argc) {
                cli_err(&c, "-C にはディレクトリが必要です", "-C needs a directory");
                free(rest);
                return EXIT_USAGE;
            }
            c.dir = argv[++i];
        } else {
            rest[nrest++] = argv[i];
        }
#undef GLOBAL_OPT
    }
    if (c.dir && chdir(c.dir) < 0) {
        cli_err(&c, "%s に移動できません: %s", "cannot change to %s: %s", c.dir,
                az_errno_text(c.lang, errno));
        free(rest);
        return EXIT_ERROR;
    }
    if (!c.as_of_given && az_today(secure_getenv("ANZEN_TODAY"), &c.as_of) < 0) {
        cli_err(&c, "今日の日付を決められません (ANZEN_TODAY を確認)",
                "cannot determine today's date (check ANZEN_TODAY)");
        free(rest);
        return EXIT_ERROR;
    }
    if (nrest == 0) {
        usage(&c, stderr);
        free(rest);
        return EXIT_USAGE;
    }
    if (!strcmp(rest[0], "-h") || !strcmp(rest[0], "--help")) {
        usage(&c, stdout);
        free(rest);
        return finish_stdout(&c, 0);
    }
    if (!strcmp(rest[0], "--version")) {
        printf("anzen %s\n", AZ_VERSION);
        free(rest);
        return finish_stdout(&c, 0);
    }
    cmd = find_command(rest[0]);
    if (!cmd) {
        const char *names[NCOMMANDS];
        for (size_t i = 0; i < NCOMMANDS; i++)
            names[i] = commands[i].name;
        r = cli_unknown_command(&c, rest[0], names, NCOMMANDS);
        free(rest);
        return r;
    }
    r = cli_check_subcommand(&c, cmd->name, cmd->subs, nrest, rest);
    if (!r)
        r = cmd->fn(&c, nrest, rest);
    az_catalog_free(c.cat);
    az_kev_free(c.kev);
    free(rest);
    return finish_stdout(&c, r);
}

/* The table for what is generated from it (cli.h). */
size_t cli_ncommands(void)
{
    return NCOMMANDS;
}

const char *cli_command_name(size_t i)
{
    return commands[i].name;
}

const char *cli_command_summary(size_t i, enum az_lang lang)
{
    return lang == AZ_LANG_EN ? commands[i].summary_en : commands[i].summary_ja;
}

int cli_command_run(struct cli *c, size_t i, int argc, char **argv)
{
    return commands[i].fn(c, argc, argv);
}

void cli_print_usage(struct cli *c, FILE *f)
{
    usage(c, f);
}
