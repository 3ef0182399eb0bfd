/* SPDX-License-Identifier: MIT */
/*
 * import_impl.h - what the checklist importer's files share inside
 * libanzen:
 *   import.c        the layout: sheet, columns, header and rows read into
 *                   items (catimport.h)
 *   import_match.c  the crosswalk: each item's predecessor in the
 *                   previous edition, by number and text similarity
 *   import_yaml.c   the draft edition written as catalog YAML
 */
#ifndef ANZEN_CATALOG_IMPORT_IMPL_H
#define ANZEN_CATALOG_IMPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "anzen/catalog.h"
#include "anzen/catimport.h"

/* Fold the variants forms use: full-width digits and punctuation to ASCII,
 * the many dashes to '-', U+3000 to a space; out has n bytes. */
void az_catimport_fold(const char *s, char *out, size_t n);
/* s cut to at most max characters on a UTF-8 boundary, with "…"; a new
 * string or NULL. */
char *az_catimport_shorten(const char *s, size_t max);
/* Whether the imported form (h, p, hp, v) can hold items of form f. */
bool az_catimport_form_compatible(const char *imform, const struct az_form *f);
/* An item's id without its edition and form ("h.patches"). */
const char *az_catimport_topic_of(const struct az_item *it);
/* Propose each item's predecessor in the previous edition (and apply the
 * --map links). 0 or an error code (in ctx). */
int az_catimport_propose(struct az_ctx *ctx, struct az_catimport *im,
                         const struct az_catimport_opts *o);

#endif
