/* SPDX-License-Identifier: MIT */
/*
 * import.c - read an official MHLW checklist workbook into a draft catalog
 * edition (catimport.h); the crosswalk to the previous edition is in
 * import_match.c, the YAML in import_yaml.c (import_impl.h). Works on the
 * cell values of lib/report/xlsx_read.c, so it trusts nothing about the
 * layout: the sheet, the number and text columns and the header row are
 * found from the cells, and every guess can be overridden (`--map`).
 * Nothing here prints.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../internal.h"
#include "anzen/catimport.h"
#include "anzen/profile.h"
#include "anzen/util.h"
#include "import_impl.h"

#define MAX_IMPORT_ITEMS 2000
#define MAX_EDITION_ID   63 /* bytes of an edition id (an ASCII token) */

void az_catimport_opts_init(struct az_catimport_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->number_col = -1;
    o->text_col = -1;
    o->header_row = -1;
}

void az_col_letter(unsigned col, char *buf, size_t n)
{
    char tmp[16];
    size_t k = 0;
    unsigned c = col + 1;

    while (c && k < sizeof(tmp) - 1) {
        tmp[k++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    for (size_t i = 0; i < k && i + 1 < n; i++)
        buf[i] = tmp[k - 1 - i];
    buf[k < n ? k : n - 1] = '\0';
}

int az_col_parse(const char *s)
{
    long v = 0;

    if (!s || !*s)
        return -1;
    if (s[0] >= '0' && s[0] <= '9') {
        if (az_parse_long(s, 1, 16384, &v) < 0)
            return -1;
        return (int)v - 1;
    }
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (ch < 'A' || ch > 'Z' || v > 16384)
            return -1;
        v = v * 26 + (ch - 'A' + 1);
    }
    return v >= 1 && v <= 16384 ? (int)v - 1 : -1;
}

/* ---- text helpers ---- */

/* Copy s without leading/trailing spaces (ASCII, U+3000, newlines). */
static char *trim_dup(const char *s)
{
    const char *e;

    if (!s)
        return NULL;
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
                 (unsigned char)s[2] == 0x80)
            s += 3;
        else
            break;
    }
    e = s + strlen(s);
    for (;;) {
        if (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
            e--;
        else if (e - s >= 3 && (unsigned char)e[-3] == 0xE3 && (unsigned char)e[-2] == 0x80 &&
                 (unsigned char)e[-1] == 0x80)
            e -= 3;
        else
            break;
    }
    return strndup(s, (size_t)(e - s));
}

static bool blank(const char *s)
{
    char *t = trim_dup(s);
    bool b = !t || !*t;
    free(t);
    return b;
}

/* Fold the variants forms use: full-width digits and punctuation to ASCII,
 * the many dashes to '-', U+3000 to a space. */
void az_catimport_fold(const char *s, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;

    while (*p && o + 4 < n) {
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            out[o++] = (char)('0' + p[2] - 0x90);
            p += 3;
        } else if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8E) { /* ． */
            out[o++] = '.';
            p += 3;
        } else if ((p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8D) || /* － */
                   (p[0] == 0xE3 && p[1] == 0x83 && p[2] == 0xBC) || /* ー */
                   (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x90 &&  /* ‐ ‑ ‒ – — */
                    p[2] <= 0x94) ||                                 /* */
                   (p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92)) { /* − */
            out[o++] = '-';
            p += 3;
        } else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            out[o++] = ' ';
            p += 3;
        } else if (p[0] == 0xEF && p[1] == 0xBC && (p[2] == 0x88 || p[2] == 0x89)) {
            out[o++] = p[2] == 0x88 ? '(' : ')';
            p += 3;
        } else {
            out[o++] = (char)*p++;
        }
    }
    out[o] = '\0';
}

static bool is_circled(const unsigned char *p)
{
    return p[0] == 0xE2 && p[1] == 0x91 && p[2] >= 0xA0 && p[2] <= 0xB3;
}

static bool all_digits(const char *s, size_t min, size_t max)
{
    size_t n = 0;
    for (; *s; s++, n++)
        if (*s < '0' || *s > '9')
            return false;
    return n >= min && n <= max;
}

enum lab { LAB_NONE, LAB_FULL, LAB_BARE, LAB_DOT };

/* Is a cell an item number? LAB_FULL "2-①" / "2-(1)" / "2-1", LAB_BARE "①"
 * or "(1)" (needs its category), LAB_DOT "1." */
static enum lab label_kind(const char *cell)
{
    char f[64], norm[64];
    char *t = trim_dup(cell);
    enum lab k = LAB_NONE;
    char *dash;

