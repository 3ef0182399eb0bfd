/* SPDX-License-Identifier: MIT */
/*
 * server.c - the HTTPS server of `anzen serve` on libmicrohttpd (TLS by
 * GnuTLS): limits on connections, header time, header and body sizes;
 * methods; form and multipart bodies through MHD's post processor with
 * limits on fields and sizes; the route table with role checks; security
 * headers on every response; the embedded static files.
 *
 * IMPLEMENTS: gl-6.0.ops-14-1 (the UI itself requires identification and
 * authentication), cl-r7.h.unneeded-services (listens on loopback unless
 * told otherwise; HTTPS only).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "web.h"

static long long mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

void web_lock(struct web *w)
{
    pthread_mutex_lock(&w->lock);
}

void web_unlock(struct web *w)
{
    pthread_mutex_unlock(&w->lock);
}

/* ---- responses ---- */

static void resp_clear(struct resp *r)
{
    free(r->body);
    for (int i = 0; i < r->nhdr; i++) {
        free(r->hdr[i][0]);
        free(r->hdr[i][1]);
    }
    memset(r, 0, sizeof(*r));
}

int web_add_header(struct req *q, const char *name, const char *value)
{
    struct resp *r = &q->r;

    if (r->nhdr >= (int)(sizeof(r->hdr) / sizeof(r->hdr[0])))
        return AZ_ERANGE;
    r->hdr[r->nhdr][0] = strdup(name);
    r->hdr[r->nhdr][1] = strdup(value);
    r->nhdr++;
    return 0;
}

static void set_body(struct req *q, int status, const char *ctype, char *body, size_t len)
{
    /* keep the headers (cookies) set so far, replace the rest */
    free(q->r.body);
    q->r.status = status;
    q->r.ctype = ctype;
    q->r.body = body;
    q->r.len = len;
    q->done = true;
}

/* 413 on the raw path (the hub's bundle endpoint): JSON, as its other
 * answers (docs/hub.md). */
static void raw_too_big(struct req *q)
{
    static const char body[] =
        "{\"status\":\"refused\",\"message_ja\":\"送られた内容が大きすぎます。\","
        "\"message_en\":\"request body too large\"}";
    char *b = strdup(body);
    set_body(q, 413, "application/json", b, b ? strlen(b) : 0);
}

/* A raw body is refused as too large: the site is told once (its audit
 * log), and what was kept of the body goes now, not when the request
 * ends. */
static void raw_refused(struct req *q)
{
    if (q->raw_file) {
        close(q->raw_fd);
        unlink(q->raw_file);
        free(q->raw_file);
        q->raw_file = NULL;
    }
    if (q->w->raw_too_big)
        q->w->raw_too_big(q);
}

void web_html(struct req *q, int status, char *body)
{
    set_body(q, status, "text/html; charset=utf-8", body, body ? strlen(body) : 0);
}

void web_redirect(struct req *q, const char *location)
{
    web_add_header(q, "Location", location);
    set_body(q, 303, "text/plain; charset=utf-8", strdup(""), 0);
}

void web_download(struct req *q, const char *ctype, const char *ascii_name, const char *name,
                  char *body, size_t len)
{
    struct az_buf cd;

    /* RFC 6266: filename= is the plain ASCII fallback (ours: letters,
     * digits, - . _), filename*= (RFC 5987) the UTF-8 name percent-encoded,
     * which leaves nothing that could end the header or the parameter */
    az_buf_init(&cd, 4096);
    az_buf_printf(&cd, "attachment; filename=\"%s\"", ascii_name);
    if (name && strcmp(name, ascii_name) != 0) {
        az_buf_puts(&cd, "; filename*=UTF-8''");
        az_url_escape(&cd, name, strlen(name));
    }
    if (cd.data)
        web_add_header(q, "Content-Disposition", cd.data);
    az_buf_done(&cd);
    set_body(q, 200, ctype, body, len);
}

void web_error(struct req *q, int status, const char *ja, const char *en)
{
    json_t *v = json_object();

    v_str(v, "message", T(q, ja, en));
    web_page(q, status, "error.html", v, NULL);
}

/* A short plain-text answer for protocol-level errors (no page frame:
 * these happen before a session is known). */
