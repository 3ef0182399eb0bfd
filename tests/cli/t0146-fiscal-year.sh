#!/bin/sh
# The fiscal-year rollover (April 1st), a failed restore drill, and a gate
# answer that contradicts the profile.
#  - answers checked in an earlier fiscal year are 要再確認 and no longer
#    count as done; a carried いいえ's target needs a new date; assess asks
#    them first and keeps the old file as a dated copy;
#  - this fiscal year's self-check and vendor forms stay due after April 1st;
#  - a failed drill is due again within 30 days, not in 12 months;
#  - いいえ to the gate item while the profile lists systems is a warning and
#    never "all done" (exit 2), for the clinic (h) and the pharmacy (p) form.
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null
cd d
# every answer checked on 2026-03-10 (令和7年度), targets on or after it
python3 - <<'PY'
import re
t = open("answers.yaml", encoding="utf-8").read()
t = t.replace("checked: 2025-06-02", "checked: 2026-03-10")
t = re.sub(r"target: 2025-[0-9-]+", "target: 2026-03-31", t)
open("answers.yaml", "w", encoding="utf-8").write(t)
v = open("vendor-emr.yaml", encoding="utf-8").read()
v = re.sub(r"checked: 2025-[0-9-]+", "checked: 2026-03-10", v)
v = re.sub(r"target: 2025-[0-9-]+", "target: 2026-03-31", v)
open("vendor-emr.yaml", "w", encoding="utf-8").write(v)
PY
cp answers.yaml answers.orig

# ---- 2026-03-31: still 令和7年度
run "$ANZEN" --as-of 2026-03-31 status
expect_out "令和7年度)" "03-31 is in 令和7年度"
expect_out "全体: 10/18 対応済み" "03-31: the answers count as done"
expect_no_out "要再確認" "03-31: nothing to re-check"
expect_out "2026-04-01 令和8年度のチェックリストで自己点検" "03-31: next year's self-check is upcoming"
expect_out "2026-04-01 令和8年度の事業者確認用を みどりメディカルシステム株式会社 (架空) (電子カルテ" "03-31: next year's vendor form is upcoming"
expect_no_out "令和7年度の事業者確認用を みどりメディカル" "03-31: the emr form of 令和7年度 is held"

# ---- 2026-04-01: 令和8年度
run "$ANZEN" --as-of 2026-04-01 status
expect_rc 2 "04-01: open items"
expect_out "令和8年度)" "04-01 is in 令和8年度"
expect_out "全体: 0/18 対応済み" "04-01: last year's はい no longer counts"
expect_out "[未回答・要再確認]" "04-01: a はい of last year is to re-check"
expect_out "要再確認 (前年度以前に確認した回答" "04-01: the re-check section names the fiscal year"
expect_out "[はい・要再確認]  前の確認日 2026-03-10" "04-01: the old date checked is shown"
expect_out "前年度の目標日 2027-03-31: 新しい目標日が必要" "04-01: a carried いいえ needs a new target"
expect_out "2026-04-01 令和8年度のチェックリストで自己点検" "04-01: this year's self-check stays due"
expect_out "2026-04-01 令和8年度の事業者確認用を みどりメディカルシステム株式会社 (架空) (電子カルテ" "04-01: this year's vendor form stays due"
run "$ANZEN" --as-of 2026-05-01 status
expect_out "2026-04-01 [期限切れ] 令和8年度のチェックリストで自己点検" "05-01: the self-check is overdue"
run "$ANZEN" --as-of 2026-04-01 status --format json
python3 - "$T/out" <<'PY' && ok "status json: stale answers marked" || not_ok "status json stale"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
items = [i for i in s["items"] if i.get("answer")]
st = [i for i in items if i.get("stale")]
assert len(st) >= 17, len(st)
assert all(i["reconfirm"] for i in st)
PY
run "$ANZEN" --as-of 2026-04-01 report --format md -o -
expect_out "要再確認: 18 件 (前年度以前に確認した回答" "report md: the answers to re-check, by fiscal year"
run "$ANZEN" --as-of 2026-04-01 calendar -o -
expect_out "SUMMARY:令和8年度のチェックリストで自己点検" "calendar 04-01: 令和8年度 self-check kept"
expect_out "DTSTART;VALUE=DATE:20260401" "calendar 04-01: dated April 1st"
cmp -s answers.yaml answers.orig && ok "status leaves answers.yaml alone" || not_ok "answers.yaml changed by status"

# assess asks the stale ones first and keeps the old file as a dated copy
run_in "y


y


