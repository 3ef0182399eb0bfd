/* SPDX-License-Identifier: MIT */
/*
 * scan.h - the network check (anzen scan): a TCP connect scanner for the
 * hospital LAN, safe service identification on the open ports, and the
 * findings those produce (docs/scan.md).
 *
 * The engine is one epoll loop per shard: non-blocking connect(), its own
 * per-probe timeout, SO_LINGER{1,0} (a reset instead of TIME_WAIT), a
 * randomised order of hosts and ports, live-host discovery before the
 * port phase, and three caps that are always in force: new connections
 * per second (global), connections in flight (global) and connections per
 * host. The defaults (AZ_SCAN_DEFAULT_*) are deliberately gentle, for
 * fragile embedded stacks in medical devices.
 * With opts.syn (anzen scan --syn, root or CAP_NET_RAW) IPv4 probes are
 * raw half-open SYNs instead (lib/scan/raw.h), under the same caps.
 *
 * Nothing is probed without an explicit scope: an az_targets set with at
 * least one address after exclusions. Service probes only read or make
 * requests a client would make before logging in (TLS handshakes, HTTP GET
 * of a login page, DICOM association then release, SSLRequest, ...); no
 * probe writes, creates records or sends an HL7 message.
 *
 * Threads: the library owns none. A scan may be split into shards
 * (az_scan_run with shard/nshards); each shard may run in its own thread,
 * started by the caller, and the caps are divided between the shards.
 * Everything else is single-threaded.
 *
 * Ownership follows anzen.h: az_targets_new / az_scan_new / az_scan_import_*
 * return owned objects; results and strings live as long as the scan.
 */
#ifndef ANZEN_SCAN_H
#define ANZEN_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "anzen.h"

/* Conservative defaults (docs/scan.md explains each number). */
#define AZ_SCAN_DEFAULT_RATE     800 /* SYNs per second, all hosts (resends count) */
#define AZ_SCAN_DEFAULT_INFLIGHT 920 /* open at once, all hosts (>= 901, what 800/s needs) */
#define AZ_SCAN_DEFAULT_PER_HOST 4   /* connections open at once, one host */
/* a discovery probe ends before the kernel's first SYN resend (1 s) */
#define AZ_SCAN_DISC_TIMEOUT_MS       950
#define AZ_SCAN_DEFAULT_PER_HOST_RATE 200   /* new connections per second, one host */
#define AZ_SCAN_DEFAULT_TIMEOUT_MS    1500  /* connect timeout (LAN) */
#define AZ_SCAN_DEFAULT_SVC_TIMEOUT   3000  /* one service-probe exchange */
#define AZ_SCAN_DEFAULT_ASSOC_TIMEOUT 20000 /* a DICOM association (slow PACS) */

/* Limits on what a user may ask for. */
#define AZ_SCAN_MAX_ADDRS    (1u << 20) /* addresses after exclusions (a /12) */
#define AZ_SCAN_MAX_PROBES   (1u << 25) /* addresses x ports */
#define AZ_SCAN_MAX_SPECS    65536      /* target/exclude lines */
#define AZ_SCAN_MAX_DISC     64         /* discovery ports */
#define AZ_SCAN_EVIDENCE_MAX 512        /* received bytes kept per exchange */

/* ---- targets ---- */

struct az_targets;

int az_targets_new(struct az_targets **ret);
void az_targets_free(struct az_targets *t);
/*
 * Add a target (exclude false) or an exclusion: an IPv4 or IPv6 address,
 * a CIDR range (10.1.0.0/16, fd00::/120), a range (10.0.0.1-10.0.0.40 or
 * 10.0.0.1-40). where names the place for error messages ("argument 2",
 * "targets.txt:3"). Host names are refused (the scope must be exact).
 */
int az_targets_add(struct az_ctx *ctx, struct az_targets *t, const char *spec, bool exclude,
                   const char *where);
/* Add every line of a file (blank lines and # comments ignored). */
int az_targets_add_file(struct az_ctx *ctx, struct az_targets *t, const char *path, bool exclude);
/* Addresses in scope after exclusions (saturates at UINT64_MAX). */
uint64_t az_targets_count(const struct az_targets *t);
/* True when the scope (after exclusions) holds an IPv6 address. */
bool az_targets_has_ipv6(const struct az_targets *t);
/* True if the address (AF_INET / AF_INET6, network order) is in scope. */
bool az_targets_contains(const struct az_targets *t, int family, const void *addr);

