#!/bin/sh
# SPDX-License-Identifier: MIT
# Ledgers written the ways clinics write them (tests/data/ledgers, made by
# make.py): each imports without --map (one documented --map for a header
# that is truly ambiguous), with the expected assets, VPN devices, extra
# columns and findings, the KEV entries of each vendor VPN box; round trips
# through LibreOffice keep every column; errors are all reported at once
# with the row Excel shows; the template; type detection.
. "$(dirname "$0")/lib.sh"
C="$TEST_DATA/ledgers"
cat > profile.yaml <<'Y'
anzen-profile: 1
institution: {name: x, type: clinic}
Y

python3 - "$C/expected.json" > list.txt <<'PY'
import json, sys
for k, v in json.load(open(sys.argv[1], encoding="utf-8")).items():
    print(k + "\t" + " ".join(v.get("map", [])))
PY
[ "$(wc -l < list.txt)" -ge 20 ] && ok "at least 20 ledgers in the corpus" || not_ok "corpus too small"
while IFS="$(printf '\t')" read -r f map; do
    # shellcheck disable=SC2086 # map is "--map HEADER=field" or empty
    run "$ANZEN" ledger import "$C/$f" -o "led-$f.csv" $map
    expect_rc 0 "$f imports"
    run "$ANZEN" ledger check "led-$f.csv" --format json
    cp "$T/out" "chk-$f.json"
    python3 - "$C/expected.json" "$f" "led-$f.csv" "chk-$f.json" <<'PY' && ok "$f: assets, VPN devices, extra columns and findings as expected" || not_ok "$f: not as expected"
import csv, io, json, sys
exp = json.load(open(sys.argv[1], encoding="utf-8"))[sys.argv[2]]
raw = open(sys.argv[3], "rb").read()
assert raw[:3] == b"\xef\xbb\xbf"
rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
h, body = rows[0], rows[1:]
byname = {r[h.index("名称")]: dict(zip(h, r)) for r in body}
chk = json.load(open(sys.argv[4], encoding="utf-8"))
fs = chk["findings"]
def fail(msg):
    print("#  ", msg, file=sys.stderr)
    for f in fs:
        print("#    ", f["asset"], f["rule"], f["ja"][:80], file=sys.stderr)
    sys.exit(1)
if len(body) != exp["assets"] or chk["assets"] != exp["assets"]:
    fail("assets %d, want %d" % (len(body), exp["assets"]))
for e in exp["extras"]:
    if e not in h[14:]:
        fail("extra column %s missing from %s" % (e, h))
vpn = sorted(n for n, r in byname.items()
             if any(f["asset"] == n and f["rule"] == "remote-unconfirmed" for f in fs))
if vpn != sorted(exp["vpn"]):
    fail("VPN devices %s, want %s" % (vpn, exp["vpn"]))
have = {(f["asset"], f["rule"]) for f in fs}
for a, r in exp.get("findings", []):
    if r == "none":
        if any(f["asset"] == a for f in fs):
            fail("%s has findings" % a)
    elif (a, r) not in have:
        fail("missing finding %s %s" % (a, r))
for a, r in exp.get("absent", []):
    if (a, r) in have:
        fail("unexpected finding %s %s" % (a, r))
for a, cve in exp.get("kev", {}).items():
    k = [f for f in fs if f["asset"] == a and f["rule"] == "kev"]
    if not k or cve not in [c["cve"] for c in k[0]["cves"]]:
        fail("%s: KEV %s not found" % (a, cve))
for a, t in exp.get("text", {}).items():
    if not any(f["asset"] == a and t in f["ja"] for f in fs):
        fail("%s: no finding says %s" % (a, t))
for a, cells in exp.get("cells", {}).items():
    for col, v in cells.items():
        if byname[a].get(col) != v:
            fail("%s %s = %r, want %r" % (a, col, byname[a].get(col), v))
PY
done < list.txt

