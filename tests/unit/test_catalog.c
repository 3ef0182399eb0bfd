/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/catalog: loading, every validation error class,
 * lookups, aliases, labels. Uses the fixture catalogs in tests/data/mini. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/catalog.h"
#include "anzen/util.h"

static struct az_ctx ctx;
static const char *names[] = {"cl-a.yaml", "cl-b.yaml", "gl-x.yaml"};
static char *texts[3];

static int setup(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    for (int i = 0; i < 3; i++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof(path), "%s/mini/%s", TEST_DATA, names[i]);
        if (az_read_text_file(&ctx, path, &texts[i], &len) < 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        free(texts[i]);
    return 0;
}

/* Load the three fixtures with `from` replaced by `to` in file `which`.
 * Returns the catalog (or NULL with the error in ctx). */
static struct az_catalog *load_variant(int which, const char *from, const char *to)
{
    struct az_file_blob b[3];
    struct az_catalog *cat = NULL;
    char *mod = NULL;

    for (int i = 0; i < 3; i++)
        b[i] = (struct az_file_blob){names[i], texts[i], strlen(texts[i])};
    if (which >= 0) {
        const char *p = strstr(texts[which], from);
        size_t n;
        if (!p)
            fail_msg("fixture has no \"%s\"", from);
        n = strlen(texts[which]) - strlen(from) + strlen(to) + 1;
        mod = malloc(n);
        snprintf(mod, n, "%.*s%s%s", (int)(p - texts[which]), texts[which], to, p + strlen(from));
        b[which].data = mod;
        b[which].len = strlen(mod);
    }
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_blobs(&ctx, b, 3, &cat) < 0)
        cat = NULL;
    free(mod);
    return cat;
}

static void expect_error(int which, const char *from, const char *to, const char *msg)
{
    struct az_catalog *cat = load_variant(which, from, to);
    if (cat) {
        az_catalog_free(cat);
        fail_msg("variant %s -> %s should fail", from, to);
    }
    if (!strstr(az_errmsg(&ctx), msg))
        fail_msg("want \"%s\" in \"%s\"", msg, az_errmsg(&ctx));
}

static void test_load_ok(void **state)
{
    (void)state;
    struct az_catalog *cat = load_variant(-1, NULL, NULL);
    const struct az_edition *a, *b;
    const struct az_item *it;
    if (!cat)
        fail_msg("%s", az_errmsg(&ctx));
    assert_int_equal(az_catalog_neditions(cat), 3);
    a = az_catalog_edition(cat, "cl-a");
    b = az_catalog_edition(cat, "r7"); /* alias by fiscal year 2025 */
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(b->id, "cl-b");
    assert_int_equal(b->fiscal_year, 2025); /* from 令和7年度 */
    assert_ptr_equal(b->supersedes, a);
    assert_ptr_equal(az_catalog_edition(cat, "令和6年度"), a);
    assert_ptr_equal(az_catalog_default_checklist(cat), b);
    assert_ptr_equal(az_catalog_newest_checklist(cat), b);
    assert_string_equal(az_catalog_newest_guideline(cat)->id, "gl-x");
    assert_int_equal(az_edition_form(a, "h")->nitems, 6);
    assert_int_equal(az_edition_form(a, "v")->nitems, 1);
    assert_true(az_edition_form(a, "v")->vendor);
    it = az_catalog_item(cat, "cl-a.h.lead");
    assert_non_null(it);
    assert_int_equal(it->nrefs, 1);
    assert_string_equal(it->refs[0]->id, "gl-x.mgmt-1");
    it = az_catalog_item(cat, "cl-b.h.patch");
    assert_non_null(it->xwalk);
    assert_int_equal(it->xwalk->rel, AZ_XREL_MERGED);
    assert_int_equal(it->xwalk->nfrom, 2);
    it = az_catalog_item(cat, "cl-b.h.mfa");
    assert_true(it->has_due_by);
    assert_int_equal(it->due_by.y, 2027);
    assert_int_equal(it->confidence, AZ_CONF_DRAFT);
    assert_null(az_catalog_item(cat, "cl-b.h.nope"));
    /* label lookup: circled and bracketed numbers are the same */
    assert_ptr_equal(az_edition_item_by_label(b, az_edition_form(b, "h"), "2-(6)"),
                     az_catalog_item(cat, "cl-b.h.patch"));
    assert_ptr_equal(az_edition_item_by_label(b, az_edition_form(b, "h"), "2-⑥"),
                     az_catalog_item(cat, "cl-b.h.patch"));
    assert_ptr_equal(az_edition_item_by_label(a, az_edition_form(a, "h"), "1-(1)"),
                     az_catalog_item(cat, "cl-a.h.lead"));
    az_catalog_free(cat);
}

