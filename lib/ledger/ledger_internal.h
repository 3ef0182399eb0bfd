/* SPDX-License-Identifier: MIT */
/*
 * ledger_internal.h - the ledger vocabulary (vocab.c) inside libanzen.
 */
#ifndef ANZEN_LEDGER_INTERNAL_H
#define ANZEN_LEDGER_INTERNAL_H

#include <stdbool.h>

#include "anzen/doc.h"
#include "anzen/ledger.h"

/*
 * Text folded for matching, NFKC-like for what ledgers hold: full-width
 * ASCII and the ideographic space to ASCII, half-width katakana (with
 * their voiced marks) to full-width, dashes to "-", "№" to "no", ASCII
 * lower case; with strip, also without spaces, line breaks and
 * punctuation. Returns a new string or NULL on ENOMEM.
 */
char *az_ledger_fold(const char *in, bool strip);
/* Only the width folded (case, spaces and punctuation kept). */
char *az_ledger_fold_width(const char *in);

struct az_ledger_vocol {
    const char *field, *ja, *en;
    int core;     /* enum az_ledger_col, or -1 for a recognised extra */
    char **names; /* folded: field, ja, en, aliases */
    size_t nnames;
};

struct az_ledger_vokind {
    const char *id, *ja, *en;
    enum az_asset_kind cls;
    char **words, **contains; /* folded */
    size_t nwords, ncontains;
};

enum az_admin_class {
    AZ_ADMIN_NONE,
    AZ_ADMIN_INHOUSE,
    AZ_ADMIN_VENDOR,
};

/* An OS whose support has ended or ends (os-support-end): for ledgers
 * without a support-end column. */
struct az_ledger_vo_os {
    const char *name;
    char **match, **unless; /* folded, stripped */
    size_t nmatch, nunless;
    struct az_date end;
};

struct az_ledger_vocab {
    struct az_doc *doc;
    struct az_ledger_vocol *cols;
    size_t ncols;
    struct az_ledger_vokind *kinds;
    size_t nkinds;
    char **remote, **remote_word, **weak, **weak_word;
    size_t nremote, nremote_word, nweak, nweak_word;
    char **blank, **inhouse_prefix, **inhouse, **vendor;
    size_t nblank, ninhouse_prefix, ninhouse, nvendor;
    char **role; /* folded, not stripped: 担当, 係, 長 (a role before a name) */
    size_t nrole;
    struct az_ledger_vo_os *os;
    size_t nos;
};

/* data NULL: the embedded vocabulary. */
int az_ledger_vocab_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                         struct az_ledger_vocab **ret);
void az_ledger_vocab_free(struct az_ledger_vocab *v);
/* The embedded vocabulary, loaded once per process and never freed; NULL
 * (error in ctx) when it cannot be loaded. */
const struct az_ledger_vocab *az_ledger_vocab_shared(struct az_ctx *ctx);
/* Index into v->cols of a folded header, or -1. */
int az_ledger_vocab_column(const struct az_ledger_vocab *v, const char *folded);
/* Index into v->cols of a field token, or -1. */
int az_ledger_vocab_field(const struct az_ledger_vocab *v, const char *field);
/* The kind a kind cell names, or NULL. */
const struct az_ledger_vokind *az_ledger_vocab_kind(const struct az_ledger_vocab *v,
                                                    const char *text);
/* The remote-access product word text contains, or NULL; with weak, also
 * the words of routers that only often carry a VPN. */
const char *az_ledger_vocab_remote(const struct az_ledger_vocab *v, const char *text, bool weak);
/* The OS support end the text (an OS cell) names, or NULL; the first
 * entry that matches wins. */
const struct az_ledger_vo_os *az_ledger_vocab_os(const struct az_ledger_vocab *v, const char *text);
/* How an administrator cell reads (before the vendor registry). */
enum az_admin_class az_ledger_vocab_admin(const struct az_ledger_vocab *v, const char *text);

#endif