void web_plain(struct req *q, int status, const char *msg)
{
    set_body(q, status, "text/plain; charset=utf-8", strdup(msg), strlen(msg));
}

/* TLS 1.3 and 1.2; in 1.2 only forward-secret key exchange and AEAD
 * ciphers (GCM, ChaCha20-Poly1305, CCM): no CBC suites, no SHA-1 MACs. */
#define WEB_TLS_PRIORITIES                                                                         \
    "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"         \
    "+CHACHA20-POLY1305:+AES-128-CCM:+AES-256-CCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:"            \
    "+ECDHE-RSA:+DHE-RSA:%SERVER_PRECEDENCE"

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
                          "base-uri 'none'";

static enum MHD_Result send_resp(struct req *q)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (!q->r.body) {
        q->r.body = strdup("");
        q->r.len = 0;
    }
    resp = MHD_create_response_from_buffer(q->r.len, q->r.body, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    q->r.body = NULL; /* MHD owns it now */
    MHD_add_response_header(resp, "Content-Type", q->r.ctype ? q->r.ctype : "text/plain");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    /* not no-referrer: with it, browsers send "Origin: null" on form posts */
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    MHD_add_response_header(resp, "Cache-Control",
                            q->r.cache ? "private, max-age=3600" : "no-store");
    for (int i = 0; i < q->r.nhdr; i++)
        MHD_add_response_header(resp, q->r.hdr[i][0], q->r.hdr[i][1]);
    ret = MHD_queue_response(q->conn, (unsigned)q->r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- form bodies ---- */

const char *web_field(const struct req *q, const char *name)
{
    for (int i = 0; i < q->nfields; i++)
        if (!strcmp(q->fields[i].name, name))
            return q->fields[i].value;
    return NULL;
}

const char *web_arg(const struct req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    struct req *q = cls;
    struct field *f;
    size_t max;

    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (off == 0) {
        if (q->nfields >= WEB_MAX_FIELDS || strlen(key) > 64) {
            q->bad_form = true;
            return MHD_NO;
        }
        f = &q->fields[q->nfields++];
        f->name = strdup(key);
        f->filename = filename ? strdup(filename) : NULL;
        f->value = calloc(1, 1);
        f->len = 0;
        if (!f->name || !f->value || (filename && !f->filename)) {
            q->bad_form = true;
            return MHD_NO;
        }
    } else {
        if (q->nfields == 0 || strcmp(q->fields[q->nfields - 1].name, key) != 0) {
            q->bad_form = true;
            return MHD_NO;
        }
        f = &q->fields[q->nfields - 1];
    }
    max = f->filename ? q->file_max : WEB_MAX_FIELD;
    if (off != f->len || size > max - f->len) {
        q->too_big = f->len + size > max;
        q->bad_form = true;
        return MHD_NO;
    }
    if (size) {
        char *v = realloc(f->value, f->len + size + 1);
        if (!v) {
            q->bad_form = true;
            return MHD_NO;
        }
        memcpy(v + f->len, data, size);
        f->len += size;
        v[f->len] = '\0';
        f->value = v;
    }
    return MHD_YES;
}

/* ---- routes ---- */

enum {
    R_ANON = 1,         /* no session needed */
    R_PARTIAL = 2,      /* password checked, second factor pending */
    R_ENROL = 4,        /* signed in, MFA enrolment due */
    R_FULL = 8,         /* signed in */
    R_ADMIN = 16,       /* administrators only */
    R_VENDOR = 32,      /* open to vendor users */
    R_VIEWER_POST = 64, /* viewers (and vendors) may POST here */
    R_UPLOAD = 128,     /* accepts multipart bodies */
};

_Static_assert((int)R_ANON == (int)WEB_R_ANON && (int)R_PARTIAL == (int)WEB_R_PARTIAL &&
                   (int)R_ENROL == (int)WEB_R_ENROL && (int)R_FULL == (int)WEB_R_FULL &&
                   (int)R_ADMIN == (int)WEB_R_ADMIN && (int)R_VENDOR == (int)WEB_R_VENDOR &&
                   (int)R_VIEWER_POST == (int)WEB_R_VIEWER_POST &&
                   (int)R_UPLOAD == (int)WEB_R_UPLOAD,
               "another site's route flags are the workspace's");

static void page_static(struct req *q);

static const struct route {
    const char *path;
    void (*fn)(struct req *);
    unsigned flags;
} routes[] = {
    {"/", page_dashboard, R_FULL},
    {"/setup", page_setup, R_ANON},
    {"/login", page_login, R_ANON},
    {"/login/mfa", page_login_mfa, R_PARTIAL},
    {"/logout", page_logout, R_PARTIAL | R_ENROL | R_FULL | R_VENDOR | R_VIEWER_POST},
    {"/mfa", page_mfa_enrol, R_ENROL | R_FULL | R_VENDOR | R_VIEWER_POST},
    {"/account", page_account, R_FULL | R_VENDOR | R_VIEWER_POST},
    {"/admin/users", page_users, R_FULL | R_ADMIN},
    {"/admin/audit", page_audit, R_FULL | R_ADMIN},
    {"/wizard", page_wizard, R_FULL},
    {"/assess", page_assess, R_FULL},
    {"/plan", page_plan, R_FULL},
    {"/ledger", page_ledger, R_FULL | R_UPLOAD},
    {"/vendors", page_vendors, R_FULL | R_VENDOR},
    {"/vendors/form", page_vendor_form, R_FULL | R_VENDOR},
    {"/reports", page_reports, R_FULL},
    {"/reports/file", page_report_file, R_FULL},
    {"/records", page_records, R_FULL | R_UPLOAD},
    {"/lang", web_page_lang, R_ANON | R_PARTIAL | R_ENROL | R_FULL | R_VENDOR},
};

static void page_static(struct req *q)
{
    const char *name = q->url + strlen("/static/");

    for (size_t i = 0; i < az_embedded_web_n; i++) {
        const char *n = az_embedded_web[i].name + strlen("embedded:");
        if (!strcmp(n, name)) {
            size_t len = az_embedded_web[i].len;
            char *body = malloc(len + 1);
            const char *ct = strstr(n, ".css")  ? "text/css; charset=utf-8"
                             : strstr(n, ".js") ? "text/javascript; charset=utf-8"
                                                : "application/octet-stream";
            if (!body) {
                web_plain(q, 500, "out of memory\n");
                return;
            }
            memcpy(body, az_embedded_web[i].data, len);
            set_body(q, 200, ct, body, len);
            q->r.cache = true;
            return;
        }
    }
    web_plain(q, 404, "not found\n");
}

struct self_url {
    struct az_buf *b;
    int n;
};

static enum MHD_Result self_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct self_url *u = cls;

    (void)kind;
    az_buf_puts(u->b, u->n++ ? "&" : "?");
    az_url_escape(u->b, key, strlen(key));
    if (value) {
        az_buf_puts(u->b, "=");
        az_url_escape(u->b, value, strlen(value));
    }
    return u->n < 20 ? MHD_YES : MHD_NO;
}

char *web_self_url(struct req *q)
{
    struct az_buf b;
    struct self_url u = {&b, 0};

    az_buf_init(&b, 2048);
    az_buf_puts(&b, q->url && q->url[0] == '/' ? q->url : "/");
    if (!q->post)
        MHD_get_connection_values(q->conn, MHD_GET_ARGUMENT_KIND, self_arg, &u);
    if (!b.data || b.len > 1024) {
        az_buf_done(&b);
        return strdup("/");
    }
    return az_buf_take(&b);
}

/* Is back a path on this site to return to: "/" then no second "/" or
 * "\\" (a scheme-relative URL to another host), printable ASCII only, no
 * more than 1 KiB? */
bool web_local_path(const char *back)
{
    size_t n = back ? strlen(back) : 0;

    if (n == 0 || n > 1024 || back[0] != '/' || back[1] == '/' || back[1] == '\\')
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)back[i] <= 0x20 || (unsigned char)back[i] >= 0x7f || back[i] == '\\')
            return false;
    return true;
}

