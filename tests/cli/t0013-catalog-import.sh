#!/bin/sh
# SPDX-License-Identifier: MIT
# anzen catalog import: official checklist workbooks in the 令和5/6/7 layouts,
# a 令和8-like combined form, a LibreOffice-saved file and a layout never seen
# (text left of the number, title rows, bare ① under full-width categories);
# --dry-run, the draft in the workspace, --accept, answers carried over, and
# clear errors for workbooks that are not a checklist.
. "$(dirname "$0")/lib.sh"
D="$TEST_DATA/catimport"

# --- 令和7 医療機関確認用: notes sheet and a hidden sheet are skipped ---
run "$ANZEN" catalog import "$D/r7-h.xlsx" --dry-run
expect_rc 0 "dry run of the 令和7 form"
expect_out 'シート: 医療機関確認用' "the checklist sheet found (notes and hidden sheets skipped)"
expect_out '見出し行: 4  番号の列: A  文の列: B' "header row and columns"
expect_out '年度: 2025  様式: h  版 ID: cl-r7-imp' "fiscal year, form, edition id from the title"
expect_out '項目: 19' "all 19 items"
expect_out 'same cl-r7.h.patches' "patch item proposed from 令和7 2-⑥"
expect_out '(--dry-run: 何も書き出していません)' "dry run says nothing was written"
if ls catalog-import-* >/dev/null 2>&1; then not_ok "dry run wrote a file"; else ok "dry run writes nothing"; fi

run "$ANZEN" catalog import "$D/r7-h.xlsx" --dry-run --format json
python3 - "$T/out" <<'PY' && ok "dry-run json: every 令和7 item keeps its topic" || not_ok "dry-run json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["schema"] == "anzen-catalog-import/1" and d["previous"] == "cl-r7", d
assert len(d["items"]) == 19
for it in d["items"]:
    assert it["from"] and it["from"].split(".")[-1] == it["id"].split(".")[-1], it
    assert it["relation"] == "same" and it["score"] >= 0.55, it
assert d["items"][0]["label"] == "0" and d["items"][0]["from"] == "cl-r7.h.gate"
PY

# --- the LibreOffice-saved variant reads the same ---
run "$ANZEN" catalog import "$D/r7-libreoffice.xlsx" --dry-run --format json
python3 - "$T/out" <<'PY' && ok "LibreOffice-saved form: same items" || not_ok "LibreOffice-saved form"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(d["items"]) == 19 and all(i["relation"] == "same" for i in d["items"]), d
PY

# --- 令和6 薬局確認用 and 令和5: one column per device class ---
run "$ANZEN" catalog import "$D/r6-p.xlsx" --dry-run --format json
python3 - "$T/out" <<'PY' && ok "令和6 pharmacy form: per-device rows split like the catalog" || not_ok "令和6 per-device"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["form"] == "p" and d["fiscal_year"] == 2024 and d["previous"] == "cl-r6", d
labels = {i["label"]: i for i in d["items"]}
assert "2-(7) ネットワーク機器" in labels and labels["2-(7) ネットワーク機器"]["from"] == "cl-r6.p.patches-network"
assert labels["2-(4) 端末PC"]["from"] == "cl-r6.p.access-rights-client"
assert labels["2-(4) 端末PC"]["printed"] == "2-(4)" and labels["2-(4) 端末PC"]["device"] == "端末PC"
assert "2-(8) サーバ" not in labels  # "-" in the server column: not an item
assert len(d["items"]) == 19 and all(i["relation"] == "same" for i in d["items"])
PY
run "$ANZEN" catalog import "$D/r5-h.xlsx" --dry-run
expect_out '機器ごとの列: C=サーバ D=端末PC E=ネットワーク機器' "令和5 device columns"
expect_out '前の版: cl-r5' "令和5 form compared with 令和5"

