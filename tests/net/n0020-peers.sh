#!/bin/sh
# Service identification against real peers, in a private network
# namespace (lo only): OpenSSH sshd, DCMTK storescp (plain and TLS),
# PostgreSQL with and without ssl, openssl s_server shaped like a
# FortiGate SSL-VPN (factory-style certificate, login page with a build
# ETag) and one still accepting TLS 1.0/1.1, and MLLP listeners that must
# never receive an HL7 message.
. "$(dirname "$0")/lib.sh"
need_netns
NS=anzen-peers-$$
netns_add $NS
X="ip netns exec $NS"
PG=/usr/lib/postgresql/15/bin

# --- certificates
openssl req -x509 -newkey rsa:2048 -nodes -keyout fg.key -out fg.crt -days 30 \
    -subj "/O=Fortinet/OU=FortiGate/CN=FG100FTK19000001" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout pacs.key -out pacs.crt -days 30 \
    -subj "/O=Example Hospital/CN=pacs" 2>/dev/null

# --- sshd on a port the port table does not name (found by its banner)
ssh-keygen -q -t ed25519 -N '' -f hostkey
mkdir -p /run/sshd
printf 'Port 22022\nListenAddress 127.0.0.1\nHostKey %s/hostkey\nPidFile %s/sshd.pid\nUsePAM no\n' \
    "$T" "$T" > sshd_config
$X /usr/sbin/sshd -f "$T/sshd_config" -E "$T/sshd.log" < /dev/null
NET_CLEANUP="stop_daemons"
stop_daemons() {
    [ -f "$T/sshd.pid" ] && kill "$(cat "$T/sshd.pid")" 2>/dev/null
    for d in pga pgb; do
        [ -d "$T/$d" ] && runuser -u nobody -- $PG/pg_ctl -D "$T/$d" stop -m immediate >/dev/null 2>&1
    done
    return 0
}

# --- DICOM: storescp plain on 104 and with TLS on 2762
mkdir dcm
bg $X storescp -v -od "$T/dcm" --aetitle PACS 104 > dcm104.log 2>&1
bg $X storescp -v -od "$T/dcm" +tls "$T/pacs.key" "$T/pacs.crt" -ic 2762 > dcm2762.log 2>&1

# --- PostgreSQL, ssl off on 127.0.0.3 and on on 127.0.0.4 (initdb refuses root)
chmod 711 "$T"
mkdir pga && chown nobody pga
runuser -u nobody -- $PG/initdb -D "$T/pga" -A trust -U postgres >/dev/null
cp -a "$T/pga" "$T/pgb"
cp pacs.crt "$T/pgb/server.crt"
cp pacs.key "$T/pgb/server.key"
chown nobody "$T/pgb/server.crt" "$T/pgb/server.key"
chmod 600 "$T/pgb/server.key"
echo "ssl = on" >> "$T/pgb/postgresql.conf"
$X runuser -u nobody -- $PG/pg_ctl -D "$T/pga" -l "$T/pga/log.txt" \
    -o "-c listen_addresses=127.0.0.3 -p 5432 -k $T/pga" start >/dev/null
$X runuser -u nobody -- $PG/pg_ctl -D "$T/pgb" -l "$T/pgb/log.txt" \
    -o "-c listen_addresses=127.0.0.4 -p 5432 -k $T/pgb" start >/dev/null

# --- an SSL-VPN login page like a FortiGate's, build time 0x5d1a2b3c in the ETag
mkdir -p www/remote
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: "8f-5d1a2b3c"\r\n\r\n<html><head><title>SSL-VPN</title></head><body><form action="/remote/logincheck"><script src="/remote/fgt_lang?lang=en"></script></form></body></html>\n' > www/remote/login
bg $X sh -c "cd '$T/www' && exec openssl s_server -accept 127.0.0.5:10443 -cert '$T/fg.crt' \
    -key '$T/fg.key' -HTTP -quiet" > s1.log 2>&1
# --- a web server still accepting TLS 1.0 and 1.1
mkdir www2
bg $X sh -c "cd '$T/www2' && exec openssl s_server -accept 127.0.0.6:443 -cert '$T/pacs.crt' \
    -key '$T/pacs.key' -cipher 'ALL:@SECLEVEL=0' -WWW -quiet" > s2.log 2>&1

