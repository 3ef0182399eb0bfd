#!/bin/sh
# SPDX-License-Identifier: MIT
# anzen hub serve on a real PostgreSQL server of the test's own: the
# bundle endpoint (POST /api/v1/bundles) fed by `anzen submit --to` over
# HTTPS on 127.0.0.1 with the hub's self-signed certificate (--cacert) or
# its pinned key (--pin): accepted, replay, tampered, wrong key, unknown
# institution, too big, wrong content type, rate limit, wrong pin, no
# hub; then the web UI (tests/hub/hub_web.py): first-run setup, sign-in
# with TOTP, the hub roles and what each may see (IDOR attempts), the
# report downloads.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }
HUB_PID=
trap '[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; wait 2>/dev/null; pg_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
for w in osaka thief stranger; do cp -r anzen-demo $w; rm -f $w/anzen-sign.key $w/anzen-sign.pub; done
for w in anzen-demo osaka thief stranger; do
    (cd $w && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
done
"$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 東京都 --beds 1-19 \
    --group g1 --key anzen-demo/anzen-sign.pub >/dev/null
"$ANZEN" hub enrol --id osaka1 --name "なにわ病院" --type hospital --prefecture 大阪府 \
    --beds 200-399 --group g2 --key osaka/anzen-sign.pub >/dev/null
"$ANZEN" hub enrol --id tokyo2 --name "東京二丁目歯科" --type dental --prefecture 13 \
    --group g2 --key thief/anzen-sign.pub >/dev/null
ok "three institutions enrolled (Tokyo g1, Osaka g2, Tokyo g2)"
# 60 more in Tokyo, for the pages of the institutions list
{
    echo "id,name,type,prefecture,beds,group,hq,key"
    # a key of its own each (one key is never enrolled for two ids)
    for i in $(seq 10 69); do echo "zz-$i,診療所 $i,clinic,13,0,g3,,$(head -c 32 /dev/urandom | base64)"; done
} >many.csv
echo "zz-evil,\"<script>alert(1)</script> \"\"q\"\" &amp;\",clinic,13,0,g3,,$(head -c 32 /dev/urandom | base64)" >>many.csv
run "$ANZEN" hub enrol --csv many.csv
expect_rc 0 "61 more Tokyo clinics enrolled (one with markup in its name)"
mkdir -m 700 "$T/keys"
"$ANZEN" hub keygen -o "$T/keys" >/dev/null

# ---- the server ----
S=$T/hubstate
run "$ANZEN" hub serve --port 0
expect_rc 64 "hub serve without --state is refused"
expect_err "--state" "names --state"
run env -u ANZEN_HUB_DB "$ANZEN" hub serve --state "$S"
expect_rc 64 "hub serve without a database is refused"
run "$ANZEN" hub user list
expect_rc 64 "hub user without --state is refused"
mkdir -m 777 open-state
run "$ANZEN" hub serve --state open-state --port 0
expect_rc 1 "a state directory others can write to is refused"
expect_err "chmod 700" "says how to fix it"
run "$ANZEN" hub serve --state "$S" --db "host=$PGT user=nobody-here dbname=none" --port 0
expect_rc 1 "a database that cannot be reached: error"
mkdir -p -m 700 "$S/spool"
echo stale >"$S/spool/in-stale1"
start_hub() {
    hub_start --rate 20 --hub-key "$T/keys/hub.key"
}
start_hub
URL=https://127.0.0.1:$PORT
CRT=$S/anzen-tls.crt
ok "hub serve listens on 127.0.0.1:$PORT"
grep -q "初回設定コード" "$T/serve.err" && ok "first start prints a setup code" ||
    not_ok "no setup code"
[ -e "$S/spool/in-stale1" ] && not_ok "a stale spool file is kept" ||
    ok "stale spool files are removed at start"
m=$(stat -c %a "$S"); [ "$m" = 700 ] && ok "state directory is 0700" || not_ok "state mode $m"
m=$(stat -c %a "$S/hub-accounts.db"); [ "$m" = 600 ] && ok "account file is 0600" ||
    not_ok "account file mode $m"
m=$(stat -c %a "$S/anzen-tls.key"); [ "$m" = 600 ] && ok "TLS key is 0600" || not_ok "TLS key $m"
PIN="sha256//$(openssl x509 -in "$CRT" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)"

# ---- submit --to ----
cd anzen-demo
run "$ANZEN" submit --id demo1 --to "$URL" --cacert "$CRT" -o "$T/sent1.json"
expect_rc 0 "submit --to with --cacert: accepted"
expect_err "受け付けました" "says accepted"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = 1 ] &&
    ok "the hub stored it (sequence 1)" || not_ok "not stored"
