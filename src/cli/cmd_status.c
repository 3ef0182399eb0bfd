/* SPDX-License-Identifier: MIT */
/*
 * cmd_status.c - `anzen status` (where the institution stands) and
 * `anzen applicable` (what applies to whom), plus the shared loading and
 * rendering of an evaluation in text, Markdown and JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/due.h"
#include "anzen/store.h"
#include "anzen/vendor.h"
#include "anzen/workspace.h"
#include "cli.h"

int cli_ws(struct cli *c, const struct az_ws_files *f, struct az_workspace **ret)
{
    const struct az_kev *k = NULL;
    int r;

    if ((r = cli_catalog(c)) || (r = cli_kev(c, &k)))
        return r;
    if (az_ws_open(&c->ctx, f, c->cat, k, c->as_of, ret) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

int eval_with(struct cli *c, const struct az_profile *p, const char *answers_path,
              const char *edition, const char *vendor_system, struct az_answers **ret_a,
              struct az_eval **ret_e)
{
    struct az_ws_files f = {.profile = p->file, .answers = answers_path};
    struct az_workspace *ws;
    char *notice = NULL;
    int r;

    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if (az_ws_eval(ws, &c->ctx, p, answers_path, edition, vendor_system, ret_a, ret_e, &notice) <
        0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    } else if (notice)
        fprintf(stderr, "anzen: %s\n", notice);
    free(notice);
    az_ws_close(ws);
    return r;
}

int load_and_eval(struct cli *c, const char *profile_path, const char *answers_path,
                  const char *edition, const char *vendor_system, struct az_profile **ret_p,
                  struct az_answers **ret_a, struct az_eval **ret_e)
{
    struct az_profile *p = NULL;
    int r;

    if ((r = cli_catalog(c)))
        return r;
    if (az_profile_load_file(&c->ctx, profile_path, &p) < 0) {
        cli_liberr(c);
        if (access(profile_path, F_OK) != 0)
            fprintf(stderr, "%s",
                    L(c, "  ヒント: 先に anzen init でプロファイルを作ってください\n",
                      "  hint: create a profile first with anzen init\n"));
        return EXIT_ERROR;
    }
    r = eval_with(c, p, answers_path, edition, vendor_system, ret_a, ret_e);
    if (r) {
        az_profile_free(p);
        return r;
    }
    *ret_p = p;
    return 0;
}

void vendor_path(const char *answers_path, const char *system, char *buf, size_t n)
{
    char *s = az_ws_vendor_path_for(answers_path, system);
    snprintf(buf, n, "%s", s ? s : "");
    free(s);
}

int vendor_sums(struct cli *c, const struct az_profile *p, const char *answers_path,
                const char *edition, struct az_ws_vendor_form **ret, size_t *ret_n)
{
    struct az_ws_files f = {.profile = p->file, .answers = answers_path};
    struct az_workspace *ws;
    int r;

    if ((r = cli_ws(c, &f, &ws)))
        return r;
    if (az_ws_vendor_forms(ws, &c->ctx, p, edition, ret, ret_n) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    az_ws_close(ws);
    return r;
}

static const char *tx(struct cli *c, struct az_text t)
{
    return c->lang == AZ_LANG_EN ? t.en : t.ja;
}

char *render_status(struct cli *c, const struct az_eval *e, const char *fmt,
                    const struct az_ws_vendor_form *vs, size_t nvs)
{
    return az_ws_status_render(c->lang, e, fmt, vs, nvs);
}

static void status_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen status [-p profile.yaml] [-a answers.yaml] [--edition 版]\n"
          "                     [--vendor SYSTEM] [--format text|json|md] [-o FILE]\n\n"
          "プロファイルと回答から、適用される項目の状況、役割別・区分別の点数、\n"
          "期限を過ぎた項目 (必須となった年度の末日、または目標日を過ぎた「いいえ」) "
          "を表示します。\n"
          "  -p, --profile FILE   プロファイル (既定: profile.yaml)\n"
          "  -a, --answers FILE   回答 (既定: answers.yaml。無ければすべて未回答)\n"
          "      --edition ED     評価する版 (既定: 収録している現行の版)\n"
          "      --vendor SYSTEM  そのシステムの事業者確認用 (既定 vendor-SYSTEM.yaml) を評価する\n"
          "  -f, --format FMT     text (既定), json (docs/status-json.md), md\n"
          "  -o, --output FILE    ファイルに書く (一時ファイル経由で安全に置き換え)\n"
          "      --save           この評価を日付つきでワークスペースに記録する\n"
          "  -w, --workspace DB   ワークスペース (既定: anzen.db)\n"
          "      --days N         N 日以内に期限が来る予定も表示する (既定 30、0 で表示しない)\n"
          "終了コード: 0 すべて対応済み, 2 未対応・未回答あり, 1 エラー, 64 使い方の誤り\n",
          "usage: anzen status [-p profile.yaml] [-a answers.yaml] [--edition ED]\n"
          "                    [--vendor SYSTEM] [--format text|json|md] [-o FILE]\n\n"
          "Shows the state of every applicable item, scores per role and group, and the\n"
          "overdue items (past the end of the fiscal year they became required in, or\n"
          "past their own target date). Vendor-form answers found next to the answers\n"
          "file (vendor-SYSTEM.yaml) are summarised too.\n"
          "  -p, --profile FILE   profile (default profile.yaml)\n"
          "  -a, --answers FILE   answers (default answers.yaml; none = all unanswered)\n"
          "      --edition ED     edition to assess against (default: current)\n"
          "      --vendor SYSTEM  evaluate that system's vendor form (vendor-SYSTEM.yaml)\n"
          "  -f, --format FMT     text (default), json (docs/status-json.md), md\n"
          "  -o, --output FILE    write to FILE (replaced atomically)\n"
          "      --save           record this assessment, dated, in the workspace\n"
          "  -w, --workspace DB   the workspace (default anzen.db)\n"
          "      --days N         also list what falls due within N days (default 30, 0: off)\n"
          "Exit codes: 0 all satisfied, 2 gaps or unanswered items, 1 error, 64 usage\n"));
}

/* Add the dues to a rendered status (consumes s). */
static char *status_add_dues(struct cli *c, char *s, const char *format, const struct az_dues *d,
                             int days)
{
    char *out = NULL;

    if (!strcmp(format, "json")) {
        json_t *j = json_loads(s, 0, NULL), *arr = az_dues_json(d, c->as_of, days);
        if (j && arr &&
            json_object_set_new(j, "due", json_pack("{s:i, s:o}", "days", days, "items", arr)) ==
                0) {
            char *t = json_dumps(j, JSON_INDENT(2));
            if (t)
                out = az_fmt("%s\n", t);
            free(t);
        } else
            json_decref(arr);
        json_decref(j);
    } else {
        char *t = cli_dues_text(c, d, days, !strcmp(format, "md"));
        if (t)
            out = az_fmt("%s%s", s, t);
        free(t);
    }
    free(s);
    return out;
}

