/* SPDX-License-Identifier: MIT */
/*
 * cmd_catimport.c - `anzen catalog import FORM.xlsx`: read the official
 * checklist workbook the institution downloaded and keep it as a draft
 * edition in the workspace (catalog-import-<id>.draft.yaml); `--accept`
 * makes it the edition assess, status and report use
 * (catalog-import-<id>.yaml, loaded next to the embedded catalog by
 * cli_catalog), with answers carried over through the proposed crosswalk.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/catimport.h"
#include "cli.h"

#define DRAFT_SUFFIX ".draft.yaml"

static void import_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方:\n"
          "  anzen catalog import FORM.xlsx [--dry-run] [--accept] [--map KEY=VALUE]...\n"
          "      厚生労働省のチェックリストの公式様式 (xlsx) を読み、版の下書きを作業\n"
          "      ディレクトリに catalog-import-<版>.draft.yaml として書き出す\n"
          "      (組み込みのカタログには書き込みません)\n"
          "  anzen catalog import --accept\n"
          "      下書きを受け入れ、assess / status / report で使う版にする\n"
          "      (前の版の回答は対応表で引き継がれ、確認し直しが必要です)\n"
          "オプション:\n"
          "  --dry-run        読み取った内容を表示するだけで書き出さない\n"
          "  --accept         書き出した版をすぐに受け入れる\n"
          "  --map KEY=VALUE  読み取りの手掛かり: number=列 (例 B)、text=列、header=行、\n"
          "                   sheet=シート名、form=h|p|hp|v、year=年度 (例 2026)、id=版ID、\n"
          "                   previous=前の版、\n"
          "                   link=番号=new (例 link=2-⑫=new: 前の版に対応なし) または\n"
          "                   link=番号=前の版の項目ID (例 link=2-⑩=cl-r7.h.access-log):\n"
          "                   対応の提案を 1 項目ずつ直す (何度でも指定可)\n"
          "  --format json    --dry-run の結果を JSON で\n",
          "usage:\n"
          "  anzen catalog import FORM.xlsx [--dry-run] [--accept] [--map KEY=VALUE]...\n"
          "      read the official MHLW checklist workbook and write a draft edition to\n"
          "      the workspace as catalog-import-<edition>.draft.yaml (never into the\n"
          "      embedded catalog)\n"
          "  anzen catalog import --accept\n"
          "      accept the draft: assess / status / report use it from now on (answers\n"
          "      carry over through the proposed crosswalk and must be confirmed again)\n"
          "options:\n"
          "  --dry-run        show what was understood, write nothing\n"
          "  --accept         accept the edition right away\n"
          "  --map KEY=VALUE  layout hints: number=COLUMN (e.g. B), text=COLUMN,\n"
          "                   header=ROW, sheet=NAME, form=h|p|hp|v, year=FY (e.g. 2026),\n"
          "                   id=EDITION_ID, previous=EDITION,\n"
          "                   link=NUMBER=new (e.g. link=2-⑫=new: no earlier item) or\n"
          "                   link=NUMBER=PREVIOUS_ITEM_ID (e.g. link=2-⑩=cl-r7.h.access-log):\n"
          "                   correct one proposed link (repeatable)\n"
          "  --format json    --dry-run output as JSON\n"));
}

/* --map link=LABEL=new|ITEM: the label is copied (owned by links). */
struct links {
    struct az_catimport_link *v;
    char **labels;
    size_t n;
};

static int add_link(struct links *ls, const char *v)
{
    const char *eq = strchr(v, '=');
    struct az_catimport_link *nv;
    char **nl;
    char *label;

    if (!eq || eq == v || !eq[1] || strchr(eq + 1, '='))
        return -1;
    if (!(label = strndup(v, (size_t)(eq - v))))
        return -1;
    nv = realloc(ls->v, (ls->n + 1) * sizeof(*nv));
    if (nv)
        ls->v = nv;
    nl = nv ? realloc(ls->labels, (ls->n + 1) * sizeof(*nl)) : NULL;
    if (!nl) {
        free(label);
        return -1;
    }
    ls->labels = nl;
    ls->labels[ls->n] = label;
    ls->v[ls->n] = (struct az_catimport_link){label, eq + 1};
    ls->n++;
    return 0;
}

