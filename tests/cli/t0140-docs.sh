#!/bin/sh
# anzen docs bcp|contacts|drill and anzen report --inspection: documents
# drafted from the demo workspace (ledger, vendors, plan) as HTML, XLSX
# (opened by LibreOffice, XML well-formed) and PDF; the drill record sheet
# filled in, re-saved by LibreOffice, imported as evidence, listed on the
# item, in the inspection pack and in the checklist XLSX; a pharmacy gets
# pharmacy wording in every document; bad input is refused cleanly.
. "$(dirname "$0")/lib.sh"

lo() { # filter outdir files...
    filter=$1
    out=$2
    shift 2
    soffice -env:UserInstallation="file://$T/lo-profile" --headless --convert-to "$filter" \
        --outdir "$out" "$@" >"$T/lo.log" 2>&1
}
CSV='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'
FILL="$TEST_DATA/docs/fill-xlsx.py"

# valid UTF-8 and, for a workbook, every XML part well-formed
valid() { # file...
    python3 - "$@" <<'PY'
import sys, zipfile, xml.dom.minidom
for f in sys.argv[1:]:
    data = open(f, "rb").read()
    if f.endswith(".xlsx"):
        z = zipfile.ZipFile(f)
        for n in z.namelist():
            if n.endswith(".xml") or n.endswith(".rels"):
                xml.dom.minidom.parseString(z.read(n))
    else:
        data.decode("utf-8")
PY
}
# the text of a page (tags dropped)
text() { python3 -c 'import re,sys,html; s=open(sys.argv[1],encoding="utf-8").read(); print(html.unescape(re.sub(r"<[^>]+>"," ",s)))' "$1"; }

"$ANZEN" demo -o d >/dev/null
cd d

# ---- the BCP ----
run "$ANZEN" docs bcp
expect_rc 0 "docs bcp"
expect_err "bcp.html" "says where it wrote"
ok_stages=1
for s in heiji kenchi shodou fukkyu jigo; do grep -q "id=\"sec-$s\"" bcp.html || ok_stages=0; done
for w in 平時 検知 初動 復旧 事後; do grep -q "<h2>[0-9]. $w" bcp.html || ok_stages=0; done
[ $ok_stages = 1 ] && ok "the five stages 平時・検知・初動・復旧・事後" || not_ok "bcp stages"
text bcp.html >bcp.txt
if grep -q '電子カルテサーバ.*Windows Server 2019 1809.*192.0.2.10' bcp.txt &&
    grep -q '受付PC-1.*Windows 11 23H2.*192.0.2.21' bcp.txt && ! grep -q 'RTX830.*192.0.2.254.*端末' bcp.txt; then
    ok "平時: every server and PC with OS and IP"
else not_ok "bcp asset list"; sed 's/^/#   /' bcp.txt | head -40; fi
if grep -q '保守用VPNルータ.*FortiOS 6.4.6.*192.0.2.1 .*みどりメディカルシステム株式会社 (架空).*拠点間 VPN' bcp.txt &&
    grep -q 'CVE-2024-21762' bcp.txt; then
    ok "平時: the vendor VPN device with its KEV state and the registry's connection"
else not_ok "bcp VPN entry point"; fi
grep -q '電子カルテ系.*電子カルテサーバ、受付PC-1、保守用VPNルータ' bcp.txt && ok "平時: network segments" || not_ok "segments"
grep -q 'バックアップの系統の切り離し' bcp.txt && grep -q 'class="blank"' bcp.html &&
    ok "初動: decisions with blank fields to fill" || not_ok "bcp decisions"
grep -q '当院' bcp.html && grep -q '医療法施行規則' bcp.html && ok "a clinic's wording and legal basis" || not_ok "clinic wording"
grep -q '未確認' bcp.html && ok "marks what could not be verified" || not_ok "unverified mark"
if grep -qiE '<script|<link|src="http' bcp.html; then not_ok "external content"; else ok "self-contained"; fi

