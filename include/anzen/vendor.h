/* SPDX-License-Identifier: MIT */
/*
 * vendor.h - the vendor registry (vendors.yaml): which vendor supplies
 * which systems, how it maintains them remotely, the contract, the
 * role-split confirmation table (役割分担確認表), the MDS/SDS received and
 * the 事業者確認用 checklist received.
 *
 *   anzen-vendors: 1
 *   vendors:
 *     - id: midori
 *       name: みどりメディカルシステム株式会社
 *       systems: [emr]
 *       contact: "保守窓口 03-0000-0000"
 *       remote-maintenance: {method: "VPN ルータ", device: 保守用VPNルータ}
 *       contract: {start: 2019-10-01, end: 2026-09-30}
 *       role-split: {status: agreed, date: 2024-06-01}   # none | draft | agreed
 *       mds-sds: {version: "5.0", received: 2025-06-01}
 *       checklist: {received: 2025-07-10}
 *
 * Ownership: az_vendors_load returns an owned registry (az_vendors_free).
 */
#ifndef ANZEN_VENDOR_H
#define ANZEN_VENDOR_H

#include <jansson.h>

#include "anzen.h"
#include "date.h"
#include "profile.h"

struct az_vendor {
    const char *id, *name, *contact;
    const char **systems;
    size_t nsystems;
    const char *rm_method, *rm_device; /* remote maintenance, NULL if none */
    bool has_contract_start, has_contract_end;
    struct az_date contract_start, contract_end;
    int role_split; /* 0 none, 1 draft, 2 agreed */
    bool has_role_split_date;
    struct az_date role_split_date;
    const char *mds_version;
    bool has_mds;
    struct az_date mds_received;
    bool has_checklist;
    struct az_date checklist_received;
};

struct az_vendors {
    struct az_vendor *v;
    size_t n;
    /* what is wrong but does not stop the registry being used (a system
     * the profile lacks), "file:line:col: message" one a line; NULL if
     * nothing */
    char *warnings;
    void *priv;
};

int az_vendors_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                    const struct az_profile *p, struct az_vendors **ret);
void az_vendors_free(struct az_vendors *vs);

/* Findings (schema anzen-vendor-check/1), each naming checklist items:
 * no MDS/SDS (2-③), remote maintenance without a named device (2-②),
 * no agreed role-split table, no 事業者確認用 received in the current
 * fiscal year, contract ended; and systems with a vendor in the profile
 * that no registry entry covers. */
json_t *az_vendors_check(const struct az_vendors *vs, const struct az_profile *p,
                         struct az_date as_of);

/* A 事業者確認用 the institution holds for a system (vendor-SYSTEM.yaml),
 * dated by the latest date checked in it (dated false when it has none). */
struct az_vendor_form_held {
    const char *system;
    bool dated;
    struct az_date received;
};
/* The same check, where a held form dated in the current fiscal year also
 * counts as this year's 事業者確認用 of the vendor supplying that system
 * (so a form brought in with `anzen vendor import` is not reported as
 * missing because vendors.yaml was not edited). */
json_t *az_vendors_check_forms(const struct az_vendors *vs, const struct az_profile *p,
                               struct az_date as_of, const struct az_vendor_form_held *forms,
                               size_t nforms);

#endif
