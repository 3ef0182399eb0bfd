/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c - `anzen export --oscal assessment-results|poam`: the
 * current assessment and plan as OSCAL 1.0.4 JSON documents.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/oscal.h"
#include "anzen/store.h"
#include "cli.h"

int cmd_export(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"oscal", required_argument, NULL, 'O'},   {"profile", required_argument, NULL, 'p'},
        {"answers", required_argument, NULL, 'a'}, {"workspace", required_argument, NULL, 'w'},
        {"vendor", required_argument, NULL, 'v'},  {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *kind = NULL, *profile = "profile.yaml", *answers = NULL, *db = "anzen.db";
    const char *vendor = NULL, *output = NULL;
    char vpath[4096];
    struct az_profile *p = NULL;
    struct az_answers *a = NULL;
    struct az_eval *e = NULL;
    struct az_plan *plan = NULL;
    struct az_plan_state *states = NULL;
    size_t nstates = 0;
    json_t *doc = NULL;
    char *s = NULL;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:w:o:h", opts, NULL)) != -1) {
        switch (o) {
        case 'O':
            kind = optarg;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            if (cli_given_file(c, "-a", optarg))
                return EXIT_ERROR;
            break;
        case 'w':
            db = optarg;
            if (cli_given_file(c, "-w", optarg))
                return EXIT_ERROR;
            break;
        case 'v':
            vendor = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            printf("%s",
                   L(c,
                     "使い方: anzen export --oscal assessment-results|poam [-p profile.yaml]\n"
                     "                    [-a answers.yaml] [-w anzen.db] [--vendor SYSTEM] [-o "
                     "FILE]\n\n"
                     "現在の評価 (assessment-results) または対応計画 (poam) を OSCAL 1.0.4 の\n"
                     "JSON で書き出す。チェックリストの項目が control、回答が observation と\n"
                     "finding、計画の項目が POA&M item になる。同じ対象には毎回同じ UUID。\n",
                     "usage: anzen export --oscal assessment-results|poam [-p profile.yaml]\n"
                     "                    [-a answers.yaml] [-w anzen.db] [--vendor SYSTEM] [-o "
                     "FILE]\n\n"
                     "Writes the current assessment (assessment-results) or the plan (poam) as "
                     "OSCAL 1.0.4\nJSON: checklist items are controls, answers are observations "
                     "and findings, plan\nitems are POA&M items. The same objects always get the "
                     "same UUIDs.\n"));
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    if (optind < argc || !kind || (strcmp(kind, "assessment-results") && strcmp(kind, "poam"))) {
        cli_err(c, "--oscal assessment-results か --oscal poam を指定してください",
                "give --oscal assessment-results or --oscal poam");
        return EXIT_USAGE;
    }
    if (!answers && vendor) {
        vendor_path(NULL, vendor, vpath, sizeof(vpath));
        answers = vpath;
    } else if (!answers) {
        answers = "answers.yaml";
    }
    if ((r = load_and_eval(c, profile, answers, NULL, vendor, &p, &a, &e)))
        return r;
    if (!strcmp(kind, "assessment-results")) {
        doc = az_oscal_assessment_results(e);
    } else {
        if (access(db, F_OK) == 0) {
            struct az_store *st;
            if ((r = cli_open_store(c, db, &st)))
                goto out;
            if (az_store_plan_states(st, &c->ctx, &states, &nstates) < 0) {
                cli_liberr(c);
                az_store_close(st);
                r = EXIT_ERROR;
                goto out;
            }
            az_store_close(st);
        }
        if (az_plan_build(&c->ctx, e, states, nstates, &plan) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
            goto out;
        }
        if ((r = plan_add_ledger(c, plan, p, e, "ledger.csv")))
            goto out;
        if ((r = plan_add_scan(c, plan, "scan.json")))
            goto out;
        doc = az_oscal_poam(plan);
    }
    s = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    if (!s) {
        cli_err(c, "メモリ不足", "out of memory");
        r = EXIT_ERROR;
        goto out;
    }
    {
        size_t n = strlen(s);
        char *t = realloc(s, n + 2);
        if (!t) {
            r = EXIT_ERROR;
            goto out;
        }
        s = t;
        s[n] = '\n';
        s[n + 1] = '\0';
    }
    r = out_write(c, output, s, strlen(s));
out:
    free(s);
    json_decref(doc);
    az_plan_free(plan);
    az_plan_states_free(states, nstates);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}
