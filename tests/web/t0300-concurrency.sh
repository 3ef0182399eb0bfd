#!/bin/sh
# SPDX-License-Identifier: MIT
# Parallel writers through `anzen serve` (issue 11): two signed-in browsers
# and the CLI save answers and plan changes at the same moment; no change is
# lost, every POST is answered 303, the change log agrees with the final
# state, the server's cached view is fresh after CLI writes, hand edits and
# ledger imports, and the server's stderr stays quiet
# (tests/web/concurrency.py). ROUNDS (default 100) per scenario.
. "$(dirname "$0")/lib.sh"
SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
"$ANZEN" demo -o "$W/ws" >/dev/null 2>"$W/demo.err" || {
    echo "Bail out! anzen demo failed: $(head -1 "$W/demo.err")"
    exit 1
}
start_server "$W/ws"
# what the server says when it starts (setup code, fingerprint, address)
sleep 0.2
startup=$(wc -l <"$W/ws/stderr.log")
ANZEN="$ANZEN" ROUNDS="${ROUNDS:-100}" python3 "$SRC/tests/web/concurrency.py" "$PORT" "$W/ws" \
    "$SETUP_CODE" >"$W/tap" 2>"$W/py.err"
rc=$?
alive=yes
kill -0 "$SERVER_PID" 2>/dev/null || alive=no
stop_server
# the TAP plan moves to the end, after the server's own checks
grep -v '^1\.\.' "$W/tap"
n=$(grep -c '^\(not \)\?ok ' "$W/tap")
if [ -s "$W/py.err" ]; then
    n=$((n + 1))
    echo "not ok $n - the driver ran to the end"
    tail -5 "$W/py.err" | sed 's/^/#   /'
    rc=1
fi
n=$((n + 1))
if [ "$alive" = yes ]; then echo "ok $n - the server is still running after the races"; else
    echo "not ok $n - the server died during the races"
    rc=1
fi
n=$((n + 1))
extra=$(tail -n +"$((startup + 1))" "$W/ws/stderr.log")
if [ -z "$extra" ]; then echo "ok $n - the server's stderr has nothing beyond its $startup start-up lines"; else
    echo "not ok $n - the server printed to stderr during the races"
    echo "$extra" | head -10 | sed 's/^/#   /'
    rc=1
fi
n=$((n + 1))
if grep -qi 'database is locked\|ロック' "$W/ws/stderr.log" "$W/ws/stdout.log"; then
    echo "not ok $n - \"database is locked\" in the server's output"
    rc=1
else echo "ok $n - no \"database is locked\" in the server's output"; fi
echo "1..$n"
exit $rc
