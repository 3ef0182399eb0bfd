/* SPDX-License-Identifier: MIT */
/*
 * workspace.h - the one owner of a workspace directory: which files it
 * holds and their defaults, how they are opened and evaluated into one
 * view (status, plan with the findings of every check, key points, report
 * input), and every read-modify-write, done under one lock so the CLI, the
 * web UI and a hand edit never lose each other's changes.
 *
 * The files of a workspace directory (all optional but the profile):
 *   profile.yaml        the institution (anzen init)
 *   answers.yaml        the institution form's answers (anzen assess)
 *   vendor-SYSTEM.yaml  each system's 事業者確認用
 *   ledger.csv          the asset ledger (anzen ledger import)
 *   vendors.yaml        the vendor registry (anzen vendor add)
 *   scan.json           the last network check (anzen scan -o)
 *   kev.json            a newer KEV subset (anzen kev import)
 *   anzen.db            the SQLite store: plan decisions, evidence,
 *                       snapshots, change log, web accounts
 *   .anzen.lock         the advisory lock of the YAML files
 * A file given explicitly (-p, --ledger, ...) replaces its default; the
 * others are looked for in the directory of the profile.
 *
 * Ownership: az_ws_open returns an owned workspace (az_ws_close) that
 * borrows the catalog and KEV data given to it; az_ws_load returns an
 * owned view (az_ws_view_free) that borrows the workspace.
 */
#ifndef ANZEN_WORKSPACE_H
#define ANZEN_WORKSPACE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "anzen.h"
#include "assess.h"
#include "catalog.h"
#include "date.h"
#include "due.h"
#include "kev.h"
#include "ledger.h"
#include "plan.h"
#include "profile.h"
#include "records.h"
#include "report.h"
#include "vendor.h"

#define AZ_WS_PROFILE "profile.yaml"
#define AZ_WS_ANSWERS "answers.yaml"
#define AZ_WS_DB      "anzen.db"
#define AZ_WS_LEDGER  "ledger.csv"
#define AZ_WS_VENDORS "vendors.yaml"
#define AZ_WS_SCAN    "scan.json"
#define AZ_WS_KEV     "kev.json"
#define AZ_WS_LOCK    ".anzen.lock"
/* Days after the last patch before the ledger check says so. */
#define AZ_WS_PATCH_DAYS 180

/* Paths given by the user; NULL means the default in the directory. */
struct az_ws_files {
    const char *profile, *answers, *db, *ledger, *vendors, *scan;
};

struct az_workspace {
    char *dir; /* the profile's directory ("." by default) */
    char *profile, *answers, *db, *ledger, *vendors, *scan, *lock;
    bool ledger_given, vendors_given, scan_given; /* missing is an error */
    const struct az_catalog *cat;
    const struct az_kev *kev; /* may be NULL: no KEV matching */
    struct az_date as_of;
    int patch_days;
};

int az_ws_open(struct az_ctx *ctx, const struct az_ws_files *files, const struct az_catalog *cat,
               const struct az_kev *kev, struct az_date as_of, struct az_workspace **ret);
void az_ws_close(struct az_workspace *ws);
/* vendor-SYSTEM.yaml beside the answers file (new string, NULL on ENOMEM). */
char *az_ws_vendor_path(const struct az_workspace *ws, const char *system);
/* The same beside answers_path (NULL: the current directory). */
char *az_ws_vendor_path_for(const char *answers_path, const char *system);

/* One system's 事業者確認用: a and e are NULL when it has not come back. */
struct az_ws_vendor_form {
    const struct az_system *sys;
    char *path;
    struct az_answers *a;
    struct az_eval *e;
};

/*
 * Evaluate the answers at answers_path (NULL or missing: nothing answered)
 * for profile p against edition (NULL: the answers' own edition when
 * current, else the default checklist), migrating older answers.
 * vendor_system selects that system's vendor form. *ret_notice (may be
 * NULL) receives a sentence for the user when answers were carried over
 * from an older edition (caller frees), else NULL.
 */
int az_ws_eval(struct az_workspace *ws, struct az_ctx *ctx, const struct az_profile *p,
               const char *answers_path, const char *edition, const char *vendor_system,
               struct az_answers **ret_a, struct az_eval **ret_e, char **ret_notice);
