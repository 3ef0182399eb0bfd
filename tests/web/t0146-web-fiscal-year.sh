#!/bin/sh
# The web UI on April 1st with answers of the previous fiscal year: the
# dashboard and the item page say they are to re-check because of the
# fiscal year (not because of an older edition).
export ANZEN_TODAY=2026-04-01
. "$(dirname "$0")/lib.sh"
ANZEN_TODAY=2025-11-24 "$ANZEN" demo -o "$W/ws" >/dev/null
sed -i -e 's/checked: 2025-06-02/checked: 2026-03-10/' -e 's/target: 2025-[0-9-]*/target: 2026-03-31/' "$W/ws/answers.yaml"
start_server "$W/ws"
python3 - "$PORT" "$SETUP_CODE" <<'PY'
import base64, hashlib, hmac, http.client, re, ssl, struct, sys, time, urllib.parse
PORT, SETUP = int(sys.argv[1]), sys.argv[2]
CTX = ssl._create_unverified_context()
jar = {}
n = bad = 0
def ok(c, name):
    global n, bad
    n += 1
    bad += not c
    print(("ok" if c else "not ok") + f" {n} - {name}", flush=True)
def send(method, path, form=None):
    c = http.client.HTTPSConnection("127.0.0.1", PORT, context=CTX, timeout=60)
    h = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items() if v), "Origin": f"https://127.0.0.1:{PORT}"}
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
def csrf(p):
    return re.search(r'name="csrf" value="([^"]+)"', p).group(1)
def totp(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000)
PW = "correct horse battery staple"
_, p = send("GET", "/setup")
send("POST", "/setup", {"csrf": csrf(p), "code": SETUP, "name": "admin", "display": "管理者",
                        "password": PW, "password2": PW, "role": "planning"})
_, p = send("GET", "/mfa")
secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', p).group(1)
send("POST", "/mfa", {"csrf": csrf(p), "action": "enrol", "code": totp(secret, int(time.time() // 30))})
st, p = send("GET", "/")
ok(st == 200 and "前年度以前に確認したため今年度確認し直す回答" in p, "dashboard: to re-check because of the fiscal year")
ok("前の版から引き継いだ" not in p, "dashboard: not called carried from an edition")
st, p = send("GET", "/assess?item=" + urllib.parse.quote("cl-r7.h.security-lead"))
ok(st == 200 and "前年度以前に確認した回答です" in p, "item page: why it is to re-check")
print(f"1..{n}")
sys.exit(1 if bad else 0)
PY
