/* SPDX-License-Identifier: MIT */
/*
 * audit.h - the host audit (anzen audit): checks of what is configured on
 * a Linux server or a Windows PC, written as data (data/audit/ (YAML),
 * embedded), evaluated by one engine.
 *
 * A rule has an id, a title, a rationale and a remediation (ja/en), the
 * checklist topics it supports (the same as "audit.<id>" in
 * data/rules/rules.yaml), a platform (linux, windows), a level and a
 * condition. Conditions combine with all / any / none / not and test:
 *   file:     one path or glob, or a list (read relative to the root)
 *   dir:      the entries of a directory
 *   command:  the output of a program (never run under --root: the
 *             condition is unknown there, or its `fallback:` is used)
 *   process:  the names in /proc/<pid>/comm
 *   json:     a path into the Windows collector's JSON (users[].name)
 *   registry: a value the collector read (HKLM\...\USBSTOR\Start)
 * with `line` (extended regex), `except`, `count: ">= 1"`, `value:`
 * (numeric "<= 90", text "== persistent", regex "~ ^yes$" / "!~ ..."),
 * `age: "<= 35"` (days since the newest file changed), `capture-age`
 * (the newest change under the path the line captured), `where:` (filter
 * elements of a JSON array) and `missing: pass|fail|unknown`.
 *
 * Each result is pass, fail or unknown (could not be checked: no root,
 * a command skipped under --root, a value the collector did not get);
 * all/any/none use three-valued logic, so an unknown is never a pass.
 * The engine only reads: it opens files, lists directories and runs the
 * read-only commands the rules name.
 */
#ifndef ANZEN_AUDIT_H
#define ANZEN_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "anzen.h"
#include "date.h"

enum az_audit_result {
    AZ_AUDIT_PASS,
    AZ_AUDIT_FAIL,
    AZ_AUDIT_UNKNOWN,
    AZ_AUDIT_NA, /* the rule does not apply to this host */
};

struct az_audit_rules;

/* The embedded rules (data/audit/ (YAML)), validated. */
int az_audit_rules_builtin(struct az_ctx *ctx, struct az_audit_rules **ret);
/* Rules from one file's bytes (name for messages). Every problem is
 * reported as name:line:col. */
int az_audit_rules_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                        struct az_audit_rules **ret);
void az_audit_rules_free(struct az_audit_rules *r);
size_t az_audit_rules_count(const struct az_audit_rules *r);
/* The i-th rule as a JSON object (borrowed): id, title{ja,en},
 * rationale, remediation, topics[], platform, level, check. */
const json_t *az_audit_rule_at(const struct az_audit_rules *r, size_t i);
const json_t *az_audit_rule_find(const struct az_audit_rules *r, const char *id);

/* What is audited. */
struct az_audit_src {
    const char *root;     /* Linux: "/" for this machine, or a prepared tree */
    bool commands;        /* may run the rules' commands (false under --root) */
    const json_t *facts;  /* Windows: the collector's JSON (anzen-collect/1) */
    long long now;        /* seconds since the epoch, for ages */
    const char *platform; /* "linux" or "windows" */
};

/* Evaluate one condition (for tests): the result, with the raw values it
 * saw appended to evidence (an array, may be NULL). */
enum az_audit_result az_audit_eval(const struct az_audit_src *src, const json_t *cond,
                                   json_t *evidence);

/*
 * Run every rule of src->platform. Returns {schema: "anzen-audit/1",
 * platform, host: {name, ips[], macs[], os?}, audited (date), root?,
 * results: [{id, result, level, title, topics, evidence[]}], counts,
 * findings: [...]} where each failing rule is a finding "audit.<id>"
 * about the host (finding.h). as_of is the date written.
 */
int az_audit_run(struct az_ctx *ctx, const struct az_audit_rules *rules,
                 const struct az_audit_src *src, struct az_date as_of, json_t **ret);

/* Check an imported collector document (anzen-collect/1): shape and types
 * of what the rules read. Errors name the JSON path. */
int az_audit_facts_check(struct az_ctx *ctx, const char *name, const json_t *facts);

const char *az_audit_result_token(enum az_audit_result r);

/*
 * Exceptions (audit-exceptions.yaml in the workspace):
 *   exceptions:
 *     - {host: PC-03, rule: win.usb-storage, reason: ..., owner: ..., expires: 2027-03-31}
 * Applied to a result document: a failing result with a live exception
 * becomes "excepted" (kept out of the findings, listed under
 * "exceptions"); an expired one stays a failure and says so.
 */
int az_audit_exceptions_load(struct az_ctx *ctx, const char *path, json_t **ret);
int az_audit_apply_exceptions(struct az_ctx *ctx, json_t *result, const json_t *exceptions,
                              struct az_date as_of);

/* The workspace's audit results: every audit/HOST.json of dir, exceptions
 * applied (dir/audit-exceptions.yaml when present), joined to the ledger
 * (asset names by host name, IP or MAC; a host not in the ledger gets the
 * finding audit.not-in-ledger). *ret is an array (empty when none). */
struct az_ledger;
int az_audit_workspace(struct az_ctx *ctx, const char *dir, const struct az_ledger *ledger,
                       struct az_date as_of, json_t **ret);
/* All findings of such an array, and the report section (per-host table,
 * 2FA by host and system for the FY2027 deadline). */
json_t *az_audit_findings(const json_t *hosts);
struct az_catalog;
struct az_edition;
json_t *az_audit_section(enum az_lang lang, const struct az_catalog *cat,
                         const struct az_edition *ed, const json_t *hosts, const json_t *keypoints);

/* The Windows collector script (data/audit/collect.ps1), UTF-8 with BOM. */
const char *az_audit_collector(size_t *ret_len);

#endif
