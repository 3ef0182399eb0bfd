/* SPDX-License-Identifier: MIT */
/*
 * nmap.c - read an nmap XML result (-oX, DTD of nmap 7.x) into the same
 * result structure as anzen's own scans, so the same findings follow.
 *
 * Parsed with libxml2, without network access, without loading the DTD
 * and without substituting entities (no XXE, no entity expansion). What
 * maps: live hosts and their addresses, open TCP ports with their service
 * (name, product, version, extrainfo, ssl tunnel, method, conf), and the
 * NSE scripts whose output carries a fact anzen checks: ssl-cert,
 * ssl-enum-ciphers, smb-protocols, rdp-enum-encryption, vnc-info,
 * dicom-ping, http-title, http-server-header. Appliances are recognised
 * from nmap's CPEs and product names, the certificate subject and the
 * Server header. nmap keeps no raw bytes, so evidence entries carry the
 * script output instead.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "anzen/util.h"
#include "scan_internal.h"

#define NMAP_MAX_INPUT (64u * 1024u * 1024u)

static const char *attr(xmlNode *n, const char *name, char *buf, size_t len)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v) {
        buf[0] = '\0';
        return NULL;
    }
    az__clean_text(buf, len, v, strlen((const char *)v));
    xmlFree(v);
    return buf;
}

static bool is(xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* nmap's service names → anzen's */
static void map_name(struct az_service *sv, const char *name, bool ssl)
{
    static const struct {
        const char *nmap, *anzen;
    } m[] = {
        {"ms-wbt-server", "rdp"}, {"ms-sql-s", "ms-sql"}, {"hl7", "hl7-mllp"},
        {"acr-nema", "dicom"},    {"dicom", "dicom"},     {"vnc", "vnc"},
        {"http-proxy", "http"},   {"http-alt", "http"},   {"https-alt", "https"},
    };
    const char *n = name;
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (!strcmp(m[i].nmap, name))
            n = m[i].anzen;
    if (ssl && !strcmp(n, "http"))
        n = "https";
    az__scpy(sv->name, sizeof(sv->name), n);
}

/* cpe:/o:fortinet:fortios:6.0.4 → family and version */
static void from_cpe(struct az_service *sv, const char *cpe)
{
    static const struct {
        const char *prefix, *family, *product;
    } m[] = {
        {"cpe:/o:fortinet:fortios", "fortinet-fortios", "Fortinet FortiOS"},
        {"cpe:/a:ivanti:connect_secure", "ivanti-connect-secure", "Ivanti Connect Secure"},
        {"cpe:/a:pulsesecure:pulse_connect_secure", "ivanti-connect-secure",
         "Pulse Connect Secure"},
        {"cpe:/a:citrix:netscaler", "citrix-netscaler", "Citrix NetScaler"},
        {"cpe:/h:citrix:netscaler", "citrix-netscaler", "Citrix NetScaler"},
        {"cpe:/o:paloaltonetworks:pan-os", "paloalto-panos", "Palo Alto Networks PAN-OS"},
        {"cpe:/o:cisco:adaptive_security_appliance_software", "cisco-asa", "Cisco ASA"},
        {"cpe:/h:cisco:adaptive_security_appliance", "cisco-asa", "Cisco ASA"},
        {"cpe:/o:sonicwall:sonicos", "sonicwall-sonicos", "SonicWall SonicOS"},
        {"cpe:/h:sonicwall:sma", "sonicwall-sma", "SonicWall SMA"},
    };
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        size_t l = strlen(m[i].prefix);
        if (strncmp(cpe, m[i].prefix, l) != 0)
            continue;
        if (!sv->has_appliance) {
            memset(&sv->app, 0, sizeof(sv->app));
            az__scpy(sv->app.family, sizeof(sv->app.family), m[i].family);
            az__scpy(sv->app.product, sizeof(sv->app.product), m[i].product);
            snprintf(sv->app.how, sizeof(sv->app.how), "nmap CPE %.140s", cpe);
            az__scpy(sv->app.confidence, sizeof(sv->app.confidence), "family");
            sv->has_appliance = true;
        }
        if (cpe[l] == ':' && cpe[l + 1] && !*sv->app.version) {
            az__clean_text(sv->app.version, sizeof(sv->app.version),
                           (const unsigned char *)cpe + l + 1, strlen(cpe + l + 1));
            az__scpy(sv->app.confidence, sizeof(sv->app.confidence), "exact");
        }
        return;
    }
}

