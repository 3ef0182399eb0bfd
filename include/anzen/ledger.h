/* SPDX-License-Identifier: MIT */
/*
 * ledger.h - the asset ledger (台帳, checklist 2-①): servers, PCs, network
 * and VPN / remote-maintenance devices, medical devices, with who
 * administers them, firmware, last patch and support end.
 *
 * Import reads CSV as Excel writes it (csv.h) with the headers clinics
 * write, in Japanese or English, in any order (data/ledger/vocabulary.yaml:
 * width, case, spaces and punctuation do not matter); title and blank rows
 * above the header and a header split over two rows (merged cells) are
 * found. Columns anzen does not check are kept as extra columns and
 * written back on export. Dates may be ISO, 令和, R6.4.1 or Excel serials,
 * digits may be full-width. Every problem is reported at once with the
 * row number Excel shows, the column header and what is accepted; with
 * skip_bad false a file with any error imports nothing.
 *
 * Ownership: az_ledger_import returns an owned ledger (az_ledger_free);
 * strings live as long as it does.
 */
#ifndef ANZEN_LEDGER_H
#define ANZEN_LEDGER_H

#include <stdbool.h>

#include "anzen.h"
#include "csv.h"
#include "date.h"

#include <jansson.h>

enum az_asset_kind {
    AZ_ASSET_SERVER,
    AZ_ASSET_TERMINAL,
    AZ_ASSET_NETWORK,
    AZ_ASSET_VPN, /* VPN / remote-maintenance device */
    AZ_ASSET_MEDICAL,
    AZ_ASSET_OTHER,
};

enum az_ledger_col {
    AZ_COL_KIND,
    AZ_COL_NAME,
    AZ_COL_LOCATION,
    AZ_COL_SEGMENT,
    AZ_COL_IP,
    AZ_COL_MAC,
    AZ_COL_OS,
    AZ_COL_VERSION,
    AZ_COL_SYSTEM,
    AZ_COL_ADMIN,
    AZ_COL_BROUGHT_BY,
    AZ_COL_LAST_PATCH,
    AZ_COL_EOL,
    AZ_COL_EXTERNAL,
    AZ_NCOLS,
};

/* What the XLSX export shows in an empty administrator cell; import reads
 * it (and its full-width form) back as empty. */
#define AZ_LEDGER_NO_ADMIN "(管理者なし)"

struct az_asset {
    enum az_asset_kind kind;
    const char *col[AZ_NCOLS]; /* raw text per column ("" when empty) */
    bool has_last_patch, has_eol;
    struct az_date last_patch, eol;
    int external; /* 1 yes, 0 no, -1 unknown */
    size_t line;  /* the row number Excel shows */
    /* added for clinics' ledgers */
    const char *kind_id;      /* vocabulary kind ("router"); NULL when none matched */
    const char *kind_label;   /* the kind as written back (vocabulary name or the cell) */
    const char *remote_hint;  /* the product word that made it a VPN device, or NULL */
    const char *const *extra; /* the ledger's nextra extra cells ("" when empty) */
};

/* One column of the source as it was understood. */
struct az_ledger_column {
    char *header;      /* as written (a two-row header: both parts) */
    const char *field; /* field token ("name", "maker"); NULL: unknown */
    int core;          /* enum az_ledger_col, or -1 */
    int extra;         /* index into extra_head, or -1 when dropped (empty) */
    bool mapped;       /* by --map */
    bool duplicate;    /* a second column for a core field, kept as extra */
};

struct az_ledger_vocab;
struct az_ledger {
    struct az_asset *v;
    size_t n;
    size_t rejected; /* rows with errors left out (without a name, or not skip_bad) */
    size_t blanked;  /* rows kept with skip_bad, their bad cells left blank */
    size_t totals;   /* 合計 / 小計 rows recognised and skipped */
    char *report;    /* one line per problem (also for skipped rows) */
    struct az_csv *csv;
    /* added for clinics' ledgers */
    size_t header_row; /* Excel row of the (last) header row */
    struct az_ledger_column *columns;
    size_t ncolumns;
    size_t nextra;                       /* extra columns, in source order */
    const char **extra_head;             /* their headers */
    const char **extra_field;            /* their field tokens (NULL: unknown) */
    const struct az_ledger_vocab *vocab; /* shared, not owned */
    void *priv;
};

/* A report lists every error first, then informational notes (months
 * read as days, totals rows skipped): the first AZ_LEDGER_NOTES_SHOWN and
 * how many more. A report never grows past AZ_LEDGER_REPORT_MAX bytes;
 * lines past it are counted and the count said. */
#define AZ_LEDGER_NOTES_SHOWN 20
#define AZ_LEDGER_REPORT_MAX  (64u * 1024u * 1024u)

struct az_ledger_import_opts {
    bool skip_bad;
    const char *const *maps; /* "HEADER=field" (field: a token, a header name, or "extra") */
    size_t nmaps;
    struct az_date as_of; /* dates after its year + 10 are errors; {0}: today */
    bool collect;         /* rows with errors are left out and counted in rejected
                             (not skip_bad) but the import does not fail: the
                             caller refuses once for all sheets */
    bool all_notes;       /* every informational note in the report (--verbose);
                             else the first AZ_LEDGER_NOTES_SHOWN and a count */
    char **report;        /* when set and rows have errors (not skip_bad): every
                             problem, one a line (caller frees); the error
                             message is then the summary alone */
};

