/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the connect scanner: one epoll loop per shard.
 *
 * Each probe is a non-blocking connect() on its own socket with
 * SO_LINGER{1,0}, so finishing it sends a reset instead of leaving
 * TIME_WAIT. Probes of one kind share one timeout, so the probes in flight
 * form two FIFOs in launch order (discovery probes, which end before the
 * kernel's first SYN resend, and port probes) and expiry is O(1). Three caps hold at all times:
 * tokens for new connections per second (a bucket holding at most 20 ms
 * worth, so a stall is never made up by a burst), a pool of slots for the
 * connections in flight, and a per-host counter.
 *
 * Order: hosts are visited in a random permutation; each host's ports run
 * through a random permutation from a per-host random starting point.
 * A host is first asked on its discovery ports (in parallel, within the
 * per-host cap); the first answer of any kind (SYN-ACK or RST) makes it
 * live and releases its other ports; a host whose discovery probes all
 * time out is down and costs nothing more. Hosts are activated only when
 * no active host can take another probe, so the in-flight slots spread
 * over as few hosts as the per-host cap allows.
 *
 * --syn (opts.syn): an IPv4 probe is a raw SYN (raw.c) instead of a
 * socket; the slot waits in the same FIFOs and, in addition, in a table
 * by (address, port) where the shard's raw socket finds it when the
 * answer comes. The scanner resends an unanswered SYN itself at the
 * times the kernel would, so timeouts and rate accounting are the same.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "raw.h"
#include "scan_internal.h"

void az_scan_opts_default(struct az_scan_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->rate = AZ_SCAN_DEFAULT_RATE;
    o->max_inflight = AZ_SCAN_DEFAULT_INFLIGHT;
    o->per_host = AZ_SCAN_DEFAULT_PER_HOST;
    o->per_host_rate = AZ_SCAN_DEFAULT_PER_HOST_RATE;
    o->timeout_ms = AZ_SCAN_DEFAULT_TIMEOUT_MS;
    o->retries = 0;
    o->discovery = true;
    o->arp = true;
    o->service = true;
    o->svc_timeout_ms = AZ_SCAN_DEFAULT_SVC_TIMEOUT;
    o->assoc_timeout_ms = AZ_SCAN_DEFAULT_ASSOC_TIMEOUT;
    o->svc_inflight = 16;
}

unsigned az_scan_inflight_for_rate(unsigned rate, unsigned timeout_ms)
{
    unsigned syns = 1;
    if (!rate)
        return 0;
    /* resends at 1 s, 3 s, 7 s, ... */
    for (uint64_t t = 1000; t < timeout_ms && syns < 9; t = t * 2 + 1000)
        syns++;
    /* half as much again: in the first second nothing has been resent
     * yet, so new probes go out at the full rate and pile up */
    uint64_t need = ((uint64_t)rate * timeout_ms * 3 + 1999) / 2000 / syns + 1;
    return need > 1000000 ? 1000000 : (unsigned)need;
}

int64_t az__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t az__mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: small, good enough for shuffling probe order */
static uint64_t rnd(uint64_t *st)
{
    uint64_t z = (*st += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t *st, uint64_t n)
{
    /* multiply-shift; the bias is below 2^-32 for the sizes used here */
    return (uint64_t)(((u128)rnd(st) * n) >> 64);
}

static uint32_t host_offset(uint64_t seed, uint32_t h, size_t nports)
{
    uint64_t st = seed ^ ((uint64_t)h * 0x9e3779b97f4a7c15ULL);
    return (uint32_t)rnd_below(&st, nports);
}

/* Address of host index i. */
void az__host_addr(const struct az_scan *s, uint64_t i, int *fam, unsigned char *out)
{
    size_t lo = 0, hi = s->nranges;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->rbase[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    *fam = s->rfam[lo];
    az__u128_to_addr(*fam, s->ranges[lo].lo + (i - s->rbase[lo]), out);
}

int az_scan_new(struct az_ctx *ctx, const struct az_targets *t, const uint16_t *ports,
                size_t nports, const struct az_scan_opts *o, const struct az_scan_data *d,
                struct az_scan **ret)
{
    struct az_targets *mt = (struct az_targets *)t;
    struct az_scan *s;
    uint64_t n, st;
    const uint16_t *dp;
    size_t nd;

    if (!nports)
        return az_fail(ctx, AZ_EINVAL, "ポートが指定されていません", "no ports given");
    if (o->max_inflight < 1 || o->per_host < 1 || o->timeout_ms < 1)
        return az_fail(ctx, AZ_EINVAL, "同時接続数とタイムアウトは 1 以上です",
                       "in-flight caps and the timeout must be at least 1");
    if (o->ndisc_ports > AZ_SCAN_MAX_DISC)
        return az_fail(ctx, AZ_EINVAL, "検出用のポートは %u 個までです",
                       "at most %u discovery ports", AZ_SCAN_MAX_DISC);
    if (az__targets_scope(mt) < 0)
        return AZ_ENOMEM;
    if (az_targets_check_public(ctx, t, o->allow_public) < 0)
        return ctx->err;
    n = az_targets_count(t);
    if (n == 0)
        return az_fail(ctx, AZ_EINVAL,
                       "スキャンの範囲が空です (対象を明示してください。既定の対象はありません)",
                       "the scan scope is empty (give the targets explicitly; there is no "
                       "default target)");
    if (n > AZ_SCAN_MAX_ADDRS)
        return az_fail(ctx, AZ_ERANGE,
                       "範囲が広すぎます: %llu アドレス (上限 %u、/12 相当)。範囲を分けてください",
                       "scope too large: %llu addresses (limit %u, a /12); split it",
                       (unsigned long long)n, AZ_SCAN_MAX_ADDRS);
    if (n * nports > AZ_SCAN_MAX_PROBES)
        return az_fail(ctx, AZ_ERANGE, "プローブが多すぎます: %llu (上限 %u)",
                       "too many probes: %llu (limit %u)", (unsigned long long)(n * nports),
                       AZ_SCAN_MAX_PROBES);
    if (!(s = calloc(1, sizeof(*s))))
        return AZ_ENOMEM;
    s->o = *o;
    if (o->from && !(s->from = strdup(o->from)))
        goto nomem;
    s->o.from = s->from;
    if (!s->o.seed)
        s->o.seed = az__mono_ns() ^ ((uint64_t)getpid() << 32);
    s->data = d;
    s->targets = t;
    snprintf(s->source, sizeof(s->source), "anzen");
    s->nranges = t->scope[0].n + t->scope[1].n;
    s->ranges = calloc(s->nranges, sizeof(*s->ranges));
    s->rfam = calloc(s->nranges, 1);
    s->rbase = calloc(s->nranges, sizeof(*s->rbase));
    if (!s->ranges || !s->rfam || !s->rbase)
        goto nomem;
    {
        size_t k = 0;
        uint64_t base = 0;
        for (int f = 0; f < 2; f++)
            for (size_t i = 0; i < t->scope[f].n; i++, k++) {
                s->ranges[k] = t->scope[f].v[i];
                s->rfam[k] = f ? AF_INET6 : AF_INET;
                s->rbase[k] = base;
                base += (uint64_t)(t->scope[f].v[i].hi - t->scope[f].v[i].lo) + 1;
            }
    }
    s->naddrs = (size_t)n;
    s->nports = nports;
    s->ports = malloc(nports * sizeof(*s->ports));
    s->portperm = malloc(nports * sizeof(*s->portperm));
    s->perm = malloc(s->naddrs * sizeof(*s->perm));
    s->pstate = calloc(s->naddrs * nports, 1);
    s->hup = calloc(s->naddrs, 1);
    if (!s->ports || !s->portperm || !s->perm || !s->pstate || !s->hup)
        goto nomem;
    memcpy(s->ports, ports, nports * sizeof(*ports));
    st = s->o.seed;
    for (size_t i = 0; i < s->naddrs; i++)
        s->perm[i] = (uint32_t)i;
    for (size_t i = s->naddrs; i > 1; i--) {
        size_t j = (size_t)rnd_below(&st, i);
        uint32_t x = s->perm[i - 1];
        s->perm[i - 1] = s->perm[j];
        s->perm[j] = x;
    }
    for (size_t i = 0; i < nports; i++)
        s->portperm[i] = (uint16_t)i;
    for (size_t i = nports; i > 1; i--) {
        size_t j = (size_t)rnd_below(&st, i);
        uint16_t x = s->portperm[i - 1];
        s->portperm[i - 1] = s->portperm[j];
        s->portperm[j] = x;
    }
    /* discovery ports: only ports the user allowed. Given explicitly, or
     * the data's list (most likely to answer first) where it meets the
     * scan's own ports, else the scan's first ports. */
    if (o->disc_ports && o->ndisc_ports) {
        dp = o->disc_ports;
        nd = o->ndisc_ports;
    } else {
        dp = d ? az_scan_data_discovery(d, &nd) : NULL;
        if (!dp)
            nd = 0;
    }
    if (s->o.discovery) {
        size_t cap = nd + 4;
        s->disc = malloc(cap * sizeof(*s->disc));
        s->disc_idx = malloc(cap * sizeof(*s->disc_idx));
        if (!s->disc || !s->disc_idx)
            goto nomem;
        bool explicit = o->disc_ports && o->ndisc_ports;
        for (size_t i = 0; i < nd; i++) {
            int16_t idx = -1;
            for (size_t k = 0; k < nports; k++)
                if (ports[k] == dp[i])
                    idx = (int16_t)k;
            if (idx < 0 && !explicit)
                continue; /* a port the user did not ask for */
            bool dup = false;
            for (size_t k = 0; k < s->ndisc; k++)
                dup |= s->disc[k] == dp[i];
            if (dup)
                continue;
            s->disc[s->ndisc] = dp[i];
            s->disc_idx[s->ndisc++] = idx;
        }
        if (!s->ndisc) {
            for (size_t k = 0; k < nports && k < 4; k++) {
                s->disc[k] = ports[k];
                s->disc_idx[k] = (int16_t)k;
            }
            s->ndisc = nports < 4 ? nports : 4;
        }
    }
    /* every port a probe may go to: the gate of raw SYNs checks it */
    if (!(s->port_ok = calloc(65536 / 8, 1)))
        goto nomem;
    for (size_t i = 0; i < nports; i++)
        s->port_ok[ports[i] >> 3] |= (uint8_t)(1u << (ports[i] & 7));
    for (size_t i = 0; i < s->ndisc; i++)
        s->port_ok[s->disc[i] >> 3] |= (uint8_t)(1u << (s->disc[i] & 7));
    s->planned = (uint64_t)s->naddrs * nports;
    s->stats.addresses = s->naddrs;
    s->stats.probes_planned = s->planned;
    atomic_flag_clear(&s->opens_lock);
    *ret = s;
    return 0;
nomem:
    az_scan_free(s);
    return AZ_ENOMEM;
}

/* ---- one shard ---- */

enum { H_PENDING, H_DISC, H_UP, H_DOWN };

struct hrun {
    uint64_t next_ns; /* earliest next launch to this host (per-host rate) */
    uint32_t host;
    uint32_t pcur;     /* next position in the host's port order */
    uint32_t resolved; /* ports of the list with a final state */
    uint16_t inflight;
    uint8_t dsent, ddone;
    uint8_t status;
    bool inring;
    /* --syn: the source address towards this host (network order), or
     * the errno of the route lookup */
    bool srcdone;
    int srcerr;
    uint32_t src;
};

struct slot {
    int fd;
    uint32_t hr;   /* index into the shard's hrun array */
    int32_t pidx;  /* port index, or -1 for a discovery-only port */
    uint16_t port; /* port number */
    uint8_t tries;
    bool disc;
    uint8_t q; /* which FIFO: Q_PORT or Q_DISC */
    uint64_t t0;
    uint32_t prev, next; /* FIFO links; NIL at the ends */
    bool raw;            /* a raw SYN (--syn): no descriptor, in the answer table */
    uint32_t hnext;      /* next slot of its answer-table bucket */
    uint32_t daddr;      /* raw: the IPv4 destination (network order) */
};

enum { Q_PORT, Q_DISC };

/* A discovery probe waits at most this long: less than the kernel's
 * initial retransmission timeout (1 s), so a silent address costs one SYN
 * per discovery port, not two. A host has several discovery ports, so one
 * lost SYN rarely hides it; port probes keep the full timeout, which
 * covers one resend. */
#define DISC_TIMEOUT_NS ((uint64_t)AZ_SCAN_DISC_TIMEOUT_MS * 1000000u)

#define NIL UINT32_MAX

struct retry {
    uint32_t hr;
    int32_t pidx;
    uint16_t port;
    uint8_t tries;
    bool disc;
};

#define RETX_MAX 8

/* IPv4 neighbours that answered ARP, from the kernel's table */
struct arpcache {
    uint32_t *v;
    size_t n, cap;
    uint64_t at; /* when read (monotonic ns), 0 never */
    bool off;    /* no table to read */
};

struct shard {
    struct az_scan *s;
    struct arpcache arp;
    struct hrun *h;
    size_t nh;
    size_t nact; /* hosts activated so far */
    uint32_t *ring;
    size_t rhead, rlen;
    struct slot *slots;
    uint32_t nslots, nfree, *freel;
    struct fifo {
        uint32_t head, tail;
        uint64_t timeout_ns;
    } q[2];
    /* the kernel resends an unanswered SYN after 1 s, 3 s, 7 s, ... (an
     * initial RTO of 1 s, doubling): retx[k] is the oldest port probe in
     * flight whose k-th resend has not been charged yet (discovery probes
     * end before the first resend when they have their own FIFO). Each resend costs a
     * token, so the wire carries --rate SYNs a second, not twice that. */
    uint32_t retx[RETX_MAX];
    unsigned nretx;
    struct retry *rq;
    size_t rqhead, rqlen, rqcap;
    int ep;
    double tokens, burst, rate;
    uint64_t last_ns;
    unsigned per_host;
    uint64_t ph_ns;   /* least time between two probes to one host, 0 none */
    uint64_t wake_ns; /* when the earliest waiting host may take a probe */
    unsigned index;
    struct {
        uint64_t done, sent, up, open, inflight, local_retries, retx;
    } c; /* published to s->pub[index] once per loop iteration */
    struct az_open *opens;
    size_t nopens, capopens;
    /* --syn: the shard's raw socket and the probes waiting for an answer,
     * by (address, port) */
    bool syn;
    struct az_raw raw;
    uint32_t *hb, hmask;
    char refused[64]; /* the destination the gate refused, if it ever does */
};

static void ring_push(struct shard *sh, uint32_t hr)
{
    if (sh->h[hr].inring)
        return;
    sh->h[hr].inring = true;
    sh->ring[(sh->rhead + sh->rlen) % sh->nh] = hr;
    sh->rlen++;
}

static bool host_has_work(struct shard *sh, struct hrun *h)
{
    struct az_scan *s = sh->s;
    if (h->inflight >= sh->per_host)
        return false;
    if (h->status == H_DISC)
        return h->dsent < s->ndisc;
    if (h->status == H_UP)
        return h->pcur < s->nports;
    return false;
}

static void mark_done(struct shard *sh, struct hrun *h, uint64_t n)
{
    (void)sh;
    h->resolved += (uint32_t)n;
    sh->c.done += n;
}

static void host_down(struct shard *sh, struct hrun *h)
{
    struct az_scan *s = sh->s;
    h->status = H_DOWN;
    s->hup[h->host] = 2;
    /* every port not yet resolved is skipped */
    mark_done(sh, h, s->nports - h->resolved);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Read /proc/net/arp: the addresses whose entry is complete (ATF_COM)
 * with a hardware address, i.e. that answered ARP. */
static void arp_load(struct arpcache *c, uint64_t now)
{
    FILE *f = fopen("/proc/net/arp", "re");
    char line[256];
    c->n = 0;
    c->at = now;
    if (!f) {
        c->off = true;
        return;
    }
    if (!fgets(line, sizeof(line), f)) { /* the header */
        fclose(f);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char ip[64], hw[64], flags[16], type[16];
        struct in_addr a;
        if (sscanf(line, "%63s %15s %15s %63s", ip, type, flags, hw) != 4)
            continue;
        unsigned long fl = strtoul(flags, NULL, 16);
        if (!(fl & 0x2) || !strcmp(hw, "00:00:00:00:00:00") || inet_pton(AF_INET, ip, &a) != 1)
            continue;
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 256;
            uint32_t *v = realloc(c->v, cap * sizeof(*v));
            if (!v)
                break;
            c->v = v;
            c->cap = cap;
        }
        c->v[c->n++] = ntohl(a.s_addr);
    }
    fclose(f);
    qsort(c->v, c->n, sizeof(*c->v), cmp_u32);
}

/* Did this IPv4 host answer the ARP its discovery SYNs caused? Only a
 * directly attached segment has such entries; reading the table sends
 * nothing. */
static bool arp_alive(struct shard *sh, const struct hrun *h)
{
    struct az_scan *s = sh->s;
    unsigned char a[16];
    int fam;
    if (!s->o.arp || sh->arp.off)
        return false;
    az__host_addr(s, h->host, &fam, a);
    if (fam != AF_INET)
        return false;
    uint32_t key = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    for (int pass = 0; pass < 2; pass++) {
        if (sh->arp.n && bsearch(&key, sh->arp.v, sh->arp.n, sizeof(key), cmp_u32))
            return true;
        uint64_t now = az__mono_ns();
        if (pass || (sh->arp.at && now - sh->arp.at < 50000000u))
            return false;
        arp_load(&sh->arp, now);
    }
    return false;
}

static void host_up(struct shard *sh, struct hrun *h, enum az_port_reason why)
{
    struct az_scan *s = sh->s;
    if ((s->hup[h->host] & 3) != 1) {
        s->hup[h->host] = (uint8_t)(1 | (why << 2));
        sh->c.up++;
    }
    if (h->status == H_DISC)
        h->status = H_UP;
}

static int push_open(struct shard *sh, uint32_t host, uint16_t pidx, uint32_t rtt)
{
    if (sh->nopens == sh->capopens) {
        size_t cap = sh->capopens ? sh->capopens * 2 : 64;
        struct az_open *v = realloc(sh->opens, cap * sizeof(*v));
        if (!v)
            return AZ_ENOMEM;
        sh->opens = v;
        sh->capopens = cap;
    }
    sh->opens[sh->nopens].host = host;
    sh->opens[sh->nopens].pidx = pidx;
    sh->opens[sh->nopens].rtt_us = rtt;
    sh->nopens++;
    return 0;
}

static void fifo_remove(struct shard *sh, uint32_t i)
{
    struct slot *x = &sh->slots[i];
    struct fifo *f = &sh->q[x->q];
    if (x->q == Q_PORT)
        for (unsigned k = 0; k < sh->nretx; k++)
            if (sh->retx[k] == i)
                sh->retx[k] = x->next;
    if (x->prev != NIL)
        sh->slots[x->prev].next = x->next;
    else
        f->head = x->next;
    if (x->next != NIL)
        sh->slots[x->next].prev = x->prev;
    else
        f->tail = x->prev;
}

/* Append slot i to its FIFO: discovery probes have their own when their
 * timeout is shorter than the port probes'. */
static void fifo_append(struct shard *sh, uint32_t i)
{
    struct slot *x = &sh->slots[i];
    x->q = x->disc && sh->q[Q_DISC].timeout_ns < sh->q[Q_PORT].timeout_ns ? Q_DISC : Q_PORT;
    struct fifo *f = &sh->q[x->q];
    x->next = NIL;
    x->prev = f->tail;
    if (f->tail != NIL)
        sh->slots[f->tail].next = i;
    else
        f->head = i;
    f->tail = i;
    if (x->q == Q_PORT)
        for (unsigned k = 0; k < sh->nretx; k++)
            if (sh->retx[k] == NIL)
                sh->retx[k] = i;
}

/* ---- --syn: probes waiting for an answer, by (address, port) ---- */

static uint32_t ans_hash(const struct shard *sh, uint32_t daddr, uint16_t port)
{
    uint64_t x = ((uint64_t)daddr << 16 | port) * 0x9e3779b97f4a7c15ULL;
    return (uint32_t)(x >> 40) & sh->hmask;
}

static void ans_add(struct shard *sh, uint32_t i)
{
    struct slot *x = &sh->slots[i];
    uint32_t b = ans_hash(sh, x->daddr, x->port);
    x->hnext = sh->hb[b];
    sh->hb[b] = i;
}

static void ans_remove(struct shard *sh, uint32_t i)
{
    struct slot *x = &sh->slots[i];
    uint32_t *pp = &sh->hb[ans_hash(sh, x->daddr, x->port)];
    while (*pp != NIL && *pp != i)
        pp = &sh->slots[*pp].hnext;
    if (*pp == i)
        *pp = x->hnext;
}

static uint32_t ans_find(const struct shard *sh, uint32_t daddr, uint16_t port)
{
    uint32_t i = sh->hb[ans_hash(sh, daddr, port)];
    while (i != NIL && (sh->slots[i].daddr != daddr || sh->slots[i].port != port))
        i = sh->slots[i].hnext;
    return i;
}

/* Resend k (0-based) of an unanswered SYN happens 2^(k+1) - 1 s after
 * the connect. */
static uint64_t retx_at(unsigned k)
{
    return ((2ull << k) - 1) * 1000000000ull;
}

/* Charge a token for every SYN the kernel has resent since last time.
 * A raw probe (--syn) has no kernel behind it: the scanner resends its
 * SYN itself, at the same times, through the same gate. */
static int charge_retx(struct shard *sh, uint64_t now)
{
    for (unsigned k = 0; k < sh->nretx; k++)
        while (sh->retx[k] != NIL && sh->slots[sh->retx[k]].t0 + retx_at(k) <= now) {
            struct slot *x = &sh->slots[sh->retx[k]];
            bool sent = true;
            if (x->raw) {
                int err, r = az__raw_syn(&sh->raw, sh->s, sh->h[x->hr].src,
                                         (const unsigned char *)&x->daddr, x->port, &err);
                if (r == AZ_EINVAL) {
                    /* the gate refused: never expected, stop */
                    char t[INET_ADDRSTRLEN];
                    inet_ntop(AF_INET, &x->daddr, t, sizeof(t));
                    snprintf(sh->refused, sizeof(sh->refused), "%s:%u", t, x->port);
                    return r;
                }
                sent = r == 0;
            }
            if (sent) {
                if (sh->rate > 0)
                    sh->tokens -= 1.0;
                sh->c.retx++;
            }
            sh->retx[k] = x->next;
        }
    return 0;
}

static int queue_retry(struct shard *sh, const struct slot *x)
{
    if (sh->rqlen == sh->rqcap) {
        size_t cap = sh->rqcap ? sh->rqcap * 2 : 64;
        struct retry *v = malloc(cap * sizeof(*v));
        if (!v)
            return AZ_ENOMEM;
        for (size_t i = 0; i < sh->rqlen; i++)
            v[i] = sh->rq[(sh->rqhead + i) % (sh->rqcap ? sh->rqcap : 1)];
        free(sh->rq);
        sh->rq = v;
        sh->rqcap = cap;
        sh->rqhead = 0;
    }
    struct retry *r = &sh->rq[(sh->rqhead + sh->rqlen) % sh->rqcap];
    r->hr = x->hr;
    r->pidx = x->pidx;
    r->port = x->port;
    r->tries = x->tries;
    r->disc = x->disc;
    sh->rqlen++;
    return 0;
}

/* A probe finished with state st (AZ_PORT_*) and reason. */
static int finish(struct shard *sh, uint32_t i, int st, enum az_port_reason why, bool close_it)
{
    struct az_scan *s = sh->s;
    struct slot *x = &sh->slots[i];
    struct hrun *h = &sh->h[x->hr];
    uint64_t now = az__mono_ns();
    bool answered = st == AZ_PORT_OPEN || st == AZ_PORT_CLOSED;
    static const struct linger lg = {1, 0};

    if (x->raw) {
        ans_remove(sh, i);
        close_it = false;
    }
    if (close_it) {
        /* an open connection ends with a reset, not FIN and TIME_WAIT
         * (set only here: most probes never connect, so this saves a
         * system call on each of them) */
        if (st == AZ_PORT_OPEN)
            (void)setsockopt(x->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(x->fd);
    }
    fifo_remove(sh, i);
    sh->freel[sh->nfree++] = i;
    h->inflight--;
    sh->c.inflight--;
    if (st == AZ_PORT_FILTERED && why == AZ_REASON_NO_RESPONSE && x->tries < s->o.retries &&
        h->status != H_DOWN) {
        x->tries++;
        if (x->pidx >= 0)
            s->pstate[(size_t)h->host * s->nports + (size_t)x->pidx] = ST_INFLIGHT;
        if (queue_retry(sh, x) < 0)
            return AZ_ENOMEM;
        h->inflight++; /* the retry holds the host's place */
        return 0;
    }
    if (x->pidx >= 0 && h->status != H_DOWN) {
        uint8_t *ps = &s->pstate[(size_t)h->host * s->nports + (size_t)x->pidx];
        *ps = (uint8_t)(st | (why << 3));
        mark_done(sh, h, 1);
        if (st == AZ_PORT_OPEN) {
            sh->c.open++;
            if (push_open(sh, h->host, (uint16_t)x->pidx, (uint32_t)((now - x->t0) / 1000)) < 0)
                return AZ_ENOMEM;
        }
    }
    if (answered)
        host_up(sh, h, why);
    if (x->disc && h->status == H_DISC) {
        h->ddone++;
        if (h->ddone == s->ndisc && h->dsent == s->ndisc) {
            if (arp_alive(sh, h))
                host_up(sh, h, AZ_REASON_ARP); /* there, filtering TCP */
            else
                host_down(sh, h);
        }
    } else if (x->disc) {
        h->ddone++;
    }
    if (host_has_work(sh, h))
        ring_push(sh, x->hr);
    return 0;
}

static enum az_port_reason errno_reason(int e, int *st)
{
    switch (e) {
    case 0:
        *st = AZ_PORT_OPEN;
        return AZ_REASON_SYN_ACK;
    case ECONNREFUSED:
        *st = AZ_PORT_CLOSED;
        return AZ_REASON_CONN_REFUSED;
    case EHOSTUNREACH:
    case EHOSTDOWN:
        *st = AZ_PORT_FILTERED;
        return AZ_REASON_HOST_UNREACH;
    case ENETUNREACH:
        *st = AZ_PORT_FILTERED;
        return AZ_REASON_NET_UNREACH;
    case EACCES:
    case EPERM:
        *st = AZ_PORT_FILTERED;
        return AZ_REASON_ADMIN_PROHIBITED;
    default:
        *st = AZ_PORT_FILTERED;
        return AZ_REASON_NO_RESPONSE;
    }
}

/* A connection that completed and was then reset (ECONNRESET: a service
 * that accepts and drops at once) shows the port open, unless the target
 * is this machine's loopback and the port one of its ephemeral ports:
 * there the reset can come from another of our own probe sockets that
 * the kernel connected this one to (simultaneous open), so it says
 * nothing about a listener. */
static bool reset_means_open(const unsigned char *a, int fam, uint16_t port)
{
    bool loop = (fam == AF_INET && a[0] == 127) ||
                (fam == AF_INET6 && !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16));
    return !(loop && port >= 32768);
}

/* Finish a probe from the socket's state: SO_ERROR, then the self-connect
 * guard for a connected socket. */
static int complete_fd(struct shard *sh, uint32_t i);

/* Did the kernel connect the socket to itself (no listener)? */
static bool self_connected(int fd)
{
    struct sockaddr_storage a, b;
    socklen_t la = sizeof(a), lb = sizeof(b);
    if (getsockname(fd, (struct sockaddr *)&a, &la) < 0 ||
        getpeername(fd, (struct sockaddr *)&b, &lb) < 0)
        return false;
    return la == lb && !memcmp(&a, &b, la);
}

static int complete_fd(struct shard *sh, uint32_t i)
{
    struct slot *x = &sh->slots[i];
    int err = 0, st;
    socklen_t l = sizeof(err);
    enum az_port_reason why;

    if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
        err = errno;
    why = errno_reason(err, &st);
    if (err == ECONNRESET) {
        unsigned char a[16];
        int fam;
        az__host_addr(sh->s, sh->h[x->hr].host, &fam, a);
        if (reset_means_open(a, fam, x->port)) {
            st = AZ_PORT_OPEN;
            why = AZ_REASON_SYN_ACK;
        }
    }
    if (st == AZ_PORT_OPEN && self_connected(x->fd)) {
        st = AZ_PORT_CLOSED;
        why = AZ_REASON_SELF_CONNECT;
    }
    return finish(sh, i, st, why, true);
}

/* A free slot for a probe just sent (raw) or being connected (fd): filled,
 * queued, counted in flight. Returns its index. */
static uint32_t slot_start(struct shard *sh, uint32_t hr, int32_t pidx, uint16_t port, bool disc,
                           uint8_t tries, int fd, bool raw)
{
    struct az_scan *s = sh->s;
    struct hrun *h = &sh->h[hr];
    uint32_t i = sh->freel[--sh->nfree];
    struct slot *x = &sh->slots[i];

    x->fd = fd;
    x->raw = raw;
    x->hr = hr;
    x->pidx = pidx;
    x->port = port;
    x->disc = disc;
    x->tries = tries;
    x->t0 = az__mono_ns();
    fifo_append(sh, i);
    h->inflight++;
    sh->c.inflight++;
    sh->c.sent++;
    if (pidx >= 0)
        s->pstate[(size_t)h->host * s->nports + (size_t)pidx] = ST_INFLIGHT;
    return i;
}

/* Launch one raw SYN probe (--syn, IPv4): as launch(). */
static int launch_raw(struct shard *sh, uint32_t hr, int32_t pidx, uint16_t port, bool disc,
                      uint8_t tries, const unsigned char a[4])
{
    struct az_scan *s = sh->s;
    struct hrun *h = &sh->h[hr];
    int err = 0, r;

    if (!h->srcdone) {
        int e = az__raw_source(&sh->raw, a, &h->src);
        h->srcdone = true;
        h->srcerr = e < 0 ? -e : 0;
    }
    if (h->srcerr) {
        err = h->srcerr;
        r = AZ_EIO;
    } else {
        r = az__raw_syn(&sh->raw, s, h->src, a, port, &err);
    }
    if (r == AZ_EINVAL) {
        char t[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, a, t, sizeof(t));
        snprintf(sh->refused, sizeof(sh->refused), "%s:%u", t, port);
        return AZ_EINVAL;
    }
    if (r < 0 && (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == ENOMEM)) {
        sh->c.local_retries++;
        return 0; /* the send queue is full: try again shortly */
    }
    uint32_t i = slot_start(sh, hr, pidx, port, disc, tries, -1, r == 0);
    memcpy(&sh->slots[i].daddr, a, 4);
    if (r < 0) {
        /* no route: nothing left, the state is what connect() would say */
        int st;
        enum az_port_reason why = errno_reason(err, &st);
        return finish(sh, i, st, why, false) < 0 ? AZ_ENOMEM : 1;
    }
    ans_add(sh, i);
    return 1;
}

/* Launch one probe; returns 1 launched, 0 local shortage (try later), <0 error. */
static int launch(struct shard *sh, uint32_t hr, int32_t pidx, uint16_t port, bool disc,
                  uint8_t tries)
{
    struct az_scan *s = sh->s;
    struct hrun *h = &sh->h[hr];
    struct sockaddr_storage ss;
    socklen_t sl;
    unsigned char a[16];
    int fam, fd;

    az__host_addr(s, h->host, &fam, a);
    if (sh->syn && fam == AF_INET)
        return launch_raw(sh, hr, pidx, port, disc, tries, a);
    memset(&ss, 0, sizeof(ss));
    if (fam == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, a, 4);
        sl = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        memcpy(&sin6->sin6_addr, a, 16);
        sl = sizeof(*sin6);
    }
    fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            return 0;
        return AZ_EIO;
    }
    uint32_t i = slot_start(sh, hr, pidx, port, disc, tries, fd, false);
    if (connect(fd, (struct sockaddr *)&ss, sl) == 0)
        return finish(sh, i, AZ_PORT_OPEN, AZ_REASON_SYN_ACK, true) < 0 ? AZ_ENOMEM : 1;
    if (errno == EINPROGRESS) {
        struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = i};
        /* on loopback the answer is processed within connect() itself:
         * take it now and spare the epoll round trip */
        if ((fam == AF_INET && a[0] == 127) ||
            (fam == AF_INET6 && !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))) {
            int err = 0;
            socklen_t el = sizeof(err);
            struct tcp_info ti;
            socklen_t tl = sizeof(ti);
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err) {
                int st;
                enum az_port_reason why = errno_reason(err, &st);
                if (err == ECONNRESET && reset_means_open(a, fam, port)) {
                    st = AZ_PORT_OPEN;
                    why = AZ_REASON_SYN_ACK;
                }
                return finish(sh, i, st, why, true) < 0 ? AZ_ENOMEM : 1;
            }
            if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 &&
                ti.tcpi_state == TCP_ESTABLISHED)
                return complete_fd(sh, i) < 0 ? AZ_ENOMEM : 1;
        }
        if (epoll_ctl(sh->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close(fd);
            return AZ_EIO;
        }
        return 1;
    }
    if (errno == EADDRNOTAVAIL || errno == EAGAIN || errno == ENOBUFS) {
        /* out of local ports or buffers: put it back, try again shortly */
        close(fd);
        fifo_remove(sh, i);
        sh->freel[sh->nfree++] = i;
        h->inflight--;
        sh->c.inflight--;
        sh->c.sent--;
        sh->c.local_retries++;
        if (pidx >= 0)
            s->pstate[(size_t)h->host * s->nports + (size_t)pidx] = ST_UNKNOWN;
        return 0;
    }
    int st;
    enum az_port_reason why = errno_reason(errno, &st);
    return finish(sh, i, st, why, true) < 0 ? AZ_ENOMEM : 1;
}

