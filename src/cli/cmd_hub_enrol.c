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

/* The institution types the hub knows, with the words an office types in
 * a spreadsheet; beds: what the word says of the beds (有床診療所 has
 * some, 無床診療所 none). */
enum { BEDS_ANY, BEDS_NONE, BEDS_SOME };
static const struct {
    const char *word, *code;
    int beds;
} types[] = {
    {"hospital", "hospital", BEDS_ANY},
    {"病院", "hospital", BEDS_ANY},
    {"一般病院", "hospital", BEDS_ANY},
    {"精神科病院", "hospital", BEDS_ANY},
    {"精神病院", "hospital", BEDS_ANY},
    {"療養病院", "hospital", BEDS_ANY},
    {"療養型病院", "hospital", BEDS_ANY},
    {"療養病床を有する病院", "hospital", BEDS_ANY},
    {"特定機能病院", "hospital", BEDS_ANY},
    {"地域医療支援病院", "hospital", BEDS_ANY},
    {"総合病院", "hospital", BEDS_ANY},
    {"大学病院", "hospital", BEDS_ANY},
    {"clinic", "clinic", BEDS_ANY},
    {"診療所", "clinic", BEDS_ANY},
    {"一般診療所", "clinic", BEDS_ANY},
    {"医科診療所", "clinic", BEDS_ANY},
    {"医院", "clinic", BEDS_ANY},
    {"クリニック", "clinic", BEDS_ANY},
    {"有床診療所", "clinic", BEDS_SOME},
    {"無床診療所", "clinic", BEDS_NONE},
    {"dental", "dental", BEDS_ANY},
    {"歯科診療所", "dental", BEDS_ANY},
    {"歯科", "dental", BEDS_ANY},
    {"歯科医院", "dental", BEDS_ANY},
    {"歯科クリニック", "dental", BEDS_ANY},
    {"pharmacy", "pharmacy", BEDS_ANY},
    {"薬局", "pharmacy", BEDS_ANY},
    {"保険薬局", "pharmacy", BEDS_ANY},
    {"調剤薬局", "pharmacy", BEDS_ANY},
    {"midwifery", "midwifery", BEDS_ANY},
    {"助産所", "midwifery", BEDS_ANY},
    {"助産院", "midwifery", BEDS_ANY},
    {"headquarters", "headquarters", BEDS_ANY},
    {"本部", "headquarters", BEDS_ANY},
};

/* The bed bands of the hub's reports (the bands of the MHLW survey). */
static const char *const bands[] = {"0", "1-19", "20-99", "100-199", "200-399", "400-499", "500+"};
static const long band_upper[] = {0, 19, 99, 199, 399, 499};

static char *norm_text(char *s);

/* In place: notes in brackets taken out ("19床(一般)" -> "19床",
 * "名称(必須)", "公開鍵【anzen-sign.pub】"); after norm_text, so full-width
 * brackets are ASCII already. Spaces left at the ends are trimmed. */
static char *strip_notes(char *s)
{
    char *w = s;
    int depth = 0;

    for (const char *p = s; *p; p++) {
        if (*p == '(' || *p == '[' || !strncmp(p, "【", 3)) {
            depth++;
            p += *p == '(' || *p == '[' ? 0 : 2;
        } else if (depth && (*p == ')' || *p == ']' || !strncmp(p, "】", 3))) {
            depth--;
            p += *p == ')' || *p == ']' ? 0 : 2;
        } else if (!depth) {
            *w++ = *p;
        }
    }
    *w = 0;
    return norm_text(s);
}

/* A copy of s, normalised (norm_text) with its notes taken out; NULL when
 * it does not fit. */
static char *folded(const char *s, char *buf, size_t n)
{
    if (strlen(s) >= n)
        return NULL;
    memcpy(buf, s, strlen(s) + 1);
    return strip_notes(norm_text(buf));
}

/* The type code of what was typed ("有床診療所", "一般病院", "clinic"), and
 * *beds what the word says of the beds. NULL when unknown. */
static const char *type_of(const char *typed, int *beds)
{
    char buf[256], *t = folded(typed, buf, sizeof(buf));

    *beds = BEDS_ANY;
    if (!t)
        return NULL;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcasecmp(t, types[i].word)) {
            *beds = types[i].beds;
            return types[i].code;
        }
    return NULL;
}

