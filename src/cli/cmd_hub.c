/* SPDX-License-Identifier: MIT */
/*
 * cmd_hub.c - `anzen hub`: the aggregation hub of a hospital group, a
 * medical association or a prefecture, on PostgreSQL (docs/hub.md):
 * keygen | init | enrol | ingest | report | query | serve | user.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "anzen/csv.h"
#include "anzen/hint.h"
#include "anzen/hub.h"
#include "../hubweb/hubweb.h"
#include "cli.h"

/* The institution types and bed bands, for help and errors. */
#define TYPES_JA                                                                                                  \
    "hospital (病院), clinic (診療所), dental (歯科診療所), pharmacy (薬局), midwifery (助産所), " \
    "headquarters (本部)"
#define TYPES_EN "hospital, clinic, dental, pharmacy, midwifery, headquarters"
#define BANDS_JA "0 (無床), 1-19, 20-99, 100-199, 200-399, 400-499, 500+ (500床以上)、または病床数"
#define BANDS_EN "0 (no beds), 1-19, 20-99, 100-199, 200-399, 400-499, 500+, or a number of beds"

static void hub_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen hub <サブコマンド> [--db 接続先] ...\n\n"
          "病院グループ・医師会・都道府県が、各機関の束を PostgreSQL に集めて集計します。\n"
          "接続先は postgres://... か conninfo (host=/tmp dbname=hub)。--db がなければ\n"
          "環境変数 ANZEN_HUB_DB を使います。\n\n"
          "  keygen -o DIR                        封を開ける鍵 (DIR/hub.key, hub.pub) を作る\n"
          "  init                                 表を作る・新しい版へ移行する\n"
          "  enrol --id ID --name 名称 --type 種別 --prefecture 都道府県 --key 公開鍵\n"
          "        [--beds 病床規模] [--group グループ] [--hq 本部ID]\n"
          "        種別: " TYPES_JA "\n"
          "        病床規模: " BANDS_JA "\n"
          "  enrol --csv FILE                     一括登録 (列: 機関ID,名称,種別,都道府県,\n"
          "                                       病床規模,グループ,本部ID,公開鍵。見出しは\n"
          "                                       日本語か英語 id,name,type,prefecture,beds,\n"
          "                                       group,hq,key。公開鍵は anzen-sign.pub の\n"
          "                                       中身・base64・ファイルの場所)\n"
          "  ingest [--hub-key hub.key] FILE|DIR...  束を検証して取り込む\n"
          "  report [--prefecture P] [--group G] [--fiscal-year Y] [--format html|xlsx|json]\n"
          "         -o FILE                       集計の報告書\n"
          "  query NAME [--prefecture P] [--group G] [--fiscal-year Y]   集計 1 つを JSON で\n"
          "  serve --state DIR [--listen ADDR] [--port N]   画面と束の受け口 (HTTPS)\n"
          "  user <操作> --state DIR ...          画面の利用者と見える範囲 (hub user --help)\n\n"
          "ingest の終了コード: 0 すべて取り込み, 2 拒否した束あり, 1 エラー\n",
          "usage: anzen hub <subcommand> [--db CONNINFO] ...\n\n"
          "Collect the bundles of institutions in PostgreSQL and aggregate them, for a\n"
          "hospital group, a medical association or a prefecture. The database is a\n"
          "postgres:// URI or a conninfo (host=/tmp dbname=hub); without --db, ANZEN_HUB_DB.\n\n"
          "  keygen -o DIR                        make the sealing keys DIR/hub.key, hub.pub\n"
          "  init                                 create or migrate the tables\n"
          "  enrol --id ID --name NAME --type TYPE --prefecture P --key PUBKEY\n"
          "        [--beds BAND] [--group GROUP] [--hq HQ-ID]\n"
          "        TYPE: " TYPES_EN "\n"
          "        BAND: " BANDS_EN "\n"
          "  enrol --csv FILE                     many at once (columns id,name,type,\n"
          "                                       prefecture,beds,group,hq,key, headings in\n"
          "                                       English or Japanese; key: the text of\n"
          "                                       anzen-sign.pub, its base64, or its path)\n"
          "  ingest [--hub-key hub.key] FILE|DIR...  verify and ingest bundles\n"
          "  report [--prefecture P] [--group G] [--fiscal-year Y] [--format html|xlsx|json]\n"
          "         -o FILE                       the aggregated report\n"
          "  query NAME [--prefecture P] [--group G] [--fiscal-year Y]   one query as JSON\n"
          "  serve --state DIR [--listen ADDR] [--port N]   web UI and bundle endpoint (HTTPS)\n"
          "  user <action> --state DIR ...        the UI's users and their scopes (hub user "
          "--help)\n\n"
          "ingest exits 0 when all were ingested, 2 when some were refused, 1 on error\n"));
}

