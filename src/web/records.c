/* SPDX-License-Identifier: MIT */
/*
 * records.c - the 記録 screen: the records of the recurring duties
 * (records.h) and a form to add one, with an optional evidence file.
 * The same az_ws_record_add as `anzen record`, so the record, its
 * evidence rows and the change log are written in one transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/due.h"
#include "anzen/records.h"
#include "anzen/workspace.h"
#include "web.h"

#define WEB_PROFILE "profile.yaml"
#define WEB_ANSWERS "answers.yaml"

static struct az_date as_of(struct req *q)
{
    struct az_date d;

    if (q->w->o.as_of_given)
        return q->w->o.as_of;
    if (az_today(secure_getenv("ANZEN_TODAY"), &d) < 0)
        d = (struct az_date){2025, 4, 1};
    return d;
}

static int open_ws(struct req *q, struct az_ctx *ctx, struct az_workspace **ret)
{
    static const struct az_ws_files files = {.profile = WEB_PROFILE, .answers = WEB_ANSWERS};
    return az_ws_open(ctx, &files, q->w->cat, q->w->kev, as_of(q), ret);
}

/* Write an uploaded evidence file into a private directory under its own
 * (sanitised) name; *ret_dir and *ret_path are to be removed and freed. */
static int upload_to_file(struct az_ctx *ctx, const struct field *f, char **ret_dir,
                          char **ret_path)
{
    char tmpl[] = "/tmp/anzen-upload-XXXXXX";
    char *name = strdup(f->filename && *f->filename ? f->filename : "evidence");
    char *base, *dir = NULL, *path = NULL;
    int r;

    if (!name)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    if (strrchr(base, '\\'))
        base = strrchr(base, '\\') + 1;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        base = (char *)"evidence";
    if (!mkdtemp(tmpl)) {
        free(name);
        return az_fail(ctx, AZ_EIO, "一時ディレクトリを作れません: %s",
                       "cannot create a temporary directory: %s", az_errno_text(ctx->lang, errno));
    }
    dir = strdup(tmpl);
    path = az_fmt("%s/%s", tmpl, base);
    free(name);
    if (!dir || !path) {
        rmdir(tmpl);
        free(dir);
        free(path);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    if ((r = az_write_file_atomic(ctx, path, f->value, f->len)) < 0) {
        rmdir(dir);
        free(dir);
        free(path);
        return r;
    }
    *ret_dir = dir;
    *ret_path = path;
    return 0;
}

/* Add the record the form describes. NULL on success, else the message
 * to show (caller frees). */
static char *add_from_form(struct req *q, struct az_workspace *ws, long long *ret_id)
{
    struct az_ctx ctx;
    struct az_record rec = {.minutes = -1};
    const char *kind = web_field(q, "kind"), *date = web_field(q, "date");
    const char *result = web_field(q, "result"), *mins = web_field(q, "restore_time");
    const struct field *file = NULL;
    char *dir = NULL, *path = NULL, *msg = NULL;
    int k, r;

    az_ctx_init(&ctx, q->lang);
    if ((k = az_rec_kind_parse(kind ? kind : "")) < 0)
        return az_fmt(T(q, "記録の種類を選んでください (使えるもの: %s)",
                        "Choose what to record (accepted: %s)"),
                      AZ_REC_KINDS);
    rec.kind = (enum az_rec_kind)k;
    if (!date || !*date)
        rec.date = as_of(q);
    else if (az_date_parse(date, false, &rec.date) < 0)
        return az_fmt(T(q,
                        "日付「%s」を読めません。2026-05-01、2026/5/1、令和8年5月1日、R8.5.1 の"
                        "ように書いてください。",
                        "The date \"%s\" cannot be read; write it as 2026-05-01, 2026/5/1, "
                        "令和8年5月1日 or R8.5.1."),
                      date);
    if (result && *result) {
        int v = az_rec_result_parse(result);
        if (v < 0)
            return az_fmt(T(q, "結果「%s」は使えません (成功 / 失敗)",
                            "The result \"%s\" is not accepted (ok / failed)"),
                          result);
        rec.result = (enum az_rec_result)v;
    }
    if (mins && *mins && (rec.minutes = az_rec_minutes_parse(mins)) < 0)
        return az_fmt(T(q, "復元にかかった時間「%s」を読めません (90、90分、1時間30分)",
                        "The restore time \"%s\" cannot be read (90, 90m, 1h30m)"),
                      mins);
    if ((rec.result || rec.minutes >= 0) && rec.kind != AZ_REC_DRILL && rec.kind != AZ_REC_BACKUP)
        return strdup(T(q, "結果と時間はバックアップと復元訓練だけに記録します。",
                        "A result and time are recorded for backups and restore drills only."));
    rec.by = (char *)web_field(q, "by");
    rec.note = (char *)web_field(q, "note");
    if (rec.by && !*rec.by)
        rec.by = NULL;
    if (rec.note && !*rec.note)
        rec.note = NULL;
    for (int i = 0; i < q->nfields; i++)
        if (!strcmp(q->fields[i].name, "file") && q->fields[i].filename && q->fields[i].len)
            file = &q->fields[i];
    if (file && upload_to_file(&ctx, file, &dir, &path) < 0)
        return strdup(az_errmsg(&ctx));
    web_lock(q->w);
    r = az_ws_record_add(ws, &ctx, &rec, path, web_who(q), ret_id);
    web_unlock(q->w);
    if (r < 0)
        msg = strdup(az_errmsg(&ctx));
    if (path)
        unlink(path);
    if (dir)
        rmdir(dir);
    free(path);
    free(dir);
    return msg;
}

void page_records(struct req *q)
{
    struct az_ctx ctx;
    struct az_workspace *ws = NULL;
    struct az_records recs = {0};
    char *msg = NULL;
    long long id = 0;
    json_t *v, *list, *kinds;
    bool can_add = q->user.role != AZ_UR_VIEWER || q->user.admin;

    az_ctx_init(&ctx, q->lang);
    if (open_ws(q, &ctx, &ws) < 0) {
        web_error(q, 500, "ワークスペースを開けません。", "Cannot open the workspace.");
        return;
    }
    if (q->post) {
        if (!(msg = add_from_form(q, ws, &id))) {
            char loc[64];
            az_ws_close(ws);
            snprintf(loc, sizeof(loc), "/records?added=%lld", id);
            web_redirect(q, loc);
            return;
        }
    }
    if (az_ws_records(ws, &ctx, &recs) < 0) {
        az_ws_close(ws);
        free(msg);
        web_error(q, 500, "記録を読めません。", "Cannot read the records.");
        return;
    }
    v = json_object();
    if (msg) {
        v_str(v, "msg", msg);
        q->r.status = 400;
    } else if (web_arg(q, "added")) {
        v_str(v, "msg", T(q, "記録しました。", "Recorded."));
        v_bool(v, "ok", true);
    }
    v_bool(v, "can_add", can_add);
    kinds = v_arr(v, "kinds");
    for (int k = 0; k < AZ_NREC_KINDS; k++) {
        json_t *o = v_push(kinds);
        const char *sel = web_field(q, "kind");
        v_str(o, "value", az_rec_kind_token((enum az_rec_kind)k));
        v_str(o, "name", az_rec_kind_name((enum az_rec_kind)k, q->lang));
        v_bool(o, "selected", sel && !strcmp(sel, az_rec_kind_token((enum az_rec_kind)k)));
    }
    if (msg) {
        /* keep what was typed */
        v_str(v, "f_date", web_field(q, "date"));
        v_str(v, "f_by", web_field(q, "by"));
        v_str(v, "f_note", web_field(q, "note"));
        v_str(v, "f_restore_time", web_field(q, "restore_time"));
    }
    list = v_arr(v, "records");
    for (size_t i = recs.n; i-- > 0;) {
        const struct az_record *x = &recs.v[i];
        json_t *o = v_push(list);
        char d[16];
        az_date_iso(x->date, d, sizeof(d));
        v_int(o, "id", x->id);
        v_str(o, "kind", az_rec_kind_token(x->kind));
        v_str(o, "kind_name", az_rec_kind_name(x->kind, q->lang));
        v_str(o, "date", d);
        v_str(o, "by", x->by);
        v_str(o, "note", x->note);
        v_str(o, "result",
              x->result == AZ_RES_OK       ? T(q, "成功", "ok")
              : x->result == AZ_RES_FAILED ? T(q, "失敗", "failed")
                                           : "");
        v_bool(o, "failed", x->result == AZ_RES_FAILED);
        if (x->minutes >= 0)
            v_int(o, "minutes", x->minutes);
        v_str(o, "file", x->file);
        v_str(o, "sha256", x->sha256 ? x->sha256 : "");
        v_str(o, "recorded_by", x->recorded_by);
    }
    az_records_free(&recs);
    az_ws_close(ws);
    free(msg);
    web_page(q, q->r.status ? q->r.status : 200, "records.html", v, NULL);
}

/* ---- the wizard's questions about the duties ---- */

static const char *tri(bool stated, bool v)
{
    return !stated ? "unknown" : v ? "yes" : "no";
}

void wizard_duties_view(struct req *q, const struct az_profile *p, json_t *v)
{
    json_t *d = v_obj(v, "duties");
    const char *s;

    (void)q;
    s = tri(p && p->cyber_bcp.stated, p && p->cyber_bcp.present);
    v_bool(d, "bcp_yes", !strcmp(s, "yes"));
    v_bool(d, "bcp_no", !strcmp(s, "no"));
    v_bool(d, "bcp_unknown", !strcmp(s, "unknown"));
    s = tri(p && p->incident_contacts.stated, p && p->incident_contacts.present);
    v_bool(d, "contacts_yes", !strcmp(s, "yes"));
    v_bool(d, "contacts_no", !strcmp(s, "no"));
    v_bool(d, "contacts_unknown", !strcmp(s, "unknown"));
    s = tri(p && p->backup_stated, p && (p->backup_offline || p->backup_immutable));
    v_bool(d, "backup_yes", !strcmp(s, "yes"));
    v_bool(d, "backup_no", !strcmp(s, "no"));
    v_bool(d, "backup_unknown", !strcmp(s, "unknown"));
    s = tri(p && (p->signatures_stated || p->nsignatures), p && p->nsignatures > 0);
    v_bool(d, "sig_yes", !strcmp(s, "yes"));
    v_bool(d, "sig_no", !strcmp(s, "no"));
    v_bool(d, "sig_unknown", !strcmp(s, "unknown"));
}

/* a date field: 0 empty, 1 read, -1 unreadable or after today */
static int form_date(struct req *q, const char *name, struct az_date *ret)
{
    const char *s = web_field(q, name);

    if (!s || !*s)
        return 0;
    if (az_date_parse(s, false, ret) < 0 || az_date_cmp(*ret, as_of(q)) > 0)
        return -1;
    return 1;
}

char *wizard_duties_apply(struct req *q, struct az_profile *np)
{
    static const char *const dates[] = {"duty_bcp_date", "duty_contacts_date", "duty_drill_date",
                                        "duty_training_date"};
    const char *v;
    struct az_date d;

    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
        if (form_date(q, dates[i], &d) < 0)
            return az_fmt(T(q,
                            "日付「%s」を読めないか、今日より後です。2026-05-01 や 令和8年5月1日 "
                            "のように書いてください。",
                            "The date \"%s\" cannot be read or is after today; write it as "
                            "2026-05-01 or 令和8年5月1日."),
                          web_field(q, dates[i]));
    if ((v = web_field(q, "duty_bcp")) && strcmp(v, "unknown")) {
        np->cyber_bcp.stated = true;
        np->cyber_bcp.present = !strcmp(v, "yes");
    }
    if ((v = web_field(q, "duty_contacts")) && strcmp(v, "unknown")) {
        np->incident_contacts.stated = true;
        np->incident_contacts.present = !strcmp(v, "yes");
    }
    if ((v = web_field(q, "duty_backup")) && strcmp(v, "unknown")) {
        np->backup_stated = true;
        np->backup_offline = !strcmp(v, "yes");
    }
    if ((v = web_field(q, "duty_signatures")) && !strcmp(v, "no") && !np->nsignatures)
        np->signatures_stated = true;
    return NULL;
}

char *wizard_duties_record(struct req *q)
{
    static const struct {
        const char *field;
        enum az_rec_kind kind;
    } f[] = {{"duty_bcp_date", AZ_REC_BCP},
             {"duty_contacts_date", AZ_REC_CONTACTS},
             {"duty_drill_date", AZ_REC_DRILL},
             {"duty_training_date", AZ_REC_TRAINING}};
    struct az_ctx ctx;
    struct az_workspace *ws = NULL;
    struct az_records recs = {0};
    char *msg = NULL;

    az_ctx_init(&ctx, q->lang);
    if (open_ws(q, &ctx, &ws) < 0 || az_ws_records(ws, &ctx, &recs) < 0) {
        az_ws_close(ws);
        return strdup(az_errmsg(&ctx));
    }
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && !msg; i++) {
        struct az_record rec = {.kind = f[i].kind, .minutes = -1, .note = (char *)"wizard"};
        bool dup = false;
        if (form_date(q, f[i].field, &rec.date) != 1)
            continue;
        if (f[i].kind == AZ_REC_DRILL) {
            const char *r = web_field(q, "duty_drill_result");
            int x = az_rec_result_parse(r ? r : "");
            rec.result = x > 0 ? (enum az_rec_result)x : AZ_RES_NONE;
        }
        /* saving the wizard again does not record the same thing twice */
        for (size_t k = 0; k < recs.n; k++)
            dup |= recs.v[k].kind == rec.kind && !az_date_cmp(recs.v[k].date, rec.date);
        if (dup)
            continue;
        web_lock(q->w);
        if (az_ws_record_add(ws, &ctx, &rec, NULL, web_who(q), NULL) < 0)
            msg = strdup(az_errmsg(&ctx));
        web_unlock(q->w);
    }
    az_records_free(&recs);
    az_ws_close(ws);
    return msg;
}
