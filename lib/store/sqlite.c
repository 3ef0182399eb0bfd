/* SPDX-License-Identifier: MIT */
/*
 * sqlite.c - the workspace store on SQLite (store.h).
 *
 * WAL journal, foreign keys on, synchronous=FULL, and every multi-row change
 * inside BEGIN IMMEDIATE ... COMMIT, so a killed process leaves the old or
 * the new state. Schema changes are numbered migrations applied in order
 * and recorded in PRAGMA user_version.
 */
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../internal.h"
#include "anzen/plan.h"
#include "anzen/finding.h"
#include "anzen/store.h"
#include "sqlite_internal.h"

/* migrations[i] takes the schema from version i to i+1 */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE profile ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  body TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE answer_sets ("
    "  id INTEGER PRIMARY KEY,"
    "  edition TEXT NOT NULL,"
    "  form TEXT NOT NULL,"
    "  system TEXT NOT NULL DEFAULT '',"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (edition, form, system));"
    "CREATE TABLE answers ("
    "  set_id INTEGER NOT NULL REFERENCES answer_sets(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  item TEXT NOT NULL,"
    "  answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'na', 'none')),"
    "  checked TEXT, target TEXT, note TEXT,"
    "  evidence TEXT NOT NULL DEFAULT '[]',"
    "  PRIMARY KEY (set_id, item));"
    "CREATE TABLE assessments ("
    "  id INTEGER PRIMARY KEY,"
    "  taken_at TEXT NOT NULL,"
    "  as_of TEXT NOT NULL,"
    "  edition TEXT NOT NULL,"
    "  form TEXT NOT NULL,"
    "  system TEXT NOT NULL DEFAULT '',"
    "  answers TEXT NOT NULL,"
    "  evaluation TEXT NOT NULL);"
    "CREATE TABLE change_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  who TEXT NOT NULL,"
    "  what TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  before TEXT,"
    "  after TEXT);"
    "CREATE TRIGGER change_log_append_only_u BEFORE UPDATE ON change_log"
    "  BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;"
    "CREATE TRIGGER change_log_append_only_d BEFORE DELETE ON change_log"
    "  BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;",
    /* 1 -> 2: the remediation plan's per-item decisions */
    "CREATE TABLE plan_items ("
    "  item TEXT PRIMARY KEY,"
    "  state TEXT NOT NULL," /* JSON: tracks, priority, reason */
    "  updated_at TEXT NOT NULL);"
    /* evidence records attached to checklist items (documents, notes, and
     * later ledger and scan findings) */
    "CREATE TABLE evidence ("
    "  id INTEGER PRIMARY KEY,"
    "  item TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  source TEXT,"
    "  collected_at TEXT NOT NULL,"
    "  who TEXT NOT NULL);"
    "CREATE INDEX evidence_item ON evidence (item);",
    /* 2 -> 3: accounts of the web UI (sqlite_auth.c). Secrets are never
     * stored in the clear: argon2id password hashes, TOTP secrets sealed
     * under the key file next to the workspace, hashes of session IDs and
     * recovery codes. */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  display TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN"
    "    ('management', 'planning', 'operations', 'viewer', 'vendor')),"
    "  admin INTEGER NOT NULL DEFAULT 0,"
    "  vendor TEXT NOT NULL DEFAULT '',"
    "  password TEXT NOT NULL,"
    "  totp TEXT NOT NULL DEFAULT '',"
    "  totp_pending TEXT NOT NULL DEFAULT '',"
    "  totp_last_step INTEGER NOT NULL DEFAULT 0,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  CHECK ((role = 'vendor') = (vendor <> '')));"
    "CREATE TABLE recovery_codes ("
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  hash TEXT NOT NULL,"
    "  used_at TEXT,"
    "  PRIMARY KEY (user_id, hash));"
    "CREATE TABLE sessions ("
    "  id TEXT PRIMARY KEY," /* BLAKE2b of the cookie value */
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  csrf TEXT NOT NULL,"
    "  stage INTEGER NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  seen INTEGER NOT NULL,"
    "  addr TEXT NOT NULL);"
    "CREATE INDEX sessions_user ON sessions (user_id);"
    "CREATE TABLE login_failures ("
    "  key TEXT PRIMARY KEY," /* 'user:NAME' or 'addr:IP' */
    "  count INTEGER NOT NULL,"
    "  first INTEGER NOT NULL,"
    "  locked_until INTEGER NOT NULL DEFAULT 0);",
    /* 4: findings are recorded once (az_store_add_findings looks each one
     * up): without this index every lookup scanned the item's evidence,
     * so saving n findings took n² steps */
    "CREATE INDEX evidence_dedupe ON evidence (item, kind, source, description);",
    /* 4 -> 5: records of the recurring duties (records.h, sqlite_records.c) */
    "CREATE TABLE records ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN"
    "    ('bcp', 'backup', 'drill', 'contacts', 'training', 'review')),"
    "  done_on TEXT NOT NULL,"
    "  done_by TEXT,"
    "  note TEXT,"
    "  result TEXT CHECK (result IS NULL OR result IN ('ok', 'failed')),"
    "  minutes INTEGER,"
    "  file TEXT,"
    "  sha256 TEXT,"
    "  recorded_at TEXT NOT NULL,"
    "  recorded_by TEXT NOT NULL);"
    "CREATE INDEX records_kind ON records (kind, done_on);",
    /* 5 -> 6: the change log becomes a hash chain (sqlite_audit.c): each row's
     * hash covers the one before; the head keeps the last id and hash */
    "ALTER TABLE change_log ADD COLUMN hash TEXT;"
    "ALTER TABLE change_log ADD COLUMN mac TEXT;"
    "CREATE TABLE audit_head ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  last_id INTEGER NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  mac TEXT);"
    "CREATE INDEX change_log_at ON change_log (at);",
    /* 6 -> 7: a temporary password (anzen user add/reset-password
     * --temporary) must be changed at the next sign-in */
    "ALTER TABLE users ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* The English for the Japanese word naming what failed ("読み込み"). */
