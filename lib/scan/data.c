/* SPDX-License-Identifier: MIT */
/*
 * data.c - the scanner's data files (data/scan/ports.yaml and
 * fingerprints.yaml), embedded at build time like the catalogs: port
 * lists, the port table, appliance fingerprints and banner patterns.
 * Loaded through the common YAML loader and checked with file:line:col
 * errors; every regular expression is compiled at load time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/doc.h"
#include "scan_internal.h"

extern const struct az_file_blob az_embedded_scan[];
extern const size_t az_embedded_scan_n;

static int load_ports(struct av *v, const char *spec, const json_t *node, const char *key,
                      uint16_t **ret, size_t *ret_n)
{
    struct az_ctx tmp;
    az_ctx_init(&tmp, v->ctx->lang);
    if (az_ports_parse(&tmp, spec, ret, ret_n) < 0) {
        av_err(v, node, key, "%s", "%s", az_errmsg(&tmp));
        return -1;
    }
    return 0;
}

static bool compile(struct av *v, const json_t *obj, const char *key, regex_t *re)
{
    const char *s = av_str(v, obj, key, false);
    int e;
    if (!s)
        return false;
    if ((e = regcomp(re, s, REG_EXTENDED | REG_ICASE | REG_NEWLINE))) {
        char msg[128];
        regerror(e, re, msg, sizeof(msg));
        av_err(v, obj, key, "正規表現が不正です: %s", "invalid regular expression: %s", msg);
        return false;
    }
    return true;
}

/* A certificate pattern: "ATTR=regex" is the attribute and a regex that
 * must match the whole value; anything else searches one value. */
