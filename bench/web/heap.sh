#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/web/heap.sh: where the memory of `anzen serve` goes with a large
# ledger. Runs the server under heaptrack (or valgrind massif with
# TOOL=massif) on a workspace of N assets (default 12,000: the figures
# scale with N), signs in, asks for every page twice, saves an answer
# (the view is rebuilt) and asks again, then stops the server and prints
# the top allocation sites at the peak and still held at the end.
#     bench/web/heap.sh [N]       (after make; output file in $OUT or /tmp)
set -eu
cd "$(dirname "$0")/../.."
ANZEN=${ANZEN:-$PWD/build/src/cli/anzen}
N=${1:-12000}
TOOL=${TOOL:-heaptrack}
W=$(mktemp -d "${TMPDIR:-/tmp}/anzen-heap.XXXXXX")
OUT=${OUT:-$W}
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    [ "$OUT" = "$W" ] || rm -rf "$W"
}
trap cleanup EXIT INT TERM
export ANZEN_TODAY=2025-11-24
"$ANZEN" demo -o "$W/ws" >/dev/null
python3 bench/web/gen-ledger.py "$N" "$W/in.csv"
(cd "$W/ws" && "$ANZEN" ledger import --skip-bad-rows "$W/in.csv" >/dev/null 2>&1)
case $TOOL in
heaptrack) (cd "$W/ws" && exec heaptrack -o "$OUT/heap" "$ANZEN" serve --port 0 --ready-file port >out.log 2>err.log) & ;;
massif) (cd "$W/ws" && exec valgrind --tool=massif --massif-out-file="$OUT/massif.out" "$ANZEN" serve --port 0 --ready-file port >out.log 2>err.log) & ;;
*) echo "TOOL: heaptrack or massif" >&2; exit 2 ;;
esac
PID=$!
while [ ! -s "$W/ws/port" ]; do sleep 0.2; done
PORT=$(cat "$W/ws/port")
CODE=$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$W/ws/err.log")
COOKIE=$(python3 bench/web/session.py "$PORT" "$CODE")
for p in / /plan /ledger /ledger?page=20 / /plan /ledger /audit; do
    curl -sk -o /dev/null -b "$COOKIE" "https://127.0.0.1:$PORT$p"
done
# a change to the workspace (the profile's mtime): the view is rebuilt
touch "$W/ws/profile.yaml"
for p in / /plan /ledger; do
    curl -sk -o /dev/null -b "$COOKIE" "https://127.0.0.1:$PORT$p"
done
# heaptrack is a shell script: the server is its child
SRV=$(pgrep -P "$PID" -x anzen || echo "$PID")
grep VmHWM "/proc/$SRV/status" || true
kill -INT "$SRV"
wait "$PID" 2>/dev/null || true
PID=""
echo "output in $OUT"
