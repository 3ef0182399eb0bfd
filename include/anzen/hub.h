/* SPDX-License-Identifier: MIT */
/*
 * hub.h - submission bundles and the aggregation hub (docs/hub.md).
 *
 * A bundle is what one institution (or a headquarters for its branches)
 * chooses to share with a hub run by a hospital group, a medical
 * association or a prefecture: status per item, overdue items, the plan
 * summary, the key points and counts of findings by kind, never the raw
 * ledger. It is versioned JSON (anzen-bundle/1), signed with the
 * institution's Ed25519 key over its canonical encoding (jansson
 * JSON_COMPACT|JSON_SORT_KEYS, integers only, no duplicate keys) and put
 * in an envelope (anzen-signed/1); the envelope may be sealed to the
 * hub's X25519 public key (anzen-sealed/1, crypto_box_seal).
 *
 * The hub keeps the institutions it enrolled (with their public keys) and
 * the newest accepted bundle of each institution and fiscal year in
 * PostgreSQL (libpq), partitioned by prefecture and fiscal year.
 */
#ifndef ANZEN_HUB_H
#define ANZEN_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "anzen.h"

#define AZ_BUNDLE_SCHEMA   "anzen-bundle/1"
#define AZ_SIGNED_SCHEMA   "anzen-signed/1"
#define AZ_SEALED_SCHEMA   "anzen-sealed/1"
#define AZ_SIGN_KEY_FILE   "anzen-sign.key" /* in the workspace, 0600 */
#define AZ_SIGN_PUB_FILE   "anzen-sign.pub"
#define AZ_SUBMIT_SEQ_FILE "anzen-submit.seq"
#define AZ_BUNDLE_MAX      (4u * 1024 * 1024) /* one bundle, sealed or not */

struct az_ws_view;

/* ---- keys ---- */

/* The signing key pair (Ed25519) in the files key_path (secret, 0600)
 * and pub_path; made when key_path does not exist (*ret_created). */
int az_sign_key_load_or_create(struct az_ctx *ctx, const char *key_path, const char *pub_path,
                               unsigned char sk[64], unsigned char pk[32], bool *ret_created);
/* A public key file (anzen-ed25519-public/1 or anzen-x25519-public/1),
 * or the key itself in base64. */
int az_pub_key_load(struct az_ctx *ctx, const char *path_or_b64, const char *kind,
                    unsigned char pk[32]);
/* The hub's sealing key pair (X25519): secret (0600) and public files. */
int az_box_keys_create(struct az_ctx *ctx, const char *key_path, const char *pub_path);
int az_box_key_load(struct az_ctx *ctx, const char *key_path, unsigned char pk[32],
                    unsigned char sk[32]);
/* "SHA256:" and the hex of the key's SHA-256 in groups of four (new
 * string, NULL on ENOMEM), for out-of-band registration. */
char *az_key_fingerprint(const unsigned char pk[32]);
/* The base64 of a 32-byte key (new string). */
char *az_key_b64(const unsigned char pk[32]);

/* ---- bundles ---- */

struct az_bundle_opts {
    const char *institution; /* the id the hub enrolled, [A-Za-z0-9._-]{1,64} */
    int64_t sequence;        /* >= 1, grows with every submission */
    const char *created_at;  /* YYYY-MM-DDTHH:MM:SSZ */
    const char *bundle_id;   /* 32 hex digits; NULL: random */
    bool include_ledger;     /* also the ledger's assets (asked for explicitly) */
    const json_t *branches;  /* headquarters: [{institution, items:{topic:status}, ...}] */
};

/* The payload of a bundle from the workspace view v. */
int az_bundle_build(struct az_ctx *ctx, const struct az_ws_view *v, const struct az_bundle_opts *o,
                    json_t **ret);
/* The canonical encoding of a payload: compact, keys sorted, UTF-8;
 * refuses reals (their text is not canonical). New string. */
int az_bundle_canonical(struct az_ctx *ctx, const json_t *payload, char **ret, size_t *ret_len);
/* The signed envelope as one line of JSON ending in a newline. */
int az_bundle_sign(struct az_ctx *ctx, const json_t *payload, const unsigned char sk[64],
                   char **ret, size_t *ret_len);
/* Seal a signed envelope to the hub's X25519 key (one line of JSON). */
int az_bundle_seal(struct az_ctx *ctx, const char *data, size_t len, const unsigned char hub_pk[32],
                   char **ret, size_t *ret_len);

