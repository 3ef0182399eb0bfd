/* SPDX-License-Identifier: MIT */
/*
 * targets.c - the scan scope: addresses, CIDR ranges and dash ranges of
 * IPv4 and IPv6, minus an exclusion list, and port lists.
 *
 * Every spec becomes a closed interval of 128-bit numbers in its address
 * family. The scope is the union of the targets minus the union of the
 * exclusions, kept as sorted disjoint intervals (recomputed on demand), so
 * counting and membership tests are cheap and the order of the arguments
 * does not matter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/scan.h"
#include "anzen/util.h"
#include "scan_internal.h"

static int fam_index(int family)
{
    return family == AF_INET6 ? 1 : 0;
}

int az_targets_new(struct az_targets **ret)
{
    struct az_targets *t = calloc(1, sizeof(*t));
    if (!t)
        return AZ_ENOMEM;
    *ret = t;
    return 0;
}

void az_targets_free(struct az_targets *t)
{
    if (!t)
        return;
    for (int k = 0; k < 2; k++) {
        free(t->inc[k].v);
        free(t->exc[k].v);
        free(t->scope[k].v);
    }
    for (size_t i = 0; i < t->nspecs; i++)
        free(t->specs[i]);
    free(t->specs);
    free(t);
}

static int push(struct az_rangeset *rs, u128 lo, u128 hi)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 16;
        struct az_range *v = realloc(rs->v, cap * sizeof(*v));
        if (!v)
            return AZ_ENOMEM;
        rs->v = v;
        rs->cap = cap;
    }
    rs->v[rs->n].lo = lo;
    rs->v[rs->n].hi = hi;
    rs->n++;
    return 0;
}

u128 az__addr_to_u128(int family, const void *addr)
{
    const unsigned char *b = addr;
    size_t n = family == AF_INET6 ? 16 : 4;
    u128 v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | b[i];
    return v;
}

void az__u128_to_addr(int family, u128 v, unsigned char *out)
{
    size_t n = family == AF_INET6 ? 16 : 4;
    for (size_t i = n; i-- > 0;) {
        out[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static bool parse_addr(const char *s, int *fam, u128 *v)
{
    unsigned char buf[16];
    if (inet_pton(AF_INET, s, buf) == 1) {
        *fam = AF_INET;
        *v = az__addr_to_u128(AF_INET, buf);
        return true;
    }
    if (inet_pton(AF_INET6, s, buf) == 1) {
        *fam = AF_INET6;
        *v = az__addr_to_u128(AF_INET6, buf);
        return true;
    }
    return false;
}

static int bad(struct az_ctx *ctx, const char *where, const char *spec, const char *ja,
               const char *en)
{
    return az_fail(ctx, AZ_EINVAL, "%s: 対象 \"%s\" が不正です: %s",
                   "%s: invalid target \"%s\": %s", where, spec, az_l(ctx, ja, en));
}

/* IPv6 forms that carry an IPv4 address the connection really goes to:
 * IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d (:: and ::1
 * are IPv6's own unspecified and loopback addresses). */
#define V6PFX(a, b) (((u128)(a) << 112) | ((u128)(b) << 96))
#define V4MAPPED_LO (((u128)0xffff) << 32)
#define V4MAPPED_HI (V4MAPPED_LO | 0xffffffffu)
#define V4COMPAT_LO ((u128)2)
#define V4COMPAT_HI ((u128)0xffffffffu)

/* Push [lo, hi] of family fam; IPv4 prefixes shorter than /31 given as
 * targets (v4bits < 31) lose their network and broadcast addresses. */
static int push_v4(struct az_rangeset *rs, u128 lo, u128 hi, int v4bits)
{
    if (v4bits >= 0 && v4bits < 31) {
        lo++;
        hi--;
    }
    return push(rs, lo, hi);
}

/* Add an interval, moving the parts of an IPv6 interval that are IPv4
 * addresses in IPv6 clothing to the IPv4 set, so an IPv4 exclusion
 * applies to them and an IPv6-written exclusion applies to IPv4. v6bits
 * is the prefix length of a CIDR spec (-1 for others). */
