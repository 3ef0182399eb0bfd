/* SPDX-License-Identifier: MIT */
/*
 * findings.c - what the scan results mean for the checklist: the three
 * failures the regulation was written against (an unmanaged VPN box,
 * plaintext medical traffic where encryption was an option, a
 * departmental system reachable from everywhere) and the legacy services
 * around them. Each finding names the checklist and guideline items it is
 * evidence for, keeps the host, port and raw evidence it rests on, and
 * can be fed to the plan (az_plan_add_finding).
 *
 * Rules (docs/scan.md lists them with their items):
 *   remote-access      a remote-access appliance answers (with version or
 *                      build date when it shows one)
 *   kev                its version lies in a known-exploited range (CISA KEV
 *                      with anzen's curated ranges; the catalog date is named)
 *   kev-no-version     the version is not visible, so KEV cannot be checked
 *   not-in-ledger      a live host the ledger does not list
 *   plaintext-dicom    DICOM accepted without TLS
 *   dicom-any-ae       DICOM accepts an arbitrary called AE title
 *   plaintext-hl7      HL7 MLLP without TLS
 *   db-no-tls          PostgreSQL / MySQL / SQL Server without TLS
 *   db-tls-optional    SQL Server encrypting the login only
 *   telnet, ftp-plain, smb1, rdp-no-nla, vnc-no-auth, vnc-password
 *   legacy-tls         TLS 1.0 or 1.1 still accepted
 *   cert-expired, cert-self-signed
 *   cross-segment      a ledger asset answering from another segment
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/finding.h"
#include "anzen/kev.h"
#include "anzen/ledger.h"
#include "scan_internal.h"

struct fctx {
    json_t *arr;
    int gaps, attention;
    const struct az_kev *kev;
};

/* The ledger asset at this address (the IP column may list several,
 * separated by anything that is not part of an address). */
static const struct az_asset *ledger_asset(const struct az_ledger *l, const struct az_scan_host *h)
{
    for (size_t i = 0; l && i < l->n; i++) {
        const char *ip = l->v[i].col[AZ_COL_IP];
        while (ip && *ip) {
            char one[64];
            size_t n = strspn(ip, "0123456789abcdefABCDEF.:");
            if (!n) {
                ip++;
                continue;
            }
            if (n < sizeof(one)) {
                unsigned char a[16];
                memcpy(one, ip, n);
                one[n] = '\0';
                if (inet_pton(h->family, one, a) == 1 &&
                    !memcmp(a, h->addr, h->family == AF_INET6 ? 16 : 4))
                    return &l->v[i];
            }
            ip += n;
        }
    }
    return NULL;
}

/* One finding of rule (topics from data/rules/rules.yaml) about host h,
 * port p (may be NULL) and ledger asset a (may be NULL). */
static json_t *add(struct fctx *f, const char *rule, const char *level,
                   const struct az_scan_host *h, const struct az_scan_port *p,
                   const struct az_asset *a, const char *ja, const char *en)
{
    struct az_finding fd;
    json_t *o;

    az_finding_start(&fd, "scan", rule, level, ja, en);
    fd.host = h->text;
    o = az_finding_json(&fd);
    if (p)
        json_object_set_new(o, "port", json_integer(p->port));
    if (a) {
        json_object_set_new(o, "asset", json_string(a->col[AZ_COL_NAME]));
        json_object_set_new(o, "ledger_line", json_integer((json_int_t)a->line));
    }
    if (h->segment)
        json_object_set_new(o, "segment", json_string(h->segment));
    if (p && p->svc && p->svc->nev) {
        /* the exchange the finding rests on: the last one that got bytes */
        const struct az_scan_evidence *e = &p->svc->ev[0];
        for (size_t i = 0; i < p->svc->nev; i++)
            if (p->svc->ev[i].len)
                e = &p->svc->ev[i];
        char *esc = az__escape_bytes(e->data, e->len > 160 ? 160 : e->len);
        char t0[32];
        az__iso_us(e->start_us, t0, sizeof(t0));
        json_object_set_new(o, "evidence",
                            json_pack("{s:s, s:b, s:s, s:I, s:s}", "probe", e->probe, "tls", e->tls,
                                      "received", esc ? esc : "", "received_len",
                                      (json_int_t)e->total, "at", t0));
        free(esc);
    }
    if (!strcmp(level, "gap"))
        f->gaps++;
    else
        f->attention++;
    json_array_append_new(f->arr, o);
    return o;
}

