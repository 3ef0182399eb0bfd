/* SPDX-License-Identifier: MIT */
/*
 * import.c - read an official MHLW checklist workbook into a draft catalog
 * edition (catimport.h). Works on the cell values of lib/report/xlsx_read.c,
 * so it trusts nothing about the layout: the sheet, the number and text
 * columns and the header row are found from the cells, and every guess can
 * be overridden (`--map`). Nothing here prints.
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

/* ---- similarity ---- */

/* Code points of s, skipping spaces and punctuation. */
static size_t codepoints(const char *s, uint32_t *out, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;

    const unsigned char *end = p + strlen(s);

    while (*p && n < max) {
        uint32_t c;
        size_t l = az_utf8_decode(p, (size_t)(end - p), &c);
        if (!l) {
            p++; /* not UTF-8 (never from the reader): skip the byte */
            continue;
        }
        p += l;
        if (c <= ' ' || (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                                       (c >= 'a' && c <= 'z'))))
            continue;
        if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F) ||
            (c >= 0xFF1A && c <= 0xFF20) || c == 0x30FB)
            continue; /* 、。「」（）・ and friends */
        out[n++] = c;
    }
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t bigrams(const char *s, uint64_t *out, size_t max)
{
    uint32_t cp[600];
    size_t n = codepoints(s, cp, sizeof(cp) / sizeof(cp[0])), k = 0;

    for (size_t i = 0; i + 1 < n && k < max; i++)
        out[k++] = ((uint64_t)cp[i] << 32) | cp[i + 1];
    qsort(out, k, sizeof(*out), cmp_u64);
    return k;
}

static size_t common(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            c++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return c;
}

/* Dice of the printed text and the earlier item's title+text, raised
 * halfway towards the share of the earlier title's bigrams found in the
 * printed text when that is higher. */
static double text_similarity(const char *printed, const struct az_item *it)
{
    uint64_t a[600], b[1200], t[200];
    size_t na = bigrams(printed, a, 600), nb, nt, c;
    double dice = 0, cover = 0;
    struct az_buf buf;

    az_buf_init(&buf, 64 * 1024);
    az_buf_puts(&buf, it->title.ja ? it->title.ja : "");
    az_buf_puts(&buf, " ");
    az_buf_puts(&buf, it->text.ja ? it->text.ja : "");
    nb = buf.data ? bigrams(buf.data, b, 1200) : 0;
    az_buf_done(&buf);
    nt = bigrams(it->title.ja ? it->title.ja : "", t, 200);
    if (na + nb) {
        c = common(a, na, b, nb);
        dice = 2.0 * (double)c / (double)(na + nb);
    }
    if (nt)
        cover = (double)common(t, nt, a, na) / (double)nt;
    /* a short title found inside a long text is a hint, not a match */
    return dice >= cover ? dice : (dice + cover) / 2.0;
}

/* A device class as a key: サーバ / 端末 (also クライアント, 端末 PC) /
 * ネットワーク機器. */
static void device_key(const char *s, char *out, size_t n)
{
    if (strstr(s, "サーバ"))
        snprintf(out, n, "server");
    else if (strstr(s, "端末") || strstr(s, "クライアント"))
        snprintf(out, n, "client");
    else if (strstr(s, "ネットワーク"))
        snprintf(out, n, "network");
    else
        snprintf(out, n, "%s", s);
}

