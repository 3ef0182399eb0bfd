#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/ledger: `anzen ledger check --save` on ledgers of N assets (most of
# them PCs nobody administers, so every asset yields findings), this build
# against a baseline build of another revision, side by side in one run.
#
#   bench/ledger/run.sh [BASE_REV]      (default BASE_REV: a27bcd6, the
#                                        main before the workspace core)
# Target (issue 11): 10,000 assets saved in under 1 s. Prints seconds per
# size for both and the ratio base/new.
set -eu
cd "$(dirname "$0")/../.."
BASE=${1:-a27bcd6}
NEW=$PWD/build/src/cli/anzen
[ -x "$NEW" ] || { echo "build first: make" >&2; exit 1; }
T=$(mktemp -d)
trap 'git worktree remove --force "$T/base" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
git worktree add -q --detach "$T/base" "$BASE"
(cd "$T/base" && meson setup build >/dev/null && ninja -C build src/cli/anzen >/dev/null)
OLD=$T/base/build/src/cli/anzen

"$NEW" demo -o "$T/demo" >/dev/null
gen() { # n file
    python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="utf-8") as f:
    f.write("種別,名称,IPアドレス,管理者,最終パッチ適用日\n")
    for i in range(n):
        f.write(f"PC,端末{i:05d},10.0.{i // 250}.{i % 250 + 1},,2024-01-01\n")
PY
}
time_save() { # anzen dir
    rm -f "$2/anzen.db"
    s=$(date +%s.%N)
    (cd "$2" && ANZEN_TODAY=2025-11-24 "$1" ledger check --save >/dev/null 2>&1 || true)
    e=$(date +%s.%N)
    echo "$s $e" | awk '{printf "%.2f", $2 - $1}'
}
printf '%8s %10s %10s %8s\n' assets base_s new_s ratio
for n in ${SIZES:-2000 4000 10000}; do
    for who in base new; do
        rm -rf "$T/$who-ws" && cp -r "$T/demo" "$T/$who-ws"
        gen "$n" "$T/in.csv"
        bin=$NEW; [ "$who" = base ] && bin=$OLD
        (cd "$T/$who-ws" && ANZEN_TODAY=2025-11-24 "$bin" ledger import --skip-bad-rows "$T/in.csv" >/dev/null 2>&1)
    done
    b=$(time_save "$OLD" "$T/base-ws")
    w=$(time_save "$NEW" "$T/new-ws")
    printf '%8d %10s %10s %8s\n' "$n" "$b" "$w" "$(echo "$b $w" | awk '{ if ($2 > 0) printf "%.1fx", $1 / $2; else print "-" }')"
done