# the one ambiguous header: refused with the way out named, then --dry-run
run "$ANZEN" ledger import "$C/20-needs-map.csv" -o x.csv
expect_rc 1 "a ledger with no recognisable name column"
expect_err "--map '見出し=name'" "the error shows the --map to use"
run "$ANZEN" ledger import "$C/14-merged-header.xlsx" --dry-run
expect_rc 0 "--dry-run"
expect_out "見出しの行: 3 行目" "--dry-run: the header row under the title and merged group row"
expect_out "C列「IPアドレス」 → IPアドレス [ip]" "--dry-run: how a column was read"
expect_out "G列「備考」 → 備考 (追加の列として保持) [notes]" "--dry-run: an extra column kept"
[ ! -e ledger.csv ] && ok "--dry-run writes nothing" || not_ok "--dry-run wrote ledger.csv"
run "$ANZEN" ledger import "$C/01-utf8-bom.csv" --dry-run --map '備考=extra'
expect_out "L列「備考」 → anzen が点検しない列" "--map HEADER=extra"
expect_out "(--map による)" "--dry-run names what --map decided"
run "$ANZEN" ledger import "$C/01-utf8-bom.csv" --map '備考=colour'
expect_rc 64 "--map to an unknown field"
expect_err "項目「colour」は anzen にありません" "the unknown field is named with the fields"
run "$ANZEN" ledger import "$C/01-utf8-bom.csv" --map 'nothing=name'
expect_rc 64 "--map naming no header"

# the sheet that looks like a ledger, not the first (表紙, 更新履歴 come first)
run "$ANZEN" ledger import "$C/15-extra-sheets.xlsx" --dry-run
python3 - "$T/out" <<'PY' && ok "the ledger sheet is picked among cover, history and hidden list sheets" || not_ok "sheet choice"
import sys
t = open(sys.argv[1], encoding="utf-8").read()
assert "機器: 2 台" in t, t
PY

