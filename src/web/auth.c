/* SPDX-License-Identifier: MIT */
/*
 * auth.c - accounts in the web UI: first-run creation of the
 * administrator, sign-in with password and TOTP (or a recovery code),
 * throttling and temporary lockout, MFA enrolment with a QR code, own
 * password changes, user administration and the audit log.
 *
 * Error messages on sign-in are the same whatever went wrong (unknown
 * user, wrong password, locked), and an unknown user costs the same
 * argon2id work as a known one. Every event goes into the change log.
 *
 * IMPLEMENTS: gl-6.0.ops-14-1, gl-6.0.ops-14-2, gl-6.0.ops-14-6, cl-r7.h.mfa,
 * cl-r7.h.access-log (sign-ins, failures and changes are logged
 * append-only with the user), cl-r7.h.access-rights (roles).
 */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/profile.h"
#include "web.h"

const char *web_who(const struct req *q)
{
    return q->have_session ? q->user.name : "-";
}

void web_audit(struct req *q, const char *who, const char *what, const char *object,
               const char *detail)
{
    json_t *j = json_pack("{s:s}", "addr", q->addr);
    char *d;

    if (detail)
        json_object_set_new(j, "detail", json_string(detail));
    d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    web_lock(q->w);
    if (az_store_audit(q->w->st, &q->ctx, who, what, object, d) < 0)
        fprintf(stderr, "anzen serve: %s\n", az_errmsg(&q->ctx));
    web_unlock(q->w);
    free(d);
}

/* The same argon2id work for unknown users as for known ones. */
static char dummy_hash[AZ_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    struct az_ctx ctx;
    char pw[48];

    az_ctx_init(&ctx, AZ_LANG_EN);
    az_random_token(pw, sizeof(pw), 24);
    if (az_password_hash(&ctx, pw, dummy_hash) < 0)
        dummy_hash[0] = '\0';
}

/* The roles for a <select> (vendor only where a vendor may be made). */
static void role_options(struct req *q, json_t *v, int selected, bool vendor)
{
    json_t *list = v_arr(v, "roles");

    for (int i = 0; i < AZ_NUSER_ROLES; i++) {
        json_t *x;
        if (i == AZ_UR_VENDOR && !vendor)
            continue;
        x = v_push(list);
        v_str(x, "value", az_user_role_token((enum az_user_role)i));
        v_bool(x, "selected", i == selected);
        v_str(x, "name", az_user_role_name((enum az_user_role)i, q->lang));
    }
}

/* A new view with the form error err (if any) and the CSRF token. */
static json_t *form_view(struct req *q, const char *err)
{
    json_t *v = json_object();

    if (err && *err)
        v_str(v, "error", err);
    web_view_csrf(q, v);
    return v;
}

/* ---- first run ---- */

static int user_count(struct req *q)
{
    int n = -1;

    web_lock(q->w);
    if (az_store_user_count(q->w->st, &q->ctx, &n) < 0)
        n = -1;
    web_unlock(q->w);
    return n;
}

static void setup_form(struct req *q, const char *err)
{
    json_t *v = form_view(q, err);

    v_str(v, "name", web_field(q, "name"));
    v_str(v, "display", web_field(q, "display"));
    role_options(q, v, AZ_UR_PLANNING, false);
    web_page(q, 200, "setup.html", v, NULL);
}