    if (!t || !*t || strlen(t) > 24) {
        free(t);
        return LAB_NONE;
    }
    az_catimport_fold(t, f, sizeof(f));
    az_label_normalise(f, norm, sizeof(norm));
    dash = strchr(norm, '-');
    if (dash) {
        *dash = '\0';
        if (all_digits(norm, 1, 2) && all_digits(dash + 1, 1, 2))
            k = LAB_FULL;
    } else if (is_circled((const unsigned char *)t) && t[3] == '\0') {
        k = LAB_BARE;
    } else if (f[0] == '(' && all_digits(norm, 1, 2) && f[strlen(f) - 1] == ')') {
        k = LAB_BARE;
    } else {
        size_t l = strlen(f);
        if (l >= 2 && f[l - 1] == '.') {
            f[l - 1] = '\0';
            if (all_digits(f, 1, 2))
                k = LAB_DOT;
        }
    }
    free(t);
    return k;
}

/* "2 医療情報システムの管理・運用" / "２．インシデント対応" / "1. 体制構築" in
 * one cell: the category id and title, else false. */
static bool category_of(const char *cell, char **id, char **title)
{
    char f[512];
    char *t = trim_dup(cell), *p, *q;
    bool ok = false;

    *id = *title = NULL;
    if (!t || strlen(t) >= sizeof(f) || strlen(t) > 160) {
        free(t);
        return false;
    }
    az_catimport_fold(t, f, sizeof(f));
    p = f;
    if (*p == '[' || *p == '(')
        p++;
    q = p;
    while (*q >= '0' && *q <= '9')
        q++;
    if (q > p && q - p <= 2) {
        char *r = q;
        while (*r == '.' || *r == ' ' || *r == ')' || *r == ']' || !strncmp(r, "\xE3\x80\x81", 3) ||
               !strncmp(r, "\xE3\x80\x91", 3))
            r += (*r == '.' || *r == ' ' || *r == ')' || *r == ']') ? 1 : 3;
        /* the rest must be words, not an item number or plain digits */
        if (r > q && *r && !(*r >= '0' && *r <= '9') && *r != '-' && *r != '(' &&
            !is_circled((const unsigned char *)r) && strlen(r) <= 90) {
            *id = strndup(p, (size_t)(q - p));
            *title = trim_dup(r);
            ok = *id && *title && **title;
        }
    }
    if (!ok) {
        free(*id);
        free(*title);
        *id = *title = NULL;
    }
    free(t);
    return ok;
}

/* "2-① 台帳を作っているか" in one cell: the number, then a space, then
 * the text. Returns the kind with *num and *rest set (owned), else
 * LAB_NONE. */
static enum lab split_label(const char *cell, char **num, char **rest)
{
    char *t = trim_dup(cell);
    enum lab k = LAB_NONE;

    *num = *rest = NULL;
    if (!t)
        return LAB_NONE;
    for (size_t i = 0; t[i] && i < 24; i++) {
        const unsigned char *u = (const unsigned char *)t + i;
        size_t sl = u[0] == ' ' ? 1 : (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) ? 3 : 0;
        char *head, *r;
        if (!sl)
            continue;
        head = strndup(t, i);
        r = trim_dup(t + i + sl);
        if (head && r && strlen(r) >= 6 && (k = label_kind(head)) != LAB_NONE) {
            *num = head;
            *rest = r;
            free(t);
            return k;
        }
        free(head);
        free(r);
        break;
    }
    free(t);
    return LAB_NONE;
}

/* "1. 体制構築": a category row, though it looks like "1." and a text. */
static bool group_row(const char *cell)
{
    static const char *const words[] = {"体制構築", "管理・運用", "インシデント対応",
                                        "システムの有無", NULL};
    char *id, *title;
    bool g = false;

    if (!category_of(cell, &id, &title))
        return false;
    for (size_t i = 0; words[i]; i++)
        if (strstr(title, words[i]) && strlen(title) < 60)
            g = true;
    free(id);
    free(title);
    return g;
}

/* An item number alone in its cell (1), or followed by the text (2). */
static int number_cell(const char *cell)
{
    char *a, *b;
    if (label_kind(cell) != LAB_NONE)
        return 1;
    if (!group_row(cell) && split_label(cell, &a, &b) != LAB_NONE) {
        free(a);
        free(b);
        return 2;
    }
    return 0;
}

/* Shorten s to at most max characters on a UTF-8 boundary, with "…". */
char *az_catimport_shorten(const char *s, size_t max)
{
    size_t chars = 0, i = 0;
    char *nl = strchr(s, '\n'), *out;
    size_t lim = nl ? (size_t)(nl - s) : strlen(s);

    while (i < lim && chars < max) {
        unsigned char c = (unsigned char)s[i];
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        chars++;
    }
    if (i > lim)
        i = lim;
    if (i >= strlen(s))
        return strdup(s);
    out = malloc(i + 4);
    if (!out)
        return NULL;
    memcpy(out, s, i);
    memcpy(out + i, "\xE2\x80\xA6", 4);
    return out;
}

