/* SPDX-License-Identifier: MIT */
/*
 * finding.c - the rule table (data/rules/rules.yaml, embedded) and the one
 * way every check builds, writes and reads a finding (finding.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/doc.h"
#include "anzen/finding.h"

extern const struct az_file_blob az_embedded_rules[];
extern const size_t az_embedded_rules_n;

struct rule {
    char *key; /* "ledger.kev/vpn" */
    char **topics;
    size_t ntopics;
};

static struct {
    pthread_once_t once;
    struct rule *v;
    size_t n;
    int err; /* 0, or the error of the one load */
    char msg[512];
} rules = {PTHREAD_ONCE_INIT, NULL, 0, 0, ""};

static int cmp_rule(const void *a, const void *b)
{
    return strcmp(((const struct rule *)a)->key, ((const struct rule *)b)->key);
}

/* Parse the embedded table once. Errors are kept and reported to every
 * caller (the table is part of the binary: a broken one fails the tests). */
static void load_once(void)
{
    struct az_ctx ctx;
    struct az_doc *doc = NULL;
    const json_t *root, *rs, *topics;
    const char *key;
    size_t n = 0;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_embedded_rules_n < 1 ||
        az_doc_load(&ctx, az_embedded_rules[0].name, az_embedded_rules[0].data,
                    az_embedded_rules[0].len, &doc) < 0) {
        rules.err = AZ_EINVAL;
        snprintf(rules.msg, sizeof(rules.msg), "rules.yaml: %s", az_errmsg(&ctx));
        return;
    }
    root = az_doc_root(doc);
    rs = json_object_get(root, "rules");
    if (!json_is_object(rs) || !(rules.v = calloc(json_object_size(rs) + 1, sizeof(*rules.v)))) {
        rules.err = json_is_object(rs) ? AZ_ENOMEM : AZ_EINVAL;
        snprintf(rules.msg, sizeof(rules.msg), "rules.yaml: no rules mapping");
        az_doc_free(doc);
        return;
    }
    json_object_foreach((json_t *)rs, key, topics)
    {
        struct rule *r = &rules.v[n];
        size_t i;
        const json_t *t;
        if (!json_is_array(topics) || !json_array_size(topics) || !strchr(key, '.')) {
            rules.err = AZ_EINVAL;
            snprintf(rules.msg, sizeof(rules.msg), "rules.yaml: rule %s needs a list of topics",
                     key);
            break;
        }
        r->key = strdup(key);
        r->topics = calloc(json_array_size(topics), sizeof(*r->topics));
        if (!r->key || !r->topics) {
            rules.err = AZ_ENOMEM;
            break;
        }
        json_array_foreach(topics, i, t)
        {
            if (!json_is_string(t) || !strchr(json_string_value(t), ':') ||
                !(r->topics[i] = strdup(json_string_value(t)))) {
                rules.err = AZ_EINVAL;
                snprintf(rules.msg, sizeof(rules.msg), "rules.yaml: rule %s: bad topic", key);
                break;
            }
            r->ntopics++;
        }
        n++;
        if (rules.err)
            break;
    }
    rules.n = n;
    qsort(rules.v, rules.n, sizeof(*rules.v), cmp_rule);
    az_doc_free(doc);
}

int az_rules_load(struct az_ctx *ctx)
{
    pthread_once(&rules.once, load_once);
    if (rules.err)
        return az_fail(ctx, rules.err, "組み込みの規則表が壊れています: %s",
                       "the embedded rule table is broken: %s", rules.msg);
    return 0;
}

size_t az_rules_count(void)
{
    return rules.err ? 0 : rules.n;
}

const char *az_rule_at(size_t i, const char *const **ret_topics, size_t *ret_ntopics)
{
    if (rules.err || i >= rules.n)
        return NULL;
    *ret_topics = (const char *const *)rules.v[i].topics;
    *ret_ntopics = rules.v[i].ntopics;
    return rules.v[i].key;
}

static const struct rule *rule_find(const char *key)
{
    struct rule k = {(char *)key, NULL, 0};
    return bsearch(&k, rules.v, rules.n, sizeof(*rules.v), cmp_rule);
}

