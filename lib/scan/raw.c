/* SPDX-License-Identifier: MIT */
/*
 * raw.c - raw SYN probes for `anzen scan --syn` (see raw.h): the sockets
 * of a shard, the one gate every SYN passes, and the reply parser.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <string.h>
#include <sodium.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "raw.h"
#include "scan_internal.h"

#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* IPv4 header (20) + TCP header with an MSS option (24) */
#define SYN_LEN 44

static int raw_fail(struct az_ctx *ctx, int e)
{
    return az_fail(ctx, AZ_EIO,
                   "--syn には root 権限か CAP_NET_RAW 権限が必要です (raw ソケットを開けません: "
                   "%s)。権限がないときは --syn を付けずに実行してください (通常の接続スキャン)",
                   "--syn needs root or the CAP_NET_RAW capability (cannot open a raw socket: "
                   "%s); without it, run without --syn (the ordinary connect scan)",
                   az_errno_text(ctx->lang, e));
}

int az__raw_check(struct az_ctx *ctx)
{
    int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0)
        return raw_fail(ctx, errno);
    close(fd);
    return 0;
}

int az_scan_syn_check(struct az_ctx *ctx)
{
    return az__raw_check(ctx);
}

void az__raw_close(struct az_raw *r)
{
    if (r->fd >= 0)
        close(r->fd);
    if (r->resv >= 0)
        close(r->resv);
    if (r->route >= 0)
        close(r->route);
    r->fd = r->resv = r->route = -1;
}

