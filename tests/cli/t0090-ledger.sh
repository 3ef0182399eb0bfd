#!/bin/sh
# anzen ledger import|list: Excel-made CSVs in UTF-8 (with BOM) and CP932,
# headers in Japanese or English in any order, Excel date serials, 令和
# dates and full-width digits; bad rows reported with row, column and
# reason, and nothing half-imported.
. "$(dirname "$0")/lib.sh"

# UTF-8 with BOM, English headers in a different order, CRLF, a quoted
# newline, an Excel serial (45383 = 2024-04-01), R6.4.1, full-width digits
printf '\357\273\277Name,Kind,Administered by,Last patch,Support end,Location,Reachable from outside\r\n' > en.csv
printf 'emr-server,server,institution,45383,2029-03-31,"server room\r\n2F",no\r\n' >> en.csv
printf 'vpn-router,VPN,,R6.4.1,令和8年3月31日,rack,yes\r\n' >> en.csv
printf 'reception-pc,terminal,institution,２０２５年１０月１日,,受付,\r\n' >> en.csv
run "$ANZEN" ledger import en.csv -o ledger.csv
expect_rc 0 "UTF-8 CSV with English headers"
expect_out "3 件を ledger.csv に取り込みました" "three assets"
run "$ANZEN" ledger list
expect_out "vpn-router" "list shows the VPN router"
expect_out "管理者: (空欄)" "blank administrator shown"
python3 - <<'PY' && ok "ledger.csv is canonical: BOM, Japanese headers, ISO dates, quoted newline kept" || not_ok "canonical ledger.csv"
import csv, io
raw = open("ledger.csv", "rb").read()
assert raw.startswith(b"\xef\xbb\xbf")
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
h = rows[0]
assert h[0] == "種別" and "最終パッチ適用日" in h
d = {r[h.index("名称")]: r for r in rows[1:]}
assert d["emr-server"][h.index("最終パッチ適用日")] == "2024-04-01"
assert d["emr-server"][h.index("設置場所")] == "server room\r\n2F"
assert d["vpn-router"][h.index("最終パッチ適用日")] == "2024-04-01"
assert d["vpn-router"][h.index("サポート終了日")] == "2026-03-31"
assert d["vpn-router"][h.index("種別")] == "VPN装置"
assert d["reception-pc"][h.index("最終パッチ適用日")] == "2025-10-01"
assert d["vpn-router"][h.index("外部から接続可能")] == "はい"
PY

# CP932 as Excel saves it, Japanese headers, a wave dash
python3 - <<'PY'
rows = ["種別,名称,管理者,設置場所,バージョン", "ネットワーク機器,院内ルータ,院内,2F〜3F,ＲＸ８３０", "医療機器,超音波装置,メーカー,検査室,"]
open("sjis.csv", "wb").write(("\r\n".join(rows) + "\r\n").encode("cp932"))
PY
run "$ANZEN" ledger import sjis.csv -o ledger2.csv
expect_rc 0 "CP932 CSV"
run "$ANZEN" ledger list ledger2.csv
expect_out "院内ルータ" "CP932 decoded"
expect_out "超音波装置" "medical device row"
grep -q "2F〜3F" ledger2.csv && ok "wave dash kept as 〜" || not_ok "wave dash"

# bad rows: every one reported, nothing imported
printf '種別,名称,最終パッチ適用日\r\nサーバ,a,2024-02-30\r\nプリンタ,b,\r\nサーバ,,\r\nサーバ,ok,R6.4.1\r\n' > bad.csv
run "$ANZEN" ledger import bad.csv -o ledger3.csv
expect_rc 1 "a file with bad rows"
expect_err "bad.csv: 行 2 (Excel の行番号), 列「最終パッチ適用日」: 日付「2024-02-30」が読めません (受け付ける形式: 2024-04-01," "invalid date with Excel row, header and accepted forms"
expect_err "bad.csv: 行 4 (Excel の行番号), 列「名称」: 名称が空です" "empty name with row and header"
expect_err "2 行に誤りがある" "every bad row counted"
expect_err "何も取り込みませんでした" "nothing imported"
[ ! -e ledger3.csv ] && ok "no ledger written" || not_ok "ledger3.csv written"
run "$ANZEN" ledger import bad.csv -o ledger3.csv --skip-bad-rows
expect_rc 0 "--skip-bad-rows imports the good rows"
expect_out "3 件を ledger3.csv に取り込みました (除外 1 行)" "counts imported and skipped rows (only the one without a name)"
expect_out "誤りのある欄を空欄にして取り込んだ行: 1 行" "says a row was kept with a cell blanked"
expect_err "bad.csv: 行 2 (Excel の行番号), 列「最終パッチ適用日」: 日付「2024-02-30」が読めません" "blanked cells are still reported"
expect_err "2024-02-30」が読めません (受け付ける形式: 2024-04-01, 2024/4/1, 2024年4月1日, 令和6年4月1日, R6.4.1, Excel の日付, 月だけの 2024年4月・R6.4; 1990 年から基準日の 10 年後まで; 不明・未定・- は空欄) → この欄を空欄にして取り込みます" "the report names the blanked cell"
expect_err "行 4 (Excel の行番号), 列「名称」: 名称が空です (受け付ける形式: 機器の名前 (型番や IP アドレスでも可)) → この行は取り込みません" "the row left out is named"
grep -q "^サーバ,a,,,,,,,,,,," ledger3.csv && ok "the row with a bad date is kept, the date blank" || not_ok "row a not kept with the date blank"
grep -q "^プリンタ,b," ledger3.csv && ok "a kind written the clinic's way is kept (プリンタ)" || not_ok "プリンタ kind"

