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

/* The envelope s with its payload's bytes replaced by pay (new string). */
static char *with_payload(const char *s, const char *pay)
{
    const char *a = strstr(s, "\"payload\":") + 10;
    const char *z = strstr(s, ",\"schema\":\"anzen-signed/1\"");
    char *out = NULL;
    assert_non_null(z);
    assert_int_equal(az_strf(&out, "%.*s%s%s", (int)(a - s), s, pay, z), 0);
    return out;
}

/* The payload's bytes of the envelope s (new string). */
static char *payload_of(const char *s)
{
    size_t off, n;
    char *out = NULL;
    assert_int_equal(az_bundle_signed_span(s, strlen(s), &off, &n), 0);
    assert_int_equal(az_strf(&out, "%.*s", (int)n, s + off), 0);
    return out;
}

static void test_as_received(void **state)
{
    struct az_ctx ctx;
    unsigned char sk[64], pk[32];
    char *s, *canon, *span, *t;
    size_t n, clen;
    struct az_bundle *b = NULL;
    json_t *p = payload();
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    keys(sk, pk);
    /* strings with every escape the encoder writes stay canonical */
    json_object_set_new(p, "name", json_string("a\"b\\c/d\n\r\t\b\f\x01\x1f\x7f é"));
    assert_int_equal(az_bundle_sign(&ctx, p, sk, &s, &n), 0);
    assert_int_equal(az_bundle_canonical(&ctx, p, &canon, &clen), 0);
    span = payload_of(s);
    assert_string_equal(span, canon); /* the span is exactly the signed text */
    assert_int_equal(az_bundle_parse(&ctx, "b.json", s, n, NULL, NULL, &b), 0);
    assert_true(b->as_received);
    assert_string_equal(json_string_value(json_object_get(b->payload, "name")),
                        "a\"b\\c/d\n\r\t\b\f\x01\x1f\x7f é");
    az_bundle_free(b);
    /* re-indented: no span, verified by re-encoding, still accepted */
    {
        json_t *env = json_loads(s, 0, NULL);
        char *pretty = json_dumps(env, JSON_INDENT(1));
        size_t off, len;
        assert_int_equal(az_bundle_signed_span(pretty, strlen(pretty), &off, &len), -1);
        assert_int_equal(az_bundle_parse(&ctx, "p.json", pretty, strlen(pretty), NULL, NULL, &b),
                         0);
        assert_false(b->as_received);
        az_bundle_free(b);
        free(pretty);
        json_decref(env);
    }
    /* the envelope's own whitespace and key order do not matter */
    {
        char *e = NULL, *k = az_key_b64(pk);
        const char *sig = strstr(s, "\"sig\":\"") + 7;
        assert_int_equal(az_strf(&e,
                                 " {\n \"sig\" : \"%.*s\",\t\"payload\":%s , \"alg\":\"ed25519\","
                                 "\"schema\":\"anzen-signed/1\",\"key\":\"%s\"}\r\n ",
                                 (int)(strchr(sig, '"') - sig), sig, span, k),
                         0);
        assert_int_equal(az_bundle_parse(&ctx, "w.json", e, strlen(e), NULL, NULL, &b), 0);
        assert_true(b->as_received);
        az_bundle_free(b);
        free(e);
        free(k);
    }
    /* canonical content in another escape (\u00e9 for é): re-encoded, accepted */
    t = strdup(s);
    {
        char *e = strstr(t, " é\"");
        assert_non_null(e);
        char *u = NULL;
        assert_int_equal(az_strf(&u, "%.*s \\u00e9%s", (int)(e - t), t, e + 3), 0);
        assert_int_equal(az_bundle_parse(&ctx, "u.json", u, strlen(u), NULL, NULL, &b), 0);
        assert_false(b->as_received);
        az_bundle_free(b);
        free(u);
    }
    free(t);
    free(canon);
    free(span);
    free(s);
    json_decref(p);
}

