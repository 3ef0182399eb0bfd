#!/bin/sh
# anzen procure: security requirements for a tender, per system, as JSON,
# HTML and XLSX (opened with LibreOffice).
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null
cd d

run "$ANZEN" procure --system emr --format json
expect_rc 0 "requirements for the EMR (on premises, remote maintenance, renewal 2027-10-01)"
python3 - "$T/out" <<'PY' && ok "standard features, disclosure before selection, device rules, FY2027 MFA" || not_ok "procure json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["schema"] == "anzen-procure/1"
assert d["institution"] == "さくら内科クリニック (デモ)" and d["system"]["introduce"] == "2027-10-01", d["system"]
r = {q["id"]: q for q in d["requirements"]}
for k in ("mfa", "encrypt-stored", "encrypt-lan"):
    assert r[k]["standard_feature"] is True, k
assert not r["mds-sds"]["standard_feature"]
assert "rm-device" in r and "rm-access" in r and "cloud" not in r, list(r)
assert "管理者" in r["rm-device"]["text"] and "ファームウェア" in r["rm-device"]["text"]
assert "必須" in r["mfa"]["note"], r["mfa"]["note"]
assert any(x["id"] == "cl-r7.h.remote-maintenance" for x in r["rm-device"]["refs"])
assert [q["no"] for q in d["requirements"]] == list(range(1, len(d["requirements"]) + 1))
PY
run "$ANZEN" procure --system receipt --format json --lang en
python3 - "$T/out" <<'PY' && ok "the cloud billing system: cloud terms, no device rules, English" || not_ok "receipt json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
ids = [q["id"] for q in d["requirements"]]
assert "cloud" in ids and "rm-device" not in ids, ids
assert d["requirements"][0]["category"] == "Authentication"
PY
run "$ANZEN" procure --name "新しい PACS" --no-remote --introduce 2026-09-01 --log-years 10 -o pacs.html
expect_rc 0 "a new system by name"
if grep -q '新しい PACS' pacs.html && grep -q '(10 年)' pacs.html && grep -q '次の更新で必須' pacs.html &&
    ! grep -q 'リモート保守に使う装置' pacs.html; then ok "html: name, log years, pre-FY2027 MFA note"; else
    not_ok "pacs.html"; fi

run "$ANZEN" procure --system emr --format xlsx -o procure.xlsx
expect_rc 0 "xlsx"
soffice -env:UserInstallation="file://$T/lo-profile" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1' \
    --outdir csv procure.xlsx >"$T/lo.log" 2>&1
python3 - csv/procure-調達要件.csv <<'PY' && ok "LibreOffice reads the requirements sheet, ready for an RFP" || not_ok "procure.xlsx"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
assert rows[0][0] == "調達時のセキュリティ要件: 電子カルテ (院内サーバ)", rows[0]
head = [r for r in rows if r and r[0] == "番号"][0]
assert head[2] == "要件" and head[3].startswith("標準機能"), head
body = [r for r in rows if r and r[0].isdigit()]
mfa = body[0]
assert mfa[1].startswith("認証") and mfa[3] == "はい" and "二要素認証" in mfa[2], mfa
assert "チェックリスト 令和7年度版 2-⑩ 二要素認証" in mfa[5], mfa[5]
assert any(r[2].startswith("リモート保守に使う装置") for r in body)
PY

run "$ANZEN" procure
expect_rc 64 "needs --system or --name"
run "$ANZEN" procure --system emr --name x
expect_rc 64 "not both"
run "$ANZEN" procure --system nosuch
expect_rc 1 "unknown system"
run "$ANZEN" procure --name x --hosting space
expect_rc 64 "bad hosting"
run "$ANZEN" procure --name x --log-years 0
expect_rc 64 "bad log years"
done_testing
