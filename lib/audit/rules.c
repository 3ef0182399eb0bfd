/* SPDX-License-Identifier: MIT */
/*
 * rules.c - loading and checking the audit rules (data/audit/ (YAML),
 * embedded) and the embedded Windows collector (audit.h).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/audit.h"
#include "anzen/catalog.h"
#include "anzen/doc.h"
#include "anzen/finding.h"
#include "audit_internal.h"

extern const struct az_file_blob az_embedded_audit[];
extern const size_t az_embedded_audit_n;

struct az_audit_rules {
    json_t *rules; /* array of rule objects */
};

static const char *const rule_keys[] = {"id",       "title", "rationale", "remediation", "topics",
                                        "platform", "level", "check",     "applies",     NULL};
static const char *const cond_keys[] = {
    "all",      "any",    "none",         "not",     "file",  "dir",    "command",
    "process",  "json",   "registry",     "exists",  "line",  "except", "count",
    "value",    "age",    "capture-age",  "missing", "where", "entry",  "which",
    "fallback", "status", "apt-security", NULL};

static bool regex_ok(const char *s)
{
    regex_t re;
    if (regcomp(&re, s, REG_EXTENDED) != 0)
        return false;
    regfree(&re);
    return true;
}

static void check_cond(struct av *v, const json_t *c, int depth);

static void check_list(struct av *v, const json_t *c, const char *key, int depth)
{
    const json_t *l = json_object_get(c, key), *x;
    size_t i;

    if (!json_is_array(l) || !json_array_size(l)) {
        av_err(v, c, key, "%s には条件の並びが必要です", "%s needs a list of conditions", key);
        return;
    }
    json_array_foreach(l, i, x) check_cond(v, x, depth + 1);
}

static void check_cond(struct av *v, const json_t *c, int depth)
{
    static const char *const kinds[] = {"all",  "any",      "none",        "not",
                                        "file", "dir",      "command",     "process",
                                        "json", "registry", "apt-security"};
    static const char *const specs[] = {"count", "value", "age", "capture-age"};
    const char *kind = NULL;
    size_t nk = 0;

    if (depth > 16) {
        av_err(v, c, NULL, "条件の入れ子が深すぎます", "conditions nested too deeply");
        return;
    }
    if (!av_object(v, c, cond_keys, "condition"))
        return;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
        if (json_object_get(c, kinds[i])) {
            kind = kinds[i];
            nk++;
        }
    if (nk != 1) {
        av_err(v, c, NULL,
               "条件には all/any/none/not/file/dir/command/process/json/registry/apt-security "
               "のどれか 1 "
               "つが必要です",
               "a condition needs exactly one of "
               "all/any/none/not/file/dir/command/process/json/registry/apt-security");
        return;
    }
    if (!strcmp(kind, "all") || !strcmp(kind, "any") || !strcmp(kind, "none")) {
        check_list(v, c, kind, depth);
        return;
    }
    if (!strcmp(kind, "not")) {
        check_cond(v, json_object_get(c, "not"), depth + 1);
        return;
    }
    if (!strcmp(kind, "file")) {
        const json_t *f = json_object_get(c, "file"), *x;
        size_t i;
        if (json_is_array(f)) {
            json_array_foreach(f, i, x) if (!json_is_string(x) || json_string_value(x)[0] != '/')
                av_err(v, c, "file", "file は / で始まるパスです", "file paths start with /");
        } else if (!json_is_string(f) || json_string_value(f)[0] != '/') {
            av_err(v, c, "file", "file は / で始まるパスです", "file paths start with /");
        }
    } else if (!json_is_string(json_object_get(c, kind))) {
        av_err(v, c, kind, "%s は文字列です", "%s must be a string", kind);
        return;
    }
    if ((!strcmp(kind, "dir")) && json_string_value(json_object_get(c, "dir"))[0] != '/')
        av_err(v, c, "dir", "dir は / で始まるパスです", "dir paths start with /");
    if (!strcmp(kind, "process") && !regex_ok(json_string_value(json_object_get(c, kind))))
        av_err(v, c, kind, "正規表現が正しくありません", "not a valid regular expression");
    const char *re_keys[] = {"line", "except", "entry"};
    for (size_t i = 0; i < 3; i++) {
        const json_t *x = json_object_get(c, re_keys[i]);
        if (x && (!json_is_string(x) || !regex_ok(json_string_value(x))))
            av_err(v, c, re_keys[i], "%s の正規表現が正しくありません",
                   "%s is not a valid regular expression", re_keys[i]);
    }
    for (size_t i = 0; i < sizeof(specs) / sizeof(*specs); i++) {
        const json_t *x = json_object_get(c, specs[i]);
        if (x && (!json_is_string(x) || !az_audit_spec_ok(json_string_value(x))))
            av_err(v, c, specs[i], "%s は \"<= 90\"、\"== yes\"、\"~ 正規表現\" の形で書きます",
                   "%s must look like \"<= 90\", \"== yes\" or \"~ regex\"", specs[i]);
    }
    const char *m = av_str(v, c, "missing", false);
    if (m && strcmp(m, "pass") && strcmp(m, "fail") && strcmp(m, "unknown"))
        av_err(v, c, "missing", "missing は pass / fail / unknown です",
               "missing is pass, fail or unknown");
    const char *w = av_str(v, c, "which", false);
    if (w && strcmp(w, "first") && strcmp(w, "last") && strcmp(w, "all"))
        av_err(v, c, "which", "which は first / last / all です", "which is first, last or all");
    const char *ex = av_str(v, c, "exists", false);
    if (ex && strcmp(ex, "true") && strcmp(ex, "false"))
        av_err(v, c, "exists", "exists は true か false です", "exists is true or false");
    const json_t *wh = json_object_get(c, "where");
    if (wh) {
        const char *k;
        const json_t *x;
        if (!json_is_object(wh))
            av_err(v, c, "where", "where は項目名と条件の対応です", "where maps keys to specs");
        else
            json_object_foreach((json_t *)wh, k, x) if (!json_is_string(x) ||
                                                        !az_audit_spec_ok(json_string_value(x)))
                av_err(v, wh, k, "where.%s の条件が正しくありません", "where.%s: bad spec", k);
    }
    if (json_object_get(c, "fallback")) {
        if (strcmp(kind, "command"))
            av_err(v, c, "fallback", "fallback は command にだけ書けます",
                   "fallback is only for command conditions");
        else
            check_cond(v, json_object_get(c, "fallback"), depth + 1);
    }
}

