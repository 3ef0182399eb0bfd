/* SPDX-License-Identifier: MIT */
/*
 * oscal.h - export an evaluation as an OSCAL 1.0.4 assessment-results
 * document and a plan as an OSCAL 1.0.4 plan-of-action-and-milestones.
 *
 * Catalog items are the controls (their IDs are OSCAL tokens), answers are
 * observations, per-item states are findings, plan items are POA&M items.
 * UUIDs are name-based (RFC 4122 version 5) from the institution, edition,
 * form, system and item, so the same objects keep the same UUIDs across
 * runs. Timestamps come from the evaluation's as-of date (00:00 JST), so
 * the output is reproducible.
 *
 * Ownership: both functions return a new JSON reference, or NULL on ENOMEM.
 */
#ifndef ANZEN_OSCAL_H
#define ANZEN_OSCAL_H

#include <jansson.h>

#include "assess.h"
#include "plan.h"

#define AZ_OSCAL_VERSION "1.0.4"

json_t *az_oscal_assessment_results(const struct az_eval *e);
json_t *az_oscal_poam(const struct az_plan *p);

/* Name-based UUID (version 5, SHA-1) in anzen's namespace; out holds 37
 * bytes. */
void az_uuid5(const char *name, char out[37]);

#endif
