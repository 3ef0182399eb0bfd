/* SPDX-License-Identifier: MIT */
/*
 * doc.c - libyaml events -> jansson tree with source positions.
 *
 * Positions live in a side table keyed by node address (open addressing),
 * because jansson nodes have no room for them. Every scalar becomes a new
 * json string, so addresses are unique.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "anzen/doc.h"
#include "anzen/util.h"

struct pos_entry {
    const json_t *node;
    struct az_mark val;
    struct az_mark key;
};

struct az_doc {
    char *name;
    json_t *root;
    struct pos_entry *tab;
    size_t cap, count;
};

static size_t ptr_hash(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static int pos_put(struct az_doc *doc, const json_t *node, struct az_mark val, struct az_mark key)
{
    size_t i;

    if ((doc->count + 1) * 2 > doc->cap) {
        size_t ncap = doc->cap ? doc->cap * 2 : 1024;
        struct pos_entry *nt = calloc(ncap, sizeof(*nt));
        if (!nt)
            return AZ_ENOMEM;
        for (size_t k = 0; k < doc->cap; k++) {
            if (!doc->tab[k].node)
                continue;
            i = ptr_hash(doc->tab[k].node) & (ncap - 1);
            while (nt[i].node)
                i = (i + 1) & (ncap - 1);
            nt[i] = doc->tab[k];
        }
        free(doc->tab);
        doc->tab = nt;
        doc->cap = ncap;
    }
    i = ptr_hash(node) & (doc->cap - 1);
    while (doc->tab[i].node && doc->tab[i].node != node)
        i = (i + 1) & (doc->cap - 1);
    if (!doc->tab[i].node)
        doc->count++;
    doc->tab[i].node = node;
    doc->tab[i].val = val;
    doc->tab[i].key = key;
    return 0;
}

static const struct pos_entry *pos_get(const struct az_doc *doc, const json_t *node)
{
    size_t i;

    if (!doc->cap || !node)
        return NULL;
    i = ptr_hash(node) & (doc->cap - 1);
    while (doc->tab[i].node) {
        if (doc->tab[i].node == node)
            return &doc->tab[i];
        i = (i + 1) & (doc->cap - 1);
    }
    return NULL;
}

struct az_mark az_doc_mark(const struct az_doc *doc, const json_t *node)
{
    const struct pos_entry *e = pos_get(doc, node);
    return e ? e->val : (struct az_mark){0, 0};
}

struct az_mark az_doc_key_mark(const struct az_doc *doc, const json_t *obj, const char *key)
{
    const struct pos_entry *e = pos_get(doc, json_object_get(obj, key));
    if (e && e->key.line)
        return e->key;
    return az_doc_mark(doc, obj);
}

json_t *az_doc_root(const struct az_doc *doc)
{
    return doc->root;
}

const char *az_doc_name(const struct az_doc *doc)
{
    return doc->name;
}

void az_doc_free(struct az_doc *doc)
{
    if (!doc)
        return;
    json_decref(doc->root);
    free(doc->tab);
    free(doc->name);
    free(doc);
}

/* ---- YAML ---- */

struct frame {
    json_t *node;      /* object or array being filled */
    char *pending_key; /* object: key waiting for its value */
    struct az_mark key_mark;
};

struct yload {
    struct az_ctx *ctx;
    struct az_doc *doc;
    yaml_parser_t parser;
    struct frame stack[AZ_DOC_MAX_DEPTH + 1];
    int depth;
    size_t nodes;
};

static struct az_mark mark_of(const yaml_mark_t *m)
{
    return (struct az_mark){(int)m->line + 1, (int)m->column + 1};
}

static int yfail(struct yload *L, const yaml_mark_t *m, const char *ja, const char *en)
{
    return az_fail(L->ctx, AZ_ESYNTAX, "%s:%d:%d: %s", "%s:%d:%d: %s", L->doc->name,
                   (int)m->line + 1, (int)m->column + 1, L->ctx->lang == AZ_LANG_EN ? en : ja);
}

