#!/bin/sh
# anzen report: HTML (per role, PDF through Chromium), Markdown, JSON and
# the official form as XLSX, checked by opening it with LibreOffice.
. "$(dirname "$0")/lib.sh"

# LibreOffice, with a profile of its own so parallel runs do not collide
lo() { # filter outdir files...
    filter=$1
    out=$2
    shift 2
    soffice -env:UserInstallation="file://$T/lo-profile" --headless --convert-to "$filter" \
        --outdir "$out" "$@" >"$T/lo.log" 2>&1
}
CSV='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'

"$ANZEN" demo -o d >/dev/null
cd d

run "$ANZEN" report
expect_rc 0 "html report of the demo"
expect_err "report.html" "says where it wrote"
if grep -q 'さくら内科クリニック' report.html && grep -q '<svg class="ring"' report.html &&
    grep -q 'class="page management"' report.html && grep -q 'class="page role"' report.html; then
    ok "one file with the institution, the charts and every part"
else not_ok "report.html content"; fi
if grep -qiE '<script|<link|src="http|@import' report.html; then not_ok "external or script content"; else
    ok "self-contained: no script, no external resource"; fi

run "$ANZEN" report --format json
expect_rc 0 "json report"
python3 - "$T/out" <<'PY' && ok "anzen-report/1 with the evaluation's numbers, top-5 actions and the FY2027 deadline" || not_ok "report json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["schema"] == "anzen-report/1", d["schema"]
assert d["total"]["satisfied"] == 10 and d["total"]["applicable"] == 18, d["total"]
assert len(d["actions"]) == 5 and d["actions"][0]["label"] == "2-①", d["actions"][0]
assert d["actions"][0]["interim"]["text"] and d["actions"][0]["permanent"]["due"]
kinds = [x["kind"] for x in d["deadlines"]]
assert "mfa-rule" in kinds and "mfa-system" in kinds, kinds
assert d["overdue_summary"]["count"] == d["total"]["overdue"] == 6, d["overdue_summary"]
assert [v["system"] for v in d["vendors"]] == ["emr", "receipt"]
assert d["vendors"][0]["form"]["received"] is True and d["vendors"][1]["form"]["received"] is False
assert any(f["text"].startswith("保守用VPNルータ") for f in d["ledger"]["findings"])
# the ledger part is the same check as anzen ledger check: KEV included
assert any("CVE-2024-21762" in f["text"] for f in d["ledger"]["findings"]), d["ledger"]["findings"]
ops = d["by_role"]["operations"]
assert ops["plan"] and all({"operations", "vendor"} & {p["interim"]["owner_role"], p["permanent"]["owner_role"]} for p in ops["plan"])
PY

run "$ANZEN" report --format md --lang en
expect_rc 0 "markdown in English"
expect_out "# Cybersecurity report — さくら内科クリニック" "md title"
expect_out "## Summary for management" "md management part"
expect_out "| 2-① |" "md item rows"

run "$ANZEN" report --role planning -o planning.html --lang en
expect_rc 0 "planning part only"
if grep -q 'class="page role"' planning.html && ! grep -q 'class="page management"' planning.html &&
    grep -q 'Planning manager' planning.html; then ok "the planning part alone, in English"; else
    not_ok "planning.html"; fi

# PDF through headless Chromium: the management summary is one A4 page
run "$ANZEN" report --role management --pdf -o mgmt.pdf
expect_rc 0 "management pdf"
if [ "$(pdfinfo mgmt.pdf | awk '/^Pages:/{print $2}')" = 1 ] &&
    pdfinfo mgmt.pdf | grep -q 'A4'; then ok "management summary: one A4 page"; else
    not_ok "mgmt.pdf: $(pdfinfo mgmt.pdf 2>&1 | grep -E 'Pages|size')"; fi
