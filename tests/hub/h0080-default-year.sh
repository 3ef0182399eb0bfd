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
    # c1 a clinic; c2 and c3 hospitals whose bands sort wrongly as text
    case $id in
    c1) kind="--type clinic" ;;
    c2) kind="--type hospital --beds 100-199" ;;
    *) kind="--type hospital --beds 20-99" ;;
    esac
    # shellcheck disable=SC2086
    "$ANZEN" hub enrol --id "$id" --name "医療機関$k" $kind --prefecture 13 \
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

# bed bands by size (20-99 before 100-199), and no column repeating the
# number of institutions on every row of the overdue list (black-box #10, #12)
"$ANZEN" hub query by_type_band --fiscal-year 2025 >bands.json 2>/dev/null
python3 - bands.json <<'PY' && ok "bed bands by size" || not_ok "bed bands ordered as text"
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["rows"] if isinstance(d, dict) else d
bands = [r[1] if isinstance(r, list) else r["bed_band"] for r in rows
         if (r[0] if isinstance(r, list) else r["type"]) == "hospital"]
assert bands == ["20-99", "100-199"], bands
PY
"$ANZEN" --lang en hub report --format json -o rep.json >/dev/null 2>&1
python3 - rep.json <<'PY' && ok "the overdue list has no repeated total column" || not_ok "overdue columns"
import json, sys
d = json.load(open(sys.argv[1]))
sec = [s for s in d["sections"] if s["name"] == "overdue_institutions"][0]
cols = sec["columns_en"].split(",")
assert cols[-1] == "applicable" and "total such institutions" not in cols, cols
assert all(len(r) == len(cols) for r in sec["rows"]), sec["rows"]
PY
done_testing
