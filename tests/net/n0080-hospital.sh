#!/bin/sh
# A small hospital in namespaces (#19): a router joins 放射線 (PACS on DCMTK
# storescp; a CT console with telnet, FTP and a TLS 1.0 service), 部門系 (an
# HL7 MLLP gateway that drops every TCP port but 2575, a PostgreSQL-like
# database without TLS, an excluded address) and ベンダー保守 (an
# Ivanti-like portal redirecting to /dana-na/, a FortiGate-like SSL-VPN);
# an address outside the scope sits on a fourth segment. anzen scans at
# its defaults from 部門系 (the HL7 gateway's own segment), and again from
# 放射線 across the router, where ARP cannot help: the gateway is found
# on 2575, a discovery port. The routed open set equals what nmap -sT -Pn
# finds on the same addresses and ports, run in the same test. Every
# peer, every finding, and the excluded and out-of-scope addresses
# receive 0 packets (nftables counters).
. "$(dirname "$0")/lib.sh"
need_netns
command -v nft >/dev/null || { not_ok "nft (nftables) is needed"; done_testing; exit 1; }
command -v storescp >/dev/null || { not_ok "storescp (dcmtk) is needed"; done_testing; exit 1; }
S=$$
R=az-hr-$S; RAD=az-hrad-$S; DEP=az-hdep-$S; VPN=az-hvpn-$S; OUT=az-hout-$S; GW=az-hgw-$S; SCN=az-hscn-$S
for ns in $R $RAD $DEP $VPN $OUT $GW $SCN; do
    netns_add $ns
    ip netns exec $ns sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip netns exec $R sysctl -q -w net.ipv4.ip_forward=1
link() { # ns leaf-if router-if router-addr/len
    ip link add "$2" netns "$1" type veth peer name "$3" netns $R
    ip -n $R addr add "$4" dev "$3"
    ip -n $R link set "$3" up
    ip -n "$1" link set "$2" up
}
link $RAD r0 rr 10.60.1.1/24 10.60.1.1
link $DEP d0 rd 10.60.3.1/24 10.60.3.1
link $VPN v0 rv 10.60.4.1/24 10.60.4.1
link $OUT x0 rx 10.60.5.1/24 10.60.5.1
for a in 10.60.1.10 10.60.1.20; do ip -n $RAD addr add $a/24 dev r0; done
# 部門系 is a switch (a bridge in $DEP) with the database and the excluded
# address on it, and two more hosts of their own: the HL7 gateway and
# the scanner
ip -n $DEP link add br0 type bridge
ip -n $DEP link set d0 master br0
for leaf in $GW $SCN; do
    ip link add p0 netns "$leaf" type veth peer name "p-${leaf##*-h}" netns $DEP
    ip -n $DEP link set "p-${leaf##*-h}" master br0
    ip -n $DEP link set "p-${leaf##*-h}" up
    ip -n "$leaf" link set p0 up
done
ip -n $DEP link set br0 up
for a in 10.60.3.31 10.60.3.99; do ip -n $DEP addr add $a/24 dev br0; done
ip -n $GW addr add 10.60.3.30/24 dev p0
ip -n $SCN addr add 10.60.3.50/24 dev p0
ip -n $GW route replace default via 10.60.3.1
ip -n $SCN route replace default via 10.60.3.1
for a in 10.60.4.40 10.60.4.41; do ip -n $VPN addr add $a/24 dev v0; done
ip -n $OUT addr add 10.60.5.5/24 dev x0
ip -n $RAD route replace default via 10.60.1.1
ip -n $DEP route replace default via 10.60.3.1
ip -n $VPN route replace default via 10.60.4.1
ip -n $OUT route replace default via 10.60.5.1

