/* SPDX-License-Identifier: MIT */
/*
 * procure.c - the security requirements to put into a tender and a
 * contract for a system about to be bought (procure.h), with the catalog
 * items each one rests on, as a model and as printable HTML. The wording
 * is anzen's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/keypoints.h"
#include "anzen/procure.h"
#include "anzen/report.h"

enum when {
    W_ALL,
    W_REMOTE, /* the system is maintained remotely */
    W_CLOUD,  /* a cloud service */
};

#define MAXREFS 5

struct req {
    const char *id;
    enum when when;
    bool must;     /* 必須 (else 推奨) */
    bool standard; /* a standard feature, included in the price */
    const char *cat_ja, *cat_en;
    const char *ja, *en;
    const char *submit_ja, *submit_en; /* what the bidder submits */
    const char *refs[MAXREFS];         /* "h:topic" = checklist item by topic; else an item ID */
};

static const struct req reqs[] = {
    {"mfa",
     W_ALL,
     true,
     true,
     "認証",
     "Authentication",
     "利用者と管理者のログインに、二要素認証 (知識・所持・生体のうち異なる 2 つ) を標準機能として"
     "備えること。リモート保守の接続と管理者用のアカウントにも二要素認証を使うこと。",
     "User and administrator logins support two-factor authentication (two of knowledge, "
     "possession, biometrics) as a standard feature; remote-maintenance connections and "
     "administrator accounts use it too.",
     "二要素認証の方式と対象 (利用者・管理者・保守) の説明",
     "how 2FA works and whom it covers",
     {"h:mfa", "gl-6.0.ops-14-6", "gl-6.0.ops-14-1"}},
    {"accounts",
     W_ALL,
     true,
     false,
     "認証",
     "Authentication",
     "利用者ごとの ID、役割に応じた権限の設定、不要になったアカウントの無効化、パスワードの条件 "
     "(長さ・使い回しの禁止) の設定ができること。共用の ID を前提にしないこと。",
     "One ID per user, rights by role, disabling accounts no longer needed, and password rules "
     "(length, no reuse) can be set; no shared IDs are assumed.",
     "権限の設定とアカウント管理の画面・手順",
     "screens and steps for rights and accounts",
     {"h:access-rights", "h:unused-accounts", "h:password-strength", "gl-6.0.ops-14-4"}},
    {"encrypt-stored",
     W_ALL,
     true,
     true,
     "暗号化",
     "Encryption",
     "データベース、バックアップ、端末に保存される医療情報を暗号化する機能を標準機能として含める"
     "こと (有償の追加機能としないこと)。暗号化の鍵の管理者を明らかにすること。",
     "Medical information stored in the database, in backups and on client PCs is encrypted, as a "
     "standard feature (not a priced option); who manages the keys is stated.",
     "暗号化の対象・方式・鍵の管理の説明",
     "what is encrypted, how, and who holds the keys",
     {"gl-6.0.ops-7", "gl-6.0.ops-12-2", "gl-6.0.plan-15"}},
    {"encrypt-lan",
     W_ALL,
     true,
     true,
     "暗号化",
     "Encryption",
     "院内 LAN を含むすべての通信 (端末とサーバ、システム間の連携、リモート保守) を暗号化すること "
     "(TLS 1.2 以上など)。平文の通信 (SMBv1、telnet、FTP など) を使わないこと。標準機能として"
     "価格に含めること。",
     "All traffic, inside the hospital LAN too (client to server, system-to-system interfaces, "
     "remote maintenance), is encrypted (TLS 1.2 or later, or equivalent); no plaintext protocols "
     "(SMBv1, telnet, FTP, ...). Included in the price as a standard feature.",
     "通信の一覧 (相手、方式、暗号化の有無)",
     "a list of connections (peer, protocol, encryption)",
     {"gl-6.0.ops-13", "gl-6.0.plan-15"}},
    {"mds-sds",
     W_ALL,
     true,
     false,
     "事業者の開示",
     "Vendor disclosure",
     "選定の前に、製造業者/サービス事業者による医療情報セキュリティ開示書 (MDS/SDS) の最新版を"
     "提出すること。",
     "The current MDS/SDS (manufacturer/service security disclosure sheet) is submitted before "
     "selection.",
     "MDS/SDS (最新版)",
     "MDS/SDS (current version)",
     {"h:mds-sds", "gl-6.0.mgmt-5-2-1"}},
    {"vendor-form",
     W_ALL,
     true,
     false,
     "事業者の開示",
     "Vendor disclosure",
     "選定の前に、当該年度のサイバーセキュリティ対策チェックリストの事業者確認用に回答すること。"
     "「いいえ」の項目は対応の予定日を示すこと。",
     "The vendor form of this year's cybersecurity checklist is answered before selection, with "
     "a date for every item answered no.",
     "事業者確認用 (回答済み)",
     "the vendor form, answered",
     {"gl-6.0.mgmt-1-3-1", "h:mds-sds"}},
    {"role-split",
     W_ALL,
     true,
     false,
     "契約",
     "Contract",
     "契約の前に、役割分担の確認表 (責任分界) を合意すること。パッチの適用、ログの確認、"
     "バックアップと復元、障害・サイバー攻撃時の対応、保守用の装置の管理について、医療機関と"
     "事業者のどちらが行うかを明記すること。",
     "A role-split confirmation table is agreed before the contract, stating who does what for "
     "patching, log review, backup and restore, outages and cyber attacks, and the maintenance "
     "devices.",
     "役割分担の確認表 (案)",
     "a draft role-split table",
     {"gl-6.0.mgmt-1-3-2", "gl-6.0.ops-3", "gl-6.0.small-3-5"}},
    {"rm-device",
     W_REMOTE,
     true,
     false,
     "リモート保守",
     "Remote maintenance",
     "リモート保守に使う装置 (VPN 装置・ルータなど) を医療機関の台帳に載せ、その管理者と"
     "ファームウェア更新の担当を契約に明記すること。事業者が管理する場合は、脆弱性情報を知った"
     "ときの通知と更新の期限を定めること。サポートの終わった装置を使わないこと。",
     "Every remote-maintenance device (VPN device, router) is entered in the institution's "
     "register, and the contract names who administers it and who updates its firmware; if the "
     "vendor does, it notifies the institution of vulnerabilities and patches within an agreed "
     "time. No device past its support end is used.",
     "装置の機種・版・管理者・サポート期限",
     "device model, version, administrator, support end",
     {"h:remote-maintenance", "h:asset-ledger", "gl-6.0.plan-9-1", "gl-6.0.ops-10-1"}},
    {"rm-access",
     W_REMOTE,
     true,
     false,
     "リモート保守",
     "Remote maintenance",
     "保守の接続は必要なときだけ行い、接続元を限定し、接続の記録 (誰が・いつ・何をしたか) を"
     "残すこと。医療機関が接続の有無を確かめ、止められること。",
     "Maintenance connections are made only when needed, from restricted sources, and logged (who, "
     "when, what); the institution can see and cut them.",
     "接続の手順と記録の例",
     "the connection procedure and a sample log",
     {"h:connection-source", "gl-6.0.ops-13-11", "gl-6.0.ops-10-1"}},
    {"patches",
     W_ALL,
     true,
     false,
     "運用",
     "Operation",
     "OS・ミドルウェア・ファームウェアを含む脆弱性の修正を保守の範囲で提供し、適用の手順と期限を"
     "示すこと。製品とその部品のサポート期限を明示すること。",
     "Fixes for vulnerabilities, OS, middleware and firmware included, are part of maintenance, "
     "with the procedure and time to apply them; support end dates of the product and its parts "
     "are stated.",
     "修正の提供方法と適用の期限、サポート期限",
     "how fixes are delivered and applied, support end",
     {"h:patches", "gl-6.0.ops-8-2", "gl-6.0.ops-8-3"}},
    {"hardening",
     W_ALL,
     true,
     false,
     "運用",
     "Operation",
     "不要なサービス・ポート・アカウントを止めた状態で納品し、その構成を文書で示すこと。",
     "The system is delivered with unneeded services, ports and accounts disabled, and the "
     "configuration is documented.",
     "納品時の構成の一覧",
     "the delivered configuration",
     {"h:unneeded-services", "gl-6.0.ops-8-1"}},
    {"logs",
     W_ALL,
     true,
     false,
     "ログ",
     "Logs",
     "アクセスの記録 (誰が・いつ・どの患者の情報に何をしたか) を残し、改ざんされないように保管し、"
     "医療機関が指定する期間 (%d 年) 保存して、医療機関が確認できること。",
     "Access is logged (who, when, which patient's data, what), protected from tampering, kept "
     "for the period the institution sets (%d years) and can be reviewed by the institution.",
     "ログの項目・保存方法・保存期間",
     "log fields, storage, retention",
     {"h:access-log", "gl-6.0.ops-17"}},
    {"backup",
     W_ALL,
     true,
     false,
     "バックアップ",
     "Backup",
     "複数世代のバックアップを取り、少なくとも 1 つはネットワークから切り離して (または変更できない"
     "形で) 保管できること。復元の手順書を示し、年 1 回以上の復元の訓練に協力すること。",
     "Backups keep several generations, at least one offline (or immutable); a restore procedure "
     "is provided and the vendor takes part in a restore drill at least once a year.",
     "バックアップの方式と復元の手順書",
     "backup design and restore procedure",
     {"h:backup-restore", "gl-6.0.plan-12-2", "gl-6.0.ops-11-1"}},
    {"incident",
     W_ALL,
     true,
     false,
     "障害・攻撃時",
     "Incidents",
     "障害やサイバー攻撃のときの連絡先と連絡の順番、初動の支援、システム停止中の運用への協力を"
     "契約に含めること。",
     "The contract covers contacts and escalation for outages and cyber attacks, first-response "
     "support and help with running without the system.",
     "緊急時の連絡体制と支援の内容",
     "emergency contacts and support",
     {"h:incident-contacts", "h:cyber-bcp", "gl-6.0.mgmt-3-4-1"}},
    {"cloud",
     W_CLOUD,
     true,
     false,
     "クラウド",
     "Cloud",
     "データの保存場所 (国内) と、契約の終了時のデータの返却の形式と消去の方法を示すこと。"
     "第三者による認証・監査の状況を示すこと。",
     "The data location (in Japan), and how data is returned and erased at the end of the "
     "contract, are stated, with the service's third-party certifications or audits.",
     "SDS、保存場所、返却と消去の手順、認証の証明",
     "SDS, data location, exit procedure, certificates",
     {"gl-6.0.mgmt-5-2-1", "gl-6.0.mgmt-1-3-1"}},
};