static void test_error_classes(void **state)
{
    (void)state;
    /* unknown key, with its position */
    expect_error(0, "    label: \"1-(1)\"\n", "    label: \"1-(1)\"\n    titel: x\n",
                 "cl-a.yaml:41:5: unknown key \"titel\" in item");
    /* duplicate ID within the catalog */
    expect_error(0, "id: cl-a.h.rights", "id: cl-a.h.remote",
                 "duplicate item id \"cl-a.h.remote\"");
    /* missing translation */
    expect_error(1, "title: {ja: 二要素認証, en: Two-factor authentication}",
                 "title: {ja: 二要素認証}", "\"title\" is missing its English (en) translation");
    expect_error(1, "title: {ja: 二要素認証, en: Two-factor authentication}",
                 "title: {ja: \"\", en: x}", "\"title\" is missing its Japanese (ja) text");
    /* bad references */
    expect_error(0, "refs: [gl-x.mgmt-1]", "refs: [gl-x.mgmt-9]",
                 "reference to unknown item \"gl-x.mgmt-9\"");
    expect_error(0, "refs: [gl-x.mgmt-1]", "refs: [cl-a.h.rights]",
                 "refs must name guideline requirements");
    expect_error(1, "{from: [cl-a.h.lead], to: cl-b.h.lead, relation: same}",
                 "{from: [cl-a.h.leed], to: cl-b.h.lead, relation: same}",
                 "crosswalk source \"cl-a.h.leed\" is unknown");
    expect_error(1, "{from: [cl-a.h.lead], to: cl-b.h.lead, relation: same}",
                 "{from: [cl-a.h.lead], to: cl-b.h.lead, relation: similar}",
                 "relation must be same, merged, changed or split");
    expect_error(1, "supersedes: cl-a", "supersedes: cl-z",
                 "supersedes names an unknown edition \"cl-z\"");
    /* invalid id token, wrong prefix */
    expect_error(0, "id: cl-a.h.rights", "id: cl-a.h.権限", "must start with a letter");
    expect_error(0, "id: cl-a.h.rights", "id: cl-b.h.rights2", "must start with the edition id");
    /* bad enum values and dates */
    expect_error(0, "roles: [planning, operations]", "roles: [director]",
                 "roles must be management, planning or operations");
    expect_error(1, "due-by: 2027-03-31", "due-by: 2027-02-30", "invalid date \"2027-02-30\"");
    expect_error(0, "    applies-if: [has-vendor]", "    applies-if: [has-vendors]",
                 "unknown applies-if condition \"has-vendors\"");
    expect_error(0, "form: v\n", "form: x\n", "unknown form \"x\"");
    expect_error(0, "confidence: draft", "confidence: maybe",
                 "confidence must be verified, draft or unverified");
    expect_error(0, "  fiscal-year: \"2024\"\n", "", "checklist editions need fiscal-year");
    expect_error(0, "    required-from: 2024\n", "", "checklist items need required-from");
    expect_error(0, "anzen-catalog: 1", "anzen-catalog: 2", "unsupported format version");
    /* YAML errors carry the file and place too */
    expect_error(2, "  - id: gl-x.ops-2", "  - id: [gl-x.ops-2", "gl-x.yaml:");
}

