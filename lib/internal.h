/* SPDX-License-Identifier: MIT */
/*
 * internal.h - helpers shared inside libanzen only (not installed).
 *
 * The schema checker ("av_") walks a az_doc tree and collects errors of the
 * form "file:line:col: message", up to a maximum, so one run shows every
 * problem of a file.
 */
#ifndef ANZEN_INTERNAL_H
#define ANZEN_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>

#include "anzen/anzen.h"
#include "anzen/catalog.h"
#include "anzen/doc.h"
#include "anzen/util.h"

struct av {
    struct az_ctx *ctx;
    const struct az_doc *doc;
    struct az_buf errs;
    int nerr;
    int max;
    int code; /* AZ_E* for the first error */
};

void av_init(struct av *v, struct az_ctx *ctx, const struct az_doc *doc, int max);
/* Record an error at node (or at key of node when key is non-NULL). */
void av_err(struct av *v, const json_t *node, const char *key, const char *ja, const char *en, ...)
    __attribute__((format(printf, 4, 6), format(printf, 5, 6)));
/* Report unknown keys of obj (allowed is NULL-terminated). what names the
 * object in messages. Returns false when obj is not a mapping. */
bool av_object(struct av *v, const json_t *obj, const char *const *allowed, const char *what);
/* Check a file's top-level mapping: known keys only, and `version_key: 1`.
 * Returns false (with errors recorded) when the rest should not be read. */
bool av_header(struct av *v, const json_t *root, const char *const *allowed, const char *what,
               const char *version_key);
/* A string scalar, or NULL (error when required and missing/wrong type). */
const char *av_str(struct av *v, const json_t *obj, const char *key, bool required);
/* {ja, en}, both non-empty. */
bool av_text(struct av *v, const json_t *obj, const char *key, bool required, struct az_text *out);
/* A sequence (NULL when absent and not required). */
json_t *av_list(struct av *v, const json_t *obj, const char *key, bool required);
/* A list of strings into a NULL-free array (allocated, caller frees). */
const char **av_strlist(struct av *v, const json_t *obj, const char *key, bool required,
                        size_t *ret_n);
/* true/false/yes/no/はい/いいえ. */
bool av_bool(struct av *v, const json_t *obj, const char *key, bool dflt);
/* Date YYYY-MM-DD (or any az_date_parse form). */
bool av_date(struct av *v, const json_t *obj, const char *key, bool required, struct az_date *out);
/* Finish: returns 0, or the first error code with all messages in ctx. */
int av_finish(struct av *v);

/* True if s is a valid OSCAL token (ASCII letters, digits, . _ -). */
bool az_is_token(const char *s);

/* Embedded files generated at build time. */
extern const struct az_file_blob az_embedded_catalogs[];
extern const size_t az_embedded_catalogs_n;
extern const struct az_file_blob az_embedded_demo[];
extern const size_t az_embedded_demo_n;

#endif
