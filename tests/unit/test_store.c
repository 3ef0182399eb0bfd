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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_bad_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
