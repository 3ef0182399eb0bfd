/* SPDX-License-Identifier: MIT */
/*
 * workspace.c - the files of a workspace directory, their evaluation into
 * one view, and the locked read-modify-writes (workspace.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/finding.h"
#include "anzen/keypoints.h"
#include "anzen/store.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

static int enomem(struct az_ctx *ctx)
{
    return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
}

/* dir/name, or a copy of given when given. */
static char *path_in(const char *dir, const char *given, const char *name)
{
    char *s = NULL;

    if (given)
        return strdup(given);
    if (!strcmp(dir, "."))
        return strdup(name);
    return asprintf(&s, "%s/%s", dir, name) < 0 ? NULL : s;
}

int az_ws_open(struct az_ctx *ctx, const struct az_ws_files *f, const struct az_catalog *cat,
               const struct az_kev *kev, struct az_date as_of, struct az_workspace **ret)
{
    static const struct az_ws_files none;
    struct az_workspace *ws = calloc(1, sizeof(*ws));
    const char *slash;

    if (!f)
        f = &none;
    if (!ws)
        return enomem(ctx);
    slash = f->profile ? strrchr(f->profile, '/') : NULL;
    ws->dir = slash ? strndup(f->profile, (size_t)(slash - f->profile + (slash == f->profile)))
                    : strdup(".");
    if (!ws->dir)
        goto fail;
    ws->profile = path_in(ws->dir, f->profile, AZ_WS_PROFILE);
    ws->answers = path_in(ws->dir, f->answers, AZ_WS_ANSWERS);
    ws->db = path_in(ws->dir, f->db, AZ_WS_DB);
    ws->ledger = path_in(ws->dir, f->ledger, AZ_WS_LEDGER);
    ws->vendors = path_in(ws->dir, f->vendors, AZ_WS_VENDORS);
    ws->scan = path_in(ws->dir, f->scan, AZ_WS_SCAN);
    ws->lock = path_in(ws->dir, NULL, AZ_WS_LOCK);
    if (!ws->profile || !ws->answers || !ws->db || !ws->ledger || !ws->vendors || !ws->scan ||
        !ws->lock)
        goto fail;
    ws->ledger_given = f->ledger != NULL;
    ws->vendors_given = f->vendors != NULL;
    ws->scan_given = f->scan != NULL;
    ws->cat = cat;
    ws->kev = kev;
    ws->as_of = as_of;
    ws->patch_days = AZ_WS_PATCH_DAYS;
    *ret = ws;
    return 0;
fail:
    az_ws_close(ws);
    return enomem(ctx);
}

void az_ws_close(struct az_workspace *ws)
{
    if (!ws)
        return;
    free(ws->dir);
    free(ws->profile);
    free(ws->answers);
    free(ws->db);
    free(ws->ledger);
    free(ws->vendors);
    free(ws->scan);
    free(ws->lock);
    free(ws);
}

char *az_ws_vendor_path_for(const char *answers_path, const char *system)
{
    const char *slash = answers_path ? strrchr(answers_path, '/') : NULL;
    char *s = NULL;
    int n = slash ? asprintf(&s, "%.*s/vendor-%s.yaml", (int)(slash - answers_path), answers_path,
                             system)
                  : asprintf(&s, "vendor-%s.yaml", system);
    return n < 0 ? NULL : s;
}

char *az_ws_vendor_path(const struct az_workspace *ws, const char *system)
{
    return az_ws_vendor_path_for(ws->answers, system);
}

static bool exists(const char *path)
{
    return path && access(path, F_OK) == 0;
}

/* The edition to assess against: name, or the default checklist. */
static const struct az_edition *edition(const struct az_workspace *ws, struct az_ctx *ctx,
                                        const char *name)
{
    const struct az_edition *ed;

    if (!name) {
        if (!(ed = az_catalog_default_checklist(ws->cat)))
            az_fail(ctx, AZ_ENOTFOUND, "評価に使えるチェックリストの版がカタログにありません",
                    "the catalog has no checklist edition to assess against");
        return ed;
    }
    ed = az_catalog_edition(ws->cat, name);
    if (!ed || !ed->checklist) {
        az_fail(ctx, AZ_ENOTFOUND,
                "チェックリストの版 \"%s\" はありません (anzen catalog list で確認できます)",
                "no checklist edition \"%s\" (see anzen catalog list)", name);
        return NULL;
    }
    if (!ed->nitems) {
        az_fail(ctx, AZ_EINVAL,
                "%s (%s) は項目一覧が未確認のため収録されておらず、評価に使えません",
                "%s (%s) has no verified item list in anzen and cannot be assessed against", ed->id,
                ed->version);
        return NULL;
    }
    return ed;
}

