#!/bin/sh
# --help on every command, usage errors, version.
. "$(dirname "$0")/lib.sh"

run "$ANZEN" --help
expect_rc 0 "anzen --help"
expect_out "使い方: anzen" "help is Japanese by default"
for c in init assess status plan keypoints diff export ledger vendor serve applicable catalog workspace history demo version; do
    expect_out "  $c" "help lists $c"
done
for c in init assess status plan keypoints diff export ledger vendor serve applicable catalog workspace history demo version; do
    run "$ANZEN" "$c" --help
    expect_rc 0 "$c --help"
    expect_out "使い方" "$c --help prints usage"
done
# anzen serve refuses bad options before it listens
run "$ANZEN" serve --port 99999
expect_rc 64 "serve --port out of range"
expect_err "--port" "bad port named"
run "$ANZEN" serve --cert only.pem
expect_rc 64 "serve --cert without --key"
run "$ANZEN" serve --listen not-an-address --port 0
expect_rc 1 "serve on a name that is not an IP address"
expect_err "not-an-address" "bad listen address named"
run "$ANZEN" --lang en --help
expect_out "usage: anzen" "English help with --lang en"
ANZEN_LANG=en run "$ANZEN" status --help
expect_out "usage: anzen status" "ANZEN_LANG=en selects English"
run "$ANZEN" help status
expect_rc 0 "help status"
expect_out "anzen status" "help status shows status usage"

run "$ANZEN"
expect_rc 64 "no command"
run "$ANZEN" frobnicate
expect_rc 64 "unknown command"
expect_err "未知のコマンド \"frobnicate\"" "unknown command is named"
run "$ANZEN" status --bogus
expect_rc 64 "unknown option"
run "$ANZEN" --lang fr status
expect_rc 64 "bad --lang"
run "$ANZEN" --as-of 2025-02-30 status
expect_rc 64 "bad --as-of"
expect_err "2025-02-30" "bad --as-of date is named"
run "$ANZEN" version
expect_rc 0 "version"
expect_out "anzen 0." "version printed"
done_testing
