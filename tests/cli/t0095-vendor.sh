#!/bin/sh
# anzen vendor list|show|check: the vendor registry and its findings.
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null
cd d
ANZEN_TODAY=2025-11-24 run "$ANZEN" vendor check --format json
expect_rc 2 "the demo's vendors have gaps"
python3 - "$T/out" <<'PY' && ok "demo findings: no device, draft role split, no checklist this year" || not_ok "demo vendor findings"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
got = sorted((f["vendor"], f["rule"], f["level"]) for f in d["findings"])
assert got == [("aozora", "checklist", "attention"), ("midori", "remote-device-unknown", "gap"),
               ("midori", "role-split", "gap")], got
PY
run "$ANZEN" vendor list
expect_out "midori" "list"
run "$ANZEN" vendor show aozora
expect_out "役割分担の確認表: 合意済み" "show"
run "$ANZEN" vendor show nobody
expect_rc 1 "unknown vendor"

# edges: the checklist received in the previous fiscal year no longer counts
# on 04-01; a contract that ended yesterday; a system with no registered vendor
cat > v.yaml <<'Y'
anzen-vendors: 1
vendors:
  - id: a
    name: A
    systems: [emr]
    contract: {end: 2026-03-31}
    role-split: {status: agreed}
    mds-sds: {received: 2025-06-01}
    checklist: {received: 2025-07-10}
Y
ANZEN_TODAY=2026-03-31 run "$ANZEN" vendor check -f v.yaml --format json
python3 - "$T/out" <<'PY' && ok "on 2026-03-31 only the unregistered vendor is reported" || not_ok "edge 03-31"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert [(f["vendor"], f["rule"]) for f in d["findings"]] == [("receipt", "unregistered")], d
PY
ANZEN_TODAY=2026-04-01 run "$ANZEN" vendor check -f v.yaml --format json
python3 - "$T/out" <<'PY' && ok "on 2026-04-01 the checklist is due again and the contract has ended" || not_ok "edge 04-01"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
rules = sorted((f["vendor"], f["rule"]) for f in d["findings"])
assert rules == [("a", "checklist"), ("a", "contract-ended"), ("receipt", "unregistered")], rules
PY

# bad input names the place
printf 'anzen-vendors: 1\nvendors:\n  - {id: a, name: A, systems: [nosuch]}\n' > bad.yaml
run "$ANZEN" vendor check -f bad.yaml
expect_rc 1 "unknown system"
expect_err "bad.yaml:3:" "place of the unknown system"
expect_err "nosuch" "unknown system named"
printf 'anzen-vendors: 1\nvendors:\n  - {id: a, name: A, role-split: {status: maybe}}\n' > bad2.yaml
run "$ANZEN" vendor check -f bad2.yaml
expect_rc 1 "bad role-split status"
run "$ANZEN" vendor check -f missing.yaml
expect_rc 1 "missing file"
done_testing
