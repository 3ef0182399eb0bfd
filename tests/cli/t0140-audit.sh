#!/bin/sh
# anzen audit: prepared Linux roots with known misconfigurations give the
# exact expected results; this machine is audited (exit status sane, JSON
# valid); the Windows fixture PCs give their expected results, and every
# rule is covered by a passing and a failing fixture; exceptions are shown,
# expire, and never pass silently; saved results reach plan and report.
. "$(dirname "$0")/lib.sh"
W="$TEST_DATA/audit/windows"
AS="--as-of 2026-11-25"
sh "$TEST_DATA/audit/mkroot.sh" good "$T/good"
sh "$TEST_DATA/audit/mkroot.sh" bad "$T/bad"
cp -a "$T/bad" "$T/nobackup" && rm "$T/nobackup/etc/cron.d/backup"

expect_results() { # file, python dict literal of id -> result
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = eval(sys.argv[2])
got = {r["id"]: r["result"] for r in d["results"]}
for k, v in want.items():
    assert got.get(k) == v, (k, got.get(k), v)
PY
}

run "$ANZEN" $AS audit run --root "$T/good" --format json
expect_rc 0 "a well-kept server passes"
cp "$T/out" "$T/good.json"
if expect_results "$T/good.json" '{
 "linux.security-updates-dnf": "n/a",
 **{r: "pass" for r in ["linux.security-updates", "linux.uid0","linux.sudo-nopasswd","linux.empty-password",
   "linux.inactive-lock","linux.pass-min-len","linux.password-history","linux.lockout",
   "linux.last-update","linux.usb-storage","linux.mfa","linux.journal-persistent",
   "linux.auditd","linux.log-forwarding","linux.listening","linux.sshd-root",
   "linux.sshd-password","linux.firewall","linux.luks","linux.time-sync",
   "linux.backup-job","linux.backup-age"]}}'; then ok "good root: every result as expected"; else not_ok "good root results"; fi

run "$ANZEN" $AS audit run --root "$T/bad" --format json
expect_rc 2 "a misconfigured server fails"
cp "$T/out" "$T/bad.json"
if expect_results "$T/bad.json" '{
 "linux.security-updates-dnf": "n/a",
 "linux.backup-job": "pass",
 **{r: "fail" for r in ["linux.security-updates", "linux.uid0","linux.sudo-nopasswd","linux.empty-password",
   "linux.inactive-lock","linux.pass-min-len","linux.password-history","linux.lockout",
   "linux.last-update","linux.usb-storage","linux.mfa","linux.journal-persistent",
   "linux.auditd","linux.log-forwarding","linux.listening","linux.sshd-root",
   "linux.sshd-password","linux.firewall","linux.luks","linux.time-sync",
   "linux.backup-age"]}}'; then ok "bad root: every result as expected"; else not_ok "bad root results"; fi
python3 - "$T/bad.json" <<'PY' && ok "raw values kept as evidence, findings carry topics" || not_ok "evidence"
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["id"]: x for x in d["results"]}
vals = lambda i: [e.get("value") for e in r[i]["evidence"]]
assert "toor:x:0:0:backdoor:/root:/bin/bash" in vals("linux.uid0"), vals("linux.uid0")
assert "6" in vals("linux.pass-min-len"), vals("linux.pass-min-len")
assert "yes" in vals("linux.sshd-root"), vals("linux.sshd-root")
age = [float(e["value"]) for e in r["linux.backup-age"]["evidence"] if e.get("what") == "age-days"]
assert age and 84 < age[0] < 86, age
assert d["host"]["name"] == "reception-srv" and d["host"]["macs"] == ["52:54:00:ab:cd:ef"]
f = {x["rule"]: x for x in d["findings"]}
assert f["linux.uid0"]["topics"] == ["h:access-rights"] and f["linux.uid0"]["host"] == "reception-srv"
assert f["linux.usb-storage"]["check"] == "audit" and "linux.backup-job" not in f
assert "openssl 3.0.15-1~deb12u1 -> 3.0.17-1~deb12u2" in vals("linux.security-updates"), vals("linux.security-updates")
assert d["counts"] == {"pass": 1, "fail": 21, "unknown": 0, "excepted": 0, "n/a": 1}, d["counts"]
PY
run "$ANZEN" $AS audit run --root "$T/bad"
expect_out "✗ linux.pass-min-len" "text output marks failures"
expect_out "[2-⑦]" "text output names the checklist item"
run "$ANZEN" $AS --lang en audit run --root "$T/bad"
expect_out "Minimum password length is under 8" "English titles with --lang en"

# without root: what cannot be read is unknown, never a pass
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
    cp -a "$T/bad" "$T/noperm"
    chmod 600 "$T/noperm/etc/shadow"
    chmod 700 "$T/noperm/etc/sudoers.d"
    chmod 755 "$T"
    run setpriv --reuid=65534 --regid=65534 --clear-groups "$ANZEN" $AS audit run --root "$T/noperm" --format json
    python3 - "$T/out" <<'PY' && ok "as nobody: shadow and sudoers.d are unknown" || not_ok "non-root unknowns"
