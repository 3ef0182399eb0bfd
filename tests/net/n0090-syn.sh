#!/bin/sh
# anzen scan --syn (raw half-open probes, #19 item 8):
#  - loopback: the open set equals nmap -sS, nmap -sT and anzen's connect
#    scan on the same targets (IPv6 keeps connect probes, with a note);
#    one thread and two;
#  - a target namespace behind a veth: open, closed, a silent address and
#    a filtered port; the open set equals nmap -sS and the connect scan,
#    every SYN-ACK was answered by the scanner kernel's reset (nftables
#    counts them) and no half-open connection is left on the target;
#  - SIGINT stops a --syn scan with the partial result written;
#  - without the privilege (CAP_NET_RAW dropped, or a plain user) the
#    scan is refused with a message naming it, and nothing is sent.
. "$(dirname "$0")/lib.sh"
need_netns
command -v nmap >/dev/null || { not_ok "nmap is needed"; done_testing; exit 1; }
command -v nft >/dev/null || { not_ok "nft (nftables) is needed"; done_testing; exit 1; }

# ---- loopback ----
loopback_listeners
CAPS="--rate 0 --max-inflight 512 --per-host 64 --no-service --no-ledger"

run "$ANZEN" --lang en scan --syn 127.0.0.1-8 ::1 -p "$PORTS" $CAPS --format json -o syn.json
expect_rc 0 "anzen scan --syn of 127.0.0.1-8 and ::1"
expect_err "IPv6 targets are probed with connect()" "a one-line note: IPv6 keeps connect probes"
run "$ANZEN" --lang en scan --syn --jobs 2 127.0.0.1-8 ::1 -p "$PORTS" $CAPS --format json -o syn2.json
expect_rc 0 "anzen scan --syn --jobs 2"
run "$ANZEN" --lang en scan 127.0.0.1-8 ::1 -p "$PORTS" $CAPS --format json -o conn.json
expect_rc 0 "anzen connect scan, same targets"
run nmap -sS -Pn -n -T4 -p "$PORTS" -oX nmapS.xml 127.0.0.1-8
expect_rc 0 "nmap -sS IPv4"
run nmap -sT -Pn -n -T4 -p "$PORTS" -oX nmapT.xml 127.0.0.1-8
expect_rc 0 "nmap -sT IPv4"
run nmap -6 -sT -Pn -n -T4 -p "$PORTS" -oX nmap6.xml ::1
expect_rc 0 "nmap -sT IPv6"
anzen_open syn.json > s.txt
anzen_open syn2.json > s2.txt
anzen_open conn.json > c.txt
{ nmap_open nmapS.xml; nmap_open nmap6.xml; } | sort > nS.txt
{ nmap_open nmapT.xml; nmap_open nmap6.xml; } | sort > nT.txt
[ "$(wc -l < s.txt)" -eq 8 ] && ok "--syn finds the 8 listeners" || not_ok "--syn: $(wc -l < s.txt) open ports, want 8"
for x in "nS.txt nmap -sS" "nT.txt nmap -sT" "c.txt the connect scan" "s2.txt --syn --jobs 2"; do
    set -- $x
    f=$1
    shift
    if cmp -s s.txt "$f"; then ok "--syn open set = $*"; else
        not_ok "--syn open set differs from $*"
        diff s.txt "$f" | sed 's/^/#   /'
    fi
done
python3 - syn.json <<'PY' && ok "JSON: probe syn, every IPv4 probe a raw SYN, every probe answered" || not_ok "--syn JSON"
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stats"]
n = len(d["scope"]["ports"])
assert d["settings"]["probe"] == "syn", d["settings"]
assert st["raw_sent"] == 8 * n, st          # ::1 went by connect()
assert st["probes_sent"] == 9 * n, st
assert st["raw_dropped"] == 0, st
assert st["open"] + st["closed"] == 9 * n and st["filtered"] == 0, st
for h in d["hosts"]:
    for p in h["ports"]:
        assert p["reason"] == "syn-ack", p
PY

# ---- a target namespace ----
S=$$
SC=az-ss-$S; TG=az-st-$S
for ns in $SC $TG; do
    netns_add $ns
    ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add s0 netns $SC type veth peer name t0 netns $TG
