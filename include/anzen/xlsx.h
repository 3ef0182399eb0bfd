/* SPDX-License-Identifier: MIT */
/*
 * xlsx.h - Excel workbooks: the official checklist form with the plan and
 * ledger sheets, the 事業者確認用 sent to a vendor, the asset ledger on
 * its own (written with libxlsxwriter); and reading a workbook back
 * (libzip + libxml2, since no packaged library reads XLSX) to import a
 * vendor's answered form.
 *
 * Form layout (one sheet per form, A4 portrait, the column header row
 * repeated on every printed page, fit to the page width):
 *   title; 医療機関名 / 担当者 (for a vendor form also システム, 事業者,
 *   回答者, 回答日); then per group a heading row and per item:
 *   番号 | 確認項目 (title and text) | 確認結果 (はい/いいえ/対象外, a drop-down)
 *   | 確認日 | 目標日 (いいえの場合) | 備考 | ID (hidden).
 * A hidden sheet "anzen" records schema anzen-form/1, edition, form and
 * system, so an answered form is matched back without guessing; the
 * printed item numbers are the fallback when a vendor re-typed the form.
 *
 * Reader limits (untrusted files): ≤ 2,000 zip entries, ≤ 64 MiB
 * uncompressed per entry and 256 MiB in all, compression ratio ≤ 200:1
 * per entry, XML depth ≤ 128, no DTD, no network, no entity expansion,
 * ≤ 100,000 shared strings, ≤ 1,000,000 cells, ≤ 64 sheets.
 *
 * Writers replace the file atomically (temp file, fsync, rename). Ownership
 * of the reader's result follows anzen.h.
 */
#ifndef ANZEN_XLSX_H
#define ANZEN_XLSX_H

#include "assess.h"
#include "ledger.h"
#include "report.h"
#include "procure.h"
#include "vendor.h"

struct lxw_workbook;

/* The institution's checklist workbook: the form (answers, dates, notes),
 * then 対応計画 when in->plan and 機器台帳 when in->ledger. */
int az_xlsx_checklist(struct az_ctx *ctx, const struct az_report_input *in, const char *path);

/* The 事業者確認用 of edition ed for system sys of institution p, to send
 * to its vendor; prefilled with prev's answers when prev is non-NULL.
 * as_of is the request date printed on the form. */
int az_xlsx_vendor_form(struct az_ctx *ctx, const struct az_edition *ed, const struct az_profile *p,
                        const struct az_system *sys, const struct az_answers *prev,
                        struct az_date as_of, const char *path);

/* The asset ledger as a workbook of its own, and as a sheet added to an
 * open workbook (for `anzen ledger export --format xlsx`). */
int az_xlsx_ledger(struct az_ctx *ctx, const struct az_ledger *l, const char *path);
int az_xlsx_ledger_sheet(struct az_ctx *ctx, struct lxw_workbook *wb, const struct az_ledger *l);

/* ---- reading ---- */

struct az_xlsx_cell {
    unsigned row, col; /* 0-based */
    char *text;        /* shared/inline strings as text, numbers as written */
    bool date;         /* a number in a date format (an Excel serial date) */
};

struct az_xlsx_sheet {
    char *name;
    bool hidden;
    struct az_xlsx_cell *cells; /* sorted by row, then column */
    size_t n;
};

struct az_xlsx {
    struct az_xlsx_sheet *sheets;
    size_t n;
};

#define AZ_XLSX_MAX_ENTRIES 2000
#define AZ_XLSX_MAX_ENTRY   (64u * 1024u * 1024u)
#define AZ_XLSX_MAX_TOTAL   (256u * 1024u * 1024u)
#define AZ_XLSX_MAX_RATIO   200
#define AZ_XLSX_MAX_DEPTH   128
/* shared strings: a hospital's ledger of 30,000 rows has well over
 * 100,000 distinct ones; the bound is the count and the memory they take
 * (text plus AZ_XLSX_STRING_COST each) */
#define AZ_XLSX_MAX_STRINGS      2000000
#define AZ_XLSX_MAX_STRING_BYTES (128u * 1024u * 1024u)
#define AZ_XLSX_STRING_COST      32u
#define AZ_XLSX_MAX_CELLS        1000000
#define AZ_XLSX_MAX_SHEETS       64

/* Read the cell values of every sheet of an XLSX file held in memory.
 * Errors name the file and the part (e.g. "f.xlsx: xl/worksheets/sheet1.xml:
 * line 3: ..."). */
int az_xlsx_read(struct az_ctx *ctx, const char *name, const void *data, size_t len,
                 struct az_xlsx **ret);
void az_xlsx_free(struct az_xlsx *x);
/* The text of a cell, or NULL when empty. */
const char *az_xlsx_get(const struct az_xlsx_sheet *s, unsigned row, unsigned col);
const struct az_xlsx_sheet *az_xlsx_sheet(const struct az_xlsx *x, const char *name);

/*
 * Import a vendor's answered 事業者確認用: an XLSX (as anzen wrote it, also
 * after LibreOffice or Excel saved it), or a CSV / JSON / YAML answers
 * file. Checks that it is the vendor form of cat's edition, for a system
 * of p (system may force one when the file does not say), and that every
 * answer is valid (はい/いいえ/対象外, dates, target date when いいえ),
 * naming the sheet, row and column of each problem. Returns answers ready
 * for az_answers_to_yaml.
 */
int az_vendor_form_import(struct az_ctx *ctx, const struct az_catalog *cat,
                          const struct az_profile *p, const char *system, const char *name,
                          const char *data, size_t len, struct az_answers **ret);

#endif