# findings: each rule, with its edges (as of 2025-11-24; patch limit 180 days)
cat > profile.yaml <<'Y'
anzen-profile: 1
institution: {name: x, type: clinic}
systems:
  - {id: emr, name: 電子カルテ, hosting: on-prem, vendor: A社, remote-maintenance: true}
  - {id: lab, name: 検査, hosting: on-prem, vendor: B社}
Y
printf '種別,名称,所属システム,管理者,最終パッチ適用日,サポート終了日,外部から接続可能\r\n' > f.csv
printf 'VPN装置,vpn-nobody,emr,,2025-11-01,,はい\r\n' >> f.csv
printf 'サーバ,srv-c-corp,emr,C社,2025-11-01,,いいえ\r\n' >> f.csv
printf 'VPN装置,vpn-lab,lab,B社,2025-11-01,,はい\r\n' >> f.csv
printf 'サーバ,eol-yesterday,emr,院内,2025-11-01,2025-11-23,いいえ\r\n' >> f.csv
printf 'サーバ,eol-today,emr,院内,2025-11-01,2025-11-24,いいえ\r\n' >> f.csv
printf 'サーバ,patch-180,emr,院内,2025-05-28,,いいえ\r\n' >> f.csv
printf 'サーバ,patch-181,emr,院内,2025-05-27,,いいえ\r\n' >> f.csv
printf 'ネットワーク機器,router-nopatch,,院内,,,はい\r\n' >> f.csv
printf '医療機器,modality-open,,A社,2025-11-01,,はい\r\n' >> f.csv
printf '端末,pc-fine,emr,院内,2025-11-01,2030-01-01,いいえ\r\n' >> f.csv
ANZEN_TODAY=2025-11-24 run "$ANZEN" ledger check f.csv --format json
expect_rc 2 "ledger check finds gaps"
python3 - "$T/out" <<'PY' && ok "every rule fires exactly where it should" || not_ok "ledger rules"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
got = sorted((f["asset"], f["rule"], f["level"]) for f in d["findings"])
want = sorted([
    ("vpn-nobody", "no-admin", "gap"),
    ("srv-c-corp", "vendor-no-contract", "gap"),
    ("vpn-lab", "remote-unconfirmed", "gap"),
    ("eol-yesterday", "eol", "gap"),
    ("eol-today", "eol", "attention"),
    ("patch-181", "patch-age", "attention"),
    ("router-nopatch", "patch-age", "attention"),
    ("modality-open", "exposed", "gap"),
])
assert got == want, got
nob = [f for f in d["findings"] if f["rule"] == "no-admin"][0]
assert nob["items"] == ["cl-r7.h.asset-ledger", "cl-r7.h.patches"] and nob["line"] == 2
PY
ANZEN_TODAY=2025-11-24 run "$ANZEN" ledger check f.csv --patch-days 181
expect_no_out "patch-181" "--patch-days moves the limit"
ANZEN_TODAY=2025-11-24 run "$ANZEN" ledger check f.csv
expect_out "vpn-nobody: 管理者がいません" "the unmanaged VPN box, in Japanese"

# the demo ledger: its unmanaged vendor VPN router is found
"$ANZEN" demo -o dm >/dev/null
ANZEN_TODAY=2025-11-24 run "$ANZEN" -C dm ledger check
expect_out "保守用VPNルータ: みどりメディカルシステム株式会社 (架空) が持ち込み、管理者がいません" "demo: the unmanaged VPN router, and who brought it in"
expect_out "FortiOS (FortiGate の SSL-VPN) 6.4.6 は KEV (既知の悪用された脆弱性、2025.08.25 版) の CVE-2024-21762 ほか 4 件" \
    "demo: its firmware is in KEV, headed by the newest ransomware CVE"
expect_out "6.4.15 以上へ更新し" "demo: the version that fixes all of them"
[ -s dm/ledger-check.json ] && ok "demo writes ledger-check.json" || not_ok "ledger-check.json"

