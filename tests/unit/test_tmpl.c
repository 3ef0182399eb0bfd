/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/report/tmpl.c: the template language, its errors with
 * name:line:col, its limits, and escaping of hostile values (XSS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/tmpl.h"

static struct az_ctx ctx;

/* Render src (as template "t", plus optional extra templates name=src
 * pairs) with data given as JSON text and raw given as JSON text. Returns
 * the output (caller frees) or NULL with the error in ctx. */
static char *render_with(const char *src, const char *data, const char *raw, const char **extra)
{
    struct az_tmpl_set *set;
    struct az_buf b;
    json_t *d = NULL, *rw = NULL;
    char *out = NULL;

    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_tmpl_set_new(&ctx, &set), 0);
    if (az_tmpl_add(&ctx, set, "t", src, strlen(src)) < 0) {
        az_tmpl_set_free(set);
        return NULL;
    }
    for (size_t i = 0; extra && extra[i]; i += 2)
        assert_int_equal(az_tmpl_add(&ctx, set, extra[i], extra[i + 1], strlen(extra[i + 1])), 0);
    if (data) {
        d = json_loads(data, 0, NULL);
        assert_non_null(d);
    }
    if (raw) {
        rw = json_loads(raw, 0, NULL);
        assert_non_null(rw);
    }
    az_buf_init(&b, 1u << 26);
    if (az_tmpl_render(&ctx, set, "t", d, rw, &b) == 0)
        out = az_buf_take(&b);
    az_buf_done(&b);
    json_decref(d);
    json_decref(rw);
    az_tmpl_set_free(set);
    return out;
}

static char *render(const char *src, const char *data)
{
    return render_with(src, data, NULL, NULL);
}

