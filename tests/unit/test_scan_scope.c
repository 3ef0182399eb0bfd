/* SPDX-License-Identifier: MIT */
/* The scan scope cannot leak (docs/scan.md, "Safety"): IPv4 written as
 * IPv6 is normalised before exclusions apply, prefixes work down to /0,
 * only private, loopback and ULA addresses are scanned without
 * --allow-public, network and broadcast addresses of IPv4 prefixes are
 * skipped, and discovery touches only ports the user allowed. The
 * property test draws random scopes and exclusions in several spellings
 * and checks every address the enumerator yields (the addresses probes
 * are sent to) against an independent model, and that none is missing. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "anzen/scan.h"

static struct az_ctx ctx;

static struct az_scan *scan_of(struct az_targets *t, bool allow_public)
{
    struct az_scan *s = NULL;
    uint16_t p = 80;
    struct az_scan_opts o;
    az_scan_opts_default(&o);
    o.allow_public = allow_public;
    o.seed = 1;
    assert_int_equal(az_scan_new(&ctx, t, &p, 1, &o, NULL, &s), 0);
    return s;
}

static void add(struct az_targets *t, const char *spec, bool exclude)
{
    if (az_targets_add(&ctx, t, spec, exclude, "test") != 0)
        fail_msg("%s: %s", spec, az_errmsg(&ctx));
}

static bool yields(const struct az_scan *s, int fam, const char *text)
{
    unsigned char want[16] = {0}, a[16];
    int f;
    assert_int_equal(inet_pton(fam, text, want), 1);
    for (uint64_t i = 0; az_scan_address(s, i, &f, a); i++)
        if (f == fam && !memcmp(a, want, fam == AF_INET ? 4 : 16))
            return true;
    return false;
}

/* the case: an IPv4-mapped prefix does not bypass an exclusion */
static void test_mapped(void **state)
{
    (void)state;
    struct az_targets *t;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "::ffff:10.50.2.96/124", false);
    add(t, "10.50.2.99", true);
    add(t, "::ffff:10.50.2.101", true); /* an exclusion written as IPv6 */
    add(t, "::10.50.2.102", true);      /* IPv4-compatible */
    struct az_scan *s = scan_of(t, false);
    /* /28 as IPv4: .97-.110, minus three */
    assert_int_equal(az_targets_count(t), 14 - 3);
    assert_false(yields(s, AF_INET, "10.50.2.99"));
    assert_false(yields(s, AF_INET, "10.50.2.101"));
    assert_false(yields(s, AF_INET, "10.50.2.102"));
    assert_false(yields(s, AF_INET, "10.50.2.96"));  /* network */
    assert_false(yields(s, AF_INET, "10.50.2.111")); /* broadcast */
    assert_true(yields(s, AF_INET, "10.50.2.98"));
    /* nothing goes out as IPv6 */
    int f;
    unsigned char a[16];
    for (uint64_t i = 0; az_scan_address(s, i, &f, a); i++)
        assert_int_equal(f, AF_INET);
    unsigned char m[16];
    inet_pton(AF_INET6, "::ffff:10.50.2.99", m);
    assert_false(az_targets_contains(t, AF_INET6, m));
    inet_pton(AF_INET6, "::ffff:10.50.2.98", m);
    assert_true(az_targets_contains(t, AF_INET6, m));
    az_scan_free(s);
    az_targets_free(t);
}

/* /0 is every address; /31 and /32 keep both ends */
static void test_prefixes(void **state)
{
    (void)state;
    struct az_targets *t;
    unsigned char b[16];
    az_ctx_init(&ctx, AZ_LANG_EN);

    assert_int_equal(az_targets_new(&t), 0);
    add(t, "fd00::/120", false);
    add(t, "::/0", true);
    assert_int_equal(az_targets_count(t), 0);
    az_targets_free(t);

    assert_int_equal(az_targets_new(&t), 0);
    add(t, "::/0", false);
    assert_int_equal(az_targets_count(t), UINT64_MAX);
    inet_pton(AF_INET6, "2001:db8::1", b);
    assert_true(az_targets_contains(t, AF_INET6, b));
    inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", b);
    assert_true(az_targets_contains(t, AF_INET6, b));
    add(t, "::/1", true);
    add(t, "8000::/1", true);
    add(t, "0.0.0.0/0", true);
    assert_int_equal(az_targets_count(t), 0);
    az_targets_free(t);

    assert_int_equal(az_targets_new(&t), 0);
    add(t, "10.0.0.0/31", false);
    add(t, "10.0.0.9/32", false);
    add(t, "10.0.1.0/30", false);
    assert_int_equal(az_targets_count(t), 2 + 1 + 2);
    az_targets_free(t);

    /* the whole IPv4 space, written as IPv6 and excluded as IPv4 */
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "::ffff:0:0/96", false);
    add(t, "0.0.0.0/0", true);
    assert_int_equal(az_targets_count(t), 0);
    az_targets_free(t);
}

