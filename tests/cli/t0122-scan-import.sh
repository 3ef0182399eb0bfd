#!/bin/sh
# anzen scan --import: an nmap XML result becomes the same findings as a
# scan of anzen's own (services, NSE script facts, appliances from CPEs
# and certificates), with the ledger and the vantage segment; broken or
# hostile XML fails cleanly, naming file:line, and never reads other files.
. "$(dirname "$0")/lib.sh"
X="$TEST_DATA/nmap/hospital.xml"

run "$ANZEN" scan --import "$X" --no-ledger --format json
expect_rc 2 "import finds gaps"
python3 - "$T/out" <<'PY' && ok "every rule fires where the nmap result shows it" || not_ok "import findings"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "anzen-scan/1" and d["source"] == "nmap-xml"
got = sorted((f["host"], f["port"], f["rule"], f["level"]) for f in d["findings"])
want = sorted([
    ("192.0.2.1", 443, "remote-access", "gap"),
    ("192.0.2.1", 443, "kev", "gap"),
    ("192.0.2.1", 443, "legacy-tls", "attention"),
    ("192.0.2.10", 23, "telnet", "gap"),
    ("192.0.2.10", 104, "plaintext-dicom", "gap"),
    ("192.0.2.10", 104, "dicom-any-ae", "attention"),
    ("192.0.2.10", 445, "smb1", "gap"),
    ("192.0.2.10", 3389, "rdp-no-nla", "gap"),
    ("192.0.2.10", 5900, "vnc-no-auth", "gap"),
    ("192.0.2.10", 8443, "cert-expired", "attention"),
    ("192.0.2.10", 8443, "cert-self-signed", "attention"),
    ("2001:db8::5", 21, "ftp-plain", "gap"),
])
assert got == want, got
h = {x["address"]: x for x in d["hosts"]}
assert sorted(h) == ["192.0.2.1", "192.0.2.10", "2001:db8::5"]          # the down host is left out
assert [p["port"] for p in h["2001:db8::5"]["ports"]] == [21]             # udp is not mapped
assert h["192.0.2.1"]["closed"] == 7 and h["192.0.2.1"]["filtered"] == 1
fg = h["192.0.2.1"]["ports"][0]["service"]
assert fg["name"] == "https" and fg["tunnel"] == "ssl"
assert fg["appliance"]["family"] == "fortinet-fortios" and fg["appliance"]["version"] == "6.0.4"
assert fg["tls"]["subject"] == "CN=FG100FTK19000001,OU=FortiGate,O=Fortinet"
assert fg["tls"]["tls1_0"] is True and fg["tls"]["tls1_1"] is False
assert any(e["probe"] == "nmap ssl-cert" and "FortiGate" in e["received"] for e in fg["evidence"])
assert d["scope"]["ports"] == [21, 23, 104, 443, 445, 3389, 5900, 8443, 10443, 11112]
assert d["scope"]["addresses"] == 16 and d["elapsed_ms"] == 30000
# FortiOS 6.0.4 against the embedded, dated KEV copy: CVE-2018-13379 (the
# Handa hospital entry) among the hits, the catalog date named
k = [f for f in d["findings"] if f["rule"] == "kev"][0]
assert d["kev_catalog"] == k["kev_catalog"] == "2025.08.25", k
assert "CVE-2018-13379" in [c["cve"] for c in k["cves"]] and k["family"] == "fortinet-fortios"
assert "2025.08.25" in k["ja"] and "VPN の認証情報をすべて変更" in k["ja"]
PY