int az_ws_eval(struct az_workspace *ws, struct az_ctx *ctx, const struct az_profile *p,
               const char *answers_path, const char *ed_name, const char *vendor_system,
               struct az_answers **ret_a, struct az_eval **ret_e, char **ret_notice)
{
    struct az_answers *a = NULL;
    struct az_eval *e = NULL;
    const struct az_edition *ed;
    const struct az_system *sys = NULL;
    char *notice = NULL;
    int r;

    if (ret_notice)
        *ret_notice = NULL;
    if (vendor_system) {
        sys = az_profile_find_system(p, vendor_system);
        if (!sys || !sys->vendor) {
            char *list = az_profile_system_list(p, true);
            r = az_fail(ctx, AZ_ENOTFOUND,
                        "%s: 事業者のいるシステム \"%s\" はありません (指定できるシステム ID: %s)",
                        "%s: no system \"%s\" with a vendor (system IDs: %s)", p->file,
                        vendor_system, list ? list : "-");
            free(list);
            return r;
        }
    }
    if (exists(answers_path)) {
        if ((r = az_answers_load_file(ctx, ws->cat, answers_path, &a)) < 0)
            return r;
        if (sys && (!a->form->vendor || !a->system || strcmp(a->system, sys->id) != 0)) {
            az_answers_free(a);
            return az_fail(ctx, AZ_EINVAL, "%s: システム \"%s\" の事業者確認用の回答ではありません",
                           "%s: not the vendor-form answers of system \"%s\"", answers_path,
                           sys->id);
        }
        if (!sys && a->form->vendor) {
            az_answers_free(a);
            return az_fail(ctx, AZ_EINVAL,
                           "%s: 事業者確認用の回答です (--vendor SYSTEM を付けてください)",
                           "%s: these are vendor-form answers (add --vendor SYSTEM)", answers_path);
        }
    }
    if (ed_name)
        ed = edition(ws, ctx, ed_name);
    else if (a && a->edition->status == AZ_ED_CURRENT)
        ed = a->edition;
    else
        ed = edition(ws, ctx, NULL);
    if (!ed) {
        az_answers_free(a);
        return AZ_EINVAL;
    }
    if (a && a->edition != ed) {
        struct az_answers *m;
        if ((r = az_answers_migrate(ctx, a, ed, &m)) < 0) {
            az_answers_free(a);
            return r;
        }
        if (asprintf(
                &notice,
                ctx->lang == AZ_LANG_EN
                    ? "%s answers: %zu, of which %zu carried over to %s (the rest need a new "
                      "check)"
                    : "%s の回答 %zu 件のうち %zu 件を %s に引き継ぎました (残りは再確認が必要)",
                a->edition->version, a->n, m->n, ed->version) < 0)
            notice = NULL;
        if (notice && m->n && m->v[0].item->confidence == AZ_CONF_IMPORTED) {
            char *more = NULL;
            if (asprintf(&more, "%s\n%s", notice,
                         ctx->lang == AZ_LANG_EN
                             ? "anzen: this edition was imported from the official form; confirm "
                               "each carried answer again against its wording"
                             : "anzen: 取り込んだ公式様式の版です。引き継いだ回答は様式の文で確認し"
                               "直してください") >= 0) {
                free(notice);
                notice = more;
            }
        }
        az_answers_free(a);
        a = m;
    }
    if (!a && sys) {
        const struct az_form *vf = NULL;
        for (size_t f = 0; f < ed->nforms; f++)
            if (ed->forms[f].vendor)
                vf = &ed->forms[f];
        if (!vf) {
            free(notice);
            return az_fail(ctx, AZ_ENOTFOUND, "%s には事業者確認用がありません",
                           "%s has no vendor form", ed->version);
        }
        a = az_answers_new(ed, vf);
        if (!a || !(a->system = strdup(sys->id))) {
            az_answers_free(a);
            free(notice);
            return enomem(ctx);
        }
    }
    /* answers checked in an earlier fiscal year: to re-check (要再確認) */
    az_answers_mark_stale(a, ws->as_of);
    if ((r = az_evaluate(ctx, ws->cat, p, a, ed, ws->as_of, &e)) < 0) {
        az_answers_free(a);
        free(notice);
        return r;
    }
    *ret_a = a;
    *ret_e = e;
    if (ret_notice)
        *ret_notice = notice;
    else
        free(notice);
    return 0;
}

