#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the Debian package from the real source package (debian/, dh with
# meson) in a clean copy of the tree, and check it with lintian. Slower
# than the test suite's path (tests/pkg/t0100-deb.sh reuses the build
# directory): a full build plus the unit tests, several minutes on 2 cores.
#   scripts/build-deb.sh [OUTDIR]      (default build-deb; `make deb`)
# Leaves OUTDIR/anzen_VERSION_ARCH.deb, the .changes and lintian.txt;
# exits non-zero when the build fails or lintian reports an error.
set -eu
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-deb}")
version=$(dpkg-parsechangelog -S Version)
src="$out/anzen-$version"
rm -rf "$out"
mkdir -p "$src"
# the files git knows (committed or not, minus ignored ones): no build dirs
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
    tail -40 "$out/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
    exit 1
}
changes=$(ls "$out"/anzen_"$version"_*.changes)
lintian --info --display-level '>=pedantic' "$changes" >"$out/lintian.txt" 2>&1 || true
cat "$out/lintian.txt"
if grep -q '^E:' "$out/lintian.txt"; then
    echo "build-deb: lintian errors" >&2
    exit 1
fi
ls "$out"/*.deb