static bool compile_dn(struct av *v, const json_t *obj, const char *key, regex_t *re, char *attr,
                       size_t attrn)
{
    const char *s = av_str(v, obj, key, false);
    size_t n = 0;
    int e;
    char *pat;
    attr[0] = '\0';
    if (!s)
        return false;
    while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
           (n && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.')))
        n++;
    if (n && s[n] == '=' && n < attrn) {
        memcpy(attr, s, n);
        attr[n] = '\0';
        size_t l = strlen(s + n + 1);
        if (!(pat = malloc(l + 5)))
            return false;
        memcpy(pat, "^(", 2);
        memcpy(pat + 2, s + n + 1, l);
        memcpy(pat + 2 + l, ")$", 3);
    } else if (!(pat = strdup(s))) {
        return false;
    }
    e = regcomp(re, pat, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
    free(pat);
    if (e) {
        char msg[128];
        regerror(e, re, msg, sizeof(msg));
        av_err(v, obj, key, "正規表現が不正です: %s", "invalid regular expression: %s", msg);
        return false;
    }
    return true;
}

static void parse_ports_doc(struct av *v, struct az_scan_data *d, json_t *root)
{
    static const char *const top[] = {"anzen-scan-ports", "version",  "default", "discovery",
                                      "never-probe",      "services", NULL};
    static const char *const svc[] = {"port", "name", NULL};
    const char *s;
    json_t *list, *x;
    size_t i;

    if (!av_header(v, root, top, "ports.yaml", "anzen-scan-ports"))
        return;
    d->version = av_str(v, root, "version", true);
    if ((s = av_str(v, root, "default", true)))
        (void)load_ports(v, s, root, "default", &d->ports, &d->nports);
    if ((s = av_str(v, root, "discovery", true))) {
        (void)load_ports(v, s, root, "discovery", &d->discovery, &d->ndiscovery);
        /* keep the written order: most likely to answer first */
        if (d->discovery) {
            size_t n = 0;
            const char *p = s;
            while (*p && n < d->ndiscovery) {
                long x2;
                char tok[16];
                size_t m = strcspn(p, ",");
                if (m < sizeof(tok)) {
                    memcpy(tok, p, m);
                    tok[m] = '\0';
                    if (!az_parse_long(tok, 1, 65535, &x2))
                        d->discovery[n++] = (uint16_t)x2;
                }
                p += m;
                if (*p == ',')
                    p++;
            }
            d->ndiscovery = n;
        }
    }
    if ((s = av_str(v, root, "never-probe", false)))
        (void)load_ports(v, s, root, "never-probe", &d->never, &d->nnever);
    list = av_list(v, root, "services", true);
    if (list) {
        d->names = calloc(json_array_size(list) + 1, sizeof(*d->names));
        if (!d->names)
            return;
        json_array_foreach(list, i, x)
        {
            long port;
            const char *ps, *name;
            if (!av_object(v, x, svc, "services"))
                continue;
            ps = av_str(v, x, "port", true);
            name = av_str(v, x, "name", true);
            if (!ps || !name)
                continue;
            if (az_parse_long(ps, 1, 65535, &port) < 0) {
                av_err(v, x, "port", "ポート番号が不正です: \"%s\"", "invalid port: \"%s\"", ps);
                continue;
            }
            d->names[d->nnames].port = (uint16_t)port;
            d->names[d->nnames].name = name;
            d->nnames++;
        }
    }
}

static int add_path(struct az_scan_data *d, const char *p)
{
    for (size_t i = 0; i < d->npaths; i++)
        if (!strcmp(d->paths[i], p))
            return 0;
    const char **v = realloc(d->paths, (d->npaths + 1) * sizeof(*v));
    if (!v)
        return AZ_ENOMEM;
    d->paths = v;
    d->paths[d->npaths++] = p;
    return 0;
}

static void parse_fp_doc(struct av *v, struct az_scan_data *d, json_t *root)
{
    static const char *const top[] = {"anzen-scan-fingerprints", "version", "appliances", "banners",
                                      NULL};
    static const char *const app_keys[] = {"id", "family", "product", "match", "version", NULL};
    static const char *const rule_keys[] = {"path",         "status",      "header", "body",
                                            "cert-subject", "cert-issuer", NULL};
    static const char *const ver_keys[] = {"path", "kind", "regex", "where", NULL};
    static const char *const ban_keys[] = {"service", "regex",  "product",
                                           "version", "family", NULL};
    json_t *apps, *bans, *x, *y;
    size_t i, k;

    if (!av_header(v, root, top, "fingerprints.yaml", "anzen-scan-fingerprints"))
        return;
    (void)av_str(v, root, "version", true);
    if (add_path(d, "/") < 0)
        return;
    apps = av_list(v, root, "appliances", true);
    if (apps) {
        d->apps = calloc(json_array_size(apps) + 1, sizeof(*d->apps));
        if (!d->apps)
            return;
        json_array_foreach(apps, i, x)
        {
            struct az_fp_appliance *a = &d->apps[d->napps];
            json_t *rules, *vers;
            if (!av_object(v, x, app_keys, "appliances"))
                continue;
            a->id = av_str(v, x, "id", true);
            a->family = av_str(v, x, "family", true);
            a->product = av_str(v, x, "product", true);
            rules = av_list(v, x, "match", true);
            vers = av_list(v, x, "version", false);
            if (!a->id || !a->family || !a->product || !rules)
                continue;
            d->napps++;
            a->rules = calloc(json_array_size(rules) + 1, sizeof(*a->rules));
            a->versions = calloc(json_array_size(vers) + 1, sizeof(*a->versions));
            if (!a->rules || !a->versions)
                return;
            json_array_foreach(rules, k, y)
            {
                struct az_fp_rule *r = &a->rules[a->nrules];
                const char *st;
                if (!av_object(v, y, rule_keys, "match"))
                    continue;
                r->path = av_str(v, y, "path", false);
                if ((st = av_str(v, y, "status", false))) {
                    long n;
                    if (az_parse_long(st, 100, 599, &n) < 0)
                        av_err(v, y, "status", "HTTP の状態コードが不正です",
                               "invalid HTTP status");
                    r->status = (int)n;
                }
                r->has_header = compile(v, y, "header", &r->header);
                r->has_body = compile(v, y, "body", &r->body);
                r->has_subject = compile_dn(v, y, "cert-subject", &r->subject, r->subject_attr,
                                            sizeof(r->subject_attr));
                r->has_issuer = compile_dn(v, y, "cert-issuer", &r->issuer, r->issuer_attr,
                                           sizeof(r->issuer_attr));
                a->nrules++;
                if (!r->path && (r->has_header || r->has_body || r->status))
                    av_err(v, y, NULL, "HTTP の条件には path が必要です",
                           "HTTP conditions need a path");
                if (!r->has_header && !r->has_body && !r->has_subject && !r->has_issuer &&
                    !r->status)
                    av_err(v, y, NULL, "条件がありません", "a rule without conditions");
                if (r->path && (r->path[0] != '/' || strstr(r->path, "..")))
                    av_err(v, y, "path", "path は / で始まり .. を含まないこと",
                           "path must start with / and contain no ..");
                else if (r->path && add_path(d, r->path) < 0)
                    return;
            }
            json_array_foreach(vers, k, y)
            {
                struct az_fp_version *fv = &a->versions[a->nversions];
                const char *kind, *where;
                if (!av_object(v, y, ver_keys, "version"))
                    continue;
                fv->path = av_str(v, y, "path", true);
                kind = av_str(v, y, "kind", true);
                if (!fv->path || !kind)
                    continue;
                if (fv->path[0] != '/' || strstr(fv->path, "..")) {
                    av_err(v, y, "path", "path は / で始まり .. を含まないこと",
                           "path must start with / and contain no ..");
                    continue;
                }
                if (!strcmp(kind, "etag-epoch"))
                    fv->kind = AZ_FPV_ETAG_EPOCH;
                else if (!strcmp(kind, "gzip-mtime"))
                    fv->kind = AZ_FPV_GZIP_MTIME;
                else if (!strcmp(kind, "regex"))
                    fv->kind = AZ_FPV_REGEX;
                else {
                    av_err(v, y, "kind", "未知の kind \"%s\" (etag-epoch, gzip-mtime, regex)",
                           "unknown kind \"%s\" (etag-epoch, gzip-mtime, regex)", kind);
                    continue;
                }
                where = av_str(v, y, "where", false);
                fv->in_headers = where && !strcmp(where, "headers");
                fv->has_re = compile(v, y, "regex", &fv->re);
                if (fv->kind == AZ_FPV_REGEX && !fv->has_re)
                    av_err(v, y, NULL, "kind: regex には regex が必要です",
                           "kind regex needs a regex");
                a->nversions++;
            }
        }
    }
    bans = av_list(v, root, "banners", false);
    if (bans) {
        d->banners = calloc(json_array_size(bans) + 1, sizeof(*d->banners));
        if (!d->banners)
            return;
        json_array_foreach(bans, i, x)
        {
            struct az_fp_banner *b = &d->banners[d->nbanners];
            const char *vg;
            if (!av_object(v, x, ban_keys, "banners"))
                continue;
            b->service = av_str(v, x, "service", true);
            b->product = av_str(v, x, "product", true);
            b->family = av_str(v, x, "family", false);
            if ((vg = av_str(v, x, "version", false))) {
                long n;
                if (az_parse_long(vg, 1, 9, &n) < 0)
                    av_err(v, x, "version", "version はグループ番号 (1〜9) です",
                           "version is a group number (1-9)");
                b->version_group = (int)n;
            }
            if (!b->service || !b->product || !av_str(v, x, "regex", true) ||
                !compile(v, x, "regex", &b->re))
                continue;
            d->nbanners++;
        }
    }
}

int az_scan_data_load(struct az_ctx *ctx, const char *dir, struct az_scan_data **ret)
{
    static const char *const names[2] = {"ports.yaml", "fingerprints.yaml"};
    struct az_scan_data *d = calloc(1, sizeof(*d));
    int r = 0;

    if (!d)
        return AZ_ENOMEM;
    for (int i = 0; i < 2; i++) {
        struct az_doc *doc = NULL;
        struct av v;
        if (dir) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            r = az_doc_load_file(ctx, path, &doc);
        } else {
            const struct az_file_blob *b = NULL;
            char want[64];
            snprintf(want, sizeof(want), "embedded:%s", names[i]);
            for (size_t k = 0; k < az_embedded_scan_n; k++)
                if (!strcmp(az_embedded_scan[k].name, want))
                    b = &az_embedded_scan[k];
            if (!b) {
                r = az_fail(ctx, AZ_ENOTFOUND, "組み込みの %s がありません", "embedded %s missing",
                            names[i]);
                break;
            }
            r = az_doc_load(ctx, b->name, b->data, b->len, &doc);
        }
        if (r < 0)
            break;
        d->docs[i] = doc;
        av_init(&v, ctx, doc, 20);
        if (i == 0)
            parse_ports_doc(&v, d, az_doc_root(doc));
        else
            parse_fp_doc(&v, d, az_doc_root(doc));
        if ((r = av_finish(&v)) < 0)
            break;
    }
    if (r < 0) {
        az_scan_data_free(d);
        return r;
    }
    *ret = d;
    return 0;
}

void az_scan_data_free(struct az_scan_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->napps; i++) {
        struct az_fp_appliance *a = &d->apps[i];
        for (size_t k = 0; k < a->nrules; k++) {
            if (a->rules[k].has_header)
                regfree(&a->rules[k].header);
            if (a->rules[k].has_body)
                regfree(&a->rules[k].body);
            if (a->rules[k].has_subject)
                regfree(&a->rules[k].subject);
            if (a->rules[k].has_issuer)
                regfree(&a->rules[k].issuer);
        }
        for (size_t k = 0; k < a->nversions; k++)
            if (a->versions[k].has_re)
                regfree(&a->versions[k].re);
        free(a->rules);
        free(a->versions);
    }
    free(d->apps);
    for (size_t i = 0; i < d->nbanners; i++)
        regfree(&d->banners[i].re);
    free(d->banners);
    free(d->names);
    free(d->ports);
    free(d->discovery);
    free(d->never);
    free(d->paths);
    az_doc_free(d->docs[0]);
    az_doc_free(d->docs[1]);
    free(d);
}

const uint16_t *az_scan_data_ports(const struct az_scan_data *d, size_t *ret_n)
{
    *ret_n = d->nports;
    return d->ports;
}

const uint16_t *az_scan_data_discovery(const struct az_scan_data *d, size_t *ret_n)
{
    *ret_n = d->ndiscovery;
    return d->discovery;
}

const char *az_scan_data_version(const struct az_scan_data *d)
{
    return d->version ? d->version : "";
}

size_t az_scan_data_paths(const struct az_scan_data *d, const char *const **ret)
{
    *ret = d->paths;
    return d->npaths;
}

const char *az__port_name(const struct az_scan_data *d, uint16_t port)
{
    for (size_t i = 0; d && i < d->nnames; i++)
        if (d->names[i].port == port)
            return d->names[i].name;
    return NULL;
}

bool az__never_probe(const struct az_scan_data *d, uint16_t port)
{
    for (size_t i = 0; d && i < d->nnever; i++)
        if (d->never[i] == port)
            return true;
    return false;
}
