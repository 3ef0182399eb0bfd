/* SPDX-License-Identifier: MIT */
/*
 * ledger_impl.h - what the ledger's own files share inside libanzen:
 *   ledger.c         names, memory, merge, describe, export
 *   ledger_header.c  the header row and the mapping of its columns
 *   ledger_import.c  the rows: cells read into assets, with row errors
 *   ledger_check.c   the findings about the assets
 */
#ifndef ANZEN_LEDGER_IMPL_H
#define ANZEN_LEDGER_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "anzen/csv.h"
#include "anzen/ledger.h"
#include "ledger_internal.h"

/* How many rows from the top may hold the header. */
#define HEADER_SCAN 30

/* Strings the ledger owns besides the CSV table (l->priv). */
struct az_ledger_priv {
    char **s;
    size_t n, cap;
    const char **cells;       /* n rows x nextra */
    struct az_ledger **parts; /* merged ledgers (az_ledger_merge) */
    size_t nparts;
};

/* Keep s until l is freed; returns s, or NULL (s freed) on ENOMEM. */
const char *az_ledger_own(struct az_ledger *l, char *s);
/* Equal after folding (width, case, spaces, punctuation). */
bool az_ledger_same(const char *a, const char *b);
/* Cell i of row r, "" past its end or without a row. */
const char *az_ledger_cell(const struct az_csv_row *r, size_t i);
/* ja or en, in ctx's language. */
const char *az_ledger_lg(struct az_ctx *ctx, const char *ja, const char *en);

/* The vocabulary column of a header cell, or -1. */
int az_ledger_header_col(const struct az_ledger_vocab *v, const char *h);
/* How many cells of r are headers the vocabulary knows. */
int az_ledger_row_score(const struct az_ledger_vocab *v, const struct az_csv_row *r);
/* The header row among the first HEADER_SCAN rows, or -1 (*score: its
 * recognised cells). */
long az_ledger_find_header(const struct az_ledger_vocab *v, const struct az_csv *t, int *score);
/* The headers anzen reads, in the reader's language ("名称、種別、…"). */
int az_ledger_headers_list(const struct az_ledger_vocab *v, bool en, struct az_buf *b);
/* Work out the columns of l from header rows h0..h1 (h0 == h1 for one
 * row) and the --map options. 0 or an error code (in ctx). */
int az_ledger_map_columns(struct az_ctx *ctx, const char *name, struct az_ledger *l, long h0,
                          long h1, const struct az_ledger_import_opts *o);

#endif
