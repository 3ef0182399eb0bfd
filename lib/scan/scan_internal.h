/* SPDX-License-Identifier: MIT */
/*
 * scan_internal.h - shared inside lib/scan only: the scope intervals, the
 * scan object, the fingerprint data and the service engine.
 */
#ifndef ANZEN_SCAN_INTERNAL_H
#define ANZEN_SCAN_INTERNAL_H

#include <regex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "anzen/scan.h"

typedef unsigned __int128 u128;

struct az_range {
    u128 lo, hi;
};

struct az_rangeset {
    struct az_range *v;
    size_t n, cap;
};

/* [0] IPv4, [1] IPv6 */
struct az_targets {
    struct az_rangeset inc[2], exc[2], scope[2];
    bool dirty;
    char **specs; /* "+spec" / "-spec", in the order given */
    size_t nspecs;
};

u128 az__addr_to_u128(int family, const void *addr);
void az__u128_to_addr(int family, u128 v, unsigned char *out);
/* Recompute the scope intervals if targets changed. */
int az__targets_scope(struct az_targets *t);

/* ---- fingerprint data ---- */

struct az_fp_rule {
    const char *path; /* HTTP path, or NULL for a certificate-only rule */
    int status;       /* required status, 0 = any */
    bool has_header, has_body, has_subject, has_issuer;
    regex_t header, body, subject, issuer;
    /* certificate patterns are matched per distinguished-name field:
     * "OU=FortiGate" is attribute OU whose whole value matches
     * FortiGate; a pattern without "ATTR=" searches each value alone */
    char subject_attr[16], issuer_attr[16];
};

/* Does a certificate name (RFC 2253 text) have a field matching re
 * (attribute attr, whole value; or any value when attr is "")? */
bool az__dn_match(const char *dn, const char *attr, const regex_t *re);

enum az_fp_version_kind {
    AZ_FPV_ETAG_EPOCH, /* last 8 hex digits of the ETag = build time */
    AZ_FPV_GZIP_MTIME, /* gzip header MTIME of the body = build time */
    AZ_FPV_REGEX,      /* first capture group of a regex over the body or headers */
};

struct az_fp_version {
    const char *path;
    enum az_fp_version_kind kind;
    bool in_headers;
    bool has_re;
    regex_t re;
};

struct az_fp_appliance {
    const char *id, *family, *product;
    struct az_fp_rule *rules;
    size_t nrules;
    struct az_fp_version *versions;
    size_t nversions;
};

/* A banner or Server-header pattern: service, product, version group. */
struct az_fp_banner {
    const char *service; /* ssh, ftp, telnet, http-server */
    regex_t re;
    const char *product;
    int version_group;  /* 0 = none */
    const char *family; /* appliance family, or NULL */
};

struct az_scan_data {
    void *docs[2];
    const char *version;
    uint16_t *ports, *discovery, *never;
    size_t nports, ndiscovery, nnever;
    struct {
        uint16_t port;
        const char *name;
    } * names;
    size_t nnames;
    struct az_fp_appliance *apps;
    size_t napps;
    struct az_fp_banner *banners;
    size_t nbanners;
    const char **paths; /* distinct HTTP paths of the match rules, "/" first */
    size_t npaths;
};

/* The service name the port table gives a port, or NULL. */
const char *az__port_name(const struct az_scan_data *d, uint16_t port);
bool az__never_probe(const struct az_scan_data *d, uint16_t port);
/* Apply banner patterns for service ("ssh", "ftp", "http-server"...). */
void az__match_banner(const struct az_scan_data *d, const char *service, const char *text,
                      struct az_service *svc);

/* ---- the scan ---- */

struct az_scan {
    struct az_scan_opts o;
    const struct az_scan_data *data;
    const struct az_targets *targets;
    char source[16];
    char *from;
    /* the scope: host i is the i-th address of these ranges, IPv4 first */
    struct az_range *ranges;
    uint8_t *rfam;   /* AF_INET / AF_INET6 per range */
    uint64_t *rbase; /* index of each range's first address */
    size_t nranges;
    size_t naddrs;
    uint32_t *perm; /* random visiting order of hosts */
    /* results (after az_scan_finish): up hosts in address order */
    struct az_scan_host *hosts;
    size_t nhosts;
    /* open ports found by the shards: host index, port index, rtt */
    struct az_open {
        uint32_t host;
        uint16_t pidx;
        uint32_t rtt_us;
    } * opens;
    size_t nopens, capopens;
    atomic_flag opens_lock;
    uint16_t *ports;
    size_t nports;
    uint16_t *portperm; /* random order of port indexes */
    uint16_t *disc;     /* discovery ports */
    size_t ndisc;
    int16_t *disc_idx; /* index of each discovery port in ports, or -1 */
    uint8_t *pstate;   /* naddrs x nports: state | reason << 3 */
    uint8_t *hup;      /* per host: 0 unknown, 1 up, 2 down; reason << 2 */
    uint8_t *port_ok;  /* bitmap of the ports probes may go to: ports and discovery ports */
    /* progress, shared by the shards */
    /* progress: each shard publishes its own counters in its own cache
     * line (no shared counter is written per probe) */
    struct az_shard_pub {
        _Atomic uint64_t done, sent, up, open, inflight, local_retries, retx;
        _Atomic uint64_t raw_sent, raw_dropped; /* --syn */
    } __attribute__((aligned(64))) pub[64];
    _Atomic unsigned nshards;
    _Atomic int64_t t_start; /* µs, set by the first shard to run */
    uint64_t planned;
    struct az_scan_stats stats;
    bool finished;
    /* az_scan_stop: the signal (or -1) that asked the scan to stop; set
     * from a signal handler, so a lock-free atomic */
    _Atomic int stop;
    bool incomplete; /* work was left undone because of stop */
    /* imported results keep their own host array */
    bool imported;
    json_t *findings; /* after az_scan_check */
};

/* A probe's state in pstate: an az_port_state in the low bits, or
 * ST_INFLIGHT while a probe is out. */
#define ST_UNKNOWN  0
#define ST_INFLIGHT 4
#define ST_MASK     7

/* engine.c: the address of host index i; the shards' published counters
 * summed. */
void az__host_addr(const struct az_scan *s, uint64_t i, int *fam, unsigned char *out);
void az__totals(struct az_scan *s, struct az_scan_progress *p, uint64_t *sent, uint64_t *retries);

/* The service phase (service.c): identify s->hosts[*].ports. */
int az__scan_services(struct az_scan *s, struct az_ctx *ctx, az_scan_progress_fn progress,
                      void *ud);

int64_t az__now_us(void);
uint64_t az__mono_ns(void);

/* Escaped text of bytes for JSON evidence: printable ASCII kept, the rest
 * \xHH; caller frees. */
char *az__escape_bytes(const unsigned char *p, size_t n);
/* Copy a string into a fixed field, truncating. */
static inline void az__scpy(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (!n)
        return;
    if (l >= n)
        l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

/* Peer text into a fixed field as printable UTF-8 ('?' for the rest). */
void az__clean_text(char *dst, size_t n, const unsigned char *src, size_t len);
/* ISO 8601 UTC with milliseconds. */
void az__iso_us(int64_t us, char *buf, size_t n);

json_t *az__host_json(const struct az_scan_host *h);
const char *az__state_token(enum az_port_state s);
const char *az__reason_token(enum az_port_reason r);

#endif