run "$ANZEN" submit --to " $URL/ " --pin "$PIN"
expect_rc 0 "submit --to with --pin only (spaces around the URL dropped): accepted"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = 2 ] &&
    ok "sequence 2 stored" || not_ok "sequence 2"
run "$ANZEN" submit --to "$URL" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
expect_rc 7 "a wrong pin is a TLS failure (exit 7)"
expect_err "信頼できません" "says the certificate is not trusted"
run "$ANZEN" submit --to "$URL"
expect_rc 7 "the self-signed certificate without --cacert/--pin: TLS failure"
run "$ANZEN" submit --to "http://127.0.0.1:$PORT" --cacert "$CRT"
expect_rc 64 "http:// is refused"
expect_err "https://" "says https only"
run "$ANZEN" submit --to "https://127.0.0.1:1" --cacert "$CRT" --timeout 5
expect_rc 6 "nothing listening: no connection (exit 6)"
expect_err "つながりません" "says it cannot reach the hub"
# a name that does not resolve, in a network namespace of the test's own
# with nothing but loopback (the resolver cannot be reached from it: no
# query leaves the machine)
if unshare -n true 2>/dev/null; then
    run unshare -n "$ANZEN" submit --to "https://hub.invalid:8444" --cacert "$CRT" --timeout 5
    expect_rc 5 "a host name that does not resolve: exit 5"
    expect_err "DNS" "says the name does not resolve"
else
    ok "# SKIP no network namespaces here (unshare -n)"
fi
run "$ANZEN" submit --to "$URL" --cacert "$T/nonexist.crt"
expect_rc 64 "a --cacert file that does not exist: usage error before any network"
expect_err "ファイルがありません" "says the file is missing"
for u in "$URL/?x=1" "$URL#frag" "https://127.0.0.1: $PORT"; do
    run "$ANZEN" submit --to "$u" --cacert "$CRT"
    expect_rc 64 "--to \"$u\" is refused"
done
expect_err "空白" "a space inside the URL is named"
# plain HTTP answering on the port: "not HTTPS", not "not trusted"
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
for _ in range(2):
    c, _ = s.accept(); c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); c.close()
' "$T/plainport" &
PLAIN_PID=$!
i=0; while [ ! -s "$T/plainport" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
run "$ANZEN" submit --to "https://127.0.0.1:$(cat "$T/plainport")" --cacert "$CRT" --timeout 5
expect_rc 7 "plain HTTP on the port: a TLS failure (exit 7)"
expect_err "HTTPS ではありません" "says it is not HTTPS"
kill $PLAIN_PID 2>/dev/null || true
run "$ANZEN" submit --to "$URL" --pin "md5//x"
expect_rc 64 "a malformed pin is a usage error"
run "$ANZEN" submit --to "$URL" --cacert "$CRT" --timeout 5
expect_rc 0 "after failed sends, the next bundle is accepted"
s=$(sql "select last_sequence from institution where id = 'demo1'")
[ "demo1 $s" = "$(cat anzen-submit.seq)" ] && [ "$s" -gt 2 ] &&
    ok "failed sends used up their sequence numbers ($s), none went backwards" ||
    not_ok "sequence after failures: $s vs $(cat anzen-submit.seq)"
# a mistyped --id: refused by the hub, and neither the real id's counter
# nor the remembered id is lost (findings #3)
run "$ANZEN" submit --id demo-typo --to "$URL" --cacert "$CRT"
expect_rc 4 "a mistyped --id is refused by the hub"
[ "$(head -1 anzen-submit.seq)" = "demo1 $s" ] && grep -qx "demo-typo 1" anzen-submit.seq &&
    ok "the real id's counter is kept and still the default; the typo has its own" ||
    not_ok "sequence file after a typo: $(cat anzen-submit.seq)"
run "$ANZEN" submit --to "$URL" --cacert "$CRT"
expect_rc 0 "the next send without --id goes as the real id and is accepted"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = $((s + 1)) ] &&
    ok "as the next sequence ($((s + 1)))" || not_ok "sequence after the typo"
run "$ANZEN" submit --id demo-typo --to "$URL" --cacert "$CRT"
[ "$(grep -c . anzen-submit.seq)" = 2 ] && grep -qx "demo-typo 2" anzen-submit.seq &&
    [ "$(head -1 anzen-submit.seq)" = "demo1 $((s + 1))" ] &&
    ok "each id counts on its own, never backwards" ||
    not_ok "sequence file: $(cat anzen-submit.seq)"
