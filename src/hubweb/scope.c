/* SPDX-License-Identifier: MIT */
/*
 * scope.c - the hub roles of the hub's users: which group, prefecture or
 * medical association each one sees. They are two tables of the hub's
 * account file (hub-accounts.db, whose users, sessions and audit log are
 * lib/store's), kept with a connection of their own: hub_scope (user ->
 * "all" | "group:G" | "prefecture:P" | "association:A") and hub_assoc
 * (association -> institution ids). A user without a row sees nothing;
 * administrators see everything.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/util.h"
#include "hubweb.h"

void hub_scope_clear(struct hub_scope *s)
{
    free(s->members);
    memset(s, 0, sizeof(*s));
}

static int sq_fail(struct az_ctx *ctx, sqlite3 *d)
{
    return az_fail(ctx, AZ_EIO, "アカウントのファイル: %s", "the account file: %s",
                   d ? sqlite3_errmsg(d) : "?");
}

/* Scopes stored by older versions in another form (prefecture:埼玉,
 * prefecture:saitama) are rewritten in the one form hub_scope_set stores
 * (prefecture:11); a row that does not parse is left alone (it gives
 * nothing, as before). Best effort: a read-only file keeps its rows,
 * which parse the same. */
static void migrate(sqlite3 *d)
{
    sqlite3_stmt *st = NULL, *up = NULL;
    struct az_ctx quiet;

    az_ctx_init(&quiet, AZ_LANG_EN);
    if (sqlite3_prepare_v2(d, "SELECT name, scope FROM hub_scope", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(d, "UPDATE hub_scope SET scope = ? WHERE name = ?", -1, &up, NULL) !=
            SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 1);
        struct hub_scope s;
        char norm[200];
        if (!name || !text || hub_scope_parse(&quiet, text, &s) < 0)
            continue;
        hub_scope_text(&s, norm, sizeof(norm));
        if (!strcmp(norm, text))
            continue;
        sqlite3_reset(up);
        sqlite3_bind_text(up, 1, norm, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(up, 2, name, -1, SQLITE_TRANSIENT);
        (void)sqlite3_step(up);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(up);
}

int hub_scope_open(struct az_ctx *ctx, const char *db, sqlite3 **ret)
{
    sqlite3 *d = NULL;

    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        int r = az_fail(ctx, AZ_EIO, "%s: 開けません: %s", "%s: cannot open: %s", db,
                        d ? sqlite3_errmsg(d) : "?");
        sqlite3_close(d);
        return r;
    }
    sqlite3_busy_timeout(d, 5000);
    if (sqlite3_exec(d,
                     "CREATE TABLE IF NOT EXISTS hub_scope (name TEXT PRIMARY KEY COLLATE NOCASE,"
                     " scope TEXT NOT NULL);"
                     "CREATE TABLE IF NOT EXISTS hub_assoc (assoc TEXT NOT NULL, institution TEXT"
                     " NOT NULL, PRIMARY KEY (assoc, institution));",
                     NULL, NULL, NULL) != SQLITE_OK) {
        int r = sq_fail(ctx, d);
        sqlite3_close(d);
        return r;
    }
    migrate(d);
    *ret = d;
    return 0;
}

void hub_scope_close(sqlite3 *d)
{
    sqlite3_close(d);
}

/* A group or association name: printable, no commas or braces (the
 * member list is a text[] literal), 1..120 bytes. */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 120)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* A prefecture as people type it: full-width digits and letters ("１１",
 * "ｓａｉｔａｍａ") folded to ASCII and spaces around it ignored, then
 * az_pref_code (a code, 埼玉県, 埼玉 or Saitama). 0 when unknown. */
static int pref_of(const char *v)
{
    char buf[128];
    size_t k = 0;
    const unsigned char *p = (const unsigned char *)v;

    while (*p && k + 4 < sizeof(buf)) {
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) {
            buf[k++] = (char)(p[2] - 0x60);
            p += 3;
        } else if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E) {
            buf[k++] = (char)(p[2] - 0x20);
            p += 3;
        } else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) { /* ideographic space */
            p += 3;
        } else if (*p == ' ' || *p == '\t') {
            p++;
        } else {
            buf[k++] = (char)*p++;
        }
    }
    if (*p)
        return 0;
    buf[k] = 0;
    return az_pref_code(buf);
}

