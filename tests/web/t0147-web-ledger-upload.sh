#!/bin/sh
# Ledger uploads as a hospital makes them (tests/web/ledger_upload.py):
# a refused upload says nothing was imported with the error first, the
# ledger's larger limit shown on the form, and the 413 a browser gets.
. "$(dirname "$0")/lib.sh"
"$ANZEN" demo -o "$W/ws" >/dev/null || { echo "Bail out! demo"; exit 1; }
# a vendor naming a system the profile lacks (bb2 #8): the pages still work
printf '  - id: kensa\n    name: けんさ検査\n    systems: [lab]\n' >>"$W/ws/vendors.yaml"
start_server "$W/ws"
python3 "$(dirname "$0")/ledger_upload.py" "$PORT" "$SETUP_CODE"
rc=$?
stop_server
exit $rc