static void expect_refused(const char *spec, const char *what)
{
    struct az_targets *t;
    struct az_scan *s = NULL;
    uint16_t p = 80;
    struct az_scan_opts o;
    assert_int_equal(az_targets_new(&t), 0);
    add(t, spec, false);
    az_scan_opts_default(&o);
    assert_int_equal(az_scan_new(&ctx, t, &p, 1, &o, NULL, &s), AZ_EINVAL);
    if (!strstr(az_errmsg(&ctx), what) || !strstr(az_errmsg(&ctx), "--allow-public"))
        fail_msg("%s: %s", spec, az_errmsg(&ctx));
    o.allow_public = true;
    assert_int_equal(az_scan_new(&ctx, t, &p, 1, &o, NULL, &s), 0);
    az_scan_free(s);
    az_targets_free(t);
}

static void test_public(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    expect_refused("8.8.8.8", "public");
    expect_refused("10.255.255.0-11.0.0.3", "11.0.0.0");
    expect_refused("192.168.255.255-192.169.0.1", "192.169.0.0");
    expect_refused("224.0.0.1", "multicast");
    expect_refused("255.255.255.255", "broadcast");
    expect_refused("0.0.0.0", "unspecified");
    expect_refused("169.254.0.0/16", "link-local");
    expect_refused("::", "unspecified");
    expect_refused("fe80::1/126", "link-local");
    expect_refused("ff02::1", "multicast");
    expect_refused("2001:db8::1", "public");
    expect_refused("::ffff:8.8.8.8", "8.8.8.8");
    expect_refused("64:ff9b::10.0.0.1", "public");

    /* private, loopback and ULA as given */
    struct az_targets *t;
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "10.1.2.0/24", false);
    add(t, "172.16.0.1-172.16.0.9", false);
    add(t, "172.31.255.1", false);
    add(t, "192.168.3.0/24", false);
    add(t, "127.0.0.0/24", false);
    add(t, "::1", false);
    add(t, "fd12:3456::/120", false);
    add(t, "fc00::1", false);
    assert_int_equal(az_targets_check_public(&ctx, t, false), 0);
    az_targets_free(t);

    unsigned char b[16];
    inet_pton(AF_INET, "172.32.0.1", b);
    assert_int_equal(az_addr_class(AF_INET, b), AZ_ADDR_PUBLIC);
    inet_pton(AF_INET, "172.31.0.1", b);
    assert_int_equal(az_addr_class(AF_INET, b), AZ_ADDR_PRIVATE);
    inet_pton(AF_INET, "240.0.0.1", b);
    assert_int_equal(az_addr_class(AF_INET, b), AZ_ADDR_RESERVED);
    inet_pton(AF_INET6, "::ffff:127.0.0.1", b);
    assert_int_equal(az_addr_class(AF_INET6, b), AZ_ADDR_LOOPBACK);
    inet_pton(AF_INET6, "fe00::1", b);
    assert_int_equal(az_addr_class(AF_INET6, b), AZ_ADDR_PUBLIC);
    inet_pton(AF_INET6, "fdff:ffff::1", b);
    assert_int_equal(az_addr_class(AF_INET6, b), AZ_ADDR_ULA);
}

/* with --allow-public, an excluded IPv4 address is not reached through
 * NAT64, SIIT or 6to4; local NAT64 and Teredo are left out whole */
