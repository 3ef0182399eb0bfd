# SPDX-License-Identifier: MIT
# Helpers for the network scenarios (tests/net): the TAP helpers of the
# CLI tests plus listeners and cleanup. Only 127.0.0.0/8, ::1 and network
# namespaces the test creates are ever touched.
. "$SRCDIR/tests/cli/lib.sh"
PIDS=""
NETNS=""
cleanup_net() {
    ${NET_CLEANUP:-true}
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    for ns in $NETNS; do ip netns del "$ns" 2>/dev/null || true; done
    [ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup_net EXIT

# need_netns: these scenarios need root and network namespaces; without
# them the test fails loudly (never a silent skip)
need_netns() {
    if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
        not_ok "this scenario needs root and iproute2 (ip netns)"
        done_testing
        exit 1
    fi
}

# netns_add NAME: a namespace with only lo (up), removed at exit
netns_add() {
    ip netns add "$1" || { not_ok "ip netns add $1"; done_testing; exit 1; }
    NETNS="$NETNS $1"
    ip -n "$1" link set lo up
}

# bg CMD...: run in the background, killed at exit
bg() {
    "$@" &
    PIDS="$PIDS $!"
}

# listen ADDR PORT...: plain TCP listeners that accept and close (python)
listen() {
    ${NS:+ip netns exec $NS} python3 - "$@" <<'PY' &
import socket, sys, select, signal
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
addr = sys.argv[1]
socks = []
for p in sys.argv[2:]:
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(p)))
    s.listen(256)
    socks.append(s)
while True:
    r, _, _ = select.select(socks, [], [])
    for s in r:
        try:
            c, _ = s.accept()
            c.close()
        except OSError:
            pass
PY
    PIDS="$PIDS $!"
}

# wait_port ADDR PORT: until something listens there (5 s); set NS to
# look inside a namespace
wait_port() {
    for _ in $(seq 50); do
        if ${NS:+ip netns exec $NS} python3 -c "import socket,sys; a=sys.argv[1]; s=socket.socket(socket.AF_INET6 if ':' in a else socket.AF_INET); s.settimeout(0.2); s.connect((a,int(sys.argv[2])))" "$1" "$2" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

# open ports of an anzen-scan/1 JSON as "addr port" lines, sorted
anzen_open() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for h in d["hosts"]:
    for p in h["ports"]:
        if p["state"] == "open":
            print(h["address"], p["port"])' "$1" | sort
}

# open ports of an nmap -oX file, same form
nmap_open() {
    python3 -c '
import sys, xml.etree.ElementTree as ET
for h in ET.parse(sys.argv[1]).getroot().iter("host"):
    a = h.find("address").get("addr")
    for p in h.iter("port"):
        if p.find("state").get("state") == "open":
            print(a, p.get("portid"))' "$1" | sort
}

# The loopback listeners n0010 and n0090 scan: 8 open ports on 127.0.0.1,
# .5, .7 and ::1 (one in the ephemeral range), waited for; PORTS covers
# them with closed ports around.
loopback_listeners() {
    listen 127.0.0.1 22022 28080 45678
    listen 127.0.0.5 22022 11112
    listen 127.0.0.7 2575
    listen ::1 22022 15432
    for a in "127.0.0.1 45678" "127.0.0.5 11112" "127.0.0.7 2575" "::1 15432"; do
        wait_port $a || not_ok "listener $a"
    done
    PORTS=1-100,2575,11112,15432,22000-22100,28080,45600-45700
}
