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
for f in profile.yaml answers.yaml status.txt status.md status.json; do
    [ -s "d/$f" ] && ok "demo wrote $f" || not_ok "demo $f"
done
run "$ANZEN" status -p d/profile.yaml -a d/answers.yaml
expect_rc 2 "demo status has gaps"
run "$ANZEN" --lang en demo -o d2
expect_out "Assessed against" "English demo"

# migration on the fixture catalog: answers for cl-a carry to cl-b
cat > profile.yaml <<'Y'
anzen-profile: 1
institution: {name: x, type: hospital}
systems:
  - {id: emr, name: EMR, hosting: on-prem, vendor: A}
Y
cat > old.yaml <<'Y'
anzen-answers: 1
edition: cl-a
form: h
answers:
  - {item: cl-a.h.gate, answer: はい, checked: 2024-06-01}
  - {item: cl-a.h.lead, answer: はい, checked: 2024-06-01}
  - {item: cl-a.h.patch-server, answer: はい, checked: 2024-06-01}
  - {item: cl-a.h.patch-network, answer: はい, checked: 2024-06-01}
  - {item: cl-a.h.rights, answer: はい, checked: 2024-06-01}
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
