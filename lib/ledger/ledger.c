/* SPDX-License-Identifier: MIT */
/*
 * ledger.c - import and export of the asset ledger (ledger.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/ledger.h"
#include "anzen/profile.h"

static const struct {
    const char *token, *ja, *en;
    const char *aliases[6]; /* other accepted headers */
} cols[AZ_NCOLS] = {
    [AZ_COL_KIND] = {"kind", "種別", "Kind", {"機器種別", "type", "Type"}},
    [AZ_COL_NAME] = {"name", "名称", "Name", {"機器名", "ホスト名", "hostname", "Hostname"}},
    [AZ_COL_LOCATION] = {"location", "設置場所", "Location", {"場所"}},
    [AZ_COL_SEGMENT] = {"segment", "ネットワーク区分", "Segment", {"セグメント", "network"}},
    [AZ_COL_IP] = {"ip", "IPアドレス", "IP address", {"IP", "ip address", "IP Address"}},
    [AZ_COL_MAC] = {"mac", "MACアドレス", "MAC address", {"MAC", "mac address"}},
    [AZ_COL_OS] = {"os",
                   "OS・ファームウェア",
                   "OS / firmware",
                   {"OS", "ファームウェア", "firmware"}},
    [AZ_COL_VERSION] = {"version", "バージョン", "Version", {"版"}},
    [AZ_COL_SYSTEM] = {"system", "所属システム", "System", {"システム"}},
    [AZ_COL_ADMIN] = {"admin", "管理者", "Administered by", {"管理", "administrator"}},
    [AZ_COL_BROUGHT_BY] = {"brought-by", "持ち込み", "Brought in by", {"導入者", "設置者"}},
    [AZ_COL_LAST_PATCH] = {"last-patch",
                           "最終パッチ適用日",
                           "Last patch",
                           {"最終更新日", "パッチ適用日"}},
    [AZ_COL_EOL] = {"eol", "サポート終了日", "Support end", {"EOL", "保守期限"}},
    [AZ_COL_EXTERNAL] = {"external", "外部から接続可能", "Reachable from outside", {"外部接続"}},
};

static const struct {
    const char *token, *ja, *en;
    const char *aliases[4];
} kinds[] = {
    [AZ_ASSET_SERVER] = {"server", "サーバ", "Server", {"サーバー"}},
    [AZ_ASSET_TERMINAL] = {"terminal", "端末", "Terminal PC", {"端末PC", "PC", "pc"}},
    [AZ_ASSET_NETWORK] = {"network", "ネットワーク機器", "Network device", {"ルータ", "スイッチ"}},
    [AZ_ASSET_VPN] = {"vpn",
                      "VPN装置",
                      "VPN / remote-maintenance device",
                      {"VPN", "リモート保守装置", "VPN機器"}},
    [AZ_ASSET_MEDICAL] = {"medical-device", "医療機器", "Medical device", {"medical"}},
    [AZ_ASSET_OTHER] = {"other", "その他", "Other", {NULL}},
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

void az_ledger_free(struct az_ledger *l)
{
    if (!l)
        return;
    az_csv_free(l->csv);
    free(l->v);
    free(l->report);
    free(l);
}

/* Header text normalised for matching: trimmed, full-width ASCII folded,
 * spaces removed. */
static void norm(const char *in, char *out, size_t n)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;

    while (*p && o + 4 < n) {
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) {
            out[o++] = (char)(p[2] - 0x60); /* U+FF01..FF3F -> ! .. _ */
            p += 3;
        } else if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E) {
            out[o++] = (char)(p[2] - 0x20); /* U+FF40..FF5E -> ` .. ~ */
            p += 3;
        } else if (*p == ' ' || *p == '\t' || (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)) {
            p += *p == ' ' || *p == '\t' ? 1 : 3;
        } else {
            out[o++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
            p++;
        }
    }
    out[o] = '\0';
}

static bool same(const char *a, const char *b)
{
    char x[256], y[256];
    norm(a, x, sizeof(x));
    norm(b, y, sizeof(y));
    return !strcmp(x, y);
}

static int col_of(const char *h)
{
    for (int c = 0; c < AZ_NCOLS; c++) {
        if (same(h, cols[c].token) || same(h, cols[c].ja) || same(h, cols[c].en))
            return c;
        for (size_t k = 0; k < 6 && cols[c].aliases[k]; k++)
            if (same(h, cols[c].aliases[k]))
                return c;
    }
    return -1;
}