run "$ANZEN" docs bcp --format xlsx -o bcp.xlsx
expect_rc 0 "docs bcp as XLSX"
run "$ANZEN" docs contacts --format xlsx -o contacts.xlsx
expect_rc 0 "docs contacts as XLSX"
run "$ANZEN" docs drill --format xlsx -o drill.xlsx
expect_rc 0 "docs drill as XLSX"
mkdir -p csv
lo "$CSV" csv bcp.xlsx
python3 - csv <<'PY' && ok "LibreOffice opens the BCP workbook with the text intact" || not_ok "bcp.xlsx via LibreOffice"
import csv, glob, sys
text = ""
for f in glob.glob(sys.argv[1] + "/*.csv"):
    text += open(f, encoding="utf-8").read()
assert "サイバー攻撃を想定した事業継続計画" in text, text[:300]
assert "保守用VPNルータ" in text and "FortiOS 6.4.6" in text and "192.0.2.10" in text
assert "1. 平時の備え" in text
PY
python3 - bcp.xlsx <<'PY' && ok "one sheet per stage" || not_ok "bcp sheets"
import re, sys, zipfile
wb = zipfile.ZipFile(sys.argv[1]).read("xl/workbook.xml").decode()
names = re.findall(r'<sheet [^>]*name="([^"]+)"', wb)
assert names[:5] == ["1 平時", "2 検知", "3 初動", "4 復旧", "5 事後"], names
PY

# ---- the contact chart ----
run "$ANZEN" docs contacts -o contacts.html
expect_rc 0 "docs contacts"
text contacts.html >contacts.txt
if grep -q '経営層' contacts.txt && grep -q '企画管理者.*事務長 山田 (架空)' contacts.txt &&
    grep -q 'システム運用担当者' contacts.txt; then ok "internal roles, the person in charge named"; else
    not_ok "contacts roles"; sed 's/^/#   /' contacts.txt | grep -n '企画' | head; fi
grep -q 'みどりメディカルシステム株式会社 (架空).*電子カルテ (院内サーバ).*保守窓口 (架空)' contacts.txt &&
    ok "each vendor's contact from the registry" || not_ok "vendor contacts"
if grep -q '架空県警察 サイバー犯罪相談窓口' contacts.txt && grep -q '初動対応支援' contacts.txt &&
    grep -q '医療政策担当課' contacts.txt && grep -q '保健所' contacts.txt && grep -q 'IPA' contacts.txt; then
    ok "the public contacts a clinic needs"
else not_ok "public contacts"; fi
if grep -qE '0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}|#9110' contacts.txt; then not_ok "a phone number was invented"; else
    ok "no phone number invented"; fi
lo "$CSV" csv contacts.xlsx
cat csv/contacts*.csv 2>/dev/null | grep -q 'サイバー犯罪相談窓口' && ok "contacts.xlsx opens in LibreOffice" || not_ok "contacts.xlsx via LibreOffice"

# ---- the drill, and its record sheet as evidence ----
run "$ANZEN" docs drill -o drill.html
expect_rc 0 "docs drill"
text drill.html >drill.txt
if grep -q '保守用VPNルータ' drill.txt && grep -q 'FortiOS 6.4.6' drill.txt && grep -q '半田病院' drill.txt &&
    grep -q '切り離し' drill.txt && grep -q '実施日' drill.txt && grep -q '各段階までの時間' drill.txt; then
    ok "scenario from the ledger's VPN device, injects per stage, record sheet"
else not_ok "drill content"; fi
lo "$CSV" csv drill.xlsx
cat csv/drill*.csv 2>/dev/null | grep -q '実施日' && ok "drill.xlsx opens in LibreOffice" || not_ok "drill.xlsx via LibreOffice"

