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

#include <stdint.h>

#include <jansson.h>

#include "anzen.h"
#include "assess.h"
#include "auth.h"
#include "catalog.h"
#include "plan.h"
#include "records.h"

/* The schema version this build writes. Older workspaces are migrated on
 * open, step by step; newer ones are refused. */
#define AZ_STORE_SCHEMA 7

struct az_store;

/* Open (creating if needed) the workspace at path and migrate it to
 * AZ_STORE_SCHEMA. */
int az_store_open(struct az_ctx *ctx, const char *path, struct az_store **ret);
void az_store_close(struct az_store *st);
/* Schema version of the open workspace. */
int az_store_schema(const struct az_store *st);
/* A number that changes whenever the store's content changes, by this
 * connection or another process (SQLite data_version and this
 * connection's total changes): a cache key, not a count. */
int az_store_version(struct az_store *st, struct az_ctx *ctx, uint64_t *ret);

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
 * object, before, after}. limit N > 0 gives the newest N entries (still
 * oldest first, like the tail of the log); 0 means all. */
int az_store_log(struct az_store *st, struct az_ctx *ctx, long long limit, json_t **ret);

/* The user's plan decisions (status, owner, due, priority override), one
 * per item; *ret is owned by the caller (az_plan_states_free). */
int az_store_plan_states(struct az_store *st, struct az_ctx *ctx, struct az_plan_state **ret,
                         size_t *ret_n);
/* Attach an evidence record (kind: document, note, screenshot, ledger,
 * scan, ...) to a checklist item. */
int az_store_add_evidence(struct az_store *st, struct az_ctx *ctx, const char *item,
                          const char *kind, const char *description, const char *source,
                          const char *who, long long *ret_id);
/* Record findings (a JSON array as the checks return them, finding.h) as
 * evidence of kind on each item of edition ed (form form_id) that their
 * topics resolve to, in one transaction; the text is in ctx's language and
 * the source is "source:line". A record identical to one already stored is
 * not added again (an indexed lookup: linear in the number of findings),
 * so checking twice adds nothing. *ret_added (may be NULL) counts the new
 * records. */
int az_store_add_findings(struct az_store *st, struct az_ctx *ctx, const struct az_catalog *cat,
                          const struct az_edition *ed, const char *form_id, const json_t *findings,
                          const char *kind, const char *source, const char *who, size_t *ret_added);
/* Evidence records (of one item, or all when item is NULL) as a JSON
 * array, oldest first. */
int az_store_evidence(struct az_store *st, struct az_ctx *ctx, const char *item, json_t **ret);
/* Replace one item's plan decisions, logging before/after. */
int az_store_plan_put(struct az_store *st, struct az_ctx *ctx, const struct az_plan_state *ps,
                      const char *who);
/* Change one item's decisions: read, apply patch and write back in ONE
 * write transaction, so two writers at once (CLI, web UI) both keep their
 * change. A patch that changes nothing logs nothing. */
int az_store_plan_update(struct az_store *st, struct az_ctx *ctx, const char *item,
                         const struct az_plan_patch *patch, const char *who);

/* Copy the workspace database at src_path (possibly in use by other
 * processes) to dest_path with SQLite's online backup API: one consistent
 * snapshot, written as a self-contained file (rollback journal, no -wal)
 * and checked with PRAGMA integrity_check. dest_path must not exist. */
int az_store_backup(struct az_ctx *ctx, const char *src_path, const char *dest_path);

/* ---- accounts of the web UI (schema 3; lib/store/sqlite_auth.c) ----
 *
 * Users have one role (what they answer and see) and may be
 * administrators (who manage users and read the audit log). A vendor
 * user belongs to one vendor, named as in the profile's systems, and sees
 * only that vendor's systems' 事業者確認用. Secrets are stored only as
 * hashes (passwords: argon2id; recovery codes, session IDs: BLAKE2b) or
 * sealed (TOTP secrets, az_seal). Times are Unix seconds given by the
 * caller, so the rules can be tested without waiting. */

