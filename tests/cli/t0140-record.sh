#!/bin/sh
# anzen record: every kind, listing, evidence files copied and hashed and
# attached to the related items, key points driven by records, bad input
# refused with the accepted values and nothing written.
. "$(dirname "$0")/lib.sh"

export ANZEN_TODAY=2026-12-07
"$ANZEN" demo -o d >/dev/null
cd d

count_records() {
    python3 -c "import sqlite3; print(sqlite3.connect('anzen.db').execute('select count(*) from records').fetchone()[0])" 2>/dev/null || echo 0
}
count_evidence() {
    python3 -c "import sqlite3; print(sqlite3.connect('anzen.db').execute('select count(*) from evidence').fetchone()[0])" 2>/dev/null || echo 0
}

# ---- help
run "$ANZEN" record --help
expect_rc 0 "record --help"
expect_out "anzen record 種類" "help in Japanese"
expect_out "bcp       サイバー攻撃を想定した BCP" "help lists the kinds"
run "$ANZEN" --lang en record --help
expect_out "anzen record KIND" "help in English"

# ---- one of each kind
printf '訓練の記録\n' >drill-report.txt
run "$ANZEN" record drill --date 令和8年11月20日 --by 山田 --result 成功 --restore-time 1時間30分 --file drill-report.txt
expect_rc 0 "record drill (era date, result, restore time, evidence)"
expect_out "復元訓練 2026-11-20 成功 (90 分) 実施: 山田" "drill confirmed"
run "$ANZEN" record backup --date 2026-11-01 --result ok --by 佐藤
expect_rc 0 "record backup"
run "$ANZEN" record bcp --date R8.6.1 --note "第2版, 改訂; 理事会承認"
expect_rc 0 "record bcp (R8.6.1)"
run "$ANZEN" record contacts --date 2026/6/2 --by 事務長
expect_rc 0 "record contacts (2026/6/2)"
run "$ANZEN" record training --date 2026年4月10日 --by 院長
expect_rc 0 "record training"
run "$ANZEN" record review --date 2026-06-03
expect_rc 0 "record review"
run "$ANZEN" --lang en record drill --date 2025-11-01 --result failed
expect_rc 0 "record in English"
expect_out "restore drill 2025-11-01 failed" "English confirmation"
[ "$(count_records)" = 7 ] && ok "seven records stored" || not_ok "records: $(count_records)"

# ---- list
run "$ANZEN" record list
expect_rc 0 "record list"
expect_out "サイバー攻撃を想定した BCP 2026-06-01 — 第2版, 改訂; 理事会承認" "list shows the note"
expect_out "職員の研修 2026-04-10 実施: 院長" "list shows who"
run "$ANZEN" record list --kind drill --format json
expect_rc 0 "record list --kind drill --format json"
sum=$(sha256sum drill-report.txt | cut -c1-64)
python3 - "$T/out" "$sum" <<'PY' && ok "json list: only drills, evidence hashed and copied" || not_ok "json list"
import json, sys, os
j = json.load(open(sys.argv[1], encoding="utf-8"))
assert j["schema"] == "anzen-records/1"
r = j["records"]
assert [x["kind"] for x in r] == ["drill", "drill"], r
ok = [x for x in r if x["result"] == "ok"][0]
assert ok["minutes"] == 90 and ok["by"] == "山田" and ok["date"] == "2026-11-20"
assert ok["sha256"] == sys.argv[2]
assert ok["file"].startswith("evidence/" + sys.argv[2][:16])
assert open(ok["file"], encoding="utf-8").read() == "訓練の記録\n"
PY
[ "$(stat -c %a evidence)" = 700 ] && [ "$(find evidence -type f ! -perm 600 | wc -l)" -eq 0 ] \
    && ok "evidence copies are 0600 in a 0700 folder (only the owner reads them)" \
    || not_ok "evidence modes: $(stat -c '%a %n' evidence evidence/*)"

# ---- records are evidence on the related items
run "$ANZEN" workspace evidence cl-r7.h.backup-restore
expect_out "[record] 復元訓練 2026-11-20 成功 (90 分) 実施: 山田" "drill is evidence of the backup item"
expect_out "record:1 evidence/" "evidence names the record and the copy"
run "$ANZEN" workspace evidence cl-r7.h.incident-contacts
expect_out "[record] インシデント時の連絡体制図 2026-06-02" "contacts is evidence of the contacts item"
expect_out "BCP と連絡体制の見直し 2026-06-03" "a review is evidence of the contacts item too"
run "$ANZEN" workspace log
expect_out "record:3" "the change log has the record"

