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