/* The appliance's version against the known-exploited list. */
static void kev_findings(struct fctx *f, const struct az_scan_host *h, const struct az_scan_port *p,
                         const struct az_asset *a, const char *hp)
{
    const struct az_appliance *ap = &p->svc->app;
    const struct az_kev *k = f->kev;
    const struct az_kev_family *fam = k ? az_kev_family(k, ap->family) : NULL;
    AZ_AUTOFREE char *ja = NULL, *en = NULL;
    char norm[128];
    struct az_kev_hit *hit = NULL;
    size_t n = 0, ransom = 0, head = 0, known = 0;
    const char *upgrade = NULL;
    json_t *o, *cves;

    if (!fam)
        return;
    for (size_t i = 0; i < k->nrules; i++)
        known += k->rules[i].family == fam;
    if (!*ap->version) {
        az_strf(&ja,
                "%s: %s の版が外から分からないため、KEV (既知の悪用された脆弱性、%s 版: anzen "
                "が版の範囲を確かめた項目 %zu 件) と照合できません%s%s%s。事業者に版を確認して"
                "ください",
                hp, fam->name.ja, k->catalog_version, known, *ap->build_date ? " (ビルド日 " : "",
                ap->build_date, *ap->build_date ? ")" : "");
        az_strf(&en,
                "%s: the %s version is not visible, so it cannot be checked against KEV (known "
                "exploited vulnerabilities, catalog %s; %zu entries with ranges anzen "
                "checked)%s%s%s; ask the vendor for the version",
                hp, fam->name.en, k->catalog_version, known, *ap->build_date ? " (build date " : "",
                ap->build_date, *ap->build_date ? ")" : "");
        o = add(f, "kev-no-version", "attention", h, p, a, ja, en);
        json_object_set_new(o, "kev_catalog", json_string(k->catalog_version));
        return;
    }
    az_kev_normalise(fam, ap->version, norm, sizeof(norm));
    if (az_kev_match(k, fam->id, ap->version, &hit, &n) < 0 || !n) {
        free(hit);
        return;
    }
    cves = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct az_kev_rule *ru = hit[i].rule;
        bool rw = ru->entry && ru->entry->ransomware;
        ransom += rw;
        if (rw && !(hit[head].rule->entry && hit[head].rule->entry->ransomware))
            head = i;
        if (hit[i].range->fixed && (!upgrade || az_version_cmp(hit[i].range->fixed, upgrade) > 0))
            upgrade = hit[i].range->fixed;
        json_array_append_new(cves, json_pack("{s:s, s:b, s:s?}", "cve", ru->cve, "ransomware", rw,
                                              "fixed", hit[i].range->fixed));
    }
    az_strf(&ja,
            "%s: %s %s は KEV (既知の悪用された脆弱性、%s 版) の %s%s の影響範囲にあります "
            "(うちランサムウェアでの悪用 %zu 件)。%s%s更新し、更新後に VPN の認証情報を"
            "すべて変更してください",
            hp, fam->name.ja, norm, k->catalog_version, hit[head].rule->cve, n > 1 ? " ほか" : "",
            ransom, upgrade ? upgrade : "", upgrade ? " 以上へ" : "修正版へ");
    az_strf(&en,
            "%s: %s %s is affected by %s%s in KEV (known exploited vulnerabilities, catalog "
            "%s; %zu used by ransomware): upgrade to %s%s, then change every VPN credential",
            hp, fam->name.en, norm, hit[head].rule->cve, n > 1 ? " and more" : "",
            k->catalog_version, ransom, upgrade ? upgrade : "a fixed release",
            upgrade ? " or later" : "");
    o = add(f, "kev", "gap", h, p, a, ja, en);
    json_object_set_new(o, "kev_catalog", json_string(k->catalog_version));
    json_object_set_new(o, "family", json_string(fam->id));
    json_object_set_new(o, "version", json_string(norm));
    json_object_set_new(o, "cves", cves);
    free(hit);
}

static bool clinical(const struct az_asset *a)
{
    return a && (a->kind == AZ_ASSET_SERVER || a->kind == AZ_ASSET_MEDICAL);
}

