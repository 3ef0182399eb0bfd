/* SPDX-License-Identifier: MIT */
/*
 * cmd_hub_enrol.c - `anzen hub enrol`: one institution from the options,
 * or many from a CSV as an office keeps it (a title above the headings,
 * columns of its own, the words it uses for types and beds).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "anzen/csv.h"
#include "anzen/hub.h"
#include "cli.h"
#include "cmd_hub.h"

/* The institution types the hub knows, with the Japanese words an office
 * types in a spreadsheet. */
static const struct {
    const char *code, *ja, *ja2;
} types[] = {
    {"hospital", "病院", NULL},       {"clinic", "診療所", "一般診療所"},
    {"dental", "歯科診療所", "歯科"}, {"pharmacy", "薬局", NULL},
    {"midwifery", "助産所", NULL},    {"headquarters", "本部", NULL},
};

/* The bed bands of the hub's reports (the bands of the MHLW survey). */
static const char *const bands[] = {"0", "1-19", "20-99", "100-199", "200-399", "400-499", "500+"};

static const char *type_code(const char *t)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(t, types[i].code) || !strcmp(t, types[i].ja) ||
            (types[i].ja2 && !strcmp(t, types[i].ja2)))
            return types[i].code;
    return NULL;
}

/* In place: full-width ASCII (U+FF01-FF5E) to ASCII and the ideographic
 * space to a space (what NFKC does to them), then spaces trimmed at both
 * ends. The text only shrinks. */
static char *norm_text(char *s)
{
    unsigned char *r = (unsigned char *)s, *w = r;
    size_t n;

    while (*r) {
        if (r[0] == 0xEF && r[1] == 0xBC && r[2] >= 0x81 && r[2] <= 0xBF) {
            *w++ = (unsigned char)(r[2] - 0x60);
            r += 3;
        } else if (r[0] == 0xEF && r[1] == 0xBD && r[2] >= 0x80 && r[2] <= 0x9E) {
            *w++ = (unsigned char)(r[2] - 0x20);
            r += 3;
        } else if (r[0] == 0xE3 && r[1] == 0x80 && r[2] == 0x80) {
            *w++ = ' ';
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = 0;
    while (w > (unsigned char *)s && (w[-1] == ' ' || w[-1] == '\t'))
        *--w = 0;
    n = strspn(s, " \t");
    memmove(s, s + n, strlen(s + n) + 1);
    return s;
}

/* A bed band from what people write: a band as the hub spells it
 * ("20-99"), with another dash or wave ("20〜99", "20～99床"), "500床以上",
 * "無床", or a number of beds (45 -> 20-99). NULL when it is not one band
 * ("100床以上" spans several). "" stays "" (not given). */
static const char *band_code(const char *arg)
{
    char t[64], in[64];
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)in;

    if (strlen(arg) >= sizeof(in))
        return NULL;
    memcpy(in, arg, strlen(arg) + 1);
    norm_text(in);
    long lo;
    char *end;

    while (*p && k + 2 < sizeof(t)) {
        if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x9C) { /* 〜 */
            t[k++] = '-';
            p += 3;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95) { /* dashes */
            t[k++] = '-';
            p += 3;
        } else if (p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92) { /* minus sign */
            t[k++] = '-';
            p += 3;
        } else if (!strncmp((const char *)p, "床", 3)) {
            p += 3;
        } else if (!strncmp((const char *)p, "以上", 6)) {
            t[k++] = '+';
            p += 6;
        } else if (*p == '~') {
            t[k++] = '-';
            p++;
        } else if (*p == ' ') {
            p++;
        } else {
            t[k++] = (char)*p++;
        }
    }
    if (*p)
        return NULL;
    t[k] = 0;
    if (!*in)
        return "";
    if (!strcmp(t, "無") || !strcmp(t, "なし"))
        return "0";
    for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++)
        if (!strcmp(t, bands[i]))
            return bands[i];
    if (t[0] < '0' || t[0] > '9')
        return NULL;
    errno = 0;
    lo = strtol(t, &end, 10);
    if (errno || lo < 0 || lo > 100000)
        return NULL;
    if (*end == 0) { /* a number of beds */
        static const long upper[] = {0, 19, 99, 199, 399, 499};
        for (size_t i = 0; i < sizeof(upper) / sizeof(upper[0]); i++)
            if (lo <= upper[i])
                return bands[i];
        return "500+";
    }
    if (!strcmp(end, "+"))
        return lo == 500 ? "500+" : NULL;
    return NULL; /* a range that is not a band: which one is meant is unclear */
}