static int add_interval(struct az_targets *t, bool exclude, int fam, u128 lo, u128 hi, int bits)
{
    struct az_rangeset *r4 = exclude ? &t->exc[0] : &t->inc[0];
    struct az_rangeset *r6 = exclude ? &t->exc[1] : &t->inc[1];
    if (fam == AF_INET)
        return push_v4(r4, lo, hi, exclude ? -1 : bits);
    if (exclude) {
        /* an exclusion written as NAT64 (64:ff9b::a.b.c.d), SIIT
         * (::ffff:0:a.b.c.d) or 6to4 (2002:aabb:ccdd::) also excludes the
         * IPv4 address it carries */
        static const struct {
            u128 lo, hi;
            int shift;
        } carry[] = {
            {V6PFX(0x0064, 0xff9b), V6PFX(0x0064, 0xff9b) | 0xffffffffu, 0},
            {(u128)0xffff << 48, ((u128)0xffff << 48) | 0xffffffffu, 0},
            {(u128)0x2002 << 112, ((u128)0x2003 << 112) - 1, 80},
        };
        for (size_t k = 0; k < sizeof(carry) / sizeof(carry[0]); k++) {
            if (carry[k].hi < lo || carry[k].lo > hi)
                continue;
            u128 a = carry[k].lo > lo ? carry[k].lo : lo;
            u128 b = carry[k].hi < hi ? carry[k].hi : hi;
            if (push(r4, (a >> carry[k].shift) & 0xffffffffu, (b >> carry[k].shift) & 0xffffffffu) <
                0)
                return AZ_ENOMEM;
        }
    }
    static const struct {
        u128 lo, hi;
    } emb[] = {{V4COMPAT_LO, V4COMPAT_HI}, {V4MAPPED_LO, V4MAPPED_HI}};
    u128 cur = lo;
    for (size_t k = 0; k < sizeof(emb) / sizeof(emb[0]); k++) {
        if (emb[k].hi < cur || emb[k].lo > hi)
            continue;
        u128 a = emb[k].lo > cur ? emb[k].lo : cur;
        u128 b = emb[k].hi < hi ? emb[k].hi : hi;
        if (a > cur && push(r6, cur, a - 1) < 0)
            return AZ_ENOMEM;
        /* the IPv4 prefix length of an IPv6 prefix inside the region */
        int v4bits = exclude || bits < 96 ? -1 : bits - 96;
        if (push_v4(r4, a & 0xffffffffu, b & 0xffffffffu, v4bits) < 0)
            return AZ_ENOMEM;
        if (b == hi)
            return 0;
        cur = b + 1;
    }
    return push(r6, cur, hi);
}