/* ---- reading ---- */

void az_catimport_free(struct az_catimport *im)
{
    if (!im)
        return;
    for (size_t i = 0; i < im->nitems; i++) {
        struct az_catimport_item *x = &im->items[i];
        free(x->label);
        free(x->printed);
        free(x->text);
        free(x->device);
        free(x->group);
        free(x->id);
    }
    for (size_t i = 0; i < im->ngroups; i++) {
        free(im->groups[i].id);
        free(im->groups[i].title);
    }
    for (size_t i = 0; i < im->ndevices; i++)
        free(im->device_names[i]);
    free(im->device_names);
    free(im->device_cols);
    free(im->groups);
    free(im->items);
    free(im->sheet);
    free(im->title);
    free(im->form);
    free(im->edition_id);
    free(im->published);
    free(im->file_label);
    free(im->sha256);
    free(im);
}

static unsigned max_col(const struct az_xlsx_sheet *s)
{
    unsigned m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->cells[i].col + 1 > m)
            m = s->cells[i].col + 1;
    return m > 256 ? 256 : m;
}

static unsigned max_row(const struct az_xlsx_sheet *s)
{
    return s->n ? s->cells[s->n - 1].row + 1 : 0;
}

/* The column with the most item numbers; *hits gets their count. */
static int find_number_col(const struct az_xlsx_sheet *s, size_t *hits)
{
    unsigned nc = max_col(s);
    size_t *cnt = calloc(nc + 1, sizeof(*cnt));
    int best = -1;

    *hits = 0;
    if (!cnt)
        return -1;
    for (size_t i = 0; i < s->n; i++)
        if (s->cells[i].col < nc && number_cell(s->cells[i].text))
            cnt[s->cells[i].col]++;
    for (unsigned c = 0; c < nc; c++)
        if (cnt[c] > *hits) {
            *hits = cnt[c];
            best = (int)c;
        }
    free(cnt);
    return best;
}

static const char *const header_words[] = {"番号",
                                           "No",
                                           "NO",
                                           "項目",
                                           "内容",
                                           "確認結果",
                                           "回答",
                                           "結果",
                                           "はい",
                                           "いいえ",
                                           "確認日",
                                           "目標日",
                                           "備考",
                                           "チェック",
                                           "サーバ",
                                           "端末",
                                           "ネットワーク機器",
                                           NULL};

static int header_score(const struct az_xlsx_sheet *s, unsigned row, unsigned nc)
{
    int sc = 0;
    for (unsigned c = 0; c < nc; c++) {
        const char *t = az_xlsx_get(s, row, c);
        if (!t || strlen(t) > 60)
            continue;
        for (size_t k = 0; header_words[k]; k++)
            if (strstr(t, header_words[k])) {
                sc++;
                break;
            }
    }
    return sc;
}

static const char *const device_words[] = {"サーバ", "端末", "クライアント", "ネットワーク機器",
                                           NULL};

static bool is_no_mark(const char *s)
{
    static const char *const none[] = {"-", "対象外", "×", "/", "／", "なし", "斜線", NULL};
    char f[64];
    char *t = trim_dup(s);
    bool r;

    if (!t || !*t) {
        free(t);
        return true;
    }
    if (strlen(t) >= sizeof(f)) {
        free(t);
        return false;
    }
    az_catimport_fold(t, f, sizeof(f));
    free(t);
    r = false;
    for (size_t i = 0; none[i]; i++)
        if (!strcmp(f, none[i]))
            r = true;
    if (!strcmp(f, "\xE2\x80\x95")) /* ― */
        r = true;
    return r;
}

static int add_group(struct az_catimport *im, const char *id, const char *title)
{
    struct az_catimport_group *ng;
    for (size_t i = 0; i < im->ngroups; i++)
        if (!strcmp(im->groups[i].id, id))
            return 0;
    ng = realloc(im->groups, (im->ngroups + 1) * sizeof(*ng));
    if (!ng)
        return AZ_ENOMEM;
    im->groups = ng;
    ng[im->ngroups].id = strdup(id);
    ng[im->ngroups].title = strdup(title);
    if (!ng[im->ngroups].id || !ng[im->ngroups].title) {
        free(ng[im->ngroups].id);
        free(ng[im->ngroups].title);
        return AZ_ENOMEM;
    }
    im->ngroups++;
    return 0;
}

static struct az_catimport_item *new_item(struct az_catimport *im)
{
    struct az_catimport_item *n;
    if (im->nitems >= MAX_IMPORT_ITEMS)
        return NULL;
    n = realloc(im->items, (im->nitems + 1) * sizeof(*n));
    if (!n)
        return NULL;
    im->items = n;
    memset(&n[im->nitems], 0, sizeof(*n));
    return &n[im->nitems++];
}

