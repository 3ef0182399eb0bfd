#!/bin/sh
# anzen scan on loopback against nmap -sT on the same targets: the open
# ports must be the same, IPv4 and IPv6, including a port in the ephemeral
# range where the kernel may connect a socket to itself.
. "$(dirname "$0")/lib.sh"

loopback_listeners

run "$ANZEN" scan 127.0.0.1-8 ::1 -p "$PORTS" --rate 0 --max-inflight 512 --per-host 64 \
    --no-service --format json -o anzen.json
expect_rc 0 "anzen scan of 127.0.0.1-8 and ::1"
run nmap -sT -Pn -n -T4 -p "$PORTS" -oX nmap4.xml 127.0.0.1-8
expect_rc 0 "nmap -sT IPv4"
run nmap -6 -sT -Pn -n -T4 -p "$PORTS" -oX nmap6.xml ::1
expect_rc 0 "nmap -sT IPv6"
anzen_open anzen.json > a.txt
{ nmap_open nmap4.xml; nmap_open nmap6.xml; } | sort > n.txt
if cmp -s a.txt n.txt; then ok "same open ports as nmap ($(wc -l < a.txt))"; else
    not_ok "open ports differ from nmap"
    diff a.txt n.txt | sed 's/^/#   /'
fi
# two threads on disjoint shards find the same
run "$ANZEN" scan 127.0.0.1-8 ::1 -p "$PORTS" --rate 0 --max-inflight 512 --per-host 64 \
    --no-service --jobs 2 --format json -o anzen2.json
expect_rc 0 "anzen scan --jobs 2"
anzen_open anzen2.json > a2.txt
cmp -s a.txt a2.txt && ok "--jobs 2 gives the same open ports" || not_ok "--jobs 2 differs"
grep -q "127.0.0.5 11112" a.txt && grep -q "::1 15432" a.txt && ok "IPv4 and IPv6 listeners found" \
    || not_ok "listeners missing"
[ "$(wc -l < a.txt)" -eq 8 ] && ok "exactly the 8 listeners" || not_ok "$(wc -l < a.txt) open ports, want 8"

# closed counts: every other probe got a reset
python3 - anzen.json <<'PY' && ok "every probe accounted for" || not_ok "probe accounting"
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stats"]
assert st["probes_planned"] == 9 * len(d["scope"]["ports"]), st
assert st["open"] + st["closed"] + st["filtered"] == st["probes_planned"], st
assert st["hosts_up"] == 9
PY
done_testing
