/* SPDX-License-Identifier: MIT */
/* The raw SYN probe of anzen scan --syn (lib/scan/raw.c):
 *  - the one gate every raw SYN passes refuses any destination outside
 *    the normalised scope (exclusions, IPv4 written as IPv6, network and
 *    broadcast addresses of a prefix), of a class the scan may not touch,
 *    or a port the user did not allow; a property test draws addresses
 *    and ports and checks each decision against an independent model;
 *  - with the privilege (root here), what the gate lets through really
 *    leaves: every accepted SYN to loopback comes back as a reset whose
 *    acknowledgement matches the keyed sequence number, and a forged
 *    answer (wrong acknowledgement, wrong port) is not taken;
 *  - the reply parser accepts a well-formed segment and refuses
 *    truncated and hostile ones without reading past the bytes given. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "anzen/scan.h"
#include "../../lib/scan/raw.h"

static struct az_ctx ctx;

static void add(struct az_targets *t, const char *spec, bool exclude)
{
    if (az_targets_add(&ctx, t, spec, exclude, "test") != 0)
        fail_msg("%s: %s", spec, az_errmsg(&ctx));
}

static struct az_scan *scan_of(struct az_targets *t, const uint16_t *ports, size_t n,
                               const uint16_t *disc, size_t ndisc)
{
    struct az_scan *s = NULL;
    struct az_scan_opts o;
    az_scan_opts_default(&o);
    o.seed = 1;
    o.syn = true;
    o.disc_ports = disc;
    o.ndisc_ports = ndisc;
    assert_int_equal(az_scan_new(&ctx, t, ports, n, &o, NULL, &s), 0);
    return s;
}

static void a4(const char *text, unsigned char out[4])
{
    assert_int_equal(inet_pton(AF_INET, text, out), 1);
}

/* a raw socket when this process may have one, else fd -1 (refusals only) */
static bool open_raw(struct az_raw *r)
{
    if (az__raw_check(&ctx) < 0) {
        memset(r, 0, sizeof(*r));
        r->fd = r->resv = r->route = -1;
        return false;
    }
    assert_int_equal(az__raw_open(&ctx, r), 0);
    return true;
}

static int gate(struct az_raw *r, const struct az_scan *s, const char *dst, uint16_t port)
{
    unsigned char a[4];
    uint32_t src = htonl(0x7f000001);
    int err;
    a4(dst, a);
    return az__raw_syn(r, s, src, a, port, &err);
}

/* the scope written the way n0040 writes it: IPv4-mapped IPv6 with one
 * exclusion as IPv4 and one as IPv4-mapped */
static void test_gate_refuses(void **state)
{
    (void)state;
    struct az_targets *t;
    struct az_raw r;
    uint16_t ports[] = {53, 2575};
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "::ffff:127.0.0.0/125", false);
    add(t, "127.0.0.4", true);
    add(t, "::ffff:127.0.0.5", true);
    struct az_scan *s = scan_of(t, ports, 2, NULL, 0);
    bool priv = open_raw(&r);
    const char *out[] = {"127.0.0.0", "127.0.0.4", "127.0.0.5", "127.0.0.7",       "127.0.0.8",
                         "8.8.8.8",   "10.0.0.1",  "224.0.0.1", "255.255.255.255", "0.0.0.0"};
    for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
        uint64_t before = r.refused;
        if (gate(&r, s, out[i], 53) != AZ_EINVAL)
            fail_msg("the gate let a SYN to %s through", out[i]);
        assert_int_equal(r.refused, before + 1);
    }
    /* in scope, but a port the user did not list (nor port 0) */
    assert_int_equal(gate(&r, s, "127.0.0.2", 22), AZ_EINVAL);
    assert_int_equal(gate(&r, s, "127.0.0.2", 0), AZ_EINVAL);
    assert_int_equal(r.sent, 0);
    if (priv) {
        assert_int_equal(gate(&r, s, "127.0.0.2", 2575), 0);
        assert_int_equal(gate(&r, s, "127.0.0.6", 53), 0);
        assert_int_equal(r.sent, 2);
    }
    az__raw_close(&r);
    az_scan_free(s);
    az_targets_free(t);
}

