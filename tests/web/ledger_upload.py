# SPDX-License-Identifier: MIT
"""Ledger uploads a hospital makes (second black-box test, #6 and #9): a
refused upload says nothing was imported, the error first; a 5.7 MiB ledger
is accepted; past the limit a browser gets an HTML page in its language
naming the limit and anzen ledger import.
Usage: ledger_upload.py PORT SETUP_CODE (TAP on stdout)"""
import base64
import hashlib
import hmac
import http.client
import re
import socket
import ssl
import struct
import sys
import time
import urllib.parse

PORT, SETUP = int(sys.argv[1]), sys.argv[2]
CTX = ssl._create_unverified_context()
n_test = 0
failed = 0


def ok(cond, name, info=""):
    global n_test, failed
    n_test += 1
    print(f"{'ok' if cond else 'not ok'} {n_test} - {name}")
    if not cond:
        failed += 1
        for line in str(info).splitlines()[:20]:
            print(f"# {line}")


class Browser:
    def __init__(self):
        self.jar = {}

    def send(self, method, path, body=None, ctype=None, extra=None):
        c = http.client.HTTPSConnection("127.0.0.1", PORT, context=CTX, timeout=120)
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items() if v),
             "Origin": f"https://127.0.0.1:{PORT}", "Accept": "text/html"}
        if ctype:
            h["Content-Type"] = ctype
        h.update(extra or {})
        c.request(method, path, body, h)
        r = c.getresponse()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.jar[name] = rest.split(";", 1)[0]
        data = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, data

    def get(self, path):
        return self.send("GET", path)

    def post(self, path, form):
        return self.send("POST", path, urllib.parse.urlencode(form),
                         "application/x-www-form-urlencoded")

    def upload(self, csrf_v, name, data):
        b = "----anzen-test-boundary"
        body = (f"--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf_v}\r\n"
                f"--{b}\r\nContent-Disposition: form-data; name=\"csv\"; filename=\"{name}\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
        return self.send("POST", "/ledger", body, f"multipart/form-data; boundary={b}")


def csrf(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def totp(secret):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000)


def ledger(n, bad_row=0, pad=0):
    out = ["種別,名称,IPアドレス,最終パッチ適用日,備考"]
    for i in range(n):
        ip = "10.999.1.1" if i + 2 == bad_row else f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}"
        out.append(f"PC,端末{i:05d},{ip},2024年3月,{'x' * pad}")
    return ("\n".join(out) + "\n").encode()


def raw_413(lang_cookie, accept):
    """Headers announcing a 40 MB body, none of it sent: the answer."""
    s = CTX.wrap_socket(socket.create_connection(("127.0.0.1", PORT), timeout=30))
    hdr = (f"POST /ledger HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
           f"boundary=x\r\nContent-Length: {40 * 1024 * 1024}\r\n")
    if accept:
        hdr += f"Accept: {accept}\r\n"
    if lang_cookie:
        hdr += f"Cookie: anzen-lang={lang_cookie}\r\n"
    s.sendall((hdr + "\r\n").encode())
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ssl.SSLError, OSError):
            break
        if not chunk:
            break
        data += chunk
    s.close()
    return data.decode("utf-8", "replace")


PW = "correct horse battery staple"
admin = Browser()
_, page = admin.get("/setup")
admin.post("/setup", {"csrf": csrf(page), "code": SETUP, "name": "admin", "display": "管理者",
                      "password": PW, "password2": PW, "role": "planning"})
_, page = admin.get("/mfa")
secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
admin.post("/mfa", {"csrf": csrf(page), "action": "enrol", "code": totp(secret)})
st, page = admin.get("/")
ok(st == 200 and 'id="total"' in page,
   "the dashboard works with a vendor naming a system the profile lacks", f"{st} {page[:300]}")
st, page = admin.get("/ledger")
ok(st == 200 and 'id="ledger-upload"' in page, "the administrator sees the upload form", st)

# 9: the limit on the form
m = re.search(r'<p class="hint" id="ledger-limit">(.*?)</p>', page)
ok(m and "8 MB" in m.group(1) and "anzen ledger import" in m.group(1),
   "the form names the limit and the command for larger files", m.group(0) if m else page[:300])

# 6: 27,000 rows with month-only dates and one bad IP on Excel row 25003
st, page = admin.upload(csrf(page), "big.csv", ledger(27000, bad_row=25003))
m = re.search(r'<pre class="alert" role="status" id="ledger-msg">(.*?)</pre>', page, re.S)
msg = m.group(1) if m else ""
lines = msg.splitlines()
ok(st == 200 and lines and "台帳を取り込みませんでした" in lines[0],
   "a refused upload says first that nothing was imported", msg[:400] or page[:400])
ok(len(lines) > 1 and "行 25003" in lines[1] and "IPアドレス" in lines[1],
   "the bad row comes next, before any note", "\n".join(lines[:3]))
ok("…ほか 26980 件のお知らせ" in msg, "the notes are summarised with a count", msg[-400:])
ok(msg.count("月だけなので") == 20, "20 notes shown", msg.count("月だけなので"))

# 9: a 5.7 MiB ledger (over the general 4 MB) is taken
big = ledger(40000, pad=110)
ok(len(big) > 5 * 1024 * 1024, f"the ledger is {len(big) / 1048576:.1f} MiB")
st, page = admin.get("/ledger")
st, page = admin.upload(csrf(page), "hospital.csv", big)
ok(st == 200 and 'id="ledger-msg">台帳を取り込みました' in page,
   "a 5.7 MiB ledger is imported", f"{st} {page[:300]}")

# 9: past the limit, a browser gets an HTML page in its language
resp = raw_413("ja", "text/html,application/xhtml+xml")
ok(resp.startswith("HTTP/1.1 413") and "text/html" in resp.split("\r\n\r\n")[0],
   "413 as an HTML page for a browser", resp[:300])
ok("取り込みませんでした" in resp and "8 MB" in resp and "anzen ledger import" in resp,
   "it says nothing was imported, the limit and the command", resp[-600:])
resp = raw_413("en", "text/html")
ok("nothing was imported" in resp and "8 MB" in resp and "anzen ledger import" in resp,
   "in English with the English UI", resp[-600:])
resp = raw_413(None, None)
ok(resp.startswith("HTTP/1.1 413") and "text/plain" in resp.split("\r\n\r\n")[0],
   "plain text for a client that does not ask for HTML", resp[:300])

print(f"1..{n_test}")
sys.exit(1 if failed else 0)