/* "令和8年度" (also full-width digits, 元) somewhere in s: the fiscal year. */
static int fy_in(const char *s)
{
    char f[1024];
    const char *p;
    int fy;

    if (strlen(s) >= sizeof(f))
        return 0;
    az_catimport_fold(s, f, sizeof(f));
    for (p = strstr(f, "令和"); p; p = strstr(p + 1, "令和")) {
        const char *e = strstr(p, "年度");
        char buf[64];
        if (!e || e - p > 16)
            continue;
        snprintf(buf, sizeof(buf), "%.*s", (int)(e - p + 6), p);
        if (az_fy_parse(buf, &fy) == 0)
            return fy;
    }
    return 0;
}

static char *sha256_hex(const void *data, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int ml = 0;
    char *hex;

    if (!EVP_Digest(data, len, md, &ml, EVP_sha256(), NULL))
        return NULL;
    hex = malloc(ml * 2 + 1);
    if (!hex)
        return NULL;
    for (unsigned i = 0; i < ml; i++)
        snprintf(hex + i * 2, 3, "%02x", md[i]);
    return hex;
}

static int make_ids(struct az_catimport *im)
{
    for (size_t i = 0; i < im->nitems; i++) {
        struct az_catimport_item *x = &im->items[i];
        char base[160], id[200];
        int n = 1;
        bool clash;
        if (x->match)
            snprintf(base, sizeof(base), "%s", az_catimport_topic_of(x->match));
        else
            snprintf(base, sizeof(base), "item-%u", x->row + 1);
        snprintf(id, sizeof(id), "%s.%s.%s", im->edition_id, im->form, base);
        do {
            clash = false;
            for (size_t k = 0; k < i; k++)
                if (!strcmp(im->items[k].id, id))
                    clash = true;
            if (clash)
                snprintf(id, sizeof(id), "%s.%s.%s-%d", im->edition_id, im->form, base, ++n);
        } while (clash && n < 1000);
        if (!(x->id = strdup(id)))
            return AZ_ENOMEM;
    }
    return 0;
}

/* The checklist's name from its title row, without the year and the form
 * name printed around it ("令和8年度版 …チェックリスト 医療機関・薬局確認用"):
 * those are shown on their own. */
static char *clean_title(const char *row)
{
    static const char *const tails[] = {"医療機関・薬局確認用",
                                        "医療機関確認用",
                                        "薬局確認用",
                                        "事業者確認用",
                                        "【",
                                        "（",
                                        "(",
                                        NULL};
    char *t = trim_dup(row), *p, *cut;

    if (!t)
        return NULL;
    p = t;
    if (!strncmp(p, "令和", 6)) {
        char *e = strstr(p, "年度");
        if (e && e - p < 24) {
            p = e + 6;
            if (!strncmp(p, "版", 3))
                p += 3;
        }
    }
    cut = strstr(p, "チェックリスト");
    if (cut) {
        cut += strlen("チェックリスト");
        for (size_t i = 0; tails[i]; i++) {
            char *x = strstr(cut, tails[i]);
            if (x)
                *x = '\0';
        }
    }
    {
        char *r = trim_dup(p);
        free(t);
        return r;
    }
}

static bool is_zero(const char *s)
{
    char *t = trim_dup(s);
    bool z = t && (!strcmp(t, "0") || !strcmp(t, "\xEF\xBC\x90"));
    free(t);
    return z;
}