int az_targets_add(struct az_ctx *ctx, struct az_targets *t, const char *spec, bool exclude,
                   const char *where)
{
    char s[128], *p;
    int fam, fam2, cidr = -1;
    u128 lo, hi;
    size_t n = strlen(spec);

    while (n && (spec[n - 1] == ' ' || spec[n - 1] == '\t' || spec[n - 1] == '\r'))
        n--;
    while (n && (*spec == ' ' || *spec == '\t')) {
        spec++;
        n--;
    }
    if (n == 0 || n >= sizeof(s))
        return bad(ctx, where, spec, "空か長すぎます", "empty or too long");
    if (t->nspecs >= AZ_SCAN_MAX_SPECS)
        return az_fail(ctx, AZ_ERANGE, "%s: 対象の指定が多すぎます (上限 %u)",
                       "%s: too many target specs (limit %u)", where, AZ_SCAN_MAX_SPECS);
    memcpy(s, spec, n);
    s[n] = '\0';
    if ((p = strchr(s, '/'))) {
        long bits;
        *p++ = '\0';
        if (!parse_addr(s, &fam, &lo))
            return bad(ctx, where, spec, "アドレスではありません (ホスト名は使えません)",
                       "not an address (host names are not accepted)");
        if (az_parse_long(p, 0, fam == AF_INET6 ? 128 : 32, &bits) < 0)
            return bad(ctx, where, spec, "プレフィックス長が不正です", "bad prefix length");
        int width = fam == AF_INET6 ? 128 : 32;
        /* a /0 of IPv6 is every address: 1 << 128 does not exist in 128 bits */
        u128 hostmask = bits == width ? 0
                        : bits == 0   ? (width == 128 ? ~(u128)0 : (u128)0xffffffffu)
                                      : (((u128)1 << (width - bits)) - 1);
        lo &= ~hostmask;
        if (fam == AF_INET)
            lo &= 0xffffffffu;
        hi = lo | hostmask;
        cidr = (int)bits;
    } else if ((p = strchr(s, '-'))) {
        *p++ = '\0';
        if (!parse_addr(s, &fam, &lo))
            return bad(ctx, where, spec, "範囲の始まりがアドレスではありません",
                       "range start is not an address");
        if (parse_addr(p, &fam2, &hi)) {
            if (fam2 != fam)
                return bad(ctx, where, spec, "IPv4 と IPv6 が混ざっています",
                           "mixes IPv4 and IPv6");
        } else if (fam == AF_INET) {
            long last;
            if (az_parse_long(p, 0, 255, &last) < 0)
                return bad(ctx, where, spec, "範囲の終わりが不正です", "bad range end");
            hi = (lo & ~(u128)0xff) | (u128)last;
        } else {
            return bad(ctx, where, spec, "範囲の終わりが不正です", "bad range end");
        }
        if (hi < lo)
            return bad(ctx, where, spec, "終わりが始まりより前です", "end before start");
    } else {
        if (!parse_addr(s, &fam, &lo))
            return bad(ctx, where, spec, "アドレスではありません (ホスト名は使えません)",
                       "not an address (host names are not accepted)");
        hi = lo;
    }
    if (add_interval(t, exclude, fam, lo, hi, cidr) < 0)
        return AZ_ENOMEM;
    char **sv = realloc(t->specs, (t->nspecs + 1) * sizeof(*sv));
    if (!sv)
        return AZ_ENOMEM;
    t->specs = sv;
    if (!(sv[t->nspecs] = malloc(n + 2)))
        return AZ_ENOMEM;
    sv[t->nspecs][0] = exclude ? '-' : '+';
    memcpy(sv[t->nspecs] + 1, spec, n);
    sv[t->nspecs][n + 1] = '\0';
    t->nspecs++;
    t->dirty = true;
    return 0;
}

int az_targets_add_file(struct az_ctx *ctx, struct az_targets *t, const char *path, bool exclude)
{
    char *data, *line, *next, where[4200];
    size_t len, lineno = 0;
    int r = 0;

    if ((r = az_read_text_file(ctx, path, &data, &len)) < 0)
        return r;
    for (line = data; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *q = line;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (!*q)
            continue;
        /* several specs on one line, separated by blanks or commas */
        while (*q) {
            size_t m = strcspn(q, " \t,\r");
            if (m) {
                char one[128];
                if (m >= sizeof(one))
                    m = sizeof(one) - 1;
                memcpy(one, q, m);
                one[m] = '\0';
                snprintf(where, sizeof(where), "%s:%zu", path, lineno);
                if ((r = az_targets_add(ctx, t, one, exclude, where)) < 0)
                    goto out;
            }
            q += m;
            while (*q == ' ' || *q == '\t' || *q == ',' || *q == '\r')
                q++;
        }
    }
out:
    free(data);
    return r;
}

