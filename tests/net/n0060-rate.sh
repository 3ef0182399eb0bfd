#!/bin/sh
# Rate honesty (#19 item 7), on a silent range in namespaces of its own:
# every SYN to 10.79.0.0/22 is counted and dropped by nftables, so each
# port probe waits its full timeout and the kernel resends its SYN after
# 1 s (--no-discovery: every probe is a port probe).
# The wire must carry --rate SYNs a second (within 5%), not twice that,
# the in-flight cap must follow --rate x timeout, and the resends anzen
# reports must match what nftables counted. Discovery probes end before
# the first resend: a silent address costs one SYN per discovery port.
. "$(dirname "$0")/lib.sh"
need_netns
command -v nft >/dev/null || { not_ok "nft (nftables) is needed"; done_testing; exit 1; }
S=$$
SC=az-rs-$S; TG=az-rt-$S
for ns in $SC $TG; do
    netns_add $ns
    ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add s0 netns $SC type veth peer name t0 netns $TG
ip -n $SC addr add 10.78.9.1/30 dev s0
ip -n $TG addr add 10.78.9.2/30 dev t0
ip -n $SC link set s0 up
ip -n $TG link set t0 up
ip -n $SC route add 10.79.0.0/22 via 10.78.9.2
ip netns exec $TG nft -f - <<'NFT'
table ip silent {
  counter syns {}
  chain pre {
    type filter hook prerouting priority -300; policy accept;
    ip daddr 10.79.0.0/22 tcp flags & (syn | ack) == syn counter name syns drop
  }
}
NFT
syns() { ip netns exec $TG nft list counter ip silent syns | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
RATE=${RATE:-300}
ip netns exec $SC "$ANZEN" --lang en scan 10.79.0.0/22 -p 80 --rate $RATE --timeout 1500 --no-discovery ${EXTRA:-} \
    --no-ledger --no-service -o rate.json >out 2>err </dev/null &
pid=$!
sleep 2
c1=$(syns); t1=$(date +%s%N)
sleep 3
c2=$(syns); t2=$(date +%s%N)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
[ "$rc" -eq 130 ] && ok "the scan stopped on SIGINT after the measurement" || not_ok "scan exit $rc"
python3 - "$c1" "$c2" "$t1" "$t2" "$RATE" <<'PY' && ok "wire rate within 5% of --rate $RATE" || not_ok "wire rate"
import sys
c1, c2, t1, t2, rate = map(int, sys.argv[1:])
wire = (c2 - c1) / ((t2 - t1) / 1e9)
print("# %d SYNs in %.2f s = %.1f/s (want %d)" % (c2 - c1, (t2 - t1) / 1e9, wire, rate))
assert abs(wire - rate) <= 0.05 * rate, wire
PY
total=$(syns)
python3 - rate.json "$total" <<'PY' && ok "SYNs on the wire = probes sent + resends counted (within 2%)" || not_ok "resend accounting"
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stats"]
wire = int(sys.argv[2])
mine = st["probes_sent"] + st["syn_resent"]
print("# wire %d, anzen %d sent + %d resent = %d" % (wire, st["probes_sent"], st["syn_resent"], mine))
assert st["syn_resent"] > 0
assert abs(wire - mine) <= 0.02 * wire + 2, (wire, mine)
assert d["settings"]["max_inflight"] >= 300 * 1.5 / 2, d["settings"]
PY
# the same with raw SYNs (--syn): the scanner resends an unanswered SYN
# itself at 1 s, as the kernel would, and every SYN is counted
ip netns exec $SC "$ANZEN" --lang en scan --syn 10.79.0.0/22 -p 80 --rate $RATE --timeout 1500 \
    --no-discovery --no-ledger --no-service -o rsyn.json >out 2>err </dev/null &
pid=$!
sleep 2
c1=$(syns); t1=$(date +%s%N)
sleep 3
c2=$(syns); t2=$(date +%s%N)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
[ "$rc" -eq 130 ] && ok "--syn: the scan stopped on SIGINT after the measurement" || not_ok "--syn: scan exit $rc"
python3 - "$c1" "$c2" "$t1" "$t2" "$RATE" <<'PY' && ok "--syn: wire rate within 5% of --rate $RATE" || not_ok "--syn: wire rate"
import sys
c1, c2, t1, t2, rate = map(int, sys.argv[1:])
wire = (c2 - c1) / ((t2 - t1) / 1e9)
print("# --syn: %d SYNs in %.2f s = %.1f/s (want %d)" % (c2 - c1, (t2 - t1) / 1e9, wire, rate))
assert abs(wire - rate) <= 0.05 * rate, wire
PY
w0=$total
total=$(syns)
python3 - rsyn.json "$((total - w0))" <<'PY' && ok "--syn: SYNs on the wire = raw SYNs counted = probes + resends" || not_ok "--syn: send accounting"
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stats"]
wire = int(sys.argv[2])
print("# --syn: wire %d, raw_sent %d, %d sent + %d resent" % (wire, st["raw_sent"], st["probes_sent"], st["syn_resent"]))
assert d["settings"]["probe"] == "syn"
assert st["syn_resent"] > 0
assert st["raw_sent"] == st["probes_sent"] + st["syn_resent"], st
assert wire == st["raw_sent"], (wire, st["raw_sent"])
PY
total=$(syns)

# discovery at the defaults: one SYN per silent address and discovery
# port, no resends (950 ms, before the kernel's first one at 1 s)
d0=$(syns)
run ip netns exec $SC "$ANZEN" --lang en scan 10.79.0.0/24 -p 80,443 --no-ledger --no-service -o disc.json
d1=$(syns)
python3 - disc.json "$((d1 - d0))" <<'PY' && ok "discovery: 2 SYNs per silent address, none resent" || not_ok "discovery resends"
import json, sys
d = json.load(open(sys.argv[1]))
wire = int(sys.argv[2])
st = d["stats"]
print("# wire %d, sent %d, resent %d" % (wire, st["probes_sent"], st["syn_resent"]))
assert d["settings"]["discovery_timeout_ms"] == 950, d["settings"]
assert sorted(d["settings"]["discovery_ports"]) == [80, 443]
assert st["probes_sent"] == 508 and st["syn_resent"] == 0, st
assert wire == 508, wire  # 254 addresses: .0 and .255 are skipped
PY
# a cap set by hand that cannot carry the rate is said out loud
run ip netns exec $SC "$ANZEN" --lang en scan 10.79.0.0/22 -p 80 --rate 1000 --max-inflight 64 --dry-run
expect_err "cannot be reached" "--max-inflight too small for --rate: a warning"
done_testing
