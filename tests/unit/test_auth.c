/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/auth: argon2id hashes and the password rules, HOTP
 * and TOTP against the RFC 4226 / RFC 6238 vectors and against liboath
 * (a second, independent implementation), replay and window handling,
 * base32, the otpauth URI, the QR SVG, recovery codes, tokens, sealing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <qrencode.h>
#ifdef HAVE_OATH
#include <liboath/oath.h>
#endif

#include "anzen/auth.h"

static struct az_ctx ctx;

static void test_password_hash(void **state)
{
    (void)state;
    char h1[AZ_PWHASH_MAX], h2[AZ_PWHASH_MAX];
    const char *pw = "correct horse battery staple";
    char big[AZ_PASSWORD_MAX + 2];

    assert_int_equal(az_password_hash(&ctx, pw, h1), 0);
    assert_int_equal(strncmp(h1, "$argon2id$v=19$m=65536,t=2,p=1$", 31), 0);
    assert_true(az_password_verify(h1, pw));
    assert_false(az_password_verify(h1, "correct horse battery stapl"));
    assert_false(az_password_verify(h1, ""));
    assert_false(az_password_needs_rehash(h1));
    /* salted: the same password hashes differently */
    assert_int_equal(az_password_hash(&ctx, pw, h2), 0);
    assert_string_not_equal(h1, h2);
    assert_true(az_password_verify(h2, pw));
    /* a hash that is not argon2id, or is damaged, never verifies */
    assert_false(az_password_verify("$2y$10$abcdefghijklmnopqrstuv", pw));
    h2[strlen(h2) - 3] ^= 1;
    assert_false(az_password_verify(h2, pw));
    assert_false(az_password_verify("", pw));
    /* a weaker (older) hash asks for a rehash */
    assert_true(az_password_needs_rehash("$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                         "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"));
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(az_password_hash(&ctx, big, h1), AZ_ERANGE);
}

static void test_password_policy(void **state)
{
    (void)state;
    assert_int_equal(az_password_policy(&ctx, "kumo-no-ue-no-sora", "yamada"), 0);
    assert_int_equal(az_password_policy(&ctx, "short-pw-12", "yamada"), AZ_EINVAL);
    assert_non_null(strstr(az_errmsg(&ctx), "13"));
    /* 13 characters counted as characters, not bytes */
    assert_int_equal(az_password_policy(&ctx, "あいうえおかきくけこさし", "yamada"), AZ_EINVAL);
    assert_int_equal(az_password_policy(&ctx, "あいうえおかきくけこさしす", "yamada"), 0);
    assert_int_equal(az_password_policy(&ctx, "aaaaaaaaaaaaaaaa", "yamada"), AZ_EINVAL);
    assert_int_equal(az_password_policy(&ctx, "my-name-is-Yamada!", "yamada"), AZ_EINVAL);
    assert_non_null(strstr(az_errmsg(&ctx), "user name"));
    assert_int_equal(az_password_policy(&ctx, "passwordpassword", "yamada"), AZ_EINVAL);
    assert_int_equal(az_password_policy(&ctx, "tab\there-is-a-tab", "yamada"), AZ_EINVAL);
    assert_int_equal(az_password_policy(&ctx, "bad-utf8-\xff\xfe-here!!", "yamada"), AZ_EINVAL);
}

/* RFC 4226 appendix D */
static void test_hotp_rfc4226(void **state)
{
    (void)state;
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    const unsigned char *k = (const unsigned char *)"12345678901234567890";
    uint32_t v;

    for (uint64_t i = 0; i < 10; i++) {
        assert_int_equal(az_hotp(k, 20, i, 6, AZ_OTP_SHA1, &v), 0);
        assert_int_equal(v, want[i]);
    }
    assert_int_equal(az_hotp(k, 20, 0, 5, AZ_OTP_SHA1, &v), AZ_EINVAL);
    assert_int_equal(az_hotp(k, 20, 0, 10, AZ_OTP_SHA1, &v), AZ_EINVAL);
}

/* RFC 6238 appendix B: 8 digits, 30 s steps, three hash functions */
static void test_totp_rfc6238(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        uint32_t sha1, sha256, sha512;
    } v[] = {
        {59, 94287082, 46119246, 90693936},         {1111111109, 7081804, 68084774, 25091201},
        {1111111111, 14050471, 67062674, 99943326}, {1234567890, 89005924, 91819424, 93441116},
        {2000000000, 69279037, 90698825, 38618901}, {20000000000LL, 65353130, 77737706, 47863826},
    };
    const unsigned char *k1 = (const unsigned char *)"12345678901234567890";
    const unsigned char *k256 = (const unsigned char *)"12345678901234567890123456789012";
    const unsigned char *k512 =
        (const unsigned char *)"1234567890123456789012345678901234567890123456789012345678901234";
    uint32_t c;

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(az_totp(k1, 20, v[i].t, 30, 8, AZ_OTP_SHA1, &c), 0);
        assert_int_equal(c, v[i].sha1);
        assert_int_equal(az_totp(k256, 32, v[i].t, 30, 8, AZ_OTP_SHA256, &c), 0);
        assert_int_equal(c, v[i].sha256);
        assert_int_equal(az_totp(k512, 64, v[i].t, 30, 8, AZ_OTP_SHA512, &c), 0);
        assert_int_equal(c, v[i].sha512);
    }
    assert_int_equal(az_totp(k1, 20, -1, 30, 6, AZ_OTP_SHA1, &c), AZ_EINVAL);
}

