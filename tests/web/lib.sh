# SPDX-License-Identifier: MIT
# Helpers of the web tests: start `anzen serve` on 127.0.0.1 with a free
# port (--port 0, the port read back from --ready-file) in a fresh
# workspace, and stop it (by its PID) when the script exits.
set -u
: "${ANZEN:?ANZEN must point to the anzen binary}"
W=$(mktemp -d "${TMPDIR:-/tmp}/anzen-web.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$W"
}
trap cleanup EXIT INT TERM
export ANZEN_TODAY=${ANZEN_TODAY:-2025-11-24}
export ANZEN_LANG=ja

# start_server DIR [serve options...]: sets PORT and SETUP_CODE
start_server() {
    dir=$1
    shift
    mkdir -p "$dir"
    rm -f "$dir/port"
    (cd "$dir" && exec "$ANZEN" serve --port 0 --ready-file port "$@" >stdout.log 2>stderr.log) &
    SERVER_PID=$!
    i=0
    while [ ! -s "$dir/port" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "Bail out! anzen serve did not start"
            cat "$dir/stderr.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    PORT=$(cat "$dir/port")
    SETUP_CODE=$(sed -n 's/.*初回設定コード: \([0-9]*\).*/\1/p' "$dir/stderr.log")
    export PORT SETUP_CODE
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}