/* The columns of an enrolment CSV and the header words for them. */
enum { C_ID, C_NAME, C_TYPE, C_PREF, C_BEDS, C_GROUP, C_HQ, C_KEY, NCOLS };
static const char *const col_en[NCOLS] = {"id",   "name",  "type", "prefecture",
                                          "beds", "group", "hq",   "key"};
static const char *const col_ja[NCOLS] = {"機関ID",   "名称",     "種別",   "都道府県",
                                          "病床規模", "グループ", "本部ID", "公開鍵"};
static const char *const col_words[][5] = {
    {"id", "機関id", "機関コード", NULL},
    {"name", "名称", "機関名", "医療機関名", NULL},
    {"type", "種別", "機関種別", NULL},
    {"prefecture", "pref", "都道府県", "都道府県名", NULL},
    {"beds", "bed_band", "病床規模", "病床数", NULL},
    {"group", "grp", "グループ", "グループ名", NULL},
    {"hq", "parent", "本部id", "本部", NULL},
    {"key", "public_key", "公開鍵", "鍵", NULL},
};

static int col_of(const char *h)
{
    for (int i = 0; i < NCOLS; i++)
        for (int k = 0; col_words[i][k]; k++)
            if (!strcasecmp(h, col_words[i][k]))
                return i;
    return -1;
}

/* A first row of heading words (two or more; a data row has none). */
static bool is_heading(const struct az_csv_row *row)
{
    int k = 0;

    for (size_t i = 0; i < row->n; i++)
        k += col_of(row->f[i]) >= 0;
    return k >= 2;
}

/* A key field: the whole text of an anzen-sign.pub file ("anzen-ed25519-
 * public/1 BASE64"), the base64 alone, or the path of the file. */
static int csv_key(struct cli *c, const char *f, unsigned char pk[32])
{
    static const char kind[] = "anzen-ed25519-public/1";
    size_t kl = sizeof(kind) - 1;

    if (!strncmp(f, kind, kl) && (f[kl] == ' ' || f[kl] == '\t')) {
        f += kl;
        while (*f == ' ' || *f == '\t')
            f++;
    }
    return az_pub_key_load(&c->ctx, f, NULL, pk);
}

/* At most this many errors of an enrolment CSV are shown one by one. */
#define ENROL_ERR_MAX 200

/* After a key change: the hub starts the new key's series afresh. */
static void key_reset_note(struct cli *c, const char *id)
{
    printf(L(c,
             "%s: 通し番号を戻しました。新しい鍵の束は新しいワークスペースの通し番号 1 から"
             "受け付けます。旧い鍵で署名された束は受け付けません\n",
             "%s: sequence reset; bundles signed with the new key are accepted from sequence 1 "
             "(a fresh workspace); bundles signed with the old key are refused\n"),
           id);
}

