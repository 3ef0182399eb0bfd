/* SPDX-License-Identifier: MIT */
/*
 * sqlite_auth.c - accounts, sessions, login throttling and security
 * events of the web UI in the SQLite workspace (store.h, schema 3).
 *
 * Every change to a user goes into the append-only change log with who
 * did it; secrets never do (the log shows the public fields only).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/auditlog.h"
#include "anzen/store.h"
#include "sqlite_internal.h"

static const char *const role_tokens[AZ_NUSER_ROLES] = {"management", "planning", "operations",
                                                        "viewer", "vendor"};
static const char *const role_ja[AZ_NUSER_ROLES] = {"経営層", "企画管理者", "システム運用担当者",
                                                    "閲覧者", "事業者"};
static const char *const role_en[AZ_NUSER_ROLES] = {"Management", "Planning manager",
                                                    "System operations", "Viewer", "Vendor"};

const char *az_user_role_token(enum az_user_role r)
{
    return (unsigned)r < AZ_NUSER_ROLES ? role_tokens[r] : "viewer";
}

const char *az_user_role_name(enum az_user_role r, enum az_lang lang)
{
    if ((unsigned)r >= AZ_NUSER_ROLES)
        r = AZ_UR_VIEWER;
    return lang == AZ_LANG_EN ? role_en[r] : role_ja[r];
}

int az_user_role_parse(const char *s)
{
    for (int i = 0; i < AZ_NUSER_ROLES; i++)
        if (!strcmp(s, role_tokens[i]) || !strcmp(s, role_ja[i]) || !strcasecmp(s, role_en[i]))
            return i;
    return -1;
}

bool az_user_name_valid(const char *name)
{
    size_t n = 0;

    for (; name[n]; n++) {
        char c = name[n];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (n >= AZ_USER_NAME_MAX || (!alnum && (n == 0 || !strchr("._-@", c))))
            return false;
    }
    return n > 0;
}

int az_user_texts_check(struct az_ctx *ctx, const char *display, const char *vendor)
{
    if (display && strlen(display) > AZ_USER_TEXT_MAX)
        return az_fail(ctx, AZ_EINVAL,
                       "表示名が長すぎます (%d バイトまで、日本語でおよそ %d 文字): %s",
                       "the display name is too long (at most %d bytes, about %d Japanese "
                       "characters): %s",
                       AZ_USER_TEXT_MAX, AZ_USER_TEXT_MAX / 3, display);
    if (vendor && strlen(vendor) > AZ_USER_TEXT_MAX)
        return az_fail(ctx, AZ_EINVAL,
                       "事業者名が長すぎます (%d バイトまで、日本語でおよそ %d 文字): %s",
                       "the vendor name is too long (at most %d bytes, about %d Japanese "
                       "characters): %s",
                       AZ_USER_TEXT_MAX, AZ_USER_TEXT_MAX / 3, vendor);
    return 0;
}

static const char *col(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

#define USER_COLS                                                                                  \
    "id, name, display, role, admin, vendor, password, totp, totp_pending, totp_last_step, "       \
    "disabled, (SELECT count(*) FROM recovery_codes r WHERE r.user_id = users.id AND r.used_at "   \
    "IS NULL), must_change"

static void user_from_row(sqlite3_stmt *s, struct az_user *u)
{
    int role = az_user_role_parse(col(s, 3));

    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(s, 0);
    snprintf(u->name, sizeof(u->name), "%s", col(s, 1));
    snprintf(u->display, sizeof(u->display), "%s", col(s, 2));
    u->role = role < 0 ? AZ_UR_VIEWER : (enum az_user_role)role;
    u->admin = sqlite3_column_int(s, 4) != 0;
    snprintf(u->vendor, sizeof(u->vendor), "%s", col(s, 5));
    snprintf(u->password, sizeof(u->password), "%s", col(s, 6));
    snprintf(u->totp, sizeof(u->totp), "%s", col(s, 7));
    snprintf(u->totp_pending, sizeof(u->totp_pending), "%s", col(s, 8));
    u->totp_last_step = sqlite3_column_int64(s, 9);
    u->disabled = sqlite3_column_int(s, 10) != 0;
    u->recovery_left = sqlite3_column_int(s, 11);
    u->must_change = sqlite3_column_int(s, 12) != 0;
}

/* The public fields of a user as compact JSON (for the change log). */
static char *user_public(const struct az_user *u)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:s, s:b, s:b}", "name", u->name, "display",
                          u->display, "role", az_user_role_token(u->role), "admin", u->admin,
                          "vendor", u->vendor, "disabled", u->disabled, "mfa", u->totp[0] != 0);
    char *s;

    /* a temporary password to change at the next sign-in (only when set,
     * so entries written before it existed read the same) */
    if (j && u->must_change)
        json_object_set_new(j, "must_change", json_true());
    s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    json_decref(j);
    return s;
}

