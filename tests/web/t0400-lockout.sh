#!/bin/sh
# SPDX-License-Identifier: MIT
# Sign-in throttling that protects without locking people out (issue 14):
# an attacker on 127.0.0.2 cannot keep a user on 127.0.0.1 out; the
# per-address limit holds the attacker; the admin unlocks in the users
# page; the setup code and /account are rate-limited; `anzen user` resets
# a password, 2FA, disables; the audit log page (JST, labels, filters,
# CSV) and the 0600 modes of the files holding secrets
# (tests/web/lockout.py).
. "$(dirname "$0")/lib.sh"
SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
start_server "$W/ws"
ANZEN="$ANZEN" python3 "$SRC/tests/web/lockout.py" "$PORT" "$W/ws" "$SETUP_CODE"
rc=$?
stop_server
exit $rc
