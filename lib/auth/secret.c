/* SPDX-License-Identifier: MIT */
/*
 * secret.c - random tokens, recovery codes, hashes of tokens for storage,
 * and secrets sealed at rest under a key file (libsodium; auth.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/util.h"
#include "anzen/auth.h"

int az_random_token(char *out, size_t cap, size_t nbytes)
{
    unsigned char raw[64];

    if (nbytes == 0 || nbytes > sizeof(raw) ||
        cap < sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        sodium_init() < 0)
        return AZ_EINVAL;
    randombytes_buf(raw, nbytes);
    sodium_bin2base64(out, cap, raw, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    return 0;
}

bool az_token_valid(const char *s, size_t nbytes)
{
    size_t want = sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;
    size_t n = 0;

    for (; s[n]; n++) {
        char c = s[n];
        if (n >= want || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return n == want;
}

/* Crockford's base32 alphabet, lower case: no i, l, o, u. */
static const char rc_alpha[] = "0123456789abcdefghjkmnpqrstvwxyz";

void az_recovery_code(char out[AZ_RECOVERY_LEN])
{
    unsigned char raw[12];
    size_t k = 0;

    if (sodium_init() < 0) {
        /* cannot happen after the first successful init; never return a
         * predictable code */
        memset(out, 0, AZ_RECOVERY_LEN);
        return;
    }
    randombytes_buf(raw, sizeof(raw));
    for (int i = 0; i < 12; i++) {
        if (i && i % 4 == 0)
            out[k++] = '-';
        out[k++] = rc_alpha[raw[i] & 31];
    }
    out[k] = '\0';
    sodium_memzero(raw, sizeof(raw));
}

int az_recovery_hash(const char *code, char out[AZ_RECOVERY_HASH_LEN])
{
    char norm[13];
    unsigned char h[32];
    size_t n = 0;

    for (const char *p = code; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == 'i' || c == 'l')
            c = '1';
        else if (c == 'o')
            c = '0';
        if (!strchr(rc_alpha, c) || c == '\0' || n >= 12)
            return AZ_EINVAL;
        norm[n++] = c;
    }
    if (n != 12)
        return AZ_EINVAL;
    norm[n] = '\0';
    crypto_generichash(h, sizeof(h), (const unsigned char *)norm, n, NULL, 0);
    sodium_bin2hex(out, AZ_RECOVERY_HASH_LEN, h, sizeof(h));
    return 0;
}

void az_token_hash(const char *s, char out[AZ_RECOVERY_HASH_LEN])
{
    unsigned char h[32];

    crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), NULL, 0);
    sodium_bin2hex(out, AZ_RECOVERY_HASH_LEN, h, sizeof(h));
}

bool az_str_equal_ct(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);

    if (na != nb)
        return false;
    return na == 0 || sodium_memcmp(a, b, na) == 0;
}

/* Make a new key at path: 1 made (k holds it), 0 another process made
 * one first (read that), <0 error. */
static int new_key_file(struct az_ctx *ctx, const char *path, unsigned char k[AZ_SEAL_KEYLEN])
{
    char *tmp = az_fmt("%s.new-XXXXXX", path);
    int fd, e = 0;
    ssize_t n;

    if (!tmp)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    fd = mkostemp(tmp, O_CLOEXEC); /* 0600 */
    if (fd < 0) {
        e = errno;
        free(tmp);
        return az_fail(ctx, AZ_EIO, "%s: 鍵ファイルを作れません: %s",
                       "%s: cannot create the key file: %s", path, az_errno_text(ctx->lang, e));
    }
    randombytes_buf(k, AZ_SEAL_KEYLEN);
    n = write(fd, k, AZ_SEAL_KEYLEN);
    if (n != (ssize_t)AZ_SEAL_KEYLEN || fsync(fd) != 0)
        e = n < 0 || n == (ssize_t)AZ_SEAL_KEYLEN ? errno : ENOSPC;
    close(fd);
    if (!e && link(tmp, path) != 0)
        e = errno;
    unlink(tmp);
    free(tmp);
    if (e == EEXIST) {
        sodium_memzero(k, AZ_SEAL_KEYLEN);
        return 0;
    }
    if (e) {
        sodium_memzero(k, AZ_SEAL_KEYLEN);
        return az_fail(ctx, AZ_EIO, "%s: 鍵ファイルを書けません: %s",
                       "%s: cannot write the key file: %s", path, az_errno_text(ctx->lang, e));
    }
    return 1;
}

