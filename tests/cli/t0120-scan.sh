#!/bin/sh
# anzen scan: the scope must be explicit and exact (no default target, no
# host names), errors name the argument or file:line, exclusions apply,
# and --dry-run lists what would be probed without sending anything.
. "$(dirname "$0")/lib.sh"

run "$ANZEN" scan
expect_rc 64 "no target at all"
expect_err "既定の対象はありません" "says there is no default target"
run "$ANZEN" scan --help
expect_rc 0 "help"
expect_out "--rate N" "help lists the caps"
run "$ANZEN" --lang en scan 127.0.0.1 example.org
expect_rc 64 "a host name"
expect_err "argument 2: invalid target \"example.org\"" "names the argument"
expect_one_line_err "host name"
printf '127.0.0.1\n# comment\n127.0.0.2 127.0.0.3\n10.0.0.0/33\n' > scope.txt
run "$ANZEN" --lang en scan -iL scope.txt
expect_rc 64 "a bad line in the targets file"
expect_err "scope.txt:4: invalid target \"10.0.0.0/33\"" "names file:line"
run "$ANZEN" scan 10.0.0.0/8 --dry-run
expect_rc 64 "a scope over the limit"
expect_err "範囲が広すぎます" "says the scope is too large"
run "$ANZEN" --lang en scan 127.0.0.1 -p 22,http
expect_rc 64 "bad port list"
expect_err "invalid port list" "names the port list"
run "$ANZEN" --lang en scan 127.0.0.1 --rate fast
expect_rc 64 "bad rate"
run "$ANZEN" --lang en scan 127.0.0.0/30 --exclude 127.0.0.0/30
expect_rc 64 "everything excluded"
expect_err "scope is empty" "empty scope after exclusions"

# dry run: ranges after exclusions, ports, probes; nothing is sent
printf '127.0.0.2\n' > ex.txt
run "$ANZEN" scan 127.0.0.0/29 ::1 --exclude 127.0.0.0,127.0.0.5 --exclude-file ex.txt -p 22,80 \
    --dry-run --format json
expect_rc 0 "dry run"
python3 - "$T/out" <<'PY' && ok "dry-run plan: ranges, ports, probes" || not_ok "dry-run plan"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "anzen-scan-plan/1"
# 127.0.0.7 is the broadcast address of the /29: skipped
assert d["addresses"] == 5, d["addresses"]
assert d["ranges"] == ["127.0.0.1", "127.0.0.3-127.0.0.4", "127.0.0.6", "::1"], d["ranges"]
assert d["ports"] == [22, 80]
assert d["probes"] == 10
assert d["settings"]["discovery_ports"] == [80, 22] or sorted(d["settings"]["discovery_ports"]) == [22, 80]
s = d["settings"]
assert s["rate"] == 800 and s["per_host"] == 4 and s["max_inflight"] == 920 and s["timeout_ms"] == 1500
assert s["per_host_rate"] == 200
assert s["discovery"] is True
PY
run "$ANZEN" scan 127.0.0.1 --dry-run
expect_rc 0 "dry run, text"
expect_out "ドライラン" "says it is a dry run"
expect_out "104" "default port list has DICOM"
expect_out "2575" "default port list has HL7 MLLP"

# progress on stderr when asked (on a terminal by default): done/total,
# rate and ETA; the results stay on stdout
run "$ANZEN" scan 127.0.0.1 -p 3000-3300 --rate 300 --no-service --no-ledger --progress
expect_rc 0 "a scan with progress"
if grep -q "\[ポート\] [0-9]*/301 (" "$T/err" && grep -q "/s 残り" "$T/err"; then
    ok "progress shows done/total, rate and ETA"
else
    not_ok "progress line"
    sed 's/^/#   err: /' "$T/err" | tr '\r' '\n' | tail -5
fi
[ "$(tr '\r' '\n' < "$T/err" | grep -c '\[ポート\]')" -ge 5 ] && ok "progress updated about 10 times a second" \
    || not_ok "too few progress updates"
expect_out "スキャン: 1 アドレス" "results on stdout"
run "$ANZEN" scan 127.0.0.1 -p 3000-3010 --rate 0 --no-service --no-ledger
[ ! -s "$T/err" ] && ok "no progress when stderr is not a terminal" || not_ok "progress without a terminal"
done_testing