void page_setup(struct req *q)
{
    struct az_user u;
    const char *code, *name, *display, *role, *pw, *pw2;
    long long id;
    int n = user_count(q), rl;

    if (n != 0) {
        web_redirect(q, "/login");
        return;
    }
    if (!q->post) {
        setup_form(q, NULL);
        return;
    }
    code = web_field(q, "code");
    name = web_field(q, "name");
    display = web_field(q, "display");
    role = web_field(q, "role");
    pw = web_field(q, "password");
    pw2 = web_field(q, "password2");
    if (!code || !q->w->setup_code[0] || !az_str_equal_ct(code, q->w->setup_code)) {
        web_audit(q, "-", "setup-failed", "setup", "wrong setup code");
        setup_form(q, T(q, "初回設定コードが違います。", "The setup code is wrong."));
        q->r.status = 400;
        return;
    }
    if (!name || !az_user_name_valid(name)) {
        setup_form(q, T(q, "ユーザー名は英数字と . _ - @ で、64 文字までです。",
                        "User names use letters, digits and . _ - @, up to 64."));
        q->r.status = 400;
        return;
    }
    if (!pw || !pw2 || strcmp(pw, pw2) != 0) {
        setup_form(q, T(q, "2 つのパスワードが一致しません。", "The two passwords differ."));
        q->r.status = 400;
        return;
    }
    if (az_password_policy(&q->ctx, pw, name) < 0) {
        setup_form(q, az_errmsg(&q->ctx));
        q->r.status = 400;
        return;
    }
    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "%s", name);
    snprintf(u.display, sizeof(u.display), "%s", display && *display ? display : name);
    rl = role ? az_user_role_parse(role) : AZ_UR_PLANNING;
    u.role = rl < 0 || rl == AZ_UR_VENDOR ? AZ_UR_PLANNING : (enum az_user_role)rl;
    u.admin = true;
    if (az_password_hash(&q->ctx, pw, u.password) < 0) {
        web_error(q, 500, "パスワードを保存できませんでした。", "Could not store the password.");
        return;
    }
    web_lock(q->w);
    n = az_store_user_add_first(q->w->st, &q->ctx, &u, &id);
    web_unlock(q->w);
    if (n < 0) {
        setup_form(q, az_errmsg(&q->ctx));
        q->r.status = 400;
        return;
    }
    u.id = id;
    if (web_session_start(q, &u, AZ_SESS_ENROL) < 0) {
        web_error(q, 500, "セッションを作れませんでした。", "Could not create a session.");
        return;
    }
    web_redirect(q, "/mfa");
}

/* ---- sign-in ---- */

static void login_form(struct req *q, const char *err)
{
    json_t *v = form_view(q, err);

    v_str(v, "name", web_field(q, "name"));
    web_page(q, 200, "login.html", v, NULL);
}

static const char *generic_fail(struct req *q)
{
    return T(
        q, "ユーザー名かパスワードが違います。何度も間違えると、しばらくログインできなくなります。",
        "Wrong user name or password. After several failures, signing in is blocked for a "
        "while.");
}

static void key_for(char *out, size_t n, const char *kind, const char *v)
{
    size_t k = (size_t)snprintf(out, n, "%s:", kind);

    for (; *v && k + 1 < n && k < 80; v++)
        out[k++] = (char)tolower((unsigned char)*v);
    out[k] = '\0';
}

/* Count a failure against the user name and the address; returns true
 * if either is now locked. */
static bool count_failure(struct req *q, const char *ukey, const char *akey)
{
    bool lu = false, la = false;

    web_lock(q->w);
    az_store_login_failure(q->w->st, &q->ctx, ukey, q->now, WEB_FAIL_WINDOW, WEB_FAIL_USER,
                           WEB_LOCK_TIME, &lu);
    if (akey)
        az_store_login_failure(q->w->st, &q->ctx, akey, q->now, WEB_FAIL_WINDOW, WEB_FAIL_ADDR,
                               WEB_LOCK_TIME, &la);
    web_unlock(q->w);
    return lu || la;
}

static bool is_locked(struct req *q, const char *key)
{
    long long until = 0;

    web_lock(q->w);
    az_store_login_locked(q->w->st, &q->ctx, key, q->now, &until);
    web_unlock(q->w);
    return until > 0;
}