import json, sys
r = {x["id"]: x["result"] for x in json.load(open(sys.argv[1]))["results"]}
assert r["linux.empty-password"] == "unknown" and r["linux.sudo-nopasswd"] == "unknown", r
assert r["linux.uid0"] == "fail"
PY
    run setpriv --reuid=65534 --regid=65534 --clear-groups "$ANZEN" audit run
    expect_out "root 権限が必要です" "as nobody on this machine: says root is needed"
else
    ok "# SKIP not root or no setpriv"
    ok "# SKIP not root or no setpriv"
fi

# this machine: runs read-only, exit 0 or 2, valid JSON
run "$ANZEN" audit run --format json
if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then ok "this machine: exit $rc"; else not_ok "this machine: exit $rc"; cat "$T/err"; fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="anzen-audit/1" and d["platform"]=="linux" and len(d["results"])>=20' "$T/out" \
    && ok "this machine: valid JSON" || not_ok "this machine JSON"

# Windows fixtures
run "$ANZEN" $AS audit import "$W/PC-01.json" --format json
expect_rc 0 "PC-01 (well kept, Japanese locale) passes"
run "$ANZEN" $AS audit import "$W/PC-02.json"
expect_rc 2 "PC-02 fails"
expect_out "✗ win.usb-storage" "PC-02: USB storage usable"
run "$ANZEN" $AS audit import "$W/PC-03.json" --format json
expect_rc 2 "PC-03 (collected without admin rights)"
python3 - "$T/out" <<'PY' && ok "PC-03: what the collector could not read is unknown" || not_ok "PC-03 unknowns"
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["id"]: x["result"] for x in d["results"]}
for k in ["win.password-length", "win.password-history", "win.lockout", "win.bitlocker", "win.audit-logon"]:
    assert r[k] == "unknown", (k, r[k])
assert r["win.usb-storage"] == "pass" and r["win.mfa"] == "fail", r
assert len(d["collector_errors"]) == 3
PY
run "$ANZEN" $AS audit import "$W/SRV-01.json" --format json
python3 - "$T/out" <<'PY' && ok "SRV-01 (English server): third-party AV, Deny_All, smart card, NLA" || not_ok "SRV-01"
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["id"]: x["result"] for x in d["results"]}
want = {"win.antivirus": "pass", "win.usb-storage": "pass", "win.mfa": "pass", "win.rdp-nla": "pass",
        "win.password-history": "fail", "win.patches": "fail", "win.bitlocker": "fail",
        "win.listening": "fail", "win.admins": "pass"}
for k, v in want.items():
    assert r[k] == v, (k, r[k], v)
PY

# an enabled account that never logged on is unused (PC-01 plus one)
python3 - "$W/PC-01.json" never.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8-sig"))
d["users"].append({"name": "新人", "sid": "S-1-5-21-1-2-3-1009", "enabled": True, "admin": False,
                   "builtin": None, "password_required": True, "last_logon": None, "last_logon_days": None})
open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(d, ensure_ascii=False))
PY
run "$ANZEN" $AS audit import never.json
expect_rc 2 "never-used account"
expect_out "✗ win.unused-accounts" "an enabled account that never logged on fails unused-accounts"

