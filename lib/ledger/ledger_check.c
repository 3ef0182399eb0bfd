/* SPDX-License-Identifier: MIT */
/*
 * ledger_check.c - the findings about a ledger's assets (ledger.h):
 * support ended, patches late, remote access, administrators and
 * contracts, known exploited vulnerabilities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"
#include "anzen/finding.h"
#include "anzen/kev.h"
#include "anzen/ledger.h"
#include "anzen/profile.h"
#include "anzen/vendor.h"
#include "ledger_impl.h"
#include "ledger_internal.h"

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
    return az_ledger_check_each(l, o, NULL, NULL);
}

json_t *az_ledger_check_each(const struct az_ledger *l, const struct az_ledger_opts *o,
                             int (*fn)(void *arg, const json_t *finding), void *arg)
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
        /* this asset's findings to fn, then dropped */
        for (size_t k = 0; fn && k < json_array_size(arr); k++) {
            const json_t *f = json_array_get(arr, k);
            gaps += !strcmp(json_string_value(json_object_get(f, "level")), "gap");
            if (fn(arg, f) < 0) {
                json_decref(arr);
                return NULL;
            }
        }
        if (fn)
            json_array_clear(arr);
    }
    for (size_t i = 0; !fn && i < json_array_size(arr); i++)
        gaps += !strcmp(json_string_value(json_object_get(json_array_get(arr, i), "level")), "gap");
    return json_pack("{s:s, s:I, s:i, s:o, s:s?}", "schema", "anzen-ledger-check/1", "assets",
                     (json_int_t)l->n, "gaps", gaps, "findings", arr, "kev-catalog",
                     o->kev ? o->kev->catalog_version : NULL);
}
