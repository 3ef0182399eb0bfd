/* SPDX-License-Identifier: MIT */
/*
 * service.c - safe service identification on the open ports, in one epoll
 * loop with OpenSSL on non-blocking sockets.
 *
 * Each open port is a task: a short sequence of exchanges, each on its own
 * connection, chosen from the port table (data/scan/ports.yaml) and from
 * what earlier exchanges showed. Exchanges only do what a client does
 * before it logs in: wait for a banner, a TLS handshake (then the same
 * with only TLS 1.0 or only TLS 1.1 offered), HTTP GET of "/" and of the
 * appliance login pages in the fingerprint data, a DICOM A-ASSOCIATE-RQ
 * for the Verification SOP class followed by A-RELEASE-RQ, an empty MLLP
 * frame (never an HL7 message), PostgreSQL's SSLRequest, a TDS PRELOGIN,
 * an SMB1 NEGOTIATE, an RDP X.224 connection request, and reading the VNC
 * security types (never choosing one). Every exchange keeps its raw
 * evidence (az_scan_evidence).
 *
 * The caps of the connect phase hold here too: new connections per
 * second, connections at once (svc_inflight) and per host (per_host).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "anzen/hint.h"
#include "scan_internal.h"

#define IN_MAX    (64u * 1024u)
#define BANNER_MS 1200

enum xkind { X_BANNER, X_HTTP, X_TLS_ONLY, X_DICOM, X_MLLP, X_PG, X_TDS, X_SMB, X_RDP };
enum tlsmode { TM_NONE, TM_DEFAULT, TM_10, TM_11 };
enum track {
    T_TABLE,   /* no probe: the port table's name */
    T_BANNER,  /* server speaks first */
    T_HTTP,    /* plain HTTP first, then TLS */
    T_HTTPS,   /* TLS first, then plain HTTP */
    T_GENERIC, /* banner, then TLS, then HTTP */
    T_DICOM,   /* plain DICOM, then DICOM in TLS */
    T_DICOMTLS,
    T_MLLP, /* TLS, then an empty MLLP frame */
    T_PG,
    T_TDS,
    T_SMB,
    T_RDP,
};
enum { ST_UNTRIED, ST_OK, ST_NO };

struct task {
    struct az_scan_host *host;
    struct az_scan_port *port;
    struct az_service *svc;
    enum track track;
    int banner, tls, http, plain_http, dicom; /* ST_* */
    bool legacy10, legacy11;                  /* tried */
    bool dicom_slow;                          /* connected, no answer to the association */
    size_t path_i, ver_i;
    bool active, done;
};

struct conn {
    struct task *t;
    size_t hidx, live;
    int fd;
    SSL *ssl;
    enum xkind kind;
    enum tlsmode tm;
    const char *path;
    int state; /* 0 connecting, 1 TLS handshake, 2 I/O */
    unsigned char out[512];
    size_t outlen, outoff;
    unsigned char *in;
    size_t inlen, mark;
    int sub, vnc_minor;
    uint64_t deadline;
    struct az_scan_evidence ev;
    bool tls_failed, connected, got_proof;
};

struct svc_loop {
    struct az_scan *s;
    const struct az_scan_data *d;
    SSL_CTX *ctx[4];
    int ep;
    struct task *tasks;
    size_t ntasks, ndone, next;
    unsigned *hostconns;
    unsigned active;
    struct conn **live; /* connections open now (at most svc_inflight) */
    double tokens, rate, burst;
    uint64_t last_ns;
};

static enum track track_for(const struct az_scan_data *d, uint16_t port)
{
    const char *n = az__port_name(d, port);
    if (az__never_probe(d, port))
        return T_TABLE;
    if (!n)
        return T_GENERIC;
    static const struct {
        const char *name;
        enum track t;
    } map[] = {
        {"ssh", T_BANNER},
        {"ftp", T_BANNER},
        {"telnet", T_BANNER},
        {"smtp", T_BANNER},
        {"vnc", T_BANNER},
        {"mysql", T_BANNER},
        {"http", T_HTTP},
        {"http-alt", T_HTTP},
        {"http-proxy", T_HTTP},
        {"ipp", T_HTTP},
        {"winrm", T_HTTP},
        {"https", T_HTTPS},
        {"https-alt", T_HTTPS},
        {"dicom", T_DICOM},
        {"dicom-tls", T_DICOMTLS},
        {"dicom-iscl", T_DICOMTLS},
        {"hl7-mllp", T_MLLP},
        {"postgresql", T_PG},
        {"ms-sql", T_TDS},
        {"microsoft-ds", T_SMB},
        {"rdp", T_RDP},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(map[i].name, n))
            return map[i].t;
    return T_TABLE;
}

static SSL_CTX *mkctx(int minv, int maxv)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c)
        return NULL;
    /* legacy servers: SECLEVEL 0 or OpenSSL refuses TLS 1.0/1.1 and SHA-1 */
    SSL_CTX_set_security_level(c, 0);
    if (SSL_CTX_set_cipher_list(c, "ALL:@SECLEVEL=0") != 1 ||
        SSL_CTX_set_min_proto_version(c, minv) != 1 ||
        SSL_CTX_set_max_proto_version(c, maxv) != 1) {
        SSL_CTX_free(c);
        return NULL;
    }
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_options(c, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF);
    return c;
}