static double label_similarity(const struct az_catimport_item *x, const struct az_item *it)
{
    char a[128], b[128], fa[128], sa[16] = "", sb[16] = "";
    const char *dev = it->label ? strchr(it->label, ' ') : NULL;
    char *base;

    az_catimport_fold(x->label, fa, sizeof(fa));
    if (x->device && strchr(fa, ' '))
        *strchr(fa, ' ') = '\0'; /* "2-(4) 端末PC": the number part */
    az_label_normalise(fa, a, sizeof(a));
    base = it->label ? strndup(it->label, dev ? (size_t)(dev - it->label) : strlen(it->label))
                     : strdup("");
    if (!base)
        return 0;
    az_label_normalise(base, b, sizeof(b));
    free(base);
    for (size_t i = 0; a[i] && a[i] != '-' && i < sizeof(sa) - 1; i++)
        sa[i] = a[i], sa[i + 1] = '\0';
    for (size_t i = 0; b[i] && b[i] != '-' && i < sizeof(sb) - 1; i++)
        sb[i] = b[i], sb[i + 1] = '\0';
    if (!strcmp(a, b)) {
        /* per-device rows: the device must agree too */
        if (x->device || dev) {
            char da[128], db[128];
            if (!x->device || !dev)
                return 0.5;
            device_key(x->device, da, sizeof(da));
            device_key(dev, db, sizeof(db));
            return !strcmp(da, db) ? 1.0 : 0.4;
        }
        return 1.0;
    }
    return sa[0] && !strcmp(sa, sb) ? 0.2 : 0.0;
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

bool az_catimport_form_compatible(const char *imform, const struct az_form *f)
{
    if (!strcmp(imform, "v"))
        return f->vendor;
    if (f->vendor)
        return false;
    if (!strcmp(imform, "p"))
        return (f->inst_types & AZ_INST_PHARMACY) != 0;
    if (!strcmp(imform, "h"))
        return (f->inst_types & ~(unsigned)AZ_INST_PHARMACY) != 0;
    return true; /* hp */
}

const char *az_catimport_topic_of(const struct az_item *it)
{
    const char *p = it->id + strlen(it->edition->id);
    if (*p == '.')
        p++;
    if (it->form) {
        size_t fl = strlen(it->form->id);
        if (!strncmp(p, it->form->id, fl) && p[fl] == '.')
            p += fl + 1;
    }
    return p;
}

struct pair {
    size_t imp;
    const struct az_item *prev;
    double score, ls, ts;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->imp != y->imp)
        return x->imp < y->imp ? -1 : 1;
    return strcmp(x->prev->id, y->prev->id);
}

/* Do two labels name the same item? Full-width digits and dashes fold. */
static bool same_label(const char *a, const char *b)
{
    char fa[128], fb[128], na[128], nb[128];

    az_catimport_fold(a, fa, sizeof(fa));
    az_catimport_fold(b, fb, sizeof(fb));
    if (!strcmp(fa, fb))
        return true;
    az_label_normalise(fa, na, sizeof(na));
    az_label_normalise(fb, nb, sizeof(nb));
    return na[0] && !strcmp(na, nb);
}

static double pair_score(bool numbers_count, double ls, double ts)
{
    /* the text decides; the number only breaks ties between close texts */
    return numbers_count ? 0.75 * ts + 0.25 * ls : ts;
}

static void set_match(struct az_catimport_item *x, const struct az_item *m, double score, double ls,
                      double ts)
{
    x->match = m;
    x->score = score;
    x->label_score = ls;
    x->text_score = ts;
}

/* The links given with --map link=LABEL=new|ITEM. */
static int apply_links(struct az_ctx *ctx, struct az_catimport *im, const char *primary,
                       bool numbers_count, bool *used_prev, bool *done,
                       const struct az_catimport_opts *o)
{
    const struct az_edition *pe = im->previous;

    for (size_t l = 0; l < o->nlinks; l++) {
        const struct az_catimport_link *ln = &o->links[l];
        size_t i, k = 0;
        for (i = 0; i < im->nitems; i++)
            if (same_label(im->items[i].label, ln->label) ||
                same_label(im->items[i].printed, ln->label))
                break;
        if (i == im->nitems)
            return az_fail(ctx, AZ_ENOTFOUND, "--map link=%s=%s: 番号 %s の項目が様式にありません",
                           "--map link=%s=%s: the form has no item numbered %s", ln->label,
                           ln->target, ln->label);
        if (done[i])
            return az_fail(ctx, AZ_EINVAL, "--map link=%s: 同じ項目に 2 回指定しています",
                           "--map link=%s: the same item is linked twice", ln->label);
        done[i] = true;
        im->items[i].by_hand = true;
        if (!strcmp(ln->target, "new")) {
            set_match(&im->items[i], NULL, 0, 0, 0);
            continue;
        }
        if (pe)
            for (k = 0; k < pe->nitems; k++)
                if (!strcmp(pe->items[k]->id, ln->target))
                    break;
        if (!pe || k == pe->nitems || !pe->items[k]->form ||
            strcmp(pe->items[k]->form->id, primary) != 0)
            return az_fail(ctx, AZ_ENOTFOUND,
                           "--map link=%s=%s: 前の版 %s の様式 %s に項目 %s がありません "
                           "(new で新しい項目にできます)",
                           "--map link=%s=%s: previous edition %s, form %s, has no item %s "
                           "(use new for a new item)",
                           ln->label, ln->target, pe ? pe->id : "-", primary, ln->target);
        if (used_prev[k])
            return az_fail(ctx, AZ_EINVAL, "--map link=%s=%s: %s はほかの項目にも対応づけています",
                           "--map link=%s=%s: %s is linked to another item too", ln->label,
                           ln->target, ln->target);
        used_prev[k] = true;
        {
            double ls = numbers_count ? label_similarity(&im->items[i], pe->items[k]) : 0.0;
            double ts = text_similarity(im->items[i].text, pe->items[k]);
            set_match(&im->items[i], pe->items[k], pair_score(numbers_count, ls, ts), ls, ts);
        }
    }
    return 0;
}

