/* SPDX-License-Identifier: MIT */
/*
 * cert.c - the server's TLS certificate: load the PEM pair given with
 * --cert/--key, or make a self-signed one on first run (OpenSSL 3: P-256
 * key, SHA-256 signature, names localhost, 127.0.0.1, ::1 and the listen
 * address) kept next to the workspace, key mode 0600. The SHA-256
 * fingerprint is shown so a user can check what the browser warns about.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/util.h"
#include "web.h"

static int ossl_fail(struct az_ctx *ctx, const char *what)
{
    return az_fail(ctx, AZ_EIO, "証明書の%sに失敗しました (OpenSSL)",
                   "certificate %s failed (OpenSSL)", what);
}

static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *e;
    int ok;

    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!e)
        return -1;
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

/* PEM text of a BIO (caller frees). */
static char *bio_text(BIO *b)
{
    char *p, *out;
    long n = BIO_get_mem_data(b, &p);

    if (n <= 0 || !(out = malloc((size_t)n + 1)))
        return NULL;
    memcpy(out, p, (size_t)n);
    out[n] = '\0';
    return out;
}

/* Write the key file with mode 0600 from the start (never world-readable,
 * not even for a moment), replacing any old one. */
static int write_key(struct az_ctx *ctx, const char *path, const char *pem)
{
    char tmp[4200];
    size_t n = strlen(pem);
    int fd;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", tmp,
                       az_errno_text(ctx->lang, errno));
    if (write(fd, pem, n) != (ssize_t)n || fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", tmp,
                       az_errno_text(ctx->lang, errno));
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", path,
                       az_errno_text(ctx->lang, errno));
    }
    return 0;
}

int web_cert_generate(struct az_ctx *ctx, const char *cert_path, const char *key_path,
                      const char *host)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    ASN1_INTEGER *serial = NULL;
    unsigned char rnd[16];
    char san[512], *kpem = NULL, *cpem = NULL;
    int r = 0;

    if (!key || !x || !kb || !cb) {
        r = ossl_fail(ctx, "作成");
        goto out;
    }
    /* a random 127-bit positive serial number */
    {
        BIGNUM *bn;
        if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
            r = ossl_fail(ctx, "作成");
            goto out;
        }
        rnd[0] &= 0x7f;
        bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
        serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
        BN_free(bn);
    }
    if (host && *host && strcmp(host, "127.0.0.1") && strcmp(host, "::1") &&
        strcmp(host, "localhost") && strcmp(host, "0.0.0.0") && strcmp(host, "::"))
        snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1,%s:%s",
                 strspn(host, "0123456789.:abcdefABCDEF") == strlen(host) ? "IP" : "DNS", host);
    else
        snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (!serial || !X509_set_version(x, 2) || !X509_set_serialNumber(x, serial) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 3L * 365 * 24 * 3600) || !X509_set_pubkey(x, key) ||
        !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_UTF8,
                                    (const unsigned char *)"anzen (self-signed)", -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                    (const unsigned char *)"localhost", -1, -1, 0) ||
        !X509_set_issuer_name(x, X509_get_subject_name(x)) ||
        add_ext(x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
        add_ext(x, NID_key_usage, "critical,digitalSignature") < 0 ||
        add_ext(x, NID_ext_key_usage, "serverAuth") < 0 ||
        add_ext(x, NID_subject_alt_name, san) < 0 || !X509_sign(x, key, EVP_sha256()) ||
        !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
        !PEM_write_bio_X509(cb, x) || !(kpem = bio_text(kb)) || !(cpem = bio_text(cb))) {
        r = ossl_fail(ctx, "作成");
        goto out;
    }
    if ((r = write_key(ctx, key_path, kpem)) == 0)
        r = az_write_file_atomic(ctx, cert_path, cpem, strlen(cpem));
out:
    if (kpem)
        OPENSSL_cleanse(kpem, strlen(kpem));
    free(kpem);
    free(cpem);
    ASN1_INTEGER_free(serial);
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(key);
    return r;
}

int web_cert_fingerprint(struct az_ctx *ctx, const char *cert_pem, char *out, size_t n)
{
    BIO *b = BIO_new_mem_buf(cert_pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    size_t k = 0;

    BIO_free(b);
    if (!x || !X509_digest(x, EVP_sha256(), md, &len) || n < len * 3) {
        X509_free(x);
        return az_fail(ctx, AZ_EINVAL, "証明書を読めません (PEM 形式の X.509 が必要です)",
                       "cannot read the certificate (PEM X.509 needed)");
    }
    X509_free(x);
    for (unsigned i = 0; i < len; i++)
        k += (size_t)snprintf(out + k, n - k, "%s%02X", i ? ":" : "", md[i]);
    return 0;
}
