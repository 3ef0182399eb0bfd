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
#include "anzen/catimport.h"
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
                 "confidence must be verified, draft, secondary, imported or unverified");
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

/* The sources registry and the rule behind the marks: verified only on a
 * final MHLW text of the item's own edition, draft on a draft, an
 * edition's mark the weakest of its items'. */
static const char reg_yaml[] =
    "anzen-sources: 1\n"
    "documents:\n"
    "  - {ref: \"https://example.org/final-x\", kind: final, edition: cl-x}\n"
    "  - {ref: \"https://example.org/final-other\", kind: final, edition: cl-w}\n"
    "  - {ref: \"https://example.org/draft\", kind: draft}\n"
    "  - {ref: \"https://blog.example.com/\", kind: secondary}\n"
    "  - {ref: \"https://example.org/unread\", kind: unread}\n";

static const char mini_cl[] =
    "anzen-catalog: 1\n"
    "edition: {id: cl-x, kind: checklist, family: mhlw-checklist, version: v, fiscal-year: "
    "\"2030\", published: \"2030-05-01\", title: {ja: x, en: x}, status: current,%s sources: [s]}\n"
    "forms: [{id: h, title: {ja: h, en: h}, audience: institution, institution-types: [clinic]}]\n"
    "groups: [{id: \"1\", title: {ja: g, en: g}}]\n"
    "items:\n"
    "  - {id: cl-x.h.a, form: h, group: \"1\", label: \"1-①\", title: {ja: a, en: a}, text: {ja: "
    "a, en: a}, roles: [management], required-from: \"2030\", confidence: %s, sources: [\"%s\"]}\n"
    "  - {id: cl-x.h.b, form: h, group: \"1\", label: \"1-②\", title: {ja: b, en: b}, text: {ja: "
    "b, en: b}, roles: [management], required-from: \"2030\", confidence: %s, sources: [\"%s\"]}\n";

static struct az_catalog *load_marks(const char *edconf, const char *c1, const char *s1,
                                     const char *c2, const char *s2)
{
    char buf[4096];
    struct az_file_blob b[2];
    struct az_catalog *cat = NULL;

    snprintf(buf, sizeof(buf), mini_cl, edconf, c1, s1, c2, s2);
    b[0] = (struct az_file_blob){"cl-x.yaml", buf, strlen(buf)};
    b[1] = (struct az_file_blob){"sources.yaml", reg_yaml, sizeof(reg_yaml) - 1};
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_blobs(&ctx, b, 2, &cat) < 0)
        return NULL;
    return cat;
}

static void expect_marks_error(const char *edconf, const char *c1, const char *s1, const char *c2,
                               const char *s2, const char *msg)
{
    struct az_catalog *cat = load_marks(edconf, c1, s1, c2, s2);
    if (cat) {
        az_catalog_free(cat);
        fail_msg("loaded, but want error \"%s\"", msg);
    }
    if (!strstr(az_errmsg(&ctx), msg))
        fail_msg("want \"%s\" in \"%s\"", msg, az_errmsg(&ctx));
}