/* Envelopes put together to show the hub one text and verify another. */
static void test_forged(void **state)
{
    struct az_ctx ctx;
    unsigned char sk[64], pk[32];
    char *s, *s2, *pay, *pay2, *e = NULL;
    size_t n, n2;
    struct az_bundle *b = NULL;
    json_t *p = payload(), *p2 = payload();
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    keys(sk, pk);
    assert_int_equal(az_bundle_sign(&ctx, p, sk, &s, &n), 0);
    json_object_set_new(p2, "sequence", json_integer(99));
    json_object_set_new(p2, "items", json_pack("[{s:s,s:s}]", "topic", "mfa", "status", "gap"));
    assert_int_equal(az_bundle_sign(&ctx, p2, sk, &s2, &n2), 0);
    pay = payload_of(s);
    pay2 = payload_of(s2);

    /* a second "payload" key, before or after the signed one */
    assert_int_equal(az_strf(&e, "{\"payload\":%s,%s", pay2, s + 1), 0);
    assert_int_equal(az_bundle_signed_span(e, strlen(e), &n, &n2), -1);
    assert_int_equal(az_bundle_parse(&ctx, "d1", e, strlen(e), NULL, NULL, &b), AZ_ESYNTAX);
    free(e);
    e = NULL;
    assert_int_equal(az_strf(&e, "%.*s,\"payload\":%s}", (int)(n - 2), s, pay2), 0);
    assert_int_equal(az_bundle_parse(&ctx, "d2", e, strlen(e), NULL, NULL, &b), AZ_ESYNTAX);
    free(e);
    e = NULL;
    /* the same key spelled with an escape */
    assert_int_equal(az_strf(&e, "{\"p\\u0061yload\":%s,%s", pay2, s + 1), 0);
    assert_int_equal(az_bundle_parse(&ctx, "d3", e, strlen(e), NULL, NULL, &b), AZ_ESYNTAX);
    free(e);
    /* only the escaped spelling: the general path decides, and accepts */
    e = NULL;
    {
        const char *at = strstr(s, "\"payload\":");
        assert_int_equal(az_strf(&e, "%.*s\"p\\u0061yload\":%s", (int)(at - s), s, at + 10), 0);
        assert_int_equal(az_bundle_parse(&ctx, "d4", e, strlen(e), NULL, NULL, &b), 0);
        assert_false(b->as_received);
        assert_int_equal(b->sequence, 3);
        az_bundle_free(b);
        free(e);
    }

    /* the payload of one bundle with the signature of another */
    e = with_payload(s, pay2);
    assert_int_equal(az_bundle_parse(&ctx, "sw", e, strlen(e), NULL, NULL, &b), AZ_ESCHEMA);
    assert_non_null(strstr(az_errmsg(&ctx), "tampered"));
    free(e);

    /* whitespace inside the payload: not the signed bytes, but the same
     * content, so re-encoding finds the signed text (as before) */
    {
        char *sp = NULL, *c = strstr(pay, "\"sequence\":");
        assert_int_equal(az_strf(&sp, "%.*s\"sequence\": %s", (int)(c - pay), pay, c + 11), 0);
        e = with_payload(s, sp);
        assert_int_equal(az_bundle_parse(&ctx, "ws", e, strlen(e), NULL, NULL, &b), 0);
        assert_false(b->as_received);
        az_bundle_free(b);
        free(e);
        free(sp);
        sp = NULL;
        /* whitespace inside a string is content: refused */
        c = strstr(pay, "\"c-0001\"");
        assert_int_equal(az_strf(&sp, "%.*s\"c-0001 \"%s", (int)(c - pay), pay, c + 8), 0);
        e = with_payload(s, sp);
        assert_int_not_equal(az_bundle_parse(&ctx, "ws2", e, strlen(e), NULL, NULL, &b), 0);
        free(e);
        free(sp);
    }

    /* a second payload hidden in a string: the real one is what counts */
    e = NULL;
    {
        char *esc = NULL, *q = NULL;
        /* pay2 as the text of a JSON string */
        json_t *str = json_string(pay2);
        esc = json_dumps(str, JSON_ENCODE_ANY);
        json_decref(str);
        assert_int_equal(az_strf(&e, "{\"note\":%s,%s", esc, s + 1), 0);
        assert_int_equal(az_bundle_parse(&ctx, "h1", e, strlen(e), NULL, NULL, &b), 0);
        assert_true(b->as_received);
        assert_int_equal(b->sequence, 3); /* the signed one, not the hidden 99 */
        az_bundle_free(b);
        free(e);
        e = NULL;
        /* the signed payload hidden in a string, a forged one outside */
        str = json_string(pay);
        free(esc);
        esc = json_dumps(str, JSON_ENCODE_ANY);
        json_decref(str);
        q = with_payload(s, pay2);
        assert_int_equal(az_strf(&e, "{\"note\":%s,%s", esc, q + 1), 0);
        assert_int_equal(az_bundle_parse(&ctx, "h2", e, strlen(e), NULL, NULL, &b), AZ_ESCHEMA);
        free(e);
        e = NULL;
        /* a quote-looking escape must not end the string early */
        assert_int_equal(az_strf(&e, "{\"note\":\"\\\\\\\",\\\"payload\\\":%s\",%s", "{}", q + 1),
                         0);
        assert_int_not_equal(az_bundle_parse(&ctx, "h3", e, strlen(e), NULL, NULL, &b), 0);
        free(e);
        e = NULL;
        /* "payload" nested in another member is not the payload */
        assert_int_equal(az_strf(&e, "{\"x\":{\"payload\":%s},%s", pay2, s + 1), 0);
        assert_int_equal(az_bundle_parse(&ctx, "h4", e, strlen(e), NULL, NULL, &b), 0);
        assert_int_equal(b->sequence, 3);
        assert_true(b->as_received);
        az_bundle_free(b);
        free(e);
        free(q);
        free(esc);
    }

    /* trailing data after the envelope */
    e = NULL;
    assert_int_equal(az_strf(&e, "%.*s%s", (int)(n - 1), s, pay2), 0);
    assert_int_equal(az_bundle_signed_span(e, strlen(e), &n2, &n2), -1);
    assert_int_equal(az_bundle_parse(&ctx, "t1", e, strlen(e), NULL, NULL, &b), AZ_ESYNTAX);
    free(e);
    e = NULL;
    assert_int_equal(az_strf(&e, "%.*s x", (int)(n - 1), s), 0);
    assert_int_equal(az_bundle_parse(&ctx, "t2", e, strlen(e), NULL, NULL, &b), AZ_ESYNTAX);
    free(e);
    /* a truncated envelope, and a NUL byte inside the payload */
    assert_int_not_equal(az_bundle_parse(&ctx, "t3", s, n / 2, NULL, NULL, &b), 0);
    e = strdup(s);
    e[strstr(e, "c-0001") - e] = 0;
    assert_int_not_equal(az_bundle_parse(&ctx, "t4", e, n, NULL, NULL, &b), 0);
    free(e);

    /* a duplicate key inside the payload */
    {
        char *dp = NULL;
        assert_int_equal(az_strf(&dp, "{\"bundle_id\":\"x\",%s", pay + 1), 0);
        e = with_payload(s, dp);
        assert_int_equal(az_bundle_parse(&ctx, "dk", e, strlen(e), NULL, NULL, &b), AZ_ESYNTAX);
        free(e);
        free(dp);
    }
    free(pay);
    free(pay2);
    free(s);
    free(s2);
    json_decref(p);
    json_decref(p2);
}

