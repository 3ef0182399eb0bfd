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
#include <strings.h>
#include <unistd.h>

#include "anzen/records.h"
#include "cli.h"

#define LINE 1024

/* An answer that is not UTF-8 (typed in a CP932 terminal, piped from a
 * Shift_JIS file) would be written into profile.yaml, which then cannot be
 * read: say so and ask again. */
static bool answer_utf8(struct cli *c, const char *buf)
{
    size_t len = strlen(buf);

    if (az_utf8_invalid_at(buf, len) == (size_t)-1)
        return true;
    if (az_looks_cp932(buf, len))
        printf("%s\n", L(c,
                         "  入力が UTF-8 ではありません (Shift_JIS/CP932 のようです)。"
                         "端末の文字コードを UTF-8 にして、もう一度入力してください",
                         "  the answer is not UTF-8 (it looks like Shift_JIS/CP932); set the "
                         "terminal to UTF-8 and type it again"));
    else
        printf("%s\n", L(c, "  入力が UTF-8 ではありません。もう一度入力してください",
                         "  the answer is not UTF-8; please type it again"));
    return false;
}

/* Full-width digits, letters and spaces (２, Ｙ, "　") to ASCII, in place,
 * then trim spaces: for answers that are parsed, not for names. */
static void fold_ascii(char *buf)
{
    unsigned char *r = (unsigned char *)buf, *w = (unsigned char *)buf;
    char *e;

    while (*r) {
        if (r[0] == 0xef && r[1] == 0xbc && r[2] >= 0x90 && r[2] <= 0x99) {
            *w++ = (unsigned char)('0' + r[2] - 0x90); /* ０-９ */
            r += 3;
        } else if (r[0] == 0xef && r[1] == 0xbc && r[2] >= 0xa1 && r[2] <= 0xba) {
            *w++ = (unsigned char)('A' + r[2] - 0xa1); /* Ａ-Ｚ */
            r += 3;
        } else if (r[0] == 0xef && r[1] == 0xbd && r[2] >= 0x81 && r[2] <= 0x9a) {
            *w++ = (unsigned char)('a' + r[2] - 0x81); /* ａ-ｚ */
            r += 3;
        } else if (r[0] == 0xe3 && r[1] == 0x80 && r[2] == 0x80) {
            *w++ = ' '; /* 全角スペース */
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    if ((buf[0] == 'Y' || buf[0] == 'N') && !buf[1])
        buf[0] = (char)(buf[0] - 'A' + 'a'); /* Ｙ, N: yes/no answers */
    for (e = buf + strlen(buf); e > buf && e[-1] == ' ';)
        *--e = '\0';
    e = buf + strspn(buf, " ");
    memmove(buf, e, strlen(e) + 1);
}

static bool ask(struct cli *c, const char *q, const char *dflt, char *buf, size_t n)
{
    do {
        if (dflt && *dflt)
            printf("%s [%s] > ", q, dflt);
        else
            printf("%s > ", q);
        fflush(stdout);
        if (!cli_readline(c, buf, n)) {
            printf("\n");
            cli_err(c, "入力が途中で終わりました", "input ended early");
            return false;
        }
    } while (!answer_utf8(c, buf));
    if (!*buf && dflt)
        snprintf(buf, n, "%s", dflt);
    return true;
}

/* ask, for an answer that is parsed (numbers, yes/no, choices) */
static bool ask_fold(struct cli *c, const char *q, const char *dflt, char *buf, size_t n)
{
    if (!ask(c, q, dflt, buf, n))
        return false;
    fold_ascii(buf);
    if (!*buf && dflt)
        snprintf(buf, n, "%s", dflt);
    return true;
}

/* yes/no question; returns 1, 0, or -1 on EOF. */
static int ask_yn(struct cli *c, const char *q, int dflt)
{
    char buf[LINE];

    for (;;) {
        if (!ask_fold(c, q,
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

/* ---- the recurring duties (records.h): optional questions at the end.
 * End of input here is not an error: what was not answered stays
 * unrecorded (未記録), so scripts written for the questions above work. */

/* はい / いいえ / 分からない: 1, 0, -1 (unknown or empty), -2 at end of input */
static int ask_ynu(struct cli *c, const char *q)
{
    char buf[LINE];

    for (;;) {
        printf("%s [%s] > ", q, L(c, "分からない", "don't know"));
        fflush(stdout);
        if (!cli_readline(c, buf, sizeof(buf))) {
            printf("\n");
            return -2;
        }
        if (!answer_utf8(c, buf))
            continue;
        fold_ascii(buf);
        if (!*buf || !strcmp(buf, "分からない") || !strcmp(buf, "?") ||
            !strcasecmp(buf, "unknown") || !strcasecmp(buf, "don't know"))
            return -1;
        switch (az_ans_parse(buf)) {
        case AZ_ANS_YES:
            return 1;
        case AZ_ANS_NO:
            return 0;
        default:
            printf("%s\n", L(c, "  はい / いいえ で答えてください (分からなければ Enter)",
                             "  please answer yes or no (Enter if you don't know)"));
        }
    }
}

/* a date in the past, or none (empty); -2 at end of input */
static int ask_date(struct cli *c, const char *q, struct az_date *ret)
{
    char buf[LINE];

    for (;;) {
        printf("%s > ", q);
        fflush(stdout);
        if (!cli_readline(c, buf, sizeof(buf))) {
            printf("\n");
            return -2;
        }
        if (!answer_utf8(c, buf))
            continue;
        fold_ascii(buf);
        if (!*buf)
            return 0;
        if (az_date_parse(buf, false, ret) == 0 && az_date_cmp(*ret, c->as_of) <= 0)
            return 1;
        printf("%s\n",
               L(c, "  日付として読めないか、今日より後です (例: 2026-05-01、令和8年5月1日)",
                 "  not a date, or after today (e.g. 2026-05-01)"));
    }
}

struct duty_answers {
    struct az_record rec[6];
    size_t n;
};

static void duty_add(struct duty_answers *d, enum az_rec_kind k, struct az_date date, int result)
{
    struct az_record *r = &d->rec[d->n++];
    memset(r, 0, sizeof(*r));
    r->kind = k;
    r->date = date;
    r->minutes = -1;
    r->result = result > 0 ? AZ_RES_OK : result == 0 ? AZ_RES_FAILED : AZ_RES_NONE;
    r->note = (char *)"anzen init";
}

/* A document kept and reviewed (the BCP, the contact chart): whether it
 * exists goes into the profile, the date it was last made or reviewed
 * becomes a record. -2 when the input ended, else 0. */
static int ask_kept(struct cli *c, struct duty_answers *d, const char *question,
                    struct az_kept *kept, enum az_rec_kind kind)
{
    struct az_date dt;
    int yn, k;

    if ((yn = ask_ynu(c, question)) == -2)
        return -2;
    if (yn < 0)
        return 0;
    kept->stated = true;
    kept->present = yn;
    if (!yn)
        return 0;
    if ((k = ask_date(c,
                      L(c, "  最後に作った・見直した日はいつですか (分からなければ空)",
                        "  When was it last made or reviewed? (empty if unknown)"),
                      &dt)) == -2)
        return -2;
    if (k == 1)
        duty_add(d, kind, dt, -1);
    return 0;
}

/* Ask about the BCP, the contact chart, backups, restore drills, training
 * and electronic signatures: facts go into the profile, dated events
 * become records. */
static void ask_duties(struct cli *c, struct az_profile *p, struct duty_answers *d)
{
    struct az_date dt;
    int yn, k;

    printf("\n%s\n",
           L(c,
             "最後に、毎年くり返す対策について聞きます。分からなければ Enter で飛ばせます\n"
             "(「未記録」として残り、あとで anzen record で記録できます)。",
             "Finally, the duties that recur each year. Press Enter to skip a question\n"
             "(it stays \"not recorded\"; record it later with anzen record)."));
    /* the BCP */
    if (ask_kept(c, d,
                 p->type == AZ_INST_PHARMACY
                     ? L(c,
                         "サイバー攻撃を受けたときに調剤業務を続けるための計画 (BCP) "
                         "はありますか",
                         "Is there a plan to keep dispensing during a cyber attack (BCP)?")
                     : L(c,
                         "サイバー攻撃を受けたときに診療を続けるための計画 (BCP) "
                         "はありますか",
                         "Is there a plan to keep treating patients during a cyber "
                         "attack (BCP)?"),
                 &p->cyber_bcp, AZ_REC_BCP) == -2)
        return;
    /* the contact chart */
    if (ask_kept(c, d,
                 L(c,
                   "事故のとき、だれがどこ (事業者・警察・役所など) に連絡するかをまとめた"
                   "連絡体制図はありますか",
                   "Is there a contact chart saying who calls whom (vendors, police, "
                   "authorities) in an incident?"),
                 &p->incident_contacts, AZ_REC_CONTACTS) == -2)
        return;
    /* backups */
    if ((yn = ask_ynu(c, L(c,
                           "ネットワークから切り離したバックアップ (取ったあと外して保管する"
                           "ディスクなど) はありますか",
                           "Is there a backup kept off the network (a disk unplugged after the "
                           "backup, ...)?"))) == -2)
        return;
    if (yn >= 0) {
        p->backup_stated = true;
        p->backup_offline = yn;
    }
    if ((k = ask_date(c,
                      L(c,
                        "最後にバックアップから実際にデータを戻してみた (復元訓練) のはいつですか "
                        "(したことがなければ空)",
                        "When did you last actually restore data from a backup (a restore "
                        "drill)? (empty if never)"),
                      &dt)) == -2)
        return;
    if (k == 1) {
        if ((yn = ask_ynu(c, L(c, "  そのとき、うまく戻せましたか", "  Did the restore work?"))) ==
            -2) {
            duty_add(d, AZ_REC_DRILL, dt, -1);
            return;
        }
        duty_add(d, AZ_REC_DRILL, dt, yn);
    }
    /* training */
    if ((k = ask_date(c,
                      L(c, "職員向けのセキュリティ研修を最後にしたのはいつですか (なければ空)",
                        "When was the last security training for staff? (empty if none)"),
                      &dt)) == -2)
        return;
    if (k == 1)
        duty_add(d, AZ_REC_TRAINING, dt, -1);
    /* electronic signatures */
    if ((yn = ask_ynu(c, p->type == AZ_INST_PHARMACY
                             ? L(c,
                                 "電子処方箋の調剤結果などに電子署名 (HPKI カードなど) を"
                                 "使っていますか",
                                 "Do you sign records (electronic prescription dispensing "
                                 "results, ...) electronically (HPKI card, ...)?")
                             : L(c, "紹介状などに電子署名 (HPKI カードなど) を使っていますか",
                                 "Do you sign documents (referral letters, ...) electronically "
                                 "(HPKI card, ...)?"))) == -2)
        return;
    if (yn == 0)
        p->signatures_stated = true; /* none: an empty list */
    else if (yn == 1)
        printf("%s\n", L(c,
                         "  署名する文書と証明書の有効期限を profile.yaml の signatures に"
                         "書くと、期限を点検します。",
                         "  List the signed records and certificate expiry under signatures "
                         "in profile.yaml to have the expiry checked."));
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
    struct duty_answers duties = {0};

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
        default:
            return cli_opt_help(c, o, help);
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
        if (!ask_fold(c,
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
        if (!ask_fold(c, L(c, "病床数 (無床なら 0)", "Number of beds (0 if none)"), "0", buf,
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
            if (!ask_fold(c,
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
                if (!ask_fold(c,
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
    ask_duties(c, &p, &duties);
    yaml = az_profile_to_yaml(&p);
    r = yaml ? out_write(c, path, yaml, strlen(yaml)) : EXIT_ERROR;
    if (!yaml)
        cli_err(c, "メモリ不足", "out of memory");
    free(yaml);
    if (!r) {
        /* never leave behind a profile the other commands cannot read */
        struct az_profile *back = NULL;
        if (az_profile_load_file(&c->ctx, path, &back) < 0) {
            cli_liberr(c);
            cli_err(c, "書いたプロファイル %s を読み戻せないため消しました",
                    "removed %s: the profile just written cannot be read back", path);
            unlink(path);
            r = EXIT_ERROR;
        }
        az_profile_free(back);
    }
    if (!r && duties.n) {
        /* the dated answers become records in the workspace beside the profile */
        struct az_ws_files wf = {.profile = path};
        struct az_workspace *ws = NULL;
        size_t ndup = 0;
        if (!(r = cli_ws(c, &wf, &ws))) {
            for (size_t i = 0; i < duties.n && !r; i++) {
                bool dup = false;
                if (az_ws_record_add_ex(ws, &c->ctx, &duties.rec[i], NULL, cli_who(), NULL, &dup) <
                    0) {
                    cli_liberr(c);
                    r = EXIT_ERROR;
                }
                ndup += dup;
            }
            az_ws_close(ws);
        }
        if (!r && duties.n > ndup)
            printf(L(c, "\n記録を %zu 件残しました (anzen record list)。\n",
                     "\nRecorded %zu duties (anzen record list).\n"),
                   duties.n - ndup);
        if (!r && ndup)
            printf(L(c, "同じ記録が既にある %zu 件は追加しませんでした。\n",
                     "%zu identical records were already there and were not added again.\n"),
                   ndup);
    }
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
