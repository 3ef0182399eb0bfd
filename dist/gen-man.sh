#!/bin/sh
# SPDX-License-Identifier: MIT
# Write the manual pages that the built binary makes from its command table
# and each command's --help (anzen help --man): OUTDIR/man1/*.1 (English)
# and OUTDIR/ja/man1/*.1 (Japanese), then touch STAMP.
#   dist/gen-man.sh ANZEN OUTDIR STAMP
set -eu
anzen=$1
out=$2
stamp=$3
unset ANZEN_LANG
rm -rf "$out"
mkdir -p "$out/man1" "$out/ja/man1"
for cmd in "" $("$anzen" help --man --list); do
    name=anzen${cmd:+-$cmd}
    # shellcheck disable=SC2086 # no command: the page of anzen itself
    "$anzen" --lang en help --man $cmd >"$out/man1/$name.1"
    # shellcheck disable=SC2086
    "$anzen" --lang ja help --man $cmd >"$out/ja/man1/$name.1"
done
touch "$stamp"