/* An institution id as anzen submit takes it (bundle.c): 1 to 64 ASCII
 * letters, digits, . _ -. */
static bool inst_id_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* The id of --id and of the CSV alike, in place: full-width letters and
 * digits folded to ASCII ("ｓａｉｔａｍａ－ｃ０９" -> "saitama-c09"), then
 * the rule of anzen submit. */
static bool inst_id_fold(char *s)
{
    return inst_id_ok(norm_text(s));
}

#define ID_RULE_JA "英数字と . _ - の 1〜64 文字。anzen submit --id と同じ規則"
#define ID_RULE_EN "1 to 64 of ASCII letters, digits, . _ -, the rule of anzen submit --id"

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

/* Why band_code found no band. */
enum { BAND_BAD, BAND_SPANS };

/* A bed band from what people write: a band as the hub spells it
 * ("20-99"), with another dash or wave ("20〜99", "20～99床"), "500床以上",
 * "無床", "なし", "-" (no beds), a number of beds (45 -> 20-99) with a note
 * ("19床（一般）"). NULL when it is not one band (*why BAND_SPANS for
 * "100床以上", which spans several). "" stays "" (not given: for a
 * hospital an empty cell means "not known", not "no beds"). */
static const char *band_code(const char *arg, int *why)
{
    char t[64], in[64];
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)in;
    long lo;
    char *end;

    *why = BAND_BAD;
    if (!folded(arg, in, sizeof(in)))
        return NULL;
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
        } else if (p[0] == 0xE3 && p[1] == 0x83 && p[2] == 0xBC) { /* ー (a dash typed in kana) */
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
    if (!strcmp(t, "無") || !strcmp(t, "なし") || !strcmp(t, "無し") || !strcmp(t, "-") ||
        !strcmp(t, "--"))
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
        for (size_t i = 0; i < sizeof(band_upper) / sizeof(band_upper[0]); i++)
            if (lo <= band_upper[i])
                return bands[i];
        return "500+";
    }
    if (!strcmp(end, "+")) {
        if (lo == 500)
            return "500+";
        *why = lo < 500 ? BAND_SPANS : BAND_BAD;
        return NULL;
    }
    return NULL; /* a range that is not a band: which one is meant is unclear */
}

/* The bands "N床以上" spans ("100-199, 200-399, 400-499, 500+"). */
static void spanned(const char *arg, char *out, size_t n)
{
    char in[64];
    long lo = 0;
    size_t k = 0;

    out[0] = 0;
    if (!folded(arg, in, sizeof(in)))
        return;
    lo = strtol(in, NULL, 10);
    for (size_t i = 1; i < sizeof(bands) / sizeof(bands[0]); i++)
        if (i == sizeof(band_upper) / sizeof(band_upper[0]) || band_upper[i] >= lo) {
            int w = snprintf(out + k, n - k, "%s%s", k ? ", " : "", bands[i]);
            if (w < 0 || (size_t)w >= n - k)
                return;
            k += (size_t)w;
        }
}

/* The error for a bed cell that is not one band: why, and what to write. */
static void band_err(struct cli *c, const char *where, const char *typed, int why)
{
    if (why == BAND_SPANS) {
        char sp[128];
        spanned(typed, sp, sizeof(sp));
        cli_err(c,
                "%s病床数 \"%s\" は区分をまたぐため決められません (%s のどれにも当たりえます)。"
                "病床数 (例: 120) か区分 (例: 100-199) を書いてください",
                "%sbeds \"%s\" spans several bands (it could be any of %s); write the number "
                "of beds (e.g. 120) or one band (e.g. 100-199)",
                where, typed, sp);
        return;
    }
    cli_err(c, "%s病床数 \"%s\" が区分に当たりません (" BANDS_JA "。病床なしは 0、無床、なし、-)",
            "%sbeds \"%s\" is not one bed band (" BANDS_EN "; no beds: 0, 無床, なし, -)", where,
            typed);
}

/* The band from the bed cell and what the type word says of the beds:
 * 無床診療所 has none; 有床診療所 has 1 to 19 (a clinic has at most 19 beds
 * under the Medical Care Act, so the band is 1-19 even without a count).
 * NULL with the error told when the two disagree. */
