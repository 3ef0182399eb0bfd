/* SPDX-License-Identifier: MIT */
/*
 * ledger.c - the asset ledger (ledger.h): names, memory, merging, the
 * description of an import and the export. Reading is in ledger_header.c
 * and ledger_import.c, the findings in ledger_check.c (ledger_impl.h);
 * the words it understands are data (vocab.c).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
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
    /* the parts' reports are bounded each; their sum has room for them */
    az_buf_init(&rep, SIZE_MAX);
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
    if (!az_csv_formula_like(s))
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