# --- MLLP: one answers an empty frame with an empty frame, one stays silent;
# both record every byte they receive
cat > mllp.py <<'PY'
import socket, sys, threading
addr, mode, log = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, 2575)); s.listen(16)
def serve(c):
    data = b""
    c.settimeout(10)
    try:
        while True:
            b = c.recv(4096)
            if not b:
                break
            data += b
            with open(log, "ab") as f:
                f.write(b)
            if mode == "echo" and b"\x1c\x0d" in data:
                c.sendall(b"\x0b\x1c\x0d")
                data = b""
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
: > mllp-echo.bin
: > mllp-silent.bin
bg $X python3 mllp.py 127.0.0.7 echo "$T/mllp-echo.bin" > /dev/null 2>&1
bg $X python3 mllp.py 127.0.0.8 silent "$T/mllp-silent.bin" > /dev/null 2>&1

for a in "127.0.0.1 22022" "127.0.0.1 104" "127.0.0.1 2762" "127.0.0.3 5432" "127.0.0.4 5432" \
    "127.0.0.5 10443" "127.0.0.6 443" "127.0.0.7 2575" "127.0.0.8 2575"; do
    wait_port $a || not_ok "peer $a did not start"
done

run $X "$ANZEN" scan 127.0.0.1-8 -p 22022,104,443,2575,2762,5432,10443 --rate 200 \
    --timeout 1000 -o scan.json
expect_rc 2 "scan of the peers (gaps found: exit 2)"
expect_out "OpenSSH" "table shows OpenSSH"
# the upstream version of the installed package (1:9.2p1-2+deb12u10 -> 9.2p1)
SSHV=$(dpkg-query -W -f='${Version}' openssh-server | sed 's/^[0-9]*://; s/-.*//')

python3 - scan.json "$SSHV" <<'PY' > checks.txt
import json, sys
d = json.load(open(sys.argv[1]))
sv = {}
for h in d["hosts"]:
    for p in h["ports"]:
        sv[(h["address"], p["port"])] = p["service"]
def check(name, cond):
    print(("ok " if cond else "not ok ") + name)
s = sv[("127.0.0.1", 22022)]
check("sshd found by its banner on an unlisted port", s["name"] == "ssh" and s["product"] == "OpenSSH")
check("ssh version is the installed sshd's (%s)" % sys.argv[2], s.get("version") == sys.argv[2])
s = sv[("127.0.0.1", 104)]
check("plain DICOM: association accepted (A-ASSOCIATE-AC)", s["name"] == "dicom" and s["facts"]["dicom_pdu"] == 2)
check("plain DICOM is plaintext", s["facts"]["plaintext"] is True and s["tunnel"] is None)
check("DICOM peer named (DCMTK implementation version)", "DCMTK" in s.get("product", ""))
ev = [e for e in s["evidence"] if e["probe"] == "dicom-associate"][0]
check("DICOM evidence keeps the A-ASSOCIATE-AC bytes and times",
      ev["received"].startswith("\\x02\\x00") and ev["received_len"] > 60 and ev["start"] <= ev["stop"])
