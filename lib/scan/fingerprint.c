/* SPDX-License-Identifier: MIT */
/*
 * fingerprint.c - match HTTP responses, certificates and banners against
 * the fingerprint data (data/scan/fingerprints.yaml): which remote-access
 * appliance answers, and its version or build date when it reveals one.
 *
 * Build times are read from an ETag whose last 8 hex digits are a Unix
 * time (FortiOS, older PAN-OS) or from the MTIME field of a gzip file
 * (NetScaler). A build date says "not newer than this build", which is
 * enough to ask the vendor; it is never reported as a version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scan_internal.h"

#define BODY_MAX (256u * 1024u)

/* A NUL-terminated copy with NULs replaced, for regexec. */
static char *cstr(const unsigned char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = p[i] ? (char)p[i] : ' ';
    s[n] = '\0';
    return s;
}

static size_t hdr_len(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\n' && p[i + 1] == '\n')
            return i + 2;
        if (i + 3 < len && !memcmp(p + i, "\r\n\r\n", 4))
            return i + 4;
    }
    return len;
}

static bool epoch_date(uint64_t t, char *out, size_t n)
{
    /* plausible build times only: 2010 to 2040 */
    if (t < 1262304000u || t > 2208988800u)
        return false;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(out, n, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
    return true;
}

static void set_app(struct az_service *svc, const struct az_fp_appliance *a, const char *how)
{
    if (svc->has_appliance && strcmp(svc->app.family, a->family) != 0)
        return; /* first identification wins */
    if (!svc->has_appliance) {
        memset(&svc->app, 0, sizeof(svc->app));
        az__scpy(svc->app.family, sizeof(svc->app.family), a->family);
        az__scpy(svc->app.product, sizeof(svc->app.product), a->product);
        az__scpy(svc->app.how, sizeof(svc->app.how), how);
        snprintf(svc->app.confidence, sizeof(svc->app.confidence), "family");
        svc->has_appliance = true;
    }
}

static void version_from(const struct az_fp_appliance *a, const char *path,
                         const unsigned char *resp, size_t len, size_t hl, const char *hdrs,
                         const char *body, struct az_service *svc)
{
    for (size_t k = 0; k < a->nversions; k++) {
        const struct az_fp_version *v = &a->versions[k];
        if (strcmp(v->path, path) != 0)
            continue;
        if (v->kind == AZ_FPV_ETAG_EPOCH && hdrs) {
            const char *e = strcasestr(hdrs, "\netag:");
            if (!e)
                continue;
            e += 6;
            const char *end = e;
            while (*end && *end != '\r' && *end != '\n')
                end++;
            /* last run of 8 hex digits in the value */
            const char *q = end;
            while (q > e && !strchr("0123456789abcdefABCDEF", q[-1]))
                q--;
            const char *r = q;
            while (r > e && strchr("0123456789abcdefABCDEF", r[-1]) && q - r < 8)
                r--;
            if (q - r == 8) {
                char hex[9];
                memcpy(hex, r, 8);
                hex[8] = '\0';
                uint64_t t = strtoull(hex, NULL, 16);
                if (epoch_date(t, svc->app.build_date, sizeof(svc->app.build_date))) {
                    snprintf(svc->app.confidence, sizeof(svc->app.confidence), "build-date");
                    size_t l = strlen(svc->app.how);
                    snprintf(svc->app.how + l, sizeof(svc->app.how) - l, "; ETag of %s", path);
                }
            }
        } else if (v->kind == AZ_FPV_GZIP_MTIME) {
            const unsigned char *b = resp + hl;
            if (len - hl >= 10 && b[0] == 0x1f && b[1] == 0x8b) {
                uint64_t t = (uint64_t)b[4] | (uint64_t)b[5] << 8 | (uint64_t)b[6] << 16 |
                             (uint64_t)b[7] << 24;
                if (epoch_date(t, svc->app.build_date, sizeof(svc->app.build_date))) {
                    snprintf(svc->app.confidence, sizeof(svc->app.confidence), "build-date");
                    size_t l = strlen(svc->app.how);
                    snprintf(svc->app.how + l, sizeof(svc->app.how) - l, "; gzip time of %s", path);
                }
            }
        } else if (v->kind == AZ_FPV_REGEX && v->has_re) {
            regmatch_t m[2];
            const char *subj = v->in_headers ? hdrs : body;
            if (subj && !regexec(&v->re, subj, 2, m, 0) && m[1].rm_so >= 0) {
                az__clean_text(svc->app.version, sizeof(svc->app.version),
                               (const unsigned char *)subj + m[1].rm_so,
                               (size_t)(m[1].rm_eo - m[1].rm_so));
                snprintf(svc->app.confidence, sizeof(svc->app.confidence), "exact");
                size_t l = strlen(svc->app.how);
                snprintf(svc->app.how + l, sizeof(svc->app.how) - l, "; version from %s", path);
            }
        }
    }
}

void az_scan_fingerprint_http(const struct az_scan_data *d, const char *path,
                              const unsigned char *resp, size_t len, struct az_service *svc)
{
    struct az_http_info h;
    size_t hl;
    char *hdrs = NULL, *body = NULL;

    if (!d || !az_parse_http(resp, len, &h))
        return;
    if (!strcmp(path, "/") || !svc->http.status)
        svc->http = h;
    if (len > BODY_MAX)
        len = BODY_MAX;
    hl = hdr_len(resp, len);
    hdrs = cstr(resp, hl);
    body = cstr(resp + hl, len - hl);
    if (!hdrs || !body)
        goto out;
    /* error pages echo the requested path: it must never be the proof */
    if (strlen(path) > 1) {
        const char *needle = path + 1;
        size_t nl = strlen(needle);
        for (char *q = strstr(body, needle); q; q = strstr(q + nl, needle))
            memset(q, ' ', nl);
    }
    if (*h.server)
        az__match_banner(d, "http-server", h.server, svc);
    for (size_t i = 0; i < d->napps; i++) {
        const struct az_fp_appliance *a = &d->apps[i];
        for (size_t k = 0; k < a->nrules; k++) {
            const struct az_fp_rule *r = &a->rules[k];
            char how[160];
            if (!r->path || strcmp(r->path, path) != 0)
                continue;
            if (r->status && r->status != h.status)
                continue;
            if (r->has_header && regexec(&r->header, hdrs, 0, NULL, 0))
                continue;
            if (r->has_body && regexec(&r->body, body, 0, NULL, 0))
                continue;
            if (r->has_subject && !az__dn_match(svc->tlsi.subject, r->subject_attr, &r->subject))
                continue;
            if (r->has_issuer && !az__dn_match(svc->tlsi.issuer, r->issuer_attr, &r->issuer))
                continue;
            snprintf(how, sizeof(how), "GET %s (%d)", path, h.status);
            set_app(svc, a, how);
        }
        if (svc->has_appliance && !strcmp(svc->app.family, a->family))
            version_from(a, path, resp, len, hl, hdrs, body, svc);
    }
out:
    free(hdrs);
    free(body);
}

/*
 * RFC 2253 text is "ATTR=value" fields separated by ',' (or '+' inside
 * one RDN), with '\\' escaping a special character or two hex digits.
 * Each field is unescaped before it is matched, so a value that merely
 * contains "O=Fortinet" (O="O=Fortinet,OU=FortiGate") is one O field
 * with that odd value, never an O field of Fortinet.
 */
bool az__dn_match(const char *dn, const char *attr, const regex_t *re)
{
    size_t n = strlen(dn);
    char *val = malloc(n + 1);
    bool hit = false;
    const char *p = dn;
    if (!val)
        return false;
    while (*p && !hit) {
        const char *eq = p;
        while (*eq && *eq != '=' && *eq != ',' && *eq != '+')
            eq++;
        if (*eq != '=') {
            p = *eq ? eq + 1 : eq;
            continue;
        }
        size_t al = (size_t)(eq - p), w = 0;
        const char *q = eq + 1;
        while (*q && *q != ',' && *q != '+') {
            if (*q == '\\' && q[1]) {
                static const char hex[] = "0123456789abcdef0123456789ABCDEF";
                const char *h1 = strchr(hex, q[1]), *h2 = q[2] ? strchr(hex, q[2]) : NULL;
                if (h1 && h2 && *h1 && *h2) {
                    val[w++] = (char)((((h1 - hex) & 15) << 4) | ((h2 - hex) & 15));
                    q += 3;
                } else {
                    val[w++] = q[1];
                    q += 2;
                }
                continue;
            }
            val[w++] = *q++;
        }
        val[w] = '\0';
        if ((!*attr || (strlen(attr) == al && !strncasecmp(attr, p, al))) &&
            regexec(re, val, 0, NULL, 0) == 0)
            hit = true;
        p = *q ? q + 1 : q;
    }
    free(val);
    return hit;
}

void az_scan_fingerprint_tls(const struct az_scan_data *d, struct az_service *svc)
{
    if (!d || !svc->tlsi.done)
        return;
    for (size_t i = 0; i < d->napps; i++) {
        const struct az_fp_appliance *a = &d->apps[i];
        for (size_t k = 0; k < a->nrules; k++) {
            const struct az_fp_rule *r = &a->rules[k];
            if (r->path || (!r->has_subject && !r->has_issuer))
                continue;
            if (r->has_subject && !az__dn_match(svc->tlsi.subject, r->subject_attr, &r->subject))
                continue;
            if (r->has_issuer && !az__dn_match(svc->tlsi.issuer, r->issuer_attr, &r->issuer))
                continue;
            set_app(svc, a, "TLS certificate");
        }
    }
}

void az__match_banner(const struct az_scan_data *d, const char *service, const char *text,
                      struct az_service *svc)
{
    for (size_t i = 0; d && i < d->nbanners; i++) {
        const struct az_fp_banner *b = &d->banners[i];
        regmatch_t m[10];
        if (strcmp(b->service, service) != 0 || regexec(&b->re, text, 10, m, 0) != 0)
            continue;
        if (!*svc->product)
            az__scpy(svc->product, sizeof(svc->product), b->product);
        if (b->version_group && m[b->version_group].rm_so >= 0 && !*svc->version)
            az__clean_text(svc->version, sizeof(svc->version),
                           (const unsigned char *)text + m[b->version_group].rm_so,
                           (size_t)(m[b->version_group].rm_eo - m[b->version_group].rm_so));
        if (b->family && !svc->has_appliance) {
            memset(&svc->app, 0, sizeof(svc->app));
            az__scpy(svc->app.family, sizeof(svc->app.family), b->family);
            az__scpy(svc->app.product, sizeof(svc->app.product), b->product);
            snprintf(svc->app.how, sizeof(svc->app.how), "%s banner", service);
            snprintf(svc->app.confidence, sizeof(svc->app.confidence), "family");
            svc->has_appliance = true;
        }
        return;
    }
}
