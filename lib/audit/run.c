/* SPDX-License-Identifier: MIT */
/*
 * run.c - running the audit rules on a host, the result document
 * (anzen-audit/1), exceptions, the workspace's results joined to the
 * ledger, and the report section (audit.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anzen/audit.h"
#include "anzen/catalog.h"
#include "anzen/doc.h"
#include "anzen/finding.h"
#include "anzen/ledger.h"
#include "anzen/util.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The first line of a file under root, or NULL. */
static char *first_line(const char *root, const char *path)
{
    char *full = az_fmt("%s%s", strcmp(root, "/") ? root : "", path), *out = NULL;
    FILE *f = full ? fopen(full, "re") : NULL;
    char buf[512];

    if (f && fgets(buf, sizeof(buf), f)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        if (buf[0] && az_utf8_invalid_at(buf, strlen(buf)) == (size_t)-1)
            out = az_fmt("%s", buf);
    }
    if (f)
        fclose(f);
    free(full);
    return out;
}

/* Who this Linux host is: name, addresses (live only), MACs, OS. */
static json_t *linux_host(const struct az_audit_src *src)
{
    const char *root = src->root && *src->root ? src->root : "/";
    bool live = !strcmp(root, "/");
    json_t *h = json_object(), *ips = json_array(), *macs = json_array();
    char *name = first_line(root, "/etc/hostname"), *os = NULL, *dir;
    char hn[256];
    DIR *d;
    struct dirent *e;

    if (live && gethostname(hn, sizeof(hn)) == 0) {
        hn[sizeof(hn) - 1] = '\0';
        free(name);
        name = az_fmt("%s", hn);
    }
    json_object_set_new(h, "name", json_string(name && *name ? name : "localhost"));
    free(name);
    /* the OS from os-release */
    if ((dir = az_fmt("%s/etc/os-release", live ? "" : root))) {
        FILE *f = fopen(dir, "re");
        char buf[512];
        while (f && fgets(buf, sizeof(buf), f))
            if (!strncmp(buf, "PRETTY_NAME=", 12)) {
                char *v = buf + 12;
                v[strcspn(v, "\r\n")] = '\0';
                if (*v == '"') {
                    v++;
                    v[strcspn(v, "\"")] = '\0';
                }
                os = az_fmt("%s", v);
            }
        if (f)
            fclose(f);
        free(dir);
    }
    if (os && az_utf8_invalid_at(os, strlen(os)) == (size_t)-1)
        json_object_set_new(h, "os", json_string(os));
    free(os);
    if ((dir = az_fmt("%s/sys/class/net", live ? "" : root)) && (d = opendir(dir))) {
        while ((e = readdir(d))) {
            char *p, *mac;
            if (e->d_name[0] == '.' || !strcmp(e->d_name, "lo"))
                continue;
            if (!(p = az_fmt("/sys/class/net/%s/address", e->d_name)))
                break;
            mac = first_line(root, p);
            if (mac && strcmp(mac, "00:00:00:00:00:00"))
                json_array_append_new(macs, json_string(mac));
            free(mac);
            free(p);
        }
        closedir(d);
    }
    free(dir);
    if (live) {
        struct ifaddrs *ifa, *a;
        if (getifaddrs(&ifa) == 0) {
            for (a = ifa; a; a = a->ifa_next) {
                char addr[NI_MAXHOST];
                if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK) ||
                    (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
                    continue;
                if (getnameinfo(a->ifa_addr,
                                a->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                                                  : sizeof(struct sockaddr_in6),
                                addr, sizeof(addr), NULL, 0, NI_NUMERICHOST) == 0 &&
                    strncmp(addr, "fe80", 4))
                    json_array_append_new(ips, json_string(addr));
            }
            freeifaddrs(ifa);
        }
    }
    json_object_set_new(h, "ips", ips);
    json_object_set_new(h, "macs", macs);
    return h;
}