/* What kind of address this is. A scan touches private (RFC 1918),
 * loopback and unique-local (fc00::/7) addresses as given; every other
 * class needs opts.allow_public (docs/scan.md). IPv4 written as IPv6
 * (::ffff:a.b.c.d) is classed as the IPv4 address. */
enum az_addr_class {
    AZ_ADDR_PRIVATE = 0,
    AZ_ADDR_LOOPBACK,
    AZ_ADDR_ULA,
    AZ_ADDR_PUBLIC,
    AZ_ADDR_MULTICAST,
    AZ_ADDR_BROADCAST,
    AZ_ADDR_UNSPECIFIED,
    AZ_ADDR_LINK_LOCAL,
    AZ_ADDR_RESERVED,
};
enum az_addr_class az_addr_class(int family, const void *addr);
/* Fails naming the first address of the scope that is not private,
 * loopback or ULA (with its class), unless allow_public. */
int az_targets_check_public(struct az_ctx *ctx, const struct az_targets *t, bool allow_public);

/* Parse a port list "22,80,443,8000-8100" (sorted, duplicates removed). */
int az_ports_parse(struct az_ctx *ctx, const char *spec, uint16_t **ret, size_t *ret_n);

/* ---- scan data (data/scan/ports.yaml, fingerprints.yaml; embedded) ---- */

struct az_scan_data;
/* Load the embedded port lists and fingerprints, or the YAML files of dir
 * (ports.yaml, fingerprints.yaml) when dir is non-NULL. */
int az_scan_data_load(struct az_ctx *ctx, const char *dir, struct az_scan_data **ret);
void az_scan_data_free(struct az_scan_data *d);
/* The default port list and the discovery ports. */
const uint16_t *az_scan_data_ports(const struct az_scan_data *d, size_t *ret_n);
const uint16_t *az_scan_data_discovery(const struct az_scan_data *d, size_t *ret_n);
/* Version of the data files ("2025-11-24"). */
const char *az_scan_data_version(const struct az_scan_data *d);

/* ---- results ---- */

enum az_port_state {
    AZ_PORT_UNKNOWN = 0,
    AZ_PORT_OPEN,
    AZ_PORT_CLOSED,
    AZ_PORT_FILTERED,
};

/* Why a port got its state (the names follow nmap's reasons). */
enum az_port_reason {
    AZ_REASON_NONE = 0,
    AZ_REASON_SYN_ACK,      /* connect succeeded */
    AZ_REASON_CONN_REFUSED, /* RST */
    AZ_REASON_NO_RESPONSE,  /* our timeout */
    AZ_REASON_HOST_UNREACH,
    AZ_REASON_NET_UNREACH,
    AZ_REASON_ADMIN_PROHIBITED,
    AZ_REASON_SELF_CONNECT, /* the kernel connected the socket to itself: no listener */
    AZ_REASON_IMPORTED,     /* from an nmap XML file */
    AZ_REASON_ARP,          /* silent on TCP, but answered ARP on a directly attached segment */
};

enum az_tri {
    AZ_UNKNOWN = -1,
    AZ_NO = 0,
    AZ_YES = 1,
};

/* Raw evidence of one exchange: what was sent and the first bytes
 * received, with wall-clock times, so a finding can be reproduced. */
struct az_scan_evidence {
    char probe[64];      /* name of the probe ("tls", "http-get /", "ssh-banner") */
    bool tls;            /* the exchange ran inside TLS */
    size_t sent;         /* bytes sent */
    unsigned char *data; /* first received bytes (at most AZ_SCAN_EVIDENCE_MAX) */
    size_t len;          /* bytes kept */
    size_t total;        /* bytes received */
    char end[16];        /* how it ended: complete, eof, reset, timeout, tls-failed */
    int64_t start_us;    /* µs since the epoch */
    int64_t end_us;
};

struct az_tls_info {
    bool done;        /* a handshake succeeded */
    char version[16]; /* negotiated, e.g. "TLSv1.3" */
    char cipher[64];
    enum az_tri tls10; /* TLS 1.0 still accepted */
    enum az_tri tls11; /* TLS 1.1 still accepted */
    char subject[256]; /* RFC 2253 */
    char issuer[256];
    char not_before[24]; /* ISO 8601 UTC */
    char not_after[24];
    int64_t not_after_epoch; /* seconds */
    bool self_signed;
    char sha256[65]; /* certificate fingerprint */
};

