#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark of `anzen serve`: wrk against the signed-in dashboard (the demo
# clinic: profile, answers, vendor forms, ledger, plan) on loopback, with
# 100 and 1000 connections. Prints p50/p99 latency, requests/s, errors, the
# server's CPU time per request (user + system: unlike latency, hardly
# moved by other load on the machine) and its resident memory (RSS now and
# peak).
#   [CONNS="100 1000"] bench/web/run.sh [SECONDS] [THREADS]     (after make)
# bench/web/compare.sh measures this build against a baseline revision in
# one run (bench/web/README.md).
set -eu
cd "$(dirname "$0")/../.."
ANZEN=${ANZEN:-$PWD/build/src/cli/anzen}
SECS=${1:-30}
THREADS=${2:-4}
CONNS=${CONNS:-100 1000}
W=$(mktemp -d "${TMPDIR:-/tmp}/anzen-bench.XXXXXX")
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
ulimit -n 4096 2>/dev/null || true
"$ANZEN" demo -o "$W/ws" >/dev/null
(cd "$W/ws" && exec "$ANZEN" serve --port 0 --ready-file port --threads "$THREADS" \
    --max-connections 1200 --per-ip 1200 >out.log 2>err.log) &
PID=$!
while [ ! -s "$W/ws/port" ]; do sleep 0.1; done
PORT=$(cat "$W/ws/port")
CODE=$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$W/ws/err.log")
COOKIE=$(python3 bench/web/session.py "$PORT" "$CODE")
echo "anzen serve (pid $PID, $THREADS threads) on 127.0.0.1:$PORT, dashboard of the demo clinic"
echo "machine: $(nproc) CPUs; wrk runs on the same machine"
printf '%-6s %10s %10s %10s %8s %10s %10s %10s\n' conns p50 p99 req/s errors cpu_ms/req rss_kb \
    peak_kb
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
for c in $CONNS; do
    t0=$(cpu)
    out=$(wrk -t 2 -c "$c" -d "${SECS}s" --timeout 10s --latency -H "Cookie: $COOKIE" \
        "https://127.0.0.1:$PORT/" 2>&1)
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    sock=$(echo "$out" | sed -n 's/.*Socket errors: \(.*\)/\1/p')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    errs="${non2xx:-0}"
    [ -n "$sock" ] && errs="$errs ($sock)"
    t1=$(cpu)
    nreq=$(echo "$out" | awk '/requests in/ {print $1}')
    cpums=$(awk -v a="$t0" -v b="$t1" -v n="$nreq" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.2f", n ? (b - a) * 1000 / hz / n : 0 }')
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
    printf '%-6s %10s %10s %10s %8s %10s %10s %10s\n' "$c" "$p50" "$p99" "$rps" "$errs" "$cpums" \
        "$rss" "$hwm"
done
