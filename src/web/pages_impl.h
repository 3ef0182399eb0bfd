/* SPDX-License-Identifier: MIT */
/*
 * pages_impl.h - what the workspace screens of the web UI share between
 * their files (pages.c, pages_ledger.c); not for the rest of the server.
 */
#ifndef ANZEN_WEB_PAGES_IMPL_H
#define ANZEN_WEB_PAGES_IMPL_H

#include <stddef.h>

#include "anzen/workspace.h"
#include "web.h"

#define WEB_PER_PAGE 100 /* rows of the ledger, cards of the plan, per page */

/* One request's view of the workspace (lib/workspace), in the request's
 * language and at the server's reference date. */
struct ws {
    struct az_ctx ctx;
    struct az_date as_of;
    struct az_workspace *w;
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
};

/* Open the workspace (no evaluation yet). 0 or an error in s->ctx. */
int pages_ws_open(struct req *q, struct ws *s);
void pages_ws_done(struct ws *s);
/* The shared view of the workspace (az_ws_cache); give it back with
 * pages_view_done. Returns 0, 1 when there is no profile yet, or -1
 * (message in s->ctx). */
int pages_ws_view(struct req *q, struct ws *s, struct az_ws_view **ret);
void pages_view_done(struct req *q, struct az_ws_view *v);
/* The error page for a workspace that could not be loaded. */
void pages_load_error(struct req *q, struct ws *s);
/* ?page=N of n rows: *first (0-based) and the pager's data in v. */
void pages_pager(struct req *q, json_t *v, size_t n, size_t *first, const char *const *keep,
                 const char *base);

#endif
