/* SPDX-License-Identifier: MIT */
/*
 * ledger.c - import and export of the asset ledger (ledger.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/finding.h"
#include "anzen/kev.h"
#include "anzen/ledger.h"
#include "anzen/vendor.h"
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
        bool bad = false, empty = true;
        /* rows with every field empty (Excel leaves them) are not assets */
        for (size_t i = 0; i < row->n && empty; i++)
            empty = !*row->f[i];
        if (empty)
            continue;
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
        /* the marker the XLSX export shows in an empty administrator cell */
        if (!strcmp(a.col[AZ_COL_ADMIN], AZ_LEDGER_NO_ADMIN) ||
            !strcmp(a.col[AZ_COL_ADMIN], "（管理者なし）"))
            a.col[AZ_COL_ADMIN] = "";
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
    int r = az_buf_add(b, "\xEF\xBB\xBF", 3);
    return r ? r : az_ledger_write_rows(l, AZ_LANG_JA, b);
}

int az_ledger_write_rows(const struct az_ledger *l, enum az_lang lang, struct az_buf *b)
{
    const char *row[AZ_NCOLS];
    bool en = lang == AZ_LANG_EN;
    int r;

    for (int c = 0; c < AZ_NCOLS; c++)
        row[c] = en ? cols[c].en : cols[c].ja;
    r = az_csv_write_row(b, row, AZ_NCOLS);
    for (size_t i = 0; !r && i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        char d1[16], d2[16];
        for (int c = 0; c < AZ_NCOLS; c++)
            row[c] = a->col[c];
        row[AZ_COL_KIND] = en ? kinds[a->kind].token : kinds[a->kind].ja;
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
        r = az_csv_write_row(b, row, AZ_NCOLS);
    }
    return r;
}

/* ---- findings ---- */

static bool blank_admin(const char *s)
{
    return !*s || same(s, "なし") || same(s, "none") || same(s, "不明") || same(s, "unknown") ||
           same(s, "-") || same(s, "管理者なし");
}