static int cmp_range(const void *a, const void *b)
{
    const struct az_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void normalise(struct az_rangeset *rs)
{
    size_t w = 0;
    if (!rs->n)
        return;
    qsort(rs->v, rs->n, sizeof(*rs->v), cmp_range);
    for (size_t i = 1; i < rs->n; i++) {
        if (rs->v[i].lo <= rs->v[w].hi + 1 && rs->v[w].hi != ~(u128)0) {
            if (rs->v[i].hi > rs->v[w].hi)
                rs->v[w].hi = rs->v[i].hi;
        } else if (rs->v[w].hi == ~(u128)0) {
            /* already covers everything to the top */
        } else {
            rs->v[++w] = rs->v[i];
        }
    }
    rs->n = w + 1;
}

/* out = inc minus exc (both normalised). */
static int subtract(const struct az_rangeset *inc, const struct az_rangeset *exc,
                    struct az_rangeset *sc)
{
    size_t e = 0;
    sc->n = 0;
    for (size_t i = 0; i < inc->n; i++) {
        u128 lo = inc->v[i].lo, hi = inc->v[i].hi;
        while (e < exc->n && exc->v[e].hi < lo)
            e++;
        size_t j = e;
        bool empty = false;
        while (j < exc->n && exc->v[j].lo <= hi) {
            const struct az_range *x = &exc->v[j];
            if (x->lo > lo && push(sc, lo, x->lo - 1) < 0)
                return AZ_ENOMEM;
            if (x->hi >= hi) {
                empty = true;
                break;
            }
            lo = x->hi + 1;
            j++;
        }
        if (!empty && push(sc, lo, hi) < 0)
            return AZ_ENOMEM;
    }
    return 0;
}

/*
 * The IPv6 exclusions, plus every IPv6 address through which an excluded
 * IPv4 address could be reached: the NAT64 well-known prefix
 * 64:ff9b::/96 and SIIT's ::ffff:0:0:a.b.c.d (the IPv4 address in the
 * low 32 bits), and 6to4 2002:aabb:ccdd::/48. The NAT64 local-use prefix
 * 64:ff9b:1::/48 and Teredo 2001::/32 can place the IPv4 address where
 * anzen cannot know, so any IPv4 exclusion excludes them whole.
 */
static int v6_exclusions(const struct az_targets *t, struct az_rangeset *out)
{
    const struct az_rangeset *x4 = &t->exc[0];
    out->n = 0;
    for (size_t i = 0; i < t->exc[1].n; i++)
        if (push(out, t->exc[1].v[i].lo, t->exc[1].v[i].hi) < 0)
            return AZ_ENOMEM;
    for (size_t i = 0; i < x4->n; i++) {
        u128 lo = x4->v[i].lo, hi = x4->v[i].hi;
        const u128 nat64 = V6PFX(0x0064, 0xff9b);
        const u128 siit = (u128)0xffff << 48;
        const u128 six4 = (u128)0x2002 << 112;
        const u128 low80 = ((u128)1 << 80) - 1;
        if (push(out, nat64 | lo, nat64 | hi) < 0 || push(out, siit | lo, siit | hi) < 0 ||
            push(out, six4 | (lo << 80), six4 | (hi << 80) | low80) < 0)
            return AZ_ENOMEM;
    }
    if (x4->n) {
        const u128 local = V6PFX(0x0064, 0xff9b) | ((u128)1 << 80);
        const u128 teredo = (u128)0x2001 << 112;
        if (push(out, local, local | (((u128)1 << 80) - 1)) < 0 ||
            push(out, teredo, teredo | (((u128)1 << 96) - 1)) < 0)
            return AZ_ENOMEM;
    }
    normalise(out);
    return 0;
}

int az__targets_scope(struct az_targets *t)
{
    struct az_rangeset x6 = {0};
    int r;
    if (!t->dirty)
        return 0;
    for (int k = 0; k < 2; k++) {
        normalise(&t->inc[k]);
        normalise(&t->exc[k]);
    }
    if ((r = subtract(&t->inc[0], &t->exc[0], &t->scope[0])) < 0 ||
        (r = v6_exclusions(t, &x6)) < 0 || (r = subtract(&t->inc[1], &x6, &t->scope[1])) < 0) {
        free(x6.v);
        return r;
    }
    free(x6.v);
    t->dirty = false;
    return 0;
}

uint64_t az_targets_count(const struct az_targets *t)
{
    struct az_targets *mt = (struct az_targets *)t; /* scope is a cache */
    u128 n = 0;
    if (az__targets_scope(mt) < 0)
        return 0;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < t->scope[k].n; i++) {
            u128 d = t->scope[k].v[i].hi - t->scope[k].v[i].lo;
            if (d >= (u128)UINT64_MAX || n + d + 1 >= (u128)UINT64_MAX)
                return UINT64_MAX;
            n += d + 1;
        }
    return (uint64_t)n;
}