# ledger findings feed the plan: the demo says 2-⑥ patches are done (はい),
# but the ledger shows an unpatched VPN router, so 2-⑥ comes back
python3 - <<'PY'
import re
t = open("dm/answers.yaml", encoding="utf-8").read()
t = re.sub(r"(- item: cl-r7\.h\.patches[^\n]*\n    answer: )いいえ\n    checked: [0-9-]+\n    target: [0-9-]+\n",
           r"\1はい\n    checked: 2025-11-01\n", t)
open("dm/answers.yaml", "w", encoding="utf-8").write(t)
PY
ANZEN_TODAY=2025-11-24 run "$ANZEN" -C dm plan --format json
python3 - "$T/out" <<'PY' && ok "a satisfied item contradicted by the ledger returns to the plan" || not_ok "ledger into plan"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
it = {x["id"]: x for x in p["items"]}
pt = it["cl-r7.h.patches"]
assert pt["tier"] == 1 and "台帳の点検で指摘 (回答は「はい」)" in pt["reason"]["ja"], pt
assert "台帳: 保守用VPNルータ" in it["cl-r7.h.asset-ledger"]["reason"]["ja"]
PY
ANZEN_TODAY=2025-11-24 run "$ANZEN" -C dm plan --ledger none.csv --format json
python3 - "$T/out" <<'PY' && ok "without a ledger the item stays closed" || not_ok "no ledger"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
assert "cl-r7.h.patches" not in [x["id"] for x in p["items"]]
PY

# export: UTF-8 with BOM (as kept), CP932 for old Excel, English headers;
# each one imports back to the same ledger
run "$ANZEN" ledger export -o out-utf8.csv
expect_rc 0 "export UTF-8"
cmp -s out-utf8.csv ledger.csv && ok "the UTF-8 export is the canonical ledger" || not_ok "UTF-8 export differs"
run "$ANZEN" ledger export ledger2.csv --encoding cp932 -o out-sjis.csv
expect_rc 0 "export CP932"
python3 - <<'PY' && ok "the CP932 export is CP932 without a BOM, wave dash mapped" || not_ok "CP932 export bytes"
raw = open("out-sjis.csv", "rb").read()
assert not raw.startswith(b"\xef\xbb\xbf")
t = raw.decode("cp932")
assert "院内ルータ" in t and "2F～3F" in t.replace("〜", "～")
PY
run "$ANZEN" ledger import out-sjis.csv -o back-sjis.csv
cmp -s back-sjis.csv ledger2.csv && ok "CP932 export imports back unchanged" || not_ok "CP932 round trip"
run "$ANZEN" ledger export --headers en
expect_out "Kind,Name,Location" "English headers"
expect_out "vpn,vpn-router" "English kind tokens"
"$ANZEN" ledger export --headers en > out-en.csv
run "$ANZEN" ledger import out-en.csv -o back-en.csv
cmp -s back-en.csv ledger.csv && ok "English export imports back unchanged" || not_ok "English round trip"
run "$ANZEN" ledger export --encoding latin1
expect_rc 64 "unknown encoding"
run "$ANZEN" ledger export missing.csv
expect_rc 1 "export of a missing ledger"
expect_err "missing.csv がありません (台帳は anzen ledger import FILE で取り込みます)" \
    "a missing ledger says how to bring one in"

# XLSX: export, LibreOffice opens it and saves CSV and XLSX again, and each
# of those imports back to the same ledger (a real client round trip). A
# line break inside a cell is LF in a workbook (XML normalises CR LF), so
# the ledgers are compared field by field with that one difference allowed.
same_ledger() { # a b
    python3 - "$1" "$2" <<'PY'
import csv, io, sys
def rows(p):
    t = open(p, encoding="utf-8-sig").read()
    return [[f.replace("\r\n", "\n") for f in r] for r in csv.reader(io.StringIO(t, newline=""))]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
sys.exit(0 if a == b and len(a) > 1 else 1)
PY
}
run "$ANZEN" ledger export --format xlsx -o l.xlsx
expect_rc 0 "export XLSX"
run "$ANZEN" ledger export --format xlsx
expect_rc 64 "XLSX needs -o"
run "$ANZEN" ledger import l.xlsx -o back-x.csv
same_ledger back-x.csv ledger.csv && ok "our XLSX imports back unchanged" || not_ok "XLSX round trip"
if command -v soffice >/dev/null 2>&1; then
    soffice --headless -env:UserInstallation=file://$T/lo --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' \
        --outdir lo-csv l.xlsx >/dev/null 2>&1
    soffice --headless -env:UserInstallation=file://$T/lo --convert-to 'xlsx:Calc MS Excel 2007 XML' \
        --outdir lo-xlsx l.xlsx >/dev/null 2>&1
    run "$ANZEN" ledger import lo-csv/l.csv -o back-lc.csv
    same_ledger back-lc.csv ledger.csv && ok "CSV saved by LibreOffice from our XLSX imports back unchanged" ||
        { not_ok "LibreOffice CSV round trip"; diff ledger.csv back-lc.csv | sed 's/^/#   /' | head; }
    run "$ANZEN" ledger import lo-xlsx/l.xlsx -o back-lx.csv
    same_ledger back-lx.csv ledger.csv && ok "XLSX saved again by LibreOffice imports back unchanged" ||
        { not_ok "LibreOffice XLSX round trip"; cat "$T/err" | sed 's/^/#   /' | head; }
