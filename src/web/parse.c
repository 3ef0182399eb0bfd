/* SPDX-License-Identifier: MIT */
/*
 * parse.c - the text the web UI reads by hand, kept apart from
 * the server so the fuzzer (tests/fuzz/fuzz_web.c) can drive it alone:
 * the Cookie header and the Origin check. Form and multipart bodies are
 * decoded by libmicrohttpd's post processor; HTML is escaped by the
 * template renderer (az_html_escape in lib/report/tmpl.c).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "anzen/util.h"
#include "parse.h"

bool web_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    const char *p = header;

    /* cookie-string = cookie-pair *( ";" SP cookie-pair ), browsers also
     * send no space; be lenient on spaces, strict on the value */
    while (*p) {
        const char *eq, *end, *v;
        size_t vlen;
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        end = p;
        while (*end && *end != ';')
            end++;
        eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == nlen && !memcmp(p, name, nlen)) {
            v = eq + 1;
            vlen = (size_t)(end - v);
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            if (vlen == 0 || vlen >= cap)
                return false;
            for (size_t i = 0; i < vlen; i++) {
                unsigned char c = (unsigned char)v[i];
                /* RFC 6265 cookie-octet */
                if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
                    return false;
            }
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}

bool web_origin_ok(const char *origin, const char *host)
{
    size_t hl;

    if (!host || !*host || strncmp(origin, "https://", 8) != 0)
        return false;
    origin += 8;
    hl = strlen(host);
    /* Origin is scheme://host[:port] exactly, without a path */
    if (strlen(origin) != hl || strncasecmp(origin, host, hl) != 0)
        return false;
    for (const char *p = host; *p; p++)
        if (*p == '/' || *p == '@' || *p == ' ' || (unsigned char)*p < 0x21)
            return false;
    return true;
}