# with a ledger and the vantage segment: the same rules as a live scan
printf '種別,名称,ネットワーク区分,IPアドレス,管理者\r\n' > ledger.csv
printf '医療機器,CT 装置,放射線部門系,192.0.2.10,メーカー\r\n' >> ledger.csv
printf 'ネットワーク機器,院内ルータ,事務系,2001:db8::5,院内\r\n' >> ledger.csv
run "$ANZEN" scan --import "$X" --from 事務系 --format json
expect_rc 2 "import with the ledger"
python3 - "$T/out" <<'PY' && ok "ledger rules on imported results" || not_ok "ledger on import"
import json, sys
d = json.load(open(sys.argv[1]))
r = {(f["host"], f["rule"]) for f in d["findings"]}
assert ("192.0.2.1", "not-in-ledger") in r            # the FortiGate nobody listed
nl = [f for f in d["findings"] if f["rule"] == "not-in-ledger"]
assert len(nl) == 1 and "cl-r7.h.remote-maintenance" in nl[0]["items"], nl
assert ("192.0.2.10", "cross-segment") in r           # the CT answers from 事務系
assert ("2001:db8::5", "cross-segment") not in r      # a router is on several segments by design
# on a medical device from the ledger an expired certificate is a gap
ce = [f for f in d["findings"] if f["rule"] == "cert-expired"][0]
assert ce["level"] == "gap" and "2024-03-31" in ce["ja"], ce
ct = [f for f in d["findings"] if f["host"] == "192.0.2.10" and f["rule"] == "telnet"][0]
assert ct["ja"].startswith("CT 装置:23:") and ct["segment"] == "放射線部門系"
PY
run "$ANZEN" --lang en scan --import "$X" --no-ledger
expect_out "[2001:db8::5]:21: FTP is running" "IPv6 written with brackets"

# errors
printf '<?xml version="1.0"?>\n<nmaprun>\n<host><status state="up"/>\n</nmaprun>\n' > broken.xml
run "$ANZEN" scan --import broken.xml
expect_rc 1 "broken XML"
expect_err "broken.xml:4:11: XML として読めません" "names file:line:col (where the mismatched tag is)"
expect_one_line_err "broken XML"
printf '<?xml version="1.0"?>\n<report/>\n' > other.xml
run "$ANZEN" scan --import other.xml
expect_rc 1 "not nmap"
expect_err "nmaprun" "says what it expected"
printf '<nmaprun><host><status state="up"/><address addr="192.0.2.300" addrtype="ipv4"/></host></nmaprun>' > badaddr.xml
run "$ANZEN" scan --import badaddr.xml
expect_rc 1 "an invalid address"
expect_err "badaddr.xml:1:" "names the line"
run "$ANZEN" scan --import nothere.xml
expect_rc 1 "missing file"
run "$ANZEN" scan --import "$X" 192.0.2.1
expect_rc 64 "--import takes no targets"

