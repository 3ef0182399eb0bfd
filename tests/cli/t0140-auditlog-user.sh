#!/bin/sh
# SPDX-License-Identifier: MIT
# `anzen user` (account recovery on the CLI) and `anzen audit verify|log`:
# the change log is a signed hash chain, and deleting, editing or inserting
# rows with sqlite3 (triggers dropped, hashes recomputed without the key) is
# found; the listing in JST with labels, filters, CSV for Excel and JSON;
# the workspace and its key file are created 0600 whatever the umask, and
# `serve` names a secret file others can read.
. "$(dirname "$0")/lib.sh"
umask 022
PW="correct horse battery staple"

run_in "$PW
" "$ANZEN" user add alice --role planning --admin --password-stdin
expect_rc 0 "user add with --password-stdin creates the workspace"
run "$ANZEN" user add bob --role viewer --display "ボブ" --temporary
expect_rc 0 "user add --temporary"
expect_out "一時パスワード" "a temporary password is printed once"
run_in "short
" "$ANZEN" user add carol --role viewer --password-stdin
expect_rc 1 "a weak password is refused"
run "$ANZEN" user add dave --role wizard --temporary
expect_rc 64 "an unknown role is a usage error"
# a display name longer than the stored field is refused whole: it was cut
# inside a character, and the user then vanished from the list
long=$(python3 -c 'print("医療法人社団さくら会情報システム担当" * 5, end="")')
run "$ANZEN" user add erin --role viewer --display "$long" --temporary
expect_rc 1 "a display name over 128 bytes is refused, not cut"
expect_err "表示名が長すぎます (128 バイトまで" "the error says why"
expect_err ": $long" "and names the text whole"
run "$ANZEN" user frobnicate bob
expect_rc 64 "an unknown action is a usage error"
run "$ANZEN" user disable bob
expect_rc 0 "user disable"
run "$ANZEN" user enable bob
expect_rc 0 "user enable"
run "$ANZEN" user reset-mfa bob
expect_rc 0 "user reset-mfa"
run "$ANZEN" user unlock bob
expect_rc 0 "user unlock"
run_in "a different long phrase 9
" "$ANZEN" user reset-password bob --password-stdin
expect_rc 0 "user reset-password --password-stdin"
run "$ANZEN" user list
expect_rc 0 "user list"
expect_out "alice" "the list names alice"
expect_out "閲覧者" "with the role in Japanese"
run "$ANZEN" --lang en user list --format json
expect_rc 0 "user list --format json"
if python3 -c 'import json,sys; u=json.load(open(sys.argv[1])); assert {x["name"] for x in u} == {"alice","bob"}; assert "argon2" not in open(sys.argv[1]).read()' "$T/out"; then
    ok "the JSON lists both users and no hash"
else not_ok "the JSON lists both users and no hash"; fi

# ---- modes ----
for f in anzen.db anzen.db.key; do
    m=$(stat -c %a "$f")
    if [ "$m" = 600 ]; then ok "$f is 0600 under umask 022"; else not_ok "$f is $m, want 600"; fi
done

# ---- the log ----
run "$ANZEN" audit verify
expect_rc 0 "audit verify on an untouched log"
expect_out "改ざんされていません" "it says the log is intact"
run "$ANZEN" audit log
expect_rc 0 "audit log"
expect_out "パスワードの再設定 (password-reset)" "events have Japanese labels and their token"
if grep -qE '^ +[0-9]+  20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}  cli:' "$T/out"; then
    ok "times are YYYY-MM-DD HH:MM:SS"
else not_ok "times are YYYY-MM-DD HH:MM:SS"; sed 's/^/#   /' "$T/out" | head -5; fi
# stored UTC and shown JST differ by exactly nine hours
utc=$(sqlite3 anzen.db "SELECT at FROM change_log WHERE id = 1")
run "$ANZEN" audit log --format json
want=$(python3 -c 'import datetime,sys; t=datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ"); print((t+datetime.timedelta(hours=9)).strftime("%Y-%m-%d %H:%M:%S"))' "$utc")
if python3 -c 'import json,sys; e=[x for x in json.load(open(sys.argv[1])) if x["id"]==1][0]; assert e["at_jst"]==sys.argv[2], (e, sys.argv[2]); assert e["label"]=="作成"' "$T/out" "$want"; then
    ok "JSON: at_jst is the stored UTC time + 9 h, with the label"
