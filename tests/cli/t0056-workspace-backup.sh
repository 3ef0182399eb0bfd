#!/bin/sh
# anzen workspace backup: one tar file with the database (SQLite online
# backup) and the workspace's files; restore with tar gives identical
# data; a backup taken while another process writes is consistent.
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null
(cd d && "$ANZEN" workspace import >/dev/null)
for i in 1 2 3; do
    "$ANZEN" -C d workspace evidence add cl-r7.h.asset-ledger --kind note --description "メモ $i" >/dev/null
done
printf 'k' >d/anzen.db.key.test # not the key: a name that is not a workspace file
cp d/profile.yaml d/old.txt     # nor is this

run "$ANZEN" -C d workspace backup
expect_rc 64 "backup without -o"
expect_err "-o FILE" "the error says what is missing"

run "$ANZEN" -C d workspace backup -o ../b1.tar
expect_rc 0 "backup"
expect_out "b1.tar" "names the file"
tar -tf b1.tar | sort >list
grep -qx anzen.db list && grep -qx profile.yaml list && grep -qx answers.yaml list &&
    grep -qx vendor-emr.yaml list && grep -qx ledger.csv list && ok "archive holds the database and the files" ||
    { not_ok "archive lacks files"; sed 's/^/#   /' list; }
grep -q -e old.txt -e '\.test$' -e anzen.db-wal -e '^\.anzen' list && not_ok "archive holds foreign or temporary files" ||
    ok "archive holds only the workspace's files"
[ "$(stat -c %a b1.tar)" = 600 ] && ok "backup is private (0600)" || not_ok "backup mode $(stat -c %a b1.tar)"
ls b1.tar.* >/dev/null 2>&1 && not_ok "temporary files left behind" || ok "no temporary files left"

mkdir r
tar -xf b1.tar -C r
[ "$(sqlite3 r/anzen.db 'PRAGMA integrity_check')" = ok ] && ok "restored database passes integrity_check" ||
    not_ok "restored database corrupt"
[ "$(sqlite3 r/anzen.db 'PRAGMA journal_mode')" = delete ] && ok "restored database is one self-contained file" ||
    not_ok "restored database still WAL"
"$ANZEN" -C d workspace log --format json >log.d
"$ANZEN" -C r workspace log --format json >log.r
cmp -s log.d log.r && ok "restored change log identical" || not_ok "change log differs"
"$ANZEN" -C d workspace evidence --format json >ev.d
"$ANZEN" -C r workspace evidence --format json >ev.r
cmp -s ev.d ev.r && ok "restored evidence identical" || not_ok "evidence differs"
same=1
for f in profile.yaml answers.yaml vendor-emr.yaml ledger.csv vendors.yaml; do
    cmp -s "d/$f" "r/$f" || same=0
done
[ $same = 1 ] && ok "restored files byte for byte" || not_ok "restored files differ"
"$ANZEN" -C d status --format json >st.d 2>/dev/null || true
"$ANZEN" -C r status --format json >st.r 2>/dev/null || true
[ -s st.d ] && cmp -s st.d st.r && ok "restored workspace evaluates the same" || not_ok "status differs after restore"

# never overwrite
cp b1.tar keep.tar
run "$ANZEN" -C d workspace backup -o ../b1.tar
expect_rc 1 "existing output refused"
cmp -s b1.tar keep.tar && ok "existing file untouched" || not_ok "existing file changed"

# a backup inside the workspace leaves itself out, and the next backup too
run "$ANZEN" -C d workspace backup -o self.tar
expect_rc 0 "backup into the workspace directory"
tar -tf d/self.tar | grep -q 'self\.tar' && not_ok "backup contains itself" || ok "backup leaves itself out"

# while another process writes: every backup is a consistent snapshot
(
    i=0
    while [ $i -lt 40 ]; do
        "$ANZEN" -C d workspace evidence add cl-r7.h.asset-ledger --kind note \
            --description "並行 $i" >/dev/null 2>&1 || echo fail >>writer.err
        i=$((i + 1))
    done
) &
writer=$!
k=0
while [ $k -lt 4 ]; do
    "$ANZEN" -C d workspace backup -o "../c$k.tar" >/dev/null 2>>backup.err || echo "backup $k failed" >>backup.err
    k=$((k + 1))
done
wait $writer
[ ! -s backup.err ] && ok "backups while another process writes succeed" ||
    { not_ok "backup failed under writes"; sed 's/^/#   /' backup.err; }
[ ! -s writer.err ] && ok "the writer was never blocked out" || not_ok "writer failed during backups"
"$ANZEN" -C d workspace log --format json >log.final
good=1
k=0
while [ $k -lt 4 ]; do
    rm -rf "rc$k" && mkdir "rc$k" && tar -xf "c$k.tar" -C "rc$k"
    [ "$(sqlite3 "rc$k/anzen.db" 'PRAGMA integrity_check')" = ok ] || good=0
    "$ANZEN" -C "rc$k" workspace log --format json >"log.c$k"
    python3 - "log.c$k" log.final <<'PY' || good=0
import json, sys
part = json.load(open(sys.argv[1], encoding="utf-8"))
full = json.load(open(sys.argv[2], encoding="utf-8"))
# a snapshot: exactly the first entries of the final log, nothing torn
assert len(part) >= 4 and full[: len(part)] == part, (len(part), len(full))
PY
    k=$((k + 1))
done
[ $good = 1 ] && ok "each concurrent backup is an intact prefix of the log" || not_ok "a concurrent backup is torn"
n_final=$(sqlite3 d/anzen.db 'SELECT count(*) FROM evidence')
[ "$n_final" -eq 43 ] && ok "all concurrent writes kept (43 records)" || not_ok "evidence count $n_final"

run "$ANZEN" --lang en -C d workspace backup -o ../en.tar
expect_out "restore: tar -xf" "English message"
run "$ANZEN" -C nowhere workspace backup -o x.tar
expect_rc 1 "missing directory is an error"

done_testing