/* A parsed, signature-checked bundle. */
struct az_bundle {
    json_t *payload;
    unsigned char key[32]; /* the signer's public key */
    const char *id, *institution, *created_at;
    int64_t sequence;
    int fiscal_year;
    bool sealed;
    bool as_received; /* the signature was checked over the payload's bytes
                       * as received (they were canonical), not re-encoded */
};
/*
 * Parse one envelope (sealed or not) named name: schema, the payload's
 * fields and the signature over its canonical encoding. A sealed bundle
 * needs the hub's keys (hub_pk/hub_sk may be NULL otherwise). Checking
 * that the key is the institution's enrolled one is the hub's part.
 */
int az_bundle_parse(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                    const unsigned char *hub_pk, const unsigned char *hub_sk,
                    struct az_bundle **ret);
void az_bundle_free(struct az_bundle *b);
/*
 * Where the payload of a signed envelope (not sealed) lies in data, when
 * its signature can be checked over those bytes as they are: the
 * envelope is one JSON object whose top-level keys are written without
 * escapes, "payload" appears once, and its value is already in the
 * canonical encoding. 0 and the byte range; -1 otherwise (the parser then
 * re-encodes the payload). Validity as JSON is not checked here.
 */
int az_bundle_signed_span(const char *data, size_t len, size_t *ret_off, size_t *ret_len);

/* ---- prefectures ---- */

/* The JIS code (1..47) of a prefecture given as a code, its Japanese
 * name (東京都, 東京) or its romanised name (Tokyo); 0 if unknown. */
int az_pref_code(const char *s);
const char *az_pref_name(int code, enum az_lang lang);
/* The words for an institution type code (hospital: 病院; in English the
 * code itself); "other", the indicators' all but hospitals, too; an
 * unknown code is returned as it is. */
const char *az_hub_type_name(const char *code, enum az_lang lang);

/* ---- the hub (PostgreSQL) ---- */

struct az_hub;
/* Connect (a postgres:// URI or a conninfo string). */
int az_hub_open(struct az_ctx *ctx, const char *conninfo, struct az_hub **ret);
void az_hub_close(struct az_hub *h);
/* Create or migrate the schema (idempotent); *ret_version the version. */
int az_hub_init(struct az_ctx *ctx, struct az_hub *h, int *ret_version);

struct az_hub_inst {
    const char *id, *name, *type, *bed_band, *group, *parent;
    int prefecture;
    unsigned char key[32];
    bool has_key; /* a branch covered by its headquarters may have none */
    /* An id already enrolled keeps what is not given (NULL fields, a
     * prefecture of 0, no key; in az_hub_enrol_many also empty bed band,
     * group and hq). A different key is refused unless replace_key; when
     * it is replaced, *key_replaced (if not NULL) is set and the old key
     * copied to old_key (if not NULL, 32 bytes). A replaced key starts a
     * new series: the sequence and creation time of the last bundle this
     * id signed (for itself and its branches) are forgotten, so the new
     * key's first bundle is accepted; the old key's no longer verify. */
    bool replace_key;
    bool *key_replaced;
    unsigned char *old_key;
};
int az_hub_enrol(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_inst *in);
/* Many at once (one COPY, one transaction), as from a CSV file. */
int az_hub_enrol_many(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_inst *v, size_t n);
/* The same, telling fn every row that cannot be enrolled (i: its index in
 * v, or n when unknown; msg: why, naming the ids and fingerprints), a key
 * change without replace_key or a key already enrolled for another id,
 * before refusing them all (nothing is enrolled). check_only: those
 * checks alone, nothing written (0 when they pass). */
typedef void (*az_hub_enrol_fn)(void *arg, size_t i, const char *msg);
int az_hub_enrol_many_each(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_inst *v,
                           size_t n, az_hub_enrol_fn fn, void *arg, bool check_only);