static const char *what_en(const char *ja)
{
    static const char *const t[][2] = {
        {"読み込み", "read"}, {"書き込み", "write"}, {"移行", "migration"}, {"記録", "record"},
        {"設定", "setup"},    {"開始", "begin"},     {"確定", "commit"}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(ja, t[i][0]))
            return t[i][1];
    return ja;
}

static int dberr(struct az_store *st, struct az_ctx *ctx, const char *what_ja)
{
    int code = sqlite3_errcode(st->db);
    const char *what = ctx->lang == AZ_LANG_EN ? what_en(what_ja) : what_ja;

    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return az_fail(ctx, AZ_EIO,
                       "%s: ほかの処理がワークスペースを長く使っているため%sできませんでした。"
                       "しばらくしてからもう一度実行してください",
                       "%s: another process held the workspace too long, so the %s did not "
                       "happen; try again in a moment",
                       st->path, what);
    return az_fail(ctx, AZ_EIO, "%s: ワークスペースの%sに失敗しました: %s",
                   "%s: workspace %s failed: %s", st->path, what, sqlite3_errmsg(st->db));
}

static int exec(struct az_store *st, struct az_ctx *ctx, const char *sql, const char *what)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int r = az_fail(ctx, AZ_EIO, "%s: ワークスペースの%sに失敗しました: %s",
                        "%s: workspace %s failed: %s", st->path,
                        ctx->lang == AZ_LANG_EN ? what_en(what) : what, msg ? msg : "?");
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

static void now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;

    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, n, "1970-01-01T00:00:00Z");
        return;
    }
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int begin(struct az_store *st, struct az_ctx *ctx)
{
    return exec(st, ctx, "BEGIN IMMEDIATE", "開始");
}

static int commit(struct az_store *st, struct az_ctx *ctx)
{
    return exec(st, ctx, "COMMIT", "確定");
}

static void rollback(struct az_store *st)
{
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int user_version(struct az_store *st, int *ret)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);

    if (rc != SQLITE_OK)
        return -1;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *ret = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int migrate(struct az_store *st, struct az_ctx *ctx)
{
    int v, r;

    if (user_version(st, &v) < 0)
        return dberr(st, ctx, "読み込み");
    if (v > NMIGRATIONS)
        return az_fail(ctx, AZ_EINVAL,
                       "%s: ワークスペースの形式 (版 %d) がこの anzen (版 %d まで) より新しいです",
                       "%s: the workspace schema (version %d) is newer than this anzen knows (%d)",
                       st->path, v, NMIGRATIONS);
    while (v < NMIGRATIONS) {
        char sql[64];
        if ((r = begin(st, ctx)) < 0)
            return r;
        /* another process may have migrated while we waited for the lock */
        if (user_version(st, &v) < 0) {
            rollback(st);
            return dberr(st, ctx, "読み込み");
        }
        if (v >= NMIGRATIONS) {
            if ((r = commit(st, ctx)) < 0)
                return r;
            break;
        }
        if ((r = exec(st, ctx, migrations[v], "移行")) < 0 ||
            (v == 5 && (r = az__store_chain_seal_legacy(st, ctx)) < 0)) {
            rollback(st);
            return r;
        }
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
        if ((r = exec(st, ctx, sql, "移行")) < 0 || (r = commit(st, ctx)) < 0) {
            rollback(st);
            return r;
        }
        v++;
    }
    st->schema = v;
    return 0;
}

