#!/bin/sh
# SPDX-License-Identifier: MIT
# The hub's web UI end to end in chromium (tests/web/hub-e2e.mjs,
# playwright-core) on a PostgreSQL server of the test's own. Needs Debian's
# chromium and `npm ci`; a missing browser fails the test.
. "${SRCDIR:?}/tests/hub/lib.sh"
if [ ! -x /usr/bin/chromium ] || [ ! -d "$SRCDIR/node_modules/playwright-core" ]; then
    echo "not ok 1 - chromium and node_modules/playwright-core are needed (scripts/deps.sh --test; npm ci)"
    echo "1..1"
    exit 1
fi
HUB_PID=
trap '[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null; pg_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
"$ANZEN" hub init >/dev/null
"$ANZEN" demo >/dev/null 2>&1
cp -r anzen-demo osaka
rm -f osaka/anzen-sign.*
(cd anzen-demo && "$ANZEN" submit --id demo1 -o "$T/b1.json" 2>/dev/null)
(cd osaka && "$ANZEN" submit --id osaka1 -o "$T/b2.json" 2>/dev/null)
"$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 --group g1 \
    --key anzen-demo/anzen-sign.pub >/dev/null
"$ANZEN" hub enrol --id osaka1 --name "なにわ病院" --type hospital --prefecture 27 --group g2 \
    --key osaka/anzen-sign.pub >/dev/null
"$ANZEN" hub enrol --id tokyo2 --name "東京二丁目歯科" --type dental --prefecture 13 \
    --key "$(head -c 32 /dev/urandom | base64)" >/dev/null
"$ANZEN" hub ingest b1.json b2.json >/dev/null
S=$T/state
hub_start
set +e
PORT=$(cat "$T/port") STATE=$S SETUP_CODE=$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$T/serve.err") \
    NODE_PATH="$SRCDIR/node_modules" node "$SRCDIR/tests/web/hub-e2e.mjs"
