#!/bin/sh
# SPDX-License-Identifier: MIT
# The hub as a medical association's office uses it (black-box report
# bb1): #17 keygen makes its directory and an unreachable database is said
# in words; #4 hub user association without ids is refused (--clear
# empties it); #18 scopes stored in one form and listed in words; #3 #5
# #7 #8 enrolment CSVs as an office writes them (CP932, a title row, No.
# and 備考 columns, other heading words, ordinary wording of types and
# beds) and one id rule for --id and the CSV.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }
key() { head -c 32 /dev/urandom | base64; }
# cp932 FILE: stdin (UTF-8) written as CP932 with CRLF, as Excel saves it
cp932() { python3 -c 'import sys; open(sys.argv[1], "wb").write(sys.stdin.read().replace("\n", "\r\n").encode("cp932"))' "$1"; }

run "$ANZEN" hub init
expect_rc 0 "hub init"

# ---- #17 keygen -o DIR makes DIR (0700) ----
run "$ANZEN" hub keygen -o "$T/newkeys"
expect_rc 0 "keygen into a directory that does not exist yet"
[ -f "$T/newkeys/hub.key" ] && [ "$(stat -c %a "$T/newkeys")" = 700 ] &&
    ok "the directory is made 0700 with the key in it" || not_ok "newkeys: $(ls -ld "$T/newkeys")"
# ---- #17 an unreachable database: the documented words, then libpq's ----
run "$ANZEN" hub report --db "host=$T/nosuchsock dbname=x user=hub connect_timeout=2" -o r.html
expect_rc 1 "report with an unreachable database fails"
expect_err "ハブのデータベースに接続できません" "says the hub database cannot be reached"
expect_err "nosuchsock" "followed by libpq's detail"
run "$ANZEN" --lang en hub enrol --db "host=$T/nosuchsock dbname=x user=hub" --id a --name A \
    --type clinic --prefecture 13 --key "$(key)"
expect_err "cannot reach the hub database" "in English too"

# ---- #4 hub user association without ids ----
S=$T/st
hub_start
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true
for i in 1 2; do
    run "$ANZEN" hub enrol --id sa-c0$i --name "C$i" --type clinic --prefecture 11 --key "$(key)"
done
run "$ANZEN" hub user association さいたま北医師会 sa-c01 sa-c02 --state "$S"
expect_rc 0 "association with two members"
run "$ANZEN" hub user association さいたま北医師会 --state "$S"
expect_rc 64 "association with no ids is refused"
expect_err "--clear" "and says --clear empties it"
run "$ANZEN" hub user scopes --state "$S"
expect_out "sa-c02" "the members are kept"
run "$ANZEN" hub user association さいたま北医師会 sa-c01 --clear --state "$S"
expect_rc 64 "--clear with ids is refused"
run "$ANZEN" hub user association さいたま北医師会 --clear --state "$S"
expect_rc 0 "--clear removes the members"
expect_out "外しました" "and says so"
run "$ANZEN" hub user scopes --state "$S"
expect_no_out "さいたま北医師会" "the association has left the list"
run "$ANZEN" hub user association a1 x1 --db "host=$T/nosuchsock dbname=x user=hub" --state "$S"
expect_err "ハブのデータベースに接続できません" "hub user association says it in the same words"

# ---- #18 scopes in one form, listed in words ----
n18=0
for sc in "prefecture:埼玉" "prefecture:埼玉県" "prefecture:11" "prefecture:saitama" "prefecture:１１"; do
    n18=$((n18 + 1))
    run_in "correct horse battery 9" "$ANZEN" hub user add "u$n18" --scope "$sc" --password-stdin --state "$S"
    expect_rc 0 "add with --scope $sc"
done
run "$ANZEN" hub user scope u1 "prefecture:埼玉" --state "$S"
expect_rc 0 "hub user scope u1 prefecture:埼玉"
expect_out "埼玉県" "the confirmation names the prefecture in words"
run "$ANZEN" hub user scopes --state "$S"
[ "$(grep -c '"prefecture:11"' "$T/out")" = 5 ] && ok "all five stored as prefecture:11" ||
    not_ok "stored: $(cat "$T/out")"
expect_out '"u1": "都道府県: 埼玉県"' "scopes lists them in words"
# a form stored by an older version (the name) is read and rewritten
python3 -c '
import sqlite3, sys
d = sqlite3.connect(sys.argv[1]); d.execute("update hub_scope set scope = ? where name = ?", ("prefecture:埼玉", "u2")); d.commit()
' "$S/hub-accounts.db"
run "$ANZEN" hub user scopes --state "$S"
[ "$(grep -c '"prefecture:11"' "$T/out")" = 5 ] && ok "an older stored form is migrated to prefecture:11" ||
    not_ok "stored: $(cat "$T/out")"