struct az_http_info {
    int status; /* 0 when no HTTP answer */
    char server[128];
    char title[256];
    char location[256];
};

/* A remote-access appliance recognised by the fingerprint data. */
struct az_appliance {
    char family[40];     /* KEV family: fortinet-fortios, ivanti-connect-secure, ... */
    char product[64];    /* display name */
    char version[40];    /* when the appliance reveals it, else "" */
    char build_date[16]; /* YYYY-MM-DD when a build time was seen, else "" */
    char how[160];       /* what identified it (path, header, certificate) */
    char confidence[12]; /* exact, build-date, family */
};

struct az_service {
    char name[32]; /* ssh, http, tls, dicom, hl7-mllp, postgresql, mysql, ms-sql, ... */
    char product[64];
    char version[64];
    char info[128];
    int conf;    /* 0-10 as nmap: 10 probed and matched, 3 port table guess */
    bool probed; /* identified by a probe (not by the port number) */
    bool tls;    /* the service itself is spoken inside TLS */
    struct az_tls_info tlsi;
    struct az_http_info http;
    bool has_appliance;
    struct az_appliance app;
    /* protocol facts (AZ_UNKNOWN when not tested) */
    enum az_tri plaintext;   /* the protocol answered without TLS */
    enum az_tri tls_offered; /* TLS available (PG SSLRequest, MySQL CLIENT_SSL, TDS, FTP AUTH) */
    enum az_tri smb1;        /* SMBv1 negotiation accepted */
    enum az_tri nla;         /* RDP requires network level authentication */
    enum az_tri no_auth;     /* VNC offers security type None; DICOM accepts any AE */
    int mssql_encrypt;       /* TDS ENCRYPTION option, -1 if unknown */
    int dicom_result;        /* 2 A-ASSOCIATE-AC, 3 -RJ, 7 abort, 0 unknown */
    /* the name is the port table's, not proven: the peer accepted the
     * connection but did not answer the protocol's handshake in time
     * (a slow DICOM peer, a silent MLLP listener); a "not confirmed"
     * finding says what to check, never a gap */
    bool unconfirmed;
    struct az_scan_evidence *ev;
    size_t nev;
};

struct az_scan_port {
    uint16_t port;
    enum az_port_state state;
    enum az_port_reason reason;
    uint32_t rtt_us;
    struct az_service *svc; /* NULL until identified (open ports only) */
};

struct az_scan_host {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    char text[46];
    bool up;
    enum az_port_reason up_reason;
    uint32_t nclosed, nfiltered;
    struct az_scan_port *ports; /* open ports, ascending */
    size_t nports;
    const char *segment; /* ledger segment of this address, if known */
};

struct az_scan_stats {
    uint64_t addresses, probes_planned, probes_sent, hosts_up, open, closed, filtered;
    uint64_t retries_local; /* local resource shortages retried (ports, fds) */
    uint64_t syn_resent;    /* SYNs the kernel resent for unanswered probes (each
                               one counted against --rate); with opts.syn, the
                               scanner's own resends at the same times */
    uint64_t raw_sent;      /* opts.syn: raw SYNs that left (first tries and resends) */
    uint64_t raw_dropped;   /* opts.syn: answers the raw socket's queue lost */
    int64_t start_us, end_us;
};

/* ---- options and running ---- */

struct az_scan_opts {
    unsigned rate;          /* new connections per second (0 = no cap: only for tests on lo) */
    unsigned max_inflight;  /* global cap, >= 1 */
    unsigned per_host;      /* per-host cap, >= 1 */
    unsigned per_host_rate; /* new connections per second to one host (0 = none;
                               none either when rate is 0) */
    unsigned timeout_ms;    /* connect timeout */
    unsigned retries;       /* extra tries of a timed-out probe */
    bool discovery;         /* discover live hosts first */
    bool service;           /* identify services on open ports */
    unsigned svc_timeout_ms;
    unsigned assoc_timeout_ms; /* a DICOM association exchange (>= svc_timeout_ms) */
    unsigned svc_inflight;     /* service connections at once */
    uint64_t seed;             /* order randomisation (0 = from the clock) */
    const char *from;          /* vantage segment label, or NULL */
    bool allow_public;         /* scope may hold public, multicast, link-local... */
    bool arp;                  /* a host silent on its discovery ports is live when it answered
                                  the ARP its SYNs caused (default on) */
    /* discovery ports given by the user (borrowed; NULL: the data's
     * discovery list where it meets the scan's ports, else the first of
     * the scan's ports): no other port is ever touched */
    const uint16_t *disc_ports;
    size_t ndisc_ports;
    /* half-open probes (anzen scan --syn, needs CAP_NET_RAW): IPv4
     * targets get a raw SYN, a SYN-ACK is open (the kernel resets it),
     * a reset closed; IPv6 targets keep connect probes. Same caps. */
    bool syn;
};

