#!/bin/sh
# SPDX-License-Identifier: MIT
# The hub's ingest against the third black-box report (bb1): #1 a bundle
# whose fiscal year starts after the day it was made (anzen --as-of) is
# refused, at ingest and at POST /api/v1/bundles (422), by the date in
# Japan; #2 a re-indented envelope, and several one after the other, are
# read (CLI and API); #6 a folder's files that are no bundles are skipped
# and named once, its subfolders said not to be read; #7 every refusal
# names its file (and line), a wrong key shows both fingerprints; #13 a
# UTF-8 byte order mark is skipped; #14 the API's audit log records the
# claimed ids of a tampered bundle, and 415 / empty bodies.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }
HUB_PID=
trap '[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null; pg_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
# the bundle as a pretty-printed JSON document (json.dump(indent=2))
pretty() { python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), sys.stdout, indent=2, ensure_ascii=False); print()' "$1"; }
count() { grep -c "$1" "$2" || true; }

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
for w in other stranger rehearse; do cp -r anzen-demo $w; rm -f $w/anzen-sign.key $w/anzen-sign.pub; done
for w in anzen-demo other stranger rehearse; do
    (cd $w && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
done
"$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 \
    --key anzen-demo/anzen-sign.pub >/dev/null
"$ANZEN" hub enrol --id other1 --name "みなと病院" --type hospital --prefecture 13 \
    --key other/anzen-sign.pub >/dev/null
"$ANZEN" hub enrol --id reh1 --name "予行病院" --type hospital --prefecture 11 \
    --key rehearse/anzen-sign.pub >/dev/null
ok "three institutions enrolled"
sub() { # workspace id output [anzen options]
    w=$1 id=$2 o=$3
    shift 3
    (cd "$w" && "$ANZEN" "$@" submit --id "$id" -o "$T/$o" >/dev/null 2>&1)
}

# ---- #13 a byte order mark ----
sub anzen-demo demo1 b1.json
printf '\357\273\277' >bom.json
cat b1.json >>bom.json
run "$ANZEN" hub ingest bom.json
expect_rc 0 "a bundle saved with a UTF-8 BOM is accepted"
if grep -q "{ で始まり" "$T/err"; then not_ok "BOM refused"; else ok "no 'starts with {' refusal"; fi

# ---- #2 re-indented ----
sub anzen-demo demo1 b2.json
pretty b2.json >pretty.json
[ "$(wc -l <pretty.json)" -gt 50 ] && ok "the re-indented bundle spans many lines" || not_ok "not re-indented"
run "$ANZEN" hub ingest pretty.json
expect_rc 0 "a re-indented bundle (one JSON document) is accepted"
expect_out "束 1 件: 取り込み 1" "counted as one bundle"
sub anzen-demo demo1 b3.json
sub anzen-demo demo1 b4.json
{ pretty b3.json; pretty b4.json; } >stream.json
run "$ANZEN" hub ingest stream.json
expect_rc 0 "two re-indented bundles one after the other are accepted"
expect_out "束 2 件: 取り込み 2" "counted as two bundles"
sub anzen-demo demo1 b5.json
sub anzen-demo demo1 b6.json
cat b5.json b6.json >lines.json
run "$ANZEN" hub ingest lines.json
expect_rc 0 "JSON Lines still work"
expect_out "束 2 件: 取り込み 2" "two lines, two bundles"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = 6 ] &&
    ok "the hub holds demo1 at sequence 6" || not_ok "sequence: $(sql "select last_sequence from institution where id = 'demo1'")"

# ---- #7 every refusal names its file; wrong key: both fingerprints ----
sub other demo1 wk.json
run "$ANZEN" hub ingest wk.json
expect_rc 2 "a bundle of demo1 signed with another key is refused"
expect_err "wk.json: demo1 の登録された鍵で署名されていません" "the refusal names the file"
fp_demo=$(cd anzen-demo && "$ANZEN" submit --fingerprint 2>&1 | sed -n 's/^指紋: //p')
fp_other=$(cd other && "$ANZEN" submit --fingerprint 2>&1 | sed -n 's/^指紋: //p')
grep -qF "$fp_demo" "$T/err" && grep -qF "$fp_other" "$T/err" &&
    ok "both fingerprints are shown (enrolled and signer)" || not_ok "fingerprints: $(cat "$T/err")"