run "$ANZEN" report --pdf
expect_rc 0 "full pdf"
pages=$(pdfinfo report.pdf | awk '/^Pages:/{print $2}')
if [ "$pages" -ge 4 ]; then ok "full report: $pages pages"; else not_ok "full report pages: $pages"; fi
ANZEN_CHROMIUM=/nonexistent/chromium run "$ANZEN" report --pdf -o none.pdf
expect_rc 1 "no Chromium"
expect_err "apt-get install chromium" "says how to get Chromium"
expect_err "PDF に保存" "and how to print without it"
[ ! -e none.pdf ] && ok "no PDF left behind" || not_ok "none.pdf exists"

# usage errors
run "$ANZEN" report --format pdf
expect_rc 64 "unknown format"
run "$ANZEN" report --format md --pdf
expect_rc 64 "--pdf needs html"
run "$ANZEN" report --role boss
expect_rc 64 "unknown role"
run "$ANZEN" report -p nosuch.yaml
expect_rc 1 "missing profile"
run "$ANZEN" report --format xlsx -o nodir/c.xlsx
expect_rc 1 "unwritable output"
expect_err "nodir/c.xlsx" "names the file"
[ ! -e nodir ] && ok "nothing created" || not_ok "nodir created"

# hostile values in the profile stay text
sed 's/^  name: .*/  name: "<script>alert(1)<\/script> \\u202Eクリニック"/' profile.yaml > hostile.yaml
run "$ANZEN" report -p hostile.yaml -o hostile.html
expect_rc 0 "hostile profile"
if grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' hostile.html && ! grep -q '<script' hostile.html &&
    ! grep -q "$(printf '\342\200\256')" hostile.html; then ok "escaped, bidi override neutralised"; else
    not_ok "hostile.html"; fi

# the official form as XLSX, opened by LibreOffice
run "$ANZEN" report --format xlsx -o checklist.xlsx
expect_rc 0 "xlsx"
sed 's/^  type: clinic/  type: pharmacy/' profile.yaml > pharmacy.yaml
# no answers: a folder without answers.yaml (an explicit -a must exist)
mkdir -p noans
cd noans
run "$ANZEN" report --format xlsx -p ../pharmacy.yaml -o ../pharmacy.xlsx
cd ..
expect_rc 0 "xlsx for a pharmacy"
mkdir -p csv pdf
lo "$CSV" csv checklist.xlsx pharmacy.xlsx
lo pdf pdf checklist.xlsx
python3 - csv <<'PY' && ok "a pharmacy gets the 薬局確認用 form, unanswered" || not_ok "pharmacy form"
import csv, os, sys
f = list(csv.reader(open(os.path.join(sys.argv[1], "pharmacy-薬局確認用.csv"), encoding="utf-8")))
assert f[0][0].endswith("(薬局確認用)"), f[0]
rows = [r for r in f if len(r) > 6 and r[6].startswith("cl-r7.p.")]
assert rows and all(r[2] in ("", "対象外") for r in rows), rows[:3]
PY
python3 - csv <<'PY' && ok "LibreOffice reads the form, the plan and the ledger sheets" || not_ok "xlsx via LibreOffice"
import csv, os, sys
d = sys.argv[1]
def sheet(name):
    return list(csv.reader(open(os.path.join(d, "checklist-%s.csv" % name), encoding="utf-8")))
