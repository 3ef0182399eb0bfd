/* SPDX-License-Identifier: MIT */
/*
 * csv.c - the CSV reader and writer (csv.h), with CP932 through glibc iconv.
 */
#include <errno.h>
#include <iconv.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/csv.h"

/* The fields and the rows' field arrays live in a few large blocks: one
 * allocation per field (256 bytes at least, from the growable buffer)
 * made a 36,000-row ledger take ~250 MB where its text is 3 MB. */
struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

#define BLOCK_MIN (64u * 1024u)

struct priv {
    char *text; /* decoded UTF-8 */
    struct block *blocks;
};

/* n bytes aligned for a pointer from the table's blocks, or NULL. */
static void *arena_alloc(struct priv *pv, size_t n)
{
    struct block *b = pv->blocks;
    size_t at;

    n = (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
    if (!b || b->cap - b->used < n) {
        size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
        if (!(b = malloc(sizeof(*b) + cap)))
            return NULL;
        b->next = pv->blocks;
        b->used = 0;
        b->cap = cap;
        pv->blocks = b;
    }
    at = b->used;
    b->used += n;
    return (char *)b->data + at;
}

void az_csv_free(struct az_csv *t)
{
    if (!t)
        return;
    free(t->rows);
    if (t->priv) {
        struct priv *pv = t->priv;
        free(pv->text);
        while (pv->blocks) {
            struct block *b = pv->blocks;
            pv->blocks = b->next;
            free(b);
        }
    }
    free(t->priv);
    free(t);
}

/* iconv from one encoding to another; on failure *bad is the input offset. */
static int conv(const char *from, const char *to, const char *in, size_t len, char **ret,
                size_t *ret_len, size_t *bad)
{
    iconv_t cd = iconv_open(to, from);
    size_t cap = len * 3 + 16, inleft = len, outleft = cap;
    char *out, *ip = (char *)in, *op;

    if (cd == (iconv_t)-1)
        return AZ_EINVAL;
    out = malloc(cap + 1);
    if (!out) {
        iconv_close(cd);
        return AZ_ENOMEM;
    }
    op = out;
    if (iconv(cd, &ip, &inleft, &op, &outleft) == (size_t)-1) {
        *bad = (size_t)(ip - in);
        free(out);
        iconv_close(cd);
        return AZ_ESYNTAX;
    }
    iconv_close(cd);
    *op = '\0';
    *ret = out;
    *ret_len = (size_t)(op - out);
    return 0;
}

/* U+FF5E FULLWIDTH TILDE (what CP932 0x8160 decodes to) becomes U+301C WAVE
 * DASH, the character Japanese text means; CP932 encodes both as 0x8160, so
 * a round trip through Excel is stable. */
static void normalise_wave_dash(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (p[0] == 0xEF && p[1] == 0xBD && p[2] == 0x9E) {
            p[0] = 0xE3;
            p[1] = 0x80;
            p[2] = 0x9C;
            p += 2;
        }
}

static size_t line_col(const char *s, size_t off, size_t *col)
{
    size_t line = 1, c = 1;

    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n')) {
            line++;
            c = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *col = c;
    return line;
}

/* Line number at off, counting forward from a cached (pos, line): row
 * starts only move forward, so the whole parse stays linear. */
static size_t line_at(const char *s, size_t off, size_t *pos, size_t *line)
{
    for (size_t i = *pos; i < off; i++)
        if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n'))
            (*line)++;
    *pos = off;
    return *line;
}

/* Copy the field in fb into the table's blocks and add it to the row
 * being read (its array r->f is scratch space of *cap entries until
 * end_row); fb is emptied for the next field. */
static int add_field(struct priv *pv, struct az_csv_row *r, size_t *cap, struct az_buf *fb)
{
    char *s = arena_alloc(pv, fb->len + 1);

    if (!s)
        return AZ_ENOMEM;
    if (fb->len)
        memcpy(s, fb->data, fb->len);
    s[fb->len] = '\0';
    fb->len = 0;
    if (r->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **nf = realloc(r->f, nc * sizeof(*nf));
        if (!nf)
            return AZ_ENOMEM;
        r->f = nf;
        *cap = nc;
    }
    r->f[r->n++] = s;
    return 0;
}

/* The row's field array, moved from the scratch space into the blocks. */
static char **end_row(struct priv *pv, const struct az_csv_row *r)
{
    char **f = arena_alloc(pv, r->n * sizeof(*f));

    if (f)
        memcpy(f, r->f, r->n * sizeof(*f));
    return f;
}

int az_csv_parse(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                 enum az_csv_encoding enc, struct az_csv **ret)
{
    struct az_csv *t = calloc(1, sizeof(*t));
    struct priv *pv = calloc(1, sizeof(*pv));
    struct az_buf fb;
    struct az_csv_row row = {NULL, 0, 1, 1};
    const char *s;
    size_t n, i = 0, cap = 0, fcap = 0, bad = 0, fstart = 0, lpos = 0, lline = 1;
    char delim = ',';
    int r = 0;

    if (!t || !pv) {
        free(t);
        free(pv);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    t->priv = pv;
    /* decode */
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) && enc != AZ_CSV_CP932) {
        t->had_bom = true;
        data += 3;
        len -= 3;
        enc = AZ_CSV_UTF8;
    }
    if (enc == AZ_CSV_AUTO)
        enc = az_utf8_invalid_at(data, len) == (size_t)-1 ? AZ_CSV_UTF8 : AZ_CSV_CP932;
    t->encoding = enc;
    if (enc == AZ_CSV_UTF8) {
        size_t b = az_utf8_invalid_at(data, len);
        if (b != (size_t)-1) {
            size_t col, line = line_col(data, b, &col);
            az_csv_free(t);
            return az_fail(ctx, AZ_ESYNTAX, "%s:%zu:%zu: UTF-8 として不正なバイトがあります",
                           "%s:%zu:%zu: invalid UTF-8", name, line, col);
        }
        pv->text = malloc(len + 1);
        if (!pv->text) {
            az_csv_free(t);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
        memcpy(pv->text, data, len);
        pv->text[len] = '\0';
        n = len;
    } else {
        r = conv("CP932", "UTF-8", data, len, &pv->text, &n, &bad);
        if (r < 0) {
            size_t col, line = line_col(data, bad, &col);
            az_csv_free(t);
            return az_fail(ctx, r == AZ_ENOMEM ? AZ_ENOMEM : AZ_ESYNTAX,
                           "%s:%zu: UTF-8 でも CP932 (Shift_JIS) でもないバイトがあります "
                           "(オフセット %zu)",
                           "%s:%zu: bytes that are neither UTF-8 nor CP932 (Shift_JIS) (offset "
                           "%zu)",
                           name, line, bad);
        }
        normalise_wave_dash(pv->text);
    }
    if (memchr(pv->text, '\0', n)) {
        size_t col,
            line = line_col(pv->text, (size_t)((char *)memchr(pv->text, '\0', n) - pv->text), &col);
        az_csv_free(t);
        return az_fail(ctx, AZ_ESYNTAX, "%s:%zu:%zu: NUL バイトがあります", "%s:%zu:%zu: NUL byte",
                       name, line, col);
    }
    s = pv->text;
    /* Excel's "sep=;" hint line */
    if (n >= 5 && !strncmp(s, "sep=", 4) && (s[5] == '\n' || s[5] == '\r' || s[5] == '\0')) {
        delim = s[4];
        i = 5;
        while (i < n && (s[i] == '\r' || s[i] == '\n'))
            i++;
    }
    az_buf_init(&fb, AZ_CSV_MAX_FIELD);
    row.line = line_at(s, i, &lpos, &lline);
    row.record = 1;
    while (i <= n) {
        fstart = i;
        /* one field */
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) {
                    size_t col, line = line_col(s, fstart, &col);
                    r = az_fail(ctx, AZ_ESYNTAX,
                                "%s:%zu:%zu: 引用符 (\") で始まる欄が閉じられていません",
                                "%s:%zu:%zu: quoted field is not closed", name, line, col);
                    goto fail;
                }
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        r = az_buf_add(&fb, "\"", 1);
                        i += 2;
                    } else {
                        i++;
                        break;
                    }
                } else {
                    r = az_buf_add(&fb, s + i, 1);
                    i++;
                }
                if (r < 0)
                    goto toolong;
            }
            if (i < n && s[i] != delim && s[i] != '\r' && s[i] != '\n') {
                size_t col, line = line_col(s, i, &col);
                r = az_fail(ctx, AZ_ESYNTAX, "%s:%zu:%zu: 閉じ引用符の後に文字があります",
                            "%s:%zu:%zu: text after a closing quote", name, line, col);
                goto fail;
            }
        } else {
            size_t st = i;
            while (i < n && s[i] != delim && s[i] != '\r' && s[i] != '\n')
                i++;
            if ((r = az_buf_add(&fb, s + st, i - st)) < 0)
                goto toolong;
        }
        if (row.n >= AZ_CSV_MAX_FIELDS) {
            size_t col, line = line_col(s, fstart, &col);
            r = az_fail(ctx, AZ_ERANGE, "%s:%zu: 欄が多すぎます (上限 %d)",
                        "%s:%zu: too many fields (limit %d)", name, line, AZ_CSV_MAX_FIELDS);
            goto fail;
        }
        if ((r = add_field(pv, &row, &fcap, &fb)) < 0)
            goto nomem;
        if (i < n && s[i] == delim) {
            i++;
            continue;
        }
        /* end of row */
        if (i < n && s[i] == '\r')
            i++;
        if (i < n && s[i] == '\n')
            i++;
        /* skip completely empty rows (a lone empty field) */
        if (!(row.n == 1 && row.f[0][0] == '\0')) {
            struct az_csv_row *nr;
            if (t->nrows >= AZ_CSV_MAX_ROWS) {
                r = az_fail(ctx, AZ_ERANGE, "%s:%zu: 行が多すぎます (上限 %d)",
                            "%s:%zu: too many rows (limit %d)", name, row.line, AZ_CSV_MAX_ROWS);
                goto fail;
            }
            if (t->nrows == cap) {
                cap = cap ? cap * 2 : 64;
                nr = realloc(t->rows, cap * sizeof(*nr));
                if (!nr)
                    goto nomem;
                t->rows = nr;
            }
            t->rows[t->nrows] = row;
            if (!(t->rows[t->nrows].f = end_row(pv, &row)))
                goto nomem;
            t->nrows++;
        }
        row.n = 0;
        row.record++;
        if (i >= n)
            break;
        row.line = line_at(s, i, &lpos, &lline);
    }
    az_buf_done(&fb);
    free(row.f);
    *ret = t;
    return 0;
