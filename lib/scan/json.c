/* SPDX-License-Identifier: MIT */
/*
 * json.c - scan results and dry-run plans as JSON (schemas anzen-scan/1
 * and anzen-scan-plan/1, documented in docs/scan.md).
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scan_internal.h"

const char *az__state_token(enum az_port_state s)
{
    static const char *t[] = {"unknown", "open", "closed", "filtered"};
    return (unsigned)s < 4 ? t[s] : "unknown";
}

const char *az__reason_token(enum az_port_reason r)
{
    static const char *t[] = {"",
                              "syn-ack",
                              "conn-refused",
                              "no-response",
                              "host-unreach",
                              "net-unreach",
                              "admin-prohibited",
                              "self-connect",
                              "imported",
                              "arp-response"};
    return (unsigned)r < sizeof(t) / sizeof(t[0]) ? t[r] : "";
}

char *az__escape_bytes(const unsigned char *p, size_t n)
{
    char *o = malloc(n * 4 + 1), *w = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            *w++ = (char)c;
        } else if (c == '\\') {
            *w++ = '\\';
            *w++ = '\\';
        } else if (c == '\r') {
            *w++ = '\\';
            *w++ = 'r';
        } else if (c == '\n') {
            *w++ = '\\';
            *w++ = 'n';
        } else {
            static const char hx[] = "0123456789abcdef";
            *w++ = '\\';
            *w++ = 'x';
            *w++ = hx[c >> 4];
            *w++ = hx[c & 15];
        }
    }
    *w = '\0';
    return o;
}

void az__iso_us(int64_t us, char *buf, size_t n)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((us / 1000) % 1000));
}

static json_t *ports_json(const uint16_t *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(p[i]));
    return a;
}

static json_t *settings_json(const struct az_scan *s)
{
    json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:i, s:I}", "rate", (int)s->o.rate,
                          "max_inflight", (int)s->o.max_inflight, "per_host", (int)s->o.per_host,
                          "timeout_ms", (int)s->o.timeout_ms, "retries", (int)s->o.retries,
                          "discovery", s->o.discovery, "service", s->o.service,
                          "service_timeout_ms", (int)s->o.svc_timeout_ms, "seed",
                          (json_int_t)(s->o.seed & 0x7fffffffffffffffULL));
    json_object_set_new(o, "discovery_ports", ports_json(s->disc, s->ndisc));
    json_object_set_new(o, "allow_public", json_boolean(s->o.allow_public));
    json_object_set_new(o, "per_host_rate", json_integer(s->o.rate ? s->o.per_host_rate : 0));
    json_object_set_new(o, "association_timeout_ms", json_integer(s->o.assoc_timeout_ms));
    /* syn: raw half-open probes to IPv4 targets (IPv6 keeps connect) */
    json_object_set_new(o, "probe", json_string(s->o.syn ? "syn" : "connect"));
    json_object_set_new(o, "discovery_timeout_ms",
                        json_integer(s->o.timeout_ms < AZ_SCAN_DISC_TIMEOUT_MS
                                         ? s->o.timeout_ms
                                         : AZ_SCAN_DISC_TIMEOUT_MS));
    return o;
}

