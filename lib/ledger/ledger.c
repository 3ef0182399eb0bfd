/* SPDX-License-Identifier: MIT */
/*
 * ledger.c - import and export of the asset ledger (ledger.h), and its
 * findings. The words it understands are data (vocab.c).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"
#include "anzen/finding.h"
#include "anzen/kev.h"
#include "anzen/ledger.h"
#include "anzen/vendor.h"
#include "anzen/profile.h"
#include "ledger_impl.h"
#include "ledger_internal.h"

static const struct {
    const char *token, *ja, *en;
} cols[AZ_NCOLS] = {
    [AZ_COL_KIND] = {"kind", "種別", "Kind"},
    [AZ_COL_NAME] = {"name", "名称", "Name"},
    [AZ_COL_LOCATION] = {"location", "設置場所", "Location"},
    [AZ_COL_SEGMENT] = {"segment", "ネットワーク区分", "Segment"},
    [AZ_COL_IP] = {"ip", "IPアドレス", "IP address"},
    [AZ_COL_MAC] = {"mac", "MACアドレス", "MAC address"},
    [AZ_COL_OS] = {"os", "OS・ファームウェア", "OS / firmware"},
    [AZ_COL_VERSION] = {"version", "バージョン", "Version"},
    [AZ_COL_SYSTEM] = {"system", "所属システム", "System"},
    [AZ_COL_ADMIN] = {"admin", "管理者", "Administered by"},
    [AZ_COL_BROUGHT_BY] = {"brought-by", "持ち込み", "Brought in by"},
    [AZ_COL_LAST_PATCH] = {"last-patch", "最終パッチ適用日", "Last patch"},
    [AZ_COL_EOL] = {"eol", "サポート終了日", "Support end"},
    [AZ_COL_EXTERNAL] = {"external", "外部から接続可能", "Reachable from outside"},
};

static const struct {
    const char *token, *ja, *en;
} kinds[] = {
    [AZ_ASSET_SERVER] = {"server", "サーバ", "Server"},
    [AZ_ASSET_TERMINAL] = {"terminal", "端末", "Terminal PC"},
    [AZ_ASSET_NETWORK] = {"network", "ネットワーク機器", "Network device"},
    [AZ_ASSET_VPN] = {"vpn", "VPN装置", "VPN / remote-maintenance device"},
    [AZ_ASSET_MEDICAL] = {"medical-device", "医療機器", "Medical device"},
    [AZ_ASSET_OTHER] = {"other", "その他", "Other"},
};

const char *az_asset_kind_token(enum az_asset_kind k)
{
    return kinds[k].token;
}

const char *az_asset_kind_name(enum az_asset_kind k, enum az_lang lang)
{
    return lang == AZ_LANG_EN ? kinds[k].en : kinds[k].ja;
}

const char *az_ledger_col_name(enum az_ledger_col c, enum az_lang lang)
{
    return lang == AZ_LANG_EN ? cols[c].en : cols[c].ja;
}

const char *az_ledger_col_token(enum az_ledger_col c)
{
    return cols[c].token;
}

const char *az_ledger_own(struct az_ledger *l, char *s)
{
    struct az_ledger_priv *p = l->priv;
    if (!s)
        return NULL;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        char **nv = realloc(p->s, cap * sizeof(*nv));
        if (!nv) {
            free(s);
            return NULL;
        }
        p->s = nv;
        p->cap = cap;
    }
    p->s[p->n++] = s;
    return s;
}

void az_ledger_free(struct az_ledger *l)
{
    if (!l)
        return;
    if (l->priv) {
        struct az_ledger_priv *p = l->priv;
        for (size_t i = 0; i < p->n; i++)
            free(p->s[i]);
        free(p->s);
        free(p->cells);
        for (size_t i = 0; i < p->nparts; i++)
            az_ledger_free(p->parts[i]);
        free(p->parts);
        free(p);
    }
    for (size_t i = 0; i < l->ncolumns; i++)
        free(l->columns[i].header);
    free(l->columns);
    free(l->extra_head);
    free(l->extra_field);
    az_csv_free(l->csv);
    free(l->v);
    free(l->report);
    free(l);
}

/* Equal after folding (width, case, spaces, punctuation). */
bool az_ledger_same(const char *a, const char *b)
{
    char *x = az_ledger_fold(a, true), *y = az_ledger_fold(b, true);
    bool r = x && y && !strcmp(x, y);
    free(x);
    free(y);
    return r;
}

static int yes_no(const char *s)
{
    static const char *const yes[] = {
        "yes", "y", "true", "はい", "あり", "有",       "有り",         "可",   "可能", "○",
        "〇",  "◯", "✓",    "✔",    "1",    "接続あり", "外部接続あり", "する", NULL};
    static const char *const no[] = {"no",   "n",        "false",        "いいえ", "なし", "無",
                                     "無し", "不可",     "不可能",       "×",      "✕",    "✗",
                                     "0",    "接続なし", "外部接続なし", "しない", NULL};
    char *x = az_ledger_fold(s, true);
    int r = -2;
    if (!x)
        return -2;
    if (!*x)
        r = -1;
    for (size_t i = 0; r == -2 && yes[i]; i++)
        if (az_ledger_same(x, yes[i]))
            r = 1;
    for (size_t i = 0; r == -2 && no[i]; i++)
        if (az_ledger_same(x, no[i]))
            r = 0;
    /* ○ and × are punctuation to the folder: compare the cell itself */
    if (r == -1) {
        char *g = az_ledger_fold(s, false);
        const char *t = g ? g : "";
        while (*t == ' ')
            t++;
        if (!strncmp(t, "○", 3) || !strncmp(t, "〇", 3) || !strncmp(t, "◯", 3) ||
            !strncmp(t, "✓", 3) || !strncmp(t, "✔", 3))
            r = 1;
        else if (!strncmp(t, "×", 2) || !strncmp(t, "✕", 3) || !strncmp(t, "✗", 3))
            r = 0;
        else if (*t)
            r = -2;
        free(g);
    }
    free(x);
    return r;
}

/* Excel column letters of 0-based index i. */
static void col_letters(size_t i, char *buf, size_t n)
{
    char tmp[8];
    size_t k = 0;
    i++;
    while (i && k < sizeof(tmp)) {
        tmp[k++] = (char)('A' + (i - 1) % 26);
        i = (i - 1) / 26;
    }
    for (size_t j = 0; j < k && j + 1 < n; j++)
        buf[j] = tmp[k - 1 - j];
    buf[k < n ? k : n - 1] = '\0';
}

/* ---- the header ---- */

/* The vocabulary column of a header cell, or -1. */
int az_ledger_header_col(const struct az_ledger_vocab *v, const char *h)
{
    char *f = az_ledger_fold(h, true);
    int c = f ? az_ledger_vocab_column(v, f) : -1;
    free(f);
    if (c < 0 && (strchr(h, '(') || strstr(h, "（") || strchr(h, '[') || strstr(h, "【"))) {
        /* a note in brackets: "設置場所（部屋）", "名称(必須)", "OS [版]" */
        char *g = az_ledger_fold(h, false), *o = g;
        int depth = 0;
        for (const char *p = g; p && *p; p++) {
            if (*p == '(' || *p == '[' || !strncmp(p, "【", 3)) {
                depth++;
                p += *p == '(' || *p == '[' ? 0 : 2;
            } else if (depth && (*p == ')' || *p == ']' || !strncmp(p, "】", 3))) {
                depth--;
                p += *p == ')' || *p == ']' ? 0 : 2;
            } else if (!depth) {
                *o++ = *p;
            }
        }
        if (g) {
            *o = '\0';
            f = az_ledger_fold(g, true);
            c = f ? az_ledger_vocab_column(v, f) : -1;
            free(f);
        }
        free(g);
    }
    return c;
}

int az_ledger_row_score(const struct az_ledger_vocab *v, const struct az_csv_row *r)
{
    int s = 0;
    for (size_t i = 0; i < r->n; i++)
        s += az_ledger_header_col(v, r->f[i]) >= 0;
    return s;
}

/* The header row: the one among the first rows with the most recognised
 * cells (at least two). -1 when none. */
long az_ledger_find_header(const struct az_ledger_vocab *v, const struct az_csv *t, int *score)
{
    long best = -1;
    int bs = 1;
    for (size_t i = 0; i < t->nrows && i < HEADER_SCAN; i++) {
        int s = az_ledger_row_score(v, &t->rows[i]);
        if (s > bs) {
            bs = s;
            best = (long)i;
        }
    }
    *score = best < 0 ? 0 : bs;
    return best;
}

int az_ledger_score(const char *data, size_t len)
{
    struct az_ctx ctx;
    struct az_csv *t = NULL;
    const struct az_ledger_vocab *v;
    int score = 0;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_csv_parse(&ctx, "-", data, len, AZ_CSV_AUTO, &t) == 0 &&
        (v = az_ledger_vocab_shared(&ctx)))
        (void)az_ledger_find_header(v, t, &score);
    az_csv_free(t);
    return score;
}

const char *az_ledger_cell(const struct az_csv_row *r, size_t i)
{
    return r && i < r->n ? r->f[i] : "";
}

const char *az_ledger_lg(struct az_ctx *ctx, const char *ja, const char *en)
{
    return ctx->lang == AZ_LANG_EN ? en : ja;
}

/* Resolve a --map field: a token or a field's name. -2: "extra". */
static int map_field(const struct az_ledger_vocab *v, const char *f)
{
    int c;
    if (az_ledger_same(f, "extra") || az_ledger_same(f, "その他") || az_ledger_same(f, "追加"))
        return -2;
    if ((c = az_ledger_vocab_field(v, f)) >= 0)
        return c;
    for (size_t i = 0; i < v->ncols; i++)
        if (az_ledger_same(f, v->cols[i].ja) || az_ledger_same(f, v->cols[i].en))
            return (int)i;
    return -1;
}

