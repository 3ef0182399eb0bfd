#!/bin/sh
# anzen init asks about the yearly duties in plain words: facts go into
# profile.yaml, dated answers become records; input that ends before these
# questions leaves them unrecorded (scripts written for the older questions
# keep working); bad dates are asked again.
. "$(dirname "$0")/lib.sh"

export ANZEN_TODAY=2026-12-07
# name, type, beds, medical systems, ops staff, outsourced, one system
# (name, hosting, vendor, introduced, remote, mfa), end of systems, then:
# BCP yes + date, contacts no, offline backup yes, drill date (a bad one
# first) + worked, training date, e-signatures no
run_in "テスト医院
2
0
はい
いいえ
n
電子カルテ
1
A社
2020-04-01
n
n

はい
令和8年6月1日
いいえ
はい
来週
2025-10-01
はい
2026-05-20
いいえ
" "$ANZEN" init
expect_rc 0 "init with the duty questions"
expect_out "サイバー攻撃を受けたときに診療を続けるための計画 (BCP) はありますか" "asks about the BCP in plain words"
expect_out "最後にバックアップから実際にデータを戻してみた (復元訓練) のはいつですか" "asks when data was last restored"
expect_out "日付として読めないか、今日より後です" "a bad date is asked again"
expect_out "記録を 3 件残しました" "three dated answers recorded"
grep -q 'cyber-bcp: {present: true}' profile.yaml && ok "BCP present in the profile" || not_ok "BCP in profile"
grep -q 'incident-contacts: {present: false}' profile.yaml && ok "no contact chart in the profile" || not_ok "contacts in profile"
grep -q 'backup: {offline: true' profile.yaml && ok "offline backup in the profile" || not_ok "backup in profile"
grep -q 'signatures: \[\]' profile.yaml && ok "no e-signatures stated" || not_ok "signatures"
run "$ANZEN" record list --format json
python3 - "$T/out" <<'PY' && ok "records from init" || not_ok "records from init"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["records"]
k = {(x["kind"], x["date"], x["result"]) for x in r}
assert k == {("bcp", "2026-06-01", None), ("drill", "2025-10-01", "ok"), ("training", "2026-05-20", None)}, k
PY
run "$ANZEN" keypoints
expect_out "✓ 電子署名を使う記録はありません" "stated none: signatures ok"
expect_out "✗ インシデント時の連絡体制図がありません" "no contact chart: a gap"
expect_out "✗ 12 か月以内の復元訓練がありません (最終 2025-10-01" "the drill of 14 months ago is overdue"

# the older script (ends after the systems): the duties stay unrecorded
mkdir old && cd old
run_in "テスト医院
2
0
はい
いいえ
n

" "$ANZEN" init
expect_rc 0 "init with input ending before the duty questions"
[ ! -e anzen.db ] && ok "nothing recorded" || not_ok "anzen.db made"
grep -q readiness profile.yaml && not_ok "readiness written" || ok "no readiness written"
run "$ANZEN" keypoints
expect_out "[未記録] 連絡体制と BCP" "unanswered duties are 未記録"
cd ..

# English, skipping with Enter
mkdir en && cd en
run_in "Test Clinic
2
0
no
no
no






" "$ANZEN" --lang en init
expect_rc 0 "English init, every duty skipped"
expect_out "Is there a plan to keep treating patients during a cyber attack (BCP)?" "English question"
[ ! -e anzen.db ] && ok "skipped: nothing recorded" || not_ok "anzen.db made"
cd ..

done_testing
