/* SPDX-License-Identifier: MIT */
/*
 * assess.h - answers to checklist items, applicability and evaluation.
 *
 * Answers file (YAML or JSON), documented in docs/answers-format.md:
 *   anzen-answers: 1
 *   edition: cl-r7
 *   form: h
 *   system: emr          # vendor form only: which system
 *   answers:
 *     - item: cl-r7.h.asset-ledger     # or the printed label "2-①"
 *       answer: はい | いいえ | 対象外   (also yes / no / na)
 *       checked: 2025-06-01            # 確認日 (required for はい/いいえ)
 *       target: 2026-03-31             # 目標日 (required for いいえ)
 *       note: free text
 *       evidence: [free text or file references]
 *
 * Evaluation turns a profile, the answers and an as-of date into a status
 * per item, scores per group and per role, and the overdue list.
 *
 * Ownership: loaders return owned objects released by the matching _free.
 * An az_answers borrows the catalog it was loaded against, and an az_eval
 * borrows the catalog, the profile and the answers: keep them alive.
 */
#ifndef ANZEN_ASSESS_H
#define ANZEN_ASSESS_H

#include <jansson.h>

#include "anzen.h"
#include "catalog.h"
#include "date.h"
#include "profile.h"

enum az_ans {
    AZ_ANS_NONE = 0,
    AZ_ANS_YES, /* はい */
    AZ_ANS_NO,  /* いいえ */
    AZ_ANS_NA,  /* 対象外 */
};

/* The longest note an answers file holds, in bytes. */
#define AZ_NOTE_MAX 8192

struct az_answer {
    const struct az_item *item;
    enum az_ans ans;
    bool has_checked;
    struct az_date checked;
    bool has_target;
    struct az_date target;
    char *note; /* at most AZ_NOTE_MAX bytes */
    char **evidence;
    size_t nevidence;
    const struct az_item *carried_from; /* set when migrated from an earlier edition */
    bool reconfirm; /* carried over and not answered again since (要再確認); kept in the
                       file as `reconfirm: true` until the item is answered again */
    bool stale;     /* 確認日 in an earlier fiscal year than the reference date
                       (az_answers_mark_stale): to re-check, does not count as done */
};

struct az_answers {
    const struct az_edition *edition;
    const struct az_form *form;
    char *system; /* vendor form: system id, else NULL */
    struct az_answer *v;
    size_t n, cap;
    size_t dropped; /* migration: answers that could not carry over */
};

/* Parse an answers file against cat. Unknown item IDs, answers for
 * another form, bad values and bad dates are errors naming the place. */
int az_answers_load(struct az_ctx *ctx, const struct az_catalog *cat, const char *name,
                    const char *data, size_t len, struct az_answers **ret);
int az_answers_load_file(struct az_ctx *ctx, const struct az_catalog *cat, const char *path,
                         struct az_answers **ret);
/* New empty answer set for a form. */
struct az_answers *az_answers_new(const struct az_edition *ed, const struct az_form *form);
void az_answers_free(struct az_answers *a);
/* Find the answer to an item, or NULL. */
const struct az_answer *az_answers_get(const struct az_answers *a, const struct az_item *it);
/* Set (replace) the answer for a->item; strings are copied. */
int az_answers_set(struct az_answers *a, const struct az_answer *ans);
/* Serialise as YAML (new string, caller frees; NULL on ENOMEM). */
char *az_answers_to_yaml(const struct az_answers *a, enum az_lang lang);

/*
 * Carry answers over to a later edition through the crosswalks: `same`
 * carries the answer, `merged` carries it when all sources agree, `changed`
 * and `split` do not (the item must be checked again). Each carried answer
 * records carried_from and is marked reconfirm. Returns a new answer set for `to` (same form id).
 */
int az_answers_migrate(struct az_ctx *ctx, const struct az_answers *from,
                       const struct az_edition *to, struct az_answers **ret);

