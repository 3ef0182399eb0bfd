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
 * borrows the evaluation and the states it was built from.
 */
#ifndef ANZEN_PLAN_H
#define ANZEN_PLAN_H

#include <jansson.h>

#include "assess.h"

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
    char owner[128];
    bool has_due;
    struct az_date due;
};

struct az_plan_state {
    char item[128];
    struct az_plan_track_state track[2];
    int priority; /* user override: 1 = first; 0 = none */
    char reason[512];
};

struct az_plan_track {
    enum az_plan_status status;
    unsigned owner_role;
    const char *owner; /* may be "" */
    struct az_date due;
    struct az_text text; /* suggested text from the catalog */
};

struct az_plan_item {
    const struct az_item_result *result;
    struct az_plan_track track[2];
    int tier; /* 0 override, 1 overdue, 2 ransomware/remote access, 3 other */
    int priority;
    const char *override_reason;
    struct az_date sort_date;
    char reason_ja[640];
    char reason_en[640];
};

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
 * Feed a finding (e.g. from the ledger check) into the plan: its reason is
 * added to the item's plan entry, and an item the answers call satisfied
 * (or left unanswered) but the finding contradicts becomes a plan item of
 * the overdue tier ("the records disagree"). Items are matched by topic,
 * so a finding on cl-r7.h.x also reaches cl-r7.p.x.
 */
int az_plan_add_finding(struct az_ctx *ctx, struct az_plan *p, const char *item_id, const char *ja,
                        const char *en);
/* The same for a finding from another check: src names it in reasons
 * ("ネットワーク" / "network" for anzen scan). */
int az_plan_add_finding_from(struct az_ctx *ctx, struct az_plan *p, const char *src_ja,
                             const char *src_en, const char *item_id, const char *ja,
                             const char *en);
json_t *az_plan_to_json(const struct az_plan *p);

const char *az_plan_status_token(enum az_plan_status s);
const char *az_plan_status_name(enum az_plan_status s, enum az_lang lang);
/* Parse open / in-progress / done / verified (or 未着手 / 対応中 / 完了 /
 * 確認済み); -1 if unknown. */
int az_plan_status_parse(const char *s);

#endif
