/* SPDX-License-Identifier: MIT */
/*
 * result.c - a scan's result: the hosts and their open ports gathered
 * from the shards' probe states when the scan finishes, the stop flag,
 * the accessors, and freeing. The probing itself is in engine.c.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

void az_scan_stop(struct az_scan *s, int why)
{
    atomic_store(&s->stop, why > 0 ? why : -1);
}

bool az_scan_complete(const struct az_scan *s)
{
    return !s->incomplete;
}

int az_scan_stopped_by(const struct az_scan *s)
{
    int v = atomic_load(&((struct az_scan *)s)->stop);
    return v > 0 ? v : 0;
}

void az_service_clear(struct az_service *svc)
{
    if (!svc)
        return;
    for (size_t i = 0; i < svc->nev; i++)
        free(svc->ev[i].data);
    free(svc->ev);
    svc->ev = NULL;
    svc->nev = 0;
}

void az_scan_free(struct az_scan *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nhosts; i++) {
        for (size_t k = 0; k < s->hosts[i].nports; k++) {
            az_service_clear(s->hosts[i].ports[k].svc);
            free(s->hosts[i].ports[k].svc);
        }
        free(s->hosts[i].ports);
        free((char *)s->hosts[i].segment);
    }
    free(s->hosts);
    free(s->ranges);
    free(s->rfam);
    free(s->rbase);
    free(s->perm);
    free(s->ports);
    free(s->portperm);
    free(s->disc);
    free(s->disc_idx);
    free(s->pstate);
    free(s->hup);
    free(s->port_ok);
    free(s->opens);
    free(s->from);
    json_decref(s->findings);
    free(s);
}

static int cmp_open(const void *a, const void *b)
{
    const struct az_open *x = a, *y = b;
    if (x->host != y->host)
        return x->host < y->host ? -1 : 1;
    return x->pidx < y->pidx ? -1 : x->pidx > y->pidx;
}

int az_scan_finish(struct az_scan *s, struct az_ctx *ctx, az_scan_progress_fn progress, void *ud)
{
    size_t nup = 0, k = 0;

    if (s->finished)
        return 0;
    if (atomic_load(&s->t_start))
        s->stats.start_us = atomic_load(&s->t_start);
    if (s->nopens)
        qsort(s->opens, s->nopens, sizeof(*s->opens), cmp_open);
    for (size_t i = 0; i < s->naddrs; i++)
        nup += (s->hup[i] & 3) == 1;
    s->hosts = calloc(nup ? nup : 1, sizeof(*s->hosts));
    if (!s->hosts)
        return AZ_ENOMEM;
    for (size_t i = 0, o = 0; i < s->naddrs; i++) {
        struct az_scan_host *h;
        if ((s->hup[i] & 3) != 1)
            continue;
        h = &s->hosts[k++];
        az__host_addr(s, i, &h->family, h->addr);
        inet_ntop(h->family, h->addr, h->text, sizeof(h->text));
        h->up = true;
        h->up_reason = (enum az_port_reason)(s->hup[i] >> 2);
        for (size_t p = 0; p < s->nports; p++) {
            int st = s->pstate[i * s->nports + p] & ST_MASK;
            if (st == AZ_PORT_CLOSED)
                h->nclosed++;
            else if (st == AZ_PORT_FILTERED)
                h->nfiltered++;
        }
        while (o < s->nopens && s->opens[o].host < i)
            o++;
        size_t o0 = o;
        while (o < s->nopens && s->opens[o].host == i)
            o++;
        if (o > o0) {
            h->ports = calloc(o - o0, sizeof(*h->ports));
            if (!h->ports)
                return AZ_ENOMEM;
            for (size_t j = o0; j < o; j++) {
                struct az_scan_port *pp = &h->ports[h->nports++];
                pp->port = s->ports[s->opens[j].pidx];
                pp->state = AZ_PORT_OPEN;
                pp->reason = AZ_REASON_SYN_ACK;
                pp->rtt_us = s->opens[j].rtt_us;
            }
        }
        s->stats.open += h->nports;
        s->stats.closed += h->nclosed;
        s->stats.filtered += h->nfiltered;
    }
    s->nhosts = k;
    s->stats.hosts_up = k;
    {
        struct az_scan_progress p;
        memset(&p, 0, sizeof(p));
        az__totals(s, &p, &s->stats.probes_sent, &s->stats.retries_local);
        for (unsigned i = 0; i < atomic_load(&s->nshards) && i < 64; i++) {
            s->stats.syn_resent += atomic_load(&s->pub[i].retx);
            s->stats.raw_sent += atomic_load(&s->pub[i].raw_sent);
            s->stats.raw_dropped += atomic_load(&s->pub[i].raw_dropped);
        }
        /* stopped before every probe had its answer */
        if (atomic_load(&s->stop) && p.done < s->planned)
            s->incomplete = true;
    }
    /* the per-probe and per-address state (a byte per probe: 640 KiB on
     * a /18 x 40 ports) is in the hosts now; what comes next (checks,
     * the catalog, the output) should not find it still held */
    free(s->pstate);
    free(s->hup);
    free(s->perm);
    free(s->portperm);
    free(s->opens);
    s->pstate = s->hup = NULL;
    s->perm = NULL;
    s->portperm = NULL;
    s->opens = NULL;
    s->nopens = s->capopens = 0;
    s->stats.end_us = az__now_us();
    s->finished = true;
    if (s->o.service && s->data && atomic_load(&s->stop))
        s->incomplete = true; /* no service was identified */
    else if (s->o.service && s->data) {
        int r = az__scan_services(s, ctx, progress, ud);
        s->stats.end_us = az__now_us();
        if (r < 0)
            return r;
    }
    return 0;
}

bool az_scan_address(const struct az_scan *s, uint64_t i, int *family, unsigned char addr[16])
{
    if (i >= s->naddrs || s->imported)
        return false;
    memset(addr, 0, 16);
    az__host_addr(s, i, family, addr);
    return true;
}

const struct az_scan_host *az_scan_hosts(const struct az_scan *s, size_t *ret_n)
{
    *ret_n = s->nhosts;
    return s->hosts;
}

const struct az_scan_stats *az_scan_stats(const struct az_scan *s)
{
    return &s->stats;
}

const struct az_scan_opts *az_scan_options(const struct az_scan *s)
{
    return &s->o;
}

const char *az_scan_source(const struct az_scan *s)
{
    return s->source;
}

const char *az_scan_from(const struct az_scan *s)
{
    return s->from;
}