# the gateway drops every TCP port but 2575; the excluded address and
# the out-of-scope one count every packet
ip netns exec $GW nft -f - <<'NFT'
table ip gw {
  chain in {
    type filter hook input priority 0; policy accept;
    iifname "p0" tcp dport != 2575 drop
  }
}
NFT
ip netns exec $DEP nft -f - <<'NFT'
table ip dep {
  counter excluded {}
  chain in {
    type filter hook input priority 0; policy accept;
    ip daddr 10.60.3.99 ip saddr != 10.60.3.99 counter name excluded
  }
}
NFT
ip netns exec $OUT nft -f - <<'NFT'
table ip outside {
  counter seen {}
  chain pre {
    type filter hook prerouting priority -300; policy accept;
    ip saddr != 10.60.5.5 counter name seen
  }
}
NFT
cnt() { ip netns exec "$1" nft list counter ip "$2" "$3" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

# certificates
openssl req -x509 -newkey rsa:2048 -nodes -keyout fg.key -out fg.crt -days 30 \
    -subj "/O=Fortinet/OU=FortiGate/CN=FG60E0000000001" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout web.key -out web.crt -days 30 \
    -subj "/O=Example Hospital/CN=portal" 2>/dev/null

# 放射線: PACS and the CT console
mkdir -p dcm
bg ip netns exec $RAD storescp --aetitle PACS 104 -od "$T/dcm" > dcm.log 2>&1
bg ip netns exec $RAD openssl s_server -accept 10.60.1.20:443 -cert "$T/web.crt" -key "$T/web.key" \
    -tls1 -cipher 'DEFAULT:@SECLEVEL=0' -www -quiet > s10.log 2>&1
# python peers: telnet (option negotiation), FTP banner, MLLP, PostgreSQL
# refusing SSL, an Ivanti-like HTTPS portal
peers() { # ns python-args
    ns=$1
    shift
    ip netns exec "$ns" python3 - "$@" <<'PY' &
import socket, ssl, sys, threading, time, signal, os
signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
def serve(addr, port, handler, ctx=None):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(64)
    def one(c):
        try:
            if ctx: c = ctx.wrap_socket(c, server_side=True)
            c.settimeout(5); handler(c)
        except Exception: pass
        finally:
            try: c.close()
            except Exception: pass
    def loop():
        while True:
            c, _ = s.accept(); threading.Thread(target=one, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
def telnet(c):
    c.send(b"\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01\xff\xfb\x03"); time.sleep(1); c.send(b"login: "); time.sleep(1)
def ftp(c):
    c.send(b"220 CT-Console FTP server ready\r\n")
    while True:
        d = c.recv(1024)
        if not d: return
        if d.upper().startswith(b"FEAT"): c.send(b"211-Features:\r\n SIZE\r\n211 End\r\n")
        else: c.send(b"500 no\r\n")
def mllp(c):
    d = c.recv(4096)
    if d.startswith(b"\x0b"): c.send(b"\x0bMSA|AA\r\x1c\r")
def pg(c):
    d = c.recv(8)
    if len(d) == 8: c.send(b"N"); time.sleep(0.5)
def ivanti(c):
    c.recv(4096)
    c.send(b"HTTP/1.1 302 Found\r\nLocation: https://10.60.4.40/dana-na/auth/url_default/welcome.cgi\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
T = os.environ["T"]
what = sys.argv[1]
if what == "rad":
    serve("10.60.1.20", 23, telnet); serve("10.60.1.20", 21, ftp)
elif what == "gw":
    serve("10.60.3.30", 2575, mllp)
elif what == "dep":
    serve("10.60.3.31", 5432, pg); serve("10.60.3.99", 5432, pg)
elif what == "vpn":
    x = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); x.load_cert_chain(T + "/web.crt", T + "/web.key")
    serve("10.60.4.40", 443, ivanti, x)
time.sleep(300)
PY
    PIDS="$PIDS $!"
}
export T
peers $RAD rad
peers $DEP dep
peers $GW gw
peers $VPN vpn
mkdir -p www/remote
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>SSL-VPN</title><script src="/remote/fgt_lang?lang=en"></script></html>\n' > www/remote/login
bg ip netns exec $VPN sh -c "cd '$T/www' && exec openssl s_server -accept 10.60.4.41:443 \
    -cert '$T/fg.crt' -key '$T/fg.key' -HTTP -quiet" > s41.log 2>&1
NS=$RAD wait_port 10.60.1.10 104 || not_ok "PACS"
NS=$RAD wait_port 10.60.1.20 443 || not_ok "CT TLS"
NS=$RAD wait_port 10.60.1.20 21 || not_ok "CT FTP"
NS=$DEP wait_port 10.60.3.31 5432 || not_ok "DB"
NS=$GW wait_port 10.60.3.30 2575 || not_ok "HL7 gateway"
NS=$VPN wait_port 10.60.4.40 443 || not_ok "Ivanti-like"
NS=$VPN wait_port 10.60.4.41 443 || not_ok "FortiGate-like"
ex0=$(cnt $DEP dep excluded); out0=$(cnt $OUT outside seen)

t0=$(date +%s.%N)
run ip netns exec $SCN "$ANZEN" --lang en scan 10.60.1.0/24 10.60.3.0/24 10.60.4.0/24 \
    --exclude 10.60.3.99 --from 部門系 --no-ledger -o hospital.json
echo "# hospital scan at defaults: $(echo "$(date +%s.%N) - $t0" | bc) s"
[ "$rc" -eq 2 ] && ok "the hospital scan finds gaps (exit 2)" || { not_ok "hospital scan: exit $rc"; sed 's/^/# /' "$T/err" | head; }
[ "$(cnt $DEP dep excluded)" = "$ex0" ] && ok "the excluded address received 0 packets" \
    || not_ok "the excluded address received $(( $(cnt $DEP dep excluded) - ex0 )) packets"
[ "$(cnt $OUT outside seen)" = "$out0" ] && ok "the out-of-scope address received 0 packets" \
    || not_ok "the out-of-scope address received $(( $(cnt $OUT outside seen) - out0 )) packets"
python3 - hospital.json <<'PY' > checks.txt
import json, sys
d = json.load(open(sys.argv[1]))
def check(name, cond):
    print(("ok " if cond else "not ok ") + name)
from collections import defaultdict
sv = defaultdict(dict)
sv.update({(h["address"], p["port"]): p.get("service", {}) for h in d["hosts"] for p in h["ports"]})
f = {(x["host"], x.get("port"), x["rule"]): x for x in d["findings"]}
# storescp listens on every address of 放射線, so the CT console shows 104 too
peers = {("10.60.1.10", 104), ("10.60.1.20", 104), ("10.60.1.20", 21), ("10.60.1.20", 23), ("10.60.1.20", 443),
         ("10.60.3.30", 2575), ("10.60.3.31", 5432), ("10.60.4.40", 443), ("10.60.4.41", 443)}
check("every peer's port is open: missing %s" % sorted(peers - set(sv)), peers <= set(sv))
check("nothing else is open: %s" % sorted(set(sv) - peers), set(sv) <= peers)
check("the excluded address is not in the results", all(h["address"] != "10.60.3.99" for h in d["hosts"]))
check("PACS: DICOM in clear", sv[("10.60.1.10", 104)].get("name") == "dicom" and ("10.60.1.10", 104, "plaintext-dicom") in f)
check("CT: telnet proven by negotiation, a gap", sv[("10.60.1.20", 23)].get("method") == "probed" and ("10.60.1.20", 23, "telnet") in f)
check("CT: FTP without AUTH TLS, a gap", f.get(("10.60.1.20", 21, "ftp-plain"), {}).get("level") == "gap")
check("CT: TLS 1.0 still accepted", ("10.60.1.20", 443, "legacy-tls") in f)
gw = [h for h in d["hosts"] if h["address"] == "10.60.3.30"]
check("HL7 gateway found although it drops 80/443/445/22", gw and gw[0]["reason"] in ("syn-ack", "arp-response"))
check("HL7 in clear, a gap", f.get(("10.60.3.30", 2575, "plaintext-hl7"), {}).get("level") == "gap")
check("database without TLS, a gap", ("10.60.3.31", 5432, "db-no-tls") in f)
iv = sv[("10.60.4.40", 443)].get("appliance", {})
check("Ivanti-like portal recognised (%s)" % iv.get("family"), iv.get("family") == "ivanti-connect-secure" and ("10.60.4.40", 443, "remote-access") in f)
fg = sv[("10.60.4.41", 443)].get("appliance", {})
check("FortiGate-like SSL-VPN recognised (%s)" % fg.get("family"), fg.get("family") == "fortinet-fortios" and ("10.60.4.41", 443, "remote-access") in f)
check("the result is complete", d["complete"] is True)
PY
while read -r line; do
    case "$line" in
    "ok "*) ok "${line#ok }" ;;
    *) not_ok "${line#not ok }" ;;
    esac