/* /lang?to=en|ja&back=/path: remember the language in a cookie and go
 * back to the page the switch was on (a local path only, else /). */
void web_page_lang(struct req *q)
{
    const char *to = web_arg(q, "to"), *back = web_arg(q, "back");
    bool en = to && !strcmp(to, "en");

    web_add_header(q, "Set-Cookie",
                   en ? "anzen-lang=en; Path=/; Secure; SameSite=Strict; Max-Age=31536000"
                      : "anzen-lang=ja; Path=/; Secure; SameSite=Strict; Max-Age=31536000");
    web_redirect(q, web_local_path(back) ? back : "/");
}

static void pick_lang(struct req *q)
{
    const char *c = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Cookie");
    char v[8];

    q->lang = q->w->o.lang;
    if (c && web_cookie_get(c, "anzen-lang", v, sizeof(v)))
        q->lang = !strcmp(v, "en") ? AZ_LANG_EN : AZ_LANG_JA;
    az_ctx_init(&q->ctx, q->lang);
}

/* 413 for a form body: for a browser a page in its language naming the
 * limit (and, for the ledger, the command for larger files); plain text
 * otherwise. */
static void body_too_big(struct req *q)
{
    const char *acc = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Accept");
    unsigned mb = (unsigned)((q->file_max ? q->file_max : WEB_MAX_UPLOAD) / (1024 * 1024));
    bool ledger = q->url && !strcmp(q->url, "/ledger");
    char ja[400], en[400];

    pick_lang(q);
    if (!acc || !strstr(acc, "text/html")) {
        web_plain(q, 413, T(q, "送られた内容が大きすぎます。\n", "request body too large\n"));
        return;
    }
    if (ledger) {
        snprintf(ja, sizeof(ja),
                 "ファイルが大きすぎるため、取り込みませんでした (上限 %u MB)。これより大きな台帳は"
                 "、XLSX のままサーバで anzen ledger import FILE を使って取り込んでください。",
                 mb);
        snprintf(en, sizeof(en),
                 "The file is too large, so nothing was imported (limit %u MB). Import larger "
                 "ledgers as XLSX on the server with anzen ledger import FILE.",
                 mb);
    } else {
        snprintf(ja, sizeof(ja), "送られた内容が大きすぎます (ファイルの上限 %u MB)。", mb);
        snprintf(en, sizeof(en), "The request is too large (files up to %u MB).", mb);
    }
    web_error(q, 413, ja, en);
}

