/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/store (SQLite workspace): migration, profile and
 * answer round trips, change log, snapshots. Uses tests/data/mini. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "anzen/store.h"

static struct az_ctx ctx;
static struct az_catalog *cat;
static char dir[] = "/tmp/anzen-store-XXXXXX";
static char db[300];

static int setup(void **state)
{
    char d[512];
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    snprintf(d, sizeof(d), "%s/mini", TEST_DATA);
    if (az_catalog_load_dir(&ctx, d, &cat) < 0 || !mkdtemp(dir))
        return -1;
    snprintf(db, sizeof(db), "%s/ws.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];
    (void)state;
    az_catalog_free(cat);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct az_answers *answers(const char *s)
{
    struct az_answers *a = NULL;
    if (az_answers_load(&ctx, cat, "a.yaml", s, strlen(s), &a) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    return a;
}

static size_t log_len(struct az_store *st)
{
    json_t *l;
    size_t n;
    assert_int_equal(az_store_log(st, &ctx, 0, &l), 0);
    n = json_array_size(l);
    json_decref(l);
    return n;
}

static void test_roundtrip(void **state)
{
    (void)state;
    struct az_store *st;
    struct az_answers *a, *b;
    char *text, *y1, *y2;
    const char *prof = "anzen-profile: 1\ninstitution: {name: x, type: clinic}\n";

    assert_int_equal(az_store_open(&ctx, db, &st), 0);
    assert_int_equal(az_store_schema(st), AZ_STORE_SCHEMA);
    assert_int_equal(az_store_get_profile(st, &ctx, &text), AZ_ENOTFOUND);
    assert_int_equal(az_store_put_profile(st, &ctx, prof, "test"), 0);
    assert_int_equal(az_store_get_profile(st, &ctx, &text), 0);
    assert_string_equal(text, prof);
    free(text);
    assert_int_equal(log_len(st), 1);
    /* unchanged profile: no new log entry */
    assert_int_equal(az_store_put_profile(st, &ctx, prof, "test"), 0);
    assert_int_equal(log_len(st), 1);

    a = answers("anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                "  - {item: cl-b.h.rights, answer: いいえ, checked: 2025-06-01, target: "
                "2026-03-31, note: \"a \\\"q\\\" note\", evidence: [x.pdf, y.xlsx]}\n"
                "  - {item: cl-b.h.lead, answer: はい, checked: 2025-06-01}\n");
    assert_int_equal(az_store_put_answers(st, &ctx, a, "test"), 0);
    assert_int_equal(log_len(st), 2);
    assert_int_equal(az_store_get_answers(st, &ctx, cat, "cl-b", "h", NULL, &b), 0);
    y1 = az_answers_to_yaml(a, AZ_LANG_JA);
    y2 = az_answers_to_yaml(b, AZ_LANG_JA);
    assert_string_equal(y1, y2);
    free(y1);
    free(y2);
    /* the same answers again: no log entry */
    assert_int_equal(az_store_put_answers(st, &ctx, b, "test"), 0);
    assert_int_equal(log_len(st), 2);
    az_answers_free(b);
    assert_int_equal(az_store_get_answers(st, &ctx, cat, "cl-a", "h", NULL, &b), AZ_ENOTFOUND);
    assert_int_equal(az_store_get_answers(st, &ctx, cat, "cl-b", "h", "emr", &b), AZ_ENOTFOUND);
    az_answers_free(a);
    az_store_close(st);

    /* reopen: still there, no second migration */
    assert_int_equal(az_store_open(&ctx, db, &st), 0);
    assert_int_equal(az_store_get_answers(st, &ctx, cat, "cl-b", "h", NULL, &b), 0);
    assert_int_equal(b->n, 2);
    az_answers_free(b);
    az_store_close(st);
}

static void test_snapshots(void **state)
{
    (void)state;
    struct az_store *st;
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    json_t *snaps, *one;
    long long id;
    const char *prof = "anzen-profile: 1\ninstitution: {name: x, type: clinic}\n";

    assert_int_equal(az_profile_load(&ctx, "p", prof, strlen(prof), &p), 0);
    a = answers("anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                "  - {item: cl-b.h.lead, answer: はい, checked: 2025-06-01}\n");
    assert_int_equal(az_evaluate(&ctx, cat, p, a, a->edition, (struct az_date){2025, 11, 24}, &e),
                     0);
    assert_int_equal(az_store_open(&ctx, db, &st), 0);
    assert_int_equal(az_store_snapshot(st, &ctx, e, a, "test", &id), 0);
    assert_true(id > 0);
    assert_int_equal(az_store_snapshots(st, &ctx, &snaps), 0);
    assert_int_equal(json_array_size(snaps), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(snaps, 0), "as_of")),
                        "2025-11-24");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_array_get(snaps, 0), "total"), "satisfied")),
                     1);
    json_decref(snaps);
    assert_int_equal(az_store_snapshot_get(st, &ctx, id, &one), 0);
    assert_string_equal(json_string_value(json_object_get(one, "schema")), "anzen-status/1");
    json_decref(one);
    assert_int_equal(az_store_snapshot_get(st, &ctx, 999, &one), AZ_ENOTFOUND);
    az_store_close(st);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
}

