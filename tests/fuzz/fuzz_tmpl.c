/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tmpl.c - libFuzzer target for the template renderer (tmpl.h).
 *
 * Input: up to three templates and a JSON document, separated by NUL
 * bytes ("a\0b\0c\0json"). The templates' own text has the characters
 * HTML cares about (< > " ' ` &) replaced, so any such character in the
 * output could only come from a data value that escaped unescaped: the
 * property checked is that none does, that every & starts an entity, that
 * rendering is deterministic and that failures leave no partial output.
 * Data that is not JSON becomes a string value with its raw bytes, which
 * feeds invalid UTF-8 to the escaper.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool entity_at(const char *s)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#96;"};
    for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
        if (!strncmp(s, ents[i], strlen(ents[i])))
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"a", "b", "c"};
    struct az_ctx ctx;
    struct az_tmpl_set *set;
    const char *p = (const char *)data, *end = p + size;
    json_t *vars, *raw;
    struct az_buf out, again;
    int nt = 0, r;

    if (size > 65536)
        return 0;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_tmpl_set_new(&ctx, &set) < 0)
        abort();
    az_tmpl_set_max_steps(set, 200000);
    while (nt < 3) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
        char *src = malloc(n + 1);
        if (!src)
            abort();
        memcpy(src, p, n);
        for (size_t i = 0; i < n; i++)
            if (strchr("<>\"'`&", src[i]) && src[i])
                src[i] = 'x';
        (void)az_tmpl_add(&ctx, set, names[nt], src, n); /* a parse error is fine */
        free(src);
        nt++;
        p += n;
        if (!z)
            break;
        p++; /* the NUL */
    }
    vars = p < end ? json_loadb(p, (size_t)(end - p), JSON_DECODE_ANY, NULL) : NULL;
    if (!vars && p < end) {
        /* raw bytes (maybe invalid UTF-8) under a few likely names */
        json_t *s = json_stringn_nocheck(p, (size_t)(end - p));
        vars = json_pack("{s:O, s:O, s:[O,O], s:{s:O}}", "x", s, "a", s, "xs", s, s, "o", "x", s);
        json_decref(s);
    }
    raw = json_pack("{s:s, s:{s:s}}", "r", "RAW", "s", "t", "RAW2");
    az_buf_init(&out, 1u << 20);
    az_buf_init(&again, 1u << 20);
    if (az_buf_puts(&out, "[") < 0 || az_buf_puts(&again, "[") < 0)
        abort();
    r = az_tmpl_render(&ctx, set, "a", vars, raw, &out);
    if (r == 0) {
        for (size_t i = 1; i < out.len; i++) {
            if (strchr("<>\"'`", out.data[i]) && out.data[i])
                abort(); /* an unescaped character from the data */
            if (out.data[i] == '&' && !entity_at(out.data + i))
                abort();
        }
        if (az_tmpl_render(&ctx, set, "a", vars, raw, &again) != 0 || again.len != out.len ||
            memcmp(again.data, out.data, out.len) != 0)
            abort(); /* not deterministic */
    } else if (out.len != 1 || strcmp(out.data, "[") != 0) {
        abort(); /* partial output left behind */
    }
    (void)az_tmpl_check(&ctx, set);
    az_buf_done(&out);
    az_buf_done(&again);
    json_decref(vars);
    json_decref(raw);
    az_tmpl_set_free(set);
    return 0;
}