/* The systems by ID (what --system and vendor-<ID>.yaml use) and the
 * next command, on stderr for people. */
static void status_next(struct cli *c, const struct az_profile *p, const struct az_eval *e)
{
    struct az_buf b;

    az_buf_init(&b, 1024 * 1024);
    for (size_t i = 0; i < p->nsystems; i++)
        az_buf_printf(&b, "%s%s = %s", i ? ", " : "", p->systems[i].id, p->systems[i].name);
    if (b.len)
        fprintf(stderr, L(c, "システム ID: %s\n", "system IDs: %s\n"), b.data);
    free(b.data);
    if (e->total.unanswered)
        cli_next(c, "anzen assess (未回答の項目に回答する)",
                 "anzen assess (answer the remaining items)");
    else if (e->total.gaps)
        cli_next(c, "anzen plan (対応計画: 優先順と担当・期限)",
                 "anzen plan (the plan: priorities, owners, due dates)");
    else
        cli_next(c, "anzen status --save (評価を記録)、anzen report (報告書)",
                 "anzen status --save (record it), anzen report (the report)");
}

int cmd_status(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"answers", required_argument, NULL, 'a'},
                                         {"edition", required_argument, NULL, 'e'},
                                         {"vendor", required_argument, NULL, 'v'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"save", no_argument, NULL, 'S'},
                                         {"workspace", required_argument, NULL, 'w'},
                                         {"days", required_argument, NULL, 'D'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *answers = NULL, *edition = NULL, *vendor = NULL;
    const char *format = "text", *output = NULL, *db = "anzen.db";
    bool save = false, db_given = false;
    int days = 30;
    char vpath[4096];
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    struct az_ws_vendor_form *vs = NULL;
    size_t nvs = 0;
    char *s;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:e:v:f:o:w:h", opts, NULL)) != -1) {
        switch (o) {
        case 'S':
            save = true;
            break;
        case 'D': {
            long v;
            if (az_parse_long(optarg, 0, 3660, &v) < 0) {
                cli_err(c, "--days は 0 から 3660 の整数です: \"%s\"",
                        "--days takes a whole number from 0 to 3660: \"%s\"", optarg);
                return EXIT_USAGE;
            }
            days = (int)v;
            break;
        }
        case 'w':
            db = optarg;
            db_given = true; /* must exist unless --save creates it: checked below */
            break;
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            if (cli_given_file(c, "-a", optarg))
                return EXIT_ERROR;
            break;
        case 'e':
            edition = optarg;
            break;
        case 'v':
            vendor = optarg;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, true))
                return EXIT_USAGE;
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            status_help(c, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足: \"%s\"",
                    "unknown option or missing argument: \"%s\"", argv[optind - 1]);
            status_help(c, stderr);
            return EXIT_USAGE;
        }
    }
    if (db_given && !save && cli_given_file(c, "-w", db))
        return EXIT_ERROR;
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (!answers && vendor) {
        vendor_path(NULL, vendor, vpath, sizeof(vpath));
        answers = vpath;
    } else if (!answers) {
        answers = "answers.yaml";
    }
    if ((r = load_and_eval(c, profile, answers, edition, vendor, &p, &a, &e)))
        return r;
    if (!vendor && (r = vendor_sums(c, p, answers, e->edition->id, &vs, &nvs))) {
        az_eval_free(e);
        az_answers_free(a);
        az_profile_free(p);
        return r;
    }
    if (save) {
        struct az_store *st;
        long long id;
        const char *who = getenv("USER");
        if ((r = cli_open_store(c, db, &st)) == 0) {
            if (az_store_snapshot(st, &c->ctx, e, a, who && *who ? who : "anzen", &id) < 0) {
                cli_liberr(c);
                r = EXIT_ERROR;
            } else {
                fprintf(stderr,
                        L(c, "anzen: 評価を %s に記録しました (#%lld)\n",
                          "anzen: assessment recorded in %s (#%lld)\n"),
                        db, id);
            }
            az_store_close(st);
        }
        if (r) {
            az_ws_vendor_forms_free(vs, nvs);
            az_eval_free(e);
            az_answers_free(a);
            az_profile_free(p);
            return r;
        }
    }
    s = render_status(c, e, format, vs, nvs);
    /* what falls due within --days (the institution's view only) */
    if (s && !vendor && days > 0) {
        struct az_dues d = {0};
        if ((r = cli_dues(c, p, e, &d))) {
            free(s);
            az_ws_vendor_forms_free(vs, nvs);
            az_eval_free(e);
            az_answers_free(a);
            az_profile_free(p);
            return r;
        }
        s = status_add_dues(c, s, format, &d, days);
        az_dues_free(&d);
    }
    if (!s) {
        cli_err(c, "メモリ不足", "out of memory");
        r = EXIT_ERROR;
    } else {
        r = out_write(c, output, s, strlen(s));
        if (!r)
            r = (e->total.gaps + e->total.unanswered) ? EXIT_GAPS : 0;
        if (r != EXIT_ERROR && strcmp(format, "json"))
            status_next(c, p, e);
    }
    free(s);
    az_ws_vendor_forms_free(vs, nvs);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    return r;
}