static const char *beds_with_type(struct cli *c, const char *where, const char *band, int tb,
                                  const char *typed_type, const char *typed_beds)
{
    if (tb == BEDS_NONE && *band && strcmp(band, "0")) {
        cli_err(c, "%s種別は \"%s\" (病床なし) ですが、病床数は \"%s\" です",
                "%stype \"%s\" has no beds but beds is \"%s\"", where, typed_type, typed_beds);
        return NULL;
    }
    if (tb == BEDS_SOME && *band && strcmp(band, "1-19")) {
        cli_err(c, "%s種別は \"%s\" ですが、病床数は \"%s\" です (有床診療所の病床は 1〜19 床)",
                "%stype \"%s\" but beds is \"%s\" (a clinic with beds has 1 to 19)", where,
                typed_type, typed_beds);
        return NULL;
    }
    if (tb == BEDS_NONE)
        return "0";
    if (tb == BEDS_SOME)
        return "1-19";
    return band;
}

/* The prefecture an address starts with ("埼玉県さいたま市…" -> 11), or 0. */
static int pref_of_address(const char *addr)
{
    for (int i = 1; i <= 47; i++) {
        const char *name = az_pref_name(i, AZ_LANG_JA);
        if (!strncmp(addr, name, strlen(name)))
            return i;
    }
    return 0;
}

/* The columns of an enrolment CSV and the heading words for them (after
 * full-width folding, notes in brackets and spaces taken out, ASCII in
 * lower case). C_ADDR is read only without a prefecture column. */
enum { C_ID, C_NAME, C_TYPE, C_PREF, C_BEDS, C_GROUP, C_HQ, C_KEY, NCOLS, C_ADDR = NCOLS, NMAP };
static const char *const col_en[NMAP] = {"id",    "name", "type", "prefecture", "beds",
                                         "group", "hq",   "key",  "address"};
static const char *const col_ja[NMAP] = {"機関ID",   "名称",   "種別",   "都道府県", "病床規模",
                                         "グループ", "本部ID", "公開鍵", "所在地"};
static const char *const col_words[NMAP][12] = {
    {"id", "機関id", "機関コード", "医療機関コード", "医療機関id", "施設id", "施設コード",
     "機関番号", NULL},
    {"name", "名称", "機関名", "機関名称", "医療機関名", "医療機関名称", "施設名", "施設名称",
     NULL},
    {"type", "種別", "機関種別", "施設種別", "医療機関種別", "区分", "施設区分", "機関区分", NULL},
    {"prefecture", "pref", "都道府県", "都道府県名", "都道府県コード", NULL},
    {"beds", "bed_band", "病床規模", "病床数", "許可病床数", "病床", "許可病床", "総病床数",
     "病床区分", NULL},
    {"group", "grp", "グループ", "グループ名", "所属医師会", "医師会", "郡市医師会", "所属", NULL},
    {"hq", "parent", "本部id", "本部", NULL},
    {"key", "public_key", "公開鍵", "鍵", "署名鍵", NULL},
    {"address", "所在地", "住所", "医療機関所在地", "施設所在地", NULL},
};

static int col_of(const char *h)
{
    char buf[256], *f = folded(h, buf, sizeof(buf)), *w;

    if (!f)
        return -1;
    w = f;
    for (char *p = f; *p; p++) /* "機関 ID", "公開 鍵" */
        if (*p != ' ' && *p != '\t')
            *w++ = *p;
    *w = 0;
    for (int i = 0; i < NMAP; i++)
        for (int k = 0; col_words[i][k]; k++)
            if (!strcasecmp(f, col_words[i][k]))
                return i;
    return -1;
}

/* How many columns a row names (each counted once): a heading has two or
 * more, a data row none. */
static int heading_score(const struct az_csv_row *row)
{
    bool seen[NMAP] = {false};
    int k = 0;

    for (size_t i = 0; i < row->n; i++) {
        int cl = col_of(row->f[i]);
        if (cl >= 0 && !seen[cl]) {
            seen[cl] = true;
            k++;
        }
    }
    return k;
}

/* The heading is looked for among this many rows from the top (title
 * rows above it, as anzen ledger import does). */
#define HEADING_SCAN 10