static void test_embedded(void **state)
{
    (void)state;
    struct az_targets *t;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "64:ff9b::10.0.0.0/124", false);
    add(t, "::ffff:0:10.0.0.0/124", false);
    add(t, "2002:a00:5::/126", false);
    add(t, "2002:a00:6::/126", false);
    add(t, "64:ff9b:1::/126", false);
    add(t, "2001:0:a00:5::/126", false);
    add(t, "10.0.0.5", true);
    struct az_scan *s = scan_of(t, true);
    assert_false(yields(s, AF_INET6, "64:ff9b::a00:5"));
    assert_true(yields(s, AF_INET6, "64:ff9b::a00:4"));
    assert_false(yields(s, AF_INET6, "::ffff:0:a00:5"));
    assert_true(yields(s, AF_INET6, "::ffff:0:a00:6"));
    assert_false(yields(s, AF_INET6, "2002:a00:5::1"));
    assert_true(yields(s, AF_INET6, "2002:a00:6::1"));
    assert_false(yields(s, AF_INET6, "64:ff9b:1::1"));
    assert_false(yields(s, AF_INET6, "2001:0:a00:5::1"));
    assert_int_equal(az_targets_count(t), 15 + 15 + 4);
    az_scan_free(s);
    az_targets_free(t);

    /* and the other way: an exclusion written in an embedding form
     * excludes the IPv4 address it carries */
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "10.0.0.0/28", false);
    add(t, "64:ff9b::10.0.0.3", true);
    add(t, "::ffff:0:10.0.0.4", true);
    add(t, "2002:a00:5::/48", true);
    s = scan_of(t, false);
    assert_false(yields(s, AF_INET, "10.0.0.3"));
    assert_false(yields(s, AF_INET, "10.0.0.4"));
    assert_false(yields(s, AF_INET, "10.0.0.5"));
    assert_true(yields(s, AF_INET, "10.0.0.6"));
    assert_int_equal(az_targets_count(t), 14 - 3);
    az_scan_free(s);
    az_targets_free(t);
}

/* discovery only on ports the user allowed */
static void test_discovery_ports(void **state)
{
    (void)state;
    struct az_targets *t;
    struct az_scan_data *d;
    struct az_scan *s = NULL;
    struct az_scan_opts o;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_scan_data_load(&ctx, NULL, &d), 0);
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "127.0.0.1", false);
    az_scan_opts_default(&o);

    const uint16_t p1[] = {53, 443};
    assert_int_equal(az_scan_new(&ctx, t, p1, 2, &o, d, &s), 0);
    json_t *plan = az_scan_plan_json(s);
    json_t *dp = json_object_get(json_object_get(plan, "settings"), "discovery_ports");
    assert_int_equal(json_array_size(dp), 1);
    assert_int_equal(json_integer_value(json_array_get(dp, 0)), 443);
    json_decref(plan);
    az_scan_free(s);

    /* no discovery port in the list: the scan's own first ports */
    const uint16_t p2[] = {7, 9, 13, 17, 19};
    assert_int_equal(az_scan_new(&ctx, t, p2, 5, &o, d, &s), 0);
    plan = az_scan_plan_json(s);
    dp = json_object_get(json_object_get(plan, "settings"), "discovery_ports");
    assert_int_equal(json_array_size(dp), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(json_integer_value(json_array_get(dp, i)), p2[i]);
    json_decref(plan);
    az_scan_free(s);

    /* explicit discovery ports */
    const uint16_t dp3[] = {2575};
    o.disc_ports = dp3;
    o.ndisc_ports = 1;
    assert_int_equal(az_scan_new(&ctx, t, p1, 2, &o, d, &s), 0);
    plan = az_scan_plan_json(s);
    dp = json_object_get(json_object_get(plan, "settings"), "discovery_ports");
    assert_int_equal(json_array_size(dp), 1);
    assert_int_equal(json_integer_value(json_array_get(dp, 0)), 2575);
    json_decref(plan);
    az_scan_free(s);
    az_targets_free(t);
    az_scan_data_free(d);
}

/* ---- the property test ---- */

/* The universe: 10.0.0.0/22 and fd00::/118 (1024 addresses each). A spec
 * is a prefix or a range in the universe, of one family; IPv4 specs are
 * written as IPv4, IPv4-mapped or IPv4-compatible IPv6 at random. */
struct spec {
    bool v6;
    uint32_t lo, hi; /* offsets in the universe */
    int prefix;      /* in the family's own width, or -1 for a range */
};

