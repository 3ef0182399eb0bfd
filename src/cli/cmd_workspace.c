/* SPDX-License-Identifier: MIT */
/*
 * cmd_workspace.c - `anzen workspace import|export|info|log|history|backup`: move the profile and
 * answer files into the durable workspace (SQLite) and back out, and read its change log and
 * snapshots.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anzen/store.h"
#include "cli.h"

static bool az_is_evidence_kind(const char *k)
{
    static const char *const kinds[] = {"document", "note", "screenshot", "log",
                                        "ledger",   "scan", NULL};
    for (size_t i = 0; kinds[i]; i++)
        if (!strcmp(k, kinds[i]))
            return true;
    return false;
}

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方:\n"
          "  anzen workspace import [-w anzen.db] [DIR]\n"
          "      DIR (既定: .) の profile.yaml、answers.yaml、vendor-*.yaml を検査して\n"
          "      ワークスペースに取り込む (すべてを 1 つのトランザクションで)\n"
          "  anzen workspace export [-w anzen.db] [-o DIR]\n"
          "      ワークスペースの内容を DIR (既定: .) にファイルとして書き出す\n"
          "  anzen workspace info [-w anzen.db]\n"
          "      形式の版、回答の組、評価の記録の数\n"
          "  anzen workspace log [-w anzen.db] [--format text|json] [-n N]\n"
          "      変更履歴 (誰が・いつ・何を・変更前後)。-n N で新しいものから N 件\n"
          "  anzen workspace history [-w anzen.db] [--format text|json]\n"
          "      記録した評価 (anzen status --save) の一覧\n"
          "  anzen workspace evidence add 項目 --kind 種類 --description 説明 [--source 場所]\n"
          "  anzen workspace evidence [項目] [--format text|json]\n"
          "      項目に証跡 (文書・メモ・画面・ログ・台帳・検査) を記録する / 一覧する\n"
          "  anzen workspace backup -o FILE [-w anzen.db]\n"
          "      使用中でもワークスペース (anzen.db をオンラインバックアップで複製し、鍵と\n"
          "      YAML・CSV・JSON のファイル) を 1 つの tar ファイルにする。戻すときは\n"
          "      mkdir 新しい場所 && tar -xf FILE -C 新しい場所\n"
          "  --who NAME   変更履歴に残す名前 (既定: 環境変数 USER)\n",
          "usage:\n"
          "  anzen workspace import [-w anzen.db] [DIR]\n"
          "      validate profile.yaml, answers.yaml and vendor-*.yaml in DIR (default .)\n"
          "      and import them into the workspace, all in one transaction\n"
          "  anzen workspace export [-w anzen.db] [-o DIR]\n"
          "      write the workspace back out as files into DIR (default .)\n"
          "  anzen workspace info [-w anzen.db]\n"
          "      schema version, answer sets, number of assessment snapshots\n"
          "  anzen workspace log [-w anzen.db] [--format text|json] [-n N]\n"
          "      the change log (who, when, what, before/after); -n N: the newest N\n"
          "  anzen workspace history [-w anzen.db] [--format text|json]\n"
          "      the recorded assessments (anzen status --save)\n"
          "  anzen workspace evidence add ITEM --kind KIND --description TEXT [--source WHERE]\n"
          "  anzen workspace evidence [ITEM] [--format text|json]\n"
          "      record / list evidence (document, note, screenshot, log, ledger, scan)\n"
          "  anzen workspace backup -o FILE [-w anzen.db]\n"
          "      copy the workspace, even while in use (anzen.db through SQLite's online\n"
          "      backup, its key, the YAML, CSV and JSON files) into one tar file; restore\n"
          "      with: mkdir NEWDIR && tar -xf FILE -C NEWDIR\n"
          "  --who NAME   name recorded in the change log (default: $USER)\n"));
}

static const char *default_who(void)
{
    const char *u = getenv("USER");
    return u && *u ? u : "anzen";
}

int cli_open_store(struct cli *c, const char *path, struct az_store **ret)
{
    if (az_store_open(&c->ctx, path, ret) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int check_vendor_file(struct cli *c, const struct az_profile *p, const char *base,
                             const char *path, const struct az_answers *a)
{
    bool vfile = !strncmp(base, "vendor-", 7);
    const struct az_system *sys = NULL;
    char list[1024] = "";
    size_t o = 0;

    if (!vfile) {
        if (a->form->vendor) {
            cli_err(c, "%s: 事業者確認用の回答です (vendor-システム.yaml に置いてください)",
                    "%s: these are vendor-form answers (they belong in vendor-SYSTEM.yaml)", path);
            return EXIT_ERROR;
        }
        return 0;
    }
    for (size_t i = 0; i < p->nsystems; i++)
        if (p->systems[i].vendor) {
            int w = snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", p->systems[i].id);
            if (w > 0 && (size_t)w < sizeof(list) - o)
                o += (size_t)w;
            if (a->system && !strcmp(a->system, p->systems[i].id))
                sys = &p->systems[i];
        }
    if (!a->form->vendor) {
        cli_err(c, "%s: 事業者確認用の回答ではありません (様式 %s)",
                "%s: not vendor-form answers (form %s)", path, a->form->id);
        return EXIT_ERROR;
    }
    if (!sys) {
        cli_err(
            c, "%s: system \"%s\" は、プロファイルの事業者のいるシステム (%s) のどれでもありません",
            "%s: system \"%s\" is none of the profile's systems with a vendor (%s)", path,
            a->system ? a->system : "", o ? list : "-");
        return EXIT_ERROR;
    }
    {
        size_t l = strlen(base);
        if (l < 12 || strlen(sys->id) != l - 12 || strncmp(base + 7, sys->id, l - 12)) {
            cli_err(c, "%s: システム \"%s\" の回答ですが、ファイル名は %s です (vendor-%s.yaml に)",
                    "%s: answers for system \"%s\" in a file named %s (should be vendor-%s.yaml)",
                    path, sys->id, base, sys->id);
            return EXIT_ERROR;
        }
    }
    return 0;
}

static int do_import(struct cli *c, const char *db, const char *dir, const char *who)
{
    char path[PATH_MAX], *profile_text = NULL, **names = NULL;
    struct az_answers **sets = NULL;
    struct az_profile *p = NULL;
    struct az_store *st = NULL;
    size_t len, nsets = 0, nnames = 0;
    DIR *d;
    struct dirent *de;
    int r = EXIT_ERROR;

    if ((r = cli_catalog(c)))
        return r;
    r = EXIT_ERROR;
    snprintf(path, sizeof(path), "%s/profile.yaml", dir);
    if (access(path, F_OK) == 0 &&
        (r = cli_file_type_ok(c, path, "yaml json text", "YAML のプロファイル", "a YAML profile")))
        goto out;
    r = EXIT_ERROR;
    if (az_read_text_file(&c->ctx, path, &profile_text, &len) < 0 ||
        az_profile_load(&c->ctx, path, profile_text, len, &p) < 0) {
        cli_liberr(c);
        goto out;
    }
    d = opendir(dir);
    if (!d) {
        cli_err(c, "%s を開けません: %s", "cannot open %s: %s", dir, az_errno_text(c->lang, errno));
        goto out;
    }
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        char **nn;
        if (strcmp(de->d_name, "answers.yaml") &&
            !(l > 12 && !strncmp(de->d_name, "vendor-", 7) && !strcmp(de->d_name + l - 5, ".yaml")))
            continue;
        nn = realloc(names, (nnames + 1) * sizeof(*names));
        if (!nn || !(nn[nnames] = strdup(de->d_name))) {
            names = nn ? nn : names;
            closedir(d);
            cli_err(c, "メモリ不足", "out of memory");
            goto out;
        }
        names = nn;
        nnames++;
    }
    closedir(d);
    if (nnames)
        qsort(names, nnames, sizeof(*names), name_cmp);
    sets = calloc(nnames + 1, sizeof(*sets));
    if (!sets)
        goto out;
    for (size_t i = 0; i < nnames; i++) {
        struct az_eval *e;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if ((r = cli_file_type_ok(c, path, "yaml json text", "YAML の回答", "YAML answers"))) {
            goto out;
        }
        r = EXIT_ERROR;
        if (az_answers_load_file(&c->ctx, c->cat, path, &sets[nsets]) < 0) {
            cli_liberr(c);
            goto out;
        }
        /* the same checks as status: vendor-SYS.yaml holds the vendor form
         * of a system with a vendor, answers.yaml the institution's */
        if ((r = check_vendor_file(c, p, names[i], path, sets[nsets]))) {
            nsets++;
            goto out;
        }
        r = EXIT_ERROR;
        /* the same checks as status: applicability against the profile */
        if (az_evaluate(&c->ctx, c->cat, p, sets[nsets], sets[nsets]->edition, c->as_of, &e) < 0) {
            cli_liberr(c);
            nsets++;
            goto out;
        }
        az_eval_free(e);
        nsets++;
    }
    if ((r = cli_open_store(c, db, &st)))
        goto out;
    if (az_store_import(st, &c->ctx, profile_text, sets, nsets, who) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    if (c->lang == AZ_LANG_EN)
        printf("imported the profile and %zu answer sets into %s\n", nsets, db);
    else
        printf("%s にプロファイルと回答 %zu 組を取り込みました\n", db, nsets);
    r = 0;
out:
    for (size_t i = 0; i < nsets; i++)
        az_answers_free(sets[i]);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    free(sets);
    free(profile_text);
    az_profile_free(p);
    az_store_close(st);
    return r;
}