python3 "$FILL" drill.xlsx filled.xlsx 訓練記録 date=2025-12-01 \
    'participants=院長 田中、事務長 山田、委託先 みどり' 'decisions=事務長が 8:50 に切り離しを判断' \
    'lessons=VPN 装置の管理者が決まっていなかった' 'followup=台帳に管理者を記入 (山田, 2025-12-31)' \
    'step.2@C=08:45' 'step.2@D=5' 'step.2@E=LAN ケーブルを抜いた'
mkdir -p lo-saved
lo 'xlsx:Calc MS Excel 2007 XML' lo-saved filled.xlsx
[ -s lo-saved/filled.xlsx ] && ok "LibreOffice re-saved the filled sheet" || not_ok "LibreOffice re-save"
run "$ANZEN" docs drill --import lo-saved/filled.xlsx
expect_rc 0 "import the filled record sheet (re-saved by LibreOffice)"
expect_out "3-③" "recorded for the BCP item"
run "$ANZEN" workspace evidence 3-③
expect_out "訓練記録" "evidence listed on the item"
expect_out "2025-12-01" "with the drill's date"
expect_out "院長 田中" "and its participants"
run "$ANZEN" docs drill --import lo-saved/filled.xlsx
expect_rc 0 "importing again"
expect_out "記録済み" "says it is on file already"
cnt=$("$ANZEN" workspace evidence 3-③ | grep -c 訓練記録)
[ "$cnt" = 1 ] && ok "recorded once" || not_ok "recorded $cnt times"

# ---- the inspection pack ----
"$ANZEN" workspace evidence add 1-① --kind document --description '任命書 (システム運用担当者)' --source 任命書.pdf >/dev/null
run "$ANZEN" report --inspection
expect_rc 0 "report --inspection"
text inspection.html >insp.txt
grep -q '訓練記録 (机上訓練' insp.txt && ok "inspection pack lists the drill evidence" || not_ok "drill evidence in pack"
grep -q '任命書 (システム運用担当者)' insp.txt && ok "and the added document" || not_ok "document in pack"
if grep -q 'BCP (サイバー攻撃を想定した事業継続計画)' insp.txt && grep -q 'バックアップ記録' insp.txt; then
    ok "missing documents for はい named (BCP, バックアップ記録)"; else not_ok "missing documents"; fi
python3 - inspection.html <<'PY' && ok "いいえ items carry the interim measure and its date" || not_ok "interim in pack"
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
rows = re.findall(r"<tr>(.*?)</tr>", s, re.S)
gaps = [r for r in rows if re.search(r"<td>いいえ</td>", r)]
assert gaps, "no いいえ row"
for r in gaps:
    assert "暫定対策:" in r and re.search(r"期限 20\d\d-\d\d-\d\d", r), r