static int enrol_csv(struct cli *c, struct az_hub *h, const char *path, bool replace_key)
{
    char *data = NULL;
    size_t len = 0;
    struct az_csv *t = NULL;
    struct az_hub_inst *v = NULL;
    bool *replaced = NULL;
    unsigned char(*old)[32] = NULL;
    size_t n = 0, ncols = NCOLS, nerr = 0, nbad = 0;
    int map[NCOLS], r = EXIT_ERROR;
    bool header = false;

    for (int k = 0; k < NCOLS; k++)
        map[k] = k;
    if (cli_read_binary(c, path, &data, &len))
        return EXIT_ERROR;
    if (az_csv_parse(&c->ctx, path, data, len, AZ_CSV_AUTO, &t) < 0) {
        cli_liberr(c);
        goto out;
    }
    v = calloc(t->nrows ? t->nrows : 1, sizeof(*v));
    replaced = calloc(t->nrows ? t->nrows : 1, sizeof(*replaced));
    old = calloc(t->nrows ? t->nrows : 1, sizeof(*old));
    if (!v || !replaced || !old) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
/* Every error of the file is reported (the first ENROL_ERR_MAX of them,
 * then their number), and nothing is enrolled unless there are none. */
#define ROWERR(...)                                                                                \
    do {                                                                                           \
        if (nerr++ < ENROL_ERR_MAX)                                                                \
            cli_err(c, __VA_ARGS__);                                                               \
        bad = true;                                                                                \
    } while (0)
    for (size_t i = 0; i < t->nrows; i++) {
        struct az_csv_row *row = &t->rows[i];
        struct az_hub_inst *x = &v[n];
        const char *f[NCOLS];
        bool empty = true, bad = false;
        for (size_t k = 0; k < row->n; k++)
            if (*norm_text(row->f[k]))
                empty = false;
        if (empty)
            continue; /* a wholly empty row (",,,,,,," from a spreadsheet) */
        if (!header && n == 0 && nbad == 0 && is_heading(row)) {
            /* the header: the columns by name, in any order */
            for (int k = 0; k < NCOLS; k++)
                map[k] = -1;
            for (size_t k = 0; k < row->n; k++) {
                int cl = col_of(row->f[k]);
                if (cl < 0 && row->f[k][0])
                    ROWERR("%s: %zu 行 %zu 列: 見出し \"%s\" が分かりません (機関ID, 名称, 種別, "
                           "都道府県, 病床規模, グループ, 本部ID, 公開鍵 か id, name, type, "
                           "prefecture, beds, group, hq, key)",
                           "%s: line %zu column %zu: unknown heading \"%s\" (id, name, type, "
                           "prefecture, beds, group, hq, key, or the Japanese ones)",
                           path, row->line, k + 1, row->f[k]);
                if (cl >= 0)
                    map[cl] = (int)k;
            }
            for (int k = 0; k < C_BEDS; k++)
                if (map[k] < 0)
                    ROWERR("%s: %zu 行: 見出しに「%s」(%s) の列がありません",
                           "%s: line %zu: no \"%s\" (%s) column in the heading", path, row->line,
                           L(c, col_ja[k], col_en[k]), L(c, col_en[k], col_ja[k]));
            if (bad) /* the rows cannot be read without their columns */
                goto report;
            ncols = row->n;
            header = true;
            continue;
        }
        if (row->n != ncols) {
            bool extra = false;
            for (size_t k = ncols; k < row->n; k++)
                extra |= row->f[k][0] != 0;
            if (extra || (!header && row->n < ncols)) {
                ROWERR("%s: %zu 行: 列は %zu です (機関ID,名称,種別,都道府県,病床規模,グループ,"
                       "本部ID,公開鍵)",
                       "%s: line %zu: %zu columns expected (id,name,type,prefecture,beds,group,"
                       "hq,key)",
                       path, row->line, ncols);
                nbad++;
                continue;
            }
        }
        for (int k = 0; k < NCOLS; k++)
            f[k] = map[k] >= 0 && (size_t)map[k] < row->n ? row->f[map[k]] : "";
#define COLNO(k) ((size_t)map[k] + 1)
        for (int k = C_ID; k <= C_NAME; k++)
            if (!f[k][0])
                ROWERR("%s: %zu 行 %zu 列: %s が空です", "%s: line %zu column %zu: %s is empty",
                       path, row->line, COLNO(k), L(c, col_ja[k], col_en[k]));
        x->id = f[C_ID];
        x->name = f[C_NAME];
        x->group = f[C_GROUP];
        x->parent = f[C_HQ][0] ? f[C_HQ] : NULL;
        if (!(x->type = type_code(f[C_TYPE])))
            ROWERR("%s: %zu 行 %zu 列: 種別 \"%s\" が正しくありません (" TYPES_JA ")",
                   "%s: line %zu column %zu: bad type \"%s\" (" TYPES_EN ")", path, row->line,
                   COLNO(C_TYPE), f[C_TYPE]);
        if (!(x->prefecture = az_pref_code(f[C_PREF])))
            ROWERR("%s: %zu 行 %zu 列: 都道府県 \"%s\" が分かりません (番号 1〜47 か 東京都)",
                   "%s: line %zu column %zu: unknown prefecture \"%s\" (a code 1-47 or Tokyo)",
                   path, row->line, COLNO(C_PREF), f[C_PREF]);
        if (!(x->bed_band = band_code(f[C_BEDS])))
            ROWERR("%s: %zu 行 %zu 列: 病床規模 \"%s\" が区分に当たりません (" BANDS_JA ")",
                   "%s: line %zu column %zu: bed band \"%s\" is not one band (" BANDS_EN ")", path,
                   row->line, COLNO(C_BEDS), f[C_BEDS]);
        if (f[C_KEY][0]) {
            if (csv_key(c, f[C_KEY], x->key) < 0)
                ROWERR("%s: %zu 行 %zu 列: 公開鍵が読めません (anzen-sign.pub の中身、その "
                       "base64 部分、またはファイルの場所)",
                       "%s: line %zu column %zu: bad key (the text of anzen-sign.pub, its "
                       "base64 part, or the file's path)",
                       path, row->line, COLNO(C_KEY));
            else
                x->has_key = true;
        } else if (!x->parent) {
            ROWERR("%s: %zu 行 %zu 列: 公開鍵がありません (本部がまとめて出す支店だけ省けます)",
                   "%s: line %zu column %zu: no key (only a branch with an hq may omit it)", path,
                   row->line, map[C_KEY] >= 0 ? COLNO(C_KEY) : ncols + 1);
        }
#undef COLNO
        if (bad) {
            memset(x, 0, sizeof(*x));
            nbad++;
            continue;
        }
        x->replace_key = replace_key;
        x->key_replaced = &replaced[n];
        x->old_key = old[n];
        n++;
    }
#undef ROWERR
report:
    if (nerr) {
        if (nerr > ENROL_ERR_MAX)
            cli_err(c, "%s: ほかに %zu 件の誤りがあります (表示は最初の %d 件)",
                    "%s: %zu more errors (the first %d shown)", path, nerr - ENROL_ERR_MAX,
                    ENROL_ERR_MAX);
        if (nbad)
            cli_err(c, "%s: %zu 行に誤り (%zu 件) があります。どの機関も登録していません",
                    "%s: %zu rows have errors (%zu in all); no institution was enrolled", path,
                    nbad, nerr);
        else
            cli_err(c, "%s: 見出しに誤り (%zu 件) があります。どの機関も登録していません",
                    "%s: %zu errors in the heading; no institution was enrolled", path, nerr);
        goto out;
    }
    if (az_hub_enrol_many(&c->ctx, h, v, n) < 0) {
        cli_liberr(c);
        goto out;
    }
    /* the fingerprints, for the operator to compare with what each
     * institution gave by another route */
    printf("%s", L(c, "機関ID\t鍵の指紋\t名称\n", "id\tkey fingerprint\tname\n"));
    for (size_t i = 0; i < n; i++) {
        char *fp = v[i].has_key ? az_key_fingerprint(v[i].key) : NULL;
        printf("%s\t%s\t%s\n", v[i].id, fp ? fp : L(c, "(鍵なし・本部が提出)", "(no key: via hq)"),
               v[i].name);
        if (replaced[i]) {
            char *ofp = az_key_fingerprint(old[i]);
            printf(L(c, "%s の鍵を変更しました: %s → %s\n", "%s: key changed from %s to %s\n"),
                   v[i].id, ofp ? ofp : "?", fp ? fp : "?");
            key_reset_note(c, v[i].id);
            free(ofp);
        }
        free(fp);
    }
    printf(L(c,
             "%zu 機関を登録しました。指紋が各機関から別の経路で伝えられたものと同じか"
             "確かめてください\n",
             "enrolled %zu institutions; check that each fingerprint matches the one the "
             "institution gave you\n"),
           n);
    r = 0;
out:
    free(v);
    free(replaced);
    free(old);
    az_csv_free(t);
    free(data);
    return r;
}

