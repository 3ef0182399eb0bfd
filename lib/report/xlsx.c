/* SPDX-License-Identifier: MIT */
/*
 * xlsx.c - the workbooks anzen writes with libxlsxwriter (xlsx.h): the
 * checklist form laid out like the MHLW form, the remediation plan, the
 * asset ledger, and the 事業者確認用 sent to a vendor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "anzen/docs.h"
#include "anzen/hint.h"
#include "anzen/procure.h"
#include "anzen/xlsx.h"

#define EN(l) ((l) == AZ_LANG_EN)

struct fmts {
    lxw_format *title, *label, *value, *head, *group, *cell, *wrap, *center, *date, *small, *hidden,
        *input, *input_date, *warn, *bold_run, *plain_run;
};

/* Is title only the beginning of text (a title made by cutting the text,
 * with or without a trailing "…")? */
static bool title_repeats_text(const char *title, const char *text)
{
    size_t n = strlen(title);

    if (!n || !text)
        return false;
    if (n > 3 && !strcmp(title + n - 3, "\xE2\x80\xA6"))
        n -= 3;
    return n && !strncmp(title, text, n);
}

static const char *tr(enum az_lang l, struct az_text t)
{
    if (EN(l) && t.en)
        return t.en;
    return t.ja ? t.ja : "";
}

static const char *lj(enum az_lang l, const char *ja, const char *en)
{
    return EN(l) ? en : ja;
}

static void make_fmts(lxw_workbook *wb, struct fmts *f)
{
    const char *font = "Noto Sans CJK JP";
    lxw_format **all[] = {&f->title,      &f->label, &f->value,    &f->head,
                          &f->group,      &f->cell,  &f->wrap,     &f->center,
                          &f->date,       &f->small, &f->hidden,   &f->input,
                          &f->input_date, &f->warn,  &f->bold_run, &f->plain_run};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        *all[i] = workbook_add_format(wb);
        format_set_font_name(*all[i], font);
        format_set_font_size(*all[i], 10);
        format_set_align(*all[i], LXW_ALIGN_VERTICAL_TOP);
    }
    format_set_bold(f->bold_run); /* runs of a rich string: the item's title in bold */
    format_set_font_size(f->title, 14);
    format_set_bold(f->title);
    format_set_bold(f->label);
    format_set_bg_color(f->label, 0xF3F5F7);
    format_set_border(f->label, LXW_BORDER_THIN);
    format_set_border(f->value, LXW_BORDER_THIN);
    format_set_text_wrap(f->value);
    format_set_bold(f->head);
    format_set_bg_color(f->head, 0xDDE3EA);
    format_set_border(f->head, LXW_BORDER_THIN);
    format_set_text_wrap(f->head);
    format_set_align(f->head, LXW_ALIGN_CENTER);
    format_set_bold(f->group);
    format_set_bg_color(f->group, 0xF3F5F7);
    format_set_border(f->group, LXW_BORDER_THIN);
    format_set_border(f->cell, LXW_BORDER_THIN);
    format_set_border(f->wrap, LXW_BORDER_THIN);
    format_set_text_wrap(f->wrap);
    format_set_border(f->center, LXW_BORDER_THIN);
    format_set_align(f->center, LXW_ALIGN_CENTER);
    format_set_border(f->date, LXW_BORDER_THIN);
    format_set_num_format(f->date, "yyyy/mm/dd");
    format_set_align(f->date, LXW_ALIGN_CENTER);
    format_set_font_size(f->small, 9);
    format_set_text_wrap(f->small);
    format_set_font_color(f->hidden, 0x888888);
    format_set_border(f->input, LXW_BORDER_THIN);
    format_set_bg_color(f->input, 0xFFFDE7);
    format_set_align(f->input, LXW_ALIGN_CENTER);
    format_set_text_wrap(f->input);
    format_set_border(f->input_date, LXW_BORDER_THIN);
    format_set_bg_color(f->input_date, 0xFFFDE7);
    format_set_num_format(f->input_date, "yyyy/mm/dd");
    format_set_align(f->input_date, LXW_ALIGN_CENTER);
    format_set_border(f->warn, LXW_BORDER_THIN);
    format_set_font_color(f->warn, 0xC62828);
    format_set_bold(f->warn);
    format_set_text_wrap(f->warn);
}

/* Lines a wrapped cell needs at `width` character units (East Asian
 * characters count two), so rows can be given their height: Excel and
 * LibreOffice do not grow rows with wrapped text written by a program. */
static int lines_for(const char *s, double width)
{
    int lines = 0;

    if (!s || !*s)
        return 1;
    while (s) {
        const char *nl = strchr(s, '\n');
        char part[8192];
        size_t w;
        snprintf(part, sizeof(part), "%.*s", nl ? (int)(nl - s) : (int)strlen(s), s);
        w = az_utf8_width(part);
        lines += w == 0 ? 1 : (int)((double)w / (width * 0.92)) + 1;
        s = nl ? nl + 1 : NULL;
    }
    return lines;
}

static void row_height(lxw_worksheet *ws, unsigned row, int lines)
{
    worksheet_set_row(ws, row, 13.5 * (lines < 1 ? 1 : lines) + 3, NULL);
}

static lxw_datetime dt(struct az_date d)
{
    lxw_datetime x = {d.y, d.m, d.d, 0, 0, 0};
    return x;
}

/* Collects the first libxlsxwriter error so every call need not be checked. */
struct w {
    struct az_ctx *ctx;
    lxw_error err;
};

static void chk(struct w *w, lxw_error e)
{
    if (e != LXW_NO_ERROR && w->err == LXW_NO_ERROR)
        w->err = e;
}

/* s, or "" once the failed allocation is noted (the workbook is then not
 * written). */
