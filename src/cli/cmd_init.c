/* SPDX-License-Identifier: MIT */
/*
 * cmd_init.c - `anzen init`: ask the profile questions in everyday words
 * and write profile.yaml. Answers come from the terminal or, for scripts,
 * from standard input one per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LINE 1024

static bool ask(struct cli *c, const char *q, const char *dflt, char *buf, size_t n)
{
    if (dflt && *dflt)
        printf("%s [%s] > ", q, dflt);
    else
        printf("%s > ", q);
    fflush(stdout);
    if (!cli_readline(buf, n)) {
        printf("\n");
        cli_err(c, "入力が途中で終わりました", "input ended early");
        return false;
    }
    if (!*buf && dflt)
        snprintf(buf, n, "%s", dflt);
    return true;
}

/* yes/no question; returns 1, 0, or -1 on EOF. */
static int ask_yn(struct cli *c, const char *q, int dflt)
{
    char buf[LINE];

    for (;;) {
        if (!ask(c, q,
                 dflt < 0 ? NULL
                 : dflt   ? L(c, "はい", "yes")
                          : L(c, "いいえ", "no"),
                 buf, sizeof(buf)))
            return -1;
        switch (az_ans_parse(buf)) {
        case AZ_ANS_YES:
            return 1;
        case AZ_ANS_NO:
            return 0;
        default:
            printf("%s\n", L(c, "  はい (y) か いいえ (n) で答えてください",
                             "  please answer yes (y) or no (n)"));
        }
    }
}

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方: anzen init [-p profile.yaml] [--force]\n\n"
              "医療機関・薬局の種別、病床数 (薬局では聞きません)、医療情報システムの有無、\n"
              "システム担当の職員の有無、\n"
              "使っているシステム (設置場所・事業者・導入日・リモート保守) を質問し、\n"
              "プロファイルを書き出します。端末でなければ標準入力から 1 行ずつ読みます。\n"
              "  -p, --profile FILE   書き出す先 (既定: profile.yaml)\n"
              "      --force          既存のファイルを置き換える\n",
              "usage: anzen init [-p profile.yaml] [--force]\n\n"
              "Asks for the institution type, beds (not for a pharmacy), whether medical "
              "information systems are\n"
              "used, whether there is IT operations staff, and the systems in use (hosting,\n"
              "vendor, introduction date, remote maintenance), then writes the profile. When\n"
              "standard input is not a terminal, answers are read one per line.\n"
              "  -p, --profile FILE   where to write (default profile.yaml)\n"
              "      --force          replace an existing file\n"));
}