void page_login(struct req *q)
{
    const char *name, *pw;
    char ukey[100], akey[100];
    struct az_user u;
    bool found, ok, locked;
    enum az_session_stage stage;

    if (user_count(q) == 0) {
        web_redirect(q, "/setup");
        return;
    }
    if (!q->post) {
        if (q->signed_in) {
            web_redirect(q, "/");
            return;
        }
        login_form(q, NULL);
        return;
    }
    name = web_field(q, "name");
    pw = web_field(q, "password");
    if (!name || !pw || strlen(name) > AZ_USER_NAME_MAX || strlen(pw) > AZ_PASSWORD_MAX) {
        login_form(q, generic_fail(q));
        q->r.status = 400;
        return;
    }
    key_for(ukey, sizeof(ukey), "user", name);
    key_for(akey, sizeof(akey), "addr", q->addr);
    pthread_once(&dummy_once, make_dummy);
    web_lock(q->w);
    found = az_store_user_get(q->w->st, &q->ctx, name, &u) == 0 && !u.disabled;
    web_unlock(q->w);
    locked = is_locked(q, ukey) || is_locked(q, akey);
    /* always do the argon2id work, so timing says nothing */
    ok = az_password_verify(found ? u.password : dummy_hash, pw) && found && !locked;
    if (!ok) {
        bool now_locked = locked || count_failure(q, ukey, akey);
        web_audit(q, "-", locked ? "login-locked" : "login-failed", ukey + 5, NULL);
        if (now_locked && !locked)
            web_audit(q, "-", "lockout", ukey + 5, NULL);
        login_form(q, generic_fail(q));
        q->r.status = 401;
        return;
    }
    web_lock(q->w);
    az_store_login_clear(q->w->st, &q->ctx, ukey);
    web_unlock(q->w);
    if (az_password_needs_rehash(u.password) && az_password_hash(&q->ctx, pw, u.password) == 0) {
        web_lock(q->w);
        az_store_user_update(q->w->st, &q->ctx, &u, "password-rehash", u.name);
        web_unlock(q->w);
    }
    stage = u.totp[0] ? AZ_SESS_PASSWORD : u.admin ? AZ_SESS_ENROL : AZ_SESS_FULL;
    if (web_session_start(q, &u, stage) < 0) {
        web_error(q, 500, "セッションを作れませんでした。", "Could not create a session.");
        return;
    }
    web_audit(q, u.name, stage == AZ_SESS_PASSWORD ? "login-password" : "login", ukey + 5, NULL);
    web_redirect(q, stage == AZ_SESS_PASSWORD ? "/login/mfa"
                    : stage == AZ_SESS_ENROL  ? "/mfa"
                    : u.role == AZ_UR_VENDOR  ? "/vendors"
                                              : "/");
}

static void mfa_form(struct req *q, const char *err)
{
    web_page(q, 200, "login-mfa.html", form_view(q, err), NULL);
}

/* Check a TOTP code for u against its sealed secret (the active one, or
 * the pending one during enrolment) and record the step. */
static enum az_totp_verdict check_totp(struct req *q, const struct az_user *u, const char *code,
                                       bool pending, long long *ret_step)
{
    unsigned char key[64];
    size_t klen = 0;
    int64_t step = 0;
    enum az_totp_verdict v;

    if (az_unseal(&q->ctx, q->w->seal_key, pending ? u->totp_pending : u->totp, key, sizeof(key),
                  &klen) < 0)
        return AZ_TOTP_WRONG;
    v = az_totp_verify(key, klen, code, q->now, 1, u->totp_last_step, &step);
    sodium_memzero(key, sizeof(key));
    if (v != AZ_TOTP_OK)
        return v;
    /* atomic: of two requests with the same code only one gets here */
    web_lock(q->w);
    if (az_store_user_totp_step(q->w->st, &q->ctx, u->id, step) < 0)
        v = AZ_TOTP_REPLAY;
    web_unlock(q->w);
    *ret_step = step;
    return v;
}

