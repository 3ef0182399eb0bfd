#!/bin/sh
# anzen init (questions on stdin) -> anzen assess (interactive, stop and
# resume) -> anzen status, on the fixture catalog.
. "$(dirname "$0")/lib.sh"

# name, type 2 (clinic), beds, medical systems, ops staff, outsourced,
# system 1: name, hosting, vendor, introduced, remote maintenance, mfa; end
run_in "テスト医院
2
19
はい
いいえ
n
電子カルテ
1
A社
令和元年10月1日
y
n

" "$ANZEN" init
expect_rc 0 "init from stdin"
expect_out "プロファイルを書きました: profile.yaml" "init reports the file"
expect_out "システム ID emr = 電子カルテ" "init shows the readable system ID"
grep -q 'name: "テスト医院"' profile.yaml && ok "profile has the name" || not_ok "profile name"
grep -q 'type: clinic' profile.yaml && ok "profile has the type" || not_ok "profile type"
grep -q 'introduced: 2019-10-01' profile.yaml && ok "era date converted" || not_ok "introduced date"
grep -q 'remote-maintenance: true' profile.yaml && ok "remote maintenance recorded" || not_ok "remote maintenance"

# an answer longer than the line buffer (1023 bytes) is asked again, not
# cut (it was cut to its first 1023 bytes, here 341 characters, silently)
long=$(printf 'あ%.0s' $(seq 700))
run_in "$long
テスト医院
2
19
はい
いいえ
n
電子カルテ
1
A社
令和元年10月1日
y
n

" "$ANZEN" init -p long.yaml
expect_rc 0 "init with an over-long answer"
expect_out "長すぎます (1023 バイトまで)" "the over-long answer is refused by its size"
grep -q 'name: "テスト医院"' long.yaml && ! grep -q 'ああああ' long.yaml &&
    ok "the answer typed again is kept, nothing of the long one" || not_ok "long.yaml: $(grep name: long.yaml | head -1)"

run_in "x
" "$ANZEN" init
expect_rc 1 "init refuses to overwrite"
expect_err "既にあります" "overwrite refusal explained"

run_in "テスト" "$ANZEN" init -p p2.yaml
expect_rc 1 "init with input cut short"
[ ! -e p2.yaml ] && ok "no half-written profile" || not_ok "p2.yaml exists"

# assess: gate yes, lead yes (date default), then quit
run_in "y

x
y
2025-06-01

q
" "$ANZEN" $MINI assess --interactive
expect_rc 2 "assess stopped early has gaps"
expect_out "[1/6] 0" "asks the gate item first"
expect_out "中断しました" "stop is acknowledged"
grep -q "item: cl-b.h.gate" answers.yaml && ok "gate answer saved" || not_ok "gate saved"
grep -q "item: cl-b.h.lead" answers.yaml && ok "lead answer saved" || not_ok "lead saved"
grep -q "checked: 2025-11-24" answers.yaml && ok "default check date is today" || not_ok "default date"
grep -q "checked: 2025-06-01" answers.yaml && ok "typed check date kept" || not_ok "typed date"

# resume: only the remaining items are asked; patch no with target, then EOF
run_in "n
R7.7.1
令和8年3月31日
ベンダーと調整中
" "$ANZEN" $MINI assess --interactive
expect_no_out "[1/6]" "resume skips answered items"
expect_out "[3/6] 2-⑥" "resume starts at the first unanswered item"
grep -q "target: 2026-03-31" answers.yaml && ok "target date saved" || not_ok "target"
grep -q 'note: "ベンダーと調整中"' answers.yaml && ok "note saved" || not_ok "note"

run "$ANZEN" $MINI status
expect_rc 2 "status with gaps exits 2"
expect_out "全体: 1/5 対応済み" "overall score"
expect_out "経営層" "per-role table"
expect_out "期限超過の項目" "overdue section"
expect_out "2-②    リモート保守の確認  [未回答]  令和5年度から必須 (期限 2024-03-31)" "overdue item with reason"

# a group title of any length is shown whole (it was cut at 255 bytes)
cp -r "$TEST_DATA/mini" longcat
longtitle=$(printf '体制構築%.0s' $(seq 30))
sed -i "s/ja: 体制構築, en: Organisation/ja: $longtitle, en: Organisation/" longcat/cl-b.yaml
run "$ANZEN" --catalog longcat status
expect_rc 2 "status with a long group title"
expect_out "1 $longtitle " "the long group title whole"
# and in the report's chart of groups (cut at 159 bytes, inside a
# character)
run "$ANZEN" --catalog longcat report -o long.html
expect_rc 0 "report with a long group title"
grep -q "end\" fill=\"[^\"]*\">1 $longtitle</text>" long.html && ok "the chart names the long group whole" ||
    not_ok "chart label: $(grep -o '<text[^>]*>1 体制構築.\{0,20\}' long.html | head -1)"

run "$ANZEN" $MINI status --format json -o status.json
expect_rc 2 "status json to file"
python3 - <<'PY' && ok "status json is valid and versioned" || not_ok "status json"
import json
d = json.load(open("status.json", encoding="utf-8"))
assert d["schema"] == "anzen-status/1"
assert d["total"]["applicable"] == 5 and d["total"]["satisfied"] == 1 and d["total"]["gaps"] == 1
assert d["edition"]["id"] == "cl-b"
assert "cl-b.h.remote" in d["overdue"]
assert d["roles"]["management"]["satisfied"] == 1
PY
run "$ANZEN" $MINI status --format md
expect_out "| 2-⑥ |" "markdown table"
run "$ANZEN" $MINI --lang en status
expect_out "Overall: 1/5 satisfied" "English status"

# answer everything yes in batch: exit 0
cat > all.yaml <<'Y'
anzen-answers: 1
edition: cl-b
form: h
answers:
  - {item: cl-b.h.gate, answer: はい, checked: 2025-06-01}
  - {item: cl-b.h.lead, answer: はい, checked: 2025-06-01}
  - {item: cl-b.h.patch, answer: はい, checked: 2025-06-01}
  - {item: cl-b.h.remote, answer: はい, checked: 2025-06-01}
  - {item: cl-b.h.rights, answer: yes, checked: R7.6.1}
  - {item: cl-b.h.mfa, answer: はい, checked: 2025-06-01}
Y
run "$ANZEN" $MINI assess --batch -a all.yaml
expect_rc 0 "batch assess, all satisfied, exits 0"
expect_out "適用されるすべての項目が対応済みです" "all satisfied message"

# as-of injection: the same answers before the FY2025 deadline are not overdue
run "$ANZEN" $MINI --as-of 2024-03-31 status -a answers.yaml
expect_no_out "期限超過の項目" "nothing overdue on 2024-03-31"
run "$ANZEN" $MINI --as-of 令和6年4月1日 status -a answers.yaml
expect_out "期限超過の項目" "overdue from 2024-04-01"

run "$ANZEN" $MINI applicable
expect_rc 0 "applicable"
expect_out "[経営層]" "applicable by role"
expect_out "gl-x.ops-2" "guideline requirement for no ops staff"
expect_no_out "gl-x.ops-1" "ops-staff requirement not listed"
run "$ANZEN" $MINI applicable --edition cl-a
expect_out "事業者確認用を依頼: A社 (emr): v" "vendor form once per system with a vendor"
done_testing
