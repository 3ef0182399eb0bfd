/* SPDX-License-Identifier: MIT */
/*
 * sqlite_internal.h - what the files of the SQLite backend share: the
 * store itself and the transaction and change-log helpers of sqlite.c.
 */
#ifndef ANZEN_SQLITE_INTERNAL_H
#define ANZEN_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "anzen/anzen.h"

struct az_store {
    sqlite3 *db;
    int schema;
    char *path;
    /* statements prepared once and reused: every change writes a
     * change-log row and findings write evidence rows by the thousand */
    sqlite3_stmt *log_stmt, *evidence_stmt, *chain_stmt;
    /* the MAC key of the change log's hash chain (sqlite_audit.c) */
    unsigned char audit_key[32];
    bool audit_keyed;
};

/* UTC now as 2025-06-01T09:00:00Z. */
void az__store_now_iso(char *buf, size_t n);
/* Record the database's last error as AZ_EIO ("workspace <what> failed"). */
int az__store_dberr(struct az_store *st, struct az_ctx *ctx, const char *what);
int az__store_begin(struct az_store *st, struct az_ctx *ctx);
int az__store_commit(struct az_store *st, struct az_ctx *ctx);
void az__store_rollback(struct az_store *st);
/* Append a change-log entry inside the caller's transaction. */
int az__store_log(struct az_store *st, struct az_ctx *ctx, const char *who, const char *what,
                  const char *object, const char *before, const char *after);

/* Insert one evidence row (and its change-log entry) inside the caller's
 * transaction. */
int az__store_add_evidence(struct az_store *st, struct az_ctx *ctx, const char *item,
                           const char *kind, const char *description, const char *source,
                           const char *who);
/* sqlite_audit.c: load the log's MAC key from DB.key (made 0600 when
 * missing); append a chained row inside the caller's transaction; seal
 * the rows of a workspace older than the chain (once). */
int az__store_audit_key(struct az_store *st, struct az_ctx *ctx);
int az__store_chain_append(struct az_store *st, struct az_ctx *ctx, const char *at, const char *who,
                           const char *what, const char *object, const char *before,
                           const char *after);
int az__store_chain_seal_legacy(struct az_store *st, struct az_ctx *ctx);

#endif
