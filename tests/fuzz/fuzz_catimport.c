/* SPDX-License-Identifier: MIT */
/*
 * fuzz_catimport.c - libFuzzer target for `anzen catalog import`: the
 * XLSX reader under anzen's limits, then the layout finder (sheet, number
 * and text columns, header, categories, per-device columns) and the draft
 * edition writer. Any input must be read or refused cleanly; a draft that
 * is written must load together with the embedded catalog, since that is
 * what --accept relies on.
 *
 * As in fuzz_xlsx.c, an input starting with "X" is the XML parts of a
 * workbook separated by NUL bytes, zipped here, so the XML side gets
 * explored instead of failing zip CRCs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "anzen/catimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct az_catalog *cat;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct az_ctx ctx;

    (void)argc;
    (void)argv;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0)
        abort();
    return 0;
}

/* Zip the NUL-separated parts of in (after the leading "X"). */
static uint8_t *zip_parts(const uint8_t *in, size_t n, size_t *ret_len)
{
    static const char *const names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                        "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                        "xl/worksheets/sheet2.xml"};
    zip_error_t err;
    zip_source_t *src;
    zip_t *z;
    const uint8_t *p = in + 1, *end = in + n;
    uint8_t *out = NULL;
    zip_stat_t st;

    zip_error_init(&err);
    src = zip_source_buffer_create(NULL, 0, 0, &err);
    if (!src)
        abort();
    zip_source_keep(src);
    z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    if (!z)
        abort();
    for (size_t i = 0; i < 5 && p <= end; i++) {
        const uint8_t *q = memchr(p, 0, (size_t)(end - p));
        size_t l = q ? (size_t)(q - p) : (size_t)(end - p);
        zip_source_t *fs = zip_source_buffer(z, p, l, 0);
        if (!fs || zip_file_add(z, names[i], fs, 0) < 0)
            abort();
        if (!q)
            break;
        p = q + 1;
    }
    {
        static const char rels[] =
            "<Relationships><Relationship Id=\"r\" Target=\"xl/workbook.xml\"/>"
            "</Relationships>";
        zip_source_t *fs = zip_source_buffer(z, rels, sizeof(rels) - 1, 0);
        if (!fs || zip_file_add(z, "_rels/.rels", fs, 0) < 0)
            abort();
    }
    if (zip_close(z) < 0)
        abort();
    if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0)
        abort();
    out = malloc(st.size + 1);
    if (!out || zip_source_read(src, out, st.size) != (zip_int64_t)st.size)
        abort();
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&err);
    *ret_len = st.size;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct az_ctx ctx;
    struct az_catimport_opts o;
    struct az_catimport *im;
    uint8_t *zipped = NULL;

    if (size > 0 && data[0] == 'X') {
        zipped = zip_parts(data, size, &size);
        data = zipped;
    }
    az_ctx_init(&ctx, AZ_LANG_EN);
    az_catimport_opts_init(&o);
    o.fiscal_year = 2026; /* so that files without a title row get as far as the writer */
    o.published = "2026-06-01";
    if (az_catimport_read(&ctx, cat, "fuzz.xlsx", data, size, &o, &im) == 0) {
        struct az_date today = {2026, 12, 1};
        char *y = az_catimport_to_yaml(im, today);
        struct az_file_blob b;
        struct az_catalog *c2;
        if (!y)
            abort();
        for (size_t i = 0; i < im->nitems; i++) {
            const struct az_catimport_item *x = &im->items[i];
            if (!x->label || !x->text || !*x->text || !x->id ||
                az_utf8_invalid_at(x->text, strlen(x->text)) != (size_t)-1)
                abort();
            if (x->match && (x->score < 0.3 || x->score > 1.0))
                abort();
        }
        b = (struct az_file_blob){"catalog-import-fuzz.yaml", y, strlen(y)};
        if (az_catalog_load_embedded_with(&ctx, &b, 1, &c2) < 0) {
            fprintf(stderr, "%s\n", az_errmsg(&ctx));
            abort(); /* a draft anzen writes must load */
        }
        az_catalog_free(c2);
        free(y);
        az_catimport_free(im);
    }
    free(zipped);
    return 0;
}
