#!/bin/sh
# The workspace (SQLite): import/export round trip, change log, schema
# migration, and crash safety under SIGKILL during a large import.
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null
run "$ANZEN" workspace import d
expect_rc 0 "import the demo"
expect_out "回答 2 組を取り込みました" "import counts answer sets"
run "$ANZEN" workspace info
expect_out "形式の版 7" "schema version"
expect_out "cl-r7 v / emr: 15 件" "vendor answer set stored"

run "$ANZEN" workspace export -o exp
expect_rc 0 "export"
cmp -s d/profile.yaml exp/profile.yaml && ok "profile exported byte for byte" || not_ok "profile differs"
# answers come back in anzen's canonical form: equal to what anzen itself writes
"$ANZEN" assess --batch -p d/profile.yaml -a exp/answers.yaml >/dev/null 2>&1 || true
run "$ANZEN" status -p d/profile.yaml -a exp/answers.yaml --format json
python3 - "$T/out" d/status.json <<'PY' && ok "exported answers evaluate exactly as the originals" || not_ok "round trip changed the evaluation"
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
b = json.load(open(sys.argv[2], encoding="utf-8"))
for k in ("total", "roles", "groups", "items", "overdue"):
    assert a[k] == b[k], k
PY
mkdir again
cp exp/* again/
run "$ANZEN" workspace import again
run "$ANZEN" workspace log --format json
python3 - "$T/out" <<'PY' && ok "re-importing identical data logs nothing" || not_ok "log grew on a no-op import"
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(log) == 3, len(log)
assert [e["object"] for e in log] == ["profile", "answers:cl-r7/h", "answers:cl-r7/v/emr"]
PY

# a change is logged with who, before and after
sed -i 's/answer: いいえ/answer: はい/' again/vendor-emr.yaml
run "$ANZEN" workspace import again --who 事務長
expect_rc 0 "import a change"
run "$ANZEN" workspace log --format json
python3 - "$T/out" <<'PY' && ok "change logged with who/before/after" || not_ok "change log entry"
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
e = log[-1]
assert e["who"] == "事務長" and e["what"] == "update" and e["object"] == "answers:cl-r7/v/emr"
assert '"no"' in e["before"] and '"no"' not in e["after"]
PY

# the change log is append-only, even for direct SQL
python3 - <<'PY' && ok "change log refuses UPDATE and DELETE" || not_ok "change log is mutable"
import sqlite3
db = sqlite3.connect("anzen.db")
for sql in ("UPDATE change_log SET who = 'x'", "DELETE FROM change_log"):
    try:
        db.execute(sql)
        raise SystemExit(1)
    except sqlite3.DatabaseError as e:
        assert "append-only" in str(e)
PY

# a bad file imports nothing
printf 'anzen-answers: 1\nedition: cl-r7\nform: h\nanswers:\n  - {item: cl-r7.h.nope, answer: はい, checked: 2025-06-01}\n' > again/answers.yaml
run "$ANZEN" workspace import again
expect_rc 1 "import with a bad file"
expect_err "cl-r7.h.nope" "bad item named"
run "$ANZEN" workspace log --format json
python3 - "$T/out" <<'PY' && ok "nothing imported from a bad set" || not_ok "partial import"
import json, sys
assert len(json.load(open(sys.argv[1], encoding="utf-8"))) == 4
PY
run "$ANZEN" workspace log --format json -n 2
python3 - "$T/out" <<'PY' && ok "log -n 2: the newest two entries, oldest first" || not_ok "log -n 2: wrong entries"
import json, sys
ids = [e["id"] for e in json.load(open(sys.argv[1], encoding="utf-8"))]
assert ids == [3, 4], ids
PY

# vendor forms are checked as status checks them: the system must be one
# with a vendor, and the file must be named after it
mkdir vf
cp d/profile.yaml d/answers.yaml vf/
sed 's/^system: .*/system: nosuch/' d/vendor-emr.yaml > vf/vendor-emr.yaml
run "$ANZEN" workspace import -w vf.db vf
expect_rc 1 "a vendor form naming no system of the profile"
expect_err "system \"nosuch\" は、プロファイルの事業者のいるシステム (emr, receipt) のどれでもありません" "the system and the profile's systems named"
[ ! -e vf.db ] || python3 - <<'PY' && ok "nothing imported" || not_ok "imported anyway"
import sqlite3
db = sqlite3.connect("vf.db")
assert db.execute("SELECT count(*) FROM change_log").fetchone()[0] == 0
PY
cp d/vendor-emr.yaml vf/vendor-receipt.yaml
rm vf/vendor-emr.yaml
run "$ANZEN" workspace import -w vf.db vf
expect_rc 1 "the emr form in vendor-receipt.yaml"
expect_err "ファイル名は vendor-receipt.yaml です (vendor-emr.yaml に)" "file name and system named"
rm vf/vendor-receipt.yaml
cp d/vendor-emr.yaml vf/answers.yaml
run "$ANZEN" workspace import -w vf.db vf
expect_rc 1 "a vendor form as answers.yaml"
printf 'PK\003\004xx' > vf/vendor-emr.yaml
cp d/answers.yaml vf/answers.yaml
run "$ANZEN" workspace import -w vf.db vf
expect_rc 1 "a zip named vendor-emr.yaml"
expect_err "これは ZIP の圧縮ファイル です" "its real type named"

