/* SPDX-License-Identifier: MIT */
/*
 * web.h - the HTTPS web UI of `anzen serve` (src/web/): server state,
 * one request, responses, and the pieces the files of src/web share.
 *
 * Threads: libmicrohttpd runs a small pool of threads. Everything in
 * struct web is read-only after web_run() starts, except the store and the
 * workspace files, which are used only with web->lock held. Each request
 * has its own struct req and its own error context.
 */
#ifndef ANZEN_WEB_H
#define ANZEN_WEB_H

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>

#include "anzen/auth.h"
#include "anzen/catalog.h"
#include "anzen/date.h"
#include "anzen/store.h"
#include "anzen/tmpl.h"
#include "anzen/util.h"
#include "parse.h"

struct web_opts {
    const char *listen;      /* address to bind (127.0.0.1) */
    int port;                /* 0 = any free port */
    const char *cert, *key;  /* PEM files; NULL = self-signed next to the workspace */
    const char *db;          /* workspace file (anzen.db) */
    const char *catalog_dir; /* --catalog, or NULL for the embedded catalog */
    enum az_lang lang;       /* default language */
    bool as_of_given;        /* fixed reference date (tests), else today */
    struct az_date as_of;
    int max_conn;           /* connections in total */
    int per_ip;             /* connections per client address */
    int timeout;            /* seconds of inactivity before a connection is closed */
    int header_time;        /* seconds a client may take to send its request headers */
    int threads;            /* worker threads */
    int reserve;            /* slots past max_conn for addresses with few connections */
    long long idle;         /* session idle timeout, seconds */
    long long absolute;     /* session absolute timeout, seconds */
    const char *ready_file; /* write "PORT\n" here once listening (tests) */
};

/* Limits on what a client may send. */
#define WEB_MAX_HEADERS (16 * 1024)        /* request line + headers: connection memory */
#define WEB_MAX_FORM    (64 * 1024)        /* urlencoded form body */
#define WEB_MAX_UPLOAD  (4u * 1024 * 1024) /* multipart (CSV upload) body */
/* the ledger upload (/ledger): a hospital's ledger of 30,000+ rows, up to
 * the size the workspace reads its ledger.csv back (AZ_MAX_INPUT); an XLSX
 * ledger is imported with anzen ledger import */
#define WEB_MAX_LEDGER_UPLOAD AZ_MAX_INPUT
#define WEB_MAX_FIELDS        200
#define WEB_MAX_FIELD         (16 * 1024) /* one form value */

/* Login throttling: per user name and per client address. */
#define WEB_FAIL_WINDOW 900 /* seconds in which failures count */
#define WEB_FAIL_USER   5   /* failures of one user name before a lock */
#define WEB_FAIL_ADDR   30  /* failures from one address before a lock */
#define WEB_LOCK_TIME   900 /* seconds a lock lasts */

struct req;
struct web_route;

struct web {
    struct web_opts o;
    struct MHD_Daemon *d;
    int lfd;              /* the listening socket (front.c) */
    pthread_mutex_t lock; /* guards st and the workspace files */
    struct az_store *st;
    struct az_catalog *cat;
    struct az_kev *kev;                     /* KEV data, loaded at start (read-only) */
    unsigned char seal_key[AZ_SEAL_KEYLEN]; /* TOTP secrets at rest */
    unsigned char form_key[32];             /* tokens of anonymous forms, per run */
    char setup_code[16];                    /* printed at first run; needed to create the admin */
    char *cert_pem, *key_pem;
    char fingerprint[100];
    int port;
    struct az_tmpl_set *views; /* the page templates, parsed once (view.c) */
    struct az_ws_cache *cache; /* the evaluated workspace, shared by requests */
    json_t *labels[2];         /* their labels in Japanese and English */
    /* Another site on this server (the hub's, src/hubweb/): its routes
     * replace the workspace's; NULL for `anzen serve`. */
    const struct web_route *site;
    size_t nsite;
    /* One POST path may take a raw body (no form, no session, no CSRF):
     * raw_chunk is given each piece as it arrives (< 0 stops with 413),
     * then the route's handler runs. */
    const char *raw_path;
    size_t raw_max;
    int (*raw_chunk)(struct req *q, const char *data, size_t len);
    /* Called once when a raw body is refused as too large (413), from
     * Content-Length or as a chunked body crosses raw_max (may be NULL). */
    void (*raw_too_big)(struct req *q);
    /* What every page of the site adds to its view data (may be NULL). */
    void (*page_vars)(struct req *q, json_t *vars);
    void *app;    /* the other site's state */
    bool mfa_all; /* every user must enrol TOTP, not only administrators */
};