static const char *or_nomem(struct w *w, const char *s)
{
    if (!s)
        chk(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return s ? s : "";
}

static void wstr(struct w *w, lxw_worksheet *ws, unsigned row, unsigned col, const char *s,
                 lxw_format *f)
{
    char buf[32000];

    if (!s || !*s) {
        chk(w, worksheet_write_blank(ws, row, (lxw_col_t)col, f));
        return;
    }
    if (strlen(s) >= sizeof(buf)) { /* Excel's cell limit is 32,767 characters */
        size_t n = sizeof(buf) - 4;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        memcpy(buf, s, n);
        memcpy(buf + n, "…", 4);
        s = buf;
    }
    chk(w, worksheet_write_string(ws, row, (lxw_col_t)col, s, f));
}

static void wdate(struct w *w, lxw_worksheet *ws, unsigned row, unsigned col, bool has,
                  struct az_date d, lxw_format *f)
{
    if (!has) {
        chk(w, worksheet_write_blank(ws, row, (lxw_col_t)col, f));
        return;
    }
    lxw_datetime x = dt(d);
    chk(w, worksheet_write_datetime(ws, row, (lxw_col_t)col, &x, f));
}

static void print_setup(lxw_worksheet *ws, bool landscape, unsigned repeat_first,
                        unsigned repeat_last, const char *footer)
{
    worksheet_set_paper(ws, 9); /* A4 */
    if (landscape)
        worksheet_set_landscape(ws);
    else
        worksheet_set_portrait(ws);
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.6);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, repeat_first, repeat_last);
    worksheet_set_footer(ws, footer);
    worksheet_center_horizontally(ws);
}

/* Temp file in the directory of path, then rename: no half-written workbook. */
static int finish(struct az_ctx *ctx, lxw_workbook *wb, const char *tmp, const char *path)
{
    lxw_error e = workbook_close(wb);
    int fd;

    if (e != LXW_NO_ERROR) {
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: XLSX を書けません (%s)", "%s: cannot write the XLSX (%s)",
                       path, lxw_strerror(e));
    }
    fd = open(tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        int en = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", path,
                       az_errno_text(ctx->lang, en));
    }
    return 0;
}

static lxw_workbook *start(struct az_ctx *ctx, const char *path, char *tmp, size_t n,
                           const char *title, struct az_date created)
{
    lxw_workbook *wb;
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    struct tm tm;
    lxw_doc_properties props;

    snprintf(tmp, n, "%s.tmp-%ld", path, (long)getpid());
    {
        /* find out here whether the file can be made, rather than let
         * libxlsxwriter print its own message on close */
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", path,
                    az_errno_text(ctx->lang, errno));
            return NULL;
        }
        close(fd);
    }
    wb = workbook_new_opt(tmp, &opt);
    if (!wb) {
        unlink(tmp);
        az_fail(ctx, AZ_EIO, "%s: XLSX を作れません", "%s: cannot create the XLSX", path);
        return NULL;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = created.y - 1900;
    tm.tm_mon = created.m - 1;
    tm.tm_mday = created.d;
    memset(&props, 0, sizeof(props));
    props.title = (char *)title;
    props.author = (char *)"anzen";
    props.comments = (char *)"anzen " AZ_VERSION;
    if (created.y) /* the as-of date: same inputs, same document */
        props.created = timegm(&tm);
    workbook_set_properties(wb, &props);
    return wb;
}

/* The hidden "anzen" sheet that identifies a form. */
static void meta_sheet(struct w *w, lxw_workbook *wb, const struct az_edition *ed,
                       const struct az_form *form, const char *system, const char *inst)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "anzen");
    const char *rows[][2] = {{"schema", "anzen-form/1"}, {"edition", ed->id},
                             {"form", form->id},         {"system", system ? system : ""},
                             {"institution", inst},      {"anzen", AZ_VERSION}};

    if (!ws) {
        chk(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        wstr(w, ws, i, 0, rows[i][0], NULL);
        wstr(w, ws, i, 1, rows[i][1], NULL);
    }
    worksheet_hide(ws);
}

/* One form sheet. answers gives the answers (NULL: blank form); input
 * marks answer cells as fields to fill (vendor form). Returns the sheet. */
struct form_head {
    const char *label[6];
    const char *value[6];
    size_t n;
};