int az_store_open(struct az_ctx *ctx, const char *path, struct az_store **ret)
{
    struct az_store *st = calloc(1, sizeof(*st));
    int r;

    if (!st || !(st->path = strdup(path))) {
        free(st);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    /* the workspace holds password hashes and sessions: made 0600, and
     * SQLite gives its -wal and -shm files the database's mode. O_EXCL:
     * opening and closing an existing database here would drop the POSIX
     * locks other connections of this process hold on it (SQLite's own
     * warning), so only a file that does not exist yet is touched */
    if (strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0) {
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        r = az_fail(ctx, AZ_EIO, "%s: ワークスペースを開けません: %s",
                    "%s: cannot open the workspace: %s", path,
                    st->db ? sqlite3_errmsg(st->db) : "?");
        az_store_close(st);
        return r;
    }
    /* writers queue behind each other (a large ledger save takes a moment)
     * rather than fail with "database is locked" */
    sqlite3_busy_timeout(st->db, 60000);
    /* two processes opening a new workspace at once: switching to WAL
     * needs the database to itself, and SQLite answers SQLITE_BUSY there
     * without waiting, so wait here (up to about 20 s) */
    for (int i = 0; i < 400; i++) {
        int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    if ((r = exec(st, ctx,
                  "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
                  "設定")) < 0 ||
        (r = az__store_audit_key(st, ctx)) < 0 || (r = migrate(st, ctx)) < 0) {
        az_store_close(st);
        return r;
    }
    *ret = st;
    return 0;
}

void az_store_close(struct az_store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->log_stmt);
    sqlite3_finalize(st->evidence_stmt);
    sqlite3_finalize(st->chain_stmt);
    sodium_memzero(st->audit_key, sizeof(st->audit_key));
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int az_store_version(struct az_store *st, struct az_ctx *ctx, uint64_t *ret)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(st->db, "PRAGMA data_version", -1, &s, NULL) != SQLITE_OK)
        return dberr(st, ctx, "読み込み");
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *ret = ((uint64_t)sqlite3_column_int64(s, 0) << 32) ^
               (uint64_t)sqlite3_total_changes64(st->db);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : dberr(st, ctx, "読み込み");
}

int az_store_schema(const struct az_store *st)
{
    return st->schema;
}

/* Append to the change log (inside the caller's transaction). */
/* The statement kept in *slot, prepared on first use (NULL on error). */
static sqlite3_stmt *reuse(struct az_store *st, sqlite3_stmt **slot, const char *sql)
{
    if (!*slot &&
        sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK)
        *slot = NULL;
    return *slot;
}

static int log_change(struct az_store *st, struct az_ctx *ctx, const char *who, const char *what,
                      const char *object, const char *before, const char *after)
{
    char at[32];

    now_iso(at, sizeof(at));
    return az__store_chain_append(st, ctx, at, who && *who ? who : "-", what, object, before,
                                  after);
}

static json_t *col_json(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? json_string((const char *)t) : json_null();
}

static char *profile_text(struct az_store *st)
{
    sqlite3_stmt *s;
    char *out = NULL;

    if (sqlite3_prepare_v2(st->db, "SELECT body FROM profile WHERE id = 1", -1, &s, NULL) !=
        SQLITE_OK)
        return NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        out = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

static int put_profile_tx(struct az_store *st, struct az_ctx *ctx, const char *text,
                          const char *who)
{
    sqlite3_stmt *s;
    char at[32], *before = profile_text(st);
    int rc;

    if (before && !strcmp(before, text)) {
        free(before);
        return 0; /* unchanged: no log entry */
    }
    now_iso(at, sizeof(at));
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO profile (id, body, updated_at) VALUES (1, ?, ?) "
                           "ON CONFLICT (id) DO UPDATE SET body = excluded.body, "
                           "updated_at = excluded.updated_at",
                           -1, &s, NULL) != SQLITE_OK) {
        free(before);
        return dberr(st, ctx, "書き込み");
    }
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, at, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        free(before);
        return dberr(st, ctx, "書き込み");
    }
    rc = log_change(st, ctx, who, before ? "update" : "create", "profile", before, text);
    free(before);
    return rc;
}

int az_store_put_profile(struct az_store *st, struct az_ctx *ctx, const char *text, const char *who)
{
    int r = begin(st, ctx);

    if (r < 0)
        return r;
    if ((r = put_profile_tx(st, ctx, text, who)) < 0 || (r = commit(st, ctx)) < 0) {
        rollback(st);
        return r;
    }
    return 0;
}

int az_store_get_profile(struct az_store *st, struct az_ctx *ctx, char **ret_text)
{
    char *t = profile_text(st);

    if (!t)
        return az_fail(ctx, AZ_ENOTFOUND, "%s: ワークスペースにプロファイルがありません",
                       "%s: the workspace has no profile", st->path);
    *ret_text = t;
    return 0;
}

static const char *ans_token(enum az_ans a)
{
    static const char *t[] = {"none", "yes", "no", "na"};
    return t[a];
}

static enum az_ans ans_from_token(const char *s)
{
    if (!strcmp(s, "yes"))
        return AZ_ANS_YES;
    if (!strcmp(s, "no"))
        return AZ_ANS_NO;
    if (!strcmp(s, "na"))
        return AZ_ANS_NA;
    return AZ_ANS_NONE;
}

/* The rows of one answer set as compact JSON (for the change log), or NULL
 * when the set does not exist. */
static char *set_json(struct az_store *st, const char *edition, const char *form,
                      const char *system)
{
    sqlite3_stmt *s;
    json_t *arr = json_array();
    char *out = NULL;
    int found = 0;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT a.item, a.answer, a.checked, a.target, a.note, a.evidence "
                           "FROM answer_sets s LEFT JOIN answers a ON a.set_id = s.id "
                           "WHERE s.edition = ? AND s.form = ? AND s.system = ? ORDER BY a.seq",
                           -1, &s, NULL) != SQLITE_OK) {
        json_decref(arr);
        return NULL;
    }
    sqlite3_bind_text(s, 1, edition, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, form, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, system, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        found = 1;
        if (sqlite3_column_type(s, 0) == SQLITE_NULL)
            continue; /* a set with no answers */
        json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "item",
                                             col_json(s, 0), "answer", col_json(s, 1), "checked",
                                             col_json(s, 2), "target", col_json(s, 3), "note",
                                             col_json(s, 4), "evidence", col_json(s, 5)));
    }
    sqlite3_finalize(s);
    if (found)
        out = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return out;
}

