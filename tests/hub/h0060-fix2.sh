#!/bin/sh
# SPDX-License-Identifier: MIT
# The hub against the second black-box report (reports/bb2.md): #4 a key
# replaced with --replace-key (a new PC, a fresh workspace) starts a new
# series, so its first bundle (sequence 1) is accepted while the old key's
# stay refused, and enrol says so; #10 the XLSX and HTML reports show the
# institution types and prefectures in words (Japanese, English with
# --lang en); #11 an enrolment CSV reports every error, by row and column,
# in one run, and enrols nothing.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }
# a fresh workspace: the demo's data, a key of its own, no submit counter
fresh() {
    cp -r anzen-demo "$1"
    rm -f "$1/anzen-sign.key" "$1/anzen-sign.pub" "$1/anzen-submit.seq"
    (cd "$1" && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
}

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
(cd anzen-demo && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
fresh osaka
run "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 \
    --key anzen-demo/anzen-sign.pub
expect_rc 0 "enrol demo1 (a clinic in Tokyo)"
run "$ANZEN" hub enrol --id osaka1 --name "なにわ病院" --type hospital --prefecture 27 \
    --key osaka/anzen-sign.pub
expect_rc 0 "enrol osaka1 (a hospital in Osaka)"
for i in 1 2 3 4; do
    (cd anzen-demo && "$ANZEN" submit --id demo1 -o "$T/old$i.json" >/dev/null 2>&1)
done
(cd osaka && "$ANZEN" submit --id osaka1 -o "$T/osaka1.json" >/dev/null 2>&1)
run "$ANZEN" hub ingest old1.json old2.json old3.json osaka1.json
expect_rc 0 "three bundles of demo1 and one of osaka1 ingested"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = 3 ] &&
    ok "the hub holds demo1 at sequence 3" || not_ok "sequence: $(sql "select last_sequence from institution where id = 'demo1'")"

# ---- #4 a new key: a new series ----
fresh newpc
run "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 \
    --key newpc/anzen-sign.pub --replace-key
expect_rc 0 "--replace-key with the new PC's key"
expect_out "鍵を変更しました" "says the key changed"
expect_out "通し番号を戻しました" "says the sequence was reset"
expect_out "旧い鍵で署名された束は受け付けません" "and that the old key's bundles are refused"
[ -z "$(sql "select last_sequence from institution where id = 'demo1'")" ] &&
    ok "the stored sequence is cleared" || not_ok "sequence kept: $(sql "select last_sequence from institution where id = 'demo1'")"
(cd newpc && "$ANZEN" submit --id demo1 -o "$T/new1.json" >/dev/null 2>&1)
python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["payload"]["sequence"] == 1 else 1)' \
    new1.json && ok "the fresh workspace's first bundle has sequence 1" || not_ok "not sequence 1"
run "$ANZEN" hub ingest new1.json
expect_rc 0 "the new key's first bundle (sequence 1) is accepted"
if grep -q "新しくありません" "$T/err"; then not_ok "refused as older"; else ok "not refused as older"; fi
run "$ANZEN" hub ingest old4.json
expect_rc 2 "a bundle signed by the old key is refused"
expect_err "登録された鍵で署名されていません" "as not signed with the enrolled key"
run "$ANZEN" hub ingest new1.json
expect_rc 2 "the new first bundle sent again is refused"
expect_err "受け付け済み" "as a replay"
(cd newpc && "$ANZEN" submit --id demo1 -o "$T/new2.json" >/dev/null 2>&1 &&
    "$ANZEN" submit --id demo1 -o "$T/new3.json" >/dev/null 2>&1)
run "$ANZEN" hub ingest new3.json new2.json
expect_rc 2 "the new series keeps its order (3 then 2: 2 refused)"
expect_err "new2.json: demo1: 受け付け済みの束より新しくありません" "2 is older than 3"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = 3 ] &&
    ok "the hub holds the new series at 3" || not_ok "new sequence: $(sql "select last_sequence from institution where id = 'demo1'")"
