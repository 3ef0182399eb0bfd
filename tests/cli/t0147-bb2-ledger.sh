#!/bin/sh
# Second black-box test, ledger side: a hospital-sized ledger (30,000
# rows) with one bad row reports the error first, notes summarised (#5);
# anzen's own 30,000-row XLSX export imports again (#7); vendor systems
# checked against profile.yaml, and a vendors.yaml naming an unknown
# system is a warning, not a failure (#8).
. "$(dirname "$0")/lib.sh"

# 5: 30,000 rows, every one with a month-only date (an informational note
# each, far over 1 MiB), one bad IP on Excel row 25003, in CP932
python3 - <<'PY'
with open("big.csv", "w", encoding="utf-8") as f:
    f.write("種別,名称,IPアドレス,最終パッチ適用日\n")
    for i in range(30000):
        ip = "10.999.1.1" if i + 2 == 25003 else f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}"
        f.write(f"PC,端末{i:05d},{ip},2024年3月\n")
PY
iconv -f UTF-8 -t CP932 big.csv >big-sjis.csv
run "$ANZEN" ledger import big-sjis.csv -o l.csv
expect_rc 1 "a ledger with one bad row is refused"
expect_err "行 25003 (Excel の行番号), 列「IPアドレス」" "the bad row is reported"
if head -1 "$T/err" | grep -qF "行 25003"; then ok "the error comes first"; else
    not_ok "the error comes first"
    head -3 "$T/err" | sed 's/^/#   err: /'
fi
expect_err "…ほか 29980 件のお知らせ (--verbose で全部)" "the notes are summarised with a count"
notes=$(grep -c "月だけなので" "$T/err")
if [ "$notes" -eq 20 ]; then ok "20 notes shown"; else not_ok "20 notes shown: $notes"; fi
expect_err "1 行に誤りがあるため、何も取り込みませんでした" "the summary ends the report"
[ ! -e l.csv ] && ok "nothing written" || not_ok "nothing written"
run "$ANZEN" ledger import big-sjis.csv -o l.csv --verbose
notes=$(grep -c "月だけなので" "$T/err")
if [ "$notes" -eq 30000 ]; then ok "--verbose shows every note"; else not_ok "--verbose: $notes notes"; fi
expect_err "行 25003 (Excel の行番号)" "--verbose still has the error"
run "$ANZEN" --lang en ledger import big-sjis.csv -o l.csv
expect_err "... and 29980 more notes (--verbose for all)" "the count in English"

# 7: a 30,000-row ledger exported as XLSX by anzen imports again; a
# hospital's has unique names, addresses, MACs and places (> 100,000
# distinct strings)
python3 - <<'PY'
with open("gen.csv", "w", encoding="utf-8") as f:
    f.write("種別,名称,設置場所,IPアドレス,MACアドレス,OS,バージョン\n")
    for i in range(30000):
        f.write(f"PC,端末{i:05d},病棟{i}号室,10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1},"
                f"02:00:00:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x},Windows 11,"
                f"23H2.{i}\n")
PY
run "$ANZEN" ledger import gen.csv -o big.csv
expect_rc 0 "the 30,000-row ledger imports"
run "$ANZEN" ledger export big.csv --format xlsx -o big.xlsx
expect_rc 0 "exported as XLSX"
run "$ANZEN" ledger import big.xlsx -o again.csv
expect_rc 0 "anzen's own XLSX imports again"
if grep -qF "共有文字列" "$T/err"; then not_ok "no shared-strings limit"; else ok "no shared-strings limit"; fi
rows=$(wc -l <again.csv)
if [ "$rows" -eq 30001 ]; then ok "30,000 rows again"; else not_ok "30,000 rows again: $rows lines"; fi
if grep -q "端末29999" again.csv; then ok "the last row is there"; else not_ok "the last row is there"; fi

# 8: vendor add checks --systems against profile.yaml
mkdir v8
cd v8
run "$ANZEN" vendor add midori --name みどりメディカル --systems emr
expect_rc 0 "without a profile the vendor is added"
expect_err "警告: profile.yaml がまだないため、--systems のシステム ID を確かめられません" \
    "and a warning says the IDs were not checked"
rm vendors.yaml
export ANZEN_TODAY=2026-10-01
CLINIC=$(cat "$TEST_DATA/init-clinic.txt")
run_in "$CLINIC
" "$ANZEN" init
expect_rc 0 "init a clinic (systems emr, receipt)"
run "$ANZEN" vendor add midori --name みどりメディカル --systems emx
expect_rc 64 "a system the profile lacks is refused"
expect_err "--systems: システム \"emx\" は profile.yaml にありません (システム ID: emr (電子カルテ), receipt (レセコン))" \
    "naming the valid IDs"
expect_err "もしかして: emr" "and the close one"
[ ! -e vendors.yaml ] && ok "nothing written" || not_ok "nothing written"
run "$ANZEN" vendor add midori --name みどりメディカル --systems emr,receipt
expect_rc 0 "known systems are accepted"
# a registry naming a system the profile no longer has: a warning, not a failure
printf '  - id: aoba\n    name: あおば\n    systems: [emr, lab]\n' >>vendors.yaml
printf '種別,名称,IPアドレス,管理者\nPC,受付PC,192.168.1.10,院内\n' >l.csv
run "$ANZEN" ledger import l.csv
expect_rc 0 "a small ledger"
run "$ANZEN" ledger check
if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then ok "ledger check runs (exit $rc)"; else
    not_ok "ledger check runs: exit $rc"
    sed 's/^/#   err: /' "$T/err" | head
fi
expect_err "vendors.yaml:9:" "the warning names the file and line"
expect_err "警告: 事業者 aoba のシステム \"lab\" はプロファイルにありません" "and the system"
run "$ANZEN" vendor list
expect_rc 0 "vendor list still reads the registry"
cd ..

done_testing