/* The heading row: the one among the first rows naming the most columns
 * (two at least; the first of equals). -1 when none. */
static long find_heading(const struct az_csv *t)
{
    long best = -1;
    int bs = 1;

    for (size_t i = 0; i < t->nrows && i < HEADING_SCAN; i++) {
        int sc = heading_score(&t->rows[i]);
        if (sc > bs) {
            bs = sc;
            best = (long)i;
        }
    }
    return best;
}

static bool blank_row(const struct az_csv_row *row)
{
    for (size_t k = 0; k < row->n; k++) {
        char buf[64];
        const char *f = row->f[k];
        if (strlen(f) >= sizeof(buf))
            return false;
        memcpy(buf, f, strlen(f) + 1);
        if (*norm_text(buf))
            return false;
    }
    return true;
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

/* What the CSV reader keeps of each institution it will enrol: where it
 * is in the file, for the errors the database finds. */
struct enrol_ctx {
    struct cli *c;
    const char *path;
    const size_t *rec; /* Excel row of v[i] */
    size_t keycol;     /* 1-based column of the keys */
    size_t n, nerr;
    bool *hit; /* rows told (NULL: not kept) */
};

static void db_row_err(void *arg, size_t i, const char *msg)
{
    struct enrol_ctx *e = arg;

    if (e->hit && i < e->n)
        e->hit[i] = true;
    if (e->nerr++ >= ENROL_ERR_MAX)
        return;
    if (i < e->n)
        cli_err(e->c, "%s: %zu 行 %zu 列: %s", "%s: row %zu column %zu: %s", e->path, e->rec[i],
                e->keycol, msg);
    else
        cli_err(e->c, "%s: %s", "%s: %s", e->path, msg);
}

/* For sorting v's indices by key or by id. */
static const struct az_hub_inst *sort_v;
static int by_key(const void *a, const void *b)
{
    const struct az_hub_inst *x = &sort_v[*(const size_t *)a], *y = &sort_v[*(const size_t *)b];
    int r = memcmp(x->key, y->key, 32);
    return r ? r
             : (*(const size_t *)a > *(const size_t *)b) -
                   (*(const size_t *)a < *(const size_t *)b);
}
static int by_id(const void *a, const void *b)
{
    const struct az_hub_inst *x = &sort_v[*(const size_t *)a], *y = &sort_v[*(const size_t *)b];
    int r = strcmp(x->id, y->id);
    return r ? r
             : (*(const size_t *)a > *(const size_t *)b) -
                   (*(const size_t *)a < *(const size_t *)b);
}

/* "FILE: 2 行 3 列: " before a cell's error */
#define WHERE(k)                                                                                   \
    (snprintf(where, sizeof(where), L(c, "%s: %zu 行 %zu 列: ", "%s: row %zu column %zu: "), path, \
              row->record, (size_t)map[k] + 1),                                                    \
     where)
/* Every error of the file is reported (the first ENROL_ERR_MAX of them,
 * then their number), and nothing is enrolled unless there are none. */
#define ROWERR(...)                                                                                \
    do {                                                                                           \
        if (nerr++ < ENROL_ERR_MAX)                                                                \
            cli_err(c, __VA_ARGS__);                                                               \
        bad = true;                                                                                \
    } while (0)

/* The heading row hr: map[] the column of each field (-1: none). Unknown
 * headings are noted once and their columns not read; a missing column
 * the rows need is an error. Returns the number of errors. */
static size_t map_heading(struct cli *c, const char *path, const struct az_csv *t, long hrow,
                          int map[NMAP])
{
    const struct az_csv_row *hr = &t->rows[hrow];
    char ign[600] = "";
    size_t il = 0, nerr = 0, above = 0;
    bool bad = false;

#define IGNORE(k)                                                                                  \
    do {                                                                                           \
        int w_ = snprintf(ign + il, sizeof(ign) - il,                                              \
                          L(c, "%s「%s」(%zu 列)", "%s\"%s\" (column %zu)"),                       \
                          il ? L(c, "、", ", ") : "", hr->f[k], (size_t)(k) + 1);                  \
        if (w_ > 0 && (size_t)w_ < sizeof(ign) - il)                                               \
            il += (size_t)w_;                                                                      \
    } while (0)
    for (int k = 0; k < NMAP; k++)
        map[k] = -1;
    for (size_t k = 0; k < hr->n; k++) {
        int cl = col_of(hr->f[k]);
        if (cl >= 0 && map[cl] >= 0) {
            ROWERR("%s: %zu 行: 見出し「%s」(%zu 列) と「%s」(%zu 列) はどちらも %s の列です "
                   "(片方を消すか、見出しを変えてください)",
                   "%s: row %zu: headings \"%s\" (column %zu) and \"%s\" (column %zu) both "
                   "name the %s column (remove or rename one)",
                   path, hr->record, hr->f[map[cl]], (size_t)map[cl] + 1, hr->f[k], k + 1,
                   L(c, col_ja[cl], col_en[cl]));
        } else if (cl >= 0) {
            map[cl] = (int)k;
        } else if (*hr->f[k]) {
            IGNORE(k);
        }
    }
    if (map[C_PREF] >= 0 && map[C_ADDR] >= 0) { /* the prefecture column wins */
        IGNORE((size_t)map[C_ADDR]);
        map[C_ADDR] = -1;
    }
#undef IGNORE
    for (int k = C_ID; k <= C_KEY; k++) {
        bool need = k <= C_PREF || k == C_KEY;
        if (map[k] >= 0 || !need || (k == C_PREF && map[C_ADDR] >= 0) ||
            (k == C_KEY && map[C_HQ] >= 0))
            continue;
        ROWERR("%s: %zu 行: 見出しに「%s」の列がありません%s%s%s",
               "%s: row %zu: no \"%s\" column in the headings%s%s%s", path, hr->record,
               L(c, col_ja[k], col_en[k]),
               il ? L(c, " (読めない見出し: ", " (headings not read: ") : "", ign, il ? ")" : "");
    }
    if (bad)
        return nerr;
    if (il)
        fprintf(stderr,
                L(c, "anzen: 注意: %s: 見出し %s の列は読みません\n",
                  "anzen: note: %s: columns not read: %s\n"),
                path, ign);
    for (long i = 0; i < hrow; i++)
        above += !blank_row(&t->rows[i]);
    if (above)
        fprintf(
            stderr,
            L(c,
              "anzen: 注意: %s: 見出しは %zu 行目です。その上の %zu 行 (表題など) は読みません\n",
              "anzen: note: %s: the headings are in row %zu; the %zu rows above them "
              "(a title) are not read\n"),
            path, hr->record, above);
    return 0;
}

static int enrol_csv(struct cli *c, struct az_hub *h, const char *path, bool replace_key)
{
    char *data = NULL, **keep = NULL, where[600];
    size_t len = 0, nrows;
    struct az_csv *t = NULL;
    struct az_hub_inst *v = NULL;
    bool *replaced = NULL, *dup = NULL;
    unsigned char(*old)[32] = NULL;
    size_t *rec = NULL, *idx = NULL, n = 0, ncols = NCOLS, nerr = 0, nbad = 0, start = 0;
    int map[NMAP], r = EXIT_ERROR;
    long hrow;

    if (cli_read_binary(c, path, &data, &len))
        return EXIT_ERROR;
    if (az_csv_parse(&c->ctx, path, data, len, AZ_CSV_AUTO, &t) < 0) {
        cli_liberr(c);
        goto out;
    }
    nrows = t->nrows ? t->nrows : 1;
    v = calloc(nrows, sizeof(*v));
    replaced = calloc(nrows, sizeof(*replaced));
    old = calloc(nrows, sizeof(*old));
    rec = calloc(nrows, sizeof(*rec));
    idx = calloc(nrows, sizeof(*idx));
    keep = calloc(nrows * NMAP, sizeof(*keep));
    dup = calloc(nrows, sizeof(*dup));
    if (!v || !replaced || !old || !rec || !idx || !keep || !dup) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    if ((hrow = find_heading(t)) >= 0) {
        if ((nerr = map_heading(c, path, t, hrow, map))) {
            cli_err(c, "%s: 見出しに誤り (%zu 件) があります。どの機関も登録していません",
                    "%s: %zu errors in the headings; no institution was enrolled", path, nerr);
            goto out;
        }
        ncols = t->rows[hrow].n;
        start = (size_t)hrow + 1;
    } else {
        /* no headings: the columns in their order, if the first row is
         * one (its type a type); otherwise say what headings are wanted
         * rather than an error for each cell */
        const struct az_csv_row *r0 = NULL;
        int tb;
        for (size_t i = 0; i < t->nrows && !r0; i++)
            if (!blank_row(&t->rows[i]))
                r0 = &t->rows[i];
        if (r0 && (r0->n < NCOLS || !type_of(r0->f[C_TYPE], &tb))) {
            cli_err(c,
                    "%s: 見出しの行が見つかりません: 必要な見出しは 機関ID、名称、種別、都道府県 "
                    "(か所在地)、公開鍵 (ほかに 病床数、グループ、本部ID。英語の id, name, type, "
                    "prefecture, key も可)。最初の %d 行に、見出しと分かるものが 2 つ以上ある行が"
                    "ありません。どの機関も登録していません",
                    "%s: no heading row found: the headings needed are id, name, type, "
                    "prefecture (or address), key (and beds, group, hq; or the Japanese ones); "
                    "none of the first %d rows has two or more of them. No institution was "
                    "enrolled",
                    path, HEADING_SCAN);
            goto out;
        }
        for (int k = 0; k < NMAP; k++)
            map[k] = k < NCOLS ? k : -1;
    }
    for (size_t i = start; i < t->nrows; i++) {
        struct az_csv_row *row = &t->rows[i];
        struct az_hub_inst *x = &v[n];
        const char *o[NMAP], *band;
        char **f = keep + i * NMAP;
        bool bad = false;
        int tb = BEDS_ANY, why;

        if (blank_row(row))
            continue; /* a wholly empty row (",,,,,,," from a spreadsheet) */
        if (row->n != ncols) {
            bool extra = false;
            for (size_t k = ncols; k < row->n; k++)
                extra |= row->f[k][0] != 0;
            if (extra || (hrow < 0 && row->n < ncols)) {
                ROWERR("%s: %zu 行: 列は %zu です (機関ID,名称,種別,都道府県,病床規模,グループ,"
                       "本部ID,公開鍵)",
                       "%s: row %zu: %zu columns expected (id,name,type,prefecture,beds,group,"
                       "hq,key)",
                       path, row->record, ncols);
                nbad++;
                continue;
            }
        }
        for (int k = 0; k < NMAP; k++) {
            o[k] = map[k] >= 0 && (size_t)map[k] < row->n ? row->f[map[k]] : "";
            if (!(f[k] = strdup(o[k]))) {
                cli_err(c, "メモリ不足", "out of memory");
                goto out;
            }
            norm_text(f[k]);
        }
        for (int k = C_ID; k <= C_NAME; k++)
            if (!f[k][0])
                ROWERR("%s%s が空です", "%s%s is empty", WHERE(k), L(c, col_ja[k], col_en[k]));
        if (f[C_ID][0] && !inst_id_fold(f[C_ID]))
            ROWERR("%s機関 ID \"%s\" は使えません (" ID_RULE_JA ")",
                   "%sinstitution id \"%s\" cannot be used (" ID_RULE_EN ")", WHERE(C_ID), o[C_ID]);
        x->id = f[C_ID];
        x->name = f[C_NAME];
        x->group = f[C_GROUP];
        x->parent = f[C_HQ][0] ? f[C_HQ] : NULL;
        if (!(x->type = type_of(o[C_TYPE], &tb)))
            ROWERR("%s種別 \"%s\" が分かりません (" TYPES_JA ")",
                   "%sunknown type \"%s\" (" TYPES_EN ")", WHERE(C_TYPE), o[C_TYPE]);
        if (map[C_PREF] >= 0 || map[C_ADDR] < 0) {
            if (!(x->prefecture = az_pref_code(f[C_PREF])))
                ROWERR("%s都道府県 \"%s\" が分かりません (番号 1〜47 か 東京都)",
                       "%sunknown prefecture \"%s\" (a code 1-47 or Tokyo)", WHERE(C_PREF),
                       o[C_PREF]);
        } else if (!(x->prefecture = pref_of_address(f[C_ADDR]))) {
            ROWERR("%s所在地 \"%s\" が都道府県名で始まっていません (例: 埼玉県さいたま市…)",
                   "%saddress \"%s\" does not start with a prefecture (e.g. 埼玉県さいたま市…)",
                   WHERE(C_ADDR), o[C_ADDR]);
        }
        if (!(band = band_code(o[C_BEDS], &why))) {
            if (nerr++ < ENROL_ERR_MAX)
                band_err(c, WHERE(C_BEDS), o[C_BEDS], why);
            bad = true;
        } else if (x->type && !(x->bed_band = beds_with_type(c, WHERE(C_BEDS), band, tb, o[C_TYPE],
                                                             o[C_BEDS]))) {
            nerr++;
            bad = true;
        }
        if (f[C_KEY][0]) {
            if (csv_key(c, f[C_KEY], x->key) < 0)
                ROWERR("%s公開鍵が読めません (anzen-sign.pub の中身、その base64 部分、"
                       "またはファイルの場所)",
                       "%sbad key (the text of anzen-sign.pub, its base64 part, or the file's "
                       "path)",
                       WHERE(C_KEY));
            else
                x->has_key = true;
        } else if (!x->parent) {
            snprintf(where, sizeof(where), L(c, "%s: %zu 行 %zu 列: ", "%s: row %zu column %zu: "),
                     path, row->record, map[C_KEY] >= 0 ? (size_t)map[C_KEY] + 1 : ncols + 1);
            ROWERR("%s公開鍵がありません (本部がまとめて出す支店だけ省けます)",
                   "%sno key (only a branch with an hq may omit it)", where);
        }
        if (bad) {
            memset(x, 0, sizeof(*x));
            nbad++;
            continue;
        }
        x->replace_key = replace_key;
        x->key_replaced = &replaced[n];
        x->old_key = old[n];
        rec[n] = row->record;
        n++;
    }
    {
        /* the same id or the same key on two rows: each later row named,
         * with the row it repeats */
        bool bad = false;
        size_t idc = map[C_ID] + 1, kc = map[C_KEY] + 1;
        sort_v = v;
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        qsort(idx, n, sizeof(*idx), by_id);
        for (size_t i = 1; i < n; i++)
            if (!strcmp(v[idx[i]].id, v[idx[i - 1]].id)) {
                size_t a = idx[i] > idx[i - 1] ? idx[i - 1] : idx[i];
                size_t b = idx[i] > idx[i - 1] ? idx[i] : idx[i - 1];
                ROWERR("%s: %zu 行 %zu 列: 機関 ID \"%s\" は %zu 行にもあります",
                       "%s: row %zu column %zu: institution id \"%s\" is also in row %zu", path,
                       rec[b], idc, v[b].id, rec[a]);
                dup[b] = true;
                nbad++;
            }
        qsort(idx, n, sizeof(*idx), by_key);
        for (size_t i = 1; i < n; i++) {
            size_t a = idx[i - 1], b = idx[i];
            if (!v[a].has_key || !v[b].has_key || memcmp(v[a].key, v[b].key, 32))
                continue;
            if (a > b) {
                size_t tmp = a;
                a = b;
                b = tmp;
            }
            ROWERR("%s: %zu 行 %zu 列: %s の公開鍵が %zu 行 (%s) と同じです。機関ごとに別の鍵を"
                   "登録してください (本部がまとめて出す支店は鍵なしで本部IDに本部を書きます)",
                   "%s: row %zu column %zu: the key of %s is the same as in row %zu (%s); enrol "
                   "a key of its own for each institution (a branch its headquarters submits "
                   "for has no key and the hq column)",
                   path, rec[b], kc, v[b].id, rec[a], v[a].id);
            dup[b] = true;
            nbad++;
        }
        (void)bad;
    }
    if (nerr && n) {
        /* what the database would refuse too (keys enrolled for other
         * ids, key changes), so that one run shows every error */
        struct az_hub_inst *vc = calloc(n, sizeof(*vc));
        size_t *rc = calloc(n, sizeof(*rc)), m = 0;
        bool *hit = calloc(n, sizeof(*hit));
        if (vc && rc && hit) {
            /* the rows told above as repeating an earlier one are left
             * out (the database would say the same of them) */
            for (size_t i = 0; i < n; i++)
                if (!dup[i]) {
                    vc[m] = v[i];
                    rc[m++] = rec[i];
                }
            struct enrol_ctx e = {c, path, rc, map[C_KEY] >= 0 ? (size_t)map[C_KEY] + 1 : 0,
                                  m, nerr, hit};
            if (az_hub_enrol_many_each(&c->ctx, h, vc, m, db_row_err, &e, true) < 0) {
                for (size_t i = 0; i < m; i++)
                    nbad += hit[i];
                nerr = e.nerr;
            }
        }
        free(hit);
        free(vc);
        free(rc);
    }
    if (nerr) {
        if (nerr > ENROL_ERR_MAX)
            cli_err(c, "%s: ほかに %zu 件の誤りがあります (表示は最初の %d 件)",
                    "%s: %zu more errors (the first %d shown)", path, nerr - ENROL_ERR_MAX,
                    ENROL_ERR_MAX);
        cli_err(c, "%s: %zu 行に誤り (%zu 件) があります。どの機関も登録していません",
                "%s: %zu rows have errors (%zu in all); no institution was enrolled", path, nbad,
                nerr);
        goto out;
    }
    {
        struct enrol_ctx e = {c, path, rec, map[C_KEY] >= 0 ? (size_t)map[C_KEY] + 1 : 0,
                              n, 0,    NULL};
        if (az_hub_enrol_many_each(&c->ctx, h, v, n, db_row_err, &e, false) < 0) {
            cli_liberr(c);
            goto out;
        }
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
    if (keep && t)
        for (size_t i = 0; i < t->nrows * NMAP; i++)
            free(keep[i]);
    free(keep);
    free(v);
    free(replaced);
    free(old);
    free(rec);
    free(idx);
    free(dup);
    az_csv_free(t);
    free(data);
    return r;
}
#undef ROWERR
#undef WHERE

int hub_enrol(struct cli *c, struct az_hub *h, const struct hub_args *a)
{
    struct az_hub_inst in = {0};
    unsigned char old[32];
    bool replaced = false;
    char *fp, idb[256];
    const char *band = NULL;
    int tb, why;

    if (a->csv)
        return enrol_csv(c, h, a->csv, a->replace_key);
    if (!a->id || !a->name || !a->type || !a->pref) {
        cli_err(c, "--id, --name, --type, --prefecture を指定してください",
                "give --id, --name, --type and --prefecture");
        return EXIT_USAGE;
    }
    /* the rule of anzen submit, after the folding the CSV does */
    if (strlen(a->id) >= sizeof(idb) ||
        (memcpy(idb, a->id, strlen(a->id) + 1), !inst_id_fold(idb))) {
        cli_err(c, "--id: \"%s\" は使えません (" ID_RULE_JA ")",
                "--id: \"%s\" cannot be used (" ID_RULE_EN ")", a->id);
        return EXIT_USAGE;
    }
    if (!(in.type = type_of(a->type, &tb))) {
        cli_err(c, "--type: \"%s\" は " TYPES_JA " のどれかです",
                "--type: \"%s\" is one of " TYPES_EN, a->type);
        return EXIT_USAGE;
    }
    if (a->beds && !(band = band_code(a->beds, &why))) {
        band_err(c, "--beds: ", a->beds, why);
        return EXIT_USAGE;
    }
    if ((a->beds || tb != BEDS_ANY) &&
        !(in.bed_band =
              beds_with_type(c, "--beds: ", band ? band : "", tb, a->type, a->beds ? a->beds : "")))
        return EXIT_USAGE;
    if (in.bed_band && !*in.bed_band)
        in.bed_band = NULL;
    in.id = idb;
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
        printf(L(c, "%s の鍵を変更しました: %s → %s\n", "%s: key changed from %s to %s\n"), idb,
               ofp ? ofp : "?", fp ? fp : "?");
        key_reset_note(c, idb);
        free(ofp);
    }
    printf(L(c, "%s を登録しました%s%s%s\n", "enrolled %s%s%s%s\n"), idb,
           fp ? L(c, " (鍵の指紋 ", " (key fingerprint ") : "", fp ? fp : "", fp ? ")" : "");
    if (fp)
        printf("%s", L(c, "指紋が機関から別の経路で伝えられたものと同じか確かめてください\n",
                       "check that the fingerprint matches the one the institution gave you\n"));
    free(fp);
    return 0;
}