# ---- #3 an enrolment CSV as an office writes it ----
# keys of their own for each row
K1=$(key); K2=$(key); K3=$(key); K4=$(key); K5=$(key); K6=$(key); K7=$(key); K8=$(key); K9=$(key)
cp932 natural.csv <<CSV
令和８年度　会員医療機関　登録一覧（さいたま北医師会事務局）,,,,,,,,
No.,機関ID,医療機関名,種別,都道府県,病床数,グループ,公開鍵,備考
１,saitama-c01,さくら内科クリニック,診療所,埼玉県,１９床,さいたま北医師会,anzen-ed25519-public/1 $K1,有床診療所
２,saitama-c02,青葉ファミリークリニック,診療所,埼玉県,無床,さいたま北医師会,$K2,
３,saitama-h01,北総合病院,病院,埼玉,１２０床,さいたま北医師会,$K3,"二次救急、担当: 事務長"
,,,,,,,,
CSV
run "$ANZEN" hub enrol --csv natural.csv
expect_rc 0 "a CP932 CSV with a title row and No./備考 columns is enrolled"
expect_err "見出しは 2 行目です" "the title row is named as not read"
expect_err "「No.」(1 列)、「備考」(9 列) の列は読みません" "the extra columns named once"
[ "$(sql "select id, bed_band, grp from institution where id like 'saitama-%' order by id" | tr '\n' ' ')" = \
    "saitama-c01|1-19|さいたま北医師会 saitama-c02|0|さいたま北医師会 saitama-h01|100-199|さいたま北医師会 " ] &&
    ok "stored with their bands and group" ||
    not_ok "stored: $(sql "select id, bed_band, grp from institution where id like 'saitama-%' order by id")"
# other words for the headings; the prefecture from the address
cp932 syn.csv <<CSV
医療機関コード,医療機関名称,施設区分,所在地,許可病床数,所属医師会,公開鍵
1110001,ヘッダ医院,診療所,埼玉県さいたま市北区１－２,0,さいたま北医師会,$K4
CSV
run "$ANZEN" hub enrol --csv syn.csv
expect_rc 0 "医療機関コード, 医療機関名称, 施設区分, 所在地, 許可病床数, 所属医師会 are understood"
[ "$(sql "select name, type, prefecture, grp from institution where id = '1110001'")" = "ヘッダ医院|clinic|11|さいたま北医師会" ] &&
    ok "the prefecture is taken from the address" || not_ok "stored: $(sql "select name, type, prefecture, grp from institution where id = '1110001'")"
printf '\357\273\277ID,医療機関名,区分,都道府県名,病床,グループ名,鍵\nsyn-b,B,有床診療所,埼玉県,,G,%s\n' "$K5" >hdrb.csv
run "$ANZEN" hub enrol --csv hdrb.csv
expect_rc 0 "headings 区分 and 病床"
[ "$(sql "select type, bed_band from institution where id = 'syn-b'")" = "clinic|1-19" ] &&
    ok "有床診療所 without a count: a clinic with 1-19 beds" || not_ok "stored: $(sql "select type, bed_band from institution where id = 'syn-b'")"
cp932 nohead.csv <<CSV
会員一覧
さくら,埼玉,19
CSV
run "$ANZEN" hub enrol --csv nohead.csv
expect_rc 1 "a file without headings is refused"
expect_err "見出しの行が見つかりません: 必要な見出しは" "saying the heading row is not found"
if grep -q "が空です\|列は" "$T/err"; then not_ok "per-cell errors as well"; else ok "not an error per cell"; fi
printf '機関ID,名称,種類\nx,X,診療所\n' >missing.csv
run "$ANZEN" hub enrol --csv missing.csv
expect_rc 1 "headings without a type column are refused"
expect_err "「種別」の列がありません (読めない見出し: 「種類」(3 列))" "naming the missing column and the unread heading"

# ---- #5 one id rule for --id and the CSV ----
for id in "saitama c12" "<script>x" "$(printf 'x%.0s' $(seq 65))"; do
    run "$ANZEN" hub enrol --id "$id" --name X --type clinic --prefecture 11 --key "$(key)"
    expect_rc 64 "--id \"$(printf %.20s "$id")\" is refused as anzen submit refuses it"