static json_t *windows_host(const json_t *facts)
{
    const json_t *h = json_object_get(facts, "host");
    json_t *o = json_object();
    const char *name = str(h, "name");

    json_object_set_new(o, "name", json_string(name && *name ? name : "unknown"));
    if (str(h, "os"))
        json_object_set_new(o, "os", json_string(str(h, "os")));
    json_object_set_new(o, "ips",
                        json_is_array(json_object_get(h, "ips"))
                            ? json_deep_copy(json_object_get(h, "ips"))
                            : json_array());
    json_object_set_new(o, "macs",
                        json_is_array(json_object_get(h, "macs"))
                            ? json_deep_copy(json_object_get(h, "macs"))
                            : json_array());
    if (str(facts, "collected"))
        json_object_set_new(o, "collected", json_string(str(facts, "collected")));
    if (json_is_boolean(json_object_get(h, "is_admin")))
        json_object_set(o, "is_admin", json_object_get(h, "is_admin"));
    return o;
}

/* Rebuild findings from the results: one per failing rule. */
static int build_findings(json_t *doc)
{
    const char *host = str(json_object_get(doc, "host"), "name");
    json_t *fs = json_array();
    const json_t *x;
    size_t i;

    if (!fs)
        return AZ_ENOMEM;
    json_array_foreach(json_object_get(doc, "results"), i, x)
    {
        const json_t *t = json_object_get(x, "title");
        const char *res = str(x, "result"), *note_ja = str(x, "note_ja"),
                   *note_en = str(x, "note_en");
        struct az_finding f;
        json_t *fj;
        char *ja, *en;
        if (!res || strcmp(res, "fail"))
            continue;
        ja = az_fmt("%s: %s%s%s", host ? host : "", str(t, "ja"), note_ja ? " " : "",
                    note_ja ? note_ja : "");
        en = az_fmt("%s: %s%s%s", host ? host : "", str(t, "en"), note_en ? " " : "",
                    note_en ? note_en : "");
        az_finding_start(&f, "audit", str(x, "id"), str(x, "level"), ja ? ja : "", en ? en : "");
        f.host = host;
        fj = az_finding_json(&f);
        free(ja);
        free(en);
        if (!fj) {
            json_decref(fs);
            return AZ_ENOMEM;
        }
        json_array_append_new(fs, fj);
    }
    json_object_set_new(doc, "findings", fs);
    return 0;
}

static void count_results(json_t *doc)
{
    long long c[5] = {0};
    const json_t *x;
    size_t i;

    json_array_foreach(json_object_get(doc, "results"), i, x)
    {
        const char *r = str(x, "result");
        int k = !strcmp(r, "pass")       ? 0
                : !strcmp(r, "fail")     ? 1
                : !strcmp(r, "unknown")  ? 2
                : !strcmp(r, "excepted") ? 3
                                         : 4;
        c[k]++;
    }
    json_object_set_new(doc, "counts",
                        json_pack("{s:I, s:I, s:I, s:I, s:I}", "pass", c[0], "fail", c[1],
                                  "unknown", c[2], "excepted", c[3], "n/a", c[4]));
}

