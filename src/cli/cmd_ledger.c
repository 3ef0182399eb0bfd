/* SPDX-License-Identifier: MIT */
/*
 * cmd_ledger.c - `anzen ledger import|list|check|export`: read an asset
 * ledger as Excel or LibreOffice saved it (UTF-8 or CP932 CSV, Japanese or
 * English headers), keep it as ledger.csv (UTF-8 with BOM) next to the
 * profile, check it (with the vendor registry and KEV), write it back out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/kev.h"
#include "anzen/ledger.h"
#include "anzen/profile.h"
#include "anzen/store.h"
#include "anzen/vendor.h"
#include "anzen/xlsx.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方:\n"
          "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows]\n"
          "      台帳の CSV (UTF-8 または Excel の CP932、日本語/英語の見出し、順不同) か\n"
          "      XLSX (「機器台帳」のシート、なければ最初のシート) を\n"
          "      検査して ledger.csv に保存する。誤りのある行は行・列・理由を示し、\n"
          "      --skip-bad-rows がなければ何も取り込まない\n"
          "  anzen ledger list [FILE]\n"
          "      台帳の一覧 (既定: ledger.csv)\n"
          "  anzen ledger check [FILE] [-p profile.yaml] [--vendors vendors.yaml]\n"
          "                     [--patch-days 180] [--format text|json] [--save [--db anzen.db]]\n"
          "      管理者のいない機器 (放置された VPN 装置)、契約のない (切れた) 事業者の管理、\n"
          "      事業者と確認していないリモート保守装置、KEV (既知の悪用された脆弱性) に\n"
          "      該当するファームウェア、サポート切れ、長くパッチのない機器、外部から届く\n"
          "      サーバ等を指摘する (終了コード 2: 要対応あり)。事業者の登録 (vendors.yaml) が\n"
          "      あれば契約はそこで確かめる。--save で指摘をワークスペースの証跡に記録する\n"
          "  anzen ledger export [FILE] [-o OUT] [--format csv|xlsx] [--encoding utf-8|cp932]\n"
          "                      [--headers ja|en]\n"
          "      台帳を CSV (既定: UTF-8 (BOM 付き)、日本語の見出し、標準出力) か XLSX (-o が\n"
          "      必要) で書き出す\n",
          "usage:\n"
          "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows]\n"
          "      check a ledger CSV (UTF-8 or Excel's CP932, Japanese or English headers in\n"
          "      any order) or XLSX (the sheet 機器台帳 / Asset ledger, else the first) and\n"
          "      save it as ledger.csv; rejected rows are reported with row,\n"
          "      column and reason, and nothing is imported without --skip-bad-rows\n"
          "  anzen ledger list [FILE]\n"
          "      list the ledger (default ledger.csv)\n"
          "  anzen ledger check [FILE] [-p profile.yaml] [--vendors vendors.yaml]\n"
          "                     [--patch-days 180] [--format text|json] [--save [--db anzen.db]]\n"
          "      devices nobody administers (the forgotten VPN box), vendors without a\n"
          "      (current) contract, remote-maintenance devices not confirmed with the vendor,\n"
          "      firmware with known exploited vulnerabilities (KEV), past support end, long\n"
          "      unpatched, servers reachable from outside (exit 2 on gaps). Contracts are\n"
          "      checked in the vendor registry (vendors.yaml) when there is one. --save\n"
          "      records the findings as evidence in the workspace\n"
          "  anzen ledger export [FILE] [-o OUT] [--format csv|xlsx] [--encoding utf-8|cp932]\n"
          "                      [--headers ja|en]\n"
          "      write the ledger as CSV (default UTF-8 with BOM, Japanese headers, stdout)\n"
          "      or XLSX (needs -o)\n"));
}

/* The ledger sheet of a workbook (機器台帳 / Asset ledger, else the first
 * sheet) as CSV text, row for row, so errors keep the sheet's row numbers;
 * name becomes "FILE:SHEET". */