static void fmt6(uint32_t v, char out[8])
{
    snprintf(out, 8, "%06u", (unsigned)v);
}

/* liboath is an independent implementation: the codes must agree both
 * ways, for random keys and times, for all three hash functions. */
static void test_totp_liboath(void **state)
{
    (void)state;
#ifndef HAVE_OATH
    fail_msg("liboath-dev is not installed: the TOTP reference check cannot run "
             "(scripts/deps.sh --test installs it)");
#else
    unsigned char key[64];
    assert_int_equal(oath_init(), OATH_OK);
    srand(6238);
    for (int round = 0; round < 300; round++) {
        size_t klen = 10 + (size_t)(rand() % 55);
        int64_t t = (int64_t)(((uint64_t)rand() << 17) ^ (uint64_t)rand()) % 4000000000LL;
        int digits = 6 + rand() % 3;
        enum az_otp_alg alg = (enum az_otp_alg)(rand() % 3);
        int flags = alg == AZ_OTP_SHA256   ? OATH_TOTP_HMAC_SHA256
                    : alg == AZ_OTP_SHA512 ? OATH_TOTP_HMAC_SHA512
                                           : 0;
        char theirs[16], ours[16];
        uint32_t c;
        for (size_t i = 0; i < klen; i++)
            key[i] = (unsigned char)rand();
        assert_int_equal(oath_totp_generate2((const char *)key, klen, (time_t)t, 30, 0,
                                             (unsigned)digits, flags, theirs),
                         OATH_OK);
        assert_int_equal(az_totp(key, klen, t, 30, digits, alg, &c), 0);
        snprintf(ours, sizeof(ours), "%0*u", digits, (unsigned)c);
        assert_string_equal(ours, theirs);
    }
    /* our verifier accepts what liboath generates (6 digits, SHA-1), and
     * liboath validates what we generate, at the same position */
    for (int round = 0; round < 100; round++) {
        char theirs[16], ours[8];
        int64_t t = 1700000000 + round * 7919, step = 0;
        uint32_t c;
        int pos = 99;
        for (size_t i = 0; i < AZ_TOTP_KEYLEN; i++)
            key[i] = (unsigned char)rand();
        assert_int_equal(
            oath_totp_generate((const char *)key, AZ_TOTP_KEYLEN, (time_t)t, 30, 0, 6, theirs),
            OATH_OK);
        assert_int_equal(az_totp_verify(key, AZ_TOTP_KEYLEN, theirs, t, 1, 0, &step), AZ_TOTP_OK);
        assert_int_equal(step, t / 30);
        assert_int_equal(az_totp(key, AZ_TOTP_KEYLEN, t + 30, 30, 6, AZ_OTP_SHA1, &c), 0);
        fmt6(c, ours);
        assert_true(oath_totp_validate2((const char *)key, AZ_TOTP_KEYLEN, (time_t)t, 30, 0, 1,
                                        &pos, ours) >= 0);
        assert_int_equal(pos, 1);
    }
    /* base32: liboath decodes ours */
    for (int round = 0; round < 50; round++) {
        size_t klen = 1 + (size_t)(rand() % 40), olen = 0;
        char *b = NULL, *enc;
        for (size_t i = 0; i < klen; i++)
            key[i] = (unsigned char)rand();
        enc = az_base32_encode(key, klen);
        assert_non_null(enc);
        if (klen % 5 == 0) { /* liboath wants whole groups */
            assert_int_equal(oath_base32_decode(enc, strlen(enc), &b, &olen), OATH_OK);
            assert_int_equal(olen, klen);
            assert_memory_equal(b, key, klen);
            free(b);
        }
        free(enc);
    }
    oath_done();
#endif
}

