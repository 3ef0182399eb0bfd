#!/bin/sh
# The HTTPS server against hostile and broken clients, over real TLS
# sockets (tests/web/http_hostile.py): TLS only, security headers, limits
# on headers, bodies, methods and slow clients, static files without path
# traversal, malformed forms and multipart bodies, bad cookies; and the
# self-signed certificate and its printed fingerprint.
. "$(dirname "$0")/lib.sh"
start_server "$W/ws" --header-time 2 --timeout 4 --per-ip 40
fp=$(sed -n 's/.*(SHA-256): \([0-9A-F:]*\).*/\1/p' "$W/ws/stderr.log")
python3 "$(dirname "$0")/http_hostile.py" "$PORT" "$W/ws" "$fp" "$SETUP_CODE"
rc=$?
stop_server
exit $rc