# the same by CSV
fresh newpc2
printf 'id,name,type,prefecture,beds,group,hq,key\ndemo1,さくら内科,clinic,13,,,,%s\n' \
    "$T/newpc2/anzen-sign.pub" >re.csv
run "$ANZEN" hub enrol --csv re.csv --replace-key
expect_rc 0 "CSV with --replace-key"
expect_out "demo1: 通し番号を戻しました" "the CSV enrolment says the sequence was reset"
(cd newpc2 && "$ANZEN" submit --id demo1 -o "$T/csv1.json" >/dev/null 2>&1)
run "$ANZEN" hub ingest csv1.json
expect_rc 0 "after a CSV key change, the new key's sequence 1 is accepted"
run "$ANZEN" hub ingest new3.json
expect_rc 2 "the previous key's bundle is refused"
expect_err "登録された鍵で署名されていません" "as not signed with the enrolled key"
run env ANZEN_LANG=en "$ANZEN" hub enrol --id osaka1 --name "なにわ病院" --type hospital \
    --prefecture 27 --key anzen-demo/anzen-sign.pub --replace-key
expect_rc 0 "osaka1 re-enrolled with another key (English)"
expect_out "sequence reset" "says so in English"
run "$ANZEN" hub enrol --id osaka1 --name "なにわ病院" --type hospital --prefecture 27 \
    --key anzen-demo/anzen-sign.pub
if grep -q "通し番号" "$T/out"; then not_ok "the same key again resets"; else
    ok "re-enrolling with the same key says nothing of the sequence"; fi

# ---- #10 the reports show words, not codes ----
sheet_texts() {
    python3 - "$1" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
ss = [re.sub(r"<[^>]+>", "", s) for s in
      re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode(), re.S)]
for i in range(1, 9):
    x = z.read(f"xl/worksheets/sheet{i}.xml").decode()
    cells = []
    for attrs, body in re.findall(r"<c ([^>]*)>(.*?)</c>", x, re.S):
        v = re.search(r"<v>(.*?)</v>", body)
        if not v:
            continue
        cells.append(ss[int(v.group(1))] if 't="s"' in attrs else v.group(1))
    print(f"sheet{i}\t" + "\t".join(cells))
PY
}
run "$ANZEN" hub report --format xlsx -o r.xlsx
expect_rc 0 "XLSX report"
sheet_texts r.xlsx >ja.txt
grep "^sheet2" ja.txt | grep -q "診療所" && grep "^sheet2" ja.txt | grep -q "病院" &&
    ok "sheet 2 (type and bed band) names 診療所 and 病院" || not_ok "sheet 2: $(grep "^sheet2" ja.txt)"
grep "^sheet3" ja.txt | grep -q "東京都" && grep "^sheet3" ja.txt | grep -q "大阪府" &&
    ok "sheet 3 (overdue institutions) names 東京都 and 大阪府" || not_ok "sheet 3: $(grep "^sheet3" ja.txt)"
grep "^sheet4" ja.txt | grep -q "診療所" && ok "sheet 4 (2FA readiness) names 診療所" ||
    not_ok "sheet 4: $(grep "^sheet4" ja.txt)"
grep "^sheet7" ja.txt | grep -q "病院以外" && ok "sheet 7 (indicators) names 病院以外" ||
    not_ok "sheet 7: $(grep "^sheet7" ja.txt)"
if grep -E "^sheet[2-4]" ja.txt | tr '\t' '\n' | grep -qxE "clinic|hospital|13|27|other"; then
    not_ok "a raw code in sheets 2-4: $(grep -E "^sheet[2-4]" ja.txt)"
else ok "no raw type code or prefecture number in sheets 2-4"; fi
run "$ANZEN" --lang en hub report --format xlsx -o r-en.xlsx
expect_rc 0 "XLSX report in English"
sheet_texts r-en.xlsx >en.txt
grep "^sheet3" en.txt | grep -q "Tokyo" && grep "^sheet3" en.txt | grep -q "Osaka" &&
    ok "English: sheet 3 names Tokyo and Osaka" || not_ok "English sheet 3: $(grep "^sheet3" en.txt)"
