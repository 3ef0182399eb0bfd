/* SPDX-License-Identifier: MIT */
/*
 * finding.h - what every check (ledger, vendor registry, network scan,
 * host audit) reports, in one shape.
 *
 * A finding names its rule ("ledger.no-admin"), a level, a message in
 * Japanese and English, and what it is about (an asset, a host, a vendor,
 * a line of the file it came from). The checklist items it bears on are
 * not written in C: each rule lists edition-neutral topics in
 * data/rules/rules.yaml ("h:patches" = the patch item of the 医療機関確認用
 * form, whatever its number; "gl:ops-8-2" = a guideline requirement), and
 * az_topic_items() resolves a topic to the items of any edition through
 * the catalog's crosswalks. tests/unit/test_finding.c fails when a rule
 * names a topic that a supported edition cannot resolve.
 *
 * Findings travel as JSON (the checks return arrays of them, scan.json
 * stores them): az_finding_json() writes one, az_finding_read() reads one
 * back, so every consumer sees the same typed struct.
 *
 * Ownership: strings in struct az_finding are borrowed (from the caller
 * when building, from the JSON object when read); the topics array points
 * into the rule table, which lives for the whole process.
 */
#ifndef ANZEN_FINDING_H
#define ANZEN_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "anzen.h"
#include "catalog.h"

enum az_level {
    AZ_LEVEL_GAP,       /* contradicts a checklist item: goes into the plan */
    AZ_LEVEL_ATTENTION, /* worth a look; not a gap by itself */
    AZ_LEVEL_INFO,
};

struct az_finding {
    const char *rule;
    enum az_level level;
    const char *ja, *en;
    const char *const *topics; /* from the rule table */
    size_t ntopics;
    /* what it is about (each may be NULL) */
    const char *asset;  /* ledger asset name */
    const char *host;   /* network address */
    const char *vendor; /* vendor registry ID or system */
    long line;          /* line or row in the source file, 0 if none */
};

/* The rule table (embedded data/rules/rules.yaml), loaded once per
 * process (thread-safe). Returns 0 or an error in ctx. */
int az_rules_load(struct az_ctx *ctx);
/* Number of rules and the i-th rule's name and topics (after load). */
size_t az_rules_count(void);
const char *az_rule_at(size_t i, const char *const **ret_topics, size_t *ret_ntopics);

/* Start a finding of rule (topics filled from the table). AZ_EINVAL when
 * the rule is not in the table: a rule must be listed before it is used. */
int az_finding_init(struct az_ctx *ctx, struct az_finding *f, const char *rule, enum az_level level,
                    const char *ja, const char *en);
/* For the checks: az_finding_init of "<check>.<rule>" with a level token
 * ("gap", "attention"). f is always filled: a rule missing from the table
 * gets no topics and AZ_EINVAL is returned (tests/unit/test_finding.c
 * keeps every rule the checks use in the table). */
int az_finding_start(struct az_finding *f, const char *check, const char *rule, const char *level,
                     const char *ja, const char *en);
/* The JSON form: {rule, level, topics, ja, en, asset?, host?, vendor?,
 * line?}. NULL on ENOMEM. */
json_t *az_finding_json(const struct az_finding *f);
/* Read a finding back from its JSON form (borrowing from o). A finding
 * written before topics existed ({items: ["cl-r7.h.patches", ...]}) is
 * read with its item IDs turned into topics. Returns 0 or AZ_EINVAL. */
int az_finding_read(const json_t *o, struct az_finding *ret, const char **topics_buf,
                    size_t topics_max);

const char *az_level_token(enum az_level l);
/* "gap", "attention", "info"; -1 if unknown. */
int az_level_parse(const char *s);

/*
 * Resolve topic ("h:patches", "gl:ops-8-2") to the items of edition ed.
 * form_id, when not NULL, replaces the topic's form for checklist topics
 * ("p" for a pharmacy's plan). The item with the topic's ID in ed is
 * returned when there is one; otherwise the newest edition of the same
 * kind that has it is found and the crosswalks are followed to ed (both
 * ways), so "h:patches" reaches the three per-device patch items of
 * 令和6. "a|b" names alternatives: the items of the first that resolves
 * in ed (an item new in 令和7 that older editions cover under another
 * item: "h:mfa|h:access-rights"). A guideline topic asked of a checklist edition resolves in the
 * newest guideline edition that has it. Writes up to max items to out and returns how many it found
 * (0: the topic does not exist in ed).
 */
size_t az_topic_items(const struct az_catalog *cat, const struct az_edition *ed,
                      const char *form_id, const char *topic, const struct az_item **out,
                      size_t max);
/* Give every finding of the JSON array an "items" list: the IDs of the
 * items of ed (form_id, or the topic's own form when NULL) its topics
 * resolve to, for people and tools that read item IDs. 0 or AZ_ENOMEM. */
int az_findings_add_items(const struct az_catalog *cat, const struct az_edition *ed,
                          const char *form_id, json_t *findings);
/* The topic of an item ("cl-r7.h.patches" → "h:patches", "gl-6.0.ops-8-2"
 * → "gl:ops-8-2") into buf. */
void az_item_topic(const struct az_item *it, char *buf, size_t n);

#endif
