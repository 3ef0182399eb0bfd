#!/bin/sh
# The "closed network" failure, built in network namespaces: three
# segments (電子カルテ系, 事務系, a vendor's VPN router) joined by a router
# namespace whose nftables rules let 事務系 reach only the EMR web front
# and the VPN box's HTTPS. Scanning from 事務系 must report exactly that
# reachability, the cross-segment and remote-access findings, and a
# sentinel host outside the scope (excluded from a range that is scanned)
# must receive zero packets, counted by nftables.
. "$(dirname "$0")/lib.sh"
need_netns
command -v nft >/dev/null || { not_ok "nft (nftables) is needed"; done_testing; exit 1; }
S=$$
R=az-r-$S; EMR=az-emr-$S; OFF=az-off-$S; VPN=az-vpn-$S; SEN=az-sen-$S
for ns in $R $EMR $OFF $VPN $SEN; do
    netns_add $ns
    ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip netns exec $R sysctl -q -w net.ipv4.ip_forward=1

# one veth pair per segment, created directly inside the namespaces
link() { # leaf-ns leaf-if router-if router-addr leaf-addr gw
    ip link add "$2" netns "$1" type veth peer name "$3" netns $R
    ip -n $R addr add "$4" dev "$3"
    ip -n $R link set "$3" up
    ip -n "$1" addr add "$5" dev "$2"
    ip -n "$1" link set "$2" up
    ip -n "$1" route add default via "$6"
}
link $EMR e0 re 10.77.1.1/24 10.77.1.10/24 10.77.1.1
link $OFF o0 ro 10.77.2.1/24 10.77.2.50/24 10.77.2.1
link $VPN v0 rv 10.77.3.254/24 10.77.3.1/24 10.77.3.254
link $SEN s0 rs 10.77.9.1/24 10.77.9.2/24 10.77.9.1

