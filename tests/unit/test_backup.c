/* SPDX-License-Identifier: MIT */
/* Unit tests for the packaging support in libanzen: the online backup of a
 * workspace database (lib/store/backup.c) while another process writes,
 * the workspace archive (lib/workspace/backup.c), and the roff escaping
 * of the generated manual pages (lib/util/roff.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "anzen/store.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

static char dir[] = "/tmp/anzen-backup-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static long long scalar(const char *path, const char *sql, char *text, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    long long v = -1;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    if (text)
        snprintf(text, n, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* A child adds evidence records one transaction at a time while the
 * parent backs up: every copy passes integrity_check, holds a whole
 * number of the child's records (each with its change-log entry: no torn
 * transaction) and never fewer than the copy before. */
static void test_backup_while_writing(void **state)
{
    struct az_ctx ctx;
    struct az_store *st;
    char src[400], dst[400], ok[64];
    long long last = 0;
    pid_t pid;
    int status = 0, mid = 0;
    bool done = false;

    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    snprintf(src, sizeof(src), "%s/anzen.db", dir);
    assert_int_equal(az_store_open(&ctx, src, &st), 0);
    assert_int_equal(az_store_add_evidence(st, &ctx, "x.1", "note", "first", NULL, "t", NULL), 0);
    az_store_close(st);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct az_ctx cc;
        struct az_store *w;
        az_ctx_init(&cc, AZ_LANG_EN);
        if (az_store_open(&cc, src, &w) < 0)
            _exit(2);
        for (int i = 0; i < 300; i++)
            if (az_store_add_evidence(w, &cc, "x.2", "note", "concurrent", NULL, "t", NULL) < 0)
                _exit(3);
        az_store_close(w);
        _exit(0);
    }
    for (int k = 0; k < 400 && !done; k++) {
        long long ev, lg;
        snprintf(dst, sizeof(dst), "%s/copy%d.db", dir, k);
        assert_int_equal(az_store_backup(&ctx, src, dst), 0);
        scalar(dst, "PRAGMA integrity_check", ok, sizeof(ok));
        assert_string_equal(ok, "ok");
        ev = scalar(dst, "SELECT count(*) FROM evidence", NULL, 0);
        lg = scalar(dst, "SELECT count(*) FROM change_log WHERE object LIKE 'evidence:%'", NULL, 0);
        assert_true(ev >= 1 && ev >= last);
        assert_int_equal(ev, lg);
        last = ev;
        /* the copy is one file: no -wal needed beside it */
        scalar(dst, "PRAGMA journal_mode", ok, sizeof(ok));
        assert_string_equal(ok, "delete");
        mid += ev > 1 && ev < 301;
        assert_int_equal(unlink(dst), 0);
        done = waitpid(pid, &status, WNOHANG) == pid;
    }
    if (!done)
        assert_int_equal(waitpid(pid, &status, 0), pid);
    /* at least one copy was taken in the middle of the writes */
    assert_true(mid >= 1);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* after the writer: the copy has everything */
    snprintf(dst, sizeof(dst), "%s/final.db", dir);
    assert_int_equal(az_store_backup(&ctx, src, dst), 0);
    assert_int_equal(scalar(dst, "SELECT count(*) FROM evidence", NULL, 0), 301);
    /* never over an existing file, never from a missing one */
    assert_int_equal(az_store_backup(&ctx, src, dst), AZ_EINVAL);
    assert_non_null(strstr(az_errmsg(&ctx), "already exists"));
    snprintf(src, sizeof(src), "%s/none.db", dir);
    snprintf(dst, sizeof(dst), "%s/none-copy.db", dir);
    assert_int_equal(az_store_backup(&ctx, src, dst), AZ_ENOTFOUND);
    assert_int_equal(access(dst, F_OK), -1);
}

static void test_workspace_archive(void **state)
{
    struct az_ctx ctx;
    char ws[400], out[400], cmd[1200], path[500];
    size_t n = 0;
    struct stat sb;
    FILE *f;

    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    snprintf(ws, sizeof(ws), "%s/ws", dir);
    assert_int_equal(mkdir(ws, 0700), 0);
    snprintf(out, sizeof(out), "%s/ws.tar", dir);
    /* nothing there */
    assert_int_equal(az_ws_backup(&ctx, ws, "anzen.db", out, &n), AZ_ENOTFOUND);
    assert_int_equal(access(out, F_OK), -1);
    snprintf(path, sizeof(path), "%s/profile.yaml", ws);
    assert_non_null(f = fopen(path, "w"));
    fputs("institution: {name: テスト診療所}\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/notes.txt", ws);
    assert_non_null(f = fopen(path, "w"));
    fputs("not a workspace file\n", f);
    fclose(f);
    assert_int_equal(az_ws_backup(&ctx, ws, "anzen.db", out, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size % 512, 0);
    /* tar reads it back byte for byte */
    snprintf(path, sizeof(path), "%s/profile.yaml", ws);
    snprintf(cmd, sizeof(cmd),
             "mkdir '%s/r' && tar -xf '%s' -C '%s/r' && cmp -s '%s/r/profile.yaml' '%s' && "
             "test ! -e '%s/r/notes.txt'",
             dir, out, dir, dir, path, dir);
    assert_int_equal(system(cmd), 0);
    /* not over an existing file */
    assert_int_equal(az_ws_backup(&ctx, ws, "anzen.db", out, &n), AZ_EINVAL);
}

static void expect_roff(const char *in, const char *want)
{
    char *got = NULL;
    assert_int_equal(az_roff_escape(in, &got), 0);
    assert_string_equal(got, want);
    free(got);
}

static void test_roff(void **state)
{
    (void)state;
    expect_roff("", "");
    expect_roff("plain text", "plain text");
    expect_roff("--format text|json", "\\-\\-format text|json");
    expect_roff(".TH not a macro\n'also not\n", "\\&.TH not a macro\n\\&'also not\n");
    expect_roff("a.b 'c' \\n", "a.b 'c' \\en");
    expect_roff("C:\\Users\\anzen", "C:\\eUsers\\eanzen");
    expect_roff("line\n.\n..\n", "line\n\\&.\n\\&..\n");
    expect_roff("令和7年 - 台帳", "令和7年 \\- 台帳");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_while_writing),
        cmocka_unit_test(test_workspace_archive),
        cmocka_unit_test(test_roff),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