f = sheet("医療機関確認用")
assert f[0][0].startswith("医療機関におけるサイバーセキュリティ対策チェックリスト 令和7年度版"), f[0]
assert f[2][:4] == ["医療機関名", "さくら内科クリニック (デモ)", "担当者", "事務長 山田 (架空)"], f[2]
head = [r for r in f if r and r[0] == "番号"][0]
assert head[:6] == ["番号", "確認項目", "確認結果\n(はい/いいえ)", "確認日", "目標日\n(いいえの場合)", "備考"], head
rows = {r[6]: r for r in f if len(r) > 6 and r[6].startswith("cl-r7.")}
led = rows["cl-r7.h.asset-ledger"]
assert led[0] == "2-①" and led[2] == "いいえ" and led[3] == "2025/06/02" and led[4] == "2025/09/30", led
assert led[1].startswith("サーバ・端末・ネットワーク機器の台帳\n"), led[1]
assert rows["cl-r7.h.security-lead"][2] == "はい"
assert any(r[0] == "2 医療情報システムの管理・運用" for r in f), "group heading"
p = sheet("対応計画")
first = [r for r in p if r and r[0] == "1"][0]
assert first[1] == "2-①" and first[6] == "2025/12/24" and first[10] == "2026/03/31", first
l = sheet("機器台帳")
assert l[0][:2] == ["種別", "名称"], l[0]
vpn = [r for r in l if "保守用VPNルータ" in r][0]
assert "(管理者なし)" in vpn, vpn
m = sheet("anzen")
assert m[0] == ["schema", "anzen-form/1"] and m[1] == ["edition", "cl-r7"], m[:2]
PY
pages=$(pdfinfo pdf/checklist.pdf | awk '/^Pages:/{print $2}')
size1=$(pdfinfo -f 1 -l 1 pdf/checklist.pdf | awk '/^Page +1 size:/{print $4 "x" $6}')
if [ "$pages" = 3 ] && [ "$size1" = "595.304x841.89" ]; then
    ok "printed: the form on one A4 portrait page, then the plan and the ledger"
else not_ok "checklist.pdf: $pages pages, first $size1"; fi
# the network check: a real scan of a listener on loopback, saved as
# scan.json next to the profile, becomes a section of the report and joins
# the plan (a device the ledger does not list); bad scan files are refused
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
srv=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.3
done
"$ANZEN" scan 127.0.0.1 -p "$port" --from '事務系<b>' -o scan.json >/dev/null 2>&1 || true
kill "$srv" 2>/dev/null || true
wait "$srv" 2>/dev/null || true
run "$ANZEN" report -o with-scan.html
expect_rc 0 "report with a network check"
python3 - <<'PY' && ok "the scan section: when and from where (escaped), the finding, the reachability row" || not_ok "scan section"
t = open("with-scan.html", encoding="utf-8").read()
assert '<section class="page extra" id="sec-scan">' in t
assert "ネットワークの点検 (anzen scan)" in t
assert "「事務系&lt;b&gt;」から点検" in t and "事務系<b>" not in t
assert "127.0.0.1: 台帳にない機器が応答しています" in t
assert "KEV カタログ 2025.08.25 版" in t
PY
run "$ANZEN" report --format json
python3 - "$T/out" <<'PY' && ok "the scan's gap joins the plan in the report" || not_ok "scan in plan"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["extra_sections"][0]["id"] == "scan"
r = [a for a in d["plan"]["items"] if "ネットワーク: 127.0.0.1" in a["reason"]]
assert r, [a["reason"] for a in d["plan"]["items"]][:3]
PY
run "$ANZEN" report --scan missing.json
expect_rc 1 "a --scan file that does not exist"
printf '{"schema": "anzen-scan/1",\n "hosts": [' > broken.json
run "$ANZEN" report --scan broken.json
expect_rc 1 "a truncated scan file"
expect_err "broken.json:" "the file is named"
printf '{"schema": "anzen-status/1"}' > other.json
run "$ANZEN" report --scan other.json
expect_rc 1 "a JSON file that is not a scan"
expect_err "anzen-scan/1" "the expected schema is named"
rm scan.json
# a plan owner's long Japanese name reaches the plan sheet whole: a fixed
# buffer cut it, mid-character, and the workbook was no longer UTF-8
"$ANZEN" demo -o "$T/owner" >/dev/null
long=$(python3 -c 'print("医療情報システム安全管理責任者" * 20, end="")')
(cd "$T/owner" && "$ANZEN" plan set 2-⑩ --track both --owner "planning:$long" --who 山田 \
    >/dev/null 2>&1 && "$ANZEN" report --format xlsx -o owner.xlsx 2>/dev/null)
python3 - "$T/owner/owner.xlsx" "$long" <<'PY' && ok "a long owner name whole in the plan sheet" || not_ok "long owner"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
assert " " + sys.argv[2] + "<" in text
PY
done_testing
