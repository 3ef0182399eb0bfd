/* SPDX-License-Identifier: MIT */
/*
 * audit_internal.h - shared inside lib/audit: value specs ("<= 90",
 * "== persistent", "~ ^yes$").
 */
#ifndef ANZEN_AUDIT_INTERNAL_H
#define ANZEN_AUDIT_INTERNAL_H

#include <regex.h>
#include <stdbool.h>

struct az_audit_spec {
    char op[3];
    const char *arg;
    bool numeric;
    double num;
    bool re_ok;
    regex_t re;
};

bool az_audit_spec_parse(const char *spec, struct az_audit_spec *sp);
bool az_audit_spec_match(const struct az_audit_spec *sp, const char *v);
void az_audit_spec_free(struct az_audit_spec *sp);
bool az_audit_spec_ok(const char *spec);

#include <jansson.h>
#include <stddef.h>

/* dpkg's order of two versions: -1, 0, 1. */
int az_audit_dpkg_vercmp(const char *a, const char *b);
/* Installed packages with a newer version in a security suite's list
 * under root: *ret_pending maps name -> "name installed -> candidate";
 * *ret_lists counts the security lists read. 0 or -errno (no dpkg). */
int az_audit_apt_pending(const char *root, json_t **ret_pending, size_t *ret_lists);

#endif