done
expect_err "英数字と . _ - の 1〜64 文字" "the error gives the rule"
run "$ANZEN" hub enrol --id "ｓａｉｔａｍａ－ｃ０９" --name 全角 --type clinic --prefecture 11 --key "$K6"
expect_rc 0 "a full-width --id is taken"
[ "$(sql "select count(*) from institution where id = 'saitama-c09'")" = 1 ] &&
    ok "stored as saitama-c09, as the CSV stores it" || not_ok "full-width id stored as typed"
printf 'id,name,type,prefecture,key\nsaitama c12,X,clinic,11,%s\n' "$(key)" >badid.csv
run "$ANZEN" hub enrol --csv badid.csv
expect_rc 1 "the CSV refuses the same ids"
expect_err "2 行 1 列: 機関 ID \"saitama c12\" は使えません" "naming row and column"

# ---- #8 ordinary wording of types and beds ----
cp932 edge.csv <<CSV
機関ＩＤ,名称,区分,都道府県,病床,グループ,公開鍵
edge-1,一般,一般病院,埼玉県,45,G,$K7
edge-2,無床,無床診療所,埼玉県,-,G,$K8
edge-3,注記,有床診療所,埼玉県,１９床（一般）,G,$K9
edge-4,全角ダッシュ,歯科医院,埼玉県,－,G,$(key)
edge-5,なし,保険薬局,埼玉県,なし,G,$(key)
CSV
run "$ANZEN" hub enrol --csv edge.csv
expect_rc 0 "一般病院, 無床診療所, 有床診療所, 歯科医院, 保険薬局 and 19床（一般）, -, －, なし"
[ "$(sql "select id, type, bed_band from institution where id like 'edge-%' order by id" | tr '\n' ' ')" = \
    "edge-1|hospital|20-99 edge-2|clinic|0 edge-3|clinic|1-19 edge-4|dental|0 edge-5|pharmacy|0 " ] &&
    ok "stored as hospital/clinic/dental/pharmacy with their bands" ||
    not_ok "stored: $(sql "select id, type, bed_band from institution where id like 'edge-%' order by id")"
cp932 edge2.csv <<CSV
機関ID,名称,種別,都道府県,病床数,グループ,公開鍵
e-1,以上,一般病院,埼玉県,100床以上,G,$(key)
e-2,無床なのに,無床診療所,埼玉県,19,G,$(key)
e-3,全角,病院,埼玉県,２０〜５０床（一般）,G,$(key)
CSV
run "$ANZEN" hub enrol --csv edge2.csv
expect_rc 1 "100床以上 and a 無床診療所 with beds are refused"
expect_err "2 行 5 列: 病床数 \"100床以上\" は区分をまたぐため決められません (100-199, 200-399, 400-499, 500+" \
    "100床以上: says it spans the bands"
expect_err "病床数 (例: 120) か区分 (例: 100-199) を書いてください" "and what to write"
expect_err "3 行 5 列: 種別は \"無床診療所\" (病床なし) ですが、病床数は \"19\" です" "a 無床診療所 with 19 beds"
expect_err "\"２０〜５０床（一般）\"" "the error quotes what was typed, not the folded text"

# ---- #7 key conflicts: row and column, all of them at once ----
run "$ANZEN" hub enrol --id kc-old --name Old --type clinic --prefecture 11 --key "$(key)"
KD=$(key)
cp932 keys.csv <<CSV
機関ID,医療機関名,種別,都道府県,病床数,グループ,公開鍵
kc-a,A,診療所,埼玉県,0,G,$K2
kc-b,B,診療所,埼玉県,0,G,$KD
kc-c,C,歯科,埼玉県,0,G,$KD
CSV
run "$ANZEN" hub enrol --csv keys.csv
expect_rc 1 "keys used twice are refused"
expect_err "4 行 7 列: kc-c の公開鍵が 3 行 (kc-b) と同じです" "the second row with the same key, by row and column"
expect_err "2 行 7 列: kc-a: この公開鍵は saitama-c02 に登録済みです" \
    "and in the same run the row whose key another institution has"
cp932 keys2.csv <<CSV
機関ID,医療機関名,種別,都道府県,病床数,グループ,公開鍵
kc-a,A,診療所,埼玉県,0,G,$K2
kc-d,D,診療所,埼玉県,0,G,$K3
CSV
run "$ANZEN" hub enrol --csv keys2.csv
expect_rc 1 "keys enrolled for others are refused"
expect_err "2 行 7 列: kc-a: この公開鍵は saitama-c02 に登録済みです" "the first, by row and column"
expect_err "3 行 7 列: kc-d: この公開鍵は saitama-h01 に登録済みです" "and the second in the same run"
[ "$(sql "select count(*) from institution where id like 'kc-%' and id <> 'kc-old'")" = 0 ] &&
    ok "nothing enrolled" || not_ok "something enrolled"
done_testing
