/* SPDX-License-Identifier: MIT */
/* Unit tests for az_scan_write_json: the result written host by host is
 * byte for byte json_dumps(az_scan_to_json(s), JSON_INDENT(2)) plus a
 * newline, and valid JSON, for an imported nmap result with services,
 * certificates, scripts' evidence and findings, a live loopback scan
 * with a probed service and its evidence, an interrupted scan, a scan
 * with no live host, and a writer that fails. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
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
#include "anzen/util.h"

static struct az_ctx ctx;

struct buf {
    char *p;
    size_t n, cap;
    size_t fail_after; /* 0: never fail */
    unsigned calls;
};

static int put(const char *data, size_t len, void *arg)
{
    struct buf *b = arg;
    b->calls++;
    if (b->fail_after && b->n + len > b->fail_after)
        return -1;
    if (b->n + len + 1 > b->cap) {
        b->cap = (b->n + len + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 0;
}

/* The streamed bytes equal the whole document's; returns the parsed
 * stream for more checks. */
static json_t *same_as_whole(const struct az_scan *s)
{
    struct buf b = {0};
    json_t *whole = az_scan_to_json(s), *back;
    char *w = json_dumps(whole, JSON_INDENT(2));
    json_error_t err;

    assert_non_null(w);
    assert_int_equal(az_scan_write_json(&ctx, s, put, &b), 0);
    assert_non_null(b.p);
    assert_int_equal(b.n, strlen(w) + 1);
    assert_memory_equal(b.p, w, strlen(w));
    assert_int_equal(b.p[b.n - 1], '\n');
    back = json_loadb(b.p, b.n, 0, &err);
    if (!back)
        fail_msg("streamed JSON does not parse: %s at %d", err.text, err.position);
    assert_true(json_equal(back, whole));
    free(w);
    free(b.p);
    json_decref(whole);
    return back;
}

static void test_imported(void **state)
{
    (void)state;
    struct az_scan_data *d;
    struct az_scan *s;
    char *xml;
    size_t len;
    json_t *res, *j;

    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_scan_data_load(&ctx, NULL, &d), 0);
    assert_int_equal(az_read_text_file(&ctx, TEST_DATA "/nmap/hospital.xml", &xml, &len), 0);
    assert_int_equal(az_scan_import_nmap(&ctx, "hospital.xml", xml, len, "ward", d, &s), 0);
    /* without findings: the document ends after hosts */
    j = same_as_whole(s);
    assert_null(json_object_get(j, "findings"));
    json_decref(j);
    /* checked: findings, reachability, gaps, kev_catalog after hosts */
    assert_int_equal(az_scan_check(&ctx, s, NULL, NULL, 1767225600, &res), 0);
    j = same_as_whole(s);
    assert_true(json_array_size(json_object_get(j, "hosts")) >= 3);
    assert_true(json_array_size(json_object_get(j, "findings")) >= 1);
    assert_non_null(json_object_get(j, "kev_catalog"));
    {
        /* some host has a service with TLS details and evidence */
        size_t i, k;
        json_t *h, *p;
        bool tls = false, ev = false;
        json_array_foreach(json_object_get(j, "hosts"), i, h)
            json_array_foreach(json_object_get(h, "ports"), k, p)
        {
            json_t *sv = json_object_get(p, "service");
            tls |= json_object_get(sv, "tls") != NULL;
            ev |= json_array_size(json_object_get(sv, "evidence")) > 0;
        }
        assert_true(tls && ev);
    }
    json_decref(j);
    /* a writer that fails stops the output with -1 */
    for (size_t at = 1; at < 4000; at += 997) {
        struct buf b = {.fail_after = at};
        assert_int_equal(az_scan_write_json(&ctx, s, put, &b), -1);
        assert_true(b.n <= at);
        free(b.p);
    }
    json_decref(res);
    az_scan_free(s);
    az_scan_data_free(d);
    free(xml);
}

static int listen_on(const char *addr)
{
    struct sockaddr_in sa;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t sl = sizeof(sa);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, addr, &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 64), 0);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    return fd;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    return ntohs(sa.sin_port);
}

/* An SSH server's first line (with a byte that is not ASCII, escaped in
 * the evidence), to every connection until the socket is shut down. */