int az_finding_init(struct az_ctx *ctx, struct az_finding *f, const char *rule, enum az_level level,
                    const char *ja, const char *en)
{
    const struct rule *r;
    int e;

    memset(f, 0, sizeof(*f));
    if ((e = az_rules_load(ctx)) < 0)
        return e;
    if (!(r = rule_find(rule)))
        return az_fail(ctx, AZ_EINVAL, "規則 %s が規則表 (data/rules/rules.yaml) にありません",
                       "rule %s is not in the rule table (data/rules/rules.yaml)", rule);
    f->rule = r->key;
    f->level = level;
    f->ja = ja;
    f->en = en;
    f->topics = (const char *const *)r->topics;
    f->ntopics = r->ntopics;
    return 0;
}

int az_finding_start(struct az_finding *f, const char *check, const char *rule, const char *level,
                     const char *ja, const char *en)
{
    char key[128];
    struct az_ctx ctx;
    int lv = az_level_parse(level);
    enum az_level l = lv < 0 ? AZ_LEVEL_ATTENTION : (enum az_level)lv;
    int r;

    az_ctx_init(&ctx, AZ_LANG_EN);
    snprintf(key, sizeof(key), "%s.%s", check, rule);
    if ((r = az_finding_init(&ctx, f, key, l, ja, en)) < 0)
        *f = (struct az_finding){.rule = rule, .level = l, .ja = ja, .en = en};
    return r;
}

const char *az_level_token(enum az_level l)
{
    static const char *t[] = {"gap", "attention", "info"};
    return t[l];
}

int az_level_parse(const char *s)
{
    for (int i = AZ_LEVEL_GAP; s && i <= AZ_LEVEL_INFO; i++)
        if (!strcmp(s, az_level_token((enum az_level)i)))
            return i;
    return -1;
}

json_t *az_finding_json(const struct az_finding *f)
{
    const char *dot = strchr(f->rule, '.');
    const char *name = dot ? dot + 1 : f->rule;
    size_t nlen = strcspn(name, "/");
    json_t *o = json_object(), *t = json_array();

    if (!o || !t) {
        json_decref(o);
        json_decref(t);
        return NULL;
    }
    json_object_set_new(o, "rule", json_stringn(name, nlen));
    if (dot)
        json_object_set_new(o, "check", json_stringn(f->rule, (size_t)(dot - f->rule)));
    json_object_set_new(o, "level", json_string(az_level_token(f->level)));
    for (size_t i = 0; i < f->ntopics; i++)
        json_array_append_new(t, json_string(f->topics[i]));
    json_object_set_new(o, "topics", t);
    json_object_set_new(o, "ja", json_string(f->ja ? f->ja : ""));
    json_object_set_new(o, "en", json_string(f->en ? f->en : ""));
    if (f->asset)
        json_object_set_new(o, "asset", json_string(f->asset));
    if (f->host)
        json_object_set_new(o, "host", json_string(f->host));
    if (f->vendor)
        json_object_set_new(o, "vendor", json_string(f->vendor));
    if (f->line > 0)
        json_object_set_new(o, "line", json_integer(f->line));
    return o;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int az_finding_read(const json_t *o, struct az_finding *ret, const char **topics_buf,
                    size_t topics_max)
{
    const json_t *t = json_object_get(o, "topics"), *x;
    int lv = az_level_parse(str(o, "level"));
    size_t i;

    memset(ret, 0, sizeof(*ret));
    if (!json_is_object(o) || lv < 0 || !str(o, "ja") || !str(o, "en"))
        return AZ_EINVAL;
    if (!json_is_array(t))
        t = json_object_get(o, "items"); /* written before topics existed */
    ret->rule = str(o, "rule") ? str(o, "rule") : "";
    ret->level = (enum az_level)lv;
    ret->ja = str(o, "ja");
    ret->en = str(o, "en");
    ret->asset = str(o, "asset");
    ret->host = str(o, "host");
    ret->vendor = str(o, "vendor");
    ret->line = (long)json_integer_value(json_object_get(o, "line"));
    json_array_foreach(t, i, x)
    {
        if (ret->ntopics < topics_max && json_is_string(x))
            topics_buf[ret->ntopics++] = json_string_value(x);
    }
    ret->topics = topics_buf;
    return 0;
}
