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
#include <sys/stat.h>
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
          "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows] [--dry-run]\n"
          "                      [--map '見出し=項目']... [--replace-empty] [--verbose]\n"
          "      台帳の CSV (UTF-8 または Excel の CP932) か XLSX (台帳らしいシートを選ぶ) を\n"
          "      検査して ledger.csv に保存する。見出しは日本語/英語、順不同、表題の行が\n"
          "      上にあってもよい。anzen が点検しない列もそのまま保持する。誤りはすべて\n"
          "      Excel の行番号・見出し・受け付ける形式とともに示し、何も取り込まない。\n"
          "      --skip-bad-rows は誤りのある欄を空欄にして取り込む (名称のない行は除く)。\n"
          "      合計・小計の行は読み飛ばす。--dry-run は各列の読み方を示すだけで保存せず、\n"
          "      誤りがあれば終了コード 1。\n"
          "      機器が 1 台もない台帳を書くには --replace-empty。誤りを先にすべて示し、\n"
          "      お知らせ (月だけの日付など) は最初の 20 件と件数 (--verbose で全部)\n"
          "  anzen ledger template [-o 台帳.xlsx]\n"
          "      記入用の台帳 (列、種別・管理者の選択肢、記入例 1 行) を作る\n"
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
          "  anzen ledger import FILE [-o ledger.csv] [--skip-bad-rows] [--dry-run]\n"
          "                      [--map 'HEADER=field']... [--replace-empty] [--verbose]\n"
          "      check a ledger CSV (UTF-8 or Excel's CP932) or XLSX (the sheet that looks\n"
          "      like a ledger) and save it as ledger.csv. Headers in Japanese or English,\n"
          "      any order, title rows above are fine; columns anzen does not check are kept.\n"
          "      Every problem is reported with the Excel row, the header and what is\n"
          "      accepted, and nothing is imported; --skip-bad-rows imports the rows with\n"
          "      the bad cells left blank (rows without a name are left out). Totals rows\n"
          "      are skipped. --dry-run shows how each column was read, saves nothing and\n"
          "      exits 1 when rows have errors. --replace-empty writes a ledger with no\n"
          "      assets (refused otherwise). Errors come first, all of them; notes (a\n"
          "      month read as a day...) the first 20 and a count (--verbose for all)\n"
          "  anzen ledger template [-o ledger.xlsx]\n"
          "      write a ledger workbook to fill in (columns, drop-downs, one example row)\n"
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

/* One sheet as CSV text, row for row, so errors keep the sheet's row
 * numbers. */
static int sheet_csv(const struct az_xlsx_sheet *s, struct az_buf *b)
{
    unsigned rows = 0, cols = 0;
    const char **f;
    char *iso;
    size_t k = 0;
    int r = 0;

    for (size_t i = 0; i < s->n; i++) {
        rows = s->cells[i].row + 1 > rows ? s->cells[i].row + 1 : rows;
        cols = s->cells[i].col + 1 > cols ? s->cells[i].col + 1 : cols;
    }
    if (cols > AZ_CSV_MAX_FIELDS)
        cols = AZ_CSV_MAX_FIELDS;
    if (!(f = calloc(cols + 1, sizeof(*f))))
        return AZ_ENOMEM;
    az_buf_init(b, AZ_MAX_INPUT);
    /* date cells (an Excel serial in a date format) as ISO dates, so a
     * date in a column anzen does not check stays a date */
    if (!(iso = calloc((size_t)cols * 11 + 1, 1))) {
        free(f);
        return AZ_ENOMEM;
    }
    for (unsigned row = 0; !r && row < rows; row++) {
        for (unsigned col = 0; col < cols; col++) {
            const char *t = az_xlsx_get(s, row, col);
            f[col] = t ? t : "";
            while (k < s->n &&
                   (s->cells[k].row < row || (s->cells[k].row == row && s->cells[k].col < col)))
                k++;
            if (t && k < s->n && s->cells[k].row == row && s->cells[k].col == col &&
                s->cells[k].date) {
                char *end;
                double serial = strtod(t, &end);
                if (!*end && serial > 60 && serial < 2958466) {
                    struct az_date d =
                        az_date_add_days((struct az_date){1899, 12, 30}, (long)serial);
                    az_date_iso(d, iso + (size_t)col * 11, 11);
                    f[col] = iso + (size_t)col * 11;
                }
            }
        }
        r = az_csv_write_row(b, f, cols);
    }
    free(f);
    free(iso);
    return r;
}