void page_login_mfa(struct req *q)
{
    const char *code = web_field(q, "code");
    char ukey[100], h[AZ_RECOVERY_HASH_LEN];
    struct az_user u;
    enum az_totp_verdict v = AZ_TOTP_WRONG;
    long long step = 0;
    bool recovery = false;

    if (!q->post) {
        mfa_form(q, NULL);
        return;
    }
    key_for(ukey, sizeof(ukey), "user", q->user.name);
    web_lock(q->w);
    if (az_store_user_get_id(q->w->st, &q->ctx, q->user.id, &u) < 0)
        u = q->user;
    web_unlock(q->w);
    if (is_locked(q, ukey)) {
        web_audit(q, u.name, "login-locked", u.name, "second factor");
        web_session_end(q);
        login_form(q, generic_fail(q));
        q->r.status = 401;
        return;
    }
    if (code && strpbrk(code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
        az_recovery_hash(code, h) == 0) {
        recovery = true;
        web_lock(q->w);
        v = az_store_recovery_use(q->w->st, &q->ctx, u.id, h) == 0 ? AZ_TOTP_OK : AZ_TOTP_WRONG;
        web_unlock(q->w);
    } else if (code) {
        v = check_totp(q, &u, code, false, &step);
    }
    if (v != AZ_TOTP_OK) {
        bool locked = count_failure(q, ukey, NULL);
        web_audit(q, u.name, v == AZ_TOTP_REPLAY ? "mfa-replay" : "mfa-failed", u.name, NULL);
        if (locked) {
            web_audit(q, u.name, "lockout", u.name, "second factor");
            web_session_end(q);
            login_form(q, generic_fail(q));
            q->r.status = 401;
            return;
        }
        mfa_form(q, T(q, "確認コードが違うか、すでに使われています。",
                      "The code is wrong or has already been used."));
        q->r.status = 401;
        return;
    }
    web_lock(q->w);
    az_store_login_clear(q->w->st, &q->ctx, ukey);
    web_unlock(q->w);
    if (web_session_start(q, &u, AZ_SESS_FULL) < 0) {
        web_error(q, 500, "セッションを作れませんでした。", "Could not create a session.");
        return;
    }
    web_audit(q, u.name, "login", u.name, recovery ? "recovery code" : "totp");
    web_redirect(q, u.role == AZ_UR_VENDOR ? "/vendors" : "/");
}

void page_logout(struct req *q)
{
    if (!q->post) {
        web_redirect(q, "/");
        return;
    }
    web_audit(q, q->user.name, "logout", q->user.name, NULL);
    web_session_end(q);
    web_redirect(q, "/login");
}

/* ---- MFA enrolment ---- */

static void show_recovery(struct req *q, char (*codes)[AZ_RECOVERY_LEN], size_t n)
{
    json_t *v = json_object(), *list = v_arr(v, "codes");

    for (size_t i = 0; i < n; i++)
        v_push_str(list, codes[i]);
    web_page(q, 200, "recovery.html", v, NULL);
}

static int new_recovery_codes(struct req *q, const struct az_user *u,
                              char (*codes)[AZ_RECOVERY_LEN])
{
    char hashes[AZ_RECOVERY_COUNT][AZ_RECOVERY_HASH_LEN];
    int r;

    for (int i = 0; i < AZ_RECOVERY_COUNT; i++) {
        az_recovery_code(codes[i]);
        if (az_recovery_hash(codes[i], hashes[i]) < 0)
            return AZ_EINVAL;
    }
    web_lock(q->w);
    r = az_store_recovery_set(q->w->st, &q->ctx, u->id, hashes, AZ_RECOVERY_COUNT, u->name);
    web_unlock(q->w);
    return r;
}

static void enrol_form(struct req *q, struct az_user *u, const char *err)
{
    unsigned char key[64];
    size_t klen = 0;
    char *secret = NULL, *uri = NULL, *svg = NULL;
    json_t *v = form_view(q, err), *raw = json_object();

    if (az_unseal(&q->ctx, q->w->seal_key, u->totp_pending, key, sizeof(key), &klen) == 0) {
        secret = az_base32_encode(key, klen);
        uri = az_totp_uri("anzen", u->name, key, klen);
        if (uri)
            az_qr_svg(&q->ctx, uri, &svg);
    }
    sodium_memzero(key, sizeof(key));
    v_bool(v, "admin", u->admin);
    v_str(v, "secret", secret ? secret : "?");
    /* the QR code is markup made by az_qr_svg: the one raw value */
    v_str(raw, "qr", svg);
    free(secret);
    free(uri);
    free(svg);
    web_page(q, 200, "mfa-enrol.html", v, raw);
}

static void mfa_status(struct req *q, const struct az_user *u, const char *msg)
{
    json_t *v = form_view(q, msg);

    v_bool(v, "admin", u->admin);
    v_int(v, "recovery_left", u->recovery_left);
    web_page(q, 200, "mfa-status.html", v, NULL);
}

void page_mfa_enrol(struct req *q)
{
    struct az_user u;
    const char *action = web_field(q, "action"), *code = web_field(q, "code");
    char codes[AZ_RECOVERY_COUNT][AZ_RECOVERY_LEN];
    long long step = 0;
    enum az_totp_verdict v;

    web_lock(q->w);
    if (az_store_user_get_id(q->w->st, &q->ctx, q->user.id, &u) < 0) {
        web_unlock(q->w);
        web_error(q, 500, "利用者を読めません。", "Cannot read the user.");
        return;
    }
    if (!u.totp[0] && !u.totp_pending[0]) {
        unsigned char key[AZ_TOTP_KEYLEN];
        char *sealed;
        randombytes_buf(key, sizeof(key));
        sealed = az_seal(q->w->seal_key, key, sizeof(key));
        sodium_memzero(key, sizeof(key));
        if (sealed && strlen(sealed) < sizeof(u.totp_pending)) {
            snprintf(u.totp_pending, sizeof(u.totp_pending), "%s", sealed);
            az_store_user_update(q->w->st, &q->ctx, &u, "mfa-start", u.name);
        }
        free(sealed);
    }
    web_unlock(q->w);
    if (!q->post) {
        if (u.totp[0])
            mfa_status(q, &u, NULL);
        else
            enrol_form(q, &u, NULL);
        return;
    }
    if (!u.totp[0]) {
        /* enrolment */
        v = code ? check_totp(q, &u, code, true, &step) : AZ_TOTP_WRONG;
        if (v != AZ_TOTP_OK) {
            web_audit(q, u.name, "mfa-enrol-failed", u.name, NULL);
            enrol_form(q, &u,
                       T(q, "確認コードが違います。時刻のずれがないか確かめてください。",
                         "The code is wrong. Check that the phone's clock is right."));
            q->r.status = 400;
            return;
        }
        memcpy(u.totp, u.totp_pending, sizeof(u.totp));
        u.totp_pending[0] = '\0';
        u.totp_last_step = step;
        web_lock(q->w);
        v = az_store_user_update(q->w->st, &q->ctx, &u, "mfa-enrol", u.name) < 0 ? AZ_TOTP_WRONG
                                                                                 : AZ_TOTP_OK;
        web_unlock(q->w);
        if (v != AZ_TOTP_OK || new_recovery_codes(q, &u, codes) < 0 ||
            web_session_start(q, &u, AZ_SESS_FULL) < 0) {
            web_error(q, 500, "二要素認証を保存できませんでした。",
                      "Could not store two-factor authentication.");
            return;
        }
        show_recovery(q, codes, AZ_RECOVERY_COUNT);
        return;
    }
    /* already on: new recovery codes, or turn off (not for admins) */
    if (!q->signed_in) {
        web_redirect(q, "/");
        return;
    }
    v = code ? check_totp(q, &u, code, false, &step) : AZ_TOTP_WRONG;
    if (v != AZ_TOTP_OK) {
        web_audit(q, u.name, v == AZ_TOTP_REPLAY ? "mfa-replay" : "mfa-failed", u.name, NULL);
        mfa_status(q, &u,
                   T(q, "確認コードが違うか、すでに使われています。",
                     "The code is wrong or has already been used."));
        q->r.status = 400;
        return;
    }
    if (action && !strcmp(action, "disable") && !u.admin) {
        u.totp[0] = '\0';
        web_lock(q->w);
        az_store_user_update(q->w->st, &q->ctx, &u, "mfa-disable", u.name);
        az_store_recovery_set(q->w->st, &q->ctx, u.id, NULL, 0, u.name);
        web_unlock(q->w);
        web_redirect(q, "/account");
        return;
    }
    if (new_recovery_codes(q, &u, codes) < 0) {
        web_error(q, 500, "回復コードを保存できませんでした。", "Could not store the codes.");
        return;
    }
    show_recovery(q, codes, AZ_RECOVERY_COUNT);
}

/* ---- own account ---- */

static void account_page(struct req *q, const char *msg, bool ok)
{
    json_t *v = json_object();

    v_str(v, "name", q->user.name);
    v_str(v, "role", az_user_role_name(q->user.role, q->lang));
    v_bool(v, "mfa", q->user.totp[0] != '\0');
    if (msg) {
        v_str(v, "msg", msg);
        v_bool(v, "ok", ok);
    }
    web_page(q, 200, "account.html", v, NULL);
}

void page_account(struct req *q)
{
    const char *old = web_field(q, "old"), *pw = web_field(q, "password"),
               *pw2 = web_field(q, "password2");
    struct az_user u = q->user;

    if (!q->post) {
        account_page(q, NULL, false);
        return;
    }
    if (!old || !az_password_verify(u.password, old)) {
        web_audit(q, u.name, "password-change-failed", u.name, NULL);
        account_page(q, T(q, "今のパスワードが違います。", "The current password is wrong."),
                     false);
        q->r.status = 400;
        return;
    }
    if (!pw || !pw2 || strcmp(pw, pw2)) {
        account_page(q, T(q, "2 つのパスワードが一致しません。", "The two passwords differ."),
                     false);
        q->r.status = 400;
        return;
    }
    if (az_password_policy(&q->ctx, pw, u.name) < 0) {
        account_page(q, az_errmsg(&q->ctx), false);
        q->r.status = 400;
        return;
    }
    if (az_password_hash(&q->ctx, pw, u.password) < 0) {
        web_error(q, 500, "パスワードを保存できませんでした。", "Could not store the password.");
        return;
    }
    web_lock(q->w);
    if (az_store_user_update(q->w->st, &q->ctx, &u, "password", u.name) == 0)
        az_store_session_delete_user(q->w->st, &q->ctx, u.id); /* sign out everywhere */
    web_unlock(q->w);
    q->have_session = false;
    web_session_start(q, &u, AZ_SESS_FULL);
    account_page(q,
                 T(q, "パスワードを変更しました。ほかの端末のログインは終了しました。",
                   "Password changed. Other sign-ins have been ended."),
                 true);
}

/* ---- user administration ---- */

static json_t *profile_vendors(void)
{
    struct az_ctx ctx;
    struct az_profile *p;
    json_t *v = json_array();

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_profile_load_file(&ctx, WEB_PROFILE, &p) < 0)
        return v;
    for (size_t i = 0; i < p->nsystems; i++) {
        const char *name = p->systems[i].vendor;
        bool dup = false;
        size_t k;
        json_t *x;
        if (!name)
            continue;
        json_array_foreach(v, k, x) if (!strcmp(json_string_value(x), name)) dup = true;
        if (!dup)
            json_array_append_new(v, json_string(name));
    }
    az_profile_free(p);
    return v;
}

