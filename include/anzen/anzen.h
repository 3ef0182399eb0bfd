/* SPDX-License-Identifier: MIT */
/*
 * anzen.h - common definitions of libanzen: result codes, the context that
 * carries the last error message, and the message language.
 *
 * Conventions, stated once for every libanzen header:
 *  - Functions that can fail return int: 0 on success, a negative AZ_E*
 *    code on failure. A human-readable message (naming the file and place
 *    where possible) is then available from az_errmsg(ctx).
 *  - Output parameters are named ret_* , come last, and are written only on
 *    success.
 *  - *_new / *_load return an object the caller owns and releases with the
 *    matching *_free, which accepts NULL. Every other function borrows.
 *  - Strings returned from an object live as long as that object.
 *  - The library never prints, never exits and owns no threads.
 */
#ifndef ANZEN_ANZEN_H
#define ANZEN_ANZEN_H

#include <stdarg.h>
#include <stddef.h>

#define AZ_VERSION "0.1.0"

/* Result codes. Stable: scripts and the CLI map them to exit codes. */
enum az_result {
    AZ_OK = 0,
    AZ_ENOMEM = -1,    /* out of memory */
    AZ_EIO = -2,       /* a file could not be read or written */
    AZ_ESYNTAX = -3,   /* malformed YAML/JSON, or not UTF-8 */
    AZ_ESCHEMA = -4,   /* well-formed input that breaks the schema */
    AZ_ENOTFOUND = -5, /* unknown ID or name */
    AZ_ERANGE = -6,    /* a value outside its limits (size, date, depth) */
    AZ_EINVAL = -7,    /* invalid argument from the caller */
};

/* Message language. Japanese is the default everywhere. */
enum az_lang {
    AZ_LANG_JA = 0,
    AZ_LANG_EN = 1,
};

/* Error context: one per thread of use. Holds the language for messages
 * and the last error. Embed it or allocate it; az_ctx_init() sets it up. */
#define AZ_ERRMSG_MAX 4096
struct az_ctx {
    enum az_lang lang;
    int err;                    /* last AZ_E* code, 0 if none */
    char errmsg[AZ_ERRMSG_MAX]; /* last message, "" if none */
};

/* Initialise ctx with the given language and no error. */
void az_ctx_init(struct az_ctx *ctx, enum az_lang lang);

/* The last error message, never NULL. */
const char *az_errmsg(const struct az_ctx *ctx);

/*
 * Record an error: code plus a message in both languages (the same
 * arguments feed both formats; the one matching ctx->lang is kept).
 * Returns code, so callers can write `return az_fail(ctx, ...)`.
 */
int az_fail(struct az_ctx *ctx, int code, const char *fmt_ja, const char *fmt_en, ...)
    __attribute__((format(printf, 3, 5), format(printf, 4, 5)));

/* Prefix the current message with "prefix: " (e.g. a file name). */
void az_err_prefix(struct az_ctx *ctx, const char *prefix);

/* Pick the string for the context's language. */
static inline const char *az_l(const struct az_ctx *ctx, const char *ja, const char *en)
{
    return ctx->lang == AZ_LANG_EN ? en : ja;
}

#endif