static void *ssh_banner(void *arg)
{
    int fd = *(int *)arg, c;
    static const char line[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\xe9\r\n";
    while ((c = accept(fd, NULL, NULL)) >= 0) {
        ssize_t w = write(c, line, sizeof(line) - 1);
        (void)w;
        usleep(20000);
        close(c);
    }
    return NULL;
}

static struct az_scan *live(const struct az_scan_data *d, uint16_t *ports, size_t n,
                            const char *range, bool stop, struct az_targets **rt)
{
    struct az_scan_opts o;
    struct az_scan *s;

    az_scan_opts_default(&o);
    o.rate = 0;
    o.seed = 11;
    o.discovery = false;
    o.svc_timeout_ms = 1000;
    assert_int_equal(az_targets_new(rt), 0);
    assert_int_equal(az_targets_add(&ctx, *rt, range, false, "test"), 0);
    assert_int_equal(az_targets_add(&ctx, *rt, "127.0.0.3", true, "test"), 0);
    assert_int_equal(az_scan_new(&ctx, *rt, ports, n, &o, d, &s), 0);
    assert_int_equal(az_scan_run(s, &ctx, 0, 1, NULL, NULL), 0);
    if (stop)
        az_scan_stop(s, SIGTERM);
    assert_int_equal(az_scan_finish(s, &ctx, NULL, NULL), 0);
    return s;
}

static void test_live(void **state)
{
    (void)state;
    struct az_scan_data *d;
    struct az_targets *t;
    struct az_scan *s;
    pthread_t th;
    json_t *j, *res;
    int l1 = -1, l2 = -1;

    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_scan_data_load(&ctx, NULL, &d), 0);
    l1 = listen_on("127.0.0.1");
    l2 = listen_on("127.0.0.4");
    assert_int_equal(pthread_create(&th, NULL, ssh_banner, &l1), 0);
    uint16_t ports[] = {1, 7, port_of(l1), port_of(l2)};
    if (ports[3] < ports[2]) {
        uint16_t x = ports[2];
        ports[2] = ports[3];
        ports[3] = x;
    }
    /* complete, with a probed service and its evidence, and findings */
    s = live(d, ports, 4, "127.0.0.1-5", false, &t);
    assert_int_equal(az_scan_check(&ctx, s, NULL, NULL, 1767225600, &res), 0);
    j = same_as_whole(s);
    assert_true(json_is_true(json_object_get(j, "complete")));
    assert_int_equal(json_array_size(json_object_get(j, "hosts")), 4);
    {
        json_t *h0 = json_array_get(json_object_get(j, "hosts"), 0);
        json_t *p = json_array_get(json_object_get(h0, "ports"), 0);
        json_t *ev = json_array_get(json_object_get(json_object_get(p, "service"), "evidence"), 0);
        assert_string_equal(json_string_value(json_object_get(h0, "address")), "127.0.0.1");
        assert_non_null(strstr(json_string_value(json_object_get(ev, "received")), "\\xe9\\r\\n"));
    }
    json_decref(j);
    json_decref(res);
    az_scan_free(s);
    az_targets_free(t);
    /* interrupted: "complete": false and "stopped_by" */
    s = live(d, ports, 4, "127.0.0.1-5", true, &t);
    j = same_as_whole(s);
    assert_true(json_is_false(json_object_get(j, "complete")));
    assert_string_equal(json_string_value(json_object_get(j, "stopped_by")), "SIGTERM");
    json_decref(j);
    az_scan_free(s);
    az_targets_free(t);
    /* no live host: "hosts": [] */
    {
        struct az_scan_opts o;
        az_scan_opts_default(&o);
        assert_int_equal(az_targets_new(&t), 0);
        assert_int_equal(az_targets_add(&ctx, t, "127.0.0.9", false, "test"), 0);
        assert_int_equal(az_scan_new(&ctx, t, ports, 4, &o, d, &s), 0);
        az_scan_stop(s, SIGINT);
        assert_int_equal(az_scan_finish(s, &ctx, NULL, NULL), 0);
        j = same_as_whole(s);
        assert_int_equal(json_array_size(json_object_get(j, "hosts")), 0);
        json_decref(j);
        az_scan_free(s);
        az_targets_free(t);
    }
    shutdown(l1, SHUT_RDWR);
    pthread_join(th, NULL);
    close(l1);
    close(l2);
    az_scan_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imported),
        cmocka_unit_test(test_live),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
