/* SPDX-License-Identifier: MIT */
/*
 * cmd_assess.c - `anzen assess`: answer the applicable items one at a time
 * (はい / いいえ / 対象外, date checked, target date, note). The answers
 * file is replaced atomically after every answer, so stopping (q, Ctrl-D,
 * a crash) loses nothing and the next run resumes where it stopped.
 * With --batch (or when not on a terminal without --interactive) it only
 * validates and evaluates the given answers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LINE 4096

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方: anzen assess [-p profile.yaml] [-a answers.yaml] [--edition 版]\n"
              "                     [--role 役割] [--all] [--batch | --interactive]\n\n"
              "このプロファイルに適用される項目だけを順に質問します。1 問ごとに回答ファイルを\n"
              "安全に保存するので、途中でやめても (q または Ctrl-D) 次回は続きから再開します。\n"
              "  -p, --profile FILE   プロファイル (既定: profile.yaml)\n"
              "  -a, --answers FILE   回答ファイル (既定: answers.yaml)\n"
              "      --edition ED     回答する版 (既定: 現行の版。古い版の回答は引き継ぎます)\n"
              "  -r, --role ROLE      その役割の項目だけ (management/planning/operations)\n"
              "      --vendor SYSTEM  そのシステムの事業者確認用に回答する (vendor-SYSTEM.yaml)\n"
              "      --all            回答済みの項目も聞き直す\n"
              "      --batch          質問せず、回答ファイルを検査して集計だけ表示する\n"
              "      --interactive    端末でなくても質問する (標準入力から読む)\n"
              "終了コード: 0 すべて対応済み, 2 未対応・未回答あり, 1 エラー, 64 使い方の誤り\n",
              "usage: anzen assess [-p profile.yaml] [-a answers.yaml] [--edition ED]\n"
              "                    [--role ROLE] [--all] [--batch | --interactive]\n\n"
              "Asks only the items that apply to this profile. The answers file is saved\n"
              "safely after every answer: stop any time (q or Ctrl-D) and resume later.\n"
              "  -p, --profile FILE   profile (default profile.yaml)\n"
              "  -a, --answers FILE   answers file (default answers.yaml)\n"
              "      --edition ED     edition to answer (default current; older answers carry "
              "over)\n"
              "  -r, --role ROLE      only that role's items (management/planning/operations)\n"
              "      --vendor SYSTEM  answer that system's vendor form (vendor-SYSTEM.yaml)\n"
              "      --all            ask answered items again\n"
              "      --batch          do not ask: validate the answers file and summarise\n"
              "      --interactive    ask even when not on a terminal (reads standard input)\n"
              "Exit codes: 0 all satisfied, 2 gaps or unanswered items, 1 error, 64 usage\n"));
}

static bool prompt(struct cli *c, const char *q, const char *dflt, char *buf, size_t n)
{
    if (dflt && *dflt)
        printf("  %s [%s] > ", q, dflt);
    else
        printf("  %s > ", q);
    fflush(stdout);
    if (!cli_readline(c, buf, n))
        return false;
    if (!*buf && dflt)
        snprintf(buf, n, "%s", dflt);
    return true;
}

static bool same_text(const char *a, const char *b)
{
    return (!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b));
}

/* Does the answer this session holds differ from the one on file? */
static bool differs(const struct az_answer *mine, const struct az_answer *theirs)
{
    if (!mine)
        return true;
    if (mine->ans != theirs->ans || mine->has_checked != theirs->has_checked ||
        mine->has_target != theirs->has_target || mine->nevidence != theirs->nevidence)
        return true;
    if ((mine->has_checked && az_date_cmp(mine->checked, theirs->checked)) ||
        (mine->has_target && az_date_cmp(mine->target, theirs->target)))
        return true;
    if (!same_text(mine->note, theirs->note))
        return true;
    for (size_t i = 0; i < mine->nevidence; i++)
        if (!same_text(mine->evidence[i], theirs->evidence[i]))
            return true;
    return false;
}

/* The answer sets an interactive session has replaced: kept until the end
 * because the evaluation it started from still points into them. */
struct kept {
    struct az_answers **v;
    size_t n;
};

/* Ask one item and save it under the workspace lock: the file is read
 * again first, so answers saved meanwhile elsewhere (the web UI, another
 * terminal) are kept, and the session says so. *ap is replaced by the
 * answers as saved (the old set goes to kept). Returns 1 answered, 0
 * skipped, -1 quit/EOF, -2 error. */
/* Does the profile say there are medical information systems? */
static bool profile_has_systems(const struct az_profile *p)
{
    return p && (p->medical_systems || p->nsystems);
}

