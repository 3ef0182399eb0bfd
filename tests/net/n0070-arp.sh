#!/bin/sh
# Nothing missed by default (#19 item 4): a host on the scanner's own
# segment that drops every TCP port but one outside the discovery list (a
# database open only on 5432) stays silent on the discovery ports, but it
# answered the ARP its SYNs caused: the kernel's neighbour table says it
# is there, so it is live (reason arp-response) and its 5432 is found.
# Absent addresses (no ARP answer) stay down; --no-arp shows the miss.
# Nothing extra is sent: the table is read, not probed. A host open only
# on a hospital port of the discovery list (an HL7 gateway on 2575) is
# found without ARP, as on a routed segment.
. "$(dirname "$0")/lib.sh"
need_netns
command -v nft >/dev/null || { not_ok "nft (nftables) is needed"; done_testing; exit 1; }
S=$$
SC=az-as-$S; TG=az-at-$S
for ns in $SC $TG; do
    netns_add $ns
    ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add s0 netns $SC type veth peer name t0 netns $TG
ip -n $SC addr add 10.81.0.100/24 dev s0
ip -n $TG addr add 10.81.0.5/24 dev t0
ip -n $SC link set s0 up
ip -n $TG link set t0 up
ip netns exec $TG nft -f - <<'NFT'
table ip gw {
  chain in {
    type filter hook input priority 0; policy accept;
    iifname "t0" tcp dport != { 2575, 5432 } drop
  }
}
NFT
NS=$TG listen 10.81.0.5 5432
NS=$TG wait_port 10.81.0.5 5432 || not_ok "listener"

run ip netns exec $SC "$ANZEN" --lang en scan 10.81.0.4-7 -p 22,80,443,445,5432 --timeout 500 \
    --no-ledger --no-service -o arp.json
expect_rc 0 "scan of the segment"
python3 - arp.json <<'PY' && ok "a database filtering the discovery ports is found through ARP, with 5432 open" || not_ok "ARP discovery"
import json, sys
d = json.load(open(sys.argv[1]))
h = {x["address"]: x for x in d["hosts"]}
assert list(h) == ["10.81.0.5"], list(h)        # .4, .6, .7 did not answer ARP
assert h["10.81.0.5"]["reason"] == "arp-response", h["10.81.0.5"]
assert [p["port"] for p in h["10.81.0.5"]["ports"]] == [5432]
assert sorted(d["settings"]["discovery_ports"]) == [22, 80, 443, 445]
PY
ip -n $SC neigh flush dev s0
run ip netns exec $SC "$ANZEN" --lang en scan 10.81.0.4-7 -p 22,80,443,445,5432 --timeout 500 \
    --no-ledger --no-service --no-arp --format json
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["hosts"] == []' "$T/out" \
    && ok "with --no-arp the database is missed (5432 is not a discovery port)" || not_ok "--no-arp"
# an HL7 gateway open only on 2575: a discovery port, so it is found with
# ARP turned off (as it would be behind a router)
NS=$TG listen 10.81.0.5 2575
NS=$TG wait_port 10.81.0.5 2575 || not_ok "listener 2575"
ip -n $SC neigh flush dev s0
run ip netns exec $SC "$ANZEN" --lang en scan 10.81.0.4-7 -p 22,80,443,445,2575 --timeout 500 \
    --no-ledger --no-service --no-arp -o hl7.json
expect_rc 0 "scan with --no-arp"
python3 - hl7.json <<'PY' && ok "the HL7 gateway is found on its own port 2575 without ARP (reason syn-ack)" || not_ok "2575 discovery"
import json, sys
d = json.load(open(sys.argv[1]))
h = {x["address"]: x for x in d["hosts"]}
assert list(h) == ["10.81.0.5"], list(h)
assert h["10.81.0.5"]["reason"] == "syn-ack", h["10.81.0.5"]
assert [p["port"] for p in h["10.81.0.5"]["ports"]] == [2575]
assert 2575 in d["settings"]["discovery_ports"], d["settings"]
PY
done_testing