static void test_bad_path(void **state)
{
    (void)state;
    struct az_store *st;
    assert_int_equal(az_store_open(&ctx, "/nonexistent-dir/x.db", &st), AZ_EIO);
    assert_non_null(strstr(az_errmsg(&ctx), "/nonexistent-dir/x.db"));
}

/* A schema-2 workspace (frozen copy, tests/data/schema-v2.sql) with data
 * migrates to 3: the data and the change log stay, the account tables
 * appear and work. */
static void test_migrate_v2(void **state)
{
    (void)state;
    char path[400], sqlfile[600], *sql = NULL, *err = NULL, *text;
    struct az_store *st;
    struct az_user u;
    sqlite3 *sdb;
    size_t len;
    json_t *log;
    int n = -1;

    snprintf(path, sizeof(path), "%s/v2.db", dir);
    snprintf(sqlfile, sizeof(sqlfile), "%s/schema-v2.sql", TEST_DATA);
    assert_int_equal(az_read_text_file(&ctx, sqlfile, &sql, &len), 0);
    assert_int_equal(sqlite3_open(path, &sdb), SQLITE_OK);
    assert_int_equal(sqlite3_exec(sdb, sql, NULL, NULL, &err), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(sdb,
                     "INSERT INTO profile VALUES (1, 'anzen-profile: 1', '2025-06-01T00:00:00Z');"
                     "INSERT INTO plan_items VALUES ('cl-b.h.rights', '{}', '2025-06-01');"
                     "INSERT INTO change_log (at, who, what, object) VALUES "
                     "('2025-06-01T00:00:00Z', 'v2', 'create', 'profile');",
                     NULL, NULL, &err),
        SQLITE_OK);
    sqlite3_close(sdb);
    free(sql);

    assert_int_equal(az_store_open(&ctx, path, &st), 0);
    assert_int_equal(az_store_schema(st), AZ_STORE_SCHEMA);
    assert_int_equal(az_store_get_profile(st, &ctx, &text), 0);
    assert_string_equal(text, "anzen-profile: 1");
    free(text);
    assert_int_equal(az_store_log(st, &ctx, 0, &log), 0);
    assert_int_equal(json_array_size(log), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(log, 0), "who")), "v2");
    json_decref(log);
    assert_int_equal(az_store_user_count(st, &ctx, &n), 0);
    assert_int_equal(n, 0);
    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "admin");
    u.role = AZ_UR_PLANNING;
    u.admin = true;
    snprintf(u.password, sizeof(u.password), "$argon2id$v=19$m=65536,t=2,p=1$x$y");
    assert_int_equal(az_store_user_add_first(st, &ctx, &u, NULL), 0);
    az_store_close(st);
    /* reopening does not migrate again */
    assert_int_equal(az_store_open(&ctx, path, &st), 0);
    assert_int_equal(az_store_user_count(st, &ctx, &n), 0);
    assert_int_equal(n, 1);
    az_store_close(st);
}