/* Each subcommand's own usage (hub SUB --help). */
static const struct {
    const char *sub, *ja, *en;
} sub_helps[] = {
    {"keygen",
     "使い方: anzen hub keygen -o DIR\n\n"
     "封を開ける鍵 DIR/hub.key (0600) と、機関に配る公開鍵 DIR/hub.pub を作ります。\n"
     "すでにあれば上書きしません。DIR は先に作っておいてください。\n",
     "usage: anzen hub keygen -o DIR\n\n"
     "Make the sealing key DIR/hub.key (0600) and the public key DIR/hub.pub to hand to\n"
     "the institutions. Existing keys are not overwritten. DIR must exist.\n"},
    {"init",
     "使い方: anzen hub init [--db 接続先]\n\n"
     "ハブの表を作り、新しい版へ移行します (何度実行しても同じ)。\n",
     "usage: anzen hub init [--db CONNINFO]\n\n"
     "Create the hub's tables or migrate them (running it again changes nothing).\n"},
    {"enrol",
     "使い方: anzen hub enrol [--db 接続先] --id ID --name 名称 --type 種別 --prefecture 都道府県\n"
     "                        --key 公開鍵 [--beds 病床規模] [--group グループ] [--hq 本部ID]\n"
     "       anzen hub enrol [--db 接続先] --csv FILE\n\n"
     "  種別: " TYPES_JA "\n"
     "  病床規模: " BANDS_JA "\n"
     "  公開鍵: 機関の anzen-sign.pub (ファイルの場所、中身、base64)\n"
     "  CSV の列: 機関ID,名称,種別,都道府県,病床規模,グループ,本部ID,公開鍵 (見出しは日本語か\n"
     "  英語 id,name,type,prefecture,beds,group,hq,key。見出しがなければこの順)\n"
     "表示される鍵の指紋が、機関から別の経路で伝えられたものと同じか確かめてください。\n"
     "登録済みの ID: 指定しない項目はそのまま。鍵を替えるには --replace-key が必要です。\n",
     "usage: anzen hub enrol [--db CONNINFO] --id ID --name NAME --type TYPE --prefecture P\n"
     "                        --key PUBKEY [--beds BAND] [--group GROUP] [--hq HQ-ID]\n"
     "       anzen hub enrol [--db CONNINFO] --csv FILE\n\n"
     "  TYPE: " TYPES_EN "\n"
     "  BAND: " BANDS_EN "\n"
     "  PUBKEY: the institution's anzen-sign.pub (its path, its text, or the base64)\n"
     "  CSV columns: id,name,type,prefecture,beds,group,hq,key (headings in English or\n"
     "  Japanese; without headings, in this order)\n"
     "Check that the key fingerprints shown match the ones the institutions gave you.\n"
     "An enrolled id keeps what is not given; a new key needs --replace-key.\n"},
    {"ingest",
     "使い方: anzen hub ingest [--db 接続先] [--hub-key hub.key] [--quiet] FILE|DIR...\n\n"
     "束を検証して取り込みます。終了コード: 0 すべて取り込み, 2 拒否した束あり, 1 エラー\n",
     "usage: anzen hub ingest [--db CONNINFO] [--hub-key hub.key] [--quiet] FILE|DIR...\n\n"
     "Verify and ingest bundles. Exits 0 when all were ingested, 2 when some were\n"
     "refused, 1 on error.\n"},
    {"report",
     "使い方: anzen hub report [--db 接続先] [--prefecture P] [--group G] [--fiscal-year Y]\n"
     "                         [--format html|xlsx|json] -o FILE\n\n"
     "範囲 (都道府県・グループ・年度) の集計の報告書を書き出します。\n",
     "usage: anzen hub report [--db CONNINFO] [--prefecture P] [--group G] [--fiscal-year Y]\n"
     "                         [--format html|xlsx|json] -o FILE\n\n"
     "Write the aggregated report of a scope (prefecture, group, fiscal year).\n"},
    {"query",
     "使い方: anzen hub query NAME [--db 接続先] [--prefecture P] [--group G] [--fiscal-year Y]\n\n"
     "集計 1 つを JSON で出します。NAME:\n",
     "usage: anzen hub query NAME [--db CONNINFO] [--prefecture P] [--group G] [--fiscal-year "
     "Y]\n\n"
     "Print one aggregate as JSON. NAME:\n"},
};

static void query_names(FILE *f)
{
    for (int i = 0; az_hub_queries[i]; i++)
        fprintf(f, "%s%s", i ? ", " : "  ", az_hub_queries[i]);
    fputc('\n', f);
}

static void sub_help(struct cli *c, const char *sub, FILE *f)
{
    for (size_t i = 0; i < sizeof(sub_helps) / sizeof(sub_helps[0]); i++)
        if (!strcmp(sub, sub_helps[i].sub)) {
            fputs(L(c, sub_helps[i].ja, sub_helps[i].en), f);
            if (!strcmp(sub, "query"))
                query_names(f);
            return;
        }
    hub_help(c, f);
}

static const struct option hub_opts[] = {
    {"db", required_argument, NULL, 'd'},
    {"output", required_argument, NULL, 'o'},
    {"id", required_argument, NULL, 'i'},
    {"name", required_argument, NULL, 'n'},
    {"type", required_argument, NULL, 't'},
    {"prefecture", required_argument, NULL, 'P'},
    {"beds", required_argument, NULL, 'B'},
    {"group", required_argument, NULL, 'g'},
    {"hq", required_argument, NULL, 'H'},
    {"key", required_argument, NULL, 'k'},
    {"csv", required_argument, NULL, 'c'},
    {"hub-key", required_argument, NULL, 'K'},
    {"fiscal-year", required_argument, NULL, 'y'},
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"replace-key", no_argument, NULL, 'X'},
    {NULL, 0, NULL, 0},
};

struct hub_args {
    const char *db, *out, *id, *name, *type, *pref, *beds, *group, *hq, *key, *csv, *hub_key,
        *format;
    int fy;
    bool quiet, replace_key;
};

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

