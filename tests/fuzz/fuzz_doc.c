/* SPDX-License-Identifier: MIT */
/*
 * fuzz_doc.c - libFuzzer target for the YAML/JSON loader and the schema
 * code on top of it: az_doc_load, then the profile, answers and catalog
 * loaders on the same bytes. Run: make fuzz FUZZ_SECONDS=600
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "anzen/assess.h"
#include "anzen/doc.h"

static struct az_catalog *cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct az_ctx ctx;
    struct az_doc *doc;
    struct az_profile *p;
    struct az_answers *a;
    struct az_catalog *c2;
    struct az_file_blob blob = {"fuzz.yaml", (const char *)data, size};

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (!cat && az_catalog_load_embedded(&ctx, &cat) < 0)
        abort();
    if (az_doc_load(&ctx, "fuzz.yaml", (const char *)data, size, &doc) == 0)
        az_doc_free(doc);
    if (az_profile_load(&ctx, "fuzz.yaml", (const char *)data, size, &p) == 0) {
        struct az_eval *e;
        char *y = az_profile_to_yaml(p);
        free(y);
        if (az_evaluate(&ctx, cat, p, NULL, az_catalog_default_checklist(cat),
                        (struct az_date){2025, 11, 24}, &e) == 0)
            az_eval_free(e);
        az_profile_free(p);
    }
    if (az_answers_load(&ctx, cat, "fuzz.yaml", (const char *)data, size, &a) == 0) {
        char *y = az_answers_to_yaml(a, AZ_LANG_JA);
        free(y);
        az_answers_free(a);
    }
    if (az_catalog_load_blobs(&ctx, &blob, 1, &c2) == 0)
        az_catalog_free(c2);
    return 0;
}
