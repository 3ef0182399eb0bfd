/* SPDX-License-Identifier: MIT */
/*
 * fuzz_bundle.c - libFuzzer target for the hub's bundle parser: any input
 * (signed or sealed envelope, or junk) must be refused cleanly or yield a
 * bundle whose payload encodes canonically, and re-signing that payload
 * must give an envelope the parser accepts with the same content.
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
    if (az_bundle_parse(&ctx, "fuzz", (const char *)data, size, hpk, hsk, &b) < 0) {
        if (!az_errmsg(&ctx)[0])
            abort(); /* every refusal says why */
        return 0;
    }
    if (az_bundle_canonical(&ctx, b->payload, &c1, &l1) < 0)
        abort();
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