# several ledger sheets (PCs, network devices) become one ledger; the
# problems of every sheet are reported at once, by sheet and row
run "$ANZEN" ledger import "$C/24-two-sheets.xlsx" --dry-run
expect_out "シート $C/24-two-sheets.xlsx:PC" "--dry-run: the PC sheet"
expect_out "シート $C/24-two-sheets.xlsx:ネットワーク機器" "--dry-run: the network sheet"
expect_out "2 枚のシートから 機器: 4 台" "--dry-run: both sheets counted"
expect_no_out "表紙" "the cover sheet is not a ledger"
python3 - <<'PY'
import zipfile
def sheet(rows):
    x = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(rows, 1):
        x.append('<row r="%d">' % r)
        for c, v in enumerate(row):
            x.append('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % ("ABCDEFG"[c], r, v))
        x.append("</row>")
    x.append("</sheetData></worksheet>")
    return "".join(x)
z = zipfile.ZipFile("two-bad.xlsx", "w")
z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="PC" sheetId="1" r:id="rId1"/><sheet name="NW" sheetId="2" r:id="rId2"/></sheets></workbook>')
z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
z.writestr("xl/worksheets/sheet1.xml", sheet([["機器名", "種類", "IPアドレス"], ["a", "PC", "192.0.2.300"]]))
z.writestr("xl/worksheets/sheet2.xml", sheet([["機器名", "種類", "IPアドレス"], ["r", "ルータ", "192.0.2.1"], ["s", "スイッチ", "10.0.0"]]))
z.close()
PY
run "$ANZEN" ledger import two-bad.xlsx -o two-bad.csv
expect_rc 1 "a workbook with errors on two sheets"
expect_err "two-bad.xlsx:PC: 行 2 (Excel の行番号), 列「IPアドレス」" "the first sheet's error"
expect_err "two-bad.xlsx:NW: 行 3 (Excel の行番号), 列「IPアドレス」" "and the second sheet's, at once"
[ ! -e two-bad.csv ] && ok "nothing written" || not_ok "two-bad.csv written"

# round trips: import → export (CSV and XLSX) → LibreOffice → import keeps
# every column, the unknown ones included
same() {
    python3 - "$1" "$2" <<'PY'
import csv, io, sys
def rows(p):
    raw = open(p, "rb").read()
    t = raw[3:].decode("utf-8") if raw[:3] == b"\xef\xbb\xbf" else raw.decode("utf-8")
    return [[f.replace("\r\n", "\n") for f in r] for r in csv.reader(io.StringIO(t, newline=""))]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
if a != b:
    for x, y in zip(a, b):
        if x != y:
            print("#  ", x, "\n#  ", y, file=sys.stderr)
sys.exit(0 if a == b and len(a) > 1 else 1)
PY
}
for f in 01-utf8-bom.csv 05-quoted-newlines.csv 17-notes-newlines.xlsx 16-hidden-columns.xlsx; do
    run "$ANZEN" ledger export "led-$f.csv" -o "rt-$f.csv"
    run "$ANZEN" ledger import "rt-$f.csv" -o "rt2-$f.csv"
    same "led-$f.csv" "rt2-$f.csv" && ok "$f: CSV export imports back with every column" || not_ok "$f: CSV round trip"
    run "$ANZEN" ledger export "led-$f.csv" --format xlsx -o "rt-$f.xlsx"
    run "$ANZEN" ledger import "rt-$f.xlsx" -o "rt3-$f.csv"
    same "led-$f.csv" "rt3-$f.csv" && ok "$f: XLSX export imports back with every column" || not_ok "$f: XLSX round trip"
done
grep -q "'=HYPERLINK" "rt-17-notes-newlines.xlsx.csv" && ok "CSV export neutralises a formula (OWASP: leading quote)" ||
    not_ok "formula not neutralised"
if command -v soffice >/dev/null 2>&1; then
    mkdir -p lo-in
    for f in 01-utf8-bom.csv 17-notes-newlines.xlsx; do cp "rt-$f.xlsx" "lo-in/$f.xlsx"; done
    soffice --headless -env:UserInstallation=file://$T/lo --convert-to 'xlsx:Calc MS Excel 2007 XML' \
        --outdir lo-x lo-in/*.xlsx >/dev/null 2>&1
    soffice --headless -env:UserInstallation=file://$T/lo --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' \
        --outdir lo-c lo-in/*.xlsx >/dev/null 2>&1
    for f in 01-utf8-bom.csv 17-notes-newlines.xlsx; do
        run "$ANZEN" ledger import "lo-x/$f.xlsx" -o "lo4-$f.csv"
        same "led-$f.csv" "lo4-$f.csv" && ok "$f: through LibreOffice (XLSX) every column survives" ||
            { not_ok "$f: LibreOffice XLSX round trip"; sed 's/^/#   /' "$T/err" | head -5; }
        run "$ANZEN" ledger import "lo-c/$f.csv" -o "lo5-$f.csv"
        same "led-$f.csv" "lo5-$f.csv" && ok "$f: through LibreOffice (CSV) every column survives" ||
            { not_ok "$f: LibreOffice CSV round trip"; sed 's/^/#   /' "$T/err" | head -5; }
    done
else
    not_ok "LibreOffice (soffice) is not installed"
fi

# every error at once, by the row Excel shows (a quoted newline above does
# not shift it), the header as written and what is accepted
printf '機器台帳\r\n\r\n名称,種別,ＩＰアドレス,MAC,最終更新日,サポート終了日,外部接続\r\n' > bad.csv
printf '"複数行の\r\n備考がある機器",PC,１９２．０．２．１,00:11:22:33:44:55,2025-01-01,,\r\n' >> bad.csv
printf 'b,PC,999.1.1.1,00:11:22:33:44,R99.1.1,1989-12-31,たぶん\r\n' >> bad.csv
printf 'c,PC,192.0.2.3,,2024-02-30,,\r\n' >> bad.csv
run "$ANZEN" ledger import bad.csv -o bad-out.csv
expect_rc 1 "a ledger with errors"
expect_err "bad.csv: 行 5 (Excel の行番号), 列「ＩＰアドレス」: IP アドレス「999.1.1.1」が正しくありません (受け付ける形式: 192.168.1.10" "IP address checked, Excel row 5 (not line 6)"
expect_err "bad.csv: 行 5 (Excel の行番号), 列「MAC」: MAC アドレス「00:11:22:33:44」が正しくありません" "MAC address checked"
expect_err "列「最終更新日」: 日付「R99.1.1」は 2117-01-01 と読めますが、ありえない年です" "R99.1.1 refused"
expect_err "列「サポート終了日」: 日付「1989-12-31」は" "a date before 1990 refused"
expect_err "列「外部接続」: 「たぶん」は はい/いいえ ではありません" "yes/no checked"
expect_err "bad.csv: 行 6 (Excel の行番号), 列「最終更新日」: 日付「2024-02-30」が読めません" "the next row's error too"
expect_err "2 行に誤りがある" "all errors at once"
[ ! -e bad-out.csv ] && ok "nothing written" || not_ok "bad-out.csv written"
run "$ANZEN" ledger import bad.csv -o bad-out.csv --skip-bad-rows
grep -q "192.0.2.1," bad-out.csv && ok "a full-width IP address is valid and stored half-width" || not_ok "full-width IP"
run "$ANZEN" --lang en ledger import bad.csv -o bad-en.csv
expect_err "bad.csv: row 5 (as Excel numbers it), column \"ＩＰアドレス\": \"999.1.1.1\" is not an IP address (accepted:" "errors in English"

# an empty ledger does not replace one with assets
printf '名称,種別\r\n' > empty.csv
cp "led-01-utf8-bom.csv.csv" ledger.csv
run "$ANZEN" ledger import empty.csv
expect_rc 1 "an empty ledger does not replace a full one"
expect_err "--replace-empty" "the way to do it is named"
cmp -s ledger.csv "led-01-utf8-bom.csv.csv" && ok "ledger.csv untouched" || not_ok "ledger.csv replaced"
run "$ANZEN" ledger import empty.csv --replace-empty
expect_rc 0 "--replace-empty"
rm -f ledger.csv

# the file's real type is named
printf 'anzen-profile: 1\ninstitution: {name: x}\n' > notledger.csv
run "$ANZEN" ledger import notledger.csv
expect_rc 1 "a YAML file as a ledger"
expect_err "これは YAML です" "the YAML file is called YAML"
printf '\211PNG\r\n\032\n\0\0\0' > pic.csv
run "$ANZEN" ledger import pic.csv
expect_err "これは PNG の画像 です" "a picture is called a picture"
printf '\320\317\021\340\241\261\032\341\0\0' > old.xls
run "$ANZEN" ledger import old.xls
expect_err ".xlsx として保存し直してください" "an old .xls: save it again as .xlsx"

# the template: columns, drop-downs, one example row, and it imports
run "$ANZEN" ledger template -o tmpl.xlsx
expect_rc 0 "ledger template"
python3 - <<'PY' && ok "the template has the columns, drop-down lists and an example row" || not_ok "template contents"
import zipfile, re
z = zipfile.ZipFile("tmpl.xlsx")
names = z.namelist()
sheet = z.read("xl/worksheets/sheet1.xml").decode()
sst = z.read("xl/sharedStrings.xml").decode()
assert sheet.count("<dataValidation ") >= 3, sheet
assert "VPN装置" in sheet and "事務長" in sheet  # the drop-down lists
for h in ["種別", "名称", "管理者", "持ち込み", "最終パッチ適用日", "備考", "VPN装置", "複合機", "事務長"]:
    assert h in sst, h
PY
python3 - <<'PY' && ok "the template has one example row, marked 例" || not_ok "example row"
import zipfile
z = zipfile.ZipFile("tmpl.xlsx")
sst = z.read("xl/sharedStrings.xml").decode()
assert "保守用VPNルータ" in sst and "<t>例</t>" in sst, sst[:300]
PY
run "$ANZEN" ledger import tmpl.xlsx -o tmpl.csv --dry-run
expect_out "B列「種別」 → 種別 [kind]" "the template's columns are understood"
expect_out "機器: 0 台" "the example row (例) is not an asset"
run "$ANZEN" ledger import tmpl.xlsx -o tmpl.csv
expect_rc 1 "the empty template is not a first ledger"
expect_err "機器が 1 台もありません" "the empty import is refused with the reason"
[ ! -e tmpl.csv ] && ok "nothing written" || not_ok "tmpl.csv written"
run "$ANZEN" ledger import tmpl.xlsx -o tmpl.csv --replace-empty
expect_rc 0 "the template imports with --replace-empty"

# the README lists every column anzen understands and links the template,
# which is the one `ledger template` writes
python3 - "$SRCDIR" <<'PY' && ok "README: every accepted column listed, the template linked" || not_ok "README ledger section"
import re, sys
src = sys.argv[1]
readme = open(src + "/README.md", encoding="utf-8").read()
sec = readme[readme.index("## 機器台帳 (anzen ledger)"):]
sec = sec[:sec.index("\n## ")]
assert "(docs/ledger-template.xlsx)" in sec and "anzen ledger template" in sec
fields = re.findall(r'^  - field: "?([a-z-]+)"?$', open(src + "/data/ledger/vocabulary.yaml", encoding="utf-8").read(), re.M)
assert len(fields) >= 20, fields
for f in fields:
    assert "| `%s` |" % f in sec, f
PY
run "$ANZEN" ledger import "$SRCDIR/docs/ledger-template.xlsx" -o x.csv --dry-run
cp "$T/out" doc-tmpl.txt
run "$ANZEN" ledger import tmpl.xlsx -o x.csv --dry-run
cmp -s doc-tmpl.txt "$T/out" && ok "docs/ledger-template.xlsx reads as ledger template writes it" ||
    not_ok "docs/ledger-template.xlsx is stale (anzen ledger template -o docs/ledger-template.xlsx)"
run "$ANZEN" ledger import "$SRCDIR/docs/ledger-template.xlsx" -o doc-tmpl.csv --replace-empty
expect_rc 0 "the template in docs/ imports"
cmp -s doc-tmpl.csv tmpl.csv && ok "docs/ledger-template.xlsx is what ledger template writes" ||
    not_ok "docs/ledger-template.xlsx is stale (anzen ledger template -o docs/ledger-template.xlsx)"

# totals rows: skipped, and the import says so
run "$ANZEN" ledger import "$C/25-totals.csv" -o tot.csv
expect_rc 0 "a ledger with a 合計 row imports"
expect_err "25-totals.csv: 行 4 (Excel の行番号): 「合計」の行は集計の行として読み飛ばしました" "the totals row is named as skipped"
expect_out "合計・小計の行として読み飛ばした行: 1 行" "the summary counts the totals row"
run "$ANZEN" ledger import "$C/26-totals-col-a.xlsx" -o tot2.csv
expect_rc 0 "合計 in column A with the name empty does not block the import"

# errors on two sheets: one refusal with the total, each error once
run "$ANZEN" ledger import "$C/29-errors-two-sheets.xlsx" -o two.csv
expect_rc 1 "errors on two sheets"
[ "$(grep -c "何も取り込みませんでした" "$T/err")" = 1 ] && ok "the refusal is said once for the file" ||
    not_ok "the refusal is said $(grep -c "何も取り込みませんでした" "$T/err") times"
expect_err "3 行に誤りがあるため、何も取り込みませんでした" "the refusal counts the rows of every sheet"
[ "$(grep -c "192.0.2.300" "$T/err")" = 1 ] && ok "a row error is printed once" || not_ok "a row error printed $(grep -c "192.0.2.300" "$T/err") times"
[ ! -e two.csv ] && ok "nothing written" || not_ok "two.csv written"
run "$ANZEN" ledger import "$C/29-errors-two-sheets.xlsx" --dry-run
expect_rc 1 "--dry-run fails when the import would refuse rows"
expect_err "3 行に誤りがあります。このまま取り込むと何も取り込みません" "--dry-run says how many rows"
expect_out "(--dry-run: ledger.csv には何も書いていません)" "--dry-run still shows how the columns were read"
[ ! -e ledger.csv ] && ok "--dry-run writes nothing" || not_ok "--dry-run wrote ledger.csv"

# --skip-bad-rows: the bad cells are blanked, the rows (and the VPN box)
# kept; a VPN row that cannot be kept is named loudly
run "$ANZEN" ledger import "$C/29-errors-two-sheets.xlsx" -o two.csv --skip-bad-rows
expect_rc 0 "--skip-bad-rows imports"
expect_out "4 件を two.csv に取り込みました (除外 1 行)" "only the row without a name is left out"
expect_out "誤りのある欄を空欄にして取り込んだ行: 2 行" "says how many rows had cells blanked"
expect_err "列「最終更新日」: 日付「2025年13月1日」が読めません" "the blanked cell is named"
expect_err "→ この欄を空欄にして取り込みます" "and what was done with it"
expect_err "ネットワーク機器: 行 3 (Excel の行番号): 警告: VPN・リモート保守装置の行ですが、名称がないため取り込めませんでした" "a VPN row left out gets a warning"
grep -q "^VPN装置,保守VPN,,,192.0.2.1,,,,,あおばメディカル,,," two.csv && ok "the VPN device is kept, its bad date blank" ||
    not_ok "保守VPN not kept: $(cat two.csv)"
grep -q "^端末,受付PC,,,," two.csv && ok "the PC with a bad IP is kept, the IP blank" || not_ok "受付PC not kept"

# a ledger with a header and no devices is not a first ledger
printf '名称,種別,IPアドレス\r\n' > hdr.csv
rm -f new.csv
run "$ANZEN" ledger import hdr.csv -o new.csv
expect_rc 1 "a headers-only ledger on a first import"
expect_err "機器が 1 台もありません" "says there are no devices"
[ ! -e new.csv ] && ok "no empty ledger written" || not_ok "new.csv written"
run "$ANZEN" ledger import hdr.csv -o new.csv --replace-empty
expect_rc 0 "--replace-empty writes the empty ledger"
run "$ANZEN" ledger import hdr.csv --dry-run
expect_rc 1 "--dry-run of a headers-only ledger fails like the import"
expect_err "機器が 1 台もないため、このままでは取り込みません" "and says why"

# small things: a directory, the size limit in MiB
mkdir -p adir
run "$ANZEN" ledger import adir
expect_rc 1 "a directory as the ledger"
expect_err "adir はディレクトリです" "says it is a directory"
head -c 9000000 /dev/zero | tr '\0' 'a' > big.csv
run "$ANZEN" ledger import big.csv -o big-out.csv
expect_rc 1 "a file over the limit"
expect_err "上限 8 MiB" "the limit in MiB"

# the remote-maintenance finding says what to do, in plain words
grep -q "台帳の所属システム欄にそのシステム (電子カルテなど) を書くか、保守業者欄に事業者名を書くか、anzen init または profile.yaml でそのシステムをリモート保守ありにしてください" chk-30-os-no-eol.csv.json &&
    ok "remote-unconfirmed says what to do" || not_ok "remote-unconfirmed message"
grep -q "プロファイルの remote-maintenance" chk-30-os-no-eol.csv.json && not_ok "remote-unconfirmed names a profile key" ||
    ok "remote-unconfirmed names no profile key"
grep -q '7\.0\.12)' chk-30-os-no-eol.csv.json && not_ok "a bracket kept in the version" || ok "no bracket in the version"
grep -q "Windows 10 はサポートが 2025-10-14 に終わっています" chk-30-os-no-eol.csv.json &&
    ok "Windows 10 without a support-end column is out of support" || not_ok "Windows 10 end of support"

# CP932 export: the character, its device, row and column, and UTF-8
printf '名称,種別,管理者,備考\r\n受付PC,PC,𠮷田,患者様♡用\r\n事務PC,PC,院内,\r\n' > gaiji.csv
run "$ANZEN" ledger import gaiji.csv -o gaiji-led.csv
expect_rc 0 "a ledger with characters CP932 lacks imports"
run "$ANZEN" ledger export gaiji-led.csv --encoding cp932 -o gaiji-932.csv
expect_rc 1 "CP932 export of a character CP932 lacks"
expect_err "gaiji-led.csv: 行 2 の機器「受付PC」の「管理者」欄の文字「𠮷」(U+20BB7) は CP932 (Excel の CSV) で表せません" "names the character, row, device and column"
expect_err "「備考」欄の文字「♡」(U+2661)" "every such character"
expect_err "--encoding utf-8" "suggests UTF-8"
[ ! -e gaiji-932.csv ] && ok "no partial CP932 file" || not_ok "gaiji-932.csv written"

# ledger list: a long kind or name does not run into the next column
printf '名称,種別,OS\r\nとても長い名前の電子カルテ用サーバ機器その一,とても長い種別の名前の機器,Windows\r\n' > long.csv
run "$ANZEN" ledger import long.csv -o long-led.csv
run "$ANZEN" ledger list long-led.csv
expect_out "とても長い種別の名前の機器 とても長い名前の電子カルテ用サーバ機器その一 Windows" "list columns are kept apart"

# the header-not-found error lists the headers in Japanese
printf 'a,b,c\r\n1,2,3\r\n' > nohead.csv
run "$ANZEN" ledger import nohead.csv -o nohead-led.csv
expect_rc 1 "no header row"
expect_err "anzen が読む見出し: 種別、名称、設置場所" "the error lists the Japanese headers"
run "$ANZEN" --help
expect_out "機器の台帳 (Excel の XLSX、CSV" "top-level help says the ledger may be XLSX"
done_testing
