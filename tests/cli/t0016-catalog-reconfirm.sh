#!/bin/sh
# SPDX-License-Identifier: MIT
# Answers carried to an imported edition stay 要再確認 until answered again:
# the mark is kept in answers.yaml (reconfirm: true, carried-from), shown by
# status (text/md/json), report (html/md) and the XLSX form; assess asks
# those first; the first rewrite for the new edition keeps the old file as
# answers.<edition>.<date>.yaml. The XLSX form writes an imported item's
# text once (its title is the start of that text).
. "$(dirname "$0")/lib.sh"
D="$TEST_DATA/catimport"
export ANZEN_TODAY=2026-12-07

# cells of an xlsx as {sheet: {ref: text}} (shared and rich strings)
cat >"$T/cells.py" <<'PY'
import re, sys, zipfile
from xml.etree import ElementTree as ET
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
def cells(path):
    z = zipfile.ZipFile(path)
    ss = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(NS + "si"):
            ss.append("".join(t.text or "" for t in si.iter(NS + "t")))
    out = {}
    for n in sorted(z.namelist()):
        if not re.match(r"xl/worksheets/sheet\d+\.xml$", n):
            continue
        d = out.setdefault(n, {})
        for c in ET.fromstring(z.read(n)).iter(NS + "c"):
            v = c.find(NS + "v")
            if c.get("t") == "s" and v is not None:
                d[c.get("r")] = ss[int(v.text)]
            elif c.get("t") == "inlineStr":
                d[c.get("r")] = "".join(t.text or "" for t in c.iter(NS + "t"))
            elif v is not None:
                d[c.get("r")] = v.text
    return out
PY

"$ANZEN" --as-of 2025-11-24 demo -o w >/dev/null 2>&1  # the demo of 令和7年度, checked a year ago
cd w
cp answers.yaml "$T/r7-answers.yaml"
run "$ANZEN" catalog import "$D/r8-renumbered.xlsx" --accept
expect_rc 0 "import and accept the 令和8-like form"

run "$ANZEN" status
expect_out '要再確認 (前の版から引き継いだ回答' "status: a section for carried answers"
expect_out '[はい・要再確認]  前の確認日 2025-06-02  (引き継ぎ元 cl-r7.h.security-lead)' "a carried はい is not a plain はい"
expect_out '[未対応・要再確認]' "a carried いいえ among open items is marked too"
run "$ANZEN" status --format md
expect_out '| 1-① | 医療情報システムの安全管理を担う責任者を置いている。 | はい (要再確認) | 2025-06-02 | `cl-r7.h.security-lead` |' "status md: 要再確認 row"
run "$ANZEN" status --format json
python3 - "$T/out" <<'PY' && ok "status json: reconfirm and carried_from on carried items only" || not_ok "status json reconfirm"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
by = {i["label"]: i for i in d["items"]}
assert by["1-①"]["reconfirm"] is True and by["1-①"]["carried_from"] == "cl-r7.h.security-lead"
assert by["2-⑫"]["reconfirm"] is False and by["2-⑫"]["carried_from"] is None
PY
run "$ANZEN" report --format md
expect_out '- 要再確認: 13 件' "report md counts them"
expect_out '未対応 (要再確認)' "report md marks a carried いいえ"
run "$ANZEN" report -o r.html
grep -q '<span class="late">要再確認</span>' r.html && ok "report html marks carried answers" || not_ok "report html 要再確認"

run "$ANZEN" report --format xlsx -o form.xlsx
expect_rc 0 "XLSX form"
python3 - form.xlsx "$T/cells.py" <<'PY' && ok "XLSX form: 要再確認 in the note, imported text written once" || not_ok "XLSX form"
import sys
sys.path.insert(0, sys.argv[2].rsplit("/", 1)[0])
from cells import cells
sheets = cells(sys.argv[1])
rows = {}
for d in sheets.values():
    for ref, v in d.items():
        col, row = ref.rstrip("0123456789"), ref[len(ref.rstrip("0123456789")):]
        rows.setdefault((id(d), row), {})[col] = v