static int check_user(struct az_ctx *ctx, const struct az_user *u)
{
    if (!az_user_name_valid(u->name))
        return az_fail(ctx, AZ_EINVAL,
                       "ユーザー名 \"%s\" は使えません (英数字と . _ - @、%d 文字まで)",
                       "invalid user name \"%s\" (letters, digits, . _ - @; at most %d)", u->name,
                       AZ_USER_NAME_MAX);
    if ((unsigned)u->role >= AZ_NUSER_ROLES)
        return az_fail(ctx, AZ_EINVAL, "役割が不正です", "invalid role");
    /* a text cut inside a character would be stored and break the list */
    if (az_utf8_invalid_at(u->display, strlen(u->display)) != (size_t)-1 ||
        az_utf8_invalid_at(u->vendor, strlen(u->vendor)) != (size_t)-1)
        return az_fail(ctx, AZ_EINVAL, "表示名か事業者名が UTF-8 ではありません",
                       "the display or vendor name is not UTF-8");
    if ((u->role == AZ_UR_VENDOR) != (u->vendor[0] != 0))
        return az_fail(ctx, AZ_EINVAL, "事業者の利用者には事業者名が必要です (ほかの役割には不要)",
                       "a vendor user needs a vendor name (and only a vendor user has one)");
    if (u->role == AZ_UR_VENDOR && u->admin)
        return az_fail(ctx, AZ_EINVAL, "事業者の利用者は管理者になれません",
                       "a vendor user cannot be an administrator");
    if (strncmp(u->password, "$argon2id$", 10) != 0)
        return az_fail(ctx, AZ_EINVAL, "パスワードのハッシュがありません",
                       "the password hash is missing");
    return 0;
}

static int insert_user(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                       const char *who, long long *ret_id)
{
    sqlite3_stmt *s;
    char at[32], object[96], *after;
    long long id;
    int rc, r;

    az__store_now_iso(at, sizeof(at));
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO users (name, display, role, admin, vendor, password, "
                           "totp, totp_pending, disabled, created_at, updated_at, must_change) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    sqlite3_bind_text(s, 1, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, u->display[0] ? u->display : u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, az_user_role_token(u->role), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, u->admin);
    sqlite3_bind_text(s, 5, u->vendor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, u->password, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, u->totp, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, u->totp_pending, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 9, u->disabled);
    sqlite3_bind_text(s, 10, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 11, at, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 12, u->must_change);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_CONSTRAINT)
        return az_fail(ctx, AZ_EINVAL, "ユーザー名 \"%s\" はすでに使われています",
                       "the user name \"%s\" is taken", u->name);
    if (rc != SQLITE_DONE)
        return az__store_dberr(st, ctx, "書き込み");
    id = sqlite3_last_insert_rowid(st->db);
    snprintf(object, sizeof(object), "user:%s", u->name);
    after = user_public(u);
    r = az__store_log(st, ctx, who, "create", object, NULL, after);
    free(after);
    if (r == 0 && ret_id)
        *ret_id = id;
    return r;
}

int az_store_user_count(struct az_store *st, struct az_ctx *ctx, int *ret)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM users", -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *ret = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : az__store_dberr(st, ctx, "読み込み");
}

static int add_user(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                    const char *who, bool first, long long *ret_id)
{
    int r, n = 0;

    if ((r = check_user(ctx, u)) < 0)
        return r;
    if ((r = az__store_begin(st, ctx)) < 0)
        return r;
    if (first && (r = az_store_user_count(st, ctx, &n)) == 0 && n > 0)
        r = az_fail(ctx, AZ_EINVAL, "管理者はすでに登録されています",
                    "the administrator already exists");
    if (r == 0)
        r = insert_user(st, ctx, u, who, ret_id);
    if (r == 0)
        r = az__store_commit(st, ctx);
    if (r < 0)
        az__store_rollback(st);
    return r;
}