/* Choose the next probe of host hr: returns false when it has none now. */
static bool next_probe(struct shard *sh, uint32_t hr, int32_t *pidx, uint16_t *port, bool *disc)
{
    struct az_scan *s = sh->s;
    struct hrun *h = &sh->h[hr];

    if (h->inflight >= sh->per_host)
        return false;
    if (h->status == H_DISC) {
        while (h->dsent < s->ndisc) {
            size_t k = h->dsent++;
            *pidx = s->disc_idx[k];
            *port = s->disc[k];
            *disc = true;
            if (*pidx >= 0 &&
                s->pstate[(size_t)h->host * s->nports + (size_t)*pidx] != ST_UNKNOWN) {
                h->ddone++;
                continue;
            }
            return true;
        }
        return false;
    }
    if (h->status != H_UP)
        return false;
    uint32_t off = host_offset(s->o.seed, h->host, s->nports);
    while (h->pcur < s->nports) {
        uint32_t k = (h->pcur++ + off) % (uint32_t)s->nports;
        uint16_t pi = s->portperm[k];
        uint8_t st = s->pstate[(size_t)h->host * s->nports + pi] & ST_MASK;
        if (st != ST_UNKNOWN)
            continue; /* answered or in flight during discovery */
        *pidx = pi;
        *port = s->ports[pi];
        *disc = false;
        return true;
    }
    return false;
}