/* The scanner alone: which payload texts count as canonical. */
static void test_span(void **state)
{
    static const struct {
        const char *pay;
        int ok;
    } cases[] = {
        {"{}", 0},
        {"{\"a\":1,\"b\":[true,false,null,-5,0,\"x\"]}", 0},
        {"{\"b\":1,\"a\":2}", -1}, /* keys out of order */
        {"{\"a\":1,\"a\":2}", -1}, /* repeated */
        {"{\"a\":1,\"ab\":2}", 0}, /* the shorter first */
        {"{\"ab\":1,\"a\":2}", -1},
        {"{\"a\": 1}", -1},  /* whitespace */
        {"{\"a\":1.0}", -1}, /* a real */
        {"{\"a\":1e3}", -1},
        {"{\"a\":-0}", -1}, /* decodes to 0 */
        {"{\"a\":01}", -1},
        {"{\"a\":\"\\u00e9\"}", -1}, /* é has no escape in the canonical form */
        {"{\"a\":\"\\/\"}", -1},     /* nor has / */
        {"{\"a\":\"\\u001F\"}", 0},  /* a control character: upper case */
        {"{\"a\":\"\\u001f\"}", -1},
        {"{\"a\":\"\\u000A\"}", -1}, /* \n has a short form */
        {"{\"a\":\"\\n\\t\\\"\\\\\"}", 0},
        {"{\"a\\u0062\":1}", -1}, /* escaped key */
        {"[1]", -1},              /* not an object */
        {"{\"a\":1}}", -1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *e = NULL;
        size_t off, n;
        assert_int_equal(az_strf(&e, "{\"payload\":%s,\"sig\":\"\"}", cases[i].pay), 0);
        if (az_bundle_signed_span(e, strlen(e), &off, &n) != cases[i].ok)
            fail_msg("payload %s", cases[i].pay);
        if (cases[i].ok == 0 && (off != 11 || n != strlen(cases[i].pay)))
            fail_msg("span of %s", cases[i].pay);
        free(e);
    }
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
        {"vpn_kev", "[{\"family\":\"fortios\",\"version\":6}]"},
        {"vpn_kev", "[{\"family\":\"fortios\",\"cves\":\"CVE-2024-21762\"}]"},
        {"vpn_kev", "[{\"family\":\"fortios\",\"cves\":[1]}]"},
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

/* vpn_kev with CVE ids (what az_bundle_build writes) is accepted; a
 * bundle that is JSON but broken gets a Japanese message with the place. */
static void test_vpn_kev_and_json_errors(void **state)
{
    struct az_ctx ctx;
    unsigned char sk[64], pk[32];
    struct az_bundle *b = NULL;
    json_t *p = payload();
    char *s;
    size_t n;
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_JA);
    keys(sk, pk);
    json_object_set_new(p, "vpn_kev",
                        json_loads("[{\"family\":\"fortinet-fortios\",\"version\":\"6.4.6\","
                                   "\"cves\":[\"CVE-2024-21762\",\"CVE-2022-42475\"]}]",
                                   0, NULL));
    assert_int_equal(az_bundle_sign(&ctx, p, sk, &s, &n), 0);
    assert_int_equal(az_bundle_parse(&ctx, "k.json", s, n, NULL, NULL, &b), 0);
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_array_get(json_object_get(b->payload, "vpn_kev"), 0), "cves"), 0)),
        "CVE-2024-21762");
    az_bundle_free(b);
    free(s);
    json_decref(p);
    b = NULL;
    assert_int_equal(az_bundle_parse(&ctx, "j.json", "{\"a\": [1,", 10, NULL, NULL, &b),
                     AZ_ESYNTAX);
    assert_non_null(strstr(az_errmsg(&ctx), "j.json: 1 行"));
    assert_non_null(strstr(az_errmsg(&ctx), "JSON として読めません"));
    assert_null(strstr(az_errmsg(&ctx), "expected"));
    assert_null(strstr(az_errmsg(&ctx), "premature"));
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_bundle_parse(&ctx, "j.json", "[1]", 3, NULL, NULL, &b), AZ_ESYNTAX);
    assert_non_null(strstr(az_errmsg(&ctx), "not a JSON object"));
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
        cmocka_unit_test(test_as_received),   cmocka_unit_test(test_forged),
        cmocka_unit_test(test_span),          cmocka_unit_test(test_vpn_kev_and_json_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
