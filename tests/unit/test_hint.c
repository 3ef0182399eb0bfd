/* SPDX-License-Identifier: MIT */
/* Unit tests for the help given at every step: OS errors in Japanese,
 * Damerau-Levenshtein suggestions, readable system IDs and finding a
 * system by ID, name or an old system-N. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/hint.h"
#include "anzen/profile.h"

static void test_errno_text(void **state)
{
    (void)state;
    assert_string_equal(az_errno_text(AZ_LANG_JA, ENOENT), "ファイルがありません");
    assert_string_equal(az_errno_text(AZ_LANG_JA, EACCES), "権限がありません");
    assert_string_equal(az_errno_text(AZ_LANG_JA, ENOSPC), "空き容量が足りません");
    assert_non_null(strstr(az_errno_text(AZ_LANG_JA, EISDIR), "ディレクトリ"));
    assert_non_null(strstr(az_errno_text(AZ_LANG_JA, ENOTDIR), "ディレクトリではありません"));
    assert_non_null(strstr(az_errno_text(AZ_LANG_JA, EROFS), "読み取り専用"));
    assert_string_equal(az_errno_text(AZ_LANG_JA, EEXIST), "既にあります");
    assert_non_null(strstr(az_errno_text(AZ_LANG_JA, EADDRINUSE), "ポートは使われています"));
    /* never English inside a Japanese message, even for a rare code */
    for (int e = 1; e < 134; e++) {
        const char *t = az_errno_text(AZ_LANG_JA, e);
        for (const char *q = t; *q; q++)
            if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
                fail_msg("errno %d: \"%s\" has Latin letters", e, t);
    }
    assert_string_equal(az_errno_text(AZ_LANG_EN, ENOENT), strerror(ENOENT));
}

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(az_dl_distance("import", "import"), 0);
    assert_int_equal(az_dl_distance("imprt", "import"), 1);  /* deletion */
    assert_int_equal(az_dl_distance("improt", "import"), 1); /* transposition */
    assert_int_equal(az_dl_distance("ledgr", "ledger"), 1);
    assert_int_equal(az_dl_distance("台長", "台帳"), 1); /* one code point */
    assert_int_equal(az_dl_distance("", "plan"), 4);
}

static void test_suggest(void **state)
{
    static const char *const cmds[] = {"init",   "assess", "status", "plan", "ledger",
                                       "vendor", "report", "kev",    "scan", "serve"};
    static const char *const subs[] = {"import", "list", "check", "export", "template"};
    (void)state;
    assert_string_equal(az_suggest("ledgr", cmds, 10), "ledger");
    assert_string_equal(az_suggest("plna", cmds, 10), "plan");
    assert_string_equal(az_suggest("stauts", cmds, 10), "status");
    assert_string_equal(az_suggest("imprt", subs, 5), "import");
    assert_string_equal(az_suggest("templ", subs, 5), "template"); /* a unique prefix */
    assert_null(az_suggest("xyzzy", cmds, 10));
    assert_null(az_suggest("", cmds, 10));
}

static void test_system_ids(void **state)
{
    struct az_system sys[4];
    char *id;
    (void)state;
    memset(sys, 0, sizeof(sys));
    id = az_system_id_suggest("電子カルテ (院内サーバ)", sys, 0);
    assert_string_equal(id, "emr");
    sys[0].id = id;
    sys[0].name = "電子カルテ";
    id = az_system_id_suggest("レセコン", sys, 1);
    assert_string_equal(id, "receipt");
    sys[1].id = id;
    sys[1].name = "レセコン";
    id = az_system_id_suggest("PACS (画像)", sys, 2);
    assert_string_equal(id, "pacs");
    free(id);
    id = az_system_id_suggest("検査システム", sys, 2);
    assert_string_equal(id, "lab");
    free(id);
    id = az_system_id_suggest("電子カルテ (分院)", sys, 2); /* taken: emr-2 */
    assert_string_equal(id, "emr-2");
    free(id);
    id = az_system_id_suggest("Orca Cloud", sys, 2);
    assert_string_equal(id, "orca-cloud");
    free(id);
    id = az_system_id_suggest("よくわからない仕組み", sys, 2);
    assert_string_equal(id, "system-3");
    free(id);
    free((char *)sys[0].id);
    free((char *)sys[1].id);
}

static void test_find_system(void **state)
{
    static const char *P =
        "anzen-profile: 1\ninstitution: {name: x, type: clinic}\n"
        "systems:\n  - {id: emr, name: 電子カルテ, hosting: on-prem, vendor: A}\n"
        "  - {id: lab, name: 検査システム, hosting: on-prem}\n";
    struct az_ctx ctx;
    struct az_profile *p;
    char *list;
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_JA);
    assert_int_equal(az_profile_load(&ctx, "p", P, strlen(P), &p), 0);
    assert_string_equal(az_profile_find_system(p, "emr")->id, "emr");
    assert_string_equal(az_profile_find_system(p, "電子カルテ")->id, "emr");
    assert_string_equal(az_profile_find_system(p, "検査")->id, "lab");
    assert_string_equal(az_profile_find_system(p, "system-2")->id, "lab"); /* the old IDs */
    assert_null(az_profile_find_system(p, "system-3"));
    assert_null(az_profile_find_system(p, "pacs"));
    list = az_profile_system_list(p, false);
    assert_string_equal(list, "emr (電子カルテ), lab (検査システム)");
    free(list);
    list = az_profile_system_list(p, true);
    assert_string_equal(list, "emr (電子カルテ)");
    free(list);
    az_profile_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errno_text),  cmocka_unit_test(test_distance),
        cmocka_unit_test(test_suggest),     cmocka_unit_test(test_system_ids),
        cmocka_unit_test(test_find_system),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
