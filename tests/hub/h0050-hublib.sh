#!/bin/sh
# SPDX-License-Identifier: MIT
# The hub library against the black-box report (reports/hub-bb.md):
# #4 the demo's KEV-listed FortiOS reaches payload.vpn_kev and the hub's
# kev_vpn query; #2 re-enrolling an id keeps what is not given and
# refuses a new key without --replace-key (CSV too); #1 hub serve gets
# its database back after PostgreSQL restarts, and says the database
# cannot be reached (not "run init") while it is down.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }
HUB_PID=
trap '[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null; pg_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT

run "$ANZEN" hub report --db "host=$PGT user=hub dbname=template1" -o "$T/x.json"
expect_rc 1 "a database without the hub's tables: error"
expect_err "初期化されていません" "says it is not initialised (hub init)"
run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
cp -r anzen-demo other
rm -f other/anzen-sign.key other/anzen-sign.pub
(cd other && "$ANZEN" submit --fingerprint >/dev/null 2>&1)

# ---- #4 vpn_kev ----
cd anzen-demo
run "$ANZEN" ledger check
expect_out "CVE-2024-21762" "the demo ledger has a KEV-listed FortiOS"
run "$ANZEN" submit --id demo1 -o "$T/b1.json"
expect_rc 0 "submit -o"
cd "$T"
python3 - b1.json <<'PY' && ok "payload.vpn_kev names FortiOS 6.4.6 with its CVEs" || not_ok "vpn_kev"
import json, sys
p = json.load(open(sys.argv[1]))["payload"]
v = p["vpn_kev"]
assert p["findings"].get("kev") == 1, p["findings"]
assert len(v) == 1, v
assert "fortios" in v[0]["family"] and v[0]["version"] == "6.4.6", v
assert "CVE-2024-21762" in v[0]["cves"], v
PY

# ---- #2 enrol keeps fields, refuses a key change ----
run "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 --beds 1-19 \
    --group g1 --key anzen-demo/anzen-sign.pub
expect_rc 0 "enrol demo1"
run "$ANZEN" hub enrol --id demo1 --name "さくら内科クリニック" --type clinic --prefecture 13 \
    --key anzen-demo/anzen-sign.pub
expect_rc 0 "enrol demo1 again with the same key and a new name"
[ "$(sql "select name, grp, bed_band from institution where id = 'demo1'")" = "さくら内科クリニック|g1|1-19" ] &&
    ok "the name changed; group and bed band were kept" ||
    not_ok "fields: $(sql "select name, grp, bed_band from institution where id = 'demo1'")"
oldk=$(sql "select encode(pubkey, 'hex') from institution where id = 'demo1'")
run "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 \
    --key other/anzen-sign.pub
expect_rc 1 "another key for an enrolled id is refused"
expect_err "--replace-key" "says how to replace it"
expect_err "demo1" "names the id"
[ "$(sql "select encode(pubkey, 'hex') from institution where id = 'demo1'")" = "$oldk" ] &&
    ok "the enrolled key is unchanged" || not_ok "the key changed"
printf 'id,name,type,prefecture,beds,group,hq,key\ndemo1,さくら内科,clinic,13,,,,%s\n' \
    "$T/other/anzen-sign.pub" >re.csv
run "$ANZEN" hub enrol --csv re.csv
expect_rc 1 "a CSV row with another key for an enrolled id is refused"
expect_err "demo1" "names the id"
[ "$(sql "select encode(pubkey, 'hex') from institution where id = 'demo1'")" = "$oldk" ] &&
    ok "the key is still unchanged" || not_ok "the key changed by CSV"

# ---- #4 after ingest ----
run "$ANZEN" hub ingest b1.json
expect_rc 0 "ingest"
run "$ANZEN" hub query kev_vpn
expect_rc 0 "hub query kev_vpn"
expect_out "6.4.6" "kev_vpn lists the FortiOS 6.4.6 device"
expect_out "fortios" "with its family"
for l in ja en; do
    "$ANZEN" --lang $l hub report -o kev-$l.html
    "$ANZEN" --lang $l hub report --format xlsx -o kev-$l.xlsx
done
python3 - <<'PY' && ok "reports name the KEV product in words, not its id" || not_ok "KEV product words"
import re, zipfile
for l, want in (("ja", "Fortinet FortiOS (FortiGate の SSL-VPN)"), ("en", "Fortinet FortiOS (FortiGate SSL-VPN)")):
    cells = re.findall(r"<td>([^<]*)</td>", open(f"kev-{l}.html").read())
    assert "fortinet-fortios" not in cells and want in cells, (l, cells)
    x = zipfile.ZipFile(f"kev-{l}.xlsx").read("xl/sharedStrings.xml").decode()
    assert "fortinet-fortios" not in x and want in x, l
PY