int cmd_init(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"force", no_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *path = "profile.yaml";
    bool force = false;
    struct az_profile p;
    struct az_system sys[64];
    char name[LINE], buf[LINE], sname[64][LINE], svendor[64][LINE];
    char *sid[64] = {NULL};
    char *yaml;
    int o, yn, r;
    bool pharmacy = false;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            path = optarg;
            break;
        case 'F':
            force = true;
            break;
        case 'h':
            help(c, stdout);
            return 0;
        default:
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    if (!force && access(path, F_OK) == 0) {
        cli_err(c, "%s は既にあります (置き換えるには --force)",
                "%s already exists (use --force to replace it)", path);
        return EXIT_ERROR;
    }
    memset(&p, 0, sizeof(p));
    memset(sys, 0, sizeof(sys));
    p.beds = -1;
    printf("%s\n\n",
           L(c,
             "医療機関・薬局のプロファイルを作ります。分からないときは Enter で既定値になります。",
             "Let's describe the institution. Press Enter to take the default."));
    do {
        if (!ask(c, L(c, "医療機関・薬局の名称", "Name of the institution or pharmacy"), NULL, name,
                 sizeof(name)))
            return EXIT_ERROR;
    } while (!name[0]);
    p.name = name;
    for (;;) {
        if (!ask(c,
                 L(c, "種別 (1 病院 / 2 診療所 / 3 歯科診療所 / 4 薬局 / 5 助産所)",
                   "Type (1 hospital / 2 clinic / 3 dental clinic / 4 pharmacy / 5 midwifery "
                   "home)"),
                 "2", buf, sizeof(buf)))
            return EXIT_ERROR;
        if (strlen(buf) == 1 && buf[0] >= '1' && buf[0] <= '5') {
            p.type = 1u << (buf[0] - '1');
            break;
        }
        if ((p.type = az_inst_parse(buf)))
            break;
        printf("%s\n", L(c, "  1 から 5 の数字で答えてください", "  please answer 1 to 5"));
    }
    /* a pharmacy has no beds: not asked */
    for (; p.type != AZ_INST_PHARMACY;) {
        long beds;
        if (!ask(c, L(c, "病床数 (無床なら 0)", "Number of beds (0 if none)"), "0", buf,
                 sizeof(buf)))
            return EXIT_ERROR;
        if (az_parse_long(buf, 0, 100000, &beds) == 0) {
            p.beds = (int)beds;
            break;
        }
        printf("%s\n", L(c, "  0 以上の整数で答えてください", "  please give a whole number"));
    }
    pharmacy = p.type == AZ_INST_PHARMACY;
    if ((yn = ask_yn(c,
                     pharmacy
                         ? L(c, "レセコンや電子薬歴など、医療情報を扱うシステムを使っていますか",
                             "Does the pharmacy use any system that handles medical "
                             "information (billing computer, electronic medication "
                             "records, ...)?")
                         : L(c, "電子カルテやレセコンなど、医療情報を扱うシステムを使っていますか",
                             "Do you use any system that handles medical information (EMR, "
                             "billing computer, ...)?"),
                     1)) < 0)
        return EXIT_ERROR;
    p.medical_systems = yn;
    if ((yn = ask_yn(c,
                     pharmacy ? L(c, "薬局に IT システムの運用を仕事として担当する職員はいますか",
                                  "Does the pharmacy have staff whose job is running the IT "
                                  "systems?")
                              : L(c, "IT システムの運用を仕事として担当する職員はいますか",
                                  "Do you have staff whose job is running the IT systems?"),
                     0)) < 0)
        return EXIT_ERROR;
    p.ops_staff = yn;
    if ((yn = ask_yn(c,
                     L(c,
                       "すべてのサーバのセキュリティ更新を事業者が行うと、契約書・利用規約・SLA"
                       "に書かれていますか",
                       "Does a contract, terms of service or SLA say in writing that the vendor "
                       "applies the security updates of all servers?"),
                     0)) < 0)
        return EXIT_ERROR;
    p.outsourced = yn;
    if (p.medical_systems) {
        printf("\n%s\n",
               L(c, "使っているシステムを 1 つずつ教えてください (名前を空にすると終わります)。",
                 "Now list your systems one by one (leave the name empty to finish)."));
        while (p.nsystems < 64) {
            struct az_system *s = &sys[p.nsystems];
            size_t k = p.nsystems;
            if (!ask(c,
                     pharmacy
                         ? L(c, "システム名 (例: レセコン)", "System name (e.g. billing computer)")
                         : L(c, "システム名 (例: 電子カルテ)", "System name (e.g. EMR)"),
                     "", sname[k], sizeof(sname[k])))
                return EXIT_ERROR;
            if (!sname[k][0])
                break;
            s->id = NULL; /* chosen once every name is known */
            s->name = sname[k];
            if (!ask(c,
                     pharmacy ? L(c, "  設置場所 (1 薬局内のサーバ / 2 クラウド)",
                                  "  Hosting (1 on premises / 2 cloud)")
                              : L(c, "  設置場所 (1 院内のサーバ / 2 クラウド)",
                                  "  Hosting (1 on premises / 2 cloud)"),
                     "1", buf, sizeof(buf)))
                return EXIT_ERROR;
            s->cloud = buf[0] == '2' || !strcmp(buf, "cloud") || !strcmp(buf, "クラウド");
            if (!ask(
                    c,
                    L(c, "  提供・保守している事業者 (自前なら空)", "  Vendor (empty if in-house)"),
                    "", svendor[k], sizeof(svendor[k])))
                return EXIT_ERROR;
            s->vendor = svendor[k][0] ? svendor[k] : NULL;
            for (;;) {
                if (!ask(c,
                         L(c, "  導入日 (例: 2020-04-01、令和2年4月1日。不明なら空)",
                           "  Introduced on (e.g. 2020-04-01; empty if unknown)"),
                         "", buf, sizeof(buf)))
                    return EXIT_ERROR;
                if (!buf[0])
                    break;
                if (az_date_parse(buf, false, &s->introduced) == 0) {
                    s->has_introduced = true;
                    break;
                }
                printf("%s\n", L(c, "  日付として読めません", "  not a date"));
            }
            if (s->vendor) {
                if ((yn =
                         ask_yn(c,
                                L(c, "  事業者がネットワーク越しに保守 (リモート保守) していますか",
                                  "  Does the vendor maintain it over the network (remote "
                                  "maintenance)?"),
                                0)) < 0)
                    return EXIT_ERROR;
                s->remote_maintenance = yn;
            }
            if ((yn = ask_yn(
                     c,
                     L(c, "  ログインに 2 要素認証 (パスワード + IC カード等) を使っていますか",
                       "  Does login use two-factor authentication (password + card, "
                       "...)?"),
                     0)) < 0)
                return EXIT_ERROR;
            s->mfa = yn;
            p.nsystems++;
        }
    }
    p.systems = sys;
    /* readable IDs (emr, receipt, pacs, ...) from the names */
    for (size_t k = 0; k < p.nsystems; k++) {
        if (!(sid[k] = az_system_id_suggest(sname[k], sys, k))) {
            for (size_t j = 0; j < k; j++)
                free(sid[j]);
            cli_err(c, "メモリ不足", "out of memory");
            return EXIT_ERROR;
        }
        sys[k].id = sid[k];
    }
    yaml = az_profile_to_yaml(&p);
    r = yaml ? out_write(c, path, yaml, strlen(yaml)) : EXIT_ERROR;
    if (!yaml)
        cli_err(c, "メモリ不足", "out of memory");
    free(yaml);
    if (r) {
        for (size_t k = 0; k < p.nsystems; k++)
            free(sid[k]);
        return r;
    }
    printf("\n%s %s\n", L(c, "プロファイルを書きました:", "Wrote the profile:"), path);
    for (size_t i = 0; i < p.nsystems; i++)
        printf(L(c, "  システム ID %s = %s (--system %s、vendor-%s.yaml で使います)\n",
                 "  system ID %s = %s (used by --system %s and vendor-%s.yaml)\n"),
               sys[i].id, sys[i].name, sys[i].id, sys[i].id);
    for (size_t k = 0; k < p.nsystems; k++)
        free(sid[k]);
    cli_next(c, "anzen assess (当てはまる項目に回答する)",
             "anzen assess (answer the items that apply)");
    return 0;
}