static int kind_of(const char *s)
{
    for (int k = 0; k <= AZ_ASSET_OTHER; k++) {
        if (same(s, kinds[k].token) || same(s, kinds[k].ja) || same(s, kinds[k].en))
            return k;
        for (size_t a = 0; a < 4 && kinds[k].aliases[a]; a++)
            if (same(s, kinds[k].aliases[a]))
                return k;
    }
    return -1;
}

static int yes_no(const char *s)
{
    char x[64];
    norm(s, x, sizeof(x));
    if (!*x)
        return -1;
    if (!strcmp(x, "yes") || !strcmp(x, "y") || !strcmp(x, "true") || !strcmp(x, "はい") ||
        !strcmp(x, "あり") || !strcmp(x, "可") || !strcmp(x, "○") || !strcmp(x, "1"))
        return 1;
    if (!strcmp(x, "no") || !strcmp(x, "n") || !strcmp(x, "false") || !strcmp(x, "いいえ") ||
        !strcmp(x, "なし") || !strcmp(x, "不可") || !strcmp(x, "×") || !strcmp(x, "0"))
        return 0;
    return -2;
}

int az_ledger_import(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                     bool skip_bad, struct az_ledger **ret)
{
    struct az_ledger *l = calloc(1, sizeof(*l));
    struct az_buf rep;
    int map[AZ_CSV_MAX_FIELDS];
    bool seen[AZ_NCOLS] = {false};
    const struct az_csv_row *h;
    int r;

    if (!l)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if ((r = az_csv_parse(ctx, name, data, len, AZ_CSV_AUTO, &l->csv)) < 0) {
        az_ledger_free(l);
        return r;
    }
    if (!l->csv->nrows) {
        az_ledger_free(l);
        return az_fail(ctx, AZ_ESCHEMA, "%s: 空のファイルです", "%s: empty file", name);
    }
    az_buf_init(&rep, 1u << 20);
    h = &l->csv->rows[0];
    for (size_t i = 0; i < h->n; i++) {
        map[i] = col_of(h->f[i]);
        if (map[i] >= 0 && seen[map[i]]) {
            r = az_fail(ctx, AZ_ESCHEMA, "%s:%zu: 列 \"%s\" が重複しています",
                        "%s:%zu: column \"%s\" appears twice", name, h->line, h->f[i]);
            az_buf_done(&rep);
            az_ledger_free(l);
            return r;
        }
        if (map[i] >= 0)
            seen[map[i]] = true;
        else if (h->f[i][0]) {
            r = az_fail(ctx, AZ_ESCHEMA, "%s:%zu:%zu: 未知の列 \"%s\"",
                        "%s:%zu:%zu: unknown column \"%s\"", name, h->line, i + 1, h->f[i]);
            az_buf_done(&rep);
            az_ledger_free(l);
            return r;
        }
    }
    if (!seen[AZ_COL_KIND] || !seen[AZ_COL_NAME]) {
        r = az_fail(ctx, AZ_ESCHEMA, "%s:%zu: 列「種別」と「名称」が必要です",
                    "%s:%zu: the columns kind and name are required", name, h->line);
        az_buf_done(&rep);
        az_ledger_free(l);
        return r;
    }
    l->v = calloc(l->csv->nrows, sizeof(*l->v));
    if (!l->v) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        az_buf_done(&rep);
        az_ledger_free(l);
        return r;
    }
    for (size_t ri = 1; ri < l->csv->nrows; ri++) {
        const struct az_csv_row *row = &l->csv->rows[ri];
        struct az_asset a;
        bool bad = false;
        memset(&a, 0, sizeof(a));
        a.line = row->line;
        a.external = -1;
        for (int c = 0; c < AZ_NCOLS; c++)
            a.col[c] = "";
        if (row->n > h->n) {
            az_buf_printf(&rep, "%s:%zu: %s\n", name, row->line,
                          ctx->lang == AZ_LANG_EN ? "more fields than headers"
                                                  : "見出しより欄が多くあります");
            bad = true;
        }
        for (size_t i = 0; i < row->n && i < h->n; i++)
            if (map[i] >= 0)
                a.col[map[i]] = row->f[i];
        for (size_t i = 0; i < h->n && !bad; i++) {
            int c = map[i];
            const char *v = c >= 0 ? a.col[c] : "";
            int k;
            if (c == AZ_COL_KIND) {
                if ((k = kind_of(v)) < 0) {
                    az_buf_printf(&rep,
                                  ctx->lang == AZ_LANG_EN ? "%s:%zu:%zu: unknown kind \"%s\"\n"
                                                          : "%s:%zu:%zu: 種別 \"%s\" は不明です\n",
                                  name, row->line, i + 1, v);
                    bad = true;
                } else {
                    a.kind = (enum az_asset_kind)k;
                }
            } else if (c == AZ_COL_NAME && !*v) {
                az_buf_printf(&rep,
                              ctx->lang == AZ_LANG_EN ? "%s:%zu:%zu: name is empty\n"
                                                      : "%s:%zu:%zu: 名称が空です\n",
                              name, row->line, i + 1);
                bad = true;
            } else if ((c == AZ_COL_LAST_PATCH || c == AZ_COL_EOL) && *v) {
                struct az_date d;
                if (az_date_parse(v, true, &d) < 0) {
                    az_buf_printf(&rep,
                                  ctx->lang == AZ_LANG_EN ? "%s:%zu:%zu: invalid date \"%s\"\n"
                                                          : "%s:%zu:%zu: 日付 \"%s\" が不正です\n",
                                  name, row->line, i + 1, v);
                    bad = true;
                } else if (c == AZ_COL_EOL) {
                    a.eol = d;
                    a.has_eol = true;
                } else {
                    a.last_patch = d;
                    a.has_last_patch = true;
                }
            } else if (c == AZ_COL_EXTERNAL) {
                a.external = yes_no(v);
                if (a.external == -2) {
                    az_buf_printf(&rep,
                                  ctx->lang == AZ_LANG_EN
                                      ? "%s:%zu:%zu: \"%s\" is not yes or no\n"
                                      : "%s:%zu:%zu: \"%s\" は はい/いいえ ではありません\n",
                                  name, row->line, i + 1, v);
                    bad = true;
                }
            }
        }
        if (bad) {
            l->rejected++;
            continue;
        }
        l->v[l->n++] = a;
    }
    if (rep.len)
        l->report = az_buf_take(&rep);
    az_buf_done(&rep);
    if (l->rejected && !skip_bad) {
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

int az_ledger_write_csv(const struct az_ledger *l, struct az_buf *b)
{
    const char *row[AZ_NCOLS];
    int r = az_buf_add(b, "\xEF\xBB\xBF", 3);

    for (int c = 0; c < AZ_NCOLS; c++)
        row[c] = cols[c].ja;
    if (!r)
        r = az_csv_write_row(b, row, AZ_NCOLS);
    for (size_t i = 0; !r && i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        char d1[16], d2[16];
        for (int c = 0; c < AZ_NCOLS; c++)
            row[c] = a->col[c];
        row[AZ_COL_KIND] = kinds[a->kind].ja;
        if (a->has_last_patch) {
            az_date_iso(a->last_patch, d1, sizeof(d1));
            row[AZ_COL_LAST_PATCH] = d1;
        }
        if (a->has_eol) {
            az_date_iso(a->eol, d2, sizeof(d2));
            row[AZ_COL_EOL] = d2;
        }
        if (a->external >= 0)
            row[AZ_COL_EXTERNAL] = a->external ? "はい" : "いいえ";
        r = az_csv_write_row(b, row, AZ_NCOLS);
    }
    return r;
}

/* ---- findings ---- */

static bool blank_admin(const char *s)
{
    return !*s || same(s, "なし") || same(s, "none") || same(s, "不明") || same(s, "unknown") ||
           same(s, "-");
}

static bool institution_admin(const char *s)
{
    return same(s, "institution") || same(s, "院内") || same(s, "自院") || same(s, "当院") ||
           same(s, "in-house");
}

static void finding(json_t *arr, const struct az_asset *a, const char *rule, const char *level,
                    const char *items, const char *ja, const char *en)
{
    json_t *it = json_array();
    char buf[256];
    const char *p = items;

    while (*p) {
        size_t n = strcspn(p, " ");
        snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
        json_array_append_new(it, json_string(buf));
        p += n;
        while (*p == ' ')
            p++;
    }
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:o, s:s, s:s}", "rule", rule,
                                         "level", level, "asset", a->col[AZ_COL_NAME], "line",
                                         (json_int_t)a->line, "items", it, "ja", ja, "en", en));
}

