/* SPDX-License-Identifier: MIT */
/*
 * session.c - sessions and CSRF protection of the web UI.
 *
 * The session cookie __Host-anzen holds 256 random bits (HttpOnly, Secure,
 * SameSite=Strict, Path=/, no Domain); the workspace keeps only its hash.
 * A new ID is issued at every step of signing in (password, second
 * factor, enrolment), so an ID planted before login is never promoted.
 * Sessions end after an idle and an absolute timeout.
 *
 * Every POST carries a CSRF token: the session's own random token, or,
 * before login, HMAC(per-run key, pre-session cookie) (double submit), and
 * an Origin header, when the browser sends one, must be this server.
 */
#include <microhttpd.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "web.h"

#define TOKEN_BYTES 32
/* seen is written back at most this often (a write per request would
 * serialise every page view on the disk) */
#define TOUCH_EVERY 60

static const char *cookie_header(struct req *q)
{
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Cookie");
}

void web_session_load(struct req *q)
{
    struct web *w = q->w;
    const char *ch = cookie_header(q);
    char tok[64], id[AZ_RECOVERY_HASH_LEN];
    struct az_session s;
    struct az_user u;
    bool ok = false;

    q->have_session = false;
    q->signed_in = false;
    if (!ch || !web_cookie_get(ch, WEB_COOKIE, tok, sizeof(tok)) ||
        !az_token_valid(tok, TOKEN_BYTES))
        return;
    az_token_hash(tok, id);
    web_lock(w);
    if (az_store_session_get(w->st, &q->ctx, id, &s) == 0) {
        if (s.seen < q->now - w->o.idle || s.created < q->now - w->o.absolute ||
            (s.stage == AZ_SESS_PASSWORD && s.created < q->now - 600)) {
            az_store_session_delete(w->st, &q->ctx, id);
        } else if (az_store_user_get_id(w->st, &q->ctx, s.user_id, &u) == 0 && !u.disabled) {
            ok = true;
            if (q->now - s.seen >= TOUCH_EVERY)
                az_store_session_touch(w->st, &q->ctx, id, q->now);
        }
    }
    web_unlock(w);
    if (!ok)
        return;
    q->have_session = true;
    q->sess = s;
    q->user = u;
    q->signed_in = s.stage == AZ_SESS_FULL;
}

static void set_cookie(struct req *q, const char *name, const char *value, long long max_age)
{
    char c[256];

    if (value)
        snprintf(c, sizeof(c), "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict", name, value);
    else
        snprintf(c, sizeof(c), "%s=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0", name);
    if (value && max_age > 0) {
        size_t n = strlen(c);
        snprintf(c + n, sizeof(c) - n, "; Max-Age=%lld", max_age);
    }
    web_add_header(q, "Set-Cookie", c);
}

int web_session_start(struct req *q, const struct az_user *u, enum az_session_stage stage)
{
    struct web *w = q->w;
    struct az_session s;
    char tok[64];
    int r;

    memset(&s, 0, sizeof(s));
    if (az_random_token(tok, sizeof(tok), TOKEN_BYTES) < 0 ||
        az_random_token(s.csrf, sizeof(s.csrf), TOKEN_BYTES) < 0)
        return AZ_ENOMEM;
    az_token_hash(tok, s.id);
    s.user_id = u->id;
    s.stage = stage;
    s.created = s.seen = q->now;
    snprintf(s.addr, sizeof(s.addr), "%s", q->addr);
    web_lock(w);
    if (q->have_session)
        az_store_session_delete(w->st, &q->ctx, q->sess.id);
    /* old sessions of everyone go at the same time */
    az_store_session_expire(w->st, &q->ctx, q->now, w->o.idle, w->o.absolute);
    r = az_store_session_put(w->st, &q->ctx, &s);
    web_unlock(w);
    if (r < 0)
        return r;
    set_cookie(q, WEB_COOKIE, tok, 0);
    set_cookie(q, WEB_PRE_COOKIE, NULL, 0);
    q->have_session = true;
    q->sess = s;
    q->user = *u;
    q->signed_in = stage == AZ_SESS_FULL;
    sodium_memzero(tok, sizeof(tok));
    return 0;
}

void web_session_end(struct req *q)
{
    if (q->have_session) {
        web_lock(q->w);
        az_store_session_delete(q->w->st, &q->ctx, q->sess.id);
        web_unlock(q->w);
    }
    q->have_session = false;
    q->signed_in = false;
    set_cookie(q, WEB_COOKIE, NULL, 0);
}

/* HMAC-SHA256(form_key, pre) as base64url. */
static void pre_token(const struct web *w, const char *pre, char out[64])
{
    unsigned char mac[32];
    unsigned int len = 0;

    HMAC(EVP_sha256(), w->form_key, sizeof(w->form_key), (const unsigned char *)pre, strlen(pre),
         mac, &len);
    sodium_bin2base64(out, 64, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

const char *web_csrf_token(struct req *q)
{
    static __thread char tok[64];
    const char *ch;
    char pre[64];

    if (q->have_session)
        return q->sess.csrf;
    ch = cookie_header(q);
    if (!ch || !web_cookie_get(ch, WEB_PRE_COOKIE, pre, sizeof(pre)) ||
        !az_token_valid(pre, TOKEN_BYTES)) {
        if (az_random_token(pre, sizeof(pre), TOKEN_BYTES) < 0)
            return "";
        set_cookie(q, WEB_PRE_COOKIE, pre, 3600);
    }
    pre_token(q->w, pre, tok);
    return tok;
}

bool web_csrf_ok(struct req *q)
{
    const char *sent = web_field(q, "csrf");
    const char *origin = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Host");
    const char *site = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
    const char *ch;
    char pre[64], want[64];

    if (!sent || !*sent)
        return false;
    if (origin && !web_origin_ok(origin, host))
        return false;
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return false;
    if (q->have_session)
        return az_str_equal_ct(sent, q->sess.csrf);
    ch = cookie_header(q);
    if (!ch || !web_cookie_get(ch, WEB_PRE_COOKIE, pre, sizeof(pre)) ||
        !az_token_valid(pre, TOKEN_BYTES))
        return false;
    pre_token(q->w, pre, want);
    return az_str_equal_ct(sent, want);
}

/* ---- modes of the files holding secrets ---- */

int web_check_secret_modes(enum az_lang lang, const char *db, const char *tls_key)
{
    const char *suffix[] = {"", "-wal", "-shm", ".key"};
    int bad = 0;

    for (int i = 0; i < 5; i++) {
        struct stat sb;
        char *path;
        size_t n;
        if (i == 4) {
            if (!tls_key)
                continue;
            n = strlen(tls_key) + 1;
        } else {
            n = strlen(db) + strlen(suffix[i]) + 1;
        }
        if (!(path = malloc(n)))
            return -1;
        snprintf(path, n, "%s%s", i == 4 ? tls_key : db, i == 4 ? "" : suffix[i]);
        if (stat(path, &sb) == 0 && (sb.st_mode & 077)) {
            fprintf(stderr,
                    lang == AZ_LANG_EN
                        ? "anzen: warning: %s can be read by other users (mode %03o); it holds "
                          "secrets: run chmod 600 %s\n"
                        : "anzen: 警告: %s をほかの利用者が読めます (モード %03o)。秘密を含むので "
                          "chmod 600 %s としてください\n",
                    path, (unsigned)(sb.st_mode & 0777), path);
            bad++;
        }
        free(path);
    }
    return bad;
}