static void users_page(struct req *q, const char *msg, bool ok)
{
    json_t *users = NULL, *vendors = profile_vendors(), *x, *v = json_object(), *list;
    size_t i;

    web_lock(q->w);
    az_store_users(q->w->st, &q->ctx, &users);
    web_unlock(q->w);
    if (msg) {
        v_str(v, "msg", msg);
        v_bool(v, "ok", ok);
    }
    list = v_arr(v, "users");
    json_array_foreach(users, i, x)
    {
        const char *name = json_string_value(json_object_get(x, "name"));
        int role = az_user_role_parse(json_string_value(json_object_get(x, "role")));
        json_t *u = v_push(list);
        v_str(u, "name", name);
        v_str(u, "display", json_string_value(json_object_get(x, "display")));
        v_str(u, "role",
              az_user_role_name((enum az_user_role)(role < 0 ? AZ_UR_VIEWER : role), q->lang));
        v_str(u, "vendor", json_string_value(json_object_get(x, "vendor")));
        v_bool(u, "admin", json_is_true(json_object_get(x, "admin")));
        v_bool(u, "mfa", json_is_true(json_object_get(x, "mfa")));
        v_bool(u, "disabled", json_is_true(json_object_get(x, "disabled")));
        v_bool(u, "self", !name || !strcmp(name, q->user.name));
    }
    role_options(q, v, AZ_UR_OPERATIONS, true);
    json_object_set_new(v, "vendors", vendors);
    json_decref(users);
    web_page(q, 200, "users.html", v, NULL);
}