static void test_marks_rule(void **state)
{
    struct az_catalog *cat;
    const struct az_edition *ed;
    (void)state;

    /* the weakest item gives the edition's mark */
    cat = load_marks("", "verified", "https://www.example.org/final-x/p3", "draft",
                     "https://example.org/draft/7");
    if (!cat)
        fail_msg("%s", az_errmsg(&ctx));
    ed = az_catalog_edition(cat, "cl-x");
    assert_true(ed->confidence_computed);
    assert_int_equal(ed->confidence, AZ_CONF_DRAFT);
    assert_int_equal(az_catalog_item(cat, "cl-x.h.a")->basis, AZ_SRC_FINAL);
    assert_int_equal(az_catalog_item(cat, "cl-x.h.b")->basis, AZ_SRC_DRAFT);
    assert_true(az_catalog_has_registry(cat));
    assert_int_equal(az_catalog_source_kind(cat, "http://blog.example.com/2025/x"),
                     AZ_SRC_SECONDARY);
    /* a prefix only matches at a path boundary */
    assert_int_equal(az_catalog_source_kind(cat, "https://example.org/drafting"), AZ_SRC_NONE);
    az_catalog_free(cat);
    cat = load_marks("", "secondary", "https://blog.example.com/a", "unverified",
                     "https://example.org/unread");
    assert_non_null(cat);
    assert_int_equal(az_catalog_edition(cat, "cl-x")->confidence, AZ_CONF_UNVERIFIED);
    az_catalog_free(cat);
    /* a written edition mark must agree with the items */
    cat = load_marks(" confidence: secondary,", "verified", "https://example.org/final-x",
                     "secondary", "https://blog.example.com/a");
    assert_non_null(cat);
    az_catalog_free(cat);
    expect_marks_error(" confidence: verified,", "verified", "https://example.org/final-x",
                       "secondary", "https://blog.example.com/a",
                       "gets its confidence from them (the weakest item's mark: secondary)");
    /* an item citing only a draft cannot be verified */
    expect_marks_error("", "verified", "https://example.org/draft/3", "draft",
                       "https://example.org/draft/4",
                       "confidence verified is not supported by the sources (strongest kind: "
                       "draft)");
    /* a final text of another edition does not verify this one's number */
    expect_marks_error("", "verified", "https://example.org/final-other/2", "draft",
                       "https://example.org/draft/4", "(strongest kind: secondary)");
    /* draft needs a draft (or this edition's final text), not a blog */
    expect_marks_error("", "draft", "https://blog.example.com/a", "draft",
                       "https://example.org/draft/4", "confidence draft is not supported");
    /* secondary needs something read */
    expect_marks_error("", "secondary", "https://example.org/unread", "draft",
                       "https://example.org/draft/4", "(strongest kind: unread)");
    /* every source must be classified */
    expect_marks_error("", "draft", "https://nowhere.example/x", "draft",
                       "https://example.org/draft/4", "is not in the sources registry");
}

/* The rule holds for the data shipped in the binary. */
static void test_embedded_marks_honest(void **state)
{
    struct az_catalog *cat;
    size_t verified = 0;
    (void)state;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0)
        fail_msg("embedded catalog: %s", az_errmsg(&ctx));
    assert_true(az_catalog_has_registry(cat));
    for (size_t e = 0; e < az_catalog_neditions(cat); e++) {
        const struct az_edition *ed = az_catalog_edition_at(cat, e);
        enum az_confidence weakest = AZ_CONF_VERIFIED;
        for (size_t i = 0; i < ed->nitems; i++) {
            const struct az_item *it = ed->items[i];
            for (size_t s = 0; s < it->nsources; s++)
                if (az_catalog_source_kind(cat, it->sources[s]) == AZ_SRC_NONE)
                    fail_msg("%s: source %s not classified", it->id, it->sources[s]);
            if (!az_conf_allowed(it->confidence, it->basis))
                fail_msg("%s: %s on %s", it->id, az_conf_token(it->confidence),
                         az_src_kind_token(it->basis));
            if (it->confidence == AZ_CONF_VERIFIED) {
                assert_int_equal(it->basis, AZ_SRC_FINAL);
                verified++;
            }
            /* nothing shipped is "imported": that is for the user's forms */
            assert_int_not_equal(it->confidence, AZ_CONF_IMPORTED);
            if (az_conf_rank(it->confidence) > az_conf_rank(weakest))
                weakest = it->confidence;
        }
        if (ed->nitems) {
            assert_true(ed->confidence_computed);
            assert_int_equal(ed->confidence, weakest);
        }
    }
    /* 令和7 rests on the March 2025 draft and secondary accounts: none of
     * its items is verified, and its mark is not either */
    {
        const struct az_edition *r7 = az_catalog_edition(cat, "cl-r7");
        for (size_t i = 0; i < r7->nitems; i++)
            assert_int_not_equal(r7->items[i]->confidence, AZ_CONF_VERIFIED);
        assert_int_not_equal(r7->confidence, AZ_CONF_VERIFIED);
        /* the 令和6 2-(9) number is inferred: not verified */
        assert_int_not_equal(az_catalog_item(cat, "cl-r6.h.unneeded-services-server")->confidence,
                             AZ_CONF_VERIFIED);
        assert_int_not_equal(az_catalog_edition(cat, "gl-6.0")->confidence, AZ_CONF_VERIFIED);
    }
    assert_true(verified > 0);
    az_catalog_free(cat);
}

