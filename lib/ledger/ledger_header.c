/* SPDX-License-Identifier: MIT */
/*
 * ledger_header.c - the ledger's header row: found among the first rows
 * by the headers the vocabulary knows (vocab.c), and its columns mapped
 * to the ledger's fields, with --map overriding (ledger_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "ledger_impl.h"
#include "ledger_internal.h"

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