void page_users(struct req *q)
{
    const char *action = web_field(q, "action");
    struct az_user u;
    int r;

    if (!q->post) {
        users_page(q, NULL, false);
        return;
    }
    if (action && !strcmp(action, "create")) {
        const char *name = web_field(q, "name"), *display = web_field(q, "display"),
                   *role = web_field(q, "role"), *vendor = web_field(q, "vendor"),
                   *pw = web_field(q, "password"), *admin = web_field(q, "admin");
        int rl = role ? az_user_role_parse(role) : -1;
        memset(&u, 0, sizeof(u));
        if (!name || !pw || rl < 0) {
            users_page(q, T(q, "入力が足りません。", "Something is missing."), false);
            q->r.status = 400;
            return;
        }
        snprintf(u.name, sizeof(u.name), "%s", name);
        snprintf(u.display, sizeof(u.display), "%s", display && *display ? display : name);
        u.role = (enum az_user_role)rl;
        u.admin = admin && !strcmp(admin, "1");
        if (u.role == AZ_UR_VENDOR)
            snprintf(u.vendor, sizeof(u.vendor), "%s", vendor ? vendor : "");
        if (strlen(name) > AZ_USER_NAME_MAX || az_password_policy(&q->ctx, pw, name) < 0 ||
            az_password_hash(&q->ctx, pw, u.password) < 0) {
            users_page(q, az_errmsg(&q->ctx), false);
            q->r.status = 400;
            return;
        }
        web_lock(q->w);
        r = az_store_user_add(q->w->st, &q->ctx, &u, web_who(q), NULL);
        web_unlock(q->w);
        users_page(q, r < 0 ? az_errmsg(&q->ctx) : T(q, "追加しました。", "Added."), r == 0);
        if (r < 0)
            q->r.status = 400;
        return;
    }
    {
        const char *name = web_field(q, "user");
        web_lock(q->w);
        r = name && strcmp(name, q->user.name) ? az_store_user_get(q->w->st, &q->ctx, name, &u)
                                               : AZ_EINVAL;
        if (r == 0 && action && (!strcmp(action, "disable") || !strcmp(action, "enable"))) {
            u.disabled = !strcmp(action, "disable");
            r = az_store_user_update(q->w->st, &q->ctx, &u, action, web_who(q));
            if (r == 0 && u.disabled)
                az_store_session_delete_user(q->w->st, &q->ctx, u.id);
        } else if (r == 0 && action && !strcmp(action, "reset-mfa")) {
            u.totp[0] = u.totp_pending[0] = '\0';
            r = az_store_user_update(q->w->st, &q->ctx, &u, "mfa-reset", web_who(q));
            if (r == 0) {
                az_store_recovery_set(q->w->st, &q->ctx, u.id, NULL, 0, web_who(q));
                az_store_session_delete_user(q->w->st, &q->ctx, u.id);
            }
        } else if (r == 0) {
            r = AZ_EINVAL;
        }
        web_unlock(q->w);
        users_page(q,
                   r < 0 ? T(q, "変更できませんでした。", "Could not change that.")
                         : T(q, "変更しました。", "Changed."),
                   r == 0);
        if (r < 0)
            q->r.status = 400;
    }
}

/* ---- the audit log ---- */

void page_audit(struct req *q)
{
    const char *before = web_arg(q, "before");
    long bid = 0;
    json_t *page = NULL, *e, *v = json_object(), *list = v_arr(v, "entries");
    size_t i;
    long long last = 0;

    if (before && az_parse_long(before, 0, 1L << 62, &bid) < 0)
        bid = 0;
    web_lock(q->w);
    az_store_log_page(q->w->st, &q->ctx, bid, 100, &page);
    web_unlock(q->w);
    json_array_foreach(page, i, e)
    {
        const char *after = json_string_value(json_object_get(e, "after"));
        json_t *x = v_push(list);
        last = json_integer_value(json_object_get(e, "id"));
        v_int(x, "id", last);
        v_str(x, "at", json_string_value(json_object_get(e, "at")));
        v_str(x, "who", json_string_value(json_object_get(e, "who")));
        v_str(x, "what", json_string_value(json_object_get(e, "what")));
        v_str(x, "object", json_string_value(json_object_get(e, "object")));
        v_str(x, "detail", after && strlen(after) < 300 ? after : "");
    }
    if (json_array_size(page) == 100)
        v_int(v, "older", last);
    json_decref(page);
    web_page(q, 200, "audit.html", v, NULL);
}
