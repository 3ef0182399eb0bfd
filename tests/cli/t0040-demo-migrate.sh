#!/bin/sh
# anzen demo on the embedded catalog, and carrying answers from an older
# edition through the crosswalk.
. "$(dirname "$0")/lib.sh"

run "$ANZEN" demo -o d
expect_rc 0 "demo runs"
expect_out "さくら内科クリニック" "demo clinic shown"
expect_out "評価した版: " "edition named"
expect_out "令和7年度版" "assessed against 令和7年度版"
expect_out "より新しい版があります" "newer edition 令和8年度版 is mentioned"
expect_out "令和8年度版" "令和8年度版 named"
expect_out "期限超過の項目" "demo has overdue items"
expect_out "対応計画 (優先順の上位 5 件" "demo shows the top of the plan"
expect_out "重点事項で対応が必要な分野" "demo counts key-point gaps"
expect_out "事業者確認用 (システムごと)" "vendor forms summarised"
expect_out "12/18 はい" "received vendor form scored"
expect_out "未受領 (d/vendor-receipt.yaml を待っています)" "missing vendor form named"
for f in profile.yaml answers.yaml vendor-emr.yaml vendors.yaml ledger.csv ledger-check.json status.txt status.md status.json plan.json keypoints.json oscal-assessment-results.json oscal-poam.json; do
    [ -s "d/$f" ] && ok "demo wrote $f" || not_ok "demo $f"
done
run "$ANZEN" status -p d/profile.yaml -a d/answers.yaml
expect_rc 2 "demo status has gaps"
python3 - d/status.json <<'PY' && ok "status.json lists vendor forms" || not_ok "vendor_forms in json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = {x["system"]: x for x in d["vendor_forms"]}
assert v["emr"]["received"] and v["emr"]["total"]["satisfied"] == 12
assert not v["receipt"]["received"]
PY
run "$ANZEN" status -p d/profile.yaml -a d/answers.yaml --vendor emr
expect_rc 1 "institution answers given as vendor answers"
expect_err "事業者確認用の回答ではありません" "form mismatch explained"
run "$ANZEN" status -p d/profile.yaml -a d/vendor-emr.yaml
expect_rc 1 "vendor answers without --vendor"
expect_err "--vendor SYSTEM" "hint to use --vendor"
run "$ANZEN" -C d status --vendor emr
expect_rc 2 "vendor form status"
expect_out "対象システム: 電子カルテ" "vendor form names the system"
expect_out "(事業者確認用)" "vendor form named"
run "$ANZEN" -C d status --vendor nosuch
expect_rc 1 "unknown vendor system"
expect_err "\"nosuch\"" "unknown system named"
run_in "y
2025-07-01

q
" "$ANZEN" -C d assess --vendor receipt --interactive
expect_out "(事業者確認用)" "assess a vendor form interactively"
grep -q "system: \"receipt\"" d/vendor-receipt.yaml && ok "vendor answers saved per system" || not_ok "vendor-receipt.yaml"
run "$ANZEN" -C d status
expect_out "レセプトコンピュータ (クラウド) (あおぞらクラウド株式会社 (架空)): 1/18 はい" "new vendor answers counted"
run "$ANZEN" --lang en demo -o d2
expect_out "Assessed against" "English demo"

# migration on the fixture catalog: answers for cl-a carry to cl-b
cat > profile.yaml <<'Y'
anzen-profile: 1
institution: {name: x, type: hospital}
systems:
  - {id: emr, name: EMR, hosting: on-prem, vendor: A}
Y
# (checked in this fiscal year: an earlier one would be 要再確認 by date too)
cat > old.yaml <<'Y'
anzen-answers: 1
edition: cl-a
form: h
answers:
  - {item: cl-a.h.gate, answer: はい, checked: 2025-06-01}
  - {item: cl-a.h.lead, answer: はい, checked: 2025-06-01}
  - {item: cl-a.h.patch-server, answer: はい, checked: 2025-06-01}
  - {item: cl-a.h.patch-network, answer: はい, checked: 2025-06-01}
  - {item: cl-a.h.rights, answer: はい, checked: 2025-06-01}
Y
run "$ANZEN" $MINI status -a old.yaml --format json
expect_rc 2 "old answers evaluated against the new edition"
expect_err "引き継ぎました" "carry-over reported"
python3 - "$T/out" <<'PY' && ok "same/merged carried, changed not" || not_ok "carry-over content"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
it = {x["id"]: x for x in d["items"]}
assert it["cl-b.h.lead"]["carried_from"] == "cl-a.h.lead"
assert it["cl-b.h.patch"]["status"] == "satisfied"
assert it["cl-b.h.rights"]["status"] == "unanswered"
assert d["edition"]["id"] == "cl-b"
PY
run "$ANZEN" $MINI status -a old.yaml --edition cl-a
expect_rc 2 "old edition can still be assessed explicitly"
expect_out "テスト版A" "old edition named"
run "$ANZEN" status --edition r8 -p profile.yaml
expect_rc 1 "the metadata-only edition cannot be assessed"
expect_err "項目一覧が未確認" "and says why"
done_testing