static void dispatch(struct req *q)
{
    const struct route *rt = NULL;
    unsigned have;

    pick_lang(q);
    if (!strncmp(q->url, "/static/", 8)) {
        if (q->post) {
            web_plain(q, 405, "method not allowed\n");
            web_add_header(q, "Allow", "GET, HEAD");
            return;
        }
        page_static(q);
        return;
    }
    struct route site_rt;

    if (q->w->site) {
        /* another site (the hub's): its own table */
        for (size_t i = 0; i < q->w->nsite; i++)
            if (!strcmp(q->w->site[i].path, q->url)) {
                site_rt.path = q->w->site[i].path;
                site_rt.fn = q->w->site[i].fn;
                site_rt.flags = q->w->site[i].flags;
                rt = &site_rt;
            }
        if (rt && (rt->flags & WEB_R_RAW)) {
            /* authenticated by what the body carries, not by a session */
            if (!q->raw) {
                web_plain(q, 405, T(q, "POST だけを受け付けます。\n", "POST only\n"));
                web_add_header(q, "Allow", "POST");
                return;
            }
            rt->fn(q);
            return;
        }
    } else {
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
            if (!strcmp(routes[i].path, q->url))
                rt = &routes[i];
    }
    if (!rt) {
        /* with the navigation when signed in */
        web_session_load(q);
        web_error(q, 404, "ページが見つかりません。", "Page not found.");
        return;
    }
    if (q->multipart && !(rt->flags & R_UPLOAD)) {
        web_error(q, 415, "このページはファイルを受け付けません。",
                  "This page does not accept files.");
        return;
    }
    if (q->bad_form && q->too_big) {
        body_too_big(q);
        return;
    }
    if (q->bad_form) {
        web_error(q, 400, "送られたフォームを読めませんでした。",
                  "The form that was sent could not be read.");
        return;
    }
    web_session_load(q);
    if (q->post && !web_csrf_ok(q)) {
        web_audit_denied(q, "csrf-denied");
        web_error(q, 403,
                  "フォームの有効期限が切れたか、別のサイトから送られました。"
                  "ページを開き直してからもう一度送ってください。",
                  "The form has expired or was sent from another site. Reload the page and "
                  "try again.");
        return;
    }
    have = !q->have_session                    ? R_ANON
           : q->sess.stage == AZ_SESS_PASSWORD ? R_PARTIAL
           : q->sess.stage == AZ_SESS_ENROL    ? R_ENROL
                                               : R_FULL;
    if (!(rt->flags & have)) {
        /* send each kind of visitor where they can go on */
        if (have == R_ANON)
            web_redirect(q, "/login");
        else if (have == R_PARTIAL)
            web_redirect(q, "/login/mfa");
        else if (have == R_ENROL)
            web_redirect(q, "/mfa");
        else
            web_redirect(q, q->user.role == AZ_UR_VENDOR ? "/vendors" : "/");
        return;
    }
    if (have == R_FULL && q->user.must_change && strcmp(q->url, "/account") &&
        strcmp(q->url, "/logout") && strcmp(q->url, "/lang")) {
        /* a temporary password (anzen user reset-password --temporary):
         * nothing else until it is changed */
        web_redirect(q, "/account");
        return;
    }
    if (have != R_ANON && have != R_PARTIAL) {
        if ((rt->flags & R_ADMIN) && !q->user.admin) {
            web_audit_denied(q, "permission-denied");
            web_error(q, 403, "このページは管理者だけが使えます。",
                      "Only administrators can use this page.");
            return;
        }
        if (q->user.role == AZ_UR_VENDOR && !(rt->flags & R_VENDOR)) {
            web_redirect(q, "/vendors");
            return;
        }
        if (q->post && (q->user.role == AZ_UR_VIEWER) && !(rt->flags & R_VIEWER_POST) &&
            !q->user.admin) {
            web_audit_denied(q, "permission-denied");
            web_error(q, 403, "閲覧者は変更できません。", "Viewers cannot make changes.");
            return;
        }
    }
    rt->fn(q);
}

