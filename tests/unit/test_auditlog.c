/* SPDX-License-Identifier: MIT */
/* Unit tests for the audit log (auditlog.h): the back-off arithmetic, the
 * chain hash against a vector computed independently (Python's hashlib
 * over the documented encoding), its sensitivity to every field and to
 * field boundaries, the HMAC, JST times, labels, and the store's verify
 * against rows edited, deleted and inserted through SQLite directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "anzen/auditlog.h"
#include "anzen/csv.h"
#include "anzen/store.h"
#include "anzen/util.h"

static struct az_ctx ctx;

static void test_backoff(void **state)
{
    (void)state;
    /* 5 free tries, then 30 s doubling up to an hour */
    assert_int_equal(az_backoff_delay(0, 5, 30, 3600), 0);
    assert_int_equal(az_backoff_delay(4, 5, 30, 3600), 0);
    assert_int_equal(az_backoff_delay(5, 5, 30, 3600), 30);
    assert_int_equal(az_backoff_delay(6, 5, 30, 3600), 60);
    assert_int_equal(az_backoff_delay(7, 5, 30, 3600), 120);
    assert_int_equal(az_backoff_delay(11, 5, 30, 3600), 1920);
    assert_int_equal(az_backoff_delay(12, 5, 30, 3600), 3600);
    assert_int_equal(az_backoff_delay(1000000, 5, 30, 3600), 3600); /* no overflow */
    assert_int_equal(az_backoff_delay(1 << 30, 5, 30, 3600), 3600);
    /* a counter without a wait */
    assert_int_equal(az_backoff_delay(100, 1 << 30, 0, 0), 0);
    assert_int_equal(az_backoff_delay(100, 0, 0, 0), 0);
}

static void hex(const unsigned char *h, char out[65])
{
    sodium_bin2hex(out, 65, h, 32);
}

static void test_chain_hash(void **state)
{
    (void)state;
    unsigned char zero[32] = {0}, h[32], h2[32], key[32];
    char x[65], mac[AZ_AUDIT_HEXLEN];
    struct az_audit_row r = {7,    "2025-06-01T00:00:00Z",    "admin", "login-failed", "user:山田",
                             NULL, "{\"addr\":\"127.0.0.1\"}"};

    az_audit_chain_hash(zero, &r, h);
    hex(h, x);
    /* python3: sha256(b"anzen-audit-v1" + bytes(32) + fields...) */
    assert_string_equal(x, "3fa7dac4e2e9e5c6be338de0ea0d3ec78d1b9412c96df13485706e36d8454757");
    for (int i = 0; i < 32; i++)
        key[i] = (unsigned char)i;
    az_audit_mac(key, h, mac);
    assert_string_equal(mac, "c2d4f3a6062c84e413e5d4e8bdef94dc8670c2b3c3e00f0b5240c4b5d9c91b15");

    /* every field and the previous hash count */
    {
        struct az_audit_row v = r;
        v.id = 8;
        az_audit_chain_hash(zero, &v, h2);
        assert_memory_not_equal(h, h2, 32);
        v = r;
        v.who = "admin2";
        az_audit_chain_hash(zero, &v, h2);
        assert_memory_not_equal(h, h2, 32);
        v = r;
        v.before = ""; /* empty is not NULL */
        az_audit_chain_hash(zero, &v, h2);
        assert_memory_not_equal(h, h2, 32);
        v = r;
        v.after = "{\"addr\":\"127.0.0.2\"}";
        az_audit_chain_hash(zero, &v, h2);
        assert_memory_not_equal(h, h2, 32);
        az_audit_chain_hash(h, &r, h2);
        assert_memory_not_equal(h, h2, 32);
    }
    /* field boundaries are part of the encoding */
    {
        struct az_audit_row a = {1, "t", "ab", "c", "o", NULL, NULL},
                            b = {1, "t", "a", "bc", "o", NULL, NULL};
        az_audit_chain_hash(zero, &a, h);
        az_audit_chain_hash(zero, &b, h2);
        assert_memory_not_equal(h, h2, 32);
    }
}

static void test_jst(void **state)
{
    (void)state;
    char out[40];

    az_audit_time_jst("2025-06-01T00:00:00Z", out, sizeof(out));
    assert_string_equal(out, "2025-06-01 09:00:00");
    az_audit_time_jst("2025-12-31T15:00:00Z", out, sizeof(out));
    assert_string_equal(out, "2026-01-01 00:00:00");
    az_audit_time_jst("2024-02-28T20:30:59Z", out, sizeof(out));
    assert_string_equal(out, "2024-02-29 05:30:59");
    az_audit_time_jst("2023-02-28T20:30:59Z", out, sizeof(out));
    assert_string_equal(out, "2023-03-01 05:30:59");
    az_audit_time_jst("yesterday", out, sizeof(out));
    assert_string_equal(out, "yesterday");
    az_audit_time_jst("2025-06-01T00:00:00Zjunk", out, sizeof(out));
    assert_string_equal(out, "2025-06-01T00:00:00Zjunk");
    assert_string_equal(az_audit_label("login-failed", AZ_LANG_JA), "ログイン失敗");
    assert_string_equal(az_audit_label("login-failed", AZ_LANG_EN), "Sign-in failed");
    assert_null(az_audit_label("no-such-event", AZ_LANG_JA));
}

