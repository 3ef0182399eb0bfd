/* SPDX-License-Identifier: MIT */
/*
 * keypoints.c - the key-point tracks of step ③ (keypoints.h).
 */
#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "anzen/keypoints.h"
#include "anzen/util.h"

const char *az_kp_level_token(enum az_kp_level l)
{
    static const char *t[] = {"ok", "unrecorded", "attention", "gap"};
    return t[l];
}

struct track {
    json_t *obj;
    json_t *findings;
    enum az_kp_level level;
};

static void track_init(struct track *t, const char *id, const char *ja, const char *en)
{
    t->findings = json_array();
    t->obj = json_pack("{s:s, s:{s:s, s:s}}", "id", id, "title", "ja", ja, "en", en);
    t->level = AZ_KP_OK;
}

static void add(struct track *t, enum az_kp_level l, const char *subject, const char *ja,
                const char *en)
{
    json_array_append_new(t->findings,
                          json_pack("{s:s, s:s, s:s, s:s}", "level", az_kp_level_token(l),
                                    "subject", subject, "ja", ja, "en", en));
    if (l > t->level)
        t->level = l;
}

/* the last finding added: its source (records or the profile) */
static void source(struct track *t, const struct az_record *r)
{
    json_t *f = json_array_get(t->findings, json_array_size(t->findings) - 1);

    if (!f)
        return;
    json_object_set_new(f, "source", json_string(r ? "record" : "profile"));
    if (r) {
        char d[16];
        az_date_iso(r->date, d, sizeof(d));
        json_object_set_new(f, "record", json_integer(r->id));
        json_object_set_new(f, "date", json_string(d));
        if (r->by)
            json_object_set_new(f, "by", json_string(r->by));
    }
}

/* cnt[0] counts tracks with a gap, cnt[1] the unrecorded ones */
static void track_done(struct track *t, json_t *tracks, int *cnt)
{
    json_object_set_new(t->obj, "level", json_string(az_kp_level_token(t->level)));
    json_object_set_new(t->obj, "findings", t->findings);
    json_array_append_new(tracks, t->obj);
    if (t->level == AZ_KP_GAP)
        cnt[0]++;
    if (t->level == AZ_KP_UNRECORDED)
        cnt[1]++;
}

/* the newer of the records of kinds a and b (b may be -1) */
static const struct az_record *newest(const struct az_records *recs, int a, int b,
                                      struct az_date as_of)
{
    const struct az_record *x = az_records_last(recs, (enum az_rec_kind)a, as_of);
    const struct az_record *y = b >= 0 ? az_records_last(recs, (enum az_rec_kind)b, as_of) : NULL;

    if (!x)
        return y;
    if (!y)
        return x;
    return az_date_cmp(y->date, x->date) > 0 ? y : x;
}

/* ", 実施: WHO" / " by WHO" or "" */
static const char *by_ja(const struct az_record *r, char **buf)
{
    if (!r->by || !*r->by)
        return "";
    az_strf(buf, "、実施: %s", r->by);
    return *buf ? *buf : "";
}

static const char *by_en(const struct az_record *r, char **buf)
{
    if (!r->by || !*r->by)
        return "";
    az_strf(buf, " by %s", r->by);
    return *buf ? *buf : "";
}

/* within the last 12 months of as_of (inclusive) */
static bool recent(bool has, struct az_date d, struct az_date as_of)
{
    return has && az_date_to_days(as_of) - az_date_to_days(d) <= 365 && az_date_cmp(d, as_of) <= 0;
}

static void kept(struct track *t, const struct az_kept *k, struct az_date as_of,
                 const char *what_ja, const char *what_en)
{
    AZ_AUTOFREE char *ja = NULL, *en = NULL;
    char d[16];

    if (!k->present) {
        az_strf(&ja, "%sがありません", what_ja);
        az_strf(&en, "no %s", what_en);
        add(t, AZ_KP_GAP, "institution", ja, en);
        return;
    }
    if (!recent(k->has_reviewed, k->reviewed, as_of)) {
        if (k->has_reviewed)
            az_date_iso(k->reviewed, d, sizeof(d));
        az_strf(&ja, "%sは 12 か月以内に見直されていません (最終 %s)", what_ja,
                k->has_reviewed ? d : "不明");
        az_strf(&en, "the %s was not reviewed within 12 months (last: %s)", what_en,
                k->has_reviewed ? d : "unknown");
        add(t, AZ_KP_ATTENTION, "institution", ja, en);
        return;
    }
    az_date_iso(k->reviewed, d, sizeof(d));
    az_strf(&ja, "%sあり (見直し %s)", what_ja, d);
    az_strf(&en, "%s in place (reviewed %s)", what_en, d);
    add(t, AZ_KP_OK, "institution", ja, en);
}

