/* SPDX-License-Identifier: MIT */
/*
 * keypoints.h - the guideline's key points (step ③) computed from the
 * profile: MFA readiness per system against the FY2027 (令和9年度) rule,
 * incident contact chart and cyber-attack BCP reviewed within 12 months,
 * offline/immutable backup with a restore drill within 12 months, the
 * vendor role-split agreement per system, app-to-app connections
 * (protocol, encryption, authentication) and electronic signatures
 * (certificate expiry).
 *
 * Each track has findings with a level: ok, attention or gap.
 */
#ifndef ANZEN_KEYPOINTS_H
#define ANZEN_KEYPOINTS_H

#include <jansson.h>

#include "date.h"
#include "profile.h"
#include "records.h"

/* The reference date of the 2FA rule: systems in use on it need 2FA when
 * introduced or renewed (guideline 6.0 システム運用編 14, 7.0 14⑤). */
#define AZ_MFA_REFERENCE ((struct az_date){2027, 4, 1})

enum az_kp_level {
    AZ_KP_OK,
    AZ_KP_UNRECORDED, /* nothing recorded: unknown, never good (未記録) */
    AZ_KP_ATTENTION,
    AZ_KP_GAP,
};

/*
 * Evaluate every key point of p at as_of. Returns a new JSON object
 * (schema anzen-keypoints/1): {"tracks": [{"id", "title": {ja,en}, "level",
 * "findings": [{"level", "subject", "ja", "en"}]}], "gaps": N}, or NULL on
 * ENOMEM.
 */
json_t *az_keypoints(const struct az_profile *p, struct az_date as_of);
/*
 * The same with the workspace's records (records.h, may be NULL): a record
 * wins over the profile's readiness values and its finding names its date
 * and who did it ("source": "record", "record": id); the profile is the
 * fallback ("source": "profile"). The cyber-attack BCP and the contact
 * chart need a record or review within 12 months, a restore drill a
 * successful one within 12 months (a failed or older one is a gap),
 * training one in the current fiscal year (track "training"). What
 * neither source says is level "unrecorded" (未記録), counted in
 * "unrecorded": N next to "gaps".
 */
json_t *az_keypoints_rec(const struct az_profile *p, const struct az_records *recs,
                         struct az_date as_of);

const char *az_kp_level_token(enum az_kp_level l);

#endif
