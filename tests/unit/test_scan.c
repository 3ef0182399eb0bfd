/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/scan: scope parsing and exclusions, port lists, the
 * embedded data, and the engine against listeners this test opens on
 * 127.0.0.0/8 and ::1 (open, closed, silent ports; the caps). */
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
#include <unistd.h>

#include <cmocka.h>

#include "anzen/scan.h"

static struct az_ctx ctx;

static struct az_targets *targets(const char *const *inc, const char *const *exc)
{
    struct az_targets *t;
    assert_int_equal(az_targets_new(&t), 0);
    for (size_t i = 0; inc && inc[i]; i++)
        assert_int_equal(az_targets_add(&ctx, t, inc[i], false, "test"), 0);
    for (size_t i = 0; exc && exc[i]; i++)
        assert_int_equal(az_targets_add(&ctx, t, exc[i], true, "test"), 0);
    return t;
}

static bool has4(const struct az_targets *t, const char *a)
{
    unsigned char b[4];
    assert_int_equal(inet_pton(AF_INET, a, b), 1);
    return az_targets_contains(t, AF_INET, b);
}

static void test_targets(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    const char *inc[] = {"10.0.0.0/24", "10.0.1.10-10.0.1.19", "10.0.2.5-9",
                         "10.0.0.7",    " 192.168.1.1 ",       NULL};
    const char *exc[] = {"10.0.0.0/28", "10.0.1.15", "10.0.2.0/24", NULL};
    struct az_targets *t = targets(inc, exc);
    /* 254 (a /24 without network and broadcast) + 10 + 5 + 1 (dup)
     * - 15 (.1-.15; .0 already out) - 1 - 5 */
    assert_int_equal(az_targets_count(t), 254 - 15 + 10 - 1 + 1);
    assert_false(has4(t, "10.0.0.7"));
    assert_false(has4(t, "10.0.0.15"));
    assert_true(has4(t, "10.0.0.16"));
    assert_true(has4(t, "10.0.0.254"));
    assert_false(has4(t, "10.0.0.255")); /* broadcast of a /24 */
    assert_true(has4(t, "10.0.1.14"));
    assert_false(has4(t, "10.0.1.15"));
    assert_false(has4(t, "10.0.2.7"));
    assert_true(has4(t, "192.168.1.1"));
    assert_false(has4(t, "192.168.1.2"));
    az_targets_free(t);

    /* a CIDR written with host bits set covers its network; IPv6 */
    const char *inc6[] = {"10.9.9.9/30", "fd00::1/126", "::1", NULL};
    const char *exc6[] = {"fd00::2", NULL};
    t = targets(inc6, exc6);
    assert_int_equal(az_targets_count(t), 2 + 3 + 1);
    unsigned char b[16];
    inet_pton(AF_INET6, "fd00::3", b);
    assert_true(az_targets_contains(t, AF_INET6, b));
    inet_pton(AF_INET6, "fd00::2", b);
    assert_false(az_targets_contains(t, AF_INET6, b));
    assert_false(has4(t, "10.9.9.8")); /* network of a /30 */
    assert_true(has4(t, "10.9.9.9"));
    az_targets_free(t);

    /* everything excluded: an empty scope */
    const char *inc7[] = {"127.0.0.1", NULL};
    const char *exc7[] = {"127.0.0.0/8", NULL};
    t = targets(inc7, exc7);
    assert_int_equal(az_targets_count(t), 0);
    struct az_scan *s = NULL;
    uint16_t p = 80;
    struct az_scan_opts o;
    az_scan_opts_default(&o);
    assert_int_equal(az_scan_new(&ctx, t, &p, 1, &o, NULL, &s), AZ_EINVAL);
    assert_non_null(strstr(az_errmsg(&ctx), "no default target"));
    az_targets_free(t);
}