json_t *az_ledger_check(const struct az_ledger *l, const struct az_profile *p, struct az_date as_of,
                        int patch_days)
{
    json_t *arr = json_array();
    char ja[512], en[512], d[16];
    int gaps = 0;

    for (size_t i = 0; i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        const char *adm = a->col[AZ_COL_ADMIN], *name = a->col[AZ_COL_NAME];
        const struct az_system *sys = NULL;
        bool netdev = a->kind == AZ_ASSET_NETWORK || a->kind == AZ_ASSET_VPN;

        for (size_t k = 0; p && k < p->nsystems; k++)
            if (*a->col[AZ_COL_SYSTEM] && (!strcmp(p->systems[k].id, a->col[AZ_COL_SYSTEM]) ||
                                           same(p->systems[k].name, a->col[AZ_COL_SYSTEM])))
                sys = &p->systems[k];
        if (blank_admin(adm)) {
            snprintf(ja, sizeof(ja), "%s: 管理者がいません%s", name,
                     a->kind == AZ_ASSET_VPN ? " (誰も更新しない VPN 装置は攻撃の入口になります)"
                                             : "");
            snprintf(en, sizeof(en), "%s: nobody administers it%s", name,
                     a->kind == AZ_ASSET_VPN ? " (an unpatched VPN device is a way in)" : "");
            finding(arr, a, "no-admin", "gap", "cl-r7.h.asset-ledger cl-r7.h.patches", ja, en);
        } else if (!institution_admin(adm)) {
            bool contract = false;
            for (size_t k = 0; p && k < p->nsystems; k++)
                if (p->systems[k].vendor && same(p->systems[k].vendor, adm))
                    contract = true;
            if (!contract) {
                snprintf(ja, sizeof(ja), "%s: 管理者「%s」との契約が記録されていません", name, adm);
                snprintf(en, sizeof(en), "%s: administered by \"%s\" with no contract on file",
                         name, adm);
                finding(arr, a, "vendor-no-contract", "gap", "cl-r7.h.asset-ledger cl-r7.h.mds-sds",
                        ja, en);
            }
        }
        if (a->kind == AZ_ASSET_VPN && !(sys && sys->remote_maintenance)) {
            snprintf(ja, sizeof(ja),
                     "%s: リモート保守の装置ですが、事業者と確認したシステム (プロファイルの "
                     "remote-maintenance) に結びついていません",
                     name);
            snprintf(en, sizeof(en),
                     "%s: a remote-maintenance device not tied to a system confirmed with its "
                     "vendor (profile remote-maintenance)",
                     name);
            finding(arr, a, "remote-unconfirmed", "gap", "cl-r7.h.remote-maintenance", ja, en);
        }
        if (a->has_eol) {
            long left = az_date_to_days(a->eol) - az_date_to_days(as_of);
            az_date_iso(a->eol, d, sizeof(d));
            if (left < 0) {
                snprintf(ja, sizeof(ja), "%s: サポート終了日 %s を過ぎています", name, d);
                snprintf(en, sizeof(en), "%s: past its support end (%s)", name, d);
                finding(arr, a, "eol", "gap", "cl-r7.h.patches", ja, en);
            } else if (left <= 180) {
                snprintf(ja, sizeof(ja), "%s: サポート終了日 %s まで 180 日以内", name, d);
                snprintf(en, sizeof(en), "%s: support ends within 180 days (%s)", name, d);
                finding(arr, a, "eol", "attention", "cl-r7.h.patches", ja, en);
            }
        }
        if (a->has_last_patch) {
            long age = az_date_to_days(as_of) - az_date_to_days(a->last_patch);
            if (age > patch_days) {
                az_date_iso(a->last_patch, d, sizeof(d));
                snprintf(ja, sizeof(ja), "%s: 最後のパッチ適用 (%s) から %ld 日", name, d, age);
                snprintf(en, sizeof(en), "%s: %ld days since the last patch (%s)", name, age, d);
                finding(arr, a, "patch-age", netdev ? "gap" : "attention", "cl-r7.h.patches", ja,
                        en);
            }
        } else if (netdev) {
            snprintf(ja, sizeof(ja), "%s: パッチ適用日が記録されていません", name);
            snprintf(en, sizeof(en), "%s: no patch date recorded", name);
            finding(arr, a, "patch-age", "attention", "cl-r7.h.patches", ja, en);
        }
        if (a->external == 1 && !netdev) {
            snprintf(ja, sizeof(ja), "%s: 外部から接続できる%s", name,
                     az_asset_kind_name(a->kind, AZ_LANG_JA));
            snprintf(en, sizeof(en), "%s: a %s reachable from outside", name,
                     az_asset_kind_name(a->kind, AZ_LANG_EN));
            finding(arr, a, "exposed", "gap", "cl-r7.h.connection-source", ja, en);
        }
    }
    for (size_t i = 0; i < json_array_size(arr); i++)
        gaps += !strcmp(json_string_value(json_object_get(json_array_get(arr, i), "level")), "gap");
    return json_pack("{s:s, s:I, s:i, s:o}", "schema", "anzen-ledger-check/1", "assets",
                     (json_int_t)l->n, "gaps", gaps, "findings", arr);
}