# ---- #14 ingest messages ----
mkdir inbox
cp b1.json inbox/x.json
run "$ANZEN" hub ingest inbox/
expect_rc 2 "ingesting the same bundle again: refused"
expect_err "inbox/x.json: 束" "the replay names the file"
if grep -q "inbox//" "$T/err" "$T/out"; then not_ok "a double slash in the path"; else
    ok "no double slash in the path"; fi
cat b1.json b1.json >two.json
run "$ANZEN" hub ingest two.json
expect_err "two.json:2: 束" "a replay in a file of several bundles names its line"
(cd anzen-demo && "$ANZEN" submit --id demo1 -o "$T/b2.json" >/dev/null 2>&1 &&
    "$ANZEN" submit --id demo1 -o "$T/b3.json" >/dev/null 2>&1)
run "$ANZEN" hub ingest b3.json b2.json
expect_err "b2.json: demo1: 受け付け済みの束より新しくありません" "an older bundle names its file"
mkdir -m 700 keys
"$ANZEN" hub keygen -o keys >/dev/null
(cd anzen-demo && "$ANZEN" submit --id demo1 --seal "$T/keys/hub.pub" -o "$T/sealed.json" \
    >/dev/null 2>&1)
run "$ANZEN" hub ingest sealed.json
expect_rc 2 "a sealed bundle without --hub-key is not ingested"
expect_err "--hub-key" "says to give --hub-key"
expect_out "封をした束 1 件" "counted as sealed"
expect_out "署名の不正 0" "not as a bad signature"
run "$ANZEN" hub ingest --hub-key keys/hub.key sealed.json
expect_rc 0 "with --hub-key it is ingested"
printf '{"schema": "anzen-signed/1", "payload": {"a": 1\n' >broken.json
run "$ANZEN" hub ingest broken.json
expect_err "broken.json: 1 行 " "a JSON error gives the file, line and column"
expect_err "バイト目" "and the byte"
expect_err "} が要ります (終わり 付近)" "in Japanese"
if grep -q "expected\|end of file" "$T/err"; then not_ok "English in the Japanese message"; else
    ok "no English in it"; fi
run env ANZEN_LANG=en "$ANZEN" hub ingest broken.json
expect_err "expected near end of file" "jansson's own words in English"

run "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 \
    --key other/anzen-sign.pub --replace-key
expect_rc 0 "--replace-key replaces it"
expect_out "鍵を変更しました" "says the key changed"
expect_out "→" "from the old fingerprint to the new"
[ "$(sql "select grp, bed_band from institution where id = 'demo1'")" = "g1|1-19" ] &&
    ok "group and bed band kept across the key change" || not_ok "fields lost"
printf 'id,name,type,prefecture,beds,group,hq,key\ndemo1,さくら内科,clinic,13,,,,%s\n' \
    "$T/anzen-demo/anzen-sign.pub" >re.csv
run "$ANZEN" hub enrol --csv re.csv --replace-key
expect_rc 0 "CSV with --replace-key"
expect_out "demo1 の鍵を変更しました: SHA256:" "the CSV enrolment says which key changed"
[ "$(sql "select encode(pubkey, 'hex') from institution where id = 'demo1'")" = "$oldk" ] &&
    ok "the CSV put the demo key back" || not_ok "key not replaced by CSV"
[ "$(sql "select grp, bed_band from institution where id = 'demo1'")" = "g1|1-19" ] &&
    ok "empty CSV cells keep group and bed band" || not_ok "CSV emptied fields"

# ---- #20 one key, one institution ----
run "$ANZEN" hub enrol --id thief1 --name "別の医院" --type clinic --prefecture 13 \
    --key anzen-demo/anzen-sign.pub
expect_rc 1 "a key already enrolled for another id is refused"
expect_err "demo1" "names the id that has it"
expect_err "--hq" "says how a headquarters covers its branches"
printf 'id,name,type,prefecture,beds,group,hq,key\nn1,N1,clinic,13,,,,%s\nn2,N2,clinic,13,,,,%s\n' \
    "$T/other/anzen-sign.pub" "$T/other/anzen-sign.pub" >shared.csv
run "$ANZEN" hub enrol --csv shared.csv
expect_rc 1 "a CSV giving one key to two ids is refused"
expect_err "n2" "names the row's id"
expect_err "n1" "and the other"
printf 'id,name,type,prefecture,beds,group,hq,key\nn3,N3,clinic,13,,,,%s\n' \
    "$T/anzen-demo/anzen-sign.pub" >shared.csv
run "$ANZEN" hub enrol --csv shared.csv
expect_rc 1 "a CSV giving an enrolled id's key to a new id is refused"
expect_err "demo1" "names the enrolled id"
[ "$(sql "select count(*) from institution where id in ('thief1', 'n1', 'n2', 'n3')")" = 0 ] &&
    ok "none of them enrolled" || not_ok "a shared key was enrolled"

