#!/bin/sh
# SPDX-License-Identifier: MIT
# meson install step: copy the generated manual pages (dist/gen-man.sh)
# into MANDIR under the install prefix (and DESTDIR).
#   dist/install-man.sh GENERATED_DIR MANDIR
set -eu
src=$1
mandir=$2
case "$mandir" in
/*) dest="${DESTDIR:-}$mandir" ;;
*) dest="$MESON_INSTALL_DESTDIR_PREFIX/$mandir" ;;
esac
for sub in man1 ja/man1; do
    mkdir -p "$dest/$sub"
    for f in "$src/$sub"/*.1; do
        install -m 0644 "$f" "$dest/$sub/"
    done
done