static int do_export(struct cli *c, const char *db, const char *dir)
{
    struct az_store *st = NULL;
    json_t *sets = NULL, *x;
    char path[PATH_MAX], *text = NULL;
    size_t i;
    int r;

    if ((r = cli_catalog(c)))
        return r;
    if (access(db, F_OK) != 0) {
        cli_err(c, "%s がありません", "%s does not exist", db);
        return EXIT_ERROR;
    }
    if ((r = cli_open_store(c, db, &st)))
        return r;
    r = EXIT_ERROR;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        cli_err(c, "%s を作れません: %s", "cannot create %s: %s", dir,
                az_errno_text(c->lang, errno));
        goto out;
    }
    if (az_store_get_profile(st, &c->ctx, &text) < 0 ||
        az_store_list_answer_sets(st, &c->ctx, &sets) < 0) {
        cli_liberr(c);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/profile.yaml", dir);
    if (out_write(c, path, text, strlen(text)))
        goto out;
    json_array_foreach(sets, i, x)
    {
        const char *sys = json_string_value(json_object_get(x, "system"));
        struct az_answers *a;
        char *y;
        if (az_store_get_answers(
                st, &c->ctx, c->cat, json_string_value(json_object_get(x, "edition")),
                json_string_value(json_object_get(x, "form")), sys && *sys ? sys : NULL, &a) < 0) {
            cli_liberr(c);
            goto out;
        }
        y = az_answers_to_yaml(a, c->lang);
        if (sys && *sys)
            snprintf(path, sizeof(path), "%s/vendor-%s.yaml", dir, sys);
        else if (a->edition->status == AZ_ED_CURRENT || json_array_size(sets) == 1)
            snprintf(path, sizeof(path), "%s/answers.yaml", dir);
        else
            snprintf(path, sizeof(path), "%s/answers-%s.yaml", dir, a->edition->id);
        az_answers_free(a);
        if (!y || out_write(c, path, y, strlen(y))) {
            free(y);
            goto out;
        }
        free(y);
    }
    printf(L(c, "%s の内容を %s/ に書き出しました\n", "exported %s into %s/\n"), db, dir);
    r = 0;
out:
    json_decref(sets);
    free(text);
    az_store_close(st);
    return r;
}