static json_t *tri(enum az_tri t)
{
    return t == AZ_UNKNOWN ? json_null() : json_boolean(t == AZ_YES);
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

static json_t *service_json(const struct az_service *sv)
{
    json_t *o = json_object(), *ev = json_array();

    json_object_set_new(o, "name", json_string(sv->name));
    set_str(o, "product", sv->product);
    set_str(o, "version", sv->version);
    set_str(o, "info", sv->info);
    json_object_set_new(o, "method", json_string(sv->probed ? "probed" : "table"));
    if (sv->unconfirmed)
        json_object_set_new(o, "confirmed", json_false());
    json_object_set_new(o, "conf", json_integer(sv->conf));
    json_object_set_new(o, "tunnel", sv->tls ? json_string("ssl") : json_null());
    if (sv->tlsi.done) {
        const struct az_tls_info *t = &sv->tlsi;
        json_t *tj = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:b, s:s}", "version",
                               t->version, "cipher", t->cipher, "tls1_0", tri(t->tls10), "tls1_1",
                               tri(t->tls11), "subject", t->subject, "issuer", t->issuer,
                               "not_before", t->not_before, "not_after", t->not_after,
                               "self_signed", t->self_signed, "sha256", t->sha256);
        json_object_set_new(o, "tls", tj);
    }
    if (sv->http.status) {
        json_t *hj = json_pack("{s:i}", "status", sv->http.status);
        set_str(hj, "server", sv->http.server);
        set_str(hj, "title", sv->http.title);
        set_str(hj, "location", sv->http.location);
        json_object_set_new(o, "http", hj);
    }
    if (sv->has_appliance) {
        const struct az_appliance *a = &sv->app;
        json_t *aj = json_pack("{s:s, s:s, s:s, s:s}", "family", a->family, "product", a->product,
                               "how", a->how, "confidence", a->confidence);
        set_str(aj, "version", a->version);
        set_str(aj, "build_date", a->build_date);
        json_object_set_new(o, "appliance", aj);
    }
    json_t *facts = json_object();
    if (sv->plaintext != AZ_UNKNOWN)
        json_object_set_new(facts, "plaintext", tri(sv->plaintext));
    if (sv->tls_offered != AZ_UNKNOWN)
        json_object_set_new(facts, "tls_offered", tri(sv->tls_offered));
    if (sv->smb1 != AZ_UNKNOWN)
        json_object_set_new(facts, "smb1", tri(sv->smb1));
    if (sv->nla != AZ_UNKNOWN)
        json_object_set_new(facts, "nla_required", tri(sv->nla));
    if (sv->no_auth != AZ_UNKNOWN)
        json_object_set_new(facts, "no_auth", tri(sv->no_auth));
    if (sv->mssql_encrypt >= 0)
        json_object_set_new(facts, "mssql_encrypt", json_integer(sv->mssql_encrypt));
    if (sv->dicom_result)
        json_object_set_new(facts, "dicom_pdu", json_integer(sv->dicom_result));
    json_object_set_new(o, "facts", facts);
    for (size_t i = 0; i < sv->nev; i++) {
        const struct az_scan_evidence *e = &sv->ev[i];
        char t0[32], t1[32];
        char *esc = az__escape_bytes(e->data, e->len);
        az__iso_us(e->start_us, t0, sizeof(t0));
        az__iso_us(e->end_us, t1, sizeof(t1));
        json_array_append_new(
            ev, json_pack("{s:s, s:b, s:I, s:s, s:I, s:b, s:s, s:s, s:s}", "probe", e->probe, "tls",
                          e->tls, "sent", (json_int_t)e->sent, "received", esc ? esc : "",
                          "received_len", (json_int_t)e->total, "truncated", e->total > e->len,
                          "end", e->end, "start", t0, "stop", t1));
        free(esc);
    }
    json_object_set_new(o, "evidence", ev);
    return o;
}

json_t *az__host_json(const struct az_scan_host *h)
{
    json_t *hj = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "address", h->text, "family",
                           h->family == AF_INET6 ? "ipv6" : "ipv4", "status", "up", "reason",
                           az__reason_token(h->up_reason), "closed", (json_int_t)h->nclosed,
                           "filtered", (json_int_t)h->nfiltered);
    json_t *pa = json_array();
    if (h->segment)
        json_object_set_new(hj, "segment", json_string(h->segment));
    for (size_t k = 0; k < h->nports; k++) {
        const struct az_scan_port *p = &h->ports[k];
        json_t *pj = json_pack("{s:i, s:s, s:s, s:s, s:I}", "port", p->port, "protocol", "tcp",
                               "state", az__state_token(p->state), "reason",
                               az__reason_token(p->reason), "rtt_us", (json_int_t)p->rtt_us);
        if (p->svc)
            json_object_set_new(pj, "service", service_json(p->svc));
        json_array_append_new(pa, pj);
    }
    json_object_set_new(hj, "ports", pa);
    return hj;
}

/* The document before "hosts": schema, scanner, times, scope, settings,
 * stats. */