/* Load the profile and evaluate the answers file of the workspace. A
 * missing profile is AZ_ENOTFOUND with a hint to run anzen init. */
int az_ws_load_eval(struct az_workspace *ws, struct az_ctx *ctx, const char *edition,
                    const char *vendor_system, struct az_profile **ret_p, struct az_answers **ret_a,
                    struct az_eval **ret_e, char **ret_notice);
/* Every vendor form the profile expects, evaluated when present. */
int az_ws_vendor_forms(struct az_workspace *ws, struct az_ctx *ctx, const struct az_profile *p,
                       const char *edition, struct az_ws_vendor_form **ret, size_t *ret_n);
void az_ws_vendor_forms_free(struct az_ws_vendor_form *v, size_t n);
/* The forms held in v, each dated by its latest checked date (new array of
 * *ret_n, pointing into v; NULL on ENOMEM). */
struct az_vendor_form_held *az_ws_vendor_held(const struct az_ws_vendor_form *v, size_t n,
                                              size_t *ret_n);
/* The vendor registry check, counting the forms held in v (dated by
 * their latest checked date) as received. NULL on ENOMEM. */
json_t *az_ws_vendor_check(const struct az_vendors *reg, const struct az_profile *p,
                           struct az_date as_of, const struct az_ws_vendor_form *v, size_t n);
/* Load the vendor registry (*ret NULL when there is none). */
int az_ws_vendors(struct az_workspace *ws, struct az_ctx *ctx, const struct az_profile *p,
                  struct az_vendors **ret);
/* Load the ledger (*ret NULL when there is none; an explicitly given
 * missing ledger is an error). */
int az_ws_ledger(struct az_workspace *ws, struct az_ctx *ctx, struct az_ledger **ret);
/* The full ledger check (registry and KEV), with each finding's "items"
 * for edition ed. */
int az_ws_ledger_check(struct az_workspace *ws, struct az_ctx *ctx, const struct az_ledger *l,
                       const struct az_profile *p, const struct az_edition *ed, json_t **ret);
/* Read a saved network check (anzen-scan/1); *ret is NULL when the file
 * does not exist (and was not given explicitly). */
int az_ws_scan(struct az_workspace *ws, struct az_ctx *ctx, const char *path, json_t **ret);

/* The plan decisions kept in the workspace store (none without one). */
int az_ws_plan_states(struct az_workspace *ws, struct az_ctx *ctx, struct az_plan_state **ret,
                      size_t *ret_n);
/* Change one item's decisions in one transaction (az_store_plan_update). */
int az_ws_plan_set(struct az_workspace *ws, struct az_ctx *ctx, const char *item,
                   const struct az_plan_patch *patch, const char *who);

/* Everything the status, plan, dashboard and reports show, evaluated once. */
struct az_ws_view {
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    struct az_ws_vendor_form *vs;
    size_t nvs;
    struct az_plan *plan;
    json_t *keypoints, *ledger_check, *vendor_check;
    json_t *scan;  /* the network check (anzen-scan/1), or NULL */
    json_t *extra; /* extra report sections (the network check) */
    json_t *audit; /* the host audit results (audit/HOST.json), or NULL */
    struct az_ledger *ledger;
    struct az_vendors *vendors;
    struct az_report_vendor *vforms;
    struct az_report_input in; /* points into the above */
    char *notice;              /* answers carried over from an older edition, or NULL */
    struct az_records records; /* the records of the recurring duties (records.h) */
    struct az_dues dues;       /* what falls due (due.h) */
    unsigned long refs;        /* held by az_ws_cache (0 for a view of one's own) */
    /* In a cached view (az_ws_cache) the ledger check's findings are kept
     * only in this compact form (ledger_check and in.ledger_check are then
     * NULL): tens of thousands of JSON objects were most of a server's
     * memory. az_ws_view_check_json makes the JSON again when needed. */
    const struct az_ws_lfinding *lf;
    size_t nlf;
    bool compact;
    /* a cached view borrows ledger and lf from the cache's ledger check
     * (shared by the views of both languages and kept across rebuilds
     * while the ledger, registry, profile and KEV data are unchanged) */
    struct az_ws_lcheck *lc;
};

