/* SPDX-License-Identifier: MIT */
/*
 * pages_ledger.c - the ledger screen of the web UI: the assets and the
 * ledger check's findings a page at a time, their filters, and the CSV
 * upload (moved out of pages.c; helpers shared with it in pages_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/ledger.h"
#include "anzen/workspace.h"
#include "web.h"
#include "pages_impl.h"

/* ---- ledger ---- */

/* ?page=N (1-based) of n rows: sets *first (0-based) and the pager's data
 * in v (page, pages, prev, next, count, shown_from, shown_to, and the query
 * of the other arguments to keep, as "args"). */
void pages_pager(struct req *q, json_t *v, size_t n, size_t *first, const char *const *keep,
                 const char *base)
{
    long page = 1, pages = n ? (long)((n + WEB_PER_PAGE - 1) / WEB_PER_PAGE) : 1;
    const char *pg = web_arg(q, "page");
    struct az_buf args;

    if (!pg || az_parse_long(pg, 1, 1L << 30, &page) < 0)
        page = 1;
    if (page > pages)
        page = pages;
    *first = (size_t)(page - 1) * WEB_PER_PAGE;
    az_buf_init(&args, 8192);
    for (size_t i = 0; keep[i]; i++) {
        const char *a = web_arg(q, keep[i]);
        if (!a || !*a)
            continue;
        az_buf_printf(&args, "&%s=", keep[i]);
        az_url_escape(&args, a, strlen(a));
    }
    json_t *pg_o = v_obj(v, "pager");
    v_int(pg_o, "page", page);
    v_int(pg_o, "pages", pages);
    v_int(pg_o, "count", (long long)n);
    v_int(pg_o, "from", n ? (long long)*first + 1 : 0);
    v_int(pg_o, "to", (long long)(*first + WEB_PER_PAGE < n ? *first + WEB_PER_PAGE : n));
    v_bool(pg_o, "many", pages > 1);
    if (page > 1)
        v_int(pg_o, "prev", page - 1);
    if (page < pages)
        v_int(pg_o, "next", page + 1);
    v_str(pg_o, "args", args.data ? args.data : "");
    v_str(pg_o, "base", base);
    az_buf_done(&args);
}

/* Does asset i pass the kind and segment filters? kmatch[k]: the kind
 * name of k in the page's language is the filter. */
static bool asset_match(const struct az_asset *a, const bool *kmatch, const char *kind,
                        const char *segment)
{
    if (kind && *kind && !((int)a->kind >= 0 && a->kind <= AZ_ASSET_OTHER && kmatch[a->kind]) &&
        !(a->kind_label && !strcmp(a->kind_label, kind)))
        return false;
    if (segment && *segment && strcmp(a->col[AZ_COL_SEGMENT], segment) != 0)
        return false;
    return true;
}

/* The ledger check's findings of a view: the compact form of a cached
 * view, or the JSON. */
struct lfs {
    const struct az_ws_lfinding *lf;
    size_t n;
    const json_t *arr;
};

static size_t lfs_n(const struct lfs *s)
{
    return s->lf ? s->n : json_array_size(s->arr);
}

static size_t lfs_line(const struct lfs *s, size_t i)
{
    json_int_t l;

    if (s->lf)
        return s->lf[i].line;
    l = json_integer_value(json_object_get(json_array_get(s->arr, i), "line"));
    return l > 0 ? (size_t)l : 0;
}

static const char *lfs_get(const struct lfs *s, size_t i, const char *key)
{
    if (s->lf)
        return !strcmp(key, "level") ? s->lf[i].level
               : !strcmp(key, "ja")  ? s->lf[i].ja
                                     : s->lf[i].en;
    return json_string_value(json_object_get(json_array_get(s->arr, i), key));
}

/* The message for a ledger upload that is refused: that nothing was
 * imported, then why (an error, or the rows' report: errors first, then
 * the notes), at most WEB_UPLOAD_REPORT_LINES lines and how many more. */