static void refill(struct shard *sh, uint64_t now)
{
    if (sh->rate <= 0) {
        sh->tokens = 1e18;
        return;
    }
    sh->tokens += (double)(now - sh->last_ns) * sh->rate / 1e9;
    if (sh->tokens > sh->burst)
        sh->tokens = sh->burst;
    sh->last_ns = now;
}

static int fill(struct shard *sh, bool *blocked_tokens, bool *blocked_local, bool *blocked_host)
{
    struct az_scan *s = sh->s;
    uint64_t now = az__mono_ns();
    *blocked_tokens = false;
    *blocked_local = false;
    *blocked_host = false;
    sh->wake_ns = UINT64_MAX;

    if (atomic_load_explicit(&s->stop, memory_order_relaxed)) {
        sh->rqlen = 0; /* retries are new probes too */
        return 0;
    }
    while (sh->nfree > 0) {
        uint32_t hr;
        int32_t pidx;
        uint16_t port;
        bool disc;
        uint8_t tries = 0;
        int r;

        if (sh->tokens < 1.0) {
            *blocked_tokens = true;
            return 0;
        }
        /* retries first, if their host has room */
        if (sh->rqlen) {
            struct retry rt = sh->rq[sh->rqhead];
            sh->rqhead = (sh->rqhead + 1) % sh->rqcap;
            sh->rqlen--;
            sh->h[rt.hr].inflight--; /* the place held for it */
            if (sh->h[rt.hr].status == H_DOWN) {
                if (host_has_work(sh, &sh->h[rt.hr]))
                    ring_push(sh, rt.hr);
                continue;
            }
            r = launch(sh, rt.hr, rt.pidx, rt.port, rt.disc, rt.tries);
            if (r < 0)
                return r;
            if (r == 0) {
                struct slot tmp = {.hr = rt.hr,
                                   .pidx = rt.pidx,
                                   .port = rt.port,
                                   .tries = rt.tries,
                                   .disc = rt.disc};
                sh->h[rt.hr].inflight++;
                if (queue_retry(sh, &tmp) < 0)
                    return AZ_ENOMEM;
                *blocked_local = true;
                return 0;
            }
            sh->tokens -= 1.0;
            continue;
        }
        /* an active host with room (and past its per-host interval), or
         * activate the next one */
        size_t tried = 0, ring_n = sh->rlen;
        for (;;) {
            if (sh->rlen && tried < ring_n) {
                hr = sh->ring[sh->rhead];
                sh->rhead = (sh->rhead + 1) % sh->nh;
                sh->rlen--;
                sh->h[hr].inring = false;
                tried++;
                if (sh->ph_ns && now < sh->h[hr].next_ns) {
                    if (sh->h[hr].next_ns < sh->wake_ns)
                        sh->wake_ns = sh->h[hr].next_ns;
                    ring_push(sh, hr); /* not yet: back to the end */
                    continue;
                }
                if (!next_probe(sh, hr, &pidx, &port, &disc))
                    continue;
                break;
            }
            if (sh->nact < sh->nh) {
                hr = (uint32_t)sh->nact++;
                sh->h[hr].status = s->o.discovery ? H_DISC : H_UP;
                if (!next_probe(sh, hr, &pidx, &port, &disc))
                    continue;
                break;
            }
            if (sh->wake_ns != UINT64_MAX)
                *blocked_host = true; /* hosts wait for their interval */
            return 0;                 /* nothing left to launch now */
        }
        r = launch(sh, hr, pidx, port, disc, tries);
        if (r < 0)
            return r;
        if (r == 0) {
            /* undo the choice: step the cursor back */
            struct hrun *h = &sh->h[hr];
            if (disc) {
                h->dsent--;
            } else {
                h->pcur--;
            }
            ring_push(sh, hr);
            *blocked_local = true;
            return 0;
        }
        sh->tokens -= 1.0;
        {
            /* the host's own bucket: at most 20 ms worth of catch-up, like
             * the global one, so the long-run per-host rate is exact */
            uint64_t base = sh->h[hr].next_ns;
            if (base + 20000000ull < now)
                base = now - 20000000ull;
            sh->h[hr].next_ns = base + sh->ph_ns;
        }
        if (host_has_work(sh, &sh->h[hr]))
            ring_push(sh, hr);
    }
    return 0;
}