static int put_answers_tx(struct az_store *st, struct az_ctx *ctx, const struct az_answers *a,
                          const char *who)
{
    sqlite3_stmt *s = NULL;
    const char *sys = a->system ? a->system : "";
    char at[32], object[256], *before = NULL, *after = NULL;
    long long set_id = -1;
    int r = 0;

    /* the previous state, for the change log */
    before = set_json(st, a->edition->id, a->form->id, sys);
    now_iso(at, sizeof(at));
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO answer_sets (edition, form, system, updated_at) "
                           "VALUES (?, ?, ?, ?) ON CONFLICT (edition, form, system) "
                           "DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
                           -1, &s, NULL) != SQLITE_OK)
        goto dbfail;
    sqlite3_bind_text(s, 1, a->edition->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, a->form->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, sys, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, at, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_ROW)
        goto dbfail;
    set_id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM answers WHERE set_id = ?", -1, &s, NULL) !=
        SQLITE_OK)
        goto dbfail;
    sqlite3_bind_int64(s, 1, set_id);
    if (sqlite3_step(s) != SQLITE_DONE)
        goto dbfail;
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO answers (set_id, seq, item, answer, checked, target, "
                           "note, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK)
        goto dbfail;
    /* catalog order, so the same answers always give the same rows */
    for (size_t i = 0; i < a->edition->nitems; i++) {
        const struct az_answer *x = az_answers_get(a, a->edition->items[i]);
        char d1[16], d2[16], *ev;
        if (!x)
            continue;
        json_t *arr = json_array();
        for (size_t k = 0; k < x->nevidence; k++)
            json_array_append_new(arr, json_string(x->evidence[k]));
        ev = json_dumps(arr, JSON_COMPACT);
        json_decref(arr);
        az_date_iso(x->checked, d1, sizeof(d1));
        az_date_iso(x->target, d2, sizeof(d2));
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, set_id);
        sqlite3_bind_int64(s, 2, (long long)i);
        sqlite3_bind_text(s, 3, x->item->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, ans_token(x->ans), -1, SQLITE_STATIC);
        if (x->has_checked)
            sqlite3_bind_text(s, 5, d1, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 5);
        if (x->has_target)
            sqlite3_bind_text(s, 6, d2, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 6);
        sqlite3_bind_text(s, 7, x->note, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 8, ev ? ev : "[]", -1, SQLITE_TRANSIENT);
        free(ev);
        if (sqlite3_step(s) != SQLITE_DONE)
            goto dbfail;
    }
    sqlite3_finalize(s);
    s = NULL;
    snprintf(object, sizeof(object), "answers:%s/%s%s%s", a->edition->id, a->form->id,
             *sys ? "/" : "", sys);
    after = set_json(st, a->edition->id, a->form->id, sys);
    if (before && after && !strcmp(before, after))
        goto out; /* unchanged: no log entry (the rewrite is a no-op) */
    r = log_change(st, ctx, who, before ? "update" : "create", object, before, after);
    goto out;
dbfail:
    r = dberr(st, ctx, "書き込み");
out:
    sqlite3_finalize(s);
    free(before);
    free(after);
    return r;
}

int az_store_put_answers(struct az_store *st, struct az_ctx *ctx, const struct az_answers *a,
                         const char *who)
{
    int r = begin(st, ctx);

    if (r < 0)
        return r;
    if ((r = put_answers_tx(st, ctx, a, who)) < 0 || (r = commit(st, ctx)) < 0) {
        rollback(st);
        return r;
    }
    return 0;
}

int az_store_import(struct az_store *st, struct az_ctx *ctx, const char *profile_text,
                    struct az_answers *const *sets, size_t nsets, const char *who)
{
    int r = begin(st, ctx);

    if (r < 0)
        return r;
    if (profile_text && (r = put_profile_tx(st, ctx, profile_text, who)) < 0)
        goto fail;
    for (size_t i = 0; i < nsets; i++)
        if ((r = put_answers_tx(st, ctx, sets[i], who)) < 0)
            goto fail;
    if ((r = commit(st, ctx)) < 0)
        goto fail;
    return 0;
fail:
    rollback(st);
    return r;
}

int az_store_get_answers(struct az_store *st, struct az_ctx *ctx, const struct az_catalog *cat,
                         const char *edition, const char *form, const char *system,
                         struct az_answers **ret)
{
    sqlite3_stmt *s;
    const struct az_edition *ed;
    const struct az_form *fm;
    struct az_answers *a;
    int rc, r = 0;