int az_audit_run(struct az_ctx *ctx, const struct az_audit_rules *rules,
                 const struct az_audit_src *src, struct az_date as_of, json_t **ret)
{
    bool win = src->platform && !strcmp(src->platform, "windows");
    json_t *doc, *results;
    char d[16];
    int e;

    *ret = NULL;
    if ((e = az_rules_load(ctx)) < 0)
        return e;
    az_date_iso(as_of, d, sizeof(d));
    doc = json_pack("{s:s, s:s, s:o, s:s}", "schema", "anzen-audit/1", "platform",
                    win ? "windows" : "linux", "host",
                    win ? windows_host(src->facts) : linux_host(src), "audited", d);
    results = json_array();
    if (!doc || !results) {
        json_decref(doc);
        json_decref(results);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    if (!win && src->root && strcmp(src->root, "/"))
        json_object_set_new(doc, "root", json_string(src->root));
    for (size_t i = 0; i < az_audit_rules_count(rules); i++) {
        const json_t *r = az_audit_rule_at(rules, i);
        const char *pf = str(r, "platform");
        json_t *ev = json_array();
        enum az_audit_result res;
        if (strcmp(pf, win ? "windows" : "linux")) {
            json_decref(ev);
            continue;
        }
        if (json_object_get(r, "applies") &&
            az_audit_eval(src, json_object_get(r, "applies"), NULL) != AZ_AUDIT_PASS)
            res = AZ_AUDIT_NA;
        else
            res = az_audit_eval(src, json_object_get(r, "check"), ev);
        json_array_append_new(results, json_pack("{s:s, s:s, s:s, s:O, s:O, s:o}", "id",
                                                 str(r, "id"), "result", az_audit_result_token(res),
                                                 "level", str(r, "level") ? str(r, "level") : "gap",
                                                 "title", json_object_get(r, "title"), "topics",
                                                 json_object_get(r, "topics"), "evidence", ev));
    }
    json_object_set_new(doc, "results", results);
    count_results(doc);
    if ((e = build_findings(doc)) < 0) {
        json_decref(doc);
        return az_fail(ctx, e, "メモリ不足", "out of memory");
    }
    *ret = doc;
    return 0;
}

/* --- the collector document ---------------------------------------------- */

int az_audit_facts_check(struct az_ctx *ctx, const char *name, const json_t *facts)
{
    static const struct {
        const char *key;
        json_type type;
    } shape[] = {
        {"host", JSON_OBJECT},     {"users", JSON_ARRAY},
        {"registry", JSON_OBJECT}, {"hotfixes", JSON_ARRAY},
        {"firewall", JSON_ARRAY},  {"auditpol", JSON_ARRAY},
        {"listening", JSON_ARRAY}, {"backup_tasks", JSON_ARRAY},
        {"bitlocker", JSON_ARRAY}, {"password_policy", JSON_OBJECT},
        {"defender", JSON_OBJECT}, {"rdp", JSON_OBJECT},
        {"smb1", JSON_OBJECT},     {"errors", JSON_ARRAY},
    };
    const char *schema = str(facts, "schema");
    const json_t *h = json_object_get(facts, "host"), *x;
    size_t i;

    if (!json_is_object(facts) || !schema || strcmp(schema, "anzen-collect/1"))
        return az_fail(ctx, AZ_ESCHEMA,
                       "%s: anzen の収集スクリプトの結果 (schema: anzen-collect/1) ではありません",
                       "%s: not a result of anzen's collector (schema: anzen-collect/1)", name);
    for (size_t k = 0; k < sizeof(shape) / sizeof(*shape); k++) {
        const json_t *v = json_object_get(facts, shape[k].key);
        if (v && !json_is_null(v) && json_typeof(v) != shape[k].type)
            return az_fail(ctx, AZ_ESCHEMA, "%s: $.%s は%sでなければなりません",
                           "%s: $.%s must be %s", name, shape[k].key,
                           shape[k].type == JSON_ARRAY
                               ? (ctx->lang == AZ_LANG_EN ? "an array" : "配列")
                               : (ctx->lang == AZ_LANG_EN ? "an object" : "オブジェクト"));
    }
    if (!json_is_object(h) || !str(h, "name") || !*str(h, "name"))
        return az_fail(ctx, AZ_ESCHEMA, "%s: $.host.name (コンピューター名) がありません",
                       "%s: $.host.name (the computer name) is missing", name);
    json_array_foreach(
        json_object_get(facts, "users"), i,
        x) if (!json_is_object(x) ||
               !str(x, "name")) return az_fail(ctx, AZ_ESCHEMA,
                                               "%s: $.users[%zu] に name がありません",
                                               "%s: $.users[%zu] has no name", name, i);
    return 0;
}

/* --- exceptions ---------------------------------------------------------- */

int az_audit_exceptions_load(struct az_ctx *ctx, const char *path, json_t **ret)
{
    struct az_doc *doc;
    const json_t *l, *x;
    json_t *out;
    size_t i;
    int e;

    *ret = NULL;
    if ((e = az_doc_load_file(ctx, path, &doc)) < 0)
        return e;
    l = json_object_get(az_doc_root(doc), "exceptions");
    if (!json_is_array(l)) {
        az_doc_free(doc);
        return az_fail(ctx, AZ_ESCHEMA, "%s: exceptions の並びがありません",
                       "%s: no list of exceptions", path);
    }
    out = json_array();
    json_array_foreach(l, i, x)
    {
        static const char *const need[] = {"host", "rule", "reason", "owner", "expires"};
        struct az_mark m = az_doc_mark(doc, x);
        struct az_date d;
        for (size_t k = 0; k < 5; k++)
            if (!str(x, need[k]) || !*str(x, need[k])) {
                e = az_fail(ctx, AZ_ESCHEMA, "%s:%d:%d: 例外には %s が必要です",
                            "%s:%d:%d: an exception needs %s", path, m.line, m.col, need[k]);
                goto fail;
            }
        if (az_date_parse(str(x, "expires"), false, &d) < 0) {
            m = az_doc_key_mark(doc, x, "expires");
            e = az_fail(ctx, AZ_ESCHEMA, "%s:%d:%d: expires が日付ではありません: %s",
                        "%s:%d:%d: expires is not a date: %s", path, m.line, m.col,
                        str(x, "expires"));
            goto fail;
        }
        char iso[16];
        az_date_iso(d, iso, sizeof(iso));
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s}", "host", str(x, "host"),
                                             "rule", str(x, "rule"), "reason", str(x, "reason"),
                                             "owner", str(x, "owner"), "expires", iso));
    }
    az_doc_free(doc);
    *ret = out;
    return 0;
