#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/web/large.sh: `anzen serve` with a ledger of N assets (default
# 36,000; most PCs nobody administers, so most rows have findings): time
# of /, /plan, /ledger (first and later pages, a filter) once the view is
# cached, then 10 concurrent clients for a while and the server's peak
# memory (VmHWM).   bench/web/large.sh [N] [SECONDS]     (after make)
set -eu
cd "$(dirname "$0")/../.."
ANZEN=${ANZEN:-$PWD/build/src/cli/anzen}
N=${1:-36000}
SECS=${2:-10}
W=$(mktemp -d "${TMPDIR:-/tmp}/anzen-large.XXXXXX")
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
export ANZEN_TODAY=2025-11-24
"$ANZEN" demo -o "$W/ws" >/dev/null
python3 bench/web/gen-ledger.py "$N" "$W/in.csv"
(cd "$W/ws" && "$ANZEN" ledger import --skip-bad-rows "$W/in.csv" >/dev/null 2>&1)
(cd "$W/ws" && exec "$ANZEN" serve --port 0 --ready-file port >out.log 2>err.log) &
PID=$!
while [ ! -s "$W/ws/port" ]; do sleep 0.1; done
PORT=$(cat "$W/ws/port")
CODE=$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$W/ws/err.log")
COOKIE=$(python3 bench/web/session.py "$PORT" "$CODE")
echo "anzen serve (pid $PID) with $N assets; machine: $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
python3 - "$PORT" "$COOKIE" "$SECS" "$PID" "$W/ws" <<'PY'
import http.client, os, ssl, sys, threading, time
port, cookie, secs, pid, ws = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
ctx = ssl._create_unverified_context()
def get(c, path):
    t = time.monotonic()
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse()
    body = r.read()
    return r.status, (time.monotonic() - t) * 1000, len(body)
def mem():
    d = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        d[k] = v.strip()
    return d["VmRSS"], d["VmHWM"]
paths = ["/", "/plan", "/ledger", "/admin/audit", "/ledger?page=200", "/ledger?q=%E7%AB%AF%E6%9C%AB12345",
         "/ledger?kind=&segment=%E6%A4%9C%E6%9F%BB&findings=1&page=3", "/plan?status=open"]
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
st, ms, n = get(c, "/")
print(f"first request (builds the view): {ms:.0f} ms")
print(f"{'path':58s} {'status':>6s} {'median ms':>10s} {'max ms':>8s} {'bytes':>8s}")
for p in paths:
    times = []
    for _ in range(7):
        st, ms, n = get(c, p)
        times.append(ms)
    times.sort()
    print(f"{p:58s} {st:6d} {times[3]:10.1f} {times[-1]:8.1f} {n:8d}")
rss, hwm = mem()
print(f"after the single requests: RSS {rss}, peak {hwm}")
# a change of the answers (a save): the view is rebuilt, the ledger check kept
for f, what in (("answers.yaml", "answers changed"), ("ledger.csv", "ledger changed")):
    st = os.stat(os.path.join(ws, f))
    os.utime(os.path.join(ws, f), ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
    st, ms, n = get(c, "/")
    print(f"first / after a change ({what}): {ms:.0f} ms")
stop = time.monotonic() + secs
lat = []
per = {p: [] for p in paths}
errs = [0]
def worker(i):
    cc = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
    k = 0
    while time.monotonic() < stop:
        p = paths[(i + k) % len(paths)]
        k += 1
        try:
            st, ms, n = get(cc, p)
            lat.append(ms)
            per[p].append(ms)
            if st != 200:
                errs[0] += 1
        except Exception:
            errs[0] += 1
            cc = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
ts = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
for t in ts: t.start()
for t in ts: t.join()
lat.sort()
rss, hwm = mem()
print(f"10 concurrent clients for {secs:.0f} s: {len(lat)} requests, errors {errs[0]}, "
      f"p50 {lat[len(lat)//2]:.1f} ms, p99 {lat[int(len(lat)*0.99)]:.1f} ms; RSS {rss}, peak {hwm}")
print(f"{'path (10 clients)':58s} {'n':>5s} {'p50 ms':>8s} {'p99 ms':>8s}")
for p in paths:
    v = sorted(per[p])
    if v:
        print(f"{p:58s} {len(v):5d} {v[len(v)//2]:8.1f} {v[min(len(v)-1, int(len(v)*0.99))]:8.1f}")
print(f"load average after: {open('/proc/loadavg').read().split()[0]}")
PY
