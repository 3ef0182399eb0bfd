/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ledger.c - libFuzzer target for the ledger's header mapper: the
 * header finder (title rows, two-row headers), the alias table, --map,
 * the cell checks, the description and the export. Any input must import
 * or fail cleanly; what imports must describe and write back, and what it
 * writes must parse as CSV with as many extra columns as were kept.
 *
 * The first line of the input, when it starts with "map:", is one --map
 * argument, so the fuzzer also explores HEADER=field.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/csv.h"
#include "anzen/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct az_ctx ctx;
    struct az_ledger *l = NULL;
    struct az_ledger_import_opts o = {.skip_bad = true, .as_of = {2025, 11, 24}};
    const char *p = (const char *)data;
    char *map = NULL, *rep = NULL;
    const char *maps[1];

    az_ctx_init(&ctx, AZ_LANG_JA);
    if (size > 4 && !memcmp(p, "map:", 4)) {
        const char *nl = memchr(p, '\n', size);
        size_t n = nl ? (size_t)(nl - p) : size;
        map = strndup(p + 4, n - 4);
        if (!map)
            return 0;
        maps[0] = map;
        o.maps = maps;
        o.nmaps = 1;
        p += nl ? n + 1 : n;
        size -= nl ? n + 1 : n;
    }
    (void)az_ledger_score(p, size);
    if (az_ledger_import_opts(&ctx, "fuzz.csv", p, size, &o, &l) == 0) {
        struct az_buf b;
        struct az_csv *t = NULL;
        az_buf_init(&b, 64u * 1024 * 1024);
        if (az_ledger_describe(l, AZ_LANG_EN, &b) < 0)
            abort();
        b.len = 0;
        if (az_ledger_write_rows(l, AZ_LANG_JA, &b) < 0)
            abort();
        if (az_csv_parse(&ctx, "again.csv", b.data ? b.data : "", b.len, AZ_CSV_UTF8, &t) < 0)
            abort(); /* what we wrote must read back */
        if (t->nrows != l->n + 1 || t->rows[0].n != AZ_NCOLS + l->nextra)
            abort();
        az_csv_free(t);
        az_buf_done(&b);
        az_ledger_free(l);
    }
    /* not skipping, with the report handed back */
    o.skip_bad = false;
    o.report = &rep;
    l = NULL;
    if (az_ledger_import_opts(&ctx, "fuzz.csv", p, size, &o, &l) == 0)
        az_ledger_free(l);
    free(rep);
    free(map);
    return 0;
}