/* ---- what to do next for a task ---- */

/* HTTP paths to fetch after "/" answered: the match paths, then the
 * identified appliance's version paths. Returns NULL when none is left. */
static const char *next_path(struct svc_loop *L, struct task *t)
{
    const struct az_scan_data *d = L->d;
    while (t->path_i < d->npaths) {
        const char *p = d->paths[t->path_i++];
        if (strcmp(p, "/") != 0)
            return p;
    }
    if (!t->svc->has_appliance)
        return NULL;
    for (size_t i = 0; i < d->napps; i++) {
        const struct az_fp_appliance *a = &d->apps[i];
        if (strcmp(a->family, t->svc->app.family) != 0)
            continue;
        while (t->ver_i < a->nversions) {
            const char *p = a->versions[t->ver_i++].path;
            bool seen = false;
            for (size_t k = 0; k < d->npaths; k++)
                seen |= !strcmp(d->paths[k], p);
            if (!seen)
                return p;
        }
        return NULL;
    }
    return NULL;
}

static bool http_next(struct svc_loop *L, struct task *t, bool tls_first, enum xkind *k,
                      enum tlsmode *tm, const char **path)
{
    if (tls_first || t->plain_http == ST_NO) {
        if (t->tls == ST_UNTRIED) {
            *k = X_HTTP;
            *tm = TM_DEFAULT;
            *path = "/";
            return true;
        }
        if (t->tls == ST_OK) {
            if (!t->legacy10) {
                t->legacy10 = true;
                *k = X_TLS_ONLY;
                *tm = TM_10;
                return true;
            }
            if (!t->legacy11) {
                t->legacy11 = true;
                *k = X_TLS_ONLY;
                *tm = TM_11;
                return true;
            }
            if (t->http == ST_OK && (*path = next_path(L, t))) {
                *k = X_HTTP;
                *tm = TM_DEFAULT;
                return true;
            }
            return false;
        }
    }
    /* TLS failed (or plain first) */
    if (t->plain_http == ST_UNTRIED) {
        *k = X_HTTP;
        *tm = TM_NONE;
        *path = "/";
        return true;
    }
    if (t->plain_http == ST_OK && (*path = next_path(L, t))) {
        *k = X_HTTP;
        *tm = TM_NONE;
        return true;
    }
    if (!tls_first && t->plain_http == ST_NO && t->tls == ST_UNTRIED)
        return http_next(L, t, true, k, tm, path);
    return false;
}

static bool legacy_next(struct task *t, enum xkind *k, enum tlsmode *tm)
{
    if (t->tls != ST_OK)
        return false;
    if (!t->legacy10) {
        t->legacy10 = true;
        *k = X_TLS_ONLY;
        *tm = TM_10;
        return true;
    }
    if (!t->legacy11) {
        t->legacy11 = true;
        *k = X_TLS_ONLY;
        *tm = TM_11;
        return true;
    }
    return false;
}

static bool next_x(struct svc_loop *L, struct task *t, enum xkind *k, enum tlsmode *tm,
                   const char **path)
{
    *path = NULL;
    *tm = TM_NONE;
    switch (t->track) {
    case T_TABLE:
        return false;
    case T_BANNER:
        if (t->banner != ST_UNTRIED)
            return false;
        *k = X_BANNER;
        return true;
    case T_GENERIC:
        if (t->banner == ST_UNTRIED) {
            *k = X_BANNER;
            return true;
        }
        if (t->banner == ST_OK)
            return false;
        return http_next(L, t, true, k, tm, path);
    case T_HTTP:
        return http_next(L, t, false, k, tm, path);
    case T_HTTPS:
        return http_next(L, t, true, k, tm, path);
    case T_DICOM:
        if (t->dicom == ST_UNTRIED) {
            *k = X_DICOM;
            return true;
        }
        if (t->dicom == ST_NO && t->tls == ST_UNTRIED) {
            *k = X_DICOM;
            *tm = TM_DEFAULT;
            return true;
        }
        return legacy_next(t, k, tm);
    case T_DICOMTLS:
        if (t->tls == ST_UNTRIED) {
            *k = X_DICOM;
            *tm = TM_DEFAULT;
            return true;
        }
        if (t->tls == ST_NO && t->dicom == ST_UNTRIED) {
            *k = X_DICOM;
            return true;
        }
        return legacy_next(t, k, tm);
    case T_MLLP:
        if (t->tls == ST_UNTRIED) {
            *k = X_TLS_ONLY;
            *tm = TM_DEFAULT;
            return true;
        }
        if (t->tls == ST_NO && t->banner == ST_UNTRIED) {
            *k = X_MLLP;
            return true;
        }
        return legacy_next(t, k, tm);
    case T_PG:
        if (t->banner != ST_UNTRIED)
            return false;
        *k = X_PG;
        return true;
    case T_TDS:
        if (t->banner != ST_UNTRIED)
            return false;
        *k = X_TDS;
        return true;
    case T_SMB:
        if (t->banner != ST_UNTRIED)
            return false;
        *k = X_SMB;
        return true;
    case T_RDP:
        if (t->banner != ST_UNTRIED)
            return false;
        *k = X_RDP;
        return true;
    }
    return false;
}

/* ---- connections ---- */