static void service_findings(struct fctx *f, const struct az_scan_host *h,
                             const struct az_scan_port *p, const struct az_asset *a, int64_t now_s)
{
    const struct az_service *v = p->svc;
    AZ_AUTOFREE char *ja = NULL, *en = NULL;
    const char *who = a ? a->col[AZ_COL_NAME] : h->text;
    AZ_AUTOFREE char *hp = NULL;

    az_strf(&hp, h->family == AF_INET6 && !a ? "[%s]:%u" : "%s:%u", who, p->port);

    if (!v)
        return;
    if (v->has_appliance) {
        AZ_AUTOFREE char *ver_ja = NULL, *ver_en = NULL;
        if (*v->app.version) {
            az_strf(&ver_ja, " (版 %s)", v->app.version);
            az_strf(&ver_en, " (version %s)", v->app.version);
        } else if (*v->app.build_date) {
            az_strf(&ver_ja, " (ビルド日 %s 以前の版)", v->app.build_date);
            az_strf(&ver_en, " (a build of %s or older)", v->app.build_date);
        } else {
            az_strf(&ver_ja, " (版は外から分かりません)");
            az_strf(&ver_en, " (version not visible from outside)");
        }
        az_strf(&ja,
                "%s: リモート接続装置 %s%s。管理者と版を確かめ、最新の修正版に更新し、更新後も "
                "VPN の認証情報 (パスワード・証明書) を変えてください",
                hp, v->app.product, ver_ja);
        az_strf(&en,
                "%s: remote-access appliance %s%s. Confirm who administers it and its "
                "version, update to the latest fixed release, and rotate the VPN credentials "
                "even after upgrading",
                hp, v->app.product, ver_en);
        add(f, "remote-access", "gap", h, p, a, ja, en);
        kev_findings(f, h, p, a, hp);
    }
    if (!strcmp(v->name, "dicom") && v->plaintext == AZ_YES) {
        az_strf(&ja,
                "%s: DICOM が暗号化なし (TLS なし) で接続を受け付けます。画像と患者情報が "
                "平文で流れます",
                hp);
        az_strf(&en,
                "%s: DICOM accepts associations without TLS; images and patient data travel "
                "in clear",
                hp);
        add(f, "plaintext-dicom", "gap", h, p, a, ja, en);
    }
    if (!strcmp(v->name, "dicom") && v->no_auth == AZ_YES) {
        az_strf(&ja,
                "%s: DICOM が任意の呼び出し先 AE タイトルを受け入れます (接続元を制限して "
                "いません)",
                hp);
        az_strf(&en,
                "%s: DICOM accepts an arbitrary called AE title (connections are not "
                "restricted)",
                hp);
        add(f, "dicom-any-ae", "attention", h, p, a, ja, en);
    }
    /* proven MLLP without TLS is a gap; a listener on an MLLP port that
     * refuses TLS and stays silent is only "not confirmed" (attention) */
    if (!strcmp(v->name, "hl7-mllp") &&
        ((v->probed && v->plaintext == AZ_YES) || (v->unconfirmed && v->plaintext != AZ_NO))) {
        bool sure = v->probed && v->conf >= 10;
        if (sure) {
            az_strf(&ja, "%s: HL7 (MLLP) が暗号化なしで待ち受けています", hp);
            az_strf(&en, "%s: HL7 MLLP listening without TLS", hp);
        } else {
            az_strf(&ja,
                    "%s: HL7 (MLLP) の可能性がありますが未確認です (TLS なし、空のフレームに無応答)"
                    "。送受信する機器の設定で、この待ち受けが何か、TLS を使っているかを確かめて"
                    "ください",
                    hp);
            az_strf(&en,
                    "%s: possibly HL7 MLLP, not confirmed (no TLS; silent on an empty frame). "
                    "Check in the sending and receiving systems' settings what listens here and "
                    "whether it uses TLS",
                    hp);
        }
        add(f, "plaintext-hl7", sure ? "gap" : "attention", h, p, a, ja, en);
    }
    /* a DICOM port whose peer accepted the connection but did not answer
     * the association in time: what to check, never a gap */
    if (!strcmp(v->name, "dicom") && v->unconfirmed) {
        az_strf(&ja,
                "%s: DICOM の可能性がありますが未確認です (関連付けの要求に時間内の応答なし: "
                "%s)。機器か PACS の設定で、DICOM が TLS を使っているか、接続元を AE タイトルや"
                "アドレスで制限しているかを確かめてください",
                hp, v->info);
        az_strf(&en,
                "%s: possibly DICOM, not confirmed (%s). Check in the device's or PACS's "
                "settings whether DICOM uses TLS and whether callers are restricted by AE "
                "title or address",
                hp, v->info);
        add(f, "plaintext-dicom", "attention", h, p, a, ja, en);
    }
    if ((!strcmp(v->name, "postgresql") || !strcmp(v->name, "mysql") ||
         !strcmp(v->name, "ms-sql")) &&
        v->tls_offered == AZ_NO) {
        az_strf(&ja, "%s: データベース (%s) が TLS を提供していません。通信が暗号化されません", hp,
                v->name);
        az_strf(&en, "%s: database (%s) offers no TLS; its traffic is not encrypted", hp, v->name);
        add(f, "db-no-tls", "gap", h, p, a, ja, en);
    } else if (!strcmp(v->name, "ms-sql") && v->mssql_encrypt == 0) {
        az_strf(&ja, "%s: SQL Server はログインだけを暗号化し、データは平文です (暗号化の強制なし)",
                hp);
        az_strf(&en,
                "%s: SQL Server encrypts the login only; data travels in clear (encryption "
                "not forced)",
                hp);
        add(f, "db-tls-optional", "attention", h, p, a, ja, en);
    }
    /* a name from the port number alone (probed false) is shown as a
     * guess and never makes a finding */
    if (v->probed && !strcmp(v->name, "telnet")) {
        az_strf(&ja, "%s: telnet (パスワードも平文) が動いています", hp);
        az_strf(&en, "%s: telnet is running (passwords in clear)", hp);
        add(f, "telnet", "gap", h, p, a, ja, en);
    }
    if (v->probed && !strcmp(v->name, "ftp")) {
        bool tls = v->tls_offered == AZ_YES;
        az_strf(&ja, "%s: FTP が動いています%s", hp,
                tls ? " (AUTH TLS はあるが平文のログインも可能)" : " (TLS なし: パスワードも平文)");
        az_strf(&en, "%s: FTP is running%s", hp,
                tls ? " (AUTH TLS offered, plaintext logins still possible)"
                    : " (no TLS: passwords in clear)");
        add(f, "ftp-plain", tls ? "attention" : "gap", h, p, a, ja, en);
    }
    if (v->smb1 == AZ_YES) {
        az_strf(&ja, "%s: SMBv1 が有効です (WannaCry などが使った古い版)", hp);
        az_strf(&en, "%s: SMBv1 is enabled (the old dialect WannaCry spread over)", hp);
        add(f, "smb1", "gap", h, p, a, ja, en);
    }
    if (!strcmp(v->name, "rdp") && v->nla == AZ_NO) {
        az_strf(&ja, "%s: リモートデスクトップがネットワークレベル認証 (NLA) を求めていません", hp);
        az_strf(&en, "%s: Remote Desktop does not require network level authentication (NLA)", hp);
        add(f, "rdp-no-nla", "gap", h, p, a, ja, en);
    }
    if (v->probed && !strcmp(v->name, "vnc")) {
        bool none = v->no_auth == AZ_YES;
        az_strf(&ja, "%s: VNC %s", hp,
                none ? "がパスワードなし (認証 None) で操作を受け付けます"
                     : "が動いています (パスワードのみ、通信は暗号化されません)");
        az_strf(&en, "%s: VNC %s", hp,
                none ? "accepts control without a password (security type None)"
                     : "is running (password only, traffic not encrypted)");
        add(f, none ? "vnc-no-auth" : "vnc-password", none ? "gap" : "attention", h, p, a, ja, en);
    }
    if (v->tlsi.done && (v->tlsi.tls10 == AZ_YES || v->tlsi.tls11 == AZ_YES)) {
        const char *which = v->tlsi.tls10 == AZ_YES && v->tlsi.tls11 == AZ_YES ? "TLS 1.0/1.1"
                            : v->tlsi.tls10 == AZ_YES                          ? "TLS 1.0"
                                                                               : "TLS 1.1";
        az_strf(&ja, "%s: 古い %s をまだ受け付けます", hp, which);
        az_strf(&en, "%s: still accepts the old %s", hp, which);
        add(f, "legacy-tls", clinical(a) ? "gap" : "attention", h, p, a, ja, en);
    }
    if (v->tlsi.done && v->tlsi.not_after_epoch && v->tlsi.not_after_epoch < now_s) {
        az_strf(&ja, "%s: 証明書の期限が %s に切れています", hp, v->tlsi.not_after);
        az_strf(&en, "%s: the certificate expired on %s", hp, v->tlsi.not_after);
        add(f, "cert-expired", clinical(a) ? "gap" : "attention", h, p, a, ja, en);
    }
    if (v->tlsi.done && v->tlsi.self_signed && !v->has_appliance) {
        az_strf(&ja, "%s: 自己署名の証明書です (なりすましを見分けられません)", hp);
        az_strf(&en,
                "%s: self-signed certificate (impersonation cannot be told "
                "apart)",
                hp);
        add(f, "cert-self-signed", "attention", h, p, a, ja, en);
    }
}

