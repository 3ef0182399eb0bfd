/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/util/doc.c (YAML/JSON -> jansson with positions) and
 * lib/util/file.c (input checks, atomic write). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "anzen/doc.h"
#include "anzen/util.h"

static struct az_ctx ctx;

static struct az_doc *load(const char *s)
{
    struct az_doc *d = NULL;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_doc_load(&ctx, "t.yaml", s, strlen(s), &d) < 0)
        return NULL;
    return d;
}

static void test_scalars_stay_strings(void **state)
{
    (void)state;
    struct az_doc *d = load("a: no\nb: 2-1\nc: 1:30\nd: 2025-04-01\ne: ~\nf: 0x10\n");
    json_t *r;
    assert_non_null(d);
    r = az_doc_root(d);
    assert_string_equal(json_string_value(json_object_get(r, "a")), "no");
    assert_string_equal(json_string_value(json_object_get(r, "b")), "2-1");
    assert_string_equal(json_string_value(json_object_get(r, "c")), "1:30");
    assert_string_equal(json_string_value(json_object_get(r, "d")), "2025-04-01");
    assert_string_equal(json_string_value(json_object_get(r, "e")), "~");
    assert_string_equal(json_string_value(json_object_get(r, "f")), "0x10");
    az_doc_free(d);
}

