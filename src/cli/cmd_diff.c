/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c - `anzen diff A B`: what improved and what regressed between
 * two assessments. A and B are snapshot numbers in the workspace (from
 * `anzen status --save`) or status JSON files (`anzen status -f json`).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/store.h"
#include "cli.h"

static int load_status(struct cli *c, const char *db, const char *arg, json_t **ret)
{
    long id;

    if (az_parse_long(arg[0] == '#' ? arg + 1 : arg, 1, 1000000000L, &id) == 0 &&
        access(arg, F_OK) != 0) {
        struct az_store *st;
        int r;
        if (access(db, F_OK) != 0) {
            cli_err(c, "%s がありません", "%s does not exist", db);
            return EXIT_ERROR;
        }
        if ((r = cli_open_store(c, db, &st)))
            return r;
        r = az_store_snapshot_get(st, &c->ctx, id, ret);
        az_store_close(st);
        if (r < 0) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        return 0;
    } else {
        json_error_t err;
        json_t *j = json_load_file(arg, 0, &err);
        if (!j) {
            cli_err(c, "%s:%d:%d: JSON を読めません: %s", "%s:%d:%d: cannot read JSON: %s", arg,
                    err.line, err.column, err.text);
            return EXIT_ERROR;
        }
        if (!json_is_object(j) ||
            strcmp(json_string_value(json_object_get(j, "schema")) ?: "", "anzen-status/1")) {
            json_decref(j);
            cli_err(c, "%s: anzen status の JSON (anzen-status/1) ではありません",
                    "%s: not an anzen status JSON (anzen-status/1)", arg);
            return EXIT_ERROR;
        }
        *ret = j;
        return 0;
    }
}

static int rank(const char *status)
{
    /* how good a status is: satisfied/na > unanswered > gap */
    if (!strcmp(status, "satisfied") || !strcmp(status, "na") || !strcmp(status, "not-applicable"))
        return 2;
    if (!strcmp(status, "unanswered"))
        return 1;
    return 0;
}

