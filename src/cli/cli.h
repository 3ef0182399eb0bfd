/* SPDX-License-Identifier: MIT */
/*
 * cli.h - shared state and helpers of the anzen command.
 *
 * Each subcommand is `int cmd_<name>(struct cli *, int argc, char **argv)`
 * in cmd_<name>.c, registered in the table in main.c, and returns an exit
 * code: 0 ok / all satisfied, 1 error, 2 gaps found, 64 usage.
 */
#ifndef ANZEN_CLI_H
#define ANZEN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "anzen/anzen.h"
#include "anzen/assess.h"
#include "anzen/catalog.h"
#include "anzen/date.h"
#include "anzen/hint.h"
#include "anzen/profile.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

enum {
    EXIT_OK_ = 0,
    EXIT_ERROR = 1,
    EXIT_GAPS = 2,
    EXIT_USAGE = 64,
};

struct az_kev;

struct cli {
    struct az_ctx ctx;
    enum az_lang lang;
    const char *catalog_dir; /* --catalog */
    struct az_catalog *cat;  /* loaded on first use */
    struct az_kev *kev;      /* loaded on first use (cli_kev) */
    struct az_date as_of;    /* --as-of, or today */
    bool as_of_given;
    const char *dir; /* -C */
};

/* Pick the language. */
#define L(c, ja, en) ((c)->lang == AZ_LANG_EN ? (en) : (ja))

/* Print "anzen: エラー: msg" to stderr. */
void cli_err(struct cli *c, const char *ja, const char *en, ...)
    __attribute__((format(printf, 2, 4), format(printf, 3, 4)));
/* Print the library's last error message (each line prefixed). */
void cli_liberr(struct cli *c);
/* Load the catalog (embedded or --catalog). Returns 0 or prints and
 * returns EXIT_ERROR. */
int cli_catalog(struct cli *c);
/* The edition to assess against: --edition or the default checklist. */
const struct az_edition *cli_edition(struct cli *c, const char *name);

/* Check a --format value (text, json, and md when allowed); prints the
 * error. */
bool cli_format_ok(struct cli *c, const char *format, bool md);
/* Output: padded to width in terminal columns. */
void out_pad(FILE *f, const char *s, size_t width);
/* Bar of n/total, width w. */
void out_bar(FILE *f, int pct, int w);
/* Write data to path atomically, or to stdout when path is NULL/"-". */
int out_write(struct cli *c, const char *path, const char *data, size_t len);

/* Write j (taking the reference) as indented JSON plus a newline to path
 * atomically, or to stdout when path is NULL. */
int out_json(struct cli *c, const char *path, json_t *j);

/* Print findings (arrays of {level, ja, en} as the checks return them):
 * "✗" for a gap, "!" for attention, or a line saying there are none. */
void out_findings(struct cli *c, const json_t *findings);

/* Read a whole file that may be binary (an XLSX), up to 64 MiB; an empty
 * file is an error. Prints the error. */
int cli_read_binary(struct cli *c, const char *path, char **ret, size_t *ret_len);

/* Who is making a change, for the change log: $USER, else "anzen". */
const char *cli_who(void);

/* Read one line from stdin into buf (trailing newline removed). A line
 * longer than n - 1 bytes is never cut: it is read to its end and the
 * user asked to type it again. Returns false on EOF. */
bool cli_readline(struct cli *c, char *buf, size_t n);

