/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csv.c - libFuzzer target for the CSV reader and writer and the
 * ledger importer: any input must parse or fail cleanly, and whatever
 * parses must survive write -> parse unchanged (the round-trip property).
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
    struct az_csv *t, *u;
    struct az_buf b;

    az_ctx_init(&ctx, AZ_LANG_EN);
    {
        /* the ledger importer on top of the reader: clean failure or a
         * ledger that writes back */
        struct az_ledger *l;
        if (az_ledger_import(&ctx, "fuzz.csv", (const char *)data, size, true, &l) == 0) {
            struct az_buf lb;
            az_buf_init(&lb, 64u * 1024 * 1024);
            if (az_ledger_write_csv(l, &lb) < 0)
                abort();
            az_buf_done(&lb);
            az_ledger_free(l);
        }
    }
    if (az_csv_parse(&ctx, "fuzz.csv", (const char *)data, size, AZ_CSV_AUTO, &t) < 0)
        return 0;
    az_buf_init(&b, 64u * 1024 * 1024);
    for (size_t i = 0; i < t->nrows; i++)
        if (az_csv_write_row(&b, (const char *const *)t->rows[i].f, t->rows[i].n) < 0)
            abort();
    if (az_csv_parse(&ctx, "again.csv", b.data ? b.data : "", b.len, AZ_CSV_UTF8, &u) < 0)
        abort(); /* what we wrote must read back */
    if (u->nrows != t->nrows)
        abort();
    for (size_t i = 0; i < t->nrows; i++) {
        if (u->rows[i].n != t->rows[i].n)
            abort();
        for (size_t k = 0; k < t->rows[i].n; k++)
            if (strcmp(u->rows[i].f[k], t->rows[i].f[k]) != 0)
                abort();
    }
    az_csv_free(u);
    az_csv_free(t);
    az_buf_done(&b);
    return 0;
}