int hub_enrol(struct cli *c, struct az_hub *h, const struct hub_args *a)
{
    struct az_hub_inst in = {0};
    unsigned char old[32];
    bool replaced = false;
    char *fp;

    if (a->csv)
        return enrol_csv(c, h, a->csv, a->replace_key);
    if (!a->id || !a->name || !a->type || !a->pref) {
        cli_err(c, "--id, --name, --type, --prefecture を指定してください",
                "give --id, --name, --type and --prefecture");
        return EXIT_USAGE;
    }
    if (!(in.type = type_code(a->type))) {
        cli_err(c, "--type: \"%s\" は " TYPES_JA " のどれかです",
                "--type: \"%s\" is one of " TYPES_EN, a->type);
        return EXIT_USAGE;
    }
    if (a->beds && !(in.bed_band = band_code(a->beds))) {
        cli_err(c, "--beds: \"%s\" は病床規模の区分に当たりません (" BANDS_JA ")",
                "--beds: \"%s\" is not one bed band (" BANDS_EN ")", a->beds);
        return EXIT_USAGE;
    }
    in.id = a->id;
    in.name = a->name;
    in.group = a->group;
    in.parent = a->hq;
    {
        char pbuf[64];
        snprintf(pbuf, sizeof(pbuf), "%s", a->pref);
        in.prefecture = az_pref_code(norm_text(pbuf));
    }
    if (!in.prefecture) {
        cli_err(c, "--prefecture: \"%s\" が分かりません (番号 1〜47 か 東京都 / Tokyo)",
                "--prefecture: unknown \"%s\" (a code 1-47, or 東京都 / Tokyo)", a->pref);
        return EXIT_USAGE;
    }
    if (!a->key && !a->hq) {
        cli_err(c,
                "--key (機関の公開鍵) を指定してください (本部がまとめて出す支店は --hq のみで可)",
                "give --key (the institution's public key; a branch covered by --hq may omit it)");
        return EXIT_USAGE;
    }
    if (a->key) {
        if (az_pub_key_load(&c->ctx, a->key, NULL, in.key) < 0) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        in.has_key = true;
    }
    in.replace_key = a->replace_key;
    in.key_replaced = &replaced;
    in.old_key = old;
    if (az_hub_enrol(&c->ctx, h, &in) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    fp = in.has_key ? az_key_fingerprint(in.key) : NULL;
    if (replaced) {
        char *ofp = az_key_fingerprint(old);
        printf(L(c, "%s の鍵を変更しました: %s → %s\n", "%s: key changed from %s to %s\n"), a->id,
               ofp ? ofp : "?", fp ? fp : "?");
        key_reset_note(c, a->id);
        free(ofp);
    }
    printf(L(c, "%s を登録しました%s%s%s\n", "enrolled %s%s%s%s\n"), a->id,
           fp ? L(c, " (鍵の指紋 ", " (key fingerprint ") : "", fp ? fp : "", fp ? ")" : "");
    if (fp)
        printf("%s", L(c, "指紋が機関から別の経路で伝えられたものと同じか確かめてください\n",
                       "check that the fingerprint matches the one the institution gave you\n"));
    free(fp);
    return 0;
}
