/* SPDX-License-Identifier: MIT */
/*
 * procure.h - security requirements for a system about to be bought (the
 * guideline's step ④): what to write into the tender and the contract.
 *
 * Each requirement cites the checklist items and guideline sections it
 * rests on, taken from the catalog (the checklist items by topic in the
 * default edition, so the citations follow new editions). The features
 * that tend to be sold as options and then dropped to save money (MFA,
 * encryption of stored data and of LAN traffic) are marked as standard
 * features to be included in the price.
 *
 * Requirements depend on the system: remote maintenance adds the rules for
 * the maintenance device (who administers and patches it) and for the
 * connection; a cloud service adds data location, return and deletion;
 * an introduction on or after 2027-04-01 makes MFA a legal precondition.
 *
 * Document: anzen-procure/1 (docs/procure.md). Ownership: new references.
 */
#ifndef ANZEN_PROCURE_H
#define ANZEN_PROCURE_H

#include <jansson.h>

#include "catalog.h"
#include "date.h"
#include "util.h"

struct az_procure_spec {
    const char *institution; /* may be NULL */
    const char *system_id;   /* may be NULL: a new system */
    const char *system_name;
    bool cloud;
    bool remote_maintenance;
    bool pharmacy; /* cite the pharmacy form's items */
    bool has_introduce;
    struct az_date introduce; /* planned introduction or renewal */
    int log_years;            /* access-log retention the institution asks for */
};

#define AZ_PROCURE_SCHEMA "anzen-procure/1"

/* The requirements for spec at as_of, in language lang (NULL on ENOMEM). */
json_t *az_procure_model(const struct az_catalog *cat, const struct az_procure_spec *spec,
                         struct az_date as_of, enum az_lang lang);
/* The same as a printable HTML document (ctx->lang). */
int az_procure_html(struct az_ctx *ctx, const struct az_catalog *cat,
                    const struct az_procure_spec *spec, struct az_date as_of, struct az_buf *out);
/* The same as a workbook (one sheet, A4 landscape, header repeated). */
int az_procure_xlsx(struct az_ctx *ctx, const struct az_catalog *cat,
                    const struct az_procure_spec *spec, struct az_date as_of, const char *path);

/* Check that every citation of the requirement table resolves in cat
 * (used by the tests; a catalog change that breaks one is caught). */
int az_procure_check_refs(struct az_ctx *ctx, const struct az_catalog *cat);

#endif
