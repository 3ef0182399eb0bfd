/* SPDX-License-Identifier: MIT */
/*
 * fuzz_audit_import.c - libFuzzer target for `anzen audit import`: the
 * Windows collector's JSON is checked and, when its shape is accepted,
 * evaluated with every embedded Windows rule and turned into findings.
 * Nothing it reads may crash the engine; the result is valid JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/audit.h"
#include "anzen/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct az_audit_rules *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct az_ctx ctx;
    json_error_t je;
    json_t *facts, *doc = NULL;
    struct az_date d = {2026, 11, 25};

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (!rules && az_audit_rules_builtin(&ctx, &rules) < 0)
        abort();
    if (!(facts = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je)))
        return 0;
    if (az_audit_facts_check(&ctx, "fuzz.json", facts) == 0) {
        struct az_audit_src src = {.facts = facts, .now = 1795000000, .platform = "windows"};
        if (az_audit_run(&ctx, rules, &src, d, &doc) < 0)
            abort();
        char *s = json_dumps(doc, JSON_COMPACT);
        if (!s)
            abort();
        free(s);
        json_decref(doc);
    }
    json_decref(facts);
    return 0;
}