static void test_targets_bad(void **state)
{
    (void)state;
    static const char *bad[] = {
        "example.org", "10.0.0.0/33", "10.0.0.9-10.0.0.1", "10.0.0.1-300",     "::1-10.0.0.1", "",
        "10.0.0.1/",   "fd00::/129",  "10.0.0.256",        "10.0.0.1-10.0.0.x"};
    struct az_targets *t;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_targets_new(&t), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(az_targets_add(&ctx, t, bad[i], false, "argument 3"), AZ_EINVAL);
        assert_non_null(strstr(az_errmsg(&ctx), "argument 3"));
    }
    assert_int_equal(az_targets_count(t), 0);
    /* files: errors name file:line */
    char path[] = "/tmp/anzen-targets-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *txt = "# scope\n127.0.0.1\n\n127.0.0.2, 127.0.0.3 # two\nnot-an-address\n";
    assert_int_equal(write(fd, txt, strlen(txt)), (ssize_t)strlen(txt));
    close(fd);
    assert_int_equal(az_targets_add_file(&ctx, t, path, false), AZ_EINVAL);
    char want[64];
    snprintf(want, sizeof(want), "%s:5", path);
    assert_non_null(strstr(az_errmsg(&ctx), want));
    assert_int_equal(az_targets_count(t), 3);
    unlink(path);
    az_targets_free(t);
    /* a scope larger than the limit */
    const char *big[] = {"10.0.0.0/8", NULL};
    t = targets(big, NULL);
    struct az_scan *s = NULL;
    uint16_t p = 80;
    struct az_scan_opts o;
    az_scan_opts_default(&o);
    assert_int_equal(az_scan_new(&ctx, t, &p, 1, &o, NULL, &s), AZ_ERANGE);
    az_targets_free(t);
}

