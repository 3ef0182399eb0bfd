/* SPDX-License-Identifier: MIT */
/*
 * parse.c - parsers of what peers send back to the service probes, and
 * the few request bytes anzen builds itself. Each parser reads at most
 * len bytes of anything (they are fuzzed: tests/fuzz/fuzz_scan.c), never
 * trusts a length field beyond len, and copies text into fixed fields as
 * valid UTF-8 (anything else becomes '?').
 *
 * Sources for the byte layouts: DICOM PS3.8 (upper layer PDUs), MS-TDS
 * 2.2.6.5 (PRELOGIN), MS-RDPBCGR 2.2.1.2 (X.224 Connection Confirm and
 * RDP_NEG_RSP / RDP_NEG_FAILURE), MS-SMB 2.2.4.52 (SMB_COM_NEGOTIATE),
 * RFC 6143 (RFB), the PostgreSQL and MySQL protocol documentation.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scan_internal.h"

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Copy up to len bytes of peer text into dst (size n) as printable UTF-8:
 * control characters and invalid sequences become '?', surrounding
 * blanks are trimmed. */
void az__clean_text(char *dst, size_t n, const unsigned char *src, size_t len)
{
    size_t w = 0, i = 0;
    if (!n)
        return;
    while (i < len && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n'))
        i++;
    while (len > i && (src[len - 1] == ' ' || src[len - 1] == '\t' || src[len - 1] == '\r' ||
                       src[len - 1] == '\n'))
        len--;
    while (i < len && w + 1 < n) {
        unsigned char c = src[i];
        size_t k = 0;
        if (c < 0x80) {
            dst[w++] = (c >= 0x20 && c < 0x7f) ? (char)c : (c == '\t' ? ' ' : '?');
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3;
        bool good = k > 0 && i + k < len;
        for (size_t j = 1; good && j <= k; j++)
            if ((src[i + j] & 0xc0) != 0x80)
                good = false;
        if (good && k == 2) {
            unsigned cp = (unsigned)(c & 0x0f) << 12 | (unsigned)(src[i + 1] & 0x3f) << 6 |
                          (src[i + 2] & 0x3f);
            if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
                good = false;
        } else if (good && k == 3) {
            unsigned cp = (unsigned)(c & 0x07) << 18 | (unsigned)(src[i + 1] & 0x3f) << 12 |
                          (unsigned)(src[i + 2] & 0x3f) << 6 | (src[i + 3] & 0x3f);
            if (cp < 0x10000 || cp > 0x10ffff)
                good = false;
        }
        if (!good) {
            dst[w++] = '?';
            i++;
            continue;
        }
        if (w + k + 1 >= n)
            break;
        memcpy(dst + w, src + i, k + 1);
        w += k + 1;
        i += k + 1;
    }
    while (w && dst[w - 1] == ' ')
        w--;
    dst[w] = '\0';
}

static void set_name(struct az_service *svc, const char *name, int conf)
{
    az__scpy(svc->name, sizeof(svc->name), name);
    svc->conf = conf;
    svc->probed = true;
}

/* ---- HTTP ---- */

/* Find the end of the header block; returns its length (including the
 * blank line) or 0 when incomplete. */
static size_t header_end(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\n' && p[i + 1] == '\n')
            return i + 2;
        if (i + 3 < len && p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
            return i + 4;
    }
    return 0;
}

/* Value of header name (case-insensitive) within the header block. */
static bool header_value(const unsigned char *p, size_t hl, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < hl; i++) {
        if (i && p[i - 1] != '\n')
            continue;
        if (i + nl + 1 <= hl && !strncasecmp((const char *)p + i, name, nl) && p[i + nl] == ':') {
            size_t s = i + nl + 1, e = s;
            while (e < hl && p[e] != '\r' && p[e] != '\n')
                e++;
            az__clean_text(out, n, p + s, e - s);
            return true;
        }
    }
    return false;
}

int az_parse_http(const unsigned char *p, size_t len, struct az_http_info *h)
{
    size_t hl;
    int code = 0;

    if (len < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ')
        return 0;
    for (int i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        code = code * 10 + (p[i] - '0');
    }
    if (code < 100)
        return 0;
    hl = header_end(p, len);
    if (!hl)
        return 0;
    memset(h, 0, sizeof(*h));
    h->status = code;
    header_value(p, hl, "Server", h->server, sizeof(h->server));
    header_value(p, hl, "Location", h->location, sizeof(h->location));
    /* <title ...>text</title> in the body, case-insensitive */
    for (size_t i = hl; i + 7 <= len; i++) {
        if (p[i] != '<' || strncasecmp((const char *)p + i, "<title", 6) != 0)
            continue;
        size_t s = i + 6;
        while (s < len && p[s] != '>')
            s++;
        if (s >= len)
            break;
        s++;
        size_t e = s;
        while (e + 8 <= len && strncasecmp((const char *)p + e, "</title", 7) != 0)
            e++;
        if (e + 8 > len)
            e = len;
        az__clean_text(h->title, sizeof(h->title), p + s, e - s > 1024 ? 1024 : e - s);
        break;
    }
    return 1;
}

/* ---- banners ---- */

static size_t line_len(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] == '\n')
            return i + 1;
    return 0;
}

