/* SPDX-License-Identifier: MIT */
/*
 * sqlite_audit.c - the hash chain over the change log (auditlog.h): the
 * canonical encoding and hash of a row, appending a chained row, sealing
 * the rows written before the chain existed, verifying the whole log,
 * and the filtered listing with JST times and event labels.
 *
 * IMPLEMENTS: cl-r7.h.access-log (the log cannot be edited, shortened or
 * extended outside anzen without `anzen audit verify` noticing).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/auditlog.h"
#include "anzen/auth.h"
#include "anzen/csv.h"
#include "anzen/util.h"
#include "anzen/store.h"
#include "sqlite_internal.h"

static const char chain_label[] = "anzen-audit-v1";

static void put_field(crypto_hash_sha256_state *h, const char *s)
{
    unsigned char hdr[9] = {0};
    size_t n = s ? strlen(s) : 0;

    hdr[0] = s ? 1 : 0;
    for (int i = 0; i < 8; i++)
        hdr[8 - i] = (unsigned char)((unsigned long long)n >> (8 * i));
    crypto_hash_sha256_update(h, hdr, sizeof(hdr));
    if (n)
        crypto_hash_sha256_update(h, (const unsigned char *)s, n);
}

void az_audit_chain_hash(const unsigned char prev[AZ_AUDIT_HASHLEN], const struct az_audit_row *row,
                         unsigned char ret[AZ_AUDIT_HASHLEN])
{
    crypto_hash_sha256_state h;
    char id[24];

    snprintf(id, sizeof(id), "%lld", row->id);
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)chain_label, sizeof(chain_label) - 1);
    crypto_hash_sha256_update(&h, prev, AZ_AUDIT_HASHLEN);
    put_field(&h, id);
    put_field(&h, row->at);
    put_field(&h, row->who);
    put_field(&h, row->what);
    put_field(&h, row->object);
    put_field(&h, row->before);
    put_field(&h, row->after);
    crypto_hash_sha256_final(&h, ret);
}

void az_audit_mac(const unsigned char key[32], const unsigned char hash[AZ_AUDIT_HASHLEN],
                  char ret[AZ_AUDIT_HEXLEN])
{
    unsigned char m[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256(m, hash, AZ_AUDIT_HASHLEN, key);
    sodium_bin2hex(ret, AZ_AUDIT_HEXLEN, m, sizeof(m));
}

/* The MAC of the head: HMAC over "head", the last id and its hash. */
static void head_mac(const unsigned char key[32], long long last, const char *hash_hex,
                     char ret[AZ_AUDIT_HEXLEN])
{
    unsigned char m[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state h;
    char id[24];

    snprintf(id, sizeof(id), "head:%lld:", last);
    crypto_auth_hmacsha256_init(&h, key, 32);
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&h, (const unsigned char *)hash_hex, strlen(hash_hex));
    crypto_auth_hmacsha256_final(&h, m);
    sodium_bin2hex(ret, AZ_AUDIT_HEXLEN, m, sizeof(m));
}

int az__store_audit_key(struct az_store *st, struct az_ctx *ctx)
{
    unsigned char k[AZ_SEAL_KEYLEN];
    char *path;
    size_t n;
    int r;

    if (!strcmp(st->path, ":memory:") || !strncmp(st->path, "file:", 5))
        return 0;
    n = strlen(st->path) + 5;
    if (!(path = malloc(n)))
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    snprintf(path, n, "%s.key", st->path);
    r = az_seal_key_load(ctx, path, k);
    free(path);
    if (r < 0)
        return r;
    /* a key of its own for the log, derived from the workspace key */
    crypto_generichash(st->audit_key, sizeof(st->audit_key),
                       (const unsigned char *)"anzen audit chain mac v1", 24, k, sizeof(k));
    sodium_memzero(k, sizeof(k));
    st->audit_keyed = true;
    return 0;
}

static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* The head: last id and hash (all zero and 0 for an empty chain);
 * *ret_found says whether the row is there (NULL: not asked). */
