#!/bin/sh
# anzen scan findings on loopback: a device missing from the ledger, a
# ledger server of another segment answering from 事務系 (the "closed
# network" failure), the reachability matrix, findings recorded as
# workspace evidence and fed to the plan.
. "$(dirname "$0")/lib.sh"

# a listener on 127.0.0.1 and 127.0.0.2 (accepts and closes)
python3 - > port.txt <<'PY' &
import os, socket, select, sys
socks = []
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.listen(64); socks.append(s)
s2 = socket.socket(); s2.bind(("127.0.0.2", port)); s2.listen(64); socks.append(s2)
print(port, flush=True)
while True:
    for x in select.select(socks, [], [], 30)[0]:
        c, _ = x.accept(); c.close()
PY
LPID=$!
trap 'kill $LPID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
P=$(cat port.txt)

"$ANZEN" demo -o dm >/dev/null
cd dm
printf '種別,名称,ネットワーク区分,IPアドレス,所属システム,管理者,最終パッチ適用日\r\n' > ledger.csv
printf 'サーバ,電子カルテサーバ,電子カルテ系,127.0.0.1,emr,院内,2025-10-01\r\n' >> ledger.csv
printf 'ネットワーク機器,院内ルータ,事務系,127.0.0.9,,院内,2025-10-01\r\n' >> ledger.csv

run "$ANZEN" scan 127.0.0.1-2 -p "$P" --from 事務系 --rate 0 -o scan.json -w anzen.db
expect_rc 2 "findings are gaps (exit 2)"
expect_out "電子カルテ系 の機器に 事務系 から届きます" "cross-segment finding, in Japanese"
expect_out "127.0.0.2: 台帳にない機器が応答しています" "device not in the ledger"
expect_out "事務系 -> 電子カルテ系  127.0.0.1 $P" "reachability matrix line"
expect_err "証跡として 3 件を anzen.db に記録しました" "evidence recorded (one per finding and item)"
python3 - scan.json "$P" <<'PY' && ok "findings, items and reachability in scan.json" || not_ok "scan.json findings"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
port = int(sys.argv[2])
f = sorted((x["rule"], x["host"]) for x in d["findings"])
assert f == [("cross-segment", "127.0.0.1"), ("not-in-ledger", "127.0.0.2")], f
cs = [x for x in d["findings"] if x["rule"] == "cross-segment"][0]
assert cs["items"] == ["cl-r7.h.connection-source", "gl-6.0.ops-13-11"], cs
assert cs["asset"] == "電子カルテサーバ" and cs["segment"] == "電子カルテ系" and cs["ledger_line"] == 2
nl = [x for x in d["findings"] if x["rule"] == "not-in-ledger"][0]
assert nl["items"] == ["cl-r7.h.asset-ledger"] and nl["level"] == "gap"
r = sorted((x["from"], x["to"] or "-", x["host"], tuple(x["ports"])) for x in d["reachability"])
assert r == [("事務系", "-", "127.0.0.2", (port,)), ("事務系", "電子カルテ系", "127.0.0.1", (port,))], r
assert d["from"] == "事務系" and d["gaps"] == 2
h = {x["address"]: x for x in d["hosts"]}
assert h["127.0.0.1"]["segment"] == "電子カルテ系" and "segment" not in h["127.0.0.2"]
PY
run "$ANZEN" workspace evidence cl-r7.h.connection-source --format json
python3 - "$T/out" <<'PY' && ok "evidence on the checklist item, kind scan" || not_ok "evidence"
import json, sys
e = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(e) == 1 and e[0]["kind"] == "scan", e
assert "電子カルテサーバ (127.0.0.1)" in e[0]["description"] and e[0]["source"] == "anzen scan 2025-11-24"
PY
run "$ANZEN" scan 127.0.0.1-2 -p "$P" --from 事務系 --rate 0 -w anzen.db
expect_err "証跡として 0 件を anzen.db に記録しました" "the same scan again adds nothing"
run "$ANZEN" plan --format json
expect_rc 0 "plan with the saved scan"
python3 - "$T/out" <<'PY' && ok "a satisfied item contradicted by the scan returns to the plan" || not_ok "scan into plan"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
it = {x["id"]: x for x in p["items"]}
cs = it["cl-r7.h.connection-source"]
assert cs["tier"] == 1 and "ネットワークの点検で指摘 (回答は「はい」)" in cs["reason"]["ja"], cs
assert "ネットワーク: 127.0.0.2" in it["cl-r7.h.asset-ledger"]["reason"]["ja"], it["cl-r7.h.asset-ledger"]
PY
run "$ANZEN" plan --scan none.json --format json
python3 - "$T/out" <<'PY' && ok "without the scan the item stays closed" || not_ok "no scan"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
assert "cl-r7.h.connection-source" not in [x["id"] for x in p["items"]]
PY
printf '{"schema": "anzen-scan/1",\n "findings": [}\n' > bad.json
run "$ANZEN" plan --scan bad.json
expect_rc 1 "a broken scan file"
expect_err "bad.json:2:" "names file:line"
echo '{"schema": "anzen-status/1"}' > other.json
run "$ANZEN" plan --scan other.json
expect_rc 1 "not a scan result"
expect_err "anzen-scan/1" "says what it expected"

# without a ledger: no ledger findings, nothing to report
run "$ANZEN" scan 127.0.0.1-2 -p "$P" --no-ledger --rate 0 --format json
expect_rc 0 "no ledger, no findings (exit 0)"
python3 - "$T/out" <<'PY' && ok "no findings without a ledger" || not_ok "no-ledger findings"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["findings"] == [] and d["reachability"] == [] and len(d["hosts"]) == 2
PY
run "$ANZEN" scan 127.0.0.1 -p "$P" --ledger missing.csv
expect_rc 1 "a missing ledger file"
expect_err "missing.csv" "names the ledger"
done_testing
