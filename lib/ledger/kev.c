/* SPDX-License-Identifier: MIT */
/*
 * kev.c - known exploited vulnerabilities of remote-access appliances
 * (kev.h): the curated version ranges, the CISA catalog (or anzen's subset
 * of it), version comparison and matching.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"
#include "anzen/kev.h"

extern const struct az_file_blob az_embedded_kev[];
extern const size_t az_embedded_kev_n;

struct priv {
    struct az_doc *ranges, *catalog;
};

static const struct az_file_blob *embedded(const char *name)
{
    for (size_t i = 0; i < az_embedded_kev_n; i++)
        if (!strncmp(az_embedded_kev[i].name, "embedded:", 9) &&
            !strcmp(az_embedded_kev[i].name + 9, name))
            return &az_embedded_kev[i];
    return NULL;
}

void az_kev_free(struct az_kev *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->nfamilies; i++) {
        struct az_kev_family *f = &k->families[i];
        for (size_t j = 0; j < f->nmatch; j++)
            free((char *)f->match[j]);
        free(f->match);
        free(f->kev_vendor);
        free(f->kev_product);
        free(f->cut_at);
        free(f->drop);
    }
    for (size_t i = 0; i < k->nrules; i++) {
        free(k->rules[i].ranges);
        free(k->rules[i].sources);
    }
    free(k->families);
    free(k->rules);
    free(k->entries);
    if (k->priv) {
        struct priv *pv = k->priv;
        az_doc_free(pv->ranges);
        az_doc_free(pv->catalog);
        free(pv);
    }
    free(k);
}

/* ---- versions ---- */

/* Next segment of s at *p: digits or letters; separators skipped.
 * Returns false at the end. */
static bool segment(const char *s, size_t *p, const char **start, size_t *len, bool *num)
{
    size_t i = *p;

    while (s[i] && !isalnum((unsigned char)s[i]))
        i++;
    if (!s[i]) {
        *p = i;
        return false;
    }
    *start = s + i;
    *num = isdigit((unsigned char)s[i]) != 0;
    while (s[i] && isalnum((unsigned char)s[i]) && (isdigit((unsigned char)s[i]) != 0) == *num)
        i++;
    *len = (size_t)(s + i - *start);
    *p = i;
    return true;
}

static int cmp_num(const char *a, size_t na, const char *b, size_t nb)
{
    while (na > 1 && *a == '0')
        a++, na--;
    while (nb > 1 && *b == '0')
        b++, nb--;
    if (na != nb)
        return na < nb ? -1 : 1;
    return memcmp(a, b, na);
}

