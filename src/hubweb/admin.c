/* SPDX-License-Identifier: MIT */
/*
 * admin.c - /admin/scopes: the hub administrator gives each user a scope
 * (all, a group, a prefecture, an association) and sets the members of
 * each association, as `anzen hub user scope` and `association` do.
 * Every change is in the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubweb.h"

#define MAX_MEMBERS 5000

static char *apply(struct req *q, bool *ok)
{
    struct hubweb *hw = HW(q);
    const char *action = web_field(q, "action");
    struct az_ctx ctx;
    int r;

    *ok = false;
    az_ctx_init(&ctx, q->lang);
    if (action && !strcmp(action, "scope")) {
        const char *user = web_field(q, "user"), *scope = web_field(q, "scope");
        struct az_user u;
        if (!user || !scope)
            return strdup(T(q, "利用者と範囲を指定してください。", "Give a user and a scope."));
        web_lock(q->w);
        r = az_store_user_get(q->w->st, &ctx, user, &u);
        web_unlock(q->w);
        if (r < 0)
            return az_fmt(T(q, "利用者 \"%s\" はいません。", "No user \"%s\"."), user);
        pthread_mutex_lock(&hw->lock);
        r = hub_scope_set(&ctx, hw->sq, u.name, scope);
        pthread_mutex_unlock(&hw->lock);
        if (r < 0)
            return strdup(az_errmsg(&ctx));
        {
            /* the one stored form in the log, and in words on the page */
            char obj[AZ_USER_NAME_MAX + 8], canon[200] = "", words[200] = "";
            struct hub_scope hs;
            if (hub_scope_parse(&ctx, scope, &hs) == 0) {
                hub_scope_text(&hs, canon, sizeof(canon));
                hub_scope_words(&hs, q->lang, words, sizeof(words));
            }
            snprintf(obj, sizeof(obj), "user:%s", u.name);
            web_audit(q, web_who(q), "hub-scope", obj, canon);
            *ok = true;
            return az_fmt(T(q, "%s の範囲を「%s」にしました。", "%s now sees %s."), u.name, words);
        }
    }
    if (action && !strcmp(action, "association")) {
        const char *name = web_field(q, "name"), *members = web_field(q, "members");
        char *copy, *save = NULL, **ids;
        int n = 0;
        if (!name)
            return strdup(T(q, "医師会の名前と会員を指定してください。",
                            "Give the association's name and members."));
        if (!members)
            members = ""; /* an empty list: refused below unless "clear" */
        if (!(copy = strdup(members)) || !(ids = calloc(MAX_MEMBERS, sizeof(char *)))) {
            free(copy);
            return strdup(T(q, "メモリ不足", "out of memory"));
        }
        for (char *t = strtok_r(copy, " \t\r\n,", &save); t;
             t = strtok_r(NULL, " \t\r\n,", &save)) {
            if (n == MAX_MEMBERS) {
                free(ids);
                free(copy);
                return az_fmt(T(q, "会員は %d 機関までです。", "At most %d members."), MAX_MEMBERS);
            }
            ids[n++] = t;
        }
        {
            /* no ids would leave it without members: only when asked */
            const char *cl = web_field(q, "clear");
            bool clear = cl && *cl;
            const char *why = NULL;
            if (clear && n)
                why = T(q, "「会員をすべて外す」と機関 ID は一緒に指定できません。",
                        "Give member IDs or \"remove all members\", not both.");
            else if (!clear && !n)
                why = T(q,
                        "会員の機関 ID を指定してください (会員をすべて外すには「会員をすべて外す」"
                        "を選んでください)。",
                        "Give the member institution IDs (to remove all members, tick \"remove "
                        "all members\").");
            if (why) {
                free(ids);
                free(copy);
                return strdup(why);
            }
        }
        pthread_mutex_lock(&hw->lock);
        r = hub_assoc_set(&ctx, hw->sq, name, ids, n);
        pthread_mutex_unlock(&hw->lock);
        free(ids);
        free(copy);
        if (r < 0)
            return strdup(az_errmsg(&ctx));
        {
            char obj[160], d[32];
            snprintf(obj, sizeof(obj), "association:%s", name);
            snprintf(d, sizeof(d), "%d members", n);
            web_audit(q, web_who(q), "hub-association", obj, d);
        }
        *ok = true;
        return az_fmt(
            T(q, "医師会 %s の会員を %d 機関にしました。", "Association %s now has %d members."),
            name, n);
    }
    return strdup(T(q, "不明な操作です。", "Unknown action."));
}

void hub_page_scopes(struct req *q)
{
    struct hubweb *hw = HW(q);
    json_t *v = json_object(), *users = NULL, *scopes = NULL, *assocs = NULL, *u, *arr, *ids;
    const char *k;
    size_t i;
    int r;

    if (q->post) {
        bool ok;
        char *msg = apply(q, &ok);
        v_str(v, "msg", msg);
        v_bool(v, "ok", ok);
        free(msg);
    }
    web_lock(q->w);
    r = az_store_users(q->w->st, &q->ctx, &users);
    web_unlock(q->w);
    if (r == 0) {
        pthread_mutex_lock(&hw->lock);
        r = hub_scope_list(&q->ctx, hw->sq, &scopes, &assocs);
        pthread_mutex_unlock(&hw->lock);
    }
    if (r < 0) {
        json_decref(v);
        json_decref(users);
        web_error(q, 500, "利用者を読めませんでした。", "The users could not be read.");
        return;
    }
    arr = v_arr(v, "users");
    json_array_foreach(users, i, u)
    {
        const char *name = json_string_value(json_object_get(u, "name"));
        json_t *o = v_push(arr);
        v_str(o, "name", name);
        v_str(o, "display", json_string_value(json_object_get(u, "display")));
        v_bool(o, "admin", json_is_true(json_object_get(u, "admin")));
        {
            /* a prefecture by its name, as it is typed (prefecture:東京都) */
            const char *sc = json_string_value(json_object_get(scopes, name ? name : ""));
            if (sc && !strncmp(sc, "prefecture:", 11)) {
                char buf[160];
                int code = az_pref_code(sc + 11);
                snprintf(buf, sizeof(buf), "prefecture:%s",
                         code ? az_pref_name(code, q->lang) : sc + 11);
                v_str(o, "scope", buf);
            } else {
                v_str(o, "scope", sc);
            }
        }
    }
    arr = v_arr(v, "assocs");
    json_object_foreach(assocs, k, ids)
    {
        json_t *o = v_push(arr), *id;
        size_t j;
        struct az_buf b;
        az_buf_init(&b, 1u << 20);
        json_array_foreach(ids, j, id)
        {
            if (j)
                az_buf_puts(&b, " ");
            az_buf_puts(&b, json_string_value(id));
        }
        v_str(o, "name", k);
        v_str(o, "members", b.data ? b.data : "");
        v_int(o, "n", (long long)json_array_size(ids));
        az_buf_done(&b);
    }
    json_decref(users);
    json_decref(scopes);
    json_decref(assocs);
    web_page(q, 200, "hub-scopes.html", v, NULL);
}
