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

int az_targets_add(struct az_ctx *ctx, struct az_targets *t, const char *spec, bool exclude,
                   const char *where)
{
    char s[128], *p;
    int fam, fam2;
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
        u128 hostmask = bits == width ? 0 : (((u128)1 << (width - bits)) - 1);
        lo &= ~hostmask;
        if (fam == AF_INET)
            lo &= 0xffffffffu;
        hi = lo | hostmask;
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
    int k = fam_index(fam);
    if (push(exclude ? &t->exc[k] : &t->inc[k], lo, hi) < 0)
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

int az__targets_scope(struct az_targets *t)
{
    if (!t->dirty)
        return 0;
    for (int k = 0; k < 2; k++) {
        struct az_rangeset *sc = &t->scope[k];
        normalise(&t->inc[k]);
        normalise(&t->exc[k]);
        sc->n = 0;
        size_t e = 0;
        for (size_t i = 0; i < t->inc[k].n; i++) {
            u128 lo = t->inc[k].v[i].lo, hi = t->inc[k].v[i].hi;
            while (e < t->exc[k].n && t->exc[k].v[e].hi < lo)
                e++;
            size_t j = e;
            bool empty = false;
            while (j < t->exc[k].n && t->exc[k].v[j].lo <= hi) {
                const struct az_range *x = &t->exc[k].v[j];
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
    }
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

bool az_targets_contains(const struct az_targets *t, int family, const void *addr)
{
    struct az_targets *mt = (struct az_targets *)t;
    const struct az_rangeset *rs;
    u128 v = az__addr_to_u128(family, addr);
    size_t lo = 0, hi;

    if (az__targets_scope(mt) < 0)
        return false;
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
