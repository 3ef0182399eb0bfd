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
