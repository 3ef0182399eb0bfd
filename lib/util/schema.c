/* SPDX-License-Identifier: MIT */
/*
 * schema.c - small schema checker over az_doc trees, collecting
 * "file:line:col: message" errors. Used by the catalog, profile and
 * answers loaders.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "anzen/date.h"

void av_init(struct av *v, struct az_ctx *ctx, const struct az_doc *doc, int max)
{
    v->ctx = ctx;
    v->doc = doc;
    az_buf_init(&v->errs, 64 * 1024);
    v->nerr = 0;
    v->max = max;
    v->code = 0;
}

void av_err(struct av *v, const json_t *node, const char *key, const char *ja, const char *en, ...)
{
    struct az_mark m;
    char msg[768];
    va_list ap;

    if (!v->code)
        v->code = AZ_ESCHEMA;
    v->nerr++;
    if (v->nerr > v->max)
        return;
    va_start(ap, en);
    vsnprintf(msg, sizeof(msg), v->ctx->lang == AZ_LANG_EN ? en : ja, ap);
    va_end(ap);
    m = key ? az_doc_key_mark(v->doc, node, key) : az_doc_mark(v->doc, node);
    if (v->errs.len)
        (void)az_buf_puts(&v->errs, "\n");
    if (m.line)
        (void)az_buf_printf(&v->errs, "%s:%d:%d: %s", az_doc_name(v->doc), m.line, m.col, msg);
    else
        (void)az_buf_printf(&v->errs, "%s: %s", az_doc_name(v->doc), msg);
}

bool av_object(struct av *v, const json_t *obj, const char *const *allowed, const char *what)
{
    const char *k;
    json_t *x;

    if (!json_is_object(obj)) {
        av_err(v, obj, NULL, "%s はマッピング (キー: 値) でなければなりません",
               "%s must be a mapping (key: value)", what);
        return false;
    }
    json_object_foreach((json_t *)obj, k, x)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0)
                ok = true;
        if (!ok)
            av_err(v, obj, k, "%s に未知のキー \"%s\" があります", "unknown key \"%s\" in %s",
                   v->ctx->lang == AZ_LANG_EN ? k : what, v->ctx->lang == AZ_LANG_EN ? what : k);
    }
    return true;
}

bool av_header(struct av *v, const json_t *root, const char *const *allowed, const char *what,
               const char *version_key)
{
    const char *s;

    if (!av_object(v, root, allowed, what))
        return false;
    s = av_str(v, root, version_key, true);
    if (!s)
        return false;
    if (strcmp(s, "1") != 0) {
        av_err(v, root, version_key, "対応していない形式の版 %s: \"%s\" (1 のみ)",
               "unsupported format version %s: \"%s\" (only 1)", version_key, s);
        return false;
    }
    return true;
}

const char *av_str(struct av *v, const json_t *obj, const char *key, bool required)
{
    json_t *x = json_object_get(obj, key);

    if (!x) {
        if (required)
            av_err(v, obj, NULL, "必須のキー \"%s\" がありません", "missing required key \"%s\"",
                   key);
        return NULL;
    }
    if (!json_is_string(x)) {
        av_err(v, obj, key, "\"%s\" は文字列でなければなりません", "\"%s\" must be a string", key);
        return NULL;
    }
    if (required && !json_string_value(x)[0]) {
        av_err(v, obj, key, "\"%s\" が空です", "\"%s\" is empty", key);
        return NULL;
    }
    return json_string_value(x);
}

bool av_text(struct av *v, const json_t *obj, const char *key, bool required, struct az_text *out)
{
    static const char *const keys[] = {"ja", "en", NULL};
    json_t *x = json_object_get(obj, key);

    out->ja = out->en = NULL;
    if (!x) {
        if (required)
            av_err(v, obj, NULL, "必須のキー \"%s\" がありません", "missing required key \"%s\"",
                   key);
        return !required;
    }
    if (!av_object(v, x, keys, key))
        return false;
    out->ja = av_str(v, x, "ja", false);
    out->en = av_str(v, x, "en", false);
    if (!out->ja || !out->ja[0])
        av_err(v, x, NULL, "\"%s\" に日本語 (ja) の文がありません",
               "\"%s\" is missing its Japanese (ja) text", key);
    if (!out->en || !out->en[0])
        av_err(v, x, NULL, "\"%s\" に英語 (en) の訳がありません",
               "\"%s\" is missing its English (en) translation", key);
    return out->ja && out->en && out->ja[0] && out->en[0];
}

json_t *av_list(struct av *v, const json_t *obj, const char *key, bool required)
{
    json_t *x = json_object_get(obj, key);

    if (!x) {
        if (required)
            av_err(v, obj, NULL, "必須のキー \"%s\" がありません", "missing required key \"%s\"",
                   key);
        return NULL;
    }
    if (!json_is_array(x)) {
        av_err(v, obj, key, "\"%s\" はリストでなければなりません", "\"%s\" must be a list", key);
        return NULL;
    }
    return x;
}

const char **av_strlist(struct av *v, const json_t *obj, const char *key, bool required,
                        size_t *ret_n)
{
    json_t *l = av_list(v, obj, key, required);
    const char **out;
    size_t n = 0;

    *ret_n = 0;
    if (!l)
        return NULL;
    out = calloc(json_array_size(l) + 1, sizeof(*out));
    if (!out)
        return NULL;
    for (size_t i = 0; i < json_array_size(l); i++) {
        json_t *e = json_array_get(l, i);
        if (!json_is_string(e) || !json_string_value(e)[0]) {
            av_err(v, e, NULL, "\"%s\" の要素は空でない文字列でなければなりません",
                   "elements of \"%s\" must be non-empty strings", key);
            continue;
        }
        out[n++] = json_string_value(e);
    }
    *ret_n = n;
    return out;
}

bool av_bool(struct av *v, const json_t *obj, const char *key, bool dflt)
{
    const char *s = av_str(v, obj, key, false);

    if (!s)
        return dflt;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "はい") || !strcmp(s, "あり"))
        return true;
    if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "いいえ") || !strcmp(s, "なし"))
        return false;
    av_err(v, obj, key, "\"%s\" は true か false (はい/いいえ) です: \"%s\"",
           "\"%s\" must be true or false (yes/no): \"%s\"", key, s);
    return dflt;
}

bool av_date(struct av *v, const json_t *obj, const char *key, bool required, struct az_date *out)
{
    const char *s = av_str(v, obj, key, required);

    if (!s)
        return false;
    if (az_date_parse(s, false, out) < 0) {
        av_err(v, obj, key, "\"%s\" の日付 \"%s\" が不正です (例: 2025-04-01, 令和7年4月1日)",
               "invalid date \"%s\" in \"%s\" (e.g. 2025-04-01, 令和7年4月1日)",
               v->ctx->lang == AZ_LANG_EN ? s : key, v->ctx->lang == AZ_LANG_EN ? key : s);
        return false;
    }
    return true;
}

int av_finish(struct av *v)
{
    int code = v->code;

    if (code) {
        if (v->nerr > v->max)
            (void)az_buf_printf(&v->errs,
                                v->ctx->lang == AZ_LANG_EN ? "\n(%d more errors not shown)"
                                                           : "\n(ほかに %d 件のエラー)",
                                v->nerr - v->max);
        az_fail(v->ctx, code, "%s", "%s", v->errs.data ? v->errs.data : "");
    }
    az_buf_done(&v->errs);
    return code;
}

bool az_is_token(const char *s)
{
    if (!s || !*s)
        return false;
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return false;
    return true;
}
