/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/hub/bundle.c: canonical encoding, signatures,
 * sealing, key files and the parser's refusals; and lib/hub/pref.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "anzen/hub.h"
#include "anzen/util.h"

static const char *PAYLOAD =
    "{\"schema\":\"anzen-bundle/1\",\"institution\":\"c-0001\","
    "\"bundle_id\":\"00112233445566778899aabbccddeeff\",\"sequence\":3,"
    "\"created_at\":\"2026-05-01T09:00:00Z\",\"fiscal_year\":2026,"
    "\"name\":\"さくら\\u5185\\u79d1\","
    "\"items\":[{\"topic\":\"patches\",\"status\":\"gap\",\"overdue\":\"fiscal-year\"},"
    "{\"topic\":\"mfa\",\"status\":\"satisfied\",\"overdue\":null}],"
    "\"indicators\":{\"mfa\":true,\"cyber_bcp\":false},"
    "\"total\":{\"applicable\":2,\"satisfied\":1,\"overdue\":1},"
    "\"findings\":{\"ledger.no-admin\":2},\"vpn_kev\":[{\"family\":\"fortios\",\"version\":\"6.4."
    "6\"}]}";

static json_t *payload(void)
{
    json_t *j = json_loads(PAYLOAD, 0, NULL);
    assert_non_null(j);
    return j;
}

static void keys(unsigned char sk[64], unsigned char pk[32])
{
    assert_int_equal(sodium_init() >= 0, 1);
    crypto_sign_keypair(pk, sk);
}

static void test_canonical(void **state)
{
    struct az_ctx ctx;
    char *a, *b;
    size_t al, bl;
    json_t *p = payload();
    json_t *q = json_loads("{\"b\":[1,{\"y\":\"é\",\"x\":null}],\"a\":true}", 0, NULL);
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_bundle_canonical(&ctx, q, &a, &al), 0);
    /* keys sorted at every level, no spaces, UTF-8 kept as is */
    assert_string_equal(a, "{\"a\":true,\"b\":[1,{\"x\":null,\"y\":\"é\"}]}");
    free(a);
    json_decref(q);
    /* the same content in another order encodes the same */
    q = json_loads("{\"a\":true,\"b\":[1,{\"x\":null,\"y\":\"\\u00e9\"}]}", 0, NULL);
    assert_int_equal(az_bundle_canonical(&ctx, q, &b, &bl), 0);
    assert_string_equal(b, "{\"a\":true,\"b\":[1,{\"x\":null,\"y\":\"é\"}]}");
    free(b);
    json_decref(q);
    /* reals have no canonical text: refused */
    q = json_loads("{\"a\":[0.5]}", 0, NULL);
    assert_int_equal(az_bundle_canonical(&ctx, q, &a, &al), AZ_ESCHEMA);
    json_decref(q);
    json_decref(p);
}

static void test_sign_verify(void **state)
{
    struct az_ctx ctx;
    unsigned char sk[64], pk[32], sk2[64], pk2[32];
    char *s, *t;
    size_t n;
    struct az_bundle *b = NULL;
    json_t *p = payload();
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    keys(sk, pk);
    keys(sk2, pk2);
    assert_int_equal(az_bundle_sign(&ctx, p, sk, &s, &n), 0);
    assert_int_equal(s[n - 1], '\n');
    assert_null(memchr(s, '\n', n - 1)); /* one line */
    assert_int_equal(az_bundle_parse(&ctx, "b.json", s, n, NULL, NULL, &b), 0);
    assert_memory_equal(b->key, pk, 32);
    assert_string_equal(b->institution, "c-0001");
    assert_int_equal(b->sequence, 3);
    assert_int_equal(b->fiscal_year, 2026);
    assert_false(b->sealed);
    az_bundle_free(b);
    /* pretty-printed the same envelope still verifies (the canonical
     * form is recomputed from the content) */
    {
        json_t *env = json_loads(s, 0, NULL);
        char *pretty = json_dumps(env, JSON_INDENT(2));
        assert_int_equal(az_bundle_parse(&ctx, "p.json", pretty, strlen(pretty), NULL, NULL, &b),
                         0);
        az_bundle_free(b);
        free(pretty);
        json_decref(env);
    }
    /* one changed character in the content */
    t = strdup(s);
    *strstr(t, "\"gap\"") = '_';
    memcpy(strstr(t, "_gap\""), "\"sat", 4);
    assert_int_not_equal(az_bundle_parse(&ctx, "t.json", t, n, NULL, NULL, &b), 0);
    free(t);
    t = strdup(s);
    memcpy(strstr(t, "\"sequence\":3"), "\"sequence\":4", 12);
    assert_int_equal(az_bundle_parse(&ctx, "t.json", t, n, NULL, NULL, &b), AZ_ESCHEMA);
    assert_non_null(strstr(az_errmsg(&ctx), "t.json"));
    assert_non_null(strstr(az_errmsg(&ctx), "tampered"));
    free(t);
    /* another key in the envelope: the signature does not match it */
    {
        json_t *env = json_loads(s, 0, NULL);
        char *k2 = az_key_b64(pk2), *out;
        json_object_set_new(env, "key", json_string(k2));
        out = json_dumps(env, JSON_COMPACT);
        assert_int_equal(az_bundle_parse(&ctx, "k.json", out, strlen(out), NULL, NULL, &b),
                         AZ_ESCHEMA);
        free(out);
        free(k2);
        json_decref(env);
    }
    /* a duplicate key could show the hub one value and the signer another */
    {
        char *dup = NULL;
        assert_int_equal(az_strf(&dup, "{\"schema\":\"x\",%s", s + 1), 0);
        assert_int_equal(az_bundle_parse(&ctx, "d.json", dup, strlen(dup), NULL, NULL, &b),
                         AZ_ESYNTAX);
        free(dup);
    }
    free(s);
    json_decref(p);
}