static void test_totp_verify(void **state)
{
    (void)state;
    const unsigned char *k = (const unsigned char *)"12345678901234567890";
    int64_t now = 1111111111, step = 0;
    uint32_t c;
    char code[8], spaced[16];

    assert_int_equal(az_totp(k, 20, now, 30, 6, AZ_OTP_SHA1, &c), 0);
    fmt6(c, code);
    assert_int_equal(az_totp_verify(k, 20, code, now, 1, 0, &step), AZ_TOTP_OK);
    assert_int_equal(step, now / 30);
    /* the same code again: replay, refused */
    assert_int_equal(az_totp_verify(k, 20, code, now, 1, step, &step), AZ_TOTP_REPLAY);
    /* a code from 30 s before is in the window, but not older ones */
    assert_int_equal(az_totp(k, 20, now - 30, 30, 6, AZ_OTP_SHA1, &c), 0);
    fmt6(c, code);
    assert_int_equal(az_totp_verify(k, 20, code, now, 1, 0, &step), AZ_TOTP_OK);
    assert_int_equal(step, now / 30 - 1);
    assert_int_equal(az_totp(k, 20, now - 90, 30, 6, AZ_OTP_SHA1, &c), 0);
    fmt6(c, code);
    assert_int_equal(az_totp_verify(k, 20, code, now, 1, 0, &step), AZ_TOTP_WRONG);
    /* after a newer code was used, an older one in the window is a replay */
    assert_int_equal(az_totp(k, 20, now - 30, 30, 6, AZ_OTP_SHA1, &c), 0);
    fmt6(c, code);
    assert_int_equal(az_totp_verify(k, 20, code, now, 1, now / 30, &step), AZ_TOTP_REPLAY);
    /* spaces are fine, other junk is not */
    assert_int_equal(az_totp(k, 20, now, 30, 6, AZ_OTP_SHA1, &c), 0);
    snprintf(spaced, sizeof(spaced), "%03u %03u", (unsigned)(c / 1000), (unsigned)(c % 1000));
    assert_int_equal(az_totp_verify(k, 20, spaced, now, 1, 0, &step), AZ_TOTP_OK);
    assert_int_equal(az_totp_verify(k, 20, "", now, 1, 0, &step), AZ_TOTP_WRONG);
    assert_int_equal(az_totp_verify(k, 20, "12345", now, 1, 0, &step), AZ_TOTP_WRONG);
    assert_int_equal(az_totp_verify(k, 20, "1234567", now, 1, 0, &step), AZ_TOTP_WRONG);
    assert_int_equal(az_totp_verify(k, 20, "12a456", now, 1, 0, &step), AZ_TOTP_WRONG);
    fmt6((c + 1) % 1000000, code);
    assert_int_equal(az_totp_verify(k, 20, code, now, 1, 0, &step), AZ_TOTP_WRONG);
}

static void test_base32(void **state)
{
    (void)state;
    static const char *const v[][2] = {{"", ""},
                                       {"f", "MY"},
                                       {"fo", "MZXQ"},
                                       {"foo", "MZXW6"},
                                       {"foob", "MZXW6YQ"},
                                       {"fooba", "MZXW6YTB"},
                                       {"foobar", "MZXW6YTBOI"}};
    unsigned char out[32];
    size_t n;

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char *e = az_base32_encode((const unsigned char *)v[i][0], strlen(v[i][0]));
        assert_string_equal(e, v[i][1]);
        free(e);
        assert_int_equal(az_base32_decode(v[i][1], out, sizeof(out), &n), 0);
        assert_int_equal(n, strlen(v[i][0]));
        assert_memory_equal(out, v[i][0], n);
    }
    assert_int_equal(az_base32_decode("mzxw 6ytb-oi======", out, sizeof(out), &n), 0);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(az_base32_decode("MZXW1", out, sizeof(out), &n), AZ_EINVAL);
    assert_int_equal(az_base32_decode("M", out, sizeof(out), &n), AZ_EINVAL);
    assert_int_equal(az_base32_decode("MZ=XW", out, sizeof(out), &n), AZ_EINVAL);
    assert_int_equal(az_base32_decode("MZ", out, sizeof(out), &n), AZ_EINVAL); /* bits left */
    assert_int_equal(az_base32_decode("MZXW6YTBOI", out, 3, &n), AZ_ERANGE);
}