/* The ledger sheets of a workbook as CSV: the sheet whose header anzen
 * recognises best (visible sheets first; 機器台帳 / Asset ledger win a
 * tie), and any other visible sheet that looks as much like a ledger (PCs
 * and network devices kept on separate sheets). Names are "FILE:SHEET". */
struct sheet_csv {
    char *name, *csv;
    size_t len;
    int score;
    bool pick;
};

static void sheets_free(struct sheet_csv *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].csv);
    }
    free(v);
}

static int xlsx_to_csv(struct cli *c, const char *path, const char *data, size_t len,
                       struct sheet_csv **ret, size_t *ret_n)
{
    struct az_xlsx *x;
    struct sheet_csv *v;
    size_t best = 0;
    int bscore = -1;

    if (az_xlsx_read(&c->ctx, path, data, len, &x) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (!x->n) {
        cli_err(c, "%s: シートがありません", "%s: no sheets", path);
        az_xlsx_free(x);
        return EXIT_ERROR;
    }
    if (!(v = calloc(x->n, sizeof(*v)))) {
        az_xlsx_free(x);
        return EXIT_ERROR;
    }
    for (size_t i = 0; i < x->n; i++) {
        const struct az_xlsx_sheet *s = &x->sheets[i];
        struct az_buf b;
        size_t n = strlen(path) + strlen(s->name) + 2;
        int score;
        if (sheet_csv(s, &b) < 0 || !(v[i].name = malloc(n))) {
            az_buf_done(&b);
            continue;
        }
        snprintf(v[i].name, n, "%s:%s", path, s->name);
        v[i].len = b.len;
        v[i].csv = b.data ? az_buf_take(&b) : strdup("");
        az_buf_done(&b);
        if (!v[i].csv)
            continue;
        v[i].score = az_ledger_score(v[i].csv, v[i].len);
        score = v[i].score * 4 + (!s->hidden) * 2 +
                (!strcmp(s->name, "機器台帳") || !strcmp(s->name, "Asset ledger"));
        if (score > bscore) {
            bscore = score;
            best = i;
        }
    }
    v[best].pick = true;
    for (size_t i = 0; i < x->n; i++)
        if (i != best && !x->sheets[i].hidden && v[i].csv && v[i].score >= 3 &&
            v[i].score * 2 >= v[best].score)
            v[i].pick = true;
    *ret = v;
    *ret_n = x->n;
    az_xlsx_free(x);
    return 0;
}

/* Import the ledger sheets of a workbook, each row for row so errors keep
 * the sheet's row numbers; several sheets become one ledger. Every sheet
 * is read, so every problem is reported at once. Returns an exit code. */
static int load_workbook(struct cli *c, const char *path, const char *data, size_t len,
                         const struct az_ledger_import_opts *o, struct az_buf *describe,
                         struct az_ledger **ret)
{
    struct sheet_csv *v = NULL;
    struct az_ledger **parts = NULL;
    size_t nv = 0, np = 0, picked = 0;
    int r, failed = 0;

