#!/bin/sh
# A pharmacy gets its own checklist's title (薬局における…) in every
# document, never the institution checklist's (医療機関における…); it is
# 当薬局 under the PMD Act (薬機法), never 当院 under the Medical Care Act
# (医療法施行規則), in the vendor letter, the report and the XLSX labels;
# anzen init does not ask a pharmacy for beds; the pharmacy form's item
# texts speak of the pharmacy (薬局内, 調剤), not of 院内 or 診療.
. "$(dirname "$0")/lib.sh"

cat >profile.yaml <<'P'
anzen-profile: 1
institution: {name: さくら薬局, type: pharmacy}
systems:
  - {id: rececom, name: レセコン, hosting: on-prem, vendor: みどりシステム}
P
run "$ANZEN" status
expect_out "薬局におけるサイバーセキュリティ対策チェックリスト" "status names the pharmacy checklist"
for fmt in html json md; do
    run "$ANZEN" report --format "$fmt" -o "r.$fmt"
    if grep -q "薬局におけるサイバーセキュリティ対策チェックリスト" "r.$fmt" &&
        ! grep -q "医療機関におけるサイバーセキュリティ対策チェックリスト" "r.$fmt"; then
        ok "report --format $fmt: the pharmacy checklist's title only"
    else
        not_ok "report --format $fmt: wrong checklist title"
    fi
done
run "$ANZEN" report --format xlsx -o r.xlsx
python3 - <<'PY' && ok "checklist.xlsx: the pharmacy title" || not_ok "checklist.xlsx: wrong title"
import zipfile
z = zipfile.ZipFile("r.xlsx")
text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
assert "薬局におけるサイバーセキュリティ対策チェックリスト" in text
assert "医療機関におけるサイバーセキュリティ対策チェックリスト" not in text
PY
run "$ANZEN" export --oscal assessment-results -o ar.json
if grep -q "薬局におけるサイバーセキュリティ対策チェックリスト" ar.json; then
    ok "OSCAL title"
else not_ok "OSCAL title"; fi

# the report's management page names the pharmacy's legal basis
grep -q '薬機法' r.html && ! grep -q '医療法施行規則' r.html && ok "report html: the PMD Act, not the Medical Care Act" || not_ok "report html legal basis"
grep -q '^- 根拠: 医薬品医療機器等法 (薬機法)' r.md && ok "report md: the legal basis line" || not_ok "report md legal basis"
python3 - <<'PY' && ok "checklist.xlsx: 薬局名, not 医療機関名" || not_ok "checklist.xlsx label"
import zipfile
z = zipfile.ZipFile("r.xlsx")
text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
assert "薬局名" in text and "医療機関名" not in text
PY

# the vendor letter and form a pharmacy sends
run "$ANZEN" vendor pack -o vp
expect_rc 0 "vendor pack for a pharmacy"
L=$(ls vp/letter-*.html | head -1)
if grep -q '当薬局' "$L" && ! grep -q '当院' "$L"; then ok "letter: 当薬局, never 当院"; else not_ok "letter: 当院"; fi
if grep -q '薬機法' "$L" && ! grep -q '医療法施行規則' "$L"; then ok "letter: the PMD Act as legal basis"; else not_ok "letter: legal basis"; fi
grep -q '薬局におけるサイバーセキュリティ対策チェックリスト' "$L" && ok "letter: the pharmacy checklist's title" || not_ok "letter: checklist title"
python3 - vp <<'PY' && ok "vendor form: 薬局名 and the pharmacy checklist's title" || not_ok "vendor form wording"
import glob, sys, zipfile
f = [x for x in glob.glob(sys.argv[1] + "/*.xlsx")][0]
z = zipfile.ZipFile(f)
text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
assert "薬局名" in text and "医療機関名" not in text
assert "薬局におけるサイバーセキュリティ対策チェックリスト" in text
PY
F=$(ls vp/*.xlsx | head -1)
run "$ANZEN" vendor import "$F" --system rececom
expect_no_out '宛ての事業者確認用です' "the 薬局名 form reads back as this pharmacy's"
if grep -q '宛ての事業者確認用です' "$T/err"; then not_ok "vendor import refused its own pharmacy form"; else ok "vendor import accepts the 薬局名 label"; fi
run "$ANZEN" --lang en vendor pack -o vpen
L=$(ls vpen/letter-*.html | head -1)
if grep -q 'Pharmaceuticals and Medical Devices Act' "$L" && ! grep -q 'Medical Care Act' "$L"; then ok "English letter: PMD Act"; else not_ok "English letter basis"; fi

# a hospital's letter still says 当院 and the Medical Care Act
mkdir h && cd h
cat >profile.yaml <<'P'
anzen-profile: 1
institution: {name: みどり診療所, type: clinic, beds: 0}
systems:
  - {id: emr, name: 電子カルテ, hosting: on-prem, vendor: あおばシステム}
P
run "$ANZEN" vendor pack -o vp
L=$(ls vp/letter-*.html | head -1)
if grep -q '当院' "$L" && grep -q '医療法施行規則' "$L" && ! grep -q '当薬局' "$L"; then ok "clinic letter unchanged"; else not_ok "clinic letter"; fi
cd ..

# anzen init: no beds for a pharmacy, 薬局 in the prompts
run_in 'みなと薬局
4
はい
いいえ
いいえ
レセコン
1
みどりシステム
2021-04-01
いいえ
いいえ

' "$ANZEN" init -p init.yaml
expect_rc 0 "init for a pharmacy"
expect_no_out '病床数' "no beds question"
expect_out 'レセコンや電子薬歴など' "the systems question speaks of a pharmacy's systems"
expect_out '1 薬局内のサーバ' "hosting question: 薬局内"
expect_no_out '院内' "no 院内 in any prompt"
grep -q 'name: "レセコン"' init.yaml && grep -q 'type: pharmacy' init.yaml && ! grep -q 'beds' init.yaml \
    && ok "the profile: the system in the right place, no beds" || not_ok "init profile"
run_in 'みどり診療所
2
3
' "$ANZEN" init -p clinic.yaml
expect_out '病床数' "a clinic is still asked for beds"

# the pharmacy form's item texts
for ed in r5 r6 r7; do
    run "$ANZEN" catalog show "cl-$ed.p.incident-contacts"
    expect_out '薬局内の連絡先' "$ed 3-① speaks of the pharmacy"
    expect_no_out '院内' "$ed 3-①: no 院内"
    run "$ANZEN" catalog show "cl-$ed.p.backup-restore"
    expect_out '調剤や服薬指導を続ける' "$ed 3-② speaks of dispensing"
    expect_no_out '診療を続ける' "$ed 3-②: not 診療"
    run "$ANZEN" catalog show "cl-$ed.h.backup-restore"
    expect_out '診療を続ける' "$ed: the institution form keeps 診療"
done
done_testing
