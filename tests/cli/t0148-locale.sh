#!/bin/sh
# SPDX-License-Identifier: MIT
# The message language follows ANZEN_LANG, else the locale (LC_ALL, then
# LC_MESSAGES, then LANG): Japanese for ja_* and for no language at all (C,
# POSIX, C.UTF-8), English for any other named language. A bad option is
# reported by anzen in that language, never by getopt in English.
. "$(dirname "$0")/lib.sh"

# lib.sh exports ANZEN_LANG=ja for every other test; here it is the subject
lang_of() { # env assignments...; prints ja or en from "anzen nosuch"'s message
    env -u ANZEN_LANG -u LC_ALL -u LC_MESSAGES -u LANG "$@" "$ANZEN" catalog --nosuch >/dev/null 2>"$T/lerr" || :
    if grep -q 'anzen: エラー:' "$T/lerr"; then echo ja
    elif grep -q 'anzen: error:' "$T/lerr"; then echo en
    else echo "?"; cat "$T/lerr" >&2; fi
}
expect_lang() { # want, description, env...
    want=$1; what=$2; shift 2
    got=$(lang_of "$@")
    if [ "$got" = "$want" ]; then ok "$what"; else not_ok "$what (got $got)"; fi
}
expect_lang ja "no locale at all: Japanese"
expect_lang ja "LANG=C: Japanese" LANG=C
expect_lang ja "LANG=C.UTF-8: Japanese" LANG=C.UTF-8
expect_lang ja "LANG=POSIX: Japanese" LANG=POSIX
expect_lang ja "LANG=ja_JP.UTF-8: Japanese" LANG=ja_JP.UTF-8
expect_lang en "LANG=en_US.UTF-8: English" LANG=en_US.UTF-8
expect_lang en "LANG=de_DE.UTF-8: English (the only other language)" LANG=de_DE.UTF-8
expect_lang ja "LC_ALL=ja_JP.UTF-8 wins over LANG=en_US.UTF-8" LC_ALL=ja_JP.UTF-8 LANG=en_US.UTF-8
expect_lang en "LC_MESSAGES=en_GB.UTF-8 wins over LANG=ja_JP.UTF-8" LC_MESSAGES=en_GB.UTF-8 LANG=ja_JP.UTF-8
expect_lang ja "an empty LC_ALL is skipped" LC_ALL= LANG=ja_JP.UTF-8
expect_lang ja "ANZEN_LANG=ja wins over LANG=en_US.UTF-8" ANZEN_LANG=ja LANG=en_US.UTF-8
expect_lang en "ANZEN_LANG=en wins over LANG=ja_JP.UTF-8" ANZEN_LANG=en LANG=ja_JP.UTF-8

# getopt's own English complaint never appears, in either language
for l in ja en; do
    for cmd in "catalog --nosuch" "hub report --nosuch" "ledger import --nosuch" \
               "submit --nosuch" "kev --nosuch" "workspace backup --nosuch" "audit --nosuch" "user list --nosuch"; do
        # shellcheck disable=SC2086
        rc=0; ANZEN_LANG=$l "$ANZEN" $cmd >/dev/null 2>"$T/gerr" || rc=$?
        if grep -q "unrecognized option\|invalid option" "$T/gerr"; then
            not_ok "$l: anzen $cmd: getopt's own message ($(head -1 "$T/gerr"))"
        elif [ "$rc" -eq 0 ]; then
            not_ok "$l: anzen $cmd: exit 0 for a bad option"
        else
            ok "$l: anzen $cmd: refused in anzen's words"
        fi
    done
done
done_testing