static json_t *head_json(const struct az_scan *s)
{
    char t0[32], t1[32];
    json_t *o, *scope;

    az__iso_us(s->stats.start_us, t0, sizeof(t0));
    az__iso_us(s->stats.end_us, t1, sizeof(t1));
    o = json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:s, s:s, s:I}", "schema", "anzen-scan/1",
                  "scanner", "name", "anzen", "version", AZ_VERSION, "source", s->source, "from",
                  s->from ? json_string(s->from) : json_null(), "started", t0, "finished", t1,
                  "elapsed_ms", (json_int_t)((s->stats.end_us - s->stats.start_us) / 1000));
    /* a scan stopped by a signal keeps what it found, marked incomplete */
    json_object_set_new(o, "complete", json_boolean(!s->incomplete));
    if (s->incomplete) {
        int sig = az_scan_stopped_by(s);
        char buf[32];
        if (sig == SIGINT)
            snprintf(buf, sizeof(buf), "SIGINT");
        else if (sig == SIGTERM)
            snprintf(buf, sizeof(buf), "SIGTERM");
        else if (sig > 0)
            snprintf(buf, sizeof(buf), "signal %d", sig);
        else
            snprintf(buf, sizeof(buf), "stopped");
        json_object_set_new(o, "stopped_by", json_string(buf));
    }
    scope = json_object();
    if (s->targets) {
        json_t *inc = json_array(), *exc = json_array();
        for (size_t i = 0; i < s->targets->nspecs; i++)
            json_array_append_new(s->targets->specs[i][0] == '-' ? exc : inc,
                                  json_string(s->targets->specs[i] + 1));
        json_object_set_new(scope, "targets", inc);
        json_object_set_new(scope, "exclude", exc);
    }
    json_object_set_new(scope, "addresses", json_integer((json_int_t)s->stats.addresses));
    json_object_set_new(scope, "ports", ports_json(s->ports, s->nports));
    json_object_set_new(o, "scope", scope);
    if (!s->imported) {
        json_object_set_new(o, "settings", settings_json(s));
        if (s->data)
            json_object_set_new(o, "data_version", json_string(az_scan_data_version(s->data)));
    }
    json_object_set_new(o, "stats",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "probes_planned",
                                  (json_int_t)s->stats.probes_planned, "probes_sent",
                                  (json_int_t)s->stats.probes_sent, "hosts_up",
                                  (json_int_t)s->stats.hosts_up, "open", (json_int_t)s->stats.open,
                                  "closed", (json_int_t)s->stats.closed, "filtered",
                                  (json_int_t)s->stats.filtered));
    if (!s->imported)
        json_object_set_new(json_object_get(o, "stats"), "syn_resent",
                            json_integer((json_int_t)s->stats.syn_resent));
    if (!s->imported && s->o.syn) {
        json_object_set_new(json_object_get(o, "stats"), "raw_sent",
                            json_integer((json_int_t)s->stats.raw_sent));
        json_object_set_new(json_object_get(o, "stats"), "raw_dropped",
                            json_integer((json_int_t)s->stats.raw_dropped));
    }
    return o;
}

/* The members after "hosts" (the checks' findings), copied (copy) or
 * shared with s->findings; NULL when the scan was not checked. */
static json_t *tail_json(const struct az_scan *s, bool copy)
{
    json_t *o, *f = s->findings;
    if (!f)
        return NULL;
    o = json_object();
    json_object_set_new(o, "findings",
                        copy ? json_deep_copy(json_object_get(f, "findings"))
                             : json_incref(json_object_get(f, "findings")));
    json_object_set_new(o, "reachability",
                        copy ? json_deep_copy(json_object_get(f, "reachability"))
                             : json_incref(json_object_get(f, "reachability")));
    json_object_set_new(o, "gaps",
                        copy ? json_copy(json_object_get(f, "gaps"))
                             : json_incref(json_object_get(f, "gaps")));
    json_object_set_new(o, "kev_catalog",
                        copy ? json_copy(json_object_get(f, "kev_catalog"))
                             : json_incref(json_object_get(f, "kev_catalog")));
    return o;
}

json_t *az_scan_to_json(const struct az_scan *s)
{
    json_t *o = head_json(s), *hosts = json_array(), *tail = tail_json(s, true);
    const char *k;
    json_t *v;

    for (size_t i = 0; i < s->nhosts; i++)
        json_array_append_new(hosts, az__host_json(&s->hosts[i]));
    json_object_set_new(o, "hosts", hosts);
    json_object_foreach(tail, k, v) json_object_set(o, k, v);
    json_decref(tail);
    return o;
}

/* The streamed document: bytes go to out->write; after each newline of a
 * host dumped on its own, its depth in the whole document (4 spaces), so
 * the bytes are the whole document's. */
struct jw {
    int (*write)(const char *buf, size_t len, void *arg);
    void *arg;
    int indent;
    size_t skip; /* leading bytes to drop (the tail's "{") */
};