static const char *probe_name(const struct conn *c, char *buf, size_t n)
{
    static const char *names[] = {"banner",          "http-get",         "tls",
                                  "dicom-associate", "mllp-empty-frame", "pg-sslrequest",
                                  "tds-prelogin",    "smb1-negotiate",   "rdp-negotiate"};
    if (c->kind == X_HTTP)
        snprintf(buf, n, "http-get %s", c->path);
    else if (c->kind == X_TLS_ONLY)
        snprintf(buf, n, "%s",
                 c->tm == TM_10   ? "tls1.0-only"
                 : c->tm == TM_11 ? "tls1.1-only"
                                  : "tls");
    else
        snprintf(buf, n, "%s", names[c->kind]);
    return buf;
}

static void put_out(struct conn *c, const void *p, size_t n)
{
    if (n > sizeof(c->out))
        n = sizeof(c->out);
    memcpy(c->out, p, n);
    c->outlen = n;
    c->outoff = 0;
}

static void first_bytes(struct svc_loop *L, struct conn *c)
{
    struct task *t = c->t;
    switch (c->kind) {
    case X_HTTP: {
        char req[400];
        const char *h = t->host->text;
        int n = snprintf(req, sizeof(req),
                         "GET %s HTTP/1.0\r\nHost: %s%s%s\r\nUser-Agent: anzen/%s (network "
                         "check)\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                         c->path, t->host->family == AF_INET6 ? "[" : "", h,
                         t->host->family == AF_INET6 ? "]" : "", AZ_VERSION);
        put_out(c, req, (size_t)n);
        break;
    }
    case X_DICOM: {
        unsigned char b[300];
        size_t n = az_dicom_assoc_rq(b, sizeof(b), "ANZEN-PROBE", "ANZEN");
        put_out(c, b, n);
        break;
    }
    case X_MLLP:
        put_out(c, "\x0b\x1c\x0d", 3);
        break;
    case X_PG:
        put_out(c, "\x00\x00\x00\x08\x04\xd2\x16\x2f", 8);
        break;
    case X_TDS: {
        static const unsigned char pre[] = {
            0x12, 0x01, 0x00, 0x2f, 0x00, 0x00, 0x01, 0x00, /* header, length 47 */
            0x00, 0x00, 0x1a, 0x00, 0x06,                   /* VERSION at 26, 6 bytes */
            0x01, 0x00, 0x20, 0x00, 0x01,                   /* ENCRYPTION at 32 */
            0x02, 0x00, 0x21, 0x00, 0x01,                   /* INSTOPT at 33 */
            0x03, 0x00, 0x22, 0x00, 0x04,                   /* THREADID at 34 */
            0x04, 0x00, 0x26, 0x00, 0x01,                   /* MARS at 38 */
            0xff,                                           /* terminator */
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* version 0.0.0 */
            0x00,                                           /* ENCRYPT_OFF */
            0x00,                                           /* default instance */
            0x00, 0x00, 0x00, 0x00,                         /* thread id */
            0x00};                                          /* MARS off */
        put_out(c, pre, sizeof(pre));
        break;
    }
    case X_SMB: {
        static const unsigned char neg[] = {
            0x00, 0x00, 0x00, 0x2f,                                     /* NetBIOS, 47 */
            0xff, 'S',  'M',  'B',  0x72, 0x00, 0x00, 0x00, 0x00, 0x18, /* NEGOTIATE */
            0x01, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* flags2, sig */
            0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* tid, pid, uid */
            0x00, 0x00,                                                 /* mid */
            0x00, 0x0c, 0x00,                                           /* wc 0, bc 12 */
            0x02, 'N',  'T',  ' ',  'L',  'M',  ' ',  '0',  '.',  '1',  '2', 0x00};
        put_out(c, neg, sizeof(neg));
        break;
    }
    case X_RDP: {
        /* TPKT + X.224 CR + RDP_NEG_REQ asking for TLS only: a server that
         * insists on CredSSP (NLA) answers HYBRID_REQUIRED_BY_SERVER */
        static const unsigned char cr[] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00,
                                           0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08,
                                           0x00, 0x01, 0x00, 0x00, 0x00};
        put_out(c, cr, sizeof(cr));
        break;
    }
    case X_BANNER:
    case X_TLS_ONLY:
        c->outlen = 0;
        break;
    }
    (void)L;
}