static bool institution_admin(const char *s)
{
    return same(s, "institution") || same(s, "院内") || same(s, "自院") || same(s, "当院") ||
           same(s, "in-house");
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

/* Is adm a vendor with a contract on file: in the registry when there is
 * one (by name or ID), else among the profile's system vendors. Sets
 * *ended when the registry's contract has ended. */
static bool has_contract(const struct az_ledger_opts *o, const char *adm, bool *ended)
{
    *ended = false;
    if (o->vendors) {
        for (size_t k = 0; k < o->vendors->n; k++) {
            const struct az_vendor *v = &o->vendors->v[k];
            if (!same(v->name, adm) && !same(v->id, adm))
                continue;
            if (!v->has_contract_start && !v->has_contract_end)
                return false;
            *ended = v->has_contract_end && az_date_cmp(v->contract_end, o->as_of) < 0;
            return !*ended;
        }
        return false;
    }
    for (size_t k = 0; o->profile && k < o->profile->nsystems; k++)
        if (o->profile->systems[k].vendor && same(o->profile->systems[k].vendor, adm))
            return true;
    return false;
}

/* The KEV rule: a device whose firmware is a remote-access appliance
 * family, matched against the curated ranges. */
static void kev_rule(json_t *arr, const struct az_asset *a, const struct az_kev *k)
{
    const char *name = a->col[AZ_COL_NAME], *ver = a->col[AZ_COL_VERSION];
    const struct az_kev_family *f = az_kev_family_for(k, a->col[AZ_COL_OS]);
    bool vpn = a->kind == AZ_ASSET_VPN; /* also bears on remote maintenance */
    struct az_kev_hit *h = NULL;
    size_t n = 0, ransom = 0, head = 0;
    const char *upgrade = NULL, *after = NULL;
    bool nofix = false;
    char ja[1024], en[1024], norm[128], up_ja[256], up_en[256], more[32] = "";
    json_t *cves, *fnd;

    if (!f)
        return;
    az_kev_normalise(f, ver, norm, sizeof(norm));
    if (!*norm) {
        snprintf(ja, sizeof(ja),
                 "%s: %s の版が台帳にないため、KEV (既知の悪用された脆弱性) と照合できません。"
                 "事業者に版を確認してください",
                 name, f->name.ja);
        snprintf(en, sizeof(en),
                 "%s: no %s version in the ledger, so it cannot be checked against KEV (known "
                 "exploited vulnerabilities); ask the vendor for the version",
                 name, f->name.en);
        finding(arr, a, vpn ? "kev-no-version/vpn" : "kev-no-version", "attention", ja, en);
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
            snprintf(ja, sizeof(ja),
                     "%s: %s %s は、anzen が版を確かめた KEV の脆弱性には該当しませんが、KEV には"
                     "版の範囲を確かめていない項目が %zu 件あります (%s など)。事業者に該当しないか"
                     "確認してください",
                     name, f->name.ja, norm, nu, u[0]->cve);
            snprintf(en, sizeof(en),
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
        snprintf(up_ja, sizeof(up_ja), "%s 系には修正版がないため、サポートされる系へ移行し", br);
        snprintf(up_en, sizeof(up_en), "there is no fix in the %s train: move to a supported one",
                 br);
    } else if (after && (!upgrade || az_version_cmp(after, upgrade) >= 0)) {
        snprintf(up_ja, sizeof(up_ja), "%s より新しい修正版へ更新し", after);
        snprintf(up_en, sizeof(up_en), "upgrade to a fixed release newer than %s", after);
    } else {
        snprintf(up_ja, sizeof(up_ja), "%s 以上へ更新し", upgrade);
        snprintf(up_en, sizeof(up_en), "upgrade to %s or later", upgrade);
    }
    if (n > 1)
        snprintf(more, sizeof(more), " and %zu more", n - 1);
    if (n == 1)
        snprintf(ja, sizeof(ja),
                 "%s: %s %s は KEV (既知の悪用された脆弱性、%s 版) の %s の影響範囲にあります "
                 "(ランサムウェアでの悪用 %zu 件)。%s、更新後に VPN の認証情報をすべて変更して"
                 "ください",
                 name, f->name.ja, norm, k->catalog_version, h[head].rule->cve, ransom, up_ja);
    else
        snprintf(ja, sizeof(ja),
                 "%s: %s %s は KEV (既知の悪用された脆弱性、%s 版) の %s ほか %zu 件の影響範囲に"
                 "あります (ランサムウェアでの悪用 %zu 件)。%s、更新後に VPN の認証情報をすべて"
                 "変更してください",
                 name, f->name.ja, norm, k->catalog_version, h[head].rule->cve, n - 1, ransom,
                 up_ja);
    snprintf(en, sizeof(en),
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

json_t *az_ledger_check_opts(const struct az_ledger *l, const struct az_ledger_opts *o)
{
    const struct az_profile *p = o->profile;
    const struct az_date as_of = o->as_of;
    const int patch_days = o->patch_days;
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
            finding(arr, a, "no-admin", "gap", ja, en);
        } else if (!institution_admin(adm)) {
            bool ended;
            if (!has_contract(o, adm, &ended)) {
                if (ended) {
                    snprintf(ja, sizeof(ja), "%s: 管理者「%s」との契約が終わっています", name, adm);
                    snprintf(en, sizeof(en),
                             "%s: the contract with \"%s\", who administers it, "
                             "has ended",
                             name, adm);
                } else {
                    snprintf(ja, sizeof(ja), "%s: 管理者「%s」との契約が記録されていません", name,
                             adm);
                    snprintf(en, sizeof(en), "%s: administered by \"%s\" with no contract on file",
                             name, adm);
                }
                finding(arr, a, "vendor-no-contract", "gap", ja, en);
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
            finding(arr, a, "remote-unconfirmed", "gap", ja, en);
        }
        if (a->has_eol) {
            long left = az_date_to_days(a->eol) - az_date_to_days(as_of);
            az_date_iso(a->eol, d, sizeof(d));
            if (left < 0) {
                snprintf(ja, sizeof(ja), "%s: サポート終了日 %s を過ぎています", name, d);
                snprintf(en, sizeof(en), "%s: past its support end (%s)", name, d);
                finding(arr, a, "eol", "gap", ja, en);
            } else if (left <= 180) {
                snprintf(ja, sizeof(ja), "%s: サポート終了日 %s まで 180 日以内", name, d);
                snprintf(en, sizeof(en), "%s: support ends within 180 days (%s)", name, d);
                finding(arr, a, "eol", "attention", ja, en);
            }
        }
        if (a->has_last_patch) {
            long age = az_date_to_days(as_of) - az_date_to_days(a->last_patch);
            if (age > patch_days) {
                az_date_iso(a->last_patch, d, sizeof(d));
                snprintf(ja, sizeof(ja), "%s: 最後のパッチ適用 (%s) から %ld 日", name, d, age);
                snprintf(en, sizeof(en), "%s: %ld days since the last patch (%s)", name, age, d);
                finding(arr, a, "patch-age", netdev ? "gap" : "attention", ja, en);
            }
        } else if (netdev) {
            snprintf(ja, sizeof(ja), "%s: パッチ適用日が記録されていません", name);
            snprintf(en, sizeof(en), "%s: no patch date recorded", name);
            finding(arr, a, "patch-age", "attention", ja, en);
        }
        if (o->kev && netdev)
            kev_rule(arr, a, o->kev);
        if (a->external == 1 && !netdev) {
            snprintf(ja, sizeof(ja), "%s: 外部から接続できる%s", name,
                     az_asset_kind_name(a->kind, AZ_LANG_JA));
            snprintf(en, sizeof(en), "%s: a %s reachable from outside", name,
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