    if ((r = xlsx_to_csv(c, path, data, len, &v, &nv)))
        return r;
    if (!(parts = calloc(nv + 1, sizeof(*parts)))) {
        sheets_free(v, nv);
        return EXIT_ERROR;
    }
    for (size_t i = 0; i < nv; i++)
        picked += v[i].pick;
    for (size_t i = 0; i < nv; i++) {
        struct az_ledger *pl = NULL;
        if (!v[i].pick)
            continue;
        if (az_ledger_import_opts(&c->ctx, v[i].name, v[i].csv, v[i].len, o, &pl) < 0) {
            if (o->report && *o->report) {
                fputs(*o->report, stderr);
                free(*o->report);
                *o->report = NULL;
            }
            cli_liberr(c);
            failed = failed ? failed : (c->ctx.err == AZ_EINVAL ? EXIT_USAGE : EXIT_ERROR);
            continue;
        }
        if (describe) {
            if (picked > 1)
                az_buf_printf(describe, "%s %s\n", L(c, "シート", "sheet"), v[i].name);
            if (az_ledger_describe(pl, c->lang, describe) < 0)
                failed = EXIT_ERROR;
        }
        parts[np++] = pl;
    }
    sheets_free(v, nv);
    if (failed) {
        for (size_t i = 0; i < np; i++)
            az_ledger_free(parts[i]);
        free(parts);
        return failed;
    }
    if (np == 1) {
        *ret = parts[0];
        free(parts);
        return 0;
    }
    if (az_ledger_merge(&c->ctx, parts, np, ret) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (describe)
        az_buf_printf(describe,
                      L(c, "%zu 枚のシートから 機器: %zu 台\n", "%zu sheets: %zu assets in all\n"),
                      np, (*ret)->n);
    return 0;
}

/* Raw bytes (CP932 is allowed here, so no UTF-8 check): 0, -1 when it
 * cannot be opened (errno), -2 when too large, -3 out of memory. */
static int read_raw(const char *path, char **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    size_t len;
    if (!f)
        return -1;
    if (!(data = malloc(AZ_MAX_INPUT + 1))) {
        fclose(f);
        return -3;
    }
    len = fread(data, 1, AZ_MAX_INPUT + 1, f);
    fclose(f);
    if (len > AZ_MAX_INPUT) {
        free(data);
        return -2;
    }
    *ret = data;
    *ret_len = len;
    return 0;
}

int cli_file_type_ok(struct cli *c, const char *path, const char *allowed, const char *want_ja,
                     const char *want_en)
{
    char *data = NULL;
    size_t len = 0, n;
    const char *t;
    int r = read_raw(path, &data, &len);

    if (r < 0) {
        /* not readable: the loader that follows says so in its own words */
        free(data);
        return 0;
    }
    t = az_file_type(data, len);
    free(data);
    n = strlen(t);
    for (const char *p = allowed; (p = strstr(p, t)); p += n)
        if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 0;
    cli_err(c, "%s: これは %s です (%s を渡してください)", "%s: this is %s (expected %s)", path,
            az_file_type_name(t, c->lang), L(c, want_ja, want_en));
    return EXIT_ERROR;
}

/* Rows with errors and no --skip-bad-rows: every problem, then one
 * summary for the whole file (all its sheets), and nothing imported.
 * --dry-run (describe) keeps the ledger and lets the caller say so. */
static int refuse_bad(struct cli *c, const struct az_ledger_import_opts *oo,
                      struct az_buf *describe, struct az_ledger **ret)
{
    if (oo->skip_bad || !(*ret)->rejected || describe)
        return 0;
    if ((*ret)->report)
        fputs((*ret)->report, stderr);
    cli_err(c,
            "%zu 行に誤りがあるため、何も取り込みませんでした (誤りのある欄を空欄にして取り込む"
            "には --skip-bad-rows)",
            "%zu rows have errors, so nothing was imported (use --skip-bad-rows to import them "
            "with the bad cells left blank)",
            (*ret)->rejected);
    az_ledger_free(*ret);
    *ret = NULL;
    return EXIT_ERROR;
}

static int load_opts(struct cli *c, const char *path, const struct az_ledger_import_opts *oo,
                     struct az_buf *describe, struct az_ledger **ret)
{
    struct az_ledger_import_opts ob = *oo, *o = &ob;
    char *report = NULL;
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    int r;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_err(c, "%s はディレクトリです (台帳のファイルを渡してください)",
                "%s is a directory (give the ledger file)", path);
        return EXIT_ERROR;
    }
    r = read_raw(path, &data, &len);