/* What happened to one bundle during ingest. */
enum az_hub_outcome {
    AZ_HUB_INGESTED,
    AZ_HUB_REPLAY,   /* the same bundle id was already accepted */
    AZ_HUB_OLDER,    /* not newer than the one stored */
    AZ_HUB_BADSIG,   /* unreadable, tampered or badly signed */
    AZ_HUB_WRONGKEY, /* signed, but not with the enrolled key */
    AZ_HUB_UNKNOWN,  /* institution (or branch) not enrolled */
    AZ_HUB_SEALED,   /* sealed to a hub, and no hub key was given */
    AZ_HUB_FUTURE,   /* its fiscal year is later than its creation allows */
    AZ_HUB_SKIPPED,  /* a file in a directory that is not a bundle file (not counted in seen) */
};
typedef void (*az_hub_note_fn)(void *arg, const char *name, enum az_hub_outcome o, const char *msg);
struct az_hub_stats {
    size_t seen, ingested, replay, older, bad, wrongkey, unknown, rows;
    size_t sealed;  /* could not be opened without the hub's key */
    size_t future;  /* fiscal year later than the year it was created in */
    size_t skipped; /* files of a directory that are no bundle files, and subdirectories */
};
/*
 * Ingest the bundles in the files of paths (a directory: its regular
 * files, in name order, not its subdirectories; files that are clearly no
 * bundle files are skipped with a note). A file holds one envelope (maybe
 * re-indented) or several, one per line or one after the other.
 * Each is verified and checked against the enrolled key, replays and
 * older bundles are refused, and the accepted ones are copied in batches
 * (COPY) into the tables, one transaction per batch. note (may be NULL) is
 * told each refusal. An error (AZ_E*) means the database or a file could
 * not be read; refusals are counted in stats, and stats->ingested counts
 * only bundles whose batch was committed (a batch is written while the
 * next one is read; one that fails to commit is the error returned).
 */
int az_hub_ingest(struct az_ctx *ctx, struct az_hub *h, const char *const *paths, size_t npaths,
                  const unsigned char *hub_pk, const unsigned char *hub_sk, az_hub_note_fn note,
                  void *arg, struct az_hub_stats *stats);
/* Tests only: institutions per ingest transaction (0: the default,
 * 25,000), so a few bundles span several batches. */
void az_hub_set_ingest_batch(struct az_hub *h, size_t n);

/* The fiscal year a report or a page shows when none is asked for: the
 * newest year for which at least half as many institutions have submitted
 * as for the year before (any year without a year before counts). So the
 * first clinic to send in April does not switch every dashboard to a year
 * of one institution; the new year is shown once it has caught up, and is
 * always there to choose (?fy=, --fiscal-year). One row, one column: the
 * year, or 0 when nothing has been ingested. No parameters. */
#define AZ_HUB_DEFAULT_FY_SQL                                                                      \
    "WITH c AS (SELECT fiscal_year AS fy, count(*) AS n FROM inst_year GROUP BY 1)"                \
    " SELECT coalesce((SELECT a.fy FROM c a LEFT JOIN c b ON b.fy = a.fy - 1"                      \
    " WHERE b.n IS NULL OR a.n * 2 >= b.n ORDER BY a.fy DESC LIMIT 1), 0)"

/* The default fiscal year (AZ_HUB_DEFAULT_FY_SQL), reused for a minute by
 * the same handle and forgotten by its ingests. 0 or AZ_EIO. */
int az_hub_default_fy(struct az_ctx *ctx, struct az_hub *h, int *fy);

/* An ORDER BY term that puts bed bands (column y.bed_band) by size, not
 * as text (which puts 100-199 before 20-99). */
#define AZ_HUB_BAND_ORDER                                                                          \
    "array_position(ARRAY['0','1-19','20-99','100-199','200-399','400-499','500+'], y.bed_band)"

/* The scope of a report or a dashboard query. */
struct az_hub_scope {
    int prefecture;    /* 0: all */
    const char *group; /* NULL: all */
    int fiscal_year;   /* 0: the newest in the hub */
};
/* The report as JSON (anzen-hub-report/1): every section, each one query
 * (the dashboard's queries; az_hub_query runs one by name). */
int az_hub_report(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_scope *s,
                  const char *survey_yaml, size_t survey_len, json_t **ret);
extern const char *const az_hub_queries[]; /* NULL-terminated section names */
int az_hub_query(struct az_ctx *ctx, struct az_hub *h, const char *name,
                 const struct az_hub_scope *s, json_t **ret);
/* The report rendered as a single-file HTML page or an XLSX file. */
int az_hub_report_html(struct az_ctx *ctx, const json_t *rep, char **ret, size_t *ret_len);
int az_hub_report_xlsx(struct az_ctx *ctx, const json_t *rep, const char *path);
/* The MHLW survey rates shipped with anzen (data/hub/survey.yaml). */
int az_hub_survey_embedded(const char **ret, size_t *ret_len);
/* The report's "survey" section from its "indicators" section (for a
 * scope az_hub_report does not cover: an association's members). */
int az_hub_survey_section(struct az_ctx *ctx, const char *survey_yaml, size_t survey_len,
                          const json_t *indicators, int fiscal_year, json_t **ret);

#endif
