/* SPDX-License-Identifier: MIT */
/*
 * ledger_import.c - reading a ledger (ledger.h): the rows under the
 * header read into assets, cell by cell (kinds, addresses, dates, yes/no),
 * each bad cell reported with its row, header and the forms accepted.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"
#include "anzen/ledger.h"
#include "ledger_impl.h"
#include "ledger_internal.h"

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
    bool skip;    /* --skip-bad-rows: blank the bad cell and keep the row */
    bool drop;    /* the row cannot be kept (no name) */
    int blanks;   /* cells blanked */
    size_t *lost; /* error lines that did not fit in the report */
};

/* A bad cell. With skip (and a cell to blank: cellp) the cell is left
 * blank and the row kept; without a cell the row is left out. */
static void rerr(struct rowerr *e, const char *header, const char *why, const char *accepted,
                 const char **cellp)
{
    bool en = e->ctx->lang == AZ_LANG_EN;
    const char *then = "";
    int r;
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
        r = az_buf_printf(e->rep, "%s: row %zu (as Excel numbers it), column \"%s\": %s%s%s%s%s\n",
                          e->name, e->record, header, why, accepted ? " (accepted: " : "",
                          accepted ? accepted : "", accepted ? ")" : "", then);
    else
        r = az_buf_printf(e->rep, "%s: 行 %zu (Excel の行番号), 列「%s」: %s%s%s%s%s\n", e->name,
                          e->record, header, why, accepted ? " (受け付ける形式: " : "",
                          accepted ? accepted : "", accepted ? ")" : "", then);
    if (r < 0)
        (*e->lost)++;
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

/* Informational notes (a month read as a day, a totals row skipped, an
 * unknown date left blank): the first AZ_LEDGER_NOTES_SHOWN kept (all
 * with all), the rest only counted, so a long ledger's notes never push
 * its errors out of the report. */
struct notes {
    struct az_buf b;
    struct az_buf sink; /* max 0: takes nothing */
    size_t n;
    bool all;
};

/* The buffer the next note goes to (the sink once enough are kept). */
static struct az_buf *note(struct notes *nt)
{
    nt->n++;
    return nt->all || nt->n <= AZ_LEDGER_NOTES_SHOWN ? &nt->b : &nt->sink;
}

/* The report's note for a date given as a month only (v, header of
 * row record), read as the month's last day (end) or first day d. */
static void month_note(struct notes *nt, struct az_ctx *ctx, const char *name, size_t record,
                       const char *header, const char *v, struct az_date d, bool end)
{
    char iso[16];

    az_date_iso(d, iso, sizeof(iso));
    az_buf_printf(note(nt),
                  az_ledger_lg(ctx,
                               "%s: 行 %zu (Excel の行番号), 列「%s」: 「%s」は月だけなので"
                               "%sの %s としました\n",
                               "%s: row %zu (as Excel numbers it), column \"%s\": \"%s\" "
                               "names a month only: read as its %s day, %s\n"),
                  name, record, header, v,
                  end ? az_ledger_lg(ctx, "月末", "last") : az_ledger_lg(ctx, "月初め", "first"),
                  iso);
}

static int import_rows(struct az_ctx *ctx, const char *name, struct az_ledger *l, size_t first,
                       const struct az_ledger_import_opts *o, struct az_buf *rep, struct notes *nt)
{
    const struct az_csv *t = l->csv;
    struct az_ledger_priv *pv = l->priv;
    struct az_date as_of = o->as_of;
    int core_at[AZ_NCOLS];
    int model = -1, maint = -1, hostname = -1, noc = -1, maker = -1;
    struct az_buf why;
    size_t lost = 0;

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
        struct rowerr e = {ctx, rep, name, row->record, 0, o->skip_bad, false, 0, &lost};
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
                note(nt),
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
                    note(nt),
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
                if (month)
                    month_note(nt, ctx, name, row->record, l->columns[core_at[c]].header, v, d,
                               true);
                a.eol = d;
                a.has_eol = true;
            } else {
                if (month)
                    month_note(nt, ctx, name, row->record, l->columns[core_at[c]].header, v, d,
                               false);
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
    if (lost) {
        /* never a silent cut: say how many are missing (the report keeps room) */
        rep->max += 4096;
        az_buf_printf(rep,
                      az_ledger_lg(ctx, "%s: …ほか %zu 件の誤りは報告に入りきりませんでした\n",
                                   "%s: ... and %zu more errors that did not fit in the report\n"),
                      name, lost);
    }
    return 0;
}

int az_ledger_import_opts(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                          const struct az_ledger_import_opts *o, struct az_ledger **ret)
{
    struct az_ledger *l = calloc(1, sizeof(*l));
    struct az_buf rep;
    struct notes nt = {0};
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
    /* errors first, every one; the notes after them */
    az_buf_init(&rep, AZ_LEDGER_REPORT_MAX);
    az_buf_init(&nt.b, AZ_LEDGER_REPORT_MAX);
    az_buf_init(&nt.sink, 0);
    nt.all = o->all_notes;
    r = import_rows(ctx, name, l, (size_t)h1 + 1, o, &rep, &nt);
    if (r == 0 && nt.n &&
        (az_buf_add(&rep, nt.b.data ? nt.b.data : "", nt.b.len) < 0 ||
         (nt.n > AZ_LEDGER_NOTES_SHOWN && !nt.all &&
          az_buf_printf(&rep,
                        az_ledger_lg(ctx, "%s: …ほか %zu 件のお知らせ (--verbose で全部)\n",
                                     "%s: ... and %zu more notes (--verbose for all)\n"),
                        name, nt.n - AZ_LEDGER_NOTES_SHOWN) < 0)))
        r = az_fail(ctx, AZ_ENOMEM, "%s: 報告が大きすぎます", "%s: the report is too large", name);
    az_buf_done(&nt.b);
    if (r < 0) {
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

int az_ledger_import(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                     bool skip_bad, struct az_ledger **ret)
{
    struct az_ledger_import_opts o = {.skip_bad = skip_bad};
    return az_ledger_import_opts(ctx, name, data, len, &o, ret);
}