/* ---- applicable ---- */

int cmd_applicable(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"profile", required_argument, NULL, 'p'}, {"edition", required_argument, NULL, 'e'},
        {"role", required_argument, NULL, 'r'},    {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *edition = NULL, *format = "text";
    unsigned roles = AZ_ROLE_MANAGEMENT | AZ_ROLE_PLANNING | AZ_ROLE_OPERATIONS;
    const struct az_edition *ed, *gl;
    const struct az_form *form;
    struct az_profile *p;
    unsigned conds;
    json_t *out;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:e:r:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'e':
            edition = optarg;
            break;
        case 'r':
            roles = az_role_parse(optarg);
            if (!roles) {
                cli_err(c,
                        "--role は management / planning / operations (経営層 / 企画管理者 / "
                        "システム運用担当者) です",
                        "--role takes management, planning or operations");
                return EXIT_USAGE;
            }
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'h':
            printf("%s", L(c,
                           "使い方: anzen applicable [-p profile.yaml] [--edition 版] [--role 役割]"
                           " [--format text|json]\n\n"
                           "プロファイルに適用されるチェックリストの項目 (様式ごと、事業者確認用は"
                           "システムごと) と\nガイドラインの要件を役割別に一覧します。\n",
                           "usage: anzen applicable [-p profile.yaml] [--edition ED] [--role ROLE]"
                           " [--format text|json]\n\n"
                           "Lists the checklist items that apply (per form; the vendor form once "
                           "per system)\nand the guideline requirements, by role.\n"));
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    if ((r = cli_catalog(c)))
        return r;
    if (!(ed = cli_edition(c, edition)))
        return EXIT_ERROR;
    if (az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    conds = az_profile_conds(p);
    form = az_form_for_profile(ed, p);
    gl = az_catalog_newest_guideline(c->cat);
    if (gl && !gl->nitems)
        gl = NULL;
    /* Prefer a guideline edition with items; 7.0 is partial, so list 6.0 as well. */
    out = json_object();
    json_object_set_new(out, "schema", json_string("anzen-applicable/1"));
    json_object_set_new(out, "edition", json_string(ed->id));
    for (int k = 0; k < AZ_NROLES; k++) {
        unsigned role = 1u << k;
        json_t *rl = json_object(), *items = json_array(), *vendor = json_array(),
               *reqs = json_array();
        if (!(roles & role)) {
            json_decref(rl);
            json_decref(items);
            json_decref(vendor);
            json_decref(reqs);
            continue;
        }
        for (size_t i = 0; form && i < ed->nitems; i++) {
            const struct az_item *it = ed->items[i];
            if (it->form == form && (it->roles & role) && !az_item_inapplicable(it, conds))
                json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "id", it->id, "label",
                                                       it->label, "title", tx(c, it->title)));
        }
        for (size_t s = 0; s < p->nsystems; s++) {
            const struct az_form *vf = NULL;
            if (!p->systems[s].vendor)
                continue;
            for (size_t f = 0; f < ed->nforms; f++)
                if (ed->forms[f].vendor)
                    vf = &ed->forms[f];
            if (vf && k == 1)
                json_array_append_new(vendor,
                                      json_pack("{s:s, s:s, s:s, s:i}", "system", p->systems[s].id,
                                                "vendor", p->systems[s].vendor, "form", vf->id,
                                                "items", (int)vf->nitems));
        }
        for (size_t e2 = 0; e2 < az_catalog_neditions(c->cat); e2++) {
            const struct az_edition *g = az_catalog_edition_at(c->cat, e2);
            if (g->checklist || !g->nitems)
                continue;
            for (size_t i = 0; i < g->nitems; i++) {
                const struct az_item *it = g->items[i];
                if ((it->roles & role) && !az_item_inapplicable(it, conds))
                    json_array_append_new(reqs,
                                          json_pack("{s:s, s:s, s:s, s:s}", "id", it->id, "label",
                                                    it->label, "title", tx(c, it->title),
                                                    "confidence", az_conf_token(it->confidence)));
            }
        }
        json_object_set_new(rl, "checklist_items", items);
        json_object_set_new(rl, "vendor_forms", vendor);
        json_object_set_new(rl, "guideline_requirements", reqs);
        json_object_set_new(out, az_role_token((enum az_role)role), rl);
    }
    if (!strcmp(format, "json")) {
        char *s = json_dumps(out, JSON_INDENT(2));
        json_decref(out);
        az_profile_free(p);
        if (!s)
            return EXIT_ERROR;
        r = out_write(c, NULL, s, strlen(s));
        free(s);
        return r ? r : (out_write(c, NULL, "\n", 1));
    }
    printf("%s %s %s (%s)\n", L(c, "適用される項目:", "Applicable items:"), p->name, ed->version,
           form ? tx(c, form->title) : "-");
    for (int k = 0; k < AZ_NROLES; k++) {
        json_t *rl = json_object_get(out, az_role_token((enum az_role)(1u << k)));
        json_t *x;
        size_t i;
        if (!rl)
            continue;
        printf("\n[%s]\n", az_role_name((enum az_role)(1u << k), c->lang));
        printf("  %s (%zu)\n", L(c, "チェックリスト", "Checklist"),
               json_array_size(json_object_get(rl, "checklist_items")));
        json_array_foreach(json_object_get(rl, "checklist_items"), i, x)
        {
            printf("    ");
            out_pad(stdout, json_string_value(json_object_get(x, "label")), 8);
            printf("%s\n", json_string_value(json_object_get(x, "title")));
        }
        json_array_foreach(json_object_get(rl, "vendor_forms"), i, x)
            printf("  %s %s (%s): %s\n", L(c, "事業者確認用を依頼:", "Send vendor form to:"),
                   json_string_value(json_object_get(x, "vendor")),
                   json_string_value(json_object_get(x, "system")),
                   json_string_value(json_object_get(x, "form")));
        printf("  %s (%zu)\n", L(c, "ガイドラインの要件", "Guideline requirements"),
               json_array_size(json_object_get(rl, "guideline_requirements")));
        json_array_foreach(json_object_get(rl, "guideline_requirements"), i, x)
        {
            printf("    ");
            out_pad(stdout, json_string_value(json_object_get(x, "label")), 24);
            printf("%s  %s\n", json_string_value(json_object_get(x, "title")),
                   json_string_value(json_object_get(x, "id")));
        }
    }
    json_decref(out);
    az_profile_free(p);
    return 0;
}
