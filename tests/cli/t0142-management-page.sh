#!/bin/sh
# The page for management (anzen report --role management): the device
# in the KEV catalog up front, exactly five actions (filled from the key
# points when the plan has fewer), the owners and due dates the user set,
# one A4 page when printed (demo and a larger workspace); the vendor
# letter names the system, not its internal ID, and a contact person.
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null 2>&1
cd d
"$ANZEN" plan set 2-⑥ --track interim --owner "planning:事務長 山田" --due 2025-12-15 >/dev/null 2>&1
"$ANZEN" plan set 2-⑥ --track permanent --owner 事業者:みどり --due 2026-02-27 >/dev/null 2>&1

run "$ANZEN" report --role management -o mgmt.html
expect_rc 0 "management page"
python3 - mgmt.html <<'PY' && ok "KEV router, five actions, the user's owners and dates" || not_ok "management html"
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<div class="urgent">(.*?)</div>', h, re.S)
assert m, "no urgent block"
assert "保守用VPNルータ" in m.group(1) and "CVE-2024-21762" in m.group(1) and "6.4.6" in m.group(1), m.group(1)
ol = re.search(r'<ol class="actions">(.*?)</ol>', h, re.S).group(1)
assert ol.count("<li>") == 5, ol.count("<li>")
assert "事務長 山田" in ol and "2025-12-15" in ol, "the user's interim owner and date"
assert "みどりメディカルシステム株式会社 (架空)" in ol and "2026-02-27" in ol, "the vendor owner and date"
assert "運用担当者がいないため" in h, "the note on owners"
PY
run "$ANZEN" report --format json
python3 - "$T/out" <<'PY' && ok "json: five actions, the KEV finding under urgent" || not_ok "report json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(d["actions"]) == 5
assert d["urgent"] and d["urgent"][0]["asset"] == "保守用VPNルータ"
a = [x for x in d["actions"] if x["label"] == "2-⑥"][0]
assert a["interim"]["owner"] == "事務長 山田" and a["interim"]["due"] == "2025-12-15", a["interim"]
assert a["permanent"]["owner_role"] == "vendor", a["permanent"]
PY

# --- fewer than five plan items: filled up from the key points ---
mkdir ../few
sed 's/answer: いいえ/answer: はい/' answers.yaml >../few/answers.yaml
cp profile.yaml vendors.yaml vendor-emr.yaml ../few/
cd ../few
run "$ANZEN" report --format json
python3 - "$T/out" <<'PY' && ok "five actions when the plan has fewer (key points fill up)" || not_ok "fill to five"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
n = len(d["plan"]["items"])
assert n < 5, n
assert len(d["actions"]) == 5, len(d["actions"])
assert [a["source"] for a in d["actions"]][n:] == ["keypoints"] * (5 - n)
assert all(a["title"] for a in d["actions"])
PY
run "$ANZEN" report --role management -o few.html
python3 -c "
import re,sys; h=open('few.html',encoding='utf-8').read()
ol=re.search(r'<ol class=\"actions\">(.*?)</ol>', h, re.S).group(1); sys.exit(ol.count('<li>')!=5)" &&
    ok "the page shows the five" || not_ok "few.html actions"
cd ../d

# --- the vendor letter: the system's name, a contact person ---
run "$ANZEN" vendor pack -o vp
expect_rc 0 "vendor pack"
for s in emr receipt; do
    if sed 's/vendor-form-[a-z]*\.xlsx//g; s/letter-[a-z]*\.html//g' vp/letter-$s.html | grep -qE "\($s\)|>$s<| $s "; then
        not_ok "letter-$s names the internal ID"; else ok "letter-$s: no internal system ID"; fi
done
grep -q "<td>電子カルテ (院内サーバ)</td>" vp/letter-emr.html && ok "the letter names the system" ||
    not_ok "system name in the letter"
grep -q "当院の連絡先 (担当者)</th><td>事務長 山田 (架空)" vp/letter-emr.html &&
    ok "the contact person from the profile" || not_ok "contact person"
sed '/person-in-charge/d' profile.yaml >p2.yaml
run "$ANZEN" vendor pack -p p2.yaml -o vp2
grep -q 'class="fill"' vp2/letter-emr.html && grep -q "ご記入ください" vp2/letter-emr.html &&
    ok "no contact on file: a field to fill in" || not_ok "contact field"

# --- printed: one A4 page (Chromium, found the way report --pdf finds it) ---
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 &&
    [ -z "${ANZEN_CHROMIUM:-}" ]; then
    ok "# SKIP no chromium"
    done_testing
    exit 0
fi
run "$ANZEN" report --role management --pdf -o mgmt.pdf
expect_rc 0 "management pdf"
pages=$(pdfinfo mgmt.pdf | awk '/^Pages:/{print $2}')
[ "$pages" = 1 ] && ok "demo: one page" || not_ok "demo: $pages pages"
run "$ANZEN" vendor pack --pdf -o vpp
for s in emr receipt; do
    p=$(pdfinfo vpp/letter-$s.pdf | awk '/^Pages:/{print $2}')
    [ "$p" = 1 ] && ok "letter-$s: one page" || not_ok "letter-$s: $p pages"
done

# a larger workspace: ten systems with long vendor names, every item a gap
mkdir ../big
cp vendors.yaml ledger.csv vendor-emr.yaml ../big/
cd ../big
python3 - ../d/profile.yaml ../d/answers.yaml <<'PY'
import sys
p = open(sys.argv[1], encoding="utf-8").read()
extra = "".join(
    f"  - id: sys{i}\n    name: 部門システム{i} (検査・画像・薬剤をまとめて扱うとても長い名前のシステム)\n"
    f"    hosting: on-prem\n    vendor: とても長い名前の医療情報システム販売保守株式会社 第{i}営業所 (架空)\n"
    f"    introduced: 2018-04-01\n    renewal: 2027-0{1 + i % 9}-01\n    remote-maintenance: true\n    mfa: false\n"
    for i in range(1, 9))
open("profile.yaml", "w", encoding="utf-8").write(p.replace("readiness:", extra + "readiness:"))
out = []
for blk in open(sys.argv[2], encoding="utf-8").read().split("\n  - "):
    if "answer: はい" in blk and "cl-r7.h.gate" not in blk:
        blk = blk.replace("answer: はい", "answer: いいえ")
        if "target:" not in blk:
            blk = blk.replace("    checked: 2025-06-02", "    checked: 2025-06-02\n    target: 2025-10-31", 1)
    out.append(blk)
open("answers.yaml", "w", encoding="utf-8").write("\n  - ".join(out))
PY
LONG="情報システム管理室 室長補佐 兼 医療安全管理委員会 事務局担当 長谷川 由美子"
"$ANZEN" plan set 2-① --track both --owner "planning:$LONG" --due 2026-01-15 >/dev/null 2>&1
run "$ANZEN" report --role management --pdf -o big.pdf
expect_rc 0 "larger workspace: management pdf"
pages=$(pdfinfo big.pdf | awk '/^Pages:/{print $2}')
[ "$pages" = 1 ] && ok "larger workspace: one page" || not_ok "larger workspace: $pages pages"
run "$ANZEN" report --role management -o big.html
grep -q "ほか [0-9]* 件" big.html && ok "the overdue list is cut with a count" || not_ok "overdue count"
grep -q "$LONG" big.html && ok "the long owner name is on the page" || not_ok "long owner"
done_testing
