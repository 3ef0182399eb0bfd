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
#include "cmd_hub.h"

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
    if (o == AZ_HUB_SKIPPED)
        fprintf(stderr, L(c, "anzen: 注意: %s\n", "anzen: note: %s\n"), msg);
    else
        fprintf(stderr, L(c, "anzen: 拒否: %s\n", "anzen: refused: %s\n"), msg);
}

static int hub_ingest(struct cli *c, struct az_hub *h, const struct hub_args *a, int n,
                      char **paths)
{
    unsigned char pk[32], sk[32];
    struct az_hub_stats st;
    struct timespec t0, t1;
    const char *e;
    int r;

    if (n < 1) {
        cli_err(c, "取り込む束のファイルかディレクトリを指定してください",
                "give the bundle files or directories to ingest");
        return EXIT_USAGE;
    }
    if ((e = secure_getenv("ANZEN_HUB_BATCH")) && *e) { /* tests only: small batches */
        char *end;
        unsigned long v = strtoul(e, &end, 10);
        if (*end || v < 1 || v > 1000000) {
            cli_err(c, "ANZEN_HUB_BATCH は 1 から 1000000 の整数です",
                    "ANZEN_HUB_BATCH is an integer from 1 to 1000000");
            return EXIT_USAGE;
        }
        az_hub_set_ingest_batch(h, v);
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
    if (st.future)
        printf(L(c, "年度が作成時刻より後の束 %zu 件を拒否しました (--as-of で作った束)\n",
                 "%zu bundles refused: fiscal year later than their creation (--as-of)\n"),
               st.future);
    if (st.skipped)
        printf(L(c, "束でないファイル・フォルダ %zu 件を飛ばしました\n",
                 "%zu files or folders that are no bundles skipped\n"),
               st.skipped);
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
        return cli_hub_serve(c, argc - 1, argv + 1);
    if (!strcmp(sub, "user"))
        return cli_hub_user(c, argc - 1, argv + 1);
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