    ed = az_catalog_edition(cat, edition);
    fm = ed ? az_edition_form(ed, form) : NULL;
    if (!ed || !fm)
        return az_fail(ctx, AZ_ENOTFOUND, "版 %s の様式 %s はカタログにありません",
                       "edition %s form %s is not in the catalog", edition, form);
    if (sqlite3_prepare_v2(st->db,
                           "SELECT a.item, a.answer, a.checked, a.target, a.note, a.evidence "
                           "FROM answers a JOIN answer_sets s ON s.id = a.set_id "
                           "WHERE s.edition = ? AND s.form = ? AND s.system = ? ORDER BY a.seq",
                           -1, &s, NULL) != SQLITE_OK)
        return dberr(st, ctx, "読み込み");
    sqlite3_bind_text(s, 1, ed->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, fm->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, system ? system : "", -1, SQLITE_STATIC);
    a = az_answers_new(ed, fm);
    if (!a || (system && !(a->system = strdup(system)))) {
        sqlite3_finalize(s);
        az_answers_free(a);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct az_answer x;
        const char *item = (const char *)sqlite3_column_text(s, 0);
        const char *chk = (const char *)sqlite3_column_text(s, 2);
        const char *tgt = (const char *)sqlite3_column_text(s, 3);
        const char *ev = (const char *)sqlite3_column_text(s, 5);
        json_t *arr = ev ? json_loads(ev, 0, NULL) : NULL;
        const char *evs[128];

        memset(&x, 0, sizeof(x));
        x.item = az_catalog_item(cat, item);
        if (!x.item) {
            json_decref(arr);
            r = az_fail(ctx, AZ_ENOTFOUND, "%s: ワークスペースの項目 %s はカタログにありません",
                        "%s: workspace item %s is not in the catalog", st->path, item);
            break;
        }
        x.ans = ans_from_token((const char *)sqlite3_column_text(s, 1));
        x.has_checked = chk && az_date_parse(chk, false, &x.checked) == 0;
        x.has_target = tgt && az_date_parse(tgt, false, &x.target) == 0;
        x.note = (char *)sqlite3_column_text(s, 4);
        for (size_t k = 0; json_is_array(arr) && k < json_array_size(arr) && k < 128; k++)
            if (json_is_string(json_array_get(arr, k)))
                evs[x.nevidence++] = json_string_value(json_array_get(arr, k));
        x.evidence = (char **)evs;
        r = az_answers_set(a, &x);
        json_decref(arr);
        if (r < 0) {
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            break;
        }
    }
    if (!r && rc != SQLITE_DONE)
        r = dberr(st, ctx, "読み込み");
    sqlite3_finalize(s);
    if (!r && a->n == 0) {
        /* distinguish "no such set" from "set with no answers" */
        sqlite3_stmt *q;
        int found = 0;
        if (sqlite3_prepare_v2(st->db,
                               "SELECT 1 FROM answer_sets WHERE edition = ? AND form = ? AND "
                               "system = ?",
                               -1, &q, NULL) == SQLITE_OK) {
            sqlite3_bind_text(q, 1, ed->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, fm->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, system ? system : "", -1, SQLITE_STATIC);
            found = sqlite3_step(q) == SQLITE_ROW;
            sqlite3_finalize(q);
        }
        if (!found)
            r = AZ_ENOTFOUND;
    }
    if (r < 0) {
        az_answers_free(a);
        return r;
    }
    *ret = a;
    return 0;
}

int az_store_list_answer_sets(struct az_store *st, struct az_ctx *ctx, json_t **ret)
{
    sqlite3_stmt *s;
    json_t *arr = json_array();
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT edition, form, system, updated_at, "
                           "(SELECT count(*) FROM answers WHERE set_id = answer_sets.id) "
                           "FROM answer_sets ORDER BY edition, form, system",
                           -1, &s, NULL) != SQLITE_OK) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:i}", "edition", col_json(s, 0),
                                             "form", col_json(s, 1), "system", col_json(s, 2),
                                             "updated_at", col_json(s, 3), "answers",
                                             sqlite3_column_int(s, 4)));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    *ret = arr;
    return 0;
}

int az_store_snapshot(struct az_store *st, struct az_ctx *ctx, const struct az_eval *e,
                      const struct az_answers *a, const char *who, long long *ret_id)
{
    sqlite3_stmt *s;
    json_t *j = az_eval_to_json(e);
    char *ev = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    char *ay = a ? az_answers_to_yaml(a, AZ_LANG_JA) : strdup("");
    char at[32], asof[16], object[64];
    long long id = 0;
    int r;

    json_decref(j);
    if (!ev || !ay) {
        free(ev);
        free(ay);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    now_iso(at, sizeof(at));
    az_date_iso(e->as_of, asof, sizeof(asof));
    if ((r = begin(st, ctx)) < 0)
        goto out;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO assessments (taken_at, as_of, edition, form, system, "
                           "answers, evaluation) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK) {
        r = dberr(st, ctx, "書き込み");
        rollback(st);
        goto out;
    }
    sqlite3_bind_text(s, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, asof, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, e->edition->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, e->form->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, e->system ? e->system : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, ay, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, ev, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_finalize(s);
        r = dberr(st, ctx, "書き込み");
        rollback(st);
        goto out;
    }
    sqlite3_finalize(s);
    id = sqlite3_last_insert_rowid(st->db);
    snprintf(object, sizeof(object), "assessment:%lld", id);
    if ((r = log_change(st, ctx, who, "snapshot", object, NULL, NULL)) < 0 ||
        (r = commit(st, ctx)) < 0) {
        rollback(st);
        goto out;
    }
    if (ret_id)
        *ret_id = id;
out:
    free(ev);
    free(ay);
    return r;
}

int az_store_snapshots(struct az_store *st, struct az_ctx *ctx, json_t **ret)
{
    sqlite3_stmt *s;
    json_t *arr = json_array();
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, taken_at, as_of, edition, form, system, "
                           "json_extract(evaluation, '$.total') FROM assessments ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *tot = (const char *)sqlite3_column_text(s, 6);
        json_t *t = tot ? json_loads(tot, 0, NULL) : NULL;
        json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                                             (json_int_t)sqlite3_column_int64(s, 0), "taken_at",
                                             col_json(s, 1), "as_of", col_json(s, 2), "edition",
                                             col_json(s, 3), "form", col_json(s, 4), "system",
                                             col_json(s, 5), "total", t ? t : json_null()));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    *ret = arr;
    return 0;
}

