/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/finding: the rule table, topic resolution through the
 * crosswalks of the embedded catalog, and the JSON round trip. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/finding.h"
#include "anzen/ledger.h"
#include "anzen/util.h"

static struct az_ctx ctx;
static struct az_catalog *cat;

static int setup(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0 || az_rules_load(&ctx) < 0) {
        fprintf(stderr, "%s\n", az_errmsg(&ctx));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    az_catalog_free(cat);
    return 0;
}

/* Every topic of every rule resolves in every checklist edition that has
 * items (guideline topics: in every guideline edition that has the
 * section, at least the newest one): a renamed item in a new edition
 * cannot silently disconnect findings from the plan. */
static void test_every_topic_resolves(void **state)
{
    (void)state;
    size_t nrules = az_rules_count();

    assert_true(nrules >= 30);
    for (size_t i = 0; i < nrules; i++) {
        const char *const *topics;
        size_t nt;
        const char *rule = az_rule_at(i, &topics, &nt);
        for (size_t t = 0; t < nt; t++) {
            bool guideline = !strncmp(topics[t], "gl:", 3), any = false;
            for (size_t e = 0; e < az_catalog_neditions(cat); e++) {
                const struct az_edition *ed = az_catalog_edition_at(cat, e);
                const struct az_item *items[16];
                size_t n;
                if (!ed->nitems || ed->checklist == guideline)
                    continue;
                n = az_topic_items(cat, ed, NULL, topics[t], items, 16);
                if (!guideline && n == 0)
                    fail_msg("%s: topic %s does not resolve in %s", rule, topics[t], ed->id);
                any |= n > 0;
                for (size_t k = 0; k < n; k++)
                    assert_ptr_equal(items[k]->edition, ed);
            }
            if (!any)
                fail_msg("%s: topic %s resolves in no edition", rule, topics[t]);
        }
    }
}

/* Through the crosswalks: the 令和7 patch item was three per-device items
 * in 令和6; a pharmacy's form gets its own item; old item IDs still work. */
static void test_crosswalk_and_form(void **state)
{
    (void)state;
    const struct az_item *v[16];
    const struct az_edition *r6 = az_catalog_edition(cat, "cl-r6");
    const struct az_edition *r7 = az_catalog_edition(cat, "cl-r7");
    size_t n;

    assert_non_null(r6);
    assert_non_null(r7);
    n = az_topic_items(cat, r6, NULL, "h:patches", v, 16);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_non_null(strstr(v[i]->id, "cl-r6.h.patches-"));
    n = az_topic_items(cat, r7, "p", "h:patches", v, 16);
    assert_int_equal(n, 1);
    assert_string_equal(v[0]->id, "cl-r7.p.patches");
    n = az_topic_items(cat, r7, NULL, "cl-r7.h.asset-ledger", v, 16);
    assert_int_equal(n, 1);
    assert_string_equal(v[0]->id, "cl-r7.h.asset-ledger");
    assert_int_equal(az_topic_items(cat, r7, NULL, "h:no-such-topic", v, 16), 0);
    n = az_topic_items(cat, r7, NULL, "gl:ops-8-2", v, 16);
    assert_int_equal(n, 1);
    assert_false(v[0]->edition->checklist);
    assert_int_equal(
        az_topic_items(cat, az_catalog_edition(cat, "gl-6.0"), NULL, "h:patches", v, 16), 0);
}