static int cmp_alpha(const char *a, size_t na, const char *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++) {
        int x = tolower((unsigned char)a[i]), y = tolower((unsigned char)b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return na == nb ? 0 : na < nb ? -1 : 1;
}

int az_version_cmp(const char *a, const char *b)
{
    size_t pa = 0, pb = 0, la, lb;
    const char *sa, *sb;
    bool na, nb;

    for (;;) {
        bool ha = segment(a, &pa, &sa, &la, &na);
        bool hb = segment(b, &pb, &sb, &lb, &nb);
        int c;
        if (!ha || !hb)
            return ha == hb ? 0 : ha ? 1 : -1;
        if (na != nb)
            return na ? 1 : -1; /* letters sort before digits */
        c = na ? cmp_num(sa, la, sb, lb) : cmp_alpha(sa, la, sb, lb);
        if (c)
            return c < 0 ? -1 : 1;
    }
}

/* True if version starts with the segments of branch. */
static bool in_branch(const char *version, const char *branch)
{
    size_t pv = 0, pb = 0, lv, lb;
    const char *sv, *sb;
    bool nv, nb;

    while (segment(branch, &pb, &sb, &lb, &nb)) {
        if (!segment(version, &pv, &sv, &lv, &nv) || nv != nb)
            return false;
        if ((nb ? cmp_num(sv, lv, sb, lb) : cmp_alpha(sv, lv, sb, lb)) != 0)
            return false;
    }
    return true;
}

void az_kev_normalise(const struct az_kev_family *f, const char *version, char *buf, size_t n)
{
    const char *s = version;
    size_t len, o = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    if ((*s == 'v' || *s == 'V') && isdigit((unsigned char)s[1]))
        s++;
    len = strlen(s);
    for (size_t i = 0; f && i < f->ncut_at; i++) {
        size_t cl = strlen(f->cut_at[i]);
        for (size_t j = 0; cl && j + cl <= len; j++)
            if (!strncasecmp(s + j, f->cut_at[i], cl)) {
                len = j;
                break;
            }
    }
    /* copy, leaving out the family's noise words ("NS13.1: Build 49.13") */
    for (size_t j = 0; j < len && o + 1 < n;) {
        size_t skip = 0;
        for (size_t i = 0; f && i < f->ndrop && !skip; i++) {
            size_t dl = strlen(f->drop[i]);
            if (dl && j + dl <= len && !strncasecmp(s + j, f->drop[i], dl))
                skip = dl;
        }
        if (skip) {
            /* the separators around a dropped word become one "-" */
            while (o && !isalnum((unsigned char)buf[o - 1]))
                o--;
            j += skip;
            while (j < len && !isalnum((unsigned char)s[j]))
                j++;
            if (o && j < len)
                buf[o++] = '-';
        } else {
            buf[o++] = s[j++];
        }
    }
    while (o && (buf[o - 1] == ' ' || buf[o - 1] == '\t'))
        o--;
    buf[o] = '\0';
}

static bool range_has(const struct az_kev_range *r, const char *v)
{
    if (r->branch && !in_branch(v, r->branch))
        return false;
    if (r->from && az_version_cmp(v, r->from) < 0)
        return false;
    if (r->fixed)
        return az_version_cmp(v, r->fixed) < 0;
    if (r->last)
        return az_version_cmp(v, r->last) <= 0;
    return true; /* the whole branch: no fix */
}

/* ---- curated ranges ---- */

static const char *const top_keys[] = {"anzen-kev-ranges", "families", "rules", NULL};
static const char *const fam_keys[] = {"id",     "name", "match",  "kev-vendor", "kev-product",
                                       "cut-at", "drop", "advice", NULL};
static const char *const rule_keys[] = {"cve",        "family",  "ranges", "advice",
                                        "confidence", "sources", NULL};
static const char *const range_keys[] = {"branch", "from", "fixed", "last", NULL};

static bool cve_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n < 13 || n > 28 || strncmp(s, "CVE-", 4) || s[8] != '-')
        return false;
    for (i = 4; i < 8; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    for (i = 9; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static char *lower_dup(const char *s)
{
    char *d = strdup(s);
    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static void parse_family(struct av *v, const json_t *o, struct az_kev_family *f)
{
    const char **m;

    if (!av_object(v, o, fam_keys, "family"))
        return;
    f->id = av_str(v, o, "id", true);
    if (f->id && !az_is_token(f->id))
        av_err(v, o, "id", "id に使えない文字があります: \"%s\"",
               "id has characters that are not allowed: \"%s\"", f->id);
    av_text(v, o, "name", true, &f->name);
    av_text(v, o, "advice", true, &f->advice);
    m = av_strlist(v, o, "match", true, &f->nmatch);
    if (m) {
        for (size_t i = 0; i < f->nmatch; i++)
            m[i] = lower_dup(m[i]);
        f->match = m;
    }
    f->kev_vendor = av_strlist(v, o, "kev-vendor", true, &f->nkev_vendor);
    f->kev_product = av_strlist(v, o, "kev-product", true, &f->nkev_product);
    f->cut_at = av_strlist(v, o, "cut-at", false, &f->ncut_at);
    f->drop = av_strlist(v, o, "drop", false, &f->ndrop);
}

static int parse_conf(struct av *v, const json_t *o, enum az_confidence *out)
{
    const char *s = av_str(v, o, "confidence", true);

    for (int c = AZ_CONF_VERIFIED; s && c <= AZ_CONF_UNVERIFIED; c++)
        if (!strcmp(s, az_conf_token((enum az_confidence)c))) {
            *out = (enum az_confidence)c;
            return 0;
        }
    if (s)
        av_err(v, o, "confidence", "confidence は verified / draft / unverified のいずれかです",
               "confidence must be verified, draft or unverified");
    return -1;
}

static void parse_rule(struct av *v, struct az_kev *k, const json_t *o, struct az_kev_rule *r)
{
    const char *fam;
    json_t *rl, *x;
    size_t i;

    if (!av_object(v, o, rule_keys, "rule"))
        return;
    r->cve = av_str(v, o, "cve", true);
    if (r->cve && !cve_ok(r->cve))
        av_err(v, o, "cve", "CVE 番号の形式ではありません: \"%s\"", "not a CVE ID: \"%s\"", r->cve);
    fam = av_str(v, o, "family", true);
    if (fam && !(r->family = az_kev_family(k, fam)))
        av_err(v, o, "family", "未知の family \"%s\"", "unknown family \"%s\"", fam);
    if (json_object_get(o, "advice"))
        av_text(v, o, "advice", false, &r->advice);
    parse_conf(v, o, &r->confidence);
    r->sources = av_strlist(v, o, "sources", true, &r->nsources);
    if (r->sources && !r->nsources)
        av_err(v, o, "sources", "sources が空です", "sources is empty");
    rl = av_list(v, o, "ranges", true);
    if (!rl)
        return;
    if (!json_array_size(rl))
        av_err(v, o, "ranges", "ranges が空です", "ranges is empty");
    r->ranges = calloc(json_array_size(rl) + 1, sizeof(*r->ranges));
    if (!r->ranges) {
        v->code = AZ_ENOMEM;
        return;
    }
    json_array_foreach(rl, i, x)
    {
        struct az_kev_range *g = &r->ranges[r->nranges++];
        if (!av_object(v, x, range_keys, "range"))
            continue;
        g->branch = av_str(v, x, "branch", false);
        g->from = av_str(v, x, "from", false);
        g->fixed = av_str(v, x, "fixed", false);
        g->last = av_str(v, x, "last", false);
        if ((g->branch && !*g->branch) || (g->from && !*g->from) || (g->fixed && !*g->fixed) ||
            (g->last && !*g->last))
            av_err(v, x, NULL, "範囲の版が空です", "a version in the range is empty");
        if (!g->branch && !g->fixed && !g->last)
            av_err(v, x, NULL, "branch のない範囲には fixed か last が必要です",
                   "a range without a branch needs fixed or last");
        if (g->fixed && g->last)
            av_err(v, x, "last", "fixed と last は同時に書けません",
                   "fixed and last cannot both be given");
        if (g->branch && g->from && !in_branch(g->from, g->branch))
            av_err(v, x, "from", "from \"%s\" が branch \"%s\" の版ではありません",
                   "from \"%s\" is not in branch \"%s\"", g->from, g->branch);
        if (g->branch && g->fixed && !in_branch(g->fixed, g->branch))
            av_err(v, x, "fixed", "fixed \"%s\" が branch \"%s\" の版ではありません",
                   "fixed \"%s\" is not in branch \"%s\"", g->fixed, g->branch);
        if (g->branch && g->last && !in_branch(g->last, g->branch))
            av_err(v, x, "last", "last \"%s\" が branch \"%s\" の版ではありません",
                   "last \"%s\" is not in branch \"%s\"", g->last, g->branch);
        if (g->from && g->fixed && az_version_cmp(g->from, g->fixed) >= 0)
            av_err(v, x, "fixed", "fixed \"%s\" が from \"%s\" より新しくありません",
                   "fixed \"%s\" is not after from \"%s\"", g->fixed, g->from);
        if (g->from && g->last && az_version_cmp(g->from, g->last) > 0)
            av_err(v, x, "last", "last \"%s\" が from \"%s\" より古い版です",
                   "last \"%s\" is before from \"%s\"", g->last, g->from);
    }
}

static int load_ranges(struct az_ctx *ctx, struct az_kev *k, struct priv *pv, const char *name,
                       const char *data, size_t len)
{
    const json_t *root, *l, *x;
    struct av v;
    size_t i;
    int r;

    if ((r = az_doc_load(ctx, name, data, len, &pv->ranges)) < 0)
        return r;
    root = az_doc_root(pv->ranges);
    av_init(&v, ctx, pv->ranges, 20);
    if (!av_header(&v, root, top_keys, "kev ranges", "anzen-kev-ranges"))
        return av_finish(&v);
    if ((l = av_list(&v, root, "families", true))) {
        k->families = calloc(json_array_size(l) + 1, sizeof(*k->families));
        if (!k->families)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        json_array_foreach(l, i, x)
        {
            parse_family(&v, x, &k->families[k->nfamilies]);
            for (size_t j = 0; j < k->nfamilies; j++)
                if (k->families[k->nfamilies].id && k->families[j].id &&
                    !strcmp(k->families[j].id, k->families[k->nfamilies].id))
                    av_err(&v, x, "id", "family \"%s\" が重複しています", "duplicate family \"%s\"",
                           k->families[j].id);
            k->nfamilies++;
        }
    }
    if (v.nerr)
        return av_finish(&v);
    if ((l = av_list(&v, root, "rules", true))) {
        k->rules = calloc(json_array_size(l) + 1, sizeof(*k->rules));
        if (!k->rules)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        json_array_foreach(l, i, x)
        {
            struct az_kev_rule *ru = &k->rules[k->nrules];
            parse_rule(&v, k, x, ru);
            for (size_t j = 0; j < k->nrules; j++)
                if (ru->cve && k->rules[j].cve && ru->family == k->rules[j].family &&
                    !strcmp(ru->cve, k->rules[j].cve))
                    av_err(&v, x, "cve",
                           "%s が重複しています (同じ family の範囲は 1 つにまとめます)",
                           "duplicate %s (keep one rule per family and CVE)", ru->cve);
            k->nrules++;
        }
    }
    return av_finish(&v);
}

/* ---- the CISA catalog ---- */

static bool date_ok(const char *s)
{
    struct az_date d;
    return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && az_date_parse(s, false, &d) == 0;
}

/* An entry belongs to a family by vendor and product; KEV files some
 * entries under "Multiple Products", whose description then names the
 * product. */
static bool family_has(const struct az_kev_family *f, const char *vendor, const char *product,
                       const char *description)
{
    bool v = false, p = false, multi = !strcasecmp(product, "Multiple Products");

    for (size_t i = 0; i < f->nkev_vendor; i++)
        v = v || !strcasecmp(vendor, f->kev_vendor[i]);
    for (size_t i = 0; v && i < f->nkev_product; i++)
        p = p || strcasestr(multi ? description : product, f->kev_product[i]) != NULL;
    return v && p;
}

static const struct az_kev_family *entry_family(const struct az_kev *k, const char *vendor,
                                                const char *product, const char *description)
{
    for (size_t i = 0; i < k->nfamilies; i++)
        if (family_has(&k->families[i], vendor, product, description))
            return &k->families[i];
    return NULL;
}

static const char *const entry_req[] = {
    "cveID",     "vendorProject",    "product",        "vulnerabilityName",
    "dateAdded", "shortDescription", "requiredAction", "dueDate",
    NULL};

/* Validate the catalog in doc; with k set, keep the families' entries. */
static int read_catalog(struct az_ctx *ctx, struct az_doc *doc, struct az_kev *k,
                        json_t **ret_subset)
{
    const json_t *root = az_doc_root(doc), *l, *x;
    const char *ver, *rel, *cnt;
    struct av v;
    long count = 0;
    size_t i;

    av_init(&v, ctx, doc, 20);
    if (!json_is_object(root)) {
        av_err(&v, root, NULL, "KEV カタログは JSON オブジェクトでなければなりません",
               "a KEV catalog must be a JSON object");
        return av_finish(&v);
    }
    ver = av_str(&v, root, "catalogVersion", true);
    rel = av_str(&v, root, "dateReleased", true);
    cnt = av_str(&v, root, "count", true);
    if (cnt && az_parse_long(cnt, 0, 10000000, &count) < 0)
        av_err(&v, root, "count", "count は 0 以上の整数です", "count must be a whole number");
    if (rel && (strlen(rel) < 10 || !date_ok(memcpy((char[11]){0}, rel, 10))))
        av_err(&v, root, "dateReleased", "dateReleased が日時ではありません: \"%s\"",
               "dateReleased is not a date-time: \"%s\"", rel);
    l = av_list(&v, root, "vulnerabilities", true);
    if (!l || v.nerr)
        return av_finish(&v);
    if (k) {
        k->entries = calloc(json_array_size(l) + 1, sizeof(*k->entries));
        if (!k->entries)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    json_array_foreach(l, i, x)
    {
        const char *s[8];
        bool ok = true;
        const struct az_kev_family *f;
        if (!json_is_object(x)) {
            av_err(&v, x, NULL, "vulnerabilities の要素はオブジェクトです",
                   "each vulnerability must be an object");
            continue;
        }
        for (int j = 0; entry_req[j]; j++)
            ok = (s[j] = av_str(&v, x, entry_req[j], true)) != NULL && ok;
        if (!ok)
            continue;
        if (!cve_ok(s[0]))
            av_err(&v, x, "cveID", "CVE 番号の形式ではありません: \"%s\"", "not a CVE ID: \"%s\"",
                   s[0]);
        if (!date_ok(s[4]))
            av_err(&v, x, "dateAdded", "日付 (YYYY-MM-DD) ではありません: \"%s\"",
                   "not a date (YYYY-MM-DD): \"%s\"", s[4]);
        if (!date_ok(s[7]))
            av_err(&v, x, "dueDate", "日付 (YYYY-MM-DD) ではありません: \"%s\"",
                   "not a date (YYYY-MM-DD): \"%s\"", s[7]);
        if (!k || !(f = entry_family(k, s[1], s[2], s[5])))
            continue;
        if (ret_subset)
            json_array_append((json_t *)json_object_get(*ret_subset, "vulnerabilities"),
                              (json_t *)x);
        {
            struct az_kev_entry *e = &k->entries[k->nentries++];
            const char *rw = json_string_value(json_object_get(x, "knownRansomwareCampaignUse"));
            e->cve = s[0];
            e->vendor = s[1];
            e->product = s[2];
            e->name = s[3];
            e->date_added = s[4];
            e->description = s[5];
            e->due_date = s[7];
            e->ransomware = rw && !strcasecmp(rw, "Known");
        }
    }
    if (v.nerr)
        return av_finish(&v);
    if (k) {
        const json_t *sub = json_object_get(root, "anzenSubset");
        const char *total = sub ? json_string_value(json_object_get(sub, "catalogCount")) : NULL;
        long t = count;
        if (total && az_parse_long(total, 0, 10000000, &t) < 0)
            t = count;
        k->catalog_version = ver;
        k->date_released = rel;
        k->catalog_count = (size_t)t;
    }
    if (ret_subset) {
        json_object_set_new(*ret_subset, "catalogVersion", json_string(ver));
        json_object_set_new(*ret_subset, "dateReleased", json_string(rel));
        json_object_set_new(*ret_subset, "count",
                            json_integer((json_int_t)json_array_size(
                                json_object_get(*ret_subset, "vulnerabilities"))));
        json_object_set_new(*ret_subset, "anzenSubset",
                            json_pack("{s:s, s:I}", "note",
                                      "entries of the remote-access appliance families anzen "
                                      "checks (data/kev/appliances.yaml)",
                                      "catalogCount", (json_int_t)count));
    }
    return av_finish(&v);
}

static void link_rules(struct az_kev *k)
{
    for (size_t i = 0; i < k->nrules; i++) {
        k->rules[i].entry = NULL;
        for (size_t j = 0; j < k->nentries; j++)
            if (!strcmp(k->entries[j].cve, k->rules[i].cve))
                k->rules[i].entry = &k->entries[j];
    }
}

int az_kev_load_with(struct az_ctx *ctx, const char *ranges_name, const char *ranges_yaml,
                     size_t ranges_len, const char *name, const char *catalog_json, size_t len,
                     struct az_kev **ret)
{
    struct az_kev *k = calloc(1, sizeof(*k));
    struct priv *pv = calloc(1, sizeof(*pv));
    int r;

    if (!k || !pv) {
        free(k);
        free(pv);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    k->priv = pv;
    if (!catalog_json) {
        const struct az_file_blob *b = embedded("kev.json");
        if (!b) {
            az_kev_free(k);
            return az_fail(ctx, AZ_ENOTFOUND, "組み込みの KEV カタログがありません",
                           "no embedded KEV catalog");
        }
        name = b->name;
        catalog_json = b->data;
        len = b->len;
        k->source = "embedded";
    } else {
        k->source = name;
    }
    if ((r = load_ranges(ctx, k, pv, ranges_name, ranges_yaml, ranges_len)) < 0 ||
        (r = az_doc_load(ctx, name, catalog_json, len, &pv->catalog)) < 0 ||
        (r = read_catalog(ctx, pv->catalog, k, NULL)) < 0) {
        az_kev_free(k);
        return r;
    }
    link_rules(k);
    *ret = k;
    return 0;
}

int az_kev_load(struct az_ctx *ctx, const char *name, const char *catalog_json, size_t len,
                struct az_kev **ret)
{
    const struct az_file_blob *b = embedded("appliances.yaml");

    if (!b)
        return az_fail(ctx, AZ_ENOTFOUND, "組み込みの KEV 範囲データがありません",
                       "no embedded KEV range data");
    return az_kev_load_with(ctx, b->name, b->data, b->len, name, catalog_json, len, ret);
}

int az_kev_subset(struct az_ctx *ctx, const struct az_kev *k, const char *name, const char *data,
                  size_t len, char **ret)
{
    struct az_doc *doc;
    struct az_kev tmp = *k;
    json_t *sub;
    int r;

    tmp.entries = NULL;
    tmp.nentries = 0;
    tmp.priv = NULL;
    if ((r = az_doc_load(ctx, name, data, len, &doc)) < 0)
        return r;
    sub = json_pack("{s:s, s:s, s:s, s:i, s:[]}", "title",
                    "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion", "",
                    "dateReleased", "", "count", 0, "vulnerabilities");
    if (!sub) {
        az_doc_free(doc);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    r = read_catalog(ctx, doc, &tmp, &sub);
    free(tmp.entries);
    if (r == 0) {
        /* every value was read as a string: give count back its type,
         * and keep CISA's field order */
        *ret = json_dumps(sub, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (!*ret)
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    json_decref(sub);
    az_doc_free(doc);
    return r;
}

/* ---- lookups ---- */

const struct az_kev_family *az_kev_family(const struct az_kev *k, const char *id)
{
    for (size_t i = 0; i < k->nfamilies; i++)
        if (k->families[i].id && !strcmp(k->families[i].id, id))
            return &k->families[i];
    return NULL;
}

const struct az_kev_family *az_kev_family_for(const struct az_kev *k, const char *text)
{
    for (size_t i = 0; text && i < k->nfamilies; i++)
        for (size_t j = 0; j < k->families[i].nmatch; j++)
            if (strcasestr(text, k->families[i].match[j]))
                return &k->families[i];
    return NULL;
}

static int hit_cmp(const void *a, const void *b)
{
    const struct az_kev_hit *x = a, *y = b;
    return strcmp(x->rule->cve, y->rule->cve);
}

int az_kev_match(const struct az_kev *k, const char *family, const char *version,
                 struct az_kev_hit **ret, size_t *ret_n)
{
    const struct az_kev_family *f = az_kev_family(k, family);
    struct az_kev_hit *v = NULL;
    size_t n = 0;
    char norm[128];

    if (!f)
        return AZ_ENOTFOUND;
    az_kev_normalise(f, version, norm, sizeof(norm));
    for (size_t i = 0; *norm && i < k->nrules; i++) {
        const struct az_kev_rule *r = &k->rules[i];
        if (r->family != f)
            continue;
        for (size_t j = 0; j < r->nranges; j++)
            if (range_has(&r->ranges[j], norm)) {
                struct az_kev_hit *nv = realloc(v, (n + 1) * sizeof(*v));
                if (!nv) {
                    free(v);
                    return AZ_ENOMEM;
                }
                v = nv;
                v[n].rule = r;
                v[n].range = &r->ranges[j];
                n++;
                break;
            }
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), hit_cmp);
    *ret = v;
    *ret_n = n;
    return 0;
}

int az_kev_uncovered(const struct az_kev *k, const struct az_kev_family *f,
                     const struct az_kev_entry ***ret, size_t *ret_n)
{
    const struct az_kev_entry **v = calloc(k->nentries + 1, sizeof(*v));
    size_t n = 0;

    if (!v)
        return AZ_ENOMEM;
    for (size_t i = 0; i < k->nentries; i++) {
        const struct az_kev_entry *e = &k->entries[i];
        bool covered = false;
        if (!family_has(f, e->vendor, e->product, e->description))
            continue;
        for (size_t j = 0; j < k->nrules && !covered; j++)
            covered = k->rules[j].family == f && !strcmp(k->rules[j].cve, e->cve);
        if (!covered)
            v[n++] = e;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}
