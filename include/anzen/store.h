/* SPDX-License-Identifier: MIT */
/*
 * store.h - the workspace: one durable store per institution holding the
 * profile, every answer set (institution form and each vendor form), dated
 * assessment snapshots and an append-only change log.
 *
 * The interface is backend-neutral: the SQLite backend (lib/store/sqlite.c)
 * implements it now, a PostgreSQL backend can implement the same operations
 * later. Nothing above this header issues SQL.
 *
 * Every write is one transaction: a crash (even SIGKILL) leaves either the
 * old or the new state, never a mix. Every change also appends a change-log
 * entry (who, when, what, before/after) in the same transaction.
 *
 * Ownership: az_store_open returns an owned store (az_store_close). Strings
 * and objects returned through ret_* are owned by the caller.
 */
#ifndef ANZEN_STORE_H
#define ANZEN_STORE_H

#include <jansson.h>

#include "anzen.h"
#include "assess.h"
#include "catalog.h"
#include "plan.h"

/* The schema version this build writes. Older workspaces are migrated on
 * open, step by step; newer ones are refused. */
#define AZ_STORE_SCHEMA 2

struct az_store;

/* Open (creating if needed) the workspace at path and migrate it to
 * AZ_STORE_SCHEMA. */
int az_store_open(struct az_ctx *ctx, const char *path, struct az_store **ret);
void az_store_close(struct az_store *st);
/* Schema version of the open workspace. */
int az_store_schema(const struct az_store *st);

/* The profile, kept as the exact text of the file it came from. */
int az_store_put_profile(struct az_store *st, struct az_ctx *ctx, const char *text,
                         const char *who);
/* AZ_ENOTFOUND when the workspace has no profile yet. */
int az_store_get_profile(struct az_store *st, struct az_ctx *ctx, char **ret_text);

/* Replace the answer set (edition, form, system) with a's answers. */
int az_store_put_answers(struct az_store *st, struct az_ctx *ctx, const struct az_answers *a,
                         const char *who);
/* Read one answer set back (system NULL for institution forms);
 * AZ_ENOTFOUND if absent. */
int az_store_get_answers(struct az_store *st, struct az_ctx *ctx, const struct az_catalog *cat,
                         const char *edition, const char *form, const char *system,
                         struct az_answers **ret);
/* All answer sets as a JSON array of {edition, form, system, answers}. */
int az_store_list_answer_sets(struct az_store *st, struct az_ctx *ctx, json_t **ret);

/* Import a profile text and several answer sets in ONE transaction. */
int az_store_import(struct az_store *st, struct az_ctx *ctx, const char *profile_text,
                    struct az_answers *const *sets, size_t nsets, const char *who);

/* Record a dated assessment snapshot: the evaluation (status JSON) and the
 * answers it was computed from. */
int az_store_snapshot(struct az_store *st, struct az_ctx *ctx, const struct az_eval *e,
                      const struct az_answers *a, const char *who, long long *ret_id);
/* Snapshots as a JSON array, oldest first: {id, taken_at, as_of, edition,
 * form, system, total}. */
int az_store_snapshots(struct az_store *st, struct az_ctx *ctx, json_t **ret);
/* One snapshot's status JSON. */
int az_store_snapshot_get(struct az_store *st, struct az_ctx *ctx, long long id, json_t **ret);

/* The change log as a JSON array, oldest first: {id, at, who, what,
 * object, before, after}. limit 0 means all. */
int az_store_log(struct az_store *st, struct az_ctx *ctx, long long limit, json_t **ret);

/* The user's plan decisions (status, owner, due, priority override), one
 * per item; *ret is owned by the caller (free). */
int az_store_plan_states(struct az_store *st, struct az_ctx *ctx, struct az_plan_state **ret,
                         size_t *ret_n);
/* Attach an evidence record (kind: document, note, screenshot, ledger,
 * scan, ...) to a checklist item. */
int az_store_add_evidence(struct az_store *st, struct az_ctx *ctx, const char *item,
                          const char *kind, const char *description, const char *source,
                          const char *who, long long *ret_id);
/* Record findings (a JSON array of objects with "items", "ja", "en" and
 * optionally "line", as the ledger and vendor checks return them) as
 * evidence of kind on each item they name, in one transaction; the text is
 * in ctx's language and the source is "source:line". A record identical to
 * one already stored is not added again, so checking twice adds nothing.
 * *ret_added (may be NULL) counts the new records. */
int az_store_add_findings(struct az_store *st, struct az_ctx *ctx, const json_t *findings,
                          const char *kind, const char *source, const char *who, size_t *ret_added);
/* Evidence records (of one item, or all when item is NULL) as a JSON
 * array, oldest first. */
int az_store_evidence(struct az_store *st, struct az_ctx *ctx, const char *item, json_t **ret);
/* Replace one item's plan decisions, logging before/after. */
int az_store_plan_put(struct az_store *st, struct az_ctx *ctx, const struct az_plan_state *ps,
                      const char *who);

#endif