void az_scan_opts_default(struct az_scan_opts *o);
/* Connections in flight needed to hold rate SYNs/s when no address
 * answers: each probe stays timeout_ms, and the kernel's resends within
 * it count against the rate too (0 when rate is 0). */
unsigned az_scan_inflight_for_rate(unsigned rate, unsigned timeout_ms);

enum az_scan_phase {
    AZ_PHASE_DISCOVERY = 0, /* discovery and ports run interleaved; see docs */
    AZ_PHASE_PORTS,
    AZ_PHASE_SERVICES,
};

struct az_scan_progress {
    enum az_scan_phase phase;
    uint64_t done, total; /* probes (or services) finished / planned */
    uint64_t inflight;
    double rate;  /* new connections per second over the last interval */
    double eta_s; /* estimate, < 0 if unknown */
    uint64_t hosts_up, open;
};
/* Called about 10 times a second from shard 0 (never concurrently). */
typedef void (*az_scan_progress_fn)(void *ud, const struct az_scan_progress *p);

struct az_scan;

/* A scan of targets x ports. The targets and data are borrowed and must
 * outlive the scan. Fails when the scope is empty or too large. */
int az_scan_new(struct az_ctx *ctx, const struct az_targets *t, const uint16_t *ports,
                size_t nports, const struct az_scan_opts *o, const struct az_scan_data *d,
                struct az_scan **ret);
void az_scan_free(struct az_scan *s);

/*
 * Run the connect phase of one shard (shard < nshards; each shard takes
 * the hosts whose position in the random order is shard mod nshards).
 * Shards may run concurrently in different threads; each has its own
 * epoll and caps divided by nshards. progress may be NULL.
 */
int az_scan_run(struct az_scan *s, struct az_ctx *ctx, unsigned shard, unsigned nshards,
                az_scan_progress_fn progress, void *ud);
/* After every shard has run: collect the results, then (if opts.service)
 * identify the services on the open ports. Single-threaded. The
 * per-probe state is freed once the hosts are built, so az_scan_run
 * after this fails (AZ_EINVAL). */
int az_scan_finish(struct az_scan *s, struct az_ctx *ctx, az_scan_progress_fn progress, void *ud);

/*
 * Ask a running scan to stop, from any thread or a signal handler (it
 * only stores an atomic int): no new probe or service exchange starts,
 * those in flight end within their own timeout, and az_scan_run /
 * az_scan_finish return normally with what was found so far. why is the
 * signal number that asked (or 0). The result is then marked incomplete
 * (az_scan_complete, "complete": false in the JSON).
 */
void az_scan_stop(struct az_scan *s, int why);
/* False when az_scan_stop left work undone. */
bool az_scan_complete(const struct az_scan *s);
/* The signal number given to az_scan_stop, 0 if none. */
int az_scan_stopped_by(const struct az_scan *s);

/* Dry run: what would be probed, as JSON {schema: anzen-scan-plan/1,
 * addresses, ports, probes, ranges[], settings, worst_case_s}. */
json_t *az_scan_plan_json(const struct az_scan *s);

/* The i-th address the scan visits (in address order, i < count of the
 * scope): false when i is beyond. For tests: the enumerator is what
 * probes are sent to. */
bool az_scan_address(const struct az_scan *s, uint64_t i, int *family, unsigned char addr[16]);

/* Results (valid after az_scan_finish). Hosts in address order; only up
 * hosts are listed. */
const struct az_scan_host *az_scan_hosts(const struct az_scan *s, size_t *ret_n);
const struct az_scan_stats *az_scan_stats(const struct az_scan *s);
const struct az_scan_opts *az_scan_options(const struct az_scan *s);
const char *az_scan_source(const struct az_scan *s); /* "anzen" or "nmap-xml" */
const char *az_scan_from(const struct az_scan *s);   /* vantage segment or NULL */

