/* SPDX-License-Identifier: MIT */
/*
 * auth.h - the building blocks of user accounts, kept in libanzen so they
 * can be tested without a server: argon2id password hashes (libsodium),
 * TOTP one-time codes (RFC 6238 over RFC 4226, HMAC from OpenSSL) with
 * base32 secrets and otpauth:// URIs, the enrolment QR code as SVG
 * (libqrencode), one-time recovery codes, random tokens, and sealing of
 * secrets at rest (libsodium secretbox under a key file of mode 0600).
 *
 * IMPLEMENTS: gl-6.0.ops-14-1, gl-6.0.ops-14-2, gl-6.0.ops-14-6,
 * cl-r7.h.mfa (identification and authentication: passwords kept only as
 * salted slow hashes, a second factor, one-time codes usable once).
 *
 * Ownership follows anzen.h: returned char * are owned by the caller
 * (free). Secrets passed in are only borrowed and never kept.
 */
#ifndef ANZEN_AUTH_H
#define ANZEN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anzen.h"

/* ---- passwords ---- */

/* Room for an encoded argon2id hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash). */
#define AZ_PWHASH_MAX 128
/* Passwords: at least this many characters (code points), at most
 * AZ_PASSWORD_MAX bytes. 13 meets the guideline's rule without relying
 * on the second factor or on periodic changes.
 * IMPLEMENTS: gl-6.0.ops-14-6, cl-r7.h.password-strength */
#define AZ_PASSWORD_MIN 13
#define AZ_PASSWORD_MAX 256

/* Hash pw with argon2id (libsodium's interactive limits: 2 passes,
 * 64 MiB) into ret (NUL-terminated). AZ_ERANGE for an over-long password,
 * AZ_ENOMEM when the memory for the hash cannot be had. */
int az_password_hash(struct az_ctx *ctx, const char *pw, char ret[AZ_PWHASH_MAX]);
/* True if pw matches the encoded hash. Constant-time in pw; false for a
 * malformed hash. */
bool az_password_verify(const char *hash, const char *pw);
/* True if the hash was made with weaker limits than az_password_hash
 * uses today (so it should be replaced at the next successful login). */
bool az_password_needs_rehash(const char *hash);
/* The password rules: AZ_PASSWORD_MIN characters or more, at most
 * AZ_PASSWORD_MAX bytes, valid UTF-8 without control characters, not
 * containing the user name, not one repeated character, not a well-known
 * password. AZ_EINVAL with a message saying which rule failed. */
int az_password_policy(struct az_ctx *ctx, const char *pw, const char *username);

/* ---- TOTP (RFC 6238) ---- */

enum az_otp_alg {
    AZ_OTP_SHA1 = 0, /* what authenticator apps use */
    AZ_OTP_SHA256 = 1,
    AZ_OTP_SHA512 = 2,
};

/* Length of the TOTP secrets anzen makes (160 bits, RFC 4226's advice). */
#define AZ_TOTP_KEYLEN 20
#define AZ_TOTP_STEP   30
#define AZ_TOTP_DIGITS 6

/* HOTP (RFC 4226): the digits-long value (6..9) for counter. */
int az_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits,
            enum az_otp_alg alg, uint32_t *ret);
/* TOTP: HOTP of floor(t / step), t in Unix seconds (t >= 0). */
int az_totp(const unsigned char *key, size_t keylen, int64_t t, int step, int digits,
            enum az_otp_alg alg, uint32_t *ret);

/* Verdicts of az_totp_verify. */
enum az_totp_verdict {
    AZ_TOTP_OK = 0,     /* accepted; *ret_step is the matched time step */
    AZ_TOTP_WRONG = 1,  /* malformed or no match in the window */
    AZ_TOTP_REPLAY = 2, /* matched a step at or before last_step: already used */
};
/* Check a code typed by a user (6 digits; spaces allowed) for the
 * SHA-1/30 s/6-digit TOTP of key at time now, allowing window steps of
 * clock drift either side. A match at a step <= last_step is a replay and
 * is refused, so each code works once. Never fails otherwise. */