/* ---- slow clients ----
 *
 * MHD closes a connection after a time of silence, but a client that
 * sends one byte every few seconds (slowloris) is never silent. So every
 * connection also has deadlines: its TLS handshake and request headers
 * must arrive within header_time seconds (from the connection, or from
 * the end of its previous request), its body within 6 * header_time. A
 * watchdog thread shuts down connections past their deadline; MHD then
 * sees the end of the connection and cleans it up as usual. */

enum { CS_HEADERS, CS_BODY, CS_WORKING, CS_KILLED };

struct conn_state {
    struct conn_state *prev, *next;
    int fd;
    int stage;
    long long since;
    struct sockaddr_storage sa; /* the client, for front.c's count per address */
};

static pthread_mutex_t cs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn_state cs_list = {&cs_list, &cs_list, -1, CS_WORKING, 0, {0}};
static volatile sig_atomic_t stop;

static void notify_conn(void *cls, struct MHD_Connection *conn, void **socket_context,
                        enum MHD_ConnectionNotificationCode toe)
{
    struct conn_state *cs;

    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ca =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (!ci || !(cs = calloc(1, sizeof(*cs))))
            return; /* (the address stays counted: out of memory) */
        cs->fd = ci->connect_fd;
        if (ca && ca->client_addr)
            memcpy(&cs->sa, ca->client_addr,
                   ca->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                          : sizeof(struct sockaddr_in));
        cs->stage = CS_HEADERS;
        cs->since = mono();
        pthread_mutex_lock(&cs_lock);
        cs->next = cs_list.next;
        cs->prev = &cs_list;
        cs_list.next->prev = cs;
        cs_list.next = cs;
        pthread_mutex_unlock(&cs_lock);
        *socket_context = cs;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && (cs = *socket_context)) {
        /* MHD closes the socket after this: the watchdog never touches a
         * reused descriptor */
        pthread_mutex_lock(&cs_lock);
        cs->prev->next = cs->next;
        cs->next->prev = cs->prev;
        pthread_mutex_unlock(&cs_lock);
        web_conn_gone((struct sockaddr *)&cs->sa);
        free(cs);
        *socket_context = NULL;
    }
}

/* Move the connection of q to stage. */
static void conn_stage(struct MHD_Connection *conn, int stage)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn_state *cs = ci ? ci->socket_context : NULL;

    if (!cs)
        return;
    pthread_mutex_lock(&cs_lock);
    if (cs->stage != CS_KILLED) {
        cs->stage = stage;
        cs->since = mono();
    }
    pthread_mutex_unlock(&cs_lock);
}