/* The CSV export's formula guard: a quote before what a spreadsheet could
 * take as a formula, none before a lone dash (the log's "no one") */
static void test_csv_guard(void **state)
{
    (void)state;
    json_t *e = json_pack("[{s:i, s:s, s:s, s:s, s:s, s:s, s:s}]", "id", 7, "at",
                          "2025-06-01T00:00:00Z", "who", "-", "what", "login-failed", "object",
                          "=HYPERLINK(\"x\")", "before", "-1", "after", "+");
    char *out = NULL;
    size_t len = 0;

    assert_true(az_csv_formula_like("=1"));
    assert_true(az_csv_formula_like("="));
    assert_true(az_csv_formula_like("@SUM(A1)"));
    assert_true(az_csv_formula_like("-1+2"));
    assert_true(az_csv_formula_like("+81"));
    assert_true(az_csv_formula_like("\tx"));
    assert_true(az_csv_formula_like("\r"));
    assert_false(az_csv_formula_like("-"));
    assert_false(az_csv_formula_like("+"));
    assert_false(az_csv_formula_like(""));
    assert_false(az_csv_formula_like("a-b"));
    assert_false(az_csv_formula_like(NULL));
    assert_non_null(e);
    assert_int_equal(az_audit_csv(e, AZ_LANG_JA, &out, &len), 0);
    assert_non_null(strstr(out, "\r\n7,2025-06-01 09:00:00,-,ログイン失敗,login-failed,"
                                "\"'=HYPERLINK(\"\"x\"\")\",'-1,+\r\n"));
    free(out);
    json_decref(e);
    /* the hub's events have labels too */
    assert_string_equal(az_audit_label("bundle-accepted", AZ_LANG_JA), "束の受け付け");
    assert_string_equal(az_audit_label("not-found-or-out-of-scope", AZ_LANG_EN),
                        "Not found or out of scope");
    for (const char *const *w =
             (const char *const[]){"bundle-refused", "bundle-replay", "bundle-older",
                                   "bundle-error", "bundle-rate-limited", "hub-scope",
                                   "hub-association", NULL};
         *w; w++) {
        assert_non_null(az_audit_label(*w, AZ_LANG_JA));
        assert_non_null(az_audit_label(*w, AZ_LANG_EN));
    }
}