else not_ok "JSON: at_jst is the stored UTC time + 9 h, with the label"; fi
run "$ANZEN" audit log --event mfa-reset
expect_rc 0 "filter by event"
if [ "$(grep -c . "$T/out")" -eq 1 ] && grep -q "mfa-reset" "$T/out"; then ok "one mfa-reset row"; else
    not_ok "one mfa-reset row"; sed 's/^/#   /' "$T/out"; fi
run "$ANZEN" audit log --user alice
if [ "$(grep -c . "$T/out")" -eq 1 ] && grep -q "user:alice" "$T/out"; then ok "filter by user"; else
    not_ok "filter by user"; sed 's/^/#   /' "$T/out"; fi
run "$ANZEN" audit log --from 2000-01-01 --to 2000-12-31
if [ ! -s "$T/out" ] && [ "$rc" -eq 0 ]; then ok "filter by dates (nothing in 2000)"; else not_ok "filter by dates"; fi
run "$ANZEN" audit log --from 2000-13-01
expect_rc 1 "a bad date is an error"
expect_err "YYYY-MM-DD" "that names the format"
run "$ANZEN" audit log --format csv -o log.csv
expect_rc 0 "audit log --format csv"
if python3 - log.csv <<'PY'
import csv, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
rows = list(csv.reader(raw[3:].decode("utf-8").splitlines()))
assert rows[0][:3] == ["番号", "日時 (JST)", "利用者"], rows[0]
assert len(rows) == 9, len(rows)
PY
then ok "the CSV: BOM, valid UTF-8, header row, one row per entry"; else not_ok "the CSV"; fi
# a formula in a field is neutralised in the CSV
rm -rf f && mkdir f && cp anzen.db anzen.db.key f/
sqlite3 f/anzen.db "INSERT INTO change_log (at, who, what, object) VALUES ('2025-01-01T00:00:00Z', '=HYPERLINK(\"http://x\")', '+login', '@x')"
run "$ANZEN" audit log -w f/anzen.db --format csv
if python3 - "$T/out" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig").read().splitlines()))
bad = [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]
assert not bad, bad
assert any(c == "'=HYPERLINK(\"http://x\")" for r in rows for c in r), rows[1]
PY
then ok "cells that would start a formula are prefixed with '"; else not_ok "formula cells in the CSV"; fi

# ---- tampering with sqlite3 ----
tamper() { # description, SQL
    rm -rf t && mkdir t && cp anzen.db anzen.db.key t/
    sqlite3 t/anzen.db "$2"
    run "$ANZEN" audit verify -w t/anzen.db
    expect_rc 2 "$1 is found"
}
n_rows=$(sqlite3 anzen.db "SELECT count(*) FROM change_log")
tamper "deleting a middle row" \
    "DROP TRIGGER change_log_append_only_d; DELETE FROM change_log WHERE id = 3"
expect_err "#4" "…and the entry after the gap is named"
tamper "deleting the newest row" \
    "DROP TRIGGER change_log_append_only_d; DELETE FROM change_log WHERE id = $n_rows"
tamper "deleting every row" \
    "DROP TRIGGER change_log_append_only_d; DELETE FROM change_log"
tamper "wiping the log and its head" \
    "DROP TRIGGER change_log_append_only_d; DELETE FROM change_log; DELETE FROM audit_head"
expect_err "控えがありません" "…and the missing head is named"
tamper "wiping the log and writing an empty head without the key" \
    "DROP TRIGGER change_log_append_only_d; DELETE FROM change_log;
     UPDATE audit_head SET last_id = 0, hash = '$(printf '0%.0s' $(seq 64))', mac = NULL"
# a new workspace verifies (its head was written when it began)
rm -rf e
run "$ANZEN" demo -o e
run "$ANZEN" -C e status --save
run "$ANZEN" audit verify -w e/anzen.db
expect_rc 0 "a new workspace's log verifies"
tamper "editing a field" \
    "DROP TRIGGER change_log_append_only_u; UPDATE change_log SET who = 'mallory' WHERE id = 2"