static void test_many_errors_reported(void **state)
{
    (void)state;
    /* two independent errors in two files: both reported */
    struct az_file_blob b[3];
    struct az_catalog *cat;
    char *x = strdup(texts[0]), *y = strdup(texts[2]);
    char *p = strstr(x, "confidence: draft");
    memcpy(p, "confidence: xxxxx", strlen("confidence: draft"));
    p = strstr(y, "volume: management");
    memcpy(p, "volume: managemenX", strlen("volume: management"));
    b[0] = (struct az_file_blob){"cl-a.yaml", x, strlen(x)};
    b[1] = (struct az_file_blob){"cl-b.yaml", texts[1], strlen(texts[1])};
    b[2] = (struct az_file_blob){"gl-x.yaml", y, strlen(y)};
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_true(az_catalog_load_blobs(&ctx, b, 3, &cat) < 0);
    assert_non_null(strstr(az_errmsg(&ctx), "cl-a.yaml:"));
    assert_non_null(strstr(az_errmsg(&ctx), "gl-x.yaml:"));
    assert_non_null(strstr(az_errmsg(&ctx), "unknown volume \"managemenX\""));
    free(x);
    free(y);
}

static void test_japanese_messages(void **state)
{
    (void)state;
    struct az_file_blob b[3];
    struct az_catalog *cat;
    char *x = strdup(texts[1]);
    char *p = strstr(x, "en: Two-factor authentication}");
    memcpy(p, "xx: Two-factor authentication}", 3);
    for (int i = 0; i < 3; i++)
        b[i] =
            (struct az_file_blob){names[i], i == 1 ? x : texts[i], strlen(i == 1 ? x : texts[i])};
    az_ctx_init(&ctx, AZ_LANG_JA);
    assert_true(az_catalog_load_blobs(&ctx, b, 3, &cat) < 0);
    assert_non_null(strstr(az_errmsg(&ctx), "英語 (en) の訳がありません"));
    assert_non_null(strstr(az_errmsg(&ctx), "未知のキー"));
    free(x);
}

static void test_edition_without_items(void **state)
{
    (void)state;
    /* found by the fuzzer: an edition with no items list (NULL array) must
     * load without undefined behaviour (qsort on NULL) */
    const char *y = "anzen-catalog: 1\nedition:\n  id: gl-y\n  kind: guideline\n"
                    "  family: mhlw-guideline\n  version: v\n  published: 2023-05-31\n"
                    "  title: {ja: t, en: t}\n  status: current\n  confidence: verified\n"
                    "  sources: [s]\n";
    struct az_file_blob b = {"y.yaml", y, strlen(y)};
    struct az_catalog *cat;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_blobs(&ctx, &b, 1, &cat) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    assert_int_equal(az_catalog_edition(cat, "gl-y")->nitems, 0);
    az_catalog_free(cat);
}

static void test_label_normalise(void **state)
{
    (void)state;
    char buf[64];
    az_label_normalise("2-⑬", buf, sizeof(buf));
    assert_string_equal(buf, "2-13");
    az_label_normalise("2-(13)", buf, sizeof(buf));
    assert_string_equal(buf, "2-13");
    az_label_normalise("２－（１）", buf, sizeof(buf));
    assert_string_equal(buf, "2-1");
}

static void test_embedded_catalog(void **state)
{
    (void)state;
    struct az_catalog *cat;
    const struct az_edition *ed;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0)
        fail_msg("embedded catalog: %s", az_errmsg(&ctx));
    ed = az_catalog_default_checklist(cat);
    assert_non_null(ed);
    assert_string_equal(ed->id, "cl-r7");
    assert_non_null(az_edition_form(ed, "h"));
    assert_non_null(az_edition_form(ed, "p"));
    assert_non_null(az_edition_form(ed, "v"));
    /* the 令和8 edition is known but has no items */
    ed = az_catalog_newest_checklist(cat);
    assert_string_equal(ed->id, "cl-r8");
    assert_int_equal(ed->status, AZ_ED_METADATA_ONLY);
    assert_int_equal(ed->nitems, 0);
    /* every item id is a valid OSCAL token */
    for (size_t e = 0; e < az_catalog_neditions(cat); e++) {
        const struct az_edition *x = az_catalog_edition_at(cat, e);
        for (size_t i = 0; i < x->nitems; i++) {
            const char *s = x->items[i]->id;
            assert_true((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'));
            assert_int_equal(strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789._-"),
                             strlen(s));
        }
    }
    az_catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_ok),
        cmocka_unit_test(test_error_classes),
        cmocka_unit_test(test_many_errors_reported),
        cmocka_unit_test(test_japanese_messages),
        cmocka_unit_test(test_edition_without_items),
        cmocka_unit_test(test_label_normalise),
        cmocka_unit_test(test_embedded_catalog),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
