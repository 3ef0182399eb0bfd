/* SPDX-License-Identifier: MIT */
/*
 * catalog.h - the requirement catalog: editions of the MHLW checklist and
 * guideline, their forms, groups, items and the crosswalks between
 * editions. Loaded from YAML (docs/catalog-format.md), validated with
 * file:line:col errors, then read-only.
 *
 * Ownership: az_catalog_load_* return an owned catalog (az_catalog_free).
 * Every pointer reached from it (editions, items, strings) is borrowed and
 * lives as long as the catalog.
 */
#ifndef ANZEN_CATALOG_H
#define ANZEN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "anzen.h"
#include "date.h"

/* What an item's wording and number rest on. Token order is historical;
 * az_conf_rank() orders them from strongest (verified) to weakest. */
enum az_confidence {
    AZ_CONF_VERIFIED,   /* a final MHLW text supports number and content */
    AZ_CONF_DRAFT,      /* an MHLW draft (案) supports it, no final text read */
    AZ_CONF_UNVERIFIED, /* inferred, or no source read supports it */
    AZ_CONF_SECONDARY,  /* only third-party accounts support it */
    AZ_CONF_IMPORTED,   /* read from the official form the user provided */
};
#define AZ_NCONF 5

/* Kinds of source documents (data/catalogs/sources.yaml). */
enum az_src_kind {
    AZ_SRC_NONE,      /* not classified (no registry loaded) */
    AZ_SRC_FINAL,     /* a final MHLW text (or a verbatim archived copy) */
    AZ_SRC_DRAFT,     /* an MHLW draft (案, WG material before the final) */
    AZ_SRC_SECONDARY, /* a third-party account */
    AZ_SRC_UNREAD,    /* cited for reference, not read */
    AZ_SRC_USER,      /* the user's own file (imported editions) */
};

enum az_ed_status {
    AZ_ED_CURRENT,
    AZ_ED_SUPERSEDED,
    AZ_ED_METADATA_ONLY,
};

/* Roles of guideline 6.0 (bit mask). */
enum az_role {
    AZ_ROLE_MANAGEMENT = 1 << 0, /* 経営層 */
    AZ_ROLE_PLANNING = 1 << 1,   /* 企画管理者 */
    AZ_ROLE_OPERATIONS = 1 << 2, /* システム運用担当者 */
    /* not a checklist role: a vendor owning a plan task (plan.h); never in
     * an item's roles, not counted in AZ_NROLES, not read by az_role_parse */
    AZ_ROLE_VENDOR = 1 << 3, /* 事業者 */
};
#define AZ_NROLES 3

/* Institution types (bit mask). */
enum az_inst_type {
    AZ_INST_HOSPITAL = 1 << 0,
    AZ_INST_CLINIC = 1 << 1,
    AZ_INST_DENTAL = 1 << 2,
    AZ_INST_PHARMACY = 1 << 3,
    AZ_INST_MIDWIFERY = 1 << 4,
};

/* applies-if conditions (bit mask), see docs/catalog-format.md. */
enum az_cond {
    AZ_COND_MEDICAL_SYSTEMS = 1 << 0,
    AZ_COND_HAS_VENDOR = 1 << 1,
    AZ_COND_REMOTE_MAINT = 1 << 2,
    AZ_COND_ON_PREM = 1 << 3,
    AZ_COND_CLOUD = 1 << 4,
    AZ_COND_OPS_STAFF = 1 << 5,
    AZ_COND_NO_OPS_STAFF = 1 << 6,
    AZ_COND_OUTSOURCED = 1 << 7,
    AZ_COND_NOT_OUTSOURCED = 1 << 8,
};

enum az_xrel {
    AZ_XREL_SAME,
    AZ_XREL_MERGED,
    AZ_XREL_CHANGED,
    AZ_XREL_SPLIT,
};

struct az_text {
    const char *ja; /* NULL when absent (optional fields only) */
    const char *en;
};

struct az_edition;
struct az_item;