static void *watchdog(void *arg)
{
    struct web *w = arg;
    struct timespec ts = {0, 250 * 1000 * 1000};

    while (!stop) {
        long long now = mono();
        pthread_mutex_lock(&cs_lock);
        for (struct conn_state *cs = cs_list.next; cs != &cs_list; cs = cs->next) {
            long long limit = cs->stage == CS_HEADERS ? w->o.header_time
                              : cs->stage == CS_BODY  ? 6LL * w->o.header_time
                                                      : -1;
            if (limit >= 0 && now - cs->since > limit) {
                shutdown(cs->fd, SHUT_RDWR);
                cs->stage = CS_KILLED;
            }
        }
        pthread_mutex_unlock(&cs_lock);
        web_log_tick();
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* ---- the MHD callbacks ---- */

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct req *q = calloc(1, sizeof(*q));

    (void)uri;
    (void)conn;
    if (q) {
        q->w = cls;
        q->started = mono();
    }
    return q;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct req *q = *con_cls;

    (void)cls;
    (void)toe;
    conn_stage(conn, CS_HEADERS); /* the next request on this connection */
    if (!q)
        return;
    if (q->pp)
        MHD_destroy_post_processor(q->pp);
    for (int i = 0; i < q->nfields; i++) {
        if (q->fields[i].value)
            explicit_bzero(q->fields[i].value, q->fields[i].len); /* passwords */
        free(q->fields[i].name);
        free(q->fields[i].value);
        free(q->fields[i].filename);
    }
    if (q->raw_file) {
        close(q->raw_fd);
        unlink(q->raw_file);
        free(q->raw_file);
    }
    resp_clear(&q->r);
    explicit_bzero(q, sizeof(*q));
    free(q);
    *con_cls = NULL;
}

static void client_addr(struct req *q)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(q->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(q->addr, sizeof(q->addr), "?");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, q->addr,
                  sizeof(q->addr));
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, q->addr,
                  sizeof(q->addr));
}

/* First call for a request: the headers are complete. */
static enum MHD_Result begin(struct req *q, const char *method, const char *version)
{
    const char *cl, *ct;

    client_addr(q);
    q->now = (long long)time(NULL);
    pick_lang(q); /* these early answers too are in the visitor's language */
    if (mono() - q->started > q->w->o.header_time) {
        web_plain(q, 408,
                  T(q, "リクエストのヘッダーが届くまでに時間がかかりすぎました。\n",
                    "request headers took too long\n"));
        web_add_header(q, "Connection", "close");
        return send_resp(q);
    }
    if (strcmp(version, MHD_HTTP_VERSION_1_1) && strcmp(version, MHD_HTTP_VERSION_1_0)) {
        web_plain(q, 505,
                  T(q, "この HTTP の版には対応していません。\n", "HTTP version not supported\n"));
        return send_resp(q);
    }
    /* MHD's own answer to this (strict mode) is English and sends its
     * header block twice; ours is one short text */
    if (!strcmp(version, MHD_HTTP_VERSION_1_1) &&
        !MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Host")) {
        web_plain(q, 400, T(q, "Host ヘッダーがありません。\n", "the Host header is missing\n"));
        web_add_header(q, "Connection", "close");
        return send_resp(q);
    }
    if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
        return MHD_YES;
    if (strcmp(method, "POST") != 0) {
        web_plain(q, 405, T(q, "この方法 (メソッド) は使えません。\n", "method not allowed\n"));
        web_add_header(q, "Allow", "GET, HEAD, POST");
        return send_resp(q);
    }
    q->post = true;
    ct = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Content-Type");
    cl = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Content-Length");
    if (q->w->raw_path && !strcmp(q->url, q->w->raw_path)) {
        /* a raw body for the site (web->raw_chunk), within raw_max */
        long n = 0;
        q->raw = true;
        q->body_max = q->w->raw_max;
        if (cl && az_parse_long(cl, 0, 1L << 40, &n) < 0) {
            web_plain(q, 400,
                      T(q, "Content-Length が正しくありません。\n", "bad Content-Length\n"));
            return send_resp(q);
        }
        if ((size_t)n > q->body_max) {
            raw_refused(q);
            raw_too_big(q);
            web_add_header(q, "Connection", "close");
            return send_resp(q);
        }
        return MHD_YES;
    }
    q->multipart = ct && !strncasecmp(ct, "multipart/form-data", 19);
    q->file_max = !strcmp(q->url, "/ledger") ? WEB_MAX_LEDGER_UPLOAD : WEB_MAX_UPLOAD;
    q->body_max = q->multipart ? q->file_max + 64 * 1024 : WEB_MAX_FORM;
    if (cl) {
        long n;
        if (az_parse_long(cl, 0, 1L << 40, &n) < 0) {
            web_plain(q, 400,
                      T(q, "Content-Length が正しくありません。\n", "bad Content-Length\n"));
            return send_resp(q);
        }
        if ((size_t)n > q->body_max) {
            body_too_big(q);
            web_add_header(q, "Connection", "close");
            return send_resp(q);
        }
    }
    if (!ct || (!q->multipart && strncasecmp(ct, "application/x-www-form-urlencoded", 33))) {
        web_plain(q, 415,
                  "form bodies only (application/x-www-form-urlencoded or "
                  "multipart/form-data)\n");
        return send_resp(q);
    }
    q->pp = MHD_create_post_processor(q->conn, 16 * 1024, post_iter, q);
    if (!q->pp) {
        web_plain(q, 400, "malformed form body (no multipart boundary?)\n");
        return send_resp(q);
    }
    return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct req *q = *con_cls;

