#!/bin/sh
# anzen vendor pack|import: the vendor form sent out (checked by opening it
# with LibreOffice) and brought back: as anzen wrote it, re-saved by
# LibreOffice, re-typed into a new workbook, as CSV; answers then appear in
# status and report. Bad answers are refused with their cell named.
. "$(dirname "$0")/lib.sh"

lo() { # filter outdir files... (CSV input is read as UTF-8)
    filter=$1
    out=$2
    shift 2
    soffice -env:UserInstallation="file://$T/lo-profile" --headless --infilter=CSV:44,34,76,1 \
        --convert-to "$filter" --outdir "$out" "$@" >"$T/lo.log" 2>&1
}
CSV='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'

"$ANZEN" demo -o d >/dev/null
cd d

run "$ANZEN" vendor pack --prefill --due 2025-12-24
expect_rc 0 "pack for every system with a vendor"
expect_out "vendor-pack/vendor-form-emr.xlsx" "the EMR form"
expect_out "vendor-pack/letter-receipt.html" "the letter to the billing vendor"
if grep -q 'みどりメディカルシステム株式会社 (架空) 御中' vendor-pack/letter-emr.html &&
    grep -q '令和7年12月24日' vendor-pack/letter-emr.html &&
    grep -q 'MDS/SDS' vendor-pack/letter-emr.html && grep -q '役割分担の確認表' vendor-pack/letter-emr.html &&
    grep -q '案のまま' vendor-pack/letter-emr.html && grep -q 'リモート保守に使う装置' vendor-pack/letter-emr.html &&
    ! grep -q 'リモート保守に使う装置' vendor-pack/letter-receipt.html; then
    ok "letter: addressed, dated, asks for the form, MDS/SDS, role split (and the remote device only where used)"
else not_ok "letter content"; fi

# what the vendor opens: LibreOffice reads the prefilled form; printed on A4 portrait
mkdir -p csv pdf
lo "$CSV" csv vendor-pack/vendor-form-emr.xlsx vendor-pack/vendor-form-receipt.xlsx
lo pdf pdf vendor-pack/vendor-form-receipt.xlsx
python3 - csv <<'PY' && ok "the forms carry institution, system, vendor and (prefilled) answers" || not_ok "vendor form via LibreOffice"
import csv, os, sys
d = sys.argv[1]
f = list(csv.reader(open(os.path.join(d, "vendor-form-emr-事業者確認用.csv"), encoding="utf-8")))
assert f[0][0].endswith("(事業者確認用)"), f[0]
assert f[2][:4] == ["医療機関名", "さくら内科クリニック (デモ)", "依頼日", "令和7年11月24日"], f[2]
assert f[3][:4] == ["対象システム", "電子カルテ (院内サーバ)", "事業者名", "みどりメディカルシステム株式会社 (架空)"], f[3]
assert f[4][0] == "回答者 (部署・氏名)" and f[4][2] == "回答日", f[4]
rows = {r[6]: r for r in f if len(r) > 6 and r[6].startswith("cl-r7.v.")}
p = rows["cl-r7.v.patches"]
assert p[2] == "いいえ" and p[3] == "2025/07/10" and p[4] == "2025/12/26" and p[5].startswith("VPN ルータ"), p
g = list(csv.reader(open(os.path.join(d, "vendor-form-receipt-事業者確認用.csv"), encoding="utf-8")))
rows = {r[6]: r for r in g if len(r) > 6 and r[6].startswith("cl-r7.v.")}
assert rows and all(r[2] == "" for r in rows.values()), "receipt: nothing to prefill"
PY
pages=$(pdfinfo pdf/vendor-form-receipt.pdf | awk '/^Pages:/{print $2}')
size=$(pdfinfo pdf/vendor-form-receipt.pdf | awk '/^Page size:/{print $3 "x" $5}')
if [ "$pages" -ge 1 ] && [ "$pages" -le 2 ] && [ "$size" = "595.304x841.89" ]; then
    ok "vendor form prints on $pages A4 portrait page(s)"
else not_ok "vendor form pdf: $pages pages, $size"; fi