static int open_hub(struct cli *c, const struct hub_args *a, struct az_hub **h)
{
    const char *db = a->db ? a->db : getenv("ANZEN_HUB_DB");

    if (!db) {
        cli_err(c, "データベースを --db で指定してください (または ANZEN_HUB_DB)",
                "give the database with --db (or ANZEN_HUB_DB)");
        return EXIT_USAGE;
    }
    if (az_hub_open(&c->ctx, db, h) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
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

static int hub_enrol(struct cli *c, struct az_hub *h, const struct hub_args *a)
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

static void note(void *arg, const char *name, enum az_hub_outcome o, const char *msg)
{
    struct cli *c = arg;
    (void)name;
    (void)o;
    fprintf(stderr, L(c, "anzen: 拒否: %s\n", "anzen: refused: %s\n"), msg);
}

static int hub_ingest(struct cli *c, struct az_hub *h, const struct hub_args *a, int n,
                      char **paths)
{
    unsigned char pk[32], sk[32];
    struct az_hub_stats st;
    struct timespec t0, t1;
    int r;

    if (n < 1) {
        cli_err(c, "取り込む束のファイルかディレクトリを指定してください",
                "give the bundle files or directories to ingest");
        return EXIT_USAGE;
    }
    if (a->hub_key && az_box_key_load(&c->ctx, a->hub_key, pk, sk) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = az_hub_ingest(&c->ctx, h, (const char *const *)paths, (size_t)n, a->hub_key ? pk : NULL,
                      a->hub_key ? sk : NULL, a->quiet ? NULL : note, c, &st);
    sodium_memzero(sk, sizeof(sk));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    printf(L(c,
             "束 %zu 件: 取り込み %zu (機関 %zu)、再送 %zu、古い束 %zu、署名の不正 %zu、"
             "鍵の不一致 %zu、未登録 %zu (%.2f 秒)\n",
             "%zu bundles: %zu ingested (%zu institutions), %zu replays, %zu older, %zu bad, "
             "%zu wrong key, %zu unknown (%.2f s)\n"),
           st.seen, st.ingested, st.rows, st.replay, st.older, st.bad, st.wrongkey, st.unknown,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (st.sealed)
        printf(L(c,
                 "封をした束 %zu 件は開けませんでした (--hub-key でハブの鍵を指定してください)\n",
                 "%zu sealed bundles could not be opened (give the hub's key with --hub-key)\n"),
               st.sealed);
    return st.ingested == st.seen ? 0 : EXIT_GAPS;
}

static int scope_of(struct cli *c, const struct hub_args *a, struct az_hub_scope *s)
{
    memset(s, 0, sizeof(*s));
    if (a->pref && !(s->prefecture = az_pref_code(a->pref))) {
        cli_err(c, "--prefecture: \"%s\" が分かりません", "--prefecture: unknown \"%s\"", a->pref);
        return EXIT_USAGE;
    }
    s->group = a->group;
    s->fiscal_year = a->fy;
    return 0;
}

static int hub_report(struct cli *c, struct az_hub *h, const struct hub_args *a)
{
    struct az_hub_scope s;
    const char *fmt = a->format ? a->format : "html", *sy;
    size_t sl;
    json_t *rep = NULL;
    int r;

    if ((r = scope_of(c, a, &s)))
        return r;
    if (strcmp(fmt, "html") && strcmp(fmt, "xlsx") && strcmp(fmt, "json")) {
        cli_err(c, "--format は html, xlsx, json のどれかです", "--format is html, xlsx or json");
        return EXIT_USAGE;
    }
    if (!a->out) {
        cli_err(c, "出力先を -o で指定してください", "give the output with -o");
        return EXIT_USAGE;
    }
    if (az_hub_survey_embedded(&sy, &sl) < 0)
        sy = NULL;
    if (az_hub_report(&c->ctx, h, &s, sy, sl, &rep) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (!strcmp(fmt, "json")) {
        r = out_json(c, a->out, rep);
        rep = NULL;
    } else if (!strcmp(fmt, "xlsx")) {
        r = az_hub_report_xlsx(&c->ctx, rep, a->out) < 0 ? (cli_liberr(c), EXIT_ERROR) : 0;
    } else {
        char *html = NULL;
        size_t len = 0;
        r = az_hub_report_html(&c->ctx, rep, &html, &len) < 0 ? (cli_liberr(c), EXIT_ERROR)
                                                              : out_write(c, a->out, html, len);
        free(html);
    }
    json_decref(rep);
    return r;
}

static int hub_query(struct cli *c, struct az_hub *h, const struct hub_args *a, int n, char **names)
{
    struct az_hub_scope s;
    json_t *j;
    int r;

    if (n != 1) {
        cli_err(c, "集計の名前を 1 つ指定してください", "give one query name");
        return EXIT_USAGE;
    }
    if ((r = scope_of(c, a, &s)))
        return r;
    if (az_hub_query(&c->ctx, h, names[0], &s, &j) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return out_json(c, NULL, j);
}

/* ---- hub serve, hub user ---- */

static void serve_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen hub serve --db 接続先 --state DIR [--listen ADDR] [--port N]\n"
          "                       [--cert FILE --key FILE] [--hub-key hub.key] [--rate N]\n\n"
          "ハブの画面 (HTTPS) と、束を受け取る口 (POST /api/v1/bundles) を開きます。\n"
          "利用者・セッション・監査ログは DIR/" HUB_ACCOUNTS " (SQLite、0600) に置き、\n"
          "利用者ごとの見える範囲 (グループ・都道府県・医師会) は anzen hub user で決めます。\n"
          "最初の起動では管理者を登録する「初回設定コード」を表示します。\n"
          "  --db 接続先            PostgreSQL (postgres://... か conninfo。既定: ANZEN_HUB_DB)\n"
          "  --state DIR            利用者・証明書・受信中の束を置くディレクトリ (0700 で作成)\n"
          "  --listen ADDR          待ち受けるアドレス (既定: 127.0.0.1)\n"
          "  --port N               ポート (既定: 8444。0 なら空いているもの)\n"
          "  --cert FILE --key FILE 証明書と秘密鍵 (PEM)。省略すると DIR "
          "に自己署名のものを作ります\n"
          "  --hub-key hub.key      封をされた束を開ける鍵 (hub keygen で作ったもの)\n"
          "  --rate N               1 つのアドレスから 1 分に受け取る束の数 (既定: 60)\n"
          "  --max-connections N --per-ip N --threads N --timeout S --header-time S\n"
          "  --ready-file FILE      待ち受けを始めたらポート番号を書く (テスト用)\n",
          "usage: anzen hub serve --db CONNINFO --state DIR [--listen ADDR] [--port N]\n"
          "                       [--cert FILE --key FILE] [--hub-key hub.key] [--rate N]\n\n"
          "Serves the hub's web UI over HTTPS and receives bundles (POST /api/v1/bundles).\n"
          "Users, sessions and the audit log live in DIR/" HUB_ACCOUNTS " (SQLite, 0600);\n"
          "what each user sees (a group, a prefecture, an association) is set with\n"
          "anzen hub user. The first start prints a setup code for the administrator.\n"
          "  --db CONNINFO          PostgreSQL (postgres://... or conninfo; default ANZEN_HUB_DB)\n"
          "  --state DIR            users, certificate, incoming bundles (made 0700)\n"
          "  --listen ADDR          address to listen on (default 127.0.0.1)\n"
          "  --port N               port (default 8444; 0 for any free one)\n"
          "  --cert FILE --key FILE certificate and key (PEM); else a self-signed one in DIR\n"
          "  --hub-key hub.key      the key that opens sealed bundles (from hub keygen)\n"
          "  --rate N               bundles accepted per minute from one address (default 60)\n"
          "  --max-connections N --per-ip N --threads N --timeout S --header-time S\n"
          "  --ready-file FILE      write the port here once listening (for tests)\n"));
}

/* The state directory: made 0700 when missing; refused when others may
 * write to it. */
static int state_dir(struct cli *c, const char *dir)
{
    struct stat sb;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        cli_err(c, "%s: ディレクトリを作れません (%s)", "%s: cannot make the directory (%s)", dir,
                strerror(errno));
        return EXIT_ERROR;
    }
    if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        cli_err(c, "%s: ディレクトリではありません", "%s: not a directory", dir);
        return EXIT_ERROR;
    }
    if (sb.st_mode & 022) {
        cli_err(c, "%s: ほかの利用者が書き込めます (chmod 700 してください)",
                "%s: others can write to it (chmod 700 it)", dir);
        return EXIT_ERROR;
    }
    return 0;
}

static int hub_serve(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"state", required_argument, NULL, 's'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"port", required_argument, NULL, 'P'},
                                         {"cert", required_argument, NULL, 'c'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"hub-key", required_argument, NULL, 'K'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {"max-connections", required_argument, NULL, 'm'},
                                         {"per-ip", required_argument, NULL, 'i'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"ready-file", required_argument, NULL, 'R'},
                                         {"header-time", required_argument, NULL, 'H'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct web *w = calloc(1, sizeof(*w));
    struct hubweb *hw = calloc(1, sizeof(*hw));
    const char *db = getenv("ANZEN_HUB_DB"), *state = NULL, *hub_key = NULL;
    char *acc = NULL, *keypath = NULL;
    int o, r = EXIT_ERROR;

    if (!w || !hw) {
        free(w);
        free(hw);
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    w->o.listen = "127.0.0.1";
    w->o.port = 8444;
    w->o.max_conn = 256;
    w->o.per_ip = 64;
    w->o.threads = 4;
    w->o.timeout = 30;
    w->o.header_time = 10;
    w->o.idle = 30 * 60;
    w->o.absolute = 12 * 3600;
    hw->rate = 60;
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int e = 0;
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 's':
            state = optarg;
            break;
        case 'l':
            w->o.listen = optarg;
            break;
        case 'P':
            e = cli_serve_num(c, "--port", optarg, 0, 65535, &w->o.port);
            break;
        case 'c':
            w->o.cert = optarg;
            break;
        case 'k':
            w->o.key = optarg;
            break;
        case 'K':
            hub_key = optarg;
            break;
        case 'r':
            e = cli_serve_num(c, "--rate", optarg, 0, 100000, &hw->rate);
            break;
        case 'm':
            e = cli_serve_num(c, "--max-connections", optarg, 1, 100000, &w->o.max_conn);
            break;
        case 'i':
            e = cli_serve_num(c, "--per-ip", optarg, 1, 100000, &w->o.per_ip);
            break;
        case 't':
            e = cli_serve_num(c, "--threads", optarg, 1, 64, &w->o.threads);
            break;
        case 'T':
            e = cli_serve_num(c, "--timeout", optarg, 1, 3600, &w->o.timeout);
            break;
        case 'R':
            w->o.ready_file = optarg;
            break;
        case 'H':
            e = cli_serve_num(c, "--header-time", optarg, 1, 600, &w->o.header_time);
            break;
        case 'h':
            serve_help(c, stdout);
            free(w);
            free(hw);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足: \"%s\"",
                    "unknown option or missing argument: \"%s\"", argv[optind - 1]);
            e = EXIT_USAGE;
        }
        if (e) {
            free(w);
            free(hw);
            return e;
        }
    }
    if (optind < argc || (!w->o.cert) != (!w->o.key) || !db || !state) {
        if (optind < argc)
            cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        else if (!db)
            cli_err(c, "データベースを --db で指定してください (または ANZEN_HUB_DB)",
                    "give the database with --db (or ANZEN_HUB_DB)");
        else if (!state)
            cli_err(c, "利用者などを置くディレクトリを --state で指定してください",
                    "give the directory for the users and keys with --state");
        else
            cli_err(c, "--cert と --key は一緒に指定します", "--cert and --key go together");
        free(w);
        free(hw);
        return EXIT_USAGE;
    }
    w->o.lang = c->lang;
    if (sodium_init() < 0 || (r = state_dir(c, state))) {
        free(w);
        free(hw);
        return r ? r : EXIT_ERROR;
    }
    r = EXIT_ERROR;
    pthread_mutex_init(&w->lock, NULL);
    acc = az_fmt("%s/%s", state, HUB_ACCOUNTS);
    keypath = az_fmt("%s/%s.key", state, HUB_ACCOUNTS);
    hw->state = strdup(state);
    hw->spool = az_fmt("%s/%s", state, HUB_SPOOL);
    if (!acc || !keypath || !hw->state || !hw->spool) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    if (mkdir(hw->spool, 0700) < 0 && errno != EEXIST) {
        cli_err(c, "%s: ディレクトリを作れません (%s)", "%s: cannot make the directory (%s)",
                hw->spool, strerror(errno));
        goto out;
    }
    if (hub_key) {
        if (az_box_key_load(&c->ctx, hub_key, hw->box_pk, hw->box_sk) < 0) {
            cli_liberr(c);
            goto out;
        }
        hw->have_box = true;
    }
    if (az_hub_open(&c->ctx, db, &hw->hub) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (!(hw->pg = PQconnectdb(db)) || PQstatus(hw->pg) != CONNECTION_OK) {
        cli_err(c, "データベースにつながりません: %s", "cannot connect to the database: %s",
                hw->pg ? PQerrorMessage(hw->pg) : "?");
        goto out;
    }
    if (web_views_load(&c->ctx, w) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (cli_open_store(c, acc, &w->st))
        goto out;
    if (hub_scope_open(&c->ctx, acc, &hw->sq) < 0 ||
        az_seal_key_load(&c->ctx, keypath, w->seal_key) < 0) {
        cli_liberr(c);
        goto out;
    }
    randombytes_buf(w->form_key, sizeof(w->form_key));
    if (cli_serve_start(c, w, state, acc) < 0)
        goto out;
    if (strncmp(w->o.listen, "127.", 4) && strcmp(w->o.listen, "::1"))
        fprintf(stderr, "%s",
                L(c,
                  "anzen: 注意: ネットワークに公開しています。ファイアウォールで届く範囲を"
                  "限ってください。\n",
                  "anzen: note: listening on the network. Limit who can reach it with a "
                  "firewall.\n"));
    if (hubweb_setup(&c->ctx, w, hw) < 0) {
        cli_liberr(c);
        goto out;
    }
    r = web_run(w) ? EXIT_ERROR : 0;
out:
    web_views_free(w);
    az_store_close(w->st);
    if (w->key_pem)
        sodium_memzero(w->key_pem, strlen(w->key_pem));
    free(w->key_pem);
    free(w->cert_pem);
    sodium_memzero(w, sizeof(*w));
    free(w);
    hubweb_free(hw);
    free(hw);
    free(acc);
    free(keypath);
    return r;
}

static void user_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen hub user <操作> [名前] --state DIR [オプション]\n"
          "  add 名前 --scope 範囲 [--display 表示名] [--admin] [--password-stdin|--temporary]\n"
          "  scope 名前 範囲                 見える範囲を変える\n"
          "  association 名前 機関ID...      医師会の会員 (機関) を決める (置き換え)\n"
          "  scopes                          利用者の範囲と医師会の一覧\n"
          "  list | reset-password | unlock | reset-mfa | disable | enable  (anzen user と同じ)\n"
          "範囲: all (ハブ管理者と同じく全部), group:グループ, prefecture:都道府県,\n"
          "      association:医師会\n",
          "usage: anzen hub user <action> [name] --state DIR [options]\n"
          "  add NAME --scope SCOPE [--display NAME] [--admin] [--password-stdin|--temporary]\n"
          "  scope NAME SCOPE                change what the user sees\n"
          "  association NAME ID...          set the member institutions of an association\n"
          "  scopes                          the users' scopes and the associations\n"
          "  list | reset-password | unlock | reset-mfa | disable | enable  (as anzen user)\n"
          "scopes: all (everything, as a hub administrator), group:NAME, prefecture:P,\n"
          "        association:NAME\n"));
}