int cmd_diff(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"workspace", required_argument, NULL, 'w'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = "anzen.db", *format = "text";
    json_t *a = NULL, *b = NULL, *out, *changes = json_array(), *x;
    size_t i;
    int o, r, improved = 0, regressed = 0;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "w:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'w':
            db = optarg;
            if (cli_given_file(c, "-w", optarg))
                return EXIT_ERROR;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false)) {
                json_decref(changes);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            printf("%s",
                   L(c,
                     "使い方: anzen diff A B [-w anzen.db] [--format text|json]\n\n"
                     "2 つの評価の間で良くなった項目・悪くなった項目、期限超過の増減を示す。\n"
                     "A と B は記録した評価の番号 (anzen workspace history) か、\n"
                     "anzen status --format json の出力ファイル。\n"
                     "終了コード: 0 悪化なし, 2 悪化した項目あり, 1 エラー\n",
                     "usage: anzen diff A B [-w anzen.db] [--format text|json]\n\n"
                     "What improved, what regressed and which items became or stopped "
                     "being overdue\nbetween two assessments. A and B are snapshot numbers "
                     "(anzen workspace history)\nor files written by anzen status --format "
                     "json.\nExit codes: 0 nothing regressed, 2 something regressed, 1 "
                     "error\n"));
            json_decref(changes);
            return 0;
        default:
            json_decref(changes);
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        json_decref(changes);
        cli_err(c, "比べる 2 つの評価を指定してください", "give the two assessments to compare");
        return EXIT_USAGE;
    }
    if ((r = load_status(c, db, argv[optind], &a)) ||
        (r = load_status(c, db, argv[optind + 1], &b))) {
        json_decref(a);
        json_decref(changes);
        return r;
    }
    json_array_foreach(json_object_get(b, "items"), i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        const char *sb = json_string_value(json_object_get(x, "status"));
        const char *ob = json_string_value(json_object_get(x, "overdue"));
        const char *sa = NULL, *oa = NULL, *kind = NULL;
        json_t *y;
        size_t k;
        json_array_foreach(json_object_get(a, "items"), k, y)
        {
            const char *yid = json_string_value(json_object_get(y, "id"));
            const char *cf = json_string_value(json_object_get(x, "carried_from"));
            if (!strcmp(yid, id) || (cf && !strcmp(yid, cf))) {
                sa = json_string_value(json_object_get(y, "status"));
                oa = json_string_value(json_object_get(y, "overdue"));
            }
        }
        if (!sa || !sb)
            kind = "new";
        else if (rank(sb) > rank(sa))
            kind = "improved";
        else if (rank(sb) < rank(sa))
            kind = "regressed";
        else if (!oa && ob)
            kind = "now-overdue";
        else if (oa && !ob)
            kind = "no-longer-overdue";
        if (!kind)
            continue;
        if (!strcmp(kind, "improved"))
            improved++;
        if (!strcmp(kind, "regressed") || !strcmp(kind, "now-overdue"))
            regressed++;
        json_array_append_new(
            changes, json_pack("{s:s, s:s, s:O, s:s?, s:s?, s:s?}", "change", kind, "id", id,
                               "label", json_object_get(x, "label"), "from", sa, "to", sb, "title",
                               json_string_value(json_object_get(x, "title"))));
    }
    out = json_pack("{s:s, s:i, s:i, s:O, s:O, s:O, s:O, s:o}", "schema", "anzen-diff/1",
                    "improved", improved, "regressed", regressed, "from_as_of",
                    json_object_get(a, "as_of"), "to_as_of", json_object_get(b, "as_of"),
                    "from_total", json_object_get(a, "total"), "to_total",
                    json_object_get(b, "total"), "changes", changes);
    if (!strcmp(format, "json")) {
        r = out_json(c, NULL, json_incref(out));
    } else {
        static const char *kinds[] = {"improved", "regressed", "now-overdue", "no-longer-overdue",
                                      "new"};
        static const char *ja[] = {"改善", "悪化", "期限超過に", "期限超過を解消", "新規"};
        json_t *ta = json_object_get(a, "total"), *tb = json_object_get(b, "total");
        printf("%s %s -> %s\n", L(c, "評価の比較:", "Comparing:"),
               json_string_value(json_object_get(a, "as_of")),
               json_string_value(json_object_get(b, "as_of")));
        printf("  %s %lld/%lld -> %lld/%lld, %s %lld -> %lld\n", L(c, "対応済み", "satisfied"),
               (long long)json_integer_value(json_object_get(ta, "satisfied")),
               (long long)json_integer_value(json_object_get(ta, "applicable")),
               (long long)json_integer_value(json_object_get(tb, "satisfied")),
               (long long)json_integer_value(json_object_get(tb, "applicable")),
               L(c, "期限超過", "overdue"),
               (long long)json_integer_value(json_object_get(ta, "overdue")),
               (long long)json_integer_value(json_object_get(tb, "overdue")));
        json_array_foreach(changes, i, x)
        {
            const char *k = json_string_value(json_object_get(x, "change"));
            const char *name = k;
            for (size_t n = 0; n < 5; n++)
                if (!strcmp(k, kinds[n]) && c->lang == AZ_LANG_JA)
                    name = ja[n];
            printf("  %-10s ", name);
            out_pad(stdout, json_string_value(json_object_get(x, "label")), 8);
            printf("%s", json_string_value(json_object_get(x, "title")));
            if (json_object_get(x, "from") && json_object_get(x, "to"))
                printf("  (%s -> %s)", json_string_value(json_object_get(x, "from")),
                       json_string_value(json_object_get(x, "to")));
            printf("\n");
        }
        if (!json_array_size(changes))
            printf("  %s\n", L(c, "変化はありません", "no changes"));
        r = 0;
    }
    json_decref(out);
    json_decref(a);
    json_decref(b);
    if (!r && regressed)
        r = EXIT_GAPS;
    return r;
}