static int add_ev(struct az_service *sv, const char *probe, const char *text, int64_t at)
{
    struct az_scan_evidence *v = realloc(sv->ev, (sv->nev + 1) * sizeof(*v));
    size_t n = strlen(text);
    if (!v)
        return AZ_ENOMEM;
    sv->ev = v;
    struct az_scan_evidence *e = &sv->ev[sv->nev];
    memset(e, 0, sizeof(*e));
    snprintf(e->probe, sizeof(e->probe), "nmap %.50s", probe);
    e->total = n;
    e->len = n < AZ_SCAN_EVIDENCE_MAX ? n : AZ_SCAN_EVIDENCE_MAX;
    e->data = malloc(e->len ? e->len : 1);
    if (!e->data)
        return AZ_ENOMEM;
    memcpy(e->data, text, e->len);
    az__scpy(e->end, sizeof(e->end), "imported");
    e->start_us = e->end_us = at;
    sv->nev++;
    return 0;
}

/* <elem key="k">value</elem> anywhere under n (first match) */
static bool elem(xmlNode *n, const char *key, char *buf, size_t len)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        char k[64];
        if (is(c, "elem") && attr(c, "key", k, sizeof(k)) && !strcmp(k, key)) {
            xmlChar *v = xmlNodeGetContent(c);
            if (v) {
                az__clean_text(buf, len, v, strlen((const char *)v));
                xmlFree(v);
                return true;
            }
        }
        if (is(c, "table") && elem(c, key, buf, len))
            return true;
    }
    return false;
}