/* One ledger finding of a cached view: its row (the line Excel shows; 0
 * for none), level ("gap", "attention", ...), texts, rule ("kev", ...)
 * and asset name (the report's KEV box names both). */
struct az_ws_lfinding {
    size_t line;
    const char *level, *ja, *en, *rule, *asset;
    const char *const *topics; /* shared between findings of the same topics */
    size_t ntopics;
};

/*
 * The parsed ledger and its check in compact form, immutable once built:
 * the slow part of a view (seconds for tens of thousands of assets), so
 * az_ws_cache keeps it apart from the view, keyed on az_ws_lcheck_stamp,
 * and a change of answers or plan decisions rebuilds the view without
 * checking the ledger again. Reference-counted; views hold one.
 */
/*
 * What the ledger page derives from the ledger and its check, made once
 * with the check (immutable, shared by every request) so that a request
 * only filters and slices: per row the number of findings, per asset a
 * search key, the kinds present and the segment choices.
 */
#define AZ_WS_LINDEX_SEGS 50 /* segment choices offered at most */
struct az_ws_lindex {
    size_t maxline;    /* the largest row of an asset */
    uint32_t *nline;   /* [maxline + 1]: findings naming row r (r >= 1; [0] is 0) */
    size_t nnone;      /* findings of no row (line 0) */
    char *keys;        /* per asset its searched columns, joined by AZ_WS_LKEY_SEP */
    size_t *key;       /* [n]: where asset i's key starts in keys */
    unsigned kinds;    /* bit k: an asset of kind k is in the ledger */
    const char **segs; /* the first AZ_WS_LINDEX_SEGS distinct non-empty segments */
    size_t nsegs;
};
#define AZ_WS_LKEY_SEP '\x1f'
/* Make *ix for ledger l and the findings lf (lf may be NULL when nlf is 0). */
int az_ws_lindex_build(const struct az_ledger *l, const struct az_ws_lfinding *lf, size_t nlf,
                       struct az_ws_lindex *ix);
void az_ws_lindex_done(struct az_ws_lindex *ix);
/* Does a finding name asset i's row (ledger order)? */
bool az_ws_lindex_flag(const struct az_ws_lindex *ix, const struct az_ledger *l, size_t i);
/* Does text occur in one of asset i's searched columns (name, IP, OS,
 * version, admin, location, segment, system, MAC)? Case-sensitive. */
bool az_ws_lindex_text(const struct az_ws_lindex *ix, const struct az_ledger *l, size_t i,
                       const char *text);

struct az_ws_lcheck {
    uint64_t stamp;
    unsigned long refs;       /* changed only under the cache's lock */
    struct az_ledger *ledger; /* NULL: the workspace has no ledger */
    struct az_ws_lfinding *lf;
    size_t nlf;
    char *text;             /* the strings of lf, in one block */
    const char **topics;    /* the distinct topic lists, one block */
    struct az_ws_lindex ix; /* the ledger page's derived data (ledger not NULL) */
};
/* The stamp of what the ledger check reads: ledger, vendor registry,
 * profile, KEV file, reference date and patch age. */
uint64_t az_ws_lcheck_stamp(const struct az_workspace *ws);
void az_ws_lcheck_free(struct az_ws_lcheck *lc);
/* az_ws_load_with, taking the ledger and its check from *slot when its
 * stamp is current, else checking the ledger and replacing *slot (the
 * reference in *slot is the caller's). For az_ws_cache (under its lock). */
int az_ws_load_shared(struct az_workspace *ws, struct az_ctx *ctx,
                      const struct az_plan_state *states, size_t nstates,
                      struct az_ws_lcheck **slot, struct az_ws_view **ret);

/* The ledger check's findings of a view as JSON ({"findings": [{level, ja,
 * en, rule, asset, line}]}, what the report reads): the view's own object (a new
 * reference), or one made from the compact form. NULL without a ledger
 * check, or out of memory. */
json_t *az_ws_view_check_json(const struct az_ws_view *v);

/* Build the view; the plan decisions come from the store (states NULL)
 * or from the caller (the web UI reads them from its open store). */
int az_ws_load(struct az_workspace *ws, struct az_ctx *ctx, const char *edition,
               struct az_ws_view **ret);