int az_store_snapshot_get(struct az_store *st, struct az_ctx *ctx, long long id, json_t **ret)
{
    sqlite3_stmt *s;
    json_t *j = NULL;

    if (sqlite3_prepare_v2(st->db, "SELECT evaluation FROM assessments WHERE id = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return dberr(st, ctx, "読み込み");
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW)
        j = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
    sqlite3_finalize(s);
    if (!j)
        return az_fail(ctx, AZ_ENOTFOUND, "%s: 評価 #%lld はありません", "%s: no assessment #%lld",
                       st->path, id);
    *ret = j;
    return 0;
}

int az_store_log(struct az_store *st, struct az_ctx *ctx, long long limit, json_t **ret)
{
    sqlite3_stmt *s;
    json_t *arr = json_array();
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT * FROM (SELECT id, at, who, what, object, before, after "
                           "FROM change_log ORDER BY id DESC LIMIT ?) ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    sqlite3_bind_int64(s, 1, limit > 0 ? limit : -1);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                                             (json_int_t)sqlite3_column_int64(s, 0), "at",
                                             col_json(s, 1), "who", col_json(s, 2), "what",
                                             col_json(s, 3), "object", col_json(s, 4), "before",
                                             col_json(s, 5), "after", col_json(s, 6)));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    *ret = arr;
    return 0;
}

/* ---- plan decisions ---- */

static json_t *plan_state_json(const struct az_plan_state *ps)
{
    json_t *tr = json_array();

    for (int k = 0; k < 2; k++) {
        const struct az_plan_track_state *t = &ps->track[k];
        char d[16];
        az_date_iso(t->due, d, sizeof(d));
        json_array_append_new(tr,
                              json_pack("{s:i, s:i, s:s, s:o}", "status", t->status, "owner_role",
                                        (int)t->owner_role, "owner", t->owner ? t->owner : "",
                                        "due", t->has_due ? json_string(d) : json_null()));
    }
    return json_pack("{s:o, s:i, s:s}", "tracks", tr, "priority", ps->priority, "reason",
                     ps->reason ? ps->reason : "");
}

/* Fill ps (zeroed by the caller) from its stored form; false on ENOMEM. */
static bool plan_state_from_json(struct az_plan_state *ps, const char *item, const json_t *j)
{
    const json_t *tr = json_object_get(j, "tracks");
    const char *reason = json_string_value(json_object_get(j, "reason"));

    if (!(ps->item = strdup(item)))
        return false;
    for (int k = 0; k < 2; k++) {
        const json_t *t = json_array_get(tr, (size_t)k);
        const char *due = json_string_value(json_object_get(t, "due"));
        const char *owner = json_string_value(json_object_get(t, "owner"));
        ps->track[k].status = t ? (int)json_integer_value(json_object_get(t, "status")) : -1;
        if (ps->track[k].status < -1 || ps->track[k].status > AZ_PLAN_VERIFIED)
            ps->track[k].status = -1;
        ps->track[k].owner_role =
            (unsigned)json_integer_value(json_object_get(t, "owner_role")) &
            (AZ_ROLE_MANAGEMENT | AZ_ROLE_PLANNING | AZ_ROLE_OPERATIONS | AZ_ROLE_VENDOR);
        if (ps->track[k].owner_role & (ps->track[k].owner_role - 1))
            ps->track[k].owner_role = 0; /* exactly one role */
        if (!(ps->track[k].owner = strdup(owner ? owner : "")))
            return false;
        ps->track[k].has_due = due && az_date_parse(due, false, &ps->track[k].due) == 0;
    }
    ps->priority = (int)json_integer_value(json_object_get(j, "priority"));
    return (ps->reason = strdup(reason ? reason : "")) != NULL;
}