fail:
    json_decref(out);
    az_doc_free(doc);
    return e;
}

int az_audit_apply_exceptions(struct az_ctx *ctx, json_t *doc, const json_t *exceptions,
                              struct az_date as_of)
{
    const char *host = str(json_object_get(doc, "host"), "name");
    json_t *used = json_array(), *x;
    const json_t *ex;
    size_t i, k;
    char today[16];

    az_date_iso(as_of, today, sizeof(today));
    json_array_foreach(json_object_get(doc, "results"), i, x)
    {
        const char *id = str(x, "id"), *res = str(x, "result");
        json_array_foreach(exceptions, k, ex)
        {
            const char *rule = str(ex, "rule");
            if (!host || strcasecmp(str(ex, "host"), host))
                continue;
            if (!strncmp(rule, "audit.", 6))
                rule += 6;
            if (strcmp(rule, id))
                continue;
            bool expired = strcmp(str(ex, "expires"), today) < 0;
            json_t *u = json_deep_copy(ex);
            json_object_set_new(u, "status", json_string(expired ? "expired" : "active"));
            json_object_set_new(u, "result", json_string(res));
            json_array_append_new(used, u);
            if (res && (!strcmp(res, "fail") || !strcmp(res, "unknown")) && !expired) {
                json_object_set_new(x, "result", json_string("excepted"));
                json_object_set_new(x, "exception", json_deep_copy(ex));
            } else if (res && !strcmp(res, "fail")) {
                char *nj = az_fmt("(例外は %s に期限切れ)", str(ex, "expires"));
                char *ne = az_fmt("(exception expired on %s)", str(ex, "expires"));
                json_object_set_new(x, "note_ja", json_string(nj ? nj : ""));
                json_object_set_new(x, "note_en", json_string(ne ? ne : ""));
                free(nj);
                free(ne);
            }
        }
    }
    json_object_set_new(doc, "exceptions", used);
    count_results(doc);
    if (build_findings(doc) < 0)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    return 0;
}

/* --- the workspace -------------------------------------------------------- */

static void norm_mac(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        if (isxdigit((unsigned char)*s))
            out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
}

/* Does the cell (possibly several values) hold v as a whole token? */
static bool cell_has(const char *cell, const char *v, bool mac)
{
    char a[64], b[64];
    const char *p = cell;

    if (!cell || !*cell || !v || !*v)
        return false;
    if (mac) {
        norm_mac(v, b, sizeof(b));
        while (*p) {
            size_t l = strcspn(p, " ,;/\n、");
            char tok[64];
            snprintf(tok, sizeof(tok), "%.*s", (int)(l < 63 ? l : 63), p);
            norm_mac(tok, a, sizeof(a));
            if (*a && !strcmp(a, b))
                return true;
            p += l;
            while (*p && strchr(" ,;/\n", *p))
                p++;
            if (l == 0 && *p)
                p++;
        }
        return false;
    }
    size_t vl = strlen(v);
    for (const char *q = strstr(cell, v); q; q = strstr(q + 1, v)) {
        bool left = q == cell || !(isalnum((unsigned char)q[-1]) || q[-1] == '.' || q[-1] == ':');
        bool right = !(isalnum((unsigned char)q[vl]) || q[vl] == '.' || q[vl] == ':');
        if (left && right)
            return true;
    }
    return false;
}

