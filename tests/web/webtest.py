# SPDX-License-Identifier: MIT
"""What the Python web tests share: TAP output (ok, done), a browser-like
HTTPS client with cookies and the form's CSRF token, and TOTP codes.

tests/web/*.py import it from their own folder; tests/hub/*.py put
tests/web on sys.path first."""
import base64
import hashlib
import hmac
import re
import socket
import ssl
import struct
import sys
import time
import urllib.parse

n = 0
bad = 0


def ok(cond, name, info=""):
    global n, bad
    n += 1
    if cond:
        print(f"ok {n} - {name}", flush=True)
    else:
        bad += 1
        print(f"not ok {n} - {name}", flush=True)
        for line in str(info).splitlines()[:15]:
            print(f"#   {line}", flush=True)


def done():
    """The TAP plan, and exit 1 when a check failed."""
    print(f"1..{n}")
    sys.exit(1 if bad else 0)


def unverified_ctx():
    """For a self-signed certificate the test does not check."""
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def dechunk(b):
    out = b""
    while b:
        size, _, rest = b.partition(b"\r\n")
        k = int(size.split(b";")[0] or b"0", 16)
        if k == 0:
            break
        out += rest[:k]
        b = rest[k + 2:]
    return out


class Client:
    """One browser: its cookies and the last form's CSRF token. ctx() gives
    the TLS context; src is the loopback source address, sni the name sent."""

    def __init__(self, port, ctx, src=None, sni="127.0.0.1"):
        self.port = port
        self.ctx = ctx
        self.src = src
        self.sni = sni
        self.jar = {}
        self.csrf = None
        self.headers = []

    def request(self, method, path, body=b""):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=20,
                                     source_address=(self.src, 0) if self.src else None)
        s = self.ctx().wrap_socket(s, server_hostname=self.sni)
        ck = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Connection: close\r\nOrigin: https://127.0.0.1:{self.port}\r\n")
        if ck:
            head += f"Cookie: {ck}\r\n"
        if method == "POST":
            head += ("Content-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {len(body)}\r\n")
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (OSError, ssl.SSLError):
            pass
        s.close()
        headp, _, bodyp = data.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", headp)
        hdrs = headp.decode("latin-1").split("\r\n")[1:]
        for h in hdrs:
            if h.lower().startswith("set-cookie:"):
                k, _, rest = h.split(":", 1)[1].strip().partition("=")
                v = rest.split(";", 1)[0]
                if "Max-Age=0" in rest or v == "":
                    self.jar.pop(k, None)
                else:
                    self.jar[k] = v
        self.headers = hdrs
        loc = [h.split(":", 1)[1].strip() for h in hdrs if h.lower().startswith("location:")]
        if b"Transfer-Encoding: chunked" in headp:
            bodyp = dechunk(bodyp)
        text = bodyp.decode("utf-8", "replace")
        t = re.search(r'name="csrf" value="([^"]+)"', text)
        if t:
            self.csrf = t.group(1)
        return (int(m.group(1)) if m else None, loc[0] if loc else None, text, bodyp)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, csrf=True):
        if csrf:
            self.get(path)  # the form's token for the session as it is now
            fields = dict(fields, csrf=self.csrf)
        return self.request("POST", path, urllib.parse.urlencode(fields).encode())

    def login(self, name, pw):
        self.get("/login")
        return self.post("/login", {"name": name, "password": pw})


def totp(secret, step):
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


class Codes:
    """Fresh TOTP codes: a step the server accepts (now or the next) that
    this user has not used yet."""

    def __init__(self):
        self.used = {}

    def fresh(self, who, secret):
        while True:
            now = int(time.time()) // 30
            for s in (now, now + 1):
                if s > self.used.get(who, 0):
                    self.used[who] = s
                    return totp(secret, s)
            time.sleep(1)