int az_store_plan_states(struct az_store *st, struct az_ctx *ctx, struct az_plan_state **ret,
                         size_t *ret_n)
{
    sqlite3_stmt *s;
    struct az_plan_state *v = NULL;
    size_t n = 0;
    int rc;

    if (sqlite3_prepare_v2(st->db, "SELECT item, state FROM plan_items ORDER BY item", -1, &s,
                           NULL) != SQLITE_OK)
        return dberr(st, ctx, "読み込み");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *j = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);
        struct az_plan_state *nv = realloc(v, (n + 1) * sizeof(*v));
        bool ok;
        if (nv) {
            v = nv;
            memset(&v[n], 0, sizeof(v[n]));
        }
        ok = nv && plan_state_from_json(&v[n++], (const char *)sqlite3_column_text(s, 0), j);
        json_decref(j);
        if (!ok) {
            az_plan_states_free(v, n);
            sqlite3_finalize(s);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        az_plan_states_free(v, n);
        return dberr(st, ctx, "読み込み");
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

/* Read one item's stored decisions as text (NULL when none) inside the
 * caller's transaction. */
static int plan_get_tx(struct az_store *st, struct az_ctx *ctx, const char *item, char **ret)
{
    sqlite3_stmt *s;
    int rc;

    *ret = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT state FROM plan_items WHERE item = ?", -1, &s, NULL) !=
        SQLITE_OK)
        return dberr(st, ctx, "読み込み");
    sqlite3_bind_text(s, 1, item, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && !(*ret = strdup((const char *)sqlite3_column_text(s, 0)))) {
        sqlite3_finalize(s);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dberr(st, ctx, "読み込み");
    return 0;
}

/* Write ps and its change-log entry inside the caller's transaction. */
static int plan_write_tx(struct az_store *st, struct az_ctx *ctx, const struct az_plan_state *ps,
                         const char *before, const char *who)
{
    sqlite3_stmt *s;
    json_t *j = plan_state_json(ps);
    char *after = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL, at[32], *object;
    int r = 0, rc;

    json_decref(j);
    if (!after)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if (before && !strcmp(before, after)) {
        free(after);
        return 0; /* nothing changes: nothing to log */
    }
    now_iso(at, sizeof(at));
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO plan_items (item, state, updated_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (item) DO UPDATE SET state = excluded.state, "
                           "updated_at = excluded.updated_at",
                           -1, &s, NULL) != SQLITE_OK) {
        free(after);
        return dberr(st, ctx, "書き込み");
    }
    sqlite3_bind_text(s, 1, ps->item, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, after, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        r = dberr(st, ctx, "書き込み");
    else if (asprintf(&object, "plan:%s", ps->item) < 0)
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    else {
        r = log_change(st, ctx, who, before ? "update" : "create", object, before, after);
        free(object);
    }
    free(after);
    return r;
}

int az_store_plan_put(struct az_store *st, struct az_ctx *ctx, const struct az_plan_state *ps,
                      const char *who)
{
    char *before = NULL;
    int r;

    if ((r = begin(st, ctx)) < 0)
        return r;
    if ((r = plan_get_tx(st, ctx, ps->item, &before)) < 0 ||
        (r = plan_write_tx(st, ctx, ps, before, who)) < 0 || (r = commit(st, ctx)) < 0)
        rollback(st);
    free(before);
    return r;
}

int az_store_plan_update(struct az_store *st, struct az_ctx *ctx, const char *item,
                         const struct az_plan_patch *patch, const char *who)
{
    struct az_plan_state ps;
    char *before = NULL;
    json_t *j = NULL;
    int r;

    memset(&ps, 0, sizeof(ps));
    ps.track[0].status = ps.track[1].status = -1;
    if ((r = begin(st, ctx)) < 0)
        return r;
    if ((r = plan_get_tx(st, ctx, item, &before)) < 0)
        goto out;
    if (before && !(j = json_loads(before, 0, NULL))) {
        r = az_fail(ctx, AZ_EINVAL, "%s: 計画 %s の記録が壊れています",
                    "%s: the stored plan of %s is damaged", st->path, item);
        goto out;
    }
    if ((j && !plan_state_from_json(&ps, item, j)) || (!j && !(ps.item = strdup(item))) ||
        az_plan_state_apply(&ps, patch) < 0) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto out;
    }
    if ((r = plan_write_tx(st, ctx, &ps, before, who)) < 0)
        goto out;
    r = commit(st, ctx);
out:
    if (r < 0)
        rollback(st);
    json_decref(j);
    free(before);
    free(ps.item);
    free(ps.reason);
    free(ps.track[0].owner);
    free(ps.track[1].owner);
    return r;
}

/* ---- evidence ---- */

/* Insert one evidence record and its change-log entry inside the caller's
 * transaction. */
