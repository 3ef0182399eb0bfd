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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/auditlog.h"
#include "anzen/profile.h"
#include "web.h"

const char *web_who(const struct req *q)
{
    return q->have_session ? q->user.name : "-";
}

/* s as valid UTF-8 for the log (heap): bytes that are not UTF-8 become
 * U+FFFD and control characters '?', so a typed name can neither break
 * the page, the CSV or the JSON nor fake a line. */
static char *log_text(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *out = malloc(n * 3 + 1);

    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = az_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (len == 0) {
            memcpy(out + k, "\xEF\xBF\xBD", 3);
            k += 3;
            i++;
        } else if (cp < 0x20 || cp == 0x7f) {
            out[k++] = '?';
            i += len;
        } else {
            memcpy(out + k, s + i, len);
            k += len;
            i += len;
        }
    }
    out[k] = '\0';
    return out;
}

void web_audit(struct req *q, const char *who, const char *what, const char *object,
               const char *detail)
{
    json_t *j = json_pack("{s:s}", "addr", q->addr);
    char *d, *o = log_text(object ? object : "-"), *dt = detail ? log_text(detail) : NULL;

    if (dt)
        json_object_set_new(j, "detail", json_string(dt));
    d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    web_lock(q->w);
    if (az_store_audit(q->w->st, &q->ctx, who, what, o ? o : "-", d) < 0)
        fprintf(stderr, "anzen serve: %s\n", az_errmsg(&q->ctx));
    web_unlock(q->w);
    free(d);
    free(o);
    free(dt);
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

/* Throttles (auditlog.h): one account from one address backs off after
 * 5 failures; one address after 30 failures over all accounts; one
 * account over all addresses after 20, but that one only holds back
 * accounts without a second factor, so a right password and TOTP code
 * from an address that has not itself been failing always get in. */
static const struct az_throttle t_ua = {WEB_FAIL_WINDOW, WEB_FAIL_USER, 30, 3600};
static const struct az_throttle t_ip = {WEB_FAIL_WINDOW, WEB_FAIL_ADDR, 60, 3600};
static const struct az_throttle t_acct = {WEB_FAIL_WINDOW, 20, 60, 3600};
static const struct az_throttle t_setup = {WEB_FAIL_WINDOW, 5, 30, 3600};
static const struct az_throttle t_pw = {WEB_FAIL_WINDOW, 5, 30, 3600};
/* counts refusals while waiting (for the log only) */
static const struct az_throttle t_count = {WEB_FAIL_WINDOW, 1 << 30, 0, 0};

/* kind:lower(name), or kind:lower(name)|addr when addr is given */
static void key_for(char *out, size_t n, const char *kind, const char *v, const char *addr)
{
    size_t k = (size_t)snprintf(out, n, "%s:", kind);

    /* '|' separates the address: a name typed with one must not pass
     * for another account's key */
    for (; *v && k + 1 < n && k < 80; v++)
        out[k++] = *v == '|' ? '?' : (char)tolower((unsigned char)*v);
    out[k] = '\0';
    if (addr && k + 1 < n)
        snprintf(out + k, n - k, "|%s", addr);
}

/* Whether key is waiting now. */
static bool is_locked(struct req *q, const char *key)
{
    long long until = 0;

    web_lock(q->w);
    az_store_login_locked(q->w->st, &q->ctx, key, q->now, &until);
    web_unlock(q->w);
    return until > 0;
}

/* Count a failure of key; returns the failures in a row (0 on error),
 * *ret_until the end of the wait. */
static int count_fail(struct req *q, const char *key, const struct az_throttle *t,
                      long long *ret_until)
{
    int n = 0;
    long long until = 0;

    web_lock(q->w);
    if (az_store_throttle_fail(q->w->st, &q->ctx, key, q->now, t, &n, &until) < 0)
        n = 0;
    web_unlock(q->w);
    if (ret_until)
        *ret_until = until;
    return n;
}

/* Repeated failures are logged compressed: the first three, then at 4,
 * 8, 16, ... each with its count, so 16,000 tries make 16 rows. */
static bool worth_logging(int n)
{
    return n > 0 && (n <= 3 || (n & (n - 1)) == 0);
}

void web_audit_count(struct req *q, const char *who, const char *what, const char *object,
                     const char *detail, int count)
{
    char d[64 + AZ_USER_NAME_MAX];

    if (!worth_logging(count))
        return;
    snprintf(d, sizeof(d), "%s%s%d", detail ? detail : "", detail ? "; count " : "count ", count);
    web_audit(q, who, what, object, d);
}

/* Count a refused try while waiting, logged compressed as what
 * (login-throttled, password-check-throttled). */
static void log_refusal(struct req *q, const char *who, const char *what, const char *object,
                        const char *why)
{
    char k[200];
    int n;

    key_for(k, sizeof(k), "refused", object, q->addr);
    n = count_fail(q, k, &t_count, NULL);
    web_audit_count(q, who, what, object, why, n);
}

void web_audit_denied(struct req *q, const char *what)
{
    char k[200], object[300];
    int n;

    /* counted per event, path and address, logged compressed; the path
     * as printable ASCII (anything else %XX), at most 200 characters */
    {
        size_t o = (size_t)snprintf(object, sizeof(object), "path:");
        for (const char *p = q->url ? q->url : "?"; *p && o + 4 < sizeof(object) && o < 205; p++) {
            unsigned char c = (unsigned char)*p;
            if (c > 0x20 && c < 0x7f && c != '%')
                object[o++] = (char)c;
            else
                o += (size_t)snprintf(object + o, sizeof(object) - o, "%%%02X", c);
        }
        object[o] = '\0';
    }
    key_for(k, sizeof(k), what, q->have_session ? q->user.name : "-", q->addr);
    n = count_fail(q, k, &t_count, NULL);
    web_audit_count(q, web_who(q), what, object, NULL, n);
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
    char skey[100];
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
    key_for(skey, sizeof(skey), "setup", q->addr, NULL);
    if (is_locked(q, skey)) {
        log_refusal(q, "-", "setup-throttled", "setup", "setup code");
        setup_form(q, T(q, "試行が多すぎます。しばらく待ってからやり直してください。",
                        "Too many tries. Wait a while and try again."));
        q->r.status = 429;
        return;
    }
    if (!code || !q->w->setup_code[0] || !az_str_equal_ct(code, q->w->setup_code)) {
        int nf = count_fail(q, skey, &t_setup, NULL);
        web_audit_count(q, "-", "setup-failed", "setup", "wrong setup code", nf);
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
    if (az_user_texts_check(&q->ctx, display, NULL) < 0) {
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

void page_login(struct req *q)
{
    const char *name, *pw;
    char ua[200], ip[100], acct[100], object[100];
    struct az_user u;
    bool found, ok, blocked;
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
    key_for(ua, sizeof(ua), "ua", name, q->addr);
    key_for(ip, sizeof(ip), "ip", q->addr, NULL);
    key_for(acct, sizeof(acct), "acct", name, NULL);
    key_for(object, sizeof(object), "user", name, NULL);
    pthread_once(&dummy_once, make_dummy);
    web_lock(q->w);
    found = az_store_user_get(q->w->st, &q->ctx, name, &u) == 0 && !u.disabled;
    web_unlock(q->w);
    /* the account-wide wait holds back only accounts without a second
     * factor (the others still need the code) */
    blocked =
        is_locked(q, ua) || is_locked(q, ip) || ((!found || !u.totp[0]) && is_locked(q, acct));
    /* always do the argon2id work, so timing says nothing */
    ok = az_password_verify(found ? u.password : dummy_hash, pw) && found && !blocked;
    if (!ok) {
        if (blocked) {
            log_refusal(q, "-", "login-throttled", object, "throttled");
        } else {
            long long until_ua = 0, until_ip = 0, until_acct = 0;
            int nua = count_fail(q, ua, &t_ua, &until_ua),
                nip = count_fail(q, ip, &t_ip, &until_ip),
                nacct = count_fail(q, acct, &t_acct, &until_acct);
            web_audit_count(q, "-", "login-failed", object, found ? NULL : "unknown user", nua);
            if (until_ua && nua == t_ua.free)
                web_audit(q, "-", "lockout", object, "this address");
            if (until_ip && nip == t_ip.free) {
                char ao[80];
                snprintf(ao, sizeof(ao), "addr:%s", q->addr);
                web_audit(q, "-", "lockout", ao, "all accounts from this address");
            }
            if (until_acct && nacct == t_acct.free)
                web_audit(q, "-", "lockout", object, "all addresses (accounts without 2FA)");
        }
        login_form(q, generic_fail(q));
        q->r.status = 401;
        return;
    }
    web_lock(q->w);
    az_store_login_clear(q->w->st, &q->ctx, ua);
    web_unlock(q->w);
    if (az_password_needs_rehash(u.password) && az_password_hash(&q->ctx, pw, u.password) == 0) {
        web_lock(q->w);
        az_store_user_update(q->w->st, &q->ctx, &u, "password-rehash", u.name);
        web_unlock(q->w);
    }
    stage = u.totp[0] ? AZ_SESS_PASSWORD : u.admin || q->w->mfa_all ? AZ_SESS_ENROL : AZ_SESS_FULL;
    if (web_session_start(q, &u, stage) < 0) {
        web_error(q, 500, "セッションを作れませんでした。", "Could not create a session.");
        return;
    }
    key_for(object, sizeof(object), "user", u.name, NULL);
    web_audit(q, u.name, stage == AZ_SESS_PASSWORD ? "login-password" : "login", object, NULL);
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
    char ukey[200], ip[100], object[100], h[AZ_RECOVERY_HASH_LEN];
    struct az_user u;
    enum az_totp_verdict v = AZ_TOTP_WRONG;
    long long step = 0;
    bool recovery = false;

    if (!q->post) {
        mfa_form(q, NULL);
        return;
    }
    key_for(ukey, sizeof(ukey), "ua", q->user.name, q->addr);
    key_for(ip, sizeof(ip), "ip", q->addr, NULL);
    key_for(object, sizeof(object), "user", q->user.name, NULL);
    web_lock(q->w);
    if (az_store_user_get_id(q->w->st, &q->ctx, q->user.id, &u) < 0)
        u = q->user;
    web_unlock(q->w);
    if (is_locked(q, ukey) || is_locked(q, ip)) {
        log_refusal(q, u.name, "login-throttled", object, "second factor");
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
        long long until = 0;
        int n = count_fail(q, ukey, &t_ua, &until);
        count_fail(q, ip, &t_ip, NULL);
        web_audit_count(q, u.name, v == AZ_TOTP_REPLAY ? "mfa-replay" : "mfa-failed", object, NULL,
                        n);
        if (until) {
            if (n == t_ua.free)
                web_audit(q, u.name, "lockout", object, "second factor, this address");
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
    web_audit(q, u.name, "login", object, recovery ? "recovery code" : "totp");
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
    v_bool(v, "must_change", q->user.must_change && !ok);
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
    char pkey[100], object[100];

    if (!q->post) {
        account_page(q, NULL, false);
        return;
    }
    key_for(pkey, sizeof(pkey), "pw", u.name, NULL);
    key_for(object, sizeof(object), "user", u.name, NULL);
    if (is_locked(q, pkey)) {
        log_refusal(q, u.name, "password-check-throttled", object, "current password");
        account_page(q,
                     T(q, "試行が多すぎます。しばらく待ってからやり直してください。",
                       "Too many tries. Wait a while and try again."),
                     false);
        q->r.status = 429;
        return;
    }
    if (!old || !az_password_verify(u.password, old)) {
        int nf = count_fail(q, pkey, &t_pw, NULL);
        web_audit_count(q, u.name, "password-change-failed", object, NULL, nf);
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
    if (u.must_change && !strcmp(pw, old)) {
        account_page(q,
                     T(q, "一時パスワードとは別のパスワードにしてください。",
                       "Choose a password other than the temporary one."),
                     false);
        q->r.status = 400;
        return;
    }
    u.must_change = false;
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

/* Whether any waiting key in locks belongs to user name (lower case). */
static bool user_waiting(const json_t *locks, const char *name)
{
    char a[100], u[100];
    const json_t *x;
    size_t i;

    key_for(a, sizeof(a), "acct", name, NULL);
    key_for(u, sizeof(u), "ua", name, "");
    json_array_foreach(locks, i, x)
    {
        const char *k = json_string_value(json_object_get(x, "key"));
        if (k && (!strcmp(k, a) || !strncmp(k, u, strlen(u))))
            return true;
    }
    return false;
}

static void users_page(struct req *q, const char *msg, bool ok)
{
    json_t *users = NULL, *vendors = profile_vendors(), *x, *v = json_object(), *list,
           *locks = NULL, *addrs;
    size_t i;

    web_lock(q->w);
    az_store_users(q->w->st, &q->ctx, &users);
    if (az_store_throttle_list(q->w->st, &q->ctx, q->now, &locks) < 0)
        locks = json_array();
    web_unlock(q->w);
    addrs = v_arr(v, "blocked_addrs");
    json_array_foreach(locks, i, x)
    {
        const char *k = json_string_value(json_object_get(x, "key"));
        if (k && !strncmp(k, "ip:", 3)) {
            json_t *a = v_push(addrs);
            v_str(a, "addr", k + 3);
            v_int(a, "count", json_integer_value(json_object_get(x, "count")));
        }
    }
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
        v_bool(u, "locked", name && user_waiting(locks, name));
        v_bool(u, "must_change", json_is_true(json_object_get(x, "must_change")));
    }
    json_decref(locks);
    role_options(q, v, AZ_UR_OPERATIONS, true);
    json_object_set_new(v, "vendors", vendors);
    json_decref(users);
    web_page(q, 200, "users.html", v, NULL);
}

/* /admin/users?reset=NAME, the name percent-encoded but for letters,
 * digits and - . _ */
static void reset_location(char *out, size_t size, const char *name)
{
    size_t o = (size_t)snprintf(out, size, "/admin/users?reset=");

    for (const char *p = name; *p && o + 4 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '-' || c == '.' || c == '_')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
    }
    out[o < size ? o : size - 1] = '\0';
}

void page_users(struct req *q)
{
    const char *action = web_field(q, "action");
    struct az_user u;
    int r;

    if (!q->post) {
        const char *reset = web_arg(q, "reset");
        char *msg = NULL;
        /* after a password reset (page_users redirects here): said only
         * of a user that exists, who must change it at the next sign-in */
        if (reset && strlen(reset) <= AZ_USER_NAME_MAX) {
            web_lock(q->w);
            r = az_store_user_get(q->w->st, &q->ctx, reset, &u);
            web_unlock(q->w);
            if (r == 0 && u.must_change)
                msg = az_fmt(T(q,
                               "%s のパスワードを再設定しました。本人に直接伝えてください。"
                               "次のサインインで変更が必要です。",
                               "The password of %s was reset. Give it to them directly; they "
                               "must change it at the next sign-in."),
                             u.name);
        }
        users_page(q, msg, msg != NULL);
        free(msg);
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
        if (az_user_texts_check(&q->ctx, display, vendor) < 0) {
            users_page(q, az_errmsg(&q->ctx), false);
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
    if (action && !strcmp(action, "unlock-addr")) {
        const char *addr = web_field(q, "addr");
        char key[100], object[100];
        if (!addr || strlen(addr) > 64) {
            users_page(q, T(q, "入力が足りません。", "Something is missing."), false);
            q->r.status = 400;
            return;
        }
        key_for(key, sizeof(key), "ip", addr, NULL);
        web_lock(q->w);
        r = az_store_login_clear(q->w->st, &q->ctx, key);
        web_unlock(q->w);
        snprintf(object, sizeof(object), "addr:%s", addr);
        if (r == 0)
            web_audit(q, web_who(q), "unlock", object, "administrator");
        users_page(q,
                   r < 0 ? T(q, "変更できませんでした。", "Could not change that.")
                         : T(q, "変更しました。", "Changed."),
                   r == 0);
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
        } else if (r == 0 && action && !strcmp(action, "unlock")) {
            int n = 0;
            char object[100];
            r = az_store_throttle_unlock_user(q->w->st, &q->ctx, u.name, &n);
            key_for(object, sizeof(object), "user", u.name, NULL);
            web_unlock(q->w);
            if (r == 0)
                web_audit(q, web_who(q), "unlock", object, "administrator");
            web_lock(q->w);
        } else if (r == 0 && action && !strcmp(action, "reset-password")) {
            const char *pw = web_field(q, "password");
            if (!pw || az_password_policy(&q->ctx, pw, u.name) < 0 ||
                az_password_hash(&q->ctx, pw, u.password) < 0) {
                web_unlock(q->w);
                users_page(q,
                           pw ? az_errmsg(&q->ctx)
                              : T(q, "入力が足りません。", "Something is missing."),
                           false);
                q->r.status = 400;
                return;
            }
            u.must_change = true; /* the administrator knows it: changed at the next sign-in */
            r = az_store_user_update(q->w->st, &q->ctx, &u, "password-reset", web_who(q));
            if (r == 0) {
                char loc[sizeof(u.name) * 3 + 32];
                az_store_session_delete_user(q->w->st, &q->ctx, u.id);
                az_store_throttle_unlock_user(q->w->st, &q->ctx, u.name, NULL);
                web_unlock(q->w);
                /* back to the list (a reload does not post the password
                 * again), which confirms it by the name */
                reset_location(loc, sizeof(loc), u.name);
                web_redirect(q, loc);
                return;
            }
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

/* The detail of a sign-in event as the audit page shows it: what
 * web_audit stored ({"addr": ..., "detail": "token; count N"}, English
 * tokens kept in the database and the CSV) in the page's language.
 * NULL when after is something else (a record's JSON: shown as is). */
static char *detail_text(const char *after, enum az_lang lang)
{
    static const char *const words[][3] = {
        {"unknown user", "存在しない利用者名", "unknown user"},
        {"throttled", "制限中", "throttled"},
        {"current password", "今のパスワードの確認", "current password check"},
        {"wrong setup code", "初回設定コードの誤り", "wrong setup code"},
        {"this address", "この利用者をこのアドレスから", "this account from this address"},
        {"all accounts from this address", "このアドレスからのすべての利用者",
         "all accounts from this address"},
        {"all addresses (accounts without 2FA)", "すべてのアドレスから (二要素認証のない利用者)",
         "all addresses (accounts without 2FA)"},
        {"second factor, this address", "確認コードをこのアドレスから",
         "second factor from this address"},
        {"administrator", "管理者による", "by an administrator"},
        {"recovery code", "回復コードで", "with a recovery code"},
        {"totp", "確認コードで", "with a one-time code"},
        {"second factor", "確認コード", "second factor"},
        {"setup code", "初回設定コード", "setup code"},
        {"csv", "CSV", "CSV"},
        /* the hub's bundle receipts */
        {"wrong key", "登録された鍵で署名されていない", "not signed with the enrolled key"},
        {"not enrolled", "登録されていない機関", "institution not enrolled"},
        {"sealed, no hub key", "封をした束 (ハブの鍵なし)", "sealed, and the hub has no key"},
        {"bad signature", "署名の不正", "bad signature"},
        {"no bundle", "束がない", "no bundle"},
        {"unreadable", "読めない", "unreadable"},
        {"several envelopes", "複数の束", "several bundles"},
        {"database", "データベースの障害", "database failure"},
        {"claimed, unverified", "機関と束 ID は束の記載 (未確認)",
         "institution and bundle id as the bundle claims (unverified)"},
        {"too big", "大きすぎる", "too big"},
        {"content type", "Content-Type の誤り", "wrong content type"},
        {"empty", "空の送信", "empty"},
        {"future fiscal year", "年度が作成日より後", "fiscal year later than its creation"},
    };
    bool en = lang == AZ_LANG_EN;
    json_error_t je;
    json_t *j = json_loads(after, 0, &je);
    const char *addr = json_string_value(json_object_get(j, "addr")),
               *det = json_string_value(json_object_get(j, "detail"));
    size_t known = (addr ? 1 : 0) + (det ? 1 : 0);
    struct az_buf b;
    char *out;

    if (!json_is_object(j) || !known || json_object_size(j) != known) {
        json_decref(j);
        return NULL;
    }
    az_buf_init(&b, 4096);
    /* "token; count N", "count N", "N assets" or "token" */
    while (det && *det) {
        const char *end = strstr(det, "; ");
        size_t len = end ? (size_t)(end - det) : strlen(det);
        const char *w = NULL;
        unsigned long n = 0;
        int used = 0;
        if (b.len)
            az_buf_puts(&b, en ? "; " : "、");
        for (size_t k = 0; k < sizeof(words) / sizeof(words[0]) && !w; k++)
            if (strlen(words[k][0]) == len && !strncmp(det, words[k][0], len))
                w = words[k][en ? 2 : 1];
        if (w)
            az_buf_puts(&b, w);
        else if (sscanf(det, "count %lu%n", &n, &used) == 1 && (size_t)used == len)
            az_buf_printf(&b, en ? "try %lu" : "%lu 回目", n);
        else if (sscanf(det, "%lu assets%n", &n, &used) == 1 && (size_t)used == len)
            az_buf_printf(&b, en ? "%lu assets" : "%lu 台", n);
        else if (sscanf(det, "%lu members%n", &n, &used) == 1 && (size_t)used == len)
            az_buf_printf(&b, en ? "%lu members" : "会員 %lu 機関", n);
        else
            az_buf_add(&b, det, len);
        det = end ? end + 2 : NULL;
    }
    if (addr)
        az_buf_printf(&b, en ? "%sfrom %s" : "%s%s から", b.len ? (en ? "; " : "、") : "", addr);
    json_decref(j);
    out = az_buf_take(&b);
    return out;
}

void page_audit(struct req *q)
{
    const char *before = web_arg(q, "before"), *format = web_arg(q, "format");
    struct az_audit_filter f = {0};
    long bid = 0;
    json_t *page = NULL, *e, *v = json_object(), *list = v_arr(v, "entries"), *events;
    size_t i;
    long long last = 0;
    bool csv = format && !strcmp(format, "csv");
    int r;

    if (before && az_parse_long(before, 0, 1L << 62, &bid) < 0)
        bid = 0;
    f.who = web_arg(q, "user");
    f.what = web_arg(q, "event");
    f.from = web_arg(q, "from");
    f.to = web_arg(q, "to");
    f.before = csv ? 0 : bid;
    f.limit = csv ? 0 : 100;
    web_lock(q->w);
    r = az_store_audit_query(q->w->st, &q->ctx, &f, &page);
    web_unlock(q->w);
    if (r < 0) {
        v_str(v, "error", az_errmsg(&q->ctx));
        page = json_array();
    }
    if (csv && r == 0) {
        char *body = NULL;
        size_t len = 0;
        json_decref(v);
        if (az_audit_csv(page, q->lang, &body, &len) < 0) {
            json_decref(page);
            web_error(q, 500, "書き出せませんでした。", "Could not export.");
            return;
        }
        json_decref(page);
        web_audit(q, web_who(q), "export", "audit-log", "csv");
        web_download(q, "text/csv; charset=utf-8", "audit-log.csv", "監査ログ.csv", body, len);
        return;
    }
    json_array_foreach(page, i, e)
    {
        const char *after = json_string_value(json_object_get(e, "after")),
                   *what = json_string_value(json_object_get(e, "what")),
                   *label = az_audit_label(what, q->lang);
        char at[40];
        json_t *x = v_push(list);
        last = json_integer_value(json_object_get(e, "id"));
        az_audit_time_jst(json_string_value(json_object_get(e, "at")), at, sizeof(at));
        v_int(x, "id", last);
        v_str(x, "at", at);
        v_str(x, "who", json_string_value(json_object_get(e, "who")));
        v_str(x, "what", what);
        v_str(x, "label", label ? label : what);
        v_str(x, "object", json_string_value(json_object_get(e, "object")));
        {
            char *d = after && strlen(after) < 300 ? detail_text(after, q->lang) : NULL;
            v_str(x, "detail", d ? d : (after && strlen(after) < 300 ? after : ""));
            free(d);
        }
    }
    {
        /* the filters carried to the next page and the CSV link */
        struct az_buf b;
        const char *names[] = {"user", "event", "from", "to"},
                   *vals[] = {f.who, f.what, f.from, f.to};
        char *qs;
        az_buf_init(&b, 4096);
        for (int k = 0; k < 4; k++) {
            az_buf_printf(&b, "%s%s=", k ? "&" : "", names[k]);
            for (const char *p = vals[k] ? vals[k] : ""; *p; p++) {
                unsigned char c = (unsigned char)*p;
                if (isalnum(c) || strchr("-._~*@:", c))
                    az_buf_add(&b, p, 1);
                else
                    az_buf_printf(&b, "%%%02X", c);
            }
        }
        qs = az_buf_take(&b);
        v_str(v, "filter_qs", qs ? qs : "");
        free(qs);
    }
    if (json_array_size(page) == 100 && r == 0)
        v_int(v, "older", last);
    v_str(v, "f_user", f.who ? f.who : "");
    v_str(v, "f_event", f.what ? f.what : "");
    v_str(v, "f_from", f.from ? f.from : "");
    v_str(v, "f_to", f.to ? f.to : "");
    events = v_arr(v, "events");
    {
        static const char *const tokens[] = {"login",
                                             "login-failed",
                                             "login-throttled",
                                             "lockout",
                                             "unlock",
                                             "logout",
                                             "mfa-failed",
                                             "mfa-replay",
                                             "mfa-enrol",
                                             "mfa-reset",
                                             "password",
                                             "password-reset",
                                             "password-change-failed",
                                             "password-check-throttled",
                                             "setup-failed",
                                             "setup-throttled",
                                             "csrf-denied",
                                             "permission-denied",
                                             "create",
                                             "update",
                                             "disable",
                                             "enable",
                                             "import"};
        for (size_t k = 0; k < sizeof(tokens) / sizeof(tokens[0]); k++) {
            json_t *x = v_push(events);
            v_str(x, "value", tokens[k]);
            v_str(x, "name", az_audit_label(tokens[k], q->lang));
            v_bool(x, "selected", f.what && !strcmp(f.what, tokens[k]));
        }
    }
    json_decref(page);
    web_page(q, 200, "audit.html", v, NULL);
}