    if (!q) {
        if (!(q = uri_log(cls, url, conn)))
            return MHD_NO;
        *con_cls = q;
    }
    if (!q->conn) {
        q->conn = conn;
        q->method = method;
        q->url = url;
        conn_stage(conn, CS_BODY);
        return begin(q, method, version);
    }
    if (q->done) {
        *upload_size = 0; /* an early answer was queued; drop the rest */
        return MHD_YES;
    }
    if (*upload_size && q->raw_over) {
        /* past the limit: dropped unread, at most body_max more bytes */
        q->raw_dropped += *upload_size;
        *upload_size = 0;
        return q->raw_dropped > q->body_max ? MHD_NO : MHD_YES;
    }
    if (*upload_size) {
        q->body_len += *upload_size;
        if (q->body_len > q->body_max && q->raw) {
            /* a chunked body (Content-Length was checked in begin()):
             * libmicrohttpd 0.9.75 takes an answer only before the body or
             * after all of it (MHD_queue_response refuses in between and
             * the connection would just close), so the rest is read to its
             * end and dropped, then 413 is answered; a body that goes on
             * past twice the limit is cut off by closing the connection.
             * Nothing past the limit is kept: the spool file goes now. */
            q->raw_over = true;
            q->raw_dropped = *upload_size;
            *upload_size = 0;
            raw_refused(q);
            return MHD_YES;
        }
        if (q->body_len > q->body_max) {
            *upload_size = 0;
            body_too_big(q);
            web_add_header(q, "Connection", "close");
            return send_resp(q);
        }
        if (q->raw) {
            if (!q->bad_form && q->w->raw_chunk(q, upload, *upload_size) < 0) {
                *upload_size = 0;
                if (!q->r.status)
                    web_plain(q, 413,
                              T(q, "送られた内容を受け取れません。\n", "request body refused\n"));
                /* the rest of the body is not read */
                web_add_header(q, "Connection", "close");
                return send_resp(q);
            }
            *upload_size = 0;
            return MHD_YES;
        }
        if (!q->bad_form && MHD_post_process(q->pp, upload, *upload_size) != MHD_YES)
            q->bad_form = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->raw_over) {
        raw_too_big(q);
        web_add_header(q, "Connection", "close");
        return send_resp(q);
    }
    if (q->pp && MHD_destroy_post_processor(q->pp) != MHD_YES)
        q->bad_form = true; /* e.g. a multipart body cut short */
    q->pp = NULL;
    conn_stage(conn, CS_WORKING);
    dispatch(q);
    if (!q->r.status)
        web_error(q, 500, "内部エラー", "internal error");
    return send_resp(q);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[900];