/* Reachability: segment of the target (from the ledger) x ports. */
static json_t *reach_entry(const char *from, const struct az_scan_host *h, const struct az_asset *a)
{
    json_t *ports = json_array();
    for (size_t k = 0; k < h->nports; k++)
        json_array_append_new(ports, json_integer(h->ports[k].port));
    json_t *o = json_pack("{s:s, s:o, s:s, s:o}", "from", from, "to",
                          h->segment ? json_string(h->segment) : json_null(), "host", h->text,
                          "ports", ports);
    if (a)
        json_object_set_new(o, "asset", json_string(a->col[AZ_COL_NAME]));
    return o;
}

int az_scan_check(struct az_ctx *ctx, struct az_scan *s, const struct az_ledger *l,
                  const struct az_kev *kev, int64_t now_s, json_t **ret)
{
    struct fctx f = {json_array(), 0, 0, kev};
    json_t *reach = json_array();
    AZ_AUTOFREE char *ja = NULL, *en = NULL;

    if (!f.arr || !reach)
        return AZ_ENOMEM;
    for (size_t i = 0; i < s->nhosts; i++) {
        struct az_scan_host *h = &s->hosts[i];
        const struct az_asset *a = ledger_asset(l, h);
        bool appliance = false;
        if (a && *a->col[AZ_COL_SEGMENT] && !h->segment)
            h->segment = strdup(a->col[AZ_COL_SEGMENT]);
        for (size_t k = 0; k < h->nports; k++) {
            service_findings(&f, h, &h->ports[k], a, now_s);
            appliance |= h->ports[k].svc && h->ports[k].svc->has_appliance;
        }
        if (l && !a) {
            az_strf(&ja, "%s: 台帳にない機器が応答しています%s", h->text,
                    appliance ? " (リモート接続装置: 誰も管理していない VPN 装置の疑い)" : "");
            az_strf(&en, "%s: a device not in the ledger answers%s", h->text,
                    appliance ? " (a remote-access appliance: possibly a VPN box nobody "
                                "administers)"
                              : "");
            add(&f, appliance ? "not-in-ledger/appliance" : "not-in-ledger", "gap", h, NULL, NULL,
                ja, en);
        }
        if (s->from && h->nports) {
            json_array_append_new(reach, reach_entry(s->from, h, a));
            if (a && h->segment && strcmp(h->segment, s->from) != 0 &&
                a->kind != AZ_ASSET_NETWORK) {
                char pl[256] = "";
                size_t w = 0;
                for (size_t k = 0; k < h->nports && w < sizeof(pl) - 8; k++)
                    w += (size_t)snprintf(pl + w, sizeof(pl) - w, "%s%u", k ? "," : "",
                                          h->ports[k].port);
                az_strf(&ja,
                        "%s (%s): %s の機器に %s から届きます (ポート %s)。部門・閉域のシステムが"
                        "他の区分から使える状態です",
                        a->col[AZ_COL_NAME], h->text, h->segment, s->from, pl);
                az_strf(&en,
                        "%s (%s): a %s device answers from %s (ports %s); a departmental or "
                        "closed-network system is reachable from another segment",
                        a->col[AZ_COL_NAME], h->text, h->segment, s->from, pl);
                add(&f, "cross-segment", "gap", h, NULL, a, ja, en);
            }
        }
    }
    json_t *o =
        json_pack("{s:s, s:i, s:i, s:o, s:o, s:o}", "schema", "anzen-scan-findings/1", "gaps",
                  f.gaps, "attention", f.attention, "findings", f.arr, "reachability", reach,
                  "kev_catalog", kev ? json_string(kev->catalog_version) : json_null());
    if (!o)
        return az_fail(ctx, AZ_ENOMEM, "メモリが足りません", "out of memory");
    json_decref(s->findings);
    s->findings = json_incref(o);
    *ret = o;
    return 0;
}