static const struct az_asset *ledger_match(const struct az_ledger *l, const json_t *host,
                                           const char **how)
{
    const char *name = str(host, "name");
    const json_t *x;
    size_t i;

    if (!l)
        return NULL;
    for (size_t k = 0; k < l->n; k++) {
        const struct az_asset *a = &l->v[k];
        if (name && a->col[AZ_COL_NAME] && !strcasecmp(a->col[AZ_COL_NAME], name)) {
            *how = "name";
            return a;
        }
    }
    for (size_t k = 0; k < l->n; k++) {
        const struct az_asset *a = &l->v[k];
        json_array_foreach(json_object_get(host, "ips"), i,
                           x) if (cell_has(a->col[AZ_COL_IP], json_string_value(x), false))
        {
            *how = "ip";
            return a;
        }
        json_array_foreach(json_object_get(host, "macs"), i,
                           x) if (cell_has(a->col[AZ_COL_MAC], json_string_value(x), true))
        {
            *how = "mac";
            return a;
        }
    }
    return NULL;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int az_audit_workspace(struct az_ctx *ctx, const char *dir, const struct az_ledger *ledger,
                       struct az_date as_of, json_t **ret)
{
    char *adir = az_fmt("%s/audit", dir), *expath = az_fmt("%s/audit-exceptions.yaml", dir);
    json_t *hosts = json_array(), *exc = NULL;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct stat st;
    int r = 0;

    *ret = NULL;
    if (!adir || !expath || !hosts) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto out;
    }
    if (stat(expath, &st) == 0 && (r = az_audit_exceptions_load(ctx, expath, &exc)) < 0)
        goto out;
    if ((d = opendir(adir))) {
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".json"))
                continue;
            if (n == cap) {
                char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));
                if (!nn)
                    break;
                names = nn;
            }
            if (!(names[n] = az_fmt("%s", e->d_name)))
                break;
            n++;
        }
        closedir(d);
    }
    if (n)
        qsort(names, n, sizeof(*names), cmp_name);
    for (size_t i = 0; i < n && r == 0; i++) {
        char *p = az_fmt("%s/%s", adir, names[i]);
        json_error_t je;
        json_t *doc = p ? json_load_file(p, 0, &je) : NULL;
        const struct az_asset *a;
        const char *how = NULL;
        if (!doc || strcmp(str(doc, "schema") ? str(doc, "schema") : "", "anzen-audit/1") ||
            !json_is_object(json_object_get(doc, "host"))) {
            r = az_fail(ctx, AZ_ESCHEMA, "%s: anzen audit の結果 (anzen-audit/1) ではありません",
                        "%s: not an anzen audit result (anzen-audit/1)", p ? p : names[i]);
            json_decref(doc);
            free(p);
            break;
        }
        free(p);
        if (exc && (r = az_audit_apply_exceptions(ctx, doc, exc, as_of)) < 0) {
            json_decref(doc);
            break;
        }
        if (ledger && (a = ledger_match(ledger, json_object_get(doc, "host"), &how))) {
            json_object_set_new(doc, "asset", json_string(a->col[AZ_COL_NAME]));
            json_object_set_new(doc, "asset_match", json_string(how));
            json_t *fs = json_object_get(doc, "findings"), *f;
            size_t k;
            json_array_foreach(fs, k, f)
                json_object_set_new(f, "asset", json_string(a->col[AZ_COL_NAME]));
        } else if (ledger) {
            const char *hn = str(json_object_get(doc, "host"), "name");
            char *ja =
                az_fmt("%s: 機器台帳にない端末です (名前・IP・MAC のどれも一致しません)", hn);
            char *en = az_fmt("%s: this host is not in the asset ledger (no name, IP or MAC "
                              "matches)",
                              hn);
            struct az_finding f;
            az_finding_start(&f, "audit", "not-in-ledger", "gap", ja ? ja : "", en ? en : "");
            f.host = hn;
            json_array_append_new(json_object_get(doc, "findings"), az_finding_json(&f));
            json_object_set_new(doc, "not_in_ledger", json_true());
            free(ja);
            free(en);
        }
        json_array_append_new(hosts, doc);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(adir);
    free(expath);
    json_decref(exc);
    if (r < 0) {
        json_decref(hosts);
        return r;
    }
    *ret = hosts;
    return 0;
}

json_t *az_audit_findings(const json_t *hosts)
{
    json_t *all = json_array();
    const json_t *h;
    size_t i;
    json_array_foreach(hosts, i, h) json_array_extend(all, json_object_get(h, "findings"));
    return all;
}