toolong : {
    size_t col, line = line_col(s, fstart, &col);
    r = az_fail(ctx, AZ_ERANGE, "%s:%zu:%zu: 欄が長すぎます (上限 %u バイト)",
                "%s:%zu:%zu: field too long (limit %u bytes)", name, line, col, AZ_CSV_MAX_FIELD);
    goto fail;
}
nomem:
    r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
fail:
    az_buf_done(&fb);
    free(row.f);
    az_csv_free(t);
    return r;
}

bool az_csv_formula_like(const char *s)
{
    if (!s)
        return false;
    switch (s[0]) {
    case '=':
    case '@':
    case '\t':
    case '\r':
        return true;
    case '+':
    case '-':
        return s[1] != 0;
    default:
        return false;
    }
}

int az_csv_write_row(struct az_buf *b, const char *const *fields, size_t n)
{
    int r = 0;

    for (size_t i = 0; i < n && !r; i++) {
        const char *f = fields[i] ? fields[i] : "";
        size_t l = strlen(f);
        /* quote "sep=..." and a leading U+FEFF too, so neither is read back
         * as Excel's hint or a BOM */
        bool q = l && (f[0] == ' ' || f[l - 1] == ' ' || strpbrk(f, ",\"\r\n") ||
                       !strncmp(f, "sep=", 4) || !strncmp(f, "\xEF\xBB\xBF", 3));
        if (i)
            r = az_buf_add(b, ",", 1);
        if (r)
            break;
        if (!q) {
            r = az_buf_add(b, f, l);
            continue;
        }
        r = az_buf_add(b, "\"", 1);
        for (const char *p = f; !r && *p; p++)
            r = *p == '"' ? az_buf_add(b, "\"\"", 2) : az_buf_add(b, p, 1);
        if (!r)
            r = az_buf_add(b, "\"", 1);
    }
    return r ? r : az_buf_add(b, "\r\n", 2);
}

int az_utf8_to_cp932(struct az_ctx *ctx, const char *in, size_t len, char **ret, size_t *ret_len)
{
    size_t bad = 0;
    int r = conv("UTF-8", "CP932", in, len, ret, ret_len, &bad);

    if (r == AZ_ESYNTAX) {
        size_t col, line = line_col(in, bad, &col);
        return az_fail(ctx, r, "%zu 行 %zu 文字目の文字は CP932 (Excel の CSV) で表せません",
                       "the character at line %zu, column %zu cannot be written in CP932 (Excel "
                       "CSV)",
                       line, col);
    }
    if (r < 0)
        return az_fail(ctx, r, "CP932 に変換できません", "cannot convert to CP932");
    return 0;
}
