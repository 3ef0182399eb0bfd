/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/util/date.c: parsing, eras and fiscal years. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/date.h"

static struct az_date D(int y, int m, int d) {
    return (struct az_date){y, m, d};
}

static void
expect_date(const char *s, int y, int m, int d)
{
    struct az_date r = {0, 0, 0};
    int rc = az_date_parse(s, true, &r);
    if (rc != 0 || r.y != y || r.m != m || r.d != d)
        fail_msg("parse \"%s\": rc=%d got %d-%d-%d want %d-%d-%d", s, rc, r.y, r.m, r.d, y, m, d);
}

static void expect_bad(const char *s)
{
    struct az_date r;
    if (az_date_parse(s, false, &r) == 0)
        fail_msg("\"%s\" should be rejected, got %d-%d-%d", s, r.y, r.m, r.d);
}

static void test_parse_forms(void **state)
{
    (void)state;
    expect_date("2025-04-01", 2025, 4, 1);
    expect_date("2025/4/1", 2025, 4, 1);
    expect_date("2025.04.01", 2025, 4, 1);
    expect_date("2025年4月1日", 2025, 4, 1);
    expect_date("２０２５年４月１日", 2025, 4, 1);
    expect_date("令和7年4月1日", 2025, 4, 1);
    expect_date("令和元年5月1日", 2019, 5, 1);
    expect_date("R7.4.1", 2025, 4, 1);
    expect_date("r7/4/1", 2025, 4, 1);
}

static void test_parse_fullwidth_era(void **state)
{
    (void)state;
    /* ASCII era letter with full-width digits/punctuation */
    expect_date("R７．４．１", 2025, 4, 1);
    expect_date("H31.4.30", 2019, 4, 30);
    expect_date("平成31年4月30日", 2019, 4, 30);
    expect_date("昭和64年1月7日", 1989, 1, 7);
    expect_date("平成元年1月8日", 1989, 1, 8);
    expect_date(" 2025-04-01 ", 2025, 4, 1);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    expect_bad("");
    expect_bad("2025-02-29"); /* not a leap year */
    expect_bad("2024-13-01");
    expect_bad("2025-04-31");
    expect_bad("2025-4");
    expect_bad("2025-04-01x");
    expect_bad("令和1年4月30日"); /* 令和 begins 2019-05-01 */
    expect_bad("平成31年5月1日"); /* already 令和 */
    expect_bad("平成32年1月1日");
    expect_bad("R0.4.1");
    expect_bad("2025-04/01"); /* mixed separators */
    expect_bad("2025年4-1");
    expect_bad("45000"); /* serial only when allowed */
    expect_bad("not a date");
}

static void test_excel_serial(void **state)
{
    struct az_date r;
    (void)state;
    /* 45658 is 2025-01-01 in Excel's 1900 date system */
    assert_int_equal(az_date_parse("45658", true, &r), 0);
    assert_int_equal(r.y, 2025);
    assert_int_equal(r.m, 1);
    assert_int_equal(r.d, 1);
}

static void test_fiscal_year_boundaries(void **state)
{
    (void)state;
    assert_int_equal(az_fiscal_year(D(2025, 3, 31)), 2024);
    assert_int_equal(az_fiscal_year(D(2025, 4, 1)), 2025);
    assert_int_equal(az_fiscal_year(D(2026, 3, 31)), 2025);
    assert_int_equal(az_fiscal_year(D(2025, 12, 31)), 2025);
    assert_int_equal(az_fiscal_year(D(2026, 1, 1)), 2025);
    assert_int_equal(az_date_cmp(az_fy_end(2024), D(2025, 3, 31)), 0);
    assert_int_equal(az_date_cmp(az_fy_start(2025), D(2025, 4, 1)), 0);
}

static void test_reiwa_fy(void **state)
{
    char buf[32];
    int fy;
    (void)state;
    assert_int_equal(az_fy_to_reiwa(2025), 7);
    assert_int_equal(az_fy_to_reiwa(2019), 1);
    assert_int_equal(az_fy_to_reiwa(2018), 0);
    assert_int_equal(az_reiwa_to_fy(6), 2024);
    az_fy_format(2025, AZ_LANG_JA, buf, sizeof(buf));
    assert_string_equal(buf, "令和7年度");
    az_fy_format(2019, AZ_LANG_JA, buf, sizeof(buf));
    assert_string_equal(buf, "令和元年度");
    az_fy_format(2025, AZ_LANG_EN, buf, sizeof(buf));
    assert_string_equal(buf, "FY2025");
    assert_int_equal(az_fy_parse("令和7年度", &fy), 0);
    assert_int_equal(fy, 2025);
    assert_int_equal(az_fy_parse("R6", &fy), 0);
    assert_int_equal(fy, 2024);
    assert_int_equal(az_fy_parse("令和元年度", &fy), 0);
    assert_int_equal(fy, 2019);
    assert_int_equal(az_fy_parse("FY2023", &fy), 0);
    assert_int_equal(fy, 2023);
    assert_int_equal(az_fy_parse("2026年度", &fy), 0);
    assert_int_equal(fy, 2026);
    assert_int_not_equal(az_fy_parse("令和", &fy), 0);
    assert_int_not_equal(az_fy_parse("R7x", &fy), 0);
}

static void test_era_transition(void **state)
{
    enum az_era e;
    int y;
    char buf[64];
    (void)state;
    assert_int_equal(az_date_era(D(2019, 4, 30), &e, &y), 0);
    assert_int_equal(e, AZ_ERA_HEISEI);
    assert_int_equal(y, 31);
    assert_int_equal(az_date_era(D(2019, 5, 1), &e, &y), 0);
    assert_int_equal(e, AZ_ERA_REIWA);
    assert_int_equal(y, 1);
    az_date_wareki(D(2019, 5, 1), buf, sizeof(buf));
    assert_string_equal(buf, "令和元年5月1日");
    az_date_wareki(D(2019, 4, 30), buf, sizeof(buf));
    assert_string_equal(buf, "平成31年4月30日");
    az_date_wareki(D(2025, 4, 1), buf, sizeof(buf));
    assert_string_equal(buf, "令和7年4月1日");
    az_date_wareki(D(1989, 1, 7), buf, sizeof(buf));
    assert_string_equal(buf, "昭和64年1月7日");
    assert_string_equal(az_era_name(AZ_ERA_REIWA, AZ_LANG_EN), "Reiwa");
}

static void test_roundtrip_days(void **state)
{
    (void)state;
    /* every day for 60 years converts both ways, and wareki re-parses */
    struct az_date d = D(1990, 1, 1);
    for (int i = 0; i < 365 * 60; i++) {
        char buf[64];
        struct az_date back;
        struct az_date n = az_date_add_days(d, 1);
        assert_int_equal(az_date_to_days(n) - az_date_to_days(d), 1);
        az_date_wareki(d, buf, sizeof(buf));
        assert_int_equal(az_date_parse(buf, false, &back), 0);
        assert_int_equal(az_date_cmp(back, d), 0);
        d = n;
    }
    assert_int_equal(az_date_to_days(D(1970, 1, 1)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_fullwidth_era),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_excel_serial),
        cmocka_unit_test(test_fiscal_year_boundaries),
        cmocka_unit_test(test_reiwa_fy),
        cmocka_unit_test(test_era_transition),
        cmocka_unit_test(test_roundtrip_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
