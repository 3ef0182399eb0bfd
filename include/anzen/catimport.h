/* SPDX-License-Identifier: MIT */
/*
 * catimport.h - `anzen catalog import`: read an official MHLW checklist
 * workbook as the institution downloaded it and turn it into a draft
 * catalog edition (docs/catalog-format.md) kept in the workspace, never in
 * the embedded data.
 *
 * The reader looks for the sheet and column holding item numbers (2-①,
 * 2-(1), ① under a category row, 1.), the header row above the first item
 * (番号 / 確認項目 / 確認結果 ...), the item-text column, category rows
 * ("2 医療情報システムの管理・運用"), per-device columns of the 令和5/6 forms
 * (サーバ / 端末PC / ネットワーク機器) and merged cells (the value sits in
 * the top-left cell: rows covered by a merged number cell continue the item
 * above). Each item keeps its number and text as printed; a crosswalk to
 * the previous edition is proposed from number and text similarity, with
 * the score. Everything read is marked confidence "imported".
 *
 * Ownership follows anzen.h: az_catimport_read returns an owned result
 * (az_catimport_free); items point into it and into the catalog.
 */
#ifndef ANZEN_CATIMPORT_H
#define ANZEN_CATIMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "xlsx.h"

/* One crosswalk link set by hand (`--map link=2-⑫=new` or
 * `--map link=2-⑩=cl-r7.h.access-log`): the imported item with this label
 * is new, or follows that item of the previous edition. */
struct az_catimport_link {
    const char *label;  /* as the import shows it ("2-⑫"); full-width digits fold */
    const char *target; /* "new" or an item id of the previous edition */
};

/* Hints for a layout the reader cannot work out (`--map KEY=VALUE`).
 * Columns and rows are 0-based here; -1 means "find it". */
struct az_catimport_opts {
    const char *sheet;      /* sheet name */
    int number_col;         /* item-number column */
    int text_col;           /* item-text column */
    int header_row;         /* header row */
    const char *form;       /* h, p, hp or v; NULL: from the title */
    const char *edition_id; /* NULL: cl-r<N>-imp from the fiscal year */
    int fiscal_year;        /* 0: from the title (令和N年度) */
    const char *previous;   /* edition to crosswalk from; NULL: the newest with items */
    const char *file_label; /* how sources name the file (its base name) */
    const char *published;  /* YYYY-MM-DD when the title gives no date */
    const struct az_catimport_link *links; /* crosswalk corrections */
    size_t nlinks;
};

void az_catimport_opts_init(struct az_catimport_opts *o);

struct az_catimport_item {
    char *label;                 /* as printed, qualified by the category when it
                                    prints only ① or (1): "2-①" */
    char *printed;               /* the number cell exactly as printed */
    char *text;                  /* the item text as printed */
    char *device;                /* 令和5/6 per-device row: サーバ / 端末PC / ..., or NULL */
    char *group;                 /* category id ("2") */
    unsigned row, col;           /* where the number is (0-based) */
    const struct az_item *match; /* proposed predecessor, or NULL (new) */
    const struct az_item *match2; /* same topic on a second previous form (hp) */
    double score;                 /* 0..1 */
    double label_score, text_score;
    bool by_hand;     /* the link (or "new") was set with --map link= */
    bool keeps_dates; /* inherits required-from / due-by from match: "same", or
                         a "changed" link whose text is close (AZ_CATIMPORT_CLOSE_TEXT) */
    char *id;         /* item id in the draft edition */
};

struct az_catimport_group {
    char *id;
    char *title;
};

struct az_catimport {
    char *sheet;
    int header_row, number_col, text_col; /* 0-based; header_row -1 if none */
    char **device_names;                  /* per-device columns (令和5/6) */
    int *device_cols;
    size_t ndevices;
    char *title; /* the form's title row, or NULL */
    char *form;  /* h, p, hp, v */
    int fiscal_year;
    char *edition_id;
    char *published;
    const struct az_edition *previous;
    struct az_catimport_group *groups;
    size_t ngroups;
    struct az_catimport_item *items;
    size_t nitems;
    char *file_label;
    char *sha256; /* of the workbook, hex */
};

/* Read workbook `name` (data, len) against cat. Errors name the file,
 * sheet, row and column. */
int az_catimport_read(struct az_ctx *ctx, const struct az_catalog *cat, const char *name,
                      const void *data, size_t len, const struct az_catimport_opts *opts,
                      struct az_catimport **ret);
void az_catimport_free(struct az_catimport *im);

/* Text similarity below which no link is proposed (the item is new), and
 * at or above which a "changed" item keeps its predecessor's required-from
 * and due-by. Chosen on a tester's 令和8-like workbooks and on
 * tests/data/catimport/r8-renumbered.xlsx: true pairs there have a text
 * similarity of 0.41 or more, wrong pairs 0.31 or less (a new item under
 * an old item's number: 0.22 or less). */
#define AZ_CATIMPORT_MIN_TEXT   0.35
#define AZ_CATIMPORT_CLOSE_TEXT 0.5

/* Relation proposed for an item: "same" (answers carry over, to be
 * re-confirmed), "changed" (check again) or NULL (new item). */
const char *az_catimport_relation(const struct az_catimport_item *it);

/* The draft edition as catalog YAML (new string; NULL on ENOMEM). */
char *az_catimport_to_yaml(const struct az_catimport *im, struct az_date today);

/* "A", "B", ... "AA" for a 0-based column. */
void az_col_letter(unsigned col, char *buf, size_t n);
/* Parse "C" / "c" / "3" (1-based) into a 0-based column; -1 if invalid. */
int az_col_parse(const char *s);

#endif
