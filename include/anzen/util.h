/* SPDX-License-Identifier: MIT */
/*
 * util.h - small helpers shared by libanzen and its tools: a bounded
 * growable byte buffer, whole-file reading with limits and encoding checks,
 * and crash-safe file replacement (temp file, fsync, rename).
 *
 * Ownership follows anzen.h.
 */
#ifndef ANZEN_UTIL_H
#define ANZEN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "anzen.h"

/* A growable buffer that refuses to grow past max (like curl's dynbuf).
 * Always NUL-terminated after a successful append. */
struct az_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

/* Set up an empty buffer that may hold at most max bytes. */
void az_buf_init(struct az_buf *b, size_t max);
/* Free the contents; the buffer may be reused after az_buf_init. */
void az_buf_done(struct az_buf *b);
/* Append n bytes. Returns 0, AZ_ENOMEM or AZ_ERANGE (max exceeded). */
int az_buf_add(struct az_buf *b, const void *p, size_t n);
/* Append a NUL-terminated string. */
int az_buf_puts(struct az_buf *b, const char *s);
/* Append printf-style text. */
int az_buf_printf(struct az_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the data (caller frees); the buffer becomes empty. Never NULL on
 * success: an empty buffer yields "". Returns NULL only on ENOMEM. */
char *az_buf_take(struct az_buf *b);

/* Heap strings freed when they go out of scope (systemd's _cleanup_free_):
 *   AZ_AUTOFREE char *msg = NULL;
 *   az_strf(&msg, "%s: ...", name);   replaces msg with a new string
 * so messages are whole text of any length, never cut in a fixed buffer. */
static inline void az_freep(void *p)
{
    free(*(void **)p);
}
#define AZ_AUTOFREE __attribute__((cleanup(az_freep)))
/* Replace *dst (freed) by the formatted text; on ENOMEM *dst becomes NULL
 * and AZ_ENOMEM is returned. */
int az_strf(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* printf into a new string; NULL on ENOMEM. */
char *az_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Largest input file any loader accepts (profile, answers, catalog). */
#define AZ_MAX_INPUT (8u * 1024u * 1024u)

/*
 * Read a whole text file that must be UTF-8. A UTF-8 BOM is accepted and
 * skipped. Files larger than AZ_MAX_INPUT, files with NUL bytes and files
 * that are not valid UTF-8 (e.g. CP932/Shift_JIS) are rejected with a
 * message naming the file and the byte offset/line. On success *ret_data
 * (NUL-terminated, caller frees) and *ret_len are set.
 */
int az_read_text_file(struct az_ctx *ctx, const char *path, char **ret_data, size_t *ret_len);

/*
 * What a file really is, from its bytes, before any parser sees it: "xlsx",
 * "ods", "docx", "pptx", "zip", "xls" (old OLE Excel/Word), "pdf", "png",
 * "jpeg", "gzip", "sqlite", "utf16", "binary", "json", "yaml", "html",
 * "xml", "csv" or "text". az_file_type_name says it in words (ja/en).
 */
const char *az_file_type(const char *data, size_t len);
const char *az_file_type_name(const char *type, enum az_lang lang);

/*
 * Check that data is UTF-8. Returns the offset of the first bad byte, or
 * (size_t)-1 when all is well.
 */
size_t az_utf8_invalid_at(const char *data, size_t len);

/* Decode one UTF-8 sequence at s (n bytes left): its length, with the
 * code point in *cp, or 0 when the bytes are not valid UTF-8 (overlong,
 * surrogate, beyond U+10FFFF, cut short). */
size_t az_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* True if the bytes look like CP932/Shift_JIS text (used for a better
 * error message when UTF-8 is expected). */
bool az_looks_cp932(const char *data, size_t len);

/*
 * Replace path with data crash-safely: write to a temp file in the same
 * directory, fsync it, rename it over path, fsync the directory. Either the
 * old or the new content survives a crash; no half-written file remains.
 */
int az_write_file_atomic(struct az_ctx *ctx, const char *path, const char *data, size_t len);
/* The same for a file only its owner may read (0600: evidence a clinic
 * uploads, which may hold patient or staff data); always a new regular
 * file renamed over path. */
int az_write_file_private(struct az_ctx *ctx, const char *path, const char *data, size_t len);

/*
 * The same written in pieces, for output too large to build in memory
 * first: az_wfile_open decides as az_write_file_atomic does (a temp file
 * beside a regular file or a new path; devices, FIFOs and /dev/stdout
 * written in place), az_wfile_write buffers, az_wfile_commit flushes,
 * fsyncs and renames (and frees w, also on failure), az_wfile_abort
 * removes the temp file, so a failed output leaves the old file as it
 * was. After a failed write the later writes fail too; the error is set
 * once.
 */
struct az_wfile;
int az_wfile_open(struct az_ctx *ctx, const char *path, struct az_wfile **ret);
int az_wfile_write(struct az_wfile *w, const void *data, size_t len);
int az_wfile_commit(struct az_wfile *w);
void az_wfile_abort(struct az_wfile *w);

/* Checked string to long: whole string must be a decimal number within
 * [min, max]. Returns 0 or AZ_EINVAL. */
int az_parse_long(const char *s, long min, long max, long *ret);

/* Display width of a UTF-8 string in terminal columns (East Asian wide
 * characters count 2). */
size_t az_utf8_width(const char *s);

/* Text as roff for a manual page: backslashes as \e, hyphens as \- and a
 * line that starts with "." or "'" prefixed with \& (it would be a
 * request). *ret (caller frees). 0 or AZ_ENOMEM / AZ_ERANGE (over 16 MiB). */
int az_roff_escape(const char *s, char **ret);

#endif
