/* SPDX-License-Identifier: MIT */
/*
 * hint.c - help at every step of the anzen command: "did you mean" for
 * mistyped commands and subcommands (Damerau-Levenshtein, like git), the
 * "次に:" line suggesting the next command, and the accepted date forms
 * every error about a date names.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *cli_date_forms(struct cli *c)
{
    return L(c, "2026-03-31、2026/3/31、2026年3月31日、令和8年3月31日、R8.3.31",
             "2026-03-31, 2026/3/31, 2026年3月31日, 令和8年3月31日, R8.3.31");
}

int cli_unknown_command(struct cli *c, const char *word, const char *const *names, size_t n)
{
    const char *s = az_suggest(word, names, n);

    cli_err(c, "未知のコマンド \"%s\" (anzen --help で一覧)",
            "unknown command \"%s\" (see anzen --help)", word);
    if (s)
        fprintf(stderr, L(c, "もしかして: anzen %s\n", "did you mean: anzen %s\n"), s);
    return EXIT_USAGE;
}

int cli_check_subcommand(struct cli *c, const char *cmd, const char *const *subs, int argc,
                         char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    size_t n = 0;

    if (!subs || !sub || sub[0] == '-')
        return 0;
    while (subs[n]) {
        if (!strcmp(subs[n], sub))
            return 0;
        n++;
    }
    {
        const char *s = az_suggest(sub, subs, n);
        cli_err(c, "%s のサブコマンド \"%s\" は不明です", "unknown %s subcommand \"%s\"", cmd, sub);
        if (s)
            fprintf(stderr, L(c, "もしかして: anzen %s %s\n", "did you mean: anzen %s %s\n"), cmd,
                    s);
        fprintf(stderr, "%s", L(c, "使えるサブコマンド:", "subcommands:"));
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "%s%s", i ? " / " : " ", subs[i]);
        fprintf(stderr, L(c, " (anzen help %s で使い方)\n", " (see anzen help %s)\n"), cmd);
    }
    return EXIT_USAGE;
}

void cli_next(struct cli *c, const char *ja, const char *en)
{
    fflush(stdout);
    fprintf(stderr, "%s %s\n", L(c, "次に:", "next:"), L(c, ja, en));
}
