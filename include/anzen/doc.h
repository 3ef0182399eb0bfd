/* SPDX-License-Identifier: MIT */
/*
 * doc.h - one loader for YAML and JSON input files.
 *
 * A document is read through libyaml (JSON through jansson when libyaml
 * cannot read it) into a jansson tree in which EVERY scalar is a string
 * (schemas decide what a string means, so YAML 1.1's yes/no/on/off and
 * sexagesimal surprises never happen). The document remembers where each
 * node and each mapping key came from, so validators can report
 * "file:line:col: message".
 *
 * Limits: nesting depth AZ_DOC_MAX_DEPTH, AZ_DOC_MAX_NODES nodes, one
 * document per file, no aliases (no billion-laughs), no duplicate keys,
 * scalar keys only.
 *
 * Ownership: az_doc_load* return an owned document (az_doc_free). The root
 * tree is borrowed from the document; json_incref it to keep it longer.
 */
#ifndef ANZEN_DOC_H
#define ANZEN_DOC_H

#include <jansson.h>

#include "anzen.h"

#define AZ_DOC_MAX_DEPTH 64
#define AZ_DOC_MAX_NODES 2000000

struct az_doc;

struct az_mark {
    int line; /* 1-based; 0 when unknown */
    int col;  /* 1-based */
};

/* Parse data (len bytes, need not be NUL-terminated) named name. */
int az_doc_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                struct az_doc **ret);
/* Read and parse a file (UTF-8 checks and size limit of az_read_text_file). */
int az_doc_load_file(struct az_ctx *ctx, const char *path, struct az_doc **ret);
void az_doc_free(struct az_doc *doc);

json_t *az_doc_root(const struct az_doc *doc);
const char *az_doc_name(const struct az_doc *doc);
/* Where a node's value starts; {0,0} if unknown. */
struct az_mark az_doc_mark(const struct az_doc *doc, const json_t *node);
/* Where the key `key` of mapping obj was written; falls back to the
 * mapping's own position. */
struct az_mark az_doc_key_mark(const struct az_doc *doc, const json_t *obj, const char *key);

#endif