enum az_totp_verdict az_totp_verify(const unsigned char *key, size_t keylen, const char *code,
                                    int64_t now, int window, int64_t last_step, int64_t *ret_step);

/* RFC 4648 base32 without padding (upper case). NULL on ENOMEM. */
char *az_base32_encode(const unsigned char *data, size_t len);
/* Decode base32, ignoring case, spaces, '-' and trailing '='. AZ_EINVAL
 * for any other character or a bad length, AZ_ERANGE when out is too
 * small. */
int az_base32_decode(const char *s, unsigned char *out, size_t cap, size_t *ret_len);

/* The otpauth://totp/ URI authenticator apps scan:
 * otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 * with the label and issuer percent-encoded (UTF-8). NULL on ENOMEM. */
char *az_totp_uri(const char *issuer, const char *account, const unsigned char *key, size_t keylen);

/* text as a QR code (error correction M, 8-bit) drawn as a standalone
 * SVG element: one path of dark modules, a 4-module quiet zone, scaled by
 * viewBox. Contains no script and no external reference. */
int az_qr_svg(struct az_ctx *ctx, const char *text, char **ret_svg);

/* ---- random tokens, recovery codes ---- */

/* nbytes random bytes as unpadded base64url into out (cap must be at
 * least 4 * nbytes / 3 + 2). */
int az_random_token(char *out, size_t cap, size_t nbytes);
/* True if s looks like a token from az_random_token of nbytes bytes
 * (exact length, base64url alphabet only). */
bool az_token_valid(const char *s, size_t nbytes);

/* One recovery code: "xxxx-xxxx-xxxx" from a 32-letter alphabet without
 * look-alikes (60 bits). */
#define AZ_RECOVERY_LEN   15
#define AZ_RECOVERY_COUNT 10
void az_recovery_code(char out[AZ_RECOVERY_LEN]);
/* The stored form of a recovery code: hex BLAKE2b-256 of the code
 * normalised (case folded, separators dropped, i/l read as 1 and o as 0),
 * so "ABCD EFGH JKMN" and "abcd-efgh-jkmn" match. AZ_EINVAL when the
 * input is not 12 letters of the alphabet. */
#define AZ_RECOVERY_HASH_LEN 65
int az_recovery_hash(const char *code, char out[AZ_RECOVERY_HASH_LEN]);

/* Hex BLAKE2b-256 of s (for storing session IDs: a stolen database does
 * not give live sessions). */
void az_token_hash(const char *s, char out[AZ_RECOVERY_HASH_LEN]);
/* Constant-time comparison of two NUL-terminated strings. */
bool az_str_equal_ct(const char *a, const char *b);

/* ---- secrets at rest ---- */

#define AZ_SEAL_KEYLEN 32
/* Load the 32-byte key at path, creating it (mode 0600, random) when it
 * does not exist. Refuses a key file readable or writable by group or
 * others, or of the wrong size, with a message naming the file. */
int az_seal_key_load(struct az_ctx *ctx, const char *path, unsigned char key[AZ_SEAL_KEYLEN]);
/* Encrypt and authenticate data under key (XSalsa20-Poly1305 with a
 * random nonce): returns base64 of nonce || ciphertext. NULL on ENOMEM. */
char *az_seal(const unsigned char key[AZ_SEAL_KEYLEN], const unsigned char *data, size_t len);
/* Reverse az_seal into out. AZ_EINVAL when the box was altered or sealed
 * under another key, AZ_ERANGE when out is too small. */
int az_unseal(struct az_ctx *ctx, const unsigned char key[AZ_SEAL_KEYLEN], const char *sealed,
              unsigned char *out, size_t cap, size_t *ret_len);

#endif