int hub_scope_parse(struct az_ctx *ctx, const char *text, struct hub_scope *ret)
{
    const char *colon = strchr(text, ':');
    const char *v = colon ? colon + 1 : "";
    size_t kl = colon ? (size_t)(colon - text) : strlen(text);

    memset(ret, 0, sizeof(*ret));
    if (!strcmp(text, "all")) {
        ret->kind = HS_ALL;
        return 0;
    }
    if (colon && name_ok(v)) {
        snprintf(ret->value, sizeof(ret->value), "%s", v);
        if (kl == 5 && !strncmp(text, "group", 5)) {
            ret->kind = HS_GROUP;
            return 0;
        }
        if (kl == 11 && !strncmp(text, "association", 11)) {
            ret->kind = HS_ASSOC;
            return 0;
        }
        if (kl == 10 && !strncmp(text, "prefecture", 10) && (ret->pref = pref_of(v))) {
            ret->kind = HS_PREF;
            snprintf(ret->value, sizeof(ret->value), "%d", ret->pref);
            return 0;
        }
    }
    return az_fail(ctx, AZ_EINVAL,
                   "範囲 \"%s\" が分かりません (all, group:グループ, prefecture:都道府県, "
                   "association:医師会)",
                   "unknown scope \"%s\" (all, group:NAME, prefecture:P, association:NAME)", text);
}

void hub_scope_text(const struct hub_scope *s, char *out, size_t n)
{
    switch (s->kind) {
    case HS_ALL:
        snprintf(out, n, "all");
        break;
    case HS_GROUP:
        snprintf(out, n, "group:%s", s->value);
        break;
    case HS_PREF:
        snprintf(out, n, "prefecture:%d", s->pref);
        break;
    case HS_ASSOC:
        snprintf(out, n, "association:%s", s->value);
        break;
    default:
        snprintf(out, n, "none");
    }
}

void hub_scope_words(const struct hub_scope *s, enum az_lang lang, char *out, size_t n)
{
    bool en = lang == AZ_LANG_EN;

    switch (s->kind) {
    case HS_ALL:
        snprintf(out, n, "%s", en ? "everything" : "すべて");
        break;
    case HS_GROUP:
        snprintf(out, n, en ? "group: %s" : "グループ: %s", s->value);
        break;
    case HS_PREF:
        snprintf(out, n, en ? "prefecture: %s" : "都道府県: %s", az_pref_name(s->pref, lang));
        break;
    case HS_ASSOC:
        snprintf(out, n, en ? "association: %s" : "医師会: %s", s->value);
        break;
    default:
        snprintf(out, n, "%s", en ? "nothing" : "なし");
    }
}

static int load_members(struct az_ctx *ctx, sqlite3 *d, struct hub_scope *s)
{
    sqlite3_stmt *st = NULL;
    struct az_buf b;
    int rc;

    if (sqlite3_prepare_v2(d, "SELECT institution FROM hub_assoc WHERE assoc = ? ORDER BY 1", -1,
                           &st, NULL) != SQLITE_OK)
        return sq_fail(ctx, d);
    sqlite3_bind_text(st, 1, s->value, -1, SQLITE_TRANSIENT);
    az_buf_init(&b, 16u << 20);
    az_buf_puts(&b, "{");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* ids are [A-Za-z0-9._-]: nothing to quote in the literal */
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (!id || !id_ok(id))
            continue;
        if (s->nmembers++)
            az_buf_puts(&b, ",");
        az_buf_puts(&b, id);
    }
    az_buf_puts(&b, "}");
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        az_buf_done(&b);
        return sq_fail(ctx, d);
    }
    if (!(s->members = az_buf_take(&b)))
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    return 0;
}

