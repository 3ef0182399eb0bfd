/* SPDX-License-Identifier: MIT */
/*
 * buf.c - bounded growable buffer. Every buffer has a maximum so that no
 * input can make anzen allocate without limit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/util.h"

void az_buf_init(struct az_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void az_buf_done(struct az_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

static int buf_reserve(struct az_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > b->max || b->len > b->max - extra)
        return AZ_ERANGE;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p)
        return AZ_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int az_buf_add(struct az_buf *b, const void *p, size_t n)
{
    int r = buf_reserve(b, n);

    if (r < 0)
        return r;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int az_buf_puts(struct az_buf *b, const char *s)
{
    return az_buf_add(b, s, strlen(s));
}

int az_buf_printf(struct az_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, r;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return AZ_EINVAL;
    r = buf_reserve(b, (size_t)n);
    if (r < 0)
        return r;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *az_buf_take(struct az_buf *b)
{
    char *p = b->data;

    if (!p) {
        p = malloc(1);
        if (p)
            p[0] = '\0';
        return p;
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

int az_strf(char **dst, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    free(*dst);
    *dst = n < 0 ? NULL : s;
    return n < 0 ? AZ_ENOMEM : 0;
}

char *az_fmt(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}
