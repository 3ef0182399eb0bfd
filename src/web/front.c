/* SPDX-License-Identifier: MIT */
/*
 * front.c - the listening socket of `anzen serve`, in front of
 * libmicrohttpd (which runs with MHD_USE_NO_LISTEN_SOCKET and gets each
 * admitted connection through MHD_add_connection).
 *
 * Why not let MHD accept: MHD has one connection limit and one per-address
 * limit, so slow clients from a handful of addresses fill every slot and
 * everyone else is refused, and each refusal writes a line to stderr.
 * Here:
 *
 * - Admission: at most per_ip connections per client address; at most
 *   max_conn in the general pool; past that, `reserve` more slots only for
 *   addresses that hold fewer than WEB_LIGHT connections (a browser holds
 *   a few, a flood holds many), so a clinic's own user still gets in while
 *   the general pool is held by slow clients.
 * - The first byte: a connection waits here (up to header_time seconds)
 *   until its first byte arrives. A TLS handshake (0x16) goes to MHD; plain
 *   text (someone typed http://) gets a short answer naming the https URL
 *   and is closed; silence past the deadline is closed.
 * - Logging: refused connections are counted, and one summary line per
 *   interval is written (web_log_tick); every log line of the server goes
 *   out whole in one write(2), at most WEB_LOG_BURST lines per interval.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "web.h"

#define WEB_LIGHT      4  /* an address with fewer connections may use the reserve */
#define WEB_LOG_EVERY  10 /* seconds between summary lines */
#define WEB_LOG_BURST  10 /* log lines written per interval before counting only */
#define FRONT_MAX_WAIT 1024

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the log: whole lines, rate-limited ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static long long log_window;       /* start of the interval (ms) */
static unsigned long log_lines;    /* lines written in this interval */
static unsigned long log_dropped;  /* lines not written in this interval */
static unsigned long refused_ip;   /* refused: per-address limit */
static unsigned long refused_full; /* refused: every slot busy */
static unsigned long plain_http;   /* plain-HTTP clients answered */
static unsigned long slow_first;   /* closed: no first byte in time */
static unsigned long lib_msgs;     /* libmicrohttpd's per-connection messages */
static enum az_lang log_lang;      /* the server's language (--lang, ANZEN_LANG) */

