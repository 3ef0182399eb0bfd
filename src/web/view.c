/* SPDX-License-Identifier: MIT */
/*
 * view.c - the web UI's pages are templates (the .html files of src/web/templates/,
 * rendered by lib/report/tmpl.c, which escapes every value): this file
 * parses them once at start into a read-only set, loads the labels of
 * both languages (templates/messages.yaml) and checks that every label a
 * template names exists in both, and renders a page from the view data a
 * handler built plus what every page shows (the user, the navigation, the
 * CSRF token).
 *
 * Handlers put only data into the view (strings, numbers, booleans from
 * the core structures); the only markup that is not escaped is what the
 * caller passes as `raw` (the QR code SVG made by az_qr_svg).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/doc.h"
#include "anzen/tmpl.h"
#include "web.h"

#define WEB_PAGE_MAX (8u << 20) /* bytes of one rendered page */
#define MESSAGES     "messages.yaml"

/* ---- building view data ---- */

void v_str(json_t *o, const char *k, const char *s)
{
    /* invalid UTF-8 (a form field) is kept: the escaper replaces it */
    json_object_set_new(o, k, json_string_nocheck(s ? s : ""));
}

void v_int(json_t *o, const char *k, long long n)
{
    json_object_set_new(o, k, json_integer((json_int_t)n));
}

void v_bool(json_t *o, const char *k, bool b)
{
    json_object_set_new(o, k, json_boolean(b));
}

json_t *v_obj(json_t *o, const char *k)
{
    json_t *x = json_object();

    return json_object_set_new(o, k, x) < 0 ? NULL : x;
}

json_t *v_arr(json_t *o, const char *k)
{
    json_t *x = json_array();

    return json_object_set_new(o, k, x) < 0 ? NULL : x;
}

json_t *v_push(json_t *arr)
{
    json_t *x = json_object();

    return json_array_append_new(arr, x) < 0 ? NULL : x;
}

void v_push_str(json_t *arr, const char *s)
{
    json_array_append_new(arr, json_string_nocheck(s ? s : ""));
}

/* ---- loading ---- */

/* The labels of one language: the tree of messages.yaml with every
 * {ja, en} leaf replaced by its text in lang. */
static int labels_of(struct az_ctx *ctx, const struct az_doc *doc, const json_t *node,
                     const char *path, enum az_lang lang, json_t **ret)
{
    const char *k;
    json_t *v, *out;
    struct az_mark m = az_doc_mark(doc, node);

    if (!json_is_object(node) || !json_object_size(node))
        return az_fail(ctx, AZ_ESYNTAX, "%s:%d:%d: %s: ラベルか、ラベルのまとまりが必要です",
                       "%s:%d:%d: %s: expected a label or a group of labels", az_doc_name(doc),
                       m.line, m.col, path);
    if (json_object_get(node, "ja") || json_object_get(node, "en")) {
        const json_t *ja = json_object_get(node, "ja"), *en = json_object_get(node, "en");
        if (json_object_size(node) != 2 || !json_is_string(ja) || !json_is_string(en) ||
            !json_string_length(ja) || !json_string_length(en))
            return az_fail(ctx, AZ_ESYNTAX,
                           "%s:%d:%d: %s: ラベルには ja と en の文字列が 1 つずつ要ります",
                           "%s:%d:%d: %s: a label needs one ja and one en string, nothing else",
                           az_doc_name(doc), m.line, m.col, path);
        *ret = json_incref(lang == AZ_LANG_EN ? (json_t *)en : (json_t *)ja);
        return 0;
    }
    if (!(out = json_object()))
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    json_object_foreach((json_t *)node, k, v)
    {
        char sub[256];
        json_t *x;
        int r;
        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
        if ((r = labels_of(ctx, doc, v, sub, lang, &x)) < 0) {
            json_decref(out);
            return r;
        }
        json_object_set_new(out, k, x);
    }
    *ret = out;
    return 0;
}

/* Every {{t.a.b}} (also as a section) in a template must name a label of
 * both languages: a missing one would print nothing. */
static int check_labels(struct az_ctx *ctx, const struct az_file_blob *b, json_t *const labels[2])
{
    const char *s = b->data, *end = b->data + b->len;
    int line = 1;
    const char *bol = s;

    for (const char *p = s; p + 4 < end; p++) {
        const char *n, *e;
        if (*p == '\n') {
            line++;
            bol = p + 1;
            continue;
        }
        if (p[0] != '{' || p[1] != '{')
            continue;
        n = p + 2;
        if (n < end && (*n == '#' || *n == '^' || *n == '/'))
            n++;
        while (n < end && *n == ' ')
            n++;
        if (end - n < 3 || n[0] != 't' || n[1] != '.')
            continue;
        for (e = n + 2; e < end && *e && strchr("abcdefghijklmnopqrstuvwxyz0123456789_.", *e); e++)
            ;
        for (int l = 0; l < 2; l++) {
            const json_t *v = labels[l];
            const char *seg = n + 2;
            while (v && seg < e) {
                const char *dot = memchr(seg, '.', (size_t)(e - seg));
                size_t sl = dot ? (size_t)(dot - seg) : (size_t)(e - seg);
                v = json_object_getn(v, seg, sl);
                seg += sl + 1;
            }
            if (!json_is_string(v))
                return az_fail(ctx, AZ_ENOTFOUND,
                               "%s:%d:%d: ラベル \"%.*s\" が " MESSAGES " にありません",
                               "%s:%d:%d: no label \"%.*s\" in " MESSAGES,
                               strchr(b->name, ':') ? strchr(b->name, ':') + 1 : b->name, line,
                               (int)(p - bol) + 1, (int)(e - n), n);
        }
        p = e - 1;
    }
    return 0;
}

