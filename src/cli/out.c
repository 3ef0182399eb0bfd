/* SPDX-License-Identifier: MIT */
/*
 * out.c - terminal and file output helpers of the CLI.
 */
#include <errno.h>
#include <stdarg.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_err(struct cli *c, const char *ja, const char *en, ...)
{
    va_list ap;

    fputs(L(c, "anzen: エラー: ", "anzen: error: "), stderr);
    va_start(ap, en);
    vfprintf(stderr, L(c, ja, en), ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_liberr(struct cli *c)
{
    const char *m = az_errmsg(&c->ctx);
    const char *nl;

    do {
        nl = strchr(m, '\n');
        fprintf(stderr, "%s%.*s\n", L(c, "anzen: エラー: ", "anzen: error: "),
                (int)(nl ? (size_t)(nl - m) : strlen(m)), m);
        m = nl ? nl + 1 : NULL;
    } while (m && *m);
}

/* The embedded catalog plus the editions accepted with `anzen catalog
 * import --accept` in the workspace (catalog-import-*.yaml, not the
 * *.draft.yaml drafts). */
static int load_with_imports(struct cli *c)
{
    DIR *d = opendir(".");
    struct dirent *de;
    struct az_file_blob *b = NULL;
    size_t n = 0;
    int r = 0;

    while (d && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        struct az_file_blob *nb;
        char *data;
        size_t len;
        if (strncmp(de->d_name, "catalog-import-", 15) != 0 || l < 20 ||
            strcmp(de->d_name + l - 5, ".yaml") != 0 ||
            (l > 11 && !strcmp(de->d_name + l - 11, ".draft.yaml")) || n >= 16)
            continue;
        if (az_read_text_file(&c->ctx, de->d_name, &data, &len) < 0) {
            r = -1;
            break;
        }
        nb = realloc(b, (n + 1) * sizeof(*b));
        if (!nb || !(nb[n].name = strdup(de->d_name))) {
            if (nb)
                b = nb;
            free(data);
            r = az_fail(&c->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            break;
        }
        b = nb;
        nb[n].data = data;
        nb[n].len = len;
        n++;
    }
    if (d)
        closedir(d);
    if (!r)
        r = az_catalog_load_embedded_with(&c->ctx, b, n, &c->cat);
    for (size_t i = 0; i < n; i++) {
        free((char *)b[i].name);
        free((char *)b[i].data);
    }
    free(b);
    return r < 0 ? r : 0;
}

int cli_catalog(struct cli *c)
{
    int r;

    if (c->cat)
        return 0;
    if (c->catalog_dir)
        r = az_catalog_load_dir(&c->ctx, c->catalog_dir, &c->cat);
    else
        r = load_with_imports(c);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    /* --as-of: editions published after that day did not exist yet */
    if (c->as_of_given)
        az_catalog_hide_after(c->cat, c->as_of);
    return 0;
}

const struct az_edition *cli_edition(struct cli *c, const char *name)
{
    const struct az_edition *ed;

    if (!name) {
        ed = az_catalog_default_checklist(c->cat);
        if (!ed)
            cli_err(c, "評価に使えるチェックリストの版がカタログにありません",
                    "the catalog has no checklist edition to assess against");
        return ed;
    }
    ed = az_catalog_edition(c->cat, name);
    if (!ed || !ed->checklist) {
        cli_err(c, "チェックリストの版 \"%s\" はありません (anzen catalog list で確認できます)",
                "no checklist edition \"%s\" (see anzen catalog list)", name);
        return NULL;
    }
    if (!ed->nitems) {
        cli_err(c, "%s (%s) は項目一覧が未確認のため収録されておらず、評価に使えません",
                "%s (%s) has no verified item list in anzen and cannot be assessed against", ed->id,
                ed->version);
        return NULL;
    }
    return ed;
}

void out_pad(FILE *f, const char *s, size_t width)
{
    size_t w = az_utf8_width(s);

    fputs(s, f);
    while (w++ < width)
        fputc(' ', f);
}

void out_bar(FILE *f, int pct, int w)
{
    int n = pct < 0 ? 0 : (pct * w + 50) / 100;

    for (int i = 0; i < w; i++)
        fputs(i < n ? "█" : "░", f);
}

int out_write(struct cli *c, const char *path, const char *data, size_t len)
{
    if (!path || !strcmp(path, "-")) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            cli_err(c, "標準出力に書き込めません", "cannot write to standard output");
            return EXIT_ERROR;
        }
        return 0;
    }
    /* -o /dev/stdout writes to descriptor 1 itself: what was printed
     * before must go first */
    fflush(stdout);
    if (az_write_file_atomic(&c->ctx, path, data, len) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

bool cli_readline(struct cli *c, char *buf, size_t n)
{
    for (;;) {
        size_t l;
        int ch;

        if (!fgets(buf, (int)n, stdin))
            return false;
        l = strlen(buf);
        if (l && buf[l - 1] == '\n') {
            buf[--l] = '\0';
        } else if (l == n - 1 && (ch = getchar()) != EOF && ch != '\n') {
            /* longer than buf: read to its end and ask again, never cut
             * (a cut shortens a name silently or splits a character) */
            while ((ch = getchar()) != EOF && ch != '\n')
                ;
            printf(L(c, "  長すぎます (%zu バイトまで)。もう一度入力してください > ",
                     "  too long (at most %zu bytes); please type it again > "),
                   n - 1);
            fflush(stdout);
            continue;
        }
        if (l && buf[l - 1] == '\r')
            buf[--l] = '\0';
        return true;
    }
}

bool cli_format_ok(struct cli *c, const char *format, bool md)
{
    if (!strcmp(format, "text") || !strcmp(format, "json") || (md && !strcmp(format, "md")))
        return true;
    if (md)
        cli_err(c, "--format は text / json / md です: \"%s\"",
                "--format takes text, json or md: \"%s\"", format);
    else
        cli_err(c, "--format は text か json です: \"%s\"", "--format takes text or json: \"%s\"",
                format);
    return false;
}

int out_json(struct cli *c, const char *path, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
    size_t n;
    int r;

    json_decref(j);
    if (!s) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    n = strlen(s);
    {
        char *t = realloc(s, n + 2);
        if (!t) {
            free(s);
            cli_err(c, "メモリ不足", "out of memory");
            return EXIT_ERROR;
        }
        s = t;
    }
    s[n] = '\n';
    s[n + 1] = '\0';
    r = out_write(c, path, s, n + 1);
    free(s);
    return r;
}

void out_findings(struct cli *c, const json_t *findings)
{
    size_t i;
    const json_t *x;

    json_array_foreach(findings, i, x) printf(
        "  %s %s\n", !strcmp(json_string_value(json_object_get(x, "level")), "gap") ? "✗" : "!",
        json_string_value(json_object_get(x, c->lang == AZ_LANG_EN ? "en" : "ja")));
    if (!json_array_size(findings))
        printf("  %s\n", L(c, "問題は見つかりませんでした", "no findings"));
}

const char *cli_who(void)
{
    const char *who = getenv("USER");
    return who && *who ? who : "anzen";
}

/* Read a whole file that may be binary (an XLSX), up to 64 MiB. */
int cli_read_binary(struct cli *c, const char *path, char **ret, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    struct az_buf b;
    char chunk[65536];
    size_t n;

    if (!f) {
        cli_err(c, "%s を開けません: %s", "cannot open %s: %s", path,
                az_errno_text(c->lang, errno));
        return EXIT_ERROR;
    }
    az_buf_init(&b, 64u * 1024 * 1024);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (az_buf_add(&b, chunk, n) < 0) {
            fclose(f);
            az_buf_done(&b);
            cli_err(c, "%s: 大きすぎます (上限 64 MiB)", "%s: too large (limit 64 MiB)", path);
            return EXIT_ERROR;
        }
    if (ferror(f)) {
        fclose(f);
        az_buf_done(&b);
        cli_err(c, "%s を読めません", "cannot read %s", path);
        return EXIT_ERROR;
    }
    fclose(f);
    *ret_len = b.len;
    *ret = az_buf_take(&b);
    if (!*ret) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    if (!*ret_len) {
        free(*ret);
        cli_err(c, "%s: 空のファイルです", "%s: empty file", path);
        return EXIT_ERROR;
    }
    return 0;
}

int cli_given_file(struct cli *c, const char *opt, const char *path)
{
    if (access(path, F_OK) == 0)
        return 0;
    cli_err(c, "%s で指定した %s を開けません: %s (綴りを確認してください)",
            "%s %s cannot be opened: %s (check the spelling)", opt, path,
            az_errno_text(c->lang, errno));
    return EXIT_ERROR;
}

int cli_sub_start(struct cli *c, int argc, char **argv, cli_help_fn *help, const char **sub)
{
    if (argc < 2) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    *sub = argv[1];
    if (!strcmp(*sub, "--help") || !strcmp(*sub, "-h")) {
        help(c, stdout);
        return 0;
    }
    optind = 0;
    opterr = 0;
    return -1;
}

int cli_opt_help(struct cli *c, int o, cli_help_fn *help)
{
    if (o == 'h') {
        help(c, stdout);
        return 0;
    }
    help(c, stderr);
    return EXIT_USAGE;
}