int az_ws_load_eval(struct az_workspace *ws, struct az_ctx *ctx, const char *ed_name,
                    const char *vendor_system, struct az_profile **ret_p, struct az_answers **ret_a,
                    struct az_eval **ret_e, char **ret_notice)
{
    struct az_profile *p = NULL;
    char *vpath = NULL;
    int r;

    if (!exists(ws->profile))
        return az_fail(ctx, AZ_ENOTFOUND,
                       "%s がありません (先に anzen init でプロファイルを作ってください)",
                       "%s does not exist (create a profile first with anzen init)", ws->profile);
    if ((r = az_profile_load_file(ctx, ws->profile, &p)) < 0)
        return r;
    if (vendor_system && !(vpath = az_ws_vendor_path(ws, vendor_system))) {
        az_profile_free(p);
        return enomem(ctx);
    }
    r = az_ws_eval(ws, ctx, p, vpath ? vpath : ws->answers, ed_name, vendor_system, ret_a, ret_e,
                   ret_notice);
    free(vpath);
    if (r < 0) {
        az_profile_free(p);
        return r;
    }
    *ret_p = p;
    return 0;
}

void az_ws_vendor_forms_free(struct az_ws_vendor_form *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        az_eval_free(v[i].e);
        az_answers_free(v[i].a);
        free(v[i].path);
    }
    free(v);
}

int az_ws_vendor_forms(struct az_workspace *ws, struct az_ctx *ctx, const struct az_profile *p,
                       const char *ed_name, struct az_ws_vendor_form **ret, size_t *ret_n)
{
    struct az_ws_vendor_form *v = calloc(p->nsystems + 1, sizeof(*v));
    size_t n = 0;

    if (!v)
        return enomem(ctx);
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        int r;
        if (!s->vendor)
            continue;
        v[n].sys = s;
        if (!(v[n].path = az_ws_vendor_path(ws, s->id))) {
            az_ws_vendor_forms_free(v, n + 1);
            return enomem(ctx);
        }
        if (exists(v[n].path) &&
            (r = az_ws_eval(ws, ctx, p, v[n].path, ed_name, s->id, &v[n].a, &v[n].e, NULL)) < 0) {
            az_ws_vendor_forms_free(v, n + 1);
            return r;
        }
        n++;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

struct az_vendor_form_held *az_ws_vendor_held(const struct az_ws_vendor_form *vs, size_t n,
                                              size_t *ret_n)
{
    struct az_vendor_form_held *held = calloc(n + 1, sizeof(*held));
    size_t nh = 0;

    *ret_n = 0;
    if (!held)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!vs[i].a)
            continue;
        held[nh].system = vs[i].sys->id;
        for (size_t k = 0; k < vs[i].a->n; k++)
            if (vs[i].a->v[k].has_checked &&
                (!held[nh].dated || az_date_cmp(vs[i].a->v[k].checked, held[nh].received) > 0)) {
                held[nh].received = vs[i].a->v[k].checked;
                held[nh].dated = true;
            }
        nh++;
    }
    *ret_n = nh;
    return held;
}

json_t *az_ws_vendor_check(const struct az_vendors *reg, const struct az_profile *p,
                           struct az_date as_of, const struct az_ws_vendor_form *vs, size_t n)
{
    size_t nh = 0;
    struct az_vendor_form_held *held = az_ws_vendor_held(vs, n, &nh);
    json_t *res;

    if (!held)
        return NULL;
    res = az_vendors_check_forms(reg, p, as_of, held, nh);
    free(held);
    return res;
}

/* A file that must exist when it was given explicitly. */
static int missing(struct az_ctx *ctx, const char *path)
{
    return az_fail(ctx, AZ_ENOTFOUND, "%s がありません", "%s does not exist", path);
}

int az_ws_vendors(struct az_workspace *ws, struct az_ctx *ctx, const struct az_profile *p,
                  struct az_vendors **ret)
{
    char *data = NULL;
    size_t len = 0;
    int r;

    *ret = NULL;
    if (!exists(ws->vendors))
        return ws->vendors_given ? missing(ctx, ws->vendors) : 0;
    if ((r = az_read_text_file(ctx, ws->vendors, &data, &len)) < 0)
        return r;
    r = az_vendors_load(ctx, ws->vendors, data, len, p, ret);
    free(data);
    return r;
}