static int read_sheet(struct az_ctx *ctx, const char *name, const struct az_xlsx_sheet *s,
                      const struct az_catimport_opts *o, struct az_catimport *im)
{
    unsigned nc = max_col(s), nr = max_row(s), first = UINT32_MAX;
    size_t alone = 0, combined = 0;
    char *cur_group = NULL;
    struct az_catimport_item *last = NULL;
    unsigned last_row = 0;
    int r = 0;

    /* the first item row (the gate item is numbered 0); whether numbers
     * and texts share their cells ("2-① 台帳を…") */
    for (size_t i = 0; i < s->n; i++) {
        int nk;
        if ((int)s->cells[i].col != im->number_col)
            continue;
        nk = number_cell(s->cells[i].text);
        if (nk == 1)
            alone++;
        else if (nk == 2)
            combined++;
        if (s->cells[i].row < first && (nk || is_zero(s->cells[i].text)))
            first = s->cells[i].row;
    }
    if (first == UINT32_MAX) {
        char cl[16];
        az_col_letter((unsigned)im->number_col, cl, sizeof(cl));
        return az_fail(ctx, AZ_ESYNTAX, "%s: シート「%s」の %s 列に項目番号がありません",
                       "%s: sheet \"%s\" has no item numbers in column %s", name, s->name, cl);
    }
    /* the header row: given, or the best-scoring row above the first item */
    if (o->header_row >= 0) {
        im->header_row = o->header_row;
    } else {
        int best = 1;
        im->header_row = -1;
        for (unsigned row = 0; row < first; row++) {
            int sc = header_score(s, row, nc);
            if (sc > best || (sc == best && sc > 1)) {
                best = sc;
                im->header_row = (int)row;
            }
        }
    }
    /* the text column: the header says 項目 / 内容, else the longest texts */
    if (o->text_col >= 0) {
        im->text_col = o->text_col;
    } else if (combined > alone) {
        im->text_col = im->number_col; /* the text follows the number */
    } else {
        im->text_col = -1;
        if (im->header_row >= 0)
            for (unsigned c = 0; c < nc && im->text_col < 0; c++) {
                const char *t = az_xlsx_get(s, (unsigned)im->header_row, c);
                if ((int)c != im->number_col && t &&
                    (strstr(t, "確認項目") || strstr(t, "チェック項目") || strstr(t, "内容") ||
                     strstr(t, "要件")))
                    im->text_col = (int)c;
            }
        if (im->text_col < 0) {
            size_t bestlen = 0;
            for (unsigned c = 0; c < nc; c++) {
                size_t len = 0;
                if ((int)c == im->number_col)
                    continue;
                for (size_t i = 0; i < s->n; i++)
                    if (s->cells[i].col == c && s->cells[i].row >= first)
                        len += strlen(s->cells[i].text);
                if (len > bestlen) {
                    bestlen = len;
                    im->text_col = (int)c;
                }
            }
        }
    }
    if (im->text_col < 0 || (im->text_col == im->number_col && combined <= alone))
        return az_fail(
            ctx, AZ_ESYNTAX,
            "%s: シート「%s」で項目の文の列が見つかりません (--map text=列 で指定できます)",
            "%s: sheet \"%s\": no item-text column found (give one with --map text=COLUMN)", name,
            s->name);
    /* per-device columns (令和5/6) */
    if (im->header_row >= 0)
        for (unsigned c = 0; c < nc; c++) {
            const char *t = az_xlsx_get(s, (unsigned)im->header_row, c);
            if ((int)c == im->number_col || (int)c == im->text_col || !t || strlen(t) > 40)
                continue;
            for (size_t k = 0; device_words[k]; k++)
                if (strstr(t, device_words[k])) {
                    char **nn = realloc(im->device_names, (im->ndevices + 1) * sizeof(*nn));
                    int *ncs;
                    if (!nn)
                        return AZ_ENOMEM;
                    im->device_names = nn;
                    ncs = realloc(im->device_cols, (im->ndevices + 1) * sizeof(*ncs));
                    if (!ncs)
                        return AZ_ENOMEM;
                    im->device_cols = ncs;
                    if (!(nn[im->ndevices] = trim_dup(t)))
                        return AZ_ENOMEM;
                    ncs[im->ndevices++] = (int)c;
                    break;
                }
        }
    /* the title rows: the form's title, fiscal year and kind */
    {
        unsigned top = im->header_row >= 0 ? (unsigned)im->header_row : first;
        bool h = false, ph = false, v = false, both = false;
        if (strstr(s->name, "事業者"))
            v = true;
        for (size_t i = 0; i < s->n && s->cells[i].row < top; i++) {
            const char *t = s->cells[i].text;
            int fy = fy_in(t);
            if (fy && !im->fiscal_year)
                im->fiscal_year = fy;
            if (!im->title && strstr(t, "チェックリスト") && !(im->title = clean_title(t)))
                return AZ_ENOMEM;
            if (strstr(t, "事業者確認用"))
                v = true;
            if (strstr(t, "医療機関・薬局") || strstr(t, "医療機関及び薬局"))
                both = true;
            else if (strstr(t, "薬局確認用") || strstr(t, "薬局における"))
                ph = true;
            else if (strstr(t, "医療機関確認用") || strstr(t, "医療機関における"))
                h = true;
        }
        if (o->form)
            im->form = strdup(o->form);
        else
            im->form = strdup(v ? "v" : both ? "hp" : ph ? "p" : "h");
        (void)h;
        if (!im->form)
            return AZ_ENOMEM;
    }
    /* rows */
    for (unsigned row = first; row < nr; row++) {
        const char *num = az_xlsx_get(s, row, (unsigned)im->number_col);
        const char *txt = az_xlsx_get(s, row, (unsigned)im->text_col);
        enum lab k = num ? label_kind(num) : LAB_NONE;
        char *cid = NULL, *ctitle = NULL;

        if ((int)row == im->header_row)
            continue;
        char *split_num = NULL, *split_text = NULL;

        if (k == LAB_NONE && num && is_zero(num))
            k = LAB_FULL; /* the gate item (医療情報システムの有無) */
        if (k == LAB_NONE && num && !group_row(num))
            k = split_label(num, &split_num, &split_text);
        if (k != LAB_NONE) {
            struct az_catimport_item *x;
            char *printed = split_num ? split_num : trim_dup(num), *text = NULL, lab[256],
                 sec[8] = "";
            const char *tsrc = split_text ? split_text : txt;
            size_t marked = 0;
            if (!printed) {
                free(split_text);
                return AZ_ENOMEM;
            }
            if (im->text_col == im->number_col && !split_text)
                tsrc = NULL; /* a number alone where texts follow numbers */
            /* merged text cells: the value sits in the first cell of the
             * merge, which may be right of the text column */
            if (blank(tsrc))
                for (unsigned c = (unsigned)im->number_col + 1; c < nc && blank(tsrc); c++) {
                    bool dev = false;
                    for (size_t d = 0; d < im->ndevices; d++)
                        if (im->device_cols[d] == (int)c)
                            dev = true;
                    if (!dev)
                        tsrc = az_xlsx_get(s, row, c);
                }
            if (blank(tsrc)) {
                char cl[16];
                az_col_letter((unsigned)im->text_col, cl, sizeof(cl));
                r = az_fail(ctx, AZ_ESYNTAX,
                            "%s: シート「%s」 %u 行 %s 列: 項目 %s に文がありません",
                            "%s: sheet \"%s\", row %u, column %s: item %s has no text", name,
                            s->name, row + 1, cl, printed);
                free(printed);
                free(split_text);
                free(cur_group);
                return r;
            }
            text = trim_dup(tsrc);
            free(split_text);
            if (!text) {
                free(printed);
                return AZ_ENOMEM;
            }
            /* the category of the item */
            if (k == LAB_FULL) {
                char f[64], n2[64];
                az_catimport_fold(printed, f, sizeof(f));
                az_label_normalise(f, n2, sizeof(n2));
                for (size_t i = 0; n2[i] && n2[i] != '-' && i < sizeof(sec) - 1; i++)
                    sec[i] = n2[i], sec[i + 1] = '\0';
                if (!strchr(n2, '-'))
                    snprintf(sec, sizeof(sec), "%s", cur_group ? cur_group : "0");
            } else {
                snprintf(sec, sizeof(sec), "%s", cur_group ? cur_group : "1");
            }
            if (k == LAB_BARE)
                snprintf(lab, sizeof(lab), "%s-%s", sec, printed);
            else
                snprintf(lab, sizeof(lab), "%s", printed);
            for (size_t d = 0; d < im->ndevices; d++)
                if (!is_no_mark(az_xlsx_get(s, row, (unsigned)im->device_cols[d])))
                    marked++;
            for (size_t d = 0; d < (marked ? im->ndevices : 1); d++) {
                char dl[320];
                if (marked && is_no_mark(az_xlsx_get(s, row, (unsigned)im->device_cols[d])))
                    continue;
                if (!(x = new_item(im))) {
                    free(printed);
                    free(text);
                    free(cur_group);
                    return az_fail(ctx, AZ_ERANGE, "%s: 項目が多すぎます (上限 %d)",
                                   "%s: too many items (limit %d)", name, MAX_IMPORT_ITEMS);
                }
                if (marked)
                    snprintf(dl, sizeof(dl), "%s %s", lab, im->device_names[d]);
                else
                    snprintf(dl, sizeof(dl), "%s", lab);
                x->label = strdup(dl);
                x->printed = strdup(printed);
                x->text = strdup(text);
                x->device = marked ? strdup(im->device_names[d]) : NULL;
                x->group = strdup(sec);
                x->row = row;
                x->col = (unsigned)im->number_col;
                if (!x->label || !x->printed || !x->text || !x->group || (marked && !x->device)) {
                    free(printed);
                    free(text);
                    free(cur_group);
                    return AZ_ENOMEM;
                }
                last = x;
            }
            last_row = row;
            free(printed);
            free(text);
            continue;
        }
        /* a category row: "2 医療情報システムの管理・運用" in its first cell */
        {
            const char *firstcell = NULL;
            unsigned used = 0;
            for (unsigned c = 0; c < nc; c++) {
                const char *t = az_xlsx_get(s, row, c);
                if (!blank(t)) {
                    used++;
                    if (!firstcell)
                        firstcell = t;
                }
            }
            if (firstcell && used <= 2 && category_of(firstcell, &cid, &ctitle)) {
                r = add_group(im, cid, ctitle);
                free(cur_group);
                cur_group = cid;
                free(ctitle);
                if (r < 0)
                    return r;
                last = NULL;
                continue;
            }
        }
        /* rows under a merged number cell continue the item above */
        if (last && !blank(txt) && blank(num) && row == last_row + 1) {
            char *t = trim_dup(txt);
            size_t l;
            char *nt;
            if (!t)
                return AZ_ENOMEM;
            l = strlen(last->text) + strlen(t) + 2;
            nt = malloc(l);
            if (!nt) {
                free(t);
                return AZ_ENOMEM;
            }
            snprintf(nt, l, "%s\n%s", last->text, t);
            free(last->text);
            last->text = nt;
            free(t);
            last_row = row;
        }
    }
    free(cur_group);
    if (!im->nitems)
        return az_fail(ctx, AZ_ESYNTAX, "%s: シート「%s」に項目がありません",
                       "%s: sheet \"%s\" has no items", name, s->name);
    /* labels must be unique within the form */
    for (size_t i = 0; i < im->nitems; i++)
        for (size_t j = i + 1; j < im->nitems; j++)
            if (!strcmp(im->items[i].label, im->items[j].label)) {
                char cl[16];
                az_col_letter(im->items[j].col, cl, sizeof(cl));
                return az_fail(
                    ctx, AZ_ESYNTAX,
                    "%s: シート「%s」 %u 行 %s 列: 項目番号 \"%s\" が %u 行目と重複しています",
                    "%s: sheet \"%s\", row %u, column %s: item number \"%s\" repeats "
                    "row %u",
                    name, s->name, im->items[j].row + 1, cl, im->items[j].label,
                    im->items[i].row + 1);
            }
    return 0;
}