#define EXPECT(src, data, want)                                                                    \
    do {                                                                                           \
        char *got_ = render(src, data);                                                            \
        if (!got_)                                                                                 \
            fail_msg("render failed: %s", az_errmsg(&ctx));                                        \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

#define EXPECT_ERR(src, data, msg)                                                                 \
    do {                                                                                           \
        char *got_ = render(src, data);                                                            \
        if (got_)                                                                                  \
            fail_msg("expected an error, got \"%s\"", got_);                                       \
        if (!strstr(az_errmsg(&ctx), msg))                                                         \
            fail_msg("error \"%s\" lacks \"%s\"", az_errmsg(&ctx), msg);                           \
    } while (0)

static void test_values(void **state)
{
    (void)state;
    EXPECT("Hello {{name}}!", "{\"name\": \"世界\"}", "Hello 世界!");
    EXPECT("{{ a.b.c }}", "{\"a\": {\"b\": {\"c\": \"deep\"}}}", "deep");
    EXPECT("{{n}} {{r}} {{t}} {{f}} [{{z}}] [{{missing}}] [{{a.missing.x}}]",
           "{\"n\": -42, \"r\": 2.5, \"t\": true, \"f\": false, \"z\": null, \"a\": {}}",
           "-42 2.5 true false [] [] []");
    EXPECT("{{list.1}}", "{\"list\": [\"x\", \"y\"]}", "y");
    EXPECT("no tags at all\n", NULL, "no tags at all\n");
    EXPECT("{{! a comment }}x", NULL, "x");
    EXPECT("", NULL, "");
    EXPECT("{ {not a tag} }", NULL, "{ {not a tag} }");
}

static void test_sections(void **state)
{
    (void)state;
    /* arrays loop with the element as context; outer names stay visible */
    EXPECT("{{#items}}{{name}}@{{org}};{{/items}}",
           "{\"org\": \"O\", \"items\": [{\"name\": \"a\"}, {\"name\": \"b\", \"org\": \"P\"}]}",
           "a@O;b@P;");
    EXPECT("{{#xs}}{{.}},{{/xs}}", "{\"xs\": [1, \"two\", 3]}", "1,two,3,");
    EXPECT("{{#xs}}{{@index}}/{{@number}}{{#@first}}F{{/@first}}{{#@last}}L{{/@last}} {{/xs}}",
           "{\"xs\": [\"a\", \"b\", \"c\"]}", "0/1F 1/2 2/3L ");
    /* loop variables of the innermost loop */
    EXPECT("{{#a}}{{#b}}{{@index}}{{/b}}|{{@index}};{{/a}}",
           "{\"a\": [{\"b\": [1, 2]}, {\"b\": [3]}]}", "01|0;0|1;");
    /* objects become the context once; scalars render once */
    EXPECT("{{#o}}{{k}}{{/o}}", "{\"o\": {\"k\": \"v\"}}", "v");
    EXPECT("{{#s}}[{{.}}]{{/s}}", "{\"s\": \"yes\"}", "[yes]");
    /* falsy: missing, null, false, 0, "", [], {} */
    EXPECT("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}{{#e}}E{{/e}}{{#f}}F{{/"
           "f}}{{#g}}G{{/g}}",
           "{\"b\": null, \"c\": false, \"d\": 0, \"e\": \"\", \"f\": [], \"g\": {}}", "");
    EXPECT("{{^a}}A{{/a}}{{^b}}B{{/b}}{{^c}}C{{/c}}{{^d}}D{{/d}}{{^e}}E{{/e}}{{^f}}F{{/"
           "f}}{{^g}}G{{/g}}",
           "{\"b\": null, \"c\": false, \"d\": 0, \"e\": \"\", \"f\": [], \"g\": {}}", "ABCDEFG");
    EXPECT("{{^x}}none{{/x}}", "{\"x\": [1]}", "");
    EXPECT("{{#a.b}}{{c}}{{/a.b}}", "{\"a\": {\"b\": {\"c\": 7}}}", "7");
}

static void test_standalone(void **state)
{
    (void)state;
    /* tags alone on their line take the line with them */
    EXPECT("<ul>\n  {{#xs}}\n  <li>{{.}}</li>\n  {{/xs}}\n</ul>\n", "{\"xs\": [1, 2]}",
           "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    EXPECT("a\r\n{{! note }}\r\nb", NULL, "a\r\nb");
    EXPECT("x {{#t}}y{{/t}} z\n", "{\"t\": true}", "x y z\n");
    /* a variable alone on a line keeps it */
    EXPECT("a\n{{v}}\nb", "{\"v\": \"V\"}", "a\nV\nb");
}

static void test_partials_layouts(void **state)
{
    const char *extra[] = {
        "row",  "<td>{{name}}</td>",
        "base", "<html><title>{{$title}}anzen{{/title}}</title>{{$body}}empty{{/body}}</html>",
        "mid",  "{{<base}}{{$title}}Mid{{/title}}{{$body}}mid-body{{/body}}{{/base}}",
        NULL};
    char *s;

    (void)state;
    s = render_with("{{#rows}}{{> row}}{{/rows}}",
                    "{\"rows\": [{\"name\": \"a\"}, {\"name\": \"<b>\"}]}", NULL, extra);
    assert_non_null(s);
    assert_string_equal(s, "<td>a</td><td>&lt;b&gt;</td>");
    free(s);
    s = render_with("{{<base}}{{$body}}<p>{{x}}</p>{{/body}}{{/base}}", "{\"x\": \"X\"}", NULL,
                    extra);
    assert_non_null(s);
    assert_string_equal(s, "<html><title>anzen</title><p>X</p></html>");
    free(s);
    /* two levels: the most derived block wins, the middle fills the rest */
    s = render_with("{{<mid}}{{$body}}child{{/body}}{{/mid}}", NULL, NULL, extra);
    assert_non_null(s);
    assert_string_equal(s, "<html><title>Mid</title>child</html>");
    free(s);
    /* a block outside any layout renders its default */
    s = render_with("[{{$b}}dflt{{/b}}]", NULL, NULL, NULL);
    assert_non_null(s);
    assert_string_equal(s, "[dflt]");
    free(s);
}

static void test_raw_is_only_trusted(void **state)
{
    char *s;

    (void)state;
    /* raw comes from the raw object only: a data value of the same name is ignored */
    s = render_with("{{{chart}}}|{{&chart}}|{{chart}}", "{\"chart\": \"<script>x</script>\"}",
                    "{\"chart\": \"<svg><rect/></svg>\"}", NULL);
    assert_non_null(s);
    assert_string_equal(s, "<svg><rect/></svg>|<svg><rect/></svg>|&lt;script&gt;x&lt;/script&gt;");
    free(s);
    s = render_with("[{{{chart}}}]", "{\"chart\": \"<script>\"}", NULL, NULL);
    assert_non_null(s);
    assert_string_equal(s, "[]");
    free(s);
    /* inside a loop the data cannot shadow raw names either */
    s = render_with("{{#xs}}{{{svg.a}}}{{/xs}}", "{\"xs\": [{\"svg\": {\"a\": \"<x>\"}}]}",
                    "{\"svg\": {\"a\": \"<ok/>\"}}", NULL);
    assert_non_null(s);
    assert_string_equal(s, "<ok/>");
    free(s);
    assert_null(render_with("{{{n}}}", NULL, "{\"n\": 1}", NULL));
    assert_non_null(strstr(az_errmsg(&ctx), "t:1:1"));
}

static void test_url_filter(void **state)
{
    (void)state;
    EXPECT("<a href=\"/vendor/{{id|url}}\">", "{\"id\": \"a b/\\\"<>?&=日\"}",
           "<a href=\"/vendor/a%20b%2F%22%3C%3E%3F%26%3D%E6%97%A5\">");
    EXPECT("{{ id | url }}", "{\"id\": \"A-z_0.9~\"}", "A-z_0.9~");
}

/* Hostile values from users (institution names, notes, vendor answers). */
static void test_xss(void **state)
{
    char *s;

    (void)state;
    EXPECT("<td>{{v}}</td>", "{\"v\": \"<script>alert(1)</script>\"}",
           "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
    EXPECT("<input value=\"{{v}}\" title='{{v}}'>",
           "{\"v\": \"\\\" onmouseover=\\\"alert(1)' x=`y`\"}",
           "<input value=\"&quot; onmouseover=&quot;alert(1)&#39; x=&#96;y&#96;\" "
           "title='&quot; onmouseover=&quot;alert(1)&#39; x=&#96;y&#96;'>");
    EXPECT("{{v}}", "{\"v\": \"&lt; already &amp;\"}", "&amp;lt; already &amp;amp;");
    EXPECT("{{v}}", "{\"v\": \"</textarea><img src=x onerror=alert(1)>\"}",
           "&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;");
    /* a value that looks like a tag is not a tag: no second expansion */
    EXPECT("{{v}}", "{\"v\": \"{{{chart}}} {{#x}}\"}", "{{{chart}}} {{#x}}");
    /* bidi overrides and isolates are neutralised; zero-width characters
     * and ordinary Japanese text are kept */
    EXPECT("[{{v}}]", "{\"v\": \"a\\u202Eevil\\u202C\\u2066b\\u2069\"}",
           "[a\xEF\xBF\xBD"
           "evil\xEF\xBF\xBD\xEF\xBF\xBD"
           "b\xEF\xBF\xBD]");
    EXPECT("[{{v}}]", "{\"v\": \"x\\u200By\\u200Dz\\uFEFF医療\"}", "[x\u200By\u200Dz\uFEFF医療]");
    /* controls other than tab/newline/CR become U+FFFD; tab etc. stay */
    EXPECT("[{{v}}]", "{\"v\": \"a\\u0001b\\u007Fc\\u0085d\\te\\nf\"}",
           "[a\xEF\xBF\xBD"
           "b\xEF\xBF\xBD"
           "c\xEF\xBF\xBD"
           "d\te\nf]");
    /* a very long line goes through whole and escaped */
    {
        size_t n = 300000;
        char *v = malloc(n + 1), *data, *want;
        memset(v, '<', n);
        v[n] = '\0';
        data = malloc(n + 32);
        snprintf(data, n + 32, "{\"v\": \"%s\"}", v);
        s = render("{{v}}", data);
        assert_non_null(s);
        assert_int_equal(strlen(s), n * 4);
        want = malloc(n * 4 + 1);
        for (size_t i = 0; i < n; i++)
            memcpy(want + i * 4, "&lt;", 4);
        want[n * 4] = '\0';
        assert_string_equal(s, want);
        free(want);
        free(s);
        free(data);
        free(v);
    }
}

static void test_escape_invalid_utf8(void **state)
{
    struct az_buf b;

    (void)state;
    az_buf_init(&b, 1024);
    /* overlong '<', a surrogate, a stray continuation byte, a truncated sequence */
    assert_int_equal(az_html_escape(&b, "\xC0\xBC|\xED\xA0\x80|\x80|\xE6\x97", 11), 0);
    assert_null(strchr(b.data, '<'));
    assert_string_equal(b.data, "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
                                "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD");
    az_buf_done(&b);
}

static void test_parse_errors(void **state)
{
    (void)state;
    EXPECT_ERR("line1\n  {{#items}}\n  x\n", NULL, "t:2:3: section \"items\" is never closed");
    EXPECT_ERR("{{#a}}\n{{#b}}{{/a}}", NULL,
               "t:2:7: closing tag does not match the open section \"a\"");
    EXPECT_ERR("ok\n{{/a}}", NULL, "t:2:1: closing tag with no open section \"a\"");
    EXPECT_ERR("ab {{name", NULL, "t:1:4: tag {{ is never closed");
    EXPECT_ERR("{{{raw}}", NULL, "t:1:1: tag {{{ is never closed");
    EXPECT_ERR("日本語 {{bad name}}", NULL, "t:1:5: invalid tag name \"bad name\"");
    EXPECT_ERR("{{}}", NULL, "t:1:1: invalid tag name");
    EXPECT_ERR("{{a..b}}", NULL, "invalid tag name");
    EXPECT_ERR("{{a|upper}}", NULL, "t:1:1: unknown filter");
    EXPECT_ERR("{{=<% %>=}}", NULL, "t:1:1: changing delimiters");
    EXPECT_ERR("a\xff", NULL, "t:1:2: not UTF-8");
    {
        struct az_tmpl_set *set;
        az_ctx_init(&ctx, AZ_LANG_JA);
        assert_int_equal(az_tmpl_set_new(&ctx, &set), 0);
        assert_int_equal(az_tmpl_add(&ctx, set, "ja.html", "\n\n  {{#x}}", strlen("\n\n  {{#x}}")),
                         AZ_ESYNTAX);
        assert_string_equal(az_errmsg(&ctx), "ja.html:3:3: セクション \"x\" が閉じていません");
        assert_int_equal(az_tmpl_add(&ctx, set, "nul", "a\0b", 3), AZ_ESYNTAX);
        az_tmpl_set_free(set);
    }
    /* nesting deeper than the limit */
    {
        char src[8192];
        size_t k = 0;
        for (int i = 0; i <= AZ_TMPL_MAX_DEPTH; i++, k += 6)
            memcpy(src + k, "{{#a}}", 6);
        src[k] = '\0';
        EXPECT_ERR(src, NULL, "nesting too deep");
    }
}

static void test_render_errors(void **state)
{
    struct az_tmpl_set *set;
    struct az_buf b;
    json_t *d;

    (void)state;
    EXPECT_ERR("a\n {{obj}}", "{\"obj\": {\"k\": 1}}",
               "t:2:2: {{obj}}: an array or object cannot be printed");
    EXPECT_ERR("{{> nosuch}}", NULL, "t:1:1: {{nosuch}}: no such template");
    {
        const char *loop[] = {"a", "{{> b}}", "b", "{{> a}}", NULL};
        assert_null(render_with("{{> a}}", NULL, NULL, loop));
        assert_non_null(strstr(az_errmsg(&ctx), "includes nested too deep"));
    }
    {
        /* a block override that contains itself must not recurse forever */
        const char *lay[] = {"L", "{{$x}}d{{/x}}", NULL};
        assert_null(render_with("{{<L}}{{$x}}[{{$x}}{{/x}}]{{/x}}{{/L}}", NULL, NULL, lay));
        assert_non_null(strstr(az_errmsg(&ctx), "too deep"));
    }
    /* az_tmpl_check finds dangling includes before anything renders */
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_tmpl_set_new(&ctx, &set), 0);
    assert_int_equal(az_tmpl_add(&ctx, set, "page.html", "x\n{{#a}}{{< lay}}{{/lay}}{{/a}}",
                                 strlen("x\n{{#a}}{{< lay}}{{/lay}}{{/a}}")),
                     0);
    assert_int_equal(az_tmpl_check(&ctx, set), AZ_ENOTFOUND);
    assert_string_equal(az_errmsg(&ctx), "page.html:2:7: no template \"lay\"");
    assert_int_equal(az_tmpl_add(&ctx, set, "lay", "L", strlen("L")), 0);
    assert_int_equal(az_tmpl_check(&ctx, set), 0);
    assert_true(az_tmpl_has(set, "lay"));
    assert_false(az_tmpl_has(set, "la"));

    /* the output limit fails cleanly and leaves the buffer as it was */
    d = json_pack("{s:[s,s,s,s]}", "xs", "0123456789", "0123456789", "0123456789", "0123456789");
    assert_int_equal(
        az_tmpl_add(&ctx, set, "big", "{{#xs}}{{.}}{{/xs}}", strlen("{{#xs}}{{.}}{{/xs}}")), 0);
    az_buf_init(&b, 30);
    assert_int_equal(az_buf_puts(&b, "keep"), 0);
    assert_int_equal(az_tmpl_render(&ctx, set, "big", d, NULL, &b), AZ_ERANGE);
    assert_string_equal(b.data, "keep");
    assert_non_null(strstr(az_errmsg(&ctx), "output exceeds"));
    /* the step budget stops loops that print nothing */
    az_tmpl_set_max_steps(set, 10);
    assert_int_equal(az_tmpl_add(&ctx, set, "nest", "{{#xs}}{{#xs}}{{#xs}}{{/xs}}{{/xs}}{{/xs}}",
                                 strlen("{{#xs}}{{#xs}}{{#xs}}{{/xs}}{{/xs}}{{/xs}}")),
                     0);
    assert_int_equal(az_tmpl_render(&ctx, set, "nest", d, NULL, &b), AZ_ERANGE);
    assert_non_null(strstr(az_errmsg(&ctx), "nest:1:"));
    assert_string_equal(b.data, "keep");
    assert_int_equal(az_tmpl_render(&ctx, set, "none", d, NULL, &b), AZ_ENOTFOUND);
    az_buf_done(&b);
    json_decref(d);
    az_tmpl_set_free(set);
}

static void test_blobs(void **state)
{
    const struct az_file_blob blobs[] = {
        {"embedded:page.html", "<p>{{> part.html}}</p>", 22},
        {"embedded:part.html", "{{x}}", 5},
        {"embedded:notes.txt", "{{#broken", 9},
        {NULL, NULL, 0},
    };
    struct az_tmpl_set *set;
    struct az_buf b;
    json_t *d = json_pack("{s:s}", "x", "\"q\"");

    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_tmpl_set_new(&ctx, &set), 0);
    assert_int_equal(az_tmpl_add_blobs(&ctx, set, blobs, 3, ".html"), 0);
    assert_true(az_tmpl_has(set, "page.html"));
    assert_false(az_tmpl_has(set, "notes.txt"));
    assert_int_equal(az_tmpl_check(&ctx, set), 0);
    az_buf_init(&b, 4096);
    assert_int_equal(az_tmpl_render(&ctx, set, "page.html", d, NULL, &b), 0);
    assert_string_equal(b.data, "<p>&quot;q&quot;</p>");
    az_buf_done(&b);
    /* without the suffix filter the broken one is parsed and reported */
    assert_int_equal(az_tmpl_add_blobs(&ctx, set, blobs, 3, NULL), AZ_ESYNTAX);
    assert_non_null(strstr(az_errmsg(&ctx), "notes.txt:1:1:"));
    json_decref(d);
    az_tmpl_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_standalone),
        cmocka_unit_test(test_partials_layouts),
        cmocka_unit_test(test_raw_is_only_trusted),
        cmocka_unit_test(test_url_filter),
        cmocka_unit_test(test_xss),
        cmocka_unit_test(test_escape_invalid_utf8),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_render_errors),
        cmocka_unit_test(test_blobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
