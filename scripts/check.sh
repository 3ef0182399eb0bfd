#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole test suite, as `make check` runs it:
#   1. house rules (banned functions, layering) and clang-format;
#   2. unit tests (cmocka) and CLI tests, normal build;
#   3. unit tests again under ASan+UBSan;
#   4. the libFuzzer target for a bounded time (FUZZ_SECONDS, default 60).
# Prints one closing line "N passed, N failed" and exits non-zero on failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN=${ASAN:-build-asan}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
passed=0
failed=0
failures=""

step() { # name, command...
    name=$1
    shift
    echo "==> $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
    fi
}

# count meson test results from testlog.json: adds to passed/failed
meson_tests() { # builddir, suite
    dir=$1
    suite=$2
    rm -f "$dir/meson-logs/testlog.json"
    meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes 2
    if [ ! -f "$dir/meson-logs/testlog.json" ]; then
        failed=$((failed + 1))
        failures="$failures $dir:$suite(no-log)"
        return
    fi
    set -- $(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = 0
names = []
for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)
    if t["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
        p += 1
    else:
        f += 1
        names.append(t["name"])
print(p, f, *names)
PY
)
    passed=$((passed + $1))
    failed=$((failed + $2))
    shift 2
    for n in "$@"; do failures="$failures $dir:$n"; done
}

step banned ./scripts/check-banned.sh
step format ./scripts/check-format.sh
meson_tests "$BUILD" unit
meson_tests "$BUILD" cli
meson_tests "$ASAN" unit
if [ "$FUZZ_SECONDS" -gt 0 ]; then
    step fuzz make --no-print-directory fuzz-run FUZZ_SECONDS="$FUZZ_SECONDS"
fi

if [ -n "$failures" ]; then
    echo "failed:$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