static int fields_list(const struct az_ledger_vocab *v, struct az_buf *b)
{
    int r = 0;
    for (size_t i = 0; i < v->ncols && !r; i++)
        r = az_buf_printf(b, "%s%s", i ? ", " : "", v->cols[i].field);
    return r;
}

/* The headers anzen reads, in the reader's language ("名称、種別、…"). */
int az_ledger_headers_list(const struct az_ledger_vocab *v, bool en, struct az_buf *b)
{
    int r = 0;
    for (size_t i = 0; i < v->ncols && !r; i++)
        r = az_buf_printf(b, "%s%s", i ? (en ? ", " : "、") : "",
                          en ? v->cols[i].en : v->cols[i].ja);
    return r;
}

/* Work out the columns: header rows h0..h1 (h0 == h1 for one row). */
int az_ledger_map_columns(struct az_ctx *ctx, const char *name, struct az_ledger *l, long h0,
                          long h1, const struct az_ledger_import_opts *o)
{
    const struct az_ledger_vocab *v = l->vocab;
    const struct az_csv *t = l->csv;
    size_t width = 0;
    bool seen[AZ_NCOLS] = {false};
    bool *used_map = NULL;
    int r = 0;

    for (size_t i = (size_t)h0; i < t->nrows; i++)
        width = t->rows[i].n > width ? t->rows[i].n : width;
    l->columns = calloc(width + 1, sizeof(*l->columns));
    l->extra_head = calloc(width + 1, sizeof(*l->extra_head));
    l->extra_field = calloc(width + 1, sizeof(*l->extra_field));
    used_map = calloc(o->nmaps + 1, sizeof(*used_map));
    if (!l->columns || !l->extra_head || !l->extra_field || !used_map) {
        free(used_map);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    l->ncolumns = width;
    for (size_t i = 0; i < width; i++) {
        struct az_ledger_column *c = &l->columns[i];
        const char *up = az_ledger_cell(&t->rows[h0], i), *lo = az_ledger_cell(&t->rows[h1], i);
        int cu = az_ledger_header_col(v, up), cl = h1 != h0 ? az_ledger_header_col(v, lo) : -1,
            vc = -1;
        const char *h;
        struct az_buf hb;
        bool data = false;

        /* a two-row header: the lower cell names the field; the upper
         * one is a group ("ネットワーク" over IP and MAC) or the same
         * header merged down */
        if (h1 != h0 && cl >= 0) {
            vc = cl;
            h = lo;
        } else if (cu >= 0) {
            vc = cu;
            h = up;
        } else {
            h = *lo && h1 != h0 ? lo : up;
        }
        az_buf_init(&hb, AZ_CSV_MAX_FIELD * 2u);
        if (h1 != h0 && *up && *lo && strcmp(up, lo) && vc < 0)
            r = az_buf_printf(&hb, "%s %s", up, lo);
        else
            r = az_buf_printf(&hb, "%s", h);
        if (r < 0 || !(c->header = az_buf_take(&hb))) {
            az_buf_done(&hb);
            free(used_map);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
        az_buf_done(&hb);
        c->core = -1;
        c->extra = -1;
        for (size_t m = 0; m < o->nmaps; m++) {
            const char *eq = strrchr(o->maps[m], '=');
            char *mh;
            bool hit;
            if (!eq)
                continue;
            mh = strndup(o->maps[m], (size_t)(eq - o->maps[m]));
            hit = mh && (az_ledger_same(mh, c->header) || az_ledger_same(mh, up) ||
                         az_ledger_same(mh, lo));
            free(mh);
            if (hit) {
                vc = map_field(v, eq + 1);
                c->mapped = true;
                used_map[m] = true;
                break;
            }
        }
        if (vc >= 0) {
            c->field = v->cols[vc].field;
            c->core = v->cols[vc].core;
        }
        if (c->core >= 0 && seen[c->core]) {
            c->core = -1;
            c->duplicate = true;
        } else if (c->core >= 0) {
            seen[c->core] = true;
            continue;
        }
        /* an extra column: kept when it has a header or any data */
        for (size_t ri = (size_t)h1 + 1; ri < t->nrows && !data; ri++)
            data = *az_ledger_cell(&t->rows[ri], i) != '\0';
        if (!*c->header && !data)
            continue;
        if (l->nextra + AZ_NCOLS >= AZ_CSV_MAX_FIELDS) {
            free(used_map);
            return az_fail(ctx, AZ_ERANGE, "%s: 列が多すぎます (上限 %d)",
                           "%s: too many columns (limit %d)", name, AZ_CSV_MAX_FIELDS - AZ_NCOLS);
        }
        c->extra = (int)l->nextra;
        l->extra_head[l->nextra] = c->header;
        l->extra_field[l->nextra] = c->duplicate ? NULL : c->field;
        l->nextra++;
    }
    /* a --map that names no header, or no field */
    for (size_t m = 0; m < o->nmaps; m++) {
        const char *eq = strrchr(o->maps[m], '=');
        struct az_buf fl;
        if (eq && map_field(v, eq + 1) == -1) {
            az_buf_init(&fl, 64u * 1024);
            fields_list(v, &fl);
            r = az_fail(ctx, AZ_EINVAL,
                        "--map %s: 項目「%s」は anzen にありません (項目: %s, extra)",
                        "--map %s: anzen has no field \"%s\" (fields: %s, extra)", o->maps[m],
                        eq + 1, fl.data ? fl.data : "");
            az_buf_done(&fl);
            break;
        }
        if (!eq || !used_map[m]) {
            r = az_fail(
                ctx, AZ_EINVAL,
                "--map %s: 「見出し=項目」の見出しが %s の見出しの行 (%zu 行目) にありません",
                "--map %s: the HEADER of HEADER=field is not in the header row of %s (row "
                "%zu)",
                o->maps[m], name, t->rows[h1].record);
            break;
        }
    }
    free(used_map);
    return r;
}

/* ---- cells ---- */

/* The length of the list separator at p (comma, 、, ，, ;, spaces, line
 * breaks), or 0. */
static size_t sep_len(const char *p)
{
    if (*p == ',' || *p == ';' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        return 1;
    if (!strncmp(p, "、", 3) || !strncmp(p, "，", 3) || !strncmp(p, "；", 3))
        return 3;
    return 0;
}

/* Split on list separators. */
static const char *next_item(const char *p, size_t *n)
{
    for (size_t k; (k = sep_len(p));)
        p += k;
    *n = 0;
    while (p[*n] && !sep_len(p + *n))
        (*n)++;
    return p;
}

static bool addr_word(const char *s, size_t n)
{
    static const char *const w[] = {"dhcp",     "自動",     "動的", "なし", "-",
                                    "未設定",   "不明",     "n/a",  "na",   "無し",
                                    "自動取得", "dhcp割当", NULL};
    for (size_t i = 0; w[i]; i++)
        if (strlen(w[i]) == n && !strncmp(s, w[i], n))
            return true;
    return false;
}

static bool ipv4(const char *s, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (i < n && parts < 4) {
        long x = 0;
        size_t d = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && d < 4) {
            x = x * 10 + (s[i] - '0');
            i++;
            d++;
        }
        if (!d || x > 255)
            return false;
        parts++;
        if (parts < 4) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
    }
    if (parts != 4)
        return false;
    if (i < n && s[i] == '/') {
        long x = 0;
        size_t d = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9' && d < 3; i++, d++)
            x = x * 10 + (s[i] - '0');
        if (!d || x > 32)
            return false;
    }
    return i == n;
}

/* The IP cell's problem, or NULL. s is folded (ASCII digits). */
static bool ip_ok(const char *s)
{
    size_t n;
    for (const char *p = next_item(s, &n); n; p = next_item(p + n, &n)) {
        char tmp[64];
        struct in6_addr a6;
        if (addr_word(p, n) || ipv4(p, n))
            continue;
        if (n < sizeof(tmp)) {
            memcpy(tmp, p, n);
            tmp[n] = '\0';
            char *sl = strchr(tmp, '/');
            if (sl)
                *sl = '\0';
            if (inet_pton(AF_INET6, tmp, &a6) == 1)
                continue;
        }
        return false;
    }
    return true;
}

static bool mac_ok(const char *s)
{
    size_t n;
    for (const char *p = next_item(s, &n); n; p = next_item(p + n, &n)) {
        size_t hex = 0;
        bool bad = false;
        if (addr_word(p, n))
            continue;
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                hex++;
            else if (c != ':' && c != '-' && c != '.')
                bad = true;
        }
        if (bad || hex != 12)
            return false;
    }
    return true;
}

/* A cell as the CSV export neutralised it ("'=1+1") comes back as it was. */
static const char *unquote(const char *s)
{
    if (s[0] == '\'' &&
        (s[1] == '=' || s[1] == '+' || s[1] == '-' || s[1] == '@' || s[1] == '\t' || s[1] == '\r'))
        return s + 1;
    return s;
}

struct rowerr {
    struct az_ctx *ctx;
    struct az_buf *rep;
    const char *name;
    size_t record;
    int n;
    bool skip;  /* --skip-bad-rows: blank the bad cell and keep the row */
    bool drop;  /* the row cannot be kept (no name) */
    int blanks; /* cells blanked */
};

/* A bad cell. With skip (and a cell to blank: cellp) the cell is left
 * blank and the row kept; without a cell the row is left out. */
static void rerr(struct rowerr *e, const char *header, const char *why, const char *accepted,
                 const char **cellp)
{
    bool en = e->ctx->lang == AZ_LANG_EN;
    const char *then = "";
    e->n++;
    if (!cellp)
        e->drop = true;
    if (e->skip && cellp && !e->drop) {
        *cellp = "";
        e->blanks++;
        then = en ? " -> left blank, the row is imported" : " → この欄を空欄にして取り込みます";
    } else if (e->skip) {
        then = en ? " -> the row is left out" : " → この行は取り込みません";
    }
    if (en)
        az_buf_printf(e->rep, "%s: row %zu (as Excel numbers it), column \"%s\": %s%s%s%s%s\n",
                      e->name, e->record, header, why, accepted ? " (accepted: " : "",
                      accepted ? accepted : "", accepted ? ")" : "", then);
    else
        az_buf_printf(e->rep, "%s: 行 %zu (Excel の行番号), 列「%s」: %s%s%s%s%s\n", e->name,
                      e->record, header, why, accepted ? " (受け付ける形式: " : "",
                      accepted ? accepted : "", accepted ? ")" : "", then);
}

/* A 合計 / 小計 row under the table. */
static bool total_word(const char *s)
{
    static const char *const w[] = {"合計",     "小計",  "計",       "総計",        "総合計",
                                    "合計台数", "total", "subtotal", "grand total", NULL};
    if (!*s)
        return false;
    for (size_t i = 0; w[i]; i++)
        if (az_ledger_same(s, w[i]))
            return true;
    return false;
}

/* A date cell written as "unknown" (不明, 未定, -): empty. */
static bool unknown_date(const char *s)
{
    static const char *const w[] = {"不明", "未定", "未確認", "unknown", "n/a", "tbd", NULL};
    char *g = az_ledger_fold(s, false);
    bool r = false;
    if (g) {
        const char *t = g;
        while (*t == ' ')
            t++;
        /* dashes and long vowel marks only: -, ―, ー, — */
        r = *t != '\0';
        for (const char *q = t; *q && r;) {
            if (*q == '-' || *q == ' ')
                q++;
            else if (!strncmp(q, "―", 3) || !strncmp(q, "ー", 3) || !strncmp(q, "—", 3) ||
                     !strncmp(q, "－", 3) || !strncmp(q, "‐", 3))
                q += 3;
            else
                r = false;
        }
    }
    free(g);
    for (size_t i = 0; !r && w[i]; i++)
        r = az_ledger_same(s, w[i]);
    return r;
}

/* A ledger's date: what az_date_parse reads, and also Excel's date-time
 * as CSV shows it ("2025/4/1 0:00") and a month alone ("2025年4月",
 * "R7.4", "2025/4"): the 1st of the month, or its last day when end is
 * set (a support end written as a month lasts to the month's end).
 * *month is set when only a month was written. */
static int ledger_date(const char *v, bool end, struct az_date *d, bool *month)
{
    char *t = az_ledger_fold_width(v), *tt;
    size_t n;
    int r;

    *month = false;
    if (!t)
        return AZ_ENOMEM;
    for (tt = t; *tt == ' '; tt++)
        ;
    n = strlen(tt);
    while (n && tt[n - 1] == ' ')
        tt[--n] = '\0';
    /* a time after the date: " 0:00" or " 0:00:00" */
    {
        char *sp = strrchr(tt, ' ');
        if (sp && sp[1] >= '0' && sp[1] <= '9' && strchr(sp, ':') &&
            strspn(sp + 1, "0123456789:") == strlen(sp + 1))
            *sp = '\0';
    }
    r = az_date_parse(tt, true, d);
    if (r < 0) {
        /* a month alone: add the day in the form the month is written */
        struct az_buf b;
        size_t k = strlen(tt);
        az_buf_init(&b, 256);
        if (k >= 3 && !strcmp(tt + k - 3, "月"))
            r = az_buf_printf(&b, "%s1日", tt);
        else if (k && tt[k - 1] >= '0' && tt[k - 1] <= '9' && (strchr(tt, '.') || strchr(tt, '/')))
            r = az_buf_printf(&b, "%s%c1", tt, strchr(tt, '/') ? '/' : '.');
        else if (k && tt[k - 1] >= '0' && tt[k - 1] <= '9' && strchr(tt, '-'))
            r = az_buf_printf(&b, "%s-01", tt);
        else
            r = AZ_EINVAL;
        if (r == 0 && b.data && az_date_parse(b.data, false, d) == 0) {
            *month = true;
            if (end) {
                struct az_date next = {d->y + (d->m == 12), d->m == 12 ? 1 : d->m + 1, 1};
                *d = az_date_add_days(next, -1);
            }
        } else {
            r = AZ_EINVAL;
        }
        az_buf_done(&b);
    }
    free(t);
    return r < 0 ? AZ_EINVAL : 0;
}

static const char *fmt_why(struct az_buf *b, struct az_ctx *ctx, const char *ja, const char *en,
                           const char *v)
{
    b->len = 0;
    if (az_buf_printf(b, ctx->lang == AZ_LANG_EN ? en : ja, v) < 0 || !b->data)
        return "?";
    return b->data;
}

#define DATES_JA                                                                                        \
    "2024-04-01, 2024/4/1, 2024年4月1日, 令和6年4月1日, R6.4.1, Excel の日付, 月だけの " \
    "2024年4月・R6.4; 1990 年から基準日の 10 年後まで; 不明・未定・- は空欄"
#define DATES_EN                                                                                       \
    "2024-04-01, 2024/4/1, 2024年4月1日, 令和6年4月1日, R6.4.1, an Excel date, a month alone " \
    "(2024年4月, R6.4); from 1990 to 10 years after the as-of date; 不明, 未定, - for unknown"

static bool example_mark(const char *s)
{
    return az_ledger_same(s, "例") || az_ledger_same(s, "記入例") || az_ledger_same(s, "（例）") ||
           az_ledger_same(s, "example") || az_ledger_same(s, "e.g.");
}

static int import_rows(struct az_ctx *ctx, const char *name, struct az_ledger *l, size_t first,
                       const struct az_ledger_import_opts *o, struct az_buf *rep)
{
    const struct az_csv *t = l->csv;
    struct az_ledger_priv *pv = l->priv;
    struct az_date as_of = o->as_of;
    int core_at[AZ_NCOLS];
    int model = -1, maint = -1, hostname = -1, noc = -1, maker = -1;
    struct az_buf why;

    if (!as_of.y && az_today(NULL, &as_of) < 0)
        as_of = (struct az_date){2025, 1, 1};
    for (int c = 0; c < AZ_NCOLS; c++)
        core_at[c] = -1;
    for (size_t i = 0; i < l->ncolumns; i++) {
        const struct az_ledger_column *c = &l->columns[i];
        if (c->core >= 0)
            core_at[c->core] = (int)i;
        else if (c->field && !c->duplicate && !strcmp(c->field, "model"))
            model = (int)i;
        else if (c->field && !c->duplicate && !strcmp(c->field, "maintainer"))
            maint = (int)i;
        else if (c->field && !c->duplicate && !strcmp(c->field, "no"))
            noc = (int)i;
        else if (c->field && !c->duplicate && !strcmp(c->field, "maker"))
            maker = (int)i;
        else if (c->duplicate && c->field && !strcmp(c->field, "name"))
            hostname = (int)i;
    }
    l->v = calloc(t->nrows + 1, sizeof(*l->v));
    pv->cells = calloc((t->nrows + 1) * (l->nextra + 1), sizeof(*pv->cells));
    if (!l->v || !pv->cells)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    az_buf_init(&why, 64u * 1024);
    for (size_t ri = first; ri < t->nrows; ri++) {
        const struct az_csv_row *row = &t->rows[ri];
        struct az_asset a;
        const char **ex = pv->cells + l->n * (l->nextra + 1);
        struct rowerr e = {ctx, rep, name, row->record, 0, o->skip_bad, false, 0};
        bool empty = true;
        const char *total = NULL;
        const struct az_ledger_vokind *vk;

        /* rows with nothing but a row number (pre-numbered blank rows of
         * a template) are not assets, nor is the template's example row
         * (例 in the number column) */
        for (size_t i = 0; i < row->n && empty; i++)
            empty = !*row->f[i] || (int)i == noc;
        if (empty || (noc >= 0 && example_mark(az_ledger_cell(row, (size_t)noc))))
            continue;
        /* a 合計 / 小計 row at the bottom: the word in the number, name or
         * kind column, or in one of the first two columns */
        for (size_t i = 0; i < row->n && !total; i++)
            if ((i < 2 || (int)i == noc || (int)i == core_at[AZ_COL_NAME] ||
                 (int)i == core_at[AZ_COL_KIND]) &&
                total_word(row->f[i]))
                total = row->f[i];
        if (total) {
            l->totals++;
            az_buf_printf(
                rep,
                az_ledger_lg(
                    ctx,
                    "%s: 行 %zu (Excel の行番号): 「%s」の行は集計の行として読み飛ばしました\n",
                    "%s: row %zu (as Excel numbers it): skipped \"%s\" as a totals row\n"),
                name, row->record, total);
            continue;
        }
        memset(&a, 0, sizeof(a));
        a.line = row->record;
        a.external = -1;
        a.extra = ex;
        for (int c = 0; c < AZ_NCOLS; c++)
            a.col[c] = "";
        for (size_t i = 0; i < l->nextra; i++)
            ex[i] = "";
        for (size_t i = 0; i < row->n && i < l->ncolumns; i++) {
            const struct az_ledger_column *c = &l->columns[i];
            const char *v = unquote(row->f[i]);
            if (c->core >= 0)
                a.col[c->core] = v;
            else if (c->extra >= 0)
                ex[c->extra] = v;
        }
        /* the marker the XLSX export shows in an empty administrator cell */
        if (!strcmp(a.col[AZ_COL_ADMIN], AZ_LEDGER_NO_ADMIN) ||
            !strcmp(a.col[AZ_COL_ADMIN], "（管理者なし）"))
            a.col[AZ_COL_ADMIN] = "";
        /* no administrator column: the maintenance vendor administers */
        if (core_at[AZ_COL_ADMIN] < 0 && maint >= 0)
            a.col[AZ_COL_ADMIN] = ex[l->columns[maint].extra];
        /* name: the name cell, else the model, host name or IP */
        if (!*a.col[AZ_COL_NAME] && hostname >= 0)
            a.col[AZ_COL_NAME] = ex[l->columns[hostname].extra];
        if (!*a.col[AZ_COL_NAME] && model >= 0)
            a.col[AZ_COL_NAME] = ex[l->columns[model].extra];
        if (!*a.col[AZ_COL_NAME] && *a.col[AZ_COL_IP])
            a.col[AZ_COL_NAME] = a.col[AZ_COL_IP];
        if (!*a.col[AZ_COL_NAME])
            rerr(&e,
                 core_at[AZ_COL_NAME] >= 0 ? l->columns[core_at[AZ_COL_NAME]].header
                                           : az_ledger_col_name(AZ_COL_NAME, AZ_LANG_JA),
                 az_ledger_lg(ctx, "名称が空です", "the name is empty"),
                 az_ledger_lg(ctx, "機器の名前 (型番や IP アドレスでも可)",
                              "the device's name (a model or IP address will do)"),
                 NULL);
        /* kind: the vocabulary, else other */
        vk = az_ledger_vocab_kind(l->vocab, a.col[AZ_COL_KIND]);
        a.kind = vk ? vk->cls : AZ_ASSET_OTHER;
        a.kind_id = vk ? vk->id : NULL;
        a.kind_label = vk                    ? vk->ja
                       : *a.col[AZ_COL_KIND] ? a.col[AZ_COL_KIND]
                                             : az_asset_kind_name(a.kind, AZ_LANG_JA);
        /* a remote-access appliance by its name, OS or model: a VPN device
         * unless the kind says server, PC or medical device */
        if (a.kind == AZ_ASSET_NETWORK || a.kind == AZ_ASSET_OTHER || a.kind == AZ_ASSET_VPN) {
            /* a YAMAHA RTX written as ルータ or with no kind */
            bool weak = a.kind == AZ_ASSET_OTHER || (vk && !strcmp(vk->id, "router"));
            const char *cand[] = {
                a.col[AZ_COL_NAME],    a.col[AZ_COL_OS],
                a.col[AZ_COL_KIND],    model >= 0 ? ex[l->columns[model].extra] : "",
                a.col[AZ_COL_VERSION], maker >= 0 ? ex[l->columns[maker].extra] : ""};
            const char *hint = NULL;
            for (size_t k = 0; k < sizeof(cand) / sizeof(cand[0]) && !hint; k++)
                hint = *cand[k] ? az_ledger_vocab_remote(l->vocab, cand[k], weak) : NULL;
            if (hint && a.kind != AZ_ASSET_VPN) {
                a.kind = AZ_ASSET_VPN;
                a.remote_hint = hint;
            }
        }
        if (!vk && !*a.col[AZ_COL_KIND])
            a.kind_label = az_asset_kind_name(a.kind, AZ_LANG_JA);
        if (core_at[AZ_COL_IP] >= 0 && *a.col[AZ_COL_IP]) {
            char *f = az_ledger_fold(a.col[AZ_COL_IP], false);
            if (!f || !ip_ok(f))
                rerr(
                    &e, l->columns[core_at[AZ_COL_IP]].header,
                    fmt_why(&why, ctx, "IP アドレス「%s」が正しくありません",
                            "\"%s\" is not an IP address", a.col[AZ_COL_IP]),
                    az_ledger_lg(
                        ctx,
                        "192.168.1.10, 192.168.1.0/24, fe80::1, DHCP; 複数はカンマか「、」区切り",
                        "192.168.1.10, 192.168.1.0/24, fe80::1, DHCP; several separated by commas"),
                    &a.col[AZ_COL_IP]);
            else if (strcmp(f, a.col[AZ_COL_IP]))
                a.col[AZ_COL_IP] = az_ledger_own(l, f), f = NULL;
            free(f);
        }
        if (core_at[AZ_COL_MAC] >= 0 && *a.col[AZ_COL_MAC]) {
            char *f = az_ledger_fold(a.col[AZ_COL_MAC], false);
            if (!f || !mac_ok(f))
                rerr(&e, l->columns[core_at[AZ_COL_MAC]].header,
                     fmt_why(&why, ctx, "MAC アドレス「%s」が正しくありません",
                             "\"%s\" is not a MAC address", a.col[AZ_COL_MAC]),
                     az_ledger_lg(ctx, "00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455",
                                  "00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455"),
                     &a.col[AZ_COL_MAC]);
            else if (strcmp(f, a.col[AZ_COL_MAC]))
                a.col[AZ_COL_MAC] = az_ledger_own(l, f), f = NULL;
            free(f);
        }
        for (int c = AZ_COL_LAST_PATCH; c <= AZ_COL_EOL; c++) {
            struct az_date d;
            const char *v = a.col[c];
            bool month = false;
            if (!*v)
                continue;
            if (unknown_date(v)) {
                az_buf_printf(
                    rep,
                    az_ledger_lg(ctx,
                                 "%s: 行 %zu (Excel の行番号), 列「%s」: 「%s」は日付が分からない"
                                 "ものとして空欄にしました\n",
                                 "%s: row %zu (as Excel numbers it), column \"%s\": \"%s\" read "
                                 "as an unknown date, left blank\n"),
                    name, row->record, l->columns[core_at[c]].header, v);
                a.col[c] = "";
                continue;
            }
            if (ledger_date(v, c == AZ_COL_EOL, &d, &month) < 0)
                rerr(&e, l->columns[core_at[c]].header,
                     fmt_why(&why, ctx, "日付「%s」が読めません", "cannot read the date \"%s\"", v),
                     az_ledger_lg(ctx, DATES_JA, DATES_EN), &a.col[c]);
            else if (d.y < 1990 || d.y > as_of.y + 10) {
                char iso[16];
                az_date_iso(d, iso, sizeof(iso));
                why.len = 0;
                az_buf_printf(
                    &why,
                    az_ledger_lg(ctx, "日付「%s」は %s と読めますが、ありえない年です",
                                 "the date \"%s\" reads as %s, which is not a plausible year"),
                    v, iso);
                rerr(&e, l->columns[core_at[c]].header, why.data ? why.data : "?",
                     az_ledger_lg(ctx, DATES_JA, DATES_EN), &a.col[c]);
            } else if (c == AZ_COL_EOL) {
                if (month) {
                    char iso[16];
                    az_date_iso(d, iso, sizeof(iso));
                    az_buf_printf(
                        rep,
                        az_ledger_lg(ctx,
                                     "%s: 行 %zu (Excel の行番号), 列「%s」: 「%s」は月だけなので"
                                     "月末の %s としました\n",
                                     "%s: row %zu (as Excel numbers it), column \"%s\": \"%s\" "
                                     "names a month only: read as its last day, %s\n"),
                        name, row->record, l->columns[core_at[c]].header, v, iso);
                }
                a.eol = d;
                a.has_eol = true;
            } else {
                if (month) {
                    char iso[16];
                    az_date_iso(d, iso, sizeof(iso));
                    az_buf_printf(
                        rep,
                        az_ledger_lg(ctx,
                                     "%s: 行 %zu (Excel の行番号), 列「%s」: 「%s」は月だけなので"
                                     "月初めの %s としました\n",
                                     "%s: row %zu (as Excel numbers it), column \"%s\": \"%s\" "
                                     "names a month only: read as its first day, %s\n"),
                        name, row->record, l->columns[core_at[c]].header, v, iso);
                }
                a.last_patch = d;
                a.has_last_patch = true;
            }
        }
        if (*a.col[AZ_COL_EXTERNAL]) {
            a.external = yes_no(a.col[AZ_COL_EXTERNAL]);
            if (a.external == -2)
                rerr(&e, l->columns[core_at[AZ_COL_EXTERNAL]].header,
                     fmt_why(&why, ctx, "「%s」は はい/いいえ ではありません",
                             "\"%s\" is not yes or no", a.col[AZ_COL_EXTERNAL]),
                     az_ledger_lg(ctx, "はい/いいえ, あり/なし, 有/無, ○/×, yes/no",
                                  "yes/no, はい/いいえ, あり/なし, ○/×, 1/0"),
                     &a.col[AZ_COL_EXTERNAL]);
            if (a.external == -2)
                a.external = -1;
        }
        if (e.n && (e.drop || !e.skip)) {
            l->rejected++;
            /* never drop a remote-access device without a word */
            if (a.kind == AZ_ASSET_VPN && e.skip)
                az_buf_printf(
                    rep,
                    az_ledger_lg(ctx,
                                 "%s: 行 %zu (Excel の行番号): 警告: VPN・リモート保守装置の行"
                                 "ですが、名称がないため取り込めませんでした。台帳に名称を書いて"
                                 "取り込み直してください\n",
                                 "%s: row %zu (as Excel numbers it): WARNING: a VPN / remote "
                                 "maintenance device left out because it has no name; name it "
                                 "in the ledger and import again\n"),
                    name, row->record);
            continue;
        }
        if (e.n)
            l->blanked++;
        l->v[l->n++] = a;
    }
    az_buf_done(&why);
    return 0;
}

int az_ledger_import_opts(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                          const struct az_ledger_import_opts *o, struct az_ledger **ret)
{
    struct az_ledger *l = calloc(1, sizeof(*l));
    struct az_buf rep;
    long h0, h1;
    int score, r;

    if (!l || !(l->priv = calloc(1, sizeof(struct az_ledger_priv)))) {
        free(l);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    if ((r = az_csv_parse(ctx, name, data, len, AZ_CSV_AUTO, &l->csv)) < 0) {
        az_ledger_free(l);
        return r;
    }
    if (!(l->vocab = az_ledger_vocab_shared(ctx))) {
        az_ledger_free(l);
        return ctx->err;
    }
    if (!l->csv->nrows) {
        az_ledger_free(l);
        return az_fail(ctx, AZ_ESCHEMA, "%s: 空のファイルです", "%s: empty file", name);
    }
    h0 = h1 = az_ledger_find_header(l->vocab, l->csv, &score);
    /* --map may name headers the vocabulary does not know */
    if (h0 < 0 && o->nmaps) {
        for (size_t i = 0; i < l->csv->nrows && i < HEADER_SCAN && h0 < 0; i++)
            for (size_t m = 0; m < o->nmaps && h0 < 0; m++)
                for (size_t k = 0; k < l->csv->rows[i].n && h0 < 0; k++) {
                    const char *eq = strrchr(o->maps[m], '=');
                    char *mh = eq ? strndup(o->maps[m], (size_t)(eq - o->maps[m])) : NULL;
                    if (mh && az_ledger_same(mh, l->csv->rows[i].f[k]))
                        h0 = h1 = (long)i;
                    free(mh);
                }
    }
    if (h0 < 0) {
        struct az_buf fl;
        az_buf_init(&fl, 64u * 1024);
        az_ledger_headers_list(l->vocab, ctx->lang == AZ_LANG_EN, &fl);
        r = az_fail(ctx, AZ_ESCHEMA,
                    "%s: 台帳の見出しの行が見つかりません。最初の %d 行に、名称・種別・IPアドレス"
                    "などの見出しが 2 つ以上ある行が必要です (anzen が読む見出し: %s。ほかの見出し"
                    "は --map '見出し=項目' で指定できます)",
                    "%s: no header row found: one of the first %d rows needs two or more headers "
                    "such as name, kind, IP address (headers anzen reads: %s; name others with "
                    "--map 'HEADER=field')",
                    name, HEADER_SCAN, fl.data ? fl.data : "");
        az_buf_done(&fl);
        az_ledger_free(l);
        return r;
    }
    /* a header split over two rows (merged cells) */
    if ((size_t)h1 + 1 < l->csv->nrows &&
        az_ledger_row_score(l->vocab, &l->csv->rows[h1 + 1]) >= 2 &&
        l->csv->rows[h1 + 1].record == l->csv->rows[h1].record + 1)
        h1++;
    else if (h0 > 0 && az_ledger_row_score(l->vocab, &l->csv->rows[h0 - 1]) >= 1 &&
             l->csv->rows[h0 - 1].record + 1 == l->csv->rows[h0].record) {
        /* the group row above: only when its cells sit over empty or
         * unrecognised cells of the header row */
        const struct az_csv_row *up = &l->csv->rows[h0 - 1], *hr = &l->csv->rows[h0];
        bool fits = true;
        for (size_t i = 0; i < up->n && fits; i++)
            if (az_ledger_header_col(l->vocab, up->f[i]) >= 0 &&
                az_ledger_header_col(l->vocab, az_ledger_cell(hr, i)) >= 0)
                fits = false;
        if (fits)
            h0--;
    }
    l->header_row = l->csv->rows[h1].record;
    if ((r = az_ledger_map_columns(ctx, name, l, h0, h1, o)) < 0) {
        az_ledger_free(l);
        return r;
    }
    {
        bool has_name = false;
        for (size_t i = 0; i < l->ncolumns; i++)
            has_name |= l->columns[i].core == AZ_COL_NAME ||
                        (l->columns[i].field && !strcmp(l->columns[i].field, "model"));
        if (!has_name) {
            r = az_fail(ctx, AZ_ESCHEMA,
                        "%s: 行 %zu (Excel の行番号): 機器の名称の列がありません (見出しの例: "
                        "名称, 機器名, ホスト名, 型番, Name。ほかの見出しは --map '見出し=name')",
                        "%s: row %zu (as Excel numbers it): no column for the device name "
                        "(headers such as 名称, 機器名, Name, Hostname, Model; or --map "
                        "'HEADER=name')",
                        name, l->header_row);
            az_ledger_free(l);
            return r;
        }
    }
    az_buf_init(&rep, 1u << 20);
    if ((r = import_rows(ctx, name, l, (size_t)h1 + 1, o, &rep)) < 0) {
        az_buf_done(&rep);
        az_ledger_free(l);
        return r;
    }
    if (rep.len)
        l->report = az_buf_take(&rep);
    az_buf_done(&rep);
    if (l->rejected && !o->skip_bad && o->collect) {
        *ret = l;
        return 0;
    }
    if (l->rejected && !o->skip_bad && o->report) {
        r = az_fail(ctx, AZ_ESCHEMA,
                    "%zu 行に誤りがあるため、何も取り込みませんでした (誤りのある行を除いて取り込む"
                    "には --skip-bad-rows)",
                    "%zu rows have errors, so nothing was imported (use --skip-bad-rows to import "
                    "the others)",
                    l->rejected);
        *o->report = l->report;
        l->report = NULL;
        az_ledger_free(l);
        return r;
    }
    if (l->rejected && !o->skip_bad) {
        r = az_fail(
            ctx, AZ_ESCHEMA,
            "%s%zu 行に誤りがあるため、何も取り込みませんでした (誤りのある行を除いて取り込むには "
            "--skip-bad-rows)",
            "%s%zu rows have errors, so nothing was imported (use --skip-bad-rows to import "
            "the others)",
            l->report, l->rejected);
        az_ledger_free(l);
        return r;
    }
    *ret = l;
    return 0;
}

int az_ledger_merge(struct az_ctx *ctx, struct az_ledger **parts, size_t n, struct az_ledger **ret)
{
    struct az_ledger *m = calloc(1, sizeof(*m));
    struct az_ledger_priv *pv = calloc(1, sizeof(*pv));
    size_t total = 0, ne = 0, **map = NULL;
    struct az_buf rep;

    for (size_t i = 0; i < n; i++) {
        total += parts[i]->n;
        ne += parts[i]->nextra;
    }
    if (m && pv) {
        m->priv = pv;
        pv->parts = parts;
        pv->nparts = n;
    }
    if (!m || !pv || !(m->v = calloc(total + 1, sizeof(*m->v))) ||
        !(m->extra_head = calloc(ne + 1, sizeof(*m->extra_head))) ||
        !(m->extra_field = calloc(ne + 1, sizeof(*m->extra_field))) ||
        !(map = calloc(n + 1, sizeof(*map)))) {
        if (!m || !pv) {
            for (size_t i = 0; i < n; i++)
                az_ledger_free(parts[i]);
            free(parts);
            free(pv);
        }
        free(map);
        az_ledger_free(m);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    /* the extra columns: one per header (and field) across the parts */
    for (size_t i = 0; i < n; i++) {
        if (!(map[i] = calloc(parts[i]->nextra + 1, sizeof(**map))))
            goto nomem;
        for (size_t k = 0; k < parts[i]->nextra; k++) {
            const char *h = parts[i]->extra_head[k], *f = parts[i]->extra_field[k];
            size_t j = 0;
            while (j < m->nextra && (strcmp(m->extra_head[j], h) ||
                                     (f != m->extra_field[j] &&
                                      (!f || !m->extra_field[j] || strcmp(f, m->extra_field[j])))))
                j++;
            if (j == m->nextra) {
                m->extra_head[j] = h;
                m->extra_field[j] = f;
                m->nextra++;
            }
            map[i][k] = j;
        }
    }
    if (!(pv->cells = calloc((total + 1) * (m->nextra + 1), sizeof(*pv->cells))))
        goto nomem;
    az_buf_init(&rep, 1u << 20);
    for (size_t i = 0; i < n; i++) {
        const struct az_ledger *p = parts[i];
        for (size_t a = 0; a < p->n; a++) {
            const char **ex = pv->cells + m->n * (m->nextra + 1);
            for (size_t k = 0; k < m->nextra; k++)
                ex[k] = "";
            for (size_t k = 0; p->v[a].extra && k < p->nextra; k++)
                ex[map[i][k]] = p->v[a].extra[k];
            m->v[m->n] = p->v[a];
            m->v[m->n].extra = ex;
            m->n++;
        }
        m->rejected += p->rejected;
        m->blanked += p->blanked;
        m->totals += p->totals;
        if (p->report)
            az_buf_printf(&rep, "%s", p->report);
        if (!m->vocab)
            m->vocab = p->vocab;
        if (!i)
            m->header_row = p->header_row;
    }
    if (rep.len)
        m->report = az_buf_take(&rep);
    az_buf_done(&rep);
    for (size_t i = 0; i < n; i++)
        free(map[i]);
    free(map);
    *ret = m;
    return 0;
nomem:
    for (size_t i = 0; i < n; i++)
        free(map[i]);
    free(map);
    az_ledger_free(m);
    return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
}

int az_ledger_import(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                     bool skip_bad, struct az_ledger **ret)
{
    struct az_ledger_import_opts o = {.skip_bad = skip_bad};
    return az_ledger_import_opts(ctx, name, data, len, &o, ret);
}

int az_ledger_describe(const struct az_ledger *l, enum az_lang lang, struct az_buf *b)
{
    bool en = lang == AZ_LANG_EN;
    size_t nk[AZ_ASSET_OTHER + 1] = {0};
    int r = az_buf_printf(b, en ? "header row: %zu\n" : "見出しの行: %zu 行目\n", l->header_row);

    for (size_t i = 0; !r && i < l->ncolumns; i++) {
        const struct az_ledger_column *c = &l->columns[i];
        char letters[8];
        const char *how;
        int vc = c->field ? az_ledger_vocab_field(l->vocab, c->field) : -1;
        col_letters(i, letters, sizeof(letters));
        if (c->core >= 0)
            how = en ? cols[c->core].en : cols[c->core].ja;
        else if (c->duplicate)
            how = en ? "a second column for the same field: kept as an extra column"
                     : "同じ項目の 2 つ目の列: 追加の列として保持";
        else if (vc >= 0)
            how = en ? l->vocab->cols[vc].en : l->vocab->cols[vc].ja;
        else if (c->extra >= 0)
            how = en ? "not a column anzen checks: kept as it is and written back on export"
                     : "anzen が点検しない列: そのまま保持し、書き出しにも残します";
        else
            how = en ? "empty: ignored" : "空の列: 無視";
        r = az_buf_printf(b, "  %s%s「%s」 → %s", letters, en ? " " : "列", c->header, how);
        if (!r && c->core < 0 && vc >= 0 && !c->duplicate)
            r = az_buf_printf(b, "%s", en ? " (kept as an extra column)" : " (追加の列として保持)");
        if (!r && c->field && (c->core >= 0 || vc >= 0))
            r = az_buf_printf(b, " [%s]", c->field);
        if (!r && c->mapped)
            r = az_buf_printf(b, "%s", en ? " (--map)" : " (--map による)");
        if (!r)
            r = az_buf_add(b, "\n", 1);
    }
    for (size_t i = 0; i < l->n; i++)
        nk[l->v[i].kind]++;
    if (!r)
        r = az_buf_printf(b, en ? "assets: %zu" : "機器: %zu 台", l->n);
    for (int k = 0; !r && k <= AZ_ASSET_OTHER; k++)
        if (nk[k])
            r = az_buf_printf(b, " %s %zu", en ? kinds[k].en : kinds[k].ja, nk[k]);
    if (!r)
        r = az_buf_add(b, "\n", 1);
    for (size_t i = 0; !r && i < l->n; i++)
        if (l->v[i].remote_hint)
            r = az_buf_printf(b,
                              en ? "  row %zu %s: a VPN / remote-maintenance device (\"%s\")\n"
                                 : "  行 %zu %s: VPN・リモート保守装置と判断 (「%s」から)\n",
                              l->v[i].line, l->v[i].col[AZ_COL_NAME], l->v[i].remote_hint);
    return r;
}

/* ---- export ---- */

int az_ledger_write_csv(const struct az_ledger *l, struct az_buf *b)
{
    int r = az_buf_add(b, "\xEF\xBB\xBF", 3);
    return r ? r : az_ledger_write_rows(l, AZ_LANG_JA, b);
}

/* OWASP's advice for CSV injection: a cell a spreadsheet would take as a
 * formula starts with a single quote. */
static const char *defuse(const char *s, char **tmp)
{
    size_t n;
    *tmp = NULL;
    if (!(s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        return s;
    n = strlen(s);
    if (!(*tmp = malloc(n + 2)))
        return NULL;
    (*tmp)[0] = '\'';
    memcpy(*tmp + 1, s, n + 1);
    return *tmp;
}

int az_ledger_write_rows(const struct az_ledger *l, enum az_lang lang, struct az_buf *b)
{
    size_t w = AZ_NCOLS + l->nextra;
    const char **row = calloc(w + 1, sizeof(*row));
    char **tmp = calloc(w + 1, sizeof(*tmp));
    bool en = lang == AZ_LANG_EN;
    int r = 0;

    if (!row || !tmp) {
        free(row);
        free(tmp);
        return AZ_ENOMEM;
    }
    for (int c = 0; c < AZ_NCOLS; c++)
        row[c] = en ? cols[c].en : cols[c].ja;
    for (size_t i = 0; i < l->nextra; i++)
        row[AZ_NCOLS + i] = l->extra_head[i];
    r = az_csv_write_row(b, row, w);
    for (size_t i = 0; !r && i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        char d1[16], d2[16];
        for (int c = 0; c < AZ_NCOLS; c++)
            row[c] = a->col[c];
        for (size_t k = 0; k < l->nextra; k++)
            row[AZ_NCOLS + k] = a->extra ? a->extra[k] : "";
        if (en)
            row[AZ_COL_KIND] = a->kind_id             ? a->kind_id
                               : *a->col[AZ_COL_KIND] ? a->col[AZ_COL_KIND]
                                                      : kinds[a->kind].token;
        else
            row[AZ_COL_KIND] = a->kind_label ? a->kind_label : kinds[a->kind].ja;
        if (a->has_last_patch) {
            az_date_iso(a->last_patch, d1, sizeof(d1));
            row[AZ_COL_LAST_PATCH] = d1;
        }
        if (a->has_eol) {
            az_date_iso(a->eol, d2, sizeof(d2));
            row[AZ_COL_EOL] = d2;
        }
        if (a->external >= 0)
            row[AZ_COL_EXTERNAL] = a->external ? (en ? "yes" : "はい") : (en ? "no" : "いいえ");
        for (size_t k = 0; k < w; k++) {
            row[k] = defuse(row[k], &tmp[k]);
            if (!row[k])
                r = AZ_ENOMEM;
        }
        if (!r)
            r = az_csv_write_row(b, row, w);
        for (size_t k = 0; k < w; k++) {
            free(tmp[k]);
            tmp[k] = NULL;
        }
    }
    free(row);
    free(tmp);
    return r;
}

/* ---- findings ---- */

static bool blank_admin(const char *s)
{
    return !*s || az_ledger_same(s, "なし") || az_ledger_same(s, "none") ||
           az_ledger_same(s, "不明") || az_ledger_same(s, "unknown") || az_ledger_same(s, "-") ||
           az_ledger_same(s, "管理者なし");
}

static bool institution_admin(const char *s)
{
    return az_ledger_same(s, "institution") || az_ledger_same(s, "院内") ||
           az_ledger_same(s, "自院") || az_ledger_same(s, "当院") || az_ledger_same(s, "in-house");
}

/* Append a finding of rule (topics from data/rules/rules.yaml) about
 * asset a; returns it so the caller can add details. */
static json_t *finding(json_t *arr, const struct az_asset *a, const char *rule, const char *level,
                       const char *ja, const char *en)
{
    struct az_finding fd;
    json_t *o;

    az_finding_start(&fd, "ledger", rule, level, ja, en);
    fd.asset = a->col[AZ_COL_NAME];
    fd.line = (long)a->line;
    o = az_finding_json(&fd);
    json_array_append_new(arr, o);
    return o;
}

/* A message as a heap string (user text has no length limit); "" on
 * ENOMEM. Caller frees. */
/* printf into a new string ("" rather than NULL when memory runs out, so
 * a message is never a null pointer). */
#define msg(...) az_fmt_or_empty(az_fmt(__VA_ARGS__))
static char *az_fmt_or_empty(char *s)
{
    return s ? s : strdup("");
}

/* How the administrator cell reads: the vendor registry and the profile's
 * vendors first, then the vocabulary (院内…, 事務長, a person's name). */
static enum az_admin_class admin_class(const struct az_ledger *l, const struct az_ledger_opts *o,
                                       const char *adm)
{
    enum az_admin_class c;
    if (l->vocab)
        c = az_ledger_vocab_admin(l->vocab, adm);
    else
        c = blank_admin(adm)         ? AZ_ADMIN_NONE
            : institution_admin(adm) ? AZ_ADMIN_INHOUSE
                                     : AZ_ADMIN_VENDOR;
    if (c == AZ_ADMIN_INHOUSE) {
        for (size_t k = 0; o->vendors && k < o->vendors->n; k++)
            if (az_ledger_same(o->vendors->v[k].name, adm) ||
                az_ledger_same(o->vendors->v[k].id, adm))
                return AZ_ADMIN_VENDOR;
        for (size_t k = 0; o->profile && k < o->profile->nsystems; k++)
            if (o->profile->systems[k].vendor && az_ledger_same(o->profile->systems[k].vendor, adm))
                return AZ_ADMIN_VENDOR;
    }
    return c;
}

/* Is adm a vendor with a contract on file: in the registry when there is
 * one (by name or ID), else among the profile's system vendors. Sets
 * *ended when the registry's contract has ended. */
static bool has_contract(const struct az_ledger_opts *o, const char *adm, bool *ended)
{
    *ended = false;
    if (o->vendors) {
        for (size_t k = 0; k < o->vendors->n; k++) {
            const struct az_vendor *v = &o->vendors->v[k];
            if (!az_ledger_same(v->name, adm) && !az_ledger_same(v->id, adm))
                continue;
            if (!v->has_contract_start && !v->has_contract_end)
                return false;
            *ended = v->has_contract_end && az_date_cmp(v->contract_end, o->as_of) < 0;
            return !*ended;
        }
        return false;
    }
    for (size_t k = 0; o->profile && k < o->profile->nsystems; k++)
        if (o->profile->systems[k].vendor && az_ledger_same(o->profile->systems[k].vendor, adm))
            return true;
    return false;
}

/* The KEV rule: a device whose firmware is a remote-access appliance
 * family, matched against the curated ranges. */
/* Without the brackets and punctuation a cell ends in ("7.0.12）" folds to
 * "7.0.12)"): the version ends at its last letter or digit. */
static void trim_tail(char *s)
{
    size_t n = strlen(s);
    while (n && !((s[n - 1] >= '0' && s[n - 1] <= '9') || (s[n - 1] >= 'a' && s[n - 1] <= 'z') ||
                  (s[n - 1] >= 'A' && s[n - 1] <= 'Z')))
        s[--n] = '\0';
}

/* The version written in a product cell ("FortiGate 60E v6.0.4 build0231"
 * → "6.0.4 build0231", "RTX830 Rev.15.02.30" → "15.02.30"): the first word
 * that is a dotted number, after v / ver / rev / version. Into buf. */
static bool version_in(const char *text, char *buf, size_t n)
{
    static const char *const pre[] = {"version", "ver.", "ver", "rev.", "rev", "v.", "v", ""};
    char *f = az_ledger_fold_width(text);
    bool found = false;

    for (const char *p = f; p && *p && !found; p++) {
        if (p != f &&
            ((p[-1] >= '0' && p[-1] <= '9') || (p[-1] >= 'a' && p[-1] <= 'z') || p[-1] == '.'))
            continue;
        for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]) && !found; i++) {
            size_t pl = strlen(pre[i]);
            const char *q = p + pl, *d = q;
            if (strncmp(p, pre[i], pl))
                continue;
            while (*q == ' ')
                q++;
            d = q;
            while (*d >= '0' && *d <= '9')
                d++;
            if (d > q && d[0] == '.' && d[1] >= '0' && d[1] <= '9') {
                snprintf(buf, n, "%s", q);
                trim_tail(buf);
                found = true;
            }
        }
    }
    free(f);
    return found;
}

/* An extra cell of a recognised field ("model"), or "". */
static const char *extra_of(const struct az_ledger *l, const struct az_asset *a, const char *field)
{
    for (size_t i = 0; a->extra && i < l->nextra; i++)
        if (l->extra_field[i] && !strcmp(l->extra_field[i], field) && *a->extra[i])
            return a->extra[i];
    return "";
}

static void kev_rule(json_t *arr, const struct az_ledger *l, const struct az_asset *a,
                     const struct az_kev *k)
{
    const char *name = a->col[AZ_COL_NAME], *ver = a->col[AZ_COL_VERSION];
    const char *cells[] = {a->col[AZ_COL_OS],      extra_of(l, a, "model"), name,
                           a->col[AZ_COL_VERSION], extra_of(l, a, "maker"), a->col[AZ_COL_KIND]};
    const struct az_kev_family *f = NULL;
    const char *where = NULL;
    char found[128];

    for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]) && !f; i++) {
        char *w = *cells[i] ? az_ledger_fold_width(cells[i]) : NULL; /* ＦｏｒｔｉＯＳ */
        if (w && (f = az_kev_family_for(k, w)))
            where = cells[i];
        free(w);
    }
    /* no version column, or an empty one: the version in the OS, model or
     * name cell ("FortiOS 6.4.6") */
    if (f && !*ver) {
        for (size_t i = 0; i < 3 && !*ver; i++)
            if (*cells[i] && version_in(cells[i], found, sizeof(found)))
                ver = found;
    } else if (f && (where == a->col[AZ_COL_VERSION] || !(*ver >= '0' && *ver <= '9')) &&
               version_in(ver, found, sizeof(found))) {
        ver = found; /* "FortiOS 6.4.6" or "v7.0.12）" in the version cell */
    } else if (f) {
        char *fv = az_ledger_fold_width(ver); /* full-width digits */
        if (fv) {
            snprintf(found, sizeof(found), "%s", fv);
            trim_tail(found);
            ver = found;
            free(fv);
        }
    }
    bool vpn = a->kind == AZ_ASSET_VPN; /* also bears on remote maintenance */
    struct az_kev_hit *h = NULL;
    size_t n = 0, ransom = 0, head = 0;
    const char *upgrade = NULL, *after = NULL;
    bool nofix = false;
    AZ_AUTOFREE char *ja = NULL, *en = NULL, *up_ja = NULL, *up_en = NULL;
    char norm[128], more[32] = "";
    json_t *cves, *fnd;

    if (!f)
        return;
    az_kev_normalise(f, ver, norm, sizeof(norm));
    if (!*norm) {
        const char *loc = a->col[AZ_COL_LOCATION], *ip = a->col[AZ_COL_IP];
        const char *adm = a->col[AZ_COL_ADMIN], *by = a->col[AZ_COL_BROUGHT_BY];
        /* whom to ask: the vendor who administers or brought it in */
        const char *who =
            *adm && l->vocab && az_ledger_vocab_admin(l->vocab, adm) == AZ_ADMIN_VENDOR ? adm
            : *by                                                                       ? by
                                                                                        : NULL;
        char *where_ja =
            msg("%s%s%s%s%s%s%s", *loc || *ip ? " (" : "", *loc ? "設置場所 " : "", loc,
                *loc && *ip ? "、" : "", *ip ? "IP " : "", ip, *loc || *ip ? ")" : "");
        char *where_en = msg("%s%s%s%s%s%s%s", *loc || *ip ? " (" : "", *loc ? "at " : "", loc,
                             *loc && *ip ? ", " : "", *ip ? "IP " : "", ip, *loc || *ip ? ")" : "");
        char *mj =
            msg("%s%s: %s の版が台帳にないため、KEV (既知の悪用された脆弱性) と照合できま"
                "せん。%sに「この装置で動いている %s の版 (管理画面のシステム情報に出る "
                "7.2.8 のような番号) と、最後に更新した日」を確認し、台帳のバージョン欄に"
                "記入してください",
                name, where_ja ? where_ja : "", f->name.ja, who ? who : "保守事業者", f->name.ja);
        char *me = msg("%s%s: no %s version in the ledger, so it cannot be checked against KEV "
                       "(known exploited vulnerabilities); ask %s which %s version the device "
                       "runs (the number on its system status page, such as 7.2.8) and when it "
                       "was last updated, and write it in the version column",
                       name, where_en ? where_en : "", f->name.en,
                       who ? who : "the maintenance vendor", f->name.en);
        free(where_ja);
        free(where_en);
        finding(arr, a, vpn ? "kev-no-version/vpn" : "kev-no-version", "attention", mj ? mj : "",
                me ? me : "");
        free(mj);
        free(me);
        return;
    }
    if (az_kev_match(k, f->id, ver, &h, &n) < 0) {
        free(h);
        return;
    }
    if (!n) {
        /* not in any checked range: say so when KEV lists entries whose
         * versions anzen has not checked, rather than stay silent */
        const struct az_kev_entry **u = NULL;
        size_t nu = 0;
        if (az_kev_uncovered(k, f, &u, &nu) == 0 && nu) {
            az_strf(&ja,
                    "%s: %s %s は、anzen が版を確かめた KEV の脆弱性には該当しませんが、KEV には"
                    "版の範囲を確かめていない項目が %zu 件あります (%s など)。事業者に該当しないか"
                    "確認してください",
                    name, f->name.ja, norm, nu, u[0]->cve);
            az_strf(&en,
                    "%s: %s %s is outside the KEV ranges anzen has checked, but KEV lists %zu "
                    "entries whose affected versions anzen has not checked (%s, ...); ask the "
                    "vendor",
                    name, f->name.en, norm, nu, u[0]->cve);
            fnd = finding(arr, a, vpn ? "kev-unchecked/vpn" : "kev-unchecked", "attention", ja, en);
            json_object_set_new(fnd, "family", json_string(f->id));
            json_object_set_new(fnd, "version", json_string(norm));
        }
        free(u);
        free(h);
        return;
    }
    /* the headline CVE: one used by ransomware, the newest */
    for (size_t i = 1; i < n; i++) {
        bool ri = h[i].rule->entry && h[i].rule->entry->ransomware;
        bool rh = h[head].rule->entry && h[head].rule->entry->ransomware;
        if ((ri && !rh) || (ri == rh && az_version_cmp(h[i].rule->cve, h[head].rule->cve) > 0))
            head = i;
    }
    cves = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct az_kev_rule *ru = h[i].rule;
        const struct az_kev_range *g = h[i].range;
        bool rw = ru->entry && ru->entry->ransomware;
        ransom += rw;
        if (g->fixed) {
            if (!upgrade || az_version_cmp(g->fixed, upgrade) > 0)
                upgrade = g->fixed;
        } else if (g->last) {
            if (!after || az_version_cmp(g->last, after) > 0)
                after = g->last;
        } else {
            nofix = true;
        }
        json_array_append_new(cves, json_pack("{s:s, s:b, s:s?, s:s?, s:s?, s:s}", "cve", ru->cve,
                                              "ransomware", rw, "branch", g->branch, "fixed",
                                              g->fixed, "last-affected", g->last, "confidence",
                                              az_conf_token(ru->confidence)));
    }
    if (nofix) {
        const char *br = NULL;
        for (size_t i = 0; i < n && !br; i++)
            if (!h[i].range->fixed && !h[i].range->last)
                br = h[i].range->branch;
        az_strf(&up_ja, "%s 系には修正版がないため、サポートされる系へ移行し", br);
        az_strf(&up_en, "there is no fix in the %s train: move to a supported one", br);
    } else if (after && (!upgrade || az_version_cmp(after, upgrade) >= 0)) {
        az_strf(&up_ja, "%s より新しい修正版へ更新し", after);
        az_strf(&up_en, "upgrade to a fixed release newer than %s", after);
    } else {
        az_strf(&up_ja, "%s 以上へ更新し", upgrade);
        az_strf(&up_en, "upgrade to %s or later", upgrade);
    }
    if (n > 1)
        snprintf(more, sizeof(more), " and %zu more", n - 1);
    if (n == 1)
        az_strf(&ja,
                "%s: %s %s は KEV (既知の悪用された脆弱性、%s 版) の %s の影響範囲にあります "
                "(ランサムウェアでの悪用 %zu 件)。%s、更新後に VPN の認証情報をすべて変更して"
                "ください",
                name, f->name.ja, norm, k->catalog_version, h[head].rule->cve, ransom, up_ja);
    else
        az_strf(&ja,
                "%s: %s %s は KEV (既知の悪用された脆弱性、%s 版) の %s ほか %zu 件の影響範囲に"
                "あります (ランサムウェアでの悪用 %zu 件)。%s、更新後に VPN の認証情報をすべて"
                "変更してください",
                name, f->name.ja, norm, k->catalog_version, h[head].rule->cve, n - 1, ransom,
                up_ja);
    az_strf(&en,
            "%s: %s %s is affected by %s%s in KEV (known exploited vulnerabilities, version "
            "%s; %zu used by ransomware): %s, then change every VPN credential",
            name, f->name.en, norm, h[head].rule->cve, more, k->catalog_version, ransom, up_en);
    fnd = finding(arr, a, vpn ? "kev/vpn" : "kev", "gap", ja, en);
    json_object_set_new(fnd, "family", json_string(f->id));
    json_object_set_new(fnd, "version", json_string(norm));
    json_object_set_new(fnd, "kev-catalog", json_string(k->catalog_version));
    json_object_set_new(fnd, "cves", cves);
    free(h);
}