bool az_targets_has_ipv6(const struct az_targets *t)
{
    struct az_targets *mt = (struct az_targets *)t; /* scope is a cache */
    return az__targets_scope(mt) == 0 && t->scope[1].n > 0;
}

bool az_targets_contains(const struct az_targets *t, int family, const void *addr)
{
    struct az_targets *mt = (struct az_targets *)t;
    const struct az_rangeset *rs;
    u128 v = az__addr_to_u128(family, addr);
    size_t lo = 0, hi;

    if (az__targets_scope(mt) < 0)
        return false;
    /* an IPv4 address written as IPv6 is that IPv4 address */
    if (family == AF_INET6 &&
        ((v >= V4MAPPED_LO && v <= V4MAPPED_HI) || (v >= V4COMPAT_LO && v <= V4COMPAT_HI))) {
        family = AF_INET;
        v &= 0xffffffffu;
    }
    rs = &t->scope[fam_index(family)];
    hi = rs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rs->v[mid].hi < v)
            lo = mid + 1;
        else if (rs->v[mid].lo > v)
            hi = mid;
        else
            return true;
    }
    return false;
}

/* Blocks a scan may touch without allow_public, in order. */
static const struct az_range ok4[] = {
    {(u128)0x0a000000u, (u128)0x0affffffu}, /* 10/8 */
    {(u128)0x7f000000u, (u128)0x7fffffffu}, /* 127/8 */
    {(u128)0xac100000u, (u128)0xac1fffffu}, /* 172.16/12 */
    {(u128)0xc0a80000u, (u128)0xc0a8ffffu}, /* 192.168/16 */
};
static const struct az_range ok6[] = {
    {(u128)1, (u128)1},                               /* ::1 */
    {(u128)0xfc00 << 112, ((u128)0xfe00 << 112) - 1}, /* fc00::/7 */
};