#define WEB_UPLOAD_REPORT_LINES 200
static char *upload_refused(struct req *q, const char *err, size_t rejected, const char *report)
{
    struct az_buf b;
    size_t lines = 0, more = 0;

    az_buf_init(&b, 1u << 20);
    if (err)
        az_buf_printf(&b, "%s\n%s",
                      T(q, "台帳を取り込みませんでした (今の台帳はそのままです)。",
                        "Nothing was imported (the ledger is unchanged)."),
                      err);
    else
        az_buf_printf(&b,
                      T(q,
                        "台帳を取り込みませんでした (今の台帳はそのままです)。%zu 行に誤りがあり"
                        "ます。直してから取り込み直してください:\n",
                        "Nothing was imported (the ledger is unchanged): %zu rows have errors. "
                        "Correct them and import again:\n"),
                      rejected);
    for (const char *p = report; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        if (lines < WEB_UPLOAD_REPORT_LINES) {
            az_buf_add(&b, p, n);
            lines++;
        } else {
            more++;
        }
        p += n;
    }
    if (more)
        az_buf_printf(&b,
                      T(q, "…ほか %zu 行 (全部は anzen ledger import FILE で)\n",
                        "... and %zu more lines (all of them with anzen ledger import FILE)\n"),
                      more);
    return az_buf_take(&b);
}

/* The ledger page: the assets and the check's findings from the shared
 * view (az_ws_cache: the CSV is read and checked once, not per request),
 * a page of WEB_PER_PAGE rows at a time, filtered by text, kind, segment
 * and "only assets with findings". */