/* Take the answers the raw socket holds (--syn). */
static int drain_raw(struct shard *sh)
{
    enum { N = 64 };
    struct az_raw_answer ans[N];
    for (;;) {
        int nread, n = az__raw_recv(&sh->raw, ans, N, &nread);
        if (n < 0)
            return n;
        for (int k = 0; k < n; k++) {
            uint32_t d, i;
            memcpy(&d, ans[k].addr, 4);
            if ((i = ans_find(sh, d, ans[k].port)) == NIL)
                continue; /* late or repeated: the probe has ended */
            int r = ans[k].open ? finish(sh, i, AZ_PORT_OPEN, AZ_REASON_SYN_ACK, false)
                                : finish(sh, i, AZ_PORT_CLOSED, AZ_REASON_CONN_REFUSED, false);
            if (r < 0)
                return r;
        }
        if (nread < N)
            return 0;
    }
}

static void publish(struct shard *sh)
{
    struct az_shard_pub *p = &sh->s->pub[sh->index];
    atomic_store_explicit(&p->done, sh->c.done, memory_order_relaxed);
    atomic_store_explicit(&p->sent, sh->c.sent, memory_order_relaxed);
    atomic_store_explicit(&p->up, sh->c.up, memory_order_relaxed);
    atomic_store_explicit(&p->open, sh->c.open, memory_order_relaxed);
    atomic_store_explicit(&p->inflight, sh->c.inflight, memory_order_relaxed);
    atomic_store_explicit(&p->local_retries, sh->c.local_retries, memory_order_relaxed);
    atomic_store_explicit(&p->retx, sh->c.retx, memory_order_relaxed);
    if (sh->syn) {
        atomic_store_explicit(&p->raw_sent, sh->raw.sent, memory_order_relaxed);
        atomic_store_explicit(&p->raw_dropped, sh->raw.dropped, memory_order_relaxed);
    }
}