# ---- #1 hub serve and a PostgreSQL restart ----
S=$T/hubstate
(exec "$ANZEN" hub serve --state "$S" --port 0 --ready-file "$T/port" \
    >"$T/serve.out" 2>"$T/serve.err") &
HUB_PID=$!
i=0
while [ ! -s "$T/port" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$HUB_PID" 2>/dev/null; then
        echo "Bail out! hub serve did not start"; cat "$T/serve.err"; exit 1
    fi
    sleep 0.1
done
URL=https://127.0.0.1:$(cat "$T/port")
CRT=$S/anzen-tls.crt
cd anzen-demo
run "$ANZEN" submit --id demo1 --to "$URL" --cacert "$CRT"
expect_rc 0 "submit --to before the restart: accepted"
as_pg "$PGBIN/pg_ctl" -D "$PGT/data" -m fast -w restart >/dev/null 2>&1 &&
    ok "PostgreSQL restarted" || not_ok "pg_ctl restart"
run "$ANZEN" submit --id demo1 --to "$URL" --cacert "$CRT"
expect_rc 0 "the first submit after the restart is accepted (the hub reconnected)"
seq=$(sql "select last_sequence from institution where id = 'demo1'")
run "$ANZEN" hub query kev_vpn
expect_out "6.4.6" "the hub still answers its queries"
as_pg "$PGBIN/pg_ctl" -D "$PGT/data" -m fast -w stop >/dev/null 2>&1
run "$ANZEN" submit --id demo1 --to "$URL" --cacert "$CRT"
[ "$rc" -ne 0 ] && ok "while the database is down a submit is not accepted" ||
    not_ok "accepted with no database"
expect_err "後で送り直してください。しばらくしてから" "the hub's message and ours joined by one full stop"
if grep -q "。。" "$T/err"; then not_ok "a doubled full stop: $(cat "$T/err")"; else
    ok "no doubled full stop (bb2 #4)"; fi
grep -q "接続できません" "$T/serve.err" && ok "the server log says the database cannot be reached" ||
    not_ok "no 'cannot reach' in the log"
grep -q "初期化されていません" "$T/serve.err" &&
    not_ok "the server log wrongly says the database is not initialised" ||
    ok "no 'run hub init' advice for a connection failure"
as_pg "$PGBIN/pg_ctl" -D "$PGT/data" -l "$PGT/log" -w \
    -o "-c listen_addresses='' -k $PGT -c fsync=off -c full_page_writes=off" start \
    >/dev/null 2>&1 && ok "PostgreSQL started again" || not_ok "pg_ctl start"
run "$ANZEN" submit --id demo1 --to "$URL" --cacert "$CRT"
expect_rc 0 "the next submit is accepted"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" -gt "$seq" ] &&
    ok "and stored" || not_ok "not stored"
code=$(curl -sL -o /dev/null -w "%{http_code}" --cacert "$CRT" "$URL/login")
[ "$code" = 200 ] && ok "a page answers 200" || not_ok "page: $code"
# this hub runs without --hub-key: a sealed bundle is refused as sealed,
# and no refusal shows the hub's own spool path
("$ANZEN" submit --id demo1 --seal "$T/keys/hub.pub" -o "$T/sealed2.json" \
    >/dev/null 2>&1)
code=$(curl -sS -o "$T/body" -w '%{http_code}' --cacert "$CRT" -H 'Content-Type: application/json' \
    --data-binary "@$T/sealed2.json" "$URL/api/v1/bundles" 2>/dev/null || true)
[ "$code" = 422 ] && grep -q '"status": *"sealed"' "$T/body" &&
    ok "a sealed bundle at a hub without its key: 422 sealed" || not_ok "sealed: $code $(cat "$T/body")"
grep -q -- "--hub-key" "$T/body" && ok "the answer names --hub-key" || not_ok "no --hub-key hint"
("$ANZEN" submit --id demo1 -o "$T/plain.json" >/dev/null 2>&1)
sed 's/"status":"gap"/"status":"satisfied"/' "$T/plain.json" >"$T/tampered.json"
code=$(curl -sS -o "$T/body" -w '%{http_code}' --cacert "$CRT" -H 'Content-Type: application/json' \
    --data-binary "@$T/tampered.json" "$URL/api/v1/bundles" 2>/dev/null || true)
[ "$code" = 422 ] && grep -q '"detail": *"bundle: ' "$T/body" &&
    ok "a tampered bundle: 422, the detail names it 'bundle'" || not_ok "tampered: $code $(cat "$T/body")"
grep -q "spool\|$S" "$T/body" && not_ok "the answer shows the hub's path: $(cat "$T/body")" ||
    ok "the answer does not show the hub's spool path"
cd "$T"
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
HUB_PID=

done_testing