/* Attach a finished node to the parent frame (or make it the root). */
static int attach(struct yload *L, json_t *node, const yaml_event_t *ev)
{
    struct frame *f;
    struct az_mark km = {0, 0};
    int r;

    if (++L->nodes > AZ_DOC_MAX_NODES) {
        json_decref(node);
        return az_fail(L->ctx, AZ_ERANGE, "%s: 要素が多すぎます (上限 %d)",
                       "%s: too many nodes (limit %d)", L->doc->name, AZ_DOC_MAX_NODES);
    }
    if (L->depth == 0) {
        if (L->doc->root) {
            json_decref(node);
            return yfail(L, &ev->start_mark, "文書が複数あります", "more than one document");
        }
        L->doc->root = node;
        return pos_put(L->doc, node, mark_of(&ev->start_mark), km);
    }
    f = &L->stack[L->depth - 1];
    if (json_is_array(f->node)) {
        if (json_array_append_new(f->node, node) < 0)
            return AZ_ENOMEM;
        return pos_put(L->doc, node, mark_of(&ev->start_mark), km);
    }
    /* object */
    if (!f->pending_key) {
        /* node is a key */
        if (!json_is_string(node)) {
            json_decref(node);
            return yfail(L, &ev->start_mark, "キーは文字列でなければなりません",
                         "mapping keys must be scalars");
        }
        f->pending_key = strdup(json_string_value(node));
        f->key_mark = mark_of(&ev->start_mark);
        json_decref(node);
        L->nodes--;
        return f->pending_key ? 0 : AZ_ENOMEM;
    }
    if (json_object_get(f->node, f->pending_key)) {
        int line = f->key_mark.line, col = f->key_mark.col;
        r = az_fail(L->ctx, AZ_ESYNTAX, "%s:%d:%d: キー \"%s\" が重複しています",
                    "%s:%d:%d: duplicate key \"%s\"", L->doc->name, line, col, f->pending_key);
        json_decref(node);
        return r;
    }
    if (json_object_set_new(f->node, f->pending_key, node) < 0)
        return AZ_ENOMEM;
    r = pos_put(L->doc, node, mark_of(&ev->start_mark), f->key_mark);
    free(f->pending_key);
    f->pending_key = NULL;
    return r;
}