int az_catimport_read(struct az_ctx *ctx, const struct az_catalog *cat, const char *name,
                      const void *data, size_t len, const struct az_catimport_opts *o,
                      struct az_catimport **ret)
{
    struct az_xlsx *x = NULL;
    struct az_catimport *im;
    const struct az_xlsx_sheet *sheet = NULL;
    size_t besthits = 0;
    int r;

    /* say what the file is (the ledger import's detection, lib/util)
     * rather than that it is not a zip */
    if (!len)
        return az_fail(ctx, AZ_ESYNTAX,
                       "%s: 空のファイルです (0 バイト)。チェックリストの様式 (.xlsx) を指定して"
                       "ください",
                       "%s: the file is empty (0 bytes); give the checklist workbook (.xlsx)",
                       name);
    {
        const char *type = az_file_type(data, len);
        if (strcmp(type, "xlsx") != 0 && strcmp(type, "zip") != 0) {
            const char *hint;
            if (!strcmp(type, "pdf"))
                hint = az_l(ctx,
                            "PDF の様式からは読み取れません。Excel 版の様式 (.xlsx) を使ってくださ"
                            "い",
                            "a PDF form cannot be read; use the Excel version of the form (.xlsx)");
            else if (!strcmp(type, "xls") || !strcmp(type, "ods") || !strcmp(type, "csv"))
                hint = az_l(ctx, "表計算ソフトで Excel ブック (.xlsx) として保存し直してください",
                            "save it again as an Excel workbook (.xlsx)");
            else
                hint = az_l(ctx, "チェックリストの様式 (.xlsx) を指定してください",
                            "give the checklist workbook (.xlsx)");
            return az_fail(ctx, AZ_ESYNTAX,
                           "%s: このファイルは %s です (取り込めるのは Excel のブック .xlsx だけ"
                           "です)。%s",
                           "%s: this file is %s (only an Excel workbook, .xlsx, can be "
                           "imported); %s",
                           name,
                           !strcmp(type, "xls")
                               ? az_l(ctx, "古い Excel の形式 (.xls)", "an old Excel file (.xls)")
                               : az_file_type_name(type, ctx->lang),
                           hint);
        }
    }
    r = az_xlsx_read(ctx, name, data, len, &x);
    if (r < 0)
        return r;
    im = calloc(1, sizeof(*im));
    if (!im) {
        az_xlsx_free(x);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    im->header_row = -1;
    im->number_col = -1;
    im->text_col = -1;
    /* the sheet: named, else the visible one with the most item numbers */
    if (o->sheet) {
        sheet = az_xlsx_sheet(x, o->sheet);
        if (!sheet) {
            r = az_fail(ctx, AZ_ENOTFOUND, "%s: シート「%s」がありません", "%s: no sheet \"%s\"",
                        name, o->sheet);
            goto fail;
        }
        im->number_col = o->number_col >= 0 ? o->number_col : find_number_col(sheet, &besthits);
    } else {
        for (size_t i = 0; i < x->n; i++) {
            size_t hits;
            int col;
            if (x->sheets[i].hidden)
                continue;
            col = o->number_col >= 0 ? o->number_col : find_number_col(&x->sheets[i], &hits);
            if (o->number_col >= 0) {
                hits = 0;
                for (size_t k = 0; k < x->sheets[i].n; k++)
                    if ((int)x->sheets[i].cells[k].col == col &&
                        number_cell(x->sheets[i].cells[k].text))
                        hits++;
            }
            if (col >= 0 && hits > besthits) {
                besthits = hits;
                sheet = &x->sheets[i];
                im->number_col = col;
            }
        }
    }
    if (!sheet || im->number_col < 0 || (!o->sheet && besthits < 2)) {
        struct az_buf names;
        az_buf_init(&names, 64 * 1024);
        for (size_t i = 0; i < x->n; i++)
            az_buf_printf(&names, "%s「%s」", i ? "、" : "", x->sheets[i].name);
        r = az_fail(ctx, AZ_ESYNTAX,
                    "%s: 項目番号 (①、2-(1)、2-①、1. など) の列が見つかりません (シート: %s)。"
                    "--map number=列 で指定できます",
                    "%s: no item-number column (①, 2-(1), 2-①, 1. ...) found (sheets: %s); give "
                    "one with --map number=COLUMN",
                    name, names.data ? names.data : "");
        az_buf_done(&names);
        goto fail;
    }
    if (!(im->sheet = strdup(sheet->name))) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto fail;
    }
    r = read_sheet(ctx, name, sheet, o, im);
    if (r == AZ_ENOMEM)
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if (r < 0)
        goto fail;
    if (o->fiscal_year)
        im->fiscal_year = o->fiscal_year;
    if (!im->fiscal_year) {
        r = az_fail(ctx, AZ_ESYNTAX,
                    "%s: 表題の行に「令和N年度」が見つかりません。--map year=2026 のように年度を"
                    "指定してください",
                    "%s: no 令和N年度 in the title rows; give the fiscal year with --map "
                    "year=2026",
                    name);
        goto fail;
    }
    /* ids, date, previous edition */
    {
        /* the id as given, whole: a copy into a fixed buffer would accept
         * a long id cut short, or name it cut mid-character */
        char *id =
            o->edition_id ? strdup(o->edition_id) : az_fmt("cl-r%d-imp", im->fiscal_year - 2018);
        if (id && (!az_is_token(id) || strchr(id, '.'))) {
            r = az_fail(ctx, AZ_EINVAL, "版の ID \"%s\" が不正です", "invalid edition id \"%s\"",
                        id);
            free(id);
            goto fail;
        }
        if (id && strlen(id) > MAX_EDITION_ID) {
            r = az_fail(ctx, AZ_EINVAL, "版の ID \"%s\" が長すぎます (上限 %d 文字)",
                        "edition id \"%s\" is too long (limit %d characters)", id, MAX_EDITION_ID);
            free(id);
            goto fail;
        }
        im->edition_id = id;
    }
    for (size_t i = 0; i < az_catalog_neditions(cat); i++) {
        const struct az_edition *e = az_catalog_edition_at(cat, i);
        if (e->checklist && e->fiscal_year == im->fiscal_year && e->published &&
            strcmp(e->id, im->edition_id) != 0 && !im->published)
            im->published = strdup(e->published);
    }
    if (!im->published)
        im->published = strdup(o->published ? o->published : "2026-06");
    if (o->previous) {
        im->previous = az_catalog_edition(cat, o->previous);
        if (!im->previous || !im->previous->checklist || !im->previous->nitems) {
            r = az_fail(ctx, AZ_ENOTFOUND, "前の版 \"%s\" (項目のあるチェックリスト) がありません",
                        "no previous edition \"%s\" (a checklist with items)", o->previous);
            goto fail;
        }
    } else {
        for (size_t i = 0; i < az_catalog_neditions(cat); i++) {
            const struct az_edition *e = az_catalog_edition_at(cat, i);
            if (!e->checklist || !e->nitems || e->status == AZ_ED_METADATA_ONLY ||
                e->fiscal_year > im->fiscal_year || !strcmp(e->id, im->edition_id) ||
                e->confidence == AZ_CONF_IMPORTED)
                continue;
            if (!im->previous || e->fiscal_year >= im->previous->fiscal_year)
                im->previous = e;
        }
    }
    im->file_label = strdup(o->file_label ? o->file_label : name);
    im->sha256 = sha256_hex(data, len);
    if (!im->edition_id || !im->published || !im->file_label || !im->sha256) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto fail;
    }
    r = az_catimport_propose(ctx, im, o);
    if (r < 0)
        goto fail;
    if (make_ids(im) < 0) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto fail;
    }
    az_xlsx_free(x);
    *ret = im;
    return 0;
fail:
    az_xlsx_free(x);
    az_catimport_free(im);
    return r;
}
