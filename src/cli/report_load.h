/* SPDX-License-Identifier: MIT */
/*
 * report_load.h - everything a report shows, loaded once through the
 * workspace library (az_ws_load): the profile and its evaluation, the
 * vendor forms, the plan with the workspace's decisions and the findings,
 * the key points, the ledger and the vendor registry. Used by report,
 * demo and vendor pack.
 */
#ifndef ANZEN_REPORT_LOAD_H
#define ANZEN_REPORT_LOAD_H

#include "anzen/report.h"
#include "anzen/workspace.h"
#include "cli.h"

struct report_paths {
    const char *profile, *answers, *workspace;
    const char *ledger;  /* NULL: ledger.csv next to the profile, if present */
    const char *vendors; /* NULL: vendors.yaml next to the profile, if present */
    const char *edition; /* NULL: the default */
    const char *scan;    /* NULL: scan.json next to the profile, if present */
};

/* Where report and docs look by default. */
#define REPORT_PATHS_DEFAULT                                                                       \
    {                                                                                              \
        "profile.yaml", "answers.yaml", "anzen.db", NULL, NULL, NULL, NULL                         \
    }
/* The options naming what a report reads, in the option tables of report
 * and docs (with <getopt.h>); report_path_option reads them. */
#define REPORT_PATH_OPTIONS                                                                        \
    {"profile", required_argument, NULL, 'p'}, {"answers", required_argument, NULL, 'a'},          \
        {"workspace", required_argument, NULL, 'w'}, {"ledger", required_argument, NULL, 'L'},     \
        {"vendors", required_argument, NULL, 'V'},                                                 \
    {                                                                                              \
        "edition", required_argument, NULL, 'e'                                                    \
    }
/* Option o (getopt_long's return, arg its argument) into rp when it is
 * one of REPORT_PATH_OPTIONS or 'S' (--scan, which only report has): 0,
 * or EXIT_ERROR when the file given with -a or -w does not exist (error
 * printed). -1 when o is another option. */
int report_path_option(struct cli *c, int o, const char *arg, struct report_paths *rp);

/* Load everything (lib/workspace: az_ws_load); prints errors. 0 or an
 * exit code. */
int report_load(struct cli *c, const struct report_paths *rp, struct az_ws_view **ret);
/* The same with the plan decisions given instead of read from
 * rp->workspace. */
int report_load_with(struct cli *c, const struct report_paths *rp,
                     const struct az_plan_state *states, size_t nstates, struct az_ws_view **ret);

/* Print html to pdf_path with headless Chromium, explaining how to get
 * it when it is missing. 0 or an exit code. */
int report_pdf(struct cli *c, const char *html, size_t len, const char *pdf_path);

/* The evidence records of the workspace at db (az_store_evidence), *ret
 * NULL when there is no workspace. 0 or an exit code (cmd_docs.c). */
int docs_evidence(struct cli *c, const char *db, json_t **ret);
/* Write document kind (docs.h: bcp, contacts, drill, inspection) as
 * format (html, xlsx, pdf) to output (NULL: KIND.EXT). 0 or an exit code. */
int docs_write(struct cli *c, const struct report_paths *rp, const char *kind, const char *format,
               const char *output);

#endif