static bool id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
            return false;
    return true;
}

static int load_doc(struct az_ctx *ctx, struct az_doc *doc, json_t *into)
{
    static const char *const top[] = {"version", "rules", NULL};
    struct av v;
    const json_t *root = az_doc_root(doc), *rs, *r;
    size_t i;

    av_init(&v, ctx, doc, 20);
    if (!av_header(&v, root, top, "audit rules", "version"))
        return av_finish(&v);
    rs = av_list(&v, root, "rules", true);
    json_array_foreach(rs, i, r)
    {
        struct az_text t;
        const char *id, *pf, *lv;
        if (!av_object(&v, r, rule_keys, "rule"))
            continue;
        id = av_str(&v, r, "id", true);
        if (id && !id_ok(id))
            av_err(&v, r, "id", "id は英小文字・数字・. と - だけです",
                   "id: lowercase letters, digits, . and - only");
        for (size_t k = 0; k < json_array_size(into) && id; k++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(into, k), "id")), id))
                av_err(&v, r, "id", "規則 %s が 2 回あります", "rule %s appears twice", id);
        av_text(&v, r, "title", true, &t);
        av_text(&v, r, "rationale", true, &t);
        av_text(&v, r, "remediation", true, &t);
        size_t nt = 0;
        free(av_strlist(&v, r, "topics", true, &nt));
        pf = av_str(&v, r, "platform", true);
        if (pf && strcmp(pf, "linux") && strcmp(pf, "windows"))
            av_err(&v, r, "platform", "platform は linux か windows です",
                   "platform is linux or windows");
        lv = av_str(&v, r, "level", false);
        if (lv && az_level_parse(lv) < 0)
            av_err(&v, r, "level", "level は gap / attention / info です",
                   "level is gap, attention or info");
        if (!json_object_get(r, "check"))
            av_err(&v, r, NULL, "規則に check がありません", "rule has no check");
        else
            check_cond(&v, json_object_get(r, "check"), 0);
        if (json_object_get(r, "applies"))
            check_cond(&v, json_object_get(r, "applies"), 0);
        if (!v.nerr)
            json_array_append_new(into, json_deep_copy(r));
    }
    return av_finish(&v);
}

static int load_into(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                     json_t *into)
{
    struct az_doc *doc;
    int r;

    if ((r = az_doc_load(ctx, name, data, len, &doc)) < 0)
        return r;
    r = load_doc(ctx, doc, into);
    az_doc_free(doc);
    return r;
}

int az_audit_rules_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                        struct az_audit_rules **ret)
{
    struct az_audit_rules *r = calloc(1, sizeof(*r));
    int e;

    *ret = NULL;
    if (!r || !(r->rules = json_array())) {
        free(r);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    if ((e = load_into(ctx, name, data, len, r->rules)) < 0) {
        az_audit_rules_free(r);
        return e;
    }
    *ret = r;
    return 0;
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int az_audit_rules_builtin(struct az_ctx *ctx, struct az_audit_rules **ret)
{
    struct az_audit_rules *r = calloc(1, sizeof(*r));
    int e;

    *ret = NULL;
    if (!r || !(r->rules = json_array())) {
        free(r);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    for (size_t i = 0; i < az_embedded_audit_n; i++) {
        const struct az_file_blob *b = &az_embedded_audit[i];
        if (!has_suffix(b->name, ".yaml"))
            continue;
        if ((e = load_into(ctx, b->name, b->data, b->len, r->rules)) < 0) {
            az_audit_rules_free(r);
            return e;
        }
    }
    *ret = r;
    return 0;
}

void az_audit_rules_free(struct az_audit_rules *r)
{
    if (!r)
        return;
    json_decref(r->rules);
    free(r);
}

size_t az_audit_rules_count(const struct az_audit_rules *r)
{
    return r ? json_array_size(r->rules) : 0;
}

const json_t *az_audit_rule_at(const struct az_audit_rules *r, size_t i)
{
    return json_array_get(r->rules, i);
}

const json_t *az_audit_rule_find(const struct az_audit_rules *r, const char *id)
{
    size_t i;
    const json_t *x;
    json_array_foreach(r->rules, i,
                       x) if (!strcmp(json_string_value(json_object_get(x, "id")), id)) return x;
    return NULL;
}

const char *az_audit_collector(size_t *ret_len)
{
    for (size_t i = 0; i < az_embedded_audit_n; i++)
        if (has_suffix(az_embedded_audit[i].name, ".ps1")) {
            *ret_len = az_embedded_audit[i].len;
            return az_embedded_audit[i].data;
        }
    *ret_len = 0;
    return NULL;
}