int az_ws_ledger(struct az_workspace *ws, struct az_ctx *ctx, struct az_ledger **ret)
{
    char *data = NULL;
    size_t len = 0;
    int r;

    *ret = NULL;
    if (!exists(ws->ledger))
        return ws->ledger_given ? missing(ctx, ws->ledger) : 0;
    if ((r = az_read_text_file(ctx, ws->ledger, &data, &len)) < 0)
        return r;
    r = az_ledger_import(ctx, ws->ledger, data, len, false, ret);
    free(data);
    return r;
}

int az_ws_ledger_check(struct az_workspace *ws, struct az_ctx *ctx, const struct az_ledger *l,
                       const struct az_profile *p, const struct az_edition *ed, json_t **ret)
{
    struct az_ledger_opts o = {
        .profile = p, .as_of = ws->as_of, .patch_days = ws->patch_days, .kev = ws->kev};
    struct az_vendors *vs = NULL;
    int r;

    if ((r = az_ws_vendors(ws, ctx, p, &vs)) < 0)
        return r;
    o.vendors = vs;
    *ret = az_ledger_check_opts(l, &o);
    az_vendors_free(vs);
    if (!*ret ||
        (ed && az_findings_add_items(ws->cat, ed, NULL, json_object_get(*ret, "findings")) < 0)) {
        json_decref(*ret);
        *ret = NULL;
        return enomem(ctx);
    }
    return 0;
}

int az_ws_scan(struct az_workspace *ws, struct az_ctx *ctx, const char *path, json_t **ret)
{
    json_error_t je;
    json_t *j;
    bool given = path != NULL || ws->scan_given;

    *ret = NULL;
    if (!path)
        path = ws->scan;
    if (!exists(path))
        return given ? missing(ctx, path) : 0;
    if (!(j = json_load_file(path, 0, &je)))
        return az_fail(ctx, AZ_EINVAL, "%s:%d:%d: JSON として読めません: %s",
                       "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
    if (!json_is_string(json_object_get(j, "schema")) ||
        strcmp(json_string_value(json_object_get(j, "schema")), "anzen-scan/1") != 0) {
        json_decref(j);
        return az_fail(ctx, AZ_EINVAL, "%s: anzen scan の結果 (anzen-scan/1) ではありません",
                       "%s: not an anzen scan result (anzen-scan/1)", path);
    }
    *ret = j;
    return 0;
}

int az_ws_plan_states(struct az_workspace *ws, struct az_ctx *ctx, struct az_plan_state **ret,
                      size_t *ret_n)
{
    struct az_store *st;
    int r;

    *ret = NULL;
    *ret_n = 0;
    if (!exists(ws->db))
        return 0; /* no workspace store yet: all defaults */
    if ((r = az_store_open(ctx, ws->db, &st)) < 0)
        return r;
    r = az_store_plan_states(st, ctx, ret, ret_n);
    az_store_close(st);
    return r;
}

int az_ws_plan_set(struct az_workspace *ws, struct az_ctx *ctx, const char *item,
                   const struct az_plan_patch *patch, const char *who)
{
    struct az_store *st;
    int r;

    if ((r = az_store_open(ctx, ws->db, &st)) < 0)
        return r;
    r = az_store_plan_update(st, ctx, item, patch, who);
    az_store_close(st);
    return r;
}

int az_ws_lock(struct az_workspace *ws, struct az_ctx *ctx)
{
    int fd = open(ws->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0)
        return az_fail(ctx, AZ_EIO, "%s: ロックを作れません (%s)",
                       "%s: cannot create the lock (%s)", ws->lock,
                       az_errno_text(ctx->lang, errno));
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return az_fail(ctx, AZ_EIO, "%s: ロックを取れません (%s)", "%s: cannot lock (%s)",
                           ws->lock, az_errno_text(ctx->lang, e));
        }
    }
    return fd;
}

void az_ws_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

/* Before answers of an earlier edition are rewritten for a later one, the
 * file as it was is kept next to it as <stem>.<edition>.<date>.yaml
 * (answers.cl-r7.2026-12-07.yaml): answers that could not carry over (a
 * changed item's いいえ and its target) stay on record. An existing copy
 * of that day is left as it is. */
static int keep_dated_copy(struct az_workspace *ws, struct az_ctx *ctx, const char *path,
                           const struct az_answers *old)
{
    const char *slash = strrchr(path, '/'), *dot;
    char d[16], *copy = NULL, *data = NULL;
    size_t len, stem;
    int r;

    dot = strrchr(slash ? slash + 1 : path, '.');
    stem = dot ? (size_t)(dot - path) : strlen(path);
    az_date_iso(ws->as_of, d, sizeof(d));
    if (asprintf(&copy, "%.*s.%s.%s.yaml", (int)stem, path, old->edition->id, d) < 0)
        return enomem(ctx);
    if (exists(copy)) {
        free(copy);
        return 0;
    }
    r = az_read_text_file(ctx, path, &data, &len);
    if (r == 0)
        r = az_write_file_atomic(ctx, copy, data, len);
    free(data);
    free(copy);
    return r;
}