/* --as-of: editions published later are hidden from listings and
 * defaults, but an explicit id still finds them. */
static void test_hide_after(void **state)
{
    struct az_catalog *cat;
    struct az_date d = {2025, 7, 1};
    size_t n0;
    (void)state;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0)
        fail_msg("embedded catalog: %s", az_errmsg(&ctx));
    n0 = az_catalog_neditions(cat);
    assert_string_equal(az_catalog_newest_checklist(cat)->id, "cl-r8");
    assert_int_equal(az_catalog_hide_after(cat, d), 2); /* cl-r8, gl-7.0 */
    assert_int_equal(az_catalog_neditions(cat), n0 - 2);
    assert_string_equal(az_catalog_newest_checklist(cat)->id, "cl-r7");
    assert_string_equal(az_catalog_newest_guideline(cat)->id, "gl-6.0");
    assert_string_equal(az_catalog_default_checklist(cat)->id, "cl-r7");
    for (size_t i = 0; i < az_catalog_neditions(cat); i++)
        assert_true(az_edition_published_by(az_catalog_edition_at(cat, i), d));
    assert_non_null(az_catalog_edition(cat, "cl-r8"));
    assert_non_null(az_catalog_item(cat, "gl-7.0.ops-14-5"));
    /* before 令和7 was published, 令和6 is the default */
    d = (struct az_date){2024, 6, 1};
    assert_int_equal(az_catalog_hide_after(cat, d), 1);
    assert_string_equal(az_catalog_default_checklist(cat)->id, "cl-r6");
    /* "YYYY-MM" counts from the first of the month */
    assert_true(
        az_edition_published_by(az_catalog_edition(cat, "cl-r8"), (struct az_date){2026, 6, 1}));
    assert_false(
        az_edition_published_by(az_catalog_edition(cat, "cl-r8"), (struct az_date){2026, 5, 31}));
    az_catalog_free(cat);
}

/* ---- catalog import ---- */

static struct az_catimport *import_fixture(struct az_catalog *cat, const char *file,
                                           const struct az_catimport_opts *o)
{
    char path[512], *data;
    size_t len;
    struct az_catimport *im = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "%s/catimport/%s", TEST_DATA, file);
    f = fopen(path, "rb");
    assert_non_null(f);
    data = malloc(1 << 20);
    len = fread(data, 1, 1 << 20, f);
    fclose(f);
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catimport_read(&ctx, cat, file, data, len, o, &im) < 0)
        im = NULL;
    free(data);
    return im;
}

static void test_col_letters(void **state)
{
    char b[16];
    (void)state;
    az_col_letter(0, b, sizeof(b));
    assert_string_equal(b, "A");
    az_col_letter(25, b, sizeof(b));
    assert_string_equal(b, "Z");
    az_col_letter(26, b, sizeof(b));
    assert_string_equal(b, "AA");
    az_col_letter(701, b, sizeof(b));
    assert_string_equal(b, "ZZ");
    for (unsigned c = 0; c < 1000; c++) {
        az_col_letter(c, b, sizeof(b));
        assert_int_equal(az_col_parse(b), (int)c);
    }
    assert_int_equal(az_col_parse("c"), 2);
    assert_int_equal(az_col_parse("3"), 2);
    assert_int_equal(az_col_parse(""), -1);
    assert_int_equal(az_col_parse("A1"), -1);
    assert_int_equal(az_col_parse("0"), -1);
}

