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
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方:\n"
              "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows]\n"
              "      台帳の CSV (UTF-8 または Excel の CP932、日本語/英語の見出し、順不同) を\n"
              "      検査して ledger.csv に保存する。誤りのある行は行・列・理由を示し、\n"
              "      --skip-bad-rows がなければ何も取り込まない\n"
              "  anzen ledger list [FILE]\n"
              "      台帳の一覧 (既定: ledger.csv)\n",
              "usage:\n"
              "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows]\n"
              "      check a ledger CSV (UTF-8 or Excel's CP932, Japanese or English headers in\n"
              "      any order) and save it as ledger.csv; rejected rows are reported with row,\n"
              "      column and reason, and nothing is imported without --skip-bad-rows\n"
              "  anzen ledger list [FILE]\n"
              "      list the ledger (default ledger.csv)\n"));
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
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = "ledger.csv", *sub;
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
    while ((o = getopt_long(argc - 1, argv + 1, "o:h", opts, NULL)) != -1) {
        switch (o) {
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
    help(c, stderr);
    return EXIT_USAGE;
}
