/* SPDX-License-Identifier: MIT */
/*
 * raw.h - the half-open (SYN) probe of `anzen scan --syn`, inside
 * lib/scan only (and the unit tests).
 *
 * One raw IPv4 TCP socket per shard sends the SYNs (IP_HDRINCL, the
 * source address the kernel's route gives) and receives the answers; a
 * classic BPF filter keeps only segments with ACK set addressed to the
 * shard's source port. That port is reserved by an ordinary TCP socket
 * bound to it and never listening: nothing else on this host can take
 * the port, and the kernel answers a peer's SYN-ACK with a reset, so no
 * half-open connection is left on the peer. A SYN's sequence number is
 * a keyed hash (SipHash) of the destination and port; an answer counts
 * only when it acknowledges exactly that number plus one.
 *
 * Every SYN leaves through az__raw_syn, and only after it has checked
 * the destination against the scan's scope (az_targets_contains: the
 * same normalised intervals the enumerator walks, exclusions applied)
 * and the port against the ports the user allowed.
 */
#ifndef ANZEN_SCAN_RAW_H
#define ANZEN_SCAN_RAW_H

#include <stdbool.h>
#include <stdint.h>

#include "anzen/scan.h"

struct az_scan;

struct az_raw {
    int fd;    /* raw IPv4 TCP socket: sends and receives */
    int resv;  /* TCP socket bound to sport, never listening */
    int route; /* UDP socket: connect() + getsockname() give the source */
    uint16_t sport;
    unsigned char key[16]; /* SipHash key of the sequence numbers */
    uint64_t sent;         /* SYNs that left (first tries and resends) */
    uint64_t refused;      /* sends the gate refused (never expected) */
    uint64_t dropped;      /* answers the receive queue lost (SO_RXQ_OVFL) */
    uint64_t bogus;        /* segments to our port that failed the checks */
    int rcvbuf;            /* bytes the receive queue holds */
};

/* Can this process open raw sockets? 0, or fails with a message that
 * names the privilege needed. */
int az__raw_check(struct az_ctx *ctx);
/* Open the sockets of one shard (r->fd < 0 after az__raw_close). */
int az__raw_open(struct az_ctx *ctx, struct az_raw *r);
void az__raw_close(struct az_raw *r);
/* The source address (network order) the kernel would use towards dst
 * (4 bytes, network order); 0, or -errno (no route). */
int az__raw_source(struct az_raw *r, const unsigned char dst[4], uint32_t *src);
/* The sequence number of a SYN to dst:dport from r->sport. */
uint32_t az__raw_cookie(const struct az_raw *r, const unsigned char dst[4], uint16_t dport);

/*
 * THE gate: send one SYN from src (network order) to dst:dport. Refuses
 * (AZ_EINVAL, r->refused counted, nothing sent) a destination outside
 * s's scope, of a class the scan may not touch (multicast, broadcast,
 * unspecified always; public without allow_public), or a port the user
 * did not allow. 0 sent; AZ_EIO when the kernel did not take it, with
 * *err = errno (EAGAIN/ENOBUFS: try again later; ENETUNREACH...: none).
 */
int az__raw_syn(struct az_raw *r, const struct az_scan *s, uint32_t src, const unsigned char dst[4],
                uint16_t dport, int *err);

/* A reply taken from the socket and checked against our cookie. */
struct az_raw_answer {
    unsigned char addr[4]; /* the peer */
    uint16_t port;         /* the peer's port */
    bool open;             /* SYN-ACK (else a reset) */
};
/* Read one batch of what is queued (non-blocking, at most max segments,
 * *nread of them read): the answers that passed every check, or AZ_EIO
 * on a socket error. Nothing left when *nread < max. */
int az__raw_recv(struct az_raw *r, struct az_raw_answer *out, int max, int *nread);

#endif