static void test_import_layouts(void **state)
{
    struct az_catalog *cat;
    struct az_catimport_opts o;
    struct az_catimport *im;
    struct az_date today = {2026, 12, 1};
    (void)state;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    az_catimport_opts_init(&o);

    /* 令和7: header row 4, number A, text B; the gate numbered 0 */
    im = import_fixture(cat, "r7-h.xlsx", &o);
    if (!im)
        fail_msg("%s", az_errmsg(&ctx));
    assert_string_equal(im->sheet, "医療機関確認用");
    assert_int_equal(im->header_row, 3);
    assert_int_equal(im->number_col, 0);
    assert_int_equal(im->text_col, 1);
    assert_int_equal(im->fiscal_year, 2025);
    assert_string_equal(im->form, "h");
    assert_string_equal(im->previous->id, "cl-r7");
    assert_int_equal(im->nitems, 19);
    assert_string_equal(im->items[0].label, "0");
    assert_string_equal(im->items[0].match->id, "cl-r7.h.gate");
    assert_string_equal(im->items[0].group, "0");
    for (size_t i = 0; i < im->nitems; i++) {
        assert_non_null(im->items[i].match);
        assert_string_equal(az_catimport_relation(&im->items[i]), "same");
        assert_true(im->items[i].score >= 0.55 && im->items[i].score <= 1.0);
        /* the draft's ids keep the topics (edition-neutral topic lookups) */
        assert_string_equal(strrchr(im->items[i].id, '.'), strrchr(im->items[i].match->id, '.'));
    }
    /* the title row without year and form name */
    assert_string_equal(im->title, "医療機関におけるサイバーセキュリティ対策チェックリスト");
    {
        char *y = az_catimport_to_yaml(im, today);
        struct az_file_blob b = {"catalog-import-x.yaml", y, strlen(y)};
        struct az_catalog *c2;
        const struct az_edition *ed;
        if (az_catalog_load_embedded_with(&ctx, &b, 1, &c2) < 0)
            fail_msg("%s", az_errmsg(&ctx));
        ed = az_catalog_edition(c2, "cl-r7-imp");
        assert_non_null(ed);
        /* imported items: marked so, resting on the user's file */
        assert_int_equal(az_catalog_item(c2, "cl-r7-imp.h.patches")->confidence, AZ_CONF_IMPORTED);
        assert_int_equal(az_catalog_item(c2, "cl-r7-imp.h.patches")->basis, AZ_SRC_USER);
        assert_true(az_catalog_item(c2, "cl-r7-imp.h.patches")->xwalk->has_score);
        /* forms not imported are carried unchanged, with their own marks */
        assert_int_equal(az_catalog_item(c2, "cl-r7-imp.v.patches")->confidence,
                         az_catalog_item(c2, "cl-r7.v.patches")->confidence);
        /* accepted, it replaces 令和7 as the edition to assess against */
        assert_string_equal(az_catalog_default_checklist(c2)->id, "cl-r7-imp");
        assert_int_equal(az_catalog_edition(c2, "cl-r7")->status, AZ_ED_SUPERSEDED);
        az_catalog_free(c2);
        free(y);
    }
    az_catimport_free(im);

    /* unseen layout: text left of the number, bare ① under ２．categories */
    im = import_fixture(cat, "unseen-swapped.xlsx", &o);
    if (!im)
        fail_msg("%s", az_errmsg(&ctx));
    assert_int_equal(im->number_col, 2);
    assert_int_equal(im->text_col, 0);
    assert_int_equal(im->nitems, 19);
    assert_string_equal(im->items[7].printed, "⑥");
    assert_string_equal(im->items[7].label, "2-⑥");
    assert_string_equal(im->items[7].match->id, "cl-r7.h.patches");
    az_catimport_free(im);

    /* 令和8-like combined form: hp, crosswalk from 医療機関 and 薬局 items */
    im = import_fixture(cat, "r8-hp.xlsx", &o);
    if (!im)
        fail_msg("%s", az_errmsg(&ctx));
    assert_string_equal(im->form, "hp");
    assert_string_equal(im->edition_id, "cl-r8-imp");
    assert_string_equal(im->published, "2026-06"); /* the date MHLW published it */
    for (size_t i = 0; i < im->nitems; i++)
        if (!strcmp(im->items[i].label, "2-⑪")) {
            assert_string_equal(im->items[i].match->id, "cl-r7.h.mfa");
            assert_string_equal(im->items[i].match2->id, "cl-r7.p.mfa");
        } else if (!strcmp(im->items[i].label, "2-⑮")) {
            assert_null(im->items[i].match);
            assert_null(az_catimport_relation(&im->items[i]));
        }
    az_catimport_free(im);

    /* hints win: the sheet, the year, the id */
    o.sheet = "医療機関確認用";
    o.fiscal_year = 2026;
    o.edition_id = "cl-mine";
    im = import_fixture(cat, "r7-h.xlsx", &o);
    if (!im)
        fail_msg("%s", az_errmsg(&ctx));
    assert_int_equal(im->fiscal_year, 2026);
    assert_string_equal(im->edition_id, "cl-mine");
    assert_string_equal(im->previous->id, "cl-r7");
    az_catimport_free(im);

    /* errors name the file, sheet, row and column */
    az_catimport_opts_init(&o);
    assert_null(import_fixture(cat, "dup-label.xlsx", &o));
    assert_non_null(strstr(az_errmsg(&ctx), "dup-label.xlsx: sheet \"Sheet1\", row 8, column A: "
                                            "item number \"2-①\" repeats row 7"));
    assert_null(import_fixture(cat, "no-text.xlsx", &o));
    assert_non_null(strstr(az_errmsg(&ctx), "row 5, column B: item 2-① has no text"));
    o.sheet = "nope";
    assert_null(import_fixture(cat, "r7-h.xlsx", &o));
    assert_non_null(strstr(az_errmsg(&ctx), "no sheet \"nope\""));
    az_catimport_opts_init(&o);
    o.number_col = 5; /* a column without numbers */
    assert_null(import_fixture(cat, "r7-h.xlsx", &o));
    assert_non_null(strstr(az_errmsg(&ctx), "no item-number column"));
    az_catalog_free(cat);
}