/* Sum of the shards' published counters. */
void az__totals(struct az_scan *s, struct az_scan_progress *p, uint64_t *sent, uint64_t *retries)
{
    unsigned n = atomic_load(&s->nshards);
    *sent = *retries = 0;
    for (unsigned i = 0; i < n && i < 64; i++) {
        struct az_shard_pub *x = &s->pub[i];
        p->done += atomic_load_explicit(&x->done, memory_order_relaxed);
        p->inflight += atomic_load_explicit(&x->inflight, memory_order_relaxed);
        p->hosts_up += atomic_load_explicit(&x->up, memory_order_relaxed);
        p->open += atomic_load_explicit(&x->open, memory_order_relaxed);
        *sent += atomic_load_explicit(&x->sent, memory_order_relaxed);
        *retries += atomic_load_explicit(&x->local_retries, memory_order_relaxed);
    }
}

static void report(struct shard *sh, az_scan_progress_fn cb, void *ud, uint64_t *last_sent,
                   uint64_t *last_ns, uint64_t t0)
{
    struct az_scan *s = sh->s;
    struct az_scan_progress p;
    uint64_t now = az__mono_ns(), sent, retries;
    double dt = (double)(now - *last_ns) / 1e9;

    memset(&p, 0, sizeof(p));
    az__totals(s, &p, &sent, &retries);
    p.phase = AZ_PHASE_PORTS;
    p.total = s->planned;
    p.rate = dt > 0 ? (double)(sent - *last_sent) / dt : 0;
    double el = (double)(now - t0) / 1e9;
    p.eta_s = p.done > 0 && el > 0.5 ? el * (double)(p.total - p.done) / (double)p.done : -1;
    *last_sent = sent;
    *last_ns = now;
    cb(ud, &p);
}

