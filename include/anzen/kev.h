/* SPDX-License-Identifier: MIT */
/*
 * kev.h - known exploited vulnerabilities of remote-access appliances.
 *
 * Two inputs, both embedded and both replaceable:
 *   - a dated copy of the CISA Known Exploited Vulnerabilities catalog
 *     (CC0), in CISA's own JSON format. anzen embeds the entries of the
 *     appliance families below; `anzen kev import` reads a newer full
 *     catalog and keeps the same subset as kev.json.
 *   - anzen's curated version ranges (data/kev/appliances.yaml): KEV names
 *     only vendor, product and CVE, so the affected firmware per release
 *     train comes from the vendors' advisories, each row with its sources
 *     and a confidence mark.
 *
 * Families: fortinet-fortios, ivanti-connect-secure, citrix-netscaler,
 * paloalto-panos, cisco-asa, sonicwall-sonicos, sonicwall-sma.
 *
 * Versions compare segment by segment: runs of digits numerically, runs
 * of letters case-insensitively (letters before digits), separators
 * ignored; when one version is a prefix of the other the shorter is
 * older ("10.2.9" < "10.2.9-h1"). A leading "v" is dropped, each family
 * may cut a version at marker strings (FortiOS "v6.4.6,build1879" is
 * 6.4.6) and leave out noise words (NetScaler "NS13.1: Build 49.13.nc" is
 * 13.1-49.13).
 *
 * Ownership: az_kev_load returns an owned set (az_kev_free); every pointer
 * into it lives as long as it does. az_kev_match returns an array the
 * caller frees with free().
 */
#ifndef ANZEN_KEV_H
#define ANZEN_KEV_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "anzen.h"
#include "catalog.h"

/* One entry of the CISA catalog. */
struct az_kev_entry {
    const char *cve, *vendor, *product, *name, *description, *date_added, *due_date;
    bool ransomware; /* knownRansomwareCampaignUse == "Known" */
};

/* A release train of one rule: versions in branch (from..last or
 * from..<fixed). fixed and last are NULL when the branch has no fix.
 * branch is NULL for "this version and everything older" rows (then fixed
 * or last is set). */
struct az_kev_range {
    const char *branch, *from, *fixed, *last;
};

struct az_kev_family {
    const char *id;
    struct az_text name;
    const char **match; /* lowercase substrings of OS/firmware text */
    size_t nmatch;
    const char **kev_vendor, **kev_product;
    size_t nkev_vendor, nkev_product;
    const char **cut_at; /* the version ends where one of these starts */
    size_t ncut_at;
    const char **drop; /* words left out of the version ("build", "NS") */
    size_t ndrop;
    struct az_text advice;
};

struct az_kev_rule {
    const char *cve;
    const struct az_kev_family *family;
    struct az_kev_range *ranges;
    size_t nranges;
    struct az_text advice; /* .ja NULL when none */
    enum az_confidence confidence;
    const char **sources;
    size_t nsources;
    const struct az_kev_entry *entry; /* NULL: not in the loaded KEV catalog */
};

struct az_kev {
    const char *catalog_version; /* "2025.08.25" */
    const char *date_released;
    const char *source;           /* "embedded" or the file name */
    size_t catalog_count;         /* entries in the catalog the subset came from */
    struct az_kev_entry *entries; /* only the families' entries */
    size_t nentries;
    struct az_kev_family *families;
    size_t nfamilies;
    struct az_kev_rule *rules;
    size_t nrules;
    void *priv;
};

/* A rule whose range contains the version. */
struct az_kev_hit {
    const struct az_kev_rule *rule;
    const struct az_kev_range *range;
};

/*
 * Load the curated ranges (embedded) and a KEV catalog: catalog_json of
 * len bytes named name, or the embedded subset when catalog_json is NULL.
 * Errors name the file with line and column.
 */
int az_kev_load(struct az_ctx *ctx, const char *name, const char *catalog_json, size_t len,
                struct az_kev **ret);
/* Same with the curated ranges from ranges_yaml instead (tests, --catalog). */
int az_kev_load_with(struct az_ctx *ctx, const char *ranges_name, const char *ranges_yaml,
                     size_t ranges_len, const char *name, const char *catalog_json, size_t len,
                     struct az_kev **ret);
void az_kev_free(struct az_kev *k);

/*
 * Validate a full CISA KEV catalog (JSON, as CISA publishes it) and write
 * the subset anzen keeps (the families' entries, with the catalog's
 * version, release date and total count) as JSON into *ret (caller frees).
 */
int az_kev_subset(struct az_ctx *ctx, const struct az_kev *k, const char *name, const char *data,
                  size_t len, char **ret);

/* Compare two versions as described above: <0, 0, >0. */
int az_version_cmp(const char *a, const char *b);
/* The version as the family compares it ("v6.4.6,build1879" → "6.4.6"),
 * into buf. */
void az_kev_normalise(const struct az_kev_family *f, const char *version, char *buf, size_t n);

const struct az_kev_family *az_kev_family(const struct az_kev *k, const char *id);
/* The family whose match strings occur in text (OS/firmware or product
 * name), or NULL. */
const struct az_kev_family *az_kev_family_for(const struct az_kev *k, const char *text);

/*
 * The rules of family whose ranges contain version, sorted by CVE. *ret
 * (caller frees; NULL when none) and *ret_n are set on success. An unknown
 * family is an error (AZ_ENOTFOUND).
 */
int az_kev_match(const struct az_kev *k, const char *family, const char *version,
                 struct az_kev_hit **ret, size_t *ret_n);

/* Catalog entries of a family that no curated rule covers (the version
 * cannot be checked against them). Caller frees *ret. */
int az_kev_uncovered(const struct az_kev *k, const struct az_kev_family *f,
                     const struct az_kev_entry ***ret, size_t *ret_n);

#endif