static void test_uri_and_qr(void **state)
{
    (void)state;
    const unsigned char *k = (const unsigned char *)"12345678901234567890";
    char *uri = az_totp_uri("anzen さくら", "yamada@clinic", k, 20), *svg;
    QRcode *q;
    size_t modules = 0, dark = 0;

    assert_string_equal(uri, "otpauth://totp/anzen%20%E3%81%95%E3%81%8F%E3%82%89:yamada%40clinic"
                             "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=anzen%20%E3%81%95%E3%"
                             "81%8F%E3%82%89&algorithm=SHA1&digits=6&period=30");
    assert_int_equal(az_qr_svg(&ctx, uri, &svg), 0);
    assert_int_equal(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "href"));
    /* the path draws exactly the dark modules libqrencode computed */
    q = QRcode_encodeString8bit(uri, 0, QR_ECLEVEL_M);
    assert_non_null(q);
    for (int i = 0; i < q->width * q->width; i++)
        dark += q->data[i] & 1;
    for (const char *p = strstr(svg, " d=\""); p && (p = strchr(p, 'h')); p++)
        if (p[1] != '-') /* "h-N" closes the run drawn by "hN" */
            modules += strtoul(p + 1, NULL, 10);
    assert_int_equal(modules, dark);
    {
        char vb[64];
        snprintf(vb, sizeof(vb), "viewBox=\"0 0 %d %d\"", q->width + 8, q->width + 8);
        assert_non_null(strstr(svg, vb));
    }
    QRcode_free(q);
    free(svg);
    free(uri);
}

static void test_recovery_and_tokens(void **state)
{
    (void)state;
    char a[AZ_RECOVERY_LEN], b[AZ_RECOVERY_LEN], h1[AZ_RECOVERY_HASH_LEN], h2[AZ_RECOVERY_HASH_LEN],
        t1[64], t2[64], upper[AZ_RECOVERY_LEN + 4];

    az_recovery_code(a);
    az_recovery_code(b);
    assert_int_equal(strlen(a), 14);
    assert_true(a[4] == '-' && a[9] == '-');
    assert_string_not_equal(a, b);
    assert_int_equal(az_recovery_hash(a, h1), 0);
    assert_int_equal(strlen(h1), 64);
    /* typed in upper case with spaces: the same code */
    for (size_t i = 0; i <= strlen(a); i++)
        upper[i] = a[i] == '-' ? ' ' : (a[i] >= 'a' && a[i] <= 'z') ? (char)(a[i] - 32) : a[i];
    assert_int_equal(az_recovery_hash(upper, h2), 0);
    assert_string_equal(h1, h2);
    assert_int_equal(az_recovery_hash(b, h2), 0);
    assert_string_not_equal(h1, h2);
    /* look-alikes read as digits */
    assert_int_equal(az_recovery_hash("1100-aaaa-bbbb", h1), 0);
    assert_int_equal(az_recovery_hash("ILOO-AAAA-BBBB", h2), 0);
    assert_string_equal(h1, h2);
    assert_int_equal(az_recovery_hash("1100-aaaa-bbb", h1), AZ_EINVAL);
    assert_int_equal(az_recovery_hash("1100-aaaa-bbbbb", h1), AZ_EINVAL);
    assert_int_equal(az_recovery_hash("1100-aaaa-bbbu", h1), AZ_EINVAL);

    assert_int_equal(az_random_token(t1, sizeof(t1), 32), 0);
    assert_int_equal(az_random_token(t2, sizeof(t2), 32), 0);
    assert_int_equal(strlen(t1), 43);
    assert_string_not_equal(t1, t2);
    assert_true(az_token_valid(t1, 32));
    assert_false(az_token_valid("short", 32));
    t2[5] = '=';
    assert_false(az_token_valid(t2, 32));
    assert_int_equal(az_random_token(t1, 10, 32), AZ_EINVAL);
    assert_true(az_str_equal_ct("abc", "abc"));
    assert_false(az_str_equal_ct("abc", "abd"));
    assert_false(az_str_equal_ct("abc", "ab"));
    az_token_hash("abc", h1);
    az_token_hash("abd", h2);
    assert_string_not_equal(h1, h2);
}