# --- a layout never seen, with no hint ---
run "$ANZEN" catalog import "$D/unseen-swapped.xlsx" --dry-run --format json
expect_rc 0 "unseen layout imports without a hint"
python3 - "$T/out" <<'PY' && ok "unseen layout: swapped columns, bare ① under ２．categories" || not_ok "unseen layout"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["number_column"] == "C" and d["text_column"] == "A", d
assert d["fiscal_year"] == 2025, d
labels = [i["label"] for i in d["items"]]
assert "2-⑥" in labels and "3-③" in labels, labels
assert [i["printed"] for i in d["items"] if i["label"] == "2-⑥"] == ["⑥"]
assert sum(1 for i in d["items"] if i["relation"] == "same") >= 17, d["items"]
PY
# number and text in one cell, 1. 2. ... numbering, "1. 体制構築" categories
run "$ANZEN" catalog import "$D/combined-cells.xlsx" --dry-run --format json
expect_rc 0 "number and text in one cell"
python3 - "$T/out" <<'PY' && ok "combined cells: split, categories kept apart, matched on text" || not_ok "combined cells"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["number_column"] == "A" and d["text_column"] == "A", d
items = d["items"]
assert len(items) == 18 and items[0]["label"] == "1." and items[0]["group"] == "1", items[0]
assert not any(i["text"].startswith("体制構築") for i in items)
by = {i["label"]: i for i in items}
assert by["8."]["from"] == "cl-r7.h.password-strength" and by["11."]["from"] == "cl-r7.h.mfa", by
assert all(i["relation"] == "same" for i in items)
PY
# ... and a hint overrides a guess
run "$ANZEN" catalog import "$D/unseen-swapped.xlsx" --dry-run --map text=D
expect_rc 1 "a wrong text column hint is taken at its word"
expect_err '列: 項目 0 に文がありません' "and the empty text is reported with its place"
expect_err '点検表' "naming the sheet"

# --- 令和8-like combined form: draft, accept, answers carried over ---
"$ANZEN" demo -o w >/dev/null 2>&1
cd w
run "$ANZEN" catalog import "$D/r8-hp.xlsx"
expect_rc 0 "import writes a draft"
expect_out 'catalog-import-cl-r8-imp.draft.yaml' "draft named"
expect_out '新規 (前の版に対応なし)' "the new item is proposed as new"
expect_out 'same cl-r7.h.mfa' "renumbered 2FA item found by its text"
[ -f catalog-import-cl-r8-imp.draft.yaml ] && ok "draft in the workspace" || not_ok "draft missing"
grep -q 'confidence: imported' catalog-import-cl-r8-imp.draft.yaml && ok "items marked imported" || not_ok "imported mark"
grep -q 'score: "' catalog-import-cl-r8-imp.draft.yaml && ok "crosswalk carries its score" || not_ok "score"
run "$ANZEN" status
expect_out '令和7年度版' "a draft is not used yet"
run "$ANZEN" catalog validate
expect_rc 0 "the workspace catalog validates"

run "$ANZEN" catalog import --accept
expect_rc 0 "accept the draft"
expect_out '受け入れました: catalog-import-cl-r8-imp.yaml' "accepted file named"
[ -f catalog-import-cl-r8-imp.yaml ] && [ ! -f catalog-import-cl-r8-imp.draft.yaml ] && ok "draft became the accepted edition" || not_ok "accept rename"
run "$ANZEN" status
expect_out '評価した版: 医療機関・薬局におけるサイバーセキュリティ対策チェックリスト 令和8年度版 (公式様式から取り込み) (医療機関・薬局確認用)' "status uses the imported edition"
expect_err 'に引き継ぎました' "answers carried over"
expect_err '確認し直してください' "with re-confirmation required"
expect_no_out 'より新しい版があります' "no newer-edition notice"
run "$ANZEN" status --format json
python3 - "$T/out" <<'PY' && ok "status json: carried answers name their 令和7 item" || not_ok "carried json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
s = json.dumps(d, ensure_ascii=False)
assert "cl-r8-imp.hp." in s and '"carried_from": "cl-r7.h.' in s, s[:500]
PY
run "$ANZEN" catalog diff r7 cl-r8-imp
expect_out '削除 0' "diff from 令和7: nothing removed"
expect_out '新規 1' "one new item"
run "$ANZEN" catalog show cl-r8-imp.hp.patches
expect_out '提供された公式様式から取り込み' "imported mark shown"
run "$ANZEN" report -o r.html
expect_rc 0 "report with the imported edition"
grep -q '公式様式から取り込み' r.html && ok "report names the imported edition" || not_ok "report edition"
run "$ANZEN" vendor pack -o vp
expect_rc 0 "vendor pack with the imported edition"
grep -q '令和8年度版' vp/letter-emr.html && ok "vendor pack letters use it" || not_ok "vendor pack edition"
cd ..

