#!/bin/sh
# The 記録 screen end to end in chromium (tests/web/e2e-records.mjs,
# playwright-core): wizard questions, records with evidence, errors,
# dashboard's next 30 days, viewer and CSRF refusals. Needs Debian's
# chromium and `npm ci`; a missing browser fails the test.
. "$(dirname "$0")/lib.sh"
SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ ! -x /usr/bin/chromium ] || [ ! -d "$SRC/node_modules/playwright-core" ]; then
    echo "not ok 1 - chromium and node_modules/playwright-core are needed (scripts/deps.sh --test; npm ci)"
    echo "1..1"
    exit 1
fi
start_server "$W/ws"
WS="$W/ws" NODE_PATH="$SRC/node_modules" node "$SRC/tests/web/e2e-records.mjs"
rc=$?
stop_server
exit $rc