static int set_map(struct cli *c, struct az_catimport_opts *o, struct links *ls, const char *kv)
{
    const char *eq = strchr(kv, '=');
    const char *v = eq ? eq + 1 : NULL;
    size_t kl = eq ? (size_t)(eq - kv) : 0;
    long n;

#define KEY(k) (kl == strlen(k) && !strncmp(kv, k, kl))
    if (!v || !*v)
        goto bad;
    if (KEY("number") || KEY("text")) {
        int col = az_col_parse(v);
        if (col < 0)
            goto bad;
        if (KEY("number"))
            o->number_col = col;
        else
            o->text_col = col;
    } else if (KEY("header")) {
        if (az_parse_long(v, 1, 1000000, &n) < 0)
            goto bad;
        o->header_row = (int)n - 1;
    } else if (KEY("sheet")) {
        o->sheet = v;
    } else if (KEY("form")) {
        if (strcmp(v, "h") && strcmp(v, "p") && strcmp(v, "hp") && strcmp(v, "v"))
            goto bad;
        o->form = v;
    } else if (KEY("year")) {
        int fy;
        if (az_fy_parse(v, &fy) < 0)
            goto bad;
        o->fiscal_year = fy;
    } else if (KEY("id")) {
        o->edition_id = v;
    } else if (KEY("previous")) {
        o->previous = v;
    } else if (KEY("link")) {
        if (add_link(ls, v) < 0)
            goto bad;
        o->links = ls->v;
        o->nlinks = ls->n;
    } else {
        goto bad;
    }
#undef KEY
    return 0;
bad:
    cli_err(c,
            "--map \"%s\" が不正です (number=列, text=列, header=行, sheet=名前, form=h|p|hp|v, "
            "year=年度, id=版ID, previous=版, link=番号=new|前の版の項目ID)",
            "invalid --map \"%s\" (number=COLUMN, text=COLUMN, header=ROW, sheet=NAME, "
            "form=h|p|hp|v, year=FY, id=EDITION_ID, previous=EDITION, "
            "link=NUMBER=new|PREVIOUS_ITEM_ID)",
            kv);
    return EXIT_USAGE;
}

static void show(struct cli *c, const struct az_catimport *im)
{
    char nc[16], tc[16];
    size_t same = 0, changed = 0, fresh = 0;

    az_col_letter((unsigned)im->number_col, nc, sizeof(nc));
    az_col_letter((unsigned)im->text_col, tc, sizeof(tc));
    printf("%s %s\n", L(c, "シート:", "sheet:"), im->sheet);
    if (im->title)
        printf("%s %s\n", L(c, "表題:", "title:"), im->title);
    printf("%s %d  %s %s  %s %s\n", L(c, "年度:", "fiscal year:"), im->fiscal_year,
           L(c, "様式:", "form:"), im->form, L(c, "版 ID:", "edition id:"), im->edition_id);
    if (im->header_row >= 0)
        printf(L(c, "見出し行: %d  番号の列: %s  文の列: %s\n",
                 "header row: %d  number column: %s  text column: %s\n"),
               im->header_row + 1, nc, tc);
    else
        printf(L(c, "見出し行: なし  番号の列: %s  文の列: %s\n",
                 "header row: none  number column: %s  text column: %s\n"),
               nc, tc);
    if (im->ndevices) {
        printf("%s", L(c, "機器ごとの列:", "per-device columns:"));
        for (size_t d = 0; d < im->ndevices; d++) {
            char dc[16];
            az_col_letter((unsigned)im->device_cols[d], dc, sizeof(dc));
            printf(" %s=%s", dc, im->device_names[d]);
        }
        printf("\n");
    }
    printf("%s %s\n", L(c, "前の版:", "previous edition:"),
           im->previous ? im->previous->id : L(c, "(なし)", "(none)"));
    printf(L(c, "項目: %zu\n", "items: %zu\n"), im->nitems);
    for (size_t i = 0; i < im->nitems; i++) {
        const struct az_catimport_item *x = &im->items[i];
        const char *rel = az_catimport_relation(x);
        char short_text[200];
        size_t k = 0, chars = 0;
        /* first 28 characters, cut on a UTF-8 boundary */
        while (x->text[k] && x->text[k] != '\n' && chars < 28 && k < sizeof(short_text) - 8) {
            unsigned char ch = (unsigned char)x->text[k];
            size_t l = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
            k += l;
            chars++;
        }
        memcpy(short_text, x->text, k);
        if (x->text[k])
            memcpy(short_text + k, "\xE2\x80\xA6", 4);
        else
            short_text[k] = '\0';
        printf("  %4u  ", x->row + 1);
        out_pad(stdout, x->label, 16);
        printf(" %s\n        -> ", short_text);
        if (rel) {
            printf("%s %s (%s %.2f)%s\n", rel, x->match->id, L(c, "スコア", "score"), x->score,
                   x->by_hand ? L(c, " [--map で指定]", " [set with --map]") : "");
            if (!strcmp(rel, "same"))
                same++;
            else
                changed++;
        } else {
            printf("%s%s\n", L(c, "新規 (前の版に対応なし)", "new (no earlier item)"),
                   x->by_hand ? L(c, " [--map で指定]", " [set with --map]") : "");
            fresh++;
        }
    }
    printf(L(c, "対応の提案: 引き継ぎ %zu (要再確認)、要確認 %zu、新規 %zu\n",
             "proposed crosswalk: carry over %zu (to re-confirm), check again %zu, new %zu\n"),
           same, changed, fresh);
}