static int push(struct yload *L, json_t *node, const yaml_event_t *ev)
{
    int r;

    if (L->depth >= AZ_DOC_MAX_DEPTH) {
        json_decref(node);
        return az_fail(L->ctx, AZ_ERANGE, "%s:%d:%d: 入れ子が深すぎます (上限 %d)",
                       "%s:%d:%d: nesting too deep (limit %d)", L->doc->name,
                       (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                       AZ_DOC_MAX_DEPTH);
    }
    json_incref(node);
    r = attach(L, node, ev);
    if (r < 0) {
        json_decref(node);
        return r;
    }
    L->stack[L->depth].node = node;
    L->stack[L->depth].pending_key = NULL;
    L->depth++;
    return 0;
}

static void pop(struct yload *L)
{
    struct frame *f = &L->stack[--L->depth];
    free(f->pending_key);
    json_decref(f->node);
}

static int yaml_to_json(struct yload *L)
{
    yaml_event_t ev;
    int r = 0;
    bool done = false;

    while (!done) {
        if (!yaml_parser_parse(&L->parser, &ev)) {
            const char *prob = L->parser.problem ? L->parser.problem : "syntax error";
            return az_fail(L->ctx, AZ_ESYNTAX, "%s:%d:%d: YAML の構文エラー: %s",
                           "%s:%d:%d: YAML syntax error: %s", L->doc->name,
                           (int)L->parser.problem_mark.line + 1,
                           (int)L->parser.problem_mark.column + 1, prob);
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_ALIAS_EVENT:
            r = yfail(L, &ev.start_mark, "エイリアス (*) は使えません",
                      "aliases (*) are not supported");
            break;
        case YAML_SCALAR_EVENT: {
            json_t *s;
            if (!ev.data.scalar.value || memchr(ev.data.scalar.value, '\0', ev.data.scalar.length))
                s = NULL;
            else
                s = json_stringn((const char *)ev.data.scalar.value, ev.data.scalar.length);
            if (!s) {
                r = yfail(L, &ev.start_mark, "文字列を扱えません", "unusable scalar");
                break;
            }
            r = attach(L, s, &ev);
            break;
        }
        case YAML_SEQUENCE_START_EVENT: {
            json_t *a = json_array(); /* push() takes this reference */
            r = a ? push(L, a, &ev) : AZ_ENOMEM;
            break;
        }
        case YAML_MAPPING_START_EVENT: {
            json_t *o = json_object(); /* push() takes this reference */
            r = o ? push(L, o, &ev) : AZ_ENOMEM;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            pop(L);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (r < 0)
            return r == AZ_ENOMEM ? az_fail(L->ctx, r, "メモリ不足", "out of memory") : r;
    }
    return 0;
}

/* ---- JSON fallback: jansson, then every scalar becomes a string ---- */

static json_t *stringify(json_t *v)
{
    char tmp[64];

    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            json_t *n = stringify(x);
            if (!n || json_object_set_new(v, k, n) < 0)
                return NULL;
        }
        return json_incref(v);
    }
    case JSON_ARRAY:
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *n = stringify(json_array_get(v, i));
            if (!n || json_array_set_new(v, i, n) < 0)
                return NULL;
        }
        return json_incref(v);
    case JSON_STRING:
        return json_string(json_string_value(v));
    case JSON_INTEGER:
        snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return json_string(tmp);
    case JSON_REAL:
        snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
        return json_string(tmp);
    case JSON_TRUE:
        return json_string("true");
    case JSON_FALSE:
        return json_string("false");
    default:
        return json_string("");
    }
}

int az_doc_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                struct az_doc **ret)
{
    struct az_doc *doc;
    struct yload L;
    int r;

    doc = calloc(1, sizeof(*doc));
    if (!doc || !(doc->name = strdup(name))) {
        free(doc);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    memset(&L, 0, sizeof(L));
    L.ctx = ctx;
    L.doc = doc;
    if (!yaml_parser_initialize(&L.parser)) {
        az_doc_free(doc);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)data, len);
    r = yaml_to_json(&L);
    while (L.depth > 0)
        pop(&L);
    yaml_parser_delete(&L.parser);

    if (r == AZ_ESYNTAX) {
        /* Maybe JSON that libyaml (YAML 1.1) rejects, e.g. {"a":1}. */
        size_t i = 0;
        while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
            i++;
        if (i < len && (data[i] == '{' || data[i] == '[')) {
            json_error_t jerr;
            json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
            if (!j) {
                r = az_fail(ctx, AZ_ESYNTAX, "%s:%d:%d: JSON の構文エラー: %s",
                            "%s:%d:%d: JSON syntax error: %s", name, jerr.line, jerr.column,
                            jerr.text);
            } else {
                json_t *s = stringify(j);
                json_decref(j);
                if (!s) {
                    r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
                } else {
                    json_decref(doc->root);
                    doc->root = s;
                    free(doc->tab);
                    doc->tab = NULL;
                    doc->cap = doc->count = 0;
                    r = 0; /* JSON nodes carry no positions: errors name the path */
                }
            }
        }
    }
    if (r < 0) {
        az_doc_free(doc);
        return r;
    }
    if (!doc->root) {
        az_doc_free(doc);
        return az_fail(ctx, AZ_ESYNTAX, "%s: 空のファイルです", "%s: empty document", name);
    }
    *ret = doc;
    return 0;
}

int az_doc_load_file(struct az_ctx *ctx, const char *path, struct az_doc **ret)
{
    char *data;
    size_t len;
    int r = az_read_text_file(ctx, path, &data, &len);

    if (r < 0)
        return r;
    r = az_doc_load(ctx, path, data, len, ret);
    free(data);
    return r;
}