/* The hub database for hub user's checks, or NULL (with the error told). */
static PGconn *user_db(struct cli *c, const char *db, const char *why_ja, const char *why_en)
{
    PGconn *pg;

    if (!db) {
        cli_err(c, "%sため、データベースを --db か ANZEN_HUB_DB で指定してください",
                "give the database with --db or ANZEN_HUB_DB %s", L(c, why_ja, why_en));
        return NULL;
    }
    if (!(pg = PQconnectdb(db)) || PQstatus(pg) != CONNECTION_OK) {
        cli_err(c, "データベースにつながりません: %s", "cannot connect to the database: %s",
                pg ? PQerrorMessage(pg) : "?");
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* An association's members must be enrolled institutions: the unknown
 * ids are named, and nothing is changed. */
static int assoc_check(struct cli *c, const char *db, char *const *ids, int n)
{
    PGconn *pg = user_db(c, db, "会員の機関 ID を確かめる", "to check the member ids");
    PGresult *res = NULL;
    struct az_buf b;
    char *lit = NULL;
    int r = EXIT_ERROR;

    if (!pg)
        return EXIT_USAGE;
    az_buf_init(&b, 16u << 20);
    az_buf_puts(&b, "{");
    for (int i = 0; i < n; i++) {
        az_buf_puts(&b, i ? ",\"" : "\"");
        for (const char *p = ids[i]; *p; p++) {
            char ch[3] = {'\\', *p, 0};
            az_buf_puts(&b, (*p == '"' || *p == '\\') ? ch : ch + 1);
        }
        az_buf_puts(&b, "\"");
    }
    az_buf_puts(&b, "}");
    if (!(lit = az_buf_take(&b))) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    {
        const char *v[1] = {lit};
        res = PQexecParams(pg,
                           "SELECT string_agg(x, ', ' ORDER BY x) FROM unnest($1::text[]) x"
                           " WHERE NOT EXISTS (SELECT 1 FROM institution i WHERE i.id = x)",
                           1, NULL, v, NULL, NULL, 0);
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        cli_err(c, "機関の一覧を読めません: %s", "cannot read the institutions: %s",
                PQerrorMessage(pg));
        goto out;
    }
    if (!PQgetisnull(res, 0, 0)) {
        cli_err(c, "登録されていない機関 ID: %s (hub enrol で登録してから会員にしてください)",
                "institution ids not enrolled: %s (enrol them with hub enrol first)",
                PQgetvalue(res, 0, 0));
        r = EXIT_USAGE;
        goto out;
    }
    r = 0;
out:
    PQclear(res);
    PQfinish(pg);
    free(lit);
    return r;
}

/* A scope that shows nothing today (a group no institution is in, an
 * association without members) is allowed, as they may come later, but
 * said. */
static void scope_warn(struct cli *c, const char *db, struct sqlite3 *sq, const char *text)
{
    struct hub_scope s;

    if (hub_scope_parse(&c->ctx, text, &s) < 0)
        return;
    if (s.kind == HS_ASSOC) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(sq, "SELECT count(*) FROM hub_assoc WHERE assoc = ?", -1, &st,
                               NULL) == SQLITE_OK &&
            sqlite3_bind_text(st, 1, s.value, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)
            fprintf(stderr,
                    L(c,
                      "anzen: 注意: 医師会 \"%s\" には会員の機関がまだありません (hub user "
                      "association で決めるまで何も見えません)\n",
                      "anzen: note: association \"%s\" has no member institutions yet (nothing "
                      "is visible until hub user association sets them)\n"),
                    s.value);
        sqlite3_finalize(st);
    } else if (s.kind == HS_GROUP && db) {
        const char *v[1] = {s.value};
        PGconn *pg = PQconnectdb(db);
        PGresult *res;
        if (!pg || PQstatus(pg) != CONNECTION_OK) {
            PQfinish(pg);
            return;
        }
        res = PQexecParams(pg, "SELECT count(*) FROM institution WHERE grp = $1", 1, NULL, v, NULL,
                           NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(res, 0, 0), "0"))
            fprintf(stderr,
                    L(c,
                      "anzen: 注意: グループ \"%s\" の機関はまだ登録されていません (登録される"
                      "まで何も見えません)\n",
                      "anzen: note: no institution is enrolled in group \"%s\" yet (nothing is "
                      "visible until one is)\n"),
                    s.value);
        PQclear(res);
        PQfinish(pg);
    }
}

