/* SPDX-License-Identifier: MIT */
/*
 * profile.h - the institution profile: what kind of institution it is and
 * which systems it runs. The profile decides which checklist form and
 * which items apply (see assess.h).
 *
 * File format (YAML or JSON), documented in docs/profile-format.md:
 *   anzen-profile: 1
 *   institution: {name, type, beds, prefecture, medical-systems,
 *                 ops-staff, maintenance-outsourced, person-in-charge}
 *   systems: [{id, name, hosting, vendor, introduced, renewal,
 *              remote-maintenance, mfa}]
 *
 * Ownership: az_profile_load* return an owned profile (az_profile_free);
 * its strings live as long as it does.
 */
#ifndef ANZEN_PROFILE_H
#define ANZEN_PROFILE_H

#include <stdbool.h>

#include "anzen.h"
#include "catalog.h"
#include "date.h"
#include "util.h"

struct az_system {
    const char *id;
    const char *name;
    bool cloud;          /* hosting: cloud (true) or on-prem */
    const char *vendor;  /* NULL when built and run in-house */
    bool has_introduced; /* introduction date known */
    struct az_date introduced;
    bool has_renewal; /* planned renewal/update date known */
    struct az_date renewal;
    bool remote_maintenance;
    int mfa;             /* 1 yes, 0 no, -1 unknown */
    bool has_role_split; /* role-split confirmation table (役割分担確認表) agreed */
    struct az_date role_split;
};

/* Something the institution keeps and reviews (contact chart, BCP). */
struct az_kept {
    bool stated; /* the profile says something about it at all */
    bool present;
    bool has_reviewed;
    struct az_date reviewed;
};

/* A connection between two systems (アプリケーション間連携). */
struct az_interface {
    const char *from, *to; /* system ids */
    const char *protocol;
    bool encrypted;
    bool authenticated;
};

/* Records signed electronically, and the signing certificate. */
struct az_signature {
    const char *record;
    const char *method;
    bool timestamp;
    bool has_expires;
    struct az_date expires;
};

struct az_profile {
    const char *name;
    unsigned type; /* one enum az_inst_type bit */
    int beds;      /* -1 unknown */
    const char *prefecture;
    const char *person; /* person in charge of the checklist */
    bool medical_systems;
    bool ops_staff;
    bool outsourced; /* all servers' security updates contracted out in writing */
    struct az_system *systems;
    size_t nsystems;
    /* readiness for the guideline's key points (step ③) */
    struct az_kept incident_contacts, cyber_bcp;
    bool backup_stated; /* readiness.backup given */
    bool backup_offline, backup_immutable;
    bool has_restore_drill;
    struct az_date restore_drill;
    struct az_interface *interfaces;
    size_t ninterfaces;
    struct az_signature *signatures;
    size_t nsignatures;
    bool signatures_stated; /* the signatures key is given (an empty list: none used) */
    const char *file;
    void *priv;
};

int az_profile_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                    struct az_profile **ret);
int az_profile_load_file(struct az_ctx *ctx, const char *path, struct az_profile **ret);
void az_profile_free(struct az_profile *p);

/* The applies-if conditions (enum az_cond mask) that hold for p. */
unsigned az_profile_conds(const struct az_profile *p);

/* Institution type token ("clinic") and display name (診療所). */
const char *az_inst_token(unsigned type);
const char *az_inst_name(unsigned type, enum az_lang lang);
/* Parse a token or Japanese name; 0 if unknown. */
unsigned az_inst_parse(const char *s);

/* Serialise a profile as YAML (used by `anzen init`). Returns a new string
 * (caller frees) or NULL on ENOMEM. */
char *az_profile_to_yaml(const struct az_profile *p);

/* A readable ID for a new system from its name (電子カルテ -> emr, レセコン
 * -> receipt, PACS / 画像 -> pacs, 検査 -> lab, an ASCII name -> its slug,
 * else system-N), made unique among the n existing systems with -2, -3.
 * A new string (caller frees) or NULL on ENOMEM. */
char *az_system_id_suggest(const char *name, const struct az_system *existing, size_t n);

/* The system s names: its ID, its name, a part of exactly one name, or
 * system-N (the N-th system, the IDs older versions of init gave); NULL
 * when none. */
const struct az_system *az_profile_find_system(const struct az_profile *p, const char *s);
/* "emr (電子カルテ), receipt (レセコン)" for messages (only the systems
 * with a vendor when vendor_only); "-" when none. A new string. */
char *az_profile_system_list(const struct az_profile *p, bool vendor_only);

/* Escape a string as a double-quoted YAML scalar into b. */
int az_yaml_quote(struct az_buf *b, const char *s);

#endif
