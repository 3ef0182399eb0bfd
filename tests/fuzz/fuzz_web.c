/* SPDX-License-Identifier: MIT */
/*
 * fuzz_web.c - libFuzzer target for what the web UI parses by hand
 * (src/web/parse.c), the HTML escaping its pages go through
 * (az_html_escape) and the text inputs of lib/auth: the Cookie header,
 * the Origin check, HTML escaping, base32, TOTP codes and recovery codes.
 * Properties, not only "no crash":
 *   - a cookie value found contains only RFC 6265 cookie octets and fits;
 *   - an accepted Origin is exactly "https://" + Host;
 *   - escaped HTML holds no < > " ' `, no & that does not start one of
 *     the entities the escaper writes, and no bidirectional override or
 *     isolate control (U+202A..E, U+2066..9);
 *   - base32 that decodes re-encodes to the same letters (canonical form).
 * Input: the bytes up to the first NUL are the "header", the rest the
 * "name" (or host).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/web/parse.h"
#include "anzen/auth.h"
#include "anzen/tmpl.h"

static void check_cookie(const char *hdr, const char *name)
{
    char out[64];

    if (web_cookie_get(hdr, name, out, sizeof(out))) {
        size_t n = strlen(out);
        if (n == 0 || n >= sizeof(out))
            abort();
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)out[i];
            if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
                abort();
        }
    }
}

static void check_escape(const char *s)
{
    static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#96;"};
    struct az_buf b;

    az_buf_init(&b, 1u << 20);
    if (az_html_escape(&b, s, strlen(s)) == 0 && b.data) {
        for (const char *p = b.data; *p; p++) {
            const unsigned char *u = (const unsigned char *)p;
            if (u[0] == 0xE2 && ((u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE) ||
                                 (u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)))
                abort();
            if (strchr("<>\"'`", *p))
                abort();
            if (*p == '&') {
                int good = 0;
                for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
                    good |= !strncmp(p, ents[k], strlen(ents[k]));
                if (!good)
                    abort();
            }
        }
    }
    az_buf_done(&b);
}

static void check_base32(const char *s)
{
    unsigned char out[256];
    size_t n = 0;

    if (az_base32_decode(s, out, sizeof(out), &n) == 0) {
        char *e = az_base32_encode(out, n), norm[1024];
        size_t k = 0;
        for (const char *p = s; *p && k + 1 < sizeof(norm); p++) {
            char c = *p;
            if (c == ' ' || c == '-' || c == '=')
                continue;
            norm[k++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
        norm[k] = '\0';
        if (!e || (strlen(s) < sizeof(norm) && strcmp(e, norm) != 0))
            abort();
        free(e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2), *name;
    const unsigned char key[] = "12345678901234567890";
    char h[AZ_RECOVERY_HASH_LEN];
    int64_t step;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    name = buf + strlen(buf) + (strlen(buf) < size ? 1 : 0);
    check_cookie(buf, *name ? name : "__Host-anzen");
    if (web_origin_ok(buf, name)) {
        if (strncmp(buf, "https://", 8) != 0 || strcasecmp(buf + 8, name) != 0)
            abort();
    }
    check_escape(buf);
    check_base32(buf);
    (void)az_recovery_hash(buf, h);
    (void)az_totp_verify(key, 20, buf, 1111111111, 1, 0, &step);
    free(buf);
    return 0;
}