static int add_evidence_tx(struct az_store *st, struct az_ctx *ctx, const char *item,
                           const char *kind, const char *description, const char *source,
                           const char *who, long long *ret_id)
{
    sqlite3_stmt *s;
    char at[32], object[160];
    json_t *j;
    char *after;
    long long id;
    int r, rc;

    now_iso(at, sizeof(at));
    if (!(s = reuse(st, &st->evidence_stmt,
                    "INSERT INTO evidence (item, kind, description, source, collected_at, "
                    "who) VALUES (?, ?, ?, ?, ?, ?)")))
        return dberr(st, ctx, "書き込み");
    sqlite3_bind_text(s, 1, item, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, description, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, who && *who ? who : "-", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return dberr(st, ctx, "書き込み");
    id = sqlite3_last_insert_rowid(st->db);
    j = json_pack("{s:s, s:s, s:s, s:s?}", "item", item, "kind", kind, "description", description,
                  "source", source);
    after = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    snprintf(object, sizeof(object), "evidence:%lld", id);
    r = log_change(st, ctx, who, "create", object, NULL, after);
    free(after);
    if (r < 0)
        return r;
    if (ret_id)
        *ret_id = id;
    return 0;
}

int az_store_add_evidence(struct az_store *st, struct az_ctx *ctx, const char *item,
                          const char *kind, const char *description, const char *source,
                          const char *who, long long *ret_id)
{
    int r;

    if ((r = begin(st, ctx)) < 0)
        return r;
    if ((r = add_evidence_tx(st, ctx, item, kind, description, source, who, ret_id)) < 0 ||
        (r = commit(st, ctx)) < 0) {
        rollback(st);
        return r;
    }
    return 0;
}

int az_store_add_findings(struct az_store *st, struct az_ctx *ctx, const struct az_catalog *cat,
                          const struct az_edition *ed, const char *form_id, const json_t *findings,
                          const char *kind, const char *source, const char *who, size_t *ret_added)
{
    sqlite3_stmt *q = NULL;
    size_t i, added = 0;
    const json_t *o;
    int r;

    if ((r = begin(st, ctx)) < 0)
        return r;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM evidence WHERE item = ? AND kind = ? AND "
                           "source IS ? AND description = ?",
                           -1, &q, NULL) != SQLITE_OK) {
        r = dberr(st, ctx, "読み込み");
        goto fail;
    }
    json_array_foreach(findings, i, o)
    {
        const char *topics[16];
        struct az_finding f;
        const char *text;
        char *src;
        if (az_finding_read(o, &f, topics, 16) < 0)
            continue;
        text = ctx->lang == AZ_LANG_EN ? f.en : f.ja;
        if ((f.line > 0 ? asprintf(&src, "%s:%ld", source, f.line) : asprintf(&src, "%s", source)) <
            0) {
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            goto fail;
        }
        for (size_t t = 0; t < f.ntopics; t++) {
            const struct az_item *items[16];
            size_t n = az_topic_items(cat, ed, form_id, f.topics[t], items, 16);
            for (size_t k = 0; k < n; k++) {
                int rc;
                sqlite3_reset(q);
                sqlite3_bind_text(q, 1, items[k]->id, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 3, src, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 4, text, -1, SQLITE_STATIC);
                rc = sqlite3_step(q);
                if (rc == SQLITE_ROW)
                    continue;
                if (rc != SQLITE_DONE) {
                    free(src);
                    r = dberr(st, ctx, "読み込み");
                    goto fail;
                }
                if ((r = add_evidence_tx(st, ctx, items[k]->id, kind, text, src, who, NULL)) < 0) {
                    free(src);
                    goto fail;
                }
                added++;
            }
        }
        sqlite3_reset(q);
        free(src);
    }
    sqlite3_finalize(q);
    q = NULL;
    if ((r = commit(st, ctx)) < 0)
        goto fail;
    if (ret_added)
        *ret_added = added;
    return 0;
fail:
    sqlite3_finalize(q);
    rollback(st);
    return r;
}

int az_store_evidence(struct az_store *st, struct az_ctx *ctx, const char *item, json_t **ret)
{
    sqlite3_stmt *s;
    json_t *arr = json_array();
    int rc;

    if (sqlite3_prepare_v2(st->db,
                           "SELECT id, item, kind, description, source, collected_at, who "
                           "FROM evidence WHERE ?1 IS NULL OR item = ?1 ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    sqlite3_bind_text(s, 1, item, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        json_array_append_new(
            arr, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                           (json_int_t)sqlite3_column_int64(s, 0), "item", col_json(s, 1), "kind",
                           col_json(s, 2), "description", col_json(s, 3), "source", col_json(s, 4),
                           "collected_at", col_json(s, 5), "who", col_json(s, 6)));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return dberr(st, ctx, "読み込み");
    }
    *ret = arr;
    return 0;
}

/* ---- for the other files of the SQLite backend (sqlite_internal.h) ---- */

void az__store_now_iso(char *buf, size_t n)
{
    now_iso(buf, n);
}

int az__store_dberr(struct az_store *st, struct az_ctx *ctx, const char *what)
{
    return dberr(st, ctx, what);
}

int az__store_begin(struct az_store *st, struct az_ctx *ctx)
{
    return begin(st, ctx);
}

int az__store_commit(struct az_store *st, struct az_ctx *ctx)
{
    return commit(st, ctx);
}

void az__store_rollback(struct az_store *st)
{
    rollback(st);
}

int az__store_log(struct az_store *st, struct az_ctx *ctx, const char *who, const char *what,
                  const char *object, const char *before, const char *after)
{
    return log_change(st, ctx, who, what, object, before, after);
}

int az__store_add_evidence(struct az_store *st, struct az_ctx *ctx, const char *item,
                           const char *kind, const char *description, const char *source,
                           const char *who)
{
    return add_evidence_tx(st, ctx, item, kind, description, source, who, NULL);
}
