/* SPDX-License-Identifier: MIT */
/*
 * ctx.c - the error context: last error code and a message in the user's
 * language. Library code reports through this instead of printing.
 */
#include <stdio.h>
#include <string.h>

#include "anzen/anzen.h"

void az_ctx_init(struct az_ctx *ctx, enum az_lang lang)
{
    ctx->lang = lang;
    ctx->err = 0;
    ctx->errmsg[0] = '\0';
}

const char *az_errmsg(const struct az_ctx *ctx)
{
    return ctx->errmsg;
}

/*
 * A message longer than the buffer ends with "…" after the last whole
 * UTF-8 character that fits: never half a character, and the reader sees
 * it was shortened. buf holds a NUL-terminated string of at most size-1
 * bytes, of which the first `want` bytes were meant to be there.
 */
static void cut_whole(char *buf, size_t size, size_t want)
{
    static const char ell[] = "\xe2\x80\xa6"; /* … */
    if (want < size)
        return;
    size_t n = size - sizeof(ell); /* room for "…" and the NUL */
    /* back off continuation bytes to the start of a character */
    while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf + n, ell, sizeof(ell)); /* includes the NUL */
}

int az_fail(struct az_ctx *ctx, int code, const char *fmt_ja, const char *fmt_en, ...)
{
    va_list ap;

    va_start(ap, fmt_en);
    int w =
        vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), ctx->lang == AZ_LANG_EN ? fmt_en : fmt_ja, ap);
    va_end(ap);
    if (w < 0)
        ctx->errmsg[0] = '\0';
    else
        cut_whole(ctx->errmsg, sizeof(ctx->errmsg), (size_t)w);
    ctx->err = code;
    return code;
}

void az_err_prefix(struct az_ctx *ctx, const char *prefix)
{
    char tmp[AZ_ERRMSG_MAX];
    int w = snprintf(tmp, sizeof(tmp), "%s: %s", prefix, ctx->errmsg);
    if (w < 0)
        return;
    cut_whole(tmp, sizeof(tmp), (size_t)w);
    memcpy(ctx->errmsg, tmp, sizeof(tmp));
}