# the hub's database goes away: the hub's own message is shown (exit 8)
as_pg "$PGBIN/pg_ctl" -D "$PGT/data" -m fast -w stop >/dev/null 2>&1
run "$ANZEN" submit --to "$URL" --cacert "$CRT"
expect_rc 8 "the hub's database is down: a hub failure (exit 8)"
expect_err "データベース" "the hub's message is shown"
if grep -q "応答が分かりません" "$T/err"; then not_ok "said the answer is not understood"; else
    ok "not 'answer not understood'"; fi
as_pg "$PGBIN/pg_ctl" -D "$PGT/data" -l "$PGT/log" -w \
    -o "-c listen_addresses='' -k $PGT -c fsync=off -c full_page_writes=off" start >/dev/null 2>&1
# a fresh hub serve (its rate limit starts again; the web tests below need
# its setup code, as no user exists yet)
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true
start_hub
URL=https://127.0.0.1:$PORT
cd "$T"

cd osaka
run "$ANZEN" submit --id osaka1 --seal "$T/keys/hub.pub" --to "$URL" --cacert "$CRT"
expect_rc 0 "a bundle sealed to the hub's key is opened and accepted"
cd "$T"
[ "$(sql "select sealed from bundle where signer = 'osaka1' order by sequence desc limit 1")" = t ] &&
    ok "stored as sealed" || not_ok "sealed flag"

# the same bytes again: a replay
post() { # content-type file [curl options]: prints the HTTP status
    ct=$1 f=$2
    shift 2
    curl -sS --cacert "$CRT" -o "$T/body" -w '%{http_code}' -H "Content-Type: $ct" \
        --data-binary "@$f" "$@" "$URL/api/v1/bundles" 2>/dev/null || true
}
code=$(post application/json sent1.json)
[ "$code" = 409 ] && ok "the same bundle again: 409" || not_ok "replay answered $code"
grep -q '"status":"replay"' body && ok "status replay" || not_ok "replay status: $(cat body)"
# older: a new bundle id with an old sequence cannot be made without the key;
# a tampered copy of the accepted one is refused
sed 's/"status":"gap"/"status":"satisfied"/' sent1.json >tampered.json
code=$(post application/json tampered.json)
[ "$code" = 422 ] && ok "tampered bundle: 422" || not_ok "tampered answered $code"
grep -q '"status":"refused"' body && grep -q message_ja body && grep -q message_en body &&
    grep -q '"detail"' body &&
    ok "refused, with messages in ja and en and the hub's detail" || not_ok "tampered body: $(cat body)"
# signed by another enrolled institution's key, claiming demo1
cd thief
run "$ANZEN" submit --id demo1 --to "$URL" --cacert "$CRT"
expect_rc 4 "a bundle for demo1 signed with another key: refused (exit 4)"
expect_err "登録された鍵" "says it is not the enrolled key"
cd ../stranger
run "$ANZEN" submit --id nobody1 --to "$URL" --cacert "$CRT"
expect_rc 4 "an institution the hub never enrolled: refused"
expect_err "登録されていません" "says not enrolled"
cd "$T"
head -c 5000000 /dev/zero | tr '\0' 'x' >big.json
code=$(post application/json big.json)
[ "$code" = 413 ] && ok "a body over 4 MiB: 413" || not_ok "oversized answered $code"
grep -q '"status":"refused"' body && grep -q '"message_ja"' body && grep -q '"message_en"' body &&
    ok "the 413 body is the documented JSON" || not_ok "413 body: $(head -c 200 body)"
n_big=$(sqlite3 "$S/hub-accounts.db" "select count(*) from change_log where what = 'bundle-refused' and after like '%too big%'")
[ "$n_big" = 1 ] && ok "the 413 from Content-Length is in the audit log" ||
    not_ok "audit rows for too big: $n_big"
rm -f body
code=$(post application/json big.json -H 'Transfer-Encoding: chunked' -H 'Expect:' --interface 127.0.0.4)
[ "$code" = 413 ] && ok "a chunked body over 4 MiB: 413" || not_ok "chunked oversized answered $code"
grep -q '"status":"refused"' body && grep -q '"message_ja"' body && grep -q '"message_en"' body &&
    ok "the chunked 413 body is the same JSON" || not_ok "chunked 413 body: $(head -c 200 body)"