int az_parse_ssh(const unsigned char *p, size_t len, struct az_service *svc)
{
    size_t n;
    if (len < 4 || memcmp(p, "SSH-", 4) != 0 || !(n = line_len(p, len)))
        return 0;
    set_name(svc, "ssh", 10);
    az__clean_text(svc->info, sizeof(svc->info), p, n);
    svc->plaintext = AZ_NO; /* SSH encrypts on its own */
    return 1;
}

int az_parse_ftp(const unsigned char *p, size_t len, struct az_service *svc)
{
    size_t n;
    if (len < 4 || memcmp(p, "220", 3) != 0 || (p[3] != ' ' && p[3] != '-') ||
        !(n = line_len(p, len)))
        return 0;
    set_name(svc, "ftp", 10);
    az__clean_text(svc->info, sizeof(svc->info), p + 4, n - 4);
    svc->plaintext = AZ_YES;
    return 1;
}

int az_parse_ftp_feat(const unsigned char *p, size_t len, struct az_service *svc)
{
    size_t i = 0;
    bool auth = false;
    while (i < len) {
        size_t n = line_len(p + i, len - i);
        if (!n)
            return 0;
        const unsigned char *l = p + i;
        if (n >= 9 && (l[0] == ' ' || l[0] == '\t')) {
            size_t k = 0;
            while (k < n && (l[k] == ' ' || l[k] == '\t'))
                k++;
            if (n - k >= 8 && !strncasecmp((const char *)l + k, "AUTH TLS", 8))
                auth = true;
            if (n - k >= 8 && !strncasecmp((const char *)l + k, "AUTH SSL", 8))
                auth = true;
        }
        /* a final reply line: three digits and a space */
        if (n >= 4 && l[0] >= '1' && l[0] <= '5' && l[3] == ' ') {
            svc->tls_offered = auth ? AZ_YES : AZ_NO;
            return 1;
        }
        i += n;
    }
    return 0;
}

/*
 * Telnet is proven only by option negotiation at the very start of what
 * the server sends (a telnet server opens with IAC DO/WILL ...): a run of
 * whole IAC WILL/WONT/DO/DONT commands on options the telnet RFCs define,
 * or IAC SB ... IAC SE of those, from byte 0. An IAC-looking pair
 * somewhere inside random bytes is not telnet.
 */
static bool telnet_option(unsigned o)
{
    return o <= 50 || o == 138 || o == 139 || o == 140 || o == 255;
}

int az_parse_telnet(const unsigned char *p, size_t len, struct az_service *svc)
{
    size_t i = 0, cmds = 0;
    while (i < len && p[i] == 0xff) {
        if (i + 2 >= len)
            return 0; /* a command cut short: wait for the rest */
        unsigned cmd = p[i + 1], opt = p[i + 2];
        if (!telnet_option(opt))
            return 0;
        if (cmd >= 0xfb && cmd <= 0xfe) {
            i += 3;
        } else if (cmd == 0xfa) { /* SB option ... IAC SE */
            size_t k = i + 3;
            while (k + 1 < len && !(p[k] == 0xff && p[k + 1] == 0xf0))
                k++;
            if (k + 1 >= len)
                return 0;
            i = k + 2;
        } else {
            return 0;
        }
        cmds++;
    }
    if (!cmds)
        return 0;
    set_name(svc, "telnet", 10);
    svc->plaintext = AZ_YES;
    return 1;
}

/* ---- SMB ---- */