# migrations: an empty (version 0) file migrates; a newer schema is refused
python3 -c "import sqlite3; sqlite3.connect('v0.db').execute('PRAGMA user_version = 0')"
run "$ANZEN" workspace info -w v0.db
expect_out "形式の版 7" "version 0 workspace migrated to the current version"
# version 1 (before the plan) with data migrates and keeps the data
python3 - "$TEST_DATA/schema-v1.sql" <<'PY'
import sqlite3, sys
db = sqlite3.connect("v1.db")
db.executescript(open(sys.argv[1], encoding="utf-8").read())
db.execute("INSERT INTO profile VALUES (1, 'anzen-profile: 1', '2025-06-01T00:00:00Z')")
db.execute("INSERT INTO change_log (at, who, what, object) VALUES ('2025-06-01T00:00:00Z', 'v1', 'create', 'profile')")
db.commit()
PY
run "$ANZEN" workspace info -w v1.db
expect_out "形式の版 7" "version 1 workspace migrated to the current version"
expect_out "プロファイル: あり" "data kept across the migration"
run "$ANZEN" workspace log -w v1.db
expect_out "v1  create  profile" "change log kept across the migration"
python3 -c "import sqlite3; c = sqlite3.connect('future.db'); c.execute('PRAGMA user_version = 99'); c.commit()"
run "$ANZEN" workspace info -w future.db
expect_rc 1 "newer schema refused"
expect_err "より新しい" "newer schema explained"
# dated snapshots: status --save, then workspace history
run "$ANZEN" -C d status --save -w ../snap.db
expect_rc 2 "status --save keeps the status exit code"
expect_err "評価を ../snap.db に記録しました (#1)" "snapshot recorded"
ANZEN_TODAY=2026-04-02 run "$ANZEN" -C d status --save -w ../snap.db
run "$ANZEN" workspace history -w snap.db
expect_out "#1  2025-11-24  cl-r7 h  10/18 対応済み" "first snapshot listed with its date and score"
expect_out "#2  2026-04-02" "second snapshot dated by --as-of/ANZEN_TODAY"
run "$ANZEN" workspace history -w snap.db --format json
python3 - "$T/out" <<'PY' && ok "history json" || not_ok "history json"
import json, sys
h = json.load(open(sys.argv[1], encoding="utf-8"))
assert [x["id"] for x in h] == [1, 2] and h[0]["total"]["satisfied"] == 10
PY
run "$ANZEN" history -w snap.db
expect_out "#2  2026-04-02" "anzen history is workspace history"

