/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xlsx.c - libFuzzer target for the XLSX reader (libzip + libxml2
 * under anzen's limits) and the vendor-form import on top of it. Any
 * input must be read or refused cleanly; what is read must give cells in
 * order with valid UTF-8 text, and an import that succeeds must give
 * answers that serialise and load again.
 *
 * An input starting with "X" is not a zip but the XML parts of one
 * (workbook, its relationships, a sheet, shared strings, the anzen sheet,
 * separated by NUL bytes), zipped here: mutated zip bytes mostly fail
 * their CRC, so this is how the XML side gets explored.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "anzen/docs.h"
#include "anzen/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct az_catalog *cat;
static struct az_profile *prof;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char profile[] =
        "anzen-profile: 1\ninstitution: {name: x, type: clinic}\n"
        "systems:\n  - {id: emr, name: EMR, hosting: on-prem, vendor: A}\n";
    struct az_ctx ctx;

    (void)argc;
    (void)argv;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0 ||
        az_profile_load(&ctx, "p", profile, strlen(profile), &prof) < 0)
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
    struct az_xlsx *x;
    struct az_answers *a;
    uint8_t *zipped = NULL;

    if (size > 0 && data[0] == 'X') {
        zipped = zip_parts(data, size, &size);
        data = zipped;
    }

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_xlsx_read(&ctx, "fuzz.xlsx", data, size, &x) == 0) {
        for (size_t i = 0; i < x->n; i++) {
            const struct az_xlsx_sheet *s = &x->sheets[i];
            for (size_t k = 0; k < s->n; k++) {
                const struct az_xlsx_cell *c = &s->cells[k];
                if (k && (c->row < s->cells[k - 1].row ||
                          (c->row == s->cells[k - 1].row && c->col <= s->cells[k - 1].col)))
                    abort(); /* not sorted, or a duplicate */
                if (az_utf8_invalid_at(c->text, strlen(c->text)) != (size_t)-1)
                    abort();
                if (az_xlsx_get(s, c->row, c->col) != c->text)
                    abort();
            }
        }
        az_xlsx_free(x);
    }
    if (az_vendor_form_import(&ctx, cat, prof, "emr", "fuzz.xlsx", (const char *)data, size, &a) ==
        0) {
        char *y = az_answers_to_yaml(a, AZ_LANG_EN);
        struct az_answers *b;
        if (!y)
            abort();
        if (az_answers_load(&ctx, cat, "again.yaml", y, strlen(y), &b) < 0)
            abort(); /* what we import must be a valid answers file */
        az_answers_free(b);
        free(y);
        az_answers_free(a);
    }
    {
        /* the drill record sheet (anzen docs drill --import): what is
         * accepted has a valid date and named participants */
        json_t *rec = NULL;
        if (az_docs_drill_read(&ctx, "fuzz.xlsx", data, size, NULL, &rec) == 0) {
            struct az_date d;
            const char *date = json_string_value(json_object_get(rec, "date"));
            const char *who = json_string_value(json_object_get(rec, "participants"));
            char *t = az_docs_drill_text(rec, AZ_LANG_JA);
            if (!date || az_date_parse(date, false, &d) < 0 || !who || !*who || !t ||
                az_utf8_invalid_at(t, strlen(t)) != (size_t)-1)
                abort();
            free(t);
            json_decref(rec);
        } else if (rec)
            abort(); /* nothing returned on failure */
    }
    free(zipped);
    return 0;
}