int az_ws_load_with(struct az_workspace *ws, struct az_ctx *ctx, const char *edition,
                    const struct az_plan_state *states, size_t nstates, struct az_ws_view **ret);
void az_ws_view_free(struct az_ws_view *v);

/*
 * Record one answer in the answers file at path (the institution's or a
 * vendor form) as a read-modify-write under the workspace lock: the file
 * is read again inside the lock (migrated to ed when it is older), the
 * fields of x named in fields are set on the answer found there (all of
 * x when there is none), and the file replaced atomically, so answers saved meanwhile by
 * another process (the CLI, the web UI, a hand edit) are kept. When the
 * file does not exist a new answer set of ed/form (and system) is made.
 * When who is given and the workspace store exists, the answers are also
 * recorded there (with their change-log entry) inside the same lock, so
 * the change log and the files agree. *ret (may be NULL) receives the
 * answers as saved (caller frees).
 */
int az_ws_answer_set(struct az_workspace *ws, struct az_ctx *ctx, const char *path,
                     const struct az_edition *ed, const struct az_form *form, const char *system,
                     const struct az_answer *x, unsigned fields, const char *who,
                     struct az_answers **ret);
/* The fields of an answer the user changed (az_ws_answer_set: the others
 * keep the value on file at the time of writing, so two people editing
 * different fields of one answer at once both keep their change). */
enum {
    AZ_AF_ANSWER = 1 << 0,
    AZ_AF_CHECKED = 1 << 1,
    AZ_AF_TARGET = 1 << 2,
    AZ_AF_NOTE = 1 << 3,
    AZ_AF_EVIDENCE = 1 << 4,
    AZ_AF_ALL = (1 << 5) - 1,
};

/* The status of e as "text", "md" or "json" (anzen-status/1), with the
 * vendor forms vs (may be NULL) summarised; NULL on ENOMEM. */
char *az_ws_status_render(enum az_lang lang, const struct az_eval *e, const char *fmt,
                          const struct az_ws_vendor_form *vs, size_t nvs);

/*
 * A view shared between the requests of a long-running front-end (the web
 * UI): az_ws_cache_get returns the cached view for the request's language
 * and reference date when neither the workspace's files nor the store
 * changed (az_ws_stamp: stat data of every file the view reads, plus
 * store_version, which the caller reads from its store with
 * az_store_version), else builds it once, with the plan decisions that
 * states returns. The view is read-only and stays valid until given back
 * with az_ws_cache_put. Thread-safe.
 */
struct az_ws_cache;
typedef int (*az_ws_states_fn)(void *arg, struct az_ctx *ctx, struct az_plan_state **ret,
                               size_t *ret_n);
int az_ws_cache_new(struct az_ws_cache **ret);
void az_ws_cache_free(struct az_ws_cache *c);
int az_ws_cache_get(struct az_ws_cache *c, struct az_workspace *ws, struct az_ctx *ctx,
                    uint64_t store_version, az_ws_states_fn states, void *arg,
                    struct az_ws_view **ret);
void az_ws_cache_put(struct az_ws_cache *c, struct az_ws_view *v);
/* How many views the cache has built (tests, benchmarks). */
unsigned long az_ws_cache_builds(struct az_ws_cache *c);
/* The stamp of the workspace's files and store_version. */
uint64_t az_ws_stamp(const struct az_workspace *ws, uint64_t store_version);

/* Back up the workspace directory dir into one new file out_path (which
 * must not exist): a POSIX ustar archive holding the database db (a name
 * in dir, or a path), copied live and checked (az_store_backup), its key
 * (DB.key), the YAML, CSV and JSON files of dir and the web UI's
 * certificate, read under the workspace lock; mode 0600, written to a
 * temporary file and renamed. Restore: tar -xf out_path -C NEWDIR.
 * *ret_files (may be NULL) counts the files in the archive. */
int az_ws_backup(struct az_ctx *ctx, const char *dir, const char *db, const char *out_path,
                 size_t *ret_files);

/* Take the workspace's advisory lock (flock on .anzen.lock), waiting for
 * another writer. Returns a descriptor for az_ws_unlock, or an error. */
int az_ws_lock(struct az_workspace *ws, struct az_ctx *ctx);
void az_ws_unlock(int fd);

#endif