int cmd_catalog(struct cli *c, int argc, char **argv);
int cmd_catalog_import(struct cli *c, int argc, char **argv);
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_assess(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_applicable(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
int cmd_workspace(struct cli *c, int argc, char **argv);
int cmd_history(struct cli *c, int argc, char **argv);
int cmd_plan(struct cli *c, int argc, char **argv);
int cmd_keypoints(struct cli *c, int argc, char **argv);
int cmd_diff(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_ledger(struct cli *c, int argc, char **argv);
int cmd_vendor(struct cli *c, int argc, char **argv);
int cmd_kev(struct cli *c, int argc, char **argv);
/* `anzen vendor add` (argv[0] is "add"). */
int vendor_add(struct cli *c, int argc, char **argv);

struct az_kev;
/* The KEV data in use: kev.json in the working directory, else the
 * embedded subset; loaded once and kept in c (do not free). Prints the
 * error. */
int cli_kev(struct cli *c, const struct az_kev **ret);
int cmd_serve(struct cli *c, int argc, char **argv);
struct web;
/* serve and hub serve: the TLS certificate under dir (unless --cert/--key),
 * its fingerprint told, db's secrets' modes checked, and the setup code when
 * w->st has no users. 0, or -1 with the error told. */
int cli_serve_start(struct cli *c, struct web *w, const char *dir, const char *db);
/* serve's and hub serve's numeric options: v in min..max into *ret, or
 * EXIT_USAGE with the error naming opt. */
int cli_serve_num(struct cli *c, const char *opt, const char *v, long min, long max, int *ret);
int cmd_user(struct cli *c, int argc, char **argv);
/* `anzen audit verify|log` (argv[1] is the subcommand). */
int cmd_auditlog(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_procure(struct cli *c, int argc, char **argv);
int cmd_docs(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);
int cmd_record(struct cli *c, int argc, char **argv);
int cmd_calendar(struct cli *c, int argc, char **argv);
struct az_dues;
/* What falls due (due.h) for the profile p and evaluation e: the plan with
 * the workspace's decisions, and its records. Prints errors. */
int cli_dues(struct cli *c, const struct az_profile *p, const struct az_eval *e,
             struct az_dues *ret);
/* The dues within days (and the overdue ones) as text or Markdown lines. */
char *cli_dues_text(struct cli *c, const struct az_dues *d, int days, bool md);
int cmd_audit(struct cli *c, int argc, char **argv);
struct az_plan;
int plan_add_audit(struct cli *c, struct az_plan *plan, const struct az_profile *p,
                   const char *ledger);
int cmd_submit(struct cli *c, int argc, char **argv);
int cmd_hub(struct cli *c, int argc, char **argv);

struct az_ws_files;
struct az_workspace;
/* Open the workspace (lib/workspace) of the given files with the catalog
 * and KEV data in use, printing the error. */
int cli_ws(struct cli *c, const struct az_ws_files *f, struct az_workspace **ret);

struct az_store;
/* Open a workspace, printing the error. */
int cli_open_store(struct cli *c, const char *path, struct az_store **ret);

/* Status rendering shared by status and demo. fmt: "text", "json", "md".
 * vs (may be NULL) lists the vendor forms to summarise. */
char *render_status(struct cli *c, const struct az_eval *e, const char *fmt,
                    const struct az_ws_vendor_form *vs, size_t nvs);
/* Evaluate answers (migrating them to the edition) for a loaded profile.
 * vendor_system selects that system's vendor form. */
int eval_with(struct cli *c, const struct az_profile *p, const char *answers_path,
              const char *edition, const char *vendor_system, struct az_answers **ret_a,
              struct az_eval **ret_e);
/* Load profile + answers, evaluate. */
int load_and_eval(struct cli *c, const char *profile_path, const char *answers_path,
                  const char *edition, const char *vendor_system, struct az_profile **ret_p,
                  struct az_answers **ret_a, struct az_eval **ret_e);
/* Evaluate every vendor form found next to answers_path. */
int vendor_sums(struct cli *c, const struct az_profile *p, const char *answers_path,
                const char *edition, struct az_ws_vendor_form **ret, size_t *ret_n);
struct az_ledger;
/* Check a ledger with the profile, the vendor registry at vendors (when
 * that file exists) and the KEV data in use (cli_kev), with each
 * finding's items in the default edition. Prints errors. */
int cli_ledger_check(struct cli *c, const struct az_ledger *l, const struct az_profile *p,
                     const char *vendors, int patch_days, json_t **ret);
struct az_plan;
/* Add the gaps the full ledger check finds in ledger (if it exists) to
 * plan. Prints errors. */
int plan_add_ledger(struct cli *c, struct az_plan *plan, const struct az_profile *p,
                    const struct az_eval *e, const char *ledger);
/* Add the gaps of a saved network check (anzen scan -o FILE, if it
 * exists) to plan. Prints errors. */
int plan_add_scan(struct cli *c, struct az_plan *plan, const char *scan_json);
/* vendor-<system>.yaml next to the answers file. */
void vendor_path(const char *answers_path, const char *system, char *buf, size_t n);
/* Read a saved network check (schema anzen-scan/1); *ret is NULL when
 * the file does not exist. Prints errors. */
int scan_result_load(struct cli *c, const char *path, json_t **ret);

/* Check a file's real type (az_file_type) before a parser sees it: allowed
 * is a space-separated list of types ("json yaml"); otherwise an error
 * names what the file is and what was expected. 0 or an exit code. */
int cli_file_type_ok(struct cli *c, const char *path, const char *allowed, const char *want_ja,
                     const char *want_en);

/* Help at every step (hint.c). */
/* The date forms accepted wherever a date is typed, for error messages. */
const char *cli_date_forms(struct cli *c);
/* Print the error for an unknown command, with "もしかして: anzen X" when
 * one of names is close. Returns EXIT_USAGE. */
int cli_unknown_command(struct cli *c, const char *word, const char *const *names, size_t n);
/* When argv[1] is none of subs (cmd's subcommands from the command table,
 * NULL-terminated; NULL: nothing to check) nor an option, print the error,
 * a suggestion and the list; returns EXIT_USAGE, else 0. */
int cli_check_subcommand(struct cli *c, const char *cmd, const char *const *subs, int argc,
                         char **argv);
/* "次に: <command>" on stderr, for people (never inside --format json). */
void cli_next(struct cli *c, const char *ja, const char *en);
/* The command table of main.c, for what is generated from it (cmd_meta.c:
 * manual pages, shell completion). */
size_t cli_ncommands(void);
const char *cli_command_name(size_t i);
const char *cli_command_summary(size_t i, enum az_lang lang);
int cli_command_run(struct cli *c, size_t i, int argc, char **argv);
/* The global usage (anzen --help) to f. */
void cli_print_usage(struct cli *c, FILE *f);
/* Command i's --help text in lang (run in a child process), as a new
 * string. 0 or EXIT_ERROR. */
int cli_help_text(struct cli *c, size_t i, enum az_lang lang, char **ret);
/* `anzen help --man [CMD|--list]` (argv after --man). */
int cli_help_man(struct cli *c, int argc, char **argv);
int cmd_completion(struct cli *c, int argc, char **argv);
/* `anzen __complete N WORDS...` (hidden): completion candidates. */
int cli_complete(struct cli *c, int argc, char **argv);

/* A file named explicitly with an option (-a, -w) that the command reads:
 * 0 if it exists, else an error naming the option and the path (a typo
 * must not silently mean "no answers" or a new empty database);
 * EXIT_ERROR. */
int cli_given_file(struct cli *c, const char *opt, const char *path);

/* A command's help printer: help(c, stdout) for --help, help(c, stderr)
 * after a usage error. */
typedef void cli_help_fn(struct cli *c, FILE *f);
/* The start of `anzen CMD SUB [options]...`: *sub is argv[1] and getopt
 * is reset for the options after it (argv + 1). Returns -1 to go on;
 * otherwise it has printed the help and returns the exit code: EXIT_USAGE
 * without a subcommand, 0 for --help or -h in its place. */
int cli_sub_start(struct cli *c, int argc, char **argv, cli_help_fn *help, const char **sub);
/* The end of an option switch: -h/--help prints the help to standard
 * output and returns 0; anything else (an unknown option, a missing
 * argument) prints it to standard error and returns EXIT_USAGE. */
int cli_opt_help(struct cli *c, int o, cli_help_fn *help);

#endif