int az__raw_open(struct az_ctx *ctx, struct az_raw *r)
{
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    int one = 1, big = 8 << 20, e;

    memset(r, 0, sizeof(*r));
    r->fd = r->resv = r->route = -1;
    /* the kernel's generator directly: shards open their sockets from
     * several threads at once */
    if (getrandom(r->key, sizeof(r->key), 0) != (ssize_t)sizeof(r->key))
        return az_fail(ctx, AZ_EIO, "乱数を得られません: %s", "cannot get random bytes: %s",
                       az_errno_text(ctx->lang, errno));
    /* the source port: bound by a TCP socket that never listens, so the
     * kernel resets every SYN-ACK sent to it and no one else takes it */
    r->resv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    if (r->resv < 0 || bind(r->resv, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        getsockname(r->resv, (struct sockaddr *)&sin, &sl) < 0) {
        e = errno;
        az__raw_close(r);
        return az_fail(ctx, AZ_EIO, "送信元ポートを確保できません: %s",
                       "cannot reserve a source port: %s", az_errno_text(ctx->lang, e));
    }
    r->sport = ntohs(sin.sin_port);
    r->route = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (r->route < 0) {
        e = errno;
        az__raw_close(r);
        return az_fail(ctx, AZ_EIO, "ソケットを作れません: %s", "cannot create a socket: %s",
                       az_errno_text(ctx->lang, e));
    }
    r->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (r->fd < 0) {
        e = errno;
        az__raw_close(r);
        return raw_fail(ctx, e);
    }
    /* only segments with ACK set to our port, never a later fragment */
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 5, 0),
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, r->sport, 0, 3),
        BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, TCP_ACK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 128),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};
    if (setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
        setsockopt(r->fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
        e = errno;
        az__raw_close(r);
        return az_fail(ctx, AZ_EIO, "raw ソケットを設定できません: %s",
                       "cannot set up the raw socket: %s", az_errno_text(ctx->lang, e));
    }
    /* segments that arrived before the filter was in place */
    {
        unsigned char junk[128];
        while (recv(r->fd, junk, sizeof(junk), MSG_DONTWAIT) >= 0)
            ;
    }
    (void)setsockopt(r->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
    /* room for every answer in flight: FORCE needs CAP_NET_ADMIN, the
     * plain option is capped at net.core.rmem_max */
    if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
        (void)setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    if (setsockopt(r->fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0)
        (void)setsockopt(r->fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    sl = sizeof(r->rcvbuf);
    if (getsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &r->rcvbuf, &sl) < 0)
        r->rcvbuf = 212992;
    return 0;
}

int az__raw_source(struct az_raw *r, const unsigned char dst[4], uint32_t *src)
{
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(9);
    memcpy(&sin.sin_addr, dst, 4);
    /* a UDP connect() only asks the routing table: nothing is sent */
    if (connect(r->route, (struct sockaddr *)&sin, sizeof(sin)) < 0)
        return -errno;
    if (getsockname(r->route, (struct sockaddr *)&sin, &sl) < 0)
        return -errno;
    *src = sin.sin_addr.s_addr;
    return 0;
}

uint32_t az__raw_cookie(const struct az_raw *r, const unsigned char dst[4], uint16_t dport)
{
    unsigned char in[8], out[crypto_shorthash_BYTES];
    memcpy(in, dst, 4);
    in[4] = (unsigned char)(dport >> 8);
    in[5] = (unsigned char)dport;
    in[6] = (unsigned char)(r->sport >> 8);
    in[7] = (unsigned char)r->sport;
    crypto_shorthash(out, in, sizeof(in), r->key);
    return (uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 | (uint32_t)out[2] << 8 | out[3];
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static bool port_allowed(const struct az_scan *s, uint16_t port)
{
    return s->port_ok && (s->port_ok[port >> 3] >> (port & 7) & 1);
}

int az__raw_syn(struct az_raw *r, const struct az_scan *s, uint32_t src, const unsigned char dst[4],
                uint16_t dport, int *err)
{
    unsigned char p[SYN_LEN];
    enum az_addr_class c = az_addr_class(AF_INET, dst);

    *err = 0;
    /* the gate: scope, class and port, before anything is built */
    if (!s || !s->targets || !az_targets_contains(s->targets, AF_INET, dst) ||
        c == AZ_ADDR_MULTICAST || c == AZ_ADDR_BROADCAST || c == AZ_ADDR_UNSPECIFIED ||
        (!s->o.allow_public && c != AZ_ADDR_PRIVATE && c != AZ_ADDR_LOOPBACK) ||
        !port_allowed(s, dport) || dport == 0) {
        r->refused++;
        *err = EPERM;
        return AZ_EINVAL;
    }
    if (r->fd < 0) {
        *err = EBADF;
        return AZ_EIO;
    }
    uint32_t seq = az__raw_cookie(r, dst, dport);
    memset(p, 0, sizeof(p));
    /* IPv4: the kernel fills in the checksum (and the id, left 0) */
    p[0] = 0x45;
    p[2] = 0;
    p[3] = SYN_LEN;
    p[8] = 64; /* TTL */
    p[9] = IPPROTO_TCP;
    memcpy(p + 12, &src, 4);
    memcpy(p + 16, dst, 4);
    /* TCP */
    unsigned char *t = p + 20;
    t[0] = (unsigned char)(r->sport >> 8);
    t[1] = (unsigned char)r->sport;
    t[2] = (unsigned char)(dport >> 8);
    t[3] = (unsigned char)dport;
    t[4] = (unsigned char)(seq >> 24);
    t[5] = (unsigned char)(seq >> 16);
    t[6] = (unsigned char)(seq >> 8);
    t[7] = (unsigned char)seq;
    t[12] = 6 << 4; /* 24 bytes: the MSS option */
    t[13] = TCP_SYN;
    t[14] = 1024 >> 8; /* window */
    t[15] = 1024 & 0xff;
    t[20] = 2; /* MSS 1460, as a client would offer */
    t[21] = 4;
    t[22] = 1460 >> 8;
    t[23] = 1460 & 0xff;
    {
        unsigned char ph[4] = {0, IPPROTO_TCP, 0, SYN_LEN - 20};
        uint32_t sum = csum_add(0, p + 12, 8);
        sum = csum_add(sum, ph, 4);
        sum = csum_add(sum, t, SYN_LEN - 20);
        uint16_t ck = csum_fold(sum);
        t[16] = (unsigned char)(ck >> 8);
        t[17] = (unsigned char)ck;
    }
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    memcpy(&sin.sin_addr, dst, 4);
    if (sendto(r->fd, p, sizeof(p), MSG_DONTWAIT, (struct sockaddr *)&sin, sizeof(sin)) !=
        (ssize_t)sizeof(p)) {
        *err = errno;
        return AZ_EIO;
    }
    r->sent++;
    return 0;
}

int az_syn_reply_parse(const unsigned char *p, size_t len, struct az_syn_reply *out)
{
    size_t ihl, tot, doff;
    if (!p || len < 20 || (p[0] >> 4) != 4)
        return 0;
    ihl = (size_t)(p[0] & 15) * 4;
    tot = (size_t)p[2] << 8 | p[3];
    if (ihl < 20 || tot < ihl || p[9] != IPPROTO_TCP)
        return 0;
    /* a later fragment, or the first of several: not a whole segment */
    if (((p[6] & 0x1f) << 8 | p[7]) != 0 || (p[6] & 0x20))
        return 0;
    /* the socket may hand over less than the datagram (a short read):
     * only the headers are needed, and they must be whole */
    if (tot > len)
        tot = len;
    if (tot < ihl + 20)
        return 0;
    const unsigned char *t = p + ihl;
    doff = (size_t)(t[12] >> 4) * 4;
    if (doff < 20 || ihl + doff > tot)
        return 0;
    memset(out, 0, sizeof(*out));
    memcpy(out->src, p + 12, 4);
    memcpy(out->dst, p + 16, 4);
    out->sport = (uint16_t)(t[0] << 8 | t[1]);
    out->dport = (uint16_t)(t[2] << 8 | t[3]);
    out->seq = (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
    out->ack = (uint32_t)t[8] << 24 | (uint32_t)t[9] << 16 | (uint32_t)t[10] << 8 | t[11];
    out->flags = t[13];
    return 1;
}

int az__raw_recv(struct az_raw *r, struct az_raw_answer *out, int max, int *nread)
{
    enum { BATCH = 64 };
    unsigned char buf[BATCH][128];
    union {
        char c[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } ctl[BATCH];
    struct iovec iov[BATCH];
    struct mmsghdr mm[BATCH];
    int got = 0;

    if (max > BATCH)
        max = BATCH;
    memset(mm, 0, sizeof(mm[0]) * (size_t)max);
    for (int i = 0; i < max; i++) {
        iov[i].iov_base = buf[i];
        iov[i].iov_len = sizeof(buf[i]);
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_control = ctl[i].c;
        mm[i].msg_hdr.msg_controllen = sizeof(ctl[i].c);
    }
    *nread = 0;
    int n = recvmmsg(r->fd, mm, (unsigned)max, MSG_DONTWAIT, NULL);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : AZ_EIO;
    *nread = n;
    for (int i = 0; i < n; i++) {
        struct az_syn_reply y;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mm[i].msg_hdr); cm;
             cm = CMSG_NXTHDR(&mm[i].msg_hdr, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
                uint32_t d;
                memcpy(&d, CMSG_DATA(cm), sizeof(d));
                r->dropped = d; /* the socket's running total */
            }
        if (!az_syn_reply_parse(buf[i], mm[i].msg_len, &y) || y.dport != r->sport ||
            !(y.flags & TCP_ACK) || y.ack != az__raw_cookie(r, y.src, y.sport) + 1u ||
            (y.flags & (TCP_SYN | TCP_RST)) == 0 || (y.flags & (TCP_SYN | TCP_RST)) == 0x06) {
            r->bogus++;
            continue;
        }
        memcpy(out[got].addr, y.src, 4);
        out[got].port = y.sport;
        out[got].open = (y.flags & TCP_SYN) != 0;
        got++;
    }
    return got;
}