    if (r == -1) {
        if (errno == ENOENT)
            cli_err(c, "%s がありません (台帳は anzen ledger import FILE で取り込みます)",
                    "%s does not exist (bring a ledger in with anzen ledger import FILE)", path);
        else
            cli_err(c, "%s を開けません: %s", "cannot open %s: %s", path,
                    az_errno_text(c->lang, errno));
        return EXIT_ERROR;
    }
    if (r == -2) {
        cli_err(c, "%s: ファイルが大きすぎます (上限 %u MiB)", "%s: file too large (limit %u MiB)",
                path, AZ_MAX_INPUT / (1024u * 1024u));
        return EXIT_ERROR;
    }
    if (r < 0)
        return EXIT_ERROR;
    ob.report = &report;
    /* rows with errors are counted over every sheet, then refused once */
    ob.collect = true;
    {
        /* say what the file is before a parser misreads it */
        const char *kind = az_file_type(data, len);
        if (strcmp(kind, "xlsx") && strcmp(kind, "csv") && strcmp(kind, "text")) {
            cli_err(c, "%s: 台帳として読めません: これは %s です (CSV か XLSX を渡してください)",
                    "%s: not a ledger: this is %s (give a CSV or XLSX file)", path,
                    az_file_type_name(kind, c->lang));
            free(data);
            return EXIT_ERROR;
        }
    }
    if (len >= 4 && !memcmp(data, "PK\3\4", 4)) {
        r = load_workbook(c, path, data, len, o, describe, ret);
        free(data);
        return r ? r : refuse_bad(c, oo, describe, ret);
    }
    r = az_ledger_import_opts(&c->ctx, path, data, len, o, ret);
    if (r == 0 && describe && az_ledger_describe(*ret, c->lang, describe) < 0) {
        az_ledger_free(*ret);
        *ret = NULL;
        r = az_fail(&c->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    free(data);
    if (report) {
        /* every problem, each on its own line, before the summary */
        fputs(report, stderr);
        free(report);
    }
    if (r < 0) {
        cli_liberr(c);
        return r == AZ_EINVAL ? EXIT_USAGE : EXIT_ERROR;
    }
    return refuse_bad(c, oo, describe, ret);
}

static int load(struct cli *c, const char *path, bool skip, struct az_ledger **ret)
{
    struct az_ledger_import_opts o = {.skip_bad = skip, .as_of = c->as_of};
    return load_opts(c, path, &o, NULL, ret);
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
    if (ws->vendors) {
        /* what is wrong in the registry but does not stop the check (a
         * system the profile lacks): said, not fatal */
        struct az_vendors *vs = NULL;
        if (az_ws_vendors(ws, &c->ctx, p, &vs) == 0 && vs && vs->warnings)
            fputs(vs->warnings, stderr);
        az_vendors_free(vs);
    }
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

/* The characters of the ledger CP932 cannot hold: each with its device,
 * row and column, and the way out (UTF-8). Printed after a failed
 * conversion. */
static void cp932_culprits(struct cli *c, const char *file, const struct az_ledger *l,
                           bool en_headers)
{
    struct az_ctx quiet;
    size_t shown = 0, more = 0;

    az_ctx_init(&quiet, c->lang);
    for (size_t i = 0; i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        for (size_t k = 0; k < AZ_NCOLS + l->nextra; k++) {
            const char *v = k < AZ_NCOLS ? a->col[k] : a->extra ? a->extra[k - AZ_NCOLS] : "";
            const char *head = k < AZ_NCOLS
                                   ? az_ledger_col_name((enum az_ledger_col)k,
                                                        en_headers ? AZ_LANG_EN : AZ_LANG_JA)
                                   : l->extra_head[k - AZ_NCOLS];
            for (const unsigned char *p = (const unsigned char *)v; *p;) {
                size_t n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
                char *conv = NULL;
                size_t clen;
                unsigned cp = n == 1   ? *p
                              : n == 2 ? (unsigned)(*p & 0x1F)
                              : n == 3 ? (unsigned)(*p & 0x0F)
                                       : (unsigned)(*p & 0x07);
                for (size_t j = 1; j < n && p[j]; j++)
                    cp = (cp << 6) | (p[j] & 0x3F);
                if (strnlen((const char *)p, n) < n)
                    break;
                if (az_utf8_to_cp932(&quiet, (const char *)p, n, &conv, &clen) < 0) {
                    if (shown < 10)
                        cli_err(c,
                                "%s: 行 %zu の機器「%s」の「%s」欄の文字「%.*s」(U+%04X) は "
                                "CP932 (Excel の CSV) で表せません",
                                "%s: row %zu, device \"%s\", column \"%s\": the character "
                                "\"%.*s\" (U+%04X) has no CP932 form",
                                file, a->line, a->col[AZ_COL_NAME], head, (int)n, (const char *)p,
                                cp);
                    else
                        more++;
                    shown++;
                }
                free(conv);
                p += n;
            }
        }
    }
    if (more)
        cli_err(c, "ほかに %zu 文字", "%zu more characters", more);
    cli_err(c,
            "UTF-8 で書き出してください (--encoding utf-8。BOM 付きなので Excel でもそのまま開け"
            "ます)。CP932 が必要なら、台帳のその文字を置き換えてから取り込み直してください",
            "write UTF-8 instead (--encoding utf-8; it has a BOM, so Excel opens it as it is), or "
            "replace the character in the ledger and import it again if CP932 is required");
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
            cp932_culprits(c, file, l, !strcmp(headers, "en"));
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
                                         {"map", required_argument, NULL, 'm'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"replace-empty", no_argument, NULL, 'E'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *sub, *profile = "profile.yaml", *format = "text";
    const char *vendors = "vendors.yaml", *db = NULL, *encoding = "utf-8", *headers = "ja";
    long patch_days = 180;
    bool skip = false, save = false, dry = false, replace_empty = false, verbose = false;
    const char **maps = NULL;
    size_t nmaps = 0;
    struct az_ledger *l;
    int o, r;

    if ((r = cli_sub_start(c, argc, argv, help, &sub)) >= 0)
        return r;
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
        case 'm': {
            const char **nm;
            if (!strchr(optarg, '=') || *optarg == '=') {
                cli_err(c, "--map は '見出し=項目' の形です (例: --map '機器ID=name')",
                        "--map takes 'HEADER=field' (e.g. --map 'Device ID=name')");
                free(maps);
                return EXIT_USAGE;
            }
            if (!(nm = realloc(maps, (nmaps + 1) * sizeof(*nm)))) {
                free(maps);
                return EXIT_ERROR;
            }
            maps = nm;
            maps[nmaps++] = optarg;
            break;
        }
        case 'n':
            dry = true;
            break;
        case 'E':
            replace_empty = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            free(maps);
            help(c, stdout);
            return 0;
        default:
            free(maps);
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    argc -= optind + 1;
    argv += optind + 1;
    if (!strcmp(sub, "import") && argc == 1) {
        struct az_buf b;
        struct az_ledger_import_opts io = {.skip_bad = skip,
                                           .maps = maps,
                                           .nmaps = nmaps,
                                           .as_of = c->as_of,
                                           .all_notes = verbose};
        if (!out)
            out = "ledger.csv";
        az_buf_init(&b, 64u * 1024 * 1024);
        r = load_opts(c, argv[0], &io, dry ? &b : NULL, &l);
        free(maps);
        if (r) {
            az_buf_done(&b);
            return r;
        }
        if (l->report)
            fputs(l->report, stderr);
        if (dry) {
            /* how each column (of each sheet) was read */
            fwrite(b.data ? b.data : "", 1, b.len, stdout);
            printf(L(c, "(--dry-run: %s には何も書いていません)\n",
                     "(--dry-run: nothing written to %s)\n"),
                   out);
            r = 0;
            if (l->rejected && !skip) {
                cli_err(c,
                        "%zu 行に誤りがあります。このまま取り込むと何も取り込みません (誤りの"
                        "ある欄を空欄にして取り込むには --skip-bad-rows)",
                        "%zu rows have errors: the import would take nothing (use "
                        "--skip-bad-rows to import them with the bad cells left blank)",
                        l->rejected);
                r = EXIT_ERROR;
            } else if (!l->n && !replace_empty) {
                cli_err(c,
                        "%s には機器が 1 台もないため、このままでは取り込みません (空の台帳を"
                        "書くには --replace-empty)",
                        "%s has no assets, so the import would refuse it (use --replace-empty "
                        "to write an empty ledger)",
                        argv[0]);
                r = EXIT_ERROR;
            }
            az_buf_done(&b);
            az_ledger_free(l);
            return r;
        }
        if (!l->n && !replace_empty && (!strcmp(out, "-") || access(out, F_OK) != 0)) {
            /* nothing to keep: a first import of an empty ledger is a
             * mistake (the wrong sheet or file) as much as a replacement */
            cli_err(c,
                    "%s には機器が 1 台もありません (見出しの下に機器の行がありません)。空の台帳を"
                    "作るには --replace-empty",
                    "%s has no assets (no device rows under the header); use --replace-empty to "
                    "write an empty ledger",
                    argv[0]);
            az_buf_done(&b);
            az_ledger_free(l);
            return EXIT_ERROR;
        }
        if (!l->n && !replace_empty && strcmp(out, "-") && access(out, F_OK) == 0) {
            /* an empty import must not wipe a ledger that has assets */
            struct az_ledger *old = NULL;
            struct az_ctx quiet;
            char *od = NULL;
            size_t ol = 0;
            bool has = false;
            az_ctx_init(&quiet, c->lang);
            if (read_raw(out, &od, &ol) == 0 &&
                az_ledger_import(&quiet, out, od, ol, true, &old) == 0)
                has = old->n > 0;
            else
                has = ol > 0;
            free(od);
            az_ledger_free(old);
            if (has) {
                cli_err(c,
                        "%s には機器が 1 台もないため、%s の台帳を置き換えませんでした "
                        "(空にしてよければ --replace-empty)",
                        "%s has no assets, so the ledger in %s was not replaced (use "
                        "--replace-empty to empty it)",
                        argv[0], out);
                az_buf_done(&b);
                az_ledger_free(l);
                return EXIT_ERROR;
            }
        }
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
        if (!r && l->blanked)
            printf(
                L(c,
                  "誤りのある欄を空欄にして取り込んだ行: %zu 行 (上の一覧の「空欄にして」の欄)\n",
                  "rows imported with their bad cells left blank: %zu (listed above)\n"),
                l->blanked);
        if (!r && l->totals)
            printf(
                L(c, "合計・小計の行として読み飛ばした行: %zu 行\n", "totals rows skipped: %zu\n"),
                l->totals);
        if (!r)
            cli_next(c, "anzen ledger check (管理者のいない VPN 装置・KEV・サポート切れを点検)",
                     "anzen ledger check (unadministered VPN devices, KEV, end of support)");
        az_buf_done(&b);
        az_ledger_free(l);
        return r;
    }
    free(maps);
    if (!strcmp(sub, "template") && argc == 0) {
        if (!out)
            out = L(c, "台帳.xlsx", "ledger.xlsx");
        if (az_ledger_template(&c->ctx, out) < 0) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        printf(L(c, "台帳のテンプレートを %s に書きました\n", "wrote the ledger template to %s\n"),
               out);
        return 0;
    }
    if (!strcmp(sub, "list") && argc <= 1) {
        if ((r = load(c, argc ? argv[0] : "ledger.csv", false, &l)))
            return r;
        for (size_t i = 0; i < l->n; i++) {
            const struct az_asset *a = &l->v[i];
            /* a space after every padded column, so a long kind or name
             * never runs into the next */
            printf("%-4zu ", i + 1);
            out_pad(stdout,
                    c->lang == AZ_LANG_JA && a->kind_label ? a->kind_label
                                                           : az_asset_kind_name(a->kind, c->lang),
                    18);
            fputc(' ', stdout);
            out_pad(stdout, a->col[AZ_COL_NAME], 24);
            printf(" %s%s%s  %s %s\n", a->col[AZ_COL_OS], *a->col[AZ_COL_VERSION] ? " " : "",
                   a->col[AZ_COL_VERSION], L(c, "管理者:", "admin:"),
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