done < checks.txt
[ "$(wc -l < checks.txt)" -eq 13 ] && ok "all hospital checks ran" || not_ok "hospital checks did not all run"

# routed: from 放射線 to 部門系 and ベンダー保守, defaults (no ARP help
# across the router); then nmap -sT -Pn on the addresses that exist there
# and the same ports, as a second opinion on the open set
t0=$(date +%s.%N)
run ip netns exec $RAD "$ANZEN" --lang en scan 10.60.3.0/24 10.60.4.0/24 --exclude 10.60.3.99 \
    --no-ledger --no-service -o routed.json
echo "# routed scan at defaults: $(echo "$(date +%s.%N) - $t0" | bc) s"
[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] && ok "the routed scan ran (exit $rc)" || not_ok "routed scan: exit $rc"
python3 - routed.json <<'PY' && ok "routed: the HL7 gateway is found on 2575 (syn-ack), not through ARP" || not_ok "routed discovery"
import json, sys
d = json.load(open(sys.argv[1]))
gw = [h for h in d["hosts"] if h["address"] == "10.60.3.30"]
assert gw and gw[0]["reason"] == "syn-ack", gw
assert [p["port"] for p in gw[0]["ports"]] == [2575], gw
PY
if command -v nmap >/dev/null; then
    ports=$(sed -n 's/^default: "\(.*\)"/\1/p' "$SRCDIR/data/scan/ports.yaml")
    ip netns exec $RAD nmap -sT -Pn -n -T4 -p "$ports" -oX routed.xml \
        10.60.3.1 10.60.3.30 10.60.3.31 10.60.4.1 10.60.4.40 10.60.4.41 > /dev/null 2>&1
    python3 - routed.json routed.xml <<'PY' && ok "routed open set equals nmap -sT -Pn's" || not_ok "routed open set differs from nmap's"
import json, sys, xml.etree.ElementTree as ET
a = {(h["address"], p["port"]) for h in json.load(open(sys.argv[1]))["hosts"] for p in h["ports"]}
n = set()
for h in ET.parse(sys.argv[2]).getroot().iter("host"):
    addr = h.find("address").get("addr")
    for p in h.iter("port"):
        if p.find("state").get("state") == "open":
            n.add((addr, int(p.get("portid"))))
print("# anzen %s" % sorted(a)); print("# nmap  %s" % sorted(n))
assert n and a == n
PY
else
    not_ok "nmap is needed for the second opinion"
fi
# positive controls: the counters count
ip netns exec $SCN python3 -c "import socket; s=socket.create_connection(('10.60.3.99', 5432), 2); s.close()" || true
ip netns exec $SCN python3 -c "
import socket
s = socket.socket(); s.settimeout(1)
try: s.connect(('10.60.5.5', 9))
except OSError: pass" || true
[ "$(cnt $DEP dep excluded)" -gt "$ex0" ] && ok "the excluded address's counter counts" || not_ok "excluded counter dead"
[ "$(cnt $OUT outside seen)" -gt "$out0" ] && ok "the out-of-scope counter counts" || not_ok "out-of-scope counter dead"
done_testing