s = sv[("127.0.0.1", 2762)]
check("DICOM TLS: association inside TLS", s["name"] == "dicom" and s["tunnel"] == "ssl" and s["facts"]["plaintext"] is False)
check("DICOM TLS certificate read", s["tls"]["subject"].endswith("O=Example Hospital") and s["tls"]["self_signed"])
s = sv[("127.0.0.3", 5432)]
check("PostgreSQL ssl=off answers N to SSLRequest", s["name"] == "postgresql" and s["facts"]["tls_offered"] is False)
s = sv[("127.0.0.4", 5432)]
check("PostgreSQL ssl=on answers S", s["name"] == "postgresql" and s["facts"]["tls_offered"] is True)
s = sv[("127.0.0.5", 10443)]
a = s.get("appliance", {})
check("FortiGate-like SSL-VPN recognised", a.get("family") == "fortinet-fortios")
check("its build date read from the ETag (0x5d1a2b3c = 2019-07-01)", a.get("build_date") == "2019-07-01" and a.get("confidence") == "build-date")
check("modern TLS only: TLS 1.0 and 1.1 refused", s["tls"]["tls1_0"] is False and s["tls"]["tls1_1"] is False and s["tls"]["version"] == "TLSv1.3")
check("only GETs of login pages were sent", all(e["probe"].startswith(("http-get /", "tls")) for e in s["evidence"]))
s = sv[("127.0.0.6", 443)]
check("legacy TLS 1.0 and 1.1 still accepted (SECLEVEL=0 server)", s["tls"]["tls1_0"] is True and s["tls"]["tls1_1"] is True)
s = sv[("127.0.0.7", 2575)]
check("MLLP listener answering an empty frame", s["name"] == "hl7-mllp" and s["conf"] == 10 and s["facts"]["plaintext"] is True)
s = sv[("127.0.0.8", 2575)]
check("silent listener on 2575: MLLP not confirmed (a guess, not evidence)",
      s["name"] == "hl7-mllp" and s["conf"] == 5 and s["method"] == "table" and s.get("confirmed") is False
      and "not confirmed" in s["info"])
f = {}
for x in d["findings"]:
    f.setdefault((x["host"], x.get("port")), set()).add(x["rule"])
h8 = [x for x in d["findings"] if x["host"] == "127.0.0.8" and x.get("port") == 2575]
check("the silent MLLP port gets only a not-confirmed attention, never a gap",
      len(h8) == 1 and h8[0]["level"] == "attention" and "not confirmed" in h8[0]["en"])
check("finding: plaintext DICOM on 104", "plaintext-dicom" in f.get(("127.0.0.1", 104), set()))
check("no plaintext finding for DICOM TLS", "plaintext-dicom" not in f.get(("127.0.0.1", 2762), set()))
check("finding: PostgreSQL without TLS", f.get(("127.0.0.3", 5432)) == {"db-no-tls"})
check("no finding for PostgreSQL with TLS", ("127.0.0.4", 5432) not in f)
ra = [x for x in d["findings"] if x["rule"] == "remote-access"]
check("finding: the SSL-VPN, with its build date and credential advice",
      len(ra) == 1 and "2019-07-01" in ra[0]["ja"] and "rotate the VPN credentials" in ra[0]["en"]
      and "cl-r7.h.patches" in ra[0]["items"] and ra[0]["evidence"]["probe"].startswith("http-get"))
check("finding: legacy TLS", "legacy-tls" in f.get(("127.0.0.6", 443), set()))
check("a build date only: KEV cannot be checked, said with the catalog date",
      "kev-no-version" in f.get(("127.0.0.5", 10443), set()) and d["kev_catalog"] == "2025.08.25")
check("finding: plaintext HL7 (answering and likely)",
      "plaintext-hl7" in f.get(("127.0.0.7", 2575), set()) and "plaintext-hl7" in f.get(("127.0.0.8", 2575), set()))
PY
while read -r line; do
    case "$line" in
    "ok "*) ok "${line#ok }" ;;
    *) not_ok "${line#not ok }" ;;
    esac
done < checks.txt
[ "$(wc -l < checks.txt)" -eq 26 ] && ok "all peer checks ran" || not_ok "peer checks did not all run"

if grep -q "Association Release" dcm104.log; then ok "storescp saw our A-RELEASE-RQ"
else
    not_ok "storescp did not see a release"
    sed 's/^/#   /' dcm104.log | tail -20
fi
grep -q "Storing" dcm104.log && not_ok "something was stored on the PACS" || ok "nothing stored on the PACS"
python3 - <<'PY' && ok "MLLP listeners got only an empty frame (and a TLS hello), never an HL7 message" || not_ok "MLLP got a message"
for f in ("mllp-echo.bin", "mllp-silent.bin"):
    b = open(f, "rb").read()
    assert b"MSH|" not in b and b"\x0bMSH" not in b, f
    assert b.endswith(b"\x0b\x1c\x0d") or b"\x0b\x1c\x0d" in b, f
PY
done_testing
