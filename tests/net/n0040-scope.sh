#!/bin/sh
# The scope cannot leak, counted on the wire: a target namespace holds the
# addresses of a /29, nftables counts every IPv4 packet to the excluded
# addresses (one excluded as IPv4, one written as IPv4-mapped IPv6), to
# the network and broadcast addresses of the prefix, and to any port the
# user did not list (discovery included). The scan is given the scope as
# IPv4-mapped IPv6 (the issue's bypass); every counter must stay at 0,
# with connect probes and with raw SYNs (--syn), and a positive control
# shows the counters count.
. "$(dirname "$0")/lib.sh"
need_netns
command -v nft >/dev/null || { not_ok "nft (nftables) is needed"; done_testing; exit 1; }
S=$$
SC=az-sc-$S; TG=az-tg-$S
for ns in $SC $TG; do
    netns_add $ns
    ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add s0 netns $SC type veth peer name t0 netns $TG
ip -n $SC addr add 10.78.0.100/24 dev s0
ip -n $SC link set s0 up
ip -n $TG addr add 10.78.0.1/24 dev t0
for a in 0 2 3 4 5 6 7; do ip -n $TG addr add 10.78.0.$a/32 dev t0; done
ip -n $TG link set t0 up

ip netns exec $TG nft -f - <<'NFT'
table ip scope {
  counter forbidden_addr {}
  counter forbidden_port {}
  counter allowed {}
  chain pre {
    type filter hook prerouting priority -300; policy accept;
    ip saddr 10.78.0.100 ip daddr { 10.78.0.0, 10.78.0.4, 10.78.0.5, 10.78.0.7 } counter name forbidden_addr
    ip saddr 10.78.0.100 tcp dport != { 53, 2575 } counter name forbidden_port
    ip saddr 10.78.0.100 tcp dport { 53, 2575 } counter name allowed
  }
}
NFT
count() { ip netns exec $TG nft list counter ip scope "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

NS=$TG listen 10.78.0.2 2575
NS=$TG listen 10.78.0.4 2575
NS=$TG listen 10.78.0.5 2575
NS=$TG wait_port 10.78.0.2 2575 || not_ok "listener"
# wait_port itself connected from inside $TG (not from the scanner address)
fa=$(count forbidden_addr); fp=$(count forbidden_port)

run ip netns exec $SC "$ANZEN" scan --lang en ::ffff:10.78.0.0/125 --exclude 10.78.0.4 \
    --exclude ::ffff:10.78.0.5 -p 53,2575 --timeout 500 --no-ledger --no-service -o scan.json
expect_rc 0 "scan of ::ffff:10.78.0.0/125 without 10.78.0.4 and ::ffff:10.78.0.5"
[ "$(count forbidden_addr)" = "$fa" ] && ok "excluded, network and broadcast addresses received 0 packets" \
    || not_ok "forbidden addresses received $(( $(count forbidden_addr) - fa )) packets"
[ "$(count forbidden_port)" = "$fp" ] && ok "no packet to a port outside -p 53,2575 (discovery included)" \
    || not_ok "ports outside the list received $(( $(count forbidden_port) - fp )) packets"
[ "$(count allowed)" -gt 0 ] && ok "the listed ports were probed ($(count allowed) packets)" \
    || not_ok "nothing reached the listed ports"
[ "$(anzen_open scan.json)" = "10.78.0.2 2575" ] && ok "the open set is 10.78.0.2:2575 only" \
    || not_ok "open set: $(anzen_open scan.json)"
python3 - scan.json <<'PY' && ok "JSON records the discovery ports drawn from -p" || not_ok "discovery ports in JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d["settings"]["discovery_ports"]) <= {53, 2575}, d["settings"]
PY

# the same with raw SYNs (--syn): every one passes the gate, which checks
# the same normalised scope
fa=$(count forbidden_addr); fp=$(count forbidden_port); al=$(count allowed)
run ip netns exec $SC "$ANZEN" scan --lang en --syn ::ffff:10.78.0.0/125 --exclude 10.78.0.4 \
    --exclude ::ffff:10.78.0.5 -p 53,2575 --timeout 500 --no-ledger --no-service -o syn.json
expect_rc 0 "--syn scan of the same scope"
[ "$(count forbidden_addr)" = "$fa" ] && ok "--syn: excluded, network and broadcast addresses received 0 packets" \
    || not_ok "--syn: forbidden addresses received $(( $(count forbidden_addr) - fa )) packets"
[ "$(count forbidden_port)" = "$fp" ] && ok "--syn: no packet to a port outside -p 53,2575" \
    || not_ok "--syn: ports outside the list received $(( $(count forbidden_port) - fp )) packets"
[ "$(count allowed)" -gt "$al" ] && ok "--syn: the listed ports were probed ($(( $(count allowed) - al )) packets)" \
    || not_ok "--syn: nothing reached the listed ports"
[ "$(anzen_open syn.json)" = "10.78.0.2 2575" ] && ok "--syn: the open set is 10.78.0.2:2575 only" \
    || not_ok "--syn open set: $(anzen_open syn.json)"
python3 - syn.json <<'PY' && ok "--syn: every probe was a raw SYN through the gate" || not_ok "--syn JSON"
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stats"]
assert d["settings"]["probe"] == "syn", d["settings"]
assert st["raw_sent"] == st["probes_sent"] + st["syn_resent"] > 0, st
PY

# a public target is refused before anything is sent
run ip netns exec $SC "$ANZEN" scan --lang en 10.78.0.2 8.8.8.8 -p 53 --no-ledger
expect_rc 64 "a public address in the scope is refused"
expect_err "--allow-public" "the refusal names --allow-public"

# positive control: the counters count
ip netns exec $SC python3 -c "
import socket
for a, p in (('10.78.0.4', 2575), ('10.78.0.2', 80)):
    s = socket.socket(); s.settimeout(1)
    try: s.connect((a, p))
    except OSError: pass
    s.close()"
[ "$(count forbidden_addr)" -gt "$fa" ] && ok "the address counter counts" || not_ok "address counter dead"
[ "$(count forbidden_port)" -gt "$fp" ] && ok "the port counter counts" || not_ok "port counter dead"
done_testing
