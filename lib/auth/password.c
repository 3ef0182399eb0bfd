/* SPDX-License-Identifier: MIT */
/*
 * password.c - password hashes (argon2id through libsodium's
 * crypto_pwhash_str) and the password rules (auth.h).
 */
#include <sodium.h>
#include <string.h>

#include "anzen/auth.h"
#include "anzen/util.h"

#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

int az_password_hash(struct az_ctx *ctx, const char *pw, char ret[AZ_PWHASH_MAX])
{
    char out[crypto_pwhash_STRBYTES];
    size_t n = strlen(pw);

    _Static_assert(crypto_pwhash_STRBYTES <= AZ_PWHASH_MAX, "AZ_PWHASH_MAX too small");
    if (n > AZ_PASSWORD_MAX)
        return az_fail(ctx, AZ_ERANGE, "パスワードが長すぎます (%d バイトまで)",
                       "the password is too long (at most %d bytes)", AZ_PASSWORD_MAX);
    if (sodium_init() < 0)
        return az_fail(ctx, AZ_ENOMEM, "libsodium を初期化できません",
                       "cannot initialise libsodium");
    if (crypto_pwhash_str_alg(out, pw, n, OPS, MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return az_fail(ctx, AZ_ENOMEM, "パスワードのハッシュに必要なメモリがありません",
                       "not enough memory to hash the password");
    memcpy(ret, out, sizeof(out));
    return 0;
}

bool az_password_verify(const char *hash, const char *pw)
{
    size_t n = strlen(pw);

    if (n > AZ_PASSWORD_MAX || sodium_init() < 0 || strncmp(hash, "$argon2id$", 10) != 0)
        return false;
    return crypto_pwhash_str_verify(hash, pw, n) == 0;
}

bool az_password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, OPS, MEM) != 0;
}

/* A few passwords of 13+ characters that lists of leaked passwords are
 * full of; the length rule already rules out the short ones. */
static const char *const common[] = {
    "passwordpassword", "1234567890123",  "12345678901234",   "123456789012345", "qwertyuiopasdf",
    "password12345",    "password123456", "iloveyou12345",    "administrator",   "administrator1",
    "abcdefghijklm",    "abc1234567890",  "1qaz2wsx3edc4rfv", "qwertyuiop123",   "p@ssw0rd12345",
};

/* ASCII case-insensitive substring search. */
static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    if (!n)
        return false;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               (hay[i] | (hay[i] >= 'A' && hay[i] <= 'Z' ? 0x20 : 0)) ==
                   (needle[i] | (needle[i] >= 'A' && needle[i] <= 'Z' ? 0x20 : 0)))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

int az_password_policy(struct az_ctx *ctx, const char *pw, const char *username)
{
    size_t n = strlen(pw), chars = 0;
    bool same = true;

    if (n > AZ_PASSWORD_MAX)
        return az_fail(ctx, AZ_EINVAL, "パスワードが長すぎます (%d バイトまで)",
                       "the password is too long (at most %d bytes)", AZ_PASSWORD_MAX);
    if (az_utf8_invalid_at(pw, n) != (size_t)-1)
        return az_fail(ctx, AZ_EINVAL, "パスワードに使えない文字があります",
                       "the password contains invalid characters");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)pw[i];
        if (c < 0x20 || c == 0x7f)
            return az_fail(ctx, AZ_EINVAL, "パスワードに制御文字は使えません",
                           "the password must not contain control characters");
        if ((c & 0xc0) != 0x80)
            chars++;
        if (pw[i] != pw[0])
            same = false;
    }
    if (chars < AZ_PASSWORD_MIN)
        return az_fail(ctx, AZ_EINVAL, "パスワードは %d 文字以上にしてください",
                       "the password needs at least %d characters", AZ_PASSWORD_MIN);
    if (same)
        return az_fail(ctx, AZ_EINVAL, "同じ文字だけのパスワードは使えません",
                       "the password must not be one repeated character");
    if (username && strlen(username) >= 3 && contains_ci(pw, username))
        return az_fail(ctx, AZ_EINVAL, "パスワードにユーザー名を含めないでください",
                       "the password must not contain the user name");
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        if (contains_ci(pw, common[i]) && n < strlen(common[i]) + 4)
            return az_fail(ctx, AZ_EINVAL, "よく知られたパスワードは使えません",
                           "the password is a well-known one");
    return 0;
}
