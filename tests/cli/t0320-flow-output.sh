#!/bin/sh
# SPDX-License-Identifier: MIT
# Every command that prints checks its output stream (issue 11): with stdout
# on /dev/full (every write fails with ENOSPC) it exits 1 with a message on
# stderr, never 0 (nor 2, the "gaps found" code, which would read as a
# successful check). Each command is first run normally to show it prints.
# Written from README, docs/ and --help only.
. "$(dirname "$0")/lib.sh"

if [ -w /dev/full ] && ! printf x >/dev/full 2>/dev/null; then ok "/dev/full refuses writes"; else
    not_ok "/dev/full is missing or accepts writes"
fi

# the demo clinic, with two recorded evaluations, a network check and evidence
"$ANZEN" demo -o d >/dev/null 2>&1
cd d
"$ANZEN" status --save >/dev/null 2>&1 || true
"$ANZEN" status --save >/dev/null 2>&1 || true
"$ANZEN" scan --import "$TEST_DATA/flow/week-nmap.xml" --from 事務系 -o scan.json >/dev/null 2>&1 || true
"$ANZEN" ledger check --save >/dev/null 2>&1 || true # evidence for workspace evidence
[ -s scan.json ] && ok "setup: scan.json" || not_ok "setup: no scan.json"

# full CMD...: prints normally (exit 0 or 2, something on stdout); with stdout
# on /dev/full, exit 1 and a message on stderr
full() {
    set +e
    "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    "$@" >/dev/full 2>"$T/ferr" </dev/null
    frc=$?
    set -e
    shift
    what="$*"
    if { [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; } || [ ! -s "$T/out" ]; then
        not_ok "$what: does not print normally (exit $rc, $(wc -c <"$T/out") bytes)"
        sed 's/^/#   err: /' "$T/err" | head -3
        return
    fi
    if [ "$frc" -eq 1 ] && [ -s "$T/ferr" ]; then ok "$what > /dev/full: exit 1 with a message"; else
        not_ok "$what > /dev/full: exit $frc, stderr [$(head -c 120 "$T/ferr")]"
    fi
}

full "$ANZEN" plan
full "$ANZEN" plan --format json
full "$ANZEN" plan --role operations
full "$ANZEN" status
full "$ANZEN" status --format json
full "$ANZEN" status --format md
full "$ANZEN" ledger list
full "$ANZEN" ledger check
full "$ANZEN" ledger check --format json
full "$ANZEN" ledger export
full "$ANZEN" workspace log
full "$ANZEN" workspace log --format json
full "$ANZEN" workspace info
full "$ANZEN" workspace history
full "$ANZEN" workspace evidence
full "$ANZEN" history
full "$ANZEN" diff 1 2
full "$ANZEN" diff 1 2 --format json
full "$ANZEN" catalog list
full "$ANZEN" catalog show 2-①
full "$ANZEN" catalog diff r6 r7
full "$ANZEN" kev info
full "$ANZEN" kev check FortiOS 6.4.6
full "$ANZEN" applicable
full "$ANZEN" keypoints
full "$ANZEN" keypoints --format json
full "$ANZEN" vendor list
full "$ANZEN" vendor check
full "$ANZEN" assess --batch
full "$ANZEN" report --format md -o -
full "$ANZEN" report --format json
full "$ANZEN" export --oscal poam -o -
full "$ANZEN" scan --import "$TEST_DATA/flow/week-nmap.xml" --from 事務系
full "$ANZEN" scan --dry-run 127.0.0.1
full "$ANZEN" version
full "$ANZEN" --help
full "$ANZEN" help plan
full "$ANZEN" plan --help
full "$ANZEN" --lang en plan
full "$ANZEN" --lang en status

# a full disk for a redirected file: the file size limit (SIGXFSZ ignored, so
# write() fails with EFBIG after 512 bytes); only commands that leave the
# workspace database alone, since SQLite's own files hit the limit too
limited() {
    set +e
    "$@" 2>/dev/null </dev/null | wc -c >"$T/lim.size"
    sh -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' sh "$@" >"$T/lim.out" 2>"$T/lim.err" </dev/null
    lrc=$?
    set -e
    shift
    if [ "$(cat "$T/lim.size")" -le 512 ]; then
        not_ok "$*: prints only $(cat "$T/lim.size") bytes, too few to fill the limit"
    elif [ "$lrc" -eq 1 ] && [ -s "$T/lim.err" ]; then ok "$* > file on a full disk: exit 1 with a message"; else
        not_ok "$* > file on a full disk: exit $lrc, $(wc -c <"$T/lim.out") bytes written, stderr [$(head -c 120 "$T/lim.err")]"
    fi
}
limited "$ANZEN" catalog list
limited "$ANZEN" catalog show 2-①
limited "$ANZEN" kev info
limited "$ANZEN" applicable
"$ANZEN" ledger import "$TEST_DATA/flow/week.csv" -o week-ledger.csv >/dev/null 2>&1 || true
limited "$ANZEN" ledger list week-ledger.csv
limited "$ANZEN" status
limited "$ANZEN" keypoints
limited "$ANZEN" --help

# a really full disk: a 16 KiB tmpfs, filled, in a private mount namespace
# (unshare -rm: no privilege needed where user namespaces are allowed); the
# workspace stays on the normal disk, only the redirected output is full
mkdir -p "$T/fs"
# shellcheck disable=SC2016
FILLED='mount -t tmpfs -o size=16k tmpfs "$1" || exit 99
dd if=/dev/zero of="$1/fill" bs=1k count=64 2>/dev/null
out=$1/out.txt
shift
"$@" >"$out"'
if unshare -rm sh -c "$FILLED" sh "$T/fs" true 2>/dev/null; then
    ondisk() {
        set +e
        unshare -rm sh -c "$FILLED" sh "$T/fs" "$@" 2>"$T/fs.err" </dev/null
        drc=$?
        set -e
        shift
        if [ "$drc" -eq 1 ] && [ -s "$T/fs.err" ]; then ok "$* > file on a full tmpfs: exit 1 with a message"; else
            not_ok "$* > file on a full tmpfs: exit $drc, stderr [$(head -c 120 "$T/fs.err")]"
        fi
    }
    ondisk "$ANZEN" plan
    ondisk "$ANZEN" plan --format json
    ondisk "$ANZEN" status
    ondisk "$ANZEN" ledger list
    ondisk "$ANZEN" workspace log
    ondisk "$ANZEN" history
    ondisk "$ANZEN" report --format md -o -
    ondisk "$ANZEN" catalog list
else
    n=$((n + 1))
    echo "ok $n # SKIP full tmpfs: unshare -rm / mount not allowed here ($(unshare -rm true 2>&1 | head -1))"
fi
done_testing
