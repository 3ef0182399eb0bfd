/* SPDX-License-Identifier: MIT */
/*
 * due.h - what falls due and when: one computation for `anzen calendar`
 * (the .ics reminders), the "next 30 days" of `anzen status` and the web
 * dashboard.
 *
 * Sources: every open plan track's due date; the next cycle of each
 * recurring duty from the records (records.h: 12 months after the last
 * restore drill, BCP and contact-chart review, or the reference date when
 * there is none; training by the end of the fiscal year); the FY2027 two-
 * factor rule (keypoints.h AZ_MFA_REFERENCE) while systems lack it; the
 * yearly renewal of each vendor's 事業者確認用; the next fiscal year's
 * checklist.
 *
 * A failed restore drill (or a failed offline-backup check) is not a
 * finished cycle: the next one falls due AZ_DUE_REDO_DAYS after the failure
 * (so it shows in status's next 30 days at once, and is overdue after).
 */
#ifndef ANZEN_DUE_H
#define ANZEN_DUE_H

#define AZ_DUE_REDO_DAYS 30

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "anzen.h"
#include "date.h"
#include "plan.h"
#include "profile.h"
#include "records.h"
#include "vendor.h"
#include "util.h"

struct az_due {
    struct az_date date;
    const char *kind; /* "plan", "drill", "bcp", "contacts", "training", "mfa",
                         "vendor-form", "checklist" */
    char *subject;    /* item label, system ID or "institution" */
    char *ja, *en;    /* one line: what is due */
    char *uid;        /* stable across runs: kind-subject-date@anzen */
    bool overdue;     /* date before the reference date */
};

struct az_dues {
    struct az_due *v; /* by date, then kind, then subject */
    size_t n;
};

/* plan may be NULL, recs may be NULL. */
int az_due_compute(struct az_ctx *ctx, const struct az_profile *p, const struct az_plan *plan,
                   const struct az_records *recs, struct az_date as_of, struct az_dues *ret);
/* The same, knowing which vendor forms are held (their newest 確認日 as
 * the date received, workspace.h az_ws_vendor_held): a system whose form
 * was not received in the current fiscal year has this year's request due
 * from April 1st (overdue after) as well as next year's. az_due_compute
 * knows of none received. */
int az_due_compute_held(struct az_ctx *ctx, const struct az_profile *p, const struct az_plan *plan,
                        const struct az_records *recs, struct az_date as_of,
                        const struct az_vendor_form_held *held, size_t nheld, struct az_dues *ret);
void az_dues_free(struct az_dues *d);
/* The dues dated on or before as_of + days (overdue ones included), as a
 * JSON array [{date, kind, subject, ja, en, overdue}]. NULL on ENOMEM. */
json_t *az_dues_json(const struct az_dues *d, struct az_date as_of, int days);

/* The dues as an iCalendar (RFC 5545) document: one all-day VEVENT
 * (VALUE=DATE) per due with UID, DTSTAMP (as_of 00:00:00Z, so the same
 * input gives the same bytes), SUMMARY and DESCRIPTION in lang; CRLF line
 * ends, lines folded at 75 octets on UTF-8 boundaries. New string, NULL
 * on ENOMEM. */
char *az_dues_ics(const struct az_dues *d, struct az_date as_of, enum az_lang lang);

/* RFC 5545 helpers (lib/util/ics.c). */
/* Append s escaped as TEXT (\\ \; \, and newlines as \n). */
int az_ics_escape(struct az_buf *b, const char *s);
/* Append one content line folded at 75 octets (never inside a UTF-8
 * sequence; continuation lines begin with a space) and CRLF. */
int az_ics_line(struct az_buf *b, const char *line);

#endif