static void tls_record(struct conn *c)
{
    struct az_tls_info *ti = &c->t->svc->tlsi;
    X509 *x;
    BIO *b;

    if (c->tm == TM_10) {
        ti->tls10 = AZ_YES;
        return;
    }
    if (c->tm == TM_11) {
        ti->tls11 = AZ_YES;
        return;
    }
    ti->done = true;
    az__scpy(ti->version, sizeof(ti->version), SSL_get_version(c->ssl));
    snprintf(ti->cipher, sizeof(ti->cipher), "%s",
             SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl)));
    x = SSL_get1_peer_certificate(c->ssl);
    if (!x)
        return;
    if ((b = BIO_new(BIO_s_mem()))) {
        char buf[512];
        int n;
        X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
        n = BIO_read(b, buf, sizeof(buf) - 1);
        az__clean_text(ti->subject, sizeof(ti->subject), (unsigned char *)buf,
                       n > 0 ? (size_t)n : 0);
        (void)BIO_reset(b);
        X509_NAME_print_ex(b, X509_get_issuer_name(x), 0, XN_FLAG_RFC2253);
        n = BIO_read(b, buf, sizeof(buf) - 1);
        az__clean_text(ti->issuer, sizeof(ti->issuer), (unsigned char *)buf, n > 0 ? (size_t)n : 0);
        BIO_free(b);
    }
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1)
        strftime(ti->not_before, sizeof(ti->not_before), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1) {
        strftime(ti->not_after, sizeof(ti->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
        ti->not_after_epoch = (int64_t)timegm(&tm);
    }
    EVP_PKEY *pk = X509_get0_pubkey(x);
    ti->self_signed = X509_check_issued(x, x) == X509_V_OK && pk && X509_verify(x, pk) == 1;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int ml = 0;
    if (X509_digest(x, EVP_sha256(), md, &ml) == 1)
        for (unsigned i = 0; i < ml && i < 32; i++)
            snprintf(ti->sha256 + 2 * i, 3, "%02x", md[i]);
    X509_free(x);
}

/* Decide what the bytes so far mean. Returns 1 done, 0 need more; may
 * queue more bytes to send. */
static int on_data(struct svc_loop *L, struct conn *c, bool eof)
{
    struct az_service *sv = c->t->svc;
    const unsigned char *p = c->in + c->mark;
    size_t n = c->inlen - c->mark;

    switch (c->kind) {
    case X_HTTP:
        return eof || c->inlen >= IN_MAX;
    case X_TLS_ONLY:
        return 1;
    case X_BANNER:
        if (c->sub == 0) {
            int minor;
            if (az_parse_ssh(p, n, sv)) {
                az__match_banner(L->d, "ssh", sv->info, sv);
                c->got_proof = true;
                return 1;
            }
            if (az_parse_vnc_version(p, n, &minor)) {
                static const char *const rep[] = {"RFB 003.003\n", "RFB 003.007\n",
                                                  "RFB 003.008\n"};
                c->vnc_minor = minor >= 8 ? 8 : minor == 7 ? 7 : 3;
                put_out(c, rep[c->vnc_minor == 8 ? 2 : c->vnc_minor == 7 ? 1 : 0], 12);
                c->mark = c->inlen;
                c->sub = 2;
                return 0;
            }
            if (az_parse_mysql(p, n, sv)) {
                c->got_proof = true;
                return 1;
            }
            if (az_parse_telnet(p, n, sv)) {
                c->got_proof = true;
                return 1;
            }
            if (n >= 4 && !memcmp(p, "220", 3) && memchr(p, '\n', n)) {
                const char *nl = memchr(p, '\n', n);
                bool smtp = memmem(p, (size_t)(nl - (const char *)p), "SMTP", 4) != NULL;
                if (smtp) {
                    snprintf(sv->name, sizeof(sv->name), "smtp");
                    sv->conf = 10;
                    sv->probed = true;
                    az__clean_text(sv->info, sizeof(sv->info), p + 4,
                                   (size_t)(nl - (const char *)p) - 4);
                    c->got_proof = true;
                    return 1;
                }
                if (az_parse_ftp(p, n, sv)) {
                    az__match_banner(L->d, "ftp", (const char *)sv->info, sv);
                    char banner[160];
                    az__clean_text(banner, sizeof(banner), p, (size_t)(nl - (const char *)p));
                    az__match_banner(L->d, "ftp", banner, sv);
                    put_out(c, "FEAT\r\n", 6);
                    c->mark = c->inlen;
                    c->sub = 1;
                    c->got_proof = true;
                    return 0;
                }
            }
            if (eof || memchr(p, '\n', n) || n >= 4096) {
                if (n && !*sv->name) {
                    az__clean_text(sv->info, sizeof(sv->info), p, n > 100 ? 100 : n);
                    c->got_proof = true; /* something spoke first */
                }
                return 1;
            }
            return 0;
        }
        if (c->sub == 1) /* FTP FEAT */
            return az_parse_ftp_feat(p, n, sv) || eof;
        /* VNC security types */
        if (az_parse_vnc_security(p, n, c->vnc_minor, sv)) {
            sv->plaintext = AZ_YES;
            return 1;
        }
        return eof;
    case X_DICOM:
        if (c->sub == 0) {
            if (!az_parse_dicom(p, n, sv))
                return eof;
            c->got_proof = true;
            if (sv->dicom_result == 2) {
                /* accepted: release it politely */
                put_out(c, "\x05\x00\x00\x00\x00\x04\x00\x00\x00\x00", 10);
                c->mark = c->inlen;
                c->sub = 1;
                return 0;
            }
            return 1;
        }
        return (n >= 1 && (p[0] == 0x06 || p[0] == 0x07)) || eof;
    case X_MLLP:
        if (az_parse_mllp(p, n, sv)) {
            c->got_proof = true;
            return 1;
        }
        return eof || n > 4096;
    case X_PG:
        if (az_parse_pg(p, n, sv)) {
            c->got_proof = true;
            return 1;
        }
        return eof;
    case X_TDS:
        if (az_parse_tds(p, n, sv)) {
            c->got_proof = true;
            return 1;
        }
        return eof;
    case X_SMB:
        if (az_parse_smb(p, n, sv)) {
            c->got_proof = true;
            return 1;
        }
        return eof;
    case X_RDP:
        if (az_parse_rdp(p, n, sv)) {
            c->got_proof = true;
            return 1;
        }
        return eof;
    }
    return 1;
}

static int add_evidence(struct az_service *sv, struct conn *c)
{
    struct az_scan_evidence *v = realloc(sv->ev, (sv->nev + 1) * sizeof(*v));
    if (!v)
        return AZ_ENOMEM;
    sv->ev = v;
    c->ev.len = c->inlen < AZ_SCAN_EVIDENCE_MAX ? c->inlen : AZ_SCAN_EVIDENCE_MAX;
    c->ev.total = c->inlen;
    c->ev.data = malloc(c->ev.len ? c->ev.len : 1);
    if (!c->ev.data)
        return AZ_ENOMEM;
    if (c->ev.len)
        memcpy(c->ev.data, c->in, c->ev.len);
    c->ev.end_us = az__now_us();
    sv->ev[sv->nev++] = c->ev;
    return 0;
}

/* The exchange is over: record what it showed. */
static int conn_end(struct svc_loop *L, struct conn *c, const char *how)
{
    struct task *t = c->t;
    struct az_service *sv = t->svc;
    int r = 0;

    az__scpy(c->ev.end, sizeof(c->ev.end), how);
    if (c->kind == X_HTTP && c->inlen) {
        struct az_http_info h;
        int okh = az_parse_http(c->in, c->inlen, &h);
        if (c->tm == TM_NONE)
            t->plain_http = okh ? ST_OK : ST_NO;
        else if (okh)
            t->http = ST_OK;
        if (okh)
            az_scan_fingerprint_http(L->d, c->path, c->in, c->inlen, sv);
    } else if (c->kind == X_HTTP && c->tm == TM_NONE) {
        t->plain_http = ST_NO;
    } else if (c->kind == X_HTTP && !strcmp(c->path, "/") && t->http == ST_UNTRIED) {
        t->http = ST_NO;
    }
    if (c->tm == TM_DEFAULT && !(c->kind == X_HTTP && strcmp(c->path, "/") != 0)) {
        if (t->tls == ST_UNTRIED) {
            t->tls = c->tls_failed || !c->connected || c->state < 2 ? ST_NO : ST_OK;
            if (t->tls == ST_OK)
                az_scan_fingerprint_tls(L->d, sv);
        }
    }
    if (c->tm == TM_10 && sv->tlsi.tls10 != AZ_YES)
        sv->tlsi.tls10 = AZ_NO;
    if (c->tm == TM_11 && sv->tlsi.tls11 != AZ_YES)
        sv->tlsi.tls11 = AZ_NO;
    switch (c->kind) {
    case X_BANNER:
    case X_PG:
    case X_TDS:
    case X_SMB:
    case X_RDP:
        t->banner = c->got_proof ? ST_OK : ST_NO;
        break;
    case X_MLLP:
        t->banner = ST_OK;
        break;
    case X_DICOM:
        if (c->tm == TM_NONE)
            t->dicom = c->got_proof ? ST_OK : ST_NO;
        if (c->tm == TM_NONE && !c->got_proof && c->connected && !c->inlen &&
            !strcmp(how, "timeout"))
            t->dicom_slow = true;
        if (c->got_proof)
            sv->plaintext = c->tm == TM_NONE ? AZ_YES : AZ_NO;
        if (c->got_proof && c->tm != TM_NONE)
            sv->tls = true;
        break;
    default:
        break;
    }
    if (c->kind == X_MLLP) {
        /* never a message: an answer to an empty frame proves MLLP, an
         * open, silent listener on an MLLP port is likely MLLP */
        if (!c->got_proof && c->connected) {
            /* silence is not protocol evidence: the name stays a guess */
            snprintf(sv->name, sizeof(sv->name), "hl7-mllp");
            snprintf(sv->info, sizeof(sv->info),
                     "not confirmed: no TLS, silent on an empty MLLP frame");
            sv->conf = 5;
            sv->probed = false;
            sv->unconfirmed = true;
            sv->plaintext = AZ_UNKNOWN;
        }
    }
    if (c->connected || c->inlen)
        r = add_evidence(sv, c);
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
    free(c->in);
    if (r < 0)
        free(c->ev.data);
    L->hostconns[c->hidx]--;
    L->active--;
    L->live[c->live] = L->live[L->active];
    L->live[c->live]->live = c->live;
    t->active = false;
    free(c);
    return r;
}

static int want(struct svc_loop *L, struct conn *c, uint32_t ev)
{
    struct epoll_event e = {.events = ev, .data.ptr = c};
    return epoll_ctl(L->ep, EPOLL_CTL_MOD, c->fd, &e);
}

/* Drive one connection as far as it goes without blocking. Returns 0,
 * or 1 when it ended (and was freed), or <0 on ENOMEM. */
static int drive(struct svc_loop *L, struct conn *c)
{
    if (c->state == 0) {
        int err = 0;
        socklen_t l = sizeof(err);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) {
            int r = conn_end(L, c, err == ECONNREFUSED ? "refused" : "no-connect");
            return r < 0 ? r : 1;
        }
        c->connected = true;
        if (c->tm != TM_NONE) {
            c->ssl = SSL_new(L->ctx[c->tm]);
            if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
                int r = conn_end(L, c, "tls-failed");
                return r < 0 ? r : 1;
            }
            SSL_set_connect_state(c->ssl);
            c->state = 1;
        } else {
            c->state = 2;
        }
    }
    if (c->state == 1) {
        int r = SSL_connect(c->ssl);
        if (r == 1) {
            tls_record(c);
            c->state = 2;
            c->ev.tls = true;
            if (c->kind == X_TLS_ONLY) {
                int e = conn_end(L, c, "complete");
                return e < 0 ? e : 1;
            }
        } else {
            int e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ)
                return want(L, c, EPOLLIN) < 0 ? 0 : 0;
            if (e == SSL_ERROR_WANT_WRITE)
                return want(L, c, EPOLLOUT) < 0 ? 0 : 0;
            ERR_clear_error();
            c->tls_failed = true;
            int x = conn_end(L, c, "tls-failed");
            return x < 0 ? x : 1;
        }
    }
    /* I/O: send what is queued, read what there is */
    for (;;) {
        bool progress = false;
        while (c->outoff < c->outlen) {
            ssize_t w;
            if (c->ssl) {
                int r = SSL_write(c->ssl, c->out + c->outoff, (int)(c->outlen - c->outoff));
                if (r <= 0) {
                    int e = SSL_get_error(c->ssl, r);
                    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
                        want(L, c, e == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN);
                        return 0;
                    }
                    ERR_clear_error();
                    int x = conn_end(L, c, "reset");
                    return x < 0 ? x : 1;
                }
                w = r;
            } else {
                w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
                if (w < 0) {
                    if (errno == EAGAIN) {
                        want(L, c, EPOLLOUT);
                        return 0;
                    }
                    int x = conn_end(L, c, "reset");
                    return x < 0 ? x : 1;
                }
            }
            c->outoff += (size_t)w;
            c->ev.sent += (size_t)w;
        }
        if (c->kind == X_TLS_ONLY) {
            int x = conn_end(L, c, "complete");
            return x < 0 ? x : 1;
        }
        /* read */
        bool eof = false, reset = false;
        for (;;) {
            unsigned char buf[4096];
            ssize_t r;
            if (c->inlen >= IN_MAX)
                break;
            if (c->ssl) {
                int x = SSL_read(c->ssl, buf, sizeof(buf));
                if (x <= 0) {
                    int e = SSL_get_error(c->ssl, x);
                    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                        break;
                    ERR_clear_error();
                    if (e == SSL_ERROR_ZERO_RETURN)
                        eof = true;
                    else
                        reset = true;
                    break;
                }
                r = x;
            } else {
                r = recv(c->fd, buf, sizeof(buf), 0);
                if (r < 0) {
                    if (errno == EAGAIN)
                        break;
                    reset = true;
                    break;
                }
                if (r == 0) {
                    eof = true;
                    break;
                }
            }
            size_t k = (size_t)r;
            if (c->inlen + k > IN_MAX)
                k = IN_MAX - c->inlen;
            unsigned char *ni = realloc(c->in, c->inlen + k + 1);
            if (!ni)
                return AZ_ENOMEM;
            c->in = ni;
            memcpy(c->in + c->inlen, buf, k);
            c->inlen += k;
            progress = true;
        }
        size_t before = c->outlen - c->outoff;
        if (progress || eof || reset) {
            if (on_data(L, c, eof || reset)) {
                int x = conn_end(L, c, reset ? "reset" : eof ? "eof" : "complete");
                return x < 0 ? x : 1;
            }
        }
        if (eof || reset) {
            int x = conn_end(L, c, reset ? "reset" : "eof");
            return x < 0 ? x : 1;
        }
        if (c->outlen - c->outoff > before || (c->outoff < c->outlen))
            continue; /* on_data queued more to send */
        want(L, c, EPOLLIN);
        return 0;
    }
}