static void write_whole(const char *s, size_t n)
{
    while (n) {
        ssize_t k = write(STDERR_FILENO, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

/* Summary of what was counted, with log_lock held. */
static void log_summary(long long now)
{
    char line[512];
    int n;

    if (refused_ip || refused_full || log_dropped || slow_first || plain_http || lib_msgs) {
        n = snprintf(line, sizeof(line),
                     log_lang == AZ_LANG_EN
                         ? "anzen serve: in the last %lld s: %lu connections refused (%lu over "
                           "the per-address limit, %lu with every slot busy), %lu closed before "
                           "their first byte, %lu plain-HTTP clients told to use https, %lu "
                           "connection messages from libmicrohttpd (the first one shown), %lu "
                           "log lines not written\n"
                         : "anzen serve: 直近 %lld 秒: 接続を断った数 %lu (アドレスごとの上限 "
                           "%lu、空き枠なし %lu)、最初のバイトが届く前に閉じた接続 %lu、https "
                           "を使うよう案内した平文 HTTP %lu、libmicrohttpd の接続メッセージ "
                           "%lu (最初の 1 件を表示)、書かなかったログ行 %lu\n",
                     (now - log_window + 999) / 1000, refused_ip + refused_full, refused_ip,
                     refused_full, slow_first, plain_http, lib_msgs, log_dropped);
        if (n > 0)
            write_whole(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    }
    refused_ip = refused_full = log_dropped = slow_first = plain_http = lib_msgs = 0;
    log_lines = 0;
    log_window = now;
}

void web_log_tick(void)
{
    long long now = mono_ms();

    pthread_mutex_lock(&log_lock);
    if (now - log_window >= WEB_LOG_EVERY * 1000)
        log_summary(now);
    pthread_mutex_unlock(&log_lock);
}

void web_logv(const char *fmt, va_list ap)
{
    char line[1024];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    size_t len;

    if (n < 0)
        return;
    len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    if (len == sizeof(line) - 1)
        line[len - 1] = '\n';
    else if (!len || line[len - 1] != '\n') {
        line[len++] = '\n';
        line[len] = '\0';
    }
    pthread_mutex_lock(&log_lock);
    if (log_lines < WEB_LOG_BURST) {
        log_lines++;
        write_whole(line, len);
    } else
        log_dropped++;
    pthread_mutex_unlock(&log_lock);
}

void web_log_lib(const char *msg)
{
    bool first;

    pthread_mutex_lock(&log_lock);
    first = lib_msgs++ == 0;
    pthread_mutex_unlock(&log_lock);
    /* one example per interval; the summary counts the rest */
    if (first)
        web_log("anzen serve: libmicrohttpd: %s", msg);
}

void web_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    web_logv(fmt, ap);
    va_end(ap);
}

/* ---- connections per address ---- */

struct addr_slot {
    unsigned char a[16];
    int fam;
    int n;
};

static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;
static struct addr_slot *addrs;
static size_t naddrs;
static int total;

static int addr_key(const struct sockaddr *sa, unsigned char a[16])
{
    memset(a, 0, 16);
    if (sa->sa_family == AF_INET) {
        memcpy(a, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return AF_INET;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(a, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return AF_INET6;
    }
    return 0;
}

/* The slot of sa (with addr_lock held); create it when asked. */
static struct addr_slot *addr_find(const struct sockaddr *sa, bool create)
{
    unsigned char a[16];
    int fam = addr_key(sa, a);
    struct addr_slot *free_slot = NULL;

    for (size_t i = 0; i < naddrs; i++) {
        if (addrs[i].n && addrs[i].fam == fam && !memcmp(addrs[i].a, a, 16))
            return &addrs[i];
        if (!addrs[i].n && !free_slot)
            free_slot = &addrs[i];
    }
    if (create && free_slot) {
        memcpy(free_slot->a, a, 16);
        free_slot->fam = fam;
    }
    return create ? free_slot : NULL;
}

/* Admit a connection from sa? Counts it when yes. */
static bool admit(const struct web *w, const struct sockaddr *sa)
{
    struct addr_slot *s;
    bool ok = false;

    pthread_mutex_lock(&addr_lock);
    s = addr_find(sa, true);
    if (!s || s->n >= w->o.per_ip) {
        pthread_mutex_unlock(&addr_lock);
        pthread_mutex_lock(&log_lock);
        refused_ip++;
        pthread_mutex_unlock(&log_lock);
        return false;
    }
    if (total < w->o.max_conn || (total < w->o.max_conn + w->o.reserve && s->n < WEB_LIGHT))
        ok = true;
    if (ok) {
        s->n++;
        total++;
    }
    pthread_mutex_unlock(&addr_lock);
    if (!ok) {
        pthread_mutex_lock(&log_lock);
        refused_full++;
        pthread_mutex_unlock(&log_lock);
    }
    return ok;
}

void web_conn_gone(const struct sockaddr *sa)
{
    struct addr_slot *s;

    if (!sa)
        return;
    pthread_mutex_lock(&addr_lock);
    if ((s = addr_find(sa, false)) && s->n > 0) {
        s->n--;
        total--;
    }
    pthread_mutex_unlock(&addr_lock);
}

/* ---- the front thread ---- */

struct waiting {
    int fd;
    long long since; /* ms */
    struct sockaddr_storage sa;
    socklen_t salen;
};

static struct waiting wait_list[FRONT_MAX_WAIT];
static int nwait;

static void drop_waiting(int ep, int i)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, wait_list[i].fd, NULL);
    close(wait_list[i].fd);
    web_conn_gone((struct sockaddr *)&wait_list[i].sa);
    wait_list[i] = wait_list[--nwait];
}

/* Someone typed http:// for our https:// port: say where to go. The host
 * is the listening address (not the client's Host header: nothing the
 * client sent is echoed back). */
static void plain_answer(const struct web *w, int fd)
{
    char body[512], msg[1024];
    char host[80];
    int n, m;

    if (strchr(w->o.listen, ':'))
        snprintf(host, sizeof(host), "[%s]", w->o.listen);
    else
        snprintf(host, sizeof(host), "%s", w->o.listen);
    n = snprintf(body, sizeof(body),
                 "このサーバーは HTTPS だけで接続できます。次の URL を開いてください:\n"
                 "This server speaks HTTPS only. Open:\n"
                 "https://%s:%d/\n",
                 host, w->port);
    if (n < 0 || (size_t)n >= sizeof(body))
        return;
    m = snprintf(msg, sizeof(msg),
                 "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 "Content-Length: %d\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n"
                 "Cache-Control: no-store\r\n\r\n%s",
                 n, body);
    if (m > 0 && (size_t)m < sizeof(msg))
        (void)send(fd, msg, (size_t)m, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
}

static void first_byte(struct web *w, int ep, int i)
{
    unsigned char c;
    ssize_t k = recv(wait_list[i].fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (k == 1 && c == 0x16) {
        /* a TLS handshake record: MHD takes the socket (and closes it on
         * failure; web_conn_gone is then called here, else on close) */
        struct waiting x = wait_list[i];
        epoll_ctl(ep, EPOLL_CTL_DEL, x.fd, NULL);
        wait_list[i] = wait_list[--nwait];
        if (MHD_add_connection(w->d, x.fd, (struct sockaddr *)&x.sa, x.salen) != MHD_YES)
            web_conn_gone((struct sockaddr *)&x.sa);
        return;
    }
    if (k == 1 && c >= 'A' && c <= 'Z') {
        plain_answer(w, wait_list[i].fd);
        pthread_mutex_lock(&log_lock);
        plain_http++;
        pthread_mutex_unlock(&log_lock);
    }
    drop_waiting(ep, i);
}

static volatile int front_stop;

static void *front_main(void *arg)
{
    struct web *w = arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = -1}, evs[64];

    if (ep < 0)
        return NULL;
    epoll_ctl(ep, EPOLL_CTL_ADD, w->lfd, &ev);
    while (!front_stop) {
        int n = epoll_wait(ep, evs, 64, 200);
        long long now = mono_ms();
        for (int e = 0; e < n; e++) {
            if (evs[e].data.fd == -1) {
                for (int burst = 0; burst < 256; burst++) {
                    struct waiting x;
                    x.salen = sizeof(x.sa);
                    x.fd = accept4(w->lfd, (struct sockaddr *)&x.sa, &x.salen,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (x.fd < 0)
                        break;
                    if (nwait >= FRONT_MAX_WAIT || !admit(w, (struct sockaddr *)&x.sa)) {
                        if (nwait >= FRONT_MAX_WAIT) {
                            pthread_mutex_lock(&log_lock);
                            refused_full++;
                            pthread_mutex_unlock(&log_lock);
                        }
                        close(x.fd);
                        continue;
                    }
                    x.since = now;
                    wait_list[nwait] = x;
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = x.fd};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, x.fd, &ce) < 0) {
                        nwait++;
                        drop_waiting(ep, nwait - 1);
                        continue;
                    }
                    nwait++;
                }
                continue;
            }
            for (int i = 0; i < nwait; i++)
                if (wait_list[i].fd == evs[e].data.fd) {
                    first_byte(w, ep, i);
                    break;
                }
        }
        /* the first byte is due within header_time */
        for (int i = 0; i < nwait;) {
            if (now - wait_list[i].since > (long long)w->o.header_time * 1000) {
                drop_waiting(ep, i);
                pthread_mutex_lock(&log_lock);
                slow_first++;
                pthread_mutex_unlock(&log_lock);
            } else
                i++;
        }
    }
    while (nwait)
        drop_waiting(ep, nwait - 1);
    close(ep);
    return NULL;
}

static pthread_t front_thread;

int web_front_listen(struct web *w, const struct sockaddr *sa, socklen_t salen)
{
    int one = 1;
    struct sockaddr_storage got;
    socklen_t gl = sizeof(got);

    naddrs = (size_t)w->o.max_conn + (size_t)w->o.reserve + FRONT_MAX_WAIT + 16;
    if (!(addrs = calloc(naddrs, sizeof(*addrs))))
        return -1;
    w->lfd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (w->lfd < 0)
        return -1;
    setsockopt(w->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (sa->sa_family == AF_INET6)
        setsockopt(w->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(w->lfd, sa, salen) < 0 || listen(w->lfd, 1024) < 0 ||
        getsockname(w->lfd, (struct sockaddr *)&got, &gl) < 0) {
        int e = errno;
        close(w->lfd);
        w->lfd = -1;
        errno = e;
        return -1;
    }
    w->port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                                              : ((struct sockaddr_in *)&got)->sin_port);
    log_window = mono_ms();
    return 0;
}

int web_front_start(struct web *w)
{
    pthread_mutex_lock(&log_lock);
    log_lang = w->o.lang;
    pthread_mutex_unlock(&log_lock);
    front_stop = 0;
    return pthread_create(&front_thread, NULL, front_main, w) == 0 ? 0 : -1;
}

void web_front_stop(struct web *w)
{
    front_stop = 1;
    pthread_join(front_thread, NULL);
    close(w->lfd);
    w->lfd = -1;
}

void web_front_free(void)
{
    pthread_mutex_lock(&log_lock);
    log_summary(mono_ms());
    pthread_mutex_unlock(&log_lock);
    pthread_mutex_lock(&addr_lock);
    free(addrs);
    addrs = NULL;
    naddrs = 0;
    total = 0;
    pthread_mutex_unlock(&addr_lock);
}
