#!/bin/sh
# Evidence, never a guess (#19 item 5): hostile services in a namespace of
# their own (its own loopback, so fixed ports collide with nothing):
#   21   10 MB of random bytes            -> not telnet, not FTP, no finding
#   23   accept, then reset               -> "telnet?" (a guess), no gap
#   443  TLS, O="O=Fortinet,OU=FortiGate" -> not a FortiGate
#   1433 garbage that starts like TDS     -> not SQL Server, no finding
#   104  a PACS that answers the association after 4 s (longer than the
#        service timeout): confirmed DICOM, thanks to its own timeout
#   11112 a DICOM port that never answers -> "not confirmed" attention
# and, as a control, 8443 a real self-signed FortiGate-style certificate
# (OU=FortiGate, issuer O=Fortinet) is still recognised.
. "$(dirname "$0")/lib.sh"
need_netns
H=az-hostile-$$
netns_add $H
openssl req -x509 -newkey rsa:2048 -nodes -keyout bad.key -out bad.crt -days 30 \
    -subj "/O=O=Fortinet,OU=FortiGate/CN=x" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout fg.key -out fg.crt -days 30 \
    -subj "/O=Fortinet/OU=FortiGate/CN=FG60E0000000001" 2>/dev/null
ip netns exec $H python3 - "$T" <<'PY' &
import os, random, socket, ssl, struct, sys, threading, time, signal
signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
T = sys.argv[1]
def serve(port, handler, ctx=None):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(64)
    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=one, args=(c,), daemon=True).start()
    def one(c):
        try:
            if ctx:
                c = ctx.wrap_socket(c, server_side=True)
            handler(c)
        except Exception:
            pass
        finally:
            try: c.close()
            except Exception: pass
    threading.Thread(target=loop, daemon=True).start()
rnd = random.Random(19)
blob = bytes([0x5a]) + rnd.randbytes(10 * 1024 * 1024 - 1)
def random_bytes(c):
    c.settimeout(5)
    view = memoryview(blob)
    while view:
        n = c.send(view[:65536]); view = view[n:]
def reset(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
def garbage_tds(c):
    # old parser: type 4, a length, an "option table" pointing into itself
    c.send(bytes([0x04, 0x00, 0x00, 0x20, 0x35, 0x9e, 0x0a, 0xb0,
                  0x00, 0x00, 0x05, 0x00, 0x06, 0x01, 0x00, 0x05, 0x00, 0x01, 0xff])
           + rnd.randbytes(13))
    time.sleep(3)
def idle(c):
    time.sleep(30)
def http(c):
    c.settimeout(5)
    try: c.recv(4096)
    except Exception: pass
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
def slow_pacs(c):
    c.settimeout(10)
    c.recv(65536)
    time.sleep(4)
    # A-ASSOCIATE-RJ: rejected permanently by the service user (a real PDU)
    c.send(bytes([0x03, 0x00, 0, 0, 0, 4, 0x00, 0x01, 0x01, 0x03]))
    time.sleep(1)
def tls_ctx(cert, key):
    x = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); x.load_cert_chain(cert, key); return x
serve(21, random_bytes)
serve(23, reset)
serve(443, http, tls_ctx(T + "/bad.crt", T + "/bad.key"))
serve(8443, http, tls_ctx(T + "/fg.crt", T + "/fg.key"))
serve(1433, garbage_tds)
serve(104, slow_pacs)
serve(11112, idle)
time.sleep(120)
PY
PIDS="$PIDS $!"
for p in 21 23 443 8443 1433 104 11112; do NS=$H wait_port 127.0.0.1 $p || not_ok "listener $p"; done

run ip netns exec $H "$ANZEN" --lang en scan 127.0.0.1 -p 21,23,104,443,1433,8443,11112 \
    --timeout 500 --assoc-timeout 6000 --no-ledger -o scan.json
[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] && ok "scan ran (exit $rc)" || { not_ok "scan: exit $rc"; sed 's/^/# /' "$T/err"; }
python3 - scan.json <<'PY' > checks.txt
import json, sys
d = json.load(open(sys.argv[1]))
def check(name, cond):
    print(("ok " if cond else "not ok ") + name)
sv = {p["port"]: p.get("service", {}) for h in d["hosts"] for p in h["ports"]}
f = {}
for x in d["findings"]:
    f.setdefault(x.get("port"), []).append(x)
check("random bytes on 21: not telnet, not a proven FTP (%s, %s)" % (sv[21].get("name"), sv[21].get("method")),
      sv[21].get("name") != "telnet" and not (sv[21].get("name") == "ftp" and sv[21].get("method") == "probed"))
check("random bytes on 21: no finding", 21 not in f)
check("reset on 23: named telnet only as a port-table guess", sv[23].get("method") == "table")
check("reset on 23: no telnet gap", 23 not in f)
check("O=\"O=Fortinet,OU=FortiGate\" is not a FortiGate", "appliance" not in sv[443]
      and all(x["rule"] not in ("remote-access", "kev", "kev-no-version") for x in f.get(443, [])))
check("the real FortiGate-style certificate still is", sv[8443].get("appliance", {}).get("family") == "fortinet-fortios")
check("garbage on 1433: not SQL Server (%s %s)" % (sv[1433].get("product"), sv[1433].get("version")),
      sv[1433].get("method") == "table" and "SQL Server" not in sv[1433].get("product", ""))
check("garbage on 1433: no database finding", 1433 not in f)
check("slow PACS on 104 (4 s > 1 s service timeout): confirmed by its own association timeout",
      sv[104].get("name") == "dicom" and sv[104].get("method") == "probed" and sv[104].get("facts", {}).get("plaintext") is True)
nc = f.get(11112, [])
check("silent DICOM port: a not-confirmed attention that says what to check",
      sv[11112].get("confirmed") is False and len(nc) == 1 and nc[0]["level"] == "attention"
      and "not confirmed" in nc[0]["en"] and "AE title" in nc[0]["en"])
check("no gap rests on a port-number guess",
      all(x["level"] != "gap" or sv.get(x.get("port"), {}).get("method") == "probed" for x in d["findings"] if x.get("port")))
PY
while read -r line; do
    case "$line" in
    "ok "*) ok "${line#ok }" ;;
    *) not_ok "${line#not ok }" ;;
    esac
done < checks.txt
[ "$(wc -l < checks.txt)" -eq 11 ] && ok "all hostile checks ran" || not_ok "hostile checks did not all run"
grep -q "telnet?" out && ok "the table shows the guess as telnet?" || not_ok "table: no telnet? guess"
done_testing