int az_store_user_add(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                      const char *who, long long *ret_id)
{
    return add_user(st, ctx, u, who, false, ret_id);
}

int az_store_user_add_first(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                            long long *ret_id)
{
    if (!u->admin)
        return az_fail(ctx, AZ_EINVAL, "最初の利用者は管理者です",
                       "the first user must be an administrator");
    return add_user(st, ctx, u, u->name, true, ret_id);
}

static int get_user(struct az_store *st, struct az_ctx *ctx, const char *name, long long id,
                    struct az_user *ret)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           name ? "SELECT " USER_COLS " FROM users WHERE name = ?"
                                : "SELECT " USER_COLS " FROM users WHERE id = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    if (name)
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        user_from_row(s, ret);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return az_fail(ctx, AZ_ENOTFOUND, "利用者がいません", "no such user");
    return rc == SQLITE_ROW ? 0 : az__store_dberr(st, ctx, "読み込み");
}

int az_store_user_get(struct az_store *st, struct az_ctx *ctx, const char *name,
                      struct az_user *ret)
{
    return get_user(st, ctx, name, 0, ret);
}

int az_store_user_get_id(struct az_store *st, struct az_ctx *ctx, long long id, struct az_user *ret)
{
    return get_user(st, ctx, NULL, id, ret);
}

int az_store_user_update(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                         const char *what, const char *who)
{
    struct az_user old;
    sqlite3_stmt *s = NULL;
    char at[32], object[96], *before = NULL, *after = NULL;
    int r, rc;

    if ((r = check_user(ctx, u)) < 0 || (r = az__store_begin(st, ctx)) < 0)
        return r;
    if ((r = get_user(st, ctx, NULL, u->id, &old)) < 0)
        goto fail;
    az__store_now_iso(at, sizeof(at));
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE users SET name = ?, display = ?, role = ?, admin = ?, "
                           "vendor = ?, password = ?, totp = ?, totp_pending = ?, "
                           "totp_last_step = ?, disabled = ?, updated_at = ?, must_change = ? "
                           "WHERE id = ?",
                           -1, &s, NULL) != SQLITE_OK) {
        r = az__store_dberr(st, ctx, "書き込み");
        goto fail;
    }
    sqlite3_bind_text(s, 1, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, u->display[0] ? u->display : u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, az_user_role_token(u->role), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, u->admin);
    sqlite3_bind_text(s, 5, u->vendor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, u->password, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, u->totp, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, u->totp_pending, -1, SQLITE_STATIC);
    /* the replay guard never moves back */
    sqlite3_bind_int64(
        s, 9, u->totp_last_step > old.totp_last_step ? u->totp_last_step : old.totp_last_step);
    sqlite3_bind_int(s, 10, u->disabled);
    sqlite3_bind_text(s, 11, at, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 12, u->must_change);
    sqlite3_bind_int64(s, 13, u->id);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_CONSTRAINT) {
        r = az_fail(ctx, AZ_EINVAL, "ユーザー名 \"%s\" はすでに使われています",
                    "the user name \"%s\" is taken", u->name);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        r = az__store_dberr(st, ctx, "書き込み");
        goto fail;
    }
    snprintf(object, sizeof(object), "user:%s", old.name);
    before = user_public(&old);
    after = user_public(u);
    if ((r = az__store_log(st, ctx, who, what, object, before, after)) < 0 ||
        (r = az__store_commit(st, ctx)) < 0)
        goto fail;
    free(before);
    free(after);
    return 0;
fail:
    az__store_rollback(st);
    free(before);
    free(after);
    return r;
}

int az_store_users(struct az_store *st, struct az_ctx *ctx, json_t **ret)
{
    sqlite3_stmt *s;
    json_t *arr = json_array();
    int rc;

    if (sqlite3_prepare_v2(st->db, "SELECT " USER_COLS " FROM users ORDER BY name", -1, &s, NULL) !=
        SQLITE_OK) {
        json_decref(arr);
        return az__store_dberr(st, ctx, "読み込み");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct az_user u;
        user_from_row(s, &u);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:b, s:b, s:i}", "id",
                                             (json_int_t)u.id, "name", u.name, "display", u.display,
                                             "role", az_user_role_token(u.role), "admin", u.admin,
                                             "vendor", u.vendor, "disabled", u.disabled, "mfa",
                                             u.totp[0] != 0, "recovery_left", u.recovery_left));
        if (u.must_change)
            json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "must_change",
                                json_true());
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return az__store_dberr(st, ctx, "読み込み");
    }
    *ret = arr;
    return 0;
}