# ---- key points read the records (records win over profile.yaml)
run "$ANZEN" keypoints --format json
python3 - "$T/out" <<'PY' && ok "key points from records" || not_ok "key points from records"
import json, sys
k = json.load(open(sys.argv[1], encoding="utf-8"))
t = {x["id"]: x for x in k["tracks"]}
f = t["backup"]["findings"]
drill = [x for x in f if "restore drill" in x["en"]][0]
assert drill["level"] == "ok" and drill["source"] == "record" and drill["date"] == "2026-11-20" and drill["by"] == "山田", drill
bk = [x for x in f if "offline backup" in x["en"]][0]
assert bk["level"] == "ok" and bk["source"] == "record", bk
ib = t["incident-bcp"]["findings"]
assert all(x["level"] == "ok" and x["source"] == "record" for x in ib), ib
assert t["training"]["level"] == "ok"
PY
# 13 months later the drill is overdue (a gap), the review needs doing
run "$ANZEN" --as-of 2027-12-21 keypoints
expect_rc 2 "keypoints a year later"
expect_out "✗ 12 か月以内の復元訓練がありません (最終 2026-11-20" "a 13-month-old drill is overdue"
expect_out "[要確認] 職員の研修" "training of the past fiscal year needs attention"

# ---- electronic signatures: not recorded is never shown as good
mkdir ../bare && cd ../bare
cat >profile.yaml <<'EOF'
anzen-profile: 1
institution: {name: 記録のない診療所, type: clinic}
systems: []
EOF
run "$ANZEN" keypoints
expect_rc 2 "keypoints with nothing recorded"
expect_out "[未記録] 電子署名・タイムスタンプ" "unrecorded signatures are 未記録"
expect_no_out "[良好] 電子署名" "not shown as good"
expect_out "[未記録] 連絡体制と BCP" "unrecorded BCP is 未記録"
expect_out "[未記録] バックアップと復元訓練" "unrecorded backups are 未記録"
run "$ANZEN" --lang en keypoints
expect_out "[not recorded] Electronic signatures and timestamps" "English: not recorded"
run "$ANZEN" record drill --date 2026-12-01 --result ok
run "$ANZEN" keypoints
expect_out "✓ 復元訓練 2026-12-01 成功、次回 2027-12-01 まで" "a fresh drill satisfies it"
cd ../d

# ---- bad input: clear errors, non-zero exit, nothing written
before=$(count_records)
ev_before=$(count_evidence)
run "$ANZEN" record drills
expect_rc 64 "unknown kind"
expect_err "記録の種類 \"drills\" は使えません。使えるもの: bcp, backup, drill, contacts, training, review" "unknown kind lists the kinds"
run "$ANZEN" --lang en record nope
expect_err "unknown record kind \"nope\"; accepted: bcp, backup, drill, contacts, training, review" "English lists the kinds"
run "$ANZEN" record drill --date 2026-02-30
expect_rc 64 "invalid date"
expect_err "--date \"2026-02-30\" は日付として読めません。使える書き方: 2026-05-01、2026/5/1、2026年5月1日、令和8年5月1日、R8.5.1" "invalid date lists the forms"
expect_one_line_err "invalid date"
run "$ANZEN" record drill --date 令和1年4月30日
expect_rc 64 "era date outside its era"
run "$ANZEN" record bcp --date 2027-01-01
expect_rc 1 "a date after today"
expect_err "記録の日付 2027-01-01 が今日 (2026-12-07) より後です" "future date explained"
run "$ANZEN" record drill --file no-such-report.pdf
expect_rc 1 "missing evidence file"
expect_err "証跡のファイル no-such-report.pdf を開けません: ファイルがありません" "missing evidence file named"
: >empty.txt
run "$ANZEN" record drill --file empty.txt
expect_rc 1 "empty evidence file"
run "$ANZEN" record drill --file .
expect_rc 1 "a directory as evidence"
run "$ANZEN" record drill --result maybe
expect_rc 64 "bad result"
expect_err "使えるもの: 成功, 失敗, ok, failed" "bad result lists the values"
run "$ANZEN" record drill --restore-time soon
expect_rc 64 "bad restore time"
expect_err "使える書き方: 90、90分、1時間30分、1h30m" "bad restore time lists the forms"
run "$ANZEN" record bcp --result ok
expect_rc 64 "--result on a BCP"
run "$ANZEN" record list --kind foo
expect_rc 64 "list with an unknown kind"
run "$ANZEN" record drill --bogus
expect_rc 64 "unknown option"
expect_err "使えるもの: --date --by --note --file" "unknown option lists the options"
run "$ANZEN" record
expect_rc 64 "no kind"
[ "$(count_records)" = "$before" ] && ok "no record written by bad input" || not_ok "records changed: $before -> $(count_records)"
[ "$(count_evidence)" = "$ev_before" ] && ok "no evidence written by bad input" || not_ok "evidence changed"
[ "$(ls evidence | wc -l)" = 1 ] && ok "no evidence copy left behind" || not_ok "evidence/: $(ls evidence)"

# a store that cannot be written: the evidence copy is removed again
printf 'x\n' >minutes2.txt
chmod a-w anzen.db
if [ "$(id -u)" != 0 ]; then
    run "$ANZEN" record bcp --file minutes2.txt
    expect_rc 1 "read-only store"
    [ "$(ls evidence | wc -l)" = 1 ] && ok "copy removed after the failed record" || not_ok "copy left behind"
fi
chmod u+w anzen.db

done_testing
