/* SPDX-License-Identifier: MIT */
/*
 * fuzz_audit_rules.c - libFuzzer target for the host audit's rule loader
 * (the format of the files in data/audit): any bytes either load or fail with a
 * message; a loaded rule set is evaluated against an empty root, so
 * every condition the loader accepts is one the engine can run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct az_ctx ctx;
    struct az_audit_rules *r = NULL;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_audit_rules_load(&ctx, "fuzz.yaml", (const char *)data, size, &r) < 0) {
        if (!az_errmsg(&ctx)[0])
            abort(); /* a failure always says why */
        return 0;
    }
    struct az_audit_src src = {
        .root = "/nonexistent-anzen-fuzz", .commands = false, .now = 0, .platform = "linux"};
    for (size_t i = 0; i < az_audit_rules_count(r); i++) {
        json_t *ev = json_array();
        (void)az_audit_eval(&src, json_object_get(az_audit_rule_at(r, i), "check"), ev);
        json_decref(ev);
    }
    az_audit_rules_free(r);
    return 0;
}
