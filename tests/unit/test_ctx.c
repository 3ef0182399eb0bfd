/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/util/ctx.c: long messages are shortened on a UTF-8
 * character boundary and end with "…". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/anzen.h"
#include "anzen/util.h"

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static void assert_whole_utf8(const char *m)
{
    assert_int_equal(az_utf8_invalid_at(m, strlen(m)), (size_t)-1);
}

static void test_short_message_unchanged(void **state)
{
    (void)state;
    struct az_ctx c;
    az_ctx_init(&c, AZ_LANG_JA);
    assert_int_equal(az_fail(&c, AZ_EINVAL, "項目 %s がありません", "no item %s", "2-⑥"),
                     AZ_EINVAL);
    assert_string_equal(az_errmsg(&c), "項目 2-⑥ がありません");
    az_err_prefix(&c, "answers.yaml");
    assert_string_equal(az_errmsg(&c), "answers.yaml: 項目 2-⑥ がありません");
}

static void test_long_message_cut_whole(void **state)
{
    (void)state;
    /* every offset of a 3-byte character against the buffer's end */
    for (size_t pad = 0; pad < 3; pad++) {
        char *body = repeat("電", AZ_ERRMSG_MAX);
        char lead[4] = "xxx";
        lead[pad] = '\0';
        struct az_ctx c;
        az_ctx_init(&c, AZ_LANG_JA);
        az_fail(&c, AZ_EINVAL, "%s%s", "%s%s", lead, body);
        const char *m = az_errmsg(&c);
        assert_true(strlen(m) < AZ_ERRMSG_MAX);
        assert_true(strlen(m) > AZ_ERRMSG_MAX - 8);
        assert_whole_utf8(m);
        assert_string_equal(m + strlen(m) - 3, "…");
        /* prefixing a full message keeps it whole too */
        az_err_prefix(&c, "台帳.xlsx");
        m = az_errmsg(&c);
        assert_whole_utf8(m);
        assert_memory_equal(m, "台帳.xlsx: ", strlen("台帳.xlsx: "));
        assert_string_equal(m + strlen(m) - 3, "…");
        free(body);
    }
}

static void test_exact_fit_not_marked(void **state)
{
    (void)state;
    char *body = repeat("a", AZ_ERRMSG_MAX - 1);
    struct az_ctx c;
    az_ctx_init(&c, AZ_LANG_EN);
    az_fail(&c, AZ_EINVAL, "%s", "%s", body);
    assert_string_equal(az_errmsg(&c), body);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_message_unchanged),
        cmocka_unit_test(test_long_message_cut_whole),
        cmocka_unit_test(test_exact_fit_not_marked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