#define NREQS (sizeof(reqs) / sizeof(reqs[0]))

static const struct az_item *resolve(const struct az_catalog *cat, const char *ref, bool pharmacy)
{
    const struct az_edition *ed;
    char id[160];

    if (strncmp(ref, "h:", 2) != 0)
        return az_catalog_item(cat, ref);
    ed = az_catalog_default_checklist(cat);
    if (!ed)
        return NULL;
    snprintf(id, sizeof(id), "%s.%s.%s", ed->id, pharmacy ? "p" : "h", ref + 2);
    return az_catalog_item(cat, id);
}

int az_procure_check_refs(struct az_ctx *ctx, const struct az_catalog *cat)
{
    for (size_t i = 0; i < NREQS; i++)
        for (size_t k = 0; k < MAXREFS && reqs[i].refs[k]; k++)
            for (int ph = 0; ph < 2; ph++)
                if (!resolve(cat, reqs[i].refs[k], ph))
                    return az_fail(ctx, AZ_ENOTFOUND,
                                   "調達要件 %s の参照 %s がカタログにありません (%s)",
                                   "procurement requirement %s cites %s, not in the catalog (%s)",
                                   reqs[i].id, reqs[i].refs[k], ph ? "pharmacy" : "institution");
    return 0;
}

json_t *az_procure_model(const struct az_catalog *cat, const struct az_procure_spec *s,
                         struct az_date as_of, enum az_lang l)
{
    bool en = l == AZ_LANG_EN, mfa_law;
    json_t *m = json_object(), *arr = json_array();
    char d[16], intro[16] = "";
    int n = 0;