# evidence records attached to items, logged
run "$ANZEN" workspace evidence add 2-⑥ --kind document --description "VPN ルータ更新報告書" --source "報告書/2025-12.pdf" --who 事務長
expect_rc 0 "evidence add by label"
expect_out "証跡 #1 を 2-⑥ (cl-r7.h.patches) に記録しました" "evidence confirmed"
run "$ANZEN" workspace evidence add cl-r7.h.asset-ledger --kind note --description "台帳を更新"
run "$ANZEN" workspace evidence 2-⑥
expect_out "[document] VPN ルータ更新報告書  <- 報告書/2025-12.pdf" "evidence listed for the item"
expect_no_out "台帳を更新" "other items' evidence not listed"
run "$ANZEN" workspace evidence --format json
python3 - "$T/out" <<'PY' && ok "all evidence as json" || not_ok "evidence json"
import json, sys
e = json.load(open(sys.argv[1], encoding="utf-8"))
assert [x["item"] for x in e] == ["cl-r7.h.patches", "cl-r7.h.asset-ledger"] and e[0]["who"] == "事務長"
PY
run "$ANZEN" workspace evidence add 2-⑥ --kind photo --description x
expect_rc 64 "unknown evidence kind"
run "$ANZEN" workspace evidence add 2-⑥ --kind note
expect_rc 64 "evidence without a description"
run "$ANZEN" workspace evidence add 9-⑨ --kind note --description x
expect_rc 1 "evidence for an unknown item"
run "$ANZEN" workspace log --format json
python3 - "$T/out" <<'PY' && ok "evidence creation is in the change log" || not_ok "evidence log"
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
assert [e["object"] for e in log if e["object"].startswith("evidence:")] == ["evidence:1", "evidence:2"]
PY
run "$ANZEN" workspace export -w missing.db
expect_rc 1 "export of a missing workspace"

# crash safety: SIGKILL during a large import, many times, alternating two
# complete states A and B; the workspace must always hold exactly one.
mk_state() { # dir name answer
    mkdir -p "$1"
    python3 - "$1" "$2" "$3" <<'PY'
import sys
d, name, ans = sys.argv[1:4]
n = 1000
with open(f"{d}/profile.yaml", "w") as f:
    f.write(f"anzen-profile: 1\ninstitution: {{name: {name}, type: hospital}}\nsystems:\n")
    for i in range(n):
        f.write(f"  - {{id: s{i}, name: sys{i}, hosting: on-prem, vendor: v{i}}}\n")
items = ["security-lead", "asset-ledger", "remote-maintenance", "mds-sds", "access-rights",
         "unused-accounts", "patches", "password-strength", "password-reuse", "external-media",
         "access-log", "unneeded-services", "connection-source", "incident-contacts",
         "backup-restore", "cyber-bcp"]
tgt = ", target: 2026-03-31" if ans == "いいえ" else ""
for i in range(n):
    with open(f"{d}/vendor-s{i}.yaml", "w") as f:
        f.write(f"anzen-answers: 1\nedition: cl-r7\nform: v\nsystem: s{i}\nanswers:\n")
        for it in items:
            f.write(f"  - {{item: cl-r7.v.{it}, answer: {ans}, checked: 2025-06-01{tgt}}}\n")
PY
}
mk_state A STATE_A はい
mk_state B STATE_B いいえ
rm -f crash.db crash.db-wal crash.db-shm
"$ANZEN" workspace import -w crash.db A >/dev/null
check_state() {
    python3 - <<'PY'
import sqlite3, sys
db = sqlite3.connect("crash.db")
body = db.execute("SELECT body FROM profile").fetchone()[0]
state = "A" if "STATE_A" in body else "B"
want = "yes" if state == "A" else "no"
sets = db.execute("SELECT count(*) FROM answer_sets").fetchone()[0]
vals = db.execute("SELECT DISTINCT answer FROM answers").fetchall()
rows = db.execute("SELECT count(*) FROM answers").fetchone()[0]
ok = sets == 1000 and vals == [(want,)] and rows == 16000
print(state, sets, vals, rows)
sys.exit(0 if ok else 1)
PY
}
mixed=0
killed=0
i=0
while [ $i -lt 20 ]; do
    src=$([ $((i % 2)) -eq 0 ] && echo B || echo A)
    "$ANZEN" workspace import -w crash.db "$src" >/dev/null 2>&1 &
    pid=$!
    # a random point inside the import (which takes a fraction of a second)
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    sleep "$(printf '0.%03d' $((r % 450)))"
    kill -9 $pid 2>/dev/null && killed=$((killed + 1))
    wait $pid 2>/dev/null || true
    if ! check_state >"$T/state" 2>&1; then
        mixed=$((mixed + 1))
        sed 's/^/#   /' "$T/state"
    fi
    i=$((i + 1))
done
[ $mixed -eq 0 ] && ok "20 SIGKILLed imports ($killed killed mid-way): always all-A or all-B" || not_ok "$mixed mixed states"
[ $killed -ge 5 ] && ok "at least 5 imports were really killed mid-way" || not_ok "no import was killed"
done_testing
