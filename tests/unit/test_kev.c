/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/ledger/kev.c: version order, range edges (last
 * vulnerable and first fixed firmware), the curated data's validator, the
 * CISA catalog reader and the embedded subset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/kev.h"
#include "anzen/util.h"

static struct az_ctx ctx;

static const char ranges[] = "anzen-kev-ranges: 1\n"
                             "families:\n"
                             "  - id: fw\n"
                             "    name: {ja: \"装置\", en: \"Box\"}\n"
                             "    match: [\"boxos\"]\n"
                             "    kev-vendor: [\"Acme\"]\n"
                             "    kev-product: [\"BoxOS\"]\n"
                             "    cut-at: [\",\", \"build\"]\n"
                             "    advice: {ja: \"更新する\", en: \"upgrade\"}\n"
                             "rules:\n"
                             "  - cve: CVE-2020-0001\n"
                             "    family: fw\n"
                             "    ranges:\n"
                             "      - {branch: \"6.0\", last: \"6.0.4\"}\n"
                             "      - {branch: \"5.6\", from: \"5.6.3\", fixed: \"5.6.8\"}\n"
                             "      - {branch: \"4\"}\n"
                             "    confidence: verified\n"
                             "    sources: [\"https://example.org/a\"]\n"
                             "  - cve: CVE-2020-0002\n"
                             "    family: fw\n"
                             "    ranges:\n"
                             "      - {branch: \"10.2\", fixed: \"10.2.9-h1\"}\n"
                             "    confidence: draft\n"
                             "    sources: [\"https://example.org/b\"]\n";

static const char catalog[] =
    "{\"catalogVersion\": \"2025.01.02\", \"dateReleased\": \"2025-01-02T00:00:00.000Z\",\n"
    " \"count\": 3, \"vulnerabilities\": [\n"
    "  {\"cveID\": \"CVE-2020-0001\", \"vendorProject\": \"Acme\", \"product\": \"BoxOS "
    "SSL-VPN\",\n"
    "   \"vulnerabilityName\": \"n\", \"dateAdded\": \"2021-11-03\", \"shortDescription\": \"d\",\n"
    "   \"requiredAction\": \"a\", \"dueDate\": \"2022-05-03\",\n"
    "   \"knownRansomwareCampaignUse\": \"Known\", \"forensicTriage\": \"No\"},\n"
    "  {\"cveID\": \"CVE-2020-0003\", \"vendorProject\": \"acme\", \"product\": \"BoxOS\",\n"
    "   \"vulnerabilityName\": \"n\", \"dateAdded\": \"2021-11-03\", \"shortDescription\": \"d\",\n"
    "   \"requiredAction\": \"a\", \"dueDate\": \"2021-04-23\"},\n"
    "  {\"cveID\": \"CVE-2020-0009\", \"vendorProject\": \"Other\", \"product\": \"BoxOS\",\n"
    "   \"vulnerabilityName\": \"n\", \"dateAdded\": \"2021-11-03\", \"shortDescription\": \"d\",\n"
    "   \"requiredAction\": \"a\", \"dueDate\": \"2021-12-01\"}\n"
    "]}\n";

static struct az_kev *load(const char *r, const char *c)
{
    struct az_kev *k = NULL;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_kev_load_with(&ctx, "r.yaml", r, strlen(r), "c.json", c, c ? strlen(c) : 0, &k) < 0)
        return NULL;
    return k;
}