ip -n $SC addr add 10.77.0.100/24 dev s0
ip -n $TG addr add 10.77.0.2/24 dev t0
for a in 3 4 5; do ip -n $TG addr add 10.77.0.$a/32 dev t0; done
ip -n $SC link set s0 up
ip -n $TG link set t0 up
# .4 is silent (SYNs dropped), .5 drops port 443 only (filtered);
# count the scanner's resets and every packet it sends
ip netns exec $TG nft -f - <<'NFT'
table ip syn {
  counter rsts {}
  counter fromscanner {}
  chain pre {
    type filter hook prerouting priority -300; policy accept;
    ip saddr 10.77.0.100 counter name fromscanner
    ip saddr 10.77.0.100 tcp flags & (syn | rst | ack) == rst counter name rsts
    ip daddr 10.77.0.4 tcp flags & (syn | ack) == syn drop
    ip daddr 10.77.0.5 tcp dport 443 tcp flags & (syn | ack) == syn drop
  }
}
NFT
cnt() { ip netns exec $TG nft list counter ip syn "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
NS=$TG listen 10.77.0.2 22 2575
NS=$TG listen 10.77.0.3 443
NS=$TG listen 10.77.0.5 104
NS=$TG wait_port 10.77.0.2 2575 || not_ok "listener in $TG"
NS=$TG wait_port 10.77.0.5 104 || not_ok "listener in $TG"
NP=22,80,104,443,2575
r0=$(cnt rsts)
run ip netns exec $SC "$ANZEN" --lang en scan --syn 10.77.0.2-5 -p $NP --timeout 800 --no-service \
    --no-ledger --format json -o nsyn.json
expect_rc 0 "--syn scan from $SC"
r1=$(cnt rsts)
sleep 0.3
half=$(ip netns exec $TG ss -Htn state syn-recv | wc -l)
[ "$half" -eq 0 ] && ok "no half-open connection left on the target" || not_ok "$half half-open connections on the target"
nopen=$(anzen_open nsyn.json | wc -l)
[ $((r1 - r0)) -eq "$nopen" ] && ok "the scanner's kernel reset each of the $nopen SYN-ACKs" \
    || not_ok "$((r1 - r0)) resets for $nopen open ports"
run ip netns exec $SC "$ANZEN" --lang en scan 10.77.0.2-5 -p $NP --timeout 800 --no-service \
    --no-ledger --format json -o nconn.json
expect_rc 0 "connect scan from $SC"
run ip netns exec $SC nmap -sS -Pn -n -T4 -p $NP -oX nnmap.xml 10.77.0.2-5
expect_rc 0 "nmap -sS from $SC"
anzen_open nsyn.json > ns.txt
[ "$(cat ns.txt | tr '\n' ' ')" = "10.77.0.2 22 10.77.0.2 2575 10.77.0.3 443 10.77.0.5 104 " ] \
    && ok "namespace: the 4 listeners are open" || not_ok "namespace open set: $(cat ns.txt | tr '\n' ' ')"
anzen_open nconn.json | cmp -s ns.txt - && ok "namespace: --syn = connect scan" || not_ok "namespace: --syn differs from connect"
nmap_open nnmap.xml | cmp -s ns.txt - && ok "namespace: --syn = nmap -sS" || not_ok "namespace: --syn differs from nmap -sS"
python3 - nsyn.json nconn.json <<'PY' && ok "namespace: the same hosts up, closed and filtered counts as connect" || not_ok "namespace: states differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
def states(d):
    return {h["address"]: (h["closed"], h["filtered"]) for h in d["hosts"]}
sa, sb = states(a), states(b)
assert sa == sb, (sa, sb)
assert sa["10.77.0.4"] == (0, 5), sa       # silent, but answered ARP: up, all filtered
assert sa["10.77.0.5"] == (3, 1), sa       # 443 filtered
st = a["stats"]
# the filtered port waited its timeout with one resend (800 ms: none)
assert st["raw_sent"] == st["probes_sent"] + st["syn_resent"], st
PY

# ---- SIGINT: the partial result is written ----
PORT=45678
"$ANZEN" --lang en scan --syn 127.0.0.1 -p "1-3000,$PORT" --discovery-ports "$PORT" --rate 20 \
    --no-ledger --no-service -o int.json >out.int 2>err.int </dev/null &
pid=$!
sleep 1.5
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
[ "$rc" -eq 130 ] && ok "SIGINT: exit 130" || { not_ok "SIGINT: exit $rc"; sed 's/^/#   /' err.int; }
grep -q "interrupted; the result is partial" err.int && ok "SIGINT: the partial result is announced" \
    || not_ok "SIGINT: no partial-result message"
python3 - int.json "$PORT" <<'PY' && ok "SIGINT: JSON complete false, the open port kept" || not_ok "SIGINT: partial JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is False and d["stopped_by"] == "SIGINT", d.get("complete")
st = d["stats"]
assert 0 < st["probes_sent"] < st["probes_planned"], st
assert st["raw_sent"] == st["probes_sent"], st
assert [p["port"] for h in d["hosts"] for p in h["ports"]] == [int(sys.argv[2])]
PY

# ---- without the privilege: refused, nothing sent ----
f0=$(cnt fromscanner)
run ip netns exec $SC capsh --drop=cap_net_raw -- -c \
    "exec '$ANZEN' --lang en scan --syn 10.77.0.2 -p 22 --no-ledger --no-service"
expect_rc 1 "CAP_NET_RAW dropped: refused"
expect_err "CAP_NET_RAW" "the refusal names the privilege"
if command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$ANZEN"; then
    run ip netns exec $SC setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
        "$ANZEN" --lang ja scan --syn 10.77.0.2 -p 22 --no-ledger --no-service
    expect_rc 1 "a plain user: refused"
    expect_err "CAP_NET_RAW" "the Japanese refusal names the privilege too"
else
    ok "# nobody cannot run $ANZEN here: the plain-user case is covered by the capsh one"
fi
[ "$(cnt fromscanner)" = "$f0" ] && ok "a refused scan sent nothing" || not_ok "a refused scan sent $(( $(cnt fromscanner) - f0 )) packets"
# the default stays the connect scan
python3 - nconn.json <<'PY' && ok "without --syn the probe is connect" || not_ok "default probe"
import json, sys
assert json.load(open(sys.argv[1]))["settings"]["probe"] == "connect"
PY
done_testing