# --- crosswalk: the text decides, a number alone links nothing ---
# r8-renumbered.xlsx (make.py): new 2-⑫ generative-AI rules printed under
# the old number of "unneeded services", 2FA moved to 2-⑧, access logs to
# 2-⑩, a new offline-backup item at 2-⑪.
mkdir xw && cd xw
run "$ANZEN" catalog import "$D/r8-renumbered.xlsx" --dry-run --format json
expect_rc 0 "renumbered 令和8-like form"
python3 - "$T/out" <<'PY' && ok "crosswalk: new texts under old numbers are new, moved items follow their text" || not_ok "crosswalk by text"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
by = {i["label"]: i for i in d["items"]}
assert by["2-⑫"]["from"] is None and by["2-⑫"]["relation"] is None, by["2-⑫"]
assert by["2-⑪"]["from"] is None, by["2-⑪"]  # backup is not the access log
assert by["2-⑩"]["from"] == "cl-r7.h.access-log", by["2-⑩"]
assert by["2-⑧"]["from"] == "cl-r7.h.mfa", by["2-⑧"]
assert by["2-⑦"]["from"] == "cl-r7.h.password-strength", by["2-⑦"]
for i in d["items"]:
    if i["from"]:
        assert i["text_score"] >= 0.35, i  # AZ_CATIMPORT_MIN_TEXT
assert sum(1 for i in d["items"] if i["from"]) == 14, d["items"]
PY
run "$ANZEN" catalog import "$D/r8-renumbered.xlsx" --map 'link=2-⑫=cl-r7.h.unneeded-services' --map 'link=２－⑩=new'
expect_rc 0 "links corrected by hand"
expect_out 'changed cl-r7.h.unneeded-services' "2-⑫ linked as asked"
expect_out '[--map で指定]' "hand-set links are marked"
python3 - catalog-import-cl-r8-imp.draft.yaml <<'PY' && ok "a changed item with a distant text starts this year, no inherited due-by" || not_ok "deadline inheritance"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
by = {i["label"]: i for i in d["items"] if i["id"].startswith("cl-r8-imp.h.")}
ai = by["2-⑫"]
assert ai["id"] == "cl-r8-imp.h.unneeded-services", ai["id"]
assert ai["required-from"] == "2026" and "due-by" not in ai, ai  # not 2024 from 令和7
assert by["2-⑩"]["required-from"] == "2026" and by["2-⑩"]["id"].startswith("cl-r8-imp.h.item-"), by["2-⑩"]
# a close text keeps its deadlines: 2FA keeps 令和9年度末
assert by["2-⑧"]["required-from"] == "2025" and by["2-⑧"]["due-by"] == "2027-03-31", by["2-⑧"]
cw = {c["to"]: c for c in d["crosswalk"]}
assert cw["cl-r8-imp.h.unneeded-services"]["relation"] == "changed"
assert cw["cl-r8-imp.h.unneeded-services"]["note"]["ja"].startswith("--map link= で指定")
assert "期限は引き継いでいません" in cw["cl-r8-imp.h.unneeded-services"]["note"]["ja"]
assert not any(c["to"] == by["2-⑩"]["id"] for c in d["crosswalk"])
PY
rm -f catalog-import-*
run "$ANZEN" catalog import "$D/r8-renumbered.xlsx" --dry-run --map 'link=2-⑩=cl-r7.h.mfa' --map 'link=2-⑧=cl-r7.h.mfa'
expect_rc 1 "one earlier item linked twice"
expect_err 'cl-r7.h.mfa はほかの項目にも対応づけています' "says which item"
run "$ANZEN" catalog import "$D/r8-renumbered.xlsx" --dry-run --map 'link=2-⑳=new'
expect_rc 1 "a number the form does not have"
expect_err '番号 2-⑳ の項目が様式にありません' "names the number"
run "$ANZEN" catalog import "$D/r8-renumbered.xlsx" --dry-run --map 'link=2-⑫=cl-r7.h.nothing'
expect_rc 1 "an unknown earlier item"
expect_err '項目 cl-r7.h.nothing がありません' "names the item"
run "$ANZEN" catalog import "$D/r8-renumbered.xlsx" --dry-run --map 'link=2-⑫'
expect_rc 64 "link without a target"
cd ..