/* Propose predecessors: best pairs first, each used once; a pair whose
 * texts differ (AZ_CATIMPORT_MIN_TEXT) is never linked, however well the
 * numbers agree: a new item printed under an old number stays new. */
int az_catimport_propose(struct az_ctx *ctx, struct az_catimport *im,
                         const struct az_catimport_opts *o)
{
    const struct az_edition *pe = im->previous;
    struct pair *pairs;
    size_t np = 0, cap;
    bool *used_prev, *done, numbers_count;
    const char *primary = NULL;
    int r;

    if (!pe) {
        if (o->nlinks)
            return az_fail(ctx, AZ_EINVAL, "--map link=: 比べる前の版がありません",
                           "--map link=: there is no previous edition to link to");
        return 0;
    }
    /* the form the matches come from: the same id, else a compatible one
     * (for hp: the medical institution form, the pharmacy one as second) */
    for (size_t f = 0; f < pe->nforms && !primary; f++)
        if (!strcmp(pe->forms[f].id, im->form))
            primary = pe->forms[f].id;
    for (size_t f = 0; f < pe->nforms && !primary; f++)
        if (az_catimport_form_compatible(im->form, &pe->forms[f]) &&
            (strcmp(im->form, "hp") || !(pe->forms[f].inst_types == AZ_INST_PHARMACY)))
            primary = pe->forms[f].id;
    if (!primary) {
        if (o->nlinks)
            return az_fail(ctx, AZ_EINVAL, "--map link=: 前の版 %s に対応する様式がありません",
                           "--map link=: previous edition %s has no matching form", pe->id);
        return 0;
    }
    cap = im->nitems * pe->nitems + 1;
    pairs = calloc(cap, sizeof(*pairs));
    used_prev = calloc(pe->nitems + 1, sizeof(*used_prev));
    done = calloc(im->nitems + 1, sizeof(*done));
    if (!pairs || !used_prev || !done) {
        free(pairs);
        free(used_prev);
        free(done);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    /* numbers only count when the two editions number alike: a form that
     * numbers 1., 2., ... throughout is matched on its texts */
    {
        size_t alike = 0;
        for (size_t i = 0; i < im->nitems; i++)
            for (size_t k = 0; k < pe->nitems; k++)
                if (pe->items[k]->form && !strcmp(pe->items[k]->form->id, primary) &&
                    label_similarity(&im->items[i], pe->items[k]) >= 1.0) {
                    alike++;
                    break;
                }
        numbers_count = alike * 3 >= im->nitems;
    }
    r = apply_links(ctx, im, primary, numbers_count, used_prev, done, o);
    if (r < 0) {
        free(pairs);
        free(used_prev);
        free(done);
        return r;
    }
    for (size_t i = 0; i < im->nitems; i++)
        for (size_t k = 0; k < pe->nitems; k++) {
            const struct az_item *it = pe->items[k];
            double ls, ts;
            if (!it->form || strcmp(it->form->id, primary) != 0)
                continue;
            ls = numbers_count ? label_similarity(&im->items[i], it) : 0.0;
            ts = text_similarity(im->items[i].text, it);
            if (ts < AZ_CATIMPORT_MIN_TEXT)
                continue;
            pairs[np++] = (struct pair){i, it, pair_score(numbers_count, ls, ts), ls, ts};
        }
    qsort(pairs, np, sizeof(*pairs), cmp_pair);
    for (size_t p = 0; p < np; p++) {
        size_t k;
        if (done[pairs[p].imp])
            continue;
        for (k = 0; k < pe->nitems && pe->items[k] != pairs[p].prev; k++)
            ;
        if (used_prev[k])
            continue;
        used_prev[k] = true;
        done[pairs[p].imp] = true;
        set_match(&im->items[pairs[p].imp], pairs[p].prev, pairs[p].score, pairs[p].ls,
                  pairs[p].ts);
    }
    for (size_t i = 0; i < im->nitems; i++) {
        struct az_catimport_item *x = &im->items[i];
        x->keeps_dates = x->match && (x->score >= 0.55 || x->text_score >= AZ_CATIMPORT_CLOSE_TEXT);
    }
    /* hp: the same topic on the pharmacy form carries pharmacies' answers */
    if (!strcmp(im->form, "hp"))
        for (size_t i = 0; i < im->nitems; i++) {
            const struct az_item *m = im->items[i].match;
            if (!m)
                continue;
            for (size_t k = 0; k < pe->nitems; k++) {
                const struct az_item *it = pe->items[k];
                if (it != m && it->form && !it->form->vendor &&
                    it->form->inst_types == AZ_INST_PHARMACY &&
                    !strcmp(az_catimport_topic_of(it), az_catimport_topic_of(m)))
                    im->items[i].match2 = it;
            }
        }
    free(pairs);
    free(used_prev);
    free(done);
    return 0;
}

const char *az_catimport_relation(const struct az_catimport_item *it)
{
    if (!it->match)
        return NULL;
    return it->score >= 0.55 ? "same" : "changed";
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
        char id[64];
        if (o->edition_id)
            snprintf(id, sizeof(id), "%s", o->edition_id);
        else
            snprintf(id, sizeof(id), "cl-r%d-imp", im->fiscal_year - 2018);
        if (!az_is_token(id) || strchr(id, '.')) {
            r = az_fail(ctx, AZ_EINVAL, "版の ID \"%s\" が不正です", "invalid edition id \"%s\"",
                        id);
            goto fail;
        }
        im->edition_id = strdup(id);
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

/* ---- the draft edition as YAML ---- */

/* A double-quoted YAML scalar. Text read from a workbook may hold
 * characters libyaml refuses raw (C0/C1 controls, U+FEFF, U+FFFE/FFFF):
 * those become \\u escapes, so whatever was read loads back. */
static void q(struct az_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    const unsigned char *end = p + strlen((const char *)p);

    az_buf_puts(b, "\"");
    while (*p) {
        uint32_t c;
        size_t l = az_utf8_decode(p, (size_t)(end - p), &c);
        if (!l) {
            l = 1; /* a broken sequence (never from the reader) */
            c = 0xD800;
        }
        if (c == '"' || c == '\\')
            az_buf_printf(b, "\\%c", (char)c);
        else if (c == '\n')
            az_buf_puts(b, "\\n");
        else if (c == '\t')
            az_buf_puts(b, "\\t");
        else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFEFF)
            az_buf_printf(b, "\\u%04X", (unsigned)c);
        else if ((c >= 0xD800 && c < 0xE000) || c == 0xFFFE || c == 0xFFFF || c > 0x10FFFF)
            az_buf_puts(b, "\\uFFFD");
        else
            az_buf_add(b, p, l);
        p += l;
    }
    az_buf_puts(b, "\"");
}

static void text_kv(struct az_buf *b, const char *key, const char *ja, const char *en)
{
    az_buf_printf(b, "    %s: {ja: ", key);
    q(b, ja);
    az_buf_puts(b, ", en: ");
    q(b, en);
    az_buf_puts(b, "}\n");
}

static void strlist(struct az_buf *b, const char *key, const char **v, size_t n)
{
    if (!n)
        return;
    az_buf_printf(b, "    %s: [", key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            az_buf_puts(b, ", ");
        q(b, v[i]);
    }
    az_buf_puts(b, "]\n");
}

static const char *form_title(const char *f, bool en)
{
    if (!strcmp(f, "p"))
        return en ? "Pharmacy form" : "薬局確認用";
    if (!strcmp(f, "hp"))
        return en ? "Medical institution and pharmacy form" : "医療機関・薬局確認用";
    if (!strcmp(f, "v"))
        return en ? "Vendor form" : "事業者確認用";
    return en ? "Medical institution form" : "医療機関確認用";
}

/* Forms of the previous edition this import does not replace (the vendor
 * form when the institution form was imported, ...): carried unchanged. */
static bool carried_form(const struct az_catimport *im, const struct az_form *f)
{
    return !az_catimport_form_compatible(im->form, f);
}

static void emit_form(struct az_buf *b, const struct az_form *f)
{
    static const struct {
        unsigned bit;
        const char *tok;
    } types[] = {{AZ_INST_HOSPITAL, "hospital"},
                 {AZ_INST_CLINIC, "clinic"},
                 {AZ_INST_DENTAL, "dental-clinic"},
                 {AZ_INST_PHARMACY, "pharmacy"},
                 {AZ_INST_MIDWIFERY, "midwifery-home"}};
    bool first = true;

    az_buf_puts(b, "  - id: ");
    q(b, f->id);
    az_buf_puts(b, "\n");
    text_kv(b, "title", f->title.ja, f->title.en);
    if (f->doc_title.ja)
        text_kv(b, "document-title", f->doc_title.ja, f->doc_title.en);
    if (f->legal_basis.ja)
        text_kv(b, "legal-basis", f->legal_basis.ja, f->legal_basis.en);
    if (f->vendor) {
        az_buf_puts(b, "    audience: vendor\n");
        return;
    }
    az_buf_puts(b, "    audience: institution\n    institution-types: [");
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (f->inst_types & types[i].bit) {
            az_buf_printf(b, "%s%s", first ? "" : ", ", types[i].tok);
            first = false;
        }
    az_buf_puts(b, "]\n");
}

static void emit_fields(struct az_buf *b, const struct az_item *m, bool dates)
{
    strlist(b, "targets", m->targets, m->ntargets);
    strlist(b, "tags", m->tags, m->ntags);
    strlist(b, "ref-labels", m->ref_labels, m->nref_labels);
    if (m->nrefs) {
        az_buf_puts(b, "    refs: [");
        for (size_t k = 0, w = 0; k < m->nrefs; k++)
            if (m->refs[k]) {
                if (w++)
                    az_buf_puts(b, ", ");
                q(b, m->refs[k]->id);
            }
        az_buf_puts(b, "]\n");
    }
    if (m->conds & ~(unsigned)AZ_COND_MEDICAL_SYSTEMS) {
        bool first = true;
        az_buf_puts(b, "    applies-if: [");
        for (unsigned bit = 2; bit <= AZ_COND_NOT_OUTSOURCED; bit <<= 1)
            if (m->conds & bit) {
                az_buf_printf(b, "%s%s", first ? "" : ", ", az_cond_token((enum az_cond)bit));
                first = false;
            }
        az_buf_puts(b, "]\n");
    }
    if (dates && m->has_due_by) {
        char dd[16];
        az_date_iso(m->due_by, dd, sizeof(dd));
        az_buf_printf(b, "    due-by: \"%s\"\n", dd);
    }
}

static void emit_roles(struct az_buf *b, unsigned roles)
{
    bool first = true;
    az_buf_puts(b, "    roles: [");
    for (int r = 0; r < AZ_NROLES; r++)
        if (roles & (1u << r)) {
            az_buf_printf(b, "%s%s", first ? "" : ", ", az_role_token((enum az_role)(1u << r)));
            first = false;
        }
    az_buf_puts(b, "]\n");
}

/* An item of a carried form, unchanged but for its id. */
static void emit_copy(struct az_buf *b, const struct az_catimport *im, const struct az_item *m,
                      size_t order)
{
    char id[256];
    snprintf(id, sizeof(id), "%s.%s.%s", im->edition_id, m->form->id, az_catimport_topic_of(m));
    az_buf_puts(b, "  - id: ");
    q(b, id);
    az_buf_puts(b, "\n    form: ");
    q(b, m->form->id);
    az_buf_puts(b, "\n    group: ");
    q(b, m->group ? m->group->id : "1");
    az_buf_puts(b, "\n    label: ");
    q(b, m->label);
    az_buf_printf(b, "\n    order: \"%zu\"\n", order);
    if (m->gate)
        az_buf_puts(b, "    gate: true\n");
    text_kv(b, "title", m->title.ja, m->title.en);
    text_kv(b, "text", m->text.ja, m->text.en);
    if (m->guidance.ja)
        text_kv(b, "guidance", m->guidance.ja, m->guidance.en);
    if (m->interim.ja)
        text_kv(b, "interim", m->interim.ja, m->interim.en);
    if (m->permanent.ja)
        text_kv(b, "permanent", m->permanent.ja, m->permanent.en);
    emit_roles(b, m->roles);
    emit_fields(b, m, true);
    az_buf_printf(b, "    required-from: \"%d\"\n", m->required_from ? m->required_from : 2023);
    az_buf_printf(b, "    confidence: %s\n", az_conf_token(m->confidence));
    strlist(b, "sources", m->sources, m->nsources);
    text_kv(b, "note", "この様式は取り込んでいないため、前の版の項目をそのまま引き継いでいます",
            "This form was not imported; the previous edition's item is carried unchanged");
}

char *az_catimport_to_yaml(const struct az_catimport *im, struct az_date today)
{
    struct az_buf b;
    char d[16], fy[32];
    const struct az_edition *pe = im->previous;
    const struct az_form *pf = NULL;
    bool gate_done = false;

    az_date_iso(today, d, sizeof(d));
    az_fy_format(im->fiscal_year, AZ_LANG_JA, fy, sizeof(fy));
    az_buf_init(&b, 32u * 1024 * 1024);
    az_buf_printf(&b,
                  "# anzen catalog: draft edition imported by `anzen catalog import` on %s\n"
                  "# from the official form the user provided. Numbers and item texts are as\n"
                  "# printed in that file; the crosswalk is anzen's proposal (score = number\n"
                  "# and text similarity) and must be reviewed. Not part of the embedded data.\n",
                  d);
    az_buf_puts(&b, "anzen-catalog: 1\nedition:\n  id: ");
    q(&b, im->edition_id);
    az_buf_puts(&b, "\n  kind: checklist\n  family: mhlw-checklist\n  version: ");
    {
        char v[96];
        snprintf(v, sizeof(v), "%s版 (公式様式から取り込み)", fy);
        q(&b, v);
    }
    az_buf_printf(&b, "\n  fiscal-year: \"%d\"\n  published: ", im->fiscal_year);
    q(&b, im->published);
    az_buf_puts(&b, "\n  title: {ja: ");
    q(&b, im->title
              ? im->title
              : (pe ? pe->title.ja : "医療機関におけるサイバーセキュリティ対策チェックリスト"));
    az_buf_puts(&b, ", en: ");
    q(&b, pe ? pe->title.en : "MHLW cybersecurity checklist");
    az_buf_puts(&b, "}\n  status: current\n");
    if (pe) {
        az_buf_puts(&b, "  supersedes: ");
        q(&b, pe->id);
        az_buf_puts(&b, "\n");
    }
    az_buf_puts(&b, "  sources: [");
    {
        char src[512];
        snprintf(src, sizeof(src), "%s (sha256 %s), シート「%s」", im->file_label, im->sha256,
                 im->sheet);
        q(&b, src);
    }
    az_buf_puts(&b, "]\n  note: {ja: ");
    {
        char nj[1024], ne[1024];
        snprintf(nj, sizeof(nj),
                 "%s に提供された公式様式 %s から取り込んだ版。番号と文は様式のとおり。前の版"
                 "%s%s との対応は anzen の提案で、引き継いだ回答は新しい様式で確認し直す必要が"
                 "あります。",
                 d, im->file_label, pe ? " " : "", pe ? pe->id : "(なし)");
        snprintf(ne, sizeof(ne),
                 "Imported on %s from the official form %s you provided; numbers and texts as "
                 "printed. The crosswalk from %s is anzen's proposal; carried answers must be "
                 "confirmed again on the new form.",
                 d, im->file_label, pe ? pe->id : "(none)");
        q(&b, nj);
        az_buf_puts(&b, ", en: ");
        q(&b, ne);
    }
    az_buf_puts(&b, "}\nforms:\n  - id: ");
    q(&b, im->form);
    az_buf_puts(&b, "\n    title: {ja: ");
    q(&b, form_title(im->form, false));
    az_buf_puts(&b, ", en: ");
    q(&b, form_title(im->form, true));
    az_buf_puts(&b, "}\n");
    if (pe)
        for (size_t f = 0; f < pe->nforms && !pf; f++)
            if (!strcmp(pe->forms[f].id, im->form))
                pf = &pe->forms[f];
    if (im->title && strcmp(im->form, "v") != 0) {
        az_buf_puts(&b, "    document-title: {ja: ");
        q(&b, im->title);
        az_buf_puts(&b, ", en: ");
        q(&b, pf ? az_form_doc_title(pf).en : "MHLW cybersecurity checklist");
        az_buf_puts(&b, "}\n");
    }
    if (pf && pf->legal_basis.ja)
        text_kv(&b, "legal-basis", pf->legal_basis.ja, pf->legal_basis.en);
    if (!strcmp(im->form, "v"))
        az_buf_puts(&b, "    audience: vendor\n");
    else
        az_buf_printf(&b, "    audience: institution\n    institution-types: [%s]\n",
                      !strcmp(im->form, "p") ? "pharmacy"
                      : !strcmp(im->form, "hp")
                          ? "hospital, clinic, dental-clinic, "
                            "midwifery-home, pharmacy"
                          : "hospital, clinic, dental-clinic, midwifery-home");
    for (size_t f = 0; pe && f < pe->nforms; f++)
        if (carried_form(im, &pe->forms[f]) && pe->forms[f].nitems)
            emit_form(&b, &pe->forms[f]);
    az_buf_puts(&b, "groups:\n");
    {
        /* every group an item uses, in order of first use */
        const char **seen = calloc(im->nitems + 1, sizeof(*seen));
        size_t ns = 0;
        for (size_t i = 0; seen && i < im->nitems; i++) {
            const char *g = im->items[i].group, *title = NULL;
            bool dup = false;
            for (size_t k = 0; k < ns; k++)
                if (!strcmp(seen[k], g))
                    dup = true;
            if (dup)
                continue;
            seen[ns++] = g;
            for (size_t k = 0; k < im->ngroups; k++)
                if (!strcmp(im->groups[k].id, g))
                    title = im->groups[k].title;
            for (size_t k = 0; !title && pe && k < pe->ngroups; k++)
                if (!strcmp(pe->groups[k].id, g))
                    title = pe->groups[k].title.ja;
            az_buf_puts(&b, "  - {id: ");
            q(&b, g);
            az_buf_puts(&b, ", title: {ja: ");
            q(&b, title ? title : g);
            az_buf_puts(&b, ", en: ");
            q(&b, title ? title : g);
            az_buf_puts(&b, "}}\n");
        }
        for (size_t k = 0; pe && k < pe->nitems; k++) {
            const struct az_item *it = pe->items[k];
            bool dup = false;
            if (!it->form || !it->group || !carried_form(im, it->form))
                continue;
            for (size_t j = 0; j < im->nitems; j++)
                if (!strcmp(im->items[j].group, it->group->id))
                    dup = true;
            for (size_t j = 0; j < k; j++)
                if (pe->items[j]->group == it->group && pe->items[j]->form &&
                    carried_form(im, pe->items[j]->form))
                    dup = true;
            if (dup)
                continue;
            az_buf_puts(&b, "  - {id: ");
            q(&b, it->group->id);
            az_buf_puts(&b, ", title: {ja: ");
            q(&b, it->group->title.ja);
            az_buf_puts(&b, ", en: ");
            q(&b, it->group->title.en);
            az_buf_puts(&b, "}}\n");
        }
        free(seen);
    }
    az_buf_puts(&b, "items:\n");
    for (size_t i = 0; i < im->nitems; i++) {
        const struct az_catimport_item *x = &im->items[i];
        const struct az_item *m = x->match;
        char *title = az_catimport_shorten(x->text, 32), en[512], src[512];
        az_buf_puts(&b, "  - id: ");
        q(&b, x->id);
        az_buf_puts(&b, "\n    form: ");
        q(&b, im->form);
        az_buf_puts(&b, "\n    group: ");
        q(&b, x->group);
        az_buf_puts(&b, "\n    label: ");
        q(&b, x->label);
        az_buf_printf(&b, "\n    order: \"%zu\"\n", i);
        if (m && m->gate && !gate_done) {
            az_buf_puts(&b, "    gate: true\n");
            gate_done = true;
        }
        snprintf(en, sizeof(en), "%s (imported)", m ? m->title.en : "Imported item");
        text_kv(&b, "title", title ? title : x->label, en);
        free(title);
        if (m)
            snprintf(en, sizeof(en),
                     "As printed on the official form (Japanese). The closest earlier item "
                     "(%s) reads: %.380s",
                     m->id, m->text.en ? m->text.en : "");
        else
            snprintf(en, sizeof(en),
                     "As printed on the official form (Japanese only); no earlier item matched.");
        text_kv(&b, "text", x->text, en);
        if (m && m->guidance.ja)
            text_kv(&b, "guidance", m->guidance.ja, m->guidance.en);
        if (m && m->interim.ja)
            text_kv(&b, "interim", m->interim.ja, m->interim.en);
        if (m && m->permanent.ja)
            text_kv(&b, "permanent", m->permanent.ja, m->permanent.en);
        emit_roles(&b, m ? m->roles : (AZ_ROLE_MANAGEMENT | AZ_ROLE_PLANNING | AZ_ROLE_OPERATIONS));
        if (m)
            emit_fields(&b, m, x->keeps_dates);
        /* a deadline belongs to a text: a changed text starts from this
         * edition's year unless it stays close to the earlier one */
        az_buf_printf(&b, "    required-from: \"%d\"\n",
                      m && x->keeps_dates && m->required_from ? m->required_from : im->fiscal_year);
        az_buf_puts(&b, "    confidence: imported\n    sources: [");
        snprintf(src, sizeof(src), "%s: シート「%s」 %u 行", im->file_label, im->sheet, x->row + 1);
        q(&b, src);
        az_buf_puts(&b, "]\n");
        if (strcmp(x->printed, x->label) != 0 || x->device) {
            char nj[512], ne[512];
            snprintf(nj, sizeof(nj), "様式に印字された番号: %s%s%s", x->printed,
                     x->device ? " / 対象: " : "", x->device ? x->device : "");
            snprintf(ne, sizeof(ne), "Number as printed on the form: %s%s%s", x->printed,
                     x->device ? " / target: " : "", x->device ? x->device : "");
            text_kv(&b, "note", nj, ne);
        }
    }
    for (size_t k = 0; pe && k < pe->nitems; k++)
        if (pe->items[k]->form && carried_form(im, pe->items[k]->form))
            emit_copy(&b, im, pe->items[k], im->nitems + k);
    {
        bool any = false;
        for (size_t k = 0; pe && k < pe->nitems; k++) {
            const struct az_item *m = pe->items[k];
            char id[256];
            if (!m->form || !carried_form(im, m->form))
                continue;
            if (!any)
                az_buf_puts(&b, "crosswalk:\n");
            any = true;
            snprintf(id, sizeof(id), "%s.%s.%s", im->edition_id, m->form->id,
                     az_catimport_topic_of(m));
            az_buf_puts(&b, "  - from: [");
            q(&b, m->id);
            az_buf_puts(&b, "]\n    to: ");
            q(&b, id);
            az_buf_puts(&b, "\n    relation: same\n");
        }
        for (size_t i = 0; i < im->nitems; i++) {
            const struct az_catimport_item *x = &im->items[i];
            const char *rel = az_catimport_relation(x);
            char nj[512], ne[512], sc[16];
            if (!rel)
                continue;
            if (!any)
                az_buf_puts(&b, "crosswalk:\n");
            any = true;
            az_buf_puts(&b, "  - from: [");
            q(&b, x->match->id);
            if (x->match2) {
                az_buf_puts(&b, ", ");
                q(&b, x->match2->id);
            }
            az_buf_puts(&b, "]\n    to: ");
            q(&b, x->id);
            az_buf_printf(&b, "\n    relation: %s\n",
                          x->match2 && !strcmp(rel, "same") ? "merged" : rel);
            snprintf(sc, sizeof(sc), "%.2f", x->score);
            az_buf_printf(&b, "    score: \"%s\"\n", sc);
            snprintf(nj, sizeof(nj),
                     "%s (番号の一致 %.2f、文の類似 %.2f)。引き継いだ回答は新しい様式で確認し"
                     "直してください%s",
                     x->by_hand ? "--map link= で指定" : "anzen catalog import の提案",
                     x->label_score, x->text_score,
                     x->keeps_dates ? "" : "。文が離れているため期限は引き継いでいません");
            snprintf(ne, sizeof(ne),
                     "%s (number match %.2f, text similarity %.2f); confirm carried answers "
                     "again on the new form%s",
                     x->by_hand ? "set with --map link=" : "proposed by anzen catalog import",
                     x->label_score, x->text_score,
                     x->keeps_dates ? "" : "; the texts differ, so no deadline was taken over");
            text_kv(&b, "note", nj, ne);
        }
    }
    if (b.len >= b.max) {
        az_buf_done(&b);
        return NULL;
    }
    return az_buf_take(&b);
}
