#!/bin/sh
# The serve's periodic summary line (refused connections, plain-HTTP
# clients, ...) in the server's language: Japanese by default, English
# with ANZEN_LANG=en, as every other message of anzen.
. "$(dirname "$0")/lib.sh"
echo "1..4"
n=0
check() {
    n=$((n + 1))
    if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; tail -5 "$W/ws/stderr.log" | sed 's/^/# /'; fi
}
for lang in ja en; do
    rm -rf "$W/ws"
    ANZEN_LANG=$lang start_server "$W/ws"
    # a plain-HTTP request on the TLS port is counted in the summary
    curl -s -m 5 -o /dev/null "http://127.0.0.1:$PORT/" || true
    stop_server
    if [ $lang = ja ]; then
        check "the summary line is Japanese by default" \
            "grep -q '^anzen serve: 直近 [0-9]* 秒: .*https を使うよう案内した平文 HTTP 1、' '$W/ws/stderr.log'"
        check "no English summary line" "! grep -q 'in the last' '$W/ws/stderr.log'"
    else
        check "the summary line is English with ANZEN_LANG=en" \
            "grep -q '^anzen serve: in the last [0-9]* s: .* 1 plain-HTTP clients told to use https' '$W/ws/stderr.log'"
        check "no Japanese summary line" "! grep -q '直近' '$W/ws/stderr.log'"
    fi
done