struct az_form {
    const char *id;
    struct az_text title;
    struct az_text doc_title;   /* the checklist's own title when it differs
                                   from the edition's (薬局における…), or NULL */
    struct az_text legal_basis; /* the rule the form answers to, or NULL */
    bool vendor;                /* audience: vendor (事業者確認用) */
    unsigned inst_types;        /* enum az_inst_type mask */
    const struct az_edition *edition;
    size_t nitems;
};

struct az_group {
    const char *id;
    struct az_text title;
};

struct az_xwalk {
    enum az_xrel rel;
    const struct az_item **from;
    size_t nfrom;
    const struct az_item *to;
    struct az_text note;
    bool has_score; /* a proposed link (catalog import) with its similarity */
    double score;
};

struct az_item {
    const char *id;
    const struct az_edition *edition;
    const struct az_form *form; /* NULL for guideline requirements */
    const struct az_group *group;
    const char *label;
    int order;
    bool gate;
    struct az_text title, text, guidance, note;
    struct az_text interim;   /* suggested 暫定対策 (interim mitigation) */
    struct az_text permanent; /* suggested 本対策 (permanent fix) */
    unsigned roles;           /* enum az_role mask */
    const char *volume;       /* guideline volume or NULL */
    const char **targets;
    size_t ntargets;
    int required_from; /* fiscal year, 0 if none */
    bool has_due_by;
    struct az_date due_by;
    /* due-at-renewal: a reference date (2FA: 2027-04-01) from which new and
     * renewed systems must comply; a running system has until its next
     * renewal (the profile's renewal date), else due_by applies */
    bool has_due_at_renewal;
    struct az_date due_at_renewal;
    unsigned conds; /* enum az_cond mask */
    const struct az_item **refs;
    size_t nrefs;
    const char **ref_labels;
    size_t nref_labels;
    const char **tags;
    size_t ntags;
    enum az_confidence confidence;
    enum az_src_kind basis; /* the strongest kind among sources */
    const char **sources;
    size_t nsources;
    const struct az_xwalk *xwalk; /* the crosswalk entry that leads here, or NULL */
};

struct az_edition {
    const char *id;
    bool checklist; /* kind: checklist (true) or guideline */
    const char *family;
    const char *version;
    int fiscal_year; /* 0 for guidelines */
    const char *published;
    struct az_text title, note;
    enum az_ed_status status;
    bool partial; /* the item list is known to be incomplete */
    const struct az_edition *supersedes;
    enum az_confidence confidence; /* the weakest of its items' marks, or as
                                      written for an edition without items */
    bool confidence_computed;
    const char **sources;
    size_t nsources;
    struct az_form *forms;
    size_t nforms;
    struct az_group *groups;
    size_t ngroups;
    struct az_item **items; /* in form/order sequence */
    size_t nitems;
    struct az_xwalk *xwalks;
    size_t nxwalks;
    const char *file;
};

struct az_catalog;
struct az_file_blob;

/* Load every *.yaml / *.yml / *.json file in dir. All validation errors
 * (up to 20) are reported, one per line, in az_errmsg. */
int az_catalog_load_dir(struct az_ctx *ctx, const char *dir, struct az_catalog **ret);
/* Load the catalogs embedded in the binary at build time. */
int az_catalog_load_embedded(struct az_ctx *ctx, struct az_catalog **ret);
/* The embedded catalogs plus extra files (an accepted `catalog import`). */
int az_catalog_load_embedded_with(struct az_ctx *ctx, const struct az_file_blob *extra, size_t n,
                                  struct az_catalog **ret);
/* Load from in-memory files (name, data, len triples). */
struct az_file_blob {
    const char *name;
    const char *data;
    size_t len;
};
int az_catalog_load_blobs(struct az_ctx *ctx, const struct az_file_blob *files, size_t n,
                          struct az_catalog **ret);
void az_catalog_free(struct az_catalog *cat);
/* The demo institution's files embedded in the binary (profile.yaml,
 * answers.yaml). */