/* The results as JSON (schema anzen-scan/1, docs/scan.md). */
json_t *az_scan_to_json(const struct az_scan *s);
/*
 * The same document as json_dumps(az_scan_to_json(s), JSON_INDENT(2))
 * followed by "\n", byte for byte, written through write(buf, len, arg)
 * in pieces, one host at a time, so that a scan of many hosts is never
 * held in memory as one JSON tree or string. write returns 0, or non-zero
 * to stop (it reports its own error). Returns 0, -1 after a failed write,
 * or AZ_ENOMEM (set in ctx).
 */
int az_scan_write_json(struct az_ctx *ctx, const struct az_scan *s,
                       int (*write)(const char *buf, size_t len, void *arg), void *arg);

/* ---- findings ---- */

struct az_ledger;
struct az_kev;
/*
 * Turn finished results into findings (docs/scan.md): rules over the
 * services, the ledger (l may be NULL: no ledger rules) and the vantage
 * segment; with kev (may be NULL) an appliance's version is matched
 * against the known-exploited list (kev.h), naming the catalog date.
 * Tags each host with its ledger segment. now_s is the reference
 * time for certificate expiry. *ret is a new JSON object
 * {schema: anzen-scan-findings/1, gaps, attention, findings[],
 * reachability[]}; the findings are also kept in the scan and appear in
 * az_scan_to_json. Each finding has rule, level (gap | attention), host,
 * port, asset, items[], ja, en and evidence.
 */
int az_scan_check(struct az_ctx *ctx, struct az_scan *s, const struct az_ledger *l,
                  const struct az_kev *kev, int64_t now_s, json_t **ret);

/* ---- nmap XML import ---- */

/* Read an nmap -oX file (len bytes named name) into a finished scan with
 * the same result structure: services as nmap named them, facts from the
 * NSE scripts anzen understands, appliances from CPEs, certificates and
 * Server headers (d, may be NULL). nmap keeps no raw bytes, so evidence
 * entries hold the script output. from is the vantage segment or NULL.
 * Errors name file:line:col. */
int az_scan_import_nmap(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                        const char *from, const struct az_scan_data *d, struct az_scan **ret);

/* ---- service identification, exposed for tests and fuzzing ---- */

/* Each parser reads bytes a peer sent and fills svc; they never read past
 * len and accept any bytes. Return 1 when the bytes are (complete) proof
 * of the protocol, 0 when more bytes are needed or they do not match. */
int az_parse_http(const unsigned char *p, size_t len, struct az_http_info *h);
int az_parse_ssh(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_ftp(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_ftp_feat(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_telnet(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_smb(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_rdp(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_vnc_version(const unsigned char *p, size_t len, int *ret_minor);
int az_parse_vnc_security(const unsigned char *p, size_t len, int minor, struct az_service *svc);
int az_parse_dicom(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_pg(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_mysql(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_tds(const unsigned char *p, size_t len, struct az_service *svc);
int az_parse_mllp(const unsigned char *p, size_t len, struct az_service *svc);
/* The DICOM A-ASSOCIATE-RQ anzen sends (Verification SOP class). */
size_t az_dicom_assoc_rq(unsigned char *buf, size_t n, const char *called, const char *calling);

/* Match HTTP and TLS facts against the fingerprint data: fills
 * svc->app when an appliance is recognised. headers/body are the raw
 * response of path. */
void az_scan_fingerprint_http(const struct az_scan_data *d, const char *path,
                              const unsigned char *resp, size_t len, struct az_service *svc);
void az_scan_fingerprint_tls(const struct az_scan_data *d, struct az_service *svc);
/* The HTTP paths the fingerprints ask for (after "/"). */
size_t az_scan_data_paths(const struct az_scan_data *d, const char *const **ret);

/* A TCP segment as the raw socket of --syn reads it (IPv4 header first). */
struct az_syn_reply {
    unsigned char src[4], dst[4];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags; /* 0x02 SYN, 0x04 RST, 0x10 ACK */
};
/* 1 when p (len bytes) holds an IPv4 header and a whole TCP header of a
 * segment that is not a fragment, within the IP total length; 0 else. */
int az_syn_reply_parse(const unsigned char *p, size_t len, struct az_syn_reply *out);
/* 0 when this process may send raw SYNs (opts.syn), else fails with a
 * message naming the privilege (root or CAP_NET_RAW). */
int az_scan_syn_check(struct az_ctx *ctx);

/* Release what a service holds (evidence); svc itself is not freed. */
void az_service_clear(struct az_service *svc);

#endif