# 1. the form back as anzen wrote it (prefilled = the vendor's earlier answers)
mkdir -p back
run "$ANZEN" vendor import vendor-pack/vendor-form-emr.xlsx -a back/answers.yaml
expect_rc 0 "import the form as written"
expect_out "15 件" "15 answers"
# the reference: the demo's own answers file written out by the same writer
mkdir -p ref
run "$ANZEN" vendor import vendor-emr.yaml -a ref/answers.yaml
expect_rc 0 "an answers file imports too"
cmp_answers() { cmp -s "$1" "$2"; }
cmp_answers ref/vendor-emr.yaml back/vendor-emr.yaml && ok "round trip: the same answers" || not_ok "round trip"

# 2. re-saved by LibreOffice (what a vendor using LibreOffice sends back)
lo 'xlsx:Calc MS Excel 2007 XML' lo-saved vendor-pack/vendor-form-emr.xlsx
mkdir -p back2
run "$ANZEN" vendor import lo-saved/vendor-form-emr.xlsx -a back2/answers.yaml
expect_rc 0 "import the LibreOffice-saved form"
cmp_answers ref/vendor-emr.yaml back2/vendor-emr.yaml && ok "LibreOffice-saved: the same answers" || not_ok "LibreOffice round trip"

# 3. edited: the vendor answers the empty receipt form; here the grid is
#    edited as CSV and LibreOffice makes a new workbook of it (no hidden
#    sheet any more, so --system says which system)
python3 - csv/vendor-form-receipt-事業者確認用.csv edited.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
for r in rows:
    if len(r) > 6 and r[6].startswith("cl-r7.v."):
        r[2], r[3] = "はい", "2025/11/20"
        if r[6] == "cl-r7.v.mfa":
            r[2], r[4], r[5] = "いいえ", "2026/03/31", "管理画面は次版で対応"
csv.writer(open(sys.argv[2], "w", encoding="utf-8", newline="")).writerows(rows)
PY
lo 'xlsx:Calc MS Excel 2007 XML' edited edited.csv
run "$ANZEN" vendor import edited/edited.xlsx
expect_rc 1 "a re-made workbook does not say which system"
expect_err "--system" "asks for --system"
run "$ANZEN" vendor import edited/edited.xlsx --system receipt
expect_rc 0 "import the edited workbook"
expect_out "はい 17、いいえ 1" "17 yes, 1 no"
grep -q '管理画面は次版で対応' vendor-receipt.yaml && ok "note kept" || not_ok "note lost"

# the vendors' answers now show in status and in the report
run "$ANZEN" status
expect_out "レセプトコンピュータ (クラウド) (あおぞらクラウド株式会社 (架空)): 17/18 はい" "status shows the imported form"
run "$ANZEN" report --format json
python3 - "$T/out" <<'PY' && ok "the report shows both vendor forms received" || not_ok "report vendors"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = {x["system"]: x["form"] for x in d["vendors"]}
assert v["receipt"]["received"] and v["receipt"]["score"]["satisfied"] == 17, v["receipt"]
assert [i["label"] for i in v["receipt"]["open_items"]] == ["2-⑩"], v["receipt"]["open_items"]
PY

# 4. as CSV, with mistakes: every bad cell named, nothing written
cp vendor-receipt.yaml before.yaml
python3 - csv/vendor-form-receipt-事業者確認用.csv bad.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
for n, r in enumerate(rows):
    if len(r) > 6 and r[6] == "cl-r7.v.security-lead":
        r[2], r[3] = "たぶん", "2025/11/20"
    elif len(r) > 6 and r[6] == "cl-r7.v.patches":
        r[2], r[3] = "いいえ", "2025/11/20"
    elif len(r) > 6 and r[6] == "cl-r7.v.asset-ledger":
        r[2], r[3] = "はい", "2025/02/30"
csv.writer(open(sys.argv[2], "w", encoding="utf-8", newline="")).writerows(rows)
PY
run "$ANZEN" vendor import bad.csv --system receipt
expect_rc 1 "bad answers refused"
expect_err "bad.csv:12:3: 確認結果 \"たぶん\"" "names the bad answer's line and column"
expect_err "bad.csv:15:4: 日付 \"2025/02/30\" が読めません" "names the impossible date"
expect_err "目標日がありません" "いいえ without a target date"
cmp -s before.yaml vendor-receipt.yaml && ok "nothing written on error" || not_ok "answers changed"