static void test_version_order(void **state)
{
    static const struct {
        const char *a, *b;
        int want;
    } t[] = {
        {"6.0.4", "6.0.5", -1},
        {"6.0.10", "6.0.9", 1},
        {"6.0.4", "6.0.4", 0},
        {"10.2.9", "10.2.9-h1", -1},
        {"10.2.9-h1", "10.2.9-h2", -1},
        {"10.2.9-h10", "10.2.9-h9", 1},
        {"10.2.10", "10.2.9-h9", 1},
        {"22.7R2.4", "22.7R2.5", -1},
        {"22.7R2", "22.7R2.1", -1},
        {"9.1R18.2", "22.7R1", -1},
        {"13.1-49.13", "13.1-49.15", -1},
        {"13.1-49.13", "13.1-48.47", 1},
        {"9.16(4)48", "9.16(4)9", 1},
        {"9.16(4)", "9.16(4)9", -1},
        {"1.0A", "1.0a", 0},
        {"007", "7", 0},
        {"1.a", "1.1", -1},
        {"10.2.0.8-37sv", "10.2.0.9-41sv", -1},
        {"", "1", -1},
        {"123456789012345678901", "123456789012345678902", -1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int got = az_version_cmp(t[i].a, t[i].b);
        if (got != t[i].want)
            fail_msg("%s vs %s: got %d, want %d", t[i].a, t[i].b, got, t[i].want);
        assert_int_equal(az_version_cmp(t[i].b, t[i].a), -t[i].want);
    }
}

static size_t hits(struct az_kev *k, const char *fam, const char *ver, const char *cve)
{
    struct az_kev_hit *h = NULL;
    size_t n = 0, found = 0;
    assert_int_equal(az_kev_match(k, fam, ver, &h, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (!cve || !strcmp(h[i].rule->cve, cve))
            found++;
    free(h);
    return found;
}

static void test_range_edges(void **state)
{
    struct az_kev *k = load(ranges, catalog);
    char buf[64];
    (void)state;
    assert_non_null(k);
    /* last vulnerable and first fixed, with last: and fixed: bounds */
    assert_int_equal(hits(k, "fw", "6.0.0", NULL), 1);
    assert_int_equal(hits(k, "fw", "6.0.4", NULL), 1);
    assert_int_equal(hits(k, "fw", "6.0.5", NULL), 0);
    assert_int_equal(hits(k, "fw", "5.6.2", NULL), 0);
    assert_int_equal(hits(k, "fw", "5.6.3", NULL), 1);
    assert_int_equal(hits(k, "fw", "5.6.7", NULL), 1);
    assert_int_equal(hits(k, "fw", "5.6.8", NULL), 0);
    assert_int_equal(hits(k, "fw", "6.2.0", NULL), 0);
    /* a branch without a fix: all of it */
    assert_int_equal(hits(k, "fw", "4.3.99", NULL), 1);
    assert_int_equal(hits(k, "fw", "40.1", NULL), 0);
    /* hotfix suffix */
    assert_int_equal(hits(k, "fw", "10.2.9", "CVE-2020-0002"), 1);
    assert_int_equal(hits(k, "fw", "10.2.9-h1", "CVE-2020-0002"), 0);
    /* the version as a device prints it */
    assert_int_equal(hits(k, "fw", "v6.0.4,build0231,190220 (GA)", NULL), 1);
    assert_int_equal(hits(k, "fw", "v6.0.5 build0268", NULL), 0);
    az_kev_normalise(az_kev_family(k, "fw"), " v6.4.6,build1879", buf, sizeof(buf));
    assert_string_equal(buf, "6.4.6");
    /* no version: nothing to match; unknown family: an error */
    assert_int_equal(hits(k, "fw", "", NULL), 0);
    {
        struct az_kev_hit *h;
        size_t n;
        assert_int_equal(az_kev_match(k, "nope", "1", &h, &n), AZ_ENOTFOUND);
    }
    /* rules link to their catalog entries; ransomware use is read */
    assert_non_null(k->rules[0].entry);
    assert_true(k->rules[0].entry->ransomware);
    assert_null(k->rules[1].entry);
    assert_int_equal(k->nentries, 2); /* vendor matched case-insensitively */
    assert_false(k->entries[1].ransomware);
    {
        const struct az_kev_entry **u;
        size_t n;
        assert_int_equal(az_kev_uncovered(k, az_kev_family(k, "fw"), &u, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(u[0]->cve, "CVE-2020-0003");
        free(u);
    }
    assert_ptr_equal(az_kev_family_for(k, "Acme BoxOS 6.0"), az_kev_family(k, "fw"));
    assert_null(az_kev_family_for(k, "RTX830"));
    assert_string_equal(k->catalog_version, "2025.01.02");
    assert_int_equal(k->catalog_count, 3);
    az_kev_free(k);
}

/* Each broken variant names the place and the reason. */
static void test_ranges_errors(void **state)
{
    static const struct {
        const char *from, *to, *want;
    } t[] = {
        {"family: fw\n    ranges:\n      - {branch: \"10.2\"",
         "family: zz\n    ranges:\n      - {branch: \"10.2\"",
         "r.yaml:20:5: unknown family \"zz\""},
        {"fixed: \"5.6.8\"}", "fixed: \"5.6.8\", last: \"5.6.7\"}", "fixed and last cannot both"},
        {"fixed: \"5.6.8\"}", "fixed: \"6.0.1\"}", "fixed \"6.0.1\" is not in branch \"5.6\""},
        {"from: \"5.6.3\"", "from: \"5.6.9\"", "is not after from"},
        {"cve: CVE-2020-0002", "cve: CVE-20-2", "not a CVE ID"},
        {"cve: CVE-2020-0002", "cve: CVE-2020-0001", "duplicate CVE-2020-0001"},
        {"confidence: draft", "confidence: maybe", "confidence must be"},
        {"    advice: {ja: \"更新する\", en: \"upgrade\"}\n", "", "advice"},
        {"anzen-kev-ranges: 1", "anzen-kev-ranges: 2", "r.yaml:1:"},
        {"      - {branch: \"6.0\", last: \"6.0.4\"}", "      - {branch: \"6.0\", end: \"6.0.4\"}",
         "unknown key \"end\""},
        {"      - {branch: \"4\"}", "      - {branch: \"\"}",
         "r.yaml:16:9: a version in the range is empty"},
        {"      - {branch: \"4\"}", "      - {from: \"4.1\"}",
         "a range without a branch needs fixed"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char buf[4096];
        const char *p = strstr(ranges, t[i].from);
        assert_non_null(p);
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - ranges), ranges, t[i].to,
                 p + strlen(t[i].from));
        assert_null(load(buf, catalog));
        if (!strstr(az_errmsg(&ctx), t[i].want))
            fail_msg("case %zu: [%s] lacks [%s]", i, az_errmsg(&ctx), t[i].want);
    }
}

static void test_catalog_errors(void **state)
{
    static const struct {
        const char *from, *to, *want;
    } t[] = {
        {"\"CVE-2020-0003\"", "\"CVE-2020-03\"", "c.json:7:4: not a CVE ID"},
        {"\"dueDate\": \"2021-04-23\"", "\"dueDate\": \"2021-02-30\"", "not a date"},
        {"\"dueDate\": \"2021-04-23\"", "\"due\": \"2021-04-23\"", "dueDate"},
        {"\"count\": 3", "\"count\": \"many\"", "count must be"},
        {"\"dateReleased\": \"2025-01-02T00:00:00.000Z\"", "\"dateReleased\": \"soon\"",
         "dateReleased"},
        {"]}", "]", "c.json:"},
        {"\"vulnerabilities\": [", "\"vulnerabilities\": [1, ", "must be an object"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char buf[4096];
        const char *p = strstr(catalog, t[i].from);
        assert_non_null(p);
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - catalog), catalog, t[i].to,
                 p + strlen(t[i].from));
        assert_null(load(ranges, buf));
        if (!strstr(az_errmsg(&ctx), t[i].want))
            fail_msg("case %zu: [%s] lacks [%s]", i, az_errmsg(&ctx), t[i].want);
    }
    /* not JSON at all, and the wrong top level */
    assert_null(load(ranges, "[1, 2]"));
    assert_non_null(strstr(az_errmsg(&ctx), "must be a JSON object"));
}

/* The embedded data: it loads, its edges hold, and the embedded subset is
 * exactly what az_kev_subset makes of the full CISA catalog it came from. */
static void test_embedded(void **state)
{
    struct az_kev *k = NULL;
    char *full, *sub;
    size_t len;
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_kev_load(&ctx, NULL, NULL, 0, &k), 0);
    assert_string_equal(k->source, "embedded");
    assert_string_equal(k->catalog_version, "2025.08.25");
    assert_int_equal(k->catalog_count, 1404);
    assert_int_equal(k->nfamilies, 7);
    for (size_t i = 0; i < k->nrules; i++)
        if (!k->rules[i].entry)
            fail_msg("%s (%s) is not in the KEV catalog", k->rules[i].cve, k->rules[i].family->id);
    /* Handa Hospital's flaw: FortiOS 6.0.4 is the last affected 6.0 */
    assert_int_equal(hits(k, "fortinet-fortios", "6.0.4", "CVE-2018-13379"), 1);
    assert_int_equal(hits(k, "fortinet-fortios", "6.0.5", "CVE-2018-13379"), 0);
    assert_int_equal(hits(k, "fortinet-fortios", "5.4.12", "CVE-2018-13379"), 1);
    assert_int_equal(hits(k, "fortinet-fortios", "5.4.13", "CVE-2018-13379"), 0);
    assert_ptr_equal(az_kev_family_for(k, "FortiGate 60F"), az_kev_family(k, "fortinet-fortios"));
    /* versions as the appliances print them */
    {
        static const struct {
            const char *family, *raw, *want;
        } t[] = {
            {"citrix-netscaler", "NS13.1: Build 49.13.nc", "13.1-49.13"},
            {"citrix-netscaler", "13.1 build 49.13", "13.1-49.13"},
            {"citrix-netscaler", "13.1-49.13", "13.1-49.13"},
            {"ivanti-connect-secure", "22.7R2.4 build 1234", "22.7R2.4"},
            {"fortinet-fortios", "v7.0.8,build0418,220705 (GA.F)", "7.0.8"},
            {"paloalto-panos", "10.2.9-h1", "10.2.9-h1"},
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
            char buf[64];
            az_kev_normalise(az_kev_family(k, t[i].family), t[i].raw, buf, sizeof(buf));
            if (strcmp(buf, t[i].want))
                fail_msg("%s: \"%s\" -> \"%s\", want \"%s\"", t[i].family, t[i].raw, buf,
                         t[i].want);
        }
    }
    /* one edge per family with ranges: the last vulnerable, the first fixed */
    assert_int_equal(hits(k, "citrix-netscaler", "NS13.1: Build 49.12.nc", "CVE-2023-3519"), 1);
    assert_int_equal(hits(k, "citrix-netscaler", "NS13.1: Build 49.13.nc", "CVE-2023-3519"), 0);
    assert_int_equal(hits(k, "ivanti-connect-secure", "22.7R2.4", "CVE-2025-0282"), 1);
    assert_int_equal(hits(k, "ivanti-connect-secure", "22.7R2.5", "CVE-2025-0282"), 0);
    assert_int_equal(hits(k, "paloalto-panos", "10.2.8-h2", "CVE-2024-3400"), 1);
    assert_int_equal(hits(k, "paloalto-panos", "10.2.8-h3", "CVE-2024-3400"), 0);
    assert_int_equal(hits(k, "paloalto-panos", "10.2.10", "CVE-2024-3400"), 0);
    assert_int_equal(hits(k, "sonicwall-sonicos", "7.0.1-5035", "CVE-2024-40766"), 1);
    assert_int_equal(hits(k, "sonicwall-sonicos", "7.0.1-5050", "CVE-2024-40766"), 0);
    assert_int_equal(hits(k, "sonicwall-sma", "10.2.1.2-24sv", "CVE-2021-20038"), 1);
    assert_int_equal(hits(k, "sonicwall-sma", "10.2.1.3-27sv", "CVE-2021-20038"), 0);
    assert_int_equal(hits(k, "cisco-asa", "9.14(1)9", "CVE-2020-3452"), 1);
    assert_int_equal(hits(k, "cisco-asa", "9.14(1)10", "CVE-2020-3452"), 0);
    assert_int_equal(hits(k, "fortinet-fortios", "7.0.8", "CVE-2022-42475"), 1);
    assert_int_equal(hits(k, "fortinet-fortios", "7.0.9", "CVE-2022-42475"), 0);

    assert_int_equal(az_read_text_file(&ctx, TEST_DATA "/kev/kev-2025-08-25.json", &full, &len), 0);
    assert_int_equal(az_kev_subset(&ctx, k, "kev-2025-08-25.json", full, len, &sub), 0);
    {
        char *emb;
        size_t elen;
        assert_int_equal(az_read_text_file(&ctx, SRCDIR "/data/kev/kev.json", &emb, &elen), 0);
        if (strlen(sub) + 1 != elen || memcmp(sub, emb, elen - 1))
            fail_msg("data/kev/kev.json is not the subset of the reference catalog: "
                     "regenerate it with anzen kev import -o data/kev/kev.json");
        free(emb);
    }
    free(sub);
    free(full);
    az_kev_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_order), cmocka_unit_test(test_range_edges),
        cmocka_unit_test(test_ranges_errors), cmocka_unit_test(test_catalog_errors),
        cmocka_unit_test(test_embedded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