# --- errors: not a checklist, not a workbook, bad hints ---
printf 'x' >bad.xlsx
run "$ANZEN" catalog import bad.xlsx --dry-run
expect_rc 1 "not a workbook"
expect_err 'bad.xlsx' "names the file"
# other files say what they are (the detection lib/util shares with the ledger)
printf '%%PDF-1.4\n%%\342\343\n1 0 obj\n' >form.pdf
printf '\320\317\021\340\241\261\032\341rest-of-an-old-workbook' >form.xls
printf '番号,確認項目,確認結果\n1-①,責任者を置いている,はい\n' >form.csv
: >empty.xlsx
python3 -c "
import zipfile
z = zipfile.ZipFile('form.ods', 'w')
z.writestr('mimetype', 'application/vnd.oasis.opendocument.spreadsheet')
z.writestr('content.xml', '<office:document-content/>')
z.close()"
for f in form.pdf:PDF form.xls:'古い Excel の形式 (.xls)' form.csv:CSV form.ods:'表計算 (ODS)' empty.xlsx:'空のファイル'; do
    run "$ANZEN" catalog import "${f%%:*}" --dry-run
    expect_rc 1 "${f%%:*} is refused"
    expect_err "${f#*:}" "${f%%:*}: the message names what the file is"
    if grep -q 'XLSX (zip) ではありません' "$T/err"; then not_ok "${f%%:*}: still says only 'not a zip'"; else ok "${f%%:*}: not just 'not a zip'"; fi
done
run "$ANZEN" --lang en catalog import form.pdf --dry-run
expect_err 'this file is a PDF' "in English too"
rm -f form.pdf form.xls form.csv form.ods empty.xlsx
run "$ANZEN" catalog import "$TEST_DATA/../fuzz/corpus-xlsx/anzen-vendor-form.xlsx" --dry-run --map year=2025
expect_rc 0 "anzen's own vendor form reads as a checklist (its numbers are there)"
run "$ANZEN" catalog import "$D/r7-h.xlsx" --map number=ZZZZZ
expect_rc 64 "bad --map value"
expect_err '--map' "names the option"
run "$ANZEN" catalog import "$D/r7-h.xlsx" --dry-run --map sheet=なし
expect_rc 1 "unknown sheet"
expect_err 'なし' "names the sheet"
run "$ANZEN" catalog import --accept
expect_rc 1 "nothing to accept"
expect_err 'anzen catalog import FORM.xlsx' "says what to run first"
run "$ANZEN" catalog import "$D/r8-hp.xlsx" --dry-run --accept
expect_rc 64 "dry run and accept together"
ls catalog-import-* >/dev/null 2>&1 && not_ok "files written after errors" || ok "no partial output after errors"
done_testing
