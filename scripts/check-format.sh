#!/bin/sh
# SPDX-License-Identifier: MIT
# Fail if any C file differs from clang-format's output (.clang-format).
# `scripts/check-format.sh --fix` rewrites the files instead.
set -u
cd "$(dirname "$0")/.."
CF=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$CF" ]; then
    echo "check-format: clang-format not installed (scripts/deps.sh)" >&2
    exit 1
fi
files=$(find include lib src tools tests/unit tests/fuzz -name '*.[ch]' | sort)
if [ "${1:-}" = "--fix" ]; then
    $CF -i $files
    exit 0
fi
if ! $CF --dry-run --Werror $files; then
    echo "check-format: run scripts/check-format.sh --fix" >&2
    exit 1
fi
echo "check-format: ok"