static struct az_user mkuser(const char *name, enum az_user_role role, bool admin)
{
    struct az_user u;

    memset(&u, 0, sizeof(u));
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.role = role;
    u.admin = admin;
    snprintf(u.password, sizeof(u.password), "$argon2id$v=19$m=65536,t=2,p=1$salt$hash");
    return u;
}

static void test_accounts(void **state)
{
    (void)state;
    char path[400];
    struct az_store *st;
    struct az_user a = mkuser("admin", AZ_UR_PLANNING, true), v, got;
    char codes[2][AZ_RECOVERY_HASH_LEN];
    json_t *users, *log;
    long long id = 0;

    snprintf(path, sizeof(path), "%s/acc.db", dir);
    assert_int_equal(az_store_open(&ctx, path, &st), 0);
    /* the first user must be an administrator, and only one first run wins */
    v = mkuser("first", AZ_UR_VIEWER, false);
    assert_int_equal(az_store_user_add_first(st, &ctx, &v, NULL), AZ_EINVAL);
    assert_int_equal(az_store_user_add_first(st, &ctx, &a, &id), 0);
    assert_true(id > 0);
    a.id = id;
    v = mkuser("second", AZ_UR_PLANNING, true);
    assert_int_equal(az_store_user_add_first(st, &ctx, &v, NULL), AZ_EINVAL);
    assert_non_null(strstr(az_errmsg(&ctx), "already"));
    /* names: case-insensitive and unique; bad names refused */
    v = mkuser("ADMIN", AZ_UR_VIEWER, false);
    assert_int_equal(az_store_user_add(st, &ctx, &v, "admin", NULL), AZ_EINVAL);
    v = mkuser("bad name", AZ_UR_VIEWER, false);
    assert_int_equal(az_store_user_add(st, &ctx, &v, "admin", NULL), AZ_EINVAL);
    v = mkuser("-x", AZ_UR_VIEWER, false);
    assert_int_equal(az_store_user_add(st, &ctx, &v, "admin", NULL), AZ_EINVAL);
    /* a vendor user needs its vendor, and cannot be an administrator */
    v = mkuser("vendor-a", AZ_UR_VENDOR, false);
    assert_int_equal(az_store_user_add(st, &ctx, &v, "admin", NULL), AZ_EINVAL);
    snprintf(v.vendor, sizeof(v.vendor), "A 社");
    v.admin = true;
    assert_int_equal(az_store_user_add(st, &ctx, &v, "admin", NULL), AZ_EINVAL);
    v.admin = false;
    assert_int_equal(az_store_user_add(st, &ctx, &v, "admin", &id), 0);
    assert_int_equal(az_store_user_get(st, &ctx, "Vendor-A", &got), 0);
    assert_int_equal(got.id, id);
    assert_int_equal(got.role, AZ_UR_VENDOR);
    assert_string_equal(got.vendor, "A 社");
    assert_string_equal(got.display, "vendor-a"); /* defaults to the name */
    assert_false(got.must_change);
    /* a temporary password to change at the next sign-in (schema 7) */
    got.must_change = true;
    assert_int_equal(az_store_user_update(st, &ctx, &got, "password-reset", "admin"), 0);
    assert_int_equal(az_store_user_get(st, &ctx, "vendor-a", &got), 0);
    assert_true(got.must_change);
    got.must_change = false;
    assert_int_equal(az_store_user_update(st, &ctx, &got, "password", "vendor-a"), 0);
    assert_int_equal(az_store_user_get(st, &ctx, "vendor-a", &got), 0);
    assert_false(got.must_change);
    assert_int_equal(az_store_user_get(st, &ctx, "nobody", &got), AZ_ENOTFOUND);

    /* TOTP replay guard: only newer steps */
    assert_int_equal(az_store_user_totp_step(st, &ctx, a.id, 100), 0);
    assert_int_equal(az_store_user_totp_step(st, &ctx, a.id, 100), AZ_EINVAL);
    assert_int_equal(az_store_user_totp_step(st, &ctx, a.id, 99), AZ_EINVAL);
    assert_int_equal(az_store_user_totp_step(st, &ctx, a.id, 101), 0);
    /* an update with a stale step does not move the guard back */
    assert_int_equal(az_store_user_get_id(st, &ctx, a.id, &got), 0);
    got.totp_last_step = 5;
    snprintf(got.totp, sizeof(got.totp), "sealed-secret");
    assert_int_equal(az_store_user_update(st, &ctx, &got, "mfa-enrol", "admin"), 0);
    assert_int_equal(az_store_user_get_id(st, &ctx, a.id, &got), 0);
    assert_int_equal(got.totp_last_step, 101);
    assert_string_equal(got.totp, "sealed-secret");

    /* recovery codes: each works once */
    assert_int_equal(az_recovery_hash("aaaa-bbbb-cccc", codes[0]), 0);
    assert_int_equal(az_recovery_hash("dddd-eeee-ffff", codes[1]), 0);
    assert_int_equal(az_store_recovery_set(st, &ctx, a.id, codes, 2, "admin"), 0);
    assert_int_equal(az_store_user_get_id(st, &ctx, a.id, &got), 0);
    assert_int_equal(got.recovery_left, 2);
    assert_int_equal(az_store_recovery_use(st, &ctx, a.id, codes[0]), 0);
    assert_int_equal(az_store_recovery_use(st, &ctx, a.id, codes[0]), AZ_ENOTFOUND);
    assert_int_equal(az_store_recovery_use(st, &ctx, id, codes[1]), AZ_ENOTFOUND); /* not hers */
    assert_int_equal(az_store_user_get_id(st, &ctx, a.id, &got), 0);
    assert_int_equal(got.recovery_left, 1);

    /* the list shows public fields, never secrets */
    assert_int_equal(az_store_users(st, &ctx, &users), 0);
    assert_int_equal(json_array_size(users), 2);
    {
        char *dump = json_dumps(users, JSON_COMPACT);
        assert_null(strstr(dump, "argon2id"));
        assert_null(strstr(dump, "sealed-secret"));
        assert_non_null(strstr(dump, "\"mfa\":true"));
        free(dump);
    }
    json_decref(users);
    /* the change log names who did what, without secrets */
    assert_int_equal(az_store_log(st, &ctx, 0, &log), 0);
    {
        char *dump = json_dumps(log, JSON_COMPACT);
        assert_non_null(strstr(dump, "\"object\":\"user:vendor-a\""));
        assert_non_null(strstr(dump, "\"what\":\"mfa-enrol\""));
        assert_non_null(strstr(dump, "\"what\":\"recovery-codes\""));
        assert_null(strstr(dump, "argon2id"));
        assert_null(strstr(dump, "sealed-secret"));
        free(dump);
    }
    json_decref(log);
    az_store_close(st);
}

