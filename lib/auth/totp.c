/* SPDX-License-Identifier: MIT */
/*
 * totp.c - one-time codes: HOTP (RFC 4226) and TOTP (RFC 6238) on
 * OpenSSL's HMAC, the window-and-replay check, base32 (RFC 4648) and the
 * otpauth:// URI that authenticator apps read from the QR code (auth.h).
 *
 * Checked against the RFC 6238 appendix B vectors and against liboath in
 * tests/unit/test_auth.c.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/auth.h"
#include "anzen/util.h"

int az_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits,
            enum az_otp_alg alg, uint32_t *ret)
{
    static const uint32_t pow10[] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};
    const EVP_MD *md = alg == AZ_OTP_SHA256   ? EVP_sha256()
                       : alg == AZ_OTP_SHA512 ? EVP_sha512()
                                              : EVP_sha1();
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    uint32_t bin;
    unsigned off;

    if (digits < 6 || digits > 9 || keylen > 1024 || (!key && keylen))
        return AZ_EINVAL;
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    if (!HMAC(md, key ? key : (const unsigned char *)"", (int)keylen, msg, sizeof(msg), mac,
              &maclen) ||
        maclen < 20)
        return AZ_ENOMEM;
    /* dynamic truncation (RFC 4226 5.3) */
    off = mac[maclen - 1] & 0x0f;
    bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
          ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    *ret = bin % pow10[digits];
    return 0;
}

int az_totp(const unsigned char *key, size_t keylen, int64_t t, int step, int digits,
            enum az_otp_alg alg, uint32_t *ret)
{
    if (t < 0 || step <= 0)
        return AZ_EINVAL;
    return az_hotp(key, keylen, (uint64_t)(t / step), digits, alg, ret);
}

enum az_totp_verdict az_totp_verify(const unsigned char *key, size_t keylen, const char *code,
                                    int64_t now, int window, int64_t last_step, int64_t *ret_step)
{
    uint32_t want = 0, got;
    int nd = 0;
    int64_t step = now / AZ_TOTP_STEP;
    bool replay = false;

    if (now < 0 || window < 0 || window > 10)
        return AZ_TOTP_WRONG;
    for (const char *p = code; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (*p < '0' || *p > '9' || ++nd > AZ_TOTP_DIGITS)
            return AZ_TOTP_WRONG;
        want = want * 10 + (uint32_t)(*p - '0');
    }
    if (nd != AZ_TOTP_DIGITS)
        return AZ_TOTP_WRONG;
    /* newest step first, so a replay of an older code in the window does
     * not hide a fresh match */
    for (int64_t s = step + window; s >= step - window; s--) {
        if (s < 0 || az_hotp(key, keylen, (uint64_t)s, AZ_TOTP_DIGITS, AZ_OTP_SHA1, &got) < 0)
            continue;
        if (got != want)
            continue;
        if (s <= last_step) {
            replay = true;
            continue;
        }
        if (ret_step)
            *ret_step = s;
        return AZ_TOTP_OK;
    }
    return replay ? AZ_TOTP_REPLAY : AZ_TOTP_WRONG;
}

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

char *az_base32_encode(const unsigned char *data, size_t len)
{
    char *out = malloc((len * 8 + 4) / 5 + 1), *o = out;
    uint32_t acc = 0;
    int bits = 0;

    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            *o++ = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        *o++ = b32[(acc << (5 - bits)) & 31];
    *o = '\0';
    return out;
}

int az_base32_decode(const char *s, unsigned char *out, size_t cap, size_t *ret_len)
{
    uint32_t acc = 0;
    int bits = 0, nchars = 0;
    size_t n = 0;
    bool pad = false;

    for (; *s; s++) {
        int v;
        char c = *s;
        if (c == ' ' || c == '-')
            continue;
        if (c == '=') {
            pad = true;
            continue;
        }
        if (pad)
            return AZ_EINVAL; /* data after padding */
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= '2' && c <= '7')
            v = c - '2' + 26;
        else
            return AZ_EINVAL;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        nchars++;
        if (bits >= 8) {
            if (n >= cap)
                return AZ_ERANGE;
            out[n++] = (unsigned char)((acc >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    /* valid lengths of the last group: 2, 4, 5, 7 characters (or full) */
    switch (nchars % 8) {
    case 1:
    case 3:
    case 6:
        return AZ_EINVAL;
    default:
        break;
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return AZ_EINVAL; /* non-zero trailing bits: not canonical */
    *ret_len = n;
    return 0;
}

/* Percent-encode everything but RFC 3986 unreserved characters. */
static int pct(struct az_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int r = 0;

    for (; *s && r == 0; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            r = az_buf_add(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            r = az_buf_add(b, e, 3);
        }
    }
    return r;
}

char *az_totp_uri(const char *issuer, const char *account, const unsigned char *key, size_t keylen)
{
    struct az_buf b;
    char *secret = az_base32_encode(key, keylen);
    int r;

    if (!secret)
        return NULL;
    az_buf_init(&b, 64u * 1024);
    r = az_buf_puts(&b, "otpauth://totp/");
    r = r ? r : pct(&b, issuer);
    r = r ? r : az_buf_puts(&b, ":");
    r = r ? r : pct(&b, account);
    r = r ? r : az_buf_printf(&b, "?secret=%s&issuer=", secret);
    r = r ? r : pct(&b, issuer);
    r = r ? r
          : az_buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", AZ_TOTP_DIGITS, AZ_TOTP_STEP);
    free(secret);
    if (r < 0) {
        az_buf_done(&b);
        return NULL;
    }
    return az_buf_take(&b);
}