static int xlsx_to_csv(struct cli *c, const char *path, const char *data, size_t len, char **ret,
                       size_t *ret_len, char *name, size_t n)
{
    struct az_xlsx *x;
    const struct az_xlsx_sheet *s;
    struct az_buf b;
    unsigned rows = 0, cols = 0;
    int r = 0;

    if (az_xlsx_read(&c->ctx, path, data, len, &x) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    s = az_xlsx_sheet(x, "機器台帳");
    if (!s)
        s = az_xlsx_sheet(x, "Asset ledger");
    if (!s && x->n)
        s = &x->sheets[0];
    if (!s) {
        cli_err(c, "%s: シートがありません", "%s: no sheets", path);
        az_xlsx_free(x);
        return EXIT_ERROR;
    }
    snprintf(name, n, "%s:%s", path, s->name);
    for (size_t i = 0; i < s->n; i++) {
        rows = s->cells[i].row + 1 > rows ? s->cells[i].row + 1 : rows;
        cols = s->cells[i].col + 1 > cols ? s->cells[i].col + 1 : cols;
    }
    if (cols > AZ_CSV_MAX_FIELDS)
        cols = AZ_CSV_MAX_FIELDS;
    az_buf_init(&b, AZ_MAX_INPUT);
    for (unsigned row = 0; !r && row < rows; row++) {
        const char *f[AZ_CSV_MAX_FIELDS];
        for (unsigned col = 0; col < cols; col++) {
            const char *t = az_xlsx_get(s, row, col);
            f[col] = t ? t : "";
        }
        r = az_csv_write_row(&b, f, cols);
    }
    az_xlsx_free(x);
    if (r) {
        az_buf_done(&b);
        cli_err(c, "%s: 台帳が大きすぎます", "%s: the ledger is too large", path);
        return EXIT_ERROR;
    }
    *ret_len = b.len;
    *ret = az_buf_take(&b);
    return *ret ? 0 : EXIT_ERROR;
}

static int load(struct cli *c, const char *path, bool skip, struct az_ledger **ret)
{
    char *data;
    size_t len;
    int r;

    /* read raw bytes: CP932 is allowed here, so no UTF-8 check */
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            cli_err(c, "%s がありません (台帳は anzen ledger import FILE で取り込みます)",
                    "%s does not exist (bring a ledger in with anzen ledger import FILE)", path);
        else
            cli_err(c, "%s を開けません: %s", "cannot open %s: %s", path, strerror(errno));
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
    if (len >= 4 && !memcmp(data, "PK\3\4", 4)) {
        /* a workbook: its ledger sheet becomes CSV rows, one per sheet row */
        char *csv = NULL, name[4200];
        size_t clen = 0;
        if ((r = xlsx_to_csv(c, path, data, len, &csv, &clen, name, sizeof(name)))) {
            free(data);
            return r;
        }
        free(data);
        data = csv;
        len = clen;
        r = az_ledger_import(&c->ctx, name, data, len, skip, ret);
    } else {
        r = az_ledger_import(&c->ctx, path, data, len, skip, ret);
    }
    free(data);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

int cli_ledger_check(struct cli *c, const struct az_ledger *l, const struct az_profile *p,
                     const char *vendors, int patch_days, json_t **ret)
{
    struct az_ws_files f = {.profile = p ? p->file : NULL, .vendors = vendors};
    struct az_workspace *ws;
    int r;

    if (vendors && access(vendors, F_OK) != 0)
        f.vendors = NULL; /* no registry: the profile's vendors stand in */
    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if (!f.vendors) {
        /* only the registry given (or none): never one found by default */
        free(ws->vendors);
        ws->vendors = NULL;
    }
    ws->patch_days = patch_days;
    if (az_ws_ledger_check(ws, &c->ctx, l, p, az_catalog_default_checklist(c->cat), ret) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    az_ws_close(ws);
    return r;
}

static int do_check(struct cli *c, const char *file, const char *profile, const char *vendors,
                    int patch_days, const char *format, const char *db)
{
    struct az_profile *p = NULL;
    struct az_ledger *l;
    json_t *res = NULL;
    int r;

    if ((r = load(c, file, false, &l)))
        return r;
    if (az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        az_ledger_free(l);
        return EXIT_ERROR;
    }
    r = cli_ledger_check(c, l, p, vendors, patch_days, &res);
    if (!r && db) {
        /* the findings become evidence on the items they concern */
        struct az_store *st;
        const char *who = getenv("USER");
        size_t added = 0;
        if ((r = cli_open_store(c, db, &st)) == 0) {
            const struct az_edition *ed = az_catalog_default_checklist(c->cat);
            const struct az_form *fm = ed ? az_form_for_profile(ed, p) : NULL;
            if (az_store_add_findings(st, &c->ctx, c->cat, ed, fm ? fm->id : NULL,
                                      json_object_get(res, "findings"), "ledger", file,
                                      who ? who : "-", &added) < 0) {
                cli_liberr(c);
                r = EXIT_ERROR;
            }
            az_store_close(st);
        }
        if (!r)
            fprintf(stderr,
                    L(c, "証跡として %zu 件を %s に記録しました\n",
                      "recorded %zu evidence records in %s\n"),
                    added, db);
    }
    if (r) {
        /* error already printed */
    } else if (!strcmp(format, "json")) {
        r = out_json(c, NULL, json_incref(res));
    } else {
        printf("%s: %zu %s\n", L(c, "台帳の点検", "Ledger check"), l->n, L(c, "台", "assets"));
        out_findings(c, json_object_get(res, "findings"));
    }
    if (!r && json_integer_value(json_object_get(res, "gaps")) > 0)
        r = EXIT_GAPS;
    json_decref(res);
    az_profile_free(p);
    az_ledger_free(l);
    return r;
}

static int do_export(struct cli *c, const char *file, const char *out, const char *encoding,
                     const char *headers, const char *format)
{
    struct az_ledger *l;
    struct az_buf b;
    bool cp932 = !strcmp(encoding, "cp932");
    int r;

    if (!strcmp(format, "xlsx") && (!out || !strcmp(out, "-"))) {
        cli_err(c, "XLSX は -o でファイル名を指定してください", "XLSX needs a file name (-o)");
        return EXIT_USAGE;
    }
    if ((r = load(c, file, false, &l)))
        return r;
    if (!strcmp(format, "xlsx")) {
        if (az_xlsx_ledger(&c->ctx, l, out) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        }
        az_ledger_free(l);
        return r;
    }
    az_buf_init(&b, 64u * 1024 * 1024);
    if ((!cp932 && az_buf_add(&b, "\xEF\xBB\xBF", 3) < 0) ||
        az_ledger_write_rows(l, !strcmp(headers, "en") ? AZ_LANG_EN : AZ_LANG_JA, &b) < 0) {
        cli_err(c, "台帳が大きすぎます", "ledger too large");
        r = EXIT_ERROR;
    } else if (cp932) {
        char *conv;
        size_t clen;
        if (az_utf8_to_cp932(&c->ctx, b.data, b.len, &conv, &clen) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else {
            r = out_write(c, out, conv, clen);
            free(conv);
        }
    } else {
        r = out_write(c, out, b.data, b.len);
    }
    az_buf_done(&b);
    az_ledger_free(l);
    return r;
}

int cmd_ledger(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"skip-bad-rows", no_argument, NULL, 'S'},
                                         {"profile", required_argument, NULL, 'p'},
                                         {"vendors", required_argument, NULL, 'V'},
                                         {"patch-days", required_argument, NULL, 'P'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"save", no_argument, NULL, 's'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"encoding", required_argument, NULL, 'e'},
                                         {"headers", required_argument, NULL, 'H'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *sub, *profile = "profile.yaml", *format = "text";
    const char *vendors = "vendors.yaml", *db = NULL, *encoding = "utf-8", *headers = "ja";
    long patch_days = 180;
    bool skip = false, save = false;
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
        case 'V':
            vendors = optarg;
            break;
        case 'P':
            if (az_parse_long(optarg, 1, 3650, &patch_days) < 0) {
                cli_err(c, "--patch-days は 1〜3650 の整数です", "--patch-days takes 1 to 3650");
                return EXIT_USAGE;
            }
            break;
        case 'f':
            format = optarg;
            if (!strcmp(sub, "export") ? strcmp(format, "csv") && strcmp(format, "xlsx")
                                       : !cli_format_ok(c, format, false)) {
                if (!strcmp(sub, "export"))
                    cli_err(c, "--format は csv か xlsx です", "--format is csv or xlsx");
                return EXIT_USAGE;
            }
            break;
        case 'o':
            out = optarg;
            break;
        case 'S':
            skip = true;
            break;
        case 's':
            save = true;
            break;
        case 'd':
            db = optarg;
            save = true;
            break;
        case 'e':
            encoding = optarg;
            if (strcmp(encoding, "utf-8") && strcmp(encoding, "cp932")) {
                cli_err(c, "--encoding は utf-8 か cp932 です", "--encoding is utf-8 or cp932");
                return EXIT_USAGE;
            }
            break;
        case 'H':
            headers = optarg;
            if (strcmp(headers, "ja") && strcmp(headers, "en")) {
                cli_err(c, "--headers は ja か en です", "--headers is ja or en");
                return EXIT_USAGE;
            }
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
        if (!out)
            out = "ledger.csv";
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
    if (!strcmp(sub, "check") && argc <= 1)
        return do_check(c, argc ? argv[0] : "ledger.csv", profile, vendors, (int)patch_days, format,
                        save ? (db ? db : "anzen.db") : NULL);
    if (!strcmp(sub, "export") && argc <= 1)
        return do_export(c, argc ? argv[0] : "ledger.csv", out, encoding, headers,
                         strcmp(format, "text") ? format : "csv");
    help(c, stderr);
    return EXIT_USAGE;
}
