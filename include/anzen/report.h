/* SPDX-License-Identifier: MIT */
/*
 * report.h - the reports people hand over: the report model (the
 * versioned JSON document anzen-report/1, docs/report-json.md), the
 * printable HTML report with inline SVG charts, and Markdown.
 *
 * The model is assembled from what the other modules computed (the
 * evaluation, the plan, the key points, the ledger and vendor checks, the
 * vendor forms); nothing is evaluated again here. Every text in the model
 * is in the language asked for.
 *
 * The HTML report is one self-contained file (CSS and SVG inline, no
 * external request, no script), A4 print CSS. Parts by audience (role
 * mask, 0 = everything):
 *   経営層       one page: overall position, per-role scores, overdue
 *                items, the five most important actions and the
 *                deadlines ahead (FY2027 MFA included);
 *   企画管理者 / システム運用担当者
 *                their items, their gaps and their plan items with the
 *                interim and permanent steps;
 * and, in the full report, the vendor forms, key points, ledger findings,
 * every item, and any extra sections the caller adds (e.g. a network
 * scan, issue #6) after the built-in ones.
 *
 * Ownership: the input is borrowed; az_report_model returns a new
 * reference.
 */
#ifndef ANZEN_REPORT_H
#define ANZEN_REPORT_H

#include <jansson.h>

#include "assess.h"
#include "ledger.h"
#include "plan.h"
#include "tmpl.h"
#include "util.h"
#include "vendor.h"

#define AZ_REPORT_SCHEMA "anzen-report/1"

/* One system with a vendor: its registry entry and its 事業者確認用. */
struct az_report_vendor {
    const struct az_system *sys;
    const struct az_vendor *reg; /* registry entry, or NULL */
    const struct az_eval *eval;  /* the vendor's answers evaluated; NULL = not received */
    const char *expected;        /* where the answers are expected (shown), or NULL */
};

struct az_report_input {
    const struct az_eval *eval; /* the institution's form (required) */
    const struct az_plan *plan; /* may be NULL */
    const json_t *keypoints;    /* az_keypoints(), may be NULL */
    const struct az_ledger *ledger;
    const json_t *ledger_check; /* az_ledger_check(), may be NULL */
    const struct az_vendors *vendors;
    const json_t *vendor_check; /* az_vendors_check(), may be NULL */
    const struct az_report_vendor *vforms;
    size_t nvforms;
    /*
     * Optional extra sections, an array of objects rendered after the
     * built-in ones (all values escaped):
     *   {"id": "scan", "title": "...", "paragraphs": ["..."],
     *    "findings": [{"level": "gap|attention|ok", "text": "..."}],
     *    "table": {"head": ["..."], "rows": [["...", ...]]}}
     * and extra_svg, an object id -> SVG markup made by trusted C code.
     */
    const json_t *extra;
    const json_t *extra_svg;
    /* Evidence records on file (az_store_evidence of every item), shown
     * per item in the checklist workbook's notes; may be NULL. */
    const json_t *evidence;
};

/* The report model (anzen-report/1) in language lang, or NULL on ENOMEM. */
json_t *az_report_model(const struct az_report_input *in, enum az_lang lang);

/* The HTML report for the roles in mask `roles` (0 = the full report),
 * appended to out. */
int az_report_html(struct az_ctx *ctx, const struct az_report_input *in, unsigned roles,
                   struct az_buf *out);

/* The same content as Markdown. */
int az_report_md(struct az_ctx *ctx, const struct az_report_input *in, unsigned roles,
                 struct az_buf *out);

/* The templates embedded in the binary (data/templates/ *.html), parsed
 * and checked. Caller frees with az_tmpl_set_free. */
int az_report_templates(struct az_ctx *ctx, struct az_tmpl_set **ret);

/* ---- SVG charts (svg.c): self-contained <svg> elements, text escaped ---- */

/* A ring with the satisfied share and the percentage in the middle. */
int az_svg_ring(struct az_buf *b, const struct az_score *s, const char *caption);
/* Horizontal stacked bars (satisfied / gap / unanswered), one per row. */
struct az_svg_bar {
    const char *label;
    const struct az_score *score;
};
int az_svg_bars(struct az_buf *b, const struct az_svg_bar *rows, size_t n, enum az_lang lang);
/* A time line from `from` to `to` with dated markers (overdue in red). */
struct az_svg_mark {
    struct az_date date;
    const char *label;
    bool overdue;
};
int az_svg_timeline(struct az_buf *b, struct az_date from, struct az_date to,
                    const struct az_svg_mark *marks, size_t n);

#endif
