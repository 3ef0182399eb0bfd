# SPDX-License-Identifier: MIT
# Shared helpers of the hub tests: the CLI test helpers (TAP) and a real
# PostgreSQL server of the test's own, started with initdb + pg_ctl in a
# temporary directory, listening on a unix socket only (listen_addresses
# = ''), stopped and removed on exit. As root, the server runs as the
# unprivileged user "nobody" (initdb refuses root).
: "${TEST_DATA:=${SRCDIR:?}/tests/data}"
export TEST_DATA
. "${SRCDIR:?}/tests/cli/lib.sh"
set +e
PGBIN=
for d in /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PGBIN=$d; break; fi
done
[ -n "$PGBIN" ] || { echo "Bail out! initdb/pg_ctl not found (apt-get install postgresql)"; exit 1; }
PGT=$(mktemp -d /tmp/anzen-pg.XXXXXX)
chmod 755 "$PGT"
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown nobody "$PGT"; fi
pg_stop() {
    as_pg "$PGBIN/pg_ctl" -D "$PGT/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$PGT"
}
trap 'pg_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
as_pg "$PGBIN/initdb" -D "$PGT/data" -U hub -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$PGT/initdb.log" 2>&1 || { echo "Bail out! initdb failed"; cat "$PGT/initdb.log"; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$PGT/data" -l "$PGT/log" -w \
    -o "-c listen_addresses='' -k $PGT -c fsync=off -c full_page_writes=off" start \
    >/dev/null 2>&1 || { echo "Bail out! pg_ctl start failed"; cat "$PGT/log"; exit 1; }
export ANZEN_HUB_DB="host=$PGT user=hub dbname=postgres"
chmod 755 "$T"
set -e

# hub_start [OPTION...]: `anzen hub serve --state $S --port 0` in the
# background with the options given; waits for its ready file and sets
# HUB_PID and PORT (Bail out! with its stderr when it does not start).
hub_start() {
    rm -f "$T/port"
    (exec "$ANZEN" hub serve --state "$S" --port 0 --ready-file "$T/port" "$@" \
        >"$T/serve.out" 2>"$T/serve.err") &
    HUB_PID=$!
    i=0
    while [ ! -s "$T/port" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$HUB_PID" 2>/dev/null; then
            echo "Bail out! hub serve did not start"; cat "$T/serve.err"; exit 1
        fi
        sleep 0.1
    done
    PORT=$(cat "$T/port")
}