const struct az_file_blob *az_embedded_demo_files(size_t *ret_n);

size_t az_catalog_neditions(const struct az_catalog *cat);
/* Editions sorted: checklists by fiscal year, then guidelines by date. */
const struct az_edition *az_catalog_edition_at(const struct az_catalog *cat, size_t i);
/* Find an edition by id ("cl-r7") or short alias ("r7", "R7", "令和7",
 * "6.0", "gl6"). NULL if unknown. */
const struct az_edition *az_catalog_edition(const struct az_catalog *cat, const char *name);
const struct az_item *az_catalog_item(const struct az_catalog *cat, const char *id);
/* The checklist edition used for assessment by default: the newest
 * checklist edition that has items and status current (or superseded if
 * none is current). */
const struct az_edition *az_catalog_default_checklist(const struct az_catalog *cat);
/* The newest checklist edition of any status (may be metadata-only). */
const struct az_edition *az_catalog_newest_checklist(const struct az_catalog *cat);
/* The newest guideline edition with items, and with any status. */
const struct az_edition *az_catalog_newest_guideline(const struct az_catalog *cat);

const struct az_form *az_edition_form(const struct az_edition *ed, const char *id);
/* Find an item of ed by its printed label within form (e.g. "2-①",
 * also "2-1" or "2-(1)" for 2-①). NULL if none. */
const struct az_item *az_edition_item_by_label(const struct az_edition *ed,
                                               const struct az_form *form, const char *label);

/* The printed title of the checklist a form belongs to: the form's own
 * document title (e.g. the pharmacy checklist), else the edition's. */
struct az_text az_form_doc_title(const struct az_form *f);

/* Whether ed was published on or before d ("YYYY-MM" counts from the
 * first of the month). */
bool az_edition_published_by(const struct az_edition *ed, struct az_date d);
/* Hide every edition not yet published on d (for --as-of): it no longer
 * appears in listings, as the default or as "a newer edition"; only an
 * explicit id (az_catalog_edition, az_catalog_item) still finds it, so
 * answers made for it load. Returns how many were hidden. */
size_t az_catalog_hide_after(struct az_catalog *cat, struct az_date d);

/* Names for enums, in the given language. */
const char *az_conf_name(enum az_confidence c, enum az_lang lang);
const char *az_conf_token(enum az_confidence c);
/* 0 = strongest (verified) .. AZ_NCONF-1 = weakest (unverified). */
int az_conf_rank(enum az_confidence c);
/* Whether mark c may rest on sources whose strongest kind is basis:
 * verified needs a final text, draft a draft or final one, secondary any
 * source that was read, imported the user's form; unverified always. */
bool az_conf_allowed(enum az_confidence c, enum az_src_kind basis);
const char *az_src_kind_token(enum az_src_kind k);
/* The kind of a cited source per the loaded registry; AZ_SRC_NONE if no
 * registry entry matches. */
enum az_src_kind az_catalog_source_kind(const struct az_catalog *cat, const char *src);
/* Whether a sources registry was loaded (then every source is classified
 * and the marks are checked against it). */
bool az_catalog_has_registry(const struct az_catalog *cat);
const char *az_role_name(enum az_role r, enum az_lang lang);
const char *az_role_token(enum az_role r);
const char *az_ed_status_token(enum az_ed_status s);
const char *az_xrel_token(enum az_xrel r);
const char *az_cond_token(enum az_cond c);
/* Parse a role token ("management", "経営層", ...); 0 if unknown. */
unsigned az_role_parse(const char *s);

/* JSON description of an item / edition (new reference). */
json_t *az_item_to_json(const struct az_item *it);
json_t *az_edition_to_json(const struct az_edition *ed, bool with_items);

/* Normalise a printed label for comparison: circled numbers and (n) both
 * become plain n, full-width digits become ASCII. */
void az_label_normalise(const char *label, char *buf, size_t n);

#endif
