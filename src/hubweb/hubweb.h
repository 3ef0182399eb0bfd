/* SPDX-License-Identifier: MIT */
/*
 * hubweb.h - the web UI of `anzen hub serve` (src/hubweb/): the
 * workspace server of src/web/ (TLS, accounts, sessions, CSRF, TOTP,
 * throttling, the audit log, the slow-client front) with the hub's own
 * pages, scoped by the user's hub role, and the endpoint that receives
 * bundles (POST /api/v1/bundles).
 *
 * Accounts live in a SQLite file in the hub's state directory
 * (hub-accounts.db, the same store and code as `anzen serve`); the hub
 * role of each user (its scope) is a table of that file (hub_scope), and
 * the members of each medical association another (hub_assoc).
 */
#ifndef ANZEN_HUBWEB_H
#define ANZEN_HUBWEB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>

#include "../web/web.h"
#include "anzen/hub.h"

#define HUB_ACCOUNTS "hub-accounts.db"
#define HUB_SPOOL    "spool"
#define HUB_PAGE     50 /* institutions per page */

/* What a hub user may see. */
enum hub_scope_kind {
    HS_NONE = 0, /* nothing (no hub role given yet) */
    HS_ALL,      /* hub administrator: everything */
    HS_GROUP,    /* one hospital group */
    HS_PREF,     /* one prefecture */
    HS_ASSOC,    /* a medical association: a set of institutions */
};
struct hub_scope {
    enum hub_scope_kind kind;
    int pref;        /* HS_PREF */
    char value[128]; /* the group or association name */
    char *members;   /* HS_ASSOC: a text[] literal of the members ("{a,b}"), owned */
    int nmembers;
};
void hub_scope_clear(struct hub_scope *s);

/* ---- scope.c: hub roles in the account file (also for the CLI) ---- */
struct sqlite3;
/* Open the account file's own tables (created when missing). */
int hub_scope_open(struct az_ctx *ctx, const char *db, struct sqlite3 **ret);
void hub_scope_close(struct sqlite3 *d);
/* Parse "all", "group:NAME", "prefecture:P", "association:NAME". */
int hub_scope_parse(struct az_ctx *ctx, const char *text, struct hub_scope *ret);
/* The stored scope of user (HS_NONE when none). */
int hub_scope_get(struct az_ctx *ctx, struct sqlite3 *d, const char *user, struct hub_scope *ret);
int hub_scope_set(struct az_ctx *ctx, struct sqlite3 *d, const char *user, const char *text);
/* Replace the members of an association. */
int hub_assoc_set(struct az_ctx *ctx, struct sqlite3 *d, const char *name, char *const *ids, int n);
/* {user: scope text} and {association: [ids]} */
int hub_scope_list(struct az_ctx *ctx, struct sqlite3 *d, json_t **users, json_t **assocs);
/* The scope as text ("prefecture:13") for lists and the audit log. */
void hub_scope_text(const struct hub_scope *s, char *out, size_t n);
/* The scope in words ("都道府県: 埼玉県", "prefecture: Saitama"). */
void hub_scope_words(const struct hub_scope *s, enum az_lang lang, char *out, size_t n);

/* ---- hubweb.c ---- */
struct hubweb {
    struct az_hub *hub;   /* az_hub_* (ingest, report) */
    PGconn *pg;           /* the pages' own queries */
    pthread_mutex_t lock; /* guards hub, pg and sq */
    struct sqlite3 *sq;   /* hub_scope, hub_assoc */
    char *state, *spool;
    bool have_box;
    unsigned char box_pk[32], box_sk[32];
    int rate; /* bundles per minute from one address */
    json_t *labels[2];
    struct az_catalog *cat; /* the items' titles for the topics shown */
};
/* The title of a bundle's topic ("patches": the item of the newest
 * checklist whose ID ends in it), or the topic itself. */
const char *hub_topic_title(struct req *q, const char *topic);
/* Make w serve the hub (routes, hooks); hw is kept in w->app. */
int hubweb_setup(struct az_ctx *ctx, struct web *w, struct hubweb *hw);
void hubweb_free(struct hubweb *hw);
/* The request's hub scope (the signed-in user's); false after answering
 * 403 when the user has none. */
bool hub_user_scope(struct req *q, struct hub_scope *s);
/* Pick the string for the request's language. */
#define HW(q) ((struct hubweb *)(q)->w->app)

/* ---- pages.c ---- */
void hub_page_overview(struct req *q);
void hub_page_institutions(struct req *q);
void hub_page_institution(struct req *q);
void hub_page_report(struct req *q);

/* ---- admin.c ---- */
void hub_page_scopes(struct req *q);

/* ---- api.c ---- */
int hub_api_chunk(struct req *q, const char *data, size_t len);
void hub_api_too_big(struct req *q);
void hub_api_bundles(struct req *q);

#endif
