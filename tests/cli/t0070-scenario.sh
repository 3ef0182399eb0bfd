#!/bin/sh
# Scenario: the demo clinic is assessed in 令和7年度, follows its plan for
# some items, and is reassessed later; anzen diff shows exactly the expected
# changes, and the overdue list changes as dates pass (time is injected with
# ANZEN_TODAY, never the wall clock).
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null
cd d
ANZEN_TODAY=2025-11-24 run "$ANZEN" status --save
expect_rc 2 "first assessment (2025-11-24) saved"

# the plan is followed for the ledger (2-①) and the patches (2-⑥)
"$ANZEN" plan set 2-① --track both --status done >/dev/null
"$ANZEN" plan set 2-⑥ --track both --status verified >/dev/null
python3 - <<'PY'
import re
t = open("answers.yaml", encoding="utf-8").read()
for item in ("cl-r7.h.asset-ledger", "cl-r7.h.patches"):
    t = re.sub(r"(- item: %s[^\n]*\n    answer: )いいえ\n    checked: [0-9-]+\n    target: [0-9-]+\n" % re.escape(item),
               r"\1はい\n    checked: 2026-01-20\n", t)
open("answers.yaml", "w", encoding="utf-8").write(t)
PY
# ... and the ledger: the vendor now administers the VPN router and has
# moved it to a firmware without known exploited vulnerabilities
python3 - <<'PY'
t = open("ledger.csv", encoding="utf-8-sig").read()
assert ",FortiOS,6.4.6,emr,,みどりメディカルシステム株式会社 (架空),2021-03-10,2025-09-30," in t
t = t.replace(",FortiOS,6.4.6,emr,,みどりメディカルシステム株式会社 (架空),2021-03-10,2025-09-30,",
              ",FortiOS,7.4.8,emr,みどりメディカルシステム株式会社 (架空),みどりメディカルシステム株式会社 (架空),2026-01-15,2030-09-30,")
open("ledger.csv", "w", encoding="utf-8-sig").write(t)
PY
ANZEN_TODAY=2026-02-01 run "$ANZEN" status --save
expect_rc 2 "second assessment (2026-02-01) saved"
run "$ANZEN" diff 1 2 --format json
expect_rc 0 "diff 1 2: nothing regressed"
python3 - "$T/out" <<'PY' && ok "diff 1 2 shows exactly the two improvements" || not_ok "diff 1 2 content"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
ch = sorted((c["change"], c["label"]) for c in d["changes"])
assert ch == [("improved", "2-①"), ("improved", "2-⑥")], ch
assert d["from_total"]["satisfied"] + 2 == d["to_total"]["satisfied"]
assert d["from_total"]["overdue"] - 2 == d["to_total"]["overdue"]
PY

# same answers, a new fiscal year: 2-⑧ and 3-②/3-③ targets (2026-03-31)
# pass, and every answer checked in 令和7年度 is to re-check (要再確認): a
# はい no longer counts as done
ANZEN_TODAY=2026-04-01 run "$ANZEN" status --save
expect_out "[はい・要再確認]  前の確認日 2026-01-20" "a 令和7年度 はい is to re-check on 2026-04-01"
run "$ANZEN" diff 2 3
expect_rc 2 "diff 2 3: something got worse"
expect_out "期限超過に 2-⑧" "2-⑧ became overdue when its target passed"
python3 - <<'PY' && ok "diff 2 3 shows the newly overdue item and the answers to re-check" || not_ok "diff 2 3 content"
import json, subprocess, os
out = subprocess.run([os.environ["ANZEN"], "diff", "2", "3", "--format", "json"], capture_output=True, text=True).stdout
d = json.loads(out)
ch = sorted((c["change"], c["label"]) for c in d["changes"])
assert ("now-overdue", "2-⑧") in ch, ch
assert all(c == "regressed" for c, l in ch if l != "2-⑧"), ch
assert ("regressed", "2-⑥") in ch, ch
assert d["to_total"]["satisfied"] == 0, d["to_total"]
PY
run "$ANZEN" workspace history
expect_out "#3  2026-04-01" "three dated snapshots"
run "$ANZEN" plan --format json
python3 - "$T/out" <<'PY' && ok "the plan no longer lists what was fixed" || not_ok "plan after fixes"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
ids = [x["id"] for x in p["items"]]
assert "cl-r7.h.asset-ledger" not in ids
assert "cl-r7.h.password-reuse" in ids
PY

# diff on status JSON files, and bad input
ANZEN_TODAY=2025-11-24 "$ANZEN" status -f json -o s1.json || true
ANZEN_TODAY=2026-04-01 "$ANZEN" status -f json -o s2.json || true
run "$ANZEN" diff s1.json s2.json --format json
python3 - "$T/out" <<'PY' && ok "diff of status files" || not_ok "diff of files"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
# the same answers on two dates in two fiscal years: 2-⑧ becomes overdue,
# and each はい of 令和7年度 is to re-check in 令和8年度 (no longer done)
assert d["improved"] == 0 and d["regressed"] == 13, d["regressed"]
ch = dict((c["label"], c["change"]) for c in d["changes"])
assert ch.pop("2-⑧") == "now-overdue", ch
assert set(ch.values()) == {"regressed"} and len(ch) == 12, ch
PY
run "$ANZEN" diff 1 99
expect_rc 1 "unknown snapshot"
expect_err "#99" "unknown snapshot named"
echo '{"schema": "other"}' > bad.json
run "$ANZEN" diff 1 bad.json
expect_rc 1 "not a status file"
run "$ANZEN" diff 1
expect_rc 64 "one argument"
done_testing
