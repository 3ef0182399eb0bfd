#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole test suite, as `make check` runs it:
#   1. house rules (banned functions, layering) and clang-format;
#   2. unit tests (cmocka), CLI tests and web tests (TLS, chromium), normal
#      build, and the network scenarios (tests/net: loopback and namespaces,
#      root), and the Debian package (tests/pkg: build, lintian, install,
#      purge; root);
#   3. unit, CLI and network tests again under ASan+UBSan;
#   4. the libFuzzer targets for a fixed seed and number of runs (about a
#      minute; FUZZ_SECONDS=0 skips it, `make fuzz` explores at random).
# Prints one closing line "N passed, N failed" and exits non-zero on failure.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN=${ASAN:-build-asan}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
# sanitizers: undefined behaviour aborts (gcc's default is to print and go on)
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
# the tests expect Japanese unless they ask for English; anzen follows the
# locale since the language fix, so a machine with LANG=en_US must not flip them
export ANZEN_LANG=ja
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
# Count individual checks: TAP lines ("ok"/"not ok") of the CLI scripts and
# cmocka's per-test lines; a test printing neither counts once.
import json, re, sys
p = f = 0
names = []
for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    tp = len(re.findall(r"^ok \d+", out, re.M))
    tf = len(re.findall(r"^not ok \d+", out, re.M))
    cp = len(re.findall(r"^\[       OK \]", out, re.M))
    # cmocka lists each failure twice (at the test and in the summary)
    cf = len(set(re.findall(r"^\[  FAILED  \] (?!\d+ test)(\S+)", out, re.M)))
    good = t["result"] in ("OK", "EXPECTEDFAIL", "SKIP")
    if tp + tf + cp + cf == 0:
        tp, tf = (1, 0) if good else (0, 1)
    elif not good and tf + cf == 0:
        tf = 1  # crashed or timed out after its last report
    p += tp + cp
    f += tf + cf
    if not good or tf or cf:
        names.append(t["name"].replace(" ", ""))
print(p, f, *names)
PY
)
    if [ "$1" -eq 0 ] && [ "$2" -eq 0 ]; then
        # an empty suite is a failure, never a silent skip
        failed=$((failed + 1))
        failures="$failures $dir:$suite(empty)"
    fi
    passed=$((passed + $1))
    failed=$((failed + $2))
    shift 2
    for n in "$@"; do failures="$failures $dir:$n"; done
}

step banned ./scripts/check-banned.sh
step format ./scripts/check-format.sh
meson_tests "$BUILD" unit
meson_tests "$BUILD" cli
meson_tests "$BUILD" web
meson_tests "$BUILD" net
meson_tests "$BUILD" pkg
meson_tests "$BUILD" hub
meson_tests "$ASAN" unit
meson_tests "$ASAN" cli
meson_tests "$ASAN" net
meson_tests "$ASAN" hub
if [ "$FUZZ_SECONDS" -gt 0 ]; then
    # the targets build in parallel (one archive of lib/), then run in turn
    step fuzz sh -c 'make -j2 --no-print-directory fuzz-bins && make --no-print-directory fuzz-check'
fi

if [ -n "$failures" ]; then
    echo "failed:$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
