/* SPDX-License-Identifier: MIT */
/* hub_internal.h - what the files of lib/hub share. */
#ifndef ANZEN_HUB_INTERNAL_H
#define ANZEN_HUB_INTERNAL_H

#include <libpq-fe.h>
#include <time.h>

#include "anzen/hub.h"

struct az_hub {
    PGconn *c;
    size_t ingest_batch; /* institutions per ingest transaction (0: the default) */
    int fy;              /* az_hub_default_fy's answer, */
    time_t fy_at;        /* and when (0: none; an ingest clears it) */
};

int hub_pg_fail(struct az_ctx *ctx, PGconn *c, const char *what);
int hub_exec(struct az_ctx *ctx, PGconn *c, const char *sql);
/* Reconnect a connection the server dropped (once); 0 when usable. */
int hub_reconnect(struct az_ctx *ctx, struct az_hub *h);
/* 0 when the schema is at this anzen's version, else AZ_ENOTFOUND. */
int hub_check_schema(struct az_ctx *ctx, struct az_hub *h);

/* Item status codes stored in item_status.status. */
enum { HUB_SAT, HUB_GAP, HUB_UNANSWERED, HUB_NA, HUB_NOTAPP };

#endif
