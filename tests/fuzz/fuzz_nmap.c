/* SPDX-License-Identifier: MIT */
/*
 * fuzz_nmap.c - libFuzzer target for the nmap XML import (anzen scan
 * --import): any bytes must import or fail cleanly; whatever imports must
 * produce findings and anzen-scan/1 JSON (all strings valid UTF-8, or
 * jansson would refuse them).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <libxml/parser.h>

#include "anzen/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct az_scan_data *fp_data;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct az_ctx ctx;
    struct az_scan *s;
    json_t *f, *j;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (!fp_data && az_scan_data_load(&ctx, NULL, &fp_data) < 0)
        abort();
    if (az_scan_import_nmap(&ctx, "fuzz.xml", (const char *)data, size, "事務系", fp_data, &s) < 0)
        return 0;
    if (az_scan_check(&ctx, s, NULL, NULL, 1764547200, &f) < 0)
        abort();
    j = az_scan_to_json(s);
    if (!j)
        abort(); /* a string that is not UTF-8 makes json_pack fail */
    char *dump = json_dumps(j, 0);
    if (!dump)
        abort();
    free(dump);
    json_decref(j);
    json_decref(f);
    az_scan_free(s);
    return 0;
}
