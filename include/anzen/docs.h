/* SPDX-License-Identifier: MIT */
/*
 * docs.h - the documents anzen drafts from what the workspace knows, to be
 * edited and kept by the institution (`anzen docs`), and the pack for an
 * on-site inspection (`anzen report --inspection`):
 *
 *   bcp         a cyber-attack BCP in the five stages of MHLW's 2024-06
 *               BCP material (平時・検知・初動・復旧・事後): the asset
 *               list, network segments and remote-maintenance entry points
 *               filled in from the ledger and the vendor registry; the
 *               decisions, roles and restore order as fields to fill;
 *   contacts    the contact chart (連絡体制図): internal roles, each
 *               vendor's contact, the public bodies as blank fields;
 *   drill       a tabletop drill on the vendor-VPN ransomware pattern,
 *               with injects per stage and a record sheet that is read
 *               back (az_docs_drill_read) and kept as evidence;
 *   inspection  per checklist item: the answer, the evidence on file, the
 *               documents an inspector expects that are missing
 *               (data/docs/expected-documents.yaml), and for いいえ the
 *               interim measure and target date from the plan.
 *
 * Every document is one model (schema anzen-docs/1), rendered as HTML
 * (data/templates/docs.html) or XLSX (one sheet per section):
 *   {schema, kind, lang, title, subtitle, institution, pharmacy, as_of,
 *    legal_basis, notes: [..], sections: [{id, title, sheet,
 *    paragraphs: [..], blocks: [{caption, fields: [{key, label, value}]}
 *                              | {caption, table: {head, rows, keys?}}]}]}
 * A field or cell with an empty value is a blank to fill in.
 *
 * A pharmacy's documents speak of 当薬局, 開設者 and 管理薬剤師 and cite
 * the pharmacy form's legal basis (the catalog's legal-basis).
 *
 * Ownership: models and the drill record are new JSON references.
 */
#ifndef ANZEN_DOCS_H
#define ANZEN_DOCS_H

#include <jansson.h>

#include "anzen.h"
#include "catalog.h"
#include "report.h"

#define AZ_DOCS_SCHEMA "anzen-docs/1"

struct az_docs_input {
    const struct az_catalog *cat;
    const struct az_report_input *in; /* the workspace view (eval, plan, ledger, vendors) */
    const json_t *evidence;           /* az_store_evidence() of every item, or NULL */
};

/* Is kind one of bcp, contacts, drill, inspection? */
bool az_docs_kind_ok(const char *kind);

/* The table of documents an inspector expects per topic
 * (data/docs/expected-documents.yaml, embedded): {kinds: {id: {ja, en,
 * match: [..], on-file?}}, topics: {topic: [kind, ..]}}. */
int az_docs_expected(struct az_ctx *ctx, json_t **ret);

/* The model of document kind in ctx's language. */
int az_docs_model(struct az_ctx *ctx, const struct az_docs_input *in, const char *kind,
                  json_t **ret);

/* The model as one printable HTML page (A4), appended to out. */
int az_docs_html(struct az_ctx *ctx, const json_t *model, struct az_buf *out);

/* The model as a workbook (xlsx.c): one sheet per section, fields to fill
 * shaded, and a hidden sheet "anzen" naming schema and kind. */
int az_xlsx_docs(struct az_ctx *ctx, const json_t *model, const char *path);

/*
 * Read a filled drill record sheet back (an XLSX as anzen wrote it, also
 * after Excel or LibreOffice saved it). Checks that it is a drill record
 * of institution (NULL: any), that the date is a date and participants
 * are named; errors name the file and the cell (訓練記録!C5). *ret:
 *   {institution, date (ISO), facilitator, participants, scenario,
 *    decisions, lessons, followup, recorder,
 *    steps: [{stage, start, minutes, action, who}]}
 */
int az_docs_drill_read(struct az_ctx *ctx, const char *name, const void *data, size_t len,
                       const char *institution, json_t **ret);

/* The evidence text of a drill record (for the workspace), in ctx's
 * language; new string. */
char *az_docs_drill_text(const json_t *rec, enum az_lang lang);

#endif
