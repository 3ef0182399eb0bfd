#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sign-in throttling, account recovery and the audit log of anzen serve
(TAP output).

Usage: lockout.py PORT WORKSPACE_DIR SETUP_CODE

Two clients on two loopback addresses: the clinic's staff on 127.0.0.1 and
an attacker on 127.0.0.2 (Linux routes all of 127.0.0.0/8 to lo, so a
client can bind its source address there). The attacker's failures must
not keep anyone else out; the per-address limit must hold the attacker;
an administrator lifts the limits in the users page; the CLI resets a
password, resets 2FA and disables an account while the server runs; the
audit log page is in JST with Japanese labels, filters and exports CSV."""
import csv
import io
import os
import re
import stat
import subprocess
import sys
import time

import webtest
from webtest import ok, done

PORT = int(sys.argv[1])
WS = sys.argv[2]
SETUP = sys.argv[3]
ANZEN = os.environ["ANZEN"]
PW = "correct horse battery staple"
BOB_PW = "tall pass phrase number 1"
tls_ctx = webtest.unverified_ctx


class Client(webtest.Client):
    """One browser on one loopback address, with its cookies."""

    def __init__(self, src):
        super().__init__(PORT, tls_ctx, src=src, sni="localhost")


codes = webtest.Codes()
used_step = codes.used
fresh_code = codes.fresh


def cli(*args, stdin=None):
    p = subprocess.run([ANZEN, *args, "-w", os.path.join(WS, "anzen.db")], input=stdin,
                       capture_output=True, text=True, cwd=WS)
    return p.returncode, p.stdout, p.stderr


staff = Client("127.0.0.1")
evil = Client("127.0.0.2")

# ---- first run: the setup code is rate-limited per address ----
wrong = "00000000" if SETUP != "00000000" else "11111111"
form = {"code": wrong, "name": "admin", "display": "管理者", "role": "planning",
        "password": PW, "password2": PW}
evil.get("/setup")
codes = [evil.post("/setup", form)[0] for _ in range(6)]
ok(codes[:5] == [400] * 5 and codes[5] == 429,
   "wrong setup codes: 400 five times, then 429 (waiting)", codes)
st, loc, text, _ = evil.post("/setup", dict(form, code=SETUP))
ok(st == 429 and "試行が多すぎます" in text,
   "while waiting, even the right setup code from that address is refused", (st, text[:300]))
staff.get("/setup")
# a display name longer than the stored field is refused at setup too
LONG = "医療法人社団さくら会情報システム担当" * 5
st, _, text, _ = staff.post("/setup", dict(form, code=SETUP, display=LONG))
ok(st == 400 and "表示名が長すぎます" in text, "setup refuses a display name over 128 bytes",
   (st, text[:300]))
st, loc, _, _ = staff.post("/setup", dict(form, code=SETUP))
ok(st == 303 and loc == "/mfa", "the right setup code from another address creates the admin",
   (st, loc))
st, _, text, _ = staff.get("/mfa")
secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', text).group(1)
st, _, text, _ = staff.post("/mfa", {"code": fresh_code("admin", secret)})
ok(st == 200 and "回復コード" in text or "recovery" in text, "the admin enrols 2FA", (st, text[:200]))
admin = staff  # this session stays signed in as the administrator
st, _, text, _ = admin.get("/admin/users")
st, _, text, _ = admin.post("/admin/users", {"action": "create", "name": "bob", "display": "ボブ",
                                             "role": "operations", "password": BOB_PW})
ok(st == 200 and "追加しました" in text, "the admin adds bob (no 2FA)",
   re.findall(r'role="status">([^<]*)<', text))
# a display name longer than the stored field is refused whole (it was cut
# inside a character, and the user then vanished from the list)
st, _, text, _ = admin.post("/admin/users", {"action": "create", "name": "erin", "display": LONG,
                                             "role": "viewer", "password": BOB_PW})
ok(st == 400 and "表示名が長すぎます" in text and LONG in text,
   "a display name over 128 bytes is refused, named whole", (st, text[:300]))
st, _, text, _ = admin.get("/admin/users")
ok(st == 200 and "ボブ" in text and "erin" not in text, "and no user erin was added", st)

# ---- the attacker on 127.0.0.2 ----
for i in range(8):
    st, _, _, _ = evil.login("admin", f"wrong-password-{i}")
st, _, text, _ = evil.login("admin", PW)
ok(st == 401, "after 5 failures, the attacker's address gets nothing for the admin, "
   "not even with the right password", st)
sign = Client("127.0.0.1")
st, loc, _, _ = sign.login("admin", PW)
ok(st == 303 and loc == "/login/mfa", "the admin's right password from 127.0.0.1 still works", loc)
st, loc, _, _ = sign.post("/login/mfa", {"code": fresh_code("admin", secret)})
ok(st == 303 and loc == "/", "…and the right code signs the admin in", (st, loc))
for i in range(5):
    evil.login("bob", f"not-bobs-password-{i}")
st, _, _, _ = evil.login("bob", BOB_PW)
ok(st == 401, "bob from the attacker's address is held back too", st)
st, loc, _, _ = Client("127.0.0.1").login("bob", BOB_PW)
ok(st == 303 and loc == "/", "bob from his own address signs in", (st, loc))
# (the first wait is 30 s: look right away)
st, _, text, _ = admin.get("/admin/users")
ok(re.search(r"<td>bob</td>(?:(?!</tr>).)*ログイン制限中", text, re.S) is not None,
   "the users page marks bob as throttled", text[-2500:])
st, _, text, _ = admin.post("/admin/users", {"action": "unlock", "user": "bob"})
ok(st == 200 and "変更しました" in text and
   re.search(r"<td>bob</td>(?:(?!</tr>).)*ログイン制限中", text, re.S) is None,
   "the admin unlocks bob in the users page", re.findall(r'role="status">([^<]*)<', text))
st, loc, _, _ = evil.login("bob", BOB_PW)
ok(st == 303 and loc == "/", "once unlocked, bob signs in from 127.0.0.2", (st, loc))
# spread over many names: the per-address limit (30 failures) stops the address
evil = Client("127.0.0.2")  # signed out again
for i in range(30):
    evil.login(f"guess{i}", "whatever-it-may-be")
st, _, _, _ = evil.login("bob", BOB_PW)
ok(st == 401, "after 30 failures over many names, 127.0.0.2 gets nothing, even for bob", st)
st, loc, _, _ = Client("127.0.0.1").login("bob", BOB_PW)
ok(st == 303 and loc == "/", "bob still signs in from 127.0.0.1", (st, loc))
st, _, text, _ = admin.get("/admin/users")
ok('id="blocked-addrs"' in text and "127.0.0.2" in text,
   "the users page lists the throttled address 127.0.0.2", text[-1500:])
st, _, text, _ = admin.post("/admin/users", {"action": "unlock-addr", "addr": "127.0.0.2"})
ok(st == 200 and 'id="blocked-addrs"' not in text, "the admin lifts the limit on 127.0.0.2",
   text[:300])
evil = Client("127.0.0.2")
st, loc, _, _ = evil.login("bob", BOB_PW)
ok(st == 303 and loc == "/", "after the address unlock, bob signs in from 127.0.0.2", (st, loc))

# ---- 70 tries at one account make a handful of log rows ----
ham = Client("127.0.0.3")
t0 = time.monotonic()
for i in range(70):
    ham.login("hammered", f"guess-{i}")
dt = time.monotonic() - t0

# ---- forged and forbidden requests are logged ----
st, _, _, _ = Client("127.0.0.2").post("/login", {"name": "bob", "password": "x"}, csrf=False)
ok(st == 403, "a POST without the CSRF token: 403", st)
bobc = Client("127.0.0.1")
bobc.login("bob", BOB_PW)
st, _, _, _ = bobc.get("/admin/audit")
ok(st == 403, "bob (not an administrator) cannot open the audit log", st)

# ---- /account: the current-password check is rate-limited ----
bobc.get("/account")
codes = [bobc.post("/account", {"old": f"wrong-{i}", "password": "a new long pass phrase 2",
                                "password2": "a new long pass phrase 2"})[0] for i in range(6)]
ok(codes[:5] == [400] * 5 and codes[5] == 429, "wrong current passwords: 400 ×5, then 429",
   codes)
st, _, text, _ = bobc.post("/account", {"old": BOB_PW, "password": "a new long pass phrase 2",
                                        "password2": "a new long pass phrase 2"})
ok(st == 429, "while waiting, even the right current password is refused", st)

# ---- the CLI: reset-password, reset-mfa, disable ----
rc, out, err = cli("user", "list", "--format", "json")
ok(rc == 0 and '"bob"' in out and "argon2" not in out, "anzen user list (json)", out + err)
rc, out, err = cli("user", "reset-password", "bob", "--password-stdin",
                   stdin="tall pass phrase number 3\n")
ok(rc == 0, "anzen user reset-password bob --password-stdin", out + err)
st, _, _, _ = bobc.get("/")
ok(st == 303, "bob's old session ended with the reset", st)
st, loc, _, _ = Client("127.0.0.1").login("bob", BOB_PW)
ok(st == 401, "the old password no longer works", st)
st, loc, _, _ = Client("127.0.0.1").login("bob", "tall pass phrase number 3")
ok(st == 303 and loc == "/", "the new password signs bob in", (st, loc))
rc, out, err = cli("user", "reset-password", "bob", "--temporary")
tmp = re.search(r": (\S+)\n", out)
ok(rc == 0 and tmp, "anzen user reset-password --temporary prints a one-time password", out + err)
rc, out, err = cli("user", "list", "--format", "json")
ok('"must_change": true' in out.replace('":true', '": true'),
   "anzen user list shows that bob must change the password", out)
rc, out, err = cli("audit", "log", "--event", "password-reset", "--user", "bob", "--format", "json")
ok(rc == 0 and "must_change" in out, "the reset's change-log entry records the temporary password",
   out[-600:] + err)
tc = Client("127.0.0.1")
st, loc, _, _ = tc.login("bob", tmp.group(1) if tmp else "-")
ok(st == 303, "the temporary password signs bob in", st)
moved = [tc.get(p)[:2] for p in ("/", "/plan", "/ledger", "/records")]
ok(all(m == (303, "/account") for m in moved),
   "with a temporary password every page leads to /account", moved)
st, _, text, _ = tc.get("/account")
ok(st == 200 and 'id="must-change"' in text and "一時パスワード" in text,
   "/account asks for a new password", text[-800:])
st, _, text, _ = tc.post("/account", {"old": tmp.group(1), "password": tmp.group(1),
                                      "password2": tmp.group(1)})
ok(st == 400 and "一時パスワードとは別" in text, "the temporary password cannot be kept", st)
BOB_PW3 = "a quiet river bend at dawn 5"
st, _, text, _ = tc.post("/account", {"old": tmp.group(1), "password": BOB_PW3,
                                      "password2": BOB_PW3})
ok(st == 200 and 'id="must-change"' not in text, "bob sets his own password", (st, text[-600:]))
st, loc, _, _ = tc.get("/")
ok(st == 200, "and can use the other pages again", (st, loc))
rc, out, err = cli("user", "list", "--format", "json")
ok(rc == 0 and "must_change" not in out, "the flag is cleared", out)
rc, out, err = cli("user", "reset-mfa", "admin")
ok(rc == 0, "anzen user reset-mfa admin", out + err)
again = Client("127.0.0.1")
st, loc, _, _ = again.login("admin", PW)
ok(st == 303 and loc == "/mfa", "after reset-mfa the admin must enrol again", (st, loc))
st, _, text, _ = again.get("/mfa")
m = re.search(r'id="totp-secret">([A-Z2-7]+)<', text)
ok(m and m.group(1) != secret, "a new secret is offered")
if m:
    used_step["admin2"] = used_step.get("admin", 0)
    st, _, text, _ = again.post("/mfa", {"code": fresh_code("admin2", m.group(1))})
    ok(st == 200 and "回復コード" in text, "the admin enrols the new secret", (st, text[:300]))
    st, _, _, _ = again.get("/")
    ok(st == 200, "and is signed in", st)
    admin = again
rc, out, err = cli("user", "disable", "bob")
ok(rc == 0, "anzen user disable bob", out + err)
st, _, _, _ = Client("127.0.0.1").login("bob", BOB_PW3)
ok(st == 401, "a disabled user cannot sign in", st)
rc, out, err = cli("user", "unlock", "admin")
ok(rc == 0 and "解除" in out, "anzen user unlock admin", out + err)
rc, out, err = cli("user", "reset-password", "nobody", "--password-stdin", stdin="x" * 20 + "\n")
ok(rc == 1 and "nobody" in err, "an unknown user is an error naming it", err)
rc, out, err = cli("user", "reset-password", "admin", "--password-stdin", stdin="short\n")
ok(rc == 1 and "admin" not in out, "a weak password is refused", out + err)

# a hostile name (invalid UTF-8, markup, a formula) in a failed sign-in
h = Client("127.0.0.5")
h.get("/login")
h.request("POST", "/login", b"name=%3Cb%3E%3D1%2B1%ff%fe&password=x&csrf=" + h.csrf.encode())

# ---- the audit log page ----
st, _, text, _ = admin.get("/admin/audit")
ok(st == 200 and "日時 (日本時間)" in text, "the audit log says its times are JST", st)
times = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", text)
ok(times, "times are shown as YYYY-MM-DD HH:MM:SS", text[:500])
if times:
    import datetime
    jst = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9)))
    shown = datetime.datetime.strptime(times[0], "%Y-%m-%d %H:%M:%S")
    ok(abs((shown - jst.replace(tzinfo=None)).total_seconds()) < 600,
       "the newest time is now in Japan (+09:00)", (times[0], jst))
for label in ("ログイン失敗", "ログイン制限の開始", "ログイン制限の解除", "パスワードの再設定",
              "二要素認証のリセット", "初回設定コードの誤り", "不正な送信の拒否",
              "権限のない操作の拒否", "利用停止"):
    ok(label in text, f"the audit log shows the label {label}")
st, _, text, _ = admin.get("/admin/audit?user=hammered")
rows = re.findall(r"<tr><td>\d+</td>", text)
ok(0 < len(rows) <= 15, f"70 tries at one account are {len(rows)} log rows ({dt:.1f} s)")
ok("64 回目" in text, "the rows carry the count of tries (…64 回目)", text[-1500:])
ok("127.0.0.3 から" in text, "and the address they came from")
details = re.findall(r'<span class="detail">([^<]*)</span>', text)
ok(details and not any(re.search(r"count|throttled|unknown user|this address|\{", d)
                       for d in details),
   "the detail column is Japanese (no English tokens, no raw JSON)", details[:8])
st, _, text, _ = admin.get("/admin/audit?event=login-failed")
events = re.findall(r'<code class="event">([a-z-]+)</code>', text)
ok(events and set(events) == {"login-failed"}, "filter by event", set(events))
st, _, text, _ = admin.get("/admin/audit?user=bob")
objs = re.findall(r"<tr><td>\d+</td><td>[^<]*</td><td>([^<]*)</td><td>[^<]*<code[^>]*>[^<]*</code>"
                  r"</td><td>([^<]*)</td>", text)
ok(objs and all(w.lower() == "bob" or o.lower() == "user:bob" for w, o in objs),
   "filter by user", objs[:5])
st, _, text, _ = admin.get("/admin/audit?from=2000-01-01&to=2000-01-02")
ok(st == 200 and "<tbody>\n</tbody>" in text, "filter by date (nothing in 2000)", text[-800:])
st, _, text, _ = admin.get("/admin/audit?from=bad-date")
ok(st == 200 and "YYYY-MM-DD" in text, "a bad date is an error message, not a crash")
st, _, text, _ = admin.get("/admin/audit?event=login-failed")
ok(st == 200 and "&lt;b&gt;=1+1" in text and "<b>=1" not in text,
   "a hostile name is shown escaped", re.findall(r"user:&lt;b[^<]*", text))
st, _, _, raw = admin.get("/admin/audit?event=login-failed&format=csv")
ok(st == 200 and raw.startswith(b"\xef\xbb\xbf"), "the CSV export starts with a UTF-8 BOM", raw[:40])
try:
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    ok(rows[0][:3] == ["番号", "日時 (JST)", "利用者"], "the CSV has a header row", rows[0])
    ok(len(rows) > 1 and all(r[4] == "login-failed" for r in rows[1:]),
       "the CSV holds the filtered entries", rows[:3])
except UnicodeDecodeError as e:
    ok(False, "the CSV is valid UTF-8", e)

# paging: 100 a page, the next page older, with the filters kept
for i in range(60):
    Client("127.0.0.4").post("/login", {"name": "pager", "password": "x"}, csrf=False)
st, _, text, _ = admin.get("/admin/audit")
ids = [int(x) for x in re.findall(r"<tr><td>(\d+)</td>", text)]
older = re.search(r'href="(/admin/audit\?[^"]*)" id="audit-older"', text)
ok(len(ids) == 100 and older, "the audit log shows 100 entries and a link to older ones",
   (len(ids), older))
if older:
    st, _, text2, _ = admin.get(older.group(1).replace("&amp;", "&"))
    ids2 = [int(x) for x in re.findall(r"<tr><td>(\d+)</td>", text2)]
    ok(ids2 and max(ids2) < min(ids) and ids2 == sorted(ids2, reverse=True),
       "the next page holds the older entries, newest first", (ids[-1], ids2[:3]))
st, _, text, _ = admin.get("/admin/audit?event=csrf-denied")
more = re.search(r'href="(/admin/audit\?[^"]*)" id="audit-csv"', text)
ok(more and "event=csrf-denied" in more.group(1), "the CSV link keeps the filter",
   more.group(1) if more else text[-500:])
# the English UI
admin.get("/lang?to=en")
st, _, text, _ = admin.get("/admin/audit")
ok("When (JST, +09:00)" in text and "Sign-in failed" in text and "ログイン失敗" not in text,
   "with the English UI the labels are English", text[:300])
details = re.findall(r'<span class="detail">([^<]*)</span>', text)
ok(any(re.search(r"^(unknown user; )?try \d+; from 127\.0\.0\.\d+$", d) for d in details) and
   not any("回目" in d or "から" in d for d in details),
   "with the English UI the details are English", details[:8])
st, _, text, _ = admin.get("/admin/audit?event=password-check-throttled")
text = text.partition("<tbody>")[2]
ok("Password check refused (throttled)" in text and "current password check" in text and
   "Sign-in refused" not in text,
   "a refused current-password check has its own event, not a sign-in refusal", text[-1200:])
admin.get("/lang?to=ja")
st, _, text, _ = admin.get("/admin/audit?event=password-check-throttled")
text = text.partition("<tbody>")[2]
ok("パスワード確認の拒否 (制限中)" in text and "今のパスワードの確認" in text and
   "ログイン拒否" not in text, "…in Japanese too", text[-1200:])

# ---- the users page: an administrator resets a password (bb2 #12) ----
CAROL_PW = "a green kettle on the stove 7"
st, _, text, _ = admin.post("/admin/users", {"action": "create", "name": "carol",
                                             "display": "キャロル", "role": "operations",
                                             "password": CAROL_PW})
ok(st == 200 and "追加しました" in text, "the admin adds carol", st)
ok(re.search(r"<td>carol</td>(?:(?!</tr>).)*次のサインインで変更が必要", text, re.S) is None,
   "a new user is not marked 'must change'")
CAROL_PW2 = "seven lanterns over the harbour 8"
st, loc, text, _ = admin.post("/admin/users", {"action": "reset-password", "user": "carol",
                                               "password": CAROL_PW2})
ok(st == 303 and loc == "/admin/users?reset=carol",
   "a password reset on the users page answers 303 back to the users page", (st, loc))
st, _, text, _ = admin.get(loc or "/admin/users?reset=carol")
ok(st == 200 and "carol のパスワードを再設定しました" in text and "次のサインインで変更が必要です" in text,
   "the users page confirms the reset", re.findall(r'role="status">([^<]*)<', text))
ok(re.search(r"<td>carol</td>(?:(?!</tr>).)*次のサインインで変更が必要", text, re.S) is not None,
   "carol's row is marked 'must change at next sign-in'", text[-2500:])
ok(re.search(r"<td>admin</td>(?:(?!</tr>).)*次のサインインで変更が必要", text, re.S) is None,
   "the admin's row is not")
st, _, text, _ = admin.get("/admin/users?reset=admin")
ok(st == 200 and "再設定しました" not in text,
   "?reset= of a user who need not change the password says nothing", st)
st, _, text, _ = admin.get("/admin/users?reset=%3Cb%3Enobody")
ok(st == 200 and "再設定しました" not in text and "<b>nobody" not in text,
   "?reset= of an unknown name says nothing", st)
admin.get("/lang?to=en")
st, _, text, _ = admin.get("/admin/users?reset=carol")
ok("The password of carol was reset" in text and "must change at next sign-in" in text,
   "…in English too", re.findall(r'role="status">([^<]*)<', text))
admin.get("/lang?to=ja")
st, loc, _, _ = Client("127.0.0.1").login("carol", CAROL_PW2)
ok(st == 303, "carol signs in with the reset password", (st, loc))
st, _, _, raw = admin.get("/admin/audit?format=csv")
cells = [c for r in csv.reader(io.StringIO(raw[3:].decode("utf-8"))) for c in r]
ok("'-" not in cells, "the audit CSV writes no lone dash as '-",
   [c for c in cells if c.startswith("'")][:5])

# ---- files holding secrets are 0600 ----
for f in ("anzen.db", "anzen.db-wal", "anzen.db-shm", "anzen.db.key", "anzen-tls.key"):
    p = os.path.join(WS, f)
    mode = stat.S_IMODE(os.stat(p).st_mode) if os.path.exists(p) else None
    ok(mode == 0o600, f"{f} is 0600", oct(mode) if mode is not None else "missing")

# ---- the chain is intact after all that ----
rc, out, err = cli("audit", "verify")
ok(rc == 0, "anzen audit verify: the log is intact", out + err)

done()
