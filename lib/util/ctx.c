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

int az_fail(struct az_ctx *ctx, int code, const char *fmt_ja, const char *fmt_en, ...)
{
    va_list ap;

    va_start(ap, fmt_en);
    vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), ctx->lang == AZ_LANG_EN ? fmt_en : fmt_ja, ap);
    va_end(ap);
    ctx->err = code;
    return code;
}

void az_err_prefix(struct az_ctx *ctx, const char *prefix)
{
    char tmp[AZ_ERRMSG_MAX];
    size_t n = strlen(prefix);

    /* "prefix: " then as much of the old message as fits */
    if (n + 2 >= sizeof(tmp))
        n = sizeof(tmp) - 3;
    memcpy(tmp, prefix, n);
    tmp[n++] = ':';
    tmp[n++] = ' ';
    memcpy(tmp + n, ctx->errmsg, sizeof(tmp) - n - 1);
    tmp[sizeof(tmp) - 1] = '\0';
    memcpy(ctx->errmsg, tmp, sizeof(tmp));
}