static void test_positions(void **state)
{
    (void)state;
    struct az_doc *d = load("top:\n  - name: 電子カルテ\n    id: emr\n");
    json_t *item;
    struct az_mark m;
    assert_non_null(d);
    item = json_array_get(json_object_get(az_doc_root(d), "top"), 0);
    m = az_doc_key_mark(d, item, "id");
    assert_int_equal(m.line, 3);
    assert_int_equal(m.col, 5);
    m = az_doc_mark(d, json_object_get(item, "name"));
    assert_int_equal(m.line, 2);
    assert_int_equal(m.col, 11);
    az_doc_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    assert_null(load("a: 1\na: 2\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "t.yaml:2:1: duplicate key \"a\""));
    assert_null(load("a: &x 1\nb: *x\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "t.yaml:2:4: aliases"));
    assert_null(load("a: [1, 2\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "t.yaml:"));
    assert_non_null(strstr(az_errmsg(&ctx), "YAML syntax error"));
    assert_null(load("a: 1\n---\nb: 2\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "more than one document"));
    assert_null(load(""));
    assert_non_null(strstr(az_errmsg(&ctx), "empty"));
    assert_null(load("? [a, b]\n: c\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "keys must be scalars"));
}

static void test_depth_limit(void **state)
{
    (void)state;
    char buf[1024];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        buf[n++] = '[';
    for (int i = 0; i < 100; i++)
        buf[n++] = ']';
    buf[n] = 0;
    assert_null(load(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "nesting too deep"));
}

static void test_json_fallback(void **state)
{
    (void)state;
    struct az_doc *d = load("{\"a\":1,\"b\":[true,null,2.5],\"c\":\"x\"}");
    json_t *r;
    assert_non_null(d);
    r = az_doc_root(d);
    assert_string_equal(json_string_value(json_object_get(r, "a")), "1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "b"), 0)), "true");
    assert_string_equal(json_string_value(json_object_get(r, "c")), "x");
    az_doc_free(d);
    assert_null(load("{\"a\":1,\"a\":2}"));
    assert_null(load("{\"a\":1"));
    assert_non_null(strstr(az_errmsg(&ctx), "t.yaml:1:"));
}

static void test_utf8(void **state)
{
    (void)state;
    assert_int_equal(az_utf8_invalid_at("abc", 3), (size_t)-1);
    assert_int_equal(az_utf8_invalid_at("医療", strlen("医療")), (size_t)-1);
    assert_int_equal(az_utf8_invalid_at("a\xC0\x80", 3), 1);     /* overlong */
    assert_int_equal(az_utf8_invalid_at("a\xED\xA0\x80", 4), 1); /* surrogate */
    assert_int_equal(az_utf8_invalid_at("ab\xE5\x8C", 4), 2);    /* truncated */
    /* 医療 in CP932 */
    assert_true(az_looks_cp932("\x88\xe3\x97\xc3", 4));
    assert_false(az_looks_cp932("plain", 5));
    assert_int_equal(az_utf8_width("abc"), 3);
    assert_int_equal(az_utf8_width("医療ab"), 6);
}

static void test_read_file_checks(void **state)
{
    (void)state;
    char dir[] = "/tmp/anzen-test-XXXXXX", path[256];
    FILE *f;
    char *data;
    size_t len;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/a.yaml", dir);
    az_ctx_init(&ctx, AZ_LANG_EN);

    f = fopen(path, "wb");
    fputs("\xEF\xBB\xBFkey: 値\n", f);
    fclose(f);
    assert_int_equal(az_read_text_file(&ctx, path, &data, &len), 0);
    assert_string_equal(data, "key: 値\n");
    free(data);

    f = fopen(path, "wb");
    fputs("a: 1\nb: \x88\xe3\x97\xc3\n", f);
    fclose(f);
    assert_int_equal(az_read_text_file(&ctx, path, &data, &len), AZ_ESYNTAX);
    assert_non_null(strstr(az_errmsg(&ctx), ":2: not UTF-8 (looks like Shift_JIS/CP932)"));

    f = fopen(path, "wb");
    fwrite("a: 1\0", 1, 5, f);
    fclose(f);
    assert_int_equal(az_read_text_file(&ctx, path, &data, &len), AZ_ESYNTAX);
    assert_non_null(strstr(az_errmsg(&ctx), "NUL"));

    assert_int_equal(truncate(path, AZ_MAX_INPUT + 1), 0);
    assert_int_equal(az_read_text_file(&ctx, path, &data, &len), AZ_ERANGE);
    assert_non_null(strstr(az_errmsg(&ctx), "too large"));

    assert_int_equal(az_read_text_file(&ctx, "/nonexistent/x", &data, &len), AZ_EIO);

    /* atomic write replaces content and leaves no temp file behind */
    assert_int_equal(az_write_file_atomic(&ctx, path, "new\n", 4), 0);
    assert_int_equal(az_read_text_file(&ctx, path, &data, &len), 0);
    assert_string_equal(data, "new\n");
    free(data);
    snprintf(path, sizeof(path), "%s/missing-dir/x", dir);
    assert_int_equal(az_write_file_atomic(&ctx, path, "x", 1), AZ_EIO);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    assert_int_equal(system(path), 0);
}

static void test_buf_limit(void **state)
{
    (void)state;
    struct az_buf b;
    az_buf_init(&b, 8);
    assert_int_equal(az_buf_puts(&b, "1234"), 0);
    assert_int_equal(az_buf_printf(&b, "%d", 5678), 0);
    assert_int_equal(az_buf_puts(&b, "9"), AZ_ERANGE);
    assert_string_equal(b.data, "12345678");
    az_buf_done(&b);
}

/* The one UTF-8 decoder (templates, catalog import): strict. */
static void test_utf8_decode(void **state)
{
    (void)state;
    uint32_t cp;
    const unsigned char ok4[] = {0xF0, 0xA0, 0xAE, 0xB7}; /* 𠮷 */
    const unsigned char over[] = {0xC0, 0xAF};            /* overlong '/' */
    const unsigned char surr[] = {0xED, 0xA0, 0x80};      /* U+D800 */
    const unsigned char big[] = {0xF4, 0x90, 0x80, 0x80}; /* > U+10FFFF */

    assert_int_equal(az_utf8_decode((const unsigned char *)"a", 1, &cp), 1);
    assert_int_equal(cp, 'a');
    assert_int_equal(az_utf8_decode((const unsigned char *)"安", 3, &cp), 3);
    assert_int_equal(cp, 0x5B89);
    assert_int_equal(az_utf8_decode(ok4, 4, &cp), 4);
    assert_int_equal(cp, 0x20BB7);
    assert_int_equal(az_utf8_decode(ok4, 3, &cp), 0); /* cut short */
    assert_int_equal(az_utf8_decode(over, 2, &cp), 0);
    assert_int_equal(az_utf8_decode(surr, 3, &cp), 0);
    assert_int_equal(az_utf8_decode(big, 4, &cp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_stay_strings),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_json_fallback),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_read_file_checks),
        cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_utf8_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
