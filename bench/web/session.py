#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Create the administrator on a fresh `anzen serve`, enrol TOTP and print
the signed-in session cookie (for bench/web/run.sh).
Usage: session.py PORT SETUP_CODE"""
import hashlib
import hmac
import http.client
import re
import ssl
import struct
import sys
import time
import urllib.parse
import base64

port, code = int(sys.argv[1]), sys.argv[2]
ctx = ssl._create_unverified_context()
jar = {}


def req(method, path, form=None):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
    h = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items() if v)}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body, h)
    r = c.getresponse()
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            jar[name] = rest.split(";", 1)[0]
    data = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, data


def csrf(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


pw = "correct horse battery staple"
_, page = req("GET", "/setup")
st, _ = req("POST", "/setup", {"csrf": csrf(page), "code": code, "name": "admin",
                               "password": pw, "password2": pw, "role": "planning"})
_, page = req("GET", "/mfa")
secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
key = base64.b32decode(secret + "=" * (-len(secret) % 8))
mac = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
o = mac[-1] & 15
totp = (struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000
st, _ = req("POST", "/mfa", {"csrf": csrf(page), "action": "enrol", "code": f"{totp:06d}"})
st, page = req("GET", "/")
if st != 200 or 'id="total"' not in page:
    sys.exit(f"session.py: no dashboard ({st})")
print(f"__Host-anzen={jar['__Host-anzen']}")
