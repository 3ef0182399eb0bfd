#!/bin/sh
# Fixes for problems a black-box tester found: non-UTF-8 arguments, the
# CLI's "today" in Japan and future dates, re-running init, init answers,
# mistyped paths, Japanese OS errors, vendor check without a registry, and
# smaller wording problems.
. "$(dirname "$0")/lib.sh"

export ANZEN_TODAY=2026-10-01
CLINIC=$(cat "$TEST_DATA/init-clinic.txt")
mkdir clinic
cd clinic
run_in "$CLINIC
" "$ANZEN" init
expect_rc 0 "init a clinic"

# 4: a CP932 option value is refused up front, naming the option
sj=$(printf '\223\374\227\315')
run "$ANZEN" record training --date 2026-09-01 --note "$sj"
expect_rc 64 "a CP932 --note is a usage error"
expect_err "--note の値) が UTF-8 ではありません (Shift_JIS/CP932 のようです)" "names the option and CP932"
expect_no_out "記録" "nothing recorded"
run "$ANZEN" plan set 2-⑦ --track interim --owner "planning:$sj"
expect_rc 64 "a CP932 --owner is a usage error"
expect_err "--owner の値" "names --owner"
run "$ANZEN" --lang en plan set 2-⑦ --track interim --owner="planning:$sj"
expect_rc 64 "--owner=VALUE in CP932"
expect_err "the value of --owner) is not UTF-8" "in English with --lang en"

# 6: no future dates; a record dated today counts
run "$ANZEN" --as-of 2026-10-01 record contacts --date 2026-10-02
expect_rc 1 "tomorrow's date is refused"
expect_err "今日 (2026-10-01) より後です" "says it is after today"
run "$ANZEN" --as-of 2026-10-01 status
expect_out "[期限切れ] インシデント時の連絡体制図の見直し" "overdue before the record"
run "$ANZEN" --as-of 2026-10-01 record contacts --date 2026-10-01
expect_rc 0 "today's date is accepted"
run "$ANZEN" --as-of 2026-10-01 status
expect_no_out "[期限切れ] インシデント時の連絡体制図の見直し" "status uses the record dated today"
run "$ANZEN" --as-of 2026-10-01 keypoints
expect_out "インシデント時の連絡体制図あり (記録 2026-10-01" "keypoints use the record dated today"
# without --as-of and ANZEN_TODAY, today is the date in Japan, whatever TZ says
jst=$(TZ=UTC date -d '+9 hours' +%Y-%m-%d 2>/dev/null || true)
if [ -n "$jst" ]; then
    # compare the date either side of the call, so midnight does not flake
    run env -u ANZEN_TODAY TZ=America/Los_Angeles "$ANZEN" record list --format json
    jst2=$(TZ=UTC date -d '+9 hours' +%Y-%m-%d)
    run env -u ANZEN_TODAY TZ=America/Los_Angeles "$ANZEN" record contacts --date "$jst2" --note jst
    if [ "$rc" -eq 0 ] || [ "$jst" != "$jst2" ]; then ok "today in Japan is not in the future"; else
        not_ok "today in Japan ($jst2) was refused"
        sed 's/^/#   err: /' "$T/err"
    fi
    tomorrow=$(TZ=UTC date -d '+33 hours' +%Y-%m-%d)
    run env -u ANZEN_TODAY TZ=Pacific/Kiritimati "$ANZEN" record contacts --date "$tomorrow"
    expect_rc 1 "tomorrow in Japan is refused even where TZ is ahead"
fi

# 8: init --force again does not duplicate the records
run_in "$CLINIC
" "$ANZEN" init --force
expect_rc 0 "init --force again"
expect_out "同じ記録が既にある 2 件は追加しませんでした" "says the records were there"
run "$ANZEN" record list
nbcp=$(grep -c "サイバー攻撃を想定した BCP 2025-05-10" "$T/out" || true)
if [ "$nbcp" = 1 ]; then ok "the BCP record is there once"; else not_ok "BCP recorded $nbcp times"; fi
run "$ANZEN" record training --date 2026-09-01 --note 訓練 --by 山田
expect_rc 0 "a training record"
run "$ANZEN" record training --date 2026-09-01 --note 訓練 --by 山田
expect_rc 0 "the same record again"
expect_out "同じ記録が既にあります" "is a no-op that says so"
run "$ANZEN" record training --date 2026-09-01 --note 別の訓練 --by 山田
expect_out "記録 #" "a different note is a new record"