sub stranger nobody1 unk.json
{ cat b6.json; cat unk.json; } >mixed.json
run "$ANZEN" hub ingest unk.json mixed.json
expect_rc 2 "a bundle of an institution not enrolled is refused"
expect_err "unk.json: 登録されていない機関 nobody1" "the refusal names the file"
expect_err "mixed.json:2: 登録されていない機関 nobody1" "and the line in a file of several"
grep -q "mixed.json:1: 束 .* は受け付け済み" "$T/err" && ok "a replay on line 1 names the line" ||
    not_ok "replay line: $(cat "$T/err")"

# ---- #6 a folder ----
mkdir -p inbox/sub
sub anzen-demo demo1 inbox/b7.json
cp b1.json inbox/sub/old.json
printf '\320\317\021\340\241\261\032\341\000\000\000\000 binary\n{x\n}\n' >inbox/Thumbs.db
printf '[.ShellClassInfo]\r\nIconResource=x\r\n' >inbox/desktop.ini
printf 'PK\003\004\024\000\000\000\010\000' >inbox/members.xlsx
head -c 3000 /dev/urandom | tr -d '\000' >>inbox/members.xlsx
printf '\000' >>inbox/members.xlsx
: >inbox/empty.json
run "$ANZEN" hub ingest inbox
expect_rc 0 "a folder with one bundle and files that are no bundles: accepted"
expect_out "束 1 件: 取り込み 1" "only the bundle is counted"
expect_out "飛ばしました" "the skipped files are counted apart"
for f in Thumbs.db desktop.ini members.xlsx empty.json; do
    [ "$(count "$f" "$T/err")" = 1 ] && ok "$f is named once" || not_ok "$f named $(count "$f" "$T/err") times"
done
expect_err "inbox/sub: フォルダは読みません" "the subfolder is said not to be read"
if grep -q "署名" "$T/err"; then not_ok "counted as bad signatures"; else ok "no bad signatures"; fi

# ---- #1 a fiscal year that has not begun ----
set -- $(date -u -d '+9 hours' '+%Y %m')
fy_now=$(($1 - ($2 < 4)))
next=$((fy_now + 1))
(cd rehearse && "$ANZEN" --as-of "$next-04-05" submit --id reh1 -o "$T/fut.json" >/dev/null 2>"$T/sub.err")
grep -q "ハブはこの束を受け付けません" sub.err && ok "submit --as-of a later year warns" ||
    not_ok "no warning: $(cat sub.err)"
run "$ANZEN" hub ingest fut.json
expect_rc 2 "a bundle for next fiscal year made now is refused"
expect_err "fut.json: 年度が作成時刻の年度より後です: 年度 $next > $fy_now" "the refusal says why, with the file"
expect_out "年度が作成時刻より後の束 1 件" "the summary counts it"
[ "$(sql "select count(*) from inst_year where fiscal_year = $next")" = 0 ] &&
    ok "nothing of the later year is stored" || not_ok "FY$next stored"