json_t *az_ledger_check(const struct az_ledger *l, const struct az_profile *p, struct az_date as_of,
                        int patch_days)
{
    struct az_ledger_opts o = {.profile = p, .as_of = as_of, .patch_days = patch_days};
    return az_ledger_check_opts(l, &o);
}

/* vendor names the text (a folded substring: みどりメディカル in
 * みどりメディカル(株)) */
static bool names_vendor(const char *text, const char *vendor)
{
    char *x, *y;
    bool r;

    if (!text || !*text || !vendor || !*vendor)
        return false;
    x = az_ledger_fold(text, true);
    y = az_ledger_fold(vendor, true);
    r = x && y && *y && strstr(x, y);
    free(x);
    free(y);
    return r;
}

/* A remotely maintained system of the profile whose vendor is the
 * device's maintainer (保守業者 column) or administrator: the VPN device
 * serves that vendor's remote maintenance. */
static const struct az_system *remote_by_vendor(const struct az_ledger *l, const struct az_asset *a,
                                                const struct az_profile *p)
{
    for (size_t k = 0; p && k < p->nsystems; k++) {
        const struct az_system *s = &p->systems[k];
        if (!s->remote_maintenance || !s->vendor)
            continue;
        if (names_vendor(a->col[AZ_COL_ADMIN], s->vendor))
            return s;
        for (size_t e = 0; a->extra && e < l->nextra; e++)
            if (l->extra_field && l->extra_field[e] && !strcmp(l->extra_field[e], "maintainer") &&
                names_vendor(a->extra[e], s->vendor))
                return s;
    }
    return NULL;
}

