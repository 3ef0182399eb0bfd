#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The server under load and with a large workspace (issue 14), over real
TLS sockets: slow clients from several loopback addresses do not keep a
signed-in user out; refused connections give a bounded number of log
lines; a 36,000-asset ledger pages and filters; the plan board filters;
viewers get no forms; a signed-in 404 keeps the navigation; the language
switch returns to the page; plain http:// gets a hint; the dashboard names
the newer edition; TLS 1.2 CBC suites are refused.
Usage: websrv.py PORT WORKSPACE SETUP_CODE"""
import base64
import hashlib
import hmac
import http.client
import re
import socket
import ssl
import struct
import os
import subprocess
import sys
import threading
import time
import urllib.parse

PORT, WS, SETUP = int(sys.argv[1]), sys.argv[2], sys.argv[3]
CTX = ssl._create_unverified_context()
n_test = 0
failed = 0


def skip(name, why):
    global n_test
    n_test += 1
    print(f"ok {n_test} - {name} # SKIP {why}")


def ok(cond, name, info=""):
    global n_test, failed
    n_test += 1
    if cond:
        print(f"ok {n_test} - {name}")
    else:
        failed += 1
        print(f"not ok {n_test} - {name}")
        for line in str(info).splitlines()[:20]:
            print(f"# {line}")


class Browser:
    def __init__(self, src="127.0.0.1"):
        self.jar = {}
        self.src = src

    def send(self, method, path, form=None):
        c = http.client.HTTPSConnection("127.0.0.1", PORT, context=CTX, timeout=30,
                                        source_address=(self.src, 0))
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items() if v),
             "Origin": f"https://127.0.0.1:{PORT}"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body, h)
        r = c.getresponse()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.jar[name] = rest.split(";", 1)[0]
        data = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, r.getheader("Location"), data

    def get(self, path):
        return self.send("GET", path)

    def post(self, path, form):
        return self.send("POST", path, form)


def csrf(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000)


PW = "correct horse battery staple"
admin = Browser("127.0.0.9")
_, _, page = admin.get("/setup")
admin.post("/setup", {"csrf": csrf(page), "code": SETUP, "name": "admin", "display": "管理者",
                      "password": PW, "password2": PW, "role": "planning"})
_, _, page = admin.get("/mfa")
secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
admin.post("/mfa", {"csrf": csrf(page), "action": "enrol", "code": totp(secret)})
st, _, page = admin.get("/")
ok(st == 200 and 'id="total"' in page, "the administrator is signed in", st)

# ---- the newer edition, as anzen status says it ----
m = re.search(r'<p class="notice" id="newer-edition">(.*?)</p>', page)
ok(m and "令和8年度版" in m.group(1) and "2026-06" in m.group(1),
   "the dashboard names the newer edition of the checklist, as anzen status does",
   m.group(0) if m else page[:400])

# ---- 36,000 assets: the ledger a page at a time, filtered ----
t = time.monotonic()
st, _, page = admin.get("/ledger")
ms = (time.monotonic() - t) * 1000
rows = re.findall(r"<tr(?: class=\"has-finding\")?><td>", page)
ok(st == 200 and len(rows) == 100 and 'data-count="36000"' in page,
   f"/ledger shows 100 of 36,000 assets ({ms:.0f} ms)", f"{st} {len(rows)}")
ok(ms < 3000, f"/ledger answers within 3 s with 36,000 assets ({ms:.0f} ms)")
st, _, page = admin.get("/ledger?page=2")
ok("端末00100" in page and "端末00199" in page and "端末00099" not in page,
   "?page=2 shows assets 101-200")
st, _, page = admin.get("/ledger?page=99999")
ok(st == 200 and "端末35999" in page and "360 / 360" in page,
   "a page past the end shows the last page")
st, _, page = admin.get("/ledger?q=" + urllib.parse.quote("端末12345"))
rows = re.findall(r"<tr(?: class=\"has-finding\")?><td>", page)
ok(len(rows) == 1 and "端末12345" in page and 'data-count="1"' in page,
   "the text filter finds one asset", len(rows))
st, _, page = admin.get("/ledger?segment=" + urllib.parse.quote("検査") + "&page=2")
ok('data-count="9000"' in page and "segment=%E6%A4%9C%E6%9F%BB" in page.replace("&amp;", "&"),
   "the segment filter keeps a quarter, and the pager keeps the filter",
   re.findall(r'data-count="\d+"', page))
st, _, page = admin.get("/ledger?findings=1")
cnt = re.search(r'data-count="(\d+)"', page)
ok(cnt and 0 < int(cnt.group(1)) <= 36000 and "has-finding" in page and
   len(re.findall(r"<tr><td>", page)) == 0,
   "only assets with findings", cnt.group(1) if cnt else page[:300])
st, _, page = admin.get("/ledger?kind=" + urllib.parse.quote("端末"))
ok(st == 200, "the kind filter answers", st)
t = time.monotonic()
for p in ["/", "/plan", "/ledger?page=180"]:
    st, _, page = admin.get(p)
ms = (time.monotonic() - t) * 1000
ok(ms < 3000, f"/, /plan and a ledger page together within 3 s ({ms:.0f} ms)")

# ---- 36,000 assets: page times and the server's memory (issue 14 item 7) ----
# The targets are 100 ms a page and 150 MB at 10 concurrent requests; the
# strict figures are measured by bench/web/large.sh. Here the page time
# is guarded at 250 ms (a median of 5, the view cached: CI machines run
# other builds meanwhile) and the memory at the target itself (it does
# not depend on the machine's load).
SRV_PID = os.environ.get("ANZEN_SERVER_PID")


def sanitized():
    """A build with AddressSanitizer: its shadow memory and quarantine make
    the memory and time figures meaningless."""
    try:
        with open(f"/proc/{SRV_PID}/maps") as f:
            return "libasan" in f.read()
    except OSError:
        return False


ASAN = SRV_PID and sanitized()


def status_kb(key):
    with open(f"/proc/{SRV_PID}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


LARGE = ["/", "/plan", "/ledger", "/ledger?page=200", "/ledger?q=" + urllib.parse.quote("端末12345"),
         "/ledger?segment=" + urllib.parse.quote("検査") + "&findings=1&page=3", "/admin/audit"]
med = {}
for p in LARGE:
    ts = []
    for _ in range(5):
        t = time.monotonic()
        st, _, page = admin.get(p)
        ts.append((time.monotonic() - t) * 1000 if st == 200 else 99999)
    med[p] = sorted(ts)[2]
NAME = "every page answers in under 250 ms with 36,000 assets"
if ASAN:
    skip(NAME, "AddressSanitizer build")
else:
    ok(max(med.values()) < 250, f"{NAME} (slowest median {max(med.values()):.0f} ms)",
       "\n".join(f"{p}: {v:.1f} ms" for p, v in med.items()))
if SRV_PID:
    stop = time.monotonic() + 3
    lat, errs, rss = [], [], [status_kb("VmRSS")]

    def client(i):
        # ten users on ten machines (the per-address limit is 16 here)
        b = Browser(f"127.0.1.{10 + i}")
        b.jar = dict(admin.jar)
        k = i
        while time.monotonic() < stop:
            p = LARGE[k % len(LARGE)]
            k += 1
            t = time.monotonic()
            try:
                st, _, _ = b.get(p)
            except OSError as e:
                st = repr(e)
            lat.append((time.monotonic() - t) * 1000)
            if st != 200:
                errs.append(f"{p}: {st}")

    ths = [threading.Thread(target=client, args=(i,)) for i in range(10)]
    for x in ths:
        x.start()
    while any(x.is_alive() for x in ths):
        rss.append(status_kb("VmRSS"))
        time.sleep(0.1)
    lat.sort()
    ok(not errs and lat, f"10 concurrent clients: {len(lat)} requests, no errors "
       f"(p50 {lat[len(lat) // 2]:.0f} ms, p99 {lat[int(len(lat) * 0.99)]:.0f} ms)",
       "\n".join(errs[:10]))
    NAME = "the server stays under 150 MB with 10 concurrent clients"
    if ASAN:
        skip(NAME, "AddressSanitizer build")
    else:
        ok(max(rss) < 150 * 1024, f"{NAME} (RSS at most {max(rss) // 1024} MB)",
           f"VmHWM {status_kb('VmHWM') // 1024} MB")
    # a saved answer rebuilds the view but not the ledger check
    ans = os.path.join(WS, "answers.yaml")
    st_ = os.stat(ans)
    os.utime(ans, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1000))
    t = time.monotonic()
    st, _, page = admin.get("/")
    ms = (time.monotonic() - t) * 1000
    NAME = "the first dashboard after a change of the answers takes under 1 s"
    if ASAN:
        ok(st == 200, f"{NAME} # SKIP the time under AddressSanitizer ({ms:.0f} ms)", st)
    else:
        ok(st == 200 and ms < 1000, f"{NAME} ({ms:.0f} ms)", st)
else:
    ok(False, "ANZEN_SERVER_PID is set by t0400-websrv.sh")

# ---- the plan board: filters, a pager, the interim column ----
st, _, page = admin.get("/plan")
ok(st == 200 and 'id="plan-filter"' in page and 'class="pager"' in page,
   "/plan has filters and a pager")
total = int(re.search(r'data-count="(\d+)"', page).group(1))
st, _, page = admin.get("/plan?status=done")
done = int(re.search(r'data-count="(\d+)"', page).group(1))
ok(done < total, f"the status filter narrows the board ({done} of {total})")
st, _, page = admin.get("/plan?owner=nobody-has-this")
ok('data-count="0"' in page, "the owner filter narrows to nothing")
# an interim measure in progress moves the card to that column
st, _, page = admin.get("/plan")
m = re.search(r'<article class="card plan" data-item="([^"]+)"[^>]*>.*?name="track" value="interim"',
              page, re.S)
item = m.group(1)
admin.post("/plan", {"csrf": csrf(page), "item": item, "track": "interim",
                     "status": "in-progress", "owner": "", "due": ""})
st, _, page = admin.get("/plan")
col = re.search(r'<section class="column" data-status="([^"]+)">(?:(?!</section>).)*data-item="'
                + re.escape(item) + r'"><h3>[^<]*</h3><p class="sub by-interim">', page, re.S)
ok(col and col.group(1) == "in-progress",
   "a card whose interim measure is in progress sits in the in-progress column",
   col.group(1) if col else "no card")

# ---- viewers: no forms they cannot use ----
_, _, page = admin.get("/admin/users")
PWV = "a long passphrase for the viewer"
st, _, page = admin.post("/admin/users", {"csrf": csrf(page), "action": "create", "name": "mori",
                                          "display": "森", "role": "viewer", "vendor": "",
                                          "password": PWV})
viewer = Browser("127.0.0.10")
_, _, page = viewer.get("/login")
viewer.post("/login", {"csrf": csrf(page), "name": "mori", "password": PWV})
st, _, page = viewer.get("/plan")
ok(st == 200 and 'method="post" action="/plan"' not in page and 'id="board"' in page and
   'id="read-only"' in page, "a viewer's plan board has no update forms", st)
st, _, page = viewer.get("/assess")
ok(st == 200 and 'class="card question"' in page and 'class="stack answer"' not in page,
   "a viewer gets no answer form", st)
st, _, page = viewer.get("/ledger")
ok(st == 200 and 'id="ledger-upload"' not in page and 'id="assets"' in page,
   "a viewer gets no ledger upload form", st)
st, _, page = admin.get("/assess")
ok('class="stack answer"' in page, "the administrator still gets the answer form")

# ---- a signed-in 404 keeps the navigation; the language switch ----
st, _, page = admin.get("/no-such-page")
ok(st == 404 and '<nav>' in page and 'href="/plan"' in page, "a signed-in 404 has the navigation",
   st)
st, _, page = admin.get("/ledger?page=3")
m = re.search(r'href="(/lang\?[^"]+)"', page)
link = m.group(1).replace("&amp;", "&") if m else ""
st, loc, _ = admin.get(link)
ok(st == 303 and loc == "/ledger?page=3", "the language switch returns to the same page", loc)
for bad in ["//evil.example/", "/\\evil.example", "https://evil.example/", "/x\r\nSet-Cookie:a"]:
    st, loc, _ = admin.get("/lang?to=ja&back=" + urllib.parse.quote(bad, safe=""))
    ok(st == 303 and loc == "/", f"the language switch goes nowhere else ({bad!r})", loc)

# ---- plain http:// on the TLS port ----
s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
data = b""
while True:
    try:
        k = s.recv(4096)
    except OSError:
        break
    if not k:
        break
    data += k
s.close()
ok(data.startswith(b"HTTP/1.1 400") and f"https://127.0.0.1:{PORT}/".encode() in data,
   "plain http gets a hint with the https URL", data[:300])

# ---- an early 400 (no Host): ours, in Japanese, one header block ----
raw = CTX.wrap_socket(socket.create_connection(("127.0.0.1", PORT), timeout=5))
raw.sendall(b"GET / HTTP/1.1\r\n\r\n")
data = b""
try:
    while True:
        k = raw.recv(4096)
        if not k:
            break
        data += k
except OSError:
    pass
raw.close()
ok(data.startswith(b"HTTP/1.1 400") and data.count(b"HTTP/1.1") == 1 and
   "Host ヘッダーがありません".encode() in data and b"<html>" not in data,
   "a request without Host gets our one Japanese 400", data[:400])

# ---- TLS 1.2: AEAD suites only ----
def tls12(ciphers):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    c.maximum_version = c.minimum_version = ssl.TLSVersion.TLSv1_2
    c.set_ciphers(ciphers)
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=5) as raw:
            with c.wrap_socket(raw) as t:
                return t.cipher()[0]
    except (ssl.SSLError, OSError):
        return None


ok(tls12("ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA:"
         "ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256") is None,
   "TLS 1.2 with only CBC suites is refused")
got = tls12("DEFAULT")
ok(got is not None and ("GCM" in got or "CHACHA" in got), f"TLS 1.2 with AEAD works ({got})")

# ---- slow clients from 4 addresses do not keep a signed-in user out ----
slow = []
for a in range(1, 5):
    for k in range(16):
        try:
            s = socket.create_connection(("127.0.0.1", PORT), timeout=5,
                                         source_address=(f"127.0.0.{a}", 0))
            if k % 2:
                s.sendall(b"\x16\x03\x01")  # a TLS record started, never finished
            slow.append(s)
        except OSError:
            pass
time.sleep(0.5)
worst = 0
for i in range(5):
    t = time.monotonic()
    st, _, page = admin.get("/")
    ms = (time.monotonic() - t) * 1000
    worst = max(worst, ms if st == 200 else 99999)
ok(worst < 1000, f"with {len(slow)} slow connections from 4 addresses held, a signed-in "
   f"request is served within 1 s (worst {worst:.0f} ms)")
for s in slow:
    s.close()

# ---- a flood of refused connections: bounded log lines ----
with open(f"{WS}/stderr.log", "rb") as f:
    before = f.read().count(b"\n")
t = time.monotonic()
n = 0
while time.monotonic() - t < 3:
    held = []
    for k in range(40):
        try:
            held.append(socket.create_connection(("127.0.0.1", PORT), timeout=2,
                                                 source_address=("127.0.0.3", 0)))
            n += 1
        except OSError:
            pass
    for s in held:
        s.close()
time.sleep(0.3)
with open(f"{WS}/stderr.log", "rb") as f:
    text = f.read()
lines = text.count(b"\n") - before
ok(n > 500 and lines <= 15, f"{n} connections, {lines} new log lines", text[-800:])

# ---- clients that start a TLS handshake and go away: libmicrohttpd's
# messages about them are counted, one example per interval ----
with open(f"{WS}/stderr.log", "rb") as f:
    before = f.read().count(b"\n")
hello = bytes.fromhex("16030100a1010000")  # the start of a ClientHello, then nothing
for k in range(60):
    try:
        s = socket.create_connection(("127.0.0.1", PORT), timeout=2, source_address=("127.0.0.4", 0))
        s.sendall(hello)
        s.close()
    except OSError:
        pass
time.sleep(0.5)
with open(f"{WS}/stderr.log", "rb") as f:
    text = f.read()
lines = text.count(b"\n") - before
ok(lines <= 3, f"60 broken handshakes: {lines} new log lines (at most an example and a summary)",
   text[-600:])
st, _, _ = admin.get("/")
ok(st == 200, "the server still answers")

print(f"1..{n_test}")
sys.exit(1 if failed else 0)