static json_t *to_json(const struct az_catimport *im)
{
    json_t *items = json_array(), *o;
    char nc[16], tc[16];

    az_col_letter((unsigned)im->number_col, nc, sizeof(nc));
    az_col_letter((unsigned)im->text_col, tc, sizeof(tc));
    for (size_t i = 0; i < im->nitems; i++) {
        const struct az_catimport_item *x = &im->items[i];
        const char *rel = az_catimport_relation(x);
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:i, s:s?, s:s?, s:f, s:f, s:f, s:b, "
                             "s:b}",
                             "id", x->id, "label", x->label, "printed", x->printed, "text", x->text,
                             "device", x->device, "group", x->group, "row", (int)x->row + 1, "from",
                             x->match ? x->match->id : NULL, "relation", rel, "score", x->score,
                             "number_score", x->label_score, "text_score", x->text_score, "by_hand",
                             x->by_hand, "keeps_dates", x->keeps_dates));
    }
    o = json_pack("{s:s, s:s, s:s?, s:i, s:s, s:s, s:i, s:s, s:s, s:s?, s:o}", "schema",
                  "anzen-catalog-import/1", "sheet", im->sheet, "title", im->title, "fiscal_year",
                  im->fiscal_year, "form", im->form, "edition", im->edition_id, "header_row",
                  im->header_row + 1, "number_column", nc, "text_column", tc, "previous",
                  im->previous ? im->previous->id : NULL, "items", items);
    return o;
}

/* The draft(s) in the working directory. */
static int find_draft(struct cli *c, char **ret)
{
    DIR *d = opendir(".");
    struct dirent *de;
    char *found = NULL;
    int n = 0;

    if (!d) {
        cli_err(c, "作業ディレクトリを読めません", "cannot read the working directory");
        return EXIT_ERROR;
    }
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name), sl = strlen(DRAFT_SUFFIX);
        if (!strncmp(de->d_name, "catalog-import-", 15) && l > sl &&
            !strcmp(de->d_name + l - sl, DRAFT_SUFFIX)) {
            n++;
            free(found);
            found = strdup(de->d_name);
        }
    }
    closedir(d);
    if (n != 1 || !found) {
        free(found);
        if (n == 0)
            cli_err(c, "受け入れる下書きがありません (先に anzen catalog import FORM.xlsx を実行)",
                    "no draft to accept (run anzen catalog import FORM.xlsx first)");
        else
            cli_err(c, "下書きが %d 個あります。FORM.xlsx を付けて取り込み直してください",
                    "%d drafts found; import the form again with --accept", n);
        return EXIT_ERROR;
    }
    *ret = found;
    return 0;
}

static int accept_file(struct cli *c, const char *draft)
{
    size_t l = strlen(draft) - strlen(DRAFT_SUFFIX);
    char *final = malloc(l + 6);
    struct az_catalog *cat = NULL;
    struct az_file_blob b;
    char *data = NULL;
    size_t len;
    int r;

    if (!final) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    snprintf(final, l + 6, "%.*s.yaml", (int)l, draft);
    /* it must load together with the embedded catalog before it is used */
    if (az_read_text_file(&c->ctx, draft, &data, &len) < 0) {
        cli_liberr(c);
        free(final);
        return EXIT_ERROR;
    }
    b = (struct az_file_blob){draft, data, len};
    if (az_catalog_load_embedded_with(&c->ctx, &b, 1, &cat) < 0) {
        cli_liberr(c);
        free(data);
        free(final);
        return EXIT_ERROR;
    }
    az_catalog_free(cat);
    free(data);
    r = rename(draft, final);
    if (r < 0) {
        cli_err(c, "%s を %s にできません: %s", "cannot rename %s to %s: %s", draft, final,
                az_errno_text(c->lang, errno));
        free(final);
        return EXIT_ERROR;
    }
    printf(L(c,
             "受け入れました: %s\n"
             "この版を assess / status / report で使います。前の版の回答は対応表で引き継がれます\n"
             "が、公式様式の文で確認し直してください (anzen status で引き継ぎ元が分かります)。\n",
             "accepted: %s\n"
             "assess / status / report use this edition from now on. Answers to the previous\n"
             "edition carry over through the crosswalk; confirm each again against the official\n"
             "wording (anzen status names where each came from).\n"),
           final);
    free(final);
    return 0;
}

