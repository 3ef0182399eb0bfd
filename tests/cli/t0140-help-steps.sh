#!/bin/sh
# Help at every step: mistyped commands and subcommands get a suggestion,
# errors about a value list the accepted values, OS errors read in
# Japanese, and the main commands end with a "次に:" line for people
# (stderr, never inside --format json).
. "$(dirname "$0")/lib.sh"

# --- typos, like git ---
run "$ANZEN" ledgr import x.csv
expect_rc 64 "mistyped command"
expect_err "未知のコマンド \"ledgr\"" "names the unknown command"
expect_err "もしかして: anzen ledger" "suggests the command"
run "$ANZEN" ledger imprt x.csv
expect_rc 64 "mistyped subcommand"
expect_err "もしかして: anzen ledger import" "suggests the subcommand"
expect_err "import / list / check / export / template" "lists the subcommands"
run "$ANZEN" vendor pakc
expect_err "もしかして: anzen vendor pack" "vendor subcommand suggestion"
run "$ANZEN" --lang en stauts
expect_err "did you mean: anzen status" "suggestion in English"
run "$ANZEN" frobnicate
expect_rc 64 "unrelated word"
if grep -q "もしかして" "$T/err"; then not_ok "no suggestion for an unrelated word"; else
    ok "no suggestion for an unrelated word"; fi

# --- OS errors in Japanese ---
run "$ANZEN" status -p nosuch.yaml
expect_rc 1 "missing profile"
expect_err "nosuch.yaml: 開けません: ファイルがありません" "ENOENT in Japanese"
if grep -q "No such file" "$T/err"; then not_ok "English OS error leaks"; else
    ok "no English OS error in the Japanese message"; fi
mkdir adir
run "$ANZEN" ledger import adir
expect_rc 1 "a directory as the ledger"
if grep -qE "[A-Za-z]{4,} (file|directory)|Is a directory" "$T/err"; then
    not_ok "English OS error for a directory: $(cat "$T/err")"; else ok "directory error in Japanese"; fi
run "$ANZEN" report -o nodir/sub/report.html
if grep -q "No such file\|Not a directory" "$T/err"; then not_ok "English in write error"; else
    ok "write error without English OS text"; fi
run "$ANZEN" --lang en status -p nosuch.yaml
expect_err "No such file or directory" "English stays English with --lang en"

# --- a workspace from init: readable system IDs ---
run_in "テスト医院
2
0
はい
いいえ
n
電子カルテ
1
みどり
2019-10-01
y
n
PACS 画像サーバ
1
ひかり
2020-04-01
n
n
検査システム
1

2021-04-01
n

" "$ANZEN" init
expect_rc 0 "init"
expect_out "システム ID emr = 電子カルテ" "init shows emr"
expect_out "システム ID pacs = PACS 画像サーバ" "init shows pacs"
expect_out "システム ID lab = 検査システム" "init shows lab"
expect_err "次に: anzen assess" "init says what is next"
grep -q "id: emr" profile.yaml && ok "profile has id emr" || not_ok "profile ids: $(grep 'id:' profile.yaml)"

run "$ANZEN" status
expect_err "システム ID: emr = 電子カルテ, pacs = PACS 画像サーバ, lab = 検査システム" "status lists the system IDs"
expect_err "次に: anzen assess" "status suggests assess while items are unanswered"
run "$ANZEN" status --format json
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out" && ok "status json stays JSON" ||
    not_ok "status json"
if grep -q "次に" "$T/out" "$T/err"; then not_ok "次に in json mode"; else ok "no 次に with --format json"; fi

# errors list the accepted values: systems
run "$ANZEN" assess --vendor lab </dev/null
expect_rc 1 "a system without a vendor"
expect_err "指定できるシステム ID: emr (電子カルテ), pacs (PACS 画像サーバ)" "lists the systems with a vendor"
run "$ANZEN" vendor pack --system nosuch
expect_err "emr (電子カルテ)" "vendor pack lists the systems"
run "$ANZEN" procure --system nosuch
expect_err "システム ID: emr (電子カルテ), pacs (PACS 画像サーバ), lab (検査システム)" "procure lists every system"
# the README's examples work: --system emr, --systems emr
run "$ANZEN" procure --system emr -o req.html
expect_rc 0 "procure --system emr"
run "$ANZEN" vendor add midori --name "みどり" --systems emr --contract-start 2019-10-01
expect_rc 0 "vendor add --systems emr"
run "$ANZEN" vendor add bad --name "だめ" --systems nosuch
expect_err "システム ID: emr" "vendor add lists the system IDs"
# a system by its name, and the old system-N IDs still work
run "$ANZEN" vendor pack --system 電子カルテ -o pk
expect_rc 0 "vendor pack by the system's name"
[ -f pk/letter-emr.html ] && ok "…made the emr letter" || not_ok "pk: $(ls pk)"
expect_err "次に:" "vendor pack says what is next"
run "$ANZEN" vendor pack --system system-2 -o pk2
[ -f pk2/letter-pacs.html ] && ok "system-2 still names the second system" || not_ok "pk2: $(ls pk2 2>&1)"

# roles, statuses, tracks and dates
run "$ANZEN" plan --role boss
expect_rc 64 "unknown role"
expect_err "management = 経営層 / planning = 企画管理者 / operations = システム運用担当者 / vendor = 事業者" "roles listed"
run "$ANZEN" plan --status finished
expect_err "open = 未着手 / in-progress = 対応中 / done = 完了 / verified = 確認済み" "statuses listed"
run "$ANZEN" plan set 2-⑥ --track sometime --status done
expect_err "interim = 暫定対策 / permanent = 本対策 / both = 両方" "tracks listed"
run "$ANZEN" plan set 2-⑥ --track interim --due 31/12/2026
expect_rc 64 "unreadable date"
expect_err "受け付ける形式: 2026-03-31、2026/3/31、2026年3月31日、令和8年3月31日、R8.3.31" "date forms listed"
run "$ANZEN" --as-of 2025-13-40 status
expect_rc 64 "bad --as-of"
expect_err "受け付ける形式: 2026-03-31" "--as-of lists the date forms"
run "$ANZEN" plan set 9-⑨ --track interim --status done
expect_err "表示番号 2-⑥ か ID で指定" "unknown item says how to name one"
expect_err "項目: 1-① 2-① 2-②" "and lists the item labels"

# 次に after the main commands, never in JSON
run "$ANZEN" ledger import "$TEST_DATA/ledgers/01-utf8-bom.csv"
expect_rc 0 "ledger import"
expect_err "次に: anzen ledger check" "ledger import says what is next"
"$ANZEN" demo -o d >/dev/null 2>&1
cd d
run "$ANZEN" plan
expect_err "次に: anzen plan set 2-① --track interim" "plan suggests plan set on the first item"
run "$ANZEN" plan --format json
if grep -q "次に" "$T/out" "$T/err"; then not_ok "次に with plan --format json"; else ok "plan json: no 次に"; fi
run "$ANZEN" report
expect_err "次に: anzen report --role management --pdf" "report says what is next"
run "$ANZEN" report --format json
if grep -q "次に" "$T/out" "$T/err"; then not_ok "次に with report --format json"; else ok "report json: no 次に"; fi
run "$ANZEN" --lang en status
expect_err "next: anzen assess" "status suggests assess (English)"
done_testing
