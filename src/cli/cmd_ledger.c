/* SPDX-License-Identifier: MIT */
/*
 * cmd_ledger.c - `anzen ledger import|list`: read an asset ledger as Excel
 * or LibreOffice saved it (UTF-8 or CP932 CSV, Japanese or English
 * headers) and keep it as ledger.csv (UTF-8 with BOM) next to the profile.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/ledger.h"
#include "anzen/profile.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方:\n"
          "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows]\n"
          "      台帳の CSV (UTF-8 または Excel の CP932、日本語/英語の見出し、順不同) を\n"
          "      検査して ledger.csv に保存する。誤りのある行は行・列・理由を示し、\n"
          "      --skip-bad-rows がなければ何も取り込まない\n"
          "  anzen ledger list [FILE]\n"
          "      台帳の一覧 (既定: ledger.csv)\n"
          "  anzen ledger check [FILE] [-p profile.yaml] [--patch-days 180] [--format text|json]\n"
          "      管理者のいない機器 (放置された VPN 装置)、契約のない事業者の管理、事業者と\n"
          "      確認していないリモート保守装置、サポート切れ、長くパッチのない機器、\n"
          "      外部から届くサーバ等を指摘する (終了コード 2: 要対応あり)\n",
          "usage:\n"
          "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows]\n"
          "      check a ledger CSV (UTF-8 or Excel's CP932, Japanese or English headers in\n"
          "      any order) and save it as ledger.csv; rejected rows are reported with row,\n"
          "      column and reason, and nothing is imported without --skip-bad-rows\n"
          "  anzen ledger list [FILE]\n"
          "      list the ledger (default ledger.csv)\n"
          "  anzen ledger check [FILE] [-p profile.yaml] [--patch-days 180] [--format text|json]\n"
          "      devices nobody administers (the forgotten VPN box), vendors without a\n"
          "      contract, remote-maintenance devices not confirmed with the vendor, past\n"
          "      support end, long unpatched, servers reachable from outside (exit 2 on "
          "gaps)\n"));
}

static int load(struct cli *c, const char *path, bool skip, struct az_ledger **ret)
{
    char *data;
    size_t len;
    int r;

    /* read raw bytes: CP932 is allowed here, so no UTF-8 check */
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_err(c, "%s を開けません", "cannot open %s", path);
        return EXIT_ERROR;
    }
    data = malloc(AZ_MAX_INPUT + 1);
    if (!data) {
        fclose(f);
        return EXIT_ERROR;
    }
    len = fread(data, 1, AZ_MAX_INPUT + 1, f);
    fclose(f);
    if (len > AZ_MAX_INPUT) {
        free(data);
        cli_err(c, "%s: ファイルが大きすぎます (上限 %u バイト)",
                "%s: file too large (limit %u bytes)", path, AZ_MAX_INPUT);
        return EXIT_ERROR;
    }
    r = az_ledger_import(&c->ctx, path, data, len, skip, ret);
    free(data);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

int cmd_ledger(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"skip-bad-rows", no_argument, NULL, 'S'},
                                         {"profile", required_argument, NULL, 'p'},
                                         {"patch-days", required_argument, NULL, 'P'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = "ledger.csv", *sub, *profile = "profile.yaml", *format = "text";
    long patch_days = 180;
    bool skip = false;
    struct az_ledger *l;
    int o, r;

    if (argc < 2) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        help(c, stdout);
        return 0;
    }
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc - 1, argv + 1, "o:p:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'P':
            if (az_parse_long(optarg, 1, 3650, &patch_days) < 0) {
                cli_err(c, "--patch-days は 1〜3650 の整数です", "--patch-days takes 1 to 3650");
                return EXIT_USAGE;
            }
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'o':
            out = optarg;
            break;
        case 'S':
            skip = true;
            break;
        case 'h':
            help(c, stdout);
            return 0;
        default:
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    argc -= optind + 1;
    argv += optind + 1;
    if (!strcmp(sub, "import") && argc == 1) {
        struct az_buf b;
        if ((r = load(c, argv[0], skip, &l)))
            return r;
        if (l->report)
            fputs(l->report, stderr);
        az_buf_init(&b, 64u * 1024 * 1024);
        if (az_ledger_write_csv(l, &b) < 0) {
            cli_err(c, "台帳が大きすぎます", "ledger too large");
            r = EXIT_ERROR;
        } else {
            r = out_write(c, out, b.data, b.len);
        }
        if (!r)
            printf(L(c, "%zu 件を %s に取り込みました (除外 %zu 行)\n",
                     "imported %zu assets into %s (%zu rows skipped)\n"),
                   l->n, out, l->rejected);
        az_buf_done(&b);
        az_ledger_free(l);
        return r;
    }
    if (!strcmp(sub, "list") && argc <= 1) {
        if ((r = load(c, argc ? argv[0] : "ledger.csv", false, &l)))
            return r;
        for (size_t i = 0; i < l->n; i++) {
            const struct az_asset *a = &l->v[i];
            printf("%-4zu ", i + 1);
            out_pad(stdout, az_asset_kind_name(a->kind, c->lang), 18);
            out_pad(stdout, a->col[AZ_COL_NAME], 24);
            printf(" %s %s  %s %s\n", a->col[AZ_COL_OS], a->col[AZ_COL_VERSION],
                   L(c, "管理者:", "admin:"),
                   *a->col[AZ_COL_ADMIN] ? a->col[AZ_COL_ADMIN] : L(c, "(空欄)", "(blank)"));
        }
        az_ledger_free(l);
        return 0;
    }
    if (!strcmp(sub, "check") && argc <= 1) {
        struct az_profile *p = NULL;
        json_t *res, *x;
        size_t i;
        if ((r = load(c, argc ? argv[0] : "ledger.csv", false, &l)))
            return r;
        if (az_profile_load_file(&c->ctx, profile, &p) < 0) {
            cli_liberr(c);
            az_ledger_free(l);
            return EXIT_ERROR;
        }
        res = az_ledger_check(l, p, c->as_of, (int)patch_days);
        if (!res) {
            r = EXIT_ERROR;
        } else if (!strcmp(format, "json")) {
            r = out_json(c, NULL, json_incref(res));
        } else {
            printf("%s: %zu %s\n", L(c, "台帳の点検", "Ledger check"), l->n, L(c, "台", "assets"));
            json_array_foreach(json_object_get(res, "findings"), i, x)
                printf("  %s %s\n",
                       !strcmp(json_string_value(json_object_get(x, "level")), "gap") ? "✗" : "!",
                       json_string_value(json_object_get(x, c->lang == AZ_LANG_EN ? "en" : "ja")));
            if (!json_array_size(json_object_get(res, "findings")))
                printf("  %s\n", L(c, "問題は見つかりませんでした", "no findings"));
            r = 0;
        }
        if (!r && res && json_integer_value(json_object_get(res, "gaps")) > 0)
            r = EXIT_GAPS;
        json_decref(res);
        az_profile_free(p);
        az_ledger_free(l);
        return r;
    }
    help(c, stderr);
    return EXIT_USAGE;
}