# the wrong system, a form for another system, not a form at all
run "$ANZEN" vendor import vendor-pack/vendor-form-emr.xlsx --system receipt
expect_rc 1 "form for emr given as receipt"
expect_err "emr" "names the form's system"
printf 'PK\003\004junk' > junk.xlsx
run "$ANZEN" vendor import junk.xlsx
expect_rc 1 "not a zip"
expect_err "junk.xlsx" "names the file"
run "$ANZEN" vendor import
expect_rc 64 "no file"
printf '\211PNG\r\n\032\n\0\0' > photo.xlsx
run "$ANZEN" vendor import photo.xlsx
expect_rc 1 "a picture named .xlsx"
expect_err "これは PNG の画像 です" "the file's real type is named"

# a form sent to another institution, a system the profile does not have
mkdir other
sed 's/^\(institution: *{name: *\)[^,]*/\1よそ医院/; s/^  name: .*/  name: よそ医院/' profile.yaml > other/profile.yaml
grep -q よそ医院 other/profile.yaml && ok "another institution's profile" || not_ok "profile edit"
run "$ANZEN" vendor import vendor-pack/vendor-form-emr.xlsx -p other/profile.yaml -a other/answers.yaml
expect_rc 1 "a form for another institution is refused"
expect_err "医療機関「さくら内科クリニック (デモ)」宛ての事業者確認用です (このプロファイルは「よそ医院」)" "both institutions named"
[ ! -e other/vendor-emr.yaml ] && ok "nothing written for the other institution" || not_ok "written"
sed 's/^system: .*/system: nosuch/' vendor-emr.yaml > nosuch.yaml
run "$ANZEN" vendor import nosuch.yaml -a other/answers.yaml
expect_rc 1 "a form for a system the profile does not have"
expect_err "様式のシステム \"nosuch\" は、プロファイル" "the form's system is named"
expect_err "emr, receipt" "and the profile's systems"
run "$ANZEN" vendor import edited/edited.xlsx --system receipt -p other/profile.yaml -a other/answers.yaml
expect_rc 1 "a re-made workbook for another institution (no hidden sheet)"
expect_err "医療機関「さくら内科クリニック (デモ)」宛て" "its 医療機関名 cell is read"
run "$ANZEN" vendor pack --system nosuch
expect_rc 1 "unknown system"

# the letter as PDF too, one A4 page
run "$ANZEN" vendor pack --system receipt --pdf -o pack2
expect_rc 0 "pack with PDF letter"
if [ "$(pdfinfo pack2/letter-receipt.pdf | awk '/^Pages:/{print $2}')" = 1 ]; then
    ok "the letter is one page"; else not_ok "letter pages"; fi
# a long remote-maintenance method in vendors.yaml reaches the letter
# whole: cut inside a character in a fixed buffer, it made the letter fail
# ("out of memory")
"$ANZEN" demo -o "$T/vlong" >/dev/null
python3 - "$T/vlong/vendors.yaml" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
m = 'method: "拠点間 VPN (院内に VPN ルータを設置)'
assert m in t
t = t.replace(m, 'method: "x拠点間 VPN (院内に VPN ルータを設置)' + "、保守作業のときだけ事業者の保守端末から接続" * 6)
open(sys.argv[1], "w", encoding="utf-8").write(t)
PY
run "$ANZEN" -C "$T/vlong" vendor pack --system emr -o vpl
expect_rc 0 "vendor pack with a long remote-maintenance method"
python3 - "$T/vlong/vpl/letter-emr.html" <<'PY' && ok "the method whole in the letter" || not_ok "long method in the letter"
import sys
t = open(sys.argv[1], encoding="utf-8").read()
assert "x拠点間 VPN (院内に VPN ルータを設置)" + "、保守作業のときだけ事業者の保守端末から接続" * 6 + " / " in t
PY
done_testing