static int do_info(struct cli *c, const char *db)
{
    struct az_store *st;
    json_t *sets = NULL, *snaps = NULL, *x;
    char *text = NULL;
    size_t i;
    int r;

    if (access(db, F_OK) != 0) {
        cli_err(c, "%s がありません", "%s does not exist", db);
        return EXIT_ERROR;
    }
    if ((r = cli_open_store(c, db, &st)))
        return r;
    if (az_store_list_answer_sets(st, &c->ctx, &sets) < 0 ||
        az_store_snapshots(st, &c->ctx, &snaps) < 0) {
        cli_liberr(c);
        json_decref(sets);
        az_store_close(st);
        return EXIT_ERROR;
    }
    printf("%s: %s %d\n", db, L(c, "形式の版", "schema version"), az_store_schema(st));
    printf("  %s: %s\n", L(c, "プロファイル", "profile"),
           az_store_get_profile(st, &c->ctx, &text) == 0 ? L(c, "あり", "present")
                                                         : L(c, "なし", "none"));
    printf("  %s: %zu\n", L(c, "回答の組", "answer sets"), json_array_size(sets));
    json_array_foreach(sets, i, x)
    {
        const char *sys = json_string_value(json_object_get(x, "system"));
        printf("    %s %s%s%s: %d %s\n", json_string_value(json_object_get(x, "edition")),
               json_string_value(json_object_get(x, "form")), sys && *sys ? " / " : "",
               sys ? sys : "", (int)json_integer_value(json_object_get(x, "answers")),
               L(c, "件", "answers"));
    }
    printf("  %s: %zu\n", L(c, "評価の記録", "assessment snapshots"), json_array_size(snaps));
    free(text);
    json_decref(sets);
    json_decref(snaps);
    az_store_close(st);
    return 0;
}