static enum az_addr_class class_of(int family, u128 v)
{
    if (family == AF_INET6 &&
        ((v >= V4MAPPED_LO && v <= V4MAPPED_HI) || (v >= V4COMPAT_LO && v <= V4COMPAT_HI))) {
        family = AF_INET;
        v &= 0xffffffffu;
    }
    if (family == AF_INET) {
        uint32_t a = (uint32_t)v;
        if ((a >> 24) == 10 || (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8)
            return AZ_ADDR_PRIVATE;
        if ((a >> 24) == 127)
            return AZ_ADDR_LOOPBACK;
        if (a == 0xffffffffu)
            return AZ_ADDR_BROADCAST;
        if ((a >> 24) == 0)
            return AZ_ADDR_UNSPECIFIED;
        if ((a >> 16) == 0xa9fe)
            return AZ_ADDR_LINK_LOCAL;
        if ((a >> 28) == 0xe)
            return AZ_ADDR_MULTICAST;
        if ((a >> 28) == 0xf)
            return AZ_ADDR_RESERVED;
        return AZ_ADDR_PUBLIC;
    }
    if (v == 1)
        return AZ_ADDR_LOOPBACK;
    if (v == 0)
        return AZ_ADDR_UNSPECIFIED;
    if ((v >> 121) == (0xfc >> 1))
        return AZ_ADDR_ULA;
    if ((v >> 118) == (0xfe80 >> 6))
        return AZ_ADDR_LINK_LOCAL;
    if ((v >> 120) == 0xff)
        return AZ_ADDR_MULTICAST;
    return AZ_ADDR_PUBLIC;
}

enum az_addr_class az_addr_class(int family, const void *addr)
{
    return class_of(family, az__addr_to_u128(family, addr));
}

/* The first address of [lo, hi] outside the allowed blocks. */
static bool first_outside(const struct az_range *ok, size_t n, u128 lo, u128 hi, u128 *out)
{
    u128 x = lo;
    for (size_t i = 0; i < n; i++) {
        if (ok[i].hi < x)
            continue;
        if (ok[i].lo > x)
            break;
        if (ok[i].hi >= hi)
            return false;
        x = ok[i].hi + 1;
    }
    *out = x;
    return true;
}

int az_targets_check_public(struct az_ctx *ctx, const struct az_targets *t, bool allow_public)
{
    static const char *const ja[] = {
        "プライベート",   "ループバック",     "ユニークローカル",      "院外のグローバルアドレス",
        "マルチキャスト", "ブロードキャスト", "未指定 (0.0.0.0 / ::)", "リンクローカル",
        "予約済み"};
    static const char *const en[] = {"private",
                                     "loopback",
                                     "unique local",
                                     "a public address",
                                     "multicast",
                                     "broadcast",
                                     "unspecified (0.0.0.0 / ::)",
                                     "link-local",
                                     "reserved"};
    struct az_targets *mt = (struct az_targets *)t;
    int r;
    if ((r = az__targets_scope(mt)) < 0)
        return r;
    if (allow_public)
        return 0;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < t->scope[k].n; i++) {
            u128 x;
            const struct az_range *ok = k ? ok6 : ok4;
            size_t nok = k ? sizeof(ok6) / sizeof(ok6[0]) : sizeof(ok4) / sizeof(ok4[0]);
            if (!first_outside(ok, nok, t->scope[k].v[i].lo, t->scope[k].v[i].hi, &x))
                continue;
            int fam = k ? AF_INET6 : AF_INET;
            unsigned char a[16];
            char text[INET6_ADDRSTRLEN];
            enum az_addr_class c = class_of(fam, x);
            az__u128_to_addr(fam, x, a);
            inet_ntop(fam, a, text, sizeof(text));
            return az_fail(ctx, AZ_EINVAL,
                           "範囲に %s (%s) が含まれます。院内のプライベート・"
                           "ループバック・ユニークローカル以外は --allow-public を付けたときだけ"
                           "調べます",
                           "the scope holds %s (%s); anything but private, loopback "
                           "and unique local addresses is scanned only with --allow-public",
                           text, az_l(ctx, ja[c], en[c]));
        }
    return 0;
}

int az_ports_parse(struct az_ctx *ctx, const char *spec, uint16_t **ret, size_t *ret_n)
{
    unsigned char *seen = calloc(65536, 1);
    const char *p = spec;
    uint16_t *v;
    size_t n = 0;

    if (!seen)
        return AZ_ENOMEM;
    while (*p) {
        char tok[32];
        size_t m = strcspn(p, ",");
        long a, b;
        char *dash;
        if (m == 0 || m >= sizeof(tok)) {
            free(seen);
            return az_fail(ctx, AZ_EINVAL, "ポートの指定 \"%s\" が不正です",
                           "invalid port list \"%s\"", spec);
        }
        memcpy(tok, p, m);
        tok[m] = '\0';
        dash = strchr(tok, '-');
        if (dash)
            *dash = '\0';
        if (az_parse_long(tok, 1, 65535, &a) < 0 ||
            (dash ? az_parse_long(dash + 1, 1, 65535, &b) : (b = a, 0)) < 0 || b < a) {
            free(seen);
            return az_fail(ctx, AZ_EINVAL,
                           "ポートの指定 \"%s\" が不正です (1〜65535、例: 22,80,8000-8100)",
                           "invalid port list \"%s\" (1-65535, e.g. 22,80,8000-8100)", spec);
        }
        for (long x = a; x <= b; x++)
            seen[x] = 1;
        p += m;
        if (*p == ',')
            p++;
    }
    for (size_t i = 1; i < 65536; i++)
        n += seen[i];
    if (!n) {
        free(seen);
        return az_fail(ctx, AZ_EINVAL, "ポートが指定されていません", "no ports given");
    }
    v = malloc(n * sizeof(*v));
    if (!v) {
        free(seen);
        return AZ_ENOMEM;
    }
    n = 0;
    for (size_t i = 1; i < 65536; i++)
        if (seen[i])
            v[n++] = (uint16_t)i;
    free(seen);
    *ret = v;
    *ret_n = n;
    return 0;
}