" "$ANZEN" --as-of 2026-04-01 assess --interactive
expect_out "前年度以前に確認した回答が" "assess says how many are to re-check"
expect_out "[要再確認] 前年度以前に確認した回答" "assess marks the item it asks"
[ -f answers.cl-r7.2026-04-01.yaml ] && ok "dated copy kept" || not_ok "no dated copy"
cmp -s answers.cl-r7.2026-04-01.yaml answers.orig && ok "the copy is the file as it was" || not_ok "copy differs"
grep -q "checked: 2026-04-01" answers.yaml && ok "the re-checked answer has this year's date" || not_ok "no new date"
run "$ANZEN" --as-of 2026-04-01 status
expect_out "全体: 1/18 対応済み" "after re-checking one: it counts"

# ---- a failed restore drill: due again within 30 days
cd "$T"
"$ANZEN" demo -o f >/dev/null
cd f
export ANZEN_TODAY=2026-12-07
"$ANZEN" record drill --date 2026-11-26 --result 失敗 --restore-time 3時間 >/dev/null
run "$ANZEN" status
expect_out "2026-12-26 バックアップからの復元訓練 (前回 2026-11-26 は失敗: やり直し)" "status: the failed drill is due in 30 days"
run "$ANZEN" --as-of 2026-12-27 status
expect_out "2026-12-26 [期限切れ] バックアップからの復元訓練" "status: overdue after that"
run "$ANZEN" calendar -o -
expect_out "DTSTART;VALUE=DATE:20261226" "calendar: the redo date"
expect_no_out "DTSTART;VALUE=DATE:20271126" "calendar: not 12 months later"
"$ANZEN" record drill --date 2026-12-05 --result 成功 >/dev/null
run "$ANZEN" status --days 400
expect_out "2027-12-05 バックアップからの復元訓練" "a successful drill restarts the yearly cycle"
"$ANZEN" record backup --date 2026-12-06 --result 失敗 >/dev/null
run "$ANZEN" status
expect_out "2027-01-05 オフラインのバックアップの確認 (前回 2026-12-06 は失敗: やり直し)" "a failed backup check is due again"
export ANZEN_TODAY=2025-11-24

# ---- the gate: いいえ against a profile with systems
gate_case() { # form-name, profile
    cd "$T"
    rm -rf g && mkdir g && cd g
    cp "$2" profile.yaml
    # the repro's input: the date is not a confirmation, so no answer is kept
    run_in "n
2026-06-01

" "$ANZEN" assess --interactive
    expect_out "警告: プロファイルには医療情報システムがあります" "$1: assess warns"
    expect_no_out "ほかの項目は対象外" "$1: assess does not close every item"
    if [ -f answers.yaml ] && grep -q "answer: いいえ" answers.yaml; then not_ok "$1: いいえ kept unconfirmed"; else ok "$1: nothing kept unconfirmed"; fi
    run_in "n
yes
2026-06-01

q
" "$ANZEN" assess --interactive
    expect_out "この回答は要対応" "$1: a confirmed いいえ stays open"
    run "$ANZEN" status
    expect_rc 2 "$1: status is not all done"
    expect_out "警告: 前提項目「医療情報システムの有無」に「いいえ」と回答していますが" "$1: status warns"
    expect_no_out "ほかの項目は対象外" "$1: status does not say everything is 対象外"
    run "$ANZEN" status --format json
    python3 - "$T/out" <<'PY' && ok "$1: json gate_conflict" || not_ok "$1: json gate_conflict"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
assert s["gate_conflict"] is True and s["gate_closed"] is False
PY
    run "$ANZEN" report -o r.html
    grep -q "食い違っています" r.html && ok "$1: report warns" || not_ok "$1: report lacks the warning"
    grep -q "医療情報システムがないため" r.html && not_ok "$1: report says no systems" || ok "$1: report does not say no systems"
}
cat >"$T/pharm.yaml" <<'EOF'
anzen-profile: 1
institution:
  name: あおば薬局
  type: pharmacy
  medical-systems: true
  ops-staff: false
  maintenance-outsourced: false
systems:
  - id: receipt
    name: "レセコン"
    hosting: cloud
    vendor: "ひかりシステム"
    introduced: 2021-04-01
EOF
gate_case pharmacy "$T/pharm.yaml"
sed -e 's/あおば薬局/さくら診療所/' -e 's/type: pharmacy/type: clinic\n  beds: 0/' "$T/pharm.yaml" >"$T/clinic.yaml"
gate_case clinic "$T/clinic.yaml"

done_testing