static int do_history(struct cli *c, const char *db, const char *format)
{
    struct az_store *st;
    json_t *snaps, *x;
    size_t i;
    int r;

    if (access(db, F_OK) != 0) {
        cli_err(c, "%s がありません", "%s does not exist", db);
        return EXIT_ERROR;
    }
    if ((r = cli_open_store(c, db, &st)))
        return r;
    if (az_store_snapshots(st, &c->ctx, &snaps) < 0) {
        cli_liberr(c);
        az_store_close(st);
        return EXIT_ERROR;
    }
    az_store_close(st);
    if (!strcmp(format, "json")) {
        return out_json(c, NULL, snaps);
    }
    json_array_foreach(snaps, i, x)
    {
        json_t *t = json_object_get(x, "total");
        const char *sys = json_string_value(json_object_get(x, "system"));
        printf("#%lld  %s  %s %s%s%s  %lld/%lld %s, %s %lld, %s %lld\n",
               (long long)json_integer_value(json_object_get(x, "id")),
               json_string_value(json_object_get(x, "as_of")),
               json_string_value(json_object_get(x, "edition")),
               json_string_value(json_object_get(x, "form")), sys && *sys ? " / " : "",
               sys ? sys : "", (long long)json_integer_value(json_object_get(t, "satisfied")),
               (long long)json_integer_value(json_object_get(t, "applicable")),
               L(c, "対応済み", "satisfied"), L(c, "未対応", "gaps"),
               (long long)json_integer_value(json_object_get(t, "gaps")),
               L(c, "期限超過", "overdue"),
               (long long)json_integer_value(json_object_get(t, "overdue")));
    }
    json_decref(snaps);
    return 0;
}