/* A document kept and reviewed within 12 months: from a record when
 * there is one, else from the profile. */
static void kept_rec(struct track *t, const struct az_kept *k, const struct az_record *r,
                     struct az_date as_of, const char *what_ja, const char *what_en,
                     const char *kind)
{
    AZ_AUTOFREE char *ja = NULL, *en = NULL, *bj = NULL, *be = NULL;
    char d[16], n[16];

    if (!r) {
        if (!k->stated) {
            az_strf(&ja, "%sは未記録です (anzen record %s で記録できます)", what_ja, kind);
            az_strf(&en, "%s not recorded (record it with anzen record %s)", what_en, kind);
            add(t, AZ_KP_UNRECORDED, "institution", ja, en);
            source(t, NULL);
            return;
        }
        kept(t, k, as_of, what_ja, what_en);
        source(t, NULL);
        return;
    }
    az_date_iso(r->date, d, sizeof(d));
    az_date_iso(az_date_add_year(r->date), n, sizeof(n));
    if (!recent(true, r->date, as_of)) {
        az_strf(&ja, "%sは 12 か月以内に見直されていません (最終 %s%s、期限 %s)", what_ja, d,
                by_ja(r, &bj), n);
        az_strf(&en, "the %s was not reviewed within 12 months (last: %s%s, due %s)", what_en, d,
                by_en(r, &be), n);
        add(t, AZ_KP_ATTENTION, "institution", ja, en);
    } else {
        az_strf(&ja, "%sあり (記録 %s%s、次の見直し %s)", what_ja, d, by_ja(r, &bj), n);
        az_strf(&en, "%s in place (recorded %s%s, next review %s)", what_en, d, by_en(r, &be), n);
        add(t, AZ_KP_OK, "institution", ja, en);
    }
    source(t, r);
}

json_t *az_keypoints(const struct az_profile *p, struct az_date as_of)
{
    return az_keypoints_rec(p, NULL, as_of);
}

json_t *az_keypoints_rec(const struct az_profile *p, const struct az_records *recs,
                         struct az_date as_of)
{
    json_t *tracks = json_array();
    struct track t;
    AZ_AUTOFREE char *ja = NULL, *en = NULL;
    const struct az_record *rec;
    char d[16], n30[16];
    int cnt[2] = {0, 0};