    if (!m || !arr) {
        json_decref(m);
        json_decref(arr);
        return NULL;
    }
    az_date_iso(as_of, d, sizeof(d));
    if (s->has_introduce)
        az_date_iso(s->introduce, intro, sizeof(intro));
    mfa_law = !s->has_introduce || az_date_cmp(s->introduce, AZ_MFA_REFERENCE) >= 0;
    for (size_t i = 0; i < NREQS; i++) {
        const struct req *q = &reqs[i];
        json_t *refs, *o;
        char text[1024];
        if ((q->when == W_REMOTE && !s->remote_maintenance) || (q->when == W_CLOUD && !s->cloud))
            continue;
        refs = json_array();
        snprintf(text, sizeof(text), en ? q->en : q->ja, s->log_years > 0 ? s->log_years : 5);
        for (size_t k = 0; k < MAXREFS && q->refs[k]; k++) {
            const struct az_item *it = resolve(cat, q->refs[k], s->pharmacy);
            char label[256];
            if (!it)
                continue;
            if (it->edition->checklist)
                snprintf(label, sizeof(label), "%s %s %s", en ? "Checklist" : "チェックリスト",
                         it->edition->version, it->label);
            else
                snprintf(label, sizeof(label), "%s %s %s", en ? "Guideline" : "ガイドライン",
                         it->edition->version, it->label);
            json_array_append_new(
                refs, json_pack("{s:s, s:s, s:s}", "id", it->id, "label", label, "title",
                                en && it->title.en ? it->title.en : it->title.ja));
        }
        o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:s, s:o}", "no", ++n, "id", q->id,
                      "category", en ? q->cat_en : q->cat_ja, "level", q->must ? "must" : "should",
                      "level_name",
                      q->must ? (en ? "required" : "必須") : (en ? "recommended" : "推奨"),
                      "standard_feature", q->standard, "text", text, "refs", refs);
        if (!o)
            continue;
        json_object_set_new(o, "submit", json_string(en ? q->submit_en : q->submit_ja));
        if (!strcmp(q->id, "mfa"))
            json_object_set_new(
                o, "note",
                json_string(
                    mfa_law ? (en ? "Introduced or renewed from FY2027 (2027-04-01): 2FA is "
                                    "required by the guideline's FY2027 rule."
                                  : "令和9年度 (2027-04-01) 以降の導入・更新: ガイドラインにより"
                                    "二要素認証が必須です。")
                            : (en ? "Introduced before FY2027: 2FA becomes required at the "
                                    "next renewal; ask for it now."
                                  : "令和9年度より前の導入: 次の更新で必須になるため、今から"
                                    "求めてください。")));
        json_array_append_new(arr, o);
    }
    json_object_set_new(m, "schema", json_string(AZ_PROCURE_SCHEMA));
    json_object_set_new(m, "anzen_version", json_string(AZ_VERSION));
    json_object_set_new(m, "lang", json_string(en ? "en" : "ja"));
    json_object_set_new(m, "as_of", json_string(d));
    json_object_set_new(m, "institution",
                        s->institution ? json_string(s->institution) : json_null());
    json_object_set_new(m, "system",
                        json_pack("{s:o, s:s, s:s, s:b, s:o}", "id",
                                  s->system_id ? json_string(s->system_id) : json_null(), "name",
                                  s->system_name, "hosting", s->cloud ? "cloud" : "on-prem",
                                  "remote_maintenance", s->remote_maintenance, "introduce",
                                  intro[0] ? json_string(intro) : json_null()));
    json_object_set_new(
        json_object_get(m, "system"), "hosting_name",
        json_string(s->cloud ? (en ? "cloud" : "クラウド") : (en ? "on premises" : "院内設置")));
    json_object_set_new(m, "requirements", arr);
    return m;
}

