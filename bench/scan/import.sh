#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/scan/import.sh - anzen scan --import on a large nmap -oX file
# (#19 item 6: a 50 MB file under 300 MB of memory and 5 s). The file is
# generated here: a -Pn sweep of 10.0.0.0/14 where most addresses are
# "up (user-set)" with nothing but filtered ports (they must not become
# live hosts) and one in 40 answers with a few open, scripted ports.
# Prints the size, wall time, peak RSS and the live-host count. Sends
# nothing anywhere.
#
#   bench/scan/import.sh [MB]      (default 50)
set -eu
cd "$(dirname "$0")/../.."
ANZEN=${ANZEN:-$PWD/build/src/cli/anzen}
MB=${1:-50}
T=$(mktemp -d /tmp/anzen-bench-import.XXXXXX)
trap 'rm -rf "$T"' EXIT
[ -x "$ANZEN" ] || { echo "build anzen first (make)" >&2; exit 1; }
python3 - "$T/big.xml" "$MB" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
limit = mb * 1024 * 1024
with open(path, "w") as f:
    f.write('<?xml version="1.0"?>\n<nmaprun scanner="nmap" args="nmap -Pn -sT -sV -sC 10.0.0.0/14" start="1764000000">\n')
    f.write('<scaninfo type="connect" protocol="tcp" numservices="6" services="22,80,443,2575,5432,8080"/>\n')
    n = 0
    live = 0
    while f.tell() < limit:
        a = "10.%d.%d.%d" % (n >> 16 & 3, n >> 8 & 255, n & 255)
        if n % 40 == 7:
            live += 1
            f.write('<host starttime="1764000001" endtime="1764000002"><status state="up" reason="user-set" reason_ttl="0"/>'
                    '<address addr="%s" addrtype="ipv4"/><hostnames></hostnames><ports>'
                    '<extraports state="closed" count="3"><extrareasons reason="conn-refused" count="3"/></extraports>'
                    '<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="0"/>'
                    '<service name="ssh" product="OpenSSH" version="8.9p1" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:8.9p1</cpe></service></port>'
                    '<port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="0"/>'
                    '<service name="http" tunnel="ssl" product="nginx" method="probed" conf="10"/>'
                    '<script id="http-title" output="Login"><elem key="title">Login</elem></script>'
                    '<script id="ssl-cert" output="Subject: commonName=h%d"><table key="subject"><elem key="commonName">h%d</elem></table>'
                    '<table key="issuer"><elem key="commonName">ca</elem></table><table key="validity"><elem key="notAfter">2030-01-01T00:00:00</elem></table></script></port>'
                    '<port protocol="tcp" portid="2575"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="hl7" method="probed" conf="10"/></port>'
                    '</ports><times srtt="100" rttvar="50" to="100000"/></host>\n' % (a, n, n))
        else:
            f.write('<host starttime="1764000001" endtime="1764000002"><status state="up" reason="user-set" reason_ttl="0"/>'
                    '<address addr="%s" addrtype="ipv4"/><hostnames></hostnames><ports>'
                    '<extraports state="filtered" count="6"><extrareasons reason="no-response" count="6"/></extraports>'
                    '</ports><times srtt="0" rttvar="0" to="1000000"/></host>\n' % a)
        n += 1
    f.write('<runstats><finished time="1764000600"/><hosts up="%d" down="0" total="%d"/></runstats>\n</nmaprun>\n' % (n, n))
print("%d hosts, %d answer" % (n, live))
PY
size=$(stat -c %s "$T/big.xml")
/usr/bin/time -f "%e %M" -o "$T/time" "$ANZEN" --lang en scan --import "$T/big.xml" --no-ledger \
    --format json > "$T/out.json" 2>"$T/err" || [ $? -eq 2 ] || { cat "$T/err"; exit 1; }
read -r secs kb <<EOT
$(tail -n 1 "$T/time")
EOT
up=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["hosts"]))' "$T/out.json")
printf '  file %.1f MB: %s s, peak RSS %d MB, %s live hosts\n' "$(echo "$size / 1048576" | bc -l)" "$secs" $((kb / 1024)) "$up"
echo "  targets: < 5 s, < 300 MB; load $(cut -d' ' -f1-3 /proc/loadavg)"
