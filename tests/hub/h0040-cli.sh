#!/bin/sh
# SPDX-License-Identifier: MIT
# The hub's command line as a prefecture office uses it (findings of the
# black-box test, reports/hub-bb.md #5 #6 #7 #10 #11): enrolment CSV made
# in a Japanese spreadsheet (Japanese headings, BOM, full-width digits,
# spaces, empty rows, the text of anzen-sign.pub as the key, Japanese
# types), the fingerprints table, bed bands, each subcommand's own help,
# hub user errors, keygen into a missing directory.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
for w in a b; do
    cp -r anzen-demo $w
    rm -f $w/anzen-sign.key $w/anzen-sign.pub
    (cd $w && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
done
KA=$(cat a/anzen-sign.pub)
KB=$(sed 's/^[^ ]* //' b/anzen-sign.pub)
FA=$(cd a && "$ANZEN" submit --fingerprint 2>&1 | sed -n 's/^指紋: //p')
# keys of their own for the other ids (one key is never enrolled for two)
KE=$(head -c 32 /dev/urandom | base64)
KR=$(head -c 32 /dev/urandom | base64)
KR3=$(head -c 32 /dev/urandom | base64)

# ---- #5: a CSV as an office makes it ----
printf '\357\273\277機関ID,名称,種別,都道府県,病床数,グループ,本部ID,公開鍵\r\n' >ja.csv
printf 'c-13-0101,さくら内科 ,診療所,東京都 ,19床,城南,,%s\r\n' "$KA" >>ja.csv
printf 'c-13-0102,みどり病院,病院,１３,２０〜９９,城南,,%s\r\n' "$KB" >>ja.csv
printf 'c-13-0103,支店,歯科診療所,東京,0,城南,c-13-0101,\r\n' >>ja.csv
printf ',,,,,,,\r\n,,,,,,,\r\n' >>ja.csv
run "$ANZEN" hub enrol --csv ja.csv
expect_rc 0 "a Japanese CSV (BOM, headings, types, full-width digits, spaces, empty rows)"
expect_out "$FA" "the fingerprints are printed for the operator to compare"
expect_out "鍵の指紋" "as a table with a heading"
[ "$(sql "select id, name, type, prefecture, bed_band from institution order by id" | tr '\n' ' ')" = \
    "c-13-0101|さくら内科|clinic|13|1-19 c-13-0102|みどり病院|hospital|13|20-99 c-13-0103|支店|dental|13|0 " ] &&
    ok "stored trimmed, with the type codes, Tokyo and the bands" ||
    not_ok "stored: $(sql "select id, name, type, prefecture, bed_band from institution order by id")"
{
    echo "key,id,name,type,prefecture"
    echo "$KE,e1,E1,clinic,13"
} >en.csv
run "$ANZEN" hub enrol --csv en.csv
expect_rc 0 "English headings in another order, fewer columns"
printf 'id,name,type,prefecture,beds,group,hq,key\nz1,Z,spa,13,0,,,%s\n' "$KA" >bad.csv
run "$ANZEN" hub enrol --csv bad.csv
expect_rc 1 "an unknown type is refused"
expect_err "2 行 3 列" "the error names the row and column"
expect_err "診療所" "and lists the valid types"
printf 'id,name,type,prefecture,beds,group,hq,key\nz1,Z,clinic,13,100床以上,,,%s\n' "$KA" >bad.csv
run "$ANZEN" hub enrol --csv bad.csv
expect_rc 1 "a bed band spanning several is refused"
expect_err "2 行 5 列" "names the row and column"
expect_err "200-399" "lists the bands"
printf 'id,name,type,prefecture,beds,group,hq,key\nz1,Z,clinic,13,0,,,anzen-ed25519-public/1 AAAA\n' >bad.csv
run "$ANZEN" hub enrol --csv bad.csv
expect_rc 1 "a bad key is refused"
expect_err "2 行 8 列" "names the row and column"
printf '機関ID,名称,種類\n' >bad.csv
run "$ANZEN" hub enrol --csv bad.csv
expect_rc 1 "an unknown heading is refused"
expect_err "種類" "names it"
[ "$(sql "select count(*) from institution where id = 'z1'")" = 0 ] && ok "nothing enrolled from bad files" ||
    not_ok "a bad file enrolled something"

# ---- #6: bed bands ----
for b in "20-99:20-99" "20〜99:20-99" "２０～９９床:20-99" "500床以上:500+" "無床:0" "45:20-99" "1-19:1-19"; do
    run "$ANZEN" hub enrol --id bb --name B --type hospital --prefecture 13 --beds "${b%%:*}" --key "$KR"
    [ "$rc" = 0 ] && [ "$(sql "select bed_band from institution where id = 'bb'")" = "${b#*:}" ] &&
        ok "--beds ${b%%:*} is ${b#*:}" || not_ok "--beds ${b%%:*}: rc $rc, $(sql "select bed_band from institution where id = 'bb'")"
done
for b in "<i>19</i>" "100床以上" "20-50" "x"; do
    run "$ANZEN" hub enrol --id bb2 --name B --type hospital --prefecture 13 --beds "$b" --key "$KR"
    expect_rc 64 "--beds $b is refused"
done
expect_err "400-499" "the error lists the bands"
run "$ANZEN" hub enrol --help
expect_out "500+" "help lists the bands"
run "$ANZEN" hub enrol --id bb3 --name B --type 薬局 --prefecture 13 --key "$KR3"
expect_rc 0 "--type takes the Japanese word"
[ "$(sql "select type from institution where id = 'bb3'")" = pharmacy ] && ok "stored as pharmacy" ||
    not_ok "type of bb3"

# ---- #10: each subcommand's own help, errors ----
for s in init keygen enrol ingest report query serve; do
    run "$ANZEN" hub $s --help
    if [ "$rc" = 0 ] && grep -q "anzen hub $s" "$T/out" && ! grep -q "<サブコマンド>" "$T/out"; then
        ok "hub $s --help prints its own usage"
    else
        not_ok "hub $s --help: rc $rc $(head -2 "$T/out")"
    fi
done
run "$ANZEN" hub query nosuch
expect_rc 64 "an unknown query name is refused"
expect_err "completion_by_item" "and the valid names are listed"
# ---- bb1 #16: the survey comparison is a query too (docs/hub.md) ----
expect_err "survey" "survey is among the names listed"
FYN=$(sql "select coalesce(max(fiscal_year), 0) from inst_year")
run "$ANZEN" hub query survey --prefecture 13 --fiscal-year 2026
expect_rc 0 "hub query survey runs"
NH=$(sql "select count(*) from inst_year where fiscal_year = 2026 and prefecture = 13 and type = 'hospital'")
NA=$(sql "select count(*) from inst_year where fiscal_year = 2026 and prefecture = 13")
if python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["name"] == "survey" and j["fiscal_year"] == 2026 and len(j["rows"]) == 5, j
assert j["n_hospitals"] == int(sys.argv[2]) and j["n_all"] == int(sys.argv[3]), j
' "$T/out" "$NH" "$NA" 2>"$T/py"; then ok "the survey comparison as JSON, n from the hub's rows ($NH / $NA, newest year $FYN)"; else not_ok "hub query survey: $(cat "$T/py")"; fi
mkdir -m 700 st
run "$ANZEN" hub user add u1 stray --scope all --state st
expect_rc 64 "a stray argument to hub user add is refused"
expect_err "stray" "the error names it"
expect_err "anzen hub user" "with the hub user usage"
if grep -q "経営層\|anzen user <" "$T/err"; then not_ok "workspace user usage shown"; else ok "not the workspace usage"; fi
run "$ANZEN" hub user add u1 --scope all --state st --bogus
expect_rc 64 "an unknown option to hub user add is refused"
expect_err "--bogus" "the error names it"
expect_err "anzen hub user" "with the hub user usage"
run "$ANZEN" hub enrol --id fw --name F --type clinic --prefecture "１３" --key "$(head -c 32 /dev/urandom | base64)"
expect_rc 0 "--prefecture in full-width digits"

# ---- #11: OS errors in Japanese ----
run "$ANZEN" hub keygen -o "$T/missing/dir"
expect_rc 1 "keygen into a missing directory fails"
expect_err "ありません" "in Japanese"
if grep -q "No such file" "$T/err"; then not_ok "English OS error"; else ok "no English OS error"; fi
# a port another program holds: said so (EADDRINUSE)
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(30)
' "$T/busyport" &
BUSY=$!
i=0; while [ ! -s "$T/busyport" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -m 700 st2
run "$ANZEN" hub serve --state st2 --port "$(cat "$T/busyport")"
kill $BUSY 2>/dev/null || true
expect_rc 1 "hub serve on a port in use fails"
expect_err "ポートは使われています" "and says the port is in use"
done_testing