    /* 1. MFA readiness per system */
    track_init(&t, "mfa", "二要素認証 (令和9年度)", "Two-factor authentication (FY2027)");
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        if (s->mfa == 1) {
            az_strf(&ja, "%s: 二要素認証あり", s->name);
            az_strf(&en, "%s: two-factor authentication in place", s->name);
            add(&t, AZ_KP_OK, s->id, ja, en);
            continue;
        }
        if (s->has_renewal && az_date_cmp(s->renewal, AZ_MFA_REFERENCE) >= 0) {
            az_date_iso(s->renewal, d, sizeof(d));
            az_strf(&ja, "%s: %s に更新予定。令和9年度以降の導入・更新なので二要素認証が必要%s",
                    s->name, d, s->mfa < 0 ? " (現状は未確認)" : "");
            az_strf(&en,
                    "%s: renewal planned on %s, from FY2027 on, so it must have two-factor "
                    "authentication%s",
                    s->name, d, s->mfa < 0 ? " (current state unknown)" : "");
            add(&t, AZ_KP_GAP, s->id, ja, en);
        } else if (s->has_introduced && az_date_cmp(s->introduced, AZ_MFA_REFERENCE) >= 0) {
            az_date_iso(s->introduced, d, sizeof(d));
            az_strf(&ja, "%s: %s に導入予定。二要素認証が必要", s->name, d);
            az_strf(&en,
                    "%s: to be introduced on %s; it must have two-factor "
                    "authentication",
                    s->name, d);
            add(&t, AZ_KP_GAP, s->id, ja, en);
        } else {
            az_strf(&ja, "%s: 二要素認証%s。令和9年度以降の次の更新で対応が必要", s->name,
                    s->mfa < 0 ? "の有無が不明" : "なし");
            az_strf(&en, "%s: %s; needed at the next renewal from FY2027 on", s->name,
                    s->mfa < 0 ? "two-factor authentication unknown"
                               : "no two-factor authentication");
            add(&t, AZ_KP_ATTENTION, s->id, ja, en);
        }
    }
    if (!p->nsystems)
        add(&t, AZ_KP_ATTENTION, "institution", "システムが登録されていません",
            "no systems recorded");
    track_done(&t, tracks, cnt);

    /* 2. incident contacts and BCP */
    track_init(&t, "incident-bcp", "連絡体制と BCP", "Incident contacts and BCP");
    kept_rec(&t, &p->incident_contacts, newest(recs, AZ_REC_CONTACTS, AZ_REC_REVIEW, as_of), as_of,
             "インシデント時の連絡体制図", "incident contact chart", "contacts");
    kept_rec(&t, &p->cyber_bcp, newest(recs, AZ_REC_BCP, AZ_REC_REVIEW, as_of), as_of,
             "サイバー攻撃を想定した BCP", "cyber-attack BCP", "bcp");
    track_done(&t, tracks, cnt);

    /* 3. backup */
    track_init(&t, "backup", "バックアップと復元訓練", "Backups and restore drills");
    rec = az_records_last(recs, AZ_REC_BACKUP, as_of);
    if (rec) {
        AZ_AUTOFREE char *bj = NULL, *be = NULL;
        az_date_iso(rec->date, d, sizeof(d));
        if (rec->result == AZ_RES_FAILED) {
            az_strf(&ja, "最後のオフラインのバックアップ (%s%s) は失敗しています", d,
                    by_ja(rec, &bj));
            az_strf(&en, "the last offline backup (%s%s) failed", d, by_en(rec, &be));
            add(&t, AZ_KP_GAP, "institution", ja, en);
        } else if (!recent(true, rec->date, as_of)) {
            az_strf(&ja, "オフラインのバックアップの確認が 12 か月以上前です (最終 %s%s)", d,
                    by_ja(rec, &bj));
            az_strf(&en, "the offline backup was last checked more than 12 months ago (%s%s)", d,
                    by_en(rec, &be));
            add(&t, AZ_KP_ATTENTION, "institution", ja, en);
        } else {
            az_strf(&ja, "オフラインのバックアップを確認 (%s%s)", d, by_ja(rec, &bj));
            az_strf(&en, "offline backup checked on %s%s", d, by_en(rec, &be));
            add(&t, AZ_KP_OK, "institution", ja, en);
        }
        source(&t, rec);
    } else if (!p->backup_stated) {
        add(&t, AZ_KP_UNRECORDED, "institution",
            "オフライン (または変更できない) バックアップの有無は未記録です (anzen record backup "
            "で記録できます)",
            "whether there is an offline (or immutable) backup is not recorded (record it with "
            "anzen record backup)");
        source(&t, NULL);
    } else {
        if (!p->backup_offline && !p->backup_immutable)
            add(&t, AZ_KP_GAP, "institution",
                "ネットワークから切り離した (オフライン) "
                "または変更できないバックアップがありません",
                "no offline or immutable backup");
        else
            add(&t, AZ_KP_OK, "institution", "オフラインまたは変更できないバックアップあり",
                "offline or immutable backup in place");
        source(&t, NULL);
    }
    rec = az_records_last(recs, AZ_REC_DRILL, as_of);
    if (rec) {
        AZ_AUTOFREE char *bj = NULL, *be = NULL, *mj = NULL, *me = NULL;
        char n[16];
        az_date_iso(rec->date, d, sizeof(d));
        az_date_iso(az_date_add_year(rec->date), n, sizeof(n));
        if (rec->minutes >= 0) {
            az_strf(&mj, "、%d 分", rec->minutes);
            az_strf(&me, ", %d min", rec->minutes);
        }
        if (rec->result == AZ_RES_FAILED) {
            az_strf(&ja, "最後の復元訓練 (%s%s) は失敗しています。手順を直して再度訓練が必要", d,
                    by_ja(rec, &bj));
            az_strf(&en, "the last restore drill (%s%s) failed; fix the procedure and drill again",
                    d, by_en(rec, &be));
            add(&t, AZ_KP_GAP, "institution", ja, en);
        } else if (!recent(true, rec->date, as_of)) {
            az_strf(&ja, "12 か月以内の復元訓練がありません (最終 %s%s、期限 %s を過ぎています)", d,
                    by_ja(rec, &bj), n);
            az_strf(&en, "no restore drill within 12 months (last: %s%s, overdue since %s)", d,
                    by_en(rec, &be), n);
            add(&t, AZ_KP_GAP, "institution", ja, en);
        } else {
            az_strf(&ja, "復元訓練 %s%s%s%s、次回 %s まで", d,
                    rec->result == AZ_RES_OK ? " 成功" : "", mj ? mj : "", by_ja(rec, &bj), n);
            az_strf(&en, "restore drill on %s%s%s%s; next by %s", d,
                    rec->result == AZ_RES_OK ? " succeeded" : "", me ? me : "", by_en(rec, &be), n);
            add(&t, AZ_KP_OK, "institution", ja, en);
        }
        source(&t, rec);
    } else if (!p->backup_stated) {
        add(&t, AZ_KP_UNRECORDED, "institution",
            "復元訓練は未記録です (anzen record drill で記録できます)",
            "no restore drill recorded (record one with anzen record drill)");
        source(&t, NULL);
    } else if (!recent(p->has_restore_drill, p->restore_drill, as_of)) {
        if (p->has_restore_drill)
            az_date_iso(p->restore_drill, d, sizeof(d));
        az_strf(&ja, "12 か月以内の復元訓練がありません (最終 %s)",
                p->has_restore_drill ? d : "なし");
        az_strf(&en, "no restore drill within 12 months (last: %s)",
                p->has_restore_drill ? d : "none");
        add(&t, AZ_KP_GAP, "institution", ja, en);
        source(&t, NULL);
    } else {
        az_date_iso(p->restore_drill, d, sizeof(d));
        az_strf(&ja, "復元訓練 %s", d);
        az_strf(&en, "restore drill on %s", d);
        add(&t, AZ_KP_OK, "institution", ja, en);
        source(&t, NULL);
    }
    track_done(&t, tracks, cnt);

    /* 3b. staff training, once in each fiscal year */
    track_init(&t, "training", "職員の研修 (年度ごと)", "Staff training (each fiscal year)");
    rec = az_records_last(recs, AZ_REC_TRAINING, as_of);
    {
        char fy[32];
        az_fy_format(az_fiscal_year(as_of), AZ_LANG_JA, fy, sizeof(fy));
        if (!rec) {
            az_strf(&ja, "職員の研修は未記録です (anzen record training で記録できます)");
            az_strf(&en, "no staff training recorded (record it with anzen record training)");
            add(&t, AZ_KP_UNRECORDED, "institution", ja, en);
            source(&t, NULL);
        } else {
            AZ_AUTOFREE char *bj = NULL, *be = NULL;
            char fye[32];
            az_fy_format(az_fiscal_year(as_of), AZ_LANG_EN, fye, sizeof(fye));
            az_date_iso(rec->date, d, sizeof(d));
            if (az_fiscal_year(rec->date) == az_fiscal_year(as_of)) {
                az_strf(&ja, "%sの研修を実施 (%s%s)", fy, d, by_ja(rec, &bj));
                az_strf(&en, "training held in %s (%s%s)", fye, d, by_en(rec, &be));
                add(&t, AZ_KP_OK, "institution", ja, en);
            } else {
                az_date_iso(az_fy_end(az_fiscal_year(as_of)), n30, sizeof(n30));
                az_strf(&ja, "%sの研修がまだです (最終 %s%s、%s まで)", fy, d, by_ja(rec, &bj),
                        n30);
                az_strf(&en, "no training yet in %s (last: %s%s; due by %s)", fye, d,
                        by_en(rec, &be), n30);
                add(&t, AZ_KP_ATTENTION, "institution", ja, en);
            }
            source(&t, rec);
        }
    }
    track_done(&t, tracks, cnt);

    /* 4. vendor role split per system */
    track_init(&t, "role-split", "事業者との役割分担", "Role split with vendors");
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        if (!s->vendor)
            continue;
        if (s->has_role_split) {
            az_date_iso(s->role_split, d, sizeof(d));
            az_strf(&ja, "%s (%s): 役割分担の確認表で合意 (%s)", s->name, s->vendor, d);
            az_strf(&en, "%s (%s): role-split table agreed on %s", s->name, s->vendor, d);
            add(&t, AZ_KP_OK, s->id, ja, en);
        } else {
            az_strf(&ja, "%s (%s): 役割分担の確認表による合意がありません", s->name, s->vendor);
            az_strf(&en, "%s (%s): no agreed role-split table", s->name, s->vendor);
            add(&t, AZ_KP_GAP, s->id, ja, en);
        }
    }
    track_done(&t, tracks, cnt);

    /* 5. app-to-app connections */
    track_init(&t, "interfaces", "システム間の連携", "Connections between systems");
    for (size_t i = 0; i < p->ninterfaces; i++) {
        const struct az_interface *f = &p->interfaces[i];
        AZ_AUTOFREE char *subj = NULL; /* the IDs whole, however long */
        if (az_strf(&subj, "%s->%s", f->from, f->to) < 0)
            continue;
        if (f->encrypted && f->authenticated) {
            az_strf(&ja, "%s (%s): 暗号化・認証あり", subj, f->protocol);
            az_strf(&en, "%s (%s): encrypted and authenticated", subj, f->protocol);
            add(&t, AZ_KP_OK, subj, ja, en);
        } else {
            az_strf(&ja, "%s (%s): %s%s", subj, f->protocol, f->encrypted ? "" : "暗号化なし ",
                    f->authenticated ? "" : "認証なし");
            az_strf(&en, "%s (%s): %s%s", subj, f->protocol, f->encrypted ? "" : "not encrypted ",
                    f->authenticated ? "" : "not authenticated");
            add(&t, AZ_KP_GAP, subj, ja, en);
        }
    }
    if (!p->ninterfaces)
        add(&t, AZ_KP_ATTENTION, "institution",
            "システム間の連携が記録されていません (台帳とネットワーク検査で補えます)",
            "no connections between systems recorded (the ledger and network check can fill "
            "them)");
    track_done(&t, tracks, cnt);

    /* 6. electronic signatures */
    track_init(&t, "signatures", "電子署名・タイムスタンプ",
               "Electronic signatures and timestamps");
    for (size_t i = 0; i < p->nsignatures; i++) {
        const struct az_signature *g = &p->signatures[i];
        if (!g->has_expires) {
            az_strf(&ja, "%s: 証明書の有効期限が記録されていません", g->record);
            az_strf(&en, "%s: certificate expiry not recorded", g->record);
            add(&t, AZ_KP_ATTENTION, g->record, ja, en);
            continue;
        }
        az_date_iso(g->expires, d, sizeof(d));
        if (az_date_cmp(g->expires, as_of) < 0) {
            az_strf(&ja, "%s: 証明書の有効期限 %s が切れています", g->record, d);
            az_strf(&en, "%s: certificate expired on %s", g->record, d);
            add(&t, AZ_KP_GAP, g->record, ja, en);
        } else if (az_date_to_days(g->expires) - az_date_to_days(as_of) <= 90) {
            az_strf(&ja, "%s: 証明書の有効期限 %s まで 90 日以内", g->record, d);
            az_strf(&en, "%s: certificate expires within 90 days (%s)", g->record, d);
            add(&t, AZ_KP_ATTENTION, g->record, ja, en);
        } else {
            az_strf(&ja, "%s: 証明書の有効期限 %s%s", g->record, d,
                    g->timestamp ? "、タイムスタンプあり" : "");
            az_strf(&en, "%s: certificate valid until %s%s", g->record, d,
                    g->timestamp ? ", timestamped" : "");
            add(&t, AZ_KP_OK, g->record, ja, en);
        }
    }
    if (!p->nsignatures && p->signatures_stated)
        add(&t, AZ_KP_OK, "institution", "電子署名を使う記録はありません (プロファイルで確認済み)",
            "no electronically signed records (stated in the profile)");
    else if (!p->nsignatures)
        add(&t, AZ_KP_UNRECORDED, "institution",
            "電子署名の使用状況は未記録です (プロファイルの signatures に書くと点検します)",
            "the use of electronic signatures is not recorded (list them under signatures in "
            "the profile)");
    track_done(&t, tracks, cnt);

    return json_pack("{s:s, s:o, s:i, s:i}", "schema", "anzen-keypoints/1", "tracks", tracks,
                     "gaps", cnt[0], "unrecorded", cnt[1]);
}