static void test_seal(void **state)
{
    (void)state;
    char dir[] = "/tmp/anzen-auth-XXXXXX", path[300], cmd[400];
    unsigned char k1[AZ_SEAL_KEYLEN], k2[AZ_SEAL_KEYLEN], out[64];
    struct stat sb;
    char *box;
    size_t n;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/ws.db.key", dir);
    assert_int_equal(az_seal_key_load(&ctx, path, k1), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, AZ_SEAL_KEYLEN);
    /* loading again gives the same key */
    assert_int_equal(az_seal_key_load(&ctx, path, k2), 0);
    assert_memory_equal(k1, k2, sizeof(k1));
    box = az_seal(k1, (const unsigned char *)"secret-20-bytes-long", 20);
    assert_non_null(box);
    assert_null(strstr(box, "secret"));
    assert_int_equal(az_unseal(&ctx, k1, box, out, sizeof(out), &n), 0);
    assert_int_equal(n, 20);
    assert_memory_equal(out, "secret-20-bytes-long", 20);
    assert_int_equal(az_unseal(&ctx, k1, box, out, 10, &n), AZ_ERANGE);
    /* another key, or an altered box, does not open */
    k2[0] ^= 1;
    assert_int_equal(az_unseal(&ctx, k2, box, out, sizeof(out), &n), AZ_EINVAL);
    box[30] = box[30] == 'A' ? 'B' : 'A';
    assert_int_equal(az_unseal(&ctx, k1, box, out, sizeof(out), &n), AZ_EINVAL);
    assert_int_equal(az_unseal(&ctx, k1, "!!not base64!!", out, sizeof(out), &n), AZ_EINVAL);
    free(box);
    /* a key file others can read is refused */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(az_seal_key_load(&ctx, path, k2), AZ_EINVAL);
    assert_non_null(strstr(az_errmsg(&ctx), "chmod 600"));
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(truncate(path, 5), 0);
    assert_int_equal(az_seal_key_load(&ctx, path, k2), AZ_EINVAL);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Two commands on a new workspace make its key at the same time: every
 * process gets the same whole key, none reads a half-written file. */
static void test_seal_key_race(void **state)
{
    (void)state;
    char dir[] = "/tmp/anzen-auth-XXXXXX", path[300], cmd[400];
    unsigned char k[AZ_SEAL_KEYLEN], mine[AZ_SEAL_KEYLEN];
    int fds[2];

    assert_non_null(mkdtemp(dir));
    for (int round = 0; round < 40; round++) {
        enum { KIDS = 6 };
        pid_t kid[KIDS];
        unsigned char got[KIDS][AZ_SEAL_KEYLEN];

        snprintf(path, sizeof(path), "%s/ws%d.db.key", dir, round);
        assert_int_equal(pipe(fds), 0);
        for (int i = 0; i < KIDS; i++) {
            kid[i] = fork();
            assert_true(kid[i] >= 0);
            if (kid[i] == 0) {
                struct az_ctx c;
                unsigned char rec[1 + AZ_SEAL_KEYLEN] = {0};

                az_ctx_init(&c, AZ_LANG_EN);
                rec[0] = (unsigned char)i;
                if (az_seal_key_load(&c, path, mine) == 0)
                    memcpy(rec + 1, mine, AZ_SEAL_KEYLEN);
                else
                    rec[0] = 0xff;
                _exit(write(fds[1], rec, sizeof(rec)) == (ssize_t)sizeof(rec) ? 0 : 1);
            }
        }
        close(fds[1]);
        for (int i = 0; i < KIDS; i++) {
            unsigned char rec[1 + AZ_SEAL_KEYLEN];
            assert_int_equal(read(fds[0], rec, sizeof(rec)), (ssize_t)sizeof(rec));
            assert_true(rec[0] < KIDS); /* 0xff: a process failed */
            memcpy(got[rec[0]], rec + 1, AZ_SEAL_KEYLEN);
        }
        close(fds[0]);
        for (int i = 0; i < KIDS; i++) {
            int st;
            assert_int_equal(waitpid(kid[i], &st, 0), kid[i]);
            assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        assert_int_equal(az_seal_key_load(&ctx, path, k), 0);
        for (int i = 0; i < KIDS; i++)
            assert_memory_equal(got[i], k, AZ_SEAL_KEYLEN);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_hotp_rfc4226),
        cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_totp_liboath),
        cmocka_unit_test(test_totp_verify),
        cmocka_unit_test(test_base32),
        cmocka_unit_test(test_uri_and_qr),
        cmocka_unit_test(test_recovery_and_tokens),
        cmocka_unit_test(test_seal),
        cmocka_unit_test(test_seal_key_race),
    };
    az_ctx_init(&ctx, AZ_LANG_EN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