# the drill's item: evidence on file, and BCP still missing, the drill not
bcp = [r for r in rows if r.strip().startswith("<td>3-③</td>")][0]
assert "訓練記録 (机上訓練" in bcp and "BCP (サイバー" in bcp, bcp
assert "<td>訓練記録</td>" not in bcp
PY
run "$ANZEN" report --inspection --format xlsx -o insp.xlsx
expect_rc 0 "inspection pack as XLSX"
mkdir -p icsv
lo "$CSV" icsv insp.xlsx
cat icsv/*.csv | grep -q '訓練記録 (机上訓練' && ok "inspection XLSX in LibreOffice shows the evidence" || not_ok "inspection xlsx"
run "$ANZEN" report --format xlsx -o checklist.xlsx
expect_rc 0 "checklist form"
python3 - checklist.xlsx <<'PY' && ok "the checklist form notes the evidence per item" || not_ok "evidence in the form"
import zipfile, sys
z = zipfile.ZipFile(sys.argv[1])
text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
assert "証跡: 訓練記録 (机上訓練" in text and "証跡: 任命書" in text
PY

# ---- PDF ----
run "$ANZEN" docs bcp --format pdf -o bcp.pdf
expect_rc 0 "bcp as PDF"
pages=$(pdfinfo bcp.pdf | awk '/^Pages:/{print $2}')
size=$(pdfinfo bcp.pdf | awk '/^Page size:/{print $3 "x" $5}')
if [ "${pages:-0}" -ge 2 ] && [ "$pages" -le 8 ] && [ "$size" = "595.92x842.88" -o "$size" = "595.276x841.89" -o "$size" = "594.96x841.92" ]; then
    ok "bcp.pdf: $pages A4 pages"
else not_ok "bcp.pdf: $pages pages, $size"; fi

valid bcp.html contacts.html drill.html inspection.html bcp.xlsx contacts.xlsx drill.xlsx insp.xlsx checklist.xlsx &&
    ok "valid UTF-8, well-formed XML in every workbook" || not_ok "invalid output"

# ---- bad input ----
run "$ANZEN" docs plan
expect_rc 64 "unknown document kind"
expect_err '文書の種類 "plan" はありません' "names the kind"
run "$ANZEN" docs
expect_rc 64 "no kind"
run "$ANZEN" docs bcp --format doc
expect_rc 64 "unknown format"
run "$ANZEN" docs bcp --format xlsx -o -
expect_rc 64 "XLSX not to standard output"
run "$ANZEN" docs bcp --import filled.xlsx
expect_rc 64 "--import is for drill only"
rm -f anzen.db.before
cp anzen.db anzen.db.before
printf 'PK\003\004garbage' >garbage.xlsx
run "$ANZEN" docs drill --import garbage.xlsx
expect_rc 1 "garbage XLSX"
expect_err "garbage.xlsx" "names the file"
run "$ANZEN" docs drill --import bcp.xlsx
expect_rc 1 "another workbook of anzen"
expect_err "記録用紙ではありません" "says it is not a record sheet"
run "$ANZEN" docs drill --import drill.xlsx
expect_rc 1 "an empty record sheet"
expect_err "訓練記録!C" "names the cell"
python3 "$FILL" drill.xlsx baddate.xlsx 訓練記録 date=来週 participants=山田
run "$ANZEN" docs drill --import baddate.xlsx
expect_rc 1 "a date that is no date"
expect_err '実施日 "来週"' "names the value"
run "$ANZEN" docs drill --import nosuch.xlsx
expect_rc 1 "missing file"
cmp -s anzen.db anzen.db.before && ok "nothing recorded by a refused import" || not_ok "workspace changed"
run "$ANZEN" docs bcp -o nodir/bcp.html
expect_rc 1 "unwritable output"
[ ! -e nodir ] && ok "no partial output" || not_ok "nodir created"
run "$ANZEN" docs bcp --format xlsx -o nodir/bcp.xlsx
expect_rc 1 "unwritable XLSX"
[ ! -e nodir ] && ok "no partial workbook" || not_ok "nodir created (xlsx)"

# ---- English ----
run "$ANZEN" --lang en docs bcp -o bcp-en.html
expect_rc 0 "English BCP"
grep -q 'In normal times' bcp-en.html && grep -q 'Medical Care Act' bcp-en.html && ok "English wording" || not_ok "English"

# ---- a pharmacy ----
cd "$T"
mkdir ph && cd ph
cat >profile.yaml <<'P'
anzen-profile: 1
institution: {name: さくら薬局, type: pharmacy, prefecture: 架空県, person-in-charge: 管理薬剤師 鈴木}
systems:
  - {id: rececom, name: レセコン, hosting: on-prem, vendor: みどりシステム, remote-maintenance: true}
P
printf '種別,名称,ネットワーク区分,IPアドレス,OS・ファームウェア,バージョン,所属システム,管理者,持ち込み\nサーバ,レセコンサーバ,薬局LAN,192.0.2.5,Windows Server 2022,21H2,rececom,みどりシステム,みどりシステム\n端末,調剤PC,薬局LAN,192.0.2.6,Windows 11,23H2,rececom,薬局,薬局\nVPN装置,保守用ルータ,薬局LAN,192.0.2.1,FortiOS,6.4.6,rececom,,みどりシステム\n' >ledger.csv
for k in bcp contacts drill; do
    run "$ANZEN" docs "$k" -o "$k.html"
    expect_rc 0 "pharmacy: docs $k"
    run "$ANZEN" docs "$k" --format xlsx -o "$k.xlsx"
    expect_rc 0 "pharmacy: docs $k as XLSX"
done
run "$ANZEN" report --inspection -o inspection.html
expect_rc 0 "pharmacy: inspection pack"
run "$ANZEN" report --inspection --format xlsx -o inspection.xlsx
expect_rc 0 "pharmacy: inspection pack as XLSX"
python3 - bcp contacts drill inspection <<'PY' && ok "pharmacy: 当薬局 and the PMD Act's rules in every document, never 当院 or 医療法施行規則" || not_ok "pharmacy wording"
import sys, zipfile
for k in sys.argv[1:]:
    h = open(k + ".html", encoding="utf-8").read()
    z = zipfile.ZipFile(k + ".xlsx")
    x = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    for name, t in ((k + ".html", h), (k + ".xlsx", x)):
        assert "当院" not in t, name + ": 当院"
        assert "医療法施行規則" not in t, name + ": 医療法施行規則"
        assert "医療機関名" not in t, name + ": 医療機関名"
        assert "医薬品医療機器等法" in t, name + ": no PMD Act"
        assert "薬局名" in t, name + ": no 薬局名"
    if k in ("bcp", "drill", "contacts"):
        assert "当薬局" in h or k == "inspection", k + ": no 当薬局"
PY
grep -q '開設者' contacts.html && grep -q '管理薬剤師 (企画管理者)' contacts.html && grep -q '管理薬剤師 鈴木' contacts.html &&
    grep -q '薬務担当課' contacts.html && ! grep -q '日本医師会' contacts.html &&
    ok "pharmacy contacts: 開設者, 管理薬剤師, the prefecture's pharmaceutical affairs" || not_ok "pharmacy contacts"
grep -q '保守用ルータ' bcp.html && grep -q 'レセコンサーバ' bcp.html && ok "pharmacy BCP: its ledger filled in" || not_ok "pharmacy ledger"
# a long OS cell reaches the BCP whole (it was cut at 1023 bytes, inside a
# character, and the cell then left out of its row)
mkdir longos && cp profile.yaml longos/ && head -1 ledger.csv >longos/ledger.csv
longos=$(printf 'カスタムOS%.0s' $(seq 150))
printf 'サーバ,長いOSのサーバ,薬局LAN,192.0.2.7,%s,1.0,rececom,薬局,薬局\n' "$longos" >>longos/ledger.csv
(cd longos && "$ANZEN" docs bcp -o bcp.html >/dev/null 2>&1) &&
    grep -q "<td>$longos 1.0</td>" longos/bcp.html && ok "a long OS cell whole in the BCP" ||
    not_ok "long OS cell: $(grep -o '長いOSのサーバ.\{0,80\}' longos/bcp.html | head -1)"
python3 "$FILL" drill.xlsx filled.xlsx 訓練記録 date=2025-12-02 participants=管理薬剤師
run "$ANZEN" docs drill --import filled.xlsx
expect_rc 0 "pharmacy: drill record imported"
expect_out "cl-r7.p.cyber-bcp" "recorded on the pharmacy form's BCP item"
# a record of another institution is refused
run "$ANZEN" docs drill --import "$T/d/lo-saved/filled.xlsx"
expect_rc 1 "another institution's record"
expect_err "さくら内科クリニック (デモ) の訓練記録です" "says whose it is"
valid bcp.html bcp.xlsx contacts.xlsx drill.xlsx inspection.xlsx && ok "pharmacy outputs valid" || not_ok "pharmacy outputs invalid"

done_testing