/* One statement with parameters ?1 (text t1, or integer i1 when t1 is
 * NULL) and ?2 (integer i2; ignored when the statement has no ?2), in
 * its own implicit transaction; ret_changes gets sqlite3_changes. */
static int run1(struct az_store *st, struct az_ctx *ctx, const char *sql, const char *t1,
                long long i1, long long i2, int *ret_changes)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    if (t1)
        sqlite3_bind_text(s, 1, t1, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(s, 1, i1);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, i2);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return az__store_dberr(st, ctx, "書き込み");
    if (ret_changes)
        *ret_changes = sqlite3_changes(st->db);
    return 0;
}

int az_store_user_totp_step(struct az_store *st, struct az_ctx *ctx, long long user_id,
                            long long step)
{
    int n = 0,
        r = run1(st, ctx,
                 "UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2", NULL,
                 user_id, step, &n);

    if (r < 0)
        return r;
    return n == 1 ? 0
                  : az_fail(ctx, AZ_EINVAL, "この確認コードはすでに使われています",
                            "this code has already been used");
}

int az_store_recovery_set(struct az_store *st, struct az_ctx *ctx, long long user_id,
                          char (*hashes)[AZ_RECOVERY_HASH_LEN], size_t n, const char *who)
{
    sqlite3_stmt *s = NULL;
    struct az_user u;
    char object[96], after[32];
    int r;

    if ((r = az__store_begin(st, ctx)) < 0)
        return r;
    if ((r = get_user(st, ctx, NULL, user_id, &u)) < 0 ||
        (r = run1(st, ctx, "DELETE FROM recovery_codes WHERE user_id = ?1", NULL, user_id, 1,
                  NULL)) < 0)
        goto fail;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?)", -1,
                           &s, NULL) != SQLITE_OK) {
        r = az__store_dberr(st, ctx, "書き込み");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, user_id);
        sqlite3_bind_text(s, 2, hashes[i], -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE) {
            r = az__store_dberr(st, ctx, "書き込み");
            goto fail;
        }
    }
    sqlite3_finalize(s);
    s = NULL;
    snprintf(object, sizeof(object), "user:%s", u.name);
    snprintf(after, sizeof(after), "{\"codes\":%zu}", n);
    if ((r = az__store_log(st, ctx, who, "recovery-codes", object, NULL, after)) < 0 ||
        (r = az__store_commit(st, ctx)) < 0)
        goto fail;
    return 0;
fail:
    sqlite3_finalize(s);
    az__store_rollback(st);
    return r;
}

