/* SPDX-License-Identifier: MIT */
/*
 * cmd_demo.c - `anzen demo`: run the whole loop on the embedded fictional
 * clinic (profile, answers, evaluation) and write every output into a
 * folder, so a new user sees what anzen produces in one command.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anzen/keypoints.h"
#include "anzen/ledger.h"
#include "anzen/oscal.h"
#include "anzen/plan.h"
#include "anzen/vendor.h"
#include "anzen/xlsx.h"
#include "cli.h"
#include "report_load.h"

/* Write one JSON document (taking the reference) to dir/name. */
static int write_json(struct cli *c, const char *dir, const char *name, json_t *j)
{
    char path[PATH_MAX], *s;
    int r;

    if (!j) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (!s) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    r = out_write(c, path, s, strlen(s));
    free(s);
    return r;
}

/* The plan, the key points and the OSCAL documents of the demo, and a
 * short summary of the plan on the terminal. */
static int write_extras(struct cli *c, const char *dir, const struct az_eval *e,
                        const struct az_profile *p, const struct az_ws_vendor_form *sums,
                        size_t nsums)
{
    struct az_plan *plan;
    json_t *kp;
    int r;

    if (az_plan_build(&c->ctx, e, NULL, 0, &plan) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    {
        char lp[PATH_MAX];
        snprintf(lp, sizeof(lp), "%s/ledger.csv", dir);
        if ((r = plan_add_ledger(c, plan, p, e, lp))) {
            az_plan_free(plan);
            return r;
        }
    }
    printf("\n%s\n", L(c, "対応計画 (優先順の上位 5 件、詳しくは anzen plan)",
                       "Remediation plan (top 5; see anzen plan)"));
    for (size_t i = 0; i < plan->n && i < 5; i++)
        printf("  %zu. %s %s — %s\n", i + 1, plan->v[i].result->item->label,
               c->lang == AZ_LANG_EN ? plan->v[i].result->item->title.en
                                     : plan->v[i].result->item->title.ja,
               c->lang == AZ_LANG_EN ? plan->v[i].reason_en : plan->v[i].reason_ja);
    {
        /* the ledger: the unmanaged vendor VPN router is the point */
        char path[PATH_MAX], *data = NULL;
        size_t len = 0;
        struct az_ledger *l;
        snprintf(path, sizeof(path), "%s/ledger.csv", dir);
        char vpath[PATH_MAX];
        snprintf(vpath, sizeof(vpath), "%s/vendors.yaml", dir);
        if (az_read_text_file(&c->ctx, path, &data, &len) == 0 &&
            az_ledger_import(&c->ctx, path, data, len, false, &l) == 0) {
            json_t *lc = NULL, *x;
            size_t i;
            if ((r = cli_ledger_check(c, l, p, vpath, 180, &lc))) {
                az_ledger_free(l);
                free(data);
                az_plan_free(plan);
                return r;
            }
            printf("\n%s\n",
                   L(c, "台帳の点検 (anzen ledger check)", "Ledger check (anzen ledger check)"));
            json_array_foreach(json_object_get(lc, "findings"), i, x)
                printf("  %s\n",
                       json_string_value(json_object_get(x, c->lang == AZ_LANG_EN ? "en" : "ja")));
            r = write_json(c, dir, "ledger-check.json", lc);
            az_ledger_free(l);
        } else {
            cli_liberr(c);
            r = EXIT_ERROR;
        }
        free(data);
        if (r) {
            az_plan_free(plan);
            return r;
        }
    }
    {
        /* the vendor registry */
        char path[PATH_MAX], *data = NULL;
        size_t len = 0;
        struct az_vendors *vs;
        snprintf(path, sizeof(path), "%s/vendors.yaml", dir);
        if (az_read_text_file(&c->ctx, path, &data, &len) == 0 &&
            az_vendors_load(&c->ctx, path, data, len, p, &vs) == 0) {
            json_t *vc = az_ws_vendor_check(vs, p, e->as_of, sums, nsums), *x;
            size_t i;
            printf("\n%s\n",
                   L(c, "事業者の点検 (anzen vendor check)", "Vendor check (anzen vendor check)"));
            json_array_foreach(json_object_get(vc, "findings"), i, x)
                printf("  %s\n",
                       json_string_value(json_object_get(x, c->lang == AZ_LANG_EN ? "en" : "ja")));
            r = write_json(c, dir, "vendor-check.json", vc);
            az_vendors_free(vs);
        } else {
            cli_liberr(c);
            r = EXIT_ERROR;
        }
        free(data);
        if (r) {
            az_plan_free(plan);
            return r;
        }
    }
    kp = az_keypoints(p, e->as_of);
    if (kp)
        printf("%s %lld\n",
               L(c, "重点事項で対応が必要な分野 (anzen keypoints):",
                 "Key-point areas with gaps (anzen keypoints):"),
               (long long)json_integer_value(json_object_get(kp, "gaps")));
    if ((r = write_json(c, dir, "plan.json", az_plan_to_json(plan))) ||
        (r = write_json(c, dir, "keypoints.json", kp)) ||
        (r = write_json(c, dir, "oscal-assessment-results.json", az_oscal_assessment_results(e))) ||
        (r = write_json(c, dir, "oscal-poam.json", az_oscal_poam(plan)))) {
        az_plan_free(plan);
        return r;
    }
    az_plan_free(plan);
    return 0;
}

/* The demo's answers and vendor form were checked in fiscal year
 * DEMO_FY. Moved by whole years into the fiscal year of the reference
 * date, so the demo shows a clinic that did its check this year (not one
 * whose every answer needs checking again); unchanged in DEMO_FY itself. */
#define DEMO_FY 2025
static char *demo_this_year(struct cli *c, const char *data, size_t len)
{
    int shift = az_fiscal_year(c->as_of) - DEMO_FY;
    char *t = malloc(len + 1);

    if (!t) {
        cli_err(c, "メモリ不足", "out of memory");
        return NULL;
    }
    memcpy(t, data, len);
    t[len] = '\0';
    for (size_t i = 0; shift && i + 10 <= len; i++) {
        const char *d = t + i;
        bool date = (i == 0 || !isdigit((unsigned char)d[-1])) && d[4] == '-' && d[7] == '-' &&
                    (i + 10 == len || !isdigit((unsigned char)d[10]));
        for (int k = 0; date && k < 10; k++)
            date = k == 4 || k == 7 || isdigit((unsigned char)d[k]);
        if (!date)
            continue;
        int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0') + shift;
        if (y < 1000 || y > 9999)
            continue;
        char yy[5];
        snprintf(yy, sizeof(yy), "%04d", y);
        memcpy(t + i, yy, 4);
        /* 29 February of a year that has none: the day before */
        if (!memcmp(t + i + 5, "02-29", 5) && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
            memcpy(t + i + 8, "28", 2);
        /* a check date never lies after the reference date (April and May) */
        struct az_date got;
        char iso[16];
        memcpy(iso, t + i, 10);
        iso[10] = '\0';
        if (i >= 9 && !memcmp(t + i - 9, "checked: ", 9) && az_date_parse(iso, false, &got) == 0 &&
            az_date_cmp(got, c->as_of) > 0) {
            az_date_iso(c->as_of, iso, sizeof(iso));
            memcpy(t + i, iso, 10);
        }
        i += 9;
    }
    return t;
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = "anzen-demo";
    const struct az_file_blob *files;
    char path[PATH_MAX], ppath[PATH_MAX], apath[PATH_MAX];
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    struct az_ws_vendor_form *vs = NULL;
    size_t n, nvs = 0;
    int o, r;
    static const char *fmts[] = {"text", "md", "json"};
    static const char *names[] = {"status.txt", "status.md", "status.json"};

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o':
            dir = optarg;
            break;
        case 'h':
            printf("%s",
                   L(c,
                     "使い方: anzen demo [-o DIR]\n\n"
                     "架空の 19 床の診療所 (ベンダーのシステム 2 つ、いくつかの未対応あり) で\n"
                     "プロファイル → 回答 → 評価 の流れを実行し、結果を DIR (既定: "
                     "anzen-demo) に書き出します。\n",
                     "usage: anzen demo [-o DIR]\n\n"
                     "Runs profile -> answers -> evaluation on a fictional 19-bed clinic "
                     "(two vendor\nsystems, some gaps) and writes the outputs into DIR "
                     "(default anzen-demo).\n"));
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        cli_err(c, "%s を作れません: %s", "cannot create %s: %s", dir,
                az_errno_text(c->lang, errno));
        return EXIT_ERROR;
    }
    files = az_embedded_demo_files(&n);
    for (size_t i = 0; i < n; i++) {
        const char *base = strchr(files[i].name, ':');
        base = base ? base + 1 : files[i].name;
        snprintf(path, sizeof(path), "%s/%s", dir, base);
        if (!strcmp(base, "answers.yaml") || !strncmp(base, "vendor-", 7)) {
            char *t = demo_this_year(c, files[i].data, files[i].len);
            r = t ? out_write(c, path, t, files[i].len) : EXIT_ERROR;
            free(t);
        } else {
            r = out_write(c, path, files[i].data, files[i].len);
        }
        if (r)
            return r;
    }
    snprintf(ppath, sizeof(ppath), "%s/profile.yaml", dir);
    snprintf(apath, sizeof(apath), "%s/answers.yaml", dir);
    if ((r = load_and_eval(c, ppath, apath, NULL, NULL, &p, &a, &e)))
        return r;
    if ((r = vendor_sums(c, p, apath, e->edition->id, &vs, &nvs))) {
        az_eval_free(e);
        az_answers_free(a);
        az_profile_free(p);
        return r;
    }
    for (size_t i = 0; i < 3; i++) {
        char *s = render_status(c, e, fmts[i], vs, nvs);
        if (!s) {
            r = EXIT_ERROR;
            break;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        r = out_write(c, path, s, strlen(s));
        if (!r && i == 0)
            fputs(s, stdout);
        free(s);
        if (r)
            break;
    }
    if (!r)
        r = write_extras(c, dir, e, p, vs, nvs);
    if (!r) {
        /* the printable report and the official form (anzen report) */
        char lp[PATH_MAX];
        struct report_paths rp = {ppath, apath, NULL, NULL, NULL, e->edition->id, NULL};
        struct az_ws_view *rd = NULL;
        struct az_buf b;
        snprintf(lp, sizeof(lp), "%s/checklist.xlsx", dir);
        if (!(r = report_load(c, &rp, &rd))) {
            az_buf_init(&b, 64u * 1024 * 1024);
            if (az_report_html(&c->ctx, &rd->in, 0, &b) < 0 ||
                az_xlsx_checklist(&c->ctx, &rd->in, lp) < 0) {
                cli_liberr(c);
                r = EXIT_ERROR;
            } else {
                snprintf(path, sizeof(path), "%s/report.html", dir);
                r = out_write(c, path, b.data, b.len);
            }
            az_buf_done(&b);
            az_ws_view_free(rd);
        }
    }
    if (!r)
        printf("\n%s %s/\n  profile.yaml answers.yaml vendor-emr.yaml status.txt status.md "
               "status.json\n  vendors.yaml vendor-check.json ledger.csv ledger-check.json "
               "plan.json keypoints.json "
               "oscal-assessment-results.json "
               "oscal-poam.json\n  report.html checklist.xlsx\n%s\n",
               L(c, "デモの出力を書きました:", "Demo outputs written to:"), dir,
               L(c, "自分の医療機関で始めるには: anzen init → anzen assess → anzen status",
                 "To start with your own institution: anzen init -> anzen assess -> anzen "
                 "status"));
    az_ws_vendor_forms_free(vs, nvs);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}
