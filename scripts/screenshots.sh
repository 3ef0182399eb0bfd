#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate the screenshots in docs/img/ (referenced from README.md): the
# demo clinic's report rendered by headless Chromium, on a fixed date so
# the pictures only change when the report does.
#   scripts/screenshots.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ANZEN=$PWD/$BUILD/src/cli/anzen
CHROMIUM=${ANZEN_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -x "$ANZEN" ] || { echo "screenshots: build first (ninja -C $BUILD)" >&2; exit 1; }
[ -n "$CHROMIUM" ] || { echo "screenshots: chromium not found (apt-get install chromium)" >&2; exit 1; }
T=$(mktemp -d /tmp/anzen-shots.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ANZEN_TODAY=2025-11-24 ANZEN_LANG=ja
"$ANZEN" demo -o "$T/demo" >/dev/null
cd "$T/demo"
"$ANZEN" report --role management -o management.html 2>/dev/null
"$ANZEN" report --role planning -o planning.html 2>/dev/null
"$ANZEN" vendor pack -o pack >/dev/null
shot() { # page.html out.png height
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$T/profile" \
        --hide-scrollbars --force-device-scale-factor=1 --window-size="820,$3" \
        --screenshot="$2" "file://$T/demo/$1" >/dev/null 2>&1
}
mkdir -p "$OLDPWD/docs/img"
shot management.html "$OLDPWD/docs/img/report-management.png" 1160
shot planning.html "$OLDPWD/docs/img/report-planning.png" 1000
shot pack/letter-emr.html "$OLDPWD/docs/img/vendor-letter.png" 1000
ls -l "$OLDPWD"/docs/img/*.png