int az_ws_answer_set(struct az_workspace *ws, struct az_ctx *ctx, const char *path,
                     const struct az_edition *ed, const struct az_form *form, const char *system,
                     const struct az_answer *x, unsigned fields, const char *who,
                     struct az_answers **ret)
{
    struct az_answers *a = NULL;
    char *yaml = NULL;
    int fd, r;

    if ((fd = az_ws_lock(ws, ctx)) < 0)
        return fd;
    if (exists(path) && (r = az_answers_load_file(ctx, ws->cat, path, &a)) < 0)
        goto out;
    if (a && (a->edition != ed || a->form != form)) {
        struct az_answers *m;
        if ((r = az_answers_migrate(ctx, a, ed, &m)) < 0)
            goto out;
        if ((r = keep_dated_copy(ws, ctx, path, a)) < 0) {
            az_answers_free(m);
            goto out;
        }
        az_answers_free(a);
        a = m;
    }
    /* a new fiscal year: answers checked in an earlier one are to re-check;
     * the file as it was is kept as a dated copy before the first rewrite */
    if (a && az_answers_mark_stale(a, ws->as_of) && (r = keep_dated_copy(ws, ctx, path, a)) < 0)
        goto out;
    if (!a && (!(a = az_answers_new(ed, form)) || (system && !(a->system = strdup(system))))) {
        r = enomem(ctx);
        goto out;
    }
    {
        /* only the fields the user changed; the rest as they are on file now */
        const struct az_answer *cur = az_answers_get(a, x->item);
        struct az_answer m = *x;
        if (cur) {
            if (!(fields & AZ_AF_ANSWER)) {
                /* not answered again: still carried, still to re-check */
                m.ans = cur->ans;
                m.carried_from = cur->carried_from;
                m.reconfirm = cur->reconfirm;
            }
            if (!(fields & AZ_AF_CHECKED)) {
                m.has_checked = cur->has_checked;
                m.checked = cur->checked;
            }
            if (!(fields & AZ_AF_TARGET)) {
                m.has_target = cur->has_target;
                m.target = cur->target;
            }
            if (!(fields & AZ_AF_NOTE))
                m.note = cur->note;
            if (!(fields & AZ_AF_EVIDENCE)) {
                m.evidence = cur->evidence;
                m.nevidence = cur->nevidence;
            }
        }
        r = az_answers_set(a, &m);
    }
    if (r < 0) {
        r = az_fail(ctx, r, "回答を保存できません", "cannot store the answer");
        goto out;
    }
    if (!(yaml = az_answers_to_yaml(a, ctx->lang))) {
        r = enomem(ctx);
        goto out;
    }
    {
        /* the file must read back: an answer the loader refuses (はい without
         * a date checked, いいえ without a target) is refused here, before
         * anything is written */
        struct az_answers *back = NULL;
        if ((r = az_answers_load(ctx, ws->cat, path, yaml, strlen(yaml), &back)) < 0) {
            /* say it about the answer being saved, not about a line of a
             * file the person (in a browser) never sees */
            const char *m = az_errmsg(ctx), *p = strstr(m, ": ");
            char *why = NULL;
            if (p && !strncmp(m, path, strlen(path)))
                m = p + 2;
            why = strdup(m);
            r = az_fail(ctx, r, "%s %s: この回答は保存できません (%s)",
                        "%s %s: this answer cannot be saved (%s)", x->item->label,
                        ctx->lang == AZ_LANG_EN ? x->item->title.en : x->item->title.ja,
                        why ? why : "?");
            free(why);
            goto out;
        }
        az_answers_free(back);
    }
    if ((r = az_write_file_atomic(ctx, path, yaml, strlen(yaml))) < 0)
        goto out;
    if (who && exists(ws->db)) {
        struct az_store *st;
        if ((r = az_store_open(ctx, ws->db, &st)) < 0)
            goto out;
        r = az_store_put_answers(st, ctx, a, who);
        az_store_close(st);
    }
out:
    az_ws_unlock(fd);
    free(yaml);
    if (r == 0 && ret)
        *ret = a;
    else
        az_answers_free(a);
    return r;
}