int az_ledger_import(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                     bool skip_bad, struct az_ledger **ret);
int az_ledger_import_opts(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                          const struct az_ledger_import_opts *o, struct az_ledger **ret);
void az_ledger_free(struct az_ledger *l);

/*
 * One ledger of several (a workbook keeping PCs and network devices on
 * separate sheets): the assets in order, the extra columns united by
 * header. Takes ownership of parts (also on failure); the result keeps
 * them alive. The reports are joined.
 */
int az_ledger_merge(struct az_ctx *ctx, struct az_ledger **parts, size_t n, struct az_ledger **ret);

/* How good a ledger data (CSV) looks: the number of header cells anzen
 * recognises in its best header row (0: none, or not CSV). Used to pick the
 * ledger sheet of a workbook. */
int az_ledger_score(const char *data, size_t len);

/* How each column was understood and what was found (import --dry-run). */
int az_ledger_describe(const struct az_ledger *l, enum az_lang lang, struct az_buf *b);

/* An empty ledger workbook to fill in (template.c): the core columns and
 * the usual extras, drop-down lists for kind, administrator and yes/no,
 * one example row, and a sheet explaining the columns. */
int az_ledger_template(struct az_ctx *ctx, const char *path);
const char *az_ledger_col_token(enum az_ledger_col c);

const char *az_asset_kind_token(enum az_asset_kind k);
const char *az_asset_kind_name(enum az_asset_kind k, enum az_lang lang);
/* Column header as written on export (Japanese) and its token. */
const char *az_ledger_col_name(enum az_ledger_col c, enum az_lang lang);

/*
 * Findings from the ledger and the profile (the profile's system vendors
 * stand for the contracts on file until the vendor registry exists):
 *   no-admin          a device nobody administers (the unmanaged VPN router)
 *   vendor-no-contract administered by a vendor with no contract on file
 *   remote-unconfirmed a VPN / remote-maintenance device whose system is not
 *                     recorded as remote-maintained with its vendor (2-②)
 *   eol               past its support end date (within 180 days: attention)
 *   patch-age         no patch for more than patch_days (or never recorded
 *                     on a network/VPN device)
 *   exposed           a server, medical device or terminal reachable from
 *                     outside
 * Each finding names the checklist items it is evidence for. Returns a new
 * JSON object (schema anzen-ledger-check/1) or NULL on ENOMEM.
 */
struct az_profile;
json_t *az_ledger_check(const struct az_ledger *l, const struct az_profile *p, struct az_date as_of,
                        int patch_days);

/*
 * The same check with everything that can inform it:
 *   vendors  the vendor registry: a vendor administrator needs an entry
 *            (by name or ID) with contract dates, and a contract that has
 *            not ended; NULL: the profile's system vendors stand for the
 *            contracts on file
 *   kev      known exploited vulnerabilities (kev.h): a network or VPN
 *            device whose OS/firmware is a remote-access appliance family
 *            and whose version is in a curated KEV range is a gap ("kev",
 *            with the CVEs, the version to upgrade to and the catalog
 *            version); with no version recorded it is "kev-no-version"
 *            (attention), and outside every curated range of a family
 *            that has KEV entries without ranges it is "kev-unchecked"
 *            (attention). NULL: no KEV rule.
 */
struct az_vendors;
struct az_kev;
struct az_ledger_opts {
    const struct az_profile *profile; /* may be NULL */
    const struct az_vendors *vendors; /* may be NULL */
    const struct az_kev *kev;         /* may be NULL */
    struct az_date as_of;
    int patch_days;
};
json_t *az_ledger_check_opts(const struct az_ledger *l, const struct az_ledger_opts *o);
/* Like az_ledger_check_opts, handing each finding to fn as soon as its
 * asset is checked (borrowed: fn copies what it keeps) instead of
 * collecting them, so tens of thousands of findings never exist as JSON at
 * once; the result's "findings" is then empty ("gaps" still counts them).
 * NULL when fn fails (< 0) or memory runs out. */
json_t *az_ledger_check_each(const struct az_ledger *l, const struct az_ledger_opts *o,
                             int (*fn)(void *arg, const json_t *finding), void *arg);

/* Write the ledger as CSV (UTF-8 with BOM) with Japanese headers into b.
 * Extra columns follow the core ones under their own headers. A cell that
 * starts with = + - @, tab or CR gets a leading ' (so a spreadsheet does
 * not run it as a formula); import removes it again. */
int az_ledger_write_csv(const struct az_ledger *l, struct az_buf *b);
/* The header and asset rows (no BOM) with Japanese or English headers and
 * kinds; ISO dates. Import reads both back. */
int az_ledger_write_rows(const struct az_ledger *l, enum az_lang lang, struct az_buf *b);

#endif
