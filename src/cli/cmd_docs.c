/* SPDX-License-Identifier: MIT */
/*
 * cmd_docs.c - `anzen docs bcp|contacts|drill`: documents drafted from
 * what the workspace knows (docs.h), as printable HTML, an editable XLSX
 * or a PDF; `anzen docs drill --import FILE` reads a filled drill record
 * back and keeps it as evidence for the BCP item. Also the inspection
 * pack of `anzen report --inspection` (docs_write).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/docs.h"
#include "anzen/finding.h"
#include "anzen/store.h"
#include "cli.h"
#include "report_load.h"

int docs_evidence(struct cli *c, const char *db, json_t **ret)
{
    struct az_store *st;
    int r;

    *ret = NULL;
    if (!db || access(db, F_OK) != 0)
        return 0;
    if ((r = cli_open_store(c, db, &st)))
        return r;
    if (az_store_evidence(st, &c->ctx, NULL, ret) < 0) {
        cli_liberr(c);
        az_store_close(st);
        return EXIT_ERROR;
    }
    az_store_close(st);
    return 0;
}

int docs_write(struct cli *c, const struct report_paths *rp, const char *kind, const char *format,
               const char *output)
{
    struct az_ws_view *v = NULL;
    json_t *ev = NULL, *m = NULL;
    struct az_docs_input di;
    char defname[64];
    const char *path;
    int r;

    snprintf(defname, sizeof(defname), "%s.%s", kind,
             !strcmp(format, "xlsx")  ? "xlsx"
             : !strcmp(format, "pdf") ? "pdf"
                                      : "html");
    path = output ? output : defname;
    if (!strcmp(format, "xlsx") && !strcmp(path, "-")) {
        cli_err(c, "XLSX は標準出力には書けません (-o FILE)",
                "XLSX cannot go to standard output (use -o FILE)");
        return EXIT_USAGE;
    }
    if ((r = report_load(c, rp, &v)))
        return r;
    if ((r = docs_evidence(c, rp->workspace, &ev))) {
        az_ws_view_free(v);
        return r;
    }
    di.cat = c->cat;
    di.in = &v->in;
    di.evidence = ev;
    if (az_docs_model(&c->ctx, &di, kind, &m) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    } else if (!strcmp(format, "xlsx")) {
        if (az_xlsx_docs(&c->ctx, m, path) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        }
    } else {
        struct az_buf b;
        az_buf_init(&b, 64u * 1024 * 1024);
        if (az_docs_html(&c->ctx, m, &b) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else {
            r = !strcmp(format, "pdf") ? report_pdf(c, b.data, b.len, path)
                                       : out_write(c, path, b.data, b.len);
        }
        az_buf_done(&b);
    }
    if (!r && strcmp(path, "-"))
        fprintf(stderr, L(c, "anzen: %s を書きました\n", "anzen: wrote %s\n"), path);
    json_decref(m);
    json_decref(ev);
    az_ws_view_free(v);
    return r;
}

/* anzen docs drill --import FILE: the filled record sheet becomes evidence
 * of the BCP item (in one transaction; importing it again adds nothing). */
