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
expect_rc 2 "an unknown system is a warning; the check goes on"
expect_err "bad.yaml:3:" "place of the unknown system"
expect_err "警告: 事業者 a のシステム \"nosuch\" はプロファイルにありません" "unknown system named"
printf 'anzen-vendors: 1\nvendors:\n  - {id: a, name: A, role-split: {status: maybe}}\n' > bad2.yaml
run "$ANZEN" vendor check -f bad2.yaml
expect_rc 1 "bad role-split status"
run "$ANZEN" vendor check -f missing.yaml
expect_rc 1 "missing file"
# vendor add: a new registry, then an entry appended to a commented file;
# the result reads back with every field; bad adds change nothing
rm -f profile.yaml
cat > profile.yaml <<'Y'
anzen-profile: 1
institution: {name: x, type: clinic}
systems:
  - {id: emr, name: 電子カルテ, hosting: on-prem, vendor: "A \"社\"", remote-maintenance: true}
  - {id: lab, name: 検査, hosting: on-prem, vendor: B社}
Y
run "$ANZEN" vendor add a -f new.yaml --name 'A "社"' --systems emr --contact '03-0000-0000' \
    --remote-method 'VPN ルータ' --remote-device 保守用VPN --contract-start 令和6年4月1日 \
    --contract-end R9.3.31 --role-split agreed --role-split-date 2024-05-01 --mds-version 5.0 \
    --mds-received 2024-06-01 --checklist-received 2025-07-01
expect_rc 0 "vendor add creates the registry"
expect_out "事業者 a (A \"社\") を new.yaml に登録しました" "confirmation"
run "$ANZEN" vendor show a -f new.yaml
expect_out 'a  A "社"' "name with quotes read back"
expect_out "VPN ルータ / 保守用VPN" "remote maintenance read back"
expect_out "契約終了: 2027-03-31" "R9.3.31 stored as ISO"
expect_out "合意済み" "role split read back"
expect_out "MDS/SDS: 5.0 (2024-06-01)" "MDS/SDS read back"
printf '# our vendors (comment kept)\nanzen-vendors: 1\nvendors:\n  - id: b\n    name: B社 # lab\n    systems: [lab]' > kept.yaml
run "$ANZEN" vendor add c -f kept.yaml --name C社
expect_rc 0 "append to a file without a final newline"
grep -q "# our vendors (comment kept)" kept.yaml && grep -q "name: B社 # lab" kept.yaml &&
    ok "comments and layout kept" || not_ok "comments lost"
run "$ANZEN" vendor list -f kept.yaml
expect_out "C社" "the new vendor is listed"
cp kept.yaml kept.before
run "$ANZEN" vendor add b -f kept.yaml --name 別のB
expect_rc 1 "a duplicate ID"
expect_err "重複" "duplicate reported"
run "$ANZEN" vendor add d -f kept.yaml --name D --systems nosuch
expect_rc 64 "a system not in the profile"
expect_err "nosuch" "the unknown system is named"
# a system ID of any length is kept whole (it was cut at 255 bytes, and
# the cut ID was then "not in the profile")
longid=emr$(printf 'x%.0s' $(seq 300))
cp profile.yaml profile.before
printf '  - {id: %s, name: 長いID, hosting: on-prem}\n' "$longid" >>profile.yaml
run "$ANZEN" vendor add f -f long.yaml --name F --systems "lab,$longid"
expect_rc 0 "vendor add with a 303-character system ID"
grep -q "systems: \[\"lab\", \"$longid\"\]" long.yaml && ok "the long system ID kept whole" ||
    not_ok "long.yaml: $(grep systems long.yaml)"
mv profile.before profile.yaml
run "$ANZEN" vendor add 'bad id' -f kept.yaml --name E
expect_rc 1 "an invalid ID"
run "$ANZEN" vendor add e -f kept.yaml --name E --role-split maybe
expect_rc 1 "a bad role-split status"
run "$ANZEN" vendor add e -f kept.yaml --name E --contract-end 2025-02-30
expect_rc 64 "an invalid date"
expect_err "--contract-end" "the option is named"
run "$ANZEN" vendor add e -f kept.yaml
expect_rc 64 "--name is required"
cmp -s kept.yaml kept.before && ok "failed adds leave the file unchanged" || not_ok "file changed"
printf 'vendors:\n  - {id: x, name: X}\nanzen-vendors: 1\n' > order.yaml
run "$ANZEN" vendor add y -f order.yaml --name Y
expect_rc 1 "a registry not ending with the list"
# a 事業者確認用 held as vendor-SYSTEM.yaml (as vendor import stores it)
# counts as this year's form of the vendor of that system, by its dates
"$ANZEN" demo -o vd >/dev/null
python3 - <<'PY'
t = open("vd/vendors.yaml", encoding="utf-8").read()
t = t.replace("    checklist: {received: 2025-07-10}\n", "")
open("vd/vendors.yaml", "w", encoding="utf-8").write(t)
PY
ANZEN_TODAY=2025-11-24 run "$ANZEN" -C vd vendor check --format json
python3 - "$T/out" <<'PY' && ok "the held form dated 2025-07-10 is this fiscal year's" || not_ok "held form counted"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert ("midori", "checklist") not in [(f["vendor"], f["rule"]) for f in d["findings"]], d
assert ("aozora", "checklist") in [(f["vendor"], f["rule"]) for f in d["findings"]], d
PY
ANZEN_TODAY=2026-04-01 run "$ANZEN" -C vd vendor check --format json
python3 - "$T/out" <<'PY' && ok "in the next fiscal year the same form no longer counts" || not_ok "held form next year"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert ("midori", "checklist") in [(f["vendor"], f["rule"]) for f in d["findings"]], d
PY
rm vd/vendor-emr.yaml
ANZEN_TODAY=2025-11-24 run "$ANZEN" -C vd vendor check --format json
python3 - "$T/out" <<'PY' && ok "without the form the vendor's checklist is missing" || not_ok "no form"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert ("midori", "checklist") in [(f["vendor"], f["rule"]) for f in d["findings"]], d
PY
done_testing