/*
 * Mark the answers checked in an earlier Japanese fiscal year (April to
 * March) than as_of: stale and reconfirm (要再確認). A stale はい or 対象外
 * does not count as done (az_evaluate: unanswered), a stale いいえ stays a
 * gap but its old target date no longer counts. Returns how many.
 */
size_t az_answers_mark_stale(struct az_answers *a, struct az_date as_of);

/* Which institution form of ed applies to p (NULL if none). */
const struct az_form *az_form_for_profile(const struct az_edition *ed, const struct az_profile *p);

/* Why an item does not apply (NULL when it applies). Reasons are tokens:
 * "gate" (no medical systems), "condition:<cond>". */
const char *az_item_inapplicable(const struct az_item *it, unsigned conds);

enum az_status {
    AZ_ST_SATISFIED,      /* はい */
    AZ_ST_GAP,            /* いいえ */
    AZ_ST_UNANSWERED,     /* no answer yet */
    AZ_ST_NA,             /* 対象外 by answer */
    AZ_ST_NOT_APPLICABLE, /* does not apply by rule */
    AZ_ST_GATE,           /* the gate item itself */
};

enum az_overdue {
    AZ_OD_NONE,
    AZ_OD_FISCAL_YEAR, /* required-from fiscal year ended */
    AZ_OD_DUE_BY,      /* fixed deadline passed (e.g. 2FA) */
    AZ_OD_TARGET,      /* the answer's own target date passed */
};

struct az_item_result {
    const struct az_item *item;
    const struct az_answer *answer;
    enum az_status status;
    const char *na_reason;
    enum az_overdue overdue;
    struct az_date deadline; /* last day to comply, when known */
    bool has_deadline;
};

struct az_score {
    int applicable; /* applicable items, gate excluded, 対象外 excluded */
    int satisfied;
    int gaps;
    int unanswered;
    int na;
    int overdue;
};

struct az_eval {
    const struct az_edition *edition;
    const struct az_form *form;
    const struct az_profile *profile;
    const char *system; /* vendor form: the system answered for, else NULL */
    struct az_date as_of;
    int as_of_fy;
    bool gate_closed; /* no medical systems: nothing else applies */
    /* The gate item is answered いいえ but the profile says there are medical
     * systems (medical-systems: true, or systems listed). The profile wins
     * when it says medical-systems: true (the items stay open), and the
     * contradiction counts as one more open point in total.unanswered, so
     * the evaluation is never "all done" while it lasts. */
    bool gate_conflict;
    struct az_item_result *results;
    size_t nresults;
    struct az_score total;
    struct az_score role[AZ_NROLES];
    struct az_score *group;         /* parallel to edition->groups */
    const struct az_edition *newer; /* a newer checklist edition exists (may be metadata-only) */
    const struct az_edition *guideline; /* newest guideline edition */
};

/*
 * Evaluate answers (may be NULL: everything unanswered) for profile p
 * against edition ed at date as_of. Answers for items that do not apply
 * (other than 対象外) are errors naming the item.
 */
int az_evaluate(struct az_ctx *ctx, const struct az_catalog *cat, const struct az_profile *p,
                const struct az_answers *answers, const struct az_edition *ed, struct az_date as_of,
                struct az_eval **ret);
void az_eval_free(struct az_eval *e);

/* Score as a percentage (0..100) of satisfied among applicable; -1 when
 * nothing applies. */
int az_score_pct(const struct az_score *s);

/* The versioned JSON document of an evaluation (docs/status-json.md). */
#define AZ_STATUS_SCHEMA "anzen-status/1"
json_t *az_eval_to_json(const struct az_eval *e);

const char *az_status_token(enum az_status s);
const char *az_status_name(enum az_status s, enum az_lang lang);
const char *az_ans_name(enum az_ans a, enum az_lang lang);
/* Parse はい/いいえ/対象外/yes/no/na; AZ_ANS_NONE if unknown. */
enum az_ans az_ans_parse(const char *s);

#endif
