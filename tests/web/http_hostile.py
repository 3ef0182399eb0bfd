#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""anzen serve against hostile and broken HTTP clients (TAP output).

Usage: http_hostile.py PORT WORKSPACE_DIR FINGERPRINT SETUP_CODE

Talks to the server on 127.0.0.1 over real TLS sockets (Python's ssl on
OpenSSL, a different TLS stack from the server's GnuTLS)."""
import hashlib
import os
import re
import socket
import ssl
import stat
import sys
import time
import urllib.parse

from webtest import ok, done, unverified_ctx

PORT = int(sys.argv[1])
WS = sys.argv[2]
FP = sys.argv[3]
SETUP = sys.argv[4]
HOST = "127.0.0.1"


tls_ctx = unverified_ctx


def connect():
    s = socket.create_connection((HOST, PORT), timeout=10)
    return tls_ctx().wrap_socket(s, server_hostname="localhost")


def read_all(s, limit=1 << 22):
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                m = re.search(rb"content-length: *(\d+)", head, re.I)
                if m and len(body) >= int(m.group(1)):
                    break
    except (socket.timeout, ConnectionError, ssl.SSLError, OSError):
        pass
    return data


def request(raw):
    s = connect()
    try:
        s.sendall(raw)
        return read_all(s)
    finally:
        s.close()


def status(resp):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
    return int(m.group(1)) if m else None


def header(resp, name):
    head = resp.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    vals = [l.split(":", 1)[1].strip() for l in head.split("\r\n")[1:]
            if l.lower().startswith(name.lower() + ":")]
    return vals


def get(path, headers=""):
    return request(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nConnection: close\r\n"
                   f"{headers}\r\n".encode())


def post(path, body, ctype="application/x-www-form-urlencoded", headers=""):
    if isinstance(body, str):
        body = body.encode()
    return request(f"POST {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nConnection: close\r\n"
                   f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
                   .encode() + body)


def cookies(resp):
    jar = {}
    for v in header(resp, "Set-Cookie"):
        k, _, rest = v.partition("=")
        jar[k] = rest.split(";", 1)[0]
    return jar


def alive():
    return status(get("/login")) in (200, 303)


# --- TLS and the certificate ---
raw = socket.create_connection((HOST, PORT), timeout=5)
raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
answer = b""
try:
    while len(answer) < 4096:
        k = raw.recv(4096)
        if not k:
            break
        answer += k
except OSError:
    pass
raw.close()
# HTTPS only: plain HTTP gets a short hint naming the https URL (issue 14),
# never a page, a cookie or anything the client sent
ok(answer.startswith(b"HTTP/1.1 400") and b"https://" in answer and b"Set-Cookie" not in answer
   and b"<html" not in answer and b"Host: x" not in answer,
   "plain HTTP on the port gets only a hint to use https (HTTPS only)", answer[:200])

old = tls_ctx()
try:
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    s = old.wrap_socket(socket.create_connection((HOST, PORT), timeout=5))
    s.close()
    refused = False
except (ssl.SSLError, OSError, ValueError):
    refused = True
ok(refused, "TLS 1.1 is refused")

s = connect()
der = s.getpeercert(binary_form=True)
ver = s.version()
s.close()
fp = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
ok(fp == FP, "the printed fingerprint is the one the server presents", f"{fp} vs {FP}")
ok(ver in ("TLSv1.2", "TLSv1.3"), f"TLS version {ver}")
pem = open(os.path.join(WS, "anzen-tls.crt")).read()
file_der = ssl.PEM_cert_to_DER_cert(pem)
ok(file_der == der, "the certificate served is anzen-tls.crt")
mode = stat.S_IMODE(os.stat(os.path.join(WS, "anzen-tls.key")).st_mode)
ok(mode == 0o600, f"the TLS key file is mode 0600 ({oct(mode)})")
mode = stat.S_IMODE(os.stat(os.path.join(WS, "anzen.db.key")).st_mode)
ok(mode == 0o600, f"the sealing key file is mode 0600 ({oct(mode)})")

# --- headers on every response ---
r = get("/")
ok(status(r) == 303 and header(r, "Location") == ["/login"], "anonymous / goes to /login", r[:300])
csp = (header(r, "Content-Security-Policy") or [""])[0]
ok("frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
   and "default-src 'none'" in csp, "CSP: no inline script, no framing", csp)
ok(header(r, "Strict-Transport-Security") == ["max-age=31536000"], "HSTS")
ok(header(r, "X-Content-Type-Options") == ["nosniff"], "nosniff")
ok(header(r, "X-Frame-Options") == ["DENY"], "X-Frame-Options DENY")
ok(header(r, "Cache-Control") == ["no-store"], "dynamic pages are not cached")
r = get("/login")
ok(status(r) == 303 and header(r, "Location") == ["/setup"], "no user yet: /login goes to /setup")

# --- methods ---
for m in ("PUT", "DELETE", "TRACE", "OPTIONS", "PATCH"):
    r = request(f"{m} / HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                .encode())
    ok(status(r) == 405 and "POST" in (header(r, "Allow") or [""])[0], f"{m} is 405 with Allow",
       r[:200])
r = request(b"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n")
ok(status(r) in (400, 405, 501, None), "a garbage method is refused", r[:200])
r = request(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")
ok(status(r) in (400, 505), "an unknown HTTP version is refused", r[:200])
r = request(b"GET /\r\n\r\n")
ok(status(r) in (400, None) and alive(), "HTTP/0.9 request line is refused", r[:200])

# --- sizes ---
r = get("/", "Cookie: " + "a=" + "x" * 40000 + "\r\n")
ok(status(r) in (400, 413, 431) or r == b"", "a 40 KB header is refused", r[:200])
r = get("/", "".join(f"X-H{i}: {'y' * 100}\r\n" for i in range(400)))
ok(status(r) in (400, 413, 431) or r == b"", "400 headers of 100 bytes are refused", r[:200])
ok(alive(), "the server still answers after oversize headers")
r = request(f"POST /login HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-"
            "urlencoded\r\nContent-Length: 100000000\r\n\r\n".encode())
ok(status(r) == 413, "Content-Length of 100 MB: 413 before the body is sent", r[:200])
s = connect()
s.sendall(f"POST /login HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-"
          "urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
try:
    for _ in range(20):
        s.sendall(b"4000\r\n" + b"a" * 0x4000 + b"\r\n")
except OSError:
    pass
r = read_all(s)
s.close()
ok(status(r) in (413, None) and alive(), "a chunked body beyond 64 KB is cut off (413 or closed)",
   r[:200])
r = post("/login", "{}", "application/json")
ok(status(r) == 415, "a JSON body is refused (415)", r[:200])
r = post("/login", "name=a", "text/plain")
ok(status(r) == 415, "a text/plain body is refused (415)")
r = post("/ledger", b"--x\r\ngarbage", "multipart/form-data")
ok(status(r) == 400, "multipart without a boundary: 400", r[:200])
r = post("/login", b"--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n",
         "multipart/form-data; boundary=b")
ok(status(r) in (400, 415), "multipart to a page without uploads is refused", r[:200])
r = post("/ledger", b"--b\r\nContent-Disposition: form-data; name=\"csv\"; filename=\"a.csv\""
         b"\r\n\r\n" + b"x" * 5000, "multipart/form-data; boundary=b")
ok(status(r) in (303, 400), "a multipart body cut short is refused, not used", r[:200])
r = post("/login", "a=%zz&b=%&%%%=&" + "&" * 300)
ok(status(r) in (400, 403), "a malformed urlencoded form is refused", r[:200])
r = post("/login", "&".join(f"f{i}=1" for i in range(500)))
ok(status(r) in (400, 413), "500 form fields are refused", r[:200])
ok(alive(), "the server still answers after malformed bodies")

# --- static files ---
r = get("/static/app.css")
ok(status(r) == 200 and header(r, "Content-Type")[0].startswith("text/css"), "app.css is served")
r = get("/static/app.js")
ok(status(r) == 200 and b"addEventListener" in r, "app.js is served")
for p in ("/static/../anzen.db", "/static/%2e%2e/anzen.db", "/static/..%2fanzen.db",
          "/static/app.css/../../anzen.db", "/static//etc/passwd", "/static/%00",
          "/static/../../../../etc/passwd", "/static/anzen-tls.key", "/anzen.db",
          "/static/%2e%2e%2fanzen-tls.key"):
    r = get(p)
    ok(status(r) in (303, 404, 400) and b"SQLite format" not in r and b"PRIVATE KEY" not in r
       and b"root:" not in r, f"no path traversal: {p}", r[:200])

# --- cookies ---
for c in ("__Host-anzen=" + "A" * 43, "__Host-anzen=\"" + "B" * 43 + "\"",
          "__Host-anzen=" + "x" * 3000, "__Host-anzen=;;;;=;=", "=; =a; __Host-anzen",
          "__Host-anzen=\x7f\x01\xff", "__Host-anzen=" + "A" * 42 + "=",
          "anzen-lang=en; __Host-anzen=" + "C" * 43):
    r = get("/", "Cookie: " + c + "\r\n")
    ok(status(r) in (303, 400) and (status(r) == 400 or header(r, "Location") == ["/login"]),
       f"a bad or unknown session cookie gives no access ({c[:30]!r})", r[:200])

# --- CSRF before login, first run, throttling ---
r = get("/setup")
jar = cookies(r)
tok = re.search(rb'name="csrf" value="([^"]+)"', r).group(1).decode()
pre = jar.get("__Host-anzen-pre")
ok(pre and status(r) == 200, "the setup form comes with a pre-session cookie")
form = {"code": SETUP, "name": "admin", "display": "管理者", "role": "planning",
        "password": "correct horse battery staple", "password2": "correct horse battery staple"}
body = urllib.parse.urlencode(form)
r = post("/setup", body, headers=f"Cookie: __Host-anzen-pre={pre}\r\n")
ok(status(r) == 403, "setup without a CSRF token: 403", r[:200])
r = post("/setup", body + "&csrf=" + "A" * 43, headers=f"Cookie: __Host-anzen-pre={pre}\r\n")
ok(status(r) == 403, "setup with a wrong CSRF token: 403")
r = post("/setup", body + "&csrf=" + tok)
ok(status(r) == 403, "setup with the token but without its cookie: 403")
r = post("/setup", body + "&csrf=" + tok,
         headers=f"Cookie: __Host-anzen-pre={pre}\r\nOrigin: https://evil.example\r\n")
ok(status(r) == 403, "setup from another origin: 403")
bad_code = dict(form, code="00000000" if SETUP != "00000000" else "11111111")
r = post("/setup", urllib.parse.urlencode(bad_code) + "&csrf=" + tok,
         headers=f"Cookie: __Host-anzen-pre={pre}\r\nOrigin: https://{HOST}:{PORT}\r\n")
ok(status(r) == 400 and "初回設定コードが違います" in r.decode("utf-8", "replace"),
   "a wrong setup code is refused", r[:300])
r = post("/setup", body + "&csrf=" + tok,
         headers=f"Cookie: __Host-anzen-pre={pre}\r\nOrigin: https://{HOST}:{PORT}\r\n")
ok(status(r) == 303 and header(r, "Location") == ["/mfa"], "the administrator is created",
   r[:400])
sess = cookies(r).get("__Host-anzen", "")
sc = [v for v in header(r, "Set-Cookie") if v.startswith("__Host-anzen=")]
ok(sc and "HttpOnly" in sc[0] and "Secure" in sc[0] and "SameSite=Strict" in sc[0]
   and "Path=/" in sc[0] and "Domain" not in sc[0], "session cookie: HttpOnly, Secure, "
   "SameSite=Strict, host-only", sc)
ok(len(sess) == 43, "session ID of 256 bits")
r = get("/", f"Cookie: __Host-anzen={sess}\r\n")
ok(status(r) == 303 and header(r, "Location") == ["/mfa"],
   "an administrator without MFA can only go to the enrolment page")
r = post("/setup", body + "&csrf=" + tok,
         headers=f"Cookie: __Host-anzen-pre={pre}\r\n")
ok(status(r) in (303, 403), "a second setup does not create anything")
r = get("/setup")
ok(status(r) == 303 and header(r, "Location") == ["/login"], "after the first run, /setup is gone")

# login throttling and lockout, with one generic message
r = get("/login")
pre = cookies(r)["__Host-anzen-pre"]
tok = re.search(rb'name="csrf" value="([^"]+)"', r).group(1).decode()
h = f"Cookie: __Host-anzen-pre={pre}\r\n"
msgs = set()
for i in range(5):
    r = post("/login", f"name=admin&password=wrong-password-{i}&csrf={tok}", headers=h)
    msgs.add(re.search(rb'role="alert">([^<]*)<', r).group(1))
    ok(status(r) == 401, f"wrong password {i + 1}: 401")
r = post("/login", f"name=nobody&password=whatever-it-is&csrf={tok}", headers=h)
msgs.add(re.search(rb'role="alert">([^<]*)<', r).group(1))
ok(status(r) == 401 and len(msgs) == 1, "an unknown user gets the same message", msgs)
r = post("/login", f"name=admin&password=correct horse battery staple&csrf={tok}", headers=h)
ok(status(r) == 401 and re.search(rb'role="alert">([^<]*)<', r).group(1) in msgs,
   "after 5 failures the right password is refused too (locked), same message", r[:300])
r = post("/login", f"name=ADMIN&password=correct horse battery staple&csrf={tok}", headers=h)
ok(status(r) == 401, "the lock holds for the name in another case")
# a hostile user name is echoed into the form as text, with invalid UTF-8
# and a right-to-left override replaced
hostile = "<script>x</script>\"'`&\u202e"
r = post("/login", "name=" + urllib.parse.quote(hostile) + "%ff&password=x&csrf=" + tok, headers=h)
body = r.decode("utf-8", "replace")
ok(status(r) == 401 and 'value="&lt;script&gt;x&lt;/script&gt;&quot;&#39;&#96;&amp;\ufffd\ufffd"' in body
   and "<script>x" not in body and "\u202e" not in body, "a hostile user name comes back escaped",
   re.findall(r'name="name"[^>]*>', body))

# --- slow clients ---
t0 = time.monotonic()
s = connect()
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
closed_after = None
try:
    for _ in range(20):
        s.sendall(b"X-Slow: y\r\n")
        time.sleep(0.5)
        s.settimeout(0.01)
        try:
            if s.recv(1) == b"":
                closed_after = time.monotonic() - t0
                break
        except ssl.SSLWantReadError:
            pass
        except socket.timeout:
            pass
        s.settimeout(10)
except (OSError, ssl.SSLError):
    closed_after = time.monotonic() - t0
s.close()
ok(closed_after is not None and closed_after < 5, f"slowloris headers cut off after the "
   f"header time (closed after {closed_after})")
t0 = time.monotonic()
raw = socket.create_connection((HOST, PORT), timeout=10)
try:
    raw.recv(1)
except OSError:
    pass
dt = time.monotonic() - t0
raw.close()
ok(dt < 6, f"a TCP connection without a TLS handshake is closed ({dt:.1f} s)")
t0 = time.monotonic()
s = connect()
body_head = (f"POST /login HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/"
             "x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n").encode()
s.sendall(body_head)
closed_after = None
try:
    for _ in range(40):
        s.sendall(b"a")
        time.sleep(0.5)
except (OSError, ssl.SSLError):
    closed_after = time.monotonic() - t0
s.close()
ok(closed_after is not None and closed_after < 16, f"a slow body is cut off (after {closed_after})")

# --- connection limits ---
socks = []
refused = 0
for i in range(50):
    try:
        socks.append(connect())
    except (OSError, ssl.SSLError):
        refused += 1
for s in socks:
    try:
        s.sendall(f"GET /login HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    except OSError:
        pass
served = 0
for s in socks:
    s.settimeout(3)
    try:
        if s.recv(12).startswith(b"HTTP/1.1"):
            served += 1
    except (OSError, ssl.SSLError):
        pass
    s.close()
ok(served <= 40 and served + refused <= 50 and served >= 30,
   f"at most 40 connections from one address are served ({served} served)")
time.sleep(0.5)
ok(alive(), "the server still answers at the end")

done()