static void test_ports(void **state)
{
    (void)state;
    uint16_t *p;
    size_t n;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_ports_parse(&ctx, "443,22,80-82,22", &p, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(p[0], 22);
    assert_int_equal(p[1], 80);
    assert_int_equal(p[4], 443);
    free(p);
    assert_int_equal(az_ports_parse(&ctx, "1-65535", &p, &n), 0);
    assert_int_equal(n, 65535);
    free(p);
    static const char *bad[] = {"0", "65536", "80-22", "http", "22,,80", "", "-5", "1-"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(az_ports_parse(&ctx, bad[i], &p, &n), AZ_EINVAL);
}

static void test_data(void **state)
{
    (void)state;
    struct az_scan_data *d;
    size_t n;
    const uint16_t *p;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_scan_data_load(&ctx, NULL, &d), 0);
    p = az_scan_data_ports(d, &n);
    assert_true(n >= 30);
    bool dicom = false, mllp = false;
    for (size_t i = 0; i < n; i++) {
        dicom |= p[i] == 104;
        mllp |= p[i] == 2575;
    }
    assert_true(dicom && mllp);
    p = az_scan_data_discovery(d, &n);
    assert_true(n >= 2);
    assert_int_equal(p[0], 80); /* written order kept */
    az_scan_data_free(d);
    /* a broken data directory: errors with file:line:col */
    char dir[] = "/tmp/anzen-scandata-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/ports.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("anzen-scan-ports: 1\nversion: x\ndefault: \"22,http\"\ndiscovery: \"80\"\n"
          "services:\n  - {port: 99999, name: x}\n",
          f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/fingerprints.yaml", dir);
    f = fopen(path, "w");
    fputs("anzen-scan-fingerprints: 1\nversion: x\nappliances: []\n", f);
    fclose(f);
    assert_int_equal(az_scan_data_load(&ctx, dir, &d), AZ_ESCHEMA);
    assert_non_null(strstr(az_errmsg(&ctx), "ports.yaml:3:"));
    assert_non_null(strstr(az_errmsg(&ctx), "ports.yaml:6:"));
    unlink(path);
    snprintf(path, sizeof(path), "%s/ports.yaml", dir);
    unlink(path);
    rmdir(dir);
}

/* ---- the engine on loopback ---- */

static int listen_on(int fam, const char *addr, uint16_t port, int backlog)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1, fd = socket(fam, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&ss, 0, sizeof(ss));
    if (fam == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        inet_pton(AF_INET, addr, &s4->sin_addr);
        sl = sizeof(*s4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        inet_pton(AF_INET6, addr, &s6->sin6_addr);
        sl = sizeof(*s6);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
        close(fd);
        return -1;
    }
    assert_int_equal(listen(fd, backlog), 0);
    return fd;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                         : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static struct az_scan *run_scan(const char *const *inc, const uint16_t *ports, size_t n,
                                struct az_scan_opts *o, unsigned jobs, struct az_targets **rt,
                                az_scan_progress_fn cb, void *ud)
{
    struct az_scan *s;
    *rt = targets(inc, NULL);
    assert_int_equal(az_scan_new(&ctx, *rt, ports, n, o, NULL, &s), 0);
    for (unsigned j = 0; j < jobs; j++)
        assert_int_equal(az_scan_run(s, &ctx, j, jobs, j == 0 ? cb : NULL, ud), 0);
    assert_int_equal(az_scan_finish(s, &ctx, NULL, NULL), 0);
    return s;
}

static void test_engine_loopback(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    int l1 = listen_on(AF_INET, "127.0.0.1", 0, 16);
    int l2 = listen_on(AF_INET, "127.0.0.3", 0, 16);
    int l6 = listen_on(AF_INET6, "::1", 0, 16);
    uint16_t p1 = port_of(l1), p2 = port_of(l2), p6 = l6 >= 0 ? port_of(l6) : 0;
    /* ports: the listeners plus a closed neighbour range */
    uint16_t ports[8];
    size_t n = 0;
    ports[n++] = p1;
    ports[n++] = p2;
    if (l6 >= 0)
        ports[n++] = p6;
    ports[n++] = 1;
    ports[n++] = 7;
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (ports[k] < ports[i]) {
                uint16_t x = ports[i];
                ports[i] = ports[k];
                ports[k] = x;
            }
    const char *inc[] = {"127.0.0.1-4", "::1", NULL};
    struct az_scan_opts o;
    struct az_targets *t;
    az_scan_opts_default(&o);
    o.rate = 0;
    o.service = false;
    o.seed = 7;
    for (int jobs = 1; jobs <= 2; jobs++) {
        struct az_scan *s = run_scan(inc, ports, n, &o, (unsigned)jobs, &t, NULL, NULL);
        size_t nh;
        const struct az_scan_host *h = az_scan_hosts(s, &nh);
        /* every loopback address answers (with resets), so all are up */
        assert_int_equal(nh, 5);
        assert_string_equal(h[0].text, "127.0.0.1");
        assert_string_equal(h[4].text, "::1");
        bool found1 = false, found2 = false, found6 = l6 < 0;
        for (size_t i = 0; i < nh; i++)
            for (size_t k = 0; k < h[i].nports; k++) {
                const struct az_scan_port *p = &h[i].ports[k];
                if (!strcmp(h[i].text, "127.0.0.1") && p->port == p1)
                    found1 = true;
                else if (!strcmp(h[i].text, "127.0.0.3") && p->port == p2)
                    found2 = true;
                else if (!strcmp(h[i].text, "::1") && p->port == p6)
                    found6 = true;
                else
                    fail_msg("unexpected open port %s:%u", h[i].text, p->port);
            }
        assert_true(found1 && found2 && found6);
        const struct az_scan_stats *st = az_scan_stats(s);
        assert_int_equal(st->probes_planned, 5 * n);
        assert_int_equal(st->open, l6 >= 0 ? 3 : 2);
        assert_int_equal(st->closed + st->open, 5 * n);
        json_t *j = az_scan_to_json(s);
        assert_string_equal(json_string_value(json_object_get(j, "schema")), "anzen-scan/1");
        assert_int_equal(json_array_size(json_object_get(j, "hosts")), 5);
        json_decref(j);
        /* finishing gave up the per-probe state: the scan cannot run again */
        assert_int_equal(az_scan_run(s, &ctx, 0, 1, NULL, NULL), AZ_EINVAL);
        assert_int_equal(az_scan_finish(s, &ctx, NULL, NULL), 0);
        assert_int_equal(az_scan_stats(s)->open, l6 >= 0 ? 3 : 2);
        az_scan_free(s);
        az_targets_free(t);
    }
    close(l1);
    close(l2);
    if (l6 >= 0)
        close(l6);
}

struct watch {
    uint64_t max_inflight;
    unsigned calls;
};

static void watch_cb(void *ud, const struct az_scan_progress *p)
{
    struct watch *w = ud;
    w->calls++;
    if (p->inflight > w->max_inflight)
        w->max_inflight = p->inflight;
    assert_true(p->done <= p->total);
}

/* Listeners whose accept queue is full drop further SYNs: silent ports. */
static void test_engine_caps(void **state)
{
    (void)state;
    enum { N = 12 };
    int fds[N], cl[N][4];
    uint16_t ports[N];
    az_ctx_init(&ctx, AZ_LANG_EN);
    for (int i = 0; i < N; i++) {
        fds[i] = listen_on(AF_INET, "127.0.0.9", 0, 0);
        ports[i] = port_of(fds[i]);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(ports[i])};
        inet_pton(AF_INET, "127.0.0.9", &a.sin_addr);
        /* fill the queue (backlog 0 holds one; a second is half-open) */
        for (int k = 0; k < 4; k++) {
            cl[i][k] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            (void)connect(cl[i][k], (struct sockaddr *)&a, sizeof(a));
        }
    }
    usleep(100000);
    for (int i = 0; i < N; i++)
        for (int k = i + 1; k < N; k++)
            if (ports[k] < ports[i]) {
                uint16_t x = ports[i];
                ports[i] = ports[k];
                ports[k] = x;
            }
    const char *inc[] = {"127.0.0.9", NULL};
    struct az_scan_opts o;
    struct az_targets *t;
    struct watch w = {0, 0};
    az_scan_opts_default(&o);
    o.rate = 0;
    o.per_host = 3;
    o.timeout_ms = 250;
    o.service = false;
    o.discovery = false;
    struct az_scan *s = run_scan(inc, ports, N, &o, 1, &t, watch_cb, &w);
    const struct az_scan_stats *st = az_scan_stats(s);
    /* nobody answered: filtered, the host not up; never more than 3 at once */
    assert_int_equal(st->hosts_up, 0);
    assert_true(w.calls >= 5);
    assert_true(w.max_inflight <= 3);
    assert_true(w.max_inflight >= 1);
    /* 12 silent ports, 3 at a time, 250 ms each: at least 4 rounds */
    assert_true(st->end_us - st->start_us >= 4 * 250000 - 20000);
    az_scan_free(s);
    az_targets_free(t);
    /* --retries 1: every silent port is tried twice, within the same caps */
    o.retries = 1;
    o.per_host = 6;
    w.max_inflight = 0;
    s = run_scan(inc, ports, N, &o, 1, &t, watch_cb, &w);
    st = az_scan_stats(s);
    assert_int_equal(st->probes_sent, 2 * N);
    assert_int_equal(st->filtered, 0); /* the host never answered: not listed */
    assert_true(w.max_inflight <= 6);
    assert_true(st->end_us - st->start_us >= 4 * 250000 - 20000);
    az_scan_free(s);
    az_targets_free(t);
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 4; k++)
            close(cl[i][k]);
        close(fds[i]);
    }
}

