/* SPDX-License-Identifier: MIT */
/*
 * cmd_calendar.c - anzen calendar: what falls due (due.h) as an
 * iCalendar file for any calendar program, and the "next N days" list
 * that anzen status adds.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/due.h"
#include "anzen/plan.h"
#include "anzen/records.h"
#include "anzen/workspace.h"
#include "cli.h"

int cli_dues(struct cli *c, const struct az_profile *p, const struct az_eval *e,
             struct az_dues *ret)
{
    struct az_ws_files wf = {.profile = p->file};
    struct az_workspace *ws = NULL;
    struct az_plan_state *states = NULL;
    struct az_plan *plan = NULL;
    struct az_records recs = {0};
    struct az_ws_vendor_form *vs = NULL;
    struct az_vendor_form_held *held = NULL;
    size_t n = 0, nvs = 0, nh = 0;
    int r;

    if ((r = cli_ws(c, &wf, &ws)))
        return r;
    if (az_ws_plan_states(ws, &c->ctx, &states, &n) < 0 ||
        az_plan_build(&c->ctx, e, states, n, &plan) < 0 || az_ws_records(ws, &c->ctx, &recs) < 0 ||
        az_ws_vendor_forms(ws, &c->ctx, p, e->edition->id, &vs, &nvs) < 0 ||
        !(held = az_ws_vendor_held(vs, nvs, &nh)) ||
        az_due_compute_held(&c->ctx, p, plan, &recs, c->as_of, held, nh, ret) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    free(held);
    az_ws_vendor_forms_free(vs, nvs);
    az_records_free(&recs);
    az_plan_free(plan);
    az_plan_states_free(states, n);
    az_ws_close(ws);
    return r;
}

char *cli_dues_text(struct cli *c, const struct az_dues *d, int days, bool md)
{
    struct az_buf b;
    struct az_date until = az_date_add_days(c->as_of, days);
    size_t shown = 0;

    az_buf_init(&b, 16u << 20);
    if (az_buf_printf(&b, md ? "\n## %s\n\n" : "\n%s\n",
                      c->lang == AZ_LANG_EN ? "Due in the next days" : "これからの予定") < 0)
        goto nomem;
    if (az_buf_printf(&b,
                      c->lang == AZ_LANG_EN ? "%s(within %d days, and overdue)\n"
                                            : "%s(%d 日以内と期限切れ)\n",
                      md ? "" : "  ", days) < 0)
        goto nomem;
    for (size_t i = 0; i < d->n; i++) {
        const struct az_due *x = &d->v[i];
        char iso[16];
        if (az_date_cmp(x->date, until) > 0)
            continue;
        az_date_iso(x->date, iso, sizeof(iso));
        if (az_buf_printf(&b, "%s%s %s%s\n", md ? "- " : "  ", iso,
                          x->overdue ? L(c, "[期限切れ] ", "[overdue] ") : "",
                          c->lang == AZ_LANG_EN ? x->en : x->ja) < 0)
            goto nomem;
        shown++;
    }
    if (!shown && az_buf_printf(&b, "%s%s\n", md ? "- " : "  ",
                                L(c, "この期間に期限はありません", "nothing falls due")) < 0)
        goto nomem;
    return az_buf_take(&b);
nomem:
    az_buf_done(&b);
    return NULL;
}

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方: anzen calendar [-o anzen.ics|-] [-p profile.yaml] [-a answers.yaml]\n\n"
              "期限と繰り返しの予定を iCalendar (RFC 5545) のファイルに書き出します。\n"
              "スマートフォンやパソコンのカレンダーに取り込めます (終日の予定)。\n"
              "入るもの: 対応計画の期限、復元訓練・BCP と連絡体制図の見直し (前回から 12 か月、\n"
              "記録がなければ今日)、年度ごとの職員研修、令和9年度の二要素認証、事業者確認用の\n"
              "毎年度の依頼、次の年度のチェックリスト。\n"
              "  -o FILE   書き出し先 (既定 anzen.ics、- で標準出力)\n",
              "usage: anzen calendar [-o anzen.ics|-] [-p profile.yaml] [-a answers.yaml]\n\n"
              "Writes the deadlines and recurring duties as an iCalendar (RFC 5545) file\n"
              "for any calendar program (all-day events): plan due dates, the next restore\n"
              "drill and BCP / contact chart review (12 months after the last, or today if\n"
              "never), training each fiscal year, the FY2027 two-factor rule, the yearly\n"
              "vendor forms and the next fiscal year's checklist.\n"
              "  -o FILE   where to write (default anzen.ics, - for standard output)\n"));
}

int cmd_calendar(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"profile", required_argument, NULL, 'p'},
                                         {"answers", required_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = "anzen.ics", *profile = "profile.yaml", *answers = "answers.yaml";
    struct az_profile *p = NULL;
    struct az_answers *a = NULL;
    struct az_eval *e = NULL;
    struct az_dues d = {0};
    char *ics = NULL;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "o:p:a:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o':
            out = optarg;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            if (cli_given_file(c, "-a", optarg))
                return EXIT_ERROR;
            break;
        case 'h':
            help(c, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足 (使えるもの: -o -p -a)",
                    "unknown option or missing argument (accepted: -o -p -a)");
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if ((r = load_and_eval(c, profile, answers, NULL, NULL, &p, &a, &e)))
        return r;
    if (!(r = cli_dues(c, p, e, &d))) {
        if (!(ics = az_dues_ics(&d, c->as_of, c->lang))) {
            cli_err(c, "メモリ不足", "out of memory");
            r = EXIT_ERROR;
        } else if (!(r = out_write(c, out, ics, strlen(ics))) && strcmp(out, "-"))
            fprintf(stderr,
                    L(c, "anzen: %zu 件の予定を %s に書き出しました\n",
                      "anzen: wrote %zu events to %s\n"),
                    d.n, out);
    }
    free(ics);
    az_dues_free(&d);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}
