#!/bin/sh
# A pharmacy gets its own checklist's title (薬局における…) in every
# document, never the institution checklist's (医療機関における…).
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
done_testing