    (void)cls;
    /* one whole line per message, rate-limited (front.c) */
    vsnprintf(line, sizeof(line), fmt, ap);
    web_log_lib(line);
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int web_run(struct web *w)
{
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
    socklen_t salen;
    struct sigaction act;
    sigset_t block, old;
    pthread_t wd;

    memset(&a4, 0, sizeof(a4));
    memset(&a6, 0, sizeof(a6));
    if (inet_pton(AF_INET, w->o.listen, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)w->o.port);
        sa = (struct sockaddr *)&a4;
        salen = sizeof(a4);
    } else if (inet_pton(AF_INET6, w->o.listen, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)w->o.port);
        sa = (struct sockaddr *)&a6;
        salen = sizeof(a6);
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "anzen: %s \"%s\"\n",
                w->o.lang == AZ_LANG_EN ? "error: not an IP address:"
                                        : "エラー: IP アドレスではありません:",
                w->o.listen);
        return 1;
    }
    /* block the stop signals in every thread (MHD's inherit the mask), so
     * only the sigsuspend below takes them */
    memset(&act, 0, sizeof(act));
    act.sa_handler = on_signal;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (w->o.reserve <= 0)
        w->o.reserve = w->o.max_conn / 8 > 8 ? w->o.max_conn / 8 : 8;
    if (web_front_listen(w, sa, salen) < 0) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        fprintf(stderr, "anzen: %s %s:%d (%s)\n",
                w->o.lang == AZ_LANG_EN ? "error: cannot listen on" : "エラー: 待ち受けできません:",
                w->o.listen, w->o.port, az_errno_text(w->o.lang, errno));
        web_front_free();
        return 1;
    }
    w->d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, w, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, w,
        MHD_OPTION_HTTPS_MEM_KEY, w->key_pem, MHD_OPTION_HTTPS_MEM_CERT, w->cert_pem,
        MHD_OPTION_HTTPS_PRIORITIES, WEB_TLS_PRIORITIES, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(w->o.max_conn + w->o.reserve), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)w->o.per_ip, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)w->o.timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_MAX_HEADERS + 16 * 1024,
        MHD_OPTION_CONNECTION_MEMORY_INCREMENT, (size_t)4096, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)w->o.threads, MHD_OPTION_URI_LOG_CALLBACK, uri_log, w,
        MHD_OPTION_NOTIFY_COMPLETED, completed, w, MHD_OPTION_NOTIFY_CONNECTION, notify_conn, w,
        /* 0, not 1: with 1, MHD answers a request without Host itself (in
         * English, its header block twice); begin() answers it instead */
        MHD_OPTION_STRICT_FOR_CLIENT, 0, MHD_OPTION_END);
    if (!w->d) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        close(w->lfd);
        web_front_free();
        fprintf(stderr, "anzen: %s %s:%d (%s)\n",
                w->o.lang == AZ_LANG_EN ? "error: cannot listen on" : "エラー: 待ち受けできません:",
                w->o.listen, w->o.port, az_errno_text(w->o.lang, errno));
        return 1;
    }
    if (pthread_create(&wd, NULL, watchdog, w) != 0) {
        MHD_stop_daemon(w->d);
        close(w->lfd);
        web_front_free();
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return 1;
    }
    if (web_front_start(w) < 0) {
        stop = 1;
        pthread_join(wd, NULL);
        MHD_stop_daemon(w->d);
        close(w->lfd);
        web_front_free();
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return 1;
    }
    if (strchr(w->o.listen, ':'))
        printf("https://[%s]:%d/\n", w->o.listen, w->port);
    else
        printf("https://%s:%d/\n", w->o.listen, w->port);
    fflush(stdout);
    if (w->o.ready_file) {
        char port[16];
        int n = snprintf(port, sizeof(port), "%d\n", w->port);
        struct az_ctx ctx;
        az_ctx_init(&ctx, w->o.lang);
        if (az_write_file_atomic(&ctx, w->o.ready_file, port, (size_t)n) < 0)
            fprintf(stderr, "anzen: %s\n", az_errmsg(&ctx));
    }
    while (!stop)
        sigsuspend(&old); /* no lost wake-up: the signals are blocked until here */
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_join(wd, NULL);
    web_front_stop(w);
    MHD_stop_daemon(w->d);
    w->d = NULL;
    web_front_free();
    return 0;
}