int az_scan_run(struct az_scan *s, struct az_ctx *ctx, unsigned shard, unsigned nshards,
                az_scan_progress_fn progress, void *ud)
{
    struct shard sh;
    struct epoll_event evs[256];
    uint64_t t0 = az__mono_ns(), last_report = t0, last_sent = 0;
    int r = 0;

    if (nshards < 1 || nshards > 64 || shard >= nshards)
        return az_fail(ctx, AZ_EINVAL, "シャードの指定が不正です", "invalid shard");
    if (s->finished || s->imported)
        return az_fail(ctx, AZ_EINVAL, "スキャンは終了しています", "the scan has finished");
    {
        unsigned cur = atomic_load(&s->nshards);
        while (cur < nshards && !atomic_compare_exchange_weak(&s->nshards, &cur, nshards))
            ;
    }
    memset(&sh, 0, sizeof(sh));
    sh.s = s;
    sh.ep = -1;
    sh.raw.fd = sh.raw.resv = sh.raw.route = -1;
    sh.index = shard;
    for (size_t i = shard; i < s->naddrs; i += nshards)
        sh.nh++;
    sh.per_host = s->o.per_host;
    sh.ph_ns = s->o.rate && s->o.per_host_rate ? 1000000000ull / s->o.per_host_rate : 0;
    sh.nslots = s->o.max_inflight / nshards;
    if (sh.nslots < 1)
        sh.nslots = 1;
    sh.rate = s->o.rate ? (double)s->o.rate / nshards : 0;
    sh.burst = sh.rate > 0 ? (sh.rate / 50 > 1 ? sh.rate / 50 : 1) : 0;
    sh.tokens = 1.0;
    sh.last_ns = t0;
    sh.q[Q_PORT].timeout_ns = (uint64_t)s->o.timeout_ms * 1000000u;
    sh.q[Q_DISC].timeout_ns =
        sh.q[Q_PORT].timeout_ns < DISC_TIMEOUT_NS ? sh.q[Q_PORT].timeout_ns : DISC_TIMEOUT_NS;
    for (int k = 0; k < 2; k++)
        sh.q[k].head = sh.q[k].tail = NIL;
    while (sh.nretx < RETX_MAX && retx_at(sh.nretx) < sh.q[Q_PORT].timeout_ns)
        sh.retx[sh.nretx++] = NIL;
    {
        /* the first shard to start sets the start time */
        int64_t zero = 0;
        atomic_compare_exchange_strong(&s->t_start, &zero, az__now_us());
    }
    if (!sh.nh)
        return 0;
    if (s->o.syn && s->targets && s->targets->scope[0].n) {
        if ((r = az__raw_open(ctx, &sh.raw)) < 0)
            goto out;
        sh.syn = true;
        /* every answer in flight must fit in the receive queue (a queued
         * reset takes well under 1 KiB there): a lost answer would read
         * as a filtered port */
        uint32_t cap = (uint32_t)(sh.raw.rcvbuf / 1024);
        if (cap < 64)
            cap = 64;
        if (sh.nslots > cap)
            sh.nslots = cap;
        uint32_t nb = 64;
        while (nb < sh.nslots * 2)
            nb *= 2;
        sh.hmask = nb - 1;
        if (!(sh.hb = malloc(nb * sizeof(*sh.hb)))) {
            r = AZ_ENOMEM;
            goto out;
        }
        for (uint32_t i = 0; i < nb; i++)
            sh.hb[i] = NIL;
    }
    sh.h = calloc(sh.nh, sizeof(*sh.h));
    sh.ring = calloc(sh.nh, sizeof(*sh.ring));
    sh.slots = calloc(sh.nslots, sizeof(*sh.slots));
    sh.freel = calloc(sh.nslots, sizeof(*sh.freel));
    if (!sh.h || !sh.ring || !sh.slots || !sh.freel) {
        r = AZ_ENOMEM;
        goto out;
    }
    for (size_t i = shard, k = 0; i < s->naddrs; i += nshards, k++)
        sh.h[k].host = s->perm[i];
    for (uint32_t i = 0; i < sh.nslots; i++)
        sh.freel[i] = sh.nslots - 1 - i;
    sh.nfree = sh.nslots;
    sh.ep = epoll_create1(EPOLL_CLOEXEC);
    if (sh.ep < 0) {
        r = az_fail(ctx, AZ_EIO, "epoll を作れません: %s", "cannot create epoll: %s",
                    az_errno_text(ctx->lang, errno));
        goto out;
    }
    if (sh.syn) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = NIL};
        if (epoll_ctl(sh.ep, EPOLL_CTL_ADD, sh.raw.fd, &ev) < 0) {
            r = az_fail(ctx, AZ_EIO, "epoll_ctl: %s", "epoll_ctl: %s",
                        az_errno_text(ctx->lang, errno));
            goto out;
        }
    }
    for (;;) {
        bool bt, bl, bh;
        uint64_t now = az__mono_ns();
        refill(&sh, now);
        /* answers first (--syn: on loopback they are queued by the time
         * the send returns), so the work they release is launched now */
        if ((sh.syn && (r = drain_raw(&sh)) < 0) || (r = charge_retx(&sh, now)) < 0 ||
            (r = fill(&sh, &bt, &bl, &bh)) < 0) {
            if (r == AZ_EINVAL && sh.refused[0])
                az_fail(ctx, r, "範囲外への送信を拒否したため中止します: %s",
                        "stopped: a send outside the scope was refused: %s", sh.refused);
            else
                az_fail(ctx, r, "スキャンを続けられません: %s", "cannot continue the scan: %s",
                        az_errno_text(ctx->lang, errno));
            goto out;
        }
        if (sh.nfree == sh.nslots && !sh.rqlen && !bt && !bl && !bh)
            break; /* nothing in flight and nothing left to launch */
        /* wait for: an event, the oldest probe's deadline, a token, a report */
        uint64_t wait = 100000000u;
        for (int k = 0; k < 2; k++)
            if (sh.q[k].head != NIL) {
                uint64_t dl = sh.slots[sh.q[k].head].t0 + sh.q[k].timeout_ns;
                uint64_t w = dl > now ? dl - now : 0;
                if (w < wait)
                    wait = w;
            }
        if (bt && sh.rate > 0) {
            /* sleep until a millisecond's worth of tokens is there (at least
             * one): short sleeps cost more than they wait (timer slack), and
             * the bucket keeps the long-run rate exact either way */
            double want = sh.rate / 1000.0;
            if (want < 1.0)
                want = 1.0;
            if (want > sh.burst)
                want = sh.burst;
            uint64_t w = (uint64_t)((want - sh.tokens) * 1e9 / sh.rate) + 1;
            if (w < wait)
                wait = w;
        }
        if (bl && wait > 1000000u)
            wait = 1000000u;
        if (bh && sh.wake_ns != UINT64_MAX) {
            uint64_t w = sh.wake_ns > now ? sh.wake_ns - now : 0;
            if (w < wait)
                wait = w;
        }
        if (progress && shard == 0) {
            uint64_t nr = last_report + 100000000u;
            uint64_t w = nr > now ? nr - now : 0;
            if (w < wait)
                wait = w;
        }
        struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
        int n = epoll_pwait2(sh.ep, evs, 256, &ts, NULL);
        if (n < 0 && errno != EINTR) {
            r = az_fail(ctx, AZ_EIO, "epoll_wait: %s", "epoll_wait: %s",
                        az_errno_text(ctx->lang, errno));
            goto out;
        }
        for (int k = 0; k < n; k++)
            if ((r = evs[k].data.u32 == NIL ? drain_raw(&sh) : complete_fd(&sh, evs[k].data.u32)) <
                0)
                goto out;
        now = az__mono_ns();
        for (int k = 0; k < 2; k++)
            while (sh.q[k].head != NIL && sh.slots[sh.q[k].head].t0 + sh.q[k].timeout_ns <= now)
                if ((r = finish(&sh, sh.q[k].head, AZ_PORT_FILTERED, AZ_REASON_NO_RESPONSE, true)) <
                    0)
                    goto out;
        publish(&sh);
        if (progress && shard == 0 && now - last_report >= 100000000u)
            report(&sh, progress, ud, &last_sent, &last_report, t0);
    }
    publish(&sh);
    if (progress && shard == 0)
        report(&sh, progress, ud, &last_sent, &last_report, t0);
    /* hand the open ports over */
    while (atomic_flag_test_and_set_explicit(&s->opens_lock, memory_order_acquire))
        ;
    if (s->nopens + sh.nopens > s->capopens) {
        size_t cap = s->nopens + sh.nopens;
        struct az_open *v = realloc(s->opens, (cap ? cap : 1) * sizeof(*v));
        if (!v) {
            atomic_flag_clear_explicit(&s->opens_lock, memory_order_release);
            r = AZ_ENOMEM;
            goto out;
        }
        s->opens = v;
        s->capopens = cap;
    }
    if (sh.nopens)
        memcpy(s->opens + s->nopens, sh.opens, sh.nopens * sizeof(*sh.opens));
    s->nopens += sh.nopens;
    atomic_flag_clear_explicit(&s->opens_lock, memory_order_release);
out:
    if (sh.slots)
        for (int k = 0; k < 2; k++)
            for (uint32_t i = sh.q[k].head; i != NIL; i = sh.slots[i].next)
                if (!sh.slots[i].raw)
                    close(sh.slots[i].fd);
    if (sh.syn)
        publish(&sh);
    az__raw_close(&sh.raw);
    free(sh.hb);
    if (sh.ep >= 0)
        close(sh.ep);
    free(sh.h);
    free(sh.ring);
    free(sh.slots);
    free(sh.freel);
    free(sh.rq);
    free(sh.opens);
    free(sh.arp.v);
    return r;
}