static int ask_item(struct cli *c, struct az_workspace *ws, const struct az_profile *p,
                    const struct az_item *it, struct az_answers **ap, struct kept *kept, size_t idx,
                    size_t total, const char *path)
{
    struct az_answers *a = *ap, *saved = NULL, **nv;
    const struct az_answer *old = az_answers_get(a, it);
    struct az_answer x;
    char buf[LINE], d[16], note[LINE];

    printf("\n[%zu/%zu] %s  %s\n", idx, total, it->label,
           c->lang == AZ_LANG_EN ? it->title.en : it->title.ja);
    printf("  %s\n", c->lang == AZ_LANG_EN ? it->text.en : it->text.ja);
    if (it->guidance.ja)
        printf("  %s %s\n", L(c, "解説:", "Why:"),
               c->lang == AZ_LANG_EN ? it->guidance.en : it->guidance.ja);
    if (it->confidence != AZ_CONF_VERIFIED)
        printf("  (%s)\n", az_conf_name(it->confidence, c->lang));
    if (old && old->ans)
        printf("  %s %s\n", L(c, "現在の回答:", "Current answer:"), az_ans_name(old->ans, c->lang));
    memset(&x, 0, sizeof(x));
    x.item = it;
    for (;;) {
        if (!prompt(c,
                    L(c, "回答 (y はい / n いいえ / x 対象外 / s とばす / q 終了)",
                      "Answer (y yes / n no / x n/a / s skip / q quit)"),
                    NULL, buf, sizeof(buf)))
            return -1;
        if (!strcmp(buf, "q") || !strcmp(buf, "終了"))
            return -1;
        if (!strcmp(buf, "s") || !strcmp(buf, "とばす") || !buf[0])
            return 0;
        if (!strcmp(buf, "x"))
            x.ans = AZ_ANS_NA;
        else
            x.ans = az_ans_parse(buf);
        if (x.ans && it->gate && x.ans == AZ_ANS_NO && profile_has_systems(p)) {
            /* the gate's いいえ closes every other item: not against the profile
             * without a second word */
            printf("  %s\n",
                   L(c,
                     "警告: プロファイルには医療情報システムがあります (medical-systems または "
                     "systems)。「いいえ」にするとプロファイルと食い違います。",
                     "Warning: the profile says there are medical systems (medical-systems or "
                     "systems); no contradicts it."));
            if (!prompt(c,
                        L(c, "それでも「いいえ」にしますか (yes で確定、ほかは答え直し)",
                          "Answer no all the same? (yes to confirm, anything else to answer "
                          "again)"),
                        NULL, buf, sizeof(buf)))
                return -1;
            if (strcmp(buf, "yes") != 0 && strcmp(buf, "はい") != 0)
                continue;
        }
        if (x.ans)
            break;
        printf("  %s\n",
               L(c, "y / n / x / s / q のどれかを入力してください", "please type y, n, x, s or q"));
    }
    if (x.ans != AZ_ANS_NA || it->gate) {
        az_date_iso(c->as_of, d, sizeof(d));
        for (;;) {
            if (!prompt(c, L(c, "確認日", "Date checked"), d, buf, sizeof(buf)))
                return -1;
            if (az_date_parse(buf, false, &x.checked) == 0)
                break;
            printf("  %s\n", L(c, "日付として読めません (例: 2025-06-01、令和7年6月1日、R7.6.1)",
                               "not a date (e.g. 2025-06-01, 令和7年6月1日, R7.6.1)"));
        }
        x.has_checked = true;
    }
    if (x.ans == AZ_ANS_NO && !it->gate) {
        /* the official form asks for a target within the current fiscal year */
        struct az_date t = az_fy_end(az_fiscal_year(x.checked));
        az_date_iso(t, d, sizeof(d));
        for (;;) {
            if (!prompt(c,
                        L(c, "対応の目標日 (既定は今年度末)",
                          "Target date (default: end of this "
                          "fiscal year)"),
                        d, buf, sizeof(buf)))
                return -1;
            if (az_date_parse(buf, false, &x.target) == 0 && az_date_cmp(x.target, x.checked) >= 0)
                break;
            printf("  %s\n", L(c, "確認日以降の日付を入力してください",
                               "please give a date on or after the date checked"));
        }
        x.has_target = true;
    }
    if (!prompt(c, L(c, "備考 (空でとばす)", "Note (empty to skip)"), NULL, note, sizeof(note)))
        return -1;
    if (note[0])
        x.note = note;
    else if (old && old->note)
        x.note = old->note;
    if (old) {
        x.evidence = old->evidence;
        x.nevidence = old->nevidence;
    }
    /* the answer, its dates and a note typed now; a note left empty keeps
     * whatever is on file when saving (it may have changed meanwhile) */
    if (az_ws_answer_set(ws, &c->ctx, path, a->edition, a->form, a->system, &x,
                         AZ_AF_ANSWER | AZ_AF_CHECKED | AZ_AF_TARGET | (note[0] ? AZ_AF_NOTE : 0),
                         cli_who(), &saved) < 0) {
        cli_liberr(c);
        return -2;
    }
    for (size_t i = 0; i < saved->n; i++) {
        if (saved->v[i].item != it && differs(az_answers_get(a, saved->v[i].item), &saved->v[i])) {
            fprintf(stderr, "\n%s\n",
                    L(c,
                      "anzen: ほかの場所 (ブラウザ・別の端末・手での編集) で保存された回答を"
                      "読み込み直してから保存しました",
                      "anzen: answers saved elsewhere meanwhile (browser, another terminal, a "
                      "hand edit) were reloaded before saving"));
            break;
        }
    }
    if (!(nv = realloc(kept->v, (kept->n + 1) * sizeof(*nv)))) {
        az_answers_free(saved);
        cli_err(c, "メモリ不足", "out of memory");
        return -2;
    }
    kept->v = nv;
    kept->v[kept->n++] = a;
    *ap = saved;
    return 1;
}