static int do_evidence(struct cli *c, const char *db, int argc, char **argv, const char *kind,
                       const char *desc, const char *source, const char *who, const char *format)
{
    struct az_store *st;
    const struct az_item *it = NULL;
    const char *arg = NULL;
    bool add = argc >= 1 && !strcmp(argv[0], "add");
    json_t *list, *x;
    size_t i;
    int r;

    if ((add && argc != 2) || (!add && argc > 1)) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    arg = add ? argv[1] : argc ? argv[0] : NULL;
    if (add && (!kind || !desc || !*desc)) {
        cli_err(c, "evidence add には --kind と --description が必要です",
                "evidence add needs --kind and --description");
        return EXIT_USAGE;
    }
    if ((r = cli_catalog(c)))
        return r;
    if (arg) {
        const struct az_edition *ed = az_catalog_default_checklist(c->cat);
        it = az_catalog_item(c->cat, arg);
        for (size_t f = 0; !it && ed && f < ed->nforms; f++)
            if (!ed->forms[f].vendor)
                it = az_edition_item_by_label(ed, &ed->forms[f], arg);
        if (!it) {
            cli_err(c, "項目 \"%s\" はカタログにありません", "no item \"%s\" in the catalog", arg);
            return EXIT_ERROR;
        }
    }
    if (!add && access(db, F_OK) != 0) {
        cli_err(c, "%s がありません", "%s does not exist", db);
        return EXIT_ERROR;
    }
    if ((r = cli_open_store(c, db, &st)))
        return r;
    if (add) {
        long long id;
        if (az_store_add_evidence(st, &c->ctx, it->id, kind, desc, source, who, &id) < 0) {
            cli_liberr(c);
            az_store_close(st);
            return EXIT_ERROR;
        }
        az_store_close(st);
        printf(
            L(c, "証跡 #%lld を %s (%s) に記録しました\n", "recorded evidence #%lld for %s (%s)\n"),
            id, it->label, it->id);
        return 0;
    }
    if (az_store_evidence(st, &c->ctx, it ? it->id : NULL, &list) < 0) {
        cli_liberr(c);
        az_store_close(st);
        return EXIT_ERROR;
    }
    az_store_close(st);
    if (!strcmp(format, "json")) {
        char *s = json_dumps(list, JSON_INDENT(2));
        json_decref(list);
        r = s ? out_write(c, NULL, s, strlen(s)) : EXIT_ERROR;
        free(s);
        return r ? r : out_write(c, NULL, "\n", 1);
    }
    json_array_foreach(list, i, x)
    {
        const char *src = json_string_value(json_object_get(x, "source"));
        printf("#%lld  %s  %s  [%s] %s%s%s\n",
               (long long)json_integer_value(json_object_get(x, "id")),
               json_string_value(json_object_get(x, "collected_at")),
               json_string_value(json_object_get(x, "item")),
               json_string_value(json_object_get(x, "kind")),
               json_string_value(json_object_get(x, "description")), src ? "  <- " : "",
               src ? src : "");
    }
    json_decref(list);
    return 0;
}

static int do_log(struct cli *c, const char *db, const char *format, long long n)
{
    struct az_store *st;
    json_t *log, *x;
    size_t i;
    int r;

    if (access(db, F_OK) != 0) {
        cli_err(c, "%s がありません", "%s does not exist", db);
        return EXIT_ERROR;
    }
    if ((r = cli_open_store(c, db, &st)))
        return r;
    if (az_store_log(st, &c->ctx, n, &log) < 0) {
        cli_liberr(c);
        az_store_close(st);
        return EXIT_ERROR;
    }
    az_store_close(st);
    if (!strcmp(format, "json")) {
        return out_json(c, NULL, log);
    }
    json_array_foreach(log, i, x) printf(
        "#%lld  %s  %s  %s  %s\n", (long long)json_integer_value(json_object_get(x, "id")),
        json_string_value(json_object_get(x, "at")), json_string_value(json_object_get(x, "who")),
        json_string_value(json_object_get(x, "what")),
        json_string_value(json_object_get(x, "object")));
    json_decref(log);
    return 0;
}