static int jw_cb(const char *buf, size_t len, void *data)
{
    struct jw *w = data;
    static const char sp[] = "        ";

    if (w->skip) {
        size_t k = len < w->skip ? len : w->skip;
        buf += k;
        len -= k;
        w->skip -= k;
    }
    while (len) {
        const char *nl = w->indent ? memchr(buf, '\n', len) : NULL;
        size_t n = nl ? (size_t)(nl - buf) + 1 : len;
        if (w->write(buf, n, w->arg))
            return -1;
        if (nl && w->write(sp, (size_t)w->indent, w->arg))
            return -1;
        buf += n;
        len -= n;
    }
    return 0;
}

static int jw_str(struct jw *w, const char *str)
{
    return w->write(str, strlen(str), w->arg) ? -1 : 0;
}

int az_scan_write_json(struct az_ctx *ctx, const struct az_scan *s,
                       int (*write)(const char *buf, size_t len, void *arg), void *arg)
{
    struct jw w = {write, arg, 0, 0};
    json_t *head = head_json(s), *tail;
    char *hs = head ? json_dumps(head, JSON_INDENT(2)) : NULL;
    size_t n = hs ? strlen(hs) : 0;
    int r;

    json_decref(head);
    /* the head without its closing "\n}", then the hosts one at a time */
    if (n < 2 || hs[n - 1] != '}' || hs[n - 2] != '\n') {
        free(hs);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    r = w.write(hs, n - 2, w.arg) ? -1 : jw_str(&w, ",\n  \"hosts\": [");
    free(hs);
    for (size_t i = 0; !r && i < s->nhosts; i++) {
        json_t *hj = az__host_json(&s->hosts[i]);
        if (!hj)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        if (!(r = jw_str(&w, i ? ",\n    " : "\n    "))) {
            w.indent = 4;
            r = json_dump_callback(hj, jw_cb, &w, JSON_INDENT(2));
            w.indent = 0;
        }
        json_decref(hj);
    }
    if (!r)
        r = jw_str(&w, s->nhosts ? "\n  ]" : "]");
    /* the members after hosts: the tail object's "{\n  ...\n}" without
     * its "{", after a comma */
    tail = r ? NULL : tail_json(s, false);
    if (!r && tail && json_object_size(tail)) {
        if (!(r = jw_str(&w, ","))) {
            w.skip = 1;
            r = json_dump_callback(tail, jw_cb, &w, JSON_INDENT(2));
        }
    } else if (!r) {
        r = jw_str(&w, "\n}");
    }
    json_decref(tail);
    if (!r)
        r = jw_str(&w, "\n");
    return r ? -1 : 0;
}

json_t *az_scan_plan_json(const struct az_scan *s)
{
    json_t *o, *ranges = json_array();
    double worst;

    for (size_t i = 0; i < s->nranges; i++) {
        unsigned char a[16], b[16];
        char x[64], y[64], buf[140];
        az__u128_to_addr(s->rfam[i], s->ranges[i].lo, a);
        az__u128_to_addr(s->rfam[i], s->ranges[i].hi, b);
        inet_ntop(s->rfam[i], a, x, sizeof(x));
        inet_ntop(s->rfam[i], b, y, sizeof(y));
        if (s->ranges[i].lo == s->ranges[i].hi)
            az__scpy(buf, sizeof(buf), x);
        else
            snprintf(buf, sizeof(buf), "%s-%s", x, y);
        json_array_append_new(ranges, json_string(buf));
    }
    /* worst case: every probe waits for its timeout, limited by the caps */
    {
        double probes = (double)s->planned + (double)s->naddrs * (double)s->ndisc;
        double by_inflight = probes * s->o.timeout_ms / 1000.0 / s->o.max_inflight;
        double by_rate = s->o.rate ? probes / s->o.rate : 0;
        worst = by_inflight > by_rate ? by_inflight : by_rate;
    }
    o = json_pack("{s:s, s:I, s:o, s:I, s:o, s:o, s:f}", "schema", "anzen-scan-plan/1", "addresses",
                  (json_int_t)s->naddrs, "ports", ports_json(s->ports, s->nports), "probes",
                  (json_int_t)s->planned, "ranges", ranges, "settings", settings_json(s),
                  "worst_case_s", worst);
    if (s->from)
        json_object_set_new(o, "from", json_string(s->from));
    return o;
}
