/* SPDX-License-Identifier: MIT */
/*
 * report_load.h - everything a report shows, loaded once (cmd_report.c):
 * the profile and its evaluation, the vendor forms, the plan with the
 * workspace's decisions and the ledger's findings, the key points, the
 * ledger and the vendor registry. Used by report, demo and vendor pack.
 */
#ifndef ANZEN_REPORT_LOAD_H
#define ANZEN_REPORT_LOAD_H

#include "anzen/report.h"
#include "cli.h"

struct report_paths {
    const char *profile, *answers, *workspace;
    const char *ledger;  /* NULL: ledger.csv next to the profile, if present */
    const char *vendors; /* NULL: vendors.yaml next to the profile, if present */
    const char *edition; /* NULL: the default */
    const char *scan;    /* NULL: scan.json next to the profile, if present */
};

struct report_data {
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    struct vendor_sum *vs;
    size_t nvs;
    struct az_plan *plan;
    json_t *keypoints, *ledger_check, *vendor_check;
    json_t *scan;  /* the network check (anzen-scan/1), or NULL */
    json_t *extra; /* extra report sections (the network check) */
    struct az_ledger *ledger;
    struct az_vendors *vendors;
    struct az_report_vendor *vforms;
    struct az_report_input in; /* points into the above */
};

/* Load everything; prints errors. 0 or an exit code. */
int report_load(struct cli *c, const struct report_paths *rp, struct report_data *rd);
/* The same with the plan decisions given (the web UI reads them from its
 * open store) instead of read from rp->workspace. */
int report_load_with(struct cli *c, const struct report_paths *rp,
                     const struct az_plan_state *states, size_t nstates, struct report_data *rd);
void report_data_free(struct report_data *rd);

/* Print html to pdf_path with headless Chromium, explaining how to get
 * it when it is missing. 0 or an exit code. */
int report_pdf(struct cli *c, const char *html, size_t len, const char *pdf_path);

#endif