/* `workspace backup -o FILE`: the database's directory into one tar. */
static int do_backup(struct cli *c, const char *db, const char *out)
{
    AZ_AUTOFREE char *dir = NULL;
    const char *slash = strrchr(db, '/');
    size_t nfiles = 0;

    if (!out || !*out || !strcmp(out, "-")) {
        cli_err(c, "workspace backup には -o FILE (書き出す tar ファイル) が必要です",
                "workspace backup needs -o FILE (the tar file to write)");
        return EXIT_USAGE;
    }
    if (!(dir = slash ? strndup(db, (size_t)(slash - db)) : strdup(".")))
        return EXIT_ERROR;
    if (slash && !*dir) {
        free(dir);
        if (!(dir = strdup("/")))
            return EXIT_ERROR;
    }
    if (az_ws_backup(&c->ctx, dir, slash ? slash + 1 : db, out, &nfiles) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    {
        AZ_AUTOFREE char *abs = realpath(dir, NULL);
        const char *shown = abs ? abs : dir;
        if (c->lang == AZ_LANG_EN)
            printf("backed up %zu files of %s into %s (restore: tar -xf %s -C NEWDIR)\n", nfiles,
                   shown, out, out);
        else
            printf("%s の %zu 個のファイルを %s にバックアップしました (戻すとき: tar -xf %s -C "
                   "新しい場所)\n",
                   shown, nfiles, out, out);
    }
    return 0;
}

int cmd_workspace(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"workspace", required_argument, NULL, 'w'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"who", required_argument, NULL, 'W'},
                                         {"kind", required_argument, NULL, 'K'},
                                         {"description", required_argument, NULL, 'D'},
                                         {"source", required_argument, NULL, 'S'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = "anzen.db", *out = ".", *format = "text", *who = default_who(), *sub;
    const char *kind = NULL, *desc = NULL, *source = NULL;
    long n = 0;
    int o, r;
    bool out_given = false;

    if ((r = cli_sub_start(c, argc, argv, help, &sub)) >= 0)
        return r;
    while ((o = getopt_long(argc - 1, argv + 1, "w:o:f:n:h", opts, NULL)) != -1) {
        switch (o) {
        case 'w':
            db = optarg;
            break;
        case 'o':
            out = optarg;
            out_given = true;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'n':
            if (az_parse_long(optarg, 1, 1000000000L, &n) < 0) {
                cli_err(c, "-n は正の整数です", "-n takes a positive number");
                return EXIT_USAGE;
            }
            break;
        case 'W':
            who = optarg;
            break;
        case 'K':
            kind = optarg;
            if (!az_is_evidence_kind(kind)) {
                cli_err(c, "--kind は document / note / screenshot / log / ledger / scan です",
                        "--kind takes document, note, screenshot, log, ledger or scan");
                return EXIT_USAGE;
            }
            break;
        case 'D':
            desc = optarg;
            break;
        case 'S':
            source = optarg;
            break;
        default:
            return cli_opt_help(c, o, help);
        }
    }
    argc -= optind + 1;
    argv += optind + 1;
    if (!strcmp(sub, "import") && argc <= 1)
        return do_import(c, db, argc ? argv[0] : ".", who);
    if (!strcmp(sub, "export") && argc == 0)
        return do_export(c, db, out);
    if (!strcmp(sub, "info") && argc == 0)
        return do_info(c, db);
    if (!strcmp(sub, "log") && argc == 0)
        return do_log(c, db, format, n);
    if (!strcmp(sub, "history") && argc == 0)
        return do_history(c, db, format);
    if (!strcmp(sub, "backup") && argc == 0)
        return do_backup(c, db, out_given ? out : NULL);
    if (!strcmp(sub, "evidence"))
        return do_evidence(c, db, argc, argv, kind, desc, source, who, format);
    cli_err(c, "workspace の使い方が違います: \"%s\"", "bad use of workspace: \"%s\"", sub);
    help(c, stderr);
    return EXIT_USAGE;
}

int cmd_history(struct cli *c, int argc, char **argv)
{
    char **v = calloc((size_t)argc + 2, sizeof(*v));
    int r;

    if (!v)
        return EXIT_ERROR;
    v[0] = "workspace";
    v[1] = "history";
    for (int i = 1; i < argc; i++)
        v[i + 1] = argv[i];
    r = cmd_workspace(c, argc + 1, v);
    free(v);
    return r;
}