/* <table key="k"> child of n */
static xmlNode *table(xmlNode *n, const char *key)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        char k[64];
        if (is(c, "table") && attr(c, "key", k, sizeof(k)) && !strcmp(k, key))
            return c;
    }
    return NULL;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "2026-01-31T12:00:00" (nmap's ssl-cert) → epoch, or 0 */
static int64_t iso_epoch(const char *s)
{
    struct tm tm;
    if (strlen(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':')
        return 0;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = digits(s, 4) - 1900;
    tm.tm_mon = digits(s + 5, 2) - 1;
    tm.tm_mday = digits(s + 8, 2);
    tm.tm_hour = digits(s + 11, 2);
    tm.tm_min = digits(s + 14, 2);
    tm.tm_sec = digits(s + 17, 2);
    if (tm.tm_year < 0 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
        tm.tm_sec > 60)
        return 0;
    return (int64_t)timegm(&tm);
}

/* Append one field to an RFC 2253 name, escaping what would otherwise
 * end the value (so a value holding "O=Fortinet,OU=..." stays one value);
 * a field that does not fit whole is left out. */
static void dn_append(char *dn, size_t n, size_t *w, const char *attr, const char *v)
{
    char buf[512];
    size_t b = 0;
    b += (size_t)snprintf(buf, sizeof(buf), "%s%s=", *w ? "," : "", attr);
    for (const char *p = v; *p && b + 3 < sizeof(buf); p++) {
        if (strchr(",+\"\\<>;=", *p) || (p == v && (*p == '#' || *p == ' ')))
            buf[b++] = '\\';
        buf[b++] = *p;
    }
    buf[b] = '\0';
    if (*w + b + 1 > n)
        return;
    memcpy(dn + *w, buf, b + 1);
    *w += b;
}

/* An appliance's login path in what nmap saw of a page (a redirect or a
 * title): the same paths the fingerprint data asks for. */
static void appliance_path(struct az_service *sv, const char *text)
{
    static const struct {
        const char *path, *family, *product;
    } m[] = {
        {"/dana-na/", "ivanti-connect-secure", "Ivanti Connect Secure (Pulse Connect Secure)"},
        {"/remote/login", "fortinet-fortios", "Fortinet FortiGate (FortiOS SSL-VPN)"},
        {"/global-protect/", "paloalto-panos", "Palo Alto Networks GlobalProtect (PAN-OS)"},
        {"/vpn/index.html", "citrix-netscaler", "Citrix NetScaler ADC / Gateway"},
        {"/+CSCOE+/", "cisco-asa", "Cisco ASA / FTD (AnyConnect portal)"},
    };
    if (sv->has_appliance)
        return;
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        if (!strstr(text, m[i].path))
            continue;
        memset(&sv->app, 0, sizeof(sv->app));
        az__scpy(sv->app.family, sizeof(sv->app.family), m[i].family);
        az__scpy(sv->app.product, sizeof(sv->app.product), m[i].product);
        snprintf(sv->app.how, sizeof(sv->app.how), "nmap http-title: %s", m[i].path);
        az__scpy(sv->app.confidence, sizeof(sv->app.confidence), "family");
        sv->has_appliance = true;
        return;
    }
}

static int script(struct az_service *sv, xmlNode *sc, int64_t at, const struct az_scan_data *d)
{
    char id[64], out[1024];
    xmlNode *t;

    attr(sc, "id", id, sizeof(id));
    attr(sc, "output", out, sizeof(out));
    if (!strcmp(id, "ssl-cert")) {
        sv->tlsi.done = true;
        if ((t = table(sc, "subject"))) {
            char v[200];
            size_t w = 0;
            static const char *const keys[] = {"commonName", "organizationalUnitName",
                                               "organizationName"};
            static const char *const abbr[] = {"CN", "OU", "O"};
            for (int k = 0; k < 3; k++)
                if (elem(t, keys[k], v, sizeof(v)))
                    dn_append(sv->tlsi.subject, sizeof(sv->tlsi.subject), &w, abbr[k], v);
        }
        if ((t = table(sc, "issuer"))) {
            char v[200];
            size_t w = 0;
            static const char *const keys[] = {"commonName", "organizationalUnitName",
                                               "organizationName"};
            static const char *const abbr[] = {"CN", "OU", "O"};
            for (int k = 0; k < 3; k++)
                if (elem(t, keys[k], v, sizeof(v)))
                    dn_append(sv->tlsi.issuer, sizeof(sv->tlsi.issuer), &w, abbr[k], v);
        }
        if ((t = table(sc, "validity"))) {
            char v[64];
            if (elem(t, "notAfter", v, sizeof(v))) {
                az__scpy(sv->tlsi.not_after, sizeof(sv->tlsi.not_after), v);
                sv->tlsi.not_after_epoch = iso_epoch(v);
            }
            if (elem(t, "notBefore", v, sizeof(v)))
                az__scpy(sv->tlsi.not_before, sizeof(sv->tlsi.not_before), v);
        }
        sv->tlsi.self_signed = *sv->tlsi.subject && !strcmp(sv->tlsi.subject, sv->tlsi.issuer);
        /* a certificate on a database port came through its STARTTLS
         * (PostgreSQL SSLRequest, MySQL CLIENT_SSL): TLS is offered */
        if (!sv->tls && (!strcmp(sv->name, "postgresql") || !strcmp(sv->name, "mysql")))
            sv->tls_offered = AZ_YES;
        az_scan_fingerprint_tls(d, sv);
    } else if (!strcmp(id, "ssl-enum-ciphers")) {
        sv->tlsi.done = true;
        sv->tlsi.tls10 = table(sc, "TLSv1.0") ? AZ_YES : AZ_NO;
        sv->tlsi.tls11 = table(sc, "TLSv1.1") ? AZ_YES : AZ_NO;
        if (table(sc, "TLSv1.3"))
            az__scpy(sv->tlsi.version, sizeof(sv->tlsi.version), "TLSv1.3");
        else if (table(sc, "TLSv1.2"))
            az__scpy(sv->tlsi.version, sizeof(sv->tlsi.version), "TLSv1.2");
    } else if (!strcmp(id, "smb-protocols")) {
        sv->smb1 = strstr(out, "SMBv1") || strstr(out, "NT LM 0.12") ? AZ_YES : AZ_NO;
    } else if (!strcmp(id, "rdp-enum-encryption")) {
        /* "CredSSP (NLA): SUCCESS" with "Native RDP: SUCCESS" or "SSL: SUCCESS"
         * means NLA is offered but not required */
        bool weak = strstr(out, "Native RDP: SUCCESS") || strstr(out, "SSL: SUCCESS") ||
                    strstr(out, "RDSTLS: SUCCESS");
        sv->nla = weak ? AZ_NO : (strstr(out, "CredSSP") ? AZ_YES : AZ_UNKNOWN);
    } else if (!strcmp(id, "mysql-info")) {
        /* the greeting's capability flags, as nmap parsed them */
        if (strstr(out, "Capabilities flags") || strstr(out, "Some Capabilities"))
            sv->tls_offered = strstr(out, "SSL") ? AZ_YES : AZ_NO;
    } else if (!strcmp(id, "vnc-info")) {
        sv->no_auth = strstr(out, "None") ? AZ_YES : AZ_NO;
    } else if (!strcmp(id, "dicom-ping")) {
        if (strstr(out, "DICOM Service Provider discovered") || strstr(out, "Any AET")) {
            az__scpy(sv->name, sizeof(sv->name), "dicom");
            sv->plaintext = sv->tls ? AZ_NO : AZ_YES;
            sv->no_auth = strstr(out, "Any AET is accepted") ? AZ_YES : AZ_NO;
        }
    } else if (!strcmp(id, "http-title")) {
        char v[256], redir[256] = "";
        if (elem(sc, "title", v, sizeof(v)))
            az__scpy(sv->http.title, sizeof(sv->http.title), v);
        else if (!elem(sc, "redirect_url", redir, sizeof(redir)))
            az__scpy(sv->http.title, sizeof(sv->http.title), out);
        if (*redir)
            az__scpy(sv->http.location, sizeof(sv->http.location), redir);
        if (!sv->http.status)
            sv->http.status = *redir ? 302 : 200;
        appliance_path(sv, *redir ? redir : out);
    } else if (!strcmp(id, "http-server-header")) {
        az__scpy(sv->http.server, sizeof(sv->http.server), out);
        az__match_banner(d, "http-server", out, sv);
    } else {
        return 0;
    }
    return add_ev(sv, id, out, at);
}

static int port_node(struct az_scan_host *h, xmlNode *pn, int64_t at, const struct az_scan_data *d)
{
    char buf[256], st[32];
    long port;
    xmlNode *c;
    struct az_service *sv;

    if (!attr(pn, "protocol", buf, sizeof(buf)) || strcmp(buf, "tcp") != 0)
        return 0;
    if (!attr(pn, "portid", buf, sizeof(buf)) || az_parse_long(buf, 1, 65535, &port) < 0)
        return 1; /* malformed */
    st[0] = '\0';
    for (c = pn->children; c; c = c->next)
        if (is(c, "state"))
            attr(c, "state", st, sizeof(st));
    if (strcmp(st, "open") != 0) {
        if (!strcmp(st, "closed"))
            h->nclosed++;
        else if (!strncmp(st, "filtered", 8))
            h->nfiltered++;
        return 0;
    }
    struct az_scan_port *v = realloc(h->ports, (h->nports + 1) * sizeof(*v));
    if (!v)
        return AZ_ENOMEM;
    h->ports = v;
    struct az_scan_port *p = &h->ports[h->nports++];
    memset(p, 0, sizeof(*p));
    p->port = (uint16_t)port;
    p->state = AZ_PORT_OPEN;
    p->reason = AZ_REASON_IMPORTED;
    if (!(sv = calloc(1, sizeof(*sv))))
        return AZ_ENOMEM;
    sv->plaintext = sv->tls_offered = sv->smb1 = sv->nla = sv->no_auth = AZ_UNKNOWN;
    sv->tlsi.tls10 = sv->tlsi.tls11 = AZ_UNKNOWN;
    sv->mssql_encrypt = -1;
    p->svc = sv;
    az__scpy(sv->name, sizeof(sv->name), "unknown");
    for (c = pn->children; c; c = c->next) {
        if (is(c, "service")) {
            char name[64], tun[16], conf[8], method[16];
            long cf = 0;
            attr(c, "tunnel", tun, sizeof(tun));
            sv->tls = !strcmp(tun, "ssl");
            if (attr(c, "name", name, sizeof(name)))
                map_name(sv, name, sv->tls);
            attr(c, "product", sv->product, sizeof(sv->product));
            attr(c, "version", sv->version, sizeof(sv->version));
            attr(c, "extrainfo", sv->info, sizeof(sv->info));
            if (attr(c, "conf", conf, sizeof(conf)))
                (void)az_parse_long(conf, 0, 10, &cf);
            sv->conf = (int)cf;
            attr(c, "method", method, sizeof(method));
            sv->probed = !strcmp(method, "probed");
            for (xmlNode *k = c->children; k; k = k->next)
                if (is(k, "cpe")) {
                    xmlChar *t = xmlNodeGetContent(k);
                    if (t) {
                        char cpe[200];
                        az__clean_text(cpe, sizeof(cpe), t, strlen((const char *)t));
                        xmlFree(t);
                        from_cpe(sv, cpe);
                    }
                }
            if (sv->probed) {
                /* what nmap's own probes saw, in the terms of anzen's facts */
                if (!strcmp(sv->name, "telnet") || !strcmp(sv->name, "ftp"))
                    sv->plaintext = AZ_YES;
                /* nmap's probe matched HL7 outside TLS */
                if (!strcmp(sv->name, "hl7-mllp"))
                    sv->plaintext = sv->tls ? AZ_NO : AZ_YES;
                if (!strcmp(sv->name, "ssh") && !*sv->product)
                    az__match_banner(d, "ssh", sv->info, sv);
            }
        }
    }
    for (c = pn->children; c; c = c->next)
        if (is(c, "script")) {
            int r = script(sv, c, at, d);
            if (r < 0)
                return r;
        }
    return 0;
}

static void host_clear(struct az_scan_host *h)
{
    for (size_t k = 0; k < h->nports; k++) {
        az_service_clear(h->ports[k].svc);
        free(h->ports[k].svc);
    }
    free(h->ports);
    h->ports = NULL;
    h->nports = 0;
}

/*
 * One <host>: 0 and *out filled for a live host, 2 for a host to leave
 * out, 1 for a malformed one, < 0 on error. A host nmap was told to treat
 * as up (-Pn: status reason "user-set") is live only with evidence of
 * life: an open or closed port (a SYN-ACK or a reset); filtered ports
 * are silence, so the network and broadcast addresses and every empty
 * address of a -Pn sweep are left out.
 */
static int host_node(struct az_scan_host *out, xmlNode *hn, int64_t at,
                     const struct az_scan_data *d)
{
    char st[16] = "", why[32] = "", addr[64] = "", type[16] = "";
    struct az_scan_host h;
    bool answered = false;

    memset(&h, 0, sizeof(h));
    for (xmlNode *c = hn->children; c; c = c->next) {
        if (is(c, "status")) {
            attr(c, "state", st, sizeof(st));
            attr(c, "reason", why, sizeof(why));
        } else if (is(c, "address")) {
            char t[16], a[64];
            attr(c, "addrtype", t, sizeof(t));
            attr(c, "addr", a, sizeof(a));
            if (!strcmp(t, "ipv4") || !strcmp(t, "ipv6")) {
                az__scpy(type, sizeof(type), t);
                az__scpy(addr, sizeof(addr), a);
            }
        }
    }
    if (strcmp(st, "up") != 0 || !*addr)
        return 2;
    h.family = !strcmp(type, "ipv6") ? AF_INET6 : AF_INET;
    if (inet_pton(h.family, addr, h.addr) != 1)
        return 1;
    inet_ntop(h.family, h.addr, h.text, sizeof(h.text));
    h.up = true;
    h.up_reason = AZ_REASON_IMPORTED;
    for (xmlNode *c = hn->children; c; c = c->next) {
        if (!is(c, "ports"))
            continue;
        for (xmlNode *p = c->children; p; p = p->next) {
            if (is(p, "port")) {
                int r = port_node(&h, p, at, d);
                if (r) {
                    host_clear(&h);
                    return r;
                }
            } else if (is(p, "extraports")) {
                char stt[32], cnt[16];
                long n = 0;
                attr(p, "state", stt, sizeof(stt));
                if (attr(p, "count", cnt, sizeof(cnt)))
                    (void)az_parse_long(cnt, 0, 1 << 20, &n);
                if (!strcmp(stt, "closed"))
                    h.nclosed += (uint32_t)n;
                else if (!strncmp(stt, "filtered", 8))
                    h.nfiltered += (uint32_t)n;
            }
        }
    }
    answered = h.nports > 0 || h.nclosed > 0;
    if (!strcmp(why, "user-set") && !answered) {
        host_clear(&h);
        return 2;
    }
    /* host scripts about SMB belong to the SMB port */
    for (xmlNode *c = hn->children; c; c = c->next) {
        if (!is(c, "hostscript"))
            continue;
        for (xmlNode *sc = c->children; sc; sc = sc->next) {
            char id[64];
            if (!is(sc, "script") || !attr(sc, "id", id, sizeof(id)) || strncmp(id, "smb", 3) != 0)
                continue;
            for (size_t k = 0; k < h.nports; k++)
                if (h.ports[k].port == 445 || h.ports[k].port == 139) {
                    int r = script(h.ports[k].svc, sc, at, d);
                    if (r < 0) {
                        host_clear(&h);
                        return r;
                    }
                    break;
                }
        }
    }
    *out = h;
    return 0;
}

static int cmp_host(const void *a, const void *b)
{
    const struct az_scan_host *x = a, *y = b;
    if (x->family != y->family)
        return x->family == AF_INET ? -1 : 1;
    return memcmp(x->addr, y->addr, x->family == AF_INET6 ? 16 : 4);
}

static int cmp_port(const void *a, const void *b)
{
    const struct az_scan_port *x = a, *y = b;
    return (int)x->port - (int)y->port;
}

/* The host array grows by doubling (a 50 MB file holds ~100 000 hosts). */
static int push_host(struct az_scan *s, size_t *cap, const struct az_scan_host *h)
{
    if (s->nhosts == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        struct az_scan_host *v = realloc(s->hosts, nc * sizeof(*v));
        if (!v)
            return AZ_ENOMEM;
        s->hosts = v;
        *cap = nc;
    }
    s->hosts[s->nhosts++] = *h;
    return 0;
}

static int xml_error(struct az_ctx *ctx, const char *name, xmlTextReaderPtr rd)
{
    const xmlError *e = xmlGetLastError();
    int line = e && e->line ? e->line : xmlTextReaderGetParserLineNumber(rd);
    int col = e && e->int2 ? e->int2 : xmlTextReaderGetParserColumnNumber(rd);
    int r = az_fail(ctx, AZ_ESYNTAX, "%s:%d:%d: XML として読めません: %s",
                    "%s:%d:%d: not well-formed XML: %s", name, line, col,
                    e && e->message ? e->message : "?");
    /* drop libxml2's trailing newline */
    size_t n = strlen(ctx->errmsg);
    if (n && ctx->errmsg[n - 1] == '\n')
        ctx->errmsg[n - 1] = '\0';
    xmlResetLastError();
    return r;
}

/*
 * A streaming read (xmlTextReader): only one <host> subtree is in memory
 * at a time, expanded, mapped and freed as the reader moves on, so a
 * 50 MB file needs tens of megabytes, not a whole DOM.
 */
int az_scan_import_nmap(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                        const char *from, const struct az_scan_data *d, struct az_scan **ret)
{
    xmlTextReaderPtr rd;
    struct az_scan *s;
    char buf[256];
    size_t cap = 0;
    bool root = false;
    int r = 0, k;

    if (len > NMAP_MAX_INPUT)
        return az_fail(ctx, AZ_ERANGE, "%s: ファイルが大きすぎます (上限 64 MiB)",
                       "%s: file too large (limit 64 MiB)", name);
    xmlResetLastError();
    rd = xmlReaderForMemory(data, (int)len, name, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!rd)
        return AZ_ENOMEM;
    if (!(s = calloc(1, sizeof(*s)))) {
        xmlFreeTextReader(rd);
        return AZ_ENOMEM;
    }
    s->imported = true;
    s->finished = true;
    s->data = d;
    az__scpy(s->source, sizeof(s->source), "nmap-xml");
    if (from && !(s->from = strdup(from)))
        goto nomem;
    s->o.from = s->from;
    k = xmlTextReaderRead(rd);
    while (k == 1) {
        int type = xmlTextReaderNodeType(rd), depth = xmlTextReaderDepth(rd);
        const char *nm = (const char *)xmlTextReaderConstName(rd);
        if (type != XML_READER_TYPE_ELEMENT || !nm) {
            k = xmlTextReaderRead(rd);
            continue;
        }
        if (depth == 0) {
            if (strcmp(nm, "nmaprun") != 0)
                break;
            root = true;
            xmlChar *v = xmlTextReaderGetAttribute(rd, (const xmlChar *)"start");
            long st = 0;
            if (v) {
                az__clean_text(buf, sizeof(buf), v, strlen((const char *)v));
                (void)az_parse_long(buf, 0, 4102444800L, &st);
                xmlFree(v);
            }
            s->stats.start_us = (int64_t)st * 1000000;
            s->stats.end_us = s->stats.start_us;
            k = xmlTextReaderRead(rd);
            continue;
        }
        if (depth != 1 || (strcmp(nm, "host") != 0 && strcmp(nm, "scaninfo") != 0 &&
                           strcmp(nm, "runstats") != 0)) {
            k = xmlTextReaderRead(rd);
            continue;
        }
        int line = xmlTextReaderGetParserLineNumber(rd);
        xmlNode *c = xmlTextReaderExpand(rd);
        if (!c)
            break; /* the subtree is not well-formed: reported below */
        if (is(c, "scaninfo") && attr(c, "services", buf, sizeof(buf)) && !s->nports) {
            struct az_ctx tmp;
            az_ctx_init(&tmp, ctx->lang);
            if (az_ports_parse(&tmp, buf, &s->ports, &s->nports) < 0) {
                s->ports = NULL;
                s->nports = 0;
            }
        } else if (is(c, "host")) {
            struct az_scan_host h;
            int hr = host_node(&h, c, s->stats.start_us, d);
            if (hr < 0)
                goto nomem;
            if (hr == 1) {
                r = az_fail(ctx, AZ_ESCHEMA, "%s:%d: host または port の値が不正です",
                            "%s:%d: invalid host or port value", name, line);
                goto fail;
            }
            if (hr == 0 && push_host(s, &cap, &h) < 0) {
                host_clear(&h);
                goto nomem;
            }
        } else if (is(c, "runstats")) {
            for (xmlNode *x = c->children; x; x = x->next) {
                long t = 0;
                if (is(x, "finished") && attr(x, "time", buf, sizeof(buf))) {
                    (void)az_parse_long(buf, 0, 4102444800L, &t);
                    s->stats.end_us = (int64_t)t * 1000000;
                } else if (is(x, "hosts") && attr(x, "total", buf, sizeof(buf))) {
                    (void)az_parse_long(buf, 0, 1L << 30, &t);
                    s->stats.addresses = (uint64_t)t;
                }
            }
        }
        k = xmlTextReaderNext(rd);
    }
    if (k < 0 || (k == 1 && root)) {
        r = xml_error(ctx, name, rd);
        goto fail;
    }
    if (!root) {
        r = az_fail(ctx, AZ_ESCHEMA, "%s: nmap の XML (nmaprun) ではありません",
                    "%s: not an nmap XML result (no nmaprun element)", name);
        goto fail;
    }
    if (s->nhosts)
        qsort(s->hosts, s->nhosts, sizeof(*s->hosts), cmp_host);
    for (size_t i = 0; i < s->nhosts; i++) {
        struct az_scan_host *h = &s->hosts[i];
        if (h->nports)
            qsort(h->ports, h->nports, sizeof(*h->ports), cmp_port);
        s->stats.open += h->nports;
        s->stats.closed += h->nclosed;
        s->stats.filtered += h->nfiltered;
    }
    s->stats.hosts_up = s->nhosts;
    xmlFreeTextReader(rd);
    *ret = s;
    return 0;
nomem:
    r = AZ_ENOMEM;
fail:
    xmlFreeTextReader(rd);
    az_scan_free(s);
    return r;
}