/* A route of another site (web->site): flags as the workspace's routes. */
enum {
    WEB_R_ANON = 1,
    WEB_R_PARTIAL = 2,
    WEB_R_ENROL = 4,
    WEB_R_FULL = 8,
    WEB_R_ADMIN = 16,
    WEB_R_VENDOR = 32,
    WEB_R_VIEWER_POST = 64,
    WEB_R_UPLOAD = 128,
    WEB_R_RAW = 256, /* web->raw_path: the raw body, no session */
};
struct web_route {
    const char *path;
    void (*fn)(struct req *);
    unsigned flags;
};

/* One form field. */
struct field {
    char *name, *value;
    size_t len;
    char *filename; /* set for a file part */
};

struct resp {
    int status;
    const char *ctype;
    char *body; /* owned */
    size_t len;
    char *hdr[8][2]; /* extra headers, owned */
    int nhdr;
    bool cache; /* static file: may be cached */
};

struct req {
    struct web *w;
    struct MHD_Connection *conn;
    struct MHD_PostProcessor *pp;
    long long started; /* when the request line arrived (monotonic seconds) */
    const char *method, *url;
    char addr[64];
    bool post;
    bool too_big, bad_form, multipart;
    size_t body_len, body_max;
    size_t file_max; /* a file part's limit (WEB_MAX_UPLOAD, or the ledger's) */
    struct field fields[WEB_MAX_FIELDS];
    int nfields;
    /* filled by the session layer */
    struct az_ctx ctx;
    enum az_lang lang;
    bool have_session;
    struct az_session sess;
    struct az_user user;
    bool signed_in; /* sess.stage == AZ_SESS_FULL */
    struct resp r;
    long long now;
    bool done;
    /* a raw body (web->raw_path): where the site keeps it; while raw_file
     * is set, the server closes raw_fd and unlinks and frees raw_file
     * when the request ends */
    bool raw;
    int raw_fd;
    char *raw_file;
    int raw_state; /* the site's own (0 at first) */
    /* a raw body without Content-Length (chunked) went past raw_max: the
     * rest is read and dropped, to answer 413 at its end (at most raw_max
     * more bytes, else the connection is closed) */
    bool raw_over;
    size_t raw_dropped;
};

/* ---- server.c ---- */
int web_run(struct web *w);
/* A form field's value, or NULL. */
const char *web_field(const struct req *q, const char *name);
/* A query-string argument, or NULL. */
const char *web_arg(const struct req *q, const char *name);
/* Response helpers: they set q->r (the body is taken). */
void web_html(struct req *q, int status, char *body);
void web_redirect(struct req *q, const char *location);
void web_error(struct req *q, int status, const char *ja, const char *en);
/* A short plain-text answer (protocol errors, no page frame). */
void web_plain(struct req *q, int status, const char *msg);
/* A file download: ascii_name is the fallback file name (ASCII letters,
 * digits, - . _ only), name (UTF-8, or NULL) the one browsers show. */
void web_download(struct req *q, const char *ctype, const char *ascii_name, const char *name,
                  char *body, size_t len);
int web_add_header(struct req *q, const char *name, const char *value);
/* A path on this site (for /lang?back=): "/x...", not "//host", ASCII. */
bool web_local_path(const char *back);
/* /lang?to=en|ja&back=/path: the language cookie, then back to the local
 * path (else /). The workspace's and the hub's route. */
void web_page_lang(struct req *q);
/* This request's path and query (GET), to come back to; malloc'd. */
char *web_self_url(struct req *q);
/* Lock and unlock the store and workspace files. */
void web_lock(struct web *w);
void web_unlock(struct web *w);
/* The workspace's files (profile.yaml, answers.yaml, ...): in the
 * current directory, like the CLI. */
#define WEB_PROFILE "profile.yaml"
#define WEB_ANSWERS "answers.yaml"
#define WEB_LEDGER  "ledger.csv"