/* `anzen hub user`: the account file's users through `anzen user`, plus
 * the hub roles (scopes) and the associations' members. */
static int hub_user(struct cli *c, int argc, char **argv)
{
    const char *state = NULL, *scope = NULL, *sub, *db = getenv("ANZEN_HUB_DB");
    char **av = calloc((size_t)argc + 6, sizeof(char *)), *acc = NULL;
    int ac = 0, r = EXIT_ERROR;
    bool has_role = false;
    struct sqlite3 *sq = NULL;

    if (!av) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        user_help(c, argc < 2 ? stderr : stdout);
        free(av);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    sub = argv[1];
    av[ac++] = "user";
    av[ac++] = (char *)sub;
    for (int i = 2; i < argc; i++) {
        if ((!strcmp(argv[i], "--state") || !strcmp(argv[i], "--scope")) && i + 1 < argc) {
            *(argv[i][3] == 't' ? &state : &scope) = argv[i + 1];
            i++;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            db = argv[++i];
        } else if (!strncmp(argv[i], "--db=", 5)) {
            db = argv[i] + 5;
        } else if (!strncmp(argv[i], "--state=", 8)) {
            state = argv[i] + 8;
        } else if (!strncmp(argv[i], "--scope=", 8)) {
            scope = argv[i] + 8;
        } else {
            if (!strcmp(argv[i], "--role") || !strncmp(argv[i], "--role=", 7))
                has_role = true;
            av[ac++] = argv[i];
        }
    }
    if (!state) {
        cli_err(c, "ハブのディレクトリを --state で指定してください",
                "give the hub's directory with --state");
        free(av);
        return EXIT_USAGE;
    }
    if (!(acc = az_fmt("%s/%s", state, HUB_ACCOUNTS))) {
        free(av);
        return EXIT_ERROR;
    }
    if (!strcmp(sub, "scope") || !strcmp(sub, "association") || !strcmp(sub, "scopes")) {
        int nops = ac - 2;
        if ((!strcmp(sub, "scope") && nops != 2) || (!strcmp(sub, "association") && nops < 1) ||
            (!strcmp(sub, "scopes") && nops != 0)) {
            if (nops > 2 && !strcmp(sub, "scope"))
                cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", av[4]);
            else if (nops > 0 && !strcmp(sub, "scopes"))
                cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", av[2]);
            else
                cli_err(c, "引数が足りません", "missing arguments");
            user_help(c, stderr);
            r = EXIT_USAGE;
            goto out;
        }
        if (access(acc, F_OK) != 0) {
            cli_err(c, "%s がありません (先に hub serve を起動してください)",
                    "%s does not exist (start hub serve first)", acc);
            goto out;
        }
        if (hub_scope_open(&c->ctx, acc, &sq) < 0) {
            cli_liberr(c);
            goto out;
        }
        if (!strcmp(sub, "scope")) {
            struct az_store *st = NULL;
            struct az_user u;
            int e;
            if (cli_open_store(c, acc, &st))
                goto out;
            e = az_store_user_get(st, &c->ctx, av[2], &u);
            az_store_close(st);
            if (e < 0) {
                cli_err(c, "利用者 \"%s\" はいません", "no user \"%s\"", av[2]);
                goto out;
            }
            if (hub_scope_set(&c->ctx, sq, u.name, av[3]) < 0) {
                cli_liberr(c);
                r = EXIT_USAGE;
                goto out;
            }
            printf(L(c, "%s の範囲: %s\n", "%s: scope %s\n"), u.name, av[3]);
            scope_warn(c, db, sq, av[3]);
        } else if (!strcmp(sub, "association")) {
            if ((r = assoc_check(c, db, av + 3, ac - 3)))
                goto out;
            r = EXIT_ERROR;
            if (hub_assoc_set(&c->ctx, sq, av[2], av + 3, ac - 3) < 0) {
                cli_liberr(c);
                r = EXIT_USAGE;
                goto out;
            }
            printf(L(c, "医師会 %s: 会員 %d 機関\n", "association %s: %d member institutions\n"),
                   av[2], ac - 3);
        } else {
            json_t *u = NULL, *a = NULL;
            if (hub_scope_list(&c->ctx, sq, &u, &a) < 0) {
                cli_liberr(c);
                goto out;
            }
            r = out_json(c, NULL, json_pack("{s:o,s:o}", "users", u, "associations", a));
            goto out;
        }
        r = 0;
        goto out;
    }
    {
        /* the operands are checked here, so that errors show the hub
         * user usage and name the stray argument (cmd_user would print
         * the workspace's) */
        static const char *const one[] = {"add",       "reset-password", "unlock",
                                          "reset-mfa", "disable",        "enable"};
        static const char *const with_val[] = {"-w",     "--workspace", "-f",       "--format",
                                               "--role", "--display",   "--vendor", NULL};
        int want = -1, got = 0;
        const char *stray = NULL;
        for (size_t k = 0; k < sizeof(one) / sizeof(one[0]); k++)
            if (!strcmp(sub, one[k]))
                want = 1;
        if (!strcmp(sub, "list"))
            want = 0;
        if (want < 0) {
            cli_err(c, "未知の操作 \"%s\"", "unknown action \"%s\"", sub);
            user_help(c, stderr);
            r = EXIT_USAGE;
            goto out;
        }
        static const char *const flags[] = {"--password-stdin", "--temporary", "--admin",
                                            "--help",           "-h",          NULL};
        for (int i = 2; i < ac; i++) {
            bool takes = false, known = false;
            if (av[i][0] == '-') {
                for (int k = 0; with_val[k]; k++) {
                    size_t l = strlen(with_val[k]);
                    takes |= !strcmp(av[i], with_val[k]);
                    known |= !strncmp(av[i], with_val[k], l) && av[i][l] == '=' && l > 2;
                }
                for (int k = 0; flags[k]; k++)
                    known |= !strcmp(av[i], flags[k]);
                if (!takes && !known) {
                    cli_err(c, "不明なオプション \"%s\"", "unknown option \"%s\"", av[i]);
                    user_help(c, stderr);
                    r = EXIT_USAGE;
                    goto out;
                }
                i += takes;
                continue;
            }
            if (++got > want && !stray)
                stray = av[i];
        }
        if (stray || got < want) {
            if (stray)
                cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", stray);
            else
                cli_err(c, "利用者の名前を指定してください", "give the user's name");
            user_help(c, stderr);
            r = EXIT_USAGE;
            goto out;
        }
    }
    if (!strcmp(sub, "add")) {
        struct hub_scope s;
        if (!scope) {
            cli_err(c,
                    "--scope で見える範囲を指定してください (all, group:G, prefecture:P, "
                    "association:A)",
                    "give the user's scope with --scope (all, group:G, prefecture:P, "
                    "association:A)");
            r = EXIT_USAGE;
            goto out;
        }
        if (hub_scope_parse(&c->ctx, scope, &s) < 0) {
            cli_liberr(c);
            r = EXIT_USAGE;
            goto out;
        }
        if (!has_role) {
            /* hub users only read: the viewer role of the account store */
            av[ac++] = "--role";
            av[ac++] = "viewer";
        }
        if (state_dir(c, state))
            goto out;
    }
    {
        /* the user's name: the operand after the action (getopt in
         * cmd_user reorders av, so it is found first) */
        const char *name = NULL;
        static const char *const with_arg[] = {"-w",     "--workspace", "-f",       "--format",
                                               "--role", "--display",   "--vendor", NULL};
        for (int i = 2; i < ac && !name; i++) {
            bool skip = false;
            if (av[i][0] == '-') {
                for (int k = 0; with_arg[k]; k++)
                    if (!strcmp(av[i], with_arg[k]))
                        skip = true;
                if (skip)
                    i++;
                continue;
            }
            name = av[i];
        }
        av[ac++] = "-w";
        av[ac++] = acc;
        av[ac] = NULL;
        r = cmd_user(c, ac, av);
        if (r == 0 && !strcmp(sub, "add")) {
            if (!name || hub_scope_open(&c->ctx, acc, &sq) < 0 ||
                hub_scope_set(&c->ctx, sq, name, scope) < 0) {
                cli_liberr(c);
                r = EXIT_ERROR;
            } else {
                scope_warn(c, db, sq, scope);
            }
        }
    }
out:
    hub_scope_close(sq);
    free(acc);
    free(av);
    return r;
}