static int read_head(struct az_store *st, struct az_ctx *ctx, long long *ret_last,
                     unsigned char prev[AZ_AUDIT_HASHLEN], char mac[AZ_AUDIT_HEXLEN],
                     bool *ret_found)
{
    sqlite3_stmt *s;
    int rc;

    memset(prev, 0, AZ_AUDIT_HASHLEN);
    *ret_last = 0;
    if (ret_found)
        *ret_found = false;
    if (mac)
        mac[0] = '\0';
    if (sqlite3_prepare_v2(st->db, "SELECT last_id, hash, mac FROM audit_head WHERE id = 1", -1, &s,
                           NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (ret_found)
            *ret_found = true;
        *ret_last = sqlite3_column_int64(s, 0);
        if (col(s, 1))
            sodium_hex2bin(prev, AZ_AUDIT_HASHLEN, col(s, 1), strlen(col(s, 1)), NULL, NULL, NULL);
        if (mac && col(s, 2))
            snprintf(mac, AZ_AUDIT_HEXLEN, "%s", col(s, 2));
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : az__store_dberr(st, ctx, "読み込み");
}

static int write_head(struct az_store *st, struct az_ctx *ctx, long long last,
                      const unsigned char hash[AZ_AUDIT_HASHLEN])
{
    sqlite3_stmt *s;
    char hex[AZ_AUDIT_HEXLEN], mac[AZ_AUDIT_HEXLEN];
    int rc;

    sodium_bin2hex(hex, sizeof(hex), hash, AZ_AUDIT_HASHLEN);
    if (st->audit_keyed)
        head_mac(st->audit_key, last, hex, mac);
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO audit_head (id, last_id, hash, mac) VALUES (1, ?, ?, ?) "
                           "ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, "
                           "hash = excluded.hash, mac = excluded.mac",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "記録");
    sqlite3_bind_int64(s, 1, last);
    sqlite3_bind_text(s, 2, hex, -1, SQLITE_STATIC);
    if (st->audit_keyed)
        sqlite3_bind_text(s, 3, mac, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 3);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : az__store_dberr(st, ctx, "記録");
}

int az__store_chain_append(struct az_store *st, struct az_ctx *ctx, const char *at, const char *who,
                           const char *what, const char *object, const char *before,
                           const char *after)
{
    unsigned char prev[AZ_AUDIT_HASHLEN], h[AZ_AUDIT_HASHLEN];
    char hex[AZ_AUDIT_HEXLEN], mac[AZ_AUDIT_HEXLEN];
    struct az_audit_row row = {0, at, who, what, object, before, after};
    long long last;
    sqlite3_stmt *s;
    int r, rc;

    if ((r = read_head(st, ctx, &last, prev, NULL, NULL)) < 0)
        return r;
    if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(id), 0) + 1 FROM change_log", -1, &s,
                           NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "記録");
    rc = sqlite3_step(s);
    row.id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return az__store_dberr(st, ctx, "記録");
    az_audit_chain_hash(prev, &row, h);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    if (st->audit_keyed)
        az_audit_mac(st->audit_key, h, mac);
    if (!(s = st->chain_stmt) &&
        sqlite3_prepare_v3(st->db,
                           "INSERT INTO change_log (id, at, who, what, object, before, after, "
                           "hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &st->chain_stmt, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "記録");
    s = st->chain_stmt;
    sqlite3_bind_int64(s, 1, row.id);
    sqlite3_bind_text(s, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, what, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, object, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, before, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, after, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, hex, -1, SQLITE_STATIC);
    if (st->audit_keyed)
        sqlite3_bind_text(s, 9, mac, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 9);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return az__store_dberr(st, ctx, "記録");
    return write_head(st, ctx, row.id, h);
}

/* Rows written before the chain existed (an older workspace) are sealed
 * once, inside the migration to schema 5 (the caller's transaction):
 * later rows without a hash are insertions from outside and stay
 * unsealed, for verify to report. */
int az__store_chain_seal_legacy(struct az_store *st, struct az_ctx *ctx)
{
    unsigned char prev[AZ_AUDIT_HASHLEN] = {0}, h[AZ_AUDIT_HASHLEN];
    sqlite3_stmt *s = NULL, *u = NULL;
    long long last = 0;
    int rc;

    if (sqlite3_exec(st->db, "DROP TRIGGER IF EXISTS change_log_append_only_u", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "SELECT id, at, who, what, object, before, after FROM change_log "
                           "ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "UPDATE change_log SET hash = ?, mac = ? WHERE id = ?", -1, &u,
                           NULL) != SQLITE_OK)
        goto dberr;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct az_audit_row row = {sqlite3_column_int64(s, 0),
                                   col(s, 1),
                                   col(s, 2),
                                   col(s, 3),
                                   col(s, 4),
                                   col(s, 5),
                                   col(s, 6)};
        char hex[AZ_AUDIT_HEXLEN], mac[AZ_AUDIT_HEXLEN];
        az_audit_chain_hash(prev, &row, h);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        sqlite3_reset(u);
        sqlite3_bind_text(u, 1, hex, -1, SQLITE_TRANSIENT);
        if (st->audit_keyed) {
            az_audit_mac(st->audit_key, h, mac);
            sqlite3_bind_text(u, 2, mac, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(u, 2);
        }
        sqlite3_bind_int64(u, 3, row.id);
        if (sqlite3_step(u) != SQLITE_DONE)
            goto dberr;
        memcpy(prev, h, sizeof(prev));
        last = row.id;
    }
    if (rc != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(s);
    sqlite3_finalize(u);
    s = u = NULL;
    if (sqlite3_exec(st->db,
                     "CREATE TRIGGER change_log_append_only_u BEFORE UPDATE ON change_log"
                     "  BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto dberr;
    return write_head(st, ctx, last, prev);
dberr:
    rc = az__store_dberr(st, ctx, "移行");
    sqlite3_finalize(s);
    sqlite3_finalize(u);
    return rc;
}

void az_audit_verdict_free(struct az_audit_verdict *v)
{
    if (!v)
        return;
    free(v->problem_ja);
    free(v->problem_en);
    v->problem_ja = v->problem_en = NULL;
}

static void problem(struct az_audit_verdict *v, long long id, const char *ja, const char *en)
{
    char b[64];
    size_t nj, ne;

    if (!v->ok)
        return;
    v->ok = false;
    v->bad_id = id;
    if (id > 0)
        snprintf(b, sizeof(b), "#%lld: ", id);
    else
        b[0] = '\0';
    nj = strlen(b) + strlen(ja) + 1;
    ne = strlen(b) + strlen(en) + 1;
    if ((v->problem_ja = malloc(nj)))
        snprintf(v->problem_ja, nj, "%s%s", b, ja);
    if ((v->problem_en = malloc(ne)))
        snprintf(v->problem_en, ne, "%s%s", b, en);
}

int az_store_audit_verify(struct az_store *st, struct az_ctx *ctx, struct az_audit_verdict *ret)
{
    unsigned char prev[AZ_AUDIT_HASHLEN] = {0}, h[AZ_AUDIT_HASHLEN], head[AZ_AUDIT_HASHLEN];
    char hmac[AZ_AUDIT_HEXLEN], want[AZ_AUDIT_HEXLEN], hex[AZ_AUDIT_HEXLEN];
    long long last = 0, head_last, expect = 0;
    sqlite3_stmt *s;
    bool have_head;
    int r, rc;

    memset(ret, 0, sizeof(*ret));
    ret->ok = true;
    if ((r = read_head(st, ctx, &head_last, head, hmac, &have_head)) < 0)
        return r;
    /* the head is written when the chain starts (the migration seals even
     * an empty log), so a missing head means the log was emptied */
    if (!have_head)
        problem(ret, -1,
                "最終記録の控えがありません (監査ログがまとめて削除された可能性があります)",
                "the head is missing (the audit log may have been wiped)");
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, at, who, what, object, before, after, hash, mac FROM "
                           "change_log ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct az_audit_row row = {sqlite3_column_int64(s, 0),
                                   col(s, 1),
                                   col(s, 2),
                                   col(s, 3),
                                   col(s, 4),
                                   col(s, 5),
                                   col(s, 6)};
        const char *hash = col(s, 7), *mac = col(s, 8);
        ret->entries++;
        if (expect && row.id != expect)
            problem(ret, row.id, "直前の記録が削除されています (番号が飛んでいます)",
                    "the entry before this one was deleted (the numbers skip)");
        expect = row.id + 1;
        az_audit_chain_hash(prev, &row, h);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        if (!hash)
            problem(ret, row.id, "連鎖のハッシュがありません (anzen の外から追加されました)",
                    "no chain hash (added from outside anzen)");
        else if (strcmp(hash, hex) != 0)
            problem(
                ret, row.id,
                "ハッシュが合いません (この記録が書き換えられたか、前の記録が削除・挿入されました)",
                "the hash does not match (this entry was edited, or one before it was deleted "
                "or inserted)");
        if (st->audit_keyed && hash) {
            unsigned char stored[AZ_AUDIT_HASHLEN];
            if (sodium_hex2bin(stored, sizeof(stored), hash, strlen(hash), NULL, NULL, NULL) == 0)
                az_audit_mac(st->audit_key, stored, want);
            else
                want[0] = '\0';
            if (!mac || !want[0] || !az_str_equal_ct(mac, want))
                problem(ret, row.id,
                        "署名 (HMAC) が合いません (鍵を持たない者がハッシュを作り直しました)",
                        "the signature (HMAC) does not match (the hashes were recomputed without "
                        "the key)");
        }
        /* continue from the stored hash, so one edit is reported once */
        if (hash && sodium_hex2bin(prev, sizeof(prev), hash, strlen(hash), NULL, NULL, NULL) != 0)
            memcpy(prev, h, sizeof(prev));
        else if (!hash)
            memcpy(prev, h, sizeof(prev));
        last = row.id;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return az__store_dberr(st, ctx, "読み込み");
    sodium_bin2hex(hex, sizeof(hex), prev, sizeof(prev));
    if (ret->ok && (last != head_last || sodium_memcmp(prev, head, sizeof(prev)) != 0))
        problem(ret, -1,
                "最後の記録が最終記録の控えと合いません (末尾の記録が削除されたか、追加されました)",
                "the last entry does not match the recorded head (entries at the end were deleted "
                "or added)");
    if (ret->ok && st->audit_keyed) {
        char hh[AZ_AUDIT_HEXLEN];
        head_mac(st->audit_key, head_last, hex, hh);
        if (!az_str_equal_ct(hmac, hh))
            problem(ret, -1, "最終記録の控えの署名が合いません",
                    "the head's signature does not match");
    }
    return 0;
}

/* ---- listing ---- */

/* Days from 1970-01-01 of a proleptic Gregorian date. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((long long)yoe + era * 400 + (*m <= 2));
}

void az_audit_time_jst(const char *s, char *out, size_t n)
{
    int y, hh, mi, ss, k = 0;
    unsigned mo, d;

    if (sscanf(s, "%4d-%2u-%2uT%2d:%2d:%2dZ%n", &y, &mo, &d, &hh, &mi, &ss, &k) != 6 || k != 20 ||
        s[20] || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 60) {
        snprintf(out, n, "%s", s);
        return;
    }
    long long t = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss + 9 * 3600;
    long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400, sec = t - days * 86400;
    civil_from_days(days, &y, &mo, &d);
    snprintf(out, n, "%04d-%02u-%02u %02lld:%02lld:%02lld", y, mo, d, sec / 3600, sec / 60 % 60,
             sec % 60);
}

/* A JST date YYYY-MM-DD (plus end days) as the UTC ISO string of its
 * start, for comparing with the stored times. */
static bool jst_day_start_utc(const char *date, int plus, char *out, size_t n)
{
    int y, k = 0;
    unsigned mo, d;

    if (!date || sscanf(date, "%4d-%2u-%2u%n", &y, &mo, &d, &k) != 3 || k != 10 || date[10] ||
        mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    long long t = (days_from_civil(y, mo, d) + plus) * 86400 - 9 * 3600;
    long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400, sec = t - days * 86400;
    civil_from_days(days, &y, &mo, &d);
    snprintf(out, n, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", y, mo, d, sec / 3600, sec / 60 % 60,
             sec % 60);
    return true;
}

int az_store_audit_query(struct az_store *st, struct az_ctx *ctx, const struct az_audit_filter *f,
                         json_t **ret)
{
    static const char *const names[] = {"at", "who", "what", "object", "before", "after"};
    char from[64] = "", to[64] = "", what[128] = "", obj[160] = "";
    sqlite3_stmt *s;
    json_t *arr;
    int rc;

    if ((f->from && *f->from && !jst_day_start_utc(f->from, 0, from, sizeof(from))) ||
        (f->to && *f->to && !jst_day_start_utc(f->to, 1, to, sizeof(to))))
        return az_fail(ctx, AZ_EINVAL, "日付は YYYY-MM-DD で指定してください",
                       "give dates as YYYY-MM-DD");
    if (f->what && *f->what) {
        size_t n = strlen(f->what);
        if (n >= sizeof(what) - 1)
            return az_fail(ctx, AZ_EINVAL, "種類が長すぎます", "the event is too long");
        if (f->what[n - 1] == '*')
            snprintf(what, sizeof(what), "%.*s%%", (int)(n - 1), f->what);
        else
            snprintf(what, sizeof(what), "%s", f->what);
    }
    if (f->who && *f->who) {
        if (strlen(f->who) > AZ_USER_NAME_MAX * 2)
            return az_fail(ctx, AZ_EINVAL, "利用者名が長すぎます", "the user name is too long");
        snprintf(obj, sizeof(obj), "user:%s", f->who);
    }
    if (sqlite3_prepare_v2(
            st->db,
            "SELECT id, at, who, what, object, before, after FROM change_log WHERE "
            "(?1 = '' OR who = ?1 COLLATE NOCASE OR object = ?2 COLLATE NOCASE OR object = ?1 "
            "COLLATE NOCASE) AND (?3 = '' OR what LIKE ?3) AND (?4 = '' OR at >= ?4) AND "
            "(?5 = '' OR at < ?5) AND (?6 <= 0 OR id < ?6) ORDER BY id DESC LIMIT ?7",
            -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    sqlite3_bind_text(s, 1, f->who ? f->who : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, obj, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, what, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, f->before);
    sqlite3_bind_int(s, 7, f->limit > 0 ? f->limit : -1);
    arr = json_array();
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *e = json_object();
        json_object_set_new(e, "id", json_integer(sqlite3_column_int64(s, 0)));
        for (int i = 1; i <= 6; i++)
            json_object_set_new(e, names[i - 1], col(s, i) ? json_string(col(s, i)) : json_null());
        json_array_append_new(arr, e);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return az__store_dberr(st, ctx, "読み込み");
    }
    *ret = arr;
    return 0;
}

static const char *const labels[][3] = {
    {"login", "ログイン", "Signed in"},
    {"login-password", "パスワード確認 (二要素の前)", "Password accepted (second factor due)"},
    {"login-failed", "ログイン失敗", "Sign-in failed"},
    {"login-locked", "ログイン拒否 (制限中)", "Sign-in refused (throttled)"},
    {"login-throttled", "ログイン拒否 (制限中)", "Sign-in refused (throttled)"},
    {"lockout", "ログイン制限の開始", "Sign-in throttling started"},
    {"unlock", "ログイン制限の解除", "Sign-in throttling lifted"},
    {"logout", "ログアウト", "Signed out"},
    {"mfa-failed", "確認コードの誤り", "Wrong one-time code"},
    {"mfa-replay", "確認コードの再使用", "One-time code reused"},
    {"mfa-start", "二要素認証の登録開始", "Two-factor enrolment started"},
    {"mfa-enrol", "二要素認証の登録", "Two-factor enrolled"},
    {"mfa-enrol-failed", "二要素認証の登録失敗", "Two-factor enrolment failed"},
    {"mfa-disable", "二要素認証の解除", "Two-factor turned off"},
    {"mfa-reset", "二要素認証のリセット", "Two-factor reset"},
    {"recovery-codes", "回復コードの発行", "Recovery codes issued"},
    {"password", "パスワード変更", "Password changed"},
    {"password-reset", "パスワードの再設定", "Password reset"},
    {"password-change-failed", "パスワード変更の失敗", "Password change failed"},
    {"password-check-throttled", "パスワード確認の拒否 (制限中)",
     "Password check refused (throttled)"},
    {"password-rehash", "パスワードのハッシュ更新", "Password hash upgraded"},
    {"setup-failed", "初回設定コードの誤り", "Wrong setup code"},
    {"setup-throttled", "初回設定の拒否 (制限中)", "Setup refused (throttled)"},
    {"csrf-denied", "不正な送信の拒否 (CSRF)", "Forged request refused (CSRF)"},
    {"permission-denied", "権限のない操作の拒否", "Action refused (no permission)"},
    {"export", "書き出し", "Exported"},
    {"create", "作成", "Created"},
    {"update", "更新", "Updated"},
    {"import", "取り込み", "Imported"},
    {"snapshot", "評価の記録", "Assessment saved"},
    {"disable", "利用停止", "Disabled"},
    {"enable", "利用再開", "Enabled"},
    /* the hub's (hub serve) */
    {"not-found-or-out-of-scope", "見つからないか範囲外のページ", "Not found or out of scope"},
    {"bundle-accepted", "束の受け付け", "Bundle accepted"},
    {"bundle-refused", "束の拒否", "Bundle refused"},
    {"bundle-replay", "束の再送 (受け付け済み)", "Bundle sent again (already accepted)"},
    {"bundle-older", "古い束の拒否", "Older bundle refused"},
    {"bundle-error", "束の取り込みの失敗", "Bundle not stored (hub error)"},
    {"bundle-rate-limited", "束の受け付けの制限 (送りすぎ)", "Bundle refused (too many sent)"},
    {"hub-scope", "閲覧範囲の設定", "Viewing scope set"},
    {"hub-association", "医師会の会員の設定", "Association members set"},
};

const char *az_audit_label(const char *what, enum az_lang lang)
{
    for (size_t i = 0; what && i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(what, labels[i][0]))
            return labels[i][lang == AZ_LANG_EN ? 2 : 1];
    return NULL;
}

/* OWASP's advice for CSV injection, as the ledger export does: a cell a
 * spreadsheet would take as a formula starts with a single quote. */
static const char *defuse(const char *s, char **tmp)
{
    size_t n;

    *tmp = NULL;
    if (!s)
        return "";
    if (!az_csv_formula_like(s))
        return s;
    n = strlen(s);
    if (!(*tmp = malloc(n + 2)))
        return NULL;
    (*tmp)[0] = '\'';
    memcpy(*tmp + 1, s, n + 1);
    return *tmp;
}

int az_audit_csv(const json_t *entries, enum az_lang lang, char **ret, size_t *ret_len)
{
    static const char *const head_ja[] = {"番号", "日時 (JST)", "利用者", "操作",
                                          "種類", "対象",       "変更前", "変更後・詳細"};
    static const char *const head_en[] = {"No.",   "When (JST)", "User",   "Action",
                                          "Event", "Object",     "Before", "After / detail"};
    struct az_buf b;
    const json_t *e;
    size_t i;
    int r;

    az_buf_init(&b, (size_t)256 << 20);
    r = az_buf_add(&b, "\xEF\xBB\xBF", 3);
    if (r == 0)
        r = az_csv_write_row(&b, lang == AZ_LANG_EN ? head_en : head_ja, 8);
    json_array_foreach(entries, i, e)
    {
        char id[24], at[40], *tmp[8] = {0};
        const char *what = json_string_value(json_object_get(e, "what")),
                   *label = az_audit_label(what, lang), *raw[8], *row[8];
        if (r < 0)
            break;
        snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(e, "id")));
        raw[1] = json_string_value(json_object_get(e, "at"));
        az_audit_time_jst(raw[1] ? raw[1] : "", at, sizeof(at));
        raw[0] = id;
        raw[1] = at;
        raw[2] = json_string_value(json_object_get(e, "who"));
        raw[3] = label ? label : what;
        raw[4] = what;
        raw[5] = json_string_value(json_object_get(e, "object"));
        raw[6] = json_string_value(json_object_get(e, "before"));
        raw[7] = json_string_value(json_object_get(e, "after"));
        for (int k = 0; k < 8; k++)
            if (!(row[k] = defuse(raw[k], &tmp[k])))
                r = AZ_ENOMEM;
        if (r == 0)
            r = az_csv_write_row(&b, row, 8);
        for (int k = 0; k < 8; k++)
            free(tmp[k]);
    }
    if (r < 0) {
        az_buf_done(&b);
        return r;
    }
    *ret_len = b.len;
    *ret = az_buf_take(&b);
    return *ret ? 0 : AZ_ENOMEM;
}