int az_store_recovery_use(struct az_store *st, struct az_ctx *ctx, long long user_id,
                          const char *hash)
{
    sqlite3_stmt *s;
    char at[32];
    int rc, n;

    az__store_now_iso(at, sizeof(at));
    if (sqlite3_prepare_v2(st->db,
                           "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? "
                           "AND used_at IS NULL",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    sqlite3_bind_text(s, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return az__store_dberr(st, ctx, "書き込み");
    n = sqlite3_changes(st->db);
    return n == 1 ? 0
                  : az_fail(ctx, AZ_ENOTFOUND, "回復コードが違うか、使用済みです",
                            "unknown or used recovery code");
}

/* ---- sessions ---- */

int az_store_session_put(struct az_store *st, struct az_ctx *ctx, const struct az_session *ss)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO sessions (id, user_id, csrf, stage, created, "
                           "seen, addr) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    sqlite3_bind_text(s, 1, ss->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, ss->user_id);
    sqlite3_bind_text(s, 3, ss->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, (int)ss->stage);
    sqlite3_bind_int64(s, 5, ss->created);
    sqlite3_bind_int64(s, 6, ss->seen);
    sqlite3_bind_text(s, 7, ss->addr, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : az__store_dberr(st, ctx, "書き込み");
}

int az_store_session_get(struct az_store *st, struct az_ctx *ctx, const char *id,
                         struct az_session *ret)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, user_id, csrf, stage, created, seen, addr FROM sessions "
                           "WHERE id = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int stage = sqlite3_column_int(s, 3);
        memset(ret, 0, sizeof(*ret));
        snprintf(ret->id, sizeof(ret->id), "%s", col(s, 0));
        ret->user_id = sqlite3_column_int64(s, 1);
        snprintf(ret->csrf, sizeof(ret->csrf), "%s", col(s, 2));
        ret->stage = stage >= AZ_SESS_PASSWORD && stage <= AZ_SESS_FULL
                         ? (enum az_session_stage)stage
                         : AZ_SESS_PASSWORD;
        ret->created = sqlite3_column_int64(s, 4);
        ret->seen = sqlite3_column_int64(s, 5);
        snprintf(ret->addr, sizeof(ret->addr), "%s", col(s, 6));
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return az_fail(ctx, AZ_ENOTFOUND, "セッションがありません", "no such session");
    return rc == SQLITE_ROW ? 0 : az__store_dberr(st, ctx, "読み込み");
}

int az_store_session_touch(struct az_store *st, struct az_ctx *ctx, const char *id, long long now)
{
    return run1(st, ctx, "UPDATE sessions SET seen = ?2 WHERE id = ?1", id, 0, now, NULL);
}

int az_store_session_delete(struct az_store *st, struct az_ctx *ctx, const char *id)
{
    return run1(st, ctx, "DELETE FROM sessions WHERE id = ?1", id, 0, 0, NULL);
}

int az_store_session_delete_user(struct az_store *st, struct az_ctx *ctx, long long user_id)
{
    return run1(st, ctx, "DELETE FROM sessions WHERE user_id = ?1", NULL, user_id, 0, NULL);
}

int az_store_session_expire(struct az_store *st, struct az_ctx *ctx, long long now, long long idle,
                            long long absolute)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db, "DELETE FROM sessions WHERE seen < ? OR created < ?", -1, &s,
                           NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    sqlite3_bind_int64(s, 1, now - idle);
    sqlite3_bind_int64(s, 2, now - absolute);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : az__store_dberr(st, ctx, "書き込み");
}

/* ---- login throttling ---- */

int az_store_login_failure(struct az_store *st, struct az_ctx *ctx, const char *key, long long now,
                           long long window, int max, long long lock, bool *ret_locked)
{
    sqlite3_stmt *s;
    int rc;

    /* a failure after the window (or after a lock ran out) starts a new
     * count */
    if (sqlite3_prepare_v2(
            st->db,
            "INSERT INTO login_failures (key, count, first, locked_until) VALUES (?1, 1, ?2, 0) "
            "ON CONFLICT (key) DO UPDATE SET "
            "  count = CASE WHEN first < ?2 - ?3 OR (locked_until > 0 AND locked_until <= ?2) "
            "    THEN 1 ELSE count + 1 END,"
            "  first = CASE WHEN first < ?2 - ?3 OR (locked_until > 0 AND locked_until <= ?2) "
            "    THEN ?2 ELSE first END,"
            "  locked_until = CASE WHEN locked_until > ?2 THEN locked_until ELSE 0 END "
            "RETURNING count, locked_until",
            -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, window);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int count = sqlite3_column_int(s, 0);
        long long until = sqlite3_column_int64(s, 1);
        sqlite3_finalize(s);
        if (until <= now && count >= max) {
            int r = run1(st, ctx, "UPDATE login_failures SET locked_until = ?2 WHERE key = ?1", key,
                         0, now + lock, NULL);
            if (r < 0)
                return r;
            until = now + lock;
        }
        *ret_locked = until > now;
        return 0;
    }
    sqlite3_finalize(s);
    return az__store_dberr(st, ctx, "書き込み");
}

int az_store_login_locked(struct az_store *st, struct az_ctx *ctx, const char *key, long long now,
                          long long *ret_until)
{
    sqlite3_stmt *s;
    long long until = 0;
    int rc;

    if (sqlite3_prepare_v2(st->db, "SELECT locked_until FROM login_failures WHERE key = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        until = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return az__store_dberr(st, ctx, "読み込み");
    *ret_until = until > now ? until : 0;
    return 0;
}

int az_store_login_clear(struct az_store *st, struct az_ctx *ctx, const char *key)
{
    return run1(st, ctx, "DELETE FROM login_failures WHERE key = ?1", key, 0, 0, NULL);
}

/* ---- security events ---- */

int az_store_audit(struct az_store *st, struct az_ctx *ctx, const char *who, const char *what,
                   const char *object, const char *detail)
{
    int r = az__store_begin(st, ctx);

    if (r < 0)
        return r;
    if ((r = az__store_log(st, ctx, who, what, object, NULL, detail)) < 0 ||
        (r = az__store_commit(st, ctx)) < 0) {
        az__store_rollback(st);
        return r;
    }
    return 0;
}

int az_store_log_page(struct az_store *st, struct az_ctx *ctx, long long before, int limit,
                      json_t **ret)
{
    sqlite3_stmt *s;
    json_t *arr = json_array();
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, at, who, what, object, before, after FROM change_log "
                           "WHERE ?1 <= 0 OR id < ?1 ORDER BY id DESC LIMIT ?2",
                           -1, &s, NULL) != SQLITE_OK) {
        json_decref(arr);
        return az__store_dberr(st, ctx, "読み込み");
    }
    sqlite3_bind_int64(s, 1, before);
    sqlite3_bind_int(s, 2, limit > 0 ? limit : 50);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *e = json_object();
        json_object_set_new(e, "id", json_integer(sqlite3_column_int64(s, 0)));
        const char *names[] = {"at", "who", "what", "object", "before", "after"};
        for (int i = 1; i <= 6; i++)
            json_object_set_new(e, names[i - 1],
                                sqlite3_column_type(s, i) == SQLITE_NULL ? json_null()
                                                                         : json_string(col(s, i)));
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

/* ---- throttling with back-off (auditlog.h az_backoff_delay) ---- */

int az_store_throttle_fail(struct az_store *st, struct az_ctx *ctx, const char *key, long long now,
                           const struct az_throttle *t, int *ret_count, long long *ret_until)
{
    sqlite3_stmt *s;
    int rc, count;
    long long until;

    /* "first" holds the time of the latest failure here: a key that has
     * been quiet for the window (and is not waiting) starts again */
    if (sqlite3_prepare_v2(
            st->db,
            "INSERT INTO login_failures (key, count, first, locked_until) VALUES (?1, 1, ?2, 0) "
            "ON CONFLICT (key) DO UPDATE SET "
            "  count = CASE WHEN first < ?2 - ?3 AND locked_until <= ?2 THEN 1 ELSE count + 1 END,"
            "  first = ?2 "
            "RETURNING count, locked_until",
            -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, t->window);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        return az__store_dberr(st, ctx, "書き込み");
    }
    count = sqlite3_column_int(s, 0);
    until = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    {
        long long d = az_backoff_delay(count, t->free, t->base, t->cap);
        if (d > 0 && now + d > until) {
            int r = run1(st, ctx, "UPDATE login_failures SET locked_until = ?2 WHERE key = ?1", key,
                         0, now + d, NULL);
            if (r < 0)
                return r;
            until = now + d;
        }
    }
    if (ret_count)
        *ret_count = count;
    if (ret_until)
        *ret_until = until > now ? until : 0;
    return 0;
}

int az_store_throttle_unlock_user(struct az_store *st, struct az_ctx *ctx, const char *name,
                                  int *ret_n)
{
    char acct[AZ_USER_NAME_MAX + 8], ua[AZ_USER_NAME_MAX + 8];
    sqlite3_stmt *s;
    int rc;

    snprintf(acct, sizeof(acct), "acct:%s", name);
    snprintf(ua, sizeof(ua), "ua:%s|", name);
    if (sqlite3_prepare_v2(st->db,
                           "DELETE FROM login_failures WHERE lower(key) = lower(?1) OR "
                           "lower(substr(key, 1, length(?2))) = lower(?2) OR "
                           "lower(key) = lower('pw:' || ?3)",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "書き込み");
    sqlite3_bind_text(s, 1, acct, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, ua, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return az__store_dberr(st, ctx, "書き込み");
    if (ret_n)
        *ret_n = sqlite3_changes(st->db);
    return 0;
}

int az_store_throttle_list(struct az_store *st, struct az_ctx *ctx, long long now, json_t **ret)
{
    sqlite3_stmt *s;
    json_t *arr;
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT key, count, first, locked_until FROM login_failures "
                           "WHERE locked_until > ? ORDER BY key",
                           -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    sqlite3_bind_int64(s, 1, now);
    arr = json_array();
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:s, s:i, s:I, s:I}", "key", col(s, 0), "count",
                                             sqlite3_column_int(s, 1), "last",
                                             (json_int_t)sqlite3_column_int64(s, 2), "until",
                                             (json_int_t)sqlite3_column_int64(s, 3)));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return az__store_dberr(st, ctx, "読み込み");
    }
    *ret = arr;
    return 0;
}