found = 0
for r in rows.values():
    if r.get("A") == "1-①" and r.get("G", "").startswith("cl-r8-imp."):
        found += 1
        assert r["B"] == "医療情報システムの安全管理を担う責任者を置いている。", repr(r["B"])
        assert r["F"].startswith("要再確認: 前の版から引き継いだ回答") and "cl-r7.h.security-lead" in r["F"], r["F"]
        assert r["F"].endswith("院長を医療情報システム安全管理責任者に任命 (2023年)"), r["F"]
    if r.get("A") == "2-⑦" and r.get("G", "").startswith("cl-r8-imp."):
        t = r["B"]
        assert "…" not in t and t.count("パスワードは英字") == 1, repr(t)
    if r.get("A") == "2-⑫" and r.get("G", "").startswith("cl-r8-imp."):
        assert not r.get("F", "").startswith("要再確認"), r
assert found == 1, found
PY

# assess asks the carried answers first; answering one clears its mark
run_in 'y


q
' "$ANZEN" assess --interactive
expect_out '前の版から引き継いだ回答が 13 件あります (要再確認)' "assess says how many to re-check"
python3 - "$T/out" <<'PY' && ok "the first item asked is a carried one" || not_ok "carried first"
import sys
out = open(sys.argv[1], encoding="utf-8").read()
first = out.index("[1/")
assert "[要再確認] 前の版からの引き継ぎ (cl-r7.h.security-lead)" in out[:first + 200], out[:first + 200]
assert out.index("1-①") < out.index("2-①")
PY
[ -f answers.cl-r7.2026-12-07.yaml ] && cmp -s answers.cl-r7.2026-12-07.yaml "$T/r7-answers.yaml" \
    && ok "the 令和7 answers file is kept as it was, dated" || not_ok "dated copy"
grep -q 'item: cl-r7.h.access-log' answers.cl-r7.2026-12-07.yaml && ok "an answer that could not carry is on record" || not_ok "dropped answer kept"
python3 - answers.yaml <<'PY' && ok "answers.yaml: re-checked item unmarked, the others still reconfirm: true" || not_ok "answers.yaml marks"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
assert d["edition"] == "cl-r8-imp", d["edition"]
by = {a["item"]: a for a in d["answers"]}
sl = by["cl-r8-imp.h.security-lead"]
assert "reconfirm" not in sl and "carried-from" not in sl and str(sl["checked"]) == "2026-12-07", sl
al = by["cl-r8-imp.h.asset-ledger"]
assert al["reconfirm"] is True and al["carried-from"] == "cl-r7.h.asset-ledger", al
assert str(al["checked"]) == "2025-06-02"
assert sum(1 for a in d["answers"] if a.get("reconfirm")) == 12
PY
run "$ANZEN" status --format json
python3 - "$T/out" <<'PY' && ok "status after one answer: the mark survives the rewrite" || not_ok "status after rewrite"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
by = {i["label"]: i for i in d["items"]}
assert by["1-①"]["reconfirm"] is False and by["1-①"]["carried_from"] is None
assert by["2-①"]["reconfirm"] is True and by["2-①"]["carried_from"] == "cl-r7.h.asset-ledger"
PY
run "$ANZEN" status
expect_out '[いいえ・要再確認]  前の確認日 2025-06-02' "text status after the rewrite"
expect_no_out '[はい・要再確認]  前の確認日 2025-06-02  (引き継ぎ元 cl-r7.h.security-lead)' "the answered item is no longer listed"

# a second session: the copy of that day is not overwritten
run_in 'q
' "$ANZEN" assess --interactive
cmp -s answers.cl-r7.2026-12-07.yaml "$T/r7-answers.yaml" && ok "dated copy left as it was" || not_ok "dated copy changed"

# the mark is checked like any field
sed 's/reconfirm: true.*/reconfirm: maybe/' answers.yaml >bad.yaml
run "$ANZEN" status --answers bad.yaml
expect_rc 1 "reconfirm must be true or false"
expect_err 'bad.yaml' "names the file"
sed 's/carried-from: cl-r7.h.asset-ledger.*/carried-from: cl-r7.h.nothing/' answers.yaml >bad2.yaml
run "$ANZEN" status --answers bad2.yaml
expect_rc 1 "unknown carried-from"
expect_err 'cl-r7.h.nothing' "names the item"
cd ..
done_testing
