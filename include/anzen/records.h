/* SPDX-License-Identifier: MIT */
/*
 * records.h - records of the recurring duties of the year (issue 13): the
 * cyber-attack BCP, offline backups, restore drills, the incident contact
 * chart, staff training and the yearly review of the BCP and the contact
 * chart. They live in the workspace store (anzen.db, schema 5, table
 * `records`); each one is also attached as evidence (kind "record") to
 * the checklist items it supports, in the same transaction.
 *
 * Kinds and what they mean:
 *   bcp       the BCP for cyber attacks was made or revised (topic h:cyber-bcp)
 *   backup    an offline / immutable backup was taken and checked (h:backup-restore)
 *   drill     a restore from backup was rehearsed; result ok/failed and the
 *             time it took (h:backup-restore)
 *   contacts  the incident contact chart was made or revised (h:incident-contacts)
 *   training  staff security training was held (h:security-lead)
 *   review    the BCP and the contact chart were reviewed (both topics)
 *
 * Ownership: az_records_* return owned arrays (az_records_free).
 */
#ifndef ANZEN_RECORDS_H
#define ANZEN_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "anzen.h"
#include "date.h"

enum az_rec_kind {
    AZ_REC_BCP,
    AZ_REC_BACKUP,
    AZ_REC_DRILL,
    AZ_REC_CONTACTS,
    AZ_REC_TRAINING,
    AZ_REC_REVIEW,
};
#define AZ_NREC_KINDS 6

/* The accepted kinds, for messages: "bcp, backup, drill, contacts,
 * training, review". */
#define AZ_REC_KINDS "bcp, backup, drill, contacts, training, review"

enum az_rec_result {
    AZ_RES_NONE = 0, /* not given */
    AZ_RES_OK = 1,   /* 成功 */
    AZ_RES_FAILED = 2,
};

struct az_record {
    long long id;
    enum az_rec_kind kind;
    struct az_date date; /* when it was done */
    char *by;            /* who did it (may be NULL) */
    char *note;          /* may be NULL */
    enum az_rec_result result;
    int minutes;       /* restore time in minutes; -1 when not given */
    char *file;        /* evidence copy, relative to the workspace (may be NULL) */
    char *sha256;      /* of the evidence file (hex), NULL without one */
    char *recorded_at; /* UTC time it was recorded */
    char *recorded_by; /* who recorded it (login) */
};

struct az_records {
    struct az_record *v;
    size_t n;
};

void az_records_free(struct az_records *r);

/* "bcp", ... */
const char *az_rec_kind_token(enum az_rec_kind k);
/* The Japanese or English name (サイバー攻撃を想定した BCP). */
const char *az_rec_kind_name(enum az_rec_kind k, enum az_lang lang);
/* Parse a token or a Japanese name; -1 if unknown. */
int az_rec_kind_parse(const char *s);
/* The checklist topics (finding.h) a kind supports, NULL-terminated. */
const char *const *az_rec_kind_topics(enum az_rec_kind k);
/* "ok" / "failed" / NULL. */
const char *az_rec_result_token(enum az_rec_result r);
/* 成功, 失敗, ok, success, failed, failure, ng; -1 if unknown. */
int az_rec_result_parse(const char *s);
/* A restore time: 90, 90m, 90分, 2h, 2時間, 1h30m, 1時間30分. Returns the
 * minutes (0 .. 100000) or -1. */
int az_rec_minutes_parse(const char *s);

/* The newest record of kind k dated on or before as_of (the drill: the
 * newest of any result), or NULL. */
const struct az_record *az_records_last(const struct az_records *r, enum az_rec_kind k,
                                        struct az_date as_of);

/* A record as JSON: {id, kind, kind_name, date, by, note, result,
 * minutes, file, sha256, recorded_at, recorded_by}. */
json_t *az_record_json(const struct az_record *r, enum az_lang lang);
/* One line describing the record ("復元訓練 2026-05-01 成功 45 分 (山田)"),
 * new string or NULL on ENOMEM. */
char *az_record_text(const struct az_record *r, enum az_lang lang);

/* 12 months after d (29 February → 28 February). */
struct az_date az_date_add_year(struct az_date d);

/* ---- a workspace's records (lib/workspace/records.c) ---- */
struct az_workspace;

/* Every record of the workspace's store (none when it has no store). */
int az_ws_records(struct az_workspace *ws, struct az_ctx *ctx, struct az_records *ret);
/*
 * Add rec (kind, date, by, note, result, minutes) to the workspace store.
 * A date after the workspace's as_of is refused. evidence_path (may be
 * NULL) is read (regular file, 1 byte .. 64 MiB), hashed with SHA-256 and
 * copied atomically to evidence/<first 16 hex digits>-<name> in the
 * workspace directory. The record is attached as evidence (kind
 * "record", source "record:ID [file]") to every item of the default
 * checklist edition, in the profile's form, that the kind's topics
 * resolve to; record, evidence and change log go in one transaction, and
 * a copy made for a record that then fails is removed again.
 */
int az_ws_record_add(struct az_workspace *ws, struct az_ctx *ctx, struct az_record *rec,
                     const char *evidence_path, const char *who, long long *ret_id);
/* The same, and a record identical to an existing one (kind, date, by,
 * note, result, restore time, evidence hash) is not added again: *ret_id
 * is the existing record's id and *ret_dup (may be NULL) is set true. */
int az_ws_record_add_ex(struct az_workspace *ws, struct az_ctx *ctx, struct az_record *rec,
                        const char *evidence_path, const char *who, long long *ret_id,
                        bool *ret_dup);

#endif