json_t *az_ledger_check_opts(const struct az_ledger *l, const struct az_ledger_opts *o)
{
    const struct az_profile *p = o->profile;
    const struct az_date as_of = o->as_of;
    const int patch_days = o->patch_days;
    json_t *arr = json_array();
    AZ_AUTOFREE char *ja = NULL, *en = NULL;
    char d[16];
    int gaps = 0;

    for (size_t i = 0; i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        const char *adm = a->col[AZ_COL_ADMIN], *name = a->col[AZ_COL_NAME];
        const struct az_system *sys = NULL;
        bool netdev = a->kind == AZ_ASSET_NETWORK || a->kind == AZ_ASSET_VPN;

        for (size_t k = 0; p && k < p->nsystems; k++)
            if (*a->col[AZ_COL_SYSTEM] &&
                (!strcmp(p->systems[k].id, a->col[AZ_COL_SYSTEM]) ||
                 az_ledger_same(p->systems[k].name, a->col[AZ_COL_SYSTEM])))
                sys = &p->systems[k];
        enum az_admin_class ac = admin_class(l, o, adm);
        const char *by = a->col[AZ_COL_BROUGHT_BY];
        if (ac == AZ_ADMIN_NONE) {
            char *mj = msg(
                "%s: %s%s管理者がいません%s", name, by, *by ? " が持ち込み、" : "",
                a->kind == AZ_ASSET_VPN ? " (誰も更新しない VPN 装置は攻撃の入口になります)" : "");
            char *me = msg("%s: %s%s%snobody administers it%s", name, *by ? "brought in by " : "",
                           by, *by ? ", " : "",
                           a->kind == AZ_ASSET_VPN ? " (an unpatched VPN device is a way in)" : "");
            finding(arr, a, "no-admin", "gap", mj ? mj : "", me ? me : "");
            free(mj);
            free(me);
        } else if (ac == AZ_ADMIN_VENDOR) {
            bool ended;
            if (!has_contract(o, adm, &ended)) {
                if (ended) {
                    az_strf(&ja, "%s: 管理者「%s」との契約が終わっています", name, adm);
                    az_strf(&en,
                            "%s: the contract with \"%s\", who administers it, "
                            "has ended",
                            name, adm);
                } else {
                    az_strf(&ja, "%s: 管理者「%s」との契約が記録されていません", name, adm);
                    az_strf(&en, "%s: administered by \"%s\" with no contract on file", name, adm);
                }
                finding(arr, a, "vendor-no-contract", "gap", ja, en);
            }
        }
        if (a->kind == AZ_ASSET_VPN && !(sys && sys->remote_maintenance) &&
            !remote_by_vendor(l, a, p)) {
            if (sys) /* the system column names a system without remote maintenance */
                az_strf(&ja,
                        "%s: リモート保守の装置ですが、所属システム「%s」はプロファイルでリモート"
                        "保守なしです。anzen init または profile.yaml でそのシステムをリモート"
                        "保守ありにするか、台帳の所属システム欄を直してください",
                        name, a->col[AZ_COL_SYSTEM]);
            else if (*a->col[AZ_COL_SYSTEM])
                az_strf(&ja,
                        "%s: リモート保守の装置ですが、所属システム「%s」がプロファイルの"
                        "システムにありません。台帳の所属システム欄をプロファイルのシステム名"
                        "または ID にしてください",
                        name, a->col[AZ_COL_SYSTEM]);
            else
                az_strf(
                    &ja,
                    "%s: リモート保守の装置ですが、どのシステムの保守に使うのかが分かりません。"
                    "台帳の所属システム欄が空で、保守業者欄・管理者欄もリモート保守ありの"
                    "システムの事業者と一致しません。台帳の所属システム欄にそのシステム (電子カルテ"
                    "など) を書くか、保守業者欄に事業者名を書くか、anzen init または "
                    "profile.yaml でそのシステムをリモート保守ありにしてください",
                    name);
            az_strf(&en,
                    "%s: a remote-maintenance device, but it is not known which system it "
                    "serves: the ledger's system column (\"%s\") names no remotely maintained "
                    "system of the profile, and its maintainer/administrator is not the vendor "
                    "of one; write that system in the system column, the vendor in the "
                    "maintainer column, or mark the system as remotely maintained in the "
                    "profile",
                    name, a->col[AZ_COL_SYSTEM]);
            finding(arr, a, "remote-unconfirmed", "gap", ja, en);
        }
        if (a->has_eol) {
            long left = az_date_to_days(a->eol) - az_date_to_days(as_of);
            az_date_iso(a->eol, d, sizeof(d));
            if (left < 0) {
                az_strf(&ja, "%s: サポート終了日 %s を過ぎています", name, d);
                az_strf(&en, "%s: past its support end (%s)", name, d);
                finding(arr, a, "eol", "gap", ja, en);
            } else if (left <= 180) {
                az_strf(&ja, "%s: サポート終了日 %s まで 180 日以内", name, d);
                az_strf(&en, "%s: support ends within 180 days (%s)", name, d);
                finding(arr, a, "eol", "attention", ja, en);
            }
        } else if (l->vocab && !*a->col[AZ_COL_EOL]) {
            /* no support end written: the OS by its name */
            const struct az_ledger_vo_os *os = NULL;
            const char *cells[] = {a->col[AZ_COL_OS], a->col[AZ_COL_VERSION], name};
            for (size_t k = 0; k < 3 && !os; k++)
                os = *cells[k] ? az_ledger_vocab_os(l->vocab, cells[k]) : NULL;
            if (os) {
                long left = az_date_to_days(os->end) - az_date_to_days(as_of);
                az_date_iso(os->end, d, sizeof(d));
                if (left < 0) {
                    az_strf(&ja,
                            "%s: %s はサポートが %s に終わっています (更新プログラムが出ません)。"
                            "サポートのある版へ移すか、移せないならネットワークから切り離す"
                            "などの対策と移行の予定を決めてください",
                            name, os->name, d);
                    az_strf(&en,
                            "%s: %s went out of support on %s (no more security updates): move "
                            "to a supported version, or if it cannot move, decide how to isolate "
                            "it and when to replace it",
                            name, os->name, d);
                    finding(arr, a, "eol", "gap", ja, en);
                } else if (left <= 180) {
                    az_strf(&ja, "%s: %s のサポートは %s に終わります。移行の予定を決めてください",
                            name, os->name, d);
                    az_strf(&en, "%s: %s goes out of support on %s: plan the move", name, os->name,
                            d);
                    finding(arr, a, "eol", "attention", ja, en);
                }
            }
        }
        if (a->has_last_patch) {
            long age = az_date_to_days(as_of) - az_date_to_days(a->last_patch);
            if (age > patch_days) {
                az_date_iso(a->last_patch, d, sizeof(d));
                az_strf(&ja, "%s: 最後のパッチ適用 (%s) から %ld 日", name, d, age);
                az_strf(&en, "%s: %ld days since the last patch (%s)", name, age, d);
                finding(arr, a, "patch-age", netdev ? "gap" : "attention", ja, en);
            }
        } else if (netdev) {
            az_strf(&ja, "%s: パッチ適用日が記録されていません", name);
            az_strf(&en, "%s: no patch date recorded", name);
            finding(arr, a, "patch-age", "attention", ja, en);
        }
        if (o->kev && (netdev || a->kind == AZ_ASSET_OTHER))
            kev_rule(arr, l, a, o->kev);
        if (a->external == 1 && !netdev) {
            az_strf(&ja, "%s: 外部から接続できる%s", name, az_asset_kind_name(a->kind, AZ_LANG_JA));
            az_strf(&en, "%s: a %s reachable from outside", name,
                    az_asset_kind_name(a->kind, AZ_LANG_EN));
            finding(arr, a, "exposed", "gap", ja, en);
        }
    }
    for (size_t i = 0; i < json_array_size(arr); i++)
        gaps += !strcmp(json_string_value(json_object_get(json_array_get(arr, i), "level")), "gap");
    return json_pack("{s:s, s:I, s:i, s:o, s:s?}", "schema", "anzen-ledger-check/1", "assets",
                     (json_int_t)l->n, "gaps", gaps, "findings", arr, "kev-catalog",
                     o->kev ? o->kev->catalog_version : NULL);
}