expect_err "#2" "…and the edited entry is named"
tamper "inserting a row" \
    "INSERT INTO change_log (at, who, what, object) VALUES ('2025-01-01T00:00:00Z', 'x', 'login', 'user:x')"
tamper "inserting a row in the middle" \
    "DROP TRIGGER change_log_append_only_u; DROP TRIGGER change_log_append_only_d;
     UPDATE change_log SET id = id + 1000 WHERE id > 2; UPDATE change_log SET id = id - 999 WHERE id > 1000;
     INSERT INTO change_log (id, at, who, what, object) VALUES (3, '2025-01-01T00:00:00Z', 'x', 'login', 'user:x')"
# an attacker who knows the hash scheme but not the key: edit a row and
# recompute every hash after it and the head; the signatures give it away
rm -rf t && mkdir t && cp anzen.db anzen.db.key t/
python3 - t/anzen.db <<'PY'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TRIGGER change_log_append_only_u;"
                 "UPDATE change_log SET who = 'mallory' WHERE id = 2;")
def field(h, s):
    if s is None:
        h.update(b"\0" + struct.pack(">Q", 0))
    else:
        b = s.encode()
        h.update(b"\1" + struct.pack(">Q", len(b)) + b)
prev = bytes(32)
last = 0
for row in db.execute("SELECT id, at, who, what, object, before, after FROM change_log ORDER BY id").fetchall():
    h = hashlib.sha256(b"anzen-audit-v1" + prev)
    for f in (str(row[0]),) + tuple(row[1:]):
        field(h, f)
    prev = h.digest()
    last = row[0]
    db.execute("UPDATE change_log SET hash = ? WHERE id = ?", (prev.hex(), row[0]))
db.execute("UPDATE audit_head SET last_id = ?, hash = ?", (last, prev.hex()))
db.commit()
PY
run "$ANZEN" audit verify -w t/anzen.db
expect_rc 2 "recomputed hashes without the key are found"
expect_err "HMAC" "…by the signature"
# the same recomputation on the untouched log matches anzen's hashes
rm -rf t && mkdir t && cp anzen.db anzen.db.key t/
python3 - t/anzen.db <<'PY'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
prev = bytes(32)
for row in db.execute("SELECT id, at, who, what, object, before, after, hash FROM change_log ORDER BY id"):
    h = hashlib.sha256(b"anzen-audit-v1" + prev)
    for f in (str(row[0]),) + tuple(row[1:7]):
        if f is None:
            h.update(b"\0" + struct.pack(">Q", 0))
        else:
            b = f.encode()
            h.update(b"\1" + struct.pack(">Q", len(b)) + b)
    prev = h.digest()
    assert prev.hex() == row[7], row[0]
PY
if [ $? -eq 0 ]; then ok "the chain hash is SHA-256 over the documented encoding"; else
    not_ok "the chain hash is SHA-256 over the documented encoding"; fi
run "$ANZEN" audit verify -w t/anzen.db
expect_rc 0 "the copy verifies"
# without the right key, the signatures do not match
head -c 32 /dev/urandom >t/anzen.db.key
run "$ANZEN" audit verify -w t/anzen.db
expect_rc 2 "another key file: the signatures do not match"

# ---- serve warns about readable secret files ----
rm -rf s && mkdir s && cp anzen.db anzen.db.key s/ && chmod 644 s/anzen.db
(cd s && exec "$ANZEN" serve --port 0 --ready-file port >out.log 2>err.log) &
pid=$!
i=0
while [ ! -s s/port ] && [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
if grep -q "警告: anzen.db をほかの利用者が読めます (モード 644)" s/err.log; then
    ok "serve warns, naming the file, when anzen.db is 0644"
else
    not_ok "serve warns, naming the file, when anzen.db is 0644"
    sed 's/^/#   /' s/err.log | head
fi
if grep -q "anzen.db.key" s/err.log; then not_ok "only the readable file is named"; else
    ok "only the readable file is named"; fi
done_testing
