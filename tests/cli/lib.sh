# SPDX-License-Identifier: MIT
# Shared helpers for the CLI tests (TAP output, like git's t/ scripts).
# Each test script sources this, calls run/expect helpers, then `done_testing`.
# Environment: ANZEN (the binary), TEST_DATA (tests/data), SRCDIR.
set -u
: "${ANZEN:?ANZEN must point to the anzen binary}"
: "${TEST_DATA:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/anzen-cli.XXXXXX")
trap '[ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
cd "$T"
export ANZEN_TODAY=2025-11-24
export ANZEN_LANG=ja
MINI="--catalog $TEST_DATA/mini"
n=0
bad=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }

# run CMD...: runs, capturing stdout in $T/out, stderr in $T/err, exit in $rc
run() {
    set +e
    "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    set -e
}
# run_in INPUT CMD...: same with INPUT on stdin
run_in() {
    input=$1
    shift
    set +e
    printf '%s' "$input" | "$@" >"$T/out" 2>"$T/err"
    rc=$?
    set -e
}
expect_rc() { # want, description
    if [ "$rc" -eq "$1" ]; then ok "$2 (exit $1)"; else
        not_ok "$2: exit $rc, want $1"
        sed 's/^/#   out: /' "$T/out" | head -20
        sed 's/^/#   err: /' "$T/err" | head -20
    fi
}
expect_out() { # fixed string, description
    if grep -qF -- "$1" "$T/out"; then ok "$2"; else
        not_ok "$2: stdout lacks [$1]"
        sed 's/^/#   out: /' "$T/out" | head -30
    fi
}
expect_no_out() {
    if grep -qF -- "$1" "$T/out"; then not_ok "$2: stdout has [$1]"; else ok "$2"; fi
}
expect_err() {
    if grep -qF -- "$1" "$T/err"; then ok "$2"; else
        not_ok "$2: stderr lacks [$1]"
        sed 's/^/#   err: /' "$T/err" | head -20
    fi
}
# the error output is exactly one line
expect_one_line_err() {
    lines=$(wc -l <"$T/err")
    if [ "$lines" -eq 1 ]; then ok "$1: one-line error"; else
        not_ok "$1: $lines lines on stderr"
        sed 's/^/#   err: /' "$T/err" | head -10
    fi
}
done_testing() {
    echo "1..$n"
    [ "$bad" -eq 0 ]
}
set -e
