/* SPDX-License-Identifier: MIT */
/* cmd_hub.h - what the parts of `anzen hub` share (cmd_hub.c, cmd_hub_serve.c). */
#ifndef ANZEN_CLI_CMD_HUB_H
#define ANZEN_CLI_CMD_HUB_H

#include <stdbool.h>

#include "anzen/hub.h"
#include "cli.h"

/* The institution types and bed bands, for help and errors. */
#define TYPES_JA                                                                                                  \
    "hospital (病院), clinic (診療所), dental (歯科診療所), pharmacy (薬局), midwifery (助産所), " \
    "headquarters (本部)"
#define TYPES_EN "hospital, clinic, dental, pharmacy, midwifery, headquarters"
#define BANDS_JA "0 (無床), 1-19, 20-99, 100-199, 200-399, 400-499, 500+ (500床以上)、または病床数"
#define BANDS_EN "0 (no beds), 1-19, 20-99, 100-199, 200-399, 400-499, 500+, or a number of beds"

struct hub_args {
    const char *db, *out, *id, *name, *type, *pref, *beds, *group, *hq, *key, *csv, *hub_key,
        *format;
    int fy;
    bool quiet, replace_key;
};

/* anzen hub enrol: one institution (--id ...) or a CSV (--csv), in
 * cmd_hub_enrol.c */
int hub_enrol(struct cli *c, struct az_hub *h, const struct hub_args *a);

/* anzen hub serve ...: the hub's web UI and POST /api/v1/bundles */
int cli_hub_serve(struct cli *c, int argc, char **argv);
/* anzen hub user ...: the hub's accounts, scopes and associations */
int cli_hub_user(struct cli *c, int argc, char **argv);

#endif
