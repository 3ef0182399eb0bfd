/* SPDX-License-Identifier: MIT */
/*
 * auditlog.h - the tamper-evident change log and login throttling
 * arithmetic.
 *
 * Every change-log row carries hash = SHA-256("anzen-audit-v1" ||
 * previous row's hash || canonical encoding of the row) and mac =
 * HMAC-SHA256(K, hash), K derived from the workspace key file (DB.key,
 * 0600). A head row (audit_head) holds the last id and hash under its own
 * MAC, so removing the newest rows is noticed too. az_store_audit_verify
 * walks the whole log.
 *
 * Ownership: strings passed in are borrowed; json_t results belong to
 * the caller.
 */
#ifndef ANZEN_AUDITLOG_H
#define ANZEN_AUDITLOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "anzen/anzen.h"

struct az_store;

#define AZ_AUDIT_HASHLEN 32
#define AZ_AUDIT_HEXLEN  65 /* 64 hex digits and the NUL */

/* One change-log row as hashed; before/after may be NULL. */
struct az_audit_row {
    long long id;
    const char *at, *who, *what, *object, *before, *after;
};

/* hash = SHA-256 over "anzen-audit-v1", prev (32 bytes; all zero for the
 * first row) and the canonical encoding of row: each field as a tag byte
 * (0 NULL, 1 text), an 8-byte big-endian length and the bytes; the id as
 * decimal text. Never fails. */
void az_audit_chain_hash(const unsigned char prev[AZ_AUDIT_HASHLEN], const struct az_audit_row *row,
                         unsigned char ret[AZ_AUDIT_HASHLEN]);
/* HMAC-SHA256 of the hash under the audit key, as lower-case hex. */
void az_audit_mac(const unsigned char key[32], const unsigned char hash[AZ_AUDIT_HASHLEN],
                  char ret[AZ_AUDIT_HEXLEN]);

/* Throttling: the seconds a key must wait after its failures-th failure
 * in a row: 0 while failures < free, then base doubled for each further
 * failure, at most cap. */
long long az_backoff_delay(int failures, int free, long long base, long long cap);

/* The result of walking the chain. */
struct az_audit_verdict {
    long long entries; /* rows read */
    long long bad_id;  /* first row that fails (0 when none, -1 for the head) */
    bool ok;
    char *problem_ja, *problem_en; /* what is wrong (heap, NULL when ok) */
};
void az_audit_verdict_free(struct az_audit_verdict *v);
/* Check every row's hash and MAC, the links between rows and the head.
 * Returns 0 when the walk could be done (see ret->ok), or an error. */
int az_store_audit_verify(struct az_store *st, struct az_ctx *ctx, struct az_audit_verdict *ret);

/* Filters of the audit log listing; NULL/0 fields do not filter. Dates
 * are YYYY-MM-DD in JST (both ends included). */
struct az_audit_filter {
    const char *who;  /* exact user name (case-insensitive) or object user:NAME */
    const char *what; /* event token, or a prefix ending in '*' */
    const char *from, *to;
    long long before; /* id < before (paging), 0: newest */
    int limit;        /* 0: no limit */
};
/* Entries newest first: [{id, at, who, what, object, before, after}]. */
int az_store_audit_query(struct az_store *st, struct az_ctx *ctx, const struct az_audit_filter *f,
                         json_t **ret);

/* "2025-06-01T00:00:00Z" (UTC) as "2025-06-01 09:00:00" in Japan
 * Standard Time (+09:00, no daylight saving). out gets s unchanged when it
 * is not of that form. */
void az_audit_time_jst(const char *s, char *out, size_t n);
/* The label of an event token (login-failed: ログイン失敗), or NULL. */
const char *az_audit_label(const char *what, enum az_lang lang);
/* Entries (as az_store_audit_query gives them) as CSV for Excel: UTF-8
 * with a BOM, a header row, JST times, the label and the token of each
 * event, cells that would start a formula prefixed with '. */
int az_audit_csv(const json_t *entries, enum az_lang lang, char **ret, size_t *ret_len);

#endif
