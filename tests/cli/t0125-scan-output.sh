#!/bin/sh
# -o never replaces what is not a regular file (#19 item 2): a character
# device (a /dev/null made here with mknod, not the system's), a FIFO and
# /proc/self/fd/1 are written to in place; a symbolic link keeps being a
# link. For anzen scan and three other commands that share the writer
# (report, ledger export, export --oscal).
. "$(dirname "$0")/lib.sh"
"$ANZEN" demo -o d >/dev/null
cd d
if [ "$(id -u)" -eq 0 ]; then
    mknod "$T/null" c 1 3 && chmod 666 "$T/null"
else
    # without root a device cannot be made; the system's /dev/null is
    # safe to aim at (rename over it fails without root either way)
    ln -s /dev/null "$T/null"
fi
mkfifo "$T/fifo"
# a port on loopback that nothing listens on
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

check_cmd() { # name, command... (with -o appended)
    name=$1
    shift
    # a character device stays a character device
    run "$@" -o "$T/null"
    expect_rc_in "$name -o device"
    if [ -c "$T/null" ] || [ -L "$T/null" ]; then ok "$name: the device is still a device"
    else not_ok "$name: the device became $(stat -c %F "$T/null")"; fi
    ls "$T" | grep -q '^null\.' && not_ok "$name: a temporary file was left beside the device" \
        || ok "$name: no temporary file beside the device"
    # a FIFO gets the bytes and stays a FIFO
    cat "$T/fifo" > "$T/fromfifo" &
    reader=$!
    run "$@" -o "$T/fifo"
    expect_rc_in "$name -o FIFO"
    wait $reader
    [ -p "$T/fifo" ] && ok "$name: the FIFO is still a FIFO" || not_ok "$name: the FIFO was replaced"
    [ -s "$T/fromfifo" ] && ok "$name: the reader got $(wc -c < "$T/fromfifo") bytes" \
        || not_ok "$name: nothing came through the FIFO"
    # standard output named as a file, when it is a file
    set +e
    "$@" -o /proc/self/fd/1 > "$T/stdout.$name" 2>"$T/err" </dev/null
    rc=$?
    set -e
    expect_rc_in "$name -o /proc/self/fd/1"
    [ -s "$T/stdout.$name" ] && [ "$(head -n 1 "$T/stdout.$name")" = "$(head -n 1 "$T/fromfifo")" ] \
        && ok "$name: standard output got the output" || not_ok "$name: stdout lacks the output"
    # a link to a regular file: the file is replaced, the link stays
    : > "$T/target.$name"
    ln -sf "$T/target.$name" "$T/link.$name"
    run "$@" -o "$T/link.$name"
    expect_rc_in "$name -o symlink"
    [ -L "$T/link.$name" ] && [ -s "$T/target.$name" ] && ok "$name: the link still links, its file was written" \
        || not_ok "$name: symlink replaced or target empty"
}
# scan exits 0 (no findings) or 2 (gaps); anything else is a failure
expect_rc_in() {
    case "$rc" in 0|2) ok "$1 (exit $rc)" ;; *) not_ok "$1: exit $rc"; sed 's/^/#   err: /' "$T/err" | head -5 ;; esac
}

check_cmd scan "$ANZEN" scan 127.0.0.1 -p "$PORT" --no-ledger --format json
check_cmd report "$ANZEN" report --format json
check_cmd ledger "$ANZEN" ledger export
check_cmd oscal "$ANZEN" export --oscal poam
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="anzen-scan/1"' "$T/stdout.scan" \
    && ok "scan -o /proc/self/fd/1 is the anzen-scan/1 JSON" || not_ok "scan stdout JSON"

# a directory is refused with its name
run "$ANZEN" --lang en scan 127.0.0.1 -p "$PORT" --no-ledger -o "$T"
expect_rc 1 "-o a directory"
expect_err "is a directory" "says it is a directory"
# the result is written host by host (#19 item 8): a regular file that
# existed is replaced whole by valid JSON of every host, no temporary
# file is left, and standard output gets the same hosts
run "$ANZEN" scan 127.0.0.1-8 -p "$PORT,1" --no-ledger --no-service --format json
expect_rc_in "scan --format json"
cp "$T/out" "$T/res.stdout"
echo old > "$T/res.json"
run "$ANZEN" scan 127.0.0.1-8 -p "$PORT,1" --no-ledger --no-service -o "$T/res.json"
expect_rc_in "scan -o an existing file"
python3 - "$T/res.json" "$T/res.stdout" <<'PY' && ok "file and stdout: the same 8 hosts, valid JSON" || not_ok "streamed JSON"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert [h["address"] for h in a["hosts"]] == ["127.0.0.%d" % i for i in range(1, 9)], a["hosts"]
assert a["hosts"] == b["hosts"] and a["findings"] == b["findings"]
assert open(sys.argv[1]).read().endswith("}\n")
PY
ls "$T" | grep -q '^res\.json\.' && not_ok "a temporary file was left" || ok "no temporary file left"
# a write that fails part way (a full device) is an error, not a short file
if [ -c /dev/full ]; then
    run "$ANZEN" --lang en scan 127.0.0.1-8 -p "$PORT" --no-ledger --no-service -o /dev/full
    expect_rc 1 "-o /dev/full"
    expect_err "cannot write" "says it cannot write"
fi
done_testing