static int import_run(struct cli *c, int argc, char **argv, struct links *ls)
{
    static const struct option opts[] = {
        {"dry-run", no_argument, NULL, 'n'},   {"accept", no_argument, NULL, 'A'},
        {"map", required_argument, NULL, 'm'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    struct az_catimport_opts io;
    struct az_catimport *im = NULL;
    bool dry = false, accept = false;
    const char *format = "text", *file, *base;
    char *data = NULL, *yaml = NULL, path[512], pub[16];
    size_t len;
    int o, r;

    az_catimport_opts_init(&io);
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "nAm:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'n':
            dry = true;
            break;
        case 'A':
            accept = true;
            break;
        case 'm':
            if ((r = set_map(c, &io, ls, optarg)))
                return r;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'h':
            import_help(c, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプション \"%s\"", "unknown option \"%s\"", argv[optind - 1]);
            import_help(c, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind == argc) {
        char *draft = NULL;
        if (!accept || dry) {
            import_help(c, stderr);
            return EXIT_USAGE;
        }
        if ((r = find_draft(c, &draft)))
            return r;
        r = accept_file(c, draft);
        free(draft);
        return r;
    }
    if (optind + 1 != argc || (dry && accept)) {
        import_help(c, stderr);
        return EXIT_USAGE;
    }
    file = argv[optind];
    base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    io.file_label = base;
    az_date_iso(c->as_of, pub, sizeof(pub));
    io.published = pub;
    if ((r = cli_catalog(c)))
        return r;
    if ((r = cli_read_binary(c, file, &data, &len)))
        return r;
    if (az_catimport_read(&c->ctx, c->cat, base, data, len, &io, &im) < 0) {
        cli_liberr(c);
        free(data);
        return EXIT_ERROR;
    }
    free(data);
    if (dry) {
        if (!strcmp(format, "json")) {
            json_t *j = to_json(im);
            char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
            json_decref(j);
            r = s ? out_write(c, NULL, s, strlen(s)) : EXIT_ERROR;
            if (!r)
                r = out_write(c, NULL, "\n", 1);
            free(s);
        } else {
            show(c, im);
            printf("%s\n",
                   L(c, "(--dry-run: 何も書き出していません)", "(--dry-run: nothing written)"));
            r = 0;
        }
        az_catimport_free(im);
        return r;
    }
    yaml = az_catimport_to_yaml(im, c->as_of);
    if (!yaml) {
        az_catimport_free(im);
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    snprintf(path, sizeof(path), "catalog-import-%s%s", im->edition_id, DRAFT_SUFFIX);
    /* check that the draft loads with the catalog before writing it */
    {
        struct az_file_blob b = {path, yaml, strlen(yaml)};
        struct az_catalog *cat;
        if (az_catalog_load_embedded_with(&c->ctx, &b, 1, &cat) < 0) {
            cli_liberr(c);
            free(yaml);
            az_catimport_free(im);
            return EXIT_ERROR;
        }
        az_catalog_free(cat);
    }
    show(c, im);
    if (az_write_file_atomic(&c->ctx, path, yaml, strlen(yaml)) < 0) {
        cli_liberr(c);
        free(yaml);
        az_catimport_free(im);
        return EXIT_ERROR;
    }
    free(yaml);
    az_catimport_free(im);
    printf(L(c, "下書きを書き出しました: %s\n", "draft written: %s\n"), path);
    if (accept)
        return accept_file(c, path);
    printf("%s\n", L(c, "内容を確かめて anzen catalog import --accept で受け入れてください",
                     "review it, then accept it with anzen catalog import --accept"));
    return 0;
}

int cmd_catalog_import(struct cli *c, int argc, char **argv)
{
    struct links ls = {0};
    int r = import_run(c, argc, argv, &ls);

    for (size_t i = 0; i < ls.n; i++)
        free(ls.labels[i]);
    free(ls.labels);
    free(ls.v);
    return r;
}