# the router's filter: 事務系 reaches the EMR web front (443) and the VPN
# box's HTTPS only; everything else from 事務系 is dropped silently
ip netns exec $R nft -f - <<'NFT'
table inet seg {
  chain filter_fwd {
    type filter hook forward priority 0; policy accept;
    ct state established,related accept
    iifname "ro" ip daddr 10.77.1.10 tcp dport 443 accept
    iifname "ro" ip daddr 10.77.3.1 tcp dport 443 accept
    iifname "ro" ip daddr 10.77.9.0/24 accept
    iifname "ro" drop
  }
}
NFT
# the sentinel counts every IPv4 packet that reaches it (IPv6 is off in
# these namespaces, and neighbour discovery would only be noise)
ip netns exec $SEN nft -f - <<'NFT'
table inet sentinel {
  counter seen {}
  chain pre {
    type filter hook prerouting priority -300; policy accept;
    meta nfproto ipv4 counter name seen
  }
}
NFT
seen() { ip netns exec $SEN nft list counter inet sentinel seen | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

# services: the EMR server (web front, RDP, database), the vendor's VPN
# box shaped like a FortiGate SSL-VPN, a listener on the sentinel
NS=$EMR listen 10.77.1.10 443 3389 5432
openssl req -x509 -newkey rsa:2048 -nodes -keyout fg.key -out fg.crt -days 30 \
    -subj "/O=Fortinet/OU=FortiGate/CN=FG60E0000000001" 2>/dev/null
mkdir -p www/remote
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>SSL-VPN</title><script src="/remote/fgt_lang?lang=en"></script></html>\n' > www/remote/login
bg ip netns exec $VPN sh -c "cd '$T/www' && exec openssl s_server -accept 10.77.3.1:443 \
    -cert '$T/fg.crt' -key '$T/fg.key' -HTTP -quiet" > s.log 2>&1
NS=$VPN listen 10.77.3.1 22
NS=$SEN listen 10.77.9.2 9
NS=$EMR wait_port 10.77.1.10 3389 || not_ok "EMR listeners"
NS=$VPN wait_port 10.77.3.1 443 || not_ok "VPN box"
NS=$VPN wait_port 10.77.3.1 22 || not_ok "VPN ssh"
NS=$SEN wait_port 10.77.9.2 9 || not_ok "sentinel listener"
before=$(seen)

printf '種別,名称,ネットワーク区分,IPアドレス,所属システム,管理者,最終パッチ適用日\r\n' > ledger.csv
printf 'サーバ,電子カルテサーバ,電子カルテ系,10.77.1.10,emr,院内,2025-10-01\r\n' >> ledger.csv
printf 'VPN装置,保守用VPNルータ,ベンダー保守,10.77.3.1,emr,,2021-03-10\r\n' >> ledger.csv
printf 'ネットワーク機器,院内ルータ,事務系,10.77.2.1,,院内,2025-06-01\r\n' >> ledger.csv

run ip netns exec $OFF "$ANZEN" scan 10.77.1.0/28 10.77.3.0/29 10.77.9.0/29 --exclude 10.77.9.2 \
    --from 事務系 -p 22,443,3389,5432 --timeout 800 --ledger ledger.csv -o scan.json
expect_rc 2 "scan from 事務系 finds gaps"
after=$(seen)
[ "$after" = "$before" ] && ok "the excluded sentinel received 0 packets ($before before, $after after)" \
    || not_ok "the sentinel received $((after - before)) packets"

python3 - scan.json <<'PY' > checks.txt
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
def check(name, cond):
    print(("ok " if cond else "not ok ") + name)
r = sorted((x["from"], x["to"], x["host"], tuple(x["ports"])) for x in d["reachability"])
check("reachability from 事務系 is exactly the two allowed services: %s" % r,
      r == [("事務系", "ベンダー保守", "10.77.3.1", (443,)), ("事務系", "電子カルテ系", "10.77.1.10", (443,))])
hosts = {h["address"]: h for h in d["hosts"]}
# the router's own addresses answer with resets: up, nothing open
check("up: the two servers and the router's addresses in scope: %s" % sorted(hosts),
      sorted(hosts) == ["10.77.1.1", "10.77.1.10", "10.77.3.1", "10.77.9.1"]
      and hosts["10.77.1.1"]["ports"] == [] and hosts["10.77.9.1"]["ports"] == [])
check("the blocked EMR ports (RDP, database) are not open", [p["port"] for p in hosts["10.77.1.10"]["ports"]] == [443])
check("the sentinel is not in the scope", d["scope"]["exclude"] == ["10.77.9.2"] and "10.77.9.2" not in hosts)
f = {(x["host"], x["rule"]) for x in d["findings"]}
check("cross-segment: the EMR server answers from 事務系", ("10.77.1.10", "cross-segment") in f)
check("cross-segment: the vendor VPN box answers from 事務系", ("10.77.3.1", "cross-segment") in f)
ra = [x for x in d["findings"] if x["rule"] == "remote-access"]
check("the VPN box is recognised as a FortiGate SSL-VPN on the ledger's unmanaged device",
      len(ra) == 1 and ra[0]["host"] == "10.77.3.1" and ra[0]["asset"] == "保守用VPNルータ")
cs = [x for x in d["findings"] if x["rule"] == "cross-segment" and x["host"] == "10.77.1.10"][0]
check("the finding names the items and the segments", cs["items"] == ["cl-r7.h.connection-source", "gl-6.0.ops-13-11"]
      and cs["segment"] == "電子カルテ系" and "事務系" in cs["ja"])
check("no finding about the router", all(x.get("asset") != "院内ルータ" for x in d["findings"]))
PY
while read -r line; do
    case "$line" in
    "ok "*) ok "${line#ok }" ;;
    *) not_ok "${line#not ok }" ;;
    esac
done < checks.txt
[ "$(wc -l < checks.txt)" -eq 9 ] && ok "all segment checks ran" || not_ok "segment checks did not all run"

# positive control: the sentinel does count packets that reach it
ip netns exec $OFF python3 -c "import socket; s=socket.create_connection(('10.77.9.2', 9), 2); s.close()" \
    && ok "the sentinel is reachable from 事務系" || not_ok "sentinel unreachable"
control=$(seen)
[ "$control" -gt "$after" ] && ok "and its counter counts ($after -> $control)" || not_ok "sentinel counter does not count"

# from 電子カルテ系 the same VPN box shows its SSH too (the matrix per segment)
run ip netns exec $EMR "$ANZEN" scan 10.77.3.1 --from 電子カルテ系 -p 22,443 --ledger ledger.csv \
    --no-service --format json
python3 - "$T/out" <<'PY' && ok "from 電子カルテ系 the VPN box answers on 22 and 443" || not_ok "matrix from 電子カルテ系"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
r = [(x["from"], x["to"], x["host"], x["ports"]) for x in d["reachability"]]
assert r == [("電子カルテ系", "ベンダー保守", "10.77.3.1", [22, 443])], r
PY
done_testing
