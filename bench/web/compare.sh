#!/bin/sh
# SPDX-License-Identifier: MIT
# The signed-in dashboard of `anzen serve` under wrk, for this build and a
# baseline revision built in the same run (issue 11: "reported as a ratio to
# today's main measured in the same run").
#
# The baseline is checked out in a temporary `git worktree add --detach`,
# built there (meson setup + ninja src/cli/anzen, the project's default
# buildtype, as this build) and removed afterwards. Each server runs in its
# own fresh `anzen demo` workspace (the demo clinic: profile, answers,
# vendor forms, ledger, plan) on loopback with the per-address limit raised;
# the builds take turns (baseline, this build, baseline, ...) ROUNDS times,
# each turn a fresh server, and every turn is printed. Prints p50/p99
# latency, requests/s, errors and the server's CPU time per request, then
# this build / baseline as ratios of the medians, and the issue's target
# (p99 <= 20 ms, 0 errors) for this build.
#   [BASE=a27bcd6] [CONNS=100] [ROUNDS=1] bench/web/compare.sh [SECONDS] [THREADS]
# Needs wrk (not a test dependency: apt-get install wrk) and a built
# build/src/cli/anzen (or ANZEN=...).
set -eu
cd "$(dirname "$0")/../.."
SRC=$PWD
ANZEN=${ANZEN:-$SRC/build/src/cli/anzen}
BASE=${BASE:-a27bcd6}
SECS=${1:-15}
THREADS=${2:-4}
CONNS=${CONNS:-100}
ROUNDS=${ROUNDS:-1}
command -v wrk >/dev/null || {
    echo "compare.sh: wrk is needed (apt-get install wrk)" >&2
    exit 1
}
[ -x "$ANZEN" ] || {
    echo "compare.sh: $ANZEN is missing (build first: ninja -C build)" >&2
    exit 1
}
W=$(mktemp -d "${TMPDIR:-/tmp}/anzen-compare.XXXXXX")
PID=""
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    if [ -d "$W/base" ]; then
        git -C "$SRC" worktree remove --force "$W/base" 2>/dev/null || true
    fi
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
ulimit -n 4096 2>/dev/null || true

rev=$(git -C "$SRC" rev-parse --short "$BASE^{commit}")
echo "building the baseline $rev in a temporary worktree..."
git -C "$SRC" worktree add --detach "$W/base" "$rev" >/dev/null 2>&1
meson setup "$W/base/build" "$W/base" >"$W/base-setup.log" 2>&1 || {
    tail -20 "$W/base-setup.log" >&2
    exit 1
}
ninja -C "$W/base/build" -j2 src/cli/anzen >"$W/base-build.log" 2>&1 || {
    tail -20 "$W/base-build.log" >&2
    exit 1
}
BASE_ANZEN=$W/base/build/src/cli/anzen
here=$(git -C "$SRC" rev-parse --short HEAD)
git -C "$SRC" diff --quiet HEAD -- lib src include 2>/dev/null || here="$here+changes"

# measure NAME BINARY: one fresh server, one wrk run per connection count;
# appends "name conns p50_ms p99_ms rps errors cpu_ms" to $W/results
measure() {
    name=$1
    bin=$2
    ws="$W/ws-$name"
    rm -rf "$ws"
    "$bin" demo -o "$ws" >/dev/null
    (cd "$ws" && exec "$bin" serve --port 0 --ready-file port --threads "$THREADS" \
        --max-connections 1200 --per-ip 1200 >out.log 2>err.log) &
    PID=$!
    i=0
    while [ ! -s "$ws/port" ]; do
        i=$((i + 1))
        [ "$i" -lt 100 ] || {
            cat "$ws/err.log" >&2
            exit 1
        }
        sleep 0.1
    done
    port=$(cat "$ws/port")
    code=$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$ws/err.log")
    cookie=$(python3 "$SRC/bench/web/session.py" "$port" "$code")
    startup=$(wc -l <"$ws/err.log")
    for c in $CONNS; do
        t0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
        out=$(wrk -t 2 -c "$c" -d "${SECS}s" --timeout 10s --latency -H "Cookie: $cookie" \
            "https://127.0.0.1:$port/" 2>&1)
        t1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
        echo "$out" >"$W/wrk-$name-$c.txt"
        echo "$out" | awk -v name="$name" -v c="$c" -v t0="$t0" -v t1="$t1" \
            -v hz="$(getconf CLK_TCK)" '
            function ms(v) {
                if (v ~ /us$/) return v / 1000
                if (v ~ /ms$/) return v + 0
                if (v ~ /s$/) return v * 1000
                return v
            }
            $1 == "50%" { p50 = ms($2) }
            $1 == "99%" { p99 = ms($2) }
            /Requests\/sec/ { rps = $2 }
            /requests in/ { nreq = $1 }
            /Non-2xx/ { non2xx = $NF }
            /Socket errors/ {
                gsub(/,/, "")
                sock = $4 + $6 + $8 + $10
            }
            END {
                printf "%s %s %.2f %.2f %.0f %d %.3f\n", name, c, p50, p99, rps, non2xx + sock,
                    nreq ? (t1 - t0) * 1000 / hz / nreq : 0
            }' >>"$W/results"
    done
    kill "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
    # anything beyond the start-up lines (certificate, setup code) is noted
    extra=$(tail -n +"$((startup + 1))" "$ws/err.log")
    if [ -n "$extra" ]; then
        echo "note: the $name server wrote $(echo "$extra" | wc -l) lines to stderr under load," \
            "e.g.: $(echo "$extra" | head -1)"
    fi
}

echo "anzen serve, signed-in dashboard of the demo clinic, $THREADS server threads;" \
    "wrk -t 2, ${SECS} s per run, on 127.0.0.1"
echo "machine: $(nproc) CPUs (shared), wrk on the same machine; baseline $rev, this build $here"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$W/results"
r=0
while [ "$r" -lt "$ROUNDS" ]; do
    r=$((r + 1))
    measure baseline "$BASE_ANZEN"
    measure this "$ANZEN"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-9s %6s %10s %10s %10s %8s %11s\n' build conns p50_ms p99_ms req/s errors cpu_ms/req
awk '{ printf "%-9s %6s %10.2f %10.2f %10.0f %8d %11.3f\n", $1, $2, $3, $4, $5, $6, $7 }' \
    "$W/results"
echo
# medians per build and connection count, their ratios, and the target
awk '
    function median(list, n,   a, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
                t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
            }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
        k = $1 SUBSEP $2
        p50[k] = p50[k] " " $3; p99[k] = p99[k] " " $4; rps[k] = rps[k] " " $5
        err[k] += $6; cpu[k] = cpu[k] " " $7; conns[$2] = 1
    }
    END {
        fail = 0
        for (c in conns) {
            b = "baseline" SUBSEP c; t = "this" SUBSEP c
            printf "%s connections (medians): this build / baseline: p50 x%.2f, p99 x%.2f, " \
                "req/s x%.2f, cpu/req x%.2f; errors %d / %d\n", c,
                median(p50[t]) / median(p50[b]), median(p99[t]) / median(p99[b]),
                median(rps[t]) / median(rps[b]), median(cpu[t]) / median(cpu[b]), err[t], err[b]
            if (c == 100) {
                ok = median(p99[t]) <= 20 && err[t] == 0
                printf "target (issue 11) at 100 connections: p99 <= 20 ms and 0 errors: %s " \
                    "(p99 %.2f ms, %d errors)\n", ok ? "met" : "NOT met", median(p99[t]), err[t]
                if (!ok) fail = 1
            }
        }
        exit fail
    }' "$W/results"