/* --rate N: the measured rate stays within 5% of N. */
static void test_engine_rate(void **state)
{
    (void)state;
    uint16_t *ports;
    size_t n;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_ports_parse(&ctx, "20000-20599", &ports, &n), 0);
    const char *inc[] = {"127.0.0.1", NULL};
    struct az_scan_opts o;
    struct az_targets *t;
    az_scan_opts_default(&o);
    o.rate = 400;
    o.per_host = 64;
    o.per_host_rate = 0; /* one host: the global rate is what is measured */
    o.service = false;
    o.discovery = false;
    struct az_scan *s = run_scan(inc, ports, n, &o, 1, &t, NULL, NULL);
    const struct az_scan_stats *st = az_scan_stats(s);
    double secs = (double)(st->end_us - st->start_us) / 1e6;
    double rate = (double)(st->probes_sent - 1) / secs;
    assert_int_equal(st->probes_sent, 600);
    if (rate < 380 || rate > 420)
        fail_msg("measured %.1f/s for --rate 400", rate);
    az_scan_free(s);
    az_targets_free(t);
    free(ports);
}

/* the per-host rate: one host never gets more than per_host_rate new
 * connections a second, whatever the global rate */
static void test_engine_per_host_rate(void **state)
{
    (void)state;
    uint16_t *ports;
    size_t n;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_ports_parse(&ctx, "21000-21399", &ports, &n), 0);
    const char *inc[] = {"127.0.0.1", NULL};
    struct az_scan_opts o;
    struct az_targets *t;
    az_scan_opts_default(&o);
    o.rate = 2000;
    o.per_host = 64;
    o.per_host_rate = 200;
    o.service = false;
    o.discovery = false;
    struct az_scan *s = run_scan(inc, ports, n, &o, 1, &t, NULL, NULL);
    const struct az_scan_stats *st = az_scan_stats(s);
    double secs = (double)(st->end_us - st->start_us) / 1e6;
    double rate = (double)(st->probes_sent - 1) / secs;
    assert_int_equal(st->probes_sent, 400);
    /* never faster than the cap (the safety property); slower only when
     * the machine is busy (make check runs beside other work) */
    if (rate < 100 || rate > 215)
        fail_msg("measured %.1f/s for a per-host rate of 200", rate);
    az_scan_free(s);
    az_targets_free(t);
    free(ports);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets),         cmocka_unit_test(test_targets_bad),
        cmocka_unit_test(test_ports),           cmocka_unit_test(test_data),
        cmocka_unit_test(test_engine_loopback), cmocka_unit_test(test_engine_caps),
        cmocka_unit_test(test_engine_rate),     cmocka_unit_test(test_engine_per_host_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