int az_seal_key_load(struct az_ctx *ctx, const char *path, unsigned char key[AZ_SEAL_KEYLEN])
{
    struct stat sb;
    unsigned char k[AZ_SEAL_KEYLEN];
    ssize_t n;
    int fd;

    if (sodium_init() < 0)
        return az_fail(ctx, AZ_ENOMEM, "libsodium を初期化できません",
                       "cannot initialise libsodium");
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        /* Two processes may make the key at once (two commands on a new
         * workspace). The key is written whole to a file of its own and
         * then linked in place: link() refuses if another process got
         * there first, and then that key, already whole, is read below.
         * A reader never sees a half-written key. */
        int r = new_key_file(ctx, path, k);
        if (r == 1) {
            memcpy(key, k, sizeof(k));
            sodium_memzero(k, sizeof(k));
            return 0;
        }
        if (r < 0)
            return r;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0)
        return az_fail(ctx, AZ_EIO, "%s: 鍵ファイルを開けません: %s",
                       "%s: cannot open the key file: %s", path, az_errno_text(ctx->lang, errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return az_fail(ctx, AZ_EIO, "%s: 鍵ファイルが通常のファイルではありません",
                       "%s: the key file is not a regular file", path);
    }
    if (sb.st_mode & 077) {
        close(fd);
        return az_fail(ctx, AZ_EINVAL,
                       "%s: 鍵ファイルがほかの利用者から読み書きできます "
                       "(chmod 600 %s としてください)",
                       "%s: the key file is accessible to other users (run chmod 600 %s)", path,
                       path);
    }
    n = read(fd, k, sizeof(k));
    if (n != (ssize_t)sizeof(k) || sb.st_size != (off_t)sizeof(k)) {
        close(fd);
        sodium_memzero(k, sizeof(k));
        return az_fail(ctx, AZ_EINVAL, "%s: 鍵ファイルの大きさが %d バイトではありません",
                       "%s: the key file is not %d bytes long", path, AZ_SEAL_KEYLEN);
    }
    close(fd);
    memcpy(key, k, sizeof(k));
    sodium_memzero(k, sizeof(k));
    return 0;
}

char *az_seal(const unsigned char key[AZ_SEAL_KEYLEN], const unsigned char *data, size_t len)
{
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len, olen;
    unsigned char *box;
    char *out;

    if (len > 4096 || sodium_init() < 0 || !(box = malloc(blen)))
        return NULL;
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, data, len, box, key);
    olen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    out = malloc(olen);
    if (out)
        sodium_bin2base64(out, olen, box, blen, sodium_base64_VARIANT_ORIGINAL);
    free(box);
    return out;
}

int az_unseal(struct az_ctx *ctx, const unsigned char key[AZ_SEAL_KEYLEN], const char *sealed,
              unsigned char *out, size_t cap, size_t *ret_len)
{
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 4096];
    size_t blen, plen;

    if (sodium_init() < 0 ||
        sodium_base642bin(box, sizeof(box), sealed, strlen(sealed), NULL, &blen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return az_fail(ctx, AZ_EINVAL, "暗号化された秘密の形式が不正です",
                       "the sealed secret is malformed");
    plen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    if (plen > cap)
        return az_fail(ctx, AZ_ERANGE, "秘密が長すぎます", "the secret is too long");
    if (crypto_secretbox_open_easy(out, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, key) != 0)
        return az_fail(ctx, AZ_EINVAL,
                       "暗号化された秘密を開けません (鍵ファイルが違うか、改ざんされています)",
                       "cannot open the sealed secret (wrong key file, or altered)");
    *ret_len = plen;
    return 0;
}