enum az_user_role {
    AZ_UR_MANAGEMENT = 0, /* 経営層 */
    AZ_UR_PLANNING = 1,   /* 企画管理者 */
    AZ_UR_OPERATIONS = 2, /* システム運用担当者 */
    AZ_UR_VIEWER = 3,     /* 閲覧者 */
    AZ_UR_VENDOR = 4,     /* 事業者 */
};
#define AZ_NUSER_ROLES 5
/* "management", ... (stored form) and the display name. */
const char *az_user_role_token(enum az_user_role r);
const char *az_user_role_name(enum az_user_role r, enum az_lang lang);
/* Parse a token or a Japanese/English name; -1 if unknown. */
int az_user_role_parse(const char *s);

#define AZ_USER_NAME_MAX 64
#define AZ_USER_TEXT_MAX 128
#define AZ_SEALED_MAX    256

struct az_user {
    long long id;
    char name[AZ_USER_NAME_MAX + 1];    /* login name: ASCII letters, digits, . _ - @ */
    char display[AZ_USER_TEXT_MAX + 1]; /* what pages and the change log show */
    enum az_user_role role;
    bool admin;
    bool disabled;
    char vendor[AZ_USER_TEXT_MAX + 1]; /* for AZ_UR_VENDOR only */
    char password[AZ_PWHASH_MAX];      /* argon2id */
    char totp[AZ_SEALED_MAX];          /* sealed TOTP secret; "" when MFA is off */
    char totp_pending[AZ_SEALED_MAX];  /* sealed secret during enrolment */
    long long totp_last_step;          /* last accepted TOTP time step */
    int recovery_left;                 /* unused recovery codes */
    bool must_change;                  /* a temporary password: change it at the next sign-in */
};

/* True if name is a valid login name (1..AZ_USER_NAME_MAX characters of
 * ASCII letters, digits and . _ - @, starting with a letter or digit). */
bool az_user_name_valid(const char *name);
/* Check a display name and a vendor name (either may be NULL) before they
 * are copied into struct az_user: text longer than AZ_USER_TEXT_MAX bytes
 * is refused with a message, never cut (a cut could end inside a
 * character). Returns 0 or AZ_EINVAL. */
int az_user_texts_check(struct az_ctx *ctx, const char *display, const char *vendor);
/* Number of users (0 before the first run has created the administrator). */
int az_store_user_count(struct az_store *st, struct az_ctx *ctx, int *ret);
/* Add a user; AZ_EINVAL if the name is taken or invalid. who is the
 * administrator doing it (the change log names who and what, never the
 * secrets). */
int az_store_user_add(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                      const char *who, long long *ret_id);
/* Add the first user (an administrator) only if there is no user yet, in
 * one transaction, so two first runs cannot both succeed. AZ_EINVAL when
 * a user exists. */
int az_store_user_add_first(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                            long long *ret_id);
/* Look a user up by login name (case-insensitive) or by ID;
 * AZ_ENOTFOUND if absent. */
int az_store_user_get(struct az_store *st, struct az_ctx *ctx, const char *name,
                      struct az_user *ret);
int az_store_user_get_id(struct az_store *st, struct az_ctx *ctx, long long id,
                         struct az_user *ret);
/* Write back a user's fields (what says what changed: "password",
 * "mfa-enrol", "role", ...; logged with the public fields before/after). */
int az_store_user_update(struct az_store *st, struct az_ctx *ctx, const struct az_user *u,
                         const char *what, const char *who);
/* All users, public fields only: [{id, name, display, role, admin,
 * vendor, disabled, mfa, recovery_left}], by name. */
int az_store_users(struct az_store *st, struct az_ctx *ctx, json_t **ret);
/* Record step as the user's last accepted TOTP step, only if it is newer
 * than the stored one (atomic, so two requests cannot both use one code).
 * AZ_EINVAL when it is not newer (a replay). */
int az_store_user_totp_step(struct az_store *st, struct az_ctx *ctx, long long user_id,
                            long long step);
/* Replace the user's recovery codes by these hashes (az_recovery_hash). */
int az_store_recovery_set(struct az_store *st, struct az_ctx *ctx, long long user_id,
                          char (*hashes)[AZ_RECOVERY_HASH_LEN], size_t n, const char *who);
/* Use up one recovery code; AZ_ENOTFOUND if unknown or already used. */
int az_store_recovery_use(struct az_store *st, struct az_ctx *ctx, long long user_id,
                          const char *hash);