/* ---- front.c: accepting connections, the server's log ---- */
/* Bind and listen on sa; sets w->lfd and w->port. -1 with errno. */
int web_front_listen(struct web *w, const struct sockaddr *sa, socklen_t salen);
/* Start and stop the thread that accepts connections and hands them to MHD. */
int web_front_start(struct web *w);
void web_front_stop(struct web *w);
/* After MHD stopped: the last summary line, the tables freed. */
void web_front_free(void);
/* A connection from sa that was admitted is closed. */
void web_conn_gone(const struct sockaddr *sa);
/* A log line to stderr, written whole, rate-limited (front.c). */
void web_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void web_logv(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* The summary line of what was counted, once per interval (watchdog). */
void web_log_tick(void);
/* A message of libmicrohttpd about one connection (a client that went away,
 * a broken TLS handshake): the first of each interval is written, the
 * others are counted in the summary line. */
void web_log_lib(const char *msg);

/* ---- cert.c ---- */
int web_cert_generate(struct az_ctx *ctx, const char *cert_path, const char *key_path,
                      const char *host);
int web_cert_fingerprint(struct az_ctx *ctx, const char *cert_pem, char *out, size_t n);

/* ---- session.c: cookies, sessions, CSRF ---- */
#define WEB_COOKIE     "__Host-anzen"
#define WEB_PRE_COOKIE "__Host-anzen-pre"
/* Find the request's session and user (from the cookie); expired or
 * unknown sessions are ignored. */
/* Warn on stderr, naming each file, when the workspace (DB, -wal, -shm),
 * its key file or the TLS key can be read by group or others; returns
 * how many (or -1 out of memory). */
int web_check_secret_modes(enum az_lang lang, const char *db, const char *tls_key);
void web_session_load(struct req *q);
/* Start a new session for user at stage, replacing any current one (a
 * new ID every time: no session fixation). Sets the cookie. */
int web_session_start(struct req *q, const struct az_user *u, enum az_session_stage stage);
/* End the current session and clear the cookie. */
void web_session_end(struct req *q);
/* The CSRF token to put into forms of this request (the session's, or a
 * token bound to the pre-session cookie for anonymous forms, which sets
 * that cookie when needed). */
const char *web_csrf_token(struct req *q);
/* Check a POST: the csrf field matches and Origin (when sent) is ours. */
bool web_csrf_ok(struct req *q);

/* ---- view.c: the pages, rendered from src/web/templates/ ---- */
/* Parse the embedded templates and labels (at start; read-only after). */
int web_views_load(struct az_ctx *ctx, struct web *w);
void web_views_free(struct web *w);
/* Render template name (a page on base.html) with the handler's view data
 * vars and trusted markup raw (both taken; NULL for none), adding what
 * every page shows (language, labels, the user and the navigation, the
 * session's CSRF token), and respond with status. */
void web_page(struct req *q, int status, const char *name, json_t *vars, json_t *raw);
/* Put the CSRF token for a form into vars (anonymous forms: this sets
 * the pre-session cookie; signed-in pages get the token anyway). */
void web_view_csrf(struct req *q, json_t *vars);
/* View data: set o[k] to a string (NULL becomes ""), a number, a
 * boolean, a new object or array (returned, borrowed; NULL on failure);
 * append a new object or a string to an array. */
void v_str(json_t *o, const char *k, const char *s);
void v_int(json_t *o, const char *k, long long n);
void v_bool(json_t *o, const char *k, bool b);
json_t *v_obj(json_t *o, const char *k);
json_t *v_arr(json_t *o, const char *k);
json_t *v_push(json_t *arr);
void v_push_str(json_t *arr, const char *s);
/* Pick the string for the request's language. */
#define T(q, ja, en) ((q)->lang == AZ_LANG_EN ? (en) : (ja))

/* ---- auth.c: login, MFA, accounts, audit ---- */
/* Route handlers; each returns after setting q->r. */
void page_setup(struct req *q);
void page_login(struct req *q);
void page_login_mfa(struct req *q);
void page_logout(struct req *q);
void page_mfa_enrol(struct req *q);
void page_account(struct req *q);
void page_users(struct req *q);
void page_audit(struct req *q);
/* Record a security event (takes the lock). */
void web_audit(struct req *q, const char *who, const char *what, const char *object,
               const char *detail);
/* Log a refused request (what: "csrf-denied", "permission-denied") with
 * the path, compressed per user and address. */
void web_audit_denied(struct req *q, const char *what);
/* The same for repeated failures: logged at counts 1, 2, 3, 4, 8, 16, ...
 * with the count in the detail. */
void web_audit_count(struct req *q, const char *who, const char *what, const char *object,
                     const char *detail, int count);
/* Who to name in the change log for this request's user. */
const char *web_who(const struct req *q);

/* ---- pages.c: the workspace screens ---- */
void page_dashboard(struct req *q);
void page_wizard(struct req *q);
void page_assess(struct req *q);
void page_plan(struct req *q);
void page_ledger(struct req *q);
void page_vendors(struct req *q);
void page_reports(struct req *q);
void page_report_file(struct req *q);
void page_vendor_form(struct req *q);

/* ---- records.c: the records of the recurring duties ---- */
void page_records(struct req *q);
struct az_profile;
/* The wizard's questions about the duties: their current answers into
 * v.duties; the answers posted set np's readiness (an error message to
 * show, or NULL); after the profile is saved, the dates posted become
 * records (an error message, or NULL). Messages are the caller's to free. */
void wizard_duties_view(struct req *q, const struct az_profile *p, json_t *v);
char *wizard_duties_apply(struct req *q, struct az_profile *np);
char *wizard_duties_record(struct req *q);

/* Embedded static files (static/app.css, static/app.js) and the page
 * templates with their labels (templates/). */
extern const struct az_file_blob az_embedded_web[];
extern const size_t az_embedded_web_n;
extern const struct az_file_blob az_embedded_web_tmpl[];
extern const size_t az_embedded_web_tmpl_n;

#endif