else
    not_ok "LibreOffice (soffice) is not installed"
fi
# rows Excel leaves empty are skipped; errors in a workbook name sheet, row, column
printf 'kind,name\r\nserver,a\r\n,\r\n,,\r\nserver,b\r\n' > gaps.csv
run "$ANZEN" ledger import gaps.csv -o gaps-out.csv
expect_out "2 件を gaps-out.csv に取り込みました (除外 0 行)" "empty rows are not assets"
python3 - <<'PY'
import zipfile
# a small hand-made workbook with a bad date on row 3, column C
sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="inlineStr"><is><t>kind</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="inlineStr"><is><t>last-patch</t></is></c></row>'
         '<row r="3"><c r="A3" t="inlineStr"><is><t>server</t></is></c><c r="B3" t="inlineStr"><is><t>a</t></is></c><c r="C3" t="inlineStr"><is><t>2024-13-01</t></is></c></row>'
         '</sheetData></worksheet>')
z = zipfile.ZipFile("hand.xlsx", "w")
z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台帳" sheetId="1" r:id="rId1"/></sheets></workbook>')
z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
z.writestr("xl/worksheets/sheet1.xml", sheet)
z.close()
PY
run "$ANZEN" ledger import hand.xlsx -o hand.csv
expect_rc 1 "a workbook with a bad date"
expect_err "hand.xlsx:台帳: 行 3 (Excel の行番号), 列「last-patch」:" "the error names the sheet, row and column"
head -c 2000 l.xlsx > trunc.xlsx
run "$ANZEN" ledger import trunc.xlsx
expect_rc 1 "a truncated workbook"
expect_one_line_err "truncated workbook"

# header problems
printf 'kind,name,colour\r\nserver,a,red\r\n' > h1.csv
run "$ANZEN" ledger import h1.csv -o h1-out.csv
expect_rc 0 "an unknown column is no reason to refuse"
grep -q "colour" h1-out.csv && grep -q ",red" h1-out.csv && ok "the unknown column is kept" || not_ok "colour kept"
printf 'name,os\r\na,linux\r\n' > h2.csv
run "$ANZEN" ledger import h2.csv -o h2-out.csv
expect_rc 0 "no kind column: the kind is other"
grep -q "^その他,a," h2-out.csv && ok "kind other" || not_ok "kind other"
printf 'kind,os\r\nserver,linux\r\n' > h4.csv
run "$ANZEN" ledger import h4.csv
expect_rc 1 "no name column"
expect_err "機器の名称の列がありません" "the missing name column is named"
printf 'memo\r\nhello\r\n' > h5.csv
run "$ANZEN" ledger import h5.csv
expect_rc 1 "no header row"
expect_err "見出しの行が見つかりません" "no header row found, fields listed"
expect_err "--map" "--map suggested"
printf 'kind,name\r\nserver,"unterminated\r\n' > h3.csv
run "$ANZEN" ledger import h3.csv
expect_rc 1 "unterminated quote"
expect_err "h3.csv:2:8: 引用符" "unterminated quote located"

# a date given as a month only: the patch date reads as the month's first
# day, the support end as its last, and each says so (ja and en)
cd "$T"
printf '種別,名称,IPアドレス,最終パッチ適用日,サポート終了日\nサーバ,S1,192.0.2.5,2024年3月,2025/3\n' >month.csv
run "$ANZEN" ledger import month.csv -o month-out.csv
expect_rc 0 "a ledger with month-only dates"
expect_err "month.csv: 行 2 (Excel の行番号), 列「最終パッチ適用日」: 「2024年3月」は月だけなので月初めの 2024-03-01 としました" "month-only patch date: the first day"
expect_err "month.csv: 行 2 (Excel の行番号), 列「サポート終了日」: 「2025/3」は月だけなので月末の 2025-03-31 としました" "month-only support end: the last day"
run "$ANZEN" --lang en ledger import month.csv -o month-out.csv
expect_err 'column "最終パッチ適用日": "2024年3月" names a month only: read as its first day, 2024-03-01' "month-only patch date (en)"
expect_err 'column "サポート終了日": "2025/3" names a month only: read as its last day, 2025-03-31' "month-only support end (en)"
done_testing