/* Sessions. stage: what the holder has proved so far. */
enum az_session_stage {
    AZ_SESS_PASSWORD = 0, /* password checked, second factor still due */
    AZ_SESS_ENROL = 1,    /* signed in, but must enrol MFA before anything else */
    AZ_SESS_FULL = 2,     /* signed in */
};
struct az_session {
    char id[AZ_RECOVERY_HASH_LEN]; /* hash of the cookie value (az_token_hash) */
    long long user_id;
    char csrf[64];
    enum az_session_stage stage;
    long long created, seen;
    char addr[64];
};
int az_store_session_put(struct az_store *st, struct az_ctx *ctx, const struct az_session *s);
/* AZ_ENOTFOUND when unknown. */
int az_store_session_get(struct az_store *st, struct az_ctx *ctx, const char *id,
                         struct az_session *ret);
int az_store_session_touch(struct az_store *st, struct az_ctx *ctx, const char *id, long long now);
int az_store_session_delete(struct az_store *st, struct az_ctx *ctx, const char *id);
/* End every session of a user (after a password change or disabling). */
int az_store_session_delete_user(struct az_store *st, struct az_ctx *ctx, long long user_id);
/* Drop sessions idle since before now - idle or created before
 * now - absolute. */
int az_store_session_expire(struct az_store *st, struct az_ctx *ctx, long long now, long long idle,
                            long long absolute);

/* Login throttling, by key ("user:NAME", "addr:IP"). A failure inside
 * window seconds of the first counts; at max failures the key is locked
 * for lock seconds. *ret_locked says whether it is locked now. */
int az_store_login_failure(struct az_store *st, struct az_ctx *ctx, const char *key, long long now,
                           long long window, int max, long long lock, bool *ret_locked);
/* Whether key is locked at now (and until when, 0 if not). */
int az_store_login_locked(struct az_store *st, struct az_ctx *ctx, const char *key, long long now,
                          long long *ret_until);
/* Forget the failures of key (after a successful login). */
int az_store_login_clear(struct az_store *st, struct az_ctx *ctx, const char *key);

/* Throttling with exponential back-off (az_backoff_delay): keys
 * "ua:NAME|ADDR" (one account from one address), "ip:ADDR", "acct:NAME",
 * "pw:NAME" (current-password checks), "setup:ADDR". A failure after
 * window quiet seconds starts the count again. */
struct az_throttle {
    long long window;
    int free;            /* failures before any wait */
    long long base, cap; /* first wait, longest wait (seconds) */
};
/* Count a failure of key; *ret_count gets the failures in a row and
 * *ret_until the end of the wait (0 when none). */
int az_store_throttle_fail(struct az_store *st, struct az_ctx *ctx, const char *key, long long now,
                           const struct az_throttle *t, int *ret_count, long long *ret_until);
/* Forget every key of a user (acct:, ua:NAME|*, pw:); *ret_n gets how
 * many were dropped. */
int az_store_throttle_unlock_user(struct az_store *st, struct az_ctx *ctx, const char *name,
                                  int *ret_n);
/* Keys waiting at now: [{key, count, last, until}]. */
int az_store_throttle_list(struct az_store *st, struct az_ctx *ctx, long long now, json_t **ret);

/* Append a security event (login, login-failed, lockout, logout, ...) to
 * the change log in its own transaction. detail may be NULL. */
int az_store_audit(struct az_store *st, struct az_ctx *ctx, const char *who, const char *what,
                   const char *object, const char *detail);
/* Up to limit change-log entries with id < before (0: from the newest),
 * newest first, same fields as az_store_log. */
int az_store_log_page(struct az_store *st, struct az_ctx *ctx, long long before, int limit,
                      json_t **ret);

/* ---- records of the recurring duties (schema 5; sqlite_records.c) ---- */

/* Add record r (its id, recorded_at and recorded_by are set here) and,
 * in the same transaction, an evidence record of kind "record" with text
 * evidence_text on each of the nitems items, with the change-log entry. */
int az_store_record_add(struct az_store *st, struct az_ctx *ctx, const struct az_record *r,
                        const char *const *items, size_t nitems, const char *evidence_text,
                        const char *who, long long *ret_id);
/* Every record, oldest first (by date, then id). */
int az_store_records(struct az_store *st, struct az_ctx *ctx, struct az_records *ret);

#endif