/* Long Japanese text from the user (the file's name, a per-device column
 * heading) reaches the draft edition whole: no fixed buffer cuts it, let
 * alone mid-character. */
static void test_import_long_text(void **state)
{
    struct az_catalog *cat, *c2;
    struct az_catimport_opts o;
    struct az_catimport *im;
    struct az_date today = {2026, 12, 1};
    const struct az_edition *ed;
    const struct az_item *it;
    struct az_buf lb, db;
    const char *label, *device, *saved;
    struct az_item *mm;
    char *y;
    (void)state;

    /* 3 bytes a character: long enough that a fixed buffer (512, 1024
     * bytes) would have cut them, and not on a character boundary */
    az_buf_init(&lb, 4096);
    az_buf_init(&db, 4096);
    for (int i = 0; i < 101; i++)
        az_buf_puts(&lb, "医療機関確認");
    az_buf_puts(&lb, ".xlsx");
    for (int i = 0; i < 61; i++)
        az_buf_puts(&db, "電子カルテ");
    label = lb.data;
    device = db.data;
    assert_true(strlen(label) > 1800 && strlen(device) > 900);

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    az_catimport_opts_init(&o);
    o.file_label = label;
    im = import_fixture(cat, "r7-h.xlsx", &o);
    if (!im)
        fail_msg("%s", az_errmsg(&ctx));
    free(im->items[1].device);
    im->items[1].device = strdup(device);
    /* an earlier item's English text that is not ASCII (a user's catalog):
     * its excerpt ends between two characters */
    mm = (struct az_item *)im->items[1].match;
    assert_non_null(mm);
    saved = mm->text.en;
    mm->text.en = device;
    y = az_catimport_to_yaml(im, today);
    mm->text.en = saved;
    assert_non_null(y);
    assert_true(az_utf8_invalid_at(y, strlen(y)) == (size_t)-1);
    assert_null(strstr(y, "\\uFFFD"));
    {
        struct az_file_blob b = {"catalog-import-x.yaml", y, strlen(y)};
        if (az_catalog_load_embedded_with(&ctx, &b, 1, &c2) < 0)
            fail_msg("%s", az_errmsg(&ctx));
    }
    ed = az_catalog_edition(c2, "cl-r7-imp");
    assert_non_null(ed);
    /* the edition's source and note name the file in full */
    assert_int_equal(ed->nsources, 1);
    assert_non_null(strstr(ed->sources[0], label));
    assert_non_null(strstr(ed->sources[0], "シート「医療機関確認用」"));
    assert_non_null(strstr(ed->note.ja, label));
    assert_non_null(strstr(ed->note.ja, "確認し直す必要があります。"));
    assert_non_null(strstr(ed->note.en, label));
    assert_non_null(strstr(ed->note.en, "confirmed again on the new form."));
    /* the item's source and its note on the device */
    it = az_catalog_item(c2, im->items[1].id);
    assert_non_null(it);
    assert_int_equal(it->nsources, 1);
    assert_non_null(strstr(it->sources[0], label));
    assert_non_null(strstr(it->sources[0], "行"));
    assert_non_null(it->note.ja);
    assert_non_null(strstr(it->note.ja, device));
    assert_non_null(strstr(it->note.en, device));
    assert_true(az_utf8_invalid_at(it->note.ja, strlen(it->note.ja)) == (size_t)-1);
    assert_non_null(strstr(it->text.en, "電子カルテ電子カルテ"));
    assert_true(az_utf8_invalid_at(it->text.en, strlen(it->text.en)) == (size_t)-1);
    az_catalog_free(c2);
    free(y);
    az_catimport_free(im);
    az_catalog_free(cat);
    az_buf_done(&lb);
    az_buf_done(&db);
}