int az_parse_smb(const unsigned char *p, size_t len, struct az_service *svc)
{
    if (len < 8 || p[0] != 0x00)
        return 0;
    uint32_t nb = (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    const unsigned char *s = p + 4;
    size_t sl = len - 4 < nb ? len - 4 : nb;
    if (sl >= 4 && !memcmp(s, "\xfeSMB", 4)) {
        set_name(svc, "smb", 10);
        svc->smb1 = AZ_NO;
        return 1;
    }
    if (sl < 4 || memcmp(s, "\xffSMB", 4) != 0)
        return 0;
    if (sl < 35)
        return len - 4 >= nb ? 1 : 0; /* short: wait for the rest, or give up at its end */
    set_name(svc, "smb", 10);
    uint32_t status = le32(s + 5);
    unsigned wc = s[32];
    uint32_t idx = le16(s + 33);
    svc->smb1 = (s[4] == 0x72 && status == 0 && wc >= 1 && idx != 0xffff) ? AZ_YES : AZ_NO;
    return 1;
}

/* ---- RDP ---- */

int az_parse_rdp(const unsigned char *p, size_t len, struct az_service *svc)
{
    if (len < 4 || p[0] != 0x03 || p[1] != 0x00)
        return 0;
    size_t tl = be16(p + 2);
    if (tl < 11 || len < tl)
        return 0;
    /* X.224: length indicator, then 0xD0 = Connection Confirm */
    if ((p[5] & 0xf0) != 0xd0)
        return 0;
    set_name(svc, "rdp", 10);
    if (tl >= 19 && p[4] >= 14) {
        const unsigned char *n = p + 11;
        if (n[0] == 0x02) { /* RDP_NEG_RSP */
            uint32_t sel = le32(n + 4);
            svc->nla = (sel & 0x2 || sel & 0x8) ? AZ_YES : AZ_NO;
            snprintf(svc->info, sizeof(svc->info), "selected protocol %u", sel);
            return 1;
        }
        if (n[0] == 0x03) { /* RDP_NEG_FAILURE */
            uint32_t code = le32(n + 4);
            svc->nla = (code == 5 || code == 6) ? AZ_YES : AZ_NO;
            snprintf(svc->info, sizeof(svc->info), "negotiation failure %u", code);
            if (code == 2)
                snprintf(svc->info, sizeof(svc->info), "standard RDP security only");
            return 1;
        }
    }
    /* no negotiation data: an old server with standard RDP security */
    svc->nla = AZ_NO;
    snprintf(svc->info, sizeof(svc->info), "standard RDP security only");
    return 1;
}

/* ---- VNC (RFB) ---- */

int az_parse_vnc_version(const unsigned char *p, size_t len, int *ret_minor)
{
    int major = 0, minor = 0;
    if (len < 12 || memcmp(p, "RFB ", 4) != 0 || p[7] != '.' || p[11] != '\n')
        return 0;
    for (int i = 4; i < 7; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        major = major * 10 + p[i] - '0';
    }
    for (int i = 8; i < 11; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        minor = minor * 10 + p[i] - '0';
    }
    if (major != 3)
        minor = 8;
    *ret_minor = minor;
    return 1;
}

int az_parse_vnc_security(const unsigned char *p, size_t len, int minor, struct az_service *svc)
{
    set_name(svc, "vnc", 10);
    if (minor < 7) {
        if (len < 4)
            return 0;
        uint32_t t = be32(p);
        svc->no_auth = t == 1 ? AZ_YES : AZ_NO;
        snprintf(svc->info, sizeof(svc->info), "security type %u", t);
        return 1;
    }
    if (len < 1)
        return 0;
    unsigned n = p[0];
    if (n == 0) {
        svc->no_auth = AZ_NO;
        snprintf(svc->info, sizeof(svc->info), "connection refused by server");
        return 1;
    }
    if (len < 1 + (size_t)n)
        return 0;
    size_t w = (size_t)snprintf(svc->info, sizeof(svc->info), "security types");
    svc->no_auth = AZ_NO;
    for (unsigned i = 0; i < n; i++) {
        if (p[1 + i] == 1)
            svc->no_auth = AZ_YES;
        if (w < sizeof(svc->info) - 5)
            w += (size_t)snprintf(svc->info + w, sizeof(svc->info) - w, " %u", p[1 + i]);
    }
    return 1;
}

/* ---- DICOM ---- */

static size_t put_item(unsigned char *b, size_t n, size_t w, unsigned type, const char *uid)
{
    size_t l = strlen(uid);
    if (w + 4 + l > n)
        return n + 1;
    b[w] = (unsigned char)type;
    b[w + 1] = 0;
    b[w + 2] = (unsigned char)(l >> 8);
    b[w + 3] = (unsigned char)l;
    memcpy(b + w + 4, uid, l);
    return w + 4 + l;
}

size_t az_dicom_assoc_rq(unsigned char *b, size_t n, const char *called, const char *calling)
{
    /* anzen's own implementation class UID (a UUID-derived 2.25 root) */
    static const char impl[] = "2.25.245006396172866148357102441916127283761";
    static const char ver[] = "ANZEN_" AZ_VERSION;
    size_t w = 74, pc, ui;

    if (n < 256)
        return 0;
    memset(b, 0, 74);
    b[0] = 0x01;
    b[7] = 0x01; /* protocol version 1 */
    memset(b + 10, ' ', 32);
    memcpy(b + 10, called, strnlen(called, 16));
    memcpy(b + 26, calling, strnlen(calling, 16));
    w = put_item(b, n, w, 0x10, "1.2.840.10008.3.1.1.1");
    /* presentation context 1: Verification SOP class, implicit VR LE */
    pc = w;
    b[w] = 0x20;
    b[w + 1] = 0;
    b[w + 4] = 0x01;
    b[w + 5] = b[w + 6] = b[w + 7] = 0;
    w += 8;
    w = put_item(b, n, w, 0x30, "1.2.840.10008.1.1");
    w = put_item(b, n, w, 0x40, "1.2.840.10008.1.2");
    b[pc + 2] = (unsigned char)((w - pc - 4) >> 8);
    b[pc + 3] = (unsigned char)(w - pc - 4);
    /* user information: max PDU length, implementation class and version */
    ui = w;
    b[w] = 0x50;
    b[w + 1] = 0;
    w += 4;
    b[w] = 0x51;
    b[w + 1] = 0;
    b[w + 2] = 0;
    b[w + 3] = 4;
    b[w + 4] = 0;
    b[w + 5] = 0;
    b[w + 6] = 0x40;
    b[w + 7] = 0;
    w += 8;
    w = put_item(b, n, w, 0x52, impl);
    w = put_item(b, n, w, 0x55, ver);
    if (w > n)
        return 0;
    b[ui + 2] = (unsigned char)((w - ui - 4) >> 8);
    b[ui + 3] = (unsigned char)(w - ui - 4);
    uint32_t pl = (uint32_t)(w - 6);
    b[2] = (unsigned char)(pl >> 24);
    b[3] = (unsigned char)(pl >> 16);
    b[4] = (unsigned char)(pl >> 8);
    b[5] = (unsigned char)pl;
    return w;
}

int az_parse_dicom(const unsigned char *p, size_t len, struct az_service *svc)
{
    if (len < 6 || p[1] != 0)
        return 0;
    unsigned type = p[0];
    uint32_t pl = be32(p + 2);
    if (type != 0x02 && type != 0x03 && type != 0x06 && type != 0x07)
        return 0;
    if (pl > 1u << 20)
        return 0;
    if (len < 6 + (size_t)pl)
        return 0; /* incomplete */
    set_name(svc, "dicom", 10);
    svc->dicom_result = (int)type;
    if (type == 0x03 && pl >= 4) {
        snprintf(svc->info, sizeof(svc->info),
                 "association rejected (result %u, source %u, "
                 "reason %u)",
                 p[7], p[8], p[9]);
        svc->no_auth = AZ_NO;
    } else if (type == 0x07) {
        snprintf(svc->info, sizeof(svc->info), "association aborted");
    } else if (type == 0x02) {
        svc->no_auth = AZ_YES; /* accepted an arbitrary called AE title */
        /* variable items after the 74-byte header: find the user info's
         * implementation version name (0x55) */
        size_t i = 74, end = 6 + (size_t)pl;
        while (i + 4 <= end) {
            unsigned it = p[i];
            size_t il = be16(p + i + 2);
            if (i + 4 + il > end)
                break;
            if (it == 0x50) {
                size_t j = i + 4;
                while (j + 4 <= i + 4 + il) {
                    size_t sl = be16(p + j + 2);
                    if (j + 4 + sl > i + 4 + il)
                        break;
                    if (p[j] == 0x55) {
                        char v[64];
                        az__clean_text(v, sizeof(v), p + j + 4, sl);
                        snprintf(svc->info, sizeof(svc->info),
                                 "association accepted; "
                                 "implementation %s",
                                 v);
                        az__scpy(svc->product, sizeof(svc->product), v);
                    }
                    j += 4 + sl;
                }
            }
            i += 4 + il;
        }
        if (!*svc->info)
            snprintf(svc->info, sizeof(svc->info), "association accepted");
    }
    return 1;
}

/* ---- databases ---- */

int az_parse_pg(const unsigned char *p, size_t len, struct az_service *svc)
{
    if (len < 1)
        return 0;
    if (p[0] == 'S' || p[0] == 'N') {
        set_name(svc, "postgresql", 10);
        svc->tls_offered = p[0] == 'S' ? AZ_YES : AZ_NO;
        return 1;
    }
    if (p[0] == 'E' && len >= 5) {
        /* an error instead: a server too old for SSLRequest */
        set_name(svc, "postgresql", 8);
        svc->tls_offered = AZ_NO;
        return 1;
    }
    return 0;
}

int az_parse_mysql(const unsigned char *p, size_t len, struct az_service *svc)
{
    if (len < 5)
        return 0;
    size_t pl = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
    if (p[3] != 0 || pl < 2 || pl > 4096)
        return 0;
    if (len < 4 + pl)
        return 0;
    const unsigned char *q = p + 4;
    if (q[0] == 0xff) { /* error packet: e.g. host not allowed */
        set_name(svc, "mysql", 8);
        az__clean_text(svc->info, sizeof(svc->info), q + 3, pl - 3 > 120 ? 120 : pl - 3);
        return 1;
    }
    if (q[0] != 0x0a)
        return 0;
    size_t i = 1;
    while (i < pl && q[i])
        i++;
    if (i >= pl)
        return 0;
    set_name(svc, "mysql", 10);
    az__clean_text(svc->version, sizeof(svc->version), q + 1, i - 1);
    snprintf(svc->product, sizeof(svc->product), "%s",
             strstr(svc->version, "MariaDB") ? "MariaDB" : "MySQL");
    /* thread id (4), auth data (8), filler (1), capability flags (2) */
    if (i + 1 + 4 + 8 + 1 + 2 <= pl) {
        uint32_t caps = le16(q + i + 1 + 13);
        svc->tls_offered = (caps & 0x0800) ? AZ_YES : AZ_NO;
    }
    svc->plaintext = AZ_YES; /* the greeting itself is in clear */
    return 1;
}

/*
 * A PRELOGIN response: a TDS packet header (type 4 "tabular result",
 * status EOM, length = the packet, window 0), then an option table of
 * 5-byte entries (token, offset, length) ended by 0xff, whose offsets
 * point past the table and inside the packet, with the lengths the
 * protocol fixes (VERSION 6, ENCRYPTION 1 of 0-3). Anything else (garbage
 * that happens to start with 0x04) is not SQL Server.
 */
int az_parse_tds(const unsigned char *p, size_t len, struct az_service *svc)
{
    if (len < 8 || p[0] != 0x04)
        return 0;
    size_t tl = be16(p + 2);
    if (tl < 9 || len < tl)
        return 0;
    if (!(p[1] & 0x01) || p[7] != 0)
        return 0;
    const unsigned char *d = p + 8;
    size_t dl = tl - 8, i = 0, table_end;
    int enc = -1;
    bool has_ver = false;
    char ver[32] = "";
    while (i < dl && d[i] != 0xff)
        i += 5;
    if (i >= dl)
        return 0;
    table_end = i + 1;
    for (i = 0; d[i] != 0xff; i += 5) {
        unsigned tok = d[i];
        size_t off = be16(d + i + 1), ol = be16(d + i + 3);
        if (tok > 0x08 || off < table_end || off + ol > dl)
            return 0;
        if (tok == 0x00) {
            if (ol != 6)
                return 0;
            snprintf(ver, sizeof(ver), "%u.%u.%u", d[off], d[off + 1], be16(d + off + 2));
            has_ver = true;
        } else if (tok == 0x01) {
            if (ol != 1 || d[off] > 3)
                return 0;
            enc = d[off];
        }
    }
    if (enc < 0 || !has_ver)
        return 0;
    set_name(svc, "ms-sql", 10);
    snprintf(svc->product, sizeof(svc->product), "Microsoft SQL Server");
    az__scpy(svc->version, sizeof(svc->version), ver);
    svc->mssql_encrypt = enc;
    svc->tls_offered = enc == 2 ? AZ_NO : AZ_YES;
    return 1;
}

int az_parse_mllp(const unsigned char *p, size_t len, struct az_service *svc)
{
    if (len < 3 || p[0] != 0x0b)
        return 0;
    for (size_t i = 1; i + 1 < len; i++)
        if (p[i] == 0x1c && p[i + 1] == 0x0d) {
            set_name(svc, "hl7-mllp", 10);
            svc->plaintext = AZ_YES;
            if (i == 1)
                snprintf(svc->info, sizeof(svc->info), "empty MLLP frame");
            else if (i == 2 && (p[1] == 0x06 || p[1] == 0x15))
                snprintf(svc->info, sizeof(svc->info), "MLLP commit %s",
                         p[1] == 0x06 ? "ACK" : "NAK");
            else
                az__clean_text(svc->info, sizeof(svc->info), p + 1, i - 1 > 100 ? 100 : i - 1);
            return 1;
        }
    return 0;
}
