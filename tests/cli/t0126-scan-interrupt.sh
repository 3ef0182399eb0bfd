#!/bin/sh
# SIGINT / SIGTERM during a slow scan on loopback (#19 item 3): no new
# probes, the partial result is written marked incomplete, the terminal
# is told, and the exit code is 130 / 143 (not 0, 1 or 2).
. "$(dirname "$0")/lib.sh"
# a listener found by discovery (the first probe), so the partial result
# has something in it
python3 - > port.txt <<'PY' &
import socket, sys, signal, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1]); sys.stdout.flush()
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s.settimeout(0.2)
end = time.time() + 60
while time.time() < end:
    try:
        c, _ = s.accept(); c.close()
    except OSError:
        pass
PY
LP=$!
trap 'kill $LP ${SP:-} 2>/dev/null || true; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s port.txt ] && break; sleep 0.1; done
PORT=$(cat port.txt)

interrupt() { # signal, want-rc, json
    "$ANZEN" --lang en scan 127.0.0.1 -p "1-3000,$PORT" --discovery-ports "$PORT" --rate 20 \
        --no-ledger --no-service -o "$3" >out.$1 2>err.$1 </dev/null &
    pid=$!
    sleep 1.5
    t0=$(date +%s%N)
    kill -"$1" $pid
    set +e
    wait $pid
    rc=$?
    set -e
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    [ "$rc" -eq "$2" ] && ok "$1: exit $2" || { not_ok "$1: exit $rc, want $2"; sed 's/^/#   /' err.$1; }
    [ "$ms" -lt 2500 ] && ok "$1: stopped in $ms ms (timeout 1500 ms)" || not_ok "$1: took $ms ms to stop"
    grep -q "stopping: no new probes" err.$1 && ok "$1: the terminal is told at once" || not_ok "$1: no stop message"
    grep -q "interrupted; the result is partial" err.$1 && ok "$1: and that the result is partial" \
        || not_ok "$1: no partial-result message"
    grep -q "Interrupted scan" out.$1 && ok "$1: the table says so" || not_ok "$1: table silent"
    python3 - "$3" "$1" "$PORT" <<'PY' && ok "$1: JSON written, complete false, stopped_by, the open port kept" || not_ok "$1: partial JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is False, d.get("complete")
assert d["stopped_by"] == "SIG" + sys.argv[2], d.get("stopped_by")
st = d["stats"]
assert 0 < st["probes_sent"] < st["probes_planned"], st
ports = [p["port"] for h in d["hosts"] for p in h["ports"]]
assert ports == [int(sys.argv[3])], ports
PY
}
interrupt INT 130 int.json
interrupt TERM 143 term.json

# an uninterrupted scan says complete: true and has no stopped_by
run "$ANZEN" scan 127.0.0.1 -p "$PORT" --no-ledger --no-service --format json
expect_rc 0 "a whole scan"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["complete"] is True and "stopped_by" not in d' out \
    && ok "complete: true when nothing was cut short" || not_ok "complete flag of a whole scan"

# in the service phase: a listener that accepts and never speaks holds
# an exchange for the service timeout (2 x --timeout); SIGINT lets it end
# within that timeout and keeps the port
python3 - > silent.txt <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1]); sys.stdout.flush()
held = []
s.settimeout(0.2)
end = time.time() + 60
while time.time() < end:
    try:
        c, _ = s.accept(); held.append(c)
    except OSError:
        pass
PY
SP=$!
for _ in $(seq 50); do [ -s silent.txt ] && break; sleep 0.1; done
SPORT=$(cat silent.txt)
"$ANZEN" --lang en scan 127.0.0.1 -p "$SPORT" --timeout 2000 --no-ledger -o svc.json >out.svc 2>err.svc </dev/null &
pid=$!
sleep 1
t0=$(date +%s%N)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" -eq 130 ] && ok "services: exit 130" || not_ok "services: exit $rc"
[ "$ms" -le 4500 ] && ok "services: the exchange in flight ended within its 4000 ms timeout ($ms ms)" \
    || not_ok "services: $ms ms to stop"
python3 - svc.json "$SPORT" <<'PY' && ok "services: partial JSON keeps the open port" || not_ok "services: partial JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is False and d["stopped_by"] == "SIGINT", d
assert [p["port"] for h in d["hosts"] for p in h["ports"]] == [int(sys.argv[2])]
PY

# a second signal ends the process at once (nothing written)
"$ANZEN" --lang en scan 127.0.0.1 -p "$SPORT" --timeout 2000 --no-ledger -o twice.json >/dev/null 2>&1 </dev/null &
pid=$!
sleep 1
t0=$(date +%s%N)
kill -INT $pid
sleep 0.1
kill -INT $pid || true
set +e
wait $pid
rc=$?
set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" -eq 130 ] && [ "$ms" -lt 1000 ] && ok "a second SIGINT ends it at once (exit 130, $ms ms)" \
    || not_ok "second SIGINT: exit $rc after $ms ms"
[ ! -e twice.json ] && ok "and writes nothing" || not_ok "a file was written after the second SIGINT"
kill $SP 2>/dev/null || true
kill $LP 2>/dev/null || true
done_testing