static const char *const labels[][3] = {
    {"title", "調達時のセキュリティ要件", "Security requirements for procurement"},
    {"intro",
     "このシステムの入札仕様書 (RFP) と契約書に、次の要件をそのまま記載してください。「標準機能」と"
     "した要件は、価格に含めるべき機能です。有償の追加機能 (オプション) として見積もられた場合は、"
     "削らずに標準機能としての見積もりを求めてください。",
     "Put the requirements below into the tender (RFP) and the contract as they are. Those marked "
     "standard feature belong in the base price: if a bid prices them as options, ask for them as "
     "standard rather than dropping them."},
    {"system", "対象システム", "System"},
    {"hosting", "形態", "Hosting"},
    {"remote", "リモート保守", "Remote maintenance"},
    {"introduce", "導入・更新の予定", "Planned introduction"},
    {"institution", "医療機関", "Institution"},
    {"as_of", "作成日", "Date"},
    {"no", "番号", "No."},
    {"category", "区分", "Area"},
    {"requirement", "要件", "Requirement"},
    {"level", "必須/推奨", "Level"},
    {"standard", "標準機能 (価格に含める)", "Standard feature (in the price)"},
    {"submit", "入札時の提出物", "To submit with the bid"},
    {"refs", "根拠 (チェックリスト・ガイドライン)", "Basis (checklist, guideline)"},
    {"yes", "はい", "yes"},
    {"no_", "いいえ", "no"},
    {"cloud", "クラウド", "cloud"},
    {"onprem", "院内設置", "on premises"},
    {"generated", "作成:", "Made with"},
};

int az_procure_html(struct az_ctx *ctx, const struct az_catalog *cat,
                    const struct az_procure_spec *spec, struct az_date as_of, struct az_buf *out)
{
    json_t *m = az_procure_model(cat, spec, as_of, ctx->lang), *t = json_object();
    struct az_tmpl_set *set = NULL;
    int r;

    if (!m || !t) {
        json_decref(m);
        json_decref(t);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        json_object_set_new(t, labels[i][0],
                            json_string(labels[i][ctx->lang == AZ_LANG_EN ? 2 : 1]));
    json_object_set_new(m, "t", t);
    if ((r = az_report_templates(ctx, &set)) == 0)
        r = az_tmpl_render(ctx, set, "procure.html", m, NULL, out);
    az_tmpl_set_free(set);
    json_decref(m);
    return r;
}
