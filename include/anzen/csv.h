/* SPDX-License-Identifier: MIT */
/*
 * csv.h - CSV as Excel and LibreOffice write it in Japan: RFC 4180 quoting,
 * CRLF/LF/CR line ends, newlines inside quoted fields, a UTF-8 BOM or none,
 * and CP932 (Windows-31J, never plain SHIFT_JIS) from Excel's "CSV" save.
 * Written by hand because no packaged C library covers these quirks; it is
 * fuzzed (tests/fuzz/fuzz_csv.c) with a parse-write-parse round-trip check.
 *
 * Ownership: az_csv_parse returns an owned table (az_csv_free); its strings
 * live as long as the table.
 */
#ifndef ANZEN_CSV_H
#define ANZEN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "anzen.h"
#include "util.h"

#define AZ_CSV_MAX_FIELD  (64u * 1024u)
#define AZ_CSV_MAX_FIELDS 1000
#define AZ_CSV_MAX_ROWS   1000000

enum az_csv_encoding {
    AZ_CSV_AUTO, /* UTF-8 (with or without BOM) if valid, else CP932 */
    AZ_CSV_UTF8,
    AZ_CSV_CP932,
};

struct az_csv_row {
    char **f; /* fields, NUL-terminated UTF-8 */
    size_t n;
    size_t line;   /* 1-based line where the row starts */
    size_t record; /* 1-based record number, empty rows counted: the row
                      number Excel shows, whatever quoted newlines do */
};

struct az_csv {
    struct az_csv_row *rows;
    size_t nrows;
    enum az_csv_encoding encoding; /* what the input turned out to be */
    bool had_bom;
    void *priv;
};

/*
 * Decode (per enc) and parse data. Errors name the place: "name:line:col:
 * message" (unterminated quote, text after a closing quote, a field or row
 * over the limits, bytes that are neither UTF-8 nor CP932). Empty lines are
 * skipped; a leading Excel "sep=," line is honoured and skipped.
 */
int az_csv_parse(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                 enum az_csv_encoding enc, struct az_csv **ret);
void az_csv_free(struct az_csv *t);

/*
 * Append one row to b as CSV: fields quoted when they hold a comma, quote,
 * CR, LF or leading/trailing space; rows end in CRLF (what Excel expects).
 */
int az_csv_write_row(struct az_buf *b, const char *const *fields, size_t n);

/*
 * Could a spreadsheet take this cell as a formula (OWASP's CSV injection)?
 * True for a tab or CR first, for "=" or "@" first, and for "+" or "-"
 * followed by more text; a lone "-" or "+" (a dash for "none") is text.
 * The exports put a single quote before such a cell.
 */
bool az_csv_formula_like(const char *s);

/*
 * Convert UTF-8 text to CP932 for Excel. A character CP932 cannot hold is
 * an error naming its byte offset. Returns a new buffer (caller frees).
 */
int az_utf8_to_cp932(struct az_ctx *ctx, const char *in, size_t len, char **ret, size_t *ret_len);

#endif