int cmd_assess(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"profile", required_argument, NULL, 'p'}, {"answers", required_argument, NULL, 'a'},
        {"edition", required_argument, NULL, 'e'}, {"role", required_argument, NULL, 'r'},
        {"vendor", required_argument, NULL, 'v'},  {"all", no_argument, NULL, 'A'},
        {"batch", no_argument, NULL, 'B'},         {"interactive", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *answers = NULL, *edition = NULL, *vendor = NULL;
    char vpath[4096];
    unsigned roles = 0;
    bool all = false, batch = false, inter = false;
    struct az_profile *p = NULL;
    struct az_answers *a = NULL;
    struct az_workspace *ws = NULL;
    struct az_ws_files wf = {0};
    struct kept kept = {NULL, 0};
    struct az_eval *e = NULL;
    size_t total = 0, idx = 0, done = 0;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:e:r:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            break;
        case 'e':
            edition = optarg;
            break;
        case 'r':
            if (!(roles = az_role_parse(optarg))) {
                cli_err(c, "--role は management / planning / operations です",
                        "--role takes management, planning or operations");
                return EXIT_USAGE;
            }
            break;
        case 'v':
            vendor = optarg;
            break;
        case 'A':
            all = true;
            break;
        case 'B':
            batch = true;
            break;
        case 'I':
            inter = true;
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
    if (optind < argc || (batch && inter)) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    if (!batch && !inter && !isatty(STDIN_FILENO))
        batch = true;
    if (!answers && vendor) {
        vendor_path(NULL, vendor, vpath, sizeof(vpath));
        answers = vpath;
    } else if (!answers) {
        answers = "answers.yaml";
    }
    if ((r = load_and_eval(c, profile, answers, edition, vendor, &p, &a, &e)))
        return r;
    wf.profile = profile;
    wf.answers = answers;
    if ((r = cli_ws(c, &wf, &ws))) {
        az_eval_free(e);
        az_answers_free(a);
        az_profile_free(p);
        return r;
    }
    if (batch) {
        char *s = render_status(c, e, "text", NULL, 0);
        if (s)
            fputs(s, stdout);
        free(s);
        r = (e->total.gaps + e->total.unanswered) ? EXIT_GAPS : 0;
        goto out;
    }
    if (!a) {
        a = az_answers_new(e->edition, e->form);
        if (!a) {
            r = EXIT_ERROR;
            goto out;
        }
    }
    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *res = &e->results[i];
        if (res->status == AZ_ST_NOT_APPLICABLE)
            continue;
        if (roles && !(res->item->roles & roles) && !res->item->gate)
            continue;
        total++;
    }
    printf("%s %s %s (%s) — %zu %s\n", L(c, "回答する版:", "Answering:"),
           c->lang == AZ_LANG_EN ? az_form_doc_title(e->form).en : az_form_doc_title(e->form).ja,
           e->edition->version, c->lang == AZ_LANG_EN ? e->form->title.en : e->form->title.ja,
           total, L(c, "項目", "items"));
    /* carried answers still to re-check (要再確認) first, then the rest */
    for (int pass = 0; pass < 2; pass++) {
        bool stop = false;
        if (pass == 0) {
            size_t nre = 0, nstale = 0;
            for (size_t i = 0; i < e->nresults; i++)
                if (e->results[i].status != AZ_ST_NOT_APPLICABLE && e->results[i].answer &&
                    e->results[i].answer->reconfirm) {
                    nre++;
                    nstale += e->results[i].answer->stale && !e->results[i].answer->carried_from;
                }
            if (nstale)
                printf(L(c,
                         "前年度以前に確認した回答が %zu 件あります (要再確認)。今年度の確認と"
                         "して先に答え直してください (元のファイルは日付付きの写しで残ります)。\n",
                         "%zu answers were checked in an earlier fiscal year (to re-check); "
                         "they come first (the file as it was is kept as a dated copy).\n"),
                       nstale);
            if (nre > nstale)
                printf(L(c,
                         "前の版から引き継いだ回答が %zu 件あります (要再確認)。この版の文で"
                         "先に確認し直してください。\n",
                         "%zu answers were carried over from the previous edition (to "
                         "re-check); they come first.\n"),
                       nre - nstale);
        }
        idx = 0;
        for (size_t i = 0; i < e->nresults && !stop; i++) {
            const struct az_item_result *res = &e->results[i];
            const struct az_answer *cur;
            bool re;
            int k;
            if (res->status == AZ_ST_NOT_APPLICABLE)
                continue;
            if (roles && !(res->item->roles & roles) && !res->item->gate)
                continue;
            idx++;
            re = res->answer && res->answer->reconfirm;
            if (pass == 0 && !re)
                continue;
            if (pass == 1 && re)
                continue; /* asked in the first pass */
            cur = az_answers_get(a, res->item);
            if (pass == 1 && !all && cur && cur->ans)
                continue;
            if (pass == 0 && !(cur && cur->reconfirm))
                continue; /* answered again elsewhere meanwhile */
            if (re && res->answer->stale && !res->answer->carried_from)
                printf("\n%s", L(c, "[要再確認] 前年度以前に確認した回答",
                                 "[to re-check] checked in an earlier fiscal year"));
            else if (re)
                printf("\n%s", L(c, "[要再確認] 前の版からの引き継ぎ",
                                 "[to re-check] carried over from the previous edition"));
            if (re && res->answer->carried_from)
                printf(" (%s)", res->answer->carried_from->id);
            k = ask_item(c, ws, p, res->item, &a, &kept, idx, total, answers);
            if (k == -2) {
                r = EXIT_ERROR;
                goto out;
            }
            if (k == -1) {
                printf("\n%s\n",
                       L(c,
                         "中断しました。回答は保存済みです。anzen assess で続きから再開できます。",
                         "Stopped. Your answers are saved; run anzen assess to resume."));
                pass = 2;
                break;
            }
            done += (size_t)k;
            if (k == 1 && res->item->gate && az_answers_get(a, res->item)->ans == AZ_ANS_NO &&
                profile_has_systems(p)) {
                printf("%s\n", L(c,
                                 "プロファイルには医療情報システムがあるため、この回答は要対応"
                                 "のまま残ります (anzen status に警告が出ます)。",
                                 "The profile lists medical systems, so this answer stays to be "
                                 "put right (anzen status warns about it)."));
            } else if (k == 1 && res->item->gate &&
                       az_answers_get(a, res->item)->ans == AZ_ANS_NO) {
                printf("%s\n", L(c, "医療情報システムがないため、ほかの項目は対象外です。",
                                 "No medical information system: no other item applies."));
                pass = 2;
                stop = true;
            }
        }
    }
    /* re-evaluate with what was saved */
    {
        struct az_eval *e2;
        if (az_evaluate(&c->ctx, c->cat, p, a, e->edition, c->as_of, &e2) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
            goto out;
        }
        az_eval_free(e);
        e = e2;
    }
    printf("\n%s %zu. %s %d/%d (%d%%), %s %d, %s %d\n", L(c, "今回の回答数:", "Answered now:"),
           done, L(c, "対応済み", "satisfied"), e->total.satisfied, e->total.applicable,
           az_score_pct(&e->total) < 0 ? 0 : az_score_pct(&e->total), L(c, "未回答", "unanswered"),
           e->total.unanswered, L(c, "期限超過", "overdue"), e->total.overdue);
    cli_next(c, "anzen status (役割別の点数と期限超過)",
             "anzen status (scores per role and what is overdue)");
    r = (e->total.gaps + e->total.unanswered) ? EXIT_GAPS : 0;
out:
    for (size_t i = 0; i < kept.n; i++)
        az_answers_free(kept.v[i]);
    free(kept.v);
    az_ws_close(ws);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}
