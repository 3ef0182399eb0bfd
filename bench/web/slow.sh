#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/web/slow.sh: `anzen serve` with its default limits (256
# connections, 64 per address) while 256 slow connections from 8 loopback
# addresses (127.0.0.1..127.0.0.8; half silent, half a TLS record started
# and never finished; each reopened as soon as the server closes it) are
# held; a signed-in user on 127.0.0.9 asks for the dashboard on a new
# connection each time. Prints the user's p50/p99/max, failures, and the
# lines the server wrote to stderr meanwhile.   bench/web/slow.sh [SECONDS]
set -eu
cd "$(dirname "$0")/../.."
ANZEN=${ANZEN:-$PWD/build/src/cli/anzen}
SECS=${1:-30}
W=$(mktemp -d "${TMPDIR:-/tmp}/anzen-slow.XXXXXX")
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
ulimit -n 4096 2>/dev/null || true
export ANZEN_TODAY=2025-11-24
"$ANZEN" demo -o "$W/ws" >/dev/null
(cd "$W/ws" && exec "$ANZEN" serve --port 0 --ready-file port >out.log 2>err.log) &
PID=$!
while [ ! -s "$W/ws/port" ]; do sleep 0.1; done
PORT=$(cat "$W/ws/port")
CODE=$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$W/ws/err.log")
COOKIE=$(python3 bench/web/session.py "$PORT" "$CODE")
L0=$(wc -l <"$W/ws/err.log")
echo "anzen serve (defaults) on 127.0.0.1:$PORT; $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
python3 - "$PORT" "$COOKIE" "$SECS" <<'PY'
import http.client, socket, ssl, sys, threading, time
port, cookie, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
ctx = ssl._create_unverified_context()
stop = time.monotonic() + secs
held = [0]
def slow(addr, k):
    while time.monotonic() < stop:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(addr, 0))
        except OSError:
            time.sleep(0.05)
            continue
        try:
            if k % 2:
                s.sendall(b"\x16\x03\x01")
            held[0] += 1
            s.settimeout(0.5)
            while time.monotonic() < stop:
                try:
                    if not s.recv(1):
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
        finally:
            held[0] -= 1
            s.close()
ts = [threading.Thread(target=slow, args=(f"127.0.0.{a}", k), daemon=True)
      for a in range(1, 9) for k in range(32)]
for t in ts: t.start()
time.sleep(2)
print(f"slow connections held after 2 s: {held[0]}")
lat, fails = [], 0
while time.monotonic() < stop - 0.5:
    t = time.monotonic()
    try:
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=15,
                                        source_address=("127.0.0.9", 0))
        c.request("GET", "/", headers={"Cookie": cookie})
        r = c.getresponse()
        r.read()
        c.close()
        if r.status != 200:
            fails += 1
        else:
            lat.append((time.monotonic() - t) * 1000)
    except Exception:
        fails += 1
    time.sleep(0.05)
lat.sort()
print(f"signed-in requests from 127.0.0.9: {len(lat)} ok, {fails} failed; "
      f"p50 {lat[len(lat)//2]:.1f} ms, p99 {lat[min(len(lat)-1, int(len(lat)*0.99))]:.1f} ms, "
      f"max {lat[-1]:.1f} ms; slow connections held at the end: {held[0]}")
PY
echo "server stderr lines during the run: $(($(wc -l <"$W/ws/err.log") - L0))"
tail -n 3 "$W/ws/err.log"
