/* SPDX-License-Identifier: MIT */
/*
 * vendor_import.c - bringing a vendor's answered 事業者確認用 back in
 * (xlsx.h): the XLSX anzen sent (as saved by Excel or LibreOffice), the
 * same grid exported as CSV, or an answers file (YAML/JSON). The grid is
 * read by its header row (番号 / 確認結果 / 確認日 / 目標日 / 備考 / ID), so
 * columns may move; every problem is reported with its sheet and cell.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "anzen/csv.h"
#include "anzen/xlsx.h"

#define MAX_ERRS 8 /* what fits in one error message */

struct imp {
    struct az_ctx *ctx;
    bool csv; /* places as file:line:column rather than sheet!cell */
    const char *name, *sheet;
    struct az_buf errs;
    int nerr;
};

static void col_name(unsigned col, char *buf, size_t n)
{
    char tmp[8];
    size_t k = 0;

    col++;
    while (col && k < sizeof(tmp)) {
        tmp[k++] = (char)('A' + (col - 1) % 26);
        col = (col - 1) / 26;
    }
    for (size_t i = 0; i < k && i + 1 < n; i++)
        buf[i] = tmp[k - 1 - i];
    buf[k < n ? k : n - 1] = '\0';
}

__attribute__((format(printf, 4, 6), format(printf, 5, 6))) static void
ierr(struct imp *im, unsigned row, unsigned col, const char *ja, const char *en, ...)
{
    char c[8], msg[512];
    va_list ap;

    if (im->nerr++ >= MAX_ERRS)
        return;
    col_name(col, c, sizeof(c));
    va_start(ap, en);
    vsnprintf(msg, sizeof(msg), az_l(im->ctx, ja, en), ap);
    va_end(ap);
    if (im->csv)
        az_buf_printf(&im->errs, "%s%s:%u:%u: %s", im->errs.len ? "\n" : "", im->name, row + 1,
                      col + 1, msg);
    else
        az_buf_printf(&im->errs, "%s%s: %s!%s%u: %s", im->errs.len ? "\n" : "", im->name, im->sheet,
                      c, row + 1, msg);
}

static bool starts(const char *s, const char *p)
{
    return s && !strncmp(s, p, strlen(p));
}

static int trimmed(const char *s, char **ret)
{
    size_t l;

    *ret = NULL;
    if (!s)
        return 0;
    while (*s == ' ' || *s == '\t' || !strncmp(s, "\xE3\x80\x80", 3))
        s += *s == ' ' || *s == '\t' ? 1 : 3;
    l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r' || s[l - 1] == '\n'))
        l--;
    if (l && !(*ret = strndup(s, l)))
        return AZ_ENOMEM;
    return 0;
}

/* Columns found in the header row. */
struct cols {
    int no, result, checked, target, note, id;
};

static bool find_header(const struct az_xlsx_sheet *s, unsigned *hrow, struct cols *c)
{
    for (size_t i = 0; i < s->n; i++) {
        const char *t = s->cells[i].text;
        if (s->cells[i].col == 0 && (!strcmp(t, "番号") || !strcmp(t, "No."))) {
            unsigned row = s->cells[i].row;
            memset(c, -1, sizeof(*c));
            c->no = 0;
            for (size_t k = 0; k < s->n; k++) {
                const char *h = s->cells[k].text;
                int col = (int)s->cells[k].col;
                if (s->cells[k].row != row)
                    continue;
                if (starts(h, "確認結果") || starts(h, "Result"))
                    c->result = col;
                else if (starts(h, "確認日") || starts(h, "Date checked"))
                    c->checked = col;
                else if (starts(h, "目標日") || starts(h, "Target"))
                    c->target = col;
                else if (starts(h, "備考") || starts(h, "Notes"))
                    c->note = col;
                else if (!strcmp(h, "ID"))
                    c->id = col;
            }
            if (c->result >= 0) {
                *hrow = row;
                return true;
            }
        }
    }
    return false;
}

static const char *cell(const struct az_xlsx_sheet *s, unsigned row, int col)
{
    return col < 0 ? NULL : az_xlsx_get(s, row, (unsigned)col);
}

