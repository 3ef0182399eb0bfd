/* SPDX-License-Identifier: MIT */
/*
 * sqlite_records.c - records of the recurring duties in the SQLite store
 * (store.h, records.h): one row per record, added together with its
 * evidence rows and change-log entry in one BEGIN IMMEDIATE transaction.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/records.h"
#include "anzen/store.h"
#include "sqlite_internal.h"

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

int az_store_record_add(struct az_store *st, struct az_ctx *ctx, const struct az_record *r,
                        const char *const *items, size_t nitems, const char *evidence_text,
                        const char *who, long long *ret_id)
{
    sqlite3_stmt *s = NULL;
    char at[32], date[16], object[48];
    AZ_AUTOFREE char *after = NULL, *source = NULL;
    struct az_record copy = *r;
    json_t *j;
    long long id;
    int rc;

    if (r->kind < 0 || r->kind >= AZ_NREC_KINDS || !az_date_valid(r->date))
        return az_fail(ctx, AZ_EINVAL, "記録の種類か日付が正しくありません",
                       "invalid record kind or date");
    az__store_now_iso(at, sizeof(at));
    az_date_iso(r->date, date, sizeof(date));
    if ((rc = az__store_begin(st, ctx)) < 0)
        return rc;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO records (kind, done_on, done_by, note, result, minutes, "
                           "file, sha256, recorded_at, recorded_by) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &s, NULL) != SQLITE_OK) {
        rc = az__store_dberr(st, ctx, "書き込み");
        goto fail;
    }
    sqlite3_bind_text(s, 1, az_rec_kind_token(r->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
    bind_opt(s, 3, r->by);
    bind_opt(s, 4, r->note);
    bind_opt(s, 5, az_rec_result_token(r->result));
    if (r->minutes >= 0)
        sqlite3_bind_int(s, 6, r->minutes);
    else
        sqlite3_bind_null(s, 6);
    bind_opt(s, 7, r->file);
    bind_opt(s, 8, r->sha256);
    sqlite3_bind_text(s, 9, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 10, who && *who ? who : "-", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    s = NULL;
    if (rc != SQLITE_DONE) {
        rc = az__store_dberr(st, ctx, "書き込み");
        goto fail;
    }
    id = sqlite3_last_insert_rowid(st->db);
    copy.id = id;
    copy.recorded_at = at;
    copy.recorded_by = (char *)(who && *who ? who : "-");
    j = az_record_json(&copy, AZ_LANG_JA);
    if (j) {
        json_object_del(j, "kind_name");
        after = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    }
    json_decref(j);
    snprintf(object, sizeof(object), "record:%lld", id);
    if (!after ||
        az_strf(&source, "%s%s%s", object, r->file ? " " : "", r->file ? r->file : "") < 0) {
        rc = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto fail;
    }
    if ((rc = az__store_log(st, ctx, who, "create", object, NULL, after)) < 0)
        goto fail;
    for (size_t i = 0; i < nitems; i++)
        if ((rc = az__store_add_evidence(st, ctx, items[i], "record", evidence_text, source, who)) <
            0)
            goto fail;
    if ((rc = az__store_commit(st, ctx)) < 0)
        goto fail;
    if (ret_id)
        *ret_id = id;
    return 0;
fail:
    az__store_rollback(st);
    return rc;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? strdup((const char *)t) : NULL;
}

int az_store_records(struct az_store *st, struct az_ctx *ctx, struct az_records *ret)
{
    sqlite3_stmt *s;
    struct az_records out = {0};
    size_t cap = 0;
    int rc;

    if (sqlite3_prepare_v2(
            st->db,
            "SELECT id, kind, done_on, done_by, note, result, minutes, file, sha256, "
            "recorded_at, recorded_by FROM records ORDER BY done_on, id",
            -1, &s, NULL) != SQLITE_OK)
        return az__store_dberr(st, ctx, "読み込み");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct az_record *x;
        const char *date = (const char *)sqlite3_column_text(s, 2);
        int kind = az_rec_kind_parse((const char *)sqlite3_column_text(s, 1));
        if (kind < 0)
            continue; /* the CHECK constraint keeps these out */
        if (out.n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct az_record *nv = realloc(out.v, nc * sizeof(*nv));
            if (!nv)
                goto nomem;
            out.v = nv;
            cap = nc;
        }
        x = &out.v[out.n];
        memset(x, 0, sizeof(*x));
        x->id = sqlite3_column_int64(s, 0);
        x->kind = (enum az_rec_kind)kind;
        if (!date || az_date_parse(date, false, &x->date) < 0)
            continue;
        x->by = col_dup(s, 3);
        x->note = col_dup(s, 4);
        x->result = az_rec_result_parse((const char *)sqlite3_column_text(s, 5));
        if ((int)x->result < 0)
            x->result = AZ_RES_NONE;
        x->minutes = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 6);
        x->file = col_dup(s, 7);
        x->sha256 = col_dup(s, 8);
        x->recorded_at = col_dup(s, 9);
        x->recorded_by = col_dup(s, 10);
        out.n++;
        if (!x->recorded_at || !x->recorded_by)
            goto nomem;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        az_records_free(&out);
        return az__store_dberr(st, ctx, "読み込み");
    }
    *ret = out;
    return 0;
nomem:
    sqlite3_finalize(s);
    az_records_free(&out);
    return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
}