static void test_parser_fields(void **state)
{
    struct az_ctx ctx;
    unsigned char sk[64], pk[32];
    static const char *const breaks[][2] = {
        {"sequence", "0"},
        {"bundle_id", "\"xyz\""},
        {"institution", "\"a b\""},
        {"created_at", "\"2026-05-01 09:00\""},
        {"fiscal_year", "\"2026\""},
        {"items", "[{\"topic\":\"mfa\",\"status\":\"maybe\"}]"},
        {"indicators", "{\"mfa\":1}"},
        {"findings", "{\"x\":-1}"},
        {"branches", "[{\"institution\":\"b1\",\"items\":{\"mfa\":\"perhaps\"}}]"},
        {"schema", "\"anzen-bundle/2\""},
    };
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    keys(sk, pk);
    for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
        json_t *p = payload(), *v = json_loads(breaks[i][1], JSON_DECODE_ANY, NULL);
        char *s;
        size_t n;
        struct az_bundle *b = NULL;
        json_object_set_new(p, breaks[i][0], v);
        /* signed correctly, but the content breaks the schema */
        assert_int_equal(az_bundle_sign(&ctx, p, sk, &s, &n), 0);
        if (az_bundle_parse(&ctx, "f.json", s, n, NULL, NULL, &b) == 0)
            fail_msg("field %s = %s accepted", breaks[i][0], breaks[i][1]);
        assert_non_null(strstr(az_errmsg(&ctx), "f.json"));
        free(s);
        json_decref(p);
    }
}

static void test_seal(void **state)
{
    struct az_ctx ctx;
    unsigned char sk[64], pk[32], hpk[32], hsk[32], opk[32], osk[32];
    char *s, *sealed;
    size_t n, sn;
    struct az_bundle *b = NULL;
    json_t *p = payload();
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    keys(sk, pk);
    crypto_box_keypair(hpk, hsk);
    crypto_box_keypair(opk, osk);
    assert_int_equal(az_bundle_sign(&ctx, p, sk, &s, &n), 0);
    assert_int_equal(az_bundle_seal(&ctx, s, n, hpk, &sealed, &sn), 0);
    assert_null(strstr(sealed, "c-0001"));
    assert_int_equal(az_bundle_parse(&ctx, "s.json", sealed, sn, NULL, NULL, &b), AZ_EINVAL);
    assert_int_equal(az_bundle_parse(&ctx, "s.json", sealed, sn, opk, osk, &b), AZ_ESCHEMA);
    assert_int_equal(az_bundle_parse(&ctx, "s.json", sealed, sn, hpk, hsk, &b), 0);
    assert_true(b->sealed);
    assert_string_equal(b->institution, "c-0001");
    az_bundle_free(b);
    free(s);
    free(sealed);
    json_decref(p);
}

static void test_key_files(void **state)
{
    struct az_ctx ctx;
    char dir[] = "/tmp/anzen-keys.XXXXXX", *kp, *pp, *fp;
    unsigned char sk[64], pk[32], sk2[64], pk2[32], pk3[32];
    bool made = false;
    struct stat st;
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_non_null(mkdtemp(dir));
    kp = az_fmt("%s/k", dir);
    pp = az_fmt("%s/k.pub", dir);
    assert_int_equal(az_sign_key_load_or_create(&ctx, kp, pp, sk, pk, &made), 0);
    assert_true(made);
    assert_int_equal(stat(kp, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(az_sign_key_load_or_create(&ctx, kp, pp, sk2, pk2, &made), 0);
    assert_false(made);
    assert_memory_equal(pk, pk2, 32);
    assert_memory_equal(sk, sk2, 64);
    assert_int_equal(az_pub_key_load(&ctx, pp, NULL, pk3), 0);
    assert_memory_equal(pk, pk3, 32);
    fp = az_key_fingerprint(pk);
    assert_int_equal(strncmp(fp, "SHA256:", 7), 0);
    assert_int_equal(strlen(fp), 7 + 32 + 7);
    free(fp);
    /* a key readable by others is refused */
    chmod(kp, 0644);
    assert_int_equal(az_sign_key_load_or_create(&ctx, kp, pp, sk2, pk2, &made), AZ_EIO);
    /* a public key file is not a secret key file */
    assert_int_equal(az_pub_key_load(&ctx, kp, NULL, pk3), AZ_ESYNTAX);
    unlink(kp);
    unlink(pp);
    rmdir(dir);
    free(kp);
    free(pp);
}

static void test_pref(void **state)
{
    (void)state;
    assert_int_equal(az_pref_code("13"), 13);
    assert_int_equal(az_pref_code("東京都"), 13);
    assert_int_equal(az_pref_code("東京"), 13);
    assert_int_equal(az_pref_code("tokyo"), 13);
    assert_int_equal(az_pref_code("北海道"), 1);
    assert_int_equal(az_pref_code("沖縄県"), 47);
    assert_int_equal(az_pref_code("48"), 0);
    assert_int_equal(az_pref_code("架空県"), 0);
    assert_string_equal(az_pref_name(27, AZ_LANG_JA), "大阪府");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical),     cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_parser_fields), cmocka_unit_test(test_seal),
        cmocka_unit_test(test_key_files),     cmocka_unit_test(test_pref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
