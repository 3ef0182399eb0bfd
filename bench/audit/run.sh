#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/audit: `anzen audit` on this machine against `lynis audit system
# --quick` in the same run. Reports wall time and max RSS of each and the
# ratios (target: anzen <= 1 s and <= 20 MB), and compares the two on the
# findings they share (lynis test IDs mapped to anzen rules below).
#
#   bench/audit/run.sh [ANZEN]      (default: build/src/cli/anzen)
#
# lynis runs as the current user; as root it reads more (both tools do).
set -eu
cd "$(dirname "$0")/../.."
ANZEN=${1:-build/src/cli/anzen}
[ -x "$ANZEN" ] || { echo "bench/audit: build anzen first ($ANZEN)" >&2; exit 1; }
command -v lynis >/dev/null || { echo "bench/audit: lynis is not installed (apt-get install lynis)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/anzen-bench-audit.XXXXXX")
trap 'rm -rf "$W"' EXIT

measure() { # name, command...: wall seconds and max RSS (KiB) into $W/name.time
    name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$W/$name.time" "$@" >"$W/$name.out" 2>"$W/$name.err" || true
}

measure anzen "$ANZEN" audit run --format json
measure lynis lynis audit system --quick --no-colors --no-log --report-file "$W/lynis-report.dat"

python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
t = {}
for n in ("anzen", "lynis"):
    s, kb = open(f"{w}/{n}.time").read().split()[-2:]
    t[n] = (float(s), int(kb) / 1024)
a, l = t["anzen"], t["lynis"]
print(f"anzen audit:        {a[0]:7.2f} s  {a[1]:7.1f} MB max RSS")
print(f"lynis --quick:      {l[0]:7.2f} s  {l[1]:7.1f} MB max RSS")
print(f"ratio anzen/lynis:  time {a[0] / l[0]:.3f}  RSS {a[1] / l[1]:.3f}")
print(f"target (<= 1 s, <= 20 MB): time {'met' if a[0] <= 1 else 'NOT met'}, RSS {'met' if a[1] <= 20 else 'NOT met'}")

d = json.load(open(f"{w}/anzen.out"))
res = {r["id"]: r["result"] for r in d["results"]}
rep = open(f"{w}/lynis-report.dat", errors="replace").read().splitlines()
flagged = set()
for line in rep:
    if line.startswith(("suggestion[]=", "warning[]=")):
        flagged.add(line.split("=", 1)[1].split("|")[0])
ran = set()
for line in rep:
    if line.startswith("tests_executed="):
        ran = set(line.split("=", 1)[1].split("|"))
# lynis test -> anzen rule, for the findings both tools make
shared = [
    ("USB-1000", "linux.usb-storage", "USB storage driver not disabled"),
    ("SSH-7408", "linux.sshd-root", "sshd hardening (PermitRootLogin and others)"),
    ("LOGG-2154", "linux.log-forwarding", "logs sent to a remote host"),
    ("ACCT-9628", "linux.auditd", "auditd enabled"),
    ("FIRE-4590", "linux.firewall", "a host firewall is active"),
    ("PKGS-7392", "linux.security-updates", "pending security updates"),
    ("TIME-3104", "linux.time-sync", "time synchronisation"),
    ("AUTH-9262", "linux.pass-min-len", "password strength module / minimum length"),
    ("AUTH-9204", "linux.uid0", "accounts with UID 0 besides root"),
]
agree = both = 0
print()
print(f"{'lynis test':<11} {'lynis':<8} {'anzen rule':<24} {'anzen':<8} agree  what")
for test, rule, what in shared:
    lyn = "flagged" if test in flagged else ("ok" if not ran or test in ran else "not run")
    an = res.get(rule, "-")
    same = "-"
    if lyn in ("flagged", "ok") and an in ("pass", "fail"):
        both += 1
        s = (lyn == "flagged") == (an == "fail")
        agree += s
        same = "yes" if s else "NO"
    print(f"{test:<11} {lyn:<8} {rule:<24} {an:<8} {same:<6} {what}")
print(f"\nshared findings compared: {both}, agreeing: {agree}")
PY