/* explicit discovery ports are allowed too; nothing else is */
static void test_gate_discovery_ports(void **state)
{
    (void)state;
    struct az_targets *t;
    struct az_raw r;
    uint16_t ports[] = {80}, disc[] = {8080};
    assert_int_equal(az_targets_new(&t), 0);
    add(t, "127.0.0.1", false);
    struct az_scan *s = scan_of(t, ports, 1, disc, 1);
    bool priv = open_raw(&r);
    assert_int_equal(gate(&r, s, "127.0.0.1", 443), AZ_EINVAL);
    assert_int_equal(gate(&r, s, "127.0.0.1", 8081), AZ_EINVAL);
    if (priv) {
        assert_int_equal(gate(&r, s, "127.0.0.1", 8080), 0);
        assert_int_equal(gate(&r, s, "127.0.0.1", 80), 0);
    }
    az__raw_close(&r);
    az_scan_free(s);
    az_targets_free(t);
}

static uint64_t rnd(uint64_t *st)
{
    uint64_t z = (*st += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Property: for random scopes inside 127.0.0.0/24 (a prefix, its network
 * and broadcast addresses dropped, minus random exclusions in both
 * spellings) and random ports, the gate accepts exactly what the model
 * accepts; with the privilege, every accepted SYN is answered by the
 * kernel's reset, which az__raw_recv takes (cookie checked) once. */
static void test_gate_property(void **state)
{
    (void)state;
    uint64_t st = 19;
    struct az_raw r;
    bool priv = az__raw_check(&ctx) == 0;
    for (int round = 0; round < 12; round++) {
        struct az_targets *t;
        bool model[256] = {false}, okport[65536 / 64 + 1] = {false};
        char spec[64];
        int bits = 26 + (int)(rnd(&st) % 7); /* /26 .. /32 */
        unsigned base = (unsigned)(rnd(&st) % 256) & ~((1u << (32 - bits)) - 1);
        assert_int_equal(az_targets_new(&t), 0);
        if (rnd(&st) % 2)
            snprintf(spec, sizeof(spec), "127.0.0.%u/%d", base, bits);
        else
            snprintf(spec, sizeof(spec), "::ffff:127.0.0.%u/%d", base, bits + 96);
        add(t, spec, false);
        for (unsigned a = base; a < base + (1u << (32 - bits)); a++)
            model[a] = bits >= 31 || (a != base && a != base + (1u << (32 - bits)) - 1);
        for (int k = 0; k < 3; k++) {
            unsigned x = (unsigned)(rnd(&st) % 256);
            snprintf(spec, sizeof(spec), k % 2 ? "127.0.0.%u" : "::ffff:127.0.0.%u", x);
            add(t, spec, true);
            model[x] = false;
        }
        if (az_targets_count(t) == 0) {
            az_targets_free(t);
            continue;
        }
        /* ports: 8 from a small window so hits and misses both happen */
        uint16_t ports[8];
        size_t np = 0;
        for (int k = 0; k < 8; k++) {
            uint16_t p = (uint16_t)(20000 + rnd(&st) % 40);
            bool dup = false;
            for (size_t j = 0; j < np; j++)
                dup |= ports[j] == p;
            if (!dup)
                ports[np++] = p;
        }
        for (size_t j = 1; j < np; j++)
            for (size_t i = j; i > 0 && ports[i - 1] > ports[i]; i--) {
                uint16_t x = ports[i];
                ports[i] = ports[i - 1];
                ports[i - 1] = x;
            }
        for (size_t j = 0; j < np; j++)
            okport[ports[j] - 20000] = true;
        uint16_t d = ports[0];
        struct az_scan *s = scan_of(t, ports, np, &d, 1);
        open_raw(&r);
        uint64_t want = 0;
        for (int k = 0; k < 200; k++) {
            unsigned x = (unsigned)(rnd(&st) % 256);
            uint16_t p = (uint16_t)(20000 + rnd(&st) % 40);
            char text[32];
            snprintf(text, sizeof(text), "127.0.0.%u", x);
            bool expect = model[x] && okport[p - 20000];
            int g = gate(&r, s, text, p);
            if (!expect && g != AZ_EINVAL)
                fail_msg("round %d: %s:%u is out of scope but the gate returned %d", round, text, p,
                         g);
            if (expect && g == AZ_EINVAL)
                fail_msg("round %d: %s:%u is in scope but was refused", round, text, p);
            if (expect && priv) {
                assert_int_equal(g, 0);
                want++;
            }
        }
        if (priv) {
            /* each SYN went to a closed port: one reset each comes back */
            uint64_t got = 0;
            struct az_raw_answer ans[64];
            for (int spins = 0; spins < 200 && got < want; spins++) {
                struct pollfd pf = {r.fd, POLLIN, 0};
                int nread, n;
                (void)poll(&pf, 1, 10);
                while ((n = az__raw_recv(&r, ans, 64, &nread)) > 0 || nread > 0)
                    got += (uint64_t)n;
            }
            assert_int_equal(got, want);
            assert_int_equal(r.sent, want);
        }
        az__raw_close(&r);
        az_scan_free(s);
        az_targets_free(t);
    }
}

/* a segment sent to the scanner's port from another raw socket */
static void inject(int fd, uint16_t sport, uint16_t dport, uint32_t ack, uint8_t flags)
{
    unsigned char p[40] = {0x45, 0, 0, 40, 0, 0, 0, 0, 64, IPPROTO_TCP};
    uint32_t src = htonl(0x7f000001), dst = htonl(0x7f000001);
    memcpy(p + 12, &src, 4);
    memcpy(p + 16, &dst, 4);
    unsigned char *t = p + 20;
    t[0] = (unsigned char)(sport >> 8);
    t[1] = (unsigned char)sport;
    t[2] = (unsigned char)(dport >> 8);
    t[3] = (unsigned char)dport;
    t[8] = (unsigned char)(ack >> 24);
    t[9] = (unsigned char)(ack >> 16);
    t[10] = (unsigned char)(ack >> 8);
    t[11] = (unsigned char)ack;
    t[12] = 5 << 4;
    t[13] = flags;
    /* the checksum is left wrong on purpose: raw sockets take segments
     * before TCP checks them, so a bad one must be refused by the cookie */
    struct sockaddr_in sin = {.sin_family = AF_INET};
    memcpy(&sin.sin_addr, &dst, 4);
    assert_int_equal(sendto(fd, p, sizeof(p), 0, (struct sockaddr *)&sin, sizeof(sin)), 40);
}

static void test_forged_answers(void **state)
{
    (void)state;
    struct az_raw r;
    if (!open_raw(&r)) {
        print_message("# no raw socket privilege: forged answers not tested\n");
        return;
    }
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    assert_true(fd >= 0);
    unsigned char lo[4] = {127, 0, 0, 1};
    uint32_t c = az__raw_cookie(&r, lo, 7777);
    assert_int_not_equal(c, az__raw_cookie(&r, lo, 7778));
    inject(fd, 7777, r.sport, c, 0x12);                     /* ack = cookie, not cookie + 1 */
    inject(fd, 7777, r.sport, c + 2, 0x14);                 /* wrong again */
    inject(fd, 7778, r.sport, c + 1, 0x12);                 /* another port's cookie */
    inject(fd, 7777, r.sport, c + 1, 0x10);                 /* a bare ACK */
    inject(fd, 7777, (uint16_t)(r.sport + 1), c + 1, 0x12); /* not our port */
    inject(fd, 7777, r.sport, c + 1, 0x12);                 /* the real SYN-ACK */
    struct az_raw_answer ans[8];
    int got = 0, n, nread;
    for (int spins = 0; spins < 100 && got == 0; spins++) {
        struct pollfd pf = {r.fd, POLLIN, 0};
        (void)poll(&pf, 1, 10);
        while ((n = az__raw_recv(&r, ans + got, 8 - got, &nread)) > 0 || nread > 0)
            got += n;
    }
    assert_int_equal(got, 1);
    assert_true(ans[0].open);
    assert_int_equal(ans[0].port, 7777);
    assert_int_equal(r.bogus, 4); /* the other port's segment never passed the filter */
    close(fd);
    az__raw_close(&r);
}

static size_t synack(unsigned char *p)
{
    static const unsigned char x[40] = {
        0x45, 0,    0,    40,   0, 0, 0, 0, 64,   6,    0,    0,    127,  0,    0, 5, 127, 0, 0, 1,
        0,    0x50, 0x9c, 0x40, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x79, 0x50, 0x12, 4, 0, 0,   0, 0, 0};
    memcpy(p, x, sizeof(x));
    return sizeof(x);
}

static int parse_exact(const unsigned char *p, size_t n, struct az_syn_reply *y)
{
    /* a heap copy of exactly n bytes: ASan sees any read past them */
    unsigned char *c = malloc(n ? n : 1);
    memcpy(c, p, n);
    int r = az_syn_reply_parse(c, n, y);
    free(c);
    return r;
}

static void test_parser(void **state)
{
    (void)state;
    unsigned char p[80];
    struct az_syn_reply y;
    size_t n = synack(p);
    assert_int_equal(parse_exact(p, n, &y), 1);
    assert_int_equal(y.sport, 80);
    assert_int_equal(y.dport, 40000);
    assert_int_equal(y.ack, 0x12345679);
    assert_int_equal(y.flags, 0x12);
    assert_memory_equal(y.src, "\x7f\0\0\x05", 4);
    /* every truncation is refused */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(parse_exact(p, k, &y), 0);
    /* hostile headers */
    struct {
        size_t off;
        unsigned char v;
    } bad[] = {
        {0, 0x65},  /* IPv6 version */
        {0, 0x44},  /* IHL 16 bytes */
        {0, 0x4f},  /* IHL 60 bytes: past the segment */
        {9, 17},    /* UDP */
        {6, 0x20},  /* more fragments */
        {7, 0x01},  /* a later fragment */
        {3, 30},    /* total length shorter than the headers */
        {3, 10},    /* total length shorter than the IP header */
        {32, 0x40}, /* TCP data offset 16 bytes */
        {32, 0xf0}, /* TCP data offset 60 bytes: past the segment */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        synack(p);
        p[bad[i].off] = bad[i].v;
        if (parse_exact(p, n, &y) != 0)
            fail_msg("hostile byte %zu = 0x%02x was accepted", bad[i].off, bad[i].v);
    }
    /* a longer datagram than the IP total length says: the headers count */
    synack(p);
    memset(p + 40, 0xee, 40);
    assert_int_equal(parse_exact(p, 80, &y), 1);
    /* IP options and TCP options within the lengths are fine */
    unsigned char q[80] = {0};
    synack(p);
    memcpy(q, p, 20);
    q[0] = 0x46;
    q[3] = 48;
    memcpy(q + 24, p + 20, 20);
    q[24 + 12] = 0x60;
    assert_int_equal(parse_exact(q, 48, &y), 1);
    assert_int_equal(y.sport, 80);
    assert_int_equal(parse_exact(q, 47, &y), 0);
    /* random bytes never crash and what passes has whole headers */
    uint64_t st = 7;
    for (int k = 0; k < 20000; k++) {
        unsigned char buf[80];
        size_t len = (size_t)(rnd(&st) % sizeof(buf));
        for (size_t i = 0; i < len; i++)
            buf[i] = (unsigned char)rnd(&st);
        if (len && rnd(&st) % 2)
            buf[0] = (unsigned char)(0x40 | (buf[0] & 15));
        if (len > 9 && rnd(&st) % 2)
            buf[9] = 6;
        if (parse_exact(buf, len, &y)) {
            size_t ihl = (size_t)(buf[0] & 15) * 4;
            assert_true(ihl >= 20 && len >= ihl + 20);
            assert_true(len >= ihl + (size_t)(buf[ihl + 12] >> 4) * 4);
        }
    }
}

/* without the privilege the check fails naming it */
static void test_check_message(void **state)
{
    (void)state;
    if (az__raw_check(&ctx) == 0) {
        print_message("# privileged: the refusal is tested by tests/net/n0090-syn.sh\n");
        return;
    }
    assert_non_null(strstr(az_errmsg(&ctx), "CAP_NET_RAW"));
}

int main(void)
{
    az_ctx_init(&ctx, AZ_LANG_EN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_refuses),  cmocka_unit_test(test_gate_discovery_ports),
        cmocka_unit_test(test_gate_property), cmocka_unit_test(test_forged_answers),
        cmocka_unit_test(test_parser),        cmocka_unit_test(test_check_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