/* An edition id given by the user is checked whole: a long one is refused
 * (never accepted cut short) and the message names it in full. */
static void test_import_edition_id(void **state)
{
    struct az_catalog *cat;
    struct az_catimport_opts o;
    struct az_buf jb, ab;
    const char *msg;
    (void)state;

    az_ctx_init(&ctx, AZ_LANG_JA);
    if (az_catalog_load_embedded(&ctx, &cat) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    az_buf_init(&jb, 4096);
    az_buf_init(&ab, 4096);
    /* 2 + 3n bytes: 63 bytes would end inside a character */
    az_buf_puts(&jb, "c-");
    for (int i = 0; i < 20; i++)
        az_buf_puts(&jb, "医療機関");
    az_buf_puts(&ab, "cl-");
    for (int i = 0; i < 70; i++)
        az_buf_puts(&ab, "a");

    az_catimport_opts_init(&o);
    o.edition_id = jb.data;
    assert_null(import_fixture(cat, "r7-h.xlsx", &o));
    msg = az_errmsg(&ctx);
    assert_non_null(strstr(msg, jb.data));
    assert_true(az_utf8_invalid_at(msg, strlen(msg)) == (size_t)-1);

    o.edition_id = ab.data;
    assert_null(import_fixture(cat, "r7-h.xlsx", &o));
    assert_non_null(strstr(az_errmsg(&ctx), ab.data));
    assert_non_null(strstr(az_errmsg(&ctx), "too long"));

    az_buf_done(&jb);
    az_buf_done(&ab);
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
        cmocka_unit_test(test_marks_rule),
        cmocka_unit_test(test_embedded_marks_honest),
        cmocka_unit_test(test_hide_after),
        cmocka_unit_test(test_col_letters),
        cmocka_unit_test(test_import_layouts),
        cmocka_unit_test(test_import_long_text),
        cmocka_unit_test(test_import_edition_id),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