int web_views_load(struct az_ctx *ctx, struct web *w)
{
    const struct az_file_blob *msgs = NULL;
    struct az_doc *doc = NULL;
    int r;

    for (size_t i = 0; i < az_embedded_web_tmpl_n; i++)
        if (!strcmp(az_embedded_web_tmpl[i].name, "embedded:" MESSAGES))
            msgs = &az_embedded_web_tmpl[i];
    if (!msgs)
        return az_fail(ctx, AZ_ENOTFOUND, "画面のラベル (" MESSAGES ") がありません",
                       "the pages' labels (" MESSAGES ") are missing");
    if ((r = az_doc_load(ctx, msgs->name, msgs->data, msgs->len, &doc)) < 0)
        return r;
    for (int l = 0; l < 2 && r == 0; l++)
        r = labels_of(ctx, doc, az_doc_root(doc), "", l ? AZ_LANG_EN : AZ_LANG_JA, &w->labels[l]);
    az_doc_free(doc);
    for (size_t i = 0; i < az_embedded_web_tmpl_n && r == 0; i++)
        if (strstr(az_embedded_web_tmpl[i].name, ".html"))
            r = check_labels(ctx, &az_embedded_web_tmpl[i], w->labels);
    if (r == 0 && (r = az_tmpl_set_new(ctx, &w->views)) == 0 &&
        (r = az_tmpl_add_blobs(ctx, w->views, az_embedded_web_tmpl, az_embedded_web_tmpl_n,
                               ".html")) == 0)
        r = az_tmpl_check(ctx, w->views);
    if (r < 0)
        web_views_free(w);
    return r;
}

void web_views_free(struct web *w)
{
    az_tmpl_set_free(w->views);
    w->views = NULL;
    for (int l = 0; l < 2; l++) {
        json_decref(w->labels[l]);
        w->labels[l] = NULL;
    }
}

/* ---- rendering ---- */

void web_view_csrf(struct req *q, json_t *vars)
{
    v_str(vars, "csrf", web_csrf_token(q));
}

void web_page(struct req *q, int status, const char *name, json_t *vars, json_t *raw)
{
    struct az_buf b;
    struct az_ctx ctx;
    json_t *me, *here;
    char key[64];

    if (!vars)
        vars = json_object();
    v_str(vars, "lang", q->lang == AZ_LANG_EN ? "en" : "ja");
    json_object_set(vars, "t", q->w->labels[q->lang == AZ_LANG_EN]);
    v_str(vars, "version", AZ_VERSION);
    v_bool(vars, "session", q->have_session);
    v_bool(vars, "signed_in", q->signed_in);
    {
        char *self = web_self_url(q);
        v_str(vars, "self", self ? self : "/");
        free(self);
    }
    if (q->have_session && !json_object_get(vars, "csrf"))
        web_view_csrf(q, vars);
    if (q->signed_in) {
        v_bool(vars, "vendor_user", q->user.role == AZ_UR_VENDOR);
        me = v_obj(vars, "me");
        v_str(me, "display", q->user.display);
        v_str(me, "role", az_user_role_name(q->user.role, q->lang));
        v_bool(me, "admin", q->user.admin);
        /* here.PAGE for the navigation: "/" is home, "/admin/users" admin_users */
        if (strlen(q->url) < sizeof(key)) {
            snprintf(key, sizeof(key), "%s", q->url[1] ? q->url + 1 : "home");
            for (char *c = key; *c; c++)
                if (*c == '/')
                    *c = '_';
            here = v_obj(vars, "here");
            v_bool(here, key, true);
        }
    }
    if (q->w->page_vars)
        q->w->page_vars(q, vars); /* another site's frame (the hub's) */
    az_ctx_init(&ctx, q->lang);
    az_buf_init(&b, WEB_PAGE_MAX);
    if (az_tmpl_render(&ctx, q->w->views, name, vars, raw, &b) < 0) {
        /* a bug in a template, or a page beyond WEB_PAGE_MAX: say so in
         * the server's log, not to the visitor */
        fprintf(stderr, "anzen serve: %s\n", az_errmsg(&ctx));
        az_buf_done(&b);
        json_decref(vars);
        json_decref(raw);
        web_plain(q, 500, "internal error\n");
        return;
    }
    json_decref(vars);
    json_decref(raw);
    web_html(q, status, az_buf_take(&b));
}
