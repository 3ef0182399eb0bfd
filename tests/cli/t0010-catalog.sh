#!/bin/sh
# anzen catalog list|show|diff|validate on the embedded and fixture catalogs.
. "$(dirname "$0")/lib.sh"

run "$ANZEN" catalog list
expect_rc 0 "catalog list (embedded)"
expect_out "cl-r7" "令和7 edition listed"
expect_out "医療機関確認用" "医療機関確認用 listed"
expect_out "薬局確認用" "薬局確認用 listed"
expect_out "事業者確認用" "事業者確認用 listed"
expect_out "cl-r8" "令和8 edition listed"
expect_out "項目未収録" "令和8 marked as metadata only"
expect_out "gl-6.0" "guideline 6.0 listed"
expect_out "gl-7.0" "guideline 7.0 listed"
# item counts: every R7 form has a count > 0
for f in h p v; do
    if grep -E "^    $f +.* ([1-9][0-9]*) 項目" "$T/out" >/dev/null; then ok "cl-r7 form $f has items"; else not_ok "cl-r7 form $f count"; fi
done

run "$ANZEN" catalog list --format json
expect_rc 0 "catalog list json"
expect_out '"default_checklist": "cl-r7"' "json names the default edition"

run "$ANZEN" catalog validate
expect_rc 0 "embedded catalog validates"

run "$ANZEN" catalog show --all --format json
expect_rc 0 "show --all json"
python3 - "$T/out" <<'PY' && ok "show --all: every item dumped with source, confidence, interim and permanent fixes" || not_ok "show --all json content"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
eds = {e["id"]: e for e in d["editions"]}
for need in ("cl-r5", "cl-r6", "cl-r7", "cl-r8", "gl-6.0", "gl-7.0"):
    assert need in eds, need
assert eds["cl-r8"]["items"] == []
n = 0
for e in d["editions"]:
    assert len(e["items"]) == e["item_count"]
    for it in e["items"]:
        assert it["confidence"] in ("verified", "draft", "secondary", "unverified")
        assert it["sources"], it["id"]
        assert it["text"]["ja"] and it["text"]["en"], it["id"]
        if e["kind"] == "checklist" and not it["gate"]:
            for k in ("interim", "permanent"):
                assert it[k] and it[k]["ja"] and it[k]["en"], (it["id"], k)
        n += 1
assert n > 100, n
PY

# show one item of the fixture catalog, text and json
run "$ANZEN" $MINI catalog show cl-b.h.mfa
expect_rc 0 "show item"
expect_out "表示番号: 2-⑩" "printed label"
expect_out "必須となる年度: 令和7年度 (2025)" "required-from year"
expect_out "案・草案に基づく" "confidence shown"
expect_out "確定版で確認してください" "draft warning shown"
expect_out "二要素認証を導入している" "ja text"
expect_out "2FA is in place" "en text"
expect_out "出典:" "sources shown"
run "$ANZEN" $MINI catalog show cl-a.h.lead
expect_out "gl-x.mgmt-1" "guideline reference shown"
run "$ANZEN" $MINI catalog show cl-b.h.mfa --format json
expect_out '"due_by": "2027-03-31"' "json item has due_by"
run "$ANZEN" $MINI catalog show "2-④"
expect_rc 0 "show by printed label"
expect_out "cl-b.h.rights" "label resolves to the item"
run "$ANZEN" $MINI catalog show cl-b.h.nothing
expect_rc 1 "show unknown id"
expect_err "cl-b.h.nothing" "unknown id is named"

# diff
run "$ANZEN" $MINI catalog diff cl-a cl-b
expect_rc 0 "diff"
expect_out "統合   2-⑥" "merged item reported"
expect_out "変更   2-④" "changed item reported"
expect_out "新規   2-⑩" "new item reported"
run "$ANZEN" $MINI --lang en catalog diff cl-a cl-b --format json
expect_out '"change": "merged"' "diff json"
run "$ANZEN" catalog diff r6 r7
expect_rc 0 "diff r6 r7 on the embedded catalog"
expect_out "新規" "r7 added items"

# a broken catalog directory fails with file:line:col
mkdir bad
cp "$TEST_DATA"/mini/*.yaml bad/
sed -i 's/^  - id: cl-b.h.mfa$/  - id: cl-b.h.mfa\n    colour: red/' bad/cl-b.yaml
run "$ANZEN" --catalog bad catalog validate
expect_rc 1 "broken catalog"
expect_err "bad/cl-b.yaml:78:5: item に未知のキー \"colour\"" "unknown key with file:line:col"
done_testing