# 3: a CP932 answer at an init prompt is asked again, never written
mkdir sj && cd sj
run_in "$(printf '\203N\203\212\203j\203b\203N')
テスト医院
2
0
いいえ
いいえ
いいえ
" "$ANZEN" init
expect_rc 0 "init with a CP932 name, then a UTF-8 one"
expect_out "入力が UTF-8 ではありません (Shift_JIS/CP932 のようです)" "says the answer is CP932"
expect_out "プロファイルを書きました" "the UTF-8 answer is used"
run "$ANZEN" status
expect_rc 0 "the profile written can be read"
expect_out "テスト医院" "with the UTF-8 name"
cd ..

# 9: full-width digits, letters and spaces in parsed init answers
mkdir fw && cd fw
run_in "全角医院
２
　１９　
ｎ
ｎｏ
Ｎ
" "$ANZEN" init
expect_rc 0 "init with full-width answers"
expect_no_out "1 から 5 の数字で" "full-width type accepted"
expect_no_out "0 以上の整数" "full-width bed count accepted"
expect_no_out "はい (y) か いいえ (n)" "full-width yes/no accepted"
grep -q 'beds: 19' profile.yaml && ok "19 beds stored" || not_ok "beds not 19: $(grep beds profile.yaml)"
cd ..

# 10: a mistyped -a / -w is an error naming it; plan set creates no database
cd "$T/clinic"
run "$ANZEN" status -a answrs.yaml
expect_rc 1 "status -a with a missing file"
expect_err "-a で指定した answrs.yaml を開けません: ファイルがありません" "names -a and the path"
run "$ANZEN" plan -w /nonexist/anzen.db
expect_rc 1 "plan -w with a missing database"
expect_err "/nonexist/anzen.db" "names the database"
run "$ANZEN" plan set 2-⑦ --track interim --status in-progress --workspace=anzn.db
expect_rc 1 "plan set --workspace= with a typo"
[ ! -e anzn.db ] && ok "no new empty database" || not_ok "anzn.db was created"
run "$ANZEN" report -a nope.yaml
expect_rc 1 "report -a missing"

# 11: OS errors in Japanese, and the real reason
run "$ANZEN" record drill --date 2026-09-01 --file ../nonexist.pdf
expect_rc 1 "evidence file missing"
expect_err "証跡のファイル ../nonexist.pdf を開けません: ファイルがありません" "in Japanese"
expect_no_out "No such file" "no English"
for k in "docs bcp" "calendar" "report"; do
    run "$ANZEN" $k -o ../nodir/x.out
    expect_rc 1 "$k -o into a missing folder"
    expect_err "書き込めません: フォルダ ../nodir がありません" "$k: says the folder is missing"
done
if [ -f /proc/version ]; then
    run "$ANZEN" docs bcp -o /proc/version
    expect_rc 1 "docs -o /proc/version"
    expect_err "/proc はファイルを作れる普通のフォルダではありません" "says why, not 'no file'"
fi
cd ..

# 12: vendor check without vendors.yaml reports the unregistered vendors
cd "$T/clinic"
rm -f vendors.yaml
run "$ANZEN" vendor check
expect_rc 2 "vendor check without a registry: gaps, not an error"
expect_out "anzen vendor add で登録してください" "suggests vendor add"
expect_out "電子カルテ (みどりメディカル): 事業者の登録がありません" "names each unregistered vendor"
run "$ANZEN" vendor check -f nope.yaml
expect_rc 1 "an explicit -f that is missing is an error"
cd ..

# 13: a VPN router maintained by the vendor of a remotely maintained system
cd "$T/clinic"
cat >vpn.csv <<'CSV'
種別,名称,所属システム,管理者,最終パッチ適用日,保守業者
ルータ,VPNルータ,,みどりメディカル(株),2026-09-01,みどりメディカル
ルータ,別のVPNルータ,,事務長,2026-09-01,あおぞら商事
CSV
run "$ANZEN" ledger check vpn.csv
expect_no_out "✗ VPNルータ: リモート保守の装置ですが" "matched to the system through the vendor"
expect_out "別のVPNルータ: リモート保守の装置ですが、どのシステムの保守に使うのかが分かりません。台帳の所属システム欄が空" "an unknown vendor says what is missing"
cd ..