static void test_sessions_throttle(void **state)
{
    (void)state;
    char path[400];
    struct az_store *st;
    struct az_user a = mkuser("admin", AZ_UR_PLANNING, true);
    struct az_session s, got;
    long long id, until;
    bool locked = false;
    json_t *page;

    snprintf(path, sizeof(path), "%s/sess.db", dir);
    assert_int_equal(az_store_open(&ctx, path, &st), 0);
    assert_int_equal(az_store_user_add_first(st, &ctx, &a, &id), 0);
    memset(&s, 0, sizeof(s));
    az_token_hash("cookie-value", s.id);
    s.user_id = id;
    snprintf(s.csrf, sizeof(s.csrf), "csrf-token");
    s.stage = AZ_SESS_FULL;
    s.created = s.seen = 1000;
    snprintf(s.addr, sizeof(s.addr), "127.0.0.1");
    assert_int_equal(az_store_session_put(st, &ctx, &s), 0);
    assert_int_equal(az_store_session_get(st, &ctx, s.id, &got), 0);
    assert_int_equal(got.user_id, id);
    assert_int_equal(got.stage, AZ_SESS_FULL);
    assert_string_equal(got.csrf, "csrf-token");
    /* idle and absolute timeouts */
    assert_int_equal(az_store_session_touch(st, &ctx, s.id, 2000), 0);
    assert_int_equal(az_store_session_expire(st, &ctx, 2500, 1000, 5000), 0);
    assert_int_equal(az_store_session_get(st, &ctx, s.id, &got), 0);
    assert_int_equal(az_store_session_expire(st, &ctx, 3001, 1000, 5000), 0);
    assert_int_equal(az_store_session_get(st, &ctx, s.id, &got), AZ_ENOTFOUND);
    s.seen = 5900;
    assert_int_equal(az_store_session_put(st, &ctx, &s), 0);
    assert_int_equal(az_store_session_expire(st, &ctx, 6001, 1000, 5000), 0);
    assert_int_equal(az_store_session_get(st, &ctx, s.id, &got), AZ_ENOTFOUND);
    s.seen = s.created = 7000;
    assert_int_equal(az_store_session_put(st, &ctx, &s), 0);
    assert_int_equal(az_store_session_delete_user(st, &ctx, id), 0);
    assert_int_equal(az_store_session_get(st, &ctx, s.id, &got), AZ_ENOTFOUND);

    /* 3 failures within 60 s lock for 100 s; then a new count starts */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(
            az_store_login_failure(st, &ctx, "user:admin", 100 + i, 60, 3, 100, &locked), 0);
        assert_false(locked);
    }
    assert_int_equal(az_store_login_locked(st, &ctx, "user:admin", 102, &until), 0);
    assert_int_equal(until, 0);
    assert_int_equal(az_store_login_failure(st, &ctx, "user:admin", 102, 60, 3, 100, &locked), 0);
    assert_true(locked);
    assert_int_equal(az_store_login_locked(st, &ctx, "user:admin", 150, &until), 0);
    assert_int_equal(until, 202);
    /* failing during the lock does not extend it */
    assert_int_equal(az_store_login_failure(st, &ctx, "user:admin", 160, 60, 3, 100, &locked), 0);
    assert_true(locked);
    assert_int_equal(az_store_login_locked(st, &ctx, "user:admin", 203, &until), 0);
    assert_int_equal(until, 0);
    assert_int_equal(az_store_login_failure(st, &ctx, "user:admin", 204, 60, 3, 100, &locked), 0);
    assert_false(locked);
    /* failures spread beyond the window never lock */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(
            az_store_login_failure(st, &ctx, "addr:10.0.0.1", 1000 + i * 61, 60, 3, 100, &locked),
            0);
        assert_false(locked);
    }
    assert_int_equal(az_store_login_clear(st, &ctx, "user:admin"), 0);
    assert_int_equal(az_store_login_failure(st, &ctx, "user:admin", 205, 60, 1, 100, &locked), 0);
    assert_true(locked); /* max 1: the first failure locks */

    /* security events go to the change log, newest first in pages */
    assert_int_equal(az_store_audit(st, &ctx, "admin", "login", "user:admin", NULL), 0);
    assert_int_equal(az_store_audit(st, &ctx, "-", "login-failed", "user:admin", "{}"), 0);
    assert_int_equal(az_store_log_page(st, &ctx, 0, 2, &page), 0);
    assert_int_equal(json_array_size(page), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(page, 0), "what")),
                        "login-failed");
    id = json_integer_value(json_object_get(json_array_get(page, 1), "id"));
    json_decref(page);
    assert_int_equal(az_store_log_page(st, &ctx, id, 10, &page), 0);
    assert_int_equal(json_array_size(page), 1); /* the admin's creation */
    assert_string_equal(json_string_value(json_object_get(json_array_get(page, 0), "what")),
                        "create");
    json_decref(page);
    az_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_bad_path),  cmocka_unit_test(test_migrate_v2),
        cmocka_unit_test(test_accounts),  cmocka_unit_test(test_sessions_throttle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