void page_ledger(struct req *q)
{
    static const char *const keep[] = {"q", "kind", "segment", "findings", NULL};
    struct az_ctx ctx;
    struct az_ledger *own = NULL;
    const struct az_ledger *l = NULL;
    struct az_ws_view *view = NULL;
    struct lfs fl = {NULL, 0, NULL};
    bool has_check = false;
    char *data = NULL, *msg = NULL;
    size_t len = 0, i;
    json_t *v;
    bool ok = false;
    struct ws s;
    int r;

    az_ctx_init(&ctx, q->lang);
    if (pages_ws_open(q, &s) < 0) {
        pages_load_error(q, &s);
        pages_ws_done(&s);
        return;
    }
    if (q->post) {
        const struct field *f = NULL;
        struct az_ledger *up = NULL;
        for (int k = 0; k < q->nfields; k++)
            if (!strcmp(q->fields[k].name, "csv") && q->fields[k].filename)
                f = &q->fields[k];
        /* rows with errors are collected, then the whole file refused */
        struct az_ledger_import_opts io = {.collect = true};
        if (!f || !f->len) {
            msg = strdup(T(q, "CSV ファイルを選んでください。", "Choose a CSV file."));
        } else if (az_ledger_import_opts(&ctx, f->filename[0] ? f->filename : "upload.csv",
                                         f->value, f->len, &io, &up) < 0) {
            msg = upload_refused(q, az_errmsg(&ctx), 0, NULL);
        } else if (up->rejected) {
            msg = upload_refused(q, NULL, up->rejected, up->report);
            az_ledger_free(up);
        } else {
            struct az_buf out;
            char detail[64];
            /* no larger than the workspace reads back */
            az_buf_init(&out, AZ_MAX_INPUT);
            if (az_ledger_write_csv(up, &out) < 0) {
                az_fail(&ctx, AZ_ERANGE, "台帳が大きすぎます (保存する CSV の上限 %u MiB)",
                        "the ledger is too large (the saved CSV's limit is %u MiB)",
                        AZ_MAX_INPUT / (1024u * 1024u));
            } else {
                web_lock(q->w);
                if (az_write_file_atomic(&ctx, WEB_LEDGER, out.data, out.len) == 0)
                    ok = true;
                web_unlock(q->w);
            }
            az_buf_done(&out);
            snprintf(detail, sizeof(detail), "%zu assets", up->n);
            if (ok)
                web_audit(q, web_who(q), "import", "ledger", detail);
            msg = ok ? strdup(T(q, "台帳を取り込みました。", "The ledger was imported."))
                     : upload_refused(q, az_errmsg(&ctx), 0, NULL);
            az_ledger_free(up);
        }
    }
    pages_ws_done(&s);
    r = pages_ws_view(q, &s, &view);
    if (r == 0 && view) {
        l = view->ledger;
        if (view->compact) {
            fl.lf = view->lf;
            fl.n = view->nlf;
            has_check = true;
        } else if (view->ledger_check) {
            fl.arr = json_object_get(view->ledger_check, "findings");
            has_check = true;
        }
    } else if (r == 1) {
        /* no profile yet: the assets alone, read here */
        if (access(WEB_LEDGER, F_OK) == 0 &&
            az_read_text_file(&ctx, WEB_LEDGER, &data, &len) == 0 &&
            az_ledger_import(&ctx, WEB_LEDGER, data, len, false, &own) == 0)
            l = own;
    } else {
        free(msg);
        pages_load_error(q, &s);
        pages_ws_done(&s);
        return;
    }
    v = json_object();
    if (msg) {
        v_str(v, "msg", msg);
        v_bool(v, "ok", ok);
    }
    v_bool(v, "can_edit", q->user.role != AZ_UR_VIEWER || q->user.admin);
    v_int(v, "upload_mb", WEB_MAX_LEDGER_UPLOAD / (1024 * 1024));
    {
        const char *text = web_arg(q, "q"), *kind = web_arg(q, "kind"),
                   *segment = web_arg(q, "segment"), *fo = web_arg(q, "findings");
        bool only = fo && !strcmp(fo, "1");
        json_t *flt = v_obj(v, "filter");
        v_str(flt, "q", text);
        v_str(flt, "kind", kind);
        v_str(flt, "segment", segment);
        v_bool(flt, "findings", only);
        /* what the rows derive from the ledger and its check: made once
         * with the shared check (az_ws_lcheck), here only for a view of
         * its own or the assets alone */
        struct az_ws_lindex own_ix = {0};
        const struct az_ws_lindex *ix = view && view->lc && l ? &view->lc->ix : NULL;
        if (l && !ix) {
            size_t n = lfs_n(&fl);
            struct az_ws_lfinding *tmp = fl.lf ? NULL : calloc(n + 1, sizeof(*tmp));
            for (i = 0; tmp && i < n; i++)
                tmp[i].line = lfs_line(&fl, i);
            if ((fl.lf || tmp) && az_ws_lindex_build(l, fl.lf ? fl.lf : tmp, n, &own_ix) == 0)
                ix = &own_ix;
            free(tmp);
        }
        /* the assets that pass the filters: their indexes */
        size_t *hit = l ? malloc((l->n + 1) * sizeof(*hit)) : NULL, nhit = 0, first = 0;
        if (l && (!hit || !ix)) {
            json_decref(v);
            free(hit);
            az_ws_lindex_done(&own_ix);
            free(msg);
            free(data);
            az_ledger_free(own);
            pages_view_done(q, view);
            pages_ws_done(&s);
            web_plain(q, 500, "out of memory\n");
            return;
        }
        bool kmatch[AZ_ASSET_OTHER + 1] = {false};
        for (int k = 0; kind && *kind && k <= AZ_ASSET_OTHER; k++)
            kmatch[k] = !strcmp(az_asset_kind_name((enum az_asset_kind)k, q->lang), kind);
        for (i = 0; l && i < l->n; i++) {
            const struct az_asset *a = &l->v[i];
            if (only && !az_ws_lindex_flag(ix, l, i))
                continue;
            if (asset_match(a, kmatch, kind, segment) && az_ws_lindex_text(ix, l, i, text))
                hit[nhit++] = i;
        }
        if (has_check) {
            /* the findings of the filtered assets (and those of no one
             * row), at most one page of them; counted from the rows */
            json_t *list = v_arr(v, "findings");
            size_t maxline = ix ? ix->maxline : 0;
            unsigned char *shown = NULL;
            size_t nf = 0, total_f = 0;
            bool filtered = (text && *text) || (kind && *kind) || (segment && *segment);
            if (filtered) {
                shown = calloc(maxline + 1, 1);
                for (i = 0; !ix && i < lfs_n(&fl); i++)
                    total_f += lfs_line(&fl, i) == 0;
                if (ix)
                    total_f = ix->nnone;
                for (size_t k = 0; shown && k < nhit; k++) {
                    size_t line = l->v[hit[k]].line;
                    if (line > 0 && !shown[line]) {
                        shown[line] = 1;
                        total_f += ix->nline[line];
                    }
                }
            } else {
                total_f = lfs_n(&fl);
            }
            v_bool(v, "has_findings", true);
            for (i = 0; i < lfs_n(&fl) && nf < WEB_PER_PAGE; i++) {
                size_t line = lfs_line(&fl, i);
                if (filtered && line > 0 && !(shown && line <= maxline && shown[line]))
                    continue;
                json_t *f = v_push(list);
                nf++;
                v_str(f, "level", lfs_get(&fl, i, "level"));
                v_str(f, "text", lfs_get(&fl, i, q->lang == AZ_LANG_EN ? "en" : "ja"));
            }
            v_int(v, "findings_count", (long long)total_f);
            v_bool(v, "findings_more", total_f > nf);
            v_int(v, "findings_shown", (long long)nf);
            free(shown);
        }
        if (l) {
            json_t *as = v_obj(v, "assets"), *rows, *kinds, *segs;
            v_int(as, "count", (long long)l->n);
            pages_pager(q, as, nhit, &first, keep, "/ledger");
            rows = v_arr(as, "rows");
            for (size_t k = first; k < nhit && k < first + WEB_PER_PAGE; k++) {
                const struct az_asset *a = &l->v[hit[k]];
                json_t *row = v_push(rows);
                v_str(row, "kind", az_asset_kind_name(a->kind, q->lang));
                v_str(row, "name", a->col[AZ_COL_NAME]);
                v_str(row, "segment", a->col[AZ_COL_SEGMENT]);
                v_str(row, "os", a->col[AZ_COL_OS]);
                v_str(row, "version", a->col[AZ_COL_VERSION]);
                v_str(row, "admin", a->col[AZ_COL_ADMIN]);
                v_str(row, "last_patch", a->col[AZ_COL_LAST_PATCH]);
                v_bool(row, "finding", az_ws_lindex_flag(ix, l, hit[k]));
            }
            /* the choices of the filters: kinds and segments in the ledger */
            kinds = v_arr(v, "kinds");
            segs = v_arr(v, "segments");
            for (int k = 0; k <= AZ_ASSET_OTHER; k++) {
                const char *name = az_asset_kind_name((enum az_asset_kind)k, q->lang);
                json_t *o;
                if (!(ix->kinds & (1u << k)))
                    continue;
                o = v_push(kinds);
                v_str(o, "name", name);
                v_bool(o, "selected", kind && !strcmp(kind, name));
            }
            for (i = 0; i < ix->nsegs; i++) {
                json_t *o = v_push(segs);
                v_str(o, "name", ix->segs[i]);
                v_bool(o, "selected", segment && !strcmp(segment, ix->segs[i]));
            }
        }
        free(hit);
        az_ws_lindex_done(&own_ix);
    }
    az_ledger_free(own);
    free(data);
    free(msg);
    pages_view_done(q, view);
    pages_ws_done(&s);
    web_page(q, 200, "ledger.html", v, NULL);
}
