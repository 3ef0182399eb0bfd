#!/bin/sh
# SPDX-License-Identifier: MIT
# The fiscal year the hub shows when none is asked for (a black-box test's
# first defect): the first institution to send for a new year must not
# switch every report and page to a year of one institution. The default
# is the newest year with at least half as many institutions as the year
# before; the other years stay reachable (?fy=, --fiscal-year) and the
# overview lists them with their counts, in 令和 in Japanese.
. "${SRCDIR:?}/tests/hub/lib.sh"

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
k=0
for id in c1 c2 c3; do
    k=$((k + 1))
    cp -r anzen-demo "$id"
    rm -f "$id/anzen-sign.key" "$id/anzen-sign.pub" "$id/anzen-submit.seq"
    (cd "$id" && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
    "$ANZEN" hub enrol --id "$id" --name "診療所$k" --type clinic --prefecture 13 \
        --key "$id/anzen-sign.pub" >/dev/null || not_ok "enrol $id"
    (cd "$id" && "$ANZEN" --as-of 2025-10-01 submit --id "$id" -o "$T/$id-2025.json" >/dev/null 2>&1)
    (cd "$id" && "$ANZEN" --as-of 2026-10-01 submit --id "$id" -o "$T/$id-2026.json" >/dev/null 2>&1)
done
[ -s c3-2026.json ] && ok "three clinics, a bundle each for FY2025 and FY2026" || not_ok "submit"

fy_of() { # the report's fiscal year for: hub report ARGS
    "$ANZEN" hub report --format json -o r.json "$@" >/dev/null 2>&1 &&
        python3 -c 'import json; print(json.load(open("r.json"))["scope"]["fiscal_year"])'
}
run "$ANZEN" hub ingest c1-2025.json c2-2025.json c3-2025.json
expect_rc 0 "FY2025 from all three"
[ "$(fy_of)" = 2025 ] && ok "default year 2025" || not_ok "default year $(fy_of), not 2025"

run "$ANZEN" hub ingest c1-2026.json
expect_rc 0 "FY2026 from one clinic"
[ "$(fy_of)" = 2025 ] && ok "one of three sent for 2026: the default stays 2025" ||
    not_ok "one bundle for 2026 switched the default to $(fy_of)"
[ "$(fy_of --fiscal-year 2026)" = 2026 ] && ok "--fiscal-year 2026 still shows 2026" ||
    not_ok "--fiscal-year 2026"

run "$ANZEN" hub ingest c2-2026.json
expect_rc 0 "FY2026 from a second clinic"
[ "$(fy_of)" = 2026 ] && ok "two of three (at least half) sent: the default is 2026" ||
    not_ok "default $(fy_of) after two of three"
done_testing