# every rule has a passing and a failing fixture
run "$ANZEN" audit list --format json
cp "$T/out" "$T/rules.json"
for f in "$W"/*.json; do "$ANZEN" $AS audit import "$f" --format json >"$T/w-$(basename "$f")" || true; done
"$ANZEN" $AS audit run --root "$T/nobackup" --format json >"$T/w-nobackup.json" || true
python3 - "$T/rules.json" "$T/good.json" "$T/bad.json" "$T"/w-*.json <<'PY' && ok "every rule covered by a passing and a failing fixture" || not_ok "rule coverage"
import json, sys
rules = [r["id"] for r in json.load(open(sys.argv[1]))]
seen = {}
for p in sys.argv[2:]:
    for r in json.load(open(p))["results"]:
        seen.setdefault(r["id"], set()).add(r["result"])
# commands never run under --root: dnf's rule does not apply on Debian
skip = {"linux.security-updates-dnf"}
missing = [r for r in rules if r not in skip and not {"pass", "fail"} <= seen.get(r, set())]
assert not missing, missing
assert len(rules) >= 40
PY

# the collector script
run "$ANZEN" audit windows-script -o collect.ps1
expect_rc 0 "windows-script writes the collector"
python3 - collect.ps1 <<'PY' && ok "collector: BOM, CRLF, read-only cmdlets only" || not_ok "collector"
import re, sys
b = open(sys.argv[1], "rb").read()
assert b.startswith(b"\xef\xbb\xbf") and b"\r\n" in b and b"\n" not in b.replace(b"\r\n", b"")
t = b.decode("utf-8-sig")
assert "schema = 'anzen-collect/1'" in t and "secedit.exe /export" in t and "auditpol.exe /get /category:* /r" in t
# nothing that changes the machine (the only removal is secedit's temp file)
bad = re.findall(r"\b(Set-\w+|New-Item|Remove-Item|Stop-\w+|Disable-\w+|Enable-\w+|Install-\w+|reg\s+add|auditpol\.exe\s+/set)\b", t)
assert bad == ["Remove-Item"], bad
PY

# errors: named file, line, column; non-zero exit; no output
printf '{"schema": "anzen-collect/1", "host": {"name": "X"},\n "users": [1,}\n' >broken.json
run "$ANZEN" audit import broken.json
expect_rc 1 "broken JSON"
expect_err "broken.json:2:" "error names file and line"
echo '{"schema": "anzen-scan/1"}' >other.json
run "$ANZEN" audit import other.json
expect_rc 1 "not a collector file"
expect_err "anzen-collect/1" "error names the expected schema"
echo '{"schema": "anzen-collect/1", "host": {"name": "X"}, "users": {}}' >shape.json
run "$ANZEN" audit import shape.json
expect_rc 1 "wrong shape"
expect_err '$.users' "error names the JSON path"
run "$ANZEN" audit run --root "$T/nonexistent"
expect_rc 1 "--root must be a directory"
run "$ANZEN" audit verify -w "$T/none.db"
expect_rc 1 "verify is handed to the audit log command (no workspace here)"
run "$ANZEN" audit log --help
expect_rc 0 "audit log --help is the audit log's help"
run "$ANZEN" audit show win.nosuch
expect_rc 1 "unknown rule"
run "$ANZEN" audit show linux.sshd-root
expect_out "PermitRootLogin" "show prints the condition"

# the workspace: saved results, exceptions, ledger join, plan and report
"$ANZEN" demo >/dev/null 2>&1
cd anzen-demo
for f in "$W"/*.json; do "$ANZEN" $AS audit import "$f" --save >/dev/null 2>&1 || true; done
"$ANZEN" $AS audit run --root "$T/bad" --save >/dev/null 2>&1 || true
[ -f audit/PC-02.json ] && [ -f audit/reception-srv.json ] && ok "--save writes audit/HOST.json" || not_ok "save"
cat >audit-exceptions.yaml <<'Y'
exceptions:
  - host: PC-02
    rule: win.usb-storage
    reason: 検査機器のデータを USB で受け取るため (暗号化 USB のみ)
    owner: 事務長
    expires: 2027-03-31
  - host: PC-02
    rule: win.smb1
    reason: 古い複合機のスキャン保存先
    owner: 事務長
    expires: 2026-10-31
Y
run "$ANZEN" $AS audit import "$W/PC-02.json"
expect_out "E win.usb-storage" "a live exception is shown, not passed"
expect_out "例外: 検査機器のデータ" "its reason is shown"
expect_out "✗ win.smb1" "an expired exception fails"
expect_out "(例外は 2026-10-31 に期限切れ)" "and says it expired"
# PC-01 is in the ledger by its IP address
printf '端末,診察室PC,診察室,電子カルテ系,192.168.10.21,Windows 11,23H2,emr,院内,院内,2026-11-12,,いいえ\n' >>ledger.csv
run "$ANZEN" $AS report --format json -o r.json
python3 - r.json <<'PY' && ok "report: per-host audit section with ledger join, exceptions, 2FA" || not_ok "report section"
import json, sys
d = json.load(open(sys.argv[1]))
secs = [s for s in d.get("extra_sections", []) if s.get("id") == "audit"]
assert secs, list(d.keys())
s = secs[0]
rows = {r[0]: r for r in s["table"]["rows"]}
assert set(rows) == {"PC-01", "PC-02", "PC-03", "SRV-01", "reception-srv"}, rows.keys()
assert rows["PC-01"][4] == "なし" and rows["PC-01"][5] == "あり"
assert "2-⑨" in rows["PC-02"][4] and "win.usb-storage" in rows["PC-02"][6] and "期限切れ" in rows["PC-02"][6]
assert rows["PC-02"][1] == "(台帳にない)" and rows["PC-01"][1] == "診察室PC", rows["PC-01"]
assert any("二要素認証 (令和9年度末 2027-03-31 までに必要): 2 / 5 台" in p for p in s["paragraphs"]), s["paragraphs"]
assert any(p.startswith("システム:") for p in s["paragraphs"])
texts = [f["text"] for f in s["findings"]]
assert any("PC-02: 機器台帳にない端末です" in t for t in texts)
assert not any("PC-02: USB" in t for t in texts)
PY
run "$ANZEN" $AS report -o r.html
grep -q "端末・サーバの点検 (anzen audit)" r.html && ok "HTML report has the host table" || not_ok "HTML section"
run "$ANZEN" $AS report --format xlsx -o c.xlsx
python3 - c.xlsx <<'PY' && ok "XLSX has the host sheet" || not_ok "XLSX sheet"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
wb = z.read("xl/workbook.xml").decode()
assert "端末・サーバの点検" in wb, wb
ss = z.read("xl/sharedStrings.xml").decode()
assert "PC-02" in ss and "reception-srv" in ss
PY
run "$ANZEN" $AS plan --format json
grep -q "PC-02: 有効な管理者アカウントが 2 つ以上ある" "$T/out" && ok "plan picks up audit findings" || not_ok "plan"
done_testing