static lxw_worksheet *form_sheet(struct w *w, lxw_workbook *wb, const struct fmts *f,
                                 const struct az_edition *ed, const struct az_form *form,
                                 const struct form_head *head, const struct az_eval *e,
                                 const struct az_answers *answers, bool input, enum az_lang l,
                                 const json_t *evidence)
{
    char sheet[64];
    AZ_AUTOFREE char *title = NULL; /* the strings of a sheet whole, however long */
    lxw_worksheet *ws;
    unsigned row = 0, hrow;
    static const char *yesno[] = {"はい", "いいえ", "対象外", NULL};
    lxw_data_validation dv;
    const struct az_group *last = NULL;
    unsigned first_item = 0;

    snprintf(sheet, sizeof(sheet), "%s", tr(AZ_LANG_JA, form->title));
    ws = workbook_add_worksheet(wb, sheet);
    if (!ws) {
        chk(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    worksheet_set_column(ws, 0, 0, 7, NULL);
    worksheet_set_column(ws, 1, 1, 58, NULL);
    worksheet_set_column(ws, 2, 2, 11, NULL);
    worksheet_set_column(ws, 3, 4, 12, NULL);
    worksheet_set_column(ws, 5, 5, 30, NULL);
    {
        lxw_row_col_options hide = {.hidden = LXW_TRUE};
        worksheet_set_column_opt(ws, 6, 6, 20, f->hidden, &hide);
    }
    title = az_fmt("%s %s (%s)", tr(l, az_form_doc_title(form)), ed->version, tr(l, form->title));
    chk(w, worksheet_merge_range(ws, row, 0, row, 5, or_nomem(w, title), f->title));
    worksheet_set_row(ws, row, 22, NULL);
    row += 2;
    /* the header block: label | value (B) | label | value (D:F) in pairs */
    for (size_t i = 0; i < head->n; i += 2) {
        wstr(w, ws, row, 0, head->label[i], f->label);
        wstr(w, ws, row, 1, head->value[i], f->value);
        if (i + 1 < head->n) {
            wstr(w, ws, row, 2, head->label[i + 1], f->label);
            chk(w, worksheet_merge_range(ws, row, 3, row, 5, "", f->value));
            wstr(w, ws, row, 3, head->value[i + 1], f->value);
        }
        row++;
    }
    row++;
    chk(w, worksheet_merge_range(ws, row - 1, 0, row - 1, 5,
                                 lj(l,
                                    "確認結果は「はい」「いいえ」(該当しない場合は「対象外」) "
                                    "を選び、確認した日を記入します。「いいえ」の場合は対応の目標日"
                                    "を記入してください。",
                                    "Choose はい (yes), いいえ (no) or 対象外 (n/a) and enter the "
                                    "date checked; for いいえ enter the target date."),
                                 f->small));
    worksheet_set_row(ws, row - 1, 28, NULL);
    row++;
    hrow = row;
    wstr(w, ws, row, 0, lj(l, "番号", "No."), f->head);
    wstr(w, ws, row, 1, lj(l, "確認項目", "Item"), f->head);
    wstr(w, ws, row, 2, lj(l, "確認結果\n(はい/いいえ)", "Result\n(はい/いいえ)"), f->head);
    wstr(w, ws, row, 3, lj(l, "確認日", "Date checked"), f->head);
    wstr(w, ws, row, 4, lj(l, "目標日\n(いいえの場合)", "Target date\n(if いいえ)"), f->head);
    wstr(w, ws, row, 5, lj(l, "備考", "Notes"), f->head);
    wstr(w, ws, row, 6, "ID", f->hidden);
    worksheet_set_row(ws, row, 30, NULL);
    row++;
    first_item = row;
    for (size_t i = 0; i < ed->nitems; i++) {
        const struct az_item *it = ed->items[i];
        const struct az_answer *a = NULL;
        const struct az_item_result *res = NULL;
        AZ_AUTOFREE char *text = NULL;
        if (it->form != form)
            continue;
        if (e) {
            for (size_t k = 0; k < e->nresults; k++)
                if (e->results[k].item == it)
                    res = &e->results[k];
            a = res ? res->answer : NULL;
        } else if (answers) {
            a = az_answers_get(answers, it);
        }
        if (it->group && it->group != last) {
            AZ_AUTOFREE char *g = az_fmt("%s %s", it->group->id, tr(l, it->group->title));
            chk(w, worksheet_merge_range(ws, row, 0, row, 5, or_nomem(w, g), f->group));
            last = it->group;
            row++;
        }
        /* an imported item's title is the start of its printed text: the
         * text alone, not the text twice */
        if (title_repeats_text(tr(l, it->title), tr(l, it->text)))
            text = az_fmt("%s", tr(l, it->text));
        else
            text = az_fmt("%s\n%s", tr(l, it->title), tr(l, it->text));
        wstr(w, ws, row, 0, it->label, f->center);
        {
            /* the title in bold, the requirement's text below it */
            AZ_AUTOFREE char *body = az_fmt("\n%s", tr(l, it->text));
            lxw_rich_string_tuple t0 = {f->bold_run, (char *)tr(l, it->title)};
            lxw_rich_string_tuple t1 = {f->plain_run, (char *)or_nomem(w, body)};
            lxw_rich_string_tuple *rich[] = {&t0, &t1, NULL};
            if (*tr(l, it->title) && !title_repeats_text(tr(l, it->title), tr(l, it->text)))
                chk(w, worksheet_write_rich_string(ws, row, 1, rich, f->wrap));
            else
                wstr(w, ws, row, 1, or_nomem(w, text), f->wrap);
        }
        {
            const char *ans = a && a->ans != AZ_ANS_NONE ? az_ans_name(a->ans, AZ_LANG_JA) : NULL;
            if (!ans && res && res->status == AZ_ST_NOT_APPLICABLE)
                ans = "対象外";
            wstr(w, ws, row, 2, ans,
                 input                        ? f->input
                 : (a && a->ans == AZ_ANS_NO) ? f->warn
                                              : f->center);
        }
        wdate(w, ws, row, 3, a && a->has_checked, a ? a->checked : (struct az_date){0},
              input ? f->input_date : f->date);
        wdate(w, ws, row, 4, a && a->has_target, a ? a->target : (struct az_date){0},
              input ? f->input_date : f->date);
        {
            /* the note whole (wstr cuts at Excel's cell limit, between
             * characters) */
            struct az_buf nb;
            const char *note;
            int nr = 0;
            az_buf_init(&nb, 1u << 20);
            if (a && a->reconfirm)
                nr |= az_buf_printf(
                    &nb, "%s%s%s%s",
                    a->stale && !a->carried_from
                        ? lj(l, "要再確認: 前年度以前に確認した回答 (確認日は前年度のもの)",
                             "To re-check: checked in an earlier fiscal year (earlier date "
                             "checked)")
                        : lj(l, "要再確認: 前の版から引き継いだ回答 (確認日は前の版のもの)",
                             "To re-check: carried over from the previous edition (earlier "
                             "date checked)"),
                    a->carried_from ? " " : "", a->carried_from ? a->carried_from->id : "",
                    a->note ? "\n" : "");
            if (a && a->note)
                nr |= az_buf_puts(&nb, a->note);
            if (res && res->status == AZ_ST_NOT_APPLICABLE && !nb.len)
                nr |= az_buf_puts(&nb, lj(l, "このプロファイルには適用されません",
                                          "does not apply to this profile"));
            {
                /* the evidence on file for this item (workspace evidence) */
                size_t k;
                const json_t *x;
                json_array_foreach(evidence, k, x)
                {
                    const char *item = json_string_value(json_object_get(x, "item"));
                    const char *d = json_string_value(json_object_get(x, "description"));
                    const char *at = json_string_value(json_object_get(x, "collected_at"));
                    if (!item || strcmp(item, it->id) || !d)
                        continue;
                    nr |= az_buf_printf(&nb, "%s%s %s (%.10s)", nb.len ? "\n" : "",
                                        lj(l, "証跡:", "Evidence:"), d, at ? at : "");
                }
            }
            note = or_nomem(w, nr ? NULL : nb.data ? nb.data : "");
            wstr(w, ws, row, 5, note, input ? f->input : f->wrap);
            {
                int lb = lines_for(or_nomem(w, text), 58), lf = lines_for(note, 30);
                row_height(ws, row, lb > lf ? lb : lf);
            }
            az_buf_done(&nb);
        }
        wstr(w, ws, row, 6, it->id, f->hidden);
        row++;
    }
    if (row > first_item) {
        memset(&dv, 0, sizeof(dv));
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = (char **)yesno;
        dv.error_title = (char *)"anzen";
        dv.error_message = (char *)"はい / いいえ / 対象外";
        chk(w, worksheet_data_validation_range(ws, first_item, 2, row - 1, 2, &dv));
    }
    print_setup(ws, false, hrow, hrow, "&C&P / &N");
    worksheet_freeze_panes(ws, hrow + 1, 0);
    return ws;
}

/* A sheet for an extra section with a table (the host audit's hosts:
 * which PCs fail which items, 2FA, exceptions). */
static void table_sheet(struct w *w, lxw_workbook *wb, const struct fmts *f, const json_t *sec)
{
    const json_t *t = json_object_get(sec, "table"), *row, *cell;
    const char *title = json_string_value(json_object_get(sec, "title"));
    lxw_worksheet *ws;
    unsigned r = 0;
    size_t i, k;

    if (!t || !title)
        return;
    if (!(ws = workbook_add_worksheet(wb, title))) {
        chk(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    worksheet_set_column(ws, 0, 0, 16, NULL);
    worksheet_set_column(ws, 1, 3, 14, NULL);
    worksheet_set_column(ws, 4, 4, 30, NULL);
    worksheet_set_column(ws, 5, 6, 24, NULL);
    wstr(w, ws, r, 0, title, f->title);
    r++;
    json_array_foreach(json_object_get(sec, "paragraphs"), i, cell)
        wstr(w, ws, r++, 0, json_string_value(cell), f->cell);
    r++;
    json_array_foreach(json_object_get(t, "head"), k, cell)
        wstr(w, ws, r, (unsigned)k, json_string_value(cell), f->head);
    r++;
    json_array_foreach(json_object_get(t, "rows"), i, row)
    {
        json_array_foreach(row, k, cell)
            wstr(w, ws, r, (unsigned)k, json_string_value(cell), f->wrap);
        r++;
    }
}

static void plan_sheet(struct w *w, lxw_workbook *wb, const struct fmts *f, const struct az_plan *p,
                       enum az_lang l)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, lj(l, "対応計画", "Plan"));
    static const char *const hja[] = {"順位", "番号", "項目",   "優先の理由", "暫定対策", "担当",
                                      "期限", "状態", "本対策", "担当",       "期限",     "状態"};
    static const char *const hen[] = {"Rank",      "No.",   "Item", "Why this rank",
                                      "Interim",   "Owner", "Due",  "Status",
                                      "Permanent", "Owner", "Due",  "Status"};
    static const double widths[] = {5, 6, 22, 30, 34, 12, 11, 9, 34, 12, 11, 9};
    unsigned row = 0;

    if (!ws) {
        chk(w, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    for (unsigned c = 0; c < 12; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    chk(w, worksheet_merge_range(ws, row, 0, row, 11,
                                 lj(l, "対応計画 (暫定対策と本対策、優先順)",
                                    "Remediation plan (interim and permanent, in priority order)"),
                                 f->title));
    row += 2;
    for (unsigned c = 0; c < 12; c++)
        wstr(w, ws, row, c, EN(l) ? hen[c] : hja[c], f->head);
    row++;
    for (size_t i = 0; i < p->n; i++, row++) {
        const struct az_plan_item *pi = &p->v[i];
        chk(w, worksheet_write_number(ws, row, 0, (double)(i + 1), f->center));
        wstr(w, ws, row, 1, pi->result->item->label, f->center);
        wstr(w, ws, row, 2, tr(l, pi->result->item->title), f->wrap);
        wstr(w, ws, row, 3, EN(l) ? pi->reason_en : pi->reason_ja, f->wrap);
        for (int k = 0; k < 2; k++) {
            const struct az_plan_track *t = &pi->track[k];
            /* the name as typed, whole: a cell cut inside a character
             * would make the workbook invalid */
            AZ_AUTOFREE char *owner =
                az_fmt("%s%s%s", az_role_name((enum az_role)t->owner_role, l),
                       t->owner && *t->owner ? " " : "", t->owner ? t->owner : "");
            wstr(w, ws, row, 4 + 4 * (unsigned)k, tr(l, t->text), f->wrap);
            wstr(w, ws, row, 5 + 4 * (unsigned)k, or_nomem(w, owner), f->wrap);
            wdate(w, ws, row, 6 + 4 * (unsigned)k, true, t->due, f->date);
            wstr(w, ws, row, 7 + 4 * (unsigned)k, az_plan_status_name(t->status, l), f->center);
        }
        {
            int n = lines_for(EN(l) ? pi->reason_en : pi->reason_ja, 30), k2;
            if ((k2 = lines_for(tr(l, pi->track[0].text), 34)) > n)
                n = k2;
            if ((k2 = lines_for(tr(l, pi->track[1].text), 34)) > n)
                n = k2;
            if ((k2 = lines_for(tr(l, pi->result->item->title), 22)) > n)
                n = k2;
            row_height(ws, row, n);
        }
    }
    print_setup(ws, true, 2, 2, "&C&P / &N");
}

int az_xlsx_ledger_sheet(struct az_ctx *ctx, struct lxw_workbook *wb, const struct az_ledger *l)
{
    struct w w = {ctx, LXW_NO_ERROR};
    struct fmts f;
    lxw_worksheet *ws = workbook_add_worksheet(wb, az_l(ctx, "機器台帳", "Asset ledger"));
    unsigned row = 0;

    if (!ws)
        return az_fail(ctx, AZ_ENOMEM, "シートを作れません", "cannot add the sheet");
    make_fmts(wb, &f);
    for (unsigned c = 0; c < AZ_NCOLS; c++)
        worksheet_set_column(
            ws, (lxw_col_t)c, (lxw_col_t)c,
            c == AZ_COL_NAME || c == AZ_COL_ADMIN || c == AZ_COL_BROUGHT_BY ? 22 : 13, NULL);
    if (l->nextra)
        worksheet_set_column(ws, AZ_NCOLS, (lxw_col_t)(AZ_NCOLS + l->nextra - 1), 16, NULL);
    for (unsigned c = 0; c < AZ_NCOLS; c++)
        wstr(&w, ws, row, c, az_ledger_col_name((enum az_ledger_col)c, AZ_LANG_JA), f.head);
    /* the columns anzen does not check, under their own headers */
    for (size_t k = 0; k < l->nextra; k++)
        wstr(&w, ws, row, (unsigned)(AZ_NCOLS + k), l->extra_head[k], f.head);
    worksheet_set_row(ws, row, 30, NULL);
    row++;
    for (size_t i = 0; i < l->n; i++, row++) {
        const struct az_asset *a = &l->v[i];
        for (unsigned c = 0; c < AZ_NCOLS; c++) {
            if (c == AZ_COL_KIND)
                wstr(&w, ws, row, c,
                     a->kind_label ? a->kind_label : az_asset_kind_name(a->kind, AZ_LANG_JA),
                     f.cell);
            else if (c == AZ_COL_LAST_PATCH && a->has_last_patch)
                wdate(&w, ws, row, c, true, a->last_patch, f.date);
            else if (c == AZ_COL_EOL && a->has_eol)
                wdate(&w, ws, row, c, true, a->eol, f.date);
            else if (c == AZ_COL_ADMIN && !*a->col[c])
                wstr(&w, ws, row, c, AZ_LEDGER_NO_ADMIN, f.warn);
            else
                wstr(&w, ws, row, c, a->col[c], f.wrap);
        }
        for (size_t k = 0; a->extra && k < l->nextra; k++)
            wstr(&w, ws, row, (unsigned)(AZ_NCOLS + k), a->extra[k], f.wrap);
    }
    chk(&w,
        worksheet_autofilter(ws, 0, 0, row ? row - 1 : 0, (lxw_col_t)(AZ_NCOLS + l->nextra - 1)));
    print_setup(ws, true, 0, 0, "&C&P / &N");
    if (w.err != LXW_NO_ERROR)
        return az_fail(ctx, AZ_EIO, "台帳のシートを書けません (%s)",
                       "cannot write the ledger sheet (%s)", lxw_strerror(w.err));
    return 0;
}

int az_xlsx_ledger(struct az_ctx *ctx, const struct az_ledger *l, const char *path)
{
    char tmp[4200];
    lxw_workbook *wb = start(ctx, path, tmp, sizeof(tmp), "機器台帳", (struct az_date){0, 0, 0});
    int r;

    if (!wb)
        return AZ_EIO;
    if ((r = az_xlsx_ledger_sheet(ctx, wb, l)) < 0) {
        workbook_close(wb);
        unlink(tmp);
        return r;
    }
    return finish(ctx, wb, tmp, path);
}

int az_xlsx_checklist(struct az_ctx *ctx, const struct az_report_input *in, const char *path)
{
    const struct az_eval *e = in->eval;
    const struct az_profile *p = e->profile;
    enum az_lang l = ctx->lang;
    struct w w = {ctx, LXW_NO_ERROR};
    struct fmts f;
    char tmp[4200], asof[64], title[512];
    lxw_workbook *wb;
    struct form_head head = {{0}, {0}, 0};
    int r;

    snprintf(title, sizeof(title), "%s %s", tr(l, az_form_doc_title(e->form)), e->edition->version);
    wb = start(ctx, path, tmp, sizeof(tmp), title, e->as_of);
    if (!wb)
        return AZ_EIO;
    make_fmts(wb, &f);
    az_date_wareki(e->as_of, asof, sizeof(asof));
    head.label[0] = p->type == AZ_INST_PHARMACY ? lj(l, "薬局名", "Pharmacy")
                                                : lj(l, "医療機関名", "Institution");
    head.value[0] = p->name;
    head.label[1] = lj(l, "担当者", "Person in charge");
    head.value[1] = p->person ? p->person : "";
    head.label[2] = lj(l, "種別", "Type");
    head.value[2] = az_inst_name(p->type, l);
    head.label[3] = lj(l, "基準日", "As of");
    head.value[3] = asof;
    head.n = 4;
    form_sheet(&w, wb, &f, e->edition, e->form, &head, e, NULL, false, l, in->evidence);
    if (in->plan)
        plan_sheet(&w, wb, &f, in->plan, l);
    if (w.err == LXW_NO_ERROR && in->ledger &&
        (r = az_xlsx_ledger_sheet(ctx, wb, in->ledger)) < 0) {
        workbook_close(wb);
        unlink(tmp);
        return r;
    }
    for (size_t i = 0; w.err == LXW_NO_ERROR && i < json_array_size(in->extra); i++) {
        const json_t *sec = json_array_get(in->extra, i);
        if (!strcmp(json_string_value(json_object_get(sec, "id")) ?: "", "audit"))
            table_sheet(&w, wb, &f, sec);
    }
    if (w.err == LXW_NO_ERROR)
        meta_sheet(&w, wb, e->edition, e->form, NULL, p->name);
    if (w.err != LXW_NO_ERROR) {
        workbook_close(wb);
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: XLSX を書けません (%s)", "%s: cannot write the XLSX (%s)",
                       path, lxw_strerror(w.err));
    }
    return finish(ctx, wb, tmp, path);
}

int az_xlsx_vendor_form(struct az_ctx *ctx, const struct az_edition *ed, const struct az_profile *p,
                        const struct az_system *sys, const struct az_answers *prev,
                        struct az_date as_of, const char *path)
{
    enum az_lang l = ctx->lang;
    const struct az_form *vf = NULL;
    struct w w = {ctx, LXW_NO_ERROR};
    struct fmts f;
    char tmp[4200], req[64], title[512];
    lxw_workbook *wb;
    struct form_head head = {{0}, {0}, 0};

    for (size_t i = 0; i < ed->nforms; i++)
        if (ed->forms[i].vendor)
            vf = &ed->forms[i];
    if (!vf)
        return az_fail(ctx, AZ_ENOTFOUND, "%s には事業者確認用がありません",
                       "%s has no vendor form", ed->version);
    if (prev && prev->form != vf)
        return az_fail(ctx, AZ_EINVAL, "前回の回答が事業者確認用ではありません",
                       "the previous answers are not vendor-form answers");
    {
        /* the institution's checklist names the pack (薬局における… for a pharmacy) */
        const struct az_form *inf = az_form_for_profile(ed, p);
        snprintf(title, sizeof(title), "%s %s (%s)", tr(l, az_form_doc_title(inf ? inf : vf)),
                 ed->version, tr(l, vf->title));
    }
    wb = start(ctx, path, tmp, sizeof(tmp), title, as_of);
    if (!wb)
        return AZ_EIO;
    make_fmts(wb, &f);
    az_date_wareki(as_of, req, sizeof(req));
    head.label[0] = p->type == AZ_INST_PHARMACY ? lj(l, "薬局名", "Pharmacy")
                                                : lj(l, "医療機関名", "Institution");
    head.value[0] = p->name;
    head.label[1] = lj(l, "依頼日", "Requested on");
    head.value[1] = req;
    head.label[2] = lj(l, "対象システム", "System");
    head.value[2] = sys->name;
    head.label[3] = lj(l, "事業者名", "Vendor");
    head.value[3] = sys->vendor ? sys->vendor : "";
    head.label[4] = lj(l, "回答者 (部署・氏名)", "Answered by");
    head.value[4] = "";
    head.label[5] = lj(l, "回答日", "Answered on");
    head.value[5] = "";
    head.n = 6;
    form_sheet(&w, wb, &f, ed, vf, &head, NULL, prev, true, l, NULL);
    meta_sheet(&w, wb, ed, vf, sys->id, p->name);
    if (w.err != LXW_NO_ERROR) {
        workbook_close(wb);
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: XLSX を書けません (%s)", "%s: cannot write the XLSX (%s)",
                       path, lxw_strerror(w.err));
    }
    return finish(ctx, wb, tmp, path);
}

int az_procure_xlsx(struct az_ctx *ctx, const struct az_catalog *cat,
                    const struct az_procure_spec *spec, struct az_date as_of, const char *path)
{
    enum az_lang l = ctx->lang;
    json_t *m = az_procure_model(cat, spec, as_of, l), *q;
    struct w w = {ctx, LXW_NO_ERROR};
    struct fmts f;
    char tmp[4200], title[512];
    lxw_workbook *wb;
    lxw_worksheet *ws;
    unsigned row = 0;
    size_t i;
    static const double widths[] = {6, 12, 60, 12, 28, 40};

    if (!m)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    snprintf(title, sizeof(title), "%s: %s",
             lj(l, "調達時のセキュリティ要件", "Security requirements"), spec->system_name);
    wb = start(ctx, path, tmp, sizeof(tmp), title, as_of);
    if (!wb) {
        json_decref(m);
        return AZ_EIO;
    }
    make_fmts(wb, &f);
    ws = workbook_add_worksheet(wb, lj(l, "調達要件", "Requirements"));
    if (!ws) {
        workbook_close(wb);
        unlink(tmp);
        json_decref(m);
        return az_fail(ctx, AZ_ENOMEM, "シートを作れません", "cannot add the sheet");
    }
    for (unsigned c = 0; c < 6; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    chk(&w, worksheet_merge_range(ws, row, 0, row, 5, title, f.title));
    row += 2;
    wstr(&w, ws, row, 0, lj(l, "医療機関", "Institution"), f.label);
    wstr(&w, ws, row, 1, spec->institution ? spec->institution : "", f.value);
    chk(&w, worksheet_merge_range(ws, row, 1, row, 2, "", f.value));
    wstr(&w, ws, row, 1, spec->institution ? spec->institution : "", f.value);
    wstr(&w, ws, row, 3, lj(l, "形態", "Hosting"), f.label);
    wstr(&w, ws, row, 4,
         spec->cloud ? lj(l, "クラウド", "cloud") : lj(l, "院内設置", "on premises"), f.value);
    row++;
    wstr(&w, ws, row, 0, lj(l, "対象システム", "System"), f.label);
    chk(&w, worksheet_merge_range(ws, row, 1, row, 2, "", f.value));
    wstr(&w, ws, row, 1, spec->system_name, f.value);
    wstr(&w, ws, row, 3, lj(l, "リモート保守", "Remote maintenance"), f.label);
    wstr(&w, ws, row, 4, spec->remote_maintenance ? lj(l, "あり", "yes") : lj(l, "なし", "no"),
         f.value);
    row += 2;
    {
        const char *h[] = {
            lj(l, "番号", "No."),
            lj(l, "区分", "Area"),
            lj(l, "要件", "Requirement"),
            lj(l, "標準機能\n(価格に含める)", "Standard feature\n(in the price)"),
            lj(l, "入札時の提出物", "To submit with the bid"),
            lj(l, "根拠 (チェックリスト・ガイドライン)", "Basis (checklist, guideline)")};
        for (unsigned c = 0; c < 6; c++)
            wstr(&w, ws, row, c, h[c], f.head);
        worksheet_set_row(ws, row, 30, NULL);
    }
    {
        unsigned hrow = row++;
        json_array_foreach(json_object_get(m, "requirements"), i, q)
        {
            struct az_buf refs, text;
            const json_t *rf;
            size_t k;
            int n, n2;
            az_buf_init(&refs, 64 * 1024);
            az_buf_init(&text, 64 * 1024);
            json_array_foreach(json_object_get(q, "refs"), k, rf) az_buf_printf(
                &refs, "%s%s %s", k ? "\n" : "", json_string_value(json_object_get(rf, "label")),
                json_string_value(json_object_get(rf, "title")));
            az_buf_puts(&text, json_string_value(json_object_get(q, "text")));
            if (json_string_value(json_object_get(q, "note")))
                az_buf_printf(&text, "\n%s", json_string_value(json_object_get(q, "note")));
            chk(&w, worksheet_write_number(ws, row, 0,
                                           (double)json_integer_value(json_object_get(q, "no")),
                                           f.center));
            {
                char area[128];
                snprintf(area, sizeof(area), "%s\n(%s)",
                         json_string_value(json_object_get(q, "category")),
                         json_string_value(json_object_get(q, "level_name")));
                wstr(&w, ws, row, 1, area, f.wrap);
            }
            wstr(&w, ws, row, 2, text.data, f.wrap);
            wstr(&w, ws, row, 3,
                 json_is_true(json_object_get(q, "standard_feature")) ? lj(l, "はい", "yes") : "—",
                 json_is_true(json_object_get(q, "standard_feature")) ? f.warn : f.center);
            wstr(&w, ws, row, 4, json_string_value(json_object_get(q, "submit")), f.wrap);
            wstr(&w, ws, row, 5, refs.data ? refs.data : "", f.wrap);
            n = lines_for(text.data, 60);
            if ((n2 = lines_for(refs.data, 40)) > n)
                n = n2;
            row_height(ws, row, n);
            az_buf_done(&refs);
            az_buf_done(&text);
            row++;
        }
        print_setup(ws, true, hrow, hrow, "&C&P / &N");
    }
    json_decref(m);
    if (w.err != LXW_NO_ERROR) {
        workbook_close(wb);
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: XLSX を書けません (%s)", "%s: cannot write the XLSX (%s)",
                       path, lxw_strerror(w.err));
    }
    return finish(ctx, wb, tmp, path);
}

/* ---- the documents of anzen docs and the inspection pack (docs.h) ---- */

/* A sheet name Excel accepts: at most 31 characters, none of []:*?/\ . */
static void sheet_name(const char *s, char *buf, size_t n)
{
    size_t o = 0, chars = 0;

    for (const char *p = s; *p && o + 5 < n && chars < 31;) {
        size_t len = 1;
        unsigned char c = (unsigned char)*p;
        if (c >= 0xF0)
            len = 4;
        else if (c >= 0xE0)
            len = 3;
        else if (c >= 0xC0)
            len = 2;
        if (len == 1 && strchr("[]:*?/\\", *p))
            buf[o++] = '_';
        else {
            for (size_t k = 0; k < len && p[k]; k++)
                buf[o++] = p[k];
        }
        p += len;
        chars++;
    }
    buf[o] = 0;
}

static const char *js_(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

int az_xlsx_docs(struct az_ctx *ctx, const json_t *model, const char *path)
{
    enum az_lang l = ctx->lang;
    struct w w = {ctx, LXW_NO_ERROR};
    struct fmts f;
    char tmp[4200], record[160] = "";
    struct az_date asof = {0, 0, 0};
    lxw_workbook *wb;
    const json_t *sec;
    size_t si;
    bool ro = json_is_true(json_object_get(model, "readonly")); /* nothing to fill in */

    az_date_parse(js_(model, "as_of"), false, &asof);
    wb = start(ctx, path, tmp, sizeof(tmp), js_(model, "title"), asof);
    if (!wb)
        return AZ_EIO;
    make_fmts(wb, &f);
    json_array_foreach(json_object_get(model, "sections"), si, sec)
    {
        char name[160];
        AZ_AUTOFREE char *head = NULL; /* whole: an institution name of any length */
        lxw_worksheet *ws;
        unsigned row = 0, ncols = 2;
        const json_t *blk, *x;
        size_t bi, k;

        sheet_name(js_(sec, "sheet"), name, sizeof(name));
        if (!(ws = workbook_add_worksheet(wb, name))) {
            chk(&w, LXW_ERROR_MEMORY_MALLOC_FAILED);
            break;
        }
        if (!strcmp(js_(sec, "id"), "record"))
            snprintf(record, sizeof(record), "%s", name);
        /* widest table of the sheet decides the columns (B onwards) */
        json_array_foreach(json_object_get(sec, "blocks"), bi, blk)
        {
            size_t c = json_array_size(json_object_get(json_object_get(blk, "table"), "head"));
            if (c > ncols)
                ncols = (unsigned)c;
        }
        {
            lxw_row_col_options hide = {.hidden = LXW_TRUE};
            worksheet_set_column_opt(ws, 0, 0, 10, f.hidden, &hide); /* keys read back */
        }
        worksheet_set_column(ws, 1, 1, 26, NULL);
        worksheet_set_column(ws, 2, (lxw_col_t)ncols, ncols > 4 ? 20 : 44, NULL);
        az_strf(&head, "%s", js_(model, "title"));
        chk(&w,
            worksheet_merge_range(ws, row, 1, row, (lxw_col_t)ncols, head ? head : "", f.title));
        worksheet_set_row(ws, row, 22, NULL);
        row++;
        az_strf(&head, "%s: %s    %s: %s", js_(model, "inst_label"), js_(model, "institution"),
                lj(l, "基準日", "As of"), js_(model, "as_of"));
        chk(&w,
            worksheet_merge_range(ws, row, 1, row, (lxw_col_t)ncols, head ? head : "", f.small));
        row++;
        if (si == 0) {
            const char *lb = js_(model, "legal_basis");
            if (*lb) {
                az_strf(&head, "%s %s", lj(l, "根拠:", "Legal basis:"), lb);
                chk(&w, worksheet_merge_range(ws, row, 1, row, (lxw_col_t)ncols, head ? head : "",
                                              f.small));
                row_height(ws, row, lines_for(head ? head : "", 26 + 20.0 * ncols));
                row++;
            }
            json_array_foreach(json_object_get(model, "notes"), k, x)
            {
                chk(&w, worksheet_merge_range(ws, row, 1, row, (lxw_col_t)ncols,
                                              json_string_value(x), f.small));
                row_height(ws, row, lines_for(json_string_value(x), 26 + 20.0 * (ncols - 1)));
                row++;
            }
        }
        row++;
        wstr(&w, ws, row, 1, js_(sec, "title"), f.bold_run);
        row++;
        json_array_foreach(json_object_get(sec, "paragraphs"), k, x)
        {
            const char *p = json_string_value(x);
            chk(&w, worksheet_merge_range(ws, row, 1, row, (lxw_col_t)ncols, "", f.small));
            wstr(&w, ws, row, 1, p, f.small);
            row_height(ws, row, lines_for(p, 26 + (ncols > 4 ? 20.0 : 44.0) * (ncols - 1)));
            row++;
        }
        json_array_foreach(json_object_get(sec, "blocks"), bi, blk)
        {
            const json_t *t = json_object_get(blk, "table"), *fl = json_object_get(blk, "fields");
            bool input = json_is_true(json_object_get(blk, "input"));
            row++;
            if (*js_(blk, "caption")) {
                wstr(&w, ws, row, 1, js_(blk, "caption"), f.bold_run);
                row++;
            }
            json_array_foreach(fl, k, x)
            {
                const char *v = js_(x, "value");
                wstr(&w, ws, row, 0, js_(x, "key"), f.hidden);
                wstr(&w, ws, row, 1, js_(x, "label"), f.label);
                if (ncols > 2)
                    chk(&w, worksheet_merge_range(ws, row, 2, row, (lxw_col_t)ncols, "", f.input));
                wstr(&w, ws, row, 2, v, f.input);
                {
                    int n = lines_for(v, ncols > 4 ? 20.0 * (ncols - 1) : 44.0 * (ncols - 1));
                    row_height(ws, row, n < 2 ? 2 : n);
                }
                row++;
            }
            if (t) {
                const json_t *r;
                size_t ri;
                json_array_foreach(json_object_get(t, "head"), k, x)
                    wstr(&w, ws, row, (unsigned)(1 + k), json_string_value(x), f.head);
                worksheet_set_row(ws, row, 30, NULL);
                row++;
                json_array_foreach(json_object_get(t, "rows"), ri, r)
                {
                    int lines = 1;
                    if (input) {
                        char key[32];
                        snprintf(key, sizeof(key), "step.%zu", ri + 1);
                        wstr(&w, ws, row, 0, key, f.hidden);
                    }
                    json_array_foreach(r, k, x)
                    {
                        const char *v = json_string_value(x);
                        int n = lines_for(v, k == 0 ? 26 : ncols > 4 ? 20 : 44);
                        wstr(&w, ws, row, (unsigned)(1 + k), v,
                             input && k > 0    ? f.input
                             : (v && *v) || ro ? f.wrap
                                               : f.input);
                        if (n > lines)
                            lines = n;
                    }
                    row_height(ws, row, lines);
                    row++;
                }
            }
        }
        print_setup(ws, ncols > 4, 0, 0, "&C&P / &N");
    }
    if (w.err == LXW_NO_ERROR) {
        lxw_worksheet *ws = workbook_add_worksheet(wb, "anzen");
        const char *rows[][2] = {{"schema", js_(model, "schema")},
                                 {"kind", js_(model, "kind")},
                                 {"institution", js_(model, "institution")},
                                 {"record-sheet", record},
                                 {"anzen", AZ_VERSION}};
        if (!ws)
            chk(&w, LXW_ERROR_MEMORY_MALLOC_FAILED);
        for (unsigned i = 0; ws && i < sizeof(rows) / sizeof(rows[0]); i++) {
            wstr(&w, ws, i, 0, rows[i][0], NULL);
            wstr(&w, ws, i, 1, rows[i][1], NULL);
        }
        if (ws)
            worksheet_hide(ws);
    }
    if (w.err != LXW_NO_ERROR) {
        workbook_close(wb);
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: XLSX を書けません (%s)", "%s: cannot write the XLSX (%s)",
                       path, lxw_strerror(w.err));
    }
    return finish(ctx, wb, tmp, path);
}