int hub_scope_get(struct az_ctx *ctx, sqlite3 *d, const char *user, struct hub_scope *ret)
{
    sqlite3_stmt *st = NULL;
    int rc, r = 0;

    memset(ret, 0, sizeof(*ret));
    if (sqlite3_prepare_v2(d, "SELECT scope FROM hub_scope WHERE name = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return sq_fail(ctx, d);
    sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        struct az_ctx quiet;
        az_ctx_init(&quiet, AZ_LANG_EN);
        /* a row that does not parse (edited by hand) gives nothing */
        if (hub_scope_parse(&quiet, (const char *)sqlite3_column_text(st, 0), ret) < 0)
            memset(ret, 0, sizeof(*ret));
    } else if (rc != SQLITE_DONE) {
        r = sq_fail(ctx, d);
    }
    sqlite3_finalize(st);
    if (r == 0 && ret->kind == HS_ASSOC)
        r = load_members(ctx, d, ret);
    return r;
}

int hub_scope_set(struct az_ctx *ctx, sqlite3 *d, const char *user, const char *text)
{
    struct hub_scope s;
    sqlite3_stmt *st = NULL;
    char norm[200];
    int r;

    if ((r = hub_scope_parse(ctx, text, &s)) < 0)
        return r;
    hub_scope_text(&s, norm, sizeof(norm));
    if (sqlite3_prepare_v2(d, "INSERT OR REPLACE INTO hub_scope (name, scope) VALUES (?, ?)", -1,
                           &st, NULL) != SQLITE_OK)
        return sq_fail(ctx, d);
    sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, norm, -1, SQLITE_TRANSIENT);
    r = sqlite3_step(st) == SQLITE_DONE ? 0 : sq_fail(ctx, d);
    sqlite3_finalize(st);
    return r;
}

int hub_assoc_set(struct az_ctx *ctx, sqlite3 *d, const char *name, char *const *ids, int n)
{
    sqlite3_stmt *st = NULL;
    int r = 0;

    if (!name_ok(name))
        return az_fail(ctx, AZ_EINVAL, "医師会の名前 \"%s\" は使えません",
                       "invalid association name \"%s\"", name);
    for (int i = 0; i < n; i++)
        if (!id_ok(ids[i]))
            return az_fail(ctx, AZ_EINVAL, "機関 ID \"%s\" は使えません",
                           "invalid institution id \"%s\"", ids[i]);
    if (sqlite3_exec(d, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(ctx, d);
    if (sqlite3_prepare_v2(d, "DELETE FROM hub_assoc WHERE assoc = ?", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(d, "INSERT OR IGNORE INTO hub_assoc (assoc, institution) VALUES (?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (int i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, ids[i], -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto fail;
    }
    sqlite3_finalize(st);
    if (sqlite3_exec(d, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    return 0;
fail:
    r = sq_fail(ctx, d);
    sqlite3_finalize(st);
    sqlite3_exec(d, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

int hub_scope_list(struct az_ctx *ctx, sqlite3 *d, json_t **users, json_t **assocs)
{
    sqlite3_stmt *st = NULL;
    json_t *u = json_object(), *a = json_object();

    if (sqlite3_prepare_v2(d, "SELECT name, scope FROM hub_scope ORDER BY 1", -1, &st, NULL) !=
        SQLITE_OK)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(u, (const char *)sqlite3_column_text(st, 0),
                            json_string((const char *)sqlite3_column_text(st, 1)));
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(d, "SELECT assoc, institution FROM hub_assoc ORDER BY 1, 2", -1, &st,
                           NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        json_t *arr = json_object_get(a, k);
        if (!arr) {
            arr = json_array();
            json_object_set_new(a, k, arr);
        }
        json_array_append_new(arr, json_string((const char *)sqlite3_column_text(st, 1)));
    }
    sqlite3_finalize(st);
    *users = u;
    *assocs = a;
    return 0;
fail:
    json_decref(u);
    json_decref(a);
    return sq_fail(ctx, d);
}