static int drill_import(struct cli *c, const struct report_paths *rp, const char *file)
{
    struct az_profile *p = NULL;
    struct az_answers *a = NULL;
    struct az_eval *e = NULL;
    struct az_store *st = NULL;
    json_t *rec = NULL, *findings = NULL;
    char *data = NULL, *ja = NULL, *en = NULL;
    const char *base;
    size_t len = 0, added = 0;
    int r;

    if ((r = cli_read_binary(c, file, &data, &len)))
        return r;
    if ((r = load_and_eval(c, rp->profile, rp->answers, rp->edition, NULL, &p, &a, &e)))
        goto out;
    if (az_docs_drill_read(&c->ctx, file, data, len, p->name, &rec) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    ja = az_docs_drill_text(rec, AZ_LANG_JA);
    en = az_docs_drill_text(rec, AZ_LANG_EN);
    findings = json_pack("[{s:s, s:s, s:[s], s:s, s:s}]", "rule", "docs.drill-record", "level",
                         "info", "topics", "h:cyber-bcp", "ja", ja ? ja : "", "en", en ? en : "");
    if (!ja || !en || !findings) {
        cli_err(c, "メモリ不足", "out of memory");
        r = EXIT_ERROR;
        goto out;
    }
    base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    if ((r = cli_open_store(c, rp->workspace, &st)))
        goto out;
    if (az_store_add_findings(st, &c->ctx, c->cat, e->edition, e->form->id, findings, "document",
                              base, cli_who(), &added) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    {
        const struct az_item *items[8];
        size_t n = az_topic_items(c->cat, e->edition, e->form->id, "h:cyber-bcp", items, 8);
        for (size_t i = 0; i < n; i++)
            printf(added ? L(c, "訓練記録 (%s) を %s (%s) の証跡として記録しました\n",
                             "recorded the drill of %s as evidence for %s (%s)\n")
                         : L(c, "訓練記録 (%s) は %s (%s) の証跡として記録済みです\n",
                             "the drill of %s is already evidence for %s (%s)\n"),
                   json_string_value(json_object_get(rec, "date")), items[i]->label, items[i]->id);
    }
out:
    if (st)
        az_store_close(st);
    json_decref(rec);
    json_decref(findings);
    free(ja);
    free(en);
    free(data);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方: anzen docs bcp|contacts|drill [-o FILE] [--format html|xlsx|pdf]\n"
              "                  [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
              "                  [--ledger ledger.csv] [--vendors vendors.yaml]\n"
              "       anzen docs drill --import 記録.xlsx [-w anzen.db]\n\n"
              "ワークスペースの内容 (プロファイル・機器台帳・事業者の登録・対応計画) から文書の\n"
              "下書きを作ります。空欄は記入して保管してください (XLSX は Excel / LibreOffice "
              "で編集可)。\n"
              "  bcp       サイバー攻撃を想定した BCP (平時・検知・初動・復旧・事後)。平時に\n"
              "            サーバとパソコンの一覧、ネットワークの区分、リモート保守の入口を記入\n"
              "  contacts  連絡体制図 (院内の役割、事業者、警察・行政などの相談先)\n"
              "  drill     机上訓練 (保守用 VPN 装置からのランサムウェア) と記録用紙\n"
              "  --import FILE  記入した訓練の記録用紙 (XLSX) を読み、BCP の項目の証跡として\n"
              "                 ワークスペースに記録する\n"
              "  --format  html (既定、印刷用) / xlsx / pdf (Chromium が必要)\n"
              "  -o FILE   出力先 (既定: 種類.html / .xlsx / .pdf)\n",
              "usage: anzen docs bcp|contacts|drill [-o FILE] [--format html|xlsx|pdf]\n"
              "                  [-p profile.yaml] [-a answers.yaml] [-w anzen.db]\n"
              "                  [--ledger ledger.csv] [--vendors vendors.yaml]\n"
              "       anzen docs drill --import RECORD.xlsx [-w anzen.db]\n\n"
              "Drafts documents from what the workspace knows (profile, asset ledger, vendor\n"
              "registry, plan). Fill in the blanks and keep them (the XLSX can be edited in\n"
              "Excel or LibreOffice).\n"
              "  bcp       cyber-attack BCP (normal times, detection, first response, recovery,\n"
              "            afterwards) with the servers and PCs, the network segments and the\n"
              "            remote-maintenance entry points filled in\n"
              "  contacts  contact chart (internal roles, vendors, police and authorities)\n"
              "  drill     tabletop drill (ransomware through a vendor VPN device) with a\n"
              "            record sheet\n"
              "  --import FILE  read a filled drill record sheet (XLSX) and record it in the\n"
              "                 workspace as evidence for the BCP item\n"
              "  --format  html (default, printable) / xlsx / pdf (needs Chromium)\n"
              "  -o FILE   where to write (default KIND.html / .xlsx / .pdf)\n"));
}

int cmd_docs(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {REPORT_PATH_OPTIONS,
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"import", required_argument, NULL, 'I'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct report_paths rp = REPORT_PATHS_DEFAULT;
    const char *format = "html", *output = NULL, *import = NULL, *kind;
    int o;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:w:e:f:o:h", opts, NULL)) != -1) {
        int r = report_path_option(c, o, optarg, &rp);
        if (r >= 0) {
            if (r)
                return r;
            continue;
        }
        switch (o) {
        case 'f':
            format = optarg;
            if (strcmp(format, "html") && strcmp(format, "xlsx") && strcmp(format, "pdf")) {
                cli_err(c, "--format は html / xlsx / pdf です",
                        "--format takes html, xlsx or pdf");
                return EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'I':
            import = optarg;
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
    if (optind >= argc) {
        cli_err(c, "文書の種類を指定してください (bcp / contacts / drill)",
                "name a document kind (bcp, contacts, drill)");
        help(c, stderr);
        return EXIT_USAGE;
    }
    kind = argv[optind];
    if (optind + 1 < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (strcmp(kind, "bcp") && strcmp(kind, "contacts") && strcmp(kind, "drill")) {
        static const char *const kinds[] = {"bcp", "contacts", "drill"};
        const char *s = az_suggest(kind, kinds, 3);
        cli_err(c, "文書の種類 \"%s\" はありません (bcp / contacts / drill)",
                "no document kind \"%s\" (bcp, contacts, drill)", kind);
        if (s)
            fprintf(stderr, L(c, "もしかして: anzen docs %s\n", "did you mean: anzen docs %s\n"),
                    s);
        return EXIT_USAGE;
    }
    if (import && strcmp(kind, "drill")) {
        cli_err(c, "--import は drill の記録用紙だけです",
                "--import reads drill record sheets only");
        return EXIT_USAGE;
    }
    if (cli_catalog(c))
        return EXIT_ERROR;
    if (import)
        return drill_import(c, &rp, import);
    return docs_write(c, &rp, kind, format, output);
}
