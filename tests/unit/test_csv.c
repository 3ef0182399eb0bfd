/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/ledger/csv.c: RFC 4180 and Excel quirks, CP932,
 * limits and errors, and the writer's round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/csv.h"

static struct az_ctx ctx;

static struct az_csv *parse(const char *s, size_t len, enum az_csv_encoding enc)
{
    struct az_csv *t = NULL;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_csv_parse(&ctx, "t.csv", s, len, enc, &t) < 0)
        return NULL;
    return t;
}

static void test_rfc4180(void **state)
{
    (void)state;
    const char *s = "name,note\r\n\"A, Inc.\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x\r\n"
                    "plain,\r\n\r\n,\n";
    struct az_csv *t = parse(s, strlen(s), AZ_CSV_AUTO);
    assert_non_null(t);
    assert_int_equal(t->nrows, 5);
    assert_string_equal(t->rows[1].f[0], "A, Inc.");
    assert_string_equal(t->rows[1].f[1], "say \"hi\"");
    assert_string_equal(t->rows[2].f[0], "multi\nline");
    assert_int_equal(t->rows[2].line, 3);
    assert_int_equal(t->rows[3].line, 5); /* the quoted newline counted */
    assert_int_equal(t->rows[3].n, 2);
    assert_string_equal(t->rows[3].f[1], "");
    assert_int_equal(t->rows[4].n, 2); /* "," is two empty fields, not an empty row */
    assert_int_equal(t->encoding, AZ_CSV_UTF8);
    az_csv_free(t);
}

static void test_excel_quirks(void **state)
{
    (void)state;
    /* BOM, sep= hint, bare CR line ends, no final newline */
    const char *s = "\xEF\xBB\xBFsep=;\r\na;b\rc;\"d;e\"";
    struct az_csv *t = parse(s, strlen(s), AZ_CSV_AUTO);
    assert_non_null(t);
    assert_true(t->had_bom);
    assert_int_equal(t->nrows, 2);
    assert_string_equal(t->rows[0].f[1], "b");
    assert_string_equal(t->rows[1].f[1], "d;e");
    az_csv_free(t);
}

static void test_cp932(void **state)
{
    (void)state;
    /* "機器,管理者\r\nＶＰＮ装置,なし〜\r\n" written by Excel in CP932 */
    const char s[] = "\x8b\x40\x8a\xed,\x8a\xc7\x97\x9d\x8e\xd2\r\n"
                     "\x82\x75\x82\x6f\x82\x6d\x91\x95\x92\x75,\x82\xc8\x82\xb5\x81\x60\r\n";
    struct az_csv *t = parse(s, sizeof(s) - 1, AZ_CSV_AUTO);
    char *out;
    size_t n;
    assert_non_null(t);
    assert_int_equal(t->encoding, AZ_CSV_CP932);
    assert_string_equal(t->rows[0].f[0], "機器");
    assert_string_equal(t->rows[1].f[0], "ＶＰＮ装置");
    /* 0x8160 decodes to U+FF5E; anzen keeps the wave dash U+301C */
    assert_string_equal(t->rows[1].f[1], "なし〜");
    /* and both encode back to 0x8160 */
    assert_int_equal(az_utf8_to_cp932(&ctx, "〜～", strlen("〜～"), &out, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\x81\x60\x81\x60", 4);
    free(out);
    /* a character CP932 cannot hold is an error with its place */
    assert_int_equal(az_utf8_to_cp932(&ctx, "ok\n😀", strlen("ok\n😀"), &out, &n), AZ_ESYNTAX);
    assert_non_null(strstr(az_errmsg(&ctx), "line 2, column 1"));
    az_csv_free(t);
}

static void test_errors(void **state)
{
    (void)state;
    char *big;
    assert_null(parse("a,\"unterminated\n", 16, AZ_CSV_AUTO));
    assert_non_null(strstr(az_errmsg(&ctx), "t.csv:1:3: quoted field is not closed"));
    assert_null(parse("a\n\"x\"y,z\n", 9, AZ_CSV_AUTO));
    assert_non_null(strstr(az_errmsg(&ctx), "t.csv:2:4: text after a closing quote"));
    assert_null(parse("a,\xff\xfe\n", 5, AZ_CSV_UTF8));
    assert_non_null(strstr(az_errmsg(&ctx), "t.csv:1:3: invalid UTF-8"));
    assert_null(parse("a,\x80\x80\n", 5, AZ_CSV_AUTO));
    assert_non_null(strstr(az_errmsg(&ctx), "neither UTF-8 nor CP932"));
    assert_null(parse("a\0b\n", 4, AZ_CSV_AUTO));
    big = malloc(AZ_CSV_MAX_FIELD + 10);
    memset(big, 'x', AZ_CSV_MAX_FIELD + 9);
    big[AZ_CSV_MAX_FIELD + 9] = '\0';
    assert_null(parse(big, strlen(big), AZ_CSV_AUTO));
    assert_non_null(strstr(az_errmsg(&ctx), "field too long"));
    free(big);
}

static void test_write_roundtrip(void **state)
{
    (void)state;
    static const char *const fields[] = {"plain", "a,b", "say \"hi\"", "two\nlines",
                                         " pad ", "",    "日本語"};
    struct az_buf b;
    struct az_csv *t;
    az_buf_init(&b, 1 << 20);
    assert_int_equal(az_csv_write_row(&b, fields, 7), 0);
    assert_int_equal(az_csv_write_row(&b, fields, 1), 0);
    assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad \",,日本語"
                                "\r\nplain\r\n");
    t = parse(b.data, b.len, AZ_CSV_UTF8);
    assert_non_null(t);
    assert_int_equal(t->nrows, 2);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(t->rows[0].f[i], fields[i]);
    az_csv_free(t);
    az_buf_done(&b);

    /* found by the fuzzer: a field that looks like Excel's hint or starts
     * with U+FEFF must come back unchanged */
    {
        static const char *const tricky[] = {"\xEF\xBB\xBFsep=;", "sep=,"};
        az_buf_init(&b, 1 << 10);
        assert_int_equal(az_csv_write_row(&b, tricky, 1), 0);
        assert_int_equal(az_csv_write_row(&b, tricky + 1, 1), 0);
        t = parse(b.data, b.len, AZ_CSV_UTF8);
        assert_non_null(t);
        assert_int_equal(t->nrows, 2);
        assert_string_equal(t->rows[0].f[0], tricky[0]);
        assert_string_equal(t->rows[1].f[0], tricky[1]);
        az_csv_free(t);
        az_buf_done(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4180),         cmocka_unit_test(test_excel_quirks),
        cmocka_unit_test(test_cp932),           cmocka_unit_test(test_errors),
        cmocka_unit_test(test_write_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
