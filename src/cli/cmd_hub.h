/* SPDX-License-Identifier: MIT */
/* cmd_hub.h - what the parts of `anzen hub` share (cmd_hub.c, cmd_hub_serve.c). */
#ifndef ANZEN_CLI_CMD_HUB_H
#define ANZEN_CLI_CMD_HUB_H

#include "cli.h"

/* anzen hub serve ...: the hub's web UI and POST /api/v1/bundles */
int cli_hub_serve(struct cli *c, int argc, char **argv);
/* anzen hub user ...: the hub's accounts, scopes and associations */
int cli_hub_user(struct cli *c, int argc, char **argv);

#endif