static uint64_t st = 88172645463325252ULL;
static uint32_t rnd(uint32_t n)
{
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return (uint32_t)(st % n);
}

static struct spec random_spec(void)
{
    struct spec x;
    x.v6 = rnd(2);
    if (rnd(2)) {
        int host = (int)rnd(11); /* 0..10 host bits */
        uint32_t base = rnd(1024) & ~((1u << host) - 1);
        x.lo = base;
        x.hi = base + (1u << host) - 1;
        x.prefix = (x.v6 ? 128 : 32) - host;
    } else {
        x.lo = rnd(1024);
        x.hi = x.lo + rnd(1024 - x.lo);
        x.prefix = -1;
    }
    return x;
}

static void v4_text(uint32_t off, int form, char *buf, size_t n)
{
    uint32_t a = 0x0a000000u + off;
    const char *pfx = form == 1 ? "::ffff:" : form == 2 ? "::" : "";
    snprintf(buf, n, "%s%u.%u.%u.%u", pfx, a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void spec_text(const struct spec *x, char *buf, size_t n)
{
    char a[64], b[64];
    if (x->v6) {
        snprintf(a, sizeof(a), "fd00::%x", x->lo);
        snprintf(b, sizeof(b), "fd00::%x", x->hi);
        if (x->prefix >= 0)
            snprintf(buf, n, "%s/%d", a, x->prefix);
        else
            snprintf(buf, n, "%s-%s", a, b);
        return;
    }
    int form = (int)rnd(3);
    v4_text(x->lo, form, a, sizeof(a));
    v4_text(x->hi, form, b, sizeof(b));
    if (x->prefix >= 0)
        snprintf(buf, n, "%s/%d", a, x->prefix + (form ? 96 : 0));
    else
        snprintf(buf, n, "%s-%s", a, b);
}

static bool model_in(const struct spec *v, size_t n, bool v6, uint32_t off, bool target)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i].v6 != v6 || off < v[i].lo || off > v[i].hi)
            continue;
        /* targets: an IPv4 prefix shorter than /31 has no network and
         * broadcast addresses */
        if (target && !v6 && v[i].prefix >= 0 && v[i].prefix < 31 &&
            (off == v[i].lo || off == v[i].hi))
            continue;
        return true;
    }
    return false;
}

static void test_property(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    for (int round = 0; round < 300; round++) {
        struct spec inc[6], exc[6];
        size_t ni = 1 + rnd(5), ne = rnd(6);
        struct az_targets *t;
        char text[128];
        assert_int_equal(az_targets_new(&t), 0);
        for (size_t i = 0; i < ni; i++) {
            inc[i] = random_spec();
            spec_text(&inc[i], text, sizeof(text));
            add(t, text, false);
        }
        for (size_t i = 0; i < ne; i++) {
            exc[i] = random_spec();
            spec_text(&exc[i], text, sizeof(text));
            add(t, text, true);
        }
        uint64_t want = 0;
        for (int f = 0; f < 2; f++)
            for (uint32_t off = 0; off < 1024; off++)
                want += model_in(inc, ni, f, off, true) && !model_in(exc, ne, f, off, false);
        assert_int_equal(az_targets_count(t), want);
        if (!want) {
            az_targets_free(t);
            continue;
        }
        struct az_scan *s = scan_of(t, false);
        int fam;
        unsigned char a[16];
        uint64_t seen = 0;
        for (uint64_t i = 0; az_scan_address(s, i, &fam, a); i++, seen++) {
            uint32_t off;
            bool v6 = fam == AF_INET6;
            if (v6) {
                static const unsigned char pfx[14] = {0xfd, 0};
                assert_memory_equal(a, pfx, 14);
                off = (uint32_t)a[14] << 8 | a[15];
            } else {
                uint32_t v =
                    (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
                assert_int_equal(v >> 10, 0x0a000000u >> 10);
                off = v - 0x0a000000u;
            }
            if (!model_in(inc, ni, v6, off, true) || model_in(exc, ne, v6, off, false))
                fail_msg("round %d: address %u (%s) yielded but not in scope", round, off,
                         v6 ? "v6" : "v4");
            assert_true(az_targets_contains(t, fam, a));
        }
        assert_int_equal(seen, want);
        az_scan_free(s);
        az_targets_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapped),          cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_public),          cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_discovery_ports), cmocka_unit_test(test_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
