/* SPDX-License-Identifier: MIT */
/*
 * cmd_procure.c - `anzen procure`: the security requirements to write into
 * the tender and the contract of a system about to be bought, as HTML
 * (printable, PDF with --pdf), XLSX or JSON (anzen-procure/1).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/procure.h"
#include "cli.h"
#include "report_load.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen procure (--system ID | --name 名前) [--hosting on-prem|cloud]\n"
          "                     [--remote | --no-remote] [--introduce 日付] [--log-years N]\n"
          "                     [--format html|xlsx|json] [-o FILE] [--pdf] [-p profile.yaml]\n\n"
          "これから導入・更新するシステムについて、入札仕様書 (RFP) と契約書に書くセキュリティ"
          "要件を、\nチェックリストとガイドラインの根拠とともに出力します。二要素認証、保存データ"
          "と院内 LAN の\n通信の暗号化は価格に含める標準機能として、MDS/SDS と事業者確認用は"
          "選定の前に、役割分担の\n確認表は契約の前に求めます。リモート保守がある場合は装置の"
          "管理者と更新の担当、接続の規則を、\nクラウドの場合はデータの保存場所と返却・消去を"
          "加えます。\n"
          "  --system ID     プロファイルにあるシステム (形態・リモート保守・更新日を使う)\n"
          "  --name 名前     新しいシステム (プロファイルは医療機関名にだけ使う)\n"
          "  --introduce D   導入・更新の予定日 (令和9年度以降なら二要素認証は必須と明記)\n"
          "  --log-years N   アクセスログの保存年数として求める年数 (既定 5)\n"
          "  -o FILE         出力先 (既定: procure.html / procure.xlsx、json は標準出力)\n",
          "usage: anzen procure (--system ID | --name NAME) [--hosting on-prem|cloud]\n"
          "                     [--remote | --no-remote] [--introduce DATE] [--log-years N]\n"
          "                     [--format html|xlsx|json] [-o FILE] [--pdf] [-p profile.yaml]\n\n"
          "Writes the security requirements for the tender (RFP) and the contract of a\n"
          "system about to be bought, each with its basis in the checklist and the\n"
          "guideline: 2FA and encryption of stored data and LAN traffic as standard\n"
          "features in the price, the MDS/SDS and the vendor form before selection, the\n"
          "role-split table before the contract; with remote maintenance, who administers\n"
          "and patches the device and the connection rules; for a cloud service, data\n"
          "location, return and erasure.\n"
          "  --system ID     a system of the profile (hosting, remote maintenance, renewal)\n"
          "  --name NAME     a new system (the profile only gives the institution's name)\n"
          "  --introduce D   planned introduction (from FY2027 2FA is stated as required)\n"
          "  --log-years N   access-log retention to ask for, in years (default 5)\n"
          "  -o FILE         where to write (default procure.html / procure.xlsx; json to\n"
          "                  standard output)\n"));
}

int cmd_procure(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"system", required_argument, NULL, 's'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"hosting", required_argument, NULL, 'H'},
                                         {"remote", no_argument, NULL, 'R'},
                                         {"no-remote", no_argument, NULL, 'N'},
                                         {"introduce", required_argument, NULL, 'i'},
                                         {"log-years", required_argument, NULL, 'y'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"pdf", no_argument, NULL, 'P'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *system = NULL, *name = NULL, *hosting = NULL;
    const char *format = "html", *output = NULL;
    int remote = -1, o, r = 0;
    long years = 5;
    bool pdf = false, profile_given = false;
    struct az_procure_spec spec;
    struct az_profile *p = NULL;

    memset(&spec, 0, sizeof(spec));
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:s:n:f:o:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            profile_given = true;
            break;
        case 's':
            system = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'H':
            hosting = optarg;
            if (strcmp(hosting, "on-prem") && strcmp(hosting, "cloud")) {
                cli_err(c, "--hosting は on-prem か cloud です",
                        "--hosting takes on-prem or cloud");
                return EXIT_USAGE;
            }
            break;
        case 'R':
            remote = 1;
            break;
        case 'N':
            remote = 0;
            break;
        case 'i':
            if (az_date_parse(optarg, false, &spec.introduce) < 0) {
                cli_err(c, "--introduce の日付 \"%s\" が不正です",
                        "invalid --introduce date \"%s\"", optarg);
                return EXIT_USAGE;
            }
            spec.has_introduce = true;
            break;
        case 'y':
            if (az_parse_long(optarg, 1, 100, &years) < 0) {
                cli_err(c, "--log-years は 1 から 100 の年数です", "--log-years takes 1 to 100");
                return EXIT_USAGE;
            }
            break;
        case 'f':
            format = optarg;
            if (strcmp(format, "html") && strcmp(format, "xlsx") && strcmp(format, "json")) {
                cli_err(c, "--format は html / xlsx / json です",
                        "--format takes html, xlsx or json");
                return EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'P':
            pdf = true;
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
    if (!system == !name) {
        cli_err(c, "--system か --name のどちらか一方を指定してください",
                "give either --system or --name");
        return EXIT_USAGE;
    }
    if (pdf && strcmp(format, "html")) {
        cli_err(c, "--pdf は --format html のときだけ使えます", "--pdf goes with --format html");
        return EXIT_USAGE;
    }
    if ((r = cli_catalog(c)))
        return r;
    if ((system || profile_given || access(profile, F_OK) == 0) &&
        az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    spec.log_years = (int)years;
    spec.institution = p ? p->name : NULL;
    spec.pharmacy = p && p->type == AZ_INST_PHARMACY;
    if (system) {
        const struct az_system *s = NULL;
        s = az_profile_find_system(p, system);
        if (!s) {
            char *list = az_profile_system_list(p, false);
            cli_err(c, "%s: システム \"%s\" はありません (システム ID: %s)",
                    "%s: no system \"%s\" (system IDs: %s)", profile, system, list ? list : "-");
            free(list);
            az_profile_free(p);
            return EXIT_ERROR;
        }
        spec.system_id = s->id;
        spec.system_name = s->name;
        spec.cloud = s->cloud;
        spec.remote_maintenance = s->remote_maintenance;
        if (!spec.has_introduce && s->has_renewal) {
            spec.has_introduce = true;
            spec.introduce = s->renewal;
        }
    } else {
        spec.system_name = name;
        spec.remote_maintenance = true; /* unless told otherwise: the common case */
    }
    if (hosting)
        spec.cloud = !strcmp(hosting, "cloud");
    if (remote >= 0)
        spec.remote_maintenance = remote;
    if (!strcmp(format, "json")) {
        json_t *m = az_procure_model(c->cat, &spec, c->as_of, c->lang);
        r = m ? out_json(c, output, m) : EXIT_ERROR;
    } else if (!strcmp(format, "xlsx")) {
        const char *path = output ? output : "procure.xlsx";
        if (az_procure_xlsx(&c->ctx, c->cat, &spec, c->as_of, path) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else {
            fprintf(stderr, L(c, "anzen: %s を書きました\n", "anzen: wrote %s\n"), path);
        }
    } else {
        struct az_buf b;
        const char *path = output ? output : pdf ? "procure.pdf" : "procure.html";
        az_buf_init(&b, 16u * 1024 * 1024);
        if (az_procure_html(&c->ctx, c->cat, &spec, c->as_of, &b) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else {
            r = pdf ? report_pdf(c, b.data, b.len, path) : out_write(c, path, b.data, b.len);
            if (!r && strcmp(path, "-"))
                fprintf(stderr, L(c, "anzen: %s を書きました\n", "anzen: wrote %s\n"), path);
        }
        az_buf_done(&b);
    }
    az_profile_free(p);
    return r;
}
