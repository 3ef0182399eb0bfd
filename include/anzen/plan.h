/* SPDX-License-Identifier: MIT */
/*
 * plan.h - the remediation plan (the guideline's step ②): every gap (an
 * item answered いいえ) becomes a plan item with an interim mitigation
 * (暫定対策) and a permanent fix (本対策), each with an owner role, a due
 * date and a status, in a priority order whose reason is shown.
 *
 * Priority (IMPLEMENTS: issue "Workspace store, remediation plan"):
 *   0. items the user moved, by the priority they gave (with a reason);
 *   1. items already overdue (fiscal year, fixed deadline or own target),
 *      earliest deadline first;
 *   2. items tied to ransomware and remote access (catalog tags
 *      ransomware, remote-access, patch, backup), earliest target first;
 *   3. the rest, earliest target first.
 * Within the same rank, open and in-progress items come before done and
 * verified ones, then catalog order.
 *
 * Ownership: az_plan_build returns an owned plan (az_plan_free) that
 * borrows the evaluation it was built from; every string in it (owners,
 * reasons) is its own copy, so the states may be freed at once. Text is
 * whole: names and reasons of any length, never cut.
 */
#ifndef ANZEN_PLAN_H
#define ANZEN_PLAN_H

#include <jansson.h>

#include "assess.h"
#include "finding.h"

enum az_plan_status {
    AZ_PLAN_OPEN,
    AZ_PLAN_IN_PROGRESS,
    AZ_PLAN_DONE,
    AZ_PLAN_VERIFIED,
};

enum az_plan_track_kind {
    AZ_TRACK_INTERIM,
    AZ_TRACK_PERMANENT,
};

/* What the user decided for one item (kept in the workspace). Fields with
 * has_* false / owner_role 0 / status -1 mean "not set: use the default". */
struct az_plan_track_state {
    int status; /* enum az_plan_status, or -1 */
    unsigned owner_role;
    char *owner; /* NULL: not set */
    bool has_due;
    struct az_date due;
};

struct az_plan_state {
    char *item;
    struct az_plan_track_state track[2];
    int priority; /* user override: 1 = first; 0 = none */
    char *reason; /* NULL: none */
};

/* Free the strings of n states and the array itself. */
void az_plan_states_free(struct az_plan_state *v, size_t n);

/* One change to an item's decisions, as `plan set` and the web UI make
 * it: fields left at their "unchanged" value are kept. */
struct az_plan_patch {
    int track;           /* AZ_TRACK_INTERIM / AZ_TRACK_PERMANENT, or -1 for both */
    int status;          /* enum az_plan_status, or -1: unchanged */
    unsigned owner_role; /* 0: unchanged */
    const char *owner;   /* the name ("" for none); NULL: unchanged, or "" with a role */
    bool has_due;
    struct az_date due;
    int priority; /* -1: unchanged; 0 clears the override */
    const char *reason;
};

/* Apply patch to ps (whose strings it replaces). 0 or AZ_ENOMEM. */
int az_plan_state_apply(struct az_plan_state *ps, const struct az_plan_patch *patch);

struct az_plan_track {
    enum az_plan_status status;
    unsigned owner_role;
    char *owner; /* never NULL; may be "" */
    struct az_date due;
    struct az_text text; /* suggested text from the catalog */
};

struct az_plan_item {
    const struct az_item_result *result;
    struct az_plan_track track[2];
    /* why a default owner is not システム運用担当者 although the item names
     * that role (the profile records no IT staff); NULL otherwise */
    char *owner_note_ja, *owner_note_en;
    int tier; /* 0 override, 1 overdue, 2 ransomware/remote access, 3 other */
    int priority;
    char *override_reason; /* NULL unless tier 0 */
    struct az_date sort_date;
    char *reason_ja; /* whole text: the rank's reason, then the findings */
    char *reason_en;
    /* findings attached: the first AZ_PLAN_SHOWN are written out in the
     * reasons, the others counted ("ほか N 件") */
    size_t nfindings;
    size_t base_ja, base_en; /* length of the reasons before the count */
};

#define AZ_PLAN_SHOWN 10

struct az_plan {
    const struct az_eval *eval;
    struct az_plan_item *v;
    size_t n;
    int unanswered; /* items to answer before they can be planned */
};

int az_plan_build(struct az_ctx *ctx, const struct az_eval *e, const struct az_plan_state *states,
                  size_t nstates, struct az_plan **ret);
void az_plan_free(struct az_plan *p);
/*
 * Feed a gap found by a check (ledger, vendor registry, network, host
 * audit) into the plan; other levels are ignored. The finding's topics are
 * resolved to the plan's edition and form through cat (finding.h). Its
 * message is added to each item's reasons (src names the check: "台帳" /
 * "ledger"), and an item the answers call satisfied (or left unanswered)
 * but the finding contradicts becomes a plan item of the overdue tier
 * ("the records disagree").
 */
int az_plan_add_finding(struct az_ctx *ctx, struct az_plan *p, const struct az_catalog *cat,
                        const char *src_ja, const char *src_en, const struct az_finding *f);
/* The same for every finding of a JSON array (as the checks return
 * them); unreadable entries are skipped. */
int az_plan_add_findings(struct az_ctx *ctx, struct az_plan *p, const struct az_catalog *cat,
                         const char *src_ja, const char *src_en, const json_t *findings);
json_t *az_plan_to_json(const struct az_plan *p);

const char *az_plan_status_token(enum az_plan_status s);
const char *az_plan_status_name(enum az_plan_status s, enum az_lang lang);
/* Parse open / in-progress / done / verified (or 未着手 / 対応中 / 完了 /
 * 確認済み); -1 if unknown. */
int az_plan_status_parse(const char *s);

/* Parse the role part of an owner: management / planning / operations /
 * vendor (or 経営層 / 企画管理者 / システム運用担当者 / 事業者); 0 if unknown. */
unsigned az_plan_owner_parse(const char *s);

/*
 * Who takes the operations tasks when the profile records no IT staff
 * (ops-staff: false): the one vendor of the on-premises systems (or of
 * all systems when only one vendor is named), else the planning manager.
 * *ret_vendor is that vendor's name (borrowed from p) or NULL. Returns
 * AZ_ROLE_VENDOR or AZ_ROLE_PLANNING; AZ_ROLE_OPERATIONS when p has IT
 * staff (or p is NULL).
 */
unsigned az_plan_ops_substitute(const struct az_profile *p, const char **ret_vendor);

#endif