n_big=$(sqlite3 "$S/hub-accounts.db" "select count(*) from change_log where what = 'bundle-refused' and after like '%too big%'")
[ "$n_big" = 2 ] && ok "the chunked 413 is in the audit log too" ||
    not_ok "audit rows for too big: $n_big"
# raw chunked requests: the spool while the body comes, past twice the
# limit, and a chunked bundle under the limit (a new one from osaka1)
(cd osaka && "$ANZEN" submit --id osaka1 -o "$T/osaka-chunked.json" 2>/dev/null)
python3 "$SRCDIR/tests/hub/hub_chunked.py" "$PORT" "$CRT" "$S/spool" 4194304 "$T/osaka-chunked.json" \
    >chunked.raw 2>&1 && ok "hub_chunked.py ran to its end" || not_ok "hub_chunked.py failed"
sed "s/^ok [0-9]*/ok/; s/^not ok [0-9]*/not ok/" chunked.raw >chunked.tap
while IFS= read -r line; do
    case "$line" in
    "ok "*) ok "${line#ok - }" ;;
    "not ok "*) not_ok "${line#not ok - }" ;;
    "1.."*) ;;
    *) echo "$line" ;;
    esac
done <chunked.tap
code=$(post text/plain sent1.json)
[ "$code" = 415 ] && ok "another content type: 415" || not_ok "content type answered $code"
code=$(curl -sS --cacert "$CRT" -o body -w '%{http_code}' "$URL/api/v1/bundles" || true)
[ "$code" = 405 ] && ok "GET on the endpoint: 405" || not_ok "GET answered $code"
printf '%s\n%s\n' "$(cat sent1.json)" "$(cat sent1.json)" >two.json
code=$(post application/json two.json)
[ "$code" = 400 ] && ok "two envelopes in one request: 400" || not_ok "two answered $code"
ls "$S/spool" | grep -q . && not_ok "spool files left behind: $(ls "$S/spool")" ||
    ok "no spool file is left behind"
# the rate limit (20 a minute from one address): this address has used
# some already; 25 more must hit it
hit=0
for i in $(seq 1 25); do
    code=$(post application/json sent1.json)
    [ "$code" = 429 ] && hit=1
done
[ $hit = 1 ] && ok "too many from one address: 429" || not_ok "no rate limit"
code=$(post application/json sent1.json --interface 127.0.0.2)
[ "$code" = 409 ] && ok "another address is not limited by it" || not_ok "127.0.0.2 got $code"
cd osaka
"$ANZEN" submit --id osaka1 -o "$T/osaka1.json" 2>/dev/null
cd "$T"
code=$(post application/json osaka1.json --interface 127.0.0.3)
[ "$code" = 201 ] && ok "a bundle file written with -o, sent as is: 201" ||
    not_ok "osaka1 got $code: $(cat body)"


# ---- accounts and the UI ----
pg_restart="$PGBIN/pg_ctl -D $PGT/data -m fast -w restart >/dev/null 2>&1"
[ "$(id -u)" -eq 0 ] && pg_restart="runuser -u nobody -- $pg_restart"
HUB_PSQL="$PGBIN/psql" HUB_PG_RESTART=$pg_restart python3 "$SRCDIR/tests/hub/hub_web.py" "$PORT" "$S" "$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$T/serve.err")" |
    sed "s/^ok [0-9]*/ok/; s/^not ok [0-9]*/not ok/" >web.tap
while IFS= read -r line; do
    case "$line" in
    "ok "*) ok "${line#ok - }" ;;
    "not ok "*) not_ok "${line#not ok - }" ;;
    "1.."*) ;;
    *) echo "$line" ;;
    esac
done <web.tap
grep -q "bundle-accepted" "$T/serve.err" && not_ok "audit lines on stderr?" || true
n_audit=$(sqlite3 "$S/hub-accounts.db" "select count(*) from change_log where what like 'bundle-%'" 2>/dev/null || echo 0)
[ "$n_audit" -ge 5 ] && ok "every receipt is in the audit log ($n_audit)" || not_ok "audit rows: $n_audit"
kill "$HUB_PID"
set +e
wait "$HUB_PID"
src=$?
set -e
HUB_PID=
[ "$src" = 0 ] && ok "hub serve stops cleanly on SIGTERM" || not_ok "hub serve exited $src"
if grep -q "Sanitizer" "$T/serve.err"; then
    not_ok "the sanitizers found something in hub serve"
    grep -A12 "Sanitizer" "$T/serve.err" | sed 's/^/#   /' | head -40
else
    ok "no sanitizer report from hub serve"
fi
done_testing