# 14: smaller things
cd "$T/clinic"
run "$ANZEN" plan set 2-⑬ --track both --owner 事業者:あおぞら
expect_rc 64 "an unknown vendor as owner"
expect_err "(指定できる事業者: みどりメディカル)" "the vendor is listed once"
run "$ANZEN" docs bpc
expect_rc 64 "docs bpc"
expect_err "もしかして: anzen docs bcp" "docs suggests bcp"
run "$ANZEN" help ledgr
expect_rc 64 "help ledgr"
expect_err "もしかして: anzen ledger" "help suggests ledger"
[ ! -s "$T/out" ] && ok "help ledgr prints no whole help" || not_ok "help ledgr printed the help"
run env ANZEN_CHROMIUM=/nonexistent PATH=/nonexistent "$ANZEN" docs bcp --format pdf -o b.pdf
expect_no_out "anzen report -o report.html" "the Chromium hint is not about report"
if grep -qF "Chromium" "$T/err"; then
    expect_err "同じコマンドを PDF の指定 (--pdf / --format pdf) なしで" "the hint fits any command"
fi
run "$ANZEN" docs contacts -o contacts.html
expect_rc 0 "docs contacts without IT staff"
grep -q "異常に気付いた人 → 企画管理者 →" contacts.html && ok "the chain skips the operations role" ||
    not_ok "the chain goes through the operations role"
grep -q "その仕事はみどりメディカルが受け持ちます" contacts.html && ok "names who takes the operations work" ||
    not_ok "no substitute named"
grep -q "<td>システム運用担当者" contacts.html && not_ok "an empty operations row" || ok "no empty operations row"
cd ..
mkdir ph && cd ph
run_in "テスト薬局
4
はい
いいえ
いいえ
レセコン
1
A社
2020-04-01
いいえ
いいえ

はい
2025-05-01
いいえ
いいえ



いいえ
" "$ANZEN" init
expect_rc 0 "pharmacy init"
expect_out "調剤業務を続けるための計画 (BCP)" "pharmacy BCP question"
expect_out "電子処方箋の調剤結果などに電子署名" "pharmacy signature question"
expect_no_out "診療を続ける" "no clinic wording"
run "$ANZEN" docs bcp -o bcp.html
grep -q "薬局内のサーバを先" bcp.html && ok "pharmacy BCP: 薬局内" || not_ok "pharmacy BCP wording"
grep -q "院内のサーバを先" bcp.html && not_ok "pharmacy BCP says 院内" || ok "no 院内 in the pharmacy BCP"
cd ..

# ---- the demo is this fiscal year's: make demo on any day shows a clinic
# that did its check this year, not 18 answers to check again
rm -rf dnow dold
ANZEN_TODAY=2026-12-07 "$ANZEN" demo -o dnow >dnow.txt 2>&1
ANZEN_TODAY=2025-11-24 "$ANZEN" demo -o dold >/dev/null 2>&1
grep -q "checked: 2026-06-02" dnow/answers.yaml && ! grep -q "要再確認" dnow.txt \
    && ok "demo in 令和8年度: answers checked 2026-06-02, nothing to re-check" \
    || not_ok "demo in 令和8年度: $(grep -m1 checked dnow/answers.yaml); $(grep -c 要再確認 dnow.txt) 要再確認"
grep -q "checked: 2025-06-02" dold/answers.yaml && grep -q "checked: 2025-07-10" dold/vendor-emr.yaml \
    && ok "demo in 令和7年度: the embedded dates as they are" || not_ok "demo in 令和7年度"
rm -rf dapr
ANZEN_TODAY=2026-04-10 "$ANZEN" demo -o dapr >/dev/null 2>&1
! grep -q "checked: 2026-0[5-9]" dapr/answers.yaml dapr/vendor-emr.yaml && grep -q "checked: 2026-04-10" dapr/answers.yaml \
    && ok "demo on 2026-04-10: no check date after the reference date" || not_ok "demo in April: $(grep -m1 checked dapr/answers.yaml)"

# ---- a long institution name reaches the generated workbook whole
rm -rf dlong
"$ANZEN" demo -o dlong >/dev/null 2>&1
LONG=$(python3 -c 'print("医療法人社団さくら会" * 40)')
python3 - dlong/profile.yaml "$LONG" <<'PY'
import re, sys
p, name = sys.argv[1], sys.argv[2]
s = open(p, encoding="utf-8").read()
s = re.sub(r'(?m)^(\s*)name: さくら内科.*$', lambda m: '%sname: "%s"' % (m.group(1), name), s, count=1)
assert name in s
open(p, "w", encoding="utf-8").write(s)
PY
(cd dlong && "$ANZEN" docs bcp --format xlsx -o bcp.xlsx >/dev/null 2>&1)
python3 - dlong/bcp.xlsx "$LONG" <<'PY' && ok "docs xlsx: a 400-character institution name is whole in the sheet heads" || not_ok "docs xlsx long name"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
assert sys.argv[2] in text
PY

done_testing
