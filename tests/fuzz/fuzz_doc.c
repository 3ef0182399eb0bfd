/* SPDX-License-Identifier: MIT */
/*
 * fuzz_doc.c - libFuzzer target for the YAML/JSON loader and the schema
 * code on top of it: az_doc_load, then the profile, answers, catalog,
 * vendor registry and KEV loaders (curated ranges and CISA catalog) on the
 * same bytes, and a KEV match of a version taken from the input. Run: make fuzz FUZZ_SECONDS=600
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/assess.h"
#include "anzen/doc.h"
#include "anzen/kev.h"
#include "anzen/vendor.h"

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
    {
        struct az_vendors *vs;
        struct az_kev *k;
        if (az_vendors_load(&ctx, "fuzz.yaml", (const char *)data, size, NULL, &vs) == 0)
            az_vendors_free(vs);
        /* small fixed partners, so each run parses only the input */
        static const char cat_json[] = "{\"catalogVersion\": \"1\", \"dateReleased\": "
                                       "\"2025-01-01T00:00:00Z\", \"count\": 0, "
                                       "\"vulnerabilities\": []}";
        static const char ranges[] = "anzen-kev-ranges: 1\nfamilies:\n  - id: f\n    name: "
                                     "{ja: a, en: a}\n    match: [x]\n    kev-vendor: [A]\n"
                                     "    kev-product: [B]\n    advice: {ja: a, en: a}\n"
                                     "rules:\n  - {cve: CVE-2020-0001, family: f, ranges: "
                                     "[{branch: \"6.0\", fixed: \"6.0.5\"}, {last: \"5.2\"}], "
                                     "confidence: draft, sources: [s]}\n";
        if (az_kev_load_with(&ctx, "fuzz.yaml", (const char *)data, size, "c.json", cat_json,
                             sizeof(cat_json) - 1, &k) == 0)
            az_kev_free(k);
        if (az_kev_load_with(&ctx, "r.yaml", ranges, sizeof(ranges) - 1, "fuzz.json",
                             (const char *)data, size, &k) == 0) {
            /* the input's first line as a version, against every family */
            char v[64];
            size_t n = 0;
            while (n < size && n < sizeof(v) - 1 && data[n] && data[n] != '\n')
                n++;
            memcpy(v, data, n);
            v[n] = '\0';
            for (size_t i = 0; i < k->nfamilies; i++) {
                struct az_kev_hit *h;
                size_t nh;
                if (az_kev_match(k, k->families[i].id, v, &h, &nh) == 0)
                    free(h);
            }
            az_kev_free(k);
        }
    }
    return 0;
}