static bool parse_date(struct imp *im, const struct az_xlsx_sheet *s, unsigned row, int col,
                       bool *has, struct az_date *d)
{
    AZ_AUTOFREE char *v = NULL;

    *has = false;
    if (trimmed(cell(s, row, col), &v) < 0) {
        ierr(im, row, (unsigned)col, "メモリ不足", "out of memory");
        return false;
    }
    if (!v)
        return true;
    if (az_date_parse(v, true, d) < 0) {
        ierr(im, row, (unsigned)col, "日付 \"%s\" が読めません", "cannot read the date \"%s\"", v);
        return false;
    }
    *has = true;
    return true;
}

/* Read the answers of vendor form vf from the grid of sheet s. */
static int grid(struct imp *im, const struct az_xlsx_sheet *s, const struct az_edition *ed,
                const struct az_form *vf, struct az_answers *a)
{
    unsigned hrow, last = 0;
    struct cols c;
    bool *seen = calloc(ed->nitems + 1, sizeof(bool));

    if (!seen)
        return az_fail(im->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    im->sheet = s->name;
    if (!find_header(s, &hrow, &c)) {
        free(seen);
        return az_fail(im->ctx, AZ_ESCHEMA, "%s: %s: 見出しの行 (番号 / 確認結果) が見つかりません",
                       "%s: %s: no header row (番号 / 確認結果)", im->name, s->name);
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->cells[i].row > last)
            last = s->cells[i].row;
    for (unsigned row = hrow + 1; row <= last; row++) {
        /* each cell whole, however long (a vendor's note of any length) */
        AZ_AUTOFREE char *label = NULL, *id = NULL, *ans = NULL, *note_cell = NULL;
        const char *note;
        bool has_dates = cell(s, row, c.checked) || cell(s, row, c.target);
        const struct az_item *it = NULL;
        struct az_answer an;
        size_t idx = 0;

        if (trimmed(cell(s, row, c.no), &label) < 0 || trimmed(cell(s, row, c.id), &id) < 0 ||
            trimmed(cell(s, row, c.result), &ans) < 0 ||
            trimmed(cell(s, row, c.note), &note_cell) < 0) {
            free(seen);
            return az_fail(im->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
        note = note_cell;
        if (id) {
            for (size_t k = 0; k < ed->nitems; k++)
                if (!strcmp(ed->items[k]->id, id))
                    it = ed->items[k], idx = k;
            if (!it || it->form != vf) {
                ierr(im, row, (unsigned)c.id, "この版の事業者確認用に項目 \"%s\" はありません",
                     "no item \"%s\" in this edition's vendor form", id);
                continue;
            }
        } else if (label) {
            it = az_edition_item_by_label(ed, vf, label);
            for (size_t k = 0; it && k < ed->nitems; k++)
                if (ed->items[k] == it)
                    idx = k;
        }
        if (!it) {
            /* group headings and blank rows carry no answer */
            if (ans || has_dates)
                ierr(im, row, (unsigned)c.no, "番号 \"%s\" の項目がありません",
                     "no item numbered \"%s\"", label ? label : "");
            continue;
        }
        if (seen[idx]) {
            ierr(im, row, (unsigned)c.no, "項目 %s が 2 回あります", "item %s appears twice",
                 it->label);
            continue;
        }
        seen[idx] = true;
        if (!ans) {
            if (has_dates)
                ierr(im, row, (unsigned)c.result, "確認結果がありません (日付だけ記入されています)",
                     "no answer (only dates are filled in)");
            continue; /* not answered yet */
        }
        memset(&an, 0, sizeof(an));
        an.item = it;
        an.ans = az_ans_parse(ans);
        if (an.ans == AZ_ANS_NONE) {
            ierr(im, row, (unsigned)c.result,
                 "確認結果 \"%s\" は「はい」「いいえ」「対象外」のどれでもありません",
                 "answer \"%s\" is not はい, いいえ or 対象外 (yes, no, na)", ans);
            continue;
        }
        if (!parse_date(im, s, row, c.checked, &an.has_checked, &an.checked) ||
            !parse_date(im, s, row, c.target, &an.has_target, &an.target))
            continue;
        if (an.ans != AZ_ANS_NA && !an.has_checked) {
            ierr(im, row, c.checked >= 0 ? (unsigned)c.checked : (unsigned)c.result,
                 "確認日がありません (「はい」「いいえ」には確認日が必要です)",
                 "no date checked (required for はい and いいえ)");
            continue;
        }
        if (an.ans == AZ_ANS_NO && !an.has_target) {
            ierr(im, row, c.target >= 0 ? (unsigned)c.target : (unsigned)c.result,
                 "目標日がありません (「いいえ」には対応の目標日が必要です)",
                 "no target date (required for いいえ)");
            continue;
        }
        if (an.has_target && an.has_checked && az_date_cmp(an.target, an.checked) < 0) {
            ierr(im, row, (unsigned)c.target, "目標日が確認日より前です",
                 "the target date is before the date checked");
            continue;
        }
        /* the 要再確認 line the exported form adds above a carried answer's
         * note is ours, not the vendor's */
        if (note && (!strncmp(note, "要再確認: ", strlen("要再確認: ")) ||
                     !strncmp(note, "To re-check: ", strlen("To re-check: ")))) {
            const char *nl = strchr(note, '\n');
            note = nl && nl[1] ? nl + 1 : NULL;
        }
        if (note && strlen(note) > AZ_NOTE_MAX) {
            ierr(im, row, (unsigned)c.note, "備考が長すぎます (%zu バイト、上限 %d バイト)",
                 "the note is too long (%zu bytes, limit %d)", strlen(note), AZ_NOTE_MAX);
            continue;
        }
        an.note = (char *)note;
        if (az_answers_set(a, &an) < 0) {
            free(seen);
            return az_fail(im->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
    }
    free(seen);
    return 0;
}

/* The CSV export of the form sheet as a sheet of cells. */
static int csv_sheet(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                     struct az_xlsx **ret)
{
    struct az_csv *t;
    struct az_xlsx *x;
    struct az_xlsx_sheet *s;
    size_t cap = 0;

    if (az_csv_parse(ctx, name, data, len, AZ_CSV_AUTO, &t) < 0)
        return ctx->err;
    x = calloc(1, sizeof(*x));
    s = x ? calloc(1, sizeof(*s)) : NULL;
    if (!s) {
        free(x);
        az_csv_free(t);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    x->sheets = s;
    x->n = 1;
    s->name = strdup("CSV");
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->rows[r].n; c++) {
            const char *f = t->rows[r].f[c];
            if (!*f)
                continue;
            if (s->n == cap) {
                struct az_xlsx_cell *v;
                cap = cap ? cap * 2 : 256;
                if (cap > AZ_XLSX_MAX_CELLS || !(v = realloc(s->cells, cap * sizeof(*v)))) {
                    az_csv_free(t);
                    az_xlsx_free(x);
                    return az_fail(ctx, AZ_ERANGE, "%s: セルが多すぎます", "%s: too many cells",
                                   name);
                }
                s->cells = v;
            }
            /* rows numbered by their line, so messages point into the file */
            s->cells[s->n].row = (unsigned)(t->rows[r].line ? t->rows[r].line - 1 : r);
            s->cells[s->n].col = (unsigned)c;
            s->cells[s->n].text = strdup(f);
            s->cells[s->n].date = false;
            s->n++;
        }
    az_csv_free(t);
    if (!s->name) {
        az_xlsx_free(x);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    *ret = x;
    return 0;
}

/* The profile's systems with a vendor, "emr, receipt", for messages. */
static void vendor_systems(const struct az_profile *p, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->nsystems && o + 1 < n; i++)
        if (p->systems[i].vendor) {
            int w = snprintf(buf + o, n - o, "%s%s", o ? ", " : "", p->systems[i].id);
            if (w < 0)
                break;
            o += (size_t)w < n - o ? (size_t)w : n - o - 1;
        }
    if (!buf[0])
        snprintf(buf, n, "-");
}

static int no_system(struct az_ctx *ctx, const struct az_profile *p, const char *name,
                     const char *sys)
{
    char list[1024];
    vendor_systems(p, list, sizeof(list));
    return az_fail(ctx, AZ_ENOTFOUND,
                   "%s: 様式のシステム \"%s\" は、プロファイル (%s) の事業者のいるシステム (%s) に"
                   "ありません",
                   "%s: the form's system \"%s\" is not among the systems with a vendor in the "
                   "profile (%s): %s",
                   name, sys, p->file ? p->file : "profile.yaml", list);
}

static const struct az_system *vendor_system(const struct az_profile *p, const char *id)
{
    for (size_t i = 0; id && i < p->nsystems; i++)
        if (!strcmp(p->systems[i].id, id) && p->systems[i].vendor)
            return &p->systems[i];
    return NULL;
}

int az_vendor_form_import(struct az_ctx *ctx, const struct az_catalog *cat,
                          const struct az_profile *p, const char *system, const char *name,
                          const char *data, size_t len, struct az_answers **ret)
{
    struct az_xlsx *x = NULL;
    const struct az_xlsx_sheet *meta, *form_sheet = NULL;
    const struct az_edition *ed = NULL;
    const struct az_form *vf = NULL;
    const char *msys = NULL, *inst = NULL;
    const struct az_system *sys;
    struct az_answers *a = NULL;
    struct imp im;
    size_t nl = strlen(name);
    bool is_csv = false;
    int r;

    if (len >= 4 && !memcmp(data, "PK\x03\x04", 4)) {
        if ((r = az_xlsx_read(ctx, name, data, len, &x)) < 0)
            return r;
    } else if (nl > 4 && !strcasecmp(name + nl - 4, ".csv")) {
        if ((r = csv_sheet(ctx, name, data, len, &x)) < 0)
            return r;
        is_csv = true;
    } else {
        /* an answers file (YAML / JSON) */
        if ((r = az_answers_load(ctx, cat, name, data, len, &a)) < 0)
            return r;
        if (!a->form->vendor) {
            az_answers_free(a);
            return az_fail(ctx, AZ_ESCHEMA, "%s: 事業者確認用の回答ではありません",
                           "%s: not vendor-form answers", name);
        }
        msys = a->system;
        if (system && msys && strcmp(system, msys)) {
            r = az_fail(ctx, AZ_ESCHEMA, "%s: システム \"%s\" の回答です (\"%s\" ではありません)",
                        "%s: answers for system \"%s\", not \"%s\"", name, msys, system);
            az_answers_free(a);
            return r;
        }
        if (!msys && !system) {
            az_answers_free(a);
            return az_fail(ctx, AZ_EINVAL, "%s: どのシステムの回答か分かりません (--system で指定)",
                           "%s: which system is this for? (give --system)", name);
        }
        if (!vendor_system(p, msys ? msys : system)) {
            r = no_system(ctx, p, name, msys ? msys : system);
            az_answers_free(a);
            return r;
        }
        if (!a->system && !(a->system = strdup(system))) {
            az_answers_free(a);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
        *ret = a;
        return 0;
    }
    /* which edition, form and system: the hidden sheet says, else guess safely */
    if ((meta = az_xlsx_sheet(x, "anzen"))) {
        const char *schema = NULL, *eid = NULL, *fid = NULL;
        for (unsigned row = 0; row < 32; row++) {
            const char *k = az_xlsx_get(meta, row, 0), *v = az_xlsx_get(meta, row, 1);
            if (!k)
                continue;
            if (!strcmp(k, "schema"))
                schema = v;
            else if (!strcmp(k, "edition"))
                eid = v;
            else if (!strcmp(k, "form"))
                fid = v;
            else if (!strcmp(k, "system"))
                msys = v;
            else if (!strcmp(k, "institution"))
                inst = v;
        }
        if (!schema || strcmp(schema, "anzen-form/1")) {
            r = az_fail(ctx, AZ_ESCHEMA, "%s: anzen の様式ではありません (schema %s)",
                        "%s: not an anzen form (schema %s)", name, schema ? schema : "-");
            goto out;
        }
        ed = eid ? az_catalog_edition(cat, eid) : NULL;
        if (!ed || !ed->nitems) {
            r = az_fail(ctx, AZ_ENOTFOUND, "%s: 版 \"%s\" はカタログにありません",
                        "%s: edition \"%s\" is not in the catalog", name, eid ? eid : "");
            goto out;
        }
        vf = fid ? az_edition_form(ed, fid) : NULL;
        if (!vf || !vf->vendor) {
            r = az_fail(ctx, AZ_ESCHEMA, "%s: 事業者確認用ではありません (様式 %s)",
                        "%s: not the vendor form (form %s)", name, fid ? fid : "-");
            goto out;
        }
        for (size_t i = 0; i < x->n; i++)
            if (!x->sheets[i].hidden && !strcmp(x->sheets[i].name, vf->title.ja))
                form_sheet = &x->sheets[i];
    } else {
        ed = az_catalog_default_checklist(cat);
        for (size_t i = 0; ed && i < ed->nforms; i++)
            if (ed->forms[i].vendor)
                vf = &ed->forms[i];
        if (!vf) {
            r = az_fail(ctx, AZ_ENOTFOUND, "カタログに事業者確認用がありません",
                        "the catalog has no vendor form");
            goto out;
        }
    }
    if (msys && !*msys)
        msys = NULL;
    if (system && msys && strcmp(system, msys)) {
        r = az_fail(ctx, AZ_ESCHEMA, "%s: システム \"%s\" の様式です (\"%s\" ではありません)",
                    "%s: this form is for system \"%s\", not \"%s\"", name, msys, system);
        goto out;
    }
    /* a form sent to another institution (the hidden sheet says whose) */
    if (inst && *inst && p->name && strcmp(inst, p->name)) {
        r = az_fail(ctx, AZ_ESCHEMA,
                    "%s: 医療機関「%s」宛ての事業者確認用です (このプロファイルは「%s」)。別の医療"
                    "機関の回答は取り込みません",
                    "%s: this vendor form was sent to \"%s\", not to \"%s\" (this profile); "
                    "another institution's answers are not imported",
                    name, inst, p->name);
        goto out;
    }
    if (!msys && !system) {
        r = az_fail(ctx, AZ_EINVAL, "%s: どのシステムの回答か分かりません (--system で指定)",
                    "%s: which system is this for? (give --system)", name);
        goto out;
    }
    if (!(sys = vendor_system(p, msys ? msys : system))) {
        r = no_system(ctx, p, name, msys ? msys : system);
        goto out;
    }
    if (!form_sheet)
        for (size_t i = 0; i < x->n && !form_sheet; i++) {
            unsigned h;
            struct cols c;
            if (!x->sheets[i].hidden && find_header(&x->sheets[i], &h, &c))
                form_sheet = &x->sheets[i];
        }
    if (!form_sheet) {
        r = az_fail(ctx, AZ_ESCHEMA, "%s: 事業者確認用のシートが見つかりません",
                    "%s: no vendor-form sheet found", name);
        goto out;
    }
    /* a re-typed form has no hidden sheet: its 医療機関名 cell says whose */
    if (!inst) {
        for (unsigned row = 0; row < 16 && !inst; row++)
            for (unsigned col = 0; col + 1 < 8 && !inst; col++) {
                const char *k = az_xlsx_get(form_sheet, row, col);
                if (k && (!strcmp(k, "医療機関名") || !strcmp(k, "薬局名") ||
                          !strcmp(k, "Institution") || !strcmp(k, "Pharmacy")))
                    inst = az_xlsx_get(form_sheet, row, col + 1);
            }
        if (inst && *inst && p->name && strcmp(inst, p->name)) {
            r = az_fail(ctx, AZ_ESCHEMA,
                        "%s: 医療機関「%s」宛ての事業者確認用です (このプロファイルは「%s」)。別の"
                        "医療機関の回答は取り込みません",
                        "%s: this vendor form was sent to \"%s\", not to \"%s\" (this profile); "
                        "another institution's answers are not imported",
                        name, inst, p->name);
            goto out;
        }
    }
    a = az_answers_new(ed, vf);
    if (!a || !(a->system = strdup(sys->id))) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto out;
    }
    memset(&im, 0, sizeof(im));
    im.ctx = ctx;
    im.name = name;
    im.csv = is_csv;
    az_buf_init(&im.errs, 64 * 1024);
    r = grid(&im, form_sheet, ed, vf, a);
    if (r == 0 && im.nerr) {
        if (im.nerr > MAX_ERRS)
            az_buf_printf(&im.errs, az_l(ctx, "\n... ほか %d 件", "\n... and %d more"),
                          im.nerr - MAX_ERRS);
        r = az_fail(ctx, AZ_ESCHEMA, "%s", "%s", im.errs.data);
    }
    az_buf_done(&im.errs);
    if (r == 0 && a->n == 0)
        r = az_fail(ctx, AZ_ESCHEMA, "%s: 回答が 1 つもありません", "%s: no answers at all", name);
out:
    az_xlsx_free(x);
    if (r < 0) {
        az_answers_free(a);
        return r;
    }
    *ret = a;
    return 0;
}