static void exec_sql(const char *db, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static bool verifies(const char *db, long long *ret_bad)
{
    struct az_store *st;
    struct az_audit_verdict v;
    bool ok;

    assert_int_equal(az_store_open(&ctx, db, &st), 0);
    assert_int_equal(az_store_audit_verify(st, &ctx, &v), 0);
    ok = v.ok;
    if (ret_bad)
        *ret_bad = v.bad_id;
    if (!ok)
        assert_non_null(v.problem_en);
    az_audit_verdict_free(&v);
    az_store_close(st);
    return ok;
}

static void test_store_verify(void **state)
{
    (void)state;
    char dir[] = "/tmp/anzen-auditlog-XXXXXX", db[128], cmd[300];
    struct az_store *st;
    struct stat sb;
    long long bad = 0;

    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/anzen.db", dir);
    umask(022);
    assert_int_equal(az_store_open(&ctx, db, &st), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(az_store_audit(st, &ctx, "admin", "login", "user:admin", "{}"), 0);
    az_store_close(st);
    /* the workspace and its key are made 0600 whatever the umask */
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(cmd, sizeof(cmd), "%s.key", db);
    assert_int_equal(stat(cmd, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_true(verifies(db, NULL));

    /* an edit */
    exec_sql(db, "DROP TRIGGER change_log_append_only_u;"
                 "UPDATE change_log SET after = '{\"x\":1}' WHERE id = 3;");
    assert_false(verifies(db, &bad));
    assert_int_equal(bad, 3);
    exec_sql(db, "UPDATE change_log SET after = '{}' WHERE id = 3;");
    assert_true(verifies(db, NULL)); /* put back: intact again */
    /* a row inserted without a hash */
    exec_sql(db, "INSERT INTO change_log (at, who, what, object) VALUES "
                 "('2025-01-01T00:00:00Z', 'x', 'login', 'user:x')");
    assert_false(verifies(db, &bad));
    assert_int_equal(bad, 6);
    exec_sql(db, "DROP TRIGGER change_log_append_only_d; DELETE FROM change_log WHERE id = 6;");
    assert_true(verifies(db, NULL));
    /* the newest row deleted: the head notices */
    exec_sql(db, "DELETE FROM change_log WHERE id = 5;");
    assert_false(verifies(db, &bad));
    assert_int_equal(bad, -1);
    /* a middle row deleted */
    exec_sql(db, "DELETE FROM change_log WHERE id = 2;");
    assert_false(verifies(db, &bad));
    assert_int_equal(bad, 3);

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A schema-2 workspace with change-log rows migrates to 6: the old rows
 * are sealed into the chain once, new rows continue it, and verify
 * passes; afterwards a row without a hash is an insertion. */
static void test_migrate_seals_old_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/anzen-auditlog-XXXXXX", db[128], sqlfile[600], *sql = NULL, cmd[300];
    struct az_store *st;
    sqlite3 *h;
    size_t len;
    long long bad = 0;

    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/v2.db", dir);
    snprintf(sqlfile, sizeof(sqlfile), "%s/schema-v2.sql", TEST_DATA);
    assert_int_equal(az_read_text_file(&ctx, sqlfile, &sql, &len), 0);
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h,
                                  "INSERT INTO change_log (at, who, what, object) VALUES "
                                  "('2025-06-01T00:00:00Z', 'v2', 'create', 'profile'),"
                                  "('2025-06-02T00:00:00Z', 'v2', 'update', 'profile');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    free(sql);
    assert_int_equal(az_store_open(&ctx, db, &st), 0);
    assert_int_equal(az_store_schema(st), AZ_STORE_SCHEMA);
    assert_int_equal(az_store_audit(st, &ctx, "admin", "login", "user:admin", NULL), 0);
    az_store_close(st);
    assert_true(verifies(db, NULL));
    /* the seal happened once: a later hash-less row is not sealed on open */
    exec_sql(db, "INSERT INTO change_log (at, who, what, object) VALUES "
                 "('2025-06-03T00:00:00Z', 'x', 'create', 'profile')");
    assert_false(verifies(db, &bad));
    assert_false(verifies(db, &bad));
    assert_int_equal(bad, 4);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The store's throttle: free tries, doubling waits, a fresh count after
 * a quiet window, listing and unlocking a user's keys only. */
static void test_store_throttle(void **state)
{
    (void)state;
    char dir[] = "/tmp/anzen-auditlog-XXXXXX", db[128], cmd[300];
    const struct az_throttle t = {900, 5, 30, 3600};
    struct az_store *st;
    long long until = -1, now = 1000000;
    json_t *list = NULL;
    int n = 0;

    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/anzen.db", dir);
    assert_int_equal(az_store_open(&ctx, db, &st), 0);
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(az_store_throttle_fail(st, &ctx, "ua:bob|127.0.0.2", now, &t, &n, &until),
                         0);
        assert_int_equal(n, i);
        assert_int_equal(until, 0);
    }
    assert_int_equal(az_store_throttle_fail(st, &ctx, "ua:bob|127.0.0.2", now, &t, &n, &until), 0);
    assert_int_equal(n, 5);
    assert_int_equal(until, now + 30);
    assert_int_equal(az_store_throttle_fail(st, &ctx, "ua:bob|127.0.0.2", now + 1, &t, &n, &until),
                     0);
    assert_int_equal(until, now + 1 + 60);
    /* another address and another user are untouched */
    assert_int_equal(az_store_login_locked(st, &ctx, "ua:bob|127.0.0.1", now, &until), 0);
    assert_int_equal(until, 0);
    assert_int_equal(az_store_throttle_fail(st, &ctx, "ua:bobby|127.0.0.2", now, &t, &n, &until),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(az_store_throttle_fail(st, &ctx, "ip:127.0.0.9", now, &t, &n, &until), 0);
    for (int i = 0; i < 5; i++)
        az_store_throttle_fail(st, &ctx, "ip:127.0.0.9", now, &t, &n, &until);
    assert_int_equal(az_store_throttle_list(st, &ctx, now + 2, &list), 0);
    assert_int_equal(json_array_size(list), 2);
    json_decref(list);
    /* unlocking bob drops bob's keys, not bobby's nor the address */
    assert_int_equal(az_store_throttle_unlock_user(st, &ctx, "BOB", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(az_store_login_locked(st, &ctx, "ua:bob|127.0.0.2", now + 2, &until), 0);
    assert_int_equal(until, 0);
    assert_int_equal(az_store_throttle_list(st, &ctx, now + 2, &list), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    /* quiet for longer than the window (and not waiting): a fresh count */
    assert_int_equal(
        az_store_throttle_fail(st, &ctx, "ua:bobby|127.0.0.2", now + 1000, &t, &n, &until), 0);
    assert_int_equal(n, 1);
    az_store_close(st);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_chain_hash),
        cmocka_unit_test(test_jst),
        cmocka_unit_test(test_csv_guard),
        cmocka_unit_test(test_store_verify),
        cmocka_unit_test(test_migrate_seals_old_rows),
        cmocka_unit_test(test_store_throttle),
    };
    az_ctx_init(&ctx, AZ_LANG_EN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