static void test_unknown_rule_and_json(void **state)
{
    (void)state;
    struct az_finding f, g;
    const char *tb[16];
    json_t *o;

    assert_int_equal(az_finding_init(&ctx, &f, "ledger.no-such-rule", AZ_LEVEL_GAP, "a", "b"),
                     AZ_EINVAL);
    assert_int_equal(az_finding_init(&ctx, &f, "ledger.kev/vpn", AZ_LEVEL_GAP, "版", "ver"), 0);
    f.asset = "VPN ルータ";
    f.line = 7;
    o = az_finding_json(&f);
    assert_string_equal(json_string_value(json_object_get(o, "rule")), "kev");
    assert_string_equal(json_string_value(json_object_get(o, "check")), "ledger");
    assert_int_equal(az_finding_read(o, &g, tb, 16), 0);
    assert_int_equal(g.ntopics, 2);
    assert_string_equal(g.topics[1], "h:remote-maintenance");
    assert_string_equal(g.asset, "VPN ルータ");
    assert_int_equal(g.line, 7);
    assert_int_equal(g.level, AZ_LEVEL_GAP);
    json_decref(o);
    /* a finding saved before topics existed */
    o = json_pack("{s:s, s:s, s:s, s:[s]}", "level", "gap", "ja", "x", "en", "y", "items",
                  "cl-r7.h.patches");
    assert_int_equal(az_finding_read(o, &g, tb, 16), 0);
    assert_int_equal(g.ntopics, 1);
    json_decref(o);
    o = json_pack("{s:s}", "level", "nonsense");
    assert_int_equal(az_finding_read(o, &g, tb, 16), AZ_EINVAL);
    json_decref(o);
}

/* Every rule a check names in its source is in the table: a misspelt
 * rule would otherwise produce findings that reach no checklist item. */
static void test_sources_name_known_rules(void **state)
{
    (void)state;
    static const struct {
        const char *file, *check;
    } src[] = {{"lib/ledger/ledger_check.c", "ledger"},
               {"lib/ledger/vendor.c", "vendor"},
               {"lib/scan/findings.c", "scan"}};
    regex_t re;
    size_t checked = 0;

    assert_int_equal(
        regcomp(&re, "(finding|add)\\([^;\"]*\"([a-z0-9-]+)(/[a-z]+)?\"", REG_EXTENDED), 0);
    for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
        char path[1024], *data = NULL;
        size_t len = 0;
        regmatch_t m[4];
        snprintf(path, sizeof(path), "%s/%s", SRCDIR, src[i].file);
        assert_int_equal(az_read_text_file(&ctx, path, &data, &len), 0);
        for (const char *p = data; regexec(&re, p, 4, m, 0) == 0; p += m[0].rm_eo) {
            char key[128];
            struct az_finding f;
            snprintf(key, sizeof(key), "%s.%.*s", src[i].check, (int)(m[2].rm_eo - m[2].rm_so),
                     p + m[2].rm_so);
            if (m[3].rm_so >= 0)
                snprintf(key + strlen(key), sizeof(key) - strlen(key), "%.*s",
                         (int)(m[3].rm_eo - m[3].rm_so), p + m[3].rm_so);
            if (az_finding_init(&ctx, &f, key, AZ_LEVEL_GAP, "", "") < 0)
                fail_msg("%s names rule %s, which is not in data/rules/rules.yaml", src[i].file,
                         key);
            checked++;
        }
        free(data);
    }
    regfree(&re);
    assert_true(checked >= 30);
}

/* A device name of any length reaches the finding whole (messages were
 * built in fixed buffers and cut, or dropped, at 512 bytes). */
static void test_long_name_whole(void **state)
{
    (void)state;
    struct az_buf csv, name;
    struct az_ledger *l = NULL;
    json_t *res;
    const char *ja;

    az_buf_init(&csv, 1u << 20);
    az_buf_init(&name, 1u << 20);
    for (int i = 0; i < 120; i++)
        az_buf_puts(&name, "外来");
    az_buf_puts(&name, "の受付端末");
    az_buf_printf(&csv, "種別,名称,管理者\nPC,%s,\n", name.data);
    assert_int_equal(az_ledger_import(&ctx, "long.csv", csv.data, csv.len, false, &l), 0);
    res = az_ledger_check(l, NULL, (struct az_date){2025, 11, 24}, 180);
    assert_non_null(res);
    ja = json_string_value(
        json_object_get(json_array_get(json_object_get(res, "findings"), 0), "ja"));
    assert_non_null(ja);
    assert_non_null(strstr(ja, name.data));
    assert_true(az_utf8_invalid_at(ja, strlen(ja)) == (size_t)-1);
    json_decref(res);
    az_ledger_free(l);
    az_buf_done(&csv);
    az_buf_done(&name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_topic_resolves),
        cmocka_unit_test(test_crosswalk_and_form),
        cmocka_unit_test(test_unknown_rule_and_json),
        cmocka_unit_test(test_sources_name_known_rules),
        cmocka_unit_test(test_long_name_whole),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
