#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""POST /api/v1/bundles with Transfer-Encoding: chunked (TAP output): a
body over the limit is answered 413 with the endpoint's JSON (as the
Content-Length case), and the spool never holds more than the limit, not
even while the rest of the body is still coming; a body past twice the
limit is cut off; a chunked bundle under the limit is stored (201).

Usage: hub_chunked.py PORT CERT SPOOL_DIR LIMIT BUNDLE
Requests go from 127.0.0.5 (the rate limit of the other addresses used by
h0020-serve.sh is not touched)."""
import json
import os
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web"))
from webtest import ok, done  # noqa: E402

PORT, CERT, SPOOL, LIMIT, BUNDLE = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                    int(sys.argv[4]), sys.argv[5])
PIECE = 64 * 1024


def connect():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(CERT)
    raw = socket.create_connection(("127.0.0.1", PORT), timeout=20,
                                   source_address=("127.0.0.5", 0))
    s = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
    s.sendall(b"POST /api/v1/bundles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    return s


def send(s, data):
    """data as chunks of PIECE bytes."""
    for i in range(0, len(data), PIECE):
        part = data[i:i + PIECE]
        s.sendall(b"%x\r\n" % len(part) + part + b"\r\n")


def answer(s):
    """(status, headers, body) of the answer; the connection is closed
    after it or it is read up to Content-Length."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1."):
        return None, {}, buf
    hdrs = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    want = int(hdrs.get("content-length", "-1"))
    while want < 0 or len(body) < want:
        d = s.recv(65536)
        if not d:
            break
        body += d
    return int(lines[0].split()[1]), hdrs, body


def spool_sizes():
    out = []
    for f in os.listdir(SPOOL):
        try:
            out.append(os.path.getsize(os.path.join(SPOOL, f)))
        except FileNotFoundError:
            pass
    return out


def spool_left():
    """The spool's files once the server is done with the request (it
    removes a request's file when the request ends, just after its
    answer)."""
    for _ in range(40):
        if not spool_sizes():
            break
        time.sleep(0.05)
    return spool_sizes()


# ---- over the limit: 413, JSON, nothing past the limit kept ----
st, hdrs, body, err = None, {}, b"", None
try:
    s = connect()
    send(s, b"x" * LIMIT)
    for _ in range(100):  # the server writes what it has read
        sizes = spool_sizes()
        if sizes and max(sizes) >= LIMIT:
            break
        time.sleep(0.05)
    ok(sizes and max(sizes) <= LIMIT, "the limit itself is spooled (no more)", sizes)
    send(s, b"x" * PIECE)  # now past the limit
    sizes = spool_left()
    ok(not sizes, "past the limit, the spool file is gone while the body still comes", sizes)
    send(s, b"y" * (LIMIT // 4))
    ok(all(n <= LIMIT for n in spool_sizes()), "no spool file over the limit at any time",
       spool_sizes())
    s.sendall(b"0\r\n\r\n")
    st, hdrs, body = answer(s)
    s.close()
except OSError as e:
    err = e
ok(st == 413, "a chunked body over the limit: 413", (st, err, body[:300]))
try:
    j = json.loads(body)
except ValueError:
    j = {}
ok(hdrs.get("content-type") == "application/json" and j.get("status") == "refused" and
   j.get("message_ja") and j.get("message_en"),
   "the 413 body is the endpoint's JSON, as for Content-Length", (hdrs, body[:300]))
ok(hdrs.get("connection", "").lower() == "close", "the connection is closed after the 413", hdrs)
ok(not spool_left(), "no spool file remains", spool_sizes())

# ---- past twice the limit: the server stops reading ----
s = connect()
cut = False
try:
    send(s, b"z" * (3 * LIMIT))
    s.sendall(b"0\r\n\r\n")
    st, _, _ = answer(s)
    cut = st is None
except OSError:
    cut = True
s.close()
ok(cut, "a chunked body past twice the limit is cut off (the connection is closed)")
ok(not spool_left(), "and nothing of it is spooled", spool_sizes())

# ---- under the limit: a chunked bundle is received as any other ----
with open(BUNDLE, "rb") as f:
    data = f.read()
st, body = None, b""
try:
    s = connect()
    send(s, data)
    s.sendall(b"0\r\n\r\n")
    st, _, body = answer(s)
    s.close()
except OSError as e:
    body = repr(e).encode()
try:
    j = json.loads(body)
except ValueError:
    j = {}
ok(st == 201 and j.get("status") == "accepted", "a chunked bundle under the limit: accepted (201)",
   (st, body[:300]))
ok(not spool_left(), "its spool file is removed afterwards", spool_sizes())
done()
