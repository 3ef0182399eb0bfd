/* SPDX-License-Identifier: MIT */
/*
 * backup.c - a consistent copy of a live workspace database with SQLite's
 * online backup API (store.h: az_store_backup). Writers in other
 * processes (the CLI, the web UI) go on while the copy is made: the
 * source is WAL, so the copy reads one snapshot and blocks nobody.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "anzen/store.h"

static int dberr(struct az_ctx *ctx, sqlite3 *db, const char *path, const char *ja, const char *en)
{
    const char *m = db ? sqlite3_errmsg(db) : "?";

    if (ctx->lang == AZ_LANG_EN)
        return az_fail(ctx, AZ_EIO, "%s: %s: %s", "%s: %s: %s", path, en, m);
    return az_fail(ctx, AZ_EIO, "%s: %s: %s", "%s: %s: %s", path, ja, m);
}

/* "ok" from PRAGMA integrity_check, else the first problem it names. */
static int check_integrity(struct az_ctx *ctx, sqlite3 *db, const char *path)
{
    sqlite3_stmt *s = NULL;
    int r = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return dberr(ctx, db, path, "整合性を確かめられません", "cannot check integrity");
    if (sqlite3_step(s) != SQLITE_ROW) {
        r = dberr(ctx, db, path, "整合性を確かめられません", "cannot check integrity");
    } else {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        if (!v || strcmp(v, "ok"))
            r = az_fail(ctx, AZ_EIO, "%s: 複製の整合性の検査に失敗しました: %s",
                        "%s: the copy fails the integrity check: %s", path, v ? v : "?");
    }
    sqlite3_finalize(s);
    return r;
}

int az_store_backup(struct az_ctx *ctx, const char *src_path, const char *dest_path)
{
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_backup *b;
    int rc, r = 0;

    if (access(src_path, F_OK) != 0)
        return az_fail(ctx, AZ_ENOTFOUND, "%s: ワークスペースがありません", "%s: no such workspace",
                       src_path);
    if (access(dest_path, F_OK) == 0)
        return az_fail(ctx, AZ_EINVAL, "%s: すでにあります (上書きしません)",
                       "%s: already exists (not overwritten)", dest_path);
    /* read-write without CREATE: a WAL reader may need to create -shm */
    if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        r = dberr(ctx, src, src_path, "ワークスペースを開けません", "cannot open the workspace");
        goto out;
    }
    sqlite3_busy_timeout(src, 60000);
    if (sqlite3_open_v2(dest_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        r = dberr(ctx, dst, dest_path, "複製を作れません", "cannot create the copy");
        goto out;
    }
    sqlite3_busy_timeout(dst, 60000);
    if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
        r = dberr(ctx, dst, dest_path, "複製を始められません", "cannot start the copy");
        goto out;
    }
    /* all pages in one step: one read transaction, so the copy is one
     * snapshot even while others write (they are not blocked under WAL);
     * a busy source (a checkpoint, a migration) is retried for a while */
    for (int tries = 0;; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_DONE)
            break;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 600) {
            nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
            continue;
        }
        sqlite3_backup_finish(b);
        r = az_fail(ctx, AZ_EIO, "%s: 複製に失敗しました: %s", "%s: the copy failed: %s", src_path,
                    sqlite3_errstr(rc));
        goto out;
    }
    if ((rc = sqlite3_backup_finish(b)) != SQLITE_OK) {
        r = az_fail(ctx, AZ_EIO, "%s: 複製に失敗しました: %s", "%s: the copy failed: %s", src_path,
                    sqlite3_errstr(rc));
        goto out;
    }
    /* one self-contained file: no -wal beside it */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        r = dberr(ctx, dst, dest_path, "複製を閉じられません", "cannot finish the copy");
        goto out;
    }
    r = check_integrity(ctx, dst, dest_path);
out:
    sqlite3_close(dst);
    sqlite3_close(src);
    return r;
}
