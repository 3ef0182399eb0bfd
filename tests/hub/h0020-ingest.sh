#!/bin/sh
# SPDX-License-Identifier: MIT
# anzen hub ingest against forged envelopes (the signature is checked over
# the payload's bytes as received, so an envelope must not show the hub
# one payload and the signature another), and a long file of good, bad,
# older and replayed bundles taken in its order.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }
lastseq() { sql "select coalesce(last_sequence, 0) from institution where id = 'demo1'"; }

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
cd anzen-demo
for i in 1 2 3 4 5; do
    run "$ANZEN" submit --id demo1 -o "$T/b$i.json"
    expect_rc 0 "submit bundle $i"
done
cd "$T"
run "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 \
    --beds 1-19 --group g1 --key anzen-demo/anzen-sign.pub
expect_rc 0 "enrol"

# forged envelopes made from b2 (signed) and b3 (another signed payload)
python3 - b2.json b3.json <<'PY'
import json, sys
a = open(sys.argv[1]).read().rstrip("\n")
b = open(sys.argv[2]).read().rstrip("\n")
def split(s):
    i = s.index('"payload":') + 10
    j = s.index(',"schema":"anzen-signed/1"')
    return s[:i], s[i:j], s[j:]
ha, pa, ta = split(a)
hb, pb, tb = split(b)
w = lambda name, text: open(name, "w").write(text + "\n")
w("dup1.json", '{"payload":' + pb + "," + a[1:])             # a second payload first
w("dup2.json", a[:-1] + ',"payload":' + pb + "}")            # ... or last
w("dup3.json", '{"p\\u0061yload":' + pb + "," + a[1:])       # the same key escaped
w("swap.json", ha + pb + ta)                                  # b3's payload, b2's signature
w("trail.json", a + pb)                                       # data after the envelope
w("wsstr.json", ha + pa.replace('"demo1"', '"demo1 "') + ta)  # whitespace in a string
w("hidden.json", '{"note":' + json.dumps(pb) + "," + a[1:])  # b3 hidden in a string
w("nested.json", '{"x":{"payload":' + pb + "}," + a[1:])     # b3 nested in a member
w("pretty.json", json.dumps(json.loads(b), separators=(", ", ": ")))  # b3 re-spaced
PY
for f in dup1 dup2 dup3 swap trail wsstr; do
    run "$ANZEN" --lang en hub ingest $f.json
    expect_rc 2 "forged envelope $f refused"
    expect_out "0 ingested" "$f: nothing ingested"
done
expect_err "wsstr.json" "the refusal names the file"
[ "$(sql "select count(*) from inst_year where institution = 'demo1'")" = 0 ] &&
    ok "forged envelopes wrote nothing" || not_ok "forged envelopes wrote rows"
run "$ANZEN" hub ingest hidden.json
expect_rc 0 "a payload hidden in a string is just a string"
[ "$(lastseq)" = 2 ] && ok "the signed payload (2) was taken, not the hidden one" ||
    not_ok "hidden payload taken: sequence $(lastseq)"
run "$ANZEN" hub ingest nested.json
expect_rc 2 "the same bundle with a nested decoy is a replay"
expect_err "再送" "says replay"
[ "$(lastseq)" = 2 ] && ok "a nested \"payload\" is not the payload" || not_ok "nested decoy"
run "$ANZEN" hub ingest pretty.json
expect_rc 0 "a re-spaced envelope is verified by re-encoding"
[ "$(lastseq)" = 3 ] && ok "re-spaced bundle stored" || not_ok "re-spaced: $(lastseq)"

# a long file: b4, 300 junk lines, b1 (older), b5, b4 again (replay),
# taken in order
{
    cat b4.json
    i=0
    while [ $i -lt 300 ]; do echo "junk $i"; i=$((i + 1)); done
    cat b1.json b5.json b4.json
} >mixed.jsonl
run "$ANZEN" --lang en hub ingest mixed.jsonl
expect_rc 2 "mixed file"
expect_out "304 bundles: 2 ingested (2 institutions), 1 replays, 1 older, 300 bad" \
    "b4 and b5 ingested, b1 older, b4 again a replay, the junk refused"
[ "$(lastseq)" = 5 ] && ok "the newest (5) recorded" || not_ok "last sequence $(lastseq)"
grep -o 'mixed.jsonl:[0-9]*' err | cut -d: -f2 >lines.txt
if [ "$(wc -l <lines.txt)" -eq 302 ] && sort -n -c lines.txt; then
    ok "refusals reported in the file's order"
else
    not_ok "refusals out of order"
    head -5 lines.txt | sed 's/^/#   /'
fi
items=$(sql "select count(*) from item_status where institution = 'demo1'")
[ "$(sql "select count(distinct load) from item_status where institution = 'demo1'")" = 1 ] &&
    [ "$items" -gt 5 ] && ok "one set of item rows ($items)" || not_ok "item rows"
run "$ANZEN" hub ingest mixed.jsonl
expect_rc 2 "the same file again"
[ "$(sql "select count(*) from item_status where institution = 'demo1'")" = "$items" ] &&
    ok "a second ingest changes nothing" || not_ok "rows changed on re-ingest"
done_testing