# the boundary, by the date in Japan: made on 31 March (23:59 in Japan)
# for the year starting 1 April is refused, made at 00:00 on 1 April in
# Japan (still 31 March in UTC) is accepted
sub rehearse reh1 base.json
resign() { # in out created_at fiscal_year
    python3 - "$@" "$T/rehearse/anzen-sign.key" <<'EOF'
import base64, json, os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
src, out, created, fy, keyf = sys.argv[1:6]
sk = base64.b64decode(open(keyf).read().split()[1])
e = json.load(open(src))
p = e["payload"]
p["created_at"], p["fiscal_year"] = created, int(fy)
p["bundle_id"] = os.urandom(16).hex()
canon = json.dumps(p, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
e["sig"] = base64.b64encode(Ed25519PrivateKey.from_private_bytes(sk[:32]).sign(canon)).decode()
open(out, "w").write(json.dumps(e, ensure_ascii=False) + "\n")
EOF
}
resign base.json late.json 2031-03-31T14:59:59Z 2031
resign base.json edge.json 2031-03-31T15:00:00Z 2031
run "$ANZEN" hub ingest late.json
expect_rc 2 "made on 31 March 2031 (Japan) for FY2031: refused"
expect_err "2031 > 2030" "says the years"
run "$ANZEN" hub ingest edge.json
expect_rc 0 "made at 00:00 on 1 April 2031 in Japan (31 March in UTC) for FY2031: accepted"

# ---- the API ----
mkdir -m 700 "$T/keys"
"$ANZEN" hub keygen -o "$T/keys" >/dev/null
S=$T/hubstate
hub_start --rate 100
URL=https://127.0.0.1:$PORT
CRT=$S/anzen-tls.crt
post() { # content-type file: prints the HTTP status
    curl -sS --cacert "$CRT" -o "$T/body" -w '%{http_code}' -H "Content-Type: $1" \
        --data-binary "@$2" "$URL/api/v1/bundles" 2>/dev/null || true
}
audit() { sqlite3 "$S/hub-accounts.db" "select who || ' ' || object || ' ' || after from change_log where what like 'bundle-%' order by rowid"; }
sub other other1 o1.json
pretty o1.json >o1-pretty.json
code=$(post application/json o1-pretty.json)
[ "$code" = 201 ] && ok "a re-indented bundle over HTTPS: 201" || not_ok "re-indented answered $code: $(cat body)"
sub other other1 o2.json
printf '\357\273\277' >o2-bom.json
cat o2.json >>o2-bom.json
code=$(post application/json o2-bom.json)
[ "$code" = 201 ] && ok "a bundle with a BOM over HTTPS: 201" || not_ok "BOM answered $code: $(cat body)"
sub other other1 o3.json
sub other other1 o4.json
{ pretty o3.json; pretty o4.json; } >o-two.json
code=$(post application/json o-two.json)
[ "$code" = 400 ] && ok "two re-indented envelopes in one request: 400" || not_ok "two answered $code"
grep -q "one bundle per request" body && ok "says one bundle per request" || not_ok "body: $(cat body)"
(cd rehearse && "$ANZEN" --as-of "$next-04-05" submit --id reh1 -o "$T/fut2.json" >/dev/null 2>&1)
code=$(post application/json fut2.json)
[ "$code" = 422 ] && ok "a bundle of a later fiscal year: 422" || not_ok "future answered $code"
grep -q -- "--as-of" body && grep -q '"detail"' body && ok "with the reason" || not_ok "body: $(cat body)"
audit | grep -q "future fiscal year" && ok "audited as a later fiscal year" || not_ok "audit: $(audit)"
# a tampered bundle: the ids it claims are recorded, marked unverified
sed 's/"status":"gap"/"status":"satisfied"/' o3.json >tampered.json
cmp -s o3.json tampered.json && not_ok "tampering changed nothing" || true
bid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["payload"]["bundle_id"])' o3.json)
code=$(post application/json tampered.json)
[ "$code" = 422 ] && ok "tampered: 422" || not_ok "tampered answered $code"
audit | grep "bad signature" | grep -q "institution:other1 bundle:$bid .*claimed, unverified" &&
    ok "the audit log has the claimed institution and bundle id, marked unverified" ||
    not_ok "audit: $(audit | tail -3)"
code=$(post text/plain o3.json)
[ "$code" = 415 ] && ok "text/plain: 415" || not_ok "415? $code"
audit | tail -1 | grep -q "content type" && ok "the 415 is audited" || not_ok "audit: $(audit | tail -1)"
: >empty.json
code=$(post application/json empty.json)
[ "$code" = 400 ] && ok "empty body: 400" || not_ok "empty answered $code"
audit | tail -1 | grep -q '"empty' && ok "the empty body is audited" || not_ok "audit: $(audit | tail -1)"
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
HUB_PID=
done_testing