# hostile XML: an external entity is not read, entities are not expanded
cat > xxe.xml <<'XML'
<?xml version="1.0"?>
<!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<nmaprun><host><status state="up"/><address addr="192.0.2.7" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="80"><state state="open"/><service name="http" product="&x;" extrainfo="&c;"/></port>
</ports></host></nmaprun>
XML
run "$ANZEN" scan --import xxe.xml --no-ledger --format json
if grep -q "root:" "$T/out"; then not_ok "an external entity was read"; else ok "external entity not read"; fi
python3 - "$T/out" <<'PY' && ok "entities not expanded" || not_ok "entity expansion"
import json, sys
t = open(sys.argv[1]).read()
assert "aaaaaaaaaaaaaaaaaaaa" not in t
d = json.loads(t) if t.strip() else {"hosts": []}
PY
# nmap -Pn: every address is "up (user-set)"; only those with an open or
# closed port are live (#19). And the signals nmap gives: Ivanti's
# /dana-na/ redirect, HL7 matched by a probe, a certificate through
# PostgreSQL's STARTTLS, MySQL's capability flags.
cat > pn.xml <<'XML'
<?xml version="1.0"?>
<nmaprun scanner="nmap" args="nmap -Pn -sT -sV -sC 10.9.0.0/29" start="1764000000">
<scaninfo type="connect" protocol="tcp" numservices="5" services="443,2575,3306,5432,8080"/>
<host><status state="up" reason="user-set" reason_ttl="0"/><address addr="10.9.0.0" addrtype="ipv4"/>
<ports><extraports state="filtered" count="5"><extrareasons reason="no-response" count="5"/></extraports></ports></host>
<host><status state="up" reason="user-set" reason_ttl="0"/><address addr="10.9.0.1" addrtype="ipv4"/>
<ports><port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/><service name="http" tunnel="ssl" method="probed" conf="10"/>
<script id="http-title" output="Did not follow redirect to https://10.9.0.1/dana-na/auth/url_default/welcome.cgi"><elem key="redirect_url">https://10.9.0.1/dana-na/auth/url_default/welcome.cgi</elem></script></port>
<extraports state="filtered" count="4"/></ports></host>
<host><status state="up" reason="user-set" reason_ttl="0"/><address addr="10.9.0.2" addrtype="ipv4"/>
<ports><port protocol="tcp" portid="2575"><state state="open" reason="syn-ack"/><service name="hl7" method="probed" conf="10"/></port>
<port protocol="tcp" portid="5432"><state state="open" reason="syn-ack"/><service name="postgresql" product="PostgreSQL DB" method="probed" conf="10"/>
<script id="ssl-cert" output="Subject: commonName=db"><table key="subject"><elem key="commonName">db</elem></table><table key="issuer"><elem key="commonName">db</elem></table></script></port>
<port protocol="tcp" portid="3306"><state state="open" reason="syn-ack"/><service name="mysql" product="MySQL" method="probed" conf="10"/>
<script id="mysql-info" output="&#xa;  Protocol: 10&#xa;  Capabilities flags: 63487&#xa;  Some Capabilities: Support41Auth, LongPassword, ConnectWithDatabase&#xa;"/></port>
</ports></host>
<host><status state="up" reason="user-set" reason_ttl="0"/><address addr="10.9.0.3" addrtype="ipv4"/>
<ports><extraports state="closed" count="5"><extrareasons reason="conn-refused" count="5"/></extraports></ports></host>
<host><status state="up" reason="user-set" reason_ttl="0"/><address addr="10.9.0.7" addrtype="ipv4"/>
<ports><port protocol="tcp" portid="8080"><state state="filtered" reason="no-response"/><service name="http-proxy" method="table" conf="3"/></port></ports></host>
<runstats><finished time="1764000060"/><hosts up="5" down="0" total="5"/></runstats>
</nmaprun>
XML
printf '種別,名称,ネットワーク区分,IPアドレス,所属システム,管理者,最終パッチ適用日\r\n' > pnledger.csv
run "$ANZEN" --lang en scan --import pn.xml --ledger pnledger.csv -o pn.json
expect_rc 2 "-Pn import"
python3 - pn.json <<'PY' && ok "-Pn: only hosts that answered are live; nmap's appliance, HL7 and DB signals used" || not_ok "-Pn import"
import json, sys
d = json.load(open(sys.argv[1]))
hosts = [h["address"] for h in d["hosts"]]
assert hosts == ["10.9.0.1", "10.9.0.2", "10.9.0.3"], hosts   # .0, .7: user-set, no answer
nl = sorted(x["host"] for x in d["findings"] if x["rule"] == "not-in-ledger")
assert nl == ["10.9.0.1", "10.9.0.2", "10.9.0.3"], nl
sv = {(h["address"], p["port"]): p["service"] for h in d["hosts"] for p in h["ports"]}
assert sv[("10.9.0.1", 443)]["appliance"]["family"] == "ivanti-connect-secure", sv[("10.9.0.1", 443)]
f = {(x["host"], x.get("port"), x["rule"]): x for x in d["findings"]}
assert ("10.9.0.1", 443, "remote-access") in f
assert f[("10.9.0.2", 2575, "plaintext-hl7")]["level"] == "gap"
assert ("10.9.0.2", 5432, "db-no-tls") not in f                  # the certificate came via STARTTLS
assert sv[("10.9.0.2", 5432)]["facts"]["tls_offered"] is True
assert f[("10.9.0.2", 3306, "db-no-tls")]["level"] == "gap"        # no SSL among MySQL's capabilities
PY
run "$ANZEN" --lang en scan --import pn.xml --no-ledger
expect_no_out "https []" "the table shows no empty TLS version"
done_testing