grep "^sheet2" en.txt | grep -q "clinic" && ! grep -q "診療所" en.txt &&
    ok "English: the types in English" || not_ok "English sheet 2: $(grep "^sheet2" en.txt)"
run "$ANZEN" hub report -o r.html
expect_rc 0 "HTML report"
grep -q "<td>診療所</td>" r.html && grep -q "<td>大阪府</td>" r.html &&
    ! grep -qE "<td>(clinic|hospital)</td>" r.html &&
    ok "the HTML report shows the words too" || not_ok "HTML: $(grep -o "<td>[^<]*</td>" r.html | sort -u | head -20)"
run "$ANZEN" hub report --format json -o r.json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s={x["name"]:x for x in d["sections"]}; sys.exit(0 if any(r[0] == "clinic" for r in s["by_type_band"]["rows"]) else 1)' r.json &&
    ok "the JSON report keeps the codes" || not_ok "JSON changed"

# ---- #11 every CSV error in one run ----
KX=$(head -c 32 /dev/urandom | base64)
{
    echo "id,name,type,prefecture,beds,group,hq,key"
    echo "g1,良い医院,clinic,13,0,,,$KX"
    echo "b1,病床の誤り,clinic,13,100床以上,,,$(head -c 32 /dev/urandom | base64)"
    echo "b2,鍵の誤り,clinic,13,0,,,anzen-ed25519-public/1 AAAA"
    echo "b3,種別の誤り,スパ,13,0,,,$(head -c 32 /dev/urandom | base64)"
    echo "b4,鍵なし,clinic,13,0,,,"
    echo "b5,二つの誤り,spa,日本,0,,,$(head -c 32 /dev/urandom | base64)"
    echo ",,,,,,,,,x"
} >many.csv
run "$ANZEN" hub enrol --csv many.csv
expect_rc 1 "a CSV with errors is refused"
expect_err "3 行 5 列: 病床数" "the bed band of line 3"
expect_err "4 行 8 列: 公開鍵が読めません" "the key of line 4"
expect_err "5 行 3 列: 種別 \"スパ\"" "the type of line 5"
expect_err "6 行 8 列: 公開鍵がありません" "the missing key of line 6"
expect_err "7 行 3 列" "both errors of line 7: the type"
expect_err "7 行 4 列" "and the prefecture"
expect_err "8 行: 列は 8 です" "the extra columns of line 8"
expect_err "6 行に誤り (7 件) があります。どの機関も登録していません" "a summary: rows, errors, nothing enrolled"
[ "$(sql "select count(*) from institution where id in ('g1', 'b1', 'b2', 'b3', 'b4', 'b5')")" = 0 ] &&
    ok "all or nothing: not even the good row is enrolled" || not_ok "something was enrolled"
run env ANZEN_LANG=en "$ANZEN" hub enrol --csv many.csv
expect_err "row 5 column 3: unknown type" "in English too"
expect_err "6 rows have errors (7 in all); no institution was enrolled" "with an English summary"
printf '機関ID,名称,種類,県\n' >heads.csv
run "$ANZEN" hub enrol --csv heads.csv
expect_rc 1 "headings without type and prefecture columns are refused"
expect_err "見出しに「種別」の列がありません (読めない見出し: 「種類」(3 列)、「県」(4 列))" \
    "the missing type column, with the headings not understood"
expect_err "見出しに「都道府県」の列がありません" "and the missing prefecture column"
{
    echo "id,name,type,prefecture,beds,group,hq,key"
    i=0
    while [ $i -lt 230 ]; do
        echo "x$i,X,spa,13,0,,,$KX"
        i=$((i + 1))
    done
} >lots.csv
run "$ANZEN" hub enrol --csv lots.csv
expect_rc 1 "230 bad rows are refused"
[ "$(grep -c "種別 \"spa\"" "$T/err")" = 200 ] && ok "the first 200 errors are shown" ||
    not_ok "shown: $(grep -c "種別" "$T/err")"
expect_err "ほかに 30 件の誤りがあります" "and the number of the rest"
run "$ANZEN" hub enrol --csv re.csv --replace-key
expect_rc 0 "a good CSV still enrols"

done_testing
