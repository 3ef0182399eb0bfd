/* SPDX-License-Identifier: MIT */
/*
 * cache.c - one evaluated view of a workspace shared by every request of a
 * long-running front-end (the web UI), rebuilt only when a file of the
 * workspace or its store changed (workspace.h: az_ws_cache_*).
 *
 * The stamp of a workspace is a hash of the stat data (device, inode,
 * size, modification time in ns) of its directory and of every file the
 * view reads (profile, answers, every vendor-*.yaml, ledger, registry,
 * scan result, kev.json) plus the caller's store version. Writes replace
 * files by rename, which changes the inode and the directory; an editor
 * that rewrites in place changes size or mtime.
 */
#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anzen/workspace.h"

#define SLOTS 4 /* (language, reference date) pairs kept */

struct slot {
    bool used;
    uint64_t stamp;
    enum az_lang lang;
    struct az_date as_of;
    struct az_ws_view *v;
};

struct az_ws_cache {
    pthread_mutex_t mu;
    struct slot s[SLOTS];
    struct az_ws_lcheck *lc; /* the ledger check the newest views share */
    unsigned long builds;    /* how many views were built (for tests) */
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull; /* FNV-1a */
    }
    return h;
}

static uint64_t mix_stat(uint64_t h, const char *path)
{
    struct stat sb;
    int64_t v[5] = {0, 0, 0, 0, 0};

    if (path && stat(path, &sb) == 0) {
        v[0] = (int64_t)sb.st_dev;
        v[1] = (int64_t)sb.st_ino;
        v[2] = (int64_t)sb.st_size;
        v[3] = (int64_t)sb.st_mtim.tv_sec;
        v[4] = (int64_t)sb.st_mtim.tv_nsec;
    }
    h = mix(h, path ? path : "", path ? strlen(path) : 0);
    return mix(h, v, sizeof(v));
}

uint64_t az_ws_stamp(const struct az_workspace *ws, uint64_t store_version)
{
    uint64_t h = 14695981039346656037ull;
    const char *files[] = {ws->dir,     ws->profile, ws->answers, ws->ledger,
                           ws->vendors, ws->scan,    AZ_WS_KEV};
    DIR *d;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        h = mix_stat(h, files[i]);
    /* the vendor forms, whatever systems the profile names */
    if ((d = opendir(ws->dir))) {
        const struct dirent *e;
        while ((e = readdir(d))) {
            if (strncmp(e->d_name, "vendor-", 7) != 0)
                continue;
            char *p = NULL;
            if (asprintf(&p, "%s/%s", ws->dir, e->d_name) >= 0) {
                h = mix_stat(h, p);
                free(p);
            }
        }
        closedir(d);
    }
    /* the host audit: results are written by rename into audit/ (its
     * mtime changes), exceptions edited in place */
    char *p = NULL;
    if (asprintf(&p, "%s/audit", ws->dir) >= 0) {
        h = mix_stat(h, p);
        free(p);
    }
    if (asprintf(&p, "%s/audit-exceptions.yaml", ws->dir) >= 0) {
        h = mix_stat(h, p);
        free(p);
    }
    return mix(h, &store_version, sizeof(store_version));
}

uint64_t az_ws_lcheck_stamp(const struct az_workspace *ws)
{
    uint64_t h = 14695981039346656037ull;
    const char *files[] = {ws->ledger, ws->vendors, ws->profile, AZ_WS_KEV};

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        h = mix_stat(h, files[i]);
    h = mix(h, &ws->as_of, sizeof(ws->as_of));
    return mix(h, &ws->patch_days, sizeof(ws->patch_days));
}

int az_ws_cache_new(struct az_ws_cache **ret)
{
    struct az_ws_cache *c = calloc(1, sizeof(*c));

    if (!c)
        return AZ_ENOMEM;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return AZ_ENOMEM;
    }
    *ret = c;
    return 0;
}

/* Drop a reference (with c->mu held); the last one frees the view. */
static void unref(struct az_ws_view *v)
{
    if (v && --v->refs == 0)
        az_ws_view_free(v);
}

void az_ws_cache_free(struct az_ws_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < SLOTS; i++)
        if (c->s[i].used)
            unref(c->s[i].v);
    if (c->lc && --c->lc->refs == 0)
        az_ws_lcheck_free(c->lc);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int az_ws_cache_get(struct az_ws_cache *c, struct az_workspace *ws, struct az_ctx *ctx,
                    uint64_t store_version, az_ws_states_fn states, void *arg,
                    struct az_ws_view **ret)
{
    uint64_t stamp = az_ws_stamp(ws, store_version);
    struct slot *sl = NULL, *victim = &c->s[0];
    struct az_plan_state *st = NULL;
    size_t n = 0;
    int r;

    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < SLOTS; i++) {
        struct slot *x = &c->s[i];
        if (x->used && x->lang == ctx->lang && !az_date_cmp(x->as_of, ws->as_of))
            sl = x;
        if (!x->used || (victim->used && x->stamp != stamp))
            victim = x;
    }
    if (sl && sl->stamp == stamp) {
        sl->v->refs++;
        *ret = sl->v;
        pthread_mutex_unlock(&c->mu);
        return 0;
    }
    /* (re)build while holding the lock: concurrent requests wait for this
     * one build instead of each evaluating the workspace */
    if (!sl)
        sl = victim;
    if ((r = states ? states(arg, ctx, &st, &n) : 0) < 0 ||
        (r = az_ws_load_shared(ws, ctx, st, n, &c->lc, ret)) < 0) {
        az_plan_states_free(st, n);
        pthread_mutex_unlock(&c->mu);
        return r;
    }
    az_plan_states_free(st, n);
    if (sl->used)
        unref(sl->v);
    (*ret)->refs = 2; /* the slot's and the caller's */
    *sl = (struct slot){true, stamp, ctx->lang, ws->as_of, *ret};
    c->builds++;
    pthread_mutex_unlock(&c->mu);
    malloc_trim(0); /* the pages the build used and freed go back to the system */
    return 0;
}

void az_ws_cache_put(struct az_ws_cache *c, struct az_ws_view *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&c->mu);
    unref(v);
    pthread_mutex_unlock(&c->mu);
}

unsigned long az_ws_cache_builds(struct az_ws_cache *c)
{
    unsigned long n;

    pthread_mutex_lock(&c->mu);
    n = c->builds;
    pthread_mutex_unlock(&c->mu);
    return n;
}