int cmd_hub(struct cli *c, int argc, char **argv)
{
    struct hub_args a;
    struct az_hub *h = NULL;
    const char *sub;
    int o, r;
    long fy;

    memset(&a, 0, sizeof(a));
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        hub_help(c, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    sub = argv[1];
    if (!strcmp(sub, "serve"))
        return hub_serve(c, argc - 1, argv + 1);
    if (!strcmp(sub, "user"))
        return hub_user(c, argc - 1, argv + 1);
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "d:o:f:qh", hub_opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            a.db = optarg;
            break;
        case 'o':
            a.out = optarg;
            break;
        case 'i':
            a.id = optarg;
            break;
        case 'n':
            a.name = optarg;
            break;
        case 't':
            a.type = optarg;
            break;
        case 'P':
            a.pref = optarg;
            break;
        case 'B':
            a.beds = optarg;
            break;
        case 'g':
            a.group = optarg;
            break;
        case 'H':
            a.hq = optarg;
            break;
        case 'k':
            a.key = optarg;
            break;
        case 'c':
            a.csv = optarg;
            break;
        case 'X':
            a.replace_key = true;
            break;
        case 'K':
            a.hub_key = optarg;
            break;
        case 'f':
            a.format = optarg;
            break;
        case 'q':
            a.quiet = true;
            break;
        case 'y':
            if (az_parse_long(optarg, 2000, 2200, &fy) < 0) {
                cli_err(c, "--fiscal-year: \"%s\" は西暦の年度です",
                        "--fiscal-year: \"%s\" is a year", optarg);
                return EXIT_USAGE;
            }
            a.fy = (int)fy;
            break;
        case 'h':
            sub_help(c, sub, stdout);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            return EXIT_USAGE;
        }
    }
    /* getopt_long ran on argv + 1, so the operands start at optind + 1 */
    argc -= optind + 1;
    argv += optind + 1;
    if (!strcmp(sub, "keygen")) {
        char *k, *p;
        if (!a.out) {
            cli_err(c, "鍵を置くディレクトリを -o で指定してください",
                    "give the directory for the keys with -o");
            return EXIT_USAGE;
        }
        {
            struct stat st;
            if (stat(a.out, &st) != 0) {
                cli_err(
                    c,
                    "%s: 鍵を置くディレクトリを開けません: %s (先に mkdir -m 700 で作ってください)",
                    "%s: cannot open the directory for the keys: %s (make it first: mkdir -m "
                    "700)",
                    a.out, az_errno_text(c->lang, errno));
                return EXIT_ERROR;
            }
            if (!S_ISDIR(st.st_mode)) {
                cli_err(c, "%s: ディレクトリではありません", "%s: not a directory", a.out);
                return EXIT_ERROR;
            }
        }
        k = az_fmt("%s/hub.key", a.out);
        p = az_fmt("%s/hub.pub", a.out);
        r = k && p && az_box_keys_create(&c->ctx, k, p) == 0 ? 0 : EXIT_ERROR;
        if (r)
            cli_liberr(c);
        else {
            unsigned char pk[32], sk[32];
            char *fp = NULL;
            if (az_box_key_load(&c->ctx, k, pk, sk) == 0)
                fp = az_key_fingerprint(pk);
            sodium_memzero(sk, sizeof(sk));
            printf(L(c, "封を開ける鍵: %s (0600)\n配る公開鍵: %s\n指紋: %s\n",
                     "sealing key: %s (0600)\npublic key to hand out: %s\nfingerprint: %s\n"),
                   k, p, fp ? fp : "?");
            free(fp);
        }
        free(k);
        free(p);
        return r;
    }
    if (strcmp(sub, "init") && strcmp(sub, "enrol") && strcmp(sub, "ingest") &&
        strcmp(sub, "report") && strcmp(sub, "query")) {
        cli_err(c, "未知のサブコマンド \"%s\"", "unknown subcommand \"%s\"", sub);
        hub_help(c, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(sub, "ingest") && strcmp(sub, "query") && argc > 0) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[0]);
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "query") && argc == 1) {
        bool known = false;
        for (int i = 0; az_hub_queries[i]; i++)
            known |= !strcmp(argv[0], az_hub_queries[i]);
        if (!known) {
            cli_err(c,
                    "未知の集計 \"%s\"。次のどれかです:", "unknown query \"%s\"; one of:", argv[0]);
            query_names(stderr);
            return EXIT_USAGE;
        }
    }
    if ((r = open_hub(c, &a, &h)))
        return r;
    if (!strcmp(sub, "init")) {
        int v = 0;
        if (az_hub_init(&c->ctx, h, &v) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
        } else {
            printf(L(c, "ハブのデータベースを用意しました (版 %d)\n",
                     "hub database ready (schema version %d)\n"),
                   v);
        }
    } else if (!strcmp(sub, "enrol")) {
        r = hub_enrol(c, h, &a);
    } else if (!strcmp(sub, "ingest")) {
        r = hub_ingest(c, h, &a, argc, argv);
    } else if (!strcmp(sub, "report")) {
        r = hub_report(c, h, &a);
    } else {
        r = hub_query(c, h, &a, argc, argv);
    }
    az_hub_close(h);
    return r;
}
