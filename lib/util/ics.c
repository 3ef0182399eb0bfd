/* SPDX-License-Identifier: MIT */
/*
 * ics.c - the two parts of RFC 5545 that need care: TEXT escaping (3.3.11)
 * and folding content lines at 75 octets (3.1) without splitting a UTF-8
 * sequence.
 */
#include <string.h>

#include "anzen/due.h"
#include "anzen/util.h"

int az_ics_escape(struct az_buf *b, const char *s)
{
    int r = 0;

    for (; s && *s && r >= 0; s++) {
        switch (*s) {
        case '\\':
            r = az_buf_puts(b, "\\\\");
            break;
        case ';':
            r = az_buf_puts(b, "\\;");
            break;
        case ',':
            r = az_buf_puts(b, "\\,");
            break;
        case '\r':
            if (s[1] == '\n')
                s++;
            r = az_buf_puts(b, "\\n");
            break;
        case '\n':
            r = az_buf_puts(b, "\\n");
            break;
        default:
            /* other control characters are not allowed in TEXT */
            r = (unsigned char)*s < 0x20 || *s == 0x7f ? az_buf_puts(b, " ") : az_buf_add(b, s, 1);
        }
    }
    return r < 0 ? r : 0;
}

/* length of the UTF-8 sequence starting with byte c (1 for stray bytes) */
static size_t seqlen(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

int az_ics_line(struct az_buf *b, const char *line)
{
    size_t len = strlen(line), pos = 0, room = 75;
    int r;

    while (pos < len) {
        size_t n = 0;
        while (pos + n < len) {
            size_t k = seqlen((unsigned char)line[pos + n]);
            if (pos + n + k > len)
                k = len - pos - n;
            if (n + k > room)
                break;
            n += k;
        }
        if ((r = az_buf_add(b, line + pos, n)) < 0)
            return r;
        pos += n;
        if (pos < len && (r = az_buf_puts(b, "\r\n ")) < 0)
            return r;
        room = 74; /* the leading space counts */
    }
    return az_buf_puts(b, "\r\n");
}
