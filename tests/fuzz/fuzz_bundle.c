/* SPDX-License-Identifier: MIT */
/*
 * fuzz_bundle.c - libFuzzer target for the hub's bundle parser: any input
 * (signed or sealed envelope, or junk) must be refused cleanly or yield a
 * bundle whose payload encodes canonically, and re-signing that payload
 * must give an envelope the parser accepts with the same content.
 *
 * The fast path: whenever the scanner names a byte range as the payload
 * (az_bundle_signed_span) and the envelope is valid JSON without repeated
 * keys, those bytes must be exactly the canonical encoding of the
 * envelope's payload as jansson reads it, so verifying them is verifying
 * what the general path would. A bundle verified as received must also be
 * accepted, with the same content, once re-indented (the general path).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "anzen/hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char hpk[32], hsk[32], spk[32], ssk[64];
    static int ready;
    struct az_ctx ctx;
    struct az_bundle *b = NULL, *b2 = NULL;
    char *s = NULL, *c1 = NULL, *c2 = NULL;
    size_t n, l1, l2;

    if (!ready) {
        unsigned char seed[32] = {1};
        if (sodium_init() < 0)
            abort();
        crypto_box_seed_keypair(hpk, hsk, seed); /* the fixed hub key of the corpus */
        crypto_sign_seed_keypair(spk, ssk, seed);
        ready = 1;
    }
    az_ctx_init(&ctx, AZ_LANG_EN);
    {
        size_t off, len;
        json_t *env = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
        if (az_bundle_signed_span((const char *)data, size, &off, &len) == 0 && env) {
            json_t *p = json_object_get(env, "payload");
            if (!p || off + len > size)
                abort(); /* a span where jansson sees no payload */
            if (az_bundle_canonical(&ctx, p, &c1, &l1) == 0 &&
                (l1 != len || memcmp(c1, data + off, len)))
                abort(); /* the bytes verified are not the signed encoding */
            free(c1);
            c1 = NULL;
        }
        json_decref(env);
    }
    if (az_bundle_parse(&ctx, "fuzz", (const char *)data, size, hpk, hsk, &b) < 0) {
        if (!az_errmsg(&ctx)[0])
            abort(); /* every refusal says why */
        return 0;
    }
    if (az_bundle_canonical(&ctx, b->payload, &c1, &l1) < 0)
        abort();
    if (b->as_received && !b->sealed) {
        json_t *env = json_loadb((const char *)data, size, 0, NULL);
        char *pretty = json_dumps(env, JSON_INDENT(1));
        struct az_bundle *b3 = NULL;
        if (!pretty ||
            az_bundle_parse(&ctx, "pretty", pretty, strlen(pretty), NULL, NULL, &b3) < 0 ||
            b3->as_received || !json_equal(b3->payload, b->payload))
            abort();
        az_bundle_free(b3);
        free(pretty);
        json_decref(env);
    }
    if (az_bundle_sign(&ctx, b->payload, ssk, &s, &n) < 0 ||
        az_bundle_parse(&ctx, "again", s, n, NULL, NULL, &b2) < 0 ||
        az_bundle_canonical(&ctx, b2->payload, &c2, &l2) < 0 || l1 != l2 || memcmp(c1, c2, l1))
        abort();
    free(s);
    free(c1);
    free(c2);
    az_bundle_free(b);
    az_bundle_free(b2);
    return 0;
}