static int start(struct svc_loop *L, struct task *t, size_t hidx, enum xkind k, enum tlsmode tm,
                 const char *path)
{
    struct conn *c = calloc(1, sizeof(*c));
    struct sockaddr_storage ss;
    socklen_t sl;
    char pn[64];

    if (!c)
        return AZ_ENOMEM;
    c->t = t;
    c->hidx = hidx;
    c->live = L->active;
    L->live[L->active] = c;
    c->kind = k;
    c->tm = tm;
    c->path = path;
    c->fd = -1;
    c->ev.start_us = az__now_us();
    c->ev.tls = false;
    az__scpy(c->ev.probe, sizeof(c->ev.probe), probe_name(c, pn, sizeof(pn)));
    uint64_t ms = k == X_BANNER && t->track == T_GENERIC ? BANNER_MS : L->s->o.svc_timeout_ms;
    /* a PACS may take many seconds to accept an association: its own
     * timeout, so a slow peer is not mistaken for a silent one */
    if (k == X_DICOM && L->s->o.assoc_timeout_ms > ms)
        ms = L->s->o.assoc_timeout_ms;
    c->deadline = az__mono_ns() + ms * 1000000u;
    first_bytes(L, c);
    memset(&ss, 0, sizeof(ss));
    if (t->host->family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(t->port->port);
        memcpy(&a->sin_addr, t->host->addr, 4);
        sl = sizeof(*a);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(t->port->port);
        memcpy(&a->sin6_addr, t->host->addr, 16);
        sl = sizeof(*a);
    }
    t->active = true;
    L->active++;
    L->hostconns[hidx]++;
    c->fd = socket(t->host->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        int r = conn_end(L, c, "no-socket");
        return r < 0 ? r : 0;
    }
    static const struct linger lg = {1, 0};
    (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    if (connect(c->fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
        int r = conn_end(L, c, errno == ECONNREFUSED ? "refused" : "no-connect");
        return r < 0 ? r : 0;
    }
    struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(L->ep, EPOLL_CTL_ADD, c->fd, &e) < 0) {
        int r = conn_end(L, c, "no-epoll");
        return r < 0 ? r : 0;
    }
    return 0;
}

static void finalise(struct svc_loop *L, struct task *t)
{
    struct az_service *sv = t->svc;
    const char *tn = az__port_name(L->d, t->port->port);

    if (!*sv->name || (!strcmp(sv->name, "") && sv->http.status)) {
        if (sv->http.status) {
            bool tls = t->http == ST_OK && t->plain_http != ST_OK;
            az__scpy(sv->name, sizeof(sv->name), tls ? "https" : "http");
            sv->tls = tls;
            sv->conf = 10;
            sv->probed = true;
            sv->plaintext = tls ? AZ_NO : AZ_YES;
        } else if (t->tls == ST_OK) {
            snprintf(sv->name, sizeof(sv->name), "tls");
            sv->tls = true;
            sv->conf = 8;
            sv->probed = true;
        } else {
            az__scpy(sv->name, sizeof(sv->name), tn ? tn : "unknown");
            sv->conf = tn ? 3 : 0;
            sv->probed = false;
        }
    }
    if (sv->http.status && !*sv->product && *sv->http.server)
        az__scpy(sv->product, sizeof(sv->product), sv->http.server);
    if (sv->http.status && !*sv->info && *sv->http.title)
        az__scpy(sv->info, sizeof(sv->info), sv->http.title);
    if ((t->track == T_DICOM || t->track == T_DICOMTLS) && strcmp(sv->name, "dicom") != 0 &&
        t->tls == ST_OK) {
        az__scpy(sv->name, sizeof(sv->name), "dicom");
        az__scpy(sv->info, sizeof(sv->info),
                 "TLS; no DICOM association (client certificate "
                 "required?)");
        sv->conf = 5;
        sv->tls = true;
        sv->plaintext = AZ_NO;
    }
    if ((t->track == T_DICOM || t->track == T_DICOMTLS) && !sv->probed && t->tls != ST_OK &&
        t->dicom_slow) {
        char buf[128];
        az__scpy(sv->name, sizeof(sv->name), "dicom");
        snprintf(buf, sizeof(buf), "not confirmed: no answer to A-ASSOCIATE-RQ within %u ms",
                 L->s->o.assoc_timeout_ms > L->s->o.svc_timeout_ms ? L->s->o.assoc_timeout_ms
                                                                   : L->s->o.svc_timeout_ms);
        az__scpy(sv->info, sizeof(sv->info), buf);
        sv->conf = 3;
        sv->probed = false;
        sv->unconfirmed = true;
    }
    if (!strcmp(sv->name, "hl7-mllp") && t->tls == ST_OK) {
        sv->plaintext = AZ_NO;
        sv->tls = true;
    }
    if (t->tls == ST_OK && !strcmp(sv->name, "tls") && tn && !strcmp(tn, "hl7-mllp")) {
        snprintf(sv->name, sizeof(sv->name), "hl7-mllp");
        snprintf(sv->info, sizeof(sv->info), "likely MLLP over TLS");
        sv->plaintext = AZ_NO;
    }
    t->done = true;
    L->ndone++;
}

int az__scan_services(struct az_scan *s, struct az_ctx *ctx, az_scan_progress_fn progress, void *ud)
{
    struct svc_loop L;
    struct epoll_event evs[64];
    uint64_t last_report = 0;
    int r = 0;

    memset(&L, 0, sizeof(L));
    L.s = s;
    L.d = s->data;
    L.ep = -1;
    for (size_t i = 0; i < s->nhosts; i++)
        L.ntasks += s->hosts[i].nports;
    if (!L.ntasks)
        return 0;
    unsigned cap = s->o.svc_inflight ? s->o.svc_inflight : 16;
    L.tasks = calloc(L.ntasks, sizeof(*L.tasks));
    L.hostconns = calloc(s->nhosts, sizeof(*L.hostconns));
    L.live = calloc(cap, sizeof(*L.live));
    if (!L.tasks || !L.hostconns || !L.live) {
        r = AZ_ENOMEM;
        goto out;
    }
    for (size_t i = 0, k = 0; i < s->nhosts; i++)
        for (size_t p = 0; p < s->hosts[i].nports; p++, k++) {
            struct task *t = &L.tasks[k];
            struct az_service *sv = calloc(1, sizeof(*sv));
            if (!sv) {
                r = AZ_ENOMEM;
                goto out;
            }
            sv->plaintext = sv->tls_offered = sv->smb1 = sv->nla = sv->no_auth = AZ_UNKNOWN;
            sv->tlsi.tls10 = sv->tlsi.tls11 = AZ_UNKNOWN;
            sv->mssql_encrypt = -1;
            s->hosts[i].ports[p].svc = sv;
            t->host = &s->hosts[i];
            t->port = &s->hosts[i].ports[p];
            t->svc = sv;
            t->track = track_for(L.d, t->port->port);
        }
    L.ctx[TM_DEFAULT] = mkctx(TLS1_VERSION, 0);
    L.ctx[TM_10] = mkctx(TLS1_VERSION, TLS1_VERSION);
    L.ctx[TM_11] = mkctx(TLS1_1_VERSION, TLS1_1_VERSION);
    if (!L.ctx[TM_DEFAULT] || !L.ctx[TM_10] || !L.ctx[TM_11]) {
        r = az_fail(ctx, AZ_EIO, "TLS を準備できません", "cannot set up TLS");
        goto out;
    }
    L.ep = epoll_create1(EPOLL_CLOEXEC);
    if (L.ep < 0) {
        r = az_fail(ctx, AZ_EIO, "epoll を作れません", "cannot create epoll");
        goto out;
    }
    L.rate = s->o.rate;
    L.burst = L.rate > 0 ? (L.rate / 50 > 1 ? L.rate / 50 : 1) : 0;
    L.tokens = 1;
    L.last_ns = az__mono_ns();
    while (L.ndone < L.ntasks) {
        uint64_t now = az__mono_ns();
        bool blocked = false;
        bool stopping = atomic_load_explicit(&s->stop, memory_order_relaxed) != 0;
        if (stopping && !L.active) {
            /* stopped: what was not asked keeps the port table's name */
            for (size_t i = 0; i < L.ntasks; i++)
                if (!L.tasks[i].done)
                    finalise(&L, &L.tasks[i]);
            s->incomplete = true;
            break;
        }
        if (L.rate > 0) {
            L.tokens += (double)(now - L.last_ns) * L.rate / 1e9;
            if (L.tokens > L.burst)
                L.tokens = L.burst;
        } else {
            L.tokens = 1e18;
        }
        L.last_ns = now;
        /* start the next exchange of idle tasks, within the caps */
        for (size_t i = 0; !stopping && i < L.ntasks && L.active < cap; i++) {
            struct task *t = &L.tasks[(L.next + i) % L.ntasks];
            size_t hidx = (size_t)(t->host - s->hosts);
            enum xkind k;
            enum tlsmode tm;
            const char *path;
            if (t->done || t->active || L.hostconns[hidx] >= s->o.per_host)
                continue;
            if (L.tokens < 1) {
                blocked = true;
                break;
            }
            if (!next_x(&L, t, &k, &tm, &path)) {
                finalise(&L, t);
                continue;
            }
            L.tokens -= 1;
            if ((r = start(&L, t, hidx, k, tm, path)) < 0)
                goto out;
        }
        L.next = (L.next + 1) % L.ntasks;
        if (L.ndone >= L.ntasks)
            break;
        /* wait for an event, the nearest deadline or a token */
        uint64_t wait = 100000000u;
        for (unsigned i = 0; i < L.active; i++) {
            uint64_t dl = L.live[i]->deadline;
            uint64_t w = dl > now ? dl - now : 0;
            if (w < wait)
                wait = w;
        }
        int n = epoll_wait(L.ep, evs, 64, 0);
        if (n == 0) {
            struct timespec ts;
            if (blocked && L.rate > 0) {
                uint64_t w = (uint64_t)((1.0 - L.tokens) * 1e9 / L.rate) + 1;
                if (w < wait)
                    wait = w;
            }
            if (!L.active && !blocked)
                wait = 0;
            ts.tv_sec = (time_t)(wait / 1000000000u);
            ts.tv_nsec = (long)(wait % 1000000000u);
            n = epoll_pwait2(L.ep, evs, 64, &ts, NULL);
        }
        if (n < 0 && errno != EINTR) {
            r = az_fail(ctx, AZ_EIO, "epoll_wait: %s", "epoll_wait: %s",
                        az_errno_text(ctx->lang, errno));
            goto out;
        }
        for (int i = 0; i < n; i++)
            if ((r = drive(&L, evs[i].data.ptr)) < 0)
                goto out;
        now = az__mono_ns();
        if (progress && now - last_report >= 100000000u) {
            struct az_scan_progress p;
            memset(&p, 0, sizeof(p));
            p.phase = AZ_PHASE_SERVICES;
            p.done = L.ndone;
            p.total = L.ntasks;
            p.inflight = L.active;
            p.eta_s = -1;
            p.hosts_up = s->nhosts;
            p.open = L.ntasks;
            progress(ud, &p);
            last_report = now;
        }
        /* deadlines: the exchange ends with what it has */
        for (unsigned i = 0; i < L.active;) {
            struct conn *c = L.live[i];
            if (c->deadline > now) {
                i++;
                continue;
            }
            if (c->state == 2 && c->inlen && on_data(&L, c, true))
                r = conn_end(&L, c, "complete");
            else
                r = conn_end(&L, c, "timeout");
            if (r < 0)
                goto out;
        }
    }
out:
    while (L.active)
        (void)conn_end(&L, L.live[0], "aborted");
    if (L.ep >= 0)
        close(L.ep);
    for (int i = 0; i < 4; i++)
        SSL_CTX_free(L.ctx[i]);
    free(L.tasks);
    free(L.hostconns);
    free(L.live);
    return r;
}
